//! Images (logos, signatures): PNG and JPEG files -> decoded 8-bit pixels; SVG files -> a
//! vector drawing ([`svg`]); a page of a PDF file -> the same, converted to SVG ([`pdf`]).
//!
//! Every image is decoded here, fully, before the PDF is written, so a corrupt or truncated
//! file is an error naming the layout or statement line that named it, never a broken PDF.
//! Dimensions are read from the header and checked before any pixel is decoded.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Location, Problem};

pub mod pdf;
pub mod svg;

/// Largest width or height accepted, in pixels.
pub const MAX_SIDE: u32 = 10_000;
/// Largest number of pixels accepted (a 6000 x 4000 photo is 24 million).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Largest image file accepted.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// An image file named in a layout or statement, with where it was named, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePath {
    /// As written: relative to the file that named it.
    pub path: PathBuf,
    pub location: Option<Location>,
    /// For a PDF file: which page (1-based) to draw; the first when `None`.
    pub page: Option<u32>,
    /// The file as read and decoded by [`crate::Layout::load`] / [`crate::Statement::load`]
    /// (or their `load_images`); `None` after a bare `parse`.
    pub loaded: Option<Arc<Loaded>>,
}

impl ImagePath {
    pub fn new(path: impl Into<PathBuf>, location: Option<Location>) -> ImagePath {
        ImagePath {
            path: path.into(),
            location,
            page: None,
            loaded: None,
        }
    }

    /// The same, drawing page `page` of a PDF file.
    pub fn with_page(mut self, page: Option<u32>) -> ImagePath {
        self.page = page;
        self
    }

    /// Reads and decodes the file, resolved as `resolved`, once; the result is shared by every
    /// statement set with it. Errors name the place that named the file.
    pub fn load(&mut self, resolved: &Path) -> Result<(), Error> {
        let (bytes, content) = read(self, resolved)?;
        self.loaded = Some(Arc::new(Loaded {
            source: resolved.to_path_buf(),
            bytes,
            content,
        }));
        Ok(())
    }

    /// The decoded image, or an error at the naming place if it was never read (the layout or
    /// statement was parsed, not loaded).
    pub fn content(&self) -> Result<&Content, Error> {
        match &self.loaded {
            Some(l) => Ok(&l.content),
            None => Err(self.fail(
                "the file was not read; load the layout or statement with `load` (or call \
                 `load_images`) before typesetting"
                    .into(),
            )),
        }
    }

    fn fail(&self, reason: String) -> Error {
        Error::Invalid(vec![self.diagnostic(reason)])
    }

    /// A problem with this image, at the place that named it.
    pub fn diagnostic(&self, reason: String) -> crate::error::Diagnostic {
        crate::error::Diagnostic {
            location: self.location.clone(),
            problem: Problem::BadImage {
                path: self.path.clone(),
                reason,
            },
        }
    }
}

/// An image file as read: where from, its bytes (for embedding the sources) and what they
/// decoded to.
pub struct Loaded {
    /// The path it was read from (the written path resolved against the naming file's folder).
    pub source: PathBuf,
    pub bytes: Arc<Vec<u8>>,
    pub content: Content,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.bytes == other.bytes
    }
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("source", &self.source)
            .field("bytes", &self.bytes.len())
            .field("content", &self.content)
            .finish()
    }
}

/// What an image file decoded to.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Raster(Raster),
    /// Painted as vector content.
    Svg(svg::Svg),
}

impl Content {
    /// Width over height.
    pub fn aspect(&self) -> f32 {
        match self {
            Content::Raster(r) => r.aspect(),
            Content::Svg(s) => s.aspect(),
        }
    }

    /// What in it PDF/A-1b forbids (transparency), if anything; rasters are flattened instead.
    pub fn transparency(&self) -> Option<&'static str> {
        match self {
            Content::Raster(_) => None,
            Content::Svg(s) => s.transparent,
        }
    }
}

/// Collects the problems of several image loads, so that every bad image is reported at once.
#[derive(Default)]
pub struct Problems(Vec<crate::error::Diagnostic>);

impl Problems {
    pub fn load(&mut self, image: &mut ImagePath, resolved: &Path) -> Result<(), Error> {
        match image.load(resolved) {
            Err(Error::Invalid(d)) => {
                self.0.extend(d);
                Ok(())
            }
            other => other,
        }
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// Decoded pixels: 8 bits a channel, gray or RGB, with an optional alpha channel.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub gray: bool,
    /// Row-major samples: `width * height` (gray) or three times that (RGB).
    pub color: Arc<Vec<u8>>,
    /// One sample a pixel; `None` when every pixel is opaque (or after flattening).
    pub alpha: Option<Arc<Vec<u8>>>,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Raster")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("gray", &self.gray)
            .field("alpha", &self.alpha.is_some())
            .finish()
    }
}

impl Raster {
    /// Width over height.
    pub fn aspect(&self) -> f32 {
        self.width as f32 / self.height as f32
    }

    /// Composites the image onto white and drops the alpha channel (PDF/A-1 forbids
    /// transparency).
    pub fn flatten(&mut self) {
        let Some(alpha) = self.alpha.take() else {
            return;
        };
        let channels = if self.gray { 1 } else { 3 };
        let color: Vec<u8> = self
            .color
            .chunks_exact(channels)
            .zip(alpha.iter())
            .flat_map(|(px, &a)| {
                px.iter().map(move |&c| {
                    let (c, a) = (u32::from(c), u32::from(a));
                    ((c * a + 255 * (255 - a) + 127) / 255) as u8
                })
            })
            .collect();
        self.color = Arc::new(color);
    }
}

/// Reads and decodes the image at `resolved` (`named` is the path as written, with its place).
fn read(named: &ImagePath, resolved: &Path) -> Result<(Arc<Vec<u8>>, Content), Error> {
    let fail = |reason: String| named.fail(reason);
    let unreadable = |e: std::io::Error| {
        Error::invalid(
            named.location.clone(),
            Problem::ImageUnreadable {
                path: named.path.clone(),
                reason: io_reason(&e),
            },
        )
    };
    let decoded = |bytes: Vec<u8>| -> Result<(Arc<Vec<u8>>, Content), Error> {
        let pdf = !is_raster(&bytes) && pdf::sniff(&bytes);
        if named.page.is_some() && !pdf {
            return Err(fail(
                "`page` applies only to PDF files; remove it, or name a PDF file".into(),
            ));
        }
        let content = if pdf {
            Content::Svg(pdf::decode(&bytes, named.page).map_err(fail)?)
        } else if is_raster(&bytes) || !svg::sniff(&bytes) {
            Content::Raster(decode(&bytes).map_err(fail)?)
        } else {
            Content::Svg(svg::decode(&bytes).map_err(fail)?)
        };
        Ok((Arc::new(bytes), content))
    };
    // A bundled layout's emblem comes from the binary, as the layout itself does.
    if let Some(bytes) = crate::layout::bundled_asset(resolved) {
        return decoded(bytes.to_vec());
    }
    let meta = std::fs::metadata(resolved).map_err(unreadable)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file is larger than the limit of {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(resolved).map_err(unreadable)?;
    decoded(bytes)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

fn is_raster(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// Decodes PNG or JPEG bytes. The message says what is wrong, for a user.
pub fn decode(bytes: &[u8]) -> Result<Raster, String> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        decode_jpeg(bytes)
    } else {
        Err(format!(
            "{}; expected a PNG, JPEG, SVG or PDF file",
            match sniff(bytes) {
                Some(kind) => format!("{kind} images are not supported"),
                None => "not an image this program can read".into(),
            }
        ))
    }
}

fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"GIF8") {
        Some("GIF")
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("WebP")
    } else if bytes.starts_with(b"%PDF") {
        Some("PDF")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF")
    } else if bytes.starts_with(b"BM") {
        Some("BMP")
    } else {
        None
    }
}

fn check_size(width: u64, height: u64) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("the image is {width}x{height} pixels; it is empty"));
    }
    if width > u64::from(MAX_SIDE) || height > u64::from(MAX_SIDE) || width * height > MAX_PIXELS {
        return Err(format!(
            "the image is {width}x{height} pixels, more than the limit of {MAX_SIDE} pixels a \
             side and {MAX_PIXELS} pixels in all; scale it down"
        ));
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Raster, String> {
    // IHDR is always the first chunk: length (4), "IHDR" (4), width (4), height (4).
    let ihdr = bytes
        .get(8..24)
        .filter(|h| &h[4..8] == b"IHDR")
        .ok_or("the PNG header is truncated or corrupt")?;
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    check_size(be(&ihdr[8..12]).into(), be(&ihdr[12..16]).into())?;

    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: (MAX_PIXELS * 8) as usize,
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let corrupt = |e: png::DecodingError| format!("the PNG file is corrupt or truncated ({e})");
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let size = reader
        .output_buffer_size()
        .ok_or("the PNG image is too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(info.buffer_size());
    // The image data must be complete: an IEND chunk after it.
    reader.finish().map_err(corrupt)?;
    let (width, height) = (info.width, info.height);
    let (gray, alpha) = match info.color_type {
        png::ColorType::Grayscale => (true, false),
        png::ColorType::GrayscaleAlpha => (true, true),
        png::ColorType::Rgb => (false, false),
        png::ColorType::Rgba => (false, true),
        png::ColorType::Indexed => return Err("the PNG palette could not be expanded".into()),
    };
    if info.bit_depth != png::BitDepth::Eight {
        return Err("the PNG bit depth could not be converted to 8 bits".into());
    }
    let row = info.line_size;
    let channels = (if gray { 1 } else { 3 }) + usize::from(alpha);
    let mut color = Vec::with_capacity(width as usize * height as usize * (channels - 1).max(1));
    let mut alphas = Vec::new();
    for line in buf.chunks_exact(row).take(height as usize) {
        for px in line[..width as usize * channels].chunks_exact(channels) {
            if alpha {
                color.extend_from_slice(&px[..channels - 1]);
                alphas.push(px[channels - 1]);
            } else {
                color.extend_from_slice(px);
            }
        }
    }
    let alpha = (alpha && alphas.iter().any(|&a| a != 255)).then(|| Arc::new(alphas));
    Ok(Raster {
        width,
        height,
        gray,
        color: Arc::new(color),
        alpha,
    })
}

fn decode_jpeg(bytes: &[u8]) -> Result<Raster, String> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;

    let corrupt = |e: &dyn std::fmt::Debug| format!("the JPEG file is corrupt ({e:?})");
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| {
        let text = format!("{e:?}");
        if text.contains("width") || text.contains("height") || text.contains("Large") {
            format!("the JPEG image is larger than the limit of {MAX_SIDE} pixels a side")
        } else {
            corrupt(&e)
        }
    })?;
    let (w, h) = decoder.dimensions().ok_or("the JPEG header has no size")?;
    check_size(w as u64, h as u64)?;
    let gray = matches!(decoder.input_colorspace(), Some(ColorSpace::Luma));
    let out = if gray {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    decoder.set_options(
        DecoderOptions::default()
            .set_strict_mode(true)
            .set_max_width(MAX_SIDE as usize)
            .set_max_height(MAX_SIDE as usize)
            .jpeg_set_out_colorspace(out),
    );
    // zune-jpeg fills a truncated scan with gray; the end-of-image marker tells.
    let trimmed = bytes
        .iter()
        .rposition(|&b| b != 0)
        .map_or(bytes, |i| &bytes[..=i]);
    if !trimmed.ends_with(&[0xFF, 0xD9]) {
        return Err("the JPEG file is truncated (no end-of-image marker)".into());
    }
    let pixels = decoder.decode().map_err(|e| corrupt(&e))?;
    let channels = if gray { 1 } else { 3 };
    if pixels.len() != w * h * channels {
        return Err("the JPEG file is corrupt (wrong amount of image data)".into());
    }
    Ok(Raster {
        width: w as u32,
        height: h as u32,
        gray,
        color: Arc::new(pixels),
        alpha: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PNG encoder for tests: 8-bit RGBA, no filtering.
    pub(crate) fn png_rgba(width: u32, height: u32, px: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&px(x, y));
            }
        }
        w.write_image_data(&data).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn decodes_png_with_alpha_and_flattens_onto_white() {
        let bytes = png_rgba(2, 1, |x, _| {
            if x == 0 {
                [255, 0, 0, 255]
            } else {
                [0, 0, 0, 0]
            }
        });
        let mut r = decode(&bytes).unwrap();
        assert_eq!((r.width, r.height, r.gray), (2, 1, false));
        assert_eq!(r.alpha.as_deref(), Some(&vec![255, 0]));
        r.flatten();
        assert!(r.alpha.is_none());
        assert_eq!(*r.color, vec![255, 0, 0, 255, 255, 255]);
    }

    #[test]
    fn opaque_alpha_is_dropped() {
        let r = decode(&png_rgba(3, 3, |_, _| [1, 2, 3, 255])).unwrap();
        assert!(r.alpha.is_none());
        assert_eq!(r.color.len(), 27);
    }

    #[test]
    fn absurd_dimensions_are_refused_from_the_header() {
        let mut bytes = png_rgba(1, 1, |_, _| [0; 4]);
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let e = decode(&bytes).unwrap_err();
        assert!(e.contains("100000x100000"), "{e}");
    }

    #[test]
    fn truncated_and_foreign_files_are_refused() {
        let bytes = png_rgba(16, 16, |x, y| [x as u8, y as u8, 0, 255]);
        let e = decode(&bytes[..bytes.len() - 30]).unwrap_err();
        assert!(e.contains("corrupt or truncated"), "{e}");
        assert!(decode(b"GIF89a....").unwrap_err().contains("GIF"));
        assert!(
            decode(b"hello")
                .unwrap_err()
                .contains("PNG, JPEG, SVG or PDF")
        );
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).is_err());
    }
}

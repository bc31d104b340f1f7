//! PDF pages to pixels, with hayro (a pure-Rust rasterizer by krilla's author). Shared by
//! `preview`, `diff` and `serve`, which may be handed PDFs nobody has looked at: every page is
//! sized and counted against [`Limits`] before a pixel is allocated, and a panic inside the
//! rasterizer becomes an error rather than taking the process down.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::{LoadPdfError, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

/// The lowest and highest resolutions accepted, in dots per inch.
pub const MIN_DPI: f32 = 1.0;
pub const MAX_DPI: f32 = 1200.0;

/// Bounds on the work one call may do. The defaults allow an A4 page at 600 dpi and a long
/// statement at screen resolution, and keep the memory of one call under about 400 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_pages: usize,
    /// Pixels of one page (width x height).
    pub max_page_pixels: u64,
    /// Pixels of all pages together.
    pub max_total_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pages: 1000,
            max_page_pixels: 36_000_000,
            max_total_pixels: 100_000_000,
        }
    }
}

/// One rasterized page: opaque RGB, 8 bits per channel, rows top to bottom, on white.
#[derive(Clone, PartialEq, Eq)]
pub struct Page {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Page({}x{})", self.width, self.height)
    }
}

impl Page {
    /// The colour of the pixel at (`x`, `y`), counted from the top left.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// The page as a PNG file (8-bit RGB).
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Writing into a Vec with dimensions that match the data cannot fail; the expects
        // state that invariant rather than handle an error that has no cause.
        let mut writer = encoder.write_header().expect("PNG header for a valid size");
        writer
            .write_image_data(&self.rgb)
            .expect("PNG data of the declared size");
        writer.finish().expect("PNG written to memory");
        out
    }
}

/// Why a PDF could not be rasterized.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    #[error("the resolution {0} dpi is outside {MIN_DPI}..={MAX_DPI}")]
    Dpi(f32),
    #[error("not a readable PDF")]
    NotAPdf,
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has {pages} pages; at most {limit} are rasterized")]
    TooManyPages { pages: usize, limit: usize },
    #[error(
        "page {page} would be {width}x{height} pixels at this resolution; at most {limit} pixels per page"
    )]
    PageTooLarge {
        page: usize,
        width: u64,
        height: u64,
        limit: u64,
    },
    #[error("all pages together would exceed {limit} pixels at this resolution")]
    TooManyPixels { limit: u64 },
    #[error("the rasterizer failed on page {page}")]
    Failed { page: usize },
}

/// Rasterizes every page of `pdf` at `dpi` with the default [`Limits`].
pub fn rasterize(pdf: &[u8], dpi: f32) -> Result<Vec<Page>, RenderError> {
    rasterize_with(pdf, dpi, &Limits::default())
}

/// Rasterizes every page of `pdf` at `dpi`; nothing is drawn unless every page fits `limits`.
pub fn rasterize_with(pdf: &[u8], dpi: f32, limits: &Limits) -> Result<Vec<Page>, RenderError> {
    if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
        return Err(RenderError::Dpi(dpi));
    }
    let pdf = Pdf::new(Arc::new(pdf.to_vec())).map_err(|e| match e {
        LoadPdfError::Decryption(_) => RenderError::Encrypted,
        _ => RenderError::NotAPdf,
    })?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(RenderError::NoPages);
    }
    if pages.len() > limits.max_pages {
        return Err(RenderError::TooManyPages {
            pages: pages.len(),
            limit: limits.max_pages,
        });
    }
    let scale = dpi / 72.0;
    // Sizes first, so a hostile last page is refused before the first is drawn.
    let mut total = 0u64;
    for (i, page) in pages.iter().enumerate() {
        let (w, h) = page.render_dimensions();
        let (width, height) = (pixels(w, scale), pixels(h, scale));
        // hayro's canvas is addressed with u16, hence the second bound.
        if width * height > limits.max_page_pixels
            || width > u64::from(u16::MAX)
            || height > u64::from(u16::MAX)
        {
            return Err(RenderError::PageTooLarge {
                page: i + 1,
                width,
                height,
                limit: limits.max_page_pixels,
            });
        }
        total += width * height;
        if total > limits.max_total_pixels {
            return Err(RenderError::TooManyPixels {
                limit: limits.max_total_pixels,
            });
        }
    }
    let cache = RenderCache::new();
    let interpreter = InterpreterSettings::default();
    let settings = PixmapSettings {
        x_scale: scale,
        y_scale: scale,
        bg_color: WHITE,
    };
    let mut out = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let pixmap = catch_unwind(AssertUnwindSafe(|| {
            hayro::render(
                page,
                &cache,
                &interpreter,
                &RenderSettings::default(),
                &settings,
            )
        }))
        .map_err(|_| RenderError::Failed { page: i + 1 })?;
        let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        // The background is opaque white, so premultiplied and straight alpha agree and the
        // alpha channel is always 255: dropping it loses nothing.
        let rgb = pixmap.data().iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        out.push(Page { width, height, rgb });
    }
    Ok(out)
}

/// Page points times scale, as hayro sizes its canvas (truncated), but at least one pixel.
fn pixels(points: f32, scale: f32) -> u64 {
    let p = points * scale;
    if p.is_finite() && p >= 1.0 {
        p as u64
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_pdf() -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let statement = crate::Statement::load(
            &root.join("statements/2020-01-29-copenhagen-political-directors.md"),
        )
        .unwrap();
        let layout = crate::Layout::builtin();
        let fonts = crate::FontSet::load(&layout).unwrap();
        let options = crate::Options {
            timestamp: Some(0),
            ..Default::default()
        };
        crate::render(&statement, &layout, &fonts, &options)
            .unwrap()
            .pdf
    }

    #[test]
    fn a4_at_72_dpi_is_595_by_841_with_ink_on_white() {
        let pages = rasterize(&seed_pdf(), 72.0).unwrap();
        assert!(!pages.is_empty());
        let p = &pages[0];
        assert_eq!((p.width, p.height), (595, 841));
        assert_eq!(p.rgb.len(), 595 * 841 * 3);
        assert_eq!(p.pixel(0, 0), [255, 255, 255]);
        let dark = p.rgb.chunks(3).filter(|c| c[0] < 128).count();
        assert!(dark > 1000, "only {dark} dark pixels: no text drawn?");
    }

    #[test]
    fn png_round_trips_the_size() {
        let pages = rasterize(&seed_pdf(), 20.0).unwrap();
        let png = pages[0].to_png();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().width, pages[0].width);
        assert_eq!(reader.info().height, pages[0].height);
    }

    #[test]
    fn garbage_and_bad_resolutions_are_errors() {
        assert_eq!(rasterize(b"hello", 72.0), Err(RenderError::NotAPdf));
        assert_eq!(rasterize(b"", 72.0), Err(RenderError::NotAPdf));
        assert_eq!(rasterize(&seed_pdf(), 0.0), Err(RenderError::Dpi(0.0)));
        assert!(matches!(
            rasterize(&seed_pdf(), f32::NAN),
            Err(RenderError::Dpi(_))
        ));
    }

    #[test]
    fn limits_are_checked_before_drawing() {
        let pdf = seed_pdf();
        let tight = Limits {
            max_pages: 1000,
            max_page_pixels: 1000,
            max_total_pixels: u64::MAX,
        };
        assert!(matches!(
            rasterize_with(&pdf, 72.0, &tight),
            Err(RenderError::PageTooLarge { page: 1, .. })
        ));
        let no_pages = Limits {
            max_pages: 0,
            ..Limits::default()
        };
        assert!(matches!(
            rasterize_with(&pdf, 72.0, &no_pages),
            Err(RenderError::TooManyPages { .. })
        ));
        let total = Limits {
            max_total_pixels: 10,
            ..Limits::default()
        };
        assert!(matches!(
            rasterize_with(&pdf, 72.0, &total),
            Err(RenderError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn truncated_pdf_is_an_error_or_pages_never_a_panic() {
        let pdf = seed_pdf();
        for cut in [10, pdf.len() / 3, pdf.len() / 2, pdf.len() - 10] {
            // Either outcome is fine; hayro recovers what it can from a damaged file.
            let _ = rasterize(&pdf[..cut], 10.0);
        }
    }
}

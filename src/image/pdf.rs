//! PDF logos and signatures: one page of a PDF file, converted to an SVG drawing (hayro-svg:
//! paths stay paths, glyphs become their outlines, images become embedded PNGs) and then painted
//! as any SVG is ([`super::svg`]). krilla cannot embed another PDF's page in PDF/A or PDF/UA
//! output, and a converted page has no fonts left to embed.
//!
//! A PDF file is untrusted input. Before anything is drawn, the file is checked: it must not be
//! encrypted, carry JavaScript, or have annotations or form fields on the page; every font it
//! draws with must be embedded; and its size, object count, compressed streams and
//! form-in-form expansion are bounded, so a hostile file is refused quickly instead of filling
//! memory or the clock. What PDF/A-1b forbids (transparency) is noted, not refused, since
//! PDF/A-2 allows it.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use hayro_svg::hayro_interpret::{InterpreterSettings, InterpreterWarning, RenderContent};
use hayro_svg::hayro_syntax::content::UntypedIter;
use hayro_svg::hayro_syntax::object::{Dict, MaybeRef, Name, Object, ObjectIdentifier, Stream};
use hayro_svg::hayro_syntax::page::Page;
use hayro_svg::hayro_syntax::xref::XRef;
use hayro_svg::hayro_syntax::{Filter, LoadPdfError, Pdf};

/// Largest PDF file accepted. An exported logo is kilobytes; a design tool that keeps its
/// editing data in the file makes it a few megabytes.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Most pages accepted (a logo sheet or brand manual may have several; `page = N` picks one).
pub const MAX_PAGES: usize = 1000;
/// Most objects accepted in the file's cross-reference table.
pub const MAX_OBJECTS: usize = 100_000;
/// Most objects (direct and indirect) looked at while checking the file.
const MAX_VISITS: usize = 1_000_000;
/// Largest decompressed stream accepted (a font, an image, a content stream).
pub const MAX_STREAM_BYTES: usize = 64 * 1024 * 1024;
/// Most bytes of drawing operators on the page, each form counted as often as it is drawn.
pub const MAX_CONTENT_BYTES: u64 = 32 * 1024 * 1024;
/// Largest SVG text the conversion may produce.
pub const MAX_SVG_BYTES: usize = 32 * 1024 * 1024;
/// How long the checks and the conversion may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Whether `bytes` look like a PDF file (the header may follow some junk, as readers allow).
pub fn sniff(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// A page converted to SVG, with what in it PDF/A-1b forbids.
#[derive(Debug)]
pub struct Converted {
    pub svg: String,
    pub transparent: Option<&'static str>,
}

/// Converts page `page` (1-based; the first when `None`) of the PDF `bytes` to a drawing. The
/// message says what is wrong and what to do, for a user.
pub fn decode(bytes: &[u8], page: Option<u32>) -> Result<super::svg::Svg, String> {
    let converted = convert(bytes, page)?;
    let mut svg = super::svg::decode(converted.svg.as_bytes())
        .map_err(|e| format!("the PDF page could not be converted to a drawing ({e})"))?;
    svg.transparent = converted.transparent.or(svg.transparent);
    Ok(svg)
}

/// The checks and the conversion, on a thread of their own so that a file that takes too long
/// is given up after [`TIMEOUT`]. The structural limits make that rare; the thread is then left
/// to finish on its own.
pub fn convert(bytes: &[u8], page: Option<u32>) -> Result<Converted, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "the PDF file is {:.1} MiB, more than the limit of {} MiB for a logo or signature; \
             export the logo alone, without the design tool's editing data (Illustrator: \
             untick \"Preserve Illustrator Editing Capabilities\")",
            bytes.len() as f64 / 1024.0 / 1024.0,
            MAX_BYTES / 1024 / 1024
        ));
    }
    let data = bytes.to_vec();
    let (send, receive) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("pdf-logo".into())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(|| convert_now(data, page));
            let _ = send.send(result);
        })
        .map_err(|e| format!("could not start converting the PDF ({e})"))?;
    match receive.recv_timeout(TIMEOUT) {
        Ok(Ok(result)) => {
            let _ = worker.join();
            result
        }
        Ok(Err(_)) => Err(
            "the PDF file could not be read (the PDF reader failed on it); \
             export the logo again, as PDF/A or SVG"
                .into(),
        ),
        Err(_) => Err(format!(
            "converting the PDF page took longer than {} seconds; simplify the logo or \
             export it as SVG",
            TIMEOUT.as_secs()
        )),
    }
}

fn convert_now(data: Vec<u8>, page: Option<u32>) -> Result<Converted, String> {
    check_compressed_streams(&data)?;
    // A password no one uses: an encrypted file fails to open with it, even one whose user
    // password is empty (which would otherwise open silently).
    let pdf = match Pdf::new_with_password(data, "\u{1}communique: not a password") {
        Ok(pdf) => pdf,
        Err(LoadPdfError::Decryption(_)) => {
            return Err(
                "the PDF file is encrypted (password-protected or with permissions \
                 set); export the logo again without security settings"
                    .into(),
            );
        }
        Err(LoadPdfError::Invalid) => {
            return Err(
                "the file starts like a PDF but could not be read (it is corrupt or \
                 truncated); export the logo again"
                    .into(),
            );
        }
    };
    if pdf.len() > MAX_OBJECTS {
        return Err(format!(
            "the PDF file has {} objects, more than the limit of {MAX_OBJECTS}; export the \
             logo alone",
            pdf.len()
        ));
    }
    let pages = pdf.pages();
    if pages.len() > MAX_PAGES {
        return Err(format!(
            "the PDF file has {} pages, more than the limit of {MAX_PAGES}; export the logo's \
             page alone",
            pages.len()
        ));
    }
    let number = page.unwrap_or(1);
    let Some(chosen) = (number as usize).checked_sub(1).and_then(|i| pages.get(i)) else {
        return Err(if pages.is_empty() {
            "the PDF file has no pages".into()
        } else {
            format!(
                "page = {number} is out of range: the PDF file has {} page{}",
                pages.len(),
                if pages.len() == 1 { "" } else { "s" }
            )
        });
    };
    check_document(&pdf)?;
    let transparent = check_page(pdf.xref(), chosen)?;
    let (w, h) = chosen.render_dimensions();
    if !(w >= 1.0 && h >= 1.0) {
        return Err(format!(
            "page {number} of the PDF file is {w}x{h} points; it has no size"
        ));
    }

    let warning: Arc<Mutex<Option<InterpreterWarning>>> = Arc::default();
    let sink = warning.clone();
    let settings = InterpreterSettings {
        // No stand-in fonts: every font must be in the file (checked above), so the drawing is
        // the one the designer saw.
        font_resolver: Arc::new(|_| None),
        warning_sink: Arc::new(move |w| {
            if let Ok(mut slot) = sink.lock() {
                slot.get_or_insert(w);
            }
        }),
        render_content: RenderContent::PAGE,
        ..InterpreterSettings::default()
    };
    let cache = hayro_svg::RenderCache::new();
    let svg = hayro_svg::convert(
        chosen,
        &cache,
        &settings,
        &hayro_svg::SvgRenderSettings::default(),
    );
    if let Some(w) = warning.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(match w {
            InterpreterWarning::UnsupportedFont => {
                "a font in the PDF file could not be read, so its text cannot be drawn; export \
                 the logo with text converted to outlines"
                    .to_string()
            }
            InterpreterWarning::ImageDecodeFailure => {
                "an image in the PDF file could not be decoded; export the logo again".into()
            }
            other => format!("the PDF page could not be drawn faithfully ({other:?})"),
        });
    }
    if svg.len() > MAX_SVG_BYTES {
        return Err(format!(
            "the PDF page converts to more than {} MiB of drawing; simplify the logo",
            MAX_SVG_BYTES / 1024 / 1024
        ));
    }
    Ok(Converted { svg, transparent })
}

/// Inflates every Flate stream in the file with a cap, before the PDF reader sees any: a few
/// kilobytes of deflate can claim gigabytes, and the reader decodes object streams whole while
/// it opens the file. Streams are found by their keywords, so compressed object streams are
/// covered too; data that does not inflate is left to the reader.
fn check_compressed_streams(data: &[u8]) -> Result<(), String> {
    let mut total = 0usize;
    let mut at = 0;
    while let Some(found) = find(&data[at..], b"stream") {
        let start = at + found + b"stream".len();
        at = start;
        // `endstream` contains `stream`: skip it.
        if data[..start - b"stream".len()].ends_with(b"end") {
            continue;
        }
        let skip = match data.get(start..) {
            Some(b) if b.starts_with(b"\r\n") => 2,
            Some(b) if b.starts_with(b"\n") || b.starts_with(b"\r") => 1,
            _ => continue,
        };
        let body = &data[start + skip..];
        let end = find(body, b"endstream").unwrap_or(body.len());
        // On past this stream, so that each byte is searched and inflated once.
        at = start + skip + end;
        let size = inflated_size(&body[..end], MAX_STREAM_BYTES + 1);
        if size > MAX_STREAM_BYTES {
            return Err(format!(
                "a compressed stream in the PDF file inflates to more than {} MiB (a \
                 decompression bomb, or a file that is not a logo); export the logo again",
                MAX_STREAM_BYTES / 1024 / 1024
            ));
        }
        total += size;
        if total > 4 * MAX_STREAM_BYTES {
            return Err(format!(
                "the PDF file's compressed streams inflate to more than {} MiB in all; export \
                 the logo alone",
                4 * MAX_STREAM_BYTES / 1024 / 1024
            ));
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How many bytes `data` inflates to (zlib, or raw deflate), counting no further than `cap`;
/// 0 when it is not deflate data.
fn inflated_size(data: &[u8], cap: usize) -> usize {
    let count = |reader: &mut dyn Read| {
        let mut buf = [0u8; 64 * 1024];
        let mut n = 0usize;
        while n < cap {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => n += k,
            }
        }
        n
    };
    let zlib = count(&mut flate2::read::ZlibDecoder::new(data));
    if zlib > 0 {
        zlib
    } else {
        count(&mut flate2::read::DeflateDecoder::new(data))
    }
}

/// Refuses what the whole file must not have: JavaScript anywhere, and interactive forms.
fn check_document(pdf: &Pdf) -> Result<(), String> {
    let xref = pdf.xref();
    if let Some(catalog) = xref.get::<Dict>(xref.root_id()) {
        if catalog.contains_key(b"AcroForm")
            && catalog
                .get::<Dict>(b"AcroForm")
                .and_then(|f| f.get::<hayro_svg::hayro_syntax::object::Array>(b"Fields"))
                .is_some_and(|a| a.raw_iter().next().is_some())
        {
            return Err(
                "the PDF file has form fields (/AcroForm), which a logo cannot carry \
                 in PDF/A; export the logo as PDF/A or SVG without form fields"
                    .into(),
            );
        }
        if catalog
            .get::<Dict>(b"Names")
            .is_some_and(|n| n.contains_key(b"JavaScript"))
        {
            return Err(JAVASCRIPT.into());
        }
    }
    // Every object, nested dictionaries included, without following references (each
    // indirect object is visited on its own).
    let mut visits = 0usize;
    for object in pdf.objects() {
        let mut stack = vec![object];
        while let Some(object) = stack.pop() {
            visits += 1;
            if visits > MAX_VISITS {
                return Err(TOO_MANY.into());
            }
            let dict = match &object {
                Object::Dict(d) => d.clone(),
                Object::Stream(s) => s.dict().clone(),
                Object::Array(a) => {
                    stack.extend(a.raw_iter().filter_map(|m| match m {
                        MaybeRef::NotRef(o) => Some(o),
                        MaybeRef::Ref(_) => None,
                    }));
                    continue;
                }
                _ => continue,
            };
            if dict.contains_key(b"JS") || name_is(&dict, b"S", b"JavaScript") {
                return Err(JAVASCRIPT.into());
            }
            stack.extend(dict.entries().filter_map(|(_, m)| match m {
                MaybeRef::NotRef(o) => Some(o),
                MaybeRef::Ref(_) => None,
            }));
        }
    }
    Ok(())
}

const JAVASCRIPT: &str = "the PDF file carries JavaScript, which PDF/A forbids; export the \
    logo as PDF/A or SVG";
const TOO_MANY: &str = "the PDF file has too many objects to check; export the logo alone";

fn name_is(dict: &Dict, key: &[u8], value: &[u8]) -> bool {
    dict.get::<Name>(key).is_some_and(|n| n.as_ref() == value)
}

/// Checks everything the page draws with: fonts embedded, images and streams bounded, forms
/// not expanding without bound. Returns the first kind of transparency found.
fn check_page(xref: &XRef, page: &Page) -> Result<Option<&'static str>, String> {
    let raw = page.raw();
    if raw
        .get::<hayro_svg::hayro_syntax::object::Array>(b"Annots")
        .is_some_and(|a| a.raw_iter().next().is_some())
    {
        return Err(
            "the PDF page has annotations or form fields (/Annots), which a logo \
             cannot carry in PDF/A; export the logo as PDF/A or SVG without form fields or \
             comments"
                .into(),
        );
    }
    let mut walk = Walk {
        xref,
        seen: HashSet::new(),
        visits: 0,
        transparent: None,
    };
    let resources = page.resources();
    let mut start: Vec<Object> = [
        &resources.ext_g_states,
        &resources.fonts,
        &resources.color_spaces,
        &resources.x_objects,
        &resources.patterns,
        &resources.shadings,
        &resources.properties,
    ]
    .into_iter()
    .map(|d| Object::Dict(d.clone()))
    .collect();
    // The page's own transparency group is not the drawing's: it only says how a viewer
    // blends the page, and the page is painted into ours as paths.
    for (key, value) in raw.entries() {
        if !matches!(key.as_ref(), b"Parent" | b"Group" | b"Resources") {
            start.push(walk.resolve(value));
        }
    }
    walk.run(start)?;
    let content = page.page_stream().unwrap_or_default();
    let mut forms = HashMap::new();
    let cost = content_cost(content, &resources.x_objects, &mut forms, 0)?;
    if cost > MAX_CONTENT_BYTES {
        return Err(format!(
            "the PDF page draws more than {} MiB of drawing operators (counting each form as \
             often as it is drawn); simplify the logo",
            MAX_CONTENT_BYTES / 1024 / 1024
        ));
    }
    Ok(walk.transparent)
}

struct Walk<'a> {
    xref: &'a XRef,
    seen: HashSet<ObjectIdentifier>,
    visits: usize,
    transparent: Option<&'static str>,
}

impl<'a> Walk<'a> {
    /// The object, read if it is a reference not yet seen; `Null` otherwise.
    fn resolve(&mut self, value: MaybeRef<Object<'a>>) -> Object<'a> {
        match value {
            MaybeRef::NotRef(o) => o,
            MaybeRef::Ref(r) => {
                let id: ObjectIdentifier = r.into();
                if self.seen.insert(id) {
                    self.xref
                        .get::<Object>(id)
                        .unwrap_or(Object::Null(hayro_svg::hayro_syntax::object::Null))
                } else {
                    Object::Null(hayro_svg::hayro_syntax::object::Null)
                }
            }
        }
    }

    fn run(&mut self, mut stack: Vec<Object<'a>>) -> Result<(), String> {
        while let Some(object) = stack.pop() {
            self.visits += 1;
            if self.visits > MAX_VISITS {
                return Err(TOO_MANY.into());
            }
            let dict = match object {
                Object::Dict(d) => d,
                Object::Stream(s) => {
                    check_stream(&s)?;
                    s.dict().clone()
                }
                Object::Array(a) => {
                    for m in a.raw_iter() {
                        stack.push(self.resolve(m));
                    }
                    continue;
                }
                _ => continue,
            };
            self.check_dict(&dict)?;
            for (key, value) in dict.entries() {
                // Up the page tree, or to an annotation's page: not what this page draws.
                if matches!(key.as_ref(), b"Parent" | b"P") {
                    continue;
                }
                stack.push(self.resolve(value));
            }
        }
        Ok(())
    }

    fn check_dict(&mut self, d: &Dict) -> Result<(), String> {
        let subtype = d.get::<Name>(b"Subtype");
        let subtype = subtype.as_ref().map(|n| n.as_ref());
        let is_font = name_is(d, b"Type", b"Font")
            || (d.contains_key(b"BaseFont")
                && matches!(
                    subtype,
                    Some(b"Type1" | b"MMType1" | b"TrueType" | b"CIDFontType0" | b"CIDFontType2")
                ));
        if is_font && !matches!(subtype, Some(b"Type0" | b"Type3")) {
            let embedded = d.get::<Dict>(b"FontDescriptor").is_some_and(|fd| {
                fd.contains_key(b"FontFile")
                    || fd.contains_key(b"FontFile2")
                    || fd.contains_key(b"FontFile3")
            });
            if !embedded {
                let name = d
                    .get::<Name>(b"BaseFont")
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_else(|| "without a name".into());
                return Err(format!(
                    "the PDF file uses the font {name} without embedding it, so its text \
                     cannot be drawn as designed; export the logo with fonts embedded or \
                     text converted to outlines"
                ));
            }
        }
        if subtype == Some(b"Image") {
            let w = d.get::<u32>(b"Width").unwrap_or(0);
            let h = d.get::<u32>(b"Height").unwrap_or(0);
            super::check_size(w.into(), h.into())
                .map_err(|e| format!("an image in the PDF file is refused: {e}"))?;
            if d.contains_key(b"SMask") || d.get::<i32>(b"SMaskInData").is_some_and(|v| v > 0) {
                self.note("an image with a soft mask (/SMask)");
            }
        }
        // An ExtGState's soft mask (its /Type is optional, so known by the key alone).
        if subtype != Some(b"Image") && d.contains_key(b"SMask") && !name_is(d, b"SMask", b"None") {
            self.note("a soft mask (/SMask)");
        }
        for key in [b"CA".as_slice(), b"ca"] {
            if d.get::<f32>(key).is_some_and(|a| a < 1.0) {
                self.note("constant opacity below 1 (/CA or /ca)");
            }
        }
        if let Some(bm) = d.get::<Name>(b"BM") {
            if !matches!(bm.as_ref(), b"Normal" | b"Compatible") {
                self.note("a blend mode (/BM)");
            }
        } else if let Some(modes) = d.get::<hayro_svg::hayro_syntax::object::Array>(b"BM") {
            let first = modes.iter::<Name>().next();
            if first.is_some_and(|n| !matches!(n.as_ref(), b"Normal" | b"Compatible")) {
                self.note("a blend mode (/BM)");
            }
        }
        if name_is(d, b"S", b"Transparency") {
            self.note("a transparency group (/Group /S /Transparency)");
        }
        Ok(())
    }

    fn note(&mut self, what: &'static str) {
        self.transparent.get_or_insert(what);
    }
}

/// Refuses a stream whose filters could expand it beyond [`MAX_STREAM_BYTES`] where
/// [`check_compressed_streams`] cannot tell (LZW, run-length): bounded by their worst ratio.
fn check_stream(s: &Stream) -> Result<(), String> {
    let mut bound = s.raw_data().len() as f64;
    for f in s.filters() {
        bound *= match f {
            Filter::AsciiHexDecode => 0.5,
            Filter::Ascii85Decode => 0.8,
            Filter::FlateDecode => 1.0, // inflated with a cap before the file was opened
            Filter::LzwDecode => 4096.0,
            Filter::RunLengthDecode => 64.0,
            // Image codecs: bounded by the image's size, checked on its dictionary.
            _ => 1.0,
        };
    }
    if bound > MAX_STREAM_BYTES as f64
        && s.filters()
            .iter()
            .any(|f| matches!(f, Filter::LzwDecode | Filter::RunLengthDecode))
    {
        return Err(format!(
            "a stream in the PDF file is LZW- or run-length-compressed and could expand to \
             more than {} MiB; export the logo again (with Flate compression)",
            MAX_STREAM_BYTES / 1024 / 1024
        ));
    }
    Ok(())
}

/// Bytes of drawing operators in `content`, adding each form XObject's as often as `Do` draws
/// it. Forms are measured once (memoised by object); a form that draws itself is refused.
fn content_cost(
    content: &[u8],
    xobjects: &Dict,
    forms: &mut HashMap<ObjectIdentifier, Option<u64>>,
    depth: usize,
) -> Result<u64, String> {
    if depth > 64 {
        return Err("the PDF page nests forms more than 64 deep; simplify the logo".into());
    }
    let mut cost = content.len() as u64;
    let mut ops = UntypedIter::new(content);
    while let Some(op) = ops.next() {
        if &**op.operator != b"Do" {
            continue;
        }
        let Some(Object::Name(name)) = op.operands().next() else {
            continue;
        };
        let Some(form) = xobjects.get::<Stream>(name.as_ref()) else {
            continue;
        };
        if !name_is(form.dict(), b"Subtype", b"Form") {
            continue;
        }
        let id = form.obj_id();
        let child = match forms.get(&id) {
            Some(Some(c)) => *c,
            Some(None) => {
                return Err(
                    "a form in the PDF file draws itself (a loop); export the logo \
                     again"
                        .into(),
                );
            }
            None => {
                forms.insert(id, None);
                let data = form.decoded().unwrap_or_default();
                let own = form
                    .dict()
                    .get::<Dict>(b"Resources")
                    .and_then(|r| r.get::<Dict>(b"XObject"));
                let c = content_cost(&data, own.as_ref().unwrap_or(xobjects), forms, depth + 1)?;
                forms.insert(id, Some(c));
                c
            }
        };
        cost = cost.saturating_add(child);
        if cost > MAX_CONTENT_BYTES {
            return Ok(cost);
        }
    }
    Ok(cost)
}

//! communique: typesets official statements into archival PDF/A documents.
//!
//! The pipeline runs one way: [`Statement::load`] and [`Layout::load`] parse the inputs,
//! [`FontSet::load`] prepares the fonts, [`typeset::typeset`] makes a [`document::Document`],
//! and [`pdf::write`] paints it. [`render`] runs the whole pipeline; the CLI, the tests and the
//! benches all go through it.

pub mod archive;
pub mod batch;
pub mod diagnostics;
pub mod diff;
pub mod document;
pub mod error;
pub mod font;
pub mod image;
pub mod layout;
pub mod output;
pub mod pdf;
pub mod render;
mod schema;
pub mod serve;
pub mod sign;
pub mod statement;
pub mod typeset;
pub mod watch;

use std::io::Write;
use std::path::Path;

pub use error::Error;
pub use font::FontSet;
pub use layout::{Layout, Standard};
pub use statement::Statement;

/// Choices made per run rather than per layout.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides the layout's PDF/A level (`--pdfa`). PDF/UA-1 comes with every level except
    /// PDF/A-1b, which predates it.
    pub pdfa: Option<Standard>,
    /// The document date as seconds since the epoch (from SOURCE_DATE_EPOCH).
    pub timestamp: Option<i64>,
}

/// A rendered statement.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<String>,
    /// Where a visible signature goes, if the layout asks for one.
    pub signature_area: Option<document::Area>,
    /// Page height, to turn areas into PDF user space.
    pub page_height: f32,
    /// The fonts the document was set in, kept when a visible signature will
    /// be set in them too.
    pub fonts: Option<std::sync::Arc<FontSet>>,
    /// The empty signature fields reserved per signatory (`[signature] fields`), in PDF
    /// user space; signing fills the first.
    pub signature_fields: Vec<[f32; 4]>,
    /// The visible signature's words in the statement's language.
    pub signature_labels: sign::Labels,
}

/// How to sign a rendered statement.
pub struct Signing<'a> {
    pub signer: &'a sign::Signer,
    /// Seconds since the epoch, from `--sign-time` or SOURCE_DATE_EPOCH.
    pub time: i64,
    /// Draw a visible field (the layout's `[signature] visible`).
    pub visible: bool,
    /// Take a signature timestamp from this authority (PAdES B-T).
    pub tsa: Option<&'a sign::TsaConfig>,
}

/// Signs rendered PDF bytes (PAdES B-B, by incremental update), keeping them PDF/A.
pub fn sign_rendered(rendered: &Rendered, signing: &Signing) -> Result<Vec<u8>, Error> {
    let lines =
        (rendered.signature_labels).lines(&signing.signer.signer_name(), signing.tsa.is_some());
    let visible = match (signing.visible, rendered.signature_area) {
        // Reserved fields: the first empty one is filled, in its own rectangle.
        _ if !rendered.signature_fields.is_empty() => Some(sign::VisibleSignature {
            page_index: 0,
            rect: rendered.signature_fields[0],
            lines,
            fonts: rendered.fonts.clone().map(sign::AppearanceFonts),
        }),
        (true, Some(a)) => Some(sign::VisibleSignature {
            page_index: a.page,
            rect: [
                a.x,
                rendered.page_height - a.y - a.height,
                a.x + a.width,
                rendered.page_height - a.y,
            ],
            lines,
            fonts: rendered.fonts.clone().map(sign::AppearanceFonts),
        }),
        _ => None,
    };
    let options = sign::SignOptions {
        time_unix: signing.time,
        visible,
        reason: None,
        location: None,
        tsa: signing.tsa.cloned(),
        field: None,
    };
    Ok(sign::sign(&rendered.pdf, signing.signer, &options)?)
}

/// The standards a run writes to.
pub fn standards(layout: &Layout, options: &Options) -> Vec<Standard> {
    match options.pdfa {
        Some(Standard::A1b) => vec![Standard::A1b],
        Some(level) => vec![level, Standard::Ua1],
        None => layout.pdf.standards.clone(),
    }
}

/// Statement + layout + fonts -> PDF bytes.
pub fn render(
    statement: &Statement,
    layout: &Layout,
    fonts: &FontSet,
    options: &Options,
) -> Result<Rendered, Error> {
    render_with(statement, layout, fonts, options, None)
}

/// [`render`], attaching `sources` (PDF/A-3a) when given: `--embed-source`.
pub fn render_with(
    statement: &Statement,
    layout: &Layout,
    fonts: &FontSet,
    options: &Options,
    sources: Option<&archive::Sources>,
) -> Result<Rendered, Error> {
    let standards = match sources {
        Some(_) => archive::standards(options)?,
        None => standards(layout, options),
    };
    if options.timestamp.is_none() && statement.document_date().is_none() {
        return Err(Error::invalid(
            Some(statement.location(statement.title.offset)),
            error::Problem::MissingDate,
        ));
    }
    // A Chinese or Japanese statement brings an installed CJK font in: too large to bundle.
    let with_cjk = fonts
        .with_cjk(&statement.source, &statement.language)
        .map_err(|problem| {
            let at = statement.source.find(font::is_cjk).unwrap_or(0);
            Error::invalid(Some(statement.location(at)), problem)
        })?;
    let fonts = with_cjk.as_ref().unwrap_or(fonts);
    let (document, report) =
        typeset::typeset(statement, layout, fonts, &standards, options.timestamp)?;
    let pdf = match sources {
        Some(sources) => {
            let attachments = sources.attachments(&document, fonts, layout, options)?;
            pdf::write_with(&document, fonts, &attachments)?
        }
        None => pdf::write(&document, fonts)?,
    };
    // krilla writes no signature fields: the signatories' empty fields are one incremental
    // update on its output.
    let to_pdf = |a: &document::Area| {
        [
            a.x,
            document.height - a.y - a.height,
            a.x + a.width,
            document.height - a.y,
        ]
    };
    let signature_labels = sign::Labels::localized(layout, &statement.language);
    let signature_fields: Vec<[f32; 4]> = document.signature_fields.iter().map(to_pdf).collect();
    let pdf = if signature_fields.is_empty() {
        pdf
    } else {
        let reserved: Vec<sign::ReservedField> = document
            .signature_fields
            .iter()
            .zip(&statement.signatories)
            .map(|(a, s)| sign::ReservedField {
                page_index: a.page,
                rect: to_pdf(a),
                signatory: s.name.clone(),
                label: signature_labels.signature_of(&s.name),
            })
            .collect();
        sign::reserve_fields(&pdf, &reserved, fonts)?
    };
    Ok(Rendered {
        pdf,
        pages: document.pages.len(),
        warnings: report.warnings,
        signature_area: layout
            .signature_visible
            .then_some(document.signature_area)
            .flatten(),
        page_height: document.height,
        fonts: (layout.signature_visible || !signature_fields.is_empty())
            .then(|| std::sync::Arc::new(fonts.clone())),
        signature_fields,
        signature_labels,
    })
}

/// The files a statement and its layout are built from, each with its role for messages: the
/// statement, the layout file, the fonts and the images (logo, signatures). An output must
/// never be one of them.
pub fn inputs(statement: &Statement, layout: &Layout) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut files = vec![("statement", statement.path.clone())];
    if let Some(p) = &layout.path {
        files.push(("layout", p.clone()));
    }
    files.extend(FontSet::paths(layout).into_iter().map(|p| ("font", p)));
    if let Some(logo) = &layout.letterhead.logo {
        files.push(("logo image", layout.resolve(&logo.image.path)));
    }
    let dir = statement.path.parent().unwrap_or(Path::new(""));
    for s in &statement.signatories {
        if let Some(si) = &s.image {
            files.push(("signature image", dir.join(&si.image.path)));
        }
    }
    files
}

/// Reads SOURCE_DATE_EPOCH's value: whole seconds since 1970.
pub fn parse_source_date_epoch(value: &str) -> Option<i64> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|t| (0..253_402_300_800).contains(t))
}

/// Reads a signing time: seconds since 1970, or `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn parse_time(value: &str) -> Option<i64> {
    if let Some(t) = parse_source_date_epoch(value) {
        return Some(t);
    }
    let v = value.trim();
    let v = v.strip_suffix('Z').unwrap_or(v);
    let (date, time) = v.split_once(['T', ' ']).unwrap_or((v, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (&[y, m, day], &[hh, mm, ss]) = (&d[..], &t[..]) else {
        return None;
    };
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so that
/// `path` either keeps its old content or gets all of the new one. A symbolic link is followed
/// (its target is replaced); a path that is not a regular file is refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically_with(path, bytes, true)
}

/// [`write_atomically`], optionally without flushing the file to the disk before the rename.
/// The rename still makes the new file appear whole or not at all to other processes and
/// after a kill; only a power loss can leave it empty. Batches use this and catch such a file
/// by its manifest digest on the next run; an fsync per file costs more than rendering it.
pub fn write_atomically_with(path: &Path, bytes: &[u8], durable: bool) -> Result<(), Error> {
    // A link is followed, so its target gets the new bytes and the link stays; anything but
    // a regular file (a device, a FIFO, a folder) is never renamed over.
    let path = &output::follow_links(path)?;
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
    {
        return Err(Error::Output {
            path: path.clone(),
            problem: output::OutputProblem::NotAFile {
                kind: output::kind_of(&m),
            },
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if durable {
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times() {
        assert_eq!(super::parse_time("1580256000"), Some(1_580_256_000));
        assert_eq!(
            super::parse_time("2020-01-29T00:00:00Z"),
            Some(1_580_256_000)
        );
        assert_eq!(super::parse_time("2020-01-29"), Some(1_580_256_000));
        assert_eq!(
            super::parse_time("2026-05-14T12:30:05Z"),
            Some(1_778_761_805)
        );
        assert_eq!(super::parse_time("yesterday"), None);
    }
}

//! communique: typesets official statements into archival PDF/A documents.
//!
//! The pipeline runs one way: [`Statement::load`] and [`Layout::load`] parse the inputs,
//! [`FontSet::load`] prepares the fonts, [`typeset::typeset`] makes a [`document::Document`],
//! and [`pdf::write`] paints it. [`render`] runs the whole pipeline; the CLI, the tests and the
//! benches all go through it.

pub mod batch;
pub mod document;
pub mod error;
pub mod font;
pub mod layout;
pub mod pdf;
mod schema;
pub mod statement;
pub mod typeset;

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
    let standards = standards(layout, options);
    let (document, report) =
        typeset::typeset(statement, layout, fonts, &standards, options.timestamp)?;
    let pdf = pdf::write(&document, fonts)?;
    Ok(Rendered {
        pdf,
        pages: document.pages.len(),
        warnings: report.warnings,
    })
}

/// Reads SOURCE_DATE_EPOCH's value: whole seconds since 1970.
pub fn parse_source_date_epoch(value: &str) -> Option<i64> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|t| (0..253_402_300_800).contains(t))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so that
/// `path` either keeps its old content or gets all of the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
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
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(e));
    }
    Ok(())
}

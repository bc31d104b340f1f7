//! Typesetting a PDF's embedded sources again and comparing the result with the PDF.

use std::path::{Path, PathBuf};

use super::{Embedded, Record, read_embedded};
use crate::error::Error;
use crate::font::FontSet;
use crate::layout::Standard;

/// What `rebuild` found.
#[derive(Debug)]
pub struct Rebuilt {
    /// The PDF made from the embedded sources.
    pub pdf: Vec<u8>,
    /// Byte for byte the same as the original.
    pub identical: bool,
    /// Fonts whose SHA-256 differs from the record's, one sentence each.
    pub fonts: Vec<String>,
    /// The communique version that made the original, when it is not this one.
    pub other_version: Option<String>,
}

/// Rebuilds the PDF at `path` (its `bytes`) from its embedded sources. A font the layout names
/// by a relative path is looked for beside the extracted layout, then below each of
/// `font_roots` as it sat relative to the sources' common folder.
pub fn rebuild(path: &Path, bytes: &[u8], font_roots: &[PathBuf]) -> Result<Rebuilt, Error> {
    let embedded = read_embedded(path, bytes)?;
    let tmp = TempDir::new()?;
    super::extract::write_below(&tmp.0, &embedded)?;
    let record = &embedded.record;
    let statement_path = tmp.0.join(&record.statement);
    let layout_path = (!record.builtin_layout).then(|| tmp.0.join(&record.layout));
    let (statement, layout, _) = super::load(&statement_path, layout_path.as_deref(), false)?;
    place_fonts(&embedded, &layout, &tmp.0, font_roots)?;
    let fonts = FontSet::load(&layout)?;
    let options = crate::Options {
        pdfa: match &record.options.pdfa {
            Some(name) => Some(standard(name).ok_or_else(|| {
                Error::invalid_value("options.pdfa", format!("unknown level `{name}`"))
            })?),
            None => None,
        },
        timestamp: record.options.source_date_epoch,
    };
    let sources = super::load(&statement_path, layout_path.as_deref(), true)?
        .2
        .ok_or_else(|| Error::Pdf("sources not gathered".into()))?;
    let rendered = crate::render_with(&statement, &layout, &fonts, &options, Some(&sources))?;
    let identical = rendered.pdf == bytes;
    let fonts = if identical {
        Vec::new()
    } else {
        let new = read_embedded(path, &rendered.pdf)?.record;
        font_differences(record, &new)
    };
    Ok(Rebuilt {
        identical,
        pdf: rendered.pdf,
        fonts,
        other_version: (record.communique != env!("CARGO_PKG_VERSION"))
            .then(|| record.communique.clone()),
    })
}

fn standard(name: &str) -> Option<Standard> {
    [
        Standard::A1b,
        Standard::A2a,
        Standard::A2b,
        Standard::A2u,
        Standard::A3a,
    ]
    .into_iter()
    .find(|s| s.name() == name)
}

/// Copies the fonts a layout names by relative path next to the extracted layout, from where
/// they are found below `roots`, so that the layout loads unchanged.
fn place_fonts(
    embedded: &Embedded,
    layout: &crate::Layout,
    tmp: &Path,
    roots: &[PathBuf],
) -> Result<(), Error> {
    let layout_dir = Path::new(&embedded.record.layout)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    for written in super::layout_font_paths(layout) {
        let target = layout.resolve(&written);
        if written.is_absolute() || target.exists() || !target.starts_with(tmp) {
            continue;
        }
        let found = roots.iter().find_map(|root| {
            root.ancestors()
                .map(|a| a.join(&layout_dir).join(&written))
                .find(|c| c.is_file())
        });
        if let Some(found) = found {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            std::fs::copy(&found, &target).map_err(|source| Error::Read {
                path: found.clone(),
                source,
            })?;
        }
    }
    Ok(())
}

fn font_differences(old: &Record, new: &Record) -> Vec<String> {
    let mut out = Vec::new();
    for f in &old.fonts {
        let now = new.fonts.iter().find(|n| match (&f.path, &n.path) {
            (Some(a), Some(b)) => a == b,
            (None, None) => n.name == f.name,
            _ => false,
        });
        let place = f
            .path
            .as_ref()
            .map_or_else(|| "bundled".to_string(), |p| format!("at {p}"));
        match now {
            Some(n) if n.sha256 == f.sha256 => {}
            Some(n) => out.push(format!(
                "font `{}` ({place}) differs: recorded SHA-256 {}, available {} (`{}`)",
                f.name, f.sha256, n.sha256, n.name
            )),
            None => out.push(format!(
                "font `{}` ({place}, SHA-256 {}) was not used by the rebuild",
                f.name, f.sha256
            )),
        }
    }
    out
}

/// A private folder for the extracted sources, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, Error> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("communique-rebuild-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

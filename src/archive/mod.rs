//! Self-contained archive files. `--embed-source` attaches to the PDF (PDF/A-3a, as associated
//! files with `/AFRelationship /Source`) the statement exactly as read, the layout TOML, every
//! image they use and a build record, `communique.json` (tool version, the options that change
//! output, the document date, the SHA-256 of every font used). [`extract`] reads them back out
//! of a PDF; `rebuild` typesets them again and compares.
//!
//! Files keep their places relative to each other: names are paths below the deepest folder
//! that holds them all, so a layout's `assets/logo.png`, a statement's `layout = "../x.toml"`
//! and a signature image beside the statement all resolve the same way after extraction.

mod extract;
mod rebuild;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use extract::{Embedded, extract, read_embedded, safe_name};
pub use rebuild::{Rebuilt, rebuild};

use crate::document::{Document, Item};
use crate::error::Error;
use crate::font::FontSet;
use crate::layout::{Layout, Standard};
use crate::statement::Statement;

/// The build record's name inside the PDF.
pub const RECORD_NAME: &str = "communique.json";
/// Raised when the record's meaning changes, so an old `rebuild` refuses a newer record.
pub const RECORD_FORMAT: u32 = 1;
/// An embedded file larger than this is refused by `extract` (statements are at most 16 MiB,
/// images 32 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many embedded files are read from one PDF.
pub const MAX_FILES: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: not a PDF that can be read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "{}: not made by communique with --embed-source ({reason}); only such files can be extracted or rebuilt",
        path.display()
    )]
    Foreign { path: PathBuf, reason: String },
    #[error("{}: the embedded file name `{name}` is refused: {reason}", path.display())]
    UnsafeName {
        path: PathBuf,
        name: String,
        reason: &'static str,
    },
    #[error("{}: the embedded file `{name}` is damaged: {reason}", path.display())]
    Damaged {
        path: PathBuf,
        name: String,
        reason: String,
    },
    #[error("{}: {reason}; --embed-source cannot record it", path.display())]
    Unembeddable { path: PathBuf, reason: String },
    #[error(
        "--embed-source writes PDF/A-3a (PDF/A-{0} cannot carry source files); drop --pdfa or use --pdfa a-3a"
    )]
    Level(&'static str),
}

/// A file attached to the PDF.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Relative path with `/` separators.
    pub name: String,
    pub mime: &'static str,
    pub description: &'static str,
    pub data: Arc<Vec<u8>>,
    pub compress: bool,
}

/// What a file is to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Statement,
    Layout,
    Image,
}

/// `communique.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    /// The communique version that made the file.
    pub communique: String,
    /// The statement's name among `files`.
    pub statement: String,
    /// The layout's name among `files`.
    pub layout: String,
    /// The layout was the compiled-in default (attached for reading; build without --layout).
    pub builtin_layout: bool,
    /// The document date, ISO 8601 (a day, or a UTC time from SOURCE_DATE_EPOCH).
    pub document_date: String,
    pub options: RecordOptions,
    pub files: Vec<RecordFile>,
    pub fonts: Vec<RecordFont>,
}

/// The options given to `build` that change its output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordOptions {
    /// `--pdfa` as given; the archive itself is always PDF/A-3a.
    pub pdfa: Option<String>,
    pub source_date_epoch: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFile {
    pub name: String,
    pub role: Role,
    pub mime: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFont {
    pub name: String,
    pub sha256: String,
    /// The path the layout wrote; absent for fonts bundled with communique.
    pub path: Option<String>,
}

/// The sources of one build, gathered before typesetting.
#[derive(Debug, Clone)]
pub struct Sources {
    files: Vec<(RecordFile, Arc<Vec<u8>>)>,
    statement: String,
    layout: String,
    builtin_layout: bool,
}

/// A source file as read.
struct SourceFile {
    path: PathBuf,
    bytes: Arc<Vec<u8>>,
}

impl Sources {
    /// Gathers the statement (its bytes as read), the layout (its text; `layout_path` is `None`
    /// for the built-in one) and the images both name.
    pub fn collect(
        statement: &Statement,
        statement_bytes: Arc<Vec<u8>>,
        layout: &Layout,
        layout_text: &str,
    ) -> Result<Sources, Error> {
        let images = read_images(statement, layout)?;
        let statement_file = SourceFile {
            path: statement.path.clone(),
            bytes: statement_bytes,
        };
        let builtin = layout.path.is_none()
            || layout.path.as_deref() == Some(Path::new(crate::layout::DEFAULT_LAYOUT_NAME));
        // The built-in layout is attached beside the statement, for people to read.
        let layout_path = match &layout.path {
            Some(p) if !builtin => p.clone(),
            _ => statement
                .path
                .parent()
                .unwrap_or(Path::new(""))
                .join("default-layout.toml"),
        };
        let layout_file = SourceFile {
            path: layout_path,
            bytes: Arc::new(layout_text.as_bytes().to_vec()),
        };
        let mut all: Vec<(Role, SourceFile)> = vec![
            (Role::Statement, statement_file),
            (Role::Layout, layout_file),
        ];
        all.extend(images.into_iter().map(|f| (Role::Image, f)));
        let absolute: Vec<PathBuf> = all
            .iter()
            .map(|(_, f)| absolute(&f.path))
            .collect::<Result<_, _>>()?;
        let root = common_folder(&absolute);
        let mut files: Vec<(RecordFile, Arc<Vec<u8>>)> = Vec::new();
        for ((role, file), abs) in all.into_iter().zip(&absolute) {
            let name = relative_name(abs, &root).ok_or_else(|| ArchiveError::Unembeddable {
                path: file.path.clone(),
                reason: "its path is not UTF-8".into(),
            })?;
            if files.iter().any(|(f, _)| f.name == name) {
                continue;
            }
            files.push((
                RecordFile {
                    mime: mime(&name, role).into(),
                    sha256: hex(&sha256(&file.bytes)),
                    name,
                    role,
                },
                file.bytes,
            ));
        }
        Ok(Sources {
            statement: files[0].0.name.clone(),
            layout: files[1].0.name.clone(),
            builtin_layout: builtin,
            files,
        })
    }

    /// The attachments for a typeset document: the sources and the build record.
    pub fn attachments(
        &self,
        document: &Document,
        fonts: &FontSet,
        layout: &Layout,
        options: &crate::Options,
    ) -> Result<Vec<Attachment>, Error> {
        let record = self.record(document, fonts, layout, options);
        let json = serde_json::to_vec_pretty(&record)
            .map_err(|e| Error::Pdf(format!("cannot write {RECORD_NAME}: {e}")))?;
        let mut out: Vec<Attachment> = self
            .files
            .iter()
            .map(|(f, data)| Attachment {
                name: f.name.clone(),
                mime: mime(&f.name, f.role),
                description: match f.role {
                    Role::Statement => "The statement this PDF was typeset from, as read",
                    Role::Layout => "The layout (TOML) this PDF was typeset with",
                    Role::Image => "An image the layout or the statement uses",
                },
                data: data.clone(),
                compress: f.role != Role::Image,
            })
            .collect();
        out.push(Attachment {
            name: RECORD_NAME.into(),
            mime: "application/json",
            description: "How this PDF was made: communique version, options, document date, SHA-256 of the sources and of every font used",
            data: Arc::new(json),
            compress: true,
        });
        Ok(out)
    }

    fn record(
        &self,
        document: &Document,
        fonts: &FontSet,
        layout: &Layout,
        options: &crate::Options,
    ) -> Record {
        let mut used: Vec<usize> = document
            .pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                Item::Text(run) if !run.glyphs.is_empty() => Some(run.font),
                _ => None,
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        let written = layout_font_paths(layout);
        // FontSet::load appends the layout's fonts, in this order, after the bundled ones.
        let first_layout_font = fonts.len().saturating_sub(written.len());
        let fonts = used
            .into_iter()
            .map(|id| {
                let font = fonts.get(id);
                RecordFont {
                    name: font.name.clone(),
                    sha256: hex(&font.sha256()),
                    path: id
                        .checked_sub(first_layout_font)
                        .and_then(|i| written.get(i))
                        .map(|p| p.to_string_lossy().replace('\\', "/")),
                }
            })
            .collect();
        let m = &document.metadata;
        let document_date = match (m.timestamp, m.date) {
            (Some(ts), _) => crate::sign::format_utc(ts),
            (None, Some(d)) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            (None, None) => String::new(),
        };
        Record {
            format: RECORD_FORMAT,
            communique: env!("CARGO_PKG_VERSION").into(),
            statement: self.statement.clone(),
            layout: self.layout.clone(),
            builtin_layout: self.builtin_layout,
            document_date,
            options: RecordOptions {
                pdfa: options.pdfa.map(|s| s.name().to_string()),
                source_date_epoch: options.timestamp,
            },
            files: self.files.iter().map(|(f, _)| f.clone()).collect(),
            fonts,
        }
    }
}

/// Reads a statement and its layout as `build` does (a layout the statement names wins over
/// `layout_path`; neither: the built-in one), and gathers their sources when `embed` or the
/// layout's `[pdf] embed_source` asks for them.
pub fn load(
    statement_path: &Path,
    layout_path: Option<&Path>,
    embed: bool,
) -> Result<(Statement, Layout, Option<Sources>), Error> {
    let bytes = std::fs::read(statement_path).map_err(|source| Error::Read {
        path: statement_path.to_path_buf(),
        source,
    })?;
    load_bytes(statement_path, bytes, layout_path, embed)
}

/// [`load`] for a statement already in memory (`serve` typesets the editor's text), read as if
/// it were the file at `statement_path`.
pub fn load_bytes(
    statement_path: &Path,
    bytes: Vec<u8>,
    layout_path: Option<&Path>,
    embed: bool,
) -> Result<(Statement, Layout, Option<Sources>), Error> {
    let mut statement = Statement::parse(statement_path, &bytes)?;
    statement.load_images()?;
    let (layout, text) = match statement.layout.as_deref().or(layout_path) {
        Some(p) => match crate::layout::bundled_named(p) {
            Some(bundled) => (Layout::from_bundled(bundled), bundled.text.to_string()),
            None => match std::fs::read_to_string(p) {
                Ok(text) => {
                    let mut layout = Layout::parse(p, &text)?;
                    layout.load_images()?;
                    (layout, text)
                }
                // `load_arg` says which bundled names there are.
                Err(source) => {
                    return Err(Layout::load_arg(p).err().unwrap_or(Error::Read {
                        path: p.to_path_buf(),
                        source,
                    }));
                }
            },
        },
        None => (Layout::builtin(), crate::layout::DEFAULT_LAYOUT.to_string()),
    };
    let sources = if embed || layout.pdf.embed_source {
        Some(Sources::collect(
            &statement,
            Arc::new(bytes),
            &layout,
            &text,
        )?)
    } else {
        None
    };
    Ok((statement, layout, sources))
}

/// The standards an archive is written to, or why `--pdfa` rules it out.
pub fn standards(options: &crate::Options) -> Result<Vec<Standard>, Error> {
    match options.pdfa {
        None | Some(Standard::A3a) => Ok(vec![Standard::A3a, Standard::Ua1]),
        Some(other) => Err(ArchiveError::Level(match other {
            Standard::A1b => "1b",
            Standard::A2a => "2a",
            Standard::A2b => "2b",
            Standard::A2u => "2u",
            _ => "?",
        })
        .into()),
    }
}

/// The layout's font paths as written, in the order [`FontSet::load`] loads them.
pub fn layout_font_paths(layout: &Layout) -> Vec<PathBuf> {
    let f = &layout.fonts;
    [&f.regular, &f.bold, &f.italic, &f.bold_italic]
        .into_iter()
        .flatten()
        .chain(&f.fallback)
        .map(|p| p.path.clone())
        .collect()
}

/// Reads the image files the layout and the statement name. The only file reading the
/// archive does; when images are read at load time, this takes their bytes from there.
/// The images the layout and the statement use, as they were read when they were loaded.
fn read_images(statement: &Statement, layout: &Layout) -> Result<Vec<SourceFile>, Error> {
    Ok(layout
        .images()
        .into_iter()
        .chain(statement.images())
        .map(|loaded| SourceFile {
            path: loaded.source.clone(),
            bytes: Arc::clone(&loaded.bytes),
        })
        .collect())
}

fn mime(name: &str, role: Role) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match (role, ext.as_deref()) {
        (Role::Statement, Some("md" | "markdown")) => "text/markdown",
        (Role::Statement, _) => "text/plain",
        (Role::Layout, _) => "application/toml",
        (Role::Image, Some("png")) => "image/png",
        (Role::Image, Some("jpg" | "jpeg")) => "image/jpeg",
        (Role::Image, Some("svg")) => "image/svg+xml",
        (Role::Image, _) => "application/octet-stream",
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An absolute path with `.` and `..` taken out by their names (links are not followed: the
/// layout's own `..` meant the folder above as written).
fn absolute(path: &Path) -> Result<PathBuf, Error> {
    let abs = std::path::absolute(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut root: PathBuf = paths[0].parent().unwrap_or(Path::new("/")).to_path_buf();
    for p in &paths[1..] {
        while !p.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    root
}

fn relative_name(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    Some(parts?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_the_common_folder() {
        let paths = [
            PathBuf::from("/a/statements/s.md"),
            PathBuf::from("/a/layouts/l.toml"),
            PathBuf::from("/a/layouts/assets/logo.png"),
        ];
        let root = common_folder(&paths);
        assert_eq!(root, Path::new("/a"));
        assert_eq!(
            relative_name(&paths[2], &root).as_deref(),
            Some("layouts/assets/logo.png")
        );
        assert_eq!(
            absolute(Path::new("/a/layouts/../statements/./s.md")).unwrap(),
            Path::new("/a/statements/s.md")
        );
    }
}

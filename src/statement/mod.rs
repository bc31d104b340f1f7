//! Statement files: source text -> [`Statement`].
//!
//! Two forms are accepted. Form A is what offices already write: leading bold lines form the
//! title block (title, then dateline), the rest is the body. Form B starts with TOML front
//! matter between `+++` lines. In both, the body is CommonMark.

pub mod date;
mod detect;
mod front_matter;
mod hygiene;
mod lang;
mod markdown;

pub use lang::is_known_language;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Location, Problem};

/// Nesting of lists and block quotes deeper than this is refused rather than risking the stack.
pub const MAX_NESTING: usize = 16;
/// Statements larger than this are refused: far beyond any real release, small enough to bound
/// time and memory.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The file it came from, for messages.
    pub path: PathBuf,
    /// The cleaned source text; offsets in [`Inline`] and [`Text`] point into it.
    pub source: String,
    pub title: Text,
    pub subtitle: Option<Text>,
    pub dateline: Option<Text>,
    pub date: Option<Date>,
    /// BCP 47 language tag; drives hyphenation, direction, dates and the PDF's /Lang. The
    /// front matter's `language`, else detected from the text (see `detect`).
    pub language: String,
    pub reference: Option<String>,
    /// A release line such as "FOR IMMEDIATE RELEASE".
    pub release: Option<String>,
    /// An embargo line such as "EMBARGOED UNTIL 29 January 2020, 14:00 CET"; shown instead
    /// of `release` when both are given.
    pub embargo: Option<String>,
    pub author: Option<String>,
    pub keywords: Vec<String>,
    pub signatories: Vec<Signatory>,
    pub blocks: Vec<Block>,
    /// The layout named by the front matter's `layout` key, resolved against the statement's
    /// folder. Only `batch` reads it; it overrides `--layout` there.
    pub layout: Option<PathBuf>,
}

/// A piece of metadata text with the source offset it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub offset: usize,
    /// Parts of `text` marked as another language (`<span lang="...">`), in order.
    pub languages: Vec<LangRun>,
}

/// Bytes `range` of a [`Text`] are in language `lang` (a BCP 47 tag).
#[derive(Debug, Clone, PartialEq)]
pub struct LangRun {
    pub range: Range<usize>,
    pub lang: Arc<str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signatory {
    pub name: String,
    pub role: Option<String>,
    /// A signature image drawn above the name; its path is relative to the statement file.
    pub image: Option<SignatureImage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignatureImage {
    pub image: crate::image::ImagePath,
    /// Alternate text (PDF/UA: the image is a `Figure`).
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    /// `start` is the first number of an ordered list, `None` for bullets.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text {
        text: String,
        style: Style,
        link: Option<Arc<str>>,
        /// The language of a `<span lang="...">`; `None` is the statement's language.
        lang: Option<Arc<str>>,
        /// Byte offset of the text's start in [`Statement::source`].
        offset: usize,
    },
    SoftBreak,
    HardBreak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    pub strong: bool,
    pub emphasis: bool,
}

impl Statement {
    /// Reads and parses a statement file.
    pub fn load(path: &Path) -> Result<Statement, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut statement = Statement::parse(path, &bytes)?;
        statement.load_images()?;
        Ok(statement)
    }

    /// Reads and decodes the signature images, relative to the statement's folder, so that
    /// typesetting does no I/O. [`Statement::load`] calls it.
    pub fn load_images(&mut self) -> Result<(), Error> {
        let dir = self.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut problems = crate::image::Problems::default();
        for s in &mut self.signatories {
            if let Some(si) = &mut s.image {
                let resolved = dir.join(&si.image.path);
                problems.load(&mut si.image, &resolved)?;
            }
        }
        problems.finish()
    }

    /// Every image file the statement names, as read (for embedding the sources).
    pub fn images(&self) -> Vec<&crate::image::Loaded> {
        self.signatories
            .iter()
            .filter_map(|s| s.image.as_ref()?.image.loaded.as_deref())
            .collect()
    }

    /// Parses statement bytes; `path` is used for messages only.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Statement, Error> {
        if bytes.len() > MAX_BYTES {
            return Err(Error::invalid(
                Some(Location::at(path, "", 0)),
                Problem::TooLarge {
                    what: "the statement file",
                    limit: MAX_BYTES,
                },
            ));
        }
        let source = hygiene::clean(path, bytes)?;
        if source.trim().is_empty() {
            return Err(Error::invalid(
                Some(Location::at(path, &source, 0)),
                Problem::EmptyStatement,
            ));
        }
        let (front, body_offset) = front_matter::split(path, &source)?;
        let meta = match front {
            Some(fm) => Some(front_matter::read(path, &source, fm)?),
            None => None,
        };
        let mut blocks = markdown::parse(path, &source, body_offset)?;
        let declares_language = meta.as_ref().is_some_and(|m| m.declares_language());
        let mut statement = Statement {
            path: path.to_path_buf(),
            title: Text {
                text: String::new(),
                offset: 0,
                languages: Vec::new(),
            },
            subtitle: None,
            dateline: None,
            date: None,
            language: "en".to_string(),
            reference: None,
            release: None,
            embargo: None,
            author: None,
            keywords: Vec::new(),
            signatories: Vec::new(),
            blocks: Vec::new(),
            layout: None,
            source: String::new(),
        };
        match meta {
            Some(meta) => meta.apply(&mut statement),
            None => {
                let title_block = markdown::take_title_block(&mut blocks);
                if let Some(extra) = title_block.extra {
                    return Err(Error::invalid(
                        Some(Location::at(path, &source, extra.offset)),
                        Problem::ExtraTitleLine { found: extra.text },
                    ));
                }
                match title_block.title {
                    Some(title) => statement.title = title,
                    None => {
                        let (at, problem) = match markdown::unclosed_strong(&blocks) {
                            Some((at, delimiter)) => (
                                at,
                                Problem::UnclosedStrong {
                                    delimiter: delimiter.to_string(),
                                },
                            ),
                            None => (body_offset, Problem::MissingTitle),
                        };
                        return Err(Error::invalid(
                            Some(Location::at(path, &source, at)),
                            problem,
                        ));
                    }
                }
                statement.dateline = title_block.dateline;
            }
        }
        if let Some(dateline) = &statement.dateline
            && let Some((range, reason)) = date::impossible(&dateline.text)
        {
            return Err(Error::invalid(
                Some(Location::at(path, &source, dateline.offset + range.start)),
                Problem::ImpossibleDate {
                    written: dateline.text[range].to_string(),
                    reason,
                },
            ));
        }
        statement.blocks = blocks;
        if !declares_language {
            statement.language = detect::language(&statement).to_string();
        }
        statement.source = source;
        Ok(statement)
    }

    /// The document date: the front matter's `date`, else the first date in the dateline.
    pub fn document_date(&self) -> Option<Date> {
        self.date
            .or_else(|| self.dateline.as_ref().and_then(|d| date::find(&d.text)))
    }

    /// The document date written out in the statement's language ("29 January 2020",
    /// "29 janvier 2020", "29. Januar 2020"...); ISO 8601 for languages without a form.
    pub fn formatted_date(&self) -> Option<String> {
        self.document_date()
            .map(|d| date::format(d, &self.language))
    }

    /// Whether the statement's language is written right to left, which makes it the base
    /// direction of every paragraph (and, by default, mirrors the page furniture).
    pub fn rtl(&self) -> bool {
        is_rtl_language(&self.language)
    }

    /// Where byte `offset` of the cleaned source is, for messages.
    pub fn location(&self, offset: usize) -> Location {
        Location::at(&self.path, &self.source, offset)
    }
}

/// Languages written right to left, by the primary subtag of a BCP 47 tag ("ar", "ar-EG",
/// "fa-IR"); "iw" and "ji" are the old codes of Hebrew and Yiddish.
pub fn is_rtl_language(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    const RTL: &[&str] = &[
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ps", "sd", "syr", "ug", "ur", "yi",
    ];
    RTL.iter().any(|l| l.eq_ignore_ascii_case(primary))
}

#[cfg(test)]
mod tests;

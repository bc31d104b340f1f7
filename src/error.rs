//! One error type for the whole pipeline. Problems found in user input carry the place they were
//! found (file, line, column) and are collected, so a user fixes every mistake in one round.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file. Lines and columns count from 1; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text` (a file's whole contents).
    pub fn at(file: &Path, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// What is wrong with a piece of input. The `Display` text says what was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    InvalidUtf8 {
        byte_offset: usize,
    },
    ControlCharacter {
        ch: char,
    },
    EmptyStatement,
    MissingDate,
    UnterminatedFrontMatter,
    TomlSyntax {
        message: String,
    },
    UnknownKey {
        key: String,
        section: String,
        suggestion: Option<String>,
    },
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    InvalidValue {
        key: String,
        message: String,
    },
    MissingTitle,
    Unsupported {
        what: String,
        hint: &'static str,
    },
    TooDeep {
        limit: usize,
    },
    /// Inline HTML other than a well-formed `<span lang="...">...</span>`; the message says
    /// what was found and what was expected.
    Markup {
        message: String,
    },
    TooLarge {
        what: &'static str,
        limit: usize,
    },
    NoTextArea {
        width: f32,
        height: f32,
    },
    FontUnreadable {
        path: PathBuf,
        reason: String,
    },
    NotAFont {
        path: PathBuf,
    },
    /// An image file that is missing, unreadable, corrupt, too large or of a foreign format.
    BadImage {
        path: PathBuf,
        reason: String,
    },
    MissingGlyph {
        ch: char,
        fonts: Vec<String>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::InvalidUtf8 { byte_offset } => write!(
                f,
                "invalid UTF-8 at byte offset {byte_offset}; statements must be UTF-8 text"
            ),
            Problem::ControlCharacter { ch } => write!(
                f,
                "control character U+{:04X} is not allowed; only tab and newline may appear",
                *ch as u32
            ),
            Problem::EmptyStatement => {
                write!(
                    f,
                    "the statement is empty; expected a title and at least one paragraph"
                )
            }
            Problem::UnterminatedFrontMatter => write!(
                f,
                "front matter opened with `+++` is never closed; expected a line containing only `+++`"
            ),
            Problem::TomlSyntax { message } => write!(f, "TOML syntax error: {message}"),
            Problem::UnknownKey {
                key,
                section,
                suggestion,
            } => {
                write!(f, "unknown key `{key}` in {section}")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            Problem::WrongType {
                key,
                expected,
                found,
            } => write!(f, "`{key}` must be {expected}, found {found}"),
            Problem::InvalidValue { key, message } => write!(f, "`{key}`: {message}"),
            Problem::MissingTitle => write!(
                f,
                "the statement has no title; start it with a bold line (**Title**) \
                 or give `title = \"...\"` in the front matter"
            ),
            Problem::Unsupported { what, hint } => write!(f, "{what} is not supported; {hint}"),
            Problem::TooDeep { limit } => {
                write!(
                    f,
                    "lists and quotes are nested more than {limit} levels deep"
                )
            }
            Problem::Markup { message } => write!(f, "{message}"),
            Problem::TooLarge { what, limit } => {
                write!(f, "{what} is larger than the limit of {limit}")
            }
            Problem::NoTextArea { width, height } => write!(
                f,
                "the margins leave no room for text ({width:.1}pt x {height:.1}pt); \
                 expected margins smaller than the page"
            ),
            Problem::FontUnreadable { path, reason } => {
                write!(f, "cannot read font {}: {reason}", path.display())
            }
            Problem::NotAFont { path } => {
                write!(f, "{} is not a TrueType or OpenType font", path.display())
            }
            Problem::BadImage { path, reason } => {
                write!(f, "image {}: {reason}", path.display())
            }
            Problem::MissingDate => write!(
                f,
                "PDF/A needs a document date and the statement has none; give `date = 2026-05-14` \
                 in the front matter, put the date in the dateline (\"Geneva, 14 May 2026\"), \
                 or set SOURCE_DATE_EPOCH"
            ),
            Problem::MissingGlyph { ch, fonts } => write!(
                f,
                "no font can draw {:?} (U+{:04X}); fonts tried: {}",
                ch,
                *ch as u32,
                fonts.join(", ")
            ),
        }
    }
}

/// A problem and where it is, if it has a place.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub location: Option<Location>,
    pub problem: Problem,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Everything wrong with the input, in the order found.
    #[error("{}", DisplayList(.0))]
    Invalid(Vec<Diagnostic>),
    /// Signing failed: the key, the certificate, the password or the PDF.
    #[error("cannot sign: {0}")]
    Sign(#[from] crate::sign::SignError),
    /// The PDF backend refused the document; a bug in communique, not in the input.
    #[error("internal error while writing the PDF: {0}")]
    Pdf(String),
    /// An archive file (`extract`, `rebuild`) that cannot be used, or sources that cannot be
    /// embedded.
    #[error("{0}")]
    Archive(#[from] crate::archive::ArchiveError),
}

impl Error {
    pub fn invalid(location: Option<Location>, problem: Problem) -> Error {
        Error::Invalid(vec![Diagnostic { location, problem }])
    }

    /// A bad value for a named setting that has no place in a file (an option, a variable).
    pub fn invalid_value(key: &str, message: String) -> Error {
        Error::invalid(
            None,
            Problem::InvalidValue {
                key: key.into(),
                message,
            },
        )
    }

    /// The process exit status the CLI reports for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Read { .. } | Error::Write { .. } => 3,
            Error::Pdf(_) => 4,
            Error::Sign(_) => 5,
            Error::Archive(_) => 2,
        }
    }
}

struct DisplayList<'a>(&'a [Diagnostic]);

impl fmt::Display for DisplayList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_character_columns() {
        let text = "ab\ncdé f\n";
        let loc = Location::at(Path::new("x"), text, text.find('f').unwrap());
        assert_eq!((loc.line, loc.column), (2, 5));
        let start = Location::at(Path::new("x"), text, 0);
        assert_eq!((start.line, start.column), (1, 1));
    }

    #[test]
    fn location_inside_a_multibyte_character_rounds_down() {
        let text = "é";
        let loc = Location::at(Path::new("x"), text, 1);
        assert_eq!(loc.column, 1);
    }
}

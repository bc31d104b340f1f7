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
    /// A text longer than the PDF can hold in one string (a title, a link), in characters.
    TooLong {
        what: &'static str,
        length: usize,
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
    /// An image file that is missing or cannot be read (as opposed to [`Problem::BadImage`]).
    ImageUnreadable {
        path: PathBuf,
        reason: String,
    },
    /// A date written in the dateline that is no day of the calendar ("31 February 2026").
    ImpossibleDate {
        written: String,
        reason: String,
    },
    /// A Form A title block (bold lines) with more lines than a title and a dateline.
    ExtraTitleLine {
        found: String,
    },
    /// A `**` or `__` that opens bold text and is never closed, where the title was expected.
    UnclosedStrong {
        delimiter: String,
    },
    /// `[fonts] family` names a family neither bundled nor installed.
    UnknownFamily {
        family: String,
        closest: Vec<String>,
    },
    /// The statement needs a CJK font and neither the layout nor the system has one.
    NoCjkFont {
        language: String,
        searched: Vec<String>,
    },
}

impl Problem {
    /// A file the input names (a font, an image) that is missing or cannot be read, as opposed
    /// to one that was read and is wrong.
    pub fn is_unreadable_file(&self) -> bool {
        matches!(
            self,
            Problem::FontUnreadable { .. } | Problem::ImageUnreadable { .. }
        )
    }
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
            Problem::TooLong {
                what,
                length,
                limit,
            } => write!(f, "{what} of {length} characters; at most {limit}"),
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
            Problem::BadImage { path, reason } | Problem::ImageUnreadable { path, reason } => {
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
            Problem::ImpossibleDate { written, reason } => write!(
                f,
                "the dateline's date \"{written}\" does not exist ({reason}); \
                 correct the day, month or year"
            ),
            Problem::ExtraTitleLine { found } => write!(
                f,
                "a third bold line in the title block (\"{found}\"); a Form A title block is \
                 the title, then the dateline: join this line to one of them, make it plain \
                 text to start the body, or use front matter for a `subtitle`"
            ),
            Problem::UnclosedStrong { delimiter } => write!(
                f,
                "the bold text opened with `{delimiter}` is never closed, so the statement has \
                 no title; close it on the same line (**Title**)"
            ),
            Problem::UnknownFamily { family, closest } => {
                write!(
                    f,
                    "font family `{family}` is neither bundled nor installed (see `communique fonts`)"
                )?;
                match closest.as_slice() {
                    [] => Ok(()),
                    names => write!(f, "; closest names: {}", names.join(", ")),
                }
            }
            Problem::NoCjkFont { language, searched } => write!(
                f,
                "the statement needs a Chinese or Japanese font ({language}) and none was found; \
                 searched the layout's fonts and the installed families {}; install one (Debian: \
                 `apt install fonts-noto-cjk`) or name one in the layout's [fonts] family or \
                 fallback",
                searched.join(", ")
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
    /// The output path cannot be used (it is an input, a block device, ...); nothing was
    /// written.
    #[error("cannot write {}: {problem}", path.display())]
    Output {
        path: PathBuf,
        problem: crate::output::OutputProblem,
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
            // A file named by the input that cannot be read (a font, an image) is a file that
            // cannot be read, as a missing statement or layout is.
            Error::Invalid(d) if d.iter().any(|d| d.problem.is_unreadable_file()) => 3,
            Error::Invalid(_) => 2,
            Error::Output {
                problem: crate::output::OutputProblem::IsAnInput { .. },
                ..
            } => 2,
            Error::Read { .. } | Error::Write { .. } | Error::Output { .. } => 3,
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

//! Errors as data for the people and tools that read them. An [`Error`] becomes a list of
//! [`Report`]s (file, span, severity, message, hint); one renderer prints a report as rustc and
//! Typst do (location, the source line, an underline, a help line), another as one JSON object
//! per line for editors and CI annotations. The `Error` type itself is not changed: spans and
//! hints are derived here, so new error variants need no work to be printed.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::error::{Diagnostic, Error, Problem};

/// How the CLI prints diagnostics (`--message-format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// For people: the source line with the problem underlined; colour on a terminal.
    #[default]
    Human,
    /// One JSON object per line: file, line, column, end, severity, message, hint.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A line and column, both counted from 1; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One thing to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub file: Option<PathBuf>,
    /// Where the problem starts.
    pub start: Option<Position>,
    /// Where the underlined text ends (exclusive), on the same line as `start`.
    pub end: Option<Position>,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end: Option<Position>,
    severity: Severity,
    message: &'a str,
    hint: Option<&'a str>,
}

impl Report {
    /// A warning about `file` with no place in it (the typesetter's warnings are text).
    pub fn warning(file: &Path, message: &str) -> Report {
        Report {
            file: Some(file.to_path_buf()),
            start: None,
            end: None,
            severity: Severity::Warning,
            message: message.to_string(),
            hint: None,
        }
    }

    /// The reports for `error`, in order. Source files are read (once each) to find how far
    /// the underline reaches; a file that cannot be read gives a report without an end.
    pub fn from_error(error: &Error) -> Vec<Report> {
        let mut sources = Sources::default();
        match error {
            Error::Invalid(list) => list
                .iter()
                .map(|d| from_diagnostic(d, &mut sources))
                .collect(),
            Error::Read { path, .. } | Error::Write { path, .. } | Error::Output { path, .. } => {
                vec![Report {
                    file: Some(path.clone()),
                    start: None,
                    end: None,
                    severity: Severity::Error,
                    message: error.to_string(),
                    hint: None,
                }]
            }
            Error::Sign(_) | Error::Pdf(_) | Error::Archive(_) => vec![Report {
                file: None,
                start: None,
                end: None,
                severity: Severity::Error,
                message: error.to_string(),
                hint: None,
            }],
        }
    }

    /// The report as one line of JSON (no trailing newline).
    pub fn to_json(&self) -> String {
        let json = JsonReport {
            file: self.file.as_ref().map(|f| f.display().to_string()),
            line: self.start.map(|p| p.line),
            column: self.start.map(|p| p.column),
            end: self.end,
            severity: self.severity,
            message: &self.message,
            hint: self.hint.as_deref(),
        };
        serde_json::to_string(&json).expect("a report serializes")
    }

    /// The report for people: `error: file:line:col: message`, then the source line with the
    /// span underlined and a `help:` line. The first line keeps the `file:line:col:` form
    /// that editors and earlier versions print, so tools that parse it keep working.
    pub fn to_human(&self, color: bool) -> String {
        let location = match (&self.file, self.start) {
            (Some(f), Some(p)) => format!("{}:{}:{}: ", f.display(), p.line, p.column),
            // Read and write errors name their file in the message already.
            (Some(f), None) if self.severity == Severity::Warning => format!("{}: ", f.display()),
            _ => String::new(),
        };
        let title = format!("{location}{}", self.message);
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(title));
        let line_text = match (&self.file, self.start) {
            (Some(f), Some(p)) => source_line(f, p.line),
            _ => None,
        };
        if let (Some(text), Some(start)) = (&line_text, self.start) {
            let from = byte_of_column(text, start.column);
            let to = self
                .end
                .map_or(from, |e| byte_of_column(text, e.column))
                .max(from);
            group = group.element(
                Snippet::source(text.as_str())
                    .line_start(start.line)
                    .annotation(AnnotationKind::Primary.span(from..to)),
            );
        }
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// Whether diagnostics on standard error may use colour: only on a terminal, and never when
/// NO_COLOR is set to anything non-empty (<https://no-color.org>).
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints `reports` to standard error in `format`.
pub fn eprint(reports: &[Report], format: MessageFormat) {
    let color = stderr_color();
    let mut err = std::io::stderr().lock();
    for r in reports {
        let text = match format {
            MessageFormat::Human => r.to_human(color),
            MessageFormat::Json => r.to_json(),
        };
        // A closed stderr leaves nothing to report to; the exit status still tells.
        let _ = writeln!(err, "{text}");
    }
}

/// Prints `error` to standard error in `format`.
pub fn eprint_error(error: &Error, format: MessageFormat) {
    eprint(&Report::from_error(error), format);
}

/// Reads each source file once per error.
#[derive(Default)]
struct Sources(HashMap<PathBuf, Option<String>>);

impl Sources {
    fn line(&mut self, file: &Path, line: usize) -> Option<String> {
        let text = self
            .0
            .entry(file.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(file).ok());
        text.as_deref()?
            .split('\n')
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r').to_string())
    }
}

fn source_line(file: &Path, line: usize) -> Option<String> {
    Sources::default().line(file, line)
}

fn from_diagnostic(d: &Diagnostic, sources: &mut Sources) -> Report {
    let (message, hint) = message_and_hint(&d.problem);
    let (file, start, end) = match &d.location {
        Some(loc) => {
            let start = Position {
                line: loc.line,
                column: loc.column,
            };
            let end = sources
                .line(&loc.file, loc.line)
                .and_then(|text| span_end(&text, loc.column, &d.problem))
                .map(|column| Position {
                    line: loc.line,
                    column,
                });
            (Some(loc.file.clone()), Some(start), end)
        }
        None => (None, None, None),
    };
    Report {
        file,
        start,
        end,
        severity: Severity::Error,
        message,
        hint,
    }
}

/// The message without its advice, and the advice as a hint, where a problem carries one.
fn message_and_hint(problem: &Problem) -> (String, Option<String>) {
    match problem {
        Problem::UnknownKey {
            key,
            section,
            suggestion,
        } => (
            format!("unknown key `{key}` in {section}"),
            suggestion.as_ref().map(|s| format!("did you mean `{s}`?")),
        ),
        Problem::Unsupported { what, hint } => {
            (format!("{what} is not supported"), Some(hint.to_string()))
        }
        Problem::NotAFont { .. } | Problem::FontUnreadable { .. } => (
            problem.to_string(),
            Some("font paths are relative to the layout file's folder".into()),
        ),
        Problem::BadImage { .. } => (
            problem.to_string(),
            Some(
                "image paths are relative to the file that names them; PNG and JPEG are read"
                    .into(),
            ),
        ),
        _ => (problem.to_string(), None),
    }
}

/// The column just after the text the problem is about, starting at `column` of `line`: the
/// key it names, a quoted string, or else the run of non-blank characters there.
fn span_end(line: &str, column: usize, problem: &Problem) -> Option<usize> {
    let start = byte_of_column(line, column);
    let rest = line.get(start..)?;
    if rest.is_empty() {
        return None;
    }
    let key = match problem {
        Problem::UnknownKey { key, .. }
        | Problem::WrongType { key, .. }
        | Problem::InvalidValue { key, .. } => Some(key.as_str()),
        _ => None,
    };
    let len = match key {
        Some(k) if !k.is_empty() && rest.starts_with(k) => k.chars().count(),
        _ if rest.starts_with('"') => match rest[1..].find('"') {
            Some(close) => rest[..close + 2].chars().count(),
            None => rest.chars().count(),
        },
        _ => rest
            .chars()
            .take_while(|c| !c.is_whitespace())
            .count()
            .max(1),
    };
    Some(column + len)
}

/// The byte offset of character column `column` (from 1) in `line`, clamped to its end.
fn byte_of_column(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn unknown_key(dir: &Path) -> Error {
        let file = dir.join("l.toml");
        std::fs::write(&file, "[body]\n  justfy = \"left\"\n").unwrap();
        Error::invalid(
            Some(Location {
                file,
                line: 2,
                column: 3,
            }),
            Problem::UnknownKey {
                key: "justfy".into(),
                section: "[body]".into(),
                suggestion: Some("justify".into()),
            },
        )
    }

    #[test]
    fn unknown_key_is_underlined_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let reports = Report::from_error(&unknown_key(dir.path()));
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r.start, Some(Position { line: 2, column: 3 }));
        assert_eq!(r.end, Some(Position { line: 2, column: 9 }));
        assert_eq!(r.hint.as_deref(), Some("did you mean `justify`?"));
        let text = r.to_human(false);
        assert!(text.starts_with("error: "), "{text}");
        assert!(
            text.contains("l.toml:2:3: unknown key `justfy` in [body]"),
            "{text}"
        );
        assert!(text.contains("2 |   justfy = \"left\""), "{text}");
        assert!(text.contains("  ^^^^^^"), "{text}");
        assert!(text.contains("help: did you mean `justify`?"), "{text}");
        assert!(!text.contains('\x1b'), "no colour asked: {text:?}");
        assert!(r.to_human(true).contains('\x1b'));
    }

    #[test]
    fn json_has_the_documented_fields() {
        let dir = tempfile::tempdir().unwrap();
        let r = &Report::from_error(&unknown_key(dir.path()))[0];
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 3);
        assert_eq!(v["end"]["line"], 2);
        assert_eq!(v["end"]["column"], 9);
        assert_eq!(v["severity"], "error");
        assert_eq!(v["message"], "unknown key `justfy` in [body]");
        assert_eq!(v["hint"], "did you mean `justify`?");
        assert!(v["file"].as_str().unwrap().ends_with("l.toml"));
    }

    #[test]
    fn a_location_past_the_end_of_the_file_prints_no_snippet() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.md");
        std::fs::write(&file, "one line").unwrap();
        let e = Error::invalid(
            Some(Location {
                file,
                line: 9,
                column: 40,
            }),
            Problem::MissingTitle,
        );
        let r = &Report::from_error(&e)[0];
        assert_eq!(r.end, None);
        let text = r.to_human(false);
        assert!(
            text.contains("x.md:9:40: the statement has no title"),
            "{text}"
        );
        assert!(!text.contains(" | "), "{text}");
    }

    #[test]
    fn span_end_takes_quoted_strings_and_words() {
        let p = Problem::MissingTitle;
        assert_eq!(span_end("a = \"x y\" # c", 5, &p), Some(10));
        assert_eq!(span_end("word next", 1, &p), Some(5));
        assert_eq!(span_end("é", 1, &p), Some(2));
        assert_eq!(span_end("ab", 3, &p), None);
    }
}

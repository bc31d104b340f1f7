//! Form B: TOML front matter between `+++` lines.

use crate::typeset::limits::MAX_LABEL_CHARS;
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use super::lang::is_language_tag;
use super::{Date, Signatory, SignatureImage, Statement, Text};
use crate::error::{Error, Location, Problem};
use crate::image::ImagePath;
use crate::schema::{Reader, Value};

const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "dateline",
    "date",
    "language",
    "reference",
    "release",
    "embargo",
    "author",
    "keywords",
    "signatories",
    "layout",
];
const SIGNATORY_KEYS: &[&str] = &["name", "role", "image", "image_alt", "image_page"];

/// Byte range of the TOML between the fences.
pub(super) struct FrontMatter {
    start: usize,
    end: usize,
}

/// Finds the front matter, if the file opens with a `+++` line, and where the body starts.
pub(super) fn split(path: &Path, source: &str) -> Result<(Option<FrontMatter>, usize), Error> {
    let first_line_end = source.find('\n').unwrap_or(source.len());
    if source[..first_line_end].trim_end() != "+++" {
        return Ok((None, 0));
    }
    let start = (first_line_end + 1).min(source.len());
    let mut line_start = start;
    while line_start < source.len() {
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |i| line_start + i);
        if source[line_start..line_end].trim_end() == "+++" {
            let body = (line_end + 1).min(source.len());
            return Ok((
                Some(FrontMatter {
                    start,
                    end: line_start,
                }),
                body,
            ));
        }
        line_start = line_end + 1;
    }
    Err(Error::invalid(
        Some(Location::at(path, source, 0)),
        Problem::UnterminatedFrontMatter,
    ))
}

/// What the front matter sets.
pub(super) struct Meta {
    title: Text,
    subtitle: Option<Text>,
    dateline: Option<Text>,
    date: Option<Date>,
    language: Option<String>,
    reference: Option<String>,
    release: Option<String>,
    embargo: Option<String>,
    author: Option<String>,
    keywords: Vec<String>,
    signatories: Vec<Signatory>,
    layout: Option<PathBuf>,
}

impl Meta {
    pub(super) fn declares_language(&self) -> bool {
        self.language.is_some()
    }

    pub(super) fn apply(self, s: &mut Statement) {
        s.title = self.title;
        s.subtitle = self.subtitle;
        s.dateline = self.dateline;
        s.date = self.date;
        if let Some(language) = self.language {
            s.language = language;
        }
        s.reference = self.reference;
        s.release = self.release;
        s.embargo = self.embargo;
        s.author = self.author;
        s.keywords = self.keywords;
        s.signatories = self.signatories;
        s.layout = self.layout;
    }
}

pub(super) fn read(path: &Path, source: &str, fm: FrontMatter) -> Result<Meta, Error> {
    let toml = &source[fm.start..fm.end];
    let mut r = Reader::new(path, source, fm.start);
    let Some(table) = r.parse(toml) else {
        return Err(Error::Invalid(r.diagnostics));
    };
    let f = r.fields(&table, "the front matter", KEYS);
    let text = |r: &mut Reader, key: &str| -> Option<Text> {
        let value = f.get(key)?;
        let text = r.string(key, value)?;
        let toml_offset = value_text_offset(value);
        // Positions inside the string are exact unless it has escapes before the span.
        match super::lang::split(&text) {
            Ok((text, languages)) => Some(Text {
                text,
                offset: fm.start + toml_offset,
                languages,
            }),
            Err((at, message)) => {
                r.report(toml_offset + at, Problem::Markup { message });
                None
            }
        }
    };
    let title = text(&mut r, "title");
    let subtitle = text(&mut r, "subtitle");
    let dateline = text(&mut r, "dateline");
    let date = f.get("date").and_then(|v| date(&mut r, v));
    let language = f.get("language").and_then(|v| {
        let lang = r.string("language", v)?;
        if is_language_tag(&lang) {
            Some(lang)
        } else {
            r.invalid(
                "language",
                v,
                format!("`{lang}` is not a BCP 47 language tag such as \"en\" or \"fr-CH\""),
            );
            None
        }
    });
    let reference = f.get("reference").and_then(|v| r.string("reference", v));
    let line = |r: &mut Reader, key: &str| {
        let v = f.get(key)?;
        let text = r.string(key, v)?;
        if text.trim().is_empty() || text.contains('\n') {
            r.invalid(key, v, "expected one line of text");
            return None;
        }
        Some(text)
    };
    let release = line(&mut r, "release");
    let embargo = line(&mut r, "embargo");
    let author = f.get("author").and_then(|v| r.string("author", v));
    let keywords = f
        .get("keywords")
        .and_then(|v| r.string_list("keywords", v))
        .unwrap_or_default();
    // A layout named by the statement, relative to the statement's folder.
    let layout = f.get("layout").and_then(|v| {
        let name = r.string("layout", v)?;
        if name.trim().is_empty() {
            r.invalid(
                "layout",
                v,
                "expected the path of a layout file, found an empty string",
            );
            return None;
        }
        let name = PathBuf::from(name);
        Some(match path.parent() {
            Some(dir) if name.is_relative() => dir.join(name),
            _ => name,
        })
    });
    let mut signatories = Vec::new();
    if let Some(v) = f.get("signatories") {
        for t in r.tables("signatories", v) {
            let sf = r.fields(t, "[[signatories]]", SIGNATORY_KEYS);
            let name = sf.get("name").and_then(|v| r.string("signatories.name", v));
            let role = sf.get("role").and_then(|v| r.string("signatories.role", v));
            let image = sf.get("image").and_then(|v| {
                let p = r.string("signatories.image", v)?;
                let page = sf
                    .get("image_page")
                    .and_then(|n| r.page_number("signatories.image_page", n));
                Some(ImagePath::new(p, Some(r.location(v.span().start))).with_page(page))
            });
            let alt = sf
                .get("image_alt")
                .and_then(|v| r.string("signatories.image_alt", v));
            let image = match (image, alt) {
                (Some(image), Some(alt)) if !alt.trim().is_empty() => {
                    Some(SignatureImage { image, alt })
                }
                (Some(_), _) => {
                    let v = sf.get("image").expect("read from this key");
                    r.invalid(
                        "signatories.image",
                        v,
                        "a signature image needs `image_alt`, read by screen readers \
                         (e.g. image_alt = \"Signature of Jane Doe\")",
                    );
                    None
                }
                (None, Some(_)) => {
                    let v = sf.get("image_alt").expect("read from this key");
                    r.invalid("signatories.image_alt", v, "`image_alt` without `image`");
                    None
                }
                (None, None) => None,
            };
            // A signatory's name goes into PDF strings: the name and /TU of the signature
            // field reserved for them, with the signature's words around it.
            let name = match name {
                Some(n) if n.chars().nth(MAX_LABEL_CHARS).is_some() => {
                    let v = sf.get("name").expect("read from this key");
                    let why = format!(
                        "the name has {} characters; at most {MAX_LABEL_CHARS}",
                        n.chars().count()
                    );
                    r.invalid("signatories.name", v, why);
                    None
                }
                other => other,
            };
            match name {
                Some(name) => signatories.push(Signatory { name, role, image }),
                None if sf.get("name").is_none() => r.invalid(
                    "signatories",
                    v,
                    "every [[signatories]] entry needs a `name`",
                ),
                None => {}
            }
        }
    }
    let title = match title {
        Some(t) if !t.text.trim().is_empty() => Some(t),
        Some(_) => {
            let v = f.get("title").expect("title was read from this key");
            r.invalid("title", v, "the title is empty");
            None
        }
        None => {
            if f.get("title").is_none() {
                r.report(0, Problem::MissingTitle);
            }
            None
        }
    };
    match (title, r.diagnostics.is_empty()) {
        (Some(title), true) => Ok(Meta {
            title,
            subtitle,
            dateline,
            date,
            language,
            reference,
            release,
            embargo,
            author,
            keywords,
            signatories,
            layout,
        }),
        _ => Err(Error::Invalid(r.diagnostics)),
    }
}

/// Offset of a string's first character (past the opening quote).
fn value_text_offset(value: &Value) -> usize {
    value.span().start + 1
}

fn date(r: &mut Reader, value: &Value) -> Option<Date> {
    match value.get_ref() {
        DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            Some(Date {
                year: d.year,
                month: d.month,
                day: d.day,
            })
        }
        DeValue::Datetime(_) => {
            r.invalid(
                "date",
                value,
                "expected a plain date such as 2026-05-14, without a time",
            );
            None
        }
        _ => {
            r.wrong_type("date", value, "a TOML date such as 2026-05-14 (no quotes)");
            None
        }
    }
}

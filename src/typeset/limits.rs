//! Texts the PDF writes as one string, checked before any typesetting: PDF/A caps a string at
//! 32,767 bytes, and krilla refuses a longer one only when the whole document is written,
//! which used to surface as an internal error (exit 4). A title, heading, link, alternate text
//! or metadata text longer than [`MAX_STRING_CHARS`] is an input error at its place instead.
//!
//! Body text has no such limit: its glyph runs are written in pieces (see `pdf::paint_run`).

use crate::error::{Diagnostic, Error, Problem};
use crate::statement::{Block, Inline, Statement, Text};

/// Characters in one PDF text string at most: a character outside the Basic Multilingual Plane
/// takes four bytes in UTF-16, and 2 + 4 × 8,000 stays within PDF/A's 32,767 bytes.
pub const MAX_STRING_CHARS: usize = 8_000;

/// Characters at most in a signatory's name and in a layout's translation of the signature's
/// words: the two go together into the strings of a reserved signature field (its name, /TU and
/// /Alt), which must stay within [`MAX_STRING_CHARS`].
pub const MAX_LABEL_CHARS: usize = 1_000;

/// Combining marks on one letter at most, as in Unicode's stream-safe text format (UAX #15):
/// a letter and its marks are one cluster, whose text a PDF holds in one string.
pub const MAX_MARKS: usize = 30;

/// Every text of `statement` that becomes one PDF string, within [`MAX_STRING_CHARS`], and
/// every letter within [`MAX_MARKS`].
pub(super) fn check(statement: &Statement) -> Result<(), Error> {
    let mut problems = Vec::new();
    marks(statement, &mut problems);
    let mut check = |what: &'static str, text: &str, offset: Option<usize>| {
        // Counting stops at the limit: the check stays cheap on a text of any length.
        if text.chars().nth(MAX_STRING_CHARS).is_some() {
            problems.push(Diagnostic {
                location: offset.map(|o| statement.location(o)),
                problem: Problem::TooLong {
                    what,
                    length: text.chars().count(),
                    limit: MAX_STRING_CHARS,
                },
            });
        }
    };
    let text = |t: &Text| (t.text.clone(), Some(t.offset));
    for (what, (value, offset)) in [
        ("a title", Some(text(&statement.title))),
        ("a subtitle", statement.subtitle.as_ref().map(text)),
        ("a dateline", statement.dateline.as_ref().map(text)),
        (
            "an author",
            statement.author.as_ref().map(|a| (a.clone(), None)),
        ),
        (
            "keywords",
            (!statement.keywords.is_empty()).then(|| (statement.keywords.join(", "), None)),
        ),
    ]
    .into_iter()
    .filter_map(|(what, v)| v.map(|v| (what, v)))
    {
        check(what, &value, offset);
    }
    for signatory in &statement.signatories {
        if let Some(image) = &signatory.image {
            check("the alternate text of a signature", &image.alt, None);
        }
    }
    blocks(&statement.blocks, &mut check);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Headings (their text is the outline entry and the heading's title) and link targets.
fn blocks(blocks: &[Block], check: &mut impl FnMut(&'static str, &str, Option<usize>)) {
    for block in blocks {
        match block {
            Block::Heading { content, .. } => {
                check(
                    "a heading",
                    &super::plain_text(content),
                    first_offset(content),
                );
                links(content, check);
            }
            Block::Paragraph(content) => links(content, check),
            Block::Quote(inner) => self::blocks(inner, check),
            Block::List { items, .. } => items.iter().for_each(|i| self::blocks(i, check)),
        }
    }
}

fn links(inlines: &[Inline], check: &mut impl FnMut(&'static str, &str, Option<usize>)) {
    let mut last: Option<&str> = None;
    for inline in inlines {
        if let Inline::Text {
            link: Some(url),
            offset,
            ..
        } = inline
        {
            // The pieces of one link (styled parts) share its target: checked once.
            if last != Some(url) {
                check("a link target", url, Some(*offset));
            }
            last = Some(url);
        }
    }
}

fn first_offset(inlines: &[Inline]) -> Option<usize> {
    inlines.iter().find_map(|i| match i {
        Inline::Text { offset, .. } => Some(*offset),
        _ => None,
    })
}

/// A letter with more than [`MAX_MARKS`] combining marks, anywhere in the statement's text: one
/// error, at the first.
fn marks(statement: &Statement, problems: &mut Vec<Diagnostic>) {
    let mut run = 0;
    for (at, c) in statement.source.char_indices() {
        if !unicode_normalization::char::is_combining_mark(c) {
            run = 0;
            continue;
        }
        run += 1;
        if run > MAX_MARKS {
            let length = statement.source[at..]
                .chars()
                .take_while(|&c| unicode_normalization::char::is_combining_mark(c))
                .count()
                + MAX_MARKS;
            problems.push(Diagnostic {
                location: Some(statement.location(at)),
                problem: Problem::TooLong {
                    what: "a stack of combining marks",
                    length,
                    limit: MAX_MARKS,
                },
            });
            return;
        }
    }
}

//! The body: CommonMark -> blocks and inline spans.

use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::lang::{self, Markup};
use super::{Block, Inline, LangRun, MAX_NESTING, Style, Text};
use crate::error::{Diagnostic, Error, Location, Problem};

enum Frame {
    Blocks(Vec<Block>),
    Quote(Vec<Block>),
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Item(Vec<Block>),
    /// `implicit`: the inline content of a tight list item, which CommonMark gives no paragraph.
    Paragraph {
        inlines: Vec<Inline>,
        implicit: bool,
    },
    Heading {
        level: u8,
        inlines: Vec<Inline>,
    },
}

struct Builder<'a> {
    path: &'a Path,
    source: &'a str,
    stack: Vec<Frame>,
    style: Style,
    strong: usize,
    emphasis: usize,
    link: Option<Arc<str>>,
    /// Open `<span lang>` tags: the language, and where and how the tag was written.
    spans: Vec<(Arc<str>, usize, String)>,
    depth: usize,
    diagnostics: Vec<Diagnostic>,
    /// Inside a refused table or footnote definition: its content is not read, so one
    /// construct gives one message.
    skipping: Option<Skip>,
}

#[derive(Clone, Copy, PartialEq)]
enum Skip {
    Table,
    Footnote,
}

/// The GitHub extensions are parsed so they can be refused where they are written: left to
/// CommonMark alone, a table would be set as a paragraph of pipes and `~~struck~~` with its
/// tildes, which is wrong output rather than an error.
const EXTENSIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_OLD_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

pub(super) fn parse(path: &Path, source: &str, body_offset: usize) -> Result<Vec<Block>, Error> {
    let body = &source[body_offset..];
    let options = Options::ENABLE_SMART_PUNCTUATION | EXTENSIONS;
    let mut b = Builder {
        path,
        source,
        stack: vec![Frame::Blocks(Vec::new())],
        style: Style::default(),
        strong: 0,
        emphasis: 0,
        link: None,
        spans: Vec::new(),
        depth: 0,
        diagnostics: Vec::new(),
        skipping: None,
    };
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let offset = body_offset + range.start;
        b.event(event, offset);
        if b.diagnostics.len() >= 10 {
            break;
        }
    }
    if !b.diagnostics.is_empty() {
        return Err(Error::Invalid(b.diagnostics));
    }
    b.close_implicit();
    match b.stack.pop() {
        Some(Frame::Blocks(blocks)) if b.stack.is_empty() => Ok(blocks),
        _ => unreachable!("markdown events are balanced"),
    }
}

impl Builder<'_> {
    fn unsupported(&mut self, offset: usize, what: &str, hint: &'static str) {
        self.diagnostics.push(Diagnostic {
            location: Some(Location::at(self.path, self.source, offset)),
            problem: Problem::Unsupported {
                what: what.to_string(),
                hint,
            },
        });
    }

    fn event(&mut self, event: Event, offset: usize) {
        if let Some(skip) = self.skipping {
            if matches!(
                (&event, skip),
                (Event::End(TagEnd::Table), Skip::Table)
                    | (Event::End(TagEnd::FootnoteDefinition), Skip::Footnote)
            ) {
                self.skipping = None;
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, offset),
            Event::Code(text) => self.text(&text, offset + 1),
            Event::SoftBreak => self.inline(Inline::SoftBreak),
            Event::HardBreak => self.inline(Inline::HardBreak),
            Event::InlineHtml(html) => self.html(&html, offset),
            Event::Html(_) => self.unsupported(
                offset,
                "raw HTML",
                "write the text as plain Markdown; `<span lang=\"...\">` goes inside a paragraph",
            ),
            Event::Rule => self.unsupported(
                offset,
                "a horizontal rule",
                "separate sections with `##` headings instead",
            ),
            Event::FootnoteReference(label) => self.unsupported(
                offset,
                &format!("a footnote reference (`[^{label}]`)"),
                "statements have no footnotes; put the note in the text, in parentheses or \
                 as a sentence of its own",
            ),
            Event::TaskListMarker(_) => self.unsupported(
                offset,
                "a task list item (`[ ]` or `[x]`)",
                "write a plain list item; a statement has no check boxes",
            ),
            Event::InlineMath(_) | Event::DisplayMath(_) => {
                self.unsupported(offset, "this Markdown extension", "use plain CommonMark")
            }
        }
    }

    fn markup_error(&mut self, offset: usize, message: String) {
        self.diagnostics.push(Diagnostic {
            location: Some(Location::at(self.path, self.source, offset)),
            problem: Problem::Markup { message },
        });
    }

    /// Inline HTML: only `<span lang="...">` and `</span>`, which set the language of the text
    /// between them.
    fn html(&mut self, html: &str, offset: usize) {
        match lang::markup(html) {
            Ok(Markup::Open(lang)) => self.spans.push((lang, offset, html.trim().to_string())),
            Ok(Markup::Close) => {
                if self.spans.pop().is_none() {
                    self.markup_error(offset, lang::STRAY_CLOSE.to_string());
                }
            }
            Err(message) => {
                // A faulty `<span ...>` still opens a span, so its `</span>` is no second error.
                let trimmed = html.trim_start();
                if trimmed.len() > 5 && trimmed[..5].eq_ignore_ascii_case("<span") {
                    self.spans
                        .push((Arc::from("und"), offset, trimmed.to_string()));
                }
                self.markup_error(offset, message)
            }
        }
    }

    /// A span must close in the paragraph or heading that opened it.
    fn close_spans(&mut self) {
        if let Some((_, offset, tag)) = self.spans.first().cloned() {
            self.markup_error(offset, lang::unclosed(&tag));
        }
        self.spans.clear();
    }

    fn start(&mut self, tag: Tag, offset: usize) {
        match tag {
            Tag::Paragraph => {
                self.close_implicit();
                self.stack.push(Frame::Paragraph {
                    inlines: Vec::new(),
                    implicit: false,
                });
            }
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H1 => {
                        self.unsupported(
                            offset,
                            "a level-1 heading (`#`) in the body",
                            "the title is the only level-1 heading; use `##` and `###`",
                        );
                        2
                    }
                    _ => {
                        self.unsupported(
                            offset,
                            "a heading deeper than `###`",
                            "use `##` and `###` headings",
                        );
                        3
                    }
                };
                self.close_implicit();
                self.stack.push(Frame::Heading {
                    level,
                    inlines: Vec::new(),
                });
            }
            Tag::BlockQuote(_) => {
                self.close_implicit();
                self.nest(offset);
                self.stack.push(Frame::Quote(Vec::new()));
            }
            Tag::List(start) => {
                self.close_implicit();
                self.nest(offset);
                self.stack.push(Frame::List {
                    start,
                    items: Vec::new(),
                });
            }
            Tag::Item => self.stack.push(Frame::Item(Vec::new())),
            Tag::Emphasis => {
                self.emphasis += 1;
                self.style.emphasis = true;
            }
            Tag::Strong => {
                self.strong += 1;
                self.style.strong = true;
            }
            Tag::Link { dest_url, .. } => self.link = Some(Arc::from(dest_url.as_ref())),
            Tag::CodeBlock(_) => self.unsupported(
                offset,
                "a code block",
                "statements are prose; indent nothing by four spaces and use no ``` fences",
            ),
            Tag::Image { .. } => self.unsupported(
                offset,
                "an image in the body",
                "put logos and signatures in the layout file",
            ),
            Tag::HtmlBlock => {}
            Tag::Table(_) => {
                self.skipping = Some(Skip::Table);
                self.unsupported(
                    offset,
                    "a table",
                    "write the figures as a list (`- Country: amount`) or in sentences",
                )
            }
            Tag::FootnoteDefinition(label) => {
                self.skipping = Some(Skip::Footnote);
                self.unsupported(
                    offset,
                    &format!("a footnote definition (`[^{label}]:`)"),
                    "statements have no footnotes; put the note in the text",
                )
            }
            Tag::Strikethrough => self.unsupported(
                offset,
                "struck-through text (`~~...~~`)",
                "delete the text, or write `\\~` for a literal tilde",
            ),
            _ => self.unsupported(offset, "this Markdown construct", "use plain CommonMark"),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.close_spans();
                if let Some(Frame::Paragraph { inlines, .. }) = self.stack.pop() {
                    self.push_block(Block::Paragraph(inlines));
                }
            }
            TagEnd::Heading(_) => {
                self.close_spans();
                if let Some(Frame::Heading { level, inlines }) = self.stack.pop() {
                    self.push_block(Block::Heading {
                        level,
                        content: inlines,
                    });
                }
            }
            TagEnd::BlockQuote(_) => {
                self.close_implicit();
                self.depth -= 1;
                if let Some(Frame::Quote(blocks)) = self.stack.pop() {
                    self.push_block(Block::Quote(blocks));
                }
            }
            TagEnd::List(_) => {
                self.close_implicit();
                self.depth -= 1;
                if let Some(Frame::List { start, items }) = self.stack.pop() {
                    self.push_block(Block::List { start, items });
                }
            }
            TagEnd::Item => {
                self.close_implicit();
                if let Some(Frame::Item(blocks)) = self.stack.pop()
                    && let Some(Frame::List { items, .. }) = self.stack.last_mut()
                {
                    items.push(blocks);
                }
            }
            TagEnd::Emphasis => {
                self.emphasis -= 1;
                self.style.emphasis = self.emphasis > 0;
            }
            TagEnd::Strong => {
                self.strong -= 1;
                self.style.strong = self.strong > 0;
            }
            TagEnd::Link => self.link = None,
            _ => {}
        }
    }

    fn nest(&mut self, offset: usize) {
        self.depth += 1;
        if self.depth == MAX_NESTING + 1 {
            self.diagnostics.push(Diagnostic {
                location: Some(Location::at(self.path, self.source, offset)),
                problem: Problem::TooDeep { limit: MAX_NESTING },
            });
        }
    }

    fn text(&mut self, text: &str, offset: usize) {
        self.inline(Inline::Text {
            text: text.to_string(),
            style: self.style,
            link: self.link.clone(),
            lang: self.spans.last().map(|s| s.0.clone()),
            offset,
        });
    }

    fn inline(&mut self, inline: Inline) {
        match self.stack.last_mut() {
            Some(Frame::Paragraph { inlines, .. } | Frame::Heading { inlines, .. }) => {
                inlines.push(inline)
            }
            _ => self.stack.push(Frame::Paragraph {
                inlines: vec![inline],
                implicit: true,
            }),
        }
    }

    fn close_implicit(&mut self) {
        if let Some(Frame::Paragraph { implicit: true, .. }) = self.stack.last() {
            self.close_spans();
        }
        if let Some(Frame::Paragraph { implicit: true, .. }) = self.stack.last()
            && let Some(Frame::Paragraph { inlines, .. }) = self.stack.pop()
        {
            self.push_block(Block::Paragraph(inlines));
        }
    }

    fn push_block(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Frame::Blocks(blocks) | Frame::Quote(blocks) | Frame::Item(blocks)) => {
                blocks.push(block)
            }
            _ => unreachable!("blocks only close into block containers"),
        }
    }
}

/// A Form A title block: the title, the dateline, and the first line beyond them, which is an
/// error (it used to be merged into the dateline without a word).
pub(super) struct TitleBlock {
    pub title: Option<Text>,
    pub dateline: Option<Text>,
    pub extra: Option<Text>,
}

/// Form A: removes the leading all-bold paragraphs and returns the title block. The first line
/// is the title; a second line in the same paragraph, or a second bold paragraph, the dateline.
pub(super) fn take_title_block(blocks: &mut Vec<Block>) -> TitleBlock {
    let mut lines: Vec<Text> = Vec::new();
    let mut taken = 0;
    while taken < blocks.len() && lines.len() < 2 {
        let Block::Paragraph(inlines) = &blocks[taken] else {
            break;
        };
        if !all_strong(inlines) {
            break;
        }
        lines.extend(split_lines(inlines));
        taken += 1;
    }
    blocks.drain(..taken);
    let mut lines = lines.into_iter();
    TitleBlock {
        title: lines.next(),
        dateline: lines.next(),
        extra: lines.next(),
    }
}

/// Where the first paragraph has a `**` or `__` that CommonMark left as text because nothing
/// closes it, and which: the reason a statement whose first line opens bold has no title.
pub(super) fn unclosed_strong(blocks: &[Block]) -> Option<(usize, &'static str)> {
    let Some(Block::Paragraph(inlines)) = blocks.first() else {
        return None;
    };
    // CommonMark may hand the two characters over as separate text events.
    let chars: Vec<(usize, char)> = inlines
        .iter()
        .filter_map(|inline| match inline {
            Inline::Text {
                text,
                offset,
                style,
                ..
            } if !style.strong => Some(text.char_indices().map(move |(i, c)| (offset + i, c))),
            _ => None,
        })
        .flatten()
        .collect();
    chars.windows(2).find_map(|w| match (w[0], w[1]) {
        ((at, '*'), (next, '*')) if next == at + 1 => Some((at, "**")),
        ((at, '_'), (next, '_')) if next == at + 1 => Some((at, "__")),
        _ => None,
    })
}

/// Appends `part` to `line`, keeping its language runs.
fn append(line: &mut Text, part: &Text) {
    let base = line.text.len();
    line.text.push_str(&part.text);
    for run in &part.languages {
        let range = run.range.start + base..run.range.end + base;
        match line.languages.last_mut() {
            // Text events split at smart quotes; one span is one run.
            Some(last) if last.range.end == range.start && last.lang == run.lang => {
                last.range.end = range.end
            }
            _ => line.languages.push(LangRun {
                range,
                lang: run.lang.clone(),
            }),
        }
    }
}

fn all_strong(inlines: &[Inline]) -> bool {
    let mut any = false;
    for inline in inlines {
        if let Inline::Text { text, style, .. } = inline {
            if !style.strong && !text.trim().is_empty() {
                return false;
            }
            any |= style.strong;
        }
    }
    any
}

fn split_lines(inlines: &[Inline]) -> Vec<Text> {
    let mut lines = Vec::new();
    let mut current: Option<Text> = None;
    for inline in inlines {
        match inline {
            Inline::Text {
                text, offset, lang, ..
            } => {
                let line = current.get_or_insert_with(|| Text {
                    text: String::new(),
                    offset: *offset,
                    languages: Vec::new(),
                });
                let part = Text {
                    text: text.clone(),
                    offset: *offset,
                    languages: lang
                        .iter()
                        .map(|lang| LangRun {
                            range: 0..text.len(),
                            lang: lang.clone(),
                        })
                        .collect(),
                };
                append(line, &part);
            }
            Inline::SoftBreak | Inline::HardBreak => lines.extend(current.take()),
        }
    }
    lines.extend(current);
    lines.into_iter().filter_map(trim).collect()
}

/// `text` without its leading and trailing white space, its language runs moved and clipped to
/// match; `None` if nothing is left.
fn trim(text: Text) -> Option<Text> {
    let start = text.text.len() - text.text.trim_start().len();
    let end = text.text.trim_end().len();
    if start >= end {
        return None;
    }
    let languages = text
        .languages
        .iter()
        .filter_map(|run| {
            let (from, to) = (run.range.start.max(start), run.range.end.min(end));
            (from < to).then(|| LangRun {
                range: from - start..to - start,
                lang: run.lang.clone(),
            })
        })
        .collect();
    Some(Text {
        text: text.text[start..end].to_string(),
        offset: text.offset,
        languages,
    })
}

//! Statement + layout + fonts -> [`Document`]: the title block, the body's blocks, signatures,
//! then pagination with widow, orphan and keep-with-next rules, then page furniture.

mod cjk;
mod furniture;
mod hyphenate;
mod language;
pub(crate) mod limits;
mod linebreak;
mod paginate;
mod paragraph;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::document::{Document, Metadata, NodeId, StructKind, StructNode, Tag, TextRun};
use crate::error::{Diagnostic, Error, Location};
use crate::font::{FontSet, Shaper};
use crate::layout::{self, Align, Layout, ReferencePosition, ReleasePosition, Standard};
use crate::statement::{Block, Inline, Statement, Style, Text};
use paginate::{Flow, FlowItem};
use paragraph::{Line, Piece, Setting, Typesetter};

/// Blocks nested deeper than this are set at this depth's indent, so a deep list cannot push
/// text out of the measure.
const MAX_INDENT_LEVELS: usize = 6;

/// What typesetting produced besides the document.
#[derive(Debug, Default)]
pub struct Report {
    /// Things the user should know that did not stop the build (an overfull word).
    pub warnings: Vec<String>,
}

/// Sets a statement in a layout.
pub fn typeset(
    statement: &Statement,
    layout: &Layout,
    fonts: &FontSet,
    standards: &[Standard],
    timestamp: Option<i64>,
) -> Result<(Document, Report), Error> {
    limits::check(statement)?;
    let flatten = standards.contains(&Standard::A1b);
    let images = furniture::images(statement, layout, flatten)?;
    let rtl = statement.rtl();
    let mirror = layout.mirrors(rtl);
    let directed = layout.directed(rtl);
    let layout: &Layout = &directed;
    let mut c = Composer {
        statement,
        layout,
        rtl,
        mirror,
        ts: Typesetter::new(Shaper::new(fonts, &statement.language), &statement.language),
        structure: Vec::new(),
        flow: Flow::default(),
        heading_levels: heading_levels(&statement.blocks),
        images,
    };
    c.ts.warnings
        .extend(language_warning(&statement.language, layout.body.hyphenate));
    c.ts.cjk = cjk::Spacing::new(&layout.body, &statement.language);
    c.letterhead()?;
    c.title_block()?;
    let blocks = &statement.blocks;
    c.blocks(blocks, None, 0)?;
    c.signatures()?;
    let signatories = statement.signatories.len();
    let per_signatory = layout.signature_fields && signatories > 0;
    if per_signatory {
        c.reserve_signatory_fields(signatories);
    } else if layout.signature_visible {
        c.reserve_signature_field();
    }
    let (mut pages, reserved) = paginate::paginate(&c.flow, layout);
    let signature_fields = if per_signatory {
        signatory_field_areas(layout, mirror, signatories, &reserved)
    } else {
        Vec::new()
    };
    let reserved = if per_signatory {
        &[][..]
    } else {
        &reserved[..]
    };
    let signature_area = reserved.first().map(|&(page, y)| crate::document::Area {
        page,
        x: if mirror {
            layout.page.width - layout.page.margins.right - SIGNATURE_FIELD.0
        } else {
            layout.page.margins.left
        },
        y: y + SIGNATURE_GAP,
        width: SIGNATURE_FIELD.0,
        height: SIGNATURE_FIELD.1,
    });
    c.continuation_headers(&mut pages)?;
    c.footers(&mut pages)?;

    let metadata = Metadata {
        title: statement.title.text.clone(),
        subject: statement
            .subtitle
            .as_ref()
            .or(statement.dateline.as_ref())
            .map(|t| t.text.clone()),
        language: statement.language.clone(),
        author: statement.author.clone(),
        keywords: statement.keywords.clone(),
        date: statement.document_date(),
        timestamp,
    };
    let document = Document {
        width: layout.page.width,
        height: layout.page.height,
        pages,
        structure: c.structure,
        metadata,
        standards: standards.to_vec(),
        signature_area,
        signature_fields,
    };
    Ok((
        document,
        Report {
            warnings: c.ts.warnings,
        },
    ))
}

/// One warning for a statement language communique cannot serve fully: a tag that names no
/// language ("xx"), or a language without hyphenation patterns ("lv") when the layout
/// hyphenates. Said once here rather than as a loose line's hint in every paragraph.
fn language_warning(language: &str, hyphenate: bool) -> Option<String> {
    if !crate::statement::is_known_language(language) {
        Some(format!(
            "the statement's language `{language}` is not a known language code (ISO 639); \
             it is set without hyphenation and declared as /Lang {language}: check `language` \
             in the front matter (e.g. \"en\", \"fr-CH\", \"lv\")"
        ))
    } else if hyphenate && hyphenate::language(language).is_none() && !never_hyphenated(language) {
        Some(format!(
            "there are no hyphenation patterns for the statement's language `{language}`; \
             the body is set without hyphenation (words are never broken), so justified \
             lines may be loose"
        ))
    } else {
        None
    }
}

/// Languages whose writing is not hyphenated at all (Arabic and Hebrew script, Chinese,
/// Japanese, Korean, Thai, Lao, Khmer, Burmese): no patterns is no loss there.
fn never_hyphenated(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    crate::statement::is_rtl_language(language)
        || ["zh", "ja", "ko", "th", "lo", "km", "my"]
            .iter()
            .any(|l| l.eq_ignore_ascii_case(primary))
}

/// Heading levels as tagged: the levels a statement uses, renumbered from 2 without gaps,
/// since PDF/UA readers expect no skipped levels below the title's H1.
fn heading_levels(blocks: &[Block]) -> [u8; 4] {
    fn visit(blocks: &[Block], used: &mut [bool; 4]) {
        for b in blocks {
            match b {
                Block::Heading { level, .. } => used[(*level as usize).min(3)] = true,
                Block::Quote(inner) => visit(inner, used),
                Block::List { items, .. } => items.iter().for_each(|i| visit(i, used)),
                Block::Paragraph(_) => {}
            }
        }
    }
    let mut used = [false; 4];
    visit(blocks, &mut used);
    let mut map = [2u8; 4];
    let mut next = 2;
    for level in 2..4 {
        map[level] = next;
        if used[level] {
            next += 1;
        }
    }
    map
}

fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Signatory fields per row when the signatories are stacked (one column).
const FIELDS_PER_ROW: usize = 3;

fn fields_per_row(layout: &Layout, count: usize) -> usize {
    let per_row = if layout.signature_columns > 1 {
        layout.signature_columns
    } else {
        FIELDS_PER_ROW
    };
    per_row.min(count).max(1)
}

/// The areas of the signatories' fields, in signatory order: rows of fields
/// in the reserved bands, each in its signatory's column when the
/// signatories stand side by side; mirrored for right-to-left statements.
fn signatory_field_areas(
    layout: &Layout,
    mirror: bool,
    count: usize,
    reserved: &[(usize, f32)],
) -> Vec<crate::document::Area> {
    let per_row = fields_per_row(layout, count);
    let gap = furniture::COLUMN_GAP;
    let measure = layout.measure();
    let slot = (measure - gap * (per_row - 1) as f32) / per_row as f32;
    let width = SIGNATURE_FIELD.0.min(slot);
    (0..count)
        .filter_map(|i| {
            let &(page, y) = reserved.get(i / per_row)?;
            let mut x = (i % per_row) as f32 * (slot + gap);
            if mirror {
                x = measure - x - width;
            }
            Some(crate::document::Area {
                page,
                x: layout.page.margins.left + x,
                y: y + SIGNATURE_GAP,
                width,
                height: SIGNATURE_FIELD.1,
            })
        })
        .collect()
}

/// Width and height of a visible signature field.
const SIGNATURE_FIELD: (f32, f32) = (200.0, 46.0);
/// Space between the signature block (or the text) and the field.
const SIGNATURE_GAP: f32 = 8.0;

struct Composer<'a> {
    statement: &'a Statement,
    /// Already [`Layout::directed`] for the statement.
    layout: &'a Layout,
    /// The statement is written right to left.
    rtl: bool,
    /// Left and right placements of the page furniture are swapped.
    mirror: bool,
    ts: Typesetter<'a>,
    structure: Vec<StructNode>,
    flow: Flow,
    heading_levels: [u8; 4],
    images: furniture::Images,
}

impl<'a> Composer<'a> {
    fn node(&mut self, kind: StructKind, parent: Option<NodeId>) -> NodeId {
        self.structure.push(StructNode { kind, parent });
        self.structure.len() - 1
    }

    /// A missing glyph as an error: in the statement at its offset, else at `place` in the
    /// layout (the key that gave the text), else at the top of the layout file.
    fn missing(&self, e: paragraph::MissingGlyph, place: Option<&Location>) -> Error {
        let location = match (e.offset, place) {
            (Some(o), _) => Some(self.statement.location(o)),
            (None, Some(place)) => Some(place.clone()),
            (None, None) => self.layout.path.as_ref().map(|p| Location {
                file: p.clone(),
                line: 1,
                column: 1,
            }),
        };
        Error::Invalid(vec![Diagnostic {
            location,
            problem: e.problem,
        }])
    }

    fn set(&mut self, pieces: &[Piece], setting: &Setting) -> Result<Vec<Line>, Error> {
        self.set_at(pieces, setting, None)
    }

    /// [`Composer::set`] for text from the layout, which names `place` in errors.
    fn set_at(
        &mut self,
        pieces: &[Piece],
        setting: &Setting,
        place: Option<&Location>,
    ) -> Result<Vec<Line>, Error> {
        self.ts
            .set(pieces, setting)
            .map_err(|e| self.missing(e, place))
    }

    fn display_setting(&self, block: &layout::Block, width: f32) -> Setting {
        Setting {
            size: block.size,
            color: block.color,
            width,
            first_indent: 0.0,
            align: block.align,
            justify: false,
            hyphenate: false,
            balance: block.align == Align::Center,
            expansion: 0.0,
            protrusion: false,
            tolerance: 1.0,
            rtl: self.rtl,
        }
    }

    fn body_setting(&self, width: f32) -> Setting {
        let b = &self.layout.body;
        Setting {
            size: b.size,
            color: b.color,
            width,
            first_indent: b.first_line_indent,
            align: if self.rtl { Align::Right } else { Align::Left },
            justify: b.justify,
            hyphenate: b.hyphenate,
            balance: false,
            expansion: b.expansion,
            protrusion: b.protrusion,
            tolerance: b.tolerance,
            rtl: self.rtl,
        }
    }

    fn push_lines(&mut self, lines: Vec<Line>, x: f32, size: f32, leading: f32, keep_all: bool) {
        let n = lines.len();
        let (widows, orphans) = (self.layout.body.widows, self.layout.body.orphans);
        for (i, line) in lines.into_iter().enumerate() {
            // TeX's \brokenpenalty made absolute: a page never ends inside a word.
            let keep = keep_all
                || i + 1 < orphans
                || (i + 1 < n && n - 1 - i < widows)
                || (i + 1 < n && (line.hyphenated || line.ends_inside_word));
            self.flow.items.push(FlowItem::Line {
                runs: line.runs,
                x,
                size,
                leading,
                keep_with_next: keep,
            });
        }
    }

    fn title_block(&mut self) -> Result<(), Error> {
        let s = self.statement;
        let width = self.layout.measure();
        let release = self.release_text();
        let release_left_of_dateline = release.is_some()
            && s.dateline.is_some()
            && self.layout.release.position == ReleasePosition::LeftOfDateline;
        if let Some(text) = &release
            && !release_left_of_dateline
            && self.layout.release.position != ReleasePosition::None
        {
            self.display_line(text, self.layout.release.block)?;
        }
        if self.layout.reference.position == ReferencePosition::AboveTitle {
            self.reference_line()?;
        }
        let title_node = self.node(
            StructKind::Heading {
                level: 1,
                title: s.title.text.clone(),
            },
            None,
        );
        let parts: [(
            Option<&crate::statement::Text>,
            layout::Block,
            Option<NodeId>,
        ); 3] = [
            (Some(&s.title), self.layout.title, Some(title_node)),
            (s.subtitle.as_ref(), self.layout.subtitle, None),
            (s.dateline.as_ref(), self.layout.dateline, None),
        ];
        for (i, (text, block, node)) in parts.into_iter().enumerate() {
            let Some(text) = text else { continue };
            let is_dateline = i == 2;
            let mut release_runs = Vec::new();
            let mut setting = self.display_setting(&block, width);
            if !is_dateline {
                // A title that wraps reads as one line broken in two, flush left or centred: a
                // long first line over a stub of a second looked like an accident.
                setting.balance = true;
            }
            if is_dateline
                && release_left_of_dateline
                && let Some(release) = &release
            {
                // The release line at the left of the dateline's first baseline; the dateline
                // flush right in what is left. Mirrored: the release at the right, the
                // dateline flush left.
                let rb = self.layout.release.block;
                let (release_align, dateline_align) = if self.mirror {
                    (Align::Right, Align::Left)
                } else {
                    (Align::Left, Align::Right)
                };
                let node = self.node(StructKind::Paragraph, None);
                let piece = Piece::plain(
                    release.clone(),
                    paragraph::block_style(&rb),
                    Tag::Node(node),
                );
                let rs = Setting {
                    balance: false,
                    align: release_align,
                    rtl: self.own_direction(release),
                    ..self.display_setting(&rb, width)
                };
                let lines = self.set(&[piece], &rs)?;
                let used = lines.first().map_or(0.0, |l| {
                    if self.mirror {
                        width - l.runs.iter().map(|r| r.x).fold(width, f32::min)
                    } else {
                        l.runs.iter().map(|r| r.x + r.width()).fold(0.0, f32::max)
                    }
                });
                release_runs = lines.into_iter().flat_map(|l| l.runs).collect();
                setting.align = dateline_align;
                setting.balance = true;
                setting.width = (width - used - block.size).max(width / 3.0);
            }
            let node = match node {
                Some(n) => n,
                None => self.node(StructKind::Paragraph, None),
            };
            let pieces = self.text_pieces(text, paragraph::block_style(&block), node);
            let mut lines = self.set(&pieces, &setting)?;
            if !release_runs.is_empty() {
                let shift = if self.mirror {
                    0.0
                } else {
                    width - setting.width
                };
                for line in &mut lines {
                    for run in &mut line.runs {
                        run.x += shift;
                    }
                }
                if let Some(first) = lines.first_mut() {
                    release_runs.append(&mut first.runs);
                    first.runs = release_runs;
                }
            }
            self.flow.items.push(FlowItem::Gap(block.space_before));
            self.push_lines(lines, 0.0, block.size, block.leading, true);
            self.flow.items.push(FlowItem::Gap(block.space_after));
        }
        if self.layout.reference.position == ReferencePosition::BelowDateline {
            // Directly under the title block's last line, before the space that ends it.
            if let Some(text) = self.fill(&self.layout.reference.text, None)
                && !text.trim().is_empty()
            {
                let end = match self.flow.items.last() {
                    Some(FlowItem::Gap(g)) => {
                        let g = *g;
                        self.flow.items.pop();
                        g
                    }
                    _ => self.layout.reference.block.space_after,
                };
                let block = layout::Block {
                    space_after: end,
                    ..self.layout.reference.block
                };
                self.display_line(&text, block)?;
            }
        }
        Ok(())
    }

    /// A `Span` node with /Lang under `parent` for text in another language; consecutive text
    /// in the same language under the same parent shares one.
    fn span_node(
        &mut self,
        lang: Option<&Arc<str>>,
        parent: NodeId,
        current: &mut Option<(Arc<str>, NodeId, NodeId)>,
    ) -> NodeId {
        let Some(lang) = lang else {
            *current = None;
            return parent;
        };
        match current {
            Some((l, p, id)) if l == lang && *p == parent => *id,
            _ => {
                let id = self.node(
                    StructKind::Span {
                        lang: lang.to_string(),
                    },
                    Some(parent),
                );
                *current = Some((lang.clone(), parent, id));
                id
            }
        }
    }

    /// The pieces of a title, subtitle or dateline: one per language run.
    fn text_pieces(&mut self, text: &Text, style: Style, node: NodeId) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut at = 0;
        let mut span = None;
        let runs = text
            .languages
            .iter()
            .map(|r| (r.range.clone(), Some(&r.lang)));
        let mut piece =
            |this: &mut Self, range: std::ops::Range<usize>, lang: Option<&Arc<str>>| {
                if range.is_empty() {
                    return;
                }
                let tag = this.span_node(lang, node, &mut span);
                pieces.push(Piece {
                    text: text.text[range.clone()].to_string(),
                    style,
                    tag: Tag::Node(tag),
                    lang: lang.cloned(),
                    // Exact for statement text; inside a front-matter string, close enough.
                    offset: Some(text.offset + range.start),
                });
            };
        for (range, lang) in runs {
            piece(self, at..range.start, None);
            piece(self, range.clone(), lang);
            at = range.end;
        }
        piece(self, at..text.text.len(), None);
        pieces
    }

    fn inline_pieces(&mut self, inlines: &[Inline], base: Style, node: NodeId) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut link: Option<(Arc<str>, NodeId)> = None;
        let mut span: Option<(Arc<str>, NodeId, NodeId)> = None;
        for (i, inline) in inlines.iter().enumerate() {
            match inline {
                Inline::Text {
                    text,
                    style,
                    link: url,
                    lang,
                    offset,
                } => {
                    let tag_node = match url {
                        Some(url) => match &link {
                            Some((current, id)) if Arc::ptr_eq(current, url) => *id,
                            _ => {
                                let id = self.node(
                                    StructKind::Link {
                                        url: url.to_string(),
                                    },
                                    Some(node),
                                );
                                link = Some((url.clone(), id));
                                id
                            }
                        },
                        None => {
                            link = None;
                            node
                        }
                    };
                    let tag_node = self.span_node(lang.as_ref(), tag_node, &mut span);
                    pieces.push(Piece {
                        text: text.clone(),
                        style: Style {
                            strong: style.strong || base.strong,
                            emphasis: style.emphasis ^ base.emphasis,
                        },
                        tag: Tag::Node(tag_node),
                        lang: lang.clone(),
                        offset: Some(*offset),
                    });
                }
                Inline::SoftBreak => {
                    // A line break inside a span stays in it, so the span is one element.
                    let inside = span.as_ref().filter(|s| {
                        matches!(inlines.get(i + 1), Some(Inline::Text { lang: Some(l), .. }) if *l == s.0)
                    });
                    pieces.push(Piece {
                        text: " ".into(),
                        style: base,
                        tag: Tag::Node(
                            inside
                                .map(|s| s.2)
                                .or(link.as_ref().map(|l| l.1))
                                .unwrap_or(node),
                        ),
                        lang: inside.map(|s| s.0.clone()),
                        offset: None,
                    })
                }
                Inline::HardBreak => pieces.push(Piece::plain("\n", base, Tag::Node(node))),
            }
        }
        pieces
    }

    fn blocks(
        &mut self,
        blocks: &[Block],
        parent: Option<NodeId>,
        depth: usize,
    ) -> Result<(), Error> {
        let indent = self.layout.body.indent * depth.min(MAX_INDENT_LEVELS) as f32;
        let width = self.layout.measure() - indent;
        // Right to left, nested blocks are indented from the right: their lines start at the
        // left edge of the measure and stop short of the right one.
        let x = if self.rtl { 0.0 } else { indent };
        for (i, block) in blocks.iter().enumerate() {
            match block {
                Block::Paragraph(inlines) => {
                    if i > 0 || depth == 0 {
                        self.flow
                            .items
                            .push(FlowItem::Gap(self.layout.body.paragraph_spacing));
                    }
                    let node = self.node(StructKind::Paragraph, parent);
                    let pieces = self.inline_pieces(inlines, Style::default(), node);
                    let setting = self.body_setting(width);
                    let lines = self.set(&pieces, &setting)?;
                    let b = self.layout.body;
                    self.push_lines(lines, x, b.size, b.leading, false);
                }
                Block::Heading { level, content } => {
                    let style = if *level <= 2 {
                        self.layout.heading
                    } else {
                        self.layout.subheading
                    };
                    let tagged = self.heading_levels[(*level as usize).min(3)];
                    let title = plain_text(content);
                    let node = self.node(
                        StructKind::Heading {
                            level: tagged,
                            title,
                        },
                        parent,
                    );
                    let base = Style {
                        strong: style.bold,
                        emphasis: style.italic,
                    };
                    let pieces = self.inline_pieces(content, base, node);
                    let setting = self.display_setting(&style, width);
                    let lines = self.set(&pieces, &setting)?;
                    self.flow.items.push(FlowItem::Gap(style.space_before));
                    self.push_lines(lines, x, style.size, style.leading, true);
                    self.flow.items.push(FlowItem::Gap(style.space_after));
                }
                Block::Quote(inner) => {
                    if i > 0 || depth == 0 {
                        self.flow
                            .items
                            .push(FlowItem::Gap(self.layout.body.paragraph_spacing));
                    }
                    let node = self.node(StructKind::Quote, parent);
                    self.blocks(inner, Some(node), depth + 1)?;
                }
                Block::List { start, items } => {
                    if i > 0 || depth == 0 {
                        self.flow
                            .items
                            .push(FlowItem::Gap(self.layout.body.paragraph_spacing));
                    }
                    self.list(*start, items, parent, depth)?;
                }
            }
        }
        Ok(())
    }

    fn list(
        &mut self,
        start: Option<u64>,
        items: &[Vec<Block>],
        parent: Option<NodeId>,
        depth: usize,
    ) -> Result<(), Error> {
        let list = self.node(
            StructKind::List {
                ordered: start.is_some(),
            },
            parent,
        );
        let b = self.layout.body;
        for (n, item) in items.iter().enumerate() {
            let li = self.node(StructKind::ListItem, Some(list));
            let label_node = self.node(StructKind::Label, Some(li));
            let body = self.node(StructKind::ListBody, Some(li));
            let label = match start {
                Some(first) => format!("{}.", first.saturating_add(n as u64)),
                None => "\u{2022}".to_string(),
            };
            let first_line = self.flow.items.len();
            self.blocks(item, Some(body), depth + 1)?;
            // The label hangs in the indent, on the baseline of the item's first line, next to
            // where the line starts: at its left, or right to left at its right.
            let label_align = if self.rtl { Align::Left } else { Align::Right };
            let setting = Setting {
                align: label_align,
                ..self.display_setting(
                    &layout::Block {
                        size: b.size,
                        leading: b.leading,
                        bold: false,
                        italic: false,
                        align: label_align,
                        color: b.color,
                        space_before: 0.0,
                        space_after: 0.0,
                    },
                    b.indent - 0.3 * b.size,
                )
            };
            let piece = Piece::plain(label, Style::default(), Tag::Node(label_node));
            let label_lines = self.set(&[piece], &setting)?;
            let indent = b.indent * (depth + 1).min(MAX_INDENT_LEVELS) as f32;
            if let Some(line) = label_lines.into_iter().next() {
                let target = self.flow.items[first_line..]
                    .iter_mut()
                    .find(|i| matches!(i, FlowItem::Line { .. }));
                if let Some(FlowItem::Line { runs, x, .. }) = target {
                    let shift = if self.rtl {
                        self.layout.measure() - indent + 0.3 * b.size - *x
                    } else {
                        indent - b.indent - *x
                    };
                    let mut label_runs: Vec<TextRun> = line.runs;
                    for r in &mut label_runs {
                        r.x += shift;
                    }
                    // The label comes first in reading order.
                    label_runs.append(runs);
                    *runs = label_runs;
                }
            }
        }
        Ok(())
    }

    /// Rows of room for the signatories' fields below the signature block, the first on the
    /// same page as its last line.
    fn reserve_signatory_fields(&mut self, count: usize) {
        self.keep_last_line();
        for _ in 0..count.div_ceil(fields_per_row(self.layout, count)) {
            self.flow.items.push(FlowItem::Reserve {
                height: SIGNATURE_GAP + SIGNATURE_FIELD.1,
            });
        }
    }

    /// Room for a visible signature field below the signature block (or the text), on the
    /// same page as its last line.
    fn reserve_signature_field(&mut self) {
        self.keep_last_line();
        self.flow.items.push(FlowItem::Reserve {
            height: SIGNATURE_GAP + SIGNATURE_FIELD.1,
        });
    }
}

//! What surrounds the text: the letterhead (lines and logo), release and reference lines,
//! the signature block (stacked or side by side, with signature images), continuation headers
//! and footers, and the placeholders they share.

use super::Composer;
use super::paginate::{ASCENT as ASCENT_RATIO, DESCENT as DESCENT_RATIO, FlowItem};
use super::paragraph::{Line, Piece, Setting, block_style};
use crate::document::{Artifact, Image, Item, Page, Rule, StructKind, Tag, TextRun};
use crate::error::{Diagnostic, Error, Location};
use crate::image::{Content, ImagePath};
use crate::layout::{self, Align, Arrangement, Layout};
use crate::statement::{Statement, Style};

/// The images of this statement in this layout, as read at load time.
#[derive(Debug, Default)]
pub(super) struct Images {
    pub logo: Option<Content>,
    /// One per signatory.
    pub signatures: Vec<Option<Content>>,
}

/// Takes the layout's logo and the statement's signature images as they were decoded when
/// loaded; with `flatten` (PDF/A-1b), transparent rasters are composited onto white and a
/// vector image with transparency is refused at the line that names it.
pub(super) fn images(
    statement: &Statement,
    layout: &Layout,
    flatten: bool,
) -> Result<Images, Error> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut take = |named: &ImagePath| match named.content() {
        Ok(Content::Raster(r)) => {
            let mut r = r.clone();
            if flatten {
                r.flatten();
            }
            Some(Content::Raster(r))
        }
        Ok(content) if flatten && content.transparency().is_some() => {
            let what = content.transparency().unwrap_or_default();
            problems.push(named.diagnostic(format!(
                "the drawing uses transparency ({what}), which PDF/A-1b forbids; remove it in \
                 the design tool and export again, or write PDF/A-2 (`--pdfa a-2a`)"
            )));
            None
        }
        Ok(content) => Some(content.clone()),
        Err(Error::Invalid(d)) => {
            problems.extend(d);
            None
        }
        Err(_) => None,
    };
    let logo = layout
        .letterhead
        .logo
        .as_ref()
        .and_then(|logo| take(&logo.image));
    let signatures = statement
        .signatories
        .iter()
        .map(|s| s.image.as_ref().and_then(|si| take(&si.image)))
        .collect();
    if problems.is_empty() {
        Ok(Images { logo, signatures })
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Space between signature columns.
pub(super) const COLUMN_GAP: f32 = 18.0;

/// A header or footer: its template lines, where the layout wrote them, and how to set them.
#[derive(Clone, Copy)]
struct Furniture<'t> {
    templates: &'t str,
    place: Option<&'t Location>,
    block: &'t layout::Block,
    artifact: Artifact,
}
/// Height of a logo given neither a width nor a height.
const DEFAULT_LOGO_HEIGHT: f32 = 48.0;

impl Composer<'_> {
    /// `template` with its placeholders replaced, or `None` if one of them has no value.
    pub(super) fn fill(&self, template: &str, page: Option<(usize, usize)>) -> Option<String> {
        let s = self.statement;
        let template = self.layout.localized(template, &s.language);
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}')?;
            let value = match &after[..close] {
                "reference" => s.reference.clone(),
                "date" => s.formatted_date(),
                "title" => Some(s.title.text.clone()),
                "page" => page.map(|p| p.0.to_string()),
                "pages" => page.map(|p| p.1.to_string()),
                _ => None,
            };
            out.push_str(value.as_deref().filter(|v| !v.trim().is_empty())?);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// `template` with the placeholders that have a value filled and the others left out,
    /// runs of spaces they leave closed up.
    fn fill_present(&self, template: &str, page: (usize, usize)) -> String {
        let template = self.layout.localized(template, &self.statement.language);
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                break;
            };
            let one = &rest[open..open + close + 2];
            out.push_str(self.fill(one, Some(page)).as_deref().unwrap_or(""));
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out.split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The release line: the statement's embargo, else its release, else the layout's text.
    pub(super) fn release_text(&self) -> Option<String> {
        let s = self.statement;
        s.embargo
            .clone()
            .or_else(|| s.release.clone())
            .or_else(|| self.fill(&self.layout.release.text, None))
            .filter(|t| !t.trim().is_empty())
    }

    /// Whether a layout string is written right to left, from its own first strong letter
    /// (UAX #9 P2, P3): an English address line in the letterhead of an Arabic statement is a
    /// left-to-right paragraph, an Arabic footer on an English one right to left. Without a
    /// strong letter (a page number alone), the statement's direction.
    pub(super) fn own_direction(&self, text: &str) -> bool {
        use unicode_bidi::BidiClass::{AL, L, R};
        text.chars()
            .find_map(|c| match unicode_bidi::bidi_class(c) {
                L => Some(false),
                R | AL => Some(true),
                _ => None,
            })
            .unwrap_or(self.rtl)
    }

    /// One tagged paragraph of layout text (release, reference) in a display block, kept with
    /// what follows.
    pub(super) fn display_line(&mut self, text: &str, block: layout::Block) -> Result<(), Error> {
        let node = self.node(StructKind::Paragraph, None);
        let piece = Piece::plain(text, block_style(&block), Tag::Node(node));
        let setting = Setting {
            balance: false,
            rtl: self.own_direction(text),
            ..self.display_setting(&block, self.layout.measure())
        };
        let lines = self.set(&[piece], &setting)?;
        self.flow.items.push(FlowItem::Gap(block.space_before));
        self.push_lines(lines, 0.0, block.size, block.leading, true);
        self.flow.items.push(FlowItem::Gap(block.space_after));
        Ok(())
    }

    pub(super) fn reference_line(&mut self) -> Result<(), Error> {
        if let Some(text) = self.fill(&self.layout.reference.text, None)
            && !text.trim().is_empty()
        {
            self.display_line(&text, self.layout.reference.block)?;
        }
        Ok(())
    }

    /// Sets one piece of furniture text (an artifact) in `width`.
    fn furniture_lines(
        &mut self,
        text: String,
        block: &layout::Block,
        width: f32,
        artifact: Artifact,
        place: Option<&Location>,
    ) -> Result<Vec<Line>, Error> {
        let setting = Setting {
            balance: false,
            rtl: self.own_direction(&text),
            ..self.display_setting(block, width)
        };
        let piece = Piece::plain(text, block_style(block), Tag::Artifact(artifact));
        self.set_at(&[piece], &setting, place)
    }

    /// The logo's size on the page: as the layout says, else 48pt high; never wider than
    /// `max_width`.
    fn logo_size(&self, raster: &Content, max_width: f32) -> (f32, f32) {
        let Some(logo) = &self.layout.letterhead.logo else {
            return (0.0, 0.0);
        };
        let aspect = raster.aspect();
        let (w, h) = match (logo.width, logo.height) {
            (Some(w), Some(h)) => (w, h),
            (Some(w), None) => (w, w / aspect),
            (None, Some(h)) => (h * aspect, h),
            (None, None) => (DEFAULT_LOGO_HEIGHT * aspect, DEFAULT_LOGO_HEIGHT),
        };
        if w > max_width {
            (max_width, h * max_width / w)
        } else {
            (w, h)
        }
    }

    fn logo_tag(&mut self) -> Tag {
        match self
            .layout
            .letterhead
            .logo
            .as_ref()
            .and_then(|l| l.alt.clone())
        {
            Some(alt) => Tag::Node(self.node(StructKind::Figure { alt }, None)),
            None => Tag::Artifact(Artifact::Header),
        }
    }

    pub(super) fn letterhead(&mut self) -> Result<(), Error> {
        let lh = self.layout.letterhead.clone();
        let lines: Vec<(layout::LetterheadLine, String)> = lh
            .lines
            .iter()
            .filter_map(|l| self.fill(&l.text, None).map(|t| (l.clone(), t)))
            .collect();
        let logo = self.images.logo.clone().filter(|_| lh.logo.is_some());
        if lines.is_empty() && lh.rule.is_none() && logo.is_none() {
            return Ok(());
        }
        let measure = self.layout.measure();
        let block_of = |l: &layout::LetterheadLine| layout::Block {
            size: l.size,
            leading: l.size * 1.25,
            bold: l.bold,
            italic: l.italic,
            align: l.align,
            color: l.color,
            space_before: 0.0,
            space_after: 0.0,
        };
        let gap = lh.logo.as_ref().map_or(0.0, |l| l.gap);
        match (&logo, lh.arrangement) {
            (Some(raster), Arrangement::LogoLeft | Arrangement::LogoRight) => {
                let (w, h) = self.logo_size(raster, measure / 2.0);
                let text_width = measure - w - gap;
                // The lines, positioned from the top of their own block.
                let mut runs: Vec<TextRun> = Vec::new();
                let mut y = 0.0;
                let mut prev: Option<f32> = None;
                for (line, text) in &lines {
                    let block = block_of(line);
                    for set in self.furniture_lines(
                        text.clone(),
                        &block,
                        text_width,
                        Artifact::Header,
                        line.location.as_ref(),
                    )? {
                        y = match prev {
                            None => ASCENT_RATIO * block.size,
                            Some(p) => p + block.leading,
                        };
                        prev = Some(y);
                        runs.extend(set.runs.into_iter().map(|mut r| {
                            r.y = y;
                            r
                        }));
                    }
                }
                let text_height = if runs.is_empty() {
                    0.0
                } else {
                    y + DESCENT_RATIO * lines.last().map_or(lh.size, |l| l.0.size)
                };
                let height = h.max(text_height);
                let text_x = match lh.arrangement {
                    Arrangement::LogoLeft => w + gap,
                    _ => 0.0,
                };
                let logo_x = match lh.arrangement {
                    Arrangement::LogoLeft => 0.0,
                    _ => measure - w,
                };
                let text_dy = (height - text_height) / 2.0;
                let tag = self.logo_tag();
                let mut items = vec![Item::Image(Image {
                    x: logo_x,
                    y: (height - h) / 2.0,
                    width: w,
                    height: h,
                    content: raster.clone(),
                    tag,
                })];
                items.extend(runs.into_iter().map(|mut r| {
                    r.x += text_x;
                    r.y += text_dy;
                    Item::Text(r)
                }));
                self.flow.items.push(FlowItem::Box { height, items });
            }
            _ => {
                if let Some(raster) = &logo {
                    let (w, h) = self.logo_size(raster, measure);
                    let align = lh.logo.as_ref().map_or(Align::Center, |l| l.align);
                    let x = match align {
                        Align::Left => 0.0,
                        Align::Center => (measure - w) / 2.0,
                        Align::Right => measure - w,
                    };
                    let tag = self.logo_tag();
                    self.flow.items.push(FlowItem::Box {
                        height: h,
                        items: vec![Item::Image(Image {
                            x,
                            y: 0.0,
                            width: w,
                            height: h,
                            content: raster.clone(),
                            tag,
                        })],
                    });
                    if !lines.is_empty() {
                        // The first line's leading counts from the box's bottom edge.
                        self.flow
                            .items
                            .push(FlowItem::Gap(gap - lines[0].0.size * 0.25));
                    }
                }
                for (line, text) in lines {
                    let block = block_of(&line);
                    let set = self.furniture_lines(
                        text,
                        &block,
                        measure,
                        Artifact::Header,
                        line.location.as_ref(),
                    )?;
                    self.push_lines(set, 0.0, block.size, block.leading, true);
                }
            }
        }
        if let Some(rule) = lh.rule {
            self.flow.items.push(FlowItem::Rule {
                thickness: rule.thickness,
                color: rule.color,
                gap: lh.size * 0.5,
            });
        }
        self.flow.items.push(FlowItem::Gap(lh.space_after));
        Ok(())
    }

    /// Keeps what comes next (the signature block, a signature field) with the last line.
    pub(super) fn keep_last_line(&mut self) {
        if let Some(FlowItem::Line { keep_with_next, .. }) = self
            .flow
            .items
            .iter_mut()
            .rev()
            .find(|i| matches!(i, FlowItem::Line { .. }))
        {
            *keep_with_next = true;
        }
    }

    /// A signatory's name and role as a paragraph tagged with `node`.
    fn signatory_pieces(&self, index: usize, node: usize) -> Vec<Piece> {
        let block = self.layout.signature;
        let sig = &self.statement.signatories[index];
        let name_style = Style {
            strong: true,
            ..block_style(&block)
        };
        let mut pieces = vec![Piece::plain(sig.name.clone(), name_style, Tag::Node(node))];
        if let Some(role) = &sig.role {
            pieces.push(Piece::plain("\n", Style::default(), Tag::Node(node)));
            pieces.push(Piece::plain(
                role.clone(),
                block_style(&block),
                Tag::Node(node),
            ));
        }
        pieces
    }

    /// The signature image of signatory `index`, if any, as a `Figure` inside its paragraph.
    fn signature_image(&mut self, index: usize, node: usize, x: f32, width: f32) -> Option<Image> {
        let raster = self.images.signatures.get(index)?.clone()?;
        let alt = self.statement.signatories[index]
            .image
            .as_ref()?
            .alt
            .clone();
        let h = self.layout.signature_image_height;
        let (w, h) = {
            let w = h * raster.aspect();
            if w > width {
                (width, width / raster.aspect())
            } else {
                (w, h)
            }
        };
        let x = match self.layout.signature.align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        let figure = self.node(StructKind::Figure { alt }, Some(node));
        Some(Image {
            x,
            y: self.layout.signature_image_height - h,
            width: w,
            height: h,
            content: raster,
            tag: Tag::Node(figure),
        })
    }

    pub(super) fn signatures(&mut self) -> Result<(), Error> {
        let count = self.statement.signatories.len();
        if count == 0 {
            return Ok(());
        }
        let block = self.layout.signature;
        let measure = self.layout.measure();
        self.keep_last_line();
        self.flow.items.push(FlowItem::Gap(block.space_before));
        let columns = self.layout.signature_columns.min(count);
        if columns <= 1 {
            for i in 0..count {
                let node = self.node(StructKind::Paragraph, None);
                if let Some(image) = self.signature_image(i, node, 0.0, measure) {
                    self.flow.items.push(FlowItem::Box {
                        height: self.layout.signature_image_height,
                        items: vec![Item::Image(image)],
                    });
                    self.flow.items.push(FlowItem::Gap(block.size * 0.3));
                }
                let pieces = self.signatory_pieces(i, node);
                let setting = Setting {
                    balance: false,
                    ..self.display_setting(&block, measure)
                };
                let lines = self.set(&pieces, &setting)?;
                let last = i + 1 == count;
                self.push_lines(lines, 0.0, block.size, block.leading, !last);
                if !last {
                    self.flow.items.push(FlowItem::Gap(block.leading * 0.75));
                }
            }
            return Ok(());
        }
        // Side by side: each row of signatories is one block.
        let column_width = (measure - COLUMN_GAP * (columns - 1) as f32) / columns as f32;
        let indices: Vec<usize> = (0..count).collect();
        for (r, row) in indices.chunks(columns).enumerate() {
            if r > 0 {
                self.flow.items.push(FlowItem::Gap(block.leading));
            }
            let has_images = row
                .iter()
                .any(|&i| self.images.signatures.get(i).is_some_and(|s| s.is_some()));
            let band = if has_images {
                self.layout.signature_image_height + block.size * 0.3
            } else {
                0.0
            };
            let mut items = Vec::new();
            let mut most_lines = 0;
            for (c, &i) in row.iter().enumerate() {
                // Mirrored, the first signatory is at the right.
                let column = if self.mirror { columns - 1 - c } else { c };
                let x = column as f32 * (column_width + COLUMN_GAP);
                let node = self.node(StructKind::Paragraph, None);
                if let Some(image) = self.signature_image(i, node, x, column_width) {
                    items.push(Item::Image(image));
                }
                let pieces = self.signatory_pieces(i, node);
                let setting = Setting {
                    balance: false,
                    ..self.display_setting(&block, column_width)
                };
                let lines = self.set(&pieces, &setting)?;
                most_lines = most_lines.max(lines.len());
                for (n, line) in lines.into_iter().enumerate() {
                    let y = band + ASCENT_RATIO * block.size + n as f32 * block.leading;
                    items.extend(line.runs.into_iter().map(|mut run| {
                        run.x += x;
                        run.y = y;
                        Item::Text(run)
                    }));
                }
            }
            let height = band
                + (ASCENT_RATIO + DESCENT_RATIO) * block.size
                + most_lines.saturating_sub(1) as f32 * block.leading;
            self.flow.items.push(FlowItem::Box { height, items });
        }
        Ok(())
    }

    fn furniture_block(
        size: f32,
        bold: bool,
        italic: bool,
        align: Align,
        color: layout::Color,
    ) -> layout::Block {
        layout::Block {
            size,
            leading: size * 1.25,
            bold,
            italic,
            align,
            color,
            space_before: 0.0,
            space_after: 0.0,
        }
    }

    /// Sets a header or footer template (one line of text per template line, placeholders
    /// filled for page `number` of the total) on `page`, the first baseline at `y`; returns how
    /// many lines it set.
    fn place_furniture(
        &mut self,
        page: &mut Page,
        furniture: &Furniture,
        number: (usize, usize),
        y: f32,
    ) -> Result<usize, Error> {
        let Furniture {
            templates,
            place,
            block,
            artifact,
        } = *furniture;
        let left = self.layout.page.margins.left;
        let mut count = 0;
        for template in templates.lines() {
            let Some(text) = self.fill(template, Some(number)).or_else(|| {
                // A line with the page number is never dropped for another placeholder's
                // sake: "Memorandum {reference} — page {page} of {pages}" without a reference
                // lost the memo's only page numbers. The empty value goes, and its space.
                template
                    .contains("{page")
                    .then(|| self.fill_present(template, number))
            }) else {
                continue;
            };
            for line in self.furniture_lines(text, block, self.layout.measure(), artifact, place)? {
                for mut run in line.runs {
                    run.x += left;
                    run.y = y + count as f32 * block.leading;
                    page.items.push(Item::Text(run));
                }
                count += 1;
            }
        }
        Ok(count)
    }

    /// The smaller header of pages 2 and later, in the top margin.
    pub(super) fn continuation_headers(&mut self, pages: &mut [Page]) -> Result<(), Error> {
        let c = self.layout.continuation.clone();
        if c.text.trim().is_empty() {
            return Ok(());
        }
        let block = Self::furniture_block(c.size, c.bold, c.italic, c.align, c.color);
        let margins = self.layout.page.margins;
        let total = pages.len();
        let baseline = margins.top / 2.0 + c.size * 0.3;
        let furniture = Furniture {
            templates: &c.text,
            place: c.location.as_ref(),
            block: &block,
            artifact: Artifact::Header,
        };
        if total == 1 {
            // Set it once, unseen, so a character no font has is an error today rather than
            // when a later statement runs to two pages.
            let mut scratch = Page { items: Vec::new() };
            self.place_furniture(&mut scratch, &furniture, (2, 2), baseline)?;
        }
        for (n, page) in pages.iter_mut().enumerate().skip(1) {
            let lines = self.place_furniture(page, &furniture, (n + 1, total), baseline)?;
            if lines > 0
                && let Some(rule) = c.rule
            {
                let last = baseline + (lines - 1) as f32 * block.leading;
                page.items.push(Item::Rule(Rule {
                    x0: margins.left,
                    x1: self.layout.page.width - margins.right,
                    y: last + c.size * 0.45 + rule.thickness / 2.0,
                    thickness: rule.thickness,
                    color: rule.color,
                    tag: Tag::Artifact(Artifact::Header),
                }));
            }
        }
        Ok(())
    }

    pub(super) fn footers(&mut self, pages: &mut [Page]) -> Result<(), Error> {
        let footer = self.layout.footer.clone();
        if footer.text.trim().is_empty() {
            return Ok(());
        }
        let total = pages.len();
        let block = Self::furniture_block(footer.size, false, false, footer.align, footer.color);
        let margins = self.layout.page.margins;
        let baseline = self.layout.page.height - margins.bottom / 2.0;
        for (n, page) in pages.iter_mut().enumerate() {
            let furniture = Furniture {
                templates: &footer.text,
                place: footer.location.as_ref(),
                block: &block,
                artifact: Artifact::Footer,
            };
            self.place_furniture(page, &furniture, (n + 1, total), baseline)?;
        }
        Ok(())
    }
}

//! Paints a [`Document`] with krilla: glyph runs, rules, link annotations, the structure tree,
//! metadata, and the PDF/A and PDF/UA configuration. No layout decisions are made here.

use std::num::NonZeroU16;

use krilla::Document as PdfDocument;
use krilla::SerializeSettings;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::{BitsPerComponent, CustomImage, Image, ImageColorspace};
use krilla_svg::{SurfaceExt, SvgSettings};

use crate::image::Content;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::tagging::{
    self, ArtifactType, BBox, ContentTag, Identifier, ListNumbering, Node, SpanTag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{GlyphId, KrillaGlyph};

use crate::document::{Artifact, Document, Item, NodeId, Rule, StructKind, Tag, TextRun};
use crate::error::Error;
use crate::font::FontSet;
use crate::layout::{Color, Standard};

/// Where a structure element's children come from, in reading order.
enum Child {
    Node(NodeId),
    Content(Identifier),
}

/// Writes the document as PDF bytes.
pub fn write(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, Error> {
    write_with(doc, fonts, &[])
}

/// Writes the document with files attached as its sources (`/AFRelationship /Source`); the
/// document's standards must allow associated files (PDF/A-3a).
pub fn write_with(
    doc: &Document,
    fonts: &FontSet,
    attachments: &[crate::archive::Attachment],
) -> Result<Vec<u8>, Error> {
    let archival = doc
        .standards
        .iter()
        .find(|s| **s != Standard::Ua1)
        .copied()
        .unwrap_or(Standard::A2a);
    let mut config = ConfigurationBuilder::new().with_archival_validator(match archival {
        Standard::A1b => Archival::A1_B,
        Standard::A2a => Archival::A2_A,
        Standard::A2b => Archival::A2_B,
        Standard::A2u => Archival::A2_U,
        Standard::A3a => Archival::A3_A,
        Standard::Ua1 => unreachable!("filtered above"),
    });
    if doc.standards.contains(&Standard::Ua1) {
        config = config.with_accessibility_validator(Accessibility::UA1);
    }
    let configuration = config.finish().map_err(|e| Error::Pdf(format!("{e:?}")))?;
    let pdf14 = archival == Standard::A1b;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut pdf = PdfDocument::new_with(settings);
    pdf.set_metadata(metadata(doc));

    let mut children: Vec<Vec<Child>> = (0..doc.structure.len()).map(|_| Vec::new()).collect();
    let mut attached = vec![false; doc.structure.len()];
    let mut roots: Vec<NodeId> = Vec::new();
    let mut headings: Vec<(u8, String, usize, f32)> = Vec::new();
    let mut rasters: Vec<(crate::image::Raster, Image)> = Vec::new();
    let mut figure_boxes: Vec<Option<BBox>> = vec![None; doc.structure.len()];

    for (page_index, page) in doc.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(doc.width, doc.height)
            .ok_or_else(|| Error::Pdf("invalid page size".into()))?;
        let mut p = pdf.start_page_with(settings);
        let mut links: Vec<(NodeId, Rect)> = Vec::new();
        {
            let mut surface = p.surface();
            for item in &page.items {
                let tag = item.tag();
                let id = match tag {
                    Tag::Node(_) if matches!(item, Item::Image(_)) => {
                        surface.start_tagged(ContentTag::Other)
                    }
                    Tag::Node(_) => surface.start_tagged(ContentTag::Span(SpanTag::empty())),
                    Tag::Artifact(kind) => {
                        let kind = match (kind, pdf14) {
                            (_, true) => ArtifactType::PaginationOther,
                            (Artifact::Header, false) => ArtifactType::Header,
                            (Artifact::Footer, false) => ArtifactType::Footer,
                        };
                        surface
                            .start_tagged(ContentTag::Artifact(tagging::Artifact::with_kind(kind)))
                    }
                };
                match item {
                    Item::Text(run) => paint_run(&mut surface, run, fonts),
                    Item::Rule(rule) => paint_rule(&mut surface, rule),
                    Item::Image(image) => {
                        paint_image(&mut surface, image, &mut rasters)?;
                        if let Tag::Node(node) = image.tag {
                            figure_boxes[node] =
                                Rect::from_xywh(image.x, image.y, image.width, image.height)
                                    .map(|r| BBox::new(page_index, r));
                        }
                    }
                }
                surface.end_tagged();
                if let Tag::Node(node) = tag {
                    if !attached[node]
                        && let StructKind::Heading { level, title } = &doc.structure[node].kind
                        && let Item::Text(run) = item
                    {
                        headings.push((*level, title.clone(), page_index, run.y - run.size));
                    }
                    attach(doc, node, &mut attached, &mut children, &mut roots);
                    children[node].push(Child::Content(id));
                    if let Item::Text(run) = item
                        && let Some(link) = link_ancestor(doc, node)
                        && let Some(rect) = run_rect(run)
                    {
                        links.push((link, rect));
                    }
                }
            }
            surface.finish();
        }
        for (node, rect) in links {
            let StructKind::Link { url } = &doc.structure[node].kind else {
                continue;
            };
            let annotation = Annotation::new_link(
                LinkAnnotation::new(
                    rect,
                    Target::Action(Action::Link(LinkAction::new(url.clone()))),
                ),
                Some(format!("Link to {url}")),
            );
            let id = p.add_tagged_annotation(annotation);
            children[node].push(Child::Content(id));
        }
        p.finish();
    }

    // PDF/UA wants an outline; PDFBox Preflight rejects krilla's outline destinations in
    // PDF/A-1b files ("can't convert to Destination"), and PDF/A-1b does not need one.
    if doc.standards.contains(&Standard::Ua1) {
        pdf.set_outline(outline(&headings));
    }
    let mut tree = TagTree::new().with_lang(Some(doc.metadata.language.clone()));
    for root in roots {
        tree.push(group(doc, root, &mut children, &figure_boxes));
    }
    pdf.set_tag_tree(tree);
    embed(&mut pdf, doc, attachments)?;
    pdf.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

fn embed(
    pdf: &mut PdfDocument,
    doc: &Document,
    attachments: &[crate::archive::Attachment],
) -> Result<(), Error> {
    use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
    for a in attachments {
        let mime = MimeType::new(a.mime)
            .ok_or_else(|| Error::Pdf(format!("invalid MIME type {}", a.mime)))?;
        let file = EmbeddedFile {
            path: a.name.clone(),
            mime_type: Some(mime),
            description: Some(a.description.to_string()),
            association_kind: AssociationKind::Source,
            data: a.data.clone().into(),
            // PDF/A-3 wants a modification date; the document's own date keeps the bytes
            // reproducible.
            modification_date: document_date(&doc.metadata),
            // PNG and JPEG are compressed already.
            compress: Some(a.compress),
            location: None,
        };
        pdf.embed_file(file)
            .ok_or_else(|| Error::Pdf(format!("two attached files are both named {}", a.name)))?;
    }
    Ok(())
}

/// The outline: the title, with the body's headings nested under it by level.
fn outline(headings: &[(u8, String, usize, f32)]) -> Outline {
    fn build(headings: &[(u8, String, usize, f32)], at: &mut usize, level: u8) -> Vec<OutlineNode> {
        let mut nodes = Vec::new();
        while let Some((l, title, page, y)) = headings.get(*at) {
            if *l < level {
                break;
            }
            *at += 1;
            let mut node = OutlineNode::new(
                title.clone(),
                XyzDestination::new(*page, Point::from_xy(0.0, y.max(0.0))),
            );
            for child in build(headings, at, l + 1) {
                node.push_child(child);
            }
            nodes.push(node);
        }
        nodes
    }
    let mut outline = Outline::new();
    let mut at = 0;
    while at < headings.len() {
        let level = headings[at].0;
        for node in build(headings, &mut at, level) {
            outline.push_child(node);
        }
    }
    outline
}

/// Makes sure `node` and its ancestors are in the tree, in order of first appearance.
fn attach(
    doc: &Document,
    node: NodeId,
    attached: &mut [bool],
    children: &mut [Vec<Child>],
    roots: &mut Vec<NodeId>,
) {
    let mut n = node;
    loop {
        if attached[n] {
            return;
        }
        attached[n] = true;
        match doc.structure[n].parent {
            Some(parent) => {
                children[parent].push(Child::Node(n));
                n = parent;
            }
            None => {
                roots.push(n);
                return;
            }
        }
    }
}

fn link_ancestor(doc: &Document, node: NodeId) -> Option<NodeId> {
    let mut n = Some(node);
    while let Some(id) = n {
        if matches!(doc.structure[id].kind, StructKind::Link { .. }) {
            return Some(id);
        }
        n = doc.structure[id].parent;
    }
    None
}

fn group(
    doc: &Document,
    node: NodeId,
    children: &mut [Vec<Child>],
    boxes: &[Option<BBox>],
) -> TagGroup {
    let kind: TagKind = match &doc.structure[node].kind {
        StructKind::Heading { level, title } => tagging::Tag::Hn(
            NonZeroU16::new((*level).into()).unwrap_or(NonZeroU16::MIN),
            Some(title.clone()),
        )
        .into(),
        StructKind::Paragraph => tagging::Tag::P.into(),
        StructKind::List { ordered } => tagging::Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        StructKind::ListItem => tagging::Tag::LI.into(),
        StructKind::Label => tagging::Tag::Lbl.into(),
        StructKind::ListBody => tagging::Tag::LBody.into(),
        StructKind::Quote => tagging::Tag::BlockQuote.into(),
        StructKind::Link { .. } => tagging::Tag::Link.into(),
        StructKind::Span { lang } => tagging::Tag::Span.with_lang(Some(lang.clone())).into(),
        StructKind::Figure { alt } => tagging::Tag::Figure(Some(alt.clone()))
            .with_bbox(boxes[node])
            .into(),
    };
    let mut g = TagGroup::new(kind);
    for child in std::mem::take(&mut children[node]) {
        match child {
            Child::Node(n) => g.push(Node::Group(group(doc, n, children, boxes))),
            Child::Content(id) => g.push(id),
        }
    }
    g
}

fn krilla_color(c: Color) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Color) -> Fill {
    Fill {
        paint: krilla_color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// Glyphs per text-showing string at most. PDF/A caps a string at 32,767 bytes and a glyph
/// takes two, so one overlong word (16,384 glyphs without a break) made krilla refuse the
/// document; a run is drawn in pieces of this many glyphs instead, which looks and extracts
/// the same.
const GLYPHS_PER_STRING: usize = 4096;

fn paint_run(surface: &mut Surface, run: &TextRun, fonts: &FontSet) {
    if run.glyphs.is_empty() {
        return;
    }
    let size = run.size;
    let glyphs: Vec<KrillaGlyph> = run
        .glyphs
        .iter()
        .map(|g| KrillaGlyph {
            glyph_id: GlyphId::new(g.id.into()),
            text_range: g.text.clone(),
            x_advance: g.advance / size,
            x_offset: g.x_offset / size,
            y_offset: g.y_offset / size,
            y_advance: 0.0,
            location: None,
        })
        .collect();
    surface.set_fill(Some(fill(run.color)));
    let font = fonts.get(run.font).pdf.clone();
    let scaled = (run.hscale - 1.0).abs() > 1e-4;
    let origin = if scaled {
        surface.push_transform(&Transform::from_row(
            run.hscale, 0.0, 0.0, 1.0, run.x, run.y,
        ));
        (0.0, 0.0)
    } else {
        (run.x, run.y)
    };
    let mut x = origin.0;
    let mut from = 0;
    while from < glyphs.len() {
        let mut to = (from + GLYPHS_PER_STRING).min(glyphs.len());
        // Never between glyphs of one cluster, which share their text.
        while to < glyphs.len() && glyphs[to].text_range == glyphs[to - 1].text_range {
            to += 1;
        }
        surface.draw_glyphs(
            Point::from_xy(x, origin.1),
            &glyphs[from..to],
            font.clone(),
            &run.text,
            size,
            false,
        );
        x += run.glyphs[from..to].iter().map(|g| g.advance).sum::<f32>();
        from = to;
    }
    if scaled {
        surface.pop();
    }
}

/// A decoded raster as krilla takes it: 8-bit samples, gray or RGB, optional alpha.
#[derive(Clone, Hash)]
struct Pixels(crate::image::Raster);

impl CustomImage for Pixels {
    fn color_channel(&self) -> &[u8] {
        &self.0.color
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        self.0.alpha.as_deref().map(Vec::as_slice)
    }
    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.0.width, self.0.height)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> ImageColorspace {
        if self.0.gray {
            ImageColorspace::Luma
        } else {
            ImageColorspace::Rgb
        }
    }
}

fn paint_image(
    surface: &mut Surface,
    image: &crate::document::Image,
    cache: &mut Vec<(crate::image::Raster, Image)>,
) -> Result<(), Error> {
    let size = Size::from_wh(image.width, image.height)
        .ok_or_else(|| Error::Pdf("an image of zero size".into()))?;
    surface.push_transform(&Transform::from_translate(image.x, image.y));
    let painted = match &image.content {
        Content::Raster(raster) => {
            let pdf_image = match cache.iter().find(|(r, _)| r == raster) {
                Some((_, i)) => i.clone(),
                None => {
                    let i =
                        Image::from_custom(Pixels(raster.clone()), false).map_err(Error::Pdf)?;
                    cache.push((raster.clone(), i.clone()));
                    i
                }
            };
            surface.draw_image(pdf_image, size);
            Some(())
        }
        // Text was refused when the SVG was loaded, so there is none to embed or outline.
        Content::Svg(svg) => surface.draw_svg(&svg.tree, size, SvgSettings::default()),
    };
    surface.pop();
    painted.ok_or_else(|| Error::Pdf("an SVG image could not be drawn".into()))
}

fn paint_rule(surface: &mut Surface, rule: &Rule) {
    let half = rule.thickness / 2.0;
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_ltrb(rule.x0, rule.y - half, rule.x1, rule.y + half) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(fill(rule.color)));
        surface.draw_path(&path);
    }
}

fn run_rect(run: &TextRun) -> Option<Rect> {
    Rect::from_xywh(
        run.x,
        run.y - 0.8 * run.size,
        run.width().max(1.0),
        run.size * 1.05,
    )
}

fn metadata(doc: &Document) -> Metadata {
    let m = &doc.metadata;
    let mut meta = Metadata::new()
        .title(m.title.clone())
        .language(m.language.clone())
        .creator(format!("communique {}", env!("CARGO_PKG_VERSION")));
    if let Some(subject) = &m.subject {
        meta = meta.description(subject.clone());
    }
    if let Some(author) = &m.author {
        meta = meta.authors(vec![author.clone()]);
    }
    if !m.keywords.is_empty() {
        meta = meta.keywords(m.keywords.clone());
    }
    if let Some(date) = document_date(m) {
        meta = meta.creation_date(date);
    }
    meta
}

fn document_date(m: &crate::document::Metadata) -> Option<DateTime> {
    match (m.timestamp, m.date) {
        (Some(ts), _) => Some(from_timestamp(ts)),
        (None, Some(d)) => Some(
            DateTime::new(d.year)
                .month(d.month)
                .day(d.day)
                .hour(0)
                .minute(0)
                .second(0)
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        ),
        (None, None) => None,
    }
}

/// A UTC date from seconds since the epoch (proleptic Gregorian; Howard Hinnant's algorithm).
fn from_timestamp(ts: i64) -> DateTime {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    DateTime::new(year.clamp(0, 9999) as u16)
        .month(month as u8)
        .day(day as u8)
        .hour((secs / 3600) as u8)
        .minute((secs / 60 % 60) as u8)
        .second((secs % 60) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_dates() {
        let d = format!("{:?}", from_timestamp(1_580_256_000));
        assert!(d.contains("2020") && d.contains("29"), "{d}");
    }
}

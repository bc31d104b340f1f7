//! The typeset document: pages of positioned glyph runs and rules, each tagged with its place
//! in the logical structure. The typesetter makes it; the PDF painter only paints it.

use std::ops::Range;

use crate::font::FontId;
use crate::layout::{Color, Standard};
use crate::statement::Date;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Page>,
    /// Structure elements; a node's parent always comes before it.
    pub structure: Vec<StructNode>,
    pub metadata: Metadata,
    pub standards: Vec<Standard>,
    /// Where a visible signature field goes: beside the signature block, or below the text.
    pub signature_area: Option<Area>,
    /// One empty signature field per signatory (`[signature] fields`), in their order.
    pub signature_fields: Vec<Area>,
}

/// A rectangle on a page, in points from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub subject: Option<String>,
    pub language: String,
    pub author: Option<String>,
    pub keywords: Vec<String>,
    pub date: Option<Date>,
    /// Seconds since the epoch from SOURCE_DATE_EPOCH, which wins over `date`.
    pub timestamp: Option<i64>,
}

pub type NodeId = usize;

#[derive(Debug, Clone, PartialEq)]
pub struct StructNode {
    pub kind: StructKind,
    pub parent: Option<NodeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StructKind {
    /// Heading of the given level (the title is level 1) with its text, which PDF/UA wants
    /// as the element's title and the outline shows.
    Heading {
        level: u8,
        title: String,
    },
    Paragraph,
    List {
        ordered: bool,
    },
    ListItem,
    Label,
    ListBody,
    Quote,
    Link {
        url: String,
    },
    /// Text in another language than the document's (`<span lang="...">`), tagged with /Lang.
    Span {
        lang: String,
    },
    /// An image that means something (a logo, a signature), with its alternate text.
    Figure {
        alt: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    Header,
    Footer,
}

/// Where a piece of content belongs: a structure element, or page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Node(NodeId),
    Artifact(Artifact),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextRun),
    Rule(Rule),
    Image(Image),
}

impl Item {
    pub fn tag(&self) -> Tag {
        match self {
            Item::Text(run) => run.tag,
            Item::Rule(rule) => rule.tag,
            Item::Image(image) => image.tag,
        }
    }
}

/// An image (raster or vector) scaled into a box; `x`, `y` are its top-left corner in points from the
/// page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub content: crate::image::Content,
    pub tag: Tag,
}

/// Glyphs of one font and size on one baseline. Coordinates are points from the page's
/// top-left corner; `y` is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub x: f32,
    pub y: f32,
    pub font: FontId,
    pub size: f32,
    /// Horizontal glyph scale from font expansion (1.0 = none).
    pub hscale: f32,
    pub color: Color,
    pub glyphs: Vec<PlacedGlyph>,
    /// The text the glyphs stand for; each glyph names its part of it.
    pub text: String,
    pub tag: Tag,
}

impl TextRun {
    /// Width on the page, in points.
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum::<f32>() * self.hscale
    }
}

/// A glyph with its advance and offsets in points, before horizontal scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    pub text: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub thickness: f32,
    pub color: Color,
    pub tag: Tag,
}

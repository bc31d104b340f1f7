//! Test PDFs produced with krilla 0.8.2 the way the main pipeline does.

use std::num::NonZeroU16;
use std::sync::Arc;

use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{ContentTag, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::{Font, TextDirection};

/// Which standard the generated test PDF targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// PDF/A-2a + PDF/UA-1, tagged (the default output of communique).
    A2aUa1,
    /// PDF/A-1b, tagged as the main pipeline does.
    A1b,
    /// PDF/A-1b without any tagging (no structure tree at all).
    A1bUntagged,
}

const FONT: &[u8] = include_bytes!("../../fonts/NotoSerif-Regular.ttf");

fn draw_line(
    surface: &mut Surface,
    tagged: bool,
    font: &Font,
    size: f32,
    y: f32,
    text: &str,
) -> Option<krilla::tagging::Identifier> {
    let id = tagged.then(|| surface.start_tagged(ContentTag::Span(SpanTag::empty())));
    surface.draw_text(
        Point::from_xy(72.0, y),
        font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
    if tagged {
        surface.end_tagged();
    }
    id
}

/// Build a small statement PDF with `pages` pages (each with an H1 and a P).
pub fn make_pdf(profile: Profile, pages: usize) -> Vec<u8> {
    let configuration = match profile {
        Profile::A2aUa1 => ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_A)
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .expect("valid configuration"),
        Profile::A1b | Profile::A1bUntagged => ConfigurationBuilder::new()
            .with_archival_validator(Archival::A1_B)
            .finish()
            .expect("valid configuration"),
    };
    let tagged = profile != Profile::A1bUntagged;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: tagged,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let font = Font::new(Arc::new(FONT.to_vec()).into(), 0).expect("font loads");
    let mut tree = TagTree::new();
    let mut outline = Outline::new();
    for page_no in 0..pages {
        let mut page = document.start_page_with(PageSettings::from_wh(595.0, 842.0).unwrap());
        let mut surface = page.surface();
        let h = draw_line(
            &mut surface,
            tagged,
            &font,
            20.0,
            100.0,
            &format!("Official statement, page {}", page_no + 1),
        );
        let p = draw_line(
            &mut surface,
            tagged,
            &font,
            11.0,
            140.0,
            "The ministry confirms the figures published today.",
        );
        surface.finish();
        page.finish();
        if let (Some(h), Some(p)) = (h, p) {
            let mut h1 = TagGroup::new(Tag::Hn(
                NonZeroU16::new(1).unwrap(),
                Some(format!("Official statement, page {}", page_no + 1)),
            ));
            h1.push(h);
            let mut para = TagGroup::new(Tag::P);
            para.push(p);
            tree.push(h1);
            tree.push(para);
        }
        outline.push_child(OutlineNode::new(
            format!("Page {}", page_no + 1),
            XyzDestination::new(page_no, Point::from_xy(0.0, 0.0)),
        ));
    }
    let metadata = Metadata::new()
        .title("Official statement".to_string())
        .language("en".to_string())
        .creation_date(
            DateTime::new(2026)
                .month(5)
                .day(14)
                .hour(12)
                .minute(0)
                .second(0)
                .utc_offset_hour(0),
        );
    // PDF/UA-1 wants an outline. PDF/A-1b does not, and PDFBox 2.0.27
    // Preflight cannot read krilla's indirect outline /Dest arrays
    // ("can't convert to Destination"), so A-1b test files get none.
    if profile == Profile::A2aUa1 {
        document.set_outline(outline);
    }
    document.set_metadata(metadata);
    if tagged {
        document.set_tag_tree(tree);
    }
    document.finish().expect("krilla export succeeds")
}

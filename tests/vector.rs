//! Vector letterheads: SVG logos and signature images are painted as vector content, valid
//! PDF/A-2a + PDF/UA-1 (krilla's validators run on every render) and PDF/A-1b (PDFBox
//! Preflight); hostile or unsuitable SVGs and PDF logos are refused when the layout or
//! statement is loaded, at the line that named them, quickly and without reading anything else.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use communique::document::{Item, StructKind, Tag};
use communique::image::Content;
use communique::{Error, FontSet, Layout, Options, Standard, Statement};

fn emblem_svg() -> Vec<u8> {
    std::fs::read(common::root().join("layouts/assets/ministry-emblem.svg")).unwrap()
}

/// A handwritten-looking signature: strokes only, no text.
const SIGNATURE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 80">
  <path d="M10,60 C40,10 60,10 70,50 S100,70 120,30 C130,10 150,60 170,40 S220,20 290,45"
        fill="none" stroke="#1F3864" stroke-width="3" stroke-linecap="round"/>
</svg>"##;

const LOGO: &str = "[letterhead]\nlines = [\"MINISTRY\"]\n\nlogo = { path = \"logo.svg\", height = \"20mm\", alt = \"Emblem\" }\n";

fn layout_with(dir: &Path, files: &[(&str, &[u8])]) -> Result<Layout, Error> {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let path = dir.join("l.toml");
    std::fs::write(&path, LOGO).unwrap();
    Layout::load(&path)
}

fn render(s: &Statement, l: &Layout, pdfa: Option<Standard>) -> Result<Vec<u8>, Error> {
    let fonts = FontSet::load(l)?;
    let options = Options {
        pdfa,
        timestamp: None,
    };
    communique::render(s, l, &fonts, &options).map(|r| r.pdf)
}

fn seed() -> Statement {
    common::load_statement(&common::seed_statement())
}

fn messages(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(d) => d.iter().map(|d| d.to_string()).collect(),
        other => panic!("expected diagnostics, got {other}"),
    }
}

/// The one message of loading a layout whose logo is `bytes`, checked to be at the logo's line,
/// and that it came quickly.
fn svg_error(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let e = layout_with(dir.path(), &[("logo.svg", bytes)]).expect_err(name);
    let took = start.elapsed();
    eprintln!("{name}: refused in {took:?}");
    assert!(took < Duration::from_secs(20), "{name} took {took:?}");
    let m = messages(e);
    assert_eq!(m.len(), 1, "{m:#?}");
    let at = format!(
        "{}:4:17: image logo.svg: ",
        dir.path().join("l.toml").display()
    );
    assert!(m[0].starts_with(&at), "{} does not start with {at}", m[0]);
    m[0].clone()
}

/// `tests/golden/vector/NAME` must equal `pdf` byte for byte; `UPDATE_GOLDEN=1 cargo test
/// --release --test vector` rewrites it. (tests/golden.rs only looks at tests/golden/*.pdf.)
fn golden(name: &str, pdf: &[u8]) {
    let path = common::root().join("tests/golden/vector").join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, pdf).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with `UPDATE_GOLDEN=1 cargo test --release --test vector`",
            path.display()
        )
    });
    if expected != pdf {
        let actual = out_dir().join(name);
        std::fs::write(&actual, pdf).unwrap();
        panic!(
            "{} differs from the golden (actual in {}); if intended, run `UPDATE_GOLDEN=1 cargo \
             test --release --test vector`",
            name,
            actual.display()
        );
    }
}

#[test]
fn golden_svg_signature_and_svg_logo() {
    let statement = common::load_statement(&common::root().join("tests/vector_assets/signed.md"));
    let builtin = Layout::builtin();
    golden(
        "svg-signature--default.pdf",
        &render(&statement, &builtin, None).unwrap(),
    );
    golden(
        "svg-signature--default-a1b.pdf",
        &render(&statement, &builtin, Some(Standard::A1b)).unwrap(),
    );
    let ministry = common::load_layout(&common::root().join("layouts/ministry.toml"));
    golden(
        "svg-signature--ministry.pdf",
        &render(&statement, &ministry, None).unwrap(),
    );
    golden(
        "svg-signature--ministry-a1b.pdf",
        &render(&statement, &ministry, Some(Standard::A1b)).unwrap(),
    );
}

fn out_dir() -> PathBuf {
    let dir = common::target_dir().join("vector");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn has_raster_image(pdf: &[u8]) -> bool {
    // krilla writes dictionaries without spaces between keys and values.
    let text = String::from_utf8_lossy(pdf);
    text.contains("/Subtype/Image") || text.contains("/Subtype /Image")
}

fn check_a1b_and_fonts(name: &str, a2a: &[u8], a1b: &[u8]) {
    let a2a_path = out_dir().join(format!("{name}-a2a.pdf"));
    let a1b_path = out_dir().join(format!("{name}-a1b.pdf"));
    std::fs::write(&a2a_path, a2a).unwrap();
    std::fs::write(&a1b_path, a1b).unwrap();
    if common::require_pdffonts() {
        for p in [&a2a_path, &a1b_path] {
            let out = Command::new("pdffonts").arg(p).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            // Columns: name type encoding emb sub uni object ID.
            for line in text.lines().skip(2) {
                let cols: Vec<&str> = line.split_whitespace().collect();
                assert!(
                    cols.len() >= 5 && cols[cols.len() - 5] == "yes",
                    "{}: a font is not embedded: {line}",
                    p.display()
                );
            }
        }
    }
    if common::require_preflight() {
        let out = Command::new("java")
            .arg("-cp")
            .arg(
                [
                    "/usr/share/java/preflight.jar",
                    "/usr/share/java/pdfbox2.jar",
                    "/usr/share/java/fontbox2.jar",
                    "/usr/share/java/xmpbox.jar",
                    "/usr/share/java/commons-logging.jar",
                    "/usr/share/java/javax.activation.jar",
                    "/usr/share/java/jaxb-api.jar",
                ]
                .join(":"),
            )
            .arg("org.apache.pdfbox.preflight.Validator_A1b")
            .arg(&a1b_path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("is a valid PDF/A-1b file"),
            "Preflight on {}:\n{text}",
            a1b_path.display()
        );
    }
}

#[test]
fn an_svg_logo_is_vector_content_in_a_figure_valid_in_every_level() {
    let dir = tempfile::tempdir().unwrap();
    let layout = layout_with(dir.path(), &[("logo.svg", &emblem_svg())]).unwrap();
    let logo = layout.letterhead.logo.as_ref().unwrap();
    assert!(matches!(logo.image.content(), Ok(Content::Svg(_))));
    // The archive embeds the sources: the layout lists the file it read, with its bytes.
    let images = layout.images();
    assert_eq!(images.len(), 1);
    assert_eq!(*images[0].bytes, emblem_svg());
    assert_eq!(images[0].source, dir.path().join("logo.svg"));

    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) = communique::typeset::typeset(
        &seed(),
        &layout,
        &fonts,
        &[Standard::A2a, Standard::Ua1],
        None,
    )
    .unwrap();
    let Some(Item::Image(image)) = doc.pages[0].items.first() else {
        panic!("the logo comes first")
    };
    let Tag::Node(figure) = image.tag else {
        panic!("the logo is an artifact")
    };
    assert_eq!(
        doc.structure[figure].kind,
        StructKind::Figure {
            alt: "Emblem".into()
        }
    );
    assert!((image.height - 20.0 * 72.0 / 25.4).abs() < 0.01);
    assert!(
        (image.width - image.height).abs() < 0.01,
        "the emblem is square"
    );

    // A render is checked by krilla's PDF/A-2a and PDF/UA-1 validators.
    let a2a = render(&seed(), &layout, None).unwrap();
    let a1b = render(&seed(), &layout, Some(Standard::A1b)).unwrap();
    assert!(!has_raster_image(&a2a), "the SVG logo was rasterised");
    assert!(!has_raster_image(&a1b), "the SVG logo was rasterised");
    check_a1b_and_fonts("svg-logo", &a2a, &a1b);
}

#[test]
fn an_svg_signature_image_is_a_figure_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sig.svg"), SIGNATURE_SVG).unwrap();
    let path = dir.path().join("s.md");
    std::fs::write(
        &path,
        "+++\ntitle = \"Statement on Testing\"\ndateline = \"Geneva, 14 May 2026\"\n\
         [[signatories]]\nname = \"Jane Doe\"\nrole = \"Minister\"\nimage = \"sig.svg\"\n\
         image_alt = \"Signature of Jane Doe\"\n+++\nA paragraph.\n",
    )
    .unwrap();
    let statement = Statement::load(&path).unwrap();
    assert_eq!(statement.images().len(), 1);
    assert_signature_drawn_as_a_figure(&statement, "Signature of Jane Doe", "svg-signature");
}

#[test]
fn the_bundled_ministry_layout_has_a_vector_emblem() {
    let layout = common::load_layout(&common::root().join("layouts/ministry.toml"));
    let logo = layout.letterhead.logo.as_ref().unwrap();
    assert!(logo.image.path.extension().is_some_and(|e| e == "svg"));
    assert!(matches!(logo.image.content(), Ok(Content::Svg(_))));
}

#[test]
fn transparency_is_kept_in_pdf_a2_and_refused_for_a1b_at_the_logo_line() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
        <rect width="10" height="10" fill="#1F3864" fill-opacity="0.5"/></svg>"##;
    let dir = tempfile::tempdir().unwrap();
    let layout = layout_with(dir.path(), &[("logo.svg", svg)]).unwrap();
    render(&seed(), &layout, None).unwrap();
    let m = messages(render(&seed(), &layout, Some(Standard::A1b)).unwrap_err());
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].contains("l.toml:4:17: image logo.svg: ")
            && m[0].contains("transparency (fill or stroke opacity)")
            && m[0].contains("PDF/A-1b")
            && m[0].contains("--pdfa a-2a"),
        "{m:#?}"
    );
}

#[test]
fn text_in_an_svg_must_be_outlined() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20">
<text x="0" y="15">MINISTRY</text></svg>"#;
    let m = svg_error("text", svg);
    assert!(
        m.contains("<text> at line 2") && m.contains("outlines"),
        "{m}"
    );
}

#[test]
fn external_references_are_refused_and_never_followed() {
    // A server on loopback that must see no connection.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    server.set_nonblocking(true).unwrap();
    let url = format!("http://{}/x.png", server.local_addr().unwrap());
    let http = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">\n\
         <image width=\"10\" height=\"10\" xlink:href=\"{url}\"/></svg>"
    );
    let m = svg_error("http href", http.as_bytes());
    assert!(
        m.contains(&format!("`{url}` outside itself")) && m.contains("line 2"),
        "{m}"
    );
    let css = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\
         <rect width=\"10\" height=\"10\" style=\"fill: url({url}#p)\"/></svg>"
    );
    assert!(svg_error("http paint", css.as_bytes()).contains("outside itself"));
    assert!(
        matches!(server.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the SVG loader connected to {url}"
    );
    let outside = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<image width="10" height="10" href="../../../etc/secret.png"/></svg>"#;
    assert!(svg_error("path outside", outside).contains("outside itself"));
    let file_url = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<rect width="10" height="10" fill="url(file:///etc/passwd#x)"/></svg>"#;
    assert!(svg_error("file url paint", file_url).contains("outside itself"));
    let import = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<style>@import url("http://127.0.0.1:9/a.css");</style><rect width="10" height="10"/></svg>"#;
    assert!(svg_error("css import", import).contains("imports"));
    let entity = br#"<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><desc>&x;</desc><rect width="10" height="10"/></svg>"#;
    svg_error("external entity", entity);
    let script = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<script>alert(1)</script><rect width="10" height="10"/></svg>"#;
    assert!(svg_error("script", script).contains("<script>"));
}

#[test]
fn billion_laughs_is_refused() {
    let mut svg = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{prev};").repeat(10);
        svg.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    svg.push_str(
        "]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><desc>&lol9;</desc>\
         <rect width=\"10\" height=\"10\"/></svg>",
    );
    let m = svg_error("billion laughs", svg.as_bytes());
    assert!(m.contains("entities"), "{m}");
}

#[test]
fn use_bombs_and_reference_loops_are_refused() {
    // Nine levels of ten <use> each: a billion rectangles if expanded.
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         viewBox=\"0 0 10 10\"><defs><rect id=\"a0\" width=\"1\" height=\"1\"/>",
    );
    for i in 1..10 {
        svg.push_str(&format!("<g id=\"a{i}\">"));
        for _ in 0..10 {
            svg.push_str(&format!("<use xlink:href=\"#a{}\"/>", i - 1));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</defs><use xlink:href=\"#a9\"/></svg>");
    let m = svg_error("use bomb", svg.as_bytes());
    assert!(m.contains("expand it to more than 200000 elements"), "{m}");
    let by_paint = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<g id="g"><rect width="10" height="10" fill="url(#g)"/></g></svg>"##;
    assert!(svg_error("paint loop", by_paint).contains("refers to itself"));
    let by_use = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<g id="g"><rect width="10" height="10"/><use href="#g"/></g></svg>"##;
    assert!(svg_error("use loop", by_use).contains("refers to itself"));
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let depth = 10_000;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">{}<rect width=\"10\" height=\"10\"/>{}</svg>",
        "<g>".repeat(depth),
        "</g>".repeat(depth)
    );
    let m = svg_error("10,000-deep nesting", svg.as_bytes());
    assert!(m.contains("nested more than 64 deep"), "{m}");
}

#[test]
fn huge_path_data_is_refused_before_it_is_parsed() {
    // 5 MB of path data: over the SVG limit, refused from its length.
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><path d=\"M0,0",
    );
    while svg.len() < 5 * 1024 * 1024 {
        svg.push_str(" L1,1 L2,2 L3,3 L4,4");
    }
    svg.push_str("\"/></svg>");
    let m = svg_error("5 MB path data", svg.as_bytes());
    assert!(m.contains("more than the limit of 4 MiB"), "{m}");

    // 100 MB: refused from the file's size, without reading it.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("logo.svg");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    std::fs::write(dir.path().join("l.toml"), LOGO).unwrap();
    let start = Instant::now();
    let m = messages(Layout::load(&dir.path().join("l.toml")).unwrap_err());
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(m[0].contains("larger than the limit"), "{m:#?}");
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn embedded_images_pass_the_raster_limits() {
    let png = std::fs::read(common::root().join("layouts/assets/ministry-emblem.png")).unwrap();
    let svg = |png: &[u8]| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\
             <image width=\"10\" height=\"10\" href=\"data:image/png;base64,{}\"/></svg>",
            base64(png)
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = layout_with(dir.path(), &[("logo.svg", svg(&png).as_bytes())]).unwrap();
    render(&seed(), &layout, None).unwrap();
    // The same PNG claiming to be 100,000 pixels square.
    let mut huge = png.clone();
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let m = svg_error("embedded huge png", svg(&huge).as_bytes());
    assert!(
        m.contains("an image embedded in the SVG is refused") && m.contains("100000x100000"),
        "{m}"
    );
}

#[test]
fn malformed_and_empty_svgs_are_refused() {
    assert!(
        svg_error(
            "malformed",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>"
        )
        .contains("not well-formed XML")
    );
    let empty = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>"#;
    assert!(svg_error("empty", empty).contains("empty"));
}

// ---------------------------------------------------------------------------------------------
// PDF logos and signatures: a page converted to vector paths (glyphs as outlines).

/// The crest test asset: a shield with a chevron and a ring, "C" in the middle and a word
/// below in an embedded (subset) Liberation Serif Bold, written by krilla so that it is the same
/// on every machine. Committed as tests/vector_assets/crest.pdf; `UPDATE_GOLDEN=1` rewrites it.
fn make_crest_pdf() -> Vec<u8> {
    use krilla::color::rgb;
    use krilla::geom::{PathBuilder, Point};
    use krilla::page::PageSettings;
    use krilla::paint::{Fill, Stroke};
    use krilla::text::{Font, TextDirection};
    let font_bytes = std::fs::read(common::root().join("fonts/LiberationSerif-Bold.ttf")).unwrap();
    let font = Font::new(font_bytes.into(), 0).unwrap();
    let navy = rgb::Color::new(0x1F, 0x38, 0x64);
    let gold = rgb::Color::new(0xC9, 0xA2, 0x27);
    let fill = |c: rgb::Color| Fill {
        paint: c.into(),
        ..Fill::default()
    };
    let mut doc = krilla::Document::new();
    {
        let mut page = doc.start_page_with(PageSettings::from_wh(160.0, 200.0).unwrap());
        let mut s = page.surface();
        // The shield.
        let mut pb = PathBuilder::new();
        pb.move_to(10.0, 10.0);
        pb.line_to(150.0, 10.0);
        pb.line_to(150.0, 110.0);
        pb.cubic_to(150.0, 150.0, 110.0, 175.0, 80.0, 190.0);
        pb.cubic_to(50.0, 175.0, 10.0, 150.0, 10.0, 110.0);
        pb.close();
        s.set_fill(Some(fill(navy)));
        s.set_stroke(Some(Stroke {
            paint: gold.into(),
            width: 4.0,
            ..Stroke::default()
        }));
        s.draw_path(&pb.finish().unwrap());
        s.set_stroke(None);
        // A ring.
        let mut pb = PathBuilder::new();
        circle(&mut pb, 80.0, 80.0, 45.0);
        circle(&mut pb, 80.0, 80.0, 38.0);
        s.set_fill(Some(Fill {
            paint: gold.into(),
            rule: krilla::paint::FillRule::EvenOdd,
            ..Fill::default()
        }));
        s.draw_path(&pb.finish().unwrap());
        // A chevron.
        let mut pb = PathBuilder::new();
        pb.move_to(30.0, 150.0);
        pb.line_to(80.0, 130.0);
        pb.line_to(130.0, 150.0);
        pb.line_to(130.0, 160.0);
        pb.line_to(80.0, 140.0);
        pb.line_to(30.0, 160.0);
        pb.close();
        s.draw_path(&pb.finish().unwrap());
        // Text in an embedded font.
        s.set_fill(Some(fill(rgb::Color::new(255, 255, 255))));
        s.draw_text(
            Point::from_xy(58.0, 100.0),
            font.clone(),
            60.0,
            "C",
            false,
            TextDirection::Auto,
        );
        s.set_fill(Some(fill(gold)));
        s.draw_text(
            Point::from_xy(40.0, 30.0),
            font,
            14.0,
            "CIVITAS",
            false,
            TextDirection::Auto,
        );
        s.finish();
        page.finish();
    }
    doc.finish().unwrap()
}

fn circle(pb: &mut krilla::geom::PathBuilder, cx: f32, cy: f32, r: f32) {
    let k = 0.552_284_8 * r;
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
}

/// A signature drawn as one stroked curve, as a tablet app exports it.
fn make_signature_pdf() -> Vec<u8> {
    use krilla::color::rgb;
    use krilla::geom::PathBuilder;
    use krilla::page::PageSettings;
    use krilla::paint::{LineCap, Stroke};
    let mut doc = krilla::Document::new();
    {
        let mut page = doc.start_page_with(PageSettings::from_wh(300.0, 80.0).unwrap());
        let mut s = page.surface();
        let mut pb = PathBuilder::new();
        pb.move_to(10.0, 60.0);
        pb.cubic_to(40.0, 10.0, 60.0, 10.0, 70.0, 50.0);
        pb.cubic_to(80.0, 70.0, 100.0, 70.0, 120.0, 30.0);
        pb.cubic_to(130.0, 10.0, 150.0, 60.0, 170.0, 40.0);
        pb.cubic_to(200.0, 20.0, 220.0, 20.0, 290.0, 45.0);
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: rgb::Color::new(0x1F, 0x38, 0x64).into(),
            width: 3.0,
            line_cap: LineCap::Round,
            ..Stroke::default()
        }));
        s.draw_path(&pb.finish().unwrap());
        s.finish();
        page.finish();
    }
    doc.finish().unwrap()
}

/// tests/vector_assets/NAME, which must equal `made` (rewritten with `UPDATE_GOLDEN=1`).
fn asset(name: &str, made: Vec<u8>) -> Vec<u8> {
    let path = common::root().join("tests/vector_assets").join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &made).unwrap();
        eprintln!("wrote {}", path.display());
    }
    let committed = std::fs::read(&path).unwrap();
    assert!(
        committed == made,
        "{} is not what the test writes; `UPDATE_GOLDEN=1 cargo test --test vector` rewrites it",
        path.display()
    );
    committed
}

#[test]
fn the_pdf_assets_are_reproducible() {
    asset("crest.pdf", make_crest_pdf());
    asset("signature.pdf", make_signature_pdf());
}

fn crest_pdf() -> Vec<u8> {
    std::fs::read(common::root().join("tests/vector_assets/crest.pdf")).unwrap()
}

fn signature_pdf() -> Vec<u8> {
    std::fs::read(common::root().join("tests/vector_assets/signature.pdf")).unwrap()
}

#[test]
fn golden_pdf_logo_and_pdf_signature() {
    let statement =
        common::load_statement(&common::root().join("tests/vector_assets/signed-pdf.md"));
    let layout = common::load_layout(&common::root().join("tests/vector_assets/pdf-logo.toml"));
    let a2a = render(&statement, &layout, None).unwrap();
    let a1b = render(&statement, &layout, Some(Standard::A1b)).unwrap();
    golden("pdf-logo--signed.pdf", &a2a);
    golden("pdf-logo--signed-a1b.pdf", &a1b);
}

#[test]
fn a_pdf_logo_is_vector_content_with_outlined_text_valid_in_every_level() {
    let converted = communique::image::pdf::convert(&crest_pdf(), None).unwrap();
    // Glyphs became paths: no text, no font, no image left in the drawing.
    assert!(!converted.svg.contains("<text"), "{}", converted.svg);
    assert!(!converted.svg.contains("<image"), "{}", converted.svg);
    assert!(converted.svg.contains("<use xlink:href=\"#g0\""));
    assert_eq!(converted.transparent, None);

    let dir = tempfile::tempdir().unwrap();
    let layout = pdf_layout(dir.path(), &crest_pdf(), "").unwrap();
    let logo = layout.letterhead.logo.as_ref().unwrap();
    let Ok(Content::Svg(svg)) = logo.image.content() else {
        panic!("the PDF logo is not a drawing")
    };
    assert!((svg.aspect() - 160.0 / 200.0).abs() < 1e-4);
    assert_eq!(*layout.images()[0].bytes, crest_pdf());

    let a2a = render(&seed(), &layout, None).unwrap();
    let a1b = render(&seed(), &layout, Some(Standard::A1b)).unwrap();
    assert!(!has_raster_image(&a2a), "the PDF logo was rasterised");
    assert!(!has_raster_image(&a1b), "the PDF logo was rasterised");
    // The crest's font is not carried over: its glyphs are paths now.
    assert!(!String::from_utf8_lossy(&a2a).contains("LiberationSerif-Bold"));
    check_a1b_and_fonts("pdf-logo", &a2a, &a1b);
}

#[test]
fn a_pdf_signature_image_is_a_figure() {
    let statement =
        common::load_statement(&common::root().join("tests/vector_assets/signed-pdf.md"));
    assert_signature_drawn_as_a_figure(
        &statement,
        "Signature of Isolde Varnhagen-Okafor",
        "pdf-signature",
    );
}

/// The statement's one signature image is drawn as vector content, 300 by 80 in shape, tagged
/// as a Figure with `alt`, and the PDFs pass as in [`check_a1b_and_fonts`] under `label`.
fn assert_signature_drawn_as_a_figure(statement: &Statement, alt: &str, label: &str) {
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) = communique::typeset::typeset(
        statement,
        &layout,
        &fonts,
        &[Standard::A2a, Standard::Ua1],
        None,
    )
    .unwrap();
    let image = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .find_map(|i| match i {
            Item::Image(img) => Some(img),
            _ => None,
        })
        .expect("the signature is drawn");
    assert!(matches!(image.content, Content::Svg(_)));
    assert!((image.width / image.height - 300.0 / 80.0).abs() < 0.01);
    let Tag::Node(figure) = image.tag else {
        panic!("not tagged")
    };
    assert_eq!(
        doc.structure[figure].kind,
        StructKind::Figure { alt: alt.into() }
    );
    let a2a = render(statement, &layout, None).unwrap();
    let a1b = render(statement, &layout, Some(Standard::A1b)).unwrap();
    assert!(!has_raster_image(&a2a));
    check_a1b_and_fonts(label, &a2a, &a1b);
}

/// A layout in `dir` whose logo is logo.pdf with `bytes`; `extra` goes into the logo's table.
fn pdf_layout(dir: &Path, bytes: &[u8], extra: &str) -> Result<Layout, Error> {
    std::fs::write(dir.join("logo.pdf"), bytes).unwrap();
    let path = dir.join("l.toml");
    std::fs::write(
        &path,
        format!(
            "[letterhead]\nlines = [\"MINISTRY\"]\n\nlogo = {{ path = \"logo.pdf\", height = \
             \"20mm\", alt = \"Crest\"{extra} }}\n"
        ),
    )
    .unwrap();
    Layout::load(&path)
}

/// The one message of loading a layout whose logo is the PDF `bytes`, at the logo's line, and
/// quickly.
fn pdf_error(name: &str, bytes: &[u8], extra: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let e = pdf_layout(dir.path(), bytes, extra).expect_err(name);
    let took = start.elapsed();
    eprintln!("{name}: refused in {took:?}");
    assert!(took < Duration::from_secs(25), "{name} took {took:?}");
    let m = messages(e);
    assert_eq!(m.len(), 1, "{m:#?}");
    let at = format!(
        "{}:4:17: image logo.pdf: ",
        dir.path().join("l.toml").display()
    );
    assert!(m[0].starts_with(&at), "{} does not start with {at}", m[0]);
    m[0].clone()
}

/// A PDF file from its objects (object 1 is the catalog), with a correct cross-reference table.
fn pdf_file(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend(data);
    out.extend(b"\nendstream");
    out
}

/// A one-page 100 x 50 PDF: catalog (1) with `catalog`, pages (2), the page (3) with `page` and
/// resources `resources`, its content (4), then `more` objects from 5.
fn one_page(
    catalog: &str,
    page: &str,
    resources: &str,
    content: &[u8],
    more: &[Vec<u8>],
) -> Vec<u8> {
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 50] /Contents 4 0 R \
             /Resources << {resources} >> {page} >>"
        )
        .into_bytes(),
        stream("", content),
    ];
    objects.extend(more.iter().cloned());
    pdf_file(&objects)
}

const SQUARE: &[u8] = b"0 0 1 rg 10 10 30 30 re f";

#[test]
fn a_handwritten_pdf_logo_loads() {
    // The helpers make a file the checks accept, so each refusal below is for its one reason.
    let dir = tempfile::tempdir().unwrap();
    pdf_layout(dir.path(), &one_page("", "", "", SQUARE, &[]), "").unwrap();
}

#[test]
fn page_picks_a_page_and_is_checked() {
    // Two pages: 100 x 50, then 50 x 100.
    let pdf = pdf_file(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 50] /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 50 100] /Contents 5 0 R >>".to_vec(),
        stream("", SQUARE),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let aspect = |layout: Layout| {
        layout
            .letterhead
            .logo
            .unwrap()
            .image
            .content()
            .unwrap()
            .aspect()
    };
    assert_eq!(aspect(pdf_layout(dir.path(), &pdf, "").unwrap()), 2.0);
    assert_eq!(
        aspect(pdf_layout(dir.path(), &pdf, ", page = 2").unwrap()),
        0.5
    );
    let m = pdf_error("page 3", &pdf, ", page = 3");
    assert!(
        m.contains("page = 3 is out of range: the PDF file has 2 pages"),
        "{m}"
    );
    // Page 0 is a mistake in the layout, at the `page` value.
    let dir = tempfile::tempdir().unwrap();
    let m = messages(pdf_layout(dir.path(), &pdf, ", page = 0").unwrap_err());
    assert!(
        m[0].contains("l.toml:4:68") && m[0].contains("counts from 1"),
        "{m:#?}"
    );
    // `page` on an SVG file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.svg"), emblem_svg()).unwrap();
    std::fs::write(
        dir.path().join("l.toml"),
        "[letterhead]\nlines = [\"M\"]\n\nlogo = { path = \"logo.svg\", page = 2, alt = \"E\" }\n",
    )
    .unwrap();
    let m = messages(Layout::load(&dir.path().join("l.toml")).unwrap_err());
    assert!(
        m[0].contains("l.toml:4:17: image logo.svg: `page` applies only to PDF files"),
        "{m:#?}"
    );
}

#[test]
fn a_signature_image_page_comes_from_the_front_matter() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sig.pdf"), signature_pdf()).unwrap();
    let path = dir.path().join("s.md");
    std::fs::write(
        &path,
        "+++\ntitle = \"T\"\n[[signatories]]\nname = \"J\"\nrole = \"M\"\nimage = \"sig.pdf\"\n\
         image_page = 2\nimage_alt = \"Signature\"\n+++\nA paragraph.\n",
    )
    .unwrap();
    let m = messages(Statement::load(&path).unwrap_err());
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].contains("s.md:6:9: image sig.pdf: page = 2 is out of range: the PDF file has 1 page"),
        "{m:#?}"
    );
}

#[test]
fn javascript_is_refused() {
    let open = one_page(
        "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>",
        "",
        "",
        SQUARE,
        &[],
    );
    let m = pdf_error("OpenAction JavaScript", &open, "");
    assert!(
        m.contains("carries JavaScript") && m.contains("PDF/A or SVG"),
        "{m}"
    );
    let names = one_page(
        "/Names << /JavaScript 5 0 R >>",
        "",
        "",
        SQUARE,
        &[b"<< /Names [(a) << /S /JavaScript /JS (1) >>] >>".to_vec()],
    );
    assert!(pdf_error("names JavaScript", &names, "").contains("carries JavaScript"));
}

#[test]
fn annotations_and_forms_are_refused() {
    let annots = one_page(
        "",
        "/Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (note) >>]",
        "",
        SQUARE,
        &[],
    );
    let m = pdf_error("annotation", &annots, "");
    assert!(
        m.contains("annotations or form fields (/Annots)")
            && m.contains("export the logo as PDF/A or SVG without form fields"),
        "{m}"
    );
    let form = one_page(
        "/AcroForm << /Fields [5 0 R] >>",
        "",
        "",
        SQUARE,
        &[b"<< /FT /Tx /T (name) >>".to_vec()],
    );
    let m = pdf_error("form", &form, "");
    assert!(
        m.contains("form fields (/AcroForm)")
            && m.contains("export the logo as PDF/A or SVG without form fields"),
        "{m}"
    );
}

#[test]
fn fonts_must_be_embedded() {
    let pdf = one_page(
        "",
        "",
        "/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>",
        b"BT /F1 12 Tf 10 10 Td (MINISTRY) Tj ET",
        &[],
    );
    let m = pdf_error("font not embedded", &pdf, "");
    assert!(
        m.contains("uses the font Helvetica without embedding it")
            && m.contains("export the logo with fonts embedded or text converted to outlines"),
        "{m}"
    );
}

#[test]
fn encrypted_pdfs_are_refused() {
    if !common::require_qpdf() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    let locked = dir.path().join("locked.pdf");
    std::fs::write(&plain, one_page("", "", "", SQUARE, &[])).unwrap();
    // An empty user password: opens without asking, yet is encrypted.
    let status = Command::new("qpdf")
        .args(["--encrypt", "", "owner", "256", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .unwrap();
    assert!(status.success());
    let m = pdf_error("encrypted", &std::fs::read(&locked).unwrap(), "");
    assert!(
        m.contains("the PDF file is encrypted") && m.contains("without security settings"),
        "{m}"
    );
}

#[test]
fn pdf_transparency_is_kept_in_pdf_a2_and_refused_for_a1b() {
    let pdf = one_page(
        "",
        "",
        "/ExtGState << /G << /ca 0.5 >> >>",
        b"/G gs 0 0 1 rg 10 10 30 30 re f",
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let layout = pdf_layout(dir.path(), &pdf, "").unwrap();
    render(&seed(), &layout, None).unwrap();
    let m = messages(render(&seed(), &layout, Some(Standard::A1b)).unwrap_err());
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].contains("l.toml:4:17: image logo.pdf: ")
            && m[0].contains("transparency (constant opacity below 1 (/CA or /ca))")
            && m[0].contains("--pdfa a-2a"),
        "{m:#?}"
    );
}

#[test]
fn device_cmyk_is_converted_to_rgb() {
    let pdf = one_page("", "", "", b"0 0.2 1 0 k 10 10 30 30 re f", &[]);
    let converted = communique::image::pdf::convert(&pdf, None).unwrap();
    assert!(converted.svg.contains("fill=\"#"), "{}", converted.svg);
    let dir = tempfile::tempdir().unwrap();
    let layout = pdf_layout(dir.path(), &pdf, "").unwrap();
    let a2a = render(&seed(), &layout, None).unwrap();
    assert!(!String::from_utf8_lossy(&a2a).contains("DeviceCMYK"));
}

// Hostile PDFs: refused (or drawn) without a panic, quickly.

fn decode_quickly(name: &str, bytes: &[u8]) -> Result<(), String> {
    let start = Instant::now();
    let result = communique::image::pdf::decode(bytes, None).map(|_| ());
    let took = start.elapsed();
    assert!(took < Duration::from_secs(25), "{name} took {took:?}");
    result
}

#[test]
fn truncated_pdfs_are_refused_or_drawn_without_panic() {
    let crest = crest_pdf();
    let mut refused = 0;
    for cut in (0..crest.len()).step_by(97) {
        if decode_quickly(&format!("cut at {cut}"), &crest[..cut]).is_err() {
            refused += 1;
        }
    }
    eprintln!("truncated crest: {refused} refused");
    assert!(refused > 0);
}

#[test]
fn mutated_pdfs_do_not_panic_or_hang() {
    let crest = crest_pdf();
    // xorshift64 with a fixed seed: the same mutants every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ok, mut refused) = (0, 0);
    let start = Instant::now();
    for i in 0..300 {
        let mut bytes = crest.clone();
        for _ in 0..1 + next() % 8 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = next() as u8;
        }
        match decode_quickly(&format!("mutant {i}"), &bytes) {
            Ok(()) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    eprintln!(
        "300 mutants of crest.pdf: {ok} drawn, {refused} refused, in {:?}",
        start.elapsed()
    );
}

#[test]
fn a_flate_bomb_is_refused_before_it_is_inflated() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..80 {
        z.write_all(&chunk).unwrap();
    }
    let bomb = z.finish().unwrap();
    eprintln!("bomb: {} bytes inflate to 80 MiB", bomb.len());
    let pdf = pdf_file(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 50] /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &bomb),
    ]);
    let m = pdf_error("flate bomb", &pdf, "");
    assert!(m.contains("decompression bomb"), "{m}");
}

#[test]
fn form_bombs_and_loops_are_refused() {
    // Form k draws form k-1 ten times; form 0 draws a square: 10^7 squares from page level 7.
    let mut more = Vec::new();
    for k in 0..8 {
        let (content, resources) = if k == 0 {
            (SQUARE.to_vec(), String::new())
        } else {
            (
                "/X Do ".repeat(10).into_bytes(),
                format!("/Resources << /XObject << /X {} 0 R >> >>", 5 + k - 1),
            )
        };
        more.push(stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 100 50] {resources}"),
            &content,
        ));
    }
    let pdf = one_page("", "", "/XObject << /X 12 0 R >>", b"/X Do", &more);
    let m = pdf_error("form bomb", &pdf, "");
    assert!(
        m.contains("counting each form as often as it is drawn"),
        "{m}"
    );

    let looped = one_page(
        "",
        "",
        "/XObject << /X 5 0 R >>",
        b"/X Do",
        &[
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 100 50] /Resources << /XObject << /X 6 0 R >> >>",
                b"/X Do /X Do",
            ),
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 100 50] /Resources << /XObject << /X 5 0 R >> >>",
                b"/X Do /X Do",
            ),
        ],
    );
    let m = pdf_error("form loop", &looped, "");
    // The PDF reader does not resolve a reference back into the objects it is reading, so
    // the loop draws nothing; either way it is refused at once.
    assert!(m.contains("draws itself") || m.contains("empty"), "{m}");
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 10_000;
    let deep = format!("/Deep {}{}", "[".repeat(depth), "]".repeat(depth));
    let pdf = one_page("", &deep, "", SQUARE, &[]);
    let _ = decode_quickly("10,000-deep arrays", &pdf);
    let deep = format!("/Deep {}{}", "<< /A ".repeat(depth), ">>".repeat(depth));
    let pdf = one_page("", &deep, "", SQUARE, &[]);
    let _ = decode_quickly("10,000-deep dictionaries", &pdf);
}

#[test]
fn other_files_are_still_refused_with_the_kinds_accepted() {
    let m = pdf_error("not a pdf", b"%PDF-1.7\nthis is not a PDF", "");
    assert!(m.contains("could not be read"), "{m}");
}

#[test]
fn an_image_in_a_pdf_logo_is_embedded_opaque_and_valid_for_a1b() {
    // A 2 x 2 RGB image, uncompressed, stretched over the page.
    let pixels: &[u8] = &[255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB \
         /BitsPerComponent 8",
        pixels,
    );
    let pdf = one_page(
        "",
        "",
        "/XObject << /Im 5 0 R >>",
        b"q 80 0 0 40 10 5 cm /Im Do Q",
        &[image],
    );
    let converted = communique::image::pdf::convert(&pdf, None).unwrap();
    assert!(converted.svg.contains("data:image/png;base64,"));
    let dir = tempfile::tempdir().unwrap();
    let layout = pdf_layout(dir.path(), &pdf, "").unwrap();
    let Ok(Content::Svg(svg)) = layout.letterhead.logo.as_ref().unwrap().image.content() else {
        panic!("not a drawing")
    };
    assert_eq!(svg.transparent, None, "an opaque image is not transparency");
    let a2a = render(&seed(), &layout, None).unwrap();
    let a1b = render(&seed(), &layout, Some(Standard::A1b)).unwrap();
    check_a1b_and_fonts("pdf-logo-image", &a2a, &a1b);
    assert!(has_raster_image(&a2a));
}

#[test]
fn many_unterminated_streams_are_searched_once() {
    // 8 MiB of `stream` keywords with no `endstream`: each byte is searched once, not once
    // for every keyword.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    while pdf.len() < 8 * 1024 * 1024 {
        pdf.extend_from_slice(b"<<>>stream\n");
    }
    assert!(decode_quickly("unterminated streams", &pdf).is_err());
}

#[test]
fn each_kind_of_pdf_transparency_is_found() {
    let form = |group: &str| {
        stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 100 50] {group}"),
            SQUARE,
        )
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "a blend mode (/BM)",
            one_page(
                "",
                "",
                "/ExtGState << /G << /BM /Multiply >> >>",
                b"/G gs 0 0 1 rg 10 10 30 30 re f",
                &[],
            ),
        ),
        (
            "a soft mask (/SMask)",
            one_page(
                "",
                "",
                "/ExtGState << /G << /SMask << /S /Luminosity /G 5 0 R >> >> >>",
                b"/G gs 0 0 1 rg 10 10 30 30 re f",
                &[form("/Group << /S /Transparency >>")],
            ),
        ),
        (
            "a transparency group (/Group /S /Transparency)",
            one_page(
                "",
                "",
                "/XObject << /X 5 0 R >>",
                b"/X Do",
                &[form("/Group << /S /Transparency >>")],
            ),
        ),
    ];
    for (what, pdf) in cases {
        let converted = communique::image::pdf::convert(&pdf, None).unwrap();
        assert_eq!(converted.transparent, Some(what));
    }
    // Normal blending and full opacity are not transparency; nor is the page's own group.
    let plain = one_page(
        "",
        "/Group << /S /Transparency /CS /DeviceRGB >>",
        "/ExtGState << /G << /BM /Normal /CA 1 /ca 1 /SMask /None >> >>",
        b"/G gs 0 0 1 rg 10 10 30 30 re f",
        &[],
    );
    assert_eq!(
        communique::image::pdf::convert(&plain, None)
            .unwrap()
            .transparent,
        None
    );
}

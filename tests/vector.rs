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
    String::from_utf8_lossy(pdf).contains("/Subtype /Image")
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
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) = communique::typeset::typeset(
        &statement,
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
        StructKind::Figure {
            alt: "Signature of Jane Doe".into()
        }
    );
    let a2a = render(&statement, &layout, None).unwrap();
    let a1b = render(&statement, &layout, Some(Standard::A1b)).unwrap();
    assert!(!has_raster_image(&a2a));
    check_a1b_and_fonts("svg-signature", &a2a, &a1b);
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

#[test]
fn a_pdf_logo_is_refused_with_what_to_do() {
    let pdf = std::fs::read(
        common::root().join("tests/golden/2020-01-29-copenhagen-political-directors--memo.pdf"),
    )
    .unwrap();
    let m = svg_error("pdf logo", &pdf);
    assert!(
        m.contains("PDF/A")
            && m.contains("export the logo from the design tool as SVG with outlined text"),
        "{m}"
    );
}

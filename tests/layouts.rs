//! Layouts with images, release lines, placeholders and signatures, through the library:
//! every bad image is an error naming the line that named it, when the layout or statement
//! is loaded, and nothing is written.

use std::path::{Path, PathBuf};

use communique::document::{Item, StructKind, Tag};
use communique::{Error, FontSet, Layout, Options, Standard, Statement};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SEED: &str = "statements/2020-01-29-copenhagen-political-directors.md";
const LONG: &str = "statements/2026-03-02-water-summit-long.md";

fn root(p: &str) -> PathBuf {
    Path::new(ROOT).join(p)
}

fn emblem() -> Vec<u8> {
    std::fs::read(root("layouts/assets/ministry-emblem.png")).unwrap()
}

/// A layout in a temporary folder, next to `files`.
fn layout_with(dir: &Path, toml: &str, files: &[(&str, &[u8])]) -> Result<Layout, Error> {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let path = dir.join("l.toml");
    std::fs::write(&path, toml).unwrap();
    Layout::load(&path)
}

fn render(
    statement: &Statement,
    layout: &Layout,
    pdfa: Option<Standard>,
) -> Result<Vec<u8>, Error> {
    let fonts = FontSet::load(layout)?;
    let options = Options {
        pdfa,
        timestamp: None,
    };
    communique::render(statement, layout, &fonts, &options).map(|r| r.pdf)
}

fn seed() -> Statement {
    Statement::load(&root(SEED)).unwrap()
}

fn messages(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(d) => d.iter().map(|d| d.to_string()).collect(),
        other => panic!("expected diagnostics, got {other}"),
    }
}

const LOGO: &str = "[letterhead]\nlines = [\"MINISTRY\"]\n\nlogo = { path = \"logo.png\", height = \"20mm\", alt = \"Emblem\" }\n";

fn logo_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let m = messages(layout_with(dir.path(), LOGO, &[("logo.png", bytes)]).unwrap_err());
    assert_eq!(m.len(), 1, "{m:#?}");
    let at = format!(
        "{}:4:17: image logo.png: ",
        dir.path().join("l.toml").display()
    );
    assert!(m[0].starts_with(&at), "{} does not start with {at}", m[0]);
    m[0].clone()
}

#[test]
fn a_good_logo_is_a_figure_with_alt_text() {
    let dir = tempfile::tempdir().unwrap();
    let layout = layout_with(dir.path(), LOGO, &[("logo.png", &emblem())]).unwrap();
    let fonts = FontSet::load(&layout).unwrap();
    let standards = [Standard::A2a, Standard::Ua1];
    let (doc, _) =
        communique::typeset::typeset(&seed(), &layout, &fonts, &standards, None).unwrap();
    let Some(Item::Image(logo)) = doc.pages[0].items.first() else {
        panic!("the logo comes first")
    };
    let Tag::Node(figure) = logo.tag else {
        panic!("the logo is an artifact")
    };
    assert_eq!(
        doc.structure[figure].kind,
        StructKind::Figure {
            alt: "Emblem".into()
        }
    );
    assert!((logo.height - 20.0 * 72.0 / 25.4).abs() < 0.01);
    assert_eq!(logo.width, logo.height, "the emblem is square");
    let pdf = render(&seed(), &layout, None).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    // Transparency is kept in PDF/A-2 ...
    assert!(text.contains("/SMask"));
    // ... and composited onto white for PDF/A-1b.
    let pdf = render(&seed(), &layout, Some(Standard::A1b)).unwrap();
    assert!(!String::from_utf8_lossy(&pdf).contains("/SMask"));
}

#[test]
fn a_missing_logo_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = messages(layout_with(dir.path(), LOGO, &[]).unwrap_err());
    assert!(
        m[0].contains(":4:17: image logo.png: no such file"),
        "{m:#?}"
    );
}

#[test]
fn truncated_corrupt_huge_and_foreign_images_are_refused() {
    let png = emblem();
    assert!(logo_error(&png[..png.len() / 2]).contains("corrupt or truncated"));
    let mut corrupt = png.clone();
    for b in &mut corrupt[60..200] {
        *b ^= 0x5A;
    }
    assert!(logo_error(&corrupt).contains("corrupt"));
    let mut huge = png.clone();
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let m = logo_error(&huge);
    assert!(m.contains("100000x100000") && m.contains("limit"), "{m}");
    assert!(logo_error(b"GIF89a\x01\x00\x01\x00").contains("GIF images are not supported"));
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    assert!(logo_error(svg).contains("SVG"));
    assert!(logo_error(b"").contains("expected a PNG, JPEG, SVG or PDF"));
    let jpeg = std::fs::read(root("tests/layouts_assets/sig.jpg")).unwrap();
    assert!(logo_error(&jpeg[..jpeg.len() - 40]).contains("JPEG"));
}

#[test]
fn a_logo_without_alt_text_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let e = layout_with(
        dir.path(),
        "[letterhead]\nlogo = { path = \"logo.png\" }\n",
        &[],
    )
    .unwrap_err();
    let m = messages(e);
    assert!(
        m[0].contains(":2:8:") && m[0].contains("needs `alt`"),
        "{m:#?}"
    );
}

fn statement(dir: &Path, front: &str) -> Statement {
    try_statement(dir, front).unwrap()
}

fn try_statement(dir: &Path, front: &str) -> Result<Statement, Error> {
    let text = format!(
        "+++\ntitle = \"Statement on Testing\"\ndateline = \"Geneva, 14 May 2026\"\nlanguage = \"fr\"\nreference = \"T/1\"\n{front}+++\nUn paragraphe.\n"
    );
    let path = dir.join("s.md");
    std::fs::write(&path, text).unwrap();
    Statement::load(&path)
}

#[test]
fn signature_images_come_from_the_statement_and_every_bad_image_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let jpeg = std::fs::read(root("tests/layouts_assets/sig.jpg")).unwrap();
    std::fs::write(dir.path().join("sig.jpg"), &jpeg).unwrap();
    std::fs::write(dir.path().join("junk.png"), b"junk").unwrap();
    let e = try_statement(
        dir.path(),
        "[[signatories]]\nname = \"A\"\nimage = \"junk.png\"\nimage_alt = \"Signature of A\"\n\
         [[signatories]]\nname = \"B\"\nimage = \"missing.png\"\nimage_alt = \"Signature of B\"\n",
    )
    .unwrap_err();
    let m = messages(e);
    assert_eq!(m.len(), 2, "{m:#?}");
    assert!(
        m[0].contains("s.md:8:9: image junk.png: ") && m[0].contains("PNG"),
        "{m:#?}"
    );
    assert!(
        m[1].contains("s.md:12:9: image missing.png: no such file"),
        "{m:#?}"
    );
    let m = messages(layout_with(dir.path(), LOGO, &[("logo.png", b"junk")]).unwrap_err());
    assert!(
        m[0].contains("l.toml:4:") && m[0].contains("logo.png"),
        "{m:#?}"
    );

    let s = statement(
        dir.path(),
        "[[signatories]]\nname = \"A\"\nimage = \"sig.jpg\"\nimage_alt = \"Signature of A\"\n\
         [[signatories]]\nname = \"B\"\nrole = \"Chair\"\n",
    );
    let layout = layout_with(dir.path(), "[signature]\ncolumns = 2\n", &[]).unwrap();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) =
        communique::typeset::typeset(&s, &layout, &fonts, &[Standard::A2a, Standard::Ua1], None)
            .unwrap();
    let images: Vec<_> = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Image(img) => Some(img),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 1);
    let Tag::Node(figure) = images[0].tag else {
        panic!("not tagged")
    };
    assert_eq!(
        doc.structure[figure].kind,
        StructKind::Figure {
            alt: "Signature of A".into()
        }
    );
    assert!(render(&s, &layout, None).is_ok());
    assert!(render(&s, &layout, Some(Standard::A1b)).is_ok());
}

#[test]
fn a_signature_image_needs_alt_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.md");
    std::fs::write(
        &path,
        "+++\ntitle = \"T\"\n[[signatories]]\nname = \"A\"\nimage = \"a.png\"\n+++\nText.\n",
    )
    .unwrap();
    let m = messages(Statement::load(&path).unwrap_err());
    assert!(
        m[0].contains("s.md:5:9") && m[0].contains("image_alt"),
        "{m:#?}"
    );
}

/// Text of the runs on a page, in painting order.
fn page_text(doc: &communique::document::Document, page: usize) -> String {
    doc.pages[page]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(r) => Some(r.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn release_lines_placeholders_and_continuation_headers() {
    let dir = tempfile::tempdir().unwrap();
    let s = statement(
        dir.path(),
        "embargo = \"EMBARGO UNTIL 14 MAY 2026, 14:00 CET\"\nrelease = \"FOR IMMEDIATE RELEASE\"\n",
    );
    let layout = layout_with(
        dir.path(),
        "[letterhead]\nlines = [\"Ref. {reference}\", \"{date}\"]\n[reference]\nposition = \"below-dateline\"\ntext = \"Notre réf. {reference}\"\n[footer]\ntext = \"{title}\\n{page}/{pages}\"\n",
        &[],
    )
    .unwrap();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) =
        communique::typeset::typeset(&s, &layout, &fonts, &[Standard::A2a, Standard::Ua1], None)
            .unwrap();
    let text = page_text(&doc, 0);
    for want in [
        // The statement is French: the layout's "Ref. {reference}" comes in French.
        "Réf. T/1",
        "14 mai 2026",
        "EMBARGO UNTIL",
        "Notre réf. T/1",
        "Statement on Testing",
        "1/1",
    ] {
        assert!(text.contains(want), "{want} missing from {text}");
    }
    assert!(
        !text.contains("FOR IMMEDIATE RELEASE"),
        "the embargo wins: {text}"
    );
    assert!(text.find("EMBARGO").unwrap() < text.find("Un paragraphe").unwrap());

    // No reference: the lines that need it are left out.
    let s = Statement::load(&root(LONG)).unwrap();
    let layout = Layout::load(&root("layouts/ministry.toml")).unwrap();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) =
        communique::typeset::typeset(&s, &layout, &fonts, &[Standard::A2a, Standard::Ua1], None)
            .unwrap();
    assert!(doc.pages.len() > 1);
    assert!(page_text(&doc, 0).contains("FOR IMMEDIATE RELEASE"));
    assert!(page_text(&doc, 0).contains("2 March 2026"));
    let second = page_text(&doc, 1);
    assert!(
        second.contains("Ministry of Foreign Affairs — Joint Statement"),
        "{second}"
    );
    assert!(!page_text(&doc, 0).contains("Ministry of Foreign Affairs —"));
}

#[test]
fn every_shipped_layout_sets_every_statement() {
    for layout in std::fs::read_dir(root("layouts")).unwrap() {
        let layout = layout.unwrap().path();
        if layout.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let l = Layout::load(&layout).unwrap();
        for s in std::fs::read_dir(root("statements")).unwrap() {
            let s = s.unwrap().path();
            if s.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let st = Statement::load(&s).unwrap();
            for pdfa in [None, Some(Standard::A1b)] {
                render(&st, &l, pdfa)
                    .unwrap_or_else(|e| panic!("{} with {}: {e}", s.display(), layout.display()));
            }
        }
    }
}

#[test]
fn nothing_is_written_when_an_image_is_bad() {
    let dir = tempfile::tempdir().unwrap();
    layout_with(dir.path(), LOGO, &[("logo.png", b"\x89PNG\r\n\x1a\nshort")]).unwrap_err();
    let out = dir.path().join("out.pdf");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("build")
        .arg(root(SEED))
        .arg("-l")
        .arg(dir.path().join("l.toml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("l.toml:4:17: image logo.png:"), "{stderr}");
    assert!(!out.exists());
}

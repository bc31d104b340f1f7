//! Archive files: `--embed-source`, `extract` and `rebuild`, on every bundled statement and
//! layout, and on PDFs made to attack them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use assert_cmd::cargo::CommandCargoExt;
use common::{layouts, require, require_qpdf, root, statements};
use communique::archive::{self, Attachment};
use communique::{FontSet, Options, Standard};

fn bin() -> Command {
    Command::cargo_bin("communique").expect("the communique binary")
}

/// Builds with sources attached, through the same calls as `build --embed-source`.
fn embed(statement: &Path, layout: Option<&Path>) -> Vec<u8> {
    let (s, l, sources) = archive::load(statement, layout, true)
        .unwrap_or_else(|e| panic!("{}: {e}", statement.display()));
    let fonts = FontSet::load(&l).unwrap();
    // krilla checks PDF/A-3a and PDF/UA-1 while it writes: a violation is an error here.
    communique::render_with(&s, &l, &fonts, &Options::default(), sources.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", statement.display()))
        .pdf
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A statement with a signature image beside it, for the image half of the round trip.
fn statement_with_image(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("sigs")).unwrap();
    std::fs::copy(
        root().join("tests/layouts_assets/sig.jpg"),
        dir.join("sigs/sig.jpg"),
    )
    .unwrap();
    let path = dir.join("signed.md");
    std::fs::write(
        &path,
        "+++\ntitle = \"Joint statement\"\ndate = 2026-04-14\n\
         [[signatories]]\nname = \"A. Person\"\nimage = \"sigs/sig.jpg\"\nimage_alt = \"Signature of A. Person\"\n+++\n\n\
         The ministers met and agreed.\n",
    )
    .unwrap();
    path
}

#[test]
fn extract_then_build_gives_the_same_bytes_for_every_statement_and_layout() {
    let work = tempdir();
    let mut inputs: Vec<PathBuf> = statements();
    inputs.push(statement_with_image(work.path()));
    let mut checked = 0;
    for layout in layouts() {
        for statement in &inputs {
            let pdf = embed(statement, Some(&layout));
            let embedded = archive::read_embedded(Path::new("x.pdf"), &pdf).unwrap();
            let images = embedded
                .record
                .files
                .iter()
                .filter(|f| f.role == archive::Role::Image)
                .count();
            let expect_images = usize::from(layout.ends_with("ministry.toml"))
                + usize::from(statement.ends_with("signed.md"));
            assert_eq!(images, expect_images, "{}", statement.display());
            assert_eq!(
                embedded.file(&embedded.record.statement).unwrap(),
                std::fs::read(statement).unwrap(),
                "the statement is attached as read"
            );
            assert!(embedded.record.fonts.iter().all(|f| f.sha256.len() == 64));
            let out = work.path().join(format!("x{checked}"));
            archive::extract(Path::new("x.pdf"), &pdf, &out).unwrap();
            let again = embed(
                &out.join(&embedded.record.statement),
                Some(&out.join(&embedded.record.layout)),
            );
            assert!(
                again == pdf,
                "{} with {}: rebuilt from the extracted files, the bytes differ",
                statement.display(),
                layout.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 4 * 14, "{checked}");
}

#[test]
fn the_builtin_layout_is_attached_and_the_default_stays_pdf_a_2a() {
    let statement = common::seed_statement();
    let pdf = embed(&statement, None);
    let e = archive::read_embedded(Path::new("x.pdf"), &pdf).unwrap();
    assert!(e.record.builtin_layout);
    assert!(
        String::from_utf8_lossy(e.file(&e.record.layout).unwrap()).contains("[pdf]"),
        "the default layout's text"
    );
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("<pdfaid:part>3</pdfaid:part>"), "PDF/A-3");
    assert!(text.contains("/AFRelationship/Source"));
    let plain = common::render_files(
        &statement,
        &root().join("layouts/default.toml"),
        &Options::default(),
    );
    let plain_text = String::from_utf8_lossy(&plain.pdf);
    assert!(plain_text.contains("<pdfaid:part>2</pdfaid:part>"));
    assert!(!plain_text.contains("/EmbeddedFiles"));
    // --pdfa other than a-3a cannot carry files.
    let (s, l, sources) = archive::load(&statement, None, true).unwrap();
    let fonts = FontSet::load(&l).unwrap();
    let options = Options {
        pdfa: Some(Standard::A2b),
        ..Options::default()
    };
    let err = communique::render_with(&s, &l, &fonts, &options, sources.as_ref()).unwrap_err();
    assert!(err.to_string().contains("a-3a"), "{err}");
}

#[test]
fn cli_build_embed_extract_and_external_checks() {
    let dir = tempdir();
    let pdf = dir.path().join("m.pdf");
    let status = bin()
        .args(["build", "--embed-source", "-l"])
        .arg(root().join("layouts/ministry.toml"))
        .arg(common::seed_statement())
        .arg("-o")
        .arg(&pdf)
        .status()
        .unwrap();
    assert!(status.success());
    let have_pdfdetach = Command::new("pdfdetach").arg("-v").output().is_ok();
    if require("pdfdetach", have_pdfdetach, "apt-get install poppler-utils") {
        let out = Command::new("pdfdetach")
            .arg("-list")
            .arg(&pdf)
            .output()
            .unwrap();
        let list = String::from_utf8_lossy(&out.stdout);
        for name in [
            "communique.json",
            "layouts/ministry.toml",
            "layouts/assets/ministry-emblem.svg",
            "statements/2020-01-29-copenhagen-political-directors.md",
        ] {
            assert!(list.contains(name), "{name} not in\n{list}");
        }
    }
    if require_qpdf() {
        let out = Command::new("qpdf")
            .arg("--check")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let x = dir.path().join("x");
    let out = bin()
        .arg("extract")
        .arg(&pdf)
        .arg("-o")
        .arg(&x)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(x.join("layouts/assets/ministry-emblem.svg").is_file());
    assert!(x.join("communique.json").is_file());
}

#[test]
fn rebuild_says_identical_then_names_the_swapped_font() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::create_dir_all(d.join("fonts")).unwrap();
    std::fs::copy(
        root().join("fonts/texgyretermes-regular.otf"),
        d.join("fonts/Body.otf"),
    )
    .unwrap();
    std::fs::write(d.join("l.toml"), "[fonts]\nregular = \"fonts/Body.otf\"\n").unwrap();
    std::fs::copy(common::seed_statement(), d.join("s.md")).unwrap();
    let pdf = d.join("s.pdf");
    let status = bin()
        .current_dir(d)
        .args([
            "build",
            "s.md",
            "-l",
            "l.toml",
            "--embed-source",
            "-o",
            "s.pdf",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let out = bin().arg("rebuild").arg(&pdf).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("identical"), "{stdout}");

    std::fs::copy(
        root().join("fonts/LiberationSerif-Regular.ttf"),
        d.join("fonts/Body.otf"),
    )
    .unwrap();
    let rebuilt = d.join("again.pdf");
    let out = bin()
        .arg("rebuild")
        .arg(&pdf)
        .arg("-o")
        .arg(&rebuilt)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("fonts/Body.otf") && stdout.contains("differs"),
        "{stdout}"
    );
    assert!(rebuilt.is_file());

    // A foreign or damaged file is unusable input.
    std::fs::write(d.join("junk.pdf"), b"%PDF-1.7\nnothing here").unwrap();
    let out = bin()
        .arg("rebuild")
        .arg(d.join("junk.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn extract_refuses_pdfs_it_did_not_make() {
    let dir = tempdir();
    let plain = dir.path().join("plain.pdf");
    let status = bin()
        .arg("build")
        .arg(common::seed_statement())
        .arg("-o")
        .arg(&plain)
        .status()
        .unwrap();
    assert!(status.success());
    for (file, expect) in [
        (&plain, "without --embed-source"),
        (&dir.path().join("garbage.pdf"), "not a PDF"),
    ] {
        if !file.exists() {
            std::fs::write(file, b"GIF89a not a pdf").unwrap();
        }
        let out = bin()
            .arg("extract")
            .arg(file)
            .arg("-o")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expect), "{stderr}");
        assert!(!dir.path().join("out").exists(), "nothing is written");
    }
}

/// A PDF whose attachments and record are exactly what the test says: a real, valid
/// PDF/A-3a from our own writer, which is what an attacker would start from.
fn pdf_with(files: &[(&str, Vec<u8>)], record: &serde_json::Value) -> Vec<u8> {
    let statement = communique::Statement::load(&common::seed_statement()).unwrap();
    let layout = communique::Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let (doc, _) = communique::typeset::typeset(
        &statement,
        &layout,
        &fonts,
        &[Standard::A3a, Standard::Ua1],
        None,
    )
    .unwrap();
    let mut attachments: Vec<Attachment> = files
        .iter()
        .map(|(name, data)| Attachment {
            name: name.to_string(),
            mime: "text/plain",
            description: "test",
            data: Arc::new(data.clone()),
            compress: true,
        })
        .collect();
    attachments.push(Attachment {
        name: "communique.json".into(),
        mime: "application/json",
        description: "test",
        data: Arc::new(serde_json::to_vec(record).unwrap()),
        compress: true,
    });
    communique::pdf::write_with(&doc, &fonts, &attachments).unwrap()
}

fn record(names: &[(&str, &[u8])]) -> serde_json::Value {
    serde_json::json!({
        "format": 1, "communique": "0.1.0",
        "statement": names[0].0, "layout": names[names.len() - 1].0,
        "builtin_layout": false, "document_date": "2020-01-29",
        "options": {"pdfa": null, "source_date_epoch": null},
        "files": names.iter().map(|(n, d)| serde_json::json!({
            "name": n, "role": "statement", "mime": "text/plain",
            "sha256": archive::hex(&archive::sha256(d)),
        })).collect::<Vec<_>>(),
        "fonts": [],
    })
}

#[test]
fn hostile_names_links_and_bombs_write_nothing_outside() {
    let dir = tempdir();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    for evil in [
        "../evil.md",
        "/tmp/evil.md",
        "a/../../evil.md",
        "a\\..\\evil",
    ] {
        let pdf = pdf_with(
            &[(evil, b"x".to_vec()), ("l.toml", b"".to_vec())],
            &record(&[(evil, b"x"), ("l.toml", b"")]),
        );
        let out = dir.path().join("out");
        let err = archive::extract(Path::new("evil.pdf"), &pdf, &out).unwrap_err();
        assert!(err.to_string().contains("refused"), "{evil}: {err}");
        assert!(!out.exists(), "{evil}: nothing written");
    }
    assert!(!dir.path().join("evil.md").exists());

    // A link planted in the output folder is not followed.
    let pdf = pdf_with(
        &[("sub/s.md", b"x".to_vec()), ("l.toml", b"".to_vec())],
        &record(&[("sub/s.md", b"x"), ("l.toml", b"")]),
    );
    let out = dir.path().join("linked");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("sub")).unwrap();
    let err = archive::extract(Path::new("l.pdf"), &pdf, &out).unwrap_err();
    assert!(err.to_string().contains("link"), "{err}");
    assert!(!outside.join("s.md").exists());

    // A digest that does not match is damage, not a file.
    let pdf = pdf_with(
        &[("s.md", b"changed".to_vec()), ("l.toml", b"".to_vec())],
        &record(&[("s.md", b"original"), ("l.toml", b"")]),
    );
    let err = archive::read_embedded(Path::new("d.pdf"), &pdf).unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");

    // 70 MiB of zeros deflate to a few hundred KiB: refused after 64 MiB, not held whole.
    let zeros = vec![0u8; 70 * 1024 * 1024];
    let pdf = pdf_with(
        &[("s.md", zeros), ("l.toml", b"".to_vec())],
        &record(&[("s.md", b""), ("l.toml", b"")]),
    );
    assert!(pdf.len() < 2 * 1024 * 1024, "{}", pdf.len());
    let err = archive::read_embedded(Path::new("bomb.pdf"), &pdf).unwrap_err();
    assert!(err.to_string().contains("64 MiB"), "{err}");
}

//! `diff` and `batch --check --diff/--junit`: what a person sees when output changes, and
//! that hostile PDFs given to `diff` and `extract` cost bounded time and memory, no panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::root;
use communique::diff::{Change, diff};
use communique::{FontSet, Layout, Options, Statement};

fn bin() -> Command {
    Command::cargo_bin("communique").expect("the communique binary")
}

const LONG: &str = "statements/2026-03-02-water-summit-long.md";

fn build(statement: &Path, layout: Option<&Path>) -> Vec<u8> {
    let s = Statement::load(statement).unwrap();
    let l = match layout {
        Some(p) => Layout::load(p).unwrap(),
        None => Layout::builtin(),
    };
    let f = FontSet::load(&l).unwrap();
    communique::render(&s, &l, &f, &Options::default())
        .unwrap()
        .pdf
}

/// The long statement with one word of its second page changed.
fn one_word_changed(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join(LONG)).unwrap();
    assert_eq!(text.matches("these messages seriously").count(), 1);
    let path = dir.join("2026-03-02-water-summit-long.md");
    std::fs::write(
        &path,
        text.replace("these messages seriously", "these warnings seriously"),
    )
    .unwrap();
    path
}

#[test]
fn one_word_on_page_two_is_that_page_that_region_and_that_word() {
    let dir = tempfile::tempdir().unwrap();
    let old = build(&root().join(LONG), None);
    let new = build(&one_word_changed(dir.path()), None);
    let r = diff(Path::new("old.pdf"), &old, Path::new("new.pdf"), &new, 96.0).unwrap();
    assert!(r.old_pages >= 3, "{}", r.old_pages);
    assert_eq!(r.pages.len(), 1, "{}", r.summary());
    let p = &r.pages[0];
    assert_eq!((p.page, p.change), (2, Change::Changed), "{}", r.summary());
    assert_eq!(p.words_removed, ["messages"], "{}", r.summary());
    assert_eq!(p.words_added, ["warnings"], "{}", r.summary());
    // The change is one line (re-justified, so as wide as the text column at most).
    assert_eq!(p.regions.len(), 1, "{}", r.summary());
    let region = p.regions[0];
    assert!(region.height < 30.0, "{region:?}");
    assert!(region.width <= 480.0, "{region:?}");
}

#[test]
fn a_layout_change_reports_every_page() {
    let old = build(&root().join(LONG), None);
    let new = build(
        &root().join(LONG),
        Some(&root().join("layouts/coalition.toml")),
    );
    let r = diff(Path::new("old.pdf"), &old, Path::new("new.pdf"), &new, 24.0).unwrap();
    let pages = r.old_pages.max(r.new_pages);
    assert_eq!(r.pages.len(), pages, "{}", r.summary());
    assert!(r.pages.iter().all(|p| match p.change {
        Change::Changed => !p.regions.is_empty(),
        Change::Added | Change::Removed => true,
    }));
}

#[test]
fn cli_identical_writes_nothing_and_different_writes_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = d.join("old.pdf");
    let new = d.join("new.pdf");
    std::fs::write(&old, build(&root().join(LONG), None)).unwrap();
    std::fs::write(&new, build(&one_word_changed(d), None)).unwrap();

    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(&old)
        .arg("--out")
        .arg(d.join("same"))
        .args(["--dpi", "48"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!d.join("same").exists(), "identical files write nothing");

    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--out")
        .arg(d.join("d"))
        .args(["--dpi", "48"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("page 2:") && stdout.contains("+ warnings"),
        "{stdout}"
    );
    let mut files: Vec<String> = std::fs::read_dir(d.join("d"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "index.html",
            "page-2-new.png",
            "page-2-old.png",
            "page-2-overlay.png"
        ]
    );
    let html = std::fs::read_to_string(d.join("d/index.html")).unwrap();
    assert!(html.contains("src=\"page-2-overlay.png\""));
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "self-contained"
    );
}

#[test]
fn batch_check_writes_one_index_and_a_junit_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(common::seed_statement(), input.join("a.md")).unwrap();
    std::fs::copy(root().join(LONG), input.join("b.md")).unwrap();
    let status = bin()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(d.join("out"))
        .status()
        .unwrap();
    assert!(status.success());
    let changed = one_word_changed(d);
    std::fs::copy(&changed, input.join("b.md")).unwrap();
    let out = bin()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(d.join("out"))
        .arg("--check")
        .arg("--diff")
        .arg(d.join("diff"))
        .arg("--junit")
        .arg(d.join("junit.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(d.join("diff/index.html")).unwrap();
    assert!(
        html.contains("b.pdf") && html.contains("b-page-2-overlay.png"),
        "{html}"
    );
    assert!(d.join("diff/b-page-2-overlay.png").is_file());
    let xml = std::fs::read_to_string(d.join("junit.xml")).unwrap();
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\""),
        "{xml}"
    );
    assert!(xml.contains("name=\"a.pdf\"/>"), "{xml}");
    assert!(xml.contains("name=\"b.pdf\"><failure"), "{xml}");
}

/// A small generator, so the hostile inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn hostile_pdfs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let deep = format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a) {}] >> >> >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "[".repeat(100_000)
    );
    out.push(("deep nesting".into(), deep.into_bytes()));
    let mut kids = String::from(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Kids [3 0 R 3 0 R] >>\nendobj\n",
    );
    kids += "trailer\n<< /Root 1 0 R /Size 99999999 >>\n%%EOF\n";
    out.push(("a name tree that holds itself".into(), kids.into_bytes()));
    let mut many = String::from("%PDF-1.7\n");
    for i in 1..50_000 {
        many += &format!("{i} 0 obj\n<< /A {i} >>\nendobj\n");
    }
    many += "trailer\n<< /Size 999999999 /Root 1 0 R >>\n%%EOF\n";
    out.push((
        "fifty thousand objects, a huge /Size".into(),
        many.into_bytes(),
    ));
    // A content stream that inflates to 200 MiB.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &vec![b' '; 200 * 1024 * 1024]).unwrap();
    let bomb = z.finish().unwrap();
    let mut pdf = format!("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", bomb.len()).into_bytes();
    pdf.extend_from_slice(&bomb);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out.push(("a 200 MiB decompression bomb".into(), pdf));
    out
}

#[test]
fn hostile_and_mutated_pdfs_are_errors_or_reports_never_panics() {
    let seed = build(&common::seed_statement(), None);
    let (s, l, sources) = communique::archive::load(&common::seed_statement(), None, true).unwrap();
    let fonts = FontSet::load(&l).unwrap();
    let archived = communique::render_with(&s, &l, &fonts, &Options::default(), sources.as_ref())
        .unwrap()
        .pdf;
    let mut cases = hostile_pdfs();
    let mut rng = Rng(0x5EED_0012);
    let rounds: usize = std::env::var("ROBUSTNESS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    for round in 0..rounds {
        let base = if round % 2 == 0 { &archived } else { &seed };
        let mut b = base.clone();
        match round % 4 {
            0 => b.truncate(rng.below(b.len())),
            1 => {
                for _ in 0..1 + rng.below(20) {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
            }
            2 => {
                let at = rng.below(b.len());
                let len = rng.below(4096).min(b.len() - at);
                b.drain(at..at + len);
            }
            _ => {
                let at = rng.below(b.len());
                let piece: Vec<u8> = b[rng.below(b.len() / 2)..][..64.min(b.len() / 2)].to_vec();
                b.splice(at..at, piece);
            }
        }
        cases.push((format!("mutation {round}"), b));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (what, bytes) in &cases {
        let started = std::time::Instant::now();
        // Either outcome is fine; a panic fails the test, and only `out` may be written.
        let _ = communique::archive::extract(Path::new(what), bytes, &out);
        let _ = diff(Path::new("seed.pdf"), &seed, Path::new(what), bytes, 8.0);
        assert!(
            started.elapsed().as_secs() < 120,
            "{what}: took {:?}",
            started.elapsed()
        );
    }
    let bomb = &cases[3].1;
    let err = diff(Path::new("a"), &seed, Path::new("bomb.pdf"), bomb, 8.0).unwrap_err();
    assert!(err.to_string().contains("MiB"), "{err}");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        assert_eq!(
            entry.unwrap().file_name(),
            "out",
            "written outside the folder"
        );
    }
}

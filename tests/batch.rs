//! `communique batch`, through the real binary.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

const WORDS: &[&str] = &[
    "ministry",
    "welcomes",
    "agreement",
    "between",
    "parties",
    "regional",
    "cooperation",
    "humanitarian",
    "access",
    "statement",
    "government",
    "council",
    "security",
    "the",
    "and",
    "of",
    "to",
    "in",
    "for",
    "with",
    "support",
    "commitment",
    "partners",
    "international",
];

/// A small Form B statement, different for each `seed`.
fn statement(seed: usize, paragraphs: usize) -> String {
    let mut s = format!(
        "+++\ntitle = \"Statement number {seed}\"\ndateline = \"Geneva, 14 May 2026\"\n\
         date = 2026-05-14\n+++\n\n"
    );
    for p in 0..paragraphs {
        let len = 20 + (seed * 7 + p * 13) % 40;
        let words: Vec<&str> = (0..len)
            .map(|w| WORDS[(seed * 31 + p * 17 + w * 7) % WORDS.len()])
            .collect();
        s += &words.join(" ");
        s += ".\n\n";
    }
    s
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn communique() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_communique"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

fn batch(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut c = communique();
    c.arg("batch");
    for a in args {
        c.arg(a);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                go(&e.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, "", &mut out);
    out
}

/// The PDFs of a tree (no manifests).
fn pdfs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".pdf"))
        .collect()
}

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn manifest_keys(path: &Path) -> BTreeSet<String> {
    manifest(path)["outputs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// Every manifest entry names a PDF that is there, with the recorded hash, size and pages.
fn assert_manifest_consistent(out: &Path, manifest_path: &Path) {
    let m = manifest(manifest_path);
    assert_eq!(m["format"], 2);
    for (rel, entry) in m["outputs"].as_object().unwrap() {
        let bytes = fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(entry["pdf"]["bytes"], bytes.len() as u64, "{rel}");
        let sha = sha256(&bytes);
        assert_eq!(entry["pdf"]["sha256"], sha.as_str(), "{rel}");
        assert!(entry["pdf"]["pages"].as_u64().unwrap() >= 1);
        assert!(m["font_sets"][entry["fonts"].as_str().unwrap()].is_array());
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A small archive: `in/a.md`, `in/sub/b.txt`, `in/sub/deeper/c.md`, plus things that are not
/// statements.
fn archive() -> (TempDir, PathBuf, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("a.md"), &statement(1, 3));
    write(&input.join("sub/b.txt"), &statement(2, 2));
    write(&input.join("sub/deeper/c.md"), &statement(3, 4));
    write(&input.join(".hidden/h.md"), &statement(4, 1));
    write(&input.join("notes.toml"), "x = 1\n");
    let out = tmp.path().join("out");
    (tmp, input, out)
}

fn is_complete_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-") && bytes.trim_ascii_end().ends_with(b"%%EOF")
}

#[test]
fn mirrors_the_tree_and_writes_a_manifest() {
    let (tmp, input, out) = archive();
    let single = tmp.path().join("single/d.md");
    write(&single, &statement(5, 1));
    let o = batch(&[&input, &single, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("built 4, unchanged 0, failed 0"),
        "{}",
        stderr(&o)
    );
    let files: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            "a.pdf",
            "d.pdf",
            "manifest.json",
            "sub/b.pdf",
            "sub/deeper/c.pdf"
        ]
    );
    for (rel, bytes) in pdfs(&out) {
        assert!(is_complete_pdf(&bytes), "{rel}");
    }
    assert_manifest_consistent(&out, &out.join("manifest.json"));
    let m = manifest(&out.join("manifest.json"));
    let a = &m["outputs"]["a.pdf"];
    assert_eq!(
        a["statement"]["sha256"],
        sha256(&fs::read(input.join("a.md")).unwrap()).as_str()
    );
    assert_eq!(a["layout"]["path"], "(built in)");
    assert_eq!(a["tool"], concat!("communique ", env!("CARGO_PKG_VERSION")));
}

#[test]
fn skips_unchanged_and_force_rebuilds() {
    let (_tmp, input, out) = archive();
    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first_manifest = fs::read(out.join("manifest.json")).unwrap();
    let mtime = |p: &str| fs::metadata(out.join(p)).unwrap().modified().unwrap();
    let a_time = mtime("a.pdf");

    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("built 0, unchanged 3, failed 0"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mtime("a.pdf"), a_time, "an unchanged PDF is not rewritten");
    assert_eq!(fs::read(out.join("manifest.json")).unwrap(), first_manifest);

    write(&input.join("sub/b.txt"), &statement(20, 2));
    let o = batch(&[&input, &"--out", &out]);
    assert!(
        stderr(&o).contains("built 1, unchanged 2, failed 0"),
        "{}",
        stderr(&o)
    );

    // A PDF changed behind the manifest's back is rebuilt.
    fs::write(out.join("a.pdf"), b"tampered").unwrap();
    let o = batch(&[&input, &"--out", &out]);
    assert!(
        stderr(&o).contains("built 1, unchanged 2, failed 0"),
        "{}",
        stderr(&o)
    );

    // A changed SOURCE_DATE_EPOCH changes the PDFs, so it rebuilds.
    let o = communique()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "batch".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("built 3, unchanged 0"),
        "{}",
        stderr(&o)
    );

    let before = pdfs(&out);
    let o = communique()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "batch".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .arg("--force")
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("built 3, unchanged 0, failed 0"),
        "{}",
        stderr(&o)
    );
    assert_eq!(pdfs(&out), before, "a forced rebuild gives the same bytes");
    assert_manifest_consistent(&out, &out.join("manifest.json"));
}

#[test]
fn check_passes_on_fresh_output_and_lists_every_difference() {
    let (_tmp, input, out) = archive();
    assert!(batch(&[&input, &"--out", &out]).status.success());
    let snapshot = tree(&out);

    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("checked 3: 3 identical, 0 differing, 0 missing, 0 extra"));
    assert_eq!(stdout(&o), "");

    // One byte changed, one file missing, one extra file.
    let mut a = fs::read(out.join("a.pdf")).unwrap();
    let mid = a.len() / 2;
    a[mid] ^= 1;
    fs::write(out.join("a.pdf"), &a).unwrap();
    fs::remove_file(out.join("sub/b.pdf")).unwrap();
    fs::write(out.join("sub/stray.pdf"), b"%PDF-").unwrap();
    let before = tree(&out);
    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert_eq!(o.status.code(), Some(1));
    let listed = stdout(&o);
    assert!(
        listed.contains(&format!(
            "differs: {}: the PDF was changed after it was built",
            out.join("a.pdf").display()
        )),
        "{listed}"
    );
    assert!(listed.contains(&format!("missing: {}", out.join("sub/b.pdf").display())));
    assert!(listed.contains(&format!("extra: {}", out.join("sub/stray.pdf").display())));
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert_eq!(tree(&out), before, "--check writes nothing");

    // Rebuilding repairs it (the tampered and missing PDFs), apart from the stray file.
    fs::remove_file(out.join("sub/stray.pdf")).unwrap();
    assert!(batch(&[&input, &"--out", &out]).status.success());
    assert_eq!(tree(&out), snapshot);
}

#[test]
fn check_without_output_lists_everything_missing() {
    let (_tmp, input, out) = archive();
    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o)
            .lines()
            .filter(|l| l.starts_with("missing: "))
            .count(),
        3
    );
    assert!(!out.exists(), "--check creates nothing");
}

#[test]
fn shards_partition_the_inputs_and_give_the_same_bytes() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    for i in 0..12 {
        write(&input.join(format!("d{}/s{i}.md", i % 3)), &statement(i, 1));
    }
    let whole = tmp.path().join("whole");
    assert!(batch(&[&input, &"--out", &whole]).status.success());
    let all = manifest_keys(&whole.join("manifest.json"));
    assert_eq!(all.len(), 12);

    // Separate output folders: every output is built by exactly one shard.
    let mut union = BTreeSet::new();
    let mut total = 0;
    let mut merged = BTreeMap::new();
    for k in 1..=3 {
        let out = tmp.path().join(format!("shard{k}"));
        let o = batch(&[&input, &"--out", &out, &"--shard", &format!("{k}/3")]);
        assert!(o.status.success(), "{}", stderr(&o));
        let keys = manifest_keys(&out.join(format!("manifest-{k}-of-3.json")));
        total += keys.len();
        union.extend(keys);
        merged.extend(pdfs(&out));
        assert!(!out.join("manifest.json").exists());
    }
    assert_eq!(union, all);
    assert_eq!(total, all.len(), "shards are disjoint");
    assert_eq!(merged, pdfs(&whole), "sharded PDFs are the unsharded ones");

    // One shared output folder: per-shard manifests, and --check per shard passes.
    let shared = tmp.path().join("shared");
    for k in 1..=3 {
        let s = format!("{k}/3");
        assert!(
            batch(&[&input, &"--out", &shared, &"--shard", &s])
                .status
                .success()
        );
    }
    assert_eq!(pdfs(&shared), pdfs(&whole));
    for k in 1..=3 {
        let s = format!("{k}/3");
        let o = batch(&[&input, &"--out", &shared, &"--shard", &s, &"--check"]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        assert!(
            stderr(&o).contains("0 extra"),
            "other shards' files are not extra"
        );
    }
    let o = batch(&[&input, &"--out", &shared, &"--check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn jobs_do_not_change_the_output() {
    let (tmp, input, _) = archive();
    let one = tmp.path().join("one");
    let four = tmp.path().join("four");
    assert!(
        batch(&[&input, &"--out", &one, &"--jobs", &"1"])
            .status
            .success()
    );
    assert!(
        batch(&[&input, &"--out", &four, &"--jobs", &"4"])
            .status
            .success()
    );
    assert_eq!(
        tree(&one),
        tree(&four),
        "PDFs and manifest are byte-identical"
    );
}

#[test]
fn output_is_identical_to_build() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new().unwrap();
    let names = [
        "2024-06-05-form-a-ministerial.md",
        "2025-11-12-short-paragraphs.md",
        "2026-04-14-zayavlenie-ru.md",
    ];
    let inputs: Vec<PathBuf> = names
        .iter()
        .map(|n| repo.join("statements").join(n))
        .collect();
    let layout = repo.join("layouts/coalition.toml");
    for epoch in [None, Some("1700000000")] {
        for layout in [None, Some(&layout)] {
            let out = tmp.path().join("batch");
            let _ = fs::remove_dir_all(&out);
            let mut c = communique();
            if let Some(e) = epoch {
                c.env("SOURCE_DATE_EPOCH", e);
            }
            c.arg("batch").args(&inputs).arg("--out").arg(&out);
            if let Some(l) = layout {
                c.arg("--layout").arg(l);
            }
            let o = c.output().unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
            for (name, input) in names.iter().zip(&inputs) {
                let single = tmp.path().join("single.pdf");
                let mut c = communique();
                if let Some(e) = epoch {
                    c.env("SOURCE_DATE_EPOCH", e);
                }
                c.arg("build").arg(input).arg("-o").arg(&single);
                if let Some(l) = layout {
                    c.arg("--layout").arg(l);
                }
                assert!(c.output().unwrap().status.success());
                let pdf = Path::new(name).with_extension("pdf");
                assert!(
                    fs::read(out.join(&pdf)).unwrap() == fs::read(&single).unwrap(),
                    "{name} with {epoch:?} and {layout:?}"
                );
            }
        }
    }
}

#[test]
fn a_failing_statement_does_not_stop_the_others() {
    let (_tmp, input, out) = archive();
    write(
        &input.join("bad.md"),
        "+++\ntitle = \"T\"\ncolour = \"red\"\n+++\nBody.\n",
    );
    write(&input.join("sub/empty.md"), "   \n");
    let o = batch(&[&input, &"--out", &out, &"--jobs", &"2"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let bad = input.join("bad.md");
    assert!(
        err.contains(&format!(
            "error: {}:3:1: unknown key `colour`",
            bad.display()
        )),
        "{err}"
    );
    assert!(err.contains("empty.md"), "{err}");
    assert!(err.contains("built 3, unchanged 0, failed 2"), "{err}");
    assert_eq!(pdfs(&out).len(), 3);
    assert_eq!(
        manifest_keys(&out.join("manifest.json")),
        ["a.pdf", "sub/b.pdf", "sub/deeper/c.pdf"]
            .map(String::from)
            .into()
    );
    assert_manifest_consistent(&out, &out.join("manifest.json"));

    // A statement that used to build and now fails loses its manifest entry.
    write(&input.join("a.md"), "no title here\n");
    let o = batch(&[&input, &"--out", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!manifest_keys(&out.join("manifest.json")).contains("a.pdf"));
}

#[test]
fn a_missing_input_stops_the_batch_before_anything_is_built() {
    let (tmp, input, out) = archive();
    let missing = tmp.path().join("nope");
    let o = batch(&[&input, &missing, &"--out", &out]);
    // 3, "a file cannot be read", as `build` with a missing statement: a typo in a CI script
    // must not pass as a smaller batch.
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("cannot read the input {}", missing.display())));
    assert!(!out.exists(), "nothing is built, no manifest written");
}

#[test]
fn an_empty_folder_is_an_error_and_writes_no_manifest() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    write(&input.join("README.md"), "# About this archive\n");
    write(&input.join("notes.txt"), "to do\n");
    let out = tmp.path().join("out");
    let o = batch(&[&input, &"--out", &out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no statements found"), "{}", stderr(&o));
    assert!(!out.exists(), "no manifest, no output folder");
}

#[test]
fn the_output_folder_as_the_input_is_an_error() {
    let (_tmp, input, _out) = archive();
    let o = batch(&[&input, &"--out", &input]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the --out folder, which is never searched"),
        "{}",
        stderr(&o)
    );
    assert!(!input.join("manifest.json").exists());
}

#[test]
fn readme_and_notes_are_not_statements_and_exclude_and_ignore_files_leave_out_more() {
    let (_tmp, input, out) = archive();
    write(&input.join("README.md"), "# About this archive\n");
    write(&input.join("sub/NOTES.txt"), "call the printer\n");
    write(&input.join("drafts/d.md"), &statement(5, 1));
    write(&input.join("sub/2019-old.md"), &statement(6, 1));
    write(&input.join("sub/deeper/skip.md"), &statement(7, 1));
    write(
        &input.join("sub/.communiqueignore"),
        "# old ones\n2019-*.md\n",
    );
    let o = batch(&[
        &input,
        &"--out",
        &out,
        &"--exclude",
        &"drafts/",
        &"--exclude",
        &"skip.md",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        manifest_keys(&out.join("manifest.json")),
        ["a.pdf", "sub/b.pdf", "sub/deeper/c.pdf"]
            .map(String::from)
            .into()
    );
    // An excluded file named as an input is left out too.
    let o = batch(&[&input.join("a.md"), &"--out", &out, &"--exclude", &"a.md"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("left out by --exclude"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_output_or_manifest_that_is_an_input_is_refused() {
    let (tmp, input, out) = archive();
    // A statement named x.pdf maps to OUT/x.pdf: with OUT its own folder, itself.
    let odd = tmp.path().join("odd.pdf");
    write(&odd, &statement(8, 1));
    let o = batch(&[&odd, &"--out", &tmp.path()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is the input"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&odd).unwrap(), statement(8, 1));
    let a = input.join("a.md");
    let o = batch(&[&input, &"--out", &out, &"--manifest", &a]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&a).unwrap(), statement(1, 3));
}

/// A statement with a word wider than the measure: it builds, with a warning.
fn warned_statement() -> String {
    format!(
        "+++\ntitle = \"Wide\"\ndate = 2026-05-14\n+++\n\nThe word {} is too wide.\n",
        "x".repeat(140)
    )
}

#[test]
fn warnings_are_kept_in_the_manifest_and_repeated_for_unchanged_outputs() {
    let (_tmp, input, out) = archive();
    write(&input.join("wide.md"), &warned_statement());
    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(String::from)
        .collect();
    assert!(!first.is_empty(), "{}", stderr(&o));
    let m = manifest(&out.join("manifest.json"));
    assert!(
        m["outputs"]["wide.pdf"]["warnings"]
            .as_array()
            .is_some_and(|w| !w.is_empty()),
        "{m}"
    );
    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(String::from)
        .collect();
    assert_eq!(again, first, "the same warnings on the incremental run");
    assert!(
        stderr(&o).contains(&format!(
            "unchanged 4, failed 0, {n} warnings ({n} in unchanged files)",
            n = first.len()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_says_why_each_pdf_differs_and_keeps_the_actual_one() {
    let (tmp, input, out) = archive();
    assert!(batch(&[&input, &"--out", &out]).status.success());
    // The statement changed; the manifest says what it was built from.
    write(&input.join("a.md"), &statement(11, 3));
    // Same inputs, other bytes: the PDF was edited after the build.
    let mut b = fs::read(out.join("sub/b.pdf")).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 1;
    fs::write(out.join("sub/b.pdf"), &b).unwrap();
    let keep = tmp.path().join("actual");
    let o = batch(&[&input, &"--out", &out, &"--check", &"--keep-actual", &keep]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let listed = stdout(&o);
    assert!(
        listed.contains(&format!(
            "differs: {}: the statement changed since the manifest (actual: {})",
            out.join("a.pdf").display(),
            keep.join("a.pdf").display()
        )),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "differs: {}: the PDF was changed after it was built",
            out.join("sub/b.pdf").display()
        )),
        "{listed}"
    );
    assert!(is_complete_pdf(&fs::read(keep.join("a.pdf")).unwrap()));
    assert!(is_complete_pdf(&fs::read(keep.join("sub/b.pdf")).unwrap()));
    assert!(
        !keep.join("sub/deeper/c.pdf").exists(),
        "identical files are not kept"
    );

    // With another layout, that is the reason.
    write(&input.join("a.md"), &statement(1, 3));
    fs::remove_file(out.join("sub/b.pdf")).unwrap();
    let o = batch(&[
        &input,
        &"--out",
        &out,
        &"--check",
        &"--layout",
        &"coalition",
    ]);
    assert!(
        stdout(&o).contains("the layout changed since the manifest"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_closed_stdout_and_stderr_do_not_stop_or_crash_the_batch() {
    let (_tmp, input, out) = archive();
    for i in 0..6 {
        write(&input.join(format!("more/m{i}.md")), &statement(20 + i, 1));
    }
    // The build writes its summary to stderr; the check, with one PDF missing, also lists it
    // on stdout and exits 1.
    for (args, code) in [(vec![], 0), (vec!["--check"], 1)] {
        if code == 1 {
            fs::remove_file(out.join("a.pdf")).unwrap();
        }
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
            .env_remove("SOURCE_DATE_EPOCH")
            .arg("batch")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // As `| head` does once it has read enough: the reader goes away.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(
            status.code(),
            Some(code),
            "{args:?}: not a panic (101), not a stop"
        );
        if code == 0 {
            assert_eq!(pdfs(&out).len(), 9, "every PDF was built");
            assert_manifest_consistent(&out, &out.join("manifest.json"));
        }
    }
}

#[test]
fn front_matter_layout_overrides_the_default() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(input.join("layouts")).unwrap();
    fs::copy(
        repo.join("layouts/coalition.toml"),
        input.join("layouts/c.toml"),
    )
    .unwrap();
    let body = statement(1, 2);
    let named = body.replacen("+++\n", "+++\nlayout = \"../layouts/c.toml\"\n", 1);
    write(&input.join("sub/named.md"), &named);
    write(&input.join("plain.md"), &body);
    write(
        &input.join("broken.md"),
        &body.replacen("+++\n", "+++\nlayout = \"nowhere.toml\"\n", 1),
    );
    let out = tmp.path().join("out");
    let o = batch(&[&input, &"--out", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nowhere.toml"), "{}", stderr(&o));

    let build = |statement: &Path, layout: Option<&Path>| {
        let pdf = tmp.path().join("single.pdf");
        let mut c = communique();
        c.arg("build").arg(statement).arg("-o").arg(&pdf);
        if let Some(l) = layout {
            c.arg("--layout").arg(l);
        }
        assert!(c.output().unwrap().status.success());
        fs::read(pdf).unwrap()
    };
    let named_pdf = fs::read(out.join("sub/named.pdf")).unwrap();
    assert!(named_pdf == build(&input.join("plain.md"), Some(&input.join("layouts/c.toml"))));
    assert!(fs::read(out.join("plain.pdf")).unwrap() == build(&input.join("plain.md"), None));
    let m = manifest(&out.join("manifest.json"));
    let layout_path = m["outputs"]["sub/named.pdf"]["layout"]["path"]
        .as_str()
        .unwrap();
    assert!(layout_path.ends_with("c.toml"), "{layout_path}");

    // Changing the layout rebuilds only the statements that use it.
    let mut text = fs::read_to_string(input.join("layouts/c.toml")).unwrap();
    text += "\n# edited\n";
    fs::write(input.join("layouts/c.toml"), text).unwrap();
    fs::remove_file(input.join("broken.md")).unwrap();
    let o = batch(&[&input, &"--out", &out]);
    assert!(
        stderr(&o).contains("built 1, unchanged 1, failed 0"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_new_logo_or_signature_image_rebuilds_the_statements_that_show_it() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(input.join("layouts/assets")).unwrap();
    fs::copy(
        repo.join("layouts/ministry.toml"),
        input.join("layouts/m.toml"),
    )
    .unwrap();
    let emblem = input.join("layouts/assets/ministry-emblem.svg");
    fs::copy(repo.join("layouts/assets/ministry-emblem.svg"), &emblem).unwrap();
    let signature = input.join("sig.jpg");
    fs::copy(repo.join("tests/layouts_assets/sig.jpg"), &signature).unwrap();
    let body = statement(1, 2);
    write(
        &input.join("logo.md"),
        &body.replacen("+++\n", "+++\nlayout = \"layouts/m.toml\"\n", 1),
    );
    write(
        &input.join("signed.md"),
        &body.replacen(
            "\n+++\n",
            "\n[[signatories]]\nname = \"A\"\nimage = \"sig.jpg\"\n\
             image_alt = \"Signature of A\"\n+++\n",
            1,
        ),
    );
    write(&input.join("plain.md"), &statement(2, 2));
    let out = tmp.path().join("out");
    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&out.join("manifest.json"));
    let images = |rel: &str| m["outputs"][rel]["images"].as_array().map_or(0, Vec::len);
    assert_eq!(
        (
            images("logo.pdf"),
            images("signed.pdf"),
            images("plain.pdf")
        ),
        (1, 1, 0)
    );

    // A recoloured emblem: the statement that shows it is out of date, and --check says why.
    let svg = fs::read_to_string(&emblem).unwrap();
    assert!(svg.contains("fill=\"#"));
    fs::write(
        &emblem,
        svg.replacen("fill=\"#", "fill=\"#c00\" data-was=\"#", 1),
    )
    .unwrap();
    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "differs: {}: an image (letterhead logo or signature) changed since the manifest",
            out.join("logo.pdf").display()
        )),
        "{}",
        stdout(&o)
    );
    let o = batch(&[&input, &"--out", &out]);
    assert!(
        stderr(&o).contains("built 1, unchanged 2, failed 0"),
        "{}",
        stderr(&o)
    );

    // A new signature image, likewise.
    let mut jpg = fs::read(&signature).unwrap();
    let end = jpg.len() - 2;
    jpg.insert(end, 0); // a byte before EOI: same picture, other file
    fs::write(&signature, jpg).unwrap();
    let o = batch(&[&input, &"--out", &out]);
    assert!(
        stderr(&o).contains("built 1, unchanged 2, failed 0"),
        "{}",
        stderr(&o)
    );
    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn two_inputs_for_one_output_are_refused_before_any_work() {
    let tmp = TempDir::new().unwrap();
    write(&tmp.path().join("a/x.md"), &statement(1, 1));
    write(&tmp.path().join("b/x.txt"), &statement(2, 1));
    let out = tmp.path().join("out");
    let o = batch(&[&tmp.path().join("a"), &tmp.path().join("b"), &"--out", &out]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("2 inputs map to the same output"), "{err}");
    assert!(err.contains("x.md") && err.contains("x.txt"), "{err}");
    assert!(!out.exists());

    // The same file reached twice is not a collision.
    let a = tmp.path().join("a");
    let o = batch(&[&a, &a.join("x.md"), &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("built 1"));
}

#[test]
fn corrupt_and_newer_manifests_are_refused() {
    let (_tmp, input, out) = archive();
    assert!(batch(&[&input, &"--out", &out]).status.success());
    let path = out.join("manifest.json");
    let good = fs::read(&path).unwrap();

    fs::write(&path, &good[..good.len() / 2]).unwrap();
    let o = batch(&[&input, &"--out", &out]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("is corrupt") && err.contains("--force"),
        "{err}"
    );
    let o = batch(&[&input, &"--out", &out, &"--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(&path).unwrap(), good);

    let newer =
        String::from_utf8(good.clone())
            .unwrap()
            .replacen("\"format\": 2", "\"format\": 7", 1);
    fs::write(&path, newer).unwrap();
    for extra in [None, Some("--force")] {
        let mut c = communique();
        c.arg("batch").arg(&input).arg("--out").arg(&out);
        c.args(extra);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("format version 7, newer"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn an_unwritable_output_folder_is_refused() {
    let (tmp, input, _) = archive();
    let file = tmp.path().join("file");
    fs::write(&file, b"").unwrap();
    let o = batch(&[&input, &"--out", &file.join("out")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("cannot write to the output folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_arguments_are_refused() {
    let (_tmp, input, out) = archive();
    for shard in ["0/2", "3/2", "x"] {
        let o = batch(&[&input, &"--out", &out, &"--shard", &shard]);
        assert_eq!(o.status.code(), Some(2), "{shard}");
    }
    let o = batch(&[&input, &"--out", &out, &"--jobs", &"0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = batch(&[&input, &"--out", &out, &"--layout", &"/nonexistent.toml"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/nonexistent.toml"));
    assert!(!out.exists());
}

/// A batch killed with SIGKILL leaves only complete PDFs, and running it again finishes the
/// rest, skipping what the interrupted run's manifest checkpoint already records.
#[test]
fn an_interrupted_batch_resumes() {
    let tmp = TempDir::new().unwrap();
    let input = tmp.path().join("in");
    // Enough work that the batch outlives its first manifest checkpoint (after one second).
    let count = 2000;
    for i in 0..count {
        write(
            &input.join(format!("d{}/s{i:03}.md", i % 4)),
            &statement(i, 2 + i % 5),
        );
    }
    let out = tmp.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("batch")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "2"])
        .env_remove("SOURCE_DATE_EPOCH")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a manifest checkpoint, then kill it mid-flight.
    let start = Instant::now();
    while !out.join("manifest.json").exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the batch finished before it was killed");

    let after_kill = tree(&out);
    let built = after_kill.keys().filter(|k| k.ends_with(".pdf")).count();
    assert!(built > 0 && built < count, "{built} PDFs after the kill");
    for (rel, bytes) in &after_kill {
        let name = rel.rsplit('/').next().unwrap();
        if rel.ends_with(".pdf") {
            assert!(!name.starts_with('.'), "{rel}");
            assert!(is_complete_pdf(bytes), "{rel} is incomplete");
        } else if rel != "manifest.json" {
            assert!(name.starts_with('.') && name.ends_with(".tmp"), "{rel}");
        }
    }
    assert_manifest_consistent(&out, &out.join("manifest.json"));
    let checkpointed = manifest_keys(&out.join("manifest.json")).len();
    assert!(checkpointed > 0);

    let o = batch(&[&input, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let unchanged: usize = err
        .split("unchanged ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        unchanged >= checkpointed,
        "{err}: {checkpointed} in the checkpoint"
    );
    let files = tree(&out);
    assert_eq!(files.keys().filter(|k| k.ends_with(".pdf")).count(), count);
    assert!(
        files.keys().all(|k| !k.ends_with(".tmp")),
        "temporary files are cleaned up"
    );
    assert_eq!(manifest_keys(&out.join("manifest.json")).len(), count);
    assert_manifest_consistent(&out, &out.join("manifest.json"));
    let o = batch(&[&input, &"--out", &out, &"--check"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

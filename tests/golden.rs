//! Golden files: every `statements/*.md` with every `layouts/*.toml`, rendered in-process through
//! `communique::render`, must equal `tests/golden/<statement>--<layout>.pdf` byte for byte.
//!
//! `UPDATE_GOLDEN=1 cargo test --release --test golden` rewrites them (and creates missing ones,
//! and deletes goldens whose statement or layout is gone). On a mismatch the actual PDF is
//! written to `target/golden-actual/` and the failure shows page counts and a `pdftotext` diff.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use communique::{FontSet, Layout, Options, Statement};

const UPDATE_HINT: &str = "UPDATE_GOLDEN=1 cargo test --release --test golden";

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn golden_dir() -> PathBuf {
    common::root().join("tests/golden")
}

fn actual_dir() -> PathBuf {
    common::target_dir().join("golden-actual")
}

struct Case {
    name: String,
    statement: PathBuf,
    layout: usize,
}

enum Outcome {
    Same,
    Written(&'static str),
    Failed(String),
}

#[test]
fn every_statement_in_every_layout_matches_its_golden_pdf() {
    let update = updating();
    let layouts: Vec<(PathBuf, Layout, FontSet)> = common::layouts()
        .into_iter()
        .map(|p| {
            let layout = common::load_layout(&p);
            let fonts = common::load_fonts(&layout);
            (p, layout, fonts)
        })
        .collect();
    let mut cases = Vec::new();
    for statement in common::statements() {
        for (i, (layout, _, _)) in layouts.iter().enumerate() {
            cases.push(Case {
                name: format!("{}--{}.pdf", common::stem(&statement), common::stem(layout)),
                statement: statement.clone(),
                layout: i,
            });
        }
    }
    std::fs::create_dir_all(golden_dir()).expect("create tests/golden");

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let (_, layout, fonts) = &layouts[case.layout];
                    // A panic inside the renderer is a failure of this case, not of the run.
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check(case, layout, fonts, update)
                    }))
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        Outcome::Failed(format!("panicked: {msg}"))
                    });
                    results.lock().unwrap().push((i, outcome));
                }
            });
        }
    });

    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    for (i, outcome) in &results {
        match outcome {
            Outcome::Same => {}
            Outcome::Written(what) => eprintln!("{what} tests/golden/{}", cases[*i].name),
            Outcome::Failed(msg) => failures.push(format!("== {}\n{msg}", cases[*i].name)),
        }
    }

    // Goldens that no statement x layout pair produces any more.
    let expected: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for entry in std::fs::read_dir(golden_dir()).expect("read tests/golden") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".pdf") && !expected.contains(&name.as_str()) {
            if update {
                std::fs::remove_file(&path).expect("remove stale golden");
                eprintln!("removed stale tests/golden/{name}");
            } else {
                failures.push(format!(
                    "== {name}\nstale golden: no statement x layout pair makes it; delete it or \
                     run `{UPDATE_HINT}`"
                ));
            }
        }
    }

    eprintln!(
        "golden: {} pairs ({} statements x {} layouts), {} failed",
        cases.len(),
        cases.len() / layouts.len(),
        layouts.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} golden problem(s) over {} statement x layout pairs:\n\n{}\n\nIf the change is \
         intended, run `{UPDATE_HINT}` and commit tests/golden/.",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

fn check(case: &Case, layout: &Layout, fonts: &FontSet, update: bool) -> Outcome {
    let statement = match Statement::load(&case.statement) {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(format!("loading the statement failed:\n{e}")),
    };
    // timestamp: None, so the date comes from the statement (all bundled ones have one).
    let options = Options {
        pdfa: None,
        timestamp: None,
    };
    let rendered = match communique::render(&statement, layout, fonts, &options) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("rendering failed:\n{e}")),
    };
    let golden = golden_dir().join(&case.name);
    let actual_path = actual_dir().join(&case.name);
    // Left over from an earlier failing run.
    let _ = std::fs::remove_file(&actual_path);
    match std::fs::read(&golden) {
        Ok(expected) if expected == rendered.pdf => Outcome::Same,
        Ok(_) if update => {
            write(&golden, &rendered.pdf);
            Outcome::Written("updated")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && update => {
            write(&golden, &rendered.pdf);
            Outcome::Written("created")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Failed(format!(
            "missing golden {}; create it with `{UPDATE_HINT}`",
            golden.display()
        )),
        Err(e) => Outcome::Failed(format!("cannot read {}: {e}", golden.display())),
        Ok(expected) => {
            std::fs::create_dir_all(actual_dir()).expect("create target/golden-actual");
            write(&actual_path, &rendered.pdf);
            Outcome::Failed(explain(
                &golden,
                &expected,
                &actual_path,
                &rendered.pdf,
                rendered.pages,
            ))
        }
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// What differs between the golden and the actual PDF, as helpfully as the tools allow.
fn explain(
    golden: &Path,
    expected: &[u8],
    actual_path: &Path,
    actual: &[u8],
    actual_pages: usize,
) -> String {
    let mut msg = format!(
        "differs from {}\n  actual written to {}\n  bytes: expected {}, actual {}",
        golden.display(),
        actual_path.display(),
        expected.len(),
        actual.len()
    );
    if let Some(at) = common::first_difference(expected, actual) {
        msg += &format!(", first difference at byte offset {at}");
    }
    let expected_pages = common::pdfinfo_pages(golden)
        .map_or_else(|| "unknown (no pdfinfo)".to_string(), |n| n.to_string());
    msg += &format!("\n  pages: expected {expected_pages}, actual {actual_pages}");
    let has_pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !has_pdftotext {
        msg += "\n  (install poppler-utils for a text diff)";
        return msg;
    }
    match (common::pdftotext(golden), common::pdftotext(actual_path)) {
        (Ok(e), Ok(a)) if e == a => {
            msg += "\n  pdftotext output is identical: the difference is in positions, fonts, \
                    structure or metadata";
        }
        (Ok(e), Ok(a)) => {
            msg += "\n  pdftotext diff (- expected, + actual; first 20 differing lines):";
            for line in common::line_diff(&e, &a, 20) {
                msg += "\n    ";
                msg += &line;
            }
        }
        (Err(e), _) | (_, Err(e)) => msg += &format!("\n  {e}"),
    }
    msg
}

//! The same inputs give the same bytes: run after run, on any number of threads at once, and
//! through the CLI.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use communique::{FontSet, Layout, Options, Standard, Statement};

fn inputs() -> Vec<(PathBuf, Statement)> {
    common::statements()
        .into_iter()
        .map(|p| {
            let s = common::load_statement(&p);
            (p, s)
        })
        .collect()
}

fn render(statement: &Statement, layout: &Layout, fonts: &FontSet, options: &Options) -> Vec<u8> {
    communique::render(statement, layout, fonts, options)
        .unwrap_or_else(|e| panic!("rendering {}:\n{e}", statement.path.display()))
        .pdf
}

fn name(path: &Path) -> String {
    common::stem(path)
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let layout = common::load_layout(&common::coalition_layout());
    for (path, statement) in inputs() {
        for options in [
            Options::default(),
            Options {
                pdfa: Some(Standard::A1b),
                timestamp: Some(1_700_000_000),
            },
        ] {
            // Fresh fonts each time too: nothing may depend on what was rendered before.
            let first = render(&statement, &layout, &common::load_fonts(&layout), &options);
            let second = render(&statement, &layout, &common::load_fonts(&layout), &options);
            assert!(
                first == second,
                "{} ({options:?}): two renders differ (first difference at byte {:?})",
                name(&path),
                common::first_difference(&first, &second)
            );
        }
    }
}

#[test]
fn reloading_the_inputs_gives_identical_bytes() {
    let path = common::seed_statement();
    let a = common::render_files(&path, &common::coalition_layout(), &Options::default());
    let b = common::render_files(&path, &common::coalition_layout(), &Options::default());
    assert!(a.pdf == b.pdf, "two loads and renders of the seed differ");
}

#[test]
fn four_threads_at_once_give_the_single_thread_bytes() {
    let layout = common::load_layout(&common::coalition_layout());
    let fonts = common::load_fonts(&layout);
    let options = Options::default();
    let inputs = inputs();
    let single: Vec<Vec<u8>> = inputs
        .iter()
        .map(|(_, s)| render(s, &layout, &fonts, &options))
        .collect();

    // Same statement on four threads at once, for each statement.
    for (i, (path, statement)) in inputs.iter().enumerate() {
        let results: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| render(statement, &layout, &fonts, &options)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (t, bytes) in results.iter().enumerate() {
            assert!(
                *bytes == single[i],
                "{} on thread {t} of 4 differs from the single-thread render",
                name(path)
            );
        }
    }

    // Different statements on four threads at once, sharing one layout and font set, each
    // thread walking the list from a different start, twice round.
    let results: Vec<Vec<(usize, Vec<u8>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (inputs, layout, fonts, options) = (&inputs, &layout, &fonts, &options);
                scope.spawn(move || {
                    (0..inputs.len() * 2)
                        .map(|k| {
                            let i = (t * 3 + k) % inputs.len();
                            (i, render(&inputs[i].1, layout, fonts, options))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (t, list) in results.iter().enumerate() {
        for (i, bytes) in list {
            assert!(
                *bytes == single[*i],
                "{} rendered on thread {t} alongside other statements differs from the \
                 single-thread render",
                name(&inputs[*i].0)
            );
        }
    }
}

#[test]
fn two_cli_runs_give_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let statement = common::root().join("statements/2025-09-30-lists-and-headings.md");
    let run = |out: &str, extra: &[&str]| -> Vec<u8> {
        let path = dir.path().join(out);
        Command::cargo_bin("communique")
            .unwrap()
            .env_remove("SOURCE_DATE_EPOCH")
            .arg("build")
            .arg(&statement)
            .arg("--layout")
            .arg(common::coalition_layout())
            .args(extra)
            .arg("-o")
            .arg(&path)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .success();
        std::fs::read(&path).unwrap()
    };
    let first = run("first.pdf", &[]);
    let second = run("second.pdf", &[]);
    assert!(first == second, "two CLI runs differ");
    let a1b_first = run("a1b-1.pdf", &["--pdfa", "a-1b"]);
    let a1b_second = run("a1b-2.pdf", &["--pdfa", "a-1b"]);
    assert!(
        a1b_first == a1b_second,
        "two CLI runs with --pdfa a-1b differ"
    );

    // The CLI makes what the library makes.
    let library =
        common::render_files(&statement, &common::coalition_layout(), &Options::default());
    assert!(
        library.pdf == first,
        "the CLI and communique::render differ"
    );
}

#[test]
fn source_date_epoch_is_the_document_date_and_stays_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let statement = common::seed_statement();
    let run = |out: &str, epoch: &str| -> Vec<u8> {
        let path = dir.path().join(out);
        Command::cargo_bin("communique")
            .unwrap()
            .env("SOURCE_DATE_EPOCH", epoch)
            .arg("build")
            .arg(&statement)
            .arg("-o")
            .arg(&path)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .success();
        std::fs::read(&path).unwrap()
    };
    let a = run("a.pdf", "1700000000");
    let b = run("b.pdf", "1700000000");
    let c = run("c.pdf", "1600000000");
    assert!(a == b, "same SOURCE_DATE_EPOCH, different bytes");
    assert!(a != c, "SOURCE_DATE_EPOCH does not reach the PDF");
    // 1700000000 is 2023-11-14T22:13:20Z.
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        contains(&a, "2023-11-14T22:13:20") || contains(&a, "D:20231114221320"),
        "the PDF does not carry the SOURCE_DATE_EPOCH date"
    );
}

#[test]
fn the_statement_path_does_not_change_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("renamed-copy.md");
    std::fs::copy(common::seed_statement(), &copy).unwrap();
    let original = common::render_files(
        &common::seed_statement(),
        &common::coalition_layout(),
        &Options::default(),
    );
    let moved = common::render_files(&copy, &common::coalition_layout(), &Options::default());
    assert!(
        original.pdf == moved.pdf,
        "the same statement under another name gives other bytes"
    );
}

//! The README's shell examples run as written, in order, on a copy of the repository.
//!
//! Every block fenced ```sh is a script run by bash with `set -euo pipefail`, with the binary
//! under test as `communique` on the PATH and `cargo run --release --` replaced by it. Blocks
//! fenced ```text, ```console or without a language are documentation and are not run.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A README block should finish in seconds; this only guards against a hang.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// The ```sh blocks: (line of the opening fence, text).
fn sh_blocks(readme: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == "```sh" => current = Some((i + 1, String::new())),
            None => {}
            Some(_) if line.starts_with("```") => blocks.push(current.take().unwrap()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    assert!(current.is_none(), "an unclosed ```sh block in README.md");
    blocks
}

/// The first fenced block (any language) after `marker` in the README.
fn block_after(readme: &str, marker: &str) -> String {
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README.md no longer says `{marker}`"));
    let rest = &readme[at..];
    let open = rest.find("\n```").expect("a fenced block after the marker") + 1;
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```\n").expect("a closed block")].to_string()
}

/// Copies the repository's files (not `target/`, not `.git/`, not files left by a local run of
/// the examples) into `to`.
fn copy_repo(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        // fuzz/ holds the fuzzers' own build and growing corpora, which no README example
        // uses and which change while a fuzzer runs.
        if from == common::root() && (name == "target" || name == ".git" || name == "fuzz") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let t = entry.file_type().unwrap();
        if t.is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_repo(&src, &dst);
        } else if t.is_file() {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn bin_dir(scratch: &Path) -> PathBuf {
    let dir = scratch.join(".readme-bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_communique"), dir.join("communique")).unwrap();
    dir
}

#[test]
fn readme_shell_examples_run_as_written_in_order() {
    let root = common::root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = sh_blocks(&readme);
    assert!(
        blocks.len() >= 4,
        "README.md has only {} ```sh blocks; did the fences change?",
        blocks.len()
    );
    let tmp = tempfile::Builder::new()
        .prefix("communique-readme-")
        .tempdir()
        .unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    copy_repo(&root, &repo);
    let bin = bin_dir(tmp.path());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (line, text) in &blocks {
        for forbidden in [
            "cargo test",
            "cargo bench",
            "communique watch",
            "communique serve",
        ] {
            assert!(
                !text.contains(forbidden),
                "README.md:{line}: `{forbidden}` in a ```sh block; long-running or recursive \
                 commands belong in a ```text block"
            );
        }
        let script = format!(
            "set -euo pipefail\n{}",
            text.replace("cargo run --release --", "communique")
        );
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&repo)
            .env("PATH", &path)
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("P12_PASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > BLOCK_TIMEOUT {
                let _ = child.kill();
                panic!("README.md:{line}: the block ran for over {BLOCK_TIMEOUT:?}:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "README.md:{line}: the block failed ({}):\n{text}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the examples say they write is there.
    for written in [
        "statements/2020-01-29-copenhagen-political-directors.pdf",
        "form-b.pdf",
        "complete.pdf",
        "examples/form-b.pdf",
        "pdf/manifest.json",
        "pdf/2025/2025-11-12-short-paragraphs.pdf",
    ] {
        let bytes = std::fs::read(repo.join(written))
            .unwrap_or_else(|e| panic!("the README examples should write {written}: {e}"));
        assert!(
            written.ends_with(".json") || bytes.starts_with(b"%PDF-"),
            "{written}"
        );
    }
    assert!(
        !repo.join("pdf/drafts").exists(),
        "examples/archive/.communiqueignore leaves drafts/ out"
    );
}

#[test]
fn readme_form_b_and_complete_layout_examples_are_the_files_in_examples() {
    let root = common::root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for (marker, file) in [
        (
            "**Form B** starts with TOML front matter",
            "examples/form-b.md",
        ),
        (
            "A complete example (every key, with its default):",
            "examples/complete.toml",
        ),
    ] {
        let on_disk = std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(
            block_after(&readme, marker),
            on_disk,
            "the README example after `{marker}` and {file} must be the same text"
        );
    }
}

#[test]
fn sh_blocks_are_found_and_other_fences_are_not() {
    let text = "a\n```sh\necho 1\n```\n```text\ncargo test\n```\n```\nx\n```\n```sh\necho 2\n```\n";
    let blocks = sh_blocks(text);
    assert_eq!(
        blocks,
        [(2, "echo 1\n".to_string()), (11, "echo 2\n".to_string())]
    );
}

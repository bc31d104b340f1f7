//! Completions, man pages and `init`: the pieces that make communique fit a shell and a system.

mod common;

use std::path::Path;
use std::process::Command;

fn communique(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bash_completions_load_and_complete_subcommands() {
    let bin = env!("CARGO_BIN_EXE_communique");
    // Loads the script as the README says, then asks it to complete `communique pre`.
    let script = format!(
        "source <('{bin}' completions bash) && COMP_WORDS=(communique pre) COMP_CWORD=1 \
         && _communique communique pre communique && printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.lines().any(|w| w == "preview"), "{words}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = communique(Path::new("."), &["completions", shell]);
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}

/// Text without the overstrikes (`N\x08N` for bold) man prints when its pager is `cat`, and
/// with runs of blanks (justification, line ends) as single spaces.
fn plain(text: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{8}' {
            out.pop();
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    let text: String = out.into_iter().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn man_pages_render_with_man() {
    let dir = tempfile::tempdir().unwrap();
    let out = communique(dir.path(), &["manpage", "-o", "man"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for want in [
        "communique.1",
        "communique-build.1",
        "communique-watch.1",
        "communique-preview.1",
    ] {
        assert!(
            pages.iter().any(|p| p == want),
            "{want} missing from {pages:?}"
        );
    }
    let has_man = Command::new("man").arg("--version").output().is_ok();
    if !common::require("man", has_man, "apt-get install man-db") {
        return;
    }
    for page in &pages {
        let out = Command::new("man")
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .args(["-P", "cat", "-l"])
            .arg(dir.path().join("man").join(page))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{page}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = plain(&String::from_utf8_lossy(&out.stdout));
        assert!(
            text.contains("NAME") && text.contains("SYNOPSIS"),
            "{page}:\n{text}"
        );
    }
    let watch = Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(dir.path().join("man/communique-watch.1"))
        .output()
        .unwrap();
    assert!(plain(&String::from_utf8_lossy(&watch.stdout)).contains("last good PDF"));
}

#[test]
fn init_writes_a_statement_that_builds_for_every_bundled_layout() {
    for layout in ["default", "coalition", "memo", "ministry"] {
        let dir = tempfile::tempdir().unwrap();
        let out = communique(
            dir.path(),
            &[
                "init",
                "press",
                "--layout",
                layout,
                "--org",
                "Ministry of \"Examples\"",
            ],
        );
        assert!(
            out.status.success(),
            "{layout}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let layout_text = std::fs::read_to_string(dir.path().join("press/layout.toml")).unwrap();
        assert!(
            layout_text.contains("Ministry of \"Examples\""),
            "{layout}:\n{layout_text}"
        );
        if layout == "ministry" {
            // The organisation replaces the name the layout was made for.
            assert!(
                !layout_text.contains("MINISTRY OF FOREIGN AFFAIRS"),
                "{layout_text}"
            );
        }
        if layout == "memo" {
            // A first line with a placeholder stays, below the organisation.
            assert!(
                layout_text.contains("Reference: {reference}"),
                "{layout_text}"
            );
        }
        let out = communique(dir.path(), &["build", "press/statement.md"]);
        assert!(
            out.status.success(),
            "{layout}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pdf = std::fs::read(dir.path().join("press/statement.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if common::require_pdftotext() {
            let text = common::pdftotext(&dir.path().join("press/statement.pdf")).unwrap();
            assert!(
                text.contains("Ministry of \"Examples\""),
                "{layout}: {text}"
            );
        }
    }
}

#[test]
fn init_refuses_to_overwrite_and_unknown_layouts() {
    let dir = tempfile::tempdir().unwrap();
    assert!(communique(dir.path(), &["init"]).status.success());
    let again = communique(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("does not overwrite"));
    let unknown = communique(dir.path(), &["init", "x", "--layout", "fancy"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("expected one of default"));
    assert!(!dir.path().join("x").exists());
}

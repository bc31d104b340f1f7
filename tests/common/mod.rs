//! Helpers shared by the integration tests: where the inputs are, rendering, external tools,
//! and text normalisation for comparing source words with `pdftotext` output.
//!
//! Each test crate uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use communique::statement::{Block, Inline};
use communique::{FontSet, Layout, Options, Rendered, Statement};
use unicode_normalization::UnicodeNormalization;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target directory (the parent of `CARGO_TARGET_TMPDIR`).
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// A fresh, empty folder under the target directory, for files a test wants to keep for
/// inspection after it fails.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = target_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = root().join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no *.{ext} files in {}", dir.display());
    out
}

/// Every `statements/*.md`, sorted.
pub fn statements() -> Vec<PathBuf> {
    files("statements", "md")
}

/// Every `layouts/*.toml`, sorted.
pub fn layouts() -> Vec<PathBuf> {
    files("layouts", "toml")
}

pub fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("file has a name")
        .to_string_lossy()
        .into_owned()
}

/// The seed statement (the Form A text the project started from).
pub fn seed_statement() -> PathBuf {
    root().join("statements/2020-01-29-copenhagen-political-directors.md")
}

pub fn coalition_layout() -> PathBuf {
    root().join("layouts/coalition.toml")
}

/// Loads a statement, panicking with the error's own message.
pub fn load_statement(path: &Path) -> Statement {
    Statement::load(path).unwrap_or_else(|e| panic!("loading {}:\n{e}", path.display()))
}

pub fn load_layout(path: &Path) -> Layout {
    Layout::load(path).unwrap_or_else(|e| panic!("loading {}:\n{e}", path.display()))
}

pub fn load_fonts(layout: &Layout) -> FontSet {
    FontSet::load(layout).unwrap_or_else(|e| panic!("loading the layout's fonts:\n{e}"))
}

/// Statement file + layout file -> PDF, through the same library call the CLI makes.
pub fn render_files(statement: &Path, layout: &Path, options: &Options) -> Rendered {
    let s = load_statement(statement);
    let l = load_layout(layout);
    let f = load_fonts(&l);
    communique::render(&s, &l, &f, options)
        .unwrap_or_else(|e| panic!("rendering {}:\n{e}", statement.display()))
}

// ------------------------------------------------------------------ external tools

/// Whether CI is running us (CI=true), in which case a missing tool is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Whether `program args...` can be started. Only "not installed" counts as missing; a tool
/// that starts and fails is reported by the test that uses it.
fn starts(program: &str, args: &[&str]) -> bool {
    match Command::new(program).args(args).output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("cannot run {program}: {e}"),
    }
}

/// Returns whether `tool` is usable. When it is not: fails the test under CI=true, otherwise
/// prints a loud SKIPPING line and returns false so the caller can return.
pub fn require(tool: &str, available: bool, install_hint: &str) -> bool {
    if available {
        return true;
    }
    if in_ci() {
        panic!("{tool} not installed, and CI=true requires it: {install_hint}");
    }
    eprintln!();
    eprintln!("************************************************************");
    eprintln!("SKIPPING: {tool} not installed ({install_hint})");
    eprintln!("************************************************************");
    false
}

const POPPLER_HINT: &str = "apt-get install poppler-utils";

pub fn require_pdftotext() -> bool {
    require("pdftotext", starts("pdftotext", &["-v"]), POPPLER_HINT)
}

pub fn require_pdffonts() -> bool {
    require("pdffonts", starts("pdffonts", &["-v"]), POPPLER_HINT)
}

pub fn require_qpdf() -> bool {
    require(
        "qpdf",
        starts("qpdf", &["--version"]),
        "apt-get install qpdf",
    )
}

/// The class path of Apache PDFBox Preflight as Debian installs it.
pub const PREFLIGHT_JARS: [&str; 7] = [
    "/usr/share/java/preflight.jar",
    "/usr/share/java/pdfbox2.jar",
    "/usr/share/java/fontbox2.jar",
    "/usr/share/java/xmpbox.jar",
    "/usr/share/java/commons-logging.jar",
    "/usr/share/java/javax.activation.jar",
    "/usr/share/java/jaxb-api.jar",
];

pub fn require_preflight() -> bool {
    let hint = "apt-get install default-jre-headless libpdfbox2-java libactivation-java \
                libjaxb-api-java";
    let missing: Vec<&str> = PREFLIGHT_JARS
        .iter()
        .copied()
        .filter(|j| !Path::new(j).exists())
        .collect();
    require("java", starts("java", &["-version"]), hint)
        && require(
            &format!("PDFBox Preflight ({})", missing.join(", ")),
            missing.is_empty(),
            hint,
        )
}

/// `pdftotext -enc UTF-8 FILE -`: the text poppler extracts.
pub fn pdftotext(pdf: &Path) -> Result<String, String> {
    run_pdftotext(pdf, &[])
}

/// `pdftotext -raw`: text in content-stream order, with line-end hyphens kept. (Without
/// `-raw`, poppler joins every line that ends in `-` to the next and drops the hyphen, which
/// turns a break in "statement-on-cooperation" into "statementon-cooperation".)
pub fn pdftotext_raw(pdf: &Path) -> Result<String, String> {
    run_pdftotext(pdf, &["-raw"])
}

fn run_pdftotext(pdf: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .map_err(|e| format!("cannot run pdftotext: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pdftotext {} failed ({}): {}",
            pdf.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The page count `pdfinfo` reports, if pdfinfo is there and can read the file.
pub fn pdfinfo_pages(pdf: &Path) -> Option<usize> {
    let out = Command::new("pdfinfo").arg(pdf).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

// ------------------------------------------------------------------ text

/// The words a reader sees, from the parsed model (not the raw file: front matter and Markdown
/// syntax are not printed): title, subtitle, dateline, every block's text, signatories.
pub fn statement_words(s: &Statement) -> Vec<String> {
    let mut texts: Vec<String> = vec![s.title.text.clone()];
    texts.extend(s.subtitle.iter().map(|t| t.text.clone()));
    texts.extend(s.dateline.iter().map(|t| t.text.clone()));
    fn inlines(inlines: &[Inline]) -> String {
        // Text events can split inside a word (at smart quotes, emphasis), so join them first.
        let mut out = String::new();
        for i in inlines {
            match i {
                Inline::Text { text, .. } => out.push_str(text),
                Inline::SoftBreak | Inline::HardBreak => out.push(' '),
            }
        }
        out
    }
    fn blocks(list: &[Block], texts: &mut Vec<String>) {
        for b in list {
            match b {
                Block::Paragraph(content) | Block::Heading { content, .. } => {
                    texts.push(inlines(content))
                }
                Block::List { items, .. } => items.iter().for_each(|i| blocks(i, texts)),
                Block::Quote(inner) => blocks(inner, texts),
            }
        }
    }
    blocks(&s.blocks, &mut texts);
    for sig in &s.signatories {
        texts.push(sig.name.clone());
        texts.extend(sig.role.clone());
    }
    texts
        .iter()
        .flat_map(|t| {
            normalize(t)
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Chinese and Japanese have no spaces between words: each Han character, kana or full-width
/// mark is a unit of its own, and the Latin runs between them stay whole, so that comparing
/// units in order does not depend on where the lines broke.
pub fn cjk_units(words: &[String]) -> Vec<String> {
    let wide = |c: char| {
        matches!(c as u32, 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF | 0xFF01..=0xFF60)
    };
    let mut out = Vec::new();
    for word in words {
        let mut latin = String::new();
        for c in word.chars() {
            if wide(c) {
                if !latin.is_empty() {
                    out.push(std::mem::take(&mut latin));
                }
                out.push(c.to_string());
            } else {
                latin.push(c);
            }
        }
        if !latin.is_empty() {
            out.push(latin);
        }
    }
    out
}

/// NFKC (ligatures, ellipsis), curly quotes to straight, Unicode hyphens to `-`, soft hyphens
/// dropped, no-break spaces to spaces: what `../shared/tools/pdfcheck.py` does to both sides;
/// and bidi embedding and mark characters dropped, which pdftotext adds to RTL text.
pub fn normalize(text: &str) -> String {
    let text: String = text.nfkc().collect();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{00AD}' => {}
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => out.push('"'),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => out.push(' '),
            // pdftotext wraps right-to-left lines, and the numbers in them, in embeddings.
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `pdftotext` output -> words, undoing line-end breaks: `word-\nword` is joined without the
/// hyphen (a hyphenation point), unless the hyphenated spelling is in the source and the joined
/// one is not; any other break inside what the source has as one word (after `/` in
/// "Daesh/ISIS", before `.pdf` in a URL) is joined when neither half is a source word itself.
pub fn pdf_words(pdf_text: &str, source_words: &[String]) -> Vec<String> {
    let source = format!(" {} ", source_words.join(" "));
    let vocabulary: std::collections::HashSet<String> =
        source_words.iter().map(|w| word_core(w)).collect();
    let is_word = |w: &str| vocabulary.contains(&word_core(w));
    let text = normalize(pdf_text).replace('\u{c}', "\n");
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .filter(|l: &Vec<String>| !l.is_empty())
        .collect();
    let mut i = 0;
    while i + 1 < lines.len() {
        let last = lines[i].last().cloned().unwrap_or_default();
        let first = lines[i + 1].first().cloned().unwrap_or_default();
        let joined = if let Some(stem) = last.strip_suffix('-')
            && stem.chars().last().is_some_and(char::is_alphanumeric)
            && first.chars().next().is_some_and(char::is_alphanumeric)
        {
            let with_hyphen = format!("{last}{first}");
            let without = format!("{stem}{first}");
            let has = |w: &str| source.contains(&word_core(w));
            Some(if has(&with_hyphen) && !has(&without) {
                with_hyphen
            } else {
                without
            })
        } else {
            let together = format!("{last}{first}");
            (is_word(&together) && !(is_word(&last) && is_word(&first))).then_some(together)
        };
        match joined {
            Some(word) => {
                lines[i].pop();
                lines[i + 1][0] = word;
                if lines[i].is_empty() {
                    lines.remove(i);
                } else {
                    i += 1;
                }
            }
            None => i += 1,
        }
    }
    lines.into_iter().flatten().collect()
}

/// Words as runs of letters and digits, Arabic vowel marks (U+064B to U+0652) left out: how
/// right-to-left text is compared with what pdftotext gives back. poppler reorders RTL lines
/// itself and attaches neutral punctuation (the Arabic comma, a full stop after a number) to
/// the neighbouring word, and puts a vowel mark before its letter when it reverses a word.
/// It also moves the space between an Arabic word and a number or a Latin word, so words also
/// split where Arabic letters meet other letters or digits.
pub fn letter_words(words: &[String]) -> Vec<String> {
    let arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
    let mut text = String::new();
    let mut prev: Option<char> = None;
    for c in words.join(" ").chars() {
        if ('\u{064B}'..='\u{0652}').contains(&c) {
            continue;
        }
        if !c.is_alphanumeric() {
            text.push(' ');
            prev = None;
            continue;
        }
        if prev.is_some_and(|p| arabic(p) != arabic(c)) {
            text.push(' ');
        }
        text.push(c);
        prev = Some(c);
    }
    text.split_whitespace().map(str::to_string).collect()
}

/// A word without the punctuation that clings to it.
fn word_core(w: &str) -> String {
    w.trim_matches(|c: char| ".,;:!?()\"'[]«»،؛؟".contains(c))
        .to_string()
}

/// Source words missing from the PDF words, in order: each source word must appear after the
/// previous one's match, within a window (so one missing word costs one report, not the rest).
/// Returns (index in source, word, context).
pub fn missing_in_order(source: &[String], pdf: &[String]) -> Vec<(usize, String, String)> {
    const WINDOW: usize = 60;
    let mut missing = Vec::new();
    let mut at = 0;
    for (i, w) in source.iter().enumerate() {
        match pdf[at.min(pdf.len())..]
            .iter()
            .take(WINDOW)
            .position(|p| p == w)
        {
            Some(k) => at += k + 1,
            None => {
                let from = i.saturating_sub(4);
                let to = (i + 5).min(source.len());
                missing.push((i, w.clone(), source[from..to].join(" ")));
            }
        }
    }
    missing
}

/// Multiset difference: source words (with multiplicity) that the PDF lacks.
pub fn missing_bag(source: &[String], pdf: &[String]) -> Vec<String> {
    let mut counts = std::collections::HashMap::<&str, isize>::new();
    for w in pdf {
        *counts.entry(w).or_default() += 1;
    }
    let mut missing = Vec::new();
    for w in source {
        let c = counts.entry(w).or_default();
        *c -= 1;
        if *c < 0 {
            missing.push(w.clone());
        }
    }
    missing
}

// ------------------------------------------------------------------ diffs

/// A line diff (longest common subsequence), as `-`/`+` lines with 1-based line numbers,
/// at most `limit` of them.
pub fn line_diff(expected: &str, actual: &str, limit: usize) -> Vec<String> {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Trim the common head and tail so the quadratic table stays small.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let (n, m) = (a_mid.len(), b_mid.len());
    if n * m > 25_000_000 {
        return vec![format!(
            "(texts differ from line {}; too long to diff)",
            head + 1
        )];
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a_mid[i] == b_mid[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while (i < n || j < m) && out.len() < limit {
        if i < n && j < m && a_mid[i] == b_mid[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+{:>5}: {}", head + j + 1, b_mid[j]));
            j += 1;
        } else {
            out.push(format!("-{:>5}: {}", head + i + 1, a_mid[i]));
            i += 1;
        }
    }
    if i < n || j < m {
        out.push("... (more differences)".to_string());
    }
    out
}

/// Where two byte strings first differ, if they do.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))
}

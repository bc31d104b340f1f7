//! Conformance of every statement set in the coalition layout, checked with external tools:
//! PDFBox Preflight on the PDF/A-1b output, `pdffonts` and `pdftotext` on the default (PDF/A-2a)
//! output, `qpdf --check` on both.
//!
//! A missing tool fails the test when CI=true; elsewhere the test prints `SKIPPING: ...` and
//! passes. The PDFs are kept in `target/conformance/` for inspection.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use communique::{Options, Standard, Statement};

struct Output {
    statement: Statement,
    /// `--pdfa a-1b`.
    a1b: PathBuf,
    /// The layout's default: PDF/A-2a with PDF/UA-1.
    a2a: PathBuf,
}

/// Renders every statement once per test binary, in the coalition layout, at both levels.
fn outputs() -> &'static BTreeMap<String, Output> {
    static OUTPUTS: OnceLock<BTreeMap<String, Output>> = OnceLock::new();
    OUTPUTS.get_or_init(|| {
        let dir = common::fresh_dir("conformance");
        std::fs::create_dir_all(dir.join("a-1b")).unwrap();
        std::fs::create_dir_all(dir.join("a-2a")).unwrap();
        let layout = common::load_layout(&common::coalition_layout());
        let fonts = common::load_fonts(&layout);
        let mut out = BTreeMap::new();
        for path in common::statements() {
            let stem = common::stem(&path);
            let statement = common::load_statement(&path);
            let mut files = Vec::new();
            for (level, pdfa) in [("a-1b", Some(Standard::A1b)), ("a-2a", None)] {
                let options = Options {
                    pdfa,
                    timestamp: None,
                };
                let rendered = communique::render(&statement, &layout, &fonts, &options)
                    .unwrap_or_else(|e| panic!("rendering {stem} as {level}:\n{e}"));
                let file = dir.join(level).join(format!("{stem}.pdf"));
                std::fs::write(&file, &rendered.pdf).unwrap();
                files.push(file);
            }
            let a2a = files.pop().unwrap();
            let a1b = files.pop().unwrap();
            out.insert(
                stem,
                Output {
                    statement,
                    a1b,
                    a2a,
                },
            );
        }
        out
    })
}

#[test]
fn pdfa_1b_output_passes_pdfbox_preflight() {
    if !common::require_preflight() {
        return;
    }
    let outputs = outputs();
    let dir = outputs.values().next().unwrap().a1b.parent().unwrap();
    // One JVM for all files: in `batch` mode Validator_A1b takes a folder and validates each
    // PDF in it, printing "The file NAME is [not] a valid PDF/A-1b file" per file.
    let out = Command::new("java")
        .arg("-cp")
        .arg(common::PREFLIGHT_JARS.join(":"))
        .arg("org.apache.pdfbox.preflight.Validator_A1b")
        .arg("batch")
        .arg(dir)
        .output()
        .expect("run java");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let mut failures = Vec::new();
    for (stem, o) in outputs {
        let name = o.a1b.file_name().unwrap().to_string_lossy().into_owned();
        let valid = format!("The file {name} is a valid PDF/A-1b file");
        let invalid = format!("The file {name} is not a valid PDF/A-1b file");
        if text.contains(&valid) {
            continue;
        }
        match text.find(&invalid) {
            Some(at) => {
                // The error lines follow, up to the next file's verdict; show distinct ones.
                let rest = &text[at + invalid.len()..];
                let end = rest.find("The file ").unwrap_or(rest.len());
                let mut errors: Vec<&str> = Vec::new();
                for l in rest[..end].lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let l = l.trim_start_matches(", error(s) :").trim();
                    if !l.is_empty() && !errors.contains(&l) {
                        errors.push(l);
                    }
                }
                errors.truncate(8);
                failures.push(format!(
                    "{stem}: not valid PDF/A-1b ({}):\n    {}",
                    o.a1b.display(),
                    errors.join("\n    ")
                ));
            }
            None => failures.push(format!(
                "{stem}: no verdict from Preflight for {}",
                o.a1b.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} statements fail PDFBox Preflight (PDF/A-1b):\n{}\n\nfull validator output \
         (exit {}):\n{}",
        failures.len(),
        outputs.len(),
        failures.join("\n"),
        out.status,
        if failures.len() == outputs.len() && !text.contains("The file ") {
            text.as_str()
        } else {
            "(omitted)"
        }
    );
}

#[test]
fn every_font_is_embedded_subset_and_has_a_unicode_map() {
    if !common::require_pdffonts() {
        return;
    }
    let mut failures = Vec::new();
    for (stem, o) in outputs() {
        let out = Command::new("pdffonts")
            .arg(&o.a2a)
            .output()
            .expect("run pdffonts");
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            failures.push(format!(
                "{stem}: pdffonts failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            continue;
        }
        // name type encoding emb sub uni object-number generation; names and types may hold
        // spaces, so read the last five columns from the right.
        let rows: Vec<&str> = text
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        if rows.is_empty() {
            failures.push(format!("{stem}: pdffonts lists no fonts:\n{text}"));
        }
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let Some([emb, sub, uni, _, _]) = cols.len().checked_sub(5).map(|n| &cols[n..]) else {
                failures.push(format!("{stem}: cannot read pdffonts line `{row}`"));
                continue;
            };
            let mut wrong = Vec::new();
            for (what, v) in [("embedded", emb), ("subset", sub), ("unicode map", uni)] {
                if *v != "yes" {
                    wrong.push(format!("not {what}"));
                }
            }
            if !wrong.is_empty() {
                failures.push(format!("{stem}: {}: `{}`", wrong.join(", "), row.trim()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "pdffonts found fonts that are not embedded, subset and Unicode-mapped:\n{}",
        failures.join("\n")
    );
}

#[test]
fn pdftotext_gives_back_every_source_word_in_order() {
    if !common::require_pdftotext() {
        return;
    }
    let mut failures = Vec::new();
    for (stem, o) in outputs() {
        let rtl = o.statement.rtl();
        let mut source = common::statement_words(&o.statement);
        // Right to left, glyphs are painted in visual order and poppler restores the logical
        // order only in its default mode, not with -raw (content-stream order).
        let text = if rtl {
            common::pdftotext(&o.a2a)
        } else {
            common::pdftotext_raw(&o.a2a)
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{stem}: {e}"));
                continue;
            }
        };
        let mut pdf = common::pdf_words(&text, &source);
        if rtl {
            // poppler's own reordering also moves neutral punctuation (the Arabic comma, a
            // full stop after a number) to the neighbouring word: compare letters and digits.
            source = common::letter_words(&source);
            pdf = common::letter_words(&pdf);
        }
        if ["zh", "ja"]
            .iter()
            .any(|l| o.statement.language.starts_with(l))
        {
            source = common::cjk_units(&source);
            pdf = common::cjk_units(&pdf);
        }
        let missing = common::missing_in_order(&source, &pdf);
        let bag = common::missing_bag(&source, &pdf);
        if missing.is_empty() && bag.is_empty() {
            continue;
        }
        let mut msg = format!(
            "{stem} ({}): {} of {} source words not found in order, {} missing as a multiset",
            o.a2a.display(),
            missing.len(),
            source.len(),
            bag.len()
        );
        for (i, word, context) in missing.iter().take(15) {
            msg += &format!("\n    word {i} `{word}` in \"{context}\"");
        }
        if missing.len() > 15 {
            msg += &format!("\n    ... and {} more", missing.len() - 15);
        }
        if !bag.is_empty() {
            let shown: Vec<&str> = bag.iter().take(20).map(String::as_str).collect();
            msg += &format!("\n    multiset missing: {}", shown.join(" "));
        }
        failures.push(msg);
    }
    assert!(
        failures.is_empty(),
        "pdftotext does not give back the source words:\n{}",
        failures.join("\n")
    );
}

#[test]
fn qpdf_check_is_clean() {
    if !common::require_qpdf() {
        return;
    }
    let mut failures = Vec::new();
    for (stem, o) in outputs() {
        for file in [&o.a1b, &o.a2a] {
            let out = Command::new("qpdf")
                .arg("--check")
                .arg(file)
                .output()
                .expect("run qpdf");
            if !out.status.success() {
                failures.push(format!(
                    "{stem}: qpdf --check {} exited {}:\n{}{}",
                    file.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The word comparison itself: hyphenation at line ends is undone, hyphens that belong to the
/// word are kept, ligatures and curly quotes compare equal, and a missing word is reported.
#[test]
fn word_comparison_undoes_line_breaks_and_reports_missing_words() {
    let source: Vec<String> = common::normalize(
        "The well-known \u{201C}o\u{FB03}ce\u{201D} reopened in Daesh/ISIS areas.",
    )
    .split_whitespace()
    .map(str::to_string)
    .collect();
    let pdf_text = "LETTERHEAD\nThe well-\nknown \"office\" re-\nopened in Daesh/\nISIS areas.\n\u{c}Page 1 of 1\n";
    let pdf = common::pdf_words(pdf_text, &source);
    assert_eq!(
        pdf,
        [
            "LETTERHEAD",
            "The",
            "well-known",
            "\"office\"",
            "reopened",
            "in",
            "Daesh/ISIS",
            "areas.",
            "Page",
            "1",
            "of",
            "1"
        ]
    );
    assert_eq!(common::missing_in_order(&source, &pdf), []);
    assert!(common::missing_bag(&source, &pdf).is_empty());

    let without_in: Vec<String> = pdf.iter().filter(|w| *w != "in").cloned().collect();
    let missing = common::missing_in_order(&source, &without_in);
    assert_eq!(missing.len(), 1);
    assert_eq!((missing[0].0, missing[0].1.as_str()), (4, "in"));
    assert_eq!(common::missing_bag(&source, &without_in), ["in"]);
}

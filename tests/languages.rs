//! Languages end to end through the binary: spans in another language are tagged `Span` with
//! /Lang in the structure tree and their words come back out of the PDF; French punctuation
//! gets its thin spaces without losing a word; a bad span is an error with its place.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SPANS: &str = r#"+++
title = 'Statement on the <span lang="de">Wasserrahmenrichtlinie</span>'
date = 2026-04-14
+++
The ministers welcomed the *<span lang="de">Wasserrahmenrichtlinie</span>* of the Union and
the [<span lang="fr">Accord-cadre de Lissenburg</span>](https://example.org/accord), and
recalled the <span lang="es-419">Declaración de Kessary</span>.

## The <span lang="de">Gewässerschutz</span> programme

Further work continues.
"#;

const FRENCH: &str = r#"+++
title = "Déclaration"
date = 2026-04-14
language = "fr"
+++
Les ministres ont constaté que la situation demeure préoccupante: pourquoi attendre? Ils ont
souligné que « la coopération n’est pas une option ; c’est la seule voie » et que le portail
https://example.fr/donnees?annee=2026 ouvrira à 14:00 ! Agissons maintenant!
"#;

struct Built {
    _dir: tempfile::TempDir,
    pdf: PathBuf,
}

fn build(name: &str, statement: &str) -> (Built, Output) {
    let dir = tempfile::Builder::new()
        .prefix("communique-lang-")
        .tempdir()
        .expect("temp dir");
    let source = dir.path().join(name);
    std::fs::write(&source, statement).unwrap();
    let pdf = dir.path().join("out.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("build")
        .arg(&source)
        .arg("-o")
        .arg(&pdf)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run communique");
    (Built { _dir: dir, pdf }, out)
}

fn built(name: &str, statement: &str) -> Built {
    let (b, out) = build(name, statement);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    b
}

/// The PDF's objects as text, uncompressed by `qpdf --qdf`.
fn qdf_objects(pdf: &Path) -> Vec<String> {
    let out = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run qpdf");
    assert!(out.status.success(), "qpdf failed");
    String::from_utf8_lossy(&out.stdout)
        .split("endobj")
        .map(str::to_string)
        .collect()
}

/// The /Lang of every structure element of type `kind`.
fn element_languages(objects: &[String], kind: &str) -> Vec<String> {
    let s = format!("/S /{kind}\n");
    objects
        .iter()
        .filter(|o| o.contains("/Type /StructElem") && o.contains(&s))
        .filter_map(|o| {
            let at = o.find("/Lang (")? + "/Lang (".len();
            Some(o[at..at + o[at..].find(')')?].to_string())
        })
        .collect()
}

fn words(text: &str) -> Vec<String> {
    common::normalize(text)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn spans_are_tagged_with_their_language() {
    if !common::require_qpdf() {
        return;
    }
    let b = built("spans.md", SPANS);
    let objects = qdf_objects(&b.pdf);
    let mut langs = element_languages(&objects, "Span");
    langs.sort();
    // The title's, the paragraph's three (one inside the link) and the heading's.
    assert_eq!(langs, ["de", "de", "de", "es-419", "fr"], "{langs:?}");
    // The document keeps its own language.
    assert!(
        objects
            .iter()
            .any(|o| o.contains("/Type /Catalog") && o.contains("/Lang (en)"))
    );
    // The French span inside the link is a child of the Link element, which keeps the
    // annotation: the Link's /K names the Span.
    let number = |o: &String| {
        o.lines()
            .find_map(|l| l.strip_suffix(" 0 obj"))
            .map(|n| n.trim().to_string())
    };
    let span = objects
        .iter()
        .find(|o| o.contains("/S /Span\n") && o.contains("/Lang (fr)"))
        .and_then(number)
        .expect("the French span");
    let link = objects
        .iter()
        .find(|o| o.contains("/S /Link\n"))
        .expect("the link");
    assert!(link.contains(&format!("{span} 0 R")), "{link}");
}

#[test]
fn the_words_of_spans_come_back_out() {
    if !common::require_pdftotext() {
        return;
    }
    let b = built("spans.md", SPANS);
    let text = common::pdftotext(&b.pdf).unwrap();
    let got = words(&text).join(" ");
    for phrase in [
        "Statement on the Wasserrahmenrichtlinie",
        "Accord-cadre de Lissenburg",
        "Declaración de Kessary.",
        "The Gewässerschutz programme",
    ] {
        assert!(got.contains(phrase), "{phrase:?} not in:\n{text}");
    }
}

#[test]
fn french_punctuation_keeps_every_word_and_never_starts_a_line() {
    if !common::require_pdftotext() {
        return;
    }
    let b = built("fr.md", FRENCH);
    let text = common::pdftotext(&b.pdf).unwrap();
    // Thin spaces where none or a plain space was typed.
    let got = words(&text).join(" ");
    for phrase in [
        "préoccupante : pourquoi attendre ?",
        "« la coopération n'est pas une option ; c'est la seule voie »",
        "14:00 ! Agissons maintenant !",
    ] {
        assert!(got.contains(phrase), "{phrase:?} not in:\n{got}");
    }
    // pdftotext prints U+202F as a space; the font's Unicode map has it.
    if common::require_qpdf() {
        let objects = qdf_objects(&b.pdf);
        assert!(
            objects
                .iter()
                .any(|o| o.contains("beginbfchar") && o.to_uppercase().contains("<202F>")),
            "no glyph maps to U+202F"
        );
    }
    // None in the URL (which may break before its `?`, Chicago 7.42) or the time.
    assert!(
        text.replace('\n', "").contains("donnees?annee") && text.contains("14:00"),
        "{text}"
    );
    for line in text.lines() {
        let first = line.trim_start().chars().next();
        assert!(
            line.starts_with("?annee=") || !matches!(first, Some(';' | ':' | '!' | '?' | '»')),
            "a line starts with punctuation: {line:?}"
        );
        assert!(!line.trim_end().ends_with('«'), "{line:?}");
    }
}

#[test]
fn a_bad_span_is_an_error_with_its_place_and_nothing_is_written() {
    let (b, out) = build(
        "bad.md",
        "**Title**\n**Geneva, 14 May 2026**\n\nThe <span lang=\"german\">Richtlinie</span> and <i>x</i>.\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.md:4:5: `<span lang=\"german\">`: `german` is not a language tag"),
        "{err}"
    );
    assert!(
        err.contains("bad.md:4:47: inline HTML `<i>` is not supported"),
        "{err}"
    );
    // The span's own `</span>` is not a second error.
    assert!(!err.contains("closes no span"), "{err}");
    assert!(!b.pdf.exists());
}

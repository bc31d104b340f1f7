//! Layout strings and languages: text from the layout (letterhead, release, reference,
//! continuation, footer) takes its direction from its own letters and comes in the statement's
//! language; a statement language communique cannot hyphenate is said once; the bundled layouts'
//! fixes (memo page numbers, balanced flush-left titles, a centred release line) hold.

mod common;

use std::path::{Path, PathBuf};

use communique::layout::Layout;
use communique::statement::Statement;
use communique::{Options, Rendered};

fn layout(name: &str) -> Layout {
    common::load_layout(&common::root().join(format!("layouts/{name}.toml")))
}

fn statement(text: &str) -> Statement {
    Statement::parse(Path::new("test.md"), text.as_bytes())
        .unwrap_or_else(|e| panic!("parsing the test statement:\n{e}"))
}

fn render(s: &Statement, l: &Layout) -> Rendered {
    let fonts = common::load_fonts(l);
    communique::render(s, l, &fonts, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes the PDF to a scratch file for pdftotext.
fn write(name: &str, rendered: &Rendered) -> PathBuf {
    let dir = common::fresh_dir(&format!("layout-strings-{name}"));
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &rendered.pdf).unwrap();
    path
}

fn language_statement(tag: &str) -> String {
    format!(
        "+++\ntitle = \"Paziņojums\"\ndate = 2026-04-14\nlanguage = \"{tag}\"\n+++\n{}\n",
        "Ministri apsprieda sadarbību reģionālās drošības jomā un vienojās turpināt \
         konsultācijas starptautisko organizāciju ietvaros nākamajā gadā. "
            .repeat(12)
    )
}

#[test]
fn language_without_hyphenation_patterns_is_said_once() {
    let rendered = render(&statement(&language_statement("lv")), &layout("default"));
    let naming: Vec<&String> = rendered
        .warnings
        .iter()
        .filter(|w| w.contains("`lv`"))
        .collect();
    assert_eq!(naming.len(), 1, "{:#?}", rendered.warnings);
    assert!(
        naming[0].contains("no hyphenation patterns"),
        "{}",
        naming[0]
    );
    assert!(
        !rendered
            .warnings
            .iter()
            .any(|w| w.contains("allowing hyphenation")),
        "hyphenation is on; it must not be suggested: {:#?}",
        rendered.warnings
    );
}

#[test]
fn unknown_language_tag_is_said_once() {
    let rendered = render(&statement(&language_statement("xx")), &layout("default"));
    let naming: Vec<&String> = rendered
        .warnings
        .iter()
        .filter(|w| w.contains("`xx`"))
        .collect();
    assert_eq!(naming.len(), 1, "{:#?}", rendered.warnings);
    assert!(naming[0].contains("not a known language"), "{}", naming[0]);
}

#[test]
fn known_language_with_patterns_gives_no_language_warning() {
    let rendered = render(&statement(&language_statement("en")), &layout("default"));
    assert!(
        !rendered.warnings.iter().any(|w| w.contains("language")),
        "{:#?}",
        rendered.warnings
    );
}

fn bundled_statement(stem: &str) -> Statement {
    common::load_statement(&common::root().join(format!("statements/{stem}.md")))
}

#[test]
fn english_letterhead_line_on_arabic_statement_extracts_in_order() {
    if !common::require_pdftotext() {
        return;
    }
    let s = bundled_statement("2026-04-14-bayan-ar");
    assert!(s.rtl());
    let pdf = write("ministry-ar", &render(&s, &layout("ministry")));
    // pdftotext wraps lines of a mostly right-to-left page in directional embeddings.
    let text: String = common::pdftotext(&pdf)
        .unwrap()
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let line = text
        .lines()
        .find(|l| l.contains("Harbour Square"))
        .unwrap_or_else(|| panic!("no address line in:\n{text}"));
    assert!(
        line.trim().starts_with(
            "1 Harbour Square · Port Aldren · Tel. +00 123 456 789 · press@mfa.example"
        ),
        "the address line extracts as {line:?}"
    );
    let ministry = text
        .lines()
        .find(|l| l.contains("MINISTRY"))
        .unwrap_or_default();
    assert_eq!(ministry.trim(), "MINISTRY OF FOREIGN AFFAIRS", "{text}");
}

/// A Form B statement long enough for two pages, without a reference.
fn two_pages(extra_front: &str, title: &str) -> Statement {
    let body = "The ministers reviewed the implementation of the regional water framework, \
        welcomed the progress made since the last meeting and agreed on further steps. "
        .repeat(8);
    let body = (0..12)
        .map(|_| body.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    statement(&format!(
        "+++\ntitle = \"{title}\"\ndate = 2026-04-14\n{extra_front}+++\n{body}\n"
    ))
}

#[test]
fn memo_keeps_page_numbers_without_a_reference() {
    if !common::require_pdftotext() {
        return;
    }
    let s = two_pages("", "Water framework");
    assert!(s.reference.is_none());
    let rendered = render(&s, &layout("memo"));
    assert!(rendered.pages >= 2, "{} pages", rendered.pages);
    let text = common::pdftotext(&write("memo-no-reference", &rendered)).unwrap();
    let expected = format!("Memorandum — page 2 of {}", rendered.pages);
    assert!(text.contains(&expected), "no {expected:?} in:\n{text}");
    // With a reference, the line is as the layout writes it.
    let s = two_pages("reference = \"M-17\"\n", "Water framework");
    let rendered = render(&s, &layout("memo"));
    let text = common::pdftotext(&write("memo-reference", &rendered)).unwrap();
    let expected = format!("Memorandum M-17 — page 2 of {}", rendered.pages);
    assert!(text.contains(&expected), "no {expected:?} in:\n{text}");
}

/// The words of page 1 with their boxes, from `pdftotext -bbox`: (word, x_min, x_max, y_min).
fn words_with_boxes(pdf: &Path) -> Vec<(String, f32, f32, f32)> {
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext -bbox");
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> f32 {
        let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let word = l.split('>').nth(1).unwrap().split('<').next().unwrap();
            (
                word.to_string(),
                attr(l, "xMin"),
                attr(l, "xMax"),
                attr(l, "yMin"),
            )
        })
        .collect()
}

/// The horizontal extent of the line holding `word` (words within a point of its top).
fn line_extent(words: &[(String, f32, f32, f32)], word: &str) -> (f32, f32) {
    let (_, _, _, y) = words
        .iter()
        .find(|w| w.0 == word)
        .unwrap_or_else(|| panic!("no {word:?} on page 1"));
    words
        .iter()
        .filter(|w| (w.3 - y).abs() < 1.0)
        .fold((f32::MAX, f32::MIN), |(a, b), w| (a.min(w.1), b.max(w.2)))
}

#[test]
fn release_line_follows_a_centred_title_in_the_default_layout() {
    let default = layout("default");
    assert_eq!(default.release.block.align, default.title.align);
    // A flush-left title takes its release line along; an explicit `align` still wins.
    let left = Layout::parse(Path::new("l.toml"), "[title]\nalign = \"left\"\n").unwrap();
    assert_eq!(left.release.block.align, communique::layout::Align::Left);
    let own = Layout::parse(Path::new("l.toml"), "[release]\nalign = \"right\"\n").unwrap();
    assert_eq!(own.release.block.align, communique::layout::Align::Right);
    if !common::require_pdftotext() {
        return;
    }
    let s = statement(
        "+++\ntitle = \"Joint statement\"\ndate = 2026-04-14\nrelease = \"FOR IMMEDIATE RELEASE\"\n\
         +++\nThe ministers met.\n",
    );
    let pdf = write("release-centred", &render(&s, &default));
    let words = words_with_boxes(&pdf);
    let centre = |(a, b): (f32, f32)| (a + b) / 2.0;
    let release = centre(line_extent(&words, "IMMEDIATE"));
    let title = centre(line_extent(&words, "Joint"));
    assert!(
        (release - title).abs() < 1.5,
        "release line centred at {release}, title at {title}"
    );
}

#[test]
fn flush_left_title_is_balanced_in_the_ministry_layout() {
    if !common::require_pdftotext() {
        return;
    }
    let s = statement(
        "+++\ntitle = \"Joint statement of the ministers of foreign affairs on the regional water \
         framework in the basin\"\ndate = 2026-04-14\n+++\nThe ministers met.\n",
    );
    let pdf = write("ministry-title", &render(&s, &layout("ministry")));
    let words = words_with_boxes(&pdf);
    let first = line_extent(&words, "Joint");
    let second = line_extent(&words, "basin");
    assert!(
        first.0 < second.0 + 1.0 && (first.0 - second.0).abs() < 1.0,
        "both flush left"
    );
    let (a, b) = (first.1 - first.0, second.1 - second.0);
    assert!(
        b > a * 0.6,
        "second title line {b:.0}pt long under a first of {a:.0}pt: not balanced"
    );
}

#[test]
fn layout_strings_come_in_the_statements_language() {
    if !common::require_pdftotext() {
        return;
    }
    let fr = two_pages(
        "language = \"fr\"\nreference = \"M-17\"\n",
        "Cadre de l’eau",
    );
    let rendered = render(&fr, &layout("memo"));
    let text = common::pdftotext(&write("memo-fr", &rendered)).unwrap();
    let pages = rendered.pages;
    // The narrow no-break space before the colon extracts as a space.
    assert!(text.contains("Référence : M-17"), "{text}");
    assert!(text.contains("MÉMORANDUM"), "{text}");
    assert!(
        text.contains(&format!("Mémorandum M-17 — page 2 sur {pages}")),
        "{text}"
    );
    let ru = two_pages("language = \"ru\"\n", "Водная рамка");
    let rendered = render(&ru, &layout("default"));
    let text = common::pdftotext(&write("default-ru", &rendered)).unwrap();
    assert!(
        text.contains(&format!("Страница 1 из {}", rendered.pages)),
        "{text}"
    );
    assert!(!text.contains("Page 1 of"), "{text}");
    // Arabic: the footer, release and reference lines of the ministry layout.
    let ar = bundled_statement("2026-04-14-bayan-ar");
    let text = common::pdftotext(&write(
        "ministry-ar-strings",
        &render(&ar, &layout("ministry")),
    ))
    .unwrap();
    // Without pdftotext's directional embeddings, white space closed up.
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // (poppler runs the digits of a right-to-left line into the next word: "1من".)
    for expected in ["للنشر الفوري", "الصفحة", "المرجع"] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert!(!text.contains("FOR IMMEDIATE RELEASE"), "{text}");
}

#[test]
fn english_is_the_fallback_for_a_language_without_strings() {
    if !common::require_pdftotext() {
        return;
    }
    let rendered = render(&statement(&language_statement("lv")), &layout("default"));
    let text = common::pdftotext(&write("default-lv", &rendered)).unwrap();
    assert!(text.contains("Page 1 of 1"), "{text}");
}

#[test]
fn layout_translations_override_and_are_checked() {
    let l = Layout::parse(
        Path::new("l.toml"),
        "[translations.fr]\n\"Page {page} of {pages}\" = \"p. {page}/{pages}\"\n",
    )
    .unwrap();
    assert_eq!(
        l.localized("Page {page} of {pages}", "fr-CA"),
        "p. {page}/{pages}"
    );
    assert_eq!(
        l.localized("Page {page} of {pages}", "ru"),
        "Страница {page} из {pages}"
    );
    assert_eq!(
        l.localized("Page {page} of {pages}", "lv"),
        "Page {page} of {pages}"
    );
    let err = Layout::parse(
        Path::new("l.toml"),
        "[translations.fr]\n\"Page {page} of {pagse}\" = \"Page {page} sur {pages}\"\n\
         [translations.de]\n\"Page {page} of {pages}\" = \"Seite {page}\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("l.toml:2:") && err.contains("none of this layout's lines"),
        "{err}"
    );
    assert!(
        err.contains("did you mean \"Page {page} of {pages}\""),
        "{err}"
    );
    assert!(
        err.contains("l.toml:4:") && err.contains("the English line {page}, {pages}"),
        "{err}"
    );
}

/// Texts a layout gives that the PDF holds in one string are bounded like a statement's title:
/// an error at their line, not an internal error when the PDF is written.
#[test]
fn a_logo_alt_text_or_signature_words_too_long_for_one_pdf_string_are_errors_at_their_line() {
    let long = "x".repeat(8_001);
    let err = Layout::parse(
        Path::new("l.toml"),
        &format!("[letterhead]\nlogo = {{ path = \"e.png\", alt = \"{long}\" }}\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("l.toml:2:") && err.contains("the alt text has 8001 characters; at most 8000"),
        "{err}"
    );
    let err = Layout::parse(
        Path::new("l.toml"),
        &format!(
            "[translations.fr]\n\"Digitally signed by {{name}}\" = \"{{name}} {}\"\n",
            "y".repeat(1_000)
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("l.toml:2:") && err.contains("a signature's words take at most 1000"),
        "{err}"
    );
}

#[test]
fn arabic_list_numbers_use_the_body_fonts_digits() {
    let s = statement(
        "+++\ntitle = \"بيان\"\ndate = 2026-04-14\nlanguage = \"ar\"\n+++\n\
         اتفق الوزراء على ما يلي في عام 2027:\n\n1. نشر البيانات يوميًا.\n2. توسيع نظام الإنذار.\n",
    );
    let l = layout("default");
    let fonts = common::load_fonts(&l);
    let (document, _) = communique::typeset::typeset(&s, &l, &fonts, &l.pdf.standards, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let runs: Vec<&communique::document::TextRun> = document.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            communique::document::Item::Text(r) => Some(r),
            _ => None,
        })
        .collect();
    let year = runs
        .iter()
        .find(|r| r.text.contains("2027"))
        .expect("the body's number");
    // The labels come out as runs "." and "1" (reordered right to left).
    let numbers: Vec<_> = runs
        .iter()
        .filter(|r| {
            let t = r.text.trim();
            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .collect();
    assert!(numbers.iter().any(|r| r.text == "2"), "{numbers:?}");
    for run in numbers {
        assert_eq!(
            run.font, year.font,
            "{:?} in another font than the body's digits",
            run.text
        );
    }
}

#[test]
fn arabic_gets_no_hyphenation_warning() {
    let rendered = render(
        &bundled_statement("2026-04-14-bayan-ar"),
        &layout("default"),
    );
    assert!(
        !rendered.warnings.iter().any(|w| w.contains("hyphenation")),
        "{:#?}",
        rendered.warnings
    );
}

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

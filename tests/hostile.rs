//! Hostile statements (issue 19): each renders or is refused as invalid input, never an
//! internal error. Their build times are measured by `benches/hostile.rs`, not here.

use std::path::Path;

use communique::{Error, FontSet, Layout, Options, Statement};

fn statement(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2026-05-01\n+++\n\n{body}\n")
}

fn render(text: &str) -> Result<communique::Rendered, Error> {
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).expect("bundled fonts");
    let statement = Statement::parse(Path::new("hostile.md"), text.as_bytes())?;
    communique::render(&statement, &layout, &fonts, &Options::default())
}

fn renders(what: &str, text: &str) -> communique::Rendered {
    match render(text) {
        Ok(r) => r,
        Err(e) => panic!("{what}: expected a PDF, got exit {}: {e}", e.exit_code()),
    }
}

fn refused(what: &str, text: &str) -> String {
    match render(text) {
        Ok(_) => panic!("{what}: expected an input error, got a PDF"),
        Err(e) => {
            assert_eq!(e.exit_code(), 2, "{what}: {e}");
            e.to_string()
        }
    }
}

#[test]
fn a_word_of_twenty_thousand_digits_is_set_with_a_short_warning() {
    // 20,000 glyphs in one run: beyond PDF/A's 32,767-byte string at two bytes a glyph.
    let r = renders(
        "digits",
        &statement("Long word", &"1234567890".repeat(2_000)),
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("(20000 characters)") && w.len() < 200),
        "{:?}",
        r.warnings
    );
    let r = renders(
        "capitals",
        &statement("Long word", &"ABCDEFGHIJ".repeat(2_000)),
    );
    assert!(!r.pdf.is_empty());
}

#[test]
fn a_long_title_heading_or_link_is_an_input_error_at_its_line() {
    let message = refused("title", &statement(&"Title ".repeat(6_000), "Body."));
    assert!(
        message.contains("hostile.md:2:10: a title of 36000 characters; at most 8000"),
        "{message}"
    );
    let message = refused(
        "heading",
        &statement("Title", &format!("Text.\n\n## {}", "Head ".repeat(2_000))),
    );
    assert!(
        message.contains("a heading of 9999 characters"),
        "{message}"
    );
    let message = refused(
        "link",
        &statement(
            "Title",
            &format!("See [this](https://e.org/{}).", "a".repeat(9_000)),
        ),
    );
    assert!(
        message.contains("a link target of 9014 characters"),
        "{message}"
    );
    // Just within the limit is fine.
    renders("title", &statement(&"T".repeat(7_999), "Body."));
}

#[test]
fn unbroken_runs_render() {
    renders("ab-", &statement("Run", &"ab-".repeat(10_000)));
    renders("nbsp", &statement("Run", &"a\u{a0}".repeat(10_000)));
    renders("two-letter words", &statement("Run", &"ab ".repeat(10_000)));
    renders(
        "urls",
        &statement("Run", &"https://a.example.org/x-y/z?q=1&r=2 ".repeat(500)),
    );
}

#[test]
fn warnings_about_one_paragraph_are_capped() {
    let r = renders("ab-", &statement("Run", &"ab-".repeat(10_000)));
    assert!(r.warnings.len() <= 11, "{} warnings", r.warnings.len());
}

#[test]
fn stacked_combining_marks_render_up_to_the_limit() {
    // "á" and further acutes: the font draws the first from its decomposition, in one cluster
    // with the letter, which once gave a glyph without text (refused by PDF/A).
    for n in [2, 3, 30] {
        renders(
            "marks",
            &statement("Marks", &format!("word a{} b", "\u{301}".repeat(n))),
        );
    }
    let message = refused(
        "marks",
        &statement("Marks", &format!("word a{} b", "\u{301}".repeat(20_000))),
    );
    assert!(
        message.contains("a stack of combining marks of 19999 characters; at most 30"),
        "{message}"
    );
}

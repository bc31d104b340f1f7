//! Mutated and random statements never panic: every input either renders or is refused with
//! an error. A cheap stand-in for a fuzzer that runs on every CI run.

use std::path::Path;

use communique::{FontSet, Layout, Options, Statement};

/// More rounds locally with ROBUSTNESS_ROUNDS=N; CI runs the default.
fn rounds() -> usize {
    std::env::var("ROBUSTNESS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n
    }
}

const PIECES: &[&str] = &[
    "*",
    "**",
    "_",
    "[",
    "]",
    "(",
    ")",
    "](https://x.org)",
    ">",
    "> ",
    "#",
    "## ",
    "### ",
    "- ",
    "1. ",
    "\n",
    "\n\n",
    "  \n",
    "\\\n",
    "+++\n",
    "\"",
    "\u{ad}",
    "\u{a0}",
    "\u{202f}",
    "/",
    "https://www.example.org/a-b/c.html",
    "press@example.org",
    "ISIS",
    "—",
    "–",
    "é",
    "Ж",
    "Ω",
    "ب",
    "\t",
    "    ",
    "`",
    "<b>",
    "<span lang=\"de\">",
    "</span>",
    "\u{202b}",
    "\u{200f}",
    "«",
    " ;",
    "UN",
    "co\u{ad}op\u{ad}er\u{ad}ation",
    "internationalisation",
    "x",
    " ",
    "2020",
    "\u{200b}",
    "\u{301}",
];

fn render(text: &str, layout: &Layout, fonts: &FontSet) {
    let options = Options {
        pdfa: None,
        timestamp: Some(1_600_000_000),
    };
    if let Ok(statement) = Statement::parse(Path::new("fuzz.md"), text.as_bytes()) {
        // Input errors (a missing title in the body, say) are fine; panics and internal
        // errors (exit 4) are not.
        if let Err(e @ communique::Error::Pdf(_)) =
            communique::render(&statement, layout, fonts, &options)
        {
            panic!("internal error for {text:?}: {e}");
        }
    }
}

#[test]
fn mutated_statements_render_or_fail_cleanly() {
    // Statements with lists and headings, right-to-left text, language spans and French
    // spacing, and long multi-page text.
    let seeds = [
        include_str!("../statements/2025-09-30-lists-and-headings.md"),
        include_str!("../statements/2026-04-14-bayan-ar.md"),
        include_str!("../statements/2026-04-14-declaration-fr.md"),
        include_str!("../statements/2026-03-02-water-summit-long.md"),
    ];
    let layouts = [
        Layout::builtin(),
        Layout::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/ministry.toml"
        )))
        .unwrap(),
    ];
    let fonts: Vec<FontSet> = layouts.iter().map(|l| FontSet::load(l).unwrap()).collect();
    let mut rng = Lcg(42);
    for round in 0..rounds() {
        let mut text = seeds[round % seeds.len()].to_string();
        for _ in 0..1 + rng.next(12) {
            let mut at = rng.next(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.next(3) {
                0 => text.insert_str(at, PIECES[rng.next(PIECES.len())]),
                1 => {
                    let mut end = (at + rng.next(40)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => {
                    let piece = PIECES[rng.next(PIECES.len())].repeat(1 + rng.next(30));
                    text.insert_str(at, &piece);
                }
            }
        }
        let k = (round / seeds.len()) % layouts.len();
        render(&text, &layouts[k], &fonts[k]);
    }
}

#[test]
fn random_markup_soup_renders_or_fails_cleanly() {
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let mut rng = Lcg(7);
    for _ in 0..rounds() {
        let mut text = String::from("**Title**\n\n");
        for _ in 0..rng.next(200) {
            text.push_str(PIECES[rng.next(PIECES.len())]);
        }
        render(&text, &layout, &fonts);
    }
}

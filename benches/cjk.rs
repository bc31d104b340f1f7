//! CJK build time and size: `cargo bench --bench cjk`.
//!
//! Renders the bundled one-page Chinese and Japanese statements and the one-page English seed
//! statement with the default layout, many times each, and prints the median time per
//! statement and the PDF size. The target (issue 15): a CJK statement within 3x the English
//! one's time, although its font is a 25 MB collection that is subset for every document; the
//! PDF small (only the glyphs used). The installed CJK font is read once per process, as in a
//! batch; that first load is printed separately.

use std::path::Path;
use std::time::{Duration, Instant};

use communique::{FontSet, Layout, Options, Statement};

const RUNS: usize = 30;

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let options = Options::default();
    let load = |file: &str| Statement::load(&root.join("statements").join(file)).unwrap();

    let zh = load("2026-04-14-shengming-zh.md");
    let t = Instant::now();
    let first = communique::render(&zh, &layout, &fonts, &options).unwrap();
    println!(
        "first CJK render (reads the installed font once): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop(first);

    let mut english_ms = 0.0;
    for (label, file) in [
        (
            "English (seed)",
            "2020-01-29-copenhagen-political-directors.md",
        ),
        ("Chinese", "2026-04-14-shengming-zh.md"),
        ("Japanese", "2026-04-14-seimei-ja.md"),
    ] {
        let statement = load(file);
        let mut times = Vec::with_capacity(RUNS);
        let mut rendered = None;
        for _ in 0..RUNS {
            let t = Instant::now();
            rendered = Some(communique::render(&statement, &layout, &fonts, &options).unwrap());
            times.push(t.elapsed());
        }
        let rendered = rendered.unwrap();
        let ms = median(times);
        if english_ms == 0.0 {
            english_ms = ms;
        }
        // The two stages apart: typesetting (shaping, breaking) and writing (subsetting).
        let fonts = fonts
            .with_cjk(&statement.source, &statement.language)
            .unwrap()
            .unwrap_or_else(|| fonts.clone());
        let standards = communique::standards(&layout, &options);
        let (mut typeset, mut write) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let t = Instant::now();
            let (document, _) =
                communique::typeset::typeset(&statement, &layout, &fonts, &standards, None)
                    .unwrap();
            typeset.push(t.elapsed());
            let t = Instant::now();
            communique::pdf::write(&document, &fonts).unwrap();
            write.push(t.elapsed());
        }
        println!(
            "{label:<16} {:>2} page(s)  median {ms:>7.2} ms  ({:.2}x English)  PDF {:>6.1} KB  \
             (typeset {:.2} ms, PDF write {:.2} ms)",
            rendered.pages,
            ms / english_ms,
            rendered.pdf.len() as f64 / 1024.0,
            median(typeset),
            median(write)
        );
    }
}

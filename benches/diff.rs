//! Archive and diff speed: `cargo bench --bench diff`.
//!
//! Prints: `diff` of two five-page statements at 96 dpi (the issue asks for well under a
//! second), and `build` with and without `--embed-source` on the same statements (at most 10%
//! slower), each the median of several runs after a warm-up.

use std::path::Path;
use std::time::{Duration, Instant};

use communique::{FontSet, Layout, Options, Statement, archive};

const LONG: &str = "statements/2026-03-02-water-summit-long.md";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long = root.join(LONG);
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let render = |s: &Statement| {
        communique::render(s, &layout, &fonts, &Options::default())
            .unwrap()
            .pdf
    };
    let old_statement = Statement::load(&long).unwrap();
    let old = render(&old_statement);
    let text = std::fs::read_to_string(&long)
        .unwrap()
        .replace("these messages seriously", "these warnings seriously");
    let new = render(&Statement::parse(&long, text.as_bytes()).unwrap());
    let pages = communique::render::rasterize(&old, 10.0).unwrap().len();

    let d = time(5, || {
        communique::diff::diff(Path::new("old"), &old, Path::new("new"), &new, 96.0).unwrap()
    });
    println!(
        "diff of two {pages}-page statements at 96 dpi: {:.0} ms (median of 5)",
        d.as_secs_f64() * 1e3
    );

    let mut plain_total = Duration::ZERO;
    let mut embed_total = Duration::ZERO;
    for statement in std::fs::read_dir(root.join("statements")).unwrap() {
        let path = statement.unwrap().path();
        // As `build` does: read and parse, typeset and write; with the sources gathered and
        // attached for --embed-source.
        plain_total += time(7, || {
            let (s, l, _) = archive::load(&path, None, false).unwrap();
            communique::render(&s, &l, &fonts, &Options::default()).unwrap()
        });
        embed_total += time(7, || {
            let (s, l, sources) = archive::load(&path, None, true).unwrap();
            communique::render_with(&s, &l, &fonts, &Options::default(), sources.as_ref()).unwrap()
        });
    }
    println!(
        "build, all bundled statements: {:.1} ms; with --embed-source: {:.1} ms ({:+.1}%)",
        plain_total.as_secs_f64() * 1e3,
        embed_total.as_secs_f64() * 1e3,
        (embed_total.as_secs_f64() / plain_total.as_secs_f64() - 1.0) * 100.0
    );
}

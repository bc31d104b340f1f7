//! Build time of pathological statements (issue 19): `cargo bench --bench hostile`.
//!
//! Each statement is 10 KB, 100 KB and 1 MB of one hostile pattern; the time of a whole render
//! (parse, typeset, PDF) is printed with its ratio per 10x of input, which stays near 10 when
//! every stage is linear (n log n reads a little above). Set HOSTILE_MAX=100000 to skip the
//! 1 MB inputs. `verify` on hostile PDFs is benchmarked by the signing code's own bench.

use std::path::Path;
use std::time::{Duration, Instant};

use communique::{FontSet, Layout, Options, Statement};

/// The body of `bytes` bytes of a pattern.
type Body = fn(usize) -> String;

const CASES: &[(&str, Body)] = &[
    ("one unbroken run of `ab-`", |n| "ab-".repeat(n / 3)),
    ("letter + no-break space", |n| "a\u{a0}".repeat(n / 3)),
    ("20,000-character words", |n| {
        let word = "abcdefghij".repeat(2_000);
        let mut body = String::new();
        while body.len() + 1 < n {
            let take = (n - body.len() - 1).min(word.len());
            body.push_str(&word[..take]);
            body.push(' ');
        }
        body
    }),
    ("two-letter words", |n| "ab ".repeat(n / 3)),
    ("URLs", |n| {
        "https://transit-authority.example.org/a-b/c.html?x=1&y=2 ".repeat(n / 57)
    }),
];

fn main() {
    let max: usize = std::env::var("HOSTILE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).expect("bundled fonts");
    let options = Options {
        pdfa: None,
        timestamp: Some(1_600_000_000),
    };
    println!(
        "{:<28} {:>10} {:>10} {:>8}",
        "statement", "size", "time", "x10"
    );
    for (name, body) in CASES {
        let mut previous: Option<Duration> = None;
        for bytes in [10_000, 100_000, 1_000_000]
            .into_iter()
            .filter(|&b| b <= max)
        {
            let text = format!(
                "**Hostile input**\n**Geneva, 1 May 2026**\n\n{}\n",
                body(bytes)
            );
            let runs = if bytes >= 1_000_000 { 1 } else { 3 };
            let mut best = Duration::MAX;
            for _ in 0..runs {
                let start = Instant::now();
                let statement = Statement::parse(Path::new("hostile.md"), text.as_bytes())
                    .expect("the statement parses");
                if let Err(e) = communique::render(&statement, &layout, &fonts, &options) {
                    panic!("{name}, {bytes} bytes: {e}");
                }
                best = best.min(start.elapsed());
            }
            let ratio = previous.map_or(String::new(), |p| {
                format!("{:.1}", best.as_secs_f64() / p.as_secs_f64())
            });
            println!(
                "{name:<28} {:>8} KB {:>8.3} s {ratio:>8}",
                bytes / 1000,
                best.as_secs_f64()
            );
            previous = Some(best);
        }
    }
}

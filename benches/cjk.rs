//! CJK build time and size: `cargo bench --bench cjk`.
//!
//! The target (issue 15): a one-page Chinese or Japanese statement builds within 3x the time
//! of a one-page English one, although its font is a 20 MB collection subset for every
//! document, and the PDF stays small (only the glyphs used).
//!
//! Two measures, each taken side by side: the three statements alternate within every round,
//! so a busy neighbour on a shared machine slows all three alike, and the ratio is the median
//! of the per-round ratios.
//! - In process, as in a batch: the installed CJK font is opened once per process (the first
//!   render is printed apart), then each statement is rendered many times; the stages are
//!   timed apart too (typesetting: shaping, breaking; PDF writing: subsetting, compression).
//! - Whole process, as `communique build` from a shell: the command is run many times per
//!   statement, so that finding the installed CJK font (the font database scan) and opening
//!   it are counted each time.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use communique::{FontSet, Layout, Options, Statement};

const RUNS: usize = 40;
const CLI_RUNS: usize = 20;

const STATEMENTS: [(&str, &str); 3] = [
    (
        "English (seed)",
        "2020-01-29-copenhagen-political-directors.md",
    ),
    ("Chinese", "2026-04-14-shengming-zh.md"),
    ("Japanese", "2026-04-14-seimei-ja.md"),
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Per statement: the median time, and the median over rounds of its ratio to English
/// (statement 0) in the same round.
fn summary(rounds: &[[f64; 3]]) -> [(f64, f64); 3] {
    std::array::from_fn(|i| {
        let time = median(rounds.iter().map(|r| r[i]).collect());
        let ratio = median(rounds.iter().map(|r| r[i] / r[0]).collect());
        (time, ratio)
    })
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    let options = Options::default();
    let statements: Vec<Statement> = STATEMENTS
        .iter()
        .map(|(_, file)| Statement::load(&root.join("statements").join(file)).unwrap())
        .collect();

    let t = Instant::now();
    let first = communique::render(&statements[1], &layout, &fonts, &options).unwrap();
    println!(
        "first CJK render (finds and opens the installed font once): {:.1} ms",
        ms(t.elapsed())
    );
    drop(first);

    let standards = communique::standards(&layout, &options);
    let stage_fonts: Vec<FontSet> = statements
        .iter()
        .map(|s| {
            fonts
                .with_cjk(&s.source, &s.language)
                .unwrap()
                .unwrap_or_else(|| fonts.clone())
        })
        .collect();
    let (mut total, mut typeset, mut write) = (Vec::new(), Vec::new(), Vec::new());
    let mut outputs = [(0, 0); 3];
    for _ in 0..RUNS {
        let (mut t_total, mut t_typeset, mut t_write) = ([0.0; 3], [0.0; 3], [0.0; 3]);
        for (i, statement) in statements.iter().enumerate() {
            let t = Instant::now();
            let rendered = communique::render(statement, &layout, &fonts, &options).unwrap();
            t_total[i] = ms(t.elapsed());
            outputs[i] = (rendered.pages, rendered.pdf.len());

            let t = Instant::now();
            let (document, _) =
                communique::typeset::typeset(statement, &layout, &stage_fonts[i], &standards, None)
                    .unwrap();
            t_typeset[i] = ms(t.elapsed());
            let t = Instant::now();
            communique::pdf::write(&document, &stage_fonts[i]).unwrap();
            t_write[i] = ms(t.elapsed());
        }
        total.push(t_total);
        typeset.push(t_typeset);
        write.push(t_write);
    }
    let (total, typeset, write) = (summary(&total), summary(&typeset), summary(&write));
    println!("in process ({RUNS} rounds):");
    for (i, (label, _)) in STATEMENTS.iter().enumerate() {
        println!(
            "  {label:<16} {} page(s)  median {:>6.2} ms  ({:.2}x English)  PDF {:>6.1} KB  \
             (typeset {:.2} ms, PDF write {:.2} ms)",
            outputs[i].0,
            total[i].0,
            total[i].1,
            outputs[i].1 as f64 / 1024.0,
            typeset[i].0,
            write[i].0,
        );
    }

    let out = std::env::temp_dir().join(format!("communique-cjk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let build = |file: &str| {
        let t = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("build")
            .arg(root.join("statements").join(file))
            .arg("-o")
            .arg(out.join("out.pdf"))
            .status()
            .unwrap();
        assert!(status.success(), "communique build {file} failed");
        ms(t.elapsed())
    };
    for (_, file) in STATEMENTS {
        build(file);
    }
    let rounds: Vec<[f64; 3]> = (0..CLI_RUNS)
        .map(|_| std::array::from_fn(|i| build(STATEMENTS[i].1)))
        .collect();
    let _ = std::fs::remove_dir_all(&out);
    println!("`communique build`, whole process ({CLI_RUNS} rounds):");
    for ((label, _), (time, ratio)) in STATEMENTS.iter().zip(summary(&rounds)) {
        println!("  {label:<16} median {time:>6.2} ms  ({ratio:.2}x English)");
    }
}

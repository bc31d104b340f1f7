//! Batch speed and memory: `cargo bench --bench batch`.
//!
//! Generates 1,000 varied one-page statements and 100 five-page ones from a word list with a
//! fixed seed, then measures: one statement end to end, each stage separately (parse, typeset,
//! PDF write, file write) on one thread, `batch::run` with 1 and 2 jobs, and peak memory
//! (VmHWM) before and after a batch of 10,000 statements. Set BENCH_LARGE=0 to skip the 10,000
//! (or another number to change it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use communique::batch::{self, Config, Ui};
use communique::{FontSet, Layout, Options, Statement};

const WORDS: &[&str] = &[
    "the",
    "ministry",
    "of",
    "foreign",
    "affairs",
    "welcomes",
    "agreement",
    "reached",
    "between",
    "parties",
    "after",
    "long",
    "negotiations",
    "regional",
    "cooperation",
    "humanitarian",
    "access",
    "must",
    "be",
    "guaranteed",
    "all",
    "civilians",
    "government",
    "council",
    "security",
    "and",
    "to",
    "in",
    "for",
    "with",
    "support",
    "commitment",
    "partners",
    "international",
    "community",
    "calls",
    "upon",
    "immediate",
    "ceasefire",
    "dialogue",
    "sovereignty",
    "territorial",
    "integrity",
    "respect",
    "law",
    "obligations",
    "reconstruction",
    "development",
    "assistance",
    "refugees",
    "displaced",
    "persons",
    "safe",
    "return",
    "water",
    "infrastructure",
    "electricity",
    "recovery",
    "transparency",
    "accountability",
    "elections",
    "institutions",
    "strengthening",
    "dignity",
    "rights",
    "freedom",
    "expression",
    "press",
    "journalists",
    "protection",
    "delegation",
    "summit",
    "declaration",
    "ministers",
    "signed",
    "memorandum",
    "understanding",
    "trade",
    "investment",
    "climate",
    "resilience",
    "adaptation",
    "financing",
    "mechanism",
    "implementation",
    "monitoring",
    "verification",
    "stakeholders",
    "constructive",
    "engagement",
    "principles",
    "charter",
    "united",
    "nations",
    "peace",
    "stability",
    "prosperity",
    "future",
    "generations",
    "unprecedented",
    "multilateral",
];

/// xorshift64*: a fixed, dependency-free random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

fn paragraph(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    let mut capital = true;
    for i in 0..words {
        let w = WORDS[rng.range(0, WORDS.len() - 1)];
        if i > 0 {
            s.push(' ');
        }
        if capital {
            let mut c = w.chars();
            s.extend(c.next().map(|c| c.to_ascii_uppercase()));
            s.push_str(c.as_str());
            capital = false;
        } else {
            s.push_str(w);
        }
        if i + 1 < words && rng.range(0, 11) == 0 {
            s.push_str(if rng.range(0, 2) == 0 { "." } else { "," });
            capital = s.ends_with('.');
        }
    }
    s.push('.');
    s
}

/// A statement of about `pages` pages.
fn statement(rng: &mut Rng, n: usize, pages: usize) -> String {
    let (paras, lo, hi) = if pages == 1 {
        (rng.range(3, 6), 30, 70)
    } else {
        (rng.range(30, 32), 50, 85)
    };
    let mut s = format!(
        "+++\ntitle = \"Statement {n} on regional cooperation\"\n\
         dateline = \"Geneva, {} May 2026\"\ndate = 2026-05-{:02}\n+++\n\n",
        1 + n % 28,
        1 + n % 28
    );
    for _ in 0..paras {
        let words = rng.range(lo, hi);
        s += &paragraph(rng, words);
        s += "\n\n";
    }
    s
}

fn generate(dir: &Path, count: usize, pages: usize, seed: u64) -> Vec<PathBuf> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|n| {
            let path = dir.join(format!("d{:02}/s{n:05}.md", n % 50));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, statement(&mut rng, n, pages)).unwrap();
            path
        })
        .collect()
}

fn vm_hwm_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run_batch(inputs: &[PathBuf], out: &Path, jobs: usize) -> batch::Summary {
    let _ = std::fs::remove_dir_all(out);
    let config = Config {
        inputs: inputs.to_vec(),
        out: out.to_path_buf(),
        jobs,
        ui: Ui::Silent,
        ..Config::default()
    };
    let summary = batch::run(&config).expect("batch runs");
    assert!(summary.success(), "{:?}", summary.failures);
    summary
}

fn report_batch(label: &str, s: &batch::Summary) {
    let secs = s.elapsed.as_secs_f64();
    println!(
        "batch {label:<28} {:>6} docs {:>6} pages {:>7.2} s {:>8.1} docs/s {:>8.1} pages/s",
        s.built,
        s.pages,
        secs,
        s.built as f64 / secs,
        s.pages as f64 / secs
    );
}

/// `BENCH_PROFILE=N`: only render N one-page statements on one thread (for callgrind).
fn profile(n: usize) {
    let tmp = tempfile::TempDir::new().unwrap();
    let paths = generate(tmp.path(), n, 1, 0x5eed_0001);
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).unwrap();
    for p in &paths {
        let s = Statement::load(p).unwrap();
        let r = communique::render(&s, &layout, &fonts, &Options::default()).unwrap();
        std::hint::black_box(r.pdf.len());
    }
}

fn main() {
    if let Some(n) = std::env::var("BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return profile(n);
    }
    let tmp = tempfile::TempDir::new().unwrap();
    let root = tmp.path();
    let one = generate(&root.join("in/one"), 1000, 1, 0x5eed_0001);
    let five = generate(&root.join("in/five"), 100, 5, 0x5eed_0005);
    println!(
        "communique batch benchmark ({} cores)",
        rayon::current_num_threads()
    );
    println!("VmHWM at start: {:.1} MB", vm_hwm_mb());

    let layout = Layout::builtin();
    let t = Instant::now();
    let fonts = FontSet::load(&layout).unwrap();
    println!("FontSet::load (built-in layout): {:.3} ms", ms(t.elapsed()));
    let options = Options::default();
    let standards = communique::standards(&layout, &options);

    // One statement, end to end in process (parse + render), warm.
    let bytes = std::fs::read(&one[0]).unwrap();
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let s = Statement::parse(&one[0], &bytes).unwrap();
        let r = communique::render(&s, &layout, &fonts, &options).unwrap();
        std::hint::black_box(r.pdf.len());
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "single one-page statement, parse+render: median {:.3} ms, min {:.3} ms (200 runs)",
        ms(times[100]),
        ms(times[0])
    );

    // Stages, one thread, every statement.
    for (label, set) in [("one-page", &one), ("five-page", &five)] {
        let (mut read, mut parse, mut typeset, mut paint, mut write) = Default::default();
        let (mut pages, mut bytes_out) = (0usize, 0usize);
        let out = root.join("stages");
        std::fs::create_dir_all(&out).unwrap();
        for (i, path) in set.iter().enumerate() {
            let t = Instant::now();
            let bytes = std::fs::read(path).unwrap();
            let t1 = Instant::now();
            let s = Statement::parse(path, &bytes).unwrap();
            let t2 = Instant::now();
            let (doc, _) =
                communique::typeset::typeset(&s, &layout, &fonts, &standards, None).unwrap();
            let t3 = Instant::now();
            let pdf = communique::pdf::write(&doc, &fonts).unwrap();
            let t4 = Instant::now();
            communique::write_atomically_with(&out.join(format!("{i}.pdf")), &pdf, false).unwrap();
            let t5 = Instant::now();
            read += t1 - t;
            parse += t2 - t1;
            typeset += t3 - t2;
            paint += t4 - t3;
            write += t5 - t4;
            pages += doc.pages.len();
            bytes_out += pdf.len();
        }
        let n = set.len() as f64;
        let total: Duration = read + parse + typeset + paint + write;
        let per = |d: Duration| ms(d) / n;
        let pct = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
        println!(
            "stages, {label} x{} ({pages} pages, {:.1} KB/PDF avg), 1 thread, per document:",
            set.len(),
            bytes_out as f64 / n / 1024.0
        );
        for (name, d) in [
            ("read", read),
            ("parse", parse),
            ("typeset (shape+break+paginate)", typeset),
            ("pdf write (krilla)", paint),
            ("file write (atomic)", write),
        ] {
            println!("  {name:<32} {:>8.3} ms  {:>5.1}%", per(d), pct(d));
        }
        println!("  {:<32} {:>8.3} ms", "total", per(total));
    }

    // Whole batches.
    let out = root.join("out");
    let s = run_batch(&one, &out, 1);
    report_batch("1,000 one-page, --jobs 1", &s);
    let s = run_batch(&one, &out, 2);
    report_batch("1,000 one-page, --jobs 2", &s);
    let s = run_batch(&five, &out, 2);
    report_batch("100 five-page, --jobs 2", &s);
    // One directory input: in/one/... and in/five/... map to out/one/... and out/five/...
    let all = [root.join("in")];
    let s = run_batch(&all, &out, 2);
    report_batch("all 1,100, --jobs 2", &s);
    let config = Config {
        inputs: all.to_vec(),
        out: out.clone(),
        jobs: 2,
        ..Config::default()
    };
    let s = batch::run(&config).unwrap();
    println!(
        "batch all 1,100 again (all unchanged, --jobs 2): {:.2} s, {} unchanged",
        s.elapsed.as_secs_f64(),
        s.unchanged
    );
    let check = batch::run(&Config {
        check: true,
        ..config
    })
    .unwrap();
    println!(
        "batch all 1,100 --check (--jobs 2): {:.2} s, clean: {}",
        check.elapsed.as_secs_f64(),
        check.success()
    );
    println!("VmHWM after the 1,100 batches: {:.1} MB", vm_hwm_mb());

    let large: usize = std::env::var("BENCH_LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    if large > 0 {
        let dir = root.join("in/large");
        let t = Instant::now();
        generate(&dir, large, 1, 0x5eed_1000);
        println!(
            "generated {large} statements in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let s = run_batch(std::slice::from_ref(&dir), &root.join("out-large"), 2);
        report_batch(&format!("{large} one-page, --jobs 2"), &s);
        println!("VmHWM after the {large} batch: {:.1} MB", vm_hwm_mb());
    }
}

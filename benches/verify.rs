//! `verify` time on hostile PDFs of 64 KB, 256 KB and 1 MB (issue 19): a
//! form field whose /Kids lists itself, padded with a large string, and a
//! file with thousands of fields. Prints the time per size and the growth
//! per 10x of input, which must stay near 10x (linear).
//!
//!   cargo bench --bench verify

#[path = "../tests/sign_support/hostile.rs"]
#[allow(dead_code)]
mod hostile;

use std::time::Instant;

use hostile::{kids_self_loop, pdf_with};

/// The three sizes, then two larger ones. Over 64 KB to 1 MB alone, "many fields" once
/// read as 15-18x per 10x: its parsed objects outgrow the CPU's caches around 256 KB (one step
/// grew 6x), and the machine is shared. Up to 16 MB the growth shows whether that was a step or
/// a trend; the object table is a B-tree, so n log n is expected.
const SIZES: [usize; 5] = [
    64 * 1024,
    256 * 1024,
    1024 * 1024,
    4096 * 1024,
    16384 * 1024,
];

/// About `size` bytes of signature fields, each listing the next in /Kids.
fn many_fields(size: usize) -> Vec<u8> {
    let n = (size / 60).max(4) as u32;
    let mut objects = vec![
        (
            1,
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R]>>>>".to_string(),
        ),
        (2, "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string()),
        (
            3,
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".to_string(),
        ),
    ];
    for i in 4..4 + n {
        objects.push((i, format!("<</FT/Sig/T(f{i})/Kids[{} 0 R 4 0 R]>>", i + 1)));
    }
    objects.push((4 + n, "<</FT/Sig/T(last)>>".to_string()));
    pdf_with(&objects, "")
}

fn time(pdf: &[u8]) -> f64 {
    // Best of three: the machine is shared.
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let _ = communique::sign::verify(pdf);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    for (name, make) in [
        ("kids self-loop", kids_self_loop as fn(usize) -> Vec<u8>),
        ("many fields", many_fields),
    ] {
        let mut figures = Vec::new();
        for size in SIZES {
            let pdf = make(size);
            let t = time(&pdf);
            println!(
                "verify {name:15} {:>8} bytes: {:>9.2} ms",
                pdf.len(),
                t * 1000.0
            );
            figures.push((pdf.len() as f64, t));
        }
        let per_10x =
            |(s0, t0): (f64, f64), (s1, t1): (f64, f64)| (t1 / t0).powf(1.0 / (s1 / s0).log10());
        println!(
            "verify {name:15} growth per 10x of input: {:.1}x from 64 KB to 1 MB, {:.1}x from 1 MB to 16 MB, {:.1}x overall (linear: 10x)",
            per_10x(figures[0], figures[2]),
            per_10x(figures[2], figures[4]),
            per_10x(figures[0], figures[4]),
        );
    }
}

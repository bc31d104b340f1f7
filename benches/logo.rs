//! Batch speed with an SVG logo, and with a PDF logo (tests/vector_assets/crest.pdf, converted
//! to SVG), against the same layout with a PNG logo: `cargo bench --bench logo`. The target is
//! within 10%: the logo is read, checked and converted once per layout (when the batch loads
//! it), and krilla writes the drawing per document either way.
//!
//! The bundled statements, copied ROUNDS times, are set in layouts/ministry.toml as bundled
//! (the SVG emblem) and in a copy that names the PNG emblem instead; each batch runs REPEAT
//! times, alternating, and the best time of each is compared.

use std::path::{Path, PathBuf};

use communique::batch::{self, Config, Ui};

const ROUNDS: usize = 20;
const REPEAT: usize = 3;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::TempDir::new().unwrap();
    let inputs = tmp.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(root.join("statements")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        for r in 0..ROUNDS {
            let stem = path.file_stem().unwrap().to_string_lossy();
            std::fs::write(inputs.join(format!("{stem}-{r}.md")), &text).unwrap();
            count += 1;
        }
    }
    let svg_layout = root.join("layouts/ministry.toml");
    let toml = std::fs::read_to_string(&svg_layout).unwrap();
    assert!(toml.contains("assets/ministry-emblem.svg"));
    // The same layout beside the inputs, its logo paths made absolute.
    let assets = root.join("layouts/assets");
    let png_layout = tmp.path().join("ministry-png.toml");
    let svg_copy = tmp.path().join("ministry-svg.toml");
    let logo = |name: &str| format!("{}", assets.join(name).display());
    std::fs::write(
        &png_layout,
        toml.replace("assets/ministry-emblem.svg", &logo("ministry-emblem.png")),
    )
    .unwrap();
    std::fs::write(
        &svg_copy,
        toml.replace("assets/ministry-emblem.svg", &logo("ministry-emblem.svg")),
    )
    .unwrap();
    let svg_layout = svg_copy;
    let pdf_layout = tmp.path().join("ministry-pdf.toml");
    std::fs::write(
        &pdf_layout,
        toml.replace(
            "assets/ministry-emblem.svg",
            &format!("{}", root.join("tests/vector_assets/crest.pdf").display()),
        ),
    )
    .unwrap();

    let run = |layout: &PathBuf, out: &Path| {
        let _ = std::fs::remove_dir_all(out);
        let config = Config {
            inputs: vec![inputs.clone()],
            out: out.to_path_buf(),
            layout: Some(layout.clone()),
            jobs: 1,
            force: true,
            ui: Ui::Silent,
            ..Config::default()
        };
        let s = batch::run(&config).expect("batch runs");
        assert!(s.success(), "{:?}", s.failures);
        s.elapsed.as_secs_f64()
    };
    let (mut svg, mut png, mut pdf) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..REPEAT {
        png = png.min(run(&png_layout, &tmp.path().join("out-png")));
        svg = svg.min(run(&svg_layout, &tmp.path().join("out-svg")));
        pdf = pdf.min(run(&pdf_layout, &tmp.path().join("out-pdf")));
    }
    println!("logo bench: {count} statements, --jobs 1, best of {REPEAT}");
    println!("  PNG logo: {png:.2} s ({:.1} docs/s)", count as f64 / png);
    println!("  SVG logo: {svg:.2} s ({:.1} docs/s)", count as f64 / svg);
    println!("  PDF logo: {pdf:.2} s ({:.1} docs/s)", count as f64 / pdf);
    println!(
        "  SVG / PNG: {:.3} ({:+.1}%; target within 10%)",
        svg / png,
        (svg / png - 1.0) * 100.0
    );
    println!(
        "  PDF / PNG: {:.3} ({:+.1}%; target within 10%)",
        pdf / png,
        (pdf / png - 1.0) * 100.0
    );
}

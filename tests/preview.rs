//! `communique preview`: the PNG pages look like poppler's rendering of the PDF `build` writes.

mod common;

use std::path::Path;
use std::process::Command;

fn communique(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1580256000")
        .args(args)
        .output()
        .unwrap()
}

fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// A binary PPM (P6) as pdftoppm writes it.
fn decode_ppm(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    assert_eq!(fields[3], "255");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[i + 1..].to_vec();
    assert_eq!(data.len(), (w * h * 3) as usize);
    (w, h, data)
}

/// Measured at 30 dpi on the seed: 5.9 on average and 24 at most; the limits leave room for
/// rasterizer updates but not for a missing or shifted line of text, whose blocks differ by
/// 60 and more.
const MEAN_LIMIT: f64 = 10.0;
const WORST_LIMIT: f64 = 50.0;

#[test]
fn preview_of_the_seed_looks_like_pdftoppm() {
    let has_pdftoppm = Command::new("pdftoppm").arg("-v").output().is_ok();
    if !common::require("pdftoppm", has_pdftoppm, "apt-get install poppler-utils") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::seed_statement(), dir.path().join("seed.md")).unwrap();
    let out = communique(dir.path(), &["build", "seed.md", "-o", "seed.pdf"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = communique(
        dir.path(),
        &["preview", "seed.md", "--dpi", "30", "-o", "png"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    let pages: Vec<&str> = listed.lines().collect();
    assert!(!pages.is_empty());
    let poppler = Command::new("pdftoppm")
        .args(["-r", "30"])
        .arg(dir.path().join("seed.pdf"))
        .arg(dir.path().join("ref"))
        .status()
        .unwrap();
    assert!(poppler.success());
    for (i, page) in pages.iter().enumerate() {
        let (w, h, ours) = decode_png(&dir.path().join(page));
        let reference = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with("ref-")
                    && name.ends_with(".ppm")
                    && name[4..name.len() - 4].parse::<usize>() == Ok(i + 1)
            })
            .unwrap_or_else(|| panic!("pdftoppm wrote no page {}", i + 1));
        let (rw, rh, theirs) = decode_ppm(&std::fs::read(reference).unwrap());
        // The two round the page size differently (by at most a pixel).
        assert!(
            w.abs_diff(rw) <= 1 && h.abs_diff(rh) <= 1,
            "{w}x{h} vs {rw}x{rh}"
        );
        // Glyph edges are anti-aliased differently (hayro hints glyphs, which makes small text
        // darker), so pages are compared as grey levels averaged over 8x8-pixel blocks: the
        // same text, rules and images in the same places give close averages everywhere; a
        // missing line, a shifted block or a wrong colour does not.
        const B: u32 = 8;
        let (bw, bh) = (w.min(rw) / B, h.min(rh) / B);
        let grey = |data: &[u8], width: u32, x: u32, y: u32| {
            let i = ((y * width + x) * 3) as usize;
            (u32::from(data[i]) + u32::from(data[i + 1]) + u32::from(data[i + 2])) as f64 / 3.0
        };
        let block = |data: &[u8], width: u32, bx: u32, by: u32| {
            let mut sum = 0.0;
            for y in by * B..(by + 1) * B {
                for x in bx * B..(bx + 1) * B {
                    sum += grey(data, width, x, y);
                }
            }
            sum / f64::from(B * B)
        };
        let mut total = 0.0;
        let mut worst: f64 = 0.0;
        for by in 0..bh {
            for bx in 0..bw {
                let d = (block(&ours, w, bx, by) - block(&theirs, rw, bx, by)).abs();
                total += d;
                worst = worst.max(d);
            }
        }
        let mean = total / f64::from(bw * bh);
        eprintln!(
            "page {}: 8x8 block grey levels differ by {mean:.2}/255 on average, {worst:.1} at most",
            i + 1
        );
        assert!(
            mean < MEAN_LIMIT,
            "page {}: mean block difference {mean:.2}",
            i + 1
        );
        assert!(
            worst < WORST_LIMIT,
            "page {}: a block differs by {worst:.1}",
            i + 1
        );
        // Not blank: the comparison would pass trivially on two white pages.
        let ink = ours.chunks(3).filter(|p| p[0] < 160).count();
        assert!(ink > 200, "page {}: only {ink} dark pixels", i + 1);
    }
}

#[test]
fn bad_resolution_and_bad_statement_are_errors_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::seed_statement(), dir.path().join("seed.md")).unwrap();
    let out = communique(
        dir.path(),
        &["preview", "seed.md", "--dpi", "0", "-o", "png"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dpi"));
    // A4 at 1200 dpi is 139 million pixels a page, over the limit: refused before drawing.
    let out = communique(
        dir.path(),
        &["preview", "seed.md", "--dpi", "1200", "-o", "png"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("try a lower resolution"));
    std::fs::write(dir.path().join("empty.md"), "").unwrap();
    let out = communique(dir.path(), &["preview", "empty.md", "-o", "png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("png").exists());
}

//! What changed between two PDFs, for people: both are rasterized (`render`), pages compared
//! pixel by pixel, changed pixels grouped into regions, and the words on each page compared.
//! [`write_pages`] writes old, new and overlay PNGs and [`html`] a page that shows them.
//!
//! Both PDFs may come from anywhere: before anything is drawn every stream is inflated with a
//! cap (the rasterizer itself has none), and `render` bounds pages and pixels.

mod html;
mod text;

use std::io::Read;
use std::path::{Path, PathBuf};

use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::object::{Object, Stream};

pub use html::{html, html_run};

use crate::render::{self, Page, RenderError};

/// The default resolution, in dots per inch.
pub const DEFAULT_DPI: f32 = 96.0;
/// Channels differing by at most this much count as the same (anti-aliasing noise).
const TOLERANCE: u8 = 24;
/// Changed pixels are gathered in cells of this many pixels a side...
const CELL: u32 = 8;
/// ...and cells at most this many cells apart join one region.
const JOIN: u32 = 2;
/// Decoded stream bytes allowed in one PDF, and in one stream.
const MAX_DECODED_TOTAL: u64 = 512 * 1024 * 1024;
const MAX_DECODED_STREAM: u64 = 128 * 1024 * 1024;
/// Streams looked at at most.
const MAX_STREAMS: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{}: {source}", path.display())]
    Render { path: PathBuf, source: RenderError },
    #[error("{}: {reason}", path.display())]
    Hostile { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A changed rectangle, in points from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Changed,
    Added,
    Removed,
}

/// One page that differs.
#[derive(Debug, Clone)]
pub struct PageDiff {
    /// From 1.
    pub page: usize,
    pub change: Change,
    pub regions: Vec<Region>,
    pub words_added: Vec<String>,
    pub words_removed: Vec<String>,
}

/// The difference between two PDFs, with the pages drawn for writing images.
#[derive(Debug, Clone)]
pub struct Report {
    pub old_pages: usize,
    pub new_pages: usize,
    pub dpi: f32,
    pub pages: Vec<PageDiff>,
    old: Vec<Page>,
    new: Vec<Page>,
}

impl Report {
    /// The report without the drawn pages, to keep after the images are written.
    pub fn without_images(self) -> Report {
        Report {
            old: Vec::new(),
            new: Vec::new(),
            ..self
        }
    }

    pub fn same(&self) -> bool {
        self.pages.is_empty()
    }

    /// The report as text, one line per fact.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for p in &self.pages {
            match p.change {
                Change::Added => s += &format!("page {}: added\n", p.page),
                Change::Removed => s += &format!("page {}: removed\n", p.page),
                Change::Changed => {
                    s += &format!("page {}: {} changed region(s)\n", p.page, p.regions.len());
                    for r in &p.regions {
                        s += &format!(
                            "  region at x {:.1} pt, y {:.1} pt, {:.1} x {:.1} pt\n",
                            r.x, r.y, r.width, r.height
                        );
                    }
                }
            }
            if !p.words_removed.is_empty() {
                s += &format!("  - {}\n", p.words_removed.join(" "));
            }
            if !p.words_added.is_empty() {
                s += &format!("  + {}\n", p.words_added.join(" "));
            }
        }
        s += &format!(
            "{}: {} page(s) before, {} after, {} differing\n",
            if self.same() { "same" } else { "different" },
            self.old_pages,
            self.new_pages,
            self.pages.len()
        );
        s
    }
}

/// Compares `old` and `new` (their paths name them in messages) at `dpi`.
pub fn diff(
    old_path: &Path,
    old: &[u8],
    new_path: &Path,
    new: &[u8],
    dpi: f32,
) -> Result<Report, DiffError> {
    let old_pdf = open(old_path, old)?;
    let new_pdf = open(new_path, new)?;
    let raster = |path: &Path, bytes: &[u8]| {
        render::rasterize(bytes, dpi).map_err(|source| DiffError::Render {
            path: path.to_path_buf(),
            source,
        })
    };
    let old_img = raster(old_path, old)?;
    let new_img = raster(new_path, new)?;
    let old_words = text::words(&old_pdf);
    let new_words = text::words(&new_pdf);
    let scale = 72.0 / dpi;
    let mut pages = Vec::new();
    for i in 0..old_img.len().max(new_img.len()) {
        let (a, b) = (old_img.get(i), new_img.get(i));
        let no_words = Vec::new();
        let wa = old_words.get(i).unwrap_or(&no_words);
        let wb = new_words.get(i).unwrap_or(&no_words);
        let change = match (a, b) {
            (Some(_), None) => Change::Removed,
            (None, Some(_)) => Change::Added,
            _ => Change::Changed,
        };
        let regions = match (a, b) {
            (Some(a), Some(b)) => regions(a, b)
                .into_iter()
                .map(|(x0, y0, x1, y1)| Region {
                    x: x0 as f32 * scale,
                    y: y0 as f32 * scale,
                    width: (x1 - x0) as f32 * scale,
                    height: (y1 - y0) as f32 * scale,
                })
                .collect(),
            _ => Vec::new(),
        };
        if change == Change::Changed && regions.is_empty() {
            continue;
        }
        let (removed, added) = word_changes(wa, wb);
        pages.push(PageDiff {
            page: i + 1,
            change,
            regions,
            words_added: added,
            words_removed: removed,
        });
    }
    Ok(Report {
        old_pages: old_img.len(),
        new_pages: new_img.len(),
        dpi,
        pages,
        old: old_img,
        new: new_img,
    })
}

/// Parses a PDF and inflates every stream with caps, so a decompression bomb is refused here
/// rather than met by the rasterizer.
fn open(path: &Path, bytes: &[u8]) -> Result<Pdf, DiffError> {
    let hostile = |reason: String| DiffError::Hostile {
        path: path.to_path_buf(),
        reason,
    };
    let pdf = Pdf::new(bytes.to_vec()).map_err(|_| DiffError::Render {
        path: path.to_path_buf(),
        source: RenderError::NotAPdf,
    })?;
    let mut total = 0u64;
    for (n, obj) in pdf.objects().into_iter().enumerate() {
        if n >= MAX_STREAMS * 10 {
            return Err(hostile("more than a million objects".into()));
        }
        let Object::Stream(stream) = obj else {
            continue;
        };
        total += inflated_size(&stream).map_err(&hostile)?;
        if total > MAX_DECODED_TOTAL {
            return Err(hostile(
                "its streams inflate to more than 512 MiB; refusing to draw it".into(),
            ));
        }
    }
    Ok(pdf)
}

/// How large a stream's first filter makes it, counted without keeping the bytes.
fn inflated_size(stream: &Stream) -> Result<u64, String> {
    let first = match stream.dict().get::<Object>(b"Filter") {
        Some(Object::Name(n)) => Some(n.as_str().to_string()),
        Some(Object::Array(a)) => a
            .iter::<hayro::hayro_syntax::object::Name>()
            .next()
            .map(|n| n.as_str().to_string()),
        _ => None,
    };
    let raw = stream.raw_data();
    match first.as_deref() {
        Some("FlateDecode" | "Fl") => {
            let n = std::io::copy(
                &mut flate2::read::ZlibDecoder::new(&raw[..]).take(MAX_DECODED_STREAM + 1),
                &mut std::io::sink(),
            )
            .unwrap_or(0);
            if n > MAX_DECODED_STREAM {
                Err("a stream inflates to more than 128 MiB; refusing to draw it".into())
            } else {
                Ok(n)
            }
        }
        _ => Ok(raw.len() as u64),
    }
}

/// Bounding boxes (pixels, x0 y0 x1 y1 exclusive) of the places where two pages differ.
fn regions(a: &Page, b: &Page) -> Vec<(u32, u32, u32, u32)> {
    let (w, h) = (a.width.max(b.width), a.height.max(b.height));
    let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut cells = vec![false; (cw * ch) as usize];
    let px = |p: &Page, x: u32, y: u32| -> [u8; 3] {
        if x < p.width && y < p.height {
            p.pixel(x, y)
        } else {
            [255, 255, 255]
        }
    };
    let same_size = a.width == b.width && a.height == b.height;
    for y in 0..h {
        if same_size {
            let row = (y * w * 3) as usize..((y + 1) * w * 3) as usize;
            if a.rgb[row.clone()] == b.rgb[row] {
                continue;
            }
        }
        for x in 0..w {
            let (p, q) = (px(a, x, y), px(b, x, y));
            if p.iter().zip(q).any(|(u, v)| u.abs_diff(v) > TOLERANCE) {
                cells[((y / CELL) * cw + x / CELL) as usize] = true;
            }
        }
    }
    // Flood fill over cells within JOIN of each other.
    let mut seen = vec![false; cells.len()];
    let mut out = Vec::new();
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        while let Some(c) = stack.pop() {
            let (cx, cy) = (c as u32 % cw, c as u32 / cw);
            x0 = x0.min(cx);
            y0 = y0.min(cy);
            x1 = x1.max(cx);
            y1 = y1.max(cy);
            for ny in cy.saturating_sub(JOIN)..=(cy + JOIN).min(ch - 1) {
                for nx in cx.saturating_sub(JOIN)..=(cx + JOIN).min(cw - 1) {
                    let n = (ny * cw + nx) as usize;
                    if cells[n] && !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        out.push((
            x0 * CELL,
            y0 * CELL,
            ((x1 + 1) * CELL).min(w),
            ((y1 + 1) * CELL).min(h),
        ));
    }
    out.sort_by_key(|&(x0, y0, _, _)| (y0, x0));
    out
}

/// Words removed from `a` and added in `b`, by the longest common subsequence (a bag
/// difference for pages too long for it).
fn word_changes(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    if a == b {
        return (Vec::new(), Vec::new());
    }
    if a.len() * b.len() > 16_000_000 {
        let mut removed = Vec::new();
        let mut rest: Vec<&String> = b.iter().collect();
        for w in a {
            match rest.iter().position(|x| *x == w) {
                Some(i) => {
                    rest.swap_remove(i);
                }
                None => removed.push(w.clone()),
            }
        }
        let mut rest_a: Vec<&String> = a.iter().collect();
        let mut added = Vec::new();
        for w in b {
            match rest_a.iter().position(|x| *x == w) {
                Some(i) => {
                    rest_a.swap_remove(i);
                }
                None => added.push(w.clone()),
            }
        }
        return (removed, added);
    }
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if a[i] == b[j] {
                table[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            i += 1;
            j += 1;
        } else if table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
            removed.push(a[i].clone());
            i += 1;
        } else {
            added.push(b[j].clone());
            j += 1;
        }
    }
    removed.extend(a[i..].iter().cloned());
    added.extend(b[j..].iter().cloned());
    (removed, added)
}

/// The file names [`write_pages`] gives page `page`'s images, with `prefix` (a run's files
/// share one folder).
pub fn image_names(prefix: &str, page: usize) -> [String; 3] {
    [
        format!("{prefix}page-{page}-old.png"),
        format!("{prefix}page-{page}-new.png"),
        format!("{prefix}page-{page}-overlay.png"),
    ]
}

/// Writes, per differing page, the old and new page and an overlay into `dir`.
pub fn write_pages(report: &Report, dir: &Path, prefix: &str) -> Result<(), DiffError> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        crate::write_atomically(&path, bytes).map_err(|e| DiffError::Write {
            path,
            source: match e {
                crate::Error::Write { source, .. } => source,
                other => std::io::Error::other(other.to_string()),
            },
        })
    };
    std::fs::create_dir_all(dir).map_err(|source| DiffError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for p in &report.pages {
        let [old_name, new_name, overlay_name] = image_names(prefix, p.page);
        let (a, b) = (report.old.get(p.page - 1), report.new.get(p.page - 1));
        let blank = |o: &Page| Page {
            width: o.width,
            height: o.height,
            rgb: vec![255; o.rgb.len()],
        };
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a.clone(), b.clone()),
            (Some(a), None) => (a.clone(), blank(a)),
            (None, Some(b)) => (blank(b), b.clone()),
            (None, None) => continue,
        };
        write(&old_name, &a.to_png())?;
        write(&new_name, &b.to_png())?;
        write(
            &overlay_name,
            &overlay(&a, &b, &p.regions, report.dpi).to_png(),
        )?;
    }
    Ok(())
}

/// The new page faded, with ink only in the old page in red, ink only in the new page in
/// green, and each changed region framed in magenta.
fn overlay(a: &Page, b: &Page, regions: &[Region], dpi: f32) -> Page {
    let (w, h) = (a.width.max(b.width), a.height.max(b.height));
    let px = |p: &Page, x: u32, y: u32| -> [u8; 3] {
        if x < p.width && y < p.height {
            p.pixel(x, y)
        } else {
            [255, 255, 255]
        }
    };
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (p, q) = (px(a, x, y), px(b, x, y));
            let lum = |c: [u8; 3]| (u32::from(c[0]) + u32::from(c[1]) + u32::from(c[2])) / 3;
            let (la, lb) = (lum(p), lum(q));
            let c = if la + u32::from(TOLERANCE) < lb {
                [220, 30, 30]
            } else if lb + u32::from(TOLERANCE) < la {
                [20, 160, 40]
            } else {
                let f = |v: u8| 255 - (255 - v) / 4;
                [f(q[0]), f(q[1]), f(q[2])]
            };
            rgb.extend_from_slice(&c);
        }
    }
    let scale = dpi / 72.0;
    let mut set = |x: u32, y: u32| {
        if x < w && y < h {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&[200, 0, 200]);
        }
    };
    for r in regions {
        let x0 = (r.x * scale) as u32;
        let y0 = (r.y * scale) as u32;
        let x1 = ((r.x + r.width) * scale) as u32;
        let y1 = ((r.y + r.height) * scale) as u32;
        for t in 0..2 {
            for x in x0.saturating_sub(2)..=x1 + 1 {
                set(x, y0.saturating_sub(2 - t));
                set(x, y1 + t);
            }
            for y in y0.saturating_sub(2)..=y1 + 1 {
                set(x0.saturating_sub(2 - t), y);
                set(x1 + t, y);
            }
        }
    }
    Page {
        width: w,
        height: h,
        rgb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(w: u32, h: u32) -> Page {
        Page {
            width: w,
            height: h,
            rgb: vec![255; (w * h * 3) as usize],
        }
    }

    #[test]
    fn separate_changes_are_separate_regions() {
        let a = page(200, 200);
        let mut b = a.clone();
        for (x, y) in [(10, 10), (12, 11), (150, 150)] {
            let i = ((y * 200 + x) * 3) as usize;
            b.rgb[i] = 0;
        }
        let r = regions(&a, &b);
        assert_eq!(r, vec![(8, 8, 16, 16), (144, 144, 152, 152)]);
        assert!(regions(&a, &a).is_empty());
    }

    #[test]
    fn word_changes_follow_the_order() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let (removed, added) = word_changes(&w("the quick brown fox"), &w("the slow brown fox"));
        assert_eq!((removed, added), (w("quick"), w("slow")));
    }
}

//! The words on each page of a PDF, read from its glyphs' Unicode values (hayro's
//! interpreter; no external program), in the order they are drawn.

use std::panic::{AssertUnwindSafe, catch_unwind};

use hayro::hayro_interpret::font::GlyphRun;
use hayro::hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps,
    InterpreterCache, InterpreterSettings, SoftMask, TransformExt, interpret_page,
};
use hayro::hayro_syntax::Pdf;

/// Words kept per page at most: far beyond a real page, a bound for a hostile one.
const MAX_WORDS: usize = 20_000;

struct Glyph {
    text: String,
    x: f64,
    /// Where the next glyph would start without a gap.
    end: f64,
    y: f64,
    size: f64,
}

#[derive(Default)]
struct Collector {
    glyphs: Vec<Glyph>,
}

impl<'a> Device<'a> for Collector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        for g in run.glyphs() {
            if self.glyphs.len() >= MAX_WORDS * 16 {
                return;
            }
            let t: Affine = props.transform * g.transform();
            // Glyph space is 1000 units to the em.
            let origin = t * Point::ZERO;
            let size = ((t * Point::new(0.0, 1000.0)) - origin).hypot();
            let advance = match &**g {
                hayro::hayro_interpret::font::Glyph::Outline(o) => o.advance_width(),
                hayro::hayro_interpret::font::Glyph::Type3(t3) => t3.advance_width(),
            }
            .unwrap_or(500.0);
            let end = (t * Point::new(f64::from(advance), 0.0)).x;
            let text = match g.as_unicode() {
                Some(hayro::hayro_interpret::hayro_cmap::BfString::Char(c)) => c.to_string(),
                Some(hayro::hayro_interpret::hayro_cmap::BfString::String(s)) => s,
                None => continue,
            };
            self.glyphs.push(Glyph {
                text,
                x: origin.x,
                end,
                y: origin.y,
                size,
            });
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// The words of every page; a page the interpreter fails on has none.
pub fn words(pdf: &Pdf) -> Vec<Vec<String>> {
    let cache = InterpreterCache::new();
    pdf.pages()
        .iter()
        .map(|page| {
            let mut collector = Collector::default();
            let ok = catch_unwind(AssertUnwindSafe(|| {
                let (w, h) = page.render_dimensions();
                let mut ctx = Context::new(
                    page.initial_transform(true).to_kurbo(),
                    Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
                    &cache,
                    page.xref(),
                    InterpreterSettings::default(),
                );
                interpret_page(page, &mut ctx, &mut collector);
            }));
            if ok.is_err() {
                return Vec::new();
            }
            split(&collector.glyphs)
        })
        .collect()
}

/// Joins glyphs into words: a word ends at white space, at a change of line, or where the
/// next glyph starts more than 0.15 em away from the end of the last (either way).
fn split(glyphs: &[Glyph]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in glyphs {
        if let Some(p) = prev {
            let em = p.size.max(1.0);
            let same_line = (g.y - p.y).abs() < 0.3 * em;
            let gap = (g.x - p.end).abs() > 0.15 * em;
            if !same_line || gap {
                flush(&mut word, &mut words);
            }
        }
        for ch in g.text.chars() {
            if ch.is_whitespace() {
                flush(&mut word, &mut words);
            } else {
                word.push(ch);
            }
        }
        prev = Some(g);
        if words.len() >= MAX_WORDS {
            break;
        }
    }
    flush(&mut word, &mut words);
    words
}

fn flush(word: &mut String, words: &mut Vec<String>) {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    if !w.is_empty() && words.len() < MAX_WORDS {
        words.push(w.to_string());
    }
    word.clear();
}

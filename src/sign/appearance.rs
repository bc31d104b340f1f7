//! The visible signature's appearance stream.
//!
//! Text is drawn as filled vector outlines of Noto Serif glyphs, so the
//! appearance needs no font resource: PDF/A forbids non-embedded fonts, and
//! outlines sidestep font embedding entirely. The text's meaning reaches
//! assistive technology through the field's /TU and the /Form structure
//! element's /Alt instead.

const FONT: &[u8] = include_bytes!("../../fonts/NotoSerif-Regular.ttf");

/// Inner padding of the box, in points.
const PADDING: f32 = 4.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;
/// Largest font size used, in points.
const MAX_FONT_SIZE: f32 = 10.0;

struct PathSink<'a> {
    out: &'a mut String,
    scale: f32,
    dx: f32,
    dy: f32,
    last: (f32, f32),
}

impl PathSink<'_> {
    fn pt(&self, x: f32, y: f32) -> (f32, f32) {
        (self.dx + x * self.scale, self.dy + y * self.scale)
    }
}

fn num(out: &mut String, v: f32) {
    // Three decimals, trailing zeros trimmed; deterministic across platforms.
    let mut s = format!("{v:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    out.push_str(&s);
}

impl ttf_parser::OutlineBuilder for PathSink<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.pt(x, y);
        num(self.out, x);
        self.out.push(' ');
        num(self.out, y);
        self.out.push_str(" m\n");
        self.last = (x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.pt(x, y);
        num(self.out, x);
        self.out.push(' ');
        num(self.out, y);
        self.out.push_str(" l\n");
        self.last = (x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        // Quadratic to cubic: control points at 2/3 towards the quad control.
        let (qx, qy) = self.pt(x1, y1);
        let (x, y) = self.pt(x, y);
        let (x0, y0) = self.last;
        let c1 = (x0 + 2.0 / 3.0 * (qx - x0), y0 + 2.0 / 3.0 * (qy - y0));
        let c2 = (x + 2.0 / 3.0 * (qx - x), y + 2.0 / 3.0 * (qy - y));
        for v in [c1.0, c1.1, c2.0, c2.1, x, y] {
            num(self.out, v);
            self.out.push(' ');
        }
        self.out.push_str("c\n");
        self.last = (x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (ax, ay) = self.pt(x1, y1);
        let (bx, by) = self.pt(x2, y2);
        let (x, y) = self.pt(x, y);
        for v in [ax, ay, bx, by, x, y] {
            num(self.out, v);
            self.out.push(' ');
        }
        self.out.push_str("c\n");
        self.last = (x, y);
    }

    fn close(&mut self) {
        self.out.push_str("h\n");
    }
}

/// Advance width of `text` in font units (characters without a glyph fall
/// back to the `.notdef` advance).
fn text_width(face: &ttf_parser::Face, text: &str) -> f32 {
    text.chars()
        .map(|c| {
            let g = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            f32::from(face.glyph_hor_advance(g).unwrap_or(0))
        })
        .sum()
}

/// Content stream for a `width` × `height` box showing `lines`: a thin
/// frame and the lines, left-aligned, sized to fit.
pub(crate) fn content_stream(lines: &[String], width: f32, height: f32) -> Vec<u8> {
    let face = ttf_parser::Face::parse(FONT, 0).expect("bundled font parses");
    let upem = f32::from(face.units_per_em());
    let mut out = String::new();
    // Frame (DeviceGray is allowed in PDF/A since krilla writes an output intent).
    out.push_str("q\n0.4 G\n0.5 w\n");
    for v in [0.25, 0.25, width - 0.5, height - 0.5] {
        num(&mut out, v);
        out.push(' ');
    }
    out.push_str("re\nS\nQ\n");
    if lines.is_empty() {
        return out.into_bytes();
    }
    let avail_w = (width - 2.0 * PADDING).max(1.0);
    let avail_h = (height - 2.0 * PADDING).max(1.0);
    let widest = lines
        .iter()
        .map(|l| text_width(&face, l))
        .fold(0.0f32, f32::max)
        .max(1.0);
    let size = MAX_FONT_SIZE
        .min(avail_h / (lines.len() as f32 * LEADING))
        .min(avail_w * upem / widest)
        .max(0.5);
    let scale = size / upem;
    let ascent = f32::from(face.ascender()) * scale;
    let block_h = size * LEADING * (lines.len() as f32 - 1.0) + ascent;
    // Vertically centred block, first baseline at the top.
    let top = height / 2.0 + block_h / 2.0;
    out.push_str("q\n0 g\n");
    for (i, line) in lines.iter().enumerate() {
        let baseline = top - ascent - i as f32 * size * LEADING;
        let mut x = PADDING;
        for c in line.chars() {
            let g = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let mut sink = PathSink {
                out: &mut out,
                scale,
                dx: x,
                dy: baseline,
                last: (x, baseline),
            };
            if face.outline_glyph(g, &mut sink).is_some() {
                out.push_str("f\n");
            }
            x += f32::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale;
        }
    }
    out.push_str("Q\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_deterministic_paths() {
        let lines = vec![
            "Digitally signed by Zoë".to_string(),
            "2026-05-14".to_string(),
        ];
        let a = content_stream(&lines, 200.0, 50.0);
        let b = content_stream(&lines, 200.0, 50.0);
        assert_eq!(a, b);
        let s = String::from_utf8(a).unwrap();
        assert!(s.contains(" c\n") || s.contains(" l\n"));
        assert!(s.matches("f\n").count() >= 20);
        // No text operators: nothing needs a font resource.
        assert!(!s.contains("Tf") && !s.contains("Tj"));
    }
}

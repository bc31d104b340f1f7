//! Line assembly: the items of a chosen line turned into positioned glyph runs, with
//! justification (glue, font expansion), protrusion, kerning damping and the visual order of
//! right-to-left runs.

use std::ops::Range;

use super::bidi::visual_order;
use super::itemize::Atom;
use super::items::Content;
use super::linebreak::{INFINITE_PENALTY, Item};
use super::{Line, Setting, THIN_SPACE, Typesetter};
use crate::document::{PlacedGlyph, Tag, TextRun};
use crate::font::FontId;
use crate::layout::Align;

/// The character a line-end hyphen stands for in the text layer. A hyphen-minus, as printed:
/// text extraction tools (pdftotext, and our quality checks) join "word-\\nword" back into
/// the source word, while a soft hyphen makes them drop it and split the word in two.
const HYPHEN_TEXT: &str = "-";
/// Poppler and pdfminer start a new word at a gap wider than a tenth of an em; CJK glue wider
/// than this (the quarter em beside Latin, a loose line's spacing) must not read as a space.
const GAP_READ_AS_SPACE: f32 = 0.06;

impl Typesetter<'_> {
    /// Positions the glyphs of items `range` (the line ends at `range.end`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn line(
        &mut self,
        text: &str,
        atoms: &[Atom],
        items: &[Item],
        contents: &[Content],
        levels: Option<&[u8]>,
        range: Range<usize>,
        s: &Setting,
    ) -> Line {
        let size = s.size;
        // Skip what a line start discards.
        let mut start = range.start;
        while start < range.end && !matches!(items[start], Item::Box { .. }) {
            start += 1;
        }
        let end_item = items[range.end];
        let mut used: Vec<usize> = (start..range.end)
            .filter(|&i| !matches!(items[i], Item::Penalty { .. }))
            .collect();
        let ends_with_hyphen = matches!(end_item, Item::Penalty { width, .. } if width > 0.0);
        if ends_with_hyphen {
            used.push(range.end);
        }
        // Drop trailing glue (the fill before a forced break).
        while let Some(&last) = used.last() {
            if matches!(items[last], Item::Glue { .. }) {
                used.pop();
            } else {
                break;
            }
        }
        let (mut natural, mut box_width, mut stretch, mut shrink) = (0.0, 0.0, 0.0, 0.0);
        for &i in &used {
            match items[i] {
                Item::Box { width, .. } if matches!(contents[i], Content::Indent) => {
                    natural += width;
                }
                Item::Box { width, .. } => {
                    natural += width;
                    box_width += width;
                }
                Item::Glue {
                    width,
                    stretch: st,
                    shrink: sh,
                } => {
                    natural += width;
                    stretch += st;
                    shrink += sh;
                }
                Item::Penalty { width, .. } => {
                    natural += width;
                    box_width += width;
                }
            }
        }
        let ragged = !s.justify || s.balance;
        let last_line =
            matches!(end_item, Item::Penalty { penalty, .. } if penalty <= -INFINITE_PENALTY);
        let protrude = match end_item {
            Item::Penalty { protrusion, .. } => protrusion,
            _ => 0.0,
        };
        let target = s.width + protrude;
        let expansion = if ragged { 0.0 } else { s.expansion };
        let expand_stretch = box_width * expansion;
        let ratio = if ragged || (last_line && natural <= target) {
            0.0
        } else if natural < target {
            (target - natural) / (stretch + expand_stretch).max(1e-6)
        } else {
            (target - natural) / (shrink + expand_stretch).max(1e-6)
        };
        let clamped = ratio.clamp(-1.0, 1.0);
        let hscale = 1.0 + clamped * expansion;
        let kerning = kerning_kept(atoms, contents, &used);
        // What damping the kerning adds to the line's width, in points.
        let widening = -(1.0 - kerning.kept) * kerning.total * size * hscale;
        // Space per glue: what the ratio gives, plus any emergency excess spread over the glue,
        // less what damped kerning widened the words by.
        let glue_count = used
            .iter()
            .filter(|&&i| matches!(items[i], Item::Glue { .. }))
            .count();
        let justified = !(ragged || (last_line && natural <= target));
        let excess = if ratio > 1.0 && glue_count > 0 {
            (target - (box_width * hscale + natural - box_width + stretch)) / glue_count as f32
        } else {
            0.0
        } - if justified && glue_count > 0 {
            widening / glue_count as f32
        } else {
            0.0
        };
        let set_glue = |width: f32, st: f32, sh: f32| -> f32 {
            if clamped >= 0.0 {
                width + clamped * st + excess
            } else {
                width + clamped * sh + excess
            }
        };
        let line_width = box_width * hscale
            + widening
            + used
                .iter()
                .map(|&i| match items[i] {
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    } => set_glue(width, stretch, shrink),
                    _ => 0.0,
                })
                .sum::<f32>();
        let mut x = if s.rtl {
            // Mirrored: a line starts at the right edge, the indent is on the right, and what
            // protrudes at the (logical) end hangs into the left margin.
            let indent: f32 = used
                .iter()
                .filter(|&&i| matches!(contents[i], Content::Indent))
                .map(|&i| match items[i] {
                    Item::Box { width, .. } => width,
                    _ => 0.0,
                })
                .sum();
            match s.align {
                Align::Center if ragged || last_line => ((s.width - line_width) / 2.0).max(0.0),
                Align::Left if ragged || last_line => 0.0,
                _ => s.width - indent - line_width,
            }
        } else {
            match s.align {
                _ if !ragged && !last_line => 0.0,
                Align::Left => 0.0,
                Align::Center => ((s.width - line_width) / 2.0).max(0.0),
                Align::Right => (s.width - line_width).max(0.0),
            }
        };
        if !s.rtl && !ragged && last_line && s.align != Align::Left {
            // Justified text's last line follows the block alignment only for centred blocks.
            if s.align == Align::Center {
                x = ((s.width - line_width) / 2.0).max(0.0);
            }
        }

        // Runs in logical order, each of one font, node and bidi level; reordered for the
        // page below.
        let mut runs: Vec<(u8, TextRun)> = Vec::new();
        let new_run = |font: FontId, tag: Tag| TextRun {
            x: 0.0,
            y: 0.0,
            font,
            size,
            hscale,
            color: s.color,
            glyphs: Vec::new(),
            text: String::new(),
            tag,
        };
        for &i in &used {
            match &contents[i] {
                Content::Indent => {
                    if let Item::Box { width, .. } = items[i]
                        && !s.rtl
                    {
                        x += width;
                    }
                }
                Content::Glyphs {
                    atom,
                    glyphs,
                    text: tr,
                } => {
                    let atom = &atoms[*atom];
                    if !matches!(runs.last(), Some((level, r))
                        if *level == atom.level && r.font == atom.font && r.tag == atom.tag)
                    {
                        runs.push((atom.level, new_run(atom.font, atom.tag)));
                    }
                    let run = &mut runs.last_mut().expect("a run was just ensured").1;
                    let rtl = atom.level % 2 == 1;
                    let gs = &atom.glyphs[glyphs.clone()];
                    let base = run.text.len();
                    run.text.push_str(&text[tr.clone()]);
                    // Where each glyph's text ends: the next greater cluster start, found in
                    // one backward walk (a forward search per glyph is quadratic in a cluster
                    // of many marks).
                    let mark_clusters = text[tr.clone()]
                        .chars()
                        .any(unicode_normalization::char::is_combining_mark);
                    let mut ends = vec![tr.end; gs.len()];
                    for k in (0..gs.len().saturating_sub(1)).rev() {
                        let next = atom.range.start + gs[k + 1].cluster as usize;
                        ends[k] = if gs[k + 1].cluster > gs[k].cluster {
                            next
                        } else {
                            ends[k + 1]
                        };
                    }
                    for (k, g) in gs.iter().enumerate() {
                        let from = (atom.range.start + g.cluster as usize).max(tr.start);
                        let to = ends[k].min(tr.end);
                        let shared = k > 0 && gs[k - 1].cluster == g.cluster;
                        // The further glyphs of a cluster map to no text of their own left to
                        // right, unless the cluster holds a mark of its own that the font has
                        // no glyph for combined ("á" and another acute: a, acute, acute, the
                        // first two one cluster), where a glyph without text is refused by
                        // PDF/A; right to left (where marks have clusters of their own, see
                        // `Shaper::shape`) they share the cluster's text, which krilla writes
                        // as one /ActualText span.
                        let range = if shared && !rtl && !mark_clusters {
                            base + from - tr.start..base + from - tr.start
                        } else {
                            base + from - tr.start..base + to - tr.start
                        };
                        run.glyphs.push(PlacedGlyph {
                            id: g.id,
                            advance: (g.advance - (1.0 - kerning.kept) * g.kern) * size,
                            x_offset: g.x_offset * size,
                            y_offset: g.y_offset * size,
                            text: range,
                        });
                    }
                }
                Content::Space { atom } => {
                    let ch = ' ';
                    let Item::Glue {
                        width,
                        stretch,
                        shrink,
                    } = items[i]
                    else {
                        continue;
                    };
                    let set = set_glue(width, stretch, shrink);
                    let prev = &atoms[*atom];
                    let font = prev.font;
                    // A space takes its own level (between runs of two directions it may
                    // belong to neither); left-to-right paragraphs have one level.
                    let level = levels.map_or(0, |l| l[prev.range.end]);
                    if !matches!(runs.last(), Some((l, _)) if *l == level) {
                        runs.push((level, new_run(font, prev.tag)));
                    }
                    let glyph = self.space_glyph(font, ch);
                    let run = &mut runs.last_mut().expect("a run was just ensured").1;
                    let base = run.text.len();
                    run.text.push(ch);
                    run.glyphs.push(PlacedGlyph {
                        id: glyph,
                        advance: set / run.hscale,
                        x_offset: 0.0,
                        y_offset: 0.0,
                        text: base..run.text.len(),
                    });
                }
                Content::ThinSpace { atom } => {
                    let Item::Box { width, .. } = items[i] else {
                        continue;
                    };
                    let glyph = self.thin_space_glyph(atoms[*atom].font);
                    if let Some((_, run)) = runs.last_mut() {
                        let base = run.text.len();
                        run.text.push(THIN_SPACE);
                        run.glyphs.push(PlacedGlyph {
                            id: glyph,
                            advance: width,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            text: base..run.text.len(),
                        });
                    }
                }
                Content::Hyphen { atom } => {
                    let font = atoms[*atom].font;
                    let (glyph, advance) = self.hyphen_glyph(font);
                    if let Some((_, run)) = runs.last_mut() {
                        let base = run.text.len();
                        run.text.push_str(HYPHEN_TEXT);
                        run.glyphs.push(PlacedGlyph {
                            id: glyph,
                            advance: advance * size,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            text: base..run.text.len(),
                        });
                    }
                }
                Content::CjkGlue => {
                    let Item::Glue {
                        width,
                        stretch,
                        shrink,
                    } = items[i]
                    else {
                        continue;
                    };
                    let extra = set_glue(width, stretch, shrink);
                    let Some((_, run)) = runs.last_mut() else {
                        continue;
                    };
                    let hscale = run.hscale;
                    let font = run.font;
                    let Some(last) = run.glyphs.last().map(|g| g.text.clone()) else {
                        continue;
                    };
                    if extra > GAP_READ_AS_SPACE * size && !last.is_empty() {
                        // Text extractors read a gap this wide as a word space ("2026 年"),
                        // though the text has none. A space glyph that fills the gap and shares
                        // the preceding character's text makes the two one cluster, which krilla
                        // writes as one /ActualText span of that character alone: the gap is
                        // then inside the span, and extraction gives the source text back.
                        let (space, space_advance) = self.space_glyph_advance(font);
                        let space_advance = space_advance * size;
                        let run = &mut runs.last_mut().expect("a run was just found").1;
                        if let Some(g) = run.glyphs.last_mut() {
                            g.advance += (extra - space_advance) / hscale;
                        }
                        run.glyphs.push(PlacedGlyph {
                            id: space,
                            advance: space_advance / hscale,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            text: last,
                        });
                    } else if let Some(g) = run.glyphs.last_mut() {
                        g.advance += extra / hscale;
                    }
                }
                Content::Break | Content::Fill => {}
            }
        }
        let runs = visual_order(runs, x);
        let ends_inside_word = !ends_with_hyphen
            && matches!(end_item, Item::Penalty { penalty, .. } if penalty < INFINITE_PENALTY && penalty > -INFINITE_PENALTY)
            && matches!(items.get(range.end + 1), Some(Item::Box { .. }));
        Line {
            runs,
            hyphenated: ends_with_hyphen,
            ends_inside_word,
        }
    }

    /// The word space glyph of `font` and its advance in em.
    fn space_glyph_advance(&mut self, font: FontId) -> (u16, f32) {
        let glyphs = self.shape(font, " ", false, None);
        glyphs.first().map_or((0, 0.0), |g| (g.id, g.advance))
    }

    pub(super) fn space_glyph(&mut self, font: FontId, ch: char) -> u16 {
        let glyphs = self.shape(font, &ch.to_string(), false, None);
        glyphs.first().map_or(0, |g| g.id)
    }

    /// The glyph a thin space is drawn with (its advance is ours): the font's own U+202F, else
    /// its no-break space, a glyph of its own whose Unicode map can then say U+202F. The word
    /// space glyph, the last resort, maps to U+0020, so the thin space needs an /ActualText,
    /// which `pdftotext -raw` drops together with the gap.
    pub(super) fn thin_space_glyph(&mut self, font: FontId) -> u16 {
        let ch = [THIN_SPACE, '\u{A0}']
            .into_iter()
            .find(|&c| self.shaper.covers(font, c))
            .unwrap_or(' ');
        self.space_glyph(font, ch)
    }

    pub(super) fn hyphen_glyph(&mut self, font: FontId) -> (u16, f32) {
        let glyphs = self.shape(font, "-", false, None);
        glyphs.first().map_or((0, 0.0), |g| (g.id, g.advance))
    }
}

/// The kerning of a line's words, and the share of it to keep.
struct Kerning {
    /// Sum over the line's glyphs, in em.
    total: f32,
    /// 1 keeps the font's kerning; less damps it.
    kept: f32,
}

/// Kerning may move letters by at most this much on average over a line, in em. A font's
/// strong pairs (To, Av, We: up to 0.1 em in Termes) are a fine adjustment in a full line, but
/// in a few short words they add up to a tracking of their own, which readers and quality checks
/// (mean letter gap within 0.012 em of zero) see as letter spacing.
const MAX_MEAN_KERN: f32 = 0.009;

/// Damps a line's kerning just enough that the mean over its letter pairs stays within
/// [`MAX_MEAN_KERN`]; full lines never come near it.
fn kerning_kept(atoms: &[Atom], contents: &[Content], used: &[usize]) -> Kerning {
    let (mut total, mut glyphs, mut words) = (0.0f32, 0usize, 0usize);
    let mut in_word = false;
    for &i in used {
        match &contents[i] {
            Content::Glyphs {
                atom, glyphs: g, ..
            } => {
                let gs = &atoms[*atom].glyphs[g.clone()];
                total += gs.iter().map(|g| g.kern).sum::<f32>();
                glyphs += gs.len();
                if !in_word && !gs.is_empty() {
                    words += 1;
                    in_word = true;
                }
            }
            Content::Space { .. } => in_word = false,
            _ => {}
        }
    }
    let pairs = glyphs.saturating_sub(words);
    let kept = if pairs == 0 || total.abs() <= MAX_MEAN_KERN * pairs as f32 {
        1.0
    } else {
        MAX_MEAN_KERN * pairs as f32 / total.abs()
    };
    Kerning { total, kept }
}

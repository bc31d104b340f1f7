//! The breaker's input: boxes, glue and penalties for the atoms, cut at the break
//! opportunities and hyphenation points, with what each item stands for.

use std::ops::Range;

use super::breaks::{HYPHEN_PENALTY, Opportunity};
use super::itemize::Atom;
use super::linebreak::Item;
use super::{SOFT_HYPHEN, Setting, THIN_SPACE, Typesetter, is_break_space};
use crate::font::Glyph;
use crate::typeset::cjk;

/// Space stretch and shrink as fractions of the natural space. Kept small, so that font
/// expansion takes much of the adjustment: TeX's 1/2 and 1/3 give visibly uneven spacing,
/// while our targets keep word gaps within 0.8 to 1.25 natural spaces. Tuned on the bundled
/// statements with pdfcheck.py (see README, "Typographic quality").
const SPACE_STRETCH: f32 = 0.14;
const SPACE_SHRINK: f32 = 0.2;
/// Infinite-enough stretch for the glue that ends a paragraph (TeX's \parfillskip).
const FILL: f32 = 100_000.0;
/// Its width, as a fraction of the font's word space: 0.2 em in Termes, within the usual 1/6 to 1/4 em of the French
/// "fine". Much narrower and `pdftotext -raw` no longer sees a word break there, since the
/// glyph it is drawn with (the no-break space, 1/3 em in Termes) then overlaps what follows.
const THIN_SPACE_WIDTH: f32 = 0.8;

/// What an item stands for, so lines can be built from the breaker's choice.
#[derive(Clone)]
pub(super) enum Content {
    Indent,
    /// Glyphs `glyphs` of atom `atom`; `text` is the byte range of the text they cover.
    Glyphs {
        atom: usize,
        glyphs: Range<usize>,
        text: Range<usize>,
    },
    Space {
        atom: usize,
    },
    /// A fixed, unbreakable thin space (U+202F).
    ThinSpace {
        atom: usize,
    },
    Hyphen {
        atom: usize,
    },
    /// Space between CJK characters, or between CJK and Latin: positioning only, drawn as
    /// extra advance of the glyph before it, so that no space character enters the text.
    CjkGlue,
    Break,
    Fill,
}

/// How far a character at the end of a line may hang into the margin, as a fraction of its
/// advance (values as microtype's defaults for Latin text).
pub(super) fn protrusion_factor(c: char) -> f32 {
    match c {
        '.' | ',' | '-' | '\u{2010}' | '\u{AD}' => 0.7,
        // Arabic comma and semicolon, as their Latin counterparts.
        '\u{060C}' => 0.7,
        '\u{061B}' => 0.5,
        '\u{2019}' | '\u{201D}' | '\'' | '"' => 0.7,
        ':' | ';' => 0.5,
        '\u{2013}' => 0.3,
        '\u{2014}' => 0.2,
        '!' | '?' | ')' | ']' | '\u{BB}' => 0.2,
        _ => 0.0,
    }
}

impl Typesetter<'_> {
    /// Boxes, glue and penalties for the breaker, with what each stands for.
    pub(super) fn items(
        &mut self,
        text: &str,
        atoms: &[Atom],
        opportunities: &[Opportunity],
        s: &Setting,
    ) -> (Vec<Item>, Vec<Content>) {
        let mut items = Vec::new();
        let mut contents = Vec::new();
        let size = s.size;
        let ragged = !s.justify || s.balance;
        let expansion = if ragged { 0.0 } else { s.expansion };

        if s.first_indent > 0.0 {
            items.push(Item::Box {
                width: s.first_indent,
                stretch: 0.0,
                shrink: 0.0,
            });
            contents.push(Content::Indent);
        }

        let hyphen_points = self.hyphen_points(text, atoms, s);

        let mut next_opportunity = 0;
        let mut next_hyphen = 0;
        let mut last_atom: Option<usize> = None;

        for (a, atom) in atoms.iter().enumerate() {
            // Whatever lies between the previous atom and this one: spaces or a break.
            let gap_start = last_atom.map_or(atom.range.start, |l| atoms[l].range.end);
            let gap = &text[gap_start..atom.range.start];
            let mut space = gap.chars().any(is_break_space);
            let thin = !space && gap.contains(THIN_SPACE);
            // UAX #14 may forbid a break at a space ("¿ Cómo", "word ;"): its glue then gets
            // an infinite penalty, since glue after a box is otherwise always a break.
            let mut breakable = false;
            while next_opportunity < opportunities.len()
                && opportunities[next_opportunity].at <= atom.range.start
            {
                let o = opportunities[next_opportunity];
                next_opportunity += 1;
                let Some(prev) = last_atom else { continue };
                if o.at < gap_start {
                    continue;
                }
                let p = &atoms[prev];
                let prot = protrusion(s, text, p, p.glyphs.len(), p.range.end, size);
                breakable = true;
                if o.mandatory && gap.contains('\n') {
                    push_paragraph_end(&mut items, &mut contents);
                    space = false;
                } else if space {
                    if prot > 0.0 {
                        items.push(Item::Penalty {
                            width: 0.0,
                            penalty: 0.0,
                            flagged: false,
                            protrusion: prot,
                        });
                        contents.push(Content::Break);
                    }
                } else if let Some(pair) = o.cjk {
                    self.push_cjk_break(
                        &mut items,
                        &mut contents,
                        p,
                        p.glyphs.len(),
                        pair,
                        prot,
                        s,
                    );
                } else if !gap.contains(SOFT_HYPHEN) && !thin {
                    items.push(Item::Penalty {
                        width: 0.0,
                        penalty: o.penalty,
                        flagged: o.flagged,
                        protrusion: prot,
                    });
                    contents.push(Content::Break);
                }
            }
            if let Some(prev) = last_atom {
                if space && !breakable {
                    items.push(Item::no_break());
                    contents.push(Content::Break);
                }
                if space {
                    let w = self.shaper.fonts().get(atoms[prev].font).space * size;
                    let (stretch, shrink) = if ragged {
                        (0.0, 0.0)
                    } else {
                        (w * SPACE_STRETCH, w * SPACE_SHRINK)
                    };
                    items.push(Item::Glue {
                        width: w,
                        stretch,
                        shrink,
                    });
                    contents.push(Content::Space { atom: prev });
                } else if thin {
                    // Fixed: French spaces before punctuation neither stretch nor break.
                    let w = self.shaper.fonts().get(atoms[prev].font).space * size;
                    items.push(Item::Box {
                        width: w * THIN_SPACE_WIDTH,
                        stretch: 0.0,
                        shrink: 0.0,
                    });
                    contents.push(Content::ThinSpace { atom: prev });
                } else if gap.contains(SOFT_HYPHEN) {
                    self.push_hyphen(&mut items, &mut contents, atoms, prev, s, HYPHEN_PENALTY);
                }
            }

            // The atom, cut where it may break inside: hyphenation points, and opportunities
            // after explicit hyphens, dashes, slashes and URL punctuation. A cut must fall on a
            // glyph cluster boundary (never inside a ligature).
            // A cut is a break opportunity, or a hyphenation point with its penalty; where both
            // fall, the opportunity. Both lists ascend, as do the atom's clusters (see
            // `Shaper::shape`), so one merging walk finds every cut and its glyph: rescanning the
            // atom per cut made an unbroken run of N cuts cost N².
            let mut merged: Vec<(usize, Result<Opportunity, f32>)> = Vec::new();
            let mut hyphen_cuts = Vec::new();
            while next_hyphen < hyphen_points.len() && hyphen_points[next_hyphen].0 < atom.range.end
            {
                let (p, penalty) = hyphen_points[next_hyphen];
                next_hyphen += 1;
                if p > atom.range.start {
                    hyphen_cuts.push((p, Err(penalty)));
                }
            }
            let mut hyphen_cuts = hyphen_cuts.into_iter().peekable();
            while next_opportunity < opportunities.len()
                && opportunities[next_opportunity].at < atom.range.end
            {
                let o = opportunities[next_opportunity];
                next_opportunity += 1;
                if o.at <= atom.range.start {
                    continue;
                }
                while let Some(h) = hyphen_cuts.next_if(|h| h.0 <= o.at) {
                    if h.0 < o.at {
                        merged.push(h);
                    }
                }
                merged.push((o.at, Ok(o)));
            }
            merged.extend(hyphen_cuts);
            // Each cut with the first glyph after it; a cut must fall on a glyph cluster
            // boundary (never inside a ligature).
            let cluster = |g: &Glyph| atom.range.start + g.cluster as usize;
            let mut cuts: Vec<(usize, Result<Opportunity, f32>, usize)> = Vec::new();
            let mut g = 0;
            for (cut, kind) in merged {
                while g < atom.glyphs.len() && cluster(&atom.glyphs[g]) < cut {
                    g += 1;
                }
                if atom
                    .glyphs
                    .get(g)
                    .is_some_and(|glyph| cluster(glyph) == cut)
                {
                    cuts.push((cut, kind, g));
                }
            }

            let mut from_glyph = 0;
            let mut from_text = atom.range.start;
            for (cut, kind, to_glyph) in cuts.iter().copied().chain(std::iter::once((
                atom.range.end,
                Err(HYPHEN_PENALTY),
                atom.glyphs.len(),
            ))) {
                let width: f32 = atom.glyphs[from_glyph..to_glyph]
                    .iter()
                    .map(|g| g.advance)
                    .sum::<f32>()
                    * size;
                items.push(Item::Box {
                    width,
                    stretch: width * expansion,
                    shrink: width * expansion,
                });
                contents.push(Content::Glyphs {
                    atom: a,
                    glyphs: from_glyph..to_glyph,
                    text: from_text..cut,
                });
                if cut != atom.range.end {
                    match kind {
                        Err(penalty) => {
                            self.push_hyphen(&mut items, &mut contents, atoms, a, s, penalty)
                        }
                        Ok(o) => {
                            let prot = protrusion(s, text, atom, to_glyph, cut, size);
                            if let Some(pair) = o.cjk {
                                self.push_cjk_break(
                                    &mut items,
                                    &mut contents,
                                    atom,
                                    to_glyph,
                                    pair,
                                    prot,
                                    s,
                                );
                            } else {
                                items.push(Item::Penalty {
                                    width: 0.0,
                                    penalty: o.penalty,
                                    flagged: o.flagged,
                                    protrusion: prot,
                                });
                                contents.push(Content::Break);
                            }
                        }
                    }
                }
                from_glyph = to_glyph;
                from_text = cut;
            }
            last_atom = Some(a);
        }

        // Never break before a short last word of a title.
        if s.balance
            && let Some(pos) = items.iter().rposition(|i| matches!(i, Item::Glue { .. }))
        {
            let tail: f32 = items[pos + 1..]
                .iter()
                .map(|i| match i {
                    Item::Box { width, .. } => *width,
                    _ => 0.0,
                })
                .sum();
            if tail < 3.0 * size {
                items.insert(pos, Item::no_break());
                contents.insert(pos, Content::Break);
            }
        }

        push_paragraph_end(&mut items, &mut contents);
        (items, contents)
    }

    /// A break of CJK text: glue that justification stretches (and, next to full-width
    /// punctuation, shrinks), preceded where the line may end in compressed punctuation by a
    /// penalty that lets that punctuation's blank half run past the measure.
    #[allow(clippy::too_many_arguments)]
    fn push_cjk_break(
        &self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        atom: &Atom,
        glyph_end: usize,
        (before, after): (char, char),
        protrusion: f32,
        s: &Setting,
    ) {
        let ragged = !s.justify || s.balance;
        let compression = if ragged || glyph_end == 0 {
            0.0
        } else {
            cjk::line_end_compression(&self.cjk, before)
                * atom.glyphs[glyph_end - 1].advance
                * s.size
        };
        let protrusion = protrusion.max(compression);
        if protrusion > 0.0 {
            items.push(Item::Penalty {
                width: 0.0,
                penalty: 0.0,
                flagged: false,
                protrusion,
            });
            contents.push(Content::Break);
        }
        let (width, stretch, shrink) = cjk::glue(&self.cjk, before, after, s.size, ragged);
        items.push(Item::Glue {
            width,
            stretch,
            shrink,
        });
        contents.push(Content::CjkGlue);
    }

    fn push_hyphen(
        &mut self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        atoms: &[Atom],
        atom: usize,
        s: &Setting,
        penalty: f32,
    ) {
        let hyphen = self.hyphen_glyph(atoms[atom].font).1 * s.size;
        let protrudes = s.protrusion && s.justify && !s.balance;
        items.push(Item::Penalty {
            width: hyphen,
            penalty,
            flagged: true,
            protrusion: if protrudes {
                protrusion_factor('-') * hyphen
            } else {
                0.0
            },
        });
        contents.push(Content::Hyphen { atom });
    }
}

pub(super) fn protrusion(
    s: &Setting,
    text: &str,
    atom: &Atom,
    glyph_end: usize,
    text_end: usize,
    size: f32,
) -> f32 {
    if !s.protrusion || !s.justify || s.balance || glyph_end == 0 {
        return 0.0;
    }
    let ch = text[..text_end].chars().next_back().unwrap_or(' ');
    protrusion_factor(ch) * atom.glyphs[glyph_end - 1].advance * size
}

/// What ends a paragraph or a line broken by hand, as in TeX: no break before the fill glue,
/// the fill, and a forced break.
fn push_paragraph_end(items: &mut Vec<Item>, contents: &mut Vec<Content>) {
    items.push(Item::no_break());
    contents.push(Content::Break);
    items.push(Item::Glue {
        width: 0.0,
        stretch: FILL,
        shrink: 0.0,
    });
    contents.push(Content::Fill);
    items.push(Item::forced_break());
    contents.push(Content::Break);
}

//! Itemizing by script and font: the paragraph's text cut into atoms, runs of one style,
//! structure node, font and bidi level, each shaped once.

use std::ops::Range;
use std::rc::Rc;

use super::bidi::rtl_letters;
use super::hyphenate;
use super::{MissingGlyph, Piece, THIN_SPACE, Typesetter, is_break_space, is_ignorable};
use crate::document::Tag;
use crate::error::Problem;
use crate::font::{FontId, Glyph};
use crate::statement::Style;
use crate::typeset::cjk;

pub(super) struct Atom {
    pub(super) range: Range<usize>,
    pub(super) font: FontId,
    pub(super) tag: Tag,
    /// Hyphenation patterns for the atom's language, if hypher has them.
    pub(super) hyphenation: Option<hypher::Lang>,
    /// Bidi embedding level; odd is right to left. 0 in paragraphs without RTL text.
    pub(super) level: u8,
    /// In logical order, even when shaped right to left.
    pub(super) glyphs: Rc<[Glyph]>,
}

impl Typesetter<'_> {
    /// Splits the text into runs of one style, node and font; shapes each.
    pub(super) fn atoms(
        &mut self,
        text: &str,
        pieces: &[Piece],
        spans: &[(Range<usize>, usize)],
        levels: Option<&[u8]>,
    ) -> Result<Vec<Atom>, MissingGlyph> {
        let mut atoms = Vec::new();
        let mut preferred_by_style: Vec<(Style, FontId)> = Vec::new();
        let level_at = |at: usize| levels.map_or(0, |l| l[at]);
        for (range, piece_index) in spans {
            let piece = &pieces[*piece_index];
            let hyphenation = match &piece.lang {
                Some(lang) => hyphenate::language(lang),
                None => self.language,
            };
            let preferred = match preferred_by_style.iter().find(|p| p.0 == piece.style) {
                Some(&(_, f)) => f,
                None => {
                    // With right-to-left letters, the font of those letters: an Arabic
                    // paragraph quoting "UNHCR" is still set in the Arabic font, digits and
                    // punctuation included, and only the Latin letters fall back.
                    let f = match levels {
                        Some(_) => {
                            let letters = rtl_letters(text);
                            let letters = match self.script_letter {
                                Some(l) if letters.is_empty() => l,
                                _ => &letters,
                            };
                            self.shaper.preferred(piece.style, letters)
                        }
                        None => self.shaper.preferred(piece.style, text),
                    };
                    preferred_by_style.push((piece.style, f));
                    f
                }
            };
            let mut current: Option<(usize, FontId)> = None;
            let flush =
                |atoms: &mut Vec<Atom>, ts: &mut Self, from: usize, to: usize, font: FontId| {
                    if from < to {
                        let level = level_at(from);
                        let glyphs =
                            ts.shape(font, &text[from..to], level % 2 == 1, piece.lang.as_ref());
                        let glyphs = match cjk::compress_adjacent(&ts.cjk, &text[from..to], &glyphs)
                        {
                            Some(compressed) => compressed.into(),
                            None => glyphs,
                        };
                        atoms.push(Atom {
                            range: from..to,
                            font,
                            tag: piece.tag,
                            hyphenation,
                            level,
                            glyphs,
                        });
                    }
                };
            for (i, ch) in text[range.clone()].char_indices() {
                let at = range.start + i;
                // Breaking spaces are set as glue, thin spaces as fixed boxes, ignorables not at
                // all: none is shaped (the family may lack U+202F, and its fallback font would
                // then take the punctuation after it too).
                if is_break_space(ch) || is_ignorable(ch) || ch == THIN_SPACE {
                    if let Some((from, font)) = current.take() {
                        flush(&mut atoms, self, from, at, font);
                    }
                    continue;
                }
                // A change of direction ends a run: each is shaped in its own direction.
                if let Some((from, font)) = current
                    && level_at(from) != level_at(at)
                {
                    flush(&mut atoms, self, from, at, font);
                    current = None;
                }
                let font = match current {
                    Some((_, f)) if !ch.is_alphabetic() && self.shaper.covers(f, ch) => f,
                    _ if self.shaper.covers(preferred, ch) => preferred,
                    _ => match self.shaper.font_for(piece.style, ch) {
                        Some(f) => f,
                        None => {
                            return Err(MissingGlyph {
                                problem: Problem::MissingGlyph {
                                    ch,
                                    fonts: self.shaper.fonts().chain_names(piece.style),
                                },
                                offset: piece.offset.map(|o| o + i),
                            });
                        }
                    },
                };
                match current {
                    Some((_, f)) if f == font => {}
                    Some((from, f)) => {
                        flush(&mut atoms, self, from, at, f);
                        current = Some((at, font));
                    }
                    None => current = Some((at, font)),
                }
            }
            if let Some((from, font)) = current {
                flush(&mut atoms, self, from, range.end, font);
            }
        }
        Ok(atoms)
    }
}

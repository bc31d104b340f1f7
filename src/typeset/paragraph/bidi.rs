//! Right-to-left text: the bidi embedding levels of a paragraph (UAX #9) and the visual
//! order of a line's runs.

use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};

use crate::document::{PlacedGlyph, TextRun};

/// Bidi embedding levels by byte, when the paragraph needs the bidi algorithm: its base
/// direction is right to left, or it has a right-to-left character. A paragraph of
/// left-to-right text only (every English one) gets `None` and is never analysed.
pub(super) fn bidi_levels(text: &str, rtl: bool) -> Option<Vec<u8>> {
    if !rtl && !text.chars().any(is_rtl_char) {
        return None;
    }
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(text, Some(base));
    Some(info.levels.iter().map(|l| l.number()).collect())
}

/// A character that starts a right-to-left run or embedding. Cheap for Latin, Greek and
/// Cyrillic text, which never reaches the class lookup.
fn is_rtl_char(c: char) -> bool {
    (c >= '\u{0590}' || matches!(c, '\u{200F}' | '\u{202B}' | '\u{202E}' | '\u{2067}'))
        && matches!(
            bidi_class(c),
            BidiClass::R | BidiClass::AL | BidiClass::RLE | BidiClass::RLO | BidiClass::RLI
        )
}

/// A letter of a right-to-left language's script, by the primary subtag.
pub(super) fn rtl_script_letter(language: &str) -> Option<&'static str> {
    let primary = language.split(['-', '_']).next()?.to_ascii_lowercase();
    Some(match primary.as_str() {
        "he" | "iw" | "yi" | "ji" => "\u{5D0}",
        "syr" | "arc" => "\u{710}",
        "dv" => "\u{78C}",
        _ if crate::statement::is_rtl_language(&primary) => "\u{627}",
        _ => return None,
    })
}

/// The right-to-left letters of a text, which choose its font.
pub(super) fn rtl_letters(text: &str) -> String {
    text.chars()
        .filter(|&c| c.is_alphabetic() && is_rtl_char(c))
        .collect()
}

/// Logical-order runs to the page: reordered by their levels (UAX #9 rule L2), the glyphs
/// of right-to-left runs reversed, and placed from `x` rightwards. A run's text stays in
/// logical order; each glyph still names its own part of it.
pub(super) fn visual_order(runs: Vec<(u8, TextRun)>, x: f32) -> Vec<TextRun> {
    let mut ordered: Vec<TextRun> = if runs.iter().all(|(level, _)| *level == 0) {
        runs.into_iter().map(|(_, r)| r).collect()
    } else {
        let levels: Vec<Level> = runs
            .iter()
            .map(|(l, _)| Level::new(*l).unwrap_or_else(|_| Level::ltr()))
            .collect();
        let order = BidiInfo::reorder_visual(&levels);
        let mut slots: Vec<Option<(u8, TextRun)>> = runs.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|i| slots[i].take())
            .map(|(level, mut run)| {
                if level % 2 == 1 {
                    reverse_keeping_marks(&mut run.glyphs);
                }
                run
            })
            .collect()
    };
    let mut at = x;
    for run in &mut ordered {
        run.x = at;
        at += run.width();
    }
    ordered
}

/// Reverses logical-order glyphs into visual order, except that the zero-advance glyphs
/// after a base (Arabic vowel marks, shadda, the rest of a lam-alef) still follow it, their
/// offsets moved so that they are drawn where the shaper put them. Text extraction (poppler)
/// attaches a mark to the glyph before it; a mark written before its base is read as a
/// separate character, on a line of its own when it is raised.
fn reverse_keeping_marks(glyphs: &mut Vec<PlacedGlyph>) {
    let mut units: Vec<Vec<PlacedGlyph>> = Vec::new();
    for g in glyphs.drain(..) {
        match units.last_mut() {
            Some(unit) if g.advance == 0.0 && g.y_offset != 0.0 => unit.push(g),
            _ => units.push(vec![g]),
        }
    }
    for unit in units.into_iter().rev() {
        let mut pen = 0.0;
        for mut g in unit {
            g.x_offset -= pen;
            pen += g.advance;
            glyphs.push(g);
        }
    }
}

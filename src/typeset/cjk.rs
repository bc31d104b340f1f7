//! Chinese and Japanese text, as the W3C's CLREQ and JLREQ describe it: where lines may break
//! (between any two ideographs or kana, except before closing and after opening punctuation:
//! kinsoku), how justified lines take up their slack (space between characters, full-width
//! punctuation compressed to half width first), and the quarter em between CJK and Latin
//! letters or digits. The paragraph stage asks these functions; the rules live here only.

use std::ops::Range;

use crate::font::Glyph;

/// Characters no line may start with (CLREQ 3.1.7, JLREQ 3.1.7 "line start prohibition"):
/// closing brackets and quotes, pause and stop marks, iteration marks, the prolonged sound
/// mark, small kana and the middle dot.
const NO_START: &str = "，。、：；！？）」』】》〉〕〗〙〛”’・ー…‥々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ％‰℃";
/// Characters no line may end with (line end prohibition): opening brackets and quotes.
const NO_END: &str = "（「『【《〈〔〖〘〚“‘";

/// Full-width punctuation whose glyph is drawn in the left half of its em (Simplified Chinese
/// and Japanese forms): the right half may be compressed away.
const CLOSING: &str = "，。、：；！？）」』】》〉〕〗〙〛";
/// Full-width opening brackets, drawn in the right half: the left half may go.
const OPENING: &str = "（「『【《〈〔〖〘〚";

/// A character set as a square (ideographs, kana, CJK punctuation and full-width forms).
/// Curly quotes and the ellipsis are shared with Latin text and so are not among them: next
/// to an ideograph the ideograph makes the break a CJK one, and UAX #14 already keeps quotes
/// with what they enclose.
pub(super) fn is_wide(c: char) -> bool {
    crate::font::is_cjk(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// Han or kana: the letters that take a quarter em from Latin letters and digits.
fn is_letter(c: char) -> bool {
    crate::font::is_cjk(c)
}

fn is_latin_or_digit(c: char) -> bool {
    c.is_alphanumeric() && !is_wide(c)
}

/// Whether a line may end between `before` and `after` as far as kinsoku goes.
pub(super) fn allows_break(before: char, after: char) -> bool {
    !NO_START.contains(after) && !NO_END.contains(before)
}

/// The break between `before` and `after` is one of CJK text (rather than of the Latin
/// rules): a wide character on either side.
pub(super) fn is_cjk_break(before: char, after: char) -> bool {
    is_wide(before) || is_wide(after)
}

/// How a document's CJK text is spaced: from the layout's body settings and the language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spacing {
    /// Between Han/kana and Latin letters or digits, in em.
    pub latin: f32,
    /// Most a justified line adds between two characters, in em.
    pub stretch: f32,
    /// Punctuation is drawn in one half of its em and may be compressed: Simplified Chinese
    /// and Japanese. Traditional Chinese centres its punctuation, which then keeps its em.
    pub compress: bool,
}

impl Spacing {
    pub fn new(body: &crate::layout::Body, language: &str) -> Spacing {
        let lower = language.to_ascii_lowercase();
        let traditional = ["zh-hant", "zh-tw", "zh-hk", "zh-mo"]
            .iter()
            .any(|p| lower.starts_with(p));
        Spacing {
            latin: body.cjk_latin_space,
            stretch: body.cjk_stretch,
            compress: !traditional,
        }
    }
}

impl Default for Spacing {
    fn default() -> Spacing {
        Spacing {
            latin: 0.25,
            stretch: 0.08,
            compress: true,
        }
    }
}

/// The glue at a CJK break between `before` and `after`, in points: (width, stretch,
/// shrink). Ragged lines take none of the stretch or shrink.
pub(super) fn glue(
    spacing: &Spacing,
    before: char,
    after: char,
    size: f32,
    ragged: bool,
) -> (f32, f32, f32) {
    let latin = (is_letter(before) && is_latin_or_digit(after))
        || (is_latin_or_digit(before) && is_letter(after));
    let width = if latin { spacing.latin * size } else { 0.0 };
    if ragged {
        return (width, 0.0, 0.0);
    }
    // Compression before spacing: half an em next to full-width punctuation, so a line that
    // is too long shrinks there first, and nowhere else.
    let compressible = spacing.compress && (CLOSING.contains(before) || OPENING.contains(after));
    let shrink = if compressible { 0.5 * size } else { 0.0 };
    (width, spacing.stretch * size, shrink)
}

/// How far a line ending in `last` may run past the measure, as a fraction of the glyph's
/// advance: half for full-width closing punctuation, whose blank half is compressed away at a
/// line end, so that its ink (not its em) ends flush.
pub(super) fn line_end_compression(spacing: &Spacing, last: char) -> f32 {
    if spacing.compress && CLOSING.contains(last) {
        0.5
    } else {
        0.0
    }
}

/// Compresses adjacent full-width punctuation (`。」`, `，「`, `）（`): the first mark of a pair
/// loses the blank half of its em. `text` is what the glyphs were shaped from; glyphs are in
/// logical order, advances in em. Returns `None` when nothing changes, so the shaped run stays shared.
pub(super) fn compress_adjacent(
    spacing: &Spacing,
    text: &str,
    glyphs: &[Glyph],
) -> Option<Vec<Glyph>> {
    if !spacing.compress {
        return None;
    }
    let mut out: Option<Vec<Glyph>> = None;
    for (at, c) in text.char_indices() {
        let Some(next) = text[at + c.len_utf8()..].chars().next() else {
            break;
        };
        let first_closing = CLOSING.contains(c);
        let pair = (first_closing || OPENING.contains(c))
            && (CLOSING.contains(next) || OPENING.contains(next));
        // An opening mark followed by a closing one (an empty pair) keeps its space.
        if !pair || (!first_closing && CLOSING.contains(next)) {
            continue;
        }
        let Some(k) = glyphs.iter().position(|g| g.cluster as usize == at) else {
            continue;
        };
        if glyphs[k].advance < 0.9 * 1.0 {
            continue; // not a full-width glyph
        }
        let v = out.get_or_insert_with(|| glyphs.to_vec());
        if first_closing {
            v[k].advance -= 0.5 * 1.0;
        } else {
            // An opening mark's ink is in its right half: move it left into its blank half.
            v[k].advance -= 0.5 * 1.0;
            v[k].x_offset -= 0.5 * 1.0;
        }
    }
    out
}

/// Whitespace-delimited tokens cut where wide characters start or end, so that a URL or a
/// Latin word written against Chinese text without spaces is a token of its own.
pub(super) fn split_tokens(text: &str, tokens: Vec<Range<usize>>) -> Vec<Range<usize>> {
    if !text.chars().any(is_wide) {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len());
    for token in tokens {
        let mut start = token.start;
        let mut wide = None;
        for (i, c) in text[token.clone()].char_indices() {
            let at = token.start + i;
            let w = is_wide(c);
            if wide.is_some_and(|prev| prev != w) {
                out.push(start..at);
                start = at;
            }
            wide = Some(w);
        }
        out.push(start..token.end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinsoku_forbids_closing_marks_at_a_line_start_and_opening_ones_at_its_end() {
        assert!(allows_break('水', '资'));
        for c in "，。、：；！？）」』】》”’ー々ゃッ".chars() {
            assert!(!allows_break('水', c), "{c}");
        }
        for c in "（「『【《“‘".chars() {
            assert!(!allows_break(c, '水'), "{c}");
        }
    }

    #[test]
    fn a_quarter_em_between_han_and_latin_and_compression_at_punctuation() {
        let s = Spacing {
            stretch: 0.125,
            ..Spacing::default()
        };
        assert_eq!(glue(&s, '在', 'U', 10.0, false), (2.5, 1.25, 0.0));
        assert_eq!(glue(&s, '7', '万', 10.0, false).0, 2.5);
        assert_eq!(glue(&s, '水', '资', 10.0, false), (0.0, 1.25, 0.0));
        assert_eq!(glue(&s, '，', '水', 10.0, false).2, 5.0);
        assert_eq!(glue(&s, '水', '「', 10.0, false).2, 5.0);
        assert_eq!(glue(&s, '水', '资', 10.0, true), (0.0, 0.0, 0.0));
        let hant = Spacing {
            compress: false,
            ..s
        };
        assert_eq!(glue(&hant, '，', '水', 10.0, false).2, 0.0);
    }

    #[test]
    fn urls_against_chinese_text_are_tokens_of_their_own() {
        let text = "数据见https://example.org/zh。";
        let whole = std::iter::once(0..text.len()).collect();
        let tokens = split_tokens(text, whole);
        let words: Vec<&str> = tokens.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(words, ["数据见", "https://example.org/zh", "。"]);
    }
}

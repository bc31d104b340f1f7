//! Typographic rules that depend on the text's language, applied at typesetting time so the
//! statement's source (and what a reader copies back out of it) stays as the author typed it.
//!
//! French: a narrow no-break space (U+202F) before `; : ! ?` and `»` and after `«`. Writers
//! type an ordinary space there, or none; an ordinary space would let a line start with `;` or
//! `»` and would stretch in justified lines, while the paragraph setter sets U+202F as a fixed
//! box that never breaks.

use super::hyphenate;
use super::paragraph::{Piece, THIN_SPACE};

/// Whether a BCP 47 tag is French (any region: fr, fr-CA, fr-CH...).
pub(crate) fn is_french(tag: &str) -> bool {
    tag.split('-')
        .next()
        .is_some_and(|primary| primary.eq_ignore_ascii_case("fr"))
}

#[derive(Clone, Copy, PartialEq)]
enum Edit {
    Keep,
    /// The character becomes a thin space.
    Thin,
    Drop,
    /// A thin space goes before the character.
    ThinBefore,
}

/// The pieces with French spacing applied to the French ones from the statement, or `None`
/// when nothing changes.
/// An edited piece is cut at each thin space, so that every part keeps the source offset of
/// its first character (messages about a character in it stay exact).
pub(super) fn french_spacing(pieces: &[Piece], document_french: bool) -> Option<Vec<Piece>> {
    // Text from the layout (no source offset: letterheads, footers, "Reference:" labels) is in
    // the layout's language, which may not be the statement's.
    let french: Vec<bool> = pieces
        .iter()
        .map(|p| p.offset.is_some() && p.lang.as_deref().map_or(document_french, is_french))
        .collect();
    if !french.contains(&true) {
        return None;
    }
    // (piece, byte in the piece, char) for the whole paragraph, so rules see across pieces.
    let chars: Vec<(usize, usize, char)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(p, piece)| piece.text.char_indices().map(move |(i, c)| (p, i, c)))
        .collect();
    let in_url = url_chars(&chars);
    let mut edits = vec![Edit::Keep; chars.len()];
    let space = |k: usize| chars.get(k).is_some_and(|c| matches!(c.2, ' ' | '\t'));
    for k in 0..chars.len() {
        let (piece, _, c) = chars[k];
        if !french[piece] || in_url[k] {
            continue;
        }
        let prev = k.checked_sub(1).map(|j| chars[j].2);
        let next = chars.get(k + 1).map(|c| c.2);
        match c {
            ';' | ':' | '!' | '?' | '\u{BB}' => {
                // "14:00", "p.ex.:x", "?id=": punctuation inside a word is not French spacing.
                let ends_word = next.is_none_or(|n| {
                    n.is_whitespace()
                        || matches!(n, ';' | ':' | '!' | '?' | '\u{BB}' | ')' | '.')
                        || is_quote(n)
                });
                if c != '\u{BB}' && !ends_word {
                    continue;
                }
                // The space run before the mark, if any, becomes one thin space.
                let mut start = k;
                while start > 0 && space(start - 1) {
                    start -= 1;
                }
                if start < k {
                    // A space at the start of the paragraph is nobody's to change.
                    if start > 0 && !chars[start - 1].2.is_whitespace() {
                        edits[start] = Edit::Thin;
                        for e in &mut edits[start + 1..k] {
                            *e = Edit::Drop;
                        }
                    }
                } else if let Some(p) = prev
                    && !p.is_whitespace()
                    && !matches!(p, THIN_SPACE | '\u{A0}' | ';' | ':' | '!' | '?' | '\u{AB}')
                    && !(c == '\u{BB}' && p == '\u{BB}')
                {
                    edits[k] = Edit::ThinBefore;
                }
            }
            '\u{AB}' => {
                let mut end = k + 1;
                while space(end) {
                    end += 1;
                }
                if end > k + 1 {
                    if chars.get(end).is_some_and(|c| !c.2.is_whitespace()) {
                        edits[k + 1] = Edit::Thin;
                        for e in &mut edits[k + 2..end] {
                            *e = Edit::Drop;
                        }
                    }
                } else if let Some(n) = next
                    && !n.is_whitespace()
                    && !matches!(n, THIN_SPACE | '\u{A0}')
                {
                    edits[k + 1] = Edit::ThinBefore;
                }
            }
            _ => {}
        }
    }
    if edits.iter().all(|e| *e == Edit::Keep) {
        return None;
    }

    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len() + 4);
    let part = |piece: &Piece, text: String, at: usize| Piece {
        text,
        offset: piece.offset.map(|o| o + at),
        ..piece.clone()
    };
    let mut k = 0;
    for (p, piece) in pieces.iter().enumerate() {
        let mut current = String::new();
        let mut current_at = 0;
        while k < chars.len() && chars[k].0 == p {
            let (_, at, c) = chars[k];
            match edits[k] {
                Edit::Keep => {
                    if current.is_empty() {
                        current_at = at;
                    }
                    current.push(c);
                }
                Edit::Drop => {}
                Edit::Thin | Edit::ThinBefore => {
                    if !current.is_empty() {
                        out.push(part(piece, std::mem::take(&mut current), current_at));
                    }
                    out.push(part(piece, THIN_SPACE.to_string(), at));
                    if edits[k] == Edit::ThinBefore {
                        current_at = at;
                        current.push(c);
                    }
                }
            }
            k += 1;
        }
        if !current.is_empty() || piece.text.is_empty() {
            out.push(part(piece, current, current_at));
        }
    }
    Some(out)
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{2019}' | '\u{201D}')
}

/// Which characters belong to a URL or an e-mail address, whose punctuation is never spaced.
fn url_chars(chars: &[(usize, usize, char)]) -> Vec<bool> {
    let mut out = vec![false; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        if chars[start].2.is_whitespace() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < chars.len() && !chars[end].2.is_whitespace() {
            end += 1;
        }
        let token: String = chars[start..end].iter().map(|c| c.2).collect();
        if hyphenate::is_url_like(&token) {
            for flag in &mut out[start..end] {
                *flag = true;
            }
        }
        start = end;
    }
    out
}

//! URLs and e-mail addresses break at their own punctuation and never take a hyphen.

use std::ops::Range;

use super::breaks::Opportunity;

const URL_BREAK_PENALTY: f32 = 100.0;

/// The break opportunities inside the URL or address token at `r` of `text`.
pub(super) fn opportunities(text: &str, r: Range<usize>, out: &mut Vec<Opportunity>) {
    let token = &text[r.clone()];
    let body_start = r.start + token.len()
        - token
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let body_end = r.start
        + token
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '/')
            .len();
    for (i, c) in text[body_start..body_end].char_indices() {
        let at = body_start + i;
        let next = text[at + c.len_utf8()..].chars().next().unwrap_or(' ');
        let candidate = match c {
            // After a slash (not inside "//"), a hyphen or query punctuation...
            '/' if next != '/' => Some(at + 1),
            '-' | '_' | '?' | '&' | '=' | '#' => Some(at + c.len_utf8()),
            // ...and before a dot or an at sign.
            '.' | '@' if at > body_start => Some(at),
            _ => None,
        };
        if let Some(at) = candidate
            && at > body_start + 2
            && at < body_end.saturating_sub(1)
        {
            out.push(Opportunity {
                at,
                mandatory: false,
                penalty: URL_BREAK_PENALTY,
                // A line ending in a URL's own hyphen looks hyphenated: count it so.
                flagged: c == '-',
                cjk: None,
            });
        }
    }
}

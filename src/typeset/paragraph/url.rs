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
    let mut previous = ' ';
    for (i, c) in text[body_start..body_end].char_indices() {
        let at = body_start + i;
        let next = text[at + c.len_utf8()..].chars().next().unwrap_or(' ');
        let after = at + c.len_utf8();
        // The Chicago Manual of Style's rule (17th ed., 7.42): after a double slash or a
        // colon; before a single slash, a period, a comma, a hyphen, an underscore, a
        // question mark, a number sign, a percent sign or a tilde; before or after an equals
        // sign or an ampersand. A line never ends with the address's own hyphen, which a
        // reader (and text extraction) would take for an added one.
        let candidates: [Option<usize>; 2] = match c {
            '/' if previous == '/' => [Some(after), None],
            '/' if next == '/' => [None, None],
            ':' => [Some(after), None],
            '/' | '.' | ',' | '-' | '_' | '?' | '#' | '%' | '~' => [Some(at), None],
            '=' | '&' => [Some(at), Some(after)],
            _ => [None, None],
        };
        previous = c;
        for at in candidates.into_iter().flatten() {
            if at > body_start + 2 && at < body_end.saturating_sub(1) {
                out.push(Opportunity {
                    at,
                    mandatory: false,
                    penalty: URL_BREAK_PENALTY,
                    flagged: false,
                    cjk: None,
                });
            }
        }
    }
}

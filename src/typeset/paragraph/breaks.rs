//! Where a line may end: UAX #14 opportunities with our penalties (explicit hyphens, dashes,
//! slashes), hyphenation points from the language's patterns, and compounds; URLs and
//! addresses follow their own rules (see [`super::url`]).

use std::ops::Range;
use std::rc::Rc;

use unicode_linebreak::{BreakOpportunity, linebreaks};

use super::itemize::Atom;
use super::url;
use super::{Setting, Typesetter, hyphenate, is_break_space};
use crate::typeset::cjk;
use hyphenate::SOFT_HYPHEN;

/// Three times TeX's usual 50: with spaces this rigid, a lower penalty buys evenness with
/// more hyphens than the one-in-eight lines we allow.
pub(super) const HYPHEN_PENALTY: f32 = 150.0;
const EXPLICIT_HYPHEN_PENALTY: f32 = 50.0;
/// A hyphen added inside a part of a compound that has its own ("informa-tion-sharing"): dear
/// enough to lose to any line within the emergency tolerance (demerits 2,700²), so it only
/// replaces a line looser than that.
const COMPOUND_PART_HYPHEN_PENALTY: f32 = 3_000.0;
const SLASH_BREAK_PENALTY: f32 = 200.0;
const OTHER_BREAK_PENALTY: f32 = 100.0;

#[derive(Clone, Copy)]
pub(super) struct Opportunity {
    pub(super) at: usize,
    pub(super) mandatory: bool,
    pub(super) penalty: f32,
    pub(super) flagged: bool,
    /// A break of CJK text, between these two characters: set as glue (see `cjk`).
    pub(super) cjk: Option<(char, char)>,
}

impl Typesetter<'_> {
    /// Break opportunities: UAX #14, except inside URLs (our own rules) and after slashes in
    /// balanced titles.
    pub(super) fn opportunities(&self, text: &str, balance: bool) -> Vec<Opportunity> {
        let mut out = Vec::new();
        let tokens = cjk::split_tokens(text, tokens(text));
        let cjk_text = text.chars().any(cjk::is_wide);
        let url_tokens: Vec<Range<usize>> = tokens
            .iter()
            .filter(|r| hyphenate::is_url_like(&text[(*r).clone()]))
            .cloned()
            .collect();
        // Both ascend: one walk, not a scan of every URL per opportunity.
        let mut url = 0;
        for (at, kind) in linebreaks(text) {
            while url < url_tokens.len() && url_tokens[url].end <= at {
                url += 1;
            }
            let inside_url = url_tokens
                .get(url)
                .is_some_and(|r| r.start < at && at < r.end);
            if at == 0 || inside_url {
                continue;
            }
            let before = text[..at].chars().next_back().unwrap_or(' ');
            let mandatory = kind == BreakOpportunity::Mandatory;
            if is_break_space(before) || mandatory {
                out.push(Opportunity {
                    at,
                    mandatory: mandatory && at < text.len() && before == '\n'
                        || (mandatory && at == text.len()),
                    penalty: 0.0,
                    flagged: false,
                    cjk: None,
                });
                continue;
            }
            let after = text[at..].chars().next().unwrap_or(' ');
            if cjk::is_cjk_break(before, after) && !is_break_space(after) {
                // Between ideographs any break is as good as another, titles included; the
                // kinsoku rules remove the ones CLREQ and JLREQ forbid.
                if cjk::allows_break(before, after) {
                    out.push(Opportunity {
                        at,
                        mandatory: false,
                        penalty: 0.0,
                        flagged: false,
                        cjk: Some((before, after)),
                    });
                }
                continue;
            }
            let (penalty, flagged) = match before {
                '-' | '\u{2010}' => (EXPLICIT_HYPHEN_PENALTY, true),
                '\u{2013}' | '\u{2014}' => (EXPLICIT_HYPHEN_PENALTY, false),
                '/' if balance => continue,
                '/' => (SLASH_BREAK_PENALTY, false),
                _ if balance => continue,
                _ => (OTHER_BREAK_PENALTY, false),
            };
            out.push(Opportunity {
                at,
                mandatory: false,
                penalty,
                flagged,
                cjk: None,
            });
        }
        for r in url_tokens {
            let from = out.len();
            url::opportunities(text, r, &mut out);
            if cjk_text {
                // In CJK text a URL is better moved whole to the next line than broken after
                // its hyphen, which reads as a hyphenated word (and text extraction drops the
                // hyphen as one).
                let mut i = from;
                while i < out.len() {
                    if out[i].flagged {
                        out.remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
        }
        out.sort_by_key(|o| o.at);
        out.dedup_by_key(|o| o.at);
        out
    }

    /// Hyphenation points, by text position, with their penalty.
    pub(super) fn hyphen_points(
        &mut self,
        text: &str,
        atoms: &[Atom],
        s: &Setting,
    ) -> Vec<(usize, f32)> {
        let mut hyphen_points: Vec<(usize, f32)> = Vec::new();
        if s.hyphenate && !s.balance {
            for token in tokens(text) {
                let t = &text[token.clone()];
                if !hyphenate::token_allows_hyphenation(t) {
                    continue;
                }
                // Inside a compound with its own hyphen, an added hyphen is a last resort: the
                // compound's own break comes first. Asked once per token, not per letter run
                // (a run of letters and no-break spaces is one token of many runs).
                let penalty = if hyphenate::is_compound(t) {
                    COMPOUND_PART_HYPHEN_PENALTY
                } else {
                    HYPHEN_PENALTY
                };
                for word in letter_runs(t) {
                    let w = &t[word.clone()];
                    if w.contains(SOFT_HYPHEN) {
                        continue; // the soft hyphens themselves are the points
                    }
                    // The word's language is its first letter's (a `<span lang>` or the
                    // document's); one hypher lacks means no hyphenation, not an error.
                    let at = token.start + word.start;
                    let Some(lang) = atoms
                        .get(atoms.partition_point(|a| a.range.end <= at))
                        .and_then(|a| a.hyphenation)
                    else {
                        continue;
                    };
                    let key = (lang, w.to_string());
                    let points = match self.hyphenation.get(&key) {
                        Some(p) => p.clone(),
                        None => {
                            let p: Rc<[usize]> = hyphenate::points(w, lang).into();
                            self.hyphenation.insert(key, p.clone());
                            p
                        }
                    };
                    for p in points.iter() {
                        hyphen_points.push((token.start + word.start + p, penalty));
                    }
                }
            }
        }
        hyphen_points
    }
}

/// Byte ranges of whitespace-delimited tokens.
pub(super) fn tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if is_break_space(c) {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Runs of letters (and soft hyphens) inside a token.
fn letter_runs(token: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in token.char_indices() {
        if c.is_alphabetic() || c == SOFT_HYPHEN {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(s..i);
        }
    }
    if let Some(s) = start {
        out.push(s..token.len());
    }
    out
}

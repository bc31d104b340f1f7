//! Sets one paragraph: text -> break opportunities (UAX #14 plus our rules for URLs and
//! titles) -> shaped atoms -> boxes, glue and penalties -> Knuth-Plass -> positioned lines.
//!
//! The steps live in their own files, each script's and each kind of text's rules with them:
//! [`itemize`] (runs of one font, style and direction, shaped), [`bidi`] (embedding levels and
//! visual order), [`breaks`] (where a line may end: UAX #14, hyphenation, compounds), [`url`]
//! (the break rules of URLs and e-mail addresses), [`items`] (boxes, glue and penalties for the
//! breaker) and [`line`] (a chosen line's glyphs, positioned).

mod bidi;
mod breaks;
mod itemize;
mod items;
mod line;
mod url;

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use super::linebreak::{self, INFINITE_PENALTY, Item, Params};
use crate::document::{Tag, TextRun};
use crate::error::Problem;
use crate::font::{FontId, Glyph, Shaper};
use crate::layout::{Align, Color};
use crate::statement::Style;
use bidi::bidi_levels;
use hyphenate::SOFT_HYPHEN;
use items::Content;

use super::hyphenate;

/// Stretch of ragged (unjustified or centred) lines, in em.
const RAGGED_STRETCH: f32 = 3.0;
/// At most one hyphenated line end in this many lines, over a document.
const HYPHENATED_LINES_PER_LINE: f32 = 8.0;
/// How much looser than the tolerance a paragraph re-broken to save hyphens may be: word
/// spaces up to 1.2 natural spaces at the default stretch and tolerance.
const BUDGET_TOLERANCE: f32 = 1.43;
/// A few lines may go further, up to word spaces of 1.28 natural spaces, to save a hyphen:
/// at most one line in this many over the document, so that 95% of lines stay within
/// `BUDGET_TOLERANCE`.
const LOOSE_TOLERANCE: f32 = 2.0;
const LOOSE_LINES_PER_LINE: f32 = 30.0;

/// Warnings about one paragraph's lines at most: a hostile paragraph can have thousands.
const MAX_WARNINGS_PER_PARAGRAPH: usize = 10;

/// The narrow no-break space of French punctuation (see `language`): never a break, never
/// stretched.
pub(super) const THIN_SPACE: char = '\u{202F}';

/// A piece of paragraph text in one style, belonging to one structure node.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub text: String,
    pub style: Style,
    pub tag: Tag,
    /// A language other than the document's (`<span lang>`): its hyphenation and shaping.
    pub lang: Option<Arc<str>>,
    /// Source offset of the text, for messages.
    pub offset: Option<usize>,
}

impl Piece {
    /// Text from the layout or the front matter: no source offset, the statement's language.
    pub fn plain(text: impl Into<String>, style: Style, tag: Tag) -> Piece {
        Piece {
            text: text.into(),
            style,
            tag,
            lang: None,
            offset: None,
        }
    }
}

/// The style a display block's settings ask for.
pub(crate) fn block_style(block: &crate::layout::Block) -> Style {
    Style {
        strong: block.bold,
        emphasis: block.italic,
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Setting {
    pub size: f32,
    pub color: Color,
    pub width: f32,
    pub first_indent: f32,
    pub align: Align,
    pub justify: bool,
    pub hyphenate: bool,
    /// Balance line lengths and never break after a slash (titles, datelines).
    pub balance: bool,
    pub expansion: f32,
    pub protrusion: bool,
    pub tolerance: f32,
    /// The paragraph's base direction is right to left (the statement's language is written
    /// so): bidi levels start at 1, and `Align::Left`/`Right` keep their page meaning, so the
    /// caller passes `Align::Right` for the start of an RTL line.
    pub rtl: bool,
}

/// A set line: runs positioned relative to the block's left edge and the line's baseline.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub runs: Vec<TextRun>,
    /// The line ends with a hyphen added by hyphenation; a page should not end after it.
    pub hyphenated: bool,
    /// The line ends inside a word without a hyphen (after a slash, a dash or URL punctuation).
    pub ends_inside_word: bool,
}

/// A character no font could draw, at a source offset.
#[derive(Debug)]
pub(crate) struct MissingGlyph {
    pub problem: Problem,
    pub offset: Option<usize>,
}

type ShapedWords = HashMap<String, Rc<[Glyph]>>;

/// Per-document state: faces, the shaping cache, the hyphenation language, warnings.
pub(crate) struct Typesetter<'a> {
    pub shaper: Shaper<'a>,
    /// Shaped words, per font, direction and language (`None`: the document's).
    cache: HashMap<(FontId, bool, Option<Arc<str>>), ShapedWords>,
    language: Option<hypher::Lang>,
    /// The document's language is French: its spacing rules apply outside other-language spans.
    french: bool,
    /// Hyphenation points of the words seen so far, per language; words repeat.
    hyphenation: HashMap<(hypher::Lang, String), Rc<[usize]>>,
    /// Hyphenated line ends the document may still have (see `within_hyphen_budget`).
    hyphen_budget: f32,
    /// Lines looser than `BUDGET_TOLERANCE` the document may still have; it starts at half a
    /// line, so a document's first loose line comes after some fifteen lines (see
    /// `within_hyphen_budget`).
    loose_budget: f32,
    pub warnings: Vec<String>,
    /// A letter of the document's script when it is written right to left: a paragraph with
    /// no letters of its own (a list number) takes that script's font, as the digits in the
    /// body do.
    script_letter: Option<&'static str>,
    /// How Chinese and Japanese text is spaced (the layout's and the language's choices).
    pub cjk: super::cjk::Spacing,
}

pub(super) fn is_break_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

pub(super) fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | SOFT_HYPHEN)
}

impl<'a> Typesetter<'a> {
    pub fn new(shaper: Shaper<'a>, language: &str) -> Typesetter<'a> {
        Typesetter {
            shaper,
            cache: HashMap::new(),
            language: hyphenate::language(language),
            french: super::language::is_french(language),
            hyphenation: HashMap::new(),
            hyphen_budget: 0.0,
            loose_budget: 0.5,
            warnings: Vec::new(),
            script_letter: bidi::rtl_script_letter(language),
            cjk: super::cjk::Spacing::default(),
        }
    }

    fn shape(
        &mut self,
        font: FontId,
        text: &str,
        rtl: bool,
        lang: Option<&Arc<str>>,
    ) -> Rc<[Glyph]> {
        let cache = self.cache.entry((font, rtl, lang.cloned())).or_default();
        if let Some(g) = cache.get(text) {
            return g.clone();
        }
        let glyphs: Rc<[Glyph]> = match lang {
            Some(lang) => self
                .shaper
                .shape_as(font, text, rtl, lang.parse().ok().as_ref()),
            None => self.shaper.shape(font, text, rtl),
        }
        .into();
        cache.insert(text.to_string(), glyphs.clone());
        glyphs
    }

    /// Sets a paragraph into lines.
    pub fn set(&mut self, pieces: &[Piece], s: &Setting) -> Result<Vec<Line>, MissingGlyph> {
        let spaced = super::language::french_spacing(pieces, self.french);
        let pieces = spaced.as_deref().unwrap_or(pieces);
        // Flatten the pieces into one text with a style map.
        let mut text = String::new();
        let mut spans: Vec<(Range<usize>, usize)> = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            let start = text.len();
            text.push_str(&p.text);
            spans.push((start..text.len(), i));
        }
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        // CJK lines are justified by the space between characters, never by scaling glyphs
        // (CLREQ 3.8): squares must stay squares.
        let cjk_setting;
        let s = if text.chars().any(super::cjk::is_wide) {
            cjk_setting = Setting {
                expansion: 0.0,
                ..*s
            };
            &cjk_setting
        } else {
            s
        };
        let levels = bidi_levels(&text, s.rtl);
        let atoms = self.atoms(&text, pieces, &spans, levels.as_deref())?;
        let opportunities = self.opportunities(&text, s.balance);
        let (items, contents) = self.items(&text, &atoms, &opportunities, s);
        if items.len() <= 2 {
            return Ok(Vec::new());
        }

        let params = Params {
            tolerance: s.tolerance,
            emergency_stretch: 0.0,
            ..Params::default()
        };
        let ragged = !s.justify || s.balance;
        let ragged_stretch = if ragged { RAGGED_STRETCH * s.size } else { 0.0 };
        let mut width = s.width;
        let run_breaker = |w: f32| {
            let params = Params {
                ragged_stretch,
                ..params
            };
            linebreak::break_lines(&items, &|_| w, &params)
        };
        let mut breaks = run_breaker(width);
        if s.balance && breaks.len() > 1 {
            // The narrowest measure that still gives as many lines: balanced lengths.
            let lines = breaks.len();
            let (mut lo, mut hi) = (s.width / lines as f32 * 0.9, s.width);
            for _ in 0..14 {
                let mid = (lo + hi) / 2.0;
                let trial = run_breaker(mid);
                if trial.len() <= lines && !trial.iter().any(|b| b.overfull) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            width = hi;
            breaks = run_breaker(width);
        }
        if s.justify && !s.balance {
            breaks = self.within_hyphen_budget(&items, breaks, &params, width);
        }

        let mut lines = Vec::with_capacity(breaks.len());
        let mut start = 0;
        let mut warnings = 0;
        for br in &breaks {
            let line = self.line(
                &text,
                &atoms,
                &items,
                &contents,
                levels.as_deref(),
                start..br.end,
                s,
            );
            let warned = br.overfull || br.ratio > params.emergency_tolerance;
            if warned && warnings == MAX_WARNINGS_PER_PARAGRAPH {
                self.warnings.push(format!(
                    "and more lines of the paragraph starting `{}` (only the first \
                     {MAX_WARNINGS_PER_PARAGRAPH} are reported)",
                    excerpt(text.split_whitespace().next().unwrap_or_default())
                ));
            } else if warnings > MAX_WARNINGS_PER_PARAGRAPH {
            } else if br.overfull {
                let word = text[item_text(&contents, start..br.end)]
                    .split_whitespace()
                    .max_by_key(|w| w.len())
                    .unwrap_or_default();
                self.warnings.push(format!(
                    "the word `{}` is wider than the measure and sticks out",
                    excerpt(word)
                ));
            } else if br.ratio > params.emergency_tolerance {
                let words: Vec<&str> = text[item_text(&contents, start..br.end)]
                    .split_whitespace()
                    .collect();
                let help = if s.hyphenate {
                    "rewording would help"
                } else {
                    "allowing hyphenation or rewording would help"
                };
                self.warnings.push(format!(
                    "the line `{}` has loose word spaces: nothing else fits the measure \
                     ({help})",
                    excerpt(&words.join(" "))
                ));
            }
            if warned {
                warnings += 1;
            }
            lines.push(line);
            start = br.end + 1;
        }
        Ok(lines)
    }

    /// Keeps hyphenated line ends below one line in eight over the document: a paragraph that
    /// would overspend the budget (what earlier paragraphs left, plus an eighth of its own
    /// lines) is broken again with dearer hyphens, within `BUDGET_TOLERANCE`, then with one
    /// line up to `LOOSE_TOLERANCE` if the document's loose-line budget allows. TeX has no
    /// such rule; readers notice stacks of hyphens more than a slightly looser line.
    fn within_hyphen_budget(
        &mut self,
        items: &[Item],
        breaks: Vec<linebreak::Break>,
        params: &Params,
        width: f32,
    ) -> Vec<linebreak::Break> {
        let hyphens = |items: &[Item], breaks: &[linebreak::Break]| {
            breaks
                .iter()
                .filter(|b| matches!(items[b.end], Item::Penalty { flagged: true, .. }))
                .count() as f32
        };
        let available = self.hyphen_budget + breaks.len() as f32 / HYPHENATED_LINES_PER_LINE;
        let loose_available = self.loose_budget + breaks.len() as f32 / LOOSE_LINES_PER_LINE;
        let even = params.tolerance * BUDGET_TOLERANCE;
        let loose = |breaks: &[linebreak::Break]| breaks.iter().filter(|b| b.ratio > even).count();
        let mut best = breaks;
        let mut used = hyphens(items, &best);
        // Dearer hyphens first within `BUDGET_TOLERANCE`; then, while the document can afford
        // it, with a line or two up to `LOOSE_TOLERANCE`.
        let attempts = [
            (4.0, even),
            (15.0, even),
            (60.0, even),
            (60.0, params.tolerance * LOOSE_TOLERANCE),
        ];
        for (factor, tolerance) in attempts {
            if used < available || used == 0.0 {
                break;
            }
            let dearer: Vec<Item> = items
                .iter()
                .map(|item| match *item {
                    Item::Penalty {
                        width,
                        penalty,
                        flagged: true,
                        protrusion,
                    } => Item::Penalty {
                        width,
                        penalty: (penalty * factor).min(INFINITE_PENALTY - 1.0),
                        flagged: true,
                        protrusion,
                    },
                    other => other,
                })
                .collect();
            let trial_params = Params {
                tolerance,
                ..*params
            };
            let trial = linebreak::break_lines(&dearer, &|_| width, &trial_params);
            let trial_used = hyphens(&dearer, &trial);
            let affordable = trial.iter().all(|b| b.ratio <= tolerance)
                && loose(&trial) <= loose(&best).max(loose_available.floor() as usize);
            if trial_used < used && affordable {
                best = trial;
                used = trial_used;
            }
        }
        self.hyphen_budget = available - used;
        self.loose_budget = loose_available - loose(&best) as f32;
        best
    }
}

/// A text quoted in a warning, shortened when long (a word of 20,000 characters is no help
/// in a message).
fn excerpt(text: &str) -> String {
    const SHOWN: usize = 100;
    match text.char_indices().nth(SHOWN) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// The text covered by a range of items, for warnings.
fn item_text(contents: &[Content], range: Range<usize>) -> Range<usize> {
    let mut lo = usize::MAX;
    let mut hi = 0;
    for c in &contents[range] {
        if let Content::Glyphs { text, .. } = c {
            lo = lo.min(text.start);
            hi = hi.max(text.end);
        }
    }
    if lo > hi { 0..0 } else { lo..hi }
}

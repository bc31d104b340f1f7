//! Sets one paragraph: text -> break opportunities (UAX #14 plus our rules for URLs and
//! titles) -> shaped atoms -> boxes, glue and penalties -> Knuth-Plass -> positioned lines.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
use unicode_linebreak::{BreakOpportunity, linebreaks};

use super::cjk;
use super::hyphenate::{self, SOFT_HYPHEN};
use super::linebreak::{self, INFINITE_PENALTY, Item, Params};
use crate::document::{PlacedGlyph, Tag, TextRun};
use crate::error::Problem;
use crate::font::{FontId, Glyph, Shaper};
use crate::layout::{Align, Color};
use crate::statement::Style;

/// Space stretch and shrink as fractions of the natural space. Kept small, so that font
/// expansion takes much of the adjustment: TeX's 1/2 and 1/3 give visibly uneven spacing,
/// while our targets keep word gaps within 0.8 to 1.25 natural spaces. Tuned on the bundled
/// statements with pdfcheck.py (see README, "Typographic quality").
const SPACE_STRETCH: f32 = 0.14;
const SPACE_SHRINK: f32 = 0.2;
/// Stretch of ragged (unjustified or centred) lines, in em.
const RAGGED_STRETCH: f32 = 3.0;
/// Infinite-enough stretch for the glue that ends a paragraph (TeX's \parfillskip).
const FILL: f32 = 100_000.0;
/// Three times TeX's usual 50: with spaces this rigid, a lower penalty buys evenness with
/// more hyphens than the one-in-eight lines we allow.
const HYPHEN_PENALTY: f32 = 150.0;
const EXPLICIT_HYPHEN_PENALTY: f32 = 50.0;
/// A hyphen added inside a part of a compound that has its own ("informa-tion-sharing"): dear
/// enough to lose to any line within the emergency tolerance (demerits 2,700²), so it only
/// replaces a line looser than that.
const COMPOUND_PART_HYPHEN_PENALTY: f32 = 3_000.0;

const URL_BREAK_PENALTY: f32 = 100.0;
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
const SLASH_BREAK_PENALTY: f32 = 200.0;
const OTHER_BREAK_PENALTY: f32 = 100.0;

/// The character a line-end hyphen stands for in the text layer. A hyphen-minus, as printed:
/// text extraction tools (pdftotext, and our quality checks) join "word-\\nword" back into
/// the source word, while a soft hyphen makes them drop it and split the word in two.
const HYPHEN_TEXT: &str = "-";

/// The narrow no-break space of French punctuation (see `language`): never a break, never
/// stretched.
pub(super) const THIN_SPACE: char = '\u{202F}';
/// Its width, as a fraction of the font's word space: 0.2 em in Termes, within the usual 1/6 to 1/4 em of the French
/// "fine". Much narrower and `pdftotext -raw` no longer sees a word break there, since the
/// glyph it is drawn with (the no-break space, 1/3 em in Termes) then overlaps what follows.
const THIN_SPACE_WIDTH: f32 = 0.8;

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
    /// How Chinese and Japanese text is spaced (the layout's and the language's choices).
    pub cjk: cjk::Spacing,
}

struct Atom {
    range: Range<usize>,
    font: FontId,
    tag: Tag,
    /// Hyphenation patterns for the atom's language, if hypher has them.
    hyphenation: Option<hypher::Lang>,
    /// Bidi embedding level; odd is right to left. 0 in paragraphs without RTL text.
    level: u8,
    /// In logical order, even when shaped right to left.
    glyphs: Rc<[Glyph]>,
}

/// What an item stands for, so lines can be built from the breaker's choice.
#[derive(Clone)]
enum Content {
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

#[derive(Clone, Copy)]
struct Opportunity {
    at: usize,
    mandatory: bool,
    penalty: f32,
    flagged: bool,
    /// A break of CJK text, between these two characters: set as glue (see `cjk`).
    cjk: Option<(char, char)>,
}

fn is_break_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | SOFT_HYPHEN)
}

/// How far a character at the end of a line may hang into the margin, as a fraction of its
/// advance (values as microtype's defaults for Latin text).
fn protrusion_factor(c: char) -> f32 {
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
            cjk: cjk::Spacing::default(),
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
        let s = if text.chars().any(cjk::is_wide) {
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
            if br.overfull {
                let word: String = text[item_text(&contents, start..br.end)]
                    .split_whitespace()
                    .max_by_key(|w| w.len())
                    .unwrap_or_default()
                    .to_string();
                self.warnings.push(format!(
                    "the word `{word}` is wider than the measure and sticks out"
                ));
            } else if br.ratio > params.emergency_tolerance {
                let words: Vec<&str> = text[item_text(&contents, start..br.end)]
                    .split_whitespace()
                    .collect();
                self.warnings.push(format!(
                    "the line `{}` has loose word spaces: nothing else fits the measure \
                     (allowing hyphenation or rewording would help)",
                    words.join(" ")
                ));
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

    /// Splits the text into runs of one style, node and font; shapes each.
    fn atoms(
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
                        Some(_) => self.shaper.preferred(piece.style, &rtl_letters(text)),
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

    /// Break opportunities: UAX #14, except inside URLs (our own rules) and after slashes in
    /// balanced titles.
    fn opportunities(&self, text: &str, balance: bool) -> Vec<Opportunity> {
        let mut out = Vec::new();
        let tokens = cjk::split_tokens(text, tokens(text));
        let cjk_text = text.chars().any(cjk::is_wide);
        let url_tokens: Vec<Range<usize>> = tokens
            .iter()
            .filter(|r| hyphenate::is_url_like(&text[(*r).clone()]))
            .cloned()
            .collect();
        let inside_url = |at: usize| url_tokens.iter().any(|r| r.start < at && at < r.end);
        for (at, kind) in linebreaks(text) {
            if at == 0 || inside_url(at) {
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
                    // In CJK text a URL is better moved whole to the next line than broken
                    // after its hyphen, which reads as a hyphenated word (and text
                    // extraction drops it as one).
                    '-' if cjk_text => None,
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
        out.sort_by_key(|o| o.at);
        out.dedup_by_key(|o| o.at);
        out
    }

    /// Boxes, glue and penalties for the breaker, with what each stands for.
    fn items(
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

        // Hyphenation points, by text position.
        // Hyphenation points, by text position, with their penalty.
        let mut hyphen_points: Vec<(usize, f32)> = Vec::new();
        if s.hyphenate && !s.balance {
            for token in tokens(text) {
                let t = &text[token.clone()];
                if !hyphenate::token_allows_hyphenation(t) {
                    continue;
                }
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
                    // Inside a compound with its own hyphen, an added hyphen is a last resort:
                    // the compound's own break comes first.
                    let penalty = if hyphenate::is_compound(t) {
                        COMPOUND_PART_HYPHEN_PENALTY
                    } else {
                        HYPHEN_PENALTY
                    };
                    for p in points.iter() {
                        hyphen_points.push((token.start + word.start + p, penalty));
                    }
                }
            }
        }

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
                } else if let Some((before, after)) = o.cjk {
                    self.push_cjk_break(
                        &mut items,
                        &mut contents,
                        p,
                        p.glyphs.len(),
                        (before, after),
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
            let on_boundary = |p: usize| {
                atom.glyphs
                    .iter()
                    .any(|g| atom.range.start + g.cluster as usize == p)
            };
            // A cut is a break opportunity, or a hyphenation point with its penalty.
            let mut cuts: Vec<(usize, Result<Opportunity, f32>)> = Vec::new();
            while next_hyphen < hyphen_points.len() && hyphen_points[next_hyphen].0 < atom.range.end
            {
                let (p, penalty) = hyphen_points[next_hyphen];
                next_hyphen += 1;
                if p > atom.range.start && on_boundary(p) {
                    cuts.push((p, Err(penalty)));
                }
            }
            while next_opportunity < opportunities.len()
                && opportunities[next_opportunity].at < atom.range.end
            {
                let o = opportunities[next_opportunity];
                next_opportunity += 1;
                if o.at > atom.range.start && on_boundary(o.at) {
                    cuts.retain(|c| c.0 != o.at);
                    cuts.push((o.at, Ok(o)));
                }
            }
            cuts.sort_by_key(|c| c.0);

            let mut from_glyph = 0;
            let mut from_text = atom.range.start;
            for (cut, kind) in cuts
                .iter()
                .copied()
                .chain(std::iter::once((atom.range.end, Err(HYPHEN_PENALTY))))
            {
                let to_glyph = atom
                    .glyphs
                    .iter()
                    .position(|g| atom.range.start + g.cluster as usize >= cut)
                    .unwrap_or(atom.glyphs.len());
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

    /// Positions the glyphs of items `range` (the line ends at `range.end`).
    #[allow(clippy::too_many_arguments)]
    fn line(
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
                    for (k, g) in gs.iter().enumerate() {
                        let from = (atom.range.start + g.cluster as usize).max(tr.start);
                        let to = gs
                            .iter()
                            .skip(k + 1)
                            .map(|n| atom.range.start + n.cluster as usize)
                            .find(|&c| c > from)
                            .unwrap_or(tr.end)
                            .min(tr.end);
                        let shared = k > 0 && gs[k - 1].cluster == g.cluster;
                        // The further glyphs of a cluster map to no text of their own left to
                        // right; right to left (where marks have clusters of their own, see
                        // `Shaper::shape`) they share the cluster's text, which krilla writes
                        // as one /ActualText span.
                        let range = if shared && !rtl {
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
                    if let Some(glyph) = runs.last_mut().and_then(|(_, r)| {
                        let hscale = r.hscale;
                        r.glyphs.last_mut().map(|g| (g, hscale))
                    }) {
                        let (g, hscale) = glyph;
                        g.advance += set_glue(width, stretch, shrink) / hscale;
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

    fn space_glyph(&mut self, font: FontId, ch: char) -> u16 {
        let glyphs = self.shape(font, &ch.to_string(), false, None);
        glyphs.first().map_or(0, |g| g.id)
    }

    /// The glyph a thin space is drawn with (its advance is ours): the font's own U+202F, else
    /// its no-break space, a glyph of its own whose Unicode map can then say U+202F. The word
    /// space glyph, the last resort, maps to U+0020, so the thin space needs an /ActualText,
    /// which `pdftotext -raw` drops together with the gap.
    fn thin_space_glyph(&mut self, font: FontId) -> u16 {
        let ch = [THIN_SPACE, '\u{A0}']
            .into_iter()
            .find(|&c| self.shaper.covers(font, c))
            .unwrap_or(' ');
        self.space_glyph(font, ch)
    }

    fn hyphen_glyph(&mut self, font: FontId) -> (u16, f32) {
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

fn protrusion(
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

/// Bidi embedding levels by byte, when the paragraph needs the bidi algorithm: its base
/// direction is right to left, or it has a right-to-left character. A paragraph of
/// left-to-right text only (every English one) gets `None` and is never analysed.
fn bidi_levels(text: &str, rtl: bool) -> Option<Vec<u8>> {
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

/// The right-to-left letters of a text, which choose its font.
fn rtl_letters(text: &str) -> String {
    text.chars()
        .filter(|&c| c.is_alphabetic() && is_rtl_char(c))
        .collect()
}

/// Logical-order runs to the page: reordered by their levels (UAX #9 rule L2), the glyphs
/// of right-to-left runs reversed, and placed from `x` rightwards. A run's text stays in
/// logical order; each glyph still names its own part of it.
fn visual_order(runs: Vec<(u8, TextRun)>, x: f32) -> Vec<TextRun> {
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

/// Byte ranges of whitespace-delimited tokens.
fn tokens(text: &str) -> Vec<Range<usize>> {
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

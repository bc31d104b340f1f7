//! Knuth-Plass total-fit line breaking over boxes, glue and penalties.
//!
//! The classic algorithm (Knuth & Plass, "Breaking Paragraphs into Lines", 1981) with fitness
//! classes, flagged penalties, and TeX's three passes: within tolerance, then with emergency
//! stretch, then accepting overfull lines only where a box is wider than the measure. One change
//! from the paper: the number of consecutive hyphenated lines is part of an active node's
//! identity, so "at most two hyphens in a row" is a hard rule rather than a hope.

/// Penalties at or above this never break; at or below `-INFINITE_PENALTY` always do.
pub const INFINITE_PENALTY: f32 = 10_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// Material that is never broken; `stretch` and `shrink` come from font expansion.
    Box {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// A place to break. `width` is added to the line if it breaks here (a hyphen);
    /// `protrusion` is how far the line may then hang into the right margin. A zero penalty
    /// just before a glue carries the protrusion of the word it ends.
    Penalty {
        width: f32,
        penalty: f32,
        flagged: bool,
        protrusion: f32,
    },
}

impl Item {
    /// Glue after it is not a place to break.
    pub fn no_break() -> Item {
        Item::Penalty {
            width: 0.0,
            penalty: INFINITE_PENALTY,
            flagged: false,
            protrusion: 0.0,
        }
    }

    pub fn forced_break() -> Item {
        Item::Penalty {
            width: 0.0,
            penalty: -INFINITE_PENALTY,
            flagged: false,
            protrusion: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Largest adjustment ratio accepted in the first pass.
    pub tolerance: f32,
    /// Largest ratio in the second pass, which also adds `emergency_stretch`.
    pub emergency_tolerance: f32,
    /// Extra stretch (points per line) assumed in the second pass, as TeX's \emergencystretch.
    pub emergency_stretch: f32,
    pub line_penalty: f32,
    pub double_hyphen_demerits: f32,
    pub final_hyphen_demerits: f32,
    pub adjacent_demerits: f32,
    /// Hard limit on hyphenated lines in a row.
    pub max_consecutive_hyphens: u8,
    /// Stretch every line has besides its glue: the right-hand (or both-sides) white space of
    /// ragged and centred text, where word spaces stay natural.
    pub ragged_stretch: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tolerance: 1.0,
            emergency_tolerance: 3.0,
            emergency_stretch: 0.0,
            line_penalty: 10.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 5_000.0,
            adjacent_demerits: 10_000.0,
            max_consecutive_hyphens: 2,
            ragged_stretch: 0.0,
        }
    }
}

/// One line of the result: it ends at item `end` (a glue or penalty, or the last item), and
/// `ratio` is how much of its stretch (positive) or shrink (negative) it uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    pub end: usize,
    pub ratio: f32,
    /// The line does not fit even at full shrink (only when a box is wider than the measure).
    pub overfull: bool,
}

#[derive(Clone, Copy)]
struct Totals {
    width: f32,
    stretch: f32,
    shrink: f32,
    /// The part of `stretch` that boxes (font expansion) contribute.
    box_stretch: f32,
}

impl Totals {
    /// Adds what `item` brings to a line when it is not a break: boxes and glue.
    fn add(&mut self, item: &Item) {
        if let Item::Box {
            width,
            stretch,
            shrink,
        }
        | Item::Glue {
            width,
            stretch,
            shrink,
        } = *item
        {
            self.width += width;
            self.stretch += stretch;
            self.shrink += shrink;
            if matches!(item, Item::Box { .. }) {
                self.box_stretch += stretch;
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Node {
    position: usize,
    line: usize,
    fitness: u8,
    hyphens: u8,
    totals: Totals,
    demerits: f32,
    ratio: f32,
    overfull: bool,
    previous: Option<usize>,
}

/// The ratio limit of the pass that accepts any loose line; below `INFINITE_PENALTY`, so a line
/// with nothing at all to stretch stays impossible.
const LOOSE_TOLERANCE: f32 = 1_000.0;

/// Breaks `items` into lines of `widths(line_number)` points. The last item must be a forced
/// break. Never fails: passes within tolerance, within the emergency tolerance, with lines as
/// loose as need be, and last with overfull lines where a box is wider than the measure.
pub fn break_lines(items: &[Item], widths: &dyn Fn(usize) -> f32, params: &Params) -> Vec<Break> {
    assert!(
        matches!(items.last(), Some(Item::Penalty { penalty, .. }) if *penalty <= -INFINITE_PENALTY),
        "a paragraph ends with a forced break"
    );
    let first = Pass {
        tolerance: params.tolerance,
        background_stretch: params.ragged_stretch,
        allow_overfull: false,
    };
    if let Some(b) = run(items, widths, params, first) {
        return b;
    }
    let second = Pass {
        tolerance: params.emergency_tolerance,
        background_stretch: params.ragged_stretch + params.emergency_stretch,
        allow_overfull: false,
    };
    if let Some(b) = run(items, widths, params, second) {
        return b;
    }
    // A loose line is a lesser evil than one sticking into the margin (TeX's underfull box).
    let loose = Pass {
        tolerance: LOOSE_TOLERANCE,
        ..second
    };
    if let Some(b) = run(items, widths, params, loose) {
        return b;
    }
    let last = Pass {
        allow_overfull: true,
        ..loose
    };
    run(items, widths, params, last).unwrap_or_else(|| first_fit(items, widths))
}

/// A last resort that cannot fail: break at forced breaks and wherever the next word would
/// overflow. Only reached if the passes above find nothing, which no known input does.
fn first_fit(items: &[Item], widths: &dyn Fn(usize) -> f32) -> Vec<Break> {
    let mut breaks = Vec::new();
    let mut width = 0.0;
    let mut last_legal: Option<usize> = None;
    let mut line_start = 0;
    for (i, item) in items.iter().enumerate() {
        let measure = widths(breaks.len());
        match *item {
            Item::Box { width: w, .. } => {
                if width + w > measure
                    && let Some(b) = last_legal.take()
                    && b >= line_start
                {
                    breaks.push(Break {
                        end: b,
                        ratio: 0.0,
                        overfull: false,
                    });
                    line_start = b + 1;
                    width = items[line_start..i]
                        .iter()
                        .map(|it| match it {
                            Item::Box { width, .. } => *width,
                            _ => 0.0,
                        })
                        .sum();
                }
                width += w;
            }
            Item::Glue { width: w, .. } => {
                if i > 0 && matches!(items[i - 1], Item::Box { .. }) {
                    last_legal = Some(i);
                }
                width += w;
            }
            Item::Penalty { penalty, .. } => {
                if penalty <= -INFINITE_PENALTY {
                    breaks.push(Break {
                        end: i,
                        ratio: 0.0,
                        overfull: false,
                    });
                    line_start = i + 1;
                    width = 0.0;
                    last_legal = None;
                } else if penalty < INFINITE_PENALTY {
                    last_legal = Some(i);
                }
            }
        }
    }
    breaks
}

#[derive(Clone, Copy)]
struct Pass {
    tolerance: f32,
    background_stretch: f32,
    allow_overfull: bool,
}

fn fitness(ratio: f32) -> u8 {
    if ratio < -0.5 {
        3
    } else if ratio <= 0.5 {
        2
    } else if ratio <= 1.0 {
        1
    } else {
        0
    }
}

fn run(
    items: &[Item],
    widths: &dyn Fn(usize) -> f32,
    params: &Params,
    pass: Pass,
) -> Option<Vec<Break>> {
    let mut nodes: Vec<Node> = vec![Node {
        position: 0,
        line: 0,
        fitness: 2,
        hyphens: 0,
        totals: Totals {
            width: 0.0,
            stretch: 0.0,
            shrink: 0.0,
            box_stretch: 0.0,
        },
        demerits: 0.0,
        ratio: 0.0,
        overfull: false,
        previous: None,
    }];
    let mut active: Vec<usize> = vec![0];
    let mut sum = Totals {
        width: 0.0,
        stretch: 0.0,
        shrink: 0.0,
        box_stretch: 0.0,
    };

    for (b, item) in items.iter().enumerate() {
        let (is_break, penalty, flagged, break_width, protrusion) = match *item {
            Item::Box { .. } => (false, 0.0, false, 0.0, 0.0),
            Item::Glue { .. } => {
                let after_box = b > 0 && matches!(items[b - 1], Item::Box { .. });
                (after_box, 0.0, false, 0.0, 0.0)
            }
            Item::Penalty {
                width,
                penalty,
                flagged,
                protrusion,
            } => (
                penalty < INFINITE_PENALTY,
                penalty,
                flagged,
                width,
                protrusion,
            ),
        };
        if is_break {
            consider(
                items,
                widths,
                params,
                pass,
                &mut nodes,
                &mut active,
                sum,
                b,
                penalty,
                flagged,
                break_width,
                protrusion,
            );
            if active.is_empty() {
                return None;
            }
        }
        sum.add(item);
    }

    let best = active
        .iter()
        .copied()
        .filter(|&i| nodes[i].position == items.len() - 1)
        .min_by(|&a, &b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
    let mut breaks = Vec::new();
    let mut cursor = Some(best);
    while let Some(i) = cursor {
        let node = nodes[i];
        if node.previous.is_some() {
            breaks.push(Break {
                end: node.position,
                ratio: node.ratio,
                overfull: node.overfull,
            });
        }
        cursor = node.previous;
    }
    breaks.reverse();
    Some(breaks)
}

#[allow(clippy::too_many_arguments)]
fn consider(
    items: &[Item],
    widths: &dyn Fn(usize) -> f32,
    params: &Params,
    pass: Pass,
    nodes: &mut Vec<Node>,
    active: &mut Vec<usize>,
    sum: Totals,
    b: usize,
    penalty: f32,
    flagged: bool,
    break_width: f32,
    protrusion: f32,
) {
    let forced = penalty <= -INFINITE_PENALTY;
    // Best new node per (fitness class, hyphen run).
    let mut candidates: Vec<(u8, u8, f32, usize, f32, bool)> = Vec::new();
    let mut kept = Vec::with_capacity(active.len());
    let mut best_deactivated: Option<(f32, usize, f32)> = None;

    for &a in active.iter() {
        let node = nodes[a];
        let line_width = widths(node.line) + protrusion;
        let width = sum.width - node.totals.width + break_width;
        let ratio = if width < line_width {
            let stretch = sum.stretch - node.totals.stretch + pass.background_stretch;
            let glue_stretch = stretch - (sum.box_stretch - node.totals.box_stretch);
            let shortfall = line_width - width;
            if stretch > 0.0 && shortfall <= stretch {
                shortfall / stretch
            } else if glue_stretch > 0.0 {
                // Expansion stops at its bound (ratio 1); beyond it only the spaces stretch.
                // Counting the rest in units of their stretch keeps the ratio, and so the
                // badness and the tolerance, true to how loose the spaces will look.
                1.0 + (shortfall - stretch) / glue_stretch
            } else if stretch > 0.0 {
                shortfall / stretch
            } else if forced {
                // A forced break right after another (two hard line breaks): the fill glue
                // was discarded with the first, and the empty line between is fine.
                0.0
            } else {
                INFINITE_PENALTY
            }
        } else if width > line_width {
            let shrink = sum.shrink - node.totals.shrink;
            if shrink > 0.0 {
                (line_width - width) / shrink
            } else {
                -INFINITE_PENALTY
            }
        } else {
            0.0
        };

        let too_long = ratio < -1.0;
        if too_long || forced {
            // Deactivated; remember the least bad in case nothing else survives.
            if too_long {
                let d = node.demerits;
                if best_deactivated.is_none_or(|(bd, _, _)| d < bd) {
                    best_deactivated = Some((d, a, ratio));
                }
            }
        } else {
            kept.push(a);
        }
        if too_long || ratio > pass.tolerance {
            continue;
        }
        let hyphens = if flagged { node.hyphens + 1 } else { 0 };
        if hyphens > params.max_consecutive_hyphens {
            continue;
        }
        // Capped so the loose pass's sums stay finite and still order lines by looseness.
        let badness = 100.0 * ratio.abs().min(100.0).powi(3);
        let mut demerits = (params.line_penalty + badness).powi(2);
        if penalty >= 0.0 {
            demerits += penalty * penalty;
        } else if !forced {
            demerits -= penalty * penalty;
        }
        if flagged && node.hyphens > 0 {
            demerits += params.double_hyphen_demerits;
        }
        if forced && node.hyphens > 0 && b == items.len() - 1 {
            demerits += params.final_hyphen_demerits;
        }
        let fit = fitness(ratio);
        if fit.abs_diff(node.fitness) > 1 {
            demerits += params.adjacent_demerits;
        }
        let total = node.demerits + demerits;
        match candidates.iter_mut().find(|c| c.0 == fit && c.1 == hyphens) {
            Some(c) if c.2 <= total => {}
            Some(c) => *c = (fit, hyphens, total, a, ratio, false),
            None => candidates.push((fit, hyphens, total, a, ratio, false)),
        }
    }

    if kept.is_empty()
        && candidates.is_empty()
        && pass.allow_overfull
        && let Some((d, a, ratio)) = best_deactivated
    {
        candidates.push((3, 0, d + INFINITE_PENALTY, a, ratio.max(-1.0), true));
    }
    *active = kept;
    if candidates.is_empty() {
        return;
    }

    // Totals after the break: skip the glue and penalties a new line discards.
    let mut after = sum;
    for item in &items[b..] {
        match *item {
            Item::Box { .. } => break,
            Item::Glue { .. } => after.add(item),
            Item::Penalty { penalty, .. } => {
                if penalty <= -INFINITE_PENALTY && !std::ptr::eq(item, &items[b]) {
                    break;
                }
            }
        }
    }
    for (fit, hyphens, total, a, ratio, overfull) in candidates {
        nodes.push(Node {
            position: b,
            line: nodes[a].line + 1,
            fitness: fit,
            hyphens,
            totals: after,
            demerits: total,
            ratio,
            overfull,
            previous: Some(a),
        });
        active.push(nodes.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(width: f32) -> Item {
        Item::Box {
            width,
            stretch: 0.0,
            shrink: 0.0,
        }
    }
    fn space() -> Item {
        Item::Glue {
            width: 1.0,
            stretch: 0.5,
            shrink: 0.3,
        }
    }
    fn finish(items: &mut Vec<Item>) {
        items.push(Item::Penalty {
            width: 0.0,
            penalty: INFINITE_PENALTY,
            flagged: false,
            protrusion: 0.0,
        });
        items.push(Item::Glue {
            width: 0.0,
            stretch: 1e6,
            shrink: 0.0,
        });
        items.push(Item::forced_break());
    }
    fn paragraph(words: &[f32]) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, &w) in words.iter().enumerate() {
            if i > 0 {
                items.push(space());
            }
            items.push(word(w));
        }
        finish(&mut items);
        items
    }

    fn line_widths(items: &[Item], breaks: &[Break]) -> Vec<f32> {
        let mut start = 0;
        let mut out = Vec::new();
        for br in breaks {
            let mut w = 0.0;
            for item in &items[start..br.end] {
                match item {
                    Item::Box { width, .. } | Item::Glue { width, .. } => w += width,
                    _ => {}
                }
            }
            if let Item::Penalty { width, .. } = items[br.end] {
                w += width;
            }
            out.push(w);
            start = br.end + 1;
        }
        out
    }

    #[test]
    fn one_short_line() {
        let items = paragraph(&[3.0, 4.0]);
        let breaks = break_lines(&items, &|_| 20.0, &Params::default());
        assert_eq!(breaks.len(), 1);
        assert_eq!(breaks[0].end, items.len() - 1);
    }

    #[test]
    fn total_fit_prefers_balanced_lines_over_greedy() {
        // Greedy fills line 1 with "aaaa bb" (7 of 7), leaving "cc dddd" to stretch.
        // Knuth-Plass finds the known optimum with every line exactly full.
        let items = paragraph(&[4.0, 2.0, 2.0, 4.0, 3.0, 3.0]);
        let breaks = break_lines(&items, &|_| 7.0, &Params::default());
        let widths = line_widths(&items, &breaks);
        assert_eq!(widths, vec![7.0, 7.0, 7.0]);
        assert!(
            breaks
                .iter()
                .all(|b| b.ratio.abs() < 1e-6 || b.end == items.len() - 1)
        );
    }

    #[test]
    fn no_line_exceeds_the_measure_when_it_can_fit() {
        let words: Vec<f32> = (0..200).map(|i| 1.0 + ((i * 7) % 5) as f32).collect();
        let items = paragraph(&words);
        let breaks = break_lines(&items, &|_| 30.0, &Params::default());
        for (w, b) in line_widths(&items, &breaks).iter().zip(&breaks) {
            let shrink_room = 30.0 * 0.3; // loose bound: at most ~30 spaces per line
            assert!(*w <= 30.0 + shrink_room, "{w}");
            assert!(b.ratio >= -1.0);
            assert!(!b.overfull);
        }
    }

    #[test]
    fn a_word_wider_than_the_measure_gives_one_overfull_line() {
        let items = paragraph(&[3.0, 50.0, 3.0]);
        let breaks = break_lines(&items, &|_| 10.0, &Params::default());
        assert!(breaks.iter().any(|b| b.overfull));
        assert_eq!(breaks.last().unwrap().end, items.len() - 1);
    }

    #[test]
    fn never_three_hyphens_in_a_row() {
        // Words that only fit by hyphenating: each is two halves with a hyphen between.
        let mut items = Vec::new();
        for i in 0..12 {
            if i > 0 {
                items.push(space());
            }
            items.push(word(4.0));
            items.push(Item::Penalty {
                width: 0.5,
                penalty: 50.0,
                flagged: true,
                protrusion: 0.0,
            });
            items.push(word(4.0));
        }
        finish(&mut items);
        let breaks = break_lines(&items, &|_| 13.5, &Params::default());
        let mut run = 0;
        for b in &breaks {
            if matches!(items[b.end], Item::Penalty { flagged: true, .. }) {
                run += 1;
                assert!(run <= 2);
            } else {
                run = 0;
            }
        }
    }

    #[test]
    fn beyond_full_expansion_only_the_spaces_count_as_stretch() {
        // One line: two words with 2 pt of expansion each, one space with 1 pt of stretch.
        let items = vec![
            Item::Box {
                width: 10.0,
                stretch: 2.0,
                shrink: 0.0,
            },
            Item::Glue {
                width: 1.0,
                stretch: 1.0,
                shrink: 0.0,
            },
            Item::Box {
                width: 10.0,
                stretch: 2.0,
                shrink: 0.0,
            },
            Item::forced_break(),
        ];
        // Without a fill glue the last line is justified like the others.
        let params = Params {
            emergency_tolerance: 10.0,
            ..Params::default()
        };
        // 21 pt wide, 5 pt of stretch: a 23.5 pt line uses half of it.
        let half = break_lines(&items, &|_| 23.5, &params);
        assert!((half[0].ratio - 0.5).abs() < 1e-4, "{half:?}");
        // A 28 pt line needs 7 pt: all 5, then 2 more from the one space, twice its stretch.
        let past = break_lines(&items, &|_| 28.0, &params);
        assert!((past[0].ratio - 3.0).abs() < 1e-4, "{past:?}");
    }

    #[test]
    fn a_paragraph_that_cannot_be_set_within_tolerance_gets_loose_lines_not_overfull_ones() {
        // Words of 10 with rigid spaces on a measure of 25: every line has one word and is far
        // too loose for the emergency tolerance, yet nothing is wider than the measure.
        let mut items = Vec::new();
        for i in 0..6 {
            if i > 0 {
                items.push(Item::Glue {
                    width: 1.0,
                    stretch: 0.1,
                    shrink: 0.0,
                });
            }
            items.push(word(10.0));
        }
        items.push(Item::forced_break());
        let breaks = break_lines(&items, &|_| 25.0, &Params::default());
        assert!(breaks.iter().all(|b| !b.overfull), "{breaks:?}");
        assert!(
            breaks[..breaks.len() - 1].iter().any(|b| b.ratio > 3.0),
            "{breaks:?}"
        );
    }

    #[test]
    fn two_forced_breaks_in_a_row_give_an_empty_line() {
        let mut items = vec![word(2.0)];
        finish(&mut items);
        finish(&mut items);
        items.push(word(2.0));
        finish(&mut items);
        let breaks = break_lines(&items, &|_| 100.0, &Params::default());
        assert_eq!(breaks.len(), 3);
    }

    #[test]
    fn first_fit_breaks_everything_it_is_given() {
        let items = paragraph(&[3.0, 4.0, 5.0, 6.0, 7.0]);
        let breaks = first_fit(&items, &|_| 9.0);
        assert_eq!(breaks.last().unwrap().end, items.len() - 1);
        assert!(breaks.len() >= 3);
    }

    #[test]
    fn forced_breaks_are_taken() {
        let mut items = vec![word(2.0), space(), word(2.0)];
        finish(&mut items);
        let forced_at = items.len() - 1;
        items.push(word(2.0));
        finish(&mut items);
        let breaks = break_lines(&items, &|_| 100.0, &Params::default());
        assert_eq!(breaks.len(), 2);
        assert_eq!(breaks[0].end, forced_at);
    }

    #[test]
    fn long_paragraphs_stay_fast() {
        let words: Vec<f32> = (0..60_000).map(|i| 2.0 + ((i * 13) % 7) as f32).collect();
        let items = paragraph(&words);
        let start = std::time::Instant::now();
        let breaks = break_lines(&items, &|_| 60.0, &Params::default());
        assert!(breaks.len() > 1000);
        // Generous bound: this is a complexity check, not a benchmark.
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn random_paragraphs_keep_all_items_in_order() {
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f32 / (1u64 << 31) as f32
        };
        for _ in 0..200 {
            let n = 1 + (next() * 80.0) as usize;
            let words: Vec<f32> = (0..n).map(|_| 0.5 + next() * 12.0).collect();
            let measure = 10.0 + next() * 40.0;
            let items = paragraph(&words);
            let breaks = break_lines(&items, &|_| measure, &Params::default());
            let mut last = 0;
            for b in &breaks {
                assert!(b.end >= last);
                last = b.end;
            }
            assert_eq!(last, items.len() - 1);
            for (w, b) in line_widths(&items, &breaks).iter().zip(&breaks) {
                if !b.overfull {
                    // At full shrink a line fits: natural width minus its shrink <= measure.
                    assert!(b.ratio >= -1.0 - 1e-4, "{w} {measure} {b:?}");
                }
            }
        }
    }
}

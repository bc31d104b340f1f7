//! Pagination: the vertical list of lines, gaps and rules -> pages. A page may end only after
//! a line that is not kept with the next; widows, orphans, headings and the title block are
//! expressed as such keeps by the composer.

use crate::document::{Artifact, Item, Page, Rule, Tag, TextRun};
use crate::layout::{Color, Layout};

#[derive(Debug, Default)]
pub(super) struct Flow {
    pub items: Vec<FlowItem>,
}

#[derive(Debug)]
pub(super) enum FlowItem {
    Line {
        /// Positioned relative to the line's left edge `x` (from the left margin) and baseline.
        runs: Vec<TextRun>,
        x: f32,
        size: f32,
        /// Distance from the previous baseline.
        leading: f32,
        keep_with_next: bool,
    },
    /// Vertical space; dropped at the top of a page.
    Gap(f32),
    /// Empty space of the full measure kept on the page of the previous line, recorded so
    /// something can be placed there later (a visible signature field).
    Reserve { height: f32 },
    /// A block of fixed height holding positioned items (a letterhead with a logo, a row of
    /// signatures): x from the left margin, y from the block's top (text runs: baselines).
    /// A page never ends right after one: it is kept with what follows.
    Box { height: f32, items: Vec<Item> },
    /// A full-measure rule below the previous line, `gap` under its baseline.
    Rule {
        thickness: f32,
        color: Color,
        gap: f32,
    },
}

/// Height above the baseline a line needs at the top of a page, as a fraction of its size.
pub(super) const ASCENT: f32 = 0.8;
/// Depth below the baseline a line needs at the bottom of a page.
pub(super) const DESCENT: f32 = 0.25;

/// Pages, and the places of the flow's `Reserve` items: (page, top y).
pub(super) fn paginate(flow: &Flow, layout: &Layout) -> (Vec<Page>, Vec<(usize, f32)>) {
    let top = layout.page.margins.top;
    let bottom = layout.page.height - layout.page.margins.bottom;
    let items = &flow.items;

    // First pass: decide where pages break.
    let mut page_starts = vec![0];
    let mut start = 0;
    while start < items.len() {
        let mut y: Option<f32> = None;
        let mut pending_gap = 0.0;
        let mut end = items.len();
        for (k, item) in items.iter().enumerate().skip(start) {
            let fits = match item {
                FlowItem::Gap(g) => {
                    if y.is_some() {
                        pending_gap += g;
                    }
                    true
                }
                FlowItem::Line { size, leading, .. } => {
                    let baseline = match y {
                        None => top + ASCENT * size,
                        Some(prev) => prev + leading + pending_gap,
                    };
                    pending_gap = 0.0;
                    let fits = baseline + DESCENT * size <= bottom || y.is_none();
                    if fits {
                        y = Some(baseline);
                    }
                    fits
                }
                FlowItem::Rule { gap, thickness, .. } => {
                    let at = y.unwrap_or(top) + gap + thickness;
                    if at <= bottom {
                        y = Some(at);
                        true
                    } else {
                        false
                    }
                }
                FlowItem::Reserve { height } => {
                    let at = y.unwrap_or(top) + pending_gap + height;
                    pending_gap = 0.0;
                    if at <= bottom {
                        y = Some(at);
                        true
                    } else {
                        false
                    }
                }
                FlowItem::Box { height, .. } => {
                    let at = y.map_or(top, |y| y + pending_gap) + height;
                    pending_gap = 0.0;
                    // At the top of a page it goes in whatever its height, so pages progress.
                    let fits = at <= bottom || y.is_none();
                    if fits {
                        y = Some(at);
                    }
                    fits
                }
            };
            if !fits {
                // Break after the last line on this page that may end a page.
                let allowed = (start..k).rev().find(|&j| {
                    matches!(
                        items[j],
                        FlowItem::Line {
                            keep_with_next: false,
                            ..
                        }
                    )
                });
                end = match allowed {
                    Some(j) => j + 1,
                    // Every page takes at least one item, so pages progress even when the
                    // first cannot fit (a rule taller than the page).
                    None => k.max(start + 1),
                };
                break;
            }
        }
        if end >= items.len() {
            break;
        }
        page_starts.push(end);
        start = end;
    }

    // Second pass: place.
    let mut pages = Vec::new();
    let mut reserved = Vec::new();
    for (p, &from) in page_starts.iter().enumerate() {
        let to = page_starts.get(p + 1).copied().unwrap_or(items.len());
        let mut page = Page::default();
        let mut y: Option<f32> = None;
        let mut pending_gap = 0.0;
        for item in &items[from..to] {
            match item {
                FlowItem::Gap(g) => {
                    if y.is_some() {
                        pending_gap += g;
                    }
                }
                FlowItem::Line {
                    runs,
                    x,
                    size,
                    leading,
                    ..
                } => {
                    let baseline = match y {
                        None => top + ASCENT * size,
                        Some(prev) => prev + leading + pending_gap,
                    };
                    pending_gap = 0.0;
                    y = Some(baseline);
                    for run in runs {
                        let mut run = run.clone();
                        run.x += layout.page.margins.left + x;
                        run.y = baseline;
                        page.items.push(Item::Text(run));
                    }
                }
                FlowItem::Rule {
                    thickness,
                    color,
                    gap,
                } => {
                    let at = y.unwrap_or(top) + gap + thickness / 2.0;
                    page.items.push(Item::Rule(Rule {
                        x0: layout.page.margins.left,
                        x1: layout.page.width - layout.page.margins.right,
                        y: at,
                        thickness: *thickness,
                        color: *color,
                        tag: Tag::Artifact(Artifact::Header),
                    }));
                    y = Some(at + thickness / 2.0);
                }
                FlowItem::Reserve { height } => {
                    let from = y.unwrap_or(top) + pending_gap;
                    pending_gap = 0.0;
                    reserved.push((p, from));
                    y = Some(from + height);
                }
                FlowItem::Box { height, items } => {
                    let from = y.map_or(top, |y| y + pending_gap);
                    pending_gap = 0.0;
                    let dx = layout.page.margins.left;
                    for item in items {
                        let mut item = item.clone();
                        match &mut item {
                            Item::Text(run) => {
                                run.x += dx;
                                run.y += from;
                            }
                            Item::Image(image) => {
                                image.x += dx;
                                image.y += from;
                            }
                            Item::Rule(rule) => {
                                rule.x0 += dx;
                                rule.x1 += dx;
                                rule.y += from;
                            }
                        }
                        page.items.push(item);
                    }
                    y = Some(from + height);
                }
            }
        }
        pages.push(page);
    }
    if pages.is_empty() {
        pages.push(Page::default());
    }
    (pages, reserved)
}

//! SVG logos and signatures, kept as vector drawings (krilla-svg paints them).
//!
//! An SVG file is untrusted input: it is parsed with bounded size, node count and nesting,
//! follows no reference outside itself (no URLs, no files; only `#fragment` and embedded PNG
//! or JPEG `data:` images), and must not contain text, whose fonts PDF/A would need embedded.

use std::sync::{Arc, Mutex};

use usvg::roxmltree;

/// Largest SVG file accepted. Logos are kilobytes; a bigger file is a photograph traced by a
/// tool, or an attack.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// Most XML nodes accepted (bounds memory, including what entities expand to).
pub const MAX_NODES: u32 = 200_000;
/// Deepest element nesting accepted; the SVG converter recurses, so this bounds its stack.
pub const MAX_DEPTH: usize = 64;

/// A parsed SVG drawing.
#[derive(Clone)]
pub struct Svg {
    pub tree: Arc<usvg::Tree>,
    /// Uses transparency (opacity, masks, filters, blending, embedded images), which PDF/A-1b
    /// forbids.
    pub transparent: Option<&'static str>,
}

impl PartialEq for Svg {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.tree, &other.tree)
    }
}

impl std::fmt::Debug for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = self.tree.size();
        f.debug_struct("Svg")
            .field("width", &size.width())
            .field("height", &size.height())
            .finish()
    }
}

impl Svg {
    pub fn aspect(&self) -> f32 {
        let size = self.tree.size();
        size.width() / size.height()
    }
}

/// Whether `bytes` look like an SVG file (an XML document whose root is `<svg>`).
pub fn sniff(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    head.contains("<svg")
}

/// Parses SVG bytes. The message says what is wrong and what to do, for a user.
pub fn decode(bytes: &[u8]) -> Result<Svg, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "the SVG file is {:.1} MiB, more than the limit of {} MiB for a logo or signature; \
             simplify it (fewer nodes, no embedded photographs)",
            bytes.len() as f64 / 1024.0 / 1024.0,
            MAX_BYTES / 1024 / 1024
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the SVG file is not UTF-8 text (compressed .svgz is not accepted)")?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        // No resolver: external entities (`<!ENTITY x SYSTEM "file:...">`) are not read.
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => format!(
            "the SVG file has more than {MAX_NODES} XML nodes (after expanding its entities); \
             simplify it"
        ),
        roxmltree::Error::EntityReferenceLoop(pos) => format!(
            "the SVG file expands entities too deeply or too often (at line {}); entity \
             tricks are not accepted",
            pos.row
        ),
        e => format!("the SVG file is not well-formed XML ({e})"),
    })?;
    check(&doc)?;
    check_expansion(&doc)?;
    // Nothing outside the file is read: `check` refused such references, and these resolvers
    // refuse them again should the converter find one `check` did not. Embedded PNG and JPEG
    // images go through the raster decoder's limits (a small PNG can claim to be enormous).
    let refused: Arc<Mutex<Option<String>>> = Arc::default();
    let refuse = refused.clone();
    let options = usvg::Options {
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(move |_mime, data, _| {
                let kind = match raster_kind(&data) {
                    Some(Raster::Png) => usvg::ImageKind::PNG(data.clone()),
                    Some(Raster::Jpeg) => usvg::ImageKind::JPEG(data.clone()),
                    None => return None,
                };
                match super::decode(&data) {
                    Ok(_) => Some(kind),
                    Err(e) => {
                        if let Ok(mut slot) = refuse.lock() {
                            slot.get_or_insert(e);
                        }
                        None
                    }
                }
            }),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_xmltree(&doc, &options)
        .map_err(|e| format!("the SVG file cannot be read ({e})"))?;
    if let Some(e) = refused.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(format!("an image embedded in the SVG is refused: {e}"));
    }
    let size = tree.size();
    if !(size.width() > 0.0 && size.height() > 0.0) {
        return Err("the SVG drawing has no size; give the <svg> element a viewBox".into());
    }
    if !tree.root().has_children() {
        return Err("the SVG drawing is empty (nothing visible is drawn)".into());
    }
    let transparent = transparency(tree.root());
    Ok(Svg {
        tree: Arc::new(tree),
        transparent,
    })
}

enum Raster {
    Png,
    Jpeg,
}

fn raster_kind(data: &[u8]) -> Option<Raster> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Raster::Png)
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Raster::Jpeg)
    } else {
        None
    }
}

/// Refuses what the converter must not see: deep nesting, text, references outside the file.
fn check(doc: &roxmltree::Document) -> Result<(), String> {
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(format!(
            "the file's root element is <{}>, not <svg>",
            root.tag_name().name()
        ));
    }
    let line = |n: roxmltree::Node| doc.text_pos_at(n.range().start).row;
    // Depth first, with an explicit stack: recursion is what deep nesting attacks.
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!(
                "the SVG elements are nested more than {MAX_DEPTH} deep (line {}); flatten \
                 the groups",
                line(node)
            ));
        }
        let name = node.tag_name().name();
        if matches!(name, "text" | "textPath" | "tspan" | "flowRoot") {
            return Err(format!(
                "the SVG has text (<{name}> at line {}); PDF/A needs every font embedded, so \
                 convert the text to outlines in the design tool (Inkscape: Path > Object to \
                 Path; Illustrator: Type > Create Outlines) and export again",
                line(node)
            ));
        }
        if matches!(name, "foreignObject" | "script") {
            return Err(format!(
                "the SVG has a <{name}> element (line {}), which a logo cannot use; remove it",
                line(node)
            ));
        }
        for a in node.attributes() {
            let external = match a.name() {
                "href" => !a.value().trim_start().starts_with('#') && !is_data_image(a.value()),
                _ => a.value().contains("url(") && references_outside(a.value()),
            };
            if external {
                let value: String = a.value().chars().take(80).collect();
                return Err(format!(
                    "the SVG refers to `{value}` outside itself (<{name}> at line {}); SVG \
                     logos must be self-contained: embed images as PNG or JPEG `data:` URLs, \
                     or draw them in",
                    line(node)
                ));
            }
        }
        if name == "style" && node.text().is_some_and(|css| css.contains("@import")) {
            return Err(format!(
                "the SVG's style sheet imports another file (line {}); put the styles in the \
                 file",
                line(node)
            ));
        }
        for child in node.children().filter(|c| c.is_element()) {
            stack.push((child, depth + 1));
        }
    }
    Ok(())
}

/// Refuses a drawing whose `<use>` and `url(#id)` references would expand to more than
/// [`MAX_NODES`] elements (a few nested `<use>` of ten `<use>` each make billions of shapes), or
/// that refer to themselves. Counted from the tree with an explicit stack, each element once.
fn check_expansion(doc: &roxmltree::Document) -> Result<(), String> {
    use std::collections::HashMap;
    let ids: HashMap<&str, roxmltree::NodeId> = doc
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| Some((n.attribute("id")?, n.id())))
        .collect();
    let deps = |node: roxmltree::Node| -> Vec<roxmltree::NodeId> {
        let mut out: Vec<roxmltree::NodeId> = node
            .children()
            .filter(|c| c.is_element())
            .map(|c| c.id())
            .collect();
        for a in node.attributes() {
            let value = a.value();
            let refs: Vec<&str> = if a.name() == "href" {
                value.trim().strip_prefix('#').into_iter().collect()
            } else {
                value
                    .match_indices("url(")
                    .filter_map(|(i, _)| {
                        let inner = value[i + 4..].trim_start_matches([' ', '"', '\'']);
                        let inner = inner.strip_prefix('#')?;
                        inner.split([')', '"', '\'', ' ']).next()
                    })
                    .collect()
            };
            out.extend(refs.iter().filter_map(|r| ids.get(r)).copied());
        }
        out
    };
    const DONE: u64 = u64::MAX;
    // Element -> its expanded size; `None` while it is being counted (on the stack).
    let mut size: HashMap<roxmltree::NodeId, Option<u64>> = HashMap::new();
    let mut stack = vec![(doc.root_element().id(), false)];
    while let Some((id, counted)) = stack.pop() {
        let node = doc.get_node(id).expect("an id of this document");
        if counted {
            let total = deps(node).iter().fold(1u64, |t, d| {
                t.saturating_add(size.get(d).copied().flatten().unwrap_or(DONE))
            });
            if total > u64::from(MAX_NODES) {
                return Err(format!(
                    "the SVG's <use> and url(#...) references expand it to more than \
                     {MAX_NODES} elements (from <{}> at line {}); simplify it",
                    node.tag_name().name(),
                    doc.text_pos_at(node.range().start).row
                ));
            }
            size.insert(id, Some(total));
            continue;
        }
        match size.get(&id) {
            Some(Some(_)) => continue,
            Some(None) => {
                return Err(format!(
                    "the SVG refers to itself in a loop (<{}> at line {})",
                    node.tag_name().name(),
                    doc.text_pos_at(node.range().start).row
                ));
            }
            None => {}
        }
        size.insert(id, None);
        stack.push((id, true));
        for d in deps(node) {
            match size.get(&d) {
                Some(Some(_)) => {}
                Some(None) => {
                    return Err(format!(
                        "the SVG refers to itself in a loop (<{}> at line {})",
                        node.tag_name().name(),
                        doc.text_pos_at(node.range().start).row
                    ));
                }
                None => stack.push((d, false)),
            }
        }
    }
    Ok(())
}

fn is_data_image(href: &str) -> bool {
    let h = href.trim_start().to_ascii_lowercase();
    h.starts_with("data:image/png")
        || h.starts_with("data:image/jpeg")
        || h.starts_with("data:image/jpg")
}

/// Whether a presentation value has a `url(...)` that is not a `#fragment`.
fn references_outside(value: &str) -> bool {
    value.match_indices("url(").any(|(i, _)| {
        let inner = value[i + 4..].trim_start_matches([' ', '"', '\'']);
        !inner.starts_with('#')
    })
}

/// The first kind of transparency found in the drawing, if any.
fn transparency(group: &usvg::Group) -> Option<&'static str> {
    if group.opacity().get() < 1.0 {
        return Some("group opacity");
    }
    if group.mask().is_some() {
        return Some("a mask");
    }
    if !group.filters().is_empty() {
        return Some("a filter");
    }
    if group.blend_mode() != usvg::BlendMode::Normal {
        return Some("a blend mode");
    }
    for node in group.children() {
        let found = match node {
            usvg::Node::Group(g) => transparency(g),
            usvg::Node::Path(p) => {
                let fill = p.fill().and_then(|f| paint(f.paint(), f.opacity().get()));
                fill.or_else(|| p.stroke().and_then(|s| paint(s.paint(), s.opacity().get())))
            }
            usvg::Node::Image(image) => image_transparency(image.kind()),
            usvg::Node::Text(_) => Some("text"),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether an embedded image has an alpha channel, from its header: a JPEG never does; a PNG
/// does when its colour type has alpha or it has a `tRNS` chunk (PDF pages converted to SVG
/// embed their opaque images as RGB PNGs, which PDF/A-1b accepts).
fn image_transparency(kind: &usvg::ImageKind) -> Option<&'static str> {
    const ALPHA: Option<&str> = Some("an embedded image with an alpha channel");
    match kind {
        usvg::ImageKind::JPEG(_) => None,
        usvg::ImageKind::PNG(data) => {
            if matches!(data.get(25), Some(4 | 6) | None) {
                return ALPHA;
            }
            // Chunks after the signature: length (4), type (4), data, CRC (4).
            let mut at = 8usize;
            while let Some(head) = data.get(at..at + 8) {
                let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
                match &head[4..8] {
                    b"tRNS" => return ALPHA,
                    b"IDAT" | b"IEND" => return None,
                    _ => at = at.saturating_add(12).saturating_add(len),
                }
            }
            None
        }
        usvg::ImageKind::SVG(tree) => transparency(tree.root()),
        _ => Some("an embedded image"),
    }
}

fn paint(paint: &usvg::Paint, opacity: f32) -> Option<&'static str> {
    if opacity < 1.0 {
        return Some("fill or stroke opacity");
    }
    let stops = match paint {
        usvg::Paint::Color(_) => return None,
        usvg::Paint::LinearGradient(g) => g.stops(),
        usvg::Paint::RadialGradient(g) => g.stops(),
        usvg::Paint::Pattern(p) => return transparency(p.root()),
    };
    stops
        .iter()
        .any(|s| s.opacity().get() < 1.0)
        .then_some("a gradient with transparent stops")
}

//! The layout schema, read key by key so that every mistake is reported at once.

use crate::typeset::limits::{MAX_LABEL_CHARS, MAX_STRING_CHARS};
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use super::{
    Align, Arrangement, Block, Body, Color, Continuation, FamilyName, FontPath, Footer, ImagePath,
    Layout, Letterhead, LetterheadLine, Logo, Margins, Mirror, Reference, ReferencePosition,
    Release, ReleasePosition, Rule, Standard, mm,
};
use crate::error::{Error, Location, Problem};
use crate::schema::{Fields, Reader, Table, Value};

const SECTIONS: &[&str] = &[
    "page",
    "fonts",
    "letterhead",
    "title",
    "subtitle",
    "dateline",
    "heading",
    "subheading",
    "body",
    "signature",
    "release",
    "reference",
    "continuation",
    "footer",
    "pdf",
    "translations",
];
const PAGE: &[&str] = &["size", "margins", "mirror"];
const MARGINS: &[&str] = &["top", "bottom", "left", "right"];
const FONTS: &[&str] = &[
    "family",
    "regular",
    "bold",
    "italic",
    "bold_italic",
    "fallback",
];
const LETTERHEAD: &[&str] = &[
    "lines",
    "size",
    "bold",
    "italic",
    "align",
    "color",
    "logo",
    "arrangement",
    "rule",
    "space_after",
];
const LETTERHEAD_LINE: &[&str] = &["text", "size", "bold", "italic", "align", "color"];
const LOGO: &[&str] = &[
    "path", "width", "height", "align", "alt", "artifact", "gap", "page",
];
const RELEASE: &[&str] = &[
    "position",
    "text",
    "size",
    "leading",
    "bold",
    "italic",
    "align",
    "color",
    "space_before",
    "space_after",
];
const CONTINUATION: &[&str] = &["text", "size", "bold", "italic", "align", "color", "rule"];
/// Placeholders known everywhere text is templated; `{page}` and `{pages}` only in headers and
/// footers.
const PLACEHOLDERS: &[&str] = &["reference", "date", "title", "page", "pages"];
const PAGE_PLACEHOLDERS: &[&str] = &["page", "pages"];
const RULE: &[&str] = &["thickness", "color"];
const BLOCK: &[&str] = &[
    "size",
    "leading",
    "bold",
    "italic",
    "align",
    "color",
    "space_before",
    "space_after",
];
const SIGNATURE: &[&str] = &[
    "size",
    "leading",
    "bold",
    "italic",
    "align",
    "color",
    "space_before",
    "space_after",
    "visible",
    "fields",
    "columns",
    "image_height",
];
const BODY: &[&str] = &[
    "size",
    "leading",
    "justify",
    "hyphenate",
    "paragraph_spacing",
    "first_line_indent",
    "indent",
    "color",
    "tolerance",
    "widows",
    "orphans",
    "expansion",
    "protrusion",
    "cjk_latin_space",
    "cjk_stretch",
];
const FOOTER: &[&str] = &["text", "size", "align", "color"];
/// Largest logo side.
const MAX_LOGO: f32 = 400.0;
const PDF: &[&str] = &["standard", "embed_source"];

/// Largest page side PDF viewers must support (200 in).
const MAX_PAGE_SIDE: f32 = 14_400.0;
const MAX_FONT_SIZE: f32 = 200.0;

/// A length as written: absolute, or relative to the font size of its block.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Length {
    Pt(f32),
    Em(f32),
}

impl Length {
    fn resolve(self, size: f32) -> f32 {
        match self {
            Length::Pt(x) => x,
            Length::Em(x) => x * size,
        }
    }
}

fn parse_length(text: &str) -> Option<Length> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f32 = number.trim().parse().ok().filter(|v: &f32| v.is_finite())?;
    Some(match unit.trim() {
        "pt" => Length::Pt(value),
        "mm" => Length::Pt(mm(value)),
        "cm" => Length::Pt(mm(value * 10.0)),
        "in" => Length::Pt(value * 72.0),
        "em" => Length::Em(value),
        _ => return None,
    })
}

pub(super) fn parse(path: &Path, text: &str) -> Result<Layout, Error> {
    let mut r = Reader::new(path, text, 0);
    let Some(table) = r.parse(text) else {
        return Err(Error::Invalid(r.diagnostics));
    };
    let mut layout = Layout {
        path: Some(path.to_path_buf()),
        ..Layout::default()
    };
    let top = r.fields(&table, "the layout", SECTIONS);
    let section = |r: &mut Reader, name: &str, known: &[&str]| {
        let value = top.get(name)?;
        let table = r.table(name, value)?;
        Some(r.fields(table, &format!("[{name}]"), known))
    };

    if let Some(f) = section(&mut r, "page", PAGE) {
        read_page(&mut r, &f, &mut layout);
    }
    if let Some(f) = section(&mut r, "fonts", FONTS) {
        let font = |r: &mut Reader, key: &str| {
            let v = f.get(key)?;
            let path = r.string(&f.name(key), v)?;
            Some(FontPath {
                path: PathBuf::from(path),
                location: Some(r.location(v.span().start)),
            })
        };
        if let Some(v) = f.get("family")
            && let Some(name) = r.string("fonts.family", v)
        {
            if name.trim().is_empty() {
                r.invalid(
                    "fonts.family",
                    v,
                    "expected a family name such as \"Liberation Serif\"",
                );
            } else {
                layout.fonts.family = Some(FamilyName {
                    name,
                    location: Some(r.location(v.span().start)),
                });
            }
        }
        layout.fonts.regular = font(&mut r, "regular");
        layout.fonts.bold = font(&mut r, "bold");
        layout.fonts.italic = font(&mut r, "italic");
        layout.fonts.bold_italic = font(&mut r, "bold_italic");
        if let Some(v) = f.get("fallback") {
            let location = r.location(v.span().start);
            layout.fonts.fallback = r
                .string_list("fonts.fallback", v)
                .unwrap_or_default()
                .into_iter()
                .map(|p| FontPath {
                    path: PathBuf::from(p),
                    location: Some(location.clone()),
                })
                .collect();
        }
    }
    if let Some(f) = section(&mut r, "letterhead", LETTERHEAD) {
        read_letterhead(&mut r, &f, &mut layout.letterhead);
    }
    for (name, block) in [
        ("title", &mut layout.title),
        ("subtitle", &mut layout.subtitle),
        ("dateline", &mut layout.dateline),
        ("heading", &mut layout.heading),
        ("subheading", &mut layout.subheading),
    ] {
        if let Some(f) = section(&mut r, name, BLOCK) {
            read_block(&mut r, &f, block);
        }
    }
    if let Some(f) = section(&mut r, "signature", SIGNATURE) {
        read_block(&mut r, &f, &mut layout.signature);
        if let Some(b) = boolean(&mut r, &f, "visible") {
            layout.signature_visible = b;
        }
        if let Some(b) = boolean(&mut r, &f, "fields") {
            layout.signature_fields = b;
        }
        if let Some(v) = f.get("columns")
            && let Some(n) = r.integer("signature.columns", v)
        {
            if (1..=4).contains(&n) {
                layout.signature_columns = n as usize;
            } else {
                r.invalid("signature.columns", v, "expected 1 to 4 columns");
            }
        }
        if let Some(x) = positive(&mut r, &f, "image_height", layout.signature.size, false) {
            if x <= MAX_LOGO {
                layout.signature_image_height = x;
            } else {
                let v = f.get("image_height").expect("read from this key");
                r.invalid("signature.image_height", v, "must be at most 400pt");
            }
        }
    }
    // The release and reference lines sit on the title's axis unless the layout says
    // otherwise: "FOR IMMEDIATE RELEASE" flush left over a centred title looked misplaced.
    layout.release.block.align = layout.title.align;
    layout.reference.block.align = layout.title.align;
    if let Some(f) = section(&mut r, "release", RELEASE) {
        read_release(&mut r, &f, &mut layout.release);
    }
    if let Some(f) = section(&mut r, "reference", RELEASE) {
        read_reference(&mut r, &f, &mut layout.reference);
    }
    if let Some(f) = section(&mut r, "continuation", CONTINUATION) {
        read_continuation(&mut r, &f, &mut layout.continuation);
    }
    if let Some(f) = section(&mut r, "body", BODY) {
        read_body(&mut r, &f, &mut layout.body);
    }
    if let Some(f) = section(&mut r, "footer", FOOTER) {
        read_footer(&mut r, &f, &mut layout.footer);
    }
    if let Some(f) = section(&mut r, "pdf", PDF) {
        if let Some(v) = f.get("standard")
            && let Some(standards) = read_standards(&mut r, v)
        {
            layout.pdf.standards = standards;
        }
        if let Some(embed) = boolean(&mut r, &f, "embed_source") {
            layout.pdf.embed_source = embed;
        }
    }

    if let Some(v) = top.get("translations") {
        read_translations(&mut r, v, &mut layout);
    }

    let width = layout.measure();
    let height = layout.page.height - layout.page.margins.top - layout.page.margins.bottom;
    if width < 36.0 || height < 72.0 {
        // At the margins if the layout sets them (else the page size is what is too small).
        let page = top.get("page");
        let margins = page.and_then(|p| match p.get_ref() {
            DeValue::Table(t) => t.get("margins"),
            _ => None,
        });
        let at = margins.or(page).map_or(0, |v| v.span().start);
        r.report(at, Problem::NoTextArea { width, height });
    }
    if r.diagnostics.is_empty() {
        Ok(layout)
    } else {
        Err(Error::Invalid(r.diagnostics))
    }
}

fn length(r: &mut Reader, f: &Fields, key: &str) -> Option<Length> {
    let value = f.get(key)?;
    let name = f.name(key);
    let text = r.string(&name, value)?;
    match parse_length(&text) {
        Some(len) => Some(len),
        None => {
            r.invalid(
                &name,
                value,
                format!(
                    "`{text}` is not a length; expected a number with a unit: pt, mm, cm, in or em (\"11pt\", \"25mm\")"
                ),
            );
            None
        }
    }
}

/// A length that must be positive (or zero when `zero_ok`), in points, resolved against `size`.
fn positive(r: &mut Reader, f: &Fields, key: &str, size: f32, zero_ok: bool) -> Option<f32> {
    let len = length(r, f, key)?.resolve(size);
    if len < 0.0 || (!zero_ok && len == 0.0) {
        let v = f.get(key).expect("length was read from this key");
        let what = if zero_ok {
            "zero or more"
        } else {
            "more than zero"
        };
        r.invalid(&f.name(key), v, format!("must be {what}"));
        return None;
    }
    Some(len)
}

fn font_size(r: &mut Reader, f: &Fields, key: &str) -> Option<f32> {
    let size = positive(r, f, key, 0.0, false)?;
    if size > MAX_FONT_SIZE {
        let v = f.get(key).expect("size was read from this key");
        r.invalid(
            &f.name(key),
            v,
            format!("must be at most {MAX_FONT_SIZE}pt"),
        );
        return None;
    }
    Some(size)
}

fn read_page(r: &mut Reader, f: &Fields, layout: &mut Layout) {
    if let Some(m) = choice(
        r,
        f,
        "mirror",
        "a mirroring",
        &[
            ("auto", Mirror::Auto),
            ("always", Mirror::Always),
            ("never", Mirror::Never),
        ],
        &[],
    ) {
        layout.page.mirror = m;
    }
    if let Some(v) = f.get("size") {
        match v.get_ref() {
            DeValue::String(name) => match name.to_ascii_lowercase().as_str() {
                "a4" => (layout.page.width, layout.page.height) = (mm(210.0), mm(297.0)),
                "a5" => (layout.page.width, layout.page.height) = (mm(148.0), mm(210.0)),
                "letter" => (layout.page.width, layout.page.height) = (612.0, 792.0),
                "legal" => (layout.page.width, layout.page.height) = (612.0, 1008.0),
                _ => r.invalid(
                    "page.size",
                    v,
                    format!(
                        "unknown page size `{name}`; expected \"A4\", \"A5\", \"Letter\", \"Legal\" \
                         or {{ width = \"...\", height = \"...\" }}"
                    ),
                ),
            },
            DeValue::Table(t) => {
                let sf = r.fields(t, "[page.size]", &["width", "height"]);
                for (key, slot) in [
                    ("width", &mut layout.page.width),
                    ("height", &mut layout.page.height),
                ] {
                    match positive(r, &sf, key, 0.0, false) {
                        Some(x) if x <= MAX_PAGE_SIDE => *slot = x,
                        Some(_) => r.invalid(
                            &format!("page.size.{key}"),
                            sf.get(key).expect("read from this key"),
                            "must be at most 200in (14400pt)",
                        ),
                        None if sf.get(key).is_none() => r.invalid(
                            "page.size",
                            v,
                            format!("a custom page size needs `{key}`"),
                        ),
                        None => {}
                    }
                }
            }
            _ => r.wrong_type("page.size", v, "a page size name or a table"),
        }
    }
    if let Some(v) = f.get("margins") {
        match v.get_ref() {
            DeValue::String(_) => {
                if let Some(all) = positive(r, f, "margins", 0.0, true) {
                    layout.page.margins = Margins {
                        top: all,
                        bottom: all,
                        left: all,
                        right: all,
                    };
                }
            }
            DeValue::Table(t) => {
                let mf = r.fields(t, "[page.margins]", MARGINS);
                let m = &mut layout.page.margins;
                for (key, slot) in [
                    ("top", &mut m.top),
                    ("bottom", &mut m.bottom),
                    ("left", &mut m.left),
                    ("right", &mut m.right),
                ] {
                    if let Some(x) = positive(r, &mf, key, 0.0, true) {
                        *slot = x;
                    }
                }
            }
            _ => r.wrong_type("page.margins", v, "a length or a table of lengths"),
        }
    }
}

fn align(r: &mut Reader, f: &Fields, key: &str) -> Option<Align> {
    choice(
        r,
        f,
        key,
        "an alignment",
        &[
            ("left", Align::Left),
            ("center", Align::Center),
            ("right", Align::Right),
        ],
        &[("centre", Align::Center)],
    )
}

/// A key whose value is one of a few names. `aliases` are accepted but not suggested.
fn choice<T: Copy>(
    r: &mut Reader,
    f: &Fields,
    key: &str,
    what: &str,
    options: &[(&str, T)],
    aliases: &[(&str, T)],
) -> Option<T> {
    let v = f.get(key)?;
    let name = f.name(key);
    let text = r.string(&name, v)?;
    if let Some((_, value)) = options.iter().chain(aliases).find(|(n, _)| *n == text) {
        return Some(*value);
    }
    let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let (last, rest) = names.split_last().expect("a choice has options");
    let expected = if rest.is_empty() {
        last.clone()
    } else {
        format!("{} or {last}", rest.join(", "))
    };
    r.invalid(
        &name,
        v,
        format!("`{text}` is not {what}; expected {expected}"),
    );
    None
}

pub(crate) fn parse_color(text: &str) -> Option<Color> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Color(channel(0)?, channel(2)?, channel(4)?))
}

fn color(r: &mut Reader, f: &Fields, key: &str) -> Option<Color> {
    let v = f.get(key)?;
    let name = f.name(key);
    let text = r.string(&name, v)?;
    let color = parse_color(&text);
    if color.is_none() {
        r.invalid(
            &name,
            v,
            format!("`{text}` is not a colour; expected sRGB hex such as \"#1F3864\""),
        );
    }
    color
}

fn boolean(r: &mut Reader, f: &Fields, key: &str) -> Option<bool> {
    f.get(key).and_then(|v| r.boolean(&f.name(key), v))
}

fn read_letterhead(r: &mut Reader, f: &Fields, lh: &mut Letterhead) {
    if let Some(x) = font_size(r, f, "size") {
        lh.size = x;
    }
    if let Some(b) = boolean(r, f, "bold") {
        lh.bold = b;
    }
    if let Some(b) = boolean(r, f, "italic") {
        lh.italic = b;
    }
    if let Some(a) = align(r, f, "align") {
        lh.align = a;
    }
    if let Some(c) = color(r, f, "color") {
        lh.color = c;
    }
    if let Some(v) = f.get("lines") {
        lh.lines = read_letterhead_lines(r, v, lh);
    }
    if let Some(x) = positive(r, f, "space_after", lh.size, true) {
        lh.space_after = x;
    }
    if let Some(a) = choice(
        r,
        f,
        "arrangement",
        "an arrangement",
        &[
            ("stacked", Arrangement::Stacked),
            ("logo-left", Arrangement::LogoLeft),
            ("logo-right", Arrangement::LogoRight),
        ],
        &[],
    ) {
        lh.arrangement = a;
    }
    if let Some(v) = f.get("logo")
        && let Some(t) = r.table("letterhead.logo", v)
    {
        let lf = r.fields(t, "[letterhead.logo]", LOGO);
        lh.logo = read_logo(r, &lf, v, lh.align);
    }
    if let Some(v) = f.get("rule") {
        lh.rule = read_rule(r, v, "letterhead.rule", lh.color);
    }
}

fn read_rule(r: &mut Reader, v: &Value, name: &str, default_color: Color) -> Option<Rule> {
    let t = r.table(name, v)?;
    let rf = r.fields(t, &format!("[{name}]"), RULE);
    let mut rule = Rule {
        thickness: 0.5,
        color: default_color,
    };
    if let Some(x) = positive(r, &rf, "thickness", 0.0, false) {
        if x <= 72.0 {
            rule.thickness = x;
        } else {
            let v = rf.get("thickness").expect("read from this key");
            r.invalid(&rf.name("thickness"), v, "must be at most 72pt");
        }
    }
    if let Some(c) = color(r, &rf, "color") {
        rule.color = c;
    }
    Some(rule)
}

fn read_letterhead_lines(r: &mut Reader, v: &Value, lh: &Letterhead) -> Vec<LetterheadLine> {
    let DeValue::Array(items) = v.get_ref() else {
        r.wrong_type("letterhead.lines", v, "an array of strings or tables");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let mut line = LetterheadLine {
            text: String::new(),
            location: Some(r.location(item.span().start)),
            size: lh.size,
            bold: lh.bold,
            italic: lh.italic,
            align: lh.align,
            color: lh.color,
        };
        match item.get_ref() {
            DeValue::String(s) => line.text = s.to_string(),
            DeValue::Table(t) => {
                let lf = r.fields(t, "[letterhead.lines]", LETTERHEAD_LINE);
                match lf.get("text") {
                    Some(tv) => {
                        if let Some(text) = r.string("letterhead.lines.text", tv) {
                            line.text = text;
                        }
                    }
                    None => r.invalid("letterhead.lines", item, "every line table needs a `text`"),
                }
                if let Some(x) = font_size(r, &lf, "size") {
                    line.size = x;
                }
                if let Some(b) = boolean(r, &lf, "bold") {
                    line.bold = b;
                }
                if let Some(b) = boolean(r, &lf, "italic") {
                    line.italic = b;
                }
                if let Some(a) = align(r, &lf, "align") {
                    line.align = a;
                }
                if let Some(c) = color(r, &lf, "color") {
                    line.color = c;
                }
            }
            _ => {
                r.wrong_type("letterhead.lines", item, "a string or a table");
                continue;
            }
        }
        check_placeholders(r, "letterhead.lines", item, &line.text, false);
        out.push(line);
    }
    out
}

fn read_logo(r: &mut Reader, f: &Fields, table: &Value, default_align: Align) -> Option<Logo> {
    let path = match f.get("path") {
        Some(v) => {
            let p = r.string("letterhead.logo.path", v)?;
            let page = f
                .get("page")
                .and_then(|n| r.page_number("letterhead.logo.page", n));
            ImagePath::new(p, Some(r.location(v.span().start))).with_page(page)
        }
        None => {
            r.invalid(
                "letterhead.logo",
                table,
                "a logo needs a `path` to a PNG, JPEG, SVG or PDF file",
            );
            return None;
        }
    };
    let side = |r: &mut Reader, key: &str| {
        let x = positive(r, f, key, 0.0, false)?;
        if x > MAX_LOGO {
            let v = f.get(key).expect("read from this key");
            r.invalid(&f.name(key), v, "must be at most 400pt (141mm)");
            return None;
        }
        Some(x)
    };
    let width = side(r, "width");
    let height = side(r, "height");
    let alt = f
        .get("alt")
        .and_then(|v| r.string("letterhead.logo.alt", v));
    let artifact = boolean(r, f, "artifact").unwrap_or(false);
    let alt = match (alt, artifact) {
        // The PDF holds the alt text in one string, which PDF/A caps (as a statement's titles).
        (Some(a), false) if a.chars().nth(MAX_STRING_CHARS).is_some() => {
            let v = f.get("alt").expect("read from this key");
            r.invalid(
                "letterhead.logo.alt",
                v,
                format!(
                    "the alt text has {} characters; at most {MAX_STRING_CHARS}: a PDF holds it \
                     in one string",
                    a.chars().count()
                ),
            );
            None
        }
        (Some(a), false) if !a.trim().is_empty() => Some(a),
        (Some(_), false) => {
            let v = f.get("alt").expect("read from this key");
            r.invalid("letterhead.logo.alt", v, "the alt text is empty; describe the logo for screen readers (\"Emblem of the Ministry of ...\")");
            None
        }
        (None, true) => None,
        (Some(_), true) => {
            let v = f.get("artifact").expect("read from this key");
            r.invalid(
                "letterhead.logo.artifact",
                v,
                "give either `alt` (the logo means something) or `artifact = true` (pure decoration), not both",
            );
            None
        }
        (None, false) => {
            if f.get("alt").is_none() {
                r.invalid(
                    "letterhead.logo",
                    table,
                    "a logo needs `alt`, a short description read by screen readers (PDF/UA), \
                     e.g. alt = \"Emblem of the Ministry\"; or `artifact = true` if it is pure decoration",
                );
            }
            None
        }
    };
    let align = align(r, f, "align").unwrap_or(default_align);
    let gap = positive(r, f, "gap", 0.0, true).unwrap_or(12.0);
    Some(Logo {
        image: path,
        width,
        height,
        align,
        alt,
        gap,
    })
}

/// Refuses `{names}` that are not placeholders (or page placeholders where there are no pages).
/// A section's `text` template with where it was written, its placeholders checked (`{page}`
/// and `{pages}` only where `pages`).
fn template(r: &mut Reader, f: &Fields, section: &str, pages: bool) -> Option<(String, Location)> {
    let v = f.get("text")?;
    let key = format!("{section}.text");
    let text = r.string(&key, v)?;
    check_placeholders(r, &key, v, &text, pages);
    Some((text, r.location(v.span().start)))
}

fn check_placeholders(r: &mut Reader, key: &str, v: &Value, text: &str, pages: bool) {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            r.invalid(key, v, format!("`{{` without `}}` in `{text}`"));
            return;
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) || (!pages && PAGE_PLACEHOLDERS.contains(&name)) {
            let known: Vec<String> = PLACEHOLDERS
                .iter()
                .filter(|p| pages || !PAGE_PLACEHOLDERS.contains(p))
                .map(|p| format!("{{{p}}}"))
                .collect();
            r.invalid(
                key,
                v,
                format!(
                    "unknown placeholder `{{{name}}}`; expected {}",
                    known.join(", ")
                ),
            );
        }
        rest = &after[close + 1..];
    }
}

fn read_release(r: &mut Reader, f: &Fields, release: &mut Release) {
    read_block(r, f, &mut release.block);
    if let Some(p) = choice(
        r,
        f,
        "position",
        "a position",
        &[
            ("above-title", ReleasePosition::AboveTitle),
            ("left-of-dateline", ReleasePosition::LeftOfDateline),
            ("none", ReleasePosition::None),
        ],
        &[],
    ) {
        release.position = p;
    }
    if let Some((text, _)) = template(r, f, "release", false) {
        release.text = text;
    }
}

fn read_reference(r: &mut Reader, f: &Fields, reference: &mut Reference) {
    read_block(r, f, &mut reference.block);
    if let Some(p) = choice(
        r,
        f,
        "position",
        "a position",
        &[
            ("above-title", ReferencePosition::AboveTitle),
            ("below-dateline", ReferencePosition::BelowDateline),
            ("none", ReferencePosition::None),
        ],
        &[],
    ) {
        reference.position = p;
    }
    if let Some((text, _)) = template(r, f, "reference", false) {
        reference.text = text;
    }
}

fn read_continuation(r: &mut Reader, f: &Fields, c: &mut Continuation) {
    if let Some((text, location)) = template(r, f, "continuation", true) {
        c.text = text;
        c.location = Some(location);
    }
    if let Some(x) = font_size(r, f, "size") {
        c.size = x;
    }
    if let Some(b) = boolean(r, f, "bold") {
        c.bold = b;
    }
    if let Some(b) = boolean(r, f, "italic") {
        c.italic = b;
    }
    if let Some(a) = align(r, f, "align") {
        c.align = a;
    }
    if let Some(col) = color(r, f, "color") {
        c.color = col;
    }
    if let Some(v) = f.get("rule") {
        c.rule = read_rule(r, v, "continuation.rule", c.color);
    }
}

fn read_block(r: &mut Reader, f: &Fields, block: &mut Block) {
    if let Some(x) = font_size(r, f, "size") {
        block.leading = block.leading / block.size * x;
        block.size = x;
    }
    if let Some(x) = positive(r, f, "leading", block.size, false) {
        block.leading = x;
    }
    if let Some(b) = boolean(r, f, "bold") {
        block.bold = b;
    }
    if let Some(b) = boolean(r, f, "italic") {
        block.italic = b;
    }
    if let Some(a) = align(r, f, "align") {
        block.align = a;
    }
    if let Some(c) = color(r, f, "color") {
        block.color = c;
    }
    if let Some(x) = positive(r, f, "space_before", block.size, true) {
        block.space_before = x;
    }
    if let Some(x) = positive(r, f, "space_after", block.size, true) {
        block.space_after = x;
    }
}

fn read_body(r: &mut Reader, f: &Fields, body: &mut Body) {
    if let Some(x) = font_size(r, f, "size") {
        body.leading = body.leading / body.size * x;
        body.size = x;
    }
    let size = body.size;
    if let Some(x) = positive(r, f, "leading", size, false) {
        body.leading = x;
    }
    if let Some(b) = boolean(r, f, "justify") {
        body.justify = b;
    }
    if let Some(b) = boolean(r, f, "hyphenate") {
        body.hyphenate = b;
    }
    if let Some(b) = boolean(r, f, "protrusion") {
        body.protrusion = b;
    }
    if let Some(x) = positive(r, f, "paragraph_spacing", size, true) {
        body.paragraph_spacing = x;
    }
    if let Some(x) = positive(r, f, "first_line_indent", size, true) {
        body.first_line_indent = x;
    }
    if let Some(x) = positive(r, f, "indent", size, true) {
        body.indent = x;
    }
    // Kept in em: the same spacing serves titles and notes set at other sizes.
    if let Some(x) = positive(r, f, "cjk_latin_space", size, true) {
        if x <= size {
            body.cjk_latin_space = x / size;
        } else {
            let v = f.get("cjk_latin_space").expect("read from this key");
            r.invalid("body.cjk_latin_space", v, "must be at most 1em");
        }
    }
    if let Some(x) = positive(r, f, "cjk_stretch", size, true) {
        if x <= size / 2.0 {
            body.cjk_stretch = x / size;
        } else {
            let v = f.get("cjk_stretch").expect("read from this key");
            r.invalid("body.cjk_stretch", v, "must be at most 0.5em");
        }
    }
    if let Some(c) = color(r, f, "color") {
        body.color = c;
    }
    if let Some(v) = f.get("tolerance")
        && let Some(x) = r.number("body.tolerance", v)
    {
        if (0.1..=10.0).contains(&x) {
            body.tolerance = x as f32;
        } else {
            r.invalid("body.tolerance", v, "expected a ratio between 0.1 and 10");
        }
    }
    if let Some(v) = f.get("expansion")
        && let Some(x) = r.number("body.expansion", v)
    {
        if (0.0..=0.05).contains(&x) {
            body.expansion = x as f32;
        } else {
            r.invalid(
                "body.expansion",
                v,
                "expected a fraction between 0 and 0.05 (0.02 = 2% glyph scaling)",
            );
        }
    }
    for (key, slot) in [("widows", &mut body.widows), ("orphans", &mut body.orphans)] {
        if let Some(v) = f.get(key)
            && let Some(n) = r.integer(&f.name(key), v)
        {
            if (1..=5).contains(&n) {
                *slot = n as usize;
            } else {
                r.invalid(&f.name(key), v, "expected a number of lines from 1 to 5");
            }
        }
    }
}

fn read_footer(r: &mut Reader, f: &Fields, footer: &mut Footer) {
    if let Some((text, location)) = template(r, f, "footer", true) {
        footer.text = text;
        footer.location = Some(location);
    }
    if let Some(x) = font_size(r, f, "size") {
        footer.size = x;
    }
    if let Some(a) = align(r, f, "align") {
        footer.align = a;
    }
    if let Some(c) = color(r, f, "color") {
        footer.color = c;
    }
}

fn read_standards(r: &mut Reader, v: &Value) -> Option<Vec<Standard>> {
    let names = match v.get_ref() {
        DeValue::String(s) => vec![s.to_string()],
        _ => r.string_list("pdf.standard", v)?,
    };
    let mut out = Vec::new();
    for name in names {
        match Standard::parse(&name) {
            Some(s) => out.push(s),
            None => {
                r.invalid(
                    "pdf.standard",
                    v,
                    format!(
                        "unknown standard `{name}`; expected {} and optionally ua-1",
                        Standard::ARCHIVAL_NAMES
                    ),
                );
                return None;
            }
        }
    }
    let archival = out.iter().filter(|s| **s != Standard::Ua1).count();
    if archival != 1 {
        r.invalid(
            "pdf.standard",
            v,
            format!(
                "name exactly one PDF/A level ({})",
                Standard::ARCHIVAL_NAMES
            ),
        );
        return None;
    }
    Some(out)
}

#[allow(dead_code)]
fn _assert_table_type(_: &Table) {}

/// `[translations.LANG]`: each key an English template line of this layout, each value the
/// line in LANG with the same placeholders.
fn read_translations(r: &mut Reader, v: &Value, layout: &mut Layout) {
    let Some(languages) = r.table("translations", v) else {
        return;
    };
    let known: Vec<String> = layout
        .template_lines()
        .iter()
        .map(|l| l.to_string())
        .collect();
    for (lang, table) in languages.iter() {
        let lang: &str = lang.get_ref();
        let key = format!("translations.{lang}");
        if !crate::statement::is_known_language(lang) {
            r.invalid(
                &key,
                table,
                format!("`{lang}` is not a language tag such as \"fr\" or \"pt-BR\""),
            );
            continue;
        }
        let Some(entries) = r.table(&key, table) else {
            continue;
        };
        let mut out = std::collections::BTreeMap::new();
        for (english, local) in entries.iter() {
            let english: &str = english.get_ref();
            let Some(text) = r.string(&key, local) else {
                continue;
            };
            if !known.iter().any(|k| k == english) {
                let suggestion = crate::schema::did_you_mean(
                    english,
                    &known.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                r.invalid(
                    &key,
                    local,
                    format!(
                        "\"{english}\" is none of this layout's lines (letterhead lines, \
                         release, reference, continuation and footer lines){}",
                        suggestion.map_or(String::new(), |s| format!("; did you mean \"{s}\"?"))
                    ),
                );
                continue;
            }
            let (want, have) = (
                super::strings::placeholders(english),
                super::strings::placeholders(&text),
            );
            if want != have {
                let list = |p: &[&str]| {
                    if p.is_empty() {
                        "none".to_string()
                    } else {
                        p.iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                r.invalid(
                    &key,
                    local,
                    format!(
                        "the translation has the placeholders {}, the English line {}; \
                         expected the same",
                        list(&have),
                        list(&want)
                    ),
                );
                continue;
            }
            // The signature's words become PDF strings (the field's /TU, the /Alt of its
            // structure element) together with the signer's name and the time.
            if crate::sign::Labels::TEMPLATES.contains(&english)
                && text.chars().nth(MAX_LABEL_CHARS).is_some()
            {
                r.invalid(
                    &key,
                    local,
                    format!(
                        "the translation has {} characters; a signature's words take at most \
                         {MAX_LABEL_CHARS}",
                        text.chars().count()
                    ),
                );
                continue;
            }
            out.insert(english.to_string(), text);
        }
        layout.translations.insert(lang.to_ascii_lowercase(), out);
    }
}

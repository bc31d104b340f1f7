//! The visible signature's appearance: a form XObject whose text is set
//! with communique's own fonts and shaper and shown with embedded subset
//! fonts.
//!
//! Each line is split into bidi runs (UAX #9) and into runs of one font
//! (the layout's regular face when it has the characters, else the first
//! fallback that does), each run shaped with rustybuzz through
//! [`crate::font::Shaper`] — so Arabic joins, Hebrew and Arabic run right to
//! left, kerning and ligatures apply — and the runs are placed in visual
//! order. Every font used becomes a Type0 font with Identity-H over a
//! CIDFont (TrueType outlines: CIDFontType2 with FontFile2; CFF outlines:
//! CIDFontType0 with FontFile3 /CIDFontType0C), subset by the `subsetter`
//! crate, with /W widths, a CIDSet (PDF/A-1 wants one for subsets) and a
//! ToUnicode CMap, so the text extracts and the file stays PDF/A. All of it
//! is derived from the text and the fonts alone: the same inputs give the
//! same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use unicode_bidi::BidiInfo;

use super::SignError;
use super::pdf::{Dict, Obj, Ref};
use crate::font::{FontId, FontSet, Glyph, Shaper};
use crate::statement::Style;

/// Inner padding of the box, in points.
const PADDING: f32 = 4.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;
/// Largest font size used, in points.
const MAX_FONT_SIZE: f32 = 10.0;

/// A form XObject and the objects it refers to (fonts, their descriptors
/// and streams), ready for an incremental update.
pub(crate) struct Appearance {
    pub xobject: Obj,
    pub objects: Vec<(Ref, Obj)>,
}

/// One shaped run, its glyphs in visual order (left to right on the page).
struct Run {
    font: FontId,
    glyphs: Vec<Glyph>,
    /// The text each glyph stands for, in the same order; empty for the
    /// second and later glyphs of a cluster.
    texts: Vec<String>,
}

struct Line {
    runs: Vec<Run>,
    /// Width in em.
    width: f32,
    /// The line's base direction is right to left: it is right-aligned.
    rtl: bool,
}

/// Build the appearance of a `width` × `height` box showing `lines`: a thin
/// frame and the lines, sized to fit, left-aligned (right-aligned when a
/// line's base direction is right to left). New object numbers come from
/// `alloc`. A character no font of `fonts` can draw is an error naming it.
pub(crate) fn build(
    lines: &[String],
    width: f32,
    height: f32,
    fonts: &FontSet,
    alloc: &mut dyn FnMut() -> Ref,
) -> Result<Appearance, SignError> {
    let bbox = Obj::Array(vec![Obj::Int(0), Obj::Int(0), real(width), real(height)]);
    let xobject = Dict::default()
        .with("Type", Obj::name("XObject"))
        .with("Subtype", Obj::name("Form"))
        .with("BBox", bbox);
    if width <= 0.0 || height <= 0.0 {
        // The zero-size widget of an invisible signature.
        return Ok(Appearance {
            xobject: Obj::Stream(
                xobject.with("Resources", Obj::Dict(Dict::default())),
                vec![],
            ),
            objects: Vec::new(),
        });
    }
    // A Chinese or Japanese name brings an installed CJK font in, as a statement does.
    let text = lines.concat();
    let language = if text.chars().any(|c| matches!(c, '\u{3040}'..='\u{30FF}')) {
        "ja"
    } else {
        "zh"
    };
    let with_cjk = fonts.with_cjk(&text, language).ok().flatten();
    let fonts = with_cjk.as_ref().unwrap_or(fonts);
    let shaper = Shaper::new(fonts, "");
    let laid: Vec<Line> = lines
        .iter()
        .map(|l| layout_line(&shaper, l))
        .collect::<Result<_, _>>()?;

    // Fonts in order of first use, each with its glyphs in order of first use.
    let mut used: Vec<(FontId, subsetter::GlyphRemapper, BTreeMap<u16, String>)> = Vec::new();
    for run in laid.iter().flat_map(|l| &l.runs) {
        let slot = match used.iter().position(|(f, _, _)| *f == run.font) {
            Some(i) => i,
            None => {
                used.push((run.font, subsetter::GlyphRemapper::new(), BTreeMap::new()));
                used.len() - 1
            }
        };
        let (_, remapper, texts) = &mut used[slot];
        for (g, text) in run.glyphs.iter().zip(&run.texts) {
            let cid = remapper.remap(g.id);
            if !text.is_empty() {
                texts.entry(cid).or_insert_with(|| text.clone());
            }
        }
    }

    let mut content = String::new();
    // Frame (DeviceGray is allowed in PDF/A since krilla writes an output intent).
    content.push_str("q\n0.4 G\n0.5 w\n");
    for v in [0.25, 0.25, width - 0.5, height - 0.5] {
        num(&mut content, v);
        content.push(' ');
    }
    content.push_str("re\nS\nQ\n");

    let mut font_dict = Dict::default();
    let mut objects = Vec::new();
    for (i, (font, remapper, texts)) in used.iter().enumerate() {
        let font_ref = alloc();
        objects.extend(font_objects(
            fonts.get(*font),
            remapper,
            texts,
            font_ref,
            alloc,
        )?);
        font_dict.set(&format!("F{i}"), Obj::Ref(font_ref));
    }

    if !laid.is_empty() {
        let avail_w = (width - 2.0 * PADDING).max(1.0);
        let avail_h = (height - 2.0 * PADDING).max(1.0);
        let widest = laid.iter().map(|l| l.width).fold(0.0f32, f32::max);
        let size = MAX_FONT_SIZE
            .min(avail_h / (laid.len() as f32 * LEADING))
            .min(if widest > 0.0 {
                avail_w / widest
            } else {
                f32::INFINITY
            })
            .max(0.5);
        let ascender = used
            .iter()
            .map(|(f, _, _)| fonts.get(*f).ascender)
            .fold(0.0f32, f32::max)
            .max(0.5)
            * size;
        let block_h = size * LEADING * (laid.len() as f32 - 1.0) + ascender;
        // Vertically centred block, first baseline at the top.
        let top = height / 2.0 + block_h / 2.0;
        content.push_str("BT\n0 g\n");
        let mut current_font = None;
        for (i, line) in laid.iter().enumerate() {
            let baseline = top - ascender - i as f32 * size * LEADING;
            let mut x = if line.rtl {
                PADDING + avail_w - line.width * size
            } else {
                PADDING
            };
            for run in &line.runs {
                let slot = used
                    .iter()
                    .position(|(f, _, _)| *f == run.font)
                    .expect("every run's font is listed");
                if current_font != Some(slot) {
                    let _ = write!(content, "/F{slot} ");
                    num(&mut content, size);
                    content.push_str(" Tf\n");
                    current_font = Some(slot);
                }
                content.push_str("1 0 0 1 ");
                num(&mut content, x);
                content.push(' ');
                num(&mut content, baseline);
                content.push_str(" Tm\n");
                let font = fonts.get(run.font);
                show_run(&mut content, run, font, &used[slot].1, size);
                x += run.glyphs.iter().map(|g| g.advance).sum::<f32>() * size;
            }
        }
        content.push_str("ET\n");
    }

    let xobject = xobject.with(
        "Resources",
        Obj::Dict(Dict::default().with("Font", Obj::Dict(font_dict))),
    );
    let data = super::incremental::deflate(content.as_bytes())?;
    Ok(Appearance {
        xobject: Obj::Stream(xobject.with("Filter", Obj::name("FlateDecode")), data),
        objects,
    })
}

/// Split a line into bidi runs of one font each, shape them, and put them in
/// visual order.
fn layout_line(shaper: &Shaper, line: &str) -> Result<Line, SignError> {
    let style = Style::default();
    let info = BidiInfo::new(line, None);
    let rtl = info.paragraphs.first().is_some_and(|p| p.level.is_rtl());
    // The font that has every letter of the line, if one has; otherwise
    // each letter takes the first font that has it and the characters
    // between (spaces, digits, punctuation) stay with the letter before.
    let whole = shaper.preferred(style, line);
    let mut spans: Vec<(usize, usize, u8, FontId)> = Vec::new();
    for (i, c) in line.char_indices() {
        let level = info.levels[i].number();
        let previous = spans.last().map(|s| s.3);
        let font = if shaper.covers(whole, c) {
            whole
        } else if let Some(p) = previous.filter(|&p| !c.is_alphabetic() && shaper.covers(p, c)) {
            p
        } else {
            shaper.font_for(style, c).ok_or_else(|| {
                SignError::InvalidOptions(format!(
                    "no font can draw U+{:04X} `{c}` in the visible signature line `{line}` \
                     (tried: {})",
                    c as u32,
                    shaper.fonts().chain_names(style).join(", ")
                ))
            })?
        };
        match spans.last_mut() {
            Some(s) if s.2 == level && s.3 == font => s.1 = i + c.len_utf8(),
            _ => spans.push((i, i + c.len_utf8(), level, font)),
        }
    }
    let levels: Vec<unicode_bidi::Level> = spans
        .iter()
        .map(|s| unicode_bidi::Level::new(s.2).unwrap_or_else(|_| unicode_bidi::Level::ltr()))
        .collect();
    let order = if levels.iter().all(|l| l.is_ltr()) {
        (0..spans.len()).collect()
    } else {
        BidiInfo::reorder_visual(&levels)
    };
    let mut runs = Vec::new();
    let mut width = 0.0;
    for i in order {
        let (start, end, level, font) = spans[i];
        let text = &line[start..end];
        let run_rtl = level % 2 == 1;
        // Logical order, clusters ascending.
        let mut glyphs = shaper.shape(font, text, run_rtl);
        let mut texts = Vec::with_capacity(glyphs.len());
        for (k, g) in glyphs.iter().enumerate() {
            let first_of_cluster = k == 0 || glyphs[k - 1].cluster != g.cluster;
            if !first_of_cluster {
                texts.push(String::new());
                continue;
            }
            let from = g.cluster as usize;
            let to = glyphs[k + 1..]
                .iter()
                .map(|h| h.cluster as usize)
                .find(|&c| c > from)
                .unwrap_or(text.len());
            texts.push(text.get(from..to).unwrap_or_default().to_string());
        }
        if run_rtl {
            // The shaper's visual order: its positions are relative to it.
            glyphs.reverse();
            texts.reverse();
        }
        width += glyphs.iter().map(|g| g.advance).sum::<f32>();
        runs.push(Run {
            font,
            glyphs,
            texts,
        });
    }
    Ok(Line { runs, width, rtl })
}

/// The TJ operators of one run: each glyph by its CID, the difference
/// between the shaped advance and the font's own width as a TJ adjustment,
/// x offsets folded into those adjustments, y offsets as text rise.
fn show_run(
    out: &mut String,
    run: &Run,
    font: &crate::font::Font,
    remapper: &subsetter::GlyphRemapper,
    size: f32,
) {
    let face = ttf_parser::Face::parse(font.bytes(), font.index()).ok();
    let own = |id: u16| -> f32 {
        face.as_ref()
            .and_then(|f| f.glyph_hor_advance(ttf_parser::GlyphId(id)))
            .map_or(0.0, |a| f32::from(a) / font.units_per_em)
    };
    let mut rise = 0.0f32;
    let mut open = false;
    // Adjustment (thousandths of an em, positive moves left) owed before the next glyph.
    let mut pending = 0.0f32;
    for g in &run.glyphs {
        if g.y_offset != rise {
            if open {
                out.push_str("] TJ\n");
                open = false;
            }
            rise = g.y_offset;
            // Text rise is in unscaled text space units: the font size does not
            // apply to it, so the em offset is scaled here.
            num(out, rise * size);
            out.push_str(" Ts\n");
        }
        if !open {
            out.push('[');
            open = true;
        }
        pending -= g.x_offset * 1000.0;
        if pending.abs() >= 0.001 {
            num(out, pending);
            out.push(' ');
        }
        let cid = remapper.get(g.id).unwrap_or(0);
        let _ = write!(out, "<{cid:04X}> ");
        pending = (own(g.id) - g.advance + g.x_offset) * 1000.0;
    }
    if open {
        out.push_str("] TJ\n");
    }
    if rise != 0.0 {
        out.push_str("0 Ts\n");
    }
}

/// The Type0 font `font_ref` and its descendant, descriptor, font file,
/// CIDSet and ToUnicode streams.
fn font_objects(
    font: &crate::font::Font,
    remapper: &subsetter::GlyphRemapper,
    texts: &BTreeMap<u16, String>,
    font_ref: Ref,
    alloc: &mut dyn FnMut() -> Ref,
) -> Result<Vec<(Ref, Obj)>, SignError> {
    let bad = |what: &str| {
        SignError::InvalidOptions(format!(
            "the font {} cannot be embedded in the visible signature: {what}",
            font.name
        ))
    };
    let face =
        ttf_parser::Face::parse(font.bytes(), font.index()).map_err(|e| bad(&e.to_string()))?;
    let subset = subsetter::subset(font.bytes(), font.index(), remapper)
        .map_err(|e| bad(&format!("subsetting failed ({e})")))?;
    let cff = face.tables().cff.is_some();
    let program = if cff {
        // A CFF font's subset is CID-keyed with CID = new glyph id; PDF wants
        // the bare CFF table.
        let raw = ttf_parser::RawFace::parse(&subset, 0).map_err(|e| bad(&e.to_string()))?;
        raw.table(ttf_parser::Tag::from_bytes(b"CFF "))
            .ok_or_else(|| bad("the subset has no CFF table"))?
            .to_vec()
    } else {
        subset
    };

    let upem = f32::from(face.units_per_em());
    let em = |v: f32| real(v * 1000.0 / upem);
    let old_gids: Vec<u16> = remapper.remapped_gids().collect();

    // Subset tag: six capitals from the font and the glyph set.
    let mut h = Sha256::new();
    h.update(font.sha256());
    for g in &old_gids {
        h.update(g.to_be_bytes());
    }
    let tag: String = h.finalize()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let ps_name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| font.name.clone());
    let ps_name: String = ps_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(48)
        .collect();
    let base_font = format!(
        "{tag}+{}",
        if ps_name.is_empty() { "Font" } else { &ps_name }
    );

    let cid_ref = alloc();
    let descriptor_ref = alloc();
    let file_ref = alloc();
    let cidset_ref = alloc();
    let to_unicode_ref = alloc();

    let widths: Vec<Obj> = old_gids
        .iter()
        .map(|&g| {
            em(face
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .map_or(0.0, f32::from))
        })
        .collect();

    let type0 = Dict::default()
        .with("Type", Obj::name("Font"))
        .with("Subtype", Obj::name("Type0"))
        .with("BaseFont", Obj::name(&base_font))
        .with("Encoding", Obj::name("Identity-H"))
        .with("DescendantFonts", Obj::Array(vec![Obj::Ref(cid_ref)]))
        .with("ToUnicode", Obj::Ref(to_unicode_ref));
    let mut cid_font = Dict::default()
        .with("Type", Obj::name("Font"))
        .with(
            "Subtype",
            Obj::name(if cff { "CIDFontType0" } else { "CIDFontType2" }),
        )
        .with("BaseFont", Obj::name(&base_font))
        .with(
            "CIDSystemInfo",
            Obj::Dict(
                Dict::default()
                    .with("Registry", Obj::Str(b"Adobe".to_vec()))
                    .with("Ordering", Obj::Str(b"Identity".to_vec()))
                    .with("Supplement", Obj::Int(0)),
            ),
        )
        .with("FontDescriptor", Obj::Ref(descriptor_ref))
        .with("DW", Obj::Int(0))
        .with("W", Obj::Array(vec![Obj::Int(0), Obj::Array(widths)]));
    if !cff {
        // The subset's glyph ids are the CIDs.
        cid_font.set("CIDToGIDMap", Obj::name("Identity"));
    }

    let bbox = face.global_bounding_box();
    let ascent = f32::from(face.ascender());
    let descent = f32::from(face.descender());
    let cap = face.capital_height().map_or(ascent, f32::from);
    let weight = f32::from(face.weight().to_number());
    let mut flags = 4; // symbolic: glyphs are addressed by CID, not a standard encoding
    if face.is_monospaced() {
        flags |= 1;
    }
    if face.is_italic() {
        flags |= 64;
    }
    let descriptor = Dict::default()
        .with("Type", Obj::name("FontDescriptor"))
        .with("FontName", Obj::name(&base_font))
        .with("Flags", Obj::Int(flags))
        .with(
            "FontBBox",
            Obj::Array(vec![
                em(f32::from(bbox.x_min)),
                em(f32::from(bbox.y_min)),
                em(f32::from(bbox.x_max)),
                em(f32::from(bbox.y_max)),
            ]),
        )
        .with("ItalicAngle", real(face.italic_angle()))
        .with("Ascent", em(ascent))
        .with("Descent", em(descent))
        .with("CapHeight", em(cap))
        // The usual estimate from the weight class (there is no stem width in the font tables).
        .with("StemV", real(10.0 + 0.244 * (weight - 50.0)))
        .with("CIDSet", Obj::Ref(cidset_ref))
        .with(
            if cff { "FontFile3" } else { "FontFile2" },
            Obj::Ref(file_ref),
        );

    let mut file_dict = Dict::default().with("Filter", Obj::name("FlateDecode"));
    if cff {
        file_dict.set("Subtype", Obj::name("CIDFontType0C"));
    } else {
        file_dict.set("Length1", Obj::Int(program.len() as i64));
    }
    let file = Obj::Stream(file_dict, super::incremental::deflate(&program)?);

    let mut cidset = vec![0u8; old_gids.len().div_ceil(8)];
    for cid in 0..old_gids.len() {
        cidset[cid / 8] |= 0x80 >> (cid % 8);
    }
    let cidset = Obj::Stream(
        Dict::default().with("Filter", Obj::name("FlateDecode")),
        super::incremental::deflate(&cidset)?,
    );

    let cmap = to_unicode(texts);
    let to_unicode = Obj::Stream(
        Dict::default().with("Filter", Obj::name("FlateDecode")),
        super::incremental::deflate(cmap.as_bytes())?,
    );

    Ok(vec![
        (font_ref, Obj::Dict(type0)),
        (cid_ref, Obj::Dict(cid_font)),
        (descriptor_ref, Obj::Dict(descriptor)),
        (file_ref, file),
        (cidset_ref, cidset),
        (to_unicode_ref, to_unicode),
    ])
}

/// A ToUnicode CMap from CIDs (two-byte codes) to their text.
fn to_unicode(texts: &BTreeMap<u16, String>) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &String)> = texts.iter().collect();
    // At most 100 entries per block (PDF 32000-1, 9.10.3).
    for chunk in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (cid, text) in chunk {
            let _ = write!(out, "<{cid:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(out, "{unit:04X}");
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

fn num(out: &mut String, v: f32) {
    // Three decimals, trailing zeros trimmed; deterministic across platforms.
    let mut s = format!("{v:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    out.push_str(&s);
}

fn real(v: f32) -> Obj {
    let mut s = String::new();
    num(&mut s, v);
    match s.parse::<i64>() {
        Ok(i) => Obj::Int(i),
        Err(_) => Obj::Real(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs() -> impl FnMut() -> Ref {
        let mut n = 100;
        move || {
            n += 1;
            Ref::new(n)
        }
    }

    #[test]
    fn right_to_left_runs_are_placed_in_visual_order() {
        let set = FontSet::bundled();
        let shaper = Shaper::new(&set, "");
        let line = layout_line(&shaper, "by אב").unwrap();
        let texts: Vec<&str> = line
            .runs
            .iter()
            .flat_map(|r| r.texts.iter().map(String::as_str))
            .collect();
        assert_eq!(texts, ["b", "y", " ", "ב", "א"]);
        assert!(!line.rtl);
        assert!(layout_line(&shaper, "אב by").unwrap().rtl);
    }

    #[test]
    fn arabic_letters_join() {
        let set = FontSet::bundled();
        let shaper = Shaper::new(&set, "");
        let alone = layout_line(&shaper, "ب").unwrap().runs[0].glyphs[0].id;
        let joined = layout_line(&shaper, "ببب").unwrap();
        assert!(joined.runs[0].glyphs.iter().all(|g| g.id != alone));
    }

    #[test]
    fn text_is_shown_with_a_subset_font_that_maps_to_unicode() {
        let set = FontSet::bundled();
        let lines = ["Digitally signed by Анна".to_string(), "2030".to_string()];
        let built = build(&lines, 200.0, 50.0, &set, &mut refs()).unwrap();
        let again = build(&lines, 200.0, 50.0, &set, &mut refs()).unwrap();
        assert_eq!(built.objects, again.objects);
        assert_eq!(built.xobject, again.xobject);
        let Obj::Stream(_, data) = &built.xobject else {
            panic!("a stream")
        };
        let mut content = String::new();
        use std::io::Read as _;
        flate2::read::ZlibDecoder::new(data.as_slice())
            .read_to_string(&mut content)
            .unwrap();
        assert!(
            content.contains(" Tf\n") && content.contains("] TJ\n"),
            "{content}"
        );
        assert!(!content.contains(" c\n"), "no outlines: {content}");
        let fonts: Vec<&Dict> = built
            .objects
            .iter()
            .filter_map(|(_, o)| o.as_dict())
            .filter(|d| d.name_is("Subtype", "Type0"))
            .collect();
        assert!(!fonts.is_empty());
        for f in fonts {
            let name = f.get("BaseFont").and_then(Obj::as_name).unwrap();
            assert_eq!(
                name[6],
                b'+',
                "subset tag: {}",
                String::from_utf8_lossy(name)
            );
            assert!(f.get("ToUnicode").is_some());
        }
        let has = |key: &str| {
            built
                .objects
                .iter()
                .any(|(_, o)| o.as_dict().is_some_and(|d| d.get(key).is_some()))
        };
        assert!(has("CIDSet") && has("W") && (has("FontFile2") || has("FontFile3")));
    }

    #[test]
    fn a_character_no_font_has_is_an_error_naming_it() {
        let set = FontSet::bundled();
        let err = build(&["signed 😀".to_string()], 200.0, 50.0, &set, &mut refs())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("U+1F600"), "{err}");
    }
}

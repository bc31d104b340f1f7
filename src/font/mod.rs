//! Fonts: loading (bundled or from the layout's paths), style resolution, the per-character
//! fallback chain, and shaping with rustybuzz (kerning and standard ligatures).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use rustybuzz::ttf_parser;

use crate::error::{Error, Location, Problem};
use crate::layout::Layout;
use crate::statement::Style;

mod system;
pub use system::{FamilyInfo, families};

static TERMES_REGULAR: &[u8] = include_bytes!("../../fonts/texgyretermes-regular.otf");
static TERMES_BOLD: &[u8] = include_bytes!("../../fonts/texgyretermes-bold.otf");
static TERMES_ITALIC: &[u8] = include_bytes!("../../fonts/texgyretermes-italic.otf");
static TERMES_BOLD_ITALIC: &[u8] = include_bytes!("../../fonts/texgyretermes-bolditalic.otf");
static LIBERATION_REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");
static LIBERATION_BOLD: &[u8] = include_bytes!("../../fonts/LiberationSerif-Bold.ttf");
static LIBERATION_ITALIC: &[u8] = include_bytes!("../../fonts/LiberationSerif-Italic.ttf");
static LIBERATION_BOLD_ITALIC: &[u8] = include_bytes!("../../fonts/LiberationSerif-BoldItalic.ttf");
static SERIF_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSerif-Regular.ttf");
static SERIF_BOLD: &[u8] = include_bytes!("../../fonts/NotoSerif-Bold.ttf");
static SERIF_ITALIC: &[u8] = include_bytes!("../../fonts/NotoSerif-Italic.ttf");
static SERIF_BOLD_ITALIC: &[u8] = include_bytes!("../../fonts/NotoSerif-BoldItalic.ttf");
static NASKH_REGULAR: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf");
static NASKH_BOLD: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Bold.ttf");

/// Index of a font in its [`FontSet`].
pub type FontId = usize;

#[derive(Clone)]
enum Bytes {
    Static(&'static [u8]),
    Loaded(Arc<Vec<u8>>),
    /// An installed font, mapped rather than read: a CJK collection is 20 MB or more, of which
    /// a statement touches the tables and the few hundred glyphs it uses. Reading it whole
    /// was two thirds of a Chinese statement's build.
    Mapped(Arc<memmap2::Mmap>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Static(b) => b,
            Bytes::Loaded(b) => b,
            Bytes::Mapped(b) => b,
        }
    }
}

/// One font face with what the typesetter needs to know about it.
#[derive(Clone)]
pub struct Font {
    /// Family and style, or the file name, for messages.
    pub name: String,
    bytes: Bytes,
    /// The face's index in its file: 0 but in collections (.ttc, .otc).
    index: u32,
    /// The font as the PDF writer holds it; cloning is cheap.
    pub pdf: krilla::text::Font,
    pub units_per_em: f32,
    /// The file's SHA-256 once computed, shared by the clones of a loaded font.
    digest: Arc<OnceLock<[u8; 32]>>,
    /// Advance of U+0020, in em.
    pub space: f32,
    /// Ascender and descender (negative), in em.
    pub ascender: f32,
    pub descender: f32,
}

impl Font {
    /// SHA-256 of the font file, which identifies it in an archive's build record. Digests of
    /// the bundled fonts are kept: they never change while the program runs, and a batch
    /// would otherwise hash the same megabytes for every statement.
    pub fn sha256(&self) -> [u8; 32] {
        use sha2::Digest;
        match &self.bytes {
            Bytes::Static(b) => {
                static CACHE: std::sync::Mutex<Vec<(usize, [u8; 32])>> =
                    std::sync::Mutex::new(Vec::new());
                let key = b.as_ptr() as usize;
                let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((_, d)) = cache.iter().find(|(k, _)| *k == key) {
                    return *d;
                }
                let d: [u8; 32] = sha2::Sha256::digest(b).into();
                cache.push((key, d));
                d
            }
            Bytes::Loaded(_) | Bytes::Mapped(_) => *self
                .digest
                .get_or_init(|| sha2::Sha256::digest(self.bytes.as_slice()).into()),
        }
    }
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font").field("name", &self.name).finish()
    }
}

impl Font {
    fn new(name: String, bytes: Bytes, index: u32) -> Option<Font> {
        let face = ttf_parser::Face::parse(bytes.as_slice(), index).ok()?;
        let units_per_em = face.units_per_em() as f32;
        let space = face
            .glyph_index(' ')
            .and_then(|g| face.glyph_hor_advance(g))
            .map_or(0.25, |a| a as f32 / units_per_em);
        let ascender = face.ascender() as f32 / units_per_em;
        let descender = face.descender() as f32 / units_per_em;
        let data: krilla::Data = match &bytes {
            Bytes::Static(b) => (*b).into(),
            Bytes::Loaded(b) => b.clone().into(),
            Bytes::Mapped(b) => krilla::Data::from(b.clone() as Arc<dyn AsRef<[u8]> + Send + Sync>),
        };
        let pdf = krilla::text::Font::new(data, index)?;
        Some(Font {
            name,
            bytes,
            index,
            pdf,
            units_per_em,
            digest: Arc::default(),
            space,
            ascender,
            descender,
        })
    }

    fn load(path: &Path, location: Option<Location>) -> Result<Font, Error> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid(
                location.clone(),
                Problem::FontUnreadable {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                },
            )
        })?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        // A collection's first face; other faces are reached by family name.
        Font::new(name, Bytes::Loaded(Arc::new(bytes)), 0).ok_or_else(|| {
            Error::invalid(
                location,
                Problem::NotAFont {
                    path: path.to_path_buf(),
                },
            )
        })
    }

    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The face's index in its file (0 but in collections).
    pub fn index(&self) -> u32 {
        self.index
    }
}

/// The fonts of one layout: four styles of the main family, then the fallback chain.
#[derive(Clone, Debug)]
pub struct FontSet {
    fonts: Vec<Font>,
    /// Regular, bold, italic, bold italic.
    styles: [FontId; 4],
    /// The layout's fallbacks, tried for every style.
    fallback: Vec<FontId>,
    /// The bundled fallbacks, per style like `styles`: Liberation Serif, Noto Serif, then
    /// Noto Naskh Arabic.
    bundled_fallback: [[FontId; 3]; 4],
    /// An installed CJK serif, regular and bold, added when a statement needs it.
    cjk: Option<[FontId; 2]>,
}

impl FontSet {
    /// The bundled family: TeX Gyre Termes (a Times design, with ligatures and kerning),
    /// falling back to Liberation Serif for Greek and Cyrillic (Times metrics, so the same
    /// colour and width as Termes: Noto Serif's wider letters set a quarter more lines and
    /// need hyphens on most of them), Noto Serif for what Liberation lacks, and Noto Naskh
    /// Arabic.
    pub fn bundled() -> FontSet {
        let font = |name: &str, b: &'static [u8]| {
            Font::new(name.to_string(), Bytes::Static(b), 0).expect("bundled fonts parse (tested)")
        };
        FontSet {
            fonts: vec![
                font("TeX Gyre Termes", TERMES_REGULAR),
                font("TeX Gyre Termes Bold", TERMES_BOLD),
                font("TeX Gyre Termes Italic", TERMES_ITALIC),
                font("TeX Gyre Termes Bold Italic", TERMES_BOLD_ITALIC),
                font("Liberation Serif", LIBERATION_REGULAR),
                font("Liberation Serif Bold", LIBERATION_BOLD),
                font("Liberation Serif Italic", LIBERATION_ITALIC),
                font("Liberation Serif Bold Italic", LIBERATION_BOLD_ITALIC),
                font("Noto Serif", SERIF_REGULAR),
                font("Noto Serif Bold", SERIF_BOLD),
                font("Noto Serif Italic", SERIF_ITALIC),
                font("Noto Serif Bold Italic", SERIF_BOLD_ITALIC),
                font("Noto Naskh Arabic", NASKH_REGULAR),
                font("Noto Naskh Arabic Bold", NASKH_BOLD),
            ],
            styles: [0, 1, 2, 3],
            fallback: Vec::new(),
            bundled_fallback: [[4, 8, 12], [5, 9, 13], [6, 10, 12], [7, 11, 13]],
            cjk: None,
        }
    }

    /// The fonts a layout asks for: its `family` (bundled, then installed), then the style
    /// files it names, which override the family's faces; styles left out of both come from
    /// the bundled family.
    pub fn load(layout: &Layout) -> Result<FontSet, Error> {
        let mut set = FontSet::bundled();
        let mut errors = Vec::new();
        if let Some(family) = &layout.fonts.family {
            match system::family(&family.name) {
                Some(faces) => {
                    for (slot, font) in faces.into_iter().enumerate() {
                        if let Some(font) = font {
                            set.fonts.push(font);
                            set.styles[slot] = set.fonts.len() - 1;
                        }
                    }
                }
                None => errors.push(crate::error::Diagnostic {
                    location: family.location.clone(),
                    problem: Problem::UnknownFamily {
                        family: family.name.clone(),
                        closest: system::closest(&family.name),
                    },
                }),
            }
        }
        let styles = [
            &layout.fonts.regular,
            &layout.fonts.bold,
            &layout.fonts.italic,
            &layout.fonts.bold_italic,
        ];
        for (slot, path) in styles.into_iter().enumerate() {
            if let Some(fp) = path {
                match Font::load(&layout.resolve(&fp.path), fp.location.clone()) {
                    Ok(font) => {
                        set.fonts.push(font);
                        set.styles[slot] = set.fonts.len() - 1;
                    }
                    Err(Error::Invalid(d)) => errors.extend(d),
                    Err(e) => return Err(e),
                }
            }
        }
        let mut fallback = Vec::new();
        for fp in &layout.fonts.fallback {
            if !fp.is_file() {
                // A family: its regular face serves every style.
                let name = fp.path.to_string_lossy();
                match system::family(&name) {
                    Some([Some(font), ..]) => {
                        set.fonts.push(font);
                        fallback.push(set.fonts.len() - 1);
                    }
                    _ => errors.push(crate::error::Diagnostic {
                        location: fp.location.clone(),
                        problem: Problem::UnknownFamily {
                            family: name.to_string(),
                            closest: system::closest(&name),
                        },
                    }),
                }
                continue;
            }
            match Font::load(&layout.resolve(&fp.path), fp.location.clone()) {
                Ok(font) => {
                    set.fonts.push(font);
                    fallback.push(set.fonts.len() - 1);
                }
                Err(Error::Invalid(d)) => errors.extend(d),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        set.fallback = fallback;
        Ok(set)
    }

    /// This set with an installed CJK serif appended to every chain, when `text` has Han
    /// characters or kana that the set cannot draw; `None` when it needs none. The family is
    /// chosen by `language` (Simplified or Traditional Chinese or Japanese glyph forms; see
    /// `system::cjk_candidates`). The error lists the families searched.
    pub fn with_cjk(&self, text: &str, language: &str) -> Result<Option<FontSet>, Problem> {
        if !text.chars().any(is_cjk) {
            return Ok(None);
        }
        let faces: Vec<ttf_parser::Face> = self
            .chain(Style::default())
            .filter_map(|id| {
                ttf_parser::Face::parse(self.fonts[id].bytes(), self.fonts[id].index).ok()
            })
            .collect();
        let missing = text
            .chars()
            .filter(|&c| is_cjk(c))
            .any(|c| !faces.iter().any(|f| f.glyph_index(c).is_some()));
        if !missing {
            return Ok(None);
        }
        let [regular, bold] =
            system::cjk_fallback(language).map_err(|searched| Problem::NoCjkFont {
                language: language.to_string(),
                searched,
            })?;
        let mut set = self.clone();
        set.fonts.push(regular);
        set.fonts.push(bold);
        let n = set.fonts.len();
        set.cjk = Some([n - 2, n - 1]);
        Ok(Some(set))
    }

    pub fn get(&self, id: FontId) -> &Font {
        &self.fonts[id]
    }

    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }

    fn style_index(style: Style) -> usize {
        style.strong as usize + 2 * style.emphasis as usize
    }

    pub fn primary(&self, style: Style) -> FontId {
        self.styles[Self::style_index(style)]
    }

    /// The fonts tried for a character of this style, in order: the family, the layout's
    /// fallbacks, the bundled fallbacks, the installed CJK serif.
    pub fn chain(&self, style: Style) -> impl Iterator<Item = FontId> + '_ {
        std::iter::once(self.primary(style))
            .chain(self.fallback.iter().copied())
            .chain(self.bundled_fallback[Self::style_index(style)])
            .chain(
                self.cjk
                    .map(|[regular, bold]| if style.strong { bold } else { regular }),
            )
    }

    /// Names of the fonts in a style's chain, for messages.
    pub fn chain_names(&self, style: Style) -> Vec<String> {
        self.chain(style)
            .map(|id| self.fonts[id].name.clone())
            .collect()
    }

    /// Paths the layout named, for manifests.
    pub fn paths(layout: &Layout) -> Vec<PathBuf> {
        let f = &layout.fonts;
        [&f.regular, &f.bold, &f.italic, &f.bold_italic]
            .into_iter()
            .flatten()
            .chain(f.fallback.iter().filter(|p| p.is_file()))
            .map(|p| layout.resolve(&p.path))
            .collect()
    }
}

/// Han ideographs and kana: characters whose statement needs a CJK font.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// A glyph as shaped, in em (multiply by the font size for points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Byte offset in the shaped text where this glyph's cluster starts.
    pub cluster: u32,
    pub advance: f32,
    /// What kerning added to the glyph's own advance (negative: closer to the next glyph).
    pub kern: f32,
    pub x_offset: f32,
    pub y_offset: f32,
}

/// Shapes text with the faces of one [`FontSet`]; made once per document, since building a
/// rustybuzz face reads the font's layout tables.
pub struct Shaper<'a> {
    set: &'a FontSet,
    /// Made on first use: most documents use a few of the fonts.
    faces: Vec<OnceCell<rustybuzz::Face<'a>>>,
    language: Option<rustybuzz::Language>,
    /// Shape plans by font, script, direction and language: building one reads the font's
    /// lookups, which costs more than shaping a word; the direction selects different lookups
    /// (Arabic joining, mirrored brackets), the language localised forms.
    plans: RefCell<HashMap<PlanKey, Rc<rustybuzz::ShapePlan>>>,
    /// Which of the first `COVERAGE_CACHED` code points each font has: 0 not asked yet,
    /// 1 yes, 2 no. Coverage is asked for every character of every paragraph.
    coverage: RefCell<Vec<Vec<u8>>>,
}

const COVERAGE_CACHED: usize = 0x3000;

const NO_KERN: rustybuzz::Feature = rustybuzz::Feature {
    tag: ttf_parser::Tag::from_bytes(b"kern"),
    value: 0,
    start: 0,
    end: u32::MAX,
};

/// Font, script, whether the run is right to left, language, and whether it is set solid
/// (no kerning: CJK text).
type PlanKey = (
    FontId,
    rustybuzz::Script,
    bool,
    Option<rustybuzz::Language>,
    bool,
);

impl<'a> Shaper<'a> {
    pub fn new(set: &'a FontSet, language: &str) -> Shaper<'a> {
        let faces = set.fonts.iter().map(|_| OnceCell::new()).collect();
        Shaper {
            set,
            faces,
            language: language.parse().ok(),
            plans: RefCell::new(HashMap::new()),
            coverage: RefCell::new(vec![Vec::new(); set.fonts.len()]),
        }
    }

    pub fn fonts(&self) -> &'a FontSet {
        self.set
    }

    fn face(&self, font: FontId) -> &rustybuzz::Face<'a> {
        self.faces[font].get_or_init(|| {
            let font = &self.set.fonts[font];
            rustybuzz::Face::from_slice(font.bytes(), font.index)
                .expect("fonts were parsed on load")
        })
    }

    /// Whether `font` has a glyph for `ch`.
    pub fn covers(&self, font: FontId, ch: char) -> bool {
        let cp = ch as usize;
        if cp >= COVERAGE_CACHED {
            return self.face(font).glyph_index(ch).is_some();
        }
        let mut coverage = self.coverage.borrow_mut();
        let known = &mut coverage[font];
        if known.is_empty() {
            known.resize(COVERAGE_CACHED, 0);
        }
        match known[cp] {
            1 => true,
            2 => false,
            _ => {
                let has = self.face(font).glyph_index(ch).is_some();
                known[cp] = if has { 1 } else { 2 };
                has
            }
        }
    }

    /// The first font in the style's chain that has `ch`.
    pub fn font_for(&self, style: Style, ch: char) -> Option<FontId> {
        self.set.chain(style).find(|&id| self.covers(id, ch))
    }

    /// The first font in the style's chain that has every letter of `text`, so that a
    /// paragraph in a script the family lacks is set wholly in one fallback, digits and
    /// punctuation included, rather than alternating fonts.
    pub fn preferred(&self, style: Style, text: &str) -> FontId {
        self.set
            .chain(style)
            .find(|&id| {
                text.chars()
                    .filter(|c| c.is_alphabetic())
                    .all(|c| self.covers(id, c))
            })
            .unwrap_or_else(|| self.set.primary(style))
    }

    /// Shapes one run of text in one font and one direction, with kerning, ligatures and,
    /// right to left, joining forms and mirrored brackets.
    ///
    /// The glyphs come back in logical order (clusters ascending) whatever the direction, so
    /// that breaking, widths and text ranges work the same for both; a right-to-left run is
    /// reversed again when its line is laid out (see `paragraph::Typesetter::line`).
    pub fn shape(&self, font: FontId, text: &str, rtl: bool) -> Vec<Glyph> {
        self.shape_as(font, text, rtl, self.language.as_ref())
    }

    /// [`Shaper::shape`] in another language than the document's (a `<span lang>`), whose
    /// localised forms (`locl`) the font may have.
    pub fn shape_as(
        &self,
        font: FontId,
        text: &str,
        rtl: bool,
        language: Option<&rustybuzz::Language>,
    ) -> Vec<Glyph> {
        let face = self.face(font);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        if let Some(lang) = language {
            buffer.set_language(lang.clone());
        }
        buffer.guess_segment_properties();
        let direction = if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        };
        buffer.set_direction(direction);
        if rtl {
            // Marks keep their own characters: a mark glyph merged into its base's cluster
            // would map to no text, which PDF/UA refuses, or share its base's text, which
            // stops the run from being written as one reversed string.
            buffer.set_cluster_level(rustybuzz::BufferClusterLevel::Characters);
        }
        let script = buffer.script();
        // Ideographs and kana are set solid (CLREQ, JLREQ): the kerning some CJK fonts carry
        // for kana pairs would make the space between characters uneven, which justification
        // then cannot even out.
        // A run with a Latin word first is still set solid: its script is Latin, but kana
        // after the word would be kerned.
        let solid = text.chars().any(is_cjk);
        let features: &[rustybuzz::Feature] = if solid { &[NO_KERN] } else { &[] };
        let plan = self
            .plans
            .borrow_mut()
            .entry((font, script, rtl, language.cloned(), solid))
            .or_insert_with(|| {
                Rc::new(rustybuzz::ShapePlan::new(
                    face,
                    direction,
                    Some(script),
                    language,
                    features,
                ))
            })
            .clone();
        let output = rustybuzz::shape_with_plan(face, &plan, buffer);
        let upem = self.set.fonts[font].units_per_em;
        let mut glyphs: Vec<Glyph> = output
            .glyph_infos()
            .iter()
            .zip(output.glyph_positions())
            .map(|(info, pos)| Glyph {
                id: info.glyph_id as u16,
                cluster: info.cluster,
                advance: pos.x_advance as f32 / upem,
                kern: face
                    .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(info.glyph_id as u16))
                    .map_or(0.0, |a| (pos.x_advance - a as i32) as f32 / upem),
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
            })
            .collect();
        if rtl {
            glyphs.reverse();
        }
        glyphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::FontPath;

    #[test]
    fn bundled_fonts_parse_and_cover_latin_greek_cyrillic() {
        let set = FontSet::bundled();
        let shaper = Shaper::new(&set, "en");
        for ch in ['a', 'é', 'Ω', '’', '–', '\u{00A0}'] {
            assert_eq!(shaper.font_for(Style::default(), ch), Some(0), "{ch}");
        }
        // Greek and Cyrillic come from Liberation Serif, whose Times metrics match Termes.
        assert_eq!(shaper.font_for(Style::default(), 'Ж'), Some(4));
        assert_eq!(shaper.font_for(Style::default(), '\u{202F}'), Some(4));
        assert_eq!(shaper.font_for(Style::default(), 'ب'), Some(12));
        let bold = Style {
            strong: true,
            emphasis: false,
        };
        assert_eq!(shaper.font_for(bold, 'Ж'), Some(5));
        assert_eq!(shaper.preferred(Style::default(), "Москва, 2026"), 4);
        assert_eq!(shaper.preferred(Style::default(), "Paris, 2026"), 0);
        assert_eq!(shaper.font_for(Style::default(), '\u{1F600}'), None);
    }

    #[test]
    fn shaping_kerns_and_ligates() {
        let set = FontSet::bundled();
        let shaper = Shaper::new(&set, "en");
        let fi = shaper.shape(0, "fi", false);
        assert_eq!(fi.len(), 1, "fi ligature");
        let av = shaper.shape(0, "AV", false);
        let a = shaper.shape(0, "A", false);
        assert!(av[0].advance < a[0].advance, "A-V kerning");
    }

    #[test]
    fn arabic_is_shaped_right_to_left_with_joining_forms_and_lam_alef() {
        let set = FontSet::bundled();
        let shaper = Shaper::new(&set, "ar");
        let naskh = shaper.font_for(Style::default(), 'ب').unwrap();
        // Logical order back, whatever the direction: clusters ascend.
        let word = shaper.shape(naskh, "بيان", true);
        assert!(word.windows(2).all(|w| w[0].cluster <= w[1].cluster));
        // Joined, a letter takes another form than alone.
        let alone = shaper.shape(naskh, "ب", true)[0].id;
        assert_ne!(word[0].id, alone, "initial beh");
        // Lam-alef: one glyph with ink for the two letters.
        let la = shaper.shape(naskh, "لا", true);
        assert_eq!(la.iter().filter(|g| g.advance > 0.0).count(), 1, "{la:?}");
        assert_eq!(la[0].cluster, 0);
    }

    #[test]
    fn styles_pick_their_faces() {
        let set = FontSet::bundled();
        let bold = Style {
            strong: true,
            emphasis: false,
        };
        assert_eq!(set.get(set.primary(bold)).name, "TeX Gyre Termes Bold");
    }

    #[test]
    fn a_missing_font_file_is_named() {
        let mut layout = Layout::default();
        layout.fonts.regular = Some(FontPath::new("/nonexistent/X.ttf"));
        let err = FontSet::load(&layout).unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot read font /nonexistent/X.ttf"),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_font_is_named() {
        let mut layout = Layout::default();
        layout.fonts.bold = Some(FontPath::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/Cargo.toml"
        )));
        let err = FontSet::load(&layout).unwrap_err();
        assert!(
            err.to_string()
                .contains("is not a TrueType or OpenType font"),
            "{err}"
        );
    }

    #[test]
    fn a_bundled_family_is_found_by_name_in_any_case() {
        let mut layout = Layout::default();
        layout.fonts.family = Some(crate::layout::FamilyName {
            name: "liberation serif".into(),
            location: None,
        });
        let set = FontSet::load(&layout).unwrap();
        assert_eq!(
            set.get(set.primary(Style::default())).name,
            "Liberation Serif"
        );
        let bold = Style {
            strong: true,
            emphasis: false,
        };
        assert_eq!(set.get(set.primary(bold)).name, "Liberation Serif Bold");
    }

    #[test]
    fn an_unknown_family_lists_the_closest_names() {
        let mut layout = Layout::default();
        layout.fonts.family = Some(crate::layout::FamilyName {
            name: "Liberaton Serif".into(),
            location: None,
        });
        let err = FontSet::load(&layout).unwrap_err().to_string();
        assert!(
            err.contains("font family `Liberaton Serif` is neither bundled nor installed"),
            "{err}"
        );
        assert!(err.contains("closest names: Liberation Serif"), "{err}");
    }

    /// The installed Noto Serif CJK (Debian fonts-noto-cjk), or a loud skip outside CI.
    fn noto_cjk_installed() -> bool {
        let found = system::family("Noto Serif CJK SC").is_some();
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "Noto Serif CJK is not installed (apt install fonts-noto-cjk)"
            );
            eprintln!("SKIPPED: Noto Serif CJK is not installed (apt install fonts-noto-cjk)");
        }
        found
    }

    #[test]
    fn faces_of_a_collection_are_told_apart() {
        if !noto_cjk_installed() {
            return;
        }
        let [Some(sc), Some(sc_bold), ..] = system::family("Noto Serif CJK SC").unwrap() else {
            panic!("regular and bold");
        };
        let [Some(jp), ..] = system::family("Noto Serif CJK JP").unwrap() else {
            panic!("regular");
        };
        assert_ne!(sc.index, jp.index, "two faces of one .ttc");
        assert_eq!(sc_bold.name, "Noto Serif CJK SC Bold");
        // The same character takes the regional form of each face: 骨 differs between
        // Simplified Chinese and Japanese.
        let glyph = |f: &Font| {
            ttf_parser::Face::parse(f.bytes(), f.index)
                .unwrap()
                .glyph_index('骨')
                .unwrap()
        };
        assert_ne!(glyph(&sc), glyph(&jp));
    }

    #[test]
    fn cjk_text_brings_in_the_installed_cjk_serif_for_its_language() {
        if !noto_cjk_installed() {
            return;
        }
        let set = FontSet::bundled();
        assert!(set.with_cjk("Geneva, 2026", "en").unwrap().is_none());
        let zh = set.with_cjk("日内瓦", "zh-Hans").unwrap().unwrap();
        let shaper = Shaper::new(&zh, "zh-Hans");
        let id = shaper.font_for(Style::default(), '水').unwrap();
        assert_eq!(zh.get(id).name, "Noto Serif CJK SC");
        let ja = set.with_cjk("ジュネーブ", "ja").unwrap().unwrap();
        let id = Shaper::new(&ja, "ja")
            .font_for(Style::default(), 'ジ')
            .unwrap();
        assert_eq!(ja.get(id).name, "Noto Serif CJK JP");
        // A set that already draws CJK (a layout's family) needs nothing more.
        assert!(zh.with_cjk("日内瓦", "zh-Hans").unwrap().is_none());
    }
}

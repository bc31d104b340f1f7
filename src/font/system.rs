//! Fonts by family name, and the system CJK fallback.
//!
//! A family named in a layout is looked up in this order: the bundled families (compiled in,
//! so a layout naming them builds the same everywhere), then the fonts installed on the system
//! as fontdb finds them (fontconfig's folders on Linux, the platform's font folders elsewhere).
//! Files are read once per process and shared: a CJK collection is 20-30 MB.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::{Bytes, Font};

/// One style of a bundled family: regular, bold, italic, bold italic.
type Styles = [Option<&'static [u8]>; 4];

/// The bundled families, in the order they are searched and listed.
pub(super) fn bundled_families() -> [(&'static str, Styles); 4] {
    use super::*;
    [
        (
            "TeX Gyre Termes",
            [
                Some(TERMES_REGULAR),
                Some(TERMES_BOLD),
                Some(TERMES_ITALIC),
                Some(TERMES_BOLD_ITALIC),
            ],
        ),
        (
            "Liberation Serif",
            [
                Some(LIBERATION_REGULAR),
                Some(LIBERATION_BOLD),
                Some(LIBERATION_ITALIC),
                Some(LIBERATION_BOLD_ITALIC),
            ],
        ),
        (
            "Noto Serif",
            [
                Some(SERIF_REGULAR),
                Some(SERIF_BOLD),
                Some(SERIF_ITALIC),
                Some(SERIF_BOLD_ITALIC),
            ],
        ),
        (
            "Noto Naskh Arabic",
            [Some(NASKH_REGULAR), Some(NASKH_BOLD), None, None],
        ),
    ]
}

const STYLE_NAMES: [&str; 4] = ["Regular", "Bold", "Italic", "Bold Italic"];

/// The installed fonts, scanned once per process (a few tens of milliseconds).
fn system() -> &'static fontdb::Database {
    static SYSTEM: OnceLock<fontdb::Database> = OnceLock::new();
    SYSTEM.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db
    })
}

/// A face of a file, read once per process.
fn load_face(path: &Path, index: u32, name: String) -> Option<Font> {
    static LOADED: OnceLock<Mutex<HashMap<(PathBuf, u32), Font>>> = OnceLock::new();
    let cache = LOADED.get_or_init(Default::default);
    let key = (path.to_path_buf(), index);
    if let Some(font) = cache.lock().ok()?.get(&key) {
        return Some(font.clone());
    }
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the map is read-only and the file is an installed font. Packages replace fonts
    // by writing a new file and renaming it, which leaves the mapped one intact; only a font
    // truncated in place while we run could fault, the trade fontdb makes when it scans the
    // same files. Fonts a layout names by path are read instead (see `Font::load`): those
    // are the user's files, which an editor may rewrite in place while `watch` runs.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let font = Font::new(name, Bytes::Mapped(Arc::new(map)), index)?;
    if let Ok(mut cache) = cache.lock() {
        cache.insert(key, font.clone());
    }
    Some(font)
}

/// The English (or first) family name of an installed face.
fn family_of(face: &fontdb::FaceInfo) -> Option<&str> {
    face.families
        .iter()
        .find(|(_, l)| *l == fontdb::Language::English_UnitedStates)
        .or(face.families.first())
        .map(|(n, _)| n.as_str())
}

/// The four styles of a family, by name (any case); `None` when neither a bundled nor an
/// installed family has that name. A style the family lacks is `None`.
pub(super) fn family(name: &str) -> Option<[Option<Font>; 4]> {
    let wanted = name.trim();
    for (family, styles) in bundled_families() {
        if family.eq_ignore_ascii_case(wanted) {
            return Some(std::array::from_fn(|i| {
                styles[i].and_then(|b| {
                    let name = match i {
                        0 => family.to_string(),
                        _ => format!("{family} {}", STYLE_NAMES[i]),
                    };
                    Font::new(name, Bytes::Static(b), 0)
                })
            }));
        }
    }
    let db = system();
    let canonical = db
        .faces()
        .filter_map(family_of)
        .find(|f| f.eq_ignore_ascii_case(wanted))?
        .to_string();
    Some(std::array::from_fn(|i| {
        let weight = if i % 2 == 1 {
            fontdb::Weight::BOLD
        } else {
            fontdb::Weight::NORMAL
        };
        let style = if i >= 2 {
            fontdb::Style::Italic
        } else {
            fontdb::Style::Normal
        };
        let id = db.query(&fontdb::Query {
            families: &[fontdb::Family::Name(&canonical)],
            weight,
            stretch: fontdb::Stretch::Normal,
            style,
        })?;
        let face = db.face(id)?;
        // fontdb answers with the nearest face; a style the family lacks is left to the
        // bundled family rather than faked with another weight or slant.
        if (face.weight.0 >= 600) != (i % 2 == 1)
            || (face.style != fontdb::Style::Normal) != (i >= 2)
        {
            return None;
        }
        let path = match &face.source {
            fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
            fontdb::Source::Binary(_) => return None,
        };
        let name = match i {
            0 => canonical.clone(),
            _ => format!("{canonical} {}", STYLE_NAMES[i]),
        };
        load_face(&path, face.index, name)
    }))
}

/// Up to three family names close to `name`, for the message when it is not found.
pub(super) fn closest(name: &str) -> Vec<String> {
    let wanted = name.trim().to_lowercase();
    let mut scored: Vec<(f64, String)> = families()
        .into_iter()
        .map(|f| {
            (
                strsim::jaro_winkler(&wanted, &f.name.to_lowercase()),
                f.name,
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// A family as `communique fonts` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyInfo {
    pub name: String,
    /// Style names ("Regular", "Bold", "Light Italic" ...) with where each comes from.
    pub styles: Vec<(String, String)>,
    pub bundled: bool,
}

/// Every family a layout can name: the bundled ones first, then the installed ones by name.
pub fn families() -> Vec<FamilyInfo> {
    let mut out: Vec<FamilyInfo> = bundled_families()
        .into_iter()
        .map(|(name, styles)| FamilyInfo {
            name: name.to_string(),
            styles: styles
                .iter()
                .zip(STYLE_NAMES)
                .filter(|(b, _)| b.is_some())
                .map(|(_, s)| (s.to_string(), "bundled".to_string()))
                .collect(),
            bundled: true,
        })
        .collect();
    let mut installed: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for face in system().faces() {
        let Some(name) = family_of(face) else {
            continue;
        };
        let source = match &face.source {
            fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => {
                if face.index > 0 || is_collection(p) {
                    format!("{} (face {})", p.display(), face.index)
                } else {
                    p.display().to_string()
                }
            }
            fontdb::Source::Binary(_) => "memory".to_string(),
        };
        installed
            .entry(name.to_string())
            .or_default()
            .push((style_name(face), source));
    }
    for (name, mut styles) in installed {
        styles.sort();
        styles.dedup();
        out.push(FamilyInfo {
            name,
            styles,
            bundled: false,
        });
    }
    out
}

fn is_collection(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ttc") || e.eq_ignore_ascii_case("otc"))
}

fn style_name(face: &fontdb::FaceInfo) -> String {
    let weight = match face.weight.0 {
        0..=149 => "Thin",
        150..=249 => "ExtraLight",
        250..=349 => "Light",
        350..=449 => "Regular",
        450..=549 => "Medium",
        550..=649 => "SemiBold",
        650..=749 => "Bold",
        750..=849 => "ExtraBold",
        _ => "Black",
    };
    let style = match (face.style, weight) {
        (fontdb::Style::Normal, w) => w.to_string(),
        (_, "Regular") => "Italic".to_string(),
        (_, w) => format!("{w} Italic"),
    };
    let width = match face.stretch {
        fontdb::Stretch::Normal => "",
        fontdb::Stretch::UltraCondensed
        | fontdb::Stretch::ExtraCondensed
        | fontdb::Stretch::Condensed
        | fontdb::Stretch::SemiCondensed => "Condensed ",
        _ => "Expanded ",
    };
    format!("{width}{style}")
}

/// The installed serif CJK families tried for a statement in `language`, best first: the
/// regional Noto Serif CJK (Debian's fonts-noto-cjk), its Adobe twin Source Han Serif, then the
/// fonts other systems ship (AR PL UMing on older Linux, IPAex Mincho, macOS and Windows).
pub(super) fn cjk_candidates(language: &str) -> &'static [&'static str] {
    let lower = language.to_ascii_lowercase();
    if lower.starts_with("ja") {
        &[
            "Noto Serif CJK JP",
            "Source Han Serif JP",
            "Source Han Serif",
            "IPAexMincho",
            "IPAMincho",
            "Hiragino Mincho ProN",
            "Yu Mincho",
            "MS Mincho",
            "Noto Serif CJK SC",
            "Noto Serif CJK TC",
        ]
    } else if lower.starts_with("zh-hant")
        || lower.starts_with("zh-tw")
        || lower.starts_with("zh-hk")
        || lower.starts_with("zh-mo")
    {
        &[
            "Noto Serif CJK TC",
            "Source Han Serif TC",
            "Source Han Serif",
            "AR PL UMing TW",
            "AR PL UMing HK",
            "Songti TC",
            "PMingLiU",
            "MingLiU",
            "Noto Serif CJK SC",
            "Noto Serif CJK JP",
        ]
    } else {
        &[
            "Noto Serif CJK SC",
            "Source Han Serif SC",
            "Source Han Serif",
            "AR PL UMing CN",
            "Songti SC",
            "SimSun",
            "Noto Serif CJK TC",
            "Noto Serif CJK JP",
        ]
    }
}

/// The regular and bold faces of the first installed CJK serif family for `language` (the
/// regular face again when the family has no bold), or the names searched.
pub(super) fn cjk_fallback(language: &str) -> Result<[Font; 2], Vec<String>> {
    cjk_fallback_in(language, family)
}

/// [`cjk_fallback`] with the family lookup given, so that a system without CJK fonts can be
/// tested.
fn cjk_fallback_in(
    language: &str,
    family: impl Fn(&str) -> Option<[Option<Font>; 4]>,
) -> Result<[Font; 2], Vec<String>> {
    let candidates = cjk_candidates(language);
    for name in candidates {
        if let Some([Some(regular), bold, ..]) = family(name) {
            let bold = bold.unwrap_or_else(|| regular.clone());
            return Ok([regular, bold]);
        }
    }
    Err(candidates.iter().map(|s| s.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_cjk_font_the_families_searched_are_named() {
        let searched = cjk_fallback_in("ja", |_| None).err().unwrap();
        assert_eq!(searched[0], "Noto Serif CJK JP");
        assert!(searched.contains(&"IPAexMincho".to_string()));
        let problem = crate::error::Problem::NoCjkFont {
            language: "ja".into(),
            searched,
        };
        let message = problem.to_string();
        assert!(
            message.starts_with(
                "the statement needs a Chinese or Japanese font (ja) and none was found; \
                 searched the layout's fonts and the installed families Noto Serif CJK JP, "
            ),
            "{message}"
        );
        assert!(message.contains("apt install fonts-noto-cjk"), "{message}");
    }

    #[test]
    fn each_language_tries_its_own_glyph_forms_first() {
        assert_eq!(cjk_candidates("zh-Hans")[0], "Noto Serif CJK SC");
        assert_eq!(cjk_candidates("zh-CN")[0], "Noto Serif CJK SC");
        assert_eq!(cjk_candidates("zh-Hant")[0], "Noto Serif CJK TC");
        assert_eq!(cjk_candidates("zh-TW")[0], "Noto Serif CJK TC");
        assert_eq!(cjk_candidates("ja-JP")[0], "Noto Serif CJK JP");
    }
}

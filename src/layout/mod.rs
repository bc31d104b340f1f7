//! Layout files: TOML -> [`Layout`]. Every key has a default, so an empty file is a layout;
//! `layouts/default.toml` spells the defaults out and is compiled in.

mod read;
mod strings;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location};
pub use crate::image::ImagePath;

/// The bundled default layout, used when `build` gets no `--layout`.
pub const DEFAULT_LAYOUT: &str = include_str!("../../layouts/default.toml");
pub const DEFAULT_LAYOUT_NAME: &str = "layouts/default.toml (built in)";

/// A layout compiled into the binary, usable by name (`--layout coalition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundled {
    pub name: &'static str,
    /// One line for `communique layouts`.
    pub description: &'static str,
    /// The TOML text, as in `layouts/NAME.toml`.
    pub text: &'static str,
}

/// The folder bundled layouts pretend to live in: their relative paths (the ministry emblem)
/// resolve under it, and [`bundled_asset`] serves them from the binary.
pub const BUNDLED_DIR: &str = "(built in)";

const BUNDLED: &[Bundled] = &[
    Bundled {
        name: "default",
        description: "plain: title block, justified body, \"Page N of M\"; used without --layout",
        text: DEFAULT_LAYOUT,
    },
    Bundled {
        name: "coalition",
        description: "a coalition statement: letterhead line with a blue rule, centred title, A4",
        text: include_str!("../../layouts/coalition.toml"),
    },
    Bundled {
        name: "memo",
        description: "a US Letter memorandum: MEMORANDUM line, reference header, ragged right",
        text: include_str!("../../layouts/memo.toml"),
    },
    Bundled {
        name: "ministry",
        description: "a ministry press release: emblem and letterhead, release and reference lines",
        text: include_str!("../../layouts/ministry.toml"),
    },
];

/// Files the bundled layouts name, by their path relative to `layouts/`.
const BUNDLED_ASSETS: &[(&str, &[u8])] = &[
    (
        "assets/ministry-emblem.svg",
        include_bytes!("../../layouts/assets/ministry-emblem.svg"),
    ),
    (
        "assets/ministry-emblem.png",
        include_bytes!("../../layouts/assets/ministry-emblem.png"),
    ),
];

/// communique's own translation of an English template line (page numbers, reference and
/// release lines, signature labels) into `language`, if it has one.
pub fn bundled_translation(language: &str, english: &str) -> Option<&'static str> {
    strings::builtin(language, english)
}

/// Every layout compiled into the binary, `default` first.
pub fn bundled() -> &'static [Bundled] {
    BUNDLED
}

/// The files the bundled layouts name, by their path relative to `layouts/`.
pub fn bundled_assets() -> &'static [(&'static str, &'static [u8])] {
    BUNDLED_ASSETS
}

/// The bytes of a file a bundled layout names (as [`Layout::resolve`] gives its path).
pub fn bundled_asset(path: &Path) -> Option<&'static [u8]> {
    let rel = path.strip_prefix(BUNDLED_DIR).ok()?;
    BUNDLED_ASSETS
        .iter()
        .find(|(name, _)| Path::new(name) == rel)
        .map(|(_, bytes)| *bytes)
}

/// The bundled layout a `--layout` value names, if it names one: a bare name (no folder, no
/// `.toml`) that is not an existing file. An existing file of that name wins.
pub fn bundled_named(arg: &Path) -> Option<&'static Bundled> {
    let name = arg.to_str()?;
    if name.contains(['/', '\\']) || name.ends_with(".toml") || arg.exists() {
        return None;
    }
    BUNDLED.iter().find(|b| b.name == name)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The file it came from; relative paths in it are resolved against its folder.
    pub path: Option<PathBuf>,
    pub page: Page,
    pub fonts: Fonts,
    pub letterhead: Letterhead,
    pub title: Block,
    pub subtitle: Block,
    pub dateline: Block,
    pub heading: Block,
    pub subheading: Block,
    pub body: Body,
    pub signature: Block,
    /// Draw a visible signature field beside the signature block when the PDF is signed.
    pub signature_visible: bool,
    /// Reserve one empty visible signature field per signatory when the PDF is built.
    pub signature_fields: bool,
    /// Signatories side by side in this many columns (1 = stacked).
    pub signature_columns: usize,
    /// Height of a signatory's signature image, drawn above the name.
    pub signature_image_height: f32,
    /// The release line ("FOR IMMEDIATE RELEASE", an embargo).
    pub release: Release,
    /// The reference number line.
    pub reference: Reference,
    /// The smaller header on pages after the first.
    pub continuation: Continuation,
    pub footer: Footer,
    pub pdf: Pdf,
    /// `[translations.LANG]`: template lines in other languages, by lower-case language tag,
    /// then by the English line they replace.
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
}

/// Dimensions in PDF points (1/72 in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub margins: Margins,
    /// Whether left and right placements of the page furniture swap.
    pub mirror: Mirror,
}

/// `[page] mirror`: a layout drawn for left-to-right statements (logo at the left, signatures
/// at the left...) swaps its left and right placements for a right-to-left statement, unless
/// it says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirror {
    /// Mirror for right-to-left statements only.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fonts {
    /// A family by name, bundled or installed (see `font::system`); the style paths below
    /// override its faces one by one.
    pub family: Option<FamilyName>,
    pub regular: Option<FontPath>,
    pub bold: Option<FontPath>,
    pub italic: Option<FontPath>,
    pub bold_italic: Option<FontPath>,
    /// Files (a name ending in .ttf, .otf, .ttc or .otc) or family names.
    pub fallback: Vec<FontPath>,
}

/// A font family named in a layout, with where it was named.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyName {
    pub name: String,
    pub location: Option<Location>,
}

impl FontPath {
    /// Whether this names a file rather than a family: it ends in a font file extension.
    pub fn is_file(&self) -> bool {
        self.path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| {
                ["ttf", "otf", "ttc", "otc"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            })
    }
}

/// A font file named in a layout, with where it was named, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct FontPath {
    /// As written: relative to the layout file's folder.
    pub path: PathBuf,
    pub location: Option<Location>,
}

impl FontPath {
    pub fn new(path: impl Into<PathBuf>) -> FontPath {
        FontPath {
            path: path.into(),
            location: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// sRGB, 8 bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub thickness: f32,
    pub color: Color,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Letterhead {
    pub lines: Vec<LetterheadLine>,
    /// Defaults for the lines.
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    pub align: Align,
    pub color: Color,
    pub logo: Option<Logo>,
    /// Where the logo goes relative to the lines.
    pub arrangement: Arrangement,
    pub rule: Option<Rule>,
    /// Space between the letterhead (or its rule) and the title.
    pub space_after: f32,
}

/// One line of the letterhead, in its own style. `{reference}`, `{date}` and `{title}` are
/// replaced; a line whose placeholder has no value is left out.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterheadLine {
    pub text: String,
    /// Where the line was written, for messages about its text.
    pub location: Option<Location>,
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    pub align: Align,
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// The logo above the lines, placed by the logo's `align`.
    Stacked,
    /// Two columns: the logo on the left, the lines to its right.
    LogoLeft,
    /// Two columns: the lines on the left, the logo on the right.
    LogoRight,
}

/// A letterhead image. Tagged as a `Figure` with `alt`, or an artifact when `alt` is `None`
/// (the layout said `artifact = true`).
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub image: ImagePath,
    /// In points; when only one is given the other follows the image's aspect ratio.
    pub width: Option<f32>,
    pub height: Option<f32>,
    pub align: Align,
    pub alt: Option<String>,
    /// Space between the logo and the lines.
    pub gap: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleasePosition {
    None,
    AboveTitle,
    /// On the dateline's first baseline, at the left; the dateline is set flush right.
    LeftOfDateline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub position: ReleasePosition,
    /// Shown when the statement has neither `embargo` nor `release` (e.g. "MEMORANDUM").
    pub text: String,
    pub block: Block,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferencePosition {
    None,
    AboveTitle,
    BelowDateline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub position: ReferencePosition,
    /// With placeholders; the default is `{reference}`.
    pub text: String,
    pub block: Block,
}

/// The header of pages 2 and later, in the top margin; empty text means none.
#[derive(Debug, Clone, PartialEq)]
pub struct Continuation {
    pub text: String,
    /// Where `text` was written, for messages about it.
    pub location: Option<Location>,
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    pub align: Align,
    pub color: Color,
    pub rule: Option<Rule>,
}

/// A display block: title, subtitle, dateline, headings, signature lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    pub size: f32,
    pub leading: f32,
    pub bold: bool,
    pub italic: bool,
    pub align: Align,
    pub color: Color,
    pub space_before: f32,
    pub space_after: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub size: f32,
    pub leading: f32,
    pub justify: bool,
    pub hyphenate: bool,
    pub paragraph_spacing: f32,
    pub first_line_indent: f32,
    /// Indent of list item bodies and block quotes, per level.
    pub indent: f32,
    pub color: Color,
    /// Largest adjustment ratio the line breaker accepts before it falls back to emergency
    /// stretch (TeX's `\tolerance` expressed as a ratio: badness 100 r^3).
    pub tolerance: f32,
    pub widows: usize,
    pub orphans: usize,
    /// Largest horizontal glyph scaling for justification, as a fraction (0.02 = 2%).
    pub expansion: f32,
    /// Whether punctuation and hyphens hang into the right margin.
    pub protrusion: bool,
    /// Space between a Han character or kana and a Latin letter or digit, in em (CLREQ and
    /// JLREQ: a quarter em).
    pub cjk_latin_space: f32,
    /// Most space a justified line may add between two CJK characters, in em.
    pub cjk_stretch: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footer {
    /// Placeholders (`{page}`, `{pages}`, `{reference}`, `{date}`, `{title}`) are replaced;
    /// each line (split at `\n`) whose placeholder has no value is left out; empty means no
    /// footer.
    pub text: String,
    /// Where `text` was written, for messages about it.
    pub location: Option<Location>,
    pub size: f32,
    pub align: Align,
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    A1b,
    A2a,
    A2b,
    A2u,
    A3a,
    Ua1,
}

impl Standard {
    pub const ARCHIVAL_NAMES: &'static str = "a-1b, a-2a, a-2b, a-2u, a-3a";

    pub fn parse(name: &str) -> Option<Standard> {
        Some(match name.to_ascii_lowercase().as_str() {
            "a-1b" => Standard::A1b,
            "a-2a" => Standard::A2a,
            "a-2b" => Standard::A2b,
            "a-2u" => Standard::A2u,
            "a-3a" => Standard::A3a,
            "ua-1" => Standard::Ua1,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Standard::A1b => "a-1b",
            Standard::A2a => "a-2a",
            Standard::A2b => "a-2b",
            Standard::A2u => "a-2u",
            Standard::A3a => "a-3a",
            Standard::Ua1 => "ua-1",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pdf {
    pub standards: Vec<Standard>,
    /// Attach the statement, this layout, its images and a build record (PDF/A-3a), as
    /// `--embed-source` does.
    pub embed_source: bool,
}

impl Layout {
    /// Loads a layout file.
    pub fn load(path: &Path) -> Result<Layout, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut layout = Layout::parse(path, &text)?;
        layout.load_images()?;
        Ok(layout)
    }

    /// Reads and decodes the images the layout names (its logo), relative to its folder, so
    /// that typesetting does no I/O and a batch decodes them once. [`Layout::load`] calls it.
    pub fn load_images(&mut self) -> Result<(), Error> {
        let mut problems = crate::image::Problems::default();
        let resolved = self
            .letterhead
            .logo
            .as_ref()
            .map(|logo| self.resolve(&logo.image.path));
        if let (Some(logo), Some(resolved)) = (&mut self.letterhead.logo, resolved) {
            problems.load(&mut logo.image, &resolved)?;
        }
        problems.finish()
    }

    /// Every image file the layout names, as read (for embedding the sources).
    pub fn images(&self) -> Vec<&crate::image::Loaded> {
        let logo = self.letterhead.logo.as_ref();
        logo.and_then(|l| l.image.loaded.as_deref())
            .into_iter()
            .collect()
    }

    /// Loads a `--layout` value: a layout file, or the name of a bundled layout
    /// ([`bundled_named`]). A missing file that is no bundled name says which names there are.
    pub fn load_arg(arg: &Path) -> Result<Layout, Error> {
        if let Some(b) = bundled_named(arg) {
            return Ok(Layout::from_bundled(b));
        }
        Layout::load(arg).map_err(|e| match e {
            Error::Read { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
                Error::Read {
                    path,
                    source: std::io::Error::new(
                        source.kind(),
                        format!(
                            "no such file, and no bundled layout of that name (bundled: {})",
                            names.join(", ")
                        ),
                    ),
                }
            }
            e => e,
        })
    }

    /// A bundled layout; its relative paths resolve to the bundled assets.
    pub fn from_bundled(b: &Bundled) -> Layout {
        if b.name == "default" {
            return Layout::builtin();
        }
        let mut layout = Layout::parse(
            &Path::new(BUNDLED_DIR).join(format!("{}.toml", b.name)),
            b.text,
        )
        .expect("the bundled layouts are valid (tested)");
        layout
            .load_images()
            .expect("the bundled layouts' images are compiled in (tested)");
        layout
    }

    /// The compiled-in default layout.
    pub fn builtin() -> Layout {
        Layout::parse(Path::new(DEFAULT_LAYOUT_NAME), DEFAULT_LAYOUT)
            .expect("the bundled default layout is valid (tested)")
    }

    /// Parses layout TOML; `path` names it in messages and anchors relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Layout, Error> {
        read::parse(path, text)
    }

    /// Width of the text column.
    pub fn measure(&self) -> f32 {
        self.page.width - self.page.margins.left - self.page.margins.right
    }

    /// Whether the page furniture is mirrored for a statement of this direction.
    pub fn mirrors(&self, rtl: bool) -> bool {
        match self.page.mirror {
            Mirror::Auto => rtl,
            Mirror::Always => true,
            Mirror::Never => false,
        }
    }

    /// The layout as a statement of this direction uses it. Right to left, the text blocks
    /// (title, subtitle, dateline, headings) swap "left" and "right", since for them the
    /// layout's "left" means "where lines start"; the page furniture (letterhead, logo,
    /// release and reference lines, signatures, continuation header, footer) swaps when
    /// [`Layout::mirrors`] says so. Unchanged, and not copied, for left-to-right statements
    /// with `mirror` other than "always".
    pub fn directed(&self, rtl: bool) -> Cow<'_, Layout> {
        let mirror = self.mirrors(rtl);
        if !rtl && !mirror {
            return Cow::Borrowed(self);
        }
        fn swap(a: &mut Align) {
            *a = match *a {
                Align::Left => Align::Right,
                Align::Right => Align::Left,
                Align::Center => Align::Center,
            };
        }
        let mut l = self.clone();
        if rtl {
            for b in [
                &mut l.title,
                &mut l.subtitle,
                &mut l.dateline,
                &mut l.heading,
                &mut l.subheading,
            ] {
                swap(&mut b.align);
            }
        }
        if mirror {
            let lh = &mut l.letterhead;
            swap(&mut lh.align);
            lh.lines.iter_mut().for_each(|line| swap(&mut line.align));
            if let Some(logo) = &mut lh.logo {
                swap(&mut logo.align);
            }
            lh.arrangement = match lh.arrangement {
                Arrangement::LogoLeft => Arrangement::LogoRight,
                Arrangement::LogoRight => Arrangement::LogoLeft,
                Arrangement::Stacked => Arrangement::Stacked,
            };
            swap(&mut l.release.block.align);
            swap(&mut l.reference.block.align);
            swap(&mut l.signature.align);
            swap(&mut l.continuation.align);
            swap(&mut l.footer.align);
        }
        Cow::Owned(l)
    }

    /// A template line of this layout in `language`: the layout's `[translations]` for the
    /// full tag, then for its language ("fr" for "fr-CH"), then communique's own table for
    /// the bundled layouts' strings, else the line as written (English).
    pub fn localized<'a>(&'a self, template: &'a str, language: &str) -> &'a str {
        let tag = language.to_ascii_lowercase();
        [tag.as_str(), strings::primary(language).as_str()]
            .into_iter()
            .find_map(|l| self.translations.get(l)?.get(template).map(String::as_str))
            .or_else(|| strings::builtin(language, template))
            .unwrap_or(template)
    }

    /// Every template line the layout writes (letterhead lines, release, reference,
    /// continuation and footer lines): what `[translations]` may translate.
    fn template_lines(&self) -> Vec<&str> {
        let mut lines: Vec<&str> = self
            .letterhead
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        lines.push(&self.release.text);
        lines.push(&self.reference.text);
        lines.extend(self.continuation.text.lines());
        lines.extend(self.footer.text.lines());
        // A signed PDF's visible signature says these (`sign::Labels`).
        lines.extend(crate::sign::Labels::TEMPLATES);
        lines.retain(|l| !l.trim().is_empty());
        lines
    }

    /// Resolves a path from the layout file against the layout's folder.
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if relative.is_relative() => dir.join(relative),
            _ => relative.to_path_buf(),
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        let block = |size: f32, bold: bool, space_after: f32| Block {
            size,
            leading: size * 1.25,
            bold,
            italic: false,
            align: Align::Center,
            color: Color::BLACK,
            space_before: 0.0,
            space_after,
        };
        Layout {
            path: None,
            page: Page {
                width: 595.2756,
                height: 841.8898,
                margins: Margins {
                    top: mm(25.0),
                    bottom: mm(25.0),
                    left: mm(25.0),
                    right: mm(25.0),
                },
                mirror: Mirror::Auto,
            },
            fonts: Fonts::default(),
            letterhead: Letterhead {
                lines: Vec::new(),
                size: 10.0,
                bold: true,
                italic: false,
                align: Align::Center,
                color: Color::BLACK,
                logo: None,
                arrangement: Arrangement::Stacked,
                rule: None,
                space_after: 18.0,
            },
            title: block(14.0, true, 4.0),
            subtitle: Block {
                italic: true,
                ..block(12.0, false, 4.0)
            },
            dateline: block(11.0, true, 18.0),
            heading: Block {
                align: Align::Left,
                space_before: 12.0,
                ..block(12.0, true, 4.0)
            },
            subheading: Block {
                align: Align::Left,
                italic: true,
                space_before: 8.0,
                ..block(11.0, true, 2.0)
            },
            body: Body {
                size: 11.0,
                leading: 14.0,
                justify: true,
                hyphenate: true,
                paragraph_spacing: 6.0,
                first_line_indent: 0.0,
                indent: 18.0,
                color: Color::BLACK,
                tolerance: 1.0,
                widows: 2,
                orphans: 2,
                expansion: 0.02,
                protrusion: true,
                cjk_latin_space: 0.25,
                cjk_stretch: 0.08,
            },
            signature: Block {
                align: Align::Left,
                space_before: 24.0,
                ..block(11.0, false, 0.0)
            },
            signature_visible: false,
            signature_fields: false,
            signature_columns: 1,
            signature_image_height: mm(12.0),
            release: Release {
                position: ReleasePosition::AboveTitle,
                text: String::new(),
                block: block(10.0, true, 12.0),
            },
            reference: Reference {
                position: ReferencePosition::None,
                text: "{reference}".to_string(),
                block: block(10.0, false, 6.0),
            },
            continuation: Continuation {
                text: String::new(),
                location: None,
                size: 9.0,
                bold: false,
                italic: false,
                align: Align::Center,
                color: Color::BLACK,
                rule: None,
            },
            footer: Footer {
                text: "Page {page} of {pages}".to_string(),
                location: None,
                size: 9.0,
                align: Align::Center,
                color: Color::BLACK,
            },
            pdf: Pdf {
                standards: vec![Standard::A2a, Standard::Ua1],
                embed_source: false,
            },
            translations: BTreeMap::new(),
        }
    }
}

pub(crate) fn mm(x: f32) -> f32 {
    x * 72.0 / 25.4
}

#[cfg(test)]
mod tests;

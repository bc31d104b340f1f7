//! Spans in another language: `<span lang="de">…</span>`, the one piece of inline HTML a
//! statement may use. CommonMark passes inline HTML through untouched, so this keeps statements
//! valid CommonMark while giving screen readers (/Lang), hyphenation and shaping the language of
//! a quoted title or name.

use std::ops::Range;
use std::sync::Arc;

use super::LangRun;

/// A recognised piece of inline HTML.
#[derive(Debug, PartialEq)]
pub(super) enum Markup {
    Open(Arc<str>),
    Close,
}

/// Reads one inline HTML tag; the error says what was expected instead.
pub(super) fn markup(html: &str) -> Result<Markup, String> {
    let found = html.trim();
    if let Some(rest) = found.strip_prefix("</")
        && rest
            .trim_end_matches('>')
            .trim()
            .eq_ignore_ascii_case("span")
        && rest.ends_with('>')
    {
        return Ok(Markup::Close);
    }
    let Some(inner) = found
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .map(|s| s.trim_end_matches('/').trim())
    else {
        return Err(not_supported(found));
    };
    let (name, attributes) = inner.split_at(inner.find(char::is_whitespace).unwrap_or(inner.len()));
    if !name.eq_ignore_ascii_case("span") {
        return Err(not_supported(found));
    }
    let attributes = attributes.trim();
    let value = attributes
        .strip_prefix("lang")
        .map(|s| s.trim_start())
        .and_then(|s| s.strip_prefix('='))
        .map(|s| s.trim_start())
        .and_then(|s| {
            let quote = s.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let s = &s[1..];
            let end = s.find(quote)?;
            // Anything after the closing quote is another attribute.
            s[end + 1..].trim().is_empty().then(|| &s[..end])
        });
    match value {
        None => Err(format!(
            "`{found}`: expected `<span lang=\"...\">` with a quoted language tag and no other \
             attribute"
        )),
        Some(tag) if !is_language_tag(tag) => Err(format!(
            "`{found}`: `{tag}` is not a language tag; expected a BCP 47 tag such as `de`, \
             `fr-CA` or `gsw` (2 or 3 letters, then optional subtags of 1 to 8 letters or digits)"
        )),
        Some(tag) => Ok(Markup::Open(Arc::from(tag))),
    }
}

fn not_supported(found: &str) -> String {
    format!(
        "inline HTML `{found}` is not supported; the only HTML a statement may use is \
         `<span lang=\"de\">...</span>` around words in another language"
    )
}

pub(super) fn unclosed(open: &str) -> String {
    format!("`{open}` is not closed; expected `</span>` before the end of the paragraph")
}

pub(super) const STRAY_CLOSE: &str =
    "`</span>` closes no span; expected it after a `<span lang=\"...\">` in the same paragraph";

/// Whether `tag` looks like a BCP 47 language tag: a primary language subtag of 2 or 3 letters,
/// then subtags of 1 to 8 letters or digits (script, region, variant). Registry membership is
/// not checked: a tag hypher or a screen reader does not know is still a fair thing to write.
pub fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary = subtags.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Takes the spans out of a front-matter string (the title, subtitle or dateline): the plain
/// text and where each language run is in it. An error comes with its byte position in `text`.
pub(super) fn split(text: &str) -> Result<(String, Vec<LangRun>), (usize, String)> {
    let mut out = String::new();
    let mut runs = Vec::new();
    let mut open: Vec<(usize, Range<usize>, Arc<str>)> = Vec::new();
    let mut rest = 0;
    let mut from = 0;
    while let Some(lt) = text[from..].find('<').map(|i| from + i) {
        from = lt + 1;
        // As in CommonMark, only `<` before a letter, `/` or `!` starts a tag: "a < b" is text.
        let next = text[lt + 1..].chars().next().unwrap_or(' ');
        if !(next.is_ascii_alphabetic() || matches!(next, '/' | '!')) {
            continue;
        }
        let Some(gt) = text[lt..].find('>').map(|i| lt + i + 1) else {
            break;
        };
        let tag = &text[lt..gt];
        push_run(&mut out, &mut runs, &open, &text[rest..lt]);
        match markup(tag) {
            Ok(Markup::Open(lang)) => open.push((lt, lt..gt, lang)),
            Ok(Markup::Close) => {
                if open.pop().is_none() {
                    return Err((lt, STRAY_CLOSE.to_string()));
                }
            }
            Err(message) => return Err((lt, message)),
        }
        rest = gt;
        from = gt;
    }
    if let Some((at, tag, _)) = open.last() {
        return Err((*at, unclosed(&text[tag.clone()])));
    }
    push_run(&mut out, &mut runs, &open, &text[rest..]);
    Ok((out, runs))
}

fn push_run(
    out: &mut String,
    runs: &mut Vec<LangRun>,
    open: &[(usize, Range<usize>, Arc<str>)],
    piece: &str,
) {
    let start = out.len();
    out.push_str(piece);
    if let Some((_, _, lang)) = open.last()
        && !piece.is_empty()
    {
        runs.push(LangRun {
            range: start..out.len(),
            lang: lang.clone(),
        });
    }
}

/// The ISO 639-1 codes, two letters each: a two-letter primary subtag outside this list
/// ("xx") is no language at all, most likely a typo.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv \
cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr \
ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw \
ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv \
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr \
ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi \
yo za zh zu";

/// Whether the primary subtag of `tag` names a language: any three-letter subtag (ISO 639-2
/// and -3 are too many to list), and a two-letter one from ISO 639-1.
pub fn is_known_language(tag: &str) -> bool {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.len() {
        2 => ISO_639_1.split_whitespace().any(|c| c == primary),
        3 => primary.bytes().all(|b| b.is_ascii_lowercase()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in ["de", "fr-CA", "gsw", "sr-Latn-RS", "es-419", "de-CH-1996"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "d",
            "deutsch",
            "de_DE",
            "de-",
            "fr--CA",
            "12",
            "de-abcdefghi",
            "dé",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn markup_forms() {
        assert_eq!(
            markup("<span lang=\"de\">").unwrap(),
            Markup::Open(Arc::from("de"))
        );
        assert_eq!(
            markup("<SPAN lang = 'fr-CA' >").unwrap(),
            Markup::Open(Arc::from("fr-CA"))
        );
        assert_eq!(markup("</span>").unwrap(), Markup::Close);
        assert_eq!(markup("</span >").unwrap(), Markup::Close);
        assert!(markup("<b>").unwrap_err().contains("not supported"));
        assert!(markup("</b>").unwrap_err().contains("not supported"));
        assert!(markup("<!-- x -->").unwrap_err().contains("not supported"));
        assert!(
            markup("<span>")
                .unwrap_err()
                .contains("expected `<span lang=")
        );
        assert!(
            markup("<span lang=\"de\" class=\"x\">")
                .unwrap_err()
                .contains("no other attribute")
        );
        assert!(
            markup("<span lang=\"german\">")
                .unwrap_err()
                .contains("`german` is not a language tag")
        );
    }

    #[test]
    fn front_matter_strings() {
        let (text, runs) = split("Die <span lang=\"fr\">Déclaration</span> von 2026").unwrap();
        assert_eq!(text, "Die Déclaration von 2026");
        assert_eq!(runs.len(), 1);
        assert_eq!(&text[runs[0].range.clone()], "Déclaration");
        assert_eq!(&*runs[0].lang, "fr");
        assert_eq!(split("a < b").unwrap().0, "a < b");
        assert_eq!(split("1 < 2 > 0").unwrap().0, "1 < 2 > 0");
        assert_eq!(split("x <span lang=\"de\">y").unwrap_err().0, 2);
        assert_eq!(split("x </span>").unwrap_err().0, 2);
        assert!(split("<i>x</i>").unwrap_err().1.contains("not supported"));
    }
}

//! Where a word may be hyphenated: Liang patterns (hypher) for the statement's language, soft
//! hyphens from the source, and the words that must never be hyphenated.

/// Fewest characters before and after a hyphen (TeX's \lefthyphenmin and \righthyphenmin).
const LEFT_MIN: usize = 2;
const RIGHT_MIN: usize = 3;
/// Shorter words are never hyphenated: breaking them gains little and reads badly.
const MIN_WORD: usize = 5;

pub(crate) const SOFT_HYPHEN: char = '\u{00AD}';

/// The hyphenation patterns for a BCP 47 tag, if we have them.
pub(crate) fn language(tag: &str) -> Option<hypher::Lang> {
    let primary = tag.split('-').next()?.to_ascii_lowercase();
    let code: [u8; 2] = primary.as_bytes().try_into().ok()?;
    hypher::Lang::from_iso(code)
}

/// Whether a whitespace-delimited token may be hyphenated at all: never acronyms, numbers,
/// addresses, codes, or anything with a slash. A compound with its own hyphen
/// ("Marchetti-Ndiaye", "information-sharing") may be, but only as a last resort (see
/// [`is_compound`]): TeX never does it, which leaves a loose line where nothing else fits.
pub(crate) fn token_allows_hyphenation(token: &str) -> bool {
    !token
        .chars()
        .any(|c| c.is_ascii_digit() || matches!(c, '/' | '@' | '\\' | '_' | '#' | '=' | '&'))
        && !is_url_like(token)
}

/// A word joined by its own hyphen, whose parts take an added hyphen only at a high penalty:
/// a second hyphen in the same word ("Was-ser-Rahmen...") reads as a different compound.
pub(crate) fn is_compound(token: &str) -> bool {
    token.contains(['-', '\u{2010}'])
}

/// URLs and e-mail addresses, which break at their own punctuation and never take a hyphen.
pub(crate) fn is_url_like(token: &str) -> bool {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.contains("://")
        || t.starts_with("www.")
        || (t.contains('@') && t.rsplit('@').next().is_some_and(|d| d.contains('.')))
}

/// Byte offsets inside `word` (a run of letters) where it may be hyphenated.
pub(crate) fn points(word: &str, lang: hypher::Lang) -> Vec<usize> {
    if word.contains(SOFT_HYPHEN) {
        // The author chose the places; they win over patterns.
        return word
            .match_indices(SOFT_HYPHEN)
            .map(|(i, _)| i)
            .filter(|&i| i > 0 && i < word.len() - SOFT_HYPHEN.len_utf8())
            .collect();
    }
    let chars = word.chars().count();
    if chars < MIN_WORD {
        return Vec::new();
    }
    let mut upper = word.chars().filter(|c| c.is_uppercase());
    // Two or more capitals: an acronym (ISIS) or a name like McAllister; leave it whole.
    if upper.next().is_some() && upper.next().is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut at = 0;
    let syllables: Vec<&str> = hypher::hyphenate_bounded(word, lang, LEFT_MIN, RIGHT_MIN).collect();
    for s in &syllables[..syllables.len().saturating_sub(1)] {
        at += s.len();
        out.push(at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_patterns_with_minimums() {
        let en = language("en").unwrap();
        let word = "international";
        let pts = points(word, en);
        assert!(!pts.is_empty());
        assert!(pts.iter().all(|&p| p >= 2 && word.len() - p >= 3));
    }

    #[test]
    fn languages_we_need() {
        for tag in ["en", "en-GB", "fr", "de", "es", "ru", "el"] {
            assert!(language(tag).is_some(), "{tag}");
        }
    }

    #[test]
    fn acronyms_and_short_words_stay_whole() {
        let en = language("en").unwrap();
        assert!(points("ISIS", en).is_empty());
        assert!(points("UNHCR", en).is_empty());
        assert!(points("cat", en).is_empty());
    }

    #[test]
    fn soft_hyphens_win() {
        let en = language("en").unwrap();
        let word = "co\u{ad}operation";
        assert_eq!(points(word, en), vec![2]);
    }

    #[test]
    fn tokens_that_must_not_hyphenate() {
        for t in [
            "Daesh/ISIS",
            "2254",
            "https://example.org/a",
            "press@example.org",
            "www.example.org",
            "NWC/2026/017",
        ] {
            assert!(!token_allows_hyphenation(t), "{t}");
        }
        assert!(token_allows_hyphenation("cooperation,"));
        assert!(token_allows_hyphenation("Wasser-Rahmenrichtlinie"));
        assert!(is_compound("Wasser-Rahmenrichtlinie") && !is_compound("Wasserrahmen"));
        assert!(is_url_like("(https://x.org/y)."));
        assert!(!is_url_like("e.g."));
    }
}

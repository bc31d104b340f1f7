//! The language of a statement that does not declare one (every Form A statement): its script,
//! then, for Latin script, its most frequent short words. The language drives hyphenation,
//! direction, dates and the PDF's /Lang, so guessing "en" for an Arabic or Russian statement
//! would set it wrong in every one of these.

use super::{Block, Inline, Statement};

/// Words frequent in running text of one language and rare in the others'.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "are", "its",
            "their", "this", "by", "will", "have", "has", "from",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "des", "et", "du", "une", "est", "que", "qui", "dans", "pour",
            "sur", "au", "aux", "ses", "leur", "sont", "ont", "avec",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "den", "dem", "des", "nicht", "mit", "von", "zu", "ist",
            "sich", "auf", "eine", "einer", "für", "wird", "werden", "auch",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "del", "y", "que", "por", "con", "una", "para", "se", "su", "sus",
            "como", "al", "más", "lo", "es", "han",
        ],
    ),
];

/// The statement's language as a BCP 47 tag, from its title, dateline and body text.
pub(super) fn language(statement: &Statement) -> &'static str {
    let mut text = String::new();
    text.push_str(&statement.title.text);
    for t in [&statement.subtitle, &statement.dateline]
        .into_iter()
        .flatten()
    {
        text.push('\n');
        text.push_str(&t.text);
    }
    collect(&statement.blocks, &mut text);
    from_text(&text)
}

fn collect(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Paragraph(inlines)
            | Block::Heading {
                content: inlines, ..
            } => {
                for inline in inlines {
                    if let Inline::Text {
                        text, lang: None, ..
                    } = inline
                    {
                        out.push_str(text);
                    }
                    out.push(' ');
                }
            }
            Block::List { items, .. } => items.iter().for_each(|item| collect(item, out)),
            Block::Quote(blocks) => collect(blocks, out),
        }
        out.push('\n');
    }
}

fn from_text(text: &str) -> &'static str {
    // Letters by script: Latin, Greek, Cyrillic, Hebrew, Arabic, Han, kana.
    let mut counts = [0usize; 7];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let script = match c as u32 {
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => 5,
            // Hiragana, katakana (with the prolonged sound mark), halfwidth katakana.
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => 6,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => 1,
            0x0400..=0x052F => 2,
            0x0590..=0x05FF | 0xFB1D..=0xFB4F => 3,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => 4,
            _ => 0,
        };
        counts[script] += 1;
    }
    let (script, _) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, usize::MAX - i))
        .expect("seven scripts");
    // Japanese is written in Han and kana together: any real share of kana makes Han text
    // Japanese, since Chinese never uses kana.
    if script == 5 || script == 6 {
        let (han, kana) = (counts[5], counts[6]);
        return if kana * 20 >= han + kana && kana > 0 {
            "ja"
        } else {
            chinese(text)
        };
    }
    match script {
        1 => "el",
        2 => "ru",
        3 => "he",
        4 => "ar",
        _ => latin(text),
    }
}

/// Characters written one way in Simplified and another in Traditional Chinese, among the
/// most frequent in official prose (这/這, 国/國, 会/會 ...).
const SIMPLIFIED: &str = "这国会们为说对发时经过与关于进实现问题议员长门东书见动";
const TRADITIONAL: &str = "這國會們為說對發時經過與關於進實現問題議員長門東書見動";

/// Simplified Chinese unless traditional forms of frequent characters are clearly more
/// frequent than their simplified forms.
fn chinese(text: &str) -> &'static str {
    let simplified = text.chars().filter(|&c| SIMPLIFIED.contains(c)).count();
    let traditional = text.chars().filter(|&c| TRADITIONAL.contains(c)).count();
    if traditional > simplified {
        "zh-Hant"
    } else {
        "zh-Hans"
    }
}

/// English unless another language's function words are clearly more frequent.
fn latin(text: &str) -> &'static str {
    let mut scores = [0usize; FUNCTION_WORDS.len()];
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            if words.contains(&word.as_str()) {
                scores[i] += 1;
            }
        }
    }
    let english = scores[0];
    let (best, score) = scores
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, usize::MAX - i))
        .expect("four languages");
    if *score > english + english / 2 + 2 {
        FUNCTION_WORDS[best].0
    } else {
        "en"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_decide_first() {
        assert_eq!(
            from_text("اجتمع اليوم في مدينة بورت ألدرين (UN) 2026"),
            "ar"
        );
        assert_eq!(from_text("Министры государств бассейна реки UNHCR"), "ru");
        assert_eq!(from_text("Οι υπουργοί των παρόχθιων κρατών"), "el");
        assert_eq!(from_text("שרי המדינות השוכנות לאורך אגן הנהר"), "he");
    }

    #[test]
    fn han_without_kana_is_chinese_and_with_kana_japanese() {
        assert_eq!(
            from_text("各国部长今天在UNHCR会议上发表了联合声明。"),
            "zh-Hans"
        );
        assert_eq!(
            from_text("各國部長今天在UNHCR會議上發表了聯合聲明。"),
            "zh-Hant"
        );
        assert_eq!(
            from_text("流域各国の閣僚は本日、UNHCRの会議で共同声明を発表した。"),
            "ja"
        );
    }

    #[test]
    fn latin_text_by_its_function_words() {
        assert_eq!(
            from_text("The ministers of the basin met today and agreed on the measures."),
            "en"
        );
        assert_eq!(
            from_text(
                "Les ministres des États riverains se sont réunis et ont salué le travail de la Commission."
            ),
            "fr"
        );
        assert_eq!(
            from_text(
                "Die Ministerinnen und Minister der Anrainerstaaten haben sich mit dem Sekretariat auf die Maßnahmen geeinigt."
            ),
            "de"
        );
        assert_eq!(
            from_text(
                "Los ministros de los Estados ribereños se reunieron y acordaron las medidas para el año."
            ),
            "es"
        );
        // Too little to tell: English, the default.
        assert_eq!(from_text("Lissenburg, 2026"), "en");
    }

    #[test]
    fn bundled_statements_are_recognised() {
        for (file, expected) in [
            ("2020-01-29-copenhagen-political-directors.md", "en"),
            ("2026-04-14-declaration-fr.md", "fr"),
            ("2026-04-14-erklaerung-de.md", "de"),
            ("2026-04-14-declaracion-es.md", "es"),
            ("2026-04-14-zayavlenie-ru.md", "ru"),
            ("2026-04-14-dilosi-el.md", "el"),
            ("2026-04-14-bayan-ar.md", "ar"),
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("statements")
                .join(file);
            let statement = Statement::load(&path).unwrap();
            assert_eq!(language(&statement), expected, "{file}");
        }
    }
}

//! The layout's strings in the statement's language: a layout's own `[translations.LANG]`
//! first, then the table below for the strings the bundled layouts use, then the layout's
//! English text. A statement in French gets "Page 1 sur 2" from a layout that says
//! "Page {page} of {pages}" without the layout having to know French.
//!
//! Keys are whole template lines as the layout writes them; names of institutions in
//! letterheads and headers are the layout's own and are not in the table.

/// (language, English template line, translated template line). Each translation has the
/// same placeholders as its English line (checked by a test).
const BUILTIN: &[(&str, &str, &str)] = &[
    ("ar", "Page {page} of {pages}", "الصفحة {page} من {pages}"),
    (
        "ar",
        "{date} · Page {page} of {pages}",
        "{date} · الصفحة {page} من {pages}",
    ),
    ("ar", "Reference: {reference}", "المرجع: {reference}"),
    ("ar", "Ref. {reference}", "المرجع: {reference}"),
    ("ar", "MEMORANDUM", "مذكرة"),
    (
        "ar",
        "Memorandum {reference} — page {page} of {pages}",
        "مذكرة {reference} — الصفحة {page} من {pages}",
    ),
    ("ar", "FOR IMMEDIATE RELEASE", "للنشر الفوري"),
    ("de", "Page {page} of {pages}", "Seite {page} von {pages}"),
    (
        "de",
        "{date} · Page {page} of {pages}",
        "{date} · Seite {page} von {pages}",
    ),
    ("de", "Reference: {reference}", "Aktenzeichen: {reference}"),
    ("de", "Ref. {reference}", "Az. {reference}"),
    (
        "de",
        "Memorandum {reference} — page {page} of {pages}",
        "Memorandum {reference} — Seite {page} von {pages}",
    ),
    (
        "de",
        "FOR IMMEDIATE RELEASE",
        "ZUR SOFORTIGEN VERÖFFENTLICHUNG",
    ),
    ("el", "Page {page} of {pages}", "Σελίδα {page} από {pages}"),
    (
        "el",
        "{date} · Page {page} of {pages}",
        "{date} · Σελίδα {page} από {pages}",
    ),
    ("el", "Reference: {reference}", "Αναφορά: {reference}"),
    ("el", "Ref. {reference}", "Αναφ. {reference}"),
    ("el", "MEMORANDUM", "ΥΠΟΜΝΗΜΑ"),
    (
        "el",
        "Memorandum {reference} — page {page} of {pages}",
        "Υπόμνημα {reference} — σελίδα {page} από {pages}",
    ),
    ("el", "FOR IMMEDIATE RELEASE", "ΠΡΟΣ ΑΜΕΣΗ ΔΗΜΟΣΙΕΥΣΗ"),
    ("es", "Page {page} of {pages}", "Página {page} de {pages}"),
    (
        "es",
        "{date} · Page {page} of {pages}",
        "{date} · Página {page} de {pages}",
    ),
    ("es", "Reference: {reference}", "Referencia: {reference}"),
    ("es", "MEMORANDUM", "MEMORANDO"),
    (
        "es",
        "Memorandum {reference} — page {page} of {pages}",
        "Memorando {reference} — página {page} de {pages}",
    ),
    ("es", "FOR IMMEDIATE RELEASE", "PARA DIFUSIÓN INMEDIATA"),
    // French: a narrow no-break space before the colon, as French spacing puts in the
    // statement's own text.
    ("fr", "Page {page} of {pages}", "Page {page} sur {pages}"),
    (
        "fr",
        "{date} · Page {page} of {pages}",
        "{date} · Page {page} sur {pages}",
    ),
    (
        "fr",
        "Reference: {reference}",
        "Référence\u{202F}: {reference}",
    ),
    ("fr", "Ref. {reference}", "Réf. {reference}"),
    ("fr", "MEMORANDUM", "MÉMORANDUM"),
    (
        "fr",
        "Memorandum {reference} — page {page} of {pages}",
        "Mémorandum {reference} — page {page} sur {pages}",
    ),
    ("fr", "FOR IMMEDIATE RELEASE", "POUR DIFFUSION IMMÉDIATE"),
    ("ru", "Page {page} of {pages}", "Страница {page} из {pages}"),
    (
        "ru",
        "{date} · Page {page} of {pages}",
        "{date} · Страница {page} из {pages}",
    ),
    ("ru", "Reference: {reference}", "Исх. № {reference}"),
    ("ru", "Ref. {reference}", "Исх. № {reference}"),
    ("ru", "MEMORANDUM", "МЕМОРАНДУМ"),
    (
        "ru",
        "Memorandum {reference} — page {page} of {pages}",
        "Меморандум {reference} — страница {page} из {pages}",
    ),
    ("ru", "FOR IMMEDIATE RELEASE", "ДЛЯ НЕМЕДЛЕННОЙ ПУБЛИКАЦИИ"),
    // Chinese: Simplified under `zh`, Traditional under `zh-hant` (found by script first).
    ("ja", "Page {page} of {pages}", "{page}/{pages}ページ"),
    (
        "ja",
        "{date} · Page {page} of {pages}",
        "{date}・{page}/{pages}ページ",
    ),
    ("ja", "Reference: {reference}", "文書番号：{reference}"),
    ("ja", "Ref. {reference}", "文書番号：{reference}"),
    ("ja", "MEMORANDUM", "覚書"),
    (
        "ja",
        "Memorandum {reference} — page {page} of {pages}",
        "覚書 {reference} — {page}/{pages}ページ",
    ),
    ("ja", "FOR IMMEDIATE RELEASE", "即時発表"),
    ("zh", "Page {page} of {pages}", "第{page}页，共{pages}页"),
    (
        "zh",
        "{date} · Page {page} of {pages}",
        "{date} · 第{page}页，共{pages}页",
    ),
    ("zh", "Reference: {reference}", "文号：{reference}"),
    ("zh", "Ref. {reference}", "文号：{reference}"),
    ("zh", "MEMORANDUM", "备忘录"),
    (
        "zh",
        "Memorandum {reference} — page {page} of {pages}",
        "备忘录 {reference} — 第{page}页，共{pages}页",
    ),
    ("zh", "FOR IMMEDIATE RELEASE", "即时发布"),
    (
        "zh-hant",
        "Page {page} of {pages}",
        "第{page}頁，共{pages}頁",
    ),
    (
        "zh-hant",
        "{date} · Page {page} of {pages}",
        "{date} · 第{page}頁，共{pages}頁",
    ),
    ("zh-hant", "Reference: {reference}", "文號：{reference}"),
    ("zh-hant", "Ref. {reference}", "文號：{reference}"),
    ("zh-hant", "MEMORANDUM", "備忘錄"),
    (
        "zh-hant",
        "Memorandum {reference} — page {page} of {pages}",
        "備忘錄 {reference} — 第{page}頁，共{pages}頁",
    ),
    ("zh-hant", "FOR IMMEDIATE RELEASE", "即時發布"),
    // The words of a visible signature (`sign::Labels`).
    ("ar", "Digitally signed by {name}", "موقّع رقميًا من {name}"),
    (
        "ar",
        "Time-stamped {time} by {tsa}",
        "ختم زمني {time} من {tsa}",
    ),
    ("ar", "Signature of {name}", "توقيع {name}"),
    (
        "de",
        "Digitally signed by {name}",
        "Digital signiert von {name}",
    ),
    (
        "de",
        "Time-stamped {time} by {tsa}",
        "Zeitstempel {time} von {tsa}",
    ),
    ("de", "Signature of {name}", "Unterschrift von {name}"),
    (
        "el",
        "Digitally signed by {name}",
        "Ψηφιακή υπογραφή από {name}",
    ),
    (
        "el",
        "Time-stamped {time} by {tsa}",
        "Χρονοσήμανση {time} από {tsa}",
    ),
    ("el", "Signature of {name}", "Υπογραφή: {name}"),
    (
        "es",
        "Digitally signed by {name}",
        "Firmado digitalmente por {name}",
    ),
    (
        "es",
        "Time-stamped {time} by {tsa}",
        "Sello de tiempo {time} de {tsa}",
    ),
    ("es", "Signature of {name}", "Firma de {name}"),
    (
        "fr",
        "Digitally signed by {name}",
        "Signé numériquement par {name}",
    ),
    (
        "fr",
        "Time-stamped {time} by {tsa}",
        "Horodaté le {time} par {tsa}",
    ),
    ("fr", "Signature of {name}", "Signature de {name}"),
    (
        "ru",
        "Digitally signed by {name}",
        "Подписано электронной подписью: {name}",
    ),
    (
        "ru",
        "Time-stamped {time} by {tsa}",
        "Метка времени {time}, {tsa}",
    ),
    ("ru", "Signature of {name}", "Подпись: {name}"),
    ("ja", "Digitally signed by {name}", "電子署名者：{name}"),
    (
        "ja",
        "Time-stamped {time} by {tsa}",
        "タイムスタンプ：{time}（{tsa}）",
    ),
    ("ja", "Signature of {name}", "{name}の署名"),
    ("zh", "Digitally signed by {name}", "数字签名者：{name}"),
    (
        "zh",
        "Time-stamped {time} by {tsa}",
        "时间戳：{time}（{tsa}）",
    ),
    ("zh", "Signature of {name}", "{name}的签名"),
    (
        "zh-hant",
        "Digitally signed by {name}",
        "數位簽章者：{name}",
    ),
    (
        "zh-hant",
        "Time-stamped {time} by {tsa}",
        "時間戳記：{time}（{tsa}）",
    ),
    ("zh-hant", "Signature of {name}", "{name}的簽名"),
];

/// The primary subtag of a BCP 47 tag, lower case ("fr" for "fr-CH").
pub(crate) fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The bundled translation of `english` into `language` (any region), if there is one.
pub(crate) fn builtin(language: &str, english: &str) -> Option<&'static str> {
    let primary = primary(language);
    let lower = language.to_ascii_lowercase();
    // Traditional Chinese (`zh-Hant`, `zh-Hant-TW`, and the regions that write it) has its
    // own entries; every other tag is looked up by its language.
    let traditional = primary == "zh"
        && (lower.contains("-hant") || ["-tw", "-hk", "-mo"].iter().any(|r| lower.ends_with(r)));
    let key = if traditional {
        "zh-hant"
    } else {
        primary.as_str()
    };
    BUILTIN
        .iter()
        .find(|(l, e, _)| *l == key && *e == english)
        .map(|t| t.2)
}

/// The `{names}` in a template, sorted.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_translations_keep_their_placeholders() {
        for (lang, english, local) in BUILTIN {
            assert_eq!(
                placeholders(english),
                placeholders(local),
                "{lang}: {local}"
            );
        }
    }

    #[test]
    fn regions_fall_back_to_the_language() {
        assert_eq!(
            builtin("fr-CH", "Page {page} of {pages}"),
            Some("Page {page} sur {pages}")
        );
        assert_eq!(builtin("lv", "Page {page} of {pages}"), None);
        assert_eq!(
            builtin("zh-Hans", "Page {page} of {pages}"),
            Some("第{page}页，共{pages}页")
        );
        assert_eq!(
            builtin("zh-Hant-TW", "Page {page} of {pages}"),
            Some("第{page}頁，共{pages}頁")
        );
        assert_eq!(builtin("ja", "MEMORANDUM"), Some("覚書"));
        assert_eq!(builtin("fr", "Page {page}"), None);
    }
}

//! Finding the date in a dateline ("Copenhagen, Denmark, January 29, 2020"), so a Form A
//! statement carries its own document date, as PDF/A requires one.

use super::Date;

/// Month names (and common abbreviations) by month, in the languages the office publishes in.
const MONTHS: [&[&str]; 12] = [
    &[
        "january",
        "jan",
        "janvier",
        "januar",
        "enero",
        "января",
        "январь",
        "ιανουαρίου",
        "ιανουάριος",
        "يناير",
        "كانون الثاني",
    ],
    &[
        "february",
        "feb",
        "février",
        "fevrier",
        "februar",
        "febrero",
        "февраля",
        "февраль",
        "φεβρουαρίου",
        "φεβρουάριος",
        "فبراير",
    ],
    &[
        "march",
        "mar",
        "mars",
        "märz",
        "marz",
        "marzo",
        "марта",
        "март",
        "μαρτίου",
        "μάρτιος",
        "مارس",
    ],
    &[
        "april",
        "apr",
        "avril",
        "abril",
        "апреля",
        "апрель",
        "απριλίου",
        "απρίλιος",
        "أبريل",
        "ابريل",
    ],
    &["may", "mai", "mayo", "мая", "май", "μαΐου", "μάιος", "مايو"],
    &[
        "june",
        "jun",
        "juin",
        "juni",
        "junio",
        "июня",
        "июнь",
        "ιουνίου",
        "ιούνιος",
        "يونيو",
    ],
    &[
        "july",
        "jul",
        "juillet",
        "juli",
        "julio",
        "июля",
        "июль",
        "ιουλίου",
        "ιούλιος",
        "يوليو",
    ],
    &[
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "августа",
        "август",
        "αυγούστου",
        "αύγουστος",
        "أغسطس",
    ],
    &[
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "сентября",
        "сентябрь",
        "σεπτεμβρίου",
        "σεπτέμβριος",
        "سبتمبر",
    ],
    &[
        "october",
        "oct",
        "octobre",
        "oktober",
        "octubre",
        "октября",
        "октябрь",
        "οκτωβρίου",
        "οκτώβριος",
        "أكتوبر",
    ],
    &[
        "november",
        "nov",
        "novembre",
        "noviembre",
        "ноября",
        "ноябрь",
        "νοεμβρίου",
        "νοέμβριος",
        "نوفمبر",
    ],
    &[
        "december",
        "dec",
        "décembre",
        "decembre",
        "dezember",
        "diciembre",
        "декабря",
        "декабрь",
        "δεκεμβρίου",
        "δεκέμβριος",
        "ديسمبر",
    ],
];

fn month(word: &str) -> Option<u8> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|names| names.contains(&w))
        .map(|i| i as u8 + 1)
}

fn valid(year: u16, month: u8, day: u8) -> Option<Date> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&month) && day >= 1 && day <= days[month as usize - 1] && year >= 1000)
        .then_some(Date { year, month, day })
}

/// The first date written in `text`: ISO (2020-01-29), or a day, a month name and a year in
/// either order ("January 29, 2020", "29 janvier 2020", "29. Januar 2020", "29 de enero de 2020").
pub(crate) fn find(text: &str) -> Option<Date> {
    if let Some(date) = find_cjk(text) {
        return Some(date);
    }
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|t| !t.is_empty())
        .collect();
    for t in &tokens {
        let parts: Vec<&str> = t.split('-').collect();
        if let [y, m, d] = parts[..]
            && y.len() == 4
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse())
            && let Some(date) = valid(y, m, d)
        {
            return Some(date);
        }
    }
    let number = |t: &str| t.parse::<u16>().ok();
    for (i, t) in tokens.iter().enumerate() {
        let Some(m) = month(t) else { continue };
        let day_before = i
            .checked_sub(1)
            .and_then(|j| number(tokens[j]))
            .or_else(|| {
                // "29 de enero"
                (i >= 2 && tokens[i - 1] == "de")
                    .then(|| number(tokens[i - 2]))
                    .flatten()
            });
        let day_after = tokens
            .get(i + 1)
            .and_then(|t| number(t))
            .filter(|d| *d <= 31);
        let year = tokens[i + 1..]
            .iter()
            .take(4)
            .filter_map(|t| number(t))
            .find(|y| *y >= 1000);
        let day = day_before.filter(|d| *d <= 31).or(day_after);
        if let (Some(day), Some(year)) = (day, year)
            && let Some(date) = valid(year, m, day as u8)
        {
            return Some(date);
        }
    }
    None
}

/// A date written in `text` that is no day of the calendar ("31 February 2026", "2026-02-30"):
/// the byte range where it is written and why it does not exist. [`find`] skips such a date,
/// which would leave a statement "without a date" when it has a wrong one.
pub(crate) fn impossible(text: &str) -> Option<(std::ops::Range<usize>, String)> {
    let tokens: Vec<(usize, &str)> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|t| !t.is_empty())
        .map(|t| (t.as_ptr() as usize - text.as_ptr() as usize, t))
        .collect();
    let why = |year: u16, m: u8, day: u16| -> Option<String> {
        if valid(year, m, day.min(255) as u8).is_some() || year < 1000 || !(1..=12).contains(&m) {
            return None;
        }
        let name = WRITTEN[0].1[m as usize - 1];
        let days = (28..=31)
            .rev()
            .find(|&d| valid(year, m, d).is_some())
            .unwrap_or(28);
        Some(if day == 0 {
            "days count from 1".to_string()
        } else {
            format!("{name} {year} has {days} days")
        })
    };
    for &(at, t) in &tokens {
        let parts: Vec<&str> = t.split('-').collect();
        if let [y, m, d] = parts[..]
            && y.len() == 4
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u16>(), m.parse::<u8>(), d.parse::<u16>())
        {
            if !(1..=12).contains(&m) && y >= 1000 {
                return Some((at..at + t.len(), "months are 1 to 12".to_string()));
            }
            if let Some(reason) = why(y, m, d) {
                return Some((at..at + t.len(), reason));
            }
        }
    }
    let number = |t: &str| t.parse::<u16>().ok();
    for (i, &(_, t)) in tokens.iter().enumerate() {
        let Some(m) = month(t) else { continue };
        // The same reading as `find`: a day next to the month name, a year after it.
        let before = i
            .checked_sub(1)
            .and_then(|j| Some((j, number(tokens[j].1)?)));
        let after = tokens.get(i + 1).and_then(|t| Some((i + 1, number(t.1)?)));
        let year = tokens[i + 1..]
            .iter()
            .take(4)
            .enumerate()
            .find_map(|(k, t)| number(t.1).filter(|y| *y >= 1000).map(|y| (i + 1 + k, y)));
        let day = before
            .filter(|d| d.1 < 1000)
            .or(after.filter(|d| d.1 < 1000));
        if let (Some((d_at, day)), Some((y_at, year))) = (day, year)
            && let Some(reason) = why(year, m, day)
        {
            let first = d_at.min(i);
            let start = tokens[first].0;
            let end = tokens[y_at].0 + tokens[y_at].1.len();
            return Some((start..end, reason));
        }
    }
    None
}

/// The first date written the Chinese and Japanese way: 2026年4月14日, with ASCII or
/// full-width digits and optional spaces around the numbers.
fn find_cjk(text: &str) -> Option<Date> {
    if !text.contains('年') {
        return None;
    }
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    let number = |at: &mut usize| -> Option<u16> {
        let start = *at;
        while *at < chars.len() && chars[*at].is_ascii_digit() && *at - start < 4 {
            *at += 1;
        }
        chars[start..*at].iter().collect::<String>().parse().ok()
    };
    for start in 0..chars.len() {
        if !chars[start].is_ascii_digit() || start > 0 && chars[start - 1].is_ascii_digit() {
            continue;
        }
        let mut at = start;
        let Some(year) = number(&mut at) else {
            continue;
        };
        if chars.get(at) != Some(&'年') {
            continue;
        }
        at += 1;
        let Some(month) = number(&mut at) else {
            continue;
        };
        if chars.get(at) != Some(&'月') {
            continue;
        }
        at += 1;
        let Some(day) = number(&mut at) else { continue };
        if !matches!(chars.get(at), Some('日' | '号')) {
            continue;
        }
        if let Some(date) = valid(year, month.min(255) as u8, day.min(255) as u8) {
            return Some(date);
        }
    }
    None
}

/// Month names for writing dates, by language (genitive where the language declines them).
const WRITTEN: &[(&str, [&str; 12])] = &[
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "fr",
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    ),
    (
        "de",
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "ru",
        [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ],
    ),
    (
        "el",
        [
            "Ιανουαρίου",
            "Φεβρουαρίου",
            "Μαρτίου",
            "Απριλίου",
            "Μαΐου",
            "Ιουνίου",
            "Ιουλίου",
            "Αυγούστου",
            "Σεπτεμβρίου",
            "Οκτωβρίου",
            "Νοεμβρίου",
            "Δεκεμβρίου",
        ],
    ),
    (
        "ar",
        [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ],
    ),
];

/// `date` written out as the statement's language writes dates: "29 January 2020" (en),
/// "29 janvier 2020" (fr, "1er" for the first), "29. Januar 2020" (de), "29 de enero de 2020"
/// (es), "29 января 2020 г." (ru), "29 Ιανουαρίου 2020" (el), "29 يناير 2020" (ar); ISO 8601
/// (2020-01-29) for other languages; "2020年1月29日" for Chinese and Japanese.
pub fn format(date: Date, language: &str) -> String {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if primary == "zh" || primary == "ja" {
        // Numbers, no spaces: the way both languages write dates in running text.
        return format!("{}年{}月{}日", date.year, date.month, date.day);
    }
    let Some((_, months)) = WRITTEN.iter().find(|(l, _)| *l == primary) else {
        return format!("{:04}-{:02}-{:02}", date.year, date.month, date.day);
    };
    let (d, m, y) = (date.day, months[date.month as usize - 1], date.year);
    match primary.as_str() {
        "fr" if d == 1 => format!("1er {m} {y}"),
        "de" => format!("{d}. {m} {y}"),
        "es" => format!("{d} de {m} de {y}"),
        "ru" => format!("{d} {m} {y}\u{a0}г."),
        _ => format!("{d} {m} {y}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_the_statement_language() {
        let date = Date {
            year: 2020,
            month: 1,
            day: 29,
        };
        assert_eq!(format(date, "en"), "29 January 2020");
        assert_eq!(format(date, "en-GB"), "29 January 2020");
        assert_eq!(format(date, "fr"), "29 janvier 2020");
        assert_eq!(format(date, "de-CH"), "29. Januar 2020");
        assert_eq!(format(date, "es"), "29 de enero de 2020");
        assert_eq!(format(date, "ru"), "29 января 2020\u{a0}г.");
        assert_eq!(format(date, "el"), "29 Ιανουαρίου 2020");
        assert_eq!(format(date, "he"), "2020-01-29");
        let first = Date { day: 1, ..date };
        assert_eq!(format(first, "fr"), "1er janvier 2020");
        assert_eq!(format(date, "ar"), "29 يناير 2020");
        assert_eq!(format(date, "zh-Hans"), "2020年1月29日");
        assert_eq!(format(date, "zh-Hant"), "2020年1月29日");
        assert_eq!(format(date, "ja"), "2020年1月29日");
        assert_eq!(find("日内瓦，2020年1月29日"), Some(date));
        assert_eq!(find("ジュネーブ、２０２０年１月２９日"), Some(date));
        assert_eq!(find("2020年13月29日"), None);
        // Every written date reads back as the same date.
        for (lang, _) in WRITTEN {
            for month in 1..=12 {
                let d = Date { month, ..date };
                assert_eq!(find(&format(d, lang)), Some(d), "{lang} {month}");
            }
        }
    }

    fn d(y: u16, m: u8, day: u8) -> Option<Date> {
        Some(Date {
            year: y,
            month: m,
            day,
        })
    }

    #[test]
    fn datelines_in_several_styles_and_languages() {
        assert_eq!(
            find("Copenhagen, Denmark, January 29, 2020"),
            d(2020, 1, 29)
        );
        assert_eq!(find("Geneva, 14 May 2026"), d(2026, 5, 14));
        assert_eq!(find("Paris, le 14 avril 2026"), d(2026, 4, 14));
        assert_eq!(find("Berlin, 14. April 2026"), d(2026, 4, 14));
        assert_eq!(find("Madrid, 14 de abril de 2026"), d(2026, 4, 14));
        assert_eq!(find("Москва, 14 апреля 2026 года"), d(2026, 4, 14));
        assert_eq!(find("Αθήνα, 14 Απριλίου 2026"), d(2026, 4, 14));
        assert_eq!(find("Vienna, 2026-04-14"), d(2026, 4, 14));
        assert_eq!(find("Washington, DC, Sept. 3, 2021"), d(2021, 9, 3));
    }

    #[test]
    fn no_date_no_guess() {
        assert_eq!(find("Copenhagen, Denmark"), None);
        assert_eq!(find("May we meet again in 2020"), None);
        assert_eq!(find("February 30, 2020"), None);
    }
}

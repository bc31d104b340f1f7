//! Calendar helpers (UTC only): the module never reads the clock.

/// A UTC calendar date and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Civil {
    pub fn from_unix(t: i64) -> Civil {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
        }
    }

    pub fn to_unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// `D:YYYYMMDDHHmmSS+00'00'` as used for /M in the signature dictionary.
pub(crate) fn pdf_date(t: i64) -> String {
    let c = Civil::from_unix(t);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `YYYY-MM-DD HH:MM:SS UTC`, for messages and reports.
pub fn format_utc(t: i64) -> String {
    let c = Civil::from_unix(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Parse a PDF date string (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after
/// the year optional) to Unix seconds.
pub(crate) fn parse_pdf_date(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let b = s.as_bytes();
    let num = |from: usize, len: usize, default: u32| -> Option<u32> {
        match b.get(from..from + len) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(d).ok()?.parse().ok()
            }
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i64::from(num(0, 4, 0)?);
    if b.len() < 4 {
        return None;
    }
    let mut pos = 4;
    let mut field = |len: usize, default: u32| -> Option<u32> {
        let v = if b.get(pos).is_some_and(u8::is_ascii_digit) {
            let v = num(pos, len, default)?;
            pos += len;
            v
        } else {
            default
        };
        Some(v)
    };
    let month = field(2, 1)?;
    let day = field(2, 1)?;
    let hour = field(2, 0)?;
    let minute = field(2, 0)?;
    let second = field(2, 0)?;
    let mut offset = 0i64;
    if let Some(&sign) = b.get(pos)
        && (sign == b'+' || sign == b'-')
    {
        let oh = i64::from(num(pos + 1, 2, 0)?);
        let om = if b.get(pos + 3) == Some(&b'\'') {
            i64::from(num(pos + 4, 2, 0).unwrap_or(0))
        } else {
            i64::from(num(pos + 3, 2, 0).unwrap_or(0))
        };
        offset = (oh * 3600 + om * 60) * if sign == b'-' { -1 } else { 1 };
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    Some(civil.to_unix() - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for t in [0, 951_782_400, 1_778_760_000, 4_102_444_800, -86_400] {
            assert_eq!(Civil::from_unix(t).to_unix(), t);
        }
        assert_eq!(format_utc(1_778_760_000), "2026-05-14 12:00:00 UTC");
        assert_eq!(pdf_date(1_778_760_000), "D:20260514120000+00'00'");
    }

    #[test]
    fn parses_pdf_dates() {
        assert_eq!(
            parse_pdf_date(b"D:20260514120000+00'00'"),
            Some(1_778_760_000)
        );
        assert_eq!(parse_pdf_date(b"D:20260514120000Z"), Some(1_778_760_000));
        assert_eq!(
            parse_pdf_date(b"D:20260514140000+02'00'"),
            Some(1_778_760_000)
        );
        assert_eq!(
            parse_pdf_date(b"D:2026"),
            Some(
                Civil {
                    year: 2026,
                    month: 1,
                    day: 1,
                    hour: 0,
                    minute: 0,
                    second: 0
                }
                .to_unix()
            )
        );
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }
}

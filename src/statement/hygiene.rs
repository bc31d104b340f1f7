//! Input hygiene: the one place raw bytes become the text every later stage trusts.

use std::path::Path;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::error::{Diagnostic, Error, Location, Problem};

/// Reports at most this many bad characters; the rest are usually the same mistake.
const MAX_REPORTED: usize = 10;

/// Decodes UTF-8, drops a BOM, turns CRLF and lone CR into LF, refuses control characters other
/// than tab and newline, and normalises to NFC.
pub(super) fn clean(path: &Path, bytes: &[u8]) -> Result<String, Error> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.valid_up_to();
            let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            return Err(Error::invalid(
                Some(Location::at(path, valid, offset)),
                Problem::InvalidUtf8 {
                    byte_offset: offset,
                },
            ));
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    };

    let mut diagnostics = Vec::new();
    for (offset, ch) in text.char_indices() {
        if ch.is_control() && ch != '\t' && ch != '\n' {
            if diagnostics.len() == MAX_REPORTED {
                break;
            }
            diagnostics.push(Diagnostic {
                location: Some(Location::at(path, &text, offset)),
                problem: Problem::ControlCharacter { ch },
            });
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::Invalid(diagnostics));
    }

    Ok(match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean_str(bytes: &[u8]) -> Result<String, Error> {
        clean(Path::new("s.md"), bytes)
    }

    #[test]
    fn drops_bom_and_normalises_line_ends() {
        assert_eq!(clean_str(b"\xEF\xBB\xBFa\r\nb\rc").unwrap(), "a\nb\nc");
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let err = clean_str(b"ok\nbad \xFF here").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("s.md:2:5"), "{msg}");
        assert!(msg.contains("byte offset 7"), "{msg}");
    }

    #[test]
    fn control_characters_are_refused_with_line_and_column() {
        let err = clean_str(b"title\nab\x00c\x07").unwrap_err();
        let Error::Invalid(diags) = err else {
            panic!("expected Invalid")
        };
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].location.as_ref().unwrap().line, 2);
        assert_eq!(diags[0].location.as_ref().unwrap().column, 3);
        assert!(diags[0].to_string().contains("U+0000"));
    }

    #[test]
    fn text_is_nfc() {
        assert_eq!(clean_str("e\u{301}".as_bytes()).unwrap(), "\u{e9}");
    }
}

//! The batch manifest: per output, what it was built from and what it is.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Fatal;

/// The manifest format this version writes. Bump it on any change that an older communique
/// would misread; older communiques then refuse the file instead of trusting it.
/// Version 2 added the images of an entry; a version 1 manifest is still read (its entries
/// have no images recorded, so statements with images are rebuilt once).
pub const FORMAT: u64 = 2;

/// The tool and version that go into every entry: a new version rebuilds everything.
pub const TOOL: &str = concat!("communique ", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u64,
    /// The fonts behind each `fonts` digest of the entries: name and SHA-256 of every face of
    /// the font set, in the order the typesetter tries them.
    pub font_sets: BTreeMap<String, Vec<FontHash>>,
    /// Keyed by the output's path relative to the output folder, `/`-separated.
    pub outputs: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontHash {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub statement: Source,
    /// The layout file, or `(built in)` with the SHA-256 of the bundled layout text.
    pub layout: Source,
    /// SHA-256 of the font set (see [`Manifest::font_sets`]): the layout's fonts, and the
    /// installed CJK faces when the statement needed them.
    pub fonts: String,
    /// The images the build read (letterhead logo, signature images), as the layout and the
    /// statement name them: a new logo rebuilds every statement that shows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Source>,
    pub tool: String,
    /// SOURCE_DATE_EPOCH when it was set; it changes the PDF's dates.
    pub source_date_epoch: Option<i64>,
    /// How the PDF was signed, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    pub pdf: Pdf,
    /// The warnings the build gave (one line each), repeated when the output is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The inputs of a signature: the certificate (not the key) and the signing time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub certificate_sha256: String,
    pub time: i64,
    pub visible: bool,
    /// The timestamp authority asked (`--tsa`): another TSA is another signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsa: Option<String>,
    /// `--ltv`: a DSS was added.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ltv: bool,
    /// `--archive-timestamp`: a document timestamp was added.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archive_timestamp: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pdf {
    pub sha256: String,
    pub pages: usize,
    pub bytes: u64,
}

impl Entry {
    /// Whether the two entries were built from the same inputs (paths may differ: a moved
    /// folder with the same contents needs no rebuild).
    pub fn same_inputs(&self, other: &Entry) -> bool {
        self.statement.sha256 == other.statement.sha256
            && self.layout.sha256 == other.layout.sha256
            && self.fonts == other.fonts
            && self.same_images(other)
            && self.tool == other.tool
            && self.source_date_epoch == other.source_date_epoch
            && self.signature == other.signature
    }
}

impl Entry {
    /// Same image contents in the same roles; paths may differ, as for the statement.
    pub fn same_images(&self, other: &Entry) -> bool {
        self.images.len() == other.images.len()
            && (self.images.iter())
                .zip(&other.images)
                .all(|(a, b)| a.sha256 == b.sha256)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            format: FORMAT,
            ..Manifest::default()
        }
    }

    /// Reads the manifest at `path`; a missing file is an empty manifest. With `force`, a
    /// corrupt manifest is set aside (it will be overwritten); one from a newer communique is
    /// refused even then, since this version cannot tell what it would lose.
    pub fn read(path: &Path, force: bool) -> Result<Manifest, Fatal> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::new()),
            Err(e) => {
                return Err(Fatal::io(format!(
                    "cannot read the manifest {}: {e}",
                    path.display()
                )));
            }
        };
        match Manifest::parse(&bytes) {
            Ok(m) => Ok(m),
            Err(ParseError::Newer(found)) => Err(Fatal::input(format!(
                "the manifest {} has format version {found}, newer than this communique \
                 ({TOOL}) understands (version {FORMAT}); run a newer communique, or delete \
                 the manifest to rebuild everything",
                path.display()
            ))),
            Err(ParseError::Corrupt(_)) if force => Ok(Manifest::new()),
            Err(ParseError::Corrupt(why)) => Err(Fatal::input(format!(
                "the manifest {} is corrupt ({why}); run again with --force to rebuild \
                 everything and rewrite it, or delete it",
                path.display()
            ))),
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Manifest, ParseError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ParseError::Corrupt(e.to_string()))?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(f) if f > FORMAT => return Err(ParseError::Newer(f)),
            Some(1..=FORMAT) => {}
            Some(f) => return Err(ParseError::Corrupt(format!("unknown format version {f}"))),
            None => {
                return Err(ParseError::Corrupt(
                    "no `format` version number at the top level".into(),
                ));
            }
        }
        serde_json::from_value(value).map_err(|e| ParseError::Corrupt(e.to_string()))
    }

    /// Pretty JSON with sorted keys and a final newline: the same entries give the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        out.push(b'\n');
        out
    }
}

#[derive(Debug)]
pub enum ParseError {
    Newer(u64),
    Corrupt(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        let source = |p: &str| Source {
            path: p.into(),
            sha256: sha256_hex(p.as_bytes()),
        };
        Entry {
            statement: source("a.md"),
            layout: source("(built in)"),
            fonts: sha256_hex(b"fonts"),
            images: vec![source("logo.svg")],
            tool: TOOL.into(),
            source_date_epoch: None,
            signature: None,
            pdf: Pdf {
                sha256: sha256_hex(b"pdf"),
                pages: 1,
                bytes: 3,
            },
            warnings: Vec::new(),
        }
    }

    #[test]
    fn round_trips_and_is_sorted() {
        let mut m = Manifest::new();
        m.outputs.insert("z.pdf".into(), entry());
        m.outputs.insert("a/b.pdf".into(), entry());
        let bytes = m.to_bytes();
        assert_eq!(Manifest::parse(&bytes).unwrap(), m);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.find("a/b.pdf").unwrap() < text.find("z.pdf").unwrap());
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn refuses_newer_and_corrupt_manifests() {
        assert!(matches!(
            Manifest::parse(br#"{"format": 3, "whatever": true}"#),
            Err(ParseError::Newer(3))
        ));
        assert!(matches!(
            Manifest::parse(b"{\"format\": 1, \"outp"),
            Err(ParseError::Corrupt(_))
        ));
        assert!(matches!(
            Manifest::parse(br#"{"outputs": {}}"#),
            Err(ParseError::Corrupt(_))
        ));
        assert!(matches!(
            Manifest::parse(br#"{"format": 1, "font_sets": {}, "outputs": {"a.pdf": 3}}"#),
            Err(ParseError::Corrupt(_))
        ));
    }

    #[test]
    fn a_version_1_manifest_is_read_with_no_images() {
        let m = Manifest::parse(
            br#"{"format": 1, "font_sets": {}, "outputs": {"a.pdf": {
                "statement": {"path": "a.md", "sha256": "s"},
                "layout": {"path": "(built in)", "sha256": "l"},
                "fonts": "f", "tool": "communique 0.1.0", "source_date_epoch": null,
                "pdf": {"sha256": "p", "pages": 1, "bytes": 9}}}}"#,
        )
        .unwrap();
        assert!(m.outputs["a.pdf"].images.is_empty());
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

//! The PDF side of signing: reading with lopdf, writing our own small
//! incremental updates.
//!
//! Reading is lopdf's (classic tables, cross-reference streams, object
//! streams, `/Prev` chains; fuzzed upstream), in strict mode: a file whose
//! cross-reference data had to be repaired is refused, because a validator
//! that repairs may read other objects than the signer meant. Objects are
//! converted into the small [`Obj`] model below, which is all the
//! incremental writer needs.

use std::collections::HashSet;

use super::SignError;

/// An indirect object reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Ref {
    pub num: u32,
    pub generation: u16,
}

impl Ref {
    pub fn new(num: u32) -> Ref {
        Ref { num, generation: 0 }
    }
}

/// A PDF object. Strings hold decoded bytes; reals keep their source text so
/// rewritten objects round-trip exactly.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(String),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(Ref),
    Stream(Dict, Vec<u8>),
}

impl Obj {
    pub fn name(n: &str) -> Obj {
        Obj::Name(n.as_bytes().to_vec())
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Option<Ref> {
        match self {
            Obj::Ref(r) => Some(*r),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&[u8]> {
        match self {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Obj]> {
        match self {
            Obj::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// A dictionary that keeps its key order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.0
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }

    pub fn set(&mut self, key: &str, value: Obj) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            slot.1 = value;
        } else {
            self.0.push((key.as_bytes().to_vec(), value));
        }
    }

    pub fn with(mut self, key: &str, value: Obj) -> Dict {
        self.set(key, value);
        self
    }

    pub fn name_is(&self, key: &str, value: &str) -> bool {
        self.get(key).and_then(Obj::as_name) == Some(value.as_bytes())
    }
}

fn malformed(msg: impl Into<String>) -> SignError {
    SignError::MalformedPdf(msg.into())
}

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

/// Nesting deeper than this is refused rather than followed (the conversion
/// recurses).
const MAX_DEPTH: usize = 64;

/// lopdf's object as ours.
fn convert(obj: &lopdf::Object, depth: usize) -> Result<Obj, SignError> {
    use lopdf::Object as L;
    if depth > MAX_DEPTH {
        return Err(malformed("objects nested too deeply"));
    }
    Ok(match obj {
        L::Null => Obj::Null,
        L::Boolean(b) => Obj::Bool(*b),
        L::Integer(i) => Obj::Int(*i),
        L::Real(r) => {
            if !r.is_finite() {
                return Err(malformed("a real number is not finite"));
            }
            Obj::Real(format!("{r}"))
        }
        L::Name(n) => Obj::Name(n.clone()),
        L::String(s, _) => Obj::Str(s.clone()),
        L::Array(a) => Obj::Array(
            a.iter()
                .map(|o| convert(o, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        L::Dictionary(d) => Obj::Dict(convert_dict(d, depth)?),
        L::Stream(s) => Obj::Stream(convert_dict(&s.dict, depth)?, s.content.clone()),
        L::Reference((num, generation)) => Obj::Ref(Ref {
            num: *num,
            generation: *generation,
        }),
    })
}

fn convert_dict(d: &lopdf::Dictionary, depth: usize) -> Result<Dict, SignError> {
    let mut out = Dict::default();
    for (k, v) in d.iter() {
        out.0.push((k.clone(), convert(v, depth + 1)?));
    }
    Ok(out)
}

/// A parsed PDF file: its bytes, lopdf's view of all revisions merged, and
/// the newest trailer.
pub(crate) struct Document<'a> {
    pub data: &'a [u8],
    inner: lopdf::Document,
    pub trailer: Dict,
    /// Offset of the newest cross-reference section.
    pub startxref: usize,
}

impl<'a> Document<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Document<'a>, SignError> {
        if !data.starts_with(b"%PDF-") {
            return Err(malformed("missing %PDF- header"));
        }
        // lopdf decrypts with the empty password; look at the raw trailer
        // first so an encrypted file is named as such.
        let options = lopdf::LoadOptions {
            strict: true,
            ..lopdf::LoadOptions::default()
        };
        let inner = lopdf::Document::load_mem_with_options(data, options)
            .map_err(|e| malformed(e.to_string()))?;
        if inner.encryption_state.is_some() || inner.trailer.get(b"Encrypt").is_ok() {
            return Err(SignError::UnsupportedPdf(
                "encrypted files (PDF/A forbids encryption)".into(),
            ));
        }
        if inner.xref_recovery.is_some() {
            return Err(malformed(
                "the cross-reference data is damaged (the file would have to be repaired)",
            ));
        }
        let trailer = convert_dict(&inner.trailer, 0)?;
        let startxref = inner.xref_start;
        Ok(Document {
            data,
            inner,
            trailer,
            startxref,
        })
    }

    /// Whether the newest cross-reference section is a stream (then an
    /// update should write one too).
    pub fn uses_xref_stream(&self) -> bool {
        matches!(
            self.inner.reference_table.cross_reference_type,
            lopdf::xref::XrefType::CrossReferenceStream
        )
    }

    /// Every object number in use with its generation.
    pub fn object_refs(&self) -> impl Iterator<Item = Ref> + '_ {
        self.inner
            .objects
            .keys()
            .map(|&(num, generation)| Ref { num, generation })
    }

    /// The byte offset of an object stored directly (not in an object stream).
    pub fn offset_of(&self, num: u32) -> Option<usize> {
        match self.inner.reference_table.entries.get(&num)? {
            lopdf::xref::XrefEntry::Normal { offset, .. } => Some(*offset as usize),
            _ => None,
        }
    }

    /// Whether object `r` is the same in both documents (an unchanged
    /// object, or one rewritten with the same value).
    pub fn same_object(&self, other: &Document, r: Ref) -> bool {
        let key = (r.num, r.generation);
        match (self.inner.objects.get(&key), other.inner.objects.get(&key)) {
            (Some(a), Some(b)) if a == b => true,
            (Some(_), Some(_)) => match (self.get(r), other.get(r)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
            (None, None) => true,
            _ => false,
        }
    }

    /// The number the next new object gets: the trailer's /Size, which must be above every
    /// object number in use. A /Size at or below one of them (a damaged or mangled file) would
    /// make an update overwrite existing objects, so it is refused.
    pub fn next_object_number(&self) -> Result<u32, SignError> {
        let size = match self.trailer.get("Size") {
            Some(Obj::Int(n)) if *n > 0 => u32::try_from(*n)
                .ok()
                .filter(|n| *n < u32::MAX / 2)
                .ok_or_else(|| malformed(format!("the trailer's /Size {n} is too large")))?,
            _ => return Err(malformed("trailer without /Size")),
        };
        if let Some(highest) = self.object_refs().map(|r| r.num).max()
            && highest >= size
        {
            return Err(malformed(format!(
                "the trailer's /Size {size} is not above object number {highest} \
                 (the cross-reference data is damaged)"
            )));
        }
        Ok(size)
    }

    /// Whether object `r` exists.
    pub fn has(&self, r: Ref) -> bool {
        self.inner.objects.contains_key(&(r.num, r.generation))
    }

    /// Read an indirect object.
    pub fn get(&self, r: Ref) -> Result<Obj, SignError> {
        let obj = self
            .inner
            .objects
            .get(&(r.num, r.generation))
            .ok_or_else(|| {
                malformed(format!(
                    "object {} {} R is not in the file",
                    r.num, r.generation
                ))
            })?;
        convert(obj, 0)
    }

    /// Follow references until a direct object.
    pub fn resolve(&self, obj: &Obj) -> Result<Obj, SignError> {
        let mut cur = obj.clone();
        for _ in 0..32 {
            match cur {
                Obj::Ref(r) => cur = self.get(r)?,
                other => return Ok(other),
            }
        }
        Err(malformed("reference chain too long"))
    }

    /// Resolve an entry of a dictionary.
    pub fn resolve_key(&self, dict: &Dict, key: &str) -> Result<Option<Obj>, SignError> {
        dict.get(key).map(|o| self.resolve(o)).transpose()
    }

    /// The catalog's `/AcroForm /Fields` array, resolved, if there is one.
    pub fn acroform_fields(&self, catalog: &Dict) -> Result<Option<Obj>, SignError> {
        let Some(acroform) = self.resolve_key(catalog, "AcroForm")? else {
            return Ok(None);
        };
        Ok(acroform
            .as_dict()
            .map(|d| self.resolve_key(d, "Fields"))
            .transpose()?
            .flatten())
    }

    /// The document catalog reference.
    pub fn root_ref(&self) -> Result<Ref, SignError> {
        self.trailer
            .get("Root")
            .and_then(Obj::as_ref)
            .ok_or_else(|| malformed("trailer has no /Root reference"))
    }

    /// The catalog, as a dictionary.
    pub fn catalog(&self) -> Result<Dict, SignError> {
        match self.get(self.root_ref()?)? {
            Obj::Dict(d) => Ok(d),
            _ => Err(malformed("catalog is not a dictionary")),
        }
    }

    /// References of all pages, in order. Each page-tree node is visited
    /// once: a node that lists itself (or an ancestor) is an error, not a
    /// loop.
    pub fn page_refs(&self) -> Result<Vec<Ref>, SignError> {
        let catalog = self.catalog()?;
        let pages = catalog
            .get("Pages")
            .and_then(Obj::as_ref)
            .ok_or_else(|| malformed("catalog has no /Pages reference"))?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(pages, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(malformed("page tree too deep"));
            }
            if !seen.insert(node) {
                return Err(malformed(format!(
                    "the page tree visits object {} twice",
                    node.num
                )));
            }
            let obj = self.get(node)?;
            let dict = obj
                .as_dict()
                .ok_or_else(|| malformed("page tree node is not a dictionary"))?;
            if dict.name_is("Type", "Page") {
                out.push(node);
                continue;
            }
            let kids = self
                .resolve_key(dict, "Kids")?
                .ok_or_else(|| malformed("page tree node without /Kids"))?;
            // Reversed onto the stack so pages come out in document order.
            for kid in kids.as_array().unwrap_or(&[]).iter().rev() {
                let r = kid
                    .as_ref()
                    .ok_or_else(|| malformed("page tree kid is not a reference"))?;
                stack.push((r, depth + 1));
            }
        }
        Ok(out)
    }
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Serialize an object.
pub(crate) fn write_obj(out: &mut Vec<u8>, obj: &Obj) {
    match obj {
        Obj::Null => out.extend_from_slice(b"null"),
        Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Obj::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Obj::Real(r) => out.extend_from_slice(r.as_bytes()),
        Obj::Name(n) => write_name(out, n),
        Obj::Str(s) => write_string(out, s),
        Obj::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_obj(out, item);
            }
            out.push(b']');
        }
        Obj::Dict(d) => write_dict(out, d),
        Obj::Ref(r) => out.extend_from_slice(format!("{} {} R", r.num, r.generation).as_bytes()),
        Obj::Stream(d, data) => {
            let mut d = d.clone();
            d.set("Length", Obj::Int(data.len() as i64));
            write_dict(out, &d);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
    }
}

fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        out.push(b' ');
        write_obj(out, v);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &c in n {
        if is_regular(c) && c != b'#' && (0x21..0x7f).contains(&c) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("#{c:02X}").as_bytes());
        }
    }
}

fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    // Literal strings for printable ASCII, hex strings for anything else.
    if s.iter().all(|&c| (0x20..0x7f).contains(&c)) {
        out.push(b'(');
        for &c in s {
            if matches!(c, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(c);
        }
        out.push(b')');
    } else {
        write_hex_string(out, s);
    }
}

pub(crate) fn write_hex_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'<');
    for c in s {
        out.extend_from_slice(format!("{c:02X}").as_bytes());
    }
    out.push(b'>');
}

/// A PDF text string: PDFDocEncoding-compatible ASCII as is, anything else
/// as UTF-16BE with a byte order mark.
pub(crate) fn text_string(s: &str) -> Obj {
    if s.bytes().all(|c| (0x20..0x7f).contains(&c)) {
        Obj::Str(s.as_bytes().to_vec())
    } else {
        let mut v = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        Obj::Str(v)
    }
}

/// Decode a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or
/// PDFDocEncoding treated as Latin-1).
pub(crate) fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `s` as object 1 of a minimal file, read back through lopdf.
    fn parse(s: &str) -> Obj {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let at = pdf.len();
        pdf.extend_from_slice(format!("1 0 obj\n{s}\nendobj\n").as_bytes());
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "xref\n0 2\n0000000000 65535 f\r\n{at:010} 00000 n\r\n\
                 trailer\n<</Size 2/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        Document::parse(&pdf).unwrap().get(Ref::new(1)).unwrap()
    }

    #[test]
    fn parses_objects() {
        assert_eq!(parse("[12 0 R]"), Obj::Array(vec![Obj::Ref(Ref::new(12))]));
        assert_eq!(parse("[12 0]"), Obj::Array(vec![Obj::Int(12), Obj::Int(0)]));
        assert_eq!(parse("-3.5"), Obj::Real("-3.5".into()));
        assert_eq!(parse(".5"), Obj::Real("0.5".into()));
        assert_eq!(parse("/A#20B"), Obj::Name(b"A B".to_vec()));
        assert_eq!(parse("(a\\(b\\)\\101(x))"), Obj::Str(b"a(b)A(x)".to_vec()));
        assert_eq!(parse("<414 2>"), Obj::Str(b"AB".to_vec()));
        let d = parse("<</K[1 2 0 R]/T(x)%c\n/N null>>");
        let d = d.as_dict().unwrap();
        assert_eq!(
            d.get("K"),
            Some(&Obj::Array(vec![Obj::Int(1), Obj::Ref(Ref::new(2))]))
        );
        assert_eq!(d.get("N"), Some(&Obj::Null));
    }

    #[test]
    fn writes_round_trip() {
        let src = "<</A [1 2.5 /N#23 (s\\)) <00FF>] /B <</C 3 0 R>> /D true>>";
        let obj = parse(src);
        let mut out = Vec::new();
        write_obj(&mut out, &obj);
        assert_eq!(parse(std::str::from_utf8(&out).unwrap()), obj);
    }

    #[test]
    fn text_strings() {
        assert_eq!(
            decode_text_string(text_string("Zoë").as_str().unwrap()),
            "Zoë"
        );
        assert_eq!(text_string("abc"), Obj::Str(b"abc".to_vec()));
    }
}

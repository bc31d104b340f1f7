//! A small, purpose-built PDF object reader and writer.
//!
//! It reads what krilla 0.8.2 writes: classic cross-reference tables (krilla
//! always calls `pdf_writer::Pdf::finish`, never the xref-stream variant, and
//! writes no object streams), chained through `/Prev` for files that were
//! already updated incrementally. Cross-reference streams are rejected with a
//! typed error rather than half-supported.

use std::collections::HashMap;

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

/// A cursor over PDF bytes.
pub(crate) struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Lexer<'a> {
        Lexer { data, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next run of regular characters (a keyword or number), without
    /// consuming it.
    fn peek_word(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        let mut end = start;
        while end < self.data.len() && is_regular(self.data[end]) {
            end += 1;
        }
        &self.data[start..end]
    }

    fn take_word(&mut self) -> &'a [u8] {
        let w = self.peek_word();
        self.pos += w.len();
        w
    }

    pub fn expect_keyword(&mut self, kw: &str) -> Result<(), SignError> {
        let w = self.take_word();
        if w == kw.as_bytes() {
            Ok(())
        } else {
            Err(malformed(format!(
                "expected `{kw}` at byte {}, found `{}`",
                self.pos - w.len(),
                String::from_utf8_lossy(w)
            )))
        }
    }

    fn parse_uint(word: &[u8]) -> Option<u64> {
        if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(word).ok()?.parse().ok()
    }

    pub fn take_uint(&mut self) -> Result<u64, SignError> {
        let at = self.pos;
        let w = self.take_word();
        Self::parse_uint(w).ok_or_else(|| malformed(format!("expected an integer at byte {at}")))
    }

    /// Parse one direct object (a reference `N G R` counts as one object).
    pub fn parse_object(&mut self, depth: usize) -> Result<Obj, SignError> {
        if depth > 64 {
            return Err(malformed("objects nested too deeply"));
        }
        self.skip_ws();
        let start = self.pos;
        let Some(b) = self.peek() else {
            return Err(malformed("unexpected end of file"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                let mut name = Vec::new();
                while let Some(c) = self.peek() {
                    if !is_regular(c) {
                        break;
                    }
                    self.pos += 1;
                    if c == b'#' {
                        let hex = self
                            .data
                            .get(self.pos..self.pos + 2)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u8::from_str_radix(h, 16).ok());
                        if let Some(v) = hex {
                            name.push(v);
                            self.pos += 2;
                            continue;
                        }
                    }
                    name.push(c);
                }
                Ok(Obj::Name(name))
            }
            b'(' => self.parse_literal_string().map(Obj::Str),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Dict::default();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            break;
                        }
                        Some(b'/') => {
                            let Obj::Name(key) = self.parse_object(depth + 1)? else {
                                unreachable!("a slash always starts a name")
                            };
                            let value = self.parse_object(depth + 1)?;
                            dict.0.push((key, value));
                        }
                        _ => {
                            return Err(malformed(format!(
                                "bad dictionary key at byte {}",
                                self.pos
                            )));
                        }
                    }
                }
                // A stream body, if any, is handled by `parse_indirect`.
                Ok(Obj::Dict(dict))
            }
            b'<' => {
                self.pos += 1;
                let mut digits = Vec::new();
                loop {
                    match self.peek() {
                        Some(b'>') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) if c.is_ascii_hexdigit() => {
                            digits.push(c);
                            self.pos += 1;
                        }
                        Some(c) if is_white(c) => self.pos += 1,
                        _ => return Err(malformed(format!("bad hex string at byte {start}"))),
                    }
                }
                if digits.len() % 2 == 1 {
                    digits.push(b'0');
                }
                let bytes = digits
                    .chunks(2)
                    .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
                    .collect();
                Ok(Obj::Str(bytes))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.parse_object(depth + 1)?);
                }
                Ok(Obj::Array(items))
            }
            _ => {
                let word = self.take_word();
                match word {
                    b"true" => return Ok(Obj::Bool(true)),
                    b"false" => return Ok(Obj::Bool(false)),
                    b"null" => return Ok(Obj::Null),
                    b"" => {
                        return Err(malformed(format!(
                            "unexpected byte 0x{b:02x} at byte {start}"
                        )));
                    }
                    _ => {}
                }
                if let Some(num) = Self::parse_uint(word) {
                    // Maybe `num gen R`.
                    let save = self.pos;
                    let g = self.take_word();
                    if let Some(generation) = Self::parse_uint(g)
                        && self.take_word() == b"R"
                    {
                        return Ok(Obj::Ref(Ref {
                            num: u32::try_from(num).map_err(|_| malformed("object number"))?,
                            generation: u16::try_from(generation)
                                .map_err(|_| malformed("generation number"))?,
                        }));
                    }
                    self.pos = save;
                }
                let text = std::str::from_utf8(word).map_err(|_| malformed("bad token"))?;
                if let Ok(i) = text.parse::<i64>() {
                    Ok(Obj::Int(i))
                } else if text
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'+' | b'-'))
                {
                    Ok(Obj::Real(text.to_string()))
                } else {
                    Err(malformed(format!("unknown token `{text}` at byte {start}")))
                }
            }
        }
    }

    fn parse_literal_string(&mut self) -> Result<Vec<u8>, SignError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let Some(c) = self.peek() else {
                return Err(malformed(format!("unterminated string at byte {start}")));
            };
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { continue };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// A parsed PDF file: its bytes, the merged cross-reference table of all
/// revisions, and the newest trailer.
pub(crate) struct Document<'a> {
    pub data: &'a [u8],
    /// object number -> (byte offset, generation), in-use entries only.
    pub xref: HashMap<u32, (usize, u16)>,
    pub trailer: Dict,
    /// Offset of the newest cross-reference section.
    pub startxref: usize,
}

impl<'a> Document<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Document<'a>, SignError> {
        if !data.starts_with(b"%PDF-") {
            return Err(malformed("missing %PDF- header"));
        }
        let startxref = find_startxref(data)?;
        let mut xref = HashMap::new();
        let mut trailer = None;
        let mut next = Some(startxref);
        let mut seen = Vec::new();
        while let Some(offset) = next {
            if seen.contains(&offset) || seen.len() > 1000 {
                return Err(malformed("cross-reference sections form a loop"));
            }
            seen.push(offset);
            let section_trailer = parse_xref_section(data, offset, &mut xref)?;
            next = match section_trailer.get("Prev") {
                Some(Obj::Int(p)) if *p >= 0 => Some(*p as usize),
                Some(_) => return Err(malformed("bad /Prev in trailer")),
                None => None,
            };
            if section_trailer.get("XRefStm").is_some() {
                return Err(SignError::UnsupportedPdf(
                    "hybrid cross-reference (XRefStm) files".into(),
                ));
            }
            if trailer.is_none() {
                trailer = Some(section_trailer);
            }
        }
        let trailer = trailer.ok_or_else(|| malformed("no trailer"))?;
        Ok(Document {
            data,
            xref,
            trailer,
            startxref,
        })
    }

    /// Read an indirect object.
    pub fn get(&self, r: Ref) -> Result<Obj, SignError> {
        let &(offset, generation) = self
            .xref
            .get(&r.num)
            .ok_or_else(|| malformed(format!("object {} is not in the xref table", r.num)))?;
        if generation != r.generation {
            return Err(malformed(format!(
                "object {} has another generation",
                r.num
            )));
        }
        let (num, _, obj) = self.parse_indirect(offset)?;
        if num != r.num {
            return Err(malformed(format!(
                "xref offset of object {} points at object {num}",
                r.num
            )));
        }
        Ok(obj)
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

    /// Parse `N G obj ... endobj` at `offset`.
    pub fn parse_indirect(&self, offset: usize) -> Result<(u32, u16, Obj), SignError> {
        if offset >= self.data.len() {
            return Err(malformed(format!(
                "object offset {offset} beyond end of file"
            )));
        }
        let mut lx = Lexer::new(self.data, offset);
        let num = lx.take_uint()?;
        let generation = lx.take_uint()?;
        lx.expect_keyword("obj")?;
        let obj = lx.parse_object(0)?;
        lx.skip_ws();
        let obj = if lx.data[lx.pos..].starts_with(b"stream") {
            let Obj::Dict(dict) = obj else {
                return Err(malformed("stream without dictionary"));
            };
            lx.pos += b"stream".len();
            if lx.data[lx.pos..].starts_with(b"\r\n") {
                lx.pos += 2;
            } else if lx.data[lx.pos..].starts_with(b"\n") {
                lx.pos += 1;
            }
            let start = lx.pos;
            let len = match dict.get("Length") {
                Some(Obj::Int(l)) => Some(*l as usize),
                Some(Obj::Ref(r)) if r.num as u64 != num => {
                    self.get(*r)?.as_int().map(|l| l as usize)
                }
                _ => None,
            };
            let end = match len {
                Some(l) if start + l <= self.data.len() => start + l,
                _ => find(self.data, b"endstream", start)
                    .ok_or_else(|| malformed("stream without endstream"))?,
            };
            Obj::Stream(dict, self.data[start..end].to_vec())
        } else {
            obj
        };
        Ok((
            u32::try_from(num).map_err(|_| malformed("object number"))?,
            u16::try_from(generation).map_err(|_| malformed("generation"))?,
            obj,
        ))
    }

    /// The document catalog reference.
    pub fn root_ref(&self) -> Result<Ref, SignError> {
        self.trailer
            .get("Root")
            .and_then(Obj::as_ref)
            .ok_or_else(|| malformed("trailer has no /Root reference"))
    }

    /// References of all pages, in order.
    pub fn page_refs(&self) -> Result<Vec<Ref>, SignError> {
        let catalog = self.get(self.root_ref()?)?;
        let catalog = catalog
            .as_dict()
            .ok_or_else(|| malformed("catalog is not a dictionary"))?;
        let pages = catalog
            .get("Pages")
            .and_then(Obj::as_ref)
            .ok_or_else(|| malformed("catalog has no /Pages reference"))?;
        let mut out = Vec::new();
        self.collect_pages(pages, &mut out, 0)?;
        Ok(out)
    }

    fn collect_pages(&self, node: Ref, out: &mut Vec<Ref>, depth: usize) -> Result<(), SignError> {
        if depth > 64 {
            return Err(malformed("page tree too deep"));
        }
        let obj = self.get(node)?;
        let dict = obj
            .as_dict()
            .ok_or_else(|| malformed("page tree node is not a dictionary"))?;
        if dict.name_is("Type", "Page") {
            out.push(node);
            return Ok(());
        }
        let kids = self
            .resolve_key(dict, "Kids")?
            .ok_or_else(|| malformed("page tree node without /Kids"))?;
        for kid in kids.as_array().unwrap_or(&[]) {
            let r = kid
                .as_ref()
                .ok_or_else(|| malformed("page tree kid is not a reference"))?;
            self.collect_pages(r, out, depth + 1)?;
        }
        Ok(())
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

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find_startxref(data: &[u8]) -> Result<usize, SignError> {
    let tail_start = data.len().saturating_sub(2048);
    let pos = rfind(&data[tail_start..], b"startxref")
        .map(|p| p + tail_start)
        .ok_or_else(|| malformed("no startxref"))?;
    let mut lx = Lexer::new(data, pos + b"startxref".len());
    let off = lx.take_uint()? as usize;
    if off >= data.len() {
        return Err(malformed("startxref points beyond end of file"));
    }
    Ok(off)
}

/// Parse one classic xref section at `offset` into `xref` (entries already
/// present, i.e. from newer sections, win) and return its trailer.
fn parse_xref_section(
    data: &[u8],
    offset: usize,
    xref: &mut HashMap<u32, (usize, u16)>,
) -> Result<Dict, SignError> {
    let mut lx = Lexer::new(data, offset);
    let word = lx.peek_word();
    if word != b"xref" {
        if Lexer::parse_uint(word).is_some() {
            return Err(SignError::UnsupportedPdf(
                "cross-reference streams (this module reads classic xref tables, as krilla writes)"
                    .into(),
            ));
        }
        return Err(malformed(format!("no xref table at byte {offset}")));
    }
    lx.take_word();
    loop {
        let w = lx.peek_word();
        if w == b"trailer" {
            lx.take_word();
            break;
        }
        let start = lx.take_uint()? as u32;
        let count = lx.take_uint()? as u32;
        if count > 10_000_000 {
            return Err(malformed("xref subsection too large"));
        }
        for i in 0..count {
            let off = lx.take_uint()? as usize;
            let generation = lx.take_uint()? as u16;
            let kind = lx.take_word();
            let num = start + i;
            if kind == b"n" {
                xref.entry(num).or_insert((off, generation));
            } else if kind != b"f" {
                return Err(malformed("bad xref entry"));
            }
            // A free entry in a newer section hides older in-use entries.
            else if num != 0 {
                xref.entry(num).or_insert((usize::MAX, generation));
            }
        }
    }
    match lx.parse_object(0)? {
        Obj::Dict(d) => Ok(d),
        _ => Err(malformed("trailer is not a dictionary")),
    }
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

    fn parse(s: &str) -> Obj {
        Lexer::new(s.as_bytes(), 0).parse_object(0).unwrap()
    }

    #[test]
    fn parses_objects() {
        assert_eq!(parse("12 0 R"), Obj::Ref(Ref::new(12)));
        assert_eq!(parse("12 0"), Obj::Int(12));
        assert_eq!(parse("-3.5"), Obj::Real("-3.5".into()));
        assert_eq!(parse(".5"), Obj::Real(".5".into()));
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
        let src = "<</A [1 2.50 /N#23 (s\\)) <00FF>] /B <</C 3 0 R>> /D true>>";
        let obj = parse(src);
        let mut out = Vec::new();
        write_obj(&mut out, &obj);
        assert_eq!(Lexer::new(&out, 0).parse_object(0).unwrap(), obj);
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

//! Signing by incremental update.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::pdf::{Dict, Document, Obj, Ref, text_string, write_hex_string, write_obj};
use super::time::pdf_date;
use super::{SignError, SignOptions, Signer, appearance, cms};

/// Spare bytes reserved in /Contents beyond the computed CMS size.
const CONTENTS_MARGIN: usize = 256;
/// Width reserved for the three ByteRange numbers after the leading 0.
const BYTE_RANGE_WIDTH: usize = 32;

/// Sign `pdf` (a finished krilla PDF, or any PDF with classic xref tables)
/// and return the signed file: the original bytes followed by one
/// incremental update.
pub fn sign(pdf: &[u8], signer: &Signer, options: &SignOptions) -> Result<Vec<u8>, SignError> {
    let doc = Document::parse(pdf)?;
    let pages = doc.page_refs()?;
    let page_index = options.visible.as_ref().map_or(0, |v| v.page_index);
    let page_ref = *pages.get(page_index).ok_or_else(|| {
        SignError::InvalidOptions(format!(
            "page index {page_index} out of range (the document has {} pages)",
            pages.len()
        ))
    })?;
    if let Some(v) = &options.visible {
        let [x1, y1, x2, y2] = v.rect;
        if !(x1.is_finite() && y1.is_finite() && x2.is_finite() && y2.is_finite())
            || x2 <= x1
            || y2 <= y1
        {
            return Err(SignError::InvalidOptions(
                "the signature rectangle must be [x1 y1 x2 y2] with x2 > x1 and y2 > y1".into(),
            ));
        }
    }

    let mut next_num = match doc.trailer.get("Size") {
        Some(Obj::Int(n)) if *n > 0 => *n as u32,
        _ => return Err(SignError::MalformedPdf("trailer without /Size".into())),
    };
    let mut alloc = || {
        let r = Ref::new(next_num);
        next_num += 1;
        r
    };
    let sig_ref = alloc();
    let field_ref = alloc();

    // Objects of the update other than the signature dictionary.
    let mut objects: BTreeMap<Ref, Obj> = BTreeMap::new();

    let root_ref = doc.root_ref()?;
    let mut catalog = dict_of(doc.get(root_ref)?, "catalog")?;
    let mut page = dict_of(doc.get(page_ref)?, "page")?;

    // Catch gross coordinate mistakes (e.g. krilla's top-left, y-down
    // coordinates passed unconverted) against the page's own /MediaBox.
    if let (Some(v), Some(Obj::Array(mb))) = (&options.visible, page.get("MediaBox")) {
        let mb: Vec<f32> = mb.iter().filter_map(number).collect();
        let [x1, y1, x2, y2] = v.rect;
        if mb.len() == 4
            && (x1 < mb[0] - 0.5 || y1 < mb[1] - 0.5 || x2 > mb[2] + 0.5 || y2 > mb[3] + 0.5)
        {
            return Err(SignError::InvalidOptions(format!(
                "the signature rectangle {:?} is not inside the page's MediaBox {mb:?}",
                v.rect
            )));
        }
    }

    let signer_name = signer.signer_name();
    let description = match &options.visible {
        Some(v) if !v.lines.is_empty() => v.lines.join(", "),
        _ => format!("Digital signature of {signer_name}"),
    };

    // The field name must be unique among the existing fields.
    let existing_fields = existing_field_names(&doc, &catalog)?;
    let field_name = (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !existing_fields.contains(n))
        .expect("an unused name exists");

    // Signature field merged with its widget annotation.
    let rect = match &options.visible {
        Some(v) => v.rect.map(real),
        None => [Obj::Int(0), Obj::Int(0), Obj::Int(0), Obj::Int(0)],
    };
    let mut field = Dict::default()
        .with("Type", Obj::name("Annot"))
        .with("Subtype", Obj::name("Widget"))
        .with("FT", Obj::name("Sig"))
        .with("T", text_string(&field_name))
        .with("TU", text_string(&description))
        .with("V", Obj::Ref(sig_ref))
        .with("F", Obj::Int(4))
        .with("P", Obj::Ref(page_ref))
        .with("Rect", Obj::Array(rect.to_vec()));
    // Every widget gets a normal appearance, even the zero-size invisible
    // one: PDF/A-2 (6.3.3) exempts zero-size annotations, but PDFBox
    // Preflight's PDF/A-1 check insists on /AP for every widget.
    let ap_ref = alloc();
    let (width, height, content) = match &options.visible {
        Some(v) => {
            let width = v.rect[2] - v.rect[0];
            let height = v.rect[3] - v.rect[1];
            (
                width,
                height,
                appearance::content_stream(&v.lines, width, height),
            )
        }
        None => (0.0, 0.0, Vec::new()),
    };
    let xobject = Dict::default()
        .with("Type", Obj::name("XObject"))
        .with("Subtype", Obj::name("Form"))
        .with(
            "BBox",
            Obj::Array(vec![Obj::Int(0), Obj::Int(0), real(width), real(height)]),
        )
        .with("Resources", Obj::Dict(Dict::default()));
    let (xobject, content) = if content.is_empty() {
        (xobject, content)
    } else {
        (
            xobject.with("Filter", Obj::name("FlateDecode")),
            deflate(&content)?,
        )
    };
    objects.insert(ap_ref, Obj::Stream(xobject, content));
    field.set("AP", Obj::Dict(Dict::default().with("N", Obj::Ref(ap_ref))));

    // Logical structure: a /Form element whose only kid is an OBJR to the widget.
    if let Some(str_ref) = catalog.get("StructTreeRoot").and_then(Obj::as_ref) {
        let form_ref = alloc();
        let key = add_to_structure(&doc, str_ref, form_ref, &mut objects)?;
        let parent = objects
            .get(&form_ref)
            .and_then(Obj::as_dict)
            .and_then(|d| d.get("P"))
            .cloned()
            .unwrap_or(Obj::Ref(str_ref));
        let objr = Dict::default()
            .with("Type", Obj::name("OBJR"))
            .with("Obj", Obj::Ref(field_ref))
            .with("Pg", Obj::Ref(page_ref));
        let form = Dict::default()
            .with("Type", Obj::name("StructElem"))
            .with("S", Obj::name("Form"))
            .with("P", parent)
            .with("Pg", Obj::Ref(page_ref))
            .with("Alt", text_string(&description))
            .with("K", Obj::Dict(objr));
        objects.insert(form_ref, Obj::Dict(form));
        field.set("StructParent", Obj::Int(key));
        // PDF/UA-1 7.18.3: pages with annotations need /Tabs /S.
        if page.get("Tabs").is_none() {
            page.set("Tabs", Obj::name("S"));
        }
    }
    objects.insert(field_ref, Obj::Dict(field));

    // The page's /Annots.
    let mut annots = match page.get("Annots") {
        Some(o) => doc
            .resolve(o)?
            .as_array()
            .map(<[Obj]>::to_vec)
            .ok_or_else(|| SignError::MalformedPdf("/Annots is not an array".into()))?,
        None => Vec::new(),
    };
    annots.push(Obj::Ref(field_ref));
    page.set("Annots", Obj::Array(annots));
    objects.insert(page_ref, Obj::Dict(page));

    // The catalog's /AcroForm.
    add_to_acroform(&doc, &mut catalog, field_ref, &mut objects)?;
    objects.insert(root_ref, Obj::Dict(catalog));

    // Assemble the update.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<Ref, usize> = BTreeMap::new();

    // Signature dictionary, written by hand to know where its placeholders are.
    let reserved = cms::build(signer, &[0u8; 32], true)?.len()
        + CONTENTS_MARGIN
        + if options.tsa.is_some() {
            cms::TOKEN_RESERVE
        } else {
            0
        };
    offsets.insert(sig_ref, out.len());
    out.extend_from_slice(format!("{} 0 obj\n", sig_ref.num).as_bytes());
    out.extend_from_slice(
        b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ",
    );
    let byte_range_at = out.len();
    out.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    out.extend_from_slice(b"] /Contents ");
    let contents_start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * reserved, b'0');
    out.push(b'>');
    let contents_end = out.len();
    let mut rest = Dict::default().with("M", Obj::Str(pdf_date(options.time_unix).into_bytes()));
    rest.set("Name", text_string(&signer_name));
    if let Some(reason) = &options.reason {
        rest.set("Reason", text_string(reason));
    }
    if let Some(location) = &options.location {
        rest.set("Location", text_string(location));
    }
    for (k, v) in &rest.0 {
        out.push(b' ');
        write_obj(&mut out, &Obj::Name(k.clone()));
        out.push(b' ');
        write_obj(&mut out, v);
    }
    out.extend_from_slice(b">>\nendobj\n");

    for (r, obj) in &objects {
        offsets.insert(*r, out.len());
        out.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        write_obj(&mut out, obj);
        out.extend_from_slice(b"\nendobj\n");
    }

    let mut id_seed = Vec::new();
    id_seed.extend_from_slice(&options.time_unix.to_be_bytes());
    id_seed.extend_from_slice(signer.certificate_der());
    finish_update(&mut out, &doc, pdf, offsets, next_num, &id_seed);

    // Byte range: everything except the /Contents hex string, delimiters included.
    let byte_range = [0, contents_start, contents_end, out.len() - contents_end];
    let numbers = format!("{} {} {}]", byte_range[1], byte_range[2], byte_range[3]);
    // The `]` is already there; write the numbers and pad with spaces.
    let numbers = &numbers[..numbers.len() - 1];
    if numbers.len() > BYTE_RANGE_WIDTH {
        return Err(SignError::UnsupportedPdf(
            "file too large for the byte range".into(),
        ));
    }
    out[byte_range_at..byte_range_at + numbers.len()].copy_from_slice(numbers.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_start]);
    hasher.update(&out[contents_end..]);
    let digest = hasher.finalize();
    let (cms, _token) = cms::build_timestamped(signer, &digest, false, options.tsa.as_ref())?;
    if cms.len() > reserved {
        return Err(SignError::PlaceholderTooSmall {
            needed: cms.len(),
            reserved,
        });
    }
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// Append the cross-reference section and trailer of an update whose
/// objects start at the given offsets, in the style of the newest section of
/// the original (a classic table, or a cross-reference stream when the
/// original uses them). The second /ID element is derived from the original
/// bytes and `id_seed`, never from the clock.
pub(crate) fn finish_update(
    out: &mut Vec<u8>,
    doc: &Document,
    pdf: &[u8],
    mut offsets: BTreeMap<Ref, usize>,
    next_num: u32,
    id_seed: &[u8],
) {
    let mut id_hash = Sha256::new();
    id_hash.update(pdf);
    id_hash.update(id_seed);
    let new_id = id_hash.finalize()[..16].to_vec();
    let first_id = match doc.trailer.get("ID") {
        Some(Obj::Array(a)) => a.first().and_then(Obj::as_str).map(<[u8]>::to_vec),
        _ => None,
    }
    .unwrap_or_else(|| new_id.clone());
    let mut trailer = Dict::default();
    for (k, v) in &doc.trailer.0 {
        if !matches!(
            k.as_slice(),
            b"Prev"
                | b"Size"
                | b"ID"
                | b"XRefStm"
                | b"Type"
                | b"W"
                | b"Index"
                | b"Length"
                | b"Filter"
                | b"DecodeParms"
        ) {
            trailer.0.push((k.clone(), v.clone()));
        }
    }
    if doc.uses_xref_stream() {
        trailer.set("ID", Obj::Array(vec![Obj::Str(first_id), Obj::Str(new_id)]));
        trailer.set("Prev", Obj::Int(doc.startxref as i64));
        let xref_ref = Ref::new(next_num);
        let xref_at = out.len();
        offsets.insert(xref_ref, xref_at);
        let entries: Vec<(Ref, usize)> = offsets.into_iter().collect();
        let mut index = Vec::new();
        let mut data = Vec::new();
        for run in runs(&entries) {
            index.push(Obj::Int(i64::from(run[0].0.num)));
            index.push(Obj::Int(run.len() as i64));
            for (r, off) in run {
                data.push(1);
                data.extend_from_slice(&(*off as u32).to_be_bytes());
                data.extend_from_slice(&r.generation.to_be_bytes());
            }
        }
        let mut dict = Dict::default()
            .with("Type", Obj::name("XRef"))
            .with("Size", Obj::Int(i64::from(next_num) + 1))
            .with("W", Obj::Array(vec![Obj::Int(1), Obj::Int(4), Obj::Int(2)]))
            .with("Index", Obj::Array(index));
        for (k, v) in trailer.0 {
            dict.0.push((k, v));
        }
        out.extend_from_slice(format!("{} 0 obj\n", xref_ref.num).as_bytes());
        write_obj(out, &Obj::Stream(dict, data));
        out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
        return;
    }

    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let entries: Vec<(Ref, usize)> = offsets.into_iter().collect();
    for run in runs(&entries) {
        out.extend_from_slice(format!("{} {}\n", run[0].0.num, run.len()).as_bytes());
        for (r, off) in run {
            out.extend_from_slice(format!("{:010} {:05} n\r\n", off, r.generation).as_bytes());
        }
    }
    trailer.set("Size", Obj::Int(i64::from(next_num)));
    out.extend_from_slice(b"trailer\n");
    let mut trailer_bytes = Vec::new();
    write_obj(&mut trailer_bytes, &Obj::Dict(trailer));
    // Splice /ID and /Prev before the closing `>>` (IDs as hex strings).
    trailer_bytes.truncate(trailer_bytes.len() - 2);
    trailer_bytes.extend_from_slice(b"/ID [");
    write_hex_string(&mut trailer_bytes, &first_id);
    trailer_bytes.push(b' ');
    write_hex_string(&mut trailer_bytes, &new_id);
    trailer_bytes.extend_from_slice(format!("] /Prev {}>>", doc.startxref).as_bytes());
    out.extend_from_slice(&trailer_bytes);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
}

/// Runs of consecutive object numbers (the subsections of a cross-reference
/// section).
fn runs(entries: &[(Ref, usize)]) -> Vec<&[(Ref, usize)]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0.num == entries[j - 1].0.num + 1 {
            j += 1;
        }
        out.push(&entries[i..j]);
        i = j;
    }
    out
}

/// zlib/deflate for /FlateDecode (deterministic for a given flate2 version).
fn deflate(data: &[u8]) -> Result<Vec<u8>, SignError> {
    use std::io::Write as _;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data)
        .and_then(|()| enc.finish())
        .map_err(|e| SignError::Crypto(format!("compressing the appearance: {e}")))
}

fn number(o: &Obj) -> Option<f32> {
    match o {
        Obj::Int(i) => Some(*i as f32),
        Obj::Real(r) => r.parse().ok(),
        _ => None,
    }
}

fn real(v: f32) -> Obj {
    // Two decimals are plenty for points; trim trailing zeros.
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s.parse::<i64>() {
        Ok(i) => Obj::Int(i),
        Err(_) => Obj::Real(s.to_string()),
    }
}

fn dict_of(obj: Obj, what: &str) -> Result<Dict, SignError> {
    match obj {
        Obj::Dict(d) => Ok(d),
        _ => Err(SignError::MalformedPdf(format!(
            "the {what} is not a dictionary"
        ))),
    }
}

fn existing_field_names(doc: &Document, catalog: &Dict) -> Result<Vec<String>, SignError> {
    let Some(fields) = doc.acroform_fields(catalog)? else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    for f in fields.as_array().unwrap_or(&[]) {
        if let Some(d) = doc.resolve(f)?.as_dict()
            && let Some(t) = d.get("T").and_then(Obj::as_str)
        {
            names.push(super::pdf::decode_text_string(t));
        }
    }
    Ok(names)
}

/// Add the field to the catalog's /AcroForm (creating it if needed) and set
/// /SigFlags 3 (SignaturesExist | AppendOnly).
fn add_to_acroform(
    doc: &Document,
    catalog: &mut Dict,
    field_ref: Ref,
    objects: &mut BTreeMap<Ref, Obj>,
) -> Result<(), SignError> {
    let (acroform_ref, mut acroform) = match catalog.get("AcroForm") {
        Some(Obj::Ref(r)) => (Some(*r), dict_of(doc.get(*r)?, "AcroForm")?),
        Some(Obj::Dict(d)) => (None, d.clone()),
        Some(_) => {
            return Err(SignError::MalformedPdf(
                "/AcroForm is not a dictionary".into(),
            ));
        }
        None => (None, Dict::default()),
    };
    let mut fields = match acroform.get("Fields") {
        Some(o) => doc
            .resolve(o)?
            .as_array()
            .map(<[Obj]>::to_vec)
            .ok_or_else(|| SignError::MalformedPdf("/Fields is not an array".into()))?,
        None => Vec::new(),
    };
    fields.push(Obj::Ref(field_ref));
    acroform.set("Fields", Obj::Array(fields));
    acroform.set("SigFlags", Obj::Int(3));
    match acroform_ref {
        Some(r) => {
            objects.insert(r, Obj::Dict(acroform));
        }
        None => catalog.set("AcroForm", Obj::Dict(acroform)),
    }
    Ok(())
}

/// Hook the /Form element `form_ref` into the structure tree: as the last
/// kid of the Document element (or of the root if there is none), and in
/// the parent tree under a fresh key, which is returned (the widget's
/// /StructParent). The form element itself is inserted into `objects` with
/// only its /P set; the caller completes it.
fn add_to_structure(
    doc: &Document,
    str_ref: Ref,
    form_ref: Ref,
    objects: &mut BTreeMap<Ref, Obj>,
) -> Result<i64, SignError> {
    let mut root = dict_of(doc.get(str_ref)?, "structure tree root")?;

    // Parent tree: a number tree; only a flat /Nums (as krilla writes) is handled.
    let (pt_ref, mut parent_tree) = match root.get("ParentTree") {
        Some(Obj::Ref(r)) => (Some(*r), dict_of(doc.get(*r)?, "parent tree")?),
        Some(Obj::Dict(d)) => (None, d.clone()),
        Some(_) => {
            return Err(SignError::MalformedPdf(
                "/ParentTree is not a dictionary".into(),
            ));
        }
        None => (None, Dict::default()),
    };
    if parent_tree.get("Kids").is_some() {
        return Err(SignError::UnsupportedPdf(
            "a parent tree with /Kids (krilla writes a flat /Nums array)".into(),
        ));
    }
    let mut nums = match parent_tree.get("Nums") {
        Some(o) => doc
            .resolve(o)?
            .as_array()
            .map(<[Obj]>::to_vec)
            .ok_or_else(|| SignError::MalformedPdf("/Nums is not an array".into()))?,
        None => Vec::new(),
    };
    let max_key = nums.iter().step_by(2).filter_map(Obj::as_int).max();
    let next_from_nums = max_key.map_or(0, |k| k + 1);
    let key = match root.get("ParentTreeNextKey") {
        Some(Obj::Int(k)) => (*k).max(next_from_nums),
        _ => next_from_nums,
    };
    nums.push(Obj::Int(key));
    nums.push(Obj::Ref(form_ref));
    parent_tree.set("Nums", Obj::Array(nums));
    root.set("ParentTreeNextKey", Obj::Int(key + 1));
    match pt_ref {
        Some(r) => {
            objects.insert(r, Obj::Dict(parent_tree));
        }
        None => root.set("ParentTree", Obj::Dict(parent_tree)),
    }

    // Parent element: the single Document element if there is one.
    let document_elem = match root.get("K") {
        Some(Obj::Ref(r)) => Some(*r),
        Some(Obj::Array(a)) if a.len() == 1 => a[0].as_ref(),
        _ => None,
    }
    .map(|r| -> Result<_, SignError> {
        let d = doc.get(r)?;
        Ok(d.as_dict()
            .filter(|d| d.name_is("S", "Document"))
            .cloned()
            .map(|d| (r, d)))
    })
    .transpose()?
    .flatten();

    let parent = match document_elem {
        Some((r, mut elem)) => {
            let kids = append_kid(doc, elem.get("K"), form_ref)?;
            elem.set("K", kids);
            objects.insert(r, Obj::Dict(elem));
            r
        }
        None => {
            let kids = append_kid(doc, root.get("K"), form_ref)?;
            root.set("K", kids);
            str_ref
        }
    };
    objects.insert(str_ref, Obj::Dict(root));
    objects.insert(
        form_ref,
        Obj::Dict(Dict::default().with("P", Obj::Ref(parent))),
    );
    Ok(key)
}

/// A /K value with `kid` appended (arrays grow; single kids become arrays).
fn append_kid(doc: &Document, k: Option<&Obj>, kid: Ref) -> Result<Obj, SignError> {
    let mut items = match k {
        None | Some(Obj::Null) => Vec::new(),
        Some(Obj::Array(a)) => a.clone(),
        Some(Obj::Ref(r)) => match doc.get(*r)? {
            // An indirect array of kids is inlined; an indirect element stays a reference.
            Obj::Array(a) => a,
            _ => vec![Obj::Ref(*r)],
        },
        Some(other) => vec![other.clone()],
    };
    items.push(Obj::Ref(kid));
    Ok(Obj::Array(items))
}

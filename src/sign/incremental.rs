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
    sign_as(pdf, Who::Signer(signer), options)
}

/// What fills the /Contents of the new signature dictionary.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    /// A CMS signature (PAdES, `/ETSI.CAdES.detached`).
    Signer(&'a Signer),
    /// A document timestamp (`/ETSI.RFC3161`): the TSA's token over the
    /// byte range (PAdES B-LTA).
    Timestamp(&'a super::TsaConfig),
}

impl Who<'_> {
    fn name(&self) -> String {
        match self {
            Who::Signer(s) => s.signer_name(),
            Who::Timestamp(_) => "document timestamp".into(),
        }
    }
}

pub(crate) fn sign_as(pdf: &[u8], who: Who, options: &SignOptions) -> Result<Vec<u8>, SignError> {
    let doc = Document::parse(pdf)?;
    refuse_locked(&doc)?;
    let field_name = match who {
        // A document timestamp always gets its own new field.
        Who::Timestamp(_) => None,
        Who::Signer(_) => match target_field(&doc, options.field.as_deref())? {
            Target::Fill(r, field) => return fill(pdf, &doc, who, options, r, field),
            Target::New(name) => name,
        },
    };
    let pages = doc.page_refs()?;
    let page_index = match &options.visible {
        Some(v) => v.page_index,
        None => invisible_widget_page(&doc, &pages),
    };
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

    let mut next_num = doc.next_object_number()?;
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
    let page = dict_of(doc.get(page_ref)?, "page")?;

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

    let lines = match &options.visible {
        Some(v) if v.rect[2] > v.rect[0] && v.rect[3] > v.rect[1] => {
            resolve_time(pdf, &v.lines, who, options)?
        }
        _ => Vec::new(),
    };
    let description = match (&options.visible, who) {
        (Some(_), Who::Signer(_)) if !lines.is_empty() => lines.join(", "),
        (_, Who::Signer(s)) => format!("Digital signature of {}", s.signer_name()),
        (_, Who::Timestamp(_)) => "Document timestamp".to_string(),
    };

    // The field name must be unique among the existing fields.
    let existing_fields = existing_field_names(&doc, &catalog)?;
    let field_name = field_name.unwrap_or_else(|| {
        (1..)
            .map(|i| format!("Signature{i}"))
            .find(|n| !existing_fields.contains(n))
            .expect("an unused name exists")
    });

    // Signature field merged with its widget annotation.
    let rect = match &options.visible {
        Some(v) => v.rect.map(real),
        None => {
            let [x, y] = page_box_corner(&doc, &page);
            [real(x), real(y), real(x), real(y)]
        }
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
    // A visible widget has a normal appearance, and so does the zero-size
    // invisible one in PDF/A-1: PDF/A-2 and later (6.3.3) exempt zero-size
    // annotations, but PDFBox Preflight's PDF/A-1 check insists on /AP for
    // every widget. Elsewhere the invisible one has none, so that pyHanko
    // counts an archive timestamp as an LTA update, not form filling.
    if options.visible.is_some() || !matches!(pdfa_part(&doc), Some(2..)) {
        let ap_ref = alloc();
        let (width, height, lines) = match &options.visible {
            Some(v) => (v.rect[2] - v.rect[0], v.rect[3] - v.rect[1], &lines[..]),
            None => (0.0, 0.0, &[][..]),
        };
        let fonts = appearance_fonts(options);
        let built = appearance::build(lines, width, height, &fonts, &mut alloc)?;
        objects.insert(ap_ref, built.xobject);
        objects.extend(built.objects);
        field.set("AP", Obj::Dict(Dict::default().with("N", Obj::Ref(ap_ref))));
    }

    // An invisible widget stays out of the structure tree: PDF/UA exempts annotations outside
    // the crop box (a zero-size rectangle on its corner is, to veraPDF), and a later update
    // that adds structure elements is one pyHanko's difference analysis cannot explain: it
    // judged the earlier signatures INVALID ("illegitimate modifications") after a plain
    // co-signature or an archive timestamp on a tagged file.
    let structure = match options.visible {
        Some(_) => catalog
            .get("StructTreeRoot")
            .and_then(Obj::as_ref)
            .map(|root| (root, alloc())),
        None => None,
    };
    let tagged = catalog.get("StructTreeRoot").is_some();
    let widget = Widget {
        field_ref,
        field,
        page_ref,
        description: &description,
    };
    attach_widget(&doc, &mut objects, structure, tagged, widget, page)?;

    // The catalog's /AcroForm.
    add_to_acroform(&doc, &mut catalog, field_ref, &mut objects)?;
    objects.insert(root_ref, Obj::Dict(catalog));

    write_signed_update(pdf, &doc, who, options, sig_ref, objects, next_num)
}

/// Write the update: the signature dictionary (with its placeholders), the
/// other objects, the cross-reference section; then fill in the byte range
/// and the CMS signature.
fn write_signed_update(
    pdf: &[u8],
    doc: &Document,
    who: Who,
    options: &SignOptions,
    sig_ref: Ref,
    objects: BTreeMap<Ref, Obj>,
    next_num: u32,
) -> Result<Vec<u8>, SignError> {
    // Assemble the update.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<Ref, usize> = BTreeMap::new();

    // Signature dictionary, written by hand to know where its placeholders are.
    let reserved = match who {
        Who::Signer(signer) => {
            cms::build(signer, &[0u8; 32], true)?.len()
                + CONTENTS_MARGIN
                + if options.tsa.is_some() {
                    cms::TOKEN_RESERVE
                } else {
                    0
                }
        }
        Who::Timestamp(_) => cms::TOKEN_RESERVE,
    };
    offsets.insert(sig_ref, out.len());
    out.extend_from_slice(format!("{} 0 obj\n", sig_ref.num).as_bytes());
    out.extend_from_slice(match who {
        Who::Signer(_) => {
            b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 "
                .as_slice()
        }
        Who::Timestamp(_) => {
            b"<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 "
        }
    });
    let byte_range_at = out.len();
    out.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    out.extend_from_slice(b"] /Contents ");
    let contents_start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * reserved, b'0');
    out.push(b'>');
    let contents_end = out.len();
    let mut rest = Dict::default();
    if let Who::Signer(signer) = who {
        rest.set("M", Obj::Str(pdf_date(options.time_unix).into_bytes()));
        rest.set("Name", text_string(&signer.signer_name()));
    }
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
    write_objects(&mut out, &objects, &mut offsets);

    let mut id_seed = Vec::new();
    id_seed.extend_from_slice(&options.time_unix.to_be_bytes());
    match who {
        Who::Signer(signer) => id_seed.extend_from_slice(signer.certificate_der()),
        Who::Timestamp(_) => id_seed.extend_from_slice(b"document timestamp"),
    }
    finish_update(&mut out, doc, pdf, offsets, next_num, &id_seed);

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
    let cms = match who {
        Who::Signer(signer) => {
            cms::build_timestamped(signer, &digest, false, options.tsa.as_ref())?.0
        }
        Who::Timestamp(tsa) => super::tsa::timestamp(tsa, &digest)?.der,
    };
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
/// A signature field merged with its widget annotation, about to be placed on a page.
pub(crate) struct Widget<'a> {
    pub field_ref: Ref,
    pub field: Dict,
    pub page_ref: Ref,
    /// The field's purpose, for the structure element's /Alt.
    pub description: &'a str,
}

/// Puts `widget` on `page` (its /Annots) and, given `structure` (the structure tree root and
/// the number for the new element), into the logical structure as a /Form element whose only
/// kid is an OBJR to the widget. In a `tagged` file the page gets /Tabs /S (PDF/UA-1 7.18.3:
/// pages with annotations need it). The field and the page go into `objects`.
pub(crate) fn attach_widget(
    doc: &Document,
    objects: &mut BTreeMap<Ref, Obj>,
    structure: Option<(Ref, Ref)>,
    tagged: bool,
    widget: Widget,
    mut page: Dict,
) -> Result<(), SignError> {
    let Widget {
        field_ref,
        mut field,
        page_ref,
        description,
    } = widget;
    if let Some((str_ref, form_ref)) = structure {
        let key = add_to_structure(doc, str_ref, form_ref, objects)?;
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
            .with("Alt", text_string(description))
            .with("K", Obj::Dict(objr));
        objects.insert(form_ref, Obj::Dict(form));
        field.set("StructParent", Obj::Int(key));
    }
    if tagged && page.get("Tabs").is_none() {
        page.set("Tabs", Obj::name("S"));
    }
    objects.insert(field_ref, Obj::Dict(field));
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
    Ok(())
}

/// The page an invisible widget goes on: the first that already has /Tabs /S (a page with a
/// signature or a link), so that adding it changes only the page's /Annots, the one change to
/// a page pyHanko accepts after a signature; else the first page.
fn invisible_widget_page(doc: &Document, pages: &[Ref]) -> usize {
    pages
        .iter()
        .position(|&r| {
            doc.get(r)
                .ok()
                .and_then(|p| p.as_dict().map(|d| d.name_is("Tabs", "S")))
                .unwrap_or(false)
        })
        .unwrap_or(0)
}

/// The lower-left corner of the page's crop box (else its media box, else the origin): where
/// an invisible widget's zero-size rectangle goes, on the edge and so outside the visible page.
fn page_box_corner(doc: &Document, page: &Dict) -> [f32; 2] {
    ["CropBox", "MediaBox"]
        .iter()
        .find_map(|key| {
            let values: Vec<f32> = doc
                .resolve(page.get(key)?)
                .ok()?
                .as_array()?
                .iter()
                .filter_map(number)
                .collect();
            (values.len() == 4).then(|| [values[0].min(values[2]), values[1].min(values[3])])
        })
        .unwrap_or([0.0, 0.0])
}

/// Appends `objects` to `out`, recording where each starts.
fn write_objects(
    out: &mut Vec<u8>,
    objects: &BTreeMap<Ref, Obj>,
    offsets: &mut BTreeMap<Ref, usize>,
) {
    for (r, obj) in objects {
        offsets.insert(*r, out.len());
        out.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        write_obj(out, obj);
        out.extend_from_slice(b"\nendobj\n");
    }
}

/// `pdf` with an update of plain `objects` (nothing to sign in it): the objects, then the
/// cross-reference section and trailer.
pub(crate) fn append_update(
    pdf: &[u8],
    doc: &Document,
    objects: &BTreeMap<Ref, Obj>,
    next_num: u32,
    id_seed: &[u8],
) -> Vec<u8> {
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut offsets = BTreeMap::new();
    write_objects(&mut out, objects, &mut offsets);
    finish_update(&mut out, doc, pdf, offsets, next_num, id_seed);
    out
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

/// Where the signature goes.
enum Target {
    /// An empty signature field (field and widget in one dictionary) that
    /// a layout or another tool reserved.
    Fill(Ref, Dict),
    /// A new field, with this name or the next free `SignatureN`.
    New(Option<String>),
}

/// Every terminal field reachable from /AcroForm /Fields, each visited once:
/// (reference, dictionary, name).
fn all_fields(doc: &Document) -> Result<Vec<(Ref, Dict, String)>, SignError> {
    let catalog = doc.catalog()?;
    let Some(fields) = doc.acroform_fields(&catalog)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<Obj> = fields
        .as_array()
        .unwrap_or(&[])
        .iter()
        .rev()
        .cloned()
        .collect();
    while let Some(f) = stack.pop() {
        let Obj::Ref(r) = f else { continue };
        if !seen.insert(r) {
            continue;
        }
        let Obj::Dict(d) = doc.get(r)? else { continue };
        if let Some(kids) = doc.resolve_key(&d, "Kids")? {
            stack.extend(kids.as_array().unwrap_or(&[]).iter().rev().cloned());
            continue;
        }
        let name = d
            .get("T")
            .and_then(Obj::as_str)
            .map(super::pdf::decode_text_string)
            .unwrap_or_default();
        out.push((r, d, name));
    }
    Ok(out)
}

fn target_field(doc: &Document, wanted: Option<&str>) -> Result<Target, SignError> {
    let fields = all_fields(doc)?;
    let empty_sig =
        |d: &Dict| d.name_is("FT", "Sig") && d.get("V").is_none() && d.name_is("Subtype", "Widget");
    match wanted {
        Some(name) => match fields.into_iter().find(|(_, _, n)| n == name) {
            Some((_, d, _)) if !d.name_is("FT", "Sig") => Err(SignError::Refused(format!(
                "the field `{name}` is not a signature field"
            ))),
            Some((_, d, _)) if d.get("V").is_some() => Err(SignError::Refused(format!(
                "the field `{name}` is already signed"
            ))),
            Some((r, d, _)) if empty_sig(&d) => Ok(Target::Fill(r, d)),
            Some(_) => Err(SignError::UnsupportedPdf(format!(
                "the field `{name}` has separate widgets (only merged field widgets are filled)"
            ))),
            None => Ok(Target::New(Some(name.to_string()))),
        },
        None => Ok(fields
            .into_iter()
            .find(|(_, d, _)| empty_sig(d))
            .map_or(Target::New(None), |(r, d, _)| Target::Fill(r, d))),
    }
}

/// Refuse a file certified with "no changes allowed" (DocMDP P=1): any
/// further revision, a signature included, would break its certification.
fn refuse_locked(doc: &Document) -> Result<(), SignError> {
    let catalog = doc.catalog()?;
    let Some(Obj::Dict(perms)) = doc.resolve_key(&catalog, "Perms")? else {
        return Ok(());
    };
    let Some(Obj::Dict(sig)) = doc.resolve_key(&perms, "DocMDP")? else {
        return Ok(());
    };
    let Some(Obj::Array(refs)) = doc.resolve_key(&sig, "Reference")? else {
        return Ok(());
    };
    for r in refs {
        let Obj::Dict(r) = doc.resolve(&r)? else {
            continue;
        };
        let p = match doc.resolve_key(&r, "TransformParams")? {
            Some(Obj::Dict(tp)) => doc.resolve_key(&tp, "P")?.and_then(|p| p.as_int()),
            _ => None,
        };
        // P defaults to 2 when absent.
        if r.name_is("TransformMethod", "DocMDP") && p == Some(1) {
            return Err(SignError::Refused(
                "the file is certified with \"no changes allowed\" (DocMDP P=1); \
                 another signature would break its certification"
                    .into(),
            ));
        }
    }
    Ok(())
}

/// Sign into an empty signature field: its dictionary gets /V and a new
/// appearance in its /Rect; the page, /Fields and the structure tree
/// already list it.
fn fill(
    pdf: &[u8],
    doc: &Document,
    who: Who,
    options: &SignOptions,
    field_ref: Ref,
    mut field: Dict,
) -> Result<Vec<u8>, SignError> {
    let mut next_num = doc.next_object_number()?;
    let mut alloc = || {
        let r = Ref::new(next_num);
        next_num += 1;
        r
    };
    let sig_ref = alloc();
    let ap_ref = alloc();
    let mut objects: BTreeMap<Ref, Obj> = BTreeMap::new();
    let rect: Vec<f32> = field
        .get("Rect")
        .and_then(Obj::as_array)
        .map(|a| a.iter().filter_map(number).collect())
        .unwrap_or_default();
    let (width, height) = match rect.as_slice() {
        [x1, y1, x2, y2] => ((x2 - x1).abs(), (y2 - y1).abs()),
        _ => (0.0, 0.0),
    };
    let lines = match &options.visible {
        Some(v) if !v.lines.is_empty() => v.lines.clone(),
        // Signing a built PDF without its layout: the words in the document's language.
        _ => document_labels(doc).lines(&who.name(), options.tsa.is_some()),
    };
    let lines = if width > 0.0 && height > 0.0 {
        resolve_time(pdf, &lines, who, options)?
    } else {
        lines
    };
    let fonts = appearance_fonts(options);
    let built = appearance::build(&lines, width, height, &fonts, &mut alloc)?;
    objects.insert(ap_ref, built.xobject);
    objects.extend(built.objects);
    field.set("V", Obj::Ref(sig_ref));
    field.set("AP", Obj::Dict(Dict::default().with("N", Obj::Ref(ap_ref))));
    objects.insert(field_ref, Obj::Dict(field));

    // /SigFlags 3 on the AcroForm.
    let root_ref = doc.root_ref()?;
    let mut catalog = doc.catalog()?;
    match catalog.get("AcroForm") {
        Some(Obj::Ref(r)) => {
            let mut acroform = dict_of(doc.get(*r)?, "AcroForm")?;
            acroform.set("SigFlags", Obj::Int(3));
            objects.insert(*r, Obj::Dict(acroform));
        }
        Some(Obj::Dict(d)) => {
            let mut acroform = d.clone();
            acroform.set("SigFlags", Obj::Int(3));
            catalog.set("AcroForm", Obj::Dict(acroform));
            objects.insert(root_ref, Obj::Dict(catalog));
        }
        _ => {
            return Err(SignError::MalformedPdf(
                "/AcroForm is not a dictionary".into(),
            ));
        }
    }
    write_signed_update(pdf, doc, who, options, sig_ref, objects, next_num)
}

/// Refuse a file that does not claim PDF/A in its XMP metadata: `sign`
/// keeps a file PDF/A, it does not make one.
pub fn check_pdfa(pdf: &[u8]) -> Result<(), SignError> {
    let doc = Document::parse(pdf)?;
    if super::pdf::find(&xmp_metadata(&doc)?, b"pdfaid:part", 0).is_none() {
        return Err(SignError::Refused(
            "the file does not claim PDF/A (no pdfaid:part in its XMP metadata); \
             communique signs only PDF/A files, which it keeps PDF/A"
                .into(),
        ));
    }
    Ok(())
}

/// The part of PDF/A the file claims (1, 2, 3, 4), when its XMP says so plainly.
fn pdfa_part(doc: &Document) -> Option<u8> {
    let xmp = xmp_metadata(doc).ok()?;
    let at = super::pdf::find(&xmp, b"pdfaid:part", 0)? + b"pdfaid:part".len();
    // `pdfaid:part="2"` or `<pdfaid:part>2</pdfaid:part>`
    let rest = xmp.get(at..at + 4)?;
    let digit = rest.iter().find(|b| b.is_ascii_digit())?;
    let before = &rest[..rest.iter().position(|b| b == digit)?];
    before
        .iter()
        .all(|b| matches!(b, b'=' | b'"' | b'\'' | b'>'))
        .then(|| digit - b'0')
}

/// The document's XMP metadata stream, inflated (at most 16 MiB); empty without one.
fn xmp_metadata(doc: &Document) -> Result<Vec<u8>, SignError> {
    let catalog = doc.catalog()?;
    Ok(match doc.resolve_key(&catalog, "Metadata")? {
        Some(Obj::Stream(d, data)) => {
            if d.get("Filter").is_some() {
                let mut out = Vec::new();
                use std::io::Read as _;
                flate2::read::ZlibDecoder::new(data.as_slice())
                    .take(16 * 1024 * 1024)
                    .read_to_end(&mut out)
                    .map_err(|e| SignError::MalformedPdf(format!("XMP metadata: {e}")))?;
                out
            } else {
                data
            }
        }
        _ => Vec::new(),
    })
}

/// `lines` with [`super::SIGNING_TIME`] replaced by the time the signature
/// is made. With a TSA, that is the TSA's: the appearance is part of the
/// signed bytes, so the time is asked for first, in an RFC 3161 request over
/// the SHA-256 of the document as it is before this update (so the token
/// attests that this document existed then; its nonce is derived from that
/// digest like every request's, so a replayed answer reproduces the file),
/// and the signature's own timestamp follows. Without a TSA it is the
/// claimed signing time.
fn resolve_time(
    pdf: &[u8],
    lines: &[String],
    who: Who,
    options: &SignOptions,
) -> Result<Vec<String>, SignError> {
    let placeholders = [super::SIGNING_TIME, super::TSA_TIME, super::TSA_NAME];
    if !lines
        .iter()
        .any(|l| placeholders.iter().any(|p| l.contains(p)))
    {
        return Ok(lines.to_vec());
    }
    let claimed = super::time::format_utc(options.time_unix);
    let (signing_time, tsa_time, tsa_name) = match (who, &options.tsa) {
        (Who::Signer(_), Some(tsa)) => {
            let token = super::tsa::timestamp(tsa, &Sha256::digest(pdf))?;
            let time = super::time::format_utc(token.time_unix);
            let english = (super::Labels::TIME_STAMPED)
                .replace("{time}", &time)
                .replace("{tsa}", &token.tsa_name);
            (english, time, token.tsa_name)
        }
        _ => (claimed.clone(), claimed, String::new()),
    };
    Ok(lines
        .iter()
        .map(|l| {
            l.replace(super::SIGNING_TIME, &signing_time)
                .replace(super::TSA_TIME, &tsa_time)
                .replace(super::TSA_NAME, &tsa_name)
        })
        .collect())
}

/// The signature words in the language of the document's /Lang (English when it has none).
fn document_labels(doc: &Document) -> super::Labels {
    let lang = doc.catalog().ok().and_then(|c| {
        c.get("Lang")
            .and_then(Obj::as_str)
            .map(super::pdf::decode_text_string)
    });
    super::Labels::for_language(lang.as_deref().unwrap_or("en"))
}

/// The fonts the visible signature is set in: the layout's (through
/// [`super::VisibleSignature::fonts`]) or the bundled family.
fn appearance_fonts(options: &SignOptions) -> std::borrow::Cow<'_, crate::font::FontSet> {
    match options.visible.as_ref().and_then(|v| v.fonts.as_ref()) {
        Some(f) => std::borrow::Cow::Borrowed(&f.0),
        None => std::borrow::Cow::Owned(crate::font::FontSet::bundled()),
    }
}

/// zlib/deflate for /FlateDecode (deterministic for a given flate2 version).
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, SignError> {
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

pub(crate) fn dict_of(obj: Obj, what: &str) -> Result<Dict, SignError> {
    match obj {
        Obj::Dict(d) => Ok(d),
        _ => Err(SignError::MalformedPdf(format!(
            "the {what} is not a dictionary"
        ))),
    }
}

pub(super) fn existing_field_names(
    doc: &Document,
    catalog: &Dict,
) -> Result<Vec<String>, SignError> {
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
pub(super) fn add_to_acroform(
    doc: &Document,
    catalog: &mut Dict,
    field_ref: Ref,
    objects: &mut BTreeMap<Ref, Obj>,
) -> Result<(), SignError> {
    let (acroform_ref, mut acroform) = match catalog.get("AcroForm") {
        Some(Obj::Ref(r)) => (Some(*r), dict_of(current(doc, objects, *r)?, "AcroForm")?),
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
pub(super) fn add_to_structure(
    doc: &Document,
    str_ref: Ref,
    form_ref: Ref,
    objects: &mut BTreeMap<Ref, Obj>,
) -> Result<i64, SignError> {
    let mut root = dict_of(current(doc, objects, str_ref)?, "structure tree root")?;

    // Parent tree: a number tree; only a flat /Nums (as krilla writes) is handled.
    let (pt_ref, mut parent_tree) = match root.get("ParentTree") {
        Some(Obj::Ref(r)) => (
            Some(*r),
            dict_of(current(doc, objects, *r)?, "parent tree")?,
        ),
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
        let d = current(doc, objects, r)?;
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

/// Object `r` as this update has it so far, else as the document has it:
/// several fields added in one update edit the same objects.
pub(super) fn current(
    doc: &Document,
    objects: &BTreeMap<Ref, Obj>,
    r: Ref,
) -> Result<Obj, SignError> {
    match objects.get(&r) {
        Some(o) => Ok(o.clone()),
        None => doc.get(r),
    }
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

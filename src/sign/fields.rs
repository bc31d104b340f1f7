//! Empty signature fields reserved when a statement is built, one per
//! signatory (`[signature] fields = true`), so that each signatory later
//! signs into a field of its own.
//!
//! krilla cannot write signature fields, so they are added in one
//! incremental update right after krilla's output: for each, a signature
//! field merged with its widget (no /V yet) with an appearance showing whose
//! signature goes there, the page's /Annots, the /AcroForm's /Fields and,
//! in tagged files, a /Form structure element (PDF/UA-1 7.18.4) with the
//! parent-tree entry. Signing later only fills a field (its /V and /AP):
//! the structure tree is not touched again, so validators see the later
//! revisions as form filling.

use std::collections::BTreeMap;

use super::SignError;
use super::appearance;
use super::incremental::{
    Widget, add_to_acroform, append_update, attach_widget, current, dict_of, existing_field_names,
};
use super::pdf::{Dict, Document, Obj, Ref, text_string};
use crate::font::FontSet;

/// A field to reserve.
#[derive(Clone, Debug, PartialEq)]
pub struct ReservedField {
    /// Zero-based page index.
    pub page_index: usize,
    /// `[x1, y1, x2, y2]` in PDF user space (points, origin bottom-left).
    pub rect: [f32; 4],
    /// Who signs there (the signatory's name): it names the field.
    pub signatory: String,
    /// What the empty field shows and its description, e.g. "Signature of
    /// NAME" in the statement's language (see [`super::Labels`]).
    pub label: String,
}

/// The field name for signatory number `index` (from 1) called `name`:
/// `Signature1 - Jane Doe`, without the periods that separate the parts of
/// a PDF field name.
pub fn field_name(index: usize, name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| *c != '.' && !c.is_control())
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        format!("Signature{index}")
    } else {
        format!("Signature{index} - {name}")
    }
}

/// Append one incremental update to `pdf` (a finished krilla PDF) holding
/// an empty signature field for each of `fields`, named by [`field_name`] in
/// order, with their text set in `fonts`.
pub fn reserve_fields(
    pdf: &[u8],
    fields: &[ReservedField],
    fonts: &FontSet,
) -> Result<Vec<u8>, SignError> {
    if fields.is_empty() {
        return Ok(pdf.to_vec());
    }
    let doc = Document::parse(pdf)?;
    let pages = doc.page_refs()?;
    let mut next_num = doc.next_object_number()?;
    let mut alloc = || {
        let r = Ref::new(next_num);
        next_num += 1;
        r
    };
    let root_ref = doc.root_ref()?;
    let mut catalog = dict_of(doc.get(root_ref)?, "catalog")?;
    let had_sig_flags = match catalog.get("AcroForm") {
        Some(Obj::Ref(r)) => doc
            .get(*r)?
            .as_dict()
            .and_then(|d| d.get("SigFlags"))
            .is_some(),
        Some(Obj::Dict(d)) => d.get("SigFlags").is_some(),
        _ => false,
    };
    let existing = existing_field_names(&doc, &catalog)?;
    let str_ref = catalog.get("StructTreeRoot").and_then(Obj::as_ref);
    let mut objects: BTreeMap<Ref, Obj> = BTreeMap::new();

    for (i, f) in fields.iter().enumerate() {
        let name = field_name(i + 1, &f.signatory);
        if existing.contains(&name) {
            return Err(SignError::InvalidOptions(format!(
                "the document already has a field named `{name}`"
            )));
        }
        let page_ref = *pages.get(f.page_index).ok_or_else(|| {
            SignError::InvalidOptions(format!(
                "page index {} out of range (the document has {} pages)",
                f.page_index,
                pages.len()
            ))
        })?;
        let [x1, y1, x2, y2] = f.rect;
        if !(x1.is_finite() && y1.is_finite() && x2.is_finite() && y2.is_finite())
            || x2 <= x1
            || y2 <= y1
        {
            return Err(SignError::InvalidOptions(
                "a signature field's rectangle must be [x1 y1 x2 y2] with x2 > x1 and y2 > y1"
                    .into(),
            ));
        }
        let field_ref = alloc();
        let ap_ref = alloc();
        let description = f.label.clone();
        let built = appearance::build(
            std::slice::from_ref(&description),
            x2 - x1,
            y2 - y1,
            fonts,
            &mut alloc,
        )?;
        objects.insert(ap_ref, built.xobject);
        objects.extend(built.objects);
        let field = Dict::default()
            .with("Type", Obj::name("Annot"))
            .with("Subtype", Obj::name("Widget"))
            .with("FT", Obj::name("Sig"))
            .with("T", text_string(&name))
            .with("TU", text_string(&description))
            .with("F", Obj::Int(4))
            .with("P", Obj::Ref(page_ref))
            .with(
                "Rect",
                Obj::Array(f.rect.iter().map(|v| real(*v)).collect()),
            )
            .with("AP", Obj::Dict(Dict::default().with("N", Obj::Ref(ap_ref))));
        let page = dict_of(current(&doc, &objects, page_ref)?, "page")?;
        let structure = str_ref.map(|root| (root, alloc()));
        let widget = Widget {
            field_ref,
            field,
            page_ref,
            description: &description,
        };
        attach_widget(
            &doc,
            &mut objects,
            structure,
            structure.is_some(),
            widget,
            page,
        )?;
        add_to_acroform(&doc, &mut catalog, field_ref, &mut objects)?;
    }
    // Nothing is signed yet: no SignaturesExist/AppendOnly flags (signing sets them).
    if !had_sig_flags {
        let strip = |d: &mut Dict| d.0.retain(|(k, _)| k.as_slice() != b"SigFlags");
        match catalog.get("AcroForm").cloned() {
            Some(Obj::Ref(r)) => {
                if let Some(Obj::Dict(d)) = objects.get_mut(&r) {
                    strip(d);
                }
            }
            Some(Obj::Dict(mut d)) => {
                strip(&mut d);
                catalog.set("AcroForm", Obj::Dict(d));
            }
            _ => {}
        }
    }
    objects.insert(root_ref, Obj::Dict(catalog));

    Ok(append_update(
        pdf,
        &doc,
        &objects,
        next_num,
        b"reserved signature fields",
    ))
}

fn real(v: f32) -> Obj {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s.parse::<i64>() {
        Ok(i) => Obj::Int(i),
        Err(_) => Obj::Real(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_numbered_and_have_no_periods() {
        assert_eq!(field_name(1, "Jane Doe"), "Signature1 - Jane Doe");
        assert_eq!(field_name(2, "J. R.  Smith"), "Signature2 - J R Smith");
        assert_eq!(field_name(3, " . "), "Signature3");
    }
}

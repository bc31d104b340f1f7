//! What a revision appended after a signature may change.
//!
//! PAdES lets later revisions add signatures, signature fields, a DSS and
//! document timestamps; anything else appended after signing (a replaced
//! page content stream, a new annotation drawn over the page, a rewritten
//! font) is the incremental saving or shadow attack: the file shows other
//! content than was signed while the signature's bytes are intact. This
//! module compares the signed revision with the whole file object by object
//! and names every change that is not one of the allowed additions.

use super::SignError;
use super::pdf::{Dict, Document, Obj};

/// At most this many changes are named; the rest are counted.
const MAX_NAMED: usize = 8;

/// The changes from `signed` (the signed revision alone) to `now` (the
/// whole file) that are not additions of signatures, signature fields, the
/// DSS or document timestamps. Empty when the later revisions only added
/// those.
pub(crate) fn disallowed_changes(
    signed: &Document,
    now: &Document,
) -> Result<Vec<String>, SignError> {
    let mut out = Vec::new();
    if signed.root_ref()? != now.root_ref()? {
        out.push("the document catalog (the trailer's /Root)".to_string());
    }
    for r in signed.object_refs() {
        if !now.has(r) {
            out.push(format!("object {} {} R (deleted)", r.num, r.generation));
        }
    }
    let root = now.root_ref()?;
    let info = now.trailer.get("Info").and_then(Obj::as_ref);
    for r in now.object_refs().collect::<Vec<_>>() {
        // New objects are judged where an allowed key refers to them.
        if !signed.has(r) || signed.same_object(now, r) {
            continue;
        }
        let (old, new) = (signed.get(r)?, now.get(r)?);
        // Like pyHanko: a later revision may refresh the modification date
        // and the XMP metadata; neither is page content.
        if Some(r) == info
            && let (Obj::Dict(a), Obj::Dict(b)) = (&old, &new)
            && changed_keys(a, b)
                .iter()
                .all(|k| matches!(k.as_str(), "ModDate" | "Producer"))
        {
            continue;
        }
        if let (Obj::Stream(a, _), Obj::Stream(b, _)) = (&old, &new)
            && a.name_is("Type", "Metadata")
            && b.name_is("Type", "Metadata")
            && b.name_is("Subtype", "XML")
        {
            continue;
        }
        if let Err(what) = allowed_change(now, r == root, &old, &new) {
            out.push(format!("object {} {} R ({what})", r.num, r.generation));
        }
    }
    if out.len() > MAX_NAMED {
        let more = out.len() - MAX_NAMED;
        out.truncate(MAX_NAMED);
        out.push(format!("{more} more objects"));
    }
    Ok(out)
}

/// The keys whose values differ between two dictionaries.
fn changed_keys(old: &Dict, new: &Dict) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, _) in old.0.iter().chain(new.0.iter()) {
        let name = String::from_utf8_lossy(k).into_owned();
        if !keys.contains(&name) && old.get(&name) != new.get(&name) {
            keys.push(name);
        }
    }
    keys
}

fn kind(d: &Dict) -> String {
    match d.get("Type").and_then(Obj::as_name) {
        Some(t) => format!("/Type /{}", String::from_utf8_lossy(t)),
        None => "a dictionary".into(),
    }
}

/// Ok when the change of object `r` from `old` to `new` is one signing
/// makes; otherwise what changed.
fn allowed_change(now: &Document, is_root: bool, old: &Obj, new: &Obj) -> Result<(), String> {
    let (old_d, new_d) = match (old, new) {
        (Obj::Dict(a), Obj::Dict(b)) => (a, b),
        (Obj::Array(a), Obj::Array(b)) => return appended_only(now, a, b, "the array"),
        (Obj::Stream(..), _) | (_, Obj::Stream(..)) => return Err("a stream was replaced".into()),
        _ => return Err("its value was replaced".into()),
    };
    let changed = changed_keys(old_d, new_d);
    let allowed: &[&str] = if is_root {
        &["AcroForm", "DSS", "Extensions"]
    } else if new_d.name_is("Type", "Page") {
        &["Annots", "Tabs"]
    } else if new_d.get("Fields").is_some() {
        &["Fields", "SigFlags", "DR", "DA"]
    } else if new_d.name_is("FT", "Sig") || is_sig_widget(now, new_d) {
        if old_d.get("V").is_some() {
            // A signed field stays as it was signed.
            &[]
        } else {
            &["V", "AP", "AS", "Lock", "SV"]
        }
    } else if new_d.name_is("Type", "StructTreeRoot") {
        &["K", "ParentTree", "ParentTreeNextKey"]
    } else if new_d.name_is("Type", "StructElem") || new_d.get("S").is_some() {
        &["K"]
    } else if new_d.get("Nums").is_some() {
        &["Nums"]
    } else {
        &[]
    };
    if let Some(bad) = changed.iter().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("{}: /{bad} changed", kind(new_d)));
    }
    for key in &changed {
        let (a, b) = (old_d.get(key), new_d.get(key));
        match key.as_str() {
            "Annots" | "Fields" | "K" | "Nums" => {
                let a = resolve_array(now, a)?;
                let b = resolve_array(now, b)?;
                appended_only(now, &a, &b, &format!("/{key}"))?;
            }
            "AcroForm" => {
                if let (Some(Obj::Dict(a)), Some(Obj::Dict(b))) = (a, b) {
                    allowed_change(now, false, &Obj::Dict(a.clone()), &Obj::Dict(b.clone()))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn resolve_array(now: &Document, o: Option<&Obj>) -> Result<Vec<Obj>, String> {
    match o {
        None | Some(Obj::Null) => Ok(Vec::new()),
        Some(Obj::Array(a)) => Ok(a.clone()),
        Some(Obj::Ref(r)) => match now.get(*r).map_err(|e| e.to_string())? {
            Obj::Array(a) => Ok(a),
            other => Ok(vec![other]),
        },
        Some(other) => Ok(vec![other.clone()]),
    }
}

/// `new` is `old` with items appended, and each appended item that is an
/// annotation or field is a signature widget or field.
fn appended_only(now: &Document, old: &[Obj], new: &[Obj], what: &str) -> Result<(), String> {
    if !new.starts_with(old) {
        return Err(format!("{what} lost or reordered entries"));
    }
    for item in &new[old.len()..] {
        let Ok(Obj::Dict(d)) = now.resolve(item) else {
            continue;
        };
        let is_annotation = d.name_is("Type", "Annot") || d.get("Subtype").is_some();
        let is_field = d.get("FT").is_some() || d.get("T").is_some();
        if (is_annotation || is_field) && !(d.name_is("FT", "Sig") || is_sig_widget(now, &d)) {
            return Err(format!(
                "{what} gained an annotation or field that is not a signature"
            ));
        }
    }
    Ok(())
}

/// A widget annotation whose parent field is a signature field.
fn is_sig_widget(now: &Document, d: &Dict) -> bool {
    d.name_is("Subtype", "Widget")
        && d.get("Parent")
            .and_then(|p| now.resolve(p).ok())
            .is_some_and(|p| p.as_dict().is_some_and(|p| p.name_is("FT", "Sig")))
}

/// What the later revisions did, among the allowed changes, in the terms
/// pyHanko's difference analysis uses for its `modification_level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modification {
    /// Only a DSS and document timestamps were added (`LTA_UPDATES`).
    LtaUpdates,
    /// Signature fields were filled or added, nothing else (`FORM_FILLING`).
    FormFilling,
    /// Signature fields came with structure elements or a page's /Tabs:
    /// allowed here (PDF/UA wants them), but pyHanko's rules do not know
    /// them and report `OTHER`.
    Structure,
}

impl Modification {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Modification::LtaUpdates => "LTA updates (a DSS, document timestamps)",
            Modification::FormFilling => "form filling (signatures in signature fields)",
            Modification::Structure => {
                "signature fields with their structure elements (pyHanko: OTHER)"
            }
        }
    }
}

/// Classify the allowed changes from `signed` to `now` (call after
/// [`disallowed_changes`] found none).
pub(crate) fn modification(signed: &Document, now: &Document) -> Result<Modification, SignError> {
    let mut level = Modification::LtaUpdates;
    for r in now.object_refs().collect::<Vec<_>>() {
        if !signed.has(r) || signed.same_object(now, r) {
            continue;
        }
        let (Obj::Dict(old), Obj::Dict(new)) = (signed.get(r)?, now.get(r)?) else {
            continue;
        };
        let changed = changed_keys(&old, &new);
        let structural = new.name_is("Type", "StructTreeRoot")
            || new.name_is("Type", "StructElem")
            || (new.get("S").is_some() && new.get("P").is_some())
            || new.get("Nums").is_some()
            || (new.name_is("Type", "Page") && changed.iter().any(|k| k == "Tabs"));
        if structural {
            return Ok(Modification::Structure);
        }
        // A field filled, or fields or widgets added other than document timestamps.
        let filled = new.name_is("FT", "Sig") && changed.iter().any(|k| k == "V");
        let added = ["Fields", "Annots"].iter().any(|key| {
            changed.iter().any(|k| k == key)
                && resolve_array(now, new.get(key))
                    .unwrap_or_default()
                    .iter()
                    .filter(|item| {
                        !resolve_array(now, old.get(key))
                            .unwrap_or_default()
                            .contains(item)
                    })
                    // pyHanko counts a new field's appearance as form filling, even a
                    // document timestamp's (PDF/A-1 files keep one for Preflight).
                    .any(|item| !is_document_timestamp(now, item) || has_appearance(now, item))
        });
        if filled || added {
            level = Modification::FormFilling;
        }
    }
    Ok(level)
}

/// A field (or widget) with an /AP entry.
fn has_appearance(now: &Document, item: &Obj) -> bool {
    now.resolve(item)
        .ok()
        .is_some_and(|f| f.as_dict().is_some_and(|d| d.get("AP").is_some()))
}

/// A field (or widget) whose value is a document timestamp.
fn is_document_timestamp(now: &Document, item: &Obj) -> bool {
    now.resolve(item)
        .ok()
        .and_then(|f| f.as_dict().and_then(|d| d.get("V").cloned()))
        .and_then(|v| now.resolve(&v).ok())
        .is_some_and(|v| {
            v.as_dict()
                .is_some_and(|d| d.name_is("Type", "DocTimeStamp"))
        })
}

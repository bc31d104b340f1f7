//! Reading the sources back out of a PDF. The PDF is untrusted: every count, depth and size is
//! bounded, streams are inflated by us with a cap (never by the parser, which has none), and
//! a file name is written only if it stays inside the output folder.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::object::{Array, Dict, Name, Object, Stream};

use super::{ArchiveError, MAX_FILE_BYTES, MAX_FILES, RECORD_FORMAT, RECORD_NAME, Record};
use crate::error::Error;

/// Largest PDF `extract` and `rebuild` open.
pub const MAX_PDF_BYTES: usize = 512 * 1024 * 1024;
/// Name trees deeper than this are refused (ours is one level).
const MAX_TREE_DEPTH: usize = 16;
/// Name tree nodes visited at most, against loops through /Kids.
const MAX_TREE_NODES: usize = 4096;

/// The sources found in a PDF made with `--embed-source`, checked against the record.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub record: Record,
    /// Name and bytes, in the record's order; the record itself is not among them.
    pub files: Vec<(String, Vec<u8>)>,
    /// `communique.json` as attached.
    pub record_json: Vec<u8>,
}

impl Embedded {
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

/// Why a name cannot be written below an output folder, if it cannot.
pub fn safe_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 1024 {
        return Err("empty or longer than 1024 bytes");
    }
    if name.contains('\\') || name.contains('\0') || name.contains(':') {
        return Err("it holds a backslash, a colon or a NUL");
    }
    let path = Path::new(name);
    if path.is_absolute() || name.starts_with('/') {
        return Err("it is an absolute path");
    }
    for c in path.components() {
        match c {
            Component::Normal(s) if s != "." && s != ".." => {}
            Component::ParentDir => return Err("it leads out of the folder with `..`"),
            _ => return Err("it is not a plain relative path"),
        }
    }
    if name
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Err("it has an empty, `.` or `..` part");
    }
    Ok(())
}

/// Reads and checks the embedded sources. `path` names the PDF in messages.
pub fn read_embedded(path: &Path, bytes: &[u8]) -> Result<Embedded, ArchiveError> {
    let unreadable = |reason: &str| ArchiveError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.into(),
    };
    let foreign = |reason: &str| ArchiveError::Foreign {
        path: path.to_path_buf(),
        reason: reason.into(),
    };
    if bytes.len() > MAX_PDF_BYTES {
        return Err(unreadable("larger than 512 MiB"));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(unreadable("it does not start with %PDF-"));
    }
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| unreadable(&format!("{e:?}")))?;
    let catalog: Dict = pdf
        .xref()
        .get(pdf.xref().root_id())
        .ok_or_else(|| unreadable("it has no document catalog"))?;
    let mut specs: Vec<Dict> = Vec::new();
    if let Some(names) = catalog.get::<Dict>(b"Names")
        && let Some(tree) = names.get::<Dict>(b"EmbeddedFiles")
    {
        let mut visited = 0;
        walk_name_tree(&tree, 0, &mut visited, &mut specs).map_err(&unreadable)?;
    }
    if specs.is_empty() {
        let made_by_us = pdf
            .metadata()
            .creator
            .as_deref()
            .is_some_and(|c| c.starts_with(b"communique"));
        return Err(foreign(if made_by_us {
            "it has no attached files: it was built without --embed-source"
        } else {
            "it has no attached files"
        }));
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for spec in specs {
        let name = spec_name(&spec).ok_or_else(|| unreadable("an attached file has no name"))?;
        let damaged = |reason: String| ArchiveError::Damaged {
            path: path.to_path_buf(),
            name: name.clone(),
            reason,
        };
        let stream = spec
            .get::<Dict>(b"EF")
            .and_then(|ef| ef.get::<Stream>(b"F").or_else(|| ef.get::<Stream>(b"UF")))
            .ok_or_else(|| damaged("no file stream".into()))?;
        let data = decode(&stream).map_err(damaged)?;
        if files.iter().any(|(n, _)| *n == name) {
            return Err(damaged("two attached files have this name".into()));
        }
        files.push((name, data));
    }
    let record_bytes = files
        .iter()
        .position(|(n, _)| n == RECORD_NAME)
        .map(|i| files.remove(i).1)
        .ok_or_else(|| foreign(&format!("no {RECORD_NAME} among its attached files")))?;
    let record: Record = serde_json::from_slice(&record_bytes).map_err(|e| {
        foreign(&format!(
            "its {RECORD_NAME} is not a communique record: {e}"
        ))
    })?;
    if record.format != RECORD_FORMAT {
        return Err(foreign(&format!(
            "its record has format {}, this communique reads format {RECORD_FORMAT}",
            record.format
        )));
    }
    // Only what the record lists, with the digest it gives, is handed out.
    let mut checked = Vec::new();
    for entry in &record.files {
        safe_name(&entry.name).map_err(|reason| ArchiveError::UnsafeName {
            path: path.to_path_buf(),
            name: entry.name.clone(),
            reason,
        })?;
        let data = files
            .iter()
            .position(|(n, _)| *n == entry.name)
            .map(|i| files.swap_remove(i).1)
            .ok_or_else(|| ArchiveError::Damaged {
                path: path.to_path_buf(),
                name: entry.name.clone(),
                reason: format!("{RECORD_NAME} lists it but it is not attached"),
            })?;
        if super::hex(&super::sha256(&data)) != entry.sha256 {
            return Err(ArchiveError::Damaged {
                path: path.to_path_buf(),
                name: entry.name.clone(),
                reason: format!("its SHA-256 is not the one {RECORD_NAME} gives"),
            });
        }
        checked.push((entry.name.clone(), data));
    }
    for role_name in [&record.statement, &record.layout] {
        if !checked.iter().any(|(n, _)| n == role_name) {
            return Err(foreign(&format!(
                "its record names `{role_name}`, which it does not list"
            )));
        }
    }
    Ok(Embedded {
        record,
        files: checked,
        record_json: record_bytes,
    })
}

/// Writes the embedded sources below `dir` and returns the paths written.
pub fn extract(pdf_path: &Path, bytes: &[u8], dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let embedded = read_embedded(pdf_path, bytes)?;
    write_below(dir, &embedded)
}

pub(crate) fn write_below(dir: &Path, embedded: &Embedded) -> Result<Vec<PathBuf>, Error> {
    let write_err = |path: &Path, source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let mut written = Vec::new();
    for (name, data) in &embedded.files {
        // Checked by read_embedded; checked again where it matters.
        safe_name(name).map_err(|reason| ArchiveError::UnsafeName {
            path: dir.to_path_buf(),
            name: name.clone(),
            reason,
        })?;
        let target = dir.join(name);
        // No part below `dir` may be a link: one planted there would carry the file outside.
        let mut at = dir.to_path_buf();
        let parts: Vec<&str> = name.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(write_err(
                        &at,
                        std::io::Error::other("a link is in the way; not following it"),
                    ));
                }
                Ok(m) if i + 1 < parts.len() && !m.is_dir() => {
                    return Err(write_err(&at, std::io::Error::other("not a folder")));
                }
                Ok(_) => {}
                Err(_) if i + 1 < parts.len() => {
                    std::fs::create_dir(&at).map_err(|e| write_err(&at, e))?;
                }
                Err(_) => {}
            }
        }
        crate::write_atomically(&target, data)?;
        written.push(target);
    }
    // The record goes beside the sources unless a source has its name.
    if !embedded.files.iter().any(|(n, _)| n == RECORD_NAME) {
        let target = dir.join(RECORD_NAME);
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(write_err(
                &target,
                std::io::Error::other("a link is in the way; not following it"),
            ));
        }
        crate::write_atomically(&target, &embedded.record_json)?;
        written.push(target);
    }
    Ok(written)
}

fn walk_name_tree<'a>(
    node: &Dict<'a>,
    depth: usize,
    visited: &mut usize,
    out: &mut Vec<Dict<'a>>,
) -> Result<(), &'static str> {
    *visited += 1;
    if depth > MAX_TREE_DEPTH || *visited > MAX_TREE_NODES {
        return Err("its list of attached files is nested too deep or too large");
    }
    if let Some(names) = node.get::<Array>(b"Names") {
        for (i, obj) in names.iter::<Object>().enumerate() {
            if i % 2 == 1
                && let Object::Dict(d) = obj
            {
                if out.len() >= MAX_FILES {
                    return Err("it has more than 256 attached files");
                }
                out.push(d);
            }
        }
    }
    if let Some(kids) = node.get::<Array>(b"Kids") {
        for kid in kids.iter::<Dict>() {
            walk_name_tree(&kid, depth + 1, visited, out)?;
        }
    }
    Ok(())
}

fn spec_name(spec: &Dict) -> Option<String> {
    let raw = spec
        .get::<hayro::hayro_syntax::object::String>(b"UF")
        .or_else(|| spec.get::<hayro::hayro_syntax::object::String>(b"F"))?;
    Some(text_string(raw.as_bytes()))
}

/// A PDF text string: UTF-16BE with a byte order mark, else (for our ASCII names) bytes.
fn text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(b).into_owned()
    }
}

/// A file stream's bytes: stored or deflated (what krilla writes), at most MAX_FILE_BYTES.
fn decode(stream: &Stream) -> Result<Vec<u8>, String> {
    let raw = stream.raw_data();
    let filters: Vec<String> = match stream.dict().get::<Object>(b"Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_str().to_string()],
        Some(Object::Array(a)) => a.iter::<Name>().map(|n| n.as_str().to_string()).collect(),
        Some(_) => return Err("its /Filter is neither a name nor an array".into()),
    };
    match filters.as_slice() {
        [] => {
            if raw.len() as u64 > MAX_FILE_BYTES {
                return Err("larger than 64 MiB".into());
            }
            Ok(raw.into_owned())
        }
        [f] if f == "FlateDecode" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&raw[..])
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("cannot inflate it: {e}"))?;
            if out.len() as u64 > MAX_FILE_BYTES {
                return Err("it inflates to more than 64 MiB".into());
            }
            Ok(out)
        }
        other => Err(format!(
            "it uses the filter {other:?}, which communique does not write"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "",
            "./a",
            "a/./b",
            "c:\\x",
            "a\\..\\b",
            "x\0y",
        ] {
            assert!(safe_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["s.md", "layouts/assets/logo.png", "a/b/c..d.txt"] {
            assert!(safe_name(good).is_ok(), "{good:?} refused");
        }
    }
}

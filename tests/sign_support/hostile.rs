//! Hand-made PDFs for the reader's regression tests: minimal files with one
//! hostile feature each, and incremental updates appended to real files.

/// A classic-xref PDF of the given objects (`(number, body)`, numbered from
/// 1 without gaps), with `extra` spliced into the trailer dictionary.
pub fn pdf_with(objects: &[(u32, String)], extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push(out.len());
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {} /Root 1 0 R{extra}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A catalog, a one-page tree and an AcroForm whose only field lists itself
/// in /Kids, padded with a string so the file is about `size` bytes.
pub fn kids_self_loop(size: usize) -> Vec<u8> {
    let pad = "A".repeat(size.saturating_sub(600));
    pdf_with(
        &[
            (
                1,
                "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R 4 0 R]>>>>".into(),
            ),
            (2, "<</Type/Pages/Kids[3 0 R]/Count 1>>".into()),
            (
                3,
                "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".into(),
            ),
            (
                4,
                format!("<</FT/Sig/T(loop)/Kids[4 0 R 4 0 R 4 0 R]/Pad({pad})>>"),
            ),
        ],
        "",
    )
}

/// `pdf` with one incremental update holding `objects` (`(number, body)`),
/// its trailer copying /Root and /Size from the last one.
pub fn append_update(pdf: &[u8], objects: &[(u32, String)]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let trailer_at = text.rfind("trailer").expect("a classic trailer");
    let trailer = &text[trailer_at..];
    let grab = |key: &str| -> String {
        let at = trailer
            .find(key)
            .unwrap_or_else(|| panic!("{key} in trailer"))
            + key.len();
        trailer[at..]
            .trim_start()
            .split(['/', '>'])
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    let (root, size) = (grab("/Root"), grab("/Size"));
    let info = if trailer.contains("/Info") {
        format!(" /Info {}", grab("/Info"))
    } else {
        String::new()
    };
    let startxref = text.rfind("startxref").unwrap() + 9;
    let prev: String = text[startxref..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let size: u32 = size.parse().unwrap();
    let mut out = pdf.to_vec();
    let mut entries = Vec::new();
    for (num, body) in objects {
        entries.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (num, off) in &entries {
        out.extend_from_slice(format!("{num} 1\n{off:010} 00000 n\r\n").as_bytes());
    }
    let new_size = objects
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(0)
        .max(size);
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {new_size} /Root {root}{info} /Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// The body (`<<...>>` up to `endobj`, stream included) of object `num` in
/// its newest definition.
pub fn object_body(pdf: &[u8], num: u32) -> String {
    let text = String::from_utf8_lossy(pdf);
    let header = format!("\n{num} 0 obj\n");
    let at = text.rfind(&header).expect("object present") + header.len();
    let end = text[at..].find("endobj").unwrap() + at;
    text[at..end].trim_end().to_string()
}

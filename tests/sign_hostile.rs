//! `verify` on hostile and tampered input: inputs that once stopped the
//! reader (issue 19) and revisions appended after signing (incremental
//! saving and shadow attacks). Each must end in a clear answer, never a
//! panic and never VALID for changed content.

mod sign_support;

use communique::sign::{SignError, SignOptions, Signer, sign, verify, verify_all};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, make_pki};
use sign_support::hostile::{append_update, kids_self_loop, object_body, pdf_with};
use sign_support::pdfgen::{Profile, make_pdf};

fn signer(kind: KeyKind, name: &str) -> Signer {
    make_pki(kind, name, false).signer()
}

fn options() -> SignOptions {
    SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    }
}

fn signed_pdf() -> Vec<u8> {
    sign(
        &make_pdf(Profile::A2aUa1, 1),
        &signer(KeyKind::P256, "Jane Doe"),
        &options(),
    )
    .unwrap()
}

/// The number of the first page object and of its content stream.
fn page_and_contents(pdf: &[u8]) -> (u32, u32) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/Type/Page/").expect("a page");
    let obj_at = text[..at].rfind(" 0 obj").unwrap();
    let line_start = text[..obj_at].rfind('\n').unwrap() + 1;
    let page: u32 = text[line_start..obj_at].parse().unwrap();
    let body = object_body(pdf, page);
    let c = body.find("/Contents ").unwrap() + 10;
    let contents: u32 = body[c..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    (page, contents)
}

#[test]
fn kids_that_list_themselves_are_walked_once() {
    // Issue 19: the field walk re-read this object on each of 10,000 visits.
    let pdf = kids_self_loop(256 * 1024);
    assert!(matches!(verify(&pdf), Err(SignError::NotSigned)));
}

#[test]
fn a_page_tree_that_lists_itself_is_an_error() {
    let pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
            (2, "<</Type/Pages/Kids[2 0 R]/Count 1>>".into()),
        ],
        "",
    );
    let err = sign(&pdf, &signer(KeyKind::P256, "A"), &options()).unwrap_err();
    assert!(matches!(err, SignError::MalformedPdf(_)), "{err}");
}

#[test]
fn prev_past_the_end_is_an_error() {
    let pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
            (2, "<</Type/Pages/Kids[]/Count 0>>".into()),
        ],
        " /Prev 99999999",
    );
    assert!(verify(&pdf).is_err());
}

#[test]
fn stream_length_minus_one_is_an_error_or_ignored() {
    let pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
            (2, "<</Type/Pages/Kids[]/Count 0>>".into()),
            (3, "<</Length -1>>stream\nabc\nendstream".into()),
        ],
        "",
    );
    assert!(verify(&pdf).is_err());
}

#[test]
fn byte_range_sums_that_overflow_are_not_valid() {
    let max = i64::MAX;
    let pdf = pdf_with(
        &[
            (
                1,
                "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[3 0 R]>>>>".into(),
            ),
            (2, "<</Type/Pages/Kids[]/Count 0>>".into()),
            (3, "<</FT/Sig/T(s)/V 4 0 R>>".into()),
            (
                4,
                format!(
                    "<</Type/Sig/SubFilter/ETSI.CAdES.detached/ByteRange[0 10 {max} {max}]/Contents<00>>>"
                ),
            ),
        ],
        "",
    );
    let report = verify(&pdf).unwrap();
    assert!(!report.valid);
    assert!(report.reason.unwrap().contains("ByteRange"));
}

#[test]
fn an_object_offset_past_the_end_is_an_error() {
    // The fuzzer's first crash: an xref offset far past the end of the file.
    let mut pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
            (2, "<</Type/Pages/Kids[]/Count 0>>".into()),
        ],
        "",
    );
    let text = String::from_utf8_lossy(&pdf).into_owned();
    let entry = text.find(" 00000 n").unwrap() - 10;
    pdf[entry..entry + 10].copy_from_slice(b"0000411113");
    assert!(verify(&pdf).is_err());
}

#[test]
fn replaced_page_content_after_signing_is_not_valid() {
    let signed = signed_pdf();
    assert!(verify(&signed).unwrap().valid);
    let (_, contents) = page_and_contents(&signed);
    let evil = "BT /F1 40 Tf 100 700 Td (PAID IN FULL) Tj ET";
    let attacked = append_update(
        &signed,
        &[(
            contents,
            format!("<</Length {}>>stream\n{evil}\nendstream", evil.len()),
        )],
    );
    let report = verify(&attacked).unwrap();
    assert!(!report.valid, "{report:?}");
    let reason = report.reason.unwrap();
    assert!(
        reason.contains("changed") && reason.contains(&format!("object {contents} 0 R")),
        "{reason}"
    );
    assert_eq!(report.revision, 2);
    assert_eq!(report.revisions, 3);
}

#[test]
fn an_annotation_drawn_over_the_page_after_signing_is_not_valid() {
    let signed = signed_pdf();
    let (page, _) = page_and_contents(&signed);
    let body = object_body(&signed, page);
    let at = body
        .find("/Annots [")
        .or_else(|| body.find("/Annots["))
        .expect("the widget");
    let at = body[at..].find(']').unwrap() + at;
    let new_body = format!("{} 900 0 R{}", &body[..at], &body[at..]);
    let annot =
        "<</Type/Annot/Subtype/FreeText/Rect[0 0 595 842]/Contents(VOID)/DA(/Helv 40 Tf)/F 4>>";
    let attacked = append_update(&signed, &[(page, new_body), (900, annot.into())]);
    let report = verify(&attacked).unwrap();
    assert!(!report.valid, "{report:?}");
    let reason = report.reason.unwrap();
    assert!(
        reason.contains("/Annots gained an annotation or field that is not a signature"),
        "{reason}"
    );
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let signed = signed_pdf();
    let twice = sign(&signed, &signer(KeyKind::Rsa2048, "John Roe"), &options()).unwrap();
    let all = verify_all(&twice).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.valid), "{all:?}");
    assert_eq!(all[0].signer_name.as_deref(), Some("Jane Doe"));
    assert_eq!(
        (all[0].revision, all[1].revision, all[1].revisions),
        (2, 3, 3)
    );
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let signed = signed_pdf();
    // Every prefix cut at a few hundred places, and bytes flipped: errors or
    // reports, never a panic.
    let step = (signed.len() / 300).max(1);
    for cut in (0..signed.len()).step_by(step) {
        let _ = verify(&signed[..cut]);
        let mut bad = signed.clone();
        bad[cut] ^= 0x5a;
        let _ = verify(&bad);
    }
}

#[test]
fn a_new_title_in_the_info_dictionary_after_signing_is_not_valid() {
    let signed = signed_pdf();
    let text = String::from_utf8_lossy(&signed).into_owned();
    let at = text.rfind("/Info ").expect("an Info dictionary") + 6;
    let info: u32 = text[at..].split(' ').next().unwrap().parse().unwrap();
    let body = object_body(&signed, info);
    // The modification date alone may change (pyHanko's ltaupdate does it).
    let dated = append_update(
        &signed,
        &[(
            info,
            format!(
                "{}/ModDate(D:20300101000000Z)>>",
                body.strip_suffix(">>").unwrap()
            ),
        )],
    );
    assert!(verify(&dated).unwrap().valid);
    let retitled = append_update(
        &signed,
        &[(
            info,
            format!(
                "{}/Subject(Something else)>>",
                body.strip_suffix(">>").unwrap()
            ),
        )],
    );
    let report = verify(&retitled).unwrap();
    assert!(!report.valid, "{report:?}");
    assert!(report.reason.unwrap().contains("/Subject changed"));
}

/// Found by `cargo fuzz run sign`: a co-signed file whose second signature dictionary (object
/// 74) was mangled away. `sign` accepted it, and `verify` then refused the whole file as
/// unreadable, our new signature included. Now the broken signature alone is NOT VALID.
#[test]
fn a_missing_signature_dictionary_is_one_invalid_signature_not_an_unreadable_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let input =
        std::fs::read(root.join("tests/fuzz_regressions/sign-missing-signature-dictionary.pdf"))
            .unwrap();
    let reports = verify_all(&input).unwrap();
    let broken: Vec<_> = reports
        .iter()
        .filter(|r| {
            r.reason
                .as_deref()
                .is_some_and(|w| w.contains("74 0 R is not in the file"))
        })
        .collect();
    assert_eq!(broken.len(), 1, "{reports:#?}");
    assert!(!broken[0].valid);

    // Its trailer's /Size is also below objects in use: `sign` refuses it as damaged (see
    // the next test); were it signed, our signature would have to verify.
    match sign(&input, &signer(KeyKind::P256, "Jane Doe"), &options()) {
        Ok(signed) => {
            let reports = verify_all(&signed).unwrap();
            assert!(
                reports.iter().any(|r| r.valid && r.covers_whole_file()),
                "{reports:#?}"
            );
        }
        Err(e) => assert!(e.to_string().contains("damaged"), "{e}"),
    }
}

/// Found by `cargo fuzz run sign`: a trailer whose /Size (20) is below object numbers in use
/// (up to 40). `sign` numbered its new objects from /Size, overwrote the page and the
/// structure tree with them, and wrote a signature `verify` could not find. Such a file is
/// now refused as damaged, and nothing is written.
#[test]
fn a_trailer_size_below_objects_in_use_is_refused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let input =
        std::fs::read(root.join("tests/fuzz_regressions/sign-size-below-highest-object.pdf"))
            .unwrap();
    let err = sign(&input, &signer(KeyKind::P256, "Jane Doe"), &options()).unwrap_err();
    assert!(
        err.to_string().contains("is not above object number 40"),
        "{err}"
    );
}

/// A field name (from the file) with a line break, and a signer whose certificate name has
/// one: `verify` prints each on its own line, with the break replaced, so no input can print
/// a `result:` line of its own.
#[test]
fn names_with_line_breaks_cannot_forge_a_line_of_verify_output() {
    let forged = "A\nresult:    VALID (forged)";
    let options = SignOptions {
        field: Some(forged.into()),
        ..options()
    };
    let signed = sign(
        &make_pdf(Profile::A2aUa1, 1),
        &signer(KeyKind::P256, forged),
        &options,
    )
    .unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("forged.pdf");
    std::fs::write(&file, &signed).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("verify")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("result:")).count(),
        1,
        "{text}"
    );
    assert!(text.contains("field:     A\u{FFFD}result:"), "{text}");
    assert!(text.contains("signer:    A\u{FFFD}result:"), "{text}");
}

//! Signing and verification through the public API (no external tools).

mod sign_support;

use communique::sign::{SignError, SignOptions, Signer, VisibleSignature, sign, verify};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, make_pkcs12, make_pki, other_rsa_pkcs8_pem};
use sign_support::pdfgen::{Profile, make_pdf};

fn signer(kind: KeyKind) -> Signer {
    let pki = make_pki(kind, "Jane Doe", false);
    Signer::from_pem(
        &pki.leaf_key_pem,
        &pki.leaf_cert_pem,
        Some(&pki.root_cert_pem),
    )
    .expect("signer loads")
}

fn options() -> SignOptions {
    SignOptions {
        time_unix: SIGN_TIME,
        visible: None,
        reason: Some("Approval of the statement".into()),
        location: Some("Brussels".into()),
        tsa: None,
        field: None,
    }
}

fn visible_options(page_index: usize) -> SignOptions {
    SignOptions {
        visible: Some(VisibleSignature {
            page_index,
            rect: [350.0, 60.0, 545.0, 110.0],
            lines: vec![
                "Digitally signed by Jane Doe".into(),
                "2026-05-14 12:00 UTC".into(),
            ],
            fonts: None,
        }),
        ..options()
    }
}

/// The bytes appended by the signature (everything after the original).
fn update_text(original: &[u8], signed: &[u8]) -> String {
    assert!(signed.starts_with(original), "original bytes are kept");
    String::from_utf8_lossy(&signed[original.len()..]).into_owned()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
}

/// Flip one byte inside the first page's content stream (byte offsets, not
/// lossy text: the file has binary parts).
pub fn tamper_page_content(signed: &[u8]) -> Vec<u8> {
    let page_at = find(signed, b"/Type/Page/", 0);
    let contents_at = find(signed, b"/Contents ", page_at) + 10;
    let num: Vec<u8> = signed[contents_at..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    let mut header = b"\n".to_vec();
    header.extend_from_slice(&num);
    header.extend_from_slice(b" 0 obj\n");
    let obj_at = find(signed, &header, 0);
    let stream_at = find(signed, b"stream\n", obj_at) + 7;
    let mut out = signed.to_vec();
    out[stream_at + 10] ^= 0x01;
    out
}

#[test]
fn rsa_invisible_signature_verifies() {
    let pdf = make_pdf(Profile::A2aUa1, 2);
    let signed = sign(&pdf, &signer(KeyKind::Rsa2048), &options()).unwrap();
    let report = verify(&signed).unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(report.reason, None);
    assert_eq!(report.signer_name.as_deref(), Some("Jane Doe"));
    assert_eq!(report.signing_time_unix, Some(SIGN_TIME));
    assert_eq!(
        report.algorithm.as_deref(),
        Some("RSA-2048 PKCS#1 v1.5 with SHA-256")
    );
    assert_eq!(report.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert!(report.byte_range_excludes_only_contents);
    assert_eq!(report.appended_bytes, 0);
    assert!(report.covers_whole_file());
    assert_eq!(report.field_name.as_deref(), Some("Signature1"));
    assert_eq!(report.signature_count, 1);
}

#[test]
fn p256_signature_verifies() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let signed = sign(&pdf, &signer(KeyKind::P256), &options()).unwrap();
    let report = verify(&signed).unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(
        report.algorithm.as_deref(),
        Some("ECDSA P-256 with SHA-256")
    );
}

#[test]
fn signing_is_deterministic() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    for kind in [KeyKind::Rsa2048, KeyKind::P256] {
        let s = signer(kind);
        let a = sign(&pdf, &s, &visible_options(0)).unwrap();
        let b = sign(&pdf, &s, &visible_options(0)).unwrap();
        assert_eq!(a, b, "{kind:?}: same input, same bytes");
        let later = SignOptions {
            time_unix: SIGN_TIME + 60,
            ..visible_options(0)
        };
        assert_ne!(a, sign(&pdf, &s, &later).unwrap());
    }
}

#[test]
fn incremental_update_keeps_original_and_id() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let signed = sign(&pdf, &signer(KeyKind::P256), &options()).unwrap();
    let update = update_text(&pdf, &signed);
    // Classic xref section, /Prev to the original one, first /ID element kept.
    assert!(update.contains("\nxref\n"));
    assert!(!update.contains("/XRef"));
    let original = String::from_utf8_lossy(&pdf);
    let startxref = original.rsplit("startxref\n").next().unwrap();
    let prev: String = startxref.chars().take_while(char::is_ascii_digit).collect();
    assert!(update.contains(&format!("/Prev {prev}>>")));
    let id0 = original
        .split("/ID[(")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let id0_hex: String = id0.bytes().map(|b| format!("{b:02X}")).collect();
    assert!(update.contains(&format!("/ID [<{id0_hex}> ")));
    // PAdES B-B signature dictionary.
    assert!(update.contains("/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"));
    assert!(update.contains("/M (D:20260514120000+00'00')"));
    assert!(update.contains("/Reason (Approval of the statement)"));
    assert!(update.ends_with("%%EOF\n"));
}

/// An invisible signature's widget sits on the page's corner, outside the visible page, and
/// stays out of the structure tree (PDF/UA exempts annotations outside the crop box), so that
/// a later co-signature or archive timestamp changes nothing pyHanko cannot explain.
#[test]
fn tagged_file_invisible_widget_is_outside_the_page_and_the_structure_tree() {
    let pdf = make_pdf(Profile::A2aUa1, 2);
    let signed = sign(&pdf, &signer(KeyKind::P256), &options()).unwrap();
    let update = update_text(&pdf, &signed);
    assert!(update.contains("/AcroForm <</Fields ["));
    assert!(update.contains("/SigFlags 3"));
    assert!(update.contains("/FT /Sig"));
    assert!(update.contains("/F 4"));
    assert!(update.contains("/Rect [0 0 0 0]"));
    assert!(update.contains("/TU (Digital signature of Jane Doe)"));
    assert!(!update.contains("/StructParent "), "{update}");
    assert!(!update.contains("/S /Form"), "{update}");
    assert!(!update.contains("/ParentTreeNextKey"), "{update}");
    // The page has an annotation now: PDF/UA-1 7.18.3.
    assert!(update.contains("/Tabs /S"));
    assert!(update.contains("/Annots ["));
    assert!(verify(&signed).unwrap().valid);
}

/// A visible signature's widget is a /Form element with the field's text as /Alt.
#[test]
fn tagged_file_visible_widget_is_in_the_structure_tree() {
    let pdf = make_pdf(Profile::A2aUa1, 2);
    let signed = sign(&pdf, &signer(KeyKind::P256), &visible_options(0)).unwrap();
    let update = update_text(&pdf, &signed);
    // krilla's two pages use parent-tree keys 0 and 1; the widget gets 2.
    assert!(update.contains("/StructParent 2"));
    assert!(update.contains("/ParentTreeNextKey 3"));
    assert!(update.contains("/S /Form"));
    assert!(update.contains("/Alt (Digitally signed by Jane Doe, 2026-05-14 12:00 UTC)"));
    assert!(update.contains("/K <</Type /OBJR/Obj "));
    assert!(update.contains("/Tabs /S"));
    assert!(verify(&signed).unwrap().valid);
}

#[test]
fn untagged_a1b_gets_no_structure() {
    let pdf = make_pdf(Profile::A1bUntagged, 1);
    let signed = sign(&pdf, &signer(KeyKind::Rsa2048), &options()).unwrap();
    let update = update_text(&pdf, &signed);
    assert!(!update.contains("/StructParent"));
    assert!(!update.contains("/S /Form"));
    assert!(verify(&signed).unwrap().valid);
}

#[test]
fn visible_signature_on_second_page() {
    let pdf = make_pdf(Profile::A2aUa1, 2);
    let signed = sign(&pdf, &signer(KeyKind::Rsa2048), &visible_options(1)).unwrap();
    let update = update_text(&pdf, &signed);
    assert!(update.contains("/Rect [350 60 545 110]"));
    assert!(update.contains("/BBox [0 0 195 50]"));
    assert!(update.contains("/TU (Digitally signed by Jane Doe, 2026-05-14 12:00 UTC)"));
    // Page 2 of krilla's output uses parent-tree key 1.
    assert!(update.contains("/StructParents 1"));
    assert!(verify(&signed).unwrap().valid);
}

#[test]
fn bad_visible_options_are_rejected() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let s = signer(KeyKind::P256);
    let err = sign(&pdf, &s, &visible_options(5)).unwrap_err();
    assert!(matches!(err, SignError::InvalidOptions(_)), "{err}");
    let mut opts = visible_options(0);
    opts.visible.as_mut().unwrap().rect = [100.0, 100.0, 50.0, 200.0];
    assert!(matches!(
        sign(&pdf, &s, &opts).unwrap_err(),
        SignError::InvalidOptions(_)
    ));
    // Outside the 595 x 842 page.
    opts.visible.as_mut().unwrap().rect = [400.0, 800.0, 600.0, 900.0];
    let err = sign(&pdf, &s, &opts).unwrap_err();
    assert!(err.to_string().contains("MediaBox"), "{err}");
}

#[test]
fn tampering_invalidates() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let signed = sign(&pdf, &signer(KeyKind::Rsa2048), &options()).unwrap();
    let report = verify(&tamper_page_content(&signed)).unwrap();
    assert!(!report.valid);
    assert!(
        report.reason.as_deref().unwrap().contains("digest"),
        "{report:?}"
    );
}

#[test]
fn tampered_signature_value_invalidates() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let signed = sign(&pdf, &signer(KeyKind::P256), &options()).unwrap();
    let report = verify(&signed).unwrap();
    // Change the last hex digit of the CMS object inside /Contents (the CMS
    // ends with the signature value, before the zero padding).
    let start = report.byte_range[1] as usize + 1;
    let end = report.byte_range[2] as usize - 1;
    let cms_hex_len = signed[start..end].iter().rposition(|&c| c != b'0').unwrap() + 1;
    // Keep the last digit non-zero so the DER length stays right.
    let at = start + cms_hex_len - 1;
    let mut bad = signed.clone();
    bad[at] = if bad[at] == b'1' { b'2' } else { b'1' };
    let report = verify(&bad).unwrap();
    assert!(!report.valid, "{report:?}");
}

#[test]
fn appended_bytes_are_reported() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    let mut signed = sign(&pdf, &signer(KeyKind::P256), &options()).unwrap();
    // A second signature is itself an appended revision.
    let s = signer(KeyKind::Rsa2048);
    let twice = sign(&signed, &s, &options()).unwrap();
    let report = verify(&twice).unwrap();
    assert_eq!(report.signature_count, 2);
    assert!(report.valid, "{report:?}");
    assert_eq!(report.field_name.as_deref(), Some("Signature2"));
    assert_eq!(report.appended_bytes, 0);
    // Plain garbage after the signed revision is reported, not fatal.
    signed.extend_from_slice(b"\n% appended\n");
    let report = verify(&signed).unwrap();
    assert!(report.valid);
    assert_eq!(report.appended_bytes, 12);
    assert!(!report.covers_whole_file());
}

#[test]
fn verify_errors() {
    assert!(matches!(
        verify(b"not a pdf").unwrap_err(),
        SignError::MalformedPdf(_)
    ));
    let pdf = make_pdf(Profile::A2aUa1, 1);
    assert!(matches!(verify(&pdf).unwrap_err(), SignError::NotSigned));
    assert!(matches!(
        sign(b"%PDF-1.7\ngarbage", &signer(KeyKind::P256), &options()).unwrap_err(),
        SignError::MalformedPdf(_)
    ));
}

#[test]
fn signer_name_and_validity() {
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    let s = Signer::from_pem(&pki.leaf_key_pem, &pki.leaf_cert_pem, None).unwrap();
    assert_eq!(s.signer_name(), "Jane Doe");
    s.check_validity(SIGN_TIME).unwrap();
    assert!(matches!(
        s.check_validity(1_600_000_000).unwrap_err(),
        SignError::CertificateNotYetValid { .. }
    ));
    let expired = make_pki(KeyKind::P256, "Old Signer", true);
    let s = Signer::from_pem(&expired.leaf_key_pem, &expired.leaf_cert_pem, None).unwrap();
    let err = s.check_validity(SIGN_TIME).unwrap_err();
    assert!(matches!(err, SignError::CertificateExpired { .. }), "{err}");
    assert!(err.to_string().contains("2021-01-01"));
    // An expired certificate still signs (the CLI decides whether to warn).
    let pdf = make_pdf(Profile::A2aUa1, 1);
    assert!(verify(&sign(&pdf, &s, &options()).unwrap()).unwrap().valid);
}

#[test]
fn pem_key_formats() {
    use p256::pkcs8::DecodePrivateKey as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let pdf = make_pdf(Profile::A2aUa1, 1);
    // PKCS#1 RSA.
    let pki = make_pki(KeyKind::Rsa2048, "Jane Doe", false);
    let key = rsa::PrivateKey::from_pkcs8_pem(&pki.leaf_key_pem).unwrap();
    let pkcs1 = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let s = Signer::from_pem(&pkcs1, &pki.leaf_cert_pem, None).unwrap();
    assert!(verify(&sign(&pdf, &s, &options()).unwrap()).unwrap().valid);
    // SEC1 EC.
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    let key = p256::SecretKey::from_pkcs8_pem(&pki.leaf_key_pem).unwrap();
    let sec1 = key.to_sec1_pem(p256::pkcs8::LineEnding::LF).unwrap();
    assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let s = Signer::from_pem(&sec1, &pki.leaf_cert_pem, None).unwrap();
    assert!(verify(&sign(&pdf, &s, &options()).unwrap()).unwrap().valid);
}

#[test]
fn key_errors() {
    let pki = make_pki(KeyKind::Rsa2048, "Jane Doe", false);
    // Key of another pair.
    let err = Signer::from_pem(other_rsa_pkcs8_pem(), &pki.leaf_cert_pem, None).unwrap_err();
    assert!(matches!(err, SignError::KeyCertificateMismatch), "{err}");
    // Unsupported algorithms.
    for alg in [&rcgen::PKCS_ED25519, &rcgen::PKCS_ECDSA_P384_SHA384] {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        let err = Signer::from_pem(&key.serialize_pem(), &pki.leaf_cert_pem, None).unwrap_err();
        assert!(matches!(err, SignError::UnsupportedKeyType(_)), "{err}");
    }
    // Garbage.
    assert!(matches!(
        Signer::from_pem("nonsense", &pki.leaf_cert_pem, None).unwrap_err(),
        SignError::InvalidKey(_)
    ));
    assert!(matches!(
        Signer::from_pem(&pki.leaf_key_pem, "nonsense", None).unwrap_err(),
        SignError::InvalidCertificate(_)
    ));
}

#[test]
fn pkcs12_loading() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    for kind in [KeyKind::Rsa2048, KeyKind::P256] {
        let pki = make_pki(kind, "Jane Doe", false);
        let p12 = make_pkcs12(&pki, "s3cret pass");
        let s = Signer::from_pkcs12(&p12, "s3cret pass").unwrap();
        assert_eq!(s.signer_name(), "Jane Doe");
        let report = verify(&sign(&pdf, &s, &options()).unwrap()).unwrap();
        assert!(report.valid);
        let err = Signer::from_pkcs12(&p12, "wrong").unwrap_err();
        assert!(matches!(err, SignError::WrongPassword), "{err}");
        assert!(!err.to_string().contains("s3cret"));
        let mut corrupt = p12.clone();
        corrupt.truncate(corrupt.len() / 2);
        let err = Signer::from_pkcs12(&corrupt, "s3cret pass").unwrap_err();
        assert!(matches!(err, SignError::CorruptPkcs12(_)), "{err}");
        assert!(matches!(
            Signer::from_pkcs12(b"garbage", "x").unwrap_err(),
            SignError::CorruptPkcs12(_)
        ));
    }
}

#[test]
fn debug_output_hides_the_key() {
    let s = signer(KeyKind::P256);
    let dbg = format!("{s:?}");
    assert!(dbg.contains("Jane Doe"));
    assert!(!dbg.to_lowercase().contains("secret"));
}

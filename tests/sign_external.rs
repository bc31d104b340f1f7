//! Signed files checked by external validators: pdfsig (poppler), pyHanko,
//! PDFBox Preflight (PDF/A-1b) and qpdf. Each test skips loudly when its tool
//! is missing, and fails when CI=true.

mod sign_support;

use std::path::{Path, PathBuf};

use communique::sign::{SignOptions, Signer, VisibleSignature, sign, verify};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, TestPki, make_pki};
use sign_support::pdfgen::{Profile, make_pdf};
use sign_support::tools::{preflight, require, run, scratch_dir, text};

struct Case {
    name: &'static str,
    profile: Profile,
    kind: KeyKind,
    visible: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "a2a-rsa-invisible",
        profile: Profile::A2aUa1,
        kind: KeyKind::Rsa2048,
        visible: false,
    },
    Case {
        name: "a2a-p256-visible",
        profile: Profile::A2aUa1,
        kind: KeyKind::P256,
        visible: true,
    },
    Case {
        name: "a1b-rsa-visible",
        profile: Profile::A1b,
        kind: KeyKind::Rsa2048,
        visible: true,
    },
    Case {
        name: "a1b-p256-invisible",
        profile: Profile::A1b,
        kind: KeyKind::P256,
        visible: false,
    },
];

struct Signed {
    pki: TestPki,
    dir: PathBuf,
    original: PathBuf,
    signed: PathBuf,
    tampered: PathBuf,
    profile: Profile,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

/// Flip one byte inside the first page's content stream.
fn tamper_page_content(signed: &[u8]) -> Vec<u8> {
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

/// Sign one case into its own scratch directory; `test` keeps parallel
/// tests from sharing (and deleting) each other's files.
fn make_case(test: &str, case: &Case) -> Signed {
    let dir = scratch_dir(&format!("sign-external-{test}-{}", case.name));
    let pki = make_pki(case.kind, "Jane Doe", false);
    let signer = Signer::from_pem(
        &pki.leaf_key_pem,
        &pki.leaf_cert_pem,
        Some(&pki.root_cert_pem),
    )
    .unwrap();
    let pdf = make_pdf(case.profile, 2);
    let options = SignOptions {
        time_unix: SIGN_TIME,
        visible: case.visible.then(|| VisibleSignature {
            page_index: 1,
            rect: [350.0, 60.0, 545.0, 110.0],
            lines: vec![
                "Digitally signed by Jane Doe".into(),
                "2026-05-14 12:00 UTC".into(),
            ],
            fonts: None,
        }),
        reason: Some("Approval".into()),
        location: None,
        tsa: None,
        field: None,
    };
    let signed = sign(&pdf, &signer, &options).unwrap();
    assert!(verify(&signed).unwrap().valid);
    let tampered = tamper_page_content(&signed);
    assert!(!verify(&tampered).unwrap().valid);
    let paths = Signed {
        original: dir.join("original.pdf"),
        signed: dir.join("signed.pdf"),
        tampered: dir.join("tampered.pdf"),
        pki,
        dir,
        profile: case.profile,
    };
    std::fs::write(&paths.original, &pdf).unwrap();
    std::fs::write(&paths.signed, &signed).unwrap();
    std::fs::write(&paths.tampered, &tampered).unwrap();
    std::fs::write(paths.dir.join("root.pem"), &paths.pki.root_cert_pem).unwrap();
    paths
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pdfsig_validates_and_detects_tampering() {
    if !require("pdfsig") {
        return;
    }
    for case in CASES {
        let f = make_case("pdfsig", case);
        let out = text(&run("pdfsig", &[s(&f.signed)]));
        eprintln!("pdfsig {}:\n{out}", case.name);
        assert!(
            out.contains("Signature Validation: Signature is Valid."),
            "{out}"
        );
        assert!(out.contains("Total document signed"), "{out}");
        assert!(
            out.contains("Signer Certificate Common Name: Jane Doe"),
            "{out}"
        );
        assert!(out.contains("Signature Type: ETSI.CAdES.detached"), "{out}");
        let out = text(&run("pdfsig", &[s(&f.tampered)]));
        eprintln!("pdfsig {} tampered:\n{out}", case.name);
        assert!(!out.contains("Signature is Valid."), "{out}");
        assert!(
            out.contains("Digest Mismatch") || out.contains("Invalid"),
            "{out}"
        );
    }
}

#[test]
fn pyhanko_validates_with_trusted_root() {
    if !require("pyhanko") {
        return;
    }
    for case in CASES {
        let f = make_case("pyhanko", case);
        let root = f.dir.join("root.pem");
        let args = |file: &Path| {
            vec![
                "sign".to_string(),
                "validate".into(),
                "--no-revocation-check".into(),
                "--trust-replace".into(),
                "--trust".into(),
                s(&root).into(),
                "--pretty-print".into(),
                s(file).into(),
            ]
        };
        let a = args(&f.signed);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = run("pyhanko", &a);
        let out = text(&o);
        eprintln!("pyhanko {}:\n{out}", case.name);
        assert!(o.status.success(), "{out}");
        assert!(out.contains("The signature is judged VALID."), "{out}");
        assert!(
            out.contains("The signature is cryptographically sound."),
            "{out}"
        );
        assert!(
            out.contains("The signature covers the entire file."),
            "{out}"
        );
        let a = args(&f.tampered);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = run("pyhanko", &a);
        let out = text(&o);
        eprintln!("pyhanko {} tampered:\n{out}", case.name);
        assert!(!o.status.success(), "{out}");
        assert!(!out.contains("judged VALID"), "{out}");
    }
}

#[test]
fn preflight_accepts_signed_pdfa_1b() {
    if !require("preflight") {
        return;
    }
    for case in CASES.iter().filter(|c| c.profile == Profile::A1b) {
        let f = make_case("preflight", case);
        assert_eq!(f.profile, Profile::A1b);
        for file in [&f.original, &f.signed] {
            let out = text(&preflight(file));
            eprintln!("preflight {} {}:\n{out}", case.name, s(file));
            assert!(out.contains("is a valid PDF/A-1b file"), "{out}");
        }
    }
}

#[test]
fn qpdf_check_is_clean() {
    if !require("qpdf") {
        return;
    }
    for case in CASES {
        let f = make_case("qpdf", case);
        let o = run("qpdf", &["--check", s(&f.signed)]);
        let out = text(&o);
        eprintln!("qpdf {}:\n{out}", case.name);
        assert!(o.status.success(), "{out}");
        assert!(
            out.contains("No syntax or stream encoding errors found"),
            "{out}"
        );
        assert!(!out.to_lowercase().contains("warning"), "{out}");
    }
}

#[test]
fn openssl_pkcs12_loads() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-external-openssl-p12");
    for (kind, legacy) in [
        (KeyKind::Rsa2048, false),
        (KeyKind::P256, false),
        (KeyKind::Rsa2048, true),
    ] {
        let pki = make_pki(kind, "Jane Doe", false);
        std::fs::write(dir.join("key.pem"), &pki.leaf_key_pem).unwrap();
        std::fs::write(dir.join("cert.pem"), &pki.leaf_cert_pem).unwrap();
        std::fs::write(dir.join("root.pem"), &pki.root_cert_pem).unwrap();
        let p12 = dir.join("id.p12");
        let mut args = vec![
            "pkcs12",
            "-export",
            "-inkey",
            s(&dir.join("key.pem")).to_owned().leak(),
            "-in",
            s(&dir.join("cert.pem")).to_owned().leak(),
            "-certfile",
            s(&dir.join("root.pem")).to_owned().leak(),
            "-passout",
            "pass:open sesame",
            "-out",
            s(&p12).to_owned().leak(),
        ];
        if legacy {
            // The old 3DES / SHA-1 MAC format many existing .pfx files use.
            args.extend([
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ]);
        }
        let o = run("openssl", &args);
        assert!(o.status.success(), "{}", text(&o));
        let der = std::fs::read(&p12).unwrap();
        let signer = Signer::from_pkcs12(&der, "open sesame")
            .unwrap_or_else(|e| panic!("{kind:?} legacy={legacy}: {e}"));
        assert_eq!(signer.signer_name(), "Jane Doe");
        assert!(matches!(
            Signer::from_pkcs12(&der, "wrong").unwrap_err(),
            communique::sign::SignError::WrongPassword
        ));
        let pdf = make_pdf(Profile::A2aUa1, 1);
        let signed = sign(
            &pdf,
            &signer,
            &SignOptions {
                time_unix: SIGN_TIME,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(verify(&signed).unwrap().valid);
    }
}

#[test]
fn verify_reads_pyhanko_signatures() {
    if !require("pyhanko") {
        return;
    }
    let dir = scratch_dir("sign-external-pyhanko-signer");
    for kind in [KeyKind::Rsa2048, KeyKind::P256] {
        let pki = make_pki(kind, "Py Hanko", false);
        std::fs::write(dir.join("key.pem"), &pki.leaf_key_pem).unwrap();
        std::fs::write(dir.join("cert.pem"), &pki.leaf_cert_pem).unwrap();
        std::fs::write(dir.join("original.pdf"), make_pdf(Profile::A2aUa1, 1)).unwrap();
        let out = dir.join("byhanko.pdf");
        let o = run(
            "pyhanko",
            &[
                "sign",
                "addsig",
                "--field",
                "Sig1",
                "--use-pades",
                "pemder",
                "--key",
                s(&dir.join("key.pem")),
                "--cert",
                s(&dir.join("cert.pem")),
                "--no-pass",
                s(&dir.join("original.pdf")),
                s(&out),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let signed = std::fs::read(&out).unwrap();
        let report = verify(&signed).unwrap();
        eprintln!("{kind:?}: {report:?}");
        assert!(report.valid, "{report:?}");
        assert_eq!(report.signer_name.as_deref(), Some("Py Hanko"));
        assert_eq!(report.field_name.as_deref(), Some("Sig1"));
        assert!(!verify(&tamper_page_content(&signed)).unwrap().valid);
    }
}

/// A file rewritten by qpdf with object streams and a cross-reference
/// stream (as other tools write them) signs with a cross-reference stream
/// update that qpdf and pdfsig accept, and verifies.
#[test]
fn xref_stream_files_sign_and_verify() {
    if !require("qpdf") || !require("pdfsig") {
        return;
    }
    let dir = scratch_dir("sign-xref-stream");
    let plain = dir.join("plain.pdf");
    let packed = dir.join("packed.pdf");
    std::fs::write(&plain, make_pdf(Profile::A2aUa1, 2)).unwrap();
    let o = run(
        "qpdf",
        &[
            "--object-streams=generate",
            plain.to_str().unwrap(),
            packed.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let input = std::fs::read(&packed).unwrap();
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    let signer = Signer::from_pem(
        &pki.leaf_key_pem,
        &pki.leaf_cert_pem,
        Some(&pki.root_cert_pem),
    )
    .unwrap();
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let signed = sign(&input, &signer, &options).unwrap();
    assert!(String::from_utf8_lossy(&signed[input.len()..]).contains("/Type /XRef"));
    let report = verify(&signed).unwrap();
    assert!(report.valid, "{report:?}");
    let out = dir.join("signed.pdf");
    std::fs::write(&out, &signed).unwrap();
    let o = run("qpdf", &["--check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run("pdfsig", &[out.to_str().unwrap()]);
    assert!(text(&o).contains("Signature is Valid"), "{}", text(&o));
    // A second signature on top of the cross-reference stream update.
    let twice = sign(&signed, &signer, &options).unwrap();
    let all = communique::sign::verify_all(&twice).unwrap();
    assert!(all.len() == 2 && all.iter().all(|r| r.valid), "{all:?}");
}

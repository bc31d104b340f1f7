//! Co-signing: `communique sign` adds a signature to a signed communique
//! PDF; both stay valid (our verify, pdfsig, pyHanko) and the file stays
//! PDF/A. Refusals: DocMDP P=1, not PDF/A, encrypted, a field already signed.

mod sign_support;

use std::path::Path;
use std::process::{Command, Output};

use communique::sign::{SignError, SignOptions, Signer, sign, verify_all};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, TestPki, make_pki};
use sign_support::hostile::{append_update, object_body, pdf_with};
use sign_support::pdfgen::{Profile, make_pdf};
use sign_support::tools::{preflight, require, run, scratch_dir, text};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2020-01-29-copenhagen-political-directors.md"
);

fn communique(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn key_files(dir: &Path, pki: &TestPki, stem: &str) -> (String, String) {
    let key = dir.join(format!("{stem}.key.pem"));
    let cert = dir.join(format!("{stem}.cert.pem"));
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    (key.display().to_string(), cert.display().to_string())
}

fn signer(pki: &TestPki) -> Signer {
    pki.signer()
}

#[test]
fn a_second_official_co_signs_from_the_command_line() {
    let dir = scratch_dir("sign-cosign-cli");
    let first = make_pki(KeyKind::Rsa2048, "First Official", false);
    let second = make_pki(KeyKind::P256, "Second Official", false);
    let (k1, c1) = key_files(&dir, &first, "first");
    let (k2, c2) = key_files(&dir, &second, "second");
    let one = dir.join("one.pdf");
    let two = dir.join("two.pdf");
    let one_s = one.to_str().unwrap();
    let two_s = two.to_str().unwrap();
    let o = communique(&[
        "build",
        SEED,
        "-o",
        one_s,
        "--pdfa",
        "a-1b",
        "--sign-key",
        &k1,
        "--sign-cert",
        &c1,
        "--sign-time",
        "2026-05-14T12:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let args = [
        "sign",
        one_s,
        "-o",
        two_s,
        "--sign-key",
        &k2,
        "--sign-cert",
        &c2,
        "--sign-time",
        "2026-05-15T09:00:00Z",
        "--reason",
        "Co-signed",
    ];
    let o = communique(&args);
    assert!(o.status.success(), "{}", text(&o));
    let signed = std::fs::read(&two).unwrap();
    // Reproducible: the same inputs give the same bytes.
    let again = dir.join("again.pdf");
    let mut args2 = args;
    args2[3] = again.to_str().unwrap();
    assert!(communique(&args2).status.success());
    assert!(std::fs::read(&again).unwrap() == signed);

    let all = verify_all(&signed).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.valid), "{all:?}");
    assert_eq!(all[1].signer_name.as_deref(), Some("Second Official"));
    let o = communique(&["verify", two_s]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&["verify", "--json", two_s]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(json["valid"], true);

    // The second signer may not sign the first signer's field.
    let three = dir.join("three.pdf");
    let o = communique(&[
        "sign",
        one_s,
        "-o",
        three.to_str().unwrap(),
        "--sign-key",
        &k2,
        "--sign-cert",
        &c2,
        "--sign-time",
        "2026-05-15T09:00:00Z",
        "--field",
        "Signature1",
    ]);
    assert_eq!(o.status.code(), Some(5));
    assert!(text(&o).contains("already signed"), "{}", text(&o));
    assert!(!three.exists());

    if require("pdfsig") {
        let o = run("pdfsig", &[two_s]);
        assert_eq!(
            text(&o).matches("Signature is Valid").count(),
            2,
            "{}",
            text(&o)
        );
    }
    if require("preflight") {
        let o = preflight(&two);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pyhanko") {
        let roots = dir.join("roots.pem");
        std::fs::write(
            &roots,
            format!("{}{}", first.root_cert_pem, second.root_cert_pem),
        )
        .unwrap();
        let o = run(
            "python3",
            &[
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
                two_s,
                roots.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(
            text(&o).matches("\"level\": \"B-B\"").count(),
            2,
            "{}",
            text(&o)
        );
    }
}

#[test]
fn files_that_must_not_be_signed_are_refused_and_nothing_is_written() {
    let dir = scratch_dir("sign-cosign-refuse");
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    let (k, c) = key_files(&dir, &pki, "k");
    let plain = dir.join("plain.pdf");
    std::fs::write(
        &plain,
        pdf_with(
            &[
                (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
                (2, "<</Type/Pages/Kids[3 0 R]/Count 1>>".into()),
                (
                    3,
                    "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".into(),
                ),
            ],
            "",
        ),
    )
    .unwrap();
    let out = dir.join("out.pdf");
    let o = communique(&[
        "sign",
        plain.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--sign-key",
        &k,
        "--sign-cert",
        &c,
        "--sign-time",
        "2026-05-15T09:00:00Z",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("does not claim PDF/A"), "{}", text(&o));
    assert!(!out.exists());
}

#[test]
fn docmdp_no_changes_is_refused() {
    let pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R/Perms<</DocMDP 4 0 R>>>>".into()),
            (2, "<</Type/Pages/Kids[3 0 R]/Count 1>>".into()),
            (3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".into()),
            (
                4,
                "<</Type/Sig/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</P 1/V/1.2>>>>]>>"
                    .into(),
            ),
        ],
        "",
    );
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let err = sign(
        &pdf,
        &signer(&make_pki(KeyKind::P256, "A", false)),
        &options,
    )
    .unwrap_err();
    assert!(matches!(err, SignError::Refused(_)), "{err}");
    assert!(err.to_string().contains("DocMDP P=1"), "{err}");
}

#[test]
fn encrypted_files_are_refused() {
    let pdf = pdf_with(
        &[
            (1, "<</Type/Catalog/Pages 2 0 R>>".into()),
            (2, "<</Type/Pages/Kids[3 0 R]/Count 1>>".into()),
            (3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>".into()),
            (4, "<</Filter/Standard/V 1/R 2/O(0123456789abcdef0123456789abcdef)/U(0123456789abcdef0123456789abcdef)/P -4>>".into()),
        ],
        " /Encrypt 4 0 R /ID[<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]",
    );
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    assert!(
        sign(
            &pdf,
            &signer(&make_pki(KeyKind::P256, "A", false)),
            &options
        )
        .is_err()
    );
}

#[test]
fn an_empty_field_reserved_in_the_file_is_filled() {
    let pdf = make_pdf(Profile::A2aUa1, 1);
    // Reserve an empty, visible signature field as a layout or another tool would.
    let text = String::from_utf8_lossy(&pdf).into_owned();
    let at = text.find("/Type/Page/").unwrap();
    let obj_at = text[..at].rfind(" 0 obj").unwrap();
    let line = text[..obj_at].rfind('\n').unwrap() + 1;
    let page: u32 = text[line..obj_at].parse().unwrap();
    let root_at = text.rfind("/Root ").unwrap() + 6;
    let root: u32 = text[root_at..].split(' ').next().unwrap().parse().unwrap();
    let size_at = text.rfind("/Size ").unwrap() + 6;
    let size: u32 = text[size_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    let page_body = object_body(&pdf, page);
    let page_body = format!(
        "{}/Annots[{size} 0 R]>>",
        page_body.strip_suffix(">>").unwrap()
    );
    let root_body = object_body(&pdf, root);
    let root_body = format!(
        "{}/AcroForm<</Fields[{size} 0 R]>>>>",
        root_body.strip_suffix(">>").unwrap()
    );
    let field = format!(
        "<</Type/Annot/Subtype/Widget/FT/Sig/T(Minister)/F 4/P {page} 0 R/Rect[350 60 545 110]>>"
    );
    let reserved = append_update(&pdf, &[(page, page_body), (root, root_body), (size, field)]);
    let pki = make_pki(KeyKind::P256, "The Minister", false);
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let signed = sign(&reserved, &signer(&pki), &options).unwrap();
    let all = verify_all(&signed).unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].valid, "{all:?}");
    assert_eq!(all[0].field_name.as_deref(), Some("Minister"));
    // Filled, so a second signature into it is refused.
    let again = SignOptions {
        field: Some("Minister".into()),
        ..options
    };
    let err = sign(&signed, &signer(&pki), &again).unwrap_err();
    assert!(err.to_string().contains("already signed"), "{err}");
}

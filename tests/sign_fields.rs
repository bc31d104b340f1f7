//! One visible signature field per signatory, reserved by `build` (`[signature] fields =
//! true`): `build --sign` fills the first, `sign` the next; both signatures stay valid and the
//! first is reported as followed by form filling only (no structure-tree change).

mod sign_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sign_support::certs::{KeyKind, TestPki, make_pki};
use sign_support::tools::{preflight, require, run, text};

/// Two signatories: Élodie Marchetti-Ndiaye and François-Xavier Lemaître.
const STATEMENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2026-04-14-declaration-fr.md"
);
const FIRST: &str = "Signature1 - Élodie Marchetti-Ndiaye";
const SECOND: &str = "Signature2 - François-Xavier Lemaître";

fn communique(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn key_files(dir: &Path, pki: &TestPki, stem: &str) -> (String, String) {
    let key = dir.join(format!("{stem}.key"));
    let cert = dir.join(format!("{stem}.pem"));
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    (
        key.to_str().unwrap().to_string(),
        cert.to_str().unwrap().to_string(),
    )
}

fn layout(dir: &Path) -> PathBuf {
    let l = dir.join("fields.toml");
    std::fs::write(
        &l,
        "[signature]\nfields = true\n[pdf]\nstandard = [\"a-1b\"]\n",
    )
    .unwrap();
    l
}

fn field_names(pdf: &[u8]) -> usize {
    pdf.windows(8).filter(|w| w == b"/FT /Sig").count()
}

#[test]
fn build_reserves_one_field_per_signatory_deterministically() {
    let tmp = tempfile::TempDir::new().unwrap();
    let l = layout(tmp.path());
    let a = tmp.path().join("a.pdf");
    let b = tmp.path().join("b.pdf");
    for out in [&a, &b] {
        let o = communique(&[
            "build",
            STATEMENT,
            "--layout",
            l.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes == std::fs::read(&b).unwrap(), "not deterministic");
    assert_eq!(field_names(&bytes), 2);
    assert!(
        !bytes.windows(8).any(|w| w == b"/SigFlag"),
        "nothing is signed yet"
    );
    // Named after the signatories (UTF-16 text strings): check through verify's refusal.
    let o = communique(&["verify", a.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    if require("preflight") {
        let o = preflight(&a);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("qpdf") {
        let o = run("qpdf", &["--check", a.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
    }
    // Tagged output (PDF/A-2a + UA-1): each field has a /Form structure element and a /TU.
    let tagged = tmp.path().join("tagged.toml");
    std::fs::write(&tagged, "[signature]\nfields = true\n").unwrap();
    let t = tmp.path().join("t.pdf");
    let o = communique(&[
        "build",
        STATEMENT,
        "--layout",
        tagged.to_str().unwrap(),
        "-o",
        t.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = std::fs::read(&t).unwrap();
    let update = &t[t.len() - 40_000.min(t.len())..];
    let count = |needle: &[u8]| {
        update
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    };
    assert_eq!(count(b"/S /Form"), 2);
    assert_eq!(count(b"/TU "), 2);
    assert_eq!(count(b"/Tabs /S"), 1);
}

#[test]
fn two_signatories_sign_their_fields_and_both_stay_valid() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path();
    let l = layout(dir);
    let first = make_pki(KeyKind::P256, "Élodie Marchetti-Ndiaye", false);
    let second = make_pki(KeyKind::Rsa2048, "François-Xavier Lemaître", false);
    let (k1, c1) = key_files(dir, &first, "first");
    let (k2, c2) = key_files(dir, &second, "second");
    let one = dir.join("one.pdf");
    let two = dir.join("two.pdf");
    let o = communique(&[
        "build",
        STATEMENT,
        "--layout",
        l.to_str().unwrap(),
        "-o",
        one.to_str().unwrap(),
        "--sign-key",
        &k1,
        "--sign-cert",
        &c1,
        "--sign-time",
        "2030-01-01T09:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&[
        "sign",
        one.to_str().unwrap(),
        "-o",
        two.to_str().unwrap(),
        "--sign-key",
        &k2,
        "--sign-cert",
        &c2,
        "--sign-time",
        "2030-01-02T09:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let o = communique(&["verify", two.to_str().unwrap()]);
    let report = text(&o);
    assert_eq!(o.status.code(), Some(0), "{report}");
    assert!(report.contains(&format!("field:     {FIRST}")), "{report}");
    assert!(report.contains(&format!("field:     {SECOND}")), "{report}");
    assert!(
        report.contains("later revisions only add signatures"),
        "{report}"
    );
    // The second signature filled the reserved field: no third field appeared.
    assert!(report.contains("signature (2 of 2)"), "{report}");
    assert!(
        report.contains("later:     form filling (signatures in signature fields)"),
        "{report}"
    );

    // A field already signed is refused, nothing written.
    let three = dir.join("three.pdf");
    let o = communique(&[
        "sign",
        two.to_str().unwrap(),
        "-o",
        three.to_str().unwrap(),
        "--sign-key",
        &k2,
        "--sign-cert",
        &c2,
        "--sign-time",
        "2030-01-03T09:00:00Z",
        "--field",
        FIRST,
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("already signed"), "{}", text(&o));
    assert!(!three.exists());

    if require("preflight") {
        let o = preflight(&two);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pdfsig") {
        let o = run("pdfsig", &[two.to_str().unwrap()]);
        assert_eq!(
            text(&o).matches("Signature is Valid").count(),
            2,
            "{}",
            text(&o)
        );
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
                two.to_str().unwrap(),
                roots.to_str().unwrap(),
            ],
        );
        let out = text(&o);
        assert_eq!(out.matches("\"intact\": true").count(), 2, "{out}");
        assert_eq!(out.matches("\"trusted\": true").count(), 2, "{out}");
        // Filling a reserved field touches no structure: form filling, not OTHER.
        assert!(out.contains("ModificationLevel.FORM_FILLING"), "{out}");
        assert!(!out.contains("ModificationLevel.OTHER"), "{out}");
    }
}

/// Without reserved fields, a co-signature on a tagged file adds an invisible field on the
/// page that already carries the first one, outside the structure tree: pyHanko calls that form
/// filling and judges the first signature valid (it judged it INVALID, "illegitimate
/// modifications", while the new widget came with a /Form structure element).
#[test]
fn co_signing_a_new_invisible_field_in_a_tagged_file_is_form_filling() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path();
    let first = make_pki(KeyKind::P256, "First Signer", false);
    let second = make_pki(KeyKind::P256, "Second Signer", false);
    let (k1, c1) = key_files(dir, &first, "first");
    let (k2, c2) = key_files(dir, &second, "second");
    let one = dir.join("one.pdf");
    let two = dir.join("two.pdf");
    let o = communique(&[
        "build",
        STATEMENT,
        "-o",
        one.to_str().unwrap(),
        "--sign-key",
        &k1,
        "--sign-cert",
        &c1,
        "--sign-time",
        "2030-01-01T09:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&[
        "sign",
        one.to_str().unwrap(),
        "-o",
        two.to_str().unwrap(),
        "--sign-key",
        &k2,
        "--sign-cert",
        &c2,
        "--sign-time",
        "2030-01-02T09:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&["verify", two.to_str().unwrap()]);
    let report = text(&o);
    assert_eq!(o.status.code(), Some(0), "{report}");
    assert!(
        report.contains("later:     form filling (signatures in signature fields)"),
        "{report}"
    );
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
                two.to_str().unwrap(),
                roots.to_str().unwrap(),
            ],
        );
        let out = text(&o);
        assert!(out.contains("ModificationLevel.FORM_FILLING"), "{out}");
        assert!(!out.contains("ModificationLevel.OTHER"), "{out}");
        let o = run(
            "pyhanko",
            &[
                "sign",
                "validate",
                "--trust",
                roots.to_str().unwrap(),
                "--pretty-print",
                two.to_str().unwrap(),
            ],
        );
        let out = text(&o);
        assert_eq!(
            out.matches("The signature is judged VALID.").count(),
            2,
            "{out}"
        );
    }
}

//! The visible signature's text: shaped with communique's fonts (Arabic joined and right to
//! left, Hebrew, Greek, Cyrillic, Chinese), shown with embedded subset fonts that keep PDF/A-1b valid,
//! extractable, and the same bytes every run.

mod sign_support;

use std::path::Path;
use std::process::Command;

use sign_support::certs::{KeyKind, make_pki};
use sign_support::tools::{preflight, require, run, text};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2020-01-29-copenhagen-political-directors.md"
);

/// Build the seed statement signed visibly by `name` with an a-1b layout.
fn build_signed(dir: &Path, name: &str, out: &Path) -> Vec<u8> {
    let pki = make_pki(KeyKind::P256, name, false);
    let key = dir.join("key.pem");
    let cert = dir.join("cert.pem");
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let layout = dir.join("a1b.toml");
    std::fs::write(
        &layout,
        "[signature]\nvisible = true\n[pdf]\nstandard = [\"a-1b\"]\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(["build", SEED, "--layout", layout.to_str().unwrap(), "-o"])
        .arg(out)
        .args(["--sign-key", key.to_str().unwrap()])
        .args(["--sign-cert", cert.to_str().unwrap()])
        .args(["--sign-time", "2030-01-01T09:30:00Z"])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    std::fs::read(out).unwrap()
}

/// Bidi controls poppler puts around right-to-left text.
fn strip_bidi_controls(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

#[test]
fn visible_signature_names_in_five_scripts_are_embedded_subset_text() {
    for (i, name) in [
        "محمد الأحمد",
        "דוד לוי",
        "Γιώργος Παπαδόπουλος",
        "Анна Каренина",
        // From the installed CJK serif (fonts-noto-cjk), as a Chinese statement's text.
        "王小明",
    ]
    .into_iter()
    .enumerate()
    {
        let tmp = tempfile::TempDir::new().unwrap();
        let a = tmp.path().join(format!("signed{i}.pdf"));
        let b = tmp.path().join(format!("again{i}.pdf"));
        let bytes = build_signed(tmp.path(), name, &a);
        // Same inputs, same bytes (a fresh P-256 key each time would differ, so sign the
        // same key twice by rebuilding from the kept files).
        let again = Command::new(env!("CARGO_BIN_EXE_communique"))
            .args(["build", SEED, "--layout"])
            .arg(tmp.path().join("a1b.toml"))
            .arg("-o")
            .arg(&b)
            .arg("--sign-key")
            .arg(tmp.path().join("key.pem"))
            .arg("--sign-cert")
            .arg(tmp.path().join("cert.pem"))
            .args(["--sign-time", "2030-01-01T09:30:00Z"])
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(again.status.success(), "{}", text(&again));
        assert!(
            std::fs::read(&b).unwrap() == bytes,
            "{name}: not deterministic"
        );

        // The appearance shows text, not outlines: a font resource in the update.
        let update = &bytes[bytes.len() - 20_000.min(bytes.len())..];
        assert!(
            update
                .windows(12)
                .any(|w| w == b"/Identity-H " || w == b"/Identity-H>" || w == b"/Identity-H/"),
            "{name}: no Type0 font in the signature's update"
        );

        if require("pdffonts") {
            let o = run("pdffonts", &[a.to_str().unwrap()]);
            let listing = text(&o);
            let rows: Vec<&str> = listing.lines().skip(2).collect();
            assert!(rows.len() >= 2, "{listing}");
            for row in &rows {
                assert!(
                    row.contains("yes yes yes"),
                    "{name}: a font is not embedded, subset and mapped:\n{listing}"
                );
            }
        }
        if require("qpdf") && require("pdftotext") {
            // Widget appearances are not page content: flatten them into the page to read them.
            let flat = tmp.path().join("flat.pdf");
            let o = run(
                "qpdf",
                &[
                    "--flatten-annotations=all",
                    a.to_str().unwrap(),
                    flat.to_str().unwrap(),
                ],
            );
            assert!(
                o.status.code().is_some_and(|c| c == 0 || c == 3),
                "{}",
                text(&o)
            );
            let o = run("pdftotext", &[flat.to_str().unwrap(), "-"]);
            let extracted = strip_bidi_controls(&String::from_utf8_lossy(&o.stdout));
            assert!(
                extracted.contains(&format!("Digitally signed by {name}")),
                "{name}: not in the extracted text:\n{extracted}"
            );
            assert!(extracted.contains("2030-01-01 09:30:00 UTC"), "{extracted}");
        }
        if require("preflight") {
            let o = preflight(&a);
            assert!(
                text(&o).contains("is a valid PDF/A-1b file"),
                "{name}: {}",
                text(&o)
            );
        }
        if require("pdfsig") {
            let o = run("pdfsig", &[a.to_str().unwrap()]);
            assert!(text(&o).contains("Signature is Valid"), "{}", text(&o));
        }
    }
}

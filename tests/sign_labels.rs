//! The words of a visible signature follow the statement's language: "Signé numériquement
//! par", "Horodaté le ... par", "Signature de" for a French statement; a layout's
//! `[translations]` may change them; signing a built PDF without its layout takes them from
//! the document's /Lang.

mod sign_support;

use std::path::Path;
use std::time::Duration;

use communique::sign::{SignOptions, Signer, TsaConfig, sign, verify};
use communique::{FontSet, Layout, Options, Rendered, Signing, Statement};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, make_pki};
use sign_support::tools::{require, run, scratch_dir};
use sign_support::tsa::{Mode, TestTsa};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The default layout with `key = true` in `[signature]`, and `extra` appended.
fn layout(key: &str, extra: &str) -> Layout {
    let path = root().join("layouts/default.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(&format!("\n{key} = false"), &format!("\n{key} = true "), 1);
    assert!(
        text.contains(&format!("\n{key} = true")),
        "{key} in default.toml"
    );
    Layout::parse(&path, &(text + extra)).unwrap()
}

fn render(statement: &str, layout: &Layout) -> Rendered {
    let statement = Statement::load(&root().join("statements").join(statement)).unwrap();
    let fonts = FontSet::load(layout).unwrap();
    communique::render(&statement, layout, &fonts, &Options::default()).unwrap()
}

fn signer() -> Signer {
    make_pki(KeyKind::P256, "Jane Doe", false).signer()
}

/// The PDF's text as pdftotext gives it, lines joined by spaces.
fn text(pdf: &[u8], dir: &Path, name: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap();
    let out = run("pdftotext", &[file.to_str().unwrap(), "-"]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const FRENCH: &str = "2026-04-14-declaration-fr.md";

#[test]
fn a_french_statement_is_signed_in_french_and_the_layout_may_reword_it() {
    if !require("pdftotext") || !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-labels-visible");
    let signer = signer();
    fn signing<'a>(signer: &'a Signer, tsa: Option<&'a TsaConfig>) -> Signing<'a> {
        Signing {
            signer,
            time: SIGN_TIME,
            visible: true,
            tsa,
        }
    }

    let rendered = render(FRENCH, &layout("visible", ""));
    let signed = communique::sign_rendered(&rendered, &signing(&signer, None)).unwrap();
    assert!(verify(&signed).unwrap().valid);
    let words = text(&signed, &dir, "claimed.pdf");
    assert!(
        words.contains("Signé numériquement par Jane Doe"),
        "{words}"
    );
    assert!(!words.contains("Digitally signed"), "{words}");

    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let config = TsaConfig {
        url: tsa.url.clone(),
        credentials: None,
        timeout: Duration::from_secs(20),
    };
    let signed = communique::sign_rendered(&rendered, &signing(&signer, Some(&config))).unwrap();
    assert!(verify(&signed).unwrap().valid);
    let words = text(&signed, &dir, "stamped.pdf");
    assert!(words.contains("Horodaté le 20"), "{words}");
    assert!(words.contains(" UTC par "), "{words}");
    assert!(!words.contains("Time-stamped"), "{words}");

    let reworded = layout(
        "visible",
        "\n[translations.fr]\n\"Digitally signed by {name}\" = \"Signé électroniquement par {name}\"\n",
    );
    let signed =
        communique::sign_rendered(&render(FRENCH, &reworded), &signing(&signer, None)).unwrap();
    let words = text(&signed, &dir, "reworded.pdf");
    assert!(
        words.contains("Signé électroniquement par Jane Doe"),
        "{words}"
    );
}

#[test]
fn reserved_fields_and_a_later_signature_use_the_documents_language() {
    if !require("pdftotext") {
        return;
    }
    let dir = scratch_dir("sign-labels-fields");
    let rendered = render(FRENCH, &layout("fields", ""));
    let words = text(&rendered.pdf, &dir, "fields.pdf");
    assert!(
        words.contains("Signature de Élodie Marchetti-Ndiaye")
            && words.contains("Signature de François-Xavier Lemaître"),
        "{words}"
    );

    // `communique sign` on the built file, without the layout: French from the /Lang.
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let signed = sign(&rendered.pdf, &signer(), &options).unwrap();
    assert!(verify(&signed).unwrap().valid);
    let words = text(&signed, &dir, "signed.pdf");
    assert!(
        words.contains("Signé numériquement par Jane Doe"),
        "{words}"
    );
    assert!(
        words.contains("Signature de François-Xavier Lemaître"),
        "{words}"
    );
    assert!(
        !words.contains("Signature de Élodie"),
        "the first field is signed: {words}"
    );
}

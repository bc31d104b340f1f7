//! PAdES B-T: signature timestamps from an RFC 3161 authority (a test TSA on
//! 127.0.0.1 run by `openssl ts -reply`), their checks, and every way the
//! exchange can fail.

mod sign_support;

use std::time::Duration;

use communique::sign::{
    SIGNING_TIME, SignError, SignOptions, Signer, TsaConfig, VisibleSignature, sign, verify,
};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, TestPki, make_pki};
use sign_support::pdfgen::{Profile, make_pdf};
use sign_support::tools::{preflight, require, run, scratch_dir, text};
use sign_support::tsa::{Mode, TestTsa, closed_port_url};

fn signer(pki: &TestPki) -> Signer {
    pki.signer()
}

fn options(url: &str, timeout: Duration) -> SignOptions {
    SignOptions {
        time_unix: SIGN_TIME,
        tsa: Some(TsaConfig {
            url: url.into(),
            credentials: None,
            timeout,
        }),
        ..SignOptions::default()
    }
}

fn sign_with(url: &str, timeout: Duration) -> Result<Vec<u8>, SignError> {
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    sign(
        &make_pdf(Profile::A2aUa1, 1),
        &signer(&pki),
        &options(url, timeout),
    )
}

#[test]
fn b_t_signature_verifies_reproduces_and_passes_pyhanko_and_preflight() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-tsa-bt");
    let tsa = TestTsa::start(&dir, Mode::Openssl, true);
    let pki = make_pki(KeyKind::Rsa2048, "Jane Doe", false);
    let pdf = make_pdf(Profile::A1b, 1);
    let opts = options(&tsa.url, Duration::from_secs(20));
    let signed = sign(&pdf, &signer(&pki), &opts).unwrap();
    let report = verify(&signed).unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(report.level.as_deref(), Some("B-T"));
    assert_eq!(
        report.timestamp_authority.as_deref(),
        Some("communique test TSA")
    );
    assert!(report.timestamp_unix.is_some());

    // The nonce comes from the signed data: the same answer replayed gives
    // the same file, byte for byte.
    let answer = tsa.answers.lock().unwrap()[0].clone();
    drop(tsa);
    let replay = TestTsa::start(&dir.join("replay"), Mode::Fixed(answer), true);
    let again = sign(
        &pdf,
        &signer(&pki),
        &options(&replay.url, Duration::from_secs(5)),
    )
    .unwrap();
    assert!(again == signed, "a replayed TSA answer reproduces the file");
    drop(replay);

    let file = dir.join("bt.pdf");
    std::fs::write(&file, &signed).unwrap();
    if require("pdfsig") {
        let o = run("pdfsig", &[file.to_str().unwrap()]);
        assert!(text(&o).contains("Signature is Valid"), "{}", text(&o));
    }
    if require("preflight") {
        let o = preflight(&file);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pyhanko") {
        // Both roots, the servers stopped: pyHanko must confirm B-T offline.
        let roots = dir.join("roots.pem");
        let tsa_root = std::fs::read_to_string(dir.join("tsaroot.pem")).unwrap();
        std::fs::write(&roots, format!("{}{tsa_root}", pki.root_cert_pem)).unwrap();
        let o = run(
            "python3",
            &[
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
                file.to_str().unwrap(),
                roots.to_str().unwrap(),
            ],
        );
        assert!(text(&o).contains("\"level\": \"B-T\""), "{}", text(&o));
    }
}

#[test]
fn tsa_down_is_a_network_error() {
    let err = sign_with(&closed_port_url(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, SignError::Network { .. }), "{err}");
}

#[test]
fn slow_tsa_times_out() {
    let dir = scratch_dir("sign-tsa-slow");
    let tsa = TestTsa::start(&dir, Mode::Slow(Duration::from_secs(4)), true);
    let err = sign_with(&tsa.url, Duration::from_secs(1)).unwrap_err();
    assert!(err.to_string().contains("no answer within 1 s"), "{err}");
}

#[test]
fn http_errors_garbage_and_rejections_are_refused() {
    let dir = scratch_dir("sign-tsa-bad");
    let tsa = TestTsa::start(&dir.join("500"), Mode::Status(500), true);
    let err = sign_with(&tsa.url, Duration::from_secs(5)).unwrap_err();
    assert!(err.to_string().contains("HTTP status 500"), "{err}");

    let tsa = TestTsa::start(
        &dir.join("garbage"),
        Mode::Fixed(b"<html>hello</html>".to_vec()),
        true,
    );
    let err = sign_with(&tsa.url, Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, SignError::Timestamp { .. }), "{err}");
    assert!(
        err.to_string().contains("not an RFC 3161 response"),
        "{err}"
    );

    // TimeStampResp { status { rejection(2) } }
    let rejection = vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
    let tsa = TestTsa::start(&dir.join("reject"), Mode::Fixed(rejection), true);
    let err = sign_with(&tsa.url, Duration::from_secs(5)).unwrap_err();
    assert!(
        err.to_string().contains("refused the request (status 2"),
        "{err}"
    );
}

#[test]
fn a_token_for_other_data_is_refused() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-tsa-other");
    // An answer obtained for another signature (another key).
    let tsa = TestTsa::start(&dir, Mode::Openssl, true);
    let other = make_pki(KeyKind::Rsa2048, "Someone Else", false);
    sign(
        &make_pdf(Profile::A2aUa1, 1),
        &signer(&other),
        &options(&tsa.url, Duration::from_secs(20)),
    )
    .unwrap();
    let answer = tsa.answers.lock().unwrap()[0].clone();
    let replay = TestTsa::start(&dir.join("replay"), Mode::Fixed(answer), true);
    let err = sign_with(&replay.url, Duration::from_secs(5)).unwrap_err();
    assert!(
        err.to_string().contains("message imprint does not match"),
        "{err}"
    );
}

#[test]
fn a_visible_signature_shows_the_tsa_time_and_replays() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-tsa-visible");
    let tsa = TestTsa::start(&dir, Mode::Openssl, true);
    let pki = make_pki(KeyKind::P256, "Jane Doe", false);
    let pdf = make_pdf(Profile::A1b, 1);
    let visible = |url: &str| SignOptions {
        visible: Some(VisibleSignature {
            page_index: 0,
            rect: [300.0, 60.0, 545.0, 110.0],
            lines: vec!["Digitally signed by Jane Doe".into(), SIGNING_TIME.into()],
            fonts: None,
        }),
        ..options(url, Duration::from_secs(20))
    };
    let signed = sign(&pdf, &signer(&pki), &visible(&tsa.url)).unwrap();
    let report = verify(&signed).unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(report.level.as_deref(), Some("B-T"));
    // Two requests: the time for the appearance, then the signature timestamp.
    let answers = tsa.answers.lock().unwrap().clone();
    assert_eq!(answers.len(), 2);
    // The field's description (/TU) carries the same lines as the appearance.
    let raw = String::from_utf8_lossy(&signed);
    let at = raw
        .find("Time-stamped ")
        .expect("the TSA time in the visible signature");
    let printed = &raw[at + "Time-stamped ".len()..at + "Time-stamped ".len() + 23];
    assert!(
        raw[at..].starts_with(&format!("Time-stamped {printed} by communique test TSA")),
        "{}",
        &raw[at..at + 80]
    );
    // Not the claimed time; at most a few seconds before the signature's token.
    assert_ne!(printed, communique::sign::format_utc(SIGN_TIME));
    let token_time = report.timestamp_unix.unwrap();
    let printed_ok =
        (token_time - 60..=token_time).any(|t| communique::sign::format_utc(t) == printed);
    assert!(printed_ok, "printed {printed}, token {token_time}");
    drop(tsa);

    // Both answers replayed in order reproduce the file byte for byte.
    let replay = TestTsa::start(&dir.join("replay"), Mode::Sequence(answers), true);
    let again = sign(&pdf, &signer(&pki), &visible(&replay.url)).unwrap();
    assert!(
        again == signed,
        "a replayed TSA session reproduces the file"
    );
    drop(replay);

    let file = dir.join("visible-bt.pdf");
    std::fs::write(&file, &signed).unwrap();
    if require("preflight") {
        let o = preflight(&file);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pdfsig") {
        let o = run("pdfsig", &[file.to_str().unwrap()]);
        assert!(text(&o).contains("Signature is Valid"), "{}", text(&o));
    }
}

//! OCSP for `--ltv`: the responder named in the signer's AIA is asked
//! (`openssl ocsp` behind a loopback server), its answer checked and put in
//! the DSS; a revoked signer is refused with `--strict` and warned about
//! otherwise; a responder that is down or answers garbage falls back to the
//! CRL or fails clearly; `verify` reads the status back from the DSS; and
//! `build --ltv --archive-timestamp` and `batch --tsa` do it in one step.
//! pyHanko confirms the levels with the servers stopped.

mod sign_support;

use std::path::Path;
use std::process::Output;

use sign_support::ocsp::{OcspMode, TestOcsp, make_ocsp_pki};
use sign_support::tools::{preflight, require, run, scratch_dir, text};
use sign_support::tsa::{Mode, TestTsa, closed_port_url};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2020-01-29-copenhagen-political-directors.md"
);

fn communique(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

/// `build` signing with the PKI in `dir`, plus `extra` options.
fn build(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let p = |name: &str| dir.join(name).display().to_string();
    let mut args = vec![
        "build".to_string(),
        SEED.into(),
        "-o".into(),
        p(out),
        "--sign-key".into(),
        p("signer.key"),
        "--sign-cert".into(),
        p("signer.pem"),
        "--sign-chain".into(),
        p("root.pem"),
        "--sign-time".into(),
        "2026-05-14T12:00:00Z".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    communique(&args)
}

fn verify_json(file: &Path, trust: &Path) -> (Option<i32>, serde_json::Value) {
    let o = communique(&[
        "verify",
        "--json",
        "--trust",
        trust.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let json = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    (o.status.code(), json)
}

fn pades_level(file: &Path, roots: &Path) -> String {
    let o = run(
        "python3",
        &[
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
            file.to_str().unwrap(),
            roots.to_str().unwrap(),
        ],
    );
    text(&o)
}

/// Both roots (signer's and TSA's) in one trust file.
fn roots(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("roots.pem");
    let mut pem = std::fs::read_to_string(dir.join("root.pem")).unwrap();
    pem.push_str(&std::fs::read_to_string(dir.join("tsa/tsaroot.pem")).unwrap());
    std::fs::write(&path, pem).unwrap();
    path
}

#[test]
fn good_status_goes_into_the_dss_and_reaches_b_lt_and_b_lta_in_one_build() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-good");
    let ocsp = TestOcsp::start(&dir, OcspMode::Openssl);
    make_ocsp_pki(&dir, "Jane Doe", &ocsp.url, None, None);
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let roots = roots(&dir);

    let o = build(&dir, "lt.pdf", &["--tsa", &tsa.url, "--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    // The TSA's certificate names no responder: said, not fatal.
    assert!(
        text(&o).contains("communique test TSA's certificate names no OCSP responder"),
        "{}",
        text(&o)
    );
    let o = build(
        &dir,
        "lta.pdf",
        &[
            "--tsa",
            &tsa.url,
            "--ltv",
            "--archive-timestamp",
            "--pdfa",
            "a-1b",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        ocsp.answers.lock().unwrap().len(),
        2,
        "one OCSP request per build"
    );
    drop(ocsp);
    drop(tsa);

    for (file, level) in [("lt.pdf", "B-LT"), ("lta.pdf", "B-LTA")] {
        let file = dir.join(file);
        let (code, json) = verify_json(&file, &roots);
        assert_eq!(code, Some(0), "{json}");
        let sig = &json["signatures"][0];
        assert_eq!(sig["level"], level, "{json}");
        assert_eq!(sig["revocation"], "good", "{json}");
        assert_eq!(
            sig["revocation_source"], "an OCSP response signed by communique test OCSP responder",
            "{json}"
        );
        assert_eq!(sig["trusted"], true, "{json}");
        let o = communique(&["verify", file.to_str().unwrap()]);
        assert!(
            text(&o).contains("revocation: good (an OCSP response signed by"),
            "{}",
            text(&o)
        );
        if require("pyhanko") {
            let out = pades_level(&file, &roots);
            assert!(out.contains(&format!("\"level\": \"{level}\"")), "{out}");
        }
    }
    if require("preflight") {
        let o = preflight(&dir.join("lta.pdf"));
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pdfsig") {
        let o = run("pdfsig", &[dir.join("lta.pdf").to_str().unwrap()]);
        assert!(!text(&o).contains("Signature is Invalid"), "{}", text(&o));
    }
}

#[test]
fn revoked_signer_is_refused_with_strict_and_reported_by_verify() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-revoked");
    let ocsp = TestOcsp::start(&dir, OcspMode::Openssl);
    // Revoked on 2026-01-01, before the signing time 2026-05-14.
    make_ocsp_pki(&dir, "Rex Revoked", &ocsp.url, None, Some("260101000000Z"));
    let o = build(&dir, "strict.pdf", &["--ltv", "--strict"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Rex Revoked") && t.contains("2026-01-01") && t.contains(&ocsp.url),
        "{t}"
    );
    assert!(!dir.join("strict.pdf").exists());

    let o = build(&dir, "warned.pdf", &["--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("warning: the certificate of Rex Revoked was revoked at 2026-01-01"),
        "{}",
        text(&o)
    );
    drop(ocsp);
    let file = dir.join("warned.pdf");
    let (code, json) = verify_json(&file, &dir.join("root.pem"));
    assert_eq!(code, Some(1), "{json}");
    let sig = &json["signatures"][0];
    assert_eq!(sig["revocation"], "revoked", "{json}");
    assert_eq!(sig["valid"], false, "{json}");
    assert_eq!(sig["revoked_certificate"], "Rex Revoked", "{json}");
    let o = communique(&["verify", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("NOT VALID: the certificate of Rex Revoked was revoked at 2026-01-01"),
        "{}",
        text(&o)
    );
}

#[test]
fn revoked_after_signing_is_reported_but_valid() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-revoked-later");
    let ocsp = TestOcsp::start(&dir, OcspMode::Openssl);
    // Revoked on 2026-06-01, after the signing time 2026-05-14.
    make_ocsp_pki(&dir, "Late Revoked", &ocsp.url, None, Some("260601000000Z"));
    let o = build(&dir, "later.pdf", &["--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    drop(ocsp);
    let (code, json) = verify_json(&dir.join("later.pdf"), &dir.join("root.pem"));
    assert_eq!(code, Some(0), "{json}");
    let sig = &json["signatures"][0];
    assert_eq!(sig["revocation"], "revoked", "{json}");
    assert_eq!(sig["valid"], true, "{json}");
    assert_eq!(sig["revoked_at_unix"], 1_780_272_000, "{json}");
}

#[test]
fn responder_down_falls_back_to_the_crl() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-down");
    let crl_server = TestOcsp::start(&dir, OcspMode::Openssl);
    let down = closed_port_url();
    make_ocsp_pki(&dir, "Jane Doe", &down, Some(&crl_server.crl_url), None);
    let o = build(&dir, "crl.pdf", &["--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("warning: OCSP for Jane Doe: {down}"))
            && text(&o).contains("using the CRL instead"),
        "{}",
        text(&o)
    );
    drop(crl_server);
    let (code, json) = verify_json(&dir.join("crl.pdf"), &dir.join("root.pem"));
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["signatures"][0]["revocation"], "good", "{json}");
    assert_eq!(
        json["signatures"][0]["revocation_source"], "the CRL of communique test OCSP root",
        "{json}"
    );

    // No CRL to fall back to: a clear error, nothing written.
    let dir = scratch_dir("sign-ocsp-down-no-crl");
    make_ocsp_pki(&dir, "Jane Doe", &down, None, None);
    let o = build(&dir, "none.pdf", &["--ltv"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("no revocation data") && text(&o).contains("connection refused"),
        "{}",
        text(&o)
    );
    assert!(!dir.join("none.pdf").exists());
}

#[test]
fn garbage_from_the_responder_is_a_clear_error() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-garbage");
    let ocsp = TestOcsp::start(&dir, OcspMode::Fixed(b"<html>busy</html>".to_vec()));
    make_ocsp_pki(&dir, "Jane Doe", &ocsp.url, None, None);
    let o = build(&dir, "garbage.pdf", &["--ltv"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("the answer is not an OCSP response"),
        "{}",
        text(&o)
    );
    assert!(!dir.join("garbage.pdf").exists());
    // A real response about another certificate (the responder's own CA
    // answering for a different serial) is refused as well.
    let other = scratch_dir("sign-ocsp-garbage-other");
    let good = TestOcsp::start(&other, OcspMode::Openssl);
    make_ocsp_pki(&other, "Someone Else", &good.url, None, None);
    let o = build(&other, "ok.pdf", &["--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    let foreign = good.answers.lock().unwrap()[0].clone();
    drop(good);
    let replay = TestOcsp::start(&dir.join("replay"), OcspMode::Fixed(foreign));
    let dir2 = scratch_dir("sign-ocsp-garbage-replay");
    make_ocsp_pki(&dir2, "Jane Doe", &replay.url, None, None);
    let o = build(&dir2, "foreign.pdf", &["--ltv"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("the response is not about certificate 1001"),
        "{}",
        text(&o)
    );
}

#[test]
fn batch_timestamps_every_file() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-batch");
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let ocsp = TestOcsp::start(&dir, OcspMode::Openssl);
    make_ocsp_pki(&dir, "Jane Doe", &ocsp.url, None, None);
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for name in [
        "2020-01-29-copenhagen-political-directors.md",
        "2024-06-05-form-a-ministerial.md",
    ] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("statements")
                .join(name),
            inputs.join(name),
        )
        .unwrap();
    }
    let p = |name: &str| dir.join(name).display().to_string();
    let batch = |out: &str, extra: &[&str]| {
        let (input, out) = (p("in"), p(out));
        let (key, cert, chain) = (p("signer.key"), p("signer.pem"), p("root.pem"));
        let mut args = vec![
            "batch",
            &input,
            "--out",
            &out,
            "--sign-key",
            &key,
            "--sign-cert",
            &cert,
            "--sign-chain",
            &chain,
            "--sign-time",
            "2026-05-14T12:00:00Z",
            "--tsa",
            &tsa.url,
        ];
        args.extend(extra);
        communique(&args)
    };
    let o = batch("out", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(tsa.answers.lock().unwrap().len(), 2, "one token per file");
    let o = batch("out-lta", &["--ltv", "--archive-timestamp"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        tsa.answers.lock().unwrap().len(),
        6,
        "a signature timestamp and a document timestamp per file"
    );
    drop(tsa);
    drop(ocsp);
    let manifest = std::fs::read_to_string(dir.join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"tsa\""), "{manifest}");
    let manifest = std::fs::read_to_string(dir.join("out-lta/manifest.json")).unwrap();
    assert!(manifest.contains("\"ltv\": true"), "{manifest}");
    let roots = roots(&dir);
    for name in [
        "2020-01-29-copenhagen-political-directors.pdf",
        "2024-06-05-form-a-ministerial.pdf",
    ] {
        for (out, level) in [("out", "B-T"), ("out-lta", "B-LTA")] {
            let file = dir.join(out).join(name);
            let (code, json) = verify_json(&file, &roots);
            assert_eq!(code, Some(0), "{json}");
            assert_eq!(json["signatures"][0]["level"], level, "{json}");
        }
    }
    if require("pyhanko") {
        let file = dir.join("out-lta/2024-06-05-form-a-ministerial.pdf");
        let out = pades_level(&file, &roots);
        assert!(out.contains("\"level\": \"B-LTA\""), "{out}");
    }
    // A TSA without a signature is refused before any work.
    let o = communique(&[
        "batch",
        &p("in"),
        "--out",
        &p("out2"),
        "--tsa",
        "http://127.0.0.1:9/",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn extend_asks_an_issuer_signed_responder_and_checks_given_responses() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-extend");
    let ocsp = TestOcsp::start(&dir, OcspMode::IssuerSigned);
    make_ocsp_pki(&dir, "Jane Doe", &ocsp.url, None, None);
    let o = build(&dir, "bb.pdf", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let p = |name: &str| dir.join(name).display().to_string();
    let o = communique(&["extend", &p("bb.pdf"), "-o", &p("lt.pdf"), "--ltv"]);
    assert!(o.status.success(), "{}", text(&o));
    drop(ocsp);
    let (code, json) = verify_json(&dir.join("lt.pdf"), &dir.join("root.pem"));
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(
        json["signatures"][0]["revocation_source"],
        "an OCSP response signed by communique test OCSP root",
        "{json}"
    );
    // Offline: a response given as a file saying "revoked" is judged too.
    let revoked = scratch_dir("sign-ocsp-extend-revoked");
    make_ocsp_pki(
        &revoked,
        "Jane Doe",
        "http://127.0.0.1:9/",
        None,
        Some("260101000000Z"),
    );
    // Same names, other keys: sign with this PKI, answer from its CA.
    let o = build(&revoked, "bb.pdf", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let answer = sign_support::ocsp::openssl_response(&revoked, false);
    std::fs::write(revoked.join("answer.der"), answer).unwrap();
    let r = |name: &str| revoked.join(name).display().to_string();
    let o = communique(&[
        "extend",
        &r("bb.pdf"),
        "-o",
        &r("lt.pdf"),
        "--ltv",
        "--ocsp",
        &r("answer.der"),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("was revoked at 2026-01-01 00:00:00 UTC (according to an OCSP response signed by communique test OCSP responder)"),
        "{}",
        text(&o)
    );
    assert!(!revoked.join("lt.pdf").exists());
    // Without --strict: a warning, a file, and verify says NOT VALID.
    let o = communique(&[
        "extend",
        &r("bb.pdf"),
        "-o",
        &r("lt2.pdf"),
        "--ltv",
        "--ocsp",
        &r("answer.der"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("warning: the certificate of Jane Doe was revoked"),
        "{}",
        text(&o)
    );
    let (code, _) = verify_json(&revoked.join("lt2.pdf"), &revoked.join("root.pem"));
    assert_eq!(code, Some(1));
}

#[test]
fn revocation_data_for_other_certificates_is_not_b_lt() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-unrelated");
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    make_ocsp_pki(&dir, "Jane Doe", "http://127.0.0.1:9/", None, None);
    let o = build(&dir, "bt.pdf", &["--tsa", &tsa.url]);
    assert!(o.status.success(), "{}", text(&o));
    drop(tsa);
    let p = |name: &str| dir.join(name).display().to_string();
    // Only the TSA root's CRL: nothing about the signer.
    let o = communique(&[
        "extend",
        &p("bt.pdf"),
        "-o",
        &p("dss.pdf"),
        "--ltv",
        "--crl",
        &p("tsa/tsaroot.crl"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let (code, json) = verify_json(&dir.join("dss.pdf"), &roots(&dir));
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["signatures"][0]["revocation"], "unknown", "{json}");
    assert_eq!(json["signatures"][0]["level"], "B-T", "{json}");
    // The signer's own CRL: B-LT.
    let o = communique(&[
        "extend",
        &p("bt.pdf"),
        "-o",
        &p("lt.pdf"),
        "--ltv",
        "--crl",
        &p("root.crl"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let (_, json) = verify_json(&dir.join("lt.pdf"), &roots(&dir));
    assert_eq!(json["signatures"][0]["revocation"], "good", "{json}");
    assert_eq!(json["signatures"][0]["level"], "B-LT", "{json}");
}

/// A batch signed again against a TSA that replays its earlier answer
/// gives the same bytes: the nonce comes from the signed data, not the clock.
#[test]
fn batch_with_a_replayed_timestamp_is_reproducible() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ocsp-batch-replay");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(SEED, inputs.join("one.md")).unwrap();
    make_ocsp_pki(&dir, "Jane Doe", "http://127.0.0.1:9/", None, None);
    let p = |name: &str| dir.join(name).display().to_string();
    let batch = |out: &str, tsa: &str| {
        communique(&[
            "batch",
            &p("in"),
            "--out",
            &p(out),
            "--sign-key",
            &p("signer.key"),
            "--sign-cert",
            &p("signer.pem"),
            "--sign-time",
            "2026-05-14T12:00:00Z",
            "--tsa",
            tsa,
        ])
    };
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let o = batch("first", &tsa.url);
    assert!(o.status.success(), "{}", text(&o));
    let answer = tsa.answers.lock().unwrap()[0].clone();
    drop(tsa);
    let replay = TestTsa::start(&dir.join("tsa-replay"), Mode::Fixed(answer), true);
    let o = batch("second", &replay.url);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(dir.join("first/one.pdf")).unwrap(),
        std::fs::read(dir.join("second/one.pdf")).unwrap()
    );
}

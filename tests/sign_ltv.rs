//! Long-term validation: a DSS with certificates and CRLs (B-LT) and a
//! document timestamp after it (B-LTA), at signing time and with `extend`
//! on a file signed earlier; pyHanko confirms the level offline.

mod sign_support;

use std::time::Duration;

use communique::sign::{LtvOptions, SignOptions, Signer, TsaConfig, extend, sign, verify_all};
use sign_support::SIGN_TIME;
use sign_support::pdfgen::{Profile, make_pdf};
use sign_support::tools::{preflight, require, run, scratch_dir, text};
use sign_support::tsa::{Mode, TestTsa, make_signer_with_crl};

#[test]
fn extend_to_b_lta_with_crl_files() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ltv");
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let root_pem = make_signer_with_crl(&dir, "Jane Doe");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
    let signer =
        Signer::from_pem(&read("signer.key"), &read("signer.pem"), Some(&root_pem)).unwrap();
    let tsa_config = TsaConfig {
        url: tsa.url.clone(),
        credentials: None,
        timeout: Duration::from_secs(20),
    };
    let options = SignOptions {
        time_unix: SIGN_TIME,
        tsa: Some(tsa_config.clone()),
        ..SignOptions::default()
    };
    let signed = sign(&make_pdf(Profile::A1b, 1), &signer, &options).unwrap();
    let ltv = LtvOptions {
        crls: vec![
            std::fs::read(dir.join("root.crl")).unwrap(),
            std::fs::read(dir.join("tsa/tsaroot.crl")).unwrap(),
        ],
        ocsps: Vec::new(),
        fetch: None,
        strict: false,
    };
    let lt = extend(&signed, Some(&ltv), None).unwrap();
    let all = verify_all(&lt).unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].valid, "{all:?}");
    assert_eq!(all[0].level.as_deref(), Some("B-LT"));

    let lta = extend(&signed, Some(&ltv), Some(&tsa_config)).unwrap();
    drop(tsa);
    let all = verify_all(&lta).unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|r| r.valid), "{all:?}");
    assert_eq!(all[0].level.as_deref(), Some("B-LTA"));
    assert_eq!(all[1].kind, "document timestamp");

    let file = dir.join("lta.pdf");
    std::fs::write(&file, &lta).unwrap();
    if require("pdfsig") {
        let o = run("pdfsig", &[file.to_str().unwrap()]);
        assert!(!text(&o).contains("Signature is Invalid"), "{}", text(&o));
    }
    if require("preflight") {
        let o = preflight(&file);
        assert!(text(&o).contains("is a valid PDF/A-1b"), "{}", text(&o));
    }
    if require("pyhanko") {
        let roots = dir.join("roots.pem");
        std::fs::write(&roots, format!("{root_pem}{}", read("tsa/tsaroot.pem"))).unwrap();
        let o = run(
            "python3",
            &[
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
                file.to_str().unwrap(),
                roots.to_str().unwrap(),
            ],
        );
        assert!(text(&o).contains("\"level\": \"B-LTA\""), "{}", text(&o));
    }
}

fn communique(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

#[test]
fn extend_from_the_command_line() {
    if !require("openssl") {
        return;
    }
    let dir = scratch_dir("sign-ltv-cli");
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    make_signer_with_crl(&dir, "Jane Doe");
    let p = |name: &str| dir.join(name).display().to_string();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/statements/2020-01-29-copenhagen-political-directors.md"
    );
    let o = communique(&[
        "build",
        seed,
        "-o",
        &p("bt.pdf"),
        "--sign-key",
        &p("signer.key"),
        "--sign-cert",
        &p("signer.pem"),
        "--sign-chain",
        &p("root.pem"),
        "--sign-time",
        "2026-05-14T12:00:00Z",
        "--tsa",
        &tsa.url,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&[
        "extend",
        &p("bt.pdf"),
        "-o",
        &p("lta.pdf"),
        "--ltv",
        "--crl",
        &p("root.crl"),
        "--crl",
        &p("tsa/tsaroot.crl"),
        "--archive-timestamp",
        "--tsa",
        &tsa.url,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = communique(&["verify", &p("lta.pdf")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("PAdES B-LTA"), "{}", text(&o));
    assert!(
        text(&o).contains("later:     LTA updates (a DSS, document timestamps)"),
        "{}",
        text(&o)
    );
    // A tagged file: the archive timestamp's invisible widget adds no structure element, so
    // pyHanko sees LTA updates and still judges the signature valid.
    if require("pyhanko") {
        std::fs::write(
            dir.join("roots.pem"),
            format!(
                "{}{}",
                std::fs::read_to_string(dir.join("root.pem")).unwrap(),
                std::fs::read_to_string(dir.join("tsa/tsaroot.pem")).unwrap()
            ),
        )
        .unwrap();
        let o = run(
            "python3",
            &[
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
                &p("lta.pdf"),
                &p("roots.pem"),
            ],
        );
        let out = text(&o);
        assert!(out.contains("\"level\": \"B-LTA\""), "{out}");
        assert!(out.contains("ModificationLevel.LTA_UPDATES"), "{out}");
    }
    // Nothing to do, and a TSA that is down: errors, nothing written.
    let o = communique(&["extend", &p("bt.pdf"), "-o", &p("none.pdf")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    drop(tsa);
    let down = sign_support::tsa::closed_port_url();
    let o = communique(&[
        "extend",
        &p("bt.pdf"),
        "-o",
        &p("down.pdf"),
        "--archive-timestamp",
        "--tsa",
        &down,
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(!dir.join("none.pdf").exists() && !dir.join("down.pdf").exists());
}

/// A file signed (B-T, with validation info) and LTA-updated by pyHanko, with
/// its xref streams and its own DSS: `verify` reads every signature and
/// document timestamp, and `extend` adds to pyHanko's DSS.
#[test]
fn reads_a_file_lta_extended_by_pyhanko() {
    if !require("openssl") || !require("pyhanko") {
        return;
    }
    let dir = scratch_dir("sign-ltv-pyhanko");
    let tsa = TestTsa::start(&dir.join("tsa"), Mode::Openssl, true);
    let root_pem = make_signer_with_crl(&dir, "Py Hanko");
    let p = |name: &str| dir.join(name).display().to_string();
    std::fs::write(dir.join("original.pdf"), make_pdf(Profile::A2aUa1, 1)).unwrap();
    std::fs::write(
        dir.join("roots.pem"),
        format!(
            "{root_pem}{}",
            std::fs::read_to_string(dir.join("tsa/tsaroot.pem")).unwrap()
        ),
    )
    .unwrap();
    let o = run(
        "pyhanko",
        &[
            "sign",
            "addsig",
            "--field",
            "Sig1",
            "--use-pades",
            "--timestamp-url",
            &tsa.url,
            "pemder",
            "--key",
            &p("signer.key"),
            "--cert",
            &p("signer.pem"),
            "--chain",
            &p("root.pem"),
            "--no-pass",
            &p("original.pdf"),
            &p("signed.pdf"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        "pyhanko",
        &[
            "sign",
            "ltaupdate",
            "--timestamp-url",
            &tsa.url,
            "--trust",
            &p("roots.pem"),
            &p("signed.pdf"),
        ],
    );
    let signed = std::fs::read(dir.join("signed.pdf")).unwrap();
    let all = verify_all(&signed).unwrap();
    assert!(all.iter().all(|r| r.valid), "{all:?}\n{}", text(&o));
    assert_eq!(all[0].signer_name.as_deref(), Some("Py Hanko"));
    assert_eq!(
        all[0].timestamp_authority.as_deref(),
        Some("communique test TSA")
    );
    if o.status.success() {
        assert!(
            all.iter().any(|r| r.kind == "document timestamp"),
            "{all:?}"
        );
    } else {
        eprintln!(
            "pyhanko ltaupdate refused (no DSS to update?): {}",
            text(&o)
        );
    }
    // Our extend on top of pyHanko's file.
    let ltv = LtvOptions {
        crls: vec![
            std::fs::read(dir.join("root.crl")).unwrap(),
            std::fs::read(dir.join("tsa/tsaroot.crl")).unwrap(),
        ],
        ocsps: Vec::new(),
        fetch: None,
        strict: false,
    };
    let tsa_config = TsaConfig {
        url: tsa.url.clone(),
        credentials: None,
        timeout: Duration::from_secs(20),
    };
    let extended = extend(&signed, Some(&ltv), Some(&tsa_config)).unwrap();
    let all = verify_all(&extended).unwrap();
    assert!(all.iter().all(|r| r.valid), "{all:?}");
    assert_eq!(all[0].level.as_deref(), Some("B-LTA"));
}

#[test]
fn verify_trust_follows_the_chain_to_the_given_root() {
    let dir = scratch_dir("sign-trust");
    let root_pem = make_signer_with_crl(&dir, "Jane Doe");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
    // The chain is not in the CMS: the root must come from --trust.
    let signer = Signer::from_pem(&read("signer.key"), &read("signer.pem"), None).unwrap();
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let signed = sign(&make_pdf(Profile::A2aUa1, 1), &signer, &options).unwrap();
    let file = dir.join("signed.pdf");
    std::fs::write(&file, &signed).unwrap();
    let f = file.to_str().unwrap();
    let o = communique(&[
        "verify",
        "--trust",
        dir.join("root.pem").to_str().unwrap(),
        f,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("a chain to a trust anchor"),
        "{}",
        text(&o)
    );
    // Another root: not trusted, exit 1.
    let other = scratch_dir("sign-trust-other");
    make_signer_with_crl(&other, "Someone");
    let o = communique(&[
        "verify",
        "--json",
        "--trust",
        other.join("root.pem").to_str().unwrap(),
        f,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["signatures"][0]["trusted"], false);
    assert!(root_pem.contains("BEGIN CERTIFICATE"));
}

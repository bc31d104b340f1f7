//! Signing from the command line: every bad signing input is a clear error, exit status 5 (or
//! 3 for an unreadable file), and nothing is written; the password never appears in output.

mod sign_support;

use std::path::Path;
use std::process::{Command, Output};

use sign_support::certs::{KeyKind, make_pkcs12, make_pki, other_rsa_pkcs8_pem};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2020-01-29-copenhagen-political-directors.md"
);

fn build(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Output, bool) {
    let out = dir.join("out.pdf");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_communique"));
    cmd.args([
        "build",
        SEED,
        "-o",
        out.to_str().unwrap(),
        "--sign-time",
        "2030-01-01",
    ])
    .args(extra)
    .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    (output, out.exists())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn pkcs12_passwords() {
    let tmp = tempfile::TempDir::new().unwrap();
    let pki = make_pki(KeyKind::P256, "Press Office", false);
    let p12 = tmp.path().join("id.p12");
    std::fs::write(&p12, make_pkcs12(&pki, "s3cret-pass")).unwrap();
    let p12 = p12.to_str().unwrap();

    let (o, written) = build(
        tmp.path(),
        &["--sign", p12, "--sign-password-env", "PW"],
        &[("PW", "wrong")],
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrong password"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong\n") && !written);

    let (o, written) = build(tmp.path(), &["--sign", p12], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("needs a password") && !written,
        "{}",
        stderr(&o)
    );

    let pw = tmp.path().join("pw.txt");
    std::fs::write(&pw, "s3cret-pass\n").unwrap();
    let (o, written) = build(
        tmp.path(),
        &["--sign", p12, "--sign-password-file", pw.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(written);
    assert!(!stderr(&o).contains("s3cret-pass"));
}

#[test]
fn corrupt_pkcs12_mismatched_key_and_missing_files() {
    let tmp = tempfile::TempDir::new().unwrap();
    let bad = tmp.path().join("bad.p12");
    std::fs::write(&bad, b"not a pkcs12 file").unwrap();
    let (o, written) = build(
        tmp.path(),
        &["--sign", bad.to_str().unwrap(), "--sign-password-env", "PW"],
        &[("PW", "x")],
    );
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("PKCS#12") && !written, "{}", stderr(&o));

    let pki = make_pki(KeyKind::Rsa2048, "Press Office", false);
    let key = tmp.path().join("other.pem");
    let cert = tmp.path().join("cert.pem");
    std::fs::write(&key, other_rsa_pkcs8_pem()).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let (o, written) = build(
        tmp.path(),
        &[
            "--sign-key",
            key.to_str().unwrap(),
            "--sign-cert",
            cert.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stderr(&o).contains("does not match") && !written,
        "{}",
        stderr(&o)
    );

    let (o, written) = build(
        tmp.path(),
        &[
            "--sign-key",
            "/nonexistent/k.pem",
            "--sign-cert",
            cert.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/nonexistent/k.pem") && !written);
}

#[test]
fn expired_certificates_warn_unless_strict() {
    let tmp = tempfile::TempDir::new().unwrap();
    let pki = make_pki(KeyKind::P256, "Press Office", true);
    let key = tmp.path().join("key.pem");
    let cert = tmp.path().join("cert.pem");
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let args = [
        "--sign-key",
        key.to_str().unwrap(),
        "--sign-cert",
        cert.to_str().unwrap(),
    ];
    let (o, written) = build(tmp.path(), &args, &[]);
    assert!(o.status.success() && written, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning:") && stderr(&o).contains("expired"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(tmp.path().join("out.pdf")).unwrap();
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (o, written) = build(tmp.path(), &strict, &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(!written);
}

#[test]
fn signing_needs_a_time() {
    let tmp = tempfile::TempDir::new().unwrap();
    let pki = make_pki(KeyKind::P256, "Press Office", false);
    let key = tmp.path().join("key.pem");
    let cert = tmp.path().join("cert.pem");
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let out = tmp.path().join("out.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(["build", SEED, "-o", out.to_str().unwrap()])
        .args([
            "--sign-key",
            key.to_str().unwrap(),
            "--sign-cert",
            cert.to_str().unwrap(),
        ])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("signing needs a time"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn an_unreachable_tsa_fails_the_build_with_exit_5_and_writes_nothing() {
    let tmp = tempfile::TempDir::new().unwrap();
    let pki = make_pki(KeyKind::P256, "Press Office", false);
    let key = tmp.path().join("key.pem");
    let cert = tmp.path().join("cert.pem");
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let url = sign_support::tsa::closed_port_url();
    let (o, written) = build(
        tmp.path(),
        &[
            "--sign-key",
            key.to_str().unwrap(),
            "--sign-cert",
            cert.to_str().unwrap(),
            "--tsa",
            &url,
            "--tsa-credentials-env",
            "TSA_AUTH",
            "--tsa-timeout",
            "2",
        ],
        &[("TSA_AUTH", "user:s3cret-tsa-pass")],
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("connection refused"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret"));
    assert!(!written);
    // A timestamp without a signature is an input error.
    let (o, written) = build(tmp.path(), &["--tsa", &url], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!written);
}

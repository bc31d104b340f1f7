//! `batch` signs with the same options as `build`: same bytes as `build`, valid signatures,
//! and a change of certificate or time rebuilds.

mod sign_support;

use std::path::Path;
use std::process::Command;

use sign_support::certs::{KeyKind, make_pki};

fn communique(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_signed_batch_matches_signed_builds_and_tracks_its_signature() {
    let tmp = tempfile::TempDir::new().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/statements/2020-01-29-copenhagen-political-directors.md"
    );
    std::fs::copy(seed, input.join("seed.md")).unwrap();
    let pki = make_pki(KeyKind::P256, "Press Office", false);
    let key = tmp.path().join("key.pem");
    let cert = tmp.path().join("cert.pem");
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    std::fs::write(&cert, &pki.leaf_cert_pem).unwrap();
    let out = tmp.path().join("out");
    let sign = ["--sign-key", path(&key), "--sign-cert", path(&cert)];
    let time = "2030-01-01T00:00:00Z";

    let mut args = vec![
        "batch",
        path(&input),
        "--out",
        path(&out),
        "--sign-time",
        time,
    ];
    args.extend(sign);
    let o = communique(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let batched = out.join("seed.pdf");

    let single = tmp.path().join("single.pdf");
    let statement = input.join("seed.md");
    let mut build = vec!["build", path(&statement), "-o", path(&single)];
    build.extend(["--sign-time", time]);
    build.extend(sign);
    let o = communique(&build);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(&batched).unwrap(),
        std::fs::read(&single).unwrap()
    );

    let o = communique(&["verify", path(&batched)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));

    // Same signature inputs: unchanged. Another time: rebuilt, and --check sees the new bytes.
    let o = communique(&args);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unchanged 1"));
    let mut later = args.clone();
    later[5] = "2030-01-02T00:00:00Z";
    let o = communique(&later);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("built 1"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut check = later.clone();
    check.push("--check");
    assert!(communique(&check).status.success());
}

#[test]
fn a_bad_signing_option_stops_the_batch_before_it_writes() {
    let tmp = tempfile::TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/statements/2020-01-29-copenhagen-political-directors.md"
    );
    let o = communique(&[
        "batch",
        seed,
        "--out",
        path(&out),
        "--sign-key",
        "/nonexistent/key.pem",
        "--sign-cert",
        "/nonexistent/cert.pem",
        "--sign-time",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/key.pem"));
    assert!(!out.exists());
}

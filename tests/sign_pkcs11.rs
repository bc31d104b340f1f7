//! Signing with a key on a PKCS#11 token: SoftHSM2 holds an RSA-2048 and an ECDSA P-256 key
//! (imported with `softhsm2-util`), each test in its own token directory. `build`, `sign`
//! (co-signing) and `batch` sign with them; our verify, pdfsig and pyHanko accept the result.
//! Every bad token input is a clear error, exit 5 (2 for a bad option), with nothing written
//! and the PIN never printed.

mod sign_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use communique::sign::verify_all;
use sign_support::certs::{KeyKind, TestPki, make_pki};
use sign_support::tools::{require, run, scratch_dir, text};
use sign_support::tsa::{Mode, TestTsa};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// Distinctive, so that finding it in any output is a real leak.
const PIN: &str = "604817";
const WRONG_PIN: &str = "913372";
const SO_PIN: &str = "5678";
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/statements/2020-01-29-copenhagen-political-directors.md"
);
const SIGN_TIME: &str = "2026-05-14T12:00:00Z";

/// A SoftHSM2 token store of one test, with one token labelled `T`.
struct Hsm {
    dir: PathBuf,
    conf: PathBuf,
}

impl Hsm {
    /// A fresh store and token, or `None` (after a loud notice) when SoftHSM2 is not
    /// installed; under CI=true that is a failure.
    fn new(name: &str) -> Option<Hsm> {
        if !require("softhsm2-util") {
            return None;
        }
        assert!(
            Path::new(MODULE).exists(),
            "softhsm2-util is installed but {MODULE} is not (package softhsm2)"
        );
        let dir = scratch_dir(name);
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let hsm = Hsm { dir, conf };
        hsm.util(&[
            "--init-token",
            "--free",
            "--label",
            "T",
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]);
        Some(hsm)
    }

    fn util(&self, args: &[&str]) {
        let o = Command::new("softhsm2-util")
            .args(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .output()
            .unwrap();
        assert!(o.status.success(), "softhsm2-util {args:?}: {}", text(&o));
    }

    /// Import a PKCS#8 PEM key pair as `label` with CKA_ID `id` (hex).
    fn import_key(&self, key_pem: &str, label: &str, id: &str) {
        let file = self.dir.join(format!("{label}.pk8.pem"));
        std::fs::write(&file, key_pem).unwrap();
        self.util(&[
            "--import",
            file.to_str().unwrap(),
            "--token",
            "T",
            "--label",
            label,
            "--id",
            id,
            "--pin",
            PIN,
        ]);
        std::fs::remove_file(&file).unwrap();
    }

    /// Put a certificate object with CKA_ID `id` (hex) on the token. softhsm2-util cannot,
    /// so a child process (this test binary, running `helper_token_object`) does it with
    /// cryptoki: SoftHSM reads SOFTHSM2_CONF once per process.
    fn store_certificate(&self, cert_der: &[u8], id: &str) {
        let file = self.dir.join(format!("cert-{id}.der"));
        std::fs::write(&file, cert_der).unwrap();
        self.helper(&[
            ("P11_HELPER_CERT", file.to_str().unwrap()),
            ("P11_HELPER_ID", id),
        ]);
    }

    /// Put the P-256 key `key_pem` (PKCS#8) on the token as `label`, demanding the PIN
    /// before each signature (CKA_ALWAYS_AUTHENTICATE), as qualified-signature smartcards
    /// do. The attribute is fixed once the object exists, so the key is created with it.
    fn import_always_authenticate(&self, key_pem: &str, label: &str) {
        let file = self.dir.join(format!("{label}.pk8.pem"));
        std::fs::write(&file, key_pem).unwrap();
        self.helper(&[
            ("P11_HELPER_ALWAYS_AUTHENTICATE", file.to_str().unwrap()),
            ("P11_HELPER_LABEL", label),
        ]);
        std::fs::remove_file(&file).unwrap();
    }

    fn helper(&self, env: &[(&str, &str)]) {
        let o = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "helper_token_object",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SOFTHSM2_CONF", &self.conf)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            o.status.success() && text(&o).contains("1 passed"),
            "{}",
            text(&o)
        );
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, contents).unwrap();
        p.display().to_string()
    }

    /// Run communique against this store, with the PIN in `PIN_VAR`.
    fn communique(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_communique"))
            .args(args)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("SOFTHSM2_CONF", &self.conf)
            .env("PIN_VAR", PIN)
            .env("WRONG_PIN_VAR", WRONG_PIN)
            .output()
            .unwrap()
    }
}

fn hex(id: &str) -> Vec<u8> {
    (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
        .collect()
}

/// Not a test: the child process of [`Hsm::store_certificate`] and
/// [`Hsm::always_authenticate`].
#[test]
#[ignore = "helper process for the SoftHSM tests (changes objects on a token)"]
fn helper_token_object() {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, CertificateType, ObjectClass};
    use cryptoki::session::UserType;
    use der::{Decode, Encode};

    let ctx = Pkcs11::new(MODULE).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).is_ok_and(|i| i.label() == "T"))
        .expect("token T");
    let session = ctx.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&PIN.to_string().into()))
        .unwrap();
    if let Ok(file) = std::env::var("P11_HELPER_ALWAYS_AUTHENTICATE") {
        use cryptoki::object::KeyType;
        let pem = std::fs::read_to_string(file).unwrap();
        let (_, der) = der::pem::decode_vec(pem.trim().as_bytes()).unwrap();
        let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_slice()).unwrap();
        let label = std::env::var("P11_HELPER_LABEL").unwrap();
        let mut template = vec![
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Sign(true),
            Attribute::AlwaysAuthenticate(true),
            Attribute::Label(label.into_bytes()),
            Attribute::Id(vec![0x0a]),
        ];
        let private_key = info.private_key.as_bytes();
        if let Ok(ec) = sec1::EcPrivateKey::try_from(private_key) {
            template.extend([
                Attribute::KeyType(KeyType::EC),
                // DER of the P-256 OID.
                Attribute::EcParams(vec![
                    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
                ]),
                Attribute::Value(ec.private_key.to_vec()),
            ]);
        } else {
            let rsa = rsa::pkcs1::RsaPrivateKeyRef::try_from(private_key).unwrap();
            template.extend([
                Attribute::KeyType(KeyType::RSA),
                Attribute::Modulus(rsa.modulus.as_bytes().to_vec()),
                Attribute::PublicExponent(rsa.public_exponent.as_bytes().to_vec()),
                Attribute::PrivateExponent(rsa.private_exponent.as_bytes().to_vec()),
                Attribute::Prime1(rsa.prime1.as_bytes().to_vec()),
                Attribute::Prime2(rsa.prime2.as_bytes().to_vec()),
                Attribute::Exponent1(rsa.exponent1.as_bytes().to_vec()),
                Attribute::Exponent2(rsa.exponent2.as_bytes().to_vec()),
                Attribute::Coefficient(rsa.coefficient.as_bytes().to_vec()),
            ]);
        }
        session.create_object(&template).unwrap();
        session.logout().unwrap();
        drop(session);
        ctx.finalize().unwrap();
        return;
    }
    let cert = std::fs::read(std::env::var("P11_HELPER_CERT").unwrap()).unwrap();
    let id = hex(&std::env::var("P11_HELPER_ID").unwrap());
    let parsed = x509_cert::Certificate::from_der(&cert).unwrap();
    let subject = parsed.tbs_certificate().subject().to_der().unwrap();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Label(b"certificate".to_vec()),
            Attribute::Id(id),
            Attribute::Subject(subject),
            Attribute::Value(cert),
        ])
        .unwrap();
    session.logout().unwrap();
    drop(session);
    ctx.finalize().unwrap();
}

/// The token's two keys: `rsa` (CKA_ID 01, its certificate on the token) and `ec` (CKA_ID
/// 02, no certificate on the token: it comes with --sign-cert).
struct Keys {
    rsa: TestPki,
    ec: TestPki,
}

fn standard_keys(hsm: &Hsm) -> Keys {
    let rsa = make_pki(KeyKind::Rsa2048, "Token Official", false);
    let ec = make_pki(KeyKind::P256, "EC Token Official", false);
    hsm.import_key(&rsa.leaf_key_pem, "rsa", "01");
    hsm.store_certificate(&rsa.leaf_cert_der, "01");
    hsm.import_key(&ec.leaf_key_pem, "ec", "02");
    Keys { rsa, ec }
}

fn token_args(key: &str) -> Vec<&str> {
    vec![
        "--pkcs11-module",
        MODULE,
        "--token",
        "T",
        "--key",
        key,
        "--sign-time",
        SIGN_TIME,
    ]
}

fn assert_no_pin(o: &Output) {
    let all = text(o);
    assert!(
        !all.contains(PIN) && !all.contains(WRONG_PIN),
        "the PIN appears in the output: {all}"
    );
}

fn pdfsig_valid(file: &Path, count: usize) {
    if require("pdfsig") {
        let o = run("pdfsig", &[file.to_str().unwrap()]);
        assert_eq!(
            text(&o)
                .matches("Signature Validation: Signature is Valid.")
                .count(),
            count,
            "{}",
            text(&o)
        );
    }
}

/// pyHanko's verdict per signature (`tests/tools/pades_level.py`), trusting `roots`.
fn pades_levels(file: &Path, roots: &[&str]) -> Option<String> {
    if !require("pyhanko") {
        return None;
    }
    let trust = file.with_extension("roots.pem");
    std::fs::write(&trust, roots.concat()).unwrap();
    let o = run(
        "python3",
        &[
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pades_level.py"),
            file.to_str().unwrap(),
            trust.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    Some(text(&o))
}

/// The byte range of the first signature's /Contents hex string.
fn contents_range(pdf: &[u8]) -> std::ops::Range<usize> {
    let at = pdf
        .windows(11)
        .position(|w| w == b"/Contents <")
        .expect("/Contents");
    let start = at + 11;
    let len = pdf[start..].iter().position(|&b| b == b'>').unwrap();
    start..start + len
}

#[test]
fn rsa_token_key_with_its_token_certificate_signs_reproducibly() {
    let Some(hsm) = Hsm::new("pkcs11-rsa") else {
        return;
    };
    let keys = standard_keys(&hsm);
    let one = hsm.dir.join("one.pdf");
    let two = hsm.dir.join("two.pdf");
    for out in [&one, &two] {
        let mut args = vec!["build", SEED, "-o", out.to_str().unwrap(), "--pdfa", "a-1b"];
        args.extend(token_args("rsa"));
        args.extend(["--pin-env", "PIN_VAR"]);
        let o = hsm.communique(&args);
        assert!(o.status.success(), "{}", text(&o));
        assert_no_pin(&o);
    }
    let signed = std::fs::read(&one).unwrap();
    assert!(
        signed == std::fs::read(&two).unwrap(),
        "RSA PKCS#1 v1.5 on a token is deterministic: the same inputs give the same bytes"
    );
    let reports = verify_all(&signed).unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].valid, "{reports:?}");
    assert_eq!(reports[0].signer_name.as_deref(), Some("Token Official"));

    let root = hsm.write("root.pem", &keys.rsa.root_cert_pem);
    let o = hsm.communique(&["verify", one.to_str().unwrap(), "--trust", &root]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("VALID"), "{}", text(&o));
    assert!(text(&o).contains("RSA-2048"), "{}", text(&o));
    pdfsig_valid(&one, 1);
    if let Some(out) = pades_levels(&one, &[&keys.rsa.root_cert_pem]) {
        assert!(out.contains("\"level\": \"B-B\""), "{out}");
    }
}

#[test]
fn ecdsa_token_key_with_sign_cert_and_pin_file_signs_b_t() {
    let Some(hsm) = Hsm::new("pkcs11-ec") else {
        return;
    };
    let keys = standard_keys(&hsm);
    let cert = hsm.write("ec.pem", &keys.ec.leaf_cert_pem);
    let chain = hsm.write("ec-root.pem", &keys.ec.root_cert_pem);
    let pin_file = hsm.write("pin.txt", &format!("{PIN}\n"));
    let run_build = |out: &Path, extra: &[&str]| {
        let mut args = vec!["build", SEED, "-o", out.to_str().unwrap()];
        args.extend(token_args("ec"));
        args.extend([
            "--pin-file",
            &pin_file,
            "--sign-cert",
            &cert,
            "--sign-chain",
            &chain,
        ]);
        args.extend(extra);
        let o = hsm.communique(&args);
        assert!(o.status.success(), "{}", text(&o));
        assert_no_pin(&o);
    };
    // ECDSA on a token uses a random nonce: two runs differ in the signature value only.
    let one = hsm.dir.join("one.pdf");
    let two = hsm.dir.join("two.pdf");
    run_build(&one, &[]);
    run_build(&two, &[]);
    let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(a.len(), b.len());
    let range = contents_range(&a);
    assert_eq!(range, contents_range(&b));
    assert!(a[range.clone()] != b[range.clone()], "ECDSA nonces differ");
    assert!(
        a[..range.start] == b[..range.start] && a[range.end..] == b[range.end..],
        "everything outside the signature value is identical"
    );
    for pdf in [&a, &b] {
        let reports = verify_all(pdf).unwrap();
        assert!(reports.len() == 1 && reports[0].valid, "{reports:?}");
        assert_eq!(reports[0].signer_name.as_deref(), Some("EC Token Official"));
    }
    pdfsig_valid(&one, 1);
    pdfsig_valid(&two, 1);

    // With the test TSA: PAdES B-T, confirmed by pyHanko with the servers stopped.
    if !require("openssl") {
        return;
    }
    let tsa = TestTsa::start(&hsm.dir.join("tsa"), Mode::Openssl, true);
    let bt = hsm.dir.join("bt.pdf");
    run_build(&bt, &["--tsa", &tsa.url]);
    let tsa_root = tsa.root_pem.clone();
    drop(tsa);
    let o = hsm.communique(&["verify", bt.to_str().unwrap(), "--trust", &chain]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("B-T"), "{}", text(&o));
    assert!(text(&o).contains("ECDSA P-256"), "{}", text(&o));
    pdfsig_valid(&bt, 1);
    if let Some(out) = pades_levels(&bt, &[&keys.ec.root_cert_pem, &tsa_root]) {
        assert!(out.contains("\"level\": \"B-T\""), "{out}");
    }
}

#[test]
fn a_token_key_co_signs_with_communique_sign() {
    let Some(hsm) = Hsm::new("pkcs11-cosign") else {
        return;
    };
    let keys = standard_keys(&hsm);
    let first = make_pki(KeyKind::P256, "First Official", false);
    let key = hsm.write("first.key.pem", &first.leaf_key_pem);
    let cert = hsm.write("first.cert.pem", &first.leaf_cert_pem);
    let one = hsm.dir.join("one.pdf");
    let two = hsm.dir.join("two.pdf");
    let o = hsm.communique(&[
        "build",
        SEED,
        "-o",
        one.to_str().unwrap(),
        "--sign-key",
        &key,
        "--sign-cert",
        &cert,
        "--sign-time",
        SIGN_TIME,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut args = vec!["sign", one.to_str().unwrap(), "-o", two.to_str().unwrap()];
    args.extend(token_args("rsa"));
    args.extend(["--pin-env", "PIN_VAR", "--reason", "Co-signed"]);
    let o = hsm.communique(&args);
    assert!(o.status.success(), "{}", text(&o));
    assert_no_pin(&o);
    let signed = std::fs::read(&two).unwrap();
    let reports = verify_all(&signed).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.valid), "{reports:?}");
    assert_eq!(reports[1].signer_name.as_deref(), Some("Token Official"));
    pdfsig_valid(&two, 2);
    if let Some(out) = pades_levels(&two, &[&first.root_cert_pem, &keys.rsa.root_cert_pem]) {
        assert_eq!(out.matches("\"level\": \"B-B\"").count(), 2, "{out}");
    }
}

#[test]
fn batch_shares_one_token_session_across_threads() {
    let Some(hsm) = Hsm::new("pkcs11-batch") else {
        return;
    };
    let keys = standard_keys(&hsm);
    let inputs = hsm.dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let names = [
        "2020-01-29-copenhagen-political-directors.md",
        "2025-11-12-short-paragraphs.md",
        "2026-05-20-humanitarian-corridor.md",
        "2026-04-14-declaracion-es.md",
    ];
    for name in names {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("statements")
                .join(name),
            inputs.join(name),
        )
        .unwrap();
    }
    let out = hsm.dir.join("out");
    for key in ["rsa", "ec"] {
        let _ = std::fs::remove_dir_all(&out);
        let mut args = vec![
            "batch",
            inputs.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-j",
            "4",
        ];
        args.extend(token_args(key));
        args.extend(["--pin-env", "PIN_VAR"]);
        let cert;
        if key == "ec" {
            // The EC key has no certificate on the token.
            cert = hsm.write("ec.pem", &keys.ec.leaf_cert_pem);
            args.extend(["--sign-cert", &cert]);
        }
        let o = hsm.communique(&args);
        assert!(o.status.success(), "{}", text(&o));
        assert_no_pin(&o);
        for name in names {
            let pdf = out.join(Path::new(name).with_extension("pdf"));
            let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
            let reports = verify_all(&bytes).unwrap();
            assert!(
                reports.len() == 1 && reports[0].valid,
                "{name}: {reports:?}"
            );
        }
    }
}

/// One failing invocation: exit status, a phrase of the message, nothing written.
struct Bad<'a> {
    what: &'a str,
    args: Vec<String>,
    code: i32,
    message: &'a str,
}

#[test]
fn token_errors_are_clear_exit_5_write_nothing_and_never_show_the_pin() {
    let Some(hsm) = Hsm::new("pkcs11-errors") else {
        return;
    };
    let keys = standard_keys(&hsm);
    // A key whose token certificate belongs to another key, and a P-384 key.
    let stranger = make_pki(KeyKind::P256, "Somebody Else", false);
    let mismatched = make_pki(KeyKind::P256, "Mismatched", false);
    hsm.import_key(&mismatched.leaf_key_pem, "mismatched", "03");
    hsm.store_certificate(&stranger.leaf_cert_der, "03");
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    hsm.import_key(&p384.serialize_pem(), "p384", "04");
    let stranger_cert = hsm.write("stranger.pem", &stranger.leaf_cert_pem);
    let rsa_cert = hsm.write("rsa.pem", &keys.rsa.leaf_cert_pem);
    let not_a_module = hsm.write("not-a-module.so", "this is not a shared library");
    let wrong_pin_file = hsm.write("wrong-pin.txt", &format!("{WRONG_PIN}\n"));

    let token = |key: &str, extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = token_args(key).iter().map(|s| s.to_string()).collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let with_module = |module: &str| -> Vec<String> {
        let mut v = token("rsa", &["--pin-env", "PIN_VAR"]);
        v[1] = module.into();
        v
    };
    let cases = vec![
        Bad {
            what: "wrong PIN from the environment",
            args: token("rsa", &["--pin-env", "WRONG_PIN_VAR"]),
            code: 5,
            message: "wrong PIN for token `T` (CKR_PIN_INCORRECT)",
        },
        Bad {
            what: "wrong PIN from a file",
            args: token("ec", &["--pin-file", &wrong_pin_file]),
            code: 5,
            message: "wrong PIN for token `T`",
        },
        Bad {
            what: "missing module",
            args: with_module("/nonexistent/libpkcs11.so"),
            code: 5,
            message: "cannot load the PKCS#11 module /nonexistent/libpkcs11.so: no such file",
        },
        Bad {
            what: "a bare module name the dynamic loader does not find",
            args: with_module("libno-such-pkcs11-module.so"),
            code: 5,
            message: "cannot load the PKCS#11 module libno-such-pkcs11-module.so: ",
        },
        Bad {
            what: "a module that is not a library",
            args: with_module(&not_a_module),
            code: 5,
            message: "cannot load the PKCS#11 module",
        },
        Bad {
            what: "token absent",
            args: {
                let mut v = token("rsa", &["--pin-env", "PIN_VAR"]);
                v[3] = "No Such Token".into();
                v
            },
            code: 5,
            message: "no token labelled `No Such Token`",
        },
        Bad {
            what: "key label absent",
            args: token("nokey", &["--pin-env", "PIN_VAR"]),
            code: 5,
            message: "no private key labelled `nokey` on token `T` (private keys: `ec`, ",
        },
        Bad {
            what: "--sign-cert of another key",
            args: token(
                "rsa",
                &["--pin-env", "PIN_VAR", "--sign-cert", &stranger_cert],
            ),
            code: 5,
            message: "key `rsa` on token `T` does not match the certificate given with --sign-cert",
        },
        Bad {
            what: "the token's certificate belongs to another key",
            args: token("mismatched", &["--pin-env", "PIN_VAR"]),
            code: 5,
            message: "key `mismatched` on token `T` does not match the token's certificate with the same CKA_ID",
        },
        Bad {
            what: "RSA certificate for the EC key",
            args: token("ec", &["--pin-env", "PIN_VAR", "--sign-cert", &rsa_cert]),
            code: 5,
            message: "key `ec` on token `T` does not match the certificate given",
        },
        Bad {
            what: "no certificate on the token and none given",
            args: token("ec", &["--pin-env", "PIN_VAR"]),
            code: 5,
            message: "token `T` holds no certificate with the CKA_ID of key `ec`",
        },
        Bad {
            what: "unsupported key type",
            args: token("p384", &["--pin-env", "PIN_VAR"]),
            code: 5,
            message: "unsupported key type: EC key on a curve other than P-256",
        },
        Bad {
            what: "no PIN given",
            args: token("rsa", &[]),
            code: 5,
            message: "give --pin-env VAR or --pin-file FILE",
        },
        Bad {
            what: "PIN variable unset",
            args: token("rsa", &["--pin-env", "UNSET_PIN_VAR"]),
            code: 2,
            message: "environment variable UNSET_PIN_VAR is not set",
        },
        Bad {
            what: "--token without --pkcs11-module",
            args: ["--token", "T", "--key", "rsa", "--sign-time", SIGN_TIME]
                .map(String::from)
                .to_vec(),
            code: 2,
            message: "--pkcs11-module",
        },
        Bad {
            what: "--pkcs11-module without --key",
            args: [
                "--pkcs11-module",
                MODULE,
                "--token",
                "T",
                "--pin-env",
                "PIN_VAR",
            ]
            .map(String::from)
            .to_vec(),
            code: 2,
            message: "--key",
        },
        Bad {
            what: "a PIN on the command line (there is no such option)",
            args: token("rsa", &["--pin", PIN]),
            code: 2,
            message: "unexpected argument '--pin'",
        },
        Bad {
            what: "--sign-cert without a key",
            args: ["--sign-cert", &rsa_cert, "--sign-time", SIGN_TIME]
                .map(String::from)
                .to_vec(),
            code: 2,
            message: "--sign-cert",
        },
    ];
    let existing = hsm.dir.join("existing.pdf");
    let before = b"%PDF-1.7 an earlier output that must survive\n".to_vec();
    std::fs::write(&existing, &before).unwrap();
    let unsigned = hsm.dir.join("unsigned.pdf");
    let o = hsm.communique(&["build", SEED, "-o", unsigned.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    for case in &cases {
        let fresh = hsm.dir.join("fresh.pdf");
        let commands: [(Vec<&str>, &Path); 3] = [
            (vec!["build", SEED, "-o", fresh.to_str().unwrap()], &fresh),
            (
                vec!["build", SEED, "-o", existing.to_str().unwrap()],
                &existing,
            ),
            (
                vec![
                    "sign",
                    unsigned.to_str().unwrap(),
                    "-o",
                    fresh.to_str().unwrap(),
                ],
                &fresh,
            ),
        ];
        for (command, out) in commands {
            let mut args = command.clone();
            args.extend(case.args.iter().map(String::as_str));
            let o = hsm.communique(&args);
            let all = text(&o);
            eprintln!("{}: {}", case.what, all.trim());
            assert_eq!(o.status.code(), Some(case.code), "{}: {all}", case.what);
            assert!(all.contains(case.message), "{}: {all}", case.what);
            assert_no_pin(&o);
            if out == existing.as_path() {
                assert_eq!(std::fs::read(out).unwrap(), before, "{}", case.what);
            } else {
                assert!(!out.exists(), "{}: {} written", case.what, out.display());
            }
        }
    }
    // The token still works after all that (no PIN lock-out from the wrong tries).
    let mut args = vec!["build", SEED, "-o", existing.to_str().unwrap()];
    args.extend(token_args("rsa"));
    args.extend(["--pin-env", "PIN_VAR"]);
    let o = hsm.communique(&args);
    assert!(o.status.success(), "{}", text(&o));
}

/// Qualified-signature smartcards make the key ask for the PIN before each signature
/// (CKA_ALWAYS_AUTHENTICATE): a context-specific login before every signature, here in a
/// 3-thread batch. SoftHSM 2.6 has no CKM_ECDSA_SHA256, which such an EC key needs (the data
/// is sent after the login, in parts): that is a clear error.
#[test]
fn a_key_that_wants_the_pin_for_every_signature_signs_a_batch() {
    let Some(hsm) = Hsm::new("pkcs11-always-authenticate") else {
        return;
    };
    let pki = make_pki(KeyKind::Rsa2048, "Qualified Official", false);
    hsm.import_always_authenticate(&pki.leaf_key_pem, "qualified");
    let cert = hsm.write("qualified.pem", &pki.leaf_cert_pem);
    let inputs = hsm.dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for name in ["a", "b", "c"] {
        std::fs::copy(SEED, inputs.join(format!("{name}.md"))).unwrap();
    }
    let out = hsm.dir.join("out");
    let mut args = vec![
        "batch",
        inputs.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-j",
        "3",
        "--sign-cert",
        &cert,
        "--pin-env",
        "PIN_VAR",
    ];
    args.extend(token_args("qualified"));
    let o = hsm.communique(&args);
    assert!(o.status.success(), "{}", text(&o));
    assert_no_pin(&o);
    for name in ["a", "b", "c"] {
        let bytes = std::fs::read(out.join(format!("{name}.pdf"))).unwrap();
        let reports = verify_all(&bytes).unwrap();
        assert!(
            reports.len() == 1 && reports[0].valid,
            "{name}: {reports:?}"
        );
        assert_eq!(
            reports[0].signer_name.as_deref(),
            Some("Qualified Official")
        );
    }
    // A wrong PIN fails at the login, not later.
    let single = hsm.dir.join("single.pdf");
    let mut args = vec![
        "build",
        SEED,
        "-o",
        single.to_str().unwrap(),
        "--sign-cert",
        &cert,
        "--pin-env",
        "WRONG_PIN_VAR",
    ];
    args.extend(token_args("qualified"));
    let o = hsm.communique(&args);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("wrong PIN"), "{}", text(&o));
    assert!(!single.exists());

    let ec = make_pki(KeyKind::P256, "Qualified EC", false);
    hsm.import_always_authenticate(&ec.leaf_key_pem, "qualified-ec");
    let ec_cert = hsm.write("qualified-ec.pem", &ec.leaf_cert_pem);
    let mut args = vec![
        "build",
        SEED,
        "-o",
        single.to_str().unwrap(),
        "--sign-cert",
        &ec_cert,
        "--pin-env",
        "PIN_VAR",
    ];
    args.extend(token_args("qualified-ec"));
    let o = hsm.communique(&args);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(
        text(&o).contains("asks for the PIN before each use (CKA_ALWAYS_AUTHENTICATE), which needs CKM_ECDSA_SHA256"),
        "{}",
        text(&o)
    );
    assert!(!single.exists());
}

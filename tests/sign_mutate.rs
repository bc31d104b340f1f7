//! A stable mutation harness (no cargo-fuzz needed) for every parser of
//! untrusted input in signing: `verify`, `sign` and `extend` input PDFs, and
//! RFC 3161 responses. Fixed seed, so a failure reproduces; each mutant must
//! give an answer or an error, never a panic.
//!
//!   cargo test --release --test sign_mutate                       # a quick round (CI)
//!   MUTATE_SECONDS=600 cargo test --release --test sign_mutate -- --nocapture   # 10 minutes per target
//!
//! A crash found becomes a regression test in tests/sign_hostile.rs with its input.

mod sign_support;

use std::time::{Duration, Instant};

use communique::sign::{LtvOptions, SignOptions, Signer, add_dss, fuzz, sign, verify_all};
use sign_support::SIGN_TIME;
use sign_support::certs::{KeyKind, make_pki};
use sign_support::pdfgen::{Profile, make_pdf};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b" 0 R",
    b"obj",
    b"endobj",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"/Prev 99999999",
    b"/Length -1",
    b"/Kids[1 0 R]",
    b"stream\n",
    b"endstream",
    b"xref\n0 1\n",
    b"trailer",
    b"startxref\n1\n",
    b"%%EOF",
    b"9223372036854775807",
    b"-1",
    b"(",
    b")",
    b"/ByteRange[0 1 2 3]",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            out.push(b'%');
        }
        let at = rng.below(out.len());
        match rng.below(7) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = [0u8, 0xff, b'0', b'9', b' ', b'\n', b'/'][rng.below(7)],
            2 => out.truncate(at),
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            4 => {
                let len = rng.below(64).min(out.len() - at);
                let chunk = out[at..at + len].to_vec();
                let to = rng.below(out.len());
                out.splice(to..to, chunk);
            }
            5 => {
                let len = rng.below(16).min(out.len() - at);
                out.drain(at..at + len);
            }
            _ => {
                // A digit run replaced by a large or small number.
                if out[at].is_ascii_digit() {
                    let end = out[at..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(out.len(), |p| at + p);
                    let n = [b"0".as_slice(), b"4294967296", b"999999999999"][rng.below(3)];
                    out.splice(at..end, n.iter().copied());
                }
            }
        }
    }
    out
}

fn budget() -> (Duration, usize) {
    match std::env::var("MUTATE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(s) => (Duration::from_secs(s), usize::MAX),
        None => (Duration::from_secs(3600), 300),
    }
}

fn run(name: &str, seed: u64, corpus: &[Vec<u8>], target: impl Fn(&[u8])) {
    let (time, max) = budget();
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut n = 0;
    while n < max && start.elapsed() < time {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base);
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&input))).is_err() {
            let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("mutate-crash-{}.bin", name.replace('/', "-")));
            std::fs::write(&path, &input).unwrap();
            panic!(
                "{name}: mutant {n} panicked; input saved to {}",
                path.display()
            );
        }
        n += 1;
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "{name}: {n} mutants in {:.1} s, no panic",
        start.elapsed().as_secs_f64()
    );
}

fn signer() -> Signer {
    make_pki(KeyKind::P256, "Jane Doe", false).signer()
}

fn corpus() -> Vec<Vec<u8>> {
    let s = signer();
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let one = sign(&make_pdf(Profile::A2aUa1, 1), &s, &options).unwrap();
    let two = sign(&one, &s, &options).unwrap();
    vec![make_pdf(Profile::A1b, 1), one, two]
}

#[test]
fn verify_never_panics() {
    run("verify", 0x5eed_0001, &corpus(), |pdf| {
        let _ = verify_all(pdf);
    });
}

#[test]
fn sign_and_extend_never_panic() {
    let s = signer();
    let options = SignOptions {
        time_unix: SIGN_TIME,
        ..SignOptions::default()
    };
    let ltv = LtvOptions {
        crls: vec![vec![0x30, 0x00]],
        ocsps: Vec::new(),
        fetch: None,
        strict: false,
    };
    run("sign/extend", 0x5eed_0002, &corpus(), |pdf| {
        let _ = sign(pdf, &s, &options);
        let _ = add_dss(pdf, &ltv);
    });
}

#[test]
fn timestamp_responses_never_panic() {
    // A granted response with a token-shaped body and a rejection, as seeds.
    let seeds = vec![
        vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02],
        vec![
            0x30, 0x13, 0x30, 0x03, 0x02, 0x01, 0x00, 0x30, 0x0c, 0x06, 0x09, 0x2a, 0x86, 0x48,
            0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x00,
        ],
    ];
    run("tsa response", 0x5eed_0003, &seeds, |answer| {
        let _ = fuzz::timestamp_response(answer, &[0u8; 32]);
    });
}

/// A DER element: tag, definite length, contents.
fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let body = parts.concat();
    let mut out = vec![tag];
    match body.len() {
        n @ 0..=0x7f => out.push(n as u8),
        n @ 0x80..=0xff => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend(body);
    out
}

#[test]
fn ocsp_responses_never_panic() {
    // A refusal, and a successful basic response whose ResponseData names a
    // responder by key and holds one revoked status, as seeds; the OCSP
    // test (tests/sign_ocsp.rs) checks real answers from `openssl ocsp`.
    let time = tlv(0x18, &[b"20260101000000Z"]);
    let sha1 = tlv(
        0x30,
        &[&[0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00]],
    );
    let cert_id = tlv(
        0x30,
        &[
            &sha1,
            &tlv(0x04, &[&[0x11; 20]]),
            &tlv(0x04, &[&[0x22; 20]]),
            &[0x02, 0x02, 0x10, 0x01],
        ],
    );
    let single = tlv(0x30, &[&cert_id, &tlv(0xa1, &[&time]), &time]);
    let data = tlv(
        0x30,
        &[
            &tlv(0xa2, &[&tlv(0x04, &[&[0x33; 20]])]),
            &time,
            &tlv(0x30, &[&single]),
        ],
    );
    let ecdsa_sha256 = [
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    let basic = tlv(0x30, &[&data, &ecdsa_sha256, &[0x03, 0x02, 0x00, 0x00]]);
    let ocsp_basic = [
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01,
    ];
    let bytes = tlv(0x30, &[&ocsp_basic, &tlv(0x04, &[&basic])]);
    let response = tlv(0x30, &[&[0x0a, 0x01, 0x00], &tlv(0xa0, &[&bytes])]);
    // The seed decodes all the way to the signature check.
    assert_eq!(
        fuzz::ocsp_response(&response),
        Err("the response carries no certificate to check it with".to_string())
    );
    let mut seeds = vec![vec![0x30, 0x03, 0x0a, 0x01, 0x01], response];
    // Real answers from openssl: signed by the issuer (which it includes,
    // so the hook's check passes in full) and by a delegated responder.
    if sign_support::tools::require("openssl") {
        let dir = sign_support::tools::scratch_dir("mutate-ocsp");
        sign_support::ocsp::make_ocsp_pki(&dir, "Jane Doe", "http://127.0.0.1:9/", None, None);
        let by_issuer = sign_support::ocsp::openssl_response(&dir, true);
        assert_eq!(fuzz::ocsp_response(&by_issuer), Ok(()));
        // producedAt one second later: still well formed, no longer what was signed.
        let mut tampered = by_issuer.clone();
        let at = tampered
            .windows(2)
            .position(|w| w == [0x18, 0x0f])
            .expect("a GeneralizedTime");
        tampered[at + 15] = if tampered[at + 15] == b'0' {
            b'1'
        } else {
            b'0'
        };
        let err = fuzz::ocsp_response(&tampered).unwrap_err();
        assert!(err.contains("signature"), "{err}");
        seeds.push(by_issuer);
        seeds.push(sign_support::ocsp::openssl_response(&dir, false));
    }
    run("ocsp response", 0x5eed_0004, &seeds, |answer| {
        let _ = fuzz::ocsp_response(answer);
    });
}

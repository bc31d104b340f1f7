//! A test CA with an OCSP responder on 127.0.0.1: a root, a delegated
//! responder certificate (id-kp-OCSPSigning) and a signer whose AIA names
//! the responder and whose CRL distribution point is served by the same
//! server (GET). POSTs are answered by `openssl ocsp -index … -reqin
//! -respout` (one process per request, so no port handling by openssl), or
//! by canned bytes. The server stops when the value is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
};

use super::tsa::{read_request, write_answer};

/// How the responder answers POSTs.
#[derive(Clone)]
pub enum OcspMode {
    /// `openssl ocsp` with the CA's index.
    Openssl,
    /// `openssl ocsp` signing with the root's own key (no delegated responder).
    IssuerSigned,
    /// These bytes, status 200 (garbage, a replay).
    Fixed(Vec<u8>),
}

pub struct TestOcsp {
    /// The responder's URL (POST).
    pub url: String,
    /// The CRL's URL (GET), served from `dir/root.crl`.
    pub crl_url: String,
    /// Every POST answered.
    pub answers: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Drop for TestOcsp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn openssl_ocsp(dir: &Path, request: &[u8], issuer_signed: bool) -> Vec<u8> {
    let q = dir.join("ocsp-request.der");
    let r = dir.join("ocsp-response.der");
    std::fs::write(&q, request).unwrap();
    let o = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "root.pem",
            "-rsigner",
            if issuer_signed {
                "root.pem"
            } else {
                "ocsp.pem"
            },
            "-rkey",
            if issuer_signed {
                "root.key"
            } else {
                "ocsp.key"
            },
            "-rmd",
            "sha256",
            "-ndays",
            "7",
            "-reqin",
            "ocsp-request.der",
            "-respout",
            "ocsp-response.der",
        ])
        .output()
        .expect("openssl runs");
    assert!(
        o.status.success(),
        "openssl ocsp: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(&r).unwrap()
}

impl TestOcsp {
    /// Start the server; the PKI goes to `dir` with [`make_ocsp_pki`] (read
    /// at each request, so it may be written after the start).
    pub fn start(dir: &Path, mode: OcspMode) -> TestOcsp {
        std::fs::create_dir_all(dir).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let (stop2, answers2, dir2): (_, _, PathBuf) = (stop.clone(), answers.clone(), dir.into());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let Some((first, body)) = read_request(&mut stream) else {
                    continue;
                };
                if first.starts_with("get ") {
                    let crl = std::fs::read(dir2.join("root.crl")).unwrap_or_default();
                    write_answer(&mut stream, 200, "application/pkix-crl", &crl);
                    continue;
                }
                let answer = match &mode {
                    OcspMode::Openssl => openssl_ocsp(&dir2, &body, false),
                    OcspMode::IssuerSigned => openssl_ocsp(&dir2, &body, true),
                    OcspMode::Fixed(b) => b.clone(),
                };
                answers2.lock().unwrap().push(answer.clone());
                write_answer(&mut stream, 200, "application/ocsp-response", &answer);
            }
        });
        TestOcsp {
            url: format!("http://127.0.0.1:{port}/ocsp"),
            crl_url: format!("http://127.0.0.1:{port}/root.crl"),
            answers,
            stop,
            port,
        }
    }
}

/// The AIA extension naming `url` as the OCSP responder.
fn aia(url: &str) -> CustomExtension {
    let mut loc = vec![0x86, url.len() as u8];
    loc.extend_from_slice(url.as_bytes());
    let mut desc = vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    desc.extend(loc);
    let mut seq = vec![0x30, desc.len() as u8];
    seq.extend(desc);
    let mut outer = vec![0x30, seq.len() as u8];
    outer.extend(seq);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], outer)
}

/// The signer's serial number (hex, as in openssl's index).
pub const SIGNER_SERIAL: &str = "1001";

/// A root, an OCSP responder certificate and a signer (P-256) in `dir`:
/// root.pem, root.key, ocsp.pem, ocsp.key, signer.pem, signer.key,
/// index.txt, root.crl. The signer's AIA names `ocsp_url` and, with
/// `crl_url`, its CRL distribution point. With `revoked_at`
/// (`YYMMDDHHMMSSZ`), the index and the CRL say it is revoked then.
/// Returns the root PEM.
pub fn make_ocsp_pki(
    dir: &Path,
    name: &str,
    ocsp_url: &str,
    crl_url: Option<&str>,
    revoked_at: Option<&str>,
) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
    root.distinguished_name
        .push(DnType::CommonName, "communique test OCSP root");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = rcgen::date_time_ymd(2020, 1, 1);
    root.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let root_cert = root.self_signed(&root_key).unwrap();
    let root_key_pem = root_key.serialize_pem();
    let issuer = Issuer::new(root, root_key);

    let ocsp_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ocsp = CertificateParams::new(Vec::<String>::new()).unwrap();
    ocsp.distinguished_name
        .push(DnType::CommonName, "communique test OCSP responder");
    ocsp.is_ca = IsCa::ExplicitNoCa;
    ocsp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    ocsp.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    ocsp.use_authority_key_identifier_extension = true;
    ocsp.serial_number = Some(SerialNumber::from(vec![0x20, 0x01]));
    ocsp.not_before = rcgen::date_time_ymd(2025, 1, 1);
    ocsp.not_after = rcgen::date_time_ymd(2035, 1, 1);
    let ocsp_cert = ocsp.signed_by(&ocsp_key, &issuer).unwrap();

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, name);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.serial_number = Some(SerialNumber::from(vec![0x10, 0x01]));
    leaf.custom_extensions = vec![aia(ocsp_url)];
    if let Some(url) = crl_url {
        leaf.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![url.to_string()],
        }];
    }
    leaf.not_before = rcgen::date_time_ymd(2025, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2035, 1, 1);
    let cert = leaf.signed_by(&key, &issuer).unwrap();

    let revoked_certs = match revoked_at {
        Some(t) => {
            let n = |a: usize| t[a..a + 2].parse::<u8>().unwrap();
            vec![RevokedCertParams {
                serial_number: SerialNumber::from(vec![0x10, 0x01]),
                revocation_time: rcgen::date_time_ymd(2000 + i32::from(n(0)), n(2), n(4)),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }]
        }
        None => Vec::new(),
    };
    let crl = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2025, 1, 1),
        next_update: rcgen::date_time_ymd(2035, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap();
    let index = match revoked_at {
        Some(t) => {
            format!("R\t350101000000Z\t{t},keyCompromise\t{SIGNER_SERIAL}\tunknown\t/CN={name}\n")
        }
        None => format!("V\t350101000000Z\t\t{SIGNER_SERIAL}\tunknown\t/CN={name}\n"),
    };
    std::fs::write(dir.join("index.txt"), index).unwrap();
    std::fs::write(dir.join("index.txt.attr"), "unique_subject = no\n").unwrap();
    std::fs::write(dir.join("root.crl"), crl.der()).unwrap();
    std::fs::write(dir.join("root.pem"), root_cert.pem()).unwrap();
    std::fs::write(dir.join("root.key"), root_key_pem).unwrap();
    std::fs::write(dir.join("ocsp.pem"), ocsp_cert.pem()).unwrap();
    std::fs::write(dir.join("ocsp.key"), ocsp_key.serialize_pem()).unwrap();
    std::fs::write(dir.join("signer.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("signer.key"), key.serialize_pem()).unwrap();
    root_cert.pem()
}

/// An answer from `openssl ocsp` about the signer of the PKI in `dir`
/// (made with [`make_ocsp_pki`]), to a request made by `openssl ocsp` too.
pub fn openssl_response(dir: &Path, issuer_signed: bool) -> Vec<u8> {
    let o = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "ocsp",
            "-issuer",
            "root.pem",
            "-cert",
            "signer.pem",
            "-no_nonce",
            "-reqout",
            "openssl-request.der",
        ])
        .output()
        .expect("openssl runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let request = std::fs::read(dir.join("openssl-request.der")).unwrap();
    openssl_ocsp(dir, &request, issuer_signed)
}

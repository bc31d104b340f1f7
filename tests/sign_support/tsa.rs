//! A test timestamp authority on 127.0.0.1: its own root and a TSA
//! certificate with the critical timestamping EKU (rcgen), answered by
//! `openssl ts -reply` behind a tiny HTTP server, or by canned answers for
//! the failure cases. The server stops when the value is dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// How the server answers.
#[derive(Clone)]
pub enum Mode {
    /// Ask openssl for a fresh token.
    Openssl,
    /// Always send these bytes with status 200 (a replayed answer, garbage).
    Fixed(Vec<u8>),
    /// Send these bytes with status 200, the first to the first request and
    /// so on (replaying a session of several requests).
    Sequence(Vec<Vec<u8>>),
    /// Answer with this HTTP status and no body.
    Status(u16),
    /// Wait this long before answering.
    Slow(Duration),
}

pub struct TestTsa {
    pub url: String,
    /// PEM of the TSA's root, for trust files.
    pub root_pem: String,
    /// Every answer the server sent, in order.
    pub answers: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Drop for TestTsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so the thread ends.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Root + TSA certificate and key PEMs in `dir` (tsa.pem, tsa.key,
/// tsaroot.pem) and the openssl configuration (tsa.cnf).
fn make_tsa_files(dir: &Path, eku: bool) -> String {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
    root.distinguished_name
        .push(DnType::CommonName, "communique test TSA root");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = rcgen::date_time_ymd(2020, 1, 1);
    root.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let root_cert = root.self_signed(&root_key).unwrap();

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut tsa = CertificateParams::new(Vec::<String>::new()).unwrap();
    tsa.distinguished_name
        .push(DnType::CommonName, "communique test TSA");
    tsa.is_ca = IsCa::ExplicitNoCa;
    tsa.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    let eku_oid: &[u8] = if eku {
        // id-kp-timeStamping
        &[
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
        ]
    } else {
        // id-kp-emailProtection
        &[
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04,
        ]
    };
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], eku_oid.to_vec());
    ext.set_criticality(true);
    tsa.custom_extensions = vec![ext];
    tsa.use_authority_key_identifier_extension = true;
    tsa.not_before = rcgen::date_time_ymd(2025, 1, 1);
    tsa.not_after = rcgen::date_time_ymd(2035, 1, 1);
    let issuer = Issuer::new(root, root_key);
    let cert = tsa.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("tsaroot.crl"), empty_crl(&issuer)).unwrap();

    std::fs::write(dir.join("tsa.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("tsa.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("tsaroot.pem"), root_cert.pem()).unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let d = dir.display();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {d}/serial\ncrypto_device = builtin\n\
             signer_cert = {d}/tsa.pem\ncerts = {d}/tsaroot.pem\nsigner_key = {d}/tsa.key\n\
             signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\n\
             accuracy = secs:1\nordering = no\ntsa_name = no\ness_cert_id_chain = no\n\
             ess_cert_id_alg = sha256\n"
        ),
    )
    .unwrap();
    root_cert.pem()
}

fn openssl_reply(dir: &Path, query: &[u8]) -> Vec<u8> {
    let q = dir.join("query.der");
    let r = dir.join("reply.der");
    std::fs::write(&q, query).unwrap();
    let o = std::process::Command::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(dir.join("tsa.cnf"))
        .arg("-queryfile")
        .arg(&q)
        .arg("-out")
        .arg(&r)
        .output()
        .expect("openssl runs");
    assert!(
        o.status.success(),
        "openssl ts -reply: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(&r).unwrap()
}

/// Read one HTTP request: its first line and its body (up to Content-Length).
pub fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let first = head.lines().next().unwrap_or_default().to_string();
    Some((first, buf[header_end..header_end + len].to_vec()))
}

/// Write an HTTP answer and close.
pub fn write_answer(stream: &mut TcpStream, status: u16, content_type: &str, answer: &[u8]) {
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        )
        .as_bytes(),
    );
    let _ = stream.write_all(answer);
}

fn serve(mut stream: TcpStream, mode: &Mode, dir: &Path, answers: &Mutex<Vec<Vec<u8>>>) {
    let Some((_, body)) = read_request(&mut stream) else {
        return;
    };
    let (status, answer) = match mode {
        Mode::Openssl => (200, openssl_reply(dir, &body)),
        Mode::Fixed(b) => (200, b.clone()),
        Mode::Sequence(all) => {
            let n = answers.lock().unwrap().len();
            (200, all.get(n).cloned().unwrap_or_default())
        }
        Mode::Status(s) => (*s, Vec::new()),
        Mode::Slow(d) => {
            std::thread::sleep(*d);
            (200, Vec::new())
        }
    };
    answers.lock().unwrap().push(answer.clone());
    write_answer(&mut stream, status, "application/timestamp-reply", &answer);
}

impl TestTsa {
    /// Start a TSA answering in `mode`; files go to `dir`. `eku`: whether
    /// the TSA certificate has the timestamping EKU.
    pub fn start(dir: &Path, mode: Mode, eku: bool) -> TestTsa {
        std::fs::create_dir_all(dir).unwrap();
        let root_pem = make_tsa_files(dir, eku);
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
                if let Ok(s) = stream {
                    serve(s, &mode, &dir2, &answers2);
                }
            }
        });
        TestTsa {
            url: format!("http://127.0.0.1:{port}/tsa"),
            root_pem,
            answers,
            stop,
            port,
        }
    }
}

/// A port with nothing listening (bound, then released).
pub fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/tsa")
}

/// An empty CRL (nothing revoked) valid 2025..2035, signed by `issuer`.
pub fn empty_crl(issuer: &Issuer<'_, KeyPair>) -> Vec<u8> {
    let params = rcgen::CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2025, 1, 1),
        next_update: rcgen::date_time_ymd(2035, 1, 1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    params.signed_by(issuer).unwrap().der().to_vec()
}

/// A signer for long-term validation tests: root, leaf (P-256), and the
/// root's empty CRL. Files in `dir`: signer.key, signer.pem, root.pem,
/// root.crl. Returns the root PEM.
pub fn make_signer_with_crl(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
    root.distinguished_name
        .push(DnType::CommonName, "communique test signing root");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = rcgen::date_time_ymd(2020, 1, 1);
    root.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let root_cert = root.self_signed(&root_key).unwrap();
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, name);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = rcgen::date_time_ymd(2025, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2035, 1, 1);
    let issuer = Issuer::new(root, root_key);
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("signer.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("signer.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("root.pem"), root_cert.pem()).unwrap();
    std::fs::write(dir.join("root.crl"), empty_crl(&issuer)).unwrap();
    root_cert.pem()
}

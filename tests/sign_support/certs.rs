//! Throwaway test PKI made at test time (no key is ever committed).

use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// Which key the leaf certificate gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    P256,
}

/// A self-signed root and a leaf it issued.
pub struct TestPki {
    pub root_cert_pem: String,
    pub root_cert_der: Vec<u8>,
    pub leaf_cert_pem: String,
    pub leaf_cert_der: Vec<u8>,
    /// PKCS#8 PEM.
    pub leaf_key_pem: String,
    /// PKCS#8 DER.
    pub leaf_key_der: Vec<u8>,
}

impl TestPki {
    /// The leaf's key and certificate, with the root as the chain.
    pub fn signer(&self) -> communique::sign::Signer {
        communique::sign::Signer::from_pem(
            &self.leaf_key_pem,
            &self.leaf_cert_pem,
            Some(&self.root_cert_pem),
        )
        .unwrap()
    }
}

/// RSA key generation is slow in debug builds: one 2048-bit key per test
/// process, kept in memory only.
fn rsa_pkcs8_pem() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::PrivateKey::new(&mut p12_keystore::rand::rng(), 2048).expect("RSA keygen");
        key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PKCS#8 PEM")
            .to_string()
    })
}

/// A second, unrelated RSA key (for key/certificate mismatch tests).
pub fn other_rsa_pkcs8_pem() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::PrivateKey::new(&mut p12_keystore::rand::rng(), 2048).expect("RSA keygen");
        key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PKCS#8 PEM")
            .to_string()
    })
}

fn leaf_key(kind: KeyKind) -> KeyPair {
    match kind {
        KeyKind::Rsa2048 => {
            KeyPair::from_pem_and_sign_algo(rsa_pkcs8_pem(), &rcgen::PKCS_RSA_SHA256)
                .expect("rcgen reads the RSA key")
        }
        KeyKind::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key"),
    }
}

/// Make a root CA and a leaf certificate for `name`. With `expired`, the
/// leaf's validity ended in 2021; otherwise it runs 2025-01-01..2035-01-01.
pub fn make_pki(kind: KeyKind, name: &str, expired: bool) -> TestPki {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("root key");
    let mut root = CertificateParams::new(Vec::<String>::new()).expect("params");
    root.distinguished_name
        .push(DnType::CommonName, "communique test root");
    root.distinguished_name
        .push(DnType::OrganizationName, "communique tests");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = rcgen::date_time_ymd(2020, 1, 1);
    root.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let root_cert = root.self_signed(&root_key).expect("root cert");

    let key = leaf_key(kind);
    let mut leaf = CertificateParams::new(Vec::<String>::new()).expect("params");
    leaf.distinguished_name.push(DnType::CommonName, name);
    leaf.distinguished_name
        .push(DnType::OrganizationName, "Ministry of Tests");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    leaf.use_authority_key_identifier_extension = true;
    if expired {
        leaf.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2021, 1, 1);
    } else {
        leaf.not_before = rcgen::date_time_ymd(2025, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2035, 1, 1);
    }
    let issuer = Issuer::new(root, root_key);
    let leaf_cert = leaf.signed_by(&key, &issuer).expect("leaf cert");
    TestPki {
        root_cert_pem: root_cert.pem(),
        root_cert_der: root_cert.der().to_vec(),
        leaf_cert_pem: leaf_cert.pem(),
        leaf_cert_der: leaf_cert.der().to_vec(),
        leaf_key_pem: key.serialize_pem(),
        leaf_key_der: key.serialize_der(),
    }
}

/// A PKCS#12 archive (key + leaf + root) written with p12-keystore.
pub fn make_pkcs12(pki: &TestPki, password: &str) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let key = PrivateKey::from_der(&pki.leaf_key_der).expect("PKCS#8 key");
    let chain = PrivateKeyChain::new(
        b"communique-test".as_slice(),
        key,
        vec![
            Certificate::from_der(&pki.leaf_cert_der).expect("leaf"),
            Certificate::from_der(&pki.root_cert_der).expect("root"),
        ],
    );
    let mut store = KeyStore::new();
    store.add_entry("signer", KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().expect("PKCS#12 written")
}

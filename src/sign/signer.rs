//! Loading a private key with its certificate chain, and raw signing.

use der::{Decode, Encode, Tagged as _};
use p256::pkcs8::DecodePrivateKey as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest, Sha256};
use spki::ObjectIdentifier;
use x509_cert::Certificate;

use super::SignError;
use super::pkcs11::TokenKeyKind;
use super::time::format_utc;

pub(crate) const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_SHA256_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const OID_RSA_PSS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_ECDSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The private key kinds this module signs with.
pub(crate) enum SigningKey {
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::ecdsa::SigningKey),
    /// A key on a PKCS#11 token; only its session and handle are here.
    Token(Box<super::pkcs11::TokenKey>),
}

/// A private key together with its certificate and the rest of its chain.
///
/// Built by [`Signer::from_pkcs12`], [`Signer::from_pem`] or
/// [`Signer::from_pkcs11`]; each checks that the key matches the certificate.
/// `Debug` never prints key material (nor a token's PIN).
pub struct Signer {
    pub(crate) key: SigningKey,
    pub(crate) cert: Certificate,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) chain: Vec<Certificate>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.signer_name())
            .field("algorithm", &self.algorithm_name())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Load a PKCS#12 (`.p12`/`.pfx`) archive. The first private key is used,
    /// with the certificate whose public key matches it; all other
    /// certificates in the archive become the chain.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Signer, SignError> {
        let archive = p12_keystore::Pkcs12Archive::from_pkcs12(der, password).map_err(|e| {
            match e {
                p12_keystore::error::Error::MacError(_) => SignError::WrongPassword,
                // Decryption with a wrong password (no MAC present) ends in a
                // padding error.
                p12_keystore::error::Error::UnpadError => SignError::WrongPassword,
                other => SignError::CorruptPkcs12(other.to_string()),
            }
        })?;
        let key_bag = archive
            .keys
            .first()
            .ok_or(SignError::Pkcs12Incomplete("private key"))?;
        let key = key_from_pkcs8(key_bag.key.as_der())?;
        let mut certs = Vec::new();
        for bag in &archive.certs {
            let cert = Certificate::from_der(bag.cert.as_der())
                .map_err(|e| SignError::CorruptPkcs12(format!("certificate: {e}")))?;
            certs.push(cert);
        }
        if certs.is_empty() {
            return Err(SignError::Pkcs12Incomplete("certificate"));
        }
        let leaf_index = certs
            .iter()
            .position(|c| key_matches(&key, c).unwrap_or(false))
            .ok_or(SignError::KeyCertificateMismatch)?;
        let cert = certs.remove(leaf_index);
        Signer::new(key, cert, certs)
    }

    /// Load a PEM private key (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`
    /// or SEC1 `EC PRIVATE KEY` for P-256), a PEM certificate and optionally
    /// a PEM bundle with the rest of the chain.
    pub fn from_pem(
        key_pem: &str,
        cert_pem: &str,
        chain_pem: Option<&str>,
    ) -> Result<Signer, SignError> {
        let (label, der) = der::pem::decode_vec(key_pem.trim().as_bytes())
            .map_err(|e| SignError::InvalidKey(format!("not a PEM block: {e}")))?;
        let key = match label {
            "PRIVATE KEY" => key_from_pkcs8(&der)?,
            "RSA PRIVATE KEY" => SigningKey::Rsa(Box::new(
                rsa::PrivateKey::from_pkcs1_der(&der)
                    .map_err(|e| SignError::InvalidKey(format!("PKCS#1 RSA key: {e}")))?,
            )),
            "EC PRIVATE KEY" => {
                let sec1 = sec1_curve(&der)?;
                if sec1 != Some(OID_P256) {
                    return Err(SignError::UnsupportedKeyType(format!(
                        "EC key on curve {}",
                        sec1.map_or("(unnamed)".into(), |o| o.to_string())
                    )));
                }
                let secret = p256::SecretKey::from_sec1_der(&der)
                    .map_err(|e| SignError::InvalidKey(format!("SEC1 EC key: {e}")))?;
                SigningKey::P256(secret.into())
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(SignError::InvalidKey(
                    "encrypted PEM keys are not supported; use PKCS#12 or decrypt the key".into(),
                ));
            }
            other => {
                return Err(SignError::InvalidKey(format!(
                    "unexpected PEM label `{other}`"
                )));
            }
        };
        let cert = Certificate::load_pem_chain(cert_pem.trim().as_bytes())
            .map_err(|e| SignError::InvalidCertificate(e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| SignError::InvalidCertificate("no CERTIFICATE block".into()))?;
        let chain = match chain_pem {
            Some(pem) if !pem.trim().is_empty() => {
                Certificate::load_pem_chain(pem.trim().as_bytes())
                    .map_err(|e| SignError::InvalidCertificate(format!("chain: {e}")))?
            }
            _ => Vec::new(),
        };
        Signer::new(key, cert, chain)
    }

    /// Use the private key labelled `key` on the PKCS#11 token labelled `token`, through
    /// the module (shared library) at `module`. The certificate is `cert_pem` when given,
    /// else the token's certificate object with the key's `CKA_ID`; either way a test
    /// signature checks that it belongs to the key. `pin`: `None` for a token with a PIN
    /// pad. RSA signatures from a token are deterministic; ECDSA ones are not (tokens pick
    /// random nonces), so two signed files then differ in the signature value only.
    pub fn from_pkcs11(
        module: &std::path::Path,
        token: &str,
        key: &str,
        pin: Option<String>,
        cert_pem: Option<&str>,
        chain_pem: Option<&str>,
    ) -> Result<Signer, SignError> {
        let (token_key, token_cert) = super::pkcs11::TokenKey::open(super::pkcs11::TokenSpec {
            module,
            token,
            key,
            pin: pin.map(Into::into),
        })?;
        let certificate = if cert_pem.is_some() {
            "the certificate given with --sign-cert"
        } else {
            "the token's certificate with the same CKA_ID"
        };
        let cert = match (cert_pem, token_cert) {
            (Some(pem), _) => Certificate::load_pem_chain(pem.trim().as_bytes())
                .map_err(|e| SignError::InvalidCertificate(e.to_string()))?
                .into_iter()
                .next()
                .ok_or_else(|| SignError::InvalidCertificate("no CERTIFICATE block".into()))?,
            (None, Some(der)) => Certificate::from_der(&der).map_err(|e| {
                SignError::InvalidCertificate(format!("the token's certificate: {e}"))
            })?,
            (None, None) => {
                return Err(SignError::TokenCertificateMissing {
                    token: token.into(),
                    key: key.into(),
                });
            }
        };
        let chain = match chain_pem {
            Some(pem) if !pem.trim().is_empty() => {
                Certificate::load_pem_chain(pem.trim().as_bytes())
                    .map_err(|e| SignError::InvalidCertificate(format!("chain: {e}")))?
            }
            _ => Vec::new(),
        };
        Signer::new(SigningKey::Token(Box::new(token_key)), cert, chain).map_err(|e| match e {
            SignError::KeyCertificateMismatch => SignError::TokenKeyCertificateMismatch {
                key: key.into(),
                token: token.into(),
                certificate,
            },
            other => other,
        })
    }

    fn new(
        key: SigningKey,
        cert: Certificate,
        chain: Vec<Certificate>,
    ) -> Result<Signer, SignError> {
        if !key_matches(&key, &cert)? {
            return Err(SignError::KeyCertificateMismatch);
        }
        let cert_der = cert
            .to_der()
            .map_err(|e| SignError::InvalidCertificate(e.to_string()))?;
        // Drop duplicates of the leaf from the chain.
        let chain = chain
            .into_iter()
            .filter(|c| c.to_der().ok().as_deref() != Some(&cert_der[..]))
            .collect();
        Ok(Signer {
            key,
            cert,
            cert_der,
            chain,
        })
    }

    /// The certificate subject's common name, or the whole subject (RFC 4514
    /// form) when it has no CN.
    pub fn signer_name(&self) -> String {
        subject_name(&self.cert)
    }

    /// `"RSA-2048 PKCS#1 v1.5 SHA-256"` or `"ECDSA P-256 SHA-256"`.
    pub fn algorithm_name(&self) -> String {
        match &self.key {
            SigningKey::Rsa(k) => format!("RSA-{} PKCS#1 v1.5 SHA-256", k.size() * 8),
            SigningKey::P256(_) => "ECDSA P-256 SHA-256".into(),
            SigningKey::Token(k) => match k.kind {
                TokenKeyKind::Rsa { modulus_len } => format!(
                    "RSA-{} PKCS#1 v1.5 SHA-256 (token `{}`)",
                    modulus_len * 8,
                    k.token_label
                ),
                TokenKeyKind::P256 => format!("ECDSA P-256 SHA-256 (token `{}`)", k.token_label),
            },
        }
    }

    /// Check that the certificate is valid at `at_unix`. Returns the distinct
    /// [`SignError::CertificateExpired`] or [`SignError::CertificateNotYetValid`].
    pub fn check_validity(&self, at_unix: i64) -> Result<(), SignError> {
        let validity = self.cert.tbs_certificate().validity();
        let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
        let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
        if at_unix > not_after {
            return Err(SignError::CertificateExpired {
                not_after: format_utc(not_after),
                checked_at: format_utc(at_unix),
            });
        }
        if at_unix < not_before {
            return Err(SignError::CertificateNotYetValid {
                not_before: format_utc(not_before),
                checked_at: format_utc(at_unix),
            });
        }
        Ok(())
    }

    /// DER of the signer certificate.
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Sign `message` (the DER of the CMS signed attributes) with SHA-256.
    /// Both schemes are deterministic with a key file: PKCS#1 v1.5 by
    /// construction, ECDSA by RFC 6979 nonces. ECDSA on a token is not.
    pub(crate) fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest = Sha256::digest(message);
        match &self.key {
            SigningKey::Rsa(k) => k
                .sign(rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(), &digest)
                .map_err(|e| SignError::Crypto(e.to_string())),
            SigningKey::P256(k) => {
                use p256::ecdsa::signature::hazmat::PrehashSigner;
                let sig: p256::ecdsa::DerSignature = k
                    .sign_prehash(&digest)
                    .map_err(|e| SignError::Crypto(e.to_string()))?;
                Ok(sig.as_bytes().to_vec())
            }
            SigningKey::Token(k) => k.sign(message, &digest),
        }
    }

    /// Upper bound of the signature value length in bytes.
    pub(crate) fn max_signature_len(&self) -> usize {
        match &self.key {
            SigningKey::Rsa(k) => k.size(),
            SigningKey::P256(_) => 72,
            SigningKey::Token(k) => match k.kind {
                TokenKeyKind::Rsa { modulus_len } => modulus_len,
                TokenKeyKind::P256 => 72,
            },
        }
    }

    /// The CMS signatureAlgorithm OID (parameters: NULL for RSA, absent for ECDSA).
    pub(crate) fn signature_algorithm(&self) -> ObjectIdentifier {
        match &self.key {
            SigningKey::Rsa(_) => OID_RSA_ENCRYPTION,
            SigningKey::P256(_) => OID_ECDSA_SHA256,
            SigningKey::Token(k) => match k.kind {
                TokenKeyKind::Rsa { .. } => OID_RSA_ENCRYPTION,
                TokenKeyKind::P256 => OID_ECDSA_SHA256,
            },
        }
    }
}

/// A certificate's name for display: its common name, else the whole subject, with control
/// characters replaced and at most [`MAX_NAME_CHARS`] characters. Names come from
/// certificates and TSA answers, which are input, and go into PDF strings (a signature's
/// /Name, a field's /TU, which PDF/A caps) and into `verify`'s lines, where a newline could
/// forge a line of its own.
pub(crate) fn subject_name(cert: &Certificate) -> String {
    let subject = cert.tbs_certificate().subject();
    let raw = subject
        .iter()
        .find_map(|atv| {
            (atv.oid == OID_CN)
                .then(|| any_to_string(&atv.value))
                .flatten()
        })
        .unwrap_or_else(|| subject.to_string());
    display_name(&raw)
}

/// At most this many characters of a certificate's name are shown.
pub(crate) const MAX_NAME_CHARS: usize = 256;

fn display_name(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .take(MAX_NAME_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if raw.chars().nth(MAX_NAME_CHARS).is_some() {
        name.push('…');
    }
    name
}

fn any_to_string(any: &der::Any) -> Option<String> {
    let bytes = any.value();
    match any.tag() {
        der::Tag::Utf8String | der::Tag::PrintableString | der::Tag::Ia5String => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        der::Tag::TeletexString => Some(bytes.iter().map(|&b| b as char).collect()),
        der::Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

/// The named curve of a SEC1 `ECPrivateKey`, if it says.
fn sec1_curve(der: &[u8]) -> Result<Option<ObjectIdentifier>, SignError> {
    let key = sec1::EcPrivateKey::try_from(der)
        .map_err(|e| SignError::InvalidKey(format!("SEC1 EC key: {e}")))?;
    Ok(key.parameters.and_then(|p| p.named_curve()))
}

fn key_from_pkcs8(der: &[u8]) -> Result<SigningKey, SignError> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der)
        .map_err(|e| SignError::InvalidKey(format!("PKCS#8: {e}")))?;
    let oid = info.algorithm.oid;
    if oid == OID_RSA_ENCRYPTION {
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .map_err(|e| SignError::InvalidKey(format!("PKCS#8 RSA key: {e}")))?;
        Ok(SigningKey::Rsa(Box::new(key)))
    } else if oid == OID_EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(OID_P256) {
            return Err(SignError::UnsupportedKeyType(format!(
                "EC key on curve {}",
                curve.map_or("(unnamed)".into(), |o| o.to_string())
            )));
        }
        let key = p256::SecretKey::from_pkcs8_der(der)
            .map_err(|e| SignError::InvalidKey(format!("PKCS#8 EC key: {e}")))?;
        Ok(SigningKey::P256(key.into()))
    } else if oid == OID_ED25519 {
        Err(SignError::UnsupportedKeyType("Ed25519".into()))
    } else if oid == OID_ED448 {
        Err(SignError::UnsupportedKeyType("Ed448".into()))
    } else if oid == OID_RSA_PSS {
        Err(SignError::UnsupportedKeyType(
            "RSA-PSS (RSASSA-PSS key)".into(),
        ))
    } else {
        Err(SignError::UnsupportedKeyType(format!("algorithm {oid}")))
    }
}

/// Does the certificate's public key belong to `key`?
fn key_matches(key: &SigningKey, cert: &Certificate) -> Result<bool, SignError> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let spki_der = spki
        .to_der()
        .map_err(|e| SignError::InvalidCertificate(e.to_string()))?;
    let spki_ref = spki::SubjectPublicKeyInfoRef::from_der(&spki_der)
        .map_err(|e| SignError::InvalidCertificate(e.to_string()))?;
    Ok(match key {
        SigningKey::Rsa(k) => match rsa::PublicKey::try_from(spki_ref) {
            Ok(public) => &public == k.as_public_key(),
            Err(_) => false,
        },
        SigningKey::P256(k) => match p256::PublicKey::try_from(spki_ref) {
            Ok(public) => public == p256::PublicKey::from(k.verifying_key()),
            Err(_) => false,
        },
        // The token keeps the public half to itself or in objects that need not exist; a
        // test signature verified with the certificate's key settles it for any token.
        SigningKey::Token(k) => {
            let probe = b"communique: does this certificate belong to the token's key?";
            let digest = Sha256::digest(probe);
            match k.kind {
                TokenKeyKind::Rsa { .. } => match rsa::PublicKey::try_from(spki_ref) {
                    Ok(public) => {
                        let signature = k.sign(probe, &digest)?;
                        public
                            .verify(
                                rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(),
                                &digest,
                                &signature,
                            )
                            .is_ok()
                    }
                    Err(_) => false,
                },
                TokenKeyKind::P256 => match p256::PublicKey::try_from(spki_ref) {
                    Ok(public) => {
                        use p256::ecdsa::signature::hazmat::PrehashVerifier;
                        let signature = k.sign(probe, &digest)?;
                        match p256::ecdsa::DerSignature::from_bytes(&signature) {
                            Ok(sig) => p256::ecdsa::VerifyingKey::from(public)
                                .verify_prehash(&digest, &sig)
                                .is_ok(),
                            Err(_) => false,
                        }
                    }
                    Err(_) => false,
                },
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_name_is_shown_without_control_characters_and_bounded() {
        assert_eq!(display_name("Jane Doe"), "Jane Doe");
        assert_eq!(
            display_name("Jane\nresult:    VALID"),
            "Jane\u{FFFD}result:    VALID"
        );
        let long = display_name(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_NAME_CHARS + 1);
        assert!(long.ends_with('…'));
    }
}

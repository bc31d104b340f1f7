//! Typed errors of the signing module.
//!
//! No variant ever carries a password or key material: messages only name
//! what went wrong.

/// Everything that can go wrong while loading keys, signing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The PKCS#12 file could be parsed, but its integrity check (MAC) failed:
    /// almost always a wrong password.
    #[error("wrong password for the PKCS#12 file (MAC check failed)")]
    WrongPassword,
    /// The PKCS#12 data is not a readable PKCS#12 archive.
    #[error("corrupt or unsupported PKCS#12 file: {0}")]
    CorruptPkcs12(String),
    /// The PKCS#12 archive holds no private key or no certificate for it.
    #[error("the PKCS#12 file holds no {0}")]
    Pkcs12Incomplete(&'static str),
    /// A PEM private key could not be read.
    #[error("cannot read the private key: {0}")]
    InvalidKey(String),
    /// A PEM/DER certificate could not be read.
    #[error("cannot read the certificate: {0}")]
    InvalidCertificate(String),
    /// The private key is of a type this module does not sign with.
    #[error("unsupported key type: {0} (supported: RSA with PKCS#1 v1.5, ECDSA P-256)")]
    UnsupportedKeyType(String),
    /// The private key and the certificate's public key differ.
    #[error("the private key does not match the certificate's public key")]
    KeyCertificateMismatch,
    /// The certificate's validity period ended before the given time.
    #[error("the certificate expired at {not_after} (checked at {checked_at})")]
    CertificateExpired {
        /// End of validity, `YYYY-MM-DD HH:MM:SS UTC`.
        not_after: String,
        /// The time checked, `YYYY-MM-DD HH:MM:SS UTC`.
        checked_at: String,
    },
    /// The certificate's validity period starts after the given time.
    #[error("the certificate is not valid before {not_before} (checked at {checked_at})")]
    CertificateNotYetValid {
        /// Start of validity, `YYYY-MM-DD HH:MM:SS UTC`.
        not_before: String,
        /// The time checked, `YYYY-MM-DD HH:MM:SS UTC`.
        checked_at: String,
    },
    /// The input is not a PDF this module can read.
    #[error("cannot read the PDF: {0}")]
    MalformedPdf(String),
    /// The PDF is readable but lacks something signing needs, or uses a
    /// feature this module does not handle (e.g. cross-reference streams).
    #[error("unsupported PDF structure: {0}")]
    UnsupportedPdf(String),
    /// The requested visible signature does not fit the document.
    #[error("invalid signature options: {0}")]
    InvalidOptions(String),
    /// The PDF holds no signature to verify.
    #[error("the PDF holds no digital signature")]
    NotSigned,
    /// A cryptographic primitive failed while signing.
    #[error("signing failed: {0}")]
    Crypto(String),
    /// A network service (TSA, OCSP responder) could not be reached or
    /// answered with an error.
    #[error("{url}: {reason}")]
    Network {
        /// The address asked.
        url: String,
        /// What went wrong (time-out, refused connection, HTTP status).
        reason: String,
    },
    /// The timestamp authority answered, but not with a usable token.
    #[error("timestamp from {url}: {reason}")]
    Timestamp {
        /// The TSA's address.
        url: String,
        /// What is wrong with the answer.
        reason: String,
    },
    /// The file must not be signed (certified with no changes allowed, not
    /// PDF/A, the field already signed).
    #[error("refusing to sign: {0}")]
    Refused(String),
    /// The PKCS#11 module (`--pkcs11-module`) could not be loaded or initialised.
    #[error("cannot load the PKCS#11 module {module}: {reason}")]
    Pkcs11Module {
        /// The module's path as given.
        module: String,
        /// Why (missing file, not a shared library, initialisation failed).
        reason: String,
    },
    /// No initialised token carries the label given with `--token`.
    #[error("no token labelled `{label}` in {module} (tokens present: {present})")]
    TokenNotFound {
        /// The label asked for.
        label: String,
        /// The module searched.
        module: String,
        /// The labels of the tokens present, or `none`.
        present: String,
    },
    /// The token refused the PIN (CKR_PIN_INCORRECT).
    #[error("wrong PIN for token `{token}` (CKR_PIN_INCORRECT)")]
    WrongPin {
        /// The token's label.
        token: String,
    },
    /// The token's user PIN is locked after too many wrong tries.
    #[error(
        "the PIN of token `{token}` is locked (CKR_PIN_LOCKED); unlock it with the token's own tools"
    )]
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// No private key on the token carries the label given with `--key`.
    #[error("no private key labelled `{label}` on token `{token}` (private keys: {present})")]
    TokenKeyNotFound {
        /// The label asked for.
        label: String,
        /// The token's label.
        token: String,
        /// The labels of the private keys on the token, or `none`.
        present: String,
    },
    /// The token holds no certificate for the key and none was given.
    #[error(
        "token `{token}` holds no certificate with the CKA_ID of key `{key}`: give the \
         certificate with --sign-cert CERT.pem"
    )]
    TokenCertificateMissing {
        /// The token's label.
        token: String,
        /// The key's label.
        key: String,
    },
    /// The certificate (from the token or `--sign-cert`) is not the token key's.
    #[error("key `{key}` on token `{token}` does not match {certificate}")]
    TokenKeyCertificateMismatch {
        /// The key's label.
        key: String,
        /// The token's label.
        token: String,
        /// Which certificate: the token's or the one given.
        certificate: &'static str,
    },
    /// A PKCS#11 call failed.
    #[error("PKCS#11: {operation} failed: {reason}")]
    Pkcs11 {
        /// What was being done.
        operation: String,
        /// The failing call and its return value.
        reason: String,
    },
    /// The CMS object did not fit the reserved /Contents placeholder
    /// (internal sizing error; should not happen).
    #[error("the signature ({needed} bytes) does not fit the reserved space ({reserved} bytes)")]
    PlaceholderTooSmall {
        /// Bytes the CMS object needs.
        needed: usize,
        /// Bytes reserved in the file.
        reserved: usize,
    },
    /// An OCSP responder answered, but not with a usable response.
    #[error("OCSP response from {url}: {reason}")]
    Ocsp {
        /// The responder's address.
        url: String,
        /// What is wrong with the answer.
        reason: String,
    },
    /// A certificate of the signer's chain is revoked (refused with `--strict`).
    #[error("the certificate of {subject} was revoked at {time} (according to {source_name})")]
    Revoked {
        /// Subject of the revoked certificate.
        subject: String,
        /// Revocation time, `YYYY-MM-DD HH:MM:SS UTC`.
        time: String,
        /// Where this comes from: `the OCSP responder http://…`, `the CRL of …`.
        source_name: String,
    },
}

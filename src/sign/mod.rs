//! PAdES baseline B-B digital signatures for communique's PDF/A output.
//!
//! [`sign`] appends an incremental update to a finished krilla PDF: a
//! signature dictionary (`/Filter /Adobe.PPKLite /SubFilter
//! /ETSI.CAdES.detached`) holding a detached CMS SignedData (SHA-256,
//! signed attributes content-type, message-digest and signing-certificate-v2),
//! a signature field merged with its widget annotation, the catalog's
//! `/AcroForm`, the page's `/Annots`, and — for tagged files — a `/Form`
//! structure element with an OBJR to the widget plus the parent-tree entry.
//! The original bytes are left untouched, so the PDF/A and PDF/UA
//! conformance of krilla's output carries over. [`verify`] checks such a
//! signature. See `docs/signing.md`.
//!
//! Everything is deterministic: the same PDF, key, certificate and
//! [`SignOptions`] give the same bytes (RSA PKCS#1 v1.5 is deterministic;
//! ECDSA uses RFC 6979 nonces; the time comes from the options, never
//! from the clock). The exception: ECDSA on a PKCS#11 token (`pkcs11.rs`),
//! whose nonce the token draws; only the signature value then differs.

mod appearance;
mod args;
mod changes;
mod cms;
mod error;
mod fields;
mod http;
mod incremental;
mod labels;
mod ltv;
mod ocsp;
mod pdf;
mod pkcs11;
mod revocation;
mod signer;
mod time;
mod tsa;
mod verify;

pub use args::{LtvArgs, SignArgs, TsaArgs};
pub use error::SignError;
pub use fields::{ReservedField, field_name, reserve_fields};
pub use incremental::{check_pdfa, sign};
pub use labels::Labels;
pub use ltv::{
    LtvOptions, LtvReport, add_document_timestamp, add_dss, add_dss_reporting, extend,
    extend_reporting, read_der_or_pem,
};
pub use signer::Signer;
pub use time::format_utc;
pub use tsa::TsaConfig;
pub use verify::{MAX_SIGNATURES, VerifyReport, verify, verify_all, verify_all_trusting};

/// How to sign.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignOptions {
    /// Signing time in Unix seconds, written as the signature dictionary's
    /// `/M`. Take it from `SOURCE_DATE_EPOCH` or `--sign-time`; never from
    /// the clock, or the output stops being reproducible.
    pub time_unix: i64,
    /// `None`: an invisible signature (zero-size widget on the first page).
    pub visible: Option<VisibleSignature>,
    /// `/Reason` of the signature dictionary.
    pub reason: Option<String>,
    /// `/Location` of the signature dictionary.
    pub location: Option<String>,
    /// Sign this field: an empty signature field of that name is filled, a
    /// signed one is refused, otherwise a new field gets the name. `None`:
    /// the first empty signature field, else a new `SignatureN`.
    pub field: Option<String>,
    /// Ask this RFC 3161 authority for a signature timestamp (PAdES B-T).
    pub tsa: Option<TsaConfig>,
}

/// In a line of [`VisibleSignature::lines`], replaced by the signing time:
/// with a TSA, `Time-stamped YYYY-MM-DD HH:MM:SS UTC by TSA NAME` from a
/// timestamp taken just before signing; otherwise the claimed
/// [`SignOptions::time_unix`] as `YYYY-MM-DD HH:MM:SS UTC`.
pub const SIGNING_TIME: &str = "{signing-time}";

/// In a line of [`VisibleSignature::lines`], replaced by the time of the
/// timestamp taken just before signing (`YYYY-MM-DD HH:MM:SS UTC`); signing
/// without a TSA gives the claimed time. For lines that say who stamped it
/// in their own words (see [`Labels`]).
pub const TSA_TIME: &str = "{tsa-time}";

/// In a line of [`VisibleSignature::lines`], replaced by the TSA's name from
/// the token (empty without a TSA).
pub const TSA_NAME: &str = "{tsa-name}";

/// A visible signature block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisibleSignature {
    /// Zero-based page index.
    pub page_index: usize,
    /// `[x1, y1, x2, y2]` in PDF user space (points, origin bottom-left).
    pub rect: [f32; 4],
    /// Lines drawn in the box, e.g. `"Digitally signed by NAME"`,
    /// `"2026-05-14 12:00 UTC"`. Shaped and set in `fonts` as embedded
    /// subset fonts (see `appearance.rs`); the text is also the field's
    /// `/TU` and the structure element's `/Alt`.
    pub lines: Vec<String>,
    /// The fonts the lines are set in (the layout's regular face first, then
    /// its fallbacks); `None`: the bundled family.
    pub fonts: Option<AppearanceFonts>,
}

/// The font set of a visible signature, shared rather than copied. Two are
/// equal when they are the same set.
#[derive(Clone, Debug)]
pub struct AppearanceFonts(pub std::sync::Arc<crate::font::FontSet>);

impl PartialEq for AppearanceFonts {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Entry points for the mutation harness (`tests/sign_mutate.rs`): the
/// parsers of untrusted input this module has besides the PDF reader.
#[doc(hidden)]
pub mod fuzz {
    /// Check an RFC 3161 response to a request for `imprint`.
    pub fn timestamp_response(answer: &[u8], imprint: &[u8]) -> Result<(), String> {
        super::tsa::parse_response(answer, imprint).map(|_| ())
    }

    /// Decode an OCSP response and check it (signature, responder, CertID,
    /// times) against each certificate it carries, as if that were the issuer.
    pub fn ocsp_response(answer: &[u8]) -> Result<(), String> {
        super::ocsp::parse_and_check_any(answer)
    }
}

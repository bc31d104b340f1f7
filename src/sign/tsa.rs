//! RFC 3161 timestamps: the request, the HTTP exchange and the checks of the
//! answer (status, imprint, nonce, the TSA certificate's timestamping EKU
//! and the token's own signature).
//!
//! The nonce is derived from the imprint, not from the clock or a random
//! source: the same signature asks the same question, so a replayed answer
//! reproduces the signed file byte for byte.

use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence, Tagged as _};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::SignError;
use super::cms::{OID_CONTENT_TYPE, OID_MESSAGE_DIGEST, OID_SHA256, OID_SIGNED_DATA};
use super::time::Civil;
use super::verify::{find_signer_cert, verify_signature};

/// id-ct-TSTInfo.
pub(crate) const OID_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-aa-signatureTimeStampToken (the unsigned attribute of a B-T signature).
pub(crate) const OID_SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-kp-timeStamping.
const OID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// Where and how to ask for timestamps.
#[derive(Clone, PartialEq, Eq)]
pub struct TsaConfig {
    /// `http://` address of the RFC 3161 service.
    pub url: String,
    /// `USER:PASSWORD` for HTTP basic authentication (read from an
    /// environment variable by the CLI, never from its arguments).
    pub credentials: Option<String>,
    /// How long to wait for the whole exchange.
    pub timeout: Duration,
}

impl std::fmt::Debug for TsaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsaConfig")
            .field("url", &self.url)
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

fn default_false() -> bool {
    false
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(default = "default_false")]
    cert_req: bool,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfoOwned,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Any>,
}

/// `PKIStatusInfo` with the free text kept as raw elements (it is only shown).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfoOwned {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Any>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<Int>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    /// Kept raw: GeneralizedTime with fractions of a second is legal here.
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "default_false")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Vec<Any>>,
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    }
}

/// The nonce for an imprint: its first eight bytes as a positive integer.
fn nonce_for(imprint: &[u8]) -> Result<Int, SignError> {
    let mut b =
        Sha256::digest([b"communique-tsa-nonce".as_slice(), imprint].concat())[..8].to_vec();
    // Positive and minimally encoded: a first byte in 0x01..=0x7f.
    b[0] = (b[0] & 0x7f) | 0x01;
    Int::new(&b).map_err(|e| SignError::Crypto(format!("nonce: {e}")))
}

/// The DER of the request for a SHA-256 `imprint`.
pub(crate) fn request(imprint: &[u8]) -> Result<Vec<u8>, SignError> {
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: sha256_alg(),
            hashed_message: OctetString::new(imprint).map_err(der_err)?,
        },
        req_policy: None,
        nonce: Some(nonce_for(imprint)?),
        cert_req: true,
    };
    req.to_der().map_err(der_err)
}

fn der_err(e: der::Error) -> SignError {
    SignError::Crypto(format!("DER: {e}"))
}

/// A checked timestamp token.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// The token (a CMS ContentInfo), as it goes into the signature.
    pub der: Vec<u8>,
    /// The TSA's time, in Unix seconds.
    pub time_unix: i64,
    /// Subject of the TSA certificate.
    pub tsa_name: String,
}

/// Ask the TSA for a token over `imprint` (a SHA-256 digest) and check it.
pub(crate) fn timestamp(config: &TsaConfig, imprint: &[u8]) -> Result<Token, SignError> {
    let body = request(imprint)?;
    let auth = config.credentials.as_deref().map(super::http::basic_auth);
    let answer = super::http::post(
        &config.url,
        "application/timestamp-query",
        &body,
        auth.as_deref(),
        config.timeout,
    )?;
    parse_response(&answer, imprint).map_err(|reason| SignError::Timestamp {
        url: config.url.clone(),
        reason,
    })
}

/// Check a `TimeStampResp` against the question asked.
pub(crate) fn parse_response(answer: &[u8], imprint: &[u8]) -> Result<Token, String> {
    let resp = TimeStampResp::from_der(answer)
        .map_err(|e| format!("the answer is not an RFC 3161 response ({e})"))?;
    if resp.status.status > 1 {
        let text: Vec<String> = resp
            .status
            .status_string
            .iter()
            .flatten()
            .filter_map(|a| a.decode_as::<String>().ok())
            .collect();
        return Err(format!(
            "the TSA refused the request (status {}{})",
            resp.status.status,
            if text.is_empty() {
                String::new()
            } else {
                format!(": {}", text.join("; "))
            }
        ));
    }
    let token = resp
        .time_stamp_token
        .ok_or("the response holds no timestamp token")?
        .to_der()
        .map_err(|e| e.to_string())?;
    let checked = check_token(&token, imprint, true)?;
    Ok(checked)
}

/// Check a timestamp token (a CMS ContentInfo) over `imprint`. With
/// `with_nonce`, the nonce must be the one we send for this imprint (for a
/// fresh answer; a token read back from a file may come from another tool).
pub(crate) fn check_token(token: &[u8], imprint: &[u8], with_nonce: bool) -> Result<Token, String> {
    let ci = ContentInfo::from_der(token).map_err(|e| format!("timestamp token: {e}"))?;
    if ci.content_type != OID_SIGNED_DATA {
        return Err("the timestamp token is not CMS signed data".into());
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("timestamp token: {e}"))?;
    if sd.encap_content_info.econtent_type != OID_TST_INFO {
        return Err("the timestamp token does not hold a TSTInfo".into());
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the timestamp token has no content")?;
    let tst_der = econtent
        .decode_as::<OctetString>()
        .map_err(|e| format!("TSTInfo: {e}"))?;
    let tst = TstInfo::from_der(tst_der.as_bytes()).map_err(|e| format!("TSTInfo: {e}"))?;
    if tst.message_imprint.hash_algorithm.oid != OID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != imprint
    {
        return Err("the token's message imprint does not match the signature".into());
    }
    if with_nonce && tst.nonce.as_ref() != Some(&nonce_for(imprint).map_err(|e| e.to_string())?) {
        return Err("the token's nonce does not match the request".into());
    }
    let time_unix = generalized_time(&tst.gen_time).ok_or("the token's time is malformed")?;

    let certs: Vec<Certificate> = super::cms::certificates(sd.certificates);
    let infos = sd.signer_infos.0.into_vec();
    let [si] = infos.as_slice() else {
        return Err("the timestamp token must have exactly one signer".into());
    };
    let cert = find_signer_cert(si, &certs).ok_or("the TSA certificate is not in the token")?;
    let has_eku = cert
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .ok()
        .flatten()
        .is_some_and(|(_, eku)| eku.0.contains(&OID_KP_TIME_STAMPING));
    if !has_eku {
        return Err("the TSA certificate lacks the timestamping extended key usage".into());
    }
    if si.digest_alg.oid != OID_SHA256 {
        return Err(format!("unsupported token digest {}", si.digest_alg.oid));
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the token has no signed attributes")?;
    let attr = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    if attr(OID_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        != Some(OID_TST_INFO)
    {
        return Err("the token's content-type attribute is not TSTInfo".into());
    }
    let digest = attr(OID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the token has no message-digest attribute")?;
    if digest.as_bytes() != Sha256::digest(tst_der.as_bytes()).as_slice() {
        return Err("the token's message digest does not match its TSTInfo".into());
    }
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    verify_signature(si, cert, &signed).map_err(|e| format!("the token's signature: {e}"))?;
    Ok(Token {
        der: token.to_vec(),
        time_unix,
        tsa_name: super::signer::subject_name(cert),
    })
}

/// `YYYYMMDDHHMMSS[.fff]Z` to Unix seconds (fractions dropped).
pub(crate) fn generalized_time(any: &Any) -> Option<i64> {
    if any.tag() != der::Tag::GeneralizedTime {
        return None;
    }
    let s = std::str::from_utf8(any.value()).ok()?;
    let s = s.strip_suffix('Z')?;
    let whole = s.split('.').next()?;
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| whole[a..b].parse::<u32>().ok();
    let civil = Civil {
        year: i64::from(n(0, 4)?),
        month: n(4, 6)?,
        day: n(6, 8)?,
        hour: n(8, 10)?,
        minute: n(10, 12)?,
        second: n(12, 14)?,
    };
    if !(1..=12).contains(&civil.month)
        || !(1..=31).contains(&civil.day)
        || civil.hour > 23
        || civil.minute > 59
        || civil.second > 60
    {
        return None;
    }
    Some(civil.to_unix())
}

//! OCSP (RFC 6960): the request for one certificate, the HTTP exchange with
//! the responder named in the certificate's AIA extension, and the checks
//! of the answer (status, the BasicOCSPResponse's signature by the issuer or
//! a delegated responder with id-kp-OCSPSigning issued by it, the CertID,
//! thisUpdate/nextUpdate).
//!
//! Hand-written DER on `der`: the RustCrypto `x509-ocsp` release builds on
//! an older `der`/`x509-cert` than the rest of the signing module. The
//! request carries no nonce, so the same certificate always asks the same
//! question (RFC 5019 responders answer from a cache anyway).

use std::time::Duration;

use der::asn1::{BitString, Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence, Tag, Tagged as _};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::name::Name;

use super::SignError;
use super::cms::OID_SHA256;
use super::signer::subject_name;
use super::time::format_utc;

/// id-sha1.
const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-pkix-ocsp-basic.
const OID_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-kp-OCSPSigning.
const OID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// id-ad-ocsp (the access method of an AIA entry).
const OID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// Clock skew tolerated between us and a responder.
const SKEW: i64 = 5 * 60;

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponse {
    /// ENUMERATED, kept raw so an unknown value is an error message, not a decoding failure.
    response_status: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    /// Kept raw: the signature covers these exact bytes.
    tbs_response_data: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    responder_id: Any,
    /// GeneralizedTime, kept raw (fractions of a second occur in the wild).
    produced_at: Any,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Vec<Any>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: Any,
    this_update: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<Any>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<Vec<Any>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevokedInfo {
    revocation_time: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    revocation_reason: Option<Any>,
}

/// What a responder says about one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CertStatus {
    Good,
    /// Revoked at this time (Unix seconds).
    Revoked(i64),
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Responder {
    ByName(Name),
    ByKey(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Single {
    cert_id: CertId,
    status: CertStatus,
    this_update: i64,
    next_update: Option<i64>,
}

/// A decoded, not yet checked, successful OCSP response.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    tbs: Vec<u8>,
    signature_algorithm: ObjectIdentifier,
    signature: Vec<u8>,
    certs: Vec<Certificate>,
    responder: Responder,
    produced_at: i64,
    singles: Vec<Single>,
}

/// A response checked against a certificate.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    pub status: CertStatus,
    /// The delegated responder's certificate, when the issuer did not sign itself.
    pub responder_cert: Option<Certificate>,
}

fn time_of(any: &Any, what: &str) -> Result<i64, String> {
    super::tsa::generalized_time(any).ok_or_else(|| format!("the response's {what} is malformed"))
}

/// Decode an `OCSPResponse`: anything but a successful basic response is an error.
pub(crate) fn parse(der: &[u8]) -> Result<Response, String> {
    let resp = OcspResponse::from_der(der)
        .map_err(|e| format!("the answer is not an OCSP response ({e})"))?;
    if resp.response_status.tag() != Tag::Enumerated {
        return Err("the OCSP response status is not an ENUMERATED".into());
    }
    let status = match resp.response_status.value() {
        [s] => *s,
        _ => return Err("the OCSP response status is malformed".into()),
    };
    if status != 0 {
        let name = match status {
            1 => "malformedRequest",
            2 => "internalError",
            3 => "tryLater",
            5 => "sigRequired",
            6 => "unauthorized",
            _ => "an undefined status",
        };
        return Err(format!(
            "the responder refused the request (status {status}, {name})"
        ));
    }
    let bytes = resp
        .response_bytes
        .ok_or("a successful OCSP response without a response")?;
    if bytes.response_type != OID_OCSP_BASIC {
        return Err(format!(
            "unsupported OCSP response type {}",
            bytes.response_type
        ));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| format!("BasicOCSPResponse: {e}"))?;
    let tbs = basic
        .tbs_response_data
        .to_der()
        .map_err(|e| e.to_string())?;
    let data = ResponseData::from_der(&tbs).map_err(|e| format!("ResponseData: {e}"))?;
    if data.version.is_some_and(|v| v != 0) {
        return Err("unsupported OCSP response version".into());
    }
    let responder = match data.responder_id.tag() {
        Tag::ContextSpecific {
            number,
            constructed: true,
        } if number.value() == 1 => Responder::ByName(
            Name::from_der(data.responder_id.value())
                .map_err(|e| format!("responder name: {e}"))?,
        ),
        Tag::ContextSpecific {
            number,
            constructed: true,
        } if number.value() == 2 => Responder::ByKey(
            OctetString::from_der(data.responder_id.value())
                .map_err(|e| format!("responder key hash: {e}"))?
                .as_bytes()
                .to_vec(),
        ),
        _ => return Err("the responder ID is neither a name nor a key hash".into()),
    };
    let produced_at = time_of(&data.produced_at, "producedAt")?;
    let mut singles = Vec::new();
    for s in data.responses {
        let status = match s.cert_status.tag() {
            Tag::ContextSpecific { number, .. } if number.value() == 0 => CertStatus::Good,
            Tag::ContextSpecific {
                number,
                constructed: true,
            } if number.value() == 1 => {
                // [1] IMPLICIT RevokedInfo: the same contents under a SEQUENCE tag.
                let seq = Any::new(Tag::Sequence, s.cert_status.value())
                    .and_then(|a| a.to_der())
                    .map_err(|e| format!("revoked info: {e}"))?;
                let info = RevokedInfo::from_der(&seq).map_err(|e| format!("revoked info: {e}"))?;
                CertStatus::Revoked(time_of(&info.revocation_time, "revocationTime")?)
            }
            Tag::ContextSpecific { number, .. } if number.value() == 2 => CertStatus::Unknown,
            _ => return Err("a certificate status that is not good, revoked or unknown".into()),
        };
        let this_update = time_of(&s.this_update, "thisUpdate")?;
        let next_update = s
            .next_update
            .as_ref()
            .map(|t| time_of(t, "nextUpdate"))
            .transpose()?;
        if next_update.is_some_and(|n| n < this_update) {
            return Err("the response's nextUpdate is before its thisUpdate".into());
        }
        singles.push(Single {
            cert_id: s.cert_id,
            status,
            this_update,
            next_update,
        });
    }
    if singles.is_empty() {
        return Err("the OCSP response holds no certificate status".into());
    }
    Ok(Response {
        tbs,
        signature_algorithm: basic.signature_algorithm.oid,
        signature: basic
            .signature
            .as_bytes()
            .ok_or("the response signature is not whole bytes")?
            .to_vec(),
        certs: basic.certs.unwrap_or_default(),
        responder,
        produced_at,
        singles,
    })
}

fn issuer_hashes(issuer: &Certificate, alg: ObjectIdentifier) -> Option<(Vec<u8>, Vec<u8>)> {
    let tbs = issuer.tbs_certificate();
    let name = tbs.subject().to_der().ok()?;
    let key = tbs.subject_public_key_info().subject_public_key.raw_bytes();
    if alg == OID_SHA1 {
        Some((Sha1::digest(&name).to_vec(), Sha1::digest(key).to_vec()))
    } else if alg == OID_SHA256 {
        Some((Sha256::digest(&name).to_vec(), Sha256::digest(key).to_vec()))
    } else {
        None
    }
}

fn responder_is(responder: &Responder, cert: &Certificate) -> bool {
    match responder {
        Responder::ByName(n) => cert.tbs_certificate().subject() == n,
        Responder::ByKey(k) => {
            let key = cert
                .tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes();
            Sha1::digest(key).as_slice() == k.as_slice()
        }
    }
}

fn serial_hex(serial: &[u8]) -> String {
    serial.iter().map(|b| format!("{b:02X}")).collect()
}

/// Check `resp` as an answer about the certificate with `serial` issued by
/// `issuer`. With `now`, thisUpdate must not lie in the future and
/// nextUpdate, if given, not in the past (a fresh answer); a response read
/// back from a file is judged by its own times only.
pub(crate) fn check(
    resp: &Response,
    issuer: &Certificate,
    serial: &[u8],
    now: Option<i64>,
) -> Result<Checked, String> {
    let single = resp
        .singles
        .iter()
        .find(|s| {
            issuer_hashes(issuer, s.cert_id.hash_algorithm.oid).is_some_and(|(n, k)| {
                s.cert_id.issuer_name_hash.as_bytes() == n.as_slice()
                    && s.cert_id.issuer_key_hash.as_bytes() == k.as_slice()
                    && s.cert_id.serial_number.as_bytes() == serial
            })
        })
        .ok_or_else(|| {
            format!(
                "the response is not about certificate {} of {}",
                serial_hex(serial),
                subject_name(issuer)
            )
        })?;
    let responder_cert = if responder_is(&resp.responder, issuer) {
        super::verify::verify_with_key(
            &resp.tbs,
            resp.signature_algorithm,
            &resp.signature,
            issuer,
        )
        .map_err(|e| format!("the response's signature by the issuer: {e}"))?;
        None
    } else {
        let delegate = resp
            .certs
            .iter()
            .find(|c| responder_is(&resp.responder, c))
            .ok_or("the response is signed by neither the issuer nor a responder certificate it includes")?;
        if delegate.tbs_certificate().issuer() != issuer.tbs_certificate().subject()
            || super::verify::verify_certificate_signature(delegate, issuer).is_err()
        {
            return Err(format!(
                "the responder certificate {} is not issued by {}",
                subject_name(delegate),
                subject_name(issuer)
            ));
        }
        let ocsp_signing = delegate
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
            .ok()
            .flatten()
            .is_some_and(|(_, eku)| eku.0.contains(&OID_KP_OCSP_SIGNING));
        if !ocsp_signing {
            return Err(format!(
                "the responder certificate {} lacks the OCSP signing extended key usage",
                subject_name(delegate)
            ));
        }
        let v = delegate.tbs_certificate().validity();
        let (nb, na) = (
            v.not_before.to_unix_duration().as_secs() as i64,
            v.not_after.to_unix_duration().as_secs() as i64,
        );
        if resp.produced_at < nb || resp.produced_at > na {
            return Err(format!(
                "the responder certificate {} is not valid at the response's time {}",
                subject_name(delegate),
                format_utc(resp.produced_at)
            ));
        }
        super::verify::verify_with_key(
            &resp.tbs,
            resp.signature_algorithm,
            &resp.signature,
            delegate,
        )
        .map_err(|e| {
            format!(
                "the response's signature by {}: {e}",
                subject_name(delegate)
            )
        })?;
        Some(delegate.clone())
    };
    if let Some(now) = now {
        if single.this_update > now + SKEW {
            return Err(format!(
                "the response's thisUpdate {} is in the future",
                format_utc(single.this_update)
            ));
        }
        if let Some(next) = single.next_update
            && next < now - SKEW
        {
            return Err(format!(
                "the response is stale (nextUpdate {})",
                format_utc(next)
            ));
        }
    }
    Ok(Checked {
        status: single.status,
        responder_cert,
    })
}

/// The DER request about `cert` (issued by `issuer`): one SHA-1 CertID, the
/// form every responder accepts (RFC 5019), no nonce.
pub(crate) fn request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, SignError> {
    let der_err = |e: der::Error| SignError::Crypto(format!("OCSP request: {e}"));
    let (name_hash, key_hash) = issuer_hashes(issuer, OID_SHA1)
        .ok_or_else(|| SignError::Crypto("OCSP request: issuer name".into()))?;
    let req = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: CertId {
                    hash_algorithm: AlgorithmIdentifierOwned {
                        oid: OID_SHA1,
                        parameters: Some(Any::null()),
                    },
                    issuer_name_hash: OctetString::new(name_hash).map_err(der_err)?,
                    issuer_key_hash: OctetString::new(key_hash).map_err(der_err)?,
                    serial_number: Int::new(cert.tbs_certificate().serial_number().as_bytes())
                        .map_err(der_err)?,
                },
            }],
        },
    };
    req.to_der().map_err(der_err)
}

/// The http:// OCSP responder URLs of a certificate's AIA extension.
pub(crate) fn responder_urls(cert: &Certificate) -> Vec<String> {
    use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
    use x509_cert::ext::pkix::name::GeneralName;
    let Ok(Some((_, aia))) = cert
        .tbs_certificate()
        .get_extension::<AuthorityInfoAccessSyntax>()
    else {
        return Vec::new();
    };
    aia.0
        .into_iter()
        .filter(|a| a.access_method == OID_AD_OCSP)
        .filter_map(|a| match a.access_location {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
            _ => None,
        })
        .filter(|u| u.starts_with("http://"))
        .collect()
}

/// Ask `url` about `cert` and check the answer against the clock.
/// Returns the response's DER and what it says.
pub(crate) fn fetch(
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    timeout: Duration,
) -> Result<(Vec<u8>, Checked), SignError> {
    let body = request(cert, issuer)?;
    let answer = super::http::post(url, "application/ocsp-request", &body, None, timeout)?;
    let fail = |reason: String| SignError::Ocsp {
        url: url.into(),
        reason,
    };
    let resp = parse(&answer).map_err(fail)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let checked = check(
        &resp,
        issuer,
        cert.tbs_certificate().serial_number().as_bytes(),
        Some(now),
    )
    .map_err(fail)?;
    Ok((answer, checked))
}

/// Every check a response can undergo without knowing which certificate it
/// is about: decode it, then check it as an answer about its own first
/// CertID's serial against each certificate it carries as the issuer.
pub(crate) fn parse_and_check_any(der: &[u8]) -> Result<(), String> {
    let resp = parse(der)?;
    let serial = resp.singles[0].cert_id.serial_number.as_bytes().to_vec();
    let mut last = Err("the response carries no certificate to check it with".to_string());
    for issuer in &resp.certs {
        last = check(&resp, issuer, &serial, None).map(|_| ());
        if last.is_ok() {
            break;
        }
    }
    last
}

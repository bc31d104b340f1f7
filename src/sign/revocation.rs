//! Revocation status of a certificate from OCSP responses and CRLs, shared
//! by `--ltv` (which refuses or warns about a revoked signer) and `verify`
//! (which reads the DSS and the CMS's own revocation data).

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use super::ocsp::{self, CertStatus};
use super::signer::subject_name;

/// A status and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub status: CertStatus,
    /// `an OCSP response signed by …` or `the CRL of …`; empty when unknown.
    pub source: String,
}

impl Finding {
    pub fn unknown() -> Finding {
        Finding {
            status: CertStatus::Unknown,
            source: String::new(),
        }
    }
}

type Crl = CertificateList<x509_cert::certificate::Rfc5280>;

/// What the CRL `der` says about `cert`, if it is a CRL of `issuer` whose
/// signature verifies with the issuer's key (`None` otherwise).
pub(crate) fn crl_status(der: &[u8], cert: &Certificate, issuer: &Certificate) -> Option<Finding> {
    let crl = Crl::from_der(der).ok()?;
    if crl.tbs_cert_list.issuer != *issuer.tbs_certificate().subject() {
        return None;
    }
    let tbs = crl.tbs_cert_list.to_der().ok()?;
    super::verify::verify_with_key(
        &tbs,
        crl.signature_algorithm.oid,
        crl.signature.as_bytes()?,
        issuer,
    )
    .ok()?;
    let serial = cert.tbs_certificate().serial_number();
    let revoked = crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number.as_bytes() == serial.as_bytes());
    Some(Finding {
        status: match revoked {
            Some(r) => CertStatus::Revoked(r.revocation_date.to_unix_duration().as_secs() as i64),
            None => CertStatus::Good,
        },
        source: format!("the CRL of {}", subject_name(issuer)),
    })
}

/// What the OCSP response `der` says about `cert`, if it is a valid answer
/// about it (`None` otherwise).
pub(crate) fn ocsp_status(der: &[u8], cert: &Certificate, issuer: &Certificate) -> Option<Finding> {
    let resp = ocsp::parse(der).ok()?;
    let checked = ocsp::check(
        &resp,
        issuer,
        cert.tbs_certificate().serial_number().as_bytes(),
        None,
    )
    .ok()?;
    let signer = checked.responder_cert.as_ref().unwrap_or(issuer);
    Some(Finding {
        status: checked.status,
        source: format!("an OCSP response signed by {}", subject_name(signer)),
    })
}

/// The status of `cert` from any of the responses and CRLs: revoked wins
/// over good (a revocation is never undone), good over unknown.
pub(crate) fn status_of(
    cert: &Certificate,
    issuer: &Certificate,
    ocsps: &[Vec<u8>],
    crls: &[Vec<u8>],
) -> Finding {
    let mut best = Finding::unknown();
    let findings = ocsps
        .iter()
        .filter_map(|d| ocsp_status(d, cert, issuer))
        .chain(crls.iter().filter_map(|d| crl_status(d, cert, issuer)));
    for f in findings {
        match (f.status, best.status) {
            (CertStatus::Revoked(_), CertStatus::Revoked(_)) => {}
            (CertStatus::Revoked(_), _) | (CertStatus::Good, CertStatus::Unknown) => best = f,
            _ => {}
        }
    }
    best
}

/// Whether `cert` is self-signed (its own issuer, by name and signature).
pub(crate) fn self_signed(cert: &Certificate) -> bool {
    cert.tbs_certificate().issuer() == cert.tbs_certificate().subject()
        && super::verify::verify_certificate_signature(cert, cert).is_ok()
}

/// The certificate in `pool` that issued `cert` (name and signature).
pub(crate) fn issuer_of<'p>(
    cert: &Certificate,
    pool: &'p [Certificate],
) -> Option<&'p Certificate> {
    pool.iter().find(|c| {
        c.tbs_certificate().subject() == cert.tbs_certificate().issuer()
            && *c != cert
            && super::verify::verify_certificate_signature(cert, c).is_ok()
    })
}

/// `cert` and its issuers up to a self-signed root (excluded) from `pool`,
/// each with its issuer. Stops where no issuer is found.
pub(crate) fn chain_pairs(
    cert: &Certificate,
    pool: &[Certificate],
) -> Vec<(Certificate, Option<Certificate>)> {
    let mut out = Vec::new();
    let mut cur = cert.clone();
    for _ in 0..10 {
        if self_signed(&cur) {
            break;
        }
        let issuer = issuer_of(&cur, pool).cloned();
        out.push((cur.clone(), issuer.clone()));
        match issuer {
            Some(i) => cur = i,
            None => break,
        }
    }
    out
}

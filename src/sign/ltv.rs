//! Long-term validation: a DSS (Document Security Store) with the
//! certificates of every signature and timestamp in the file and the
//! revocation data for them (PAdES B-LT), and a document timestamp after it
//! (B-LTA). Each is a further incremental update, so earlier signatures stay
//! valid; `extend` applies both to a file signed earlier.

use std::collections::BTreeMap;
use std::time::Duration;

use der::{Decode, Encode};
use x509_cert::Certificate;

use super::incremental::{Who, append_update, sign_as};
use super::ocsp::CertStatus;
use super::pdf::{Dict, Document, Obj, Ref};
use super::revocation::Finding;
use super::signer::subject_name;
use super::{SignError, SignOptions, TsaConfig};

/// Where revocation data comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LtvOptions {
    /// DER CRLs given as files (`--crl`).
    pub crls: Vec<Vec<u8>>,
    /// DER OCSP responses given as files (`--ocsp`).
    pub ocsps: Vec<Vec<u8>>,
    /// Also ask the OCSP responders named in the certificates' AIA
    /// extensions, falling back to the CRLs of their distribution points
    /// (http:// only), with this time-out. `None`: offline.
    pub fetch: Option<Duration>,
    /// A revoked certificate in a signature's or timestamp's chain is an
    /// error ([`SignError::Revoked`]) instead of a warning.
    pub strict: bool,
}

/// What [`add_dss_reporting`] noticed besides the file it wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LtvReport {
    /// For people: a responder that failed (and the CRL used instead), a
    /// certificate whose revocation could not be recorded, a revoked
    /// certificate (without `strict`).
    pub warnings: Vec<String>,
}

/// Add a DSS update to `pdf` (signed): every certificate of every signature
/// and timestamp token in the file, and the given and fetched revocation
/// data. An existing DSS is kept and extended. Warnings are dropped; see
/// [`add_dss_reporting`].
pub fn add_dss(pdf: &[u8], options: &LtvOptions) -> Result<Vec<u8>, SignError> {
    add_dss_reporting(pdf, options).map(|(out, _)| out)
}

/// [`add_dss`], and what it noticed on the way.
pub fn add_dss_reporting(
    pdf: &[u8],
    options: &LtvOptions,
) -> Result<(Vec<u8>, LtvReport), SignError> {
    let doc = Document::parse(pdf)?;
    let mut certs = embedded_certificates(&doc)?;
    if certs.is_empty() {
        return Err(SignError::NotSigned);
    }
    let mut report = LtvReport::default();
    let mut crls = options.crls.clone();
    let mut ocsps = options.ocsps.clone();
    let push = |list: &mut Vec<Vec<u8>>, item: Vec<u8>| {
        if !list.contains(&item) {
            list.push(item);
        }
    };
    // Each certificate that is not a root, with its issuer from the file.
    let pool = certs.clone();
    let mut revoked: Vec<SignError> = Vec::new();
    for cert in &pool {
        if super::revocation::self_signed(cert) {
            continue;
        }
        let subject = subject_name(cert);
        let Some(issuer) = super::revocation::issuer_of(cert, &pool) else {
            report.warnings.push(format!(
                "the issuer of {subject}'s certificate is not in the file: its revocation \
                 status cannot be checked (give the chain with --sign-chain)"
            ));
            continue;
        };
        // A fresh answer wins; the files given are checked as well.
        let mut finding = None;
        if let Some(timeout) = options.fetch {
            let ocsp_urls = super::ocsp::responder_urls(cert);
            let crl_list = crl_urls(cert);
            let fallback = if crl_list.is_empty() {
                ""
            } else {
                "; using the CRL instead"
            };
            for url in &ocsp_urls {
                match super::ocsp::fetch(url, cert, issuer, timeout) {
                    Ok((_, checked)) if checked.status == CertStatus::Unknown => {
                        report.warnings.push(format!(
                            "OCSP for {subject}: {url} does not know the certificate{fallback}"
                        ));
                    }
                    Ok((der, checked)) => {
                        push(&mut ocsps, der);
                        if let Some(responder) = checked.responder_cert
                            && !certs.contains(&responder)
                        {
                            certs.push(responder);
                        }
                        finding = Some(Finding {
                            status: checked.status,
                            source: format!("the OCSP responder {url}"),
                        });
                        break;
                    }
                    Err(e) => report
                        .warnings
                        .push(format!("OCSP for {subject}: {e}{fallback}")),
                }
            }
            let fetched_ocsp = finding.is_some();
            if !fetched_ocsp {
                if crl_list.is_empty() {
                    report.warnings.push(format!(
                        "{subject}'s certificate names no OCSP responder{} and no CRL \
                         distribution point: its revocation status is not recorded",
                        if ocsp_urls.is_empty() {
                            ""
                        } else {
                            " that answered"
                        }
                    ));
                }
                for url in crl_list {
                    let crl = super::http::get(&url, timeout)?;
                    if let Some(f) = super::revocation::crl_status(&crl, cert, issuer) {
                        finding = Some(Finding {
                            status: f.status,
                            source: format!("the CRL at {url}"),
                        });
                        push(&mut crls, crl);
                        break;
                    }
                    report.warnings.push(format!(
                        "{url}: not a CRL signed by {}, the issuer of {subject}; ignored",
                        subject_name(issuer)
                    ));
                }
            }
        }
        let from_files = super::revocation::status_of(cert, issuer, &options.ocsps, &options.crls);
        let finding = match (finding, from_files) {
            (
                _,
                f @ Finding {
                    status: CertStatus::Revoked(_),
                    ..
                },
            ) => Some(f),
            (Some(f), _) => Some(f),
            (None, f) if f.status != CertStatus::Unknown => Some(f),
            (None, _) => None,
        };
        if let Some(Finding {
            status: CertStatus::Revoked(at),
            source,
        }) = finding
        {
            revoked.push(SignError::Revoked {
                subject,
                time: super::time::format_utc(at),
                source_name: source,
            });
        }
    }
    if options.strict && !revoked.is_empty() {
        return Err(revoked.swap_remove(0));
    }
    for r in &revoked {
        report.warnings.push(r.to_string());
    }
    if crls.is_empty() && ocsps.is_empty() {
        let mut why = String::from(
            "no revocation data: give --crl or --ocsp files, or certificates with OCSP \
             responders or CRL distribution points",
        );
        for w in &report.warnings {
            why.push_str("\n  ");
            why.push_str(w);
        }
        return Err(SignError::InvalidOptions(why));
    }

    let root_ref = doc.root_ref()?;
    let mut catalog = doc.catalog()?;
    let mut next_num = doc.next_object_number()?;
    let mut objects: BTreeMap<Ref, Obj> = BTreeMap::new();
    let (dss_ref, mut dss) = match catalog.get("DSS") {
        Some(Obj::Ref(r)) => (*r, super::incremental::dict_of(doc.get(*r)?, "DSS")?),
        _ => {
            let r = Ref::new(next_num);
            next_num += 1;
            (r, Dict::default().with("Type", Obj::name("DSS")))
        }
    };
    let mut add = |key: &str, items: Vec<Vec<u8>>, dss: &mut Dict| -> Result<(), SignError> {
        let mut arr = match dss.get(key) {
            Some(o) => doc
                .resolve(o)?
                .as_array()
                .map(<[Obj]>::to_vec)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        // Skip data the DSS already holds.
        let mut have: Vec<Vec<u8>> = Vec::new();
        for o in &arr {
            if let Ok(Obj::Stream(_, data)) = doc.resolve(o) {
                have.push(data);
            }
        }
        for item in items {
            if have.contains(&item) {
                continue;
            }
            let r = Ref::new(next_num);
            next_num += 1;
            objects.insert(r, Obj::Stream(Dict::default(), item.clone()));
            have.push(item);
            arr.push(Obj::Ref(r));
        }
        if !arr.is_empty() {
            dss.set(key, Obj::Array(arr));
        }
        Ok(())
    };
    let cert_ders = certs
        .iter()
        .map(|c| c.to_der().map_err(|e| SignError::Crypto(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    add("Certs", cert_ders, &mut dss)?;
    add("CRLs", crls, &mut dss)?;
    add("OCSPs", ocsps, &mut dss)?;
    objects.insert(dss_ref, Obj::Dict(dss));
    catalog.set("DSS", Obj::Ref(dss_ref));
    objects.insert(root_ref, Obj::Dict(catalog));

    let out = append_update(pdf, &doc, &objects, next_num, b"dss");
    Ok((out, report))
}

/// Add a document timestamp (PAdES B-LTA) from `tsa` over the whole file.
pub fn add_document_timestamp(pdf: &[u8], tsa: &TsaConfig) -> Result<Vec<u8>, SignError> {
    sign_as(pdf, Who::Timestamp(tsa), &SignOptions::default())
}

/// `extend`: a DSS update and, with `archive`, a document timestamp after it.
/// Warnings are dropped; see [`extend_reporting`].
pub fn extend(
    pdf: &[u8],
    ltv: Option<&LtvOptions>,
    archive: Option<&TsaConfig>,
) -> Result<Vec<u8>, SignError> {
    extend_reporting(pdf, ltv, archive).map(|(out, _)| out)
}

/// [`extend`], and what the DSS step noticed.
pub fn extend_reporting(
    pdf: &[u8],
    ltv: Option<&LtvOptions>,
    archive: Option<&TsaConfig>,
) -> Result<(Vec<u8>, LtvReport), SignError> {
    let mut out = pdf.to_vec();
    let mut report = LtvReport::default();
    if let Some(ltv) = ltv {
        let (o, r) = add_dss_reporting(&out, ltv)?;
        out = o;
        report = r;
    }
    if let Some(tsa) = archive {
        out = add_document_timestamp(&out, tsa)?;
    }
    Ok((out, report))
}

/// Certificates of every signature and timestamp token in the file
/// (deduplicated, in order of appearance).
fn embedded_certificates(doc: &Document) -> Result<Vec<Certificate>, SignError> {
    let mut out: Vec<Certificate> = Vec::new();
    for (_, sig_ref) in super::verify::signature_fields(doc)? {
        let Ok(Obj::Dict(sig)) = doc.get(sig_ref) else {
            continue;
        };
        let Some(contents) = sig.get("Contents").and_then(Obj::as_str) else {
            continue;
        };
        let Ok(parsed) = super::cms::parse(contents) else {
            continue;
        };
        let mut found = parsed.certificates.clone();
        for si in &parsed.signer_infos {
            for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
                if attr.oid != super::tsa::OID_SIGNATURE_TIME_STAMP {
                    continue;
                }
                for v in attr.values.iter() {
                    if let Ok(der) = Encode::to_der(v)
                        && let Ok(token) = super::cms::parse(&der)
                    {
                        found.extend(token.certificates);
                    }
                }
            }
        }
        for c in found {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// The http:// URLs of a certificate's CRL distribution points.
fn crl_urls(cert: &Certificate) -> Vec<String> {
    use x509_cert::ext::pkix::CrlDistributionPoints;
    use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
    let Ok(Some((_, points))) = cert
        .tbs_certificate()
        .get_extension::<CrlDistributionPoints>()
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in points.0 {
        if let Some(DistributionPointName::FullName(names)) = p.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(uri) = n {
                    let uri = uri.to_string();
                    if uri.starts_with("http://") {
                        out.push(uri);
                    }
                }
            }
        }
    }
    out
}

/// A CRL or OCSP response file: DER, or PEM (`-----BEGIN X509 CRL-----`).
pub fn read_der_or_pem(bytes: &[u8]) -> Result<Vec<u8>, SignError> {
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| SignError::InvalidOptions("a PEM file that is not text".into()))?;
    let (_, der) = der::pem::decode_vec(text.as_bytes())
        .map_err(|e| SignError::InvalidOptions(format!("PEM: {e}")))?;
    // Parse as a CRL to catch a wrong file early (OCSP responses are DER).
    let _ = x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&der)
        .map_err(|e| SignError::InvalidOptions(format!("not a CRL: {e}")))?;
    Ok(der)
}

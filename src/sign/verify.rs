//! Verifying a signature made by [`super::sign`] (or any PAdES /
//! adbe.pkcs7.detached signature with SHA-256 and RSA or ECDSA P-256).
//!
//! Integrity first: the certificate is taken from the CMS object. With
//! trust anchors, it must also chain to one of them; the revocation status
//! of its chain comes from the DSS and the signature's own revocation data
//! (see [`super::revocation`]).

use std::collections::HashSet;

use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::{Decode, Encode};
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::SignError;
use super::changes::disallowed_changes;
use super::cms::{
    OID_CONTENT_TYPE, OID_DATA, OID_MESSAGE_DIGEST, OID_SHA256, OID_SIGNING_CERTIFICATE_V2,
    SigningCertificateV2,
};
use super::pdf::{Dict, Document, Obj, Ref, decode_text_string, find};
use super::signer::{
    OID_EC_PUBLIC_KEY, OID_ECDSA_SHA256, OID_RSA_ENCRYPTION, OID_SHA256_WITH_RSA, subject_name,
};
use super::time::parse_pdf_date;

/// The outcome of [`verify`] for the document's last signature.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// The signature is intact: the byte range is well formed (starts at 0,
    /// leaves out exactly the /Contents string), the SHA-256 digest of the
    /// covered bytes matches the CMS message-digest, and the CMS signature
    /// verifies with the embedded signer certificate. Bytes appended after
    /// the signed revision do not make it invalid; see
    /// [`VerifyReport::appended_bytes`].
    pub valid: bool,
    /// Why the signature is invalid (`None` when valid).
    pub reason: Option<String>,
    /// Name (`/T`) of the signature field.
    pub field_name: Option<String>,
    /// Signer certificate subject CN (or full subject).
    pub signer_name: Option<String>,
    /// Signing time from the signature dictionary's /M (Unix seconds).
    pub signing_time_unix: Option<i64>,
    /// E.g. `"RSA PKCS#1 v1.5 with SHA-256"` or `"ECDSA P-256 with SHA-256"`.
    pub algorithm: Option<String>,
    /// `/SubFilter` of the signature dictionary.
    pub sub_filter: Option<String>,
    /// The signature dictionary's `/ByteRange`.
    pub byte_range: Vec<i64>,
    /// The byte range starts at 0 and its gap is exactly the /Contents hex
    /// string.
    pub byte_range_excludes_only_contents: bool,
    /// Bytes after the end of the signed revision (0: the signature covers
    /// the whole file except its /Contents).
    pub appended_bytes: u64,
    /// Number of signature fields with a value in the document.
    pub signature_count: usize,
    /// The revision this signature covers (1-based, counted by `%%EOF`
    /// markers) and the file's number of revisions.
    pub revision: usize,
    /// Number of revisions of the file.
    pub revisions: usize,
    /// What revisions appended after this signature changed beyond adding
    /// signatures, signature fields, the DSS and document timestamps (the
    /// incremental saving and shadow attacks). Not empty makes the
    /// signature not valid.
    pub changed_after_signing: Vec<String>,
    /// What the later revisions did, when there are some and they only made
    /// allowed changes: LTA updates, form filling, or signature fields with
    /// structure elements (the last is what pyHanko reports as `OTHER`).
    pub later_changes: Option<String>,
    /// `"signature"`, or `"document timestamp"` (/SubFilter /ETSI.RFC3161).
    pub kind: String,
    /// The time from an RFC 3161 token: the signature timestamp (B-T) or
    /// the document timestamp itself. Unix seconds.
    pub timestamp_unix: Option<i64>,
    /// Subject of the timestamp authority's certificate.
    pub timestamp_authority: Option<String>,
    /// PAdES baseline level this signature reaches on its own: `B-B`, or
    /// `B-T` with a valid signature timestamp. `None` for document
    /// timestamps and invalid signatures.
    pub level: Option<String>,
    /// With trust anchors given: whether the signer certificate chains to
    /// one of them (through the CMS and DSS certificates, each signature
    /// checked, each certificate valid at the signing time). `None`: no
    /// anchors given, or a document timestamp.
    pub trusted: Option<bool>,
    /// Revocation status of the signer's certificate chain according to the
    /// DSS and the signature's own revocation data (CMS CRLs, Adobe's
    /// revocation-info attribute): `good`, `revoked` or `unknown` (no data
    /// for some certificate). `None` for document timestamps. A revocation
    /// before the signing time (the timestamp's, else the claimed one) makes
    /// the signature not valid; a later one is only reported.
    pub revocation: Option<String>,
    /// When the revoked certificate was revoked (Unix seconds).
    pub revoked_at_unix: Option<i64>,
    /// Subject of the revoked certificate (the signer's or one of its chain).
    pub revoked_certificate: Option<String>,
    /// Where the status comes from (an OCSP response and its signer, or a CRL and its issuer).
    pub revocation_source: Option<String>,
}

/// What a signature carries for its own validation: the signer certificate,
/// the CMS certificates, and revocation data inside the CMS.
#[derive(Default)]
pub(crate) struct SignerData {
    cert: Option<Certificate>,
    certs: Vec<Certificate>,
    ocsps: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
}

/// adbe-revocationInfoArchival (a signed attribute Acrobat writes).
const OID_ADBE_REVOCATION: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl: Option<Vec<der::Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp: Option<Vec<der::Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    other: Option<Vec<der::Any>>,
}

impl VerifyReport {
    /// Valid and nothing appended after signing.
    pub fn covers_whole_file(&self) -> bool {
        self.valid && self.appended_bytes == 0
    }
}

/// More signatures than this in one file are refused: each one may need its
/// signed revision read again.
pub const MAX_SIGNATURES: usize = 64;

/// Verify the last signature of `pdf`. A readable PDF with a bad signature
/// gives `Ok` with `valid: false`; unreadable input or a PDF without a
/// signature gives `Err`.
pub fn verify(pdf: &[u8]) -> Result<VerifyReport, SignError> {
    verify_all(pdf)?.pop().ok_or(SignError::NotSigned)
}

/// Verify every signature of `pdf`, in the order they were made (by the end
/// of the revision each covers).
pub fn verify_all(pdf: &[u8]) -> Result<Vec<VerifyReport>, SignError> {
    verify_all_trusting(pdf, &[])
}

/// [`verify_all`], and with `anchors` (DER certificates) not empty, each
/// signature must also chain to one of them, or it is not valid.
pub fn verify_all_trusting(
    pdf: &[u8],
    anchors: &[Vec<u8>],
) -> Result<Vec<VerifyReport>, SignError> {
    let anchors: Vec<Certificate> = anchors
        .iter()
        .map(|d| Certificate::from_der(d))
        .collect::<Result<_, _>>()
        .map_err(|e| SignError::InvalidCertificate(format!("trust anchor: {e}")))?;
    let doc = Document::parse(pdf)?;
    let dss_certs = dss_certificates(&doc);
    let dss = DssData {
        certs: dss_certs.clone(),
        ocsps: dss_streams(&doc, "OCSPs"),
        crls: dss_streams(&doc, "CRLs"),
    };
    let sigs = signature_fields(&doc)?;
    if sigs.is_empty() {
        return Err(SignError::NotSigned);
    }
    if sigs.len() > MAX_SIGNATURES {
        return Err(SignError::UnsupportedPdf(format!(
            "{} signatures (at most {MAX_SIGNATURES} are checked)",
            sigs.len()
        )));
    }
    let eofs = eof_ends(pdf);
    let signature_count = sigs.len();
    let mut revisions_read: Vec<(usize, Result<Vec<String>, String>)> = Vec::new();
    let mut reports = Vec::new();
    for (field, sig_ref) in sigs {
        // A field whose value is gone or not a dictionary is a signature that cannot be
        // valid, not a file that cannot be read: the other signatures still get a verdict.
        let (sig, missing) = match doc.get(sig_ref) {
            Ok(Obj::Dict(d)) => (d, None),
            Ok(_) => (Dict(Vec::new()), Some("is not a dictionary")),
            Err(_) => (Dict(Vec::new()), Some("is not in the file")),
        };
        let mut signer = SignerData::default();
        let mut report = check_one(&doc, field, &sig, sig_ref, signature_count, &mut signer);
        if let Some(why) = missing {
            report.valid = false;
            report.reason = Some(format!(
                "its signature dictionary {} {} R {why}",
                sig_ref.num, sig_ref.generation
            ));
        }
        if report.kind == "signature"
            && let Some(cert) = &signer.cert
        {
            judge_revocation(&mut report, cert, &signer, &dss, &anchors);
        }
        if !anchors.is_empty()
            && report.valid
            && let Some(cert) = signer.cert
        {
            let mut pool = signer.certs;
            pool.extend(dss_certs.iter().cloned());
            let at = report.timestamp_unix.or(report.signing_time_unix);
            match chain_to_anchor(&cert, &pool, &anchors, at) {
                Ok(()) => report.trusted = Some(true),
                Err(why) => {
                    report.trusted = Some(false);
                    report.valid = false;
                    report.reason = Some(format!("not trusted: {why}"));
                }
            }
        }
        report.revisions = eofs.len();
        let end = signed_end(&report.byte_range);
        report.revision = eofs.iter().filter(|&&e| e <= end.unwrap_or(0)).count();
        if report.valid
            && let Some(end) = end
            && end < pdf.len()
        {
            let changes = match revisions_read.iter().find(|(e, _)| *e == end) {
                Some((_, c)) => c.clone(),
                None => {
                    let c = Document::parse(&pdf[..end])
                        .and_then(|signed| disallowed_changes(&signed, &doc))
                        .map_err(|e| format!("the signed revision cannot be read: {e}"));
                    revisions_read.push((end, c.clone()));
                    c
                }
            };
            match changes {
                Ok(c) if c.is_empty() => {
                    report.later_changes = Document::parse(&pdf[..end])
                        .and_then(|signed| super::changes::modification(&signed, &doc))
                        .ok()
                        .map(|m| m.describe().to_string());
                }
                Ok(c) => {
                    report.valid = false;
                    report.reason = Some(format!(
                        "a revision appended after signing changed {}",
                        c.join("; ")
                    ));
                    report.changed_after_signing = c;
                }
                Err(e) => {
                    report.valid = false;
                    report.reason = Some(e);
                }
            }
        }
        reports.push((end.unwrap_or(0), report));
    }
    reports.sort_by_key(|(end, _)| *end);
    let mut reports: Vec<VerifyReport> = reports.into_iter().map(|(_, r)| r).collect();
    // B-LT: a B-T signature, revocation data in a DSS, and that data
    // covers the signer's chain (its status is known); B-LTA: and a valid
    // document timestamp in a later revision.
    let has_revocation_data = doc
        .catalog()
        .ok()
        .and_then(|c| doc.resolve_key(&c, "DSS").ok().flatten())
        .and_then(|d| d.as_dict().cloned())
        .is_some_and(|dss| {
            ["CRLs", "OCSPs"].iter().any(|k| {
                doc.resolve_key(&dss, k)
                    .ok()
                    .flatten()
                    .is_some_and(|a| a.as_array().is_some_and(|a| !a.is_empty()))
            })
        });
    let doc_timestamps: Vec<usize> = reports
        .iter()
        .filter(|r| r.valid && r.kind == "document timestamp")
        .map(|r| r.revision)
        .collect();
    for r in &mut reports {
        if r.level.as_deref() == Some("B-T")
            && has_revocation_data
            && r.revocation.as_deref() != Some("unknown")
        {
            let archived = doc_timestamps.iter().any(|&t| t > r.revision + 1);
            r.level = Some(if archived { "B-LTA" } else { "B-LT" }.into());
        }
    }
    Ok(reports)
}

/// The end of the signed revision, `c + d` of the byte range, if it is a
/// well-formed range (no overflow, no negative numbers).
fn signed_end(br: &[i64]) -> Option<usize> {
    match br {
        [0, b, c, d] if *b >= 0 && c >= b && *d >= 0 => usize::try_from(c.checked_add(*d)?).ok(),
        _ => None,
    }
}

/// Offsets just past each `%%EOF` marker (and its end of line): the ends of
/// the file's revisions.
fn eof_ends(pdf: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find(pdf, b"%%EOF", from) {
        let mut end = p + 5;
        if pdf.get(end) == Some(&b'\r') {
            end += 1;
        }
        if pdf.get(end) == Some(&b'\n') {
            end += 1;
        }
        out.push(end);
        from = p + 5;
    }
    out
}

fn check_one(
    doc: &Document,
    field: Dict,
    sig: &Dict,
    sig_ref: Ref,
    signature_count: usize,
    signer: &mut SignerData,
) -> VerifyReport {
    let mut report = VerifyReport {
        valid: false,
        reason: None,
        field_name: field.get("T").and_then(Obj::as_str).map(decode_text_string),
        signer_name: None,
        signing_time_unix: sig.get("M").and_then(Obj::as_str).and_then(parse_pdf_date),
        algorithm: None,
        sub_filter: sig
            .get("SubFilter")
            .and_then(Obj::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned()),
        byte_range: byte_range(sig).unwrap_or_default(),
        byte_range_excludes_only_contents: false,
        appended_bytes: 0,
        signature_count,
        revision: 0,
        revisions: 0,
        changed_after_signing: Vec::new(),
        later_changes: None,
        kind: "signature".into(),
        timestamp_unix: None,
        timestamp_authority: None,
        level: None,
        trusted: None,
        revocation: None,
        revoked_at_unix: None,
        revoked_certificate: None,
        revocation_source: None,
    };
    if let Err(reason) = check(doc, sig, sig_ref, &mut report, signer) {
        report.valid = false;
        report.reason = Some(reason);
    } else {
        report.valid = true;
        if report.kind == "signature" {
            report.level = Some(
                if report.timestamp_unix.is_some() {
                    "B-T"
                } else {
                    "B-B"
                }
                .into(),
            );
        }
    }
    report
}

fn byte_range(sig: &Dict) -> Option<Vec<i64>> {
    sig.get("ByteRange")?
        .as_array()?
        .iter()
        .map(Obj::as_int)
        .collect()
}

/// (field dictionary, signature dictionary reference) for every signed
/// signature field reachable from /AcroForm /Fields.
pub(crate) fn signature_fields(doc: &Document) -> Result<Vec<(Dict, Ref)>, SignError> {
    let catalog = doc.catalog()?;
    let Some(fields) = doc.acroform_fields(&catalog)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut stack: Vec<Obj> = fields.as_array().unwrap_or(&[]).to_vec();
    // Each field object is read once, however often /Fields and /Kids list
    // it: a field that lists itself costs one visit, not thousands.
    let mut seen: HashSet<Ref> = HashSet::new();
    while let Some(f) = stack.pop() {
        if let Obj::Ref(r) = f
            && !seen.insert(r)
        {
            continue;
        }
        let Some(d) = doc.resolve(&f)?.as_dict().cloned() else {
            continue;
        };
        if let Some(kids) = doc.resolve_key(&d, "Kids")? {
            stack.extend(kids.as_array().unwrap_or(&[]).iter().cloned());
        }
        if d.name_is("FT", "Sig")
            && let Some(r) = d.get("V").and_then(Obj::as_ref)
            && !out.iter().any(|(_, s)| *s == r)
        {
            out.push((d, r));
        }
    }
    Ok(out)
}

fn check(
    doc: &Document,
    sig: &Dict,
    sig_ref: Ref,
    report: &mut VerifyReport,
    signer: &mut SignerData,
) -> Result<(), String> {
    let data = doc.data;
    let len = data.len() as i64;
    let br = &report.byte_range;
    if br.len() != 4 || br.iter().any(|&v| v < 0) {
        return Err("the /ByteRange is not four non-negative integers".into());
    }
    let (a, b, c, d) = (br[0], br[1], br[2], br[3]);
    if a != 0 {
        return Err("the /ByteRange does not start at byte 0".into());
    }
    let end = c.checked_add(d);
    if b > c || end.is_none_or(|e| e > len) {
        return Err("the /ByteRange points outside the file".into());
    }
    let end = end.unwrap_or(len);
    report.appended_bytes = (len - end) as u64;
    // The gap must be exactly this signature's /Contents hex string.
    let (gap_start, gap_end) = (b as usize, c as usize);
    let gap_is_hex = gap_end >= gap_start + 2
        && data[gap_start] == b'<'
        && data[gap_end - 1] == b'>'
        && data[gap_start + 1..gap_end - 1]
            .iter()
            .all(u8::is_ascii_hexdigit);
    let contents_at = doc
        .offset_of(sig_ref.num)
        .and_then(|off| find(data, b"/Contents", off))
        .map(|p| {
            let mut p = p + b"/Contents".len();
            while p < data.len() && data[p].is_ascii_whitespace() {
                p += 1;
            }
            p
        });
    report.byte_range_excludes_only_contents = gap_is_hex && contents_at == Some(gap_start);
    if !report.byte_range_excludes_only_contents {
        return Err("the /ByteRange gap is not exactly the signature's /Contents string".into());
    }
    let contents = sig
        .get("Contents")
        .and_then(Obj::as_str)
        .ok_or("the signature dictionary has no /Contents string")?;

    let mut hasher = Sha256::new();
    hasher.update(&data[..gap_start]);
    hasher.update(&data[gap_end..end as usize]);
    let digest = hasher.finalize();

    if report.sub_filter.as_deref() == Some("ETSI.RFC3161") {
        report.kind = "document timestamp".into();
        let len = super::cms::first_tlv_len(contents).ok_or("the /Contents value is not DER")?;
        let token = super::tsa::check_token(&contents[..len], &digest, false)
            .map_err(|e| format!("document timestamp: {e}"))?;
        report.signer_name = Some(token.tsa_name.clone());
        report.timestamp_authority = Some(token.tsa_name);
        report.timestamp_unix = Some(token.time_unix);
        report.algorithm = Some("RFC 3161 timestamp over SHA-256".into());
        return Ok(());
    }
    let parsed = super::cms::parse(contents)?;
    if parsed.signer_infos.len() != 1 {
        return Err(format!(
            "the CMS object has {} SignerInfos (exactly one expected)",
            parsed.signer_infos.len()
        ));
    }
    let si = &parsed.signer_infos[0];
    let cert = find_signer_cert(si, &parsed.certificates)
        .ok_or("the signer certificate is not in the CMS object")?;
    report.signer_name = Some(subject_name(cert));
    signer.cert = Some(cert.clone());
    signer.certs = parsed.certificates.clone();
    signer.crls = parsed.crls.clone();
    if let Some(archival) = si.signed_attrs.as_ref().and_then(|attrs| {
        attrs
            .iter()
            .find(|a| a.oid == OID_ADBE_REVOCATION)
            .and_then(|a| a.values.iter().next())
            .and_then(|v| v.decode_as::<RevocationInfoArchival>().ok())
    }) {
        for (list, into) in [
            (archival.crl, &mut signer.crls),
            (archival.ocsp, &mut signer.ocsps),
        ] {
            into.extend(list.iter().flatten().filter_map(|a| a.to_der().ok()));
        }
    }

    if si.digest_alg.oid != OID_SHA256 {
        return Err(format!(
            "unsupported digest algorithm {}",
            si.digest_alg.oid
        ));
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the CMS SignerInfo has no signed attributes")?;
    let attr = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let content_type = attr(OID_CONTENT_TYPE).ok_or("no content-type signed attribute")?;
    if content_type.decode_as::<der::asn1::ObjectIdentifier>().ok() != Some(OID_DATA) {
        return Err("the content-type signed attribute is not id-data".into());
    }
    let message_digest = attr(OID_MESSAGE_DIGEST)
        .ok_or("no message-digest signed attribute")?
        .decode_as::<OctetString>()
        .map_err(|e| format!("message-digest attribute: {e}"))?;
    if message_digest.as_bytes() != digest.as_slice() {
        return Err("the document digest does not match the signed message-digest (the signed bytes were modified)".into());
    }
    let is_cades = report.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
    match attr(OID_SIGNING_CERTIFICATE_V2) {
        Some(v) => {
            let scv2: SigningCertificateV2 = v
                .decode_as()
                .map_err(|e| format!("signing-certificate-v2 attribute: {e}"))?;
            let first = scv2.certs.first().ok_or("empty signing-certificate-v2")?;
            let alg = first.hash_algorithm.as_ref().map_or(OID_SHA256, |a| a.oid);
            if alg != OID_SHA256 {
                return Err(format!("unsupported signing-certificate-v2 hash {alg}"));
            }
            let cert_der = cert.to_der().map_err(|e| e.to_string())?;
            if first.cert_hash.as_bytes() != Sha256::digest(&cert_der).as_slice() {
                return Err("signing-certificate-v2 does not match the signer certificate".into());
            }
        }
        None if is_cades => {
            return Err("no signing-certificate-v2 attribute (required by PAdES)".into());
        }
        None => {}
    }
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    report.algorithm = Some(verify_signature(si, cert, &signed)?);
    let token = si.unsigned_attrs.as_ref().and_then(|attrs| {
        attrs
            .iter()
            .find(|a| a.oid == super::tsa::OID_SIGNATURE_TIME_STAMP)
            .and_then(|a| a.values.iter().next())
    });
    if let Some(token) = token {
        let token = token.to_der().map_err(|e| e.to_string())?;
        let imprint = Sha256::digest(si.signature.as_bytes());
        let token = super::tsa::check_token(&token, &imprint, false)
            .map_err(|e| format!("the signature timestamp: {e}"))?;
        report.timestamp_unix = Some(token.time_unix);
        report.timestamp_authority = Some(token.tsa_name);
    }
    Ok(())
}

/// Check the SignerInfo's signature over `signed` (the DER of its signed
/// attributes) with `cert`'s key; on success, the algorithm's name.
pub(crate) fn verify_signature(
    si: &SignerInfo,
    cert: &Certificate,
    signed: &[u8],
) -> Result<String, String> {
    let signature = si.signature.as_bytes();
    let spki = cert.tbs_certificate().subject_public_key_info();
    let spki_der = spki.to_der().map_err(|e| e.to_string())?;
    let spki_ref = spki::SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(|e| e.to_string())?;
    let sig_alg = si.signature_algorithm.oid;
    let signed_digest = Sha256::digest(signed);
    if sig_alg == OID_RSA_ENCRYPTION || sig_alg == OID_SHA256_WITH_RSA {
        if spki.algorithm.oid != OID_RSA_ENCRYPTION {
            return Err("RSA signature but the certificate key is not RSA".into());
        }
        let public =
            rsa::PublicKey::try_from(spki_ref).map_err(|e| format!("certificate RSA key: {e}"))?;
        public
            .verify(
                rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(),
                &signed_digest,
                signature,
            )
            .map_err(|_| {
                "the RSA signature does not verify with the certificate's key".to_string()
            })?;
        Ok(format!(
            "RSA-{} PKCS#1 v1.5 with SHA-256",
            public.size() * 8
        ))
    } else if sig_alg == OID_ECDSA_SHA256 {
        if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
            return Err("ECDSA signature but the certificate key is not EC".into());
        }
        let public = p256::PublicKey::try_from(spki_ref)
            .map_err(|e| format!("certificate key is not P-256: {e}"))?;
        let vk = p256::ecdsa::VerifyingKey::from(public);
        let sig = p256::ecdsa::DerSignature::from_bytes(signature)
            .map_err(|e| format!("malformed ECDSA signature: {e}"))?;
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        vk.verify_prehash(&signed_digest, &sig).map_err(|_| {
            "the ECDSA signature does not verify with the certificate's key".to_string()
        })?;
        Ok("ECDSA P-256 with SHA-256".into())
    } else {
        Err(format!("unsupported signature algorithm {sig_alg}"))
    }
}

pub(crate) fn find_signer_cert<'c>(
    si: &SignerInfo,
    certs: &'c [Certificate],
) -> Option<&'c Certificate> {
    certs.iter().find(|c| match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate().issuer() == &ias.issuer
                && c.tbs_certificate().serial_number() == &ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, k)| k == *ski),
    })
}

/// The DSS's certificates and revocation data.
pub(crate) struct DssData {
    certs: Vec<Certificate>,
    ocsps: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
}

/// The streams of the DSS array `key` (`OCSPs`, `CRLs`), decoded.
fn dss_streams(doc: &Document, key: &str) -> Vec<Vec<u8>> {
    let Some(Obj::Dict(dss)) = doc
        .catalog()
        .ok()
        .and_then(|c| doc.resolve_key(&c, "DSS").ok().flatten())
    else {
        return Vec::new();
    };
    let Ok(Some(Obj::Array(items))) = doc.resolve_key(&dss, key) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|c| match doc.resolve(c) {
            Ok(Obj::Stream(_, data)) => Some(data),
            _ => None,
        })
        .collect()
}

/// Fill in the report's revocation status for the signer `cert` and its
/// chain; a revocation before the signing time makes it not valid.
fn judge_revocation(
    report: &mut VerifyReport,
    cert: &Certificate,
    signer: &SignerData,
    dss: &DssData,
    anchors: &[Certificate],
) {
    use super::ocsp::CertStatus;
    use super::revocation::{chain_pairs, status_of};
    let pool: Vec<Certificate> = signer
        .certs
        .iter()
        .chain(&dss.certs)
        .chain(anchors)
        .cloned()
        .collect();
    let ocsps: Vec<Vec<u8>> = dss.ocsps.iter().chain(&signer.ocsps).cloned().collect();
    let crls: Vec<Vec<u8>> = dss.crls.iter().chain(&signer.crls).cloned().collect();
    let pairs = chain_pairs(cert, &pool);
    let mut all_good = !pairs.is_empty();
    let mut source = None;
    for (c, issuer) in &pairs {
        let Some(issuer) = issuer else {
            all_good = false;
            break;
        };
        let f = status_of(c, issuer, &ocsps, &crls);
        match f.status {
            CertStatus::Revoked(at) => {
                report.revocation = Some("revoked".into());
                report.revoked_at_unix = Some(at);
                report.revoked_certificate = Some(subject_name(c));
                report.revocation_source = Some(f.source.clone());
                let signed_at = report.timestamp_unix.or(report.signing_time_unix);
                if report.valid && signed_at.is_none_or(|t| at <= t) {
                    report.valid = false;
                    report.level = None;
                    report.reason = Some(format!(
                        "the certificate of {} was revoked at {}, before the signing time{} \
                         (according to {})",
                        subject_name(c),
                        super::time::format_utc(at),
                        signed_at
                            .map(|t| format!(" {}", super::time::format_utc(t)))
                            .unwrap_or_default(),
                        f.source
                    ));
                }
                return;
            }
            CertStatus::Good => {
                if source.is_none() {
                    source = Some(f.source);
                }
            }
            CertStatus::Unknown => all_good = false,
        }
    }
    if all_good {
        report.revocation = Some("good".into());
        report.revocation_source = source;
    } else {
        report.revocation = Some("unknown".into());
    }
}

/// The certificates in the file's DSS.
fn dss_certificates(doc: &Document) -> Vec<Certificate> {
    dss_streams(doc, "Certs")
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect()
}

/// Follow issuers from `cert` through `pool` to one of `anchors`, checking
/// each certificate's signature with its issuer's key and, when `at` is
/// known, its validity period.
fn chain_to_anchor(
    cert: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: Option<i64>,
) -> Result<(), String> {
    let mut cur = cert.clone();
    for _ in 0..10 {
        if let Some(t) = at {
            let v = cur.tbs_certificate().validity();
            let (nb, na) = (
                v.not_before.to_unix_duration().as_secs() as i64,
                v.not_after.to_unix_duration().as_secs() as i64,
            );
            if t < nb || t > na {
                return Err(format!(
                    "{} is not valid at {}",
                    subject_name(&cur),
                    super::time::format_utc(t)
                ));
            }
        }
        if anchors.contains(&cur) {
            return Ok(());
        }
        let issuer_name = cur.tbs_certificate().issuer();
        let issuer = anchors
            .iter()
            .chain(pool.iter())
            .filter(|c| c.tbs_certificate().subject() == issuer_name && **c != cur)
            .find(|c| verify_certificate_signature(&cur, c).is_ok())
            .ok_or_else(|| {
                format!(
                    "no issuer of {} among the trust anchors and embedded certificates",
                    subject_name(&cur)
                )
            })?;
        cur = issuer.clone();
    }
    Err("the certificate chain is too long".into())
}

pub(crate) fn verify_certificate_signature(
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<(), String> {
    let tbs = cert.tbs_certificate().to_der().map_err(|e| e.to_string())?;
    let signature = cert
        .signature()
        .as_bytes()
        .ok_or("the certificate signature is not whole bytes")?;
    verify_with_key(&tbs, cert.signature_algorithm().oid, signature, issuer)
}

/// Check `signature` (algorithm `alg`: SHA-256 with RSA PKCS#1 v1.5 or
/// ECDSA) over `tbs` with `key_cert`'s public key: certificates, CRLs and
/// OCSP responses are all signed this way.
pub(crate) fn verify_with_key(
    tbs: &[u8],
    alg: der::asn1::ObjectIdentifier,
    signature: &[u8],
    key_cert: &Certificate,
) -> Result<(), String> {
    let spki = key_cert.tbs_certificate().subject_public_key_info();
    let spki_der = spki.to_der().map_err(|e| e.to_string())?;
    let spki_ref = spki::SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(|e| e.to_string())?;
    let digest = Sha256::digest(tbs);
    if alg == OID_SHA256_WITH_RSA {
        let public = rsa::PublicKey::try_from(spki_ref).map_err(|e| e.to_string())?;
        public
            .verify(
                rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(),
                &digest,
                signature,
            )
            .map_err(|_| "bad RSA signature".to_string())
    } else if alg == OID_ECDSA_SHA256 {
        let public = p256::PublicKey::try_from(spki_ref).map_err(|e| e.to_string())?;
        let vk = p256::ecdsa::VerifyingKey::from(public);
        let sig = p256::ecdsa::DerSignature::from_bytes(signature).map_err(|e| e.to_string())?;
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        vk.verify_prehash(&digest, &sig)
            .map_err(|_| "bad ECDSA signature".to_string())
    } else {
        Err(format!("unsupported signature algorithm {alg}"))
    }
}

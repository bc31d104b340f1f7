//! CMS SignedData for PAdES baseline B-B (ETSI EN 319 142-1, ETSI.CAdES.detached).
//!
//! Detached (no eContent), SHA-256, signed attributes: content-type,
//! message-digest and signing-certificate-v2 (RFC 5035). No CMS signing-time:
//! PAdES puts the time in the signature dictionary's /M.

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::SignError;
use super::signer::{OID_RSA_ENCRYPTION, Signer};

pub(crate) const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const OID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const OID_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const OID_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const OID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const OID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// RFC 5035 `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// RFC 5035 `ESSCertIDv2`; `hash_algorithm` is DEFAULT id-sha256, so it is
/// omitted when SHA-256 (DER forbids encoding a default value).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 `SigningCertificateV2`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

fn der_err(e: der::Error) -> SignError {
    SignError::Crypto(format!("DER encoding: {e}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(der_err)?;
    Ok(Attribute { oid, values })
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    }
}

/// The signed attributes for a document digest.
fn signed_attributes(
    signer: &Signer,
    document_digest: &[u8],
) -> Result<SetOfVec<Attribute>, SignError> {
    let content_type = Any::encode_from(&OID_DATA).map_err(der_err)?;
    let digest =
        Any::encode_from(&OctetString::new(document_digest).map_err(der_err)?).map_err(der_err)?;
    let tbs = signer.cert.tbs_certificate();
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(&signer.cert_der).to_vec())
                .map_err(der_err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let ess = Any::encode_from(&ess).map_err(der_err)?;
    let attrs = vec![
        attribute(OID_CONTENT_TYPE, content_type)?,
        attribute(OID_MESSAGE_DIGEST, digest)?,
        attribute(OID_SIGNING_CERTIFICATE_V2, ess)?,
    ];
    SetOfVec::try_from(attrs).map_err(der_err)
}

/// Build the DER `ContentInfo` for a document digest. With `dummy` set, the
/// signature value is a placeholder of the maximum length (for sizing).
pub(crate) fn build(
    signer: &Signer,
    document_digest: &[u8],
    dummy: bool,
) -> Result<Vec<u8>, SignError> {
    build_timestamped(signer, document_digest, dummy, None).map(|(der, _)| der)
}

/// Room reserved in /Contents for a signature timestamp token (the token
/// with the TSA's certificate chain is typically 2 to 6 KB).
pub(crate) const TOKEN_RESERVE: usize = 16 * 1024;

/// [`build`], and with a TSA, a signature timestamp over the signature
/// value in the unsigned attributes (PAdES B-T). Returns the token too.
pub(crate) fn build_timestamped(
    signer: &Signer,
    document_digest: &[u8],
    dummy: bool,
    tsa: Option<&super::TsaConfig>,
) -> Result<(Vec<u8>, Option<super::tsa::Token>), SignError> {
    let signed_attrs = signed_attributes(signer, document_digest)?;
    let signature = if dummy {
        vec![0xff; signer.max_signature_len()]
    } else {
        // The signature covers the DER of the attributes as a SET OF (tag 0x31).
        signer.sign_raw(&signed_attrs.to_der().map_err(der_err)?)?
    };
    let sig_oid = signer.signature_algorithm();
    let signature_algorithm = AlgorithmIdentifierOwned {
        oid: sig_oid,
        parameters: if sig_oid == OID_RSA_ENCRYPTION {
            Some(Any::null())
        } else {
            None
        },
    };
    let tbs = signer.cert.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature.clone()).map_err(der_err)?,
        unsigned_attrs: None,
    };
    let mut signer_info = signer_info;
    let mut token = None;
    if let Some(tsa) = tsa
        && !dummy
    {
        let t = super::tsa::timestamp(tsa, &Sha256::digest(&signature))?;
        let value = Any::from_der(&t.der).map_err(der_err)?;
        let mut attrs = SetOfVec::new();
        attrs
            .insert(attribute(super::tsa::OID_SIGNATURE_TIME_STAMP, value)?)
            .map_err(der_err)?;
        signer_info.unsigned_attrs = Some(attrs);
        token = Some(t);
    }
    let mut certs = SetOfVec::new();
    for cert in std::iter::once(&signer.cert).chain(signer.chain.iter()) {
        let choice = cms::cert::CertificateChoices::Certificate(cert.clone());
        if !certs.iter().any(|c| c == &choice) {
            certs.insert(choice).map_err(der_err)?;
        }
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_alg()).map_err(der_err)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info).map_err(der_err)?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: OID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let content_info = ContentInfo {
        content_type: OID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(der_err)?,
    };
    let der = content_info.to_der().map_err(der_err)?;
    Ok((der, token))
}

/// Length of the first DER TLV in `data` (the /Contents value is zero padded).
pub(crate) fn first_tlv_len(data: &[u8]) -> Option<usize> {
    if data.len() < 2 {
        return None;
    }
    let first = data[1];
    if first < 0x80 {
        return Some(2 + first as usize);
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 || data.len() < 2 + n {
        return None;
    }
    let mut len = 0usize;
    for &b in &data[2..2 + n] {
        len = (len << 8) | b as usize;
    }
    let total = 2 + n + len;
    (total <= data.len()).then_some(total)
}

/// Decoded parts of a CMS signature needed for verification.
pub(crate) struct ParsedCms {
    pub signer_infos: Vec<SignerInfo>,
    pub certificates: Vec<Certificate>,
    /// DER CRLs of the SignedData's revocation information.
    pub crls: Vec<Vec<u8>>,
}

pub(crate) fn parse(contents: &[u8]) -> Result<ParsedCms, String> {
    let len = first_tlv_len(contents).ok_or("the /Contents value is not DER")?;
    let ci =
        ContentInfo::from_der(&contents[..len]).map_err(|e| format!("CMS ContentInfo: {e}"))?;
    if ci.content_type != OID_SIGNED_DATA {
        return Err(format!(
            "CMS content type {} is not signedData",
            ci.content_type
        ));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("CMS SignedData: {e}"))?;
    let crls = sd
        .crls
        .iter()
        .flat_map(|c| c.0.iter())
        .filter_map(|c| match c {
            cms::revocation::RevocationInfoChoice::Crl(crl) => crl.to_der().ok(),
            _ => None,
        })
        .collect();
    Ok(ParsedCms {
        crls,
        certificates: certificates(sd.certificates),
        signer_infos: sd.signer_infos.0.into_vec(),
    })
}

/// The X.509 certificates of a SignedData's certificate set (other kinds are skipped).
pub(crate) fn certificates(set: Option<CertificateSet>) -> Vec<Certificate> {
    set.map(|set| {
        set.0
            .into_vec()
            .into_iter()
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => Some(c),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

//! The signing options shared by `build` and `batch`, and loading the signer they name.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{SignError, Signer};
use crate::Error;

/// Signing options: a PAdES B-B signature that keeps the file PDF/A.
#[derive(Args, Debug, Clone, Default)]
pub struct SignArgs {
    /// Sign with this PKCS#12 file (.p12/.pfx) holding the key and certificate.
    #[arg(long, value_name = "CERT.p12", conflicts_with_all = ["sign_key", "sign_cert"])]
    pub sign: Option<PathBuf>,
    /// Sign with this PEM private key (RSA or ECDSA P-256); needs --sign-cert.
    #[arg(long, value_name = "KEY.pem", requires = "sign_cert")]
    pub sign_key: Option<PathBuf>,
    /// The signer's PEM certificate, with --sign-key or --pkcs11-module.
    #[arg(long, value_name = "CERT.pem")]
    pub sign_cert: Option<PathBuf>,
    /// PEM certificates of the chain, embedded in the signature.
    #[arg(long, value_name = "CHAIN.pem")]
    pub sign_chain: Option<PathBuf>,
    /// Read the PKCS#12 password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "sign_password_file")]
    pub sign_password_env: Option<String>,
    /// Read the PKCS#12 password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub sign_password_file: Option<PathBuf>,
    /// Signing time: seconds since 1970 or YYYY-MM-DDTHH:MM:SSZ. Default: SOURCE_DATE_EPOCH.
    /// The clock is never read, so signed output is reproducible.
    #[arg(long, value_name = "TIME")]
    pub sign_time: Option<String>,
    /// Refuse an expired or not yet valid certificate instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Sign with a key on a smartcard or HSM through this PKCS#11 module (shared library),
    /// e.g. /usr/lib/softhsm/libsofthsm2.so; needs --token and --key.
    #[arg(long, value_name = "LIB.so", requires_all = ["token", "key"],
          conflicts_with_all = ["sign", "sign_key"])]
    pub pkcs11_module: Option<PathBuf>,
    /// The label of the token holding the key, with --pkcs11-module.
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub token: Option<String>,
    /// The label of the private key on the token. Its certificate is the token's
    /// certificate with the same CKA_ID, unless --sign-cert is given.
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub key: Option<String>,
    /// Read the token's user PIN from this environment variable (never give it on the
    /// command line).
    #[arg(
        long,
        value_name = "VAR",
        requires = "pkcs11_module",
        conflicts_with = "pin_file"
    )]
    pub pin_env: Option<String>,
    /// Read the token's user PIN from the first line of this file.
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub pin_file: Option<PathBuf>,
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn read_text(path: &Path) -> Result<String, Error> {
    String::from_utf8(read(path)?).map_err(|_| {
        Error::invalid_value(
            &path.display().to_string(),
            "is not UTF-8 text (expected PEM)".into(),
        )
    })
}

impl SignArgs {
    /// The signer on the PKCS#11 token `--pkcs11-module`, `--token` and `--key` name.
    fn token_signer(&self) -> Result<Signer, Error> {
        let (Some(module), Some(token), Some(key)) = (&self.pkcs11_module, &self.token, &self.key)
        else {
            return Err(Error::invalid_value(
                "--pkcs11-module",
                "name the token and the key: --token LABEL --key LABEL".into(),
            ));
        };
        let pin = match (&self.pin_env, &self.pin_file) {
            (Some(var), _) => Some(std::env::var(var).map_err(|_| {
                Error::invalid_value(
                    "--pin-env",
                    format!("environment variable {var} is not set"),
                )
            })?),
            (None, Some(file)) => Some(
                read_text(file)?
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
            // Only a token with a PIN pad logs in without one; any other says so.
            (None, None) => None,
        };
        let cert = self.sign_cert.as_deref().map(read_text).transpose()?;
        let chain = self.sign_chain.as_deref().map(read_text).transpose()?;
        Ok(Signer::from_pkcs11(
            module,
            token,
            key,
            pin,
            cert.as_deref(),
            chain.as_deref(),
        )?)
    }

    /// The signer and signing time these options ask for, if any. Loaded before typesetting,
    /// so a wrong password costs nothing and writes nothing.
    pub fn signer(&self, epoch: Option<i64>) -> Result<Option<(Signer, i64)>, Error> {
        let args = self;
        let signer = match (&args.sign, &args.sign_key, &args.sign_cert) {
            (Some(p12), _, _) => {
                let password = match (&args.sign_password_env, &args.sign_password_file) {
                    (Some(var), _) => std::env::var(var).map_err(|_| {
                        Error::invalid_value(
                            "--sign-password-env",
                            format!("environment variable {var} is not set"),
                        )
                    })?,
                    (None, Some(file)) => read_text(file)?
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    (None, None) => String::new(),
                };
                let no_password =
                    args.sign_password_env.is_none() && args.sign_password_file.is_none();
                match Signer::from_pkcs12(&read(p12)?, &password) {
                    Err(SignError::WrongPassword) if no_password => {
                        return Err(Error::invalid_value(
                            "--sign",
                            format!(
                                "{} needs a password: give --sign-password-env VAR or \
                             --sign-password-file FILE",
                                p12.display()
                            ),
                        ));
                    }
                    other => other?,
                }
            }
            (None, Some(key), Some(cert)) => {
                let chain = args.sign_chain.as_deref().map(read_text).transpose()?;
                Signer::from_pem(&read_text(key)?, &read_text(cert)?, chain.as_deref())?
            }
            (None, None, _) if args.pkcs11_module.is_some() => args.token_signer()?,
            (None, None, Some(_)) => {
                return Err(Error::invalid_value(
                    "--sign-cert",
                    "give the key too: --sign-key KEY.pem, or --pkcs11-module with --token \
                     and --key"
                        .into(),
                ));
            }
            _ => return Ok(None),
        };
        let time = match &args.sign_time {
            Some(t) => crate::parse_time(t).ok_or_else(|| {
                Error::invalid_value(
                    "--sign-time",
                    format!("`{t}` is not seconds since 1970 or YYYY-MM-DDTHH:MM:SSZ"),
                )
            })?,
            None => epoch.ok_or_else(|| {
                Error::invalid_value(
                    "--sign-time",
                    "signing needs a time: give --sign-time or set SOURCE_DATE_EPOCH".into(),
                )
            })?,
        };
        match signer.check_validity(time) {
            Ok(()) => {}
            Err(
                e @ (SignError::CertificateExpired { .. }
                | SignError::CertificateNotYetValid { .. }),
            ) => {
                if args.strict {
                    return Err(e.into());
                }
                eprintln!("warning: {e}");
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Some((signer, time)))
    }
}

/// Trusted time for `build --sign` and `sign`: an RFC 3161 timestamp (PAdES B-T).
#[derive(Args, Debug, Clone, Default)]
pub struct TsaArgs {
    /// Timestamp the signature at this RFC 3161 authority (http:// URL): PAdES B-T.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Read `USER:PASSWORD` for the TSA's HTTP basic authentication from this environment variable.
    #[arg(long, value_name = "VAR", requires = "tsa")]
    pub tsa_credentials_env: Option<String>,
    /// Give up on the TSA after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "tsa")]
    pub tsa_timeout: u64,
}

impl TsaArgs {
    /// The TSA these options name, if any.
    pub fn config(&self) -> Result<Option<super::TsaConfig>, Error> {
        let Some(url) = &self.tsa else {
            return Ok(None);
        };
        if !url.starts_with("http://") {
            return Err(Error::invalid_value(
                "--tsa",
                format!(
                    "`{url}` is not an http:// URL (timestamp answers are signed, so plain HTTP is \
                     safe; https is not supported)"
                ),
            ));
        }
        let credentials = match &self.tsa_credentials_env {
            Some(var) => Some(std::env::var(var).map_err(|_| {
                Error::invalid_value(
                    "--tsa-credentials-env",
                    format!("environment variable {var} is not set"),
                )
            })?),
            None => None,
        };
        Ok(Some(super::TsaConfig {
            url: url.clone(),
            credentials,
            timeout: std::time::Duration::from_secs(self.tsa_timeout.max(1)),
        }))
    }
}

/// Long-term validation for `build --sign`, `sign` and `extend`: PAdES B-LT and B-LTA.
#[derive(Args, Debug, Clone, Default)]
pub struct LtvArgs {
    /// Add a DSS with the certificates and revocation data of every signature (PAdES B-LT),
    /// in a further incremental update. A revoked certificate is a warning (an error with
    /// --strict).
    #[arg(long)]
    pub ltv: bool,
    /// A CRL (DER or PEM) to put in the DSS; repeatable. Without --crl/--ocsp the CRLs named
    /// in the certificates' distribution points are fetched (http://).
    #[arg(long, value_name = "FILE", requires = "ltv")]
    pub crl: Vec<PathBuf>,
    /// A DER OCSP response to put in the DSS; repeatable. Without --crl/--ocsp the OCSP
    /// responders named in the certificates (AIA) are asked, and their CRLs where none
    /// answers.
    #[arg(long, value_name = "FILE", requires = "ltv")]
    pub ocsp: Vec<PathBuf>,
    /// After the DSS, add a document timestamp from --tsa (PAdES B-LTA).
    #[arg(long, requires = "tsa")]
    pub archive_timestamp: bool,
}

impl LtvArgs {
    /// The revocation data these options name (`None` without --ltv). With `strict`
    /// (`--strict`), a revoked certificate is an error, not a warning.
    pub fn options(
        &self,
        timeout: std::time::Duration,
        strict: bool,
    ) -> Result<Option<super::LtvOptions>, Error> {
        if !self.ltv {
            return Ok(None);
        }
        let load = |paths: &[PathBuf]| -> Result<Vec<Vec<u8>>, Error> {
            paths
                .iter()
                .map(|p| Ok(super::read_der_or_pem(&read(p)?)?))
                .collect()
        };
        let crls = load(&self.crl)?;
        let ocsps = load(&self.ocsp)?;
        let fetch = (crls.is_empty() && ocsps.is_empty()).then_some(timeout);
        Ok(Some(super::LtvOptions {
            crls,
            ocsps,
            fetch,
            strict,
        }))
    }
}

//! `communique sign`: add a signature to a communique PDF (co-signing).

use std::path::PathBuf;

use clap::Args;
use communique::Error;
use communique::sign::{
    LtvArgs, SignArgs, SignOptions, TsaArgs, check_pdfa, extend_reporting, sign,
};

/// Add a signature to an existing PDF/A (co-signing), as a new incremental update.
///
/// Earlier signatures stay valid and the file stays PDF/A (and PDF/UA). The signature goes
/// into the empty signature field named by --field, else the first empty one, else a new
/// invisible field. Refused: a file certified with "no changes allowed" (DocMDP P=1), a file
/// that is not PDF/A, an encrypted file, a field already signed.
/// Exit status: 0 signed, 2 invalid options, 3 unreadable/unwritable file, 5 signing refused
/// or failed. On any error nothing is written.
#[derive(Args, Debug)]
pub struct SignCmd {
    /// The PDF to sign.
    pub pdf: PathBuf,
    /// Where to write the signed PDF (never the input itself).
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// The signature field to fill (or create with this name).
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// /Reason of the signature.
    #[arg(long)]
    pub reason: Option<String>,
    /// /Location of the signature.
    #[arg(long)]
    pub location: Option<String>,
    #[command(flatten)]
    pub sign: SignArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub ltv: LtvArgs,
}

pub fn run(args: &SignCmd) -> Result<(), Error> {
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => Some(communique::parse_source_date_epoch(&v).ok_or_else(|| {
            Error::invalid_value(
                "SOURCE_DATE_EPOCH",
                format!("`{v}` is not a number of seconds since 1970"),
            )
        })?),
        Err(_) => None,
    };
    let (signer, time) = args.sign.signer(epoch)?.ok_or_else(|| {
        Error::invalid_value(
            "sign",
            "name the key: --sign CERT.p12, or --sign-key KEY.pem with --sign-cert CERT.pem, or \
             --pkcs11-module LIB.so --token LABEL --key LABEL"
                .into(),
        )
    })?;
    let tsa = args.tsa.config()?;
    let ltv = args.ltv.options(
        std::time::Duration::from_secs(args.tsa.tsa_timeout.max(1)),
        args.sign.strict,
    )?;
    if args.output == args.pdf {
        return Err(Error::invalid_value(
            "--output",
            "write the signed file beside the input, not over it".into(),
        ));
    }
    let input = std::fs::read(&args.pdf).map_err(|source| Error::Read {
        path: args.pdf.clone(),
        source,
    })?;
    check_pdfa(&input)?;
    let options = SignOptions {
        time_unix: time,
        visible: None,
        reason: args.reason.clone(),
        location: args.location.clone(),
        tsa: tsa.clone(),
        field: args.field.clone(),
    };
    let signed = sign(&input, &signer, &options)?;
    let archive = if args.ltv.archive_timestamp {
        tsa.as_ref()
    } else {
        None
    };
    let signed = if ltv.is_some() || archive.is_some() {
        let (signed, report) = extend_reporting(&signed, ltv.as_ref(), archive)?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        signed
    } else {
        signed
    };
    communique::write_atomically(&args.output, &signed)
}

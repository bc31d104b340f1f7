//! `communique extend`: keep a signed file verifiable (PAdES B-LT / B-LTA).

use std::path::PathBuf;

use clap::Args;
use communique::Error;
use communique::sign::{LtvArgs, TsaArgs, extend_reporting};

/// Add long-term validation data to a signed PDF, and an archive timestamp.
///
/// `--ltv` adds a DSS (the certificates of every signature and timestamp, and CRLs/OCSP
/// responses from --crl/--ocsp files, or fetched from the certificates' CRL distribution
/// points) as an incremental update: PAdES B-LT. `--archive-timestamp --tsa URL` then adds a
/// document timestamp: B-LTA. Re-run before the last timestamp's certificate expires.
/// Exit status: 0 written, 2 invalid options, 3 unreadable/unwritable file, 5 failed. On any
/// error nothing is written.
#[derive(Args, Debug)]
pub struct ExtendCmd {
    /// The signed PDF.
    pub pdf: PathBuf,
    /// Where to write the extended PDF.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: PathBuf,
    #[command(flatten)]
    pub ltv: LtvArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    /// Refuse (exit 5, nothing written) when a certificate of a signature's chain is
    /// revoked, instead of warning.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &ExtendCmd) -> Result<(), Error> {
    let tsa = args.tsa.config()?;
    let timeout = std::time::Duration::from_secs(args.tsa.tsa_timeout.max(1));
    let ltv = args.ltv.options(timeout, args.strict)?;
    if ltv.is_none() && !args.ltv.archive_timestamp {
        return Err(Error::invalid_value(
            "extend",
            "nothing to add: give --ltv and/or --archive-timestamp --tsa URL".into(),
        ));
    }
    if args.output == args.pdf {
        return Err(Error::invalid_value(
            "--output",
            "write the extended file beside the input, not over it".into(),
        ));
    }
    let input = std::fs::read(&args.pdf).map_err(|source| Error::Read {
        path: args.pdf.clone(),
        source,
    })?;
    let archive = if args.ltv.archive_timestamp {
        tsa.as_ref()
    } else {
        None
    };
    let (out, report) = extend_reporting(&input, ltv.as_ref(), archive)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    communique::write_atomically(&args.output, &out)
}

//! `communique build`: one statement to one PDF.

use std::path::PathBuf;

use clap::ValueEnum;
use communique::diagnostics::{self, MessageFormat, Report};
use communique::sign::{LtvArgs, SignArgs, TsaArgs, extend_reporting};
use communique::{Error, FontSet, Options, Signing, Standard};

#[derive(clap::Args)]
pub struct Args {
    /// The statement file (.md or .txt).
    pub statement: PathBuf,
    /// Layout file (TOML), or the name of a bundled layout (`communique layouts` lists
    /// them; an existing file of that name wins). Default: the bundled layouts/default.toml.
    /// A statement that names a layout in its front matter (`layout = "..."`) uses that one.
    #[arg(short, long, value_name = "LAYOUT.toml|NAME")]
    pub layout: Option<PathBuf>,
    /// Output file; `-` writes to standard output. Default: the statement's name with
    /// the extension .pdf, beside it.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// PDF/A level. Every level except a-1b also claims PDF/UA-1. Default: the layout's
    /// [pdf] standard, which defaults to a-2a with PDF/UA-1.
    #[arg(long, value_name = "LEVEL")]
    pub pdfa: Option<Level>,
    /// Attach the statement, the layout, their images and a build record (communique.json)
    /// to the PDF, which is then PDF/A-3a + PDF/UA-1; `extract` and `rebuild` read them.
    /// Also `[pdf] embed_source = true` in the layout.
    #[arg(long)]
    pub embed_source: bool,
    #[command(flatten)]
    pub sign: SignArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub ltv: LtvArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Level {
    #[value(name = "a-1b")]
    A1b,
    #[value(name = "a-2a")]
    A2a,
    #[value(name = "a-2b")]
    A2b,
    #[value(name = "a-2u")]
    A2u,
    #[value(name = "a-3a")]
    A3a,
}

impl From<Level> for Standard {
    fn from(l: Level) -> Standard {
        match l {
            Level::A1b => Standard::A1b,
            Level::A2a => Standard::A2a,
            Level::A2b => Standard::A2b,
            Level::A2u => Standard::A2u,
            Level::A3a => Standard::A3a,
        }
    }
}

/// Typesets the statement, signs it if asked, and writes it where `-o` says.
pub fn run(args: &Args, format: MessageFormat) -> Result<(), Error> {
    let statement_path = args.statement.as_path();
    let epoch = super::source_date_epoch()?;
    let signer = args.sign.signer(epoch)?;
    let tsa = args.tsa.config()?;
    if tsa.is_some() && signer.is_none() {
        return Err(Error::invalid_value(
            "--tsa",
            "a timestamp needs a signature: give --sign or --sign-key too".into(),
        ));
    }
    let ltv = args.ltv.options(
        std::time::Duration::from_secs(args.tsa.tsa_timeout.max(1)),
        args.sign.strict,
    )?;
    if (ltv.is_some() || args.ltv.archive_timestamp) && signer.is_none() {
        return Err(Error::invalid_value(
            if ltv.is_some() {
                "--ltv"
            } else {
                "--archive-timestamp"
            },
            "long-term validation needs a signature: give --sign or --sign-key too".into(),
        ));
    }
    // A statement that names its own layout in front matter wins, as in `batch`.
    let (statement, layout, sources) =
        communique::archive::load(statement_path, args.layout.as_deref(), args.embed_source)?;
    // Checked before the work, so a mistaken `-o` costs nothing and destroys nothing.
    let output = (args.output.clone()).unwrap_or_else(|| statement_path.with_extension("pdf"));
    let target = communique::output::resolve(&output, statement_path)?;
    communique::output::refuse_inputs(
        &target,
        communique::inputs(&statement, &layout)
            .iter()
            .map(|(what, p)| (*what, p.as_path())),
    )?;
    let fonts = FontSet::load(&layout)?;
    let options = Options {
        pdfa: args.pdfa.map(Standard::from),
        timestamp: epoch,
    };
    let rendered =
        communique::render_with(&statement, &layout, &fonts, &options, sources.as_ref())?;
    let warnings: Vec<Report> = rendered
        .warnings
        .iter()
        .map(|w| Report::warning(statement_path, w))
        .collect();
    diagnostics::eprint(&warnings, format);
    let bytes = match &signer {
        Some((signer, time)) => communique::sign_rendered(
            &rendered,
            &Signing {
                signer,
                time: *time,
                visible: layout.signature_visible,
                tsa: tsa.as_ref(),
            },
        )?,
        None => rendered.pdf,
    };
    // B-LT / B-LTA in the same step, as `extend` would do afterwards; still one write.
    let archive = tsa.as_ref().filter(|_| args.ltv.archive_timestamp);
    let bytes = if ltv.is_some() || archive.is_some() {
        let (bytes, report) = extend_reporting(&bytes, ltv.as_ref(), archive)?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        bytes
    } else {
        bytes
    };
    communique::output::write(&target, &bytes)?;
    Ok(())
}

//! The `communique` command line: parses arguments, calls the library, reports errors.

mod cli;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use communique::sign::SignArgs;
use communique::{Error, FontSet, Layout, Options, Signing, Standard, Statement};

/// Typesets official statements into archival PDF/A documents with embedded, subset fonts.
///
/// A statement is a UTF-8 text file: either bold title and dateline lines followed by
/// paragraphs, or Markdown with TOML front matter between `+++` lines. A layout is a TOML file
/// describing the page, fonts, letterhead, title block, body and footer; without one, the
/// bundled default layout is used. The same inputs always give the same bytes.
#[derive(Parser)]
#[command(name = "communique", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Typeset one statement into a PDF (and sign it, with --sign or --sign-key).
    ///
    /// Exit status: 0 on success, 2 for invalid input (the message names the file, line and
    /// column), 3 when a file cannot be read or written, 4 for an internal PDF error, 5 when
    /// signing fails. On any error nothing is written.
    ///
    /// The document date comes from SOURCE_DATE_EPOCH if set, else the statement's `date`,
    /// else the date in its dateline.
    Build {
        /// The statement file (.md or .txt).
        statement: PathBuf,
        /// Layout file (TOML). Default: the bundled layouts/default.toml. A statement that
        /// names a layout in its front matter (`layout = "..."`) uses that one.
        #[arg(short, long, value_name = "LAYOUT.toml")]
        layout: Option<PathBuf>,
        /// Output file; `-` writes to standard output. Default: the statement's name with
        /// the extension .pdf, beside it.
        #[arg(short, long, value_name = "OUT.pdf")]
        output: Option<PathBuf>,
        /// PDF/A level. Every level except a-1b also claims PDF/UA-1. Default: the layout's
        /// [pdf] standard, which defaults to a-2a with PDF/UA-1.
        #[arg(long, value_name = "LEVEL")]
        pdfa: Option<Level>,
        #[command(flatten)]
        sign: SignArgs,
    },
    /// Check the digital signature of a PDF.
    ///
    /// Checks that the signed byte range covers the whole file but the signature, that the
    /// digest matches, and that the signature verifies with the embedded certificate; prints
    /// the signer, the time, the algorithm and whether anything was appended after signing.
    /// Trust in the certificate is not judged (use pdfsig or pyHanko with your roots).
    /// Exit status: 0 valid, 1 not valid (or not signed), 3 unreadable.
    Verify {
        /// The signed PDF.
        pdf: PathBuf,
    },
    Batch(communique::batch::Args),
    Serve(cli::serve::Args),
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            statement,
            layout,
            output,
            pdfa,
            sign,
        } => build(&statement, layout.as_deref(), output, pdfa, &sign),
        Command::Verify { pdf } => return verify(&pdf),
        Command::Batch(args) => return communique::batch::main(args),
        Command::Serve(args) => return cli::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn source_date_epoch() -> Result<Option<i64>, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => communique::parse_source_date_epoch(&v)
            .map(Some)
            .ok_or_else(|| {
                Error::invalid_value(
                    "SOURCE_DATE_EPOCH",
                    format!("`{v}` is not a number of seconds since 1970"),
                )
            }),
        Err(_) => Ok(None),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn build(
    statement_path: &Path,
    layout_path: Option<&Path>,
    output: Option<PathBuf>,
    pdfa: Option<Level>,
    sign: &SignArgs,
) -> Result<(), Error> {
    let epoch = source_date_epoch()?;
    let signer = sign.signer(epoch)?;
    let statement = Statement::load(statement_path)?;
    // A statement that names its own layout in front matter wins, as in `batch`.
    let layout = match statement.layout.as_deref().or(layout_path) {
        Some(p) => Layout::load(p)?,
        None => Layout::builtin(),
    };
    let fonts = FontSet::load(&layout)?;
    let options = Options {
        pdfa: pdfa.map(Standard::from),
        timestamp: epoch,
    };
    let rendered = communique::render(&statement, &layout, &fonts, &options)?;
    for w in &rendered.warnings {
        eprintln!("warning: {}: {w}", statement_path.display());
    }
    let bytes = match &signer {
        Some((signer, time)) => communique::sign_rendered(
            &rendered,
            &Signing {
                signer,
                time: *time,
                visible: layout.signature_visible,
            },
        )?,
        None => rendered.pdf,
    };
    let output = output.unwrap_or_else(|| statement_path.with_extension("pdf"));
    if output == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|_| stdout.flush())
            .map_err(|source| Error::Write {
                path: output.clone(),
                source,
            })?;
    } else {
        communique::write_atomically(&output, &bytes)?;
    }
    Ok(())
}

fn verify(path: &Path) -> ExitCode {
    let bytes = match read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    let report = match communique::sign::verify(&bytes) {
        Ok(r) => r,
        Err(e) => {
            println!("{}: NOT VALID: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let show = |o: &Option<String>| o.clone().unwrap_or_else(|| "unknown".into());
    println!("file:      {}", path.display());
    println!("signer:    {}", show(&report.signer_name));
    println!(
        "time:      {}",
        report
            .signing_time_unix
            .map_or_else(|| "unknown".into(), communique::sign::format_utc)
    );
    println!("algorithm: {}", show(&report.algorithm));
    println!(
        "coverage:  {}",
        if report.appended_bytes == 0 {
            "the whole file except the signature value".to_string()
        } else {
            format!(
                "{} bytes were appended after signing and are not covered",
                report.appended_bytes
            )
        }
    );
    if report.valid {
        println!("result:    VALID (integrity and signature; trust not judged)");
        ExitCode::SUCCESS
    } else {
        println!("result:    NOT VALID: {}", show(&report.reason));
        ExitCode::from(1)
    }
}

//! The `communique` command line: parses arguments, calls the library, reports errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use communique::diagnostics::{self, MessageFormat, Report};
use communique::sign::{SignArgs, TsaArgs};
use communique::{Error, FontSet, Options, Signing, Standard};

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
    /// How errors and warnings are printed: `human` (the source line, underlined; colour on a
    /// terminal unless NO_COLOR is set) or `json` (one object per line on standard error).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    message_format: MessageFormat,
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
        /// Layout file (TOML), or the name of a bundled layout (`communique layouts` lists
        /// them; an existing file of that name wins). Default: the bundled layouts/default.toml.
        /// A statement that names a layout in its front matter (`layout = "..."`) uses that one.
        #[arg(short, long, value_name = "LAYOUT.toml|NAME")]
        layout: Option<PathBuf>,
        /// Output file; `-` writes to standard output. Default: the statement's name with
        /// the extension .pdf, beside it.
        #[arg(short, long, value_name = "OUT.pdf")]
        output: Option<PathBuf>,
        /// PDF/A level. Every level except a-1b also claims PDF/UA-1. Default: the layout's
        /// [pdf] standard, which defaults to a-2a with PDF/UA-1.
        #[arg(long, value_name = "LEVEL")]
        pdfa: Option<Level>,
        /// Attach the statement, the layout, their images and a build record (communique.json)
        /// to the PDF, which is then PDF/A-3a + PDF/UA-1; `extract` and `rebuild` read them.
        /// Also `[pdf] embed_source = true` in the layout.
        #[arg(long)]
        embed_source: bool,
        #[command(flatten)]
        sign: SignArgs,
        #[command(flatten)]
        tsa: TsaArgs,
    },
    Extract(cli::extract::Args),
    Rebuild(cli::rebuild::Args),
    Diff(cli::diff::Args),
    Sign(cli::sign::SignCmd),
    Extend(cli::extend::ExtendCmd),
    Verify(cli::verify::VerifyArgs),
    Batch(communique::batch::Args),
    /// List the bundled layouts, one a line: the name `--layout` takes, and what it looks like.
    ///
    /// The bundled layouts are compiled in, with the files they name (the ministry emblem), so
    /// `--layout NAME` works from any folder. A file of that name in the current folder wins.
    Layouts,
    Fonts(cli::fonts::Args),
    /// Build a statement, then rebuild it whenever it, its layout, or a font or image they
    /// use is saved. On an error the last good PDF stays in place. Ctrl-C stops.
    Watch(cli::watch::Args),
    /// Render the pages `build` would write as PNG files (STEM-1.png, ...), with no
    /// external tools.
    Preview(cli::preview::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(cli::completions::Args),
    /// Write man pages: communique.1 and one per subcommand.
    Manpage(cli::manpage::Args),
    /// Write a starter layout (from a bundled one) and a sample statement that builds as is.
    Init(cli::init::Args),
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
            embed_source,
            sign,
            tsa,
        } => build(
            &statement,
            layout.as_deref(),
            output,
            pdfa,
            embed_source,
            &sign,
            &tsa,
            cli.message_format,
        ),
        Command::Extract(args) => return cli::extract::main(args),
        Command::Rebuild(args) => return cli::rebuild::main(args),
        Command::Diff(args) => return cli::diff::main(args),
        Command::Sign(args) => cli::sign::run(&args),
        Command::Extend(args) => cli::extend::run(&args),
        Command::Verify(args) => return cli::verify::run(&args),
        Command::Batch(args) => return communique::batch::main(args),
        Command::Layouts => return cli::layouts::main(),
        Command::Fonts(args) => return cli::fonts::main(args),
        Command::Watch(args) => cli::watch::run(args, cli.message_format),
        Command::Preview(args) => cli::preview::run(args).map(|f| cli::preview::print(&f)),
        Command::Completions(args) => cli::completions::run::<Cli>(args),
        Command::Manpage(args) => cli::manpage::run::<Cli>(args).map(|f| cli::preview::print(&f)),
        Command::Init(args) => cli::init::run(args).map(|f| cli::preview::print(&f)),
        Command::Serve(args) => return cli::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            diagnostics::eprint_error(&e, cli.message_format);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// A line on stderr; a closed stderr (`2>&-`) is not worth a panic and a different exit code.

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

fn build(
    statement_path: &Path,
    layout_path: Option<&Path>,
    output: Option<PathBuf>,
    pdfa: Option<Level>,
    embed_source: bool,
    sign: &SignArgs,
    tsa: &TsaArgs,
    format: MessageFormat,
) -> Result<(), Error> {
    let epoch = source_date_epoch()?;
    let signer = sign.signer(epoch)?;
    let tsa = tsa.config()?;
    if tsa.is_some() && signer.is_none() {
        return Err(Error::invalid_value(
            "--tsa",
            "a timestamp needs a signature: give --sign or --sign-key too".into(),
        ));
    }
    // A statement that names its own layout in front matter wins, as in `batch`.
    let (statement, layout, sources) =
        communique::archive::load(statement_path, layout_path, embed_source)?;
    // Checked before the work, so a mistaken `-o` costs nothing and destroys nothing.
    let output = output.unwrap_or_else(|| statement_path.with_extension("pdf"));
    let target = communique::output::resolve(&output, statement_path)?;
    communique::output::refuse_inputs(
        &target,
        communique::inputs(&statement, &layout)
            .iter()
            .map(|(what, p)| (*what, p.as_path())),
    )?;
    let fonts = FontSet::load(&layout)?;
    let options = Options {
        pdfa: pdfa.map(Standard::from),
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
    communique::output::write(&target, &bytes)?;
    Ok(())
}

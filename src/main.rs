//! The `communique` command line: parses arguments, calls the library, reports errors.

use std::process::ExitCode;

mod cli;

use clap::{Parser, Subcommand};
use communique::diagnostics::{self, MessageFormat};

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
    Build(cli::build::Args),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => cli::build::run(&args, cli.message_format),
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

//! `communique fonts`: the families a layout can name in `[fonts] family`, in the order they
//! are searched (bundled first, then installed), with their styles and where each comes from.

use std::io::Write;
use std::process::ExitCode;

/// List the font families a layout can name, with their styles and sources.
///
/// A layout's `[fonts] family = "..."` is looked up in this order: the bundled families, then
/// the installed ones (fontconfig's folders on Linux). Names match in any case.
#[derive(clap::Args)]
pub struct Args {
    /// Only families whose name contains this text (any case).
    pub filter: Option<String>,
}

pub fn main(args: Args) -> ExitCode {
    let filter = args.filter.map(|f| f.to_lowercase());
    let mut out = std::io::stdout().lock();
    let mut write = || -> std::io::Result<()> {
        for family in communique::font::families() {
            if let Some(f) = &filter
                && !family.name.to_lowercase().contains(f)
            {
                continue;
            }
            let origin = if family.bundled {
                "bundled"
            } else {
                "installed"
            };
            writeln!(out, "{} ({origin})", family.name)?;
            for (style, source) in &family.styles {
                writeln!(out, "    {style:<18} {source}")?;
            }
        }
        out.flush()
    };
    match write() {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`communique fonts | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the list: {e}");
            ExitCode::from(3)
        }
    }
}

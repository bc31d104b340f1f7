//! `communique watch`: rebuild a statement's PDF whenever a file it uses is saved.

use std::io::Write;
use std::path::PathBuf;

use communique::Error;
use communique::diagnostics::MessageFormat;
use communique::watch::{self, Config, Event};

#[derive(clap::Args)]
pub struct Args {
    /// The statement file (.md or .txt).
    pub statement: PathBuf,
    /// Layout file (TOML); a layout named in the statement's front matter wins, as in `build`.
    #[arg(short, long, value_name = "LAYOUT.toml")]
    pub layout: Option<PathBuf>,
    /// Output file. Default: the statement's name with the extension .pdf, beside it.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args, format: MessageFormat) -> Result<(), Error> {
    let timestamp = super::source_date_epoch()?;
    let output = args
        .output
        .unwrap_or_else(|| args.statement.with_extension("pdf"));
    let config = Config {
        statement: args.statement,
        layout: args.layout,
        output,
        options: communique::Options {
            pdfa: None,
            timestamp,
        },
        format,
    };
    let (sender, events) = watch::channel();
    let stop = sender.clone();
    // Ctrl-C (and SIGTERM) ask the loop to stop between builds, so a PDF is never left half
    // renamed and no temporary file stays behind.
    ctrlc::set_handler(move || {
        let _ = stop.send(Event::Stop);
    })
    .map_err(|e| Error::invalid_value("watch", format!("cannot handle Ctrl-C: {e}")))?;
    // With JSON diagnostics, standard error carries nothing else (one object per line for the
    // editor), and the status lines go to standard output.
    let mut status: Box<dyn Write> = match format {
        MessageFormat::Human => Box::new(std::io::stderr()),
        MessageFormat::Json => Box::new(std::io::stdout()),
    };
    let _ = writeln!(
        status,
        "watching {} and the files it uses; Ctrl-C stops",
        config.statement.display()
    );
    watch::run(&config, events, sender, &mut status)?;
    let _ = writeln!(status, "stopped");
    Ok(())
}

//! `communique rebuild FILE.pdf [-o OUT.pdf]`: typesets a PDF's embedded sources again.

use std::path::PathBuf;
use std::process::ExitCode;

/// Rebuild a PDF from the sources embedded with --embed-source and say whether the result is
/// byte for byte the same.
///
/// When it is not, names every font whose SHA-256 differs from the one recorded. Fonts the
/// layout names by a relative path are looked for beside the extracted layout, then in the
/// --fonts folder, the PDF's folder and the current folder (and their parents), where the
/// layout sat. Exit status: 0 identical, 1 different, 2 unusable input (a foreign or damaged
/// PDF, a missing font), 3 a file cannot be read or written.
#[derive(clap::Args)]
pub struct Args {
    /// The PDF made with --embed-source.
    pub pdf: PathBuf,
    /// Write the rebuilt PDF here.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// The folder the sources were built in, where fonts the layout names are looked for.
    #[arg(long, value_name = "DIR")]
    pub fonts: Option<PathBuf>,
}

pub fn main(args: Args) -> ExitCode {
    let run = || -> Result<communique::archive::Rebuilt, communique::Error> {
        let bytes = std::fs::read(&args.pdf).map_err(|source| communique::Error::Read {
            path: args.pdf.clone(),
            source,
        })?;
        let mut roots: Vec<PathBuf> = args.fonts.iter().cloned().collect();
        if let Ok(abs) = std::path::absolute(&args.pdf)
            && let Some(dir) = abs.parent()
        {
            roots.push(dir.to_path_buf());
        }
        if let Ok(cwd) = std::env::current_dir() {
            roots.push(cwd);
        }
        let rebuilt = communique::archive::rebuild(&args.pdf, &bytes, &roots)?;
        if let Some(out) = &args.output {
            communique::write_atomically(out, &rebuilt.pdf)?;
        }
        Ok(rebuilt)
    };
    match run() {
        Ok(r) => {
            if let Some(v) = &r.other_version {
                println!(
                    "note: made by communique {v}, rebuilt with {}",
                    env!("CARGO_PKG_VERSION")
                );
            }
            for f in &r.fonts {
                println!("{f}");
            }
            if r.identical {
                println!("{}: identical", args.pdf.display());
                ExitCode::SUCCESS
            } else {
                println!("{}: different", args.pdf.display());
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e.exit_code() {
                3 => 3,
                _ => 2,
            })
        }
    }
}

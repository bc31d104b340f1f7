//! `communique extract FILE.pdf [-o DIR]`: writes a PDF's embedded sources back out.

use std::path::PathBuf;
use std::process::ExitCode;

/// Write the sources embedded with --embed-source (statement, layout, images, communique.json)
/// back to files, with their names and relative places.
///
/// Names that would land outside DIR (`..`, absolute paths) and links in the way are refused;
/// a PDF not made by communique with --embed-source is refused. Exit status: 0 written,
/// 2 unusable or foreign PDF, 3 a file cannot be read or written.
#[derive(clap::Args)]
pub struct Args {
    /// The PDF.
    pub pdf: PathBuf,
    /// Output folder. Default: the PDF's name without .pdf, plus `-sources`, beside it.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn main(args: Args) -> ExitCode {
    let dir = args.output.unwrap_or_else(|| {
        let stem = args
            .pdf
            .file_stem()
            .map_or_else(|| "pdf".into(), |s| s.to_string_lossy().into_owned());
        args.pdf.with_file_name(format!("{stem}-sources"))
    });
    let result = std::fs::read(&args.pdf)
        .map_err(|source| communique::Error::Read {
            path: args.pdf.clone(),
            source,
        })
        .and_then(|bytes| communique::archive::extract(&args.pdf, &bytes, &dir));
    match result {
        Ok(written) => {
            for p in written {
                println!("{}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

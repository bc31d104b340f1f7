//! `communique diff OLD.pdf NEW.pdf [--out DIR] [--dpi N]`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Show what changed between two PDFs: pages added or removed, the regions of each page whose
/// pixels differ, and the words removed and added on each page.
///
/// Both files are drawn with a built-in rasterizer (no external programs). With --out, writes
/// per differing page the old page, the new page and an overlay of the change, and an
/// index.html that shows them side by side (no scripts, nothing from the network). Identical
/// drawings write nothing. Exit status: 0 same, 1 different, 2 a PDF cannot be read or drawn,
/// 3 a file cannot be read or written.
#[derive(clap::Args)]
pub struct Args {
    /// The PDF before the change.
    pub old: PathBuf,
    /// The PDF after the change.
    pub new: PathBuf,
    /// Write images and index.html here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Resolution of the comparison, in dots per inch.
    #[arg(long, value_name = "N", default_value_t = communique::diff::DEFAULT_DPI)]
    pub dpi: f32,
}

pub fn main(args: Args) -> ExitCode {
    let read = |p: &PathBuf| {
        std::fs::read(p).map_err(|e| {
            eprintln!("error: cannot read {}: {e}", p.display());
            ExitCode::from(3)
        })
    };
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let report = match communique::diff::diff(&args.old, &old, &args.new, &new, args.dpi) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", report.summary());
    if report.same() {
        return ExitCode::SUCCESS;
    }
    if let Some(dir) = &args.out {
        let written = communique::diff::write_pages(&report, dir, "").and_then(|()| {
            let page = communique::diff::html(
                &report,
                &args.old.display().to_string(),
                &args.new.display().to_string(),
            );
            let path = dir.join("index.html");
            communique::write_atomically(&path, page.as_bytes()).map_err(|e| {
                communique::diff::DiffError::Write {
                    path,
                    source: std::io::Error::other(e.to_string()),
                }
            })
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
        println!("wrote {}", dir.join("index.html").display());
    }
    ExitCode::from(1)
}

//! `communique preview`: the pages `build` would write, as PNG files.

use std::path::{Path, PathBuf};

use communique::Error;
use communique::render::{self, RenderError};

#[derive(clap::Args)]
pub struct Args {
    /// The statement file (.md or .txt).
    pub statement: PathBuf,
    /// Layout file (TOML); a layout named in the statement's front matter wins, as in `build`.
    #[arg(short, long, value_name = "LAYOUT.toml")]
    pub layout: Option<PathBuf>,
    /// Resolution in dots per inch (1 to 1200).
    #[arg(long, default_value_t = 96.0, value_name = "N")]
    pub dpi: f32,
    /// Folder for the PNG files (created if missing): STEM-1.png, STEM-2.png, ...
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> Result<Vec<PathBuf>, Error> {
    if !(render::MIN_DPI..=render::MAX_DPI).contains(&args.dpi) {
        return Err(Error::invalid_value(
            "--dpi",
            RenderError::Dpi(args.dpi).to_string(),
        ));
    }
    let options = communique::Options {
        pdfa: None,
        timestamp: super::source_date_epoch()?,
    };
    let attempt = communique::watch::compile(&args.statement, args.layout.as_deref(), &options);
    let rendered = attempt.result?;
    let pages = render::rasterize(&rendered.pdf, args.dpi).map_err(|e| match e {
        // Too many pixels is the resolution's doing: a lower --dpi fixes it.
        RenderError::PageTooLarge { .. }
        | RenderError::TooManyPixels { .. }
        | RenderError::TooManyPages { .. } => {
            Error::invalid_value("--dpi", format!("{e}; try a lower resolution"))
        }
        _ => Error::Pdf(format!("cannot rasterize the PDF: {e}")),
    })?;
    std::fs::create_dir_all(&args.output).map_err(|source| Error::Write {
        path: args.output.clone(),
        source,
    })?;
    let stem = args
        .statement
        .file_stem()
        .map_or_else(|| "page".into(), |s| s.to_string_lossy().into_owned());
    let digits = pages.len().to_string().len();
    let mut written = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let path = args.output.join(format!("{stem}-{:0digits$}.png", i + 1));
        communique::write_atomically(&path, &page.to_png())?;
        written.push(path);
    }
    Ok(written)
}

/// Prints the files written, one a line.
pub fn print(files: &[PathBuf]) {
    for f in files {
        println!("{}", Path::new(f).display());
    }
}

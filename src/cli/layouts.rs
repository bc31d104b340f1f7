//! `communique layouts`: the bundled layouts, by the name `--layout` takes.

use std::io::Write;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let layouts = communique::layout::bundled();
    let width = layouts.iter().map(|b| b.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for b in layouts {
        // A closed pipe (`| head`) only means nobody reads the rest.
        if writeln!(out, "{:width$}  {}", b.name, b.description).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

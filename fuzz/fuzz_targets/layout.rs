//! Any text as a layout, with a bundled statement set in it: an input error is fine, a panic
//! or an internal error (`Error::Pdf`, exit 4) is a bug. Fonts and images the layout names
//! are looked up relative to the repository's layouts folder, so the bundled assets resolve.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use communique::{Error, FontSet, Layout, Options, Statement};
use libfuzzer_sys::fuzz_target;

static STATEMENT: LazyLock<Statement> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Statement::load(&root.join("statements/2026-01-20-codes-and-links.md")).expect("statement")
});

fn layout_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../layouts/fuzz.toml")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(layout) = Layout::parse(&layout_path(), text) else {
        return;
    };
    let Ok(fonts) = FontSet::load(&layout) else {
        return;
    };
    let options = Options {
        pdfa: None,
        timestamp: Some(1_600_000_000),
    };
    if let Err(e @ Error::Pdf(_)) = communique::render(&STATEMENT, &layout, &fonts, &options) {
        panic!("internal error: {e}");
    }
});

//! Any bytes as a statement, set in the bundled layout: an input error is fine, a panic or an
//! internal error (`Error::Pdf`, exit 4) is a bug.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use communique::{Error, FontSet, Layout, Options, Statement};
use libfuzzer_sys::fuzz_target;

static SETUP: LazyLock<(Layout, FontSet)> = LazyLock::new(|| {
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).expect("bundled fonts");
    (layout, fonts)
});

fuzz_target!(|data: &[u8]| {
    let (layout, fonts) = &*SETUP;
    let Ok(statement) = Statement::parse(Path::new("fuzz.md"), data) else {
        return;
    };
    let options = Options {
        pdfa: None,
        timestamp: Some(1_600_000_000),
    };
    if let Err(e @ Error::Pdf(_)) = communique::render(&statement, layout, fonts, &options) {
        panic!("internal error: {e}");
    }
});

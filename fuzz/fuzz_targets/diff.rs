//! `diff` of a valid PDF against arbitrary bytes at a low resolution: a report or an error,
//! never a panic, with bounded memory.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn seed() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let s = communique::Statement::load(
            &root.join("statements/2020-01-29-copenhagen-political-directors.md"),
        )
        .expect("seed statement");
        let l = communique::Layout::builtin();
        let f = communique::FontSet::load(&l).expect("fonts");
        communique::render(&s, &l, &f, &communique::Options::default())
            .expect("seed PDF")
            .pdf
    })
}

fuzz_target!(|data: &[u8]| {
    let p = std::path::Path::new("fuzz.pdf");
    let _ = communique::diff::diff(p, seed(), p, data, 4.0);
});

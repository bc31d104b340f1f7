//! `extract` on arbitrary bytes: an error or files below the output folder, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = communique::archive::read_embedded(std::path::Path::new("fuzz.pdf"), data);
});

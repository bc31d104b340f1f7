//! RFC 3161 responses from a timestamp authority: accepted only when well formed and for the
//! imprint asked for, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    // The imprint the seed responses (fuzz/corpus/tsa/) were made for.
    let imprint = Sha256::digest(b"communique fuzz");
    let _ = communique::sign::fuzz::timestamp_response(data, &imprint);
});

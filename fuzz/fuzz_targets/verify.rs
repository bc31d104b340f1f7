//! `verify` on arbitrary bytes: a report or an error, never a panic, and time linear in the
//! input (each object visited once).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = communique::sign::verify_all(data);
});

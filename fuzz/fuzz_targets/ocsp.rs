//! OCSP responses from a responder or an `--ocsp` file: decoded and checked (signature,
//! responder, CertID, times) or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = communique::sign::fuzz::ocsp_response(data);
});

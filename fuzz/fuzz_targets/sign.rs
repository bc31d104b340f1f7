//! `sign` (co-signing) and `extend --ltv` offline on arbitrary input PDFs: a signed file or an
//! error, never a panic. A signed result must verify.
#![no_main]

use std::sync::LazyLock;

use communique::sign::{LtvOptions, SignOptions, Signer, add_dss, sign, verify_all};
use libfuzzer_sys::fuzz_target;

static SIGNER: LazyLock<Signer> = LazyLock::new(|| {
    Signer::from_pem(
        include_str!("../assets/fuzz-key.pem"),
        include_str!("../assets/fuzz-cert.pem"),
        None,
    )
    .expect("fuzz key")
});

fuzz_target!(|data: &[u8]| {
    let options = SignOptions {
        time_unix: 1_800_000_000,
        ..SignOptions::default()
    };
    if let Ok(signed) = sign(data, &SIGNER, &options) {
        let reports = verify_all(&signed).expect("a file we signed must be readable");
        // Ours covers the whole file; earlier ones in a mangled input may be broken, and
        // `verify` orders signatures by the revision they cover, not by age.
        assert!(
            reports.iter().any(|r| r.valid && r.covers_whole_file()),
            "the signature we just made must verify"
        );
    }
    let _ = add_dss(data, &LtvOptions::default());
});

//! Shared helpers for the signing integration tests.
#![allow(dead_code)]

pub mod certs;
pub mod hostile;
pub mod ocsp;
pub mod pdfgen;
pub mod tools;
pub mod tsa;

/// 2026-05-14 12:00:00 UTC.
pub const SIGN_TIME: i64 = 1_778_760_000;

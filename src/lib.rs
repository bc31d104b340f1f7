//! communique: typesets official statements into archival PDF/A documents.
pub mod sign;

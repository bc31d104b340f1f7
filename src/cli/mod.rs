//! Subcommands, one file each; `main.rs` only dispatches.

pub mod diff;
pub mod extract;
pub mod rebuild;

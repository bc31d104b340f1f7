//! Subcommands, one file each; `main.rs` only dispatches to them.

pub mod fonts;

//! One file per subcommand; `main.rs` only dispatches.

pub mod extend;
pub mod sign;
pub mod verify;

//! One file per subcommand; `main.rs` only dispatches.

pub mod verify;

//! One file per subcommand; `main.rs` only dispatches.

pub mod fonts;
pub mod layouts;

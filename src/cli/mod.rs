//! One file per subcommand; `main.rs` parses the arguments and dispatches here.

pub mod build;
pub mod completions;
pub mod diff;
pub mod extend;
pub mod extract;
pub mod fonts;
pub mod init;
pub mod layouts;
pub mod manpage;
pub mod preview;
pub mod rebuild;
pub mod serve;
pub mod sign;
pub mod verify;
pub mod watch;

use communique::Error;

/// The document date from SOURCE_DATE_EPOCH, as `build` reads it.
pub fn source_date_epoch() -> Result<Option<i64>, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => communique::parse_source_date_epoch(&v)
            .map(Some)
            .ok_or_else(|| {
                Error::invalid_value(
                    "SOURCE_DATE_EPOCH",
                    format!("`{v}` is not a number of seconds since 1970"),
                )
            }),
        Err(_) => Ok(None),
    }
}

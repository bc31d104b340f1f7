//! `communique serve`: the editor in the browser.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use communique::serve;

/// Open a local editor in the browser: write or paste a statement, pick a layout, see the
/// pages as you type, save, and download the PDF (the bytes `communique build` writes).
///
/// The server listens on 127.0.0.1 only, unless --bind names another address. Nothing leaves
/// the machine; the page uses no asset from the network. Stop it with Ctrl-C.
#[derive(clap::Args)]
pub struct Args {
    /// The folder whose statements are listed, opened and saved (default: the current one).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 7878)]
    port: u16,
    /// Listen on this address instead of 127.0.0.1. Anyone who can reach it can read and
    /// write the folder's statements once they have the page: use with care.
    #[arg(long, value_name = "ADDRESS")]
    bind: Option<IpAddr>,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Seconds one build may take before it answers with an error.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u64,
}

pub fn run(args: Args) -> ExitCode {
    let ip = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!(
            "warning: listening on {ip}: other machines that can reach it can read and change \
             the statements in {}",
            args.dir.display()
        );
    }
    let token = match serve::new_token() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot make a session token: {e}");
            return ExitCode::from(3);
        }
    };
    let timestamp = match super::source_date_epoch() {
        Ok(t) => t,
        Err(e) => {
            communique::diagnostics::eprint_error(&e, Default::default());
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let config = serve::Config {
        root: args.dir.clone(),
        address: SocketAddr::new(ip, args.port),
        build_timeout: Duration::from_secs(args.timeout.max(1)),
        max_builds: 2,
        dpi: 96.0,
        timestamp,
        token,
    };
    let running = match serve::start(config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    let url = running.url();
    println!("serving {} at {url} (Ctrl-C stops)", args.dir.display());
    if args.open {
        open_browser(&url);
    }
    running.join();
    ExitCode::SUCCESS
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("note: could not start a browser ({opener}); open {url} yourself");
    }
}

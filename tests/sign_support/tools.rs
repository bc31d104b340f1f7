//! External validators: present, or skipped loudly (a failure when CI=true).

use std::path::Path;
use std::process::{Command, Output};

const PREFLIGHT_CP: &[&str] = &[
    "/usr/share/java/preflight.jar",
    "/usr/share/java/pdfbox2.jar",
    "/usr/share/java/fontbox2.jar",
    "/usr/share/java/xmpbox.jar",
    "/usr/share/java/commons-logging.jar",
    "/usr/share/java/javax.activation.jar",
    "/usr/share/java/jaxb-api.jar",
];

fn on_path(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
}

/// Whether `tool` can run here. When it cannot: panic if CI=true, else
/// print a loud skip notice and return false.
pub fn require(tool: &str) -> bool {
    let present = match tool {
        "preflight" => on_path("java") && PREFLIGHT_CP.iter().all(|p| Path::new(p).exists()),
        "pdfsig" => Command::new("pdfsig").arg("-v").output().is_ok(),
        other => on_path(other),
    };
    if present {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("external tool `{tool}` is missing and CI=true: install it (see docs/signing.md)");
    }
    // Written to the stderr handle, not with eprintln!, so that libtest's
    // output capture does not swallow the notice of a passing (skipped) test.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\n=== SKIPPING check with `{tool}`: not installed (see docs/signing.md); \
         this would FAIL under CI=true ===\n"
    );
    false
}

pub fn run(cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn preflight(file: &Path) -> Output {
    let cp = PREFLIGHT_CP.join(":");
    run(
        "java",
        &[
            "-cp",
            &cp,
            "org.apache.pdfbox.preflight.Validator_A1b",
            file.to_str().unwrap(),
        ],
    )
}

/// A fresh scratch directory under the target dir.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

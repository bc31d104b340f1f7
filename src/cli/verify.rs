//! `communique verify`: every signature and document timestamp of a PDF.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use communique::sign::{VerifyReport, format_utc, verify_all_trusting};

/// Check every digital signature and document timestamp of a PDF.
///
/// For each one: that the signed byte range covers the file but the signature, that the digest
/// matches, that the signature verifies with the embedded certificate, and that revisions
/// appended after it only added signatures, signature fields, the DSS and document timestamps
/// (anything else — a replaced page, an annotation drawn over it — makes it NOT VALID).
/// Revocation: the signer's chain is looked up in the DSS's OCSP responses and CRLs and the
/// signature's own revocation data: good, revoked (NOT VALID when revoked before the signing
/// time) or unknown.
/// Exit status: 0 when every signature is valid, 1 otherwise (or not signed), 3 unreadable.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The signed PDF.
    pub pdf: PathBuf,
    /// Print one JSON object (`{"file", "valid", "signatures": [...]}`) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Trust anchors (PEM certificates); repeatable. Each signature must then chain to one
    /// of them through the certificates in the file, or it is NOT VALID.
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: Vec<PathBuf>,
}

/// Every `CERTIFICATE` block of the PEM files, as DER.
fn read_anchors(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        for (i, _) in text.match_indices(BEGIN) {
            let end = text[i..]
                .find("-----END CERTIFICATE-----")
                .map(|e| i + e + "-----END CERTIFICATE-----".len())
                .ok_or_else(|| format!("{}: unterminated PEM block", path.display()))?;
            let (_, der) = der::pem::decode_vec(&text.as_bytes()[i..end])
                .map_err(|e| format!("{}: {e}", path.display()))?;
            out.push(der);
        }
    }
    if out.is_empty() && !paths.is_empty() {
        return Err("--trust: no PEM certificate found".into());
    }
    Ok(out)
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    let path = &args.pdf;
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::from(3);
        }
    };
    let anchors = match read_anchors(&args.trust) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    let reports = match verify_all_trusting(&bytes, &anchors) {
        Ok(r) => r,
        Err(e) => {
            if args.json {
                let v = serde_json::json!({
                    "file": path.display().to_string(),
                    "valid": false,
                    "error": e.to_string(),
                    "signatures": [],
                });
                emit(&format!("{v}\n"));
            } else {
                emit(&format!("{}: NOT VALID: {e}\n", path.display()));
            }
            return ExitCode::from(1);
        }
    };
    let all_valid = reports.iter().all(|r| r.valid);
    if args.json {
        print_json(path, &reports, all_valid);
    } else {
        print_text(path, &reports);
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_json(path: &Path, reports: &[VerifyReport], all_valid: bool) {
    let v = serde_json::json!({
        "file": path.display().to_string(),
        "valid": all_valid,
        "signatures": reports,
    });
    emit(&format!("{v}\n"));
}

fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn print_text(path: &Path, reports: &[VerifyReport]) {
    // Collected and written once: a closed pipe (`| head`) is not a panic.
    let mut text = String::new();
    macro_rules! out {
        ($($arg:tt)*) => {{
            use std::fmt::Write as _;
            let _ = writeln!(text, $($arg)*);
        }};
    }
    // Field names come from the file: a newline in one must not print a line of its own.
    let show = |o: &Option<String>| {
        o.as_deref().map_or_else(
            || "unknown".into(),
            |s| s.replace(char::is_control, "\u{FFFD}"),
        )
    };
    out!("file:      {}", path.display());
    for (i, report) in reports.iter().enumerate() {
        out!();
        out!("{} ({} of {})", report.kind, i + 1, reports.len());
        out!("field:     {}", show(&report.field_name));
        out!("signer:    {}", show(&report.signer_name));
        let time = match (report.timestamp_unix, &report.timestamp_authority) {
            (Some(t), Some(tsa)) => {
                format!("{} (from the timestamp authority {tsa})", format_utc(t))
            }
            _ => report.signing_time_unix.map_or_else(
                || "unknown".into(),
                |t| format!("{} (claimed by the signer)", format_utc(t)),
            ),
        };
        out!("time:      {time}");
        if let Some(level) = &report.level {
            out!("level:     PAdES {level}");
        }
        out!("algorithm: {}", show(&report.algorithm));
        out!(
            "revision:  {} of {}{}",
            report.revision,
            report.revisions,
            if report.revision < report.revisions
                && report.changed_after_signing.is_empty()
                && report.valid
            {
                " (later revisions only add signatures, the DSS or timestamps)"
            } else {
                ""
            }
        );
        if let Some(later) = &report.later_changes {
            out!("later:     {later}");
        }
        out!(
            "coverage:  {}",
            if report.appended_bytes == 0 {
                "the whole file except the signature value".to_string()
            } else {
                format!(
                    "the file up to byte {} ({} bytes follow)",
                    report.byte_range.get(2).copied().unwrap_or(0)
                        + report.byte_range.get(3).copied().unwrap_or(0),
                    report.appended_bytes
                )
            }
        );
        match report.revocation.as_deref() {
            Some("good") => out!(
                "revocation: good ({})",
                report
                    .revocation_source
                    .as_deref()
                    .unwrap_or("embedded revocation data")
            ),
            Some("revoked") => out!(
                "revocation: REVOKED: {} at {} (according to {})",
                show(&report.revoked_certificate),
                report
                    .revoked_at_unix
                    .map_or("an unknown time".into(), format_utc),
                show(&report.revocation_source)
            ),
            Some(_) => out!("revocation: unknown (no revocation data in the file for the chain)"),
            None => {}
        }
        if report.valid && report.trusted == Some(true) {
            out!("result:    VALID (integrity, signature, and a chain to a trust anchor)");
        } else if report.valid {
            out!("result:    VALID (integrity and signature; trust not judged: give --trust)");
        } else {
            out!("result:    NOT VALID: {}", show(&report.reason));
        }
    }
    emit(&text);
}

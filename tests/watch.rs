//! `communique watch` driven as a child process: edits in place and by rename rebuild, an error
//! prints its diagnostic and keeps the last good PDF, a fix rebuilds, a changed layout image
//! rebuilds, and Ctrl-C stops it cleanly with no temporary file left. The test waits on the
//! child's output (with a generous time-out), never on fixed sleeps.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(90);

struct Watch {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", "1580256000")
            .env_remove("NO_COLOR")
            .arg("watch")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads output until a line satisfies `pred`; returns the lines read.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        let mut read = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    read.push(line.clone());
                    if pred(&line) {
                        return read;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!(
                        "timed out waiting for {what}; output so far:\n{}",
                        self.seen.join("\n")
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "watch ended while waiting for {what}; output:\n{}",
                        self.seen.join("\n")
                    )
                }
            }
        }
    }

    fn wait_for_build(&mut self, what: &str) {
        self.wait_for(what, |l| l.contains("] built out.pdf ("));
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tiny_png(shade: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 4, 4);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    w.write_image_data(&[shade; 4 * 4 * 3]).unwrap();
    w.finish().unwrap();
    out
}

fn statement(paragraph: &str) -> String {
    format!("**A Statement on Watching**\n**Geneva, 14 May 2026**\n\n{paragraph}\n")
}

/// Waits until `path` holds bytes other than `old` (the status line can come a moment before
/// the rename is visible on some file systems; on Linux it never does, so this is quick).
fn changed(path: &Path, old: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let now = std::fs::read(path).unwrap();
        if now != old {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{} did not change",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn watch_rebuilds_on_edits_keeps_the_last_good_pdf_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.md"), statement("The ministers met.")).unwrap();
    std::fs::create_dir(d.join("art")).unwrap();
    std::fs::write(d.join("art/logo.png"), tiny_png(0)).unwrap();
    std::fs::write(
        d.join("l.toml"),
        "[letterhead]\nlogo = { path = \"art/logo.png\", height = \"10mm\", alt = \"A square\" }\n",
    )
    .unwrap();
    let out = d.join("out.pdf");
    let mut w = Watch::start(d, &["s.md", "-l", "l.toml", "-o", "out.pdf"]);

    w.wait_for_build("the first build");
    let first = std::fs::read(&out).unwrap();
    assert!(first.starts_with(b"%PDF-"));

    // Saved in place.
    std::fs::write(d.join("s.md"), statement("The ministers met again.")).unwrap();
    w.wait_for_build("a rebuild after an edit in place");
    let second = changed(&out, &first);

    // Saved the way many editors do: a new file renamed over the old one.
    std::fs::write(
        d.join(".s.md.swp"),
        statement("The ministers met a third time."),
    )
    .unwrap();
    std::fs::rename(d.join(".s.md.swp"), d.join("s.md")).unwrap();
    w.wait_for_build("a rebuild after a save by rename");
    let third = changed(&out, &second);

    // A mistake: the diagnostic is printed, the last good PDF stays.
    std::fs::write(d.join("s.md"), "+++\ntitel = \"x\"\n+++\n\nBody.\n").unwrap();
    let read = w.wait_for("the error status line", |l| {
        l.contains("error: kept the last good")
    });
    let text = read.join("\n");
    assert!(text.contains("s.md:2:1: unknown key `titel`"), "{text}");
    assert!(text.contains("help: did you mean `title`?"), "{text}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        third,
        "the last good PDF was touched"
    );

    // Fixed.
    std::fs::write(d.join("s.md"), statement("The ministers met, fixed.")).unwrap();
    w.wait_for_build("a rebuild after the fix");
    let fourth = changed(&out, &third);

    // The layout's image changes.
    std::fs::write(d.join("art/logo.png"), tiny_png(200)).unwrap();
    w.wait_for_build("a rebuild after the logo changed");
    changed(&out, &fourth);

    // Ctrl-C.
    let pid = w.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    w.wait_for("the stop message", |l| l == "stopped");
    let exit = w.child.wait().unwrap();
    assert!(exit.success(), "watch exited with {exit:?}");
    let mut leftovers: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    leftovers.sort();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn watch_of_a_broken_statement_waits_and_builds_once_it_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.md"), "").unwrap();
    let mut w = Watch::start(d, &["s.md", "-o", "out.pdf"]);
    let read = w.wait_for("the error status line", |l| {
        l.contains("error: no PDF written")
    });
    assert!(
        read.join("\n").contains("the statement is empty"),
        "{read:?}"
    );
    assert!(!d.join("out.pdf").exists());
    std::fs::write(d.join("s.md"), statement("Now with text.")).unwrap();
    w.wait_for_build("a build once fixed");
    assert!(
        std::fs::read(d.join("out.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
}

#[test]
fn watch_with_json_messages_keeps_standard_error_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.md"), "").unwrap();
    let mut w = Watch::start(d, &["s.md", "-o", "out.pdf", "--message-format", "json"]);
    let read = w.wait_for("a JSON diagnostic", |l| {
        l.contains("the statement is empty")
    });
    for line in &read {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON on standard error ({e}): {line}"));
        assert_eq!(v["severity"], "error");
        assert_eq!(v["file"], "s.md");
    }
}

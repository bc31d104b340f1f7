//! Snapshots of the diagnostics the CLI prints for every class of error (statement, front
//! matter, layout, fonts, images, signing options, files), for people and as JSON.
//!
//! The expected texts are in tests/snapshots/diagnostics/; after an intended change rewrite
//! them with `UPDATE_SNAPSHOTS=1 cargo test --test diagnostics` and read the diff.

mod common;

use std::path::Path;
use std::process::Command;

const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static [u8])],
    args: &'static [&'static str],
    exit: i32,
}

const BODY: &[u8] = b"**A Statement on Testing**\n**Geneva, 14 May 2026**\n\nThe ministers met.\n";

const CASES: &[Case] = &[
    Case {
        name: "statement",
        files: &[(
            "s.md",
            b"**A Statement**\n**Geneva, 14 May 2026**\n\nThe <span lang=\"german\">Minister</span> met.\n",
        )],
        args: &["build", "s.md"],
        exit: 2,
    },
    Case {
        name: "front_matter",
        files: &[(
            "s.md",
            b"+++\ntitle = \"A title\"\nsubtitel = \"A subtitle\"\ndate = 2026-05-14\n+++\n\nBody.\n",
        )],
        args: &["build", "s.md"],
        exit: 2,
    },
    Case {
        name: "layout",
        files: &[("s.md", BODY), ("l.toml", b"[body]\njustfy = \"left\"\n")],
        args: &["build", "s.md", "-l", "l.toml"],
        exit: 2,
    },
    Case {
        name: "fonts",
        files: &[
            ("s.md", BODY),
            ("l.toml", b"[fonts]\nregular = \"Missing-Regular.ttf\"\n"),
        ],
        args: &["build", "s.md", "-l", "l.toml"],
        // A missing file is "cannot be read" (3), as a missing statement or layout is.
        exit: 3,
    },
    Case {
        name: "images",
        files: &[
            ("s.md", BODY),
            (
                "l.toml",
                b"[letterhead]\nlogo = { path = \"logo.png\", height = \"20mm\", alt = \"Logo\" }\n",
            ),
            ("logo.png", PNG_SIG),
        ],
        args: &["build", "s.md", "-l", "l.toml"],
        exit: 2,
    },
    Case {
        name: "signing_options",
        files: &[("s.md", BODY), ("k.p12", b"not a key")],
        args: &[
            "build",
            "s.md",
            "--sign",
            "k.p12",
            "--sign-password-env",
            "COMMUNIQUE_TEST_VARIABLE_THAT_IS_NOT_SET",
        ],
        exit: 2,
    },
    Case {
        name: "missing_file",
        files: &[],
        args: &["build", "nowhere.md"],
        exit: 3,
    },
];

fn run(case: &Case, json: bool) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in case.files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_communique"));
    cmd.current_dir(dir.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("NO_COLOR")
        .args(case.args);
    if json {
        cmd.args(["--message-format", "json"]);
    }
    let out = cmd.output().unwrap();
    assert!(out.stdout.is_empty(), "{}: nothing on stdout", case.name);
    let listing: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert!(listing.is_empty(), "{}: a PDF was written", case.name);
    let err = String::from_utf8(out.stderr).unwrap();
    let dir_text = dir.path().display().to_string();
    (
        out.status.code().unwrap_or(-1),
        err.replace(&dir_text, "$DIR"),
    )
}

#[test]
fn every_error_class_matches_its_snapshot() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/diagnostics");
    let mut failures = Vec::new();
    for case in CASES {
        let (code, human) = run(case, false);
        let (json_code, json) = run(case, true);
        assert_eq!(
            code, case.exit,
            "{}: exit status; stderr:\n{human}",
            case.name
        );
        assert_eq!(json_code, case.exit, "{}: exit status with json", case.name);
        assert!(!human.contains('\x1b'), "{}: colour on a pipe", case.name);
        assert!(human.starts_with("error: "), "{}:\n{human}", case.name);
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {line}", case.name));
            for key in [
                "file", "line", "column", "end", "severity", "message", "hint",
            ] {
                assert!(v.get(key).is_some(), "{}: no `{key}` in {line}", case.name);
            }
            assert_eq!(v["severity"], "error");
        }
        let actual = format!("exit: {code}\n--- human\n{human}--- json\n{json}");
        let path = snapshots.join(format!("{}.txt", case.name));
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}: differs from {}\n--- expected\n{expected}--- actual\n{actual}",
                case.name,
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(rewrite with UPDATE_SNAPSHOTS=1 if the change is intended)",
        failures.join("\n")
    );
}

#[test]
fn the_underline_covers_the_unknown_key_and_the_hint_is_separate() {
    let (_, human) = run(&CASES[2], false);
    assert!(
        human.contains("l.toml:2:1: unknown key `justfy` in [body]"),
        "{human}"
    );
    assert!(human.contains("2 | justfy = \"left\""), "{human}");
    assert!(human.contains("  | ^^^^^^\n"), "{human}");
    assert!(human.contains("help: did you mean `justify`?"), "{human}");
    let (_, json) = run(&CASES[2], true);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["end"]["column"], 7);
    assert_eq!(v["hint"], "did you mean `justify`?");
    assert_eq!(v["file"], "l.toml");
}

/// Runs the layout case under `script`, which gives the child a terminal, with and without
/// NO_COLOR; returns (output with NO_COLOR unset, output with NO_COLOR=1).
fn on_a_terminal() -> Option<(String, String)> {
    let has_script = Command::new("script").arg("--version").output().is_ok();
    if !common::require("script", has_script, "apt-get install bsdutils") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in CASES[2].files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let run = |no_color: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.current_dir(dir.path())
            .args(["-q", "-e", "-c"])
            .arg(format!(
                "'{}' build s.md -l l.toml",
                env!("CARGO_BIN_EXE_communique")
            ))
            .arg("/dev/null")
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "exit status through script");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    Some((run(None), run(Some("1"))))
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let Some((plain_env, no_color)) = on_a_terminal() else {
        return;
    };
    assert!(plain_env.contains("justfy"), "{plain_env}");
    assert!(
        plain_env.contains('\x1b'),
        "no colour on a terminal: {plain_env:?}"
    );
    assert!(no_color.contains("justfy"), "{no_color}");
    assert!(
        !no_color.contains('\x1b'),
        "colour despite NO_COLOR: {no_color:?}"
    );
}

//! The `batch` subcommand's arguments and its report on the terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Config, Shard, Ui};

/// Typeset many statements into a mirrored tree of PDFs, in parallel and incrementally.
///
/// A file input maps to OUT/<its name>.pdf; a directory input D (searched recursively for
/// .md and .txt files, skipping hidden entries) maps D/sub/x.md to OUT/sub/x.pdf. Several
/// inputs all merge into the top of OUT; two statements mapping to the same output are refused.
/// A statement's front matter may name its own layout (`layout = "file.toml"`, relative to the
/// statement), which overrides --layout.
///
/// OUT/manifest.json records what each PDF was built from; unchanged statements are skipped.
///
/// Statements in folders are .md and .txt files, except hidden ones and README, NOTES,
/// LICENSE, CHANGELOG and the like; --exclude and .communiqueignore files leave out more.
///
/// Exit status: 0 when everything was built (or, with --check, matches), 1 when a statement
/// failed or --check found a difference, 2 for invalid arguments, layout or manifest, or when
/// there is nothing to build, 3 when an input, the layout, the output folder or the manifest
/// cannot be read or written.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Statement files and directories.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The output folder; it mirrors the input tree.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Layout for statements that do not name one in their front matter: a file, or the name
    /// of a bundled layout (`communique layouts`). Default: the bundled layouts/default.toml.
    #[arg(short, long, value_name = "LAYOUT.toml|NAME")]
    pub layout: Option<PathBuf>,
    /// Worker threads. Default: one per core.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Rebuild every statement, even those the manifest says are up to date.
    #[arg(long)]
    pub force: bool,
    /// Render in memory and compare byte for byte with the PDFs in OUT; write nothing. Lists
    /// every missing, differing and extra file on standard output.
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
    /// Build only shard K of N (1 <= K <= N): a split by output path that is the same on
    /// every machine. The default manifest becomes OUT/manifest-K-of-N.json.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Manifest file. Default: OUT/manifest.json (OUT/manifest-K-of-N.json with --shard).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Leave out files and folders matching GLOB (.gitignore syntax: `README.md`, `drafts/`,
    /// `2019-*.md`, `old/**`); repeatable. Matched from each input folder, and against files
    /// named as inputs. A .communiqueignore file in any input folder works the same way.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// With --check: write the PDF that each differing or missing output would have into DIR,
    /// at the same relative path, to compare with the one in OUT.
    #[arg(long, value_name = "DIR", requires = "check")]
    pub keep_actual: Option<PathBuf>,
    #[command(flatten)]
    pub sign: crate::sign::SignArgs,
    #[command(flatten)]
    pub tsa: crate::sign::TsaArgs,
    #[command(flatten)]
    pub ltv: crate::sign::LtvArgs,
    /// Attach each statement, its layout and images and a build record to its PDF
    /// (PDF/A-3a), as `build --embed-source` does.
    #[arg(long)]
    pub embed_source: bool,
    /// With --check: for every differing PDF, write the old, new and overlay images of each
    /// changed page here, and one index.html for the whole run.
    #[arg(long, value_name = "DIR", requires = "check")]
    pub diff: Option<PathBuf>,
    /// With --check: write a JUnit XML report (one test case per statement) here.
    #[arg(long, value_name = "FILE", requires = "check")]
    pub junit: Option<PathBuf>,
}

/// Runs `communique batch` and reports on stderr (and, for `--check`, stdout).
pub fn main(args: Args) -> ExitCode {
    let junit_path = args.junit.clone();
    let timestamp = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => match crate::parse_source_date_epoch(&v) {
            Some(t) => Some(t),
            None => {
                eprintln!(
                    "error: `SOURCE_DATE_EPOCH`: `{v}` is not a number of seconds since 1970"
                );
                return ExitCode::from(2);
            }
        },
        Err(_) => None,
    };
    let signing = match args.sign.signer(timestamp) {
        Ok(s) => s.map(|(signer, time)| (std::sync::Arc::new(signer), time)),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let tsa = match args.tsa.config() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let ltv = match args.ltv.options(
        std::time::Duration::from_secs(args.tsa.tsa_timeout.max(1)),
        args.sign.strict,
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    if (tsa.is_some() || ltv.is_some()) && signing.is_none() {
        eprintln!(
            "error: `--tsa`/`--ltv`: timestamps and long-term validation need a signature: \
             give --sign or --sign-key too"
        );
        return ExitCode::from(2);
    }
    let config = Config {
        signing,
        tsa,
        archive_timestamp: args.ltv.archive_timestamp,
        ltv,
        inputs: args.inputs,
        out: args.out,
        layout: args.layout,
        jobs: args.jobs.unwrap_or(0) as usize,
        force: args.force,
        check: args.check,
        embed_source: args.embed_source,
        diff: args.diff.clone(),
        diffs: Default::default(),
        shard: args.shard,
        manifest: args.manifest,
        exclude: args.exclude,
        keep_actual: args.keep_actual,
        timestamp,
        ui: if std::io::stderr().is_terminal() {
            Ui::Bar
        } else {
            Ui::Plain
        },
    };
    let summary = match super::run(&config) {
        Ok(s) => s,
        Err(fatal) => {
            say(&format!("error: {fatal}"));
            return ExitCode::from(fatal.exit_code);
        }
    };
    if let Some(check) = &summary.check {
        let out = &config.out;
        for rel in &check.missing {
            print(&format!("missing: {}", out.join(rel).display()));
        }
        for d in &check.differing {
            let kept = d
                .actual
                .as_ref()
                .map_or_else(String::new, |p| format!(" (actual: {})", p.display()));
            print(&format!(
                "differs: {}: {}{kept}",
                out.join(&d.rel).display(),
                d.reason
            ));
        }
        for rel in &check.extra {
            print(&format!("extra: {}", out.join(rel).display()));
        }
    }
    if let Some(code) = reports(junit_path.as_deref(), &config, &summary) {
        return code;
    }
    if let Some(why) = &summary.stopped {
        say(&format!("stopped early, the disk is full: {why}"));
    }
    say(&summary.line());
    if let Some(e) = &summary.manifest_error {
        say(&format!("error: {e}"));
        return ExitCode::from(3);
    }
    if summary.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One line on stderr. A closed stderr (`2>&-`, a reader that went away) only means nobody
/// reads it: the batch goes on and its exit status still tells the result. (`eprintln!`
/// would panic.)
pub(super) fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// One line on stdout, under the same rule (`batch --check | head` must not panic).
fn print(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// `--diff` and `--junit`: written after the check, whatever it found.
fn reports(
    junit_path: Option<&std::path::Path>,
    config: &Config,
    summary: &super::Summary,
) -> Option<ExitCode> {
    let check = summary.check.as_ref()?;
    if let Some(dir) = &config.diff {
        let results = config.diffs.take();
        let page = crate::diff::html_run(
            &format!("communique batch --check: {}", config.out.display()),
            &results.reports,
            &results.problems,
        );
        let path = dir.join("index.html");
        let written = std::fs::create_dir_all(dir)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                crate::write_atomically(&path, page.as_bytes()).map_err(|e| e.to_string())
            });
        match written {
            Ok(()) => say(&format!("diff: {}", path.display())),
            Err(e) => {
                say(&format!("error: {e}"));
                return Some(ExitCode::from(3));
            }
        }
    }
    if let Some(path) = junit_path {
        let xml = junit(check, &summary.failures, summary.elapsed.as_secs_f64());
        if let Err(e) = crate::write_atomically(path, xml.as_bytes()) {
            say(&format!("error: {e}"));
            return Some(ExitCode::from(3));
        }
    }
    None
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A JUnit XML report: a test case per statement (named by its output path), failing when
/// its PDF is missing or differs, in error when it could not be rendered; extra PDFs fail too.
pub fn junit(check: &super::CheckReport, failures: &[super::Failure], secs: f64) -> String {
    let mut cases = Vec::new();
    for rel in &check.identical_files {
        cases.push(format!(
            "    <testcase classname=\"communique.check\" name=\"{}\"/>\n",
            xml_escape(rel)
        ));
    }
    let differing = check
        .differing
        .iter()
        .map(|d| (&d.rel, format!("the PDF differs: {}", d.reason)));
    let missing = check
        .missing
        .iter()
        .map(|rel| (rel, "the PDF is missing".to_string()));
    let extra = check
        .extra
        .iter()
        .map(|rel| (rel, "no statement makes this PDF".to_string()));
    for (rel, message) in differing.chain(missing).chain(extra) {
        cases.push(format!(
            "    <testcase classname=\"communique.check\" name=\"{}\"><failure message=\"{}\"/></testcase>\n",
            xml_escape(rel),
            xml_escape(&message)
        ));
    }
    for f in failures {
        cases.push(format!(
            "    <testcase classname=\"communique.check\" name=\"{}\"><error message=\"{}\"/></testcase>\n",
            xml_escape(&f.input.display().to_string()),
            xml_escape(&f.message)
        ));
    }
    cases.sort();
    let failed = check.differing.len() + check.missing.len() + check.extra.len();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"communique batch --check\" tests=\"{}\" failures=\"{failed}\" errors=\"{}\" time=\"{secs:.3}\">\n{}  </testsuite>\n</testsuites>\n",
        cases.len(),
        failures.len(),
        cases.concat()
    )
}

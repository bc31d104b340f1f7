//! `communique batch`: many statements into a mirrored tree of PDFs, in parallel, incrementally,
//! atomically, optionally sharded over machines, with a golden-file `--check` mode.
//!
//! The work streams: each worker reads, parses, renders and writes one statement and keeps only
//! a small [`manifest::Entry`], so memory does not grow with the size of the batch. Layouts and
//! their fonts are loaded once per distinct layout and shared by every worker.

mod cli;
pub mod ignore;
mod inputs;
pub mod manifest;
mod shard;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::layout::DEFAULT_LAYOUT;
use crate::{Error, FontSet, Layout, Options, Statement};
pub use cli::{Args, main};
pub use inputs::{Job, NOT_STATEMENTS, is_statement};
use manifest::{Entry, FontHash, Manifest, Source, hex, sha256_hex};
pub use shard::Shard;

// Workers share these; a change that makes them thread-bound must fail to compile here.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<FontSet>();
    shared::<Layout>();
};

/// How often, at most, the manifest is rewritten while a batch runs, so that an interrupted
/// batch resumes where it stopped rather than from the start.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Statement files and directories.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// The layout for statements that do not name one; `None` is the built-in layout.
    pub layout: Option<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Rebuild even when the manifest says an output is up to date.
    pub force: bool,
    /// Render in memory and compare with `out` instead of writing.
    pub check: bool,
    pub shard: Option<Shard>,
    /// Default: `out/manifest.json`, or `out/manifest-K-of-N.json` with a shard.
    pub manifest: Option<PathBuf>,
    /// SOURCE_DATE_EPOCH, as `build` reads it.
    pub timestamp: Option<i64>,
    /// Sign every PDF with this signer at this time (`--sign`, `--sign-key`).
    pub signing: Option<(Arc<crate::sign::Signer>, i64)>,
    /// With `signing`: timestamp each signature at this authority (`--tsa`, PAdES B-T).
    /// Every file gets its own token.
    pub tsa: Option<crate::sign::TsaConfig>,
    /// With `signing`: a DSS after each signature (`--ltv`, PAdES B-LT).
    pub ltv: Option<crate::sign::LtvOptions>,
    /// With `tsa`: a document timestamp last (`--archive-timestamp`, PAdES B-LTA).
    pub archive_timestamp: bool,
    /// Where progress and failures go while the batch runs.
    pub ui: Ui,
    /// `--exclude` patterns (`.gitignore` syntax, see [`ignore`]), matched from each input
    /// folder and against files named as inputs.
    pub exclude: Vec<String>,
    /// With `check`: write the PDF each differing or missing output would have, under this
    /// folder at the same relative path.
    pub keep_actual: Option<PathBuf>,
    /// Attach the sources to every PDF (`--embed-source`; also a layout's `[pdf]
    /// embed_source`).
    pub embed_source: bool,
    /// With `check`: compare each differing PDF with what was rendered and write its images
    /// here (`--diff`); the reports go to `diffs`.
    pub diff: Option<PathBuf>,
    pub diffs: DiffSink,
}

/// The `--diff` reports of a run, gathered from the workers.
#[derive(Debug, Clone, Default)]
pub struct DiffSink(Arc<std::sync::Mutex<DiffResults>>);

#[derive(Debug, Default)]
pub struct DiffResults {
    /// Output path relative to OUT, the report (without its pixels), the prefix of its images.
    pub reports: Vec<(String, crate::diff::Report, String)>,
    /// Differing files that could not be compared, one line each.
    pub problems: Vec<String>,
}

impl DiffSink {
    /// The reports, sorted by output path.
    pub fn take(&self) -> DiffResults {
        let mut r = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        r.reports.sort_by(|a, b| a.0.cmp(&b.0));
        r.problems.sort();
        r
    }
}

/// How a running batch reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ui {
    /// Nothing; the [`Summary`] has it all.
    #[default]
    Silent,
    /// One line on stderr per failure or warning, as it happens.
    Plain,
    /// A progress bar on stderr, with failures and warnings printed above it.
    Bar,
}

/// An error that stops the batch before (or instead of) building: bad arguments, a bad
/// `--layout`, colliding outputs, an unusable manifest or output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    pub message: String,
    /// 2 for invalid input, 3 for a file that cannot be read or written (as `build`).
    pub exit_code: u8,
}

impl Fatal {
    pub fn input(message: impl Into<String>) -> Fatal {
        Fatal {
            message: message.into(),
            exit_code: 2,
        }
    }

    pub fn io(message: impl Into<String>) -> Fatal {
        Fatal {
            message: message.into(),
            exit_code: 3,
        }
    }
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Fatal {
        Fatal {
            message: e.to_string(),
            exit_code: e.exit_code() as u8,
        }
    }
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A statement (or input folder) that could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub input: PathBuf,
    /// One line; it names the file.
    pub message: String,
}

/// What `--check` found, output paths relative to `--out`, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub identical: usize,
    /// The identical files (for `--junit`).
    pub identical_files: Vec<String>,
    pub missing: Vec<String>,
    pub differing: Vec<Difference>,
    pub extra: Vec<String>,
}

/// An output whose PDF differs from what the inputs give today, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Relative to `--out`.
    pub rel: String,
    pub reason: Reason,
    /// Where `--keep-actual` put today's PDF.
    pub actual: Option<PathBuf>,
}

/// Why a PDF differs, from the manifest's record of what it was built from. The first input
/// that changed is named; [`Reason::SameInputs`] is the one that points at a real problem
/// (a non-deterministic build, or a PDF edited by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The manifest has no entry for it (or there is no manifest).
    NotInManifest,
    /// The PDF on disk is not the one the manifest recorded: changed after it was built.
    PdfChangedSinceManifest,
    StatementChanged,
    LayoutChanged,
    ImagesChanged,
    FontsChanged,
    ToolVersionChanged,
    SourceDateEpochChanged,
    SignatureChanged,
    /// Same statement, layout, fonts and version as the manifest records, other bytes.
    SameInputs,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reason::NotInManifest => "the manifest has no entry for it, so the cause is unknown",
            Reason::PdfChangedSinceManifest => {
                "the PDF was changed after it was built (it is not the one the manifest records)"
            }
            Reason::StatementChanged => "the statement changed since the manifest",
            Reason::LayoutChanged => "the layout changed since the manifest",
            Reason::ImagesChanged => {
                "an image (letterhead logo or signature) changed since the manifest"
            }
            Reason::FontsChanged => "the fonts changed since the manifest",
            Reason::ToolVersionChanged => "communique's version changed since the manifest",
            Reason::SourceDateEpochChanged => "SOURCE_DATE_EPOCH changed since the manifest",
            Reason::SignatureChanged => {
                "the signing certificate or time changed since the manifest"
            }
            Reason::SameInputs => {
                "same inputs as the manifest records, but the bytes differ (a bug: please report it)"
            }
        })
    }
}

impl Reason {
    /// Compares what the manifest recorded (`old`) with today's inputs (`new`) and the PDF on
    /// disk (`on_disk`, its SHA-256).
    pub fn of(old: Option<&Entry>, new: &Entry, on_disk: &str) -> Reason {
        let Some(old) = old else {
            return Reason::NotInManifest;
        };
        if old.pdf.sha256 != on_disk {
            Reason::PdfChangedSinceManifest
        } else if old.statement.sha256 != new.statement.sha256 {
            Reason::StatementChanged
        } else if old.layout.sha256 != new.layout.sha256 {
            Reason::LayoutChanged
        } else if !old.same_images(new) {
            Reason::ImagesChanged
        } else if old.fonts != new.fonts {
            Reason::FontsChanged
        } else if old.tool != new.tool {
            Reason::ToolVersionChanged
        } else if old.source_date_epoch != new.source_date_epoch {
            Reason::SourceDateEpochChanged
        } else if old.signature != new.signature {
            Reason::SignatureChanged
        } else {
            Reason::SameInputs
        }
    }
}

impl CheckReport {
    pub fn clean(&self) -> bool {
        self.missing.is_empty() && self.differing.is_empty() && self.extra.is_empty()
    }
}

/// What a batch did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Statements in this run (this shard).
    pub total: usize,
    pub built: usize,
    pub unchanged: usize,
    /// Failed statements and unreadable inputs, sorted by input.
    pub failures: Vec<Failure>,
    /// Statements not attempted because the batch stopped (a full disk).
    pub not_attempted: usize,
    /// Pages of the PDFs built (or, with `--check`, rendered).
    pub pages: usize,
    /// Warnings, including those repeated from the manifest for unchanged outputs.
    pub warnings: usize,
    /// Of `warnings`, those of unchanged outputs (recorded when they were built).
    pub warnings_unchanged: usize,
    pub elapsed: Duration,
    /// `Some` with `--check`.
    pub check: Option<CheckReport>,
    /// Where the manifest was written; `None` with `--check`.
    pub manifest: Option<PathBuf>,
    /// Why the batch stopped early, if it did.
    pub stopped: Option<String>,
    /// Why the manifest could not be written, if it could not.
    pub manifest_error: Option<String>,
}

impl Summary {
    pub fn success(&self) -> bool {
        self.failures.is_empty()
            && self.not_attempted == 0
            && self.manifest_error.is_none()
            && self.check.as_ref().is_none_or(CheckReport::clean)
    }

    /// Statements processed per second (built, unchanged, failed or checked).
    pub fn per_second(&self) -> f64 {
        let done = self.total - self.not_attempted;
        done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The closing line.
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let rate = self.per_second();
        let mut s = match &self.check {
            Some(c) => format!(
                "checked {}: {} identical, {} differing, {} missing, {} extra, {} failed",
                self.total,
                c.identical,
                c.differing.len(),
                c.missing.len(),
                c.extra.len(),
                self.failures.len()
            ),
            None => format!(
                "built {}, unchanged {}, failed {}",
                self.built,
                self.unchanged,
                self.failures.len()
            ),
        };
        if self.not_attempted > 0 {
            s += &format!(", not attempted {}", self.not_attempted);
        }
        if self.warnings > 0 {
            s += &format!(", {} warnings", self.warnings);
            if self.warnings_unchanged > 0 {
                s += &format!(" ({} in unchanged files)", self.warnings_unchanged);
            }
        }
        s += &format!(" in {secs:.2} s ({rate:.1} documents/s)");
        s
    }
}

/// A layout with its fonts and the hashes that identify them in the manifest.
struct Loaded {
    layout: Layout,
    /// The layout file's text, attached by `--embed-source`.
    text: Arc<String>,
    fonts: FontSet,
    source: Source,
    fonts_digest: String,
    font_hashes: Vec<FontHash>,
}

impl Loaded {
    fn new(path: Option<&Path>) -> Result<Loaded, Error> {
        let (layout, source, text) = match path {
            None => (
                Layout::builtin(),
                Source {
                    path: "(built in)".into(),
                    sha256: sha256_hex(DEFAULT_LAYOUT.as_bytes()),
                },
                DEFAULT_LAYOUT.to_string(),
            ),
            Some(path) if let Some(b) = crate::layout::bundled_named(path) => (
                Layout::from_bundled(b),
                Source {
                    path: format!("(built in) {}", b.name),
                    sha256: sha256_hex(b.text.as_bytes()),
                },
                b.text.to_string(),
            ),
            Some(path) => {
                let read_err = |source| Error::Read {
                    path: path.to_path_buf(),
                    source,
                };
                let bytes = std::fs::read(path).map_err(read_err)?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    read_err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ))
                })?;
                let mut layout = Layout::parse(path, &text)?;
                layout.load_images()?;
                (
                    layout,
                    Source {
                        path: path.display().to_string(),
                        sha256: sha256_hex(text.as_bytes()),
                    },
                    text,
                )
            }
        };
        let fonts = FontSet::load(&layout)?;
        let font_hashes: Vec<FontHash> = (0..fonts.len())
            .map(|i| {
                let font = fonts.get(i);
                FontHash {
                    name: font.name.clone(),
                    sha256: sha256_hex(font.bytes()),
                }
            })
            .collect();
        Ok(Loaded {
            layout,
            text: Arc::new(text),
            fonts,
            source,
            fonts_digest: font_set_digest(&font_hashes),
            font_hashes,
        })
    }
}

/// SHA-256 over the faces' names and digests, in order: the key of [`Manifest::font_sets`].
fn font_set_digest(hashes: &[FontHash]) -> String {
    let mut listing = String::new();
    for f in hashes {
        listing += &format!("{}\0{}\n", f.name, f.sha256);
    }
    sha256_hex(listing.as_bytes())
}

type Slot = Arc<OnceLock<Result<Arc<Loaded>, String>>>;

/// Layouts named by statements, loaded on first use; a bad one fails every statement that
/// names it, with the same message, without being reloaded.
struct Layouts {
    default: Arc<Loaded>,
    named: Mutex<HashMap<PathBuf, Slot>>,
}

impl Layouts {
    fn get(&self, path: &Path) -> Result<Arc<Loaded>, String> {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let slot = self
            .named
            .lock()
            .expect("layout cache")
            .entry(key)
            .or_default()
            .clone();
        slot.get_or_init(|| Loaded::new(Some(path)).map(Arc::new).map_err(one_line))
            .clone()
    }
}

/// An error's text on one line (several diagnostics are joined with `; `).
fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().collect::<Vec<_>>().join("; ")
}

/// What happened to one statement.
enum Outcome {
    Built(Entry),
    Unchanged(Entry),
    Failed(String),
    NotAttempted,
    Identical,
    Missing,
    Differing(Reason, Option<PathBuf>),
    /// A built output, once its entry is recorded: its page count.
    Pages(usize),
    /// An unchanged output, once recorded.
    Skipped,
}

struct Done {
    outcome: Outcome,
    warnings: usize,
    /// The warnings came from the manifest (an unchanged output).
    repeated: bool,
}

struct Shared<'a> {
    config: &'a Config,
    layouts: Layouts,
    old: BTreeMap<String, Entry>,
    /// The manifest as it stands while the batch runs.
    current: Mutex<Manifest>,
    checkpoint: Mutex<Instant>,
    manifest_path: PathBuf,
    stop: AtomicBool,
    stopped: Mutex<Option<String>>,
    bar: Option<indicatif::ProgressBar>,
}

impl Shared<'_> {
    fn say(&self, line: &str) {
        match (&self.bar, self.config.ui) {
            (Some(bar), _) => bar.println(line),
            (None, Ui::Plain) => cli::say(line),
            _ => {}
        }
    }

    fn process(&self, job: &Job) -> Done {
        let mut warnings = Vec::new();
        let outcome = if self.stop.load(Ordering::Relaxed) {
            Outcome::NotAttempted
        } else {
            match self.build(job, &mut warnings) {
                Ok(o) => o,
                Err(message) => Outcome::Failed(message),
            }
        };
        for w in &warnings {
            self.say(&format!("warning: {}: {w}", job.input.display()));
        }
        if let Outcome::Failed(message) = &outcome {
            self.say(&format!("error: {message}"));
        }
        if !self.config.check {
            self.record(job, &outcome);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        // Keep only what the summary needs: the entries live in the manifest.
        let repeated = matches!(outcome, Outcome::Unchanged(_));
        let outcome = match outcome {
            Outcome::Built(e) => Outcome::Pages(e.pdf.pages),
            Outcome::Unchanged(_) => Outcome::Skipped,
            o => o,
        };
        Done {
            outcome,
            warnings: warnings.len(),
            repeated,
        }
    }

    /// The digest of the fonts the statement is set in: the layout's, or with the installed
    /// CJK faces the statement brings in (recorded in the manifest's font sets), so that a
    /// new `fonts-noto-cjk` rebuilds the Chinese and Japanese statements. When no CJK font is
    /// found, the build itself reports it.
    fn font_set_digest(&self, loaded: &Loaded, statement: &Statement) -> String {
        let Ok(Some(set)) = loaded
            .fonts
            .with_cjk(&statement.source, &statement.language)
        else {
            return loaded.fonts_digest.clone();
        };
        let mut hashes = loaded.font_hashes.clone();
        hashes.extend((hashes.len()..set.len()).map(|i| {
            let font = set.get(i);
            FontHash {
                name: font.name.clone(),
                sha256: hex(&font.sha256()),
            }
        }));
        let digest = font_set_digest(&hashes);
        (self.current.lock().expect("manifest").font_sets)
            .entry(digest.clone())
            .or_insert(hashes);
        digest
    }

    /// `--diff`: compares a differing PDF with the one rendered and keeps the report.
    fn diff(&self, rel: &str, output: &Path, existing: &[u8], rendered: &[u8]) {
        let Some(dir) = &self.config.diff else {
            return;
        };
        let prefix = format!(
            "{}-",
            rel.trim_end_matches(".pdf").replace(['/', '\\'], "_")
        );
        let result = crate::diff::diff(
            output,
            existing,
            Path::new("(rendered now)"),
            rendered,
            crate::diff::DEFAULT_DPI,
        )
        .and_then(|r| crate::diff::write_pages(&r, dir, &prefix).map(|()| r));
        let mut sink = self
            .config
            .diffs
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(report) => sink
                .reports
                .push((rel.to_string(), report.without_images(), prefix)),
            Err(e) => sink.problems.push(format!("{rel}: {e}")),
        }
    }

    /// Renders one statement and writes (or, with `--check`, compares) its PDF.
    fn build(&self, job: &Job, warnings: &mut Vec<String>) -> Result<Outcome, String> {
        let input = &job.input;
        let named = |e: Error| {
            let text = one_line(&e);
            if text.contains(&*input.to_string_lossy()) {
                text
            } else {
                format!("{}: {text}", input.display())
            }
        };
        let bytes = std::fs::read(input).map_err(|source| {
            named(Error::Read {
                path: input.clone(),
                source,
            })
        })?;
        let mut statement = Statement::parse(input, &bytes).map_err(named)?;
        statement.load_images().map_err(named)?;
        let loaded = match &statement.layout {
            None => self.layouts.default.clone(),
            Some(path) => self
                .layouts
                .get(path)
                .map_err(|e| format!("{}: layout: {e}", input.display()))?,
        };
        let sources = if self.config.embed_source || loaded.layout.pdf.embed_source {
            Some(
                crate::archive::Sources::collect(
                    &statement,
                    Arc::new(bytes.clone()),
                    &loaded.layout,
                    &loaded.text,
                )
                .map_err(named)?,
            )
        } else {
            None
        };
        let output = self.config.out.join(&job.rel);
        let options = Options {
            pdfa: None,
            timestamp: self.config.timestamp,
        };
        let sign = |rendered: crate::Rendered| -> Result<crate::Rendered, Error> {
            match &self.config.signing {
                None => Ok(rendered),
                Some((signer, time)) => {
                    let pdf = crate::sign_rendered(
                        &rendered,
                        &crate::Signing {
                            signer,
                            time: *time,
                            visible: loaded.layout.signature_visible,
                            tsa: self.config.tsa.as_ref(),
                        },
                    )?;
                    let mut warnings = rendered.warnings.clone();
                    let archive =
                        (self.config.tsa.as_ref()).filter(|_| self.config.archive_timestamp);
                    let pdf = if self.config.ltv.is_some() || archive.is_some() {
                        let (pdf, report) =
                            crate::sign::extend_reporting(&pdf, self.config.ltv.as_ref(), archive)?;
                        warnings.extend(report.warnings);
                        pdf
                    } else {
                        pdf
                    };
                    Ok(crate::Rendered {
                        pdf,
                        warnings,
                        ..rendered
                    })
                }
            }
        };
        let render = || {
            crate::render_with(
                &statement,
                &loaded.layout,
                &loaded.fonts,
                &options,
                sources.as_ref(),
            )
        };
        let mut entry = Entry {
            statement: Source {
                path: input.display().to_string(),
                sha256: sha256_hex(&bytes),
            },
            layout: loaded.source.clone(),
            fonts: self.font_set_digest(&loaded, &statement),
            images: (loaded.layout.images().into_iter())
                .chain(statement.images())
                .map(|image| Source {
                    path: image.source.display().to_string(),
                    sha256: sha256_hex(&image.bytes),
                })
                .collect(),
            // Attached sources change the output as a new tool version would.
            tool: match sources {
                Some(_) => format!("{} --embed-source", manifest::TOOL),
                None => manifest::TOOL.into(),
            },
            source_date_epoch: self.config.timestamp,
            signature: self
                .config
                .signing
                .as_ref()
                .map(|(signer, time)| manifest::Signature {
                    certificate_sha256: sha256_hex(signer.certificate_der()),
                    time: *time,
                    visible: loaded.layout.signature_visible,
                    tsa: self.config.tsa.as_ref().map(|t| t.url.clone()),
                    ltv: self.config.ltv.is_some(),
                    archive_timestamp: self.config.archive_timestamp,
                }),
            pdf: manifest::Pdf {
                sha256: String::new(),
                pages: 0,
                bytes: 0,
            },
            warnings: Vec::new(),
        };
        if self.config.check {
            let rendered = render().and_then(sign).map_err(named)?;
            *warnings = rendered.warnings;
            let missing = match std::fs::read(&output) {
                Ok(existing) if existing == rendered.pdf => return Ok(Outcome::Identical),
                Ok(existing) => {
                    self.diff(&job.rel, &output, &existing, &rendered.pdf);
                    Some(sha256_hex(&existing))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("cannot read {}: {e}", output.display())),
            };
            let actual = match &self.config.keep_actual {
                None => None,
                Some(dir) => {
                    let path = dir.join(&job.rel);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    }
                    crate::write_atomically_with(&path, &rendered.pdf, false).map_err(one_line)?;
                    Some(path)
                }
            };
            return Ok(match missing {
                None => Outcome::Missing,
                Some(on_disk) => {
                    Outcome::Differing(Reason::of(self.old.get(&job.rel), &entry, &on_disk), actual)
                }
            });
        }
        if !self.config.force
            && let Some(old) = self.old.get(&job.rel)
            && old.same_inputs(&entry)
            && on_disk(&output, &old.pdf)
        {
            entry.pdf = old.pdf.clone();
            // Repeated on every run, so an incremental CI run shows what a full one would.
            entry.warnings = old.warnings.clone();
            *warnings = old.warnings.clone();
            return Ok(Outcome::Unchanged(entry));
        }
        drop(bytes);
        let rendered = render().and_then(sign).map_err(named)?;
        drop(statement);
        *warnings = rendered.warnings;
        entry.warnings = warnings.clone();
        let write = |e: std::io::Error| -> String {
            if is_disk_full(&e) {
                self.halt(format!("{}: {e}", output.display()));
            }
            format!("cannot write {}: {e}", output.display())
        };
        if let Some(dir) = output.parent() {
            std::fs::create_dir_all(dir).map_err(write)?;
        }
        crate::write_atomically_with(&output, &rendered.pdf, false).map_err(|e| match e {
            Error::Write { source, .. } => write(source),
            e => one_line(e),
        })?;
        entry.pdf = manifest::Pdf {
            sha256: sha256_hex(&rendered.pdf),
            pages: rendered.pages,
            bytes: rendered.pdf.len() as u64,
        };
        Ok(Outcome::Built(entry))
    }

    /// Stops handing out work: the remaining statements are not attempted.
    fn halt(&self, why: String) {
        if !self.stop.swap(true, Ordering::Relaxed) {
            *self.stopped.lock().expect("stop reason") = Some(why);
        }
    }

    /// Updates the manifest for one finished statement (after its PDF is in place), and
    /// rewrites the manifest file if the last checkpoint is old enough.
    fn record(&self, job: &Job, outcome: &Outcome) {
        {
            let mut m = self.current.lock().expect("manifest");
            match outcome {
                Outcome::Built(e) | Outcome::Unchanged(e) => {
                    m.outputs.insert(job.rel.clone(), e.clone());
                }
                // The old PDF (if any) stays, but nothing vouches for it any more.
                Outcome::Failed(_) => {
                    m.outputs.remove(&job.rel);
                }
                _ => {}
            }
        }
        if let Ok(mut last) = self.checkpoint.try_lock()
            && last.elapsed() >= CHECKPOINT_INTERVAL
        {
            // A failed checkpoint is not fatal: the final write reports the problem.
            let _ = self.write_manifest();
            *last = Instant::now();
        }
    }

    fn write_manifest(&self) -> Result<(), Error> {
        let bytes = {
            let m = self.current.lock().expect("manifest");
            m.to_bytes()
        };
        crate::write_atomically(&self.manifest_path, &bytes)
    }
}

/// Whether the PDF at `path` is the one the manifest describes.
fn on_disk(path: &Path, pdf: &manifest::Pdf) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == pdf.bytes => {}
        _ => return false,
    }
    std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == pdf.sha256)
}

fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The manifest path a configuration writes.
pub fn manifest_path(config: &Config) -> PathBuf {
    match (&config.manifest, &config.shard) {
        (Some(p), _) => p.clone(),
        (None, Some(s)) => config.out.join(s.manifest_name()),
        (None, None) => config.out.join("manifest.json"),
    }
}

/// Finds the statements, keeps this shard's, and builds (or checks) them.
pub fn run(config: &Config) -> Result<Summary, Fatal> {
    let start = Instant::now();
    let patterns: Vec<ignore::Pattern> = config
        .exclude
        .iter()
        .filter_map(|p| ignore::Pattern::parse(p))
        .collect();
    let found = inputs::collect(&config.inputs, &config.out, &patterns)?;
    if found.jobs.is_empty() {
        return Err(nothing_to_build(config, &found));
    }
    refuse_inputs_as_outputs(config, &found.jobs)?;
    let all_rels: HashSet<String> = found.jobs.iter().map(|j| j.rel.clone()).collect();
    let jobs: Vec<Job> = match config.shard {
        Some(shard) => found
            .jobs
            .into_iter()
            .filter(|j| shard.contains(&j.rel))
            .collect(),
        None => found.jobs,
    };
    let default = Arc::new(Loaded::new(config.layout.as_deref())?);
    let manifest_path = manifest_path(config);

    let mut old = BTreeMap::new();
    let mut current = Manifest::new();
    if !config.check {
        prepare_output(config, &manifest_path)?;
        let previous = Manifest::read(&manifest_path, config.force)?;
        let ours: HashSet<&str> = jobs.iter().map(|j| j.rel.as_str()).collect();
        // Only this run's outputs stay in the manifest; the rest keep their PDFs but lose the
        // manifest's word for them.
        current.outputs = previous
            .outputs
            .into_iter()
            .filter(|(rel, _)| ours.contains(rel.as_str()))
            .collect();
        current.font_sets = previous.font_sets;
        current
            .font_sets
            .insert(default.fonts_digest.clone(), default.font_hashes.clone());
        if !config.force {
            old = current.outputs.clone();
        }
        remove_stale_temporaries(&config.out, &jobs, &manifest_path);
    } else {
        // Only to say why a PDF differs: a missing or unreadable manifest means "unknown".
        old = Manifest::read(&manifest_path, true)
            .map(|m| m.outputs)
            .unwrap_or_default();
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()
        .map_err(|e| Fatal::io(format!("cannot start worker threads: {e}")))?;
    let bar = (config.ui == Ui::Bar).then(|| {
        let bar = indicatif::ProgressBar::new(jobs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    });
    let shared = Shared {
        config,
        layouts: Layouts {
            default,
            named: Mutex::new(HashMap::new()),
        },
        old,
        current: Mutex::new(current),
        checkpoint: Mutex::new(Instant::now()),
        manifest_path: manifest_path.clone(),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
        bar,
    };
    for f in &found.failures {
        shared.say(&format!("error: {}", f.message));
    }
    let done: Vec<Done> = pool.install(|| jobs.par_iter().map(|j| shared.process(j)).collect());
    if let Some(bar) = &shared.bar {
        bar.finish_and_clear();
    }

    let mut summary = Summary {
        total: jobs.len(),
        failures: found.failures,
        ..Summary::default()
    };
    let mut check = CheckReport::default();
    for (job, d) in jobs.iter().zip(&done) {
        summary.warnings += d.warnings;
        if d.repeated {
            summary.warnings_unchanged += d.warnings;
        }
        match &d.outcome {
            Outcome::Built(_) | Outcome::Unchanged(_) => unreachable!("slimmed in process"),
            Outcome::Pages(pages) => {
                summary.built += 1;
                summary.pages += pages;
            }
            Outcome::Skipped => summary.unchanged += 1,
            Outcome::Failed(message) => summary.failures.push(Failure {
                input: job.input.clone(),
                message: message.clone(),
            }),
            Outcome::NotAttempted => summary.not_attempted += 1,
            Outcome::Identical => {
                check.identical += 1;
                check.identical_files.push(job.rel.clone());
            }
            Outcome::Missing => check.missing.push(job.rel.clone()),
            Outcome::Differing(reason, actual) => check.differing.push(Difference {
                rel: job.rel.clone(),
                reason: *reason,
                actual: actual.clone(),
            }),
        }
    }
    summary.failures.sort_by(|a, b| a.input.cmp(&b.input));
    summary.stopped = shared.stopped.lock().expect("stop reason").take();
    if config.check {
        check.extra = extras(config, &all_rels, &manifest_path);
        summary.check = Some(check);
    } else {
        // Last, after every PDF is in place, and also when some statements failed.
        {
            let mut m = shared.current.lock().expect("manifest");
            let used: HashSet<String> = m.outputs.values().map(|e| e.fonts.clone()).collect();
            let layouts = shared.layouts.named.lock().expect("layout cache");
            for slot in layouts.values() {
                if let Some(Ok(l)) = slot.get() {
                    m.font_sets
                        .insert(l.fonts_digest.clone(), l.font_hashes.clone());
                }
            }
            m.font_sets.retain(|digest, _| used.contains(digest));
        }
        match shared.write_manifest() {
            Ok(()) => summary.manifest = Some(manifest_path),
            Err(e) => {
                summary.manifest_error = Some(format!(
                    "{e}; the PDFs written are complete, but the manifest was not updated: \
                     run the batch again"
                ))
            }
        }
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// Why a batch found nothing to build (exit 2; no manifest is written).
fn nothing_to_build(config: &Config, found: &inputs::Found) -> Fatal {
    if !found.failures.is_empty() {
        let lines: Vec<&str> = found.failures.iter().map(|f| f.message.as_str()).collect();
        return Fatal::io(format!("{}; nothing was built", lines.join("\n")));
    }
    if !found.inside_out.is_empty() && found.inside_out.len() == config.inputs.len() {
        return Fatal::input(format!(
            "no statements to build: {} is the --out folder, which is never searched (its \
             PDFs would be taken for inputs); give a separate --out folder",
            found.inside_out[0].display()
        ));
    }
    let names: Vec<String> = config
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut message = format!(
        "no statements found in {}: a statement is a .md or .txt file, not hidden and not \
         named README, NOTES, LICENSE or the like",
        names.join(", ")
    );
    if found.excluded > 0 {
        message += &format!(
            "; {} files or folders were left out by --exclude or {}",
            found.excluded,
            ignore::IGNORE_FILE
        );
    }
    Fatal::input(message)
}

/// Refuses a batch whose manifest or an output would overwrite one of its inputs (exit 2).
/// Statements found in folders are `.md` or `.txt` and outputs `.pdf`, so only a file named
/// on the command line can collide with its output; `--manifest` can name anything.
fn refuse_inputs_as_outputs(config: &Config, jobs: &[Job]) -> Result<(), Fatal> {
    use crate::output::canonical;
    let refuse = |out: &Path, input: &Path, what: &str| {
        Fatal::input(format!(
            "{what} {} is the input {}; writing there would destroy it: give another \
             {}",
            out.display(),
            input.display(),
            if what == "the manifest" {
                "--manifest"
            } else {
                "--out"
            }
        ))
    };
    for job in jobs {
        if !is_statement_extension(&job.input) {
            let out = config.out.join(&job.rel);
            if canonical(&out).is_some_and(|o| canonical(&job.input) == Some(o)) {
                return Err(refuse(&out, &job.input, "the output"));
            }
        }
    }
    if let Some(manifest) = &config.manifest
        && let Some(m) = canonical(manifest)
    {
        let layout = config.layout.iter().map(PathBuf::as_path);
        for input in jobs.iter().map(|j| j.input.as_path()).chain(layout) {
            if canonical(input).as_ref() == Some(&m) {
                return Err(refuse(manifest, input, "the manifest"));
            }
        }
    }
    Ok(())
}

fn is_statement_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("txt"))
}

/// Makes sure the output folder exists and can be written, before any work.
fn prepare_output(config: &Config, manifest_path: &Path) -> Result<(), Fatal> {
    let mut dirs = vec![config.out.clone()];
    if let Some(dir) = manifest_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        dirs.push(dir.to_path_buf());
    }
    for dir in dirs {
        let fail = |e: std::io::Error| {
            Fatal::io(format!(
                "cannot write to the output folder {}: {e}",
                dir.display()
            ))
        };
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let probe = dir.join(format!(".communique-probe.{}.tmp", std::process::id()));
        std::fs::write(&probe, b"").map_err(fail)?;
        let _ = std::fs::remove_file(&probe);
    }
    Ok(())
}

/// Whether `name` is a temporary file of [`crate::write_atomically`]: `.NAME.PID.tmp`. Returns
/// NAME.
fn temporary_target(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, pid) = rest.rsplit_once('.')?;
    (!target.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then_some(target)
}

/// Removes temporary files left by an interrupted batch (killed between creating a temporary
/// PDF and renaming it) for this run's outputs and manifest; another shard's are left alone.
fn remove_stale_temporaries(out: &Path, jobs: &[Job], manifest_path: &Path) {
    let mut by_dir: BTreeMap<PathBuf, HashSet<String>> = BTreeMap::new();
    for job in jobs {
        let path = out.join(&job.rel);
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
            by_dir
                .entry(dir.to_path_buf())
                .or_default()
                .insert(name.to_string_lossy().into_owned());
        }
    }
    if let (Some(dir), Some(name)) = (manifest_path.parent(), manifest_path.file_name()) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        by_dir
            .entry(dir.to_path_buf())
            .or_default()
            .insert(name.to_string_lossy().into_owned());
    }
    for (dir, names) in by_dir {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if temporary_target(&name).is_some_and(|t| names.contains(t)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Files under `--out` that no input maps to (for this shard), ignoring manifests
/// (`manifest*.json` at the top, and the `--manifest` file) and temporary files.
fn extras(config: &Config, expected: &HashSet<String>, manifest_path: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(config.out.clone(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((path, format!("{rel}/")));
                continue;
            }
            let manifest =
                (prefix.is_empty() && name.starts_with("manifest") && name.ends_with(".json"))
                    || path == manifest_path;
            if manifest || temporary_target(&name).is_some() || expected.contains(&rel) {
                continue;
            }
            if config.shard.is_none_or(|s| s.contains(&rel)) {
                found.push(rel);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert_eq!(temporary_target(".a.pdf.123.tmp"), Some("a.pdf"));
        assert_eq!(
            temporary_target(".manifest.json.9.tmp"),
            Some("manifest.json")
        );
        assert_eq!(temporary_target("a.pdf"), None);
        assert_eq!(temporary_target(".a.pdf.x1.tmp"), None);
        assert_eq!(temporary_target("..1.tmp"), None);
    }
}

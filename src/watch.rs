//! The edit loop: build a statement, then build it again whenever a file it uses is saved.
//!
//! Editors save in several steps (write a temporary file, rename it over the old one, touch
//! it again), so the loop watches the *folders* of the files it uses, not the files (a watch on
//! a file is lost when a rename replaces it), keeps the events for those files, and waits for a
//! short quiet spell before it builds. A failed build prints its diagnostics and leaves the last
//! good PDF where it is; the PDF is only ever replaced whole, by rename.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::diagnostics::{self, MessageFormat, Report};
use crate::{Error, FontSet, Layout, Options, Rendered, Statement};

/// The quiet spell after the last change before a rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// One build of a statement, and every file it read or would have read.
pub struct Attempt {
    pub result: Result<Rendered, Error>,
    /// Absolute paths: the statement, the layout, font files and images given by path. When
    /// the build failed early, the files known so far.
    pub inputs: Vec<PathBuf>,
}

/// Loads and renders a statement as `build` does (without signing): the layout named in its
/// front matter wins over `layout`, and without either the bundled default is used.
pub fn compile(statement_path: &Path, layout: Option<&Path>, options: &Options) -> Attempt {
    let mut inputs = vec![absolute(statement_path)];
    if let Some(l) = layout {
        inputs.push(absolute(l));
    }
    let result = (|| {
        let statement = Statement::load(statement_path)?;
        let layout_path = statement.layout.as_deref().or(layout);
        if let Some(l) = statement.layout.as_deref() {
            inputs.push(absolute(l));
        }
        let layout = match layout_path {
            Some(p) => Layout::load(p)?,
            None => Layout::builtin(),
        };
        inputs.extend(files_used(&statement, &layout));
        let fonts = FontSet::load(&layout)?;
        crate::render(&statement, &layout, &fonts, options)
    })();
    inputs.sort();
    inputs.dedup();
    Attempt { result, inputs }
}

/// The font and image files a statement and its layout name, resolved as the loaders do.
pub fn files_used(statement: &Statement, layout: &Layout) -> Vec<PathBuf> {
    let f = &layout.fonts;
    let fonts = [&f.regular, &f.bold, &f.italic, &f.bold_italic]
        .into_iter()
        .flatten()
        .chain(&f.fallback)
        .map(|p| layout.resolve(&p.path));
    let logo = layout
        .letterhead
        .logo
        .iter()
        .map(|l| layout.resolve(&l.image.path));
    let statement_dir = statement.path.parent().unwrap_or(Path::new("."));
    let signatures = statement
        .signatories
        .iter()
        .filter_map(|s| s.image.as_ref())
        .map(|i| statement_dir.join(&i.image.path));
    fonts
        .chain(logo)
        .chain(signatures)
        .map(|p| absolute(&p))
        .collect()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What the loop is told.
pub enum Event {
    /// Something changed in a watched folder.
    Changed(Vec<PathBuf>),
    /// The watcher failed; the message says why.
    WatchError(String),
    /// Stop (Ctrl-C, or the caller is done).
    Stop,
}

/// The settings of one `watch` session.
pub struct Config {
    pub statement: PathBuf,
    pub layout: Option<PathBuf>,
    pub output: PathBuf,
    pub options: Options,
    pub format: MessageFormat,
}

/// Builds once, then rebuilds on every change until [`Event::Stop`] arrives on `events` (whose
/// sender the caller also hands to a Ctrl-C handler). Status lines go to `status`;
/// diagnostics to standard error. Returns an error only when watching itself fails.
pub fn run(
    config: &Config,
    events: Receiver<Event>,
    sender: Sender<Event>,
    status: &mut dyn Write,
) -> Result<(), Error> {
    let watch_err = |e: notify::Error| Error::Read {
        path: config.statement.clone(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let _ = sender.send(match res {
            Ok(event) => Event::Changed(event.paths),
            Err(e) => Event::WatchError(e.to_string()),
        });
    })
    .map_err(watch_err)?;
    let mut watched_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut inputs: BTreeSet<PathBuf> = BTreeSet::new();
    let build = |watcher: &mut notify::RecommendedWatcher,
                 inputs: &mut BTreeSet<PathBuf>,
                 watched_dirs: &mut BTreeSet<PathBuf>,
                 status: &mut dyn Write|
     -> Result<(), Error> {
        let started = Instant::now();
        let attempt = compile(&config.statement, config.layout.as_deref(), &config.options);
        // Files of a failed attempt stay watched too, so fixing any of them rebuilds.
        inputs.extend(attempt.inputs);
        for dir in inputs.iter().filter_map(|p| p.parent()) {
            if !watched_dirs.contains(dir) && dir.is_dir() {
                watcher
                    .watch(dir, RecursiveMode::NonRecursive)
                    .map_err(watch_err)?;
                watched_dirs.insert(dir.to_path_buf());
            }
        }
        let ms = started.elapsed().as_millis();
        let outcome = attempt.result.and_then(|rendered| {
            crate::write_atomically(&config.output, &rendered.pdf)?;
            Ok(rendered)
        });
        let line = match outcome {
            Ok(rendered) => {
                let warnings: Vec<Report> = rendered
                    .warnings
                    .iter()
                    .map(|w| Report::warning(&config.statement, w))
                    .collect();
                diagnostics::eprint(&warnings, config.format);
                format!(
                    "[{}] built {} ({} page{}) in {ms} ms",
                    clock(),
                    config.output.display(),
                    rendered.pages,
                    if rendered.pages == 1 { "" } else { "s" }
                )
            }
            Err(e) => {
                diagnostics::eprint_error(&e, config.format);
                let kept = if config.output.exists() {
                    format!("kept the last good {}", config.output.display())
                } else {
                    "no PDF written".to_string()
                };
                format!("[{}] error: {kept}; waiting for changes", clock())
            }
        };
        let _ = writeln!(status, "{line}");
        let _ = status.flush();
        Ok(())
    };
    build(&mut watcher, &mut inputs, &mut watched_dirs, status)?;
    loop {
        let first = match events.recv() {
            Ok(e) => e,
            Err(_) => return Ok(()),
        };
        let relevant = match first {
            Event::Stop => return Ok(()),
            Event::WatchError(m) => {
                let _ = writeln!(status, "[{}] watch error: {m}", clock());
                false
            }
            Event::Changed(paths) => paths.iter().any(|p| inputs.contains(p)),
        };
        // Gather the rest of a save (temporary file, rename, touch) before building.
        let mut quiet_since = Instant::now();
        loop {
            let left = DEBOUNCE.saturating_sub(quiet_since.elapsed());
            if !relevant || left.is_zero() {
                break;
            }
            match events.recv_timeout(left) {
                Ok(Event::Stop) | Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Ok(Event::Changed(paths)) => {
                    if paths.iter().any(|p| inputs.contains(p)) {
                        quiet_since = Instant::now();
                    }
                }
                Ok(Event::WatchError(m)) => {
                    let _ = writeln!(status, "[{}] watch error: {m}", clock());
                }
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        if relevant {
            build(&mut watcher, &mut inputs, &mut watched_dirs, status)?;
        }
    }
}

/// The wall-clock time of day, UTC, as HH:MM:SS.
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let s = secs % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A channel for [`run`], with its sender (for a Ctrl-C handler or a test).
pub fn channel() -> (Sender<Event>, Receiver<Event>) {
    mpsc::channel()
}

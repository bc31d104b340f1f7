//! Where a PDF goes: what `-o` names, and never destroying what it names by mistake.
//!
//! A PDF replaces a regular file whole or not at all (a temporary file beside it, then a
//! rename). Anything else is never renamed over: a character device (`/dev/null`, a terminal)
//! or a FIFO is written through, as `-o -` writes to standard output; a symbolic link is
//! followed and its target replaced; a folder gets `FOLDER/<statement>.pdf`; a block device or
//! a socket is refused. An output that is one of the run's inputs (the statement, the layout,
//! a font, an image) is refused before anything is written.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// Why an output path cannot be used. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputProblem {
    /// The output is one of the inputs of the run (`what` names its role).
    IsAnInput { what: &'static str },
    /// A block device, a socket or another file that is not a regular file, a character device,
    /// a FIFO or a folder.
    NotAFile { kind: &'static str },
    /// `DIR/` was given and no folder DIR exists.
    NoSuchFolder,
    /// A chain of symbolic links too long to follow (or a loop).
    SymlinkLoop,
}

impl fmt::Display for OutputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputProblem::IsAnInput { what } => write!(
                f,
                "it is the {what} this run reads; writing the PDF there would destroy it: \
                 give another output file"
            ),
            OutputProblem::NotAFile { kind } => write!(
                f,
                "it is a {kind}; give a file name (a regular file, a folder to write \
                 <statement>.pdf into, a character device or a FIFO)"
            ),
            OutputProblem::NoSuchFolder => write!(
                f,
                "no such folder (a name ending in `/` is a folder); create it or give a file name"
            ),
            OutputProblem::SymlinkLoop => write!(
                f,
                "too many symbolic links to follow (a loop?); give a file name"
            ),
        }
    }
}

/// Where the bytes will go, once `-o` is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `-`: standard output.
    Stdout,
    /// A character device or a FIFO: opened and written, never replaced.
    Stream(PathBuf),
    /// A regular file (existing or not), replaced atomically; symbolic links already followed.
    File(PathBuf),
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::Stdout => Path::new("-"),
            Target::Stream(p) | Target::File(p) => p,
        }
    }
}

fn refuse(path: &Path, problem: OutputProblem) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        problem,
    }
}

/// Follows symbolic links from `path` to the path that is not one (which may not exist yet).
/// Relative link targets are relative to the link's folder.
pub fn follow_links(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current).map_err(|source| Error::Write {
                    path: path.to_path_buf(),
                    source,
                })?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(refuse(path, OutputProblem::SymlinkLoop))
}

/// Resolves `-o` (or the default beside the statement). A folder, or a name ending in `/`,
/// means `FOLDER/<statement's stem>.pdf`.
pub fn resolve(output: &Path, statement: &Path) -> Result<Target, Error> {
    if output == Path::new("-") {
        return Ok(Target::Stdout);
    }
    let written_as_folder = output.as_os_str().to_string_lossy().ends_with('/');
    match std::fs::metadata(output) {
        Ok(m) if m.is_dir() => {
            let stem = statement.file_stem().unwrap_or(statement.as_os_str());
            let mut name = PathBuf::from(stem);
            name.set_extension("pdf");
            classify(&output.join(name))
        }
        Err(_) if written_as_folder => Err(refuse(output, OutputProblem::NoSuchFolder)),
        _ => classify(output),
    }
}

/// What is at `path`: a stream, a regular file (or nothing yet), or something to refuse.
/// The kernel follows links to find the kind, so `/dev/stdout` (a link into /proc) is the
/// stream it leads to; only a file to replace has its links followed by hand, to rename in
/// the folder of the real file.
fn classify(path: &Path) -> Result<Target, Error> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::metadata(path) {
        Ok(m) if m.file_type().is_char_device() || m.file_type().is_fifo() => {
            Ok(Target::Stream(path.to_path_buf()))
        }
        Ok(m) if !m.is_file() => Err(refuse(path, OutputProblem::NotAFile { kind: kind_of(&m) })),
        // A regular file, nothing yet, or a link to nothing yet.
        _ => Ok(Target::File(follow_links(path)?)),
    }
}

/// Refuses a target that is one of `inputs` (role, path). Paths are compared after following
/// links, so `./x.md`, `x.md` and a link to it are the same file.
pub fn refuse_inputs<'a>(
    target: &Target,
    inputs: impl IntoIterator<Item = (&'static str, &'a Path)>,
) -> Result<(), Error> {
    let Target::File(path) = target else {
        return Ok(());
    };
    let Some(out) = canonical(path) else {
        return Ok(());
    };
    for (what, input) in inputs {
        if canonical(input).is_some_and(|i| i == out) {
            return Err(refuse(path, OutputProblem::IsAnInput { what }));
        }
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: its folder's canonical path joined
/// with its name.
pub fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

/// Writes the bytes to the target: whole or not at all for a file, straight through for a
/// stream or standard output.
pub fn write(target: &Target, bytes: &[u8]) -> Result<(), Error> {
    let fail = |source| Error::Write {
        path: target.path().to_path_buf(),
        source,
    };
    match target {
        Target::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|_| stdout.flush())
                .map_err(fail)
        }
        Target::Stream(path) => {
            // No `create` and no `truncate`: the node stays what it is.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(fail)?;
            f.write_all(bytes).and_then(|_| f.flush()).map_err(fail)
        }
        Target::File(path) => crate::write_atomically(path, bytes),
    }
}

/// A word for what a (non-regular) file is, for messages.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "folder"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_socket() {
        "socket"
    } else if t.is_file() {
        "file"
    } else {
        "special file"
    }
}

//! Finding the statements and the output each one maps to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ignore::{Pattern, Rules, excludes_file};
use super::{Failure, Fatal};

/// One statement to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub input: PathBuf,
    /// The output's path relative to `--out`, `/`-separated; also the manifest key and what
    /// `--shard` hashes.
    pub rel: String,
}

/// What the inputs hold: the jobs sorted by output path, and the inputs that could not be read.
#[derive(Debug, Default)]
pub struct Found {
    pub jobs: Vec<Job>,
    pub failures: Vec<Failure>,
    /// Directory inputs not searched because they are the output folder.
    pub inside_out: Vec<PathBuf>,
    /// Files and folders left out by `--exclude` or an ignore file.
    pub excluded: usize,
}

/// Names of the documents a folder of statements often holds beside them (compared without
/// case, before the first `.`): `README.md`, `notes.txt` and the like are not statements.
pub const NOT_STATEMENTS: &[&str] = &[
    "README",
    "CHANGELOG",
    "CHANGES",
    "HISTORY",
    "LICENSE",
    "LICENCE",
    "COPYING",
    "NOTICE",
    "AUTHORS",
    "CONTRIBUTING",
    "CODE_OF_CONDUCT",
    "SECURITY",
    "TODO",
    "NOTES",
    "INDEX",
];

/// Whether a file found in a directory input is a statement: a `.md` or `.txt` file whose name
/// is not one of [`NOT_STATEMENTS`]. (A file named on the command line is always built.)
pub fn is_statement(path: &Path) -> bool {
    let text = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("txt"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let head = name.split('.').next().unwrap_or_default();
    text && !NOT_STATEMENTS.iter().any(|d| d.eq_ignore_ascii_case(head))
}

/// Walks the inputs. A file input maps to `<its stem>.pdf` at the top of the output folder; a
/// directory input D maps `D/sub/x.md` to `sub/x.pdf`: every input is mirrored into the top of
/// the output folder, so several directory inputs merge there. Two different statements that
/// map to the same output are refused before anything is built. Hidden entries (names starting
/// with `.`) and symbolic links to directories are skipped; `out` itself is never searched.
/// `excludes` (`--exclude`) and the ignore files of the folders leave files out. An input that
/// cannot be read stops the batch before anything is built (exit 3): a typo in a CI script
/// must not pass as a smaller batch.
pub fn collect(inputs: &[PathBuf], out: &Path, excludes: &[Pattern]) -> Result<Found, Fatal> {
    let out_canonical = out.canonicalize().ok();
    let mut found = Found::default();
    let mut by_rel: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut push = |input: PathBuf, rel: String| by_rel.entry(rel).or_default().push(input);
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => {
                return Err(Fatal::io(format!(
                    "cannot read the input {}: {e}; nothing was built",
                    input.display()
                )));
            }
            Ok(m) if m.is_dir() => {
                if out_canonical.is_some() && input.canonicalize().ok() == out_canonical {
                    found.inside_out.push(input.clone());
                    continue;
                }
                let rules = Rules::new(input, excludes);
                walk(
                    input,
                    "",
                    &rules,
                    out_canonical.as_deref(),
                    &mut push,
                    &mut found,
                )
            }
            Ok(_) if excludes_file(excludes, input) => found.excluded += 1,
            Ok(_) => {
                let name = Path::new(input.file_name().unwrap_or(input.as_os_str()));
                push(input.clone(), pdf_name(name));
            }
        }
    }
    let mut collisions = Vec::new();
    for (rel, mut sources) in by_rel {
        // The same file reached twice (`dir` and `dir/x.md`) is one job.
        sources.sort();
        sources.dedup_by(|a, b| same_file(a, b));
        if sources.len() > 1 {
            let list: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
            collisions.push(format!(
                "{} inputs map to the same output {}: {}",
                list.len(),
                out.join(&rel).display(),
                list.join(", ")
            ));
            continue;
        }
        found.jobs.push(Job {
            input: sources.pop().expect("at least one source"),
            rel,
        });
    }
    if !collisions.is_empty() {
        const SHOWN: usize = 10;
        let more = collisions.len().saturating_sub(SHOWN);
        collisions.truncate(SHOWN);
        if more > 0 {
            collisions.push(format!("... and {more} more outputs with several inputs"));
        }
        return Err(Fatal::input(format!(
            "{}\nrename one of each, or build them into different --out folders",
            collisions.join("\n")
        )));
    }
    found.failures.sort_by(|a, b| a.input.cmp(&b.input));
    Ok(found)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn pdf_name(name: &Path) -> String {
    name.with_extension("pdf").to_string_lossy().into_owned()
}

fn walk(
    dir: &Path,
    prefix: &str,
    parent_rules: &Rules,
    out: Option<&Path>,
    push: &mut impl FnMut(PathBuf, String),
    found: &mut Found,
) {
    if out.is_some() && dir.canonicalize().ok().as_deref() == out {
        return;
    }
    let rules = match parent_rules.enter(dir) {
        Ok(r) => r,
        Err(message) => {
            found.failures.push(Failure {
                input: dir.to_path_buf(),
                message,
            });
            return;
        }
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found.failures.push(Failure {
                input: dir.to_path_buf(),
                message: format!("cannot read directory {}: {e}", dir.display()),
            });
            return;
        }
    };
    let mut entries: Vec<_> = match entries.collect::<Result<_, _>>() {
        Ok(v) => v,
        Err(e) => {
            found.failures.push(Failure {
                input: dir.to_path_buf(),
                message: format!("cannot read directory {}: {e}", dir.display()),
            });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel_name = format!("{prefix}{}", name.to_string_lossy());
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                found.failures.push(Failure {
                    input: path.clone(),
                    message: format!("cannot read {}: {e}", path.display()),
                });
                continue;
            }
        };
        if rules.excludes(&path, file_type.is_dir()) {
            found.excluded += 1;
            continue;
        }
        if file_type.is_dir() {
            walk(&path, &format!("{rel_name}/"), &rules, out, push, found);
        } else if is_statement(&path) {
            // A symbolic link counts when it leads to a file.
            if file_type.is_symlink() && !path.is_file() {
                continue;
            }
            push(path, pdf_name(Path::new(&rel_name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_md_and_txt() {
        assert!(is_statement(Path::new("a/b.md")));
        assert!(is_statement(Path::new("b.TXT")));
        assert!(!is_statement(Path::new("b.toml")));
        assert!(!is_statement(Path::new("md")));
        assert!(!is_statement(Path::new("a/README.md")));
        assert!(!is_statement(Path::new("a/readme.de.md")));
        assert!(!is_statement(Path::new("notes.txt")));
        assert!(is_statement(Path::new("2026-05-14-notes-on-water.md")));
    }
}

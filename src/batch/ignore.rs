//! Which files of an input folder a batch leaves alone: `--exclude GLOB` and `.communiqueignore`
//! files, in the syntax of `.gitignore` (the common part of it).
//!
//! A pattern without a `/` matches a file or folder name at any depth; one with a `/` inside
//! (or a leading `/`) matches the path from the folder of the ignore file (for `--exclude`, from
//! the input folder). `*` and `?` match within a name, `[abc]` and `[a-z]` (`[!a]` negated) one
//! character, `**` any number of folders. A trailing `/` matches folders only. `!pattern`
//! takes a path back in; the last matching line wins; a folder left out is not searched, so
//! nothing inside it can be taken back. `#` starts a comment line; `\` escapes a character.

use std::path::{Path, PathBuf};

/// The ignore file read in every folder of a directory input.
pub const IGNORE_FILE: &str = ".communiqueignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    glob: Vec<char>,
    negated: bool,
    dir_only: bool,
    /// Matched against the path from the base folder, not the name alone.
    anchored: bool,
}

impl Pattern {
    /// Parses one line; `None` for a blank line or a comment.
    pub fn parse(line: &str) -> Option<Pattern> {
        let line = line.trim_end_matches(['\r', '\n']);
        // Trailing spaces are ignored unless escaped, as in git.
        let line = match line.trim_end_matches(' ') {
            l if l.ends_with('\\') && line.len() > l.len() => &line[..l.len() + 1],
            l => l,
        };
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let (negated, line) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (dir_only, line) = match line.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let anchored = line.contains('/');
        let line = line.strip_prefix('/').unwrap_or(line);
        if line.is_empty() {
            return None;
        }
        Some(Pattern {
            glob: line.chars().collect(),
            negated,
            dir_only,
            anchored,
        })
    }

    /// Whether the pattern matches `rel` (`/`-separated, from the base folder).
    fn matches(&self, rel: &str, is_dir: bool) -> bool {
        if self.dir_only && !is_dir {
            return false;
        }
        let subject = if self.anchored {
            rel
        } else {
            rel.rsplit('/').next().unwrap_or(rel)
        };
        let s: Vec<char> = subject.chars().collect();
        glob(&self.glob, &s)
    }
}

/// Patterns that apply below one folder.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// (base folder, its patterns), outermost first.
    sets: Vec<(PathBuf, Vec<Pattern>)>,
}

impl Rules {
    /// Rules from `--exclude` patterns, based at `base`.
    pub fn new(base: &Path, excludes: &[Pattern]) -> Rules {
        let mut r = Rules::default();
        if !excludes.is_empty() {
            r.sets.push((base.to_path_buf(), excludes.to_vec()));
        }
        r
    }

    /// These rules plus those of `dir`'s ignore file, if it has one. An unreadable ignore
    /// file is an error (leaving out nothing would build what the user meant to exclude).
    pub fn enter(&self, dir: &Path) -> Result<Rules, String> {
        let file = dir.join(IGNORE_FILE);
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let patterns: Vec<Pattern> = text.lines().filter_map(Pattern::parse).collect();
                let mut r = self.clone();
                if !patterns.is_empty() {
                    r.sets.push((dir.to_path_buf(), patterns));
                }
                Ok(r)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(self.clone()),
            Err(e) => Err(format!("cannot read {}: {e}", file.display())),
        }
    }

    /// Whether `path` is left out. The last matching pattern decides, deeper files last.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let mut excluded = false;
        for (base, patterns) in &self.sets {
            let Ok(rel) = path.strip_prefix(base) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            for p in patterns {
                if p.matches(&rel, is_dir) {
                    excluded = !p.negated;
                }
            }
        }
        excluded
    }
}

/// Whether `--exclude` patterns leave out a file named on the command line (matched against
/// the path as given, and its name).
pub fn excludes_file(excludes: &[Pattern], path: &Path) -> bool {
    let rel = path.to_string_lossy().replace('\\', "/");
    let rel = rel.trim_start_matches("./");
    let mut excluded = false;
    for p in excludes {
        if p.matches(rel, false) {
            excluded = !p.negated;
        }
    }
    excluded
}

fn glob(p: &[char], s: &[char]) -> bool {
    match p {
        [] => s.is_empty(),
        ['*', '*', rest @ ..] => match rest {
            // `**/x`: x at this level or any below.
            ['/', rest @ ..] => {
                (0..=s.len()).any(|i| (i == 0 || s[i - 1] == '/') && glob(rest, &s[i..]))
            }
            _ => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        },
        ['*', rest @ ..] => {
            for i in 0..=s.len() {
                if glob(rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    break;
                }
            }
            false
        }
        ['?', rest @ ..] => !s.is_empty() && s[0] != '/' && glob(rest, &s[1..]),
        ['[', rest @ ..] => match class(rest) {
            Some((set, negated, after)) => {
                !s.is_empty()
                    && s[0] != '/'
                    && (set.iter().any(|&(a, b)| (a..=b).contains(&s[0])) != negated)
                    && glob(after, &s[1..])
            }
            // An unclosed `[` is a literal.
            None => !s.is_empty() && s[0] == '[' && glob(rest, &s[1..]),
        },
        ['\\', c, rest @ ..] => !s.is_empty() && s[0] == *c && glob(rest, &s[1..]),
        [c, rest @ ..] => !s.is_empty() && s[0] == *c && glob(rest, &s[1..]),
    }
}

/// A `[...]` class after its `[`: ranges, whether negated, and the pattern after the `]`.
type Class<'a> = (Vec<(char, char)>, bool, &'a [char]);

fn class(p: &[char]) -> Option<Class<'_>> {
    let (negated, mut i) = match p.first() {
        Some('!' | '^') => (true, 1),
        _ => (false, 0),
    };
    let mut set = Vec::new();
    let start = i;
    while i < p.len() {
        if p[i] == ']' && i > start {
            return Some((set, negated, &p[i + 1..]));
        }
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            set.push((p[i], p[i + 2]));
            i += 3;
        } else {
            set.push((p[i], p[i]));
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, rel: &str, is_dir: bool) -> bool {
        Pattern::parse(pattern).unwrap().matches(rel, is_dir)
    }

    #[test]
    fn names_match_at_any_depth_and_paths_from_the_base() {
        assert!(m("README.md", "README.md", false));
        assert!(m("README.md", "a/b/README.md", false));
        assert!(m("*.txt", "a/notes.txt", false));
        assert!(!m("*.txt", "a/notes.md", false));
        assert!(m("drafts/*.md", "drafts/x.md", false));
        assert!(!m("drafts/*.md", "a/drafts/x.md", false));
        assert!(!m("drafts/*.md", "drafts/sub/x.md", false));
        assert!(m("/x.md", "x.md", false));
        assert!(!m("/x.md", "a/x.md", false));
        assert!(m("**/drafts/*.md", "a/b/drafts/x.md", false));
        assert!(m("**/drafts/*.md", "drafts/x.md", false));
        assert!(m("old/**", "old/a/b.md", false));
        assert!(m("2019-??-*.md", "2019-05-x.md", false));
        assert!(m("[0-9]*.md", "7x.md", false));
        assert!(!m("[!0-9]*.md", "7x.md", false));
    }

    #[test]
    fn a_trailing_slash_matches_folders_only() {
        assert!(m("drafts/", "drafts", true));
        assert!(!m("drafts/", "drafts", false));
    }

    #[test]
    fn comments_and_blank_lines_are_not_patterns() {
        assert_eq!(Pattern::parse("# notes"), None);
        assert_eq!(Pattern::parse("   "), None);
        assert!(Pattern::parse("\\#x.md").is_some());
    }

    #[test]
    fn the_last_matching_line_wins() {
        let r = Rules {
            sets: vec![(
                PathBuf::from("in"),
                ["*.txt", "!keep.txt"]
                    .iter()
                    .filter_map(|l| Pattern::parse(l))
                    .collect(),
            )],
        };
        assert!(r.excludes(Path::new("in/a/notes.txt"), false));
        assert!(!r.excludes(Path::new("in/keep.txt"), false));
        assert!(!r.excludes(Path::new("in/x.md"), false));
    }
}

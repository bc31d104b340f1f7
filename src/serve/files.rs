//! The folder a `serve` session works in: which files it lists, and which paths a request may
//! name. Every path from the browser is untrusted: it must be relative, stay inside the folder
//! once links are resolved, and name a regular file.

use std::path::{Component, Path, PathBuf};

/// Why a path from a request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("`{0}` is not a relative path inside the served folder")]
    Outside(String),
    #[error("`{0}` names a hidden file or folder")]
    Hidden(String),
    #[error("`{0}` is not a statement file (.md or .txt)")]
    NotAStatement(String),
    #[error("`{0}` is not a layout file (.toml)")]
    NotALayout(String),
    #[error("`{0}` is not a regular file")]
    NotAFile(String),
    #[error("`{0}` does not exist")]
    Missing(String),
}

/// The statements and layouts found in the folder, as paths relative to it with `/`.
#[derive(Debug, Default, serde::Serialize)]
pub struct Listing {
    pub statements: Vec<String>,
    pub layouts: Vec<String>,
}

/// How deep and how wide the listing goes: a served folder is a working folder, not a disk.
const MAX_DEPTH: usize = 4;
const MAX_ENTRIES: usize = 2_000;

pub fn list(root: &Path) -> Listing {
    let mut listing = Listing::default();
    let mut stack = vec![(root.to_path_buf(), 0)];
    let mut seen = 0;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            seen += 1;
            if seen > MAX_ENTRIES {
                break;
            }
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            // Links are not followed when listing: a link out of the folder would otherwise
            // show files that every request about them refuses.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if is_statement_name(&relative) {
                listing.statements.push(relative);
            } else if relative.ends_with(".toml") && !relative.ends_with("Cargo.toml") {
                listing.layouts.push(relative);
            }
        }
    }
    listing.statements.sort();
    listing.layouts.sort();
    listing
}

fn is_statement_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    (file.ends_with(".md") || file.ends_with(".txt"))
        && !matches!(
            file,
            "readme.md" | "changelog.md" | "license.md" | "contributing.md"
        )
}

/// What a request wants to do with a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    ReadStatement,
    WriteStatement,
    ReadLayout,
}

/// Resolves a path named by a request to a path inside `root` (which must be canonical).
/// A file that is to be written need not exist, but its folder must, inside `root`.
pub fn resolve(root: &Path, requested: &str, used: Use) -> Result<PathBuf, PathError> {
    let outside = || PathError::Outside(requested.to_string());
    let relative = Path::new(requested);
    if requested.is_empty() || requested.contains('\0') || requested.contains('\\') {
        return Err(outside());
    }
    for component in relative.components() {
        match component {
            Component::Normal(part) => {
                if part.to_string_lossy().starts_with('.') {
                    return Err(PathError::Hidden(requested.to_string()));
                }
            }
            _ => return Err(outside()),
        }
    }
    match used {
        Use::ReadStatement | Use::WriteStatement if !is_statement_name(requested) => {
            return Err(PathError::NotAStatement(requested.to_string()));
        }
        Use::ReadLayout if !requested.ends_with(".toml") => {
            return Err(PathError::NotALayout(requested.to_string()));
        }
        _ => {}
    }
    let joined = root.join(relative);
    let parent = joined.parent().ok_or_else(outside)?;
    let parent = parent
        .canonicalize()
        .map_err(|_| PathError::Missing(requested.to_string()))?;
    if !parent.starts_with(root) {
        return Err(outside());
    }
    let file = parent.join(joined.file_name().ok_or_else(outside)?);
    match std::fs::symlink_metadata(&file) {
        Ok(meta) if meta.file_type().is_file() => Ok(file),
        Ok(_) => Err(PathError::NotAFile(requested.to_string())),
        Err(_) if used == Use::WriteStatement => Ok(file),
        Err(_) => Err(PathError::Missing(requested.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.md"), "x").unwrap();
        std::fs::write(root.join("l.toml"), "").unwrap();
        (dir, root)
    }

    #[test]
    fn a_relative_statement_inside_the_folder_resolves() {
        let (_d, root) = root();
        let p = resolve(&root, "sub/a.md", Use::ReadStatement).unwrap();
        assert_eq!(p, root.join("sub/a.md"));
        let new = resolve(&root, "sub/new.md", Use::WriteStatement).unwrap();
        assert_eq!(new, root.join("sub/new.md"));
    }

    #[test]
    fn parent_components_absolute_paths_and_hidden_names_are_refused() {
        let (_d, root) = root();
        for bad in ["../a.md", "sub/../../a.md", "/etc/passwd.md", "", "a\\b.md"] {
            assert!(resolve(&root, bad, Use::ReadStatement).is_err(), "{bad}");
        }
        assert!(matches!(
            resolve(&root, ".git/x.md", Use::WriteStatement),
            Err(PathError::Hidden(_))
        ));
    }

    #[test]
    fn a_link_out_of_the_folder_is_refused() {
        let (_d, root) = root();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("secret.md"), root.join("l.md")).unwrap();
        assert!(resolve(&root, "out/secret.md", Use::ReadStatement).is_err());
        assert!(resolve(&root, "out/new.md", Use::WriteStatement).is_err());
        assert_eq!(
            resolve(&root, "l.md", Use::WriteStatement),
            Err(PathError::NotAFile("l.md".into()))
        );
    }

    #[test]
    fn only_statements_are_written_and_only_layouts_read_as_layouts() {
        let (_d, root) = root();
        assert!(matches!(
            resolve(&root, "x.toml", Use::WriteStatement),
            Err(PathError::NotAStatement(_))
        ));
        assert!(matches!(
            resolve(&root, "sub/a.md", Use::ReadLayout),
            Err(PathError::NotALayout(_))
        ));
        assert!(resolve(&root, "l.toml", Use::ReadLayout).is_ok());
    }

    #[test]
    fn the_listing_skips_hidden_folders_and_readmes() {
        let (_d, root) = root();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/x.md"), "").unwrap();
        std::fs::write(root.join("README.md"), "").unwrap();
        let l = list(&root);
        assert_eq!(l.statements, vec!["sub/a.md"]);
        assert_eq!(l.layouts, vec!["l.toml"]);
    }
}

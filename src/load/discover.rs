//! Turning inputs as typed into files: a file, a directory (walked recursively, hidden entries
//! skipped, `.yaml`/`.yml`/`.json` files only, sorted), a glob (`'deploy/**/*.yaml'`), or `-`
//! for standard input. Anything else that exists and is not a directory (a FIFO from
//! `<(helm template ...)`, `/dev/stdin`, a character device) is read as a stream.
//!
//! A walk never enters the same directory twice (a symlink loop such as `loop -> .` is not
//! followed) and never lists the same file twice (`b.yaml -> a.yaml` is read once, under
//! the name that sorts first).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Problem;

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The name diagnostics show.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".into(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The path, if a file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Stdin => None,
            Input::File(p) => Some(p),
        }
    }
}

/// Whether a file name has a manifest extension.
pub fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Expands one input into files.
pub fn expand(input: &str) -> Result<Vec<Input>, Problem> {
    if input == "-" {
        return Ok(vec![Input::Stdin]);
    }
    let path = Path::new(input);
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut HashSet::new(), &mut files)
            .map_err(|e| Problem::input(format!("{input}: cannot read directory: {e}")))?;
        files.sort();
        dedup_canonical(&mut files);
        if files.is_empty() {
            return Err(Problem::input(format!(
                "{input}: directory holds no .yaml, .yml or .json file"
            )));
        }
        return Ok(files.into_iter().map(Input::File).collect());
    }
    // A regular file, or a stream: a FIFO (`<(...)`, `/dev/stdin` on a pipe), a device.
    if std::fs::metadata(path).is_ok() {
        return Ok(vec![Input::File(path.to_path_buf())]);
    }
    if input.contains(['*', '?', '[']) {
        let paths = glob::glob(input)
            .map_err(|e| Problem::input(format!("{input}: bad glob pattern: {e}")))?;
        let mut files = Vec::new();
        let mut visited = HashSet::new();
        for entry in paths {
            let p = entry.map_err(|e| Problem::input(format!("{input}: {e}")))?;
            if p.components().any(|c| is_hidden(Path::new(c.as_os_str()))) {
                continue;
            }
            if p.is_dir() {
                walk(&p, &mut visited, &mut files).map_err(|e| {
                    Problem::input(format!("{}: cannot read directory: {e}", p.display()))
                })?;
            } else if p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        dedup_canonical(&mut files);
        if files.is_empty() {
            return Err(Problem::input(format!(
                "{input}: no file matches this pattern"
            )));
        }
        return Ok(files.into_iter().map(Input::File).collect());
    }
    Err(Problem::input(format!(
        "{input}: no such file or directory"
    )))
}

/// The path with symlinks resolved, or the path itself when it cannot be resolved.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Keeps the first of the paths that name the same file.
fn dedup_canonical(files: &mut Vec<PathBuf>) {
    let mut seen = HashSet::new();
    files.retain(|p| seen.insert(canonical(p)));
}

/// Lists the manifests under `dir`, entering every directory (by its resolved path) once.
fn walk(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !visited.insert(canonical(dir)) {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if is_hidden(&p) {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() || (ty.is_symlink() && p.is_dir()) {
            walk(&p, visited, out)?;
        } else if is_manifest(&p) || super::kustomize::is_kustomization(&p) {
            // A `Kustomization` file too, so that the loader warns the directory is one.
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_in_order_skipping_hidden_entries() {
        let dir = std::env::temp_dir().join(format!("netpol-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/.git")).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        for f in [
            "b/z.yaml",
            "b/.git/x.yaml",
            ".hidden/y.yaml",
            "a.json",
            "readme.md",
            "c.YML",
        ] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let got: Vec<String> = expand(dir.to_str().unwrap())
            .unwrap()
            .iter()
            .map(|i| {
                i.path()
                    .unwrap()
                    .strip_prefix(&dir)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(got, vec!["a.json", "b/z.yaml", "c.YML"]);
        let pattern = format!("{}/**/*.yaml", dir.display());
        assert_eq!(expand(&pattern).unwrap().len(), 1);
        assert!(
            expand(&format!("{}/nothing-*.yaml", dir.display()))
                .unwrap_err()
                .message
                .contains("no file matches")
        );
        assert!(
            expand(&format!("{}/missing.yaml", dir.display()))
                .unwrap_err()
                .message
                .contains("no such file")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_not_followed_and_linked_files_are_listed_once() {
        let dir = std::env::temp_dir().join(format!("netpol-discover-loop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.yaml"), "").unwrap();
        std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
        std::os::unix::fs::symlink("a.yaml", dir.join("b.yaml")).unwrap();
        std::os::unix::fs::symlink("../a.yaml", dir.join("sub/c.yaml")).unwrap();
        let got: Vec<PathBuf> = expand(dir.to_str().unwrap())
            .unwrap()
            .iter()
            .map(|i| i.path().unwrap().to_path_buf())
            .collect();
        assert_eq!(got, vec![dir.join("a.yaml")]);
        // Not `**`: the glob crate itself follows symlink loops under `**`.
        let pattern = format!("{}/*.yaml", dir.display());
        assert_eq!(expand(&pattern).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Turning inputs as typed into files: a file, a directory (walked recursively, hidden entries
//! skipped, `.yaml`/`.yml`/`.json` files only, sorted), a glob (`'deploy/**/*.yaml'`), or `-`
//! for standard input.

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
        walk(path, &mut files)
            .map_err(|e| Problem::input(format!("{input}: cannot read directory: {e}")))?;
        files.sort();
        if files.is_empty() {
            return Err(Problem::input(format!(
                "{input}: directory holds no .yaml, .yml or .json file"
            )));
        }
        return Ok(files.into_iter().map(Input::File).collect());
    }
    if path.is_file() {
        return Ok(vec![Input::File(path.to_path_buf())]);
    }
    if input.contains(['*', '?', '[']) {
        let paths = glob::glob(input)
            .map_err(|e| Problem::input(format!("{input}: bad glob pattern: {e}")))?;
        let mut files = Vec::new();
        for entry in paths {
            let p = entry.map_err(|e| Problem::input(format!("{input}: {e}")))?;
            if p.components().any(|c| is_hidden(Path::new(c.as_os_str()))) {
                continue;
            }
            if p.is_dir() {
                walk(&p, &mut files).map_err(|e| {
                    Problem::input(format!("{}: cannot read directory: {e}", p.display()))
                })?;
            } else if p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        files.dedup();
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

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if is_hidden(&p) {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() || (ty.is_symlink() && p.is_dir()) {
            walk(&p, out)?;
        } else if is_manifest(&p) {
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
}

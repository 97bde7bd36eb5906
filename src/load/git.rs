//! Manifests as they were at a git revision, read without a checkout.
//!
//! Inputs are typed as for the working tree (a file, a directory, a glob, relative to the
//! current directory or absolute). Each is located in the repository that holds it
//! (`git rev-parse --show-toplevel`), made relative to its root, listed at the revision with
//! `git ls-tree -r --name-only REV -- PATH` (directories walked like the working tree: `.yaml`,
//! `.yml` and `.json` files, hidden entries skipped; globs matched against the listing), and
//! read with `git show REV:PATH`. Files are named `REV:path/from/root.yaml`.
//!
//! A path that does not exist at the revision is no error: that side simply has no such file
//! (a file the change adds). Not being in a repository, an unknown revision, or git itself
//! failing are errors.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use super::Problem;
use super::discover::is_manifest;
use super::source::SourceFile;

/// What was read at a revision.
#[derive(Debug, Default)]
pub struct AtRevision {
    /// The files, named `REV:path`, in input order (each once).
    pub files: Vec<SourceFile>,
    /// Files that could not be used (not UTF-8, too large).
    pub problems: Vec<Problem>,
    /// Inputs that name nothing at the revision, as typed.
    pub missing: Vec<String>,
}

/// Reads the inputs (relative to `cwd` unless absolute) as they were at `rev`. Err: the
/// message to print (not a repository, an unknown revision, git not runnable, standard
/// input).
pub fn read_at(rev: &str, inputs: &[String], cwd: &Path) -> Result<AtRevision, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a revision"));
    }
    let mut out = AtRevision::default();
    let mut repos: HashMap<PathBuf, Repo> = HashMap::new();
    let mut seen: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    for input in inputs {
        if input == "-" {
            return Err(
                "standard input has no revision: give the paths to read at the revision".into(),
            );
        }
        let spec = PathSpec::parse(cwd, input);
        let top = toplevel(&spec.anchor_dir(), input)?;
        if !repos.contains_key(&top) {
            let r = Repo::open(top.clone(), rev)?;
            repos.insert(top.clone(), r);
        }
        let repo = &repos[&top];
        let names = repo.select(&spec, input)?;
        if names.is_empty() {
            out.missing.push(input.clone());
            continue;
        }
        for name in names {
            if !seen.insert((repo.top.clone(), name.clone())) {
                continue;
            }
            let display = format!("{rev}:{name}");
            match repo.show(&name, &display) {
                Ok(text) => out.files.push(SourceFile::new(display, None, text)),
                Err(e) => out.problems.push(Problem::input(e)),
            }
        }
    }
    Ok(out)
}

/// An input split into the literal directory part and, for a glob, the pattern below it.
struct PathSpec {
    /// The absolute path (lexically normalised) up to the first component with a glob
    /// character.
    anchor: PathBuf,
    /// The remaining components, when the input is a glob.
    pattern: Option<String>,
}

impl PathSpec {
    fn parse(cwd: &Path, input: &str) -> PathSpec {
        let is_glob = |s: &str| s.contains(['*', '?', '[']);
        let full = normalise(&cwd.join(input));
        let mut anchor = PathBuf::new();
        let mut rest: Vec<String> = Vec::new();
        for c in full.components() {
            let s = c.as_os_str().to_string_lossy();
            if rest.is_empty() && !is_glob(&s) {
                anchor.push(c.as_os_str());
            } else {
                rest.push(s.into_owned());
            }
        }
        PathSpec {
            anchor,
            pattern: (!rest.is_empty()).then(|| rest.join("/")),
        }
    }

    /// The directory to ask git about: the deepest existing directory of the anchor.
    fn anchor_dir(&self) -> PathBuf {
        let mut dir = self.anchor.clone();
        while !dir.is_dir() {
            if !dir.pop() {
                break;
            }
        }
        dir
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The root of the repository holding `dir`.
fn toplevel(dir: &Path, input: &str) -> Result<PathBuf, String> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
        GitError::Failed(msg) if msg.contains("not a git repository") => {
            format!("{input}: not in a git repository (a revision is read from git)")
        }
        e => format!("{input}: {e}"),
    })?;
    let text = String::from_utf8_lossy(&out);
    let top = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    Ok(top.canonicalize().unwrap_or(top))
}

struct Repo {
    top: PathBuf,
    rev: String,
    /// Every file at the revision (repository-relative, `/`-separated), listed once.
    listing: std::sync::OnceLock<Result<Vec<String>, String>>,
}

impl Repo {
    fn open(top: PathBuf, rev: &str) -> Result<Repo, String> {
        let spec = format!("{rev}^{{commit}}");
        git(&top, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|e| match e {
            GitError::Failed(_) => format!(
                "unknown revision `{rev}` in the repository at {}",
                top.display()
            ),
            e => e.to_string(),
        })?;
        Ok(Repo {
            top,
            rev: rev.to_string(),
            listing: std::sync::OnceLock::new(),
        })
    }

    /// The path of `abs` relative to the repository root, `/`-separated.
    fn relative(&self, abs: &Path, input: &str) -> Result<String, String> {
        // Resolve symbolic links in the part that exists, keep the rest as written.
        let mut existing = abs.to_path_buf();
        let mut tail: Vec<std::ffi::OsString> = Vec::new();
        while !existing.exists() {
            match existing.file_name() {
                Some(n) => tail.push(n.to_os_string()),
                None => break,
            }
            if !existing.pop() {
                break;
            }
        }
        let mut real = existing.canonicalize().unwrap_or(existing);
        for n in tail.iter().rev() {
            real.push(n);
        }
        let rel = real
            .strip_prefix(&self.top)
            .map_err(|_| format!("{input}: outside the repository at {}", self.top.display()))?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Ok(parts.join("/"))
    }

    /// The files an input names at the revision, sorted.
    fn select(&self, spec: &PathSpec, input: &str) -> Result<Vec<String>, String> {
        let anchor = self.relative(&spec.anchor, input)?;
        match &spec.pattern {
            None => {
                let listed = self.ls(&anchor)?;
                if listed.len() == 1 && listed[0] == anchor {
                    return Ok(listed); // a file, taken whatever its extension
                }
                Ok(listed
                    .into_iter()
                    .filter(|n| under_visible(n, &anchor) && is_manifest(Path::new(n)))
                    .collect())
            }
            Some(rest) => {
                let pattern = if anchor.is_empty() {
                    rest.clone()
                } else {
                    format!("{}/{rest}", glob::Pattern::escape(&anchor))
                };
                let pattern = glob::Pattern::new(&pattern)
                    .map_err(|e| format!("{input}: bad glob pattern: {e}"))?;
                let opts = glob::MatchOptions {
                    case_sensitive: true,
                    require_literal_separator: true,
                    require_literal_leading_dot: false,
                };
                let listing = self.all()?;
                let mut out = Vec::new();
                for name in listing {
                    if name.split('/').any(|c| c.starts_with('.')) {
                        continue;
                    }
                    // The name itself, or a directory holding it, matches.
                    let mut prefix = String::new();
                    let mut hit = false;
                    for (i, part) in name.split('/').enumerate() {
                        if i > 0 {
                            prefix.push('/');
                        }
                        prefix.push_str(part);
                        if pattern.matches_with(&prefix, opts) {
                            hit = prefix == name || is_manifest(Path::new(&name));
                            break;
                        }
                    }
                    if hit {
                        out.push(name.clone());
                    }
                }
                Ok(out)
            }
        }
    }

    /// `git ls-tree -r --name-only REV -- path`: the files at or under a path.
    fn ls(&self, rel: &str) -> Result<Vec<String>, String> {
        if rel.is_empty() {
            return self.all();
        }
        let out = git(
            &self.top,
            &[
                "--literal-pathspecs",
                "ls-tree",
                "-r",
                "-z",
                "--name-only",
                &self.rev,
                "--",
                rel,
            ],
        )
        .map_err(|e| e.to_string())?;
        let mut names: Vec<String> = split_z(&out)
            .into_iter()
            .filter(|n| n == rel || n.starts_with(&format!("{rel}/")))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Every file at the revision.
    fn all(&self) -> Result<Vec<String>, String> {
        self.listing
            .get_or_init(|| {
                let out = git(
                    &self.top,
                    &["ls-tree", "-r", "-z", "--name-only", &self.rev],
                )
                .map_err(|e| e.to_string())?;
                let mut names = split_z(&out);
                names.sort();
                Ok(names)
            })
            .clone()
    }

    /// `git show REV:path` as text. Err: the whole message, starting with `display`, the
    /// name the file is shown under.
    fn show(&self, name: &str, display: &str) -> Result<String, String> {
        let object = format!("{}:{name}", self.rev);
        let bytes = git(&self.top, &["show", "--no-textconv", &object])
            .map_err(|e| format!("{display}: {e}"))?;
        if bytes.len() as u64 > super::MAX_FILE_BYTES {
            return Err(super::too_large(display, super::MAX_FILE_BYTES));
        }
        super::text::decode(bytes).map_err(|e| format!("{display}:{e}"))
    }
}

/// Whether `name` is `dir` or lies under it with no hidden component below it.
fn under_visible(name: &str, dir: &str) -> bool {
    let below = if dir.is_empty() {
        Some(name)
    } else {
        name.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
    };
    below.is_some_and(|b| !b.split('/').any(|c| c.starts_with('.')))
}

fn split_z(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

enum GitError {
    /// git could not be started.
    Spawn(std::io::Error),
    /// git ran and failed: its first line of standard error.
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("cannot run git: it is not installed or not on PATH")
            }
            GitError::Spawn(e) => write!(f, "cannot run git: {e}"),
            GitError::Failed(msg) => write!(f, "git failed: {msg}"),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(GitError::Spawn)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .trim_start_matches("fatal: ")
            .to_string();
        Err(GitError::Failed(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(
            normalise(Path::new("/r/a/./b/../c.yaml")),
            PathBuf::from("/r/a/c.yaml")
        );
    }

    #[test]
    fn globs_split_at_the_first_pattern_component() {
        let s = PathSpec::parse(Path::new("/repo/sub"), "deploy/*/x-?.yaml");
        assert_eq!(s.anchor, PathBuf::from("/repo/sub/deploy"));
        assert_eq!(s.pattern.as_deref(), Some("*/x-?.yaml"));
        let s = PathSpec::parse(Path::new("/repo"), "../other/a.yaml");
        assert_eq!(s.anchor, PathBuf::from("/other/a.yaml"));
        assert!(s.pattern.is_none());
    }

    /// A fresh repository in the system's temporary directory, removed when dropped.
    struct TempRepo(PathBuf);

    impl TempRepo {
        fn new(name: &str) -> TempRepo {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "kubectl-netpol-git-{name}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let r = TempRepo(dir.canonicalize().unwrap());
            r.git(&["init", "-q"]);
            r.git(&["config", "user.name", "Test"]);
            r.git(&["config", "user.email", "test@example.com"]);
            r.git(&["config", "commit.gpgsign", "false"]);
            r
        }

        fn git(&self, args: &[&str]) {
            let ok = Command::new("git")
                .arg("-C")
                .arg(&self.0)
                .args(args)
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        }

        fn write(&self, path: &str, text: &str) {
            let p = self.0.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }

        fn commit(&self, msg: &str) {
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "-m", msg]);
        }
    }

    impl Drop for TempRepo {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn names(r: &AtRevision) -> Vec<String> {
        r.files.iter().map(|f| f.name.clone()).collect()
    }

    #[test]
    fn files_directories_and_globs_are_read_at_the_revision() {
        let repo = TempRepo::new("read");
        repo.write("k8s/a.yaml", "a: 1\n");
        repo.write("k8s/sub/b.yml", "b: 1\n");
        repo.write("k8s/notes.txt", "not a manifest\n");
        repo.write("k8s/.hidden/c.yaml", "c: 1\n");
        repo.commit("one");
        repo.write("k8s/a.yaml", "a: 2\n");
        repo.write("k8s/new.yaml", "n: 1\n");
        repo.commit("two");
        let inputs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let r = read_at("HEAD~1", &inputs(&["k8s"]), &repo.0).unwrap();
        assert_eq!(names(&r), ["HEAD~1:k8s/a.yaml", "HEAD~1:k8s/sub/b.yml"]);
        assert_eq!(&*r.files[0].text, "a: 1\n");
        assert!(r.files[0].path.is_none());
        // From a subdirectory, relative paths and globs; a file is taken whatever its name.
        let sub = repo.0.join("k8s");
        let r = read_at(
            "HEAD~1",
            &inputs(&["*.yaml", "notes.txt", "../k8s/sub"]),
            &sub,
        )
        .unwrap();
        assert_eq!(
            names(&r),
            [
                "HEAD~1:k8s/a.yaml",
                "HEAD~1:k8s/notes.txt",
                "HEAD~1:k8s/sub/b.yml"
            ]
        );
        // A path the revision does not have is no error: that side has no such file.
        let r = read_at("HEAD~1", &inputs(&["k8s/new.yaml", "k8s/a.yaml"]), &repo.0).unwrap();
        assert_eq!(names(&r), ["HEAD~1:k8s/a.yaml"]);
        assert_eq!(r.missing, ["k8s/new.yaml"]);
        // Absolute paths work too.
        let abs = repo.0.join("k8s/new.yaml").display().to_string();
        let r = read_at("HEAD", &[abs], Path::new("/")).unwrap();
        assert_eq!(names(&r), ["HEAD:k8s/new.yaml"]);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let repo = TempRepo::new("errors");
        repo.write("a.yaml", "a: 1\n");
        repo.commit("one");
        let one = ["a.yaml".to_string()];
        let e = read_at("nope", &one, &repo.0).unwrap_err();
        assert!(
            e.starts_with("unknown revision `nope` in the repository at"),
            "{e}"
        );
        let e = read_at("HEAD", &["-".to_string()], &repo.0).unwrap_err();
        assert!(e.contains("standard input"), "{e}");
        assert!(read_at("--all", &one, &repo.0).is_err());
        let outside =
            std::env::temp_dir().join(format!("kubectl-netpol-no-repo-{}", std::process::id()));
        std::fs::create_dir_all(&outside).unwrap();
        let e = read_at("HEAD", &one, &outside).unwrap_err();
        let _ = std::fs::remove_dir_all(&outside);
        // The temporary directory may itself sit in a repository on some machines.
        assert!(
            e.contains("not in a git repository")
                || e.contains("outside")
                || e.contains("unknown revision"),
            "{e}"
        );
    }

    #[test]
    fn directories_skip_hidden_entries_below_them() {
        assert!(under_visible("a/b.yaml", "a"));
        assert!(!under_visible("a/.git/x.yaml", "a"));
        assert!(!under_visible("ab/c.yaml", "a"));
        assert!(under_visible("x/y.yaml", ""));
    }
}

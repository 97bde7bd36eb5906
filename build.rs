//! Build-time facts the binary prints:
//!
//! - the module doc comment (`//!` lines) of every lint rule file in `src/lint/rules/`, as a
//!   table, so that a rule's doc comment is the documentation `kubectl netpol rules NAME`
//!   prints: written once, next to the code;
//! - the version `--version` prints, `KUBECTL_NETPOL_VERSION`: the version of Cargo.toml,
//!   then the commit and its date, `0.1.0 (commit 0123456789ab, 2026-12-07)`, taken from
//!   the environment variables `KUBECTL_NETPOL_COMMIT` and `KUBECTL_NETPOL_COMMIT_DATE`
//!   (set by release builds, which may build from a tarball) or else from git when the
//!   sources are a git checkout. Without either, the version alone: a missing git never
//!   fails the build.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    rule_docs();
    version();
}

fn rule_docs() {
    let dir = Path::new("src/lint/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(String, String)> = Vec::new();
    if let Ok(read) = std::fs::read_dir(dir) {
        for entry in read.flatten() {
            let path = entry.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().and_then(|e| e.to_str()) != Some("rs") || stem == "mod" {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path).expect("rule files are readable");
            let doc: Vec<&str> = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .map(|l| {
                    l.strip_prefix("//! ")
                        .or_else(|| l.strip_prefix("//!"))
                        .unwrap_or("")
                })
                .collect();
            entries.push((stem.to_string(), doc.join("\n")));
        }
    }
    entries.sort();
    let mut out = String::from(
        "/// (module name, doc comment) of every rule file.\npub const RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (name, doc) in entries {
        writeln!(out, "    ({name:?}, {doc:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Sets `KUBECTL_NETPOL_VERSION` for the crate.
fn version() {
    println!("cargo:rerun-if-env-changed=KUBECTL_NETPOL_COMMIT");
    println!("cargo:rerun-if-env-changed=KUBECTL_NETPOL_COMMIT_DATE");
    let mut version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let (commit, date) = match std::env::var("KUBECTL_NETPOL_COMMIT") {
        Ok(commit) if !commit.is_empty() => {
            let date = std::env::var("KUBECTL_NETPOL_COMMIT_DATE").ok();
            (Some(commit), date.filter(|d| !d.is_empty()))
        }
        _ => git_commit(),
    };
    if let Some(commit) = commit {
        let commit = commit.trim();
        if commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()) {
            let short: String = commit.chars().take(12).collect();
            let _ = write!(version, " (commit {}", short.to_ascii_lowercase());
            if let Some(date) = date {
                let _ = write!(version, ", {}", date.trim());
            }
            version.push(')');
        } else {
            println!("cargo:warning=ignoring KUBECTL_NETPOL_COMMIT={commit:?}: not a commit id");
        }
    }
    println!("cargo:rustc-env=KUBECTL_NETPOL_VERSION={version}");
}

/// The commit checked out in the crate's own directory, and its date (YYYY-MM-DD), when the
/// directory is a git checkout and git runs; asks cargo to run this again when HEAD moves.
fn git_commit() -> (Option<String>, Option<String>) {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Only the crate's own checkout: not a repository the sources happen to sit in.
    if !dir.join(".git").exists() {
        return (None, None);
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        let text = text.trim();
        (out.status.success() && !text.is_empty()).then(|| text.to_string())
    };
    // HEAD, and the branch it points to (loose, or packed).
    let mut watch = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(git(&["rev-parse", "--git-path", &branch]));
        watch.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    }
    for path in watch.into_iter().flatten() {
        let path = dir.join(path);
        // A path that does not exist would make cargo run this at every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let date = commit
        .as_ref()
        .and_then(|_| git(&["log", "-1", "--format=%cd", "--date=short", "HEAD"]));
    (commit, date)
}

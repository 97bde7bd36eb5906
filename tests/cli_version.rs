//! `--version`: the version of Cargo.toml, then the commit built and its date when known,
//! `kubectl-netpol 0.1.0 (commit 0123456789ab, 2026-12-07)`, on the program and on every
//! subcommand. build.rs finds the commit: from `KUBECTL_NETPOL_COMMIT` (release builds), or
//! from git in a git checkout, or not at all, without failing. Its version part is run here
//! on its own, compiled with rustc, in directories made for each case.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use kubectl_netpol::cli::{Cli, VERSION};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(commit, date)` of `--version`'s parenthesis, if any; panics on any other shape.
fn parse(version_line: &str) -> Option<(String, Option<String>)> {
    let pkg = env!("CARGO_PKG_VERSION");
    let rest = version_line
        .strip_prefix(&format!("kubectl-netpol {pkg}"))
        .unwrap_or_else(|| panic!("{version_line:?}"));
    let rest = rest.strip_suffix('\n').unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    let inner = rest
        .strip_prefix(" (commit ")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{version_line:?}"));
    let (commit, date) = match inner.split_once(", ") {
        Some((c, d)) => (c, Some(d.to_string())),
        None => (inner, None),
    };
    assert!(
        commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{version_line:?}"
    );
    if let Some(d) = &date {
        let b = d.as_bytes();
        assert!(
            d.len() == 10 && b[4] == b'-' && b[7] == b'-',
            "a YYYY-MM-DD date: {version_line:?}"
        );
    }
    Some((commit.to_string(), date))
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_commit_of_the_checkout() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line, format!("kubectl-netpol {VERSION}\n"));
    let parsed = parse(&line);
    let env_commit = std::env::var("KUBECTL_NETPOL_COMMIT").ok();
    let head = manifest_dir()
        .join(".git")
        .exists()
        .then(|| git(manifest_dir(), &["rev-parse", "--short=12", "HEAD"]))
        .flatten();
    match (env_commit, head) {
        (Some(c), _) if !c.is_empty() => {
            assert_eq!(parsed.unwrap().0, c[..12.min(c.len())].to_ascii_lowercase());
        }
        (_, Some(head)) => {
            let (commit, date) = parsed.expect("built from a git checkout: a commit");
            assert_eq!(commit, head);
            let day = git(
                manifest_dir(),
                &["log", "-1", "--format=%cd", "--date=short", "HEAD"],
            );
            assert_eq!(date, day);
        }
        _ => eprintln!("note: not a git checkout (or no git): {line}"),
    }
}

#[test]
fn every_subcommand_prints_the_same_version() {
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    let want = format!("kubectl-netpol {VERSION}\n");
    let mut names: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    names.push(String::new());
    for name in names {
        for flag in ["--version", "-V"] {
            let args: Vec<&str> = [name.as_str(), flag]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect();
            let out = Command::new(bin).args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{args:?}");
        }
    }
}

/// build.rs compiled on its own, once per test process.
fn build_script() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("netpol-build-rs-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let exe = dir.join("build-script");
            let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
            let out = Command::new(rustc)
                .args(["--edition", "2024", "-o"])
                .arg(&exe)
                .arg(manifest_dir().join("build.rs"))
                .output()
                .expect("rustc runs");
            assert!(out.status.success(), "{out:?}");
            exe
        })
        .clone()
}

/// Runs build.rs with the crate in `crate_dir` and `env`; returns its stdout.
fn run_build_script(crate_dir: &Path, env: &[(&str, &str)], path: Option<&str>) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(build_script());
    cmd.current_dir(crate_dir)
        .env_remove("KUBECTL_NETPOL_COMMIT")
        .env_remove("KUBECTL_NETPOL_COMMIT_DATE")
        .env("OUT_DIR", out_dir.path())
        .env("CARGO_MANIFEST_DIR", crate_dir)
        .env("CARGO_PKG_VERSION", "9.8.7");
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "the build never fails: {out:?}");
    assert!(out_dir.path().join("rule_docs.rs").is_file());
    String::from_utf8(out.stdout).unwrap()
}

fn version_of(stdout: &str) -> &str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("cargo:rustc-env=KUBECTL_NETPOL_VERSION="))
        .unwrap_or_else(|| panic!("{stdout}"))
}

#[test]
fn build_script_takes_the_commit_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_build_script(
        dir.path(),
        &[
            (
                "KUBECTL_NETPOL_COMMIT",
                "0123456789ABCDEF0123456789abcdef01234567",
            ),
            ("KUBECTL_NETPOL_COMMIT_DATE", "2026-12-07"),
        ],
        None,
    );
    assert_eq!(version_of(&out), "9.8.7 (commit 0123456789ab, 2026-12-07)");
    assert!(out.contains("cargo:rerun-if-env-changed=KUBECTL_NETPOL_COMMIT\n"));
    let out = run_build_script(dir.path(), &[("KUBECTL_NETPOL_COMMIT", "abcdef1")], None);
    assert_eq!(version_of(&out), "9.8.7 (commit abcdef1)");
    // Not a commit id: ignored, with a warning.
    let out = run_build_script(dir.path(), &[("KUBECTL_NETPOL_COMMIT", "v1.0; rm")], None);
    assert_eq!(version_of(&out), "9.8.7");
    assert!(out.contains("cargo:warning="), "{out}");
}

#[test]
fn build_script_without_git_or_checkout_gives_the_version_alone() {
    let dir = tempfile::tempdir().unwrap();
    // Not a checkout.
    assert_eq!(
        version_of(&run_build_script(dir.path(), &[], None)),
        "9.8.7"
    );
    // A checkout, but no git to ask: the build goes on.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = run_build_script(dir.path(), &[], Some("/nonexistent"));
    assert_eq!(version_of(&out), "9.8.7");
}

#[test]
fn build_script_reads_git_and_watches_head_and_its_branch() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(_) = git(d, &["init", "-q", "-b", "trunk"]) else {
        eprintln!("note: no git; the git part of build.rs is not tried");
        return;
    };
    std::fs::write(d.join("f"), "x").unwrap();
    let commit = Command::new("git")
        .arg("-C")
        .arg(d)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["add", "f"])
        .status()
        .unwrap()
        .success()
        && Command::new("git")
            .arg("-C")
            .arg(d)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["commit", "-q", "-m", "one"])
            .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07Z")
            .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07Z")
            .status()
            .unwrap()
            .success();
    assert!(commit);
    let head = git(d, &["rev-parse", "--short=12", "HEAD"]).unwrap();
    let out = run_build_script(d, &[], None);
    assert_eq!(
        version_of(&out),
        format!("9.8.7 (commit {head}, 2026-03-04)")
    );
    // HEAD and the branch it points to, by absolute paths that exist (a missing one would
    // rerun the script at every build).
    let watched: Vec<PathBuf> = out
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .filter(|p| p.starts_with('/'))
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| panic!("{p} exists")))
        .collect();
    for want in [".git/HEAD", ".git/refs/heads/trunk"] {
        let want = std::fs::canonicalize(d.join(want)).unwrap();
        assert!(watched.contains(&want), "{want:?} in {out}");
    }
    // The environment wins over git (a release build of a patched tree).
    let out = run_build_script(d, &[("KUBECTL_NETPOL_COMMIT", "fedcba9876543210")], None);
    assert_eq!(version_of(&out), "9.8.7 (commit fedcba987654)");
}

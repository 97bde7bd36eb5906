//! End-to-end: inputs that are streams (process substitution, `/dev/stdin`, devices) and
//! directory walks through symlinks (issue 10).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-netpol");

const POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: app, labels: {a: b}}\n";

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Runs a bash command line; `BIN` names the binary. Returns (code, stdout, stderr).
fn bash(script: &str) -> (i32, String, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script.replace("BIN", &quote(Path::new(BIN))))
        .output()
        .expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pod_file(dir: &tempfile::TempDir) -> PathBuf {
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    file
}

#[test]
fn process_substitution_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let file = pod_file(&dir);
    let (code, out, err) = bash(&format!(
        "BIN can-reach app/p1 app/p1 -v -f <(cat {})",
        quote(&file)
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("allowed"), "{out}");
    assert!(err.contains("Pod app/p1: used"), "{err}");
}

#[test]
fn dev_stdin_is_read_as_a_stream_from_a_file_or_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let file = pod_file(&dir);
    for script in [
        format!(
            "BIN can-reach app/p1 app/p1 -v -f /dev/stdin < {}",
            quote(&file)
        ),
        format!(
            "cat {} | BIN can-reach app/p1 app/p1 -v -f /dev/stdin",
            quote(&file)
        ),
    ] {
        let (code, out, err) = bash(&script);
        assert_eq!(code, 0, "{script}: {err}");
        assert!(out.contains("allowed"), "{script}: {out}");
        assert!(
            err.contains("/dev/stdin:1:1: Pod app/p1: used"),
            "{script}: {err}"
        );
    }
}

#[test]
fn an_endless_device_ends_with_a_size_error_quickly() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let start = Instant::now();
    let (code, _, err) = bash("timeout 20 BIN can-reach app/p1 app/p1 -f /dev/zero");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("/dev/zero: larger than 512 MiB; refused"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_directory_walk_skips_symlink_loops_and_reads_every_file_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), POD).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("a.yaml", dir.path().join("b.yaml")).unwrap();
    let (code, out, err) = bash(&format!(
        "BIN can-reach app/p1 app/p1 -v -f {}",
        quote(dir.path())
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("allowed"), "{out}");
    assert_eq!(err.matches("Pod app/p1").count(), 1, "{err}");
    assert!(err.contains("a.yaml:1:1: Pod app/p1: used"), "{err}");
    assert!(err.contains("input: 1 files, 1 objects used"), "{err}");
}

#[test]
fn the_input_size_limit_can_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = pod_file(&dir);
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, POD.repeat(30)).unwrap();
    let (code, out, err) = bash(&format!(
        "BIN can-reach app/p1 app/p1 --max-input-size 1K -f {} -f {}",
        quote(&file),
        quote(&big)
    ));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "{}: larger than 1 KiB; refused (--max-input-size)",
            big.display()
        )),
        "{err}"
    );
    // The file within the limit is still read.
    assert!(out.contains("allowed"), "{out}");
    // A stream past the limit is cut as soon as it passes it.
    let start = Instant::now();
    let (code, _, err) = bash("timeout 20 BIN matrix --max-input-size 64K -f /dev/zero");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("/dev/zero: larger than 64 KiB; refused"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    let (code, _, err) = bash("BIN matrix --max-input-size 12T -f -");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the unit `T` is none of K, M, G"), "{err}");
}

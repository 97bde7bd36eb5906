//! End-to-end: what makes kubectl-netpol a kubectl plugin. kubectl's completion runs
//! `completions/kubectl_complete-netpol` with the words after `kubectl netpol`; the answer
//! must be cobra's protocol: `candidate<TAB>description` lines, then `:<directive>`.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the shipped completion script as kubectl would, the binary on PATH.
fn kubectl_complete(words: &[&str]) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_kubectl-netpol"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(manifest_dir().join("completions/kubectl_complete-netpol"))
        .args(words)
        .current_dir(manifest_dir())
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .expect("the completion script runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "kubectl shows the plugin's stderr on the terminal: it must stay quiet"
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_script_is_executable_posix_sh_calling_the_hidden_command() {
    use std::os::unix::fs::PermissionsExt;
    let path = manifest_dir().join("completions/kubectl_complete-netpol");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "executable by everyone");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"));
    assert!(text.contains("kubectl-netpol __complete \"$@\""));
}

#[test]
fn subcommands_with_descriptions_and_no_file_completion() {
    insta::assert_snapshot!("complete_subcommands", kubectl_complete(&[""]));
}

#[test]
fn can_reach_targets_one_level_at_a_time() {
    let out = kubectl_complete(&["can-reach", "-f", "testdata/demo", ""]);
    assert_eq!(
        out,
        "ingress-nginx/\tnamespace\n\
         kube-system/\tnamespace\n\
         monitoring/\tnamespace\n\
         shop/\tnamespace\n\
         :6\n",
        "NoSpace|NoFileComp: a namespace is followed by a name"
    );
    let out = kubectl_complete(&[
        "can-reach",
        "-f",
        "testdata/demo",
        "-n",
        "shop",
        "shop/frontend",
        "a",
    ]);
    assert_eq!(
        out, "api\tDeployment\n:4\n",
        "a bare name in the -n namespace"
    );
    let out = kubectl_complete(&["can-reach", "testdata/demo", "shop/"]);
    assert_eq!(
        out, ":4\n",
        "a path before FROM is FROM: there is no input yet"
    );
    let out = kubectl_complete(&[
        "can-reach",
        "-f",
        "testdata/demo",
        "shop/deploy/frontend",
        "shop/",
    ]);
    insta::assert_snapshot!("complete_can_reach_to", out);
    let out = kubectl_complete(&["can-reach", "-f", "testdata/demo", "monitoring/deploy/"]);
    assert_eq!(out, "monitoring/deploy/prometheus\tDeployment\n:4\n");
}

#[test]
fn namespaces_patterns_and_enumerated_values() {
    assert_eq!(
        kubectl_complete(&["matrix", "testdata/demo", "-n", "kube"]),
        "kube-system\tnamespace\n:4\n"
    );
    assert_eq!(
        kubectl_complete(&["matrix", "testdata/demo", "--from", "ex"]),
        "external\tevery external address range\n:4\n"
    );
    assert_eq!(
        kubectl_complete(&["matrix", "-o", ""]),
        "table\tA grid for the terminal: numbered columns, compact cells\n\
         list\tOne allowed connection per line: `src => dst : TCP 80`\n\
         json\tThe matrix as data (versioned)\n\
         csv\tThe grid as CSV, with full names\n\
         md\tThe grid as a Markdown table\n\
         dot\tA Graphviz graph of the allowed connections\n\
         :4\n"
    );
    assert_eq!(
        kubectl_complete(&["check", "--fail-on=e"]),
        "--fail-on=error\tErrors only\n:4\n"
    );
}

#[test]
fn paths_fall_back_to_file_completion_of_manifests() {
    let manifests = "yaml\nyml\njson\n:8\n";
    assert_eq!(kubectl_complete(&["matrix", ""]), manifests);
    assert_eq!(kubectl_complete(&["check", "--topology", "te"]), manifests);
    assert_eq!(kubectl_complete(&["can-reach", "a", "b", ""]), manifests);
    assert_eq!(kubectl_complete(&["migrate", "-f", ""]), manifests);
    assert_eq!(kubectl_complete(&["check", "--config", ""]), ":0\n");
}

#[test]
fn flags_come_from_the_cli_definition() {
    let out = kubectl_complete(&["can-reach", "--p"]);
    assert_eq!(
        out,
        "--port\tThe port: 80, 80/TCP, 53/UDP, or a container port name of the…\n:4\n"
    );
    // Words clap would act on are only completed.
    assert_eq!(
        kubectl_complete(&["--vers"]),
        "--version\tPrint version\n:4\n"
    );
    assert!(kubectl_complete(&["--version", ""]).starts_with("can-reach\t"));
    assert!(kubectl_complete(&["--help", ""]).starts_with("can-reach\t"));
}

#[test]
fn the_no_description_variant() {
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    let out = Command::new(bin)
        .args(["__completeNoDesc", "matrix", "-o", "c"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "csv\n:4\n");
}

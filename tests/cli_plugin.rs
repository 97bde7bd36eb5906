//! End-to-end: what makes kubectl-netpol a kubectl plugin. kubectl's completion runs
//! `completions/kubectl_complete-netpol` with the words after `kubectl netpol`; the answer
//! must be cobra's protocol: `candidate<TAB>description` lines, then `:<directive>`.
//! `--version` answers on every subcommand.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};

use clap::CommandFactory;
use kubectl_netpol::cli::Cli;

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
         mermaid\tA Mermaid flowchart of the allowed connections (GitHub, GitLab and…\n\
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
        "--port\tThe port: 80, tcp/80, 53/udp, a range 8080-8090, or a container port…\n:4\n"
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

#[test]
fn version_on_every_subcommand() {
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    let want = format!("kubectl-netpol {}\n", kubectl_netpol::cli::VERSION);
    let mut names: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    names.push(String::new());
    for name in names {
        for flag in ["--version", "-V"] {
            let mut args: Vec<&str> = Vec::new();
            if !name.is_empty() {
                args.push(&name);
            }
            args.push(flag);
            let out = Command::new(bin).args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{args:?}");
        }
    }
}

#[test]
fn the_krew_template_has_an_archive_per_platform_with_what_the_repository_ships() {
    let text = std::fs::read_to_string(manifest_dir().join("krew/netpol.yaml")).unwrap();
    assert!(text.contains("\n  name: netpol\n"));
    assert!(text.contains("\n  version: v{{VERSION}}\n"));
    for (os, arch) in [
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
    ] {
        let selector = format!("        os: {os}\n        arch: {arch}\n");
        let at = text
            .find(&selector)
            .unwrap_or_else(|| panic!("{os}/{arch}"));
        let platform = &text[at..];
        let platform = &platform[..platform.find("  - selector:").unwrap_or(platform.len())];
        let up = format!("{}_{}", os.to_uppercase(), arch.to_uppercase());
        assert!(
            platform.contains(&format!("uri: \"{{{{URI_{up}}}}}\"")),
            "{platform}"
        );
        assert!(
            platform.contains(&format!("sha256: \"{{{{SHA256_{up}}}}}\"")),
            "{platform}"
        );
        assert!(platform.contains("bin: kubectl-netpol\n"), "{platform}");
        assert!(
            platform.contains("- from: kubectl_complete-netpol\n"),
            "{platform}"
        );
    }
    // What the archives are made of is in the repository.
    assert!(
        manifest_dir()
            .join("completions/kubectl_complete-netpol")
            .is_file()
    );
    assert!(manifest_dir().join("man/kubectl-netpol.1").is_file());
}

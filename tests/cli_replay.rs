//! End to end: `kubectl-netpol replay` of `testdata/replay/flows.json` (a Hubble export of
//! the demo shop: 14 lines, a reply, an ICMP flow, a policy drop, a flow from a namespace the
//! files do not hold) and `testdata/replay/flows.csv`, against `testdata/demo` plus its pods
//! (`pods.yaml`, with IPs) and the change under review (`change.yaml`: only Prometheus may
//! scrape the api; the worker may call port 80). Exactly two flows become denied
//! (kube-state-metrics scraping the api) and one allowed (the worker on port 80), in every
//! format, against old manifests, a git revision or the recorded verdicts; and the exit
//! statuses. Snapshots are in `tests/snapshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{Run, netpol, root};

fn run_in(dir: &Path, args: &[&str]) -> Run {
    netpol(dir, args, &[] as &[(&str, &str)], None)
}

fn run(args: &[&str]) -> Run {
    run_in(root(), args)
}

const FLOWS: &str = "testdata/replay/flows.json";
const CSV: &str = "testdata/replay/flows.csv";
const OLD: [&str; 2] = ["testdata/demo", "testdata/replay/pods.yaml"];
const NEW: [&str; 3] = [
    "testdata/demo",
    "testdata/replay/pods.yaml",
    "testdata/replay/change.yaml",
];

/// `replay --flows FLOWS --old OLD --new NEW` with `extra` arguments.
fn old_new(flows: &str, extra: &[&str]) -> Vec<String> {
    let mut a = vec!["replay", "--flows", flows, "--old"];
    a.extend(OLD);
    a.push("--new");
    a.extend(NEW);
    a.extend(extra);
    a.into_iter().map(String::from).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The stdout of a run that exits 1 (some flow newly denied) with nothing on stderr.
fn denied(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(r.code, 1, "{args:?}: {}", r.shown());
    assert_eq!(r.stderr, "", "{args:?}");
    r.stdout
}

#[test]
fn text_against_old_manifests() {
    insta::assert_snapshot!("text", denied(&strs(&old_new(FLOWS, &[]))));
}

#[test]
fn json() {
    let out = denied(&strs(&old_new(FLOWS, &["-o", "json"])));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["counts"]["newly_denied"], 2);
    assert_eq!(v["counts"]["newly_allowed"], 1);
    // Every flow is counted once.
    let c = &v["counts"];
    let sum = [
        "newly_denied",
        "newly_allowed",
        "unchanged",
        "not_compared",
        "unmappable",
    ]
    .iter()
    .map(|k| c[k].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(sum, c["flows"].as_u64().unwrap());
    insta::assert_snapshot!("json", out);
}

#[test]
fn sarif() {
    let out = denied(&strs(&old_new(FLOWS, &["-o", "sarif"])));
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let errors: Vec<String> = support::sarif::sarif_validator()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let results = v["runs"][0]["results"].as_array().unwrap();
    let count = |id: &str| results.iter().filter(|r| r["ruleId"] == id).count();
    // As many results as the JSON has workload pairs, each newly denied one placed at the
    // policy that decides it.
    let json: serde_json::Value =
        serde_json::from_str(&denied(&strs(&old_new(FLOWS, &["-o", "json"])))).unwrap();
    let pairs = |k: &str| json[k].as_array().map_or(0, |a| a.len());
    assert_eq!(count("newly-denied"), pairs("newly_denied"));
    assert_eq!(count("newly-allowed"), pairs("newly_allowed"));
    for r in results.iter().filter(|r| r["ruleId"] == "newly-denied") {
        assert_eq!(r["level"], "error");
        let at = &r["locations"][0]["physicalLocation"];
        assert!(
            at["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(".yaml"),
            "{r}"
        );
        assert!(at["region"]["startLine"].as_u64().unwrap() > 0);
    }
    // The working directory's URI depends on where the repository is checked out.
    let mut shown = v.clone();
    shown["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///<cwd>/".into();
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&shown).unwrap());
}

#[test]
fn markdown() {
    insta::assert_snapshot!("md", denied(&strs(&old_new(FLOWS, &["-o", "md"]))));
}

#[test]
fn positional_new_paths_before_old() {
    let mut a = vec!["replay", "--flows", FLOWS];
    a.extend(NEW);
    a.push("--old");
    a.extend(OLD);
    assert_eq!(denied(&a), denied(&strs(&old_new(FLOWS, &[]))));
}

#[test]
fn against_recorded_verdicts() {
    let mut a = vec!["replay", "--flows", FLOWS];
    a.extend(NEW);
    insta::assert_snapshot!("recorded", denied(&a));
}

#[test]
fn csv() {
    let mut a = vec!["replay", "--flows", CSV];
    a.extend(NEW);
    insta::assert_snapshot!("csv", denied(&a));
}

#[test]
fn nothing_newly_denied_exits_0() {
    let mut a = vec!["replay", "--flows", FLOWS, "--old"];
    a.extend(OLD);
    a.push("--new");
    a.extend(OLD);
    let r = run(&a);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert!(r.stdout.contains("\nnewly denied: none\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\nnewly allowed: none\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\nunchanged: 11 flows\n"), "{}", r.stdout);
    assert!(r.stdout.contains("unmappable: 1 flow\n"), "{}", r.stdout);
}

#[test]
fn flow_mapped_in_new_manifests_only() {
    // Without pods.yaml the old side has no kube-state-metrics pod.
    let mut a = vec!["replay", "--flows", CSV, "--old", "testdata/demo", "--new"];
    a.extend(NEW);
    let r = run(&a);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert!(
        r.stdout.contains(
            "testdata/replay/flows.csv:3: source monitoring/kube-state-metrics (in the old manifests): monitoring/kube-state-metrics is not in the input\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn unreadable_lines_are_errors_with_their_line() {
    let r = run(&[
        "replay",
        "--flows",
        "testdata/replay/broken.csv",
        "testdata/demo",
    ]);
    insta::assert_snapshot!("broken", r.shown());
    assert_eq!(r.code, 2);
}

#[test]
fn usage_errors() {
    let r = run(&["replay", "testdata/demo"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(r.stderr.contains("--flows <FILE>"), "{}", r.stderr);
    let r = run(&[
        "replay",
        "--flows",
        "testdata/replay/none.json",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr
            .starts_with("error: --flows testdata/replay/none.json: "),
        "{}",
        r.stderr
    );
    let r = run(&[
        "replay",
        "--flows",
        FLOWS,
        "--old",
        "testdata/demo",
        "--base",
        "HEAD",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    let r = run(&["replay", "--flows", FLOWS]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
}

/// A git repository in the system's temporary directory, removed when dropped.
struct Repo(PathBuf);

impl Repo {
    fn new() -> Repo {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "kubectl-netpol-cli-replay-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("k8s")).unwrap();
        let repo = Repo(dir);
        for args in [
            &["init", "-q"][..],
            &["config", "user.name", "Test"],
            &["config", "user.email", "test@example.com"],
            &["config", "commit.gpgsign", "false"],
        ] {
            repo.git(args);
        }
        repo
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.0)
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
    }

    fn put(&self, from: &str, to: &str) {
        let dst = self.0.join("k8s").join(to);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), dst).unwrap();
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn base_revision() {
    let repo = Repo::new();
    for f in [
        "namespaces.yaml",
        "platform.yaml",
        "shop.yaml",
        "policies/platform.yaml",
        "policies/shop.yaml",
    ] {
        repo.put(&format!("testdata/demo/{f}"), f);
    }
    repo.put("testdata/replay/pods.yaml", "pods.yaml");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "demo"]);
    // The change, in the working tree only (read after the policies it replaces).
    repo.put("testdata/replay/change.yaml", "zz-change.yaml");
    let flows = root().join(FLOWS);
    let r = run_in(
        &repo.0,
        &[
            "replay",
            "--flows",
            flows.to_str().unwrap(),
            "--base",
            "HEAD",
            "k8s",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.shown());
    let v = r.json();
    assert_eq!(v["baseline"], "old_manifests");
    assert_eq!(v["old"], "k8s at HEAD");
    assert_eq!(v["counts"]["newly_denied"], 2);
    assert_eq!(v["counts"]["newly_allowed"], 1);
    assert_eq!(
        v["newly_denied"][0]["source"],
        "monitoring/app=kube-state-metrics"
    );
    assert_eq!(v["newly_denied"][0]["destination"], "shop/deploy/api");
}

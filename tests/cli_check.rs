//! End-to-end: `check` on testdata/ in every output format, exit statuses, the configuration
//! file, suppression annotations, `--topology`, expectations and the GitHub job summary.
//!
//! The snapshots hold the whole output and the exit status; they change whenever a rule is
//! added or reworded (`cargo insta review`).

use std::path::Path;

use serde_json::Value;

mod support;
use support::sarif::sarif_validator;
use support::{Run, netpol, root};

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    netpol(dir, args, env, None)
}

/// `check --no-config ARGS...` from the project root.
fn check(args: &[&str]) -> Run {
    let mut all = vec!["check", "--no-config"];
    all.extend_from_slice(args);
    run_in(root(), &all, &[])
}

/// The SARIF output with the working directory's URI replaced by a placeholder.
fn sarif_shown(r: &Run) -> String {
    let mut v = r.json();
    let base = &mut v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    let uri = base.as_str().expect("%SRCROOT% has a uri").to_string();
    assert!(
        uri.starts_with("file:///") && uri.ends_with('/'),
        "{uri} is not a directory URI"
    );
    assert!(
        uri.trim_end_matches('/').ends_with(
            root()
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a named directory")
        ),
        "{uri} is not the working directory"
    );
    *base = Value::String("file:///SRCROOT/".into());
    // The catalogue, in full in `sarif_rule_descriptor`, is shown here by id and name.
    let rules = &mut v["runs"][0]["tool"]["driver"]["rules"];
    let listed: Vec<Value> = rules
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            Value::String(format!(
                "{} {}",
                r["id"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            ))
        })
        .collect();
    *rules = Value::Array(listed);
    format!(
        "exit: {}\n--- stdout\n{}\n--- stderr\n{}",
        r.code,
        serde_json::to_string_pretty(&v).unwrap(),
        r.stderr
    )
}

// ---------------------------------------------------------------------------------------------
// Every format on the demo and on broken input.

#[test]
fn demo_text() {
    insta::assert_snapshot!("demo_text", check(&["testdata/demo"]).shown());
}

#[test]
fn calico_text() {
    insta::assert_snapshot!("calico_text", check(&["testdata/calico"]).shown());
}

#[test]
fn calico_sarif() {
    let r = check(&["testdata/calico", "-o", "sarif"]);
    assert_valid_sarif(&sarif_validator(), &r);
    insta::assert_snapshot!("calico_sarif", sarif_shown(&r));
}

#[test]
fn demo_json() {
    insta::assert_snapshot!("demo_json", check(&["testdata/demo", "-o", "json"]).shown());
}

#[test]
fn demo_sarif() {
    insta::assert_snapshot!(
        "demo_sarif",
        sarif_shown(&check(&["testdata/demo", "-o", "sarif"]))
    );
}

#[test]
fn demo_github() {
    insta::assert_snapshot!(
        "demo_github",
        check(&["testdata/demo", "-o", "github"]).shown()
    );
}

#[test]
fn broken_text() {
    let r = check(&["testdata/broken"]);
    assert_eq!(r.code, 2, "input problems exit 2");
    insta::assert_snapshot!("broken_text", r.shown());
}

#[test]
fn broken_json() {
    let r = check(&["testdata/broken", "-o", "json"]);
    assert_eq!(r.code, 2);
    let v = r.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files_checked"], 1);
    insta::assert_snapshot!("broken_json", r.shown());
}

#[test]
fn broken_sarif() {
    let r = check(&["testdata/broken", "-o", "sarif"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("broken_sarif", sarif_shown(&r));
}

#[test]
fn broken_github() {
    let r = check(&["testdata/broken", "-o", "github"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("broken_github", r.shown());
}

#[test]
fn expectations_in_every_format() {
    let args = [
        "testdata/demo",
        "--expect",
        "testdata/check/demo-expect.yaml",
    ];
    let r = check(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("expect_text", r.shown());
    let r = check(&[&args[..], &["-o", "json"]].concat());
    let v = r.json();
    let ours: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("NP5")))
        .collect();
    insta::assert_snapshot!("expect_json", serde_json::to_string_pretty(&ours).unwrap());
    let r = check(&[&args[..], &["-o", "github"]].concat());
    let ours: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("title=NP5"))
        .collect();
    insta::assert_snapshot!("expect_github", ours.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// SARIF against the official schema.

fn assert_valid_sarif(validator: &jsonschema::Validator, r: &Run) {
    let v = r.json();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["name"], "kubectl-netpol");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let i = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], result["ruleId"]);
        let loc = &result["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            !loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .contains('\\')
        );
    }
}

#[test]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    for args in [
        &["testdata/demo"][..],
        &["testdata/broken"],
        &[
            "testdata/demo",
            "--expect",
            "testdata/check/demo-expect.yaml",
        ],
        &["testdata/check/empty.yaml"],
    ] {
        let r = check(&[args, &["-o", "sarif"]].concat());
        assert_valid_sarif(&validator, &r);
    }
    // The validator does reject what the schema forbids.
    let mut v = check(&["testdata/broken", "-o", "sarif"]).json();
    assert!(validator.is_valid(&v));
    v["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!validator.is_valid(&v));
}

#[test]
fn sarif_rules_list_the_whole_catalogue_with_documentation() {
    let v = check(&["testdata/check/empty.yaml", "-o", "sarif"]).json();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let listed = run_in(root(), &["rules"], &[]).stdout;
    assert!(rules.len() >= 4);
    for r in rules {
        let code = r["id"].as_str().unwrap();
        assert!(listed.contains(code), "{code} is not in `rules`");
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## What it finds")
        );
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
}

#[test]
fn sarif_rule_descriptor() {
    let v = check(&["testdata/check/empty.yaml", "-o", "sarif"]).json();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let np501 = rules.iter().find(|r| r["id"] == "NP501").unwrap();
    insta::assert_snapshot!(
        "sarif_rule_descriptor",
        serde_json::to_string_pretty(np501).unwrap()
    );
}

#[test]
fn sarif_paths_are_relative_uris_with_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("my dir");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(
        root().join("testdata/rules/invalid-cidr/bad.yaml"),
        sub.join("ü.yaml"),
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &["check", "--no-config", "-o", "sarif", "./my dir"],
        &[],
    );
    assert_valid_sarif(&sarif_validator(), &r);
    let v = r.json();
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter().all(|u| *u == "my%20dir/%C3%BC.yaml"),
        "{uris:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Exit status.

/// An input no rule has anything to say about, and one expectation that fails: an error of
/// `expectation-failed`, re-graded by `rules:` in a config file.
fn graded(severity: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("netpol.yaml");
    std::fs::write(
        &config,
        format!("rules:\n  expectation-failed: {severity}\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let mut args = vec![
        "check",
        "testdata/check/empty.yaml",
        "--expect",
        "testdata/check/external-allowed.yaml",
        "--config",
        &config,
    ];
    args.extend_from_slice(extra);
    run_in(root(), &args, &[])
}

#[test]
fn fail_on_picks_the_lowest_failing_severity() {
    let cases = [
        ("error", "error", 1),
        ("error", "warning", 1),
        ("error", "info", 1),
        ("error", "never", 0),
        ("warning", "error", 0),
        ("warning", "warning", 1),
        ("warning", "info", 1),
        ("warning", "never", 0),
        ("info", "error", 0),
        ("info", "warning", 0),
        ("info", "info", 1),
        ("info", "never", 0),
    ];
    for (severity, fail_on, code) in cases {
        let r = graded(severity, &["--fail-on", fail_on]);
        assert_eq!(
            r.code, code,
            "{severity} with --fail-on {fail_on}: {}{}",
            r.stdout, r.stderr
        );
    }
    // Without --fail-on: warnings fail, infos do not.
    assert_eq!(graded("warning", &[]).code, 1);
    assert_eq!(graded("info", &[]).code, 0);
    assert_eq!(graded("off", &[]).code, 0);
}

#[test]
fn fail_on_in_the_config_applies_unless_the_flag_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("netpol.yaml");
    std::fs::write(&config, "fail-on: never\n").unwrap();
    let config = config.to_str().unwrap();
    let base = [
        "check",
        "testdata/check/empty.yaml",
        "--expect",
        "testdata/check/external-allowed.yaml",
        "--config",
        config,
    ];
    assert_eq!(run_in(root(), &base, &[]).code, 0);
    let r = run_in(root(), &[&base[..], &["--fail-on", "error"]].concat(), &[]);
    assert_eq!(r.code, 1);
}

#[test]
fn input_errors_exit_2() {
    let r = check(&["testdata/no-such-file.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-file.yaml"), "{}", r.stderr);
    let r = check(&["testdata/broken", "--fail-on", "never"]);
    assert_eq!(
        r.code, 2,
        "input problems are not findings --fail-on can ignore"
    );
    let r = check(&[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
}

#[test]
fn bad_expectation_files_are_input_errors_with_positions() {
    let r = check(&[
        "testdata/demo",
        "--expect",
        "testdata/check/bad-expect.yaml",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "", "nothing is checked");
    insta::assert_snapshot!("bad_expect_stderr", r.stderr);
    let r = check(&["testdata/demo", "--expect", "testdata/check/missing.yaml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("testdata/check/missing.yaml: cannot read"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_config_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".netpol.yaml"),
        "expectations:\n- {from: a/b, to: c/d, expect: sometimes}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.yaml"), "").unwrap();
    let r = run_in(dir.path(), &["check", "empty.yaml"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            ".netpol.yaml:2:32: expectations[0].expect: expected allow or deny, found `sometimes`"
        ),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration, suppression, topology.

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn bad_cidr_policy(name: &str, annotations: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: shop\n{annotations}spec:\n  podSelector: {{}}\n  egress:\n  - to:\n    - ipBlock: {{cidr: 10.0.0.1}}\n"
    )
}

/// (code, severity, file, line) of the findings of the given codes.
fn summary(v: &Value, codes: &[&str]) -> Vec<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| codes.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_config_file_is_found_upwards_and_disables_regrades_and_excludes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".netpol.yaml",
        "# Found from the working directory upwards.\n\
         rules:\n\
         \x20 invalid-manifest: off\n\
         \x20 NP101:\n\
         \x20   severity: info\n\
         \x20   exclude: ['legacy/**']\n\
         exclude: ['vendor/**']\n\
         expectations:\n\
         - {from: shop/web, to: shop/api, expect: deny}\n",
    );
    write(d, "deploy/policies.yaml", &bad_cidr_policy("a", ""));
    write(d, "legacy/policies.yaml", &bad_cidr_policy("b", ""));
    write(d, "vendor/policies.yaml", &bad_cidr_policy("c", ""));
    write(
        d,
        "deploy/pods.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: web}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop}\nspec: {containers: [{name: api}]}\n",
    );
    let r = run_in(&d.join("deploy"), &["check", "-o", "json", "."], &[]);
    // Only the invalid policies of deploy/ are read: nothing isolates web from api.
    let got = summary(&r.json(), &["NP001", "NP101", "NP501"]);
    assert_eq!(
        got,
        [
            ("NP101".into(), "info".into(), "./policies.yaml".into(), 10),
            (
                "NP501".into(),
                "error".into(),
                d.join(".netpol.yaml").display().to_string(),
                9
            ),
        ],
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1);
    // From the top: vendor/ is excluded for every rule, legacy/ for NP101.
    let r = run_in(d, &["check", "-o", "json", "."], &[]);
    let got = summary(&r.json(), &["NP101"]);
    assert_eq!(
        got,
        [(
            "NP101".into(),
            "info".into(),
            "./deploy/policies.yaml".into(),
            10
        )]
    );
    // --no-config: every rule at its default severity, everywhere.
    let r = run_in(d, &["check", "--no-config", "-o", "json", "."], &[]);
    let got = summary(&r.json(), &["NP101", "NP501"]);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter()
            .all(|(code, sev, ..)| code == "NP101" && sev == "error")
    );
}

#[test]
fn the_ignore_annotation_silences_named_rules_on_its_object() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ignore =
        |list: &str| format!("  annotations:\n    netpol.kubectl.dev/ignore: \"{list}\"\n");
    let text = [
        bad_cidr_policy("plain", ""),
        bad_cidr_policy("by-name", &ignore("invalid-cidr")),
        bad_cidr_policy("by-code", &ignore("some-other-rule, np101")),
        bad_cidr_policy("all", &ignore("all")),
        bad_cidr_policy("other", &ignore("invalid-manifest")),
    ]
    .join("---\n");
    write(d, "policies.yaml", &text);
    let r = run_in(
        d,
        &["check", "--no-config", "-o", "json", "policies.yaml"],
        &[],
    );
    let messages: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "NP101")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("shop/plain:"), "{messages:?}");
    assert!(messages[1].starts_with("shop/other:"), "{messages:?}");
}

#[test]
fn topology_files_are_read_but_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "changed/policy.yaml", &bad_cidr_policy("changed", ""));
    write(d, "rest/policy.yaml", &bad_cidr_policy("rest", ""));
    // The rest of the repository: the pods, and a policy that isolates the api.
    write(
        d,
        "rest/cluster.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: api}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: []\n",
    );
    write(
        d,
        "expect.yaml",
        "- {from: shop/web, to: shop/api, expect: allow}\n",
    );
    let r = run_in(
        d,
        &[
            "check",
            "--no-config",
            "-o",
            "json",
            "changed/policy.yaml",
            "--topology",
            "rest",
            "--expect",
            "expect.yaml",
        ],
        &[],
    );
    let v = r.json();
    let got = summary(&v, &["NP101", "NP501", "NP502"]);
    assert_eq!(
        got,
        [
            (
                "NP101".into(),
                "error".into(),
                "changed/policy.yaml".into(),
                10
            ),
            // The pods and the isolating policy come from the topology.
            ("NP501".into(), "error".into(), "expect.yaml".into(), 1),
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 1);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["file"].as_str().unwrap().starts_with("rest/")),
        "no finding in topology files: {v:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub.

#[test]
fn github_step_summary_gets_every_finding_as_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# Earlier step\n\n").unwrap();
    let r = run_in(
        root(),
        &[
            "check",
            "--no-config",
            "-o",
            "github",
            "testdata/broken",
            "testdata/rules/invalid-cidr/bad.yaml",
        ],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(r.code, 2);
    let annotations = r.stdout.lines().filter(|l| l.starts_with("::")).count();
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("# Earlier step\n\n"),
        "appended, not replaced"
    );
    let rows = text
        .lines()
        .filter(|l| {
            ["| error |", "| warning |", "| info |"]
                .iter()
                .any(|s| l.starts_with(s))
        })
        .count();
    assert_eq!(rows, annotations, "one row per finding");
    assert!(rows > 0);
    insta::assert_snapshot!("github_step_summary", text);
    // Without the variable, no file is written and the annotations are the same.
    let r2 = check(&[
        "-o",
        "github",
        "testdata/broken",
        "testdata/rules/invalid-cidr/bad.yaml",
    ]);
    assert_eq!(r2.stdout, r.stdout);
}

/// A rule naming `host` or `remote-node` lowers into one rule per node; the analyses that
/// point back at rules found each of them (a `host` ingress once crashed `check`).
#[test]
fn cilium_host_entities_are_checked_without_a_crash() {
    for case in [
        "testdata/cilium-cases/005-allow-all-except-world/manifests.yaml",
        "testdata/cilium-cases/019-host-entity-ingress/manifests.yaml",
    ] {
        let r = check(&[case]);
        assert!(r.code <= 1, "{case}: exit {}\n{}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{case}: {}", r.stderr);
    }
}

#[test]
fn cilium_text() {
    insta::assert_snapshot!("cilium_text", check(&["testdata/cilium"]).shown());
}

/// The codes, severities and lines of a run's findings.
fn codes(r: &Run) -> Vec<(String, String, u64)> {
    let v = r.json();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A repository holding one team's namespace: DNS in kube-system, the ingress controller and
/// Prometheus live elsewhere. Nothing it says is redundant or a typo in every cluster it can
/// be part of: one info lists what is assumed elsewhere, and the hook passes (issue 16).
#[test]
fn a_one_team_repository_passes_clean() {
    let r = check(&["testdata/one-team", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(codes(&r), [("NP204".into(), "info".into(), 45)]);
    // Read as the whole cluster, what holds only for these files comes back.
    let r = check(&["testdata/one-team", "--closed-world", "-o", "json"]);
    assert_eq!(r.code, 1);
    let found: Vec<String> = codes(&r)
        .into_iter()
        .map(|(c, _, l)| format!("{c}:{l}"))
        .collect();
    assert_eq!(
        found,
        ["NP303:39", "NP303:53", "NP204:61", "NP303:92", "NP204:99"]
    );
    assert!(
        r.stdout
            .contains("shop/allow-dns is redundant in this input")
    );
}

/// The same repository with real mistakes: each is still found, at its line.
#[test]
fn a_one_team_repository_keeps_its_true_findings() {
    let r = check(&["testdata/one-team-mistakes", "-o", "json"]);
    assert_eq!(r.code, 1);
    let found: Vec<String> = codes(&r)
        .into_iter()
        .map(|(c, s, l)| format!("{c} {s} {l}"))
        .collect();
    assert_eq!(
        found,
        [
            "NP204 info 45",
            "NP303 warning 107",
            "NP204 warning 115",
            "NP303 warning 121",
            "NP304 warning 127",
            "NP404 warning 142",
            "NP301 warning 144",
            "NP203 warning 155"
        ]
    );
}

/// A policy that applies to no pod (only a hostNetwork pod) gets that one finding, not a pile
/// about its peers and rules, which can never apply (issue 16).
#[test]
fn a_policy_that_applies_to_no_pod_gets_one_finding() {
    let r = check(&["testdata/check/inert-policy.yaml", "-o", "json"]);
    let found: Vec<(String, u64)> = codes(&r).into_iter().map(|(c, _, l)| (c, l)).collect();
    assert_eq!(
        found,
        [
            ("NP402".to_string(), 5),
            ("NP401".to_string(), 14),
            ("NP203".to_string(), 21)
        ]
    );
}

/// Variations of a one-team repository: the one-policy lockdown with DNS through
/// `namespaceSelector: {}`, egress to another team's collector by a team label, ingress from
/// partner namespaces by a label. No warning; exit 0 (issue 16).
#[test]
fn one_team_variations_pass_clean() {
    let r = check(&["testdata/one-team-variations", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(codes(&r), [("NP204".into(), "info".into(), 29)]);
}

/// Expectations may name pods of other teams' namespaces by namespace and labels, as
/// `can-reach` does; they are the question's, so no finding is about them (issue 16).
#[test]
fn expectations_about_pods_the_files_do_not_hold() {
    let r = check(&[
        "testdata/one-team",
        "--expect",
        "testdata/check/one-team-expect.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(codes(&r), [("NP204".into(), "info".into(), 45)]);
    // The same expectation, made false, fails.
    let path = std::env::temp_dir().join("netpol-one-team-expect-wrong.yaml");
    std::fs::write(
        &path,
        "- {from: \"monitoring{app=grafana}\", to: shop/deploy/api, port: metrics, expect: allow}\n",
    )
    .unwrap();
    let r = check(&[
        "testdata/one-team",
        "--expect",
        path.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        codes(&r).iter().any(|(c, _, _)| c == "NP501"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Findings without noise: grouping, the summary, --min-severity, --quiet (issue 12).

/// The lines the text output ends with: one per rule, then the total.
fn summary_lines(r: &Run) -> Vec<String> {
    let lines: Vec<&str> = r.stdout.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| l.is_empty())
        .map_or(0, |i| i + 1);
    lines[start..].iter().map(|l| l.to_string()).collect()
}

/// Pods of one namespace that no policy isolates share that cause: one finding per
/// namespace, with the count and the members, in every format, and a summary line per rule.
#[test]
fn pods_open_for_one_cause_make_one_finding_per_namespace() {
    let r = check(&["testdata/check/many-pods.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        summary_lines(&r),
        [
            "NP401 pod-not-isolated: 9 pods and workloads in 2 namespaces (info)",
            "NP402 namespace-without-default-deny: 2 findings (warning)",
            "0 errors, 2 warnings, 2 infos (1 file checked)",
        ]
    );
    assert!(
        r.stdout.contains(
            "6 pods and workloads of namespace shop are not isolated: no policy selects them"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "  members: shop/cart, shop/web, shop/search, shop/api, shop/db and 1 more\n"
        ),
        "{}",
        r.stdout
    );
    let v = check(&["testdata/check/many-pods.yaml", "-o", "json"]).json();
    let np401: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "NP401")
        .collect();
    assert_eq!(np401.len(), 2);
    let members: Vec<String> = np401[1]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{} {}", m["name"].as_str().unwrap(), m["line"]))
        .collect();
    assert_eq!(
        members,
        ["lab/notebook 34", "lab/trainer 39", "lab/viewer 44"]
    );
    assert_eq!(np401[1]["line"], 34, "at the first member");
    let rules = &v["summary"]["rules"];
    assert_eq!(rules[0]["code"], "NP401");
    assert_eq!(rules[0]["findings"], 2);
    assert_eq!(rules[0]["members"], 9);
    let sarif = check(&["testdata/check/many-pods.yaml", "-o", "sarif"]);
    assert_valid_sarif(&sarif_validator(), &sarif);
    let sarif = sarif.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let np401: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "NP401").collect();
    assert_eq!(np401.len(), 2, "one result per group");
    assert_eq!(
        np401[0]["properties"]["members"].as_array().unwrap().len(),
        6
    );
    assert_eq!(
        np401[0]["properties"]["members"][1]["physicalLocation"]["region"]["startLine"],
        9
    );
}

/// --min-severity (and `min-severity` in the configuration) leaves the milder findings out of
/// the output, the counts and the exit status.
#[test]
fn min_severity_leaves_milder_findings_out() {
    let r = check(&["testdata/demo", "--min-severity", "warning", "-o", "json"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    assert_eq!(v["summary"]["infos"], 0);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "warning")
    );
    assert_eq!(v["summary"]["warnings"], 5);
    let r = check(&["testdata/demo", "--min-severity", "error"]);
    assert_eq!(r.code, 0, "nothing left to fail on: {}", r.stderr);
    assert_eq!(
        summary_lines(&r),
        ["0 errors, 0 warnings, 0 infos (5 files checked)"]
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("netpol.yaml");
    std::fs::write(&config, "min-severity: error\n").unwrap();
    let config = config.to_str().unwrap();
    let r = run_in(root(), &["check", "testdata/demo", "--config", config], &[]);
    assert_eq!(r.code, 0);
    // The flag says otherwise.
    let r = run_in(
        root(),
        &[
            "check",
            "testdata/demo",
            "--config",
            config,
            "--min-severity",
            "info",
        ],
        &[],
    );
    assert_eq!(r.code, 1);
}

/// --quiet shows the errors and the summary only; the exit status is what it would be.
#[test]
fn quiet_shows_errors_and_the_summary_and_keeps_the_exit_status() {
    let r = check(&["testdata/demo", "--quiet"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout.lines().next(),
        Some("NP204 peer-selects-nothing: 1 finding (warning)"),
        "no finding shown, only the summary: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("0 errors, 5 warnings, 5 infos (5 files checked)\n")
    );
    let r = check(&["testdata/check/rejected.yaml", "-q", "-o", "json"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    let shown: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["error"]);
    assert!(
        v["summary"]["warnings"].as_u64().unwrap() > 0,
        "counted all the same"
    );
}

/// The exit status follows one rule: 2 when the input cannot be read in full (whatever
/// --fail-on and the rules' configuration say), 1 for findings at or above --fail-on,
/// API-server rejections included (a bad value, an unknown field); every non-zero status
/// says why in one line on standard error.
#[test]
fn exit_statuses_follow_one_rule_and_say_why() {
    let rejected = check(&["testdata/check/rejected.yaml"]);
    let unknown = check(&["testdata/check/unknown-field.yaml"]);
    for (r, why) in [
        (
            &rejected,
            "failed: 2 findings at or above --fail-on warning (1 error, 1 warning; exit status 1)\n",
        ),
        (
            &unknown,
            "failed: 1 finding at or above --fail-on warning (1 error; exit status 1)\n",
        ),
    ] {
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr, why);
    }
    assert!(unknown.stdout.contains("unknown field `ingres`"));
    assert_eq!(
        check(&["testdata/check/unknown-field.yaml", "--fail-on", "never"]).code,
        0
    );
    let r = check(&["testdata/check/not-yaml.yaml", "--fail-on", "never"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: the input cannot be checked in full: testdata/check/not-yaml.yaml:5:5: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}' (exit status 2, whatever --fail-on says)\n"
    );
    // invalid-manifest switched off: no finding, but the status and its reason stay.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("netpol.yaml");
    std::fs::write(&config, "rules:\n  invalid-manifest: off\n").unwrap();
    let config = config.to_str().unwrap();
    let r = run_in(
        root(),
        &["check", "testdata/check/not-yaml.yaml", "--config", config],
        &[],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stdout, "0 errors, 0 warnings, 0 infos (1 file checked)\n",
        "nothing to report but the total"
    );
    assert!(
        r.stderr.starts_with(
            "error: the input cannot be checked in full: testdata/check/not-yaml.yaml:5:5"
        ),
        "{}",
        r.stderr
    );
    let r = run_in(
        root(),
        &[
            "check",
            "testdata/check/unknown-field.yaml",
            "--config",
            config,
        ],
        &[],
    );
    assert_eq!(
        r.code, 0,
        "an object the API server refuses is a finding, switched off"
    );
    // No failing finding: nothing on standard error.
    let r = check(&["testdata/one-team"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// The exit statuses are documented where people look: `check --help`.
#[test]
fn help_has_the_exit_status_table() {
    let r = run_in(root(), &["check", "--help"], &[]);
    assert_eq!(r.code, 0);
    for line in [
        "Exit status: every non-zero status says why in one line on standard error.",
        "  0  no finding at or above --fail-on",
        "  1  findings at or above --fail-on, whatever --quiet shows",
        "  2  the check could not be run over the whole input",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
}

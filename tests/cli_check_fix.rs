//! End-to-end: `check --fix`, `--diff` and `--unsafe-fixes` on `testdata/check-fix` (several
//! fixable mistakes, written with comments, flow collections and indentless sequences), on
//! copies in temporary directories; the fixes in the JSON and SARIF outputs; and, through the
//! library, a fix that would change connections it does not mean to, refused.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod support;
use support::sarif::sarif_validator;
use support::{Run, netpol, root};

const FIXTURE: &str = "testdata/check-fix";

/// The manifests of the fixture, by path relative to it.
fn fixture_files() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join(FIXTURE)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(root().join(FIXTURE)).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// A copy of the fixture in a temporary directory.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in fixture_files() {
        let to = dir.path().join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(FIXTURE).join(&rel), to).unwrap();
    }
    dir
}

/// `check --no-config . ARGS...` in `dir`.
fn check_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--no-config", "."];
    all.extend_from_slice(args);
    netpol(dir, &all, &[] as &[(&str, &str)], None)
}

/// The codes of the findings `check -o json` reports in `dir`.
fn codes(dir: &Path) -> BTreeSet<String> {
    let v = check_in(dir, &["-o", "json"]).json();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// The unified diff of every fixture file against its copy in `dir`, as `--diff` writes it.
fn diff_against_fixture(dir: &Path) -> String {
    let mut out = String::new();
    for rel in fixture_files() {
        let before = std::fs::read_to_string(root().join(FIXTURE).join(&rel)).unwrap();
        let after = std::fs::read_to_string(dir.join(&rel)).unwrap();
        if before == after {
            continue;
        }
        let name = rel;
        out.push_str(
            &similar::TextDiff::from_lines(&before, &after)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string(),
        );
    }
    out
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// --diff

#[test]
fn diff_shows_the_safe_fixes_and_writes_nothing() {
    let dir = copy();
    let r = check_in(dir.path(), &["--diff"]);
    assert_eq!(r.code, 1, "a diff exits 1");
    insta::assert_snapshot!("diff_safe", r.shown());
    assert_eq!(
        diff_against_fixture(dir.path()),
        "",
        "--diff writes nothing"
    );
}

#[test]
fn diff_with_unsafe_fixes_shows_the_guesses_too() {
    let dir = copy();
    let r = check_in(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("diff_unsafe", r.shown());
}

#[test]
fn diff_of_nothing_to_fix_is_empty_and_exits_0() {
    let r = netpol(
        root(),
        &["check", "--no-config", "testdata/one-team", "--diff"],
        &[] as &[(&str, &str)],
        None,
    );
    assert_eq!(r.stdout, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 fixes would be applied"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// --fix

#[test]
fn fix_writes_the_safe_fixes_as_diff_showed_them_and_reports_what_is_left() {
    let dir = copy();
    let before = codes(dir.path());
    let shown = check_in(dir.path(), &["--diff"]).stdout;
    let r = check_in(dir.path(), &["--fix"]);
    // What is left still fails the run: fixes do not hide findings.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let last_lines: Vec<&str> = r.stdout.lines().rev().take(2).collect();
    assert_eq!(
        last_lines,
        [
            "Fixed 6 findings (9 remaining; 3 more fixable with --unsafe-fixes)",
            "0 errors, 6 warnings, 3 infos (4 files checked)",
        ]
    );
    // The files are what --diff showed.
    let written = diff_against_fixture(dir.path());
    assert_eq!(written, shown);
    insta::assert_snapshot!("fix_safe_written", written);
    // Comments stay, but those heading a deleted rule.
    let policies = |d: &Path| std::fs::read_to_string(d.join("policies/shop.yaml")).unwrap();
    let (old, new) = (
        comments(&policies(&root().join(FIXTURE))),
        comments(&policies(dir.path())),
    );
    let gone: Vec<&String> = old.iter().filter(|c| !new.contains(c)).collect();
    assert_eq!(
        gone,
        [
            "# The API is in the backend tier: the rule above allows this already.",
            "# Added again in a merge.",
        ]
    );
    // The findings fixed are gone; the others stay.
    let after = codes(dir.path());
    let fixed: Vec<&String> = before.difference(&after).collect();
    assert_eq!(
        fixed,
        [
            "NP102 except-outside-cidr",
            "NP106 invalid-protocol",
            "NP302 redundant-rule",
            "NP304 duplicate-rule",
            "NP403 dns-egress-blocked",
            "NP406 deprecated-api-version",
        ]
    );
    assert!(after.contains("NP201 ignored-ingress-rules"), "{after:?}");
    // A second run has nothing safe left to fix.
    let again = check_in(dir.path(), &["--fix"]);
    assert!(
        again
            .stdout
            .ends_with("Fixed 0 findings (9 remaining; 3 more fixable with --unsafe-fixes)\n"),
        "{}",
        again.stdout
    );
    assert_eq!(diff_against_fixture(dir.path()), shown);
}

#[test]
fn unsafe_fixes_apply_the_guesses_too() {
    let dir = copy();
    let r = check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert!(
        r.stdout.ends_with("Fixed 9 findings (5 remaining)\n"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("fix_unsafe_written", diff_against_fixture(dir.path()));
    let after = codes(dir.path());
    for gone in [
        "NP201 ignored-ingress-rules",
        "NP205 unresolved-named-port",
        "NP303 redundant-policy",
    ] {
        assert!(!after.contains(gone), "{gone} is left: {after:?}");
    }
    // The typo's peer is fixed; the DNS peer into kube-system, which the files do not
    // declare, stays an info.
    let v = check_in(dir.path(), &["-o", "json"]).json();
    let peers: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] == "peer-selects-nothing")
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(peers, ["info"]);
}

#[test]
fn fix_with_json_output_counts_what_it_fixed() {
    let dir = copy();
    let r = check_in(dir.path(), &["--fix", "-o", "json"]);
    let v = r.json();
    assert_eq!(v["summary"]["fixed"], 6);
    assert_eq!(v["summary"]["fixes"]["unsafe"], 3);
    assert_eq!(v["summary"]["fixes"]["safe"], 0);
    assert!(
        r.stderr
            .contains("Fixed 6 findings (9 remaining; 3 more fixable with --unsafe-fixes)"),
        "{}",
        r.stderr
    );
}

#[test]
fn fix_keeps_a_byte_order_mark_and_crlf_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let text = "apiVersion: networking.k8s.io/v1\r\nkind: NetworkPolicy\r\nmetadata: {name: a, namespace: n}\r\nspec:\r\n  podSelector: {}\r\n  policyTypes:\r\n  - Egress\r\n  ingress:\r\n  - from:\r\n    - ipBlock:\r\n        cidr: 10.0.0.0/8\r\n        except:\r\n        - 10.1.0.0/16\r\n        - 192.168.0.0/16   # outside\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p, namespace: n}\r\nspec: {containers: [{name: c}]}\r\n";
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    let file = dir.path().join("np.yaml");
    std::fs::write(&file, &bytes).unwrap();
    let r = check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert!(
        r.stdout.contains("Fixed 2 findings"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    let written = std::fs::read(&file).unwrap();
    assert!(written.starts_with(b"\xEF\xBB\xBF"), "the mark is kept");
    let written = String::from_utf8(written[3..].to_vec()).unwrap();
    assert_eq!(
        written,
        "apiVersion: networking.k8s.io/v1\r\nkind: NetworkPolicy\r\nmetadata: {name: a, namespace: n}\r\nspec:\r\n  podSelector: {}\r\n  policyTypes:\r\n  - Egress\r\n  - Ingress\r\n  ingress:\r\n  - from:\r\n    - ipBlock:\r\n        cidr: 10.0.0.0/8\r\n        except:\r\n        - 10.1.0.0/16\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p, namespace: n}\r\nspec: {containers: [{name: c}]}\r\n"
    );
}

#[test]
fn fix_keeps_a_json_file_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{
  "apiVersion": "extensions/v1beta1",
  "kind": "NetworkPolicy",
  "metadata": {"name": "a", "namespace": "n"},
  "spec": {
    "podSelector": {},
    "policyTypes": ["Egress"],
    "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]
  }
}
"#;
    std::fs::write(dir.path().join("np.json"), json).unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec: {containers: [{name: c}]}\n",
    )
    .unwrap();
    let r = check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert!(
        r.stdout.contains("Fixed 2 findings"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    let written = std::fs::read_to_string(dir.path().join("np.json")).unwrap();
    let v: Value = serde_json::from_str(&written).expect("still JSON");
    assert_eq!(v["apiVersion"], "networking.k8s.io/v1");
    assert_eq!(
        v["spec"]["policyTypes"],
        serde_json::json!(["Egress", "Ingress"])
    );
    assert_eq!(
        written,
        json.replace("extensions/v1beta1", "networking.k8s.io/v1")
            .replace(r#"["Egress"]"#, r#"["Egress", "Ingress"]"#)
    );
}

#[test]
fn fix_and_diff_refuse_inputs_they_cannot_write() {
    let dir = copy();
    let stdin = netpol(
        dir.path(),
        &["check", "--no-config", "-f", "-", "--fix"],
        &[] as &[(&str, &str)],
        Some("kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n"),
    );
    assert_eq!(stdin.code, 2);
    assert_eq!(
        stdin.stderr,
        "error: --fix: standard input (-f -) cannot be written back: give the files\n"
    );
    let kustomize = check_in(dir.path(), &["-k", ".", "--diff"]);
    assert_eq!(kustomize.code, 2);
    assert!(
        kustomize
            .stderr
            .starts_with("error: --diff: -k renders a kustomization"),
        "{}",
        kustomize.stderr
    );
    let live = check_in(dir.path(), &["--from-cluster", "--fix"]);
    assert_eq!(live.code, 2);
    assert!(
        live.stderr
            .starts_with("error: --fix: --from-cluster reads the live cluster"),
        "{}",
        live.stderr
    );
    // Nothing was written.
    assert_eq!(diff_against_fixture(dir.path()), "");
}

#[test]
fn fix_refuses_an_input_it_cannot_read_in_full() {
    let dir = copy();
    std::fs::write(dir.path().join("broken.yaml"), "kind: [\n").unwrap();
    let r = check_in(dir.path(), &["--fix"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the input cannot be read in full, so its fixes cannot be verified"),
        "{}",
        r.stderr
    );
    assert_eq!(diff_against_fixture(dir.path()), "");
}

#[test]
fn fix_and_diff_conflict() {
    let r = check_in(root(), &["--fix", "--diff"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Without --fix: marks, and the fixes as data.

#[test]
fn text_marks_what_fix_fixes() {
    let r = check_in(&root().join(FIXTURE), &[]);
    let marked: Vec<&str> = r.stdout.lines().filter(|l| l.ends_with(" [*]")).collect();
    assert_eq!(
        marked,
        [
            "NP406(deprecated-api-version) [*]",
            "NP106(invalid-protocol) [*]",
            "NP302(redundant-rule) [*]",
            "NP304(duplicate-rule) [*]",
            "NP304(duplicate-rule) [*]",
            "NP102(except-outside-cidr) [*]",
        ]
    );
    // The fix is said under the help.
    assert!(
        r.stdout.contains(
            "\n        rules allow), or delete spec.ingress\n        fix (unsafe): add Ingress to policyTypes\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\n[*] 6 fixable with --fix (3 more with --unsafe-fixes)\n"),
        "{}",
        r.stdout
    );
    let all = check_in(&root().join(FIXTURE), &["--unsafe-fixes"]);
    assert!(
        all.stdout
            .ends_with("\n[*] 9 fixable with --fix --unsafe-fixes\n"),
        "{}",
        all.stdout
    );
}

#[test]
fn json_carries_each_fix_with_its_edits() {
    let v = check_in(&root().join(FIXTURE), &["-o", "json"]).json();
    let fixes: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["fix"].is_null())
        .collect();
    assert_eq!(fixes.len(), 9);
    let protocol = fixes
        .iter()
        .find(|f| f["name"] == "invalid-protocol")
        .unwrap();
    assert_eq!(
        protocol["fix"],
        serde_json::json!({
            "safety": "safe",
            "title": "write `UDP` for `udp`",
            "changes_connections": true,
            "edits": [{
                "file": "./policies/shop.yaml",
                "line": 25, "column": 28, "end_line": 25, "end_column": 31,
                "text": "UDP",
            }],
        })
    );
    assert_eq!(
        v["summary"]["fixes"],
        serde_json::json!({"safe": 6, "unsafe": 3})
    );
}

#[test]
fn sarif_carries_the_fixes_as_artifact_changes() {
    let r = check_in(&root().join(FIXTURE), &["-o", "sarif"]);
    let v = r.json();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let results = v["runs"][0]["results"].as_array().unwrap();
    let with_fixes: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    assert_eq!(with_fixes.len(), 9);
    let ignored = with_fixes.iter().find(|r| r["ruleId"] == "NP201").unwrap();
    assert_eq!(
        ignored["fixes"],
        serde_json::json!([{
            "description": {"text": "add Ingress to policyTypes"},
            "artifactChanges": [{
                "artifactLocation": {"uri": "policies/api.yaml", "uriBaseId": "%SRCROOT%"},
                "replacements": [{
                    "deletedRegion": {"startLine": 13, "startColumn": 1, "endLine": 13, "endColumn": 1},
                    "insertedContent": {"text": "  - Ingress\n"},
                }],
            }],
            "properties": {"safety": "unsafe", "changesConnections": true},
        }])
    );
}

// ---------------------------------------------------------------------------------------------
// Failing expectations (NP501): the can-reach fixer's change, all at once, verified against
// every expectation. The manifests are testdata/demo; the expectations testdata/check-fix-expect.

const EXPECT: &str = "testdata/check-fix-expect";

/// A copy of testdata/demo (as `demo/`) and of the expectation file `name` (as
/// `expect.yaml`) in a temporary directory.
fn demo_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut dirs = vec![root().join("testdata/demo")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path.strip_prefix(root().join("testdata")).unwrap();
            let to = dir.path().join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&path, to).unwrap();
        }
    }
    std::fs::copy(
        root().join(EXPECT).join(name),
        dir.path().join("expect.yaml"),
    )
    .unwrap();
    dir
}

/// `check --no-config demo --expect expect.yaml --min-severity error ARGS...` in `dir` (the
/// errors only: the rules' warnings about the demo, and their fixes, are left out).
fn check_expect(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec![
        "check",
        "--no-config",
        "demo",
        "--expect",
        "expect.yaml",
        "--min-severity",
        "error",
    ];
    all.extend_from_slice(args);
    netpol(dir, &all, &[] as &[(&str, &str)], None)
}

/// The codes and lines of the findings of `check_expect` in `dir`.
fn expectation_findings(dir: &Path) -> Vec<String> {
    let v = check_expect(dir, &["-o", "json"]).json();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} line {}", f["code"].as_str().unwrap(), f["line"]))
        .collect()
}

#[test]
fn diff_fixes_a_failing_allow_and_a_failing_deny_expectation() {
    let dir = demo_copy("expect.yaml");
    let r = check_expect(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("expect_diff", r.shown());
    // Not without --unsafe-fixes: the fixes change connections on purpose.
    let safe = check_expect(dir.path(), &["--diff"]);
    assert_eq!(safe.stdout, "");
    assert!(
        safe.stderr
            .contains("0 fixes would be applied (2 more with --unsafe-fixes)"),
        "{}",
        safe.stderr
    );
}

#[test]
fn fix_makes_every_expectation_hold_and_keeps_the_comments() {
    let dir = demo_copy("expect.yaml");
    let policies = |d: &Path| std::fs::read_to_string(d.join("demo/policies/shop.yaml")).unwrap();
    let before = policies(dir.path());
    assert_eq!(
        expectation_findings(dir.path()),
        ["NP501 line 7", "NP501 line 9"]
    );
    let shown = check_expect(dir.path(), &["--diff", "--unsafe-fixes"]).stdout;
    let r = check_expect(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.ends_with("Fixed 2 findings (0 remaining)\n"),
        "{}",
        r.stdout
    );
    // Every expectation holds, the ones that held before included.
    assert_eq!(expectation_findings(dir.path()), [] as [String; 0]);
    let after = policies(dir.path());
    assert!(
        shown.contains("+        matchLabels: {app: frontend}"),
        "{shown}"
    );
    assert_eq!(comments(&before), comments(&after));
    // Nothing else to do.
    let again = check_expect(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn two_fixes_in_one_policy_are_both_applied() {
    let dir = demo_copy("same-policy.yaml");
    let r = check_expect(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.ends_with("Fixed 2 findings (0 remaining)\n"),
        "{}",
        r.stdout
    );
    assert_eq!(expectation_findings(dir.path()), [] as [String; 0]);
    // Both peers were added to shop/db's one ingress rule (the second in a later round, as
    // both edits insert at the same place).
    let text = std::fs::read_to_string(dir.path().join("demo/policies/shop.yaml")).unwrap();
    let db = &text[text.find("name: db").unwrap()..];
    let db = &db[..db.find("---").unwrap()];
    assert!(db.contains("matchLabels: {app: frontend}"), "{db}");
    assert!(db.contains("matchLabels: {app: prometheus}"), "{db}");
    assert_eq!(db.matches("- from:").count(), 1, "{db}");
}

#[test]
fn a_fix_that_would_break_a_holding_expectation_is_refused() {
    let dir = demo_copy("conflict.yaml");
    let r = check_expect(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(r.stdout, "", "nothing is fixed");
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains(
            "warning: fix of NP501 expectation-failed at expect.yaml:4:3 (deny shop/api → shop/db on TCP 5432 (expect.yaml:4)) was not applied: it would break the expectation `shop/api → shop/db on TCP postgres` (expect.yaml:2), which holds now"
        ),
        "{}",
        r.stderr
    );
    // The finding says so too, and is not marked as fixable.
    let v = check_expect(dir.path(), &["-o", "json", "--unsafe-fixes"]).json();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "NP501");
    assert_eq!(f["fix"], Value::Null);
    assert_eq!(
        f["notes"][0],
        "not fixable automatically: it would break the expectation `shop/api → shop/db on TCP postgres` (expect.yaml:2), which holds now"
    );
}

#[test]
fn expectations_over_sets_are_fixed_when_few_and_said_not_fixable_when_many() {
    let dir = demo_copy("sets.yaml");
    let v = check_expect(dir.path(), &["-o", "json", "--unsafe-fixes"]).json();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let fix = &findings[0]["fix"];
    assert_eq!(fix["safety"], "unsafe");
    assert_eq!(fix["changes_connections"], true);
    assert_eq!(
        fix["title"],
        "allow pods in shop with tier=web → shop/db on TCP 5432 (expect.yaml:3)"
    );
    assert_eq!(fix["edits"].as_array().unwrap().len(), 2, "{fix}");
    assert_eq!(findings[1]["fix"], Value::Null);
    assert!(
        findings[1]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("not fixable automatically: it stands for 10 failing connections"),
        "{}",
        findings[1]["notes"]
    );
    // Without --fix, --diff or --unsafe-fixes, the fix is not searched for.
    let plain = check_expect(dir.path(), &["-o", "json"]).json();
    assert_eq!(plain["findings"][0]["fix"], Value::Null);
    // --fix applies the one there is.
    let r = check_expect(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert!(
        r.stdout.ends_with("Fixed 1 finding (1 remaining)\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn rules_say_which_rules_have_fixes() {
    let r = netpol(root(), &["rules"], &[] as &[(&str, &str)], None);
    let row = |name: &str| -> String {
        r.stdout
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("no row for {name}"))
            .split('┆')
            .nth(3)
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(row("duplicate-rule"), "safe*");
    assert_eq!(row("ignored-ingress-rules"), "unsafe");
    assert_eq!(row("redundant-rule"), "safe/unsafe*");
    assert_eq!(row("pod-not-isolated"), "");
    let doc = netpol(
        root(),
        &["rules", "ignored-egress-rules"],
        &[] as &[(&str, &str)],
        None,
    );
    assert!(
        doc.stdout.contains(
            "\nFix: always available, unsafe: applied by `check --fix --unsafe-fixes`; it adds Egress to policyTypes"
        ),
        "{}",
        doc.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Verification, through the library: fixes from outside a rule.

mod verification {
    use kubectl_netpol::base::edit::{Edit, Patch};
    use kubectl_netpol::base::span::{FileId, Span};
    use kubectl_netpol::lint::apply::{self, Candidate, Options, State};
    use kubectl_netpol::lint::fix::{Fix, Safety};
    use kubectl_netpol::load::{LoadOptions, load_texts};
    use kubectl_netpol::model::BuildOptions;

    const INPUT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n, labels: {app: a}}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: n, labels: {app: b}}\nspec: {containers: [{name: c}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: n}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: a}}}]  # a may reach b\n";

    fn at(needle: &str) -> u32 {
        INPUT.find(needle).unwrap() as u32
    }

    /// Applies `fixes` (proposed in the first round only) to INPUT.
    fn apply(fixes: Vec<Fix>) -> apply::Outcome {
        let load = LoadOptions::default();
        let build = BuildOptions::default();
        let loaded = load_texts(&[("np.yaml", INPUT)], &load);
        let first = State::load(&loaded.sources, &load, &build);
        let opts = Options {
            unsafe_fixes: true,
            max_rounds: apply::MAX_ROUNDS,
            load: &load,
            build: &build,
        };
        let mut round = 0;
        apply::run(first, &opts, |_| {
            round += 1;
            if round > 1 {
                return Vec::new();
            }
            fixes
                .iter()
                .map(|f| Candidate {
                    origin: "test-fixer".into(),
                    span: Span::new(FileId(0), at("- from"), at("- from") + 1),
                    fix: f.clone(),
                    at: None,
                })
                .collect()
        })
    }

    /// Deleting b's only ingress rule: a no longer reaches b.
    fn delete_the_rule() -> Edit {
        Edit::replace(
            Span::new(FileId(0), at("\n  - from"), INPUT.len() as u32),
            " []\n",
        )
    }

    #[test]
    fn a_safe_fix_that_would_change_connections_is_refused() {
        let bogus = Fix::edit(Safety::Safe, "delete n/b ingress[0]", delete_the_rule());
        // A good fix beside it, in the same round: a comment changes no connection.
        let comment = Fix::edit(
            Safety::Safe,
            "say what b is",
            Edit::insert(FileId(0), at("apiVersion: networking"), "# b's policy\n"),
        );
        let outcome = apply(vec![bogus, comment]);
        let lines: Vec<String> = outcome.refused.iter().map(|r| r.line()).collect();
        assert_eq!(
            lines,
            [
                "fix of test-fixer at np.yaml:17:3 (delete n/b ingress[0]) was not applied: it would change 1 connection"
            ]
        );
        let applied: Vec<&str> = outcome.applied.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(applied, ["say what b is"]);
        assert_eq!(outcome.changes.len(), 1);
        assert!(
            outcome.changes[0]
                .after
                .contains("# b's policy\napiVersion")
        );
        assert!(outcome.changes[0].after.contains("# a may reach b"));
    }

    #[test]
    fn a_fix_meant_to_change_connections_is_applied_and_counted() {
        let meant = Fix::edit(Safety::Unsafe, "delete n/b ingress[0]", delete_the_rule())
            .changing_connections();
        let outcome = apply(vec![meant]);
        assert!(outcome.refused.is_empty());
        assert_eq!(outcome.applied.len(), 1);
        let diff = outcome
            .diff
            .expect("a fix meant to change connections is diffed");
        assert_eq!(diff.counts().closed, 1);
    }

    #[test]
    fn a_fix_that_breaks_the_input_is_refused() {
        let broken = Fix::edit(
            Safety::Unsafe,
            "break it",
            Edit::insert(FileId(0), at("spec:\n  podSelector"), "spec: [\n"),
        )
        .changing_connections();
        let outcome = apply(vec![broken]);
        assert_eq!(outcome.applied.len(), 0);
        assert_eq!(outcome.refused.len(), 1);
        assert!(
            outcome.refused[0]
                .why
                .starts_with("the input would not read as it does"),
            "{}",
            outcome.refused[0].why
        );
        assert!(outcome.changes.is_empty());
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let a = Fix::edit(
            Safety::Safe,
            "comment a",
            Edit::insert(FileId(0), at("# a may"), "# one\n"),
        );
        let b = Fix::edit(
            Safety::Safe,
            "comment b",
            Edit::insert(FileId(0), at("# a may"), "# two\n"),
        );
        let load = LoadOptions::default();
        let build = BuildOptions::default();
        let loaded = load_texts(&[("np.yaml", INPUT)], &load);
        let first = State::load(&loaded.sources, &load, &build);
        let opts = Options {
            unsafe_fixes: false,
            max_rounds: apply::MAX_ROUNDS,
            load: &load,
            build: &build,
        };
        let mut rounds = Vec::new();
        let outcome = apply::run(first, &opts, |state| {
            let text = &state.sources.files()[0].text;
            rounds.push(text.matches("# one").count() + text.matches("# two").count());
            [(&a, "# one"), (&b, "# two")]
                .into_iter()
                .filter(|(_, mark)| !text.contains(mark))
                .map(|(f, _)| {
                    let at = text.find("# a may").unwrap() as u32;
                    let mut fix = f.clone();
                    fix.patch = Patch {
                        edits: vec![Edit::insert(FileId(0), at, f.patch.edits[0].text.clone())],
                        new_texts: vec![],
                    };
                    Candidate {
                        origin: "test-fixer".into(),
                        span: Span::new(FileId(0), at, at),
                        fix,
                        at: None,
                    }
                })
                .collect()
        });
        // One insertion a round at the same place; the third round finds nothing to do.
        assert_eq!(rounds, [0, 1, 2]);
        assert_eq!(outcome.rounds, 2);
        assert!(
            outcome.changes[0]
                .after
                .contains("# one\n# two\n# a may reach b")
        );
    }
}

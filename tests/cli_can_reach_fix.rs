//! End-to-end: `can-reach --fix` (and `--expect`) on testdata/demo and testdata/fix, whole
//! outputs and the files before and after `--write` compared with snapshots.

mod support;
use std::path::Path;

use support::{Run, netpol, root};

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    netpol(dir, args, &[] as &[(&str, &str)], stdin)
}

fn run(args: &[&str]) -> Run {
    run_in(root(), args, None)
}

/// A copy of a directory of testdata in a temporary directory.
fn copy_of(what: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let from = root().join("testdata").join(what);
    copy_tree(&from, &dir.path().join(what));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        copy_tree(&e.path(), &to.join(e.file_name()));
    }
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

// ---------------------------------------------------------------------------------------
// The demo.

#[test]
fn a_denied_connection_gets_the_smallest_verified_change() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "5432",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert!(r.stdout.ends_with(
        "verified: opens 1 connection: shop/deploy/frontend → shop/sts/db on TCP 5432; closes none\n"
    ));
    insta::assert_snapshot!("demo_frontend_db", r.stdout);
}

#[test]
fn the_diff_goes_to_standard_output_and_the_rest_to_standard_error() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "postgres",
        "--fix",
        "--diff",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("--- a/testdata/demo/policies/shop.yaml\n")
    );
    insta::assert_snapshot!("demo_frontend_db_diff", r.stdout);
    insta::assert_snapshot!("demo_frontend_db_diff_stderr", r.stderr);
}

#[test]
fn expect_deny_fix_narrows_the_allowing_peer() {
    let r = run(&[
        "can-reach",
        "shop/api",
        "shop/db",
        "-p",
        "5432",
        "--expect",
        "deny",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("matchExpressions:"), "{}", r.stdout);
    insta::assert_snapshot!("demo_api_db_deny", r.stdout);
}

#[test]
fn an_allowed_connection_needs_no_change() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/api",
        "-p",
        "8080",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "ALLOWED: shop/deploy/frontend → shop/deploy/api on TCP 8080 (http) already; nothing to change\n"
    );
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "5432",
        "--expect",
        "deny",
        "--fix",
        "--diff",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("already; nothing to change"),
        "{}",
        r.stderr
    );
}

#[test]
fn expect_sets_the_exit_status_without_fix() {
    let ask = |expect: &str, to: &str| {
        run(&[
            "can-reach",
            "shop/frontend",
            to,
            "-p",
            "8080",
            "--expect",
            expect,
            "-q",
            "testdata/demo",
        ])
        .code
    };
    assert_eq!(ask("allow", "shop/api"), 0);
    assert_eq!(ask("deny", "shop/api"), 1);
    assert_eq!(ask("deny", "shop/db"), 0);
    assert_eq!(ask("allow", "shop/db"), 1);
}

#[test]
fn json_output_has_the_patch_the_proof_and_the_owner_marks() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "5432",
        "--fix",
        "-o",
        "json",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["outcome"], "fixed");
    assert_eq!(v["applicable"], true);
    assert_eq!(v["proof"]["narrow"], true);
    assert!(
        v["patch"]
            .as_str()
            .unwrap()
            .starts_with("--- a/testdata/demo/policies/shop.yaml")
    );
    for e in v["edits"].as_array().unwrap() {
        assert!(e["needs_owner"].is_null());
        for k in ["side", "object", "change", "new", "location"] {
            assert!(e.get(k).is_some(), "{k}");
        }
    }
    insta::assert_snapshot!("demo_frontend_db_json", r.stdout);
    let r = run(&[
        "can-reach",
        "dev/tester",
        "prod/api",
        "-p",
        "8080",
        "--fix",
        "-o",
        "json",
        "testdata/fix/admin.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let owners: Vec<&serde_json::Value> = v["edits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["needs_owner"].is_null())
        .collect();
    assert_eq!(owners.len(), 1, "{v}");
    assert_eq!(owners[0]["object"]["kind"], "AdminNetworkPolicy");
}

#[test]
fn fix_needs_one_port_and_one_pair() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --fix needs the port of the connection: --port PORT\n"
    );
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "5000-5500",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--fix needs one port, not a range"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "can-reach",
        "0.0.0.0/0",
        "shop/db",
        "-p",
        "5432",
        "--fix",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--fix needs one source and one destination"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/db",
        "-p",
        "5432",
        "--diff",
        "testdata/demo",
    ]);
    assert_eq!(r.code, 2, "--diff without --fix is a usage error");
}

// ---------------------------------------------------------------------------------------
// testdata/fix: formatting, other namespaces, higher tiers, unlabeled pods.

#[test]
fn write_edits_a_hand_written_file_keeping_comments_and_flow_collections() {
    let dir = copy_of("fix/shop");
    let before = read(dir.path().join("fix/shop/policies.yaml"));
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/web",
            "shop/db",
            "-p",
            "5432",
            "--fix",
            "--write",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("\nwrote fix/shop/policies.yaml\n"),
        "{}",
        r.stdout
    );
    let after = read(dir.path().join("fix/shop/policies.yaml"));
    insta::assert_snapshot!("shop_web_db_before", before);
    insta::assert_snapshot!("shop_web_db_after", after);
    // Only the changed lines differ, and every comment is still there.
    for line in before.lines().filter(|l| l.contains('#')) {
        assert!(after.contains(line.split('#').nth(1).unwrap()), "{line}");
    }
    let changed = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 2, "{after}");
    // Asked again, the connection is allowed, and nothing is left to change.
    let again = run_in(
        dir.path(),
        &["can-reach", "shop/web", "shop/db", "-p", "5432", "fix/shop"],
        None,
    );
    assert_eq!(again.code, 0, "{}", again.stdout);
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/web",
            "shop/db",
            "-p",
            "5432",
            "--fix",
            "--write",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("already; nothing to change"));
    assert_eq!(read(dir.path().join("fix/shop/policies.yaml")), after);
}

#[test]
fn write_edits_block_style_and_indentless_sequences_in_their_style() {
    let dir = copy_of("fix/shop");
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "monitoring/prometheus",
            "shop/api",
            "-p",
            "metrics",
            "--fix",
            "--write",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(
        "shop_prometheus_api_after",
        read(dir.path().join("fix/shop/policies.yaml"))
    );
}

#[test]
fn a_new_policy_goes_next_to_the_workload_it_selects_or_to_fix_file() {
    let dir = copy_of("fix/shop");
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/db",
            "shop/api",
            "-p",
            "8080",
            "--fix",
            "--diff",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("shop_db_api_diff", r.stdout);
    assert!(
        r.stdout.contains("+++ b/fix/shop/db-to-api-http.yaml"),
        "{}",
        r.stdout
    );
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/db",
            "shop/api",
            "-p",
            "8080",
            "--fix",
            "--write",
            "--fix-file",
            "generated/fixes.yaml",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let created = read(dir.path().join("generated/fixes.yaml"));
    insta::assert_snapshot!("shop_db_api_fix_file", created);
    // Loaded with the new file, the connection is allowed.
    let again = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/db",
            "shop/api",
            "-p",
            "8080",
            "fix/shop",
            "generated",
        ],
        None,
    );
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn an_unlabeled_source_needs_allow_wider() {
    let args = [
        "can-reach",
        "shop/debug",
        "shop/api",
        "-p",
        "8080",
        "--fix",
        "testdata/fix/shop",
    ];
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("has no labels that tell its workload apart"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("shop_debug_api_too_wide", r.stdout);
    let mut wider = args.to_vec();
    wider.push("--allow-wider");
    let r = run(&wider);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("(accepted with --allow-wider)"),
        "{}",
        r.stdout
    );
    // --write never writes a change that was not accepted.
    let dir = copy_of("fix/shop");
    let before = read(dir.path().join("fix/shop/policies.yaml"));
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/debug",
            "shop/api",
            "-p",
            "8080",
            "--fix",
            "--write",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 1);
    assert_eq!(read(dir.path().join("fix/shop/policies.yaml")), before);
}

#[test]
fn a_higher_tier_deny_is_named_and_marked_for_its_owner() {
    let r = run(&[
        "can-reach",
        "dev/tester",
        "prod/api",
        "-p",
        "8080",
        "--fix",
        "testdata/fix/admin.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("needs its owner: ANP no-dev-in-prod"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("admin_tester_api", r.stdout);
    let r = run(&[
        "can-reach",
        "dev/tester",
        "shop/api",
        "-p",
        "8080",
        "--fix",
        "--diff",
        "testdata/fix/calico.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("needs its owner: GlobalNetworkPolicy security.guard-prod"),
        "{}",
        r.stderr
    );
    insta::assert_snapshot!("calico_tester_api_diff", r.stdout);
    let r = run(&[
        "can-reach",
        "shop/api",
        "shop/db",
        "-p",
        "5432",
        "--fix",
        "--diff",
        "testdata/fix/cilium.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("needs its owner: CiliumNetworkPolicy shop/db"),
        "{}",
        r.stderr
    );
    insta::assert_snapshot!("cilium_api_db_diff", r.stdout);
}

#[test]
fn deny_fixes_in_other_apis_block_exactly_the_flow() {
    let r = run(&[
        "can-reach",
        "shop/jobs",
        "shop/db",
        "-p",
        "5432",
        "--expect",
        "allow",
        "testdata/fix/cilium.yaml",
    ]);
    assert_eq!(r.code, 1, "the jobs are denied by the deny rule");
    let r = run(&[
        "can-reach",
        "dev/smoke",
        "shop/api",
        "-p",
        "8080",
        "--expect",
        "deny",
        "--fix",
        "--diff",
        "testdata/fix/calico.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("already"), "{}", r.stderr);
    let r = run(&[
        "can-reach",
        "shop/web",
        "shop/api",
        "-p",
        "8080",
        "--expect",
        "deny",
        "--fix",
        "--diff",
        "testdata/fix/shop",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "can-reach",
        "shop/api",
        "shop/db",
        "-p",
        "5432",
        "--expect",
        "deny",
        "--fix",
        "--diff",
        "testdata/fix/shop",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("shop_api_db_deny_diff", r.stdout);
}

#[test]
fn write_is_refused_where_the_input_is_no_file() {
    let text = read(root().join("testdata/fix/admin.yaml"));
    let r = run_in(
        root(),
        &[
            "can-reach",
            "dev/tester",
            "prod/api",
            "-p",
            "8080",
            "--fix",
            "--write",
            "-f",
            "-",
        ],
        Some(&text),
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --write cannot write the change back: part of it comes from standard input; print it with --fix (or --diff) and apply it where the manifests come from\n"
    );
    // Without --write, input from standard input is fixed like any other.
    let r = run_in(
        root(),
        &[
            "can-reach",
            "dev/tester",
            "prod/api",
            "-p",
            "8080",
            "--fix",
            "--diff",
            "-f",
            "-",
        ],
        Some(&text),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("--- a/<stdin>\n+++ b/<stdin>\n"),
        "{}",
        r.stdout
    );
    for args in [vec!["--from-cluster"], vec!["-k", "testdata/fix"]] {
        let mut all = vec![
            "can-reach",
            "dev/tester",
            "prod/api",
            "-p",
            "8080",
            "--fix",
            "--write",
        ];
        all.extend(args);
        let r = run(&all);
        assert_eq!(r.code, 2, "{all:?}");
        assert!(
            r.stderr
                .starts_with("error: --write cannot write the change back:"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn write_leaves_no_temporary_file_behind() {
    let dir = copy_of("fix/shop");
    let r = run_in(
        dir.path(),
        &[
            "can-reach",
            "shop/web",
            "shop/api",
            "-p",
            "8080",
            "--fix",
            "--write",
            "fix/shop",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // No temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(dir.path().join("fix/shop"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

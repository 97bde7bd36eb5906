//! End to end: `kubectl-netpol matrix` on the demo shop, in every format, compared whole
//! against the snapshots in `tests/snapshots/` (review changes with `cargo insta review`).

use std::collections::HashSet;

mod support;
use support::{Run, netpol, root};

fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    netpol(root(), args, &[] as &[(&str, &str)], stdin)
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// The stdout of a successful run.
fn ok(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
    assert_eq!(r.stderr, "", "{args:?}");
    assert!(!r.stdout.contains('\x1b'), "colour while NO_COLOR is set");
    r.stdout
}

#[test]
fn table() {
    insta::assert_snapshot!("table", ok(&["matrix", "testdata/demo"]));
}

#[test]
fn table_is_the_default() {
    assert_eq!(
        ok(&["matrix", "testdata/demo"]),
        ok(&["matrix", "testdata/demo", "-o", "table"])
    );
}

#[test]
fn list() {
    insta::assert_snapshot!("list", ok(&["matrix", "testdata/demo", "-o", "list"]));
}

#[test]
fn json() {
    insta::assert_snapshot!("json", ok(&["matrix", "testdata/demo", "-o", "json"]));
}

#[test]
fn csv() {
    insta::assert_snapshot!("csv", ok(&["matrix", "testdata/demo", "-o", "csv"]));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("md", ok(&["matrix", "testdata/demo", "-o", "md"]));
}

#[test]
fn dot() {
    insta::assert_snapshot!("dot", ok(&["matrix", "testdata/demo", "-o", "dot"]));
}

#[test]
fn mermaid() {
    insta::assert_snapshot!("mermaid", ok(&["matrix", "testdata/demo", "-o", "mermaid"]));
    insta::assert_snapshot!(
        "mermaid_port_5432",
        ok(&[
            "matrix",
            "testdata/demo",
            "--from",
            "shop",
            "--port",
            "5432",
            "-o",
            "mermaid"
        ])
    );
}

#[test]
fn filtered() {
    let args = [
        "matrix",
        "testdata/demo",
        "--from",
        "shop",
        "--to",
        "kube-system",
        "--to",
        "external",
    ];
    insta::assert_snapshot!("filtered_table", ok(&args));
    insta::assert_snapshot!("filtered_json", ok(&[&args[..], &["-o", "json"]].concat()));
}

#[test]
fn namespace_flag_restricts_both_axes() {
    insta::assert_snapshot!(
        "namespace_list",
        ok(&["matrix", "-n", "shop", "testdata/demo", "-o", "list"])
    );
}

#[test]
fn named_port() {
    insta::assert_snapshot!(
        "port_http_table",
        ok(&["matrix", "testdata/demo", "--port", "http"])
    );
    insta::assert_snapshot!(
        "port_http_json",
        ok(&["matrix", "testdata/demo", "--port", "http", "-o", "json"])
    );
}

#[test]
fn numbered_port() {
    insta::assert_snapshot!(
        "port_5432_list",
        ok(&[
            "matrix",
            "testdata/demo",
            "--port",
            "5432/TCP",
            "-o",
            "list"
        ])
    );
}

#[test]
fn unknown_patterns_are_usage_errors() {
    let r = run(&["matrix", "testdata/demo", "--from", "shpo"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("error: --from: no namespace `shpo` in the input"),
        "{}",
        r.stderr
    );

    let r = run(&["matrix", "testdata/demo", "--to", "shop/deploy/nope"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("matches no pod or workload"),
        "{}",
        r.stderr
    );

    let r = run(&["matrix", "testdata/demo", "--to", "10.0.0.0/40"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("prefix length 40 is over 32"),
        "{}",
        r.stderr
    );

    let r = run(&["matrix", "testdata/demo", "-o", "xml"]);
    assert_eq!(r.code, 2);

    let r = run(&["matrix", "-n", "nope", "testdata/demo"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no namespace `nope`"), "{}", r.stderr);
}

#[test]
fn input_errors_still_print_the_matrix_then_exit_2() {
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: stray\n";
    let r = run_with_stdin(
        &["matrix", "testdata/demo", "-f", "-", "-o", "list"],
        Some(broken),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error:"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("shop/deploy/frontend => shop/deploy/api : TCP 8080\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn no_input_is_a_usage_error() {
    let r = run(&["matrix"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
}

#[test]
fn json_is_consistent() {
    for group_by in ["class", "workload", "pod"] {
        let v: serde_json::Value = serde_json::from_str(&ok(&[
            "matrix",
            "testdata/one-team-variations",
            "-o",
            "json",
            "--group-by",
            group_by,
        ]))
        .unwrap();
        assert_eq!(v["version"], 2);
        assert_eq!(v["group_by"], group_by);
        let groups: HashSet<&str> = v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap())
            .collect();
        // Every member is in the group it names, and every group holds its members.
        for m in v["members"].as_array().unwrap() {
            let g = v["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["id"] == m["group"])
                .unwrap();
            assert!(g["members"].as_array().unwrap().contains(&m["id"]));
        }
        let sources: HashSet<&str> = v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        for c in v["connections"].as_array().unwrap() {
            assert!(sources.contains(c["from"].as_str().unwrap()));
            for to in c["to"].as_array().unwrap() {
                assert!(groups.contains(to.as_str().unwrap()));
            }
            assert_ne!(c["ports"], "none");
        }
    }
}

#[test]
fn grouped_rows_stand_for_every_member_they_hold() {
    // By class, the pods policies cannot tell apart share a row; by pod, each has its own;
    // the pairs allowed are the same.
    let by_class = ok(&["matrix", "testdata/one-team-variations", "-o", "list"]);
    let by_pod = ok(&[
        "matrix",
        "testdata/one-team-variations",
        "-o",
        "list",
        "--group-by",
        "pod",
    ]);
    assert!(by_class.lines().count() <= by_pod.lines().count());
    let key = |args: &[&str]| {
        let out = ok(args);
        out.lines()
            .last()
            .unwrap()
            .split("; ")
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(
        key(&["matrix", "testdata/one-team-variations"]),
        key(&[
            "matrix",
            "testdata/one-team-variations",
            "--group-by",
            "pod"
        ])
    );
}

#[test]
fn a_table_wider_than_the_terminal_becomes_one_block_per_source() {
    let r = netpol(
        root(),
        &["matrix", "testdata/demo"],
        &[("COLUMNS", "80")],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the table is 134 columns wide, wider than 80: one block per source"),
        "{}",
        r.stderr
    );
    insta::assert_snapshot!("by_source", r.stdout);
    // --width overrides the terminal; 0 is no limit.
    let wide = ok(&["matrix", "testdata/demo", "--width", "0"]);
    assert_eq!(wide, ok(&["matrix", "testdata/demo"]));
    let narrow = netpol(
        root(),
        &["matrix", "testdata/demo", "--width", "200"],
        &[("COLUMNS", "80")],
        None,
    );
    assert_eq!(narrow.stdout, wide);
}

/// The quoted strings of a DOT line, unescaped.
fn quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        loop {
            match chars.next() {
                None => panic!("unterminated string in {line:?}"),
                Some('"') => break,
                Some('\\') => s.push(chars.next().expect("an escaped character")),
                Some(c) => s.push(c),
            }
        }
        out.push(s);
    }
    out
}

#[test]
fn dot_is_plausible_graphviz() {
    for extra in [
        &[][..],
        &["--port", "http"],
        &["--from", "shop", "--to", "external"],
    ] {
        let out = ok(&[&["matrix", "testdata/demo", "-o", "dot"], extra].concat());
        assert!(out.starts_with("digraph netpol {\n") && out.ends_with("}\n"));
        // Braces balance, outside quoted strings, and never go below zero.
        let mut depth = 0i32;
        for line in out.lines() {
            let mut in_string = false;
            let mut escaped = false;
            for c in line.chars() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if in_string => escaped = true,
                    '"' => in_string = !in_string,
                    '{' if !in_string => depth += 1,
                    '}' if !in_string => depth -= 1,
                    _ => {}
                }
                assert!(depth >= 0, "{line}");
            }
            assert!(!in_string, "unterminated string: {line}");
        }
        assert_eq!(depth, 0);
        // Every edge joins declared nodes; every node is declared once.
        let mut nodes = HashSet::new();
        let mut edges = 0;
        for line in out.lines() {
            let strings = quoted(line);
            if line.contains(" -> ") {
                edges += 1;
                assert!(nodes.contains(&strings[0]), "undeclared {}", strings[0]);
                assert!(nodes.contains(&strings[1]), "undeclared {}", strings[1]);
            } else if line.starts_with("    \"") && line.ends_with("];") {
                assert!(nodes.insert(strings[0].clone()), "declared twice: {line}");
            }
        }
        assert!(edges > 0 && !nodes.is_empty());
    }
}

#[test]
fn mermaid_is_plausible() {
    for extra in [
        &[][..],
        &["--port", "http"],
        &["--from", "shop", "--to", "external"],
    ] {
        let out = ok(&[&["matrix", "testdata/demo", "-o", "mermaid"], extra].concat());
        let body = match out.strip_prefix("---\n") {
            Some(rest) => rest.split_once("---\n").expect("front matter closes").1,
            None => &out,
        };
        assert!(body.starts_with("flowchart LR\n"), "{out}");
        let id_ok =
            |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        // Subgraphs close; nodes are declared once with a safe id; edges join declared nodes.
        let mut open = 0i32;
        let mut nodes = HashSet::new();
        let mut edges = 0;
        for line in body.lines().skip(1) {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("subgraph ") {
                open += 1;
                assert!(id_ok(rest.split(' ').next().unwrap()), "{line}");
            } else if t == "end" {
                open -= 1;
                assert!(open >= 0);
            } else if t.contains(" --> ") || t.contains(" -->|") {
                edges += 1;
                let from = t.split(' ').next().unwrap();
                let to = t.rsplit(' ').next().unwrap();
                assert!(nodes.contains(from), "undeclared {from}: {line}");
                assert!(nodes.contains(to), "undeclared {to}: {line}");
            } else if t.starts_with("style ") {
            } else {
                let id = t.split(['[', '(']).next().unwrap();
                assert!(id_ok(id), "{line}");
                assert!(nodes.insert(id.to_string()), "declared twice: {line}");
                assert_eq!(t.matches('"').count(), 2, "{line}");
            }
        }
        assert_eq!(open, 0);
        assert!(edges > 0 && !nodes.is_empty());
    }
}

#[test]
fn calico_table() {
    // Tiers, Pass, network sets and Calico's namespace profile, in the same table.
    insta::assert_snapshot!("calico_table", ok(&["matrix", "testdata/calico"]));
}

#[test]
fn calico_json() {
    insta::assert_snapshot!(
        "calico_json",
        ok(&["matrix", "testdata/calico", "-o", "json"])
    );
}

#[test]
fn cilium_table() {
    // Cilium denies before every allow, entities, CIDR rules outside the cluster, the DNS
    // name a toFQDNs rule names as a column of its own, each node reaching its own pods.
    insta::assert_snapshot!("cilium_table", ok(&["matrix", "testdata/cilium"]));
}

#[test]
fn cilium_json() {
    insta::assert_snapshot!(
        "cilium_json",
        ok(&["matrix", "testdata/cilium", "-o", "json"])
    );
}

#[test]
fn json_follows_its_schema_in_every_grouping() {
    let text = std::fs::read_to_string(root().join("docs/matrix.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for dir in [
        "testdata/demo",
        "testdata/calico",
        "testdata/cilium",
        "testdata/one-team-variations",
    ] {
        for group_by in ["class", "workload", "pod"] {
            for port in [None, Some("http")] {
                let mut args = vec!["matrix", dir, "-o", "json", "--group-by", group_by];
                if let Some(p) = port {
                    args.extend(["--port", p]);
                }
                let r = run(&args);
                let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
                let errors: Vec<String> = validator
                    .iter_errors(&v)
                    .map(|e| format!("{e} at {}", e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{args:?}:\n{}", errors.join("\n"));
            }
        }
    }
    // The schema can fail: a version-1 document does not follow it.
    let old = serde_json::json!({"version": 1, "port": null, "members": [], "sources": [],
        "destinations": [], "connections": []});
    assert!(!validator.is_valid(&old));
}

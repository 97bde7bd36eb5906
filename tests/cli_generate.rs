//! End to end: `kubectl-netpol generate` over the demo shop's workloads (`testdata/demo`
//! without its policies) from what the shop is meant to do
//! (`testdata/generate/demo-flows.yaml`), from a Hubble export (`hubble.json`) and from a
//! CSV (`flows.csv`). The policies written make `check` clean with every expectation met,
//! `--check` proves them, `replay` of the Hubble export against them denies nothing that
//! happened; flows that map to nothing, flows the policies cannot allow, and usage mistakes
//! have the documented exit statuses. Snapshots are in `tests/snapshots/`.

use std::path::Path;

mod support;
use support::{Run, netpol, root};

/// The demo's workloads, without its policies.
const DEMO: [&str; 3] = [
    "testdata/demo/namespaces.yaml",
    "testdata/demo/platform.yaml",
    "testdata/demo/shop.yaml",
];
const FLOWS: &str = "testdata/generate/demo-flows.yaml";
const HUBBLE: &str = "testdata/generate/hubble.json";
const CSV: &str = "testdata/generate/flows.csv";

fn run(args: &[&str]) -> Run {
    netpol(root(), args, &[] as &[(&str, &str)], None)
}

/// `generate DEMO... extra...`.
fn generate(extra: &[&str]) -> Run {
    let mut a = vec!["generate"];
    a.extend(DEMO);
    a.extend(extra);
    run(&a)
}

/// A run that exits 0 with nothing on standard error.
fn ok(r: Run) -> String {
    assert_eq!(r.code, 0, "{}", r.shown());
    assert_eq!(r.stderr, "", "{}", r.shown());
    r.stdout
}

/// `check DEMO FILES... extra...` of generated policies.
fn check_with(files: &[&Path], extra: &[&str]) -> Run {
    let mut a: Vec<String> = vec!["check".into()];
    a.extend(DEMO.iter().map(|s| s.to_string()));
    a.extend(files.iter().map(|f| f.display().to_string()));
    a.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    run(&a)
}

#[test]
fn demo_expectations() {
    let yaml = ok(generate(&["--expect", FLOWS]));
    insta::assert_snapshot!("demo", yaml);
}

#[test]
fn the_demo_policies_pass_check_and_meet_every_expectation() {
    let yaml = ok(generate(&["--expect", FLOWS]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("generated.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let r = check_with(&[&file], &["--expect", FLOWS]);
    assert_eq!(r.code, 0, "{}", r.shown());
    // No finding at all, not even an info: every namespace isolated, DNS allowed, no rule
    // redundant, every expectation met.
    assert_eq!(
        r.stdout,
        "0 errors, 0 warnings, 0 infos (4 files checked)\n",
        "{}",
        r.shown()
    );
    // And the expectations fail without them (the check can fail).
    let r = check_with(&[], &["--expect", FLOWS]);
    assert_eq!(r.code, 1, "{}", r.shown());
    assert!(r.stdout.contains("NP501"), "{}", r.stdout);
}

#[test]
fn check_proves_the_demo() {
    let r = generate(&["--expect", FLOWS, "--check"]);
    assert_eq!(r.code, 0, "{}", r.shown());
    // The YAML on standard output is the same as without --check; the proof on stderr.
    assert_eq!(r.stdout, ok(generate(&["--expect", FLOWS])));
    insta::assert_snapshot!("demo_check", r.stderr);
}

#[test]
fn output_dir_one_file_per_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("policies");
    let r = generate(&[
        "--expect",
        FLOWS,
        "--output-dir",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert_eq!(r.stderr, "", "{}", r.shown());
    let names = ["ingress-nginx", "kube-system", "monitoring", "shop"];
    for (i, ns) in names.iter().enumerate() {
        let written = format!("wrote {} ", out.join(format!("{ns}.yaml")).display());
        assert_eq!(
            r.stdout.lines().nth(i).map(|l| l.starts_with(&written)),
            Some(true),
            "{}",
            r.stdout
        );
    }
    // With -o, the proof is on standard output, after what was written.
    assert!(r.stdout.contains("\nproven: "), "{}", r.stdout);
    // The files, in namespace order, are the documents of the single stream.
    let files: Vec<String> = names
        .iter()
        .map(|ns| std::fs::read_to_string(out.join(format!("{ns}.yaml"))).unwrap())
        .collect();
    assert_eq!(files.join("---\n"), ok(generate(&["--expect", FLOWS])));
    // check of the directory is as clean as that of the stream.
    let r = check_with(&[&out], &["--expect", FLOWS]);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert!(
        r.stdout.starts_with("0 errors, 0 warnings, 0 infos"),
        "{}",
        r.stdout
    );
}

#[test]
fn hubble_export() {
    let r = generate(&["--flows", HUBBLE, "--check"]);
    assert_eq!(r.code, 0, "{}", r.shown());
    insta::assert_snapshot!("hubble", r.stdout);
    insta::assert_snapshot!("hubble_check", r.stderr);
    // replay of the same export against them: nothing that happened is denied.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("generated.yaml");
    std::fs::write(&file, &r.stdout).unwrap();
    let mut a = vec!["replay", "--flows", HUBBLE];
    a.extend(DEMO);
    let f = file.display().to_string();
    a.push(&f);
    let replay = run(&a);
    assert_eq!(replay.code, 0, "{}", replay.shown());
    assert!(
        replay.stdout.contains("\nnewly denied: none\n"),
        "{}",
        replay.stdout
    );
}

#[test]
fn csv_flows() {
    let r = generate(&["--flows", CSV, "--check"]);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert!(r.stderr.contains("\nproven: "), "{}", r.stderr);
    // The CSV's flows are the Hubble export's (its addresses aside): the same rules for
    // the workloads.
    assert!(
        r.stdout.contains(
            "  # shop/deploy/worker → 203.0.113.10/32 on TCP 443 (testdata/generate/flows.csv:8)\n"
        ),
        "{}",
        r.stdout
    );
    // The lookup of the frontend is what allow-dns allows: named there, no rule of its own,
    // and kube-system is not covered.
    assert!(r.stdout.contains(
        "#   shop/deploy/frontend → kube-system/deploy/coredns on UDP 53 (testdata/generate/flows.csv:6)\n"
    ), "{}", r.stdout);
    assert!(
        !r.stdout.contains("namespace: kube-system\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn flows_that_map_to_nothing_are_errors_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("flows.csv");
    std::fs::write(
        &csv,
        "shop/frontend,shop/api,8080\nlegacy/batch,shop/api,8080\n192.0.2.1,198.51.100.1,80\n",
    )
    .unwrap();
    let csv = csv.display().to_string();
    let r = generate(&["--flows", &csv]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert_eq!(
        r.stderr,
        format!(
            "error: {csv}:2: not generated: from legacy/batch: namespace legacy is not in the input\n\
             error: {csv}:3: not generated: neither end is a pod or workload of the input: no NetworkPolicy applies to it\n"
        )
    );
    // The rest is written.
    assert!(
        r.stdout.contains("name: allow-api-ingress\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn check_fails_when_a_deny_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows.yaml");
    std::fs::write(
        &flows,
        "- {from: shop/frontend, to: shop/api, port: http, expect: allow}\n\
         - {from: shop/frontend, to: shop/api, port: 8080, expect: deny}\n\
         - {from: shop/frontend, to: shop/db, expect: deny}\n",
    )
    .unwrap();
    let flows = flows.display().to_string();
    let r = generate(&["--expect", &flows, "--check"]);
    assert_eq!(r.code, 1, "{}", r.shown());
    assert!(
        r.stderr.contains(&format!(
            "  flows to keep denied: 2; 1 pair of 2 ALLOWED:\n    shop/deploy/frontend → shop/deploy/api on TCP 8080 ({flows}:2): egress: NetworkPolicy shop/allow-frontend-egress egress[0] allows it; ingress: NetworkPolicy shop/allow-api-ingress ingress[0] allows it\n"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("\nNOT proven: "), "{}", r.stderr);
}

#[test]
fn the_input_policies_of_covered_namespaces_are_replaced() {
    // With the demo's own policies in the input: those of the covered namespaces are
    // replaced, and the proof is the same.
    let r = run(&["generate", "testdata/demo", "--expect", FLOWS, "--check"]);
    assert_eq!(r.code, 0, "{}", r.shown());
    assert!(
        r.stderr.starts_with(
            "check: the input with the generated policies in place of the NetworkPolicies of ingress-nginx, kube-system, monitoring, shop (replacing ingress-nginx/default-deny-ingress, ingress-nginx/allow-web, shop/default-deny, shop/allow-dns, shop/frontend, shop/api, shop/db, shop/worker-egress)\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors() {
    // Neither --expect nor --flows.
    let r = generate(&[]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(r.stderr.contains("--expect <FILE>"), "{}", r.stderr);
    // A bad DNS selector.
    let r = generate(&["--expect", FLOWS, "--dns-selector", "kube-dns"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert_eq!(
        r.stderr,
        "error: --dns-selector: `kube-dns` is not KEY=VALUE\n"
    );
    // Files that cannot be read.
    let r = generate(&["--flows", "testdata/generate/none.json"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr
            .starts_with("error: --flows testdata/generate/none.json: "),
        "{}",
        r.stderr
    );
    let r = generate(&["--expect", "testdata/generate/none.yaml"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    // No manifests.
    let r = run(&["generate", "--expect", FLOWS]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
    // Only flows to keep denied: nothing to write.
    let dir = tempfile::tempdir().unwrap();
    let deny = dir.path().join("deny.yaml");
    std::fs::write(
        &deny,
        "- {from: shop/frontend, to: shop/db, expect: deny}\n",
    )
    .unwrap();
    let r = generate(&["--expect", deny.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(r.stderr.contains("nothing to generate"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

/// `--policy-api calico|cilium`: the same plan in Calico's and Cilium's API, proven in a
/// cluster of that plugin, and as clean under `check` (which infers the plugin from the
/// kinds) as the NetworkPolicies.
#[test]
fn calico_and_cilium_policies_of_the_demo() {
    for api in ["calico", "cilium"] {
        let r = generate(&["--expect", FLOWS, "--policy-api", api, "--check"]);
        assert_eq!(r.code, 0, "{api}: {}", r.shown());
        insta::assert_snapshot!(format!("demo_{api}"), r.stdout);
        // The proof is the NetworkPolicies' word for word, but for what it replaces.
        let k8s = generate(&["--expect", FLOWS, "--check"]);
        let replaced = match api {
            "calico" => "NetworkPolicies and Calico NetworkPolicies",
            _ => "NetworkPolicies and CiliumNetworkPolicies",
        };
        assert_eq!(
            r.stderr,
            k8s.stderr.replacen("NetworkPolicies", replaced, 1),
            "{api}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("generated.yaml");
        std::fs::write(&file, &r.stdout).unwrap();
        let r = check_with(&[&file], &["--expect", FLOWS]);
        assert_eq!(r.code, 0, "{api}: {}", r.shown());
        assert_eq!(
            r.stdout,
            "0 errors, 0 warnings, 0 infos (4 files checked)\n",
            "{api}: {}",
            r.shown()
        );
    }
}

/// Cilium's `ingress: []` (an empty list) enforces nothing, unlike the `ingress: [{}]` the
/// default deny is written with: `check` finds the pods open again. A `--cni` of another
/// plugin than the one of `--policy-api` is a usage error.
#[test]
fn a_cilium_default_deny_without_its_empty_rule_is_caught_and_the_plugin_must_match() {
    let yaml = ok(generate(&["--expect", FLOWS, "--policy-api", "cilium"]));
    let broken = yaml.replace("  ingress: [{}]\n", "  ingress: []\n");
    assert_ne!(broken, yaml);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, &broken).unwrap();
    let r = check_with(&[&file], &["--expect", FLOWS, "--cni", "cilium"]);
    assert_eq!(r.code, 1, "{}", r.shown());
    // The pods no allow rule selects are open for ingress again (prometheus is selected
    // by no ingress rule).
    assert!(r.stdout.contains("NP401"), "{}", r.stdout);
    let r = generate(&[
        "--expect",
        FLOWS,
        "--policy-api",
        "cilium",
        "--cni",
        "calico",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert_eq!(
        r.stderr,
        "error: --policy-api cilium: CiliumNetworkPolicies are enforced by cilium only, not by --cni calico\n"
    );
}

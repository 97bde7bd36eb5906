//! End-to-end: `can-reach` on testdata/, whole outputs compared with snapshots.

mod support;
use support::{Run, netpol, root};

fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    netpol(root(), args, &[] as &[(&str, &str)], stdin)
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

fn can_reach(extra: &[&str]) -> Run {
    let mut args = vec!["can-reach"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "testdata/demo"]);
    run(&args)
}

#[test]
fn denied_connection_explains_every_rule_on_both_sides() {
    let r = can_reach(&["shop/frontend", "shop/db", "--port", "5432"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("deny_frontend_db", r.stdout);
}

#[test]
fn allowed_connection_names_the_rules_that_allow_it() {
    let r = can_reach(&["shop/deploy/frontend", "shop/deploy/api", "-p", "8080/TCP"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("allow_frontend_api", r.stdout);
}

#[test]
fn without_a_port_the_allowed_ports_are_listed() {
    let r = can_reach(&["monitoring/prometheus", "shop/api"]);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("ports_prometheus_api", r.stdout);
    let r = can_reach(&["shop/worker", "shop/api"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .starts_with("shop/deploy/worker → shop/deploy/api: DENIED on every port\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn json_output_is_the_same_explanation_as_data() {
    let r = can_reach(&["shop/frontend", "shop/db", "--port", "5432", "-o", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["version"], 2);
    assert_eq!(v["allowed"], false);
    insta::assert_snapshot!("deny_frontend_db_json", r.stdout);
}

#[test]
fn a_service_maps_its_port_to_the_target_port_of_each_backend() {
    let r = can_reach(&["ingress-nginx/controller", "shop/svc/frontend", "-p", "80"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("service_frontend", r.stdout);
    let r = can_reach(&[
        "ingress-nginx/controller",
        "shop/svc/frontend",
        "-p",
        "8080",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: service shop/frontend has no port 8080/TCP (it has 80/TCP)\n"
    );
}

#[test]
fn addresses_outside_the_cluster_are_matched_by_ip_blocks() {
    let r = can_reach(&["shop/worker", "8.8.8.8", "-p", "443"]);
    assert_eq!(r.code, 0);
    let r = can_reach(&["shop/worker", "10.1.2.3", "-p", "443"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("10.1.2.3 is in ipBlock 0.0.0.0/0 but excepted by 10.0.0.0/8"),
        "{}",
        r.stdout
    );
}

#[test]
fn named_ports_are_resolved_on_the_destination() {
    let r = can_reach(&["monitoring/prometheus", "shop/api", "-p", "metrics", "-q"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = can_reach(&["monitoring/prometheus", "shop/db", "-p", "metrics"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: shop/sts/db has no TCP container port named `metrics`\n"
    );
}

#[test]
fn quiet_answers_with_the_exit_status_only() {
    let r = can_reach(&["shop/frontend", "shop/api", "-p", "8080", "-q"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = can_reach(&["shop/api", "shop/frontend", "-p", "8080", "-q"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let r = can_reach(&["shop/frontnd", "shop/db"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: shop/frontnd is not in the input (did you mean `frontend`?)\n"
    );
    let r = can_reach(&["shopp/frontend", "shop/db"]);
    assert_eq!(
        r.stderr,
        "error: namespace shopp is not in the input (did you mean `shop`?)\n"
    );
}

#[test]
fn loopback_is_always_allowed() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n";
    let r = run_with_stdin(&["can-reach", "x/a", "x/a", "-f", "-"], Some(yaml));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("loopback"), "{}", r.stdout);
}

#[test]
fn every_input_problem_is_reported_and_the_rest_is_still_used() {
    let r = run(&[
        "can-reach",
        "shop/web",
        "shop/api",
        "-f",
        "testdata/broken/mixed.yaml",
    ]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("broken_input_stderr", r.stderr);
    assert!(
        r.stdout
            .starts_with("shop/web → shop/api: allowed on every port"),
        "{}",
        r.stdout
    );
}

#[test]
fn no_input_is_a_usage_error() {
    let r = run(&["can-reach", "a", "b"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
    let r = run(&["can-reach", "a"]);
    assert_eq!(r.code, 2);
}

#[test]
fn globs_directories_and_stdin_are_inputs() {
    let r = run(&[
        "can-reach",
        "shop/frontend",
        "shop/api",
        "-p",
        "8080",
        "-q",
        "testdata/demo/*.yaml",
        "-f",
        "testdata/demo/policies",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/demo/shop.yaml"
    ))
    .unwrap();
    let r = run_with_stdin(
        &[
            "can-reach",
            "shop/frontend",
            "shop/api",
            "-p",
            "8080",
            "-q",
            "-f",
            "-",
        ],
        Some(&text),
    );
    assert_eq!(r.code, 0, "no policy: allowed; {}", r.stderr);
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn hostile_nesting_fails_with_a_clear_error() {
    let path = temp_file("nested.yaml", &"[".repeat(100_000));
    let r = run(&["can-reach", "a", "b", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nested.yaml:1:") && r.stderr.contains("recursion limit"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_alias_bomb_fails_with_a_clear_error() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text += &format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        );
    }
    let path = temp_file("bomb.yaml", &text);
    let r = run(&["can-reach", "a", "b", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("alias bomb"), "{}", r.stderr);
}

fn calico(extra: &[&str]) -> Run {
    let mut args = vec!["can-reach"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "testdata/calico"]);
    run(&args)
}

/// Calico tiers in order: the security tier passes, the default tier's Calico policy denies
/// what its first rule does not allow; the other side ends at the namespace profile.
#[test]
fn calico_explanations_walk_the_tiers_in_order() {
    let r = calico(&["shop/frontend", "shop/db", "--port", "5432"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
    insta::assert_snapshot!("calico_deny_frontend_db", r.stdout);
    let r = calico(&["shop/api", "shop/db", "--port", "5432"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("calico_allow_api_db", r.stdout);
    // A Deny of the security tier is final, whatever the default tier would say.
    let r = calico(&["dev/tester", "shop/api", "--port", "8080"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("calico_deny_dev_api", r.stdout);
    // A GlobalNetworkSet catches the metadata address.
    let r = calico(&["shop/frontend", "169.254.169.254", "--port", "80"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("Deny — destination: selector `role == 'metadata'`, namespaceSelector `global()` matches 169.254.169.254"),
        "{}",
        r.stdout
    );
}

fn cilium(extra: &[&str]) -> Run {
    let mut args = vec!["can-reach"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "testdata/cilium"]);
    run(&args)
}

/// Cilium: an `ingressDeny` wins over the Kubernetes NetworkPolicy that allows the same
/// connection; the allow tier is not consulted.
#[test]
fn cilium_deny_wins_over_every_allow() {
    let r = cilium(&["dev/tester", "shop/db", "--port", "5432"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
    insta::assert_snapshot!("cilium_deny_tester_db", r.stdout);
    // The api is allowed by its CNP and by the Kubernetes NetworkPolicy, which add up.
    let r = cilium(&["shop/api", "shop/db", "--port", "5432"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("cilium_allow_api_db", r.stdout);
}

/// A DNS name is a party: toFQDNs names it, an address cannot be known to be it.
#[test]
fn cilium_dns_names_are_parties() {
    let r = cilium(&["shop/api", "payments.example.com", "--port", "443"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("cilium_fqdn_allowed", format!("{}{}", r.stderr, r.stdout));
    let r = cilium(&["shop/api", "other.example.com", "--port", "443"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("toFQDNs matchName payments.example.com does not match other.example.com"),
        "{}",
        r.stdout
    );
    let r = cilium(&["shop/api", "203.0.113.7", "--port", "443"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "toFQDNs matchName payments.example.com matches DNS names; 203.0.113.7 is not one"
        ),
        "{}",
        r.stdout
    );
}

/// Layer 7 rules decide requests, not the connection: the answer says so.
#[test]
fn cilium_layer_7_rules_are_caveats() {
    let r = cilium(&["shop/frontend", "shop/api", "--port", "8080"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("L7 http on TCP 8080: the connection is allowed, then Cilium's proxy lets through only requests matching: GET /api/.*"),
        "{}",
        r.stdout
    );
    let r = cilium(&["shop/frontend", "shop/api", "--port", "8080", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let caveats = v.to_string();
    assert!(
        caveats.contains("\"caveats\":[\"L7 http on TCP 8080"),
        "{caveats}"
    );
}

/// The plugin is a choice: the same files under `--cni kubernetes` ignore the Cilium
/// policies (with a warning each) and let the tester reach the database.
#[test]
fn cilium_policies_are_not_evaluated_under_another_plugin() {
    let r = cilium(&[
        "dev/tester",
        "shop/db",
        "--port",
        "5432",
        "--cni",
        "kubernetes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("CiliumNetworkPolicy shop/db is not evaluated: Cilium policies are not enforced by the network plugin `kubernetes` (--cni)"),
        "{}",
        r.stderr
    );
}

/// The README's Cilium sample is what the command prints.
#[test]
fn the_readme_cilium_sample_is_current() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let r = run(&[
        "can-reach",
        "dev/tester",
        "shop/db",
        "--port",
        "5432",
        "testdata/cilium",
    ]);
    let sample = format!(
        "$ kubectl netpol can-reach dev/tester shop/db --port 5432 testdata/cilium\n{}```",
        r.stdout
    );
    assert!(
        readme.contains(&sample),
        "README.md's Cilium sample is stale:\n{sample}"
    );
}

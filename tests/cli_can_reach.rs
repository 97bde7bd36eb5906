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
        r.stderr
            .contains("nested.yaml:1:101: nesting deeper than 100 levels; refused"),
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

/// Cilium's DNS proxy: from a pod to a DNS name, the answer says whether the pod's lookups of
/// the name are seen (toFQDNs learns addresses only from those), naming the `dns` rule that
/// lets them through. In testdata/cilium, the CCNP allow-dns lets every lookup through.
#[test]
fn cilium_dns_names_say_whether_the_proxy_sees_the_lookups() {
    let r = cilium(&["shop/api", "payments.example.com", "--port", "443"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout.ends_with(
            "\n\ndns: Cilium's DNS proxy sees the lookups of payments.example.com by shop/api: [CCNP allow-dns] egress[0].toPorts[0].rules.dns `matchPattern *` (testdata/cilium/cluster.yaml:92) lets them through to kube-system/coredns on port 53, so toFQDNs rules learn the addresses payments.example.com resolves to\n"
        ),
        "{}",
        r.stdout
    );
    let r = cilium(&[
        "shop/api",
        "payments.example.com",
        "--port",
        "443",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(
        v["dns_visibility"],
        serde_json::json!({
            "name": "payments.example.com",
            "seen": true,
            "rule": {
                "policy": "CCNP allow-dns",
                "rule": "egress[0].toPorts[0].rules.dns",
                "pattern": "matchPattern *",
                "location": {"file": "testdata/cilium/cluster.yaml", "line": 92, "column": 14},
            },
            "reason": null,
            "dns_rules": [],
            "servers": ["kube-system/coredns"],
            "connection_fails": false,
            "failing_ports": "none",
        })
    );
    // Not a DNS name, or not from a pod: no such line, no such field.
    let r = cilium(&["shop/api", "shop/db", "--port", "5432", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.get("dns_visibility").is_none(), "{v}");
    let r = cilium(&["203.0.113.7", "shop/frontend", "--port", "8080"]);
    assert!(!r.stdout.contains("dns:"), "{}", r.stdout);
}

const CILIUM_FQDN: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: coredns, ports: [{name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.0.0.53}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api}]}
status: {podIP: 10.0.1.10}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  egress:
  - toEndpoints:
    - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
    toPorts:
    - ports: [{port: "53", protocol: ANY}]
DNS_RULES
  - toFQDNs: [{matchName: payments.example.com}]
    toPorts:
    - ports: [{port: "443", protocol: TCP}]
"#;

/// Without a `dns` rule that lets the lookups through, the toFQDNs rule learns no address:
/// the policies allow the connection (exit status 0), the line says it fails all the same.
#[test]
fn cilium_dns_names_whose_lookups_the_proxy_misses_are_flagged() {
    let path = temp_file("cilium-fqdn.yaml", &CILIUM_FQDN.replace("DNS_RULES\n", ""));
    let path = path.to_str().unwrap();
    let args = ["can-reach", "shop/api", "payments.example.com", "-p", "443"];
    let r = run(&[&args[..], &["-f", path]].concat());
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout
            .starts_with("note: payments.example.com is a DNS name")
    );
    assert!(
        r.stdout.ends_with(
            "\n\ndns: Cilium's DNS proxy does not see the lookups of payments.example.com by shop/api: no egress rule of a Cilium policy selecting shop/api sends its lookups to kube-system/coredns on port 53 through an L7 `dns` rule, so toFQDNs rules learn no address for it and the connection fails in the real cluster even though the policies allow it (the exit status is the policies' answer)\n"
        ),
        "{}",
        r.stdout
    );
    let r = run(&[&args[..], &["-f", path, "-o", "json"]].concat());
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], 2);
    let d = &v["dns_visibility"];
    assert_eq!(d["seen"], false, "{d}");
    assert_eq!(d["rule"], serde_json::Value::Null);
    assert_eq!(d["reason"], "no-dns-rule");
    assert_eq!(d["connection_fails"], true);
    assert_eq!(d["failing_ports"], "TCP 443");
    // A `dns` rule that applies but does not cover the name: named, with where it is.
    let rules = "      rules:\n        dns: [{matchName: api.github.com}]\n";
    let path = temp_file(
        "cilium-fqdn-github.yaml",
        &CILIUM_FQDN.replace("DNS_RULES\n", rules),
    );
    let path = path.to_str().unwrap();
    let r = run(&[&args[..], &["-f", path]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.ends_with(&format!(
            ": the `dns` rules that apply to shop/api ([CNP shop/api] egress[0].toPorts[0].rules.dns `matchName api.github.com` ({path}:32)) do not let them through, so toFQDNs rules learn no address for it and the connection fails in the real cluster even though the policies allow it (the exit status is the policies' answer)\n"
        )),
        "{}",
        r.stdout
    );
    let r = run(&[&args[..], &["-f", path, "-o", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let d = &v["dns_visibility"];
    assert_eq!(d["reason"], "not-covered", "{d}");
    assert_eq!(d["dns_rules"][0]["pattern"], "matchName api.github.com");
    assert_eq!(d["dns_rules"][0]["location"]["line"], 32);
    // Another rule allowing every external address: the connection does not rest on DNS.
    let world =
        "  - toEntities: [world]\n    toPorts:\n    - ports: [{port: \"443\", protocol: TCP}]\n";
    let path = temp_file(
        "cilium-fqdn-world.yaml",
        &CILIUM_FQDN.replace("DNS_RULES\n", world),
    );
    let r = run(&[&args[..], &["-f", path.to_str().unwrap()]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.ends_with(
            ", so toFQDNs rules learn no address for it (the policies allow this connection through other rules)\n"
        ),
        "{}",
        r.stdout
    );
}

/// A pod of another team's namespace, described by namespace and labels, can be asked
/// about without a copy of that namespace (issue 16).
#[test]
fn a_pod_described_by_namespace_and_labels_is_a_party() {
    let r = run(&[
        "can-reach",
        "ingress-nginx{app.kubernetes.io/name=ingress-nginx}",
        "shop/deploy/web",
        "--port",
        "http",
        "testdata/one-team",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "egress at ingress-nginx/{app.kubernetes.io/name=ingress-nginx} (described on the command line): allowed"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(
        "from[0]: namespaceSelector {kubernetes.io/metadata.name=ingress-nginx} matches namespace ingress-nginx"
    ));
    // Prometheus may scrape the metrics port, Grafana may not.
    let ask = |from: &str| {
        run(&[
            "can-reach",
            from,
            "shop/deploy/api",
            "--port",
            "metrics",
            "testdata/one-team",
        ])
        .code
    };
    assert_eq!(ask("monitoring{app.kubernetes.io/name=prometheus}"), 0);
    assert_eq!(ask("monitoring{app=grafana}"), 1);
    let r = run(&[
        "can-reach",
        "x{bad}",
        "shop/deploy/api",
        "testdata/one-team",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`bad` is not KEY=VALUE"), "{}", r.stderr);
}

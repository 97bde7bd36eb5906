//! One test per NetworkPolicy rule the simulator implements, each named after the rule and
//! citing it (Kubernetes API reference, networking.k8s.io/v1, and the upstream e2e tests in
//! test/e2e/network/netpol). Every query is answered three ways — the reference evaluator,
//! the explanation, and the matrix engine — and all three must agree.

use super::Party;
use super::evaluate::allowed_ports;
use super::explain::explain;
use super::matrix::Matrix;
use super::target::{Target, resolve};
use crate::load::{LoadOptions, load_texts};
use crate::model::{BuildOptions, Cluster, PortSet};

const NAMESPACES: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
";

/// Pods named `ns/name` with labels, on port 80 (http) and 53/UDP (dns), with IP `ip`.
fn pod(ns: &str, name: &str, labels: &str, ip: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}\nspec:\n  containers:\n  - name: c\n    ports:\n    - {{name: http, containerPort: 80}}\n    - {{name: dns, containerPort: 53, protocol: UDP}}\nstatus: {{podIP: {ip}}}\n"
    )
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}"
    )
}

/// The standard pods: a/web (app=web) 10.0.0.1, a/db (app=db) 10.0.0.2, b/web (app=web)
/// 10.0.1.1, b/client (app=client) 10.0.1.2.
fn pods() -> String {
    [
        pod("a", "web", "app: web", "10.0.0.1"),
        pod("a", "db", "app: db", "10.0.0.2"),
        pod("b", "web", "app: web", "10.0.1.1"),
        pod("b", "client", "app: client", "10.0.1.2"),
    ]
    .concat()
}

fn cluster(extra: &str) -> Cluster {
    cluster_of(&format!("{NAMESPACES}{}{extra}", pods()))
}

/// The cluster a YAML text describes (it must load without problems).
pub(crate) fn cluster_of(text: &str) -> Cluster {
    cluster_with(text, &BuildOptions::default())
}

/// The cluster a YAML text describes, built with options.
pub(crate) fn cluster_with(text: &str, options: &BuildOptions) -> Cluster {
    let loaded = load_texts(&[("t.yaml", text)], &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    Cluster::build_with(loaded.objects, options)
}

pub(crate) fn party(c: &Cluster, name: &str) -> Party {
    match resolve(c, name, "default")
        .unwrap_or_else(|e| panic!("{e}"))
        .target
    {
        Target::Party(p) => p,
        Target::Service { .. } => panic!("service"),
    }
}

/// The allowed ports from → to, after checking that all three engines agree.
pub(crate) fn ports(c: &Cluster, from: &str, to: &str) -> String {
    let (src, dst) = (party(c, from), party(c, to));
    let reference = allowed_ports(c, src, dst);
    let explained = explain(c, src, dst, None).allowed;
    assert_eq!(
        reference, explained,
        "explanation disagrees on {from} -> {to}"
    );
    let m = Matrix::compute(c);
    let member = |p: Party| match p {
        Party::Endpoint(i) => i,
        Party::Address(ip) => {
            m.endpoints
                + m.externals
                    .iter()
                    .position(|r| r.contains(ip))
                    .expect("every address is in a range")
        }
    };
    if !(matches!(src, Party::Address(_)) && matches!(dst, Party::Address(_))) {
        assert_eq!(
            &reference,
            m.allowed(member(src), member(dst)),
            "matrix disagrees on {from} -> {to}"
        );
    }
    reference.to_string()
}

fn allowed(c: &Cluster, from: &str, to: &str, port: u16) -> bool {
    let set: PortSet = allowed_ports(c, party(c, from), party(c, to));
    let _ = ports(c, from, to);
    set.contains(crate::model::Protocol::Tcp, port)
}

#[test]
fn without_policies_everything_is_allowed() {
    let c = cluster("");
    assert_eq!(ports(&c, "a/web", "b/web"), "all");
    assert_eq!(ports(&c, "a/web", "8.8.8.8"), "all");
}

// "A pod is isolated for ingress if there is any NetworkPolicy that both selects the pod and
// has Ingress in its policyTypes."
#[test]
fn isolation_needs_a_policy_that_selects_the_pod_and_names_the_direction() {
    let c = cluster(&policy(
        "a",
        "deny",
        "podSelector: {matchLabels: {app: db}}\npolicyTypes: [Ingress]",
    ));
    assert_eq!(ports(&c, "b/client", "a/db"), "none");
    assert_eq!(
        ports(&c, "b/client", "a/web"),
        "all",
        "not selected: not isolated"
    );
    assert_eq!(
        ports(&c, "a/db", "b/client"),
        "all",
        "Ingress only: egress not isolated"
    );
}

// policyTypes defaulting: "If this field is not specified, it will default based on the
// existence of ingress or egress rules": Ingress always, Egress iff there are egress rules.
#[test]
fn omitted_policy_types_mean_ingress_plus_egress_iff_egress_has_rules() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {matchLabels: {app: web}}\negress:\n- to: [{podSelector: {matchLabels: {app: db}}}]",
    ));
    assert_eq!(
        ports(&c, "b/client", "a/web"),
        "none",
        "ingress isolated with no ingress rule"
    );
    assert_eq!(
        ports(&c, "a/web", "b/client"),
        "none",
        "egress isolated by its egress rule"
    );
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {matchLabels: {app: web}}\negress: []",
    ));
    assert_eq!(
        ports(&c, "a/web", "b/client"),
        "all",
        "empty egress: not an egress policy"
    );
}

// "Both the egress policy on the source pod and the ingress policy on the destination pod need
// to allow the connection."
#[test]
fn a_connection_needs_egress_at_the_source_and_ingress_at_the_destination() {
    let egress = policy(
        "b",
        "client-out",
        "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress:\n- to: [{namespaceSelector: {}}]\n  ports: [{port: 80}]",
    );
    let ingress = policy(
        "a",
        "web-in",
        "podSelector: {matchLabels: {app: web}}\ningress:\n- from: [{namespaceSelector: {}}]\n  ports: [{port: 80}, {port: 443}]",
    );
    let c = cluster(&format!("{egress}{ingress}"));
    assert_eq!(
        ports(&c, "b/client", "a/web"),
        "TCP 80",
        "the intersection of both sides"
    );
    assert_eq!(ports(&c, "b/client", "a/db"), "TCP 80");
}

// "Network policies do not conflict; they are additive."
#[test]
fn rules_and_policies_add_up_and_nothing_denies() {
    let p1 = policy(
        "a",
        "p1",
        "podSelector: {}\ningress:\n- ports: [{port: 80}]",
    );
    let p2 = policy(
        "a",
        "p2",
        "podSelector: {matchLabels: {app: web}}\ningress:\n- ports: [{port: 443}]\n- ports: [{port: 8080}]",
    );
    let c = cluster(&format!("{p1}{p2}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "TCP 80,443,8080");
    assert_eq!(ports(&c, "b/client", "a/db"), "TCP 80");
}

// "If this field is empty or missing, this rule matches all sources" — including addresses
// outside the cluster.
#[test]
fn missing_or_empty_from_matches_every_peer_including_external_addresses() {
    for rule in [
        "- ports: [{port: 80}]",
        "- from: []\n  ports: [{port: 80}]",
        "- from:\n  ports: [{port: 80}]",
    ] {
        let c = cluster(&policy(
            "a",
            "p",
            &format!("podSelector: {{}}\ningress:\n{rule}"),
        ));
        assert_eq!(ports(&c, "b/client", "a/web"), "TCP 80", "{rule}");
        assert_eq!(ports(&c, "192.0.2.1", "a/web"), "TCP 80", "{rule}");
    }
}

// "If this field is empty or missing, this rule matches all ports."
#[test]
fn missing_or_empty_ports_match_every_port_and_protocol() {
    for rule in [
        "- from: [{podSelector: {}}]",
        "- from: [{podSelector: {}}]\n  ports: []",
    ] {
        let c = cluster(&policy(
            "a",
            "p",
            &format!("podSelector: {{}}\ningress:\n{rule}"),
        ));
        assert_eq!(ports(&c, "a/db", "a/web"), "all", "{rule}");
    }
}

// The "allow all ingress" example of the docs: `ingress: [{}]`.
#[test]
fn one_empty_ingress_rule_allows_everything() {
    let deny = policy("a", "deny", "podSelector: {}\npolicyTypes: [Ingress]");
    let allow = policy("a", "allow", "podSelector: {}\ningress:\n- {}");
    let c = cluster(&format!("{deny}{allow}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(ports(&c, "203.0.113.9", "a/web"), "all");
}

// The "default deny all ingress" example: policyTypes [Ingress] and no rules.
#[test]
fn policy_types_ingress_without_rules_denies_all_ingress() {
    let c = cluster(&policy(
        "a",
        "deny",
        "podSelector: {}\npolicyTypes: [Ingress]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "none");
    assert_eq!(ports(&c, "a/db", "a/web"), "none", "same namespace too");
    assert_eq!(ports(&c, "a/web", "b/client"), "all");
}

// Upstream e2e "should enforce policy to allow traffic from pods within server namespace
// based on PodSelector": a podSelector alone selects pods of the policy's namespace only.
#[test]
fn pod_selector_alone_means_pods_of_the_policy_namespace() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- from: [{podSelector: {matchLabels: {app: web}}}]",
    ));
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(
        ports(&c, "b/web", "a/db"),
        "none",
        "same labels, other namespace"
    );
}

// "namespaceSelector ... selects all Pods in the namespaces selected".
#[test]
fn namespace_selector_alone_means_every_pod_of_matching_namespaces() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {team: blue}}}]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(ports(&c, "b/web", "a/web"), "all");
    assert_eq!(
        ports(&c, "a/db", "a/web"),
        "none",
        "own namespace is team=red"
    );
}

// "namespaceSelector and podSelector: A single to/from entry that specifies both ... selects
// particular Pods within particular namespaces."
#[test]
fn namespace_and_pod_selector_in_one_peer_are_anded() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {team: blue}}\n    podSelector: {matchLabels: {app: client}}",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(
        ports(&c, "b/web", "a/web"),
        "none",
        "right namespace, wrong pod"
    );
    assert_eq!(ports(&c, "a/db", "a/web"), "none");
}

// Two items in `from` are ORed: the classic AND/OR confusion.
#[test]
fn namespace_and_pod_selector_in_two_peers_are_ored() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {team: blue}}\n  - podSelector: {matchLabels: {app: client}}",
    ));
    assert_eq!(ports(&c, "b/web", "a/web"), "all", "any pod of team=blue");
    assert_eq!(
        ports(&c, "a/db", "a/web"),
        "none",
        "app=client only in the policy's namespace"
    );
}

// "An empty podSelector selects all pods"; an empty namespaceSelector all namespaces.
#[test]
fn empty_selectors_match_everything_in_their_scope() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- from: [{namespaceSelector: {}, podSelector: {}}]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(
        ports(&c, "198.51.100.1", "a/web"),
        "none",
        "selectors never match addresses"
    );
}

// matchExpressions operators: In, NotIn (also true when the key is absent), Exists,
// DoesNotExist. Upstream e2e "should enforce policy based on PodSelector with MatchExpressions".
#[test]
fn match_expression_operators() {
    let sel = |expr: &str| {
        policy(
            "a",
            "p",
            &format!(
                "podSelector: {{}}\ningress:\n- from: [{{namespaceSelector: {{}}, podSelector: {{matchExpressions: [{expr}]}}}}]"
            ),
        )
    };
    let c = cluster(&sel("{key: app, operator: In, values: [client, db]}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(ports(&c, "b/web", "a/web"), "none");
    let c = cluster(&sel("{key: app, operator: NotIn, values: [web]}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
    assert_eq!(ports(&c, "b/web", "a/web"), "none");
    let c = cluster(&sel("{key: tier, operator: NotIn, values: [x]}"));
    assert_eq!(
        ports(&c, "b/web", "a/web"),
        "all",
        "NotIn holds when the key is absent"
    );
    let c = cluster(&sel("{key: tier, operator: Exists}"));
    assert_eq!(ports(&c, "b/web", "a/web"), "none");
    let c = cluster(&sel("{key: tier, operator: DoesNotExist}"));
    assert_eq!(ports(&c, "b/web", "a/web"), "all");
}

// Every namespace has kubernetes.io/metadata.name (upstream e2e "should enforce policy to
// allow traffic based on NamespaceSelector with MatchLabels using default ns label"), also
// namespaces only implied by the objects in them.
#[test]
fn namespaces_carry_the_metadata_name_label_even_when_implied() {
    let extra = pod("c", "x", "app: x", "10.0.2.1")
        + &policy(
            "a",
            "p",
            "podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: c}}}]",
        );
    let c = cluster(&extra);
    assert_eq!(ports(&c, "c/x", "a/web"), "all");
    assert_eq!(ports(&c, "b/web", "a/web"), "none");
}

// ipBlock: "cidr ... except: a slice of CIDRs that should not be included within an IPBlock".
#[test]
fn ip_block_is_cidr_minus_except_for_external_addresses() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to: [{ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.128/25]}}]",
    ));
    assert_eq!(ports(&c, "a/web", "192.0.2.1"), "all");
    assert_eq!(ports(&c, "a/web", "192.0.2.200"), "none");
    assert_eq!(ports(&c, "a/web", "198.51.100.1"), "none");
}

#[test]
fn ip_block_handles_ipv6() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to: [{ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}]",
    ));
    assert_eq!(ports(&c, "a/web", "2001:db8::1"), "all");
    assert_eq!(ports(&c, "a/web", "2001:db8:1::1"), "none");
    assert_eq!(
        ports(&c, "a/web", "192.0.2.1"),
        "none",
        "an IPv6 block holds no IPv4 address"
    );
}

// Upstream e2e "should enforce except clause while egress access to server in CIDR block":
// ipBlocks match pods by their IPs.
#[test]
fn ip_block_matches_pods_by_their_known_ips() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress:\n- to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.2/32]}}]",
    ));
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "b/web"), "all");
    assert_eq!(ports(&c, "a/web", "b/client"), "none", "excepted IP");
}

// "The protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field
// defaults to TCP." Upstream e2e "should enforce ingress policy allowing any port traffic to
// a server on a specific protocol" and the SCTP/UDP cases.
#[test]
fn port_protocol_defaults_to_tcp_and_a_protocol_alone_means_all_its_ports() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- ports: [{port: 53}, {protocol: UDP}, {protocol: SCTP, port: 9}]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "TCP 53; UDP all; SCTP 9");
}

// "endPort indicates that the range of ports from port to endPort if set, inclusive".
#[test]
fn end_port_makes_an_inclusive_range() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- ports: [{port: 32000, endPort: 32768}]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "TCP 32000-32768");
    assert!(allowed(&c, "b/client", "a/web", 32768));
    assert!(!allowed(&c, "b/client", "a/web", 32769));
}

// Upstream e2e "should allow ingress access from namespace on one named port": a named port
// resolves on the destination pod.
#[test]
fn named_ports_resolve_on_the_destination_in_ingress_rules() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- ports: [{port: http}, {port: dns, protocol: UDP}]",
    ));
    assert_eq!(ports(&c, "b/client", "a/web"), "TCP 80; UDP 53");
}

// Named ports in egress rules resolve on the destination too, never on the source.
#[test]
fn named_ports_resolve_on_the_destination_in_egress_rules() {
    let extra = pod("b", "alt", "app: alt", "10.0.1.3")
        .replace("containerPort: 80}", "containerPort: 8080}")
        + &policy(
            "a",
            "p",
            "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress:\n- ports: [{port: http}]",
        );
    let c = cluster(&extra);
    assert_eq!(
        ports(&c, "a/web", "b/alt"),
        "TCP 8080",
        "b/alt names 8080 http"
    );
    assert_eq!(ports(&c, "a/web", "b/web"), "TCP 80");
    assert_eq!(
        ports(&c, "a/web", "203.0.113.1"),
        "none",
        "no containers outside the cluster"
    );
}

// A named port must match name and protocol; where it does not resolve it allows nothing.
#[test]
fn a_named_port_needs_its_protocol_and_allows_nothing_when_unresolved() {
    let c = cluster(&policy(
        "a",
        "p",
        "podSelector: {}\ningress:\n- ports: [{port: dns}, {port: nope}]",
    ));
    assert_eq!(
        ports(&c, "b/client", "a/web"),
        "none",
        "dns is UDP; the rule says TCP"
    );
}

// "traffic to and from the node where a Pod is running is always allowed" aside, a pod
// reaching its own IP never leaves it: upstream probes x/a → x/a expect it to succeed.
#[test]
fn a_pod_reaching_itself_is_always_allowed() {
    let c = cluster(&policy(
        "a",
        "deny",
        "podSelector: {}\npolicyTypes: [Ingress, Egress]",
    ));
    assert_eq!(ports(&c, "a/web", "a/web"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert!(explain(&c, party(&c, "a/web"), party(&c, "a/web"), None).loopback);
}

// hostNetwork pods: no policy selects them (so they are never isolated), and as peers only
// ipBlocks holding their IP match them.
#[test]
fn host_network_pods_are_never_selected_and_match_only_ip_blocks() {
    let host = pod("a", "agent", "app: agent", "10.9.0.1")
        .replace("spec:\n", "spec:\n  hostNetwork: true\n");
    let deny = policy(
        "a",
        "deny",
        "podSelector: {}\npolicyTypes: [Ingress, Egress]",
    );
    let allow = policy(
        "a",
        "web",
        "podSelector: {matchLabels: {app: web}}\ningress:\n- from: [{podSelector: {}}]\n- from: [{ipBlock: {cidr: 10.9.0.0/16}}]\n  ports: [{port: 9100}]",
    );
    let c = cluster(&format!("{host}{deny}{allow}"));
    assert_eq!(
        ports(&c, "a/web", "a/agent"),
        "none",
        "egress of a/web is denied"
    );
    assert_eq!(
        ports(&c, "b/client", "a/agent"),
        "all",
        "the agent is not isolated"
    );
    assert_eq!(
        ports(&c, "a/agent", "a/web"),
        "TCP 9100",
        "only the ipBlock rule matches it"
    );
    assert_eq!(
        ports(&c, "a/db", "a/web"),
        "none",
        "a/db's egress is denied"
    );
}

// Workloads stand for their pods: the template's labels and container ports, no IP.
#[test]
fn workload_endpoints_use_template_labels_and_ports_and_have_no_ip() {
    let deploy = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n      - ports: [{name: grpc, containerPort: 9000}]\n";
    let p = policy(
        "a",
        "p",
        "podSelector: {matchLabels: {app: api}}\ningress:\n- from: [{ipBlock: {cidr: 0.0.0.0/0}}]\n- ports: [{port: grpc}]",
    );
    let c = cluster(&format!("{deploy}{p}"));
    assert_eq!(
        ports(&c, "b/client", "a/deploy/api"),
        "all",
        "b/client's IP is in 0.0.0.0/0"
    );
    let p2 = policy(
        "b",
        "q",
        "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to: [{ipBlock: {cidr: 0.0.0.0/0}}]",
    );
    let c = cluster(&format!("{deploy}{p}{p2}"));
    assert_eq!(
        ports(&c, "b/client", "a/deploy/api"),
        "none",
        "a workload has no IP: the egress ipBlock does not hold it"
    );
}

// Replicas of one workload are different pods: no loopback shortcut between them.
#[test]
fn replicas_of_a_workload_reach_each_other_only_if_policy_allows() {
    let deploy = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c}]}\n";
    let c = cluster(&format!(
        "{deploy}{}",
        policy("a", "deny", "podSelector: {}\npolicyTypes: [Ingress]")
    ));
    assert_eq!(ports(&c, "a/deploy/api", "a/deploy/api"), "none");
}

// The API server rejects an invalid policy, so it has no effect.
#[test]
fn a_policy_the_api_server_would_reject_is_not_applied() {
    let c = cluster(&policy(
        "a",
        "bad",
        "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/33}}]",
    ));
    assert_eq!(c.not_applied.len(), 1);
    assert_eq!(ports(&c, "b/client", "a/web"), "all");
}

// kubectl apply of two objects with one name: the later one is what the cluster holds.
#[test]
fn a_later_policy_with_the_same_name_replaces_the_earlier() {
    let first = policy("a", "p", "podSelector: {}\npolicyTypes: [Ingress]");
    let second = policy(
        "a",
        "p",
        "podSelector: {}\ningress: [{ports: [{port: 80}]}]",
    );
    let c = cluster(&format!("{first}{second}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "TCP 80");
}

// kubectl apply of a valid object, then an invalid one with the same name: the API server
// rejects the second, so the first stays in force.
#[test]
fn a_later_invalid_policy_does_not_replace_the_earlier() {
    let first = policy("a", "p", "podSelector: {}\npolicyTypes: [Ingress]");
    let second = policy("a", "p", "podSelector: {}\ningress: [{ports: [{port: 0}]}]");
    let c = cluster(&format!("{first}{second}"));
    assert_eq!(ports(&c, "b/client", "a/web"), "none");
    assert_eq!(
        c.not_applied.get(&1),
        Some(&crate::model::NotApplied::Invalid)
    );
    assert!(c.is_applied(0));
}

// Policies of other namespaces never select a pod.
#[test]
fn a_policy_selects_pods_of_its_own_namespace_only() {
    let c = cluster(&policy(
        "b",
        "deny",
        "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Ingress]",
    ));
    assert_eq!(ports(&c, "a/db", "a/web"), "all");
    assert_eq!(ports(&c, "a/db", "b/web"), "none");
}

//! Tests pinning the semantics of every generation of the policy API: the cluster-wide tiers
//! (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy; network-policy-api
//! v1alpha1/v1alpha2) and the legacy namespaced APIs (net.alpha 2016, extensions/v1beta1 with
//! the 1.3–1.6 annotation model). As in `semantics_tests`, every answer is checked to agree
//! across the reference evaluator, the explanation and the matrix engine.

use super::semantics_tests::{cluster_of, cluster_with, ports};
use crate::model::{BuildOptions, Cluster, IsolationModel};

const BASE: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: y, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: y, labels: {app: c}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
";

fn anp(name: &str, prio: i64, subject: &str, rules: &str) -> String {
    let rules: String = rules.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  priority: {prio}\n  subject: {subject}\n{rules}"
    )
}

fn banp(subject: &str, rules: &str) -> String {
    let rules: String = rules.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {{name: default}}\nspec:\n  subject: {subject}\n{rules}"
    )
}

fn np(ns: &str, name: &str, spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}"
    )
}

fn cluster(extra: &str) -> Cluster {
    cluster_of(&format!("{BASE}{extra}"))
}

const ALL_NS: &str = "{namespaces: {}}";
const NS_X: &str = "{namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}}";

// "Allow: allows the selected traffic (even if it would otherwise have been denied by
// NetworkPolicy)".
#[test]
fn anp_allow_is_final_even_over_a_network_policy_deny() {
    let c = cluster(
        &[
            np("x", "deny", "podSelector: {}\npolicyTypes: [Ingress]"),
            anp(
                "let-y",
                10,
                NS_X,
                "ingress:\n- action: Allow\n  from: [{namespaces: {matchLabels: {team: blue}}}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(ports(&c, "y/c", "x/a"), "all");
    assert_eq!(
        ports(&c, "x/b", "x/a"),
        "none",
        "not matched by the ANP: NetworkPolicy denies"
    );
}

// "Deny: denies the selected traffic" — NetworkPolicy cannot allow it back.
#[test]
fn anp_deny_is_final_even_over_a_network_policy_allow() {
    let c = cluster(
        &[
            np("x", "allow", "podSelector: {}\ningress: [{}]"),
            anp(
                "no-y",
                10,
                NS_X,
                "ingress:\n- action: Deny\n  from: [{namespaces: {matchLabels: {team: blue}}}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(ports(&c, "y/c", "x/a"), "none");
    assert_eq!(ports(&c, "x/b", "x/a"), "all");
}

// "Pass: instructs the selected traffic to skip any remaining ANP rules, and then pass
// execution to any NetworkPolicies that select the pod."
#[test]
fn anp_pass_skips_lower_priority_anps_and_defers_to_network_policy() {
    let pass = anp(
        "pass",
        10,
        NS_X,
        "ingress:\n- action: Pass\n  from: [{namespaces: {}}]",
    );
    let deny = anp(
        "deny",
        20,
        NS_X,
        "ingress:\n- action: Deny\n  from: [{namespaces: {}}]",
    );
    let c = cluster(&[pass.clone(), deny.clone()].concat());
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "all",
        "passed, no NetworkPolicy, no BANP: allowed"
    );
    let c = cluster(
        &[
            pass,
            deny,
            np(
                "x",
                "only-b",
                "podSelector: {}\ningress: [{from: [{podSelector: {matchLabels: {app: b}}}]}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "none",
        "the NetworkPolicy decides after Pass"
    );
    assert_eq!(ports(&c, "x/b", "x/a"), "all");
}

// "Policies with lower priority values have higher precedence."
#[test]
fn a_lower_priority_number_is_consulted_first() {
    let allow = anp(
        "allow",
        5,
        NS_X,
        "ingress:\n- action: Allow\n  from: [{namespaces: {}}]",
    );
    let deny = anp(
        "deny",
        50,
        NS_X,
        "ingress:\n- action: Deny\n  from: [{namespaces: {}}]",
    );
    assert_eq!(
        ports(
            &cluster(&[deny.clone(), allow.clone()].concat()),
            "y/c",
            "x/a"
        ),
        "all"
    );
    let allow_late = anp(
        "allow",
        500,
        NS_X,
        "ingress:\n- action: Allow\n  from: [{namespaces: {}}]",
    );
    assert_eq!(
        ports(&cluster(&[deny, allow_late].concat()), "y/c", "x/a"),
        "none"
    );
}

// "The relative precedence of the rules within a single ANP ... determined by the order in
// which the rule is written": first match wins, port by port.
#[test]
fn rules_in_order_first_match_wins_port_by_port() {
    let c = cluster(&anp(
        "p",
        10,
        NS_X,
        "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  ports: [{portNumber: {protocol: TCP, port: 22}}]\n- action: Allow\n  from: [{namespaces: {}}]",
    ));
    let n = np("x", "deny", "podSelector: {}\npolicyTypes: [Ingress]");
    let c2 = cluster(&[anp("p", 10, NS_X, "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  ports: [{portNumber: {protocol: TCP, port: 22}}]\n- action: Allow\n  from: [{namespaces: {}}]"), n].concat());
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "TCP 1-21,23-65535; UDP all; SCTP all"
    );
    assert_eq!(
        ports(&c2, "y/c", "x/a"),
        "TCP 1-21,23-65535; UDP all; SCTP all",
        "allowed over the NetworkPolicy deny, 22 denied"
    );
}

// BaselineAdminNetworkPolicy applies only where no NetworkPolicy isolates the pod; first match.
#[test]
fn the_baseline_applies_only_where_network_policy_does_not_isolate() {
    let b = banp(
        ALL_NS,
        "ingress:\n- action: Deny\n  from: [{namespaces: {matchLabels: {team: blue}}}]\n- action: Allow\n  from: [{namespaces: {}}]",
    );
    let c = cluster(&b);
    assert_eq!(ports(&c, "y/c", "x/a"), "none", "baseline deny");
    assert_eq!(ports(&c, "x/b", "x/a"), "all", "baseline allow");
    let c = cluster(&[b, np("x", "allow-y", "podSelector: {matchLabels: {app: a}}\ningress: [{from: [{namespaceSelector: {}}]}]")].concat());
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "all",
        "the NetworkPolicy isolates x/a and allows: final"
    );
    assert_eq!(
        ports(&c, "y/c", "x/b"),
        "none",
        "x/b is not isolated: the baseline denies"
    );
}

// Egress is decided at the source and ingress at the destination: both must allow.
#[test]
fn tiers_apply_per_direction_and_a_connection_needs_both() {
    let egress_deny = anp(
        "out",
        10,
        "{namespaces: {matchLabels: {team: blue}}}",
        "egress:\n- action: Deny\n  to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}}]",
    );
    let ingress_allow = anp(
        "in",
        10,
        NS_X,
        "ingress:\n- action: Allow\n  from: [{namespaces: {}}]",
    );
    let c = cluster(&[egress_deny, ingress_allow].concat());
    assert_eq!(ports(&c, "y/c", "x/a"), "none");
    assert_eq!(ports(&c, "y/c", "x/b"), "all");
}

// Egress peers: `networks` match addresses and pod IPs; `nodes` match Node addresses.
#[test]
fn networks_and_nodes_peers() {
    let node = "---\napiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {role: worker}}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.10}, {type: Hostname, address: n1}]}\n";
    let p = anp(
        "out",
        10,
        NS_X,
        "egress:\n- action: Deny\n  to: [{networks: [10.0.1.0/24]}]\n- action: Deny\n  to: [{nodes: {matchLabels: {role: worker}}}]\n- action: Allow\n  to: [{networks: [0.0.0.0/0]}]",
    );
    let c = cluster(
        &[
            node,
            &p,
            &np("x", "deny-out", "podSelector: {}\npolicyTypes: [Egress]"),
        ]
        .concat(),
    );
    assert_eq!(
        ports(&c, "x/a", "y/c"),
        "none",
        "y/c's IP is in 10.0.1.0/24"
    );
    assert_eq!(ports(&c, "x/a", "192.168.0.10"), "none", "the worker node");
    assert_eq!(
        ports(&c, "x/a", "192.168.0.11"),
        "all",
        "0.0.0.0/0 allows over the NetworkPolicy"
    );
    assert_eq!(ports(&c, "x/a", "x/b"), "all", "networks match pod IPs too");
}

// Named ports resolve on the destination pod; ANP port forms.
#[test]
fn anp_port_forms_and_named_ports() {
    let p = anp(
        "p",
        10,
        NS_X,
        "ingress:\n- action: Allow\n  from: [{namespaces: {}}]\n  ports: [{namedPort: http}, {portRange: {protocol: UDP, start: 1000, end: 1010}}]\n- action: Deny\n  from: [{namespaces: {}}]",
    );
    let c = cluster(&p);
    assert_eq!(ports(&c, "y/c", "x/a"), "TCP 8080; UDP 1000-1010");
    assert_eq!(
        ports(&c, "y/c", "x/b"),
        "UDP 1000-1010",
        "x/b has no port named http"
    );
}

// "Note that host-networked pods are not included in subject selection."
#[test]
fn host_network_pods_are_never_subjects() {
    let host = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: h, namespace: x}\nspec: {hostNetwork: true, containers: [{name: c}]}\nstatus: {podIP: 192.168.0.10}\n";
    let c = cluster(
        &[
            host,
            &anp(
                "p",
                10,
                NS_X,
                "ingress:\n- action: Deny\n  from: [{namespaces: {}}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(ports(&c, "y/c", "x/h"), "all");
    assert_eq!(ports(&c, "y/c", "x/a"), "none");
}

// ClusterNetworkPolicy: Admin tier, then NetworkPolicy, then Baseline tier; Accept/Deny/Pass.
#[test]
fn cluster_network_policy_tiers_and_protocols() {
    let cnp = |name: &str, tier: &str, prio: i64, rules: &str| {
        let rules: String = rules.lines().map(|l| format!("  {l}\n")).collect();
        format!(
            "---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  tier: {tier}\n  priority: {prio}\n  subject: {NS_X}\n{rules}"
        )
    };
    let admin = cnp(
        "admin",
        "Admin",
        10,
        "ingress:\n- action: Accept\n  from: [{namespaces: {matchLabels: {team: blue}}}]\n  protocols: [{tcp: {destinationPort: {number: 443}}}, {udp: {destinationPort: {range: {start: 53, end: 54}}}}]\n- action: Pass\n  from: [{namespaces: {}}]",
    );
    let base = cnp(
        "base",
        "Baseline",
        10,
        "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  protocols: [{destinationNamedPort: http}]",
    );
    let c = cluster(&[admin.clone(), base.clone()].concat());
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "TCP 1-8079,8081-65535; UDP all; SCTP all",
        "Pass → baseline denies the named port only"
    );
    let c = cluster(
        &[
            admin,
            base,
            np("x", "deny", "podSelector: {}\npolicyTypes: [Ingress]"),
        ]
        .concat(),
    );
    assert_eq!(
        ports(&c, "y/c", "x/a"),
        "TCP 443; UDP 53-54",
        "Accept over the NetworkPolicy deny"
    );
    assert_eq!(ports(&c, "x/b", "x/a"), "none");
}

// A cluster-wide policy the CRD validation refuses is not applied.
#[test]
fn an_invalid_cluster_policy_is_not_applied() {
    let c = cluster(&anp(
        "bad",
        10,
        NS_X,
        "ingress:\n- action: Accept\n  from: [{namespaces: {}}]",
    ));
    assert_eq!(c.cluster_not_applied.len(), 1, "ANP has no Accept action");
    let c = cluster(
        &banp(NS_X, "ingress:\n- action: Deny\n  from: [{namespaces: {}}]")
            .replace("name: default", "name: other"),
    );
    assert_eq!(
        c.cluster_not_applied.len(),
        1,
        "a BANP must be named default"
    );
    assert_eq!(ports(&c, "y/c", "x/a"), "all");
}

fn alpha(ns: &str, name: &str, spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: net.alpha.kubernetes.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}"
    )
}

fn isolate(text: &str, ns: &str, annotation: &str) -> String {
    text.replace(
        &format!("metadata: {{name: {ns}, labels:"),
        &format!("metadata: {{annotations: {{{annotation}}}, name: {ns}, labels:"),
    )
}

// The 2016 alpha API: isolation by namespace annotation; policies allow ingress only there.
#[test]
fn alpha_isolation_is_per_namespace_and_its_policies_allow_ingress() {
    let policy = alpha(
        "x",
        "allow-b",
        "podSelector: {app: a}\nallowIncoming:\n  from:\n  - pods: {app: b}\n  toPorts:\n  - {port: 80, protocol: TCP}",
    );
    let on = cluster_of(&isolate(
        &format!("{BASE}{policy}"),
        "x",
        "net.alpha.kubernetes.io/network-isolation: 'on'",
    ));
    assert_eq!(ports(&on, "x/b", "x/a"), "TCP 80");
    assert_eq!(ports(&on, "y/c", "x/a"), "none");
    assert_eq!(
        ports(&on, "y/c", "x/b"),
        "none",
        "every pod of the namespace is isolated"
    );
    assert_eq!(
        ports(&on, "x/a", "y/c"),
        "all",
        "egress is never restricted"
    );
    let off = cluster_of(&format!("{BASE}{policy}"));
    assert_eq!(
        ports(&off, "y/c", "x/a"),
        "all",
        "without isolation the namespace's policies have no effect"
    );
}

// Calico's k8s-policy dialect of the time: spec.ingress with pods/namespaces and ports.
#[test]
fn calico_alpha_dialect() {
    let policy = alpha(
        "x",
        "calico",
        "podSelector: {}\ningress:\n- from:\n  - namespaces: {team: blue}\n  ports:\n  - {protocol: tcp, port: 443}",
    );
    let c = cluster_of(&isolate(
        &format!("{BASE}{policy}"),
        "x",
        "net.alpha.kubernetes.io/network-isolation: 'yes'",
    ));
    assert_eq!(ports(&c, "y/c", "x/a"), "TCP 443");
    assert_eq!(ports(&c, "x/b", "x/a"), "none");
}

// extensions/v1beta1: today's semantics by default; with the 1.3–1.6 annotation model, a
// namespace isolates ingress only with the DefaultDeny annotation, and without it its
// policies have no effect.
#[test]
fn beta_policies_under_both_isolation_models() {
    let policy = np("x", "allow-b", "podSelector: {matchLabels: {app: a}}\ningress: [{from: [{podSelector: {matchLabels: {app: b}}}]}]").replace("networking.k8s.io/v1", "extensions/v1beta1");
    let per_pod = cluster_of(&format!("{BASE}{policy}"));
    assert_eq!(ports(&per_pod, "y/c", "x/a"), "none");
    assert_eq!(ports(&per_pod, "y/c", "x/b"), "all");
    let annotation = BuildOptions {
        isolation: IsolationModel::Annotation,
        ..BuildOptions::default()
    };
    let plain = cluster_with(&format!("{BASE}{policy}"), &annotation);
    assert_eq!(
        ports(&plain, "y/c", "x/a"),
        "all",
        "no DefaultDeny: the policy has no effect"
    );
    for key in [
        "net.beta.kubernetes.io/network-policy",
        "net.beta.kubernetes.io/networkpolicy",
    ] {
        let text = isolate(
            &format!("{BASE}{policy}"),
            "x",
            &format!("{key}: '{{\"ingress\": {{\"isolation\": \"DefaultDeny\"}}}}'"),
        );
        let c = cluster_with(&text, &annotation);
        assert_eq!(ports(&c, "x/b", "x/a"), "all", "{key}");
        assert_eq!(ports(&c, "y/c", "x/a"), "none", "{key}");
        assert_eq!(
            ports(&c, "y/c", "x/b"),
            "none",
            "{key}: the namespace isolates every pod"
        );
    }
}

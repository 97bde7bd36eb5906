//! Tests pinning Cilium's semantics (cilium.io/v2 CiliumNetworkPolicy,
//! CiliumClusterwideNetworkPolicy, CiliumCIDRGroup), one per rule, each citing its source:
//! cilium/cilium's Go code (`pkg/k8s/apis/cilium.io/utils/utils.go`, `pkg/policy/repository.go`,
//! `pkg/policy/rule.go`, `pkg/policy/api/*.go`, `pkg/labels/cidr.go`, ...) and docs.cilium.io
//! ("Layer 3 Policies", "Layer 4 Policies", "Deny Policies", "Policy Enforcement Modes",
//! "Kubernetes Network Policies"). As in `semantics_tests`, every answer is checked to agree
//! across the evaluator, the explanation and the matrix engine.
//!
//! Tests marked `#[ignore]` state what Cilium does where the simulator answers otherwise; the
//! reason names the evidence.

use super::semantics_tests::{cluster_of, cluster_with, ports};
use crate::model::{BuildOptions, CiliumEnforcement, Cluster, Cni, Direction};

/// Two Nodes: node-1 (172.18.0.2, pod CIDR 10.244.0.0/24) and node-2 (172.18.0.3,
/// 10.244.1.0/24). Namespaces a {team: x} and b {team: y}; the ServiceAccount a/robot.
/// Pods: a/web (app=web, pod-template-hash=5d8f7c, service account robot, node-1,
/// 10.244.0.10, ports http 8080/TCP and 9090/TCP unnamed), a/db (app=db, node-2, 10.244.1.20,
/// port pg 5432/TCP), a/cache (app=cache, node-2, 10.244.1.21), b/cli (app=cli, node-1,
/// 10.244.0.30), and a/agent (app=agent, hostNetwork on node-1: 172.18.0.2). The Service
/// a/db-svc selects app=db.
const BASE: &str = "
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {zone: z1}}
spec: {podCIDR: 10.244.0.0/24}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-2, labels: {zone: z2}}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: y}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: a}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web, pod-template-hash: 5d8f7c}}
spec:
  nodeName: node-1
  serviceAccountName: robot
  containers: [{name: c, ports: [{name: http, containerPort: 8080}, {containerPort: 9090}]}]
status: {podIP: 10.244.0.10}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec:
  nodeName: node-2
  containers: [{name: c, ports: [{name: pg, containerPort: 5432}]}]
status: {podIP: 10.244.1.20}
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: a, labels: {app: cache}}
spec: {nodeName: node-2, containers: [{name: c}]}
status: {podIP: 10.244.1.21}
---
apiVersion: v1
kind: Pod
metadata: {name: cli, namespace: b, labels: {app: cli}}
spec: {nodeName: node-1, containers: [{name: c}]}
status: {podIP: 10.244.0.30}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: agent}}
spec: {nodeName: node-1, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 172.18.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: db-svc, namespace: a, labels: {tier: data}}
spec: {selector: {app: db}, ports: [{port: 5432}]}
";

/// An address outside the cluster.
const EXT: &str = "1.1.1.1";
/// node-1's address: the hostNetwork pod a/agent has it.
const NODE1: &str = "172.18.0.2";
/// node-2's address (no pod has it).
const NODE2: &str = "172.18.0.3";
/// An address inside node-2's pod CIDR that is no pod's.
const IN_POD_CIDR: &str = "10.244.1.99";

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// A cilium.io/v2 document of `kind` with this metadata and top-level body (`spec:`, `specs:`).
fn cilium(kind: &str, meta: &str, body: &str) -> String {
    format!("---\napiVersion: cilium.io/v2\nkind: {kind}\nmetadata: {meta}\n{body}\n")
}

/// A CiliumNetworkPolicy with one rule, `spec`.
fn cnp(ns: &str, name: &str, spec: &str) -> String {
    cilium(
        "CiliumNetworkPolicy",
        &format!("{{name: {name}, namespace: {ns}}}"),
        &format!("spec:\n{}", indent(spec)),
    )
}

/// A CiliumClusterwideNetworkPolicy with one rule, `spec`.
fn ccnp(name: &str, spec: &str) -> String {
    cilium(
        "CiliumClusterwideNetworkPolicy",
        &format!("{{name: {name}}}"),
        &format!("spec:\n{}", indent(spec)),
    )
}

fn k8s(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{}",
        indent(spec)
    )
}

fn cluster(extra: &[String]) -> Cluster {
    cluster_of(&format!("{BASE}{}", extra.concat()))
}

fn cluster_opts(extra: &[String], options: &BuildOptions) -> Cluster {
    cluster_with(&format!("{BASE}{}", extra.concat()), options)
}

/// Whether some warning of the cluster contains `text`.
fn warned(c: &Cluster, text: &str) -> bool {
    c.warnings.iter().any(|(_, w)| w.contains(text))
}

// docs.cilium.io "Layer 3 Policies", "Ingress/Egress Default Deny": a rule that selects an
// endpoint and has an ingress section puts it in default deny, `ingress: [{}]` being the
// example that allows nothing. `repository.go` (`computePolicyEnforcementAndRules`) counts
// items: `len(r.Ingress) > 0 || len(r.IngressDeny) > 0`, so `ingress: []` enforces nothing.
// `rule.go` (`mergeIngress`): a rule with no peer and no port selects nothing.
#[test]
fn an_empty_rule_denies_all_and_an_empty_list_enforces_nothing() {
    let c = cluster(&[cnp("a", "p", "endpointSelector: {}\ningress: [{}]")]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, "a/db", "b/cli"), "all", "egress is not enforced");
    let c = cluster(&[cnp("a", "p", "endpointSelector: {}\negress: [{}]")]);
    assert_eq!(ports(&c, "a/db", "b/cli"), "none");
    assert_eq!(ports(&c, "a/db", EXT), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all", "ingress is not enforced");
    // `ingress: []` beside a rule of the other direction: only that direction is enforced.
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {}\ningress: []\negress: [{toEndpoints: [{}]}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "a/db", "a/web"), "all");
    assert_eq!(ports(&c, "a/db", "b/cli"), "none");
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {}\negress: []\ningress: [{fromEndpoints: [{}]}]",
    )]);
    assert_eq!(ports(&c, "a/db", EXT), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
}

// utils.go (`ParseToCiliumRule`): a CNP's endpointSelector gets
// `k8s:io.kubernetes.pod.namespace: <policy namespace>` added, replacing one written with
// that key (test "parse-in-namespace-with-ns-selector" in utils_test.go). repository.go
// (`computePolicyEnforcementAndRules`): no policy applies to the host identity, which
// hostNetwork pods have, unless the host firewall is enabled.
#[test]
fn a_cnp_selects_pods_of_its_own_namespace_only() {
    let c = cluster(&[cnp("a", "p", "endpointSelector: {}\ningress: [{}]")]);
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
    assert_eq!(ports(&c, "a/web", "b/cli"), "all", "b/cli is not selected");
    assert_eq!(
        ports(&c, "b/cli", "a/agent"),
        "all",
        "a hostNetwork pod is never selected"
    );
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {'k8s:io.kubernetes.pod.namespace': b}}\ningress: [{}]",
    )]);
    assert_eq!(ports(&c, "a/web", "b/cli"), "all", "namespace b is not a's");
    assert_eq!(
        ports(&c, "b/cli", "a/web"),
        "none",
        "replaced by namespace a"
    );
}

// utils.go (`ParseToCiliumRule`): only the key `k8s:io.kubernetes.pod.namespace` is replaced
// (`AddMatch` overwrites that one key of matchLabels). A key written without source is read
// as `any:io.kubernetes.pod.namespace` (`EndpointSelector.UnmarshalJSON`,
// `labels.GetExtendedKeyFrom`), and a matchExpressions requirement is kept as it is: both stay
// beside the added `k8s:io.kubernetes.pod.namespace: a`, and no pod is in two namespaces.
#[test]
fn another_namespace_written_without_k8s_prefix_in_a_cnp_selects_nothing() {
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: b}}\ningress: [{}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/web"), "all");
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector:\n  matchExpressions: [{key: 'k8s:io.kubernetes.pod.namespace', operator: In, values: [b]}]\ningress: [{}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/web"), "all");
}

// utils.go (`ParseToCiliumRule`): a CCNP (no namespace) gets no namespace match, so its
// endpointSelector selects in every namespace; the host identity of hostNetwork pods is
// never a subject (repository.go, `computePolicyEnforcementAndRules`).
#[test]
fn a_ccnp_selects_in_every_namespace_but_never_host_network_pods() {
    let c = cluster(&[ccnp("p", "endpointSelector: {}\ningress: [{}]")]);
    assert_eq!(ports(&c, "a/web", "b/cli"), "none");
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
    assert_eq!(ports(&c, "b/cli", "a/agent"), "all");
    assert_eq!(ports(&c, NODE2, "a/agent"), "all");
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: b}}\ningress: [{}]",
    )]);
    assert_eq!(ports(&c, "a/web", "b/cli"), "none");
    assert_eq!(ports(&c, "b/cli", "a/web"), "all");
}

// utils.go (`getEndpointSelector`): in a CNP, a fromEndpoints/toEndpoints selector gets
// `k8s:io.kubernetes.pod.namespace: <policy namespace>` unless it has the key
// `k8s:`/`any:io.kubernetes.pod.namespace` (an unprefixed key is `any:`) or a key with the
// prefix `k8s:`/`any:io.cilium.k8s.namespace.labels.`. docs "Kubernetes Network Policies",
// "Namespaces": "by default, fromEndpoints ... only select endpoints in the namespace of the
// policy".
#[test]
fn cnp_endpoint_peers_are_confined_to_the_policy_namespace_unless_they_name_one() {
    let rule = |sel: &str| {
        cnp(
            "a",
            "p",
            &format!(
                "endpointSelector: {{matchLabels: {{app: db}}}}\ningress: [{{fromEndpoints: [{sel}]}}]"
            ),
        )
    };
    let c = cluster(&[rule("{matchLabels: {app: cli}}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    for key in [
        "io.kubernetes.pod.namespace",
        "'k8s:io.kubernetes.pod.namespace'",
        "'any:io.kubernetes.pod.namespace'",
    ] {
        let c = cluster(&[rule(&format!("{{matchLabels: {{{key}: b, app: cli}}}}"))]);
        assert_eq!(ports(&c, "b/cli", "a/db"), "all", "{key}");
        assert_eq!(ports(&c, "a/web", "a/db"), "none", "{key}");
    }
    for key in [
        "io.cilium.k8s.namespace.labels.team",
        "'k8s:io.cilium.k8s.namespace.labels.team'",
    ] {
        let c = cluster(&[rule(&format!("{{matchLabels: {{{key}: y}}}}"))]);
        assert_eq!(ports(&c, "b/cli", "a/db"), "all", "{key}");
        assert_eq!(ports(&c, "a/web", "a/db"), "none", "{key}");
    }
    // A namespace selected by an expression on the name.
    let c = cluster(&[rule(
        "{matchExpressions: [{key: io.kubernetes.pod.namespace, operator: Exists}]}",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
}

// utils.go (`getEndpointSelector`): `fromEndpoints: [{}]` in a CNP is every pod of the
// policy's namespace; in a CCNP it gets `k8s:io.kubernetes.pod.namespace Exists` (test
// "wildcard-to-from-endpoints-with-ccnp"): every pod of the cluster, but no reserved
// identity (world, host, remote-node), which carries no namespace label.
#[test]
fn an_empty_from_endpoints_is_every_pod_of_the_namespace_or_of_the_cluster() {
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(
        ports(&c, NODE1, "a/db"),
        "none",
        "the hostNetwork pod a/agent"
    );
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
}

// pkg/labels (`GetExtendedKeyFrom`): a key without source is `any:`, which matches a label
// of any source; pods' labels are of source `k8s`. Identities also carry
// `io.cilium.k8s.namespace.labels.<key>` (the namespace's labels) and
// `io.cilium.k8s.policy.serviceaccount`, the pod's `spec.serviceAccountName`, which the
// API server's ServiceAccount admission sets to `default` when absent (pkg/k8s/utils
// `SanitizePodLabels`; docs "Kubernetes Network Policies": "Service Accounts"). The default
// identity label filter (pkg/labelsfilter, `defaultLabelPrefixCfg`: `!pod-template-hash`)
// leaves pod-template-hash out of identities: a selector on it matches no pod.
#[test]
fn selector_keys_read_pod_namespace_and_service_account_labels() {
    let rule = |sel: &str| {
        ccnp(
            "p",
            &format!(
                "endpointSelector: {{matchLabels: {{app: db}}}}\ningress: [{{fromEndpoints: [{sel}]}}]"
            ),
        )
    };
    for key in ["app", "'k8s:app'", "'any:app'"] {
        let c = cluster(&[rule(&format!("{{matchLabels: {{{key}: web}}}}"))]);
        assert_eq!(ports(&c, "a/web", "a/db"), "all", "{key}");
        assert_eq!(ports(&c, "a/cache", "a/db"), "none", "{key}");
    }
    let c = cluster(&[rule(
        "{matchLabels: {io.cilium.k8s.namespace.labels.team: y}}",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[rule(
        "{matchLabels: {io.cilium.k8s.policy.serviceaccount: robot}}",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none");
    let c = cluster(&[rule(
        "{matchLabels: {'k8s:io.cilium.k8s.policy.serviceaccount': default}}",
    )]);
    assert_eq!(
        ports(&c, "a/cache", "a/db"),
        "all",
        "no serviceAccountName: default"
    );
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[rule("{matchLabels: {pod-template-hash: 5d8f7c}}")]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    // The filtered label in the endpointSelector: the policy selects no pod.
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {pod-template-hash: 5d8f7c}}\ningress: [{}]",
    )]);
    assert_eq!(ports(&c, "a/db", "a/web"), "all");
}

// docs "Deny Policies": "Deny policies take precedence over allow policies, regardless of
// whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a
// Kubernetes Network Policy."
#[test]
fn deny_rules_beat_every_allow() {
    let deny_web = "endpointSelector: {matchLabels: {app: db}}\ningressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]";
    // In the same policy.
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{}]}]\ningressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "a/cache", "a/db"), "all");
    // In another CNP, and in a CCNP.
    let allow = cnp(
        "a",
        "allow",
        "endpointSelector: {}\ningress: [{fromEntities: [all]}]",
    );
    for deny in [cnp("a", "deny", deny_web), ccnp("deny", deny_web)] {
        let c = cluster(&[allow.clone(), deny]);
        assert_eq!(ports(&c, "a/web", "a/db"), "none");
        assert_eq!(ports(&c, "a/cache", "a/db"), "all");
        assert_eq!(ports(&c, EXT, "a/db"), "all");
    }
    // Over a CCNP's allow and a Kubernetes NetworkPolicy's.
    let c = cluster(&[
        ccnp(
            "allow",
            "endpointSelector: {}\ningress: [{fromEntities: [all]}]",
        ),
        cnp("a", "deny", deny_web),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[
        k8s("a", "allow", "podSelector: {}\ningress: [{}]"),
        cnp("a", "deny", deny_web),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    // A deny on a port takes that port only.
    let c = cluster(&[
        allow,
        cnp(
            "a",
            "deny",
            "endpointSelector: {matchLabels: {app: db}}\ningressDeny: [{toPorts: [{ports: [{port: '5432', protocol: TCP}]}]}]",
        ),
    ]);
    assert_eq!(
        ports(&c, "a/web", "a/db"),
        "TCP 1-5431,5433-65535; UDP all; SCTP all"
    );
}

// repository.go (`computePolicyEnforcementAndRules`): `len(r.Ingress) > 0 ||
// len(r.IngressDeny) > 0` enables ingress enforcement, and `Rule.Sanitize` defaults
// `enableDefaultDeny.ingress` to that same test. docs "Deny Policies": "Similarly to allow
// policies, Pods will enter default-deny mode as soon a single policy selects it."
#[test]
fn a_deny_only_policy_still_isolates() {
    let c = cluster(&[cnp(
        "a",
        "deny",
        "endpointSelector: {matchLabels: {app: db}}\ningressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none", "default deny");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, "a/db", "a/web"), "all", "egress is not enforced");
}

// repository.go (`computePolicyEnforcementAndRules`): a rule with `enableDefaultDeny`
// false enables enforcement without default deny; when no selecting rule asks for default
// deny, a wildcard allow-all rule is added (`wildcardRule`), so its deny rules apply and
// everything else passes. "If multiple policies apply to an endpoint, that endpoint's
// default deny will be enabled if any policy requests it" (api.Rule `EnableDefaultDeny`).
#[test]
fn enable_default_deny_false_adds_rules_without_isolating() {
    let no_default_deny = cnp(
        "a",
        "guard",
        "endpointSelector: {matchLabels: {app: db}}\nenableDefaultDeny: {ingress: false}\ningressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]\ningress: [{fromEndpoints: [{matchLabels: {app: cache}}]}]",
    );
    let c = cluster(std::slice::from_ref(&no_default_deny));
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "a/cache", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all", "not isolated");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    // Another policy with default deny selecting the pod isolates it.
    let c = cluster(&[
        no_default_deny,
        ccnp(
            "strict",
            "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEntities: [world]}]",
        ),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(
        ports(&c, "a/cache", "a/db"),
        "all",
        "the first policy's allow"
    );
    assert_eq!(ports(&c, EXT, "a/db"), "all", "the second policy's allow");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// docs "Kubernetes Network Policies" (policy/kubernetes): Kubernetes NetworkPolicies are
// converted to Cilium rules in the same repository; allow rules of every selecting policy
// are merged (repository.go `resolvePolicyLocked`, rule.go `mergeIngress`): they add up.
#[test]
fn kubernetes_and_cilium_allows_add_up() {
    let c = cluster(&[
        k8s(
            "a",
            "web",
            "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]",
        ),
        cnp(
            "a",
            "cli",
            "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: b}}], toPorts: [{ports: [{port: '9000', protocol: UDP}]}]}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "TCP 5432");
    assert_eq!(ports(&c, "b/cli", "a/db"), "UDP 9000");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none");
}

// cilium/cilium#35212 (joestringer: "Cilium first classifies traffic into whether it is
// inside the cluster or outside the cluster, and then applies IP/CIDR matches for traffic
// outside the cluster"), #9209, docs "Layer 3 Policies" > "Selecting nodes with CIDR /
// ipBlock": "By default, CIDR-based selectors do not match in-cluster entities (pods or
// nodes)". A Kubernetes NetworkPolicy's ipBlock holding pod IPs matches them with the
// Kubernetes API's meaning (`--cni kubernetes`), not under Cilium.
#[test]
fn ip_blocks_do_not_match_pods_or_nodes_under_cilium() {
    let policy = k8s(
        "a",
        "p",
        "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]",
    );
    let with_cilium = BuildOptions {
        cni: Some(Cni::Cilium),
        ..Default::default()
    };
    let c = cluster_opts(std::slice::from_ref(&policy), &with_cilium);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    // Inferred: the input holds a Cilium object.
    let group = cilium(
        "CiliumCIDRGroup",
        "{name: g}",
        "spec: {externalCIDRs: [198.51.100.0/24]}",
    );
    let c = cluster(&[policy.clone(), group]);
    assert_eq!(c.cni, Cni::Cilium);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    let kubernetes = BuildOptions {
        cni: Some(Cni::Kubernetes),
        ..Default::default()
    };
    let c = cluster_opts(&[policy], &kubernetes);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
}

// api/entity.go (`EntitySelectorMapping`, `InitEntities`) and docs "Layer 3 Policies" >
// "Entities based": world is "all endpoints outside of the cluster" (reserved:world, never a
// pod or a node); cluster is every endpoint of the local cluster plus host, remote-node,
// init, health...; all is everything. An address inside a node's pod CIDR that no pod of
// the input has is taken to be an unlisted pod, not world (Cilium itself gives an unused
// address there the world identity: pkg/node/manager `podCIDREntries`, `worldLabelForPrefix`;
// but an address that sends traffic there is a pod's).
#[test]
fn entities_world_cluster_and_all() {
    let from = |entity: &str| {
        ccnp(
            "p",
            &format!(
                "endpointSelector: {{matchLabels: {{app: db}}}}\ningress: [{{fromEntities: [{entity}]}}]"
            ),
        )
    };
    let c = cluster(&[from("world")]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, "a/agent", "a/db"), "none");
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
    assert_eq!(ports(&c, IN_POD_CIDR, "a/db"), "none");
    let c = cluster(&[from("cluster")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/agent", "a/db"), "all");
    assert_eq!(ports(&c, NODE2, "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    let c = cluster(&[from("all")]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, NODE2, "a/db"), "all");
    // Egress to world.
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [world]}]",
    )]);
    assert_eq!(ports(&c, "a/web", EXT), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "a/web", NODE2), "none");
    assert_eq!(ports(&c, "a/web", "a/agent"), "none");
}

// docs "Layer 3 Policies" > "Entities based": "host: the local host. This also includes all
// containers running in host networking mode on the local host"; "remote-node: any node ...
// other than the local host. This also includes all containers running in host-networking
// mode on remote nodes". Node addresses get reserved:host on their own node and
// reserved:remote-node elsewhere (pkg/node/manager, `nodeIdentityLabels`).
#[test]
fn host_is_the_pod_s_own_node_and_remote_node_the_others() {
    let from = |entity: &str| {
        ccnp(
            "p",
            &format!("endpointSelector: {{}}\ningress: [{{fromEntities: [{entity}]}}]"),
        )
    };
    // a/web runs on node-1, a/db on node-2; a/agent is node-1's host network.
    let c = cluster(&[from("host")]);
    assert_eq!(ports(&c, "a/agent", "a/web"), "all");
    assert_eq!(ports(&c, NODE2, "a/web"), "none");
    assert_eq!(ports(&c, NODE2, "a/db"), "all");
    assert_eq!(ports(&c, "a/agent", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
    let c = cluster(&[from("remote-node")]);
    assert_eq!(ports(&c, NODE2, "a/web"), "all");
    assert_eq!(
        ports(&c, "a/agent", "a/web"),
        "all",
        "not remote, but a/web's own node (allow-localhost)"
    );
    assert_eq!(ports(&c, "a/agent", "a/db"), "all");
    assert_eq!(ports(&c, NODE1, "a/db"), "all");
    assert_eq!(
        ports(&c, NODE2, "a/db"),
        "all",
        "not remote, but its own node reaches it (allow-localhost)"
    );
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    // Egress.
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [host]}]",
    )]);
    assert_eq!(ports(&c, "a/web", NODE1), "all");
    assert_eq!(ports(&c, "a/web", NODE2), "none");
    // The same selector written with the reserved label.
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toEndpoints: [{matchLabels: {'reserved:remote-node': ''}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", NODE2), "all");
    assert_eq!(ports(&c, "a/web", NODE1), "none");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// api/entity.go: `world-ipv4` maps to `reserved:world-ipv4`, but the CRD's enum on Entity
// (`+kubebuilder:validation:Enum=all;world;cluster;host;init;ingress;unmanaged;remote-node;
// health;none;kube-apiserver`) does not list it: the API server refuses it as an entity. It
// can be written as a reserved label, which the simulator reads as world in IPv4 (dual-stack
// mode, where the world identity of IPv4 addresses is reserved:world-ipv4, labels/cidr.go
// `AddWorldLabel`).
#[test]
fn world_ipv4_is_refused_as_an_entity_and_is_ipv4_world_as_a_label() {
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEntities: [world-ipv4]}]",
    )]);
    assert!(!c.cilium_applied(0));
    assert_eq!(ports(&c, EXT, "a/db"), "all", "the policy is not applied");
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {'reserved:world-ipv4': ''}}]}]",
    )]);
    assert!(c.cilium_applied(0));
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
}

// labels/cidr.go (`AddWorldLabel`): unless the agent runs dual-stack, addresses outside the
// cluster have the identity reserved:world, not reserved:world-ipv4 (and the agent maps
// 0.0.0.0/0 to ReservedIdentityWorld when IPv6 is off). So in an IPv4-only cluster (Cilium's
// default, `ipv6.enabled: false`) `reserved:world-ipv4` selects nothing.
#[test]
fn world_ipv4_selects_nothing_in_a_single_stack_cluster() {
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {'reserved:world-ipv4': ''}}]}]",
    )]);
    assert_eq!(ports(&c, EXT, "a/db"), "none");
}

// docs "Layer 3 Policies" > "Access to/from local host": "Kubernetes will automatically allow
// all communication from the local host of all local endpoints. You can run the agent with
// the option --allow-localhost=policy to disable this behavior". The agent turns the default
// `auto` into `always` under Kubernetes (daemon/cmd "k8s mode: Allowing localhost to reach
// local endpoints"), and policy computation then inserts an allow from reserved:host on
// ingress (pkg/policy mapstate.go `determineAllowLocalhostIngress`).
#[test]
fn the_local_node_always_reaches_its_pods() {
    let c = cluster(&[cnp("a", "p", "endpointSelector: {}\ningress: [{}]")]);
    assert_eq!(ports(&c, "a/agent", "a/web"), "all", "same node");
    assert_eq!(ports(&c, "a/agent", "a/db"), "none", "another node");
}

// docs "Layer 3 Policies" > "IP/CIDR based": "CIDR rules do not apply to traffic where both
// sides of the connection are either managed by Cilium or use an IP belonging to a node in
// the cluster (including host networking pods)"; `except` removes subnets; CIDR groups
// (docs "CiliumCIDRGroup") are referenced by `cidrGroupRef`.
#[test]
fn cidr_rules_match_outside_addresses_only() {
    let egress = |rule: &str| {
        ccnp(
            "p",
            &format!("endpointSelector: {{matchLabels: {{app: web}}}}\negress: [{rule}]"),
        )
    };
    let c = cluster(&[egress(
        "{toCIDR: [10.244.0.0/16, 172.18.0.0/16, 1.1.1.0/24]}",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none", "a pod in the CIDR");
    assert_eq!(ports(&c, "a/web", NODE2), "none", "a node in the CIDR");
    assert_eq!(ports(&c, "a/web", "a/agent"), "none", "a hostNetwork pod");
    assert_eq!(ports(&c, "a/web", EXT), "all");
    assert_eq!(ports(&c, "a/web", "8.8.8.8"), "none");
    let c = cluster(&[egress(
        "{toCIDRSet: [{cidr: 0.0.0.0/0, except: [1.1.1.0/24]}]}",
    )]);
    assert_eq!(ports(&c, "a/web", EXT), "none");
    assert_eq!(ports(&c, "a/web", "8.8.8.8"), "all");
    assert_eq!(ports(&c, "a/web", "b/cli"), "none");
    // A CIDR group.
    let group = cilium(
        "CiliumCIDRGroup",
        "{name: partners}",
        "spec: {externalCIDRs: [192.0.2.0/24, 10.244.1.0/24]}",
    );
    let c = cluster(&[group, egress("{toCIDRSet: [{cidrGroupRef: partners}]}")]);
    assert_eq!(ports(&c, "a/web", "192.0.2.7"), "all");
    assert_eq!(ports(&c, "a/web", EXT), "none");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    // fromCIDR.
    let c = cluster(&[ccnp(
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromCIDR: [0.0.0.0/0]}]",
    )]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, NODE1, "a/db"), "none");
}

// rule.go (`mergeIngress`/`mergeEgress`): "For L4 Policy, an empty slice of EndpointSelector
// indicates that the rule allows all at L3" (WildcardEndpointSelector); docs "Layer 4
// Policies": a toPorts rule without L3 applies "to any layer 3 destination".
#[test]
fn to_ports_without_peers_apply_to_every_peer() {
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{toPorts: [{ports: [{port: '5432', protocol: TCP}]}]}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 5432");
    assert_eq!(ports(&c, EXT, "a/db"), "TCP 5432");
    assert_eq!(ports(&c, NODE1, "a/db"), "TCP 5432");
    assert_eq!(ports(&c, "a/agent", "a/db"), "TCP 5432");
}

// api/l4.go: `protocol` absent is ANY, which matches TCP, UDP and SCTP (rule.go expands
// ProtoAny per L4 protocol); `endPort` ends an inclusive range; a named port is resolved
// against the destination's container ports (docs "Layer 4 Policies" > "Limit ingress/egress
// ports", "named ports"); `icmps` match ICMP only.
#[test]
fn ports_protocols_ranges_names_and_icmp() {
    let to = |port_rule: &str| {
        cnp(
            "a",
            "p",
            &format!(
                "endpointSelector: {{}}\ningress: [{{fromEntities: [all], toPorts: [{{ports: [{port_rule}]}}]}}]"
            ),
        )
    };
    let c = cluster(&[to("{port: '53'}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 53; UDP 53; SCTP 53");
    let c = cluster(&[to("{port: '53', protocol: ANY}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 53; UDP 53; SCTP 53");
    let c = cluster(&[to("{port: '8000', endPort: 8010, protocol: TCP}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 8000-8010");
    let c = cluster(&[to("{port: '0', protocol: UDP}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "UDP all");
    // Named: resolved on each destination.
    let c = cluster(&[to("{port: pg}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 5432");
    assert_eq!(ports(&c, "b/cli", "a/web"), "none", "a/web has no port pg");
    let c = cluster(&[to("{port: http, protocol: TCP}")]);
    assert_eq!(ports(&c, "b/cli", "a/web"), "TCP 8080");
    let c = cluster(&[to("{port: pg, protocol: UDP}")]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    // ICMP alone.
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEntities: [all], icmps: [{fields: [{type: 8}]}]}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
}

// docs "Layer 3 Policies" > "Services based": toServices "uses the discovered services'
// label selector as an endpoint selector within the policy": the Service's backends.
#[test]
fn to_services_select_the_service_backends() {
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toServices: [{k8sService: {serviceName: db-svc, namespace: a}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/cache"), "none");
    assert_eq!(ports(&c, "a/web", "b/cli"), "none");
    assert_eq!(ports(&c, "a/web", EXT), "none");
    // service.go: `k8sServiceSelector` picks Services by their own labels (and namespace, if
    // given); a serviceName without namespace is looked up in every namespace
    // (`serviceMatches`: an empty namespace matches any).
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toServices: [{k8sServiceSelector: {selector: {matchLabels: {tier: data}}}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/cache"), "none");
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toServices: [{k8sServiceSelector: {selector: {matchLabels: {tier: other}}}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toServices: [{k8sService: {serviceName: db-svc}}]}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
}

// api/rule.go: "Rule is a policy rule which must be applied to all endpoints which match the
// labels contained in the endpointSelector"; `specs` is a list of such rules
// (cnp_types.go `Parse`: `spec` and each item of `specs` are parsed on their own).
#[test]
fn each_item_of_specs_is_a_rule_of_its_own() {
    let p = cilium(
        "CiliumNetworkPolicy",
        "{name: p, namespace: a}",
        &format!(
            "specs:\n{}",
            indent(
                "- endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: db}}]}]\n- endpointSelector: {matchLabels: {app: db}}\n  ingress: [{fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: b}}]}]"
            )
        ),
    );
    let c = cluster(&[p]);
    assert_eq!(ports(&c, "a/db", "a/web"), "all");
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(
        ports(&c, "a/web", "a/cache"),
        "all",
        "a/cache is selected by none"
    );
}

// docs "Policy Enforcement Modes": "always: policy enforcement is enabled on all endpoints
// even if no rules select specific endpoints"; "never: policy enforcement is disabled on all
// endpoints, even if rules do select specific endpoints" (repository.go: `AlwaysEnforce`
// returns default deny both ways, `NeverEnforce` no enforcement).
#[test]
fn enforcement_modes_always_and_never() {
    // The mode is the Cilium agent's: it counts only when Cilium enforces the policies
    // (`--cni cilium`, or inferred from Cilium objects in the input).
    let always = BuildOptions {
        cni: Some(Cni::Cilium),
        cilium_enforcement: CiliumEnforcement::Always,
        ..Default::default()
    };
    let allow = cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {app: web}}]}]",
    );
    let c = cluster_opts(&[], &always);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, "a/db", EXT), "none");
    assert_eq!(
        ports(&c, NODE2, "a/agent"),
        "all",
        "hostNetwork: not an endpoint"
    );
    let c = cluster_opts(std::slice::from_ref(&allow), &always);
    assert_eq!(
        ports(&c, "a/web", "a/db"),
        "none",
        "a/web's egress is enforced too"
    );
    let egress = cnp(
        "a",
        "e",
        "endpointSelector: {matchLabels: {app: web}}\negress: [{toEndpoints: [{}]}]",
    );
    let c = cluster_opts(&[allow.clone(), egress], &always);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none");
    let never = BuildOptions {
        cni: Some(Cni::Cilium),
        cilium_enforcement: CiliumEnforcement::Never,
        ..Default::default()
    };
    let c = cluster_opts(
        &[
            allow,
            ccnp(
                "deny",
                "endpointSelector: {}\ningressDeny: [{fromEntities: [all]}]",
            ),
        ],
        &never,
    );
    assert_eq!(ports(&c, "a/cache", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/web"), "all");
    assert!(warned(&c, "enforcement mode `never`"));
}

// A cluster runs one network plugin: with `--cni cilium`, Calico's projectcalico.org/v3
// policies are not enforced (a warning says so); without `--cni`, an input with both kinds is
// a conflict to report.
#[test]
fn cni_cilium_evaluates_cilium_policies_only() {
    let calico = "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-all}\nspec:\n  selector: all()\n  types: [Ingress]\n".to_string();
    let cilium_policy = cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {app: web}}]}]",
    );
    let both = [calico, cilium_policy];
    let c = cluster(&both);
    assert!(c.cni_conflict().is_some());
    let with_cilium = BuildOptions {
        cni: Some(Cni::Cilium),
        ..Default::default()
    };
    let c = cluster_opts(&both, &with_cilium);
    assert_eq!(c.cni, Cni::Cilium);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none");
    assert_eq!(
        ports(&c, "a/db", "a/web"),
        "all",
        "Calico's deny-all is not applied"
    );
    assert!(warned(&c, "GlobalNetworkPolicy"));
}

// docs "Layer 7 Policies": an L7 rule lets the connection through at L3/L4 and redirects it
// to the proxy, which then filters requests; the lowered rule keeps the L3/L4 answer and
// carries the HTTP rule as a caveat.
#[test]
fn l7_rules_keep_the_l3_l4_answer_and_become_caveats() {
    let c = cluster(&[cnp(
        "a",
        "p",
        "endpointSelector: {matchLabels: {app: db}}\ningress:\n- fromEndpoints: [{matchLabels: {app: web}}]\n  toPorts:\n  - ports: [{port: '5432', protocol: TCP}]\n    rules:\n      http: [{method: GET, path: /public}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "TCP 5432");
    assert_eq!(ports(&c, "a/cache", "a/db"), "none");
    let ingress = crate::model::ir::dir_index(Direction::Ingress);
    let caveats: Vec<&String> =
        c.ir.policies
            .iter()
            .flat_map(|p| &p.dirs[ingress].rules)
            .flat_map(|r| &r.caveats)
            .collect();
    assert!(
        caveats
            .iter()
            .any(|w| w.contains("http") && w.contains("/public")),
        "{caveats:?}"
    );
}

//! Tests pinning Calico's semantics (projectcalico.org/v3), one per rule, each citing its
//! source: libcalico-go and felix at Calico 3.32 (`updateprocessors/rules.go`,
//! `felix/rules/endpoints.go`, `felix/calc/policy_sorter.go`, ...) and docs.tigera.io. As in
//! `semantics_tests`, every answer is checked to agree across the evaluator, the explanation
//! and the matrix engine.

use super::semantics_tests::{cluster_of, cluster_with, ports};
use crate::model::{BuildOptions, Cluster};

/// Namespaces a {team: x} and b {team: y}; pods a/web (app=web, 10.0.0.1, service account
/// robot), a/db (app=db, 10.0.0.2, port pg 5432/TCP), b/cli (app=cli, 10.0.1.1); the
/// ServiceAccount a/robot (role=bot).
const BASE: &str = "
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
metadata: {name: robot, namespace: a, labels: {role: bot}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {serviceAccountName: robot, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: c, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: cli, namespace: b, labels: {app: cli}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.1}
";

/// A document of kind `kind` (projectcalico.org/v3) with this metadata and spec.
fn calico(kind: &str, meta: &str, spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!("---\napiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {meta}\nspec:\n{spec}")
}

fn np(ns: &str, name: &str, spec: &str) -> String {
    calico(
        "NetworkPolicy",
        &format!("{{name: {name}, namespace: {ns}}}"),
        spec,
    )
}

fn gnp(name: &str, spec: &str) -> String {
    calico("GlobalNetworkPolicy", &format!("{{name: {name}}}"), spec)
}

fn tier(name: &str, spec: &str) -> String {
    calico("Tier", &format!("{{name: {name}}}"), spec)
}

fn k8s(ns: &str, name: &str, spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}"
    )
}

fn cluster(extra: &[String]) -> Cluster {
    cluster_of(&format!("{BASE}{}", extra.concat()))
}

const EXT: &str = "192.0.2.1";

// felix endpoints.go: a tier whose policies all pass goes on to the next tier; after the last,
// the namespace profile kns.<ns> allows everything (conversion.go:115-118).
#[test]
fn pass_falls_through_to_the_namespace_profile() {
    let c = cluster(&[
        tier("t1", "order: 100"),
        gnp(
            "t1.p",
            "tier: t1\nselector: all()\ningress: [{action: Pass}]",
        ),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// endpoints.go:689-710: when policies of a tier applied and none decided, the packet is
// dropped ("End of tier ... Drop if no policies passed packet").
#[test]
fn the_end_of_a_tier_drops_what_no_rule_decided() {
    let c = cluster(&[
        tier("t1", "order: 100"),
        gnp(
            "t1.p",
            "tier: t1\nselector: app == 'db'\ningress: [{action: Allow, source: {selector: app == 'web'}}]",
        ),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
}

// tier.go: `defaultAction: Pass` sends what no rule decided to the next tier.
#[test]
fn a_tier_with_default_action_pass_hands_on() {
    let c = cluster(&[
        tier("t1", "order: 100\ndefaultAction: Pass"),
        gnp(
            "t1.p",
            "tier: t1\nselector: app == 'db'\ningress: [{action: Allow, source: {selector: app == 'web'}}]",
        ),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// event_sequencer.go:1147-1158, endpoints.go:612-619: a tier takes part only in the
// directions its policies govern; elsewhere it is skipped, with no end-of-tier drop.
#[test]
fn a_tier_is_skipped_in_a_direction_its_policies_do_not_govern() {
    let c = cluster(&[
        tier("t1", "order: 100"),
        gnp(
            "t1.p",
            "tier: t1\nselector: all()\ntypes: [Egress]\negress: [{action: Allow}]",
        ),
        np("a", "deny", "selector: all()\ntypes: [Ingress]"),
    ]);
    assert_eq!(
        ports(&c, "b/cli", "a/db"),
        "none",
        "the default tier decides ingress"
    );
    assert_eq!(ports(&c, "a/db", "b/cli"), "all");
}

// defaults/networkpolicy.go:61-82: without `types`, a policy with egress rules only governs
// Egress; with no rules at all, Ingress.
#[test]
fn types_default_by_the_rules_present() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\negress: [{action: Deny}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all", "ingress is not governed");
    assert_eq!(ports(&c, "a/db", "b/cli"), "none");
    let c = cluster(&[np("a", "p", "selector: all()")]);
    assert_eq!(
        ports(&c, "a/web", "a/db"),
        "none",
        "no rules: default deny ingress"
    );
    assert_eq!(ports(&c, "a/db", "b/cli"), "all", "egress untouched");
}

// policy_sorter.go:388-400 (Calico 3.32): equal orders are broken by "name/namespace/kind"
// compared byte by byte, so `a-b` ('-' < '/') comes before `a`.
#[test]
fn equal_orders_are_broken_by_name_namespace_and_kind() {
    let c = cluster(&[
        gnp(
            "a-b",
            "order: 10\nselector: app == 'db'\ningress: [{action: Deny}]",
        ),
        np(
            "a",
            "a",
            "order: 10\nselector: app == 'db'\ningress: [{action: Allow}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    // A Kubernetes NetworkPolicy (order 1000, kind KubernetesNetworkPolicy) comes before a
    // Calico NetworkPolicy of the same name and order.
    let c = cluster(&[
        k8s(
            "a",
            "x",
            "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]",
        ),
        np(
            "a",
            "x",
            "order: 1000\nselector: app == 'db'\ningress: [{action: Deny}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
}

// policy_sorter.go:172,183-187: a policy without order comes after every ordered one.
#[test]
fn a_policy_without_order_comes_last() {
    let c = cluster(&[
        np(
            "a",
            "z",
            "order: 1\nselector: app == 'db'\ningress: [{action: Allow}]",
        ),
        np("a", "a", "selector: app == 'db'\ningress: [{action: Deny}]"),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// Kubernetes NetworkPolicies are policies of the default tier with order 1000
// (conversion.go:279-281): a Calico Deny at order 100 wins over their allows, a Pass skips
// them (docs "Get started with Calico network policy").
#[test]
fn kubernetes_network_policies_sit_at_order_1000_of_the_default_tier() {
    let allow = k8s("a", "allow", "podSelector: {}\ningress: [{}]");
    let c = cluster(&[
        allow.clone(),
        np(
            "a",
            "deny",
            "order: 100\nselector: app == 'db'\ningress: [{action: Deny, source: {selector: app == 'web'}}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    let deny_all = k8s("a", "deny-all", "podSelector: {}\npolicyTypes: [Ingress]");
    let c = cluster(&[
        deny_all,
        gnp(
            "pass",
            "order: 100\nselector: app == 'db'\ningress: [{action: Pass}]",
        ),
    ]);
    assert_eq!(
        ports(&c, "b/cli", "a/db"),
        "all",
        "Pass skips the NetworkPolicy"
    );
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
}

// rules.go:60-127, rules_test.go:97-99: in a namespaced policy, a lone notSelector is scoped
// to the policy's namespace (pods and network sets there); in a GlobalNetworkPolicy it is
// "not in the set", which holds for addresses outside the cluster (rule_scanner.go:593-611).
#[test]
fn a_lone_not_selector_is_namespaced_in_a_network_policy_only() {
    let rule =
        "selector: app == 'db'\ningress: [{action: Allow, source: {notSelector: app == 'web'}}]";
    let c = cluster(&[np("a", "p", rule)]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[gnp("p", rule)]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// rules.go: `selector: all()` in a namespaced policy is the policy's namespace's endpoints;
// no selector at all is every address.
#[test]
fn selector_all_is_not_an_absent_selector() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {selector: all()}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
}

// policy.go:807-809: nets match the packet's address, pods included; nets alone are never
// namespace-scoped.
#[test]
fn nets_match_pod_addresses_in_any_namespace() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {nets: [10.0.1.0/24]}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// named_port_index.go:394-424: a selector's set holds the CIDRs of the network sets it
// selects, so a pod whose IP is in such a set matches without the labels; a GlobalNetworkPolicy
// rule sees network sets of every namespace.
#[test]
fn a_network_set_a_selector_picks_catches_the_pods_in_its_nets() {
    let set = calico(
        "NetworkSet",
        "{name: ext, namespace: b, labels: {role: ext}}",
        "nets: [10.0.1.0/24, 192.0.2.0/24]",
    );
    let c = cluster(&[
        set,
        gnp(
            "p",
            "selector: app == 'db'\ningress: [{action: Allow, source: {selector: role == 'ext'}}]",
        ),
    ]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// rules.go:78, rules_test.go:563,573: a namespaced policy's selector sees network sets of its
// namespace only; GlobalNetworkSets need `namespaceSelector: global()`.
#[test]
fn global_network_sets_need_namespace_selector_global() {
    let set = calico(
        "GlobalNetworkSet",
        "{name: g, labels: {role: ext}}",
        "nets: [192.0.2.0/24]",
    );
    let rule = |source: &str| {
        format!("selector: app == 'db'\ningress: [{{action: Allow, source: {source}}}]")
    };
    let c = cluster(&[
        set.clone(),
        np("a", "p", &rule("{selector: role == 'ext'}")),
    ]);
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    let c = cluster(&[
        set,
        np(
            "a",
            "p",
            &rule("{selector: role == 'ext', namespaceSelector: global()}"),
        ),
    ]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
}

// rules.go: namespaceSelector matches the namespace's labels (pcns.); `all()` is every
// namespace (has(projectcalico.org/namespace)), which no outside address is in.
#[test]
fn namespace_selectors_read_namespace_labels() {
    let rule = |ns: &str| {
        format!(
            "selector: app == 'db'\ningress: [{{action: Allow, source: {{namespaceSelector: \"{ns}\"}}}}]"
        )
    };
    let c = cluster(&[np("a", "p", &rule("team == 'y'"))]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[np("a", "p", &rule("all()"))]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, EXT, "a/db"), "none");
}

// rules.go:73,78 (getEndpointSelector): `all()` and `global()` are replaced as text wherever
// they occur in a rule's namespaceSelector, so `!all()` is `!has(projectcalico.org/namespace)`
// (what `global()` selects: network sets of no namespace) and `all() || has(x)` selects no
// global network set.
#[test]
fn all_inside_a_namespace_selector_means_in_some_namespace() {
    let set = calico(
        "GlobalNetworkSet",
        "{name: g, labels: {role: ext}}",
        "nets: [192.0.2.0/24]",
    );
    let rule = |ns: &str| {
        gnp(
            "p",
            &format!(
                "selector: app == 'db'\ningress: [{{action: Allow, source: {{selector: has(role) || app == 'cli', namespaceSelector: \"{ns}\"}}}}]"
            ),
        )
    };
    let c = cluster(&[set.clone(), rule("!all()")]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    let c = cluster(&[set, rule("all() || has(x)")]);
    assert_eq!(ports(&c, EXT, "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// rules.go:221-249 (parseServiceAccounts): `serviceAccounts` with neither names nor a selector
// is the empty selector, which restricts nothing: every source, outside addresses included.
#[test]
fn empty_service_accounts_restrict_nothing() {
    let c = cluster(&[gnp(
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {serviceAccounts: {}}}]",
    )]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {serviceAccounts: {names: []}}}]",
    )]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// conversion.go:90-119: endpoints inherit pcns.<key> and pcns.projectcalico.org/name from
// their namespace profile; a plain selector can read them.
#[test]
fn plain_selectors_see_namespace_labels_through_pcns() {
    let c = cluster(&[gnp(
        "p",
        "selector: pcns.projectcalico.org/name == 'a'\ningress: [{action: Deny}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/web"), "none");
    assert_eq!(ports(&c, "a/web", "b/cli"), "all");
}

// rules.go:221-249: serviceAccounts names match projectcalico.org/serviceaccount, scoped to
// the namespace in a namespaced policy; its selector reads the ServiceAccount's labels (pcsa.).
#[test]
fn service_accounts_match_by_name_and_labels() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {serviceAccounts: {names: [robot]}}}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    let c = cluster(&[gnp(
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {serviceAccounts: {selector: role == 'bot'}}}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
}

// felix policy.go:621-701: Log writes a line and goes on with the next rule.
#[test]
fn log_does_not_stop_the_rules() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress:\n- {action: Log}\n- {action: Deny, source: {selector: app == 'web'}}\n- {action: Allow}",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// rule_scanner.go:376-407: a named port resolves on the destination; without a protocol in
// any protocol the pod declares it with, with one only in that protocol.
#[test]
fn named_ports_resolve_on_the_destination_in_the_rule_protocol() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, destination: {ports: [pg]}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 5432");
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, protocol: UDP, destination: {ports: [pg]}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
}

// Ports and notPorts together; notProtocol; a numeric protocol.
#[test]
fn protocols_ports_and_their_negations() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, protocol: 6, destination: {ports: ['5000:5010'], notPorts: [5005]}}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "TCP 5000-5004,5006-5010");
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, notProtocol: TCP}]",
    )]);
    assert_eq!(ports(&c, "b/cli", "a/db"), "UDP all; SCTP all");
}

// felix policy.go:37-41, endpoints.go:628-637: staged policies are never enforced; asked to,
// the simulator evaluates them as if they were.
#[test]
fn staged_policies_count_only_when_asked() {
    let staged = calico(
        "StagedNetworkPolicy",
        "{name: s, namespace: a}",
        "selector: all()\ningress: [{action: Deny}]",
    );
    let c = cluster(std::slice::from_ref(&staged));
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    let with = BuildOptions {
        with_staged: true,
        ..BuildOptions::default()
    };
    let c = cluster_with(&format!("{BASE}{staged}"), &with);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// event_sequencer.go:1161-1181: doNotTrack and preDNAT policies go to host endpoints' tiers
// only, never a pod's.
#[test]
fn host_endpoint_policies_do_not_touch_pods() {
    let c = cluster(&[gnp(
        "p",
        "selector: all()\ndoNotTrack: true\napplyOnForward: true\ningress: [{action: Deny}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert!(c.warnings.iter().any(|(_, w)| w.contains("doNotTrack")));
}

// static.go:657-703: a connection needs the source's egress and the destination's ingress.
#[test]
fn both_directions_must_allow() {
    let c = cluster(&[np(
        "a",
        "e",
        "selector: app == 'web'\ntypes: [Egress]\negress: [{action: Deny}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
}

// parser_test.go: `a != 'x'` holds without the label; `!a == 'x'` is `!(a == 'x')`.
#[test]
fn negative_selector_operators_hold_without_the_label() {
    let c = cluster(&[np(
        "a",
        "p",
        "selector: app == 'db'\ningress: [{action: Allow, source: {selector: \"!app == 'web' && tier != 'x'\"}}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    assert_eq!(ports(&c, "a/db", "a/db"), "all", "loopback");
}

// A tier whose Tier object is not in the input: evaluated after every other, ending in Deny,
// with a warning (felix policy_sorter.go:146-161 sorts a missing tier last).
#[test]
fn a_tier_without_its_object_comes_last_with_a_warning() {
    let c = cluster(&[gnp(
        "sec.p",
        "tier: sec\nselector: app == 'db'\ningress: [{action: Allow, source: {selector: app == 'web'}}]",
    )]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "none");
    assert!(
        c.warnings
            .iter()
            .any(|(_, w)| w.contains("tier `sec` has no Tier object"))
    );
}

// A rule on `source.ports` matches the client's port, which the client picks among the
// ephemeral ports (Linux's ip_local_port_range, 32768–60999; felix matches the packet's source
// port, `felix/rules/rule_defs.go`): a connection counts as allowed only if it is whichever
// port it picks. An Allow takes it only if it covers them all, a Deny if it covers any.
#[test]
fn source_ports_count_for_every_ephemeral_port() {
    let rules = |rules: &str| {
        cluster(&[gnp(
            "p",
            &format!("selector: app == 'db'\ningress:\n{rules}"),
        )])
    };
    let allow_from = |ports: &str| {
        rules(&format!(
            "- {{action: Allow, protocol: TCP, source: {{ports: [{ports}]}}}}"
        ))
    };
    assert_eq!(
        ports(&allow_from("'1024:65535'"), "a/web", "a/db"),
        "TCP all"
    );
    assert_eq!(ports(&allow_from("'40000:50000'"), "a/web", "a/db"), "none");
    let deny_then_allow = |source: &str| {
        rules(&format!(
            "- {{action: Deny, protocol: TCP, source: {source}}}\n- {{action: Allow}}"
        ))
    };
    assert_eq!(
        ports(
            &deny_then_allow("{ports: ['40000:50000']}"),
            "a/web",
            "a/db"
        ),
        "UDP all; SCTP all"
    );
    assert_eq!(
        ports(
            &deny_then_allow("{notPorts: ['40000:50000']}"),
            "a/web",
            "a/db"
        ),
        "UDP all; SCTP all"
    );
    assert_eq!(
        ports(&deny_then_allow("{ports: ['1:1024']}"), "a/web", "a/db"),
        "all"
    );
}

// workload_endpoint_default.go:224-225,283-315: Calico takes the named ports of a pod from
// its containers and its init containers alike (no restartPolicy check), and enforces
// Kubernetes policies with them. Without Calico, only containers and native sidecars
// (`restartPolicy: Always`) name ports.
#[test]
fn calico_counts_the_named_ports_of_init_containers() {
    let pod = "---
apiVersion: v1
kind: Pod
metadata: {name: srv, namespace: a, labels: {app: srv}}
spec:
  initContainers: [{name: warm, ports: [{name: metrics, containerPort: 9100}]}]
  containers: [{name: c}]
status: {podIP: 10.0.0.9}
";
    let k8s_only_metrics = k8s(
        "a",
        "srv",
        "podSelector: {matchLabels: {app: srv}}\ningress: [{ports: [{port: metrics}]}]",
    );
    let plain = cluster(&[pod.to_string(), k8s_only_metrics.clone()]);
    assert_eq!(ports(&plain, "a/web", "a/srv"), "none");
    let set = calico("GlobalNetworkSet", "{name: g}", "nets: [198.51.100.0/24]");
    let with_calico = cluster(&[pod.to_string(), k8s_only_metrics, set]);
    assert_eq!(ports(&with_calico, "a/web", "a/srv"), "TCP 9100");
}

// networksetprocessor.go, globalnetworksetprocessor.go: network sets keep `pcns.`/`pcsa.`
// labels as written (only pods lose them, workloadendpointprocessor.go:137-138), and a set's
// own label wins over its namespace profile's (named_port_index.go, GetHandle).
#[test]
fn network_sets_keep_pcns_labels_of_their_own() {
    let set = calico(
        "GlobalNetworkSet",
        "{name: g, labels: {pcns.team: y}}",
        "nets: [192.0.2.0/24]",
    );
    let c = cluster(&[
        set,
        gnp(
            "p",
            "selector: app == 'db'\ningress: [{action: Allow, source: {namespaceSelector: team == 'y'}}]",
        ),
    ]);
    assert_eq!(ports(&c, EXT, "a/db"), "all");
    assert_eq!(ports(&c, "b/cli", "a/db"), "all");
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
}

// rule_scanner.go (ruleToParsedRule) and named_port_index.go: a named port matches the
// (IP, port) pairs of the endpoints the selector matches by their labels; network sets have
// no ports, and a rule whose ports are all named does not use the selector's address set.
// So a pod inside a selected network set matches the numbered port, not the named one.
#[test]
fn named_ports_match_pods_by_their_labels_not_through_network_sets() {
    let set = calico(
        "NetworkSet",
        "{name: s, namespace: a, labels: {role: srv}}",
        "nets: [10.0.0.2/32]",
    );
    let egress = |ports: &str| {
        np(
            "a",
            "p",
            &format!(
                "selector: app == 'web'\negress: [{{action: Allow, protocol: TCP, destination: {{selector: role == 'srv', ports: [{ports}]}}}}]"
            ),
        )
    };
    let c = cluster(&[set.clone(), egress("pg")]);
    assert_eq!(ports(&c, "a/web", "a/db"), "none");
    let c = cluster(&[set.clone(), egress("5432")]);
    assert_eq!(ports(&c, "a/web", "a/db"), "TCP 5432");
    // Named beside numbered: the numbered through the set, the named not.
    let c = cluster(&[set.clone(), egress("pg, 9999")]);
    assert_eq!(ports(&c, "a/web", "a/db"), "TCP 9999");
    // Named notPorts do not resolve on a pod matched through the set either.
    let c = cluster(&[
        set,
        np(
            "a",
            "p",
            "selector: app == 'web'\negress: [{action: Allow, destination: {selector: role == 'srv', notPorts: [pg]}}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", "a/db"), "all");
}

// rule_scanner.go: only named `ports` replace the selector's address set; named `notPorts`
// leave it, so an address of a selected network set still matches.
#[test]
fn named_not_ports_keep_network_sets() {
    let set = calico(
        "GlobalNetworkSet",
        "{name: g, labels: {role: ext}}",
        "nets: [192.0.2.0/24]",
    );
    let c = cluster(&[
        set,
        gnp(
            "p",
            "selector: app == 'web'\negress: [{action: Allow, destination: {selector: role == 'ext', namespaceSelector: global(), notPorts: [pg]}}]",
        ),
    ]);
    assert_eq!(ports(&c, "a/web", EXT), "all");
    assert_eq!(ports(&c, "a/web", "b/cli"), "none");
}

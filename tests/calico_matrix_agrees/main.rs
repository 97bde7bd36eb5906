//! The matrix engine and the evaluator must give the same answer for every pair, on random
//! small clusters that use Calico policies (projectcalico.org/v3), written as YAML so that the
//! loader is exercised too.
//!
//! A cluster: 2–4 namespaces with random labels; 2–10 Pods with random labels, IPv4 (and
//! sometimes IPv6) addresses, some hostNetwork, named container ports, a random service
//! account; 0–2 ServiceAccounts with labels; 0–2 Tiers (orders from a small set, so ties
//! happen, or none; defaultAction Deny, Pass or none); 0–3 NetworkSets and GlobalNetworkSets,
//! some covering pod addresses, some outside the cluster; 0–6 Calico policies of every kind
//! (NetworkPolicy, GlobalNetworkPolicy, their staged forms, staged deletions) in the generated
//! tiers, `default`, the built-in admin tiers or a tier with no Tier object, with orders from a
//! small set (ties and none), random selectors in Calico's language (`==`, `!=`, `in`,
//! `not in`, `has()`, `!has()`, `all()`, `&&`, `||`, `!`, parentheses, `pcns.`, `pcsa.` and
//! `projectcalico.org/…` keys), namespaceSelector and serviceAccountSelector, types, and rules
//! with every action, protocol and notProtocol, icmp, ipVersion, and sources and destinations
//! with any subset of selector, notSelector, namespaceSelector (`all()` and `global()` too),
//! nets, notNets, serviceAccounts, ports and notPorts (numbers, ranges, named ports); and
//! Kubernetes NetworkPolicies (sometimes staged) mixed into the default tier. Every policy is
//! one Calico's API server accepts (the test asserts none is invalid, so the generator stays
//! honest); staged policies are evaluated or not at random.
//!
//! For every ordered pair of matrix members (endpoints and external ranges) but
//! external → external: `Matrix::allowed` == `evaluate::allowed_ports`, and, for some pairs,
//! `explain(..).allowed` too.

use kubectl_netpol::model::{BuildOptions, Cluster, NotApplied};
use proptest::prelude::*;

mod strategies;
#[path = "../support/mod.rs"]
mod support;
mod yaml;

use strategies::case;
use support::k8s_policy::{K8sPolicy, Labels, Tables};
use yaml::yaml;

const VALUES: [&str; 3] = ["x", "y", "z"];
/// The label keys of namespaces, pods, service accounts and network sets.
const LABEL_KEYS: [(&str, &[&str]); 3] = [("a", &VALUES), ("b", &VALUES), ("c", &VALUES)];
const NAMESPACES: [&str; 4] = ["n0", "n1", "n2", "n3"];
const SERVICE_ACCOUNTS: [&str; 3] = ["default", "robot", "web"];
const IPS_V4: [&str; 7] = [
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.0.1.5",
    "10.1.2.3",
    "192.168.1.10",
    "172.16.0.1",
];
const IPS_V6: [&str; 3] = ["fd00::1", "2001:db8::5", "::ffff:10.0.0.2"];
const PORTS: [u16; 5] = [53, 80, 443, 8080, 9090];
const RANGES: [&str; 3] = ["80:443", "1:1024", "8000:9100"];
const PORT_NAMES: [&str; 3] = ["http", "dns", "metrics"];
const CONTAINER_PROTOCOLS: [&str; 2] = ["TCP", "UDP"];
/// Rule CIDRs (strictly masked, as Calico requires), by family.
const NETS_V4: [&str; 8] = [
    "10.0.0.0/8",
    "10.0.0.0/24",
    "10.0.0.2/32",
    "0.0.0.0/0",
    "192.168.1.0/24",
    "192.0.2.0/24",
    "172.16.0.0/12",
    "10.0.1.0/24",
];
const NETS_V6: [&str; 5] = [
    "fd00::/8",
    "2001:db8::/32",
    "::/0",
    "fd00::1/128",
    "::ffff:10.0.0.0/104",
];
/// Network set nets: some hold pod addresses, some are outside the cluster.
const SET_NETS: [&str; 8] = [
    "10.0.0.0/24",
    "10.0.0.2/32",
    "192.168.0.0/16",
    "192.0.2.0/24",
    "203.0.113.7",
    "fd00::/64",
    "10.1.0.0/16",
    "0.0.0.0/0",
];
/// `protocol` values (as written: `6` and `17` are numbers).
const PROTOCOLS: [&str; 5] = ["TCP", "UDP", "6", "17", "ICMP"];
const NOT_PROTOCOLS: [&str; 4] = ["TCP", "UDP", "ICMP", "17"];
const ACTIONS: [&str; 4] = ["Allow", "Deny", "Pass", "Log"];
/// Policy names: `p-a` sorts before `p` in felix's `name/namespace/kind` tie-break.
const POLICY_NAMES: [&str; 4] = ["p", "p-a", "q", "a"];
/// `spec.order` of policies (None: omitted).
const ORDERS: [&str; 6] = ["1", "10", "100", "1000", "0.5", "-5"];
/// `spec.order` of Tiers: 1000 ties with kube-admin, 1000000 with default.
const TIER_ORDERS: [&str; 5] = ["100", "100", "1000", "1000000", "20000000"];
/// `spec.tier` of policies: None omits it; t0/t1 are Tier objects when generated; t9 never is.
const TIERS: [Option<&str>; 7] = [
    None,
    Some("default"),
    Some("t0"),
    Some("t1"),
    Some("t9"),
    Some("kube-admin"),
    Some("kube-baseline"),
];
/// Kubernetes ipBlocks, each with an except inside it (or none).
const K8S_BLOCKS: [(&str, Option<&str>); 4] = [
    ("10.0.0.0/8", Some("10.0.0.0/24")),
    ("0.0.0.0/0", Some("10.0.0.0/8")),
    ("192.168.1.0/24", None),
    ("10.0.0.1/32", None),
];
/// What the Kubernetes NetworkPolicies name; some are staged.
static K8S: Tables = Tables {
    pod_keys: &LABEL_KEYS,
    ns_keys: &LABEL_KEYS,
    policy_names: &POLICY_NAMES,
    blocks: &K8S_BLOCKS,
    ports: &PORTS,
    port_names: &PORT_NAMES,
    protocols: &CONTAINER_PROTOCOLS,
    staged: 0.2,
};

/// Selector keys with the values they take: endpoint selectors (`selector`, `notSelector`).
type Keys = [(&'static str, &'static [&'static str])];
const ENDPOINT_KEYS: [(&str, &[&str]); 10] = [
    ("a", &VALUES),
    ("b", &VALUES),
    ("c", &VALUES),
    ("pcns.a", &VALUES),
    ("pcns.b", &VALUES),
    ("pcsa.a", &VALUES),
    ("projectcalico.org/namespace", &NAMESPACES),
    ("projectcalico.org/serviceaccount", &SERVICE_ACCOUNTS),
    ("pcns.projectcalico.org/name", &NAMESPACES),
    ("projectcalico.org/orchestrator", &["k8s", "openstack"]),
];
/// Namespace selectors: over the namespace's labels.
const NAMESPACE_KEYS: [(&str, &[&str]); 4] = [
    ("a", &VALUES),
    ("b", &VALUES),
    ("c", &VALUES),
    ("projectcalico.org/name", &NAMESPACES),
];
/// Service account selectors: over the service account's labels.
const SA_KEYS: [(&str, &[&str]); 4] = [
    ("a", &VALUES),
    ("b", &VALUES),
    ("c", &VALUES),
    ("projectcalico.org/name", &SERVICE_ACCOUNTS),
];

/// A Calico selector expression; keys index a [`Keys`] table, values its value list.
#[derive(Clone, Debug)]
enum Sel {
    All,
    /// op: 0 `==`, 1 `!=`, 2 `in`, 3 `not in`, 4 `has()`, 5 `!has()`.
    Leaf {
        key: usize,
        op: usize,
        values: Vec<usize>,
    },
    Not(Box<Sel>),
    And(Vec<Sel>),
    Or(Vec<Sel>),
}

/// A rule's `namespaceSelector`.
#[derive(Clone, Debug)]
enum NsSel {
    All,
    Global,
    Expr(Sel),
}

#[derive(Clone, Debug)]
enum Port {
    Number(usize),
    Range(usize),
    Name(usize),
}

/// `source` / `destination` of a rule.
#[derive(Clone, Debug)]
struct Entity {
    selector: Option<Sel>,
    not_selector: Option<Sel>,
    namespace_selector: Option<NsSel>,
    nets: Vec<usize>,
    not_nets: Vec<usize>,
    /// `serviceAccounts`: names, selector.
    service_accounts: Option<(Vec<usize>, Option<Sel>)>,
    ports: Vec<Port>,
    not_ports: Vec<Port>,
}

#[derive(Clone, Debug)]
struct Rule {
    action: usize,
    protocol: Option<usize>,
    not_protocol: Option<usize>,
    /// `icmp: {type: …}` (written only with protocol ICMP).
    icmp: Option<u8>,
    /// `ipVersion` 4 or 6 (written only when it agrees with the rule's nets and protocols).
    ip_version: Option<u8>,
    /// The family of every CIDR of the rule.
    v6: bool,
    source: Option<Entity>,
    destination: Option<Entity>,
}

#[derive(Clone, Debug)]
struct CalicoPolicy {
    /// 0 NetworkPolicy, 1 GlobalNetworkPolicy, 2 StagedNetworkPolicy, 3 StagedGlobalNetworkPolicy.
    kind: usize,
    ns: usize,
    name: usize,
    tier: usize,
    order: Option<usize>,
    /// None: omitted; Some(None): `""`.
    selector: Option<Option<Sel>>,
    namespace_selector: Option<Sel>,
    service_account_selector: Option<Sel>,
    /// None: omitted; else `[Ingress]`, `[Egress]`, `[Ingress, Egress]`.
    types: Option<usize>,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
    apply_on_forward: bool,
    /// Staged kinds: 0 no stagedAction, 1 `Set`, 2 `Delete`.
    staged_action: usize,
}

#[derive(Clone, Debug)]
struct TierObj {
    order: Option<usize>,
    /// None, `Deny`, `Pass`.
    default_action: Option<bool>,
}

#[derive(Clone, Debug)]
struct NetSet {
    global: bool,
    ns: usize,
    labels: Labels,
    nets: Vec<usize>,
}

#[derive(Clone, Debug)]
struct ContainerPort {
    name: usize,
    port: usize,
    protocol: Option<usize>,
}

#[derive(Clone, Debug)]
struct Pod {
    ns: usize,
    labels: Labels,
    v4: Option<usize>,
    v6: Option<usize>,
    host_network: bool,
    ports: Vec<ContainerPort>,
    service_account: Option<usize>,
}

#[derive(Clone, Debug)]
struct Case {
    namespaces: Vec<Labels>,
    pods: Vec<Pod>,
    service_accounts: Vec<(usize, usize, Labels)>,
    tiers: Vec<TierObj>,
    sets: Vec<NetSet>,
    policies: Vec<CalicoPolicy>,
    k8s: Vec<K8sPolicy>,
    with_staged: bool,
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let text = yaml(c);
    let loaded = support::agreement::loads_cleanly(&text)?;
    let cluster = Cluster::build_with(
        loaded.objects,
        &BuildOptions {
            with_staged: c.with_staged,
            ..Default::default()
        },
    );
    // The generator writes only what the API server accepts.
    for (i, why) in &cluster.calico_not_applied {
        prop_assert!(
            *why != NotApplied::Invalid,
            "Calico policy {} is invalid: {:?}\n{text}",
            cluster.calico_policies[*i].id(),
            kubectl_netpol::model::calico::validate::policy(&cluster.calico_policies[*i])
                .iter()
                .map(|v| format!("{}: {}", v.path, v.message))
                .collect::<Vec<_>>()
        );
    }
    support::agreement::network_policies_valid(&cluster, &text)?;
    support::agreement::every_pair_agrees(
        &cluster,
        |u, v| (u + 2 * v) % 5 == 0,
        &format!("with_staged: {}\n{text}", c.with_staged),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn calico_matrix_agrees_with_the_evaluator(c in case()) {
        check(&c)?;
    }
}

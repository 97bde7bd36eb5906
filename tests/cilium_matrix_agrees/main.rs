//! The matrix engine and the evaluator must give the same answer for every pair, on random
//! small clusters that use Cilium policies (cilium.io/v2 CiliumNetworkPolicy and
//! CiliumClusterwideNetworkPolicy, CiliumCIDRGroup), written as YAML so that the loader is
//! exercised too.
//!
//! A cluster: 2 Nodes with InternalIPs (one sometimes with an ExternalIP too) and pod CIDRs,
//! sometimes dual-stack (IPv6 addresses and pod CIDRs too, and pods with both families);
//! 2–3 namespaces with random labels (`team`, `env`); 3–8 Pods with labels from a small pool
//! (`app`, `tier`, sometimes `pod-template-hash`, which Cilium leaves out of identities), a
//! random node (or none), an address inside their node's pod CIDR (or none), some
//! hostNetwork (the node's address), container ports (named or not, TCP, UDP, SCTP), a
//! service account sometimes; sometimes a Service; 0–2 CiliumCIDRGroups; 1–5 CNPs and CCNPs
//! with `spec`, `specs` (1–2 rules) or both, endpointSelectors with matchLabels and
//! matchExpressions over keys written as Cilium reads them (`app`, `k8s:app`, `any:tier`,
//! `io.kubernetes.pod.namespace`, `k8s:io.cilium.k8s.namespace.labels.team`,
//! `io.cilium.k8s.policy.serviceaccount`, `reserved:host`, `container:app` ...),
//! `enableDefaultDeny`, and `ingress`, `ingressDeny`, `egress`, `egressDeny` lists (absent,
//! `[]`, `[{}]` or 1–3 rules) whose rules take one kind of peer (`…Endpoints` with `{}`
//! and reserved labels, `…Entities`, `…CIDR`, `…CIDRSet` with `except` and `cidrGroupRef`,
//! `toServices`, or none, sometimes as an empty list) and `toPorts` (ports as quoted
//! strings: numbers, `0`, names; `endPort`; protocol TCP, UDP, SCTP, ANY, ICMP or absent)
//! or `icmps`; and sometimes Kubernetes NetworkPolicies whose ipBlocks may hold pod and node
//! addresses. Every object is one the API server and the agent accept (the test asserts
//! it, so the generator stays honest), but for the rare `world-ipv4` entity, which the CRD
//! refuses.
//!
//! Each case is built with each `CiliumEnforcement` (the default, `Always`, `Never`). For
//! every ordered pair of matrix members (endpoints and external ranges) but external →
//! external: `Matrix::allowed` == `evaluate::allowed_ports` (and, for some pairs,
//! `explain(..).allowed`). Then for a set of addresses outside every pod (free addresses of
//! the pod CIDRs, the nodes' addresses, addresses next to them, public ones; IPv4-mapped
//! IPv6 forms too), each against every endpoint both
//! ways: the evaluator on the address itself == the matrix on the external range holding
//! it (an IPv6 address no range holds is skipped: the matrix has IPv6 members only when a
//! policy names an IPv6 net).
//!
//! Cases: `PROPTEST_CASES` (default [`DEFAULT_CASES`]).

use std::net::IpAddr;

use kubectl_netpol::engine::Party;
use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::engine::explain::party_name;
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::{BuildOptions, CiliumEnforcement, Cluster, NotApplied};
use proptest::prelude::*;

mod strategies;
#[path = "../support/mod.rs"]
mod support;
mod yaml;

use strategies::case;
use support::k8s_policy::{K8sPolicy, Labels, Tables};
use yaml::yaml;

/// Cases per run when `PROPTEST_CASES` does not say.
const DEFAULT_CASES: u32 = 384;

const NAMESPACES: [&str; 3] = ["n0", "n1", "n2"];
const APPS: [&str; 3] = ["web", "db", "api"];
const TIERS: [&str; 2] = ["front", "back"];
const HASHES: [&str; 2] = ["h1", "h2"];
const TEAMS: [&str; 2] = ["red", "blue"];
const ENVS: [&str; 2] = ["prod", "dev"];
const SERVICE_ACCOUNTS: [&str; 2] = ["default", "robot"];
const CLUSTERS: [&str; 2] = ["default", "other"];

/// Pod label keys with their values: `app`, `tier`, `pod-template-hash`.
const POD_KEYS: [(&str, &[&str]); 3] = [
    ("app", &APPS),
    ("tier", &TIERS),
    ("pod-template-hash", &HASHES),
];
/// Namespace label keys with their values.
const NS_KEYS: [(&str, &[&str]); 2] = [("team", &TEAMS), ("env", &ENVS)];

/// Selector keys as written in Cilium selectors, with the values they take. The first
/// [`COMMON_KEYS`] are drawn more often.
const SEL_KEYS: [(&str, &[&str]); 19] = [
    ("app", &APPS),
    ("k8s:app", &APPS),
    ("any:tier", &TIERS),
    ("tier", &TIERS),
    ("io.kubernetes.pod.namespace", &NAMESPACES),
    ("k8s:io.cilium.k8s.namespace.labels.team", &TEAMS),
    // Rarer.
    ("any:app", &APPS),
    ("k8s:tier", &TIERS),
    ("k8s:io.kubernetes.pod.namespace", &NAMESPACES),
    ("io.cilium.k8s.namespace.labels.env", &ENVS),
    ("any:io.cilium.k8s.namespace.labels.team", &TEAMS),
    ("pod-template-hash", &HASHES),
    ("k8s:pod-template-hash", &HASHES),
    ("io.cilium.k8s.policy.serviceaccount", &SERVICE_ACCOUNTS),
    ("io.cilium.k8s.policy.cluster", &CLUSTERS),
    ("reserved:host", &[""]),
    ("reserved:remote-node", &[""]),
    ("reserved:world", &[""]),
    ("container:app", &APPS),
];
const COMMON_KEYS: usize = 6;
const OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

/// The two Nodes: name, InternalIP, pod CIDR, the prefix of the pod addresses in it; then
/// the same for IPv6, in dual-stack cases.
const NODES: [(&str, &str, &str, &str); 2] = [
    ("node-a", "192.168.0.10", "10.0.0.0/24", "10.0.0."),
    ("node-b", "192.168.0.11", "10.0.1.0/24", "10.0.1."),
];
const NODES_V6: [(&str, &str, &str); 2] = [
    ("fd00::10", "fd00:a::/64", "fd00:a::"),
    ("fd00::11", "fd00:b::/64", "fd00:b::"),
];
/// The ExternalIP node-b sometimes has.
const NODE_EXTERNAL_IP: &str = "203.0.113.9";
/// Last bytes of pod addresses in a pod CIDR (few, so that pods may share one).
const POD_HOSTS: [u8; 4] = [2, 3, 4, 5];

/// Entities (`world-ipv4` is refused by the CRD: drawn rarely).
const ENTITIES: [&str; 8] = [
    "all",
    "world",
    "cluster",
    "host",
    "remote-node",
    "kube-apiserver",
    "health",
    "world-ipv4",
];
/// CIDRs (for `…CIDR`, `…CIDRSet` and CIDR groups), each with the excepts it may take.
const CIDRS: [(&str, &[&str]); 15] = [
    ("10.0.0.0/8", &["10.0.0.0/24", "10.0.1.0/24", "10.0.0.3/32"]),
    ("10.0.0.0/24", &["10.0.0.3/32", "10.0.0.128/25"]),
    ("0.0.0.0/0", &["10.0.0.0/8", "192.168.0.0/16", "8.8.8.8/32"]),
    ("192.168.0.0/24", &["192.168.0.10/32"]),
    ("192.168.0.10/32", &[]),
    ("10.0.0.3/32", &[]),
    ("203.0.113.0/24", &["203.0.113.0/28"]),
    ("8.8.8.0/24", &[]),
    ("10.0.1.0/24", &["10.0.1.0/25"]),
    ("10.0.0.0/16", &["10.0.1.4/32"]),
    ("198.51.100.0/24", &[]),
    ("fd00::/8", &["fd00:a::/64", "fd00::10/128"]),
    ("2001:db8::/32", &[]),
    ("::/0", &["fd00::/8"]),
    ("fd00:a::3/128", &[]),
];
/// CiliumCIDRGroup names; `g9` is never defined.
const GROUPS: [&str; 3] = ["g0", "g1", "g9"];
const PORTS: [u16; 5] = [53, 80, 443, 8080, 9090];
const END_PORTS: [u16; 4] = [100, 443, 8443, 50];
const PORT_NAMES: [&str; 3] = ["http", "dns", "metrics"];
const CONTAINER_PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];
/// `toPorts[].ports[].protocol`.
const PROTOCOLS: [&str; 5] = ["TCP", "UDP", "SCTP", "ANY", "ICMP"];
const POLICY_NAMES: [&str; 3] = ["p0", "p1", "p2"];
/// `toServices` names: `svc` exists when the case has a Service.
const SERVICE_NAMES: [&str; 2] = ["svc", "nosvc"];
/// Kubernetes ipBlocks, each with an except inside it (or none).
const K8S_BLOCKS: [(&str, Option<&str>); 6] = [
    ("fd00::/8", Some("fd00:b::/64")),
    ("10.0.0.0/24", Some("10.0.0.3/32")),
    ("0.0.0.0/0", Some("10.0.0.0/8")),
    ("192.168.0.10/32", None),
    ("10.0.0.4/32", None),
    ("203.0.113.0/24", Some("203.0.113.0/28")),
];
/// What the Kubernetes NetworkPolicies name (`app` and `tier` of pods).
static K8S: Tables = Tables {
    pod_keys: POD_KEYS.split_at(2).0,
    ns_keys: &NS_KEYS,
    policy_names: &POLICY_NAMES,
    blocks: &K8S_BLOCKS,
    ports: &PORTS,
    port_names: &PORT_NAMES,
    protocols: &CONTAINER_PROTOCOLS,
    staged: 0.0,
};
/// Addresses checked against every endpoint beside the matrix members (those a pod holds
/// are left out: a pod's address names the pod).
const ADDRESSES: [&str; 21] = [
    "10.0.0.2",
    "10.0.0.3",
    "10.0.0.4",
    "10.0.0.5",
    "10.0.0.200",
    "10.0.1.3",
    "10.0.1.200",
    "192.168.0.10",
    "192.168.0.11",
    "192.168.0.50",
    "203.0.113.9",
    "203.0.113.5",
    "8.8.8.8",
    "198.51.100.7",
    "10.5.0.1",
    "172.16.0.1",
    "fd00:a::99",
    "fd00:a::3",
    "fd00::10",
    "fd00::50",
    "2001:db8::5",
];
/// IPv4-mapped IPv6 forms of addresses, checked like [`ADDRESSES`]: both engines read
/// `::ffff:a.b.c.d` as `a.b.c.d` (`ip_key`), so `::ffff:192.168.0.10` is node-a
/// ([`ipv4_mapped_node_address_is_the_node`]).
const MAPPED_ADDRESSES: [&str; 4] = [
    "::ffff:192.168.0.10",
    "::ffff:192.168.0.11",
    "::ffff:10.0.0.200",
    "::ffff:8.8.8.8",
];

/// A label selector over [`SEL_KEYS`]: matchLabels, matchExpressions (key, operator,
/// values).
#[derive(Clone, Debug)]
struct Sel {
    labels: Labels,
    exprs: Vec<(usize, usize, Vec<usize>)>,
}

#[derive(Clone, Debug)]
enum CidrItem {
    Cidr(usize, Vec<usize>),
    Group(usize),
}

/// The one kind of peer of a rule (lists may be empty).
#[derive(Clone, Debug)]
enum Peer {
    None,
    Endpoints(Vec<Sel>),
    Entities(Vec<usize>),
    Cidr(Vec<usize>),
    CidrSet(Vec<CidrItem>),
    /// `toServices` (egress only): name, namespace.
    Services(Vec<(usize, Option<usize>)>),
}

#[derive(Clone, Debug)]
enum PortValue {
    Number(usize),
    Zero,
    Name(usize),
}

#[derive(Clone, Debug)]
struct PortProto {
    port: PortValue,
    end_port: Option<usize>,
    protocol: Option<usize>,
}

#[derive(Clone, Debug)]
enum L4 {
    None,
    /// `toPorts`: items, each a list of ports.
    ToPorts(Vec<Vec<PortProto>>),
    /// `icmps`: one item of ICMP types.
    Icmps(Vec<u8>),
}

#[derive(Clone, Debug)]
struct PeerRule {
    peer: Peer,
    l4: L4,
}

#[derive(Clone, Debug)]
enum RuleList {
    Absent,
    Empty,
    /// `[{}]`.
    EmptyRule,
    Rules(Vec<PeerRule>),
}

#[derive(Clone, Debug)]
struct CiliumRule {
    selector: Sel,
    /// ingress, ingressDeny, egress, egressDeny.
    lists: [RuleList; 4],
    /// `enableDefaultDeny`: ingress, egress.
    default_deny: Option<(Option<bool>, Option<bool>)>,
}

#[derive(Clone, Debug)]
struct CiliumPolicy {
    clusterwide: bool,
    ns: usize,
    name: usize,
    spec: Option<CiliumRule>,
    specs: Option<Vec<CiliumRule>>,
}

#[derive(Clone, Debug)]
struct ContainerPort {
    name: Option<usize>,
    port: usize,
    protocol: Option<usize>,
}

#[derive(Clone, Debug)]
struct Pod {
    ns: usize,
    labels: Labels,
    node: Option<usize>,
    /// The node whose pod CIDR (or address, for hostNetwork) the address comes from when
    /// the pod names no node.
    ip_node: usize,
    /// Index into [`POD_HOSTS`] (None: no address).
    ip: Option<usize>,
    /// An IPv6 address too (dual-stack cases only).
    v6: bool,
    host_network: bool,
    ports: Vec<ContainerPort>,
    service_account: Option<usize>,
}

#[derive(Clone, Debug)]
struct Service {
    ns: usize,
    app: usize,
}

#[derive(Clone, Debug)]
struct Case {
    node_external_ip: bool,
    /// Nodes have IPv6 addresses and pod CIDRs too, pods IPv6 addresses.
    dual_stack: bool,
    namespaces: Vec<Labels>,
    pods: Vec<Pod>,
    service: Option<Service>,
    /// CIDR groups `g0`, `g1`...: their CIDRs.
    groups: Vec<Vec<usize>>,
    policies: Vec<CiliumPolicy>,
    k8s: Vec<K8sPolicy>,
}

/// The evaluator on each address of [`ADDRESSES`] that no pod holds, against every endpoint
/// both ways, is the matrix on the external range holding it.
fn addresses_agree(cluster: &Cluster, m: &Matrix, context: &str) -> Result<(), TestCaseError> {
    for text in ADDRESSES.iter().chain(&MAPPED_ADDRESSES) {
        let ip: IpAddr = text.parse().expect("an address");
        let key = kubectl_netpol::model::ip::ip_key(ip);
        if cluster.endpoints.iter().any(|e| {
            !e.host_network
                && e.ips
                    .iter()
                    .any(|&a| kubectl_netpol::model::ip::ip_key(a) == key)
        }) {
            continue;
        }
        let Some(x) = m.externals.iter().position(|r| r.contains(ip)) else {
            prop_assert!(ip.is_ipv6(), "no external range holds {ip}\n{context}");
            continue;
        };
        let member = m.endpoints + x;
        let range = &m.externals[x];
        for e in 0..m.endpoints {
            let name = party_name(cluster, Party::Endpoint(e));
            let want = allowed_ports(cluster, Party::Endpoint(e), Party::Address(ip));
            prop_assert_eq!(
                m.allowed(e, member),
                &want,
                "matrix (left, range {:?} of {}) vs evaluator (right) for {} → {}\n{}",
                range,
                range.first(),
                name,
                ip,
                context
            );
            let want = allowed_ports(cluster, Party::Address(ip), Party::Endpoint(e));
            prop_assert_eq!(
                m.allowed(member, e),
                &want,
                "matrix (left, range {:?} of {}) vs evaluator (right) for {} → {}\n{}",
                range,
                range.first(),
                ip,
                name,
                context
            );
        }
    }
    Ok(())
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let text = yaml(c);
    let loaded = support::agreement::loads_cleanly(&text)?;
    for enforcement in [
        CiliumEnforcement::Default,
        CiliumEnforcement::Always,
        CiliumEnforcement::Never,
    ] {
        let cluster = Cluster::build_with(
            loaded.objects.clone(),
            &BuildOptions {
                cilium_enforcement: enforcement,
                ..Default::default()
            },
        );
        // The generator writes only what the API server and the agent accept (but for the
        // `world-ipv4` entity, which the CRD refuses).
        for (i, why) in &cluster.cilium_not_applied {
            let problems: Vec<String> =
                kubectl_netpol::model::cilium::validate::policy(&cluster.cilium_policies[*i])
                    .iter()
                    .map(|v| format!("{}: {}", v.path, v.message))
                    .collect();
            prop_assert!(
                *why != NotApplied::Invalid || problems.iter().all(|p| p.contains("`world-ipv4`")),
                "{} is invalid: {:?}\n{text}",
                cluster.cilium_policies[*i].id(),
                problems
            );
        }
        support::agreement::network_policies_valid(&cluster, &text)?;
        let context = format!("cilium_enforcement: {enforcement:?}\n{text}");
        support::agreement::every_pair_agrees(&cluster, |u, v| (u + 2 * v) % 5 == 0, &context)?;
        addresses_agree(&cluster, &Matrix::compute(&cluster), &context)?;
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn cilium_matrix_agrees_with_the_evaluator(c in case()) {
        check(&c)?;
    }
}

/// One Node, one pod on it and a CNP: the node's address written as an IPv4-mapped IPv6
/// address is the node, for the matrix and the evaluator alike. Each line: the
/// policy's rule, the source, what the evaluator and the matrix must both say.
#[test]
fn ipv4_mapped_node_address_is_the_node() {
    let cases = [
        // allow-localhost lets the pod's own node in on every port.
        (
            "nodeName: node-a, ",
            "toPorts: [{ports: [{port: '80', protocol: TCP}]}]",
            "all",
        ),
        ("nodeName: node-a, ", "fromEntities: [host]", "all"),
        ("", "fromEntities: [cluster]", "all"),
        ("", "fromEntities: [world]", "none"),
        ("", "fromCIDR: ['0.0.0.0/0']", "none"),
    ];
    let mut wrong = Vec::new();
    for (node_name, rule, want) in cases {
        let text = format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: node-a}}\nspec: {{podCIDR: '10.0.0.0/24'}}\nstatus: {{addresses: [{{type: InternalIP, address: '192.168.0.10'}}]}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p0, namespace: n0}}\nspec: {{{node_name}containers: [{{name: c}}]}}\nstatus: {{phase: Running, podIP: '10.0.0.2'}}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p0, namespace: n0}}\nspec:\n  endpointSelector: {{}}\n  ingress:\n  - {{{rule}}}\n"
        );
        let loaded = load_texts(&[("t.yaml", &text)], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{text}");
        let cluster = Cluster::build_with(loaded.objects, &BuildOptions::default());
        let m = Matrix::compute(&cluster);
        for src in ["192.168.0.10", "::ffff:192.168.0.10"] {
            let ip: IpAddr = src.parse().expect("an address");
            let x = m
                .externals
                .iter()
                .position(|r| r.contains(ip))
                .expect("a range");
            let evaluator = allowed_ports(&cluster, Party::Address(ip), Party::Endpoint(0));
            let matrix = m.allowed(m.endpoints + x, 0);
            if evaluator.to_string() != want || matrix.to_string() != want {
                wrong.push(format!(
                    "{rule} ({node_name}), {src} → n0/p0: evaluator {evaluator}, matrix {matrix}, want {want}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

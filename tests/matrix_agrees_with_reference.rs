//! The matrix engine, the explanations and the reference evaluator must give the same answer
//! for every pair, on random small clusters written as YAML (so the loader is exercised too).
//!
//! A cluster: 2–4 namespaces with random labels; 2–12 endpoints (Pods, some with IPv4/IPv6
//! addresses, some hostNetwork, some owned by a workload of the input; and workloads of every
//! kind) with labels from a small alphabet and random named container ports; 0–6 policies
//! with random podSelectors (matchLabels and matchExpressions with all four operators),
//! policyTypes (omitted, empty or given), rules with peers of every shape (podSelector,
//! namespaceSelector, both, ipBlock with except, IPv4 and IPv6) and ports of every shape
//! (numbers, endPort ranges, named ports, protocol only, none).
//!
//! Cluster-wide policies too: 0–3 AdminNetworkPolicies (priorities from a small set, so ties
//! happen), sometimes a BaselineAdminNetworkPolicy, sometimes a ClusterNetworkPolicy of either
//! tier, with subjects of both shapes, ordered rules with every action, peers of every shape
//! (namespaces, pods, networks, nodes — a Node holds one of the pod IPs, as a hostNetwork
//! pod's node would) and ports of every shape; and namespaces isolated by the alpha
//! annotation.
//!
//! For every ordered pair of matrix members (endpoints and external ranges) but
//! external → external: `Matrix::allowed` == `reference::allowed_ports` ==
//! `explain(..).allowed`.

use std::fmt::Write as _;

use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::Cluster;
use proptest::prelude::*;

mod support;

const KEYS: [&str; 3] = ["a", "b", "c"];
const VALUES: [&str; 3] = ["x", "y", "z"];
const IPS: [&str; 10] = [
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.0.1.5",
    "10.1.2.3",
    "192.168.1.10",
    "172.16.0.1",
    "fd00::1",
    "2001:db8::5",
    "::ffff:10.0.0.2",
];
/// CIDRs, each with the excepts it may take (the last of some is not inside it: such a policy
/// is invalid and not applied).
const CIDRS: [(&str, &[&str]); 11] = [
    ("10.0.0.0/8", &["10.0.0.0/24", "10.1.0.0/16", "10.0.0.2/32"]),
    ("10.0.0.0/24", &["10.0.0.2/32", "10.0.0.0/30", "11.0.0.0/8"]),
    ("0.0.0.0/0", &["10.0.0.0/8", "192.168.0.0/16"]),
    ("192.168.1.0/24", &[]),
    ("10.0.0.1/32", &[]),
    ("172.16.0.0/12", &["172.16.0.0/16"]),
    ("10.0.0.3/8", &["10.0.0.0/16"]),
    ("fd00::/8", &["fd00::/64"]),
    ("2001:db8::/32", &["2001:db8::/48"]),
    ("::/0", &["fd00::/8"]),
    ("::ffff:10.0.0.0/104", &["::ffff:10.0.0.0/120"]),
];
const PORTS: [u16; 5] = [53, 80, 443, 8080, 9090];
const NAMES: [&str; 3] = ["http", "dns", "metrics"];
const PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];
/// Workload kinds: (apiVersion, kind, whether the template is under a jobTemplate).
const WORKLOADS: [(&str, &str, bool); 7] = [
    ("apps/v1", "Deployment", false),
    ("apps/v1", "StatefulSet", false),
    ("apps/v1", "DaemonSet", false),
    ("apps/v1", "ReplicaSet", false),
    ("batch/v1", "Job", false),
    ("batch/v1", "CronJob", true),
    ("v1", "ReplicationController", false),
];
const OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

type Labels = Vec<(usize, usize)>;

#[derive(Clone, Debug)]
struct Expr {
    key: usize,
    op: usize,
    values: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Sel {
    labels: Labels,
    exprs: Vec<Expr>,
    /// For namespace selectors: `kubernetes.io/metadata.name: n<i>`.
    name: Option<usize>,
}

#[derive(Clone, Debug)]
struct ContainerPort {
    name: Option<usize>,
    port: usize,
    protocol: Option<usize>,
}

#[derive(Clone, Debug)]
struct Endpoint {
    ns: usize,
    /// None: a Pod; Some(i): `WORKLOADS[i]`.
    workload: Option<usize>,
    labels: Labels,
    ips: Vec<usize>,
    host_network: bool,
    ports: Vec<ContainerPort>,
    /// For a Pod: an owner reference to the workload `w<i>` (a Deployment), present or not.
    owner: Option<usize>,
}

#[derive(Clone, Debug)]
enum Peer {
    Pods(Sel),
    Namespaces(Sel),
    Both(Sel, Sel),
    Block(usize, Vec<usize>),
}

#[derive(Clone, Debug)]
enum PortValue {
    Number(usize, Option<u16>),
    Name(usize),
}

#[derive(Clone, Debug)]
struct Port {
    protocol: Option<usize>,
    port: Option<PortValue>,
}

#[derive(Clone, Debug)]
struct Rule {
    /// None: no `from`/`to`; Some(empty): `[]`.
    peers: Option<Vec<Peer>>,
    /// None: no `ports`; Some(empty): `[]`.
    ports: Option<Vec<Port>>,
}

#[derive(Clone, Debug)]
struct Policy {
    ns: usize,
    /// Names repeat now and then: a later policy replaces an earlier one.
    name: usize,
    selector: Sel,
    /// None: omitted; else indexes into `["Ingress", "Egress"]`.
    types: Option<Vec<usize>>,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
}

#[derive(Clone, Debug)]
enum AdminPeer {
    Namespaces(Sel),
    Pods(Sel, Sel),
    Networks(Vec<usize>),
    Nodes(usize),
}

#[derive(Clone, Debug)]
enum AdminPort {
    Number(usize, usize),
    Range(usize, usize, u16),
    Named(usize),
}

#[derive(Clone, Debug)]
struct AdminRule {
    /// Index into `["Allow", "Deny", "Pass"]` (`Accept` for Allow in a CNP).
    action: usize,
    peers: Vec<AdminPeer>,
    ports: Option<Vec<AdminPort>>,
}

#[derive(Clone, Debug)]
struct Admin {
    /// 0: ANP, 1: BANP (named default), 2: CNP Admin tier, 3: CNP Baseline tier.
    kind: usize,
    priority: usize,
    /// (namespaceSelector, Some(podSelector)) or a `namespaces` subject.
    subject: (Sel, Option<Sel>),
    ingress: Vec<AdminRule>,
    egress: Vec<AdminRule>,
}

/// Node label values: a Node `node<i>` with `role: <ROLES[i]>` holds `IPS[i]`.
const ROLES: [&str; 3] = ["x", "y", "z"];

#[derive(Clone, Debug)]
struct Case {
    namespaces: Vec<Labels>,
    endpoints: Vec<Endpoint>,
    policies: Vec<Policy>,
    admins: Vec<Admin>,
    /// Namespaces with the alpha isolation annotation on.
    isolated: Vec<bool>,
}

fn labels() -> impl Strategy<Value = Labels> {
    prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn expr() -> impl Strategy<Value = Expr> {
    (
        0..KEYS.len(),
        0..OPERATORS.len(),
        prop::collection::vec(0..VALUES.len(), 1..3),
    )
        .prop_map(|(key, op, values)| Expr {
            key,
            op,
            // Exists and DoesNotExist take no values.
            values: if op >= 2 { Vec::new() } else { values },
        })
}

fn sel(namespaces: usize) -> impl Strategy<Value = Sel> {
    (
        prop::collection::btree_map(0..KEYS.len(), 0..VALUES.len(), 0..2)
            .prop_map(|m| m.into_iter().collect::<Labels>()),
        prop::collection::vec(expr(), 0..3),
        prop::option::weighted(0.2, 0..namespaces),
    )
        .prop_map(|(labels, exprs, name)| Sel {
            labels,
            exprs,
            name,
        })
}

fn endpoint(namespaces: usize) -> impl Strategy<Value = Endpoint> {
    (
        0..namespaces,
        prop::option::weighted(0.3, 0..WORKLOADS.len()),
        labels(),
        prop::collection::vec(0..IPS.len(), 0..3),
        prop::bool::weighted(0.15),
        prop::collection::vec(
            (
                prop::option::weighted(0.7, 0..NAMES.len()),
                0..PORTS.len(),
                prop::option::of(0..PROTOCOLS.len()),
            )
                .prop_map(|(name, port, protocol)| ContainerPort {
                    name,
                    port,
                    protocol,
                }),
            0..3,
        ),
        prop::option::weighted(0.2, 0..3usize),
    )
        .prop_map(
            |(ns, workload, labels, ips, host_network, ports, owner)| Endpoint {
                ns,
                workload,
                labels,
                ips,
                host_network,
                ports,
                owner,
            },
        )
}

fn peer(namespaces: usize) -> impl Strategy<Value = Peer> {
    prop_oneof![
        sel(namespaces).prop_map(Peer::Pods),
        sel(namespaces).prop_map(Peer::Namespaces),
        (sel(namespaces), sel(namespaces)).prop_map(|(n, p)| Peer::Both(n, p)),
        (0..CIDRS.len(), prop::collection::vec(0..3usize, 0..3)).prop_map(|(c, ex)| {
            let mut ex: Vec<usize> = ex.into_iter().filter(|&e| e < CIDRS[c].1.len()).collect();
            ex.sort_unstable();
            ex.dedup();
            Peer::Block(c, ex)
        }),
    ]
}

fn port() -> impl Strategy<Value = Port> {
    let value = prop_oneof![
        (
            0..PORTS.len(),
            prop::option::weighted(0.4, prop::sample::select(vec![0u16, 10, 1000]))
        )
            .prop_map(|(p, end)| PortValue::Number(p, end)),
        (0..NAMES.len()).prop_map(PortValue::Name),
    ];
    (
        prop::option::of(0..PROTOCOLS.len()),
        prop::option::weighted(0.8, value),
    )
        .prop_map(|(protocol, port)| Port { protocol, port })
}

fn rule(namespaces: usize) -> impl Strategy<Value = Rule> {
    (
        prop::option::weighted(0.8, prop::collection::vec(peer(namespaces), 0..3)),
        prop::option::weighted(0.7, prop::collection::vec(port(), 0..3)),
    )
        .prop_map(|(peers, ports)| Rule { peers, ports })
}

fn rules(namespaces: usize) -> impl Strategy<Value = Option<Vec<Rule>>> {
    prop::option::weighted(0.7, prop::collection::vec(rule(namespaces), 0..3))
}

fn policy(namespaces: usize) -> impl Strategy<Value = Policy> {
    let types = prop::option::of(prop_oneof![
        Just(vec![]),
        Just(vec![0]),
        Just(vec![1]),
        Just(vec![0, 1]),
    ]);
    (
        0..namespaces,
        0..4usize,
        sel(namespaces),
        types,
        rules(namespaces),
        rules(namespaces),
    )
        .prop_map(|(ns, name, selector, types, ingress, egress)| Policy {
            ns,
            name,
            selector,
            types,
            ingress,
            egress,
        })
}

fn admin_rule(namespaces: usize, egress: bool) -> impl Strategy<Value = AdminRule> {
    let peer = if egress {
        prop_oneof![
            sel(namespaces).prop_map(AdminPeer::Namespaces),
            (sel(namespaces), sel(namespaces)).prop_map(|(n, p)| AdminPeer::Pods(n, p)),
            prop::collection::vec(0..CIDRS.len(), 1..3).prop_map(AdminPeer::Networks),
            (0..ROLES.len()).prop_map(AdminPeer::Nodes),
        ]
        .boxed()
    } else {
        prop_oneof![
            sel(namespaces).prop_map(AdminPeer::Namespaces),
            (sel(namespaces), sel(namespaces)).prop_map(|(n, p)| AdminPeer::Pods(n, p)),
        ]
        .boxed()
    };
    let port = prop_oneof![
        (0..PROTOCOLS.len(), 0..PORTS.len()).prop_map(|(p, n)| AdminPort::Number(p, n)),
        (
            0..PROTOCOLS.len(),
            0..PORTS.len(),
            prop::sample::select(vec![1u16, 10, 1000])
        )
            .prop_map(|(p, n, w)| AdminPort::Range(p, n, w)),
        (0..NAMES.len()).prop_map(AdminPort::Named),
    ];
    (
        0..3usize,
        prop::collection::vec(peer, 1..3),
        prop::option::weighted(0.6, prop::collection::vec(port, 1..3)),
    )
        .prop_map(|(action, peers, ports)| AdminRule {
            action,
            peers,
            ports,
        })
}

fn admin(namespaces: usize) -> impl Strategy<Value = Admin> {
    (
        prop_oneof![4 => Just(0usize), 1 => Just(1), 1 => Just(2), 1 => Just(3)],
        0..3usize,
        (sel(namespaces), prop::option::of(sel(namespaces))),
        prop::collection::vec(admin_rule(namespaces, false), 0..3),
        prop::collection::vec(admin_rule(namespaces, true), 0..3),
    )
        .prop_map(|(kind, priority, subject, ingress, egress)| Admin {
            kind,
            priority,
            subject,
            ingress,
            egress,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (2..=4usize).prop_flat_map(|n| {
        (
            prop::collection::vec(labels(), n..=n),
            prop::collection::vec(endpoint(n), 2..=12),
            prop::collection::vec(policy(n), 0..=6),
            prop::collection::vec(admin(n), 0..=3),
            prop::collection::vec(prop::bool::weighted(0.15), n..=n),
        )
            .prop_map(|(namespaces, endpoints, policies, admins, isolated)| Case {
                namespaces,
                endpoints,
                policies,
                admins,
                isolated,
            })
    })
}

fn admin_yaml(out: &mut String, i: usize, a: &Admin) {
    let (api, kind, name, tier) = match a.kind {
        0 => (
            "policy.networking.k8s.io/v1alpha1",
            "AdminNetworkPolicy",
            format!("anp{i}"),
            None,
        ),
        1 => (
            "policy.networking.k8s.io/v1alpha1",
            "BaselineAdminNetworkPolicy",
            "default".to_string(),
            None,
        ),
        2 => (
            "policy.networking.k8s.io/v1alpha2",
            "ClusterNetworkPolicy",
            format!("cnp{i}"),
            Some("Admin"),
        ),
        _ => (
            "policy.networking.k8s.io/v1alpha2",
            "ClusterNetworkPolicy",
            format!("cnp{i}"),
            Some("Baseline"),
        ),
    };
    let cnp = tier.is_some();
    let _ = writeln!(
        out,
        "---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\nspec:"
    );
    if let Some(t) = tier {
        let _ = writeln!(out, "  tier: {t}");
    }
    if a.kind != 1 {
        let _ = writeln!(out, "  priority: {}", [5, 10, 10][a.priority]);
    }
    match &a.subject {
        (ns, None) => {
            let _ = writeln!(out, "  subject: {{namespaces: {}}}", flow_sel(ns));
        }
        (ns, Some(pods)) => {
            let _ = writeln!(
                out,
                "  subject: {{pods: {{namespaceSelector: {}, podSelector: {}}}}}",
                flow_sel(ns),
                flow_sel(pods)
            );
        }
    }
    for (field, peers_field, rules) in
        [("ingress", "from", &a.ingress), ("egress", "to", &a.egress)]
    {
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {field}:");
        for r in rules {
            // A BANP has no Pass: read it as Allow there.
            let action = match (r.action, a.kind, cnp) {
                (0, _, true) => "Accept",
                (0, _, false) | (2, 1, _) => "Allow",
                (1, _, _) => "Deny",
                _ => "Pass",
            };
            let peers: Vec<String> = r
                .peers
                .iter()
                .map(|p| match p {
                    AdminPeer::Namespaces(s) => format!("{{namespaces: {}}}", flow_sel(s)),
                    AdminPeer::Pods(n, p) => format!(
                        "{{pods: {{namespaceSelector: {}, podSelector: {}}}}}",
                        flow_sel(n),
                        flow_sel(p)
                    ),
                    AdminPeer::Networks(c) => {
                        let mut cidrs: Vec<&str> = c
                            .iter()
                            .map(|&i| CIDRS[i].0)
                            .filter(|c| *c != "10.0.0.3/8")
                            .collect();
                        cidrs.sort_unstable();
                        cidrs.dedup();
                        if cidrs.is_empty() {
                            cidrs.push("10.0.0.0/8");
                        }
                        format!("{{networks: ['{}']}}", cidrs.join("', '"))
                    }
                    AdminPeer::Nodes(r) => {
                        format!("{{nodes: {{matchLabels: {{role: {}}}}}}}", ROLES[*r])
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  - action: {action}\n    {peers_field}: [{}]",
                peers.join(", ")
            );
            let named = r
                .ports
                .iter()
                .flatten()
                .any(|p| matches!(p, AdminPort::Named(_)));
            let machine_peer = r
                .peers
                .iter()
                .any(|p| matches!(p, AdminPeer::Networks(_) | AdminPeer::Nodes(_)));
            if let Some(ports) = r.ports.as_ref().filter(|_| !(named && machine_peer)) {
                let items: Vec<String> = ports
                    .iter()
                    .map(|p| match (p, cnp) {
                        (AdminPort::Number(pr, n), false) => format!(
                            "{{portNumber: {{protocol: {}, port: {}}}}}",
                            PROTOCOLS[*pr], PORTS[*n]
                        ),
                        (AdminPort::Range(pr, n, w), false) => format!(
                            "{{portRange: {{protocol: {}, start: {}, end: {}}}}}",
                            PROTOCOLS[*pr],
                            PORTS[*n],
                            PORTS[*n] + w
                        ),
                        (AdminPort::Named(k), false) => format!("{{namedPort: {}}}", NAMES[*k]),
                        (AdminPort::Number(pr, n), true) => format!(
                            "{{{}: {{destinationPort: {{number: {}}}}}}}",
                            PROTOCOLS[*pr].to_lowercase(),
                            PORTS[*n]
                        ),
                        (AdminPort::Range(pr, n, w), true) => format!(
                            "{{{}: {{destinationPort: {{range: {{start: {}, end: {}}}}}}}}}",
                            PROTOCOLS[*pr].to_lowercase(),
                            PORTS[*n],
                            PORTS[*n] + w
                        ),
                        (AdminPort::Named(k), true) => {
                            format!("{{destinationNamedPort: {}}}", NAMES[*k])
                        }
                    })
                    .collect();
                let field = if cnp { "protocols" } else { "ports" };
                let _ = writeln!(out, "    {field}: [{}]", items.join(", "));
            }
        }
    }
}

fn flow_labels(l: &Labels) -> String {
    let parts: Vec<String> = l
        .iter()
        .map(|&(k, v)| format!("{}: {}", KEYS[k], VALUES[v]))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn flow_sel(s: &Sel) -> String {
    let mut labels: Vec<String> = s
        .labels
        .iter()
        .map(|&(k, v)| format!("{}: {}", KEYS[k], VALUES[v]))
        .collect();
    if let Some(n) = s.name {
        labels.push(format!("kubernetes.io/metadata.name: n{n}"));
    }
    let mut parts = Vec::new();
    if !labels.is_empty() {
        parts.push(format!("matchLabels: {{{}}}", labels.join(", ")));
    }
    if !s.exprs.is_empty() {
        let exprs: Vec<String> = s
            .exprs
            .iter()
            .map(|e| {
                let values: Vec<&str> = e.values.iter().map(|&v| VALUES[v]).collect();
                if e.op >= 2 {
                    format!("{{key: {}, operator: {}}}", KEYS[e.key], OPERATORS[e.op])
                } else {
                    format!(
                        "{{key: {}, operator: {}, values: [{}]}}",
                        KEYS[e.key],
                        OPERATORS[e.op],
                        values.join(", ")
                    )
                }
            })
            .collect();
        parts.push(format!("matchExpressions: [{}]", exprs.join(", ")));
    }
    format!("{{{}}}", parts.join(", "))
}

fn container_ports(ports: &[ContainerPort]) -> String {
    let items: Vec<String> = ports
        .iter()
        .map(|p| {
            let mut s = format!("containerPort: {}", PORTS[p.port]);
            if let Some(n) = p.name {
                s += &format!(", name: {}", NAMES[n]);
            }
            if let Some(pr) = p.protocol {
                s += &format!(", protocol: {}", PROTOCOLS[pr]);
            }
            format!("{{{s}}}")
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// One rule as an item of `ingress`/`egress`: `- {}`, or a block mapping.
fn rule_yaml(out: &mut String, r: &Rule, peers_field: &str) {
    let mut body = String::new();
    if let Some(peers) = &r.peers {
        if peers.is_empty() {
            let _ = writeln!(body, "    {peers_field}: []");
        } else {
            let _ = writeln!(body, "    {peers_field}:");
            for p in peers {
                match p {
                    Peer::Pods(s) => {
                        let _ = writeln!(body, "    - podSelector: {}", flow_sel(s));
                    }
                    Peer::Namespaces(s) => {
                        let _ = writeln!(body, "    - namespaceSelector: {}", flow_sel(s));
                    }
                    Peer::Both(n, s) => {
                        let _ = writeln!(
                            body,
                            "    - namespaceSelector: {}\n      podSelector: {}",
                            flow_sel(n),
                            flow_sel(s)
                        );
                    }
                    Peer::Block(c, ex) => {
                        let (cidr, excepts) = CIDRS[*c];
                        let ex: Vec<String> =
                            ex.iter().map(|&e| format!("'{}'", excepts[e])).collect();
                        let _ = writeln!(
                            body,
                            "    - ipBlock: {{cidr: '{cidr}', except: [{}]}}",
                            ex.join(", ")
                        );
                    }
                }
            }
        }
    }
    if let Some(ports) = &r.ports {
        if ports.is_empty() {
            body.push_str("    ports: []\n");
        } else {
            body.push_str("    ports:\n");
            for p in ports {
                let mut parts = Vec::new();
                if let Some(pr) = p.protocol {
                    parts.push(format!("protocol: {}", PROTOCOLS[pr]));
                }
                match &p.port {
                    None => {}
                    Some(PortValue::Number(n, end)) => {
                        parts.push(format!("port: {}", PORTS[*n]));
                        if let Some(d) = end {
                            parts.push(format!("endPort: {}", PORTS[*n] + d));
                        }
                    }
                    Some(PortValue::Name(n)) => parts.push(format!("port: {}", NAMES[*n])),
                }
                let _ = writeln!(body, "    - {{{}}}", parts.join(", "));
            }
        }
    }
    if body.is_empty() {
        out.push_str("  - {}\n");
    } else {
        // The body's lines are indented by 4: its first line goes after the `- `.
        out.push_str("  - ");
        out.push_str(&body[4..]);
    }
}

/// The case as manifests (one file).
fn yaml(c: &Case) -> String {
    let mut out = String::new();
    for (i, l) in c.namespaces.iter().enumerate() {
        let annotations = if c.isolated[i] {
            ", annotations: {net.alpha.kubernetes.io/network-isolation: 'on'}"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: n{i}, labels: {}{annotations}}}",
            flow_labels(l)
        );
    }
    for (i, role) in ROLES.iter().enumerate() {
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Node\nmetadata: {{name: node{i}, labels: {{role: {role}}}}}\nstatus: {{addresses: [{{type: InternalIP, address: '{}'}}]}}",
            IPS[i * 3]
        );
    }
    for (i, a) in c.admins.iter().enumerate() {
        admin_yaml(&mut out, i, a);
    }
    for (i, e) in c.endpoints.iter().enumerate() {
        let spec = format!(
            "{{hostNetwork: {}, containers: [{{name: c, ports: {}}}]}}",
            e.host_network,
            container_ports(&e.ports)
        );
        match e.workload {
            None => {
                let owner = e.owner.map_or(String::new(), |o| {
                    format!(", ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: w{o}, uid: u{o}}}]")
                });
                let ips: Vec<&str> = e.ips.iter().map(|&i| IPS[i]).collect();
                let status = match ips.first() {
                    None => "{phase: Running}".to_string(),
                    Some(first) => {
                        let all: Vec<String> =
                            ips.iter().map(|ip| format!("{{ip: '{ip}'}}")).collect();
                        format!(
                            "{{phase: Running, podIP: '{first}', podIPs: [{}]}}",
                            all.join(", ")
                        )
                    }
                };
                let _ = writeln!(
                    out,
                    "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: n{}, labels: {}{owner}}}\nspec: {spec}\nstatus: {status}",
                    e.ns,
                    flow_labels(&e.labels)
                );
            }
            Some(w) => {
                let (api, kind, job) = WORKLOADS[w];
                let template = format!(
                    "{{metadata: {{labels: {}}}, spec: {spec}}}",
                    flow_labels(&e.labels)
                );
                let spec = if job {
                    format!("{{jobTemplate: {{spec: {{template: {template}}}}}}}")
                } else {
                    format!("{{template: {template}}}")
                };
                // Workloads are named w<i> after the i-th workload kind, so that pod owner
                // references (always to a Deployment) sometimes find their owner.
                let name = if kind == "Deployment" {
                    format!("w{}", i % 3)
                } else {
                    format!("{}-{i}", kind.to_lowercase())
                };
                let _ = writeln!(
                    out,
                    "---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}, namespace: n{}}}\nspec: {spec}",
                    e.ns
                );
            }
        }
    }
    for p in &c.policies {
        let _ = writeln!(
            out,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np{}, namespace: n{}}}\nspec:\n  podSelector: {}",
            p.name,
            p.ns,
            flow_sel(&p.selector)
        );
        if let Some(types) = &p.types {
            let t: Vec<&str> = types.iter().map(|&t| ["Ingress", "Egress"][t]).collect();
            let _ = writeln!(out, "  policyTypes: [{}]", t.join(", "));
        }
        for (field, peers, list) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
            match list {
                None => {}
                Some(rules) if rules.is_empty() => {
                    let _ = writeln!(out, "  {field}: []");
                }
                Some(rules) => {
                    let _ = writeln!(out, "  {field}:");
                    for r in rules {
                        rule_yaml(&mut out, r, peers);
                    }
                }
            }
        }
    }
    out
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let text = yaml(c);
    let loaded = load_texts(&[("case.yaml", &text)], &LoadOptions::default());
    prop_assert!(
        loaded.problems.is_empty(),
        "the generated YAML loads cleanly: {:?}\n{text}",
        loaded
            .problems
            .iter()
            .map(|p| p.render(&loaded.sources))
            .collect::<Vec<_>>()
    );
    let cluster = Cluster::build(loaded.objects);
    support::agreement::every_pair_agrees(&cluster, |_, _| true, &text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn matrix_and_explain_agree_with_the_reference(c in case()) {
        check(&c)?;
    }
}

/// Clusters with many classes: the matrix is filled in parallel chunks of rows and interned
/// per chunk, which small random clusters never exercise.
#[test]
fn matrix_agrees_with_the_reference_on_a_generated_cluster() {
    use kubectl_netpol::synth::{self, Params, Rng};
    let generated = synth::Cluster::generate(&Params::new(400, 250, 11));
    let loaded = load_texts(&generated.texts(), &LoadOptions::default());
    assert!(loaded.problems.is_empty());
    let cluster = Cluster::build(loaded.objects);
    let m = Matrix::compute(&cluster);
    assert!(m.class_count() > 64, "{} classes", m.class_count());
    let mut r = Rng::new(5);
    let mut partial = 0;
    for _ in 0..20_000 {
        let (u, v) = (r.below(m.len()), r.below(m.len()));
        if m.is_external(u) && m.is_external(v) {
            continue;
        }
        let want = allowed_ports(&cluster, m.party(u), m.party(v));
        assert_eq!(
            m.allowed(u, v),
            &want,
            "{:?} → {:?}",
            m.party(u),
            m.party(v)
        );
        partial += usize::from(!want.is_all() && !want.is_empty());
    }
    // The policies do allow some ports and not others.
    assert!(partial > 100, "{partial} pairs with some ports allowed");
}

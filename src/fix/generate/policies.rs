//! The policies of a covered namespace, from the plan's connections, in the order written:
//! `default-deny`, `allow-dns`, then per workload (by name) `allow-<name>-ingress` (one rule
//! per source) and `allow-<name>-egress` (one rule per destination), each rule commented
//! with the flows it exists for.
//!
//! Flows to the cluster DNS on port 53 from a covered namespace are what `allow-dns` allows:
//! they make no rule of their own, and are named in its comment. When the DNS's own
//! namespace is covered, its workloads admit DNS from every covered namespace. A rule for an
//! address range inside another rule's range, on ports that rule allows, is folded into it.
//! A rule admitting every address (`0.0.0.0/0`), which the flows say is meant, is annotated
//! so that `check` does not report it.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::plan::{
    Connection, DNS_PORT, DnsPlan, Peer, PortItem, Ports, Workload, labels_text, origins_text,
    peer_name,
};
use super::{Api, Origin};
use crate::engine::Party;
use crate::model::{Cluster, Direction, Protocol};

/// The annotation by which `check` is told a finding is meant (`netpol.kubectl.dev/ignore`).
pub const IGNORE_ANNOTATION: &str = "netpol.kubectl.dev/ignore";

/// Which pods or addresses a rule's peer matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerSel {
    /// Pods with these labels (all pods when empty), in a namespace (None: the policy's,
    /// written without a namespaceSelector).
    Pods {
        /// The namespace, when it is not the policy's.
        namespace: Option<String>,
        /// The `matchLabels`.
        labels: Vec<(String, String)>,
    },
    /// Every pod of these namespaces.
    Namespaces(Vec<String>),
    /// An ipBlock.
    Block(IpNet),
}

impl PeerSel {
    /// Whether it matches a party, in a policy of namespace `policy_ns` written in `api`:
    /// selectors never match hostNetwork pods or addresses; an ipBlock (Calico's `nets`)
    /// matches addresses and the endpoints with a known IP in it, Cilium's CIDR rules only
    /// addresses outside the cluster.
    pub fn matches(&self, cluster: &Cluster, policy_ns: &str, party: Party, api: Api) -> bool {
        match (self, party) {
            (PeerSel::Block(net), Party::Address(ip)) => net.contains(&ip),
            (PeerSel::Block(_), Party::Endpoint(_)) if api == Api::Cilium => false,
            (PeerSel::Block(net), Party::Endpoint(e)) => {
                cluster.endpoints[e].ips.iter().any(|ip| net.contains(ip))
            }
            (_, Party::Address(_)) => false,
            (PeerSel::Pods { namespace, labels }, Party::Endpoint(e)) => {
                let ep = &cluster.endpoints[e];
                !ep.host_network
                    && ep.namespace == namespace.as_deref().unwrap_or(policy_ns)
                    && has_labels(&ep.labels, labels)
            }
            (PeerSel::Namespaces(list), Party::Endpoint(e)) => {
                let ep = &cluster.endpoints[e];
                !ep.host_network && list.contains(&ep.namespace)
            }
        }
    }
}

pub(super) fn has_labels(have: &crate::model::Labels, want: &[(String, String)]) -> bool {
    want.iter().all(|(k, v)| have.get(k) == Some(v.as_str()))
}

/// A rule: one peer, its ports, and the flows it is written for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Comment lines above it (the flows).
    pub comment: Vec<String>,
    /// Its peer.
    pub peer: PeerSel,
    /// Its ports.
    pub ports: Ports,
}

/// A NetworkPolicy to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// `metadata.name`.
    pub name: String,
    /// Comment lines above it.
    pub comment: Vec<String>,
    /// `metadata.annotations`.
    pub annotations: Vec<(String, String)>,
    /// `spec.podSelector.matchLabels` (empty: every pod).
    pub pod_selector: Vec<(String, String)>,
    /// Ingress rules, when Ingress is among its policyTypes.
    pub ingress: Option<Vec<Rule>>,
    /// Egress rules, when Egress is among its policyTypes.
    pub egress: Option<Vec<Rule>>,
}

impl Policy {
    /// Its rules of a direction (None: it does not isolate that direction).
    pub fn rules(&self, dir: Direction) -> Option<&[Rule]> {
        match dir {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }
}

/// The policies of one namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespacePlan {
    /// The namespace.
    pub namespace: String,
    /// Its policies, in the order written.
    pub policies: Vec<Policy>,
}

/// The comment lines of a connection's flows: one per port, with the lines it is listed
/// at (`shop/deploy/web → shop/deploy/api on TCP 8080 (flows.yaml:4)`).
fn flow_comments(workloads: &[Workload], c: &Connection, only: Option<&Ports>) -> Vec<String> {
    let mut by_port: BTreeMap<Option<(Protocol, u16)>, Vec<&Origin>> = BTreeMap::new();
    for l in &c.lines {
        if let (Some(keep), Some((p, n))) = (only, l.port)
            && !keep.covers(&Ports::List(vec![PortItem {
                protocol: p,
                port: n,
                name: None,
            }]))
        {
            continue;
        }
        by_port.entry(l.port).or_default().push(&l.origin);
    }
    let mut by_port: Vec<_> = by_port.into_iter().collect();
    by_port.sort_by(|a, b| a.1.first().cmp(&b.1.first()));
    by_port
        .into_iter()
        .map(|(port, origins)| {
            let port = match port {
                Some((p, n)) => format!("{p} {n}"),
                None => match &c.ports {
                    Ports::All => "every port".into(),
                    Ports::List(_) => format!("its ports ({})", c.ports.describe()),
                },
            };
            format!(
                "{} → {} on {port} ({})",
                peer_name(workloads, c.src),
                peer_name(workloads, c.dst),
                origins_text(&origins)
            )
        })
        .collect()
}

/// The peer selecting `p` from a policy of namespace `ns`.
fn peer_sel(workloads: &[Workload], ns: &str, p: Peer) -> PeerSel {
    match p {
        Peer::Cidr(net) => PeerSel::Block(net),
        Peer::Workload(w) => {
            let wl = &workloads[w];
            PeerSel::Pods {
                namespace: (wl.namespace != ns).then(|| wl.namespace.clone()),
                labels: selection_labels(wl),
            }
        }
    }
}

pub(super) fn selection_labels(w: &Workload) -> Vec<(String, String)> {
    w.selection
        .as_ref()
        .map(|s| s.labels.clone())
        .unwrap_or_default()
}

/// Whether the connection's flows on DNS ports are what `allow-dns` allows: from a workload
/// of a covered namespace to a resolver.
pub(super) fn dns_covered(dns: &DnsPlan, c: &Connection) -> bool {
    matches!((c.src, c.dst), (Peer::Workload(_), Peer::Workload(d)) if dns.resolvers.contains(&d))
}

/// The ports a connection's own rules allow: without the DNS ports `allow-dns` allows.
pub(super) fn rule_ports(dns: &DnsPlan, c: &Connection) -> Ports {
    if !dns_covered(dns, c) {
        return c.ports.clone();
    }
    match &c.ports {
        Ports::All => Ports::All,
        Ports::List(items) => Ports::List(
            items
                .iter()
                .filter(|i| {
                    !(i.port == DNS_PORT && matches!(i.protocol, Protocol::Udp | Protocol::Tcp))
                })
                .cloned()
                .collect(),
        ),
    }
}

pub(super) fn namespace_plan(
    cluster: &Cluster,
    ns: &str,
    covered: &[String],
    workloads: &[Workload],
    connections: &[Connection],
    dns: &DnsPlan,
) -> NamespacePlan {
    let mut policies = vec![Policy {
        name: "default-deny".into(),
        comment: vec![format!(
            "Default deny: no pod of {ns} may connect, or be connected to, unless a policy below allows it."
        )],
        annotations: Vec::new(),
        pod_selector: Vec::new(),
        ingress: Some(Vec::new()),
        egress: Some(Vec::new()),
    }];
    // DNS for every pod of the namespace.
    let resolver_names: Vec<String> = dns.resolvers.iter().map(|&w| workloads[w].id()).collect();
    let resolver_text = if resolver_names.is_empty() {
        format!(
            "pods {} in {}, which the input does not hold",
            labels_text(&dns.labels),
            dns.namespace
        )
    } else {
        resolver_names.join(", ")
    };
    let mut dns_comment = vec![format!(
        "DNS: egress isolation blocks name resolution too, so every pod of {ns} may ask the cluster DNS, {resolver_text}, on UDP and TCP 53 (an extra: the flows do not list it)."
    )];
    let listed: Vec<String> = connections
        .iter()
        .filter(|c| dns_covered(dns, c) && in_ns(workloads, c.src, ns))
        .flat_map(|c| flow_comments(workloads, c, Some(&dns.ports)))
        .collect();
    if !listed.is_empty() {
        dns_comment.push("It allows these flows listed:".into());
        dns_comment.extend(listed.into_iter().map(|l| format!("  {l}")));
    }
    policies.push(Policy {
        name: "allow-dns".into(),
        comment: dns_comment,
        annotations: Vec::new(),
        pod_selector: Vec::new(),
        ingress: None,
        egress: Some(vec![Rule {
            comment: Vec::new(),
            peer: PeerSel::Pods {
                namespace: Some(dns.namespace.clone()),
                labels: dns.labels.clone(),
            },
            ports: dns.ports.clone(),
        }]),
    });
    let mut in_this: Vec<usize> = (0..workloads.len())
        .filter(|&w| workloads[w].namespace == ns && workloads[w].selection.is_some())
        .collect();
    in_this.sort_by(|&a, &b| {
        (&workloads[a].stem, &workloads[a].key).cmp(&(&workloads[b].stem, &workloads[b].key))
    });
    for w in in_this {
        for dir in [Direction::Ingress, Direction::Egress] {
            if let Some(p) =
                workload_policy(cluster, ns, covered, w, dir, workloads, connections, dns)
            {
                policies.push(p);
            }
        }
    }
    NamespacePlan {
        namespace: ns.to_string(),
        policies,
    }
}

fn in_ns(workloads: &[Workload], p: Peer, ns: &str) -> bool {
    matches!(p, Peer::Workload(w) if workloads[w].namespace == ns)
}

/// The ingress or egress policy of a workload, if it has rules.
#[allow(clippy::too_many_arguments)]
fn workload_policy(
    cluster: &Cluster,
    ns: &str,
    covered: &[String],
    w: usize,
    dir: Direction,
    workloads: &[Workload],
    connections: &[Connection],
    dns: &DnsPlan,
) -> Option<Policy> {
    let wl = &workloads[w];
    let mut rules: Vec<(Option<Peer>, Rule)> = Vec::new();
    let mut annotations: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // The DNS's own workloads admit DNS from every covered namespace.
    if dir == Direction::Ingress && wl.namespace == dns.namespace && dns.resolvers.contains(&w) {
        let mut comment = vec![format!(
            "DNS: every pod of the covered namespaces may ask it (an extra: allow-dns lets them out); pods of other namespaces may not."
        )];
        comment.extend(
            connections
                .iter()
                .filter(|c| dns_covered(dns, c) && c.dst == Peer::Workload(w))
                .flat_map(|c| flow_comments(workloads, c, Some(&dns.ports))),
        );
        rules.push((
            None,
            Rule {
                comment,
                peer: PeerSel::Namespaces(covered.to_vec()),
                ports: dns.ports.clone(),
            },
        ));
    }
    for c in connections {
        let (mine, other) = match dir {
            Direction::Ingress => (c.dst, c.src),
            Direction::Egress => (c.src, c.dst),
        };
        if mine != Peer::Workload(w) {
            continue;
        }
        let ports = rule_ports(dns, c);
        if matches!(&ports, Ports::List(items) if items.is_empty()) {
            continue;
        }
        if let Peer::Cidr(net) = other
            && net.prefix_len() == 0
        {
            match dir {
                Direction::Ingress => annotations.push("ingress-from-anywhere".into()),
                Direction::Egress
                    if ports.covers(&Ports::List(vec![PortItem {
                        protocol: Protocol::Udp,
                        port: DNS_PORT,
                        name: None,
                    }])) || ports.covers(&Ports::List(vec![PortItem {
                        protocol: Protocol::Tcp,
                        port: DNS_PORT,
                        name: None,
                    }])) =>
                {
                    annotations.push("dns-egress-to-anywhere".into());
                }
                Direction::Egress => {}
            }
        }
        rules.push((
            Some(other),
            Rule {
                comment: flow_comments(workloads, c, Some(&ports)),
                peer: peer_sel(workloads, ns, other),
                ports,
            },
        ));
    }
    fold_nested_blocks(&mut rules);
    if rules.is_empty() {
        return None;
    }
    let sel = wl
        .selection
        .as_ref()
        .expect("workloads with rules are selected");
    if !sel.exact() {
        let also: Vec<String> = sel
            .extra()
            .iter()
            .map(|&e| cluster.endpoints[e].id())
            .collect();
        notes.push(format!(
            "No set of labels tells it apart from {}: this policy selects {} too.",
            also.join(", "),
            if also.len() == 1 { "it" } else { "them" }
        ));
    }
    let what = match dir {
        Direction::Ingress => "who may connect to it",
        Direction::Egress => "where it may connect",
    };
    let mut comment = vec![format!("{}: {what}.", wl.id())];
    comment.extend(notes);
    if !annotations.is_empty() {
        comment.push(format!(
            "The flows listed admit every address ({}): annotated so that `check` knows it is meant.",
            annotations.join(", ")
        ));
    }
    Some(Policy {
        name: format!("allow-{}-{}", wl.stem, dir.as_str().to_ascii_lowercase()),
        comment,
        annotations: if annotations.is_empty() {
            Vec::new()
        } else {
            vec![(IGNORE_ANNOTATION.to_string(), annotations.join(", "))]
        },
        pod_selector: sel.labels.clone(),
        ingress: (dir == Direction::Ingress)
            .then(|| rules.iter().map(|(_, r)| r.clone()).collect()),
        egress: (dir == Direction::Egress).then(|| rules.into_iter().map(|(_, r)| r).collect()),
    })
}

/// A rule for an address range inside another rule's range, on ports that rule allows too,
/// adds nothing: its flows are named in that rule's comment instead.
fn fold_nested_blocks(rules: &mut Vec<(Option<Peer>, Rule)>) {
    let mut i = 0;
    while i < rules.len() {
        let Some(Peer::Cidr(inner)) = rules[i].0 else {
            i += 1;
            continue;
        };
        let outer = rules.iter().position(|(p, r)| {
            matches!(p, Some(Peer::Cidr(o)) if *o != inner && o.contains(&inner))
                && r.ports.covers(&rules[i].1.ports)
        });
        match outer {
            Some(o) => {
                let (_, folded) = rules.remove(i);
                let o = if o > i { o - 1 } else { o };
                let Some(Peer::Cidr(outer_net)) = rules[o].0 else {
                    unreachable!("matched a CIDR")
                };
                rules[o].1.comment.extend(
                    folded
                        .comment
                        .into_iter()
                        .map(|l| format!("{l}, within {outer_net}")),
                );
            }
            None => i += 1,
        }
    }
}

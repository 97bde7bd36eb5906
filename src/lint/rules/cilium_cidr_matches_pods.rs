//! ## What it finds
//! An address rule meant for pods or nodes under Cilium: a `fromCIDR`/`toCIDR` entry or a
//! `fromCIDRSet`/`toCIDRSet` item (its `cidr`, or the CIDRs of the CiliumCIDRGroups it names)
//! of a Cilium policy, or a Kubernetes NetworkPolicy `ipBlock` when Cilium enforces the
//! policies, whose range holds (outside its `except`s) the IP of a pod of the input, part of
//! a Node's pod CIDR, or a Node's address. Allow and deny rules alike. The finding names the
//! pods (then the pod CIDRs, then the nodes) it holds.
//!
//! A range of length 0 (`0.0.0.0/0`, `::/0`) is not reported: it is written for "anywhere",
//! and Cilium reads it as the outside world, which it is usually meant to be.
//!
//! For a Kubernetes NetworkPolicy the meaning depends on the plugin: Calico and the
//! Kubernetes API's conformance tests match pods by their IPs, Cilium does not. Under
//! `--cni calico` nothing is reported. Under `--cni kubernetes` (the default when the input
//! holds no plugin's objects) it is reported as informational only when the input has Node
//! objects (a cluster's state, whose plugin matters), or holds both Calico and Cilium
//! objects.
//!
//! ## Why it matters
//! Cilium gives addresses inside the cluster the identity of what owns them (a pod, `host`,
//! `remote-node`), never a CIDR identity: CIDR rules and `ipBlock`s only match addresses
//! outside the cluster (cilium/cilium#35212; docs.cilium.io "Layer 3 policies: IP/CIDR
//! based", "Kubernetes network policy: unsupported features"). An allow written with the
//! pod network's range allows none of its pods; a deny written with it denies none of them.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - fromCIDR: [10.10.0.0/16]        # the pod network: matches no pod under Cilium
//!     toPorts:
//!     - ports: [{port: "5432", protocol: TCP}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - fromEndpoints: [{matchLabels: {app: api}}]
//!     toPorts:
//!     - ports: [{port: "5432", protocol: TCP}]
//! ```
//! Nodes are `fromEntities: [host, remote-node]`.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::base::span::Span;
use crate::lint::risk::name_list;
use crate::lint::scope::peer_path;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::cilium::{CiliumPolicy, PeerRule};
use crate::model::ip::{AddrRange, parse_cidr};
use crate::model::{Cluster, Cni, Direction};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP905",
    name: "cilium-cidr-matches-pods",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a CIDR rule or ipBlock holding pod or node addresses, which Cilium never matches with CIDRs",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    if cluster.cni == Cni::Cilium {
        for (idx, p) in cluster.cilium_policies.iter().enumerate() {
            if cluster.cilium_applied(idx) {
                cilium_policy(cluster, idx, p, out);
            }
        }
    }
    let kubernetes = match cluster.cni {
        Cni::Cilium => Some(Severity::Warning),
        _ if cluster.cni_conflict().is_some() => Some(Severity::Info),
        Cni::Kubernetes if !cluster.nodes.is_empty() => Some(Severity::Info),
        _ => None,
    };
    if let Some(severity) = kubernetes {
        network_policies(cluster, severity, out);
    }
}

fn cilium_policy(cluster: &Cluster, idx: usize, p: &CiliumPolicy, out: &mut Vec<Finding>) {
    for spec in &p.specs {
        for dir in Direction::BOTH {
            let prefix = match dir {
                Direction::Ingress => "from",
                Direction::Egress => "to",
            };
            let lists: [(&str, Option<&[PeerRule]>, bool); 2] = [
                (dir.field(), spec.allows(dir), false),
                (
                    match dir {
                        Direction::Ingress => "ingressDeny",
                        Direction::Egress => "egressDeny",
                    },
                    spec.denies(dir),
                    true,
                ),
            ];
            for (field, list, deny) in lists {
                for r in list.into_iter().flatten() {
                    let base = format!("{}: {}.{field}[{}]", p.id(), spec.label, r.index);
                    let mut items: Vec<(String, Span, Vec<IpNet>, Vec<IpNet>)> = Vec::new();
                    for (j, c) in r.cidr.iter().flatten().enumerate() {
                        items.push((
                            format!("{base}.{prefix}CIDR[{j}]: {}", c.value),
                            c.span,
                            cidr(&c.value).into_iter().collect(),
                            Vec::new(),
                        ));
                    }
                    for (j, c) in r.cidr_set.iter().flatten().enumerate() {
                        let mut nets: Vec<IpNet> = Vec::new();
                        let mut what = Vec::new();
                        if let Some(n) = &c.cidr {
                            nets.extend(cidr(&n.value));
                            what.push(n.value.clone());
                        }
                        for g in &cluster.cidr_groups {
                            let named = c.group_ref.as_ref().is_some_and(|r| r.value == g.name);
                            let selected = c
                                .group_selector
                                .as_ref()
                                .is_some_and(|s| s.matches(&g.labels));
                            if named || selected {
                                nets.extend(g.cidrs.iter().filter_map(|x| cidr(&x.value)));
                                what.push(format!("CIDR group {}", g.name));
                            }
                        }
                        let except = c.except.iter().filter_map(|e| cidr(&e.value)).collect();
                        items.push((
                            format!("{base}.{prefix}CIDRSet[{j}]: {}", what.join(" + ")),
                            c.span,
                            nets,
                            except,
                        ));
                    }
                    for (head, span, nets, except) in items {
                        let held = held(cluster, &nets, &except);
                        if held.is_empty() {
                            continue;
                        }
                        let verb = if deny { "denies" } else { "allows" };
                        let (towards, entity_field) = match dir {
                            Direction::Ingress => ("from", "fromEndpoints"),
                            Direction::Egress => ("to", "toEndpoints"),
                        };
                        out.push(
                            Finding::new(
                                &RULE,
                                Subject::CiliumPolicy(idx),
                                span,
                                format!(
                                    "{head} holds {}: Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this {verb} nothing {towards} them",
                                    name_list(&held, 2)
                                ),
                            )
                            .help(format!(
                                "select pods with `{entity_field}` (naming their namespace when it is another), nodes with `{prefix}Entities: [host, remote-node]`"
                            )),
                        );
                    }
                }
            }
        }
    }
}

fn network_policies(cluster: &Cluster, severity: Severity, out: &mut Vec<Finding>) {
    for (idx, p) in cluster.applied_policies() {
        for dir in Direction::BOTH {
            for rule in p.effective_rules(dir) {
                for peer in rule.peer_list() {
                    let Some(block) = &peer.ip_block else {
                        continue;
                    };
                    let held = held(
                        cluster,
                        &block.net().into_iter().collect::<Vec<_>>(),
                        &block.except_nets(),
                    );
                    if held.is_empty() {
                        continue;
                    }
                    let head = format!(
                        "{}: ipBlock {} holds {}",
                        peer_path(p, rule, peer),
                        block.describe(),
                        name_list(&held, 2)
                    );
                    let towards = match dir {
                        Direction::Ingress => "from",
                        Direction::Egress => "to",
                    };
                    let mut f = if severity == Severity::Warning {
                        Finding::new(
                            &RULE,
                            Subject::Policy(idx),
                            block.span,
                            format!(
                                "{head}: Cilium never matches a pod or a node with an ipBlock, only addresses outside the cluster, so this allows nothing {towards} them"
                            ),
                        )
                        .help("select pods with a podSelector (and a namespaceSelector for other namespaces)")
                    } else {
                        Finding::new(
                            &RULE,
                            Subject::Policy(idx),
                            block.span,
                            format!(
                                "{head}: whether it matches them depends on the network plugin: it does under Calico and the Kubernetes API, not under Cilium"
                            ),
                        )
                        .help("to match pods whatever the plugin, select them with a podSelector; `--cni` says which plugin enforces the policies")
                    };
                    f.severity = severity;
                    out.push(f);
                }
            }
        }
    }
}

/// A CIDR or a lone address, as Cilium accepts both.
fn cidr(s: &str) -> Option<IpNet> {
    parse_cidr(s)
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// What of the cluster the nets hold outside the excepts: pods by IP, then Nodes' pod CIDRs,
/// then Nodes' addresses. A net of length 0 holds nothing here.
fn held(cluster: &Cluster, nets: &[IpNet], except: &[IpNet]) -> Vec<String> {
    let nets: Vec<&IpNet> = nets.iter().filter(|n| n.prefix_len() > 0).collect();
    if nets.is_empty() {
        return Vec::new();
    }
    let excepted = |ip: IpAddr| except.iter().any(|e| AddrRange::from_net(e).contains(ip));
    let holds =
        |ip: IpAddr| nets.iter().any(|n| AddrRange::from_net(n).contains(ip)) && !excepted(ip);
    let mut out = Vec::new();
    let mut pod_ips = Vec::new();
    for e in cluster.endpoints.iter().filter(|e| !e.host_network) {
        if let Some(ip) = e.ips.iter().copied().find(|&ip| holds(ip)) {
            out.push(format!("the IP of {} ({ip})", e.id()));
            pod_ips.push(ip);
        }
    }
    for node in &cluster.nodes {
        for c in &node.pod_cidrs {
            if pod_ips.iter().any(|&ip| c.contains(&ip)) {
                // Said by the pods it holds.
                continue;
            }
            // CIDRs nest or are apart: their overlap is the smaller one.
            let overlap = nets.iter().find_map(|n| {
                if n.contains(c) {
                    Some((*c, "the"))
                } else if c.contains(*n) {
                    Some((**n, "part of the"))
                } else {
                    None
                }
            });
            if let Some((o, what)) = overlap
                && !except.iter().any(|e| e.contains(&o))
            {
                out.push(format!("{what} pod CIDR {c} of node {}", node.name));
            }
        }
    }
    for node in &cluster.nodes {
        if let Some(ip) = node.addresses.iter().copied().find(|&ip| holds(ip)) {
            out.push(format!("the address of node {} ({ip})", node.name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::Severity;
    use crate::lint::testing::{details, findings, findings_in};

    fn severities(fixture: &str) -> Vec<(u32, Severity)> {
        crate::lint::testing::severities(&RULE, fixture)
    }

    #[test]
    fn points_at_each_cidr_holding_pods_or_nodes() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "36:16: CiliumNetworkPolicy shop/db: spec.ingress[0].fromCIDR[0]: 10.10.0.0/16 holds the IP of shop/api (10.10.0.20) and the IP of shop/db (10.10.1.30): Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this allows nothing from them",
                "53:7: CiliumNetworkPolicy shop/api: spec.egress[0].toCIDRSet[0]: 10.10.1.30/32 holds the IP of shop/db (10.10.1.30): Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this allows nothing to them",
                "54:7: CiliumNetworkPolicy shop/api: spec.egress[0].toCIDRSet[1]: CIDR group internal holds the IP of shop/db (10.10.1.30): Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this allows nothing to them",
                "58:14: CiliumNetworkPolicy shop/api: spec.egressDeny[0].toCIDR[0]: 172.18.0.0/24 holds the address of node node-1 (172.18.0.2) and the address of node node-2 (172.18.0.3): Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this denies nothing to them",
                "58:29: CiliumNetworkPolicy shop/api: spec.egressDeny[0].toCIDR[1]: 10.10.0.128/25 holds part of the pod CIDR 10.10.0.0/24 of node node-1: Cilium never matches a pod or a node with a CIDR, only addresses outside the cluster, so this denies nothing to them",
                "68:16: shop/db-from-api: ingress[0].from[0]: ipBlock 10.10.0.20/32 holds the IP of shop/api (10.10.0.20): Cilium never matches a pod or a node with an ipBlock, only addresses outside the cluster, so this allows nothing from them",
            ]
        );
    }

    #[test]
    fn says_how_to_select_pods_and_nodes() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "\n  help: select pods with `fromEndpoints` (naming their namespace when it is another), nodes with `fromEntities: [host, remote-node]`"
        ));
        assert!(d[5].ends_with(
            "\n  help: select pods with a podSelector (and a namespaceSelector for other namespaces)"
        ));
    }

    #[test]
    fn network_policies_are_informational_without_cilium() {
        assert_eq!(
            findings(&RULE, "kubernetes.yaml"),
            [
                "37:16: shop/db: ingress[0].from[0]: ipBlock 10.10.0.0/24 holds the IP of shop/api (10.10.0.20): whether it matches them depends on the network plugin: it does under Calico and the Kubernetes API, not under Cilium",
            ]
        );
        assert_eq!(severities("kubernetes.yaml"), [(37, Severity::Info)]);
        assert_eq!(severities("bad.yaml")[5], (68, Severity::Warning));
    }

    #[test]
    fn network_policies_under_calico_pass() {
        assert!(findings_in(&RULE, &["kubernetes.yaml", "calico.yaml"]).is_empty());
    }

    #[test]
    fn outside_ranges_and_excepted_pod_networks_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! Whether a peer or rule matches a party: the plain statement of NetworkPolicy peer
//! semantics, shared by the reference evaluator and the explanations.
//!
//! - `ipBlock` matches addresses in `cidr` and in no `except`: external addresses, and pods
//!   by their known IPs (as the upstream conformance tests expect).
//! - Selectors match pods only, never external addresses and never hostNetwork pods (whose
//!   traffic carries their node's IP).
//! - `podSelector` alone: pods of the policy's namespace; `namespaceSelector` alone: every pod
//!   of the matching namespaces; both: pods matching both (AND).

use super::Party;
use crate::model::cluster_policy::{ClusterPeer, ClusterPeerKind, ClusterPolicy, ClusterRule};
use crate::model::ip::{AddrRange, parse_cidr};
use crate::model::policy::Peer;
use crate::model::{Cluster, Endpoint, NetworkPolicy, Rule};

/// Whether a peer of `policy` matches the party.
pub fn peer_matches(cluster: &Cluster, policy: &NetworkPolicy, peer: &Peer, party: Party) -> bool {
    match party {
        Party::Address(ip) => peer.ip_block.as_ref().is_some_and(|b| b.contains(ip)),
        Party::Endpoint(i) => {
            let ep = &cluster.endpoints[i];
            if let Some(block) = &peer.ip_block {
                return ep.ips.iter().any(|&ip| block.contains(ip));
            }
            if ep.host_network {
                return false;
            }
            let ns_ok = match &peer.namespace_selector {
                Some(sel) => sel.matches(&cluster.ns(ep.ns).labels),
                None => ep.namespace == policy.namespace,
            };
            ns_ok
                && peer
                    .pod_selector
                    .as_ref()
                    .is_none_or(|sel| sel.matches(&ep.labels))
        }
    }
}

/// Whether a rule's `from`/`to` matches the party (no or empty list: every party).
pub fn rule_matches(cluster: &Cluster, policy: &NetworkPolicy, rule: &Rule, party: Party) -> bool {
    rule.all_peers()
        || rule
            .peer_list()
            .iter()
            .any(|p| peer_matches(cluster, policy, p, party))
}

/// Whether a cluster-wide policy's subject selects the endpoint (never a hostNetwork pod).
pub fn cluster_selects(cluster: &Cluster, policy: &ClusterPolicy, ep: &Endpoint) -> bool {
    !ep.host_network
        && policy
            .subject
            .namespace_selector
            .matches(&cluster.ns(ep.ns).labels)
        && policy
            .subject
            .pod_selector
            .as_ref()
            .is_none_or(|s| s.matches(&ep.labels))
}

/// Whether a peer of a cluster-wide rule matches the party.
/// - `namespaces` / `pods`: pods by their namespace's and their own labels, never hostNetwork
///   pods nor addresses;
/// - `nodes`: the addresses in the matching Nodes' status (and so hostNetwork pods on them);
/// - `networks`: addresses in the CIDRs, pods by their IPs included.
pub fn cluster_peer_matches(cluster: &Cluster, peer: &ClusterPeer, party: Party) -> bool {
    let ips: &[std::net::IpAddr] = match party {
        Party::Endpoint(i) => &cluster.endpoints[i].ips,
        Party::Address(ref ip) => std::slice::from_ref(ip),
    };
    match &peer.kind {
        ClusterPeerKind::Namespaces(sel) => match party {
            Party::Endpoint(i) => {
                !cluster.endpoints[i].host_network
                    && sel.matches(&cluster.ns(cluster.endpoints[i].ns).labels)
            }
            Party::Address(_) => false,
        },
        ClusterPeerKind::Pods {
            namespace_selector,
            pod_selector,
        } => match party {
            Party::Endpoint(i) => {
                let ep = &cluster.endpoints[i];
                !ep.host_network
                    && namespace_selector.matches(&cluster.ns(ep.ns).labels)
                    && pod_selector.matches(&ep.labels)
            }
            Party::Address(_) => false,
        },
        ClusterPeerKind::Nodes(sel) => cluster
            .nodes
            .iter()
            .filter(|n| sel.matches(&n.labels))
            .any(|n| n.addresses.iter().any(|a| ips.contains(a))),
        ClusterPeerKind::Networks(cidrs) => cidrs
            .iter()
            .filter_map(|c| parse_cidr(c).ok())
            .any(|net| ips.iter().any(|&ip| AddrRange::from_net(&net).contains(ip))),
        ClusterPeerKind::Unknown => false,
    }
}

/// Whether a cluster-wide rule's peers match the party.
pub fn cluster_rule_matches(cluster: &Cluster, rule: &ClusterRule, party: Party) -> bool {
    rule.peers
        .iter()
        .any(|p| cluster_peer_matches(cluster, p, party))
}

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
use crate::model::policy::Peer;
use crate::model::{Cluster, NetworkPolicy, Rule};

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

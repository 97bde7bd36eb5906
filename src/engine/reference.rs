//! The reference evaluator: the NetworkPolicy rules read straight off the API reference, one
//! pair at a time, with no index and no cleverness. The fast matrix engine is checked against
//! it by property tests; explanations are checked against it too.
//!
//! src → dst is allowed on a port iff
//! (src is not egress-isolated, or an egress rule of a policy selecting src allows dst there)
//! AND (dst is not ingress-isolated, or an ingress rule of a policy selecting dst allows src
//! there). A pod reaching itself is always allowed.

use super::Party;
use super::matching::rule_matches;
use crate::model::{Cluster, ContainerPort, Direction, PortSet};

/// The ports on which `src` may open connections to `dst`.
pub fn allowed_ports(cluster: &Cluster, src: Party, dst: Party) -> PortSet {
    if let (Party::Endpoint(a), Party::Endpoint(b)) = (src, dst) {
        if a == b && cluster.endpoints[a].is_pod() {
            return PortSet::all();
        }
    }
    let dst_ports = dst_ports(cluster, dst);
    let egress = match src {
        Party::Endpoint(s) => side(cluster, Direction::Egress, s, dst, dst_ports),
        Party::Address(_) => PortSet::all(),
    };
    let ingress = match dst {
        Party::Endpoint(d) => side(cluster, Direction::Ingress, d, src, dst_ports),
        Party::Address(_) => PortSet::all(),
    };
    egress.intersect(&ingress)
}

/// The container ports of the destination (None for an address outside the cluster).
pub fn dst_ports(cluster: &Cluster, dst: Party) -> Option<&[ContainerPort]> {
    match dst {
        Party::Endpoint(d) => Some(&cluster.endpoints[d].ports),
        Party::Address(_) => None,
    }
}

/// What one side allows: all ports when no applied policy selects `subject` for `dir`,
/// else the union of the ports of the rules whose peers match `other`.
pub fn side(
    cluster: &Cluster,
    dir: Direction,
    subject: usize,
    other: Party,
    dst_ports: Option<&[ContainerPort]>,
) -> PortSet {
    let ep = &cluster.endpoints[subject];
    let mut isolated = false;
    let mut allowed = PortSet::none();
    for (_, policy) in cluster.policies_in(ep.ns) {
        if !policy.affects(dir) || !cluster.selects(policy, ep) {
            continue;
        }
        isolated = true;
        for rule in policy.rules(dir) {
            if rule_matches(cluster, policy, rule, other) {
                allowed.union_with(&rule.ports_on(dst_ports));
            }
        }
    }
    if isolated { allowed } else { PortSet::all() }
}

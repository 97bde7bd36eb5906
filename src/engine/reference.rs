//! The reference evaluator: the policy rules read straight off the API references, one pair
//! at a time, with no index and no cleverness. The fast matrix engine is checked against it
//! by property tests; explanations are checked against it too.
//!
//! src → dst is allowed on a port iff egress at src allows it and ingress at dst allows it
//! (a pod reaching itself is always allowed). Each side, per port:
//! 1. the Admin tier (ANPs, Admin CNPs) by priority, rules in order: the first rule whose
//!    peers and ports match decides — Allow and Deny are final, Pass goes on to step 2;
//! 2. the NetworkPolicy tier, if it isolates the pod: allowed iff a rule of a policy
//!    selecting the pod allows it (rules add up; nothing denies) — final;
//! 3. the Baseline tier (BANP, Baseline CNPs): the first matching rule decides;
//! 4. otherwise allowed.

use super::Party;
use super::matching::{cluster_rule_matches, cluster_selects, rule_matches};
use crate::model::cluster_policy::Action;
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

/// What one side lets through: egress at `subject` towards `other`, or ingress at `subject`
/// from `other`; `dst_ports` are the destination's container ports, for named ports.
pub fn side(
    cluster: &Cluster,
    dir: Direction,
    subject: usize,
    other: Party,
    dst_ports: Option<&[ContainerPort]>,
) -> PortSet {
    let ep = &cluster.endpoints[subject];
    let mut allowed = PortSet::none();
    // Admin tier: first match per port.
    let mut undecided = PortSet::all();
    let mut passed = PortSet::none();
    for &ci in &cluster.admin_tier {
        let policy = &cluster.cluster_policies[ci];
        if !cluster_selects(cluster, policy, ep) {
            continue;
        }
        for rule in policy.rules(dir) {
            if !cluster_rule_matches(cluster, rule, other) {
                continue;
            }
            let ports = rule.ports_on(dst_ports);
            let decided = ports.intersect(&undecided);
            match policy.action(rule) {
                Some(Action::Allow) => allowed.union_with(&decided),
                Some(Action::Pass) => passed.union_with(&decided),
                Some(Action::Deny) | None => {}
            }
            undecided = undecided.difference(&ports);
        }
    }
    let mut remaining = undecided.union(&passed);
    // NetworkPolicy tier: final for the pods it isolates.
    if cluster.np_isolated(ep, dir) {
        let mut np = PortSet::none();
        for (_, policy) in cluster.np_rules_for(ep, dir) {
            for rule in policy.rules(dir) {
                if rule_matches(cluster, policy, rule, other) {
                    np.union_with(&rule.ports_on(dst_ports));
                }
            }
        }
        allowed.union_with(&remaining.intersect(&np));
        return allowed;
    }
    // Baseline tier: first match per port; Pass and no match fall through to allow.
    for &ci in &cluster.baseline_tier {
        let policy = &cluster.cluster_policies[ci];
        if !cluster_selects(cluster, policy, ep) {
            continue;
        }
        for rule in policy.rules(dir) {
            if !cluster_rule_matches(cluster, rule, other) {
                continue;
            }
            let ports = rule.ports_on(dst_ports);
            let decided = ports.intersect(&remaining);
            match policy.action(rule) {
                Some(Action::Allow | Action::Pass) => allowed.union_with(&decided),
                Some(Action::Deny) | None => {}
            }
            remaining = remaining.difference(&ports);
        }
    }
    allowed.union_with(&remaining);
    allowed
}

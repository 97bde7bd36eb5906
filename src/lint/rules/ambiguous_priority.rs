//! ## What it finds
//! Two cluster-wide policies of the same tier (AdminNetworkPolicies, or ClusterNetworkPolicies
//! of one tier) with the same priority whose subjects overlap — they select a common pod of
//! the input, or one subject contains the other whatever the pods — and that both have rules
//! for a common direction.
//!
//! ## Why it matters
//! "If two (or more) policies with the same priority could both match a connection, then the
//! implementation can apply any of the matching policies" (network-policy-api). Which rule
//! wins then depends on the network plugin, its version, even the order objects were created
//! in: the same manifests can allow a connection on one cluster and deny it on another. This
//! tool evaluates equal priorities by name, which is one arbitrary order among others.
//!
//! ## Example
//! ```yaml
//! kind: AdminNetworkPolicy
//! metadata: {name: allow-monitoring}
//! spec: {priority: 10, subject: {namespaces: {}}, ingress: [...]}
//! ---
//! kind: AdminNetworkPolicy
//! metadata: {name: deny-sensitive}
//! spec: {priority: 10, subject: {namespaces: {matchLabels: {sensitive: "true"}}}, ingress: [...]}
//! ```
//!
//! ## Use instead
//! ```yaml
//! kind: AdminNetworkPolicy
//! metadata: {name: deny-sensitive}
//! spec: {priority: 5, subject: {namespaces: {matchLabels: {sensitive: "true"}}}, ingress: [...]}
//! ```

use crate::engine::containment::match_within;
use crate::engine::matching::source_selects;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;
use crate::model::ir::Source;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP603",
    name: "ambiguous-priority",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "cluster-wide policies of one tier with equal priority and overlapping subjects",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for tier in [&cluster.admin_tier, &cluster.baseline_tier] {
        for (n, &a) in tier.iter().enumerate() {
            for &b in &tier[n + 1..] {
                let (pa, pb) = (&cluster.cluster_policies[a], &cluster.cluster_policies[b]);
                let (Some(prio_a), Some(prio_b)) = (&pa.priority, &pb.priority) else {
                    continue;
                };
                if prio_a.value != prio_b.value
                    || !Direction::BOTH
                        .iter()
                        .any(|&d| !pa.rules(d).is_empty() && !pb.rules(d).is_empty())
                {
                    continue;
                }
                let common = (0..cluster.endpoints.len())
                    .find(|&e| {
                        source_selects(cluster, Source::ClusterPolicy(a), e)
                            && source_selects(cluster, Source::ClusterPolicy(b), e)
                    })
                    .map(|e| &cluster.endpoints[e]);
                let subject = |i: usize| {
                    cluster
                        .ir
                        .policy_of(Source::ClusterPolicy(i))
                        .map(|p| &cluster.ir.policies[p].subject)
                };
                let nested = match (subject(a), subject(b)) {
                    (Some(sa), Some(sb)) => match_within(sa, sb) || match_within(sb, sa),
                    _ => false,
                };
                let why = match (common, nested) {
                    (Some(e), _) => format!("both select {}", e.id()),
                    (None, true) => "one subject contains the other".to_string(),
                    (None, false) => continue,
                };
                // Report on the one written later.
                let (first, second) =
                    if (pa.span.file, pa.span.start) <= (pb.span.file, pb.span.start) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                let (p1, p2) = (
                    &cluster.cluster_policies[first],
                    &cluster.cluster_policies[second],
                );
                let prio = p2.priority.as_ref().expect("checked above");
                out.push(
                    Finding::new(
                        &RULE,
                        Subject::ClusterPolicy(second),
                        prio.span,
                        format!("{} {} and {} {} have the same priority {} and {why}: which one applies first is up to the network plugin", p2.kind.kind(), p2.name, p1.kind.kind(), p1.name, prio.value),
                    )
                    .related(p1.priority.as_ref().map_or(p1.span, |p| p.span), format!("{} {}, priority {}", p1.kind.kind(), p1.name, prio.value))
                    .help("give each policy its own priority, in the order they must apply"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn equal_priorities_with_a_common_pod_are_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "22:13: AdminNetworkPolicy deny-sensitive and AdminNetworkPolicy allow-monitoring have the same priority 10 and both select vault/secrets: which one applies first is up to the network plugin"
            ]
        );
    }

    #[test]
    fn distinct_priorities_or_disjoint_subjects_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

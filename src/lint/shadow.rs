//! Which rules are contained in another rule, decided from the policies alone (see
//! [`crate::engine::containment`]): the analysis behind `shadowed-rule` and
//! `duplicate-rule`.
//!
//! Rule R1 of policy B is within rule R2 of policy A when both govern the same direction in
//! the same namespace, A's podSelector selects every pod B's does, and R2 allows every peer
//! and port R1 allows. When R2 is also within R1 (and A and B select the same pods), the two
//! are duplicates: the later one (in file order) is reported as a duplicate of the earlier.
//! Otherwise R1 is shadowed by R2.

use std::collections::HashMap;

use crate::engine::containment::{rule_within, selector_within};
use crate::model::{Cluster, Direction, PolicyIdx};

/// A rule, by policy, direction and index.
pub type RuleRef = (PolicyIdx, Direction, usize);

/// A rule contained in another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadow {
    /// The contained rule.
    pub rule: RuleRef,
    /// The rule that contains it.
    pub by: RuleRef,
    /// Whether the two are the same (then `by` is written earlier).
    pub duplicate: bool,
}

/// Every shadowed or duplicated rule of the applied policies.
pub fn compute(cluster: &Cluster) -> Vec<Shadow> {
    let mut out = Vec::new();
    for ns in 0..cluster.namespaces.len() {
        let policies: Vec<PolicyIdx> = cluster.policies_in(ns as u32).map(|(i, _)| i).collect();
        let mut within: HashMap<(PolicyIdx, PolicyIdx), bool> = HashMap::new();
        let mut sel_within = |b: PolicyIdx, a: PolicyIdx| {
            *within.entry((b, a)).or_insert_with(|| {
                selector_within(
                    &cluster.policies[b].pod_selector,
                    &cluster.policies[a].pod_selector,
                )
            })
        };
        for dir in Direction::BOTH {
            let rules: Vec<RuleRef> = policies
                .iter()
                .filter(|&&p| cluster.policies[p].affects(dir))
                .flat_map(|&p| (0..cluster.policies[p].rules(dir).len()).map(move |i| (p, dir, i)))
                .collect();
            let position = |r: &RuleRef| {
                let rule = &cluster.policies[r.0].rules(r.1)[r.2];
                (rule.span.file, rule.span.start)
            };
            for &r1 in &rules {
                let (pb, _, i1) = r1;
                let b = &cluster.policies[pb];
                let rule1 = &b.rules(dir)[i1];
                let mut best: Option<(RuleRef, bool)> = None;
                for &r2 in &rules {
                    if r2 == r1 {
                        continue;
                    }
                    let (pa, _, i2) = r2;
                    let a = &cluster.policies[pa];
                    let rule2 = &a.rules(dir)[i2];
                    if !sel_within(pb, pa) || !rule_within(rule1, &b.namespace, rule2, &a.namespace)
                    {
                        continue;
                    }
                    let equal =
                        sel_within(pa, pb) && rule_within(rule2, &a.namespace, rule1, &b.namespace);
                    if equal && position(&r2) > position(&r1) {
                        // r1 is the first of duplicates: the later one is reported, not r1.
                        continue;
                    }
                    // Prefer a duplicate, then a rule of the same policy, then the earliest.
                    let rank = |r: RuleRef, dup: bool| (!dup, r.0 != pb, position(&r));
                    if best.is_none_or(|(b, d)| rank(r2, equal) < rank(b, d)) {
                        best = Some((r2, equal));
                    }
                }
                if let Some((by, duplicate)) = best {
                    out.push(Shadow {
                        rule: r1,
                        by,
                        duplicate,
                    });
                }
            }
        }
    }
    out
}

//! Which rules another rule settles first, decided from the policies alone (see
//! [`crate::engine::containment`]): the analysis behind `shadowed-rule`,
//! `shadowed-cluster-rule` and `duplicate-rule`, for every policy API of the model.
//!
//! Rule R is *within* rule Q when both are of the same direction, every endpoint R applies to
//! Q applies to (their policies' subjects and local conditions), and Q matches every peer and
//! port R matches — for any cluster. Then Q settles R's traffic when either
//! - Q comes first and decides: an earlier rule of the same tier (Allow, Deny or Pass), or a
//!   rule of an earlier tier that Allows or Denies (a Pass there leaves R's tier to decide) —
//!   R is never reached; or
//! - both Allow in the same tier with no Deny or Pass between them (Kubernetes
//!   NetworkPolicies, where rules only add up, in either order) — R adds nothing.
//!
//! Policies whose order the API leaves to the implementation (AdminNetworkPolicies of equal
//! priority) do not settle each other's rules: which one is first is not known. When R and
//! Q are within each other with the same action they are duplicates, and the later one (in
//! evaluation order, or in file order where order does not matter) is reported.

use std::collections::HashMap;

use crate::engine::containment::{conjoin, match_within, ports_within};
use crate::model::ir::{Action, Match, PolicyId, Precedence, Rule};
use crate::model::{Cluster, Direction};

/// A rule of the model, by policy, direction and index in the policy's rules.
pub type RuleRef = (PolicyId, Direction, usize);

/// A rule another rule settles first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadow {
    /// The rule settled.
    pub rule: RuleRef,
    /// The rule that settles it.
    pub by: RuleRef,
    /// Whether the two are the same.
    pub duplicate: bool,
    /// Whether `by` decides first (R is never reached), rather than allowing the same in a
    /// tier where allows add up.
    pub first: bool,
}

struct Entry<'a> {
    at: usize,
    policy: PolicyId,
    tier: usize,
    rule: &'a Rule,
    applies: Match,
    file_pos: (u32, u32),
}

/// Every rule another settles first, among the applied policies.
pub fn compute(cluster: &Cluster) -> Vec<Shadow> {
    let ir = &cluster.ir;
    let mut out = Vec::new();
    for dir in Direction::BOTH {
        let mut entries: Vec<Entry> = Vec::new();
        for (pid, p) in ir.policies.iter().enumerate() {
            let part = p.dir(dir);
            if !part.applies {
                continue;
            }
            // A rule that matches no peer at all (Cilium's `ingress: [{}]`) settles nothing
            // and has nothing to be settled: its own finding says what it is.
            let matches_nothing = |r: &Rule| matches!(&r.peer, Match::Any(t) if t.is_empty());
            for r in part
                .rules
                .iter()
                .filter(|r| r.action != Action::Log && !matches_nothing(r))
            {
                entries.push(Entry {
                    at: entries.len(),
                    policy: pid,
                    tier: p.tier,
                    rule: r,
                    applies: conjoin(&p.subject, r.local.as_ref()),
                    file_pos: (r.span.file.0, r.span.start),
                });
            }
        }
        // Rules of policies confined to different namespaces never overlap.
        let mut by_ns: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
        for e in &entries {
            by_ns
                .entry(ir.policies[e.policy].subject.namespace())
                .or_default()
                .push(e.at);
        }
        let stops: Vec<usize> = entries
            .iter()
            .filter(|e| matches!(e.rule.action, Action::Deny | Action::Pass))
            .map(|e| e.at)
            .collect();
        let stop_between = |a: usize, b: usize, tier: usize| {
            let (lo, hi) = (a.min(b), a.max(b));
            stops
                .iter()
                .any(|&s| s > lo && s < hi && entries[s].tier == tier)
        };
        let within = |r: &Entry, q: &Entry| {
            // Named ports `q` resolves on fewer destinations cover nothing for sure.
            let named_ok = !q.rule.ports.is_named()
                || q.rule.named_on.is_none()
                || q.rule.named_on == r.rule.named_on;
            named_ok
                && ports_within(&r.rule.ports, &q.rule.ports)
                && match_within(&r.rule.peer, &q.rule.peer)
                && match_within(&r.applies, &q.applies)
        };
        for r in &entries {
            let ns = ir.policies[r.policy].subject.namespace();
            let candidates = by_ns.get(&ns).into_iter().flatten().chain(
                if ns.is_some() { by_ns.get(&None) } else { None }
                    .into_iter()
                    .flatten(),
            );
            let mut best: Option<(usize, bool, bool)> = None;
            for &qi in candidates {
                let q = &entries[qi];
                if qi == r.at || !within(r, q) {
                    continue;
                }
                let order_known = q.policy == r.policy
                    || !matches!(
                        (&ir.policies[q.policy].precedence_key, &ir.policies[r.policy].precedence_key),
                        (Precedence::Priority(a), Precedence::Priority(b)) if a == b
                    );
                let first = order_known
                    && q.at < r.at
                    && if q.tier == r.tier {
                        true
                    } else {
                        matches!(q.rule.action, Action::Allow | Action::Deny)
                    };
                let union = q.tier == r.tier
                    && q.rule.action == Action::Allow
                    && r.rule.action == Action::Allow
                    && !stop_between(q.at, r.at, q.tier);
                if !first && !union {
                    continue;
                }
                // Where allows add up, order does not matter: say so rather than "first".
                let first = first && !union;
                let equal = q.rule.action == r.rule.action && within(q, r);
                if equal {
                    // Of duplicates, the later one is reported.
                    let later = if union && !first {
                        q.file_pos > r.file_pos
                    } else {
                        q.at > r.at
                    };
                    if later {
                        continue;
                    }
                }
                // Prefer a duplicate, then a rule of the same policy, then the earliest.
                let rank = |e: &Entry, dup: bool| (!dup, e.policy != r.policy, e.file_pos);
                if best.is_none_or(|(b, d, _)| rank(q, equal) < rank(&entries[b], d)) {
                    best = Some((qi, equal, first));
                }
            }
            if let Some((b, duplicate, first)) = best {
                let q = &entries[b];
                out.push(Shadow {
                    rule: (r.policy, dir, r.rule.index),
                    by: (q.policy, dir, q.rule.index),
                    duplicate,
                    first,
                });
            }
        }
    }
    out
}

//! ## What it finds
//! A NetworkPolicy whose removal changes nothing in the reachability of the loaded input:
//! every pod it isolates is isolated by another policy too (or by its namespace's
//! annotation), and every connection its rules allow, other policies allow as well. The
//! policies that already do its job are named.
//!
//! A default deny (`podSelector: {}` with no rules, or rules that match no peer) is never
//! reported: it guards pods that do not exist yet. Judged like `redundant-rule`: on the
//! input, and, unless `--closed-world`, for the pods of namespaces it does not describe too
//! (its rules must be covered there by rules that stay, and the unseen pods it isolates
//! isolated by another policy in every cluster). A Cilium policy is judged as a whole, all
//! its rules and their deny and allow parts at once.
//!
//! ## Why it matters
//! Duplicate policies drift apart: a fix applied to one is silently undone by the other
//! that still allows the old traffic, and reviewers cannot tell which one is in force.
//!
//! ## Example
//! ```yaml
//! # shop/api-ingress already lets frontend in on 8080
//! kind: NetworkPolicy
//! metadata: {name: api-legacy, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: frontend}}}]
//!     ports: [{port: 8080}]
//! ```
//!
//! ## Use instead
//! Delete `api-legacy`; keep the rules in one policy per workload.

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP303",
    name: "redundant-policy",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a policy whose removal changes nothing in the loaded input",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let ir = &cx.cluster.ir;
    for r in &cx.redundancy().policies {
        let policy = &ir.policies[r.policy];
        let mut others: Vec<usize> = r.covered_by.clone();
        for &o in &r.isolated_also_by {
            if !others.contains(&o) {
                others.push(o);
            }
        }
        let names: Vec<String> = others.iter().map(|&o| cx.policy_name(o)).collect();
        let by = if names.is_empty() {
            "other policies".to_string()
        } else {
            names.join(" and ")
        };
        let mut f = Finding::new(
            &RULE,
            Subject::of(policy.source),
            policy.name_span,
            format!("{} is redundant in this input: removing it changes nothing, {by} already isolate the same pods and allow the same traffic", cx.policy_name(r.policy)),
        )
        .help("delete it, or merge what it states into the policy that is in force");
        for &o in &others {
            f = f.related(
                ir.policies[o].name_span,
                format!("{} does the same", cx.policy_name(o)),
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn a_policy_others_fully_cover_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "36:9: shop/api-legacy is redundant in this input: removing it changes nothing, shop/api-ingress and shop/default-deny already isolate the same pods and allow the same traffic"
            ]
        );
    }

    #[test]
    fn a_default_deny_and_a_policy_with_its_own_traffic_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! A rule (of any API: NetworkPolicy, AdminNetworkPolicy, Calico) that changes nothing in
//! the reachability of the loaded input: every connection it decides — for every pod its
//! policy selects and every peer it matches — ends the same way without it, through other
//! rules, which are named. A Deny that only its tier's end would otherwise stand in for
//! (Calico's trailing `- action: Deny`) is not reported: it says on purpose what the end of
//! the tier says.
//!
//! Unlike `shadowed-rule`, which holds for any cluster, this is judged on the pods,
//! namespaces and labels of the input (with `--topology` for manifests kept elsewhere), so
//! it also finds rules made redundant by a combination of other rules, or by how the
//! workloads are actually labelled. Unless `--closed-world` says the input is the whole
//! cluster, a rule is reported only if it also changes nothing for the pods of namespaces
//! the input does not describe: each of its peers that can match such a pod lies, for any
//! cluster, within a rule that stays (same tier where rules add up, same action, covering
//! subjects, peers and ports). So a rule admitting another team's namespace is not
//! redundant just because that namespace is not in the files. Rules already reported as
//! shadowed or duplicated, and rules of a policy reported as redundant as a whole, are not
//! reported again.
//!
//! ## Why it matters
//! A redundant rule makes a policy look wider than it is, so that narrowing it (the rule
//! you think grants access) changes nothing: the access stays, granted elsewhere. In an
//! incident, it is the rule people edit in vain.
//!
//! ## Example
//! ```yaml
//! # api pods are labelled {app: api, tier: backend}; web pods {app: web, tier: frontend}
//! ingress:
//! - from: [{podSelector: {matchLabels: {tier: frontend}}}]
//!   ports: [{port: 8080}]
//! - from: [{podSelector: {matchLabels: {app: web}}}]       # the same pods, today
//!   ports: [{port: 8080}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from: [{podSelector: {matchLabels: {tier: frontend}}}]
//!   ports: [{port: 8080}]
//! ```

use crate::lint::fix::{Safety, delete_model_rule};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::Action;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP302",
    name: "redundant-rule",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a rule whose every allowed connection other rules already allow, in the loaded input",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let red = cx.redundancy();
    for r in &red.rules {
        let reported = cx.shadows().iter().any(|s| s.rule == r.rule)
            || red.policies.iter().any(|p| p.policy == r.rule.0);
        if reported {
            continue;
        }
        let rule = cx.ir_rule(r.rule);
        let name = cx.rule_name(r.rule);
        let by: Vec<String> = r.covered_by.iter().map(|&o| cx.rule_name(o)).collect();
        let by = if by.is_empty() {
            "the rest of the policies".to_string()
        } else {
            by.join(" and ")
        };
        let (src, dst) = &r.example;
        // A Deny that takes what an Allow matches (a Cilium deny, in the tier before every
        // allow) decides it first: the Allow is never reached, not "already allowed".
        let denied_first = rule.action == Action::Allow
            && r.covered_by
                .iter()
                .any(|&o| cx.ir_rule(o).action == Action::Deny);
        let message = if r.unreached || denied_first {
            format!(
                "{name} is never reached in this input: everything it matches (e.g. {src} → {dst}) is decided first by {by}"
            )
        } else if rule.action == Action::Allow {
            format!(
                "{name} is redundant in this input: everything it allows (e.g. {src} → {dst}) is already allowed by {by}"
            )
        } else {
            format!(
                "{name} is redundant in this input: everything it matches (e.g. {src} → {dst}) ends the same without it, through {by}"
            )
        };
        let mut f = Finding::new(
            &RULE,
            Subject::of(cx.cluster.ir.policies[r.rule.0].source),
            rule.span,
            message,
        )
        .help("remove it, or if it states an intent the other rules only satisfy by accident, narrow those")
        // Safe where it holds in every cluster; `run` makes it unsafe where it holds for the
        // input only (--closed-world).
        .maybe_fix(delete_model_rule(cx, r.rule, Safety::Safe));
        for &o in &r.covered_by {
            f = f.related(
                cx.ir_rule(o).span,
                format!("{} decides the same traffic", cx.rule_name(o)),
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
    fn a_rule_covered_by_others_in_this_input_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "30:5: shop/api ingress[1] is redundant in this input: everything it allows (e.g. shop/web → shop/api) is already allowed by shop/api ingress[0]",
                "40:5: shop/api ingress[3] is redundant in this input: everything it allows (e.g. shop/admin → shop/api) is already allowed by shop/api ingress[0] and shop/api ingress[2]",
            ]
        );
    }

    #[test]
    fn rules_that_allow_something_of_their_own_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_fix_deletes_the_rule() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }

    #[test]
    fn with_a_closed_world_the_fix_is_unsafe() {
        use crate::lint::World;
        use crate::lint::fix::testing::fixed_in;
        // Redundant for the input only: deleting it is a guess about the rest of the cluster.
        assert_eq!(fixed_in(&RULE, "bad.yaml", false, World::Closed), "");
        let unsafe_fixes = fixed_in(&RULE, "bad.yaml", true, World::Closed);
        assert!(
            unsafe_fixes
                .starts_with("applied: bad.yaml:30:5: delete shop/api ingress[1] (unsafe)\n"),
            "{unsafe_fixes}"
        );
    }
}

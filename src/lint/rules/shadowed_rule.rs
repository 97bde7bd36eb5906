//! ## What it finds
//! A rule whose peers and ports are all allowed by another rule — of the same policy, or of a
//! policy in the same namespace that selects every pod this one selects. The shadowing rule
//! is named and labelled. This is decided from the selectors themselves (a `podSelector
//! {app: web, tier: fe}` peer is within `{app: web}`; a `/24` is within a `/16`; port 443 is
//! within `ports` omitted), so it holds for any cluster, not only for the pods loaded.
//!
//! ## Why it matters
//! Rules only ever add up: a shadowed rule changes nothing, today or after any deployment.
//! It usually means one of the two rules is wider than intended (the shadowing one), or that
//! a narrowing edit went to the wrong rule. Either way, a reviewer reads a policy that says
//! less than it seems to.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from:
//!   - podSelector: {matchLabels: {app: frontend}}
//!   ports: [{port: 8080}]
//! - from:                                # shadowed by ingress[0]
//!   - podSelector: {matchLabels: {app: frontend, tier: web}}
//!   ports: [{port: 8080}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from:
//!   - podSelector: {matchLabels: {app: frontend}}
//!   ports: [{port: 8080}]
//! ```

use crate::lint::fix::{Safety, delete_model_rule};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::Source;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP301",
    name: "shadowed-rule",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a rule whose peers and ports another rule already allows, for any cluster",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let ir = &cx.cluster.ir;
    for s in cx.shadows().iter().filter(|s| !s.duplicate) {
        let source = ir.policies[s.rule.0].source;
        if matches!(source, Source::ClusterPolicy(_)) {
            // shadowed-cluster-rule reports these.
            continue;
        }
        let (rule, by) = (cx.ir_rule(s.rule), cx.ir_rule(s.by));
        let (shadowed, shadowing) = (cx.rule_name(s.rule), cx.rule_name(s.by));
        let by_source = ir.policies[s.by.0].source;
        // The deny and allow parts of one Cilium rule are two policies of the model.
        let same_cilium_rule = matches!(
            (source, by_source),
            (Source::Cilium { policy: a, spec: x, .. }, Source::Cilium { policy: b, spec: y, .. })
                if a == b && x == y
        );
        let scope = if s.rule.0 == s.by.0 || same_cilium_rule {
            "in the same policy".to_string()
        } else {
            format!("for every pod {} selects", cx.policy_name(s.rule.0))
        };
        let cilium_deny = matches!(by_source, Source::Cilium { deny: true, .. });
        let (message, help) = if s.first && cilium_deny {
            (
                format!(
                    "{shadowed} is never reached: {shadowing} denies all of its traffic, and a Cilium deny wins over every allow, {scope}"
                ),
                "remove the allow, or narrow the deny if it denies more than intended: order does not matter, a deny always wins",
            )
        } else if s.first {
            (
                format!(
                    "{shadowed} is never reached: {shadowing} comes first and decides all of its traffic ({}), {scope}",
                    by.action_word
                ),
                "remove the rule that is never reached, or move it before the one that decides first",
            )
        } else {
            (
                format!(
                    "{shadowed} is shadowed by {shadowing}: every peer and port it allows, that rule allows too, {scope}"
                ),
                "remove the shadowed rule, or narrow the shadowing one if it allows more than intended",
            )
        };
        out.push(
            Finding::new(&RULE, Subject::of(source), rule.span, message)
                .related(by.span, format!("shadowing rule {shadowing}"))
                .help(help)
                // Within another rule for any cluster: deleting it changes nothing.
                .maybe_fix(delete_model_rule(cx, s.rule, Safety::Safe)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn names_the_shadowing_rule_in_the_same_or_a_wider_policy() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "14:5: shop/api ingress[1] is shadowed by shop/api ingress[0]: every peer and port it allows, that rule allows too, in the same policy",
                "38:5: shop/api-metrics ingress[0] is shadowed by shop/everything ingress[0]: every peer and port it allows, that rule allows too, for every pod shop/api-metrics selects",
                "53:5: shop/egress egress[0] is shadowed by shop/egress egress[1]: every peer and port it allows, that rule allows too, in the same policy",
            ]
        );
    }

    #[test]
    fn cilium_denies_make_allows_dead() {
        assert_eq!(
            crate::lint::testing::details(&RULE, "cilium.yaml"),
            [
                "32:5: CNP shop/api ingress[0] is never reached: CNP shop/api ingressDeny[0] denies all of its traffic, and a Cilium deny wins over every allow, in the same policy\n  30:5: shadowing rule CNP shop/api ingressDeny[0]\n  help: remove the allow, or narrow the deny if it denies more than intended: order does not matter, a deny always wins",
                "36:5: CNP shop/api ingress[2] is shadowed by CNP shop/api ingress[1]: every peer and port it allows, that rule allows too, in the same policy\n  35:5: shadowing rule CNP shop/api ingress[1]\n  help: remove the shadowed rule, or narrow the shadowing one if it allows more than intended",
                "57:5: CNP shop/api-egress egress[0] is never reached: CCNP no-legacy egressDeny[0] denies all of its traffic, and a Cilium deny wins over every allow, for every pod CNP shop/api-egress selects\n  48:5: shadowing rule CCNP no-legacy egressDeny[0]\n  help: remove the allow, or narrow the deny if it denies more than intended: order does not matter, a deny always wins",
            ]
        );
    }

    #[test]
    fn rules_that_only_overlap_are_not_shadowed() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_fix_deletes_the_shadowed_rule() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

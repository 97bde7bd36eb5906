//! ## What it finds
//! A rule that allows exactly what an earlier rule allows, to the same pods: the same rule
//! written twice in one policy, or in two policies with equivalent podSelectors. The later
//! one is reported, with the earlier one labelled.
//!
//! ## Why it matters
//! A duplicate is dead weight that drifts: the next edit changes one copy and not the other,
//! and the policy no longer means what the edit intended (the unchanged copy still allows
//! the old traffic). It is often the trace of a copy-paste merge.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from: [{podSelector: {matchLabels: {app: web}}}]
//!   ports: [{port: 80}]
//! - ports: [{port: 80, protocol: TCP}]       # duplicate of ingress[0]
//!   from: [{podSelector: {matchLabels: {app: web}}}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from: [{podSelector: {matchLabels: {app: web}}}]
//!   ports: [{port: 80}]
//! ```

use crate::lint::fix::{Safety, delete_model_rule};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP304",
    name: "duplicate-rule",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a rule allowing exactly what an earlier rule allows, to the same pods",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for s in cx.shadows().iter().filter(|s| s.duplicate) {
        if matches!(
            cx.cluster.ir.policies[s.rule.0].source,
            crate::model::ir::Source::ClusterPolicy(_)
        ) {
            // shadowed-cluster-rule reports these: the copy is never reached.
            continue;
        }
        let (rule, by) = (cx.ir_rule(s.rule), cx.ir_rule(s.by));
        let (dup, first) = (cx.rule_name(s.rule), cx.rule_name(s.by));
        out.push(
            Finding::new(
                &RULE,
                Subject::of(cx.cluster.ir.policies[s.rule.0].source),
                rule.span,
                format!("{dup} duplicates {first}"),
            )
            .related(by.span, format!("{first}, written first"))
            .help(
                "remove one of the two, so that a later edit cannot change one and miss the other",
            )
            .maybe_fix(delete_model_rule(cx, s.rule, Safety::Safe)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn reports_the_later_copy_only() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "13:5: shop/web ingress[1] duplicates shop/web ingress[0]",
                "25:5: shop/web-again ingress[0] duplicates shop/web ingress[0]"
            ]
        );
    }

    #[test]
    fn similar_rules_are_not_duplicates() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_fix_deletes_the_later_copy() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

//! ## What it finds
//! A policy with ingress rules whose explicit `policyTypes` leaves out `Ingress`, such as
//! `policyTypes: [Egress]` next to a non-empty `ingress:` list.
//!
//! ## Why it matters
//! When `policyTypes` is written, it alone decides which directions the policy governs: the
//! ingress rules are stored but never enforced, and the selected pods are not isolated for
//! ingress by this policy. Either the rules are dead text, or the pods accept traffic the
//! author meant to restrict. It typically happens when an egress-only policy is extended
//! with ingress rules, or `policyTypes` is copied from another policy.
//!
//! ## Example
//! ```yaml
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   policyTypes: [Egress]
//!   ingress:                  # ignored: policyTypes has no Ingress
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//!   egress:
//!   - to:
//!     - podSelector: {matchLabels: {app: db}}
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   policyTypes: [Ingress, Egress]
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//!   egress:
//!   - to:
//!     - podSelector: {matchLabels: {app: db}}
//! ```

use crate::lint::fix::add_policy_type;
use crate::lint::scope::ignored_rules;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP201",
    name: "ignored-ingress-rules",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "ingress rules in a policy whose policyTypes leaves out Ingress",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let start = out.len();
    ignored_rules(cx, &RULE, Direction::Ingress, out);
    for f in &mut out[start..] {
        if let Subject::Policy(idx) = f.subject {
            f.fix = add_policy_type(cx, idx, Direction::Ingress);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_the_ignored_rule_list() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "10:5: shop/api: 1 ingress rule ignored: policyTypes [Egress] leaves out Ingress",
                "25:12: shop/open-ingress: 2 ingress rules ignored: policyTypes [Egress] leaves out Ingress",
            ]
        );
    }

    #[test]
    fn rules_of_governed_directions_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn points_at_policy_types_as_related() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "10:5: shop/api: 1 ingress rule ignored: policyTypes [Egress] leaves out Ingress",
                    "help: add Ingress to policyTypes to enforce them (the selected pods then accept only what the rules allow), or delete spec.ingress",
                    "8:16: policyTypes",
                ],
                [
                    "25:12: shop/open-ingress: 2 ingress rules ignored: policyTypes [Egress] leaves out Ingress",
                    "help: add Ingress to policyTypes to enforce them (the selected pods then accept only what the rules allow), or delete spec.ingress",
                    "24:5: policyTypes",
                ],
            ]
        );
    }

    #[test]
    fn the_fix_adds_ingress_to_policy_types() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "bad.yaml", true));
        // Unsafe: not applied without --unsafe-fixes.
        assert_eq!(fixed(&RULE, "bad.yaml", false), "");
    }
}

//! ## What it finds
//! A policy with egress rules whose explicit `policyTypes` leaves out `Egress`, such as
//! `policyTypes: [Ingress]` next to a non-empty `egress:` list.
//!
//! ## Why it matters
//! When `policyTypes` is written, it alone decides which directions the policy governs: the
//! egress rules are stored but never enforced, and the selected pods are not isolated for
//! egress by this policy. Either the rules are dead text, or the pods may send traffic the
//! author meant to restrict (to the internet, to other namespaces). It typically happens
//! when `policyTypes: [Ingress]` is copied from another policy.
//!
//! ## Example
//! ```yaml
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   policyTypes: [Ingress]
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//!   egress:                   # ignored: policyTypes has no Egress
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
    code: "NP202",
    name: "ignored-egress-rules",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "egress rules in a policy whose policyTypes leaves out Egress",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let start = out.len();
    ignored_rules(cx, &RULE, Direction::Egress, out);
    for f in &mut out[start..] {
        if let Subject::Policy(idx) = f.subject {
            f.fix = add_policy_type(cx, idx, Direction::Egress);
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
            ["13:5: shop/api: 2 egress rules ignored: policyTypes [Ingress] leaves out Egress",]
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
            [[
                "13:5: shop/api: 2 egress rules ignored: policyTypes [Ingress] leaves out Egress",
                "help: add Egress to policyTypes to enforce them (the selected pods then send only what the rules allow), or delete spec.egress",
                "8:16: policyTypes",
            ],]
        );
    }

    #[test]
    fn the_fix_adds_egress_to_policy_types() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "bad.yaml", true));
        // Unsafe: not applied without --unsafe-fixes.
        assert_eq!(fixed(&RULE, "bad.yaml", false), "");
    }
}

//! ## What it finds
//! A `spec.policyTypes` entry other than `Ingress` or `Egress` (case-sensitive), or a list
//! of more than two entries.
//!
//! ## Why it matters
//! The API server rejects the whole policy, so none of its rules takes effect. policyTypes
//! decides which directions the policy isolates; a policy meant as a default-deny that
//! never reaches the cluster leaves every pod open.
//!
//! ## Example
//! ```yaml
//! spec:
//!   podSelector: {}
//!   policyTypes: [ingress, Egres]
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress, Egress]
//! ```

use crate::base::suggest::closest;
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP108",
    name: "invalid-policy-type",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a policyTypes entry other than Ingress or Egress",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    violations_with_help(cx, &RULE, out, |v| {
        if v.path == "spec.policyTypes" {
            return Some("list each of Ingress and Egress at most once".into());
        }
        let written = v.message.split('`').nth(1).unwrap_or("");
        Some(match closest(written, &["Ingress", "Egress"]) {
            Some(t) => format!("write `{t}` (policy types are case-sensitive)"),
            None => "policyTypes holds Ingress, Egress or both".into(),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_bad_entry() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "8:17: shop/default-deny: spec.policyTypes[0]: `ingress` is not `Ingress` or `Egress`",
                "8:26: shop/default-deny: spec.policyTypes[1]: `Egres` is not `Ingress` or `Egress`",
                "18:5: shop/too-many: spec.policyTypes: at most 2 entries are allowed",
            ]
        );
    }

    #[test]
    fn ingress_and_egress_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! An `ipBlock.cidr` or `ipBlock.except` entry that is not a CIDR: no prefix length
//! (`10.0.0.1`), a prefix too long for the family (`10.0.0.0/33`), or no IP address at all.
//!
//! ## Why it matters
//! The API server rejects the whole policy, so none of its rules takes effect — including the
//! ones that isolate pods. A pipeline that applies several manifests may carry on with the
//! others and leave the cluster without the policy you reviewed.
//!
//! ## Example
//! ```yaml
//! egress:
//! - to:
//!   - ipBlock:
//!       cidr: 10.0.0.1        # a single address still needs a prefix length
//! ```
//!
//! ## Use instead
//! ```yaml
//! egress:
//! - to:
//!   - ipBlock:
//!       cidr: 10.0.0.1/32
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP101",
    name: "invalid-cidr",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "an ipBlock cidr or except that is not a CIDR",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    cx.violation_findings(&RULE, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_bad_cidr() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "10:15: default/bad: spec.egress[0].to[0].ipBlock.cidr: `10.0.0.1` is not a CIDR: the prefix length is missing (e.g. `10.0.0.1/32`)",
                "12:11: default/bad: spec.egress[0].to[0].ipBlock.except[0]: `10.0.0.0/33` is not a CIDR: prefix length 33 is over 32",
                "13:11: default/bad: spec.egress[0].to[0].ipBlock.except[1]: `fe80::/129` is not a CIDR: prefix length 129 is over 128",
            ]
        );
    }

    #[test]
    fn valid_cidrs_of_both_families_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

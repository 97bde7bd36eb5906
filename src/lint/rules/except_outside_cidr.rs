//! ## What it finds
//! An `ipBlock.except` entry that is not strictly inside the block's `cidr`: a range outside
//! it, one that only overlaps it, the `cidr` itself, or one of the other address family.
//!
//! ## Why it matters
//! The API server rejects the whole policy ("must be a strict subset of `cidr`"), so none of
//! its rules takes effect — including the ones that isolate pods. The mistake usually hides a
//! wrong assumption about the address plan: the range you meant to exclude is not in the
//! block at all, so excluding it would not have changed anything.
//!
//! ## Example
//! ```yaml
//! egress:
//! - to:
//!   - ipBlock:
//!       cidr: 10.1.0.0/16
//!       except:
//!       - 10.2.0.0/24         # not inside 10.1.0.0/16
//!       - 10.1.0.0/16         # the cidr itself: not *strictly* inside
//! ```
//!
//! ## Use instead
//! ```yaml
//! egress:
//! - to:
//!   - ipBlock:
//!       cidr: 10.1.0.0/16
//!       except:
//!       - 10.1.2.0/24
//! ```

use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP102",
    name: "except-outside-cidr",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "an ipBlock except that is not strictly inside its cidr",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    violations_with_help(cx, &RULE, out, |_| {
        Some("an except must be a smaller range inside the cidr: fix the range, or delete it if it excludes nothing the cidr holds".into())
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_except_not_strictly_inside() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "13:11: shop/egress: spec.egress[0].to[0].ipBlock.except[0]: `10.2.0.0/24` is not strictly inside cidr `10.1.0.0/16`",
                "14:11: shop/egress: spec.egress[0].to[0].ipBlock.except[1]: `10.1.0.0/16` is not strictly inside cidr `10.1.0.0/16`",
                "15:11: shop/egress: spec.egress[0].to[0].ipBlock.except[2]: `10.0.0.0/8` is not strictly inside cidr `10.1.0.0/16`",
                "16:11: shop/egress: spec.egress[0].to[0].ipBlock.except[3]: `fd00::/64` is not strictly inside cidr `10.1.0.0/16`",
            ]
        );
    }

    #[test]
    fn excepts_inside_their_cidr_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

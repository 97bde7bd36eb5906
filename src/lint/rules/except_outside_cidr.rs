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

use crate::base::edit::Patch;
use crate::base::span::Span;
use crate::lint::fix::{Fix, Safety, delete_item, sequence_of, text_of};
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ip::parse_cidr;
use crate::model::{Direction, NetworkPolicy};

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
    let start = out.len();
    violations_with_help(cx, &RULE, out, |_| {
        Some("an except must be a smaller range inside the cidr: fix the range, or delete it if it excludes nothing the cidr holds".into())
    });
    for f in &mut out[start..] {
        if let Subject::Policy(idx) = f.subject {
            f.fix = fix(cx, &cx.cluster.policies[idx], f.span);
        }
    }
}

/// Deleting the except at `at` when it lies wholly outside its cidr (another family, or a
/// range that does not meet it): it excludes nothing, so the ipBlock means what it says
/// without it, and the API server accepts it. An except holding the cidr has no such remedy:
/// as written the ipBlock matches nothing, without the except everything in it.
fn fix(cx: &Context, policy: &NetworkPolicy, at: Span) -> Option<Fix> {
    let block = Direction::BOTH
        .into_iter()
        .flat_map(|d| policy.rules(d))
        .flat_map(|r| r.peer_list())
        .filter_map(|p| p.ip_block.as_ref())
        .find(|b| b.except.iter().any(|e| e.span == at))?;
    let i = block.except.iter().position(|e| e.span == at)?;
    let (net, ex) = (
        parse_cidr(&block.cidr).ok()?,
        parse_cidr(&block.except[i]).ok()?,
    );
    let meets = net.contains(&ex.network()) || ex.contains(&net.network());
    if meets {
        return None;
    }
    let text = text_of(cx, at);
    let seq = sequence_of(text, block.except[0].span);
    let edits = delete_item(text, seq, at, block.except.len())?;
    let fix = Fix::patch(
        Safety::Safe,
        format!(
            "delete except {}: it lies outside cidr {} and excludes nothing",
            block.except[i].value, block.cidr.value
        ),
        Patch {
            edits,
            new_texts: Vec::new(),
        },
    );
    // The policy as written keeps its meaning; once the API server accepts it, it takes
    // effect, which is the point.
    Some(fix.changing_connections())
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

    #[test]
    fn the_fix_deletes_excepts_that_exclude_nothing() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

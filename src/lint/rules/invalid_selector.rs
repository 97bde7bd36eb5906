//! ## What it finds
//! A label selector (`podSelector`, `namespaceSelector`, in the spec or a peer) the API
//! server rejects:
//! - a `matchExpressions` operator other than `In`, `NotIn`, `Exists`, `DoesNotExist`
//!   (case-sensitive: `in` is refused);
//! - `In` or `NotIn` without values, `Exists` or `DoesNotExist` with values;
//! - a label key that is not an optional lower-case DNS prefix and `/` followed by a name of
//!   1 to 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit;
//! - a label value that is not empty and not such a name (`a b`, `-x`, 64 characters).
//!
//! ## Why it matters
//! The API server rejects the whole policy, so none of its rules takes effect — including
//! the ones that isolate pods.
//!
//! ## Example
//! ```yaml
//! podSelector:
//!   matchExpressions:
//!   - {key: tier, operator: in, values: [web]}      # operators are case-sensitive
//!   - {key: canary, operator: Exists, values: ["true"]}
//!   matchLabels:
//!     team: "payments & billing"                    # no spaces or `&` in a value
//! ```
//!
//! ## Use instead
//! ```yaml
//! podSelector:
//!   matchExpressions:
//!   - {key: tier, operator: In, values: [web]}
//!   - {key: canary, operator: Exists}
//!   matchLabels:
//!     team: payments-billing
//! ```

use crate::base::span::Span;
use crate::lint::fix::{Fix, Safety, replace_scalar, text_of, unquoted};
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP107",
    name: "invalid-selector",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a label selector the API server rejects: bad operator, values, key or value",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let start = out.len();
    violations_with_help(cx, &RULE, out, |v| {
        let m = v.message.as_str();
        if v.path.ends_with(".operator") {
            let written = m.split('`').nth(1).unwrap_or("");
            let fixed = ["In", "NotIn", "Exists", "DoesNotExist"]
                .into_iter()
                .find(|op| op.eq_ignore_ascii_case(written));
            return Some(match fixed {
                Some(op) => format!("operators are case-sensitive: write `{op}`"),
                None => "use In, NotIn, Exists or DoesNotExist".into(),
            });
        }
        if m.contains("needs at least one value") {
            return Some(
                "list the values under `values`, or use Exists to ask only for the key".into(),
            );
        }
        if m.contains("takes no values") {
            let compare = if m.contains("DoesNotExist") {
                "NotIn"
            } else {
                "In"
            };
            return Some(format!(
                "delete `values`, or use {compare} to compare the value"
            ));
        }
        None
    });
    let paths: Vec<&str> = cx
        .violations()
        .iter()
        .filter(|(_, v)| v.rule == RULE.name)
        .map(|(_, v)| v.path.as_str())
        .collect();
    for (f, path) in out[start..].iter_mut().zip(paths) {
        if path.ends_with(".operator") {
            f.fix = operator_fix(text_of(cx, f.span), f.span);
        }
    }
}

/// An operator in the wrong case, as the API spells it: safe (what was meant is not in
/// doubt), and the API server then accepts the policy, which takes effect.
fn operator_fix(text: &str, span: Span) -> Option<Fix> {
    let written = unquoted(text, span);
    let op = ["In", "NotIn", "Exists", "DoesNotExist"]
        .into_iter()
        .find(|op| op.eq_ignore_ascii_case(written) && *op != written)?;
    Some(
        Fix::edit(
            Safety::Safe,
            format!("write `{op}` for `{written}`"),
            replace_scalar(text, span, op),
        )
        .changing_connections(),
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_bad_part_of_a_selector() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "9:29: shop/web: spec.podSelector.matchExpressions[0].operator: `in` is not In, NotIn, Exists or DoesNotExist",
                "10:47: shop/web: spec.podSelector.matchExpressions[1].values: operator `Exists` takes no values",
                "11:7: shop/web: spec.podSelector.matchExpressions[2]: operator `NotIn` needs at least one value",
                "13:13: shop/web: spec.podSelector.matchLabels[\"team\"]: label value `payments & billing` is invalid: must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'",
                "18:11: shop/web: spec.ingress[0].from[0].namespaceSelector.matchLabels[\"Example.com/team\"]: label key `Example.com/team` is invalid: the prefix must be a lower-case DNS subdomain",
                "21:32: shop/web: spec.ingress[0].from[0].podSelector.matchExpressions[0].operator: `Matches` is not In, NotIn, Exists or DoesNotExist",
                "22:46: shop/web: spec.ingress[0].from[0].podSelector.matchExpressions[1].values[0]: label value `-front` is invalid: must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'",
            ]
        );
    }

    #[test]
    fn valid_selectors_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_fix_spells_the_operator_as_the_api_does() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

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

use crate::base::edit::{Edit, Patch};
use crate::base::span::Span;
use crate::base::suggest::closest;
use crate::lint::fix::{Fix, Safety, delete_item, replace_scalar, text_of, unquoted};
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::NetworkPolicy;

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
    let start = out.len();
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
    for f in &mut out[start..] {
        if let Subject::Policy(idx) = f.subject {
            f.fix = fix(cx, &cx.cluster.policies[idx], f.span);
        }
    }
}

/// The fix of a bad policyTypes: an entry in the wrong case as the API spells it (safe), one
/// a typo away from Ingress or Egress as the closest (unsafe: a guess); a list with an
/// entry twice, without the later copies (safe). The API server then accepts the policy,
/// which takes effect.
fn fix(cx: &Context, policy: &NetworkPolicy, at: Span) -> Option<Fix> {
    let types = policy.policy_types.as_ref()?;
    let text = text_of(cx, at);
    if at == types.span {
        let mut seen: Vec<&str> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        let count = types.value.len();
        for t in &types.value {
            if seen.contains(&t.value.as_str()) {
                edits.extend(delete_item(text, types.span, t.span, count)?);
            } else {
                seen.push(&t.value);
            }
        }
        if edits.is_empty() {
            return None;
        }
        let fix = Fix::patch(
            Safety::Safe,
            "delete the entries written twice",
            Patch {
                edits,
                new_texts: Vec::new(),
            },
        );
        return Some(fix.changing_connections());
    }
    let written = unquoted(text, at);
    let (safety, fixed) = match ["Ingress", "Egress"]
        .into_iter()
        .find(|t| t.eq_ignore_ascii_case(written))
    {
        Some(t) => (Safety::Safe, t),
        None => (Safety::Unsafe, closest(written, &["Ingress", "Egress"])?),
    };
    // Written already: the copy would be the next violation.
    if types.value.iter().any(|t| t.value == fixed) {
        return None;
    }
    Some(
        Fix::edit(
            safety,
            format!("write `{fixed}` for `{written}`"),
            replace_scalar(text, at, fixed),
        )
        .changing_connections(),
    )
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

    #[test]
    fn the_fix_spells_policy_types_as_the_api_does() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "bad.yaml", true));
        // The typo's fix is a guess: unsafe.
        insta::assert_snapshot!("safe_fixes_only", fixed(&RULE, "bad.yaml", false));
    }
}

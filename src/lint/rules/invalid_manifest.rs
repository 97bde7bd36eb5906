//! ## What it finds
//! Input that cannot be read as Kubernetes objects: YAML syntax errors, fields of the wrong
//! type (`from: {…}` where a list is expected), unknown fields (`ingres:`), missing required
//! fields, nesting or alias expansion beyond the limits.
//!
//! ## Why it matters
//! `kubectl apply` refuses such a document (kubectl validates strictly), so whatever it was
//! meant to allow or deny never reaches the cluster — and a typo such as `ingres:` in a policy
//! that kubectl accepted in lenient mode would silently turn it into a deny-all. The object is
//! left out of the analysis; the rest of the input is still checked.
//!
//! ## Example
//! ```yaml
//! spec:
//!   podSelector: {}
//!   ingres:              # unknown field
//!   - from: {podSelector: {}}
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   podSelector: {}
//!   ingress:
//!   - from: [{podSelector: {}}]
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP001",
    name: "invalid-manifest",
    severity: Severity::Error,
    category: Category::Input,
    summary: "a document that cannot be read as a Kubernetes object",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for p in cx.problems {
        let Some(span) = p.span else { continue };
        let message = if p.path.is_empty() {
            p.message.clone()
        } else {
            format!("{}: {}", p.path, p.message)
        };
        out.push(Finding::new(&RULE, Subject::None, span, message));
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn reports_every_problem_at_its_position() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "7:3: spec.ingres: unknown field `ingres` (did you mean `ingress`?); the API server rejects it (kubectl validates strictly)",
                "18:7: spec.ingress[0].from: expected a list, found a mapping",
            ]
        );
    }

    #[test]
    fn valid_manifests_have_no_finding() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! Input that cannot be read as Kubernetes objects: YAML syntax errors, fields of the wrong
//! type (`from: {…}` where a list is expected), unknown fields (`ingres:`), missing required
//! fields, nesting or alias expansion beyond the limits. An AdminNetworkPolicy written in the
//! older schema of network-policy-api (v0.1.0-v0.1.2) gets the field that replaced each one.
//!
//! Two kinds of problem, two exit statuses. A file that is not YAML or JSON, or a document
//! that names no `kind`, leaves part of the input unread: `check` exits with status 2 whatever
//! `--fail-on` and the configuration of this rule say, with a line on standard error saying
//! why. A problem inside an object of a known kind (an unknown, missing or mistyped field)
//! makes an object the API server would refuse: the object is left out of the analysis, as
//! the cluster would refuse it, and the finding counts like any other error.
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
    fn admin_network_policies_of_the_older_schema_get_the_current_field() {
        assert_eq!(
            findings(&RULE, "anp-v0.1.2.yaml"),
            [
                "12:9: spec.ingress[0].from[0].namespaces.namespaceSelector: unknown field `namespaceSelector`: the v1alpha1 schema of network-policy-api v0.1.0-v0.1.2 wrote `namespaces: {namespaceSelector: {matchLabels: …}}`; since v0.1.3 `namespaces` is the selector itself: `namespaces: {matchLabels: …}`; the API server rejects it (kubectl validates strictly)",
                "14:9: spec.ingress[0].from[1].namespaces.sameLabels: unknown field `sameLabels`: the v1alpha1 schema of network-policy-api v0.1.0-v0.1.2 had it as an experimental field, removed in v0.1.3 with no replacement; select the namespaces by their labels (`namespaces: {matchLabels: …}`); the API server rejects it (kubectl validates strictly)",
                "16:9: spec.ingress[0].from[2].pods.namespaces: unknown field `namespaces` (did you mean `namespaceSelector`?): the v1alpha1 schema of network-policy-api v0.1.0-v0.1.2 wrote `pods: {namespaces: {namespaceSelector: …}, podSelector: …}`; since v0.1.3 it is `pods: {namespaceSelector: …, podSelector: …}`; the API server rejects it (kubectl validates strictly)",
            ]
        );
    }

    #[test]
    fn valid_manifests_have_no_finding() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! A policy whose `spec.podSelector` matches no pod or workload of its namespace in the
//! input, or only hostNetwork pods (which no policy selects).
//!
//! The namespace must hold at least one pod or workload in the input: a namespace without
//! any is taken as not given (the input is often one application's manifests), and its
//! policies are not judged. To lint policies against workloads kept elsewhere, give those
//! manifests with `--topology`.
//!
//! ## Why it matters
//! A policy that selects no pod does nothing: it isolates nothing and allows nothing. It is
//! usually a label typo, labels taken from the Deployment's own `metadata.labels` rather than
//! its pod template's, or a policy left behind after a rename — and the pods it was written
//! for are not protected.
//!
//! ## Example
//! ```yaml
//! # the Deployment's pod template is labelled app: checkout
//! kind: NetworkPolicy
//! metadata: {name: checkout, namespace: shop}
//! spec:
//!   podSelector:
//!     matchLabels: {app: check-out}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//! ```
//!
//! ## Use instead
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: checkout, namespace: shop}
//! spec:
//!   podSelector:
//!     matchLabels: {app: checkout}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//! ```

use crate::lint::scope::{Scope, closest_miss, list};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP203",
    name: "policy-selects-nothing",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a policy whose podSelector matches no pod of its namespace in the input",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let scope = Scope::new(cx.cluster);
    for (idx, p) in cx.cluster.applied_policies() {
        if !scope.has_endpoints_named(&p.namespace) {
            continue;
        }
        let in_ns: Vec<_> = scope.endpoints_in(&p.namespace).map(|(_, e)| e).collect();
        if in_ns.iter().any(|e| cx.cluster.selects(p, e)) {
            continue;
        }
        let sel = &p.pod_selector;
        let host: Vec<String> = in_ns
            .iter()
            .filter(|e| e.host_network && sel.matches(&e.labels))
            .map(|e| e.id())
            .collect();
        let finding = if host.is_empty() {
            let f = Finding::new(
                &RULE,
                Subject::Policy(idx),
                sel.span,
                format!(
                    "{}: podSelector {sel} matches no pod or workload in namespace {}",
                    p.id(),
                    p.namespace
                ),
            );
            let closest = closest_miss(
                sel,
                in_ns
                    .iter()
                    .filter(|e| !e.host_network)
                    .map(|e| (e.id(), &e.labels)),
            );
            match closest {
                Some(c) => f.help(format!("the closest is {c}")),
                None => f,
            }
        } else {
            Finding::new(
                &RULE,
                Subject::Policy(idx),
                sel.span,
                format!(
                    "{}: podSelector {sel} matches only hostNetwork pods ({}), which no policy selects",
                    p.id(),
                    list(&host)
                ),
            )
            .help("hostNetwork pods share their node's network namespace: NetworkPolicy does not apply to them")
        };
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_the_selector_of_each_policy_selecting_nothing() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "32:5: shop/checkout: podSelector {app=check-out} matches no pod or workload in namespace shop",
                "43:16: shop/agent: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which no policy selects",
            ]
        );
    }

    #[test]
    fn policies_selecting_a_pod_or_in_namespaces_without_pods_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn help_names_the_closest_workload() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "32:5: shop/checkout: podSelector {app=check-out} matches no pod or workload in namespace shop",
                    "help: the closest is shop/deploy/checkout: app=checkout, not check-out",
                ],
                [
                    "43:16: shop/agent: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which no policy selects",
                    "help: hostNetwork pods share their node's network namespace: NetworkPolicy does not apply to them",
                ],
            ]
        );
    }
}

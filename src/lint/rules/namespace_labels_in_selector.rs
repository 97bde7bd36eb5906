//! ## What it finds
//! A Calico `selector` — a policy's `spec.selector`, or the `selector` of a rule's `source`
//! or `destination` — that requires a label (`key == 'v'`, `key in {...}`, `has(key)`,
//! `contains`, `starts with`, `ends with`, alone or joined by `&&`) that no pod or workload of
//! the input carries but a namespace does. A rule's selector also matches network sets, so a
//! label some network set carries is not reported.
//!
//! The pods must be in the input: without any, their labels are unknown and nothing is
//! judged. Give the workloads with `--topology` to check policies kept apart from them.
//!
//! ## Why it matters
//! A Calico `selector` matches the endpoint's own labels — the pod's — and not its
//! namespace's: namespace labels are matched by `namespaceSelector` (or, inside a selector,
//! under the `pcns.` prefix). A selector on a namespace label matches no pod, so the policy
//! applies to nothing, or the rule matches nothing: an Allow allows nothing, a Deny protects
//! nothing. It is easily written when moving from Kubernetes NetworkPolicy, where the label
//! `kubernetes.io/metadata.name` selects a namespace.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: payments-ingress}
//! spec:
//!   selector: team == 'payments'          # a label of the namespace payments
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: kubernetes.io/metadata.name == 'shop'
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: payments-ingress}
//! spec:
//!   namespaceSelector: team == 'payments'
//!   ingress:
//!   - action: Allow
//!     source:
//!       namespaceSelector: kubernetes.io/metadata.name == 'shop'
//! ```
//! A namespaced NetworkPolicy applies to the pods of its own namespace only: it needs no
//! selector on the namespace at all.

use std::collections::HashSet;

use crate::lint::scope::list;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::calico::selector::Selector;
use crate::model::calico::{CalicoPolicy, SelectorField};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP805",
    name: "namespace-labels-in-selector",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a Calico selector on labels that only namespaces carry in the input",
    check,
};

/// Where a selector is: the policy's own, or a side of a rule.
enum Place {
    Policy,
    Rule,
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    if cluster.endpoints.is_empty() {
        return;
    }
    let pod_keys: HashSet<&str> = cluster
        .endpoints
        .iter()
        .flat_map(|e| e.labels.iter().map(|(k, _)| k))
        .collect();
    let set_keys: HashSet<&str> = cluster
        .network_sets
        .iter()
        .flat_map(|s| s.labels.iter().map(|(k, _)| k))
        .collect();
    for (i, p) in cluster.calico_policies.iter().enumerate() {
        if !cluster.calico_applied(i) || p.kubernetes.is_some() {
            continue;
        }
        let mut fields: Vec<(String, &SelectorField, Place)> = Vec::new();
        if let Some(s) = &p.selector {
            fields.push(("spec.selector".into(), s, Place::Policy));
        }
        for r in p.ingress.iter().chain(&p.egress) {
            for (side, e) in [("source", &r.source), ("destination", &r.destination)] {
                if let Some(s) = &e.selector {
                    let path = format!("spec.{}.{side}.selector", r.label());
                    fields.push((path, s, Place::Rule));
                }
            }
        }
        for (path, field, place) in fields {
            let Ok(sel) = &field.parsed else { continue };
            let mut parts = Vec::new();
            required(sel, &mut parts);
            // Keys a pod carries, or Calico gives it, or (for a rule) a network set carries.
            let known = |key: &str| {
                calico_key(key)
                    || pod_keys.contains(key)
                    || (matches!(place, Place::Rule) && set_keys.contains(key))
            };
            let misplaced: Vec<(&str, &Selector)> = parts
                .into_iter()
                .filter(|(key, _)| {
                    !known(key)
                        && cluster
                            .namespaces
                            .iter()
                            .any(|n| n.labels.contains_key(key))
                })
                .collect();
            if misplaced.is_empty() {
                continue;
            }
            let mut keys: Vec<&str> = Vec::new();
            for &(k, _) in &misplaced {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            let namespaces: Vec<String> = cluster
                .namespaces
                .iter()
                .filter(|n| keys.iter().any(|k| n.labels.contains_key(k)))
                .map(|n| n.name.clone())
                .collect();
            let label = match keys.as_slice() {
                [k] => format!("the label {k}"),
                ks => format!("the labels {}", ks.join(", ")),
            };
            let which = match namespaces.as_slice() {
                [n] => format!("namespace {n} has"),
                ns => format!("namespaces {} have", list(ns)),
            };
            let text: Vec<String> = misplaced.iter().map(|(_, s)| s.to_string()).collect();
            out.push(
                Finding::new(
                    &RULE,
                    Subject::CalicoPolicy(i),
                    field.text.span,
                    format!(
                        "{} {}: {path} `{}`: no pod or workload in this input has {label}, which {which}: a selector matches the pods' own labels, not their namespace's",
                        p.kind.as_str(),
                        p.id(),
                        field.text.value,
                    ),
                )
                .help(help(p, &place, &text.join(" && "))),
            );
        }
    }
}

fn help(p: &CalicoPolicy, place: &Place, text: &str) -> String {
    match place {
        Place::Rule => format!(
            "move `{text}` to the rule's `namespaceSelector`, which matches namespace labels"
        ),
        Place::Policy if p.kind.is_global() => {
            format!("move `{text}` to `spec.namespaceSelector`, which matches namespace labels")
        }
        Place::Policy => format!(
            "a {} applies to the pods of its own namespace only: drop `{text}`, or to apply it in several namespaces write a GlobalNetworkPolicy with `namespaceSelector: {text}`",
            p.kind.as_str()
        ),
    }
}

/// The comparisons a selector requires (of its top-level conjunction) that need a label, with
/// their key.
fn required<'s>(s: &'s Selector, out: &mut Vec<(&'s str, &'s Selector)>) {
    match s {
        Selector::And(xs) => xs.iter().for_each(|x| required(x, out)),
        Selector::Has(k)
        | Selector::Eq(k, _)
        | Selector::In(k, _)
        | Selector::Contains(k, _)
        | Selector::StartsWith(k, _)
        | Selector::EndsWith(k, _) => out.push((k.as_str(), s)),
        _ => {}
    }
}

/// Keys Calico gives endpoints itself (`pcns.*` for namespace labels, `pcsa.*`,
/// `projectcalico.org/*`).
fn calico_key(k: &str) -> bool {
    k.starts_with("pcns.") || k.starts_with("pcsa.") || k.starts_with("projectcalico.org/")
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn selectors_on_namespace_labels_are_reported() {
        assert_eq!(
            details(&RULE, "bad.yaml"),
            [
                "23:13: GlobalNetworkPolicy payments-ingress: spec.selector `team == 'payments' && has(pci)`: no pod or workload in this input has the labels team, pci, which namespaces pay, shop have: a selector matches the pods' own labels, not their namespace's\n  help: move `team == \"payments\" && has(pci)` to `spec.namespaceSelector`, which matches namespace labels",
                "27:17: GlobalNetworkPolicy payments-ingress: spec.ingress[0].source.selector `app == 'web' && kubernetes.io/metadata.name == 'shop'`: no pod or workload in this input has the label kubernetes.io/metadata.name, which namespaces pay, shop have: a selector matches the pods' own labels, not their namespace's\n  help: move `kubernetes.io/metadata.name == \"shop\"` to the rule's `namespaceSelector`, which matches namespace labels",
                "33:13: NetworkPolicy shop/all: spec.selector `team == 'shop'`: no pod or workload in this input has the label team, which namespaces pay, shop have: a selector matches the pods' own labels, not their namespace's\n  help: a NetworkPolicy applies to the pods of its own namespace only: drop `team == \"shop\"`, or to apply it in several namespaces write a GlobalNetworkPolicy with `namespaceSelector: team == \"shop\"`",
                "37:17: NetworkPolicy shop/all: spec.egress[0].destination.selector `team in {'payments'}`: no pod or workload in this input has the label team, which namespaces pay, shop have: a selector matches the pods' own labels, not their namespace's\n  help: move `team in {\"payments\"}` to the rule's `namespaceSelector`, which matches namespace labels",
            ]
        );
    }

    #[test]
    fn selectors_on_pod_labels_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn without_pods_nothing_is_judged() {
        assert!(findings(&RULE, "no-pods.yaml").is_empty());
    }
}

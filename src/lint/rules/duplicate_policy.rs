//! ## What it finds
//! Two NetworkPolicies of the input with the same namespace and name. The finding points at
//! each later definition; the first one is shown as related. (Pods, workloads, Services and
//! Namespaces defined twice are `duplicate-object`'s.)
//!
//! ## Why it matters
//! A namespace holds one object per name: `kubectl apply` of both leaves only the later one,
//! which replaces the earlier completely (rules are not merged). Whatever the earlier
//! definition allowed or isolated is gone, and which one wins depends on file order. It is
//! usually a copy-paste that kept the name. (When the later definition is invalid, the API
//! server rejects it and the earlier one stays; the finding says so.)
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: allow-web, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: web}}
//!   ingress: [{ports: [{port: 80}]}]
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: allow-web, namespace: shop}   # copied, name kept
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress: [{ports: [{port: 8080}]}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: allow-web, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: web}}
//!   ingress: [{ports: [{port: 80}]}]
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: allow-api, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress: [{ports: [{port: 8080}]}]
//! ```

use std::collections::HashMap;

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::NotApplied;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP109",
    name: "duplicate-policy",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "the same namespace/name defined twice: the later replaces the earlier",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, p) in cluster.policies.iter().enumerate() {
        let Some(&f) = first.get(&(p.namespace.as_str(), p.name.as_str())) else {
            first.insert((&p.namespace, &p.name), i);
            continue;
        };
        let replaced = cluster
            .not_applied
            .iter()
            .find(|(_, why)| **why == NotApplied::Replaced { by: i })
            .map(|(&k, _)| k);
        let what = if cluster.not_applied.get(&i) == Some(&NotApplied::Invalid) {
            "the API server rejects this definition, so it replaces nothing"
        } else if replaced.is_some() {
            "this later definition replaces the earlier one, as kubectl apply would"
        } else {
            "the earlier definition is invalid, so this one is what the cluster holds"
        };
        let mut finding = Finding::new(
            &RULE,
            Subject::Policy(i),
            p.name_span,
            format!("{}: NetworkPolicy defined again; {what}", p.id()),
        )
        .help(format!(
            "keep one definition of {}, or give the other a name of its own",
            p.id()
        ))
        .related(cluster.policies[f].name_span, "first defined here");
        if let Some(k) = replaced.filter(|&k| k != f) {
            finding = finding.related(cluster.policies[k].name_span, "replaced definition");
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{findings, findings_in};

    #[test]
    fn points_at_each_later_definition() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "13:9: shop/allow-web: NetworkPolicy defined again; this later definition replaces the earlier one, as kubectl apply would",
                "23:9: shop/allow-web: NetworkPolicy defined again; the API server rejects this definition, so it replaces nothing",
            ]
        );
    }

    #[test]
    fn duplicates_across_files_are_found() {
        assert_eq!(
            findings_in(&RULE, &["bad.yaml", "other.yaml"]),
            [
                "bad.yaml:13:9: shop/allow-web: NetworkPolicy defined again; this later definition replaces the earlier one, as kubectl apply would",
                "bad.yaml:23:9: shop/allow-web: NetworkPolicy defined again; the API server rejects this definition, so it replaces nothing",
                "other.yaml:3:18: shop/allow-web: NetworkPolicy defined again; this later definition replaces the earlier one, as kubectl apply would",
            ]
        );
    }

    #[test]
    fn the_ignore_annotation_on_the_later_definition_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }

    #[test]
    fn same_name_in_other_namespaces_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn points_back_at_the_first_definition_and_says_how_to_fix() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "13:9: shop/allow-web: NetworkPolicy defined again; this later definition replaces the earlier one, as kubectl apply would",
                    "help: keep one definition of shop/allow-web, or give the other a name of its own",
                    "4:9: first defined here",
                ],
                [
                    "23:9: shop/allow-web: NetworkPolicy defined again; the API server rejects this definition, so it replaces nothing",
                    "help: keep one definition of shop/allow-web, or give the other a name of its own",
                    "4:9: first defined here",
                ],
            ]
        );
    }
}

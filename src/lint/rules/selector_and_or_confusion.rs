//! ## What it finds
//! In one `from` or `to` list, an item with only a `namespaceSelector` next to an item with
//! only a `podSelector`. Two items are two peers, ORed: every pod of the selected
//! namespaces, plus the selected pods of the policy's own namespace. One item holding both
//! selectors is one peer, ANDed: the selected pods in the selected namespaces — usually
//! what was meant. The finding points at the second item, with the first as a related
//! place; the help shows the merged item.
//!
//! ## Why it matters
//! The two spellings differ by one `-` and read almost alike, but the OR form admits far
//! more: every pod of the namespace instead of the one workload, and same-namespace pods
//! that happen to carry the label. The policy looks right in review and lets in more than
//! intended. When the OR is what you mean, writing the items apart (or in separate rules)
//! and silencing this rule on the policy makes it explicit.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from:
//!   - namespaceSelector:
//!       matchLabels: {kubernetes.io/metadata.name: monitoring}
//!   - podSelector:                  # a second peer: OR
//!       matchLabels: {app: prometheus}
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from:
//!   - namespaceSelector:
//!       matchLabels: {kubernetes.io/metadata.name: monitoring}
//!     podSelector:                  # the same peer: AND
//!       matchLabels: {app: prometheus}
//! ```

use crate::lint::risk::selector_yaml;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::policy::Peer;
use crate::model::{Direction, LabelSelector};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP408",
    name: "selector-and-or-confusion",
    severity: Severity::Info,
    category: Category::Risk,
    summary: "a namespaceSelector-only peer next to a podSelector-only peer, where one peer (AND) was likely meant",
    check,
};

/// A peer with one selector only.
enum Lone<'a> {
    Namespaces(&'a LabelSelector),
    Pods(&'a LabelSelector),
}

fn lone(peer: &Peer) -> Option<Lone<'_>> {
    if peer.ip_block.is_some() {
        return None;
    }
    match (&peer.namespace_selector, &peer.pod_selector) {
        (Some(ns), None) => Some(Lone::Namespaces(ns)),
        // `podSelector: {}` beside a namespaceSelector is "and every pod of my namespace":
        // ANDed, it would add nothing to the namespaceSelector, so the OR is meant.
        (None, Some(pods)) if !pods.is_empty() => Some(Lone::Pods(pods)),
        _ => None,
    }
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (idx, policy) in cx.cluster.applied_policies() {
        for dir in Direction::BOTH {
            for rule in policy.effective_rules(dir) {
                let peers = rule.peer_list();
                let field = dir.peers_field();
                let mut paired = None;
                for pair in peers.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    if paired == Some(a.index) {
                        continue;
                    }
                    let (ns, pods) = match (lone(a), lone(b)) {
                        (Some(Lone::Namespaces(ns)), Some(Lone::Pods(pods)))
                        | (Some(Lone::Pods(pods)), Some(Lone::Namespaces(ns))) => (ns, pods),
                        _ => continue,
                    };
                    paired = Some(b.index);
                    let describe = |p: &Peer| match lone(p) {
                        Some(Lone::Namespaces(s)) => format!("every pod of namespaces {s}"),
                        Some(Lone::Pods(s)) => format!("pods {s} of {}", policy.namespace),
                        None => unreachable!("both peers are lone selectors"),
                    };
                    let f = Finding::new(
                        &RULE,
                        Subject::Policy(idx),
                        b.span,
                        format!(
                            "{}: {field}[{}] ({}) and {field}[{}] ({}) are separate peers, ORed; one peer with both selectors would AND them",
                            cx.np_rule_name(idx, rule),
                            a.index,
                            describe(a),
                            b.index,
                            describe(b),
                        ),
                    )
                    .related(a.span, format!("{field}[{}], ORed with this one", a.index))
                    .help(format!(
                        "if you meant pods {pods} in namespaces {ns}, make them one item: `- {{namespaceSelector: {}, podSelector: {}}}`",
                        selector_yaml(ns),
                        selector_yaml(pods)
                    ));
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_the_second_of_two_lone_selectors() {
        assert_eq!(
            details(&RULE, "bad.yaml"),
            [
                "11:7: shop/api ingress[0]: from[0] (every pod of namespaces {kubernetes.io/metadata.name=monitoring}) and from[1] (pods {app=prometheus} of shop) are separate peers, ORed; one peer with both selectors would AND them\n  9:7: from[0], ORed with this one\n  help: if you meant pods {app=prometheus} in namespaces {kubernetes.io/metadata.name=monitoring}, make them one item: `- {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app: prometheus}}}`",
                "20:7: shop/api egress[0]: to[0] (pods {app in (db,true)} of shop) and to[1] (every pod of namespaces {team=data}) are separate peers, ORed; one peer with both selectors would AND them\n  17:7: to[0], ORed with this one\n  help: if you meant pods {app in (db,true)} in namespaces {team=data}, make them one item: `- {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchExpressions: [{key: app, operator: In, values: [db, \"true\"]}]}}`",
            ]
        );
    }

    #[test]
    fn anded_or_mixed_peers_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

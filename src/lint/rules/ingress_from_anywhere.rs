//! ## What it finds
//! An ingress rule that admits connections from anywhere:
//! - no `from` (or `from: []`): every source, in the cluster and outside it;
//! - a peer with `namespaceSelector: {}` and no (or an empty) `podSelector`: every pod of
//!   every namespace;
//! - a peer with an ipBlock of `0.0.0.0/0` or `::/0`: every address of the family. This is
//!   reported with or without `except`: carving out private ranges still leaves the whole
//!   internet in.
//!
//! Only rules in effect count (Ingress in the policy's effective `policyTypes`). The finding
//! points at the peer, or at the rule (its empty `from`) when it has none, and names the
//! ports it opens and, as a related place, the pods it opens them on.
//!
//! A policy plainly meant to let everyone in — one with an empty ingress rule (`- {}`: every
//! peer, every port), or named `allow-all…` (unless the name says egress only) — gets one
//! info saying what it admits instead of a warning per rule, and such policies are listed
//! together in one finding.
//!
//! ## Why it matters
//! A policy is meant to say who may connect. A rule that admits everyone makes the pod as
//! reachable as if it had no policy on those ports — from a compromised pod in any
//! namespace, or from the internet when the network routes to pod IPs. Sometimes that is
//! the point (an ingress controller, a public API); then say so with the annotation
//! `netpol.kubectl.dev/ignore: ingress-from-anywhere` on the policy.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - from:
//!     - namespaceSelector: {}        # every namespace
//!     ports: [{port: 8080}]
//! ```
//!
//! ## Use instead
//! ```yaml
//!   ingress:
//!   - from:
//!     - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
//!       podSelector: {matchLabels: {app: frontend}}
//!     ports: [{port: 8080}]
//! ```

use crate::lint::group::{Group, Noun};
use crate::lint::risk::{AllowAll, meant_as_allow_all, name_list, selected};
use crate::lint::suppress::ANNOTATION;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP404",
    name: "ingress-from-anywhere",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "an ingress rule admitting every source, every namespace, or 0.0.0.0/0",
    check,
};

/// One place of a policy that admits everyone.
struct Found {
    span: crate::base::span::Span,
    /// What it admits, for the allow-all summary: `web/web ingress[0]: every source...`.
    what: String,
    message: String,
    help: String,
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let public = format!(
        "if it is public on purpose, annotate the policy `{ANNOTATION}: {}`",
        RULE.name
    );
    for (idx, policy) in cluster.applied_policies() {
        let opened = selected(cluster, cx.index(), policy);
        let mut found: Vec<Found> = Vec::new();
        for rule in policy.effective_rules(Direction::Ingress) {
            let ports = if rule.all_ports() {
                "every port".to_string()
            } else {
                let items: Vec<String> = rule.port_list().iter().map(|p| p.describe()).collect();
                items.join(", ")
            };
            let name = cx.np_rule_name(idx, rule);
            if rule.all_peers() {
                let (span, why) = match &rule.peers {
                    Some(p) if !p.span.is_empty() => (p.span, "empty `from`"),
                    _ => (rule.span, "no `from`"),
                };
                found.push(Found {
                    span,
                    what: format!("every source on {ports} ({})", rule.label()),
                    message: format!(
                        "{name} admits every source, in the cluster and outside it ({why}), on {ports}"
                    ),
                    help: format!("list the clients under `from`; {public}"),
                });
            }
            for peer in rule.peer_list() {
                let peer_name = format!("{name} from[{}]", peer.index);
                let all_namespaces = peer
                    .namespace_selector
                    .as_ref()
                    .is_some_and(|s| s.is_empty())
                    && peer.pod_selector.as_ref().is_none_or(|s| s.is_empty());
                if all_namespaces {
                    found.push(Found {
                        span: peer.span,
                        what: format!("every pod of every namespace on {ports} ({}.from[{}])", rule.label(), peer.index),
                        message: format!(
                            "{peer_name} admits every pod of every namespace (namespaceSelector {{}}), on {ports}"
                        ),
                        help: "select the namespaces that need access, e.g. `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: NAME}}`, and the pods with a podSelector next to it".to_string(),
                    });
                }
                if let Some(block) = &peer.ip_block {
                    if let Some(net) = block.net().filter(|n| n.prefix_len() == 0) {
                        let family = match net {
                            ipnet::IpNet::V4(_) => "IPv4",
                            ipnet::IpNet::V6(_) => "IPv6",
                        };
                        found.push(Found {
                            span: peer.span,
                            what: format!("every {family} address on {ports} ({}.from[{}])", rule.label(), peer.index),
                            message: format!(
                                "{peer_name} admits every {family} address (ipBlock {}), on {ports}",
                                block.describe()
                            ),
                            help: format!("narrow the cidr to the clients' addresses; {public}"),
                        });
                    }
                }
            }
        }
        if found.is_empty() {
            continue;
        }
        let pods = (!opened.is_empty()).then(|| {
            (
                policy.pod_selector.span,
                format!("the pods it opens: {}", name_list(&opened, 5)),
            )
        });
        if let Some(why) = meant_as_allow_all(policy, Direction::Ingress) {
            // Plainly meant to let everyone in: one info saying so, not a warning per peer.
            let message = match why {
                AllowAll::EmptyRule => format!(
                    "{} allows all ingress with an empty rule: every source, in the cluster and outside it, on every port",
                    policy.id()
                ),
                AllowAll::Name => {
                    let what: Vec<&str> = found.iter().map(|f| f.what.as_str()).collect();
                    format!(
                        "{} is named to allow all ingress; it admits {}",
                        policy.id(),
                        what.join("; ")
                    )
                }
            };
            let mut f = Finding::new(&RULE, Subject::Policy(idx), policy.name_span, message)
            .help(format!(
                "make sure these pods are meant to be reachable by anyone; annotate the policy `{ANNOTATION}: {}` to say so",
                RULE.name
            ))
            .grouped(Group {
                key: "allow-all".into(),
                message:
                    "{n} policies are meant to allow all ingress (by an empty rule or by their names)"
                        .into(),
                member: policy.id(),
                unit: Noun("policy", "policies"),
                scope: None,
            });
            f.severity = Severity::Info;
            if let Some((span, pods)) = &pods {
                f = f.related(*span, pods.clone());
            }
            out.push(f);
            continue;
        }
        for item in found {
            let mut f =
                Finding::new(&RULE, Subject::Policy(idx), item.span, item.message).help(item.help);
            if let Some((span, pods)) = &pods {
                f = f.related(*span, pods.clone());
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_peer_or_rule_that_admits_everyone() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "12:5: web/web ingress[0] admits every source, in the cluster and outside it (no `from`), on TCP 80, TCP 443",
                "15:11: web/web ingress[1] admits every source, in the cluster and outside it (empty `from`), on UDP 443",
                "25:7: web/metrics ingress[0] from[0] admits every pod of every namespace (namespaceSelector {}), on every port",
                "26:7: web/metrics ingress[0] from[1] admits every pod of every namespace (namespaceSelector {}), on every port",
                "39:7: api/partners ingress[0] from[0] admits every IPv4 address (ipBlock 0.0.0.0/0 except 10.0.0.0/8), on TCP 8443",
                "42:7: api/partners ingress[0] from[1] admits every IPv6 address (ipBlock ::/0), on TCP 8443",
            ]
        );
    }

    #[test]
    fn names_the_pods_it_opens_and_how_to_narrow_it() {
        assert_eq!(
            details(&RULE, "bad.yaml")[0],
            "12:5: web/web ingress[0] admits every source, in the cluster and outside it (no `from`), on TCP 80, TCP 443\n  10:16: the pods it opens: web/web\n  help: list the clients under `from`; if it is public on purpose, annotate the policy `netpol.kubectl.dev/ignore: ingress-from-anywhere`"
        );
    }

    #[test]
    fn policies_meant_as_allow_all_make_one_info() {
        assert_eq!(
            crate::lint::testing::members(&RULE, "allow-all.yaml"),
            [
                "9:18: 2 policies are meant to allow all ingress (by an empty rule or by their names)\n  members: web/open-web 9:18, api/allow-all-ingress 18:18",
                "33:12: api/allow-all-egress ingress[0] from[0] admits every IPv4 address (ipBlock 0.0.0.0/0), on every port",
            ]
        );
        assert_eq!(
            crate::lint::testing::severities(&RULE, "allow-all.yaml"),
            [
                (9, crate::lint::Severity::Info),
                (33, crate::lint::Severity::Warning)
            ]
        );
        // Alone, it says what it admits.
        assert_eq!(
            crate::lint::testing::findings(&RULE, "bad.yaml").len(),
            6,
            "a rule with no `from` but some ports is not an empty rule"
        );
        let one = crate::lint::testing::findings(&RULE, "allow-all-one.yaml");
        assert_eq!(
            one,
            [
                "4:9: api/allow-all-ingress is named to allow all ingress; it admits every pod of every namespace on TCP 8080 (ingress[0].from[0]); every source on TCP 9090 (ingress[1])"
            ]
        );
    }

    #[test]
    fn narrow_peers_and_rules_not_in_effect_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

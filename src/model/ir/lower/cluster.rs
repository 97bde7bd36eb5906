//! AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy into the `Admin`
//! and `Baseline` tiers (network-policy-api, sigs.k8s.io).
//!
//! - Policies in a tier by ascending priority, then kind (ANP before CNP), then name; rules in
//!   order, first match wins: Allow (Accept) and Deny are final, Pass leaves the tier. Both
//!   tiers end in Pass.
//! - The subject is `namespaces` (every pod of the matching namespaces) or `pods`
//!   (`namespaceSelector` AND `podSelector`), never a hostNetwork pod.
//! - Peers: `namespaces`, `pods` (pods only, never hostNetwork ones); `nodes` (the addresses of
//!   the matching Nodes); `networks` (CIDRs, pods by their IPs included). A peer of no known
//!   shape matches nothing (the API says to fail closed).
//! - Ports: numbers, ranges, and named ports resolved on the destination in any protocol (the
//!   API names none); no ports: every port.

use super::super::{
    Action, Cond, Match, Policy, PolicyDir, PortItem, PortKind, PortMatch, Precedence, Rule,
    Source, Term, Test,
};
use super::kubernetes::{pod_network, selector_cond};
use crate::model::cluster_policy::{
    Action as ApiAction, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPortKind,
    ClusterRule, Tier,
};
use crate::model::ip::parse_cidr;
use crate::model::selector::{Expr, Scope};
use crate::model::{Cluster, Direction};

/// The applied Admin-tier policies, in evaluation order.
pub fn admin(cluster: &Cluster) -> Vec<Policy> {
    tier(cluster, Tier::Admin)
}

/// The applied Baseline-tier policies, in evaluation order.
pub fn baseline(cluster: &Cluster) -> Vec<Policy> {
    tier(cluster, Tier::Baseline)
}

fn tier(cluster: &Cluster, tier: Tier) -> Vec<Policy> {
    let applied = match tier {
        Tier::Admin => &cluster.admin_tier,
        Tier::Baseline => &cluster.baseline_tier,
    };
    applied
        .iter()
        .map(|&i| policy(i, &cluster.cluster_policies[i]))
        .collect()
}

fn policy(idx: usize, p: &ClusterPolicy) -> Policy {
    let s = &p.subject;
    let mut conds = vec![
        pod_network(s.span),
        selector_cond("namespaces", &s.namespace_selector, Scope::Namespace),
    ];
    if let Some(pods) = &s.pod_selector {
        conds.push(selector_cond("pods", pods, Scope::Own));
    }
    let precedence = match (p.kind, &p.priority) {
        (ClusterPolicyKind::Cnp, Some(prio)) => {
            Some(format!("({} tier, prio {})", p.tier, prio.value))
        }
        (_, Some(prio)) => Some(format!("prio {}", prio.value)),
        (_, None) => None,
    };
    Policy {
        source: Source::ClusterPolicy(idx),
        tier: 0,
        name: p.name.clone(),
        kind: p.kind.short(),
        precedence,
        precedence_key: match &p.priority {
            Some(prio) => Precedence::Priority(prio.value),
            None => Precedence::Unordered,
        },
        name_span: p.name_span,
        span: Some(p.span),
        subject: Match::Any(vec![Term {
            label: "subject".into(),
            span: s.span,
            conds,
        }]),
        dirs: Direction::BOTH.map(|d| {
            let rules: Vec<Rule> = p.rules(d).iter().filter_map(|r| rule(p, r, d)).collect();
            // The tiers end in Pass: selecting a pod decides nothing by itself.
            PolicyDir {
                applies: !p.rules(d).is_empty(),
                isolates: false,
                rules,
            }
        }),
    }
}

fn rule(p: &ClusterPolicy, r: &ClusterRule, d: Direction) -> Option<Rule> {
    let action = match p.action(r)? {
        ApiAction::Allow => Action::Allow,
        ApiAction::Deny => Action::Deny,
        ApiAction::Pass => Action::Pass,
    };
    let terms = r
        .peers
        .iter()
        .filter_map(|peer| {
            let conds = match &peer.kind {
                ClusterPeerKind::Namespaces(sel) => vec![
                    pod_network(peer.span),
                    selector_cond("namespaces", sel, Scope::Namespace),
                ],
                ClusterPeerKind::Pods {
                    namespace_selector,
                    pod_selector,
                } => vec![
                    pod_network(peer.span),
                    selector_cond("namespaceSelector", namespace_selector, Scope::Namespace),
                    selector_cond("podSelector", pod_selector, Scope::Own),
                ],
                ClusterPeerKind::Nodes(sel) => vec![Cond::new(
                    Test::Nodes(Expr::from_requirements(Scope::Own, &sel.requirements())),
                    format!("nodes {sel}"),
                    sel.span,
                )],
                ClusterPeerKind::Networks(cidrs) => {
                    let list: Vec<&str> = cidrs.iter().map(|c| c.value.as_str()).collect();
                    vec![Cond::new(
                        Test::Nets {
                            nets: cidrs.iter().filter_map(|c| parse_cidr(c).ok()).collect(),
                            except: Vec::new(),
                        },
                        format!("networks {}", list.join(", ")),
                        peer.span,
                    )]
                }
                ClusterPeerKind::Unknown => return None,
            };
            Some(Term {
                label: format!("{}[{}]", d.peers_field(), peer.index),
                span: peer.span,
                conds,
            })
        })
        .collect();
    let ports = match &r.ports {
        None => PortMatch::All,
        Some(list) => PortMatch::Any(
            list.value
                .iter()
                .map(|port| PortItem {
                    kind: match &port.kind {
                        ClusterPortKind::Number(proto, n) => match u16::try_from(n.value) {
                            Ok(n) => PortKind::Range(*proto, n, n),
                            Err(_) => PortKind::Nothing(port.describe()),
                        },
                        ClusterPortKind::Range(proto, a, b) => {
                            match (u16::try_from(a.value), u16::try_from(b.value)) {
                                (Ok(a), Ok(b)) => PortKind::Range(*proto, a, b),
                                _ => PortKind::Nothing(port.describe()),
                            }
                        }
                        ClusterPortKind::Named(n) => PortKind::Named(n.value.clone(), None),
                        ClusterPortKind::Invalid => PortKind::Nothing(port.describe()),
                    },
                    span: port.span,
                })
                .collect(),
        ),
    };
    let action_word = match (p.kind, action) {
        (ClusterPolicyKind::Cnp, Action::Allow) => "Accept",
        _ => match action {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
            Action::Log => "Log",
        },
    };
    Some(Rule {
        action,
        peer: Match::Any(terms),
        local: None,
        ports,
        span: r.span,
        index: r.index,
        label: r.label(),
        named_on: None,
        caveats: Vec::new(),
        action_word,
    })
}

//! Kubernetes NetworkPolicy, every generation, into the `NetworkPolicy` tier.
//!
//! - A policy applies to the pods of its namespace its podSelector matches (never a
//!   hostNetwork pod), in the directions its effective policyTypes name; it isolates them
//!   there (per-pod isolation, Kubernetes 1.7+). Each rule is an `Allow` of its peers on its
//!   ports; the tier ends in Deny, so rules add up and the rest is denied.
//! - A peer is one term: `ipBlock` (its cidr minus its excepts, pods by their IPs included),
//!   or the pods matching `podSelector` in the namespaces matching `namespaceSelector` (the
//!   policy's own namespace without it), never hostNetwork pods. No (or an empty) `from`/`to`
//!   is every party; no (or empty) `ports` every port.
//! - The alpha API (net.alpha.kubernetes.io) and the 1.3–1.6 annotation model isolate per
//!   namespace: the namespace's annotation becomes an isolating policy without rules
//!   ([`Source::NamespaceIsolation`]), and a policy's rules count only in such a namespace,
//!   without isolating by themselves.

use ipnet::IpNet;

use super::super::{
    Action, Cond, Match, Policy, PolicyDir, PortItem, PortKind, PortMatch, Precedence, Rule,
    Source, Term, Test,
};
use crate::base::value::IntOrString;
use crate::model::ip::parse_cidr;
use crate::model::policy::{Peer, PolicyPort};
use crate::model::selector::{Expr, Scope};
use crate::model::{Cluster, Direction, LabelSelector, NetworkPolicy};

/// The policies of the NetworkPolicy tier: namespace isolation first, then the applied
/// NetworkPolicies in input order.
pub fn network_policies(cluster: &Cluster) -> Vec<Policy> {
    let mut out = Vec::new();
    for (id, ns) in cluster.namespaces.iter().enumerate() {
        let id = id as u32;
        let dirs = Direction::BOTH.map(|d| PolicyDir {
            applies: cluster.namespace_isolates(id, d),
            isolates: cluster.namespace_isolates(id, d),
            rules: Vec::new(),
        });
        if dirs.iter().any(|d| d.applies) {
            let span = ns.span.unwrap_or_default();
            out.push(Policy {
                source: Source::NamespaceIsolation(id),
                tier: 0,
                name: ns.name.clone(),
                kind: "namespace isolation annotation",
                precedence: None,
                precedence_key: Precedence::Unordered,
                name_span: ns.name_span.unwrap_or(span),
                span: ns.span,
                subject: Match::Any(vec![Term {
                    label: "namespace".into(),
                    span,
                    conds: vec![
                        pod_network(span),
                        Cond::new(
                            Test::Namespace(ns.name.clone()),
                            format!("namespace {}", ns.name),
                            span,
                        ),
                    ],
                }]),
                dirs,
            });
        }
    }
    for (idx, p) in cluster.applied_policies() {
        out.push(policy(cluster, Source::NetworkPolicy(idx), p));
    }
    out
}

/// One NetworkPolicy (of the input, or staged by Calico) as a policy of the model.
pub fn policy(cluster: &Cluster, source: Source, p: &NetworkPolicy) -> Policy {
    let dirs = Direction::BOTH.map(|d| {
        let active = cluster.policy_active(p, d);
        let isolates = cluster.policy_isolates(p, d);
        PolicyDir {
            applies: active || isolates,
            isolates,
            rules: if active { rules(p, d) } else { Vec::new() },
        }
    });
    Policy {
        source,
        tier: 0,
        name: p.id(),
        kind: "NetworkPolicy",
        precedence: None,
        precedence_key: Precedence::Unordered,
        name_span: p.name_span,
        span: Some(p.span),
        subject: Match::Any(vec![Term {
            label: "podSelector".into(),
            span: p.pod_selector.span,
            conds: vec![
                pod_network(p.pod_selector.span),
                Cond::new(
                    Test::Namespace(p.namespace.clone()),
                    format!("namespace {}", p.namespace),
                    p.span,
                ),
                selector_cond("podSelector", &p.pod_selector, Scope::Own),
            ],
        }]),
        dirs,
    }
}

/// The condition that the party is on the pod network (label selectors see nothing else).
pub fn pod_network(span: crate::base::span::Span) -> Cond {
    Cond::new(Test::PodNetwork, "a pod on the pod network", span)
}

/// A Kubernetes label selector as a condition on the labels of `scope`.
pub fn selector_cond(field: &str, sel: &LabelSelector, scope: Scope) -> Cond {
    use std::fmt::Write as _;
    // The requirements once, for the test and its text (`podSelector {app=web}`, as the
    // selector's Display writes it): lowering every policy of a dump spends its time here.
    let reqs = sel.requirements();
    let mut what = String::with_capacity(field.len() + 2 + 16 * reqs.len());
    what.push_str(field);
    what.push_str(" {");
    for (i, r) in reqs.iter().enumerate() {
        if i > 0 {
            what.push_str(", ");
        }
        let _ = write!(what, "{r}");
    }
    what.push('}');
    Cond::new(
        Test::Selector {
            expr: Expr::from_requirements(scope, &reqs),
            network_sets: false,
        },
        what,
        sel.span,
    )
}

fn rules(p: &NetworkPolicy, d: Direction) -> Vec<Rule> {
    p.rules(d)
        .iter()
        .map(|r| Rule {
            action: Action::Allow,
            peer: rule_peer(p, r),
            local: None,
            ports: if r.all_ports() {
                PortMatch::All
            } else {
                PortMatch::Any(r.port_list().iter().map(port_item).collect())
            },
            span: r.span,
            index: r.index,
            label: r.label(),
            named_on: None,
            caveats: Vec::new(),
            action_word: "Allow",
        })
        .collect()
}

/// The peers of a rule of `p`: every party without `from`/`to` (or with an empty list), else
/// one term per peer.
pub fn rule_peer(p: &NetworkPolicy, r: &crate::model::Rule) -> Match {
    if r.all_peers() {
        Match::All
    } else {
        Match::Any(
            r.peer_list()
                .iter()
                .map(|peer| peer_term(p, peer, r.direction))
                .collect(),
        )
    }
}

/// One peer of a rule of `p`, as a term.
pub fn peer_term(p: &NetworkPolicy, peer: &Peer, d: Direction) -> Term {
    let label = format!("{}[{}]", d.peers_field(), peer.index);
    if let Some(b) = &peer.ip_block {
        let nets: Vec<IpNet> = parse_cidr(&b.cidr).ok().into_iter().collect();
        return Term {
            label,
            span: peer.span,
            conds: vec![Cond::new(
                Test::Nets {
                    nets,
                    except: b.except_nets(),
                },
                format!("ipBlock {}", b.describe()),
                b.span,
            )],
        };
    }
    let mut conds = vec![pod_network(peer.span)];
    match &peer.namespace_selector {
        Some(sel) => conds.push(selector_cond("namespaceSelector", sel, Scope::Namespace)),
        None => conds.push(Cond::new(
            Test::Namespace(p.namespace.clone()),
            format!("the policy's namespace {}", p.namespace),
            peer.span,
        )),
    }
    if let Some(sel) = &peer.pod_selector {
        conds.push(selector_cond("podSelector", sel, Scope::Own));
    }
    Term {
        label,
        span: peer.span,
        conds,
    }
}

fn port_item(pp: &PolicyPort) -> PortItem {
    let kind = match pp.protocol() {
        None => PortKind::Nothing(format!("protocol {}", pp.describe())),
        Some(proto) => match pp.port.as_ref().map(|p| &p.value) {
            None => PortKind::Range(proto, 1, 65535),
            Some(IntOrString::Int(n)) => {
                let end = pp.end_port.as_ref().map_or(*n, |e| e.value);
                match (u16::try_from(*n), u16::try_from(end)) {
                    (Ok(a), Ok(b)) => PortKind::Range(proto, a, b),
                    _ => PortKind::Nothing(pp.describe()),
                }
            }
            Some(IntOrString::Str(name)) => PortKind::Named(name.clone(), Some(proto)),
        },
    };
    PortItem {
        kind,
        span: pp.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::{Span, Spanned};
    use crate::model::labels::Expression;

    fn s(v: &str) -> Spanned<String> {
        Spanned::new(v.to_string(), Span::default())
    }

    #[test]
    fn a_selector_condition_reads_as_the_selector_displays() {
        let exprs = |items: &[(&str, &str, &[&str])]| {
            items
                .iter()
                .map(|(k, op, vs)| Expression {
                    span: Span::default(),
                    key: s(k),
                    operator: s(op),
                    values: vs.iter().map(|v| s(v)).collect(),
                    values_span: None,
                })
                .collect()
        };
        let sel = |match_labels, match_expressions| LabelSelector {
            span: Span::default(),
            match_labels,
            match_expressions,
        };
        let selectors = [
            sel(Vec::new(), Vec::new()),
            sel(
                vec![(s("app"), s("web")), (s("tier"), s("front"))],
                Vec::new(),
            ),
            sel(
                vec![(s("app"), s("web"))],
                exprs(&[
                    ("env", "In", &["prod", "dev"]),
                    ("legacy", "DoesNotExist", &[]),
                    ("team", "NotIn", &["x"]),
                ]),
            ),
        ];
        for sel in selectors {
            let c = selector_cond("podSelector", &sel, Scope::Own);
            assert_eq!(c.what, format!("podSelector {sel}"));
        }
    }
}

//! Containment decided from the policies themselves, for any cluster: does every party one
//! match of the policy model holds, another hold too? Do a rule's ports lie within another's?
//! The analysis behind `shadowed-rule` and `duplicate-rule`, for every policy API.
//!
//! These answers are sound but not complete: "contained" is only said when it holds for every
//! possible set of pods, namespaces, labels and addresses; a containment that holds only
//! because of the particular objects loaded is left to the cluster-dependent redundancy
//! analysis ([`crate::lint::redundancy`]).
//!
//! A term (a conjunction of conditions) is within another when each condition of the other
//! follows from its own. Selectors are compared as requirements per scope, where they are
//! conjunctions of simple comparisons (every Kubernetes selector, most Calico ones);
//! implication (every label set that satisfies `b` satisfies `a`) is decided per requirement
//! of `a`, looking for evidence in `b`:
//! - `k In A`      ⇐ `k In B` with B ⊆ A;
//! - `k NotIn A`   ⇐ `k In B` with B ∩ A = ∅, or `k NotIn B` with B ⊇ A, or `k DoesNotExist`;
//! - `k Exists`    ⇐ `k In B` or `k Exists`;
//! - `k DoesNotExist` ⇐ `k DoesNotExist`.
//!
//! Other selectors are only within an identical one. Address conditions compare as ranges.

use crate::model::NAMESPACE_NAME_LABEL;
use crate::model::ip::AddrRange;
use crate::model::ir::{Cond, Match, PortKind, PortMatch, Term, Test};
use crate::model::labels::{Operator, Requirement};
use crate::model::selector::{Expr, Scope};

/// Whether every label set that satisfies `b` satisfies `a`.
pub fn implies(b: &[Requirement], a: &[Requirement]) -> bool {
    a.iter().all(|ra| {
        b.iter().any(|rb| {
            rb.key == ra.key
                && match (ra.op, rb.op) {
                    (Operator::In, Operator::In) => rb.values.iter().all(|v| ra.values.contains(v)),
                    (Operator::NotIn, Operator::In) => {
                        rb.values.iter().all(|v| !ra.values.contains(v))
                    }
                    (Operator::NotIn, Operator::NotIn) => {
                        ra.values.iter().all(|v| rb.values.contains(v))
                    }
                    (Operator::NotIn, Operator::DoesNotExist) => true,
                    (Operator::Exists, Operator::In | Operator::Exists) => true,
                    (Operator::DoesNotExist, Operator::DoesNotExist) => true,
                    _ => false,
                }
        })
    })
}

/// Whether every party `a` holds, `b` holds too, for any cluster.
pub fn match_within(a: &Match, b: &Match) -> bool {
    match (a, b) {
        (_, Match::All) => true,
        (Match::All, Match::Any(_)) => false,
        (Match::Any(ta), Match::Any(tb)) => ta
            .iter()
            .all(|t| tb.iter().any(|u| term_within(&t.conds, &u.conds))),
    }
}

/// The terms of `a` AND `b`: every pair of terms, their conditions together.
pub fn conjoin(a: &Match, b: Option<&Match>) -> Match {
    match (a, b) {
        (_, None) | (_, Some(Match::All)) => a.clone(),
        (Match::All, Some(b)) => b.clone(),
        (Match::Any(ta), Some(Match::Any(tb))) => Match::Any(
            ta.iter()
                .flat_map(|t| {
                    tb.iter().map(move |u| Term {
                        label: t.label.clone(),
                        span: t.span,
                        conds: t.conds.iter().chain(&u.conds).cloned().collect(),
                    })
                })
                .collect(),
        ),
    }
}

/// Whether the conditions `a` imply every condition of `b`.
pub fn term_within(a: &[Cond], b: &[Cond]) -> bool {
    b.iter().all(|cb| implied(a, cb))
}

/// The requirements of `a`'s positive selectors on one scope, with a namespace condition as
/// the namespace's name label; None when one of them is not in requirement form.
fn requirements(a: &[Cond], scope: Scope, network_sets: bool) -> Option<Vec<Requirement>> {
    let mut out = Vec::new();
    for c in a.iter().filter(|c| !c.negated) {
        match &c.test {
            Test::Selector {
                expr,
                network_sets: ns,
            } if (*ns == network_sets || !*ns) && expr.scopes().contains(&scope) => {
                out.extend(expr.requirements(scope)?);
            }
            Test::Namespace(n) if scope == Scope::Namespace => out.push(Requirement {
                key: NAMESPACE_NAME_LABEL.into(),
                op: Operator::In,
                values: vec![n.clone()],
                span: Default::default(),
            }),
            _ => {}
        }
    }
    Some(out)
}

/// Whether a condition follows from the conditions `a`.
fn implied(a: &[Cond], cb: &Cond) -> bool {
    // The same test, however written (its text and place do not change what it holds).
    if a.iter()
        .any(|c| c.negated == cb.negated && c.test == cb.test)
    {
        return true;
    }
    let positive = |f: &dyn Fn(&Test) -> bool| a.iter().any(|c| !c.negated && f(&c.test));
    // Selectors and namespaces only hold for pods on the pod network.
    let pods_only = positive(&|t| {
        matches!(
            t,
            Test::PodNetwork
                | Test::Selector {
                    network_sets: false,
                    ..
                }
        )
    });
    match (&cb.test, cb.negated) {
        (Test::PodNetwork, false) => pods_only,
        (Test::Namespace(n), false) => requirements(a, Scope::Namespace, false).is_some_and(|r| {
            implies(
                &r,
                &[Requirement {
                    key: NAMESPACE_NAME_LABEL.into(),
                    op: Operator::In,
                    values: vec![n.clone()],
                    span: Default::default(),
                }],
            )
        }),
        (Test::Selector { expr, network_sets }, false) => {
            // Parties a Calico selector holds through network sets are not pods: `a` must
            // not hold such parties unless `b` does too.
            let carriers_ok = *network_sets
                || !positive(&|t| {
                    matches!(
                        t,
                        Test::Selector {
                            network_sets: true,
                            ..
                        }
                    )
                }) && pods_only;
            if !carriers_ok {
                return false;
            }
            if expr.is_all() {
                return pods_only || *network_sets;
            }
            let scopes = expr.scopes();
            scopes.iter().all(|&scope| {
                let (Some(need), Some(have)) = (
                    expr.requirements(scope),
                    requirements(a, scope, *network_sets),
                ) else {
                    return false;
                };
                implies(&have, &need)
            }) && !scopes.is_empty()
        }
        (Test::Nets { nets, except }, false) => a.iter().any(|c| match (&c.test, c.negated) {
            (
                Test::Nets {
                    nets: n2,
                    except: e2,
                },
                false,
            ) => nets_within(n2, e2, nets, except),
            _ => false,
        }),
        (Test::Nets { nets, except }, true) if except.is_empty() => {
            a.iter().any(|c| match (&c.test, c.negated) {
                // A negated net: `a`'s addresses all lie outside it...
                (
                    Test::Nets {
                        nets: n2,
                        except: e2,
                    },
                    false,
                ) => nets.iter().all(|x| {
                    let x = AddrRange::from_net(x);
                    n2.iter().all(|y| {
                        let y = AddrRange::from_net(y);
                        !overlap(&x, &y)
                            || e2
                                .iter()
                                .any(|e| AddrRange::from_net(e).covers(&intersection(&x, &y)))
                    })
                }),
                // ...or `a` excludes a wider one.
                (
                    Test::Nets {
                        nets: n2,
                        except: e2,
                    },
                    true,
                ) if e2.is_empty() => nets.iter().all(|x| {
                    n2.iter()
                        .any(|y| AddrRange::from_net(y).covers(&AddrRange::from_net(x)))
                }),
                _ => false,
            })
        }
        (Test::Nodes(eb), false) => a.iter().any(|c| match (&c.test, c.negated) {
            (Test::Nodes(ea), false) => selector_implies(ea, eb),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether every carrier `a` holds satisfies `b` (both on their own labels).
fn selector_implies(a: &Expr, b: &Expr) -> bool {
    match (a.requirements(Scope::Own), b.requirements(Scope::Own)) {
        (Some(ra), Some(rb)) => implies(&ra, &rb),
        _ => a == b,
    }
}

fn overlap(x: &AddrRange, y: &AddrRange) -> bool {
    x.family == y.family && x.start <= y.end && y.start <= x.end
}

fn intersection(x: &AddrRange, y: &AddrRange) -> AddrRange {
    AddrRange {
        family: x.family,
        start: x.start.max(y.start),
        end: x.end.min(y.end),
    }
}

/// Whether the addresses of `n1` minus `e1` all lie in `n2` minus `e2`.
pub fn nets_within(
    n1: &[ipnet::IpNet],
    e1: &[ipnet::IpNet],
    n2: &[ipnet::IpNet],
    e2: &[ipnet::IpNet],
) -> bool {
    let ex1: Vec<AddrRange> = e1.iter().map(AddrRange::from_net).collect();
    n1.iter().map(AddrRange::from_net).all(|r1| {
        n2.iter().map(AddrRange::from_net).any(|r2| {
            r2.covers(&r1)
                // Every part of r1 that n2 excepts must be excepted by n1 as well.
                && e2.iter().map(AddrRange::from_net).all(|x| {
                    !overlap(&x, &r1) || ex1.iter().any(|e| e.covers(&intersection(&x, &r1)))
                })
        })
    })
}

/// Whether every port `a` holds, `b` holds, on any destination: numbers against numbers, a
/// named port against the same name (and a protocol it allows) or against every port of its
/// protocol.
pub fn ports_within(a: &PortMatch, b: &PortMatch) -> bool {
    if matches!(b, PortMatch::All) {
        return true;
    }
    if !a.is_named() && !b.is_named() {
        return b.resolve(None).contains_set(&a.resolve(None));
    }
    let (PortMatch::Any(ia), PortMatch::Any(ib)) = (a, b) else {
        return a == b;
    };
    let numeric = b.resolve(None);
    ia.iter().all(|i| match &i.kind {
        PortKind::Named(name, proto) => {
            let all = match proto {
                Some(p) => numeric.is_all_of(*p),
                None => numeric.is_all(),
            };
            all || ib.iter().any(|j| match &j.kind {
                PortKind::Named(n2, p2) => n2 == name && (p2.is_none() || p2 == proto),
                _ => false,
            })
        }
        k => numeric.contains_set(&k.resolve(None)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::{Span, Spanned};
    use crate::model::ir::lower::kubernetes::peer_term;
    use crate::model::policy::{IpBlock, Peer, PolicyApi};
    use crate::model::{Direction, LabelSelector, Labels, NetworkPolicy};

    /// Whether peer `p1` of a policy in `ns1` is within peer `p2` of a policy in `ns2`.
    fn peer_within(p1: &Peer, ns1: &str, p2: &Peer, ns2: &str) -> bool {
        let policy = |ns: &str| NetworkPolicy {
            namespace: ns.into(),
            name: "p".into(),
            span: Span::default(),
            name_span: Span::default(),
            api: PolicyApi::V1,
            api_version: Spanned::new("networking.k8s.io/v1".into(), Span::default()),
            annotations: Labels::default(),
            pod_selector: LabelSelector::everything(Span::default()),
            policy_types: None,
            ingress: None,
            egress: None,
        };
        let t1 = peer_term(&policy(ns1), p1, Direction::Ingress);
        let t2 = peer_term(&policy(ns2), p2, Direction::Ingress);
        term_within(&t1.conds, &t2.conds)
    }

    fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            op,
            values: values.iter().map(|s| s.to_string()).collect(),
            span: Span::default(),
        }
    }

    #[test]
    fn selector_implication_per_operator() {
        use Operator::*;
        let web = [req("app", In, &["web"])];
        assert!(implies(&web, &[req("app", In, &["web", "api"])]));
        assert!(!implies(
            &[req("app", In, &["web", "db"])],
            &[req("app", In, &["web", "api"])]
        ));
        assert!(implies(&web, &[req("app", NotIn, &["db"])]));
        assert!(!implies(&web, &[req("app", NotIn, &["web"])]));
        assert!(implies(
            &[req("app", NotIn, &["db", "x"])],
            &[req("app", NotIn, &["db"])]
        ));
        assert!(implies(
            &[req("app", DoesNotExist, &[])],
            &[req("app", NotIn, &["db"])]
        ));
        assert!(implies(&web, &[req("app", Exists, &[])]));
        assert!(
            !implies(&[req("app", NotIn, &["x"])], &[req("app", Exists, &[])]),
            "NotIn holds without the key"
        );
        assert!(implies(&web, &[]), "everything implies the empty selector");
        assert!(!implies(&[], &web));
        assert!(
            implies(&[req("app", In, &["web"]), req("tier", In, &["fe"])], &web),
            "more requirements select fewer pods"
        );
    }

    fn peer(
        ns: Option<&[(&str, &str)]>,
        pod: Option<&[(&str, &str)]>,
        block: Option<(&str, &[&str])>,
    ) -> Peer {
        let sp = Span::default();
        Peer {
            span: sp,
            index: 0,
            namespace_selector: ns.map(|l| LabelSelector::from_labels(sp, l)),
            pod_selector: pod.map(|l| LabelSelector::from_labels(sp, l)),
            ip_block: block.map(|(c, ex)| IpBlock {
                span: sp,
                cidr: Spanned::new(c.into(), sp),
                except: ex.iter().map(|e| Spanned::new(e.to_string(), sp)).collect(),
            }),
        }
    }

    #[test]
    fn pod_selector_alone_is_within_its_namespace_but_not_others() {
        let own = peer(None, Some(&[("app", "web")]), None);
        let all_in_ns = peer(None, None, None);
        let ns_label = peer(Some(&[(NAMESPACE_NAME_LABEL, "shop")]), None, None);
        let every_ns = peer(Some(&[]), None, None);
        assert!(
            peer_within(&own, "shop", &ns_label, "other"),
            "shop's pods are in the namespace named shop"
        );
        assert!(peer_within(&own, "shop", &every_ns, "other"));
        assert!(!peer_within(&own, "shop", &all_in_ns, "other"));
        assert!(peer_within(&own, "shop", &own, "shop"));
        assert!(!peer_within(&every_ns, "shop", &own, "shop"));
    }

    #[test]
    fn and_peer_is_within_either_half() {
        let both = peer(Some(&[("team", "x")]), Some(&[("app", "web")]), None);
        let ns_only = peer(Some(&[("team", "x")]), None, None);
        assert!(peer_within(&both, "a", &ns_only, "a"));
        assert!(!peer_within(&ns_only, "a", &both, "a"));
    }

    #[test]
    fn ip_blocks_compare_with_their_excepts() {
        let wide = peer(None, None, Some(("10.0.0.0/8", &["10.1.0.0/16"])));
        let narrow = peer(None, None, Some(("10.2.0.0/16", &[])));
        let overlapping = peer(None, None, Some(("10.0.0.0/12", &[])));
        let excepting = peer(None, None, Some(("10.0.0.0/12", &["10.0.0.0/15"])));
        assert!(peer_within(&narrow, "a", &wide, "a"));
        assert!(
            !peer_within(&overlapping, "a", &wide, "a"),
            "10.1/16 is in the /12 but excepted by wide"
        );
        assert!(
            peer_within(&excepting, "a", &wide, "a"),
            "its except 10.0/15 covers the overlap with 10.1/16"
        );
        assert!(
            !peer_within(&narrow, "a", &peer(None, None, None), "a"),
            "an ipBlock is never within a selector"
        );
    }
}

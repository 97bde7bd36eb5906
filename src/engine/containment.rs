//! Containment decided from the policies themselves, for any cluster: does every pod one
//! selector matches also match another? Does a rule allow only what another rule allows?
//!
//! These answers are sound but not complete: "contained" is only said when it holds for every
//! possible set of pods, namespaces and labels; a containment that holds only because of
//! the particular objects loaded is left to the cluster-dependent redundancy analysis.
//!
//! Selector implication (every label set satisfying `b` satisfies `a`) is decided per
//! requirement of `a`, looking for evidence in `b`:
//! - `k In A`      ⇐ `k In B` with B ⊆ A;
//! - `k NotIn A`   ⇐ `k In B` with B ∩ A = ∅, or `k NotIn B` with B ⊇ A, or `k DoesNotExist`;
//! - `k Exists`    ⇐ `k In B` or `k Exists`;
//! - `k DoesNotExist` ⇐ `k DoesNotExist`.

use crate::model::NAMESPACE_NAME_LABEL;
use crate::model::cluster_policy::{
    ClusterPeer, ClusterPeerKind, ClusterPortKind, ClusterRule, ClusterSubject,
};
use crate::model::ip::AddrRange;
use crate::model::ip::parse_cidr;
use crate::model::labels::{LabelSelector, Operator, Requirement};
use crate::model::policy::{IpBlock, Peer};
use crate::model::{PortSet, Rule};

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

/// Whether every pod `b` selects, `a` selects too.
pub fn selector_within(b: &LabelSelector, a: &LabelSelector) -> bool {
    implies(&b.requirements(), &a.requirements())
}

fn namespace_is(ns: &str) -> Vec<Requirement> {
    vec![Requirement {
        key: NAMESPACE_NAME_LABEL.into(),
        op: Operator::In,
        values: vec![ns.into()],
        span: Default::default(),
    }]
}

/// The namespaces a selector peer covers: its namespaceSelector, or the policy's namespace.
fn namespace_requirements(peer: &Peer, policy_ns: &str) -> Vec<Requirement> {
    match &peer.namespace_selector {
        Some(sel) => sel.requirements(),
        None => namespace_is(policy_ns),
    }
}

/// Whether everything peer `p1` (of a policy in `ns1`) matches, peer `p2` (of a policy in
/// `ns2`) matches too.
pub fn peer_within(p1: &Peer, ns1: &str, p2: &Peer, ns2: &str) -> bool {
    match (&p1.ip_block, &p2.ip_block) {
        (Some(b1), Some(b2)) => block_within(b1, b2),
        (None, None) => {
            let namespaces = implies(
                &namespace_requirements(p1, ns1),
                &namespace_requirements(p2, ns2),
            );
            let pods = match (&p1.pod_selector, &p2.pod_selector) {
                (_, None) => true,
                (Some(s1), Some(s2)) => selector_within(s1, s2),
                (None, Some(s2)) => s2.is_empty(),
            };
            namespaces && pods
        }
        // A selector never covers addresses outside the cluster, and an ipBlock never covers
        // pods whose IPs are unknown: neither holds for every cluster.
        _ => false,
    }
}

/// Whether the addresses of `b1` (cidr minus excepts) all lie in `b2`.
pub fn block_within(b1: &IpBlock, b2: &IpBlock) -> bool {
    let (Some(n1), Some(n2)) = (b1.net(), b2.net()) else {
        return false;
    };
    let (r1, r2) = (AddrRange::from_net(&n1), AddrRange::from_net(&n2));
    if !r2.covers(&r1) {
        return false;
    }
    let ex1: Vec<AddrRange> = b1.except_nets().iter().map(AddrRange::from_net).collect();
    // Every part of r1 that b2 excepts must be excepted by b1 as well.
    b2.except_nets().iter().map(AddrRange::from_net).all(|e2| {
        let start = e2.start.max(r1.start);
        let end = e2.end.min(r1.end);
        if e2.family != r1.family || start > end {
            return true;
        }
        let overlap = AddrRange {
            family: e2.family,
            start,
            end,
        };
        ex1.iter().any(|e1| e1.covers(&overlap))
    })
}

/// Whether every peer rule `r1` (of a policy in `ns1`) matches, `r2` (in `ns2`) matches.
pub fn peers_within(r1: &Rule, ns1: &str, r2: &Rule, ns2: &str) -> bool {
    if r2.all_peers() {
        return true;
    }
    if r1.all_peers() {
        return false;
    }
    r1.peer_list().iter().all(|p1| {
        r2.peer_list()
            .iter()
            .any(|p2| peer_within(p1, ns1, p2, ns2))
    })
}

/// Whether every port `r1` allows, `r2` allows, on any destination: numbers against numbers,
/// a named port against the same name and protocol or against every port of its protocol.
pub fn ports_within(r1: &Rule, r2: &Rule) -> bool {
    if r2.all_ports() {
        return true;
    }
    if r1.all_ports() {
        return false;
    }
    let mut numeric = PortSet::none();
    for q in r2.port_list().iter().filter(|q| q.name().is_none()) {
        numeric.union_with(&q.ports_on(None));
    }
    r1.port_list()
        .iter()
        .all(|q1| match (q1.name(), q1.protocol()) {
            (_, None) => true,
            (Some(name), Some(proto)) => {
                numeric.is_all_of(proto)
                    || r2
                        .port_list()
                        .iter()
                        .any(|q2| q2.name() == Some(name) && q2.protocol() == Some(proto))
            }
            (None, Some(_)) => numeric.contains_set(&q1.ports_on(None)),
        })
}

/// Whether rule `r1` of a policy in `ns1` allows nothing that `r2` of a policy in `ns2` does
/// not (peers and ports; which pods the policies select is the caller's concern).
pub fn rule_within(r1: &Rule, ns1: &str, r2: &Rule, ns2: &str) -> bool {
    r1.direction == r2.direction && ports_within(r1, r2) && peers_within(r1, ns1, r2, ns2)
}

/// Whether every pod the subject `b` selects, subject `a` selects.
pub fn subject_within(b: &ClusterSubject, a: &ClusterSubject) -> bool {
    selector_within(&b.namespace_selector, &a.namespace_selector)
        && match (&b.pod_selector, &a.pod_selector) {
            (_, None) => true,
            (Some(pb), Some(pa)) => selector_within(pb, pa),
            (None, Some(pa)) => pa.is_empty(),
        }
}

/// Whether everything cluster peer `p1` matches, `p2` matches (for any cluster).
pub fn cluster_peer_within(p1: &ClusterPeer, p2: &ClusterPeer) -> bool {
    use ClusterPeerKind::*;
    match (&p1.kind, &p2.kind) {
        (Namespaces(a), Namespaces(b)) => selector_within(a, b),
        (
            Pods {
                namespace_selector: na,
                ..
            },
            Namespaces(b),
        ) => selector_within(na, b),
        (
            Pods {
                namespace_selector: na,
                pod_selector: pa,
            },
            Pods {
                namespace_selector: nb,
                pod_selector: pb,
            },
        ) => selector_within(na, nb) && selector_within(pa, pb),
        (
            Namespaces(a),
            Pods {
                namespace_selector: nb,
                pod_selector: pb,
            },
        ) => selector_within(a, nb) && pb.is_empty(),
        (Nodes(a), Nodes(b)) => selector_within(a, b),
        (Networks(a), Networks(b)) => {
            let nets = |list: &Vec<crate::base::span::Spanned<String>>| -> Option<Vec<AddrRange>> {
                list.iter()
                    .map(|c| parse_cidr(c).ok().map(|n| AddrRange::from_net(&n)))
                    .collect()
            };
            match (nets(a), nets(b)) {
                (Some(a), Some(b)) => a.iter().all(|x| b.iter().any(|y| y.covers(x))),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether every port cluster rule `r1` covers, `r2` covers, on any destination.
pub fn cluster_ports_within(r1: &ClusterRule, r2: &ClusterRule) -> bool {
    let Some(p2) = &r2.ports else { return true };
    let Some(p1) = &r1.ports else { return false };
    let numeric: PortSet = p2
        .value
        .iter()
        .filter(|p| !matches!(p.kind, ClusterPortKind::Named(_)))
        .fold(PortSet::none(), |acc, p| acc.union(&p.ports_on(None)));
    p1.value.iter().all(|q| match &q.kind {
        ClusterPortKind::Named(name) => {
            numeric.is_all()
                || p2
                    .value
                    .iter()
                    .any(|x| matches!(&x.kind, ClusterPortKind::Named(n) if n.value == name.value))
        }
        _ => numeric.contains_set(&q.ports_on(None)),
    })
}

/// Whether every (peer, port) cluster rule `r1` matches, `r2` matches.
pub fn cluster_rule_within(r1: &ClusterRule, r2: &ClusterRule) -> bool {
    r1.direction == r2.direction
        && cluster_ports_within(r1, r2)
        && r1
            .peers
            .iter()
            .all(|p1| r2.peers.iter().any(|p2| cluster_peer_within(p1, p2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::{Span, Spanned};

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

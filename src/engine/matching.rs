//! Whether a condition, term or match of the policy model holds for a party: the plain
//! statement of what selectors, nets and nodes mean, shared by the evaluator, the
//! explanations and the linter.
//!
//! - Label selectors see pods on the pod network only: never an address outside the
//!   cluster, never a hostNetwork pod (whose traffic carries its node's IP). A Calico selector
//!   also holds for an address (or a pod) whose IP lies in a network set it selects.
//! - Nets hold for addresses in a net and in no except: external addresses, and pods by
//!   their known IPs (as the upstream conformance tests expect, and as Calico does).
//! - Nodes hold for the addresses in the matching Nodes' status.

use std::net::IpAddr;

use super::Party;
use crate::model::ip::AddrRange;
use crate::model::ir::{Cond, Match, Source, Term, Test};
use crate::model::selector::{Carrier, Expr, Key, Scope};
use crate::model::{Cluster, Endpoint, Labels};

/// The outcome of a match for a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchResult {
    /// The match holds every party.
    All,
    /// This term holds (the first that does).
    Matched(usize),
    /// No term holds: for each, the first condition that fails.
    Missed(Vec<(usize, usize)>),
}

impl MatchResult {
    /// Whether the party is matched.
    pub fn holds(&self) -> bool {
        !matches!(self, MatchResult::Missed(_))
    }
}

/// A pod as a selector sees it: its labels, its namespace's, its service account's.
pub struct EndpointCarrier<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The pod.
    pub ep: &'a Endpoint,
}

impl Carrier for EndpointCarrier<'_> {
    fn label(&self, key: &Key) -> Option<&str> {
        match key.scope {
            Scope::Own => self.ep.labels.get(&key.name),
            Scope::Namespace => self.cluster.ns(self.ep.ns).labels.get(&key.name),
            Scope::ServiceAccount => None,
            Scope::Meta => (key.name == "projectcalico.org/orchestrator").then_some("k8s"),
        }
    }

    fn namespaced(&self) -> bool {
        true
    }
}

/// Labels alone as a carrier: a Node, or anything outside every namespace.
pub struct LabelCarrier<'a>(pub &'a Labels);

impl Carrier for LabelCarrier<'_> {
    fn label(&self, key: &Key) -> Option<&str> {
        match key.scope {
            Scope::Own => self.0.get(&key.name),
            _ => None,
        }
    }

    fn namespaced(&self) -> bool {
        false
    }
}

/// The addresses of a party (a pod's known IPs).
pub fn addresses(cluster: &Cluster, party: &Party) -> Vec<IpAddr> {
    match party {
        Party::Endpoint(i) => cluster.endpoints[*i].ips.clone(),
        Party::Address(ip) => vec![*ip],
    }
}

/// Whether a selector expression holds for a pod (on the pod network).
pub fn selects(cluster: &Cluster, expr: &Expr, ep: &Endpoint) -> bool {
    !ep.host_network && expr.matches(&EndpointCarrier { cluster, ep })
}

/// Whether the test holds for the party (ignoring the condition's negation).
pub fn test_holds(cluster: &Cluster, test: &Test, party: Party) -> bool {
    let endpoint = match party {
        Party::Endpoint(i) => Some(&cluster.endpoints[i]),
        Party::Address(_) => None,
    };
    match test {
        Test::PodNetwork => endpoint.is_some_and(|e| !e.host_network),
        Test::Namespace(ns) => endpoint.is_some_and(|e| e.namespace == *ns),
        Test::Selector { expr, .. } => endpoint.is_some_and(|e| selects(cluster, expr, e)),
        Test::Nets { nets, except } => addresses(cluster, &party).iter().any(|&ip| {
            nets.iter().any(|n| AddrRange::from_net(n).contains(ip))
                && !except.iter().any(|n| AddrRange::from_net(n).contains(ip))
        }),
        Test::Nodes(expr) => {
            let ips = addresses(cluster, &party);
            cluster
                .nodes
                .iter()
                .filter(|n| expr.matches(&LabelCarrier(&n.labels)))
                .any(|n| n.addresses.iter().any(|a| ips.contains(a)))
        }
    }
}

/// Whether the condition holds for the party.
pub fn cond_holds(cluster: &Cluster, cond: &Cond, party: Party) -> bool {
    test_holds(cluster, &cond.test, party) != cond.negated
}

/// The first condition of the term that fails for the party, if any.
pub fn term_fails(cluster: &Cluster, term: &Term, party: Party) -> Option<usize> {
    term.conds
        .iter()
        .position(|c| !cond_holds(cluster, c, party))
}

/// Whether the match holds for the party, and through which term (or why not).
pub fn match_result(cluster: &Cluster, m: &Match, party: Party) -> MatchResult {
    let Match::Any(terms) = m else {
        return MatchResult::All;
    };
    let mut misses = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        match term_fails(cluster, t, party) {
            None => return MatchResult::Matched(i),
            Some(c) => misses.push((i, c)),
        }
    }
    MatchResult::Missed(misses)
}

/// Whether the policy lowered from `source` applies to endpoint `ep` (false when it was not
/// lowered: not applied).
pub fn source_selects(cluster: &Cluster, source: Source, ep: usize) -> bool {
    cluster.ir.policy_of(source).is_some_and(|p| {
        matches(
            cluster,
            &cluster.ir.policies[p].subject,
            Party::Endpoint(ep),
        )
    })
}

/// Whether the match holds for the party.
pub fn matches(cluster: &Cluster, m: &Match, party: Party) -> bool {
    match m {
        Match::All => true,
        Match::Any(terms) => terms
            .iter()
            .any(|t| term_fails(cluster, t, party).is_none()),
    }
}

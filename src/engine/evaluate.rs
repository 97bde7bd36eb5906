//! The decision order, written once: the plain evaluator of the policy model
//! ([`crate::model::ir`]), one connection at a time, with no index and no cleverness. Its
//! trace is the explanation `can-reach` prints; the matrix engine is checked against it by
//! property tests.
//!
//! `src → dst` is allowed on a port iff egress at `src` allows it and ingress at `dst` allows
//! it; a pod reaching itself is always allowed (loopback never leaves the pod). An address
//! outside the cluster is never subject to policy. Each side, per port:
//! 1. the tiers in order; a tier where no policy applies to the endpoint in this direction is
//!    skipped;
//! 2. in a tier, the rules of the policies that apply to the endpoint, in order: the first
//!    rule whose peer, local condition and ports match decides the port — Allow and Deny for
//!    good, Pass sends it to the next tier; Log decides nothing;
//! 3. a port no rule decided meets the tier's end action if an isolating policy of the tier
//!    applies to the endpoint (Deny: denied; Pass: next tier), else goes on to the next tier;
//! 4. a port that leaves the last tier is allowed.

use super::Party;
use super::matching::{MatchResult, match_result, matches};
use crate::model::ir::{Action, EndAction, PolicyId, TierId};
use crate::model::{Cluster, ContainerPort, Direction, PortSet};

/// One side of a connection: what each tier did.
#[derive(Clone, Debug)]
pub struct Side {
    /// Egress (at the source) or ingress (at the destination).
    pub direction: Direction,
    /// The endpoint on this side (None: an address outside the cluster, never subject to
    /// policy).
    pub subject: Option<usize>,
    /// The tiers in which some policy applies to the subject, in order, until every port
    /// was decided.
    pub tiers: Vec<TierStep>,
    /// Ports that left every tier, allowed by default.
    pub defaulted: PortSet,
    /// The ports this side lets through.
    pub allowed: PortSet,
}

impl Side {
    /// Whether this side lets the port through (or, without one, some port).
    pub fn allows(&self, query: Option<(crate::model::Protocol, u16)>) -> bool {
        match query {
            Some((p, n)) => self.allowed.contains(p, n),
            None => !self.allowed.is_empty(),
        }
    }

    /// Whether an isolating policy of some tier applies to the subject.
    pub fn isolated(&self) -> bool {
        self.tiers.iter().any(|t| t.isolated)
    }
}

/// What one tier did for a side.
#[derive(Clone, Debug)]
pub struct TierStep {
    /// The tier.
    pub tier: TierId,
    /// The ports still undecided when the tier began.
    pub entered: PortSet,
    /// The policies applying to the subject, in order.
    pub policies: Vec<PolicyStep>,
    /// Whether an isolating policy among them applies, so that the end action applies.
    pub isolated: bool,
    /// The ports the rules allowed.
    pub allowed: PortSet,
    /// The ports the rules denied.
    pub denied: PortSet,
    /// The ports rules passed to the next tier.
    pub passed: PortSet,
    /// The ports no rule decided that the end action decided (denied by a Deny end, passed on
    /// by a Pass end).
    pub ended: PortSet,
    /// The ports that go on to the next tier (passed, and undecided ones the end action did
    /// not deny).
    pub left: PortSet,
}

/// A policy that applies to a side's subject, and what its rules did.
#[derive(Clone, Debug)]
pub struct PolicyStep {
    /// The policy.
    pub policy: PolicyId,
    /// Its rules of the direction, in order (Log rules included).
    pub rules: Vec<RuleStep>,
}

/// What one rule did.
#[derive(Clone, Debug)]
pub struct RuleStep {
    /// Index in its policy's rules of the direction.
    pub rule: usize,
    /// Whether its peer matches the other party, and how.
    pub peer: MatchResult,
    /// Whether its local condition holds for the subject (None: it has none).
    pub local: Option<MatchResult>,
    /// The ports it names, resolved on the destination.
    pub ports: PortSet,
    /// Whether its named ports resolve on the destination ([`crate::model::ir::Rule::named_on`]).
    pub named_here: bool,
    /// The ports it decided: matched, and undecided until then in the tier.
    pub decided: PortSet,
}

impl RuleStep {
    /// Whether its peer and local condition hold.
    pub fn matched(&self) -> bool {
        self.peer.holds() && self.local.as_ref().is_none_or(MatchResult::holds)
    }
}

/// A connection: both sides.
#[derive(Clone, Debug)]
pub struct Connection {
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The source is the destination pod: loopback, never subject to policy.
    pub loopback: bool,
    /// Egress at the source.
    pub egress: Side,
    /// Ingress at the destination.
    pub ingress: Side,
    /// The ports allowed end to end.
    pub allowed: PortSet,
}

/// The container ports of the destination (None for an address outside the cluster).
pub fn dst_ports(cluster: &Cluster, dst: Party) -> Option<&[ContainerPort]> {
    match dst {
        Party::Endpoint(d) => Some(&cluster.endpoints[d].ports),
        Party::Address(_) => None,
    }
}

/// Evaluates a connection.
pub fn connection(cluster: &Cluster, src: Party, dst: Party) -> Connection {
    let loopback = matches!((src, dst), (Party::Endpoint(a), Party::Endpoint(b))
        if a == b && cluster.endpoints[a].is_pod());
    let ports = dst_ports(cluster, dst);
    let egress = side(cluster, Direction::Egress, src, dst, ports);
    let ingress = side(cluster, Direction::Ingress, dst, src, ports);
    let allowed = if loopback {
        PortSet::all()
    } else {
        egress.allowed.intersect(&ingress.allowed)
    };
    Connection {
        src,
        dst,
        loopback,
        egress,
        ingress,
        allowed,
    }
}

/// The ports on which `src` may open connections to `dst`.
pub fn allowed_ports(cluster: &Cluster, src: Party, dst: Party) -> PortSet {
    connection(cluster, src, dst).allowed
}

/// One side: egress at `subject` towards `other`, or ingress at `subject` from `other`;
/// `dst_ports` are the destination's container ports, for named ports.
pub fn side(
    cluster: &Cluster,
    dir: Direction,
    subject: Party,
    other: Party,
    dst_ports: Option<&[ContainerPort]>,
) -> Side {
    let Party::Endpoint(s) = subject else {
        return Side {
            direction: dir,
            subject: None,
            tiers: Vec::new(),
            defaulted: PortSet::all(),
            allowed: PortSet::all(),
        };
    };
    let ir = &cluster.ir;
    let mut undecided = PortSet::all();
    let mut allowed = PortSet::none();
    let mut tiers = Vec::new();
    for (t, tier) in ir.tiers.iter().enumerate() {
        if undecided.is_empty() {
            break;
        }
        let mut step = TierStep {
            tier: t,
            entered: undecided.clone(),
            policies: Vec::new(),
            isolated: false,
            allowed: PortSet::none(),
            denied: PortSet::none(),
            passed: PortSet::none(),
            ended: PortSet::none(),
            left: PortSet::none(),
        };
        let mut open = undecided.clone();
        for (id, policy) in ir.tier_policies(t) {
            let part = policy.dir(dir);
            if !part.applies || !matches(cluster, &policy.subject, subject) {
                continue;
            }
            step.isolated |= part.isolates;
            let mut rules = Vec::with_capacity(part.rules.len());
            for (i, rule) in part.rules.iter().enumerate() {
                let dst = match dir {
                    Direction::Egress => other,
                    Direction::Ingress => subject,
                };
                let named_here = rule
                    .named_on
                    .as_ref()
                    .is_none_or(|m| matches(cluster, m, dst));
                let mut r = RuleStep {
                    rule: i,
                    peer: match_result(cluster, &rule.peer, other),
                    local: rule
                        .local
                        .as_ref()
                        .map(|l| match_result(cluster, l, subject)),
                    ports: rule.ports.resolve(dst_ports.filter(|_| named_here)),
                    named_here,
                    decided: PortSet::none(),
                };
                if r.matched() && rule.action != Action::Log {
                    r.decided = r.ports.intersect(&open);
                    open = open.difference(&r.ports);
                    match rule.action {
                        Action::Allow => step.allowed.union_with(&r.decided),
                        Action::Deny => step.denied.union_with(&r.decided),
                        Action::Pass => step.passed.union_with(&r.decided),
                        Action::Log => {}
                    }
                }
                rules.push(r);
            }
            step.policies.push(PolicyStep { policy: id, rules });
        }
        if step.policies.is_empty() {
            continue;
        }
        allowed.union_with(&step.allowed);
        if step.isolated {
            step.ended = open.clone();
            step.left = match tier.end {
                EndAction::Deny => step.passed.clone(),
                EndAction::Pass => step.passed.union(&open),
            };
        } else {
            step.left = step.passed.union(&open);
        }
        undecided = step.left.clone();
        tiers.push(step);
    }
    allowed.union_with(&undecided);
    Side {
        direction: dir,
        subject: Some(s),
        tiers,
        defaulted: undecided,
        allowed,
    }
}

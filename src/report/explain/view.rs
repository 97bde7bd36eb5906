//! What an explanation shows of one side, in order, whatever the output: the evaluator's
//! trace ([`crate::engine::evaluate::Side`]) read for one port (or all), decided once here and
//! rendered as text (`can-reach`, `check` notes) and in the HTML report.
//!
//! A tier whose rules only allow (Kubernetes NetworkPolicies) reads as isolation plus the
//! rules that allow — or, for a denied side, every rule and why it does not allow. A tier of
//! ordered rules reads as the rules that decided, in order, and the end of the tier.

use crate::engine::Party;
use crate::engine::evaluate::{PolicyStep, RuleStep, Side, TierStep};
use crate::engine::explain::{cond_missed, party_name, term_matched};
use crate::engine::matching::MatchResult;
use crate::model::ir::{Action, EndAction, Match, PolicyId, Source, TierKind};
use crate::model::ports::PortRange;
use crate::model::{Cluster, Direction, PortSet};

/// The ports asked about: one port (a range of one) or a range (None: every port).
pub type Query = Option<PortRange>;

/// Whether a set holds some port asked about (or, without a query, any port).
pub fn asked(set: &PortSet, q: Query) -> bool {
    match q {
        Some(r) => r.meets(set),
        None => !set.is_empty(),
    }
}

/// Whether a set holds every port asked about (or, without a query, some port): whether a
/// side or a connection is allowed.
pub fn allows(set: &PortSet, q: Query) -> bool {
    match q {
        Some(r) => r.within(set),
        None => !set.is_empty(),
    }
}

/// `TCP 80`, `TCP 8080-8090`, or `any port`.
pub fn query_text(q: Query) -> String {
    q.map_or("any port".into(), |r| r.to_string())
}

/// The ports of a set among those asked: `TCP 80` for one port, the part of a range
/// (`TCP 8080-8085`), or the whole set without a query.
pub fn asked_part(set: &PortSet, q: Query) -> String {
    match q {
        Some(r) if !r.is_single() => set.intersect(&r.set()).to_string(),
        Some(_) => query_text(q),
        None => set.to_string(),
    }
}

/// For a range only part of which a set holds: `allowed on TCP 8080-8085, denied on
/// 8086-8090`.
pub fn split_text(allowed: &PortSet, r: PortRange) -> String {
    let yes = allowed.intersect(&r.set());
    let no = r.set().difference(allowed);
    let numbers = |set: &PortSet| set.numbers(r.protocol);
    format!(
        "allowed on {} {}, denied on {}",
        r.protocol,
        numbers(&yes),
        numbers(&no)
    )
}

/// One thing an explanation says about a side.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A plain line.
    Note(String),
    /// Isolated for the direction by these policies (a namespace annotation among them).
    Isolated {
        /// `NetworkPolicy tier: ` when other tiers are shown too.
        prefix: String,
        /// The isolating policies.
        by: Vec<PolicyId>,
    },
    /// A policy with no rules for the direction: it allows nothing.
    Empty(PolicyId),
    /// A rule of a tier whose rules only allow.
    Allow {
        /// Its policy.
        policy: PolicyId,
        /// Its index in the policy's rules of the direction.
        rule: usize,
        /// How it stands.
        verdict: AllowVerdict,
    },
    /// A rule of an ordered tier that decided the port(s).
    Decided {
        /// The tier's name.
        tier: String,
        /// Its policy.
        policy: PolicyId,
        /// Its index in the policy's rules of the direction.
        rule: usize,
        /// The ports it decided (shown when no port was asked).
        ports: PortSet,
        /// Why its peer (and local condition) matched.
        why: String,
    },
    /// A policy of an ordered tier that applies but decided nothing asked.
    Undecided {
        /// The tier's name.
        tier: String,
        /// The policy.
        policy: PolicyId,
    },
    /// The end of a tier decided the port(s).
    End {
        /// The tier's name.
        tier: String,
        /// What it did.
        action: EndAction,
        /// The ports.
        ports: PortSet,
    },
}

/// How a rule of an allowing tier stands.
/// Why a rule's named ports did not resolve on a destination its peer matched.
const NAMED_ELSEWHERE: &str = "its named ports resolve only on pods its destination selector matches by their own labels, not through a network set's addresses";

#[derive(Clone, Debug, PartialEq)]
pub enum AllowVerdict {
    /// It allows the port(s): why its peer matched, and what it allows.
    Allows {
        /// Why.
        why: String,
        /// Its ports.
        ports: PortSet,
    },
    /// No peer matches: each peer and why not.
    Missed(Vec<Miss>),
    /// The peer matches, not the port.
    OtherPorts {
        /// Why the peer matched.
        why: String,
        /// What it allows instead (or why its ports resolve to nothing).
        instead: String,
    },
}

/// Why one peer (term) does not match.
#[derive(Clone, Debug, PartialEq)]
pub struct Miss {
    /// `from[0]`.
    pub label: String,
    /// Where it is written.
    pub span: crate::base::span::Span,
    /// Why.
    pub reason: String,
}

/// Whether a tier step reads as isolation plus allowing rules.
fn allowing(cluster: &Cluster, step: &TierStep, side: &Side) -> bool {
    let tier = &cluster.ir.tiers[step.tier];
    tier.kind == TierKind::NetworkPolicy
        && tier.end == EndAction::Deny
        && step.policies.iter().all(|ps| {
            cluster.ir.policies[ps.policy]
                .dir(side.direction)
                .rules
                .iter()
                .all(|r| r.action == Action::Allow)
        })
}

/// The items of one side.
pub fn side_items(cluster: &Cluster, side: &Side, other: Party, q: Query) -> Vec<Item> {
    let mut items = Vec::new();
    let Some(subject) = side.subject else {
        return items;
    };
    let ep = &cluster.endpoints[subject];
    let kube = !cluster.ir.calico;
    let several = side.tiers.len() > 1 || side.tiers.iter().any(|s| !allowing(cluster, s, side));
    let mut reaching = PortSet::all();
    let mut steps = side.tiers.iter().peekable();
    for (t, tier) in cluster.ir.tiers.iter().enumerate() {
        if !asked(&reaching, q) {
            if steps.peek().is_some() || (tier.kind == TierKind::NetworkPolicy && kube) {
                items.push(Note(format!(
                    "the tiers before decided {}: the {} tier is not consulted",
                    query_text(q),
                    tier.name
                )));
            }
            break;
        }
        match steps.next_if(|s| s.tier == t) {
            Some(step) => {
                if allowing(cluster, step, side) {
                    allowing_items(cluster, side, step, other, q, several, &mut items);
                } else {
                    ordered_items(cluster, side, step, other, q, &mut items);
                }
                reaching = step.left.clone();
            }
            None if tier.kind == TierKind::NetworkPolicy => {
                let prefix = if several {
                    format!("{} tier: ", tier.name)
                } else {
                    String::new()
                };
                items.push(Note(if ep.host_network {
                    format!(
                        "{prefix}not isolated: {} uses the host network, so no policy selects it",
                        ep.id()
                    )
                } else if kube {
                    format!(
                        "{prefix}not isolated: {}",
                        not_isolated(cluster, ep, side.direction)
                    )
                } else {
                    format!(
                        "{prefix}no policy applies to it for {}",
                        side.direction.as_str()
                    )
                }));
            }
            None => {}
        }
    }
    if !kube && asked(&side.defaulted, q) {
        items.push(Note(format!(
            "no tier decided {}: the namespace profile kns.{} allows it",
            asked_part(&side.defaulted, q),
            ep.namespace
        )));
    }
    items
}

use Item::Note;

/// Why an endpoint is not isolated in a direction, as the policies that could isolate it
/// are named for the cluster's plugin.
fn not_isolated(cluster: &Cluster, ep: &crate::model::Endpoint, dir: Direction) -> String {
    if cluster.cni == crate::model::Cni::Cilium {
        format!(
            "no NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy puts it in default deny for {} (a Cilium rule isolates the pods it selects when it has {} rules and does not say enableDefaultDeny: false)",
            dir.as_str(),
            match dir {
                Direction::Ingress => "ingress or ingressDeny",
                Direction::Egress => "egress or egressDeny",
            }
        )
    } else {
        format!(
            "no NetworkPolicy in namespace {} selects it for {}",
            ep.namespace,
            dir.as_str()
        )
    }
}

fn rule_matches(step: &RuleStep, q: Query) -> bool {
    step.matched() && asked(&step.ports, q)
}

fn allowing_items(
    cluster: &Cluster,
    side: &Side,
    step: &TierStep,
    other: Party,
    q: Query,
    several: bool,
    items: &mut Vec<Item>,
) {
    let dir = side.direction;
    let tier = &cluster.ir.tiers[step.tier];
    let ir = &cluster.ir;
    let ep = &cluster.endpoints[side.subject.expect("a side with tiers has a subject")];
    let allows = asked(&step.allowed, q);
    let prefix = if several {
        format!("{} tier: ", tier.name)
    } else {
        String::new()
    };
    let by: Vec<PolicyId> = step
        .policies
        .iter()
        .filter(|ps| ir.policies[ps.policy].dir(dir).isolates)
        .map(|ps| ps.policy)
        .collect();
    if by.is_empty() {
        items.push(Note(format!(
            "{prefix}not isolated: {}",
            not_isolated(cluster, ep, dir)
        )));
        return;
    }
    items.push(Item::Isolated { prefix, by });
    let policies: Vec<&PolicyStep> = step
        .policies
        .iter()
        .filter(|ps| !matches!(ir.policies[ps.policy].source, Source::NamespaceIsolation(_)))
        .collect();
    if policies.is_empty() && !allows {
        items.push(Note(format!(
            "no policy of namespace {} selecting it has {} rules: nothing is allowed",
            ep.namespace,
            dir.field()
        )));
    }
    for ps in policies {
        let rules = &ir.policies[ps.policy].dir(dir).rules;
        if rules.is_empty() {
            if !allows {
                items.push(Item::Empty(ps.policy));
            }
            continue;
        }
        for rs in &ps.rules {
            let rule = &rules[rs.rule];
            let rule_allows = rule_matches(rs, q);
            // For an allowed side, the rules that allow; for a denied one, every rule.
            if allows && !rule_allows {
                continue;
            }
            let verdict = match &rs.peer {
                MatchResult::Missed(misses) => AllowVerdict::Missed(
                    misses
                        .iter()
                        .map(|&(t, c)| {
                            let term = &rule.peer.terms()[t];
                            Miss {
                                label: term.label.clone(),
                                span: term.span,
                                reason: cond_missed(cluster, term, c, other),
                            }
                        })
                        .collect(),
                ),
                peer if rule_allows => AllowVerdict::Allows {
                    why: {
                        let mut why = peer_why(cluster, &rule.peer, peer, other, dir);
                        for c in &rule.caveats {
                            why.push_str(&format!(" (note: {c})"));
                        }
                        why
                    },
                    ports: rs.ports.clone(),
                },
                peer => AllowVerdict::OtherPorts {
                    why: {
                        let mut why = peer_why(cluster, &rule.peer, peer, other, dir);
                        if !rs.named_here && rule.ports.is_named() {
                            why.push_str(&format!(" (note: {})", NAMED_ELSEWHERE));
                        }
                        why
                    },
                    instead: if rs.ports.is_empty() {
                        format!(
                            "its ports ({}) resolve to nothing on this destination",
                            rule.ports
                        )
                    } else {
                        format!("it allows {}", rs.ports)
                    },
                },
            };
            items.push(Item::Allow {
                policy: ps.policy,
                rule: rs.rule,
                verdict,
            });
        }
    }
}

/// `from[0]: podSelector {app=web} matches a/web`, or `no `from`: every peer`.
fn peer_why(
    cluster: &Cluster,
    m: &Match,
    result: &MatchResult,
    other: Party,
    dir: crate::model::Direction,
) -> String {
    match result {
        MatchResult::All => format!("no `{}`: every peer", dir.peers_field()),
        MatchResult::Matched(t) => {
            let term = &m.terms()[*t];
            format!("{}: {}", term.label, term_matched(cluster, term, other))
        }
        MatchResult::Missed(_) => format!("no peer matches {}", party_name(cluster, other)),
    }
}

fn ordered_items(
    cluster: &Cluster,
    side: &Side,
    step: &TierStep,
    other: Party,
    q: Query,
    items: &mut Vec<Item>,
) {
    let dir = side.direction;
    let ir = &cluster.ir;
    let tier = &ir.tiers[step.tier];
    let subject = Party::Endpoint(side.subject.expect("a side with tiers has a subject"));
    // The ports asked about that no policy of the tier has decided yet.
    let mut open = q.map(|r| r.set());
    for ps in &step.policies {
        let rules = &ir.policies[ps.policy].dir(dir).rules;
        let decided: Vec<&RuleStep> = ps.rules.iter().filter(|r| asked(&r.decided, q)).collect();
        if decided.is_empty() {
            items.push(Item::Undecided {
                tier: tier.name.clone(),
                policy: ps.policy,
            });
            continue;
        }
        for rs in decided {
            if let Some(o) = &mut open {
                *o = o.difference(&rs.decided);
            }
            let rule = &rules[rs.rule];
            let mut why = peer_why(cluster, &rule.peer, &rs.peer, other, dir);
            if let (Some(local), Some(MatchResult::Matched(t))) = (&rule.local, &rs.local) {
                let term = &local.terms()[*t];
                why.push_str(&format!(
                    "; and {}: {}",
                    term.label,
                    term_matched(cluster, term, subject)
                ));
            }
            for c in &rule.caveats {
                why.push_str(&format!(" (note: {c})"));
            }
            if !rs.named_here && rule.ports.is_named() {
                why.push_str(&format!(" (note: {})", NAMED_ELSEWHERE));
            }
            items.push(Item::Decided {
                tier: tier.name.clone(),
                policy: ps.policy,
                rule: rs.rule,
                ports: rs.decided.clone(),
                why,
            });
        }
        if open.as_ref().is_some_and(PortSet::is_empty) {
            // The asked ports are decided: later policies of the tier are not consulted.
            return;
        }
    }
    if step.isolated
        && asked(&step.ended, q)
        && (tier.end == EndAction::Deny || tier.kind == TierKind::Calico)
    {
        items.push(Item::End {
            tier: tier.name.clone(),
            action: tier.end,
            ports: step.ended.clone(),
        });
    }
}

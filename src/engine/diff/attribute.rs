//! Which changes are responsible for a connection that changed.
//!
//! For each side of the connection (egress at the source, ingress at the destination) whose
//! allowed ports changed:
//! 1. a changed policy is named when its old and new versions, read on the same cluster, say
//!    something different about this side on the ports that changed (whether it applies and
//!    isolates, which of its rules match and what they do on which ports); an object that
//!    lowers into several policies of the model (a Cilium policy: a deny and an allow part
//!    per rule) is read part by part, the old version of a part against its new version, and
//!    named when one part says something different (a deny added or removed, an allow
//!    changed, `enableDefaultDeny` isolating the pod or not);
//! 2. a changed endpoint, namespace or Node is named when a policy, unchanged, says something
//!    different on the old and the new cluster on those ports: the subject's own labels (or
//!    namespace) when the policy's selection changed, the other party's when its peers did,
//!    the destination's when the ports its named ports resolve to did, Nodes when `nodes`
//!    peers read differently. The isolation annotation of a namespace counts as the
//!    namespace's.
//!
//! An endpoint present on one side only is named for all of its connections. When nothing
//! can be singled out, every change the pair depends on is named.

use std::collections::{BTreeSet, HashMap};

use super::super::Party;
use super::super::evaluate::{self, dst_ports};
use super::super::matching::matches;
use super::pairs::{Members, Pair, Slot};
use super::{Change, ObjectKind, Part, PolicyKey, SideIndex, Version, paired_parts};
use crate::model::ir::{Action, EndAction, Policy, Precedence, Test};
use crate::model::{Cluster, ContainerPort, Direction, Endpoint, PortSet};

/// The changes, by the object they are about.
pub(super) struct ChangeLookup {
    policies: HashMap<PolicyKey, usize>,
    tiers: HashMap<String, usize>,
    namespaces: HashMap<String, usize>,
    endpoints: HashMap<String, usize>,
    nodes: Vec<usize>,
}

impl ChangeLookup {
    pub(super) fn new(changes: &[Change]) -> ChangeLookup {
        let mut l = ChangeLookup {
            policies: HashMap::new(),
            tiers: HashMap::new(),
            namespaces: HashMap::new(),
            endpoints: HashMap::new(),
            nodes: Vec::new(),
        };
        for (i, c) in changes.iter().enumerate() {
            match c.object {
                ObjectKind::Namespace => {
                    l.namespaces.insert(c.id.clone(), i);
                }
                ObjectKind::Workload(_) => {
                    l.endpoints.insert(c.id.clone(), i);
                }
                ObjectKind::Node => l.nodes.push(i),
                ObjectKind::CalicoTier => {
                    l.tiers.insert(c.id.clone(), i);
                }
                object => {
                    l.policies.insert((object, c.id.clone()), i);
                }
            }
        }
        l
    }
}

/// The policies of both sides, grouped once for every pair: by the namespace they are
/// confined to (None: cluster-wide). Each part of an object (see [`Part`]) is there; a
/// changed object comes with its parts on the two sides, paired (old, new).
pub(super) struct Keys {
    by_ns: HashMap<Option<String>, Vec<(PolicyKey, Part)>>,
    changed_by_ns: HashMap<Option<String>, Vec<Changed>>,
}

/// A changed policy: its key, its change, its parts paired (old, new).
type Changed = (PolicyKey, usize, Vec<(Option<Part>, Option<Part>)>);

impl Keys {
    pub(super) fn new(o: &SideIndex, n: &SideIndex, lookup: &ChangeLookup) -> Keys {
        let mut by_ns: HashMap<Option<String>, Vec<(PolicyKey, Part)>> = HashMap::new();
        let mut where_: HashMap<&PolicyKey, Option<String>> = HashMap::new();
        for side in [o, n] {
            for (k, parts) in &side.applied {
                for &(part, id) in parts {
                    let ns = side.cluster.ir.policies[id]
                        .subject
                        .namespace()
                        .map(str::to_string);
                    by_ns.entry(ns.clone()).or_default().push((k.clone(), part));
                    where_.entry(k).or_insert(ns);
                }
            }
        }
        for v in by_ns.values_mut() {
            v.sort();
            v.dedup();
        }
        let mut changed_by_ns: HashMap<Option<String>, Vec<Changed>> = HashMap::new();
        for (k, &c) in &lookup.policies {
            // A policy on one side only counts where that side's version is confined.
            let ns = where_.get(k).cloned().flatten();
            changed_by_ns
                .entry(ns)
                .or_default()
                .push((k.clone(), c, paired_parts(o, n, k)));
        }
        for v in changed_by_ns.values_mut() {
            v.sort();
        }
        Keys {
            by_ns,
            changed_by_ns,
        }
    }

    /// The keys that may apply to a subject of namespace `ns`.
    fn near<'k, T>(
        map: &'k HashMap<Option<String>, Vec<T>>,
        ns: &str,
    ) -> impl Iterator<Item = &'k T> {
        map.get(&Some(ns.to_string()))
            .into_iter()
            .flatten()
            .chain(map.get(&None).into_iter().flatten())
    }
}

/// One direction of a connection on one side: the subject the policies apply to, and the
/// other party their peers match.
struct Eval<'a> {
    cluster: &'a Cluster,
    dir: Direction,
    subject: usize,
    other: Party,
    dst_ports: Option<&'a [ContainerPort]>,
}

/// What one policy says about one side: whether it applies and isolates, where it is, and
/// the rules that match with what they do on which ports.
#[derive(Clone, Debug, PartialEq)]
struct Says {
    isolates: bool,
    tier: String,
    precedence: Precedence,
    rules: Vec<(usize, Action, PortSet)>,
    /// Whether order does not matter and its rules all do the same: all allow (Kubernetes
    /// NetworkPolicy, the allow part of a Cilium policy) or all deny (the deny part of a
    /// Cilium policy). Then what it says is what its rules cover together.
    adds_up: bool,
    /// Whether its tier ends in Deny.
    deny_end: bool,
}

impl<'a> Eval<'a> {
    fn new(cluster: &'a Cluster, dir: Direction, src: Party, dst: Party) -> Option<Eval<'a>> {
        let (subject, other) = match dir {
            Direction::Egress => (src, dst),
            Direction::Ingress => (dst, src),
        };
        let Party::Endpoint(subject) = subject else {
            return None;
        };
        Some(Eval {
            cluster,
            dir,
            subject,
            other,
            dst_ports: dst_ports(cluster, dst),
        })
    }

    fn ep(&self) -> &'a Endpoint {
        &self.cluster.endpoints[self.subject]
    }

    fn allowed(&self) -> PortSet {
        evaluate::side(
            self.cluster,
            self.dir,
            Party::Endpoint(self.subject),
            self.other,
            self.dst_ports,
        )
        .allowed
    }

    /// Whether a policy (of either side) applies to the subject here.
    fn applies(&self, p: &Policy) -> bool {
        p.dir(self.dir).applies && matches(self.cluster, &p.subject, Party::Endpoint(self.subject))
    }

    /// What a policy (of either side) says here, read on this cluster; `tier` is the name of
    /// its tier on its own side.
    fn says(&self, p: &Policy, tier: &str, end: EndAction) -> Option<Says> {
        if !self.applies(p) {
            return None;
        }
        let part = p.dir(self.dir);
        let rules = part
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.action != Action::Log)
            .filter(|(_, r)| {
                matches(self.cluster, &r.peer, self.other)
                    && r.local
                        .as_ref()
                        .is_none_or(|l| matches(self.cluster, l, Party::Endpoint(self.subject)))
            })
            .map(|(i, r)| {
                let dst = match self.dir {
                    Direction::Egress => self.other,
                    Direction::Ingress => Party::Endpoint(self.subject),
                };
                let here = r
                    .named_on
                    .as_ref()
                    .is_none_or(|m| matches(self.cluster, m, dst));
                (
                    i,
                    r.action,
                    r.ports.resolve(self.dst_ports.filter(|_| here)),
                )
            })
            .filter(|(_, _, ports)| !ports.is_empty())
            .collect();
        Some(Says {
            isolates: part.isolates,
            tier: tier.to_string(),
            precedence: p.precedence_key.clone(),
            rules,
            adds_up: p.precedence_key == Precedence::Unordered
                && (part.rules.iter().all(|r| r.action == Action::Allow)
                    || part.rules.iter().all(|r| r.action == Action::Deny)),
            deny_end: end == EndAction::Deny,
        })
    }

    /// Whether a policy other than the part `part` of `key` (None: none of it), applied on
    /// this cluster in tier `tier` (another object's, another part of the same object,
    /// Cilium's agent in enforcement mode `always`), isolates the subject here.
    fn isolated_by_others(
        &self,
        key: &PolicyKey,
        part: Option<Part>,
        side: &SideIndex,
        tier: &str,
    ) -> bool {
        let keyed = side.applied.iter().flat_map(|(k, parts)| {
            parts
                .iter()
                .filter(move |(p, _)| k != key || Some(*p) != part)
                .map(|&(_, id)| id)
        });
        keyed.chain(side.agent.iter().copied()).any(|id| {
            let p = &side.cluster.ir.policies[id];
            side.cluster.ir.tiers[p.tier].name == tier
                && p.dir(self.dir).isolates
                && self.applies(p)
        })
    }
}

fn sym_diff(a: &PortSet, b: &PortSet) -> PortSet {
    a.difference(b).union(&b.difference(a))
}

fn all_ports(x: Option<&Says>) -> PortSet {
    let mut s = PortSet::none();
    for (_, _, p) in x.map_or(&[][..], |t| t.rules.as_slice()) {
        s.union_with(p);
    }
    s
}

/// The ports on which two readings of a policy differ. Where rules add up (Kubernetes
/// NetworkPolicy): what they allow together, or every port when the isolation of the subject
/// changed (`iso_a`, `iso_b`: isolated by this policy or another of its tier). Where rules
/// are ordered: the ports of the rules found in one reading and not the other; every rule's
/// when the policy's place or its rules' order changed, or it isolates in one reading only.
fn touched(a: Option<&Says>, b: Option<&Says>, iso_a: bool, iso_b: bool) -> PortSet {
    let adds_up = a.or(b).is_some_and(|s| s.adds_up);
    if adds_up {
        if iso_a != iso_b {
            return PortSet::all();
        }
        return sym_diff(&all_ports(a), &all_ports(b));
    }
    let isolates = |x: Option<&Says>| x.is_some_and(|s| s.isolates && s.deny_end);
    if isolates(a) != isolates(b) && iso_a != iso_b {
        return PortSet::all();
    }
    match (a, b) {
        (Some(x), Some(y)) if x.tier == y.tier && x.precedence == y.precedence => {
            let mut left: Vec<(Action, &PortSet)> =
                y.rules.iter().map(|(_, a, p)| (*a, p)).collect();
            let mut only_a = Vec::new();
            for (_, act, ports) in &x.rules {
                match left.iter().position(|l| *l == (*act, ports)) {
                    Some(i) => {
                        left.remove(i);
                    }
                    None => only_a.push((*act, ports)),
                }
            }
            if only_a.is_empty() && left.is_empty() {
                // Same rules in another order: every overlap may decide otherwise.
                return all_ports(a).union(&all_ports(b));
            }
            let mut touched = PortSet::none();
            for (_, p) in only_a.into_iter().chain(left) {
                touched.union_with(p);
            }
            touched
        }
        _ => all_ports(a).union(&all_ports(b)),
    }
}

/// How two readings of a policy's matching rules differ, once its selection is the same:
/// which rules match (the other party's labels, namespace, IPs), or what the same rules
/// cover (the destination's named ports).
fn rules_differ(a: Option<&Says>, b: Option<&Says>) -> (bool, bool) {
    let none = Vec::new();
    let (a, b) = (a.map_or(&none, |s| &s.rules), b.map_or(&none, |s| &s.rules));
    let idx = |v: &[(usize, Action, PortSet)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    let peers = idx(a) != idx(b);
    let ports = a
        .iter()
        .any(|(i, _, x)| b.iter().any(|(j, _, y)| i == j && x != y));
    (peers, ports)
}

/// One direction of a pair on one side (None: a party is missing there, or the subject is
/// an external range, to which no policy applies).
fn side_eval<'a>(
    side: &SideIndex<'a>,
    members: &Members,
    pair: &Pair,
    dir: Direction,
    v: Version,
) -> Option<Eval<'a>> {
    let present = match v {
        Version::Old => pair.in_old,
        Version::New => pair.in_new,
    };
    if !present {
        return None;
    }
    let src = members.party(pair.src, v)?;
    let dst = members.party(pair.dst, v)?;
    Eval::new(side.cluster, dir, src, dst)
}

/// A policy version (one part of an object) with its tier's name and end, from its own side.
fn version<'a>(
    side: &SideIndex<'a>,
    key: &PolicyKey,
    part: Part,
) -> Option<(&'a Policy, &'a str, EndAction)> {
    let p = side.policy(key, part)?;
    let tier = &side.cluster.ir.tiers[p.tier];
    Some((p, tier.name.as_str(), tier.end))
}

/// The changes responsible for a pair's change.
pub(super) fn attribute(
    o: &SideIndex,
    n: &SideIndex,
    members: &Members,
    lookup: &ChangeLookup,
    keys: &Keys,
    pair: &Pair,
) -> Vec<usize> {
    let mut causes: BTreeSet<usize> = BTreeSet::new();
    // An endpoint on one side only: named for all its connections.
    for slot in [pair.src, pair.dst] {
        if let Slot::Ep(i) = slot
            && (members.eps[i].old.is_none() || members.eps[i].new.is_none())
            && let Some(&c) = lookup.endpoints.get(&members.eps[i].id)
        {
            causes.insert(c);
        }
    }
    let mut fallback: BTreeSet<usize> = BTreeSet::new();
    for dir in [Direction::Egress, Direction::Ingress] {
        let eo = side_eval(o, members, pair, dir, Version::Old);
        let en = side_eval(n, members, pair, dir, Version::New);
        if eo.is_none() && en.is_none() {
            continue; // the subject is an external range: no policy applies
        }
        let allowed = |e: &Option<Eval>, present: bool| match e {
            Some(e) => e.allowed(),
            None if present => PortSet::all(),
            None => PortSet::none(),
        };
        let delta = sym_diff(&allowed(&eo, pair.in_old), &allowed(&en, pair.in_new));
        if delta.is_empty() {
            continue;
        }
        let subject_ns = eo
            .as_ref()
            .or(en.as_ref())
            .map(|e| e.ep().namespace.clone())
            .unwrap_or_default();
        let hits = |touched: &PortSet| !touched.intersect(&delta).is_empty();
        let evals: Vec<(&Eval, &SideIndex, Version)> = eo
            .iter()
            .map(|e| (e, o, Version::Old))
            .chain(en.iter().map(|e| (e, n, Version::New)))
            .collect();

        // 1. Changed policies: old and new version (of each part) read on the same cluster.
        for (key, ci, parts) in Keys::near(&keys.changed_by_ns, &subject_ns) {
            for &(pa, pb) in parts {
                let va = pa.and_then(|p| version(o, key, p));
                let vb = pb.and_then(|p| version(n, key, p));
                for &(e, side, v) in &evals {
                    let a = va.and_then(|(p, t, end)| e.says(p, t, end));
                    let b = vb.and_then(|(p, t, end)| e.says(p, t, end));
                    if a.is_some() || b.is_some() {
                        fallback.insert(*ci);
                    }
                    if a == b {
                        continue;
                    }
                    let tier = a
                        .as_ref()
                        .or(b.as_ref())
                        .map(|s| s.tier.clone())
                        .unwrap_or_default();
                    // On each cluster, the part this version is there is not another policy.
                    let own = match v {
                        Version::Old => pa,
                        Version::New => pb,
                    };
                    let others = e.isolated_by_others(key, own, side, &tier);
                    let iso = |s: &Option<Says>| others || s.as_ref().is_some_and(|x| x.isolates);
                    if hits(&touched(a.as_ref(), b.as_ref(), iso(&a), iso(&b))) {
                        causes.insert(*ci);
                    }
                }
            }
        }
        // 2. Changed Tiers: named when a policy of theirs applies to the subject.
        for (tier, ci) in &lookup.tiers {
            for (side, e) in [(o, &eo), (n, &en)] {
                let Some(e) = e else { continue };
                let ir = &side.cluster.ir;
                let hit = ir.tiers.iter().enumerate().any(|(t, x)| {
                    &x.name == tier && ir.tier_policies(t).any(|(_, p)| e.applies(p))
                });
                if hit {
                    causes.insert(*ci);
                }
            }
        }
        // 3. Changed inputs: a policy read the same way on both clusters says something else.
        let (Some(eo), Some(en)) = (&eo, &en) else {
            continue;
        };
        let (mut subject_side, mut other_side, mut dst_side, mut nodes) =
            (false, false, false, false);
        for (key, part) in Keys::near(&keys.by_ns, &subject_ns) {
            let part = *part;
            let Some((p, tier, end)) = version(n, key, part).or(version(o, key, part)) else {
                continue;
            };
            // A namespace's isolation annotation exists on one side only: its namespace
            // changed.
            if key.0 == ObjectKind::Namespace
                && (o.policy(key, part).is_none() || n.policy(key, part).is_none())
            {
                if eo.applies(p) || en.applies(p) {
                    subject_side = true;
                }
                continue;
            }
            let (a, b) = (eo.says(p, tier, end), en.says(p, tier, end));
            if a == b {
                continue;
            }
            let iso = |e: &Eval, side: &SideIndex, s: &Option<Says>| {
                e.isolated_by_others(key, Some(part), side, tier)
                    || s.as_ref().is_some_and(|x| x.isolates)
            };
            if !hits(&touched(
                a.as_ref(),
                b.as_ref(),
                iso(eo, o, &a),
                iso(en, n, &b),
            )) {
                continue;
            }
            if eo.applies(p) != en.applies(p) {
                subject_side = true;
            } else {
                let (peers, ports) = rules_differ(a.as_ref(), b.as_ref());
                other_side |= peers;
                dst_side |= ports;
                nodes |= peers
                    && p.dir(dir).rules.iter().any(|r| {
                        r.peer
                            .terms()
                            .iter()
                            .any(|t| t.conds.iter().any(|c| matches!(c.test, Test::Nodes(_))))
                    });
            }
        }
        let (subject_slot, other_slot) = match dir {
            Direction::Egress => (pair.src, pair.dst),
            Direction::Ingress => (pair.dst, pair.src),
        };
        let ep_change = |s: Slot| match s {
            Slot::Ep(i) => lookup.endpoints.get(&members.eps[i].id).copied(),
            Slot::Range(_) => None,
        };
        let ns_change = |s: Slot| match s {
            Slot::Ep(i) => lookup.namespaces.get(&members.eps[i].namespace).copied(),
            Slot::Range(_) => None,
        };
        let mut found: BTreeSet<usize> = BTreeSet::new();
        if subject_side {
            found.extend(ep_change(subject_slot));
            found.extend(ns_change(subject_slot));
        }
        if other_side {
            found.extend(ep_change(other_slot));
            found.extend(ns_change(other_slot));
            if nodes {
                found.extend(lookup.nodes.iter().copied());
            }
        }
        if dst_side {
            found.extend(ep_change(pair.dst));
        }
        if (subject_side || other_side || dst_side) && found.is_empty() {
            // A policy reads differently and no input of this pair is known to have
            // changed: name every changed input the pair depends on.
            for s in [pair.src, pair.dst] {
                found.extend(ep_change(s));
                found.extend(ns_change(s));
            }
            found.extend(lookup.nodes.iter().copied());
        }
        causes.extend(found);
        for s in [pair.src, pair.dst] {
            fallback.extend(ep_change(s));
            fallback.extend(ns_change(s));
        }
    }
    if causes.is_empty() {
        causes = fallback;
    }
    causes.into_iter().collect()
}

//! The members of both sides (endpoints matched by id, external ranges cut on both sides
//! together), the pairs whose allowed ports differ, and, once attributed, adjacent external
//! ranges that changed alike merged back.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::super::Party;
use super::super::evaluate;
use super::super::matrix::Matrix;
use super::{Connection, ConnectionKind, Member, SideIndex, Version};
use crate::model::ip::{AddrRange, Family, atomic_ranges};
use crate::model::{Cluster, Endpoint, EndpointKind, PortSet};

/// An endpoint's key: namespace, name, kind (the order of [`Cluster::endpoints`]).
pub(super) type EndpointKey = (String, String, EndpointKind);

/// The endpoints of both sides by key, in order, with their index on each side.
pub(super) fn paired_endpoints(
    old: &Cluster,
    new: &Cluster,
) -> BTreeMap<EndpointKey, (Option<usize>, Option<usize>)> {
    let mut keyed: BTreeMap<EndpointKey, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (i, e) in old.endpoints.iter().enumerate() {
        keyed
            .entry((e.namespace.clone(), e.name.clone(), e.kind))
            .or_default()
            .0 = Some(i);
    }
    for (i, e) in new.endpoints.iter().enumerate() {
        keyed
            .entry((e.namespace.clone(), e.name.clone(), e.kind))
            .or_default()
            .1 = Some(i);
    }
    keyed
}

pub(super) struct EpSlot {
    pub(super) id: String,
    pub(super) kind: EndpointKind,
    pub(super) namespace: String,
    pub(super) old: Option<usize>,
    pub(super) new: Option<usize>,
}

pub(super) struct RangeSlot {
    pub(super) range: AddrRange,
    /// Member index in each side's matrix (None: the side has no range of that family).
    pub(super) old: Option<usize>,
    pub(super) new: Option<usize>,
}

pub(super) struct Members {
    pub(super) eps: Vec<EpSlot>,
    pub(super) ranges: Vec<RangeSlot>,
}

/// A member of the union: an endpoint slot or a range slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Slot {
    Ep(usize),
    Range(usize),
}

impl Members {
    pub(super) fn new(o: &SideIndex, n: &SideIndex) -> Members {
        let eps = paired_endpoints(o.cluster, n.cluster)
            .into_iter()
            .map(|((namespace, _, kind), (a, b))| {
                let e = a
                    .map(|i| &o.cluster.endpoints[i])
                    .or(b.map(|i| &n.cluster.endpoints[i]));
                EpSlot {
                    id: e.map(Endpoint::id).unwrap_or_default(),
                    kind,
                    namespace,
                    old: a,
                    new: b,
                }
            })
            .collect();
        let bounds: Vec<AddrRange> = o
            .matrix
            .externals
            .iter()
            .chain(&n.matrix.externals)
            .copied()
            .collect();
        let mut families: Vec<Family> = bounds.iter().map(|r| r.family).collect();
        families.sort_unstable();
        families.dedup();
        let ranges = atomic_ranges(&bounds, &families)
            .into_iter()
            .map(|range| RangeSlot {
                range,
                old: locate(&o.matrix, &range),
                new: locate(&n.matrix, &range),
            })
            .collect();
        Members { eps, ranges }
    }

    pub(super) fn all(&self) -> impl Iterator<Item = Slot> + '_ {
        (0..self.eps.len())
            .map(Slot::Ep)
            .chain((0..self.ranges.len()).map(Slot::Range))
    }

    pub(super) fn member(&self, s: Slot) -> Member {
        match s {
            Slot::Ep(i) => Member::Endpoint {
                id: self.eps[i].id.clone(),
                kind: self.eps[i].kind,
            },
            Slot::Range(i) => Member::External(self.ranges[i].range),
        }
    }

    /// The party a slot is on one side (None: an endpoint that side lacks).
    pub(super) fn party(&self, s: Slot, v: Version) -> Option<Party> {
        match s {
            Slot::Ep(i) => {
                let e = &self.eps[i];
                match v {
                    Version::Old => e.old,
                    Version::New => e.new,
                }
                .map(Party::Endpoint)
            }
            Slot::Range(i) => Some(Party::Address(self.ranges[i].range.first())),
        }
    }

    /// The matrix member a slot is on one side.
    pub(super) fn matrix_member(&self, s: Slot, v: Version) -> Option<usize> {
        let pick = |a: Option<usize>, b: Option<usize>| match v {
            Version::Old => a,
            Version::New => b,
        };
        match s {
            Slot::Ep(i) => pick(self.eps[i].old, self.eps[i].new),
            Slot::Range(i) => pick(self.ranges[i].old, self.ranges[i].new),
        }
    }
}

/// The matrix member of the external range holding `r`.
fn locate(m: &Matrix, r: &AddrRange) -> Option<usize> {
    let i = m
        .externals
        .partition_point(|x| (x.family, x.end) < (r.family, r.start));
    m.externals
        .get(i)
        .filter(|x| x.covers(r))
        .map(|_| m.endpoints + i)
}

pub(super) struct Pair {
    pub(super) src: Slot,
    pub(super) dst: Slot,
    pub(super) old: PortSet,
    pub(super) new: PortSet,
    /// Whether each side holds both parties.
    pub(super) in_old: bool,
    pub(super) in_new: bool,
}

impl Pair {
    pub(super) fn kind(&self) -> ConnectionKind {
        if self.old.is_empty() {
            ConnectionKind::Opened
        } else if self.new.is_empty() {
            ConnectionKind::Closed
        } else {
            ConnectionKind::Changed
        }
    }
}

/// The ports `src` may open towards `dst` on one side (None: a party is missing there).
fn ports<'m>(
    side: &'m SideIndex,
    members: &Members,
    v: Version,
    src: Slot,
    dst: Slot,
) -> Option<Cow<'m, PortSet>> {
    let (ps, pd) = (members.party(src, v)?, members.party(dst, v)?);
    match (members.matrix_member(src, v), members.matrix_member(dst, v)) {
        (Some(a), Some(b)) => Some(Cow::Borrowed(side.matrix.allowed(a, b))),
        _ => Some(Cow::Owned(evaluate::allowed_ports(side.cluster, ps, pd))),
    }
}

pub(super) fn changed_pairs(o: &SideIndex, n: &SideIndex, members: &Members) -> Vec<Pair> {
    let slots: Vec<Slot> = members.all().collect();
    slots
        .par_iter()
        .flat_map_iter(|&src| {
            let mut out = Vec::new();
            for &dst in &slots {
                if matches!((src, dst), (Slot::Range(_), Slot::Range(_))) {
                    continue;
                }
                if let (Slot::Ep(a), Slot::Ep(b)) = (src, dst)
                    && a == b
                    && members.eps[a].kind == EndpointKind::Pod
                {
                    continue; // loopback: always allowed, never subject to policy
                }
                let old = ports(o, members, Version::Old, src, dst);
                let new = ports(n, members, Version::New, src, dst);
                let none = PortSet::none();
                let (a, b) = (
                    old.as_deref().unwrap_or(&none),
                    new.as_deref().unwrap_or(&none),
                );
                if a != b {
                    out.push(Pair {
                        src,
                        dst,
                        old: a.clone(),
                        new: b.clone(),
                        in_old: old.is_some(),
                        in_new: new.is_some(),
                    });
                }
            }
            out
        })
        .collect()
}

pub(super) fn merge_ranges(conns: Vec<Connection>, members: &Members) -> Vec<Connection> {
    let order: HashMap<&str, usize> = members
        .eps
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let key = |m: &Member| -> (u8, usize, Family, u128) {
        match m {
            Member::Endpoint { id, .. } => (
                0,
                order.get(id.as_str()).copied().unwrap_or(0),
                Family::V4,
                0,
            ),
            Member::External(r) => (1, 0, r.family, r.start),
        }
    };
    // Group by everything but the range, the range last, so that ranges that may merge are
    // next to each other in address order.
    let group = |c: &Connection| {
        let class = u8::from(c.dst.is_external()) + 2 * u8::from(c.src.is_external());
        let (first, second) = if c.src.is_external() {
            (key(&c.dst), key(&c.src))
        } else {
            (key(&c.src), key(&c.dst))
        };
        (class, c.kind, c.causes.clone(), first, second)
    };
    let mut conns = conns;
    conns.sort_by_cached_key(group);
    let mut out: Vec<Connection> = Vec::with_capacity(conns.len());
    for c in conns {
        if let Some(last) = out.last_mut()
            && last.kind == c.kind
            && last.old == c.old
            && last.new == c.new
            && last.causes == c.causes
        {
            match (&last.src, &last.dst, &c.src, &c.dst) {
                (s1, Member::External(r1), s2, Member::External(r2)) if s1 == s2 => {
                    if let Some(r) = adjacent(r1, r2) {
                        last.dst = Member::External(r);
                        continue;
                    }
                }
                (Member::External(r1), d1, Member::External(r2), d2) if d1 == d2 => {
                    if let Some(r) = adjacent(r1, r2) {
                        last.src = Member::External(r);
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out.sort_by_cached_key(|c| (c.kind, key(&c.src), key(&c.dst)));
    out
}

fn adjacent(a: &AddrRange, b: &AddrRange) -> Option<AddrRange> {
    (a.family == b.family && a.end.checked_add(1) == Some(b.start)).then_some(AddrRange {
        family: a.family,
        start: a.start,
        end: b.end,
    })
}

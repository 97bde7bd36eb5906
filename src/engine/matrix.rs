//! Every pair at once: the reachability matrix.
//!
//! The members of the matrix are the endpoints, then the external address ranges that the
//! ipBlocks cut the address space into. The computation:
//! 1. each selector is compiled once into a bitset over members, from an inverted label
//!    index (cached: policies share selectors); ipBlocks use a sorted index of pod IPs;
//! 2. members are partitioned into classes with identical membership in every selected-pods
//!    set and every rule's peer set, and identical named-port resolution (partition
//!    refinement): members of a class are interchangeable as source and as destination;
//! 3. ports are cut into the atomic segments the rules use, so a port set is a short bitmask;
//! 4. the class × class matrix is filled row by row (in parallel): egress rules of the
//!    policies selecting the source, ORed per destination, ANDed with the ingress rules whose
//!    peers hold the source, per destination.
//!
//! The result agrees with [`super::reference`] on every pair (property-tested).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::Party;
use super::bitset::BitSet;
use super::port_space::PortSpace;
use crate::model::ip::{AddrRange, Family, atomic_ranges, ip_key, parse_cidr};
use crate::model::labels::{Operator, Requirement};
use crate::model::policy::Peer;
use crate::model::{
    Cluster, ContainerPort, Direction, LabelSelector, NetworkPolicy, PortSet, Protocol, Rule,
};

/// The reachability of every pair of members.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// Number of endpoints: members `0..endpoints` are [`Cluster::endpoints`].
    pub endpoints: usize,
    /// External ranges: member `endpoints + i` is `externals[i]`.
    pub externals: Vec<AddrRange>,
    class_of: Vec<u32>,
    classes: usize,
    cells: Vec<u32>,
    sets: Vec<PortSet>,
    pod: Vec<bool>,
}

/// Index of the interned "every port" set.
const ALL: u32 = 1;

impl Matrix {
    /// Computes the matrix of a cluster.
    pub fn compute(cluster: &Cluster) -> Matrix {
        Compiler::new(cluster).run()
    }

    /// Number of members (endpoints and external ranges).
    pub fn len(&self) -> usize {
        self.endpoints + self.externals.len()
    }

    /// Whether there is no member.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of equivalence classes the members fell into.
    pub fn class_count(&self) -> usize {
        self.classes
    }

    /// The party a member stands for (an external range by its first address).
    pub fn party(&self, member: usize) -> Party {
        if member < self.endpoints {
            Party::Endpoint(member)
        } else {
            Party::Address(self.externals[member - self.endpoints].first())
        }
    }

    /// Whether a member is an external range.
    pub fn is_external(&self, member: usize) -> bool {
        member >= self.endpoints
    }

    /// The ports `src` may open towards `dst`. A pod reaching itself is always allowed.
    pub fn allowed(&self, src: usize, dst: usize) -> &PortSet {
        if src == dst && src < self.endpoints && self.pod[src] {
            return &self.sets[ALL as usize];
        }
        let (cs, cd) = (self.class_of[src] as usize, self.class_of[dst] as usize);
        &self.sets[self.cells[cs * self.classes + cd] as usize]
    }
}

/// A policy, compiled.
struct CPolicy {
    selected: BitSet,
    dirs: [bool; 2],
}

/// How a rule's ports depend on the destination.
enum RulePorts {
    /// The same for every destination.
    Fixed(PortSet),
    /// Named ports: resolved on each destination.
    Named,
}

/// A rule, compiled.
struct CRule<'c> {
    policy: usize,
    dir: Direction,
    peers: BitSet,
    ports: RulePorts,
    rule: &'c Rule,
}

type SelectorKey = Vec<(String, Operator, Vec<String>)>;

struct Compiler<'c> {
    cluster: &'c Cluster,
    n: usize,
    externals: Vec<AddrRange>,
    labels: HashMap<&'c str, HashMap<&'c str, Vec<u32>>>,
    keys: HashMap<&'c str, Vec<u32>>,
    ns_members: Vec<BitSet>,
    non_host: BitSet,
    all: BitSet,
    ips: Vec<(Family, u128, u32)>,
    cache: HashMap<SelectorKey, BitSet>,
    block_cache: HashMap<(AddrRange, Vec<AddrRange>), BitSet>,
}

impl<'c> Compiler<'c> {
    fn new(cluster: &'c Cluster) -> Self {
        let n = cluster.endpoints.len();
        let mut bounds = Vec::new();
        let mut v6 = false;
        for (_, p) in cluster.applied_policies() {
            for dir in Direction::BOTH {
                for r in p.effective_rules(dir) {
                    for peer in r.peer_list() {
                        if let Some(b) = &peer.ip_block {
                            for net in std::iter::once(b.cidr.value.as_str())
                                .chain(b.except.iter().map(|e| e.value.as_str()))
                                .filter_map(|s| parse_cidr(s).ok())
                            {
                                let range = AddrRange::from_net(&net);
                                v6 |= range.family == Family::V6;
                                bounds.push(range);
                            }
                        }
                    }
                }
            }
        }
        let families: &[Family] = if v6 {
            &[Family::V4, Family::V6]
        } else {
            &[Family::V4]
        };
        let externals = atomic_ranges(&bounds, families);
        let u = n + externals.len();

        let mut labels: HashMap<&str, HashMap<&str, Vec<u32>>> = HashMap::new();
        let mut keys: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut ns_members = vec![BitSet::new(u); cluster.namespaces.len()];
        let mut non_host = BitSet::new(u);
        let mut ips = Vec::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            for (k, v) in e.labels.iter() {
                labels
                    .entry(k)
                    .or_default()
                    .entry(v)
                    .or_default()
                    .push(i as u32);
                keys.entry(k).or_default().push(i as u32);
            }
            ns_members[e.ns as usize].insert(i);
            if !e.host_network {
                non_host.insert(i);
            }
            for &ip in &e.ips {
                let (f, k) = ip_key(ip);
                ips.push((f, k, i as u32));
            }
        }
        ips.sort_unstable();
        Compiler {
            cluster,
            n,
            externals,
            labels,
            keys,
            ns_members,
            non_host,
            all: BitSet::full(u),
            ips,
            cache: HashMap::new(),
            block_cache: HashMap::new(),
        }
    }

    fn u(&self) -> usize {
        self.n + self.externals.len()
    }

    fn members_of(&self, list: Option<&Vec<u32>>) -> BitSet {
        let mut s = BitSet::new(self.u());
        add_members(&mut s, list);
        s
    }

    /// Endpoints whose labels satisfy the selector (any namespace, host network included).
    fn pod_selector(&mut self, sel: &LabelSelector) -> BitSet {
        let mut reqs: Vec<Requirement> = sel.requirements();
        reqs.sort();
        let key: SelectorKey = reqs
            .iter()
            .map(|r| (r.key.clone(), r.op, r.values.clone()))
            .collect();
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let mut out = BitSet::new(self.u());
        for i in 0..self.n {
            out.insert(i);
        }
        for r in &reqs {
            match r.op {
                Operator::In | Operator::NotIn => {
                    let mut any = BitSet::new(self.u());
                    if let Some(values) = self.labels.get(r.key.as_str()) {
                        for v in &r.values {
                            add_members(&mut any, values.get(v.as_str()));
                        }
                    }
                    if r.op == Operator::In {
                        out.intersect_with(&any);
                    } else {
                        out.subtract(&any);
                    }
                }
                Operator::Exists => {
                    out.intersect_with(&self.members_of(self.keys.get(r.key.as_str())))
                }
                Operator::DoesNotExist => {
                    out.subtract(&self.members_of(self.keys.get(r.key.as_str())))
                }
            }
        }
        // Expressions with an unknown operator make the policy invalid, so it is never applied.
        self.cache.insert(key, out.clone());
        out
    }

    fn namespaces_matching(&self, sel: &LabelSelector) -> BitSet {
        let mut out = BitSet::new(self.u());
        for (i, ns) in self.cluster.namespaces.iter().enumerate() {
            if sel.matches(&ns.labels) {
                out.union_with(&self.ns_members[i]);
            }
        }
        out
    }

    fn policy_ns(&self, p: &NetworkPolicy) -> BitSet {
        self.cluster.ns_id(&p.namespace).map_or_else(
            || BitSet::new(self.u()),
            |id| self.ns_members[id as usize].clone(),
        )
    }

    fn peer(&mut self, policy: &NetworkPolicy, peer: &Peer) -> BitSet {
        if let Some(b) = &peer.ip_block {
            let Some(net) = b.net() else {
                return BitSet::new(self.u());
            };
            let range = AddrRange::from_net(&net);
            let mut excepts: Vec<AddrRange> =
                b.except_nets().iter().map(AddrRange::from_net).collect();
            excepts.sort_unstable();
            excepts.dedup();
            // Policies repeat the same blocks (the Internet minus private ranges, a partner's
            // range...): each distinct block is resolved once.
            let key = (range, excepts);
            if let Some(hit) = self.block_cache.get(&key) {
                return hit.clone();
            }
            let (range, excepts) = &key;
            let mut out = BitSet::new(self.u());
            let lo = self
                .ips
                .partition_point(|&(f, k, _)| (f, k) < (range.family, range.start));
            for &(f, k, i) in &self.ips[lo..] {
                if (f, k) > (range.family, range.end) {
                    break;
                }
                if !excepts
                    .iter()
                    .any(|e| e.family == f && e.start <= k && k <= e.end)
                {
                    out.insert(i as usize);
                }
            }
            for (xi, x) in self.externals.iter().enumerate() {
                if range.covers(x) && !excepts.iter().any(|e| e.covers(x)) {
                    out.insert(self.n + xi);
                }
            }
            self.block_cache.insert(key, out.clone());
            return out;
        }
        let mut out = match &peer.namespace_selector {
            Some(sel) => self.namespaces_matching(sel),
            None => self.policy_ns(policy),
        };
        if let Some(sel) = &peer.pod_selector {
            out.intersect_with(&self.pod_selector(sel));
        }
        out.intersect_with(&self.non_host);
        out
    }

    fn run(mut self) -> Matrix {
        let cluster = self.cluster;
        let u = self.u();
        let mut policies: Vec<CPolicy> = Vec::new();
        let mut rules: Vec<CRule> = Vec::new();
        for (_, p) in cluster.applied_policies() {
            let dirs = [p.affects(Direction::Ingress), p.affects(Direction::Egress)];
            if !dirs[0] && !dirs[1] {
                continue;
            }
            let mut selected = self.pod_selector(&p.pod_selector);
            selected.intersect_with(&self.policy_ns(p));
            selected.intersect_with(&self.non_host);
            let pi = policies.len();
            policies.push(CPolicy { selected, dirs });
            for dir in Direction::BOTH {
                for r in p.effective_rules(dir) {
                    let peers = if r.all_peers() {
                        self.all.clone()
                    } else {
                        let mut s = BitSet::new(u);
                        for peer in r.peer_list() {
                            s.union_with(&self.peer(p, peer));
                        }
                        s
                    };
                    let ports = if r.port_list().iter().any(|pp| pp.name().is_some()) {
                        RulePorts::Named
                    } else {
                        RulePorts::Fixed(r.ports_on(None))
                    };
                    rules.push(CRule {
                        policy: pi,
                        dir,
                        peers,
                        ports,
                        rule: r,
                    });
                }
            }
        }

        // Named ports each destination resolves: members differing there are distinct classes.
        let mut names: Vec<(&str, Protocol)> = rules
            .iter()
            .filter(|r| matches!(r.ports, RulePorts::Named))
            .flat_map(|r| {
                r.rule
                    .port_list()
                    .iter()
                    .filter_map(|pp| Some((pp.name()?, pp.protocol()?)))
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        // Endpoints of one workload share their container ports: resolve each distinct list
        // once.
        let mut sig_ids: HashMap<Vec<Vec<u16>>, u32> = HashMap::new();
        let mut by_ports: HashMap<&[ContainerPort], u32> = HashMap::new();
        let mut sig_of = |ports: &[ContainerPort]| -> u32 {
            let sig: Vec<Vec<u16>> = names
                .iter()
                .map(|(name, proto)| {
                    ports
                        .iter()
                        .filter(|c| c.protocol == *proto && c.name.as_deref() == Some(*name))
                        .map(|c| c.port)
                        .collect()
                })
                .collect();
            let next = sig_ids.len() as u32;
            *sig_ids.entry(sig).or_insert(next)
        };
        let external_sig = sig_of(&[]);
        let named_sig: Vec<u32> = (0..u)
            .map(|m| {
                if m < self.n {
                    let ports = cluster.endpoints[m].ports.as_slice();
                    *by_ports.entry(ports).or_insert_with(|| sig_of(ports))
                } else {
                    external_sig
                }
            })
            .collect();
        let sigs = sig_ids.len();

        // Partition refinement.
        let pod: Vec<bool> = cluster.endpoints.iter().map(|e| e.is_pod()).collect();
        let mut class_of: Vec<u32> = Vec::with_capacity(u);
        let mut seed: HashMap<(bool, u32), u32> = HashMap::new();
        for (m, &sig) in named_sig.iter().enumerate() {
            let next = seed.len() as u32;
            class_of.push(*seed.entry((m >= self.n, sig)).or_insert(next));
        }
        let mut count = seed.len();
        let mut stamp: Vec<(u32, u32)> = Vec::new();
        let mut round = 0u32;
        let sets = policies
            .iter()
            .map(|p| &p.selected)
            .chain(rules.iter().map(|r| &r.peers));
        for set in sets {
            round += 1;
            stamp.resize(count, (0, 0));
            for m in set.iter() {
                let old = class_of[m] as usize;
                if stamp[old].0 != round {
                    stamp[old] = (round, count as u32);
                    count += 1;
                    stamp.push((0, 0));
                }
                class_of[m] = stamp[old].1;
            }
        }
        // Compact class ids, in order of first member.
        let mut remap = vec![u32::MAX; count];
        let mut reps: Vec<usize> = Vec::new();
        for (m, c) in class_of.iter_mut().enumerate() {
            if remap[*c as usize] == u32::MAX {
                remap[*c as usize] = reps.len() as u32;
                reps.push(m);
            }
            *c = remap[*c as usize];
        }
        let classes = reps.len();

        // Class-level sets.
        // Members of a class are all in a set or all out of it: a sparse set is read through
        // its members, a dense one through one representative per class.
        let on_classes = |s: &BitSet| {
            if s.count() < classes {
                BitSet::from_indexes(classes, s.iter().map(|m| class_of[m] as usize))
            } else {
                BitSet::from_indexes(classes, (0..classes).filter(|&c| s.contains(reps[c])))
            }
        };
        let sel_c: Vec<BitSet> = policies.iter().map(|p| on_classes(&p.selected)).collect();
        let peer_c: Vec<BitSet> = rules.iter().map(|r| on_classes(&r.peers)).collect();
        let mut iso = [vec![false; classes], vec![false; classes]];
        for (p, s) in policies.iter().zip(&sel_c) {
            for c in s.iter() {
                for (iso_d, &on) in iso.iter_mut().zip(&p.dirs) {
                    iso_d[c] |= on;
                }
            }
        }

        // Port masks.
        let class_sig: Vec<u32> = reps.iter().map(|&m| named_sig[m]).collect();
        let mut sig_rep: HashMap<u32, usize> = HashMap::new();
        for (c, &s) in class_sig.iter().enumerate() {
            sig_rep.entry(s).or_insert(reps[c]);
        }
        let resolved: Vec<HashMap<u32, PortSet>> = rules
            .iter()
            .map(|r| match r.ports {
                RulePorts::Fixed(_) => HashMap::new(),
                RulePorts::Named => sig_rep
                    .iter()
                    .map(|(&s, &m)| {
                        let ports = if m < self.n {
                            Some(cluster.endpoints[m].ports.as_slice())
                        } else {
                            None
                        };
                        (s, r.rule.ports_on(ports))
                    })
                    .collect(),
            })
            .collect();
        let all_sets = rules.iter().filter_map(|r| match &r.ports {
            RulePorts::Fixed(s) => Some(s),
            RulePorts::Named => None,
        });
        let space = PortSpace::new(all_sets.chain(resolved.iter().flat_map(|m| m.values())));
        let w = space.words;
        let full = space.full();
        let fixed_mask: Vec<Vec<u64>> = rules
            .iter()
            .map(|r| {
                if let RulePorts::Fixed(s) = &r.ports {
                    space.mask(s)
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Named ports resolved on each signature, indexed by signature id.
        let named_mask: Vec<Vec<Vec<u64>>> = resolved
            .iter()
            .map(|m| {
                let mut dense = vec![Vec::new(); if m.is_empty() { 0 } else { sigs }];
                for (&s, set) in m {
                    dense[s as usize] = space.mask(set);
                }
                dense
            })
            .collect();
        let mask = |r: usize, d: usize| -> &[u64] {
            match rules[r].ports {
                RulePorts::Fixed(_) => &fixed_mask[r],
                RulePorts::Named => &named_mask[r][class_sig[d] as usize],
            }
        };

        // Rules that apply to each source class.
        let mut egress_of: Vec<Vec<usize>> = vec![Vec::new(); classes];
        let mut ingress_from: Vec<Vec<usize>> = vec![Vec::new(); classes];
        for (ri, r) in rules.iter().enumerate() {
            match r.dir {
                Direction::Egress => {
                    for c in sel_c[r.policy].iter() {
                        egress_of[c].push(ri);
                    }
                }
                Direction::Ingress => {
                    for c in peer_c[ri].iter() {
                        ingress_from[c].push(ri);
                    }
                }
            }
        }

        // Rows, in parallel chunks, each interning its cells locally. Most cells are "none"
        // or "all": those are recognised without hashing.
        let zero = vec![0u64; w];
        let chunk = 32usize;
        let starts: Vec<usize> = (0..classes).step_by(chunk).collect();
        let parts: Vec<(Vec<u32>, Vec<Vec<u64>>)> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + chunk).min(classes);
                let mut local: MaskMap<u32> = MaskMap::default();
                let mut masks: Vec<Vec<u64>> = vec![zero.clone(), full.clone()];
                let mut cells = Vec::with_capacity((end - start) * classes);
                let mut e_row = vec![0u64; classes * w];
                let mut i_row = vec![0u64; classes * w];
                let mut cell = vec![0u64; w];
                for s in start..end {
                    e_row.fill(0);
                    i_row.fill(0);
                    let e_all = !iso[1][s];
                    if !e_all {
                        for &r in &egress_of[s] {
                            for d in peer_c[r].iter() {
                                or_into(&mut e_row[d * w..(d + 1) * w], mask(r, d));
                            }
                        }
                    }
                    for &r in &ingress_from[s] {
                        for d in sel_c[rules[r].policy].iter() {
                            or_into(&mut i_row[d * w..(d + 1) * w], mask(r, d));
                        }
                    }
                    for d in 0..classes {
                        let e = if e_all {
                            &full[..]
                        } else {
                            &e_row[d * w..(d + 1) * w]
                        };
                        let i = if iso[0][d] {
                            &i_row[d * w..(d + 1) * w]
                        } else {
                            &full[..]
                        };
                        for k in 0..w {
                            cell[k] = e[k] & i[k];
                        }
                        let id = if cell.iter().all(|&x| x == 0) {
                            0
                        } else if cell.iter().zip(&full).all(|(a, b)| a == b) {
                            1
                        } else {
                            match local.get(&cell) {
                                Some(&id) => id,
                                None => {
                                    let id = masks.len() as u32;
                                    local.insert(cell.clone(), id);
                                    masks.push(cell.clone());
                                    id
                                }
                            }
                        };
                        cells.push(id);
                    }
                }
                (cells, masks)
            })
            .collect();

        let mut global: MaskMap<u32> = MaskMap::default();
        let mut sets: Vec<PortSet> = Vec::new();
        for m in [zero, full.clone()] {
            global.insert(m.clone(), sets.len() as u32);
            sets.push(space.set(&m));
        }
        let mut cells = Vec::with_capacity(classes * classes);
        for (part, masks) in parts {
            let ids: Vec<u32> = masks
                .into_iter()
                .map(|m| {
                    if let Some(&id) = global.get(&m) {
                        return id;
                    }
                    let id = sets.len() as u32;
                    sets.push(space.set(&m));
                    global.insert(m, id);
                    id
                })
                .collect();
            cells.extend(part.into_iter().map(|c| ids[c as usize]));
        }
        Matrix {
            endpoints: self.n,
            externals: self.externals,
            class_of,
            classes,
            cells,
            sets,
            pod,
        }
    }
}

fn add_members(set: &mut BitSet, list: Option<&Vec<u32>>) {
    for &i in list.into_iter().flatten() {
        set.insert(i as usize);
    }
}

/// Port masks to ids, hashed with [`WordHasher`].
type MaskMap<V> = HashMap<Vec<u64>, V, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hasher (FxHash's) for masks of `u64` words: the matrix interns every
/// cell that is neither "none" nor "all" by its mask, and SipHash dominated that.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

fn or_into(dst: &mut [u64], src: &[u64]) {
    for (a, b) in dst.iter_mut().zip(src) {
        *a |= b;
    }
}

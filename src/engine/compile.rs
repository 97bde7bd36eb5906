//! The cluster compiled for whole-cluster questions (the matrix, redundancy).
//!
//! Members are the endpoints, then the external address ranges that the ipBlocks, `networks`
//! peers and Node addresses cut the address space into. Compiling:
//! 1. each selector is turned once into a bitset over members, from an inverted label index
//!    (cached: policies share selectors); ipBlocks and networks use a sorted index of pod IPs;
//! 2. members are partitioned into classes with identical membership in every set a policy of
//!    any tier makes (selected pods, rule peers, namespace isolation) and identical named-port
//!    resolution (partition refinement): members of a class are interchangeable as source
//!    and as destination;
//! 3. every set is restated over classes, and each class gets the rules that apply to it;
//! 4. ports are cut into the atomic segments the rules use, so a port set is a short bitmask.

use std::collections::HashMap;

use super::bitset::BitSet;
use super::matching::cluster_selects;
use super::port_space::PortSpace;
use crate::model::cluster_policy::{Action, ClusterPeerKind, ClusterRule, Tier};
use crate::model::ip::{AddrRange, Family, atomic_ranges, ip_key, parse_cidr};
use crate::model::labels::{Operator, Requirement};
use crate::model::policy::Peer;
use crate::model::{
    Cluster, Direction, LabelSelector, NetworkPolicy, PolicyIdx, PortSet, Protocol, Rule,
};

/// 0 for ingress, 1 for egress: the index of per-direction arrays.
pub fn dir_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// How a rule's ports depend on the destination.
#[derive(Clone, Debug)]
pub enum CPorts {
    /// The same mask for every destination.
    Fixed(Vec<u64>),
    /// Named ports: a mask per named-port signature of the destination class, by signature
    /// id (empty for signatures no class has).
    Named(Vec<Vec<u64>>),
}

/// A NetworkPolicy, over classes.
#[derive(Clone, Debug)]
pub struct CPolicy {
    /// The policy.
    pub policy: PolicyIdx,
    /// Classes it selects.
    pub selected: BitSet,
    /// Whether its rules count, per direction.
    pub active: [bool; 2],
    /// Whether it isolates the pods it selects, per direction.
    pub isolates: [bool; 2],
}

/// A NetworkPolicy rule, over classes.
#[derive(Clone, Debug)]
pub struct CRule {
    /// Index in [`Compiled::policies`].
    pub policy: usize,
    /// Direction.
    pub dir: Direction,
    /// Index in the policy's rule list.
    pub index: usize,
    /// Classes its peers match.
    pub peers: BitSet,
    /// Its ports.
    pub ports: CPorts,
}

/// A cluster-wide policy, over classes.
#[derive(Clone, Debug)]
pub struct CTierPolicy {
    /// Index in [`Cluster::cluster_policies`].
    pub policy: usize,
    /// Its tier.
    pub tier: Tier,
    /// Classes its subject selects.
    pub selected: BitSet,
}

/// A cluster-wide rule, over classes.
#[derive(Clone, Debug)]
pub struct CTierRule {
    /// Index in [`Compiled::tier_policies`].
    pub policy: usize,
    /// Direction.
    pub dir: Direction,
    /// Index in the policy's rule list.
    pub index: usize,
    /// Its action.
    pub action: Action,
    /// Classes its peers match.
    pub peers: BitSet,
    /// Its ports.
    pub ports: CPorts,
}

/// The compiled cluster.
pub struct Compiled<'c> {
    /// The cluster.
    pub cluster: &'c Cluster,
    /// Number of endpoints: members `0..n` are endpoints.
    pub n: usize,
    /// External ranges: member `n + i` is `externals[i]`.
    pub externals: Vec<AddrRange>,
    /// The class of each member.
    pub class_of: Vec<u32>,
    /// A representative member of each class.
    pub reps: Vec<usize>,
    /// Whether each endpoint is a single pod (loopback applies).
    pub pod: Vec<bool>,
    /// The port segments.
    pub space: PortSpace,
    /// The mask of every port.
    pub full: Vec<u64>,
    /// Applied NetworkPolicies that take part in some direction.
    pub policies: Vec<CPolicy>,
    /// Their rules, for the directions in which they are active.
    pub rules: Vec<CRule>,
    /// Applied cluster-wide policies, Admin tier first, each tier in evaluation order.
    pub tier_policies: Vec<CTierPolicy>,
    /// Their rules, in evaluation order.
    pub tier_rules: Vec<CTierRule>,
    /// Per direction and class: whether the NetworkPolicy tier isolates it.
    pub np_isolated: [Vec<bool>; 2],
    /// Per direction and class: whether its namespace's annotation isolates it.
    pub ns_isolated: [Vec<bool>; 2],
    /// Per direction and class: NetworkPolicy rules of active policies selecting it.
    pub np_rules_of: [Vec<Vec<usize>>; 2],
    /// Per direction and class: NetworkPolicy rules whose peers hold it.
    pub np_rules_with_peer: [Vec<Vec<usize>>; 2],
    /// Per direction and class: Admin-tier rules of policies selecting it, in order.
    pub admin_of: [Vec<Vec<usize>>; 2],
    /// Per direction and class: Baseline-tier rules of policies selecting it, in order.
    pub baseline_of: [Vec<Vec<usize>>; 2],
    sig_of_class: Vec<u32>,
}

impl<'c> Compiled<'c> {
    /// Compiles a cluster.
    pub fn new(cluster: &'c Cluster) -> Compiled<'c> {
        Builder::new(cluster).build()
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.reps.len()
    }

    /// Words in a port mask.
    pub fn words(&self) -> usize {
        self.space.words
    }

    /// The mask of a rule's ports towards a destination class.
    pub fn mask<'a>(&'a self, ports: &'a CPorts, dst_class: usize) -> &'a [u64] {
        match ports {
            CPorts::Fixed(m) => m,
            CPorts::Named(by_sig) => &by_sig[self.sig_of_class[dst_class] as usize],
        }
    }

    /// The members of a class.
    pub fn members(&self, class: usize) -> impl Iterator<Item = usize> + '_ {
        self.class_of
            .iter()
            .enumerate()
            .filter(move |(_, c)| **c as usize == class)
            .map(|(m, _)| m)
    }

    /// Whether any cluster-wide rule applies to a class in a direction.
    pub fn tiered(&self, dir: usize, class: usize) -> bool {
        !self.admin_of[dir][class].is_empty() || !self.baseline_of[dir][class].is_empty()
    }

    /// What one side lets through, walking the tiers for the `subject` class in direction
    /// `dir` (see [`dir_index`]): `peer_holds(r)` tells whether rule r's peers hold the other
    /// party, `dst` is the destination class, `np` the NetworkPolicy tier's mask.
    pub fn walk(
        &self,
        dir: usize,
        subject: usize,
        peer_holds: impl Fn(&CTierRule) -> bool,
        dst: usize,
        np: &[u64],
        out: &mut [u64],
    ) {
        let (admin, baseline, np_isolated) = (
            &self.admin_of[dir][subject],
            &self.baseline_of[dir][subject],
            self.np_isolated[dir][subject],
        );
        let w = self.words();
        let mut undecided = self.full.clone();
        let mut passed = vec![0u64; w];
        out.fill(0);
        for &r in admin {
            let rule = &self.tier_rules[r];
            if !peer_holds(rule) {
                continue;
            }
            let m = self.mask(&rule.ports, dst);
            for k in 0..w {
                let decided = undecided[k] & m[k];
                match rule.action {
                    Action::Allow => out[k] |= decided,
                    Action::Pass => passed[k] |= decided,
                    Action::Deny => {}
                }
                undecided[k] &= !m[k];
            }
        }
        for k in 0..w {
            undecided[k] |= passed[k];
        }
        if np_isolated {
            for k in 0..w {
                out[k] |= undecided[k] & np[k];
            }
            return;
        }
        for &r in baseline {
            let rule = &self.tier_rules[r];
            if !peer_holds(rule) {
                continue;
            }
            let m = self.mask(&rule.ports, dst);
            for k in 0..w {
                if rule.action != Action::Deny {
                    out[k] |= undecided[k] & m[k];
                }
                undecided[k] &= !m[k];
            }
        }
        for k in 0..w {
            out[k] |= undecided[k];
        }
    }
}

type SelectorKey = Vec<(String, Operator, Vec<String>)>;

/// Member-level sets, before classes exist.
struct Builder<'c> {
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

impl<'c> Builder<'c> {
    fn new(cluster: &'c Cluster) -> Self {
        let n = cluster.endpoints.len();
        let mut bounds = Vec::new();
        let mut v6 = false;
        let mut add = |net: &ipnet::IpNet| {
            let range = AddrRange::from_net(net);
            v6 |= range.family == Family::V6;
            bounds.push(range);
        };
        for (_, p) in cluster.applied_policies() {
            for dir in Direction::BOTH {
                for r in p.rules(dir) {
                    for peer in r.peer_list() {
                        if let Some(b) = &peer.ip_block {
                            for net in std::iter::once(b.cidr.value.as_str())
                                .chain(b.except.iter().map(|e| e.value.as_str()))
                                .filter_map(|s| parse_cidr(s).ok())
                            {
                                add(&net);
                            }
                        }
                    }
                }
            }
        }
        let mut nodes_used = false;
        for &ci in cluster.admin_tier.iter().chain(&cluster.baseline_tier) {
            for r in cluster.cluster_policies[ci]
                .egress
                .iter()
                .chain(&cluster.cluster_policies[ci].ingress)
            {
                for peer in &r.peers {
                    match &peer.kind {
                        ClusterPeerKind::Networks(cidrs) => cidrs
                            .iter()
                            .filter_map(|c| parse_cidr(c).ok())
                            .for_each(|net| add(&net)),
                        ClusterPeerKind::Nodes(_) => nodes_used = true,
                        _ => {}
                    }
                }
            }
        }
        if nodes_used {
            for node in &cluster.nodes {
                for &a in &node.addresses {
                    add(&ipnet::IpNet::from(a));
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
        Builder {
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
        BitSet::from_indexes(self.u(), list.into_iter().flatten().map(|&i| i as usize))
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
        let mut out = BitSet::from_indexes(self.u(), 0..self.n);
        for r in &reqs {
            match r.op {
                Operator::In | Operator::NotIn => {
                    let mut any = BitSet::new(self.u());
                    if let Some(values) = self.labels.get(r.key.as_str()) {
                        for v in &r.values {
                            any.union_with(&self.members_of(values.get(v.as_str())));
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
        self.cache.insert(key, out.clone());
        out
    }

    fn namespaces_where(&self, keep: impl Fn(usize) -> bool) -> BitSet {
        let mut out = BitSet::new(self.u());
        for i in 0..self.cluster.namespaces.len() {
            if keep(i) {
                out.union_with(&self.ns_members[i]);
            }
        }
        out
    }

    fn namespaces_matching(&self, sel: &LabelSelector) -> BitSet {
        self.namespaces_where(|i| sel.matches(&self.cluster.namespaces[i].labels))
    }

    fn policy_ns(&self, p: &NetworkPolicy) -> BitSet {
        self.cluster.ns_id(&p.namespace).map_or_else(
            || BitSet::new(self.u()),
            |id| self.ns_members[id as usize].clone(),
        )
    }

    /// Members holding an address in `range` but in none of `excepts`. Policies repeat the
    /// same blocks (the internet minus private ranges...): each distinct one is resolved once.
    fn addresses(&mut self, range: AddrRange, excepts: &[AddrRange]) -> BitSet {
        let mut excepts = excepts.to_vec();
        excepts.sort_unstable();
        excepts.dedup();
        let key = (range, excepts);
        if let Some(hit) = self.block_cache.get(&key) {
            return hit.clone();
        }
        let out = self.addresses_uncached(key.0, &key.1);
        self.block_cache.insert(key, out.clone());
        out
    }

    fn addresses_uncached(&self, range: AddrRange, excepts: &[AddrRange]) -> BitSet {
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
        out
    }

    fn peer(&mut self, policy: &NetworkPolicy, peer: &Peer) -> BitSet {
        if let Some(b) = &peer.ip_block {
            let Some(net) = b.net() else {
                return BitSet::new(self.u());
            };
            let excepts: Vec<AddrRange> = b.except_nets().iter().map(AddrRange::from_net).collect();
            return self.addresses(AddrRange::from_net(&net), &excepts);
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

    fn rule_peers(&mut self, policy: &NetworkPolicy, rule: &Rule) -> BitSet {
        if rule.all_peers() {
            return self.all.clone();
        }
        let mut s = BitSet::new(self.u());
        for peer in rule.peer_list() {
            s.union_with(&self.peer(policy, peer));
        }
        s
    }

    fn tier_peers(&mut self, rule: &ClusterRule) -> BitSet {
        let mut s = BitSet::new(self.u());
        for peer in &rule.peers {
            let set = match &peer.kind {
                ClusterPeerKind::Namespaces(sel) => {
                    let mut m = self.namespaces_matching(sel);
                    m.intersect_with(&self.non_host);
                    m
                }
                ClusterPeerKind::Pods {
                    namespace_selector,
                    pod_selector,
                } => {
                    let mut m = self.namespaces_matching(namespace_selector);
                    m.intersect_with(&self.pod_selector(pod_selector));
                    m.intersect_with(&self.non_host);
                    m
                }
                ClusterPeerKind::Nodes(sel) => {
                    let mut m = BitSet::new(self.u());
                    for node in self.cluster.nodes.iter().filter(|n| sel.matches(&n.labels)) {
                        for &a in &node.addresses {
                            m.union_with(
                                &self.addresses(AddrRange::from_net(&ipnet::IpNet::from(a)), &[]),
                            );
                        }
                    }
                    m
                }
                ClusterPeerKind::Networks(cidrs) => {
                    let mut m = BitSet::new(self.u());
                    for net in cidrs.iter().filter_map(|c| parse_cidr(c).ok()) {
                        m.union_with(&self.addresses(AddrRange::from_net(&net), &[]));
                    }
                    m
                }
                ClusterPeerKind::Unknown => BitSet::new(self.u()),
            };
            s.union_with(&set);
        }
        s
    }

    fn build(mut self) -> Compiled<'c> {
        let cluster = self.cluster;
        let u = self.u();

        // Member-level sets.
        struct MPolicy {
            policy: PolicyIdx,
            selected: BitSet,
            active: [bool; 2],
            isolates: [bool; 2],
        }
        struct MRule<'r> {
            policy: usize,
            dir: Direction,
            index: usize,
            peers: BitSet,
            rule: &'r Rule,
        }
        let mut mpolicies: Vec<MPolicy> = Vec::new();
        let mut mrules: Vec<MRule> = Vec::new();
        for (idx, p) in cluster.applied_policies() {
            let active = [
                cluster.policy_active(p, Direction::Ingress),
                cluster.policy_active(p, Direction::Egress),
            ];
            let isolates = [
                cluster.policy_isolates(p, Direction::Ingress),
                cluster.policy_isolates(p, Direction::Egress),
            ];
            if active == [false, false] && isolates == [false, false] {
                continue;
            }
            let mut selected = self.pod_selector(&p.pod_selector);
            selected.intersect_with(&self.policy_ns(p));
            selected.intersect_with(&self.non_host);
            let pi = mpolicies.len();
            mpolicies.push(MPolicy {
                policy: idx,
                selected,
                active,
                isolates,
            });
            for dir in Direction::BOTH {
                if !active[dir_index(dir)] {
                    continue;
                }
                for r in p.rules(dir) {
                    let peers = self.rule_peers(p, r);
                    mrules.push(MRule {
                        policy: pi,
                        dir,
                        index: r.index,
                        peers,
                        rule: r,
                    });
                }
            }
        }
        // Namespace-level isolation (the alpha and 1.3–1.6 annotations).
        let ns_isolated: [BitSet; 2] = Direction::BOTH.map(|dir| {
            let mut s = self.namespaces_where(|i| cluster.namespace_isolates(i as u32, dir));
            s.intersect_with(&self.non_host);
            s
        });
        // Cluster-wide tiers.
        let mut mtier: Vec<(usize, Tier, BitSet)> = Vec::new();
        let mut mtier_rules: Vec<(usize, Direction, usize, Action, BitSet, &ClusterRule)> =
            Vec::new();
        for &ci in cluster.admin_tier.iter().chain(&cluster.baseline_tier) {
            let policy = &cluster.cluster_policies[ci];
            let selected = BitSet::from_indexes(
                u,
                (0..self.n).filter(|&i| cluster_selects(cluster, policy, &cluster.endpoints[i])),
            );
            let ti = mtier.len();
            mtier.push((ci, policy.tier, selected));
            for dir in Direction::BOTH {
                for r in policy.rules(dir) {
                    let Some(action) = policy.action(r) else {
                        continue;
                    };
                    let peers = self.tier_peers(r);
                    mtier_rules.push((ti, dir, r.index, action, peers, r));
                }
            }
        }

        // Named ports each destination resolves: members differing there are distinct classes.
        let mut names: Vec<(&str, Option<Protocol>)> = mrules
            .iter()
            .flat_map(|r| {
                r.rule
                    .port_list()
                    .iter()
                    .filter_map(|pp| Some((pp.name()?, Some(pp.protocol()?))))
            })
            .collect();
        for (.., r) in &mtier_rules {
            for p in r.ports.iter().flat_map(|l| l.value.iter()) {
                if let crate::model::cluster_policy::ClusterPortKind::Named(n) = &p.kind {
                    names.push((n.value.as_str(), None));
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        // Endpoints of one workload share their container ports: each distinct list is
        // resolved once. Signature 0 is "resolves nothing" (external ranges among others).
        let mut sig_ids: HashMap<Vec<Vec<(Protocol, u16)>>, u32> = HashMap::new();
        let mut by_ports: HashMap<&[crate::model::ContainerPort], u32> = HashMap::new();
        let mut sig_of = |ports: &[crate::model::ContainerPort]| -> u32 {
            let sig: Vec<Vec<(Protocol, u16)>> = names
                .iter()
                .map(|(name, proto)| {
                    ports
                        .iter()
                        .filter(|c| {
                            proto.is_none_or(|p| c.protocol == p)
                                && c.name.as_deref() == Some(*name)
                        })
                        .map(|c| (c.protocol, c.port))
                        .collect()
                })
                .collect();
            let next = sig_ids.len() as u32;
            *sig_ids.entry(sig).or_insert(next)
        };
        let external_sig = sig_of(&[]);
        let named_sig: Vec<u32> = (0..u)
            .map(|m| {
                if m < self.n && !names.is_empty() {
                    let ports = cluster.endpoints[m].ports.as_slice();
                    *by_ports.entry(ports).or_insert_with(|| sig_of(ports))
                } else {
                    external_sig
                }
            })
            .collect();
        let sigs = sig_ids.len();

        // Partition refinement.
        let mut class_of: Vec<u32> = Vec::with_capacity(u);
        let mut seed: HashMap<(bool, u32), u32> = HashMap::new();
        for (m, &sig) in named_sig.iter().enumerate() {
            let next = seed.len() as u32;
            class_of.push(*seed.entry((m >= self.n, sig)).or_insert(next));
        }
        let mut count = seed.len();
        let mut stamp: Vec<(u32, u32)> = Vec::new();
        let mut round = 0u32;
        let sets = mpolicies
            .iter()
            .map(|p| &p.selected)
            .chain(mrules.iter().map(|r| &r.peers))
            .chain(ns_isolated.iter())
            .chain(mtier.iter().map(|t| &t.2))
            .chain(mtier_rules.iter().map(|t| &t.4));
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
        // Members of a class are all in a set or all out of it: a sparse set is read through
        // its members, a dense one through one representative per class.
        let on_classes = |s: &BitSet| {
            if s.count() < classes {
                BitSet::from_indexes(classes, s.iter().map(|m| class_of[m] as usize))
            } else {
                BitSet::from_indexes(classes, (0..classes).filter(|&c| s.contains(reps[c])))
            }
        };

        // Ports: resolve named ports per signature, cut the space, make masks.
        let class_sig: Vec<u32> = reps.iter().map(|&m| named_sig[m]).collect();
        let mut sig_rep: HashMap<u32, usize> = HashMap::new();
        for (c, &s) in class_sig.iter().enumerate() {
            sig_rep.entry(s).or_insert(reps[c]);
        }
        let dst_ports = |m: usize| {
            if m < self.n {
                Some(cluster.endpoints[m].ports.as_slice())
            } else {
                None
            }
        };
        let np_named = |r: &Rule| r.port_list().iter().any(|pp| pp.name().is_some());
        let tier_named = |r: &ClusterRule| {
            r.ports.iter().flat_map(|l| l.value.iter()).any(|p| {
                matches!(
                    p.kind,
                    crate::model::cluster_policy::ClusterPortKind::Named(_)
                )
            })
        };
        let resolve = |f: &dyn Fn(Option<&[crate::model::ContainerPort]>) -> PortSet,
                       named: bool|
         -> Result<PortSet, HashMap<u32, PortSet>> {
            if named {
                Err(sig_rep
                    .iter()
                    .map(|(&s, &m)| (s, f(dst_ports(m))))
                    .collect())
            } else {
                Ok(f(None))
            }
        };
        let np_sets: Vec<Result<PortSet, HashMap<u32, PortSet>>> = mrules
            .iter()
            .map(|r| resolve(&|d| r.rule.ports_on(d), np_named(r.rule)))
            .collect();
        let tier_sets: Vec<Result<PortSet, HashMap<u32, PortSet>>> = mtier_rules
            .iter()
            .map(|t| resolve(&|d| t.5.ports_on(d), tier_named(t.5)))
            .collect();
        let every = np_sets.iter().chain(&tier_sets).flat_map(|r| match r {
            Ok(s) => vec![s],
            Err(m) => m.values().collect(),
        });
        let space = PortSpace::new(every);
        let to_ports = |r: &Result<PortSet, HashMap<u32, PortSet>>| match r {
            Ok(s) => CPorts::Fixed(space.mask(s)),
            Err(m) => {
                let mut dense = vec![Vec::new(); sigs];
                for (&s, set) in m {
                    dense[s as usize] = space.mask(set);
                }
                CPorts::Named(dense)
            }
        };

        let policies: Vec<CPolicy> = mpolicies
            .iter()
            .map(|p| CPolicy {
                policy: p.policy,
                selected: on_classes(&p.selected),
                active: p.active,
                isolates: p.isolates,
            })
            .collect();
        let rules: Vec<CRule> = mrules
            .iter()
            .zip(&np_sets)
            .map(|(r, ps)| CRule {
                policy: r.policy,
                dir: r.dir,
                index: r.index,
                peers: on_classes(&r.peers),
                ports: to_ports(ps),
            })
            .collect();
        let tier_policies: Vec<CTierPolicy> = mtier
            .iter()
            .map(|(ci, tier, sel)| CTierPolicy {
                policy: *ci,
                tier: *tier,
                selected: on_classes(sel),
            })
            .collect();
        let tier_rules: Vec<CTierRule> = mtier_rules
            .iter()
            .zip(&tier_sets)
            .map(|((ti, dir, index, action, peers, _), ps)| CTierRule {
                policy: *ti,
                dir: *dir,
                index: *index,
                action: *action,
                peers: on_classes(peers),
                ports: to_ports(ps),
            })
            .collect();

        // Per class: isolation and the rules that apply.
        let mut ns_iso = [vec![false; classes], vec![false; classes]];
        for (d, iso) in ns_iso.iter_mut().enumerate() {
            for c in on_classes(&ns_isolated[d]).iter() {
                iso[c] = true;
            }
        }
        let mut np_isolated = ns_iso.clone();
        for (mp, cp) in mpolicies.iter().zip(&policies) {
            for c in cp.selected.iter() {
                for (d, iso) in np_isolated.iter_mut().enumerate() {
                    iso[c] |= mp.isolates[d];
                }
            }
        }
        let mut np_rules_of = [vec![Vec::new(); classes], vec![Vec::new(); classes]];
        let mut np_rules_with_peer = [vec![Vec::new(); classes], vec![Vec::new(); classes]];
        for (ri, r) in rules.iter().enumerate() {
            let d = dir_index(r.dir);
            for c in policies[r.policy].selected.iter() {
                np_rules_of[d][c].push(ri);
            }
            for c in r.peers.iter() {
                np_rules_with_peer[d][c].push(ri);
            }
        }
        let mut admin_of = [vec![Vec::new(); classes], vec![Vec::new(); classes]];
        let mut baseline_of = [vec![Vec::new(); classes], vec![Vec::new(); classes]];
        for (ri, r) in tier_rules.iter().enumerate() {
            let tp = &tier_policies[r.policy];
            let target = if tp.tier == Tier::Admin {
                &mut admin_of
            } else {
                &mut baseline_of
            };
            for c in tp.selected.iter() {
                target[dir_index(r.dir)][c].push(ri);
            }
        }
        let full = space.full();
        Compiled {
            cluster,
            n: self.n,
            externals: self.externals,
            class_of,
            reps,
            pod: cluster.endpoints.iter().map(|e| e.is_pod()).collect(),
            space,
            full,
            policies,
            rules,
            tier_policies,
            tier_rules,
            np_isolated,
            ns_isolated: ns_iso,
            np_rules_of,
            np_rules_with_peer,
            admin_of,
            baseline_of,
            sig_of_class: class_sig,
        }
    }
}

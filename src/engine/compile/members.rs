//! The members of the compiled cluster and the sets of them that the policy model's
//! conditions describe.
//!
//! Members are the endpoints (`0..n`), then the external address ranges that every CIDR the
//! policies mention (and, when `nodes` peers are used, every Node address) cuts the address
//! space into: each range is wholly inside or outside every net, so one address stands for
//! all of it. A condition becomes a [`BitSet`] of members once: selectors through an inverted
//! label index, nets through a sorted index of pod IPs; equal selectors and address blocks
//! are resolved once (policies repeat them).

use std::collections::HashMap;

use ipnet::IpNet;

use super::super::bitset::BitSet;
use super::super::matching::{
    EndpointCarrier, LabelCarrier, NetworkSetCarrier, in_world, network_set_nets, service_selects,
};
use super::member_set::MemberSet;
use crate::engine::Party;
use crate::engine::matching::term_fails;
use crate::model::Cluster;
use crate::model::ip::{AddrRange, Family, atomic_ranges, ip_key};
use crate::model::ir::{Cond, Match, Model, Term, Test};
use crate::model::selector::{Carrier, Expr, Key, Scope};

/// Member-level sets of a cluster, before classes exist.
pub struct Members<'c> {
    cluster: &'c Cluster,
    /// Number of endpoints.
    pub n: usize,
    /// The external ranges: member `n + i` is `externals[i]`.
    pub externals: Vec<AddrRange>,
    labels: HashMap<&'c str, HashMap<&'c str, Vec<u32>>>,
    ns_members: Vec<BitSet>,
    /// The endpoints of each namespace, ascending.
    ns_lists: Vec<Vec<u32>>,
    pod_network: BitSet,
    endpoints: BitSet,
    ips: Vec<(Family, u128, u32)>,
    expr_cache: HashMap<Expr, BitSet>,
    block_cache: HashMap<(Vec<AddrRange>, Vec<AddrRange>), BitSet>,
}

/// What cuts the address space: every net a condition of the model mentions, and whether
/// `nodes` peers (Node addresses) and Calico selectors (network sets) are used.
struct Cuts {
    nets: Vec<IpNet>,
    nodes: bool,
    /// Whether Nodes' pod CIDRs cut it (`world` is used: inside one, an address is a pod).
    pod_cidrs: bool,
    /// Whether the stand-in addresses of DNS names cut it (`toFQDNs` is used).
    fqdns: bool,
    /// Whether a condition tests for IPv6 (then IPv6 addresses are members even when no
    /// IPv6 net is written).
    v6: bool,
    network_sets: bool,
}

fn cuts_of(model: &Model) -> Cuts {
    let mut nets = Vec::new();
    let mut nodes = false;
    let mut pod_cidrs = false;
    let mut fqdns = false;
    let mut v6 = false;
    let mut network_sets = false;
    let mut visit = |m: &Match| {
        for t in m.terms() {
            for c in &t.conds {
                match &c.test {
                    Test::Nets { nets: n, except } => nets.extend(n.iter().chain(except)),
                    Test::Nodes(_) | Test::Node(_) => nodes = true,
                    Test::Fqdn(_) => fqdns = true,
                    Test::Family(Family::V6) => v6 = true,
                    Test::World => {
                        nodes = true;
                        pod_cidrs = true;
                    }
                    Test::Selector {
                        network_sets: true, ..
                    } => network_sets = true,
                    _ => {}
                }
            }
        }
    };
    for p in &model.policies {
        visit(&p.subject);
        for d in &p.dirs {
            for r in &d.rules {
                visit(&r.peer);
                if let Some(l) = &r.local {
                    visit(l);
                }
            }
        }
    }
    Cuts {
        nets,
        nodes,
        pod_cidrs,
        fqdns,
        v6,
        network_sets,
    }
}

impl<'c> Members<'c> {
    /// The members of a cluster and its indexes.
    pub fn new(cluster: &'c Cluster) -> Members<'c> {
        let n = cluster.endpoints.len();
        let cuts = cuts_of(&cluster.ir);
        let mut bounds: Vec<AddrRange> = cuts.nets.iter().map(AddrRange::from_net).collect();
        if cuts.network_sets {
            for set in &cluster.network_sets {
                bounds.extend(network_set_nets(set).map(|n| AddrRange::from_net(&n)));
            }
        }
        if cuts.nodes {
            for node in &cluster.nodes {
                for &a in &node.addresses {
                    bounds.push(AddrRange::from_net(&IpNet::from(a)));
                }
            }
        }
        if cuts.fqdns || !cluster.fqdns.is_empty() {
            for f in &cluster.fqdns {
                bounds.push(AddrRange::from_net(&IpNet::from(f.address)));
            }
        }
        if cuts.pod_cidrs {
            for node in &cluster.nodes {
                bounds.extend(node.pod_cidrs.iter().map(AddrRange::from_net));
            }
        }
        let families: &[Family] = if cuts.v6 || bounds.iter().any(|r| r.family == Family::V6) {
            &[Family::V4, Family::V6]
        } else {
            &[Family::V4]
        };
        let externals = atomic_ranges(&bounds, families);
        let u = n + externals.len();

        let mut labels: HashMap<&str, HashMap<&str, Vec<u32>>> = HashMap::new();
        let mut ns_members = vec![BitSet::new(u); cluster.namespaces.len()];
        let mut ns_lists = vec![Vec::new(); cluster.namespaces.len()];
        let mut pod_network = BitSet::new(u);
        let mut ips = Vec::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            for (k, v) in e.labels.iter() {
                labels
                    .entry(k)
                    .or_default()
                    .entry(v)
                    .or_default()
                    .push(i as u32);
            }
            if !e.host_network {
                pod_network.insert(i);
            }
            ns_members[e.ns as usize].insert(i);
            ns_lists[e.ns as usize].push(i as u32);
            for &ip in &e.ips {
                let (f, k) = ip_key(ip);
                ips.push((f, k, i as u32));
            }
        }
        ips.sort_unstable();
        Members {
            cluster,
            n,
            externals,
            labels,
            ns_members,
            ns_lists,
            endpoints: BitSet::from_indexes(u, 0..n),
            pod_network,
            ips,
            expr_cache: HashMap::new(),
            block_cache: HashMap::new(),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.n + self.externals.len()
    }

    /// Whether there is no member.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn empty(&self) -> BitSet {
        BitSet::new(self.len())
    }

    /// The members a match holds. A term confined to one namespace (as a NetworkPolicy's
    /// subject and its podSelector peers are) is read over that namespace's endpoints, the
    /// way the plain evaluator reads it ([`term_fails`]); other terms through the indexes.
    pub fn of_match(&mut self, m: &Match) -> MemberSet {
        match m {
            Match::All => MemberSet::Bits(BitSet::full(self.len())),
            Match::Any(terms) => {
                let mut listed: Vec<u32> = Vec::new();
                let mut bits: Option<BitSet> = None;
                for t in terms {
                    match self.confined(t) {
                        Some(Some(ns)) => {
                            let cluster = self.cluster;
                            listed.extend(self.ns_lists[ns as usize].iter().copied().filter(
                                |&i| term_fails(cluster, t, Party::Endpoint(i as usize)).is_none(),
                            ));
                        }
                        // A namespace the cluster does not have: no member.
                        Some(None) => {}
                        None => {
                            let mut set = BitSet::full(self.len());
                            for c in &t.conds {
                                set.intersect_with(&self.of_cond(c));
                            }
                            match &mut bits {
                                Some(b) => b.union_with(&set),
                                None => bits = Some(set),
                            }
                        }
                    }
                }
                match bits {
                    Some(mut b) => {
                        for i in listed {
                            b.insert(i as usize);
                        }
                        MemberSet::compact(b)
                    }
                    None => {
                        listed.sort_unstable();
                        listed.dedup();
                        MemberSet::from_sorted(listed, self.len())
                    }
                }
            }
        }
    }

    /// The namespace a term is confined to by a (not negated) namespace condition: `Some(id)`,
    /// `Some(None)` for a namespace the cluster does not have; None when it is not confined.
    fn confined(&self, t: &Term) -> Option<Option<crate::model::NsId>> {
        t.conds.iter().find_map(|c| match (&c.test, c.negated) {
            (Test::Namespace(ns), false) => Some(self.cluster.ns_id(ns)),
            _ => None,
        })
    }

    /// The members a condition holds.
    pub fn of_cond(&mut self, c: &Cond) -> BitSet {
        let mut set = match &c.test {
            Test::PodNetwork => self.pod_network.clone(),
            Test::Namespace(ns) => match self.cluster.ns_id(ns) {
                Some(id) => self.ns_members[id as usize].clone(),
                None => self.empty(),
            },
            Test::Selector { expr, network_sets } => {
                let mut s = self.of_expr(expr);
                s.intersect_with(&self.pod_network);
                if *network_sets {
                    let cluster = self.cluster;
                    for set in &cluster.network_sets {
                        if expr.matches(&NetworkSetCarrier { cluster, set }) {
                            let nets = network_set_nets(set).map(|n| AddrRange::from_net(&n));
                            s.union_with(&self.addresses(nets.collect(), Vec::new()));
                        }
                    }
                }
                s
            }
            Test::Family(f) => {
                let mut set = self.empty();
                for (i, e) in self.cluster.endpoints.iter().enumerate() {
                    let has = |f: Family| e.ips.iter().any(|&ip| ip_key(ip).0 == f);
                    if has(*f) || (e.ips.is_empty() && *f == Family::V4) {
                        set.insert(i);
                    }
                }
                for (xi, x) in self.externals.iter().enumerate() {
                    if x.family == *f {
                        set.insert(self.n + xi);
                    }
                }
                set
            }
            Test::Service { namespace, name } => {
                let cluster = self.cluster;
                BitSet::from_indexes(
                    self.len(),
                    cluster
                        .endpoints
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| service_selects(cluster, namespace, name, e))
                        .map(|(i, _)| i),
                )
            }
            Test::Nets { nets, except } => {
                let nets: Vec<AddrRange> = nets.iter().map(AddrRange::from_net).collect();
                let except: Vec<AddrRange> = except.iter().map(AddrRange::from_net).collect();
                self.addresses(nets, except)
            }
            Test::World => {
                let mut set = self.empty();
                for (xi, x) in self.externals.iter().enumerate() {
                    // Each range is wholly inside or outside every node address and pod
                    // CIDR: its first address stands for it.
                    if in_world(self.cluster, x.first()) {
                        set.insert(self.n + xi);
                    }
                }
                set
            }
            Test::Node(name) => {
                let mut set = self.empty();
                for (i, e) in self.cluster.endpoints.iter().enumerate() {
                    if e.host_network && e.node_name.as_deref() == Some(name.as_str()) {
                        set.insert(i);
                    }
                }
                for node in self.cluster.nodes.iter().filter(|n| n.name == *name) {
                    for &a in &node.addresses {
                        let one = AddrRange::from_net(&IpNet::from(a));
                        set.union_with(&self.addresses(vec![one], Vec::new()));
                    }
                }
                set
            }
            Test::Fqdn(sel) => {
                let mut set = self.empty();
                for (xi, x) in self.externals.iter().enumerate() {
                    if x.start == x.end
                        && self
                            .cluster
                            .fqdn_at(x.first())
                            .is_some_and(|n| sel.matches(n))
                    {
                        set.insert(self.n + xi);
                    }
                }
                set
            }
            Test::OnNode(name) => {
                let mut set = self.empty();
                for (i, e) in self.cluster.endpoints.iter().enumerate() {
                    if !e.host_network && e.node_name.as_deref() == Some(name.as_str()) {
                        set.insert(i);
                    }
                }
                set
            }
            Test::Nodes(expr) => {
                let mut set = self.empty();
                for node in &self.cluster.nodes {
                    if expr.matches(&LabelCarrier(&node.labels)) {
                        for &a in &node.addresses {
                            let one = AddrRange::from_net(&IpNet::from(a));
                            set.union_with(&self.addresses(vec![one], Vec::new()));
                        }
                    }
                }
                set
            }
        };
        if c.negated {
            let mut all = BitSet::full(self.len());
            all.subtract(&set);
            set = all;
        }
        set
    }

    /// The endpoints whose labels (of each scope) satisfy an expression, host network
    /// included (the condition adds the pod-network part).
    pub fn of_expr(&mut self, expr: &Expr) -> BitSet {
        if let Some(hit) = self.expr_cache.get(expr) {
            return hit.clone();
        }
        let out = self.of_expr_uncached(expr);
        self.expr_cache.insert(expr.clone(), out.clone());
        out
    }

    fn complement(&self, set: &BitSet) -> BitSet {
        let mut all = self.endpoints.clone();
        all.subtract(set);
        all
    }

    fn of_expr_uncached(&mut self, expr: &Expr) -> BitSet {
        match expr {
            Expr::All => self.endpoints.clone(),
            Expr::Global => self.empty(),
            Expr::Not(e) => {
                let inner = self.of_expr(e);
                self.complement(&inner)
            }
            Expr::And(es) => {
                let mut out = self.endpoints.clone();
                for e in es {
                    out.intersect_with(&self.of_expr(e));
                }
                out
            }
            Expr::Or(es) => {
                let mut out = self.empty();
                for e in es {
                    out.union_with(&self.of_expr(e));
                }
                out
            }
            Expr::Ne(k, v) => {
                let eq = self.of_expr(&Expr::Eq(k.clone(), v.clone()));
                self.complement(&eq)
            }
            Expr::NotIn(k, vs) => {
                let is_in = self.of_expr(&Expr::In(k.clone(), vs.clone()));
                self.complement(&is_in)
            }
            atom => self.of_atom(atom),
        }
    }

    /// A positive comparison on one key: `Has`, `Eq`, `In` and the string matches.
    fn of_atom(&self, atom: &Expr) -> BitSet {
        type ValueTest<'e> = Box<dyn Fn(&str) -> bool + 'e>;
        let (key, test): (&Key, ValueTest) = match atom {
            Expr::Has(k) => (k, Box::new(|_| true)),
            Expr::Eq(k, v) => (k, Box::new(move |x| x == v)),
            Expr::In(k, vs) => (k, Box::new(move |x| vs.iter().any(|v| v == x))),
            Expr::Contains(k, v) => (k, Box::new(move |x| x.contains(v.as_str()))),
            Expr::StartsWith(k, v) => (k, Box::new(move |x| x.starts_with(v.as_str()))),
            Expr::EndsWith(k, v) => (k, Box::new(move |x| x.ends_with(v.as_str()))),
            _ => unreachable!("compound expressions are split before"),
        };
        let mut out = self.empty();
        match key.scope {
            Scope::Own => {
                if let Some(values) = self.labels.get(key.name.as_str()) {
                    // Exact values are looked up; other tests scan the key's values.
                    let exact: Option<Vec<&str>> = match atom {
                        Expr::Eq(_, v) => Some(vec![v.as_str()]),
                        Expr::In(_, vs) => Some(vs.iter().map(String::as_str).collect()),
                        _ => None,
                    };
                    let lists: Vec<&Vec<u32>> = match exact {
                        Some(vs) => vs.iter().filter_map(|v| values.get(v)).collect(),
                        None => values
                            .iter()
                            .filter(|(v, _)| test(v))
                            .map(|(_, l)| l)
                            .collect(),
                    };
                    for l in lists {
                        for &i in l {
                            out.insert(i as usize);
                        }
                    }
                }
            }
            Scope::Namespace => {
                for (i, ns) in self.cluster.namespaces.iter().enumerate() {
                    if ns.labels.get(&key.name).is_some_and(&test) {
                        out.union_with(&self.ns_members[i]);
                    }
                }
            }
            Scope::ServiceAccount | Scope::Meta => {
                // Read per endpoint, as the carrier reads it (few keys, no index needed).
                let cluster = self.cluster;
                for (i, ep) in cluster.endpoints.iter().enumerate() {
                    let carrier = EndpointCarrier { cluster, ep };
                    if carrier.label(key).is_some_and(&test) {
                        out.insert(i);
                    }
                }
            }
        }
        out
    }

    /// Members holding an address in one of `ranges` but in none of `excepts`.
    fn addresses(&mut self, mut ranges: Vec<AddrRange>, mut excepts: Vec<AddrRange>) -> BitSet {
        ranges.sort_unstable();
        ranges.dedup();
        excepts.sort_unstable();
        excepts.dedup();
        let key = (ranges, excepts);
        if let Some(hit) = self.block_cache.get(&key) {
            return hit.clone();
        }
        let mut out = self.empty();
        for range in &key.0 {
            let lo = self
                .ips
                .partition_point(|&(f, k, _)| (f, k) < (range.family, range.start));
            for &(f, k, i) in &self.ips[lo..] {
                if (f, k) > (range.family, range.end) {
                    break;
                }
                if !key
                    .1
                    .iter()
                    .any(|e| e.family == f && e.start <= k && k <= e.end)
                {
                    out.insert(i as usize);
                }
            }
            for (xi, x) in self.externals.iter().enumerate() {
                if range.covers(x) && !key.1.iter().any(|e| e.covers(x)) {
                    out.insert(self.n + xi);
                }
            }
        }
        self.block_cache.insert(key, out.clone());
        out
    }
}

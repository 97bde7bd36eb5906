//! From wanted flows to policies: endpoints grouped into workloads, flows into connections
//! between workloads and address ranges, connections into one ingress rule at the
//! destination and one egress rule at the source, per peer.
//!
//! A workload is what [`crate::model::Endpoint::workload`] names: a Deployment, StatefulSet
//! or other workload of the input with the pods folded into it, or the pods of a dump that
//! share an owner (a ReplicaSet named after its Deployment) or an application label. Its
//! rules select it by the labels [`super::select`] chooses, so every replica may do what
//! one of them is listed doing.
//!
//! The covered namespaces are those holding an end of an allowed flow; a flow to the
//! cluster DNS on port 53 only (which every covered pod is let out to) does not cover the
//! DNS's namespace. Their policies are written by [`super::policies`]; what the plan means,
//! pair by pair, is [`super::meaning`].
//!
//! Invariants: every want is in [`Plan::wants`] (with the pairs it stands for) or in
//! [`Plan::problems`]; a pair of `expect: deny` is never a connection.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::policies::{NamespacePlan, has_labels, namespace_plan, rule_ports};
use super::resolve::{Pair, Point, resolve};
use super::select::{Selection, choose};
use super::{Options, Origin, Verdict, Want};
use crate::engine::Party;
use crate::model::{Cluster, PortSet, Protocol};

/// The port of DNS.
pub const DNS_PORT: u16 = 53;

/// A workload: the endpoints of one application of a namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// Its namespace.
    pub namespace: String,
    /// Its name within the namespace, as [`crate::model::Endpoint::workload`] gives it:
    /// `deploy/api`, `sts/db`, `app=web`, a pod's name.
    pub key: String,
    /// Its endpoints, in order.
    pub endpoints: Vec<usize>,
    /// The labels its rules select it by (for the workloads the plan writes rules about).
    pub selection: Option<Selection>,
    /// The stem of its policies' names (`api` in `allow-api-ingress`).
    pub stem: String,
}

impl Workload {
    /// `shop/deploy/api`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.key)
    }
}

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    /// A workload, by index in [`Plan::workloads`].
    Workload(usize),
    /// Addresses outside the cluster (or the node addresses of hostNetwork pods).
    Cidr(IpNet),
}

/// A port of a rule: a number, written by name when the destination's containers name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortItem {
    /// The protocol.
    pub protocol: Protocol,
    /// The number.
    pub port: u16,
    /// The container port name every endpoint of the destination gives it.
    pub name: Option<String>,
}

/// The ports of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ports {
    /// Every port (a rule without `ports`).
    All,
    /// These, in order, none twice.
    List(Vec<PortItem>),
}

impl Ports {
    /// The port numbers it means at a destination (a name resolves on its containers).
    pub fn at(&self, cluster: &Cluster, dst: Party) -> PortSet {
        let items = match self {
            Ports::All => return PortSet::all(),
            Ports::List(items) => items,
        };
        let mut set = PortSet::none();
        for item in items {
            let number = match (&item.name, dst) {
                (None, _) => Some(item.port),
                (Some(name), Party::Endpoint(d)) => cluster.endpoints[d]
                    .ports
                    .iter()
                    .find(|c| c.protocol == item.protocol && c.name.as_deref() == Some(name))
                    .map(|c| c.port),
                (Some(_), Party::Address(_)) => None,
            };
            if let Some(n) = number {
                set.union_with(&PortSet::single(item.protocol, n));
            }
        }
        set
    }

    /// `TCP 8080`, `TCP 80,443; UDP 53`, `every port`.
    pub fn describe(&self) -> String {
        match self {
            Ports::All => "every port".into(),
            Ports::List(items) => {
                let mut set = PortSet::none();
                for i in items {
                    set.union_with(&PortSet::single(i.protocol, i.port));
                }
                set.to_string()
            }
        }
    }

    pub(super) fn add(&mut self, other: &Ports) {
        match (&mut *self, other) {
            (Ports::All, _) => {}
            (_, Ports::All) => *self = Ports::All,
            (Ports::List(mine), Ports::List(theirs)) => {
                for t in theirs {
                    if !mine.contains(t) {
                        mine.push(t.clone());
                    }
                }
                mine.sort();
            }
        }
    }

    /// Whether every port of `other` is one of these (by number).
    pub(super) fn covers(&self, other: &Ports) -> bool {
        match (self, other) {
            (Ports::All, _) => true,
            (Ports::List(_), Ports::All) => false,
            (Ports::List(mine), Ports::List(theirs)) => theirs.iter().all(|t| {
                mine.iter()
                    .any(|m| m.protocol == t.protocol && m.port == t.port)
            }),
        }
    }
}

/// A flow as written, behind a connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    /// Where.
    pub origin: Origin,
    /// Its port (None: every port the destination declares, or every port).
    pub port: Option<(Protocol, u16)>,
}

/// The flows between two peers, on the ports they use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The source.
    pub src: Peer,
    /// The destination.
    pub dst: Peer,
    /// The ports.
    pub ports: Ports,
    /// The flows, in order.
    pub lines: Vec<Line>,
}

/// The cluster DNS, as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsPlan {
    /// Its namespace.
    pub namespace: String,
    /// The labels its pods are selected by.
    pub labels: Vec<(String, String)>,
    /// Its workloads in the input (indices in [`Plan::workloads`]); empty: not in the input.
    pub resolvers: Vec<usize>,
    /// UDP 53 and TCP 53, by name when the resolvers name them.
    pub ports: Ports,
}

/// A want, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Where it was written.
    pub origin: Origin,
    /// Allow or deny.
    pub verdict: Verdict,
    /// The pairs it stands for (for `Allow`, those the plan writes rules for).
    pub pairs: Vec<Pair>,
}

/// What to write.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Every workload of the cluster (namespace and key order).
    pub workloads: Vec<Workload>,
    /// The workload of each endpoint.
    pub workload_of: Vec<usize>,
    /// The connections, by source and destination.
    pub connections: Vec<Connection>,
    /// The namespaces covered, in order.
    pub covered: Vec<String>,
    /// Their policies.
    pub namespaces: Vec<NamespacePlan>,
    /// The cluster DNS.
    pub dns: DnsPlan,
    /// The wants resolved, in order.
    pub wants: Vec<Planned>,
    /// Wants (or parts of them) not planned, with why.
    pub problems: Vec<(Origin, String)>,
    /// What the user should know: selectors that cannot tell workloads apart, volatile
    /// labels, hostNetwork pods written as addresses.
    pub notes: Vec<String>,
    /// What the flows were read from.
    pub sources: Vec<String>,
}

/// Groups the endpoints into workloads.
fn workloads(cluster: &Cluster) -> (Vec<Workload>, Vec<usize>) {
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in cluster.endpoints.iter().enumerate() {
        groups
            .entry((e.namespace.clone(), e.workload()))
            .or_default()
            .push(i);
    }
    let mut of = vec![0; cluster.endpoints.len()];
    let mut out = Vec::with_capacity(groups.len());
    for (w, ((namespace, key), endpoints)) in groups.into_iter().enumerate() {
        for &e in &endpoints {
            of[e] = w;
        }
        out.push(Workload {
            stem: stem(&key),
            namespace,
            key,
            endpoints,
            selection: None,
        });
    }
    (out, of)
}

/// The stem of a workload's policy names: `deploy/api` → `api`, `app=web` → `web`; lower
/// case letters, digits and `-`.
fn stem(key: &str) -> String {
    let name = key
        .split_once('/')
        .or_else(|| key.split_once('='))
        .map_or(key, |(_, n)| n);
    let mut s: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() { c } else { '-' }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    if s.is_empty() {
        "workload".into()
    } else {
        s.chars().take(200).collect()
    }
}

/// Plans the policies for `wants`.
pub fn plan(cluster: &Cluster, wants: &[Want], options: &Options) -> Plan {
    let (mut workloads, workload_of) = workloads(cluster);
    let mut plan_wants = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut connections: BTreeMap<(Peer, Peer), Connection> = BTreeMap::new();
    let mut host_noted = BTreeSet::new();
    for want in wants {
        let pairs = match resolve(cluster, want, &options.default_namespace) {
            Ok(p) => p,
            Err(e) => {
                problems.push((want.origin.clone(), e));
                continue;
            }
        };
        if want.verdict == Verdict::Deny {
            plan_wants.push(Planned {
                origin: want.origin.clone(),
                verdict: Verdict::Deny,
                pairs,
            });
            continue;
        }
        let mut kept = Vec::new();
        let mut failed = BTreeSet::new();
        for pair in pairs {
            let ends = (
                peers(cluster, &workload_of, pair.src),
                peers(cluster, &workload_of, pair.dst),
            );
            let (srcs, dsts) = match ends {
                (Ok(s), Ok(d)) => (s, d),
                (Err(e), _) | (_, Err(e)) => {
                    failed.insert(e);
                    continue;
                }
            };
            for &p in [pair.src, pair.dst].iter() {
                if let Point::Endpoint(e) = p
                    && cluster.endpoints[e].host_network
                    && host_noted.insert(e)
                {
                    notes.push(format!(
                        "{} is a hostNetwork pod: no policy selects it, so its rules are written for its node's address{}",
                        cluster.endpoints[e].id(),
                        if cluster.endpoints[e].ips.len() == 1 { "" } else { "es" }
                    ));
                }
            }
            if matches!((pair.src, pair.dst), (Point::Endpoint(a), Point::Endpoint(b)) if a == b && cluster.endpoints[a].is_pod())
            {
                // Loopback: never subject to policy.
                kept.push(pair);
                continue;
            }
            if srcs.iter().chain(&dsts).all(|p| matches!(p, Peer::Cidr(_))) {
                failed.insert(
                    "neither end is a pod or workload of the input: no NetworkPolicy applies to it"
                        .to_string(),
                );
                continue;
            }
            let ports = match (pair.port, pair.dst) {
                (Some((p, n)), _) => Ports::List(vec![PortItem {
                    protocol: p,
                    port: n,
                    name: None,
                }]),
                (None, Point::Endpoint(d)) if !cluster.endpoints[d].ports.is_empty() => {
                    let mut items: Vec<PortItem> = cluster.endpoints[d]
                        .ports
                        .iter()
                        .map(|c| PortItem {
                            protocol: c.protocol,
                            port: c.port,
                            name: None,
                        })
                        .collect();
                    items.sort();
                    items.dedup();
                    Ports::List(items)
                }
                (None, _) => Ports::All,
            };
            for &s in &srcs {
                for &d in &dsts {
                    let c = connections.entry((s, d)).or_insert_with(|| Connection {
                        src: s,
                        dst: d,
                        ports: Ports::List(Vec::new()),
                        lines: Vec::new(),
                    });
                    c.ports.add(&ports);
                    let line = Line {
                        origin: want.origin.clone(),
                        port: pair.port,
                    };
                    if !c.lines.contains(&line) {
                        c.lines.push(line);
                    }
                }
            }
            kept.push(pair);
        }
        for e in failed {
            problems.push((want.origin.clone(), e));
        }
        plan_wants.push(Planned {
            origin: want.origin.clone(),
            verdict: Verdict::Allow,
            pairs: kept,
        });
    }
    let mut connections: Vec<Connection> = connections.into_values().collect();
    // Names of ports at their destination.
    for c in &mut connections {
        if let (Peer::Workload(w), Ports::List(items)) = (c.dst, &mut c.ports) {
            for item in items.iter_mut() {
                item.name = port_name(cluster, &workloads[w].endpoints, item.protocol, item.port);
            }
        }
    }
    let dns = dns_plan(cluster, &workloads, options);
    // The namespaces of the ends of the flows; a flow to the cluster DNS on port 53 only
    // (which allow-dns allows) does not cover the DNS's namespace: every pod resolves names.
    let covered: Vec<String> = connections
        .iter()
        .flat_map(|c| {
            let dns_only = matches!(&rule_ports(&dns, c), Ports::List(items) if items.is_empty());
            [Some(c.src), (!dns_only).then_some(c.dst)]
        })
        .filter_map(|p| match p? {
            Peer::Workload(w) => Some(workloads[w].namespace.clone()),
            Peer::Cidr(_) => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Selections for the workloads rules name or select.
    let mut named: BTreeSet<usize> = connections
        .iter()
        .flat_map(|c| [c.src, c.dst])
        .filter_map(|p| match p {
            Peer::Workload(w) => Some(w),
            Peer::Cidr(_) => None,
        })
        .collect();
    if covered.contains(&dns.namespace) {
        named.extend(dns.resolvers.iter().copied());
    }
    for &w in &named {
        let s = choose(cluster, &workloads[w].endpoints);
        if !s.also.is_empty() {
            let also: Vec<String> = s.also.iter().map(|&e| cluster.endpoints[e].id()).collect();
            notes.push(format!(
                "no set of labels tells {} apart from {}: its selector {} selects {} too",
                workloads[w].id(),
                also.join(", "),
                labels_text(&s.labels),
                if also.len() == 1 { "it" } else { "them" }
            ));
        } else if s.volatile {
            notes.push(format!(
                "{} is told apart from the other pods of {} only by a label that changes with releases ({}): update the policies with it",
                workloads[w].id(),
                workloads[w].namespace,
                labels_text(&s.labels)
            ));
        }
        workloads[w].selection = Some(s);
    }
    // An ipBlock matches the pods whose addresses it holds, too.
    let blocks: BTreeSet<IpNet> = connections
        .iter()
        .flat_map(|c| [c.src, c.dst])
        .filter_map(|p| match p {
            Peer::Cidr(net) => Some(net),
            Peer::Workload(_) => None,
        })
        .collect();
    for net in blocks {
        let held: Vec<String> = cluster
            .endpoints
            .iter()
            .filter(|e| !e.host_network && e.ips.iter().any(|ip| net.contains(ip)))
            .map(|e| e.id())
            .collect();
        if !held.is_empty() {
            notes.push(format!(
                "the ipBlock {net} holds the addresses of {}: its rules match {} too",
                held.join(", "),
                if held.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    disambiguate_stems(&mut workloads, &named);
    let namespaces = covered
        .iter()
        .map(|ns| namespace_plan(cluster, ns, &covered, &workloads, &connections, &dns))
        .collect();
    Plan {
        workloads,
        workload_of,
        connections,
        covered,
        namespaces,
        dns,
        wants: plan_wants,
        problems,
        notes,
        sources: options.sources.clone(),
    }
}

/// The peers a point is written as: its workload; a hostNetwork pod as its addresses.
fn peers(cluster: &Cluster, workload_of: &[usize], p: Point) -> Result<Vec<Peer>, String> {
    match p {
        Point::Cidr(net) => Ok(vec![Peer::Cidr(net)]),
        Point::Endpoint(e) => {
            let ep = &cluster.endpoints[e];
            if !ep.host_network {
                return Ok(vec![Peer::Workload(workload_of[e])]);
            }
            if ep.ips.is_empty() {
                return Err(format!(
                    "{} is a hostNetwork pod with no known address: no policy selects it, and as a peer only an ipBlock of its node's address matches it",
                    ep.id()
                ));
            }
            Ok(ep
                .ips
                .iter()
                .map(|&ip: &IpAddr| Peer::Cidr(IpNet::from(ip)))
                .collect())
        }
    }
}

/// The name every endpoint gives the port, if they all give it the same one.
fn port_name(
    cluster: &Cluster,
    endpoints: &[usize],
    protocol: Protocol,
    port: u16,
) -> Option<String> {
    let mut name: Option<&str> = None;
    for &e in endpoints {
        let n = cluster.endpoints[e]
            .ports
            .iter()
            .find(|c| c.protocol == protocol && c.port == port)
            .and_then(|c| c.name.as_deref())?;
        if name.is_some_and(|m| m != n) {
            return None;
        }
        name = Some(n);
    }
    name.map(str::to_string)
}

fn dns_plan(cluster: &Cluster, workloads: &[Workload], options: &Options) -> DnsPlan {
    let dns = &options.dns;
    let resolvers: Vec<usize> = workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            w.namespace == dns.namespace
                && w.endpoints.iter().any(|&e| {
                    let ep = &cluster.endpoints[e];
                    !ep.host_network && has_labels(&ep.labels, &dns.labels)
                })
        })
        .map(|(i, _)| i)
        .collect();
    let members: Vec<usize> = resolvers
        .iter()
        .flat_map(|&w| workloads[w].endpoints.iter().copied())
        .collect();
    let item = |protocol| PortItem {
        protocol,
        port: DNS_PORT,
        name: if members.is_empty() {
            None
        } else {
            port_name(cluster, &members, protocol, DNS_PORT)
        },
    };
    DnsPlan {
        namespace: dns.namespace.clone(),
        labels: dns.labels.clone(),
        resolvers,
        ports: Ports::List(vec![item(Protocol::Udp), item(Protocol::Tcp)]),
    }
}

/// Two workloads of a namespace with one stem (`deploy/web` and `sts/web`) get their kind
/// added (`web-sts`), or a number.
fn disambiguate_stems(workloads: &mut [Workload], named: &BTreeSet<usize>) {
    let mut seen: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for &w in named {
        seen.entry((workloads[w].namespace.clone(), workloads[w].stem.clone()))
            .or_default()
            .push(w);
    }
    for (_, ws) in seen.into_iter().filter(|(_, ws)| ws.len() > 1) {
        for (n, &w) in ws.iter().enumerate().skip(1) {
            let kind = workloads[w]
                .key
                .split_once('/')
                .map(|(k, _)| stem(k))
                .unwrap_or_else(|| (n + 1).to_string());
            workloads[w].stem = format!("{}-{kind}", workloads[w].stem);
        }
    }
}

/// `{app=web,tier=front}`.
pub fn labels_text(labels: &[(String, String)]) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(","))
}

/// How a peer is named in comments.
pub fn peer_name(workloads: &[Workload], p: Peer) -> String {
    match p {
        Peer::Workload(w) => workloads[w].id(),
        Peer::Cidr(net) => net.to_string(),
    }
}

/// `flows.yaml:4`, `hubble.json:3, 7, 9 and 12 more`, `a.json:3, b.csv:2`.
pub fn origins_text(origins: &[&Origin]) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = Vec::new();
    let mut last_file: Option<&str> = None;
    for o in origins.iter().take(SHOWN) {
        if last_file == Some(o.file.as_str()) {
            parts.push(o.line.to_string());
        } else {
            parts.push(o.to_string());
        }
        last_file = Some(&o.file);
    }
    let mut text = parts.join(", ");
    if origins.len() > SHOWN {
        text.push_str(&format!(" and {} more", origins.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::generate::policies::{IGNORE_ANNOTATION, PeerSel, Policy};
    use crate::fix::generate::{End, cluster_of};

    const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, pod-template-hash: abc}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prom, namespace: mon}
spec:
  template:
    metadata: {labels: {app: prom}}
    spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: c, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}
";

    fn want(line: usize, from: &str, to: &str, port: Option<&str>, verdict: Verdict) -> Want {
        let end = |s: &str| match s.parse::<IpNet>() {
            Ok(n) => End::Cidr(n),
            Err(_) => End::Name(s.into()),
        };
        Want {
            origin: Origin {
                file: "f.yaml".into(),
                line,
            },
            from: end(from),
            to: end(to),
            port: port.map(|p| p.parse().unwrap()),
            verdict,
        }
    }

    fn options() -> Options {
        Options {
            default_namespace: "default".into(),
            ..Options::default()
        }
    }

    fn policy<'p>(plan: &'p Plan, ns: &str, name: &str) -> &'p Policy {
        plan.namespace(ns)
            .unwrap()
            .policies
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no {ns}/{name}"))
    }

    #[test]
    fn one_rule_per_peer_at_both_ends() {
        let c = cluster_of(SHOP);
        let wants = [
            want(1, "shop/web", "shop/api", Some("8080"), Verdict::Allow),
            want(2, "mon/prom", "shop/api", Some("9090"), Verdict::Allow),
            want(3, "shop/web", "shop/api", Some("http"), Verdict::Allow),
            want(4, "shop/web", "mon/prom", None, Verdict::Deny),
        ];
        let plan = plan(&c, &wants, &options());
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.covered, vec!["mon".to_string(), "shop".to_string()]);
        let names: Vec<&str> = plan
            .namespace("shop")
            .unwrap()
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "default-deny",
                "allow-dns",
                "allow-api-ingress",
                "allow-web-egress"
            ]
        );
        let api = policy(&plan, "shop", "allow-api-ingress");
        assert_eq!(api.pod_selector, vec![("app".into(), "api".into())]);
        let rules = api.ingress.as_ref().unwrap();
        assert_eq!(rules.len(), 2);
        // Cross-namespace peers name the namespace; ports by name.
        assert_eq!(
            rules[0].peer,
            PeerSel::Pods {
                namespace: Some("mon".into()),
                labels: vec![("app".into(), "prom".into())]
            }
        );
        assert_eq!(
            rules[0].ports,
            Ports::List(vec![PortItem {
                protocol: Protocol::Tcp,
                port: 9090,
                name: Some("metrics".into())
            }])
        );
        // Two lines on one port make one rule naming both.
        assert_eq!(
            rules[1].comment,
            vec!["shop/deploy/web → shop/deploy/api on TCP 8080 (f.yaml:1, 3)".to_string()]
        );
        assert!(api.egress.is_none());
        // The deny is planned (for the check), never a connection.
        assert_eq!(plan.wants[3].verdict, Verdict::Deny);
        assert_eq!(plan.connections.len(), 2);
        let egress = policy(&plan, "mon", "allow-prom-egress");
        assert!(egress.ingress.is_none());
        assert_eq!(egress.egress.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn dns_flows_are_what_allow_dns_allows() {
        let c = cluster_of(SHOP);
        let wants = [
            want(
                1,
                "shop/web",
                "kube-system/coredns",
                Some("53/UDP"),
                Verdict::Allow,
            ),
            want(
                2,
                "kube-system/coredns",
                "192.0.2.53/32",
                Some("53/UDP"),
                Verdict::Allow,
            ),
        ];
        let plan = plan(&c, &wants, &options());
        // web has no egress policy: allow-dns lets it out; its flow is named there.
        assert!(
            !plan
                .namespace("shop")
                .unwrap()
                .policies
                .iter()
                .any(|p| p.name == "allow-web-egress")
        );
        let dns = policy(&plan, "shop", "allow-dns");
        assert!(
            dns.comment.iter().any(|l| l.contains("f.yaml:1")),
            "{:?}",
            dns.comment
        );
        assert_eq!(
            dns.egress.as_ref().unwrap()[0].ports,
            Ports::List(vec![
                PortItem {
                    protocol: Protocol::Udp,
                    port: 53,
                    name: Some("dns".into())
                },
                PortItem {
                    protocol: Protocol::Tcp,
                    port: 53,
                    name: Some("dns-tcp".into())
                },
            ])
        );
        // A lookup does not cover the DNS's namespace; CoreDNS's own flows do, and then
        // CoreDNS admits the covered namespaces.
        assert_eq!(
            super::plan(&c, &wants[..1], &options()).covered,
            vec!["shop".to_string()]
        );
        assert_eq!(
            plan.covered,
            vec!["kube-system".to_string(), "shop".to_string()]
        );
        let ingress = policy(&plan, "kube-system", "allow-coredns-ingress");
        assert_eq!(
            ingress.ingress.as_ref().unwrap()[0].peer,
            PeerSel::Namespaces(vec!["kube-system".into(), "shop".into()])
        );
        let web = c.endpoints.iter().position(|e| e.name == "web").unwrap();
        let dns_ep = c
            .endpoints
            .iter()
            .position(|e| e.name == "coredns")
            .unwrap();
        let (w, d) = (Party::Endpoint(web), Party::Endpoint(dns_ep));
        assert_eq!(plan.allows(&c, w, d).to_string(), "TCP 53; UDP 53");
        assert_eq!(plan.dns_extra(&c, w, d).to_string(), "TCP 53; UDP 53");
        assert_eq!(plan.listed(&c, w, d).to_string(), "UDP 53");
    }

    #[test]
    fn every_port_declared_when_none_is_said_and_addresses_anywhere_annotated() {
        let c = cluster_of(SHOP);
        let wants = [
            want(1, "shop/web", "shop/api", None, Verdict::Allow),
            want(2, "0.0.0.0/0", "shop/web", Some("http"), Verdict::Allow),
            want(3, "192.0.2.0/24", "shop/web", Some("http"), Verdict::Allow),
        ];
        let plan = plan(&c, &wants, &options());
        let api = policy(&plan, "shop", "allow-api-ingress");
        assert_eq!(
            api.ingress.as_ref().unwrap()[0].ports.describe(),
            "TCP 8080,9090"
        );
        let web = policy(&plan, "shop", "allow-web-ingress");
        assert_eq!(
            web.annotations,
            vec![(IGNORE_ANNOTATION.into(), "ingress-from-anywhere".into())]
        );
        // 192.0.2.0/24 is inside 0.0.0.0/0 on the same port: one rule, both flows named.
        let rules = web.ingress.as_ref().unwrap();
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert_eq!(rules[0].comment.len(), 2);
        assert!(rules[0].comment[1].ends_with("within 0.0.0.0/0"));
    }

    #[test]
    fn unmapped_ends_and_external_pairs_are_problems() {
        let c = cluster_of(SHOP);
        let wants = [
            want(1, "shop/nope", "shop/api", None, Verdict::Allow),
            want(
                2,
                "192.0.2.1/32",
                "198.51.100.1/32",
                Some("80"),
                Verdict::Allow,
            ),
            want(3, "shop/web", "shop/web", Some("80"), Verdict::Allow),
        ];
        let plan = plan(&c, &wants, &options());
        let lines: Vec<usize> = plan.problems.iter().map(|(o, _)| o.line).collect();
        assert_eq!(lines, vec![1, 2]);
        assert!(plan.problems[1].1.starts_with("neither end"));
        // Replicas of web reaching each other: ingress and egress rules on web itself.
        let web = policy(&plan, "shop", "allow-web-ingress");
        assert_eq!(
            web.ingress.as_ref().unwrap()[0].peer,
            PeerSel::Pods {
                namespace: None,
                labels: vec![("app".into(), "web".into())]
            }
        );
    }

    #[test]
    fn stems() {
        assert_eq!(stem("deploy/api"), "api");
        assert_eq!(stem("app=Web_Front"), "web-front");
        assert_eq!(stem("web-5d8f-x"), "web-5d8f-x");
        assert_eq!(stem("app=__"), "workload");
    }
}

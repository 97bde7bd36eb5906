//! From wanted flows to policies: endpoints grouped into workloads, flows into connections
//! between workloads and address ranges, connections into one ingress rule at the
//! destination and one egress rule at the source, per peer.
//!
//! A workload is what [`crate::model::Endpoint::workload`] names: a Deployment, StatefulSet
//! or other workload of the input with the pods folded into it, or the pods of a dump that
//! share an owner (a ReplicaSet named after its Deployment) or an application label. Its
//! rules select it by the labels [`crate::fix::labels`] chooses, so every replica may do what
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

use super::policies::{has_labels, namespace_plan, rule_ports};
use super::resolve::{Point, resolve};
use super::{Api, Options, Verdict, Want};
use crate::fix::labels::choose_or_namespace;
use crate::model::{Cluster, Protocol};

mod model;
#[cfg(test)]
mod tests;

pub use model::{
    Connection, DNS_PORT, DnsPlan, Line, Peer, Plan, Planned, PortItem, Ports, Workload,
    labels_text, origins_text, peer_name,
};

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
        let cilium = options.api == Api::Cilium;
        let usable = |k: &str| !(cilium && crate::model::ir::lower::cilium::filtered_out(k));
        let mut s = choose_or_namespace(cluster, &workloads[w].endpoints, usable);
        // matchLabels are written in key order.
        s.labels.sort();
        if !s.exact() {
            let also: Vec<String> = s
                .extra()
                .iter()
                .map(|&e| cluster.endpoints[e].id())
                .collect();
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
    // Not in Cilium: its CIDR rules match only addresses outside the cluster.
    for net in blocks.into_iter().filter(|_| options.api != Api::Cilium) {
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
        api: options.api,
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

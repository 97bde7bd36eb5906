//! The proof of a change: its diff against the original cluster, read as "the asked flow
//! changed, and nothing else did".
//!
//! A connection of the diff is *expected* when its source is a replica of the source's
//! workload and its destination a replica of the destination's
//! ([`crate::fix::labels::members`]; an address outside the cluster is its own only replica),
//! and only the asked port changed the asked way: opened (and nothing closed) for a fix that
//! allows, closed (and nothing opened) for one that denies. The port is the asked number, or,
//! on another replica of the destination, what the destination's name for it resolves to
//! there. Every other changed connection is *extra*: a change is narrow when it has none.

use std::collections::HashMap;
use std::net::IpAddr;

use super::{Expect, Port};
use crate::engine::Party;
use crate::engine::diff::{Diff, Member};
use crate::fix::labels::members;
use crate::model::{Cluster, PortSet};

/// One changed connection, as the proof names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The source (`shop/deploy/frontend`, or an address range).
    pub src: String,
    /// The destination.
    pub dst: String,
    /// The ports opened (`TCP 5432`), `none` when none.
    pub opened: String,
    /// The ports closed, `none` when none.
    pub closed: String,
    /// Whether it is the asked pair itself.
    pub asked: bool,
    /// Whether it changed as asked (the asked pair, or other replicas of the two workloads).
    pub expected: bool,
}

/// What a change did, judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Every connection it changed: expected ones first (the asked pair first of all).
    pub flows: Vec<Flow>,
    /// Whether it changed nothing but the asked flow.
    pub narrow: bool,
    /// The proof in one line: `opens 1 connection: a → b on TCP 5432; closes none`.
    pub line: String,
}

impl Proof {
    /// The connections changed besides the asked flow.
    pub fn extra(&self) -> impl Iterator<Item = &Flow> {
        self.flows.iter().filter(|f| !f.expected)
    }
}

/// A diff read against the asked flow.
#[derive(Clone, Debug)]
pub struct Verdict {
    flows: Vec<Flow>,
}

impl Verdict {
    /// Whether nothing but the asked flow changed.
    pub fn narrow(&self) -> bool {
        self.flows.iter().all(|f| f.expected)
    }

    /// How many other connections changed.
    pub fn extra(&self) -> usize {
        self.flows.iter().filter(|f| !f.expected).count()
    }
}

/// One end of the asked flow: the replicas of its workload.
struct End {
    /// Endpoint ids of the replicas, the asked one first (empty for an address).
    ids: Vec<String>,
    /// The address, for an address.
    ip: Option<IpAddr>,
    /// The known IPs of the replicas: a range of addresses outside the cluster that are all
    /// replicas' IPs stands for them (an ipBlock sees pods by their IPs).
    ips: Vec<IpAddr>,
}

impl End {
    fn new(cluster: &Cluster, p: Party) -> End {
        match p {
            Party::Endpoint(i) => {
                let mut ids = vec![cluster.endpoints[i].id()];
                let mut ips = Vec::new();
                for m in members(cluster, i) {
                    let id = cluster.endpoints[m].id();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                    ips.extend(cluster.endpoints[m].ips.iter().copied());
                }
                End { ids, ip: None, ips }
            }
            Party::Address(ip) => End {
                ids: Vec::new(),
                ip: Some(ip),
                ips: Vec::new(),
            },
        }
    }

    fn holds(&self, m: &Member) -> bool {
        match (m, self.ip) {
            (Member::Endpoint { id, .. }, None) => self.ids.contains(id),
            (Member::External(r), Some(ip)) => r.contains(ip),
            (Member::External(r), None) => {
                // Every address of the range is a replica's IP.
                let inside: std::collections::BTreeSet<&IpAddr> =
                    self.ips.iter().filter(|ip| r.contains(**ip)).collect();
                inside.len() as u128 == r.end - r.start + 1
            }
            _ => false,
        }
    }

    fn is_asked(&self, m: &Member) -> bool {
        match (m, self.ip) {
            (Member::Endpoint { id, .. }, None) => self.ids.first() == Some(id),
            (Member::External(r), Some(ip)) => r.contains(ip),
            _ => false,
        }
    }
}

/// Judges diffs against one asked flow.
pub struct Judge {
    expect: Expect,
    src: End,
    dst: End,
    /// The ports the flow is on at each replica of the destination, by id.
    ports: HashMap<String, PortSet>,
    /// The port at an address.
    port: PortSet,
}

impl Judge {
    /// A judge of changes to `src → dst` on `port`.
    pub fn new(cluster: &Cluster, src: Party, dst: Party, port: &Port, expect: Expect) -> Judge {
        let single = PortSet::single(port.protocol, port.number);
        let dst_end = End::new(cluster, dst);
        let mut ports = HashMap::new();
        for id in &dst_end.ids {
            let Some(e) = cluster.endpoints.iter().find(|e| &e.id() == id) else {
                continue;
            };
            let mut set = single.clone();
            if let Some(name) = &port.name {
                for c in &e.ports {
                    if c.protocol == port.protocol && c.name.as_deref() == Some(name.as_str()) {
                        set.union_with(&PortSet::single(c.protocol, c.port));
                    }
                }
            }
            ports.insert(id.clone(), set);
        }
        Judge {
            expect,
            src: End::new(cluster, src),
            dst: dst_end,
            ports,
            port: single,
        }
    }

    /// Reads a diff of the original cluster against the changed one.
    pub fn verdict(&self, diff: &Diff) -> Verdict {
        let mut flows: Vec<Flow> = diff
            .connections
            .iter()
            .map(|c| {
                let (opened, closed) = (c.opened(), c.closed());
                let within = self.src.holds(&c.src) && self.dst.holds(&c.dst);
                let at = match &c.dst {
                    Member::Endpoint { id, .. } => self.ports.get(id).unwrap_or(&self.port),
                    Member::External(_) => &self.port,
                };
                let expected = within
                    && match self.expect {
                        Expect::Allow => {
                            closed.is_empty() && !opened.is_empty() && at.contains_set(&opened)
                        }
                        Expect::Deny => {
                            opened.is_empty() && !closed.is_empty() && at.contains_set(&closed)
                        }
                    };
                Flow {
                    src: c.src.id(),
                    dst: c.dst.id(),
                    opened: opened.to_string(),
                    closed: closed.to_string(),
                    asked: self.src.is_asked(&c.src) && self.dst.is_asked(&c.dst),
                    expected,
                }
            })
            .collect();
        flows.sort_by_key(|f| (!f.asked, !f.expected));
        Verdict { flows }
    }

    /// The proof of a verdict.
    pub fn proof(&self, v: &Verdict) -> Proof {
        let opened: Vec<&Flow> = v.flows.iter().filter(|f| f.opened != "none").collect();
        let closed: Vec<&Flow> = v.flows.iter().filter(|f| f.closed != "none").collect();
        let line = format!(
            "opens {}; closes {}",
            self.list(&opened, |f| &f.opened),
            self.list(&closed, |f| &f.closed)
        );
        Proof {
            flows: v.flows.clone(),
            narrow: v.narrow(),
            line,
        }
    }

    /// `none`, or `N connection(s): a → b on TCP 5432, ...`: the asked pair, the other
    /// replicas counted, then every other connection named (the first few).
    fn list(&self, flows: &[&Flow], ports: impl Fn(&Flow) -> &String) -> String {
        if flows.is_empty() {
            return "none".into();
        }
        let n = flows.len();
        let mut parts = Vec::new();
        for f in flows.iter().filter(|f| f.asked) {
            parts.push(format!("{} → {} on {}", f.src, f.dst, ports(f)));
        }
        let replicas = flows.iter().filter(|f| f.expected && !f.asked).count();
        if replicas > 0 {
            parts.push(format!(
                "the same between {replicas} other {} of the two workloads",
                if replicas == 1 {
                    "pair of replicas"
                } else {
                    "pairs of replicas"
                }
            ));
        }
        const SHOWN: usize = 5;
        let others: Vec<&&Flow> = flows.iter().filter(|f| !f.expected).collect();
        for f in others.iter().take(SHOWN) {
            parts.push(format!("{} → {} on {} (not asked)", f.src, f.dst, ports(f)));
        }
        if others.len() > SHOWN {
            parts.push(format!("{} more not asked", others.len() - SHOWN));
        }
        format!(
            "{n} {}: {}",
            if n == 1 { "connection" } else { "connections" },
            parts.join(", ")
        )
    }
}

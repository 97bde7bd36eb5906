//! What a plan is made of: workloads, peers, ports, connections, the cluster DNS, the
//! wants resolved, and how they are named in comments and messages.

use ipnet::IpNet;

use super::super::resolve::Pair;
use super::super::{Origin, Verdict};
use crate::engine::Party;
use crate::fix::generate::policies::NamespacePlan;
use crate::fix::labels::Choice;
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
    pub selection: Option<Choice>,
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

    pub(in crate::fix::generate) fn add(&mut self, other: &Ports) {
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
    pub(in crate::fix::generate) fn covers(&self, other: &Ports) -> bool {
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
    /// The policy API written.
    pub api: super::super::Api,
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

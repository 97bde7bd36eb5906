//! Why a connection is allowed or denied: the evaluator's trace ([`super::evaluate`]) for one
//! connection and one port (or all), and the plain words for why a peer matched or which of
//! its conditions failed — the selector and the label that decided, the except that held an
//! address, the namespace a peer is confined to.

use std::net::IpAddr;

use super::Party;
use super::evaluate::{Side, connection};
use super::matching::{EndpointCarrier, addresses, test_holds};
use crate::model::ip::AddrRange;
use crate::model::ir::{Cond, Term, Test};
use crate::model::labels::describe_failures;
use crate::model::ports::PortRange;
use crate::model::selector::{Carrier, Expr, Scope};
use crate::model::{Cluster, PortSet, Protocol};

/// A connection, explained.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The port asked about, resolved to a number (None: every port, or a range).
    pub query: Option<(Protocol, u16)>,
    /// The range of ports asked about instead of one (`can-reach --port 8080-8090`); `query`
    /// is None then.
    pub range: Option<PortRange>,
    /// The source is the destination pod: loopback, never subject to policy.
    pub loopback: bool,
    /// Egress, at the source.
    pub egress: Side,
    /// Ingress, at the destination.
    pub ingress: Side,
    /// The ports allowed end to end.
    pub allowed: PortSet,
}

impl Explanation {
    /// Whether the connection is allowed: on the port asked about, on every port of the
    /// range asked about, or (neither asked) on some port.
    pub fn is_allowed(&self) -> bool {
        match self.asked() {
            Some(r) => r.within(&self.allowed),
            None => !self.allowed.is_empty(),
        }
    }

    /// The ports asked about, a single port as a range of one (None: every port).
    pub fn asked(&self) -> Option<PortRange> {
        self.range
            .or_else(|| self.query.map(|(p, n)| PortRange::single(p, n)))
    }
}

/// Explains `src → dst` (on `query`, or on every port).
pub fn explain(
    cluster: &Cluster,
    src: Party,
    dst: Party,
    query: Option<(Protocol, u16)>,
) -> Explanation {
    let c = connection(cluster, src, dst);
    Explanation {
        src,
        dst,
        query,
        range: None,
        loopback: c.loopback,
        egress: c.egress,
        ingress: c.ingress,
        allowed: c.allowed,
    }
}

/// Explains `src → dst` on a range of ports (one port when the range holds one).
pub fn explain_range(cluster: &Cluster, src: Party, dst: Party, range: PortRange) -> Explanation {
    if range.is_single() {
        return explain(cluster, src, dst, Some((range.protocol, range.first)));
    }
    Explanation {
        range: Some(range),
        ..explain(cluster, src, dst, None)
    }
}

/// The name of a party as shown in explanations.
pub fn party_name(cluster: &Cluster, party: Party) -> String {
    match party {
        Party::Endpoint(i) => cluster.endpoints[i].id(),
        Party::Address(ip) => match cluster.fqdn_at(ip) {
            Some(name) => name.to_string(),
            None => ip.to_string(),
        },
    }
}

/// Why a term holds for the party: `namespaceSelector {team=red} matches namespace a and
/// podSelector {app=web} matches a/web`, `ipBlock 10.0.0.0/8 holds 10.1.2.3`.
pub fn term_matched(cluster: &Cluster, term: &Term, party: Party) -> String {
    let name = party_name(cluster, party);
    let mut parts = Vec::new();
    let mut tail = Vec::new();
    for c in &term.conds {
        match (&c.test, c.negated) {
            (Test::PodNetwork, false) => {}
            (Test::Namespace(ns), false) => tail.push(format!("in {}", namespace_phrase(c, ns))),
            (Test::Selector { expr, .. }, false) => {
                parts.push(match (only_scope(expr), party) {
                    (Some(Scope::Namespace), Party::Endpoint(i)) => format!(
                        "{} matches namespace {}",
                        c.what, cluster.endpoints[i].namespace
                    ),
                    _ => format!("{} matches {name}", c.what),
                });
            }
            (Test::Nets { .. }, false) => {
                let ip = held_address(cluster, c, party);
                parts.push(match party {
                    Party::Endpoint(_) => format!("{} holds {name} (IP {ip})", c.what),
                    Party::Address(_) => format!("{} holds {ip}", c.what),
                });
            }
            (Test::Nodes(_), false) => parts.push(format!("{} have the IP of {name}", c.what)),
            (Test::World, false) => {
                parts.push(format!("{name} is outside the cluster ({})", c.what))
            }
            (Test::Node(n), false) => parts.push(format!("{name} is node {n} ({})", c.what)),
            (Test::OnNode(n), false) => tail.push(format!("on node {n}")),
            (Test::Fqdn(_), false) => parts.push(format!("{} matches {name}", c.what)),
            (Test::Family(_), false) => {}
            (Test::Service { .. }, false) => {
                parts.push(format!("{name} is a backend of {}", c.what))
            }
            (Test::World, true) => parts.push(format!("{name} is inside the cluster ({})", c.what)),
            (_, true) => parts.push(format!("{name} is not in {}", c.what)),
        }
    }
    let mut text = parts.join(" and ");
    for t in tail {
        if text.is_empty() {
            text = format!("{name} is {t}");
        } else {
            text.push(' ');
            text.push_str(&t);
        }
    }
    text
}

fn namespace_phrase(c: &Cond, ns: &str) -> String {
    if c.what.starts_with("the policy's namespace") {
        c.what.clone()
    } else {
        format!("namespace {ns}")
    }
}

/// The scope an expression reads, when it reads one only.
fn only_scope(expr: &Expr) -> Option<Scope> {
    match expr.scopes().as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn held_address(cluster: &Cluster, c: &Cond, party: Party) -> String {
    addresses(cluster, &party)
        .into_iter()
        .find(|&ip| test_holds(cluster, &c.test, Party::Address(ip)))
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// Why condition `cond` of `term` fails for the party.
pub fn cond_missed(cluster: &Cluster, term: &Term, cond: usize, party: Party) -> String {
    let c = &term.conds[cond];
    let name = party_name(cluster, party);
    if c.negated {
        return match &c.test {
            Test::Nets { .. } => format!(
                "{} holds {}",
                c.what,
                match party {
                    Party::Endpoint(_) =>
                        format!("{name} (IP {})", held_address(cluster, c, party)),
                    Party::Address(_) => name,
                }
            ),
            Test::World => format!("{name} is outside the cluster, not in {}", c.what),
            _ => format!("{} excludes {name}", c.what),
        };
    }
    let ep = match party {
        Party::Endpoint(i) => Some(&cluster.endpoints[i]),
        Party::Address(_) => None,
    };
    match &c.test {
        Test::PodNetwork => match ep {
            Some(e) => format!(
                "{} uses the host network: selectors never match it, only an address block holding its node's IP",
                e.id()
            ),
            None => {
                let what: Vec<&str> = term
                    .conds
                    .iter()
                    .filter(|c| !matches!(c.test, Test::PodNetwork | Test::Namespace(_)))
                    .map(|c| c.what.as_str())
                    .collect();
                let what = if what.is_empty() {
                    "an empty peer".to_string()
                } else {
                    what.join(" + ")
                };
                format!("{what} selects pods; {name} is an address outside the cluster")
            }
        },
        Test::Namespace(ns) => {
            let Some(e) = ep else {
                return format!(
                    "{name} is an address outside the cluster, not a pod of namespace {ns}"
                );
            };
            let pods = term.conds.iter().find(|c| {
                matches!(&c.test, Test::Selector { expr, .. } if only_scope(expr) == Some(Scope::Own))
            });
            match pods {
                Some(p) if c.what.starts_with("the policy's namespace") => format!(
                    "{} without namespaceSelector selects pods of namespace {ns} only; {} is in namespace {}",
                    p.what,
                    e.id(),
                    e.namespace
                ),
                _ => format!("{} is in namespace {}, not {ns}", e.id(), e.namespace),
            }
        }
        Test::Selector { expr, .. } => {
            let Some(e) = ep else {
                return format!(
                    "{} selects pods; {name} is an address outside the cluster",
                    c.what
                );
            };
            let carrier = EndpointCarrier { cluster, ep: e };
            match only_scope(expr) {
                Some(Scope::Namespace) => {
                    let ns = cluster.ns(e.ns);
                    let why = failures(expr, Scope::Namespace, &carrier)
                        .map(|f| format!(": {f}"))
                        .unwrap_or_default();
                    format!("{} does not match namespace {}{why}", c.what, ns.name)
                }
                _ => {
                    let why = failures(expr, Scope::Own, &carrier)
                        .map(|f| format!(": {f}"))
                        .unwrap_or_default();
                    format!("{} does not match {}{why}", c.what, e.id())
                }
            }
        }
        Test::Nets { nets, except } => {
            let ips = addresses(cluster, &party);
            match ep {
                Some(e) if ips.is_empty() => format!(
                    "{} matches addresses, and {} has no known IP in the input (no status.podIP)",
                    c.what,
                    e.id()
                ),
                Some(e) => {
                    let reasons: Vec<String> = ips
                        .iter()
                        .map(|&ip| net_miss(c, nets, except, ip))
                        .collect();
                    format!("{} ({})", reasons.join("; "), e.id())
                }
                None => ips
                    .first()
                    .map(|&ip| net_miss(c, nets, except, ip))
                    .unwrap_or_default(),
            }
        }
        Test::Nodes(_) => format!("{name} is not an address of {}", c.what),
        Test::World => match ep {
            Some(e) => format!("{} is a pod of the cluster, not {}", e.id(), c.what),
            None => format!(
                "{name} is inside the cluster (a node's address or in a node's pod CIDR), not {}",
                c.what
            ),
        },
        Test::Node(n) => format!("{name} is not node {n} ({})", c.what),
        Test::Fqdn(_) => match party {
            Party::Address(ip) if cluster.fqdn_at(ip).is_some() => {
                format!("{} does not match {name}", c.what)
            }
            _ => format!(
                "{} matches DNS names; {name} is not one (an address whose name is not known: ask with the name)",
                c.what
            ),
        },
        Test::OnNode(n) => match ep.and_then(|e| e.node_name.as_deref()) {
            Some(other) => format!("{name} runs on node {other}, not {n}"),
            None => format!("{name} has no spec.nodeName: the node it runs on is not known"),
        },
        Test::Family(_) => format!("{name} is not reached over {}", c.what),
        Test::Service { .. } => format!("{name} is not a backend of {}", c.what),
    }
}

/// `tier=web, not backend`: the requirements of `scope` the carrier fails, when the
/// expression is a conjunction of simple requirements there.
fn failures(expr: &Expr, scope: Scope, carrier: &dyn Carrier) -> Option<String> {
    let reqs = expr.requirements(scope)?;
    let labels = crate::model::Labels::from_pairs(reqs.iter().filter_map(|r| {
        carrier
            .label(&crate::model::selector::Key {
                scope,
                name: r.key.clone(),
            })
            .map(|v| (r.key.clone(), v.to_string()))
    }));
    let failed: Vec<_> = reqs.into_iter().filter(|r| !r.matches(&labels)).collect();
    (!failed.is_empty()).then(|| describe_failures(&failed, &labels))
}

fn net_miss(c: &Cond, nets: &[ipnet::IpNet], except: &[ipnet::IpNet], ip: IpAddr) -> String {
    let cidr = c
        .what
        .split_once(' ')
        .map_or(c.what.as_str(), |(field, _)| field);
    let Some(net) = nets.iter().find(|n| AddrRange::from_net(n).contains(ip)) else {
        let list: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        return if list.is_empty() {
            format!("{} holds no valid address", c.what)
        } else {
            format!("{ip} is outside {cidr} {}", list.join(", "))
        };
    };
    match except.iter().find(|e| AddrRange::from_net(e).contains(ip)) {
        Some(e) => format!("{ip} is in {cidr} {net} but excepted by {e}"),
        None => format!("{ip} does not match {}", c.what),
    }
}

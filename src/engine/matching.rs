//! Whether a condition, term or match of the policy model holds for a party: the plain
//! statement of what selectors, nets and nodes mean, shared by the evaluator, the
//! explanations and the linter.
//!
//! - Label selectors see pods on the pod network only: never an address outside the
//!   cluster, never a hostNetwork pod (whose traffic carries its node's IP). A Calico selector
//!   also holds for an address (or a pod) whose IP lies in a network set it selects.
//! - Nets hold for addresses in a net and in no except: external addresses, and pods by
//!   their known IPs (as the upstream conformance tests expect, and as Calico does).
//! - Nodes hold for the addresses in the matching Nodes' status.
//! - A service holds for its backends: pods of its namespace its selector picks.
//! - An IP family holds for parties of that family (pods without a known IP: IPv4).

use std::net::IpAddr;

use ipnet::IpNet;

use super::Party;
use crate::model::calico::NetworkSet;
use crate::model::ip::{AddrRange, Family, ip_key, parse_cidr};
use crate::model::ir::lower::cilium;
use crate::model::ir::{Cond, Match, Source, Term, Test};
use crate::model::selector::{Carrier, Expr, Key, Scope};
use crate::model::{Cluster, Endpoint, Labels, NAMESPACE_NAME_LABEL};

/// The outcome of a match for a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchResult {
    /// The match holds every party.
    All,
    /// This term holds (the first that does).
    Matched(usize),
    /// No term holds: for each, the first condition that fails.
    Missed(Vec<(usize, usize)>),
}

impl MatchResult {
    /// Whether the party is matched.
    pub fn holds(&self) -> bool {
        !matches!(self, MatchResult::Missed(_))
    }
}

/// A pod as a selector sees it: its labels, its namespace's, its service account's.
pub struct EndpointCarrier<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The pod.
    pub ep: &'a Endpoint,
}

impl Carrier for EndpointCarrier<'_> {
    fn label(&self, key: &Key) -> Option<&str> {
        match key.scope {
            Scope::Own => self.ep.labels.get(&key.name),
            Scope::Namespace => self.cluster.ns(self.ep.ns).labels.get(&key.name),
            Scope::ServiceAccount => {
                let sa = self
                    .cluster
                    .service_account(&self.ep.namespace, &self.ep.service_account)?;
                if key.name == SA_NAME_LABEL {
                    Some(sa.name.as_str())
                } else {
                    sa.labels.get(&key.name)
                }
            }
            Scope::Meta => match key.name.as_str() {
                ORCHESTRATOR_LABEL => Some("k8s"),
                SERVICE_ACCOUNT_LABEL | cilium::SERVICE_ACCOUNT => {
                    Some(self.ep.service_account.as_str())
                }
                cilium::CLUSTER => Some(cilium::DEFAULT_CLUSTER_NAME),
                _ => None,
            },
        }
    }

    fn namespaced(&self) -> bool {
        true
    }
}

/// What Calico sets on every pod: `projectcalico.org/orchestrator: k8s`.
pub const ORCHESTRATOR_LABEL: &str = "projectcalico.org/orchestrator";
/// What Calico sets on every pod with a service account: its name.
pub const SERVICE_ACCOUNT_LABEL: &str = "projectcalico.org/serviceaccount";
/// The label of a service account's profile that holds its name (`pcsa.projectcalico.org/name`).
pub const SA_NAME_LABEL: &str = "projectcalico.org/name";

/// A Calico network set as a selector sees it: its own labels, then its namespace's.
///
/// Calico strips `pcns.`/`pcsa.` labels from pods only: a network set keeps them as written
/// (`networksetprocessor.go`, `globalnetworksetprocessor.go`), and its own label wins over
/// the one it inherits from its namespace's profile (`named_port_index.go`,
/// `endpointData.GetHandle`). So a set labelled `pcns.team: a` is in a namespace labelled
/// `team: a` as far as a `namespaceSelector` can tell.
pub struct NetworkSetCarrier<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The set.
    pub set: &'a NetworkSet,
}

impl Carrier for NetworkSetCarrier<'_> {
    fn label(&self, key: &Key) -> Option<&str> {
        let own = |name: &str| self.set.labels.get(name);
        // The set's own `prefix` + `name` label, without building the key.
        let prefixed = |prefix: &str, name: &str| {
            self.set
                .labels
                .iter()
                .find(|(k, _)| k.strip_prefix(prefix) == Some(name))
                .map(|(_, v)| v)
        };
        match key.scope {
            Scope::Own | Scope::Meta => own(&key.name),
            Scope::Namespace => {
                let written = prefixed("pcns.", &key.name).or_else(|| {
                    (key.name == NAMESPACE_NAME_LABEL)
                        .then(|| own("pcns.projectcalico.org/name"))
                        .flatten()
                });
                if written.is_some() {
                    return written;
                }
                let ns = self.set.namespace.as_deref()?;
                match self.cluster.ns_id(ns) {
                    Some(id) => self.cluster.ns(id).labels.get(&key.name),
                    None => (key.name == NAMESPACE_NAME_LABEL).then_some(ns),
                }
            }
            Scope::ServiceAccount => prefixed("pcsa.", &key.name),
        }
    }

    fn namespaced(&self) -> bool {
        self.set.namespace.is_some()
    }
}

/// The nets of a network set that parse (validation reports the others).
pub fn network_set_nets(set: &NetworkSet) -> impl Iterator<Item = IpNet> + '_ {
    set.nets.iter().filter_map(|n| {
        parse_cidr(n)
            .ok()
            .or_else(|| n.parse::<IpAddr>().ok().map(IpNet::from))
    })
}

/// Labels alone as a carrier: a Node, or anything outside every namespace.
pub struct LabelCarrier<'a>(pub &'a Labels);

impl Carrier for LabelCarrier<'_> {
    fn label(&self, key: &Key) -> Option<&str> {
        match key.scope {
            Scope::Own => self.0.get(&key.name),
            _ => None,
        }
    }

    fn namespaced(&self) -> bool {
        false
    }
}

/// The addresses of a party (a pod's known IPs).
pub fn addresses(cluster: &Cluster, party: &Party) -> Vec<IpAddr> {
    match party {
        Party::Endpoint(i) => cluster.endpoints[*i].ips.clone(),
        Party::Address(ip) => vec![*ip],
    }
}

/// Whether a selector expression holds for a pod (on the pod network).
pub fn selects(cluster: &Cluster, expr: &Expr, ep: &Endpoint) -> bool {
    !ep.host_network && expr.matches(&EndpointCarrier { cluster, ep })
}

/// Whether the test holds for the party (ignoring the condition's negation).
pub fn test_holds(cluster: &Cluster, test: &Test, party: Party) -> bool {
    // An IPv4-mapped IPv6 address is the IPv4 address (see `ip_key`); the loader stores
    // node and pod addresses that way.
    let party = match party {
        Party::Address(ip) => Party::Address(ip.to_canonical()),
        p => p,
    };
    let endpoint = match party {
        Party::Endpoint(i) => Some(&cluster.endpoints[i]),
        Party::Address(_) => None,
    };
    match test {
        Test::PodNetwork => endpoint.is_some_and(|e| !e.host_network),
        Test::Namespace(ns) => endpoint.is_some_and(|e| e.namespace == *ns),
        Test::Selector { expr, network_sets } => {
            endpoint.is_some_and(|e| selects(cluster, expr, e))
                || (*network_sets && in_network_set(cluster, expr, &party))
        }
        Test::Nets { nets, except } => addresses(cluster, &party).iter().any(|&ip| {
            nets.iter().any(|n| AddrRange::from_net(n).contains(ip))
                && !except.iter().any(|n| AddrRange::from_net(n).contains(ip))
        }),
        Test::Nodes(expr) => {
            let ips = addresses(cluster, &party);
            cluster
                .nodes
                .iter()
                .filter(|n| expr.matches(&LabelCarrier(&n.labels)))
                .any(|n| n.addresses.iter().any(|a| ips.contains(a)))
        }
        Test::World => match party {
            Party::Endpoint(_) => false,
            Party::Address(ip) => in_world(cluster, ip),
        },
        Test::Node(name) => match party {
            Party::Endpoint(i) => {
                let e = &cluster.endpoints[i];
                (e.host_network && e.node_name.as_deref() == Some(name.as_str()))
                    || cluster
                        .nodes
                        .iter()
                        .any(|n| n.name == *name && n.addresses.iter().any(|a| e.ips.contains(a)))
            }
            Party::Address(ip) => cluster
                .nodes
                .iter()
                .any(|n| n.name == *name && n.addresses.contains(&ip)),
        },
        Test::Fqdn(sel) => match party {
            Party::Address(ip) => cluster.fqdn_at(ip).is_some_and(|n| sel.matches(n)),
            Party::Endpoint(_) => false,
        },
        Test::OnNode(name) => endpoint
            .is_some_and(|e| !e.host_network && e.node_name.as_deref() == Some(name.as_str())),
        Test::Family(f) => match party {
            Party::Address(ip) => family(ip) == *f,
            Party::Endpoint(i) => {
                let ips = &cluster.endpoints[i].ips;
                ips.iter().any(|&ip| family(ip) == *f) || (ips.is_empty() && *f == Family::V4)
            }
        },
        Test::Service { namespace, name } => {
            endpoint.is_some_and(|e| service_selects(cluster, namespace, name, e))
        }
    }
}

/// Whether an address is outside the cluster (Cilium's `world`): no Node's address, in no
/// Node's pod CIDR.
pub fn in_world(cluster: &Cluster, ip: IpAddr) -> bool {
    !cluster.nodes.iter().any(|n| {
        n.addresses.contains(&ip)
            || n.pod_cidrs
                .iter()
                .any(|c| AddrRange::from_net(c).contains(ip))
    })
}

/// An address's family, an IPv4-mapped IPv6 address being IPv4 (see [`ip_key`]).
fn family(ip: IpAddr) -> Family {
    ip_key(ip).0
}

/// Whether an address of the party lies in a network set the expression selects.
fn in_network_set(cluster: &Cluster, expr: &Expr, party: &Party) -> bool {
    let ips = addresses(cluster, party);
    !ips.is_empty()
        && cluster
            .network_sets
            .iter()
            .filter(|set| expr.matches(&NetworkSetCarrier { cluster, set }))
            .flat_map(network_set_nets)
            .any(|net| ips.iter().any(|&ip| AddrRange::from_net(&net).contains(ip)))
}

/// Whether a Service of the input selects the pod (a Service without selector, or not in the
/// input, selects none here).
pub fn service_selects(cluster: &Cluster, namespace: &str, name: &str, ep: &Endpoint) -> bool {
    !ep.host_network
        && ep.namespace == namespace
        && cluster
            .services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
            .and_then(|s| s.selector.as_ref())
            .is_some_and(|sel| {
                !sel.is_empty() && sel.iter().all(|(k, v)| ep.labels.get(k) == Some(v))
            })
}

/// Whether the condition holds for the party.
pub fn cond_holds(cluster: &Cluster, cond: &Cond, party: Party) -> bool {
    test_holds(cluster, &cond.test, party) != cond.negated
}

/// The first condition of the term that fails for the party, if any.
pub fn term_fails(cluster: &Cluster, term: &Term, party: Party) -> Option<usize> {
    term.conds
        .iter()
        .position(|c| !cond_holds(cluster, c, party))
}

/// Whether the match holds for the party, and through which term (or why not).
pub fn match_result(cluster: &Cluster, m: &Match, party: Party) -> MatchResult {
    let Match::Any(terms) = m else {
        return MatchResult::All;
    };
    let mut misses = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        match term_fails(cluster, t, party) {
            None => return MatchResult::Matched(i),
            Some(c) => misses.push((i, c)),
        }
    }
    MatchResult::Missed(misses)
}

/// Whether the policy lowered from `source` applies to endpoint `ep` (false when it was not
/// lowered: not applied).
pub fn source_selects(cluster: &Cluster, source: Source, ep: usize) -> bool {
    cluster.ir.policy_of(source).is_some_and(|p| {
        matches(
            cluster,
            &cluster.ir.policies[p].subject,
            Party::Endpoint(ep),
        )
    })
}

/// Whether the match holds for the party.
pub fn matches(cluster: &Cluster, m: &Match, party: Party) -> bool {
    match m {
        Match::All => true,
        Match::Any(terms) => terms
            .iter()
            .any(|t| term_fails(cluster, t, party).is_none()),
    }
}

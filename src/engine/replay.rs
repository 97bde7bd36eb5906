//! Replaying recorded traffic ([`crate::load::flows`]) against manifests: each flow's ends
//! mapped to the model ([`locate`]), each distinct (source, destination, protocol, port)
//! evaluated with the one evaluator ([`super::explain::explain`], as `can-reach` does), and
//! the flows whose verdict changes — against the old manifests, or against what the
//! recording says happened — grouped by workload pair with what decided them ([`Decider`]).
//!
//! Invariants: every flow read is counted exactly once in [`Replay`]: changed (in a
//! [`Group`]), unchanged, not compared (a verdict that is not a policy's), or unmapped (with
//! why). Reasons ([`Decider`]) name policies of the new cluster.

use std::collections::{BTreeMap, HashMap};

use super::Party;
use super::evaluate::Side;
use super::explain::{Explanation, explain, party_name};
use super::target::{Scope, Target, resolve_in};
use crate::load::flows::{FlowFile, Observed, Peer};
use crate::model::ir::{Action, EndAction, PolicyId, TierId};
use crate::model::{Cluster, Direction, Protocol};

/// Maps one end of a flow to a party of `cluster`: by namespace and pod name (a pod of the
/// input, or the workload a pod's name says it belongs to); else by IP (the pod IPs the
/// manifests hold); else, in its namespace, by labels (the one pod or workload whose labels
/// the flow's labels all include); an IP outside every pod with no namespace is an address
/// outside the cluster. A CSV name is read as can-reach reads one. Err: why it maps to
/// nothing (or to several).
pub fn locate(cluster: &Cluster, peer: &Peer) -> Result<Party, String> {
    if let Some(name) = &peer.name {
        return match resolve_in(cluster, name, Scope::Anywhere) {
            Ok(r) => match r.target {
                Target::Party(p) => Ok(p),
                Target::Service { .. } => Err(format!(
                    "{name} is a Service: name the pod or workload behind it"
                )),
            },
            Err(e) => Err(e),
        };
    }
    let mut tried = Vec::new();
    if let (Some(ns), Some(pod)) = (&peer.namespace, &peer.pod) {
        if let Ok(r) = resolve_in(cluster, &format!("{ns}/{pod}"), Scope::Anywhere)
            && let Target::Party(p @ Party::Endpoint(_)) = r.target
        {
            return Ok(p);
        }
        tried.push(format!("no pod or workload {ns}/{pod}"));
    }
    if let Some(ip) = peer.ip {
        if let Some(i) = cluster.endpoint_with_ip(ip) {
            return Ok(Party::Endpoint(i));
        }
        if peer.namespace.is_none() {
            return Ok(Party::Address(ip));
        }
        tried.push(format!("no pod with IP {ip}"));
    }
    if let Some(ns) = &peer.namespace {
        if !peer.labels.is_empty() {
            let has = |k: &str, v: &str| peer.labels.iter().any(|(a, b)| a == k && b == v);
            let found: Vec<usize> = cluster
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    &e.namespace == ns
                        && !e.labels.is_empty()
                        && e.labels.iter().all(|(k, v)| has(k, v))
                })
                .map(|(i, _)| i)
                .collect();
            let labels: Vec<String> = peer
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            match found.as_slice() {
                [one] => return Ok(Party::Endpoint(*one)),
                [] => tried.push(format!(
                    "the labels {} match no pod or workload of {ns}",
                    labels.join(",")
                )),
                several => {
                    let ids: Vec<String> =
                        several.iter().map(|&i| cluster.endpoints[i].id()).collect();
                    tried.push(format!(
                        "labels {} match {} pods and workloads ({})",
                        labels.join(","),
                        several.len(),
                        ids.join(", ")
                    ));
                }
            }
        } else {
            tried.push("no labels".into());
        }
    }
    if tried.is_empty() {
        return Err("no namespace, pod name, IP or labels".into());
    }
    Err(tried.join("; "))
}

/// What decided a port on one side of a connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decider {
    /// A rule matched and decided it (Allow or Deny).
    Rule {
        /// Egress (at the source) or ingress (at the destination).
        direction: Direction,
        /// Its policy.
        policy: PolicyId,
        /// Its index in the policy's rules of the direction.
        rule: usize,
        /// What it did.
        action: Action,
    },
    /// No rule decided it and the end of an isolating tier denied it.
    End {
        /// The direction.
        direction: Direction,
        /// The tier.
        tier: TierId,
        /// The policies of the tier that isolate the endpoint in this direction.
        isolating: Vec<PolicyId>,
    },
    /// No policy decided it: allowed by default (the endpoint is not isolated).
    Default {
        /// The direction.
        direction: Direction,
    },
}

/// What decided `(protocol, port)` on a side (None: an address outside the cluster, never
/// subject to policy).
pub fn decide_side(
    cluster: &Cluster,
    side: &Side,
    protocol: Protocol,
    port: u16,
) -> Option<Decider> {
    side.subject?;
    let direction = side.direction;
    for step in &side.tiers {
        if !step.entered.contains(protocol, port) {
            continue;
        }
        let mut ruled = None;
        'policies: for ps in &step.policies {
            for rs in &ps.rules {
                let rule = &cluster.ir.policies[ps.policy].dir(direction).rules[rs.rule];
                if rule.action != Action::Log && rs.decided.contains(protocol, port) {
                    ruled = Some((ps.policy, rs.rule, rule.action));
                    break 'policies;
                }
            }
        }
        match ruled {
            Some((_, _, Action::Pass)) => continue,
            Some((policy, rule, action)) => {
                return Some(Decider::Rule {
                    direction,
                    policy,
                    rule,
                    action,
                });
            }
            None if step.ended.contains(protocol, port)
                && cluster.ir.tiers[step.tier].end == EndAction::Deny =>
            {
                let isolating = step
                    .policies
                    .iter()
                    .filter(|ps| cluster.ir.policies[ps.policy].dir(direction).isolates)
                    .map(|ps| ps.policy)
                    .collect();
                return Some(Decider::End {
                    direction,
                    tier: step.tier,
                    isolating,
                });
            }
            None => {}
        }
    }
    Some(Decider::Default { direction })
}

/// Why the connection has its verdict on the port: for a denied one, what denied it on the
/// first side that does (egress, then ingress); for an allowed one, the rules that allowed it
/// on each side, or, when none did, that no policy isolates the destination (or source).
pub fn deciders(cluster: &Cluster, e: &Explanation, protocol: Protocol, port: u16) -> Vec<Decider> {
    let sides = [&e.egress, &e.ingress];
    if !e.is_allowed() {
        return sides
            .into_iter()
            .filter(|s| !s.allowed.contains(protocol, port))
            .filter_map(|s| decide_side(cluster, s, protocol, port))
            .take(1)
            .collect();
    }
    if e.loopback {
        return Vec::new();
    }
    let all: Vec<Decider> = sides
        .into_iter()
        .filter_map(|s| decide_side(cluster, s, protocol, port))
        .collect();
    let rules: Vec<Decider> = all
        .iter()
        .filter(|d| matches!(d, Decider::Rule { .. }))
        .cloned()
        .collect();
    if rules.is_empty() {
        all.into_iter().rev().take(1).collect()
    } else {
        rules
    }
}

/// How a flow's verdict changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Allowed before (or forwarded), denied by the new manifests.
    NewlyDenied,
    /// Denied before (or dropped by a policy), allowed by the new manifests.
    NewlyAllowed,
}

/// The flows of one port of a workload pair whose verdict changed the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortChange {
    /// The protocol.
    pub protocol: Protocol,
    /// The port.
    pub port: u16,
    /// How many flows.
    pub flows: usize,
    /// What decides it under the new manifests (deduplicated over the pods of the pair).
    pub because: Vec<Decider>,
}

/// The changed flows between two workloads (`ns/deploy/web`, or an address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// How they changed.
    pub change: Change,
    /// The source workload.
    pub src: String,
    /// The destination workload.
    pub dst: String,
    /// How many flows in all.
    pub flows: usize,
    /// Per port, in protocol and port order.
    pub ports: Vec<PortChange>,
}

/// A flow that maps to nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    /// The file.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The outcome of a replay.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    /// Whether the baseline is the old manifests (else the recorded verdicts).
    pub against_old: bool,
    /// L4 flows read (replies and non-L4 flows excluded).
    pub flows: usize,
    /// Reply flows skipped.
    pub replies: usize,
    /// Non-L4 flows skipped.
    pub non_l4: usize,
    /// Distinct (source, destination, protocol, port) evaluated under the new manifests.
    pub connections: usize,
    /// The changed flows, newly denied groups first, by workload names.
    pub groups: Vec<Group>,
    /// Flows whose verdict did not change.
    pub unchanged: usize,
    /// Flows whose recorded verdict is not a policy's, by verdict: nothing to compare with.
    pub not_compared: Vec<(String, usize)>,
    /// Flows that map to nothing (on either side).
    pub unmapped: Vec<Unmapped>,
}

impl Replay {
    /// Flows newly denied.
    pub fn newly_denied(&self) -> usize {
        self.count(Change::NewlyDenied)
    }

    /// Flows newly allowed.
    pub fn newly_allowed(&self) -> usize {
        self.count(Change::NewlyAllowed)
    }

    fn count(&self, c: Change) -> usize {
        self.groups
            .iter()
            .filter(|g| g.change == c)
            .map(|g| g.flows)
            .sum()
    }
}

/// The workload of a party, as groups name it: `shop/deploy/web`, `shop/app=web`, an address.
pub fn workload_name(cluster: &Cluster, party: Party) -> String {
    match party {
        Party::Endpoint(i) => {
            let e = &cluster.endpoints[i];
            format!("{}/{}", e.namespace, e.workload())
        }
        Party::Address(_) => party_name(cluster, party),
    }
}

type Key = (Party, Party, Protocol, u16);

/// A group of changed flows: how they changed, source and destination workloads.
type GroupKey = (Change, String, String);

/// A cache of verdicts (and, on the new side, why) per distinct connection and port.
struct Verdicts<'a> {
    cluster: &'a Cluster,
    seen: HashMap<Key, (bool, Vec<Decider>)>,
}

impl Verdicts<'_> {
    fn get(&mut self, key: Key, why: bool) -> &(bool, Vec<Decider>) {
        let cluster = self.cluster;
        self.seen.entry(key).or_insert_with(|| {
            let (src, dst, protocol, port) = key;
            let e = explain(cluster, src, dst, Some((protocol, port)));
            let because = if why {
                deciders(cluster, &e, protocol, port)
            } else {
                Vec::new()
            };
            (e.is_allowed(), because)
        })
    }
}

/// Replays the flows of `files` against `new`, comparing with `old` when given, else with
/// each flow's recorded verdict (a CSV flow is traffic that happens: allowed).
pub fn replay(files: &[FlowFile], new: &Cluster, old: Option<&Cluster>) -> Replay {
    let mut out = Replay {
        against_old: old.is_some(),
        ..Replay::default()
    };
    let mut now = Verdicts {
        cluster: new,
        seen: HashMap::new(),
    };
    let mut before = old.map(|c| Verdicts {
        cluster: c,
        seen: HashMap::new(),
    });
    let mut groups: BTreeMap<GroupKey, BTreeMap<(Protocol, u16), PortChange>> = BTreeMap::new();
    let mut not_compared: BTreeMap<String, usize> = BTreeMap::new();
    for file in files {
        out.replies += file.replies;
        out.non_l4 += file.non_l4;
        for flow in &file.flows {
            out.flows += 1;
            let unmapped = |side: &str, which: &str, peer: &Peer, why: String| Unmapped {
                file: file.name.clone(),
                line: flow.line,
                reason: format!("{which} {}{side}: {why}", peer.describe()),
            };
            let ends = (locate(new, &flow.src), locate(new, &flow.dst));
            let (src, dst) = match ends {
                (Ok(s), Ok(d)) => (s, d),
                (Err(e), _) => {
                    out.unmapped.push(unmapped("", "source", &flow.src, e));
                    continue;
                }
                (_, Err(e)) => {
                    out.unmapped.push(unmapped("", "destination", &flow.dst, e));
                    continue;
                }
            };
            let was = match (&mut before, &flow.observed) {
                (Some(v), _) => {
                    let ends = (locate(v.cluster, &flow.src), locate(v.cluster, &flow.dst));
                    match ends {
                        (Ok(s), Ok(d)) => v.get((s, d, flow.protocol, flow.port), false).0,
                        (Err(e), _) => {
                            let u = unmapped(" (in the old manifests)", "source", &flow.src, e);
                            out.unmapped.push(u);
                            continue;
                        }
                        (_, Err(e)) => {
                            let u =
                                unmapped(" (in the old manifests)", "destination", &flow.dst, e);
                            out.unmapped.push(u);
                            continue;
                        }
                    }
                }
                (None, Observed::Forwarded | Observed::Happens) => true,
                (None, Observed::PolicyDenied) => false,
                (None, Observed::Other(v)) => {
                    *not_compared.entry(v.clone()).or_default() += 1;
                    continue;
                }
            };
            let (is, because) = now.get((src, dst, flow.protocol, flow.port), true).clone();
            let change = match (was, is) {
                (true, false) => Change::NewlyDenied,
                (false, true) => Change::NewlyAllowed,
                _ => {
                    out.unchanged += 1;
                    continue;
                }
            };
            let key = (change, workload_name(new, src), workload_name(new, dst));
            let entry = groups
                .entry(key)
                .or_default()
                .entry((flow.protocol, flow.port))
                .or_insert_with(|| PortChange {
                    protocol: flow.protocol,
                    port: flow.port,
                    flows: 0,
                    because: Vec::new(),
                });
            entry.flows += 1;
            for d in because {
                if !entry.because.contains(&d) {
                    entry.because.push(d);
                }
            }
        }
    }
    out.connections = now.seen.len();
    out.not_compared = not_compared.into_iter().collect();
    out.groups = groups
        .into_iter()
        .map(|((change, src, dst), ports)| {
            let ports: Vec<PortChange> = ports.into_values().collect();
            Group {
                change,
                src,
                dst,
                flows: ports.iter().map(|p| p.flows).sum(),
                ports,
            }
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::semantics_tests::cluster_of;
    use crate::load::flows::parse;

    const CLUSTER: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: a, labels: {app: web, tier: front}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: a, labels: {app: web, tier: front}}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
status: {podIP: 10.0.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
";

    fn peer(
        ns: Option<&str>,
        pod: Option<&str>,
        labels: &[(&str, &str)],
        ip: Option<&str>,
    ) -> Peer {
        Peer {
            namespace: ns.map(str::to_string),
            pod: pod.map(str::to_string),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ip: ip.map(|i| i.parse().unwrap()),
            name: None,
        }
    }

    fn id(c: &Cluster, p: Result<Party, String>) -> String {
        party_name(c, p.unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn locate_by_name_ip_labels_or_address() {
        let c = cluster_of(CLUSTER);
        let by_name = peer(Some("a"), Some("db"), &[], Some("10.9.9.9"));
        assert_eq!(id(&c, locate(&c, &by_name)), "a/db");
        let by_ip = peer(Some("a"), Some("gone"), &[], Some("10.0.0.3"));
        assert_eq!(id(&c, locate(&c, &by_ip)), "a/web-2");
        let by_labels = peer(Some("a"), Some("gone"), &[("app", "db"), ("x", "y")], None);
        assert_eq!(id(&c, locate(&c, &by_labels)), "a/db");
        let outside = peer(None, None, &[], Some("192.0.2.1"));
        assert_eq!(
            locate(&c, &outside),
            Ok(Party::Address("192.0.2.1".parse().unwrap()))
        );
        let csv = Peer {
            name: Some("a/web-1".into()),
            ..Peer::default()
        };
        assert_eq!(id(&c, locate(&c, &csv)), "a/web-1");
    }

    #[test]
    fn locate_says_why_not() {
        let c = cluster_of(CLUSTER);
        let several = peer(
            Some("a"),
            None,
            &[("app", "web"), ("tier", "front")],
            Some("10.9.9.9"),
        );
        assert_eq!(
            locate(&c, &several),
            Err("no pod with IP 10.9.9.9; labels app=web,tier=front match 2 pods and workloads (a/web-1, a/web-2)".into())
        );
        let none = peer(Some("a"), Some("x"), &[], None);
        assert_eq!(
            locate(&c, &none),
            Err("no pod or workload a/x; no labels".into())
        );
        assert_eq!(
            locate(&c, &Peer::default()),
            Err("no namespace, pod name, IP or labels".into())
        );
    }

    #[test]
    fn deciders_name_the_rule_or_the_isolation() {
        let c = cluster_of(CLUSTER);
        let web = Party::Endpoint(c.endpoint_with_ip("10.0.0.1".parse().unwrap()).unwrap());
        let db = Party::Endpoint(c.endpoint_with_ip("10.0.0.2".parse().unwrap()).unwrap());
        let e = explain(&c, web, db, Some((Protocol::Tcp, 5432)));
        assert!(matches!(
            deciders(&c, &e, Protocol::Tcp, 5432).as_slice(),
            [Decider::Rule {
                direction: Direction::Ingress,
                rule: 0,
                action: Action::Allow,
                ..
            }]
        ));
        let e = explain(&c, web, db, Some((Protocol::Tcp, 80)));
        assert!(matches!(
            deciders(&c, &e, Protocol::Tcp, 80).as_slice(),
            [Decider::End { direction: Direction::Ingress, isolating, .. }] if isolating.len() == 1
        ));
        let e = explain(&c, db, web, Some((Protocol::Tcp, 80)));
        assert_eq!(
            deciders(&c, &e, Protocol::Tcp, 80),
            vec![Decider::Default {
                direction: Direction::Ingress
            }]
        );
    }

    #[test]
    fn every_flow_is_counted_once() {
        let c = cluster_of(CLUSTER);
        let text = "\
src,dst,port
a/web-1,a/db,5432
a/web-1,a/db,80
a/db,a/web-2,80
a/db,a/web-2,80
nowhere/x,a/db,80
";
        let csv = parse("f.csv", text);
        let hubble = parse(
            "f.json",
            r#"{"flow":{"verdict":"DROPPED","drop_reason_desc":"CT_MAP_INSERTION_FAILED","l4":{"TCP":{"destination_port":80}},"IP":{"source":"10.0.0.1","destination":"10.0.0.2"}}}
{"flow":{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","l4":{"TCP":{"destination_port":5432}},"IP":{"source":"10.0.0.3","destination":"10.0.0.2"}}}"#,
        );
        let r = replay(&[csv, hubble], &c, None);
        assert_eq!(r.flows, 7);
        assert_eq!(
            (r.newly_denied(), r.newly_allowed(), r.unchanged),
            (1, 1, 3)
        );
        assert_eq!(
            r.not_compared,
            vec![("DROPPED (CT_MAP_INSERTION_FAILED)".to_string(), 1)]
        );
        assert_eq!(r.unmapped.len(), 1);
        assert_eq!(r.unmapped[0].line, 6);
        let names: Vec<(Change, &str, &str)> = r
            .groups
            .iter()
            .map(|g| (g.change, g.src.as_str(), g.dst.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                (Change::NewlyDenied, "a/app=web", "a/app=db"),
                (Change::NewlyAllowed, "a/app=web", "a/app=db"),
            ]
        );
        assert_eq!(r.connections, 4);
        // Against itself as the old side, nothing changes.
        let csv = parse("f.csv", text);
        let r = replay(&[csv], &c, Some(&c));
        assert_eq!(
            (r.newly_denied(), r.newly_allowed(), r.unchanged),
            (0, 0, 4)
        );
    }
}

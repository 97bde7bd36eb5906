//! What a change to the manifests opens or closes: two clusters compared connection by
//! connection, each difference tied to the object changes responsible for it.
//!
//! 1. **Objects.** NetworkPolicies are matched by namespace and name, cluster-wide policies by
//!    kind and name, pods and workloads by id (`ns/kind/name`), namespaces and Nodes by name.
//!    A policy is *edited* when what it says changed (selectors, policy types, rules, ports,
//!    or whether the API server accepts it), not when only its layout, comments or the order
//!    of its NetworkPolicy rules or peers did. An endpoint or namespace is edited when what
//!    policies look at changed: labels, container ports, IPs, hostNetwork, the isolation
//!    annotations. Services are not compared: they play no part in what is allowed.
//! 2. **Connections.** Both matrices are computed; every pair of endpoints (matched by id) and
//!    every pair of an endpoint and an external range is compared. External ranges are those
//!    of both sides cut together, so a range is alike for every ipBlock of either side;
//!    adjacent ranges that changed alike are merged back. An endpoint present on one side
//!    only has no connection on the other.
//! 3. **Attribution.** For each side of a changed connection (egress at the source, ingress at
//!    the destination) whose allowed ports changed, a changed policy is named when its old
//!    and new versions, evaluated on the same cluster, say something different about this
//!    connection on the ports that changed (what its matching rules allow, whether it
//!    isolates the pod, for cluster-wide policies the rules that match and their actions).
//!    A changed endpoint, namespace or Node is named when some policy, unchanged, says
//!    something different about the connection on the old and the new cluster on those ports:
//!    the subject's own labels (or namespace) when the policy's selection changed, the other
//!    party's when its peers or the destination's named ports did. An endpoint present on
//!    one side only is named for all of its connections.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use rayon::prelude::*;

use super::Party;
use super::matching::{cluster_rule_matches, cluster_selects, rule_matches};
use super::matrix::Matrix;
use super::reference;
use crate::base::span::Span;
use crate::model::cluster_policy::{
    Action, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPortKind, ClusterRule, Tier,
};
use crate::model::ip::{AddrRange, Family, atomic_ranges};
use crate::model::policy::{Peer, PolicyPort};
use crate::model::{
    Cluster, ContainerPort, Direction, Endpoint, EndpointKind, LabelSelector, Labels,
    NetworkPolicy, PortSet, Rule,
};

/// Which of the two inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// Before the change.
    Old,
    /// After the change.
    New,
}

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Only in the new input.
    Added,
    /// Only in the old input.
    Removed,
    /// In both, saying something different.
    Edited,
}

impl ChangeKind {
    /// `added`, `removed`, `edited`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Edited => "edited",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a changed object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A NetworkPolicy.
    NetworkPolicy,
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.
    ClusterPolicy(ClusterPolicyKind),
    /// A Namespace (declared or implied).
    Namespace,
    /// A Pod or workload.
    Workload(EndpointKind),
    /// A Node.
    Node,
}

impl ObjectKind {
    /// The API kind: `NetworkPolicy`, `Deployment`, `Namespace`...
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::NetworkPolicy => "NetworkPolicy",
            ObjectKind::ClusterPolicy(k) => k.kind(),
            ObjectKind::Namespace => "Namespace",
            ObjectKind::Workload(k) => k.as_str(),
            ObjectKind::Node => "Node",
        }
    }

    /// Whether it is a policy of any kind.
    pub fn is_policy(self) -> bool {
        matches!(
            self,
            ObjectKind::NetworkPolicy | ObjectKind::ClusterPolicy(_)
        )
    }
}

/// One object that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its kind.
    pub object: ObjectKind,
    /// `ns/name` for a NetworkPolicy, the name of a cluster-wide policy, a namespace or a
    /// Node, the endpoint id (`shop/deploy/api`) for a pod or workload.
    pub id: String,
    /// `ns/name` or `name`: how people call it (`Deployment shop/api`).
    pub name: String,
    /// Added, removed or edited.
    pub change: ChangeKind,
    /// The object in the old input.
    pub old: Option<Span>,
    /// The object in the new input.
    pub new: Option<Span>,
    /// The first part that changed (a rule, a selector), in the new input when it is there.
    pub focus: Option<(Version, Span)>,
    /// What changed, one item each (`ingress[0] changed`, `label tier: backend → api`).
    pub details: Vec<String>,
    /// Number of connection changes it is named in.
    pub connections: usize,
}

impl Change {
    /// `NetworkPolicy shop/api`, `Deployment shop/api`.
    pub fn title(&self) -> String {
        format!("{} {}", self.object.as_str(), self.name)
    }

    /// Where the object is: in the new input, else in the old one (a removed object; an
    /// implied namespace has no object).
    pub fn location(&self) -> Option<(Version, Span)> {
        self.new
            .map(|s| (Version::New, s))
            .or(self.old.map(|s| (Version::Old, s)))
    }
}

/// One side of a connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Member {
    /// A pod or workload, by id.
    Endpoint {
        /// `shop/deploy/api`.
        id: String,
        /// Its kind.
        kind: EndpointKind,
    },
    /// Addresses outside the cluster.
    External(AddrRange),
}

impl Member {
    /// The id: an endpoint id, or the range (`10.0.0.0/8`, `11.0.0.0-255.255.255.255`).
    pub fn id(&self) -> String {
        match self {
            Member::Endpoint { id, .. } => id.clone(),
            Member::External(r) => r.to_string(),
        }
    }

    /// Whether it is an external range.
    pub fn is_external(&self) -> bool {
        matches!(self, Member::External(_))
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// How a connection changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectionKind {
    /// Denied on every port before, allowed on some now.
    Opened,
    /// Allowed on some port before, denied on every port now.
    Closed,
    /// Allowed before and now, on different ports.
    Changed,
}

impl ConnectionKind {
    /// `opened`, `closed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Opened => "opened",
            ConnectionKind::Closed => "closed",
            ConnectionKind::Changed => "changed",
        }
    }
}

/// A connection whose allowed ports changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Opened, closed or changed.
    pub kind: ConnectionKind,
    /// The source.
    pub src: Member,
    /// The destination.
    pub dst: Member,
    /// The ports allowed before.
    pub old: PortSet,
    /// The ports allowed now.
    pub new: PortSet,
    /// The changes responsible, as indices into [`Diff::changes`] (empty: none could be
    /// singled out).
    pub causes: Vec<usize>,
}

impl Connection {
    /// Ports allowed now and not before.
    pub fn opened(&self) -> PortSet {
        self.new.difference(&self.old)
    }

    /// Ports allowed before and not now.
    pub fn closed(&self) -> PortSet {
        self.old.difference(&self.new)
    }
}

/// The difference between two inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Every object that changed: policies, then namespaces, pods and workloads, Nodes.
    pub changes: Vec<Change>,
    /// Every connection that changed: opened, then closed, then changed; by source, then
    /// destination (endpoints by namespace, name and kind, then external ranges).
    pub connections: Vec<Connection>,
}

/// Counts of connection changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Connections opened.
    pub opened: usize,
    /// Connections closed.
    pub closed: usize,
    /// Connections whose ports changed.
    pub changed: usize,
}

impl Diff {
    /// Compares two clusters.
    pub fn compute(old: &Cluster, new: &Cluster) -> Diff {
        let (mo, mn) = rayon::join(|| Matrix::compute(old), || Matrix::compute(new));
        let o = SideIndex::new(old, mo);
        let n = SideIndex::new(new, mn);
        let mut changes = object_changes(&o, &n);
        let lookup = ChangeLookup::new(&changes);
        let keys = Keys::new(&o, &n, &lookup);
        let members = Members::new(&o, &n);
        let pairs = changed_pairs(&o, &n, &members);
        let attributed: Vec<Connection> = pairs
            .into_par_iter()
            .map(|p| {
                let causes = attribute(&o, &n, &members, &lookup, &keys, &p);
                Connection {
                    kind: p.kind(),
                    src: members.member(p.src),
                    dst: members.member(p.dst),
                    old: p.old,
                    new: p.new,
                    causes,
                }
            })
            .collect();
        let connections = merge_ranges(attributed, &members);
        for c in &connections {
            for &i in &c.causes {
                changes[i].connections += 1;
            }
        }
        Diff {
            changes,
            connections,
        }
    }

    /// How many connections opened, closed and changed.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for conn in &self.connections {
            match conn.kind {
                ConnectionKind::Opened => c.opened += 1,
                ConnectionKind::Closed => c.closed += 1,
                ConnectionKind::Changed => c.changed += 1,
            }
        }
        c
    }

    /// Whether no connection changed.
    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    /// The connections of one kind.
    pub fn of_kind(&self, kind: ConnectionKind) -> impl Iterator<Item = &Connection> {
        self.connections.iter().filter(move |c| c.kind == kind)
    }
}

// ---------------------------------------------------------------------------------------
// Indexes of one side.

type PolicyKey = (String, String);
type TierKey = (ClusterPolicyKind, String);

struct SideIndex<'a> {
    cluster: &'a Cluster,
    matrix: Matrix,
    /// Applied NetworkPolicies by (namespace, name).
    policies: HashMap<PolicyKey, usize>,
    /// Every NetworkPolicy by key: the applied one, else the last one.
    any_policy: HashMap<PolicyKey, usize>,
    /// Applied cluster-wide policies by (kind, name).
    tier: HashMap<TierKey, usize>,
    /// Every cluster-wide policy by key: the applied one, else the last one.
    any_tier: HashMap<TierKey, usize>,
}

impl<'a> SideIndex<'a> {
    fn new(cluster: &'a Cluster, matrix: Matrix) -> SideIndex<'a> {
        let mut policies = HashMap::new();
        let mut any_policy = HashMap::new();
        for (i, p) in cluster.policies.iter().enumerate() {
            let key = (p.namespace.clone(), p.name.clone());
            if cluster.is_applied(i) {
                policies.insert(key.clone(), i);
                any_policy.insert(key, i);
            } else if !policies.contains_key(&key) {
                any_policy.insert(key, i);
            }
        }
        let mut tier = HashMap::new();
        let mut any_tier = HashMap::new();
        for (i, p) in cluster.cluster_policies.iter().enumerate() {
            let key = (p.kind, p.name.clone());
            if !cluster.cluster_not_applied.contains_key(&i) {
                tier.insert(key.clone(), i);
                any_tier.insert(key, i);
            } else if !tier.contains_key(&key) {
                any_tier.insert(key, i);
            }
        }
        SideIndex {
            cluster,
            matrix,
            policies,
            any_policy,
            tier,
            any_tier,
        }
    }

    fn policy(&self, key: &PolicyKey) -> Option<&'a NetworkPolicy> {
        self.policies.get(key).map(|&i| &self.cluster.policies[i])
    }

    fn tier_policy(&self, key: &TierKey) -> Option<&'a ClusterPolicy> {
        self.tier
            .get(key)
            .map(|&i| &self.cluster.cluster_policies[i])
    }
}

// ---------------------------------------------------------------------------------------
// Object changes.

fn object_changes(o: &SideIndex, n: &SideIndex) -> Vec<Change> {
    let mut out = Vec::new();
    policy_changes(o, n, &mut out);
    tier_changes(o, n, &mut out);
    namespace_changes(o.cluster, n.cluster, &mut out);
    endpoint_changes(o, n, &mut out);
    node_changes(o.cluster, n.cluster, &mut out);
    out
}

fn added_removed(
    object: ObjectKind,
    id: String,
    name: String,
    old: Option<Span>,
    new: Option<Span>,
) -> Option<Change> {
    let change = match (old, new) {
        (Some(_), Some(_)) | (None, None) => return None,
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
    };
    Some(Change {
        object,
        id,
        name,
        change,
        old,
        new,
        focus: None,
        details: Vec::new(),
        connections: 0,
    })
}

/// One policy of either API seen on both sides: as written (`any`, applied or not) and as in
/// force (`applied`).
struct Versions<'a, T> {
    old_any: Option<&'a T>,
    new_any: Option<&'a T>,
    old_applied: Option<&'a T>,
    new_applied: Option<&'a T>,
}

/// What changed about one policy: added, removed, refused or accepted by the API server, or
/// edited in meaning (`same` compares meanings, `details` says what differs).
fn policy_change<T>(
    object: ObjectKind,
    id: String,
    v: Versions<'_, T>,
    span: impl Fn(&T) -> Span,
    same: impl Fn(&T, &T) -> bool,
    details: impl Fn(&T, &T, &mut Vec<String>, &mut Option<(Version, Span)>),
) -> Option<Change> {
    if let Some(mut c) = added_removed(
        object,
        id.clone(),
        id.clone(),
        v.old_any.map(&span),
        v.new_any.map(&span),
    ) {
        let applied = if c.change == ChangeKind::Added {
            v.new_applied.is_some()
        } else {
            v.old_applied.is_some()
        };
        if !applied {
            c.details
                .push("the API server rejects it: it is not applied".into());
        }
        return Some(c);
    }
    let (old_any, new_any) = (v.old_any?, v.new_any?);
    let mut lines = Vec::new();
    let mut focus = None;
    match (v.old_applied, v.new_applied) {
        (None, None) => return None,
        (Some(_), None) => {
            lines.push("the API server rejects the new version: it is not applied".into())
        }
        (None, Some(_)) => {
            lines.push("the API server rejected the old version; the new one is applied".into())
        }
        (Some(a), Some(b)) => {
            if same(a, b) {
                return None;
            }
            details(a, b, &mut lines, &mut focus);
        }
    }
    Some(Change {
        object,
        id: id.clone(),
        name: id,
        change: ChangeKind::Edited,
        old: Some(span(old_any)),
        new: Some(span(new_any)),
        focus: focus.or(Some((Version::New, span(new_any)))),
        details: lines,
        connections: 0,
    })
}

fn policy_changes(o: &SideIndex, n: &SideIndex, out: &mut Vec<Change>) {
    let keys: BTreeSet<&PolicyKey> = o.any_policy.keys().chain(n.any_policy.keys()).collect();
    for key in keys {
        let v = Versions {
            old_any: o.any_policy.get(key).map(|&i| &o.cluster.policies[i]),
            new_any: n.any_policy.get(key).map(|&i| &n.cluster.policies[i]),
            old_applied: o.policy(key),
            new_applied: n.policy(key),
        };
        let same = |a: &NetworkPolicy, b: &NetworkPolicy| np_fingerprint(a) == np_fingerprint(b);
        out.extend(policy_change(
            ObjectKind::NetworkPolicy,
            format!("{}/{}", key.0, key.1),
            v,
            |p| p.span,
            same,
            np_details,
        ));
    }
}

fn tier_changes(o: &SideIndex, n: &SideIndex, out: &mut Vec<Change>) {
    let keys: BTreeSet<&TierKey> = o.any_tier.keys().chain(n.any_tier.keys()).collect();
    for key in keys {
        let v = Versions {
            old_any: o.any_tier.get(key).map(|&i| &o.cluster.cluster_policies[i]),
            new_any: n.any_tier.get(key).map(|&i| &n.cluster.cluster_policies[i]),
            old_applied: o.tier_policy(key),
            new_applied: n.tier_policy(key),
        };
        let same =
            |a: &ClusterPolicy, b: &ClusterPolicy| tier_fingerprint(a) == tier_fingerprint(b);
        out.extend(policy_change(
            ObjectKind::ClusterPolicy(key.0),
            key.1.clone(),
            v,
            |p| p.span,
            same,
            tier_details,
        ));
    }
}

fn namespace_changes(old: &Cluster, new: &Cluster, out: &mut Vec<Change>) {
    let names: BTreeSet<&str> = old
        .namespaces
        .iter()
        .chain(&new.namespaces)
        .map(|n| n.name.as_str())
        .collect();
    for name in names {
        let a = old.ns_id(name).map(|i| old.ns(i));
        let b = new.ns_id(name).map(|i| new.ns(i));
        let (Some(a), Some(b)) = (a, b) else {
            let (old_span, new_span) = (a.and_then(|n| n.span), b.and_then(|n| n.span));
            let implied = old_span.is_none() && new_span.is_none();
            out.push(Change {
                object: ObjectKind::Namespace,
                id: name.to_string(),
                name: name.to_string(),
                change: if a.is_some() {
                    ChangeKind::Removed
                } else {
                    ChangeKind::Added
                },
                old: old_span,
                new: new_span,
                focus: None,
                details: if implied {
                    vec!["implied by the objects in it (no Namespace object)".into()]
                } else {
                    Vec::new()
                },
                connections: 0,
            });
            continue;
        };
        let mut details = label_details(&a.labels, &b.labels);
        if a.alpha_isolated() != b.alpha_isolated() {
            details.push(format!(
                "alpha isolation annotation: {} → {}",
                on_off(a.alpha_isolated()),
                on_off(b.alpha_isolated())
            ));
        }
        if a.beta_default_deny() != b.beta_default_deny() {
            details.push(format!(
                "DefaultDeny annotation: {} → {}",
                on_off(a.beta_default_deny()),
                on_off(b.beta_default_deny())
            ));
        }
        if details.is_empty() {
            continue;
        }
        out.push(Change {
            object: ObjectKind::Namespace,
            id: name.to_string(),
            name: name.to_string(),
            change: ChangeKind::Edited,
            old: a.span,
            new: b.span,
            focus: b.span.map(|s| (Version::New, s)),
            details,
            connections: 0,
        });
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// An endpoint's key: namespace, name, kind (the order of [`Cluster::endpoints`]).
type EndpointKey = (String, String, EndpointKind);

/// The endpoints of both sides by key, in order, with their index on each side.
fn paired_endpoints(
    old: &Cluster,
    new: &Cluster,
) -> BTreeMap<EndpointKey, (Option<usize>, Option<usize>)> {
    let mut keyed: BTreeMap<EndpointKey, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (i, e) in old.endpoints.iter().enumerate() {
        keyed
            .entry((e.namespace.clone(), e.name.clone(), e.kind))
            .or_default()
            .0 = Some(i);
    }
    for (i, e) in new.endpoints.iter().enumerate() {
        keyed
            .entry((e.namespace.clone(), e.name.clone(), e.kind))
            .or_default()
            .1 = Some(i);
    }
    keyed
}

fn endpoint_changes(o: &SideIndex, n: &SideIndex, out: &mut Vec<Change>) {
    for ((ns, name, kind), (a, b)) in paired_endpoints(o.cluster, n.cluster) {
        let a = a.map(|i| &o.cluster.endpoints[i]);
        let b = b.map(|i| &n.cluster.endpoints[i]);
        let id = a.or(b).map(Endpoint::id).unwrap_or_default();
        let object = ObjectKind::Workload(kind);
        let shown = format!("{ns}/{name}");
        if let Some(c) = added_removed(
            object,
            id.clone(),
            shown.clone(),
            a.map(|e| e.span),
            b.map(|e| e.span),
        ) {
            out.push(c);
            continue;
        }
        let (Some(a), Some(b)) = (a, b) else { continue };
        let details = endpoint_details(a, b);
        if details.is_empty() {
            continue;
        }
        out.push(Change {
            object,
            id,
            name: shown,
            change: ChangeKind::Edited,
            old: Some(a.span),
            new: Some(b.span),
            focus: Some((Version::New, b.span)),
            details,
            connections: 0,
        });
    }
}

fn endpoint_details(a: &Endpoint, b: &Endpoint) -> Vec<String> {
    let mut details = label_details(&a.labels, &b.labels);
    let ports = |e: &Endpoint| {
        let mut p: Vec<String> = e.ports.iter().map(container_port).collect();
        p.sort();
        p.dedup();
        p
    };
    let (pa, pb) = (ports(a), ports(b));
    if pa != pb {
        details.push(format!(
            "container ports: {} → {}",
            list_or_none(&pa),
            list_or_none(&pb)
        ));
    }
    if a.host_network != b.host_network {
        details.push(format!(
            "hostNetwork: {} → {}",
            a.host_network, b.host_network
        ));
    }
    let ips = |e: &Endpoint| {
        let mut v: Vec<String> = e.ips.iter().map(|ip| ip.to_string()).collect();
        v.sort();
        v.dedup();
        v
    };
    let (ia, ib) = (ips(a), ips(b));
    if ia != ib {
        details.push(format!(
            "IPs: {} → {}",
            list_or_none(&ia),
            list_or_none(&ib)
        ));
    }
    details
}

fn container_port(p: &ContainerPort) -> String {
    match &p.name {
        Some(n) => format!("{n} {} {}", p.protocol, p.port),
        None => format!("{} {}", p.protocol, p.port),
    }
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn node_changes(old: &Cluster, new: &Cluster, out: &mut Vec<Change>) {
    let names: BTreeSet<&str> = old
        .nodes
        .iter()
        .chain(&new.nodes)
        .map(|n| n.name.as_str())
        .collect();
    for name in names {
        let a = old.nodes.iter().rfind(|n| n.name == name);
        let b = new.nodes.iter().rfind(|n| n.name == name);
        if let Some(c) = added_removed(
            ObjectKind::Node,
            name.to_string(),
            name.to_string(),
            a.map(|n| n.span),
            b.map(|n| n.span),
        ) {
            out.push(c);
            continue;
        }
        let (Some(a), Some(b)) = (a, b) else { continue };
        let mut details = label_details(&a.labels, &b.labels);
        let addrs = |n: &crate::model::Node| {
            let mut v: Vec<String> = n.addresses.iter().map(|a| a.to_string()).collect();
            v.sort();
            v.dedup();
            v
        };
        if addrs(a) != addrs(b) {
            details.push(format!(
                "addresses: {} → {}",
                list_or_none(&addrs(a)),
                list_or_none(&addrs(b))
            ));
        }
        if details.is_empty() {
            continue;
        }
        out.push(Change {
            object: ObjectKind::Node,
            id: name.to_string(),
            name: name.to_string(),
            change: ChangeKind::Edited,
            old: Some(a.span),
            new: Some(b.span),
            focus: Some((Version::New, b.span)),
            details,
            connections: 0,
        });
    }
}

/// `label tier: backend → api`, `label team=shop added`, `label env=prod removed`.
fn label_details(a: &Labels, b: &Labels) -> Vec<String> {
    let mut out = Vec::new();
    let keys: BTreeSet<&str> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
    for k in keys {
        match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) if x != y => out.push(format!("label {k}: {x} → {y}")),
            (None, Some(y)) => out.push(format!("label {k}={y} added")),
            (Some(x), None) => out.push(format!("label {k}={x} removed")),
            _ => {}
        }
    }
    out
}

// Fingerprints: what a policy says, without positions or layout.

fn selector_fp(sel: &LabelSelector) -> String {
    let mut reqs: Vec<String> = sel.requirements().iter().map(|r| r.to_string()).collect();
    reqs.sort();
    reqs.dedup();
    format!("{{{}}}", reqs.join(", "))
}

fn peer_fp(p: &Peer) -> String {
    let ip = p.ip_block.as_ref().map(|b| {
        let mut ex: Vec<&str> = b.except.iter().map(|e| e.value.as_str()).collect();
        ex.sort_unstable();
        format!("ipBlock {} except [{}]", b.cidr.value, ex.join(","))
    });
    format!(
        "ns:{:?} pod:{:?} {:?}",
        p.namespace_selector.as_ref().map(selector_fp),
        p.pod_selector.as_ref().map(selector_fp),
        ip
    )
}

fn port_fp(p: &PolicyPort) -> String {
    format!(
        "{:?} {:?} {:?}",
        p.protocol().map(|x| x.to_string()),
        p.port.as_ref().map(|x| format!("{:?}", x.value)),
        p.end_port.as_ref().map(|x| x.value)
    )
}

fn rule_fp(r: &Rule) -> String {
    let mut peers: Vec<String> = r.peer_list().iter().map(peer_fp).collect();
    peers.sort();
    peers.dedup();
    let mut ports: Vec<String> = r.port_list().iter().map(port_fp).collect();
    ports.sort();
    ports.dedup();
    format!(
        "peers[{}] ports[{}]",
        if r.all_peers() {
            "*".into()
        } else {
            peers.join("; ")
        },
        if r.all_ports() {
            "*".into()
        } else {
            ports.join("; ")
        }
    )
}

fn np_rules_fp(p: &NetworkPolicy, dir: Direction) -> Vec<String> {
    let mut v: Vec<String> = p.rules(dir).iter().map(rule_fp).collect();
    v.sort();
    v
}

fn np_fingerprint(p: &NetworkPolicy) -> String {
    format!(
        "{:?}|{}|{}|{}|{:?}|{:?}",
        p.api,
        p.affects(Direction::Ingress),
        p.affects(Direction::Egress),
        selector_fp(&p.pod_selector),
        np_rules_fp(p, Direction::Ingress),
        np_rules_fp(p, Direction::Egress)
    )
}

fn types_text(p: &NetworkPolicy) -> String {
    let v: Vec<&str> = Direction::BOTH
        .iter()
        .filter(|d| p.affects(**d))
        .map(|d| d.as_str())
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn np_details(
    a: &NetworkPolicy,
    b: &NetworkPolicy,
    details: &mut Vec<String>,
    focus: &mut Option<(Version, Span)>,
) {
    let mut set_focus = |v: Version, s: Span| {
        if focus.is_none() {
            *focus = Some((v, s));
        }
    };
    if a.api != b.api {
        details.push(format!(
            "apiVersion: {} → {}",
            a.api_version.value, b.api_version.value
        ));
        set_focus(Version::New, b.api_version.span);
    }
    let (sa, sb) = (selector_fp(&a.pod_selector), selector_fp(&b.pod_selector));
    if sa != sb {
        details.push(format!("podSelector: {sa} → {sb}"));
        set_focus(Version::New, b.pod_selector.span);
    }
    if types_text(a) != types_text(b) {
        details.push(format!(
            "policyTypes: {} → {}",
            types_text(a),
            types_text(b)
        ));
        set_focus(
            Version::New,
            b.policy_types.as_ref().map_or(b.span, |t| t.span),
        );
    }
    for dir in [Direction::Ingress, Direction::Egress] {
        if np_rules_fp(a, dir) == np_rules_fp(b, dir) {
            continue;
        }
        let (ra, rb) = (a.rules(dir), b.rules(dir));
        // Rules add up, so a rule of the new version found anywhere in the old one is not a
        // change; what is left was added or changed, and old rules found nowhere were removed.
        let old_fps: Vec<String> = ra.iter().map(rule_fp).collect();
        let new_fps: Vec<String> = rb.iter().map(rule_fp).collect();
        for (i, r) in rb.iter().enumerate() {
            if old_fps.contains(&new_fps[i]) {
                continue;
            }
            if i < ra.len() && !new_fps.contains(&old_fps[i]) {
                details.push(format!("{} changed", r.label()));
            } else {
                details.push(format!("{} added", r.label()));
            }
            set_focus(Version::New, r.span);
        }
        for (i, r) in ra.iter().enumerate() {
            if new_fps.contains(&old_fps[i]) {
                continue;
            }
            let replaced = i < rb.len() && !old_fps.contains(&new_fps[i]);
            if !replaced {
                details.push(format!("{} removed", r.label()));
                set_focus(Version::Old, r.span);
            }
        }
    }
}

fn cluster_peer_fp(k: &ClusterPeerKind) -> String {
    match k {
        ClusterPeerKind::Namespaces(s) => format!("namespaces {}", selector_fp(s)),
        ClusterPeerKind::Pods {
            namespace_selector,
            pod_selector,
        } => format!(
            "pods {} {}",
            selector_fp(namespace_selector),
            selector_fp(pod_selector)
        ),
        ClusterPeerKind::Nodes(s) => format!("nodes {}", selector_fp(s)),
        ClusterPeerKind::Networks(c) => {
            let mut v: Vec<&str> = c.iter().map(|x| x.value.as_str()).collect();
            v.sort_unstable();
            format!("networks {}", v.join(","))
        }
        ClusterPeerKind::Unknown => "unknown".into(),
    }
}

fn cluster_rule_fp(p: &ClusterPolicy, r: &ClusterRule) -> String {
    let mut peers: Vec<String> = r.peers.iter().map(|x| cluster_peer_fp(&x.kind)).collect();
    peers.sort();
    let ports = r.ports.as_ref().map(|l| {
        let mut v: Vec<String> = l
            .value
            .iter()
            .map(|x| match &x.kind {
                ClusterPortKind::Number(p, n) => format!("{p} {}", n.value),
                ClusterPortKind::Range(p, a, b) => format!("{p} {}-{}", a.value, b.value),
                ClusterPortKind::Named(n) => format!("named {}", n.value),
                ClusterPortKind::Invalid => "invalid".into(),
            })
            .collect();
        v.sort();
        v
    });
    format!("{:?} [{}] {:?}", p.action(r), peers.join("; "), ports)
}

fn tier_fingerprint(p: &ClusterPolicy) -> String {
    let rules = |d: Direction| -> Vec<String> {
        p.rules(d).iter().map(|r| cluster_rule_fp(p, r)).collect()
    };
    format!(
        "{:?}|{:?}|{}|{:?}|{:?}|{:?}",
        p.tier,
        p.priority.as_ref().map(|x| x.value),
        selector_fp(&p.subject.namespace_selector),
        p.subject.pod_selector.as_ref().map(selector_fp),
        rules(Direction::Ingress),
        rules(Direction::Egress)
    )
}

fn tier_details(
    a: &ClusterPolicy,
    b: &ClusterPolicy,
    details: &mut Vec<String>,
    focus: &mut Option<(Version, Span)>,
) {
    let mut set_focus = |v: Version, s: Span| {
        if focus.is_none() {
            *focus = Some((v, s));
        }
    };
    if a.tier != b.tier {
        details.push(format!("tier: {} → {}", a.tier, b.tier));
        set_focus(Version::New, b.tier_raw.as_ref().map_or(b.span, |t| t.span));
    }
    let (pa, pb) = (
        a.priority.as_ref().map(|x| x.value),
        b.priority.as_ref().map(|x| x.value),
    );
    if pa != pb {
        let show = |p: Option<i64>| p.map_or("none".into(), |p| p.to_string());
        details.push(format!("priority: {} → {}", show(pa), show(pb)));
        set_focus(Version::New, b.priority.as_ref().map_or(b.span, |p| p.span));
    }
    let subject = |p: &ClusterPolicy| {
        format!(
            "{} {:?}",
            selector_fp(&p.subject.namespace_selector),
            p.subject.pod_selector.as_ref().map(selector_fp)
        )
    };
    if subject(a) != subject(b) {
        details.push("subject changed".into());
        set_focus(Version::New, b.subject.span);
    }
    for dir in [Direction::Ingress, Direction::Egress] {
        let (ra, rb) = (a.rules(dir), b.rules(dir));
        for i in 0..ra.len().max(rb.len()) {
            match (ra.get(i), rb.get(i)) {
                (Some(x), Some(y)) if cluster_rule_fp(a, x) != cluster_rule_fp(b, y) => {
                    details.push(format!("{} changed", y.label()));
                    set_focus(Version::New, y.span);
                }
                (None, Some(y)) => {
                    details.push(format!("{} added", y.label()));
                    set_focus(Version::New, y.span);
                }
                (Some(x), None) => {
                    details.push(format!("{} removed", x.label()));
                    set_focus(Version::Old, x.span);
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Looking changes up by object.

struct ChangeLookup {
    policies: HashMap<PolicyKey, usize>,
    tier: HashMap<TierKey, usize>,
    namespaces: HashMap<String, usize>,
    endpoints: HashMap<String, usize>,
    nodes: Vec<usize>,
}

impl ChangeLookup {
    fn new(changes: &[Change]) -> ChangeLookup {
        let mut l = ChangeLookup {
            policies: HashMap::new(),
            tier: HashMap::new(),
            namespaces: HashMap::new(),
            endpoints: HashMap::new(),
            nodes: Vec::new(),
        };
        for (i, c) in changes.iter().enumerate() {
            match c.object {
                ObjectKind::NetworkPolicy => {
                    if let Some((ns, name)) = c.id.split_once('/') {
                        l.policies.insert((ns.to_string(), name.to_string()), i);
                    }
                }
                ObjectKind::ClusterPolicy(k) => {
                    l.tier.insert((k, c.id.clone()), i);
                }
                ObjectKind::Namespace => {
                    l.namespaces.insert(c.id.clone(), i);
                }
                ObjectKind::Workload(_) => {
                    l.endpoints.insert(c.id.clone(), i);
                }
                ObjectKind::Node => l.nodes.push(i),
            }
        }
        l
    }
}

// ---------------------------------------------------------------------------------------
// Members of both sides, and the pairs that changed.

struct EpSlot {
    id: String,
    kind: EndpointKind,
    namespace: String,
    old: Option<usize>,
    new: Option<usize>,
}

struct RangeSlot {
    range: AddrRange,
    /// Member index in each side's matrix (None: the side has no range of that family).
    old: Option<usize>,
    new: Option<usize>,
}

struct Members {
    eps: Vec<EpSlot>,
    ranges: Vec<RangeSlot>,
}

/// A member of the union: an endpoint slot or a range slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Slot {
    Ep(usize),
    Range(usize),
}

impl Members {
    fn new(o: &SideIndex, n: &SideIndex) -> Members {
        let eps = paired_endpoints(o.cluster, n.cluster)
            .into_iter()
            .map(|((namespace, _, kind), (a, b))| {
                let e = a
                    .map(|i| &o.cluster.endpoints[i])
                    .or(b.map(|i| &n.cluster.endpoints[i]));
                EpSlot {
                    id: e.map(Endpoint::id).unwrap_or_default(),
                    kind,
                    namespace,
                    old: a,
                    new: b,
                }
            })
            .collect();
        let bounds: Vec<AddrRange> = o
            .matrix
            .externals
            .iter()
            .chain(&n.matrix.externals)
            .copied()
            .collect();
        let mut families: Vec<Family> = bounds.iter().map(|r| r.family).collect();
        families.sort_unstable();
        families.dedup();
        let ranges = atomic_ranges(&bounds, &families)
            .into_iter()
            .map(|range| RangeSlot {
                range,
                old: locate(&o.matrix, &range),
                new: locate(&n.matrix, &range),
            })
            .collect();
        Members { eps, ranges }
    }

    fn all(&self) -> impl Iterator<Item = Slot> + '_ {
        (0..self.eps.len())
            .map(Slot::Ep)
            .chain((0..self.ranges.len()).map(Slot::Range))
    }

    fn member(&self, s: Slot) -> Member {
        match s {
            Slot::Ep(i) => Member::Endpoint {
                id: self.eps[i].id.clone(),
                kind: self.eps[i].kind,
            },
            Slot::Range(i) => Member::External(self.ranges[i].range),
        }
    }

    /// The party a slot is on one side (None: an endpoint that side lacks).
    fn party(&self, s: Slot, v: Version) -> Option<Party> {
        match s {
            Slot::Ep(i) => {
                let e = &self.eps[i];
                match v {
                    Version::Old => e.old,
                    Version::New => e.new,
                }
                .map(Party::Endpoint)
            }
            Slot::Range(i) => Some(Party::Address(self.ranges[i].range.first())),
        }
    }

    /// The matrix member a slot is on one side.
    fn matrix_member(&self, s: Slot, v: Version) -> Option<usize> {
        let pick = |a: Option<usize>, b: Option<usize>| match v {
            Version::Old => a,
            Version::New => b,
        };
        match s {
            Slot::Ep(i) => pick(self.eps[i].old, self.eps[i].new),
            Slot::Range(i) => pick(self.ranges[i].old, self.ranges[i].new),
        }
    }
}

/// The matrix member of the external range holding `r`.
fn locate(m: &Matrix, r: &AddrRange) -> Option<usize> {
    let i = m
        .externals
        .partition_point(|x| (x.family, x.end) < (r.family, r.start));
    m.externals
        .get(i)
        .filter(|x| x.covers(r))
        .map(|_| m.endpoints + i)
}

struct Pair {
    src: Slot,
    dst: Slot,
    old: PortSet,
    new: PortSet,
    /// Whether each side holds both parties.
    in_old: bool,
    in_new: bool,
}

impl Pair {
    fn kind(&self) -> ConnectionKind {
        if self.old.is_empty() {
            ConnectionKind::Opened
        } else if self.new.is_empty() {
            ConnectionKind::Closed
        } else {
            ConnectionKind::Changed
        }
    }
}

/// The ports `src` may open towards `dst` on one side (None: a party is missing there).
fn ports<'m>(
    side: &'m SideIndex,
    members: &Members,
    v: Version,
    src: Slot,
    dst: Slot,
) -> Option<Cow<'m, PortSet>> {
    let (ps, pd) = (members.party(src, v)?, members.party(dst, v)?);
    match (members.matrix_member(src, v), members.matrix_member(dst, v)) {
        (Some(a), Some(b)) => Some(Cow::Borrowed(side.matrix.allowed(a, b))),
        _ => Some(Cow::Owned(reference::allowed_ports(side.cluster, ps, pd))),
    }
}

fn changed_pairs(o: &SideIndex, n: &SideIndex, members: &Members) -> Vec<Pair> {
    let slots: Vec<Slot> = members.all().collect();
    slots
        .par_iter()
        .flat_map_iter(|&src| {
            let mut out = Vec::new();
            for &dst in &slots {
                if matches!((src, dst), (Slot::Range(_), Slot::Range(_))) {
                    continue;
                }
                if let (Slot::Ep(a), Slot::Ep(b)) = (src, dst)
                    && a == b
                    && members.eps[a].kind == EndpointKind::Pod
                {
                    continue; // loopback: always allowed, never subject to policy
                }
                let old = ports(o, members, Version::Old, src, dst);
                let new = ports(n, members, Version::New, src, dst);
                let none = PortSet::none();
                let (a, b) = (
                    old.as_deref().unwrap_or(&none),
                    new.as_deref().unwrap_or(&none),
                );
                if a != b {
                    out.push(Pair {
                        src,
                        dst,
                        old: a.clone(),
                        new: b.clone(),
                        in_old: old.is_some(),
                        in_new: new.is_some(),
                    });
                }
            }
            out
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Attribution.

/// One direction of a connection on one side: the subject the policies select, and the other
/// party their peers match.
struct Eval<'a> {
    cluster: &'a Cluster,
    dir: Direction,
    subject: usize,
    other: Party,
    dst_ports: Option<&'a [ContainerPort]>,
    /// The applied NetworkPolicies isolating the subject in this direction.
    isolators: Vec<usize>,
}

impl<'a> Eval<'a> {
    fn new(cluster: &'a Cluster, dir: Direction, src: Party, dst: Party) -> Option<Eval<'a>> {
        let (subject, other) = match dir {
            Direction::Egress => (src, dst),
            Direction::Ingress => (dst, src),
        };
        let Party::Endpoint(subject) = subject else {
            return None;
        };
        let ep = &cluster.endpoints[subject];
        let isolators = cluster
            .policies_in(ep.ns)
            .filter(|(_, q)| cluster.policy_isolates(q, dir) && cluster.selects(q, ep))
            .map(|(i, _)| i)
            .collect();
        Some(Eval {
            cluster,
            dir,
            subject,
            other,
            dst_ports: reference::dst_ports(cluster, dst),
            isolators,
        })
    }

    fn ep(&self) -> &'a Endpoint {
        &self.cluster.endpoints[self.subject]
    }

    fn allowed(&self) -> PortSet {
        reference::side(
            self.cluster,
            self.dir,
            self.subject,
            self.other,
            self.dst_ports,
        )
    }

    /// What a NetworkPolicy says here: whether it isolates the subject, and the ports its
    /// matching rules allow (None: it does not select the subject, or says nothing).
    fn np(&self, p: &NetworkPolicy) -> Option<NpSays> {
        let c = self.cluster;
        if !c.selects(p, self.ep()) {
            return None;
        }
        let isolates = c.policy_isolates(p, self.dir);
        let mut ports = PortSet::none();
        let mut rules = Vec::new();
        if c.policy_active(p, self.dir) {
            for (i, rule) in p.rules(self.dir).iter().enumerate() {
                if rule_matches(c, p, rule, self.other) {
                    let allowed = rule.ports_on(self.dst_ports);
                    ports.union_with(&allowed);
                    rules.push((i, allowed));
                }
            }
        }
        (isolates || !ports.is_empty()).then_some(NpSays {
            isolates,
            ports,
            rules,
        })
    }

    /// Whether the NetworkPolicy tier isolates the subject when policy `key` says `says`.
    fn np_isolated_with(&self, key: &PolicyKey, isolates: bool) -> bool {
        let c = self.cluster;
        let ep = self.ep();
        !ep.host_network
            && (isolates
                || c.namespace_isolates(ep.ns, self.dir)
                || self.isolators.iter().any(|&i| {
                    let q = &c.policies[i];
                    q.namespace != key.0 || q.name != key.1
                }))
    }

    /// What a cluster-wide policy says here: its place and the rules that match.
    fn tier(&self, p: &ClusterPolicy) -> Option<TierSays> {
        let c = self.cluster;
        if !cluster_selects(c, p, self.ep()) {
            return None;
        }
        let rules: Vec<(usize, Option<Action>, PortSet)> = p
            .rules(self.dir)
            .iter()
            .enumerate()
            .filter(|(_, r)| cluster_rule_matches(c, r, self.other))
            .map(|(i, r)| (i, p.action(r), r.ports_on(self.dst_ports)))
            .filter(|(_, _, ports)| !ports.is_empty())
            .collect();
        (!rules.is_empty()).then(|| TierSays {
            tier: p.tier,
            priority: p.priority.as_ref().map(|x| x.value),
            rules,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct NpSays {
    isolates: bool,
    /// What the matching rules allow together.
    ports: PortSet,
    /// The matching rules (index, what each allows).
    rules: Vec<(usize, PortSet)>,
}

/// How two readings of a policy's rules differ, once its selection is the same: which rules
/// match (the other party's labels, namespace, IPs), or what the same rules allow (the
/// destination's named ports).
fn rules_differ<'r, T: PartialEq + 'r>(
    a: impl Iterator<Item = (usize, &'r T)>,
    b: impl Iterator<Item = (usize, &'r T)>,
) -> (bool, bool) {
    let a: Vec<(usize, &T)> = a.collect();
    let b: Vec<(usize, &T)> = b.collect();
    let idx = |v: &[(usize, &T)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    let peers = idx(&a) != idx(&b);
    let ports = a
        .iter()
        .any(|(i, x)| b.iter().any(|(j, y)| i == j && x != y));
    (peers, ports)
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct TierSays {
    tier: Tier,
    priority: Option<i64>,
    rules: Vec<(usize, Option<Action>, PortSet)>,
}

fn sym_diff(a: &PortSet, b: &PortSet) -> PortSet {
    a.difference(b).union(&b.difference(a))
}

/// The ports on which two readings of a NetworkPolicy differ, isolation included.
fn np_touched(a: Option<&NpSays>, b: Option<&NpSays>, iso_a: bool, iso_b: bool) -> PortSet {
    if iso_a != iso_b {
        return PortSet::all();
    }
    let none = PortSet::none();
    sym_diff(a.map_or(&none, |x| &x.ports), b.map_or(&none, |x| &x.ports))
}

/// The ports on which two readings of a cluster-wide policy differ: those of the rules found
/// in one and not the other; every rule's when its place in the tiers or their order changed.
fn tier_touched(a: Option<&TierSays>, b: Option<&TierSays>) -> PortSet {
    let all_of = |x: Option<&TierSays>| {
        let mut s = PortSet::none();
        for (_, _, p) in x.map_or(&[][..], |t| t.rules.as_slice()) {
            s.union_with(p);
        }
        s
    };
    match (a, b) {
        (Some(x), Some(y)) if x.tier == y.tier && x.priority == y.priority => {
            let mut touched = PortSet::none();
            let mut left: Vec<(Option<Action>, &PortSet)> =
                y.rules.iter().map(|(_, a, p)| (*a, p)).collect();
            let mut only_a = Vec::new();
            for (_, act, ports) in &x.rules {
                let r = (*act, ports);
                match left.iter().position(|l| *l == r) {
                    Some(i) => {
                        left.remove(i);
                    }
                    None => only_a.push(r),
                }
            }
            if only_a.is_empty() && left.is_empty() {
                // Same rules in another order: every overlap may decide otherwise.
                return all_of(a).union(&all_of(b));
            }
            for (_, p) in only_a.into_iter().chain(left) {
                touched.union_with(p);
            }
            touched
        }
        _ => all_of(a).union(&all_of(b)),
    }
}

/// One direction of a pair on one side (None: a party is missing there, or the subject is
/// an external range, to which no policy applies).
fn side_eval<'a>(
    side: &SideIndex<'a>,
    members: &Members,
    pair: &Pair,
    dir: Direction,
    v: Version,
) -> Option<Eval<'a>> {
    let present = match v {
        Version::Old => pair.in_old,
        Version::New => pair.in_new,
    };
    if !present {
        return None;
    }
    let src = members.party(pair.src, v)?;
    let dst = members.party(pair.dst, v)?;
    Eval::new(side.cluster, dir, src, dst)
}

/// The policies of both sides, grouped once for every pair.
struct Keys {
    /// Applied NetworkPolicies of either side, by namespace, sorted.
    np_by_ns: HashMap<String, Vec<PolicyKey>>,
    /// Changed NetworkPolicies by namespace, with their change.
    changed_np_by_ns: HashMap<String, Vec<(PolicyKey, usize)>>,
    /// Applied cluster-wide policies of either side, sorted.
    tier: Vec<TierKey>,
    /// Changed cluster-wide policies, with their change.
    changed_tier: Vec<(TierKey, usize)>,
}

impl Keys {
    fn new(o: &SideIndex, n: &SideIndex, lookup: &ChangeLookup) -> Keys {
        let mut np_by_ns: HashMap<String, Vec<PolicyKey>> = HashMap::new();
        for k in o.policies.keys().chain(n.policies.keys()) {
            np_by_ns.entry(k.0.clone()).or_default().push(k.clone());
        }
        for v in np_by_ns.values_mut() {
            v.sort();
            v.dedup();
        }
        let mut changed_np_by_ns: HashMap<String, Vec<(PolicyKey, usize)>> = HashMap::new();
        for (k, &c) in &lookup.policies {
            changed_np_by_ns
                .entry(k.0.clone())
                .or_default()
                .push((k.clone(), c));
        }
        for v in changed_np_by_ns.values_mut() {
            v.sort();
        }
        let mut tier: Vec<TierKey> = o.tier.keys().chain(n.tier.keys()).cloned().collect();
        tier.sort();
        tier.dedup();
        let mut changed_tier: Vec<(TierKey, usize)> =
            lookup.tier.iter().map(|(k, &c)| (k.clone(), c)).collect();
        changed_tier.sort();
        Keys {
            np_by_ns,
            changed_np_by_ns,
            tier,
            changed_tier,
        }
    }
}

fn attribute(
    o: &SideIndex,
    n: &SideIndex,
    members: &Members,
    lookup: &ChangeLookup,
    keys: &Keys,
    pair: &Pair,
) -> Vec<usize> {
    let mut causes: BTreeSet<usize> = BTreeSet::new();
    // An endpoint on one side only: named for all its connections.
    for slot in [pair.src, pair.dst] {
        if let Slot::Ep(i) = slot
            && (members.eps[i].old.is_none() || members.eps[i].new.is_none())
            && let Some(&c) = lookup.endpoints.get(&members.eps[i].id)
        {
            causes.insert(c);
        }
    }
    let mut fallback: BTreeSet<usize> = BTreeSet::new();
    for dir in [Direction::Egress, Direction::Ingress] {
        let eo = side_eval(o, members, pair, dir, Version::Old);
        let en = side_eval(n, members, pair, dir, Version::New);
        if eo.is_none() && en.is_none() {
            continue; // the subject is an external range: no policy applies
        }
        let allowed_o = match &eo {
            Some(e) => e.allowed(),
            None if pair.in_old => PortSet::all(),
            None => PortSet::none(),
        };
        let allowed_n = match &en {
            Some(e) => e.allowed(),
            None if pair.in_new => PortSet::all(),
            None => PortSet::none(),
        };
        let delta = sym_diff(&allowed_o, &allowed_n);
        if delta.is_empty() {
            continue;
        }
        let subject_ns = eo
            .as_ref()
            .or(en.as_ref())
            .map(|e| e.ep().namespace.clone())
            .unwrap_or_default();
        let hits = |touched: &PortSet| !touched.intersect(&delta).is_empty();
        let evals: Vec<&Eval> = eo.iter().chain(en.iter()).collect();

        // 1. Changed NetworkPolicies of the subject's namespace: old and new version read on
        //    the same cluster.
        let no_np = Vec::new();
        for (key, ci) in keys.changed_np_by_ns.get(&subject_ns).unwrap_or(&no_np) {
            let ci = *ci;
            let (pa, pb) = (o.policy(key), n.policy(key));
            for e in &evals {
                let a = pa.and_then(|p| e.np(p));
                let b = pb.and_then(|p| e.np(p));
                if a.is_some() || b.is_some() {
                    fallback.insert(ci);
                }
                if a == b {
                    continue;
                }
                let iso_a = e.np_isolated_with(key, a.as_ref().is_some_and(|x| x.isolates));
                let iso_b = e.np_isolated_with(key, b.as_ref().is_some_and(|x| x.isolates));
                if hits(&np_touched(a.as_ref(), b.as_ref(), iso_a, iso_b)) {
                    causes.insert(ci);
                }
            }
        }
        // 2. Changed cluster-wide policies.
        for (key, ci) in &keys.changed_tier {
            let ci = *ci;
            let (pa, pb) = (o.tier_policy(key), n.tier_policy(key));
            for e in &evals {
                let a = pa.and_then(|p| e.tier(p));
                let b = pb.and_then(|p| e.tier(p));
                if a.is_some() || b.is_some() {
                    fallback.insert(ci);
                }
                if a != b && hits(&tier_touched(a.as_ref(), b.as_ref())) {
                    causes.insert(ci);
                }
            }
        }
        // 3. Changed inputs: a policy read the same way on both clusters says something else.
        let (Some(eo), Some(en)) = (&eo, &en) else {
            continue;
        };
        // Which inputs a policy's changed reading points at: its selection of the subject (the
        // subject and its namespace), or its peers and the destination's named ports (the
        // other party, its namespace, the destination; Nodes for cluster-wide policies).
        let (mut subject_side, mut other_side, mut dst_side, mut nodes) =
            (false, false, false, false);
        let no_keys = Vec::new();
        for key in keys.np_by_ns.get(&subject_ns).unwrap_or(&no_keys) {
            let Some(p) = n.policy(key).or(o.policy(key)) else {
                continue;
            };
            let (a, b) = (eo.np(p), en.np(p));
            if a == b {
                continue;
            }
            let iso_a = eo.np_isolated_with(key, a.as_ref().is_some_and(|x| x.isolates));
            let iso_b = en.np_isolated_with(key, b.as_ref().is_some_and(|x| x.isolates));
            if !hits(&np_touched(a.as_ref(), b.as_ref(), iso_a, iso_b)) {
                continue;
            }
            let selection = |e: &Eval| {
                (
                    e.cluster.selects(p, e.ep()),
                    e.cluster.policy_active(p, dir),
                    e.cluster.policy_isolates(p, dir),
                )
            };
            if selection(eo) != selection(en) {
                subject_side = true;
            } else {
                let rules = |x: &Option<NpSays>| x.as_ref().map_or(Vec::new(), |s| s.rules.clone());
                let (ra, rb) = (rules(&a), rules(&b));
                let (peers, ports) = rules_differ(
                    ra.iter().map(|(i, p)| (*i, p)),
                    rb.iter().map(|(i, p)| (*i, p)),
                );
                other_side |= peers;
                dst_side |= ports;
            }
        }
        for key in &keys.tier {
            let Some(p) = n.tier_policy(key).or(o.tier_policy(key)) else {
                continue;
            };
            let (a, b) = (eo.tier(p), en.tier(p));
            if a == b || !hits(&tier_touched(a.as_ref(), b.as_ref())) {
                continue;
            }
            if cluster_selects(eo.cluster, p, eo.ep()) != cluster_selects(en.cluster, p, en.ep()) {
                subject_side = true;
            } else {
                let rules =
                    |x: &Option<TierSays>| x.as_ref().map_or(Vec::new(), |s| s.rules.clone());
                let (ra, rb) = (rules(&a), rules(&b));
                let (peers, ports) = rules_differ(
                    ra.iter().map(|(i, _, p)| (*i, p)),
                    rb.iter().map(|(i, _, p)| (*i, p)),
                );
                other_side |= peers;
                dst_side |= ports;
                nodes |= peers
                    && p.rules(dir).iter().any(|r| {
                        r.peers
                            .iter()
                            .any(|x| matches!(x.kind, ClusterPeerKind::Nodes(_)))
                    });
            }
        }
        let ns_iso = |e: &Eval| e.cluster.namespace_isolates(e.ep().ns, dir);
        if ns_iso(eo) != ns_iso(en) {
            subject_side = true;
        }
        let (subject_slot, other_slot) = match dir {
            Direction::Egress => (pair.src, pair.dst),
            Direction::Ingress => (pair.dst, pair.src),
        };
        let ep_change = |s: Slot| match s {
            Slot::Ep(i) => lookup.endpoints.get(&members.eps[i].id).copied(),
            Slot::Range(_) => None,
        };
        let ns_change = |s: Slot| match s {
            Slot::Ep(i) => lookup.namespaces.get(&members.eps[i].namespace).copied(),
            Slot::Range(_) => None,
        };
        let mut found: BTreeSet<usize> = BTreeSet::new();
        if subject_side {
            found.extend(ep_change(subject_slot));
            found.extend(ns_change(subject_slot));
        }
        if other_side {
            found.extend(ep_change(other_slot));
            found.extend(ns_change(other_slot));
            if nodes {
                found.extend(lookup.nodes.iter().copied());
            }
        }
        if dst_side {
            found.extend(ep_change(pair.dst));
        }
        if (subject_side || other_side || dst_side) && found.is_empty() {
            // A policy reads differently and no input of this pair is known to have
            // changed: name every changed input the pair depends on.
            for s in [pair.src, pair.dst] {
                found.extend(ep_change(s));
                found.extend(ns_change(s));
            }
            found.extend(lookup.nodes.iter().copied());
        }
        causes.extend(found);
        for s in [pair.src, pair.dst] {
            fallback.extend(ep_change(s));
            fallback.extend(ns_change(s));
        }
    }
    if causes.is_empty() {
        causes = fallback;
    }
    causes.into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// Merging adjacent external ranges that changed alike, and ordering.

fn merge_ranges(conns: Vec<Connection>, members: &Members) -> Vec<Connection> {
    let order: HashMap<&str, usize> = members
        .eps
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let key = |m: &Member| -> (u8, usize, Family, u128) {
        match m {
            Member::Endpoint { id, .. } => (
                0,
                order.get(id.as_str()).copied().unwrap_or(0),
                Family::V4,
                0,
            ),
            Member::External(r) => (1, 0, r.family, r.start),
        }
    };
    // Group by everything but the range, the range last, so that ranges that may merge are
    // next to each other in address order.
    let group = |c: &Connection| {
        let class = u8::from(c.dst.is_external()) + 2 * u8::from(c.src.is_external());
        let (first, second) = if c.src.is_external() {
            (key(&c.dst), key(&c.src))
        } else {
            (key(&c.src), key(&c.dst))
        };
        (class, c.kind, c.causes.clone(), first, second)
    };
    let mut conns = conns;
    conns.sort_by_cached_key(group);
    let mut out: Vec<Connection> = Vec::with_capacity(conns.len());
    for c in conns {
        if let Some(last) = out.last_mut()
            && last.kind == c.kind
            && last.old == c.old
            && last.new == c.new
            && last.causes == c.causes
        {
            match (&last.src, &last.dst, &c.src, &c.dst) {
                (s1, Member::External(r1), s2, Member::External(r2)) if s1 == s2 => {
                    if let Some(r) = adjacent(r1, r2) {
                        last.dst = Member::External(r);
                        continue;
                    }
                }
                (Member::External(r1), d1, Member::External(r2), d2) if d1 == d2 => {
                    if let Some(r) = adjacent(r1, r2) {
                        last.src = Member::External(r);
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out.sort_by_cached_key(|c| (c.kind, key(&c.src), key(&c.dst)));
    out
}

fn adjacent(a: &AddrRange, b: &AddrRange) -> Option<AddrRange> {
    (a.family == b.family && a.end.checked_add(1) == Some(b.start)).then_some(AddrRange {
        family: a.family,
        start: a.start,
        end: b.end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_texts};

    const BASE: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: platform}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers:
      - {name: api, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers:
      - {name: prometheus}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";

    const WEB_TO_API: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {tier: backend}}}]
    ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
";

    fn cluster(text: &str) -> Cluster {
        let loaded = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        Cluster::build(loaded.objects)
    }

    fn diff(old: &str, new: &str) -> Diff {
        Diff::compute(&cluster(old), &cluster(new))
    }

    /// `opened shop/deploy/web → shop/deploy/api: none → TCP 8080 [NetworkPolicy shop/web added]`.
    fn lines(d: &Diff) -> Vec<String> {
        d.connections
            .iter()
            .map(|c| {
                let causes: Vec<String> = c
                    .causes
                    .iter()
                    .map(|&i| format!("{} {}", d.changes[i].title(), d.changes[i].change))
                    .collect();
                format!(
                    "{} {} → {}: {} → {} [{}]",
                    c.kind.as_str(),
                    c.src,
                    c.dst,
                    c.old,
                    c.new,
                    causes.join("; ")
                )
            })
            .collect()
    }

    #[test]
    fn the_same_input_is_no_change() {
        let text = format!("{BASE}---{WEB_TO_API}");
        let d = diff(&text, &text);
        assert!(d.is_empty() && d.changes.is_empty(), "{d:?}");
    }

    #[test]
    fn added_policies_open_and_each_side_is_named() {
        let d = diff(BASE, &format!("{BASE}---{WEB_TO_API}"));
        assert_eq!(
            lines(&d),
            [
                "opened shop/deploy/web → shop/deploy/api: none → TCP 8080 [NetworkPolicy shop/api added; NetworkPolicy shop/web added]"
            ]
        );
        assert_eq!(
            d.counts(),
            Counts {
                opened: 1,
                closed: 0,
                changed: 0
            }
        );
        assert!(d.changes.iter().all(|c| c.connections == 1));
    }

    #[test]
    fn a_removed_policy_closes() {
        let d = diff(&format!("{BASE}---{WEB_TO_API}"), BASE);
        assert_eq!(
            lines(&d),
            [
                "closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [NetworkPolicy shop/api removed; NetworkPolicy shop/web removed]"
            ]
        );
        assert_eq!(d.changes[0].change, ChangeKind::Removed);
        assert!(d.changes[0].new.is_none() && d.changes[0].old.is_some());
    }

    #[test]
    fn a_removed_default_deny_opens_everything_it_held_shut() {
        let old = format!("{BASE}---{WEB_TO_API}");
        let new = old.replace(
            "{name: default-deny, namespace: shop}",
            "{name: default-deny, namespace: shop, annotations: {note: x}}",
        );
        assert!(diff(&old, &new).is_empty(), "annotations are not a change");
        let new = old.replace(
            "policyTypes: [Ingress, Egress]\n",
            "policyTypes: [Ingress]\n",
        );
        let d = diff(&old, &new);
        // Egress is no longer isolated for api (web keeps its own egress policy).
        let l = lines(&d);
        assert!(
            l.contains(&"opened shop/deploy/api → monitoring/deploy/prometheus: none → all [NetworkPolicy shop/default-deny edited]".to_string()),
            "{l:#?}"
        );
        assert!(l.iter().all(|x| x.contains("shop/deploy/api →")), "{l:#?}");
        assert_eq!(
            d.changes[0].details,
            ["policyTypes: Ingress, Egress → Ingress"]
        );
    }

    #[test]
    fn ports_that_change_are_a_changed_connection() {
        let old = format!("{BASE}---{WEB_TO_API}");
        let new = old.replace(
            "ports: [{port: 8080}]\n---",
            "ports: [{port: 8080}, {port: 9090}]\n---",
        );
        let d = diff(&old, &new);
        // web's egress allows 9090 now, api's ingress still only 8080: nothing changes.
        assert!(d.is_empty(), "{:#?}", lines(&d));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].details, ["egress[0] changed"]);
        assert_eq!(d.changes[0].connections, 0);
        let new = new.replace(
            "from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]",
            "from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: http}, {port: metrics}]",
        );
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "changed shop/deploy/web → shop/deploy/api: TCP 8080 → TCP 8080,9090 [NetworkPolicy shop/api edited; NetworkPolicy shop/web edited]"
            ]
        );
        let c = &d.connections[0];
        assert_eq!(c.opened().to_string(), "TCP 9090");
        assert!(c.closed().is_empty());
    }

    #[test]
    fn a_label_change_is_named_with_the_side_it_acts_on() {
        let old = format!("{BASE}---{WEB_TO_API}");
        // api loses tier=backend: web's egress peer no longer matches it.
        let new = old.replace(
            "labels: {app: api, tier: backend}",
            "labels: {app: api, tier: api}",
        );
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [Deployment shop/api edited]"
            ]
        );
        assert_eq!(d.changes[0].details, ["label tier: backend → api"]);
        // web is relabelled: api's ingress peer and web's own egress policy both miss it.
        let new = old.replace("labels: {app: web}", "labels: {app: frontend}");
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [Deployment shop/web edited]"
            ]
        );
    }

    #[test]
    fn a_namespace_label_change_is_named() {
        let old = format!(
            "{BASE}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: scrape, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: api}}}}
  ingress:
  - from: [{{namespaceSelector: {{matchLabels: {{team: platform}}}}}}]
    ports: [{{port: metrics}}]
"
        );
        let new = old.replace("labels: {team: platform}", "labels: {team: observability}");
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "closed monitoring/deploy/prometheus → shop/deploy/api: TCP 9090 → none [Namespace monitoring edited]"
            ]
        );
        assert_eq!(
            d.changes[0].details,
            ["label team: platform → observability"]
        );
    }

    #[test]
    fn a_policy_change_and_a_label_change_together_are_both_named() {
        let old = format!("{BASE}---{WEB_TO_API}");
        let new = old
            .replace(
                "labels: {app: api, tier: backend}",
                "labels: {app: api, tier: core}",
            )
            .replace("matchLabels: {tier: backend}", "matchLabels: {tier: core}");
        // Connection unchanged: nothing to report, but both objects changed.
        let d = diff(&old, &new);
        assert!(d.is_empty());
        assert_eq!(d.changes.len(), 2);
        // Opening metrics on 9100 takes three changes together: web's egress, api's new
        // ingress rule on the named port, and api's metrics port moved from 9090 to 9100.
        let new = format!(
            "{}  - from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]\n    ports: [{{port: metrics}}]\n",
            old.replace(
                "{name: metrics, containerPort: 9090}",
                "{name: metrics, containerPort: 9100}"
            )
            .replace(
                "ports: [{port: 8080}]\n---",
                "ports: [{port: 8080}, {port: 9100}]\n---"
            )
        );
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "changed shop/deploy/web → shop/deploy/api: TCP 8080 → TCP 8080,9100 [NetworkPolicy shop/api edited; NetworkPolicy shop/web edited; Deployment shop/api edited]"
            ]
        );
        assert_eq!(
            d.changes[2].details,
            ["container ports: http TCP 8080, metrics TCP 9090 → http TCP 8080, metrics TCP 9100"]
        );
    }

    #[test]
    fn an_added_endpoint_is_named_for_its_connections() {
        let old = format!("{BASE}---{WEB_TO_API}");
        let new = format!(
            "{old}---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: cache, namespace: shop}}
spec:
  template:
    metadata: {{labels: {{app: cache, tier: backend}}}}
    spec:
      containers:
      - {{name: redis, ports: [{{containerPort: 8080}}]}}
"
        );
        let d = diff(&old, &new);
        // Default deny holds everything shut but web's egress to tier=backend on 8080, which
        // cache's ingress (not isolated... default-deny isolates it) denies.
        assert!(d.is_empty(), "{:#?}", lines(&d));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].change, ChangeKind::Added);
        assert_eq!(d.changes[0].title(), "StatefulSet shop/cache");
        let new = format!(
            "{new}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: cache, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: cache}}}}
  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]}}]
"
        );
        let d = diff(&old, &new);
        assert_eq!(
            lines(&d),
            [
                "opened shop/deploy/web → shop/sts/cache: none → TCP 8080 [NetworkPolicy shop/cache added; StatefulSet shop/cache added]"
            ]
        );
        // Removing it again closes what it had.
        let back = diff(&new, &old);
        assert_eq!(
            lines(&back),
            [
                "closed shop/deploy/web → shop/sts/cache: TCP 8080 → none [NetworkPolicy shop/cache removed; StatefulSet shop/cache removed]"
            ]
        );
    }

    #[test]
    fn external_ranges_are_cut_on_both_sides_and_merged_back() {
        let egress = |cidr: &str| {
            format!(
                "{BASE}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-out, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  egress:
  - to: [{{ipBlock: {{cidr: {cidr}}}}}]
    ports: [{{port: 443}}]
"
            )
        };
        let d = diff(&egress("0.0.0.0/0"), &egress("203.0.113.0/24"));
        assert_eq!(
            lines(&d),
            [
                "closed shop/deploy/web → 0.0.0.0-203.0.112.255: TCP 443 → none [NetworkPolicy shop/web-out edited]",
                "closed shop/deploy/web → 203.0.114.0-255.255.255.255: TCP 443 → none [NetworkPolicy shop/web-out edited]",
            ]
        );
        assert_eq!(d.changes[0].details, ["egress[0] changed"]);
    }

    #[test]
    fn cluster_wide_policies_are_compared_by_kind_and_name() {
        let anp = |action: &str| {
            format!(
                "{BASE}---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: platform}}
spec:
  priority: 10
  subject:
    pods:
      namespaceSelector: {{matchLabels: {{team: shop}}}}
      podSelector: {{matchLabels: {{app: api}}}}
  ingress:
  - name: scrape
    action: {action}
    from: [{{namespaces: {{matchLabels: {{team: platform}}}}}}]
    ports: [{{portNumber: {{protocol: TCP, port: 9090}}}}]
"
            )
        };
        // Prometheus's egress is not isolated; api's ingress is, but Allow at the Admin tier
        // is final.
        let d = diff(&anp("Deny"), &anp("Allow"));
        assert_eq!(
            lines(&d),
            [
                "opened monitoring/deploy/prometheus → shop/deploy/api: none → TCP 9090 [AdminNetworkPolicy platform edited]"
            ]
        );
        assert_eq!(d.changes[0].details, ["ingress[0] \"scrape\" changed"]);
        let d = diff(BASE, &anp("Allow"));
        assert_eq!(d.changes[0].change, ChangeKind::Added);
        assert_eq!(d.connections.len(), 1);
    }

    #[test]
    fn layout_and_rule_order_are_not_changes() {
        let old = format!("{BASE}---{WEB_TO_API}");
        let new = old.replace(
            "ports: [{port: 8080}]\n---",
            "ports:\n    - port: 8080\n      protocol: TCP\n---",
        );
        let d = diff(&old, &new);
        assert!(d.changes.is_empty(), "{:?}", d.changes);
    }
}

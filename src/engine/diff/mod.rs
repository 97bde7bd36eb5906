//! What a change to the manifests opens or closes: two clusters compared connection by
//! connection, each difference tied to the object changes responsible for it.
//!
//! 1. **Objects.** NetworkPolicies are matched by namespace and name, cluster-wide policies by
//!    kind and name, Calico and Cilium policies by kind and `ns/name` (or `name`), pods and
//!    workloads by id (`ns/kind/name`), namespaces and Nodes by name.
//!    A policy is *edited* when what it says changed (selectors, policy types, rules, ports,
//!    or whether the API server accepts it), not when only its layout, comments or the order
//!    of its NetworkPolicy (or Cilium) rules or peers did. A Cilium policy lowers into several
//!    policies of the model (a deny and an allow part per rule, see [`Part`]): it is compared,
//!    and blamed, part by part. An endpoint or namespace is edited when what
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
//!    isolates the pod, for cluster-wide policies the rules that match and their actions);
//!    for a Cilium policy, what one of its parts says (its denies, its allows, whether
//!    `enableDefaultDeny` isolates the pod).
//!    A changed endpoint, namespace or Node is named when some policy, unchanged, says
//!    something different about the connection on the old and the new cluster on those ports:
//!    the subject's own labels (or namespace) when the policy's selection changed, the other
//!    party's when its peers or the destination's named ports did. An endpoint present on
//!    one side only is named for all of its connections.

mod attribute;
mod cilium;
mod objects;
mod pairs;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;

use super::matrix::Matrix;
use crate::base::span::Span;
use crate::model::calico::CalicoKind;
use crate::model::cilium::CiliumKind;
use crate::model::cluster_policy::ClusterPolicyKind;
use crate::model::ip::AddrRange;
use crate::model::ir::{PolicyId, Source};
use crate::model::{Cluster, EndpointKind, PortSet};
use attribute::{ChangeLookup, Keys, attribute};
use pairs::{Members, changed_pairs, merge_ranges};

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
    /// A Kubernetes NetworkPolicy.
    NetworkPolicy,
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.
    ClusterPolicy(ClusterPolicyKind),
    /// A Calico policy of any kind.
    Calico(CalicoKind),
    /// A Calico Tier (its order or default action).
    CalicoTier,
    /// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
    Cilium(CiliumKind),
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
            ObjectKind::Calico(k) => k.title(),
            ObjectKind::CalicoTier => "Tier",
            ObjectKind::Cilium(k) => k.as_str(),
            ObjectKind::Namespace => "Namespace",
            ObjectKind::Workload(k) => k.as_str(),
            ObjectKind::Node => "Node",
        }
    }

    /// Whether it is a policy of any kind.
    pub fn is_policy(self) -> bool {
        matches!(
            self,
            ObjectKind::NetworkPolicy
                | ObjectKind::ClusterPolicy(_)
                | ObjectKind::Calico(_)
                | ObjectKind::Cilium(_)
        )
    }
}

/// One object that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its kind.
    pub object: ObjectKind,
    /// `ns/name` for a NetworkPolicy (or a namespaced Calico or Cilium policy), the name of a
    /// cluster-wide policy, a namespace or a Node, the endpoint id (`shop/deploy/api`) for a
    /// pod or workload.
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
        let mut changes = objects::changes(&o, &n);
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

/// A policy of either side, by identity: the kind of API object and its `ns/name` (or
/// `name`). The isolation annotation of a namespace is keyed by the namespace.
type PolicyKey = (ObjectKind, String);

/// Which policy of the model, among those one object lowers into.
///
/// The index maps an object's key to all its parts, rather than keying each part and
/// grouping them back for display: an object is what changes, is listed and is blamed, so
/// the object is the key; its parts are what is compared, side against side, so a part
/// names its place in the object, which holds on both sides (the first rule's deny part
/// of the old version against the first rule's deny part of the new one), not a position
/// in the model. Every object of the other kinds lowers into one policy ([`Part::Whole`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Part {
    /// The one policy of an object of any other kind.
    Whole,
    /// One part of one rule of a Cilium policy (as [`Source::Cilium`]).
    Cilium {
        /// The rule: `spec`, then the items of `specs`.
        spec: usize,
        /// The deny part (`ingressDeny`, `egressDeny`), else the allow part.
        deny: bool,
    },
}

impl Part {
    /// The part a policy of the model is of its object.
    fn of(source: Source) -> Part {
        match source {
            Source::Cilium { spec, deny, .. } => Part::Cilium { spec, deny },
            _ => Part::Whole,
        }
    }
}

/// The policies of the model one object lowered into, by part, in order of part.
pub(super) type Parts = Vec<(Part, PolicyId)>;

struct SideIndex<'a> {
    cluster: &'a Cluster,
    matrix: Matrix,
    /// The applied objects by key, with the policies of the model they lowered into. An object
    /// of another kind is applied when it lowered into a policy; a Cilium policy when the
    /// API server accepts it (valid, not replaced by a later one of its name), whether it
    /// lowered into any part or not (a rule that enforces nothing, a network plugin that is
    /// not Cilium).
    applied: HashMap<PolicyKey, Parts>,
    /// Every policy object of the input by key: the applied one, else the last one.
    any: HashMap<PolicyKey, Span>,
    /// The policies of the model that no object wrote (Cilium's agent: enforcement mode
    /// `always`, `allow-localhost`).
    agent: Vec<PolicyId>,
}

impl<'a> SideIndex<'a> {
    fn new(cluster: &'a Cluster, matrix: Matrix) -> SideIndex<'a> {
        let mut any = HashMap::new();
        let mut applied: HashMap<PolicyKey, Parts> = HashMap::new();
        let lowered: HashMap<Source, PolicyId> = cluster
            .ir
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.source, i))
            .collect();
        let mut add = |key: PolicyKey, span: Span, parts: Option<Parts>| match parts {
            Some(parts) => {
                any.insert(key.clone(), span);
                applied.insert(key, parts);
            }
            None => {
                if !applied.contains_key(&key) {
                    any.insert(key, span);
                }
            }
        };
        let whole = |source: Source| lowered.get(&source).map(|&id| vec![(Part::Whole, id)]);
        for (i, p) in cluster.policies.iter().enumerate() {
            add(
                (ObjectKind::NetworkPolicy, p.id()),
                p.span,
                whole(Source::NetworkPolicy(i)),
            );
        }
        for (i, p) in cluster.cluster_policies.iter().enumerate() {
            add(
                (ObjectKind::ClusterPolicy(p.kind), p.name.clone()),
                p.span,
                whole(Source::ClusterPolicy(i)),
            );
        }
        for (i, p) in cluster.calico_policies.iter().enumerate() {
            add(
                (ObjectKind::Calico(p.kind), p.id()),
                p.span,
                whole(Source::Calico(i)),
            );
        }
        let mut cilium_parts: HashMap<usize, Parts> = HashMap::new();
        let mut agent = Vec::new();
        for (id, p) in cluster.ir.policies.iter().enumerate() {
            match p.source {
                Source::Cilium { policy, .. } => cilium_parts
                    .entry(policy)
                    .or_default()
                    .push((Part::of(p.source), id)),
                Source::CiliumEnforcement | Source::CiliumLocalhost => agent.push(id),
                _ => {}
            }
        }
        for (i, p) in cluster.cilium_policies.iter().enumerate() {
            let parts = cluster.cilium_applied(i).then(|| {
                let mut parts = cilium_parts.remove(&i).unwrap_or_default();
                parts.sort();
                parts
            });
            add(
                (ObjectKind::Cilium(p.kind), p.qualified_name()),
                p.span,
                parts,
            );
        }
        for (&source, &id) in &lowered {
            if let Source::NamespaceIsolation(ns) = source {
                applied.insert(
                    (ObjectKind::Namespace, cluster.ns(ns).name.clone()),
                    vec![(Part::Whole, id)],
                );
            }
        }
        SideIndex {
            cluster,
            matrix,
            applied,
            any,
            agent,
        }
    }

    /// The parts of an applied object (None: not applied on this side).
    fn parts(&self, key: &PolicyKey) -> Option<&Parts> {
        self.applied.get(key)
    }

    /// The policy of the model of one part of an applied object.
    fn policy(&self, key: &PolicyKey, part: Part) -> Option<&'a crate::model::ir::Policy> {
        let parts = self.applied.get(key)?;
        let &(_, id) = parts.iter().find(|(p, _)| *p == part)?;
        Some(&self.cluster.ir.policies[id])
    }
}

/// The parts of an object on the two sides, paired: the one part of an object of another
/// kind with itself, those of a Cilium policy as [`cilium::paired_parts`] pairs its rules.
/// A part a side does not have is None.
fn paired_parts(
    o: &SideIndex,
    n: &SideIndex,
    key: &PolicyKey,
) -> Vec<(Option<Part>, Option<Part>)> {
    if let ObjectKind::Cilium(_) = key.0 {
        return cilium::paired_parts(o, n, key);
    }
    let has = |side: &SideIndex| {
        side.parts(key)
            .is_some_and(|p| p.iter().any(|(x, _)| *x == Part::Whole))
            .then_some(Part::Whole)
    };
    match (has(o), has(n)) {
        (None, None) => Vec::new(),
        pair => vec![pair],
    }
}

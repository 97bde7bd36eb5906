//! Cluster-wide policies: AdminNetworkPolicy and BaselineAdminNetworkPolicy
//! (policy.networking.k8s.io/v1alpha1) and ClusterNetworkPolicy (v1alpha2), in one shape.
//!
//! Semantics (network-policy-api, sigs.k8s.io):
//! - Tiers are evaluated per direction — egress at the source, ingress at the destination:
//!   the Admin tier (ANPs, and CNPs of tier Admin) by ascending priority, rules in order,
//!   first match wins; Allow/Accept and Deny are final, even over NetworkPolicy; Pass skips
//!   the rest of the tier. Then the NetworkPolicy tier, final for the pods it isolates.
//!   Then the Baseline tier (the BANP, CNPs of tier Baseline), first match wins. Otherwise
//!   the traffic is allowed.
//! - The subject is `namespaces` (every pod of the matching namespaces) or `pods`
//!   (`namespaceSelector` AND `podSelector`); hostNetwork pods are never selected.
//! - Peers: `namespaces`, `pods`; for egress also `nodes` (the IPs in a Node's
//!   status.addresses) and `networks` (CIDRs, which match pod IPs too).
//! - Ports: ANP `portNumber {protocol, port}`, `namedPort`, `portRange {protocol, start, end}`;
//!   CNP `protocols` entries `tcp|udp|sctp: {destinationPort: {number} | {range: {start,
//!   end}}}` or `destinationNamedPort`. No ports: every port. Named ports resolve on the
//!   destination pod.

use std::fmt;

use super::endpoint::ContainerPort;
use super::labels::{LabelSelector, Labels};
use super::policy::Direction;
use super::ports::{PortSet, Protocol};
use crate::base::span::{Span, Spanned};

/// Which API a cluster-wide policy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClusterPolicyKind {
    /// AdminNetworkPolicy (Admin tier).
    Anp,
    /// BaselineAdminNetworkPolicy (Baseline tier, a singleton named `default`).
    Banp,
    /// ClusterNetworkPolicy (its `tier` says which).
    Cnp,
}

impl ClusterPolicyKind {
    /// The API kind.
    pub fn kind(self) -> &'static str {
        match self {
            ClusterPolicyKind::Anp => "AdminNetworkPolicy",
            ClusterPolicyKind::Banp => "BaselineAdminNetworkPolicy",
            ClusterPolicyKind::Cnp => "ClusterNetworkPolicy",
        }
    }

    /// The short name used in explanations (`ANP`, `BANP`, `CNP`).
    pub fn short(self) -> &'static str {
        match self {
            ClusterPolicyKind::Anp => "ANP",
            ClusterPolicyKind::Banp => "BANP",
            ClusterPolicyKind::Cnp => "CNP",
        }
    }

    /// The action names the API accepts.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            ClusterPolicyKind::Anp => &["Allow", "Deny", "Pass"],
            ClusterPolicyKind::Banp => &["Allow", "Deny"],
            ClusterPolicyKind::Cnp => &["Accept", "Deny", "Pass"],
        }
    }
}

/// Where a cluster-wide policy sits relative to NetworkPolicies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Before NetworkPolicy.
    Admin,
    /// After NetworkPolicy.
    Baseline,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Admin => "Admin",
            Tier::Baseline => "Baseline",
        })
    }
}

/// What a matching rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Allow (ANP, BANP) or Accept (CNP): final.
    Allow,
    /// Deny: final.
    Deny,
    /// Skip the rest of the tier.
    Pass,
}

impl Action {
    /// Parses an action of a policy kind.
    pub fn parse(kind: ClusterPolicyKind, s: &str) -> Option<Action> {
        if !kind.actions().contains(&s) {
            return None;
        }
        Some(match s {
            "Allow" | "Accept" => Action::Allow,
            "Deny" => Action::Deny,
            _ => Action::Pass,
        })
    }
}

/// `subject`.
#[derive(Clone, Debug)]
pub struct ClusterSubject {
    /// The subject node.
    pub span: Span,
    /// `namespaces`, or `pods.namespaceSelector`.
    pub namespace_selector: LabelSelector,
    /// `pods.podSelector` (None for a `namespaces` subject: every pod).
    pub pod_selector: Option<LabelSelector>,
}

/// One peer of a cluster-wide rule.
#[derive(Clone, Debug)]
pub enum ClusterPeerKind {
    /// Every pod of the matching namespaces.
    Namespaces(LabelSelector),
    /// Pods matching both selectors.
    Pods {
        /// Namespaces.
        namespace_selector: LabelSelector,
        /// Pods in them.
        pod_selector: LabelSelector,
    },
    /// The IPs of the matching Nodes (egress only).
    Nodes(LabelSelector),
    /// CIDRs (egress only); they match pod IPs too.
    Networks(Vec<Spanned<String>>),
    /// No known field set: the API says to fail closed.
    Unknown,
}

/// A peer, with its position.
#[derive(Clone, Debug)]
pub struct ClusterPeer {
    /// The peer node.
    pub span: Span,
    /// Index in `from`/`to`.
    pub index: usize,
    /// What it selects.
    pub kind: ClusterPeerKind,
}

/// One port entry.
#[derive(Clone, Debug)]
pub enum ClusterPortKind {
    /// A port number.
    Number(Protocol, Spanned<i64>),
    /// An inclusive range.
    Range(Protocol, Spanned<i64>, Spanned<i64>),
    /// A container port name, resolved on the destination (any protocol with that name, as
    /// the API names no protocol).
    Named(Spanned<String>),
    /// A malformed entry (reported by validation; matches nothing).
    Invalid,
}

/// A port entry with its position.
#[derive(Clone, Debug)]
pub struct ClusterPort {
    /// The entry node.
    pub span: Span,
    /// What it allows.
    pub kind: ClusterPortKind,
    /// The protocol as written, when it is not one of TCP, UDP, SCTP.
    pub bad_protocol: Option<Spanned<String>>,
}

impl ClusterPort {
    /// The ports this entry covers towards a destination with these container ports.
    pub fn ports_on(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        let u16_of = |v: i64| u16::try_from(v).ok();
        match &self.kind {
            ClusterPortKind::Number(p, n) => {
                u16_of(n.value).map_or_else(PortSet::none, |n| PortSet::single(*p, n))
            }
            ClusterPortKind::Range(p, a, b) => match (u16_of(a.value), u16_of(b.value)) {
                (Some(a), Some(b)) => PortSet::range(*p, a, b),
                _ => PortSet::none(),
            },
            ClusterPortKind::Named(name) => {
                let mut set = PortSet::none();
                for cp in dst.unwrap_or(&[]) {
                    if cp.name.as_deref() == Some(name.value.as_str()) {
                        set.union_with(&PortSet::single(cp.protocol, cp.port));
                    }
                }
                set
            }
            ClusterPortKind::Invalid => PortSet::none(),
        }
    }

    /// `TCP 80`, `UDP 1000-2000`, `named http`.
    pub fn describe(&self) -> String {
        match &self.kind {
            ClusterPortKind::Number(p, n) => format!("{p} {}", n.value),
            ClusterPortKind::Range(p, a, b) => format!("{p} {}-{}", a.value, b.value),
            ClusterPortKind::Named(n) => format!("named port {}", n.value),
            ClusterPortKind::Invalid => "an invalid port".into(),
        }
    }
}

/// One ingress or egress rule of a cluster-wide policy.
#[derive(Clone, Debug)]
pub struct ClusterRule {
    /// The rule node.
    pub span: Span,
    /// Ingress or egress.
    pub direction: Direction,
    /// Index in its list.
    pub index: usize,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `action` as written.
    pub action: Spanned<String>,
    /// `from` / `to`.
    pub peers: Vec<ClusterPeer>,
    /// The `from`/`to` node.
    pub peers_span: Span,
    /// `ports` / `protocols`, when present.
    pub ports: Option<Spanned<Vec<ClusterPort>>>,
}

impl ClusterRule {
    /// The ports the rule covers towards a destination (no ports: every port).
    pub fn ports_on(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        match &self.ports {
            None => PortSet::all(),
            Some(list) => {
                let mut set = PortSet::none();
                for p in &list.value {
                    set.union_with(&p.ports_on(dst));
                }
                set
            }
        }
    }

    /// `ingress[0]` or `ingress[0] "name"`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{}[{}] \"{}\"", self.direction.field(), self.index, n.value),
            None => format!("{}[{}]", self.direction.field(), self.index),
        }
    }
}

/// A cluster-wide policy.
#[derive(Clone, Debug)]
pub struct ClusterPolicy {
    /// Which API.
    pub kind: ClusterPolicyKind,
    /// metadata.name.
    pub name: String,
    /// The object.
    pub span: Span,
    /// `metadata.name`.
    pub name_span: Span,
    /// apiVersion as written.
    pub api_version: Spanned<String>,
    /// metadata.annotations.
    pub annotations: Labels,
    /// The tier.
    pub tier: Tier,
    /// `spec.tier` as written (CNP).
    pub tier_raw: Option<Spanned<String>>,
    /// `spec.priority` (ANP, CNP).
    pub priority: Option<Spanned<i64>>,
    /// `spec.subject`.
    pub subject: ClusterSubject,
    /// `spec.ingress`.
    pub ingress: Vec<ClusterRule>,
    /// `spec.egress`.
    pub egress: Vec<ClusterRule>,
}

impl ClusterPolicy {
    /// The rules of a direction.
    pub fn rules(&self, dir: Direction) -> &[ClusterRule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// `ANP deny-all prio 10`, `BANP default`, `CNP admin/x prio 5`.
    pub fn label(&self) -> String {
        match (&self.priority, self.kind) {
            (Some(p), ClusterPolicyKind::Cnp) => {
                format!("CNP {} ({} tier, prio {})", self.name, self.tier, p.value)
            }
            (Some(p), k) => format!("{} {} prio {}", k.short(), self.name, p.value),
            (None, k) => format!("{} {}", k.short(), self.name),
        }
    }

    /// The action of a rule, as this kind reads it.
    pub fn action(&self, rule: &ClusterRule) -> Option<Action> {
        Action::parse(self.kind, &rule.action)
    }

    /// Sort key within a tier: priority, then kind (ANP before CNP on ties), then name.
    pub fn order(&self) -> (i64, ClusterPolicyKind, &str) {
        (
            self.priority.as_ref().map_or(0, |p| p.value),
            self.kind,
            &self.name,
        )
    }
}

/// A Node: its labels (for `nodes` peers) and addresses.
#[derive(Clone, Debug)]
pub struct Node {
    /// metadata.name.
    pub name: String,
    /// metadata.labels.
    pub labels: Labels,
    /// status.addresses (InternalIP, ExternalIP).
    pub addresses: Vec<std::net::IpAddr>,
    /// spec.podCIDR and spec.podCIDRs: the ranges its pods' addresses come from.
    pub pod_cidrs: Vec<ipnet::IpNet>,
    /// The object.
    pub span: Span,
}

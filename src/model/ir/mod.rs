//! The one policy model: every policy API lowers into it, and every engine (can-reach and its
//! explanation, the matrix, diff, the shadow and redundancy analyses, the report) reads only
//! it. The typed API objects ([`crate::model::NetworkPolicy`], [`crate::model::ClusterPolicy`],
//! [`crate::model::calico`]) stay for validation and the linter's syntax rules.
//!
//! # Shape
//! - [`Model::tiers`], in evaluation order; each holds its policies in evaluation order
//!   (order/priority, ties by name as the API says); each policy its rules per direction, in
//!   order.
//! - A [`Policy`] has a subject ([`Match`] over endpoints) and, per direction, whether it
//!   applies there, whether selecting an endpoint *isolates* it (makes the tier's end action
//!   apply to what no rule decided), and its [`Rule`]s.
//! - A [`Rule`] is an [`Action`] (Allow, Deny, Pass to the next tier, Log and go on) and a
//!   match over the other party ([`Match`]), the subject itself (`local`, Calico's
//!   `destination` of an ingress rule), and the destination's protocols and ports
//!   ([`PortMatch`]). Every part may be negated.
//!
//! # Decision order
//! Written once, in [`crate::engine::evaluate`]: per direction (egress at the source, ingress
//! at the destination) and per port, the tiers in order; in a tier, the rules of the
//! policies applying to the endpoint in order, the first matching rule deciding (Allow and
//! Deny are final, Pass leaves the tier, Log goes on). When a policy of the tier that
//! isolates selected the endpoint and no rule decided, the tier's [`EndAction`] applies;
//! ports that leave the last tier are allowed (the Kubernetes default, Calico's namespace
//! profile).
//!
//! Kubernetes NetworkPolicies are the `Allow` rules of isolating policies of one tier whose
//! end action is Deny: rules add up, and what no rule allows is denied — the API's meaning.
//! AdminNetworkPolicies form the tier before it and BaselineAdminNetworkPolicies the tier
//! after it, both ending in Pass.

pub mod lower;
pub mod subjects;

use std::fmt;
use std::ops::Range;

use ipnet::IpNet;

use super::endpoint::ContainerPort;
use super::ip::Family;
use super::policy::Direction;
use super::ports::{PortSet, Protocol};
use super::selector::Expr;
use super::{NsId, PolicyIdx};
use crate::base::span::Span;

/// Index of a tier in [`Model::tiers`].
pub type TierId = usize;

/// Index of a policy in [`Model::policies`].
pub type PolicyId = usize;

/// 0 for ingress, 1 for egress: the index of per-direction arrays.
pub fn dir_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// The lowered policies of a cluster.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Tiers in evaluation order.
    pub tiers: Vec<Tier>,
    /// Policies, tier after tier, each tier's in evaluation order: tier `t` holds
    /// `policies[tiers[t].policies]`.
    pub policies: Vec<Policy>,
    /// Whether the tiers are Calico's (Calico enforces the policies): then what leaves the
    /// last tier is allowed by the namespace's profile, else by Kubernetes' default.
    pub calico: bool,
    /// The first policy lowered from each source (see [`Model::policy_of`]).
    pub by_source: std::collections::HashMap<Source, PolicyId>,
}

impl Model {
    /// The policies of a tier, with their ids, in evaluation order.
    pub fn tier_policies(&self, t: TierId) -> impl Iterator<Item = (PolicyId, &Policy)> {
        let range = self.tiers[t].policies.clone();
        range.clone().zip(&self.policies[range])
    }

    /// The policy lowered from a source object, if any (the first, for a source lowered
    /// into several).
    pub fn policy_of(&self, source: Source) -> Option<PolicyId> {
        self.by_source.get(&source).copied()
    }

    /// Indexes the policies by source; called once they are laid out.
    pub fn index_sources(&mut self) {
        self.by_source.clear();
        for (i, p) in self.policies.iter().enumerate() {
            self.by_source.entry(p.source).or_insert(i);
        }
    }
}

/// What a tier does with what no rule of its policies decided, when a policy of the tier
/// that isolates selected the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndAction {
    /// Drop (Kubernetes NetworkPolicy; a Calico tier by default).
    Deny,
    /// Go on to the next tier (AdminNetworkPolicy, BaselineAdminNetworkPolicy; a Calico tier
    /// with `defaultAction: Pass`).
    Pass,
}

/// Which family a tier belongs to, for explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TierKind {
    /// AdminNetworkPolicies and ClusterNetworkPolicies of tier Admin.
    Admin,
    /// Kubernetes NetworkPolicies (and, with Calico, the `default` tier).
    NetworkPolicy,
    /// BaselineAdminNetworkPolicies and ClusterNetworkPolicies of tier Baseline.
    Baseline,
    /// A Calico tier.
    Calico,
    /// Cilium's deny rules, which win over every allow.
    CiliumDeny,
}

/// A tier.
#[derive(Clone, Debug)]
pub struct Tier {
    /// Its name as explanations show it: `Admin`, `NetworkPolicy`, `Baseline`, or the
    /// Calico tier's name.
    pub name: String,
    /// Its family.
    pub kind: TierKind,
    /// Its order, for tiers that have one (Calico).
    pub order: Option<f64>,
    /// What happens when an isolating policy selected the endpoint and no rule decided.
    pub end: EndAction,
    /// Its policies in [`Model::policies`].
    pub policies: Range<PolicyId>,
    /// The Tier object, when there is one.
    pub span: Option<Span>,
}

/// Where a policy of the model comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A Kubernetes NetworkPolicy, by index in [`crate::model::Cluster::policies`].
    NetworkPolicy(PolicyIdx),
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy, by index
    /// in [`crate::model::Cluster::cluster_policies`].
    ClusterPolicy(usize),
    /// The isolation annotation of a namespace (the alpha API, or 1.3–1.6 DefaultDeny).
    NamespaceIsolation(NsId),
    /// A Calico policy, by index in [`crate::model::Cluster::calico_policies`].
    Calico(usize),
    /// One part of one rule of a Cilium policy: `policy` indexes
    /// [`crate::model::Cluster::cilium_policies`], `spec` its rules (`spec`, then `specs`),
    /// `deny` tells the deny part (`ingressDeny`/`egressDeny`) from the allow part.
    Cilium {
        /// The policy.
        policy: usize,
        /// The rule of the policy.
        spec: usize,
        /// Whether this is the deny part.
        deny: bool,
    },
    /// Cilium's agent in policy enforcement mode `always`: every pod in default deny.
    CiliumEnforcement,
    /// Cilium's agent letting each node reach its own pods (`--allow-localhost`).
    CiliumLocalhost,
}

/// A policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// What it was lowered from.
    pub source: Source,
    /// Its tier.
    pub tier: TierId,
    /// Its name as explanations show it (`shop/api`, `deny-all`).
    pub name: String,
    /// Its kind as explanations show it (`NetworkPolicy`, `ANP`, `GlobalNetworkPolicy`).
    pub kind: &'static str,
    /// What orders it in its tier, as explanations show it (`prio 10`, `order 100`).
    pub precedence: Option<String>,
    /// What orders it in its tier, as the API defines it.
    pub precedence_key: Precedence,
    /// Its `metadata.name` (or the object), where findings about it point.
    pub name_span: Span,
    /// The object.
    pub span: Option<Span>,
    /// The endpoints it applies to (never an address; never a hostNetwork pod).
    pub subject: Match,
    /// Per direction ([`dir_index`]).
    pub dirs: [PolicyDir; 2],
}

impl Policy {
    /// Its part for a direction.
    pub fn dir(&self, d: Direction) -> &PolicyDir {
        &self.dirs[dir_index(d)]
    }

    /// `ANP deny-all prio 10`, `NetworkPolicy shop/api`.
    pub fn label(&self) -> String {
        match &self.precedence {
            Some(p) => format!("{} {} {p}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// What orders a policy among the others of its tier.
#[derive(Clone, Debug, PartialEq)]
pub enum Precedence {
    /// Nothing: its rules only add up with the others' (Kubernetes NetworkPolicy).
    Unordered,
    /// A priority whose ties the API leaves to the implementation (AdminNetworkPolicy,
    /// ClusterNetworkPolicy).
    Priority(i64),
    /// Calico's `order` (None: after every ordered policy); ties are broken by name.
    Order(Option<f64>),
}

/// What a policy says in one direction.
#[derive(Clone, Debug, Default)]
pub struct PolicyDir {
    /// Whether it applies in this direction at all (Kubernetes `policyTypes`, Calico
    /// `types`); when not, it is skipped as if it did not select the endpoint.
    pub applies: bool,
    /// Whether selecting an endpoint makes its tier's end action apply to what no rule
    /// decided (Kubernetes NetworkPolicy and Calico policies do; alpha NetworkPolicies and
    /// policies that only add rules do not).
    pub isolates: bool,
    /// Its rules, in order.
    pub rules: Vec<Rule>,
}

/// What a matching rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Allow: final.
    Allow,
    /// Deny: final.
    Deny,
    /// Leave the tier: the next tier decides.
    Pass,
    /// Log and go on with the next rule: decides nothing.
    Log,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
            Action::Log => "Log",
        })
    }
}

/// A rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// What it does when it matches.
    pub action: Action,
    /// The other party: sources of an ingress rule, destinations of an egress rule.
    pub peer: Match,
    /// A further condition on the endpoint the policy applies to (Calico's `destination`
    /// of an ingress rule, `source` of an egress rule); None: every subject.
    pub local: Option<Match>,
    /// The destination's protocols and ports.
    pub ports: PortMatch,
    /// Where its named ports resolve: on destinations this holds for (Calico: the pods its
    /// destination selector matches by their labels, not through a network set); elsewhere
    /// they resolve to nothing, as on an address outside the cluster. None: on every
    /// destination.
    pub named_on: Option<Match>,
    /// The rule node.
    pub span: Span,
    /// Index in its policy's rules of the direction.
    pub index: usize,
    /// `ingress[0]`, `egress[1] "allow-dns"`.
    pub label: String,
    /// What the rule says that the model does not evaluate, for explanations (`http` matches
    /// that need an L7 proxy...).
    pub caveats: Vec<String>,
    /// The word the API uses for the action (`Accept` in a ClusterNetworkPolicy).
    pub action_word: &'static str,
}

/// A set of parties (endpoints and addresses): any of the terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Match {
    /// Every party (no `from`/`to`, or an empty list).
    All,
    /// The parties some term holds (none when empty).
    Any(Vec<Term>),
}

impl Match {
    /// Whether it holds every party, syntactically.
    pub fn is_all(&self) -> bool {
        matches!(self, Match::All)
    }

    /// The terms (none for `All`).
    pub fn terms(&self) -> &[Term] {
        match self {
            Match::All => &[],
            Match::Any(t) => t,
        }
    }

    /// The one namespace every term confines it to (a NetworkPolicy's subject, a Calico
    /// NetworkPolicy's), if there is one: None for `All`, a term without a namespace
    /// condition, or terms in different namespaces.
    pub fn namespace(&self) -> Option<&str> {
        let mut found = None;
        for t in self.terms() {
            let ns = t.conds.iter().find_map(|c| match (&c.test, c.negated) {
                (Test::Namespace(n), false) => Some(n.as_str()),
                _ => None,
            })?;
            if found.is_some_and(|f| f != ns) {
                return None;
            }
            found = Some(ns);
        }
        found
    }
}

/// Parties satisfying every condition; one peer of a rule, or one subject.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// `from[0]`, `source`, `subject`.
    pub label: String,
    /// The node it is written at.
    pub span: Span,
    /// The conditions, all of which must hold.
    pub conds: Vec<Cond>,
}

/// A condition on a party, possibly negated.
#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    /// Whether it must not hold.
    pub negated: bool,
    /// What is tested.
    pub test: Test,
    /// What it is, as written (`podSelector {app=web}`, `notNets [10.0.0.0/8]`), for
    /// explanations.
    pub what: String,
    /// Where it is written.
    pub span: Span,
}

impl Cond {
    /// A positive condition.
    pub fn new(test: Test, what: impl Into<String>, span: Span) -> Cond {
        Cond {
            negated: false,
            test,
            what: what.into(),
            span,
        }
    }

    /// The negation of a condition.
    pub fn negate(mut self) -> Cond {
        self.negated = !self.negated;
        self
    }
}

/// What a condition tests.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// The party is a pod (or workload) on the pod network: not an address outside the
    /// cluster, not a hostNetwork pod. Label selectors only ever see such parties.
    PodNetwork,
    /// The party is an endpoint of this namespace.
    Namespace(String),
    /// The party is an endpoint whose labels satisfy the expression, or (with
    /// `network_sets`) an address or endpoint whose IP lies in a Calico network set whose
    /// labels satisfy it.
    Selector {
        /// The expression.
        expr: Expr,
        /// Whether Calico network sets carry labels for it.
        network_sets: bool,
    },
    /// The party's address lies in one of the nets and in none of the excepts (pods by their
    /// known IPs).
    Nets {
        /// The nets.
        nets: Vec<IpNet>,
        /// Parts excepted.
        except: Vec<IpNet>,
    },
    /// The party's address is an address of a Node whose labels satisfy the expression.
    Nodes(Expr),
    /// The party is outside the cluster (Cilium's `world`): an address that is no Node's
    /// and lies in no Node's pod CIDR (endpoints never are).
    World,
    /// The party is this Node: one of its addresses, or a hostNetwork pod running on it
    /// (Cilium's `host` seen from its pods, `remote-node` from the others).
    Node(String),
    /// The party is a pod on the pod network running on this Node (`spec.nodeName`).
    OnNode(String),
    /// The party is a DNS name (see [`crate::model::Fqdn`]) that the selector matches
    /// (Cilium `toFQDNs`); no other party is.
    Fqdn(FqdnSelector),
    /// The connection is of this IP family: the party is an address of the family, or an
    /// endpoint with an IP of it (an endpoint without a known IP counts as IPv4, what
    /// clusters run by default).
    Family(Family),
    /// The party is a pod the Service selects (its backends: pods on the pod network of the
    /// Service's namespace whose labels hold the Service's selector).
    Service {
        /// The Service's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

/// A DNS name selector of Cilium's `toFQDNs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FqdnSelector {
    /// `matchName`: this name (case-insensitive, a trailing dot ignored).
    Name(String),
    /// `matchPattern`: `*` alone matches every name; elsewhere `*` matches any run of the
    /// characters of one DNS label (never a dot); a leading `**.` matches one or more
    /// labels.
    Pattern(String),
}

impl FqdnSelector {
    /// Whether the selector matches a name.
    pub fn matches(&self, name: &str) -> bool {
        let name = normalize_fqdn(name);
        match self {
            FqdnSelector::Name(n) => normalize_fqdn(n) == name,
            FqdnSelector::Pattern(p) => {
                let p = normalize_fqdn(p);
                if p == "*" {
                    return true;
                }
                if let Some(rest) = p.strip_prefix("**.") {
                    // One or more labels, then the rest.
                    return name
                        .char_indices()
                        .filter(|&(_, c)| c == '.')
                        .any(|(i, _)| i > 0 && glob_label(rest, &name[i + 1..]));
                }
                glob_label(&p, &name)
            }
        }
    }
}

/// Lower case, without a trailing dot.
pub fn normalize_fqdn(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

/// Matches `pattern` against `name`, `*` standing for any run of characters other than a dot.
fn glob_label(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    // Classic backtracking glob over bytes; `*` never crosses a dot.
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => {
                let mut i = 0;
                loop {
                    if go(rest, &n[i..]) {
                        return true;
                    }
                    if i == n.len() || n[i] == b'.' {
                        return false;
                    }
                    i += 1;
                }
            }
            Some((&c, rest)) => n.first() == Some(&c) && go(rest, &n[1..]),
        }
    }
    go(p, n)
}

/// The ports of a rule: a small boolean form over port items, evaluated on the destination
/// (whose container ports named ports resolve on).
#[derive(Clone, Debug, PartialEq)]
pub enum PortMatch {
    /// Every port of every protocol.
    All,
    /// Any of the items.
    Any(Vec<PortItem>),
    /// Every part.
    And(Vec<PortMatch>),
    /// Not the part.
    Not(Box<PortMatch>),
}

/// One port item.
#[derive(Clone, Debug, PartialEq)]
pub struct PortItem {
    /// What it holds.
    pub kind: PortKind,
    /// Where it is written.
    pub span: Span,
}

/// What a port item holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// An inclusive range of one protocol (1–65535: the whole protocol).
    Range(Protocol, u16, u16),
    /// A container port name, resolved on the destination; with a protocol, only container
    /// ports of that protocol.
    Named(String, Option<Protocol>),
    /// Nothing the model can express (another protocol, a malformed entry).
    Nothing(String),
}

impl PortKind {
    /// The ports this item stands for at a destination with these container ports (None: an
    /// address outside the cluster, where named ports never resolve).
    pub fn resolve(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        match self {
            PortKind::Range(p, a, b) => PortSet::range(*p, *a, *b),
            PortKind::Named(name, proto) => {
                let mut set = PortSet::none();
                for cp in dst.unwrap_or(&[]) {
                    if proto.is_none_or(|p| cp.protocol == p)
                        && cp.name.as_deref() == Some(name.as_str())
                    {
                        set.union_with(&PortSet::single(cp.protocol, cp.port));
                    }
                }
                set
            }
            PortKind::Nothing(_) => PortSet::none(),
        }
    }
}

impl fmt::Display for PortKind {
    /// `TCP 80`, `TCP 8000-8080`, `UDP all`, `named port http`, `TCP http`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortKind::Range(p, 1, 65535) => write!(f, "{p} all"),
            PortKind::Range(p, a, b) if a == b => write!(f, "{p} {a}"),
            PortKind::Range(p, a, b) => write!(f, "{p} {a}-{b}"),
            PortKind::Named(n, Some(p)) => write!(f, "{p} {n}"),
            PortKind::Named(n, None) => write!(f, "named port {n}"),
            PortKind::Nothing(what) => f.write_str(what),
        }
    }
}

impl PortMatch {
    /// The ports it holds at a destination with these container ports (None: an address
    /// outside the cluster).
    pub fn resolve(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        match self {
            PortMatch::All => PortSet::all(),
            PortMatch::Any(items) => {
                let mut set = PortSet::none();
                for i in items {
                    set.union_with(&i.kind.resolve(dst));
                }
                set
            }
            PortMatch::And(parts) => parts
                .iter()
                .fold(PortSet::all(), |acc, p| acc.intersect(&p.resolve(dst))),
            PortMatch::Not(p) => PortSet::all().difference(&p.resolve(dst)),
        }
    }

    /// Whether the result depends on the destination (it names a port).
    pub fn is_named(&self) -> bool {
        !self.named().is_empty()
    }

    /// The named ports it reads, with their protocol.
    pub fn named(&self) -> Vec<(&str, Option<Protocol>)> {
        let mut out = Vec::new();
        self.visit(&mut |i| {
            if let PortKind::Named(n, p) = &i.kind {
                out.push((n.as_str(), *p));
            }
        });
        out
    }

    /// Calls `f` on every item.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a PortItem)) {
        match self {
            PortMatch::All => {}
            PortMatch::Any(items) => items.iter().for_each(f),
            PortMatch::And(parts) => parts.iter().for_each(|p| p.visit(f)),
            PortMatch::Not(p) => p.visit(f),
        }
    }
}

impl fmt::Display for PortMatch {
    /// `all ports`, `TCP 80, UDP 53`, `TCP all and not TCP 22`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortMatch::All => f.write_str("all ports"),
            PortMatch::Any(items) if items.is_empty() => f.write_str("no port"),
            PortMatch::Any(items) => {
                let parts: Vec<String> = items.iter().map(|i| i.kind.to_string()).collect();
                f.write_str(&parts.join(", "))
            }
            PortMatch::And(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                f.write_str(&parts.join(" and "))
            }
            PortMatch::Not(p) => write!(f, "not {p}"),
        }
    }
}

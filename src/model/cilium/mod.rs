//! Cilium's API as written: `cilium.io/v2` CiliumNetworkPolicy (CNP) and
//! CiliumClusterwideNetworkPolicy (CCNP), and CiliumCIDRGroup (`cilium.io/v2alpha1`, `v2`).
//!
//! Values are kept as written, with positions, so that validation ([`validate`]) can point at
//! exactly what the API server or the agent would refuse; the meaning is given by the
//! lowering into the policy model (`model::ir::lower::cilium`). Field names follow
//! `pkg/policy/api` (`rule.go`, `ingress.go`, `egress.go`, `l4.go`, `cidr.go`, `fqdn.go`).
//!
//! Whether a list field is absent (`None`) or present and empty (`Some(vec![])`) is kept:
//! Cilium gives the two different meanings (`ingress: []` enforces nothing, `ingress: [{}]`
//! enforces default deny and allows nothing).

pub mod validate;

use crate::base::span::{Span, Spanned};
use crate::model::Direction;
use crate::model::labels::{LabelSelector, Labels};

/// Which Cilium policy kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CiliumKind {
    /// CiliumNetworkPolicy (namespaced).
    NetworkPolicy,
    /// CiliumClusterwideNetworkPolicy.
    ClusterwideNetworkPolicy,
}

impl CiliumKind {
    /// The API kind.
    pub fn as_str(self) -> &'static str {
        match self {
            CiliumKind::NetworkPolicy => "CiliumNetworkPolicy",
            CiliumKind::ClusterwideNetworkPolicy => "CiliumClusterwideNetworkPolicy",
        }
    }

    /// The short name explanations use: `CNP`, `CCNP`.
    pub fn short(self) -> &'static str {
        match self {
            CiliumKind::NetworkPolicy => "CNP",
            CiliumKind::ClusterwideNetworkPolicy => "CCNP",
        }
    }
}

/// A Cilium object of the input.
#[derive(Clone, Debug, PartialEq)]
pub enum CiliumObject {
    /// A CNP or CCNP.
    Policy(CiliumPolicy),
    /// A CiliumCIDRGroup.
    CidrGroup(CidrGroup),
}

/// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
#[derive(Clone, Debug, PartialEq)]
pub struct CiliumPolicy {
    /// Which kind.
    pub kind: CiliumKind,
    /// Its namespace (None for a CCNP).
    pub namespace: Option<String>,
    /// metadata.name.
    pub name: String,
    /// The object.
    pub span: Span,
    /// Its `metadata.name`.
    pub name_span: Span,
    /// apiVersion as written.
    pub api_version: Spanned<String>,
    /// metadata.annotations (where `check` suppressions are written).
    pub annotations: Labels,
    /// `spec` (first) and the items of `specs`, each a rule of its own.
    pub specs: Vec<CiliumRule>,
}

impl CiliumPolicy {
    /// `CiliumNetworkPolicy shop/api`, `CiliumClusterwideNetworkPolicy lockdown`.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }

    /// `shop/api` or `lockdown`.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// One rule of a policy (`spec`, or an item of `specs`): `api.Rule`.
#[derive(Clone, Debug, PartialEq)]
pub struct CiliumRule {
    /// The node.
    pub span: Span,
    /// `spec` or `specs[1]`.
    pub label: String,
    /// `endpointSelector`.
    pub endpoint_selector: Option<LabelSelector>,
    /// `nodeSelector` (the host firewall: not evaluated).
    pub node_selector: Option<LabelSelector>,
    /// `ingress`.
    pub ingress: Option<Vec<PeerRule>>,
    /// `ingressDeny`.
    pub ingress_deny: Option<Vec<PeerRule>>,
    /// `egress`.
    pub egress: Option<Vec<PeerRule>>,
    /// `egressDeny`.
    pub egress_deny: Option<Vec<PeerRule>>,
    /// `enableDefaultDeny.ingress`.
    pub default_deny_ingress: Option<Spanned<bool>>,
    /// `enableDefaultDeny.egress`.
    pub default_deny_egress: Option<Spanned<bool>>,
    /// `description`.
    pub description: Option<String>,
}

impl CiliumRule {
    /// The allow rules of a direction (None: the field is absent).
    pub fn allows(&self, dir: Direction) -> Option<&[PeerRule]> {
        match dir {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }

    /// The deny rules of a direction (None: the field is absent).
    pub fn denies(&self, dir: Direction) -> Option<&[PeerRule]> {
        match dir {
            Direction::Ingress => self.ingress_deny.as_deref(),
            Direction::Egress => self.egress_deny.as_deref(),
        }
    }

    /// `enableDefaultDeny` of a direction as written.
    pub fn default_deny(&self, dir: Direction) -> Option<&Spanned<bool>> {
        match dir {
            Direction::Ingress => self.default_deny_ingress.as_ref(),
            Direction::Egress => self.default_deny_egress.as_ref(),
        }
    }
}

/// One item of `ingress`, `ingressDeny`, `egress` or `egressDeny`. The peer fields are
/// `from*` in ingress rules and `to*` in egress rules; a field absent is None.
#[derive(Clone, Debug, PartialEq)]
pub struct PeerRule {
    /// The node.
    pub span: Span,
    /// Its index in its list.
    pub index: usize,
    /// `fromEndpoints` / `toEndpoints`.
    pub endpoints: Option<Vec<LabelSelector>>,
    /// `fromRequires` / `toRequires` (deprecated: recent CRDs refuse any item).
    pub requires: Option<Vec<LabelSelector>>,
    /// `fromEntities` / `toEntities`.
    pub entities: Option<Vec<Spanned<String>>>,
    /// `fromCIDR` / `toCIDR`.
    pub cidr: Option<Vec<Spanned<String>>>,
    /// `fromCIDRSet` / `toCIDRSet`.
    pub cidr_set: Option<Vec<CidrRule>>,
    /// `fromNodes` / `toNodes`.
    pub nodes: Option<Vec<LabelSelector>>,
    /// `fromGroups` / `toGroups` (cloud provider groups: not evaluated): where the field's
    /// key is written.
    pub groups: Option<Span>,
    /// `toServices`.
    pub services: Option<Vec<ServiceRef>>,
    /// `toFQDNs`.
    pub fqdns: Option<Vec<FqdnSelector>>,
    /// `toPorts`.
    pub to_ports: Option<Vec<PortRule>>,
    /// `icmps`.
    pub icmps: Option<Vec<IcmpRule>>,
    /// `authentication.mode`, when written.
    pub authentication: Option<Spanned<String>>,
}

impl PeerRule {
    /// A rule with no field set, at a span.
    pub fn empty(span: Span, index: usize) -> PeerRule {
        PeerRule {
            span,
            index,
            endpoints: None,
            requires: None,
            entities: None,
            cidr: None,
            cidr_set: None,
            nodes: None,
            groups: None,
            services: None,
            fqdns: None,
            to_ports: None,
            icmps: None,
            authentication: None,
        }
    }

    /// Whether it names any L3 peer (endpoints, entities, CIDRs, nodes, groups, services,
    /// FQDNs). A rule without one applies to every peer when it has `toPorts` or `icmps`,
    /// and to none when it has nothing at all (`{}`).
    pub fn has_l3(&self) -> bool {
        self.endpoints.is_some()
            || self.entities.is_some()
            || self.cidr.is_some()
            || self.cidr_set.is_some()
            || self.nodes.is_some()
            || self.groups.is_some()
            || self.services.is_some()
            || self.fqdns.is_some()
    }
}

/// An item of `fromCIDRSet` / `toCIDRSet`: `api.CIDRRule`.
#[derive(Clone, Debug, PartialEq)]
pub struct CidrRule {
    /// The node.
    pub span: Span,
    /// `cidr`.
    pub cidr: Option<Spanned<String>>,
    /// `cidrGroupRef`: a CiliumCIDRGroup by name.
    pub group_ref: Option<Spanned<String>>,
    /// `cidrGroupSelector`: CiliumCIDRGroups by their labels.
    pub group_selector: Option<LabelSelector>,
    /// `except`.
    pub except: Vec<Spanned<String>>,
}

/// An item of `toServices`: `api.Service`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRef {
    /// The node.
    pub span: Span,
    /// `k8sService.serviceName`.
    pub name: Option<Spanned<String>>,
    /// `k8sService.namespace` or `k8sServiceSelector.namespace`. When an item has both
    /// `k8sServiceSelector` and `k8sService`, Cilium matches with the selector alone, and
    /// `name` and `namespace` are then the selector's (`name` None).
    pub namespace: Option<Spanned<String>>,
    /// `k8sServiceSelector.selector`, over the Services' labels.
    pub selector: Option<LabelSelector>,
}

/// An item of `toFQDNs`: `api.FQDNSelector`.
#[derive(Clone, Debug, PartialEq)]
pub struct FqdnSelector {
    /// The node.
    pub span: Span,
    /// `matchName`.
    pub match_name: Option<Spanned<String>>,
    /// `matchPattern` (`*` matches any run of DNS name characters).
    pub match_pattern: Option<Spanned<String>>,
}

/// An item of `toPorts`: `api.PortRule`.
#[derive(Clone, Debug, PartialEq)]
pub struct PortRule {
    /// The node.
    pub span: Span,
    /// `ports`.
    pub ports: Vec<PortProtocol>,
    /// The layer-7 rules under `rules` (`http`, `dns`, `kafka`, `l7proto`), for caveats.
    pub l7: Vec<L7Rule>,
    /// `serverNames` (TLS SNI).
    pub server_names: Vec<Spanned<String>>,
    /// `terminatingTLS`, `originatingTLS` or `listener`, the field, when written.
    pub tls: Option<Spanned<String>>,
}

/// An item of `ports`: `api.PortProtocol`.
#[derive(Clone, Debug, PartialEq)]
pub struct PortProtocol {
    /// The node.
    pub span: Span,
    /// `port` as written: a number (as text) or a port name; None when absent (every
    /// port). The CRD declares it a string: an unquoted number (`port: 80`) is refused by
    /// the API server and by the loader.
    pub port: Option<Spanned<String>>,
    /// `endPort`.
    pub end_port: Option<Spanned<i64>>,
    /// `protocol` as written (TCP, UDP, SCTP, ICMP, ICMPv6, VRRP, IGMP, ANY); absent means
    /// ANY, as Cilium reads it.
    pub protocol: Option<Spanned<String>>,
}

/// A layer-7 rule set under `toPorts[].rules`.
#[derive(Clone, Debug, PartialEq)]
pub struct L7Rule {
    /// The node of the list (`rules.http`, ...; `rules.l7`, else `rules.l7proto`, for an
    /// `l7proto`).
    pub span: Span,
    /// `http`, `dns`, `kafka` or the `l7proto` name (`l7` for `l7` items without
    /// `l7proto`). An empty list (`http: []`) enforces nothing and has no `L7Rule`; an
    /// `l7proto` has one even without `l7` items, as it names the parser traffic is
    /// redirected to. For an `l7proto`, `items` is one line: the name and the number of
    /// key-value rules.
    pub protocol: String,
    /// What each item lets through, one short line each (`GET /public`, `matchPattern
    /// *.example.com`, `produce topic orders`).
    pub items: Vec<String>,
}

/// An item of `icmps`: its `fields`.
#[derive(Clone, Debug, PartialEq)]
pub struct IcmpRule {
    /// The node.
    pub span: Span,
    /// Each field: `IPv4 8`, `IPv6 EchoRequest` (`family` defaults to IPv4, as the CRD
    /// defaults it).
    pub fields: Vec<String>,
}

/// A CiliumCIDRGroup: a named, labelled list of CIDRs (`externalCIDRs`).
#[derive(Clone, Debug, PartialEq)]
pub struct CidrGroup {
    /// metadata.name.
    pub name: String,
    /// metadata.labels.
    pub labels: Labels,
    /// The object.
    pub span: Span,
    /// `spec.externalCIDRs`.
    pub cidrs: Vec<Spanned<String>>,
}

//! networking.k8s.io/v1 NetworkPolicy as written, with the position of every part.
//!
//! Semantics (Kubernetes API reference, networking.k8s.io/v1):
//! - `spec.podSelector` selects pods of the policy's own namespace; `{}` selects all of them.
//! - Effective `policyTypes`: as written when non-empty; otherwise `Ingress`, plus `Egress`
//!   when `spec.egress` has at least one rule.
//! - A rule with no (or an empty) `from`/`to` matches every peer; with no (or empty) `ports`
//!   every port of every protocol.
//! - In one peer, `namespaceSelector` and `podSelector` are ANDed; separate peers are ORed.
//!   A `podSelector` alone means pods of the policy's namespace; a `namespaceSelector` alone
//!   means every pod of the matching namespaces.
//! - A port's protocol defaults to TCP; `endPort` makes a range; no `port` means every port of
//!   the protocol; a named port resolves on the destination pod's containers (name and
//!   protocol must match) and allows nothing where it does not resolve.

use std::fmt;

use ipnet::IpNet;

use super::endpoint::ContainerPort;
use super::ip::{AddrRange, parse_cidr};
use super::labels::{LabelSelector, Labels};
use super::ports::{PortSet, Protocol};
use crate::base::span::{Span, Spanned};
use crate::base::value::IntOrString;

/// Ingress or egress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Traffic into the selected pods.
    Ingress,
    /// Traffic out of the selected pods.
    Egress,
}

impl Direction {
    /// Both directions.
    pub const BOTH: [Direction; 2] = [Direction::Ingress, Direction::Egress];

    /// The API spelling (`Ingress`, `Egress`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// The field name of the rule list (`ingress`, `egress`).
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// The field name of the peer list (`from`, `to`).
    pub fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// The API generation a policy was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyApi {
    /// networking.k8s.io/v1.
    V1,
    /// extensions/v1beta1 (Kubernetes 1.3–1.15), same schema as v1 without endPort.
    ExtensionsV1beta1,
    /// net.alpha.kubernetes.io/v1alpha1 (Kubernetes 1.2, a ThirdPartyResource): ingress only,
    /// isolation per namespace by annotation.
    Alpha,
}

/// A NetworkPolicy.
#[derive(Clone, Debug)]
pub struct NetworkPolicy {
    /// Namespace (defaulted like `kubectl apply`).
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// The whole object.
    pub span: Span,
    /// The `metadata.name` value (or the object when missing).
    pub name_span: Span,
    /// API generation.
    pub api: PolicyApi,
    /// `apiVersion` as written.
    pub api_version: Spanned<String>,
    /// metadata.annotations.
    pub annotations: Labels,
    /// spec.podSelector (`{}` when missing).
    pub pod_selector: LabelSelector,
    /// spec.policyTypes as written, when present.
    pub policy_types: Option<Spanned<Vec<Spanned<String>>>>,
    /// spec.ingress, when present.
    pub ingress: Option<RuleList>,
    /// spec.egress, when present.
    pub egress: Option<RuleList>,
}

/// A list of rules (`spec.ingress` or `spec.egress`).
#[derive(Clone, Debug)]
pub struct RuleList {
    /// The list node (or its key when the value is null).
    pub span: Span,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// One ingress or egress rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule node.
    pub span: Span,
    /// Ingress or egress.
    pub direction: Direction,
    /// Index in its list.
    pub index: usize,
    /// `from` / `to`, when present (an empty list means the same as none: all peers).
    pub peers: Option<Spanned<Vec<Peer>>>,
    /// `ports`, when present (empty means all ports).
    pub ports: Option<Spanned<Vec<PolicyPort>>>,
}

/// One `from`/`to` item.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The item node.
    pub span: Span,
    /// Index in the peer list.
    pub index: usize,
    /// `podSelector`.
    pub pod_selector: Option<LabelSelector>,
    /// `namespaceSelector`.
    pub namespace_selector: Option<LabelSelector>,
    /// `ipBlock`.
    pub ip_block: Option<IpBlock>,
}

/// An `ipBlock`: `cidr` minus every `except`.
#[derive(Clone, Debug)]
pub struct IpBlock {
    /// The ipBlock node.
    pub span: Span,
    /// `cidr` as written.
    pub cidr: Spanned<String>,
    /// `except` as written.
    pub except: Vec<Spanned<String>>,
}

impl IpBlock {
    /// The parsed `cidr` (None when invalid).
    pub fn net(&self) -> Option<IpNet> {
        parse_cidr(&self.cidr).ok()
    }

    /// The parsed `except` entries that are valid.
    pub fn except_nets(&self) -> Vec<IpNet> {
        self.except
            .iter()
            .filter_map(|e| parse_cidr(e).ok())
            .collect()
    }

    /// Whether an address is in `cidr` and in no `except`.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let Some(net) = self.net() else { return false };
        AddrRange::from_net(&net).contains(ip)
            && !self
                .except_nets()
                .iter()
                .any(|e| AddrRange::from_net(e).contains(ip))
    }

    /// `10.0.0.0/8 except 10.1.0.0/16`.
    pub fn describe(&self) -> String {
        if self.except.is_empty() {
            self.cidr.value.clone()
        } else {
            let ex: Vec<&str> = self.except.iter().map(|e| e.value.as_str()).collect();
            format!("{} except {}", self.cidr.value, ex.join(", "))
        }
    }
}

/// One `ports` item.
#[derive(Clone, Debug)]
pub struct PolicyPort {
    /// The item node.
    pub span: Span,
    /// `protocol` as written.
    pub protocol: Option<Spanned<String>>,
    /// `port`: a number or a name.
    pub port: Option<Spanned<IntOrString>>,
    /// `endPort`.
    pub end_port: Option<Spanned<i64>>,
}

impl PolicyPort {
    /// The protocol, TCP when not written; None when unknown.
    pub fn protocol(&self) -> Option<Protocol> {
        match &self.protocol {
            None => Some(Protocol::Tcp),
            Some(p) => Protocol::parse(p),
        }
    }

    /// The ports this item allows towards a destination with these container ports
    /// (`None`: an address outside the cluster, where named ports never resolve).
    pub fn ports_on(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        let Some(proto) = self.protocol() else {
            return PortSet::none();
        };
        match self.port.as_ref().map(|p| &p.value) {
            None => PortSet::protocol(proto),
            Some(IntOrString::Int(n)) => {
                let Ok(start) = u16::try_from(*n) else {
                    return PortSet::none();
                };
                match &self.end_port {
                    None => PortSet::single(proto, start),
                    Some(end) => match u16::try_from(end.value) {
                        Ok(end) => PortSet::range(proto, start, end),
                        Err(_) => PortSet::none(),
                    },
                }
            }
            Some(IntOrString::Str(name)) => {
                let mut set = PortSet::none();
                for cp in dst.unwrap_or(&[]) {
                    if cp.protocol == proto && cp.name.as_deref() == Some(name.as_str()) {
                        set.union_with(&PortSet::single(proto, cp.port));
                    }
                }
                set
            }
        }
    }

    /// The named port this item refers to, if any.
    pub fn name(&self) -> Option<&str> {
        match self.port.as_ref().map(|p| &p.value) {
            Some(IntOrString::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// `TCP 80`, `TCP 8000-8080`, `UDP all`, `TCP http`.
    pub fn describe(&self) -> String {
        let proto = self.protocol.as_ref().map_or("TCP", |p| p.value.as_str());
        match (self.port.as_ref().map(|p| &p.value), &self.end_port) {
            (None, _) => format!("{proto} all"),
            (Some(IntOrString::Int(n)), None) => format!("{proto} {n}"),
            (Some(IntOrString::Int(n)), Some(e)) => format!("{proto} {n}-{}", e.value),
            (Some(IntOrString::Str(s)), _) => format!("{proto} {s}"),
        }
    }
}

impl Rule {
    /// Whether the rule matches every peer (no or empty `from`/`to`).
    pub fn all_peers(&self) -> bool {
        self.peers.as_ref().is_none_or(|p| p.value.is_empty())
    }

    /// Whether the rule allows every port (no or empty `ports`).
    pub fn all_ports(&self) -> bool {
        self.ports.as_ref().is_none_or(|p| p.value.is_empty())
    }

    /// The peers (empty when the rule matches every peer).
    pub fn peer_list(&self) -> &[Peer] {
        self.peers.as_ref().map_or(&[], |p| p.value.as_slice())
    }

    /// The port items (empty when the rule allows every port).
    pub fn port_list(&self) -> &[PolicyPort] {
        self.ports.as_ref().map_or(&[], |p| p.value.as_slice())
    }

    /// The ports the rule allows towards a destination (see [`PolicyPort::ports_on`]).
    pub fn ports_on(&self, dst: Option<&[ContainerPort]>) -> PortSet {
        if self.all_ports() {
            return PortSet::all();
        }
        let mut set = PortSet::none();
        for p in self.port_list() {
            set.union_with(&p.ports_on(dst));
        }
        set
    }

    /// `ingress[0]`.
    pub fn label(&self) -> String {
        format!("{}[{}]", self.direction.field(), self.index)
    }
}

impl NetworkPolicy {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Whether the policy governs a direction: its effective policyTypes include it.
    /// Without policyTypes (or with an empty list): Ingress always, Egress iff `spec.egress`
    /// has at least one rule — the API server's defaulting.
    pub fn affects(&self, dir: Direction) -> bool {
        match &self.policy_types {
            Some(types) if !types.value.is_empty() => {
                types.value.iter().any(|t| t.value == dir.as_str())
            }
            _ => match dir {
                Direction::Ingress => true,
                Direction::Egress => self.egress.as_ref().is_some_and(|e| !e.rules.is_empty()),
            },
        }
    }

    /// The rules of a direction, as written (whether or not the direction is in effect).
    pub fn rules(&self, dir: Direction) -> &[Rule] {
        let list = match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        };
        list.as_ref().map_or(&[], |l| l.rules.as_slice())
    }

    /// The rules that take effect in a direction (none when the direction is not governed).
    pub fn effective_rules(&self, dir: Direction) -> &[Rule] {
        if self.affects(dir) {
            self.rules(dir)
        } else {
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::default()
    }

    fn policy(
        types: Option<&[&str]>,
        ingress: Option<usize>,
        egress: Option<usize>,
    ) -> NetworkPolicy {
        let rules = |n: usize, d: Direction| RuleList {
            span: sp(),
            rules: (0..n)
                .map(|i| Rule {
                    span: sp(),
                    direction: d,
                    index: i,
                    peers: None,
                    ports: None,
                })
                .collect(),
        };
        NetworkPolicy {
            namespace: "ns".into(),
            name: "p".into(),
            span: sp(),
            name_span: sp(),
            api: PolicyApi::V1,
            api_version: Spanned::new("networking.k8s.io/v1".into(), sp()),
            annotations: Labels::default(),
            pod_selector: LabelSelector::everything(sp()),
            policy_types: types.map(|t| {
                Spanned::new(
                    t.iter()
                        .map(|s| Spanned::new(s.to_string(), sp()))
                        .collect(),
                    sp(),
                )
            }),
            ingress: ingress.map(|n| rules(n, Direction::Ingress)),
            egress: egress.map(|n| rules(n, Direction::Egress)),
        }
    }

    #[test]
    fn omitted_policy_types_mean_ingress_plus_egress_iff_egress_rules_exist() {
        let p = policy(None, None, None);
        assert!(p.affects(Direction::Ingress));
        assert!(!p.affects(Direction::Egress));
        // `egress: []` is present but empty: still not an egress policy.
        assert!(!policy(None, None, Some(0)).affects(Direction::Egress));
        assert!(policy(None, None, Some(1)).affects(Direction::Egress));
    }

    #[test]
    fn empty_policy_types_list_defaults_like_an_omitted_one() {
        let p = policy(Some(&[]), None, Some(1));
        assert!(p.affects(Direction::Ingress) && p.affects(Direction::Egress));
    }

    #[test]
    fn explicit_policy_types_are_taken_as_written() {
        let p = policy(Some(&["Egress"]), Some(2), None);
        assert!(!p.affects(Direction::Ingress));
        assert!(p.effective_rules(Direction::Ingress).is_empty());
        assert!(p.affects(Direction::Egress));
    }

    fn port(proto: Option<&str>, port: Option<IntOrString>, end: Option<i64>) -> PolicyPort {
        PolicyPort {
            span: sp(),
            protocol: proto.map(|p| Spanned::new(p.into(), sp())),
            port: port.map(|p| Spanned::new(p, sp())),
            end_port: end.map(|e| Spanned::new(e, sp())),
        }
    }

    #[test]
    fn port_protocol_defaults_to_tcp_and_end_port_makes_a_range() {
        assert_eq!(
            port(None, Some(IntOrString::Int(80)), None)
                .ports_on(None)
                .to_string(),
            "TCP 80"
        );
        assert_eq!(
            port(Some("UDP"), Some(IntOrString::Int(8000)), Some(8010))
                .ports_on(None)
                .to_string(),
            "UDP 8000-8010"
        );
        assert_eq!(
            port(Some("SCTP"), None, None).ports_on(None).to_string(),
            "SCTP all"
        );
    }

    #[test]
    fn named_ports_resolve_on_the_destination_by_name_and_protocol() {
        let dst = [
            ContainerPort {
                name: Some("http".into()),
                port: 8080,
                protocol: Protocol::Tcp,
            },
            ContainerPort {
                name: Some("dns".into()),
                port: 53,
                protocol: Protocol::Udp,
            },
        ];
        let http = port(None, Some(IntOrString::Str("http".into())), None);
        assert_eq!(http.ports_on(Some(&dst)).to_string(), "TCP 8080");
        // Same name, other protocol: does not resolve.
        assert!(
            port(None, Some(IntOrString::Str("dns".into())), None)
                .ports_on(Some(&dst))
                .is_empty()
        );
        // Outside the cluster there are no containers: a named port allows nothing.
        assert!(http.ports_on(None).is_empty());
    }

    #[test]
    fn rule_without_ports_allows_everything() {
        let r = Rule {
            span: sp(),
            direction: Direction::Ingress,
            index: 0,
            peers: None,
            ports: Some(Spanned::new(vec![], sp())),
        };
        assert!(r.ports_on(None).is_all());
        assert!(r.all_peers());
    }
}

//! Calico's API as written: `projectcalico.org/v3` (and the same kinds under
//! `crd.projectcalico.org/v1`, what `kubectl get` shows of the CRDs) — NetworkPolicy,
//! GlobalNetworkPolicy, their staged forms, Tier, NetworkSet, GlobalNetworkSet.
//!
//! Values are kept as written, with positions, so that validation ([`validate`]) can point at
//! exactly what the API server would refuse; the meaning is given by the lowering into the
//! policy model (`model::ir::lower::calico`). Selectors are parsed when read; a syntax error
//! is kept with its exact place and makes the policy invalid.

pub mod selector;
pub mod validate;

use crate::base::span::{Span, Spanned};
use crate::model::labels::Labels;
use crate::model::policy::{Direction, NetworkPolicy};
use selector::{Selector, SyntaxError};

/// Which Calico policy kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CalicoKind {
    /// NetworkPolicy (namespaced).
    NetworkPolicy,
    /// GlobalNetworkPolicy (cluster-wide).
    GlobalNetworkPolicy,
    /// StagedNetworkPolicy: a NetworkPolicy not enforced, to see what it would do.
    StagedNetworkPolicy,
    /// StagedGlobalNetworkPolicy.
    StagedGlobalNetworkPolicy,
    /// StagedKubernetesNetworkPolicy: a Kubernetes NetworkPolicy, staged.
    StagedKubernetesNetworkPolicy,
}

impl CalicoKind {
    /// Every kind.
    pub const ALL: [CalicoKind; 5] = [
        CalicoKind::NetworkPolicy,
        CalicoKind::GlobalNetworkPolicy,
        CalicoKind::StagedNetworkPolicy,
        CalicoKind::StagedGlobalNetworkPolicy,
        CalicoKind::StagedKubernetesNetworkPolicy,
    ];

    /// The API kind.
    pub fn as_str(self) -> &'static str {
        match self {
            CalicoKind::NetworkPolicy => "NetworkPolicy",
            CalicoKind::GlobalNetworkPolicy => "GlobalNetworkPolicy",
            CalicoKind::StagedNetworkPolicy => "StagedNetworkPolicy",
            CalicoKind::StagedGlobalNetworkPolicy => "StagedGlobalNetworkPolicy",
            CalicoKind::StagedKubernetesNetworkPolicy => "StagedKubernetesNetworkPolicy",
        }
    }

    /// How explanations name the kind: `Calico NetworkPolicy` (to tell it from Kubernetes'),
    /// else the API kind.
    pub fn title(self) -> &'static str {
        match self {
            CalicoKind::NetworkPolicy => "Calico NetworkPolicy",
            k => k.as_str(),
        }
    }

    /// Parses an API kind.
    pub fn from_kind(kind: &str) -> Option<CalicoKind> {
        CalicoKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Whether it is cluster-wide.
    pub fn is_global(self) -> bool {
        matches!(
            self,
            CalicoKind::GlobalNetworkPolicy | CalicoKind::StagedGlobalNetworkPolicy
        )
    }

    /// Whether it is staged (never enforced).
    pub fn is_staged(self) -> bool {
        matches!(
            self,
            CalicoKind::StagedNetworkPolicy
                | CalicoKind::StagedGlobalNetworkPolicy
                | CalicoKind::StagedKubernetesNetworkPolicy
        )
    }

    /// The kind it stages, as enforced.
    pub fn enforced(self) -> CalicoKind {
        match self {
            CalicoKind::StagedNetworkPolicy => CalicoKind::NetworkPolicy,
            CalicoKind::StagedGlobalNetworkPolicy => CalicoKind::GlobalNetworkPolicy,
            k => k,
        }
    }
}

/// A selector as written (`selector`, `notSelector`, `namespaceSelector`...), parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectorField {
    /// The text as written, and the YAML scalar it was read from.
    pub text: Spanned<String>,
    /// The byte offset in the file where the text begins verbatim (a plain or quoted scalar
    /// on one line, without escapes), so that a syntax error points at its exact place; None
    /// when the scalar's source text differs from its value.
    pub verbatim_at: Option<u32>,
    /// The parsed selector, or where and why it does not parse.
    pub parsed: Result<Selector, SyntaxError>,
}

impl SelectorField {
    /// Where a syntax error is in the file: the exact bytes when the text is verbatim, else
    /// the whole scalar.
    pub fn error_span(&self, e: &SyntaxError) -> Span {
        match self.verbatim_at {
            Some(at) => {
                let start = at + e.offset as u32;
                Span::new(self.text.span.file, start, start + (e.len.max(1) as u32))
            }
            None => self.text.span,
        }
    }
}

/// A protocol as written: a name (`TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, `UDPLite`) or a
/// number (1–255).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolValue {
    /// A name.
    Name(String),
    /// A number.
    Number(i64),
}

/// One entry of `ports` / `notPorts` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortValue {
    /// A port number.
    Number(i64),
    /// `"min:max"`, an inclusive range.
    Range(i64, i64),
    /// A named port.
    Name(String),
    /// Something else (reported by validation).
    Invalid(String),
}

/// `icmp` / `notICMP`.
#[derive(Clone, Debug, PartialEq)]
pub struct Icmp {
    /// The node.
    pub span: Span,
    /// `type`.
    pub icmp_type: Option<Spanned<i64>>,
    /// `code`.
    pub code: Option<Spanned<i64>>,
}

/// `serviceAccounts` of an entity rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceAccountMatch {
    /// The node.
    pub span: Span,
    /// `names`.
    pub names: Vec<Spanned<String>>,
    /// `selector`, over the service accounts' labels.
    pub selector: Option<SelectorField>,
}

/// `services` of an entity rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceMatch {
    /// The node.
    pub span: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `namespace`.
    pub namespace: Option<Spanned<String>>,
}

/// `source` or `destination` of a rule (an EntityRule).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntityRule {
    /// The node (None: the field is absent).
    pub span: Option<Span>,
    /// `nets`.
    pub nets: Vec<Spanned<String>>,
    /// `notNets`.
    pub not_nets: Vec<Spanned<String>>,
    /// `selector`.
    pub selector: Option<SelectorField>,
    /// `notSelector`.
    pub not_selector: Option<SelectorField>,
    /// `namespaceSelector`.
    pub namespace_selector: Option<SelectorField>,
    /// `ports`.
    pub ports: Vec<Spanned<PortValue>>,
    /// `notPorts`.
    pub not_ports: Vec<Spanned<PortValue>>,
    /// `serviceAccounts`.
    pub service_accounts: Option<ServiceAccountMatch>,
    /// `services`.
    pub services: Option<ServiceMatch>,
}

impl EntityRule {
    /// Whether it restricts nothing (absent, or `{}`).
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
            && self.not_nets.is_empty()
            && self.selector.is_none()
            && self.not_selector.is_none()
            && self.namespace_selector.is_none()
            && self.ports.is_empty()
            && self.not_ports.is_empty()
            && self.service_accounts.is_none()
            && self.services.is_none()
    }
}

/// `http` of a rule: matches that only an L7 proxy enforces.
#[derive(Clone, Debug, PartialEq)]
pub struct Http {
    /// The node.
    pub span: Span,
    /// `methods`.
    pub methods: Vec<Spanned<String>>,
    /// `paths`, as `exact: /x` or `prefix: /x`.
    pub paths: Vec<Spanned<String>>,
}

/// One rule of a Calico policy.
#[derive(Clone, Debug, PartialEq)]
pub struct CalicoRule {
    /// The rule node.
    pub span: Span,
    /// Ingress or egress.
    pub direction: Direction,
    /// Index in its list.
    pub index: usize,
    /// `action` (required: Allow, Deny, Log, Pass).
    pub action: Option<Spanned<String>>,
    /// `ipVersion` (4 or 6).
    pub ip_version: Option<Spanned<i64>>,
    /// `protocol`.
    pub protocol: Option<Spanned<ProtocolValue>>,
    /// `notProtocol`.
    pub not_protocol: Option<Spanned<ProtocolValue>>,
    /// `icmp`.
    pub icmp: Option<Icmp>,
    /// `notICMP`.
    pub not_icmp: Option<Icmp>,
    /// `source`.
    pub source: EntityRule,
    /// `destination`.
    pub destination: EntityRule,
    /// `http`.
    pub http: Option<Http>,
}

impl CalicoRule {
    /// `ingress[0]`.
    pub fn label(&self) -> String {
        format!("{}[{}]", self.direction.field(), self.index)
    }

    /// The other party's side: `source` of an ingress rule, `destination` of an egress one.
    pub fn peer(&self) -> &EntityRule {
        match self.direction {
            Direction::Ingress => &self.source,
            Direction::Egress => &self.destination,
        }
    }

    /// The side of the endpoint the policy applies to.
    pub fn local(&self) -> &EntityRule {
        match self.direction {
            Direction::Ingress => &self.destination,
            Direction::Egress => &self.source,
        }
    }
}

/// A Calico NetworkPolicy, GlobalNetworkPolicy or staged policy.
#[derive(Clone, Debug)]
pub struct CalicoPolicy {
    /// Which kind.
    pub kind: CalicoKind,
    /// Its namespace (None for the global kinds).
    pub namespace: Option<String>,
    /// metadata.name as written (possibly `tier.name`).
    pub name: String,
    /// The object.
    pub span: Span,
    /// Its `metadata.name`.
    pub name_span: Span,
    /// apiVersion as written.
    pub api_version: Spanned<String>,
    /// metadata.annotations.
    pub annotations: Labels,
    /// `spec.tier` (None: `default`).
    pub tier: Option<Spanned<String>>,
    /// `spec.order` (None: after every ordered policy of its tier).
    pub order: Option<Spanned<f64>>,
    /// `spec.selector` (None or empty: `all()`).
    pub selector: Option<SelectorField>,
    /// `spec.namespaceSelector` (global kinds).
    pub namespace_selector: Option<SelectorField>,
    /// `spec.serviceAccountSelector`.
    pub service_account_selector: Option<SelectorField>,
    /// `spec.types` as written.
    pub types: Option<Spanned<Vec<Spanned<String>>>>,
    /// `spec.ingress`.
    pub ingress: Vec<CalicoRule>,
    /// `spec.egress`.
    pub egress: Vec<CalicoRule>,
    /// `spec.doNotTrack` (global kinds; host endpoints only).
    pub do_not_track: Option<Spanned<bool>>,
    /// `spec.preDNAT` (global kinds; host endpoints only).
    pub pre_dnat: Option<Spanned<bool>>,
    /// `spec.applyOnForward` (global kinds; host endpoints only).
    pub apply_on_forward: Option<Spanned<bool>>,
    /// `spec.stagedAction` of a staged policy (`Set`, the default, or `Delete`).
    pub staged_action: Option<Spanned<String>>,
    /// Of a staged policy: the first spec field, besides `stagedAction` (and `tier`, for
    /// the Calico kinds), that holds a value (not null, empty, `false` or `""`). A staged
    /// deletion must have none.
    pub staged_content: Option<Spanned<String>>,
    /// The Kubernetes NetworkPolicy a StagedKubernetesNetworkPolicy stages.
    pub kubernetes: Option<Box<NetworkPolicy>>,
}

impl CalicoPolicy {
    /// `ns/name` for namespaced kinds, `name` for global ones.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The rules of a direction as written.
    pub fn rules(&self, dir: Direction) -> &[CalicoRule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// Its tier's name (`default` when none is written).
    pub fn tier_name(&self) -> &str {
        self.tier.as_ref().map_or("default", |t| t.value.as_str())
    }

    /// The directions it applies in: `types` as written, else Calico's defaulting — Ingress
    /// when it has no egress rules; Egress when it has egress rules and no ingress rules;
    /// both when it has both (`api/pkg/defaults/networkpolicy.go`).
    pub fn applies(&self, dir: Direction) -> bool {
        match &self.types {
            Some(t) if !t.value.is_empty() => t.value.iter().any(|x| x.value == dir.as_str()),
            _ => match dir {
                Direction::Ingress => self.egress.is_empty() || !self.ingress.is_empty(),
                Direction::Egress => !self.egress.is_empty(),
            },
        }
    }

    /// Whether it only ever applies to host endpoints (`doNotTrack` or `preDNAT`), which the
    /// model does not evaluate: it has no effect on pods.
    pub fn host_endpoints_only(&self) -> bool {
        self.do_not_track.as_ref().is_some_and(|b| b.value)
            || self.pre_dnat.as_ref().is_some_and(|b| b.value)
    }

    /// Whether a staged policy asks to delete the enforced policy of its name.
    pub fn stages_deletion(&self) -> bool {
        self.staged_action
            .as_ref()
            .is_some_and(|a| a.value == "Delete")
    }
}

/// A Calico Tier.
#[derive(Clone, Debug)]
pub struct CalicoTier {
    /// metadata.name.
    pub name: String,
    /// The object.
    pub span: Span,
    /// Its `metadata.name`.
    pub name_span: Span,
    /// `spec.order` (None: 1,000,000, as Calico's datastore stores it).
    pub order: Option<Spanned<f64>>,
    /// `spec.defaultAction` (`Deny`, the default, or `Pass`).
    pub default_action: Option<Spanned<String>>,
}

/// A NetworkSet (namespaced) or GlobalNetworkSet: labelled addresses that selectors of rules
/// match like endpoints.
#[derive(Clone, Debug)]
pub struct NetworkSet {
    /// Its namespace (None for a GlobalNetworkSet).
    pub namespace: Option<String>,
    /// metadata.name.
    pub name: String,
    /// The object.
    pub span: Span,
    /// metadata.labels.
    pub labels: Labels,
    /// `spec.nets` as written.
    pub nets: Vec<Spanned<String>>,
}

impl NetworkSet {
    /// `NetworkSet ns/name` or `GlobalNetworkSet name`.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("NetworkSet {ns}/{}", self.name),
            None => format!("GlobalNetworkSet {}", self.name),
        }
    }
}

/// A Calico object the model understands.
#[derive(Clone, Debug)]
pub enum CalicoObject {
    /// A policy of any Calico kind.
    Policy(Box<CalicoPolicy>),
    /// A Tier.
    Tier(CalicoTier),
    /// A NetworkSet or GlobalNetworkSet.
    NetworkSet(NetworkSet),
}

//! What the API server (the CRD's OpenAPI schema) and the Cilium agent (`Rule.Validate` and
//! `Rule.Sanitize`) refuse in a CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or
//! CiliumCIDRGroup, so that a policy the cluster would refuse is never simulated and `check`
//! says exactly what is wrong and where. Reported by `invalid-cilium-policy`.
//!
//! The rules are Cilium 1.19's. The schema comes from the kubebuilder markers of
//! `pkg/policy/api/*.go` (rendered in `pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml`); the
//! agent's checks from `pkg/policy/api/rule_validation.go` and
//! `rule_validation_helpers.go`, which `CiliumNetworkPolicy.Parse` and
//! `CiliumClusterwideNetworkPolicy.Parse` (`pkg/k8s/apis/cilium.io/v2/cnp_types.go`,
//! `ccnp_types.go`) run on `spec` and each item of `specs`: one refused rule refuses the whole
//! object (its status says `Valid: False`), although `kubectl apply` succeeded.
//!
//! Checks that depend on agent flags assume their defaults: `--enable-l7-proxy` and
//! `--enable-icmp-rules` on (nothing refused), `--enable-node-selector-labels` and
//! `--enable-extended-ip-protocols` off (`fromNodes`/`toNodes` and port-less entries
//! refused).

use super::{
    CidrGroup, CidrRule, CiliumKind, CiliumPolicy, CiliumRule, FqdnSelector, IcmpRule, PeerRule,
    PortProtocol, PortRule,
};
use crate::base::span::Span;
use crate::model::ip::parse_cidr;
use crate::model::labels::{LabelSelector, Operator};
use crate::model::validate::{Violation, label_key, label_value};

/// The rule that reports what the API server or the agent refuses.
pub const POLICY_RULE: &str = "invalid-cilium-policy";

/// The values of `toPorts[].ports[].protocol`: the CRD's enum on `api.L4Proto` (`l4.go`),
/// case-sensitive. Absent means ANY.
pub const PROTOCOLS: [&str; 8] = [
    "TCP", "UDP", "SCTP", "ICMP", "ICMPV6", "VRRP", "IGMP", "ANY",
];

/// The entities the API server accepts: the CRD's enum on `api.Entity` (`entity.go`,
/// `+kubebuilder:validation:Enum`).
pub const ENTITIES: [&str; 11] = [
    "all",
    "world",
    "cluster",
    "host",
    "init",
    "ingress",
    "unmanaged",
    "remote-node",
    "health",
    "none",
    "kube-apiserver",
];

/// Entities the agent knows (`EntitySelectorMapping`, `entity.go`) but the CRD's enum does not
/// list, so that the API server refuses them.
const AGENT_ONLY_ENTITIES: [&str; 2] = ["world-ipv4", "world-ipv6"];

/// `maxPorts` (`rule_validation_helpers.go`) and the CRD's `maxItems` on `ports`.
const MAX_PORTS: usize = 40;
/// `maxICMPFields` (`rule_validation_helpers.go`) and the CRD's `maxItems` on `fields`.
const MAX_ICMP_FIELDS: usize = 40;

/// The CRD's enum on `authentication.mode` (`api.AuthenticationMode`, `rule.go`).
const AUTH_MODES: [&str; 3] = ["disabled", "required", "test-always-fail"];

/// The ICMP type names of the CRD's pattern on `icmps[].fields[].type` (`icmp.go`), as the
/// generated pattern has them (`ExtendedEcho Reply` with its space, no `ExtendedEchoReply`).
const ICMP_TYPES: [&str; 33] = [
    "EchoReply",
    "DestinationUnreachable",
    "Redirect",
    "Echo",
    "RouterAdvertisement",
    "RouterSelection",
    "TimeExceeded",
    "ParameterProblem",
    "Timestamp",
    "TimestampReply",
    "Photuris",
    "ExtendedEchoRequest",
    "ExtendedEcho Reply",
    "PacketTooBig",
    "EchoRequest",
    "MulticastListenerQuery",
    "MulticastListenerReport",
    "MulticastListenerDone",
    "RouterSolicitation",
    "NeighborSolicitation",
    "NeighborAdvertisement",
    "RedirectMessage",
    "RouterRenumbering",
    "ICMPNodeInformationQuery",
    "ICMPNodeInformationResponse",
    "InverseNeighborDiscoverySolicitation",
    "InverseNeighborDiscoveryAdvertisement",
    "HomeAgentAddressDiscoveryRequest",
    "HomeAgentAddressDiscoveryReply",
    "MobilePrefixSolicitation",
    "MobilePrefixAdvertisement",
    "DuplicateAddressRequestCodeSuffix",
    "DuplicateAddressConfirmationCodeSuffix",
];

#[derive(Default)]
struct Out {
    items: Vec<Violation>,
}

impl Out {
    fn push(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.items.push(Violation {
            rule: POLICY_RULE,
            span,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// One of a rule's four lists of peer rules.
#[derive(Clone, Copy)]
struct Section {
    field: &'static str,
    ingress: bool,
    deny: bool,
}

const SECTIONS: [Section; 4] = [
    Section {
        field: "ingress",
        ingress: true,
        deny: false,
    },
    Section {
        field: "ingressDeny",
        ingress: true,
        deny: true,
    },
    Section {
        field: "egress",
        ingress: false,
        deny: false,
    },
    Section {
        field: "egressDeny",
        ingress: false,
        deny: true,
    },
];

impl Section {
    fn rules(self, r: &CiliumRule) -> Option<&[PeerRule]> {
        match (self.ingress, self.deny) {
            (true, false) => r.ingress.as_deref(),
            (true, true) => r.ingress_deny.as_deref(),
            (false, false) => r.egress.as_deref(),
            (false, true) => r.egress_deny.as_deref(),
        }
    }

    /// `fromEndpoints` in ingress rules, `toEndpoints` in egress rules.
    fn peer(self, name: &str) -> String {
        format!("{}{name}", if self.ingress { "from" } else { "to" })
    }
}

/// What is refused in a policy (empty: it is applied).
pub fn policy(p: &CiliumPolicy) -> Vec<Violation> {
    let mut out = Out::default();
    // Custom resources' names are DNS subdomains (apiextensions-apiserver validates a custom
    // resource's ObjectMeta with `NameIsDNSSubdomain`).
    if let Err(e) = dns_subdomain(&p.name) {
        out.push(
            p.name_span,
            "metadata.name",
            format!("`{}` is not a valid name: {e}", p.name),
        );
    }
    // `ErrEmptyCNP` / `ErrEmptyCCNP` (`cnp_types.go`, `ccnp_types.go` `Parse`): neither `spec`
    // nor `specs`.
    if p.specs.is_empty() {
        out.push(
            p.span,
            "spec",
            format!(
                "a {} needs `spec` or `specs`: Cilium refuses an empty policy",
                p.kind.as_str()
            ),
        );
    }
    for r in &p.specs {
        rule(p, r, &mut out);
    }
    out.items
}

/// What is refused in a CIDR group (its invalid CIDRs match nothing).
pub fn cidr_group(g: &CidrGroup) -> Vec<Violation> {
    let mut out = Out::default();
    // Cluster-scoped custom resource: a DNS subdomain, as for policies.
    if let Err(e) = dns_subdomain(&g.name) {
        out.push(
            g.span,
            "metadata.name",
            format!("`{}` is not a valid name: {e}", g.name),
        );
    }
    // `externalCIDRs` items are `format: cidr` (`api.CIDR`, `cidrgroups_types.go`).
    for (i, c) in g.cidrs.iter().enumerate() {
        if let Err(e) = parse_cidr(c) {
            out.push(c.span, format!("spec.externalCIDRs[{i}]"), e);
        }
    }
    out.items
}

fn rule(p: &CiliumPolicy, r: &CiliumRule, out: &mut Out) {
    let base = r.label.as_str();
    // CRD: `oneOf` endpointSelector / nodeSelector on the rule (`rule.go`); agent:
    // `Rule.Validate` "rule must have one of EndpointSelector or NodeSelector" and "rule
    // cannot have both EndpointSelector and NodeSelector".
    match (&r.endpoint_selector, &r.node_selector) {
        (None, None) => out.push(
            r.span,
            base,
            "needs `endpointSelector` (or, in a CiliumClusterwideNetworkPolicy, `nodeSelector`)",
        ),
        (Some(_), Some(n)) => out.push(
            n.span,
            format!("{base}.nodeSelector"),
            "`endpointSelector` and `nodeSelector` cannot both be set",
        ),
        _ => {}
    }
    if let Some(s) = &r.endpoint_selector {
        selector(s, &format!("{base}.endpointSelector"), out);
    }
    if let Some(n) = &r.node_selector {
        // `CiliumNetworkPolicy.Parse` (`cnp_types.go`): "rule cannot have NodeSelector".
        if p.kind == CiliumKind::NetworkPolicy {
            out.push(
                n.span,
                format!("{base}.nodeSelector"),
                "a CiliumNetworkPolicy cannot have `nodeSelector`: host policies are CiliumClusterwideNetworkPolicies",
            );
        }
        selector(n, &format!("{base}.nodeSelector"), out);
    }
    // CRD: `anyOf` required ingress / ingressDeny / egress / egressDeny on the rule; agent:
    // `Rule.Validate` "rule must have at least one of Ingress, IngressDeny, Egress,
    // EgressDeny", which counts items, so that present but empty lists are refused too.
    let present = SECTIONS.iter().any(|s| s.rules(r).is_some());
    let nonempty = SECTIONS
        .iter()
        .any(|s| s.rules(r).is_some_and(|l| !l.is_empty()));
    if !present {
        out.push(
            r.span,
            base,
            "needs at least one of `ingress`, `ingressDeny`, `egress`, `egressDeny`",
        );
    } else if !nonempty {
        out.push(
            r.span,
            base,
            "the agent refuses a rule whose `ingress`, `ingressDeny`, `egress` and `egressDeny` are all empty: default deny is written `ingress: [{}]`",
        );
    }
    let host = r.node_selector.is_some();
    for s in SECTIONS {
        for pr in s.rules(r).unwrap_or_default() {
            peer_rule(
                pr,
                &format!("{base}.{}[{}]", s.field, pr.index),
                s,
                host,
                out,
            );
        }
    }
}

/// The list when present and not empty (Cilium counts `len()`, so an empty list is no list).
fn items<T>(v: &Option<Vec<T>>) -> Option<&[T]> {
    v.as_deref().filter(|l| !l.is_empty())
}

fn peer_rule(pr: &PeerRule, path: &str, s: Section, host: bool, out: &mut Out) {
    // Fields a kind of rule does not have (`toServices`, `toFQDNs` and `authentication` where
    // they do not exist, the layer-7 parts of a deny rule's `toPorts`) are unknown fields,
    // which the loader reports (`load::kinds::cilium`) and which never reach here.
    // CRD enum on `authentication.mode` (`api.AuthenticationMode`, `rule.go`).
    if let Some(a) = &pr.authentication
        && !AUTH_MODES.contains(&a.value.as_str())
    {
        out.push(
            a.span,
            format!("{path}.authentication.mode"),
            format!("`{}` is not one of {}", a.value, AUTH_MODES.join(", ")),
        );
    }

    // `IngressCommonRule.Validate` / `EgressCommonRule.Validate` with `l3Members`
    // (`rule_validation.go`, `rule_validation_helpers.go`): "combining %s and %s is not
    // supported yet". `fromRequires`/`toRequires` are no L3 member.
    let mut members: Vec<(String, Span)> = Vec::new();
    let mut member = |name: &str, span: Option<Span>| {
        if let Some(span) = span {
            members.push((s.peer(name), span));
        }
    };
    member("Endpoints", items(&pr.endpoints).map(|v| v[0].span));
    member("CIDR", items(&pr.cidr).map(|v| v[0].span));
    member("CIDRSet", items(&pr.cidr_set).map(|v| v[0].span));
    member("Entities", items(&pr.entities).map(|v| v[0].span));
    member("Nodes", items(&pr.nodes).map(|v| v[0].span));
    member("Groups", pr.groups);
    if !s.ingress {
        member("Services", items(&pr.services).map(|v| v[0].span));
        if !s.deny {
            member("FQDNs", items(&pr.fqdns).map(|v| v[0].span));
        }
    }
    if members.len() > 1 {
        let names: Vec<String> = members.iter().map(|(n, _)| format!("`{n}`")).collect();
        let (last, rest) = names.split_last().expect("two members or more");
        out.push(
            members[1].1,
            format!("{path}.{}", members[1].0),
            format!(
                "{} and {last} cannot be combined in one rule: a rule names one kind of peer, write a rule for each",
                rest.join(", ")
            ),
        );
    }

    // `ErrFromToNodesRequiresNodeSelectorOption` (`rule_validation_helpers.go`), returned by
    // `IngressCommonRule.Validate` / `EgressCommonRule.Validate` when the agent's
    // `enable-node-selector-labels` is off, its default (`defaults.EnableNodeSelectorLabels`).
    if let Some(v) = items(&pr.nodes) {
        out.push(
            v[0].span,
            format!("{path}.{}", s.peer("Nodes")),
            format!(
                "`{}` is refused unless the agent runs with --enable-node-selector-labels (off by default)",
                s.peer("Nodes")
            ),
        );
    }

    // Selectors: `EndpointSelector.Validate` (`selector.go`) runs Kubernetes'
    // `ValidateLabelSelector`; the CRD checks operators and `matchLabels` values.
    for (name, list) in [
        ("Endpoints", &pr.endpoints),
        ("Requires", &pr.requires),
        ("Nodes", &pr.nodes),
    ] {
        for (i, sel) in list.iter().flatten().enumerate() {
            selector(sel, &format!("{path}.{}[{i}]", s.peer(name)), out);
        }
    }

    // Entities: the CRD's enum (`entity.go`); the agent's `EntitySelectorMapping` check
    // ("unsupported entity") knows two more, which the API server refuses first.
    for (i, e) in pr.entities.iter().flatten().enumerate() {
        let v = e.value.as_str();
        if ENTITIES.contains(&v) {
            continue;
        }
        let message = if AGENT_ONLY_ENTITIES.contains(&v) {
            format!(
                "`{v}` is not in the CRD's list of entities ({}): the API server refuses it",
                ENTITIES.join(", ")
            )
        } else {
            format!("`{v}` is not an entity: one of {}", ENTITIES.join(", "))
        };
        out.push(
            e.span,
            format!("{path}.{}[{i}]", s.peer("Entities")),
            message,
        );
    }

    // `fromCIDR`/`toCIDR` items: CRD `format: cidr` (older CRDs: a pattern requiring the
    // prefix length); the agent's `CIDR.Validate` also takes a bare address, the API server
    // does not.
    for (i, c) in pr.cidr.iter().flatten().enumerate() {
        if let Err(e) = parse_cidr(c) {
            out.push(c.span, format!("{path}.{}[{i}]", s.peer("CIDR")), e);
        }
    }
    for (i, c) in pr.cidr_set.iter().flatten().enumerate() {
        cidr_rule(c, &format!("{path}.{}[{i}]", s.peer("CIDRSet")), out);
    }

    for (i, svc) in pr.services.iter().flatten().enumerate() {
        if let Some(sel) = &svc.selector {
            selector(
                sel,
                &format!("{path}.toServices[{i}].k8sServiceSelector.selector"),
                out,
            );
        }
    }
    for (i, f) in pr.fqdns.iter().flatten().enumerate() {
        fqdn(f, &format!("{path}.toFQDNs[{i}]"), out);
    }

    // `IngressRule.Validate`, `EgressRule.Validate` and the deny forms:
    // `errUnsupportedICMPWithToPorts`.
    if let (Some(icmps), Some(_)) = (items(&pr.icmps), items(&pr.to_ports)) {
        out.push(
            icmps[0].span,
            format!("{path}.icmps"),
            "`icmps` cannot be combined with `toPorts` in one rule: write a rule for each",
        );
    }
    for (i, ic) in pr.icmps.iter().flatten().enumerate() {
        icmp_rule(ic, &format!("{path}.icmps[{i}]"), out);
    }

    for (i, r) in pr.to_ports.iter().flatten().enumerate() {
        port_rule(r, &format!("{path}.toPorts[{i}]"), s, out);
    }

    // Host policies (`nodeSelector`): `IngressRule.Validate` "L7 policy is not supported on
    // host ingress yet" (any of `countL7Rules`' DNS, HTTP, Kafka), `EgressRule.Validate` "L7
    // protocol %s is not supported on host egress yet" (HTTP and Kafka; DNS is).
    if host && !s.deny {
        for (i, r) in pr.to_ports.iter().flatten().enumerate() {
            for l in &r.l7 {
                let refused = if s.ingress {
                    matches!(l.protocol.as_str(), "http" | "dns" | "kafka")
                } else {
                    matches!(l.protocol.as_str(), "http" | "kafka")
                };
                if refused {
                    out.push(
                        l.span,
                        format!("{path}.toPorts[{i}].rules.{}", l.protocol),
                        format!(
                            "host policies (`nodeSelector`) cannot have `{}` rules on {}",
                            l.protocol,
                            if s.ingress { "ingress" } else { "egress" }
                        ),
                    );
                }
            }
        }
    }
}

fn cidr_rule(c: &CidrRule, path: &str, out: &mut Out) {
    // CRD `oneOf` cidr / cidrGroupRef / cidrGroupSelector; agent `CIDRRule.Validate`: "one of
    // cidr, cidrGroupRef, or cidrGroupSelector is required", "more than one of ... may not be
    // set".
    let set = [
        c.cidr.is_some(),
        c.group_ref.is_some(),
        c.group_selector.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if set == 0 {
        out.push(
            c.span,
            path,
            "needs one of `cidr`, `cidrGroupRef`, `cidrGroupSelector`",
        );
    } else if set > 1 {
        out.push(
            c.span,
            path,
            "only one of `cidr`, `cidrGroupRef` and `cidrGroupSelector` may be set",
        );
    }
    // CRD: `cidrGroupRef` has a DNS-subdomain pattern and maxLength 253 (`cidr.go`).
    if let Some(g) = &c.group_ref
        && let Err(e) = dns_subdomain(g)
    {
        out.push(
            g.span,
            format!("{path}.cidrGroupRef"),
            format!("`{}` is not a CiliumCIDRGroup name: {e}", g.value),
        );
    }
    if let Some(sel) = &c.group_selector {
        selector(sel, &format!("{path}.cidrGroupSelector"), out);
    }
    // CRD `format: cidr` on `cidr` and `except`; agent `CIDRRule.Validate`: the prefix parses
    // (`netip.ParsePrefix`), and "allow CIDR prefix %s does not contain exclude CIDR prefix
    // %s" when `prefix.Bits() > except.Bits() || !prefix.Contains(except.Addr())` (which also
    // refuses another address family). The agent does not look at `except` beside a group.
    let net = c.cidr.as_ref().and_then(|x| match parse_cidr(x) {
        Ok(n) => Some(n),
        Err(e) => {
            out.push(x.span, format!("{path}.cidr"), e);
            None
        }
    });
    for (i, e) in c.except.iter().enumerate() {
        let epath = format!("{path}.except[{i}]");
        match parse_cidr(e) {
            Err(m) => out.push(e.span, epath, m),
            Ok(ex) => {
                let Some(net) = net else { continue };
                // `except.Addr()` is the address as written (`netip.ParsePrefix` keeps host
                // bits).
                let addr = e
                    .split_once('/')
                    .and_then(|(a, _)| a.parse::<std::net::IpAddr>().ok())
                    .unwrap_or(ex.addr());
                if ex.prefix_len() < net.prefix_len() || !net.contains(&addr) {
                    let cidr = c.cidr.as_ref().map_or("", |x| x.value.as_str());
                    out.push(
                        e.span,
                        epath,
                        format!(
                            "`{}` is not inside cidr `{cidr}`: the agent refuses the rule",
                            e.value
                        ),
                    );
                }
            }
        }
    }
}

fn fqdn(f: &FqdnSelector, path: &str, out: &mut Out) {
    // CRD `oneOf` matchName / matchPattern (`fqdn.go`); agent `FQDNSelector` sanitize "only
    // one of MatchName or MatchPattern is allowed in an FQDNSelector".
    match (&f.match_name, &f.match_pattern) {
        (None, None) => out.push(f.span, path, "needs `matchName` or `matchPattern`"),
        (Some(_), Some(p)) => out.push(
            p.span,
            format!("{path}.matchPattern"),
            "`matchName` and `matchPattern` cannot both be set",
        ),
        _ => {}
    }
    // CRD patterns `^([-a-zA-Z0-9_]+[.]?)+$` and `^([-a-zA-Z0-9_*]+[.]?)+$`, maxLength 255;
    // the agent's `allowedMatchNameChars` / `allowedPatternChars` are looser.
    for (field, value, wildcard) in [
        ("matchName", &f.match_name, false),
        ("matchPattern", &f.match_pattern, true),
    ] {
        let Some(v) = value else { continue };
        if !dns_pattern(v, wildcard) {
            let chars = if wildcard {
                "letters, digits, `-`, `_` and `*`"
            } else {
                "letters, digits, `-` and `_`"
            };
            out.push(
                v.span,
                format!("{path}.{field}"),
                format!(
                    "`{}` is not a DNS {}: labels of {chars}, separated by single dots, at most 255 characters",
                    v.value,
                    if wildcard { "pattern" } else { "name" }
                ),
            );
        }
    }
}

/// Whether `s` matches `^([-a-zA-Z0-9_]+[.]?)+$` (with `*` too when `wildcard`), at most 255.
fn dns_pattern(s: &str, wildcard: bool) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('.')
        && !s.contains("..")
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || b == b'-'
                || b == b'_'
                || b == b'.'
                || (wildcard && b == b'*')
        })
}

fn icmp_rule(ic: &IcmpRule, path: &str, out: &mut Out) {
    // `ICMPRule.Validate`: "too many types, the max is 40" (CRD maxItems 40 too).
    if ic.fields.len() > MAX_ICMP_FIELDS {
        out.push(
            ic.span,
            format!("{path}.fields"),
            format!("at most {MAX_ICMP_FIELDS} ICMP fields are allowed"),
        );
    }
    // CRD: `family` enum IPv4 / IPv6 (agent: "wrong family"); `type` is int-or-string, and a
    // string must match the pattern: 0–255 or a name of its list. (A number written as an
    // integer escapes the pattern, so numbers are left alone.)
    for (i, f) in ic.fields.iter().enumerate() {
        let (family, ty) = f.split_once(' ').unwrap_or(("IPv4", f.as_str()));
        if family != "IPv4" && family != "IPv6" {
            out.push(
                ic.span,
                format!("{path}.fields[{i}].family"),
                format!("`{family}` is not IPv4 or IPv6"),
            );
        }
        let numeric = !ty.is_empty() && ty.bytes().all(|b| b.is_ascii_digit());
        if !numeric && !ICMP_TYPES.contains(&ty) {
            out.push(
                ic.span,
                format!("{path}.fields[{i}].type"),
                format!("`{ty}` is not an ICMP type: a number 0–255 or a name such as EchoRequest"),
            );
        }
    }
}

fn port_rule(r: &PortRule, path: &str, s: Section, out: &mut Out) {
    // `PortRule.Validate`: "too many ports, the max is 40" (CRD maxItems 40 too).
    if r.ports.len() > MAX_PORTS {
        out.push(
            r.ports[MAX_PORTS].span,
            format!("{path}.ports"),
            format!("at most {MAX_PORTS} ports are allowed in one `toPorts` item"),
        );
    }
    // CRD `oneOf` http / kafka / dns / l7proto on `rules`; `L7Rules.Validate`: "multiple L7
    // protocol rule types specified in single rule".
    if r.l7.len() > 1 {
        let kinds: Vec<String> = r.l7.iter().map(|l| format!("`{}`", l.protocol)).collect();
        out.push(
            r.l7[1].span,
            format!("{path}.rules"),
            format!(
                "`rules` holds one kind of layer-7 rule: {} cannot be combined, write a `toPorts` item for each",
                kinds.join(" and ")
            ),
        );
    }
    // `L7Rules.Validate`: "'l7' may only be specified when a 'l7proto' is also specified" (the
    // loader names such rules `l7`).
    if let Some(l) = r
        .l7
        .iter()
        .find(|l| l.protocol == "l7" && l.items.iter().any(|i| i.ends_with("without `l7proto`")))
    {
        out.push(
            l.span,
            format!("{path}.rules.l7"),
            "`l7` rules need `l7proto`, the parser they are for",
        );
    }
    let dns = r.l7.iter().find(|l| l.protocol == "dns");
    let l7 = !r.l7.is_empty();
    // `PortRule.Validate(ingress)`: "DNS rules are not allowed on ingress".
    if s.ingress
        && let Some(d) = dns
    {
        out.push(
            d.span,
            format!("{path}.rules.dns"),
            "`dns` rules are only for egress",
        );
    }
    // `PortRule.Validate`: `errEmptyServerName`, and "ServerNames are not allowed with L7
    // rules without TLS termination".
    for (i, n) in r.server_names.iter().enumerate() {
        if n.value.is_empty() {
            out.push(
                n.span,
                format!("{path}.serverNames[{i}]"),
                "a server name cannot be empty",
            );
        }
    }
    if let Some(n) = r.server_names.first()
        && l7
        && r.tls.is_none()
    {
        out.push(
            n.span,
            format!("{path}.serverNames"),
            "`serverNames` together with layer-7 `rules` need `terminatingTLS`",
        );
    }
    // `PortRule.Validate`: "Listener is not allowed on ingress", "Listener is not allowed with
    // L7 rules".
    if let Some(t) = r.tls.as_ref().filter(|t| t.value == "listener") {
        if s.ingress {
            out.push(
                t.span,
                format!("{path}.listener"),
                "`listener` is only for egress rules",
            );
        }
        if l7 {
            out.push(
                t.span,
                format!("{path}.listener"),
                "`listener` cannot be combined with layer-7 `rules`",
            );
        }
    }
    let mut zero = None;
    for (k, pp) in r.ports.iter().enumerate() {
        let ppath = format!("{path}.ports[{k}]");
        if port_protocol(pp, &ppath, dns.is_some(), out) == Some(0) {
            zero.get_or_insert(pp.port.as_ref().map_or(pp.span, |p| p.span));
        }
        // `PortRule.Validate`: "L7 rules can only apply to TCP (not %s) except for DNS
        // rules", comparing the protocol as written: ANY and an absent protocol are refused.
        if l7 && dns.is_none() && pp.protocol.as_ref().map(|p| p.value.as_str()) != Some("TCP") {
            let (span, what) = match &pp.protocol {
                Some(p) => (p.span, format!(", not `{}`", p.value)),
                None => (pp.span, " (absent is ANY)".to_string()),
            };
            out.push(
                span,
                format!("{ppath}.protocol"),
                format!("layer-7 rules other than `dns` need `protocol: TCP`{what}"),
            );
        }
    }
    // `PortRule.Validate`: "L7 rules can not be used when a port is 0".
    if l7 && let Some(z) = zero {
        out.push(
            z,
            format!("{path}.rules"),
            "layer-7 rules cannot apply to port 0 (every port)",
        );
    }
    // `L7Rules.Validate`: "port 53 must be specified for DNS rules" (any port list will do).
    if let Some(d) = dns
        && r.ports.is_empty()
    {
        out.push(
            d.span,
            format!("{path}.ports"),
            "`dns` rules need `ports` (the DNS port, 53)",
        );
    }
}

/// Checks an item of `ports`; returns its port number when it has one.
fn port_protocol(pp: &PortProtocol, path: &str, dns: bool, out: &mut Out) -> Option<u32> {
    // CRD enum on `protocol` (case-sensitive); the agent's `ParseL4Proto` would upper-case.
    let protocol = pp.protocol.as_ref().map(|p| p.value.as_str());
    if let Some(p) = &pp.protocol
        && !PROTOCOLS.contains(&p.value.as_str())
    {
        let upper = p.value.to_ascii_uppercase();
        let hint = if PROTOCOLS.contains(&upper.as_str()) {
            format!(" (protocols are upper case: `{upper}`)")
        } else {
            String::new()
        };
        out.push(
            p.span,
            format!("{path}.protocol"),
            format!("`{}` is not one of {}{hint}", p.value, PROTOCOLS.join(", ")),
        );
    }
    // CRD: `endPort` minimum 0, maximum 65535. An `endPort` at or below `port` is not refused:
    // the range is the single port (`PortRangeToMaskedPorts`, `pkg/policy/types`).
    if let Some(e) = &pp.end_port
        && !(0..=65535).contains(&e.value)
    {
        out.push(
            e.span,
            format!("{path}.endPort"),
            format!("{} is not in 0–65535", e.value),
        );
    }
    // `PortProtocol.Validate`: "port must be specified" unless `enable-extended-ip-protocols`.
    let Some(port) = &pp.port else {
        out.push(
            pp.span,
            format!("{path}.port"),
            "`port` is required (\"0\" means every port); only an agent with --enable-extended-ip-protocols takes an entry without one",
        );
        return None;
    };
    // `PortProtocol.Validate`: an IANA service name (`iana.IsSvcName`) is a port name;
    // anything else must parse as `strconv.ParseUint(port, 0, 16)` ("unable to parse port").
    if is_svc_name(&port.value) {
        return None;
    }
    let Some(n) = go_port_number(&port.value) else {
        out.push(
            port.span,
            format!("{path}.port"),
            format!(
                "`{}` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
                port.value
            ),
        );
        return None;
    };
    // `PortProtocol.Validate`: VRRP and IGMP have no ports: "port must be empty or 0".
    if n != 0 && matches!(protocol, Some("VRRP" | "IGMP")) {
        out.push(
            port.span,
            format!("{path}.port"),
            format!(
                "{} has no ports: `port` must be empty or 0",
                protocol.unwrap_or("")
            ),
        );
    }
    // `PortProtocol.Validate(hasDNSRules)`: "DNS rules do not support port ranges".
    if dns
        && let Some(e) = &pp.end_port
        && e.value > i64::from(n)
    {
        out.push(
            e.span,
            format!("{path}.endPort"),
            "`dns` rules do not support port ranges",
        );
    }
    Some(n)
}

/// `iana.IsSvcName` (`pkg/iana`): 1 to 15 characters matching
/// `^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$`.
pub fn is_svc_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A port that is not a service name, as `strconv.ParseUint(s, 0, 16)` reads it: decimal,
/// a leading `0` for octal (`010` is 8), `0x`/`0o`/`0b` prefixes, `_` between digits.
pub fn go_port_number(s: &str) -> Option<u32> {
    let lower = s.to_ascii_lowercase();
    let (base, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r, true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r, true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    let mut value: u32 = 0;
    let mut seen = false;
    // An underscore may follow the base prefix or a digit, and must precede a digit.
    let mut after_digit = prefixed;
    let mut trailing_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if !after_digit {
                return None;
            }
            after_digit = false;
            trailing_underscore = true;
            continue;
        }
        let d = c.to_digit(base)?;
        value = value * base + d;
        if value > 65535 {
            return None;
        }
        seen = true;
        after_digit = true;
        trailing_underscore = false;
    }
    (seen && !trailing_underscore).then_some(value)
}

/// Checks a label selector as the CRD (operator enum, `matchLabels` value pattern) and the
/// agent's `ValidateLabelSelector` (`EndpointSelector.Validate`, `selector.go`) do. A key's
/// Cilium source prefix (`k8s:`, `any:`, `reserved:`) is not part of the Kubernetes key.
fn selector(s: &LabelSelector, path: &str, out: &mut Out) {
    let key = |k: &str| k.split_once(':').map_or(k, |(_, rest)| rest).to_string();
    for (k, v) in &s.match_labels {
        let kpath = format!("{path}.matchLabels[{:?}]", k.value);
        if let Err(e) = label_key(&key(&k.value)) {
            out.push(
                k.span,
                kpath.clone(),
                format!("label key `{}` is invalid: {e}", k.value),
            );
        }
        if let Err(e) = label_value(v) {
            out.push(
                v.span,
                kpath,
                format!("label value `{}` is invalid: {e}", v.value),
            );
        }
    }
    for (i, e) in s.match_expressions.iter().enumerate() {
        let epath = format!("{path}.matchExpressions[{i}]");
        if let Err(m) = label_key(&key(&e.key.value)) {
            out.push(
                e.key.span,
                format!("{epath}.key"),
                format!("label key `{}` is invalid: {m}", e.key.value),
            );
        }
        match Operator::parse(&e.operator) {
            None => out.push(
                e.operator.span,
                format!("{epath}.operator"),
                format!(
                    "`{}` is not In, NotIn, Exists or DoesNotExist",
                    e.operator.value
                ),
            ),
            Some(Operator::In | Operator::NotIn) if e.values.is_empty() => out.push(
                e.span,
                epath,
                format!("operator `{}` needs at least one value", e.operator.value),
            ),
            Some(Operator::Exists | Operator::DoesNotExist) if !e.values.is_empty() => out.push(
                e.values_span.unwrap_or(e.span),
                format!("{epath}.values"),
                format!("operator `{}` takes no values", e.operator.value),
            ),
            _ => {
                for (j, v) in e.values.iter().enumerate() {
                    if let Err(m) = label_value(v) {
                        out.push(
                            v.span,
                            format!("{epath}.values[{j}]"),
                            format!("label value `{}` is invalid: {m}", v.value),
                        );
                    }
                }
            }
        }
    }
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated labels of lower-case letters,
/// digits and `-`, each starting and ending with a letter or digit.
fn dns_subdomain(s: &str) -> Result<(), &'static str> {
    if s.is_empty() || s.len() > 253 {
        return Err("a name is 1 to 253 characters");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if s.split('.').all(label_ok) {
        Ok(())
    } else {
        Err("lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_texts};
    use crate::model::Object;
    use crate::model::cilium::CiliumObject;

    /// The Cilium objects of a text, which must load without problems.
    fn objects(text: &str) -> Vec<CiliumObject> {
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.objects
            .into_iter()
            .map(|o| match o {
                Object::Cilium(c) => *c,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// `path: message` of each violation of the policies and groups of a text.
    fn violations(text: &str) -> Vec<String> {
        objects(text)
            .iter()
            .flat_map(|o| match o {
                CiliumObject::Policy(p) => policy(p),
                CiliumObject::CidrGroup(g) => cidr_group(g),
            })
            .map(|v| {
                assert_eq!(v.rule, POLICY_RULE);
                format!("{}: {}", v.path, v.message)
            })
            .collect()
    }

    /// A CNP whose `spec` is indented `spec` text.
    fn cnp(spec: &str) -> String {
        format!(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  endpointSelector: {{}}\n{spec}"
        )
    }

    #[test]
    fn a_valid_policy_has_no_violation() {
        let text = cnp(
            "  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n",
        );
        assert_eq!(violations(&text), Vec::<String>::new());
    }

    #[test]
    fn exceptions_must_lie_in_their_cidr() {
        // The agent compares prefix lengths and containment of the address as written: an
        // except equal to its cidr passes, one of the other family does not.
        let text = cnp(
            "  egress:\n  - toCIDRSet:\n    - {cidr: 10.0.0.0/8, except: [10.0.0.0/8, 10.1.2.3/16, 0.0.0.0/0, \"::/0\"]}\n",
        );
        assert_eq!(
            violations(&text),
            [
                "spec.egress[0].toCIDRSet[0].except[2]: `0.0.0.0/0` is not inside cidr `10.0.0.0/8`: the agent refuses the rule",
                "spec.egress[0].toCIDRSet[0].except[3]: `::/0` is not inside cidr `10.0.0.0/8`: the agent refuses the rule",
            ]
        );
    }

    #[test]
    fn ports_beyond_what_the_agent_reads_are_refused() {
        let ports: Vec<String> = (1..=41).map(|p| format!("{{port: \"{p}\"}}")).collect();
        let text = cnp(&format!(
            "  ingress:\n  - toPorts:\n    - ports: [{}]\n    - ports: [{{port: \"010\"}}, {{port: HTTP-alt}}, {{port: \"0x1F\"}}, {{port: \"8_0\"}}, {{port: \"08\"}}, {{port: web_ui}}]\n    - ports: [{{port: \"8080\", endPort: 80}}, {{port: http, endPort: 90}}]\n",
            ports.join(", ")
        ));
        assert_eq!(
            violations(&text),
            [
                "spec.ingress[0].toPorts[0].ports: at most 40 ports are allowed in one `toPorts` item",
                "spec.ingress[0].toPorts[1].ports[4].port: `08` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
                "spec.ingress[0].toPorts[1].ports[5].port: `web_ui` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
            ]
        );
    }

    #[test]
    fn entities_of_the_agent_only_are_refused() {
        let text = cnp("  egress:\n  - toEntities: [world-ipv6, world, cluster]\n");
        assert_eq!(
            violations(&text),
            [
                "spec.egress[0].toEntities[0]: `world-ipv6` is not in the CRD's list of entities (all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver): the API server refuses it"
            ]
        );
    }

    #[test]
    fn peers_of_one_kind_per_rule_and_empty_lists_do_not_count() {
        // Cilium counts items: an empty list is no peer; fromRequires is no peer kind.
        let text = cnp(
            "  ingress:\n  - fromEndpoints: [{}]\n    fromRequires: [{matchLabels: {env: prod}}]\n    fromCIDR: []\n  - fromCIDR: [10.0.0.0/8]\n    fromCIDRSet: [{cidr: 10.1.0.0/16}]\n    fromEntities: [world]\n",
        );
        assert_eq!(
            violations(&text),
            [
                "spec.ingress[1].fromCIDRSet: `fromCIDR`, `fromCIDRSet` and `fromEntities` cannot be combined in one rule: a rule names one kind of peer, write a rule for each"
            ]
        );
    }

    #[test]
    fn layer7_rules_and_their_ports() {
        let text = cnp(
            "  egress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: ANY}]\n      rules: {http: [{}]}\n    - ports: [{port: \"53\", protocol: ANY}]\n      rules: {dns: [{matchPattern: \"*\"}]}\n    - ports: [{port: \"9042\", protocol: TCP}]\n      rules: {l7proto: cassandra}\n    - ports: [{port: \"443\", protocol: TCP}]\n      terminatingTLS: {secret: {name: tls}}\n      serverNames: [a.example.com]\n      rules: {http: [{}]}\n",
        );
        assert_eq!(
            violations(&text),
            [
                "spec.egress[0].toPorts[0].ports[0].protocol: layer-7 rules other than `dns` need `protocol: TCP`, not `ANY`"
            ]
        );
    }

    #[test]
    fn listeners_are_for_egress_without_layer7_rules() {
        let text = cnp(
            "  ingress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n  egress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n",
        );
        assert_eq!(
            violations(&text),
            ["spec.ingress[0].toPorts[0].listener: `listener` is only for egress rules"]
        );
    }

    #[test]
    fn an_empty_spec_list_is_an_empty_policy() {
        let text = "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspecs: []\n";
        assert_eq!(
            violations(text),
            [
                "spec: a CiliumClusterwideNetworkPolicy needs `spec` or `specs`: Cilium refuses an empty policy"
            ]
        );
    }

    #[test]
    fn cidr_groups_hold_cidrs() {
        let text = "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec:\n  externalCIDRs: [10.0.0.0/8, 10.0.0.0/40, fe80::/10]\n";
        assert_eq!(
            violations(text),
            ["spec.externalCIDRs[1]: `10.0.0.0/40` is not a CIDR: prefix length 40 is over 32"]
        );
    }

    #[test]
    fn ports_are_read_as_go_reads_them() {
        assert_eq!(go_port_number("80"), Some(80));
        assert_eq!(go_port_number("0"), Some(0));
        assert_eq!(go_port_number("65535"), Some(65535));
        assert_eq!(go_port_number("65536"), None);
        assert_eq!(go_port_number("010"), Some(8));
        assert_eq!(go_port_number("08"), None);
        assert_eq!(go_port_number("8_080"), Some(8080));
        assert_eq!(go_port_number("_80"), None);
        assert_eq!(go_port_number("80_"), None);
        assert_eq!(go_port_number("0x_1F"), Some(31));
        assert_eq!(go_port_number("-1"), None);
        assert_eq!(go_port_number(""), None);
        assert_eq!(go_port_number("8o"), None);
    }

    #[test]
    fn service_names_follow_iana() {
        assert!(is_svc_name("http"));
        assert!(is_svc_name("HTTP-8080"));
        assert!(is_svc_name("0x50"));
        assert!(!is_svc_name("8080"));
        assert!(!is_svc_name("a--b"));
        assert!(!is_svc_name("-a"));
        assert!(!is_svc_name("sixteen-chars-xx"));
        assert!(!is_svc_name("a_b"));
    }

    #[test]
    fn dns_patterns_follow_the_crd() {
        assert!(dns_pattern("api.example.com", false));
        assert!(dns_pattern("api.example.com.", false));
        assert!(dns_pattern("_srv.example.com", false));
        assert!(!dns_pattern("*.example.com", false));
        assert!(dns_pattern("*.example.com", true));
        assert!(dns_pattern("*", true));
        assert!(!dns_pattern(".example.com", false));
        assert!(!dns_pattern("a..b", false));
        assert!(!dns_pattern("", false));
        assert!(!dns_pattern("exa mple.com", false));
    }

    #[test]
    fn names_are_dns_subdomains() {
        assert!(dns_subdomain("allow-dns").is_ok());
        assert!(dns_subdomain("team.a").is_ok());
        assert!(dns_subdomain("Allow").is_err());
        assert!(dns_subdomain("a..b").is_err());
        assert!(dns_subdomain("-a").is_err());
    }
}

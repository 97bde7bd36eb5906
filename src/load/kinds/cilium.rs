//! Cilium kinds (`cilium.io`): CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
//! (`cilium.io/v2`; `pkg/policy/api` `rule.go`, `ingress.go`, `egress.go`, `l4.go`,
//! `cidr.go`, `fqdn.go`, `service.go`, `icmp.go`, `http.go`, `l7.go`, and Kafka's rule from
//! `cilium/proxy`), CiliumCIDRGroup (`cilium.io/v2alpha1` and `v2`). The group's other kinds
//! are ignored with the reason, but for a CiliumNodeConfig that changes how policy is
//! enforced, which is not evaluated (a warning).
//!
//! Read strictly, as the CRDs' schemas read them (kubectl validates strictly): an unknown
//! field is a problem with a suggestion, and so is a value of the wrong YAML type. Every
//! string field of these CRDs is declared a string, and the API server refuses a number or
//! a boolean there (`port: 80` must be written `port: "80"`). Values are kept as written;
//! what the API server or the agent would refuse beyond the shapes (a CIDR, an entity name,
//! a port out of range, two peer kinds in one rule...) is left to `model::cilium::validate`.

use super::{Decoded, LoadOptions, meta, network_policy};
use crate::base::span::{Span, Spanned};
use crate::load::decode::{Decoder, N};
use crate::model::Object;
use crate::model::cilium::{
    CidrGroup, CidrRule, CiliumKind, CiliumObject, CiliumPolicy, CiliumRule, FqdnSelector,
    IcmpRule, L7Rule, PeerRule, PortProtocol, PortRule, ServiceRef,
};
use crate::model::labels::LabelSelector;

/// The apiVersions of CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy.
pub const POLICY_VERSIONS: [&str; 1] = ["cilium.io/v2"];

/// The apiVersions of CiliumCIDRGroup.
pub const CIDR_GROUP_VERSIONS: [&str; 2] = ["cilium.io/v2alpha1", "cilium.io/v2"];

/// The keys of a CiliumNodeConfig's `defaults` that change what is allowed on its nodes.
pub const POLICY_CONFIG_KEYS: [&str; 3] = [
    "enable-policy",
    "policy-audit-mode",
    "enable-non-default-deny-policies",
];

/// Decodes an object of the `cilium.io` group, dispatching on `kind`.
pub fn decode(d: &mut Decoder, api_version: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    match kind {
        "CiliumNetworkPolicy" => policy(d, CiliumKind::NetworkPolicy, api_version, opts),
        "CiliumClusterwideNetworkPolicy" => {
            policy(d, CiliumKind::ClusterwideNetworkPolicy, api_version, opts)
        }
        "CiliumCIDRGroup" => cidr_group(d, api_version),
        "CiliumNodeConfig" => node_config(d),
        _ => Decoded::Ignored(ignored_reason(kind)),
    }
}

/// Why a `cilium.io` kind other than the policies, CIDR groups and node configs is ignored.
pub fn ignored_reason(kind: &str) -> String {
    let why = match kind {
        "CiliumEndpoint" | "CiliumEndpointSlice" | "CiliumIdentity" | "CiliumNode" => {
            "is runtime state that Cilium's agent and operator maintain; the simulation derives endpoints, identities and nodes from the workloads and Nodes of the input"
        }
        "CiliumEgressGatewayPolicy" | "CiliumEgressNATPolicy" => {
            "sends egress traffic out through gateway nodes with a fixed source address: it changes routing, not what is allowed"
        }
        "CiliumLocalRedirectPolicy" => {
            "redirects traffic for an address or a Service to backends on the same node: it changes routing, not what is allowed"
        }
        "CiliumEnvoyConfig" | "CiliumClusterwideEnvoyConfig" => {
            "configures Envoy listeners that traffic is proxied through: it changes proxying, not what network policy allows (the filters of those listeners are not evaluated)"
        }
        "CiliumBGPPeeringPolicy"
        | "CiliumBGPClusterConfig"
        | "CiliumBGPPeerConfig"
        | "CiliumBGPAdvertisement"
        | "CiliumBGPNodeConfig"
        | "CiliumBGPNodeConfigOverride" => {
            "configures BGP: it changes routing, not what is allowed"
        }
        "CiliumL2AnnouncementPolicy" => {
            "announces Service addresses on the local network (ARP, NDP): it changes routing, not what is allowed"
        }
        "CiliumLoadBalancerIPPool" | "CiliumPodIPPool" => {
            "manages IP addresses: it changes which addresses are assigned, not what is allowed"
        }
        "CiliumGatewayClassConfig" => {
            "configures Gateway API proxies: it changes proxying, not what is allowed"
        }
        _ => return format!("kind {kind} of cilium.io does not take part in network policy"),
    };
    format!("{kind} {why}")
}

/// Whether the apiVersion is one of `versions`; a problem on the apiVersion otherwise.
fn known_version(d: &mut Decoder, kind: &str, api_version: &str, versions: &[&str]) -> bool {
    if versions.contains(&api_version) {
        return true;
    }
    let obj = d.object();
    let at = obj.get("apiVersion").unwrap_or(obj);
    let served = match versions {
        [one] => format!("only as {one}"),
        _ => format!("as {}", versions.join(" and ")),
    };
    d.error(
        at,
        format_args!("{kind} has no apiVersion `{api_version}`: the API server serves it {served}"),
    );
    false
}

/// The top-level fields of a CNP or CCNP.
const POLICY_OBJECT_FIELDS: [&str; 6] =
    ["apiVersion", "kind", "metadata", "spec", "specs", "status"];

/// The fields of a rule (`api.Rule`).
const RULE_FIELDS: [&str; 10] = [
    "endpointSelector",
    "nodeSelector",
    "ingress",
    "ingressDeny",
    "egress",
    "egressDeny",
    "labels",
    "enableDefaultDeny",
    "description",
    "log",
];

/// The fields of an ingress rule (`api.IngressRule`); an IngressDenyRule has them all but
/// `authentication`, and its `toPorts` are PortDenyRules.
const INGRESS_FIELDS: [&str; 10] = [
    "fromEndpoints",
    "fromRequires",
    "fromCIDR",
    "fromCIDRSet",
    "fromEntities",
    "fromGroups",
    "fromNodes",
    "toPorts",
    "icmps",
    "authentication",
];

/// The fields of an egress rule (`api.EgressRule`); an EgressDenyRule has them all but
/// `toFQDNs` and `authentication`, and its `toPorts` are PortDenyRules.
const EGRESS_FIELDS: [&str; 12] = [
    "toEndpoints",
    "toRequires",
    "toCIDR",
    "toCIDRSet",
    "toEntities",
    "toServices",
    "toGroups",
    "toNodes",
    "toPorts",
    "icmps",
    "toFQDNs",
    "authentication",
];

/// The fields of an item of `toPorts` (`api.PortRule`); a PortDenyRule has `ports` only.
const PORT_RULE_FIELDS: [&str; 6] = [
    "ports",
    "terminatingTLS",
    "originatingTLS",
    "serverNames",
    "listener",
    "rules",
];

/// The rule lists of a rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Ingress,
    IngressDeny,
    Egress,
    EgressDeny,
}

impl Section {
    const ALL: [Section; 4] = [
        Section::Ingress,
        Section::IngressDeny,
        Section::Egress,
        Section::EgressDeny,
    ];

    fn field(self) -> &'static str {
        match self {
            Section::Ingress => "ingress",
            Section::IngressDeny => "ingressDeny",
            Section::Egress => "egress",
            Section::EgressDeny => "egressDeny",
        }
    }

    fn deny(self) -> bool {
        matches!(self, Section::IngressDeny | Section::EgressDeny)
    }

    fn ingress(self) -> bool {
        matches!(self, Section::Ingress | Section::IngressDeny)
    }

    /// `from` or `to`: how the peer fields are named.
    fn prefix(self) -> &'static str {
        if self.ingress() { "from" } else { "to" }
    }

    /// The fields of an item of the list.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Section::Ingress => &INGRESS_FIELDS,
            Section::IngressDeny => &INGRESS_FIELDS[..9],
            Section::Egress => &EGRESS_FIELDS,
            Section::EgressDeny => &EGRESS_FIELDS[..10],
        }
    }

    /// The message for an unknown field of an item, when there is more to say than a
    /// suggestion: a peer field of the other direction, or what a deny rule lacks.
    fn unknown_hint(self, key: &str) -> Option<String> {
        let field = self.field();
        let (own, other) = if self.ingress() {
            ("from", "to")
        } else {
            ("to", "from")
        };
        if let Some(rest) = key.strip_prefix(other)
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
            && key != "toPorts"
        {
            let mirror = format!("{own}{rest}");
            let hint = if self.fields().contains(&mirror.as_str()) {
                format!(" (did you mean `{mirror}`?)")
            } else {
                String::new()
            };
            return Some(format!(
                "unknown field `{key}`: {field} rules name their peers with `{own}…` fields{hint}"
            ));
        }
        match (self, key) {
            (Section::IngressDeny | Section::EgressDeny, "authentication") => Some(format!(
                "unknown field `{key}`: {field} rules have no authentication"
            )),
            (Section::EgressDeny, "toFQDNs") => Some(format!(
                "unknown field `{key}`: egressDeny rules cannot select DNS names (Cilium has no FQDN deny rules)"
            )),
            _ => None,
        }
    }
}

/// Decodes a CNP or a CCNP.
fn policy(d: &mut Decoder, kind: CiliumKind, api_version: &str, opts: &LoadOptions) -> Decoded {
    if !known_version(d, kind.as_str(), api_version, &POLICY_VERSIONS) {
        return Decoded::Broken;
    }
    let obj = d.object();
    d.unknown_fields(obj, &POLICY_OBJECT_FIELDS);
    let namespaced = kind == CiliumKind::NetworkPolicy;
    // A cluster-scoped object's namespace is ignored, as the API server ignores it.
    let default_ns = if namespaced {
        opts.default_namespace.as_str()
    } else {
        ""
    };
    let Some(m) = meta::read(d, default_ns) else {
        return Decoded::Broken;
    };
    let api_version = Spanned::new(
        api_version.to_string(),
        obj.get("apiVersion").map_or(obj.span(), |n| n.span()),
    );
    let spec = obj.get("spec");
    let list = obj.get("specs");
    if spec.is_none() && list.is_none() {
        d.error(
            obj,
            format_args!("a {} needs `spec` or `specs`", kind.as_str()),
        );
        return Decoded::Broken;
    }
    let mut specs = Vec::new();
    if let Some(s) = spec {
        specs.extend(rule(d, s, "spec".into()));
    }
    if let Some(l) = list {
        for (i, s) in d.list(l).into_iter().enumerate() {
            specs.extend(rule(d, s, format!("specs[{i}]")));
        }
    }
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Cilium(Box::new(CiliumObject::Policy(
        CiliumPolicy {
            kind,
            namespace: namespaced.then_some(m.namespace),
            name: m.name.value,
            span: obj.span(),
            name_span: meta::name_span(d),
            api_version,
            annotations: m.annotations,
            specs,
        },
    ))))
}

/// One rule: `spec` or an item of `specs`.
fn rule<'d>(d: &mut Decoder<'d>, n: N<'d>, label: String) -> Option<CiliumRule> {
    let n = d.map(n)?;
    d.unknown_fields(n, &RULE_FIELDS);
    let endpoint_selector = n
        .get("endpointSelector")
        .and_then(|s| network_policy::selector(d, s));
    let node_selector = n
        .get("nodeSelector")
        .and_then(|s| network_policy::selector(d, s));
    let [ingress, ingress_deny, egress, egress_deny] =
        Section::ALL.map(|section| peer_rules(d, n, section));
    let mut default_deny_ingress = None;
    let mut default_deny_egress = None;
    if let Some(dd) = n.get("enableDefaultDeny").and_then(|x| d.map(x)) {
        d.unknown_fields(dd, &["ingress", "egress"]);
        default_deny_ingress = bool_at(d, dd, "ingress");
        default_deny_egress = bool_at(d, dd, "egress");
    }
    let description = text_at(d, n, "description").map(|s| s.value);
    // Labels and the Hubble log value are for people: only their shape is checked.
    if let Some(labels) = n.get("labels") {
        for l in d.list(labels) {
            let Some(l) = d.map(l) else { continue };
            d.unknown_fields(l, &["key", "value", "source"]);
            if l.get("key").is_none() {
                d.missing(l, "key");
            }
            for key in ["key", "value", "source"] {
                text_at(d, l, key);
            }
        }
    }
    if let Some(log) = n.get("log").and_then(|x| d.map(x)) {
        d.unknown_fields(log, &["value"]);
        text_at(d, log, "value");
    }
    Some(CiliumRule {
        span: n.span(),
        label,
        endpoint_selector,
        node_selector,
        ingress,
        ingress_deny,
        egress,
        egress_deny,
        default_deny_ingress,
        default_deny_egress,
        description,
    })
}

/// A rule list (`ingress`, `ingressDeny`, `egress`, `egressDeny`): None when absent (or
/// null), the items otherwise, `[]` included.
fn peer_rules<'d>(d: &mut Decoder<'d>, rule: N<'d>, section: Section) -> Option<Vec<PeerRule>> {
    let list = rule.get(section.field())?;
    Some(
        d.list(list)
            .into_iter()
            .enumerate()
            .filter_map(|(index, n)| peer_rule(d, n, section, index))
            .collect(),
    )
}

/// One item of a rule list.
fn peer_rule<'d>(
    d: &mut Decoder<'d>,
    n: N<'d>,
    section: Section,
    index: usize,
) -> Option<PeerRule> {
    let n = d.map(n)?;
    let known = section.fields();
    for (key, k, _) in n.entries() {
        if !known.contains(&key) {
            let message = section
                .unknown_hint(key)
                .unwrap_or_else(|| Decoder::unknown_message(key, known));
            d.unknown_field(n, k, key, message);
        }
    }
    let p = section.prefix();
    let key = |suffix: &str| format!("{p}{suffix}");
    let mut r = PeerRule::empty(n.span(), index);
    r.endpoints = selectors_at(d, n, &key("Endpoints"));
    r.requires = selectors_at(d, n, &key("Requires"));
    r.cidr = strings_at(d, n, &key("CIDR"));
    r.cidr_set = list_at(d, n, &key("CIDRSet"), cidr_rule);
    r.entities = strings_at(d, n, &key("Entities"));
    r.nodes = selectors_at(d, n, &key("Nodes"));
    r.groups = groups_at(d, n, &key("Groups"));
    if !section.ingress() {
        r.services = list_at(d, n, "toServices", service);
    }
    if section == Section::Egress {
        r.fqdns = list_at(d, n, "toFQDNs", fqdn);
    }
    let deny = section.deny();
    r.to_ports = list_at(d, n, "toPorts", |d, i| port_rule(d, i, deny));
    r.icmps = list_at(d, n, "icmps", icmp_rule);
    if !deny && let Some(a) = n.get("authentication").and_then(|a| d.map(a)) {
        d.unknown_fields(a, &["mode"]);
        match a.get("mode") {
            Some(mode) => r.authentication = text(d, mode),
            None => d.missing(a, "mode"),
        }
    }
    Some(r)
}

/// `fromGroups` / `toGroups` (`api.Groups`: AWS security groups), checked for its shape
/// only: where its key is written.
fn groups_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Span> {
    let list = parent.get(key)?;
    for g in d.list(list) {
        let Some(g) = d.map(g) else { continue };
        d.unknown_fields(g, &["aws"]);
        let Some(aws) = g.get("aws").and_then(|a| d.map(a)) else {
            continue;
        };
        d.unknown_fields(
            aws,
            &[
                "labels",
                "region",
                "securityGroupsIds",
                "securityGroupsNames",
            ],
        );
        if let Some(l) = aws.get("labels") {
            d.string_map(l);
        }
        text_at(d, aws, "region");
        strings_at(d, aws, "securityGroupsIds");
        strings_at(d, aws, "securityGroupsNames");
    }
    Some(parent.key_span(key).unwrap_or(list.span()))
}

/// An item of `fromCIDRSet` / `toCIDRSet`.
fn cidr_rule<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<CidrRule> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["cidr", "cidrGroupRef", "cidrGroupSelector", "except"]);
    Some(CidrRule {
        span: n.span(),
        cidr: text_at(d, n, "cidr"),
        group_ref: text_at(d, n, "cidrGroupRef"),
        group_selector: n
            .get("cidrGroupSelector")
            .and_then(|s| network_policy::selector(d, s)),
        except: strings_at(d, n, "except").unwrap_or_default(),
    })
}

/// An item of `toServices`. When both `k8sServiceSelector` and `k8sService` are written,
/// Cilium matches with the selector alone (`serviceMatches`), and so does the result.
fn service<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<ServiceRef> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["k8sService", "k8sServiceSelector"]);
    let mut s = ServiceRef {
        span: n.span(),
        name: None,
        namespace: None,
        selector: None,
    };
    if let Some(k) = n.get("k8sService").and_then(|k| d.map(k)) {
        d.unknown_fields(k, &["serviceName", "namespace"]);
        s.name = text_at(d, k, "serviceName");
        s.namespace = text_at(d, k, "namespace");
    }
    if let Some(k) = n.get("k8sServiceSelector").and_then(|k| d.map(k)) {
        d.unknown_fields(k, &["selector", "namespace"]);
        s.selector = match k.get("selector") {
            Some(sel) => network_policy::selector(d, sel),
            None => {
                d.missing(k, "selector");
                None
            }
        };
        s.name = None;
        s.namespace = text_at(d, k, "namespace");
    }
    Some(s)
}

/// An item of `toFQDNs`.
fn fqdn<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<FqdnSelector> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["matchName", "matchPattern"]);
    Some(FqdnSelector {
        span: n.span(),
        match_name: text_at(d, n, "matchName"),
        match_pattern: text_at(d, n, "matchPattern"),
    })
}

/// An item of `toPorts`: a PortRule, or a PortDenyRule (`deny`: `ports` only).
fn port_rule<'d>(d: &mut Decoder<'d>, n: N<'d>, deny: bool) -> Option<PortRule> {
    let n = d.map(n)?;
    if deny {
        for (key, k, _) in n.entries() {
            if key == "ports" {
                continue;
            }
            let message = if PORT_RULE_FIELDS.contains(&key) {
                format!(
                    "unknown field `{key}`: the toPorts of a deny rule match ports only (a PortDenyRule has no layer-7 rules, TLS or listener)"
                )
            } else {
                Decoder::unknown_message(key, &["ports"])
            };
            d.unknown_field(n, k, key, message);
        }
    } else {
        d.unknown_fields(n, &PORT_RULE_FIELDS);
    }
    let ports = list_at(d, n, "ports", port_protocol).unwrap_or_default();
    let mut r = PortRule {
        span: n.span(),
        ports,
        l7: Vec::new(),
        server_names: Vec::new(),
        tls: None,
    };
    if deny {
        return Some(r);
    }
    r.server_names = strings_at(d, n, "serverNames").unwrap_or_default();
    for (key, k, v) in n.entries() {
        if v.is_null() {
            continue;
        }
        match key {
            "terminatingTLS" | "originatingTLS" => tls_context(d, v),
            "listener" => listener(d, v),
            _ => continue,
        }
        if r.tls.is_none() {
            r.tls = Some(Spanned::new(key.to_string(), k.span()));
        }
    }
    if let Some(rules) = n.get("rules") {
        r.l7 = l7_rules(d, rules);
    }
    Some(r)
}

/// An item of `ports`.
fn port_protocol<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<PortProtocol> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["port", "endPort", "protocol"]);
    Some(PortProtocol {
        span: n.span(),
        port: text_at(d, n, "port"),
        end_port: n.get("endPort").and_then(|e| d.int(e)),
        protocol: text_at(d, n, "protocol"),
    })
}

/// `terminatingTLS` / `originatingTLS` (`api.TLSContext`), checked for its shape only.
fn tls_context<'d>(d: &mut Decoder<'d>, n: N<'d>) {
    let Some(n) = d.map(n) else { return };
    d.unknown_fields(n, &["secret", "trustedCA", "certificate", "privateKey"]);
    match n.get("secret").and_then(|s| d.map(s)) {
        Some(s) => secret(d, s),
        None if n.get("secret").is_none() => d.missing(n, "secret"),
        None => {}
    }
    for key in ["trustedCA", "certificate", "privateKey"] {
        text_at(d, n, key);
    }
}

/// A reference to a Secret (`api.Secret`), checked for its shape only.
fn secret<'d>(d: &mut Decoder<'d>, n: N<'d>) {
    d.unknown_fields(n, &["namespace", "name"]);
    if n.get("name").is_none() {
        d.missing(n, "name");
    }
    text_at(d, n, "name");
    text_at(d, n, "namespace");
}

/// `listener` (`api.Listener`), checked for its shape only.
fn listener<'d>(d: &mut Decoder<'d>, n: N<'d>) {
    let Some(n) = d.map(n) else { return };
    d.unknown_fields(n, &["envoyConfig", "name", "priority"]);
    match n.get("envoyConfig") {
        Some(e) => {
            if let Some(e) = d.map(e) {
                d.unknown_fields(e, &["kind", "name"]);
                if e.get("name").is_none() {
                    d.missing(e, "name");
                }
                text_at(d, e, "kind");
                text_at(d, e, "name");
            }
        }
        None => d.missing(n, "envoyConfig"),
    }
    if n.get("name").is_none() {
        d.missing(n, "name");
    }
    text_at(d, n, "name");
    if let Some(p) = n.get("priority") {
        d.int(p);
    }
}

/// `rules` (`api.L7Rules`): one [`L7Rule`] per protocol with rules, in the order `http`,
/// `kafka`, `dns`, `l7proto`. An empty list (`http: []`) enforces nothing and is left out;
/// `l7proto` names the parser traffic is redirected to, so it is kept even without `l7`.
fn l7_rules<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Vec<L7Rule> {
    let Some(n) = d.map(n) else {
        return Vec::new();
    };
    d.unknown_fields(n, &["http", "kafka", "dns", "l7proto", "l7"]);
    let mut out = Vec::new();
    type Item<'d> = fn(&mut Decoder<'d>, N<'d>) -> Option<String>;
    let kinds: [(&str, Item<'d>); 3] = [
        ("http", http_item),
        ("kafka", kafka_item),
        ("dns", dns_item),
    ];
    for (protocol, item) in kinds {
        let Some(list) = n.get(protocol) else {
            continue;
        };
        let nodes = d.list(list);
        if nodes.is_empty() {
            continue;
        }
        let items = nodes.into_iter().filter_map(|i| item(d, i)).collect();
        out.push(L7Rule {
            span: list.span(),
            protocol: protocol.into(),
            items,
        });
    }
    let proto = text_at(d, n, "l7proto");
    // Each item of `l7` is a map of strings (`api.PortRuleL7`).
    let rules = n.get("l7").map(|list| {
        let items = d.list(list);
        for i in &items {
            d.string_map(*i);
        }
        (list, items.len())
    });
    let count = rules.map_or(0, |(_, c)| c);
    let plural = if count == 1 { "" } else { "s" };
    match (proto, rules) {
        (Some(p), _) => out.push(L7Rule {
            span: rules.map_or(p.span, |(l, _)| l.span()),
            items: vec![format!("{} ({count} key-value rule{plural})", p.value)],
            protocol: p.value,
        }),
        (None, Some((list, count))) if count > 0 => out.push(L7Rule {
            span: list.span(),
            protocol: "l7".into(),
            items: vec![format!("{count} key-value rule{plural} without `l7proto`")],
        }),
        _ => {}
    }
    out
}

/// An item of `rules.http` (`api.PortRuleHTTP`): `GET /path host=x header=y`.
fn http_item<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<String> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["path", "method", "host", "headers", "headerMatches"]);
    let value = |s: Option<Spanned<String>>| s.map(|s| s.value).filter(|s| !s.is_empty());
    let mut parts = Vec::new();
    parts.extend(value(text_at(d, n, "method")));
    parts.extend(value(text_at(d, n, "path")));
    if let Some(h) = value(text_at(d, n, "host")) {
        parts.push(format!("host={h}"));
    }
    for h in strings_at(d, n, "headers").unwrap_or_default() {
        parts.push(format!("header={}", h.value));
    }
    for h in list_at(d, n, "headerMatches", header_match).unwrap_or_default() {
        parts.push(h);
    }
    Some(if parts.is_empty() {
        "any request".into()
    } else {
        parts.join(" ")
    })
}

/// An item of `headerMatches` (`api.HeaderMatch`): `header=name:value`.
fn header_match<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<String> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["name", "value", "secret", "mismatch"]);
    let name = match n.get("name") {
        Some(x) => text(d, x).map(|s| s.value),
        None => {
            d.missing(n, "name");
            None
        }
    };
    let value = text_at(d, n, "value").map(|s| s.value);
    let from_secret = n.get("secret").and_then(|s| d.map(s));
    if let Some(s) = from_secret {
        secret(d, s);
    }
    let mismatch = text_at(d, n, "mismatch").map(|s| s.value);
    let mut out = format!("header={}", name?);
    if let Some(v) = value {
        out.push(':');
        out.push_str(&v);
    } else if from_secret.is_some() {
        out.push_str(":<secret>");
    }
    if let Some(m) = mismatch {
        out.push_str(&format!(" (mismatch: {m})"));
    }
    Some(out)
}

/// An item of `rules.kafka` (`kafka.PortRule`): `produce topic=orders`.
fn kafka_item<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<String> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["role", "apiKey", "apiVersion", "clientID", "topic"]);
    let mut get = |key: &str| {
        text_at(d, n, key)
            .map(|s| s.value)
            .filter(|s| !s.is_empty())
    };
    let (role, api_key, api_version, client_id, topic) = (
        get("role"),
        get("apiKey"),
        get("apiVersion"),
        get("clientID"),
        get("topic"),
    );
    let what: Vec<String> = role.into_iter().chain(api_key).collect();
    let mut out = if what.is_empty() {
        "any request".to_string()
    } else {
        what.join("/")
    };
    for (key, v) in [
        ("topic", topic),
        ("apiVersion", api_version),
        ("clientID", client_id),
    ] {
        if let Some(v) = v {
            out.push_str(&format!(" {key}={v}"));
        }
    }
    Some(out)
}

/// An item of `rules.dns` (`api.PortRuleDNS`): `matchName x` / `matchPattern *.x`.
fn dns_item<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<String> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["matchName", "matchPattern"]);
    let parts: Vec<String> = ["matchName", "matchPattern"]
        .into_iter()
        .filter_map(|key| text_at(d, n, key).map(|v| format!("{key} {}", v.value)))
        .collect();
    Some(if parts.is_empty() {
        "no name".into()
    } else {
        parts.join(" ")
    })
}

/// An item of `icmps`: its `fields`, as `IPv4 8` (the family defaults to IPv4, as the CRD
/// defaults it).
fn icmp_rule<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<IcmpRule> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["fields"]);
    Some(IcmpRule {
        span: n.span(),
        fields: list_at(d, n, "fields", icmp_field).unwrap_or_default(),
    })
}

/// An item of `fields` (`api.ICMPField`).
fn icmp_field<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<String> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["family", "type"]);
    let family = text_at(d, n, "family").map_or_else(|| "IPv4".to_string(), |f| f.value);
    let Some(t) = n.get("type") else {
        d.missing(n, "type");
        return None;
    };
    // An int-or-string: a number or a name, not a boolean.
    let is_bool = t.is_number_or_bool() && t.scalar().is_some_and(|s| s.parse::<f64>().is_err());
    match t.scalar() {
        Some(s) if !is_bool => Some(format!("{family} {s}")),
        _ => {
            d.error(
                t,
                format_args!(
                    "expected an ICMP type number or name, found {}",
                    t.describe()
                ),
            );
            None
        }
    }
}

/// Decodes a CiliumCIDRGroup.
fn cidr_group(d: &mut Decoder, api_version: &str) -> Decoded {
    if !known_version(d, "CiliumCIDRGroup", api_version, &CIDR_GROUP_VERSIONS) {
        return Decoded::Broken;
    }
    let obj = d.object();
    d.unknown_fields(obj, &["apiVersion", "kind", "metadata", "spec"]);
    // Cluster-scoped: a namespace in the metadata is ignored.
    let Some(m) = meta::read(d, "") else {
        return Decoded::Broken;
    };
    let Some(spec) = obj.get("spec") else {
        d.missing(obj, "spec");
        return Decoded::Broken;
    };
    let Some(spec) = d.map(spec) else {
        return Decoded::Broken;
    };
    d.unknown_fields(spec, &["externalCIDRs"]);
    let cidrs = strings_at(d, spec, "externalCIDRs");
    if cidrs.is_none() {
        d.missing(spec, "externalCIDRs");
    }
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Cilium(Box::new(CiliumObject::CidrGroup(
        CidrGroup {
            name: m.name.value,
            labels: m.labels,
            span: obj.span(),
            cidrs: cidrs.unwrap_or_default(),
        },
    ))))
}

/// A CiliumNodeConfig: agent configuration for the nodes it selects. Not evaluated when it
/// sets a key that changes what is allowed there; ignored otherwise. Read leniently: its
/// shape is not this tool's concern.
fn node_config(d: &mut Decoder) -> Decoded {
    let keys: Vec<String> = d
        .object()
        .get("spec")
        .and_then(|s| s.get("defaults"))
        .map(|m| {
            m.entries()
                .map(|(k, _, _)| k)
                .filter(|k| POLICY_CONFIG_KEYS.contains(k))
                .map(|k| format!("`{k}`"))
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        return Decoded::Ignored(
            "CiliumNodeConfig sets agent options for some nodes, none of which changes what policy allows"
                .into(),
        );
    }
    Decoded::NotEvaluated(format!(
        "it sets {} for the nodes it selects, which changes how policy is enforced there; every node is simulated with the same enforcement (--cilium-policy-enforcement)",
        keys.join(", ")
    ))
}

/// A string field: a scalar that YAML does not read as a number or a boolean, as the CRDs
/// declare every such field a string and the API server refuses `port: 80` (it wants
/// `port: "80"`).
fn text<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Spanned<String>> {
    if n.is_number_or_bool() {
        let s = n.scalar().unwrap_or_default();
        let what = if s.parse::<f64>().is_ok() {
            "number"
        } else {
            "boolean"
        };
        d.error(
            n,
            format_args!(
                "expected a string, found {s}, which YAML reads as a {what}; the API server refuses it (quote it: \"{s}\")"
            ),
        );
        return None;
    }
    d.string(n)
}

/// The string at `key` of a mapping, if present.
fn text_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Spanned<String>> {
    let n = parent.get(key)?;
    text(d, n)
}

/// The list of strings at `key` of a mapping: None when absent.
fn strings_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Vec<Spanned<String>>> {
    list_at(d, parent, key, text)
}

/// The list of label selectors at `key` of a mapping: None when absent.
fn selectors_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Vec<LabelSelector>> {
    list_at(d, parent, key, network_policy::selector)
}

/// The list at `key` of a mapping, each item read by `item`: None when absent (or null).
fn list_at<'d, T>(
    d: &mut Decoder<'d>,
    parent: N<'d>,
    key: &str,
    mut item: impl FnMut(&mut Decoder<'d>, N<'d>) -> Option<T>,
) -> Option<Vec<T>> {
    let n = parent.get(key)?;
    Some(d.list(n).into_iter().filter_map(|i| item(d, i)).collect())
}

/// The boolean at `key` of a mapping, with its span, if present.
fn bool_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Spanned<bool>> {
    let n = parent.get(key)?;
    d.bool(n).map(|b| Spanned::new(b, n.span()))
}

#[cfg(test)]
mod tests {
    use super::POLICY_CONFIG_KEYS;
    use crate::base::span::Span;
    use crate::load::{LoadOptions, Loaded, Outcome, load_texts};
    use crate::model::Object;
    use crate::model::cilium::{CidrGroup, CiliumKind, CiliumObject, CiliumPolicy, PeerRule};

    fn load(text: &str) -> Loaded {
        load_texts(&[("t.yaml", text)], &LoadOptions::default())
    }

    /// The Cilium objects of a text, which must load without problems.
    fn objects(text: &str) -> Vec<CiliumObject> {
        let l = load(text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.objects
            .into_iter()
            .map(|o| match o {
                Object::Cilium(c) => *c,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// The one policy of a text, which must load without problems.
    fn policy(text: &str) -> CiliumPolicy {
        match objects(text).as_slice() {
            [CiliumObject::Policy(p)] => p.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn group(text: &str) -> CidrGroup {
        match objects(text).as_slice() {
            [CiliumObject::CidrGroup(g)] => g.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// The problems of a text whose one object must be left out: (path, message).
    fn problems(text: &str) -> Vec<(String, String)> {
        let l = load(text);
        assert!(l.objects.is_empty(), "{:?}", l.objects);
        assert_eq!(l.inventory[0].outcome, Outcome::Broken);
        l.problems
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect()
    }

    fn paths(problems: &[(String, String)]) -> Vec<&str> {
        problems.iter().map(|(p, _)| p.as_str()).collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    fn values(list: &Option<Vec<crate::base::span::Spanned<String>>>) -> Vec<&str> {
        list.as_ref()
            .expect("present")
            .iter()
            .map(|s| s.value.as_str())
            .collect()
    }

    const FULL: &str = r#"apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
  annotations: {owner: team-a}
spec:
  description: the api
  endpointSelector:
    matchLabels: {app: api}
  enableDefaultDeny: {ingress: true, egress: false}
  labels: [{key: team, value: a, source: k8s}]
  log: {value: api-policy}
  ingress:
  - fromEndpoints:
    - matchLabels: {"k8s:app": web, any:tier: front}
    - {}
    fromRequires:
    - matchLabels: {env: prod}
    fromCIDR: [10.0.0.0/8]
    fromCIDRSet:
    - cidr: 192.168.0.0/16
      except: [192.168.1.0/24]
    - cidrGroupRef: office
    - cidrGroupSelector:
        matchLabels: {zone: eu}
    fromEntities: [world, host]
    fromNodes:
    - matchLabels: {"node-role.kubernetes.io/control-plane": ""}
    fromGroups:
    - aws:
        securityGroupsIds: [sg-1]
        region: eu-west-1
    authentication: {mode: required}
  ingressDeny:
  - fromEntities: [world]
    toPorts:
    - ports: [{port: "22", protocol: TCP}]
  - icmps:
    - fields: [{type: 8}]
  egress:
  - toServices:
    - k8sService: {serviceName: db, namespace: data}
    - k8sServiceSelector:
        selector: {matchLabels: {tier: cache}}
        namespace: data
    - k8sService: {serviceName: ignored}
      k8sServiceSelector:
        selector: {}
    toFQDNs:
    - matchName: api.example.com
    - matchPattern: "*.example.com"
    toEndpoints: [{}]
    toRequires: [{matchLabels: {env: prod}}]
    toCIDR: [1.2.3.4/32]
    toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]
    toEntities: [kube-apiserver]
    toNodes: [{}]
    toGroups: [{aws: {securityGroupsNames: [web]}}]
  egressDeny:
  - toCIDR: [169.254.169.254/32]
    toServices: [{k8sService: {serviceName: metadata}}]
specs:
- endpointSelector:
    matchExpressions: [{key: "k8s:io.kubernetes.pod.namespace", operator: In, values: [shop]}]
  egress: []
- nodeSelector:
    matchLabels: {role: edge}
  ingress: [{}]
"#;

    #[test]
    fn a_policy_decodes_spec_then_specs() {
        let p = policy(FULL);
        assert_eq!(p.kind, CiliumKind::NetworkPolicy);
        assert_eq!(p.id(), "CiliumNetworkPolicy shop/api");
        assert_eq!(slice(FULL, p.name_span), "api");
        assert_eq!(p.api_version.value, "cilium.io/v2");
        assert_eq!(slice(FULL, p.api_version.span), "cilium.io/v2");
        assert_eq!(p.annotations.get("owner"), Some("team-a"));
        let labels: Vec<&str> = p.specs.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["spec", "specs[0]", "specs[1]"]);

        let r = &p.specs[0];
        assert_eq!(r.description.as_deref(), Some("the api"));
        let sel = r.endpoint_selector.as_ref().unwrap();
        assert_eq!(sel.match_labels[0].0.value, "app");
        assert!(r.node_selector.is_none());
        assert!(r.default_deny_ingress.as_ref().unwrap().value);
        assert!(!r.default_deny_egress.as_ref().unwrap().value);
        assert_eq!(r.ingress.as_ref().unwrap().len(), 1);
        assert_eq!(r.ingress_deny.as_ref().unwrap().len(), 2);
        assert_eq!(r.egress.as_ref().unwrap().len(), 1);
        assert_eq!(r.egress_deny.as_ref().unwrap().len(), 1);

        let r = &p.specs[1];
        let sel = r.endpoint_selector.as_ref().unwrap();
        assert_eq!(
            sel.match_expressions[0].key.value,
            "k8s:io.kubernetes.pod.namespace"
        );
        assert_eq!(r.egress.as_deref(), Some(&[][..]));
        assert!(r.ingress.is_none() && r.description.is_none());
        assert!(r.default_deny_ingress.is_none() && r.default_deny_egress.is_none());

        let r = &p.specs[2];
        assert!(r.endpoint_selector.is_none());
        let node = r.node_selector.as_ref().unwrap();
        assert_eq!(node.match_labels[0].1.value, "edge");
        let ingress = r.ingress.as_ref().unwrap();
        assert_eq!(ingress.len(), 1);
        assert_eq!(ingress[0], PeerRule::empty(ingress[0].span, 0));
    }

    #[test]
    fn every_peer_field_decodes() {
        let p = policy(FULL);
        let r = &p.specs[0];
        let i = &r.ingress.as_ref().unwrap()[0];
        assert_eq!(i.index, 0);
        let endpoints = i.endpoints.as_ref().unwrap();
        assert_eq!(endpoints.len(), 2);
        // Keys keep their source prefix as written.
        let keys: Vec<&str> = endpoints[0]
            .match_labels
            .iter()
            .map(|(k, _)| k.value.as_str())
            .collect();
        assert_eq!(keys, ["k8s:app", "any:tier"]);
        assert!(endpoints[1].match_labels.is_empty());
        assert_eq!(i.requires.as_ref().unwrap().len(), 1);
        assert_eq!(values(&i.cidr), ["10.0.0.0/8"]);
        let set = i.cidr_set.as_ref().unwrap();
        assert_eq!(set[0].cidr.as_ref().unwrap().value, "192.168.0.0/16");
        assert_eq!(set[0].except[0].value, "192.168.1.0/24");
        assert!(set[0].group_ref.is_none() && set[0].group_selector.is_none());
        assert_eq!(set[1].group_ref.as_ref().unwrap().value, "office");
        assert!(set[1].cidr.is_none() && set[1].except.is_empty());
        let gs = set[2].group_selector.as_ref().unwrap();
        assert_eq!(gs.match_labels[0].0.value, "zone");
        assert_eq!(values(&i.entities), ["world", "host"]);
        assert_eq!(i.nodes.as_ref().unwrap().len(), 1);
        assert_eq!(slice(FULL, i.groups.unwrap()), "fromGroups");
        assert_eq!(i.authentication.as_ref().unwrap().value, "required");
        assert!(i.services.is_none() && i.fqdns.is_none());
        assert!(i.to_ports.is_none() && i.icmps.is_none());
        assert!(i.has_l3());

        let deny = r.ingress_deny.as_ref().unwrap();
        assert_eq!(values(&deny[0].entities), ["world"]);
        let ports = &deny[0].to_ports.as_ref().unwrap()[0];
        assert_eq!(ports.ports[0].port.as_ref().unwrap().value, "22");
        assert_eq!(ports.ports[0].protocol.as_ref().unwrap().value, "TCP");
        assert!(ports.l7.is_empty() && ports.tls.is_none());
        assert_eq!(deny[1].index, 1);
        assert_eq!(deny[1].icmps.as_ref().unwrap()[0].fields, ["IPv4 8"]);
        assert!(!deny[1].has_l3());

        let e = &r.egress.as_ref().unwrap()[0];
        let services = e.services.as_ref().unwrap();
        assert_eq!(services[0].name.as_ref().unwrap().value, "db");
        assert_eq!(services[0].namespace.as_ref().unwrap().value, "data");
        assert!(services[0].selector.is_none());
        assert!(services[1].name.is_none());
        assert_eq!(services[1].namespace.as_ref().unwrap().value, "data");
        let sel = services[1].selector.as_ref().unwrap();
        assert_eq!(sel.match_labels[0].1.value, "cache");
        // With both, Cilium matches with the selector alone.
        assert!(services[2].name.is_none() && services[2].namespace.is_none());
        assert!(services[2].selector.is_some());
        let fqdns = e.fqdns.as_ref().unwrap();
        assert_eq!(
            fqdns[0].match_name.as_ref().unwrap().value,
            "api.example.com"
        );
        assert!(fqdns[0].match_pattern.is_none());
        assert_eq!(
            fqdns[1].match_pattern.as_ref().unwrap().value,
            "*.example.com"
        );
        assert_eq!(e.endpoints.as_ref().unwrap().len(), 1);
        assert_eq!(e.requires.as_ref().unwrap().len(), 1);
        assert_eq!(values(&e.cidr), ["1.2.3.4/32"]);
        assert_eq!(e.cidr_set.as_ref().unwrap()[0].except.len(), 1);
        assert_eq!(values(&e.entities), ["kube-apiserver"]);
        assert_eq!(e.nodes.as_ref().unwrap().len(), 1);
        assert_eq!(slice(FULL, e.groups.unwrap()), "toGroups");
        assert!(e.authentication.is_none());

        let ed = &r.egress_deny.as_ref().unwrap()[0];
        assert_eq!(values(&ed.cidr), ["169.254.169.254/32"]);
        let svc = &ed.services.as_ref().unwrap()[0];
        assert_eq!(svc.name.as_ref().unwrap().value, "metadata");
        assert!(svc.namespace.is_none());
    }

    const L7: &str = r#"apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7}
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      - port: http
      - port: "8000"
        endPort: 8080
      - protocol: VRRP
      rules:
        http:
        - method: GET
          path: /public
        - method: POST
          path: /api
          host: api.example.com
          headers: ["X-Token: yes"]
          headerMatches:
          - name: X-Env
            value: prod
          - name: X-Key
            secret: {name: key}
            mismatch: LOG
        - {}
    - ports: [{port: "9092"}]
      rules:
        kafka:
        - role: produce
          topic: orders
        - apiKey: fetch
          topic: logs
          clientID: c1
        - {}
    - ports: [{port: "4000"}]
      rules:
        l7proto: envoy.filters.network.foo
        l7:
        - {action: allow}
        - {}
    - ports: [{port: "443"}]
      serverNames: [a.example.com]
      terminatingTLS:
        secret: {name: tls}
      originatingTLS:
        secret: {name: ca, namespace: x}
        trustedCA: ca.crt
    - ports: [{port: "8443"}]
      listener:
        envoyConfig: {kind: CiliumEnvoyConfig, name: cec}
        name: l1
        priority: 5
      rules:
        http: []
    - rules:
        l7proto: myproto
  - icmps:
    - fields:
      - type: 8
      - {family: IPv6, type: EchoRequest}
      - {type: "0"}
  egress:
  - toPorts:
    - ports: [{port: "53", protocol: ANY}]
      rules:
        dns:
        - matchName: example.com
        - matchPattern: "*.example.com"
    authentication: {mode: disabled}
"#;

    #[test]
    fn to_ports_keep_their_ports_and_summarise_layer_7_rules() {
        let p = policy(L7);
        let r = &p.specs[0];
        let i = &r.ingress.as_ref().unwrap()[0];
        assert!(!i.has_l3());
        let tp = i.to_ports.as_ref().unwrap();
        assert_eq!(tp.len(), 6);

        let ports = &tp[0].ports;
        assert_eq!(ports.len(), 4);
        assert_eq!(ports[0].port.as_ref().unwrap().value, "80");
        assert_eq!(slice(L7, ports[0].port.as_ref().unwrap().span), "\"80\"");
        assert_eq!(ports[1].port.as_ref().unwrap().value, "http");
        assert!(ports[1].protocol.is_none() && ports[1].end_port.is_none());
        assert_eq!(ports[2].end_port.as_ref().unwrap().value, 8080);
        assert!(ports[3].port.is_none());
        assert_eq!(ports[3].protocol.as_ref().unwrap().value, "VRRP");
        let l7 = &tp[0].l7;
        assert_eq!(l7.len(), 1);
        assert_eq!(l7[0].protocol, "http");
        assert!(slice(L7, l7[0].span).contains("method: GET"));
        assert_eq!(
            l7[0].items,
            [
                "GET /public",
                "POST /api host=api.example.com header=X-Token: yes header=X-Env:prod header=X-Key:<secret> (mismatch: LOG)",
                "any request",
            ]
        );
        assert!(tp[0].tls.is_none() && tp[0].server_names.is_empty());

        assert_eq!(tp[1].l7[0].protocol, "kafka");
        assert_eq!(
            tp[1].l7[0].items,
            [
                "produce topic=orders",
                "fetch topic=logs clientID=c1",
                "any request"
            ]
        );

        assert_eq!(tp[2].l7[0].protocol, "envoy.filters.network.foo");
        assert_eq!(
            tp[2].l7[0].items,
            ["envoy.filters.network.foo (2 key-value rules)"]
        );

        assert_eq!(tp[3].server_names[0].value, "a.example.com");
        let tls = tp[3].tls.as_ref().unwrap();
        assert_eq!(tls.value, "terminatingTLS");
        assert_eq!(slice(L7, tls.span), "terminatingTLS");
        assert!(tp[3].l7.is_empty());

        // An empty rule list enforces nothing; the listener is kept.
        assert_eq!(tp[4].tls.as_ref().unwrap().value, "listener");
        assert!(tp[4].l7.is_empty());

        // An l7proto names a parser even without rules; no ports is every port.
        assert!(tp[5].ports.is_empty());
        assert_eq!(tp[5].l7[0].protocol, "myproto");
        assert_eq!(tp[5].l7[0].items, ["myproto (0 key-value rules)"]);
        assert_eq!(slice(L7, tp[5].l7[0].span), "myproto");

        let icmp = &r.ingress.as_ref().unwrap()[1].icmps.as_ref().unwrap()[0];
        assert_eq!(icmp.fields, ["IPv4 8", "IPv6 EchoRequest", "IPv4 0"]);

        let e = &r.egress.as_ref().unwrap()[0];
        let dns = &e.to_ports.as_ref().unwrap()[0].l7[0];
        assert_eq!(dns.protocol, "dns");
        assert_eq!(
            dns.items,
            ["matchName example.com", "matchPattern *.example.com"]
        );
        assert_eq!(e.authentication.as_ref().unwrap().value, "disabled");
    }

    #[test]
    fn a_clusterwide_policy_ignores_a_namespace() {
        let p = policy(
            "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: lockdown, namespace: ignored}\nspec:\n  nodeSelector: {matchLabels: {role: worker}}\n  ingress: [{fromEntities: [cluster]}]\n",
        );
        assert_eq!(p.kind, CiliumKind::ClusterwideNetworkPolicy);
        assert_eq!(p.namespace, None);
        assert_eq!(p.id(), "CiliumClusterwideNetworkPolicy lockdown");
        assert!(p.specs[0].node_selector.is_some());
        // A namespaced policy's namespace defaults as for every namespaced object.
        let p = policy(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\nspecs:\n- endpointSelector: {}\n  egress: [{toEntities: [world]}]\n",
        );
        assert_eq!(p.namespace.as_deref(), Some("default"));
        assert_eq!(p.specs.len(), 1);
        assert_eq!(p.specs[0].label, "specs[0]");
    }

    #[test]
    fn absent_empty_and_null_rule_lists_are_told_apart() {
        let p = policy(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\nspec:\n  endpointSelector: {}\n  ingress: []\n  ingressDeny: [{}]\n  egress:\n  egressDeny:\n  - toEndpoints: []\n",
        );
        let r = &p.specs[0];
        // `ingress: []` is present and empty; `[{}]` holds a rule with no field set.
        assert_eq!(r.ingress.as_deref(), Some(&[][..]));
        let deny = r.ingress_deny.as_ref().unwrap();
        assert_eq!(deny.len(), 1);
        assert_eq!(deny[0], PeerRule::empty(deny[0].span, 0));
        assert!(!deny[0].has_l3());
        // Null is absent, as the API server reads it.
        assert!(r.egress.is_none());
        assert!(r.allows(crate::model::Direction::Egress).is_none());
        // A peer list written empty is present.
        let ed = &r.egress_deny.as_ref().unwrap()[0];
        assert_eq!(ed.endpoints.as_deref(), Some(&[][..]));
    }

    #[test]
    fn cidr_groups_decode_in_both_versions() {
        for version in ["v2alpha1", "v2"] {
            let g = group(&format!(
                "apiVersion: cilium.io/{version}\nkind: CiliumCIDRGroup\nmetadata:\n  name: office\n  namespace: ignored\n  labels: {{zone: eu}}\nspec:\n  externalCIDRs: [192.0.2.0/24, \"2001:db8::/32\", not-a-cidr]\n"
            ));
            assert_eq!(g.name, "office");
            assert_eq!(g.labels.get("zone"), Some("eu"));
            let cidrs: Vec<&str> = g.cidrs.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(cidrs, ["192.0.2.0/24", "2001:db8::/32", "not-a-cidr"]);
        }
        let g = group(
            "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: none}\nspec: {externalCIDRs: []}\n",
        );
        assert!(g.cidrs.is_empty());
        let p = problems(
            "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec:\n  cidrs: [1.2.3.4/32]\nstatus: {}\n",
        );
        assert_eq!(
            paths(&p),
            ["spec.cidrs", "spec.externalCIDRs", "status"],
            "{p:?}"
        );
        assert!(p[1].1.contains("missing required field `externalCIDRs`"));
        let p = problems("apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\n");
        assert!(p[0].1.contains("missing required field `spec`"));
    }

    #[test]
    fn unknown_fields_are_problems_with_their_paths() {
        let p = problems(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: typo}\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoint: [{}]\n    toEndpoints: [{}]\n    toFQDNs: [{matchName: x}]\n  egres: []\nspecs:\n- egress:\n  - fromCIDR: [1.2.3.4/32]\n    toPorts:\n    - ports: [{port: \"80\", protcol: TCP}]\n      rules: {http: [{methd: GET}], grpc: []}\n  egressDeny:\n  - toFQDNs: [{matchName: x}]\n    authentication: {mode: required}\n  enableDefaultDeny: {ingres: true}\n",
        );
        assert_eq!(
            paths(&p),
            [
                "spec.ingress[0].fromEndpoint",
                "spec.ingress[0].toEndpoints",
                "spec.ingress[0].toFQDNs",
                "spec.egres",
                "specs[0].egress[0].fromCIDR",
                "specs[0].egress[0].toPorts[0].ports[0].protcol",
                "specs[0].egress[0].toPorts[0].rules.http[0].methd",
                "specs[0].egress[0].toPorts[0].rules.grpc",
                "specs[0].egressDeny[0].toFQDNs",
                "specs[0].egressDeny[0].authentication",
                "specs[0].enableDefaultDeny.ingres",
            ],
            "{p:?}"
        );
        assert!(
            p[0].1.contains("did you mean `fromEndpoints`"),
            "{}",
            p[0].1
        );
        assert_eq!(
            p[1].1,
            "unknown field `toEndpoints`: ingress rules name their peers with `from…` fields (did you mean `fromEndpoints`?)"
        );
        assert!(!p[2].1.contains("did you mean"), "{}", p[2].1);
        assert!(p[3].1.contains("did you mean `egress`"), "{}", p[3].1);
        assert!(p[4].1.contains("did you mean `toCIDR`"), "{}", p[4].1);
        assert!(p[5].1.contains("did you mean `protocol`"), "{}", p[5].1);
        assert!(p[6].1.contains("did you mean `method`"), "{}", p[6].1);
        assert!(p[8].1.contains("no FQDN deny rules"), "{}", p[8].1);
        assert!(p[9].1.contains("have no authentication"), "{}", p[9].1);
        assert!(p[10].1.contains("did you mean `ingress`"), "{}", p[10].1);
    }

    #[test]
    fn deny_rules_match_ports_only() {
        let p = problems(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: d}\nspec:\n  endpointSelector: {}\n  ingressDeny:\n  - toPorts:\n    - ports: [{port: \"80\"}]\n      rules: {http: [{method: GET}]}\n      serverNames: [x]\n      prts: []\n",
        );
        assert_eq!(
            paths(&p),
            [
                "spec.ingressDeny[0].toPorts[0].rules",
                "spec.ingressDeny[0].toPorts[0].serverNames",
                "spec.ingressDeny[0].toPorts[0].prts",
            ]
        );
        assert!(
            p[0].1.contains("a PortDenyRule has no layer-7 rules"),
            "{}",
            p[0].1
        );
        assert!(p[2].1.contains("did you mean `ports`"), "{}", p[2].1);
    }

    #[test]
    fn a_policy_of_another_api_version_is_an_error_on_the_api_version() {
        let text = "apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: old}\nspec: {endpointSelector: {}}\n";
        let l = load(text);
        assert!(l.objects.is_empty());
        assert_eq!(l.inventory[0].outcome, Outcome::Broken);
        assert_eq!(l.problems.len(), 1);
        assert_eq!(l.problems[0].path, "apiVersion");
        assert_eq!(slice(text, l.problems[0].span.unwrap()), "cilium.io/v1");
        assert_eq!(
            l.problems[0].message,
            "CiliumNetworkPolicy has no apiVersion `cilium.io/v1`: the API server serves it only as cilium.io/v2"
        );
        let p = problems(
            "apiVersion: cilium.io/v2alpha1\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec: {}\n",
        );
        assert!(p[0].1.contains("only as cilium.io/v2"), "{p:?}");
        let p = problems(
            "apiVersion: cilium.io/v1\nkind: CiliumCIDRGroup\nmetadata: {name: x}\nspec: {externalCIDRs: []}\n",
        );
        assert!(
            p[0].1
                .ends_with("serves it as cilium.io/v2alpha1 and cilium.io/v2"),
            "{p:?}"
        );
    }

    #[test]
    fn wrong_shapes_and_missing_fields_are_problems() {
        let p =
            problems("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\n");
        assert_eq!(
            p,
            [(
                String::new(),
                "a CiliumNetworkPolicy needs `spec` or `specs`".to_string()
            )]
        );
        let p = problems(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\nspec:\n  endpointSelector: {}\n  description: 2024\n  enableDefaultDeny: {ingress: maybe}\n  labels: [{value: x}]\n  ingress:\n  - fromEntities: world\n    toPorts:\n    - ports: [{port: 80, endPort: \"90\"}]\n      terminatingTLS: {trustedCA: ca}\n      listener: {name: l}\n    icmps: [{fields: [{family: IPv4}, {type: true}]}]\n    authentication: {}\n  egress:\n  - toServices: [{k8sServiceSelector: {namespace: x}}]\n    toCIDRSet: [{cidr: [1.2.3.4/32]}]\nspecs: {}\n",
        );
        assert_eq!(
            paths(&p),
            [
                "spec.description",
                "spec.enableDefaultDeny.ingress",
                "spec.labels[0].key",
                "spec.ingress[0].fromEntities",
                "spec.ingress[0].toPorts[0].ports[0].port",
                "spec.ingress[0].toPorts[0].ports[0].endPort",
                "spec.ingress[0].toPorts[0].terminatingTLS.secret",
                "spec.ingress[0].toPorts[0].listener.envoyConfig",
                "spec.ingress[0].icmps[0].fields[0].type",
                "spec.ingress[0].icmps[0].fields[1].type",
                "spec.ingress[0].authentication.mode",
                "spec.egress[0].toServices[0].k8sServiceSelector.selector",
                "spec.egress[0].toCIDRSet[0].cidr",
                "specs",
            ],
            "{p:?}"
        );
        assert!(p[0].1.contains("found 2024, which YAML reads as a number"));
        assert_eq!(
            p[4].1,
            "expected a string, found 80, which YAML reads as a number; the API server refuses it (quote it: \"80\")"
        );
        assert!(p[5].1.contains("expected an integer"), "{}", p[5].1);
        assert!(p[6].1.contains("missing required field `secret`"));
        assert!(p[9].1.contains("expected an ICMP type number or name"));
        assert!(p[10].1.contains("missing required field `mode`"));
        assert!(p[13].1.contains("expected a list"));
    }

    #[test]
    fn other_cilium_kinds_are_ignored_with_their_reason() {
        let kinds = [
            "CiliumEndpoint",
            "CiliumIdentity",
            "CiliumNode",
            "CiliumEgressGatewayPolicy",
            "CiliumLocalRedirectPolicy",
            "CiliumEnvoyConfig",
            "CiliumClusterwideEnvoyConfig",
            "CiliumBGPPeeringPolicy",
            "CiliumLoadBalancerIPPool",
            "CiliumFrobnicator",
        ];
        let text: String = kinds
            .iter()
            .map(|k| format!("apiVersion: cilium.io/v2\nkind: {k}\nmetadata: {{name: x}}\nspec: {{a: b}}\n---\n"))
            .collect();
        let l = load(&text);
        assert!(l.problems.is_empty() && l.objects.is_empty() && l.warnings.is_empty());
        let why: Vec<String> = l.inventory.iter().map(|e| e.outcome.to_string()).collect();
        assert_eq!(why.len(), kinds.len());
        assert!(
            why[0].starts_with("ignored: CiliumEndpoint is runtime state"),
            "{}",
            why[0]
        );
        assert!(
            why[3].contains("changes routing, not what is allowed"),
            "{}",
            why[3]
        );
        assert!(
            why[4].contains("changes routing, not what is allowed"),
            "{}",
            why[4]
        );
        assert!(
            why[5].contains("changes proxying, not what network policy allows"),
            "{}",
            why[5]
        );
        assert!(why[6].starts_with("ignored: CiliumClusterwideEnvoyConfig configures Envoy"));
        assert!(why[7].contains("BGP"));
        assert_eq!(
            why[9],
            "ignored: kind CiliumFrobnicator of cilium.io does not take part in network policy"
        );
    }

    #[test]
    fn a_node_config_that_changes_enforcement_is_not_evaluated() {
        let text = "apiVersion: cilium.io/v2\nkind: CiliumNodeConfig\nmetadata: {name: strict, namespace: kube-system}\nspec:\n  nodeSelector: {matchLabels: {pool: pci}}\n  defaults: {enable-policy: always, debug: \"true\"}\n---\napiVersion: cilium.io/v2alpha1\nkind: CiliumNodeConfig\nmetadata: {name: debug, namespace: kube-system}\nspec:\n  defaults: {debug: \"true\"}\n";
        let l = load(text);
        assert!(l.problems.is_empty() && l.objects.is_empty());
        assert!(
            matches!(&l.inventory[0].outcome, Outcome::NotEvaluated(why) if why.starts_with("it sets `enable-policy` for the nodes it selects"))
        );
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].message.starts_with(
            "CiliumNodeConfig kube-system/strict: not evaluated: it sets `enable-policy`"
        ));
        assert!(
            matches!(&l.inventory[1].outcome, Outcome::Ignored(why) if why.contains("none of which changes what policy allows"))
        );
        assert!(POLICY_CONFIG_KEYS.contains(&"policy-audit-mode"));
    }
}

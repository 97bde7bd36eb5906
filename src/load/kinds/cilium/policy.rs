//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (`api.Rule`, `rule.go`,
//! `ingress.go`, `egress.go`): the object, its rules (`spec` and the items of `specs`),
//! and their rule lists (`ingress`, `ingressDeny`, `egress`, `egressDeny`), whose items
//! name their peers with `from…` / `to…` fields. The peer fields are read in
//! `super::peers`, `toPorts` and `icmps` in `super::ports`.

use super::peers::{cidr_rule, fqdn, groups_at, service};
use super::ports::{icmp_rule, port_rule};
use super::{
    POLICY_VERSIONS, bool_at, known_version, list_at, selectors_at, strings_at, text, text_at,
};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::load::kinds::{Decoded, LoadOptions, meta, network_policy};
use crate::model::Object;
use crate::model::cilium::{CiliumKind, CiliumObject, CiliumPolicy, CiliumRule, PeerRule};

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
pub(super) fn decode(
    d: &mut Decoder,
    kind: CiliumKind,
    api_version: &str,
    opts: &LoadOptions,
) -> Decoded {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{FULL, policy, slice};
    use crate::model::cilium::{CiliumKind, PeerRule};

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
}

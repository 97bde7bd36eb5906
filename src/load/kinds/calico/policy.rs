//! Calico policies: NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy,
//! StagedGlobalNetworkPolicy (`api/pkg/apis/projectcalico/v3/policy_common.go` and each
//! kind's file), and StagedKubernetesNetworkPolicy, whose spec is a Kubernetes NetworkPolicy
//! spec plus `stagedAction`, read by the Kubernetes decoder.
//!
//! Protocols and ports are read as `numorstring` reads them: a string of digits is a
//! number (`"6"` is protocol 6, `"80"` port 80), `"min:max"` a port range, anything else a
//! name (or, for a port holding `:`, kept as invalid for validation to report).

use super::{OBJECT_FIELDS, bool_at, selector_at, spec, strings_at};
use crate::base::span::Spanned;
use crate::load::LoadOptions;
use crate::load::decode::{Decoder, N};
use crate::load::kinds::{Decoded, meta, network_policy};
use crate::model::calico::{
    CalicoKind, CalicoObject, CalicoPolicy, CalicoRule, EntityRule, Http, Icmp, PortValue,
    ProtocolValue, ServiceAccountMatch, ServiceMatch,
};
use crate::model::policy::PolicyApi;
use crate::model::{Direction, Object};

/// The spec fields of a NetworkPolicy (and of the other kinds, with [`GLOBAL_FIELDS`] and
/// `stagedAction`).
const POLICY_FIELDS: [&str; 8] = [
    "tier",
    "order",
    "selector",
    "serviceAccountSelector",
    "types",
    "ingress",
    "egress",
    "performanceHints",
];

/// The spec fields only the global kinds have.
const GLOBAL_FIELDS: [&str; 4] = [
    "namespaceSelector",
    "doNotTrack",
    "preDNAT",
    "applyOnForward",
];

/// The fields of a rule.
const RULE_FIELDS: [&str; 10] = [
    "action",
    "ipVersion",
    "protocol",
    "notProtocol",
    "icmp",
    "notICMP",
    "source",
    "destination",
    "http",
    "metadata",
];

/// The fields of an EntityRule (`source`, `destination`).
const ENTITY_FIELDS: [&str; 9] = [
    "nets",
    "notNets",
    "selector",
    "notSelector",
    "namespaceSelector",
    "ports",
    "notPorts",
    "serviceAccounts",
    "services",
];

/// Decodes a Calico policy of the given kind.
pub fn decode(d: &mut Decoder, kind: CalicoKind, api_version: &str, opts: &LoadOptions) -> Decoded {
    let obj = d.object();
    d.unknown_fields(obj, &OBJECT_FIELDS);
    let global = kind.is_global();
    // A cluster-scoped object's namespace is ignored, as the API server ignores it.
    let default_ns = if global {
        ""
    } else {
        opts.default_namespace.as_str()
    };
    let Some(m) = meta::read(d, default_ns) else {
        return Decoded::Broken;
    };
    let api_version = Spanned::new(
        api_version.to_string(),
        obj.get("apiVersion").map_or(obj.span(), |n| n.span()),
    );
    let Some(spec) = spec(d) else {
        return Decoded::Broken;
    };
    let mut p = CalicoPolicy {
        kind,
        namespace: (!global).then(|| m.namespace.clone()),
        name: m.name.value.clone(),
        span: obj.span(),
        name_span: meta::name_span(d),
        api_version: api_version.clone(),
        annotations: m.annotations.clone(),
        tier: None,
        order: None,
        selector: None,
        namespace_selector: None,
        service_account_selector: None,
        types: None,
        ingress: Vec::new(),
        egress: Vec::new(),
        do_not_track: None,
        pre_dnat: None,
        apply_on_forward: None,
        staged_action: None,
        staged_content: None,
        kubernetes: None,
    };
    if kind.is_staged() {
        p.staged_content = staged_content(spec, kind);
    }
    if kind == CalicoKind::StagedKubernetesNetworkPolicy {
        let np =
            network_policy::from_spec(d, spec, &["stagedAction"], &m, PolicyApi::V1, api_version);
        p.staged_action = spec.get("stagedAction").and_then(|n| d.string(n));
        let Some(np) = np else {
            return Decoded::Broken;
        };
        p.kubernetes = Some(Box::new(np));
    } else {
        let mut known = POLICY_FIELDS.to_vec();
        if global {
            known.extend(GLOBAL_FIELDS);
        }
        if kind.is_staged() {
            known.push("stagedAction");
        }
        d.unknown_fields(spec, &known);
        p.tier = spec.get("tier").and_then(|n| d.string(n));
        p.order = spec.get("order").and_then(|n| d.number(n));
        p.selector = selector_at(d, spec, "selector");
        p.service_account_selector = selector_at(d, spec, "serviceAccountSelector");
        p.types = spec.get("types").map(|t| {
            let items = d.list(t).into_iter().filter_map(|i| d.string(i)).collect();
            Spanned::new(items, t.span())
        });
        p.ingress = rules(d, spec, Direction::Ingress);
        p.egress = rules(d, spec, Direction::Egress);
        // Hints never change what a policy does: only their shape is checked.
        strings_at(d, spec, "performanceHints");
        if global {
            p.namespace_selector = selector_at(d, spec, "namespaceSelector");
            p.do_not_track = bool_at(d, spec, "doNotTrack");
            p.pre_dnat = bool_at(d, spec, "preDNAT");
            p.apply_on_forward = bool_at(d, spec, "applyOnForward");
        }
        if kind.is_staged() {
            p.staged_action = spec.get("stagedAction").and_then(|n| d.string(n));
        }
    }
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Calico(Box::new(CalicoObject::Policy(Box::new(p)))))
}

/// The first spec field of a staged policy, besides `stagedAction` (and `tier` but for a
/// StagedKubernetesNetworkPolicy), that is not a zero value: Calico's validator compares a
/// staged deletion's spec with the empty one (`validateStagedNetworkPolicy` and its global
/// and Kubernetes siblings in `libcalico-go/lib/validator/v3/validator.go`).
fn staged_content(spec: N, kind: CalicoKind) -> Option<Spanned<String>> {
    let zero = |n: N| {
        n.is_null()
            || (n.is_map() && n.entries().next().is_none())
            || (n.is_list() && n.items().next().is_none())
            || n.scalar() == Some("")
            || (n.scalar() == Some("false") && n.is_number_or_bool())
    };
    spec.entries()
        .filter(|(k, _, _)| {
            *k != "stagedAction"
                && (*k != "tier" || kind == CalicoKind::StagedKubernetesNetworkPolicy)
        })
        .find(|(_, _, v)| !zero(*v))
        .map(|(k, key, _)| Spanned::new(k.to_string(), key.span()))
}

fn rules<'d>(d: &mut Decoder<'d>, spec: N<'d>, dir: Direction) -> Vec<CalicoRule> {
    let Some(list) = spec.get(dir.field()) else {
        return Vec::new();
    };
    d.list(list)
        .into_iter()
        .enumerate()
        .filter_map(|(index, r)| rule(d, r, dir, index))
        .collect()
}

fn rule<'d>(
    d: &mut Decoder<'d>,
    r: N<'d>,
    direction: Direction,
    index: usize,
) -> Option<CalicoRule> {
    let r = d.map(r)?;
    d.unknown_fields(r, &RULE_FIELDS);
    let action = r.get("action").and_then(|n| d.string(n));
    let ip_version = r.get("ipVersion").and_then(|n| d.int(n));
    let protocol = r.get("protocol").and_then(|n| read_protocol(d, n));
    let not_protocol = r.get("notProtocol").and_then(|n| read_protocol(d, n));
    let icmp = r.get("icmp").and_then(|n| read_icmp(d, n));
    let not_icmp = r.get("notICMP").and_then(|n| read_icmp(d, n));
    let source = entity(d, r, "source");
    let destination = entity(d, r, "destination");
    let http = r.get("http").and_then(|n| http(d, n));
    // Rule metadata is for people: only its shape is checked.
    if let Some(md) = r.get("metadata").and_then(|n| d.map(n)) {
        d.unknown_fields(md, &["annotations"]);
        if let Some(a) = md.get("annotations") {
            d.string_map(a);
        }
    }
    Some(CalicoRule {
        span: r.span(),
        direction,
        index,
        action,
        ip_version,
        protocol,
        not_protocol,
        icmp,
        not_icmp,
        source,
        destination,
        http,
    })
}

/// `protocol` / `notProtocol`: a number, a string of digits (a number too), or a name.
fn read_protocol<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Spanned<ProtocolValue>> {
    const EXPECTED: &str = "expected a protocol name or number";
    let value = match n.scalar() {
        Some(s) if all_digits(s) => s
            .parse()
            .map_or_else(|_| ProtocolValue::Name(s.into()), ProtocolValue::Number),
        Some(s) if n.is_number_or_bool() => match s.parse() {
            Ok(v) => ProtocolValue::Number(v),
            Err(_) => return expected(d, n, EXPECTED),
        },
        Some(s) => ProtocolValue::Name(s.into()),
        None => return expected(d, n, EXPECTED),
    };
    Some(Spanned::new(value, n.span()))
}

/// One entry of `ports` / `notPorts`.
fn port<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Spanned<PortValue>> {
    const EXPECTED: &str = "expected a port number, a range `min:max` or a port name";
    let value = match n.scalar() {
        Some(s) if n.is_number_or_bool() && !all_digits(s) => match s.parse() {
            Ok(v) => PortValue::Number(v),
            Err(_) => return expected(d, n, EXPECTED),
        },
        Some(s) => port_string(s),
        None => return expected(d, n, EXPECTED),
    };
    Some(Spanned::new(value, n.span()))
}

/// Records `{what}, found {n}` and returns None.
fn expected<'d, T>(d: &mut Decoder<'d>, n: N<'d>, what: &str) -> Option<T> {
    d.error(n, format_args!("{what}, found {}", n.describe()));
    None
}

/// A port written as a string, as `numorstring.PortFromString` reads it.
fn port_string(s: &str) -> PortValue {
    let number = |x: &str| x.parse::<i64>().ok();
    if all_digits(s) {
        return number(s).map_or_else(|| PortValue::Invalid(s.into()), PortValue::Number);
    }
    match s.split_once(':') {
        Some((a, b)) if all_digits(a) && all_digits(b) => match (number(a), number(b)) {
            (Some(a), Some(b)) => PortValue::Range(a, b),
            _ => PortValue::Invalid(s.into()),
        },
        Some(_) => PortValue::Invalid(s.into()),
        None => PortValue::Name(s.into()),
    }
}

/// Whether a text is one or more ASCII digits.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn read_icmp<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Icmp> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["type", "code"]);
    let icmp_type = n.get("type").and_then(|t| d.int(t));
    let code = n.get("code").and_then(|c| d.int(c));
    Some(Icmp {
        span: n.span(),
        icmp_type,
        code,
    })
}

/// The EntityRule at `key` of a rule: the default (no span) when absent.
fn entity<'d>(d: &mut Decoder<'d>, rule: N<'d>, key: &str) -> EntityRule {
    let Some(n) = rule.get(key).and_then(|n| d.map(n)) else {
        return EntityRule::default();
    };
    d.unknown_fields(n, &ENTITY_FIELDS);
    let ports_at = |d: &mut Decoder<'d>, key: &str| match n.get(key) {
        Some(list) => d
            .list(list)
            .into_iter()
            .filter_map(|p| port(d, p))
            .collect(),
        None => Vec::new(),
    };
    let ports = ports_at(d, "ports");
    let not_ports = ports_at(d, "notPorts");
    let service_accounts = n.get("serviceAccounts").and_then(|s| d.map(s)).map(|s| {
        d.unknown_fields(s, &["names", "selector"]);
        ServiceAccountMatch {
            span: s.span(),
            names: strings_at(d, s, "names"),
            selector: selector_at(d, s, "selector"),
        }
    });
    let services = n.get("services").and_then(|s| d.map(s)).map(|s| {
        d.unknown_fields(s, &["name", "namespace"]);
        ServiceMatch {
            span: s.span(),
            name: d.string_at(s, "name"),
            namespace: d.string_at(s, "namespace"),
        }
    });
    EntityRule {
        span: Some(n.span()),
        nets: strings_at(d, n, "nets"),
        not_nets: strings_at(d, n, "notNets"),
        selector: selector_at(d, n, "selector"),
        not_selector: selector_at(d, n, "notSelector"),
        namespace_selector: selector_at(d, n, "namespaceSelector"),
        ports,
        not_ports,
        service_accounts,
        services,
    }
}

fn http<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Http> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["methods", "paths"]);
    let methods = strings_at(d, n, "methods");
    let mut paths = Vec::new();
    if let Some(list) = n.get("paths") {
        for p in d.list(list) {
            let Some(p) = d.map(p) else { continue };
            d.unknown_fields(p, &["exact", "prefix"]);
            // An empty string is unset, as in Go.
            let exact = d.string_at(p, "exact").filter(|s| !s.value.is_empty());
            let prefix = d.string_at(p, "prefix").filter(|s| !s.value.is_empty());
            match (exact, prefix) {
                (Some(e), None) => {
                    paths.push(Spanned::new(format!("exact: {}", e.value), p.span()))
                }
                (None, Some(x)) => {
                    paths.push(Spanned::new(format!("prefix: {}", x.value), p.span()))
                }
                (Some(_), Some(_)) => d.error(p, "a path has `exact` or `prefix`, not both"),
                (None, None) => d.error(p, "a path needs `exact` or `prefix`"),
            }
        }
    }
    Some(Http {
        span: n.span(),
        methods,
        paths,
    })
}

#[cfg(test)]
mod tests {
    use crate::base::span::Span;
    use crate::load::{LoadOptions, Loaded, Outcome, load_texts};
    use crate::model::Object;
    use crate::model::calico::{
        CalicoKind, CalicoObject, CalicoPolicy, EntityRule, PortValue, ProtocolValue,
    };
    use crate::model::policy::Direction;

    fn load(text: &str) -> Loaded {
        load_texts(&[("t.yaml", text)], &LoadOptions::default())
    }

    /// The one policy of a text, which must load without problems.
    fn policy(text: &str) -> CalicoPolicy {
        let l = load(text);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.objects.len(), 1, "{:?}", l.inventory);
        match &l.objects[0] {
            Object::Calico(c) => match &**c {
                CalicoObject::Policy(p) => (**p).clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    /// The problems of a text whose object must be left out: (path, message).
    fn problems(text: &str) -> Vec<(String, String)> {
        let l = load(text);
        assert!(l.objects.is_empty(), "{:?}", l.objects);
        assert_eq!(l.inventory[0].outcome, Outcome::Broken);
        l.problems
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    const FULL: &str = r#"apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: platform.allow-web
  namespace: shop
  annotations: {owner: team-a}
spec:
  tier: platform
  order: 100.5
  selector: app == 'web'
  serviceAccountSelector: role == "front"
  types: [Ingress, Egress]
  performanceHints: [AssumeNeededOnEveryNode]
  ingress:
  - action: Allow
    ipVersion: 4
    protocol: TCP
    notProtocol: 17
    source:
      nets: [10.0.0.0/8]
      notNets: ["10.1.0.0/16"]
      selector: has(tier)
      notSelector: tier == 'db'
      namespaceSelector: all()
      serviceAccounts:
        names: [a, b]
        selector: team == 'x'
    destination:
      ports: [80, "443", "1000:2000", http]
      notPorts: [8080]
    http:
      methods: [GET]
      paths:
      - exact: /a
      - prefix: /b
    metadata:
      annotations: {why: web}
  - action: Deny
    protocol: ICMP
    icmp: {type: 8, code: 0}
    notICMP: {type: 3}
  egress:
  - action: Allow
    protocol: "6"
    destination:
      services: {name: db, namespace: data}
  - action: Pass
"#;

    #[test]
    fn a_network_policy_decodes_every_field() {
        let p = policy(FULL);
        assert_eq!(p.kind, CalicoKind::NetworkPolicy);
        assert_eq!(p.namespace.as_deref(), Some("shop"));
        assert_eq!(p.name, "platform.allow-web");
        assert_eq!(slice(FULL, p.name_span), "platform.allow-web");
        assert_eq!(p.api_version.value, "projectcalico.org/v3");
        assert_eq!(p.annotations.get("owner"), Some("team-a"));
        assert_eq!(p.tier.as_ref().unwrap().value, "platform");
        assert_eq!(p.order.as_ref().unwrap().value, 100.5);
        assert_eq!(p.selector.as_ref().unwrap().text.value, "app == 'web'");
        assert!(p.selector.as_ref().unwrap().parsed.is_ok());
        let sa = p.service_account_selector.as_ref().unwrap();
        assert_eq!(sa.text.value, "role == \"front\"");
        let types: Vec<&str> = p
            .types
            .as_ref()
            .unwrap()
            .value
            .iter()
            .map(|t| t.value.as_str())
            .collect();
        assert_eq!(types, ["Ingress", "Egress"]);
        assert!(p.namespace_selector.is_none() && p.do_not_track.is_none());
        assert!(p.staged_action.is_none() && p.kubernetes.is_none());

        assert_eq!(p.ingress.len(), 2);
        let r = &p.ingress[0];
        assert_eq!((r.direction, r.index), (Direction::Ingress, 0));
        assert_eq!(r.action.as_ref().unwrap().value, "Allow");
        assert_eq!(r.ip_version.as_ref().unwrap().value, 4);
        assert_eq!(
            r.protocol.as_ref().unwrap().value,
            ProtocolValue::Name("TCP".into())
        );
        assert_eq!(
            r.not_protocol.as_ref().unwrap().value,
            ProtocolValue::Number(17)
        );
        let s = &r.source;
        assert!(s.span.is_some());
        assert_eq!(s.nets[0].value, "10.0.0.0/8");
        assert_eq!(s.not_nets[0].value, "10.1.0.0/16");
        assert_eq!(s.selector.as_ref().unwrap().text.value, "has(tier)");
        assert_eq!(s.not_selector.as_ref().unwrap().text.value, "tier == 'db'");
        assert_eq!(s.namespace_selector.as_ref().unwrap().text.value, "all()");
        let sam = s.service_accounts.as_ref().unwrap();
        assert_eq!(
            sam.names
                .iter()
                .map(|n| n.value.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(sam.selector.as_ref().unwrap().text.value, "team == 'x'");
        let ports: Vec<&PortValue> = r.destination.ports.iter().map(|p| &p.value).collect();
        assert_eq!(
            ports,
            [
                &PortValue::Number(80),
                &PortValue::Number(443),
                &PortValue::Range(1000, 2000),
                &PortValue::Name("http".into())
            ]
        );
        assert_eq!(slice(FULL, r.destination.ports[2].span), "\"1000:2000\"");
        assert_eq!(r.destination.not_ports[0].value, PortValue::Number(8080));
        let h = r.http.as_ref().unwrap();
        assert_eq!(h.methods[0].value, "GET");
        let paths: Vec<&str> = h.paths.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(paths, ["exact: /a", "prefix: /b"]);

        let r = &p.ingress[1];
        assert_eq!(r.index, 1);
        let icmp = r.icmp.as_ref().unwrap();
        assert_eq!(icmp.icmp_type.as_ref().unwrap().value, 8);
        assert_eq!(icmp.code.as_ref().unwrap().value, 0);
        let not_icmp = r.not_icmp.as_ref().unwrap();
        assert_eq!(not_icmp.icmp_type.as_ref().unwrap().value, 3);
        assert!(not_icmp.code.is_none());
        // Absent entity rules are the default, with no span.
        assert_eq!(r.source, EntityRule::default());
        assert!(r.destination.span.is_none());

        assert_eq!(p.egress.len(), 2);
        let r = &p.egress[0];
        assert_eq!((r.direction, r.index), (Direction::Egress, 0));
        // A string of digits is a protocol number, as numorstring reads it.
        assert_eq!(r.protocol.as_ref().unwrap().value, ProtocolValue::Number(6));
        let svc = r.destination.services.as_ref().unwrap();
        assert_eq!(svc.name.as_ref().unwrap().value, "db");
        assert_eq!(svc.namespace.as_ref().unwrap().value, "data");
        assert_eq!(p.egress[1].index, 1);
        assert_eq!(p.egress[1].action.as_ref().unwrap().value, "Pass");
    }

    #[test]
    fn every_policy_kind_decodes() {
        let spec = "spec:\n  selector: all()\n  ingress:\n  - action: Allow\n";
        for (kind, extra) in [
            ("NetworkPolicy", ""),
            (
                "GlobalNetworkPolicy",
                "  namespaceSelector: has(a)\n  doNotTrack: false\n  preDNAT: false\n  applyOnForward: true\n",
            ),
            ("StagedNetworkPolicy", "  stagedAction: Set\n"),
            (
                "StagedGlobalNetworkPolicy",
                "  stagedAction: Delete\n  applyOnForward: true\n",
            ),
        ] {
            let text = format!(
                "apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n  name: p\n  namespace: ns\n{spec}{extra}"
            );
            let p = policy(&text);
            let k = CalicoKind::from_kind(kind).unwrap();
            assert_eq!(p.kind, k);
            assert_eq!(p.ingress.len(), 1);
            // A cluster-scoped object's namespace is ignored.
            let ns = if k.is_global() { None } else { Some("ns") };
            assert_eq!(p.namespace.as_deref(), ns, "{kind}");
            assert_eq!(p.staged_action.is_some(), k.is_staged(), "{kind}");
            assert_eq!(
                p.namespace_selector.is_some(),
                kind == "GlobalNetworkPolicy"
            );
            assert_eq!(p.apply_on_forward.is_some(), k.is_global());
        }
        let gnp = policy(&format!(
            "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: g}}\n{spec}  doNotTrack: true\n"
        ));
        assert!(gnp.do_not_track.as_ref().unwrap().value);
        // The namespace of a namespaced kind defaults as for every namespaced object.
        let np = policy(&format!(
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: n}}\n{spec}"
        ));
        assert_eq!(np.namespace.as_deref(), Some("default"));
    }

    #[test]
    fn a_staged_kubernetes_policy_holds_a_kubernetes_policy() {
        let text = "apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata:\n  name: k\n  namespace: shop\nspec:\n  stagedAction: Set\n  podSelector:\n    matchLabels: {app: web}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - podSelector: {}\n    ports:\n    - port: 80\n";
        let p = policy(text);
        assert_eq!(p.kind, CalicoKind::StagedKubernetesNetworkPolicy);
        assert_eq!(p.namespace.as_deref(), Some("shop"));
        assert_eq!(p.staged_action.as_ref().unwrap().value, "Set");
        let k = p.kubernetes.as_ref().unwrap();
        assert_eq!((k.namespace.as_str(), k.name.as_str()), ("shop", "k"));
        assert_eq!(k.api_version.value, "projectcalico.org/v3");
        assert_eq!(k.pod_selector.match_labels.len(), 1);
        assert_eq!(k.rules(Direction::Ingress).len(), 1);
        assert!(p.ingress.is_empty() && p.selector.is_none());

        // Its spec is read strictly too, stagedAction included.
        let problems = problems(
            "apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata: {name: k}\nspec:\n  stagedAction: [Set]\n  podSelector: {}\n  ingres: []\n  selector: all()\n",
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].0, "spec.stagedAction");
        assert!(
            problems[1].1.contains("did you mean `ingress`"),
            "{problems:?}"
        );
        assert_eq!(problems[2].0, "spec.selector");
    }

    #[test]
    fn a_selector_syntax_error_is_kept_with_its_exact_place() {
        for (line, bad) in [
            ("  selector: app == 'web' &&& tier == 'x'\n", "&"),
            ("  selector: \"app == 'web' && (\"\n", ""),
            ("  selector: 'app in {\"a\" \"b\"}'\n", "\"b\""),
        ] {
            let text = format!(
                "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: g}}\nspec:\n{line}"
            );
            let p = policy(&text);
            let s = p.selector.as_ref().unwrap();
            let e = s.parsed.as_ref().unwrap_err();
            let at = s.verbatim_at.expect("verbatim");
            // The value starts where it is in the file.
            assert_eq!(
                &text[at as usize..at as usize + s.text.value.len()],
                s.text.value
            );
            let span = s.error_span(e);
            assert_eq!(span.start, at + e.offset as u32);
            if !bad.is_empty() {
                assert!(
                    slice(&text, span).starts_with(bad),
                    "{line}: {e:?} {:?}",
                    slice(&text, span)
                );
            }
        }
        // With an escape the value is not verbatim: the error is on the whole scalar.
        let text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingress:\n  - action: Allow\n    source:\n      selector: \"a ==\\t'b' &&\"\n";
        let p = policy(text);
        let s = p.ingress[0].source.selector.as_ref().unwrap();
        assert!(s.verbatim_at.is_none());
        let e = s.parsed.as_ref().unwrap_err();
        assert_eq!(slice(text, s.error_span(e)), "\"a ==\\t'b' &&\"");
        // An empty selector is all().
        let p = policy(
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  selector: ''\n",
        );
        assert!(p.selector.as_ref().unwrap().parsed.is_ok());
    }

    #[test]
    fn unknown_fields_are_problems_with_a_suggestion() {
        let problems = problems(
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingres: []\n  namespaceSelector: all()\n  egress:\n  - acton: Allow\n    destination:\n      selectr: a == 'b'\n      serviceAccounts: {name: [x]}\n    http:\n      paths: [{exact: /a, prefix: /b}, {}]\n",
        );
        let got: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            got,
            [
                "spec.ingres",
                "spec.namespaceSelector",
                "spec.egress[0].acton",
                "spec.egress[0].destination.selectr",
                "spec.egress[0].destination.serviceAccounts.name",
                "spec.egress[0].http.paths[0]",
                "spec.egress[0].http.paths[1]",
            ]
        );
        assert!(problems[0].1.contains("did you mean `ingress`"));
        assert!(problems[2].1.contains("did you mean `action`"));
        assert!(problems[3].1.contains("did you mean `selector`"));
        assert!(problems[4].1.contains("did you mean `names`"));
    }

    #[test]
    fn wrong_shapes_are_problems() {
        let found = problems(
            "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  order: '10'\n  types: Ingress\n  doNotTrack: maybe\n  selector: {a: b}\n  ingress:\n  - action: Allow\n    ipVersion: four\n    protocol: [TCP]\n    notProtocol: 1.5\n    icmp: 8\n    source:\n      nets: 10.0.0.0/8\n      ports: [1.5, {a: 1}, true]\n    destination: []\n",
        );
        let got: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            got,
            [
                "spec.order",
                "spec.types",
                "spec.doNotTrack",
                "spec.selector",
                "spec.ingress[0].ipVersion",
                "spec.ingress[0].protocol",
                "spec.ingress[0].notProtocol",
                "spec.ingress[0].icmp",
                "spec.ingress[0].source.nets",
                "spec.ingress[0].source.ports[0]",
                "spec.ingress[0].source.ports[1]",
                "spec.ingress[0].source.ports[2]",
                "spec.ingress[0].destination",
            ],
            "{found:?}"
        );
        assert!(found[0].1.contains("expected a number"));
        assert!(found[6].1.contains("expected a protocol name or number"));
        // A policy with no spec, or no name.
        let p = problems(
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: n}\n",
        );
        assert!(p[0].1.contains("missing required field `spec`"));
        let p = problems(
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {}\nspec: {}\n",
        );
        assert!(p[0].1.contains("missing required field `name`"));
    }

    #[test]
    fn ports_are_read_as_numorstring_reads_them() {
        let text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingress:\n  - action: Allow\n    protocol: UDP\n    destination:\n      ports: [53, '53', 100:200, '1:2:3', 'a:b', dns, -1, '99999999999999999999', ':5']\n";
        let p = policy(text);
        let ports: Vec<PortValue> = p.ingress[0]
            .destination
            .ports
            .iter()
            .map(|p| p.value.clone())
            .collect();
        assert_eq!(
            ports,
            [
                PortValue::Number(53),
                PortValue::Number(53),
                PortValue::Range(100, 200),
                PortValue::Invalid("1:2:3".into()),
                PortValue::Invalid("a:b".into()),
                PortValue::Name("dns".into()),
                PortValue::Number(-1),
                PortValue::Invalid("99999999999999999999".into()),
                PortValue::Invalid(":5".into()),
            ]
        );
        let spans: Vec<&str> = p.ingress[0]
            .destination
            .ports
            .iter()
            .map(|p| slice(text, p.span))
            .collect();
        assert_eq!(spans[..3], ["53", "'53'", "100:200"]);
    }

    #[test]
    fn the_crd_api_version_decodes_the_same() {
        // apiVersion last, so that every other span is the same in both texts.
        let body = |v: &str| {
            format!(
                "kind: GlobalNetworkPolicy\nmetadata: {{name: g}}\nspec:\n  order: 5\n  selector: has(x)\n  egress:\n  - action: Deny\n    destination: {{nets: [1.2.3.4/32], ports: [80]}}\n    protocol: TCP\napiVersion: {v}\n"
            )
        };
        let mut v3 = policy(&body("projectcalico.org/v3"));
        let crd = policy(&body("crd.projectcalico.org/v1"));
        assert_eq!(crd.api_version.value, "crd.projectcalico.org/v1");
        v3.api_version = crd.api_version.clone();
        v3.span = crd.span;
        assert_eq!(format!("{v3:?}"), format!("{crd:?}"));
    }
}

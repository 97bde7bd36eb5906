//! What a rule list's item matches beyond its peers (`l4.go`, `l7.go`, `http.go`,
//! `icmp.go`, and Kafka's rule from `cilium/proxy`): the items of `toPorts` (a PortRule,
//! or a deny rule's PortDenyRule) with their ports, layer-7 rules (summarised per
//! protocol), TLS contexts and listener, and the items of `icmps`.

use super::{list_at, strings_at, text, text_at};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::model::cilium::{IcmpRule, L7Rule, PortProtocol, PortRule};

/// The fields of an item of `toPorts` (`api.PortRule`); a PortDenyRule has `ports` only.
const PORT_RULE_FIELDS: [&str; 6] = [
    "ports",
    "terminatingTLS",
    "originatingTLS",
    "serverNames",
    "listener",
    "rules",
];

/// An item of `toPorts`: a PortRule, or a PortDenyRule (`deny`: `ports` only).
pub(super) fn port_rule<'d>(d: &mut Decoder<'d>, n: N<'d>, deny: bool) -> Option<PortRule> {
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
pub(super) fn icmp_rule<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<IcmpRule> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{paths, policy, problems, slice};

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
}

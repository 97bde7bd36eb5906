//! The checks of a peer rule (an item of `ingress`, `ingressDeny`, `egress`, `egressDeny`):
//! which peer kinds it combines, entities, CIDRs and CIDR sets, Services, FQDNs and
//! authentication; its ports and ICMP fields are checked in `ports`.

use super::ports::{icmp_rule, port_rule};
use super::rule::{Section, selector};
use super::{Out, dns_subdomain};
use crate::base::span::Span;
use crate::model::cilium::{CidrRule, FqdnSelector, PeerRule};
use crate::model::ip::parse_cidr;

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

/// The CRD's enum on `authentication.mode` (`api.AuthenticationMode`, `rule.go`).
const AUTH_MODES: [&str; 3] = ["disabled", "required", "test-always-fail"];

/// The list when present and not empty (Cilium counts `len()`, so an empty list is no list).
fn items<T>(v: &Option<Vec<T>>) -> Option<&[T]> {
    v.as_deref().filter(|l| !l.is_empty())
}

pub(super) fn peer_rule(pr: &PeerRule, path: &str, s: Section, host: bool, out: &mut Out) {
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

    // `fromRequires`/`toRequires`: deprecated in 1.17, their support removed in 1.19
    // (cilium/cilium#42615); the CRD keeps the fields with `maxItems: 0` (cilium/cilium#43167),
    // so the API server refuses any entry.
    if let Some(first) = items(&pr.requires).map(|v| v[0].span) {
        out.push(
            first,
            format!("{path}.{}", s.peer("Requires")),
            format!(
                "`{}` was removed in Cilium 1.19 (cilium/cilium#42615): the API server accepts no entry (maxItems 0); write the requirement into each `{}` selector instead",
                s.peer("Requires"),
                s.peer("Endpoints")
            ),
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
pub(super) fn dns_pattern(s: &str, wildcard: bool) -> bool {
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

//! What Calico's API server refuses (libcalico-go `lib/validator/v3/validator.go`, the CRD
//! schemas and their CEL rules in `api/pkg/apis/projectcalico/v3`), so that a policy the
//! cluster would refuse is never simulated and `check` says exactly what is wrong and where.
//!
//! A selector that does not parse is reported by `calico-selector-syntax`; everything else by
//! `invalid-calico-policy`.

use super::selector::Selector;
use super::{
    CalicoPolicy, CalicoRule, CalicoTier, EntityRule, NetworkSet, PortValue, ProtocolValue,
    SelectorField,
};
use crate::base::span::Span;
use crate::model::ip::parse_cidr;
use crate::model::policy::Direction;
use crate::model::validate::Violation;

/// The rule that reports selector syntax errors.
pub const SELECTOR_RULE: &str = "calico-selector-syntax";
/// The rule that reports everything else the API server refuses.
pub const POLICY_RULE: &str = "invalid-calico-policy";

/// The protocol names Calico accepts (case-sensitive, `validator.go`'s regular expression).
pub const PROTOCOL_NAMES: [&str; 6] = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"];

/// Most rules a policy may have per direction (CRD `maxItems`).
const MAX_RULES: usize = 1024;

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

    /// A selector: its syntax, and `global()` where it is not allowed.
    fn selector(&mut self, s: &SelectorField, path: &str, global_allowed: bool) {
        match &s.parsed {
            Err(e) => self.items.push(Violation {
                rule: SELECTOR_RULE,
                span: s.error_span(e),
                path: path.into(),
                message: format!("selector `{}` does not parse: {}", s.text.value, e.message),
            }),
            Ok(sel) if !global_allowed && mentions_global(sel) => self.push(
                s.text.span,
                path,
                "`global()` may only be the whole `namespaceSelector` of a rule",
            ),
            Ok(sel) if global_allowed && mentions_global(sel) && *sel != Selector::Global => self
                .push(
                    s.text.span,
                    path,
                    "`global()` cannot be combined with other expressions: write it alone",
                ),
            Ok(_) => {}
        }
    }
}

fn mentions_global(s: &Selector) -> bool {
    match s {
        Selector::Global => true,
        Selector::Not(x) => mentions_global(x),
        Selector::And(xs) | Selector::Or(xs) => xs.iter().any(mentions_global),
        _ => false,
    }
}

/// Whether a name is a DNS-1123 label (lower case alphanumerics and `-`, at most 63).
fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The port-capable protocol a rule names, if any: `Some(true)` for TCP, UDP, SCTP (or 6,
/// 17, 132), `Some(false)` for another, None when it names none.
fn port_capable(p: &Option<crate::base::span::Spanned<ProtocolValue>>) -> Option<bool> {
    p.as_ref().map(|p| match &p.value {
        ProtocolValue::Name(n) => {
            matches!(n.as_str(), "TCP" | "UDP" | "SCTP" | "tcp" | "udp" | "sctp")
        }
        ProtocolValue::Number(n) => matches!(n, 6 | 17 | 132),
    })
}

fn protocol(p: &crate::base::span::Spanned<ProtocolValue>, path: &str, out: &mut Out) {
    match &p.value {
        ProtocolValue::Name(n) if !PROTOCOL_NAMES.contains(&n.as_str()) => out.push(
            p.span,
            path,
            format!(
                "protocol `{n}` is not one of {} or a number 1–255",
                PROTOCOL_NAMES.join(", ")
            ),
        ),
        ProtocolValue::Number(n) if !(1..=255).contains(n) => {
            out.push(p.span, path, format!("protocol {n} is not in 1–255"))
        }
        _ => {}
    }
}

fn ports(
    list: &[crate::base::span::Spanned<PortValue>],
    capable: Option<bool>,
    path: &str,
    out: &mut Out,
) {
    for (i, p) in list.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let numeric = |out: &mut Out| match capable {
            Some(true) => {}
            _ => out.push(
                p.span,
                &path,
                "a port number or range needs `protocol` TCP, UDP or SCTP on the rule",
            ),
        };
        match &p.value {
            PortValue::Number(n) => {
                if !(1..=65535).contains(n) {
                    out.push(p.span, &path, format!("port {n} is not in 1–65535"));
                }
                numeric(out);
            }
            PortValue::Range(a, b) => {
                if !(1..=65535).contains(a) || !(1..=65535).contains(b) {
                    out.push(
                        p.span,
                        &path,
                        format!("range {a}:{b} is not within 1–65535"),
                    );
                } else if a > b {
                    out.push(
                        p.span,
                        &path,
                        format!("range {a}:{b} ends before it starts"),
                    );
                }
                numeric(out);
            }
            PortValue::Name(n) => {
                if n.is_empty()
                    || n.len() > 128
                    || !n
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                {
                    out.push(
                        p.span,
                        &path,
                        format!("`{n}` is not a port name ([a-zA-Z0-9_.-], at most 128)"),
                    );
                }
                if capable == Some(false) {
                    out.push(
                        p.span,
                        &path,
                        "a named port needs a protocol that has ports (TCP, UDP, SCTP) or none",
                    );
                }
            }
            PortValue::Invalid(text) => out.push(
                p.span,
                &path,
                format!("`{text}` is not a port number, a range `min:max`, or a port name"),
            ),
        }
    }
}

/// Nets of one rule: valid, strictly masked CIDRs or addresses; their families.
fn nets(
    list: &[crate::base::span::Spanned<String>],
    path: &str,
    negated: bool,
    families: &mut Vec<(bool, Span)>,
    out: &mut Out,
) {
    for (i, n) in list.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let text = n.value.as_str();
        let parsed = parse_cidr(text).ok().or_else(|| {
            text.parse::<std::net::IpAddr>()
                .ok()
                .map(ipnet::IpNet::from)
        });
        match parsed {
            None => out.push(
                n.span,
                &path,
                format!("`{text}` is not a CIDR or an IP address"),
            ),
            Some(net) => {
                let written = text
                    .split_once('/')
                    .and_then(|(a, _)| a.parse::<std::net::IpAddr>().ok());
                if written.is_some_and(|a| a != net.network()) {
                    out.push(
                        n.span,
                        &path,
                        format!(
                            "`{text}` has host bits set: write {}/{}",
                            net.network(),
                            net.prefix_len()
                        ),
                    );
                }
                if negated && net.prefix_len() == 0 {
                    out.push(
                        n.span,
                        &path,
                        "`notNets` cannot hold every address (0.0.0.0/0 or ::/0)",
                    );
                }
                families.push((net.addr().is_ipv4(), n.span));
            }
        }
    }
}

fn entity(
    e: &EntityRule,
    path: &str,
    side: &str,
    r: &CalicoRule,
    global: bool,
    families: &mut Vec<(bool, Span)>,
    out: &mut Out,
) {
    let Some(span) = e.span else { return };
    if let Some(s) = &e.selector {
        out.selector(s, &format!("{path}.selector"), false);
    }
    if let Some(s) = &e.not_selector {
        out.selector(s, &format!("{path}.notSelector"), false);
    }
    if let Some(s) = &e.namespace_selector {
        out.selector(s, &format!("{path}.namespaceSelector"), true);
    }
    if let Some(sa) = &e.service_accounts
        && let Some(s) = &sa.selector
    {
        out.selector(s, &format!("{path}.serviceAccounts.selector"), false);
    }
    let capable = port_capable(&r.protocol);
    ports(&e.ports, capable, &format!("{path}.ports"), out);
    ports(&e.not_ports, capable, &format!("{path}.notPorts"), out);
    nets(&e.nets, &format!("{path}.nets"), false, families, out);
    nets(&e.not_nets, &format!("{path}.notNets"), true, families, out);
    if let Some(svc) = &e.services {
        if svc.name.is_none() {
            out.push(svc.span, format!("{path}.services"), "`name` is required");
        }
        if global && svc.namespace.is_none() {
            out.push(
                svc.span,
                format!("{path}.services"),
                "in a GlobalNetworkPolicy, `services` needs `namespace`",
            );
        }
        let others = e.selector.is_some()
            || e.not_selector.is_some()
            || e.namespace_selector.is_some()
            || !e.nets.is_empty()
            || !e.not_nets.is_empty()
            || e.service_accounts.is_some();
        if others {
            out.push(
                svc.span,
                format!("{path}.services"),
                "`services` cannot be combined with selectors, nets or serviceAccounts",
            );
        }
        let allowed = matches!(
            (r.direction, side),
            (Direction::Egress, "destination") | (Direction::Ingress, "source")
        );
        if !allowed {
            out.push(
                svc.span,
                format!("{path}.services"),
                "`services` may only be the destination of an egress rule or the source of an ingress rule",
            );
        }
        if side == "destination" && (!e.ports.is_empty() || !e.not_ports.is_empty()) {
            out.push(
                span,
                path,
                "`destination.services` cannot be combined with `ports` or `notPorts`: the service's ports are used",
            );
        }
    }
}

fn rule(r: &CalicoRule, global: bool, out: &mut Out) {
    let base = format!("spec.{}[{}]", r.direction.field(), r.index);
    match &r.action {
        None => out.push(
            r.span,
            &base,
            "`action` is required (Allow, Deny, Log or Pass)",
        ),
        Some(a) if !matches!(a.value.as_str(), "Allow" | "Deny" | "Log" | "Pass") => out.push(
            a.span,
            format!("{base}.action"),
            format!("`{}` is not Allow, Deny, Log or Pass", a.value),
        ),
        _ => {}
    }
    if let Some(p) = &r.protocol {
        protocol(p, &format!("{base}.protocol"), out);
    }
    if let Some(p) = &r.not_protocol {
        protocol(p, &format!("{base}.notProtocol"), out);
    }
    if let Some(v) = &r.ip_version
        && v.value != 4
        && v.value != 6
    {
        out.push(v.span, format!("{base}.ipVersion"), "`ipVersion` is 4 or 6");
    }
    if let Some(icmp) = &r.icmp {
        let icmp_protocol = r.protocol.as_ref().is_some_and(|p| {
            matches!(&p.value, ProtocolValue::Name(n) if n == "ICMP" || n == "ICMPv6")
                || matches!(p.value, ProtocolValue::Number(1 | 58))
        });
        if !icmp_protocol {
            out.push(
                icmp.span,
                format!("{base}.icmp"),
                "`icmp` needs `protocol` ICMP or ICMPv6",
            );
        }
    }
    for (icmp, field) in [(&r.icmp, "icmp"), (&r.not_icmp, "notICMP")] {
        let Some(icmp) = icmp else { continue };
        if icmp.code.is_some() && icmp.icmp_type.is_none() {
            out.push(icmp.span, format!("{base}.{field}"), "`code` needs `type`");
        }
        if let Some(t) = &icmp.icmp_type
            && !(0..=254).contains(&t.value)
        {
            out.push(t.span, format!("{base}.{field}.type"), "`type` is 0–254");
        }
        if let Some(c) = &icmp.code
            && !(0..=255).contains(&c.value)
        {
            out.push(c.span, format!("{base}.{field}.code"), "`code` is 0–255");
        }
    }
    let mut families = Vec::new();
    entity(
        &r.source,
        &format!("{base}.source"),
        "source",
        r,
        global,
        &mut families,
        out,
    );
    entity(
        &r.destination,
        &format!("{base}.destination"),
        "destination",
        r,
        global,
        &mut families,
        out,
    );
    if let Some(&(v4, _)) = families.first()
        && let Some(&(_, span)) = families.iter().find(|(f, _)| *f != v4)
    {
        out.push(span, &base, "a rule cannot mix IPv4 and IPv6 CIDRs");
    }
    if let (Some(v), Some(&(v4, span))) = (&r.ip_version, families.first())
        && ((v.value == 4) != v4)
    {
        out.push(
            span,
            &base,
            format!("this CIDR's family disagrees with `ipVersion: {}`", v.value),
        );
    }
    if let Some(h) = &r.http {
        if r.action.as_ref().is_some_and(|a| a.value != "Allow") {
            out.push(
                h.span,
                format!("{base}.http"),
                "`http` may only be used in an Allow rule",
            );
        }
        if r.direction == Direction::Egress {
            out.push(
                h.span,
                format!("{base}.http"),
                "`http` may not be used in egress rules",
            );
        }
        if port_capable(&r.protocol) == Some(false)
            || r.protocol.as_ref().is_some_and(|p| {
                !matches!(&p.value, ProtocolValue::Name(n) if n == "TCP")
                    && !matches!(p.value, ProtocolValue::Number(6))
            })
        {
            out.push(
                h.span,
                format!("{base}.http"),
                "`http` needs `protocol` TCP or none",
            );
        }
    }
}

/// Every violation in a Calico policy.
pub fn policy(p: &CalicoPolicy) -> Vec<Violation> {
    let mut out = Out { items: Vec::new() };
    if let Some(k) = &p.kubernetes {
        staged_action(p, &mut out);
        if !p.stages_deletion() {
            out.items.extend(crate::model::validate::policy(k));
        }
        return out.items;
    }
    let global = p.kind.is_global();
    let name_ok = {
        let parts: Vec<&str> = p.name.split('.').collect();
        match parts.as_slice() {
            [one] => dns_label(one),
            [tier, name] => dns_label(tier) && dns_label(name),
            _ => false,
        }
    };
    if !name_ok {
        out.push(
            p.name_span,
            "metadata.name",
            format!(
                "`{}` is not a valid name: lower-case letters, digits and `-`, optionally prefixed by the tier and a dot",
                p.name
            ),
        );
    }
    if let Some(t) = &p.tier
        && !dns_label(&t.value)
    {
        out.push(
            t.span,
            "spec.tier",
            format!("`{}` is not a valid tier name", t.value),
        );
    }
    if let Some(s) = &p.selector {
        out.selector(s, "spec.selector", false);
    }
    if let Some(s) = &p.namespace_selector {
        out.selector(s, "spec.namespaceSelector", false);
    }
    if let Some(s) = &p.service_account_selector {
        out.selector(s, "spec.serviceAccountSelector", false);
    }
    if let Some(types) = &p.types {
        for (i, t) in types.value.iter().enumerate() {
            if t.value != "Ingress" && t.value != "Egress" {
                out.push(
                    t.span,
                    format!("spec.types[{i}]"),
                    format!("`{}` is not `Ingress` or `Egress`", t.value),
                );
            } else if types.value[..i].iter().any(|x| x.value == t.value) {
                out.push(
                    t.span,
                    format!("spec.types[{i}]"),
                    format!("`{}` is listed twice", t.value),
                );
            }
        }
        if types.value.len() > 2 {
            out.push(types.span, "spec.types", "at most 2 entries are allowed");
        }
    }
    for dir in Direction::BOTH {
        let rules = p.rules(dir);
        if rules.len() > MAX_RULES {
            out.push(
                rules[MAX_RULES].span,
                format!("spec.{}", dir.field()),
                format!("at most {MAX_RULES} rules are allowed"),
            );
        }
        for r in rules {
            rule(r, global, &mut out);
        }
    }
    let on = |b: &Option<crate::base::span::Spanned<bool>>| b.as_ref().is_some_and(|b| b.value);
    if on(&p.do_not_track) && on(&p.pre_dnat) {
        out.push(
            p.span,
            "spec.preDNAT",
            "`preDNAT` and `doNotTrack` cannot both be set",
        );
    }
    if on(&p.pre_dnat) && (!p.egress.is_empty() || p.applies(Direction::Egress)) {
        out.push(
            p.span,
            "spec.preDNAT",
            "a `preDNAT` policy cannot have egress rules or the Egress type",
        );
    }
    if (on(&p.do_not_track) || on(&p.pre_dnat)) && !on(&p.apply_on_forward) {
        out.push(
            p.span,
            "spec.applyOnForward",
            "`applyOnForward` must be true when `doNotTrack` or `preDNAT` is",
        );
    }
    staged_action(p, &mut out);
    out.items
}

/// `stagedAction`: `Set` or `Delete`, and a deletion stages nothing but the deletion
/// (`validateStagedNetworkPolicy`, `validateStagedGlobalNetworkPolicy` and
/// `validateStagedKubernetesNetworkPolicy` in `libcalico-go/lib/validator/v3/validator.go`:
/// "Spec fields, except Tier, should all be zero-value if stagedAction is Delete"; the
/// Kubernetes kind has no tier).
fn staged_action(p: &CalicoPolicy, out: &mut Out) {
    let Some(a) = &p.staged_action else {
        return;
    };
    if a.value != "Set" && a.value != "Delete" {
        out.push(
            a.span,
            "spec.stagedAction",
            format!("`{}` is not `Set` or `Delete`", a.value),
        );
    } else if let Some(field) = p.staged_content.as_ref().filter(|_| p.stages_deletion()) {
        let but = if p.kubernetes.is_some() {
            "`stagedAction`"
        } else {
            "its tier"
        };
        out.push(
            field.span,
            format!("spec.{}", field.value),
            format!(
                "a staged deletion has nothing in its spec but {but}: `{}` must go",
                field.value
            ),
        );
    }
}

/// Every violation in a Tier.
pub fn tier(t: &CalicoTier) -> Vec<Violation> {
    let mut out = Out { items: Vec::new() };
    if !dns_label(&t.name) {
        out.push(
            t.name_span,
            "metadata.name",
            format!("`{}` is not a valid tier name (a DNS label)", t.name),
        );
    }
    if let Some(a) = &t.default_action
        && a.value != "Deny"
        && a.value != "Pass"
    {
        out.push(
            a.span,
            "spec.defaultAction",
            format!("`{}` is not `Deny` or `Pass`", a.value),
        );
    }
    out.items
}

/// Every violation in a network set.
pub fn network_set(s: &NetworkSet) -> Vec<Violation> {
    let mut out = Out { items: Vec::new() };
    for (i, n) in s.nets.iter().enumerate() {
        let ok = parse_cidr(&n.value).is_ok() || n.value.parse::<std::net::IpAddr>().is_ok();
        if !ok {
            out.push(
                n.span,
                format!("spec.nets[{i}]"),
                format!("`{}` is not a CIDR or an IP address", n.value),
            );
        }
    }
    if s.labels.contains_key(super::selector::NAMESPACE_LABEL) {
        out.push(
            s.span,
            "metadata.labels",
            "the label projectcalico.org/namespace is reserved",
        );
    }
    out.items
}

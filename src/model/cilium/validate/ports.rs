//! The checks of ports and protocols: `toPorts` items (port numbers and names as the agent
//! reads them, protocols, ranges, layer-7 rules, TLS and listeners) and `icmps` fields.

use super::Out;
use super::rule::Section;
use crate::model::cilium::{IcmpRule, PortProtocol, PortRule};

/// The values of `toPorts[].ports[].protocol`: the CRD's enum on `api.L4Proto` (`l4.go`),
/// case-sensitive. Absent means ANY.
pub const PROTOCOLS: [&str; 8] = [
    "TCP", "UDP", "SCTP", "ICMP", "ICMPV6", "VRRP", "IGMP", "ANY",
];

/// `maxPorts` (`rule_validation_helpers.go`) and the CRD's `maxItems` on `ports`.
const MAX_PORTS: usize = 40;
/// `maxICMPFields` (`rule_validation_helpers.go`) and the CRD's `maxItems` on `fields`.
const MAX_ICMP_FIELDS: usize = 40;

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

pub(super) fn icmp_rule(ic: &IcmpRule, path: &str, out: &mut Out) {
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

pub(super) fn port_rule(r: &PortRule, path: &str, s: Section, out: &mut Out) {
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

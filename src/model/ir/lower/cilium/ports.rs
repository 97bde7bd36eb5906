//! The ports of a Cilium rule: `toPorts` (protocols, numbers, names, ranges), `icmps`, and
//! the caveats of what the L3/L4 decision leaves to others (layer-7 rules, TLS, SNI, mutual
//! authentication).

use crate::model::Protocol;
use crate::model::cilium::{PeerRule, PortRule};
use crate::model::ir::{PortItem, PortKind, PortMatch};

/// The ports of a rule.
pub(super) fn ports(r: &PeerRule, caveats: &mut Vec<String>) -> PortMatch {
    let to_ports = r.to_ports.as_deref().unwrap_or(&[]);
    let icmps = r.icmps.as_deref().unwrap_or(&[]);
    if to_ports.is_empty() && icmps.is_empty() {
        if let Some(a) = &r.authentication {
            caveats.push(auth_caveat(&a.value));
        }
        return PortMatch::All;
    }
    let mut items = Vec::new();
    for pr in to_ports {
        items.extend(port_items(pr));
        l7_caveats(pr, caveats);
    }
    for i in icmps {
        items.push(PortItem {
            kind: PortKind::Nothing(format!("ICMP {}", i.fields.join(", "))),
            span: i.span,
        });
    }
    if let Some(a) = &r.authentication {
        caveats.push(auth_caveat(&a.value));
    }
    PortMatch::Any(items)
}

fn auth_caveat(mode: &str) -> String {
    format!(
        "authentication mode {mode}: the connection also needs mutual authentication between the two identities (SPIFFE), not evaluated here"
    )
}

fn port_items(pr: &PortRule) -> Vec<PortItem> {
    if pr.ports.is_empty() {
        return [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
            .into_iter()
            .map(|p| PortItem {
                kind: PortKind::Range(p, 1, 65535),
                span: pr.span,
            })
            .collect();
    }
    let mut out = Vec::new();
    for pp in &pr.ports {
        let protos: Vec<Protocol> = match pp
            .protocol
            .as_ref()
            .map(|p| p.value.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("ANY") | Some("") => vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp],
            Some("TCP") => vec![Protocol::Tcp],
            Some("UDP") => vec![Protocol::Udp],
            Some("SCTP") => vec![Protocol::Sctp],
            Some(other) => {
                out.push(PortItem {
                    kind: PortKind::Nothing(format!("protocol {other}")),
                    span: pp.span,
                });
                continue;
            }
        };
        let port = pp.port.as_ref().map(|p| p.value.trim());
        match port {
            None | Some("") | Some("0") => {
                for p in protos {
                    out.push(PortItem {
                        kind: PortKind::Range(p, 1, 65535),
                        span: pp.span,
                    });
                }
            }
            // `strconv.ParseUint(port, 0, 16)` first (`010` is 8, `0x50` is 80); what does not
            // parse is a port name, compared in lower case (`l4.go`).
            Some(text) => match crate::model::cilium::validate::go_port_number(text)
                .map(u16::try_from)
                .ok_or(())
            {
                Ok(Ok(0)) => {
                    for p in protos {
                        out.push(PortItem {
                            kind: PortKind::Range(p, 1, 65535),
                            span: pp.span,
                        });
                    }
                }
                Ok(Ok(n)) => {
                    let end = pp
                        .end_port
                        .as_ref()
                        .and_then(|e| u16::try_from(e.value).ok())
                        .filter(|&e| e > n)
                        .unwrap_or(n);
                    for p in protos {
                        out.push(PortItem {
                            kind: PortKind::Range(p, n, end),
                            span: pp.span,
                        });
                    }
                }
                Ok(Err(_)) => out.push(PortItem {
                    kind: PortKind::Nothing(format!("port {text}")),
                    span: pp.span,
                }),
                Err(()) => {
                    let proto = (protos.len() == 1).then(|| protos[0]);
                    out.push(PortItem {
                        kind: PortKind::Named(text.to_ascii_lowercase(), proto),
                        span: pp.span,
                    });
                }
            },
        }
    }
    out
}

fn l7_caveats(pr: &PortRule, caveats: &mut Vec<String>) {
    let ports: Vec<String> = pr
        .ports
        .iter()
        .map(|p| {
            let port = p.port.as_ref().map_or("all", |p| p.value.as_str());
            match &p.protocol {
                Some(proto) => format!("{} {port}", proto.value),
                None => format!("ANY {port}"),
            }
        })
        .collect();
    let on = if ports.is_empty() {
        "every port".to_string()
    } else {
        ports.join(", ")
    };
    for l7 in &pr.l7 {
        let what = if l7.items.is_empty() {
            "nothing".to_string()
        } else {
            l7.items.join("; ")
        };
        caveats.push(format!(
            "L7 {} on {on}: the connection is allowed, then Cilium's proxy lets through only requests matching: {what}",
            l7.protocol
        ));
    }
    if !pr.server_names.is_empty() {
        let names: Vec<&str> = pr.server_names.iter().map(|s| s.value.as_str()).collect();
        caveats.push(format!(
            "serverNames on {on}: only TLS connections whose SNI is one of {} pass",
            names.join(", ")
        ));
    }
    if let Some(t) = &pr.tls {
        caveats.push(format!(
            "{} on {on}: TLS is intercepted by Cilium's proxy (not evaluated here)",
            t.value
        ));
    }
}

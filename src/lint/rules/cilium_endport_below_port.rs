//! ## What it finds
//! A `toPorts[].ports[]` item of a Cilium policy whose `endPort` is below its `port`
//! (`port: "8080", endPort: 80`). An `endPort` equal to `port`, or 0 (unset), describes the
//! one port and is not reported; neither is an `endPort` with a port name or port 0 (every
//! port). Only applied policies are judged, and only when Cilium enforces them.
//!
//! ## Why it matters
//! Neither the API server nor the agent refuses it: Cilium reads a range whose end is not
//! above its start as the single port (`PortRangeToMaskedPorts`), so the rule allows (or
//! denies) `port` alone, not the range that was meant. Kubernetes refuses the same mistake
//! in a NetworkPolicy; Cilium lets it through silently.
//!
//! ## Example
//! ```yaml
//! egress:
//! - toEndpoints: [{matchLabels: {app: cache}}]
//!   toPorts:
//!   - ports:
//!     - {port: "7005", endPort: 7000, protocol: TCP}   # only 7005
//! ```
//!
//! ## Use instead
//! ```yaml
//! egress:
//! - toEndpoints: [{matchLabels: {app: cache}}]
//!   toPorts:
//!   - ports:
//!     - {port: "7000", endPort: 7005, protocol: TCP}
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::cilium::validate::go_port_number;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP906",
    name: "cilium-endport-below-port",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a Cilium port range whose endPort is below its port: Cilium allows the single port",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (idx, p) in cx.cilium_policies() {
        for spec in &p.specs {
            let lists = [
                ("ingress", spec.ingress.as_deref()),
                ("ingressDeny", spec.ingress_deny.as_deref()),
                ("egress", spec.egress.as_deref()),
                ("egressDeny", spec.egress_deny.as_deref()),
            ];
            for (field, list) in lists {
                for r in list.into_iter().flatten() {
                    for (i, pr) in r.to_ports.iter().flatten().enumerate() {
                        for (j, pp) in pr.ports.iter().enumerate() {
                            let (Some(port), Some(end)) = (&pp.port, &pp.end_port) else {
                                continue;
                            };
                            let Some(n) = go_port_number(port.value.trim()) else {
                                continue;
                            };
                            if n == 0 || end.value <= 0 || end.value >= i64::from(n) {
                                continue;
                            }
                            out.push(
                                Finding::new(
                                    &RULE,
                                    Subject::CiliumPolicy(idx),
                                    end.span,
                                    format!(
                                        "{}: {}.{field}[{}].toPorts[{i}].ports[{j}]: endPort {} is below port {}: Cilium ignores it and matches port {n} alone",
                                        p.id(),
                                        spec.label,
                                        r.index,
                                        end.value,
                                        port.value
                                    ),
                                )
                                .related(port.span, format!("port {}", port.value))
                                .help(format!(
                                    "for the range {}–{n}, write `port: \"{}\", endPort: {n}`; for the one port, remove `endPort`",
                                    end.value, end.value
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_end_port_below_its_port() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "26:33: CiliumNetworkPolicy shop/api: spec.egress[0].toPorts[0].ports[0]: endPort 7000 is below port 7005: Cilium ignores it and matches port 7005 alone",
                "37:40: CiliumClusterwideNetworkPolicy no-high-ports: specs[0].ingressDeny[0].toPorts[0].ports[0]: endPort 30000 is below port 65535: Cilium ignores it and matches port 65535 alone",
            ]
        );
    }

    #[test]
    fn suggests_the_range_the_other_way_round() {
        assert_eq!(
            details(&RULE, "bad.yaml")[0],
            "26:33: CiliumNetworkPolicy shop/api: spec.egress[0].toPorts[0].ports[0]: endPort 7000 is below port 7005: Cilium ignores it and matches port 7005 alone\n  26:16: port 7005\n  help: for the range 7000–7005, write `port: \"7000\", endPort: 7005`; for the one port, remove `endPort`"
        );
    }

    #[test]
    fn ranges_single_ports_and_named_ports_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

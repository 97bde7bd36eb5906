//! ## What it finds
//! A `ports` item whose `port`–`endPort` range spans more than 1,000 ports, in an ingress or
//! egress rule in effect. The finding points at the port item.
//!
//! ## Why it matters
//! A rule is meant to open the ports an application uses; a range of thousands opens
//! whatever else listens there too — debug endpoints, admin consoles, sidecars, databases
//! bound to all interfaces — now or after the next deployment. Wide ranges usually stand
//! in for "I did not know which port", and are rarely revisited.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from: [{podSelector: {matchLabels: {app: frontend}}}]
//!   ports:
//!   - {port: 1024, endPort: 65535}
//! ```
//!
//! ## Use instead
//! List the ports the application listens on; a named port follows the container's
//! definition:
//! ```yaml
//! ingress:
//! - from: [{podSelector: {matchLabels: {app: frontend}}}]
//!   ports:
//!   - {port: http}
//!   - {port: 9090}
//! ```

use crate::base::value::IntOrString;
use crate::lint::risk::thousands;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP407",
    name: "wide-port-range",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "a port range (endPort) spanning more than 1,000 ports",
    check,
};

/// The widest range that passes.
const MAX_PORTS: i64 = 1000;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (idx, policy) in cx.cluster.applied_policies() {
        for dir in Direction::BOTH {
            for rule in policy.effective_rules(dir) {
                for (i, port) in rule.port_list().iter().enumerate() {
                    let (Some(IntOrString::Int(start)), Some(end)) =
                        (port.port.as_ref().map(|p| &p.value), &port.end_port)
                    else {
                        continue;
                    };
                    let count = end.value - start + 1;
                    if count <= MAX_PORTS {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            &RULE,
                            Subject::Policy(idx),
                            port.span,
                            format!(
                                "{} ports[{i}]: {} opens {} ports",
                                cx.np_rule_name(idx, rule),
                                port.describe(),
                                thousands(count as u64)
                            ),
                        )
                        .help("list the ports the application uses (a named port follows the container's definition); keep a range only for a protocol that needs one"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_wide_port_item() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "11:7: shop/api ingress[0] ports[1]: TCP 1024-65535 opens 64,512 ports",
                "15:7: shop/api egress[0] ports[0]: UDP 30000-31000 opens 1,001 ports",
            ]
        );
    }

    #[test]
    fn narrow_ranges_and_rules_not_in_effect_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

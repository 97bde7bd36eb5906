//! ## What it finds
//! A rule of an AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy that
//! is never reached: an earlier rule of the same policy, or a rule of a policy of the same tier
//! with a lower priority number whose subject contains this policy's subject, matches all of
//! its peers and ports first. Decided from the selectors, for any cluster; the earlier rule is
//! named. Whatever its action (Allow, Deny or Pass), the earlier rule decides first.
//!
//! ## Why it matters
//! Cluster-wide rules are ordered, first match wins: a rule written below a wider one does
//! nothing at all. That is usually a deny meant to carve an exception out of a later allow,
//! written in the wrong order — so the traffic it was meant to stop flows.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - name: allow-cluster
//!   action: Allow
//!   from: [{namespaces: {}}]
//! - name: deny-untrusted            # never reached: allow-cluster matched first
//!   action: Deny
//!   from: [{namespaces: {matchLabels: {trust: low}}}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - name: deny-untrusted
//!   action: Deny
//!   from: [{namespaces: {matchLabels: {trust: low}}}]
//! - name: allow-cluster
//!   action: Allow
//!   from: [{namespaces: {}}]
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::Source;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP604",
    name: "shadowed-cluster-rule",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a cluster-wide rule that an earlier or higher-priority rule always matches first",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let ir = &cx.cluster.ir;
    for s in cx.shadows() {
        let (p, q) = (&ir.policies[s.rule.0], &ir.policies[s.by.0]);
        let Source::ClusterPolicy(ci) = p.source else {
            continue;
        };
        let (rule, by) = (cx.ir_rule(s.rule), cx.ir_rule(s.by));
        let who = if s.by.0 == s.rule.0 {
            format!("rule {}", by.label)
        } else {
            format!("{} rule {}", q.label(), by.label)
        };
        out.push(
            Finding::new(
                &RULE,
                Subject::ClusterPolicy(ci),
                rule.span,
                format!(
                    "{} rule {} is never reached: {who} matches all of its traffic first",
                    p.label(),
                    rule.label
                ),
            )
            .related(by.span, format!("{who}, which decides first"))
            .help("move this rule above the wider one, or remove it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn a_rule_below_a_wider_one_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "10:5: ANP cluster prio 10 rule ingress[1] \"deny-untrusted\" is never reached: rule ingress[0] \"allow-cluster\" matches all of its traffic first",
                "21:5: ANP team prio 20 rule ingress[0] is never reached: ANP cluster prio 10 rule ingress[0] \"allow-cluster\" matches all of its traffic first",
            ]
        );
    }

    #[test]
    fn narrower_first_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

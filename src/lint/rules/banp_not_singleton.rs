//! ## What it finds
//! A BaselineAdminNetworkPolicy not named `default`, or a second one named `default`. The
//! API makes the BANP a singleton: the CRD refuses any other name, and a second object with
//! the name replaces the first.
//!
//! ## Why it matters
//! A BANP under another name is refused, so the cluster's baseline (often "namespaces are
//! closed to each other by default") silently does not exist; two `default` objects in one
//! repository mean whichever is applied last wins, and the other's rules are lost.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy.networking.k8s.io/v1alpha1
//! kind: BaselineAdminNetworkPolicy
//! metadata: {name: baseline}         # must be `default`
//! spec:
//!   subject: {namespaces: {}}
//!   ingress:
//!   - {action: Deny, from: [{namespaces: {}}]}
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: policy.networking.k8s.io/v1alpha1
//! kind: BaselineAdminNetworkPolicy
//! metadata: {name: default}
//! spec:
//!   subject: {namespaces: {}}
//!   ingress:
//!   - {action: Deny, from: [{namespaces: {}}]}
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::NotApplied;
use crate::model::cluster_policy::ClusterPolicyKind;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP602",
    name: "banp-not-singleton",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a BaselineAdminNetworkPolicy not named default, or more than one",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    cx.cluster_violation_findings(&RULE, out);
    for (i, p) in cx.cluster.cluster_policies.iter().enumerate() {
        if p.kind != ClusterPolicyKind::Banp {
            continue;
        }
        if let Some(NotApplied::Replaced { by }) = cx.cluster.cluster_not_applied.get(&i) {
            let later = &cx.cluster.cluster_policies[*by];
            out.push(
                Finding::new(&RULE, Subject::ClusterPolicy(*by), later.name_span, "a second BaselineAdminNetworkPolicy named default replaces the first: there can be only one")
                    .related(p.name_span, "the BaselineAdminNetworkPolicy it replaces")
                    .help("merge the rules of both into one object named default"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn another_name_or_a_second_default_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "3:18: BaselineAdminNetworkPolicy baseline: metadata.name: a BaselineAdminNetworkPolicy must be named `default`, not `baseline`",
                "17:18: a second BaselineAdminNetworkPolicy named default replaces the first: there can be only one",
            ]
        );
    }

    #[test]
    fn one_default_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

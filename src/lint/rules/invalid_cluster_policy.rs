//! ## What it finds
//! An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy that its CRD's
//! validation refuses: a priority outside 0–1000, an action the kind does not have (`Accept`
//! in an ANP, `Pass` in a BANP, `Allow` in a CNP), a rule without peers, a peer setting no
//! known field, a CIDR that is not one, a port out of range or a range whose start is not
//! below its end, a named port next to `nodes` or `networks` peers, more rules than allowed
//! (100 per direction, 25 for a CNP), a bad selector.
//!
//! ## Why it matters
//! The API server refuses the object, so the cluster-wide guard rail it was meant to be —
//! often the one that protects everything else — does not exist. Namespaced policies below it
//! then decide alone.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy.networking.k8s.io/v1alpha1
//! kind: AdminNetworkPolicy
//! metadata: {name: deny-db}
//! spec:
//!   priority: 1500                  # 0–1000
//!   subject: {namespaces: {}}
//!   ingress:
//!   - action: Accept                # an ANP says Allow
//!     from: [{namespaces: {}}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   priority: 15
//!   subject: {namespaces: {}}
//!   ingress:
//!   - action: Allow
//!     from: [{namespaces: {}}]
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP601",
    name: "invalid-cluster-policy",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "an AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy its CRD refuses",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    cx.cluster_violation_findings(&RULE, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_refused_field() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "5:13: AdminNetworkPolicy deny-db: spec.priority: 1500 is out of range 0-1000",
                "8:13: AdminNetworkPolicy deny-db: spec.ingress[0].action: `Accept` is not an action of AdminNetworkPolicy (Allow, Deny, Pass)",
                "13:18: AdminNetworkPolicy deny-db: spec.egress[0].to[0].networks[0]: `10.0.0.0/40` is not a CIDR: prefix length 40 is over 32",
                "14:42: AdminNetworkPolicy deny-db: spec.egress[0].ports: the range end 80 must be greater than its start 90",
                "24:13: ClusterNetworkPolicy cnp: spec.ingress[0].action: `Allow` is not an action of ClusterNetworkPolicy (Accept, Deny, Pass)",
            ]
        );
    }

    #[test]
    fn valid_policies_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! A pod or workload that no applied NetworkPolicy selects for ingress, for egress, or for
//! both: a policy isolates a pod for a direction only when it is in the pod's namespace, its
//! `podSelector` matches the pod's labels, and the direction is in its effective
//! `policyTypes`. One finding per pod or workload, naming the open directions.
//! `hostNetwork` pods are left out: no NetworkPolicy can select them.
//!
//! ## Why it matters
//! NetworkPolicies are allow lists that only apply to the pods they select; every other pod
//! accepts connections from anywhere and may connect anywhere. A pod that was forgotten — a
//! new workload, or a label that no longer matches a policy — is wide open, and nothing in
//! the cluster says so.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: prometheus, namespace: monitoring}
//! spec:
//!   selector: {matchLabels: {app: prometheus}}
//!   template:
//!     metadata: {labels: {app: prometheus}}
//!     spec:
//!       containers: [{name: prometheus, image: prom/prometheus}]
//! # ...and no NetworkPolicy in monitoring selects app=prometheus
//! ```
//!
//! ## Use instead
//! Isolate every pod of the namespace with a default deny, then allow what each needs:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: default-deny, namespace: monitoring}
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress, Egress]
//! ```

use crate::lint::risk::governed;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP401",
    name: "pod-not-isolated",
    severity: Severity::Info,
    category: Category::Risk,
    summary: "a pod or workload that no policy selects, for ingress or egress",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (i, ep) in cluster.endpoints.iter().enumerate() {
        if ep.host_network {
            continue;
        }
        let open: Vec<Direction> = Direction::BOTH
            .into_iter()
            .filter(|&d| !governed(cluster, i, d))
            .collect();
        let (message, types) = match open.as_slice() {
            [] => continue,
            [Direction::Ingress] => (
                format!(
                    "{} is not isolated for ingress: no policy selects it, so any source may connect to it",
                    ep.id()
                ),
                "Ingress",
            ),
            [Direction::Egress] => (
                format!(
                    "{} is not isolated for egress: no policy selects it, so it may connect anywhere",
                    ep.id()
                ),
                "Egress",
            ),
            _ => (
                format!(
                    "{} is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
                    ep.id()
                ),
                "Ingress, Egress",
            ),
        };
        out.push(
            Finding::new(&RULE, Subject::Endpoint(i), ep.name_span, message).help(format!(
                "a policy in {} with `podSelector: {{}}` and `policyTypes: [{types}]` and no rules isolates every pod there; then allow what each needs",
                ep.namespace
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn names_each_open_direction_at_the_workload() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "4:9: web/deploy/open is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
                "16:9: web/deploy/half is not isolated for egress: no policy selects it, so it may connect anywhere",
                "28:9: web/loose is not isolated for ingress: no policy selects it, so any source may connect to it",
            ]
        );
    }

    #[test]
    fn isolated_and_host_network_pods_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_workload_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

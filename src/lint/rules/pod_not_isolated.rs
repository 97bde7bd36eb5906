//! ## What it finds
//! A pod or workload that no applied NetworkPolicy selects for ingress, for egress, or for
//! both: a policy isolates a pod for a direction only when it is in the pod's namespace, its
//! `podSelector` matches the pod's labels, and the direction is in its effective
//! `policyTypes`. The pods and workloads of one namespace open in the same directions share
//! that cause and make one finding, at the first of them, with the count and the list of
//! them (one each when the annotation silences some); a lone one is named in the message.
//! `hostNetwork` pods are left out: no NetworkPolicy can select them. In the namespaces of
//! the cluster's own components (`kube-system`...) the help says what isolating them would
//! break rather than advise it.
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

use crate::lint::group::{Group, Noun};
use crate::lint::risk::{governed, system_namespace};
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
    let index = cx.index();
    for (i, ep) in cluster.endpoints.iter().enumerate() {
        if ep.host_network {
            continue;
        }
        let open: Vec<Direction> = Direction::BOTH
            .into_iter()
            .filter(|&d| !governed(cluster, index, i, d))
            .collect();
        let (message, group, types) = match open.as_slice() {
            [] => continue,
            [Direction::Ingress] => (
                format!(
                    "{} is not isolated for ingress: no policy selects it, so any source may connect to it",
                    ep.id()
                ),
                format!(
                    "{{n}} pods and workloads of namespace {} are not isolated for ingress: no policy selects them, so any source may connect to them",
                    ep.namespace
                ),
                "Ingress",
            ),
            [Direction::Egress] => (
                format!(
                    "{} is not isolated for egress: no policy selects it, so it may connect anywhere",
                    ep.id()
                ),
                format!(
                    "{{n}} pods and workloads of namespace {} are not isolated for egress: no policy selects them, so they may connect anywhere",
                    ep.namespace
                ),
                "Egress",
            ),
            _ => (
                format!(
                    "{} is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
                    ep.id()
                ),
                format!(
                    "{{n}} pods and workloads of namespace {} are not isolated: no policy selects them for ingress or egress, so all traffic to and from them is allowed",
                    ep.namespace
                ),
                "Ingress, Egress",
            ),
        };
        out.push(
            Finding::new(&RULE, Subject::Endpoint(i), ep.name_span, message)
                .help(match system_namespace(&ep.namespace) {
                    None => format!(
                        "a policy in {} with `podSelector: {{}}` and `policyTypes: [{types}]` and no rules isolates every pod there; then allow what each needs",
                        ep.namespace
                    ),
                    Some(breaks) => format!(
                        "{} is a system namespace: before isolating its pods, know that {breaks}",
                        ep.namespace
                    ),
                })
                .grouped(Group {
                    key: format!("{}/{types}", ep.namespace),
                    message: group,
                    member: ep.id(),
                    unit: Noun("pod or workload", "pods and workloads"),
                    scope: Some((Noun("namespace", "namespaces"), ep.namespace.clone())),
                }),
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
    fn pods_of_one_namespace_open_the_same_way_make_one_finding() {
        assert_eq!(
            crate::lint::testing::members(&RULE, "grouped.yaml"),
            [
                "6:18: 3 pods and workloads of namespace shop are not isolated: no policy selects them for ingress or egress, so all traffic to and from them is allowed\n  members: shop/cart 6:18, shop/deploy/web 11:18, shop/search 20:18",
                "34:18: shop/api is not isolated for ingress: no policy selects it, so any source may connect to it",
                "46:18: lab/notebook is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
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

//! ## What it finds
//! A selector requirement on a label that no Cilium identity carries, in an
//! `endpointSelector` or a `fromEndpoints`/`toEndpoints` selector of a Cilium policy:
//! - a label Cilium's default identity label filter leaves out: `pod-template-hash`,
//!   `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`,
//!   `apps.kubernetes.io/pod-index`, `batch.kubernetes.io/job-completion-index`, and the
//!   other `kubernetes.io/...`, `k8s.io/...` and `io.kubernetes...` keys
//!   (`app.kubernetes.io/...` is kept);
//! - a label of a source pods do not have (`container:`, `cidr:`...).
//!
//! With `In` or `Exists` the selector matches no pod; with `NotIn` or `DoesNotExist` the
//! requirement always holds and excludes nothing. When Cilium enforces Kubernetes
//! NetworkPolicies too, their `podSelector`s (of the policy and of its peers) are judged the
//! same way, since Cilium turns them into selectors over the same identities. Only applied
//! policies, and only when Cilium enforces them.
//!
//! ## Why it matters
//! Cilium selects pods by their security identity, built from their labels after the label
//! filter has dropped the ones that change with every rollout or pod (docs.cilium.io
//! "Limiting Identity-Relevant Labels"). A selector on such a label looks right next to
//! `kubectl get pods --show-labels`, but selects nothing: a policy meant to pin one
//! ReplicaSet or one StatefulSet replica applies to no pod, a peer allows nothing.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: db-primary, namespace: shop}
//! spec:
//!   endpointSelector:
//!     matchLabels: {statefulset.kubernetes.io/pod-name: db-0}   # dropped from identities
//!   ingress:
//!   - fromEndpoints: [{matchLabels: {app: api}}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! # label the primary in the pod template (or have the operator do it): role=primary
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: db-primary, namespace: shop}
//! spec:
//!   endpointSelector:
//!     matchLabels: {app: db, role: primary}
//!   ingress:
//!   - fromEndpoints: [{matchLabels: {app: api}}]
//! ```

use crate::lint::scope::peer_path;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::lower::cilium::{IdentityKey, filtered_out, identity_key};
use crate::model::labels::{Operator, Requirement};
use crate::model::{Cni, Direction, LabelSelector};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP908",
    name: "cilium-filtered-label",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a selector on a label no Cilium identity carries (pod-template-hash, statefulset.kubernetes.io/pod-name...)",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    if cluster.cni != Cni::Cilium {
        return;
    }
    for (idx, p) in cx.cilium_policies() {
        let subject = Subject::CiliumPolicy(idx);
        for spec in &p.specs {
            let mut selectors: Vec<(String, &LabelSelector)> = Vec::new();
            if let Some(sel) = &spec.endpoint_selector {
                selectors.push((format!("{}.endpointSelector", spec.label), sel));
            }
            let lists = [
                ("ingress", "from", spec.ingress.as_deref()),
                ("ingressDeny", "from", spec.ingress_deny.as_deref()),
                ("egress", "to", spec.egress.as_deref()),
                ("egressDeny", "to", spec.egress_deny.as_deref()),
            ];
            for (field, prefix, list) in lists {
                for r in list.into_iter().flatten() {
                    for (j, sel) in r.endpoints.iter().flatten().enumerate() {
                        selectors.push((
                            format!("{}.{field}[{}].{prefix}Endpoints[{j}]", spec.label, r.index),
                            sel,
                        ));
                    }
                }
            }
            for (path, sel) in selectors {
                for req in sel.requirements() {
                    if let IdentityKey::Absent(why) = identity_key(&req.key) {
                        let head = format!("{}: {path} {sel}", p.id());
                        out.push(finding(subject, &head, &req, &why));
                    }
                }
            }
        }
    }
    for (idx, p) in cluster.applied_policies() {
        let subject = Subject::Policy(idx);
        let mut selectors: Vec<(String, &LabelSelector)> =
            vec![(format!("{}: spec.podSelector", p.id()), &p.pod_selector)];
        for dir in Direction::BOTH {
            for rule in p.effective_rules(dir) {
                for peer in rule.peer_list() {
                    if let Some(sel) = &peer.pod_selector {
                        selectors.push((format!("{} podSelector", peer_path(p, rule, peer)), sel));
                    }
                }
            }
        }
        for (head, sel) in selectors {
            for req in sel.requirements() {
                if filtered_out(&req.key) {
                    let why = format!(
                        "Cilium enforces it over identities, and `{}` is left out of them by the default label filter: no pod carries it",
                        req.key
                    );
                    out.push(finding(subject, &format!("{head} {sel}"), &req, &why));
                }
            }
        }
    }
}

fn finding(subject: Subject, head: &str, req: &Requirement, why: &str) -> Finding {
    let effect = match req.op {
        Operator::In | Operator::Exists => "the selector matches no pod",
        Operator::NotIn | Operator::DoesNotExist => {
            "the requirement always holds and excludes nothing"
        }
    };
    let help = if why.contains("label filter") {
        "select by a label of the pod template (`app`, `app.kubernetes.io/name`, a role label the operator sets), or make Cilium keep this one (agent option `--labels`, Helm value `labels`)"
    } else {
        "pod labels are of source `k8s`: write the key without a prefix or with `k8s:`"
    };
    Finding::new(
        &RULE,
        subject,
        req.span,
        format!("{head}: {why}, so {effect}"),
    )
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_requirement_on_a_label_no_identity_carries() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "29:19: CiliumNetworkPolicy shop/db-primary: spec.endpointSelector {statefulset.kubernetes.io/pod-name=db-0}: `statefulset.kubernetes.io/pod-name` is left out of Cilium identities by the default label filter: no pod carries it, so the selector matches no pod",
                "32:50: CiliumNetworkPolicy shop/db-primary: spec.ingress[0].fromEndpoints[0] {app.kubernetes.io/name=api, pod-template-hash=5d8f7c}: `pod-template-hash` is left out of Cilium identities by the default label filter: no pod carries it, so the selector matches no pod",
                "43:7: CiliumNetworkPolicy shop/api: spec.endpointSelector {app.kubernetes.io/name=api, !controller-revision-hash}: `controller-revision-hash` is left out of Cilium identities by the default label filter: no pod carries it, so the requirement always holds and excludes nothing",
                "46:21: CiliumNetworkPolicy shop/api: spec.egress[0].toEndpoints[0] {container:app=db}: `container:app`: pods carry labels of source k8s, not container, so the selector matches no pod",
                "54:19: shop/canary: spec.podSelector {pod-template-hash=5d8f7c}: Cilium enforces it over identities, and `pod-template-hash` is left out of them by the default label filter: no pod carries it, so the selector matches no pod",
            ]
        );
    }

    #[test]
    fn says_what_to_select_by_instead() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "\n  help: select by a label of the pod template (`app`, `app.kubernetes.io/name`, a role label the operator sets), or make Cilium keep this one (agent option `--labels`, Helm value `labels`)"
        ));
        assert!(d[3].ends_with(
            "\n  help: pod labels are of source `k8s`: write the key without a prefix or with `k8s:`"
        ));
    }

    #[test]
    fn identity_labels_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

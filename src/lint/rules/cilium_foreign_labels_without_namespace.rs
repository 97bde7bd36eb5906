//! ## What it finds
//! In a CiliumNetworkPolicy, a `fromEndpoints`/`toEndpoints` selector that names no
//! namespace (no `io.kubernetes.pod.namespace` key, no `io.cilium.k8s.namespace.labels.*`
//! key, no `reserved:` label), matches no pod of the policy's namespace, and matches pods of
//! other namespaces of the input. Judged only when the policy's namespace holds at least one
//! pod or workload of the input; only applied policies, and only when Cilium enforces them.
//!
//! ## Why it matters
//! Cilium confines an endpoint selector of a namespaced policy to the policy's namespace
//! unless the selector names one (`getEndpointSelector` adds the policy's namespace to it).
//! Labels that only pods of another namespace carry (`app: prometheus` for the monitoring
//! stack, `k8s-app: kube-dns` for the cluster DNS) then match nothing: the allow lets
//! nothing in, the deny keeps nothing out. A CiliumClusterwideNetworkPolicy would have
//! matched them, which is often where the selector was copied from.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - fromEndpoints:
//!     - matchLabels: {app: prometheus}       # looked for in shop only
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - fromEndpoints:
//!     - matchLabels:
//!         app: prometheus
//!         k8s:io.kubernetes.pod.namespace: monitoring
//! ```

use std::collections::BTreeSet;

use crate::engine::Party;
use crate::engine::matching::{cond_holds, term_fails};
use crate::lint::risk::name_list;
use crate::lint::scope::Scope;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::cilium::{CiliumKind, PeerRule};
use crate::model::ir::lower::cilium::{NAMESPACE_LABELS, POD_NAMESPACE};
use crate::model::ir::{Source, Term, Test};
use crate::model::{Cluster, Cni, Direction, LabelSelector};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP907",
    name: "cilium-foreign-labels-without-namespace",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a CiliumNetworkPolicy endpoint selector naming no namespace that matches pods of other namespaces only",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    if cluster.cni != Cni::Cilium {
        return;
    }
    let scope = Scope::new(cx);
    for (idx, p) in cx.cilium_policies() {
        let Some(ns) = p.namespace.as_deref() else {
            continue;
        };
        if p.kind != CiliumKind::NetworkPolicy || !scope.has_endpoints_named(ns) {
            continue;
        }
        for (k, spec) in p.specs.iter().enumerate() {
            for dir in Direction::BOTH {
                let (prefix, deny_field) = match dir {
                    Direction::Ingress => ("from", "ingressDeny"),
                    Direction::Egress => ("to", "egressDeny"),
                };
                let lists: [(&str, Option<&[PeerRule]>, bool); 2] = [
                    (dir.field(), spec.allows(dir), false),
                    (deny_field, spec.denies(dir), true),
                ];
                for (field, list, deny) in lists {
                    let Some(lowered) = cluster.ir.policy_of(Source::Cilium {
                        policy: idx,
                        spec: k,
                        deny,
                    }) else {
                        continue;
                    };
                    let rules = &cluster.ir.policies[lowered].dir(dir).rules;
                    for r in list.into_iter().flatten() {
                        for (j, sel) in r.endpoints.iter().flatten().enumerate() {
                            if names_namespace(sel) {
                                continue;
                            }
                            let Some(term) = rules
                                .iter()
                                .filter(|x| x.index == r.index)
                                .flat_map(|x| x.peer.terms())
                                .find(|t| t.span == sel.span)
                            else {
                                continue;
                            };
                            let Some(elsewhere) = elsewhere(cluster, ns, term) else {
                                continue;
                            };
                            let path = format!(
                                "{}.{field}[{}].{prefix}Endpoints[{j}]",
                                spec.label, r.index
                            );
                            out.push(finding(cluster, idx, &path, sel, ns, &elsewhere));
                        }
                    }
                }
            }
        }
    }
}

/// Whether the selector names the namespace (`io.kubernetes.pod.namespace` or a namespace
/// label, of source k8s or any) or selects by reserved labels: then Cilium does not confine
/// it to the policy's namespace.
fn names_namespace(sel: &LabelSelector) -> bool {
    sel.match_labels
        .iter()
        .map(|(k, _)| k.value.as_str())
        .chain(sel.match_expressions.iter().map(|e| e.key.value.as_str()))
        .any(|k| {
            let (source, key) = k.split_once(':').unwrap_or(("any", k));
            source == "reserved"
                || (matches!(source, "k8s" | "any")
                    && (key == POD_NAMESPACE || key.starts_with(NAMESPACE_LABELS)))
        })
}

/// The pods of other namespaces the term would match without its namespace condition, when
/// it matches none in the policy's namespace.
fn elsewhere(cluster: &Cluster, ns: &str, term: &Term) -> Option<Vec<usize>> {
    let pods = || {
        cluster
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.host_network)
            .map(|(i, _)| i)
    };
    if pods().any(|e| term_fails(cluster, term, Party::Endpoint(e)).is_none()) {
        return None;
    }
    let found: Vec<usize> = pods()
        .filter(|&e| cluster.endpoints[e].namespace != ns)
        .filter(|&e| {
            term.conds
                .iter()
                .filter(|c| !matches!(c.test, Test::Namespace(_)))
                .all(|c| cond_holds(cluster, c, Party::Endpoint(e)))
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

fn finding(
    cluster: &Cluster,
    idx: usize,
    path: &str,
    sel: &LabelSelector,
    ns: &str,
    elsewhere: &[usize],
) -> Finding {
    let p = &cluster.cilium_policies[idx];
    let names: Vec<String> = elsewhere
        .iter()
        .map(|&e| cluster.endpoints[e].id())
        .collect();
    let namespaces: BTreeSet<&str> = elsewhere
        .iter()
        .map(|&e| cluster.endpoints[e].namespace.as_str())
        .collect();
    let namespaces: Vec<&str> = namespaces.into_iter().collect();
    let help = match namespaces.as_slice() {
        [one] => format!("to select them, add `k8s:{POD_NAMESPACE}: {one}` to its matchLabels"),
        many => format!(
            "to select them, add `{{key: k8s:{POD_NAMESPACE}, operator: In, values: [{}]}}` to its matchExpressions",
            many.join(", ")
        ),
    };
    Finding::new(
        &RULE,
        Subject::CiliumPolicy(idx),
        sel.span,
        format!(
            "{}: {path} {sel} names no namespace, so Cilium looks for it in the policy's namespace {ns} only, where no pod matches (it would match {})",
            p.id(),
            name_list(&names, 3)
        ),
    )
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_selector_meant_for_another_namespace() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "65:7: CiliumNetworkPolicy shop/api: spec.ingress[0].fromEndpoints[1] {app=prometheus} names no namespace, so Cilium looks for it in the policy's namespace shop only, where no pod matches (it would match monitoring/prometheus)",
                "70:7: CiliumNetworkPolicy shop/api: spec.ingressDeny[0].fromEndpoints[0] {app=worker} names no namespace, so Cilium looks for it in the policy's namespace shop only, where no pod matches (it would match team-a/worker and team-b/worker)",
                "73:7: CiliumNetworkPolicy shop/api: spec.egress[0].toEndpoints[0] {k8s:k8s-app=kube-dns} names no namespace, so Cilium looks for it in the policy's namespace shop only, where no pod matches (it would match kube-system/coredns)",
            ]
        );
    }

    #[test]
    fn says_which_namespace_label_to_add() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "\n  help: to select them, add `k8s:io.kubernetes.pod.namespace: monitoring` to its matchLabels"
        ));
        assert!(d[1].ends_with(
            "\n  help: to select them, add `{key: k8s:io.kubernetes.pod.namespace, operator: In, values: [team-a, team-b]}` to its matchExpressions"
        ));
    }

    #[test]
    fn selectors_naming_their_namespace_or_matching_at_home_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

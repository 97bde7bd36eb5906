//! ## What it finds
//! A CiliumClusterwideNetworkPolicy rule (`spec`, or an item of `specs`) whose
//! `endpointSelector` is `{}`, or matches every pod of the input, kube-system's included
//! (judged only when the input has pods in `kube-system`). It applies to every pod of every
//! namespace: the cluster's own components (DNS, CNI and ingress controllers, operators) as
//! much as the applications.
//!
//! It is a warning when the rule isolates the pods: a non-empty `ingress`, `ingressDeny`,
//! `egress` or `egressDeny` list puts every pod it selects in default deny for that
//! direction, unless `enableDefaultDeny` says false — a rule with only `egressDeny` (say, to
//! block the cloud metadata service) isolates too. It is informational when it isolates
//! nothing (`enableDefaultDeny` false for every direction it has rules in). Only applied
//! policies are judged, and only when Cilium enforces them.
//!
//! ## Why it matters
//! Once a pod is in default deny, whatever no policy allows is dropped. A cluster-wide rule
//! meant to add one allow or one deny for the applications also cuts kube-system's pods off
//! from what they need (the API server, the nodes, the DNS upstreams), which breaks the
//! cluster in ways far from the policy: failing probes, DNS timeouts, controllers that stop
//! reconciling.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumClusterwideNetworkPolicy
//! metadata: {name: deny-metadata}
//! spec:
//!   endpointSelector: {}               # every pod, kube-system's too
//!   egressDeny:                        # ...and puts them all in default deny for egress
//!   - toCIDR: [169.254.169.254/32]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumClusterwideNetworkPolicy
//! metadata: {name: deny-metadata}
//! spec:
//!   endpointSelector:
//!     matchExpressions:
//!     - {key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}
//!   enableDefaultDeny: {egress: false}   # only deny this, isolate nothing
//!   egressDeny:
//!   - toCIDR: [169.254.169.254/32]
//! ```

use crate::engine::matching::source_selects;
use crate::lint::risk::name_list;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;
use crate::model::cilium::{CiliumKind, CiliumRule};
use crate::model::ir::Source;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP904",
    name: "cilium-ccnp-selects-everything",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "a CiliumClusterwideNetworkPolicy selecting every pod of every namespace, kube-system's included",
    check,
};

const SYSTEM_NAMESPACE: &str = "kube-system";

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (idx, p) in cx.cilium_policies() {
        if p.kind != CiliumKind::ClusterwideNetworkPolicy {
            continue;
        }
        for (k, spec) in p.specs.iter().enumerate() {
            let Some(sel) = &spec.endpoint_selector else {
                continue;
            };
            let selects = |e: usize| {
                [false, true].into_iter().any(|deny| {
                    source_selects(
                        cluster,
                        Source::Cilium {
                            policy: idx,
                            spec: k,
                            deny,
                        },
                        e,
                    )
                })
            };
            let pods: Vec<usize> = cluster
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.host_network)
                .map(|(i, _)| i)
                .collect();
            let system: Vec<String> = pods
                .iter()
                .filter(|&&e| cluster.endpoints[e].namespace == SYSTEM_NAMESPACE && selects(e))
                .map(|&e| cluster.endpoints[e].id())
                .collect();
            let everything =
                sel.is_empty() || (!system.is_empty() && pods.iter().all(|&e| selects(e)));
            if !everything {
                continue;
            }
            let what = if sel.is_empty() {
                "selects every pod in every namespace, kube-system's included".to_string()
            } else {
                "matches every pod of the input, kube-system's included".to_string()
            };
            let among = if system.is_empty() {
                String::new()
            } else {
                format!(" ({} among them)", name_list(&system, 3))
            };
            let head = format!(
                "{}: {}.endpointSelector {sel}: {what}{among}",
                p.id(),
                spec.label
            );
            let isolated: Vec<Direction> = Direction::BOTH
                .into_iter()
                .filter(|&d| isolates(spec, d))
                .collect();
            let subject = Subject::CiliumPolicy(idx);
            let f = if isolated.is_empty() {
                let mut f = Finding::new(
                    &RULE,
                    subject,
                    sel.span,
                    format!(
                        "{head}: its rules apply to all of them (with `enableDefaultDeny` false it isolates none)"
                    ),
                )
                .help(format!(
                    "if it is meant for the applications only, leave the system namespaces out: {}",
                    not_system()
                ));
                f.severity = Severity::Info;
                f
            } else {
                let dirs: Vec<&str> = isolated.iter().map(|d| d.field()).collect();
                let dirs = dirs.join(" and ");
                let off: Vec<String> = isolated
                    .iter()
                    .map(|d| format!("{}: false", d.field()))
                    .collect();
                Finding::new(
                    &RULE,
                    subject,
                    sel.span,
                    format!(
                        "{head}, and puts them all in default deny for {dirs}: what no policy allows is dropped, for the cluster's own components too"
                    ),
                )
                .help(format!(
                    "leave the system namespaces out ({}), or, if the rule is only meant to add what it says, set `enableDefaultDeny: {{{}}}`",
                    not_system(),
                    off.join(", ")
                ))
            };
            out.push(f);
        }
    }
}

/// Whether the rule puts the pods it selects in default deny for a direction.
fn isolates(spec: &CiliumRule, d: Direction) -> bool {
    let enforced = spec.allows(d).is_some_and(|l| !l.is_empty())
        || spec.denies(d).is_some_and(|l| !l.is_empty());
    enforced && spec.default_deny(d).is_none_or(|b| b.value)
}

fn not_system() -> String {
    format!(
        "add `{{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [{SYSTEM_NAMESPACE}]}}` to its matchExpressions"
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::Severity;
    use crate::lint::testing::{details, findings};

    fn severities(fixture: &str) -> Vec<(u32, Severity)> {
        crate::lint::testing::severities(&RULE, fixture)
    }

    #[test]
    fn points_at_each_selector_of_every_pod() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "32:21: CiliumClusterwideNetworkPolicy deny-metadata: spec.endpointSelector {}: selects every pod in every namespace, kube-system's included (kube-system/coredns among them), and puts them all in default deny for egress: what no policy allows is dropped, for the cluster's own components too",
                "42:5: CiliumClusterwideNetworkPolicy lockdown: specs[0].endpointSelector {app!=legacy}: matches every pod of the input, kube-system's included (kube-system/coredns among them), and puts them all in default deny for ingress: what no policy allows is dropped, for the cluster's own components too",
                "52:21: CiliumClusterwideNetworkPolicy no-smtp: spec.endpointSelector {}: selects every pod in every namespace, kube-system's included (kube-system/coredns among them): its rules apply to all of them (with `enableDefaultDeny` false it isolates none)",
            ]
        );
    }

    #[test]
    fn isolating_warns_and_adding_rules_only_informs() {
        assert_eq!(
            severities("bad.yaml"),
            [
                (32, Severity::Warning),
                (42, Severity::Warning),
                (52, Severity::Info)
            ]
        );
    }

    #[test]
    fn says_how_to_leave_the_system_out() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "\n  help: leave the system namespaces out (add `{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}` to its matchExpressions), or, if the rule is only meant to add what it says, set `enableDefaultDeny: {egress: false}`"
        ));
        assert!(d[2].ends_with(
            "\n  help: if it is meant for the applications only, leave the system namespaces out: add `{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}` to its matchExpressions"
        ));
    }

    #[test]
    fn narrower_selectors_and_namespaced_policies_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

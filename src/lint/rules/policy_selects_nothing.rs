//! ## What it finds
//! A policy whose `spec.podSelector` matches no pod or workload of its namespace in the
//! input, or only hostNetwork pods (which no policy selects).
//!
//! The namespace must hold at least one pod or workload in the input: a namespace without
//! any is taken as not given (the input is often one application's manifests), and its
//! policies are not judged. To lint policies against workloads kept elsewhere, give those
//! manifests with `--topology`.
//!
//! The pods the prometheus-operator creates from the `Prometheus`, `PrometheusAgent`,
//! `Alertmanager` and `ThanosRuler` resources of the input count, with the labels it gives
//! them. When the namespace holds another custom resource (a `Kafka`, a `postgresql`...),
//! whose operator may create pods the files do not hold, the finding is an info, not a
//! warning: the policy selects no pod *in these files*, and the note names the resource
//! that may create them. With `--closed-world` (the files are the whole cluster, as a dump
//! is) it stays a warning.
//!
//! ## Why it matters
//! A policy that selects no pod does nothing: it isolates nothing and allows nothing. It is
//! usually a label typo, labels taken from the Deployment's own `metadata.labels` rather than
//! its pod template's, or a policy left behind after a rename — and the pods it was written
//! for are not protected.
//!
//! ## Example
//! ```yaml
//! # the Deployment's pod template is labelled app: checkout
//! kind: NetworkPolicy
//! metadata: {name: checkout, namespace: shop}
//! spec:
//!   podSelector:
//!     matchLabels: {app: check-out}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//! ```
//!
//! ## Use instead
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: checkout, namespace: shop}
//! spec:
//!   podSelector:
//!     matchLabels: {app: checkout}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: web}}
//! ```

use crate::lint::World;
use crate::lint::scope::{Scope, closest_miss, list};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::PodSource;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP203",
    name: "policy-selects-nothing",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a policy whose podSelector matches no pod of its namespace in the input",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let scope = Scope::new(cx);
    for (idx, p) in cx.cluster.applied_policies() {
        if !scope.has_endpoints_named(&p.namespace) {
            continue;
        }
        let in_ns: Vec<_> = scope.endpoints_in(&p.namespace).map(|(_, e)| e).collect();
        if in_ns.iter().any(|e| cx.cluster.selects(p, e)) {
            continue;
        }
        let sel = &p.pod_selector;
        let host: Vec<String> = in_ns
            .iter()
            .filter(|e| e.host_network && sel.matches(&e.labels))
            .map(|e| e.id())
            .collect();
        let finding = if host.is_empty() {
            // Pods an operator may create from a custom resource of the namespace, which the
            // files do not hold (unless they are the whole cluster).
            let sources: Vec<&PodSource> = if cx.world == World::Open {
                cx.cluster.pod_sources_in(&p.namespace).collect()
            } else {
                Vec::new()
            };
            let in_files = if sources.is_empty() {
                ""
            } else {
                " in these files"
            };
            let mut f = Finding::new(
                &RULE,
                Subject::Policy(idx),
                sel.span,
                format!(
                    "{}: podSelector {sel} matches no pod or workload in namespace {}{in_files}",
                    p.id(),
                    p.namespace
                ),
            );
            if !sources.is_empty() {
                f.severity = Severity::Info;
                f = f.notes(vec![may_create_them(&sources, false)]).for_input();
            }
            let closest = closest_miss(
                sel,
                in_ns
                    .iter()
                    .filter(|e| !e.host_network)
                    .map(|e| (e.id(), &e.labels)),
            );
            match closest {
                Some(c) => f.help(format!("the closest is {c}")),
                None => f,
            }
        } else {
            Finding::new(
                &RULE,
                Subject::Policy(idx),
                sel.span,
                format!(
                    "{}: podSelector {sel} matches only hostNetwork pods ({}), which no policy selects",
                    p.id(),
                    list(&host)
                ),
            )
            .help("hostNetwork pods share their node's network namespace: NetworkPolicy does not apply to them")
        };
        out.push(finding);
    }
}

/// The note naming the custom resources that may create the pods a selector looks for:
/// `Kafka my-cluster in this namespace may create them: ...`, or `Kafka my-cluster in
/// namespace shop may create them: ...` with `name_namespaces` (a selector looking in
/// several namespaces).
pub(crate) fn may_create_them(sources: &[&PodSource], name_namespaces: bool) -> String {
    let names: Vec<String> = sources
        .iter()
        .map(|s| {
            if name_namespaces {
                format!("{} {} in namespace {}", s.kind, s.name, s.namespace)
            } else {
                format!("{} {}", s.kind, s.name)
            }
        })
        .collect();
    let place = if name_namespaces {
        ""
    } else {
        " in this namespace"
    };
    let who = if sources.len() == 1 {
        "its operator creates"
    } else {
        "their operators create"
    };
    format!(
        "{}{place} may create them: {who} pods at run time, which these files do not hold (with --closed-world the files are taken as the whole cluster)",
        list(&names)
    )
}

/// The notes of findings, for the fixture tests of this rule and peer-selects-nothing.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashSet;

    use crate::lint::{Config, Context, RuleDef, RunOptions, run};
    use crate::load::{LoadOptions, load};
    use crate::model::Cluster;

    /// The findings of `rule` on `testdata/rules/<rule-name>/<fixture>` (open world), each
    /// as `line:col: message`, then its notes.
    pub fn notes(rule: &'static RuleDef, fixture: &str) -> Vec<Vec<String>> {
        let path = format!(
            "{}/testdata/rules/{}/{fixture}",
            env!("CARGO_MANIFEST_DIR"),
            rule.name
        );
        let loaded = load(&[path], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let cluster = Cluster::build(loaded.objects);
        let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
        let only: HashSet<&str> = [rule.name].into();
        run(&cx, &Config::only(&only), &RunOptions::default())
            .iter()
            .map(|f| {
                let pos = loaded.sources.start(f.span);
                let mut lines = vec![format!("{}:{}: {}", pos.line, pos.column, f.message)];
                lines.extend(f.notes.iter().cloned());
                lines
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::Severity;
    use crate::lint::testing::{findings, findings_closed, severities};

    #[test]
    fn points_at_the_selector_of_each_policy_selecting_nothing() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "32:5: shop/checkout: podSelector {app=check-out} matches no pod or workload in namespace shop",
                "43:16: shop/agent: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which no policy selects",
            ]
        );
    }

    #[test]
    fn policies_selecting_a_pod_or_in_namespaces_without_pods_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn help_names_the_closest_workload() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "32:5: shop/checkout: podSelector {app=check-out} matches no pod or workload in namespace shop",
                    "help: the closest is shop/deploy/checkout: app=checkout, not check-out",
                ],
                [
                    "43:16: shop/agent: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which no policy selects",
                    "help: hostNetwork pods share their node's network namespace: NetworkPolicy does not apply to them",
                ],
            ]
        );
    }

    #[test]
    fn pods_the_prometheus_operator_creates_count() {
        // kube-prometheus' policies select the pods the operator creates from the Prometheus
        // and Alertmanager resources: not findings (issue 16). The grafana policy selects
        // nothing: the expanded pods do not make the namespace a source of unknown pods.
        let found = findings(&RULE, "operators.yaml");
        assert_eq!(
            found[0],
            "47:5: monitoring/grafana: podSelector {app.kubernetes.io/name=grafana} matches no pod or workload in namespace monitoring"
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn in_a_namespace_with_a_custom_resource_it_is_an_info_naming_the_resource() {
        assert_eq!(
            super::testing::notes(&RULE, "operators.yaml")[1],
            [
                "70:5: shop/kafka: podSelector {strimzi.io/cluster=my-cluster, strimzi.io/kind=Kafka} matches no pod or workload in namespace shop in these files",
                "Kafka my-cluster in this namespace may create them: its operator creates pods at run time, which these files do not hold (with --closed-world the files are taken as the whole cluster)",
            ]
        );
        assert_eq!(
            severities(&RULE, "operators.yaml"),
            [(47, Severity::Warning), (70, Severity::Info)]
        );
    }

    #[test]
    fn with_a_closed_world_it_stays_a_warning() {
        assert_eq!(
            findings_closed(&RULE, "operators.yaml"),
            [
                "47:5: monitoring/grafana: podSelector {app.kubernetes.io/name=grafana} matches no pod or workload in namespace monitoring",
                "70:5: shop/kafka: podSelector {strimzi.io/cluster=my-cluster, strimzi.io/kind=Kafka} matches no pod or workload in namespace shop",
            ]
        );
    }
}

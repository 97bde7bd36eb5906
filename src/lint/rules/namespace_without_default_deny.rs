//! ## What it finds
//! A namespace that runs pods or workloads in the input but has no default-deny policy for
//! ingress, for egress, or for both. A default deny for a direction is an applied policy of
//! the namespace with `podSelector: {}` and the direction in its effective `policyTypes`: it
//! isolates every pod of the namespace there, whatever rules it then has (the usual one-policy
//! lockdown that lets only DNS out counts), unless a rule allows every peer on every port.
//! Careful with the defaults: `podSelector: {}` alone denies ingress; `egress: []` without
//! `policyTypes` does *not* deny egress (without `policyTypes`, Egress is in effect only when
//! there are egress rules). Only namespaces the input describes are judged (declared by a
//! Namespace object, or, when it declares none, holding its workloads; see `--closed-world`):
//! a DaemonSet put in kube-system does not make kube-system the repository's to lock down.
//! The finding points at the Namespace object, or at the namespace's first pod or workload
//! when the input has no Namespace object, and names the missing direction: ingress, egress,
//! or both.
//!
//! Namespaces of the cluster's own components are not locked down like an application's: in
//! `kube-system` a default deny breaks DNS for every pod of the cluster (CoreDNS serves it
//! from there) unless the right allows come first; `kube-public` and `kube-node-lease` are
//! meant to hold no pods; `calico-apiserver` and `openshift-dns` serve the API server and the
//! cluster's DNS. There the finding is an info that says what a default deny would break,
//! instead of a warning advising one.
//!
//! ## Why it matters
//! Without a default deny, every pod that no policy happens to select is open — and the
//! next workload deployed to the namespace is open from day one. A default deny makes
//! isolation the rule and each allowed connection an explicit exception.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: default-deny-ingress, namespace: monitoring}
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress]      # egress is left open
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: default-deny, namespace: monitoring}
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress, Egress]
//! ```
//! then one policy per workload allowing what it needs (including DNS egress).

use crate::lint::World;
use crate::lint::risk::{default_deny, system_namespace};
use crate::lint::suppress::ANNOTATION;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::{Direction, NsId};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP402",
    name: "namespace-without-default-deny",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "a namespace with pods but no default-deny policy for ingress or egress",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (id, ns) in cluster.namespaces.iter().enumerate() {
        let id = id as NsId;
        if cx.world == World::Open && !cluster.describes_namespace(&ns.name) {
            continue;
        }
        let Some(first) = cx
            .index()
            .endpoints_in(id)
            .iter()
            .map(|&e| &cluster.endpoints[e])
            .filter(|e| !e.host_network && !e.is_described())
            .min_by_key(|e| (e.span.file, e.span.start))
        else {
            continue;
        };
        let missing: Vec<Direction> = Direction::BOTH
            .into_iter()
            .filter(|&d| !default_deny(cluster, cx.index(), id, d))
            .collect();
        let (dirs, types, name) = match missing.as_slice() {
            [] => continue,
            [Direction::Ingress] => (
                "for ingress (egress has one)",
                "Ingress",
                "default-deny-ingress",
            ),
            [Direction::Egress] => (
                "for egress (ingress has one)",
                "Egress",
                "default-deny-egress",
            ),
            _ => (
                "for ingress and none for egress",
                "Ingress, Egress",
                "default-deny",
            ),
        };
        let span = ns.name_span.unwrap_or(first.name_span);
        let mut f = match system_namespace(&ns.name) {
            None => Finding::new(
                &RULE,
                Subject::Namespace(id),
                span,
                format!(
                    "namespace {} has no default-deny policy {dirs}: its pods are open unless a policy selects them",
                    ns.name
                ),
            )
            .help(format!(
                "add `{{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {{name: {name}, namespace: {}}}, spec: {{podSelector: {{}}, policyTypes: [{types}]}}}}`",
                ns.name
            )),
            Some(breaks) => {
                let mut f = Finding::new(
                    &RULE,
                    Subject::Namespace(id),
                    span,
                    format!(
                        "namespace {} has no default-deny policy {dirs}; it is a system namespace, not locked down like an application's",
                        ns.name
                    ),
                )
                .help(format!(
                    "{breaks}; if you keep it open on purpose, annotate the Namespace `{ANNOTATION}: {}`",
                    RULE.name
                ));
                f.severity = Severity::Info;
                f
            }
        };
        // Policies that select every pod and look like a default deny, but are not one.
        for (_, p) in cluster.policies_in(id) {
            if !p.pod_selector.is_empty() {
                continue;
            }
            for &d in &missing {
                let list = match d {
                    Direction::Ingress => &p.ingress,
                    Direction::Egress => &p.egress,
                };
                if p.affects(d) {
                    f = f.related(
                        list.as_ref().map_or(p.span, |l| l.span),
                        format!(
                            "{} selects every pod for {d} but allows every peer on every port: not a default deny",
                            p.id()
                        ),
                    );
                } else if let Some(list) = list {
                    f = f.related(
                        list.span,
                        format!(
                            "{}: `{d}` is written but {} is not in its effective policyTypes, so it denies no {d}",
                            p.id(),
                            d.as_str()
                        ),
                    );
                }
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn says_which_directions_lack_a_default_deny() {
        // web's policy selects every pod both ways and allows its own namespace: it isolates,
        // so it is a default deny (issue 16). `implied` is only implied by a workload beside
        // declared namespaces: not the input's to judge unless it is the whole cluster.
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "4:9: namespace monitoring has no default-deny policy for egress (ingress has one): its pods are open unless a policy selects them",
            ]
        );
        assert_eq!(
            crate::lint::testing::findings_closed(&RULE, "bad.yaml"),
            [
                "4:9: namespace monitoring has no default-deny policy for egress (ingress has one): its pods are open unless a policy selects them",
                "20:9: namespace implied has no default-deny policy for ingress (egress has one): its pods are open unless a policy selects them",
            ]
        );
    }

    #[test]
    fn relates_the_policies_that_almost_count_and_helps_with_the_missing_one() {
        let d = details(&RULE, "bad.yaml");
        assert_eq!(
            d[0],
            "4:9: namespace monitoring has no default-deny policy for egress (ingress has one): its pods are open unless a policy selects them\n  59:11: monitoring/default-deny-egress: `egress` is written but Egress is not in its effective policyTypes, so it denies no egress\n  help: add `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny-egress, namespace: monitoring}, spec: {podSelector: {}, policyTypes: [Egress]}}`"
        );
        assert_eq!(d.len(), 1, "{d:?}");
    }

    #[test]
    fn system_namespaces_get_an_info_saying_what_a_default_deny_breaks() {
        use crate::lint::Severity::{Info, Warning};
        let d = details(&RULE, "system.yaml");
        assert_eq!(
            d,
            [
                "4:18: namespace kube-system has no default-deny policy for ingress and none for egress; it is a system namespace, not locked down like an application's\n  help: a default deny there breaks DNS for every pod in the cluster unless a policy lets every namespace in to CoreDNS (k8s-app=kube-dns) on UDP and TCP 53, and CoreDNS out to the API server and the upstream resolvers; metrics-server (kubectl top, autoscaling) needs the API server let in; if you keep it open on purpose, annotate the Namespace `netpol.kubectl.dev/ignore: namespace-without-default-deny`",
                "17:18: namespace kube-node-lease has no default-deny policy for ingress and none for egress; it is a system namespace, not locked down like an application's\n  help: it is meant to hold no pods (only the nodes' heartbeat Leases): move these pods to a namespace of their own rather than lock it down; if you keep it open on purpose, annotate the Namespace `netpol.kubectl.dev/ignore: namespace-without-default-deny`",
                "27:18: namespace shop has no default-deny policy for ingress and none for egress: its pods are open unless a policy selects them\n  help: add `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: shop}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}`",
            ]
        );
        assert_eq!(
            crate::lint::testing::severities(&RULE, "system.yaml"),
            [(4, Info), (17, Info), (27, Warning)]
        );
    }

    #[test]
    fn default_denies_in_every_spelling_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_namespace_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

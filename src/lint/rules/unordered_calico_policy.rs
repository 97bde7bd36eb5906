//! ## What it finds
//! A Calico NetworkPolicy or GlobalNetworkPolicy without `order` in a tier where an ordered
//! policy — a Calico policy with `order`, or a Kubernetes NetworkPolicy, which Calico puts in
//! the `default` tier with order 1000 — applies to a common pod or workload of the input in
//! the same direction.
//!
//! That the policy runs after the ordered ones is true in any cluster; that they apply to a
//! common endpoint is decided from the pods of the input.
//!
//! ## Why it matters
//! Calico runs the policies of a tier by ascending `order`, and a policy without one after
//! every ordered policy of its tier (among the unordered ones, by name). The first rule that
//! matches decides, so an unordered policy meant as an exception — an Allow before a
//! catch-all Deny — never gets to act on what an ordered policy already denied, and one meant
//! as a guard rail comes after every Kubernetes NetworkPolicy of the `default` tier. Where
//! the policy lands is not visible in the manifest, and reviewers rarely know the rule.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: deny-web-ingress}
//! spec:
//!   order: 100
//!   selector: app == 'web'
//!   ingress:
//!   - action: Deny
//! ---
//! apiVersion: projectcalico.org/v3
//! kind: NetworkPolicy
//! metadata: {name: allow-web, namespace: shop}
//! spec:                           # no order: runs after deny-web-ingress
//!   selector: app == 'web'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: app == 'frontend'
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: NetworkPolicy
//! metadata: {name: allow-web, namespace: shop}
//! spec:
//!   order: 50                     # before deny-web-ingress
//!   selector: app == 'web'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: app == 'frontend'
//! ```

use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::matching::matches;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;
use crate::model::ir::{Policy, PolicyId, Source};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP804",
    name: "unordered-calico-policy",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "a Calico policy without order that runs after an ordered policy applying to the same pods",
    check,
};

/// The order Calico gives Kubernetes NetworkPolicies in the `default` tier.
const KUBERNETES_ORDER: f64 = 1000.0;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let ir = &cluster.ir;
    let selects = |p: &Policy, e: usize| matches(cluster, &p.subject, Party::Endpoint(e));
    for t in 0..ir.tiers.len() {
        let policies: Vec<(PolicyId, &Policy)> = ir.tier_policies(t).collect();
        for &(_, p) in &policies {
            let Source::Calico(i) = p.source else {
                continue;
            };
            let cp = &cluster.calico_policies[i];
            if cp.order.is_some() || cp.kubernetes.is_some() {
                continue;
            }
            let mine: Vec<usize> = (0..cluster.endpoints.len())
                .filter(|&e| selects(p, e))
                .collect();
            if mine.is_empty() {
                continue;
            }
            // The last ordered policy of the tier sharing an endpoint and a direction.
            let before = policies.iter().rev().find_map(|&(_, q)| {
                let (label, at) = ordered(cx, q)?;
                let d = Direction::BOTH
                    .into_iter()
                    .find(|&d| p.dir(d).applies && q.dir(d).applies)?;
                let e = mine.iter().copied().find(|&e| selects(q, e))?;
                Some((label, at, d, e))
            });
            let Some((label, at, d, e)) = before else {
                continue;
            };
            out.push(
                Finding::new(
                    &RULE,
                    Subject::CalicoPolicy(i),
                    cp.name_span,
                    format!(
                        "{} {} has no order, so it runs after every ordered policy of tier {}: after {label}, which in this input also applies to {} for {}",
                        cp.kind.as_str(),
                        cp.id(),
                        ir.tiers[t].name,
                        cluster.endpoints[e].id(),
                        d.field(),
                    ),
                )
                .related(at, format!("{label}, which runs first"))
                .help("give it an explicit `order`: lower values run first in the tier"),
            );
        }
    }
}

/// An ordered policy of a tier: how messages name it (with its order) and where its order
/// is written (its name for a Kubernetes NetworkPolicy). None for a policy without order.
fn ordered(cx: &Context, q: &Policy) -> Option<(String, Span)> {
    match q.source {
        Source::NetworkPolicy(k) => Some((
            format!(
                "Kubernetes NetworkPolicy {} (order {KUBERNETES_ORDER})",
                cx.cluster.policies[k].id()
            ),
            q.name_span,
        )),
        Source::Calico(j) => {
            let c = &cx.cluster.calico_policies[j];
            let (order, at) = match (&c.order, &c.kubernetes) {
                (_, Some(_)) => (KUBERNETES_ORDER, c.name_span),
                (Some(o), None) => (o.value, o.span),
                (None, None) => return None,
            };
            Some((
                format!("{} {} (order {order})", c.kind.as_str(), c.id()),
                at,
            ))
        }
        Source::ClusterPolicy(_)
        | Source::NamespaceIsolation(_)
        | Source::Cilium { .. }
        | Source::CiliumEnforcement
        | Source::CiliumLocalhost => None,
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn an_unordered_policy_after_an_ordered_one_on_the_same_pod_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "23:18: NetworkPolicy shop/allow-web has no order, so it runs after every ordered policy of tier default: after GlobalNetworkPolicy deny-web-ingress (order 100), which in this input also applies to shop/web for ingress",
                "41:18: GlobalNetworkPolicy db-egress-guard has no order, so it runs after every ordered policy of tier default: after Kubernetes NetworkPolicy shop/db (order 1000), which in this input also applies to shop/db for egress",
            ]
        );
    }

    #[test]
    fn ordered_policies_and_unordered_ones_alone_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ordered_policy_is_related() {
        assert_eq!(
            details(&RULE, "bad.yaml"),
            [
                "23:18: NetworkPolicy shop/allow-web has no order, so it runs after every ordered policy of tier default: after GlobalNetworkPolicy deny-web-ingress (order 100), which in this input also applies to shop/web for ingress\n  15:10: GlobalNetworkPolicy deny-web-ingress (order 100), which runs first\n  help: give it an explicit `order`: lower values run first in the tier",
                "41:18: GlobalNetworkPolicy db-egress-guard has no order, so it runs after every ordered policy of tier default: after Kubernetes NetworkPolicy shop/db (order 1000), which in this input also applies to shop/db for egress\n  33:18: Kubernetes NetworkPolicy shop/db (order 1000), which runs first\n  help: give it an explicit `order`: lower values run first in the tier",
            ]
        );
    }
}

//! ## What it finds
//! A `Pass` rule — of a Calico policy, or of an AdminNetworkPolicy or ClusterNetworkPolicy of
//! tier Admin — whose traffic no later tier decides: for every pod or workload of the input
//! that the rule's policy applies to in the rule's direction (and, for a Calico rule, that
//! its own side matches: `destination` of an ingress rule, `source` of an egress one), no
//! policy of any later tier applies to it in that direction. What the rule passes then reaches the end of the tiers,
//! where it is allowed: by the namespace's profile with Calico, by default without.
//!
//! Which policies apply to which pods depends on the pods and policies loaded, so the finding
//! is about this input: a policy elsewhere in the cluster may be the one meant to decide. A
//! rule whose policy applies to no pod of the input is not judged.
//!
//! ## Why it matters
//! `Pass` means "not for this tier to decide": it skips the rest of the tier and hands the
//! connection to the next tier that has a policy for the endpoint. With none, nobody decides
//! and the connection is allowed — the same as `Allow`, but reading as if something further
//! down were in charge. Often the policy that should decide was never written, was written in
//! a tier that runs earlier, or selects other pods; or the author meant `Allow` and the
//! weaker word hides it from review.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: pass-db}
//! spec:
//!   tier: security
//!   order: 100
//!   selector: app == 'db'
//!   ingress:
//!   - action: Pass            # no policy of a later tier selects app == 'db'
//!     source:
//!       selector: app == 'api'
//!   - action: Deny
//! ```
//!
//! ## Use instead
//! Write `Allow` when the traffic is meant to be allowed here:
//! ```yaml
//! spec:
//!   tier: security
//!   order: 100
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: app == 'api'
//!   - action: Deny
//! ```
//! or add the policy of a later tier that decides it:
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     protocol: TCP
//!     source:
//!       selector: app == 'api'
//!     destination:
//!       ports: [5432]
//! ```

use crate::engine::Party;
use crate::engine::matching::matches;
use crate::lint::scope::list;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;
use crate::model::ir::{Action, Source, dir_index};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP803",
    name: "pass-to-nothing",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a Pass rule whose traffic no later tier decides, so that it is allowed",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let ir = &cluster.ir;
    let has_pass = ir.policies.iter().any(|p| {
        p.dirs
            .iter()
            .any(|d| d.applies && d.rules.iter().any(|r| r.action == Action::Pass))
    });
    if !has_pass {
        return;
    }
    let n = cluster.endpoints.len();
    // The endpoints each policy applies to.
    let selected: Vec<Vec<bool>> = ir
        .policies
        .iter()
        .map(|p| {
            (0..n)
                .map(|e| matches(cluster, &p.subject, Party::Endpoint(e)))
                .collect()
        })
        .collect();
    // later[t][d][e]: some policy of a tier after `t` applies to `e` in direction `d`.
    let mut later = vec![[vec![false; n], vec![false; n]]; ir.tiers.len()];
    for t in (0..ir.tiers.len().saturating_sub(1)).rev() {
        let mut next = later[t + 1].clone();
        for (pid, p) in ir.tier_policies(t + 1) {
            for d in Direction::BOTH {
                if p.dir(d).applies {
                    let covered = &mut next[dir_index(d)];
                    for (c, &s) in covered.iter_mut().zip(&selected[pid]) {
                        *c |= s;
                    }
                }
            }
        }
        later[t] = next;
    }
    let calico = cluster.ir.calico;
    let end = if calico {
        "allowed by the namespace profile"
    } else {
        "allowed by default"
    };
    for (pid, p) in ir.policies.iter().enumerate() {
        for d in Direction::BOTH {
            if !p.dir(d).applies {
                continue;
            }
            for r in p.dir(d).rules.iter().filter(|r| r.action == Action::Pass) {
                let applies: Vec<usize> = (0..n)
                    .filter(|&e| {
                        selected[pid][e]
                            && r.local
                                .as_ref()
                                .is_none_or(|m| matches(cluster, m, Party::Endpoint(e)))
                    })
                    .collect();
                if applies.is_empty() || applies.iter().any(|&e| later[p.tier][dir_index(d)][e]) {
                    continue;
                }
                let names: Vec<String> =
                    applies.iter().map(|&e| cluster.endpoints[e].id()).collect();
                out.push(
                    Finding::new(
                        &RULE,
                        Subject::of(p.source),
                        action_span(cx, p.source, d, r.index).unwrap_or(r.span),
                        format!(
                            "{} passes to no later tier for {} in this input: no policy of a later tier applies to {} for {}, so what it passes is {end}",
                            cx.rule_name((pid, d, r.index)),
                            list(&names),
                            if names.len() == 1 { "it" } else { "them" },
                            d.field(),
                        ),
                    )
                    .help("write `Allow` if allowing it is meant, or add the policy of a later tier that should decide"),
                );
            }
        }
    }
}

/// The rule's `action` as written, where the finding points.
fn action_span(
    cx: &Context,
    source: Source,
    d: Direction,
    index: usize,
) -> Option<crate::base::span::Span> {
    match source {
        Source::Calico(i) => cx.cluster.calico_policies[i]
            .rules(d)
            .iter()
            .find(|r| r.index == index)?
            .action
            .as_ref()
            .map(|a| a.span),
        Source::ClusterPolicy(i) => cx.cluster.cluster_policies[i]
            .rules(d)
            .iter()
            .find(|r| r.index == index)
            .map(|r| r.action.span),
        Source::NetworkPolicy(_)
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
    fn a_pass_that_no_later_tier_decides_is_reported() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "29:13: GlobalNetworkPolicy pass-db (tier t1, order 100) ingress[0] passes to no later tier for a/db in this input: no policy of a later tier applies to it for ingress, so what it passes is allowed by the namespace profile",
                "44:13: GlobalNetworkPolicy pass-web (tier t1, order 200) egress[0] passes to no later tier for a/web in this input: no policy of a later tier applies to it for egress, so what it passes is allowed by the namespace profile",
            ]
        );
    }

    #[test]
    fn passes_a_later_tier_decides_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn admin_network_policy_passes_too() {
        assert_eq!(
            details(&RULE, "anp.yaml"),
            [
                "27:13: ANP pass-b prio 10 ingress[0] passes to no later tier for b/cli in this input: no policy of a later tier applies to it for ingress, so what it passes is allowed by default\n  help: write `Allow` if allowing it is meant, or add the policy of a later tier that should decide"
            ]
        );
    }
}

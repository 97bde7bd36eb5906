//! ## What it finds
//! What the policy model meets in the input but does not evaluate, or evaluates only with a
//! caveat: a `doNotTrack` or `preDNAT` GlobalNetworkPolicy (it applies to host endpoints only,
//! which are not simulated), a policy in a tier that has no Tier object in the input (it is
//! evaluated after every other tier, ending in Deny, as Calico treats a missing tier), a rule
//! naming a Service that is not in the input or has no selector (it matches no backend
//! here).
//!
//! These are the warnings every command prints; `check` reports them as findings so that
//! they can fail a run, be configured and be excluded like any other. They are reported in
//! `--topology` files too: what is not evaluated there changes what is found elsewhere.
//!
//! ## Why it matters
//! Every answer of the simulator — reachability, expectations, the shadow and redundancy
//! rules — is only as complete as the model. Where part of the input is left out, a
//! connection may be allowed or denied in the cluster for a reason the simulation does not
//! see. Most often the fix is to give the missing object (the Tier, the Service) with the
//! rest of the input.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: platform-guard}
//! spec:
//!   tier: platform                # no Tier named platform in the input
//!   order: 10
//!   selector: all()
//!   egress:
//!   - action: Deny
//!     destination:
//!       nets: [169.254.169.254/32]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: Tier
//! metadata: {name: platform}
//! spec: {order: 100}
//! ---
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: platform-guard}
//! spec:
//!   tier: platform
//!   order: 10
//!   selector: all()
//!   egress:
//!   - action: Deny
//!     destination:
//!       nets: [169.254.169.254/32]
//! ```

use std::collections::HashSet;

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP807",
    name: "not-evaluated",
    severity: Severity::Warning,
    category: Category::Input,
    summary: "part of the input the policy model does not evaluate, or evaluates with a caveat",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    for (span, message) in &cx.cluster.warnings {
        if seen.insert((*span, message)) {
            out.push(Finding::new(&RULE, Subject::None, *span, message.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn each_model_warning_is_a_finding() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "7:1: GlobalNetworkPolicy host-guard: doNotTrack applies to host endpoints only, which are not evaluated: the policy has no effect on pods",
                "21:9: tier `platform` has no Tier object in the input: its policies are evaluated after every other tier, ending in Deny (as Calico treats a missing tier); add the Tier",
                "37:17: service pay/payments is not in the input: the rule matches no backend here",
                "40:17: service shop/legacy-db has no selector: its backends are managed by hand and unknown here, so the rule matches none",
            ]
        );
    }

    #[test]
    fn a_fully_evaluated_input_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

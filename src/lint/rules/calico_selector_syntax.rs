//! ## What it finds
//! A Calico selector that does not parse: a policy's `selector`, `namespaceSelector` or
//! `serviceAccountSelector`, or a rule's `source`/`destination` `selector`, `notSelector`,
//! `namespaceSelector` or `serviceAccounts.selector` (projectcalico.org/v3 NetworkPolicy,
//! GlobalNetworkPolicy and their staged forms). The finding points at the exact place in the
//! selector where parsing fails: `=` for `==`, a missing quote or closing brace, `and` for
//! `&&`, a label key with characters Calico does not allow.
//!
//! ## Why it matters
//! Calico's API server refuses the policy, so it does not exist in the cluster: whatever it
//! was meant to allow stays denied, whatever it was meant to deny stays open. A `kubectl
//! apply` of the directory fails on it, and in a GitOps pipeline the sync stops there.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: db-ingress}
//! spec:
//!   selector: app = 'db'                  # `=` is not an operator
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: role in {'api', 'batch'  # the set is not closed
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: db-ingress}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: role in {'api', 'batch'}
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP801",
    name: "calico-selector-syntax",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a Calico selector that does not parse",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    cx.calico_violation_findings(&RULE, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_inside_the_selector_at_the_error() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "5:17: GlobalNetworkPolicy db-ingress: spec.selector: selector `app = 'db'` does not parse: `=` is not an operator: write `==`",
                "9:41: GlobalNetworkPolicy db-ingress: spec.ingress[0].source.selector: selector `role in {'api', 'batch'` does not parse: expected `,` or `}` in the set, found the end of the selector",
                "15:26: NetworkPolicy shop/web: spec.selector: selector `app == 'web' and tier == 'front'` does not parse: unexpected label `and` after a complete expression: join expressions with `&&` or `||`",
                "19:47: NetworkPolicy shop/web: spec.egress[0].destination.namespaceSelector: selector `team == 'payments' &&` does not parse: expected an expression after `&&`, found the end of the selector",
                "25:20: StagedGlobalNetworkPolicy staged: spec.selector: selector `has(app` does not parse: expected `)` to close `has(`",
            ]
        );
    }

    #[test]
    fn a_selector_not_written_verbatim_is_pointed_at_as_a_whole() {
        assert_eq!(
            findings(&RULE, "folded.yaml"),
            [
                "8:5: GlobalNetworkPolicy folded: spec.selector: selector `app == 'db' && tier = 'back'` does not parse: `=` is not an operator: write `==`"
            ]
        );
    }

    #[test]
    fn selectors_that_parse_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

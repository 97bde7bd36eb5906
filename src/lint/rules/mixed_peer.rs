//! ## What it finds
//! A `from`/`to` item that sets an `ipBlock` together with a `podSelector` or
//! `namespaceSelector`.
//!
//! ## Why it matters
//! A peer is either addresses (`ipBlock`) or pods (selectors), never both: the API server
//! rejects the whole policy, so none of its rules takes effect — including the ones that
//! isolate pods. It is usually a missing `-`: two peers written as one.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from:
//!   - ipBlock:
//!       cidr: 192.168.0.0/16
//!     podSelector:            # same item as the ipBlock
//!       matchLabels: {app: gateway}
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from:
//!   - ipBlock:
//!       cidr: 192.168.0.0/16
//!   - podSelector:            # a peer of its own
//!       matchLabels: {app: gateway}
//! ```

use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP103",
    name: "mixed-peer",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "an ipBlock together with a selector in one peer",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    violations_with_help(cx, &RULE, out, |_| {
        Some(
            "split it into two peers (two `-` items): one with the ipBlock, one with the selectors"
                .into(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_the_ip_block_of_each_mixed_peer() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "12:9: shop/gateway: spec.ingress[0].from[0].ipBlock: an ipBlock together with a selector in one peer; a peer may use either, not both",
                "18:16: shop/gateway: spec.egress[0].to[0].ipBlock: an ipBlock together with a selector in one peer; a peer may use either, not both",
            ]
        );
    }

    #[test]
    fn separate_peers_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

//! ## What it finds
//! A `from`/`to` item that sets none of `podSelector`, `namespaceSelector` and `ipBlock`:
//! `- {}`, or an item whose only key is misplaced.
//!
//! ## Why it matters
//! The API server rejects the whole policy ("must specify a peer"), so none of its rules
//! takes effect — including the ones that isolate pods. `- {}` is often meant as "from
//! anywhere", which is written by leaving `from`/`to` out.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - from:
//!   - {}                    # meant: from anywhere
//!   ports:
//!   - port: 443
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - ports:                  # no `from`: every source, in the cluster or not
//!   - port: 443
//! ```
//!
//! Or, for every pod of every namespace but no address outside the cluster:
//!
//! ```yaml
//! ingress:
//! - from:
//!   - namespaceSelector: {}
//! ```

use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP104",
    name: "empty-peer",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a from/to item with no selector and no ipBlock",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    violations_with_help(cx, &RULE, out, |v| {
        let list = if v.path.contains(".from[") {
            "from"
        } else {
            "to"
        };
        Some(format!(
            "to match every peer, leave `{list}` out; to match every pod of every namespace, write `namespaceSelector: {{}}`"
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_empty_peer() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "11:7: shop/web: spec.ingress[0].from[0]: sets no podSelector, namespaceSelector or ipBlock; the API server rejects it (\"must specify a peer\")",
                "17:7: shop/web: spec.egress[0].to[1]: sets no podSelector, namespaceSelector or ipBlock; the API server rejects it (\"must specify a peer\")",
            ]
        );
    }

    #[test]
    fn peers_with_a_selector_or_ip_block_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

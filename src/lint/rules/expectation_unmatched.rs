//! ## What it finds
//! A connectivity expectation whose `from` or `to` matches nothing in the input: a name that
//! is not there (`shop/fronted`), a namespace that does not exist, labels no pod or workload
//! carries, a Service that selects nothing.
//!
//! ## Why it matters
//! An expectation about nothing is always met, so it guards nothing: after a rename or a
//! typo it keeps passing while the connection it was written for goes unchecked. It is
//! reported instead of being checked.
//!
//! ## Example
//! ```yaml
//! - {from: shop/fronted, to: shop/api, port: 8080, expect: allow}
//! - from: {namespace: shop, labels: {app: frontent}}
//!   to: shop/api
//!   expect: allow
//! ```
//!
//! ## Use instead
//! ```yaml
//! - {from: shop/frontend, to: shop/api, port: 8080, expect: allow}
//! - from: {namespace: shop, labels: {app: frontend}}
//!   to: shop/api
//!   expect: allow
//! ```

use crate::lint::expect::Outcome;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP502",
    name: "expectation-unmatched",
    severity: Severity::Error,
    category: Category::Expectation,
    summary: "a connectivity expectation whose from or to matches nothing",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (e, outcome) in cx.expectations.iter().zip(cx.expectation_outcomes()) {
        let Outcome::Unmatched(sides) = outcome else {
            continue;
        };
        for (field, span, why) in sides {
            let side = if *field == "from" { &e.from } else { &e.to };
            out.push(
                Finding::new(
                    &RULE,
                    Subject::None,
                    *span,
                    format!(
                        "`{field}: {}` matches nothing: {why}",
                        side.describe()
                    ),
                )
                .help("fix the name or the labels, or remove the expectation if what it guarded is gone"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings_with_expectations;

    #[test]
    fn points_at_each_side_that_matches_nothing() {
        assert_eq!(
            findings_with_expectations(&RULE, &["cluster.yaml"], "expect.yaml"),
            [
                "expect.yaml:2:10: `from: shop/webb` matches nothing: shop/webb is not in the input (did you mean `web`?)",
                "expect.yaml:3:10: `from: pods in shp` matches nothing: namespace shp is not in the input (did you mean `shop`?)",
                "expect.yaml:3:32: `to: pods in shop with app=nope` matches nothing: no pod or workload in shop has app=nope",
                "expect.yaml:4:24: `to: shop/svc/empty` matches nothing: service shop/empty selects no pod or workload in the input (selector app=gone)",
            ]
        );
    }

    #[test]
    fn matched_sides_are_silent() {
        assert!(findings_with_expectations(&RULE, &["cluster.yaml"], "good.yaml").is_empty());
    }
}

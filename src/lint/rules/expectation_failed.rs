//! ## What it finds
//! A connectivity expectation (from `check --expect FILE` or `expectations:` in
//! `.netpol.yaml`) that the policies do not meet: a connection expected to be allowed that is
//! denied, or one expected to be denied that is allowed. Every (from, to) pair the
//! expectation names must meet it; the finding counts the pairs that do not and explains the
//! first one as `kubectl netpol can-reach` would.
//!
//! ## Why it matters
//! Expectations are the intent, written down: "the frontend reaches the API on 8080", "no
//! shop pod reaches the internet except the worker". Checked on every change, they catch
//! the policy edit that silently cuts a service off, or the broad rule that opens a path it
//! should not, before it reaches the cluster.
//!
//! ## Example
//! ```yaml
//! # expectations.yaml, with a `db` policy that admits only `tier: backend` pods
//! - {from: shop/frontend, to: shop/db, port: 5432, expect: allow}
//! ```
//!
//! ## Use instead
//! Fix the policy so that it meets the expectation, or the expectation if the intent
//! changed:
//! ```yaml
//! - {from: shop/frontend, to: shop/db, port: 5432, expect: deny}   # only the API talks to the db
//! - {from: shop/api, to: shop/db, port: 5432, expect: allow}
//! ```

use crate::engine::explain::party_name;
use crate::lint::expect::{Outcome, Verdict, first_line};
use crate::lint::{Attachment, Category, Context, Finding, RuleDef, Severity, Subject};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP501",
    name: "expectation-failed",
    severity: Severity::Error,
    category: Category::Expectation,
    summary: "a connectivity expectation the policies do not meet",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (e, outcome) in cx.expectations.iter().zip(cx.expectation_outcomes()) {
        let Outcome::Checked {
            pairs,
            failing,
            first,
        } = outcome
        else {
            continue;
        };
        if *failing == 0 {
            continue;
        }
        let (expected, instead) = match e.expect {
            Verdict::Allow => ("allowed", "denied"),
            Verdict::Deny => ("denied", "allowed"),
        };
        let message = if *pairs == 1 {
            format!(
                "expected {} to be {expected}, but it is {instead}",
                e.describe()
            )
        } else {
            format!(
                "expected {} to be {expected}, but {failing} of {pairs} connections {} {instead}",
                e.describe(),
                if *failing == 1 { "is" } else { "are" }
            )
        };
        let help = match e.expect {
            Verdict::Allow => {
                "allow it with a rule on each isolated side (egress at the source, ingress at the destination), or correct the expectation"
            }
            Verdict::Deny => {
                "narrow the rules that allow it (the note shows which), or correct the expectation"
            }
        };
        let mut f = Finding::new(
            &RULE,
            Subject::None,
            first_line(cx.sources, e.span),
            message,
        )
        .help(help);
        if let Some(first) = first {
            let port = first
                .port
                .as_ref()
                .map(|p| format!(" --port {p}"))
                .unwrap_or_default();
            let lead = if *failing == 1 && *pairs == 1 {
                "why"
            } else {
                "the first of them"
            };
            f.notes.push(format!(
                "{lead} (kubectl netpol can-reach {} {}{port}):",
                party_name(cx.cluster, first.src),
                party_name(cx.cluster, first.dst)
            ));
            match &first.why {
                Ok(e) => f = f.attach(Attachment::Explanation(e.clone())),
                Err(why) => f.notes.push(why.clone()),
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings_with_expectations;

    #[test]
    fn reports_each_unmet_expectation_at_its_line_with_the_count() {
        let got = findings_with_expectations(&RULE, &["cluster.yaml"], "expect.yaml");
        assert_eq!(
            got,
            [
                "expect.yaml:3:3: expected pods in shop with app=web → shop/db on TCP 5432 to be allowed, but 2 of 2 connections are denied",
                "expect.yaml:5:3: expected shop/api → shop/db to be denied, but it is allowed",
                // The API may not leave the cluster; the worker reaches two of the three
                // ranges the ipBlock cuts the address space into (all but 10.0.0.0/8).
                "expect.yaml:7:3: expected pods of every namespace with tier=backend → 0.0.0.0/0 on TCP 443 to be denied, but 2 of 6 connections are allowed",
                "expect.yaml:9:3: expected shop/web-1 → shop/db on TCP http to be allowed, but it is denied",
            ]
        );
    }

    #[test]
    fn the_first_failing_pair_is_explained_in_the_notes() {
        let f = crate::lint::testing::raw_findings_with_expectations(
            &RULE,
            &["cluster.yaml"],
            "expect.yaml",
        );
        assert_eq!(
            f[0].notes,
            [
                "the first of them (kubectl netpol can-reach shop/web-1 shop/sts/db --port 5432/TCP):"
            ]
        );
        // The explanation itself is attached for the report to render, as can-reach would.
        let [crate::lint::Attachment::Explanation(e)] = f[0].attachments.as_slice() else {
            panic!("{:?}", f[0].attachments);
        };
        assert!(!e.is_allowed());
        assert_eq!(e.query, Some((crate::model::Protocol::Tcp, 5432)));
        // A named port that the destination lacks: the pair is denied, and that is why.
        assert_eq!(
            f[3].notes[1],
            "shop/web-1 → shop/sts/db: shop/sts/db has no TCP container port named `http`"
        );
        assert!(f[3].attachments.is_empty());
    }

    #[test]
    fn met_expectations_are_silent() {
        assert!(findings_with_expectations(&RULE, &["cluster.yaml"], "met.yaml").is_empty());
    }
}

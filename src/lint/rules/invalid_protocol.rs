//! ## What it finds
//! A `ports` item whose `protocol` is not `TCP`, `UDP` or `SCTP`, spelled exactly so
//! (`tcp` is refused).
//!
//! ## Why it matters
//! The API server rejects the whole policy, so none of its rules takes effect — including
//! the ones that isolate pods. NetworkPolicy has no way to name ICMP or other protocols.
//!
//! ## Example
//! ```yaml
//! egress:
//! - ports:
//!   - protocol: udp         # protocols are upper case
//!     port: 53
//! ```
//!
//! ## Use instead
//! ```yaml
//! egress:
//! - ports:
//!   - protocol: UDP
//!     port: 53
//! ```

use crate::base::span::Span;
use crate::lint::fix::{Fix, Safety, replace_scalar, text_of, unquoted};
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};
use crate::model::Protocol;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP106",
    name: "invalid-protocol",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a port protocol other than TCP, UDP or SCTP",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let start = out.len();
    violations_with_help(cx, &RULE, out, |v| {
        (!v.message.contains("upper case")).then(|| {
            "NetworkPolicy can name TCP (the default when `protocol` is left out), UDP and SCTP only".into()
        })
    });
    for f in &mut out[start..] {
        f.fix = fix(text_of(cx, f.span), f.span);
    }
}

/// A protocol in the wrong case, in upper case: safe (what was meant is not in doubt), and
/// the API server then accepts the policy, which takes effect.
fn fix(text: &str, span: Span) -> Option<Fix> {
    let written = unquoted(text, span);
    let upper = written.to_ascii_uppercase();
    if upper == written || Protocol::parse(&upper).is_none() {
        return None;
    }
    Some(
        Fix::edit(
            Safety::Safe,
            format!("write `{upper}` for `{written}`"),
            replace_scalar(text, span, &upper),
        )
        .changing_connections(),
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_bad_protocol() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "10:17: shop/dns: spec.egress[0].ports[0].protocol: `udp` is not TCP, UDP or SCTP (protocols are upper case: `UDP`)",
                "12:17: shop/dns: spec.egress[0].ports[1].protocol: `ICMP` is not TCP, UDP or SCTP",
            ]
        );
    }

    #[test]
    fn tcp_udp_sctp_and_the_default_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_fix_writes_the_protocol_in_upper_case() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

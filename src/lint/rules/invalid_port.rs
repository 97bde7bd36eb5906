//! ## What it finds
//! A `ports` item the API server rejects:
//! - a `port` or `endPort` outside 1-65535;
//! - an `endPort` below `port`;
//! - an `endPort` with a named `port`, or without any `port`;
//! - a port name that is not an IANA service name: 1 to 15 characters of lower-case
//!   letters, digits and `-`, at least one letter, no `-` at either end and no `--`
//!   (so a quoted number such as `"8080"` is refused).
//!
//! ## Why it matters
//! The API server rejects the whole policy, so none of its rules takes effect — including
//! the ones that isolate pods.
//!
//! ## Example
//! ```yaml
//! ingress:
//! - ports:
//!   - port: "8080"          # a quoted number is read as a port name
//!   - port: http
//!     endPort: 8090         # a range needs a numeric start
//!   - port: 9000
//!     endPort: 8000         # the range ends before it starts
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - ports:
//!   - port: 8080
//!   - port: 8080
//!     endPort: 8090
//!   - port: 8000
//!     endPort: 9000
//! ```

use crate::base::edit::Edit;
use crate::base::span::Span;
use crate::lint::fix::{Fix, Safety, text_of, unquoted};
use crate::lint::scope::violations_with_help;
use crate::lint::{Category, Context, Finding, RuleDef, Severity};
use crate::model::validate::Violation;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP105",
    name: "invalid-port",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a port or endPort the API server rejects: out of range, a bad range, a bad name",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let start = out.len();
    violations_with_help(cx, &RULE, out, help);
    for f in &mut out[start..] {
        f.fix = quoted_number_fix(text_of(cx, f.span), f.span);
    }
}

/// A port number written in quotes (a name to the API server, and names need a letter), as
/// a number: safe (what was meant is not in doubt), and the API server then accepts the
/// policy, which takes effect.
fn quoted_number_fix(text: &str, span: Span) -> Option<Fix> {
    let written = text.get(span.start as usize..span.end as usize)?.trim_end();
    let number = unquoted(text, span);
    let quoted = written.len() == number.len() + 2 && written.starts_with(['"', '\x27']);
    let n: u16 = number.parse().ok().filter(|n| *n > 0)?;
    if !quoted || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        Fix::edit(
            Safety::Safe,
            format!("write the port number {n} without quotes"),
            Edit::replace(
                Span::new(span.file, span.start, span.start + written.len() as u32),
                n.to_string(),
            ),
        )
        .changing_connections(),
    )
}

fn help(v: &Violation) -> Option<String> {
    let m = v.message.as_str();
    let help = if m.contains("without port") {
        "set `port` to the first port of the range"
    } else if m.contains("port is a name") {
        "a range needs numbers: write the first port number in `port`, or drop `endPort`"
    } else if m.contains("is less than port") {
        "endPort is the last port of the range: it must be at least `port`"
    } else if m.contains("not a valid port name") {
        // A quoted number (`"8080"`) is a name, and names need a letter.
        let name = m.split('`').nth(1).unwrap_or("");
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("write the number without quotes: `port: {name}`"));
        }
        "a named port must be the `name` of a container port of the destination pods"
    } else {
        return None;
    };
    Some(help.into())
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_bad_port_or_end_port() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "11:13: shop/api: spec.ingress[0].ports[0].port: `8080` is not a valid port name: must hold at least one letter",
                "12:13: shop/api: spec.ingress[0].ports[1].port: 70000 is out of range 1-65535",
                "14:16: shop/api: spec.ingress[0].ports[2].endPort: endPort may not be set when port is a name",
                "16:16: shop/api: spec.ingress[0].ports[3].endPort: 8000 is less than port 9000",
                "17:16: shop/api: spec.ingress[0].ports[4].endPort: endPort may not be set without port",
                "19:16: shop/api: spec.ingress[0].ports[5].endPort: 65536 is out of range 1-65535",
                "20:13: shop/api: spec.ingress[0].ports[6].port: `HTTP_Metrics` is not a valid port name: may hold only lower-case letters, digits and '-'",
            ]
        );
    }

    #[test]
    fn numbers_ranges_and_names_in_range_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn help_says_how_to_write_the_port() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                vec![
                    "11:13: shop/api: spec.ingress[0].ports[0].port: `8080` is not a valid port name: must hold at least one letter",
                    "help: write the number without quotes: `port: 8080`",
                ],
                vec![
                    "12:13: shop/api: spec.ingress[0].ports[1].port: 70000 is out of range 1-65535"
                ],
                vec![
                    "14:16: shop/api: spec.ingress[0].ports[2].endPort: endPort may not be set when port is a name",
                    "help: a range needs numbers: write the first port number in `port`, or drop `endPort`",
                ],
                vec![
                    "16:16: shop/api: spec.ingress[0].ports[3].endPort: 8000 is less than port 9000",
                    "help: endPort is the last port of the range: it must be at least `port`",
                ],
                vec![
                    "17:16: shop/api: spec.ingress[0].ports[4].endPort: endPort may not be set without port",
                    "help: set `port` to the first port of the range",
                ],
                vec![
                    "19:16: shop/api: spec.ingress[0].ports[5].endPort: 65536 is out of range 1-65535",
                ],
                vec![
                    "20:13: shop/api: spec.ingress[0].ports[6].port: `HTTP_Metrics` is not a valid port name: may hold only lower-case letters, digits and '-'",
                    "help: a named port must be the `name` of a container port of the destination pods",
                ],
            ]
        );
    }

    #[test]
    fn the_fix_unquotes_a_port_number() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }
}

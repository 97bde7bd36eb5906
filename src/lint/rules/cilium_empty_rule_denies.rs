//! ## What it finds
//! An empty item (`{}`: no peer field, no `toPorts`, no `icmps`) in the `ingress` or
//! `egress` list of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. In Cilium such a
//! rule matches no peer: it allows nothing, and (being a non-empty list) it puts the pods the
//! policy selects in default deny for that direction. It is how Cilium writes a default deny,
//! and the opposite of what the same shape means in a Kubernetes NetworkPolicy, where
//! `ingress: [{}]` allows every peer.
//!
//! The finding is a warning when the rule looks meant as an allow: the policy's name or the
//! rule's `description` says allow (`allow`, `permit`, `accept`), or the same rule (`spec`,
//! or the same item of `specs`) allows other peers in that direction (then `{}` adds
//! nothing). It is a warning too when `enableDefaultDeny` is false for the direction: the
//! empty rule then has no effect at all. Otherwise it is informational, unless the name or
//! description says deny (`deny`, `lockdown`, `isolate`, `block`), which is taken as written
//! on purpose and not reported. Only applied policies are judged, and only when Cilium
//! enforces them (`--cni cilium`, or inferred from the input).
//!
//! ## Why it matters
//! Someone translating a NetworkPolicy that allows all ingress (`ingress: [{}]`) into Cilium
//! gets the reverse: every connection to the pods is dropped, except what another policy
//! allows. And `{}` added next to other rules "to allow the rest" allows nothing more.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: allow-all-ingress, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: web}}
//!   ingress:
//!   - {}                      # matches no peer: a default deny
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: allow-all-ingress, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: web}}
//!   ingress:
//!   - fromEntities: [all]     # every peer, inside and outside the cluster
//! ```
//! For a default deny, keep `ingress: [{}]` and say so in the policy's name
//! (`default-deny`) or its `description`.

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;
use crate::model::cilium::{CiliumPolicy, CiliumRule, PeerRule};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP902",
    name: "cilium-empty-rule-denies",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "an empty Cilium ingress/egress rule `{}`: it matches no peer, so it denies rather than allows",
    check,
};

const ALLOW_WORDS: [&str; 3] = ["allow", "permit", "accept"];
const DENY_WORDS: [&str; 5] = ["deny", "lockdown", "lock-down", "isolat", "block"];

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (idx, p) in cx.cilium_policies() {
        for spec in &p.specs {
            for dir in Direction::BOTH {
                let list = spec.allows(dir).unwrap_or(&[]);
                for r in list.iter().filter(|r| is_empty(r)) {
                    out.extend(finding(idx, p, spec, dir, list, r));
                }
            }
        }
    }
}

/// Whether a rule names no peer, no port and no ICMP type: it matches nothing.
fn is_empty(r: &PeerRule) -> bool {
    !r.has_l3()
        && r.requires.is_none()
        && r.to_ports.as_ref().is_none_or(|p| p.is_empty())
        && r.icmps.as_ref().is_none_or(|i| i.is_empty())
}

/// Which of the words the text holds, case-insensitively.
fn says(text: &str, words: &[&str]) -> bool {
    let text = text.to_ascii_lowercase();
    words.iter().any(|w| text.contains(w))
}

fn finding(
    idx: usize,
    p: &CiliumPolicy,
    spec: &CiliumRule,
    dir: Direction,
    list: &[PeerRule],
    r: &PeerRule,
) -> Option<Finding> {
    let field = dir.field();
    let path = format!("{}.{field}[{}]", spec.label, r.index);
    let entity_field = match dir {
        Direction::Ingress => "fromEntities",
        Direction::Egress => "toEntities",
    };
    let allow_all = format!("`- {entity_field}: [all]`");
    let head = format!("{}: {path}: the empty rule `{{}}` matches no peer", p.id());
    let subject = Subject::CiliumPolicy(idx);
    if let Some(off) = spec.default_deny(dir).filter(|b| !b.value) {
        return Some(
            Finding::new(
                &RULE,
                subject,
                r.span,
                format!(
                    "{head}, and with `enableDefaultDeny.{field}: false` it isolates nothing either: it has no effect"
                ),
            )
            .related(off.span, format!("enableDefaultDeny.{field}: false"))
            .help(format!(
                "to allow every peer, write {allow_all}; to deny every connection not allowed elsewhere, remove `enableDefaultDeny.{field}: false`"
            )),
        );
    }
    let description = spec.description.as_deref().unwrap_or("");
    let says_allow = says(&p.name, &ALLOW_WORDS) || says(description, &ALLOW_WORDS);
    let says_deny = says(&p.name, &DENY_WORDS) || says(description, &DENY_WORDS);
    let why = if list.iter().any(|o| !is_empty(o)) {
        format!("the rule allows other peers for {field}, to which `{{}}` adds nothing")
    } else if says_allow && !says_deny {
        let what = if says(&p.name, &ALLOW_WORDS) {
            "the policy's name"
        } else {
            "the description"
        };
        format!("{what} says allow")
    } else if says_deny {
        // A default deny written on purpose.
        return None;
    } else {
        let mut f = Finding::new(
            &RULE,
            subject,
            r.span,
            format!(
                "{head}: it allows nothing, so the pods selected are in default deny for {field} (a NetworkPolicy's `{field}: [{{}}]` would allow everything)"
            ),
        )
        .help(format!(
            "if a default deny is meant, say so in the policy's name or description (`default-deny`); to allow every peer instead, write {allow_all}"
        ));
        f.severity = Severity::Info;
        return Some(f);
    };
    Some(
        Finding::new(
            &RULE,
            subject,
            r.span,
            format!(
                "{head}: in Cilium it allows nothing and puts the pods selected in default deny for {field}, the opposite of a NetworkPolicy's `{field}: [{{}}]` ({why})"
            ),
        )
        .help(format!(
            "to allow every peer, write {allow_all}; to allow only what the other rules allow, delete the empty rule"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::Severity;
    use crate::lint::testing::{details, findings};

    /// The line and severity of each finding on a fixture (a finding may be milder than its
    /// rule's default).
    pub(super) fn severities(fixture: &str) -> Vec<(u32, Severity)> {
        crate::lint::testing::severities(&RULE, fixture)
    }

    #[test]
    fn reports_each_empty_rule_with_why_it_looks_meant_as_allow() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "24:5: CiliumNetworkPolicy shop/allow-all-ingress: spec.ingress[0]: the empty rule `{}` matches no peer: in Cilium it allows nothing and puts the pods selected in default deny for ingress, the opposite of a NetworkPolicy's `ingress: [{}]` (the policy's name says allow)",
                "36:5: CiliumNetworkPolicy shop/api: spec.ingress[1]: the empty rule `{}` matches no peer: in Cilium it allows nothing and puts the pods selected in default deny for ingress, the opposite of a NetworkPolicy's `ingress: [{}]` (the rule allows other peers for ingress, to which `{}` adds nothing)",
                "45:5: CiliumNetworkPolicy shop/web-egress: spec.egress[0]: the empty rule `{}` matches no peer: in Cilium it allows nothing and puts the pods selected in default deny for egress, the opposite of a NetworkPolicy's `egress: [{}]` (the description says allow)",
                "54:5: CiliumNetworkPolicy shop/api-egress: spec.egress[0]: the empty rule `{}` matches no peer: it allows nothing, so the pods selected are in default deny for egress (a NetworkPolicy's `egress: [{}]` would allow everything)",
                "67:5: CiliumClusterwideNetworkPolicy baseline: specs[1].ingress[0]: the empty rule `{}` matches no peer, and with `enableDefaultDeny.ingress: false` it isolates nothing either: it has no effect",
            ]
        );
    }

    #[test]
    fn a_rule_looking_meant_as_allow_warns_and_the_others_inform() {
        assert_eq!(
            severities("bad.yaml"),
            [
                (24, Severity::Warning),
                (36, Severity::Warning),
                (45, Severity::Warning),
                (54, Severity::Info),
                (67, Severity::Warning),
            ]
        );
    }

    #[test]
    fn says_what_to_write_instead() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "help: to allow every peer, write `- fromEntities: [all]`; to allow only what the other rules allow, delete the empty rule"
        ));
        assert!(d[3].ends_with(
            "help: if a default deny is meant, say so in the policy's name or description (`default-deny`); to allow every peer instead, write `- toEntities: [all]`"
        ));
        assert!(d[4].ends_with(
            "\n  65:32: enableDefaultDeny.ingress: false\n  help: to allow every peer, write `- fromEntities: [all]`; to deny every connection not allowed elsewhere, remove `enableDefaultDeny.ingress: false`"
        ));
    }

    #[test]
    fn deliberate_default_denies_and_real_rules_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

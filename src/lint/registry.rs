//! Every rule, in code order, and lookup by name or code. Adding a rule: write
//! `rules/<snake_name>.rs` with its doc comment and `RULE`, declare it in `rules/mod.rs`, and
//! list it here; a test checks that every rule file is registered and documented.

use super::RuleDef;
use super::rules::*;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// Every rule, in code order.
#[rustfmt::skip]
pub static ALL: &[&RuleDef] = &[
    &invalid_manifest::RULE,
    &invalid_cidr::RULE,
    &except_outside_cidr::RULE,
    &mixed_peer::RULE,
    &empty_peer::RULE,
    &invalid_port::RULE,
    &invalid_protocol::RULE,
    &invalid_selector::RULE,
    &invalid_policy_type::RULE,
    &duplicate_policy::RULE,
    &ignored_ingress_rules::RULE,
    &ignored_egress_rules::RULE,
    &policy_selects_nothing::RULE,
    &peer_selects_nothing::RULE,
    &unresolved_named_port::RULE,
    &shadowed_rule::RULE,
    &redundant_rule::RULE,
    &redundant_policy::RULE,
    &duplicate_rule::RULE,
    &pod_not_isolated::RULE,
    &namespace_without_default_deny::RULE,
    &dns_egress_blocked::RULE,
    &ingress_from_anywhere::RULE,
    &egress_to_metadata::RULE,
    &deprecated_api_version::RULE,
    &wide_port_range::RULE,
    &selector_and_or_confusion::RULE,
    &expectation_failed::RULE,
    &expectation_unmatched::RULE,
    &invalid_cluster_policy::RULE,
    &banp_not_singleton::RULE,
    &ambiguous_priority::RULE,
    &shadowed_cluster_rule::RULE,
    &new_flow_opened::RULE,
    &calico_selector_syntax::RULE,
    &invalid_calico_policy::RULE,
    &pass_to_nothing::RULE,
    &unordered_calico_policy::RULE,
    &namespace_labels_in_selector::RULE,
    &staged_policy::RULE,
    &not_evaluated::RULE,
    &invalid_cilium_policy::RULE,
    &cilium_empty_rule_denies::RULE,
    &cilium_fqdn_without_dns_visibility::RULE,
    &cilium_ccnp_selects_everything::RULE,
    &cilium_cidr_matches_pods::RULE,
    &cilium_endport_below_port::RULE,
    &cilium_foreign_labels_without_namespace::RULE,
    &cilium_filtered_label::RULE,
];

/// The rule with this name (`invalid-cidr`) or code (`NP101`, any case).
pub fn find(name_or_code: &str) -> Option<&'static RuleDef> {
    ALL.iter()
        .copied()
        .find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// The documentation of a rule: its file's module doc comment.
pub fn doc(rule: &RuleDef) -> &'static str {
    let module = rule.name.replace('-', "_");
    RULE_DOCS
        .iter()
        .find(|(m, _)| *m == module)
        .map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered_and_documented() {
        for (module, doc) in RULE_DOCS {
            let name = module.replace('_', "-");
            let rule =
                find(&name).unwrap_or_else(|| panic!("rules/{module}.rs is not in registry::ALL"));
            for section in [
                "## What it finds",
                "## Why it matters",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    doc.contains(section),
                    "rules/{module}.rs doc lacks `{section}`"
                );
            }
            assert!(!rule.summary.is_empty());
        }
        assert_eq!(
            RULE_DOCS.len(),
            ALL.len(),
            "a registered rule has no file of its own"
        );
    }

    #[test]
    fn codes_and_names_are_unique_and_in_order() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}

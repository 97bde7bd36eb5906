//! One file per rule; see [`super::registry`] for the list in code order.

pub mod deprecated_api_version;
pub mod dns_egress_blocked;
pub mod duplicate_policy;
pub mod duplicate_rule;
pub mod egress_to_metadata;
pub mod empty_peer;
pub mod except_outside_cidr;
pub mod ignored_egress_rules;
pub mod ignored_ingress_rules;
pub mod ingress_from_anywhere;
pub mod invalid_cidr;
pub mod invalid_manifest;
pub mod invalid_policy_type;
pub mod invalid_port;
pub mod invalid_protocol;
pub mod invalid_selector;
pub mod mixed_peer;
pub mod namespace_without_default_deny;
pub mod peer_selects_nothing;
pub mod pod_not_isolated;
pub mod policy_selects_nothing;
pub mod selector_and_or_confusion;
pub mod shadowed_rule;
pub mod unresolved_named_port;
pub mod wide_port_range;

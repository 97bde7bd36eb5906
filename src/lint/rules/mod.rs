//! One file per rule; see [`super::registry`] for the list in code order.

pub mod deprecated_api_version;
pub mod dns_egress_blocked;
pub mod egress_to_metadata;
pub mod ingress_from_anywhere;
pub mod invalid_cidr;
pub mod invalid_manifest;
pub mod namespace_without_default_deny;
pub mod pod_not_isolated;
pub mod selector_and_or_confusion;
pub mod wide_port_range;

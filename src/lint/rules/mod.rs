//! One file per rule; see [`super::registry`] for the list in code order.

pub mod expectation_failed;
pub mod expectation_unmatched;
pub mod invalid_cidr;
pub mod invalid_manifest;

//! The simulator: who may reach whom, on which ports, and why.
//!
//! - [`reference`]: the rules as written in the API reference, one pair at a time.
//! - [`explain`]: the same decision with every reason kept, for `can-reach`.
//! - [`matrix`]: every pair at once, with selectors compiled to bitsets and endpoints
//!   collapsed into classes; checked against [`reference`] by property tests.
//! - [`target`]: resolving `ns/name`, `ns/kind/name`, `ns/svc/name` and addresses.

pub mod bitset;
pub mod compile;
pub mod containment;
pub mod diff;
pub mod explain;
pub mod matching;
pub mod matrix;
pub mod port_space;
pub mod reference;
pub mod target;

use std::net::IpAddr;

/// One side of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    /// An endpoint of the cluster, by index in [`crate::model::Cluster::endpoints`].
    Endpoint(usize),
    /// An address that is no known pod's.
    Address(IpAddr),
}

#[cfg(test)]
mod semantics_tests;

#[cfg(test)]
mod tier_tests;

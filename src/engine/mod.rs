//! The simulator: who may reach whom, on which ports, and why.
//!
//! Every engine reads the one policy model ([`crate::model::ir`]):
//! - [`evaluate`]: the decision order, written once — the plain evaluator, one connection at
//!   a time, keeping a trace of what each tier, policy and rule did;
//! - [`explain`]: that trace for `can-reach`, and the words for why a peer matched or not;
//! - [`matrix`]: every pair at once, with selectors compiled to bitsets and endpoints
//!   collapsed into classes ([`compile`]); checked against [`evaluate`] by property tests;
//! - [`diff`]: what a change opens or closes, and which change is responsible;
//! - [`dns_visibility`]: whether Cilium's DNS proxy sees a pod's lookups of a name, which
//!   `toFQDNs` rules depend on;
//! - [`target`]: resolving `ns/name`, `ns/kind/name`, `ns/svc/name` and addresses.

pub mod bitset;
pub mod compile;
pub mod containment;
pub mod diff;
pub mod dns_visibility;
pub mod evaluate;
pub mod explain;
pub mod masks;
pub mod matching;
pub mod matrix;
pub mod port_space;
pub mod replay;
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
mod calico_tests;

#[cfg(test)]
mod cilium_tests;

#[cfg(test)]
mod semantics_tests;

#[cfg(test)]
mod tier_tests;

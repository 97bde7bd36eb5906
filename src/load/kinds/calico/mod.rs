//! Calico (projectcalico.org/v3) kinds.

pub mod selector;

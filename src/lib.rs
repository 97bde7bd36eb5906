//! kubectl-netpol: an offline Kubernetes NetworkPolicy linter and simulator.
//!
//! Data flows one way: [`load`] (files → objects with positions) → [`model`] (the cluster the
//! manifests describe) → [`engine`] (who may reach whom, and why) → [`report`] (text, JSON,
//! tables, graphs). The [`cli`] module is a thin layer over these; everything a test or a
//! benchmark needs is reachable from here without it. [`synth`] generates seeded synthetic
//! clusters of any size for benchmarks and scale tests.

pub mod base;
pub mod cli;
pub mod engine;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod lint;
pub mod load;
pub mod model;
pub mod report;
pub mod synth;

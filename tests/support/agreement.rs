//! The property every engine owes the evaluator: on every pair of matrix members (but
//! external → external), the matrix, and the explanation where asked, allow exactly the
//! ports [`allowed_ports`] does.

use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::engine::explain::{explain, party_name};
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{LoadOptions, Loaded, load_texts};
use kubectl_netpol::model::{Cluster, NotApplied};
use proptest::prelude::*;

/// The case's YAML loaded; a failure when the loader reports any problem.
pub fn loads_cleanly(text: &str) -> Result<Loaded, TestCaseError> {
    let loaded = load_texts(&[("t.yaml", text)], &LoadOptions::default());
    prop_assert!(
        loaded.problems.is_empty(),
        "the generated YAML loads cleanly: {:?}\n{text}",
        loaded
            .problems
            .iter()
            .map(|p| p.render(&loaded.sources))
            .collect::<Vec<_>>()
    );
    Ok(loaded)
}

/// A failure when a Kubernetes NetworkPolicy of the cluster is not applied as invalid (the
/// generators write only what the API server accepts).
pub fn network_policies_valid(cluster: &Cluster, text: &str) -> Result<(), TestCaseError> {
    for (i, why) in &cluster.not_applied {
        prop_assert!(
            *why != NotApplied::Invalid,
            "NetworkPolicy {}/{} is invalid\n{text}",
            cluster.policies[*i].namespace,
            cluster.policies[*i].name
        );
    }
    Ok(())
}

/// Checks every pair; `explain_pair(u, v)` says which pairs the explanation is checked on
/// too. `context` (the case's YAML...) ends every failure message.
pub fn every_pair_agrees(
    cluster: &Cluster,
    explain_pair: impl Fn(usize, usize) -> bool,
    context: &str,
) -> Result<(), TestCaseError> {
    let m = Matrix::compute(cluster);
    for u in 0..m.len() {
        for v in 0..m.len() {
            if m.is_external(u) && m.is_external(v) {
                continue;
            }
            let (src, dst) = (m.party(u), m.party(v));
            let names = || {
                format!(
                    "{} → {}",
                    party_name(cluster, src),
                    party_name(cluster, dst)
                )
            };
            let want = allowed_ports(cluster, src, dst);
            prop_assert_eq!(
                m.allowed(u, v),
                &want,
                "matrix (left) vs evaluator (right) for {}\n{}",
                names(),
                context
            );
            if explain_pair(u, v) {
                prop_assert_eq!(
                    &explain(cluster, src, dst, None).allowed,
                    &want,
                    "explain (left) vs evaluator (right) for {}\n{}",
                    names(),
                    context
                );
            }
        }
    }
    Ok(())
}

//! Lowering every policy API into the one model ([`super::Model`]).
//!
//! Each API has its own file and knows only its own objects and the tier it goes to; this
//! file lays the tiers out in evaluation order. Without Calico the tiers are `Admin`
//! (AdminNetworkPolicies, ClusterNetworkPolicies of tier Admin; ends in Pass), `NetworkPolicy`
//! (Kubernetes NetworkPolicies; ends in Deny) and `Baseline` (the
//! BaselineAdminNetworkPolicy, ClusterNetworkPolicies of tier Baseline; ends in Pass). Only
//! applied policies (valid, not replaced) are lowered.

mod cluster;
pub mod kubernetes;

use super::{EndAction, Model, Policy, Tier, TierKind};
use crate::model::Cluster;

/// Lowers the applied policies of a cluster.
pub fn lower(cluster: &Cluster) -> Model {
    let mut tiers: Vec<(Tier, Vec<Policy>)> = vec![
        (
            builtin("Admin", TierKind::Admin, EndAction::Pass),
            cluster::admin(cluster),
        ),
        (
            builtin("NetworkPolicy", TierKind::NetworkPolicy, EndAction::Deny),
            kubernetes::network_policies(cluster),
        ),
        (
            builtin("Baseline", TierKind::Baseline, EndAction::Pass),
            cluster::baseline(cluster),
        ),
    ];
    let mut model = Model::default();
    for (t, (mut tier, policies)) in tiers.drain(..).enumerate() {
        let start = model.policies.len();
        model.policies.extend(policies.into_iter().map(|mut p| {
            p.tier = t;
            p
        }));
        tier.policies = start..model.policies.len();
        model.tiers.push(tier);
    }
    model
}

fn builtin(name: &str, kind: TierKind, end: EndAction) -> Tier {
    Tier {
        name: name.into(),
        kind,
        order: None,
        end,
        policies: 0..0,
        span: None,
    }
}

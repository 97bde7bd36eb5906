//! Lowering every policy API into the one model ([`super::Model`]).
//!
//! Each API has its own file and knows only its own objects; this file lays the tiers out in
//! evaluation order and puts each policy in its tier and place. Only applied policies (valid,
//! not replaced) are lowered.
//!
//! Without Calico the tiers are `Admin` (AdminNetworkPolicies, ClusterNetworkPolicies of tier
//! Admin; ends in Pass), `NetworkPolicy` (Kubernetes NetworkPolicies; ends in Deny) and
//! `Baseline` (the BaselineAdminNetworkPolicy, ClusterNetworkPolicies of tier Baseline; ends
//! in Pass).
//!
//! With Calico objects in the input, the tiers are Calico's: every Tier object, and the
//! built-in `kube-admin` (order 1,000, Pass: the Admin tier), `default` (order 1,000,000, Deny)
//! and `kube-baseline` (order 10,000,000, Pass: the Baseline tier), by ascending order then
//! name; a Tier without order counts as 1,000,000, as Calico's datastore stores it. A tier a
//! policy names but no Tier object defines comes after every other, ending in Deny (felix's
//! treatment of a missing tier), with a warning. In a tier, policies go by ascending `order`
//! (none: after every ordered one), ties broken by `name/namespace/kind` (felix
//! `policy_sorter.go`, Calico 3.32). Kubernetes NetworkPolicies are policies of the `default`
//! tier with order 1000.
//!
//! Staged policies are not enforced, so not lowered, unless asked ([`BuildOptions::with_staged`]):
//! then each is evaluated as the policy it stages, replacing the enforced policy of its name
//! (or, with `stagedAction: Delete`, removing it).

pub mod calico;
pub mod cilium;
mod cluster;
pub mod kubernetes;

use std::collections::{BTreeMap, HashSet};

use super::{EndAction, Model, Policy, Tier, TierKind};
use crate::base::span::Span;
use crate::model::calico::{CalicoKind, CalicoPolicy};
use crate::model::{BuildOptions, Cluster, Cni};

/// The names of Calico's built-in tiers.
pub const KUBE_ADMIN: &str = "kube-admin";
/// The tier of Kubernetes NetworkPolicies and of Calico policies that name none.
pub const DEFAULT_TIER: &str = "default";
/// The baseline tier.
pub const KUBE_BASELINE: &str = "kube-baseline";

/// The order of the `default` tier, and of a Tier written without one.
const DEFAULT_ORDER: f64 = 1_000_000.0;

/// A tier being filled: its place, and its policies with what orders them.
struct Slot {
    tier: Tier,
    /// (order, tie-break) of each policy.
    policies: Vec<((f64, String), Policy)>,
    /// Whether a Tier object (or the built-in) defines it.
    defined: bool,
}

impl Slot {
    fn new(
        name: &str,
        kind: TierKind,
        order: Option<f64>,
        end: EndAction,
        span: Option<Span>,
    ) -> Slot {
        Slot {
            tier: Tier {
                name: name.into(),
                kind,
                order,
                end,
                policies: 0..0,
                span,
            },
            policies: Vec::new(),
            defined: true,
        }
    }
}

/// Lowers the applied policies of a cluster; what the model meets but cannot evaluate (or
/// evaluates with a caveat) is pushed to `warnings`, staged policies left out to `notes`.
pub fn lower(
    cluster: &Cluster,
    options: &BuildOptions,
    warnings: &mut Vec<(Span, String)>,
    notes: &mut Vec<(Span, String)>,
) -> Model {
    not_enforced(cluster, options, warnings);
    let calico = cluster.cni == Cni::Calico;
    let slots = if calico {
        calico_slots(cluster, options, warnings, notes)
    } else if cluster.cni == Cni::Cilium {
        cilium_slots(cluster, options, warnings)
    } else {
        let seq = |ps: Vec<Policy>| -> Vec<((f64, String), Policy)> {
            ps.into_iter()
                .enumerate()
                .map(|(i, p)| ((i as f64, String::new()), p))
                .collect()
        };
        let mut slots = vec![
            Slot::new("Admin", TierKind::Admin, None, EndAction::Pass, None),
            Slot::new(
                "NetworkPolicy",
                TierKind::NetworkPolicy,
                None,
                EndAction::Deny,
                None,
            ),
            Slot::new("Baseline", TierKind::Baseline, None, EndAction::Pass, None),
        ];
        slots[0].policies = seq(cluster::admin(cluster));
        slots[1].policies = seq(kubernetes::network_policies(cluster));
        slots[2].policies = seq(cluster::baseline(cluster));
        slots
    };
    let mut model = Model {
        calico,
        ..Model::default()
    };
    for (t, mut slot) in slots.into_iter().enumerate() {
        let start = model.policies.len();
        slot.policies
            .sort_by(|(a, _), (b, _)| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        model
            .policies
            .extend(slot.policies.into_iter().map(|(_, mut p)| {
                p.tier = t;
                p
            }));
        slot.tier.policies = start..model.policies.len();
        model.tiers.push(slot.tier);
    }
    model.index_sources();
    model
}

/// Warns of the policies of the input that the chosen plugin does not enforce.
fn not_enforced(cluster: &Cluster, options: &BuildOptions, warnings: &mut Vec<(Span, String)>) {
    let cni = cluster.cni.as_str();
    if cluster.cni != Cni::Cilium
        && options.cilium_enforcement != crate::model::CiliumEnforcement::Default
    {
        warnings.push((
            Span::default(),
            format!("--cilium-policy-enforcement has no effect: the network plugin is `{cni}`, not Cilium (--cni cilium)"),
        ));
    }
    if cluster.cni != Cni::Calico {
        for (i, p) in cluster.calico_policies.iter().enumerate() {
            if cluster.calico_applied(i) {
                warnings.push((
                    p.name_span,
                    format!(
                        "{} {} is not evaluated: Calico policies are not enforced by the network plugin `{cni}` (--cni)",
                        p.kind.as_str(),
                        p.id()
                    ),
                ));
            }
        }
    }
    if cluster.cni != Cni::Cilium {
        for p in &cluster.cilium_policies {
            warnings.push((
                p.name_span,
                format!(
                    "{} is not evaluated: Cilium policies are not enforced by the network plugin `{cni}` (--cni)",
                    p.id()
                ),
            ));
        }
    }
    if cluster.cni == Cni::Cilium {
        for (i, p) in cluster.cluster_policies.iter().enumerate() {
            if !cluster.cluster_not_applied.contains_key(&i) {
                warnings.push((
                    p.name_span,
                    format!(
                        "{} {} is not evaluated: Cilium does not implement the network-policy-api (AdminNetworkPolicy and friends)",
                        p.kind.kind(),
                        p.name
                    ),
                ));
            }
        }
    }
}

/// Cilium's tiers: its deny rules first (they win over every allow), then every allow —
/// Kubernetes NetworkPolicies and the allow parts of Cilium policies, which add up.
fn cilium_slots(
    cluster: &Cluster,
    options: &BuildOptions,
    warnings: &mut Vec<(Span, String)>,
) -> Vec<Slot> {
    let mut deny = Slot::new(
        "cilium-deny",
        TierKind::CiliumDeny,
        None,
        EndAction::Pass,
        None,
    );
    let mut allow = Slot::new(
        "allow",
        TierKind::NetworkPolicy,
        None,
        EndAction::Deny,
        None,
    );
    if !cilium::enforces(options.cilium_enforcement) {
        warnings.push((
            Span::default(),
            "Cilium policy enforcement mode `never`: no policy is enforced, everything is allowed"
                .into(),
        ));
        return vec![deny, allow];
    }
    let mut allows = Vec::new();
    if options.cilium_enforcement == crate::model::CiliumEnforcement::Always {
        allows.push(cilium::always_enforced());
    }
    allows.extend(cilium::allow_localhost(cluster));
    for mut p in kubernetes::network_policies(cluster) {
        cilium::as_cilium_enforces(&mut p);
        allows.push(p);
    }
    let mut denies = Vec::new();
    for (i, p) in cluster.cilium_policies.iter().enumerate() {
        if !cluster.cilium_applied(i) {
            continue;
        }
        let lowered = cilium::policy(cluster, i, p, warnings);
        denies.extend(lowered.deny);
        allows.extend(lowered.allow);
    }
    let seq = |ps: Vec<Policy>| -> Vec<((f64, String), Policy)> {
        ps.into_iter()
            .enumerate()
            .map(|(i, p)| ((i as f64, String::new()), p))
            .collect()
    };
    deny.policies = seq(denies);
    allow.policies = seq(allows);
    vec![deny, allow]
}

/// Calico's tiers, filled.
fn calico_slots(
    cluster: &Cluster,
    options: &BuildOptions,
    warnings: &mut Vec<(Span, String)>,
    notes: &mut Vec<(Span, String)>,
) -> Vec<Slot> {
    let mut slots: BTreeMap<String, Slot> = BTreeMap::new();
    slots.insert(
        KUBE_ADMIN.into(),
        Slot::new(
            KUBE_ADMIN,
            TierKind::Admin,
            Some(1_000.0),
            EndAction::Pass,
            None,
        ),
    );
    slots.insert(
        DEFAULT_TIER.into(),
        Slot::new(
            DEFAULT_TIER,
            TierKind::NetworkPolicy,
            Some(DEFAULT_ORDER),
            EndAction::Deny,
            None,
        ),
    );
    slots.insert(
        KUBE_BASELINE.into(),
        Slot::new(
            KUBE_BASELINE,
            TierKind::Baseline,
            Some(10_000_000.0),
            EndAction::Pass,
            None,
        ),
    );
    for t in &cluster.calico_tiers {
        if !crate::model::calico::validate::tier(t).is_empty() {
            continue;
        }
        let slot = slots.entry(t.name.clone()).or_insert_with(|| {
            let end = match t.default_action.as_ref().map(|a| a.value.as_str()) {
                Some("Pass") => EndAction::Pass,
                _ => EndAction::Deny,
            };
            Slot::new(
                &t.name,
                TierKind::Calico,
                Some(t.order.as_ref().map_or(DEFAULT_ORDER, |o| o.value)),
                end,
                None,
            )
        });
        slot.tier.span = Some(t.span);
    }

    // The Admin and Baseline tiers keep their own order (priority, kind, name).
    for (name, policies) in [
        (KUBE_ADMIN, cluster::admin(cluster)),
        (KUBE_BASELINE, cluster::baseline(cluster)),
    ] {
        let slot = slots.get_mut(name).expect("built in");
        slot.policies = policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| ((i as f64, String::new()), p))
            .collect();
    }

    // Staged policies, as asked: what each replaces or deletes.
    let staged: Vec<(usize, &CalicoPolicy)> = cluster
        .calico_policies
        .iter()
        .enumerate()
        .filter(|(i, p)| p.kind.is_staged() && cluster.calico_applied(*i))
        .collect();
    let mut replaced_k8s: HashSet<(String, String)> = HashSet::new();
    let mut replaced_calico: HashSet<(CalicoKind, Option<String>, String)> = HashSet::new();
    for (_, p) in &staged {
        if !options.with_staged {
            notes.push((
                p.name_span,
                format!(
                    "{} {} is staged: not enforced, so not evaluated (--with-staged evaluates it as if enforced)",
                    p.kind.as_str(),
                    p.id()
                ),
            ));
            continue;
        }
        match p.kind {
            CalicoKind::StagedKubernetesNetworkPolicy => {
                let ns = p.namespace.clone().unwrap_or_default();
                replaced_k8s.insert((ns, p.name.clone()));
            }
            k => {
                replaced_calico.insert((k.enforced(), p.namespace.clone(), p.name.clone()));
            }
        }
    }

    // The default tier: namespace isolation first, Kubernetes NetworkPolicies at order 1000.
    let default = slots.get_mut(DEFAULT_TIER).expect("built in");
    for p in kubernetes::network_policies(cluster) {
        let key = match p.source {
            super::Source::NetworkPolicy(i) => {
                let np = &cluster.policies[i];
                if replaced_k8s.contains(&(np.namespace.clone(), np.name.clone())) {
                    continue;
                }
                (
                    1000.0,
                    calico::tie_key(&np.name, Some(&np.namespace), "KubernetesNetworkPolicy"),
                )
            }
            _ => (f64::NEG_INFINITY, p.name.clone()),
        };
        default.policies.push((key, p));
    }

    // Calico policies, each in its tier.
    for (i, p) in cluster.calico_policies.iter().enumerate() {
        if !cluster.calico_applied(i) {
            continue;
        }
        if p.kind.is_staged() {
            if !options.with_staged || p.stages_deletion() {
                continue;
            }
        } else if replaced_calico.contains(&(p.kind, p.namespace.clone(), p.name.clone())) {
            continue;
        }
        if p.host_endpoints_only() {
            warnings.push((
                p.span,
                format!(
                    "{} {}: {} applies to host endpoints only, which are not evaluated: the policy has no effect on pods",
                    p.kind.as_str(),
                    p.id(),
                    if p.do_not_track.as_ref().is_some_and(|b| b.value) {
                        "doNotTrack"
                    } else {
                        "preDNAT"
                    }
                ),
            ));
            continue;
        }
        if p.apply_on_forward.as_ref().is_some_and(|b| b.value) {
            notes.push((
                p.span,
                format!(
                    "{} {}: applyOnForward concerns traffic forwarded through host endpoints, which is not evaluated; for pods the policy applies as usual",
                    p.kind.as_str(),
                    p.id()
                ),
            ));
        }
        let tier = p.tier_name().to_string();
        let slot = slots.entry(tier.clone()).or_insert_with(|| {
            let span = p.tier.as_ref().map_or(p.span, |t| t.span);
            warnings.push((
                span,
                format!(
                    "tier `{tier}` has no Tier object in the input: its policies are evaluated after every other tier, ending in Deny (as Calico treats a missing tier); add the Tier"
                ),
            ));
            let mut s = Slot::new(&tier, TierKind::Calico, None, EndAction::Deny, None);
            s.defined = false;
            s
        });
        let lowered = match &p.kubernetes {
            Some(np) => kubernetes::policy(cluster, super::Source::Calico(i), np),
            None => calico::policy(cluster, i, p, 0, warnings),
        };
        let order = match &p.kubernetes {
            Some(_) => 1000.0,
            None => p.order.as_ref().map_or(f64::INFINITY, |o| o.value),
        };
        let kind = match p.kind {
            CalicoKind::StagedKubernetesNetworkPolicy => "KubernetesNetworkPolicy",
            k => k.as_str(),
        };
        slot.policies.push((
            (
                order,
                calico::tie_key(&p.name, p.namespace.as_deref(), kind),
            ),
            lowered,
        ));
    }

    let mut out: Vec<Slot> = slots.into_values().collect();
    out.sort_by(|a, b| {
        (!a.defined, a.tier.order.unwrap_or(f64::INFINITY))
            .partial_cmp(&(!b.defined, b.tier.order.unwrap_or(f64::INFINITY)))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.tier.name.cmp(&b.tier.name))
    });
    out
}

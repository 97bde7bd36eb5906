//! Translating legacy policies to networking.k8s.io/v1 without changing what is allowed.
//!
//! - An alpha (net.alpha.kubernetes.io/v1alpha1) policy in a namespace with isolation on
//!   becomes a v1 policy with `policyTypes: [Ingress]`; `allowIncoming` (or Calico's
//!   `ingress`) becomes `ingress`, `pods` a podSelector peer, `namespaces` a
//!   namespaceSelector peer, `toPorts` `ports`. The isolated namespace gets a default-deny
//!   ingress policy, which is what its annotation did.
//! - An extensions/v1beta1 policy is the same object under networking.k8s.io/v1 with the
//!   per-pod model. With the 1.3–1.6 annotation model, it keeps only its ingress rules
//!   (`policyTypes: [Ingress]`), and a DefaultDeny namespace gets a default-deny ingress
//!   policy.
//! - A policy that has no effect where it is (an alpha policy in a namespace without isolation,
//!   a beta policy in a namespace without DefaultDeny under the annotation model) is not
//!   translated: in v1 it would start to take effect. It is reported as skipped.

use super::policy::{PolicyApi, RuleList};
use super::{Cluster, Direction, IsolationModel, LabelSelector, Namespace, NetworkPolicy};
use crate::base::span::{Span, Spanned};

/// What became of one legacy object.
#[derive(Clone, Debug)]
pub enum Migrated {
    /// A v1 policy standing for a legacy policy or a namespace's isolation annotation.
    Policy {
        /// The new policy.
        policy: Box<NetworkPolicy>,
        /// Where it comes from.
        from: Span,
        /// What it comes from, in words.
        what: String,
    },
    /// A legacy policy left out, and why.
    Skipped {
        /// The policy.
        from: Span,
        /// Why.
        why: String,
    },
}

/// The apiVersion of the migrated policies.
pub const V1: &str = "networking.k8s.io/v1";

/// Migrates every legacy policy and isolation annotation of the cluster, in input order
/// (default-deny policies for namespaces first).
pub fn migrate(cluster: &Cluster) -> Vec<Migrated> {
    let mut out = Vec::new();
    for ns in &cluster.namespaces {
        let beta = cluster.isolation == IsolationModel::Annotation && ns.beta_default_deny();
        if ns.alpha_isolated() || beta {
            let what = if beta && !ns.alpha_isolated() {
                "the DefaultDeny annotation of namespace"
            } else {
                "the alpha isolation annotation of namespace"
            };
            out.push(Migrated::Policy {
                policy: Box::new(default_deny(cluster, ns)),
                from: ns.span.unwrap_or_default(),
                what: format!("{what} {}", ns.name),
            });
        }
    }
    for (i, p) in cluster.policies.iter().enumerate() {
        if !cluster.is_applied(i) {
            continue;
        }
        let ns = cluster.ns_id(&p.namespace).map(|id| cluster.ns(id));
        let source = format!("{} NetworkPolicy {}", p.api_version.value, p.id());
        match p.api {
            PolicyApi::V1 => {}
            PolicyApi::Alpha if !ns.is_some_and(Namespace::alpha_isolated) => out.push(Migrated::Skipped {
                from: p.span,
                why: format!("{source} has no effect: namespace {} is not isolated (net.alpha.kubernetes.io/network-isolation is not on); in v1 it would take effect", p.namespace),
            }),
            PolicyApi::ExtensionsV1beta1 if cluster.isolation == IsolationModel::Annotation && !ns.is_some_and(Namespace::beta_default_deny) => out.push(Migrated::Skipped {
                from: p.span,
                why: format!("{source} has no effect under the annotation model: namespace {} has no DefaultDeny annotation; in v1 it would take effect", p.namespace),
            }),
            PolicyApi::Alpha | PolicyApi::ExtensionsV1beta1 => {
                let mut v1 = p.clone();
                v1.api = PolicyApi::V1;
                v1.api_version = Spanned::new(V1.into(), p.api_version.span);
                if p.api == PolicyApi::Alpha || cluster.isolation == IsolationModel::Annotation {
                    v1.policy_types = Some(Spanned::new(vec![Spanned::new(Direction::Ingress.as_str().into(), p.span)], p.span));
                    v1.egress = None;
                    if v1.ingress.is_none() {
                        v1.ingress = Some(RuleList { span: p.span, rules: Vec::new() });
                    }
                }
                out.push(Migrated::Policy { policy: Box::new(v1), from: p.span, what: source });
            }
        }
    }
    out
}

/// A v1 policy denying all ingress to the namespace's pods, with a name no policy of the
/// namespace has.
fn default_deny(cluster: &Cluster, ns: &Namespace) -> NetworkPolicy {
    let taken = |name: &str| {
        cluster
            .policies
            .iter()
            .any(|p| p.namespace == ns.name && p.name == name)
    };
    let mut name = "default-deny-ingress".to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("default-deny-ingress-{n}");
        n += 1;
    }
    let span = ns.span.unwrap_or_default();
    NetworkPolicy {
        namespace: ns.name.clone(),
        name,
        span,
        name_span: span,
        api: PolicyApi::V1,
        api_version: Spanned::new(V1.into(), span),
        annotations: Default::default(),
        pod_selector: LabelSelector::everything(span),
        policy_types: Some(Spanned::new(
            vec![Spanned::new(Direction::Ingress.as_str().into(), span)],
            span,
        )),
        ingress: None,
        egress: None,
    }
}

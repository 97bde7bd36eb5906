//! One decoder per kind the model understands; [`decode`] dispatches on `kind`.

pub mod alpha_policy;
pub mod calico;
pub mod cilium;
pub mod cluster_policy;
pub mod meta;
pub mod namespace;
pub mod network_policy;
pub mod node;
pub mod operator;
pub mod service;
pub mod service_account;
pub mod workload;

use super::LoadOptions;
use super::decode::Decoder;
use crate::model::cluster_policy::ClusterPolicyKind;
use crate::model::{EndpointKind, Object};

/// What became of an object.
pub enum Decoded {
    /// An object for the model.
    Used(Object),
    /// Not relevant, with the reason.
    Ignored(String),
    /// A kind that carries network policy meaning but that this tool does not model, with
    /// the reason (a warning: what the cluster does may differ from what is simulated).
    NotEvaluated(String),
    /// Problems were recorded in the decoder.
    Broken,
}

impl From<Option<Object>> for Decoded {
    fn from(o: Option<Object>) -> Self {
        o.map_or(Decoded::Broken, Decoded::Used)
    }
}

/// Decodes the object at the decoder's root.
pub fn decode(d: &mut Decoder, api_version: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (group, kind) {
        ("", "Namespace") => namespace::decode(d).into(),
        ("", "Service") => service::decode(d, opts).into(),
        ("", "Node") => node::decode(d).into(),
        ("", "ServiceAccount") => service_account::decode(d, opts).into(),
        ("projectcalico.org" | "crd.projectcalico.org", _) => {
            calico::decode(d, api_version, kind, opts)
        }
        ("cilium.io", _) => cilium::decode(d, api_version, kind, opts),
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => {
            network_policy::decode(d, api_version, opts)
        }
        ("net.alpha.kubernetes.io", "NetworkPolicy") => {
            alpha_policy::decode(d, &opts.default_namespace)
        }
        ("policy.networking.k8s.io", "AdminNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Anp, api_version)
        }
        ("policy.networking.k8s.io", "BaselineAdminNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Banp, api_version)
        }
        ("policy.networking.k8s.io", "ClusterNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Cnp, api_version)
        }
        (operator::MONITORING_GROUP, _) => operator::decode_monitoring(d, kind, opts),
        (_, "NetworkPolicy") => Decoded::Ignored(format!(
            "NetworkPolicy of apiVersion `{api_version}` is not supported (networking.k8s.io/v1, extensions/v1beta1 and net.alpha.kubernetes.io/v1alpha1 are)"
        )),
        _ => match EndpointKind::from_kind(kind) {
            Some(k) => workload::decode(d, k, opts).into(),
            None if operator::is_custom_group(group) => {
                operator::decode_custom(d, group, kind, opts)
            }
            None => Decoded::Ignored(format!("kind {kind} does not take part in network policy")),
        },
    }
}

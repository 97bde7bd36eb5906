//! Cilium identity labels: the keys a selector of a Cilium policy reads (namespace,
//! namespace labels, service account, cluster, reserved entities), the labels the default
//! identity label filter leaves out, and the selector conditions built from them.

use super::Cx;
use crate::base::span::Span;
use crate::model::NAMESPACE_NAME_LABEL;
use crate::model::ir::{Cond, Test};
use crate::model::labels::{LabelSelector, Operator, Requirement};
use crate::model::selector::{Expr, Key, Scope};

/// The namespace label of Cilium identities.
pub const POD_NAMESPACE: &str = "io.kubernetes.pod.namespace";
/// The prefix of namespace labels in Cilium identities.
pub const NAMESPACE_LABELS: &str = "io.cilium.k8s.namespace.labels.";
/// The service account label of Cilium identities (a key of [`Scope::Meta`]).
pub const SERVICE_ACCOUNT: &str = "io.cilium.k8s.policy.serviceaccount";
/// The cluster name label of Cilium identities (a key of [`Scope::Meta`]).
pub const CLUSTER: &str = "io.cilium.k8s.policy.cluster";
/// The cluster name Cilium gives pods when none is configured.
pub const DEFAULT_CLUSTER_NAME: &str = "default";

/// Label keys Cilium's default identity label filter leaves out (`pkg/labelsfilter`): a
/// selector on them matches no pod. Prefixes; `app.kubernetes.io` and the namespace and
/// policy labels above stay.
const FILTERED_PREFIXES: [&str; 15] = [
    "io.kubernetes",
    "kubernetes.io",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "batch.kubernetes.io/controller-uid",
    "k8s.io",
    "pod-template-generation",
    "pod-template-hash",
    "controller-revision-hash",
    "controller-uid",
    "annotation",
    "etcd_node",
    "topology.kubernetes.io",
    "beta.kubernetes.io",
];

/// Whether a pod label key is left out of Cilium identities by the default label filter.
pub fn filtered_out(key: &str) -> bool {
    if key == POD_NAMESPACE
        || key.starts_with(NAMESPACE_LABELS)
        || key.starts_with("app.kubernetes.io")
        || key.starts_with("io.cilium.k8s.policy")
    {
        return false;
    }
    FILTERED_PREFIXES.iter().any(|p| key.starts_with(p)) || key.contains("beta.kubernetes.io")
}

/// How a selector key reads an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityKey {
    /// A key of the model.
    Key(Key),
    /// A reserved label: the entity it names.
    Reserved(String),
    /// A label no pod identity carries: filtered out by default, or of a source pods do not
    /// have (`container:`, `cidr:` ...); the text says which.
    Absent(String),
}

/// What a selector key written in a Cilium policy reads.
pub fn identity_key(written: &str) -> IdentityKey {
    let (source, key) = match written.split_once(':') {
        Some((s, k)) => (s, k),
        None => ("any", written),
    };
    match source {
        "k8s" | "any" => {}
        "reserved" => return IdentityKey::Reserved(key.to_string()),
        other => {
            return IdentityKey::Absent(format!(
                "`{written}`: pods carry labels of source k8s, not {other}"
            ));
        }
    }
    if key == POD_NAMESPACE {
        return IdentityKey::Key(Key::namespace(NAMESPACE_NAME_LABEL));
    }
    if let Some(ns_key) = key.strip_prefix(NAMESPACE_LABELS) {
        return IdentityKey::Key(Key::namespace(ns_key));
    }
    if key == SERVICE_ACCOUNT || key == CLUSTER {
        return IdentityKey::Key(Key {
            scope: Scope::Meta,
            name: key.to_string(),
        });
    }
    if filtered_out(key) {
        return IdentityKey::Absent(format!(
            "`{written}` is left out of Cilium identities by the default label filter: no pod carries it"
        ));
    }
    IdentityKey::Key(Key::own(key))
}

/// Whether the selector names the namespace (`io.kubernetes.pod.namespace` of source k8s or
/// any), so that Cilium does not confine it to the policy's namespace.
pub(super) fn names_namespace(sel: &LabelSelector) -> bool {
    keys(sel).any(|k| {
        let (source, key) = k.split_once(':').unwrap_or(("any", k));
        matches!(source, "k8s" | "any")
            && (key == POD_NAMESPACE || key.starts_with(NAMESPACE_LABELS))
    })
}

fn keys(sel: &LabelSelector) -> impl Iterator<Item = &str> {
    sel.match_labels
        .iter()
        .map(|(k, _)| k.value.as_str())
        .chain(sel.match_expressions.iter().map(|e| e.key.value.as_str()))
}

pub(super) fn has_reserved(sel: &LabelSelector) -> bool {
    keys(sel).any(|k| k.starts_with("reserved:"))
}

impl Cx<'_> {
    /// The conditions of a selector's requirements on pod identities: one selector
    /// condition, or a never-holding one for labels no identity carries.
    pub(super) fn selector_conds(
        &self,
        field: &str,
        sel: &LabelSelector,
        reqs: &[Requirement],
    ) -> Vec<Cond> {
        let mut exprs = Vec::new();
        let mut absent = Vec::new();
        for r in reqs {
            match identity_key(&r.key) {
                IdentityKey::Key(key) => exprs.push(Expr::requirement_on(key, r)),
                IdentityKey::Reserved(name) | IdentityKey::Absent(name) => {
                    // A label pods never carry: `In`/`Exists` never hold, `NotIn`/
                    // `DoesNotExist` always do.
                    if matches!(r.op, Operator::In | Operator::Exists) {
                        absent.push((name, r.span));
                    }
                }
            }
        }
        let what = format!(
            "{field} {{{}}}",
            reqs.iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut conds = vec![Cond::new(
            Test::Selector {
                expr: exprs.into_iter().fold(Expr::All, Expr::and),
                network_sets: false,
            },
            what,
            sel.span,
        )];
        for (why, span) in absent {
            conds.push(never(format!("no pod carries label {why}"), span));
        }
        conds
    }
}

fn never(what: String, span: Span) -> Cond {
    // `all()` negated: holds for no party.
    Cond::new(
        Test::Selector {
            expr: Expr::All,
            network_sets: false,
        },
        what,
        span,
    )
    .negate()
}

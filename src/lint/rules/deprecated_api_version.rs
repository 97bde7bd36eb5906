//! ## What it finds
//! A NetworkPolicy written in an API version that current clusters no longer serve:
//! `extensions/v1beta1` (served from Kubernetes 1.3, removed in 1.16), or the original
//! `net.alpha.kubernetes.io/v1alpha1` of Kubernetes 1.2 (a ThirdPartyResource; those were
//! removed in 1.8). The finding points at the `apiVersion` value; for the alpha API, whose
//! schema differs, it carries the exact networking.k8s.io/v1 policy to use instead (what
//! `kubectl netpol migrate` prints).
//!
//! ## Why it matters
//! `kubectl apply` fails on a cluster that no longer serves the version (`no matches for
//! kind "NetworkPolicy" in version "extensions/v1beta1"`), so the policy — and the isolation
//! it provides — silently goes missing when a pipeline carries on, or when the manifests
//! are applied to a newer cluster than the one they were written for. The analysis here
//! reads the policy as `networking.k8s.io/v1` would, which is what you get once the version
//! is fixed.
//!
//! ## Example
//! ```yaml
//! apiVersion: extensions/v1beta1
//! kind: NetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: frontend}}}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: frontend}}}]
//! ```

use crate::base::edit::Edit;
use crate::base::span::Span;
use crate::base::yaml_edit;
use crate::lint::fix::{Fix, Safety, replace_scalar, text_of};
use crate::lint::{Attachment, Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::migrate::{Migrated, V1, migrate};
use crate::model::policy::PolicyApi;
use crate::model::{Direction, IsolationModel, PolicyIdx};
use crate::report::yaml::network_policy;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP406",
    name: "deprecated-api-version",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "a NetworkPolicy in an API version current clusters no longer serve",
    check,
};

/// What to say about an API version that is no longer served.
struct Deprecation {
    /// The Kubernetes version that stopped serving it.
    removed_in: &'static str,
    /// The apiVersion to use instead.
    replacement: &'static str,
    /// What changes besides the apiVersion line.
    note: &'static str,
}

/// The deprecation of an API version, if any. Every [`PolicyApi`] is listed, so a new one
/// cannot be added without deciding here.
fn deprecation(api: PolicyApi) -> Option<Deprecation> {
    match api {
        PolicyApi::V1 => None,
        PolicyApi::ExtensionsV1beta1 => Some(Deprecation {
            removed_in: "1.16",
            replacement: "networking.k8s.io/v1",
            note: "the spec stays as it is",
        }),
        PolicyApi::Alpha => Some(Deprecation {
            removed_in: "1.8 (ThirdPartyResources)",
            replacement: "networking.k8s.io/v1",
            note: "the schema changed (allowIncoming becomes ingress, pods a podSelector peer, namespaces a namespaceSelector peer, toPorts ports) and isolation moves from the namespace annotation to a default-deny policy; `kubectl netpol migrate` writes both",
        }),
    }
}

/// The fix of a policy in an API version no longer served.
///
/// - `extensions/v1beta1`: the apiVersion replaced by `networking.k8s.io/v1` where the spec
///   means the same under v1, with the per-pod isolation model (under the 1.3–1.6
///   annotation model the policy would start to govern egress, and policies of namespaces
///   without DefaultDeny would take effect). Safe.
/// - the alpha API, whose schema differs: the object rewritten as the v1 policy `kubectl
///   netpol migrate` writes, and, after the first alpha policy of a namespace isolated by
///   its annotation, the default-deny ingress policy that stands for that annotation (which
///   current clusters ignore). Unsafe: the object's own comments, and labels the model does
///   not keep, are not carried over; left out for an object with annotations, or not at the
///   start of its line (an item of a `kind: List`).
fn fix(cx: &Context, idx: PolicyIdx, migrated: &[Migrated]) -> Option<Fix> {
    let policy = &cx.cluster.policies[idx];
    match policy.api {
        PolicyApi::ExtensionsV1beta1 if cx.cluster.isolation == IsolationModel::PerPod => {
            let span = policy.api_version.span;
            Some(Fix::edit(
                Safety::Safe,
                format!("replace apiVersion {} with {V1}", policy.api_version.value),
                replace_scalar(text_of(cx, span), span, V1),
            ))
        }
        PolicyApi::Alpha => {
            let text = text_of(cx, policy.span);
            if yaml_edit::column(text, policy.span.start) != 0 || !policy.annotations.is_empty() {
                return None;
            }
            let v1 = migrated.iter().find_map(|m| match m {
                Migrated::Policy {
                    policy: v1, from, ..
                } if *from == policy.span => Some(v1),
                _ => None,
            })?;
            let mut new = network_policy(v1);
            // The namespace's isolation, once: after its first alpha policy.
            let first = cx
                .cluster
                .applied_policies()
                .find(|(_, p)| p.api == PolicyApi::Alpha && p.namespace == policy.namespace)
                .map(|(i, _)| i);
            let ns_span = cx
                .cluster
                .ns_id(&policy.namespace)
                .and_then(|id| cx.cluster.ns(id).span);
            let deny = migrated.iter().find_map(|m| match m {
                Migrated::Policy {
                    policy: p, from, ..
                } if Some(*from) == ns_span && p.namespace == policy.namespace => Some(p),
                _ => None,
            });
            // A default deny of the namespace written already (by this fix, in an earlier
            // round) is not written again.
            let denied = cx.cluster.applied_policies().any(|(_, p)| {
                p.api == PolicyApi::V1
                    && p.namespace == policy.namespace
                    && p.pod_selector.is_empty()
                    && p.affects(Direction::Ingress)
                    && p.rules(Direction::Ingress).is_empty()
            });
            let mut title = format!("rewrite {} as {V1}", policy.id());
            if let (Some(deny), true, false) = (deny, first == Some(idx), denied) {
                new.push_str(&format!(
                    "---\n# The isolation the namespace's net.alpha.kubernetes.io/network-isolation annotation gave.\n{}",
                    network_policy(deny)
                ));
                title.push_str(&format!(
                    ", with {}/{} for the namespace's isolation annotation",
                    deny.namespace, deny.name
                ));
            }
            let end = yaml_edit::content_end(text, policy.span);
            let span = Span::new(policy.span.file, policy.span.start, end);
            Some(Fix::edit(Safety::Unsafe, title, Edit::replace(span, new)))
        }
        _ => None,
    }
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let migrated = if cx
        .cluster
        .policies
        .iter()
        .any(|p| p.api == PolicyApi::Alpha)
    {
        migrate(cx.cluster)
    } else {
        Vec::new()
    };
    for (idx, policy) in cx.cluster.applied_policies() {
        let Some(d) = deprecation(policy.api) else {
            continue;
        };
        let mut f = Finding::new(
            &RULE,
            Subject::Policy(idx),
            policy.api_version.span,
            format!(
                "{}: apiVersion {} is not served since Kubernetes {}; applying it fails",
                policy.id(),
                policy.api_version.value,
                d.removed_in
            ),
        )
        .help(format!(
            "replace it with `apiVersion: {}`; {}",
            d.replacement, d.note
        ))
        .maybe_fix(fix(cx, idx, &migrated))
        .notes(
            migrated
                .iter()
                .filter(|_| policy.api == PolicyApi::Alpha)
                .filter_map(|m| match m {
                    Migrated::Skipped { from, why } if *from == policy.span => {
                        Some(format!("note: {why}"))
                    }
                    _ => None,
                })
                .collect(),
        );
        for m in migrated.iter().filter(|_| policy.api == PolicyApi::Alpha) {
            if let Migrated::Policy {
                policy: v1, from, ..
            } = m
                && *from == policy.span
            {
                f = f.attach(Attachment::UseInstead(v1.clone()));
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_the_api_version_with_the_fix() {
        assert_eq!(
            details(&RULE, "bad.yaml"),
            [
                "2:13: shop/api: apiVersion extensions/v1beta1 is not served since Kubernetes 1.16; applying it fails\n  help: replace it with `apiVersion: networking.k8s.io/v1`; the spec stays as it is"
            ]
        );
    }

    #[test]
    fn networking_v1_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }

    #[test]
    fn the_fix_replaces_the_api_version() {
        insta::assert_snapshot!(crate::lint::fix::testing::fixed(&RULE, "bad.yaml", false));
    }

    #[test]
    fn an_alpha_policy_is_rewritten_as_migrate_writes_it() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "alpha.yaml", true));
        // A rewrite that drops the object's comments: unsafe.
        assert_eq!(fixed(&RULE, "alpha.yaml", false), "");
    }
}

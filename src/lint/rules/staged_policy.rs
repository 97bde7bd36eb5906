//! ## What it finds
//! A StagedNetworkPolicy, StagedGlobalNetworkPolicy or StagedKubernetesNetworkPolicy: a
//! policy Calico stores but does not enforce, so that its effect can be previewed (in flow
//! logs, with Calico Enterprise) before it is applied for real. The finding says what it
//! would change once enforced: replace the enforced policy of the same kind, namespace and
//! name when the input has one, delete it (`stagedAction: Delete`), or add a new policy.
//!
//! ## Why it matters
//! A staged policy allows and denies nothing, and this tool does not evaluate it either
//! unless asked with `--with-staged` (then it is evaluated as the policy it stages, in place
//! of the enforced one; the finding then says so). A staged policy forgotten in a repository reads like protection that
//! does not exist; one that is meant to go live should be checked as it will run.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: StagedNetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: app == 'api'
//! ```
//!
//! ## Use instead
//! Once its effect is the one wanted, enforce it (and delete the staged copy):
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     source:
//!       selector: app == 'api'
//! ```
//! or check it as it would run with `kubectl netpol check --with-staged`.

use crate::base::span::Span;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::calico::{CalicoKind, CalicoPolicy};
use crate::model::ir::Source;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP806",
    name: "staged-policy",
    severity: Severity::Info,
    category: Category::Ineffective,
    summary: "a Calico staged policy: not enforced, and evaluated only with --with-staged",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (i, p) in cluster.calico_policies.iter().enumerate() {
        if !p.kind.is_staged() || !cluster.calico_applied(i) {
            continue;
        }
        let (kind, target) = enforced(cx, p);
        let what = format!("{kind} {}", p.id());
        let delete = p.stages_deletion();
        // With --with-staged the model holds the staged policy in place of the enforced one
        // (or, for a deletion, leaves the enforced one out).
        let evaluated = match (&target, delete) {
            (_, false) => cluster.ir.policy_of(Source::Calico(i)).is_some(),
            (Some((source, _)), true) => cluster.ir.policy_of(*source).is_none(),
            (None, true) => false,
        };
        let (state, would) = if evaluated {
            (
                "not enforced in the cluster, but evaluated here as if it were (--with-staged):",
                "",
            )
        } else {
            (
                "not enforced, so not evaluated unless --with-staged; enforced,",
                "would ",
            )
        };
        let s = if evaluated { "s" } else { "" };
        let change = match (delete, &target) {
            (true, Some(_)) => format!("it {would}delete{s} {what}"),
            (true, None) => format!("it {would}delete{s} {what}, which is not in this input"),
            (false, Some(_)) => format!("it {would}replace{s} {what}"),
            (false, None) => format!("it {would}add{s} {what} (none of that name in this input)"),
        };
        let f = Finding::new(
            &RULE,
            Subject::CalicoPolicy(i),
            p.name_span,
            format!(
                "{} {} is staged: {state} {change}",
                p.kind.as_str(),
                p.id(),
            ),
        )
        .help("enforce it once its effect is the one wanted; `--with-staged` evaluates it as if enforced");
        out.push(match target {
            Some((_, at)) => f.related(
                at,
                format!(
                    "{what}, which it would {}",
                    if delete { "delete" } else { "replace" }
                ),
            ),
            None => f,
        });
    }
}

/// The kind a staged policy stages, as messages name it, and the enforced policy of that
/// kind, namespace and name in the input (what the model would lower it from, and where its
/// name is).
fn enforced(cx: &Context, p: &CalicoPolicy) -> (&'static str, Option<(Source, Span)>) {
    let cluster = cx.cluster;
    if p.kind == CalicoKind::StagedKubernetesNetworkPolicy {
        let ns = p.namespace.as_deref().unwrap_or_default();
        let target = cluster
            .applied_policies()
            .find(|(_, np)| np.namespace == ns && np.name == p.name)
            .map(|(k, np)| (Source::NetworkPolicy(k), np.name_span));
        return ("Kubernetes NetworkPolicy", target);
    }
    let kind = p.kind.enforced();
    let target = cluster
        .calico_policies
        .iter()
        .enumerate()
        .find(|(j, q)| {
            cluster.calico_applied(*j)
                && q.kind == kind
                && q.namespace == p.namespace
                && q.name == p.name
        })
        .map(|(j, q)| (Source::Calico(j), q.name_span));
    (kind.as_str(), target)
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn each_staged_policy_says_what_it_would_change() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "12:18: StagedNetworkPolicy shop/db is staged: not enforced, so not evaluated unless --with-staged; enforced, it would replace NetworkPolicy shop/db",
                "23:18: StagedGlobalNetworkPolicy deny-metadata is staged: not enforced, so not evaluated unless --with-staged; enforced, it would add GlobalNetworkPolicy deny-metadata (none of that name in this input)",
                "41:18: StagedKubernetesNetworkPolicy shop/legacy is staged: not enforced, so not evaluated unless --with-staged; enforced, it would delete Kubernetes NetworkPolicy shop/legacy",
            ]
        );
    }

    #[test]
    fn with_staged_it_says_it_was_evaluated() {
        use std::collections::HashSet;

        use crate::lint::{Config, Context, RunOptions, run};
        use crate::load::{LoadOptions, load};
        use crate::model::{BuildOptions, Cluster};

        let path = format!(
            "{}/testdata/rules/staged-policy/bad.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let loaded = load(&[path], &LoadOptions::default());
        let options = BuildOptions {
            with_staged: true,
            ..BuildOptions::default()
        };
        let cluster = Cluster::build_with(loaded.objects, &options);
        let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
        let only: HashSet<&str> = [RULE.name].into();
        let messages: Vec<String> = run(&cx, &Config::only(&only), &RunOptions::default())
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(
            messages,
            [
                "StagedNetworkPolicy shop/db is staged: not enforced in the cluster, but evaluated here as if it were (--with-staged): it replaces NetworkPolicy shop/db",
                "StagedGlobalNetworkPolicy deny-metadata is staged: not enforced in the cluster, but evaluated here as if it were (--with-staged): it adds GlobalNetworkPolicy deny-metadata (none of that name in this input)",
                "StagedKubernetesNetworkPolicy shop/legacy is staged: not enforced in the cluster, but evaluated here as if it were (--with-staged): it deletes Kubernetes NetworkPolicy shop/legacy",
            ]
        );
    }

    #[test]
    fn enforced_policies_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_policy_it_would_replace_is_related() {
        let help = "help: enforce it once its effect is the one wanted; `--with-staged` evaluates it as if enforced";
        assert_eq!(
            details(&RULE, "bad.yaml"),
            [
                format!(
                    "12:18: StagedNetworkPolicy shop/db is staged: not enforced, so not evaluated unless --with-staged; enforced, it would replace NetworkPolicy shop/db\n  3:18: NetworkPolicy shop/db, which it would replace\n  {help}"
                ),
                format!(
                    "23:18: StagedGlobalNetworkPolicy deny-metadata is staged: not enforced, so not evaluated unless --with-staged; enforced, it would add GlobalNetworkPolicy deny-metadata (none of that name in this input)\n  {help}"
                ),
                format!(
                    "41:18: StagedKubernetesNetworkPolicy shop/legacy is staged: not enforced, so not evaluated unless --with-staged; enforced, it would delete Kubernetes NetworkPolicy shop/legacy\n  33:18: Kubernetes NetworkPolicy shop/legacy, which it would delete\n  {help}"
                ),
            ]
        );
    }
}

//! ## What it finds
//! A Pod, workload (Deployment, StatefulSet, DaemonSet, Job...), Service or Namespace
//! defined more than once in the input: the same kind, namespace and name. The finding points
//! at the last definition, which is the one `kubectl apply` of the files in the order given
//! leaves in the cluster and the one this check evaluates (its labels, its ports); the
//! earlier ones are shown as related places, replaced. NetworkPolicies defined twice are
//! `duplicate-policy`'s.
//!
//! ## Why it matters
//! A namespace holds one object per kind and name: applying both replaces the first
//! completely, and which one wins depends on the order of the files. When the copies differ
//! — a label changed in one of them — the pods run with labels the other copy's readers
//! expect, and policies select other pods than the ones intended. It is usually a
//! copy-paste that kept the name, or the same manifest in two directories.
//!
//! ## Example
//! ```yaml
//! # base/api.yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: api, namespace: shop}
//! spec:
//!   template:
//!     metadata: {labels: {app: api}}
//! ---
//! # overlays/api.yaml: a copy with another label, same name
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: api, namespace: shop}
//! spec:
//!   template:
//!     metadata: {labels: {app: api-v2}}
//! ```
//!
//! ## Use instead
//! One definition of `shop/api` in the input, or a name of its own for each workload
//! (`api`, `api-v2`).

use std::collections::BTreeMap;

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::NsId;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP305",
    name: "duplicate-object",
    severity: Severity::Warning,
    category: Category::Redundant,
    summary: "a Pod, workload, Service or Namespace defined twice: the last definition replaces the others",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    // The replaced definitions of each object, by where its kept definition is.
    let mut by_kept: BTreeMap<_, Vec<&crate::model::Replaced>> = BTreeMap::new();
    for r in &cluster.replaced {
        by_kept
            .entry((r.by.file, r.by.start, r.by.end))
            .or_default()
            .push(r);
    }
    for replaced in by_kept.values() {
        let first = replaced[0];
        let kept = first.by;
        let id = if first.namespace.is_empty() {
            first.name.clone()
        } else {
            format!("{}/{}", first.namespace, first.name)
        };
        let subject = if first.kind == "Namespace" {
            cluster
                .ns_id(&first.name)
                .map_or(Subject::None, |i: NsId| Subject::Namespace(i))
        } else {
            cluster
                .endpoints
                .iter()
                .position(|e| e.name_span == kept)
                .map_or(Subject::None, Subject::Endpoint)
        };
        let places: Vec<String> = replaced
            .iter()
            .map(|r| cx.sources.location(r.span).to_string())
            .collect();
        let earlier = if places.len() == 1 {
            format!("the earlier one at {}", places[0])
        } else {
            format!("the earlier ones at {}", places.join(", "))
        };
        let mut f = Finding::new(
            &RULE,
            subject,
            kept,
            format!(
                "{} {id} is defined {} times: kubectl apply of the files in order keeps this last definition, which is the one checked; {earlier} {} replaced",
                first.kind,
                replaced.len() + 1,
                if places.len() == 1 { "is" } else { "are" },
            ),
        )
        .help(format!(
            "keep one definition of {} {id}, or give the other a name of its own",
            first.kind
        ));
        for r in replaced {
            f = f.related(
                r.span,
                "replaced definition: not in the cluster, not checked",
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;

    /// The fixture directory, which messages name files with.
    fn dir() -> String {
        format!(
            "{}/testdata/rules/duplicate-object/",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn shown(found: Vec<String>) -> Vec<String> {
        found.iter().map(|f| f.replace(&dir(), "")).collect()
    }

    #[test]
    fn points_at_the_kept_definition_and_names_the_replaced_ones() {
        assert_eq!(
            shown(crate::lint::testing::findings_in(
                &RULE,
                &["a.yaml", "b.yaml"]
            )),
            [
                "b.yaml:3:18: Deployment shop/web is defined 2 times: kubectl apply of the files in order keeps this last definition, which is the one checked; the earlier one at a.yaml:3:18 is replaced",
                "b.yaml:12:18: Pod shop/db is defined 3 times: kubectl apply of the files in order keeps this last definition, which is the one checked; the earlier ones at a.yaml:12:18, a.yaml:17:18 are replaced",
                "b.yaml:17:18: Namespace shop is defined 2 times: kubectl apply of the files in order keeps this last definition, which is the one checked; the earlier one at a.yaml:22:18 is replaced",
            ]
        );
    }

    #[test]
    fn the_last_definition_is_what_the_model_holds() {
        let paths = [format!("{}a.yaml", dir()), format!("{}b.yaml", dir())];
        let loaded = crate::load::load(&paths, &Default::default());
        let cluster = crate::model::Cluster::build(loaded.objects);
        let web: Vec<_> = cluster
            .endpoints
            .iter()
            .filter(|e| e.name == "web")
            .collect();
        assert_eq!(web.len(), 1);
        assert_eq!(web[0].labels.get("app"), Some("web-v2"));
        let shop = &cluster.namespaces[cluster.ns_id("shop").unwrap() as usize];
        assert_eq!(shop.labels.get("team"), Some("b"));
    }

    #[test]
    fn relates_each_replaced_definition() {
        let d = shown(crate::lint::testing::details(&RULE, "a.yaml"));
        assert_eq!(
            d,
            [
                "17:18: Pod shop/db is defined 2 times: kubectl apply of the files in order keeps this last definition, which is the one checked; the earlier one at a.yaml:12:18 is replaced\n  12:18: replaced definition: not in the cluster, not checked\n  help: keep one definition of Pod shop/db, or give the other a name of its own"
            ]
        );
    }

    #[test]
    fn same_names_of_other_kinds_or_namespaces_pass() {
        assert!(crate::lint::testing::findings(&RULE, "good.yaml").is_empty());
    }
}

//! The policies of a model by the namespace their subject is confined to
//! ([`Match::namespace`]), so that asking "which policies may select this endpoint" of every
//! endpoint costs the policies of its namespace and the unconfined ones, not every policy of
//! the model (quadratic on a cluster dump: 150,000 pods × 20,000 policies).
//!
//! Invariant: a policy whose subject is confined to namespace `ns` selects no endpoint
//! outside `ns`, so [`Subjects::candidates`] of an endpoint's namespace holds every policy
//! that may select it.
//!
//! [`Match::namespace`]: super::Match::namespace

use std::collections::HashMap;

use super::{Model, PolicyId};

/// The policies of a model, by the namespace their subject is confined to.
pub struct Subjects<'m> {
    by_namespace: HashMap<&'m str, Vec<PolicyId>>,
    anywhere: Vec<PolicyId>,
}

impl<'m> Subjects<'m> {
    /// Indexes the policies of a model.
    pub fn new(model: &'m Model) -> Subjects<'m> {
        let mut s = Subjects {
            by_namespace: HashMap::new(),
            anywhere: Vec::new(),
        };
        for (i, p) in model.policies.iter().enumerate() {
            match p.subject.namespace() {
                Some(ns) => s.by_namespace.entry(ns).or_default().push(i),
                None => s.anywhere.push(i),
            }
        }
        s
    }

    /// The policies that may select an endpoint of namespace `ns` (its own and those not
    /// confined to one namespace), in model order: a superset of those that do, to be
    /// checked with [`crate::engine::matching::matches`].
    pub fn candidates(&self, ns: &str) -> Vec<PolicyId> {
        let local = self.by_namespace.get(ns).map_or(&[][..], Vec::as_slice);
        let mut all: Vec<PolicyId> = local.iter().chain(&self.anywhere).copied().collect();
        all.sort_unstable();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, LoadOptions};
    use crate::model::Cluster;

    const INPUT: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: a}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: b}
spec: {podSelector: {}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: everyone}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
"#;

    #[test]
    fn an_endpoint_is_offered_its_namespace_s_policies_and_the_unconfined_ones() {
        let loaded = load::load_texts(&[("p.yaml", INPUT)], &LoadOptions::default());
        assert!(loaded.problems.is_empty());
        let cluster = Cluster::build(loaded.objects);
        let s = Subjects::new(&cluster.ir);
        let names = |ns: &str| -> Vec<String> {
            s.candidates(ns)
                .into_iter()
                .map(|p| {
                    let p = &cluster.ir.policies[p];
                    format!("{}:{:?}", p.name, p.subject.namespace())
                })
                .collect()
        };
        // In model order: the AdminNetworkPolicy tier comes first.
        assert_eq!(names("a"), ["everyone:None", "a/deny:Some(\"a\")"]);
        assert_eq!(names("b"), ["everyone:None", "b/deny:Some(\"b\")"]);
        assert_eq!(names("c"), ["everyone:None"]);
    }
}

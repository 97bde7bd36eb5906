//! Lookups that rules make per pod, per namespace or per policy, indexed once per run so
//! that no rule is quadratic on a cluster dump (150,000 pods, 20,000 policies): the
//! endpoints of each namespace, and the policies of the model by the namespace their subject
//! is confined to ([`Subjects`]).

use crate::model::ir::subjects::Subjects;
use crate::model::{Cluster, NsId};

/// The index of a cluster; see the module doc.
pub struct Index<'c> {
    endpoints: Vec<Vec<usize>>,
    subjects: Subjects<'c>,
}

impl<'c> Index<'c> {
    /// Indexes a cluster.
    pub fn new(cluster: &'c Cluster) -> Index<'c> {
        let mut endpoints = vec![Vec::new(); cluster.namespaces.len()];
        for (i, ep) in cluster.endpoints.iter().enumerate() {
            endpoints[ep.ns as usize].push(i);
        }
        Index {
            endpoints,
            subjects: Subjects::new(&cluster.ir),
        }
    }

    /// The endpoints of a namespace, in cluster order.
    pub fn endpoints_in(&self, ns: NsId) -> &[usize] {
        &self.endpoints[ns as usize]
    }

    /// The policies of the model whose subject may hold a pod of namespace `ns` (those
    /// confined to it and those confined to none), in model order. Every other policy holds
    /// no pod of `ns`.
    pub fn policies_for(&self, ns: &str) -> impl Iterator<Item = usize> {
        self.subjects.candidates(ns).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, LoadOptions};

    #[test]
    fn policies_confined_elsewhere_are_left_out_and_cluster_wide_ones_kept() {
        // Calico's cluster-wide policies, and the demo's policies of shop and ingress-nginx.
        let dirs = ["testdata/calico", "testdata/demo"]
            .map(|d| format!("{}/{d}", env!("CARGO_MANIFEST_DIR")));
        let loaded = load::load(&dirs, &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let index = Index::new(&cluster);
        let shop = cluster.ns_id("shop").unwrap();
        assert_eq!(
            index.endpoints_in(shop).to_vec(),
            (0..cluster.endpoints.len())
                .filter(|&e| cluster.endpoints[e].ns == shop)
                .collect::<Vec<_>>()
        );
        // Exactly the policies that may hold a shop pod: confined to shop, or to none.
        let (mut confined, mut wide, mut elsewhere) = (0, 0, 0);
        for (i, p) in cluster.ir.policies.iter().enumerate() {
            let kept = index.policies_for("shop").any(|j| j == i);
            match p.subject.namespace() {
                Some("shop") => confined += usize::from(kept),
                None => wide += usize::from(kept),
                Some(_) => elsewhere += usize::from(!kept),
            }
            assert_eq!(kept, p.subject.namespace().is_none_or(|ns| ns == "shop"));
        }
        assert!(
            confined > 0 && wide > 0 && elsewhere > 0,
            "{confined} {wide} {elsewhere}"
        );
    }
}

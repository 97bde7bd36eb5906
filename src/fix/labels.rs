//! Which labels name a workload: what a fix writes in a selector to pick a workload's pods,
//! and nothing else of its namespace.
//!
//! - A workload is what [`workload_key`] names: a workload object (`deploy/web`), the
//!   workload a pod belongs to by its owner, or, for a bare pod, the label that names its
//!   application (`app=web`), joined to the workload object of that name when the input
//!   holds one (a cluster dump's Deployment beside its running pods). [`members`] are the
//!   endpoints of one workload in one namespace: the replicas a fix may not tell apart.
//! - [`choose`] picks the smallest set of *stable* labels, those every member carries with
//!   the same value and that do not change from one rollout or replica to the next (never
//!   `pod-template-hash`, `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`,
//!   `pod-template-generation`...), that selects exactly the members in their namespace.
//!   Sets are tried by size, then by the preference of their keys
//!   (`app.kubernetes.io/name`, `app`, `k8s-app`, `name`, ... before any other). When no set
//!   selects exactly the members, the choice is every stable label (the narrowest set), and
//!   says what else it selects; when the members share no stable label, there is no choice.
//!
//! Invariant: a choice's labels hold for every member, so a selector of them never leaves a
//! replica out.

use crate::model::{Cluster, EndpointKind, Labels};

/// Label keys preferred to name a workload, in order.
pub const PREFERRED: [&str; 10] = [
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "component",
    "role",
    "tier",
    "app.kubernetes.io/part-of",
];

/// Label keys that change between rollouts or replicas of one workload: never chosen.
pub const UNSTABLE: [&str; 9] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "security.istio.io/tlsMode",
];

/// Whether a label key may identify a workload (it is not one of [`UNSTABLE`]).
pub fn is_stable(key: &str) -> bool {
    !UNSTABLE.contains(&key)
}

/// The workload an endpoint belongs to, within its namespace: `deploy/web` for a workload
/// object and for the pods of one — by owner, or, for a bare pod of a dump, the workload
/// object of the namespace whose name its own name extends (`web-5d8f-abc`, `db-0`) and
/// whose template it shares a label with, or whose name its application label gives — else what
/// [`crate::model::Endpoint::workload`] says (`app=web`, or the pod's own name).
pub fn workload_key(cluster: &Cluster, ep: usize) -> String {
    let e = &cluster.endpoints[ep];
    let own = e.workload();
    if e.kind != EndpointKind::Pod || e.owner.is_some() {
        return own;
    }
    // Some label of the template, with its value (a canary may differ in others).
    let carries = |w: &crate::model::Endpoint| {
        w.labels
            .iter()
            .any(|(k, v)| is_stable(k) && e.labels.get(k) == Some(v))
    };
    let by_name = cluster
        .endpoints
        .iter()
        .filter(|w| {
            w.ns == e.ns
                && w.kind != EndpointKind::Pod
                && !w.labels.is_empty()
                && e.name.len() > w.name.len() + 1
                && e.name.starts_with(&w.name)
                && e.name.as_bytes()[w.name.len()] == b'-'
                && carries(w)
        })
        .max_by_key(|w| w.name.len());
    if let Some(w) = by_name {
        return w.workload();
    }
    let Some((key, value)) = own.split_once('=') else {
        return own;
    };
    cluster
        .endpoints
        .iter()
        .find(|w| {
            w.ns == e.ns
                && w.kind != EndpointKind::Pod
                && w.name == value
                && w.labels.get(key) == Some(value)
        })
        .map_or(own.clone(), |w| w.workload())
}

/// The endpoints of the workload of `ep`, in its namespace (`ep` among them), in order.
pub fn members(cluster: &Cluster, ep: usize) -> Vec<usize> {
    let key = workload_key(cluster, ep);
    let ns = cluster.endpoints[ep].ns;
    (0..cluster.endpoints.len())
        .filter(|&i| i == ep || (cluster.endpoints[i].ns == ns && workload_key(cluster, i) == key))
        .collect()
}

/// Labels chosen to select a workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The labels, in the order they are written: preferred keys first.
    pub labels: Vec<(String, String)>,
    /// The workload's members.
    pub members: Vec<usize>,
    /// The endpoints of the namespace they select (the members, and others when not exact).
    pub selects: Vec<usize>,
}

impl Choice {
    /// Whether they select exactly the workload's members.
    pub fn exact(&self) -> bool {
        self.selects == self.members
    }

    /// The endpoints selected that are not members.
    pub fn extra(&self) -> Vec<usize> {
        self.selects
            .iter()
            .copied()
            .filter(|i| !self.members.contains(i))
            .collect()
    }

    /// The labels as a set.
    pub fn as_labels(&self) -> Labels {
        Labels::from_pairs(self.labels.iter().cloned())
    }

    /// `app=web,tier=api`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.join(",")
    }
}

/// Chooses the labels that select the workload of `ep` (see the module documentation).
pub fn choose(cluster: &Cluster, ep: usize) -> Option<Choice> {
    choose_where(cluster, ep, |_| true)
}

/// [`choose`] among the keys `usable` accepts (Cilium identities leave some labels out).
pub fn choose_where(cluster: &Cluster, ep: usize, usable: impl Fn(&str) -> bool) -> Option<Choice> {
    let members = members(cluster, ep);
    let e = &cluster.endpoints[ep];
    // The stable labels every member carries with the same value.
    let mut keys: Vec<(&str, &str)> = e
        .labels
        .iter()
        .filter(|(k, v)| {
            is_stable(k)
                && usable(k)
                && members
                    .iter()
                    .all(|&m| cluster.endpoints[m].labels.get(k) == Some(*v))
        })
        .collect();
    if keys.is_empty() {
        return None;
    }
    let in_ns: Vec<usize> = (0..cluster.endpoints.len())
        .filter(|&i| cluster.endpoints[i].ns == e.ns && !cluster.endpoints[i].host_network)
        .collect();
    let select = |set: &[(&str, &str)]| -> Vec<usize> {
        in_ns
            .iter()
            .copied()
            .filter(|&i| {
                let l = &cluster.endpoints[i].labels;
                set.iter().all(|(k, v)| l.get(k) == Some(*v))
            })
            .collect()
    };
    // Preferred keys first, in their order; then the others, those that select fewer
    // endpoints first, then by name.
    let rank = |k: &str| PREFERRED.iter().position(|p| *p == k);
    let counts: Vec<usize> = keys.iter().map(|kv| select(&[*kv]).len()).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (keys[a].0, keys[b].0);
        match (rank(ka), rank(kb)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => counts[a].cmp(&counts[b]).then(ka.cmp(kb)),
        }
    });
    keys = order.into_iter().map(|i| keys[i]).collect();
    let mut members_selected = members.clone();
    members_selected.retain(|m| !cluster.endpoints[*m].host_network);
    let make = |set: Vec<(&str, &str)>, selects: Vec<usize>| Choice {
        labels: set
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        members: members_selected.clone(),
        selects,
    };
    for size in 1..=keys.len().min(3) {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<(&str, &str)> = combo.iter().map(|&i| keys[i]).collect();
            let selects = select(&set);
            if selects == members_selected {
                return Some(make(set, selects));
            }
            if !next_combination(&mut combo, keys.len()) {
                break;
            }
        }
    }
    let selects = select(&keys);
    Some(make(keys, selects))
}

/// The next combination of `combo.len()` indices below `n` in lexicographic order; false
/// after the last.
fn next_combination(combo: &mut [usize], n: usize) -> bool {
    let k = combo.len();
    let mut i = k;
    while i > 0 {
        i -= 1;
        if combo[i] < n - k + i {
            combo[i] += 1;
            for j in i + 1..k {
                combo[j] = combo[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load_texts};

    fn cluster(text: &str) -> Cluster {
        Cluster::build(load_texts(&[("t.yaml", text)], &LoadOptions::default()).objects)
    }

    fn ep(c: &Cluster, id: &str) -> usize {
        c.endpoints
            .iter()
            .position(|e| e.id() == id)
            .unwrap_or_else(|| panic!("no {id}"))
    }

    fn pod(ns: &str, name: &str, labels: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}\nspec: {{containers: [{{name: c}}]}}\n---\n"
        )
    }

    #[test]
    fn the_preferred_label_that_selects_exactly_the_workload_wins() {
        let text = [
            pod("a", "web-1", "app: web, tier: front, pod-template-hash: x1"),
            pod("a", "web-2", "app: web, tier: front, pod-template-hash: x2"),
            pod("a", "api", "app: api, tier: front"),
        ]
        .concat();
        let c = cluster(&text);
        let choice = choose(&c, ep(&c, "a/web-1")).unwrap();
        assert_eq!(choice.describe(), "app=web");
        assert!(choice.exact());
        assert_eq!(choice.members.len(), 2);
    }

    #[test]
    fn unstable_labels_are_never_chosen_and_ties_need_two_labels() {
        let text = [
            pod(
                "a",
                "db-0",
                "role: db, env: prod, statefulset.kubernetes.io/pod-name: db-0",
            ),
            pod("a", "db-x", "role: db, env: dev"),
            pod("a", "cache", "role: cache, env: prod"),
        ]
        .concat();
        let c = cluster(&text);
        let choice = choose(&c, ep(&c, "a/db-0")).unwrap();
        assert_eq!(choice.describe(), "role=db,env=prod");
        assert!(choice.exact());
    }

    #[test]
    fn a_pod_without_labels_has_no_choice_and_a_shared_set_says_what_else_it_selects() {
        let text = [
            pod("a", "bare", ""),
            pod("a", "one", "team: x"),
            pod("a", "two", "team: x"),
        ]
        .concat();
        let c = cluster(&text);
        assert_eq!(choose(&c, ep(&c, "a/bare")), None);
        let choice = choose(&c, ep(&c, "a/one")).unwrap();
        assert!(!choice.exact());
        assert_eq!(choice.extra(), vec![ep(&c, "a/two")]);
    }

    #[test]
    fn pods_of_a_dump_join_the_workload_object_of_their_application_label() {
        let text = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, version: v1}}\n    spec: {containers: [{name: c}]}\n---\n".to_string(),
            pod("a", "web-abc", "app: web, version: v1, pod-template-hash: abc"),
            pod("a", "web-def", "app: web, version: v2, pod-template-hash: abc"),
            pod("a", "other", "app: other"),
        ]
        .concat();
        let c = cluster(&text);
        let pod = ep(&c, "a/web-abc");
        assert_eq!(workload_key(&c, pod), "deploy/web");
        assert_eq!(members(&c, pod).len(), 3);
        // `version` differs across the replicas: only `app` is common.
        assert_eq!(choose(&c, pod).unwrap().describe(), "app=web");
    }

    #[test]
    fn combinations_run_in_lexicographic_order() {
        let mut c = vec![0, 1];
        let mut seen = vec![c.clone()];
        while next_combination(&mut c, 4) {
            seen.push(c.clone());
        }
        assert_eq!(
            seen,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
    }
}

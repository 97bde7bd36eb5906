//! Which labels name a workload: what a fix writes in a selector to pick a workload's pods,
//! and nothing else of its namespace. One chooser serves both the can-reach fixer
//! ([`crate::fix::reach`]) and `generate` ([`crate::fix::generate`]).
//!
//! - A workload is what [`workload_key`] names: a workload object (`deploy/web`), the
//!   workload a pod belongs to by its owner, or, for a bare pod, the label that names its
//!   application (`app=web`), joined to the workload object of that name when the input
//!   holds one (a cluster dump's Deployment beside its running pods). [`members`] are the
//!   endpoints of one workload in one namespace: the replicas a fix may not tell apart.
//! - [`choose`] (for the workload of an endpoint) and [`choose_members`] (for members the
//!   caller grouped) pick the smallest set of *stable* labels, those every member carries
//!   with the same value and that do not change from one rollout or replica to the next
//!   ([`UNSTABLE`]: never `pod-template-hash`, `controller-revision-hash`,
//!   `statefulset.kubernetes.io/pod-name`, `pod-template-generation`...), that selects
//!   exactly the members in their namespace.
//! - Sets of one, two, then three candidates are tried by size, then by the preference of
//!   their keys ([`PREFERRED`]: `app.kubernetes.io/name`, `app`, `k8s-app`, `name`, ... before
//!   any other; the others, those that select fewer endpoints first, then by key). Labels
//!   that change with releases ([`VOLATILE`]: `version`, `helm.sh/chart`...) are tried only
//!   when the stable ones do not tell the workload apart, and then beside the best stable one
//!   ([`Choice::volatile`] says so).
//! - When no set selects exactly the members, the labels that exclude the most are taken,
//!   greedily (they select what every shared label selects, with fewer labels), and
//!   [`Choice::extra`] says what else they select; when the members share no label, there is
//!   no choice.
//!
//! hostNetwork pods are not counted: no selector ever matches them.
//!
//! Invariant: a choice's labels hold for every member, so a selector of them never leaves a
//! replica out.

use std::cmp::Reverse;

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

/// Label keys that controllers set per pod or per rollout (or that a sidecar injector adds
/// to every pod): never chosen, a selector on them breaks at the next rollout, or selects
/// one pod.
pub const UNSTABLE: [&str; 11] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
    "apps.kubernetes.io/pod-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/job-completion-index",
    "security.istio.io/tlsMode",
];

/// Label keys whose values change with releases: chosen only when nothing stable tells the
/// workload apart.
pub const VOLATILE: [&str; 4] = [
    "version",
    "app.kubernetes.io/version",
    "helm.sh/chart",
    "chart",
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
    /// The labels, in the order they are written: preferred keys first (empty only from
    /// [`choose_or_namespace`]: every pod of the namespace).
    pub labels: Vec<(String, String)>,
    /// The workload's members that a selector can match (hostNetwork pods left out).
    pub members: Vec<usize>,
    /// The endpoints of the namespace they select (the members, and others when not exact),
    /// in order.
    pub selects: Vec<usize>,
    /// Whether a [`VOLATILE`] label had to be used to tell the workload apart.
    pub volatile: bool,
}

impl Choice {
    /// Whether they select exactly the workload's members.
    pub fn exact(&self) -> bool {
        self.selects == self.members
    }

    /// The endpoints selected that are not members, in order.
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
    choose_members(cluster, &members(cluster, ep), usable)
}

/// Most candidates in a set tried exhaustively; beyond, candidates are added greedily.
const MAX_EXHAUSTIVE: usize = 3;

/// Chooses the labels for the workload whose endpoints are `members` (all of one namespace,
/// at least one), among the keys `usable` accepts (see the module documentation). `None`
/// when the members share no usable label: only an empty selector, every pod of the
/// namespace, would select them all.
pub fn choose_members(
    cluster: &Cluster,
    members: &[usize],
    usable: impl Fn(&str) -> bool,
) -> Option<Choice> {
    let first = &cluster.endpoints[members[0]];
    // The labels every member carries with the same value.
    let mut candidates: Vec<(&str, &str)> = first
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
    if candidates.is_empty() {
        return None;
    }
    let in_ns: Vec<usize> = (0..cluster.endpoints.len())
        .filter(|&i| cluster.endpoints[i].ns == first.ns && !cluster.endpoints[i].host_network)
        .collect();
    let selected = |set: &[(&str, &str)]| -> Vec<usize> {
        in_ns
            .iter()
            .copied()
            .filter(|&i| {
                let l = &cluster.endpoints[i].labels;
                set.iter().all(|(k, v)| l.get(k) == Some(*v))
            })
            .collect()
    };
    let counts: Vec<(&str, usize)> = candidates
        .iter()
        .map(|kv| (kv.0, selected(&[*kv]).len()))
        .collect();
    candidates.sort_by(|a, b| rank(a.0, &counts).cmp(&rank(b.0, &counts)));
    let exact: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&m| !cluster.endpoints[m].host_network)
        .collect();
    let make = |mut set: Vec<(&str, &str)>| {
        set.sort_by(|a, b| rank(a.0, &counts).cmp(&rank(b.0, &counts)));
        let selects = selected(&set);
        Choice {
            volatile: set.iter().any(|(k, _)| VOLATILE.contains(k)),
            labels: set
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            members: exact.clone(),
            selects,
        }
    };
    let tells_apart = |set: &[(&str, &str)]| selected(set) == exact;
    let stable: Vec<(&str, &str)> = candidates
        .iter()
        .copied()
        .filter(|(k, _)| !VOLATILE.contains(k))
        .collect();
    if let Some(set) = smallest(&stable, &tells_apart) {
        return Some(make(set));
    }
    if let Some(mut set) = smallest(&candidates, &tells_apart) {
        // A release label alone reads as if it named the application: the best stable
        // label goes with it (it only narrows what is selected).
        if let Some(best) = stable.first().filter(|b| !set.contains(b)) {
            set.insert(0, *best);
        }
        return Some(make(set));
    }
    // Nothing tells it apart: the labels that exclude the most, greedily.
    let mut picked: Vec<(&str, &str)> = Vec::new();
    let mut left = selected(&[]);
    loop {
        let best = candidates
            .iter()
            .filter(|c| !picked.contains(c))
            .map(|c| {
                (
                    left.iter()
                        .filter(|&o| !selected(&[*c]).contains(o))
                        .count(),
                    *c,
                )
            })
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, c)| (*n, Reverse(rank(c.0, &counts))));
        let Some((_, c)) = best else { break };
        picked.push(c);
        left = selected(&picked);
    }
    if picked.is_empty() {
        picked.push(stable.first().copied().unwrap_or(candidates[0]));
    }
    Some(make(picked))
}

/// The order of preference of a key: stable before volatile, then [`PREFERRED`] in order,
/// then the others, those that select fewer endpoints (`counts`) first, then by key.
fn rank<'k>(key: &'k str, counts: &[(&str, usize)]) -> (bool, usize, usize, &'k str) {
    let preferred = PREFERRED.iter().position(|p| *p == key);
    let count = match preferred {
        Some(_) => 0,
        None => counts.iter().find(|(k, _)| *k == key).map_or(0, |c| c.1),
    };
    (
        VOLATILE.contains(&key),
        preferred.unwrap_or(PREFERRED.len()),
        count,
        key,
    )
}

/// [`choose_members`] for `generate`, which must write a selector for every workload it
/// names: when the members share no label, the empty selector (every pod of their
/// namespace, [`Choice::extra`] the others).
/// Only keys `usable` accepts are chosen (Cilium identities leave some labels out).
pub fn choose_or_namespace(
    cluster: &Cluster,
    members: &[usize],
    usable: impl Fn(&str) -> bool,
) -> Choice {
    choose_members(cluster, members, usable).unwrap_or_else(|| {
        let ns = cluster.endpoints[members[0]].ns;
        let in_ns =
            |i: &usize| cluster.endpoints[*i].ns == ns && !cluster.endpoints[*i].host_network;
        Choice {
            labels: Vec::new(),
            members: members.iter().copied().filter(in_ns).collect(),
            selects: (0..cluster.endpoints.len()).filter(in_ns).collect(),
            volatile: false,
        }
    })
}

/// The first set of at most [`MAX_EXHAUSTIVE`] labels of `pool`, in order of size then of
/// the pool's order, that `fits`.
fn smallest<'c>(
    pool: &[(&'c str, &'c str)],
    fits: &impl Fn(&[(&str, &str)]) -> bool,
) -> Option<Vec<(&'c str, &'c str)>> {
    for size in 1..=MAX_EXHAUSTIVE.min(pool.len()) {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<(&str, &str)> = combo.iter().map(|&i| pool[i]).collect();
            if fits(&set) {
                return Some(set);
            }
            if !next_combination(&mut combo, pool.len()) {
                break;
            }
        }
    }
    None
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

    // The selections `generate` writes (matchLabels in key order).

    fn pod_a(name: &str, labels: &str) -> String {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: a, labels: {{{labels}}}}}\n"
        )
    }

    fn chosen(text: &str, members: &[&str]) -> (Vec<String>, Vec<String>, bool) {
        let c = crate::fix::generate::cluster_of(text);
        let idx: Vec<usize> = members
            .iter()
            .map(|m| c.endpoints.iter().position(|e| e.name == *m).unwrap())
            .collect();
        let s = choose_or_namespace(&c, &idx, |_| true);
        let mut labels = s.labels.clone();
        labels.sort();
        (
            labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            s.extra()
                .iter()
                .map(|&i| c.endpoints[i].name.clone())
                .collect(),
            s.volatile,
        )
    }

    #[test]
    fn the_application_label_not_the_hash() {
        let text = [
            pod_a("web-1", "app: web, pod-template-hash: 5d8f, tier: front"),
            pod_a("web-2", "app: web, pod-template-hash: 77aa, tier: front"),
            pod_a("api-1", "app: api, pod-template-hash: 5d8f, tier: back"),
        ]
        .concat();
        assert_eq!(
            chosen(&text, &["web-1", "web-2"]),
            (vec!["app=web".into()], vec![], false)
        );
        // app.kubernetes.io/name comes before app.
        let text = [
            pod_a("x", "app: shared, app.kubernetes.io/name: x"),
            pod_a("y", "app: other, app.kubernetes.io/name: y"),
        ]
        .concat();
        assert_eq!(
            chosen(&text, &["x"]).0,
            vec!["app.kubernetes.io/name=x".to_string()]
        );
    }

    #[test]
    fn more_labels_when_one_does_not_tell_apart() {
        let text = [
            pod_a("web", "app: shop, component: web"),
            pod_a("api", "app: shop, component: api"),
            pod_a("other", "app: blog, component: web"),
        ]
        .concat();
        assert_eq!(
            chosen(&text, &["web"]).0,
            vec!["app=shop".to_string(), "component=web".to_string()]
        );
    }

    #[test]
    fn version_only_as_a_last_resort_and_said() {
        let text = [
            pod_a("v1", "app: web, version: v1"),
            pod_a("v2", "app: web, version: v2"),
        ]
        .concat();
        assert_eq!(
            chosen(&text, &["v1"]),
            (vec!["app=web".into(), "version=v1".into()], vec![], true)
        );
    }

    #[test]
    fn no_label_set_tells_apart() {
        let text = [
            pod_a("a1", "app: web, pod-template-hash: one"),
            pod_a("a2", "app: web, pod-template-hash: two"),
            pod_a("b", "app: db"),
        ]
        .concat();
        // Only the hash tells a1 from a2: it is not used, and a2 is named.
        assert_eq!(
            chosen(&text, &["a1"]),
            (vec!["app=web".into()], vec!["a2".into()], false)
        );
        // No label at all: every pod of the namespace.
        let text = [pod_a("bare", ""), pod_a("b", "app: db")].concat();
        assert_eq!(chosen(&text, &["bare"]), (vec![], vec!["b".into()], false));
        // Alone in its namespace: its best label, not `{}`.
        assert_eq!(
            chosen(&pod_a("only", "app: x, team: t"), &["only"]).0,
            vec!["app=x".to_string()]
        );
    }
}

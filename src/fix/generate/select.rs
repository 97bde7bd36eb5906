//! Choosing the labels a person would select a workload by: the smallest set of stable
//! labels that selects exactly the workload's pods among the pods of its namespace.
//!
//! - Candidates are the labels every member carries, with the same value, in order of
//!   preference: the keys that name an application ([`PREFERRED`]: `app.kubernetes.io/name`,
//!   `app`, `k8s-app`...), then the others by key. Labels controllers set per pod or per
//!   rollout ([`UNSTABLE`]: `pod-template-hash`, `controller-revision-hash`,
//!   `statefulset.kubernetes.io/pod-name`...) are never used: a selector on them breaks at
//!   the next rollout, or selects one pod.
//! - Sets of one, two, then three candidates are tried in order of preference; the first
//!   that selects none of the namespace's other pods wins. Labels that change with releases
//!   ([`VOLATILE`]: `version`, `helm.sh/chart`...) are tried only when the stable ones do
//!   not tell the workload apart, and then beside the best stable one.
//! - When no set does, the candidates that exclude the most are taken, and
//!   [`Selection::also`] names the endpoints the labels select too: the caller says so.
//!
//! hostNetwork pods are not counted: no selector ever matches them.

use crate::model::Cluster;

/// Label keys set per pod or per rollout by controllers: never selected on.
pub const UNSTABLE: &[&str] = &[
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
];

/// Label keys whose values change with releases: selected on only when nothing else tells
/// the workload apart.
pub const VOLATILE: &[&str] = &[
    "version",
    "app.kubernetes.io/version",
    "helm.sh/chart",
    "chart",
];

/// Label keys people select workloads by, most preferred first.
pub const PREFERRED: &[&str] = &[
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "component",
    "tier",
    "role",
    "app.kubernetes.io/part-of",
];

/// The labels chosen for a workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The `matchLabels`, in key order (empty: every pod of the namespace).
    pub labels: Vec<(String, String)>,
    /// Endpoints of the namespace, not of the workload, that the labels select too, in
    /// order: none when the labels tell the workload apart.
    pub also: Vec<usize>,
    /// Whether a [`VOLATILE`] label had to be used.
    pub volatile: bool,
}

/// Most candidates in a set tried exhaustively; beyond, candidates are added greedily.
const MAX_EXHAUSTIVE: usize = 3;

/// The order of preference of a key: stable before volatile, then [`PREFERRED`] in order,
/// then the others by key.
fn rank(key: &str) -> (bool, usize, &str) {
    let preferred = PREFERRED
        .iter()
        .position(|k| *k == key)
        .unwrap_or(PREFERRED.len());
    (VOLATILE.contains(&key), preferred, key)
}

/// Chooses the labels for the workload whose endpoints are `members` (all of one
/// namespace, at least one).
pub fn choose(cluster: &Cluster, members: &[usize]) -> Selection {
    let first = &cluster.endpoints[members[0]];
    let others: Vec<usize> = cluster
        .endpoints
        .iter()
        .enumerate()
        .filter(|(i, e)| e.ns == first.ns && !members.contains(i) && !e.host_network)
        .map(|(i, _)| i)
        .collect();
    let mut candidates: Vec<(String, String)> = first
        .labels
        .iter()
        .filter(|(k, _)| !UNSTABLE.contains(k))
        .filter(|(k, v)| {
            members
                .iter()
                .all(|&m| cluster.endpoints[m].labels.get(k) == Some(v))
        })
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    candidates.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)));
    let selects = |labels: &[&(String, String)], ep: usize| {
        let l = &cluster.endpoints[ep].labels;
        labels.iter().all(|(k, v)| l.get(k) == Some(v.as_str()))
    };
    let stable: Vec<&(String, String)> = candidates
        .iter()
        .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
        .collect();
    let all: Vec<&(String, String)> = candidates.iter().collect();
    if let Some(set) = smallest(&stable, &others, &selects) {
        return selection(set, Vec::new());
    }
    if let Some(mut set) = smallest(&all, &others, &selects) {
        // A release label alone reads as if it named the application: the best stable
        // label goes with it (it only narrows what is selected).
        if let Some(best) = stable.first().filter(|b| !set.contains(b)) {
            set.insert(0, best);
        }
        return selection(set, Vec::new());
    }
    // Nothing tells it apart: the labels that exclude the most, greedily.
    let mut picked: Vec<&(String, String)> = Vec::new();
    let mut left = others.clone();
    loop {
        let best = all
            .iter()
            .filter(|c| !picked.contains(c))
            .map(|c| (left.iter().filter(|&&o| !selects(&[*c], o)).count(), *c))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, c)| (*n, std::cmp::Reverse(rank(&c.0))));
        let Some((_, c)) = best else { break };
        picked.push(c);
        left.retain(|&o| selects(&[c], o));
    }
    if picked.is_empty()
        && let Some(c) = stable.first().or(all.first())
    {
        picked.push(c);
    }
    let also = others
        .into_iter()
        .filter(|&o| selects(&picked, o))
        .collect();
    selection(picked, also)
}

/// The first set of at most [`MAX_EXHAUSTIVE`] candidates, in order of size then preference,
/// that selects none of `others`.
fn smallest<'c>(
    pool: &[&'c (String, String)],
    others: &[usize],
    selects: &impl Fn(&[&(String, String)], usize) -> bool,
) -> Option<Vec<&'c (String, String)>> {
    if pool.is_empty() {
        return others.is_empty().then(Vec::new);
    }
    for size in 1..=MAX_EXHAUSTIVE.min(pool.len()) {
        let mut idx: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<&(String, String)> = idx.iter().map(|&i| pool[i]).collect();
            if !others.iter().any(|&o| selects(&set, o)) {
                return Some(set);
            }
            // The next combination in lexicographic order.
            let mut k = size;
            while k > 0 && idx[k - 1] == pool.len() - size + k - 1 {
                k -= 1;
            }
            if k == 0 {
                break;
            }
            idx[k - 1] += 1;
            for j in k..size {
                idx[j] = idx[j - 1] + 1;
            }
        }
    }
    None
}

fn selection(set: Vec<&(String, String)>, also: Vec<usize>) -> Selection {
    let volatile = set.iter().any(|(k, _)| VOLATILE.contains(&k.as_str()));
    let mut labels: Vec<(String, String)> = set.into_iter().cloned().collect();
    labels.sort();
    Selection {
        labels,
        also,
        volatile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::generate::cluster_of;

    fn pod(name: &str, labels: &str) -> String {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: a, labels: {{{labels}}}}}\n"
        )
    }

    fn chosen(text: &str, members: &[&str]) -> (Vec<String>, Vec<String>, bool) {
        let c = cluster_of(text);
        let idx: Vec<usize> = members
            .iter()
            .map(|m| c.endpoints.iter().position(|e| e.name == *m).unwrap())
            .collect();
        let s = choose(&c, &idx);
        (
            s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            s.also
                .iter()
                .map(|&i| c.endpoints[i].name.clone())
                .collect(),
            s.volatile,
        )
    }

    #[test]
    fn the_application_label_not_the_hash() {
        let text = [
            pod("web-1", "app: web, pod-template-hash: 5d8f, tier: front"),
            pod("web-2", "app: web, pod-template-hash: 77aa, tier: front"),
            pod("api-1", "app: api, pod-template-hash: 5d8f, tier: back"),
        ]
        .concat();
        assert_eq!(
            chosen(&text, &["web-1", "web-2"]),
            (vec!["app=web".into()], vec![], false)
        );
        // app.kubernetes.io/name comes before app.
        let text = [
            pod("x", "app: shared, app.kubernetes.io/name: x"),
            pod("y", "app: other, app.kubernetes.io/name: y"),
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
            pod("web", "app: shop, component: web"),
            pod("api", "app: shop, component: api"),
            pod("other", "app: blog, component: web"),
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
            pod("v1", "app: web, version: v1"),
            pod("v2", "app: web, version: v2"),
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
            pod("a1", "app: web, pod-template-hash: one"),
            pod("a2", "app: web, pod-template-hash: two"),
            pod("b", "app: db"),
        ]
        .concat();
        // Only the hash tells a1 from a2: it is not used, and a2 is named.
        assert_eq!(
            chosen(&text, &["a1"]),
            (vec!["app=web".into()], vec!["a2".into()], false)
        );
        // No label at all: every pod of the namespace.
        let text = [pod("bare", ""), pod("b", "app: db")].concat();
        assert_eq!(chosen(&text, &["bare"]), (vec![], vec!["b".into()], false));
        // Alone in its namespace: its best label, not `{}`.
        assert_eq!(
            chosen(&pod("only", "app: x, team: t"), &["only"]).0,
            vec!["app=x".to_string()]
        );
    }
}

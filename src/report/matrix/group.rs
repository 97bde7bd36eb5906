//! Gathering members into the rows and columns of a view (`--group-by`).
//!
//! On a cluster dump every pod is a member, and most pods are indistinguishable to every
//! policy: a table of 5,000 identical rows says nothing a row with "5,000 pods" does not. So
//! members the matrix cannot tell apart (alike classes, [`Matrix::alike_classes`]: they
//! reach, and are reached by, every member on the same ports) are shown as one unit:
//!
//! - `class`: one unit per alike class;
//! - `workload`: the same, split by workload ([`crate::model::Endpoint::workload`]), so a
//!   unit never mixes two applications;
//! - `pod`: every member its own unit (the matrix as it was always printed).
//!
//! Whatever the grouping, a unit is further split so that its cells are exact: by whether
//! its members are rows, columns or both (`--from`/`--to` choose members, not classes), and,
//! with a named `--port`, by the port the name resolves to on each member. External ranges
//! are never grouped: each is already the largest range the ipBlocks treat alike, and its
//! name is its meaning.
//!
//! Invariant: for units `u`, `v` and any members `a` of `u`, `b` of `v` (`a ≠ b`), the cell
//! of `(a, b)` is the cell of `(u, v)`; a pod with itself is loopback, always allowed.
//!
//! [`Matrix::alike_classes`]: crate::engine::matrix::Matrix::alike_classes

use std::collections::HashMap;

use super::{View, resolve};
use crate::model::Protocol;

/// How members are gathered into units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One unit per class of members the matrix cannot tell apart.
    Class,
    /// Per class, one unit per workload.
    Workload,
    /// Every member its own unit.
    Pod,
}

impl GroupBy {
    /// `class`, `workload` or `pod`, as `--group-by` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Class => "class",
            GroupBy::Workload => "workload",
            GroupBy::Pod => "pod",
        }
    }
}

/// A row or column of a grouped view.
#[derive(Clone, Debug)]
pub struct Unit {
    /// Its name, unique within the view: the member's own for a unit of one member; else
    /// what its members have in common (see [`name`]).
    pub id: String,
    /// Its members, in matrix order (never empty).
    pub members: Vec<usize>,
}

/// What decides the unit of a member.
#[derive(Hash, PartialEq, Eq)]
enum Key {
    External(usize),
    Endpoint {
        class: u32,
        row: bool,
        col: bool,
        port: Option<(Protocol, u16)>,
        workload: Option<String>,
    },
}

/// The units of a view's members grouped `by`, and the rows and columns as unit indices.
pub(super) fn units(view: &View, by: GroupBy) -> (Vec<Unit>, Vec<usize>, Vec<usize>) {
    let m = view.matrix;
    let alike = m.alike_classes();
    let (mut in_rows, mut in_cols) = (vec![false; m.len()], vec![false; m.len()]);
    for &r in &view.rows {
        in_rows[r] = true;
    }
    for &c in &view.cols {
        in_cols[c] = true;
    }
    let named = view
        .port
        .as_ref()
        .filter(|q| matches!(q.port, crate::model::ports::QueryPort::Name(_)));
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut units: Vec<Unit> = Vec::new();
    let (mut rows, mut cols) = (Vec::new(), Vec::new());
    for member in view.members() {
        let key = if m.is_external(member) {
            Key::External(member)
        } else {
            Key::Endpoint {
                class: alike[m.class_of(member)],
                row: in_rows[member],
                col: in_cols[member],
                port: named.and_then(|q| resolve(view.cluster, m, q, member)),
                workload: (by == GroupBy::Workload)
                    .then(|| view.cluster.endpoints[member].workload()),
            }
        };
        let next = units.len();
        let u = *index.entry(key).or_insert_with(|| {
            if in_rows[member] {
                rows.push(next);
            }
            if in_cols[member] {
                cols.push(next);
            }
            units.push(Unit {
                id: String::new(),
                members: Vec::new(),
            });
            next
        });
        units[u].members.push(member);
    }
    name_units(view, &mut units);
    (units, rows, cols)
}

/// Names every unit, uniquely (a later unit whose name is taken gets ` #2`, ` #3`...).
fn name_units(view: &View, units: &mut [Unit]) {
    // Members of each workload in the view, to say "3 of 12 pods" of a split workload.
    let mut workload_size: HashMap<(&str, String), usize> = HashMap::new();
    for u in units.iter() {
        for &m in &u.members {
            if !view.matrix.is_external(m) {
                let ep = &view.cluster.endpoints[m];
                *workload_size
                    .entry((ep.namespace.as_str(), ep.workload()))
                    .or_default() += 1;
            }
        }
    }
    let mut taken: HashMap<String, usize> = HashMap::new();
    for u in units.iter_mut() {
        let base = name(view, &u.members, &workload_size);
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        u.id = if *n == 1 {
            base
        } else {
            format!("{base} #{n}")
        };
    }
}

/// The name of a unit: a single member's own name; else its namespace and workload when
/// its members share them (`shop/deploy/web (12 pods)`, `shop/app=web (3 of 12 pods)`), or
/// what they share (`shop/app=web + 2 more workloads (14 pods)`, `app=web in 3 namespaces
/// (9 pods)`, `40 pods in 12 namespaces, like team-a/x`).
fn name(view: &View, members: &[usize], workload_size: &HashMap<(&str, String), usize>) -> String {
    if members.len() == 1 {
        return view.member_id(members[0]).to_string();
    }
    let eps = &view.cluster.endpoints;
    let mut namespaces: Vec<&str> = members.iter().map(|&m| eps[m].namespace.as_str()).collect();
    namespaces.dedup();
    namespaces.sort_unstable();
    namespaces.dedup();
    let mut workloads: Vec<String> = members.iter().map(|&m| eps[m].workload()).collect();
    workloads.sort_unstable();
    workloads.dedup();
    let n = members.len();
    let noun = if members.iter().all(|&m| eps[m].is_pod()) {
        "pods"
    } else {
        "members"
    };
    match (namespaces.as_slice(), workloads.as_slice()) {
        ([ns], [wl]) => {
            let total = workload_size.get(&(*ns, wl.clone())).copied().unwrap_or(n);
            if total > n {
                format!("{ns}/{wl} ({n} of {total} {noun})")
            } else {
                format!("{ns}/{wl} ({n} {noun})")
            }
        }
        ([ns], [first, rest @ ..]) => format!(
            "{ns}/{first} + {} more workload{} ({n} {noun})",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
        (many, [wl]) => format!("{wl} in {} namespaces ({n} {noun})", many.len()),
        (many, _) => format!(
            "{n} {noun} in {} namespaces, like {}",
            many.len(),
            view.member_id(members[0])
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::matrix::Matrix;
    use crate::load::{self, LoadOptions};
    use crate::model::Cluster;

    /// A namespace of bare pods from a dump: `web-*` (app=web, two ReplicaSets of one
    /// Deployment, one canary the policy treats apart), `db-0` and an unlabelled pod.
    const DUMP: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web-7f9c-a, namespace: shop, labels: {app: web, pod-template-hash: 7f9c},
  ownerReferences: [{kind: ReplicaSet, name: web-7f9c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-7f9c-b, namespace: shop, labels: {app: web, pod-template-hash: 7f9c},
  ownerReferences: [{kind: ReplicaSet, name: web-7f9c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-7f9c-c, namespace: shop, labels: {app: web, pod-template-hash: 7f9c, canary: "true"},
  ownerReferences: [{kind: ReplicaSet, name: web-7f9c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}, ownerReferences: [{kind: StatefulSet, name: db}]}
---
apiVersion: v1
kind: Pod
metadata: {name: loner, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: other, labels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchExpressions: [{key: canary, operator: DoesNotExist}]}}]
"#;

    fn cluster() -> Cluster {
        let loaded = load::load_texts(&[("dump.yaml", DUMP)], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems.len());
        Cluster::build(loaded.objects)
    }

    fn ids(v: &View, units: &[usize]) -> Vec<String> {
        units.iter().map(|&u| v.id(u).to_string()).collect()
    }

    #[test]
    fn workloads_are_named_as_people_name_them() {
        let c = cluster();
        let names: Vec<String> = c.endpoints.iter().map(|e| e.workload()).collect();
        // other/web-2, shop/db-0, shop/loner, shop/web-7f9c-{a,b,c}
        assert_eq!(
            names,
            [
                "app=web",
                "sts/db",
                "loner",
                "deploy/web",
                "deploy/web",
                "deploy/web"
            ]
        );
    }

    #[test]
    fn class_units_hold_what_the_matrix_cannot_tell_apart() {
        let c = cluster();
        let m = Matrix::compute(&c);
        let all: Vec<usize> = (0..m.len()).collect();
        let v = View::new(&c, &m, all.clone(), all, None).group_by(GroupBy::Class);
        // Only shop's pods without `canary` may reach the db: the canary is alike with the
        // pod of the other namespace, the db (reached by fewer) is apart.
        let endpoints: Vec<String> = ids(&v, &v.rows)
            .into_iter()
            .filter(|id| !id.contains("0.0.0.0") && !id.contains("::"))
            .collect();
        assert_eq!(
            endpoints,
            [
                "2 pods in 2 namespaces, like other/web-2",
                "shop/db-0",
                "shop/deploy/web + 1 more workload (3 pods)",
            ]
        );
        // The invariant: every pair of members has its units' cell.
        for &r in &v.rows {
            for &col in &v.cols {
                for &a in v.members_of(r) {
                    for &b in v.members_of(col) {
                        if a != b && !(m.is_external(a) && m.is_external(b)) {
                            assert_eq!(v.cell(r, col), Cell::Ports(m.allowed(a, b)));
                        }
                    }
                }
            }
        }
        let (allowed, total) = v.counts();
        let pod_level = View::new(&c, &m, (0..m.len()).collect(), (0..m.len()).collect(), None);
        assert_eq!((allowed, total), pod_level.counts());
    }

    #[test]
    fn workload_units_split_classes_by_workload() {
        let c = cluster();
        let m = Matrix::compute(&c);
        let all: Vec<usize> = (0..m.len()).collect();
        let v = View::new(&c, &m, all.clone(), all, None).group_by(GroupBy::Workload);
        let names = ids(&v, &v.rows);
        assert!(
            names.contains(&"shop/deploy/web (2 of 3 pods)".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"shop/web-7f9c-c".to_string()), "{names:?}");
        assert!(names.contains(&"shop/db-0".to_string()), "{names:?}");
        assert!(names.contains(&"other/web-2".to_string()), "{names:?}");
    }

    #[test]
    fn rows_and_columns_split_units() {
        let c = cluster();
        let m = Matrix::compute(&c);
        let shop: Vec<usize> = (0..m.endpoints)
            .filter(|&e| c.endpoints[e].namespace == "shop")
            .collect();
        let v = View::new(&c, &m, vec![0], shop, None).group_by(GroupBy::Class);
        // other/web-2 is only a row; the shop's pods only columns, so the canary, alike
        // with other/web-2, is a unit of its own.
        assert_eq!(ids(&v, &v.rows), ["other/web-2"]);
        assert_eq!(
            ids(&v, &v.cols),
            [
                "shop/db-0",
                "shop/deploy/web + 1 more workload (3 pods)",
                "shop/web-7f9c-c"
            ]
        );
    }

    use super::super::Cell;
}

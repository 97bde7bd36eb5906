//! `kubectl netpol report`: one self-contained HTML page (inline CSS and JavaScript, no
//! network requests) with the reachability matrix as a heat map grouped by namespace, the
//! explanation of each cell, and the `check` findings.
//!
//! The page is a static shell; everything it shows comes from one JSON document embedded in
//! a `<script type="application/json" id="netpol-data">` tag ([`data`]), which the script
//! renders. The matrix is embedded per class (members every policy treats alike share a row
//! and a column of the class grid), so its size grows with the number of classes, not of
//! members; explanations are chosen by [`collect`].
//!
//! Members are drawn gathered into units, as `matrix --group-by` gathers them
//! ([`crate::report::matrix::group`]): the document holds, for `class` and `workload`, the
//! units and the unit of each member (`groups`); the page draws one row and one column per
//! unit (a unit's cell is the cell of any two of its members), `pod` being every member its
//! own unit. The isolating policies of each member are found among the candidates of its
//! namespace ([`Subjects`]), not by scanning every policy.

pub mod collect;

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::evaluate::Side;
use crate::engine::explain::party_name;
use crate::engine::matching::matches;
use crate::engine::matrix::Matrix;
use crate::lint::Finding;
use crate::load::source::SourceMap;
use crate::model::ir::subjects::Subjects;
use crate::model::ir::{Action, EndAction, Source};
use crate::model::{Cluster, Direction, PortSet};
use crate::report::explain::view::{AllowVerdict, Item, side_items};
use crate::report::matrix::{GroupBy, View, compact};
use collect::Explained;

/// Version of the embedded JSON document.
pub const DATA_VERSION: u32 = 2;

/// At most this many rules of one side are embedded (a denied side lists every rule).
const MAX_RULES_PER_SIDE: usize = 40;

const TEMPLATE: &str = include_str!("page.html");
const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// What the page shows.
pub struct Page<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The files read.
    pub sources: &'a SourceMap,
    /// Its matrix.
    pub matrix: &'a Matrix,
    /// The explanations to embed.
    pub explained: &'a Explained,
    /// The findings of `check`, or None when not computed (`--no-findings`).
    pub findings: Option<&'a [Finding]>,
    /// Number of manifest files read.
    pub files: usize,
    /// The inputs as given on the command line.
    pub inputs: Vec<String>,
    /// Number of input errors (printed on standard error).
    pub errors: usize,
}

/// Renders the page.
pub fn render(page: &Page) -> String {
    let data = serde_json::to_string(&data(page)).expect("JSON values serialize");
    TEMPLATE
        .replace("/*{{CSS}}*/", CSS)
        .replace("/*{{JS}}*/", JS)
        .replace("{{DATA}}", &script_safe(&data))
}

/// JSON safe inside a `<script>` element: no `</script`, `<!--` or `]]>` can appear, as every
/// `<`, `>` and `&` (only ever inside JSON strings) is written `\u003c`, `\u003e`, `\u0026`,
/// which parse back to the same string. (The inline script itself is checked by a test to hold
/// no `</script` nor `<!--`.)
fn script_safe(s: &str) -> String {
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The document the page renders.
pub fn data(page: &Page) -> Value {
    let (cluster, m, sources) = (page.cluster, page.matrix, page.sources);
    let mut ports = PortTable::default();
    let mut policies = PolicyTable::default();
    let subjects = Subjects::new(&cluster.ir);
    let members: Vec<Value> = (0..m.len())
        .map(|i| {
            if m.is_external(i) {
                let range = &m.externals[i - m.endpoints];
                let name = cluster.external_name(range);
                json!({
                    "id": name,
                    "ns": null,
                    "kind": "External",
                    "short": name,
                    "ext": true,
                    "pod": false,
                    "cls": m.class_of(i),
                    "cidrs": range.cidrs().iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                })
            } else {
                let ep = &cluster.endpoints[i];
                let id = ep.id();
                let short = id
                    .strip_prefix(&format!("{}/", ep.namespace))
                    .unwrap_or(&id)
                    .to_string();
                let mut v = json!({
                    "id": id,
                    "ns": ep.namespace,
                    "kind": ep.kind.as_str(),
                    "short": short,
                    "ext": false,
                    "pod": m.is_pod(i),
                    "cls": m.class_of(i),
                    "loc": loc(sources, ep.span),
                });
                // Isolation, shown for cells whose explanation is not embedded.
                let mut iso = serde_json::Map::new();
                let candidates = subjects.candidates(&ep.namespace);
                for dir in [Direction::Egress, Direction::Ingress] {
                    let by: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|&p| {
                            let policy = &cluster.ir.policies[p];
                            let part = policy.dir(dir);
                            part.applies
                                && part.isolates
                                && matches(cluster, &policy.subject, Party::Endpoint(i))
                        })
                        .map(|p| policies.id(cluster, sources, p))
                        .collect();
                    if !by.is_empty() {
                        iso.insert(dir.field().into(), json!({ "by": by }));
                    }
                }
                if !iso.is_empty() {
                    v["iso"] = Value::Object(iso);
                }
                v
            }
        })
        .collect();
    // The class grid, row by row.
    let classes = m.class_count();
    let mut grid = Rle::default();
    for a in 0..classes {
        for b in 0..classes {
            grid.push(ports.id(m.class_allowed(a, b)));
        }
    }
    let mut sides = SideTable::default();
    let explained = page.explained;
    let cells: serde_json::Map<String, Value> = explained
        .cells
        .iter()
        .map(|c| {
            let e = &c.explanation;
            let eg = sides.id(side_json(&e.egress, e.dst, cluster, sources, &mut policies));
            let ing = sides.id(side_json(
                &e.ingress,
                e.src,
                cluster,
                sources,
                &mut policies,
            ));
            let mut v = json!({ "e": eg, "i": ing, "ports": ports.id(&e.allowed) });
            if explained.mode == collect::Mode::Class {
                v["via"] = json!([c.via.0, c.via.1]);
            }
            (format!("{},{}", c.from, c.to), v)
        })
        .collect();
    let findings = page.findings.map(|fs| {
        fs.iter()
            .map(|f| {
                json!({
                    "code": f.rule.code,
                    "rule": f.rule.name,
                    "severity": f.severity.as_str(),
                    "message": f.message,
                    "help": f.help,
                    "loc": loc(sources, f.span),
                })
            })
            .collect::<Vec<_>>()
    });
    let mut namespaces: Vec<&str> = cluster.namespaces.iter().map(|n| n.name.as_str()).collect();
    namespaces.sort_unstable();
    json!({
        "version": DATA_VERSION,
        "generator": format!("kubectl-netpol {}", env!("CARGO_PKG_VERSION")),
        "inputs": page.inputs,
        "summary": {
            "files": page.files,
            "namespaces": cluster.namespaces.len(),
            "endpoints": m.endpoints,
            "externals": m.externals.len(),
            "policies": cluster.policies.len(),
            "clusterPolicies": cluster.cluster_policies.len(),
            "classes": classes,
            "errors": page.errors,
        },
        "namespaces": namespaces,
        "members": members,
        "groups": {
            "class": groups(cluster, m, GroupBy::Class),
            "workload": groups(cluster, m, GroupBy::Workload),
        },
        "ports": ports.values,
        "grid": grid.values,
        "explain": {
            "mode": explained.mode.as_str(),
            "wanted": explained.wanted,
            "embedded": explained.cells.len(),
        },
        "policies": policies.values,
        "sides": sides.values,
        "cells": cells,
        "findings": findings,
    })
}

/// The units of the whole matrix grouped `by`, as `matrix --group-by` makes them
/// ([`crate::report::matrix::group`]): `{units: [{id, ns, n}], of: [unit of each member]}`,
/// units in matrix order of their first member; `ns` is the namespace of every member, or
/// null (external ranges, units spanning several namespaces).
fn groups(cluster: &Cluster, matrix: &Matrix, by: GroupBy) -> Value {
    let all: Vec<usize> = (0..matrix.len()).collect();
    let view = View::new(cluster, matrix, all.clone(), all, None).group_by(by);
    let mut of = vec![0usize; matrix.len()];
    let units: Vec<Value> = (0..view.len())
        .map(|u| {
            let members = view.members_of(u);
            for &member in members {
                of[member] = u;
            }
            json!({ "id": view.id(u), "ns": view.namespace(u), "n": members.len() })
        })
        .collect();
    json!({ "units": units, "of": of })
}

/// `file:line` of a span, or nothing when the span is not in a file read.
fn loc(sources: &SourceMap, span: Span) -> String {
    if (span.file.0 as usize) < sources.files().len() {
        sources.file_line(span)
    } else {
        String::new()
    }
}

/// Port sets, interned: `{text, short, level}` with level 0 none, 1 some ports, 2 all.
#[derive(Default)]
struct PortTable {
    index: HashMap<PortSet, usize>,
    values: Vec<Value>,
}

impl PortTable {
    fn id(&mut self, set: &PortSet) -> usize {
        if let Some(&i) = self.index.get(set) {
            return i;
        }
        let level = if set.is_all() {
            2
        } else if set.is_empty() {
            0
        } else {
            1
        };
        let i = self.values.len();
        self.values.push(json!({
            "text": set.to_string(),
            "short": compact(set),
            "level": level,
        }));
        self.index.insert(set.clone(), i);
        i
    }
}

/// Run-length encoded integers: `[value, count, value, count...]`.
#[derive(Default)]
struct Rle {
    values: Vec<usize>,
}

impl Rle {
    fn push(&mut self, v: usize) {
        let n = self.values.len();
        if n >= 2 && self.values[n - 2] == v {
            self.values[n - 1] += 1;
        } else {
            self.values.extend([v, 1]);
        }
    }
}

/// Policies of the model referred to by explanations: `{id, loc}`.
#[derive(Default)]
struct PolicyTable {
    index: HashMap<usize, usize>,
    values: Vec<Value>,
}

impl PolicyTable {
    fn id(&mut self, cluster: &Cluster, sources: &SourceMap, policy: usize) -> usize {
        if let Some(&i) = self.index.get(&policy) {
            return i;
        }
        let p = &cluster.ir.policies[policy];
        let id = match p.source {
            Source::NetworkPolicy(_) => p.name.clone(),
            Source::NamespaceIsolation(_) => {
                format!("the isolation annotation of namespace {}", p.name)
            }
            _ => format!("[{}]", p.label()),
        };
        let i = self.values.len();
        self.values.push(json!({
            "id": id,
            "loc": p.span.map(|s| loc(sources, s)).unwrap_or_default(),
        }));
        self.index.insert(policy, i);
        i
    }
}

/// Sides of explanations, interned: many cells share one (an unisolated destination...).
#[derive(Default)]
struct SideTable {
    index: HashMap<String, usize>,
    values: Vec<Value>,
}

impl SideTable {
    fn id(&mut self, side: Value) -> usize {
        let key = side.to_string();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.values.len();
        self.values.push(side);
        self.index.insert(key, i);
        i
    }
}

/// One side of an explanation, as the page shows it: the items `can-reach` shows
/// ([`crate::report::explain::view`]), as small objects the script renders.
fn side_json(
    side: &Side,
    other: Party,
    cluster: &Cluster,
    sources: &SourceMap,
    policies: &mut PolicyTable,
) -> Value {
    let dir = side.direction;
    let Some(subject) = side.subject else {
        return json!({ "dir": dir.field(), "ext": true, "ok": true, "ports": "all" });
    };
    let ep = &cluster.endpoints[subject];
    let rules = |policy: usize| &cluster.ir.policies[policy].dir(dir).rules;
    let mut items = Vec::new();
    let mut shown_rules = 0;
    let mut more = 0;
    for item in side_items(cluster, side, other, None) {
        let is_rule = matches!(item, Item::Allow { .. } | Item::Decided { .. });
        if is_rule {
            if shown_rules == MAX_RULES_PER_SIDE {
                more += 1;
                continue;
            }
            shown_rules += 1;
        }
        items.push(match item {
            Item::Note(text) => json!({ "t": "note", "text": text }),
            Item::Isolated { prefix, by } => json!({
                "t": "iso",
                "text": format!("{prefix}isolated for {} by ", dir.as_str()),
                "by": by.iter().map(|&b| policies.id(cluster, sources, b)).collect::<Vec<_>>(),
            }),
            Item::Empty(policy) => json!({
                "t": "empty",
                "p": policies.id(cluster, sources, policy),
                "text": format!(" has no {} rules: it allows nothing", dir.field()),
            }),
            Item::Allow { policy, rule, verdict } => {
                let r = &rules(policy)[rule];
                let mut v = json!({
                    "t": "rule",
                    "p": policies.id(cluster, sources, policy),
                    "rule": r.label,
                    "loc": loc(sources, r.span),
                });
                match verdict {
                    AllowVerdict::Allows { why, ports } => {
                        v["mark"] = json!("ok");
                        v["text"] = json!(format!("{why} — allows {ports}"));
                    }
                    AllowVerdict::Missed(misses) => {
                        v["mark"] = json!("no");
                        v["text"] = json!(format!("no peer matches {}", party_name(cluster, other)));
                        v["misses"] = json!(misses
                            .iter()
                            .map(|m| format!("{} ({}): {}", m.label, loc(sources, m.span), m.reason))
                            .collect::<Vec<_>>());
                    }
                    AllowVerdict::OtherPorts { why, instead } => {
                        v["mark"] = json!("no");
                        v["text"] = json!(format!("{why}; but {instead}, not any port"));
                    }
                }
                v
            }
            Item::Decided { tier, policy, rule, ports, why } => {
                let r = &rules(policy)[rule];
                let then = if r.action == Action::Pass { " to the next tier" } else { "" };
                json!({
                    "t": "rule",
                    "p": policies.id(cluster, sources, policy),
                    "tier": tier,
                    "rule": r.label,
                    "loc": loc(sources, r.span),
                    "mark": match r.action { Action::Allow => "ok", Action::Deny => "no", _ => "pass" },
                    "text": format!("{} on {ports}{then} — {why}", r.action_word),
                })
            }
            Item::Undecided { tier, policy } => json!({
                "t": "empty",
                "tier": tier,
                "p": policies.id(cluster, sources, policy),
                "text": " selects it; no rule decides any port",
            }),
            Item::End { tier, action, ports } => json!({
                "t": "note",
                "text": match action {
                    EndAction::Deny => format!("end of the {tier} tier: no rule decided {ports}: denied"),
                    EndAction::Pass => format!("end of the {tier} tier: no rule decided {ports}: passed to the next tier"),
                },
            }),
        });
    }
    if more > 0 {
        items.push(json!({ "t": "more", "n": more }));
    }
    json!({
        "dir": dir.field(),
        "at": ep.id(),
        "ok": !side.allowed.is_empty(),
        "ports": side.allowed.to_string(),
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::matrix::tests::demo;

    #[test]
    fn rle_collapses_runs() {
        let mut r = Rle::default();
        for v in [0, 0, 0, 2, 1, 1] {
            r.push(v);
        }
        assert_eq!(r.values, [0, 3, 2, 1, 1, 2]);
    }

    #[test]
    fn script_safe_text_cannot_close_the_script() {
        let s = script_safe(r#"{"a":"</script><!-- & ]]>"}"#);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><!-- & ]]>");
    }

    #[test]
    fn the_data_holds_the_grid_and_explanations() {
        let (cluster, matrix) = demo();
        let sources = SourceMap::default();
        let explained = collect::explanations(&cluster, &matrix, collect::Limits::default());
        let d = data(&Page {
            cluster: &cluster,
            sources: &sources,
            matrix: &matrix,
            explained: &explained,
            findings: None,
            files: 2,
            inputs: vec!["testdata/demo".into()],
            errors: 0,
        });
        assert_eq!(d["members"].as_array().unwrap().len(), 10);
        let classes = d["summary"]["classes"].as_u64().unwrap() as usize;
        let cells: usize = d["grid"]
            .as_array()
            .unwrap()
            .chunks(2)
            .map(|c| c[1].as_u64().unwrap() as usize)
            .sum();
        assert_eq!(cells, classes * classes);
        assert_eq!(d["explain"]["mode"], "pair");
        assert_eq!(d["cells"].as_object().unwrap().len(), 91);
        assert!(d["findings"].is_null());
    }

    fn page_data(cluster: &Cluster, matrix: &Matrix) -> Value {
        let sources = SourceMap::default();
        let explained = collect::explanations(cluster, matrix, collect::Limits::default());
        data(&Page {
            cluster,
            sources: &sources,
            matrix,
            explained: &explained,
            findings: None,
            files: 1,
            inputs: vec![],
            errors: 0,
        })
    }

    /// [`crate::synth::crowd`], built.
    fn crowd(n: usize) -> Cluster {
        let text = crate::synth::crowd(n);
        let loaded = crate::load::load_texts(&[("crowd.yaml", &text)], &Default::default());
        assert!(loaded.problems.is_empty());
        Cluster::build(loaded.objects)
    }

    /// `(id, ns, n)` of each unit of a grouping, and the unit of each member.
    fn units_of(d: &Value, by: &str) -> (Vec<(String, Value, u64)>, Vec<usize>) {
        let g = &d["groups"][by];
        let units = g["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["id"].as_str().unwrap().to_string(),
                    u["ns"].clone(),
                    u["n"].as_u64().unwrap(),
                )
            })
            .collect();
        let of = g["of"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_u64().unwrap() as usize)
            .collect();
        (units, of)
    }

    #[test]
    fn members_are_embedded_with_their_units_as_matrix_groups_them() {
        let cluster = crowd(20);
        let matrix = Matrix::compute(&cluster);
        let d = page_data(&cluster, &matrix);
        let members = d["members"].as_array().unwrap();
        assert_eq!(members.len(), 63);
        for by in [GroupBy::Class, GroupBy::Workload] {
            let (units, of) = units_of(&d, by.as_str());
            let all: Vec<usize> = (0..matrix.len()).collect();
            let view = View::new(&cluster, &matrix, all.clone(), all, None).group_by(by);
            // The units of `matrix --group-by`, in its order, each member in its own.
            assert_eq!(units.len(), view.len());
            for (u, (id, ns, n)) in units.iter().enumerate() {
                assert_eq!(id, view.id(u));
                assert_eq!(*n as usize, view.members_of(u).len());
                assert_eq!(ns.as_str(), view.namespace(u));
                for &m in view.members_of(u) {
                    assert_eq!(of[m], u);
                }
            }
        }
        let (class, of) = units_of(&d, "class");
        let names: Vec<&str> = class.iter().map(|u| u.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "a/db",
                "a/app=web (20 pods)",
                "b/api",
                "40 pods in 2 namespaces, like b/web-0",
                "0.0.0.0/0"
            ]
        );
        // A unit of several namespaces has none; nor has an external range.
        assert_eq!(class[3].1, Value::Null);
        assert_eq!(class[4].1, Value::Null);
        assert_eq!(class[1].1, "a");
        // Members of a unit share their class: its cell is any of theirs.
        for (m, &u) in of.iter().enumerate() {
            let first = of.iter().position(|&x| x == u).unwrap();
            assert_eq!(members[m]["cls"], members[first]["cls"]);
        }
        // Workloads split the unit of two namespaces: app=web of b, app=shop of c.
        let (workload, _) = units_of(&d, "workload");
        let names: Vec<&str> = workload.iter().map(|u| u.0.as_str()).collect();
        assert!(names.contains(&"b/app=web (20 pods)"), "{names:?}");
        assert!(names.contains(&"c/app=shop (20 pods)"), "{names:?}");
        assert_eq!(workload.len(), 6);
    }

    #[test]
    fn isolation_is_found_among_the_policies_of_the_member_s_namespace() {
        let cluster = crowd(3);
        let matrix = Matrix::compute(&cluster);
        let d = page_data(&cluster, &matrix);
        let policy = |m: &Value, dir: &str| -> Vec<String> {
            m["iso"][dir]["by"]
                .as_array()
                .map(|by| {
                    by.iter()
                        .map(|p| d["policies"][p.as_u64().unwrap() as usize]["id"].to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        let member = |id: &str| {
            d["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(policy(&member("a/db"), "ingress"), ["\"a/db\""]);
        assert_eq!(policy(&member("b/api"), "ingress"), ["\"b/api\""]);
        assert!(policy(&member("a/db"), "egress").is_empty());
        assert!(member("a/web-0").get("iso").is_none());
        assert!(member("c/web-0").get("iso").is_none());
    }
}

//! What the input knows about the cluster, for the rules that judge selectors and named
//! ports against it (policy-selects-nothing, peer-selects-nothing, unresolved-named-port),
//! and small helpers the invalid-* and ignored-*-rules rules share.
//!
//! The input is often part of a cluster: one application's manifests, without the
//! namespaces and pods around it. A selector that matches nothing there may match something
//! in the cluster. So the rules only judge what the input can answer:
//!
//! - pods: a namespace is in scope when the input holds at least one pod or workload in it
//!   (hostNetwork ones included). A namespace without any is taken as not given.
//! - namespaces: namespace selectors are judged only when the input declares at least one
//!   Namespace object; then the known namespaces (declared, or implied by the objects in
//!   them) plus those every cluster has ([`BUILTIN_NAMESPACES`]) are taken as all there is.
//!
//! Files given with `--topology` count: they are read for this, not linted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::base::suggest::closest;
use crate::lint::index::Index;
use crate::lint::{Context, Finding, RuleDef, Subject};
use crate::model::labels::Operator;
use crate::model::labels::describe_failures;
use crate::model::policy::{Direction, Peer};
use crate::model::validate::Violation;
use crate::model::{Cluster, Endpoint, LabelSelector, Labels, NAMESPACE_NAME_LABEL, NsId};

/// Namespaces every cluster has, whether or not the input declares them.
pub const BUILTIN_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// At most this many names are listed in a message; the rest are counted.
const MAX_LISTED: usize = 3;

/// What the input holds, computed once per rule run.
pub struct Scope<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The run's index: endpoints by namespace.
    index: &'a Index<'a>,
    /// Whether the input declares at least one Namespace object.
    pub declares_namespaces: bool,
    /// Namespaces selectors are judged against: the known ones, then the builtin ones the
    /// input does not mention (labelled with their name only).
    namespaces: Vec<(String, Labels)>,
    /// The namespaces the input describes completely ([`Cluster::describes_namespace`]).
    described: Vec<&'a crate::model::Namespace>,
    /// Endpoints (not hostNetwork) by label, built on first use: `(key, value)` and `key`.
    by_label: std::cell::OnceCell<LabelIndex<'a>>,
    /// Memo of [`Scope::pods_matching`], by selector (policies repeat selectors).
    pods_memo: RefCell<HashMap<String, Rc<[usize]>>>,
    /// Memo of [`Scope::described_matching`], by selector.
    namespaces_memo: RefCell<HashMap<String, Rc<[usize]>>>,
}

impl<'a> Scope<'a> {
    /// The scope of the cluster a rule run checks.
    pub fn new(cx: &'a Context) -> Scope<'a> {
        let cluster = cx.cluster;
        let mut namespaces: Vec<(String, Labels)> = cluster
            .namespaces
            .iter()
            .map(|n| (n.name.clone(), n.labels.clone()))
            .collect();
        for name in BUILTIN_NAMESPACES {
            if cluster.ns_id(name).is_none() {
                namespaces.push((
                    name.to_string(),
                    Labels::from_pairs([(NAMESPACE_NAME_LABEL, name)]),
                ));
            }
        }
        Scope {
            cluster,
            index: cx.index(),
            declares_namespaces: cluster.namespaces.iter().any(|n| n.span.is_some()),
            namespaces,
            described: cluster
                .namespaces
                .iter()
                .filter(|n| cluster.describes_namespace(&n.name))
                .collect(),
            by_label: std::cell::OnceCell::new(),
            pods_memo: RefCell::default(),
            namespaces_memo: RefCell::default(),
        }
    }

    /// The namespaces the input describes completely, in input order.
    pub fn described(&self) -> &[&'a crate::model::Namespace] {
        &self.described
    }

    /// The endpoints of every namespace that a pod selector matches, hostNetwork ones left
    /// out (selectors never match them), ascending.
    pub fn pods_matching(&self, sel: &LabelSelector) -> Rc<[usize]> {
        let key = selector_key(sel);
        if let Some(found) = self.pods_memo.borrow().get(&key) {
            return found.clone();
        }
        let endpoints = &self.cluster.endpoints;
        let index = self.by_label.get_or_init(|| LabelIndex::new(endpoints));
        let matches = |i: &usize| sel.matches(&endpoints[*i].labels);
        let found: Rc<[usize]> = match index.candidates(sel) {
            Some(c) => c.into_iter().filter(matches).collect(),
            None => (0..endpoints.len())
                .filter(|&i| !endpoints[i].host_network)
                .filter(matches)
                .collect(),
        };
        self.pods_memo.borrow_mut().insert(key, found.clone());
        found
    }

    /// The described namespaces ([`Scope::described`]) a namespace selector matches, as
    /// indexes into them.
    pub fn described_matching(&self, sel: &LabelSelector) -> Rc<[usize]> {
        let key = selector_key(sel);
        if let Some(found) = self.namespaces_memo.borrow().get(&key) {
            return found.clone();
        }
        let found: Rc<[usize]> = self
            .described
            .iter()
            .enumerate()
            .filter(|(_, n)| sel.matches(&n.labels))
            .map(|(i, _)| i)
            .collect();
        self.namespaces_memo.borrow_mut().insert(key, found.clone());
        found
    }

    /// Whether the input holds a pod or workload in the namespace.
    pub fn has_endpoints(&self, ns: NsId) -> bool {
        !self.index.endpoints_in(ns).is_empty()
    }

    /// Whether the input holds a pod or workload in the namespace of this name.
    pub fn has_endpoints_named(&self, name: &str) -> bool {
        self.cluster
            .ns_id(name)
            .is_some_and(|id| self.has_endpoints(id))
    }

    /// The namespaces selectors are judged against, by name and labels.
    pub fn namespaces(&self) -> &[(String, Labels)] {
        &self.namespaces
    }

    /// The endpoints of a namespace, by name (none for a namespace the input does not
    /// know). Indexed: rules call it per peer, so a scan of every endpoint would make them
    /// quadratic on a cluster dump.
    pub fn endpoints_in<'s>(
        &'s self,
        ns: &'s str,
    ) -> impl Iterator<Item = (usize, &'a Endpoint)> + 's {
        let cluster = self.cluster;
        let members = match cluster.ns_id(ns) {
            Some(id) => self.index.endpoints_in(id),
            None => &[],
        };
        members.iter().map(move |&i| (i, &cluster.endpoints[i]))
    }
}

/// `shop/api: ingress[1].from[0]`: where a peer is, for messages.
pub fn peer_path(
    policy: &crate::model::NetworkPolicy,
    rule: &crate::model::Rule,
    peer: &Peer,
) -> String {
    format!(
        "{}: {}.{}[{}]",
        policy.id(),
        rule.label(),
        rule.direction.peers_field(),
        peer.index
    )
}

/// `a, b, c and 2 more`.
pub fn list(names: &[String]) -> String {
    if names.len() <= MAX_LISTED {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..MAX_LISTED].join(", "),
        names.len() - MAX_LISTED
    )
}

/// The candidate closest to matching the selector, as `shop/deploy/api: app=api, not apii`
/// ([`closest_candidate`]). None when there is no candidate or no single closest one.
pub fn closest_miss<'l>(
    selector: &LabelSelector,
    candidates: impl IntoIterator<Item = (String, &'l Labels)>,
) -> Option<String> {
    let (_, name, labels) = closest_candidate(selector, candidates)?;
    let why = describe_failures(&selector.failures(labels), labels);
    Some(format!("{name}: {why}"))
}

/// The candidate closest to matching the selector: the one failing the fewest requirements
/// (at least one), then the one with the most failures that look like typos (`apii` for
/// `api`); with the number of requirements it fails. None when there is no candidate or no
/// single closest one.
pub fn closest_candidate<'l>(
    selector: &LabelSelector,
    candidates: impl IntoIterator<Item = (String, &'l Labels)>,
) -> Option<(usize, String, &'l Labels)> {
    let mut scored: Vec<((usize, usize), String, &Labels)> = candidates
        .into_iter()
        .filter_map(|(name, labels)| {
            let failed = selector.failures(labels);
            if failed.is_empty() {
                return None;
            }
            let typos = failed
                .iter()
                .filter(|r| {
                    r.op == Operator::In
                        && labels
                            .get(&r.key)
                            .is_some_and(|v| r.values.iter().any(|w| closest(w, &[v]).is_some()))
                })
                .count();
            Some(((failed.len(), failed.len() - typos), name, labels))
        })
        .collect();
    scored.sort_by_key(|(score, _, _)| *score);
    let alone = match scored.as_slice() {
        [(best, ..), rest @ ..] => rest.first().is_none_or(|(s, _, _)| s > best),
        [] => false,
    };
    let ((failing, _), name, labels) = scored.into_iter().next().filter(|_| alone)?;
    Some((failing, name, labels))
}

/// The findings of `rule` for what the API server rejects (see
/// [`Context::violation_findings`]), each with the help `help` gives for its violation.
pub fn violations_with_help(
    cx: &Context,
    rule: &'static RuleDef,
    out: &mut Vec<Finding>,
    help: impl Fn(&Violation) -> Option<String>,
) {
    let start = out.len();
    cx.violation_findings(rule, out);
    let violations = cx.violations().iter().filter(|(_, v)| v.rule == rule.name);
    for (f, (_, v)) in out[start..].iter_mut().zip(violations) {
        f.help = help(v);
    }
}

/// ignored-ingress-rules and ignored-egress-rules: rules of a direction that an explicit,
/// non-empty `policyTypes` leaves out.
pub fn ignored_rules(cx: &Context, rule: &'static RuleDef, dir: Direction, out: &mut Vec<Finding>) {
    for (idx, p) in cx.cluster.applied_policies() {
        let Some(types) = p.policy_types.as_ref().filter(|t| !t.value.is_empty()) else {
            continue;
        };
        let list = match dir {
            Direction::Ingress => &p.ingress,
            Direction::Egress => &p.egress,
        };
        let Some(list) = list.as_ref().filter(|l| !l.rules.is_empty()) else {
            continue;
        };
        if p.affects(dir) {
            continue;
        }
        let written: Vec<&str> = types.value.iter().map(|t| t.value.as_str()).collect();
        let count = list.rules.len();
        let rules = if count == 1 { "rule" } else { "rules" };
        out.push(
            Finding::new(
                rule,
                Subject::Policy(idx),
                list.span,
                format!(
                    "{}: {count} {} {rules} ignored: policyTypes [{}] leaves out {}",
                    p.id(),
                    dir.field(),
                    written.join(", "),
                    dir.as_str()
                ),
            )
            .help(format!(
                "add {} to policyTypes to enforce them (the selected pods then {} only what the rules allow), or delete spec.{}",
                dir.as_str(),
                match dir {
                    Direction::Ingress => "accept",
                    Direction::Egress => "send",
                },
                dir.field()
            ))
            .related(types.span, "policyTypes"),
        );
    }
}

/// Fixture tests that look at help lines and related places too.
/// A selector as a memo key: its requirements without where they are written.
fn selector_key(sel: &LabelSelector) -> String {
    let mut key = String::new();
    for r in sel.requirements() {
        key.push_str(&format!("{}\u{0}{:?}\u{0}{:?}\u{1}", r.key, r.op, r.values));
    }
    key
}

/// The endpoints that selectors can match (not hostNetwork), by label.
struct LabelIndex<'a> {
    by_pair: HashMap<(&'a str, &'a str), Vec<usize>>,
    by_key: HashMap<&'a str, Vec<usize>>,
}

impl<'a> LabelIndex<'a> {
    fn new(endpoints: &'a [Endpoint]) -> LabelIndex<'a> {
        let mut by_pair: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.host_network)
        {
            for (k, v) in e.labels.iter() {
                by_pair.entry((k, v)).or_default().push(i);
                by_key.entry(k).or_default().push(i);
            }
        }
        LabelIndex { by_pair, by_key }
    }

    /// A superset of the endpoints a selector matches, ascending, from its most selective
    /// `In` or `Exists` requirement; None when it has neither (every endpoint may match).
    fn candidates(&self, sel: &LabelSelector) -> Option<Vec<usize>> {
        let mut best: Option<Vec<usize>> = None;
        for r in sel.requirements() {
            let list: Vec<usize> = match r.op {
                Operator::In => {
                    let mut l: Vec<usize> = r
                        .values
                        .iter()
                        .flat_map(|v| self.by_pair.get(&(r.key.as_str(), v.as_str())))
                        .flatten()
                        .copied()
                        .collect();
                    l.sort_unstable();
                    l
                }
                Operator::Exists => self.by_key.get(r.key.as_str()).cloned().unwrap_or_default(),
                _ => continue,
            };
            if best.as_ref().is_none_or(|b| list.len() < b.len()) {
                best = Some(list);
            }
        }
        best
    }
}

#[cfg(test)]
pub mod testing {
    use std::collections::HashSet;

    use crate::lint::{Config, Context, RuleDef, RunOptions, run};
    use crate::load::{LoadOptions, load};
    use crate::model::Cluster;

    /// The findings of `rule` on `testdata/rules/<rule-name>/<fixture>`, each as
    /// `line:col: message`, then `help: ...` and `line:col: related label` when present.
    pub fn details(rule: &'static RuleDef, fixture: &str) -> Vec<Vec<String>> {
        let path = format!(
            "{}/testdata/rules/{}/{fixture}",
            env!("CARGO_MANIFEST_DIR"),
            rule.name
        );
        let loaded = load(&[path], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let cluster = Cluster::build(loaded.objects);
        let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
        let only: HashSet<&str> = [rule.name].into();
        let at = |span| {
            let pos = loaded.sources.start(span);
            format!("{}:{}", pos.line, pos.column)
        };
        run(&cx, &Config::only(&only), &RunOptions::default())
            .iter()
            .map(|f| {
                let mut lines = vec![format!("{}: {}", at(f.span), f.message)];
                lines.extend(f.help.iter().map(|h| format!("help: {h}")));
                lines.extend(
                    f.related
                        .iter()
                        .map(|r| format!("{}: {}", at(r.span), r.message)),
                );
                lines
            })
            .collect()
    }
}

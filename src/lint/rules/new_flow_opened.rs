//! ## What it finds
//! With `check --baseline REV`: connections the checked manifests allow and the same paths
//! at git revision `REV` did not — a flow opened, or new ports on a flow already open. The
//! comparison is `kubectl netpol diff --base REV`'s: pods and workloads matched by namespace,
//! kind and name, and external address ranges.
//!
//! One finding per group of new flows with the same causes, at the object change responsible
//! (a NetworkPolicy or cluster-wide policy added or edited, a workload or namespace whose
//! labels or ports changed, a workload added); the flows are listed, and the other changes
//! that take part are shown as related places. When the only cause is a removed policy, the
//! finding is at the workload it protected, and names the policy at `REV:path:line`.
//! Without `--baseline` the rule finds nothing.
//!
//! ## Why it matters
//! A pull request that opens a path to the database, or to the internet, can look harmless
//! line by line: a label renamed, a selector widened, a policy deleted as "unused". In CI, the
//! question a reviewer needs answered is what the change lets through that was not allowed
//! before; everything else about reachability was already reviewed.
//!
//! ## Example
//! ```yaml
//! # at main: the db accepts the api only
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: api}}}]
//! ---
//! # in the pull request: "let the backend tier in"
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {tier: backend}}}]   # the worker is tier=backend too
//! ```
//!
//! ## Use instead
//! Open exactly what is meant, and check the diff (`kubectl netpol diff --base main PATH`):
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: api}}}]
//! ```
//! When the new flows are intended, say so on the object responsible with the annotation
//! `netpol.kubectl.dev/ignore: new-flow-opened`, or lower the rule's severity in
//! `.netpol.yaml`.

use std::collections::BTreeMap;

use crate::base::span::Span;
use crate::engine::diff::{Change, ChangeKind, Connection, Diff, Member, ObjectKind};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::load::source::SourceMap;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP701",
    name: "new-flow-opened",
    severity: Severity::Error,
    category: Category::Change,
    summary: "a connection allowed now that the baseline revision (--baseline) did not allow",
    check,
};

/// What `--baseline REV` compares with: the diff from the manifests at `REV` to the checked
/// ones, and the files read at `REV` (to name removed objects).
pub struct Baseline {
    /// The revision, as given.
    pub revision: String,
    /// Old: the paths at the revision; new: the checked input.
    pub diff: Diff,
    /// The files read at the revision.
    pub old_sources: SourceMap,
}

/// Flows listed in a finding's message; the notes list them all.
const SHOWN: usize = 3;

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(b) = cx.baseline else {
        return;
    };
    let d = &b.diff;
    let mut groups: BTreeMap<&[usize], Vec<&Connection>> = BTreeMap::new();
    for c in d.connections.iter().filter(|c| !c.opened().is_empty()) {
        groups.entry(c.causes.as_slice()).or_default().push(c);
    }
    for (causes, conns) in groups {
        let changes: Vec<&Change> = causes.iter().map(|&i| &d.changes[i]).collect();
        let anchor_at = changes.iter().position(|c| c.new.is_some());
        let anchor = anchor_at.map(|i| changes[i]);
        let (subject, span, title) = match anchor {
            Some(ch) => (subject_of(cx, ch), ch.new.unwrap_or_default(), ch.title()),
            None => endpoint_of(cx, conns[0]),
        };
        let flows: Vec<String> = conns.iter().map(|c| flow(c)).collect();
        let by = if changes.is_empty() {
            "a change no object of the input explains".to_string()
        } else {
            changes
                .iter()
                .map(|c| name(b, c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let listed = if flows.len() > SHOWN {
            format!(
                "{}, and {} more",
                flows[..SHOWN].join(", "),
                flows.len() - SHOWN
            )
        } else {
            flows.join(", ")
        };
        let message = format!(
            "{} new flow{} since {}, opened by {by}: {listed}",
            flows.len(),
            if flows.len() == 1 { "" } else { "s" },
            b.revision
        );
        let mut f = Finding::new(&RULE, subject, span, message).help(format!(
            "if these flows are intended, annotate {title} with `netpol.kubectl.dev/ignore: new-flow-opened`"
        ));
        for (i, ch) in changes.iter().enumerate() {
            if Some(i) == anchor_at {
                continue;
            }
            if let Some(s) = ch.new {
                f = f.related(s, format!("also responsible: {}", describe(ch)));
            }
        }
        if flows.len() > SHOWN {
            f = f.notes(flows);
        }
        out.push(f);
    }
}

/// `shop/deploy/api → shop/sts/db on TCP 5432`, `... on TCP 443 (was TCP 80)`.
fn flow(c: &Connection) -> String {
    let was = if c.old.is_empty() {
        String::new()
    } else {
        format!(" (was {})", c.old)
    };
    format!("{} → {} on {}{was}", c.src, c.dst, c.new)
}

/// `NetworkPolicy shop/api (edited)`, `NetworkPolicy shop/old (removed, was at REV:f:3)`.
fn name(b: &Baseline, c: &Change) -> String {
    match (c.change, c.old) {
        (ChangeKind::Removed, Some(s)) => format!(
            "{} (removed, was at {})",
            c.title(),
            b.old_sources.file_line(s)
        ),
        _ => format!("{} ({})", c.title(), c.change),
    }
}

/// `StatefulSet shop/db edited: container ports: ...`.
fn describe(c: &Change) -> String {
    let mut s = format!("{} {}", c.title(), c.change);
    if !c.details.is_empty() {
        s.push_str(": ");
        s.push_str(&c.details.join(", "));
    }
    s
}

/// The object a change is about, in the checked input (for the ignore annotation).
fn subject_of(cx: &Context, ch: &Change) -> Subject {
    let cluster = cx.cluster;
    match ch.object {
        ObjectKind::NetworkPolicy => cluster
            .applied_policies()
            .filter(|(_, p)| p.id() == ch.id)
            .map(|(i, _)| Subject::Policy(i))
            .last()
            .unwrap_or(Subject::None),
        ObjectKind::ClusterPolicy(kind) => cluster
            .cluster_policies
            .iter()
            .rposition(|p| p.kind == kind && p.name == ch.id)
            .map_or(Subject::None, Subject::ClusterPolicy),
        ObjectKind::Namespace => cluster
            .ns_id(&ch.id)
            .map_or(Subject::None, Subject::Namespace),
        ObjectKind::Workload(_) => cluster
            .endpoints
            .iter()
            .position(|e| e.id() == ch.id)
            .map_or(Subject::None, Subject::Endpoint),
        ObjectKind::Calico(kind) => cluster
            .calico_policies
            .iter()
            .rposition(|p| p.kind == kind && p.id() == ch.id)
            .map_or(Subject::None, Subject::CalicoPolicy),
        ObjectKind::Cilium(kind) => cluster
            .cilium_policies
            .iter()
            .rposition(|p| p.kind == kind && p.qualified_name() == ch.id)
            .map_or(Subject::None, Subject::CiliumPolicy),
        ObjectKind::Node | ObjectKind::CalicoTier => Subject::None,
    }
}

/// For flows opened by removed objects only: the workload at either end that is still in the
/// input (the destination first, whose ingress a removed policy usually guarded), and its
/// title.
fn endpoint_of(cx: &Context, c: &Connection) -> (Subject, Span, String) {
    for m in [&c.dst, &c.src] {
        if let Member::Endpoint { id, .. } = m
            && let Some(i) = cx.cluster.endpoints.iter().position(|e| &e.id() == id)
        {
            let e = &cx.cluster.endpoints[i];
            let title = format!("{} {}/{}", e.kind, e.namespace, e.name);
            return (Subject::Endpoint(i), e.span, title);
        }
    }
    (Subject::None, Span::default(), "the workload".into())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::lint::{Config, RunOptions, run};
    use crate::load::{LoadOptions, load};
    use crate::model::Cluster;

    /// The findings on `new.yaml` with `old.yaml` as the baseline, with related places and
    /// help: `line:col: message`, then `\n  line:col: related`, then `\n  help: ...`.
    fn findings(old: &str, new: &str) -> Vec<String> {
        let dir = format!(
            "{}/testdata/rules/{}",
            env!("CARGO_MANIFEST_DIR"),
            RULE.name
        );
        let old = load(&[format!("{dir}/{old}")], &LoadOptions::default());
        let new = load(&[format!("{dir}/{new}")], &LoadOptions::default());
        let (co, cn) = (Cluster::build(old.objects), Cluster::build(new.objects));
        let baseline = Baseline {
            revision: "main".into(),
            diff: Diff::compute(&co, &cn),
            old_sources: old.sources,
        };
        let mut cx = Context::new(&cn, &new.sources, &new.problems);
        cx.baseline = Some(&baseline);
        let only: HashSet<&str> = [RULE.name].into();
        let found = run(&cx, &Config::only(&only), &RunOptions::default());
        found
            .iter()
            .map(|f| {
                let pos = new.sources.start(f.span);
                let mut s = format!("{}:{}: {}", pos.line, pos.column, f.message);
                for r in &f.related {
                    let p = new.sources.start(r.span);
                    s += &format!("\n  {}:{}: {}", p.line, p.column, r.message);
                }
                if let Some(h) = &f.help {
                    s += &format!("\n  help: {h}");
                }
                s
            })
            .collect()
    }

    #[test]
    fn each_group_of_new_flows_is_reported_at_its_cause() {
        assert_eq!(
            findings("old.yaml", "new.yaml"),
            [
                "31:1: 1 new flow since main, opened by NetworkPolicy shop/cache (added), Deployment shop/cache (added): shop/deploy/api → shop/deploy/cache on TCP 6379\n  61:1: also responsible: Deployment shop/cache added\n  help: if these flows are intended, annotate NetworkPolicy shop/cache with `netpol.kubectl.dev/ignore: new-flow-opened`",
                "47:1: 1 new flow since main, opened by Deployment shop/worker (edited): shop/deploy/worker → shop/deploy/db on TCP 5432\n  help: if these flows are intended, annotate Deployment shop/worker with `netpol.kubectl.dev/ignore: new-flow-opened`",
            ]
        );
    }

    #[test]
    fn closing_flows_is_no_finding() {
        assert!(
            findings("new.yaml", "old.yaml")
                .iter()
                .all(|f| !f.contains("shop/deploy/worker →"))
        );
    }

    #[test]
    fn the_same_input_is_no_finding() {
        assert!(findings("old.yaml", "old.yaml").is_empty());
    }

    #[test]
    fn without_a_baseline_nothing() {
        let dir = format!(
            "{}/testdata/rules/{}",
            env!("CARGO_MANIFEST_DIR"),
            RULE.name
        );
        let new = load(&[format!("{dir}/new.yaml")], &LoadOptions::default());
        let cn = Cluster::build(new.objects);
        let cx = Context::new(&cn, &new.sources, &new.problems);
        let only: HashSet<&str> = [RULE.name].into();
        assert!(run(&cx, &Config::only(&only), &RunOptions::default()).is_empty());
    }

    #[test]
    fn removed_objects_are_named_at_the_revision() {
        let found = findings("new.yaml", "removed.yaml");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert!(
            f.starts_with("33:1: 8 new flows since main, opened by NetworkPolicy shop/default-deny (removed, was at "),
            "{f}"
        );
        assert!(
            f.contains("new-flow-opened/new.yaml:3): shop/deploy/cache → shop/deploy/api on all, "),
            "{f}"
        );
        assert!(
            f.ends_with(
                "annotate Deployment shop/api with `netpol.kubectl.dev/ignore: new-flow-opened`"
            ),
            "{f}"
        );
    }
}

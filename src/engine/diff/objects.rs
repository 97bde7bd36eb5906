//! Which objects changed: policies of every API (compared through the policy model, so that
//! only what a policy says counts, not its layout, comments or the order of rules whose order
//! does not matter; a Cilium policy part by part), namespaces, pods and workloads, Nodes.

use std::collections::BTreeSet;

use super::pairs::paired_endpoints;
use super::{Change, ChangeKind, ObjectKind, Part, Parts, PolicyKey, SideIndex, Version, cilium};
use crate::base::span::Span;
use crate::model::calico::CalicoTier;
use crate::model::ir::{Cond, Match, Policy, PortMatch, Precedence, Rule, Source};
use crate::model::{Cluster, Cni, ContainerPort, Direction, Endpoint, Labels};

/// Every object that changed: policies, then namespaces, pods and workloads, Nodes.
pub(super) fn changes(o: &SideIndex, n: &SideIndex) -> Vec<Change> {
    let mut out = Vec::new();
    policy_changes(o, n, &mut out);
    tier_changes(o.cluster, n.cluster, &mut out);
    namespace_changes(o.cluster, n.cluster, &mut out);
    endpoint_changes(o, n, &mut out);
    node_changes(o.cluster, n.cluster, &mut out);
    out
}

fn added_removed(
    object: ObjectKind,
    id: String,
    name: String,
    old: Option<Span>,
    new: Option<Span>,
) -> Option<Change> {
    let change = match (old, new) {
        (Some(_), Some(_)) | (None, None) => return None,
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
    };
    Some(Change {
        object,
        id,
        name,
        change,
        old,
        new,
        focus: None,
        details: Vec::new(),
        connections: 0,
    })
}

/// What changed about each policy: added, removed, refused or accepted by the API server, or
/// edited in meaning.
fn policy_changes(o: &SideIndex, n: &SideIndex, out: &mut Vec<Change>) {
    let keys: BTreeSet<&PolicyKey> = o.any.keys().chain(n.any.keys()).collect();
    for key in keys {
        let (object, id) = (key.0, key.1.clone());
        let (old_any, new_any) = (o.any.get(key).copied(), n.any.get(key).copied());
        let (old_applied, new_applied) = (o.parts(key), n.parts(key));
        if let Some(mut c) = added_removed(object, id.clone(), id.clone(), old_any, new_any) {
            let (applied, side) = if c.change == ChangeKind::Added {
                (new_applied.is_some(), n)
            } else {
                (old_applied.is_some(), o)
            };
            if !applied {
                c.details
                    .push("the API server rejects it: it is not applied".into());
            } else if let Some(why) = not_evaluated(object, side.cluster) {
                c.details.push(why);
            }
            out.push(c);
            continue;
        }
        let (Some(old_span), Some(new_span)) = (old_any, new_any) else {
            continue;
        };
        let mut details = Vec::new();
        let mut focus = None;
        match (old_applied, new_applied) {
            (None, None) => continue,
            (Some(_), None) => {
                details.push("the API server rejects the new version: it is not applied".into())
            }
            (None, Some(_)) => details
                .push("the API server rejected the old version; the new one is applied".into()),
            (Some(a), Some(b)) => {
                if let ObjectKind::Cilium(_) = object {
                    if cilium::says_the_same(o, n, key) {
                        continue;
                    }
                    cilium::details(o, n, key, &mut details, &mut focus);
                } else {
                    if parts_fp(o.cluster, a) == parts_fp(n.cluster, b) {
                        continue;
                    }
                    let (Some(a), Some(b)) =
                        (o.policy(key, Part::Whole), n.policy(key, Part::Whole))
                    else {
                        continue;
                    };
                    let (ta, tb) = (tier_name(o.cluster, a), tier_name(n.cluster, b));
                    policy_details(a, b, (ta, tb), &mut details, &mut focus);
                }
            }
        }
        out.push(Change {
            object,
            id: id.clone(),
            name: id,
            change: ChangeKind::Edited,
            old: Some(old_span),
            new: Some(new_span),
            focus: focus.or(Some((Version::New, new_span))),
            details,
            connections: 0,
        });
    }
}

/// Why an applied policy of a kind the network plugin does not enforce is not evaluated
/// (Cilium policies only: other kinds keep their older wording).
fn not_evaluated(object: ObjectKind, cluster: &Cluster) -> Option<String> {
    match object {
        ObjectKind::Cilium(_) if cluster.cni != Cni::Cilium => Some(format!(
            "not evaluated: the network plugin is `{}`, not Cilium (--cni)",
            cluster.cni.as_str()
        )),
        _ => None,
    }
}

/// What an object's parts say, part by part.
fn parts_fp(cluster: &Cluster, parts: &Parts) -> Vec<(Part, String)> {
    parts
        .iter()
        .map(|&(part, id)| {
            let p = &cluster.ir.policies[id];
            (part, fingerprint(p, tier_name(cluster, p)))
        })
        .collect()
}

/// Calico Tier objects added, removed, or whose order or default action changed.
fn tier_changes(old: &Cluster, new: &Cluster, out: &mut Vec<Change>) {
    let order = |t: &CalicoTier| {
        t.order
            .as_ref()
            .map_or("none".into(), |o| o.value.to_string())
    };
    let action = |t: &CalicoTier| {
        t.default_action
            .as_ref()
            .map_or("Deny".into(), |x| x.value.clone())
    };
    by_name(
        ObjectKind::CalicoTier,
        (&old.calico_tiers, &new.calico_tiers),
        |t| (t.name.as_str(), t.span),
        |a, b| {
            let mut details = Vec::new();
            if order(a) != order(b) {
                details.push(format!("order: {} → {}", order(a), order(b)));
            }
            if action(a) != action(b) {
                details.push(format!("defaultAction: {} → {}", action(a), action(b)));
            }
            details
        },
        out,
    );
}

/// Objects of one kind paired by name (the last of a name on each side): added, removed, or
/// edited where `details` finds a difference.
fn by_name<T>(
    object: ObjectKind,
    (old, new): (&[T], &[T]),
    name_span: impl Fn(&T) -> (&str, Span),
    details: impl Fn(&T, &T) -> Vec<String>,
    out: &mut Vec<Change>,
) {
    let names: BTreeSet<&str> = old.iter().chain(new).map(|x| name_span(x).0).collect();
    for name in names {
        let a = old.iter().rfind(|x| name_span(x).0 == name);
        let b = new.iter().rfind(|x| name_span(x).0 == name);
        if let Some(c) = added_removed(
            object,
            name.to_string(),
            name.to_string(),
            a.map(|x| name_span(x).1),
            b.map(|x| name_span(x).1),
        ) {
            out.push(c);
            continue;
        }
        let (Some(a), Some(b)) = (a, b) else { continue };
        let details = details(a, b);
        if details.is_empty() {
            continue;
        }
        let (old_span, new_span) = (name_span(a).1, name_span(b).1);
        out.push(Change {
            object,
            id: name.to_string(),
            name: name.to_string(),
            change: ChangeKind::Edited,
            old: Some(old_span),
            new: Some(new_span),
            focus: Some((Version::New, new_span)),
            details,
            connections: 0,
        });
    }
}

pub(super) fn tier_name<'c>(cluster: &'c Cluster, p: &Policy) -> &'c str {
    &cluster.ir.tiers[p.tier].name
}

// Fingerprints: what a policy of the model says, without positions, labels or layout.

fn cond_fp(c: &Cond) -> String {
    format!("{}{:?}", if c.negated { "!" } else { "" }, c.test)
}

/// A match: its terms in any order, each term's conditions in any order.
pub(super) fn match_fp(m: &Match) -> String {
    match m {
        Match::All => "*".into(),
        Match::Any(terms) => {
            let mut v: Vec<String> = terms
                .iter()
                .map(|t| {
                    let mut c: Vec<String> = t.conds.iter().map(cond_fp).collect();
                    c.sort();
                    c.dedup();
                    format!("({})", c.join(" & "))
                })
                .collect();
            v.sort();
            v.dedup();
            format!("[{}]", v.join(" | "))
        }
    }
}

fn ports_fp(p: &PortMatch) -> String {
    match p {
        PortMatch::All => "*".into(),
        PortMatch::Any(items) => {
            let mut v: Vec<String> = items.iter().map(|i| format!("{:?}", i.kind)).collect();
            v.sort();
            v.dedup();
            format!("any[{}]", v.join(","))
        }
        PortMatch::And(parts) => {
            let v: Vec<String> = parts.iter().map(ports_fp).collect();
            format!("and[{}]", v.join(","))
        }
        PortMatch::Not(part) => format!("not[{}]", ports_fp(part)),
    }
}

pub(super) fn rule_fp(r: &Rule) -> String {
    format!(
        "{:?} peer{} local{} ports{} {:?}",
        r.action,
        match_fp(&r.peer),
        r.local.as_ref().map_or("*".into(), match_fp),
        ports_fp(&r.ports),
        r.caveats
    )
}

/// The rules of a direction: in order, or as a set where order does not matter.
fn rules_fp(p: &Policy, d: Direction) -> Vec<String> {
    let mut v: Vec<String> = p.dir(d).rules.iter().map(rule_fp).collect();
    if p.precedence_key == Precedence::Unordered {
        v.sort();
    }
    v
}

pub(super) fn fingerprint(p: &Policy, tier: &str) -> String {
    let dirs: Vec<String> = Direction::BOTH
        .iter()
        .map(|&d| {
            let part = p.dir(d);
            format!("{}{} {:?}", part.applies, part.isolates, rules_fp(p, d))
        })
        .collect();
    format!(
        "{tier}|{:?}|{}|{}",
        p.precedence_key,
        match_fp(&p.subject),
        dirs.join("|")
    )
}

fn types_text(p: &Policy) -> String {
    let v: Vec<&str> = Direction::BOTH
        .iter()
        .filter(|d| p.dir(**d).applies)
        .map(|d| d.as_str())
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// `podSelector: {app=web} → {app=api}` when one condition of a one-term subject changed,
/// else `subject changed`.
fn subject_detail(a: &Match, b: &Match) -> String {
    subject_detail_by(a, b, "subject", |x, y| x == y)
}

/// `endpointSelector: {app=web} → {app=api}` when one condition of a one-term subject
/// changed, else `endpointSelector changed`. Conditions are compared by what they test: a
/// CiliumNetworkPolicy's namespace condition is written at the object, whose span moves
/// with any edit of it.
pub(super) fn endpoint_selector_detail(a: &Match, b: &Match) -> String {
    subject_detail_by(a, b, "endpointSelector", |x, y| cond_fp(x) == cond_fp(y))
}

/// `{field}: {old} → {new}` when one condition of a one-term subject changed (conditions
/// paired by `same`), else `{whole} changed`.
fn subject_detail_by(
    a: &Match,
    b: &Match,
    whole: &str,
    same: impl Fn(&Cond, &Cond) -> bool,
) -> String {
    if let ([ta], [tb]) = (a.terms(), b.terms()) {
        let absent = |c: &Cond, from: &[Cond]| !from.iter().any(|d| same(c, d));
        let only_a: Vec<&Cond> = ta.conds.iter().filter(|c| absent(c, &tb.conds)).collect();
        let only_b: Vec<&Cond> = tb.conds.iter().filter(|c| absent(c, &ta.conds)).collect();
        if let ([ca], [cb]) = (only_a.as_slice(), only_b.as_slice())
            && let (Some((fa, ra)), Some((fb, rb))) =
                (ca.what.split_once(' '), cb.what.split_once(' '))
            && fa == fb
        {
            return format!("{fa}: {ra} → {rb}");
        }
    }
    format!("{whole} changed")
}

fn precedence_text(p: &Precedence) -> Option<(&'static str, String)> {
    match p {
        Precedence::Unordered => None,
        Precedence::Priority(n) => Some(("priority", n.to_string())),
        Precedence::Order(o) => Some(("order", o.map_or("none".into(), |o| o.to_string()))),
    }
}

fn policy_details(
    a: &Policy,
    b: &Policy,
    tiers: (&str, &str),
    details: &mut Vec<String>,
    focus: &mut Option<(Version, Span)>,
) {
    let mut set_focus = |v: Version, s: Span| {
        if focus.is_none() {
            *focus = Some((v, s));
        }
    };
    let whole = b.span.unwrap_or(b.name_span);
    if tiers.0 != tiers.1 {
        details.push(format!("tier: {} → {}", tiers.0, tiers.1));
        set_focus(Version::New, whole);
    }
    if a.precedence_key != b.precedence_key {
        let (pa, pb) = (
            precedence_text(&a.precedence_key),
            precedence_text(&b.precedence_key),
        );
        let word = pa.as_ref().or(pb.as_ref()).map_or("order", |x| x.0);
        let show = |p: Option<(&str, String)>| p.map_or("none".into(), |x| x.1);
        details.push(format!("{word}: {} → {}", show(pa), show(pb)));
        set_focus(Version::New, whole);
    }
    if match_fp(&a.subject) != match_fp(&b.subject) {
        details.push(subject_detail(&a.subject, &b.subject));
        set_focus(
            Version::New,
            b.subject.terms().first().map_or(whole, |t| t.span),
        );
    }
    if types_text(a) != types_text(b) {
        let word = match b.source {
            Source::NetworkPolicy(_) => "policyTypes",
            Source::Calico(_) => "types",
            _ => "directions",
        };
        details.push(format!("{word}: {} → {}", types_text(a), types_text(b)));
        set_focus(Version::New, whole);
    }
    for dir in Direction::BOTH {
        if rules_fp(a, dir) == rules_fp(b, dir) {
            continue;
        }
        let (ra, rb) = (&a.dir(dir).rules, &b.dir(dir).rules);
        let old_fps: Vec<String> = ra.iter().map(rule_fp).collect();
        let new_fps: Vec<String> = rb.iter().map(rule_fp).collect();
        if b.precedence_key == Precedence::Unordered {
            // Rules add up, so a rule of the new version found anywhere in the old one is not a
            // change; what is left was added or changed, and old rules found nowhere were
            // removed.
            for (i, r) in rb.iter().enumerate() {
                if old_fps.contains(&new_fps[i]) {
                    continue;
                }
                if i < ra.len() && !new_fps.contains(&old_fps[i]) {
                    details.push(format!("{} changed", r.label));
                } else {
                    details.push(format!("{} added", r.label));
                }
                set_focus(Version::New, r.span);
            }
            for (i, r) in ra.iter().enumerate() {
                if new_fps.contains(&old_fps[i]) {
                    continue;
                }
                let replaced = i < rb.len() && !old_fps.contains(&new_fps[i]);
                if !replaced {
                    details.push(format!("{} removed", r.label));
                    set_focus(Version::Old, r.span);
                }
            }
        } else {
            // Rules are ordered: compared place by place.
            for i in 0..ra.len().max(rb.len()) {
                match (ra.get(i), rb.get(i)) {
                    (Some(_), Some(y)) if old_fps[i] != new_fps[i] => {
                        details.push(format!("{} changed", y.label));
                        set_focus(Version::New, y.span);
                    }
                    (None, Some(y)) => {
                        details.push(format!("{} added", y.label));
                        set_focus(Version::New, y.span);
                    }
                    (Some(x), None) => {
                        details.push(format!("{} removed", x.label));
                        set_focus(Version::Old, x.span);
                    }
                    _ => {}
                }
            }
        }
    }
}

fn namespace_changes(old: &Cluster, new: &Cluster, out: &mut Vec<Change>) {
    let names: BTreeSet<&str> = old
        .namespaces
        .iter()
        .chain(&new.namespaces)
        .map(|n| n.name.as_str())
        .collect();
    for name in names {
        let a = old.ns_id(name).map(|i| old.ns(i));
        let b = new.ns_id(name).map(|i| new.ns(i));
        let (Some(a), Some(b)) = (a, b) else {
            let (old_span, new_span) = (a.and_then(|n| n.span), b.and_then(|n| n.span));
            let implied = old_span.is_none() && new_span.is_none();
            out.push(Change {
                object: ObjectKind::Namespace,
                id: name.to_string(),
                name: name.to_string(),
                change: if a.is_some() {
                    ChangeKind::Removed
                } else {
                    ChangeKind::Added
                },
                old: old_span,
                new: new_span,
                focus: None,
                details: if implied {
                    vec!["implied by the objects in it (no Namespace object)".into()]
                } else {
                    Vec::new()
                },
                connections: 0,
            });
            continue;
        };
        let mut details = label_details(&a.labels, &b.labels);
        if a.alpha_isolated() != b.alpha_isolated() {
            details.push(format!(
                "alpha isolation annotation: {} → {}",
                on_off(a.alpha_isolated()),
                on_off(b.alpha_isolated())
            ));
        }
        if a.beta_default_deny() != b.beta_default_deny() {
            details.push(format!(
                "DefaultDeny annotation: {} → {}",
                on_off(a.beta_default_deny()),
                on_off(b.beta_default_deny())
            ));
        }
        if details.is_empty() {
            continue;
        }
        out.push(Change {
            object: ObjectKind::Namespace,
            id: name.to_string(),
            name: name.to_string(),
            change: ChangeKind::Edited,
            old: a.span,
            new: b.span,
            focus: b.span.map(|s| (Version::New, s)),
            details,
            connections: 0,
        });
    }
}

pub(super) fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn endpoint_changes(o: &SideIndex, n: &SideIndex, out: &mut Vec<Change>) {
    for ((ns, name, kind), (a, b)) in paired_endpoints(o.cluster, n.cluster) {
        let a = a.map(|i| &o.cluster.endpoints[i]);
        let b = b.map(|i| &n.cluster.endpoints[i]);
        let id = a.or(b).map(Endpoint::id).unwrap_or_default();
        let object = ObjectKind::Workload(kind);
        let shown = format!("{ns}/{name}");
        if let Some(c) = added_removed(
            object,
            id.clone(),
            shown.clone(),
            a.map(|e| e.span),
            b.map(|e| e.span),
        ) {
            out.push(c);
            continue;
        }
        let (Some(a), Some(b)) = (a, b) else { continue };
        let details = endpoint_details(a, b);
        if details.is_empty() {
            continue;
        }
        out.push(Change {
            object,
            id,
            name: shown,
            change: ChangeKind::Edited,
            old: Some(a.span),
            new: Some(b.span),
            focus: Some((Version::New, b.span)),
            details,
            connections: 0,
        });
    }
}

fn endpoint_details(a: &Endpoint, b: &Endpoint) -> Vec<String> {
    let mut details = label_details(&a.labels, &b.labels);
    let ports = |e: &Endpoint| {
        let mut p: Vec<String> = e.ports.iter().map(container_port).collect();
        p.sort();
        p.dedup();
        p
    };
    let (pa, pb) = (ports(a), ports(b));
    if pa != pb {
        details.push(format!(
            "container ports: {} → {}",
            list_or_none(&pa),
            list_or_none(&pb)
        ));
    }
    if a.host_network != b.host_network {
        details.push(format!(
            "hostNetwork: {} → {}",
            a.host_network, b.host_network
        ));
    }
    let ips = |e: &Endpoint| {
        let mut v: Vec<String> = e.ips.iter().map(|ip| ip.to_string()).collect();
        v.sort();
        v.dedup();
        v
    };
    let (ia, ib) = (ips(a), ips(b));
    if ia != ib {
        details.push(format!(
            "IPs: {} → {}",
            list_or_none(&ia),
            list_or_none(&ib)
        ));
    }
    details
}

fn container_port(p: &ContainerPort) -> String {
    match &p.name {
        Some(n) => format!("{n} {} {}", p.protocol, p.port),
        None => format!("{} {}", p.protocol, p.port),
    }
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn node_changes(old: &Cluster, new: &Cluster, out: &mut Vec<Change>) {
    let addrs = |n: &crate::model::Node| {
        let mut v: Vec<String> = n.addresses.iter().map(|a| a.to_string()).collect();
        v.sort();
        v.dedup();
        v
    };
    by_name(
        ObjectKind::Node,
        (&old.nodes, &new.nodes),
        |n| (n.name.as_str(), n.span),
        |a, b| {
            let mut details = label_details(&a.labels, &b.labels);
            if addrs(a) != addrs(b) {
                details.push(format!(
                    "addresses: {} → {}",
                    list_or_none(&addrs(a)),
                    list_or_none(&addrs(b))
                ));
            }
            details
        },
        out,
    );
}

/// `label tier: backend → api`, `label team=shop added`, `label env=prod removed`.
fn label_details(a: &Labels, b: &Labels) -> Vec<String> {
    let mut out = Vec::new();
    let keys: BTreeSet<&str> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
    for k in keys {
        match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) if x != y => out.push(format!("label {k}: {x} → {y}")),
            (None, Some(y)) => out.push(format!("label {k}={y} added")),
            (Some(x), None) => out.push(format!("label {k}={x} removed")),
            _ => {}
        }
    }
    out
}

//! Rendering `can-reach` explanations: plain text for people, JSON for scripts.
//!
//! The text reads in the order traffic flows: the verdict, then egress at the source, then
//! ingress at the destination. For each side: isolated or not, and by which policies; for an
//! allowed connection the rule that allows it; for a denied one, every rule of every policy
//! isolating the side, and why it does not allow the connection.

use serde_json::{Value, json};

use super::style::Painter;
use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::explain::{Explanation, PeerVerdict, Side, party_name};
use crate::load::source::SourceMap;
use crate::model::cluster_policy::Action;
use crate::model::{Cluster, Direction, PortSet};

/// Version of the JSON document `can-reach -o json` prints.
pub const JSON_VERSION: u32 = 1;

/// What to render: the names as asked, the port as asked, and one explanation per pair
/// (a Service stands for several backends).
pub struct CanReach<'a> {
    /// FROM as typed.
    pub from: &'a str,
    /// TO as typed.
    pub to: &'a str,
    /// The port as typed (`TCP 80`), if any.
    pub port: Option<String>,
    /// Notes about how names were resolved.
    pub notes: Vec<String>,
    /// One explanation per (source, destination) pair.
    pub pairs: Vec<Explanation>,
}

impl CanReach<'_> {
    /// Allowed iff every pair is.
    pub fn allowed(&self) -> bool {
        !self.pairs.is_empty() && self.pairs.iter().all(Explanation::is_allowed)
    }
}

/// Renders the explanation as text.
pub fn text(r: &CanReach, cluster: &Cluster, sources: &SourceMap, p: &Painter) -> String {
    let mut out = String::new();
    for note in &r.notes {
        out.push_str(&format!("{} {note}\n", p.dim("note:")));
    }
    let several = r.pairs.len() > 1;
    if several {
        let verdict = if r.allowed() {
            p.good("ALLOWED")
        } else {
            p.bad("DENIED")
        };
        let allowed = r.pairs.iter().filter(|e| e.is_allowed()).count();
        let port = r
            .port
            .as_deref()
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{verdict}: {} → {}{port}: {allowed} of {} connections allowed\n\n",
            r.from,
            r.to,
            r.pairs.len()
        ));
    }
    for (i, e) in r.pairs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        pair_text(&mut out, e, cluster, sources, p);
    }
    out
}

fn query_text(e: &Explanation) -> Option<String> {
    e.query.map(|(proto, n)| format!("{proto} {n}"))
}

fn pair_text(
    out: &mut String,
    e: &Explanation,
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
) {
    let (src, dst) = (party_name(cluster, e.src), party_name(cluster, e.dst));
    match query_text(e) {
        Some(q) => {
            let verdict = if e.is_allowed() {
                p.good("ALLOWED")
            } else {
                p.bad("DENIED")
            };
            out.push_str(&format!("{verdict}: {src} → {dst} on {q}\n"));
        }
        None => {
            let verdict = if e.is_allowed() {
                p.good(&if e.allowed.is_all() {
                    "allowed on every port".to_string()
                } else {
                    format!("allowed on {}", e.allowed)
                })
            } else {
                p.bad("DENIED on every port")
            };
            out.push_str(&format!("{src} → {dst}: {verdict}\n"));
        }
    }
    if e.loopback {
        out.push_str(
            "  a pod reaching its own IP never leaves the pod: policies do not apply (loopback)\n",
        );
        return;
    }
    out.push('\n');
    side_text(out, &e.egress, e, cluster, sources, p);
    out.push('\n');
    side_text(out, &e.ingress, e, cluster, sources, p);
}

fn where_(sources: &SourceMap, span: Span) -> String {
    sources.file_line(span)
}

fn side_text(
    out: &mut String,
    side: &Side,
    e: &Explanation,
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
) {
    let dir = side.direction;
    let other = match dir {
        Direction::Egress => party_name(cluster, e.dst),
        Direction::Ingress => party_name(cluster, e.src),
    };
    let Some(subject) = side.subject else {
        let who = party_name(
            cluster,
            if dir == Direction::Egress {
                e.src
            } else {
                e.dst
            },
        );
        out.push_str(&format!(
            "{} at {who}: {} — an address outside the cluster; no policy applies there\n",
            p.bold(dir.field()),
            p.good("allowed")
        ));
        return;
    };
    let ep = &cluster.endpoints[subject];
    let header = format!(
        "{} at {} {}",
        p.bold(dir.field()),
        ep.id(),
        p.dim(&format!("({}, {})", ep.kind, where_(sources, ep.span)))
    );
    let q = e.query;
    let verdict = |ok: bool| {
        if ok {
            p.good("allowed")
        } else {
            p.bad("denied")
        }
    };
    let allows = side.allows(q);
    let what = match q {
        Some(_) => verdict(allows),
        None if side.allowed.is_all() => format!("{} (all ports)", verdict(true)),
        None if allows => format!("{} on {}", verdict(true), side.allowed),
        None => format!("{} on every port", verdict(false)),
    };
    out.push_str(&format!("{header}: {what}\n"));
    // Which ports matter: the one asked, or all.
    let asked = |set: &PortSet| match q {
        Some((proto, n)) => set.contains(proto, n),
        None => !set.is_empty(),
    };
    tier_text(out, "Admin tier", dir, &side.admin, cluster, sources, p, q);
    if side.has_tiers() && !side.admin.is_empty() && !asked(&side.to_np) {
        out.push_str("  the Admin tier decided: NetworkPolicies are not consulted\n");
        return;
    }
    np_text(out, side, &other, cluster, sources, p, q, allows);
    if !side.np_isolated && asked(&side.to_baseline) {
        tier_text(
            out,
            "Baseline tier",
            dir,
            &side.baseline,
            cluster,
            sources,
            p,
            q,
        );
    }
}

/// The rules of a cluster-wide tier that decided something, in order. With a port asked,
/// only the rule that decided it (and the policies consulted before it) are shown.
#[allow(clippy::too_many_arguments)]
fn tier_text(
    out: &mut String,
    tier: &str,
    dir: Direction,
    policies: &[crate::engine::explain::TierPolicy],
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
    q: Option<(crate::model::Protocol, u16)>,
) {
    for tp in policies {
        let policy = &cluster.cluster_policies[tp.policy];
        let name = format!("[{}]", policy.label());
        let decided: Vec<_> = tp
            .rules
            .iter()
            .filter(|r| match q {
                Some((proto, n)) => r.decided.contains(proto, n),
                None => !r.decided.is_empty(),
            })
            .collect();
        if decided.is_empty() {
            out.push_str(&format!(
                "    {tier}: {name} {} selects it; no rule decides {}\n",
                p.dim(&format!("({})", where_(sources, policy.span))),
                q.map_or("any port".to_string(), |(proto, n)| format!("{proto} {n}"))
            ));
            continue;
        }
        for r in decided {
            let rule = &policy.rules(dir)[r.index];
            let (action, mark) = match r.action {
                Action::Allow => (
                    if policy.kind == crate::model::cluster_policy::ClusterPolicyKind::Cnp {
                        "Accept"
                    } else {
                        "Allow"
                    },
                    p.good("✓"),
                ),
                Action::Deny => ("Deny", p.bad("✗")),
                Action::Pass => ("Pass", "→".to_string()),
            };
            let on = if q.is_some() {
                String::new()
            } else {
                format!(" on {}", r.decided)
            };
            let then = if r.action == Action::Pass {
                " to the next tier"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {mark} {tier}: {name} {} {}: {action}{on}{then} — {}\n",
                rule.label(),
                p.dim(&format!("({})", where_(sources, r.span))),
                r.why
            ));
        }
        if q.is_some() {
            // The asked port is decided: later policies of the tier are not consulted.
            return;
        }
    }
}

/// The NetworkPolicy tier: isolation, and the rules that allow or why each misses.
#[allow(clippy::too_many_arguments)]
fn np_text(
    out: &mut String,
    side: &Side,
    other: &str,
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
    q: Option<(crate::model::Protocol, u16)>,
    allows: bool,
) {
    let dir = side.direction;
    let ep = &cluster.endpoints[side.subject.expect("a side with policies has a subject")];
    if !side.isolated() {
        let why = if side.host_network {
            format!(
                "{} uses the host network, so no NetworkPolicy selects it",
                ep.id()
            )
        } else {
            format!(
                "no NetworkPolicy in namespace {} selects it for {}",
                ep.namespace,
                dir.as_str()
            )
        };
        let tier = if side.has_tiers() {
            "NetworkPolicy tier: "
        } else {
            ""
        };
        out.push_str(&format!("  {tier}not isolated: {why}\n"));
        return;
    }
    let mut by: Vec<String> = side
        .policies
        .iter()
        .filter(|pv| cluster.policy_isolates(&cluster.policies[pv.policy], dir))
        .map(|pv| {
            let pol = &cluster.policies[pv.policy];
            format!(
                "{} {}",
                pol.id(),
                p.dim(&format!("({})", where_(sources, pol.span)))
            )
        })
        .collect();
    if side.namespace_isolated {
        let ns = cluster.ns(ep.ns);
        let place = ns
            .span
            .map(|s| format!(" {}", p.dim(&format!("({})", where_(sources, s)))))
            .unwrap_or_default();
        by.insert(
            0,
            format!("the isolation annotation of namespace {}{place}", ns.name),
        );
    }
    let tier = if side.has_tiers() {
        "NetworkPolicy tier: "
    } else {
        ""
    };
    out.push_str(&format!(
        "  {tier}isolated for {} by {}\n",
        dir.as_str(),
        by.join(", ")
    ));
    if side.policies.is_empty() && !allows {
        out.push_str(&format!(
            "  no policy of namespace {} selecting it has {} rules: nothing is allowed\n",
            ep.namespace,
            dir.field()
        ));
    }
    for pv in &side.policies {
        let pol = &cluster.policies[pv.policy];
        if pv.rules.is_empty() {
            if !allows {
                out.push_str(&format!(
                    "  {} has no {} rules: it allows nothing\n",
                    pol.id(),
                    dir.field()
                ));
            }
            continue;
        }
        for rv in &pv.rules {
            let rule_allows = rv.allows(q);
            // For an allowed side, show the rules that allow; for a denied one, every rule.
            if allows && !rule_allows {
                continue;
            }
            let loc = p.dim(&format!("({})", where_(sources, rv.span)));
            let label = format!("{} {}[{}]", pol.id(), dir.field(), rv.index);
            let peers_field = dir.peers_field();
            let peer_text = match &rv.peers {
                PeerVerdict::All => format!("no `{peers_field}`: every peer"),
                PeerVerdict::Matched { index, why, .. } => format!("{peers_field}[{index}]: {why}"),
                PeerVerdict::Missed(_) => String::new(),
            };
            match &rv.peers {
                PeerVerdict::Missed(misses) => {
                    out.push_str(&format!("  {label} {loc}: no peer matches {other}\n"));
                    for m in misses {
                        out.push_str(&format!(
                            "    {peers_field}[{}] {}: {}\n",
                            m.index,
                            p.dim(&format!("({})", where_(sources, m.span))),
                            m.reason
                        ));
                    }
                }
                _ if rule_allows => {
                    let ports = match q {
                        Some(_) => String::new(),
                        None => format!(" — allows {}", rv.ports),
                    };
                    out.push_str(&format!(
                        "  {} {label} {loc}: {peer_text}{ports}\n",
                        p.good("✓")
                    ));
                }
                _ => {
                    let instead = if rv.ports.is_empty() {
                        named_port_note(pol.rules(dir).get(rv.index))
                    } else {
                        format!("it allows {}", rv.ports)
                    };
                    let asked = q
                        .map(|(proto, n)| format!("{proto} {n}"))
                        .unwrap_or_else(|| "any port".into());
                    out.push_str(&format!(
                        "  {label} {loc}: {peer_text}; but {instead}, not {asked}\n"
                    ));
                }
            }
        }
    }
}

fn named_port_note(rule: Option<&crate::model::Rule>) -> String {
    let names: Vec<String> = rule
        .map(|r| r.port_list().iter().map(|pp| pp.describe()).collect())
        .unwrap_or_default();
    format!(
        "its ports ({}) resolve to nothing on this destination",
        names.join(", ")
    )
}

/// Renders the explanation as JSON.
pub fn json(r: &CanReach, cluster: &Cluster, sources: &SourceMap) -> Value {
    json!({
        "version": JSON_VERSION,
        "from": r.from,
        "to": r.to,
        "port": r.port,
        "allowed": r.allowed(),
        "notes": r.notes,
        "connections": r.pairs.iter().map(|e| pair_json(e, cluster, sources)).collect::<Vec<_>>(),
    })
}

fn loc_json(sources: &SourceMap, span: Span) -> Value {
    let pos = sources.start(span);
    json!({ "file": sources.file(span.file).name, "line": pos.line, "column": pos.column })
}

fn party_json(cluster: &Cluster, sources: &SourceMap, party: Party) -> Value {
    match party {
        Party::Endpoint(i) => {
            let ep = &cluster.endpoints[i];
            json!({ "name": ep.id(), "kind": ep.kind.as_str(), "namespace": ep.namespace, "location": loc_json(sources, ep.span) })
        }
        Party::Address(ip) => json!({ "address": ip.to_string() }),
    }
}

fn ports_json(set: &PortSet) -> Value {
    json!(set.to_string())
}

fn pair_json(e: &Explanation, cluster: &Cluster, sources: &SourceMap) -> Value {
    json!({
        "from": party_json(cluster, sources, e.src),
        "to": party_json(cluster, sources, e.dst),
        "port": query_text(e),
        "allowed": e.is_allowed(),
        "allowed_ports": ports_json(&e.allowed),
        "loopback": e.loopback,
        "egress": side_json(&e.egress, e, cluster, sources),
        "ingress": side_json(&e.ingress, e, cluster, sources),
    })
}

fn side_json(side: &Side, e: &Explanation, cluster: &Cluster, sources: &SourceMap) -> Value {
    let q = e.query;
    let peers_field = side.direction.peers_field();
    json!({
        "endpoint": side.subject.map(|s| cluster.endpoints[s].id()),
        "isolated": side.isolated(),
        "host_network": side.host_network,
        "allowed": side.allows(q),
        "allowed_ports": ports_json(&side.allowed),
        "namespace_isolated": side.namespace_isolated,
        "admin_tier": tier_json(&side.admin, side.direction, cluster, sources, q),
        "baseline_tier": tier_json(&side.baseline, side.direction, cluster, sources, q),
        "policies": side.policies.iter().map(|pv| {
            let pol = &cluster.policies[pv.policy];
            json!({
                "policy": pol.id(),
                "location": loc_json(sources, pol.span),
                "rules": pv.rules.iter().map(|rv| json!({
                    "rule": format!("{}[{}]", side.direction.field(), rv.index),
                    "location": loc_json(sources, rv.span),
                    "allows": rv.allows(q),
                    "ports": ports_json(&rv.ports),
                    "peers": match &rv.peers {
                        PeerVerdict::All => json!({ "match": "all" }),
                        PeerVerdict::Matched { index, span, why } => json!({ "match": "peer", "peer": format!("{peers_field}[{index}]"), "location": loc_json(sources, *span), "reason": why }),
                        PeerVerdict::Missed(misses) => json!({ "match": "none", "misses": misses.iter().map(|m| json!({
                            "peer": format!("{peers_field}[{}]", m.index),
                            "location": loc_json(sources, m.span),
                            "reason": m.reason,
                        })).collect::<Vec<_>>() }),
                    },
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })
}

fn tier_json(
    policies: &[crate::engine::explain::TierPolicy],
    dir: Direction,
    cluster: &Cluster,
    sources: &SourceMap,
    q: Option<(crate::model::Protocol, u16)>,
) -> Value {
    json!(policies
        .iter()
        .map(|tp| {
            let policy = &cluster.cluster_policies[tp.policy];
            json!({
                "policy": policy.name,
                "kind": policy.kind.kind(),
                "priority": policy.priority.as_ref().map(|p| p.value),
                "location": loc_json(sources, policy.span),
                "rules": tp.rules.iter().map(|r| json!({
                    "rule": policy.rules(dir)[r.index].label(),
                    "location": loc_json(sources, r.span),
                    "action": match r.action { Action::Allow => "Allow", Action::Deny => "Deny", Action::Pass => "Pass" },
                    "ports": ports_json(&r.ports),
                    "decided": ports_json(&r.decided),
                    "decides_query": q.map(|(p, n)| r.decided.contains(p, n)),
                    "reason": r.why,
                })).collect::<Vec<_>>(),
            })
        })
        .collect::<Vec<_>>())
}

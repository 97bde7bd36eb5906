//! `can-reach -o json`: the evaluator's trace of each connection as data, versioned.
//!
//! Version 2 (the one policy model): each side lists the tiers that applied, each with its
//! policies and every rule's verdict — whether its peer matched (and how, or why not), the
//! ports it names and the ports it decided.

use serde_json::{Value, json};

use super::view::{Query, asked};
use super::{CanReach, query_text};
use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::evaluate::Side;
use crate::engine::explain::{Explanation, cond_missed, term_matched};
use crate::engine::matching::MatchResult;
use crate::load::source::SourceMap;
use crate::model::ir::{Match, TierKind};
use crate::model::{Cluster, PortSet};

/// Version of the JSON document `can-reach -o json` prints.
pub const JSON_VERSION: u32 = 2;

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
        "egress": side_json(&e.egress, e.dst, cluster, sources, e.query),
        "ingress": side_json(&e.ingress, e.src, cluster, sources, e.query),
    })
}

fn kind_name(k: TierKind) -> &'static str {
    match k {
        TierKind::Admin => "admin",
        TierKind::NetworkPolicy => "network-policy",
        TierKind::Baseline => "baseline",
        TierKind::Calico => "calico",
        TierKind::CiliumDeny => "cilium-deny",
    }
}

fn match_json(
    cluster: &Cluster,
    sources: &SourceMap,
    m: &Match,
    result: &MatchResult,
    party: Party,
) -> Value {
    match result {
        MatchResult::All => json!({ "match": "all" }),
        MatchResult::Matched(t) => {
            let term = &m.terms()[*t];
            json!({
                "match": "term",
                "term": term.label,
                "location": loc_json(sources, term.span),
                "reason": term_matched(cluster, term, party),
            })
        }
        MatchResult::Missed(misses) => json!({
            "match": "none",
            "misses": misses.iter().map(|&(t, c)| {
                let term = &m.terms()[t];
                json!({
                    "term": term.label,
                    "location": loc_json(sources, term.span),
                    "reason": cond_missed(cluster, term, c, party),
                })
            }).collect::<Vec<_>>(),
        }),
    }
}

fn side_json(side: &Side, other: Party, cluster: &Cluster, sources: &SourceMap, q: Query) -> Value {
    let ir = &cluster.ir;
    let subject = side.subject.map(Party::Endpoint);
    json!({
        "endpoint": side.subject.map(|s| cluster.endpoints[s].id()),
        "host_network": side.subject.is_some_and(|s| cluster.endpoints[s].host_network),
        "isolated": side.isolated(),
        "allowed": side.allows(q),
        "allowed_ports": ports_json(&side.allowed),
        "defaulted": ports_json(&side.defaulted),
        "tiers": side.tiers.iter().map(|step| {
            let tier = &ir.tiers[step.tier];
            json!({
                "tier": tier.name,
                "kind": kind_name(tier.kind),
                "end": format!("{:?}", tier.end),
                "entered": ports_json(&step.entered),
                "isolated": step.isolated,
                "ended": ports_json(&step.ended),
                "left": ports_json(&step.left),
                "policies": step.policies.iter().map(|ps| {
                    let pol = &ir.policies[ps.policy];
                    let part = pol.dir(side.direction);
                    json!({
                        "policy": pol.name,
                        "kind": pol.kind,
                        "precedence": pol.precedence,
                        "location": pol.span.map(|s| loc_json(sources, s)),
                        "isolates": part.isolates,
                        "rules": ps.rules.iter().map(|rs| {
                            let rule = &part.rules[rs.rule];
                            let mut v = json!({
                                "rule": rule.label,
                                "location": loc_json(sources, rule.span),
                                "action": rule.action_word,
                                "matches": rs.matched(),
                                "ports": ports_json(&rs.ports),
                                "decided": ports_json(&rs.decided),
                                "decides_query": q.map(|_| asked(&rs.decided, q)),
                                "peer": match_json(cluster, sources, &rule.peer, &rs.peer, other),
                            });
                            if let (Some(local), Some(result), Some(s)) = (&rule.local, &rs.local, subject) {
                                v["local"] = match_json(cluster, sources, local, result, s);
                            }
                            if !rule.caveats.is_empty() {
                                v["caveats"] = json!(rule.caveats);
                            }
                            v
                        }).collect::<Vec<_>>(),
                    })
                }).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })
}

//! `can-reach -o json`: the evaluator's trace of each connection as data, versioned.
//!
//! Version 2 (the one policy model): each side lists the tiers that applied, each with its
//! policies and every rule's verdict — whether its peer matched (and how, or why not), the
//! ports it names and the ports it decided.
//!
//! From a pod to a DNS name under Cilium, a `dns_visibility` object (absent otherwise) says
//! whether Cilium's DNS proxy sees the pod's lookups of the name, through which `dns` rule, and
//! which ports the policies allow that fail for want of it (`toFQDNs` learns no address).

use serde_json::{Value, json};

use super::view::{Query, allows, asked};
use super::{CanReach, query_text};
use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::dns_visibility::{DnsRule, DnsServer, FqdnConnection, NotSeen, Visibility};
use crate::engine::evaluate::Side;
use crate::engine::explain::{Explanation, cond_missed, term_matched};
use crate::engine::matching::MatchResult;
use crate::load::source::SourceMap;
use crate::model::ir::{Match, TierKind};
use crate::model::ports::PortRange;
use crate::model::{Cluster, PortSet};

/// Version of the JSON document `can-reach -o json` prints.
pub const JSON_VERSION: u32 = 2;

/// Renders the explanation as JSON, with what Cilium's DNS proxy sees of a connection from a
/// pod to a DNS name ([`fqdn_connection`](crate::engine::dns_visibility::fqdn_connection)).
pub fn json(
    r: &CanReach,
    dns: Option<&FqdnConnection>,
    cluster: &Cluster,
    sources: &SourceMap,
) -> Value {
    let mut doc = json!({
        "version": JSON_VERSION,
        "from": r.from,
        "to": r.to,
        "port": r.port,
        "allowed": r.allowed(),
        "notes": r.notes,
    });
    if let Some(d) = dns {
        doc["dns_visibility"] = dns_json(d, cluster, sources);
    }
    doc["connections"] = r
        .pairs
        .iter()
        .map(|e| pair_json(e, cluster, sources))
        .collect();
    doc
}

/// `{"name", "seen", "rule", "reason", "dns_rules", "servers", "connection_fails",
/// "failing_ports"}`: `rule` is the `dns` rule that lets the lookups through (null when not
/// seen); `reason` is null when seen, else `no-dns-rule` or `not-covered`, with the `dns`
/// rules that apply but miss the name in `dns_rules`; `servers` the DNS pods the lookups are
/// taken to go to (null: any destination on port 53).
fn dns_json(d: &FqdnConnection, cluster: &Cluster, sources: &SourceMap) -> Value {
    let rule_json = |r: &DnsRule| {
        json!({
            "policy": cluster.ir.policies[r.ir_policy].label(),
            "rule": r.label,
            "pattern": r.text,
            "location": loc_json(sources, r.span),
        })
    };
    let servers = match d.visibility.server() {
        DnsServer::KubeDns(pods) => json!(
            pods.iter()
                .map(|&s| cluster.endpoints[s].id())
                .collect::<Vec<_>>()
        ),
        DnsServer::AnyOnPort53 => Value::Null,
    };
    let (rule, reason, missing) = match &d.visibility {
        Visibility::Seen { rule, .. } => (rule_json(rule), Value::Null, Vec::new()),
        Visibility::NotSeen { reason, .. } => match reason {
            NotSeen::NoDnsRule => (Value::Null, json!("no-dns-rule"), Vec::new()),
            NotSeen::NotCovered(rules) => (
                Value::Null,
                json!("not-covered"),
                rules.iter().map(rule_json).collect(),
            ),
        },
    };
    json!({
        "name": d.name,
        "seen": d.visibility.is_seen(),
        "rule": rule,
        "reason": reason,
        "dns_rules": missing,
        "servers": servers,
        "connection_fails": !d.fails.is_empty(),
        "failing_ports": ports_json(&d.fails),
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
    let mut v = json!({
        "from": party_json(cluster, sources, e.src),
        "to": party_json(cluster, sources, e.dst),
        "port": query_text(e),
        "allowed": e.is_allowed(),
        "allowed_ports": ports_json(&e.allowed),
        "loopback": e.loopback,
        "egress": side_json(&e.egress, e.dst, cluster, sources, e.asked()),
        "ingress": side_json(&e.ingress, e.src, cluster, sources, e.asked()),
    });
    in_range(&mut v, &e.allowed, e.range);
    v
}

/// For a range of ports asked about, which part of it is allowed and which denied:
/// `allowed_in_range` and `denied_in_range`.
fn in_range(v: &mut Value, allowed: &PortSet, range: Option<PortRange>) {
    if let Some(r) = range {
        v["allowed_in_range"] = ports_json(&allowed.intersect(&r.set()));
        v["denied_in_range"] = ports_json(&r.set().difference(allowed));
    }
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
    let mut v = json!({
        "endpoint": side.subject.map(|s| cluster.endpoints[s].id()),
        "host_network": side.subject.is_some_and(|s| cluster.endpoints[s].host_network),
        "isolated": side.isolated(),
        "allowed": allows(&side.allowed, q),
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
    });
    in_range(&mut v, &side.allowed, q.filter(|r| !r.is_single()));
    v
}

//! Rendering `can-reach` explanations: plain text for people ([`text`]), JSON for scripts
//! ([`json`]); what is shown of each side is decided once, in [`view`].
//!
//! The text reads in the order traffic flows: the verdict, then egress at the source, then
//! ingress at the destination. For each side, tier by tier: isolated or not, and by which
//! policies; for an allowed connection the rule that allows it; for a denied one, every rule
//! of every policy isolating the side, and why it does not allow the connection; in ordered
//! tiers, the rules that decided, and the end of the tier.

mod json;
pub mod view;

pub use json::{JSON_VERSION, json};

use super::style::Painter;
use crate::base::span::Span;
use crate::engine::evaluate::Side;
use crate::engine::explain::{Explanation, party_name};
use crate::load::source::SourceMap;
use crate::model::ir::{EndAction, PolicyId, Source};
use crate::model::{Cluster, Direction};
use view::{
    AllowVerdict, Item, allows, asked_part, query_text as asked_text, side_items, split_text,
};

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
    e.asked().map(|r| r.to_string())
}

fn pair_text(
    out: &mut String,
    e: &Explanation,
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
) {
    let (src, dst) = (party_name(cluster, e.src), party_name(cluster, e.dst));
    match e.asked() {
        Some(r) if !r.is_single() && !e.is_allowed() && r.meets(&e.allowed) => {
            out.push_str(&format!(
                "{}: {src} → {dst} on {r}: {}\n",
                p.warn("PARTLY ALLOWED"),
                split_text(&e.allowed, r)
            ));
        }
        Some(r) => {
            let verdict = if e.is_allowed() {
                p.good("ALLOWED")
            } else {
                p.bad("DENIED")
            };
            out.push_str(&format!("{verdict}: {src} → {dst} on {r}\n"));
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

/// `shop/api (policies/shop.yaml:3)`, or `the isolation annotation of namespace shop (…)`.
pub fn policy_ref(cluster: &Cluster, sources: &SourceMap, p: &Painter, policy: PolicyId) -> String {
    let pol = &cluster.ir.policies[policy];
    let place = pol
        .span
        .map(|s| format!(" {}", p.dim(&format!("({})", where_(sources, s)))))
        .unwrap_or_default();
    match pol.source {
        Source::NamespaceIsolation(_) => {
            format!("the isolation annotation of namespace {}{place}", pol.name)
        }
        Source::NetworkPolicy(_) => format!("{}{place}", pol.name),
        _ => format!("[{}]{place}", pol.label()),
    }
}

/// `shop/api` or `[GlobalNetworkPolicy deny (order 10)]`: a policy in a rule's name.
fn policy_name(cluster: &Cluster, policy: PolicyId) -> String {
    let pol = &cluster.ir.policies[policy];
    match pol.source {
        Source::NetworkPolicy(_) | Source::NamespaceIsolation(_) => pol.name.clone(),
        _ => format!("[{}]", pol.label()),
    }
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
    let (subject_party, other) = match dir {
        Direction::Egress => (e.src, e.dst),
        Direction::Ingress => (e.dst, e.src),
    };
    let other_name = party_name(cluster, other);
    let Some(subject) = side.subject else {
        out.push_str(&format!(
            "{} at {}: {} — an address outside the cluster; no policy applies there\n",
            p.bold(dir.field()),
            party_name(cluster, subject_party),
            p.good("allowed")
        ));
        return;
    };
    let ep = &cluster.endpoints[subject];
    let place = if ep
        .annotations
        .contains_key(crate::model::DESCRIBED_ANNOTATION)
    {
        "described on the command line".to_string()
    } else {
        format!("{}, {}", ep.kind, where_(sources, ep.span))
    };
    let header = format!(
        "{} at {} {}",
        p.bold(dir.field()),
        ep.id(),
        p.dim(&format!("({place})"))
    );
    let q = e.asked();
    let verdict = |ok: bool| {
        if ok {
            p.good("allowed")
        } else {
            p.bad("denied")
        }
    };
    let allowed = allows(&side.allowed, q);
    let what = match q {
        Some(r) if !allowed && r.meets(&side.allowed) => split_text(&side.allowed, r),
        Some(_) => verdict(allowed),
        None if side.allowed.is_all() => format!("{} (all ports)", verdict(true)),
        None if allowed => format!("{} on {}", verdict(true), side.allowed),
        None => format!("{} on every port", verdict(false)),
    };
    out.push_str(&format!("{header}: {what}\n"));
    let loc = |span: Span| p.dim(&format!("({})", where_(sources, span)));
    let rules = |policy: PolicyId| &cluster.ir.policies[policy].dir(dir).rules;
    for item in side_items(cluster, side, other, q) {
        match item {
            Item::Note(text) => out.push_str(&format!("  {text}\n")),
            Item::Isolated { prefix, by } => {
                let by: Vec<String> = by
                    .iter()
                    .map(|&b| policy_ref(cluster, sources, p, b))
                    .collect();
                out.push_str(&format!(
                    "  {prefix}isolated for {} by {}\n",
                    dir.as_str(),
                    by.join(", ")
                ));
            }
            Item::Empty(policy) => out.push_str(&format!(
                "  {} has no {} rules: it allows nothing\n",
                policy_name(cluster, policy),
                dir.field()
            )),
            Item::Allow {
                policy,
                rule,
                verdict,
            } => {
                let r = &rules(policy)[rule];
                let label = format!("{} {}", policy_name(cluster, policy), r.label);
                match verdict {
                    AllowVerdict::Allows { why, ports } => {
                        let ports = match q {
                            Some(r) if r.is_single() => String::new(),
                            _ => format!(" — allows {}", asked_part(&ports, q)),
                        };
                        out.push_str(&format!(
                            "  {} {label} {}: {why}{ports}\n",
                            p.good("✓"),
                            loc(r.span)
                        ));
                    }
                    AllowVerdict::Missed(misses) => {
                        out.push_str(&format!(
                            "  {label} {}: no peer matches {other_name}\n",
                            loc(r.span)
                        ));
                        for m in misses {
                            out.push_str(&format!(
                                "    {} {}: {}\n",
                                m.label,
                                loc(m.span),
                                m.reason
                            ));
                        }
                    }
                    AllowVerdict::OtherPorts { why, instead } => {
                        out.push_str(&format!(
                            "  {label} {}: {why}; but {instead}, not {}\n",
                            loc(r.span),
                            asked_text(q)
                        ));
                    }
                }
            }
            Item::Decided {
                tier,
                policy,
                rule,
                ports,
                why,
            } => {
                let r = &rules(policy)[rule];
                let mark = match r.action {
                    crate::model::ir::Action::Allow => p.good("✓"),
                    crate::model::ir::Action::Deny => p.bad("✗"),
                    _ => "→".to_string(),
                };
                let on = match q {
                    Some(r) if r.is_single() => String::new(),
                    None if ports.is_all() => " on every port".to_string(),
                    _ => format!(" on {}", asked_part(&ports, q)),
                };
                let then = if r.action == crate::model::ir::Action::Pass {
                    " to the next tier"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  {mark} {tier} tier: {} {} {}: {}{on}{then} — {why}\n",
                    policy_name(cluster, policy),
                    r.label,
                    loc(r.span),
                    r.action_word
                ));
            }
            Item::Undecided { tier, policy } => {
                let pol = &cluster.ir.policies[policy];
                out.push_str(&format!(
                    "    {tier} tier: [{}] {} selects it; no rule decides {}\n",
                    pol.label(),
                    pol.span.map(loc).unwrap_or_default(),
                    asked_text(q)
                ));
            }
            Item::End {
                tier,
                action,
                ports,
            } => {
                let on = asked_part(&ports, q);
                out.push_str(&match action {
                    EndAction::Deny => format!(
                        "  {} end of the {tier} tier: no rule decided {on}: denied\n",
                        p.bad("✗")
                    ),
                    EndAction::Pass => format!(
                        "  → end of the {tier} tier: no rule decided {on}: passed to the next tier (defaultAction Pass)\n"
                    ),
                });
            }
        }
    }
}

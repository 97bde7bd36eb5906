//! Candidates that let a denied connection through: where each side is blocked
//! ([`block`]), and the edits that unblock it there.
//!
//! - A rule of a higher tier denied the port ([`Block::Denied`]): an exception of exactly
//!   the flow just before that rule, in the same policy — `Pass` in an Admin tier and in
//!   Calico (the tiers after it decide, as for any other flow), `Allow` in the Baseline
//!   tier — or, for a Cilium deny, the deny's endpoint selector narrowed to leave the
//!   workload out. Each needs the owner of the policy. For an AdminNetworkPolicy, also a new
//!   one just before it that passes exactly the flow for exactly the workload.
//! - The tier's end action denied it, nothing in an isolating tier allowing it
//!   ([`Block::Ended`]): in each Kubernetes NetworkPolicy that selects the subject, the peer
//!   added to a rule whose ports match, the port added to a rule whose peer matches, a rule
//!   added; a new NetworkPolicy selecting the subject's workload; an Allow rule of exactly
//!   the flow appended to a Calico policy of the tier; a rule appended to a Cilium policy's
//!   allow list.

use super::candidates::{self as c, Candidate, Ctx, Sel, note, rank};
use serde_json::Value;

use super::{Expect, ObjectRef};
use crate::base::span::Span;
use crate::base::yaml_edit;
use crate::engine::evaluate::{Side, TierStep};
use crate::engine::explain::Explanation;
use crate::model::calico::CalicoPolicy;
use crate::model::cluster_policy::{ClusterPolicy, ClusterPolicyKind, Tier};
use crate::model::ir::{PolicyId, Source, TierId, TierKind};
use crate::model::{Direction, NetworkPolicy, Protocol};

/// Where a side stops the port.
#[derive(Clone, Debug)]
pub enum Block<'a> {
    /// A Deny rule decided it.
    Denied {
        /// The tier.
        tier: TierId,
        /// The policy.
        policy: PolicyId,
        /// The rule, by index among the policy's rules of the direction.
        rule: usize,
    },
    /// No rule decided it in a tier that isolates the subject and ends in Deny.
    Ended {
        /// The tier.
        tier: TierId,
        /// What the tier did.
        step: &'a TierStep,
    },
}

impl Block<'_> {
    fn tier(&self) -> TierId {
        match self {
            Block::Denied { tier, .. } | Block::Ended { tier, .. } => *tier,
        }
    }
}

/// Where a side stops the port (None: it lets it through).
pub fn block(side: &Side, q: (Protocol, u16)) -> Option<Block<'_>> {
    if side.allowed.contains(q.0, q.1) {
        return None;
    }
    for step in &side.tiers {
        if !step.entered.contains(q.0, q.1) {
            continue;
        }
        if step.denied.contains(q.0, q.1) {
            for p in &step.policies {
                for r in &p.rules {
                    if r.decided.contains(q.0, q.1) {
                        return Some(Block::Denied {
                            tier: step.tier,
                            policy: p.policy,
                            rule: r.rule,
                        });
                    }
                }
            }
        }
        if step.ended.contains(q.0, q.1) && !step.left.contains(q.0, q.1) {
            return Some(Block::Ended {
                tier: step.tier,
                step,
            });
        }
    }
    None
}

/// How far a side lets the port go: the tier where it is stopped, past every tier when it
/// is let through.
fn level(side: &Side, q: (Protocol, u16)) -> usize {
    block(side, q).map_or(usize::MAX, |b| b.tier())
}

/// Whether a change moved the decision the asked way: for allowing, no side is stopped
/// earlier than before and one is stopped later (or not at all); for denying, the
/// connection is denied.
pub fn progress(
    before: &Explanation,
    after: &Explanation,
    q: Option<(Protocol, u16)>,
    expect: Expect,
) -> bool {
    let Some(q) = q else { return false };
    match expect {
        Expect::Deny => !after.is_allowed(),
        Expect::Allow => {
            let b = (level(&before.egress, q), level(&before.ingress, q));
            let a = (level(&after.egress, q), level(&after.ingress, q));
            a.0 >= b.0 && a.1 >= b.1 && a != b
        }
    }
}

/// The candidates for the first side that stops the connection, and notes on what cannot
/// be changed.
pub fn candidates(ctx: &Ctx, e: &Explanation) -> (Vec<Candidate>, Vec<String>) {
    let q = (ctx.port.protocol, ctx.port.number);
    let mut notes = Vec::new();
    for side in [&e.egress, &e.ingress] {
        let Some(b) = block(side, q) else { continue };
        let d = side.direction;
        let out = match b {
            Block::Denied { tier, policy, rule } => denied(ctx, d, tier, policy, rule, &mut notes),
            Block::Ended { tier, step } => ended(ctx, d, tier, step, &mut notes),
        };
        return (out, notes);
    }
    (Vec::new(), notes)
}

fn denied(
    ctx: &Ctx,
    d: Direction,
    tier: TierId,
    policy: PolicyId,
    rule: usize,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let ir = &ctx.cluster.ir;
    let p = &ir.policies[policy];
    let Some(r) = p.dir(d).rules.get(rule) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match p.source {
        Source::ClusterPolicy(i) => {
            let cp = &ctx.cluster.cluster_policies[i];
            out.extend(cluster_exception(ctx, d, cp, r.span));
            if cp.kind == ClusterPolicyKind::Anp {
                out.extend(new_anp(ctx, d, cp));
            }
        }
        Source::Calico(i) => {
            let cp = &ctx.cluster.calico_policies[i];
            let tier_name = &ir.tiers[tier].name;
            out.extend(calico_insert(ctx, d, cp, r.span, "Pass", tier_name));
        }
        Source::Cilium { policy: i, .. } => {
            let matched =
                match crate::engine::matching::match_result(ctx.cluster, &r.peer, ctx.other(d)) {
                    crate::engine::matching::MatchResult::Matched(t) => {
                        r.peer.terms().get(t).map(|t| t.span)
                    }
                    _ => None,
                };
            match cilium_narrow(ctx, d, i, matched) {
                Some(c) => out.push(c),
                None => notes.push(format!(
                    "{} {} denies the connection ({}) with a peer no selector edit can narrow: its owner must change it",
                    p.kind, p.name, r.label
                )),
            }
        }
        _ => notes.push(format!(
            "{} denies the connection ({}), and no edit of it can be proposed",
            p.label(),
            r.label
        )),
    }
    out
}

fn ended(
    ctx: &Ctx,
    d: Direction,
    tier: TierId,
    step: &TierStep,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let ir = &ctx.cluster.ir;
    let q = (ctx.port.protocol, ctx.port.number);
    let mut out = Vec::new();
    let kind = ir.tiers[tier].kind;
    let mut calico = Vec::new();
    for ps in &step.policies {
        let p = &ir.policies[ps.policy];
        if !p.dir(d).applies {
            continue;
        }
        match p.source {
            Source::NetworkPolicy(i) => {
                let np = &ctx.cluster.policies[i];
                for rs in &ps.rules {
                    let Some(rule) = np.rules(d).get(rs.rule) else {
                        continue;
                    };
                    let peer_ok = rs.peer.holds();
                    let port_ok = rs.ports.contains(q.0, q.1);
                    if peer_ok && !port_ok {
                        out.extend(np_add_port(ctx, d, np, rule));
                    } else if !peer_ok && port_ok {
                        out.extend(np_add_peer(ctx, d, np, rule));
                    }
                }
                out.extend(np_add_rule(ctx, d, np));
            }
            Source::Calico(i) => calico.push(i),
            Source::Cilium {
                policy,
                spec,
                deny: false,
            } => out.extend(cilium_append(ctx, d, policy, spec)),
            Source::NamespaceIsolation(_) => {}
            _ => notes.push(format!(
                "{} isolates {} and allows nothing here",
                p.label(),
                ctx.name(ctx.subject(d))
            )),
        }
    }
    for i in calico {
        let cp = &ctx.cluster.calico_policies[i];
        let action = if kind == TierKind::NetworkPolicy {
            "Allow"
        } else {
            // An earlier tier hands the flow on; the tiers after it decide.
            "Pass"
        };
        out.extend(calico_append(ctx, d, cp, action, &ir.tiers[tier].name));
    }
    if kind == TierKind::NetworkPolicy {
        out.extend(np_new_policy(ctx, d));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Kubernetes NetworkPolicy.

fn np_object(np: &NetworkPolicy) -> ObjectRef {
    ObjectRef {
        kind: "NetworkPolicy".into(),
        name: np.id(),
    }
}

/// How many endpoints beyond the subject's workload a policy selects: what a rule added to
/// it opens besides, roughly.
fn np_spread(ctx: &Ctx, np: &NetworkPolicy, d: Direction) -> u32 {
    let subject = ctx.subject(d);
    let members = match subject {
        crate::engine::Party::Endpoint(i) => crate::fix::labels::members(ctx.cluster, i),
        _ => Vec::new(),
    };
    ctx.cluster
        .endpoints
        .iter()
        .enumerate()
        .filter(|(i, e)| ctx.cluster.selects(np, e) && !members.contains(i))
        .count()
        .min(99) as u32
}

fn np_add_peer(
    ctx: &Ctx,
    d: Direction,
    np: &NetworkPolicy,
    rule: &crate::model::Rule,
) -> Option<Candidate> {
    let peers = rule.peers.as_ref().filter(|p| !p.value.is_empty())?;
    let sel = ctx.peer(ctx.other(d))?;
    let values = c::k8s_peers(&sel, &np.namespace);
    let mut patch = crate::base::edit::Patch::default();
    for v in &values {
        patch.edits.push(ctx.append(peers.span, v));
    }
    let ports = rule.ports_on(None).to_string();
    let what = format!(
        "adds {} to {}.{} (which allows {})",
        sel.describe(),
        rule.label(),
        d.peers_field(),
        if rule.all_ports() {
            "every port".to_string()
        } else {
            port_list(rule).unwrap_or(ports)
        }
    );
    let extra_ports = rule.port_list().len().saturating_sub(1) as u32;
    Some(Candidate {
        patch,
        edits: vec![note(d, np_object(np), what)],
        rank: rank::EDIT_RULE
            + extra_ports * 2
            + np_spread(ctx, np, d) * 4
            + u32::from(!sel.exact()) * 50,
    })
}

/// `TCP postgres, TCP 8080` as written.
fn port_list(rule: &crate::model::Rule) -> Option<String> {
    let items: Vec<String> = rule.port_list().iter().map(|p| p.describe()).collect();
    (!items.is_empty()).then(|| items.join(", "))
}

fn np_add_port(
    ctx: &Ctx,
    d: Direction,
    np: &NetworkPolicy,
    rule: &crate::model::Rule,
) -> Option<Candidate> {
    let ports = rule.ports.as_ref().filter(|p| !p.value.is_empty())?;
    let v = c::k8s_port(ctx.port, ctx.dst_is_endpoint());
    let what = format!(
        "adds port {} to {}.ports (whose peers already match {})",
        yaml_edit::flow(&v),
        rule.label(),
        ctx.name(ctx.other(d))
    );
    let peers = rule.peer_list().len() as u32;
    Some(Candidate::one(
        ctx.append(ports.span, &v),
        note(d, np_object(np), what),
        rank::EDIT_RULE + 1 + peers * 2 + np_spread(ctx, np, d) * 4,
    ))
}

impl Ctx<'_> {
    /// Whether the destination is a pod (whose port names rules may use).
    pub fn dst_is_endpoint(&self) -> bool {
        matches!(self.dst, crate::engine::Party::Endpoint(_))
    }
}

/// The rule of exactly the flow, for a Kubernetes policy of namespace `ns`.
fn np_flow_rule(ctx: &Ctx, d: Direction, ns: &str) -> Option<(Value, Sel)> {
    let sel = ctx.peer(ctx.other(d))?;
    let rule = c::k8s_rule(
        d,
        c::k8s_peers(&sel, ns),
        vec![c::k8s_port(ctx.port, ctx.dst_is_endpoint())],
    );
    Some((rule, sel))
}

fn np_add_rule(ctx: &Ctx, d: Direction, np: &NetworkPolicy) -> Option<Candidate> {
    let (rule, sel) = np_flow_rule(ctx, d, &np.namespace)?;
    let tree = ctx.tree(np.span)?;
    let obj = tree.find(np.span)?;
    let spec = tree.get(obj, "spec")?;
    let edit = c::add_to_list(ctx, &tree, tree.span(spec), d.field(), rule)?;
    let what = format!(
        "adds a rule allowing {} {} {} on {}",
        d,
        c::dir_word(d),
        sel.describe(),
        ctx.port.describe()
    );
    Some(Candidate::one(
        edit,
        note(d, np_object(np), what),
        rank::ADD_RULE + np_spread(ctx, np, d) * 4 + u32::from(!sel.exact()) * 50,
    ))
}

fn np_new_policy(ctx: &Ctx, d: Direction) -> Option<Candidate> {
    let subject = ctx.subject(d);
    let crate::engine::Party::Endpoint(s) = subject else {
        return None;
    };
    let ns = ctx.cluster.endpoints[s].namespace.clone();
    let (rule, sel) = np_flow_rule(ctx, d, &ns)?;
    let own = ctx.peer(subject)?;
    let pod_selector = match own.match_labels() {
        Some(l) => serde_json::json!({"matchLabels": l}),
        None => return None,
    };
    let base = format!(
        "{}-{}-{}-{}",
        ctx.short(subject),
        c::dir_word(d),
        ctx.short(ctx.other(d)),
        ctx.port_part()
    );
    let name = ctx.unique(&base, |n| {
        ctx.cluster
            .policies
            .iter()
            .any(|p| p.namespace == ns && p.name == n)
    });
    let object = c::k8s_policy(&name, &ns, pod_selector, d, vec![rule]);
    let comment = format!(
        "Lets {}.\nWritten by `kubectl netpol can-reach --fix`.",
        ctx.flow_text()
    );
    let n = note(
        d,
        ObjectRef {
            kind: "NetworkPolicy".into(),
            name: format!("{ns}/{name}"),
        },
        format!(
            "a new policy selecting {} that allows {d} {} {} on {}",
            own.describe(),
            c::dir_word(d),
            sel.describe(),
            ctx.port.describe()
        ),
    );
    Some(ctx.new_document(
        subject,
        &name,
        &comment,
        &object,
        n,
        rank::NEW_POLICY + u32::from(!sel.exact() || !own.exact()) * 50,
    ))
}

// ---------------------------------------------------------------------------------------
// Cluster-wide policies.

/// The action of an exception in `cp`: `Pass` in the Admin tier (the tiers after it
/// decide), `Allow` (`Accept` for a ClusterNetworkPolicy) in the Baseline tier.
fn exception_action(cp: &ClusterPolicy) -> &'static str {
    match (cp.tier, cp.kind) {
        (Tier::Admin, _) => "Pass",
        (Tier::Baseline, ClusterPolicyKind::Cnp) => "Accept",
        (Tier::Baseline, _) => "Allow",
    }
}

fn cluster_exception(
    ctx: &Ctx,
    d: Direction,
    cp: &ClusterPolicy,
    rule_span: Span,
) -> Option<Candidate> {
    let action = exception_action(cp);
    let (rule, sel) = c::cluster_rule(ctx, d, cp, action)?;
    c::cluster_insert_before(
        ctx,
        d,
        cp,
        rule_span,
        &rule,
        |denying| {
            format!(
                "adds, before {denying} which denies the connection, a rule that {} {} {} on {}",
                if action == "Pass" {
                    "passes (to the NetworkPolicies)"
                } else {
                    "allows"
                },
                c::dir_word(d),
                sel.describe(),
                ctx.port.describe()
            )
        },
        rank::EXCEPTION,
    )
}

/// A new AdminNetworkPolicy just before `cp` (a lower priority number) whose subject is the
/// workload and whose one rule passes exactly the flow.
fn new_anp(ctx: &Ctx, d: Direction, cp: &ClusterPolicy) -> Option<Candidate> {
    let prio = cp.priority.as_ref()?.value;
    let taken = |p: i64| {
        ctx.cluster.cluster_policies.iter().any(|o| {
            o.kind == ClusterPolicyKind::Anp && o.priority.as_ref().is_some_and(|x| x.value == p)
        })
    };
    let free = (0..prio).rev().find(|&p| !taken(p))?;
    let subject = ctx.subject(d);
    let own = ctx.peer(subject)?;
    let (Some(labels), Some(ns)) = (own.match_labels(), own.namespace()) else {
        return None;
    };
    let (rule, sel) = c::cluster_rule(ctx, d, cp, exception_action(cp))?;
    let base = format!(
        "pass-{}-{}-{}",
        ctx.short(ctx.src),
        ctx.short(ctx.dst),
        ctx.port_part()
    );
    let name = ctx.unique(&base, |n| {
        ctx.cluster.cluster_policies.iter().any(|p| p.name == n)
    });
    let object = serde_json::json!({
        "apiVersion": "policy.networking.k8s.io/v1alpha1",
        "kind": "AdminNetworkPolicy",
        "metadata": {"name": name},
        "spec": {
            "priority": free,
            "subject": {"pods": {"namespaceSelector": c::ns_selector(ns), "podSelector": {"matchLabels": labels}}},
            d.field(): [rule],
        }
    });
    let comment = format!(
        "Passes {} to the NetworkPolicies, before {} denies it.\nWritten by `kubectl netpol can-reach --fix`.",
        ctx.flow_text(),
        cp.label()
    );
    let mut n = note(
        d,
        ObjectRef {
            kind: "AdminNetworkPolicy".into(),
            name: name.clone(),
        },
        format!(
            "a new AdminNetworkPolicy at priority {free}, before {}, that passes {} {} on {} for {}",
            cp.label(),
            c::dir_word(d),
            sel.describe(),
            ctx.port.describe(),
            own.describe()
        ),
    );
    n.needs_owner = Some(c::cluster_owner(cp));
    Some(ctx.new_document(subject, &name, &comment, &object, n, rank::NEW_ADMIN))
}

// ---------------------------------------------------------------------------------------
// Calico.

fn calico_object(cp: &CalicoPolicy) -> ObjectRef {
    ObjectRef {
        kind: cp.kind.title().into(),
        name: cp.id(),
    }
}

/// Whether an edit of a Calico policy needs someone else than the namespace's team: a
/// global policy, or a policy of a tier other than `default`.
pub fn calico_owner(cp: &CalicoPolicy, tier: &str) -> Option<String> {
    if cp.kind.is_global() {
        Some(format!(
            "{} {} is global: the cluster's administrators own it",
            cp.kind.as_str(),
            cp.id()
        ))
    } else if tier != crate::model::ir::lower::DEFAULT_TIER {
        Some(format!(
            "{} {} is in tier {tier}: that tier's owners must agree",
            cp.kind.title(),
            cp.id()
        ))
    } else {
        None
    }
}

fn calico_flow_rule(
    ctx: &Ctx,
    d: Direction,
    cp: &CalicoPolicy,
    action: &str,
) -> Option<(Value, Sel)> {
    let sel = ctx.peer(ctx.other(d))?;
    let own = ctx.peer(ctx.subject(d))?;
    let ns = cp.namespace.as_deref();
    Some((
        c::calico_rule(action, d, &sel, Some(&own), ns, ctx.port),
        sel,
    ))
}

pub(super) fn calico_insert(
    ctx: &Ctx,
    d: Direction,
    cp: &CalicoPolicy,
    rule_span: Span,
    action: &str,
    tier: &str,
) -> Option<Candidate> {
    let (rule, sel) = calico_flow_rule(ctx, d, cp, action)?;
    let tree = ctx.tree(rule_span)?;
    let seq = c::parent_seq(&tree, rule_span)?;
    let at = cp
        .rules(d)
        .iter()
        .find(|r| r.span == rule_span)
        .map_or_else(|| "the rule".into(), |r| r.label());
    let mut n = note(
        d,
        calico_object(cp),
        format!(
            "adds, before {at}, a rule `{action}` of exactly {} {} {}",
            ctx.name(ctx.subject(d)),
            c::dir_word(d),
            sel.describe()
        ) + &format!(" on {}", ctx.port.describe()),
    );
    n.needs_owner = calico_owner(cp, tier).or_else(|| {
        (action == "Pass" || action == "Allow").then(|| {
            format!(
                "{} {} denies the connection: its owner must agree to the exception",
                cp.kind.title(),
                cp.id()
            )
        })
    });
    Some(Candidate::one(
        ctx.insert_before(seq, rule_span, &rule),
        n,
        rank::EXCEPTION,
    ))
}

fn calico_append(
    ctx: &Ctx,
    d: Direction,
    cp: &CalicoPolicy,
    action: &str,
    tier: &str,
) -> Option<Candidate> {
    let (rule, sel) = calico_flow_rule(ctx, d, cp, action)?;
    let tree = ctx.tree(cp.span)?;
    let obj = tree.find(cp.span)?;
    let spec = tree.get(obj, "spec")?;
    let edit = c::add_to_list(ctx, &tree, tree.span(spec), d.field(), rule)?;
    let mut n = note(
        d,
        calico_object(cp),
        format!(
            "appends a rule `{action}` of exactly {} {} {} on {}",
            ctx.name(ctx.subject(d)),
            c::dir_word(d),
            sel.describe(),
            ctx.port.describe()
        ),
    );
    n.needs_owner = calico_owner(cp, tier);
    Some(Candidate::one(edit, n, rank::ADD_RULE + 10))
}

// ---------------------------------------------------------------------------------------
// Cilium.

fn cilium_object(ctx: &Ctx, i: usize) -> ObjectRef {
    let p = &ctx.cluster.cilium_policies[i];
    ObjectRef {
        kind: p.kind.as_str().into(),
        name: p.qualified_name(),
    }
}

/// Narrows the endpoint selector of a deny that matched the other end so that it leaves
/// the other end's workload out (`NotIn` on its label).
fn cilium_narrow(ctx: &Ctx, d: Direction, i: usize, matched: Option<Span>) -> Option<Candidate> {
    let span = matched?;
    let p = &ctx.cluster.cilium_policies[i];
    let sel = p
        .specs
        .iter()
        .flat_map(|r| r.denies(d).unwrap_or(&[]))
        .flat_map(|pr| pr.endpoints.iter().flatten())
        .find(|s| s.span == span)?;
    let other = ctx.cilium_peer(ctx.other(d))?;
    let Sel::Labels { choice, .. } = &other else {
        return None;
    };
    let (key, value) = choice.labels.first()?;
    let edit = super::deny::not_in(ctx, sel, key, value)?;
    let mut n = note(
        d,
        cilium_object(ctx, i),
        format!(
            "leaves {} out of the deny's endpoint selector {} (`{key} NotIn [{value}]`)",
            other.describe(),
            sel
        ),
    );
    n.needs_owner = Some(format!(
        "{} denies the connection: its owner must agree to the exception",
        p.id()
    ));
    Some(Candidate::one(edit, n, rank::EXCEPTION))
}

fn cilium_append(ctx: &Ctx, d: Direction, i: usize, spec: usize) -> Option<Candidate> {
    let p = &ctx.cluster.cilium_policies[i];
    let rule = p.specs.get(spec)?;
    let sel = ctx.cilium_peer(ctx.other(d))?;
    let mut item = c::cilium_peer(&sel, d, p.namespace.as_deref());
    item.insert("toPorts".into(), c::cilium_ports(ctx.port));
    let tree = ctx.tree(rule.span)?;
    let edit = c::add_to_list(ctx, &tree, rule.span, d.field(), Value::Object(item))?;
    let n = note(
        d,
        cilium_object(ctx, i),
        format!(
            "adds {} {} on {} to {}",
            c::dir_word(d),
            sel.describe(),
            ctx.port.describe(),
            if p.specs.len() > 1 {
                format!("{}.{}", rule.label, d.field())
            } else {
                d.field().to_string()
            }
        ),
    );
    Some(Candidate::one(edit, n, rank::ADD_RULE + 5))
}

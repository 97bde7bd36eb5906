//! Candidates that stop an allowed connection, and close nothing else: for each side (the
//! destination's ingress first, as its owner is who usually decides who gets in), where the
//! port is let through ([`Let`]), and the edits that stop it there.
//!
//! - Kubernetes NetworkPolicy rules let it in: every peer of every such rule that matches
//!   the other end gets `NotIn` on the other end's workload label (an ipBlock: the end's
//!   addresses as `except`), and, when the rule allows more ports than the asked one, a rule
//!   is added that gives the other end's workload those ports back.
//! - A Calico or cluster-wide rule lets it in: a `Deny` of exactly the flow just before that
//!   rule, in the same policy (needing the policy's owner where it is not the namespace's).
//! - Nothing isolates the side (or only a later tier lets it in): a new NetworkPolicy
//!   isolating the subject's workload whose rules allow every peer but the other end's
//!   workload, and that workload on every port but the asked one.
//! - Under Cilium, also a new CiliumNetworkPolicy denying exactly the flow
//!   (`ingressDeny`/`egressDeny`, without turning on default deny).

use serde_json::{Value, json};

use super::candidates::{self as c, Candidate, Ctx, Sel, note, rank};
use super::{ObjectRef, Port};
use crate::base::edit::{Edit, Patch};
use crate::base::yaml_edit;
use crate::engine::Party;
use crate::engine::evaluate::{Side, TierStep};
use crate::engine::explain::Explanation;
use crate::engine::matching::term_fails;
use crate::model::ir::lower::kubernetes::peer_term;
use crate::model::ir::{Action, Source, TierKind};
use crate::model::policy::{Peer, PolicyPort};
use crate::model::{Cni, Direction, LabelSelector, NAMESPACE_NAME_LABEL, NetworkPolicy, Protocol};

/// Where a side lets the port through.
enum Let<'a> {
    /// Rules of this tier allowed it.
    Rules(&'a TierStep),
    /// No tier decided it: allowed by default.
    Default,
}

fn let_point(side: &Side, q: (Protocol, u16)) -> Option<Let<'_>> {
    if !side.allowed.contains(q.0, q.1) {
        return None;
    }
    for step in &side.tiers {
        if step.entered.contains(q.0, q.1) && step.allowed.contains(q.0, q.1) {
            return Some(Let::Rules(step));
        }
    }
    Some(Let::Default)
}

/// The candidates for both sides that let the connection through.
pub fn candidates(ctx: &Ctx, e: &Explanation) -> (Vec<Candidate>, Vec<String>) {
    let q = (ctx.port.protocol, ctx.port.number);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for (k, side) in [&e.ingress, &e.egress].into_iter().enumerate() {
        let d = side.direction;
        if side.subject.is_none() {
            continue;
        }
        let Some(point) = let_point(side, q) else {
            continue;
        };
        let mut here = Vec::new();
        match point {
            Let::Rules(step) => {
                let kind = ctx.cluster.ir.tiers[step.tier].kind;
                here.extend(deciding_rule(ctx, d, step));
                if kind == TierKind::NetworkPolicy {
                    match np_narrow(ctx, d, step) {
                        Ok(Some(cand)) => here.push(cand),
                        Ok(None) => {}
                        Err(why) => notes.push(why),
                    }
                } else if kind == TierKind::Baseline {
                    here.extend(np_isolate(ctx, d));
                }
            }
            Let::Default => here.extend(np_isolate(ctx, d)),
        }
        if ctx.cluster.cni == Cni::Cilium {
            here.extend(cilium_deny(ctx, d));
        }
        for mut cand in here {
            cand.rank += k as u32;
            out.push(cand);
        }
    }
    (out, notes)
}

/// A `Deny` of exactly the flow before the rule that decided the port, in a Calico or
/// cluster-wide policy.
fn deciding_rule(ctx: &Ctx, d: Direction, step: &TierStep) -> Option<Candidate> {
    let q = (ctx.port.protocol, ctx.port.number);
    let ir = &ctx.cluster.ir;
    for ps in &step.policies {
        let p = &ir.policies[ps.policy];
        for rs in &ps.rules {
            if !rs.decided.contains(q.0, q.1) {
                continue;
            }
            let rule = p.dir(d).rules.get(rs.rule)?;
            if rule.action != Action::Allow {
                return None;
            }
            return match p.source {
                Source::Calico(i) => super::allow::calico_insert(
                    ctx,
                    d,
                    &ctx.cluster.calico_policies[i],
                    rule.span,
                    "Deny",
                    &ir.tiers[step.tier].name,
                ),
                Source::ClusterPolicy(i) => {
                    cluster_deny(ctx, d, &ctx.cluster.cluster_policies[i], rule.span)
                }
                _ => None,
            };
        }
    }
    None
}

fn cluster_deny(
    ctx: &Ctx,
    d: Direction,
    cp: &crate::model::ClusterPolicy,
    rule_span: crate::base::span::Span,
) -> Option<Candidate> {
    let (rule, sel) = c::cluster_rule(ctx, d, cp, "Deny")?;
    c::cluster_insert_before(
        ctx,
        d,
        cp,
        rule_span,
        &rule,
        |at| {
            format!(
                "adds, before {at} which allows the connection, a rule that denies {} {} on {}",
                c::dir_word(d),
                sel.describe(),
                ctx.port.describe()
            )
        },
        rank::EXCEPTION + 2,
    )
}

/// Adds `key NotIn [value]` to a label selector as written.
pub fn not_in(ctx: &Ctx, sel: &LabelSelector, key: &str, value: &str) -> Option<Edit> {
    let expr = json!({"key": key, "operator": "NotIn", "values": [value]});
    let tree = ctx.tree(sel.span)?;
    let node = tree.find(sel.span);
    match node {
        Some(n) if tree.is_map(n) => match tree.get(n, "matchExpressions") {
            Some(list) if tree.is_seq(list) => Some(ctx.append(tree.span(list), &expr)),
            Some(_) => None,
            None => Some(ctx.insert_entry(sel.span, "matchExpressions", &json!([expr]))),
        },
        _ => None,
    }
}

/// Narrows every Kubernetes rule of the step that lets the other end in on the port.
/// Err: a rule that matches every peer (nothing to narrow).
fn np_narrow(ctx: &Ctx, d: Direction, step: &TierStep) -> Result<Option<Candidate>, String> {
    let q = (ctx.port.protocol, ctx.port.number);
    let other = ctx.other(d);
    let Some(sel) = ctx.peer(other) else {
        return Ok(None);
    };
    let mut patch = Patch::default();
    let mut notes = Vec::new();
    let mut wide = false;
    for ps in &step.policies {
        let Source::NetworkPolicy(i) = ctx.cluster.ir.policies[ps.policy].source else {
            continue;
        };
        let np = &ctx.cluster.policies[i];
        let mut said = Vec::new();
        for rs in &ps.rules {
            if !(rs.matched() && rs.ports.contains(q.0, q.1)) {
                continue;
            }
            let Some(rule) = np.rules(d).get(rs.rule) else {
                continue;
            };
            let mut cidrs: Vec<String> = Vec::new();
            if rule.all_peers() {
                return Err(format!(
                    "{} of NetworkPolicy {} allows every {}, and a NetworkPolicy's peers cannot say \"everyone but one workload\"",
                    rule.label(),
                    np.id(),
                    match d {
                        Direction::Ingress => "source",
                        Direction::Egress => "destination",
                    }
                ));
            }
            let matching: Vec<&Peer> = rule
                .peer_list()
                .iter()
                .filter(|peer| term_fails(ctx.cluster, &peer_term(np, peer, d), other).is_none())
                .collect();
            let only_for = !matching.is_empty()
                && matching
                    .iter()
                    .all(|peer| selects_exactly(ctx, np, peer, d, other));
            let text = ctx.text(np.span.file);
            if only_for && matching.len() == rule.peer_list().len() {
                // The rule is there for the other end only: drop the port from it, or the
                // rule when it is about that port only and not the last of its list.
                if let Some(item) = exact_port_item(ctx, rule)
                    && rule.port_list().len() > 1
                {
                    let ports = rule.ports.as_ref().expect("it has port items");
                    patch
                        .edits
                        .push(yaml_edit::delete_item(text, ports.span, item.span));
                    said.push(format!(
                        "drops port {} from {}.ports",
                        item.describe(),
                        rule.label()
                    ));
                    continue;
                }
                let list = match d {
                    Direction::Ingress => np.ingress.as_ref(),
                    Direction::Egress => np.egress.as_ref(),
                };
                if let Some(list) = list
                    && exact_port_item(ctx, rule).is_some()
                    && rule.port_list().len() == 1
                {
                    if list.rules.len() > 1 {
                        patch
                            .edits
                            .push(yaml_edit::delete_item(text, list.span, rule.span));
                        said.push(format!("drops {}, which is for it alone", rule.label()));
                        continue;
                    }
                    // The last rule: the list is left empty (`[]`), which keeps the pods
                    // isolated where the direction is sure to stay in effect.
                    let stays = d == Direction::Ingress
                        || np
                            .policy_types
                            .as_ref()
                            .is_some_and(|t| t.value.iter().any(|x| x.value == d.as_str()));
                    if stays && let Some(edits) = empty_list(ctx, np, d, list.span, rule.span) {
                        patch.edits.extend(edits);
                        said.push(format!(
                            "drops {}, which is for it alone (the pods stay isolated: `{}: []`)",
                            rule.label(),
                            d.field()
                        ));
                        continue;
                    }
                }
            }
            for peer in &matching {
                if only_for && matching.len() < rule.peer_list().len() {
                    let peers = rule.peers.as_ref().expect("it has peers");
                    patch
                        .edits
                        .push(yaml_edit::delete_item(text, peers.span, peer.span));
                    said.push(format!(
                        "drops {}.{}[{}]",
                        rule.label(),
                        d.peers_field(),
                        peer.index
                    ));
                    continue;
                }
                let Some((edits, excepted)) = narrow_peer(ctx, peer, &sel) else {
                    return Ok(None);
                };
                patch.edits.extend(edits);
                cidrs.extend(excepted);
                said.push(format!(
                    "{}.{}[{}]",
                    rule.label(),
                    d.peers_field(),
                    peer.index
                ));
            }
            if let Some(rest) = other_ports(ctx, rule) {
                let mut peers = c::k8s_peers(&sel, &np.namespace);
                if !matches!(sel, Sel::Addresses(_)) {
                    for cidr in &cidrs {
                        peers.push(json!({"ipBlock": {"cidr": cidr}}));
                    }
                }
                let back = c::k8s_rule(d, peers, rest);
                let tree = ctx
                    .tree(np.span)
                    .ok_or("the policy's text cannot be read")?;
                let obj = tree
                    .find(np.span)
                    .ok_or("the policy's text cannot be read")?;
                let spec = tree.get(obj, "spec").ok_or("the policy has no spec")?;
                if let Some(e) = c::add_to_list(ctx, &tree, tree.span(spec), d.field(), back) {
                    patch.edits.push(e);
                    said.push(format!(
                        "adds a rule giving it back the other ports of {}",
                        rule.label()
                    ));
                }
            }
        }
        if !said.is_empty() {
            wide |= np_subjects_beyond(ctx, np, d);
            notes.push(c::note(
                d,
                ObjectRef {
                    kind: "NetworkPolicy".into(),
                    name: np.id(),
                },
                format!("leaves {} out: {}", sel.describe(), said.join("; ")),
            ));
        }
    }
    if patch.edits.is_empty() {
        return Ok(None);
    }
    Ok(Some(Candidate {
        patch,
        edits: notes,
        rank: rank::EDIT_RULE + u32::from(wide) * 20 + u32::from(!sel.exact()) * 50,
    }))
}

/// Deletes the only rule of a list, leaving `[]`.
fn empty_list(
    ctx: &Ctx,
    np: &NetworkPolicy,
    d: Direction,
    list: crate::base::span::Span,
    rule: crate::base::span::Span,
) -> Option<Vec<Edit>> {
    let text = ctx.text(list.file);
    let delete = yaml_edit::delete_item(text, list, rule);
    if text[list.start as usize..].starts_with('[') {
        // A flow list: deleting its item leaves `[]`.
        return Some(vec![delete]);
    }
    let tree = ctx.tree(np.span)?;
    let obj = tree.find(np.span)?;
    let spec = tree.get(obj, "spec")?;
    let (key, _) = tree.entry(spec, d.field())?;
    let after_key = tree.span(key).end as usize;
    let colon = after_key + text[after_key..].find(':')?;
    if text[after_key..colon].contains('\n') {
        return None;
    }
    Some(vec![
        Edit::insert(list.file, colon as u32 + 1, " []"),
        delete,
    ])
}

/// Whether a peer of a Kubernetes rule selects exactly the workload of `other`: its pods
/// (on the pod network), and no other endpoint.
fn selects_exactly(ctx: &Ctx, np: &NetworkPolicy, peer: &Peer, d: Direction, other: Party) -> bool {
    let Party::Endpoint(o) = other else {
        return false;
    };
    if peer.ip_block.is_some() {
        return false;
    }
    let members = crate::fix::labels::members(ctx.cluster, o);
    let term = peer_term(np, peer, d);
    (0..ctx.cluster.endpoints.len()).all(|i| {
        let wanted = members.contains(&i) && !ctx.cluster.endpoints[i].host_network;
        term_fails(ctx.cluster, &term, Party::Endpoint(i)).is_none() == wanted
    })
}

/// The port item of a rule that is exactly the asked port (its number, or the
/// destination's name for it), if any.
fn exact_port_item<'r>(ctx: &Ctx, rule: &'r crate::model::Rule) -> Option<&'r PolicyPort> {
    let port = ctx.port;
    rule.port_list().iter().find(|item| {
        item.protocol() == Some(port.protocol)
            && item.end_port.is_none()
            && match item.port.as_ref().map(|p| &p.value) {
                Some(crate::base::value::IntOrString::Int(n)) => *n == i64::from(port.number),
                Some(crate::base::value::IntOrString::Str(s)) => port.name.as_deref() == Some(s),
                None => false,
            }
    })
}

/// Whether a policy selects endpoints beyond the subject's workload.
fn np_subjects_beyond(ctx: &Ctx, np: &NetworkPolicy, d: Direction) -> bool {
    let Party::Endpoint(s) = ctx.subject(d) else {
        return false;
    };
    let members = crate::fix::labels::members(ctx.cluster, s);
    ctx.cluster
        .endpoints
        .iter()
        .enumerate()
        .any(|(i, e)| ctx.cluster.selects(np, e) && !members.contains(&i))
}

/// The edits that leave the selection out of one peer, and the addresses they except.
fn narrow_peer(ctx: &Ctx, peer: &Peer, sel: &Sel) -> Option<(Vec<Edit>, Vec<String>)> {
    if let Some(block) = &peer.ip_block {
        let ips = match sel {
            Sel::Addresses(ips) => ips.clone(),
            Sel::Labels { choice, .. } => choice
                .members
                .iter()
                .flat_map(|&m| ctx.cluster.endpoints[m].ips.clone())
                .collect(),
            Sel::Namespace { .. } => return None,
        };
        let net = block.net()?;
        let cidrs: Vec<String> = ips
            .into_iter()
            .filter(|ip| net.contains(ip))
            .map(c::host_cidr)
            .collect();
        if cidrs.is_empty() {
            return None;
        }
        let tree = ctx.tree(block.span)?;
        let node = tree.find(block.span)?;
        let edits = match tree.get(node, "except") {
            Some(list) if tree.is_seq(list) => cidrs
                .iter()
                .map(|c| ctx.append(tree.span(list), &json!(c)))
                .collect(),
            Some(_) => return None,
            None => vec![ctx.insert_entry(block.span, "except", &json!(cidrs))],
        };
        return Some((edits, cidrs));
    }
    let Sel::Labels { choice, .. } = sel else {
        return None;
    };
    let (key, value) = choice.labels.first()?;
    match (&peer.pod_selector, &peer.namespace_selector) {
        (Some(pods), _) => not_in(ctx, pods, key, value).map(|e| (vec![e], Vec::new())),
        (None, Some(_)) => {
            let v =
                json!({"matchExpressions": [{"key": key, "operator": "NotIn", "values": [value]}]});
            Some((
                vec![ctx.insert_entry(peer.span, "podSelector", &v)],
                Vec::new(),
            ))
        }
        (None, None) => None,
    }
}

/// The ports a rule allows besides the asked one, as port items (None: none).
fn other_ports(ctx: &Ctx, rule: &crate::model::Rule) -> Option<Vec<Value>> {
    let port = ctx.port;
    if rule.all_ports() {
        return Some(all_but(port));
    }
    let dst = match ctx.dst {
        Party::Endpoint(d) => Some(ctx.cluster.endpoints[d].ports.as_slice()),
        Party::Address(_) => None,
    };
    let mut out = Vec::new();
    let mut other = false;
    for item in rule.port_list() {
        let set = item.ports_on(dst);
        if !set.contains(port.protocol, port.number) {
            out.push(port_value(item));
            other = true;
            continue;
        }
        match (&item.port.as_ref().map(|p| &p.value), &item.end_port) {
            (None, _) => {
                out.extend(split(port, 1, 65535));
                other = true;
            }
            (Some(crate::base::value::IntOrString::Int(a)), Some(b)) => {
                let (a, b) = (*a as u16, b.value as u16);
                let parts = split(port, a, b);
                other |= !parts.is_empty();
                out.extend(parts);
            }
            _ => {}
        }
    }
    (other && !out.is_empty()).then_some(out)
}

/// The ports of `a..=b` of the port's protocol but the port, as items.
fn split(port: &Port, a: u16, b: u16) -> Vec<Value> {
    let p = port.number;
    let proto = port.protocol.as_str();
    let mut out = Vec::new();
    let mut push = |x: u16, y: u16| {
        if x > y {
            return;
        }
        if x == y {
            out.push(json!({"protocol": proto, "port": x}));
        } else {
            out.push(json!({"protocol": proto, "port": x, "endPort": y}));
        }
    };
    if p > a {
        push(a, p - 1);
    }
    if p < b {
        push(p + 1, b);
    }
    out
}

/// Every port but the asked one: the rest of its protocol, and the other protocols whole.
fn all_but(port: &Port) -> Vec<Value> {
    let mut out = split(port, 1, 65535);
    for p in Protocol::ALL {
        if p != port.protocol {
            out.push(json!({"protocol": p.as_str()}));
        }
    }
    out
}

/// A port item as written.
fn port_value(item: &PolicyPort) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(p) = &item.protocol {
        m.insert("protocol".into(), json!(p.value));
    }
    match item.port.as_ref().map(|p| &p.value) {
        Some(crate::base::value::IntOrString::Int(n)) => {
            m.insert("port".into(), json!(n));
        }
        Some(crate::base::value::IntOrString::Str(s)) => {
            m.insert("port".into(), json!(s));
        }
        None => {}
    }
    if let Some(e) = &item.end_port {
        m.insert("endPort".into(), json!(e.value));
    }
    Value::Object(m)
}

/// A new NetworkPolicy that isolates the subject's workload and allows every peer but the
/// other end's workload, and that workload on every port but the asked one.
fn np_isolate(ctx: &Ctx, d: Direction) -> Option<Candidate> {
    let subject = ctx.subject(d);
    let Party::Endpoint(s) = subject else {
        return None;
    };
    let ns = ctx.cluster.endpoints[s].namespace.clone();
    let own = ctx.peer(subject)?;
    let pod_selector = json!({"matchLabels": own.match_labels()?});
    let other = ctx.other(d);
    let sel = ctx.peer(other)?;
    let (v4, v6): (Vec<String>, Vec<String>) = {
        let ips: Vec<std::net::IpAddr> = match &sel {
            Sel::Addresses(ips) => ips.clone(),
            Sel::Labels { choice, .. } => choice
                .members
                .iter()
                .flat_map(|&m| ctx.cluster.endpoints[m].ips.clone())
                .collect(),
            Sel::Namespace { .. } => return None,
        };
        let (a, b): (Vec<_>, Vec<_>) = ips.into_iter().partition(|ip| ip.is_ipv4());
        (
            a.into_iter().map(c::host_cidr).collect(),
            b.into_iter().map(c::host_cidr).collect(),
        )
    };
    let block = |cidr: &str, except: Vec<String>| {
        if except.is_empty() {
            json!({"ipBlock": {"cidr": cidr}})
        } else {
            json!({"ipBlock": {"cidr": cidr, "except": except}})
        }
    };
    let mut everyone_but = match &sel {
        Sel::Labels {
            ns: other_ns,
            choice,
        } => {
            let (key, value) = choice.labels.first()?;
            vec![
                json!({"namespaceSelector": {"matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "NotIn", "values": [other_ns]}]}}),
                json!({
                    "namespaceSelector": c::ns_selector(other_ns),
                    "podSelector": {"matchExpressions": [{"key": key, "operator": "NotIn", "values": [value]}]}
                }),
            ]
        }
        Sel::Addresses(_) => vec![json!({"namespaceSelector": {}})],
        Sel::Namespace { .. } => return None,
    };
    let (v4_list, v6_list) = (v4.clone(), v6.clone());
    everyone_but.push(block("0.0.0.0/0", v4));
    everyone_but.push(block("::/0", v6));
    // The workload on every other port: by its labels, and by its addresses (which the
    // first rule excepts).
    let mut back = c::k8s_peers(&sel, &ns);
    if !matches!(sel, Sel::Addresses(_)) {
        for cidr in v4_list.iter().chain(&v6_list) {
            back.push(json!({"ipBlock": {"cidr": cidr}}));
        }
    }
    let rules = vec![
        c::k8s_rule(d, everyone_but, Vec::new()),
        c::k8s_rule(d, back, all_but(ctx.port)),
    ];
    let base = format!(
        "{}-{}-all-but-{}-{}",
        ctx.short(subject),
        c::dir_word(d),
        ctx.short(other),
        ctx.port_part()
    );
    let name = ctx.unique(&base, |n| {
        ctx.cluster
            .policies
            .iter()
            .any(|p| p.namespace == ns && p.name == n)
    });
    let object = c::k8s_policy(&name, &ns, pod_selector, d, rules);
    let comment = format!(
        "Stops {}: {} for {} becomes isolated, and every {} but that one stays allowed.\nWritten by `kubectl netpol can-reach --expect deny --fix`.",
        ctx.flow_text(),
        d.as_str(),
        own.describe(),
        match d {
            Direction::Ingress => "source",
            Direction::Egress => "destination",
        }
    );
    let n = note(
        d,
        ObjectRef {
            kind: "NetworkPolicy".into(),
            name: format!("{ns}/{name}"),
        },
        format!(
            "a new policy isolating {} for {} that allows every {} but {} on {}",
            own.describe(),
            d.as_str(),
            match d {
                Direction::Ingress => "source",
                Direction::Egress => "destination",
            },
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
        rank::NEW_POLICY + u32::from(!own.exact() || !sel.exact()) * 50,
    ))
}

/// A new CiliumNetworkPolicy denying exactly the flow, without default deny.
fn cilium_deny(ctx: &Ctx, d: Direction) -> Option<Candidate> {
    let subject = ctx.subject(d);
    let Party::Endpoint(s) = subject else {
        return None;
    };
    let ns = ctx.cluster.endpoints[s].namespace.clone();
    let own = ctx.cilium_peer(subject)?;
    let labels = own.match_labels()?;
    let sel = ctx.cilium_peer(ctx.other(d))?;
    let mut item = c::cilium_peer(&sel, d, Some(&ns));
    item.insert("toPorts".into(), c::cilium_ports(ctx.port));
    let field = match d {
        Direction::Ingress => "ingressDeny",
        Direction::Egress => "egressDeny",
    };
    let base = format!(
        "{}-deny-{}-{}-{}",
        ctx.short(subject),
        c::dir_word(d),
        ctx.short(ctx.other(d)),
        ctx.port_part()
    );
    let name = ctx.unique(&base, |n| {
        ctx.cluster
            .cilium_policies
            .iter()
            .any(|p| p.namespace.as_deref() == Some(ns.as_str()) && p.name == n)
    });
    let object = json!({
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "endpointSelector": {"matchLabels": labels},
            "enableDefaultDeny": {d.field(): false},
            field: [Value::Object(item)],
        }
    });
    let comment = format!(
        "Denies {} (and nothing else: default deny stays off).\nWritten by `kubectl netpol can-reach --expect deny --fix`.",
        ctx.flow_text()
    );
    let n = note(
        d,
        ObjectRef {
            kind: "CiliumNetworkPolicy".into(),
            name: format!("{ns}/{name}"),
        },
        format!(
            "a new policy denying {} {} on {} for {}",
            c::dir_word(d),
            sel.describe(),
            ctx.port.describe(),
            own.describe()
        ),
    );
    Some(ctx.new_document(
        subject,
        &name,
        &comment,
        &object,
        n,
        rank::NEW_POLICY - 50 + u32::from(!own.exact() || !sel.exact()) * 100,
    ))
}

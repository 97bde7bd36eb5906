//! Calico policies (projectcalico.org/v3) into the model. Sources: libcalico-go's conversion of
//! policies for felix (`lib/backend/syncersv1/updateprocessors`: `networkpolicyprocessor.go`,
//! `globalnetworkpolicyprocessor.go`, `rules.go`), felix's rendering (`felix/rules`) and the
//! notes in the README's Calico section.
//!
//! - **Subject**: a NetworkPolicy applies to the pods of its namespace its `selector` matches
//!   (and its `serviceAccountSelector`, on the service account's labels); a
//!   GlobalNetworkPolicy to the pods its `selector`, `namespaceSelector` (on the namespace's
//!   labels) and `serviceAccountSelector` match together. Never a hostNetwork pod (not a
//!   workload endpoint). In the directions of `types` (defaulted as Calico does, see
//!   [`CalicoPolicy::applies`]); selecting isolates: the tier's end action applies.
//! - **Rules**, in order, with their action. A side of a rule (`source`, `destination`) is
//!   the conjunction of its fields. Its selectors become one positive selector `E` and one
//!   negated selector `N` (`rules.go`): `E` is `selector` (ANDed with `serviceAccounts`),
//!   scoped to `namespaceSelector` when given, else — in a namespaced policy, and only when a
//!   selector, notSelector or serviceAccounts is written — to the policy's namespace; `N` is
//!   `notSelector`, never scoped. Felix matches `(E) && !(N)` as one set of addresses when `E`
//!   is set, and "not in N" alone otherwise (so a GlobalNetworkPolicy's lone `notSelector`
//!   matches addresses outside the cluster). Selectors match pods, and addresses in network
//!   sets they select. `nets`/`notNets` match any address, pods included.
//! - **Ports**: `protocol`/`notProtocol`, `destination.ports`/`notPorts` (numbers, ranges,
//!   named ports resolved on the destination, in the rule's protocol or any); `source.ports`
//!   restricts the client's port, which is ephemeral (32768–60999): the rule matches only if
//!   the source ports cover that range (a caveat says so).
//! - Keys Calico gives endpoints: `projectcalico.org/namespace` (the namespace's name),
//!   `pcns.<key>` (namespace labels), `pcsa.<key>` (service account labels),
//!   `projectcalico.org/serviceaccount`, `projectcalico.org/orchestrator` (`k8s`).

use super::super::{
    Action, Cond, Match, Policy, PolicyDir, PortItem, PortKind, PortMatch, Precedence, Rule,
    Source, Term, Test,
};
use super::kubernetes::pod_network;
use crate::base::span::Span;
use crate::base::value::IntOrString;
use crate::model::calico::selector::Selector as CSel;
use crate::model::calico::{
    CalicoPolicy, CalicoRule, EntityRule, PortValue, ProtocolValue, SelectorField,
};
use crate::model::ip::{Family, parse_cidr};
use crate::model::selector::{Expr, Key, Scope};
use crate::model::{Cluster, Direction, NAMESPACE_NAME_LABEL, Protocol};

/// The ephemeral ports a client connects from (Linux's default `ip_local_port_range`).
const EPHEMERAL: (u16, u16) = (32768, 60999);

/// A Calico selector's key as a key of the model.
fn key(k: &str) -> Key {
    let scoped = |scope, name: &str| Key {
        scope,
        name: name.to_string(),
    };
    if let Some(ns_key) = k.strip_prefix("pcns.") {
        return if ns_key == "projectcalico.org/name" {
            scoped(Scope::Namespace, NAMESPACE_NAME_LABEL)
        } else {
            scoped(Scope::Namespace, ns_key)
        };
    }
    if let Some(sa_key) = k.strip_prefix("pcsa.") {
        return scoped(Scope::ServiceAccount, sa_key);
    }
    match k {
        "projectcalico.org/namespace" => scoped(Scope::Namespace, NAMESPACE_NAME_LABEL),
        "projectcalico.org/orchestrator" | "projectcalico.org/serviceaccount" => {
            scoped(Scope::Meta, k)
        }
        _ => Key::own(k),
    }
}

/// A Calico selector as an expression, its keys read by `key_of`, `all()` read as `all`.
fn expr(s: &CSel, key_of: &dyn Fn(&str) -> Key, all: &Expr) -> Expr {
    let list = |xs: &[CSel]| xs.iter().map(|x| expr(x, key_of, all)).collect();
    match s {
        CSel::All => all.clone(),
        CSel::Global => Expr::Global,
        CSel::Has(k) => Expr::Has(key_of(k)),
        CSel::Eq(k, v) => Expr::Eq(key_of(k), v.clone()),
        CSel::Ne(k, v) => Expr::Ne(key_of(k), v.clone()),
        CSel::In(k, vs) => Expr::In(key_of(k), vs.clone()),
        CSel::NotIn(k, vs) => Expr::NotIn(key_of(k), vs.clone()),
        CSel::Contains(k, v) => Expr::Contains(key_of(k), v.clone()),
        CSel::StartsWith(k, v) => Expr::StartsWith(key_of(k), v.clone()),
        CSel::EndsWith(k, v) => Expr::EndsWith(key_of(k), v.clone()),
        CSel::Not(x) => Expr::Not(Box::new(expr(x, key_of, all))),
        CSel::And(xs) => Expr::And(list(xs)),
        CSel::Or(xs) => Expr::Or(list(xs)),
    }
}

/// An endpoint selector (`selector`, `notSelector`): keys as Calico gives them to endpoints.
fn endpoint_expr(s: &CSel) -> Expr {
    expr(s, &key, &Expr::All)
}

/// A `namespaceSelector`: keys of the namespace's labels (`pcns.`); `global()` is "in no
/// namespace", and every `all()` in it, not only a whole `all()`, "in some namespace":
/// `rules.go` replaces the text `all()` with `has(projectcalico.org/namespace)` wherever it
/// occurs, so `!all()` selects what `global()` does (network sets of no namespace) and
/// `all() || has(x)` no global network set.
fn namespace_expr(s: &CSel) -> Expr {
    let key_of = |k: &str| {
        if k == "projectcalico.org/name" {
            Key::namespace(NAMESPACE_NAME_LABEL)
        } else {
            Key::namespace(k)
        }
    };
    expr(s, &key_of, &Expr::Not(Box::new(Expr::Global)))
}

/// A service account selector: keys of the service account's labels (`pcsa.`).
fn service_account_expr(s: &CSel) -> Expr {
    let key_of = |k: &str| Key {
        scope: Scope::ServiceAccount,
        name: k.to_string(),
    };
    expr(s, &key_of, &Expr::All)
}

/// The parsed selector of a field that is written and not empty (validation keeps policies
/// with unparsable selectors out of the model).
fn written(f: &Option<SelectorField>) -> Option<(&SelectorField, &CSel)> {
    let f = f.as_ref()?;
    if f.text.value.trim().is_empty() {
        return None;
    }
    f.parsed.as_ref().ok().map(|s| (f, s))
}

fn in_namespace(ns: &str) -> Expr {
    Expr::Eq(Key::namespace(NAMESPACE_NAME_LABEL), ns.to_string())
}

/// The policy's subject.
fn subject(p: &CalicoPolicy) -> Match {
    let mut e = match written(&p.selector) {
        Some((_, s)) => endpoint_expr(s),
        None => Expr::All,
    };
    let mut what = vec![format!(
        "selector {}",
        p.selector
            .as_ref()
            .map_or("all()".into(), |s| format!("`{}`", s.text.value))
    )];
    if let Some(ns) = &p.namespace {
        e = e.and(in_namespace(ns));
        what.push(format!("in namespace {ns}"));
    }
    if let Some((f, s)) = written(&p.namespace_selector) {
        e = e.and(namespace_expr(s));
        what.push(format!("namespaceSelector `{}`", f.text.value));
    }
    if let Some((f, s)) = written(&p.service_account_selector) {
        e = e.and(service_account_expr(s));
        what.push(format!("serviceAccountSelector `{}`", f.text.value));
    }
    let span = p.selector.as_ref().map_or(p.span, |s| s.text.span);
    Match::Any(vec![Term {
        label: "selector".into(),
        span,
        conds: vec![
            pod_network(span),
            Cond::new(
                Test::Selector {
                    expr: e,
                    network_sets: false,
                },
                what.join(" "),
                span,
            ),
        ],
    }])
}

/// The conditions of one side of a rule; `ns` is the namespace of a namespaced policy.
fn entity(
    e: &EntityRule,
    ns: Option<&str>,
    cluster: &Cluster,
    warnings: &mut Vec<(Span, String)>,
) -> Vec<Cond> {
    let mut conds = Vec::new();
    let span = e.span.unwrap_or_default();
    // The positive selector: serviceAccounts AND selector, scoped. A `serviceAccounts`
    // with neither names nor a selector restricts nothing (`parseServiceAccounts` in
    // `rules.go` gives the empty selector).
    let mut sel: Option<Expr> = None;
    let mut what: Vec<String> = Vec::new();
    if let Some(sa) = e
        .service_accounts
        .as_ref()
        .filter(|sa| !sa.names.is_empty() || written(&sa.selector).is_some())
    {
        let mut x = Expr::All;
        if !sa.names.is_empty() {
            x = x.and(Expr::In(
                Key {
                    scope: Scope::Meta,
                    name: "projectcalico.org/serviceaccount".into(),
                },
                sa.names.iter().map(|n| n.value.clone()).collect(),
            ));
            let names: Vec<&str> = sa.names.iter().map(|n| n.value.as_str()).collect();
            what.push(format!("serviceAccounts {}", names.join(", ")));
        }
        if let Some((f, s)) = written(&sa.selector) {
            x = x.and(service_account_expr(s));
            what.push(format!("serviceAccounts.selector `{}`", f.text.value));
        }
        sel = Some(x);
    }
    if let Some((f, s)) = written(&e.selector) {
        sel = Some(sel.unwrap_or(Expr::All).and(endpoint_expr(s)));
        what.push(format!("selector `{}`", f.text.value));
    }
    let not_sel = written(&e.not_selector);
    let ns_sel = written(&e.namespace_selector);
    let scope: Option<(Expr, String)> = match ns_sel {
        Some((f, s)) => Some((
            namespace_expr(s),
            format!("namespaceSelector `{}`", f.text.value),
        )),
        None => ns.map(|n| (in_namespace(n), format!("in the policy's namespace {n}"))),
    };
    let scoped = sel.is_some() || not_sel.is_some() || ns_sel.is_some();
    let positive = match scope {
        Some((scope, text)) if scoped => {
            what.push(text);
            Some(match sel {
                Some(x) => scope.and(x),
                None => scope,
            })
        }
        _ => sel,
    };
    match (positive, not_sel) {
        (Some(pos), Some((f, n))) => {
            what.push(format!("notSelector `{}`", f.text.value));
            conds.push(Cond::new(
                Test::Selector {
                    expr: pos.and(Expr::Not(Box::new(endpoint_expr(n)))),
                    network_sets: true,
                },
                what.join(", "),
                span,
            ));
        }
        (Some(pos), None) => conds.push(Cond::new(
            Test::Selector {
                expr: pos,
                network_sets: true,
            },
            what.join(", "),
            span,
        )),
        (None, Some((f, n))) => conds.push(
            Cond::new(
                Test::Selector {
                    expr: endpoint_expr(n),
                    network_sets: true,
                },
                format!("notSelector `{}`", f.text.value),
                f.text.span,
            )
            .negate(),
        ),
        (None, None) => {}
    }
    let parse = |list: &[crate::base::span::Spanned<String>]| -> Vec<ipnet::IpNet> {
        list.iter()
            .filter_map(|n| {
                parse_cidr(n)
                    .ok()
                    .or_else(|| n.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
            })
            .collect()
    };
    if !e.nets.is_empty() {
        let list: Vec<&str> = e.nets.iter().map(|n| n.value.as_str()).collect();
        conds.push(Cond::new(
            Test::Nets {
                nets: parse(&e.nets),
                except: Vec::new(),
            },
            format!("nets {}", list.join(", ")),
            span,
        ));
    }
    if !e.not_nets.is_empty() {
        let list: Vec<&str> = e.not_nets.iter().map(|n| n.value.as_str()).collect();
        conds.push(
            Cond::new(
                Test::Nets {
                    nets: parse(&e.not_nets),
                    except: Vec::new(),
                },
                format!("notNets {}", list.join(", ")),
                span,
            )
            .negate(),
        );
    }
    if let Some(svc) = &e.services
        && let Some(name) = &svc.name
    {
        let namespace = svc
            .namespace
            .as_ref()
            .map(|n| n.value.clone())
            .or(ns.map(str::to_string))
            .unwrap_or_default();
        match cluster
            .services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name.value)
        {
            None => warnings.push((
                svc.span,
                format!(
                    "service {namespace}/{} is not in the input: the rule matches no backend here",
                    name.value
                ),
            )),
            Some(s) if s.selector.is_none() => warnings.push((
                svc.span,
                format!(
                    "service {namespace}/{} has no selector: its backends are managed by hand and unknown here, so the rule matches none",
                    name.value
                ),
            )),
            Some(_) => {}
        }
        conds.push(Cond::new(
            Test::Service {
                namespace: namespace.clone(),
                name: name.value.clone(),
            },
            format!("service {namespace}/{}", name.value),
            svc.span,
        ));
    }
    conds
}

/// The protocols (of those the model evaluates) a protocol value names.
fn protocols(p: &ProtocolValue) -> Vec<Protocol> {
    let named = match p {
        ProtocolValue::Name(n) => n.to_ascii_uppercase(),
        ProtocolValue::Number(6) => "TCP".into(),
        ProtocolValue::Number(17) => "UDP".into(),
        ProtocolValue::Number(132) => "SCTP".into(),
        ProtocolValue::Number(_) => String::new(),
    };
    Protocol::parse(&named).into_iter().collect()
}

fn protocol_text(p: &ProtocolValue) -> String {
    match p {
        ProtocolValue::Name(n) => n.clone(),
        ProtocolValue::Number(n) => n.to_string(),
    }
}

/// Port items of a `ports` list, in the rule's protocols (every protocol when it names none:
/// only named ports can be written then).
fn port_items(
    list: &[crate::base::span::Spanned<PortValue>],
    protos: Option<&[Protocol]>,
) -> Vec<PortItem> {
    let mut out = Vec::new();
    for p in list {
        let mut push = |kind| out.push(PortItem { kind, span: p.span });
        match &p.value {
            PortValue::Name(n) => match protos {
                None => push(PortKind::Named(n.clone(), None)),
                Some(ps) => {
                    for &proto in ps {
                        push(PortKind::Named(n.clone(), Some(proto)));
                    }
                }
            },
            PortValue::Number(n) => {
                for &proto in protos.unwrap_or(&Protocol::ALL) {
                    match u16::try_from(*n) {
                        Ok(n) => push(PortKind::Range(proto, n, n)),
                        Err(_) => push(PortKind::Nothing(format!("port {n}"))),
                    }
                }
            }
            PortValue::Range(a, b) => {
                for &proto in protos.unwrap_or(&Protocol::ALL) {
                    match (u16::try_from(*a), u16::try_from(*b)) {
                        (Ok(a), Ok(b)) => push(PortKind::Range(proto, a, b)),
                        _ => push(PortKind::Nothing(format!("ports {a}:{b}"))),
                    }
                }
            }
            PortValue::Invalid(text) => push(PortKind::Nothing(text.clone())),
        }
    }
    out
}

fn whole(protos: &[Protocol], span: Span) -> PortMatch {
    PortMatch::Any(
        protos
            .iter()
            .map(|&p| PortItem {
                kind: PortKind::Range(p, 1, 65535),
                span,
            })
            .collect(),
    )
}

/// A rule's match on the destination's protocol and port, and its caveats.
fn rule_ports(
    r: &CalicoRule,
    cluster: &Cluster,
    ns: Option<&str>,
    caveats: &mut Vec<String>,
) -> PortMatch {
    let mut parts = Vec::new();
    let protos: Option<Vec<Protocol>> = r.protocol.as_ref().map(|p| protocols(&p.value));
    if let Some(p) = &r.protocol {
        let ps = protos.clone().unwrap_or_default();
        if ps.is_empty() {
            parts.push(PortMatch::Any(vec![PortItem {
                kind: PortKind::Nothing(format!("protocol {}", protocol_text(&p.value))),
                span: p.span,
            }]));
        } else {
            parts.push(whole(&ps, p.span));
        }
    }
    if let Some(p) = &r.not_protocol {
        let ps = protocols(&p.value);
        if !ps.is_empty() {
            parts.push(PortMatch::Not(Box::new(whole(&ps, p.span))));
        }
    }
    let dst = &r.destination;
    if !dst.ports.is_empty() {
        parts.push(PortMatch::Any(port_items(&dst.ports, protos.as_deref())));
    }
    if !dst.not_ports.is_empty() {
        parts.push(PortMatch::Not(Box::new(PortMatch::Any(port_items(
            &dst.not_ports,
            protos.as_deref(),
        )))));
    }
    // A destination service: its backends' target ports.
    if r.direction == Direction::Egress
        && let Some(svc) = &dst.services
        && let Some(name) = &svc.name
    {
        let namespace = svc
            .namespace
            .as_ref()
            .map(|n| n.value.as_str())
            .or(ns)
            .unwrap_or_default();
        let items: Vec<PortItem> = cluster
            .services
            .iter()
            .find(|s| s.namespace == namespace && s.name == name.value)
            .map(|s| {
                s.ports
                    .iter()
                    .map(|sp| PortItem {
                        kind: match &sp.target_port {
                            None => PortKind::Range(sp.protocol, sp.port, sp.port),
                            Some(IntOrString::Int(n)) => match u16::try_from(*n) {
                                Ok(n) => PortKind::Range(sp.protocol, n, n),
                                Err(_) => PortKind::Nothing(format!("targetPort {n}")),
                            },
                            Some(IntOrString::Str(n)) => {
                                PortKind::Named(n.clone(), Some(sp.protocol))
                            }
                        },
                        span: svc.span,
                    })
                    .collect()
            })
            .unwrap_or_default();
        parts.push(PortMatch::Any(items));
    }
    // The client's own port: ephemeral, and unknown. A connection counts as allowed only
    // if it is whatever port the client picks: an Allow (or Pass) matches a protocol only if
    // it takes every ephemeral port, a Deny if it takes any.
    let src = &r.source;
    if !src.ports.is_empty() || !src.not_ports.is_empty() {
        let resolve = |list: &[crate::base::span::Spanned<PortValue>]| {
            PortMatch::Any(port_items(list, protos.as_deref())).resolve(None)
        };
        let deny = r.action.as_ref().is_some_and(|a| a.value == "Deny");
        let (mut ok, mut partly) = (Vec::new(), false);
        for p in Protocol::ALL {
            let ephemeral = crate::model::PortSet::range(p, EPHEMERAL.0, EPHEMERAL.1);
            let mut taken = if src.ports.is_empty() {
                ephemeral.clone()
            } else {
                resolve(&src.ports).intersect(&ephemeral)
            };
            if !src.not_ports.is_empty() {
                taken = taken.difference(&resolve(&src.not_ports));
            }
            let all = taken.contains_set(&ephemeral);
            partly |= !all && !taken.is_empty();
            if all || (deny && !taken.is_empty()) {
                ok.push(p);
            }
        }
        let range = format!("{}–{}", EPHEMERAL.0, EPHEMERAL.1);
        caveats.push(if !partly {
            format!(
                "it restricts the source port: clients connect from ephemeral ports ({range}), which it {}",
                if ok.is_empty() {
                    "does not take, so it matches no connection"
                } else {
                    "takes"
                }
            )
        } else if deny {
            format!(
                "it restricts the source port: clients connect from ephemeral ports ({range}), some of which it takes; a connection denied from some of them counts as denied, so it is taken to match"
            )
        } else {
            format!(
                "it restricts the source port: clients connect from ephemeral ports ({range}), only some of which it takes; a connection allowed from only some of them counts as denied, so it is taken to match none"
            )
        });
        parts.push(whole(&ok, r.span));
    }
    match parts.len() {
        0 => PortMatch::All,
        1 => parts.pop().expect("one part"),
        _ => PortMatch::And(parts),
    }
}

/// The IP family a rule is restricted to: `ipVersion`, else the family of its CIDRs (felix
/// skips a rule for the family its CIDR fields have none of).
fn rule_family(r: &CalicoRule) -> Option<Family> {
    if let Some(v) = &r.ip_version {
        return Some(if v.value == 6 { Family::V6 } else { Family::V4 });
    }
    let nets = [&r.source, &r.destination]
        .into_iter()
        .flat_map(|e| e.nets.iter().chain(&e.not_nets));
    nets.filter_map(|n| {
        parse_cidr(n)
            .ok()
            .map(|n| n.addr().is_ipv4())
            .or_else(|| n.parse::<std::net::IpAddr>().ok().map(|a| a.is_ipv4()))
    })
    .next()
    .map(|v4| if v4 { Family::V4 } else { Family::V6 })
}

/// Named destination ports match endpoints only: felix renders them as sets of (IP, port) of
/// the endpoints the destination selector matches by their labels, where network sets (which
/// have no ports) never appear; only numbered ports are matched against the selector's full
/// set of addresses (`ruleToParsedRule` in `felix/calc/rule_scanner.go`: "only include the
/// selectors if we haven't already covered them with a named port match";
/// `named_port_index.go`). So named `ports` and `notPorts` resolve only on the pods the
/// destination's positive selector matches by their labels (the returned `named_on`), and
/// when its `ports` are all named, the selector matches no address through a network set.
fn named_ports_on_endpoints(r: &CalicoRule, dst_conds: &mut [Cond], span: Span) -> Option<Match> {
    let is_named =
        |p: &crate::base::span::Spanned<PortValue>| matches!(p.value, PortValue::Name(_));
    let dst = &r.destination;
    let named = dst.ports.iter().any(is_named);
    if !named && !dst.not_ports.iter().any(is_named) {
        return None;
    }
    let positive = dst_conds.iter().position(|c| {
        !c.negated
            && matches!(
                c.test,
                Test::Selector {
                    network_sets: true,
                    ..
                }
            )
    })?;
    let mut by_labels = dst_conds[positive].clone();
    if let Test::Selector { network_sets, .. } = &mut by_labels.test {
        *network_sets = false;
    }
    // `notPorts` do not count here: felix drops the selector's address set only when every
    // one of `ports` is named.
    let numbered = dst
        .ports
        .iter()
        .any(|p| matches!(p.value, PortValue::Number(_) | PortValue::Range(..)));
    if named && !numbered {
        dst_conds[positive] = by_labels.clone();
    }
    Some(Match::Any(vec![Term {
        label: "named ports".into(),
        span,
        conds: vec![by_labels],
    }]))
}

fn rule(
    r: &CalicoRule,
    p: &CalicoPolicy,
    cluster: &Cluster,
    warnings: &mut Vec<(Span, String)>,
) -> Option<Rule> {
    let action = match r.action.as_ref()?.value.as_str() {
        "Allow" => Action::Allow,
        "Deny" => Action::Deny,
        "Pass" => Action::Pass,
        "Log" => Action::Log,
        _ => return None,
    };
    let ns = p.namespace.as_deref();
    let mut caveats = Vec::new();
    let mut peer_conds = entity(r.peer(), ns, cluster, warnings);
    let mut local_conds = entity(r.local(), ns, cluster, warnings);
    let named_on = named_ports_on_endpoints(
        r,
        match r.direction {
            Direction::Egress => &mut peer_conds,
            Direction::Ingress => &mut local_conds,
        },
        r.destination.span.unwrap_or(r.span),
    );
    if let Some(f) = rule_family(r) {
        let span = r.ip_version.as_ref().map_or(r.span, |v| v.span);
        peer_conds.push(Cond::new(
            Test::Family(f),
            match f {
                Family::V4 => "IPv4",
                Family::V6 => "IPv6",
            },
            span,
        ));
    }
    if let Some(h) = &r.http {
        let mut parts: Vec<String> = h.methods.iter().map(|m| m.value.clone()).collect();
        parts.extend(h.paths.iter().map(|x| x.value.clone()));
        caveats.push(format!(
            "its http match ({}) is enforced only by an L7 proxy (Calico's application layer policy); answered at L4, where it matches every request",
            parts.join(", ")
        ));
    }
    let ports = rule_ports(r, cluster, ns, &mut caveats);
    let term = |label: &str, conds: Vec<Cond>, span: Option<Span>| Term {
        label: label.into(),
        span: span.unwrap_or(r.span),
        conds,
    };
    let (peer_label, local_label) = match r.direction {
        Direction::Ingress => ("source", "destination"),
        Direction::Egress => ("destination", "source"),
    };
    Some(Rule {
        action,
        peer: if peer_conds.is_empty() {
            Match::All
        } else {
            Match::Any(vec![term(peer_label, peer_conds, r.peer().span)])
        },
        local: (!local_conds.is_empty())
            .then(|| Match::Any(vec![term(local_label, local_conds, r.local().span)])),
        ports,
        named_on,
        span: r.span,
        index: r.index,
        label: r.label(),
        caveats,
        action_word: match action {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
            Action::Log => "Log",
        },
    })
}

/// A Calico policy of the input (index `idx` in [`Cluster::calico_policies`]) as a policy of
/// the model, in tier `tier`; problems the model meets are pushed to `warnings`.
pub fn policy(
    cluster: &Cluster,
    idx: usize,
    p: &CalicoPolicy,
    tier: usize,
    warnings: &mut Vec<(Span, String)>,
) -> Policy {
    let order = p.order.as_ref().map(|o| o.value);
    let precedence = Some(match order {
        Some(o) => format!("(tier {}, order {o})", p.tier_name()),
        None => format!("(tier {}, no order)", p.tier_name()),
    });
    Policy {
        source: Source::Calico(idx),
        tier,
        name: p.id(),
        kind: p.kind.title(),
        precedence,
        precedence_key: Precedence::Order(order),
        name_span: p.name_span,
        span: Some(p.span),
        subject: subject(p),
        dirs: Direction::BOTH.map(|d| PolicyDir {
            applies: p.applies(d),
            isolates: true,
            rules: if p.applies(d) {
                p.rules(d)
                    .iter()
                    .filter_map(|r| rule(r, p, cluster, warnings))
                    .collect()
            } else {
                Vec::new()
            },
        }),
    }
}

/// The key Calico orders policies of equal order by (felix `policy_sorter.go`, Calico 3.32):
/// `name/namespace/kind`, compared byte by byte.
pub fn tie_key(name: &str, namespace: Option<&str>, kind: &str) -> String {
    format!("{name}/{}/{kind}", namespace.unwrap_or(""))
}

//! AdminNetworkPolicy, BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
//! ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), read strictly like NetworkPolicy:
//! unknown fields are problems (with a hint naming the current field for those of the
//! schema network-policy-api v0.1.0-v0.1.2 released, `namespaces: {namespaceSelector: …}`
//! in a peer and `pods: {namespaces: …}`). Values are kept as written; what the API server's CRD
//! validation would refuse (an action of the wrong kind, a priority out of range, a peer
//! with two fields set...) is left to the model's validation, so that `check` can point at it.

use super::network_policy::selector;
use super::{Decoded, meta};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::model::cluster_policy::{
    ClusterPeer, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPort, ClusterPortKind,
    ClusterRule, ClusterSubject, Tier,
};
use crate::model::{Direction, LabelSelector, Object, Protocol};

/// Decodes a cluster-wide policy of the given kind.
pub fn decode(d: &mut Decoder, kind: ClusterPolicyKind, api_version: &str) -> Decoded {
    let expected = match kind {
        ClusterPolicyKind::Anp | ClusterPolicyKind::Banp => {
            &["policy.networking.k8s.io/v1alpha1"][..]
        }
        ClusterPolicyKind::Cnp => &[
            "policy.networking.k8s.io/v1alpha2",
            "policy.networking.k8s.io/v1beta1",
        ][..],
    };
    if !expected.contains(&api_version) {
        return Decoded::Ignored(format!(
            "{} of apiVersion `{api_version}` is not supported ({} is)",
            kind.kind(),
            expected.join(", ")
        ));
    }
    let obj = d.object();
    d.unknown_fields(obj, &["apiVersion", "kind", "metadata", "spec", "status"]);
    let Some(m) = meta::read(d, "") else {
        return Decoded::Broken;
    };
    let name_span = meta::name_span(d);
    let api_version = Spanned::new(
        api_version.to_string(),
        obj.get("apiVersion").map_or(obj.span(), |n| n.span()),
    );
    let Some(spec) = obj.get("spec").and_then(|s| d.map(s)) else {
        if obj.get("spec").is_none() {
            d.missing(obj, "spec");
        }
        return Decoded::Broken;
    };
    let known: &[&str] = match kind {
        ClusterPolicyKind::Anp => &["priority", "subject", "ingress", "egress"],
        ClusterPolicyKind::Banp => &["subject", "ingress", "egress"],
        ClusterPolicyKind::Cnp => &["tier", "priority", "subject", "ingress", "egress"],
    };
    d.unknown_fields(spec, known);
    let priority = match spec.get("priority") {
        Some(p) => d.int(p),
        None if kind != ClusterPolicyKind::Banp => {
            d.missing(spec, "priority");
            None
        }
        None => None,
    };
    let tier_raw = if kind == ClusterPolicyKind::Cnp {
        match spec.get("tier") {
            Some(t) => d.string(t),
            None => {
                d.missing(spec, "tier");
                None
            }
        }
    } else {
        None
    };
    let tier = match kind {
        ClusterPolicyKind::Anp => Tier::Admin,
        ClusterPolicyKind::Banp => Tier::Baseline,
        ClusterPolicyKind::Cnp => match tier_raw.as_ref().map(|t| t.value.as_str()) {
            Some("Baseline") => Tier::Baseline,
            Some("Admin") | None => Tier::Admin,
            Some(other) => {
                let node = spec.get("tier").expect("read above");
                d.error(
                    node,
                    format_args!("tier `{other}` is not `Admin` or `Baseline`"),
                );
                Tier::Admin
            }
        },
    };
    let subject = match spec.get("subject") {
        Some(s) => subject(d, s),
        None => {
            d.missing(spec, "subject");
            None
        }
    };
    let ingress = rules(d, spec, kind, Direction::Ingress);
    let egress = rules(d, spec, kind, Direction::Egress);
    let Some(subject) = subject else {
        return Decoded::Broken;
    };
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::ClusterPolicy(Box::new(ClusterPolicy {
        kind,
        name: m.name.value,
        span: obj.span(),
        name_span,
        api_version,
        annotations: m.annotations,
        tier,
        tier_raw,
        priority,
        subject,
        ingress,
        egress,
    })))
}

fn subject<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<ClusterSubject> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["namespaces", "pods"]);
    match (n.get("namespaces"), n.get("pods")) {
        (Some(ns), None) => Some(ClusterSubject {
            span: n.span(),
            namespace_selector: selector(d, ns)?,
            pod_selector: None,
        }),
        (None, Some(pods)) => {
            let (namespace_selector, pod_selector) = namespaced_pod(d, pods)?;
            Some(ClusterSubject {
                span: n.span(),
                namespace_selector,
                pod_selector: Some(pod_selector),
            })
        }
        _ => {
            d.error(
                n,
                "the subject must set exactly one of `namespaces` and `pods`",
            );
            None
        }
    }
}

fn namespaced_pod<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<(LabelSelector, LabelSelector)> {
    let n = d.map(n)?;
    let known = ["namespaceSelector", "podSelector"];
    for (key, k, _) in n.entries().filter(|(key, _, _)| !known.contains(key)) {
        let message = match key {
            "namespaces" => format!(
                "unknown field `namespaces` (did you mean `namespaceSelector`?): {OLD_SCHEMA} wrote `pods: {{namespaces: {{namespaceSelector: …}}, podSelector: …}}`; since v0.1.3 it is `pods: {{namespaceSelector: …, podSelector: …}}`; {REJECTED}"
            ),
            _ => Decoder::unknown_message(key, &known),
        };
        d.unknown_field(n, k, key, message);
    }
    let ns = match n.get("namespaceSelector") {
        Some(s) => selector(d, s)?,
        None => LabelSelector::everything(n.span()),
    };
    let Some(pod) = n.get("podSelector") else {
        d.missing(n, "podSelector");
        return None;
    };
    Some((ns, selector(d, pod)?))
}

fn rules<'d>(
    d: &mut Decoder<'d>,
    spec: N<'d>,
    kind: ClusterPolicyKind,
    dir: Direction,
) -> Vec<ClusterRule> {
    let Some(list) = spec.get(dir.field()) else {
        return Vec::new();
    };
    d.list(list)
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| rule(d, r, kind, dir, i))
        .collect()
}

fn rule<'d>(
    d: &mut Decoder<'d>,
    r: N<'d>,
    kind: ClusterPolicyKind,
    dir: Direction,
    index: usize,
) -> Option<ClusterRule> {
    let r = d.map(r)?;
    let peers_field = dir.peers_field();
    let ports_field = if kind == ClusterPolicyKind::Cnp {
        "protocols"
    } else {
        "ports"
    };
    d.unknown_fields(r, &["name", "action", peers_field, ports_field]);
    let name = r.get("name").and_then(|n| d.string(n));
    let action = match r.get("action") {
        Some(a) => d.string(a)?,
        None => {
            d.missing(r, "action");
            return None;
        }
    };
    let Some(peers_node) = r.get(peers_field) else {
        d.missing(r, peers_field);
        return None;
    };
    let peers = d
        .list(peers_node)
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| peer(d, p, dir, i))
        .collect();
    let ports = r.get(ports_field).map(|p| {
        let items = d
            .list(p)
            .into_iter()
            .filter_map(|item| {
                if kind == ClusterPolicyKind::Cnp {
                    cnp_protocol(d, item)
                } else {
                    anp_port(d, item)
                }
            })
            .collect();
        Spanned::new(items, p.span())
    });
    Some(ClusterRule {
        span: r.span(),
        direction: dir,
        index,
        name,
        action,
        peers,
        peers_span: peers_node.span(),
        ports,
    })
}

fn peer<'d>(d: &mut Decoder<'d>, n: N<'d>, dir: Direction, index: usize) -> Option<ClusterPeer> {
    let n = d.map(n)?;
    let known: &[&str] = match dir {
        Direction::Ingress => &["namespaces", "pods"],
        Direction::Egress => &["namespaces", "pods", "nodes", "networks"],
    };
    d.unknown_fields(n, known);
    let set: Vec<&str> = n
        .entries()
        .map(|(k, _, _)| k)
        .filter(|k| known.contains(k))
        .collect();
    if set.len() > 1 {
        d.error(
            n,
            format_args!(
                "a peer sets exactly one field; this one sets {}",
                set.join(" and ")
            ),
        );
        return None;
    }
    let kind = if let Some(s) = n.get("namespaces") {
        if old_namespaced_peer(d, s) {
            return None;
        }
        ClusterPeerKind::Namespaces(selector(d, s)?)
    } else if let Some(p) = n.get("pods") {
        let (namespace_selector, pod_selector) = namespaced_pod(d, p)?;
        ClusterPeerKind::Pods {
            namespace_selector,
            pod_selector,
        }
    } else if let Some(s) = n.get("nodes") {
        ClusterPeerKind::Nodes(selector(d, s)?)
    } else if let Some(list) = n.get("networks") {
        ClusterPeerKind::Networks(
            d.list(list)
                .into_iter()
                .filter_map(|c| d.string(c))
                .collect(),
        )
    } else {
        ClusterPeerKind::Unknown
    };
    Some(ClusterPeer {
        span: n.span(),
        index,
        kind,
    })
}

/// The release of the API whose schema older manifests follow.
const OLD_SCHEMA: &str = "the v1alpha1 schema of network-policy-api v0.1.0-v0.1.2";

/// The end of every unknown-field message.
const REJECTED: &str = "the API server rejects it (kubectl validates strictly)";

/// Reports a peer's `namespaces` written in the schema of network-policy-api v0.1.0-v0.1.2
/// (`namespaces: {namespaceSelector: …, sameLabels: […], notSameLabels: […]}`, changed to a
/// label selector in v0.1.3) with a hint naming what replaced each field; true when it is.
fn old_namespaced_peer<'d>(d: &mut Decoder<'d>, n: N<'d>) -> bool {
    let old = ["namespaceSelector", "sameLabels", "notSameLabels"];
    if !n.is_map() || !n.entries().any(|(key, _, _)| old.contains(&key)) {
        return false;
    }
    let known = ["matchLabels", "matchExpressions"];
    for (key, k, _) in n.entries().filter(|(key, _, _)| !known.contains(key)) {
        let message = match key {
            "namespaceSelector" => format!(
                "unknown field `namespaceSelector`: {OLD_SCHEMA} wrote `namespaces: {{namespaceSelector: {{matchLabels: …}}}}`; since v0.1.3 `namespaces` is the selector itself: `namespaces: {{matchLabels: …}}`; {REJECTED}"
            ),
            "sameLabels" | "notSameLabels" => format!(
                "unknown field `{key}`: {OLD_SCHEMA} had it as an experimental field, removed in v0.1.3 with no replacement; select the namespaces by their labels (`namespaces: {{matchLabels: …}}`); {REJECTED}"
            ),
            _ => Decoder::unknown_message(key, &known),
        };
        d.unknown_field(n, k, key, message);
    }
    true
}

fn protocol<'d>(d: &mut Decoder<'d>, n: N<'d>) -> (Protocol, Option<Spanned<String>>) {
    match n.get("protocol").and_then(|p| d.string(p)) {
        None => (Protocol::Tcp, None),
        Some(s) => match Protocol::parse(&s) {
            Some(p) => (p, None),
            None => (Protocol::Tcp, Some(s)),
        },
    }
}

fn anp_port<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<ClusterPort> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["portNumber", "namedPort", "portRange"]);
    let span = n.span();
    if let Some(p) = n.get("portNumber").and_then(|p| d.map(p)) {
        d.unknown_fields(p, &["protocol", "port"]);
        let (proto, bad_protocol) = protocol(d, p);
        let Some(port) = p.get("port") else {
            d.missing(p, "port");
            return None;
        };
        return Some(ClusterPort {
            span,
            kind: ClusterPortKind::Number(proto, d.int(port)?),
            bad_protocol,
        });
    }
    if let Some(name) = n.get("namedPort") {
        return Some(ClusterPort {
            span,
            kind: ClusterPortKind::Named(d.string(name)?),
            bad_protocol: None,
        });
    }
    if let Some(r) = n.get("portRange").and_then(|p| d.map(p)) {
        d.unknown_fields(r, &["protocol", "start", "end"]);
        let (proto, bad_protocol) = protocol(d, r);
        let (Some(start), Some(end)) = (r.get("start"), r.get("end")) else {
            d.missing(
                r,
                if r.get("start").is_none() {
                    "start"
                } else {
                    "end"
                },
            );
            return None;
        };
        return Some(ClusterPort {
            span,
            kind: ClusterPortKind::Range(proto, d.int(start)?, d.int(end)?),
            bad_protocol,
        });
    }
    Some(ClusterPort {
        span,
        kind: ClusterPortKind::Invalid,
        bad_protocol: None,
    })
}

fn cnp_protocol<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<ClusterPort> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["tcp", "udp", "sctp", "destinationNamedPort"]);
    let span = n.span();
    if let Some(name) = n.get("destinationNamedPort") {
        return Some(ClusterPort {
            span,
            kind: ClusterPortKind::Named(d.string(name)?),
            bad_protocol: None,
        });
    }
    for (field, proto) in [
        ("tcp", Protocol::Tcp),
        ("udp", Protocol::Udp),
        ("sctp", Protocol::Sctp),
    ] {
        let Some(p) = n.get(field) else { continue };
        let p = d.map(p)?;
        d.unknown_fields(p, &["destinationPort"]);
        let Some(dp) = p.get("destinationPort").and_then(|dp| d.map(dp)) else {
            // The CRD requires destinationPort; an empty entry is refused by validation.
            return Some(ClusterPort {
                span,
                kind: ClusterPortKind::Invalid,
                bad_protocol: None,
            });
        };
        d.unknown_fields(dp, &["number", "range"]);
        if let Some(num) = dp.get("number") {
            return Some(ClusterPort {
                span,
                kind: ClusterPortKind::Number(proto, d.int(num)?),
                bad_protocol: None,
            });
        }
        if let Some(r) = dp.get("range").and_then(|r| d.map(r)) {
            d.unknown_fields(r, &["start", "end"]);
            let (Some(start), Some(end)) = (r.get("start"), r.get("end")) else {
                d.missing(
                    r,
                    if r.get("start").is_none() {
                        "start"
                    } else {
                        "end"
                    },
                );
                return None;
            };
            return Some(ClusterPort {
                span,
                kind: ClusterPortKind::Range(proto, d.int(start)?, d.int(end)?),
                bad_protocol: None,
            });
        }
        return Some(ClusterPort {
            span,
            kind: ClusterPortKind::Invalid,
            bad_protocol: None,
        });
    }
    Some(ClusterPort {
        span,
        kind: ClusterPortKind::Invalid,
        bad_protocol: None,
    })
}

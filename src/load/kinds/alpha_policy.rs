//! The original NetworkPolicy of Kubernetes 1.2, a ThirdPartyResource of
//! `net.alpha.kubernetes.io/v1alpha1`, as announced:
//!
//! ```yaml
//! spec:
//!   podSelector: {segment: backend}      # a plain label map
//!   allowIncoming:                       # one object (a list of them is tolerated)
//!     from:
//!     - pods: {segment: frontend}        # pods of the policy's namespace
//!     toPorts:
//!     - {port: 80, protocol: TCP}
//! ```
//!
//! and the Calico k8s-policy dialect of the time: `spec.ingress[]` with `from[]` entries of
//! `pods` or `namespaces` (label maps) and `ports[]` (protocols in any case). Both become
//! model NetworkPolicies of [`PolicyApi::Alpha`] with ingress rules only; the isolation they
//! take part in is the namespace's (see `Cluster::namespace_isolates`).

use super::{Decoded, meta};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::model::labels::LabelSelector;
use crate::model::policy::{Peer, PolicyApi, RuleList};
use crate::model::{Direction, NetworkPolicy, Object, PolicyPort, Rule};

/// The apiVersion of the alpha API.
pub const API_VERSION: &str = "net.alpha.kubernetes.io/v1alpha1";

/// Decodes an alpha NetworkPolicy.
pub fn decode(d: &mut Decoder, default_ns: &str) -> Decoded {
    let obj = d.object();
    let Some(m) = meta::read(d, default_ns) else {
        return Decoded::Broken;
    };
    let name_span = meta::name_span(d);
    let api_version = Spanned::new(
        API_VERSION.to_string(),
        obj.get("apiVersion").map_or(obj.span(), |n| n.span()),
    );
    let Some(spec) = obj.get("spec").and_then(|s| d.map(s)) else {
        if obj.get("spec").is_none() {
            d.missing(obj, "spec");
        }
        return Decoded::Broken;
    };
    d.unknown_fields(spec, &["podSelector", "allowIncoming", "ingress"]);
    let pod_selector = match spec.get("podSelector") {
        Some(s) => label_map(d, s),
        None => LabelSelector::everything(spec.span()),
    };
    let mut rules = Vec::new();
    let mut list_span = spec.span();
    if let Some(allow) = spec.get("allowIncoming") {
        list_span = allow.span();
        let items = if allow.is_map() {
            vec![allow]
        } else {
            d.list(allow)
        };
        for item in items {
            if let Some(r) = rule(d, item, "toPorts", rules.len()) {
                rules.push(r);
            }
        }
    }
    if let Some(ingress) = spec.get("ingress") {
        list_span = ingress.span();
        for item in d.list(ingress) {
            if let Some(r) = rule(d, item, "ports", rules.len()) {
                rules.push(r);
            }
        }
    }
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::NetworkPolicy(Box::new(NetworkPolicy {
        namespace: m.namespace,
        name: m.name.value,
        span: obj.span(),
        name_span,
        api: PolicyApi::Alpha,
        api_version,
        annotations: m.annotations,
        pod_selector,
        policy_types: None,
        ingress: Some(RuleList {
            span: list_span,
            rules,
        }),
        egress: None,
    })))
}

/// A plain label map as a selector (`{}` selects everything).
fn label_map<'d>(d: &mut Decoder<'d>, n: N<'d>) -> LabelSelector {
    LabelSelector {
        span: n.span(),
        match_labels: d.string_map(n),
        match_expressions: Vec::new(),
    }
}

fn rule<'d>(d: &mut Decoder<'d>, r: N<'d>, ports_field: &str, index: usize) -> Option<Rule> {
    let r = d.map(r)?;
    d.unknown_fields(r, &["from", ports_field]);
    let peers = r.get_raw("from").map(|list| {
        let items = d
            .list(list)
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let p = d.map(p)?;
                d.unknown_fields(p, &["pods", "namespaces"]);
                let pod_selector = p.get("pods").map(|s| label_map(d, s));
                let namespace_selector = p.get("namespaces").map(|s| label_map(d, s));
                if pod_selector.is_some() && namespace_selector.is_some() {
                    d.error(
                        p,
                        "an alpha `from` entry holds either `pods` or `namespaces`, not both",
                    );
                }
                Some(Peer {
                    span: p.span(),
                    index: i,
                    pod_selector,
                    namespace_selector,
                    ip_block: None,
                })
            })
            .collect();
        Spanned::new(items, list.span())
    });
    let ports = r.get_raw(ports_field).map(|list| {
        let items = d
            .list(list)
            .into_iter()
            .filter_map(|p| {
                let p = d.map(p)?;
                d.unknown_fields(p, &["port", "protocol"]);
                // Calico wrote protocols in lower case; the alpha API did not care.
                let protocol = p
                    .get("protocol")
                    .and_then(|x| d.string(x))
                    .map(|s| Spanned::new(s.value.to_ascii_uppercase(), s.span));
                let port = p.get("port").and_then(|x| d.int_or_string(x));
                Some(PolicyPort {
                    span: p.span(),
                    protocol,
                    port,
                    end_port: None,
                })
            })
            .collect();
        Spanned::new(items, list.span())
    });
    Some(Rule {
        span: r.span(),
        direction: Direction::Ingress,
        index,
        peers,
        ports,
    })
}

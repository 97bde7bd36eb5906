//! The checks of a rule as a whole (`spec`, each item of `specs`): its selectors, which of
//! its four lists it has, and the label selectors Cilium validates wherever they appear.

use super::Out;
use super::peers::peer_rule;
use crate::model::cilium::{CiliumKind, CiliumPolicy, CiliumRule, PeerRule};
use crate::model::labels::LabelSelector;
use crate::model::validate::label_selector;

/// One of a rule's four lists of peer rules.
#[derive(Clone, Copy)]
pub(super) struct Section {
    pub(super) field: &'static str,
    pub(super) ingress: bool,
    pub(super) deny: bool,
}

const SECTIONS: [Section; 4] = [
    Section {
        field: "ingress",
        ingress: true,
        deny: false,
    },
    Section {
        field: "ingressDeny",
        ingress: true,
        deny: true,
    },
    Section {
        field: "egress",
        ingress: false,
        deny: false,
    },
    Section {
        field: "egressDeny",
        ingress: false,
        deny: true,
    },
];

impl Section {
    fn rules(self, r: &CiliumRule) -> Option<&[PeerRule]> {
        match (self.ingress, self.deny) {
            (true, false) => r.ingress.as_deref(),
            (true, true) => r.ingress_deny.as_deref(),
            (false, false) => r.egress.as_deref(),
            (false, true) => r.egress_deny.as_deref(),
        }
    }

    /// `fromEndpoints` in ingress rules, `toEndpoints` in egress rules.
    pub(super) fn peer(self, name: &str) -> String {
        format!("{}{name}", if self.ingress { "from" } else { "to" })
    }
}

pub(super) fn rule(p: &CiliumPolicy, r: &CiliumRule, out: &mut Out) {
    let base = r.label.as_str();
    // CRD: `oneOf` endpointSelector / nodeSelector on the rule (`rule.go`); agent:
    // `Rule.Validate` "rule must have one of EndpointSelector or NodeSelector" and "rule
    // cannot have both EndpointSelector and NodeSelector".
    match (&r.endpoint_selector, &r.node_selector) {
        (None, None) => out.push(
            r.span,
            base,
            "needs `endpointSelector` (or, in a CiliumClusterwideNetworkPolicy, `nodeSelector`)",
        ),
        (Some(_), Some(n)) => out.push(
            n.span,
            format!("{base}.nodeSelector"),
            "`endpointSelector` and `nodeSelector` cannot both be set",
        ),
        _ => {}
    }
    if let Some(s) = &r.endpoint_selector {
        selector(s, &format!("{base}.endpointSelector"), out);
    }
    if let Some(n) = &r.node_selector {
        // `CiliumNetworkPolicy.Parse` (`cnp_types.go`): "rule cannot have NodeSelector".
        if p.kind == CiliumKind::NetworkPolicy {
            out.push(
                n.span,
                format!("{base}.nodeSelector"),
                "a CiliumNetworkPolicy cannot have `nodeSelector`: host policies are CiliumClusterwideNetworkPolicies",
            );
        }
        selector(n, &format!("{base}.nodeSelector"), out);
    }
    // CRD: `anyOf` required ingress / ingressDeny / egress / egressDeny on the rule; agent:
    // `Rule.Validate` "rule must have at least one of Ingress, IngressDeny, Egress,
    // EgressDeny", which counts items, so that present but empty lists are refused too.
    let present = SECTIONS.iter().any(|s| s.rules(r).is_some());
    let nonempty = SECTIONS
        .iter()
        .any(|s| s.rules(r).is_some_and(|l| !l.is_empty()));
    if !present {
        out.push(
            r.span,
            base,
            "needs at least one of `ingress`, `ingressDeny`, `egress`, `egressDeny`",
        );
    } else if !nonempty {
        out.push(
            r.span,
            base,
            "the agent refuses a rule whose `ingress`, `ingressDeny`, `egress` and `egressDeny` are all empty: default deny is written `ingress: [{}]`",
        );
    }
    let host = r.node_selector.is_some();
    for s in SECTIONS {
        for pr in s.rules(r).unwrap_or_default() {
            peer_rule(
                pr,
                &format!("{base}.{}[{}]", s.field, pr.index),
                s,
                host,
                out,
            );
        }
    }
}

/// A key without its Cilium source prefix (`k8s:app` is `app`).
fn without_source(k: &str) -> &str {
    k.split_once(':').map_or(k, |(_, rest)| rest)
}

/// Checks a label selector as the CRD (operator enum, `matchLabels` value pattern) and the
/// agent's `ValidateLabelSelector` (`EndpointSelector.Validate`, `selector.go`) do. A key's
/// Cilium source prefix (`k8s:`, `any:`, `reserved:`) is not part of the Kubernetes key.
pub(super) fn selector(s: &LabelSelector, path: &str, out: &mut Out) {
    label_selector(s, path, &without_source, &mut |span, path, message| {
        out.push(span, path, message)
    });
}

//! The plan as Cilium `cilium.io/v2` CiliumNetworkPolicies. A CNP puts the pods its
//! `endpointSelector` selects in default deny for a direction when it has rules of that
//! direction; what is allowed is the union of the allow rules, as with Kubernetes
//! NetworkPolicies. So `default-deny` is `ingress: [{}]` and `egress: [{}]`: one rule each
//! that names no peer, which enables default deny and allows nothing (it is not a
//! NetworkPolicy's allow-all `from: [{}]`).
//!
//! Peers: `fromEndpoints`/`toEndpoints` (confined to the policy's namespace unless the
//! selector names one with `k8s:io.kubernetes.pod.namespace`), `fromCIDR`/`toCIDR` for
//! addresses (which in Cilium match only addresses outside the cluster, never a pod).
//! Ports in `toPorts`, by name where the destination's containers name them.

use std::fmt::Write as _;

use super::super::plan::Ports;
use super::super::policies::{PeerSel, Policy, Rule};
use super::{comment, flow_map, head};
use crate::model::Direction;
use crate::report::yaml::scalar;

/// The identity label of a pod's namespace.
const POD_NAMESPACE: &str = "k8s:io.kubernetes.pod.namespace";

pub(super) fn policy(out: &mut String, ns: &str, p: &Policy) {
    head(out, "cilium.io/v2", "CiliumNetworkPolicy", ns, p);
    if p.pod_selector.is_empty() {
        out.push_str("  endpointSelector: {}\n");
    } else {
        let _ = writeln!(
            out,
            "  endpointSelector:\n    matchLabels: {}",
            flow_map(&p.pod_selector)
        );
    }
    for dir in [Direction::Ingress, Direction::Egress] {
        let Some(rules) = p.rules(dir) else {
            continue;
        };
        if rules.is_empty() {
            // Default deny: a rule that names no peer allows nothing.
            let _ = writeln!(out, "  {}: [{{}}]", dir.field());
            continue;
        }
        let _ = writeln!(out, "  {}:", dir.field());
        for r in rules {
            rule(out, dir, r);
        }
    }
}

fn rule(out: &mut String, dir: Direction, r: &Rule) {
    comment(out, "  ", &r.comment);
    let (endpoints, cidr) = match dir {
        Direction::Ingress => ("fromEndpoints", "fromCIDR"),
        Direction::Egress => ("toEndpoints", "toCIDR"),
    };
    let selector = |namespace: Option<&str>, labels: &[(String, String)]| {
        let mut pairs: Vec<(String, String)> = namespace
            .map(|n| (POD_NAMESPACE.to_string(), n.to_string()))
            .into_iter()
            .collect();
        pairs.extend(labels.iter().cloned());
        if pairs.is_empty() {
            "{}".to_string()
        } else {
            format!("{{matchLabels: {}}}", flow_map(&pairs))
        }
    };
    match &r.peer {
        PeerSel::Block(net) => {
            let _ = writeln!(out, "  - {cidr}: [{}]", scalar(&net.to_string()));
        }
        PeerSel::Namespaces(list) => {
            let _ = writeln!(out, "  - {endpoints}:");
            for n in list {
                let _ = writeln!(out, "    - {}", selector(Some(n), &[]));
            }
        }
        PeerSel::Pods { namespace, labels } => {
            let _ = writeln!(out, "  - {endpoints}:");
            let _ = writeln!(out, "    - {}", selector(namespace.as_deref(), labels));
        }
    }
    if let Ports::List(items) = &r.ports {
        out.push_str("    toPorts:\n    - ports:\n");
        for i in items {
            let port = match &i.name {
                Some(name) => scalar(name),
                None => format!("\"{}\"", i.port),
            };
            let _ = writeln!(out, "      - {{port: {port}, protocol: {}}}", i.protocol);
        }
    }
}

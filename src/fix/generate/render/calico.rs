//! The plan as Calico `projectcalico.org/v3` NetworkPolicies, in the default tier, without
//! `order`: each policy applies to the pods its `selector` matches in the directions its
//! `types` name, and every rule is an `Allow`. In the default tier a port no rule of the
//! policies applying to a pod allows falls through to the tier's end, Deny; so the pods are
//! isolated both ways by `default-deny` (`selector: all()`, both types, no rule), and what
//! is allowed is the union of the rules, as with Kubernetes NetworkPolicies.
//!
//! Peers: `selector` (confined to the policy's namespace), `namespaceSelector` on
//! `projectcalico.org/name` (the name Calico gives every namespace) for another namespace,
//! `nets` for addresses. A rule names one protocol: a peer allowed on ports of two
//! protocols is one rule per protocol. Ports go in `destination.ports`, by name where the
//! destination's containers name them.

use std::fmt::Write as _;

use super::super::plan::{PortItem, Ports};
use super::super::policies::{PeerSel, Policy, Rule};
use super::{comment, head};
use crate::model::{Direction, Protocol};
use crate::report::yaml::scalar;

/// The label Calico gives every namespace: its name.
const NAMESPACE_NAME: &str = "projectcalico.org/name";

/// `app == 'api' && tier == 'back'`; `all()` for no label.
fn selector(labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return "all()".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k} == '{v}'"))
        .collect::<Vec<_>>()
        .join(" && ")
}

fn namespaces(list: &[String]) -> String {
    match list {
        [one] => format!("{NAMESPACE_NAME} == '{one}'"),
        _ => {
            let names: Vec<String> = list.iter().map(|n| format!("'{n}'")).collect();
            format!("{NAMESPACE_NAME} in {{{}}}", names.join(", "))
        }
    }
}

pub(super) fn policy(out: &mut String, ns: &str, p: &Policy) {
    head(out, "projectcalico.org/v3", "NetworkPolicy", ns, p);
    let _ = writeln!(out, "  selector: {}", scalar(&selector(&p.pod_selector)));
    let types: Vec<&str> = [Direction::Ingress, Direction::Egress]
        .into_iter()
        .filter(|&d| p.rules(d).is_some())
        .map(Direction::as_str)
        .collect();
    let _ = writeln!(out, "  types: [{}]", types.join(", "));
    for dir in [Direction::Ingress, Direction::Egress] {
        let Some(rules) = p.rules(dir).filter(|r| !r.is_empty()) else {
            continue;
        };
        let _ = writeln!(out, "  {}:", dir.field());
        for r in rules {
            rule(out, dir, r);
        }
    }
}

fn rule(out: &mut String, dir: Direction, r: &Rule) {
    comment(out, "  ", &r.comment);
    // One rule per protocol (None: every protocol and port).
    let by_protocol: Vec<(Option<Protocol>, Vec<&PortItem>)> = match &r.ports {
        Ports::All => vec![(None, Vec::new())],
        Ports::List(items) => {
            let mut groups: Vec<(Option<Protocol>, Vec<&PortItem>)> = Vec::new();
            for i in items {
                match groups.iter_mut().find(|(p, _)| *p == Some(i.protocol)) {
                    Some((_, list)) => list.push(i),
                    None => groups.push((Some(i.protocol), vec![i])),
                }
            }
            groups
        }
    };
    for (protocol, items) in by_protocol {
        out.push_str("  - action: Allow\n");
        if let Some(p) = protocol {
            let _ = writeln!(out, "    protocol: {p}");
        }
        let ports: Vec<String> = items
            .iter()
            .map(|i| i.name.as_deref().map_or_else(|| i.port.to_string(), scalar))
            .collect();
        let ports = (!ports.is_empty()).then(|| format!("      ports: [{}]\n", ports.join(", ")));
        match dir {
            Direction::Ingress => {
                out.push_str("    source:\n");
                peer(out, &r.peer);
                if let Some(ports) = ports {
                    out.push_str("    destination:\n");
                    out.push_str(&ports);
                }
            }
            Direction::Egress => {
                out.push_str("    destination:\n");
                peer(out, &r.peer);
                if let Some(ports) = ports {
                    out.push_str(&ports);
                }
            }
        }
    }
}

fn peer(out: &mut String, p: &PeerSel) {
    match p {
        PeerSel::Block(net) => {
            let _ = writeln!(out, "      nets: [{}]", scalar(&net.to_string()));
        }
        PeerSel::Namespaces(list) => {
            let _ = writeln!(
                out,
                "      namespaceSelector: {}",
                scalar(&namespaces(list))
            );
        }
        PeerSel::Pods { namespace, labels } => {
            if let Some(n) = namespace {
                let _ = writeln!(
                    out,
                    "      namespaceSelector: {}",
                    scalar(&namespaces(std::slice::from_ref(n)))
                );
            }
            let _ = writeln!(out, "      selector: {}", scalar(&selector(labels)));
        }
    }
}

//! Writing model objects back as YAML (for `migrate`): block style, two-space indents,
//! strings quoted whenever a YAML 1.1 or 1.2 reader could take them for something else.

use std::fmt::Write;

use crate::base::value::IntOrString;
use crate::model::labels::LabelSelector;
use crate::model::policy::Peer;
use crate::model::{Direction, NetworkPolicy};

/// A scalar as YAML: plain when safe, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    crate::base::yaml_edit::scalar(s)
}

fn selector(out: &mut String, indent: usize, key: &str, sel: &LabelSelector) {
    let pad = " ".repeat(indent);
    if sel.is_empty() {
        let _ = writeln!(out, "{pad}{key}: {{}}");
        return;
    }
    let _ = writeln!(out, "{pad}{key}:");
    if !sel.match_labels.is_empty() {
        let _ = writeln!(out, "{pad}  matchLabels:");
        for (k, v) in &sel.match_labels {
            let _ = writeln!(out, "{pad}    {}: {}", scalar(k), scalar(v));
        }
    }
    if !sel.match_expressions.is_empty() {
        let _ = writeln!(out, "{pad}  matchExpressions:");
        for e in &sel.match_expressions {
            let _ = writeln!(out, "{pad}  - key: {}", scalar(&e.key));
            let _ = writeln!(out, "{pad}    operator: {}", scalar(&e.operator));
            if !e.values.is_empty() {
                let values: Vec<String> = e.values.iter().map(|v| scalar(v)).collect();
                let _ = writeln!(out, "{pad}    values: [{}]", values.join(", "));
            }
        }
    }
}

fn peer(out: &mut String, indent: usize, p: &Peer) {
    let pad = " ".repeat(indent);
    let mut first = true;
    let mut item = || {
        let lead = if first {
            format!("{pad}- ")
        } else {
            format!("{pad}  ")
        };
        first = false;
        lead
    };
    if let Some(s) = &p.namespace_selector {
        let lead = item();
        let mut sub = String::new();
        selector(&mut sub, indent + 2, "namespaceSelector", s);
        out.push_str(&lead);
        out.push_str(sub.trim_start());
    }
    if let Some(s) = &p.pod_selector {
        let lead = item();
        let mut sub = String::new();
        selector(&mut sub, indent + 2, "podSelector", s);
        out.push_str(&lead);
        out.push_str(sub.trim_start());
    }
    if let Some(b) = &p.ip_block {
        let lead = item();
        let _ = writeln!(out, "{lead}ipBlock:");
        let _ = writeln!(out, "{pad}    cidr: {}", scalar(&b.cidr));
        if !b.except.is_empty() {
            let ex: Vec<String> = b.except.iter().map(|e| scalar(e)).collect();
            let _ = writeln!(out, "{pad}    except: [{}]", ex.join(", "));
        }
    }
}

/// A NetworkPolicy as a YAML document (without the leading `---`).
pub fn network_policy(p: &NetworkPolicy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "apiVersion: {}", p.api_version.value);
    out.push_str("kind: NetworkPolicy\nmetadata:\n");
    let _ = writeln!(out, "  name: {}", scalar(&p.name));
    let _ = writeln!(out, "  namespace: {}", scalar(&p.namespace));
    out.push_str("spec:\n");
    selector(&mut out, 2, "podSelector", &p.pod_selector);
    if let Some(types) = &p.policy_types {
        let t: Vec<&str> = types.value.iter().map(|t| t.value.as_str()).collect();
        let _ = writeln!(out, "  policyTypes: [{}]", t.join(", "));
    }
    for dir in Direction::BOTH {
        let list = match dir {
            Direction::Ingress => &p.ingress,
            Direction::Egress => &p.egress,
        };
        let Some(list) = list else { continue };
        if list.rules.is_empty() {
            let _ = writeln!(out, "  {}: []", dir.field());
            continue;
        }
        let _ = writeln!(out, "  {}:", dir.field());
        for r in &list.rules {
            let mut lead = "  - ";
            if let Some(peers) = &r.peers {
                if peers.value.is_empty() {
                    let _ = writeln!(out, "{lead}{}: []", dir.peers_field());
                } else {
                    let _ = writeln!(out, "{lead}{}:", dir.peers_field());
                    for pe in &peers.value {
                        peer(&mut out, 4, pe);
                    }
                }
                lead = "    ";
            }
            if let Some(ports) = &r.ports {
                if ports.value.is_empty() {
                    let _ = writeln!(out, "{lead}ports: []");
                } else {
                    let _ = writeln!(out, "{lead}ports:");
                    for pp in &ports.value {
                        let mut fields = Vec::new();
                        if let Some(proto) = &pp.protocol {
                            fields.push(format!("protocol: {}", scalar(proto)));
                        }
                        match pp.port.as_ref().map(|x| &x.value) {
                            Some(IntOrString::Int(n)) => fields.push(format!("port: {n}")),
                            Some(IntOrString::Str(s)) => {
                                fields.push(format!("port: {}", scalar(s)))
                            }
                            None => {}
                        }
                        if let Some(e) = &pp.end_port {
                            fields.push(format!("endPort: {}", e.value));
                        }
                        let _ = writeln!(out, "    - {{{}}}", fields.join(", "));
                    }
                }
                lead = "    ";
            }
            if lead == "  - " {
                out.push_str("  - {}\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn ambiguous_scalars_are_quoted() {
        assert_eq!(scalar("backend"), "backend");
        assert_eq!(
            scalar("kubernetes.io/metadata.name"),
            "kubernetes.io/metadata.name"
        );
        for s in ["on", "yes", "80", "0777", "", "1.5", "a b", "*x", "-x"] {
            assert!(scalar(s).starts_with('"'), "{s}");
        }
    }
}

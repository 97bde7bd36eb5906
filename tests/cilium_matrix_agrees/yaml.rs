//! A [`Case`] written as the YAML a user would apply.

use std::fmt::Write as _;

use super::*;
use support::k8s_policy::{flow_labels, k8s_yaml};

/// A Cilium selector as a flow mapping (keys and values quoted: keys hold `:`, values may be
/// empty).
fn sel_yaml(s: &Sel) -> String {
    let mut parts = Vec::new();
    if !s.labels.is_empty() {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|&(k, v)| format!("'{}': '{}'", SEL_KEYS[k].0, SEL_KEYS[k].1[v]))
            .collect();
        parts.push(format!("matchLabels: {{{}}}", labels.join(", ")));
    }
    if !s.exprs.is_empty() {
        let exprs: Vec<String> = s
            .exprs
            .iter()
            .map(|(k, op, values)| {
                let (key, domain) = SEL_KEYS[*k];
                if values.is_empty() {
                    format!("{{key: '{key}', operator: {}}}", OPERATORS[*op])
                } else {
                    let vs: Vec<String> =
                        values.iter().map(|&v| format!("'{}'", domain[v])).collect();
                    format!(
                        "{{key: '{key}', operator: {}, values: [{}]}}",
                        OPERATORS[*op],
                        vs.join(", ")
                    )
                }
            })
            .collect();
        parts.push(format!("matchExpressions: [{}]", exprs.join(", ")));
    }
    format!("{{{}}}", parts.join(", "))
}

fn port_proto_yaml(p: &PortProto) -> String {
    let mut f = vec![match p.port {
        PortValue::Number(n) => format!("port: '{}'", PORTS[n]),
        PortValue::Zero => "port: '0'".to_string(),
        PortValue::Name(n) => format!("port: {}", PORT_NAMES[n]),
    }];
    if let Some(e) = p.end_port {
        f.push(format!("endPort: {}", END_PORTS[e]));
    }
    if let Some(pr) = p.protocol {
        f.push(format!("protocol: {}", PROTOCOLS[pr]));
    }
    format!("{{{}}}", f.join(", "))
}

/// A peer rule as a flow mapping; `ingress` names the fields `from…`.
fn peer_rule_yaml(r: &PeerRule, ingress: bool) -> String {
    let dir = if ingress { "from" } else { "to" };
    let mut parts = Vec::new();
    let join = |v: Vec<String>| format!("[{}]", v.join(", "));
    match &r.peer {
        Peer::None => {}
        Peer::Endpoints(sels) => parts.push(format!(
            "{dir}Endpoints: {}",
            join(sels.iter().map(sel_yaml).collect())
        )),
        Peer::Entities(es) => {
            let mut es: Vec<&str> = es.iter().map(|&e| ENTITIES[e]).collect();
            es.dedup();
            parts.push(format!("{dir}Entities: [{}]", es.join(", ")));
        }
        Peer::Cidr(cs) => parts.push(format!(
            "{dir}CIDR: {}",
            join(cs.iter().map(|&c| format!("'{}'", CIDRS[c].0)).collect())
        )),
        Peer::CidrSet(items) => parts.push(format!(
            "{dir}CIDRSet: {}",
            join(
                items
                    .iter()
                    .map(|i| match i {
                        CidrItem::Cidr(c, ex) if ex.is_empty() => {
                            format!("{{cidr: '{}'}}", CIDRS[*c].0)
                        }
                        CidrItem::Cidr(c, ex) => format!(
                            "{{cidr: '{}', except: [{}]}}",
                            CIDRS[*c].0,
                            ex.iter()
                                .map(|&e| format!("'{}'", CIDRS[*c].1[e]))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        CidrItem::Group(g) => format!("{{cidrGroupRef: {}}}", GROUPS[*g]),
                    })
                    .collect()
            )
        )),
        Peer::Services(svcs) => parts.push(format!(
            "toServices: {}",
            join(
                svcs.iter()
                    .map(|(name, ns)| match ns {
                        Some(ns) => format!(
                            "{{k8sService: {{serviceName: {}, namespace: {}}}}}",
                            SERVICE_NAMES[*name], NAMESPACES[*ns]
                        ),
                        None =>
                            format!("{{k8sService: {{serviceName: {}}}}}", SERVICE_NAMES[*name]),
                    })
                    .collect()
            )
        )),
    }
    match &r.l4 {
        L4::None => {}
        L4::ToPorts(items) => parts.push(format!(
            "toPorts: {}",
            join(
                items
                    .iter()
                    .map(|ports| format!(
                        "{{ports: {}}}",
                        join(ports.iter().map(port_proto_yaml).collect())
                    ))
                    .collect()
            )
        )),
        L4::Icmps(types) => parts.push(format!(
            "icmps: [{{fields: {}}}]",
            join(
                types
                    .iter()
                    .map(|t| format!("{{type: {t}, family: IPv4}}"))
                    .collect()
            )
        )),
    }
    format!("{{{}}}", parts.join(", "))
}

const LIST_FIELDS: [&str; 4] = ["ingress", "ingressDeny", "egress", "egressDeny"];

/// A rule's lines (`key: value`), without indentation.
fn rule_lines(r: &CiliumRule) -> Vec<String> {
    let mut lines = vec![format!("endpointSelector: {}", sel_yaml(&r.selector))];
    if let Some((i, e)) = r.default_deny {
        let mut f = Vec::new();
        if let Some(i) = i {
            f.push(format!("ingress: {i}"));
        }
        if let Some(e) = e {
            f.push(format!("egress: {e}"));
        }
        lines.push(format!("enableDefaultDeny: {{{}}}", f.join(", ")));
    }
    // The agent refuses a rule whose lists are all absent or empty: such a rule denies
    // all ingress instead.
    let nonempty = r
        .lists
        .iter()
        .any(|l| matches!(l, RuleList::EmptyRule | RuleList::Rules(_)));
    for (k, (field, list)) in LIST_FIELDS.iter().zip(&r.lists).enumerate() {
        let ingress = k < 2;
        match list {
            RuleList::Absent if k == 0 && !nonempty => lines.push(format!("{field}: [{{}}]")),
            RuleList::Absent => {}
            RuleList::Empty if k == 0 && !nonempty => lines.push(format!("{field}: [{{}}]")),
            RuleList::Empty => lines.push(format!("{field}: []")),
            RuleList::EmptyRule => lines.push(format!("{field}: [{{}}]")),
            RuleList::Rules(rules) => {
                lines.push(format!("{field}:"));
                for pr in rules {
                    lines.push(format!("- {}", peer_rule_yaml(pr, ingress)));
                }
            }
        }
    }
    lines
}

fn cilium_policy_yaml(out: &mut String, p: &CiliumPolicy) {
    let name = POLICY_NAMES[p.name];
    if p.clusterwide {
        let _ = writeln!(
            out,
            "---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {{name: {name}}}"
        );
    } else {
        let _ = writeln!(
            out,
            "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: {name}, namespace: {}}}",
            NAMESPACES[p.ns]
        );
    }
    if let Some(r) = &p.spec {
        out.push_str("spec:\n");
        for l in rule_lines(r) {
            let _ = writeln!(out, "  {l}");
        }
    }
    if let Some(rs) = &p.specs {
        out.push_str("specs:\n");
        for r in rs {
            for (i, l) in rule_lines(r).into_iter().enumerate() {
                let _ = writeln!(out, "{} {l}", if i == 0 { "-" } else { " " });
            }
        }
    }
}

/// A pod's addresses: in its node's pod CIDRs, or the node's own for hostNetwork.
fn pod_ips(p: &Pod, dual_stack: bool) -> Vec<String> {
    let n = p.node.unwrap_or(p.ip_node);
    let host = POD_HOSTS[match p.ip {
        Some(h) => h,
        None => return Vec::new(),
    }];
    let mut ips = vec![if p.host_network {
        NODES[n].1.to_string()
    } else {
        format!("{}{host}", NODES[n].3)
    }];
    if dual_stack && (p.v6 || p.host_network) {
        ips.push(if p.host_network {
            NODES_V6[n].0.to_string()
        } else {
            format!("{}{host}", NODES_V6[n].2)
        });
    }
    ips
}

/// The case as manifests (one file).
pub fn yaml(c: &Case) -> String {
    let mut out = String::new();
    for (i, (name, ip, cidr, _)) in NODES.iter().enumerate() {
        let mut extra = String::new();
        let mut cidrs = format!("'{cidr}'");
        if c.dual_stack {
            let (ip6, cidr6, _) = NODES_V6[i];
            let _ = write!(extra, ", {{type: InternalIP, address: '{ip6}'}}");
            let _ = write!(cidrs, ", '{cidr6}'");
        }
        if i == 1 && c.node_external_ip {
            let _ = write!(
                extra,
                ", {{type: ExternalIP, address: '{NODE_EXTERNAL_IP}'}}"
            );
        }
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nspec: {{podCIDR: '{cidr}', podCIDRs: [{cidrs}]}}\nstatus: {{addresses: [{{type: InternalIP, address: '{ip}'}}, {{type: Hostname, address: {name}}}{extra}]}}"
        );
    }
    for (i, l) in c.namespaces.iter().enumerate() {
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {}, labels: {}}}",
            NAMESPACES[i],
            flow_labels(l, &NS_KEYS)
        );
    }
    for (i, p) in c.pods.iter().enumerate() {
        let mut seen = Vec::new();
        let ports: Vec<String> = p
            .ports
            .iter()
            .map(|cp| {
                let mut f = Vec::new();
                // Port names are unique in a pod.
                if let Some(n) = cp.name
                    && !seen.contains(&n)
                {
                    seen.push(n);
                    f.push(format!("name: {}", PORT_NAMES[n]));
                }
                f.push(format!("containerPort: {}", PORTS[cp.port]));
                if let Some(pr) = cp.protocol {
                    f.push(format!("protocol: {}", CONTAINER_PROTOCOLS[pr]));
                }
                format!("{{{}}}", f.join(", "))
            })
            .collect();
        let mut spec = Vec::new();
        if let Some(n) = p.node {
            spec.push(format!("nodeName: {}", NODES[n].0));
        }
        if p.host_network {
            spec.push("hostNetwork: true".to_string());
        }
        if let Some(sa) = p.service_account {
            spec.push(format!("serviceAccountName: {}", SERVICE_ACCOUNTS[sa]));
        }
        spec.push(format!(
            "containers: [{{name: c, ports: [{}]}}]",
            ports.join(", ")
        ));
        let ips = pod_ips(p, c.dual_stack);
        let status = support::k8s_policy::pod_status(&ips);
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: {}, labels: {}}}\nspec: {{{}}}\nstatus: {status}",
            NAMESPACES[p.ns],
            flow_labels(&p.labels, &POD_KEYS),
            spec.join(", ")
        );
    }
    if let Some(s) = &c.service {
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc, namespace: {}}}\nspec: {{selector: {{app: {}}}, ports: [{{port: 80}}]}}",
            NAMESPACES[s.ns], APPS[s.app]
        );
    }
    for (i, cidrs) in c.groups.iter().enumerate() {
        let mut cs: Vec<String> = cidrs.iter().map(|&c| format!("'{}'", CIDRS[c].0)).collect();
        cs.sort_unstable();
        cs.dedup();
        let _ = writeln!(
            out,
            "---\napiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {{name: {}}}\nspec: {{externalCIDRs: [{}]}}",
            GROUPS[i],
            cs.join(", ")
        );
    }
    for p in &c.k8s {
        k8s_yaml(&K8S, &mut out, p);
    }
    for p in &c.policies {
        cilium_policy_yaml(&mut out, p);
    }
    out
}

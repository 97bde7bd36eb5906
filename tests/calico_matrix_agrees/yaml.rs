//! A [`Case`] written as the YAML a user would apply.

use std::fmt::Write as _;

use super::*;

fn flow_labels(l: &Labels) -> String {
    support::k8s_policy::flow_labels(l, &LABEL_KEYS)
}

fn sel_text(s: &Sel, keys: &Keys) -> String {
    // Composite operands are parenthesised; `!` applies to a leaf or a parenthesised group.
    let operand = |x: &Sel| match x {
        Sel::And(_) | Sel::Or(_) => format!("({})", sel_text(x, keys)),
        _ => sel_text(x, keys),
    };
    match s {
        Sel::All => "all()".into(),
        Sel::Leaf { key, op, values } => {
            let (k, domain) = keys[key % keys.len()];
            let v = |i: usize| domain[i % domain.len()];
            let set = || {
                let vs: Vec<String> = values.iter().map(|&i| format!("'{}'", v(i))).collect();
                vs.join(", ")
            };
            match op {
                0 => format!("{k} == '{}'", v(values[0])),
                1 => format!("{k} != '{}'", v(values[0])),
                2 => format!("{k} in {{{}}}", set()),
                3 => format!("{k} not in {{{}}}", set()),
                4 => format!("has({k})"),
                _ => format!("!has({k})"),
            }
        }
        Sel::Not(x) => format!("!{}", operand(x)),
        Sel::And(xs) => xs.iter().map(operand).collect::<Vec<_>>().join(" && "),
        Sel::Or(xs) => xs.iter().map(operand).collect::<Vec<_>>().join(" || "),
    }
}

/// A selector as a YAML double-quoted scalar (selectors hold no `"` or `\`).
fn quoted(s: &Sel, keys: &Keys) -> String {
    format!("\"{}\"", sel_text(s, keys))
}

/// Whether a protocol (index into [`PROTOCOLS`]) has ports: TCP, UDP, 6, 17.
fn port_protocol(p: Option<usize>) -> Option<bool> {
    p.map(|p| PROTOCOLS[p] != "ICMP")
}

fn ports_yaml(list: &[Port], protocol: Option<usize>) -> Option<String> {
    let capable = port_protocol(protocol);
    let items: Vec<String> = list
        .iter()
        .filter_map(|p| match (p, capable) {
            // Numbers and ranges need a protocol with ports.
            (Port::Number(n), Some(true)) => Some(PORTS[*n].to_string()),
            (Port::Range(r), Some(true)) => Some(format!("'{}'", RANGES[*r])),
            // Names need such a protocol or none.
            (Port::Name(n), Some(true) | None) => Some(PORT_NAMES[*n].to_string()),
            _ => None,
        })
        .collect();
    (!items.is_empty()).then(|| format!("[{}]", items.join(", ")))
}

fn entity_yaml(e: &Entity, r: &Rule) -> String {
    let nets = if r.v6 { &NETS_V6[..] } else { &NETS_V4[..] };
    let mut parts = Vec::new();
    if let Some(s) = &e.selector {
        parts.push(format!("selector: {}", quoted(s, &ENDPOINT_KEYS)));
    }
    if let Some(s) = &e.not_selector {
        parts.push(format!("notSelector: {}", quoted(s, &ENDPOINT_KEYS)));
    }
    match &e.namespace_selector {
        None => {}
        Some(NsSel::All) => parts.push("namespaceSelector: all()".into()),
        Some(NsSel::Global) => parts.push("namespaceSelector: global()".into()),
        Some(NsSel::Expr(s)) => {
            parts.push(format!("namespaceSelector: {}", quoted(s, &NAMESPACE_KEYS)))
        }
    }
    let cidrs = |list: &[usize], negated: bool| -> Vec<String> {
        let mut v: Vec<&str> = list
            .iter()
            .map(|&i| nets[i % nets.len()])
            // notNets may not hold every address.
            .filter(|n| !(negated && n.ends_with("/0")))
            .collect();
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(|n| format!("'{n}'")).collect()
    };
    let n = cidrs(&e.nets, false);
    if !n.is_empty() {
        parts.push(format!("nets: [{}]", n.join(", ")));
    }
    let n = cidrs(&e.not_nets, true);
    if !n.is_empty() {
        parts.push(format!("notNets: [{}]", n.join(", ")));
    }
    if let Some((names, selector)) = &e.service_accounts {
        let mut sa = Vec::new();
        if !names.is_empty() {
            let names: Vec<&str> = names.iter().map(|&i| SERVICE_ACCOUNTS[i]).collect();
            sa.push(format!("names: [{}]", names.join(", ")));
        }
        if let Some(s) = selector {
            sa.push(format!("selector: {}", quoted(s, &SA_KEYS)));
        }
        parts.push(format!("serviceAccounts: {{{}}}", sa.join(", ")));
    }
    if let Some(p) = ports_yaml(&e.ports, r.protocol) {
        parts.push(format!("ports: {p}"));
    }
    if let Some(p) = ports_yaml(&e.not_ports, r.protocol) {
        parts.push(format!("notPorts: {p}"));
    }
    format!("{{{}}}", parts.join(", "))
}

/// Whether the rule writes any CIDR.
fn has_nets(r: &Rule) -> bool {
    [&r.source, &r.destination].into_iter().flatten().any(|e| {
        !e.nets.is_empty()
            || e.not_nets.iter().any(|&i| {
                let nets = if r.v6 { &NETS_V6[..] } else { &NETS_V4[..] };
                !nets[i % nets.len()].ends_with("/0")
            })
    })
}

fn rule_yaml(out: &mut String, r: &Rule) {
    let _ = writeln!(out, "  - action: {}", ACTIONS[r.action]);
    if let Some(p) = r.protocol {
        let _ = writeln!(out, "    protocol: {}", PROTOCOLS[p]);
    }
    if let Some(p) = r.not_protocol {
        let _ = writeln!(out, "    notProtocol: {}", NOT_PROTOCOLS[p]);
    }
    let icmp = r.protocol.is_some_and(|p| PROTOCOLS[p] == "ICMP")
        || r.not_protocol.is_some_and(|p| NOT_PROTOCOLS[p] == "ICMP");
    if let Some(t) = r.icmp
        && r.protocol.is_some_and(|p| PROTOCOLS[p] == "ICMP")
    {
        let _ = writeln!(out, "    icmp: {{type: {t}}}");
    }
    // ipVersion must agree with the CIDRs' family, and ICMP is IPv4 only.
    let written = match r.ip_version {
        Some(4) if !has_nets(r) || !r.v6 => Some(4),
        Some(6) if (!has_nets(r) || r.v6) && !icmp => Some(6),
        _ => None,
    };
    if let Some(v) = written {
        let _ = writeln!(out, "    ipVersion: {v}");
    }
    if let Some(e) = &r.source {
        let _ = writeln!(out, "    source: {}", entity_yaml(e, r));
    }
    if let Some(e) = &r.destination {
        let _ = writeln!(out, "    destination: {}", entity_yaml(e, r));
    }
}

fn calico_policy_yaml(doc: &mut String, p: &CalicoPolicy) {
    let kind = [
        "NetworkPolicy",
        "GlobalNetworkPolicy",
        "StagedNetworkPolicy",
        "StagedGlobalNetworkPolicy",
    ][p.kind];
    let global = p.kind % 2 == 1;
    let staged = p.kind >= 2;
    let name = POLICY_NAMES[p.name];
    let meta = if global {
        format!("{{name: {name}}}")
    } else {
        format!("{{name: {name}, namespace: n{}}}", p.ns)
    };
    let _ = writeln!(
        doc,
        "---\napiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {meta}"
    );
    let mut out = String::new();
    spec_yaml(&mut out, p, global, staged);
    if out.is_empty() {
        doc.push_str("spec: {}\n");
    } else {
        doc.push_str("spec:\n");
        doc.push_str(&out);
    }
}

/// The spec's lines (none when the spec is empty).
fn spec_yaml(out: &mut String, p: &CalicoPolicy, global: bool, staged: bool) {
    if let Some(t) = TIERS[p.tier] {
        let _ = writeln!(out, "  tier: {t}");
    }
    if staged && p.staged_action == 2 {
        // A staged deletion: nothing but its tier.
        let _ = writeln!(out, "  stagedAction: Delete");
        return;
    }
    if staged && p.staged_action == 1 {
        let _ = writeln!(out, "  stagedAction: Set");
    }
    if let Some(o) = p.order {
        let _ = writeln!(out, "  order: {}", ORDERS[o]);
    }
    match &p.selector {
        None => {}
        Some(None) => {
            let _ = writeln!(out, "  selector: ''");
        }
        Some(Some(s)) => {
            let _ = writeln!(out, "  selector: {}", quoted(s, &ENDPOINT_KEYS));
        }
    }
    if global && let Some(s) = &p.namespace_selector {
        let _ = writeln!(out, "  namespaceSelector: {}", quoted(s, &NAMESPACE_KEYS));
    }
    if let Some(s) = &p.service_account_selector {
        let _ = writeln!(out, "  serviceAccountSelector: {}", quoted(s, &SA_KEYS));
    }
    if let Some(t) = p.types {
        let _ = writeln!(
            out,
            "  types: {}",
            ["[Ingress]", "[Egress]", "[Ingress, Egress]"][t]
        );
    }
    if global && p.apply_on_forward {
        let _ = writeln!(out, "  applyOnForward: true");
    }
    for (field, rules) in [("ingress", &p.ingress), ("egress", &p.egress)] {
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {field}:");
        for r in rules {
            rule_yaml(out, r);
        }
    }
}

/// The case as manifests (one file).
pub fn yaml(c: &Case) -> String {
    let mut out = String::new();
    for (i, l) in c.namespaces.iter().enumerate() {
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: n{i}, labels: {}}}",
            flow_labels(l)
        );
    }
    for (ns, name, l) in &c.service_accounts {
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {}, namespace: n{ns}, labels: {}}}",
            SERVICE_ACCOUNTS[*name],
            flow_labels(l)
        );
    }
    for (i, p) in c.pods.iter().enumerate() {
        let ports: Vec<String> = p
            .ports
            .iter()
            .map(|cp| {
                let proto = cp.protocol.map_or(String::new(), |pr| {
                    format!(", protocol: {}", CONTAINER_PROTOCOLS[pr])
                });
                format!(
                    "{{name: {}, containerPort: {}{proto}}}",
                    PORT_NAMES[cp.name], PORTS[cp.port]
                )
            })
            .collect();
        let sa = p.service_account.map_or(String::new(), |s| {
            format!("serviceAccountName: {}, ", SERVICE_ACCOUNTS[s])
        });
        let ips: Vec<&str> =
            p.v4.map(|i| IPS_V4[i])
                .into_iter()
                .chain(p.v6.map(|i| IPS_V6[i]))
                .collect();
        let status = support::k8s_policy::pod_status(&ips);
        let _ = writeln!(
            out,
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: n{}, labels: {}}}\nspec: {{{sa}hostNetwork: {}, containers: [{{name: c, ports: [{}]}}]}}\nstatus: {status}",
            p.ns,
            flow_labels(&p.labels),
            p.host_network,
            ports.join(", ")
        );
    }
    for (i, t) in c.tiers.iter().enumerate() {
        let mut spec = Vec::new();
        if let Some(o) = t.order {
            spec.push(format!("order: {}", TIER_ORDERS[o]));
        }
        if let Some(pass) = t.default_action {
            spec.push(format!(
                "defaultAction: {}",
                if pass { "Pass" } else { "Deny" }
            ));
        }
        let _ = writeln!(
            out,
            "---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {{name: t{i}}}\nspec: {{{}}}",
            spec.join(", ")
        );
    }
    for (i, s) in c.sets.iter().enumerate() {
        let (kind, meta) = if s.global {
            (
                "GlobalNetworkSet",
                format!("{{name: s{i}, labels: {}}}", flow_labels(&s.labels)),
            )
        } else {
            (
                "NetworkSet",
                format!(
                    "{{name: s{i}, namespace: n{}, labels: {}}}",
                    s.ns,
                    flow_labels(&s.labels)
                ),
            )
        };
        let mut nets: Vec<String> = s
            .nets
            .iter()
            .map(|&n| format!("'{}'", SET_NETS[n]))
            .collect();
        nets.sort_unstable();
        nets.dedup();
        let _ = writeln!(
            out,
            "---\napiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {meta}\nspec: {{nets: [{}]}}",
            nets.join(", ")
        );
    }
    for p in &c.k8s {
        support::k8s_policy::k8s_yaml(&K8S, &mut out, p);
    }
    for p in &c.policies {
        calico_policy_yaml(&mut out, p);
    }
    out
}

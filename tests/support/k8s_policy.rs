//! Random Kubernetes NetworkPolicies (networking.k8s.io/v1, sometimes as Calico's
//! StagedKubernetesNetworkPolicy) for the property tests that mix them into clusters of
//! another flavour: the model, its strategy and its YAML writer, over [`Tables`] that say
//! what each test's cluster holds.

use std::fmt::Write as _;

use proptest::prelude::*;

/// Labels: (key index, value index) pairs over a [`Keys`] table.
pub type Labels = Vec<(usize, usize)>;

/// Label keys with the values they take.
pub type Keys = [(&'static str, &'static [&'static str])];

/// What the policies may name; namespaces are `n0`, `n1`...
pub struct Tables {
    /// Pod label keys (podSelector and peers' podSelector).
    pub pod_keys: &'static Keys,
    /// Namespace label keys (peers' namespaceSelector).
    pub ns_keys: &'static Keys,
    /// `metadata.name`s.
    pub policy_names: &'static [&'static str],
    /// ipBlocks, each with an except inside it (or none).
    pub blocks: &'static [(&'static str, Option<&'static str>)],
    /// Port numbers and names (those the pods' container ports use).
    pub ports: &'static [u16],
    pub port_names: &'static [&'static str],
    /// `ports[].protocol` values.
    pub protocols: &'static [&'static str],
    /// How often a policy is a Calico StagedKubernetesNetworkPolicy (0: never).
    pub staged: f64,
}

#[derive(Clone, Debug)]
pub enum K8sPeer {
    Pods(Labels),
    Namespaces(Labels),
    /// namespaceSelector and podSelector.
    Both(Labels, Labels),
    /// An ipBlock (index into [`Tables::blocks`]), with its except or not.
    Block(usize, bool),
}

#[derive(Clone, Debug)]
pub enum K8sPortValue {
    Number(usize),
    Name(usize),
}

#[derive(Clone, Debug)]
pub struct K8sRule {
    /// `from` / `to`: None omitted, else the list (maybe empty).
    pub peers: Option<Vec<K8sPeer>>,
    /// protocol, port (number or name).
    pub ports: Option<Vec<(Option<usize>, Option<K8sPortValue>)>>,
}

#[derive(Clone, Debug)]
pub struct K8sPolicy {
    pub ns: usize,
    pub name: usize,
    /// As a StagedKubernetesNetworkPolicy.
    pub staged: bool,
    pub pod_selector: Labels,
    /// None: omitted; else `[Ingress]`, `[Egress]`, `[Ingress, Egress]`.
    pub types: Option<usize>,
    /// None: omitted; else the list (maybe empty).
    pub ingress: Option<Vec<K8sRule>>,
    pub egress: Option<Vec<K8sRule>>,
}

/// Labels over a key table: each key present with probability `p`.
pub fn labels(keys: &'static Keys, p: f64) -> BoxedStrategy<Labels> {
    keys.iter()
        .enumerate()
        .map(|(k, (_, values))| prop::option::weighted(p, (Just(k), 0..values.len())).boxed())
        .collect::<Vec<_>>()
        .prop_map(|v| v.into_iter().flatten().collect())
        .boxed()
}

fn k8s_rule(t: &'static Tables) -> impl Strategy<Value = K8sRule> {
    let peer = prop_oneof![
        2 => labels(t.pod_keys, 0.5).prop_map(K8sPeer::Pods),
        2 => labels(t.ns_keys, 0.5).prop_map(K8sPeer::Namespaces),
        1 => (labels(t.ns_keys, 0.5), labels(t.pod_keys, 0.5))
            .prop_map(|(n, p)| K8sPeer::Both(n, p)),
        3 => (0..t.blocks.len(), any::<bool>()).prop_map(|(b, e)| K8sPeer::Block(b, e)),
    ];
    let value = prop_oneof![
        (0..t.ports.len()).prop_map(K8sPortValue::Number),
        (0..t.port_names.len()).prop_map(K8sPortValue::Name),
    ];
    (
        prop::option::weighted(0.8, prop::collection::vec(peer, 0..3)),
        prop::option::weighted(
            0.5,
            prop::collection::vec(
                (
                    prop::option::of(0..t.protocols.len()),
                    prop::option::weighted(0.8, value),
                ),
                1..3,
            ),
        ),
    )
        .prop_map(|(peers, ports)| K8sRule { peers, ports })
}

/// A policy in one of `namespaces` namespaces.
pub fn k8s_policy(t: &'static Tables, namespaces: usize) -> impl Strategy<Value = K8sPolicy> {
    (
        0..namespaces,
        0..t.policy_names.len(),
        prop::bool::weighted(t.staged),
        labels(t.pod_keys, 0.4),
        prop::option::of(0..3usize),
        prop::option::weighted(0.7, prop::collection::vec(k8s_rule(t), 0..3)),
        prop::option::weighted(0.5, prop::collection::vec(k8s_rule(t), 0..3)),
    )
        .prop_map(
            |(ns, name, staged, pod_selector, types, ingress, egress)| K8sPolicy {
                ns,
                name,
                staged,
                pod_selector,
                types,
                ingress,
                egress,
            },
        )
}

/// Labels as a flow mapping.
pub fn flow_labels(l: &Labels, keys: &Keys) -> String {
    let parts: Vec<String> = l
        .iter()
        .map(|&(k, v)| format!("{}: {}", keys[k].0, keys[k].1[v]))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn peer_yaml(t: &Tables, x: &K8sPeer) -> String {
    match x {
        K8sPeer::Pods(l) => format!(
            "{{podSelector: {{matchLabels: {}}}}}",
            flow_labels(l, t.pod_keys)
        ),
        K8sPeer::Namespaces(l) => format!(
            "{{namespaceSelector: {{matchLabels: {}}}}}",
            flow_labels(l, t.ns_keys)
        ),
        K8sPeer::Both(n, l) => format!(
            "{{namespaceSelector: {{matchLabels: {}}}, podSelector: {{matchLabels: {}}}}}",
            flow_labels(n, t.ns_keys),
            flow_labels(l, t.pod_keys)
        ),
        K8sPeer::Block(b, except) => {
            let (cidr, ex) = t.blocks[*b];
            match ex.filter(|_| *except) {
                Some(e) => format!("{{ipBlock: {{cidr: '{cidr}', except: ['{e}']}}}}"),
                None => format!("{{ipBlock: {{cidr: '{cidr}'}}}}"),
            }
        }
    }
}

fn port_yaml(t: &Tables, (proto, value): &(Option<usize>, Option<K8sPortValue>)) -> String {
    let mut f = Vec::new();
    if let Some(pr) = proto {
        f.push(format!("protocol: {}", t.protocols[*pr]));
    }
    match value {
        None => {}
        Some(K8sPortValue::Number(n)) => f.push(format!("port: {}", t.ports[*n])),
        Some(K8sPortValue::Name(n)) => f.push(format!("port: {}", t.port_names[*n])),
    }
    format!("{{{}}}", f.join(", "))
}

/// A running Pod's `status` as a flow mapping, with its addresses (none, one or two).
pub fn pod_status(ips: &[impl AsRef<str>]) -> String {
    match ips.first() {
        None => "{phase: Running}".to_string(),
        Some(first) => {
            let all: Vec<String> = ips
                .iter()
                .map(|ip| format!("{{ip: '{}'}}", ip.as_ref()))
                .collect();
            format!(
                "{{phase: Running, podIP: '{}', podIPs: [{}]}}",
                first.as_ref(),
                all.join(", ")
            )
        }
    }
}

/// Appends the policy as a YAML document.
pub fn k8s_yaml(t: &Tables, out: &mut String, p: &K8sPolicy) {
    let (api, kind) = if p.staged {
        ("projectcalico.org/v3", "StagedKubernetesNetworkPolicy")
    } else {
        ("networking.k8s.io/v1", "NetworkPolicy")
    };
    let _ = writeln!(
        out,
        "---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: {}, namespace: n{}}}\nspec:\n  podSelector: {{matchLabels: {}}}",
        t.policy_names[p.name],
        p.ns,
        flow_labels(&p.pod_selector, t.pod_keys)
    );
    if let Some(types) = p.types {
        let _ = writeln!(
            out,
            "  policyTypes: {}",
            ["[Ingress]", "[Egress]", "[Ingress, Egress]"][types]
        );
    }
    for (field, peers_field, rules) in
        [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)]
    {
        let Some(rules) = rules else { continue };
        if rules.is_empty() {
            let _ = writeln!(out, "  {field}: []");
            continue;
        }
        let _ = writeln!(out, "  {field}:");
        for r in rules {
            let mut parts = Vec::new();
            if let Some(peers) = &r.peers {
                let items: Vec<String> = peers.iter().map(|x| peer_yaml(t, x)).collect();
                parts.push(format!("{peers_field}: [{}]", items.join(", ")));
            }
            if let Some(ports) = &r.ports {
                let items: Vec<String> = ports.iter().map(|x| port_yaml(t, x)).collect();
                parts.push(format!("ports: [{}]", items.join(", ")));
            }
            let _ = writeln!(out, "  - {{{}}}", parts.join(", "));
        }
    }
}

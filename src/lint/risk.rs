//! Helpers shared by the risk rules (NP4xx): which policies isolate an endpoint, where a
//! policy says it governs a direction, short lists of names, and selectors written back as
//! YAML for help lines.

use crate::base::span::Span;
use crate::engine::Party;
use crate::engine::containment::term_within;
use crate::engine::matching::matches;
use crate::lint::index::Index;
use crate::model::ir::Cond;
use crate::model::{Cluster, Direction, LabelSelector, NetworkPolicy, PolicyIdx};

/// The applied policies that isolate endpoint `ep` for `dir` (same namespace, podSelector
/// matches, `dir` in the effective policyTypes, per-pod isolation), in input order.
pub fn isolating(cluster: &Cluster, ep: usize, dir: Direction) -> Vec<PolicyIdx> {
    let ep = &cluster.endpoints[ep];
    let mut out: Vec<PolicyIdx> = cluster
        .policies_in(ep.ns)
        .filter(|(_, p)| cluster.policy_isolates(p, dir) && cluster.selects(p, ep))
        .map(|(i, _)| i)
        .collect();
    out.sort_unstable();
    out
}

/// The pods and workloads a policy selects, by id, in endpoint order.
pub fn selected(cluster: &Cluster, index: &Index, policy: &NetworkPolicy) -> Vec<String> {
    let Some(ns) = cluster.ns_id(&policy.namespace) else {
        return Vec::new();
    };
    index
        .endpoints_in(ns)
        .iter()
        .map(|&e| &cluster.endpoints[e])
        .filter(|e| cluster.selects(policy, e))
        .map(|e| e.id())
        .collect()
}

/// The node that makes a policy govern `dir`: the `Ingress`/`Egress` entry of `policyTypes`
/// when written there, else the rule list (egress rules imply Egress), else the policy
/// (Ingress by default).
pub fn governs_span(policy: &NetworkPolicy, dir: Direction) -> Span {
    if let Some(types) = &policy.policy_types {
        if let Some(t) = types.value.iter().find(|t| t.value == dir.as_str()) {
            return t.span;
        }
    }
    let list = match dir {
        Direction::Ingress => &policy.ingress,
        Direction::Egress => &policy.egress,
    };
    list.as_ref().map_or(policy.span, |l| l.span)
}

/// Whether some policy governs endpoint `ep` in `dir`: the NetworkPolicy tier isolates it
/// (a policy, or its namespace's isolation annotation), or a cluster-wide policy with rules
/// for `dir` selects it.
pub fn governed(cluster: &Cluster, index: &Index, ep: usize, dir: Direction) -> bool {
    index
        .policies_for(&cluster.endpoints[ep].namespace)
        .any(|i| {
            let p = &cluster.ir.policies[i];
            let part = p.dir(dir);
            part.applies
                && (part.isolates || !part.rules.is_empty())
                && matches(cluster, &p.subject, Party::Endpoint(ep))
        })
}

/// Whether every pod of namespace `ns` — those of the input and any added later — is denied
/// in `dir` unless a policy allows it: some policy of the model applies to every pod of the
/// namespace, for any cluster (its subject holds `a pod on the pod network of ns`), and either
/// isolates it in a tier ending in Deny — whatever it then allows, unless a rule allows every
/// peer on every port — or denies every peer and port by its first rule. A Kubernetes
/// `podSelector: {}` policy without rules or with only the DNS egress, Cilium's `ingress: [{}]`,
/// the namespace's isolation annotation, a Calico `selector: all()` policy, an
/// AdminNetworkPolicy denying everything from every namespace: all count.
pub fn default_deny(
    cluster: &Cluster,
    index: &Index,
    ns: crate::model::NsId,
    dir: Direction,
) -> bool {
    use crate::model::ir::{Action, EndAction, Match, PortMatch, Test};
    let name = &cluster.ns(ns).name;
    let pod_of_ns = [
        Cond::new(Test::PodNetwork, "", Span::default()),
        Cond::new(Test::Namespace(name.clone()), "", Span::default()),
    ];
    let ir = &cluster.ir;
    index.policies_for(name).any(|i| {
        let p = &ir.policies[i];
        let part = p.dir(dir);
        let covers_namespace = p
            .subject
            .terms()
            .iter()
            .any(|t| term_within(&pod_of_ns, &t.conds));
        if !part.applies || !covers_namespace {
            return false;
        }
        let isolating = part.isolates && ir.tiers[p.tier].end == EndAction::Deny;
        let denies_first = part
            .rules
            .iter()
            .find(|r| r.action != Action::Log)
            .is_some_and(|r| {
                // Every peer, or every pod (an AdminNetworkPolicy's `namespaces: {}`).
                let every_pod = [Cond::new(Test::PodNetwork, "", Span::default())];
                r.action == Action::Deny
                    && (r.peer == Match::All
                        || r.peer
                            .terms()
                            .iter()
                            .any(|t| term_within(&every_pod, &t.conds)))
                    && r.local.is_none()
                    && r.ports == PortMatch::All
            });
        // Isolating means default deny, whatever it then allows (the DNS egress of the usual
        // one-policy lockdown), unless it allows everything (`from: [{}]`-style).
        let allows_everything = part.rules.iter().any(|r| {
            r.action == Action::Allow
                && r.local.is_none()
                && r.ports == PortMatch::All
                && r.peer == Match::All
        });
        (isolating && !allows_everything) || denies_first
    })
}

/// Why a policy reads as meant to allow everything in a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowAll {
    /// An effective rule allows every peer on every port (`- {}`).
    EmptyRule,
    /// Its name starts with `allow-all`.
    Name,
}

/// Why a policy reads as meant to allow everything in `dir`, when it does: an effective rule
/// of `dir` allowing every peer on every port (`- {}`), or a name starting with `allow-all`
/// (`allow-all`, `allow-all-ingress`; not one naming only the other direction).
pub fn meant_as_allow_all(policy: &NetworkPolicy, dir: Direction) -> Option<AllowAll> {
    if policy
        .effective_rules(dir)
        .iter()
        .any(|r| r.all_peers() && r.all_ports())
    {
        return Some(AllowAll::EmptyRule);
    }
    let name = policy.name.to_ascii_lowercase();
    let (this, other) = match dir {
        Direction::Ingress => ("ingress", "egress"),
        Direction::Egress => ("egress", "ingress"),
    };
    (name.starts_with("allow-all") && (name.contains(this) || !name.contains(other)))
        .then_some(AllowAll::Name)
}

/// Namespaces of the cluster's own components, where a default deny breaks the cluster
/// rather than protects an application, with what it breaks:
/// - `kube-system`: CoreDNS (`k8s-app=kube-dns`) answers DNS for every pod, and
///   metrics-server is called by the API server (`kubectl top`, autoscaling);
/// - `kube-public`, `kube-node-lease`: meant to hold no pods at all (the cluster-info
///   ConfigMap read during node bootstrap; the nodes' heartbeat Leases);
/// - `calico-apiserver`: Calico's aggregated API server, called by the Kubernetes API server
///   for every `projectcalico.org/v3` request;
/// - `openshift-dns`: OpenShift's cluster DNS (`dns-default`), which every pod resolves with.
pub fn system_namespace(name: &str) -> Option<&'static str> {
    Some(match name {
        "kube-system" => {
            "a default deny there breaks DNS for every pod in the cluster unless a policy lets every namespace in to CoreDNS (k8s-app=kube-dns) on UDP and TCP 53, and CoreDNS out to the API server and the upstream resolvers; metrics-server (kubectl top, autoscaling) needs the API server let in"
        }
        "kube-public" => {
            "it is meant to hold no pods (only the cluster-info ConfigMap read during node bootstrap): move these pods to a namespace of their own rather than lock it down"
        }
        "kube-node-lease" => {
            "it is meant to hold no pods (only the nodes' heartbeat Leases): move these pods to a namespace of their own rather than lock it down"
        }
        "calico-apiserver" => {
            "the Kubernetes API server calls Calico's API server there for every projectcalico.org/v3 request: a default deny of ingress breaks kubectl on Calico resources unless the API server is let in"
        }
        "openshift-dns" => {
            "the cluster DNS (dns-default) runs there: a default deny breaks DNS for every pod in the cluster unless every namespace is let in to its DNS port and it is let out to the API server and the upstream resolvers"
        }
        _ => return None,
    })
}

/// `a`, `a and b`, `a, b and c`; past `max` names, `a, b, c, d, e and 3 more`.
pub fn name_list(names: &[String], max: usize) -> String {
    let shown = names.len().min(max);
    let rest = names.len() - shown;
    let mut parts: Vec<String> = names[..shown].to_vec();
    if rest > 0 {
        parts.push(format!("{rest} more"));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// `1,000`, `64,512`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A selector as flow-style YAML: `{}`, `{matchLabels: {app: web}}`,
/// `{matchExpressions: [{key: tier, operator: In, values: [a, b]}]}`.
pub fn selector_yaml(sel: &LabelSelector) -> String {
    let mut parts = Vec::new();
    if !sel.match_labels.is_empty() {
        let labels: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{}: {}", yaml_scalar(k), yaml_scalar(v)))
            .collect();
        parts.push(format!("matchLabels: {{{}}}", labels.join(", ")));
    }
    if !sel.match_expressions.is_empty() {
        let exprs: Vec<String> = sel
            .match_expressions
            .iter()
            .map(|e| {
                let mut s = format!(
                    "key: {}, operator: {}",
                    yaml_scalar(&e.key),
                    yaml_scalar(&e.operator)
                );
                if e.values_span.is_some() || !e.values.is_empty() {
                    let values: Vec<String> = e.values.iter().map(|v| yaml_scalar(v)).collect();
                    s.push_str(&format!(", values: [{}]", values.join(", ")));
                }
                format!("{{{s}}}")
            })
            .collect();
        parts.push(format!("matchExpressions: [{}]", exprs.join(", ")));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A string as a YAML plain scalar when it reads back as the same string, else quoted.
pub fn yaml_scalar(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    let numeric = s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o");
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        && !s.starts_with(['-', '.']);
    if special || numeric || !plain {
        format!("{s:?}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_lists_stop_at_the_limit() {
        let names: Vec<String> = (1..=7).map(|i| format!("n{i}")).collect();
        assert_eq!(name_list(&names[..1], 5), "n1");
        assert_eq!(name_list(&names[..2], 5), "n1 and n2");
        assert_eq!(name_list(&names[..5], 5), "n1, n2, n3, n4 and n5");
        assert_eq!(name_list(&names, 5), "n1, n2, n3, n4, n5 and 2 more");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1001), "1,001");
        assert_eq!(thousands(64512), "64,512");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn scalars_that_would_change_type_are_quoted() {
        assert_eq!(yaml_scalar("kube-system"), "kube-system");
        assert_eq!(
            yaml_scalar("kubernetes.io/metadata.name"),
            "kubernetes.io/metadata.name"
        );
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("8080"), "\"8080\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}

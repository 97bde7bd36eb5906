//! What the Cilium agent adds to the policies: `--cilium-policy-enforcement always`,
//! `--allow-localhost`, and Kubernetes NetworkPolicies as Cilium enforces them (CIDRs outside
//! the cluster only, pod labels filtered out of identities).

use super::super::kubernetes::pod_network;
use super::identity::{IdentityKey, identity_key};
use super::peers::world_cond;
use crate::base::span::Span;
use crate::model::ir::{
    Action, Cond, Match, Policy, PolicyDir, PortMatch, Precedence, Rule, Source, Term, Test,
};
use crate::model::selector::{Key, Scope};
use crate::model::{CiliumEnforcement, Cluster, Direction};

/// The policy that `--cilium-policy-enforcement always` adds: every pod on the pod network
/// is in default deny both ways.
pub fn always_enforced() -> Policy {
    agent_policy(
        Source::CiliumEnforcement,
        "policy enforcement mode always",
        Direction::BOTH.map(|_| PolicyDir {
            applies: true,
            isolates: true,
            rules: Vec::new(),
        }),
    )
}

/// A policy the agent applies to every pod on the pod network (no object of the input).
fn agent_policy(source: Source, name: &str, dirs: [PolicyDir; 2]) -> Policy {
    let span = Span::default();
    Policy {
        source,
        tier: 0,
        name: name.into(),
        kind: "Cilium agent",
        precedence: None,
        precedence_key: Precedence::Unordered,
        name_span: span,
        span: None,
        subject: Match::Any(vec![Term {
            label: "every pod".into(),
            span,
            conds: vec![pod_network(span)],
        }]),
        dirs,
    }
}

/// Cilium's `--allow-localhost` (default `auto`, which is `always` on Kubernetes, where
/// kubelet probes come from the node): a pod's own node reaches it, whatever the policies
/// allow (docs "Access to/from local host", `mapstate.go` `determineAllowLocalhostIngress`).
/// Deny rules still win.
pub fn allow_localhost(cluster: &Cluster) -> Option<Policy> {
    if cluster.nodes.is_empty() && !cluster.endpoints.iter().any(|e| e.host_network) {
        return None;
    }
    let span = Span::default();
    let names: std::collections::BTreeSet<&str> = cluster
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .chain(
            cluster
                .endpoints
                .iter()
                .filter_map(|e| e.node_name.as_deref()),
        )
        .collect();
    let rules: Vec<Rule> = names
        .into_iter()
        .enumerate()
        .map(|(i, node)| Rule {
            action: Action::Allow,
            peer: Match::Any(vec![Term {
                label: "the local host".into(),
                span,
                conds: vec![Cond::new(
                    Test::Node(node.to_string()),
                    format!("node {node} (entity host)"),
                    span,
                )],
            }]),
            local: Some(super::on_node(node, span)),
            ports: PortMatch::All,
            named_on: None,
            span,
            index: i,
            label: format!("allow-localhost {node}"),
            caveats: Vec::new(),
            action_word: "Allow",
        })
        .collect();
    Some(agent_policy(
        Source::CiliumLocalhost,
        "allow-localhost",
        [
            PolicyDir {
                applies: true,
                isolates: false,
                rules,
            },
            PolicyDir::default(),
        ],
    ))
}

/// Whether the enforcement mode evaluates policies at all.
pub fn enforces(mode: CiliumEnforcement) -> bool {
    mode != CiliumEnforcement::Never
}

/// A lowered Kubernetes NetworkPolicy as Cilium enforces it (`pkg/k8s/network_policy.go`
/// turns it into a Cilium rule):
/// - its address blocks match only addresses outside the cluster (Cilium's CIDR identities
///   are never a pod's or a node's: cilium/cilium#35212, docs "Kubernetes network policy:
///   unsupported features");
/// - its pod selectors see identity labels, so a label the default label filter leaves out
///   (`pod-template-hash`...) is on no pod.
pub fn as_cilium_enforces(p: &mut Policy) {
    filter_labels(&mut p.subject);
    for d in &mut p.dirs {
        for r in &mut d.rules {
            filter_labels(&mut r.peer);
            if let Match::Any(terms) = &mut r.peer {
                for t in terms {
                    let span = t.span;
                    if t.conds
                        .iter()
                        .any(|c| matches!(c.test, Test::Nets { .. }) && !c.negated)
                    {
                        t.conds.push(world_cond(span));
                    }
                }
            }
        }
    }
}

/// Pod label keys the default identity label filter drops become keys no pod carries.
/// A pod selector key is read as the `k8s:` identity label of that name
/// (`pkg/k8s/network_policy.go` `parseNetworkPolicyPeer`): `io.cilium.k8s.policy.cluster`,
/// `io.kubernetes.pod.namespace` and the like mean what they mean in Cilium's own policies.
fn filter_labels(m: &mut Match) {
    let rename = |k: &Key| {
        if k.scope != Scope::Own {
            return k.clone();
        }
        match identity_key(&format!("k8s:{}", k.name)) {
            IdentityKey::Key(key) => key,
            IdentityKey::Reserved(_) | IdentityKey::Absent(_) => Key {
                scope: Scope::Meta,
                name: format!("{FILTERED_KEY_PREFIX}{}", k.name),
            },
        }
    };
    if let Match::Any(terms) = m {
        for t in terms {
            for c in &mut t.conds {
                if let Test::Selector { expr, .. } = &mut c.test {
                    *expr = expr.map_keys(&rename);
                }
            }
        }
    }
}

/// The prefix of a [`Scope::Meta`] key standing for a pod label that Cilium identities do
/// not carry: no carrier has it.
pub const FILTERED_KEY_PREFIX: &str = "filtered-out-of-identity:";

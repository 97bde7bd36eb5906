//! Cilium policies (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy)
//! into the model. Sources: `pkg/k8s/apis/cilium.io/utils/utils.go` (`ParseToCiliumRule`,
//! `getEndpointSelector`), `pkg/policy/repository.go` (`computePolicyEnforcementAndRules`),
//! `pkg/policy/api` (the rule types) and docs.cilium.io "Layer 3/4 policy", "Deny policies",
//! "Entities based", "Ingress/Egress default deny".
//!
//! Each rule of a policy (`spec`, each item of `specs`) becomes two policies of the model:
//! - its **deny** part (`ingressDeny`, `egressDeny`), a policy of the `cilium-deny` tier,
//!   which comes first and ends in Pass: a matching deny drops the connection, whatever any
//!   policy allows (CNP, CCNP or Kubernetes NetworkPolicy);
//! - its **allow** part (`ingress`, `egress`), a policy of the `allow` tier, where Kubernetes
//!   NetworkPolicies are too and which ends in Deny: allows add up.
//!
//! A rule *enforces* a direction when it has a non-empty `ingress` or `ingressDeny` (resp.
//! egress) list, and then puts the pods it selects in default deny there unless
//! `enableDefaultDeny` says false (`computePolicyEnforcementAndRules`). So `ingress: []`
//! enforces nothing, `ingress: [{}]` denies everything (its one rule matches no peer), and a
//! policy with deny rules only still isolates.
//!
//! - **Subject**: `endpointSelector` over the pods' identity labels; a CNP's only in its own
//!   namespace (a namespace label written in it is replaced); never a hostNetwork pod
//!   (`nodeSelector` rules, the host firewall, are not evaluated).
//! - **Identity labels**: a key `k8s:X` or `any:X` (or `X`, which Cilium reads as `any:X`)
//!   is the pod label X, except `io.kubernetes.pod.namespace` (the namespace's name),
//!   `io.cilium.k8s.namespace.labels.<key>` (a namespace label),
//!   `io.cilium.k8s.policy.serviceaccount` and `io.cilium.k8s.policy.cluster`; labels the
//!   default identity label filter leaves out (`pod-template-hash`, `kubernetes.io/...`)
//!   are on no identity. `reserved:<entity>` selects that entity.
//! - **Peers**: `fromEndpoints`/`toEndpoints` in a CNP see only the policy's namespace
//!   unless they name the namespace (`getEndpointSelector`); in a CCNP, every pod. CIDR
//!   rules (`fromCIDR`, `fromCIDRSet` with `except` and CIDR groups) match only addresses
//!   outside the cluster, never a pod or a node. Entities: `all`, `world` (and
//!   `world-ipv4`/`-ipv6`), `cluster` (everything inside), `host` (the node the pod runs on)
//!   and `remote-node` (the other nodes); `kube-apiserver`, `ingress`, `init`, `health`,
//!   `unmanaged`, `none` match nothing here, with a caveat. A rule with no peer field but
//!   `toPorts` or `icmps` applies to every peer; one with nothing (`{}`) to none.
//! - **Ports**: `toPorts[].ports` with `protocol` (ANY when absent: TCP, UDP and SCTP),
//!   `port` (0 or absent: every port; a name resolves on the destination) and `endPort`.
//!   `icmps` match ICMP only. Layer-7 rules, TLS and mutual authentication leave the L3/L4
//!   decision as it is and become caveats.
//! - `toFQDNs` matches addresses that DNS answers give at run time: no address known here,
//!   with a caveat; `fromGroups`/`toGroups` are not evaluated (a warning);
//!   `fromRequires`/`toRequires` never hold an entry in an applied policy (refused since
//!   Cilium 1.19).

mod agent;
mod identity;
mod peers;
mod ports;

use super::super::{Action, Cond, Match, Policy, PolicyDir, Precedence, Rule, Source, Term, Test};
use super::kubernetes::pod_network;
use crate::base::span::Span;
use crate::model::cilium::{CiliumPolicy, CiliumRule, PeerRule};
use crate::model::labels::Requirement;
use crate::model::{Cluster, Direction};

pub use agent::{
    FILTERED_KEY_PREFIX, allow_localhost, always_enforced, as_cilium_enforces, enforces,
};
pub use identity::{
    CLUSTER, DEFAULT_CLUSTER_NAME, IdentityKey, NAMESPACE_LABELS, POD_NAMESPACE, SERVICE_ACCOUNT,
    filtered_out, identity_key,
};
pub use peers::ENTITIES;

/// The lowering of one policy: its deny and allow parts per rule, and what it could not
/// evaluate.
pub struct Lowered {
    /// Policies of the deny tier.
    pub deny: Vec<Policy>,
    /// Policies of the allow tier.
    pub allow: Vec<Policy>,
}

/// Lowers an applied Cilium policy.
pub fn policy(
    cluster: &Cluster,
    idx: usize,
    p: &CiliumPolicy,
    warnings: &mut Vec<(Span, String)>,
) -> Lowered {
    let mut out = Lowered {
        deny: Vec::new(),
        allow: Vec::new(),
    };
    for (k, rule) in p.specs.iter().enumerate() {
        if rule.endpoint_selector.is_none() {
            if let Some(ns) = &rule.node_selector {
                warnings.push((
                    ns.span,
                    format!(
                        "{} {}: `nodeSelector` makes {} a host firewall rule for nodes, which is not evaluated",
                        p.kind.as_str(),
                        p.qualified_name(),
                        rule.label
                    ),
                ));
            }
            continue;
        }
        let cx = Cx {
            cluster,
            policy: p,
            rule,
        };
        for deny in [true, false] {
            let dirs = Direction::BOTH.map(|d| cx.dir(d, deny, warnings));
            if !dirs.iter().any(|d| d.applies) {
                continue;
            }
            let lowered = Policy {
                source: Source::Cilium {
                    policy: idx,
                    spec: k,
                    deny,
                },
                tier: 0,
                name: if p.specs.len() > 1 {
                    format!("{} {}", p.qualified_name(), rule.label)
                } else {
                    p.qualified_name()
                },
                kind: p.kind.short(),
                precedence: None,
                precedence_key: Precedence::Unordered,
                name_span: p.name_span,
                span: Some(p.span),
                subject: cx.subject(),
                dirs,
            };
            if deny {
                out.deny.push(lowered);
            } else {
                out.allow.push(lowered);
            }
        }
    }
    out
}

struct Cx<'a> {
    cluster: &'a Cluster,
    policy: &'a CiliumPolicy,
    rule: &'a CiliumRule,
}

impl Cx<'_> {
    fn namespace(&self) -> Option<&str> {
        self.policy.namespace.as_deref()
    }

    fn subject(&self) -> Match {
        let sel = self
            .rule
            .endpoint_selector
            .as_ref()
            .expect("rules without endpointSelector are skipped");
        let mut conds = vec![pod_network(sel.span)];
        let reqs: Vec<Requirement> = match self.namespace() {
            Some(ns) => {
                conds.push(Cond::new(
                    Test::Namespace(ns.to_string()),
                    format!("namespace {ns}"),
                    self.policy.span,
                ));
                // `ParseToCiliumRule` replaces the matchLabels entry
                // `k8s:io.kubernetes.pod.namespace` with the policy's namespace (`AddMatch`);
                // any other way of writing a namespace (`any:`, no prefix, matchExpressions)
                // stays, ANDed with it.
                let mut kept = sel.clone();
                kept.match_labels
                    .retain(|(k, _)| k.value != format!("k8s:{POD_NAMESPACE}"));
                kept.requirements()
            }
            None => sel.requirements(),
        };
        conds.extend(self.selector_conds("endpointSelector", sel, &reqs));
        Match::Any(vec![Term {
            label: "endpointSelector".into(),
            span: sel.span,
            conds,
        }])
    }

    /// The part of a direction: the deny rules or the allow rules.
    fn dir(&self, d: Direction, deny: bool, warnings: &mut Vec<(Span, String)>) -> PolicyDir {
        let allows = self.rule.allows(d).unwrap_or(&[]);
        let denies = self.rule.denies(d).unwrap_or(&[]);
        let enforced = !allows.is_empty() || !denies.is_empty();
        let list = if deny { denies } else { allows };
        let default_deny = enforced && self.rule.default_deny(d).is_none_or(|b| b.value);
        let action = if deny { Action::Deny } else { Action::Allow };
        let mut rules: Vec<Rule> = list
            .iter()
            .flat_map(|r| self.rules(d, action, r, warnings))
            .collect();
        // A rule's index is its place among the policy's rules of the direction (the
        // per-node copies of a rule naming `host` each have their own); labels keep the
        // place written.
        for (i, r) in rules.iter_mut().enumerate() {
            r.index = i;
        }
        if deny {
            PolicyDir {
                applies: !list.is_empty(),
                isolates: false,
                rules,
            }
        } else {
            PolicyDir {
                applies: enforced,
                isolates: default_deny,
                rules,
            }
        }
    }

    /// The rules of the model for one rule of the policy: one, plus one per node for the
    /// `host` and `remote-node` entities (which depend on the node the pod runs on).
    fn rules(
        &self,
        d: Direction,
        action: Action,
        r: &PeerRule,
        warnings: &mut Vec<(Span, String)>,
    ) -> Vec<Rule> {
        let field = match (d, action) {
            (Direction::Ingress, Action::Deny) => "ingressDeny",
            (Direction::Ingress, _) => "ingress",
            (Direction::Egress, Action::Deny) => "egressDeny",
            (Direction::Egress, _) => "egress",
        };
        let prefix = if self.policy.specs.len() > 1 {
            format!("{}.", self.rule.label)
        } else {
            String::new()
        };
        let label = format!("{prefix}{field}[{}]", r.index);
        let mut caveats = Vec::new();
        let peers = self.peers(d, r, &mut caveats, warnings);
        let ports = ports::ports(r, &mut caveats);
        let base = Rule {
            action,
            peer: peers.terms,
            local: None,
            ports: ports.clone(),
            named_on: None,
            span: r.span,
            index: r.index,
            label: label.clone(),
            caveats: caveats.clone(),
            action_word: if action == Action::Deny {
                "Deny"
            } else {
                "Allow"
            },
        };
        let mut out = Vec::new();
        let has_terms = !matches!(&base.peer, Match::Any(t) if t.is_empty());
        if has_terms || peers.per_node.is_empty() {
            out.push(base.clone());
        }
        for (node, term) in peers.per_node {
            out.push(Rule {
                local: Some(on_node(&node, r.span)),
                peer: Match::Any(vec![term]),
                ..base.clone()
            });
        }
        out
    }

    fn where_(&self) -> String {
        format!(
            "{} {}",
            self.policy.kind.as_str(),
            self.policy.qualified_name()
        )
    }
}

/// The pods of one node (`spec.nodeName`): the local condition of the per-node copies of a
/// rule whose peer depends on the node the pod runs on (`host`, `remote-node`,
/// allow-localhost).
pub(super) fn on_node(node: &str, span: Span) -> Match {
    Match::Any(vec![Term {
        label: format!("on node {node}"),
        span,
        conds: vec![Cond::new(
            Test::OnNode(node.to_string()),
            format!("a pod on node {node}"),
            span,
        )],
    }])
}

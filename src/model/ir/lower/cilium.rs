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
//!   with a caveat; `fromRequires`/`toRequires` and `fromGroups`/`toGroups` are not
//!   evaluated (a warning).

use ipnet::IpNet;

use super::super::{
    Action, Cond, FqdnSelector, Match, Policy, PolicyDir, PortItem, PortKind, PortMatch,
    Precedence, Rule, Source, Term, Test,
};
use super::kubernetes::pod_network;
use crate::base::span::Span;
use crate::model::cilium::{CiliumKind, CiliumPolicy, CiliumRule, PeerRule, PortRule};
use crate::model::ip::{Family, parse_cidr};
use crate::model::labels::{LabelSelector, Operator, Requirement};
use crate::model::selector::{Expr, Key, Scope};
use crate::model::{CiliumEnforcement, Cluster, Direction, NAMESPACE_NAME_LABEL, Protocol};

/// The namespace label of Cilium identities.
pub const POD_NAMESPACE: &str = "io.kubernetes.pod.namespace";
/// The prefix of namespace labels in Cilium identities.
pub const NAMESPACE_LABELS: &str = "io.cilium.k8s.namespace.labels.";
/// The service account label of Cilium identities (a key of [`Scope::Meta`]).
pub const SERVICE_ACCOUNT: &str = "io.cilium.k8s.policy.serviceaccount";
/// The cluster name label of Cilium identities (a key of [`Scope::Meta`]).
pub const CLUSTER: &str = "io.cilium.k8s.policy.cluster";
/// The cluster name Cilium gives pods when none is configured.
pub const DEFAULT_CLUSTER_NAME: &str = "default";

/// Label keys Cilium's default identity label filter leaves out (`pkg/labelsfilter`): a
/// selector on them matches no pod. Prefixes; `app.kubernetes.io` and the namespace and
/// policy labels above stay.
const FILTERED_PREFIXES: [&str; 15] = [
    "io.kubernetes",
    "kubernetes.io",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "batch.kubernetes.io/controller-uid",
    "k8s.io",
    "pod-template-generation",
    "pod-template-hash",
    "controller-revision-hash",
    "controller-uid",
    "annotation",
    "etcd_node",
    "topology.kubernetes.io",
    "beta.kubernetes.io",
];

/// Whether a pod label key is left out of Cilium identities by the default label filter.
pub fn filtered_out(key: &str) -> bool {
    if key == POD_NAMESPACE
        || key.starts_with(NAMESPACE_LABELS)
        || key.starts_with("app.kubernetes.io")
        || key.starts_with("io.cilium.k8s.policy")
    {
        return false;
    }
    FILTERED_PREFIXES.iter().any(|p| key.starts_with(p)) || key.contains("beta.kubernetes.io")
}

/// The entities Cilium knows (`pkg/policy/api/entity.go`).
pub const ENTITIES: [&str; 13] = [
    "all",
    "world",
    "world-ipv4",
    "world-ipv6",
    "cluster",
    "host",
    "remote-node",
    "kube-apiserver",
    "ingress",
    "init",
    "health",
    "unmanaged",
    "none",
];

/// How a selector key reads an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityKey {
    /// A key of the model.
    Key(Key),
    /// A reserved label: the entity it names.
    Reserved(String),
    /// A label no pod identity carries: filtered out by default, or of a source pods do not
    /// have (`container:`, `cidr:` ...); the text says which.
    Absent(String),
}

/// What a selector key written in a Cilium policy reads.
pub fn identity_key(written: &str) -> IdentityKey {
    let (source, key) = match written.split_once(':') {
        Some((s, k)) => (s, k),
        None => ("any", written),
    };
    match source {
        "k8s" | "any" => {}
        "reserved" => return IdentityKey::Reserved(key.to_string()),
        other => {
            return IdentityKey::Absent(format!(
                "`{written}`: pods carry labels of source k8s, not {other}"
            ));
        }
    }
    if key == POD_NAMESPACE {
        return IdentityKey::Key(Key::namespace(NAMESPACE_NAME_LABEL));
    }
    if let Some(ns_key) = key.strip_prefix(NAMESPACE_LABELS) {
        return IdentityKey::Key(Key::namespace(ns_key));
    }
    if key == SERVICE_ACCOUNT || key == CLUSTER {
        return IdentityKey::Key(Key {
            scope: Scope::Meta,
            name: key.to_string(),
        });
    }
    if filtered_out(key) {
        return IdentityKey::Absent(format!(
            "`{written}` is left out of Cilium identities by the default label filter: no pod carries it"
        ));
    }
    IdentityKey::Key(Key::own(key))
}

/// Whether the selector names the namespace (`io.kubernetes.pod.namespace` of source k8s or
/// any), so that Cilium does not confine it to the policy's namespace.
fn names_namespace(sel: &LabelSelector) -> bool {
    keys(sel).any(|k| {
        let (source, key) = k.split_once(':').unwrap_or(("any", k));
        matches!(source, "k8s" | "any")
            && (key == POD_NAMESPACE || key.starts_with(NAMESPACE_LABELS))
    })
}

fn keys(sel: &LabelSelector) -> impl Iterator<Item = &str> {
    sel.match_labels
        .iter()
        .map(|(k, _)| k.value.as_str())
        .chain(sel.match_expressions.iter().map(|e| e.key.value.as_str()))
}

fn has_reserved(sel: &LabelSelector) -> bool {
    keys(sel).any(|k| k.starts_with("reserved:"))
}

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

/// The policy that `--cilium-policy-enforcement always` adds: every pod on the pod network
/// is in default deny both ways.
pub fn always_enforced() -> Policy {
    let span = Span::default();
    Policy {
        source: Source::CiliumEnforcement,
        tier: 0,
        name: "policy enforcement mode always".into(),
        kind: "Cilium agent",
        precedence: None,
        precedence_key: Precedence::Unordered,
        name_span: span,
        span: None,
        subject: Match::Any(vec![Term {
            label: "every endpoint".into(),
            span,
            conds: vec![pod_network(span)],
        }]),
        dirs: Direction::BOTH.map(|_| PolicyDir {
            applies: true,
            isolates: true,
            rules: Vec::new(),
        }),
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
            local: Some(Match::Any(vec![Term {
                label: format!("on node {node}"),
                span,
                conds: vec![Cond::new(
                    Test::OnNode(node.to_string()),
                    format!("a pod on node {node}"),
                    span,
                )],
            }])),
            ports: PortMatch::All,
            named_on: None,
            span,
            index: i,
            label: format!("allow-localhost {node}"),
            caveats: Vec::new(),
            action_word: "Allow",
        })
        .collect();
    Some(Policy {
        source: Source::CiliumLocalhost,
        tier: 0,
        name: "allow-localhost".into(),
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
        dirs: [
            PolicyDir {
                applies: true,
                isolates: false,
                rules,
            },
            PolicyDir::default(),
        ],
    })
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
fn filter_labels(m: &mut Match) {
    let rename = |k: &Key| {
        if k.scope == Scope::Own && filtered_out(&k.name) {
            Key {
                scope: Scope::Meta,
                name: format!("{FILTERED_KEY_PREFIX}{}", k.name),
            }
        } else {
            k.clone()
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

fn world_cond(span: Span) -> Cond {
    Cond::new(Test::World, "outside the cluster (entity world)", span)
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

    /// The conditions of a selector's requirements on pod identities: one selector
    /// condition, or a never-holding one for labels no identity carries.
    fn selector_conds(&self, field: &str, sel: &LabelSelector, reqs: &[Requirement]) -> Vec<Cond> {
        let mut exprs = Vec::new();
        let mut absent = Vec::new();
        for r in reqs {
            match identity_key(&r.key) {
                IdentityKey::Key(key) => exprs.push(requirement_expr(key, r)),
                IdentityKey::Reserved(name) | IdentityKey::Absent(name) => {
                    // A label pods never carry: `In`/`Exists` never hold, `NotIn`/
                    // `DoesNotExist` always do.
                    if matches!(r.op, Operator::In | Operator::Exists) {
                        absent.push((name, r.span));
                    }
                }
            }
        }
        let what = format!(
            "{field} {{{}}}",
            reqs.iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut conds = vec![Cond::new(
            Test::Selector {
                expr: exprs.into_iter().fold(Expr::All, Expr::and),
                network_sets: false,
            },
            what,
            sel.span,
        )];
        for (why, span) in absent {
            conds.push(never(format!("no pod carries label {why}"), span));
        }
        conds
    }

    /// The part of a direction: the deny rules or the allow rules.
    fn dir(&self, d: Direction, deny: bool, warnings: &mut Vec<(Span, String)>) -> PolicyDir {
        let allows = self.rule.allows(d).unwrap_or(&[]);
        let denies = self.rule.denies(d).unwrap_or(&[]);
        let enforced = !allows.is_empty() || !denies.is_empty();
        let list = if deny { denies } else { allows };
        let default_deny = enforced && self.rule.default_deny(d).is_none_or(|b| b.value);
        let action = if deny { Action::Deny } else { Action::Allow };
        let rules = list
            .iter()
            .flat_map(|r| self.rules(d, action, r, warnings))
            .collect();
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
        let ports = ports(r, &mut caveats);
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
                local: Some(Match::Any(vec![Term {
                    label: format!("on node {node}"),
                    span: r.span,
                    conds: vec![Cond::new(
                        Test::OnNode(node.clone()),
                        format!("a pod on node {node}"),
                        r.span,
                    )],
                }])),
                peer: Match::Any(vec![term]),
                ..base.clone()
            });
        }
        out
    }

    /// The peers of a rule.
    fn peers(
        &self,
        d: Direction,
        r: &PeerRule,
        caveats: &mut Vec<String>,
        warnings: &mut Vec<(Span, String)>,
    ) -> Peers {
        let from = d == Direction::Ingress;
        let f = |name: &str| -> String {
            let (i, e) = (format!("from{name}"), format!("to{name}"));
            if from { i } else { e }
        };
        let mut terms = Vec::new();
        let mut per_node = Vec::new();
        if !r.has_l3() {
            // No peer field: `toPorts`/`icmps` alone apply to every peer; `{}` to none.
            let wildcard = r.to_ports.as_ref().is_some_and(|p| !p.is_empty())
                || r.icmps.as_ref().is_some_and(|i| !i.is_empty());
            if r.requires.is_some() {
                self.requires_not_evaluated(r, &f("Requires"), warnings);
            }
            return Peers {
                terms: if wildcard {
                    Match::All
                } else {
                    Match::Any(Vec::new())
                },
                per_node,
            };
        }
        if r.requires.is_some() {
            self.requires_not_evaluated(r, &f("Requires"), warnings);
        }
        for (i, sel) in r.endpoints.iter().flatten().enumerate() {
            let label = format!("{}[{i}]", f("Endpoints"));
            terms.extend(self.endpoint_term(&label, sel, &mut per_node, caveats));
        }
        for (i, e) in r.entities.iter().flatten().enumerate() {
            let label = format!("{}[{i}]", f("Entities"));
            self.entity(&label, &e.value, e.span, &mut terms, &mut per_node, caveats);
        }
        for (i, c) in r.cidr.iter().flatten().enumerate() {
            let label = format!("{}[{i}]", f("CIDR"));
            if let Some(net) = cidr(&c.value) {
                terms.push(Term {
                    label,
                    span: c.span,
                    conds: vec![
                        Cond::new(
                            Test::Nets {
                                nets: vec![net],
                                except: Vec::new(),
                            },
                            format!("{} {}", f("CIDR"), c.value),
                            c.span,
                        ),
                        world_cond(c.span),
                    ],
                });
            }
        }
        for (i, c) in r.cidr_set.iter().flatten().enumerate() {
            let label = format!("{}[{i}]", f("CIDRSet"));
            let mut nets: Vec<IpNet> = Vec::new();
            let mut what = Vec::new();
            if let Some(net) = c.cidr.as_ref().and_then(|n| cidr(&n.value)) {
                nets.push(net);
                what.push(net.to_string());
            }
            if let Some(g) = &c.group_ref {
                nets.extend(self.group_nets(|grp| grp.name == g.value));
                what.push(format!("CIDR group {}", g.value));
            }
            if let Some(sel) = &c.group_selector {
                nets.extend(self.group_nets(|grp| sel.matches(&grp.labels)));
                what.push(format!("CIDR groups {sel}"));
            }
            let except: Vec<IpNet> = c.except.iter().filter_map(|e| cidr(&e.value)).collect();
            let mut text = format!("{} {}", f("CIDRSet"), what.join(" + "));
            if !except.is_empty() {
                let ex: Vec<String> = except.iter().map(|e| e.to_string()).collect();
                text.push_str(&format!(" except {}", ex.join(", ")));
            }
            terms.push(Term {
                label,
                span: c.span,
                conds: vec![
                    Cond::new(Test::Nets { nets, except }, text, c.span),
                    world_cond(c.span),
                ],
            });
        }
        for (i, sel) in r.nodes.iter().flatten().enumerate() {
            let reqs = sel.requirements();
            terms.push(Term {
                label: format!("{}[{i}]", f("Nodes")),
                span: sel.span,
                conds: vec![Cond::new(
                    Test::Nodes(Expr::from_requirements(Scope::Own, &reqs)),
                    format!("{} {sel}", f("Nodes")),
                    sel.span,
                )],
            });
        }
        if let Some(span) = r.groups {
            warnings.push((
                span,
                format!(
                    "{}: {} (cloud provider groups) is not evaluated: it matches no address here",
                    self.where_(),
                    f("Groups")
                ),
            ));
        }
        for (i, s) in r.services.iter().flatten().enumerate() {
            terms.extend(self.service_terms(&format!("toServices[{i}]"), s, caveats));
        }
        for (i, q) in r.fqdns.iter().flatten().enumerate() {
            let (sel, text) = match (&q.match_name, &q.match_pattern) {
                (Some(n), _) => (
                    FqdnSelector::Name(n.value.clone()),
                    format!("matchName {}", n.value),
                ),
                (None, Some(p)) => (
                    FqdnSelector::Pattern(p.value.clone()),
                    format!("matchPattern {}", p.value),
                ),
                (None, None) => continue,
            };
            if i == 0 {
                caveats.push(
                    "toFQDNs allows the addresses DNS answers give for the names at run time, as Cilium's DNS proxy learns them: only lookups that an L7 `dns` rule of the pod lets through count"
                        .to_string(),
                );
            }
            terms.push(Term {
                label: format!("toFQDNs[{i}]"),
                span: q.span,
                conds: vec![Cond::new(
                    Test::Fqdn(sel),
                    format!("toFQDNs {text}"),
                    q.span,
                )],
            });
        }
        Peers {
            terms: Match::Any(terms),
            per_node,
        }
    }

    /// Whether the cluster runs both IP families (a pod or node with an address of each).
    fn dual_stack(&self) -> bool {
        let ips = self
            .cluster
            .endpoints
            .iter()
            .flat_map(|e| &e.ips)
            .chain(self.cluster.nodes.iter().flat_map(|n| &n.addresses));
        let (mut v4, mut v6) = (false, false);
        for ip in ips {
            v4 |= ip.is_ipv4();
            v6 |= ip.is_ipv6();
        }
        v4 && v6
    }

    fn where_(&self) -> String {
        format!(
            "{} {}",
            self.policy.kind.as_str(),
            self.policy.qualified_name()
        )
    }

    fn requires_not_evaluated(
        &self,
        r: &PeerRule,
        field: &str,
        warnings: &mut Vec<(Span, String)>,
    ) {
        warnings.push((
            r.span,
            format!(
                "{}: {field} (deprecated) restricts every rule that selects the same pods and is not evaluated: answers for these pods may allow more than Cilium does",
                self.where_()
            ),
        ));
    }

    fn group_nets(&self, pick: impl Fn(&crate::model::cilium::CidrGroup) -> bool) -> Vec<IpNet> {
        self.cluster
            .cidr_groups
            .iter()
            .filter(|g| pick(g))
            .flat_map(|g| g.cidrs.iter().filter_map(|c| cidr(&c.value)))
            .collect()
    }

    /// A `fromEndpoints`/`toEndpoints` selector: pods (confined to the policy's namespace in
    /// a CNP unless it names one), or the entities its reserved labels name.
    fn endpoint_term(
        &self,
        label: &str,
        sel: &LabelSelector,
        per_node: &mut Vec<(String, Term)>,
        caveats: &mut Vec<String>,
    ) -> Vec<Term> {
        let reqs = sel.requirements();
        if has_reserved(sel) {
            // `reserved:host: ""` and the like select an entity; with other labels they
            // select what carries all of them, which no pod does.
            let entities: Vec<String> = reqs
                .iter()
                .filter_map(|r| match identity_key(&r.key) {
                    IdentityKey::Reserved(e) if matches!(r.op, Operator::In | Operator::Exists) => {
                        Some(e)
                    }
                    _ => None,
                })
                .collect();
            if let ([one], true) = (entities.as_slice(), reqs.len() == 1) {
                let mut terms = Vec::new();
                self.entity(label, one, sel.span, &mut terms, per_node, caveats);
                return terms;
            }
        }
        let mut conds = vec![pod_network(sel.span)];
        if let Some(ns) = self.namespace()
            && !names_namespace(sel)
            && !has_reserved(sel)
        {
            conds.push(Cond::new(
                Test::Namespace(ns.to_string()),
                format!("the policy's namespace {ns}"),
                sel.span,
            ));
        }
        let field = label.split('[').next().unwrap_or(label);
        conds.extend(self.selector_conds(field, sel, &reqs));
        vec![Term {
            label: label.to_string(),
            span: sel.span,
            conds,
        }]
    }

    /// An entity's terms (or per-node terms for `host` and `remote-node`).
    fn entity(
        &self,
        label: &str,
        entity: &str,
        span: Span,
        terms: &mut Vec<Term>,
        per_node: &mut Vec<(String, Term)>,
        caveats: &mut Vec<String>,
    ) {
        let what = format!("entity {entity}");
        let term = |conds: Vec<Cond>| Term {
            label: label.to_string(),
            span,
            conds,
        };
        match entity {
            "all" => terms.push(term(Vec::new())),
            "world" => terms.push(term(vec![Cond::new(Test::World, &what, span)])),
            "world-ipv4" | "world-ipv6" if !self.dual_stack() => caveats.push(format!(
                "{what}: in a single-stack cluster outside addresses carry `reserved:world` only (pkg/labels/cidr.go AddWorldLabel): matches nothing"
            )),
            "world-ipv4" | "world-ipv6" => {
                let family = if entity == "world-ipv4" {
                    Family::V4
                } else {
                    Family::V6
                };
                terms.push(term(vec![
                    Cond::new(Test::World, &what, span),
                    Cond::new(Test::Family(family), &what, span),
                ]));
            }
            "cluster" => terms.push(term(vec![
                Cond::new(Test::World, &what, span).negate(),
            ])),
            "host" | "remote-node" => {
                if self.cluster.nodes.is_empty() {
                    caveats.push(format!(
                        "{what}: the input has no Node objects, so no address is known to be a node's"
                    ));
                }
                for node in &self.cluster.nodes {
                    let conds = if entity == "host" {
                        vec![Cond::new(Test::Node(node.name.clone()), &what, span)]
                    } else {
                        vec![
                            Cond::new(Test::Nodes(Expr::All), &what, span),
                            Cond::new(
                                Test::Node(node.name.clone()),
                                format!("the pod's own node {}", node.name),
                                span,
                            )
                            .negate(),
                        ]
                    };
                    per_node.push((node.name.clone(), term(conds)));
                }
                if self
                    .cluster
                    .endpoints
                    .iter()
                    .any(|e| !e.host_network && e.node_name.is_none())
                {
                    caveats.push(format!(
                        "{what} depends on the node a pod runs on: pods without spec.nodeName match it on no node"
                    ));
                }
            }
            "kube-apiserver" => caveats.push(format!(
                "{what}: the API server's addresses are not known here (nor whether they are nodes'): matches nothing"
            )),
            "ingress" => caveats.push(format!(
                "{what}: Cilium's Ingress/Gateway proxy is not modelled: matches nothing"
            )),
            "init" | "health" | "unmanaged" | "none" => caveats.push(format!(
                "{what}: no party of the input has this identity: matches nothing"
            )),
            _ => {}
        }
    }

    /// A `toServices` item: the backends of the Service it names (or of the Services its
    /// selector matches), pods its selector picks.
    fn service_terms(
        &self,
        label: &str,
        s: &crate::model::cilium::ServiceRef,
        caveats: &mut Vec<String>,
    ) -> Vec<Term> {
        // A Service named without namespace is looked up in every namespace
        // (`serviceMatches`: an empty namespace matches any).
        let wanted_ns = s.namespace.as_ref().map(|n| n.value.as_str());
        let names: Vec<(String, String)> = match (&s.name, &s.selector) {
            (Some(n), _) => {
                let found: Vec<(String, String)> = self
                    .cluster
                    .services
                    .iter()
                    .filter(|svc| {
                        svc.name == n.value && wanted_ns.is_none_or(|w| w == svc.namespace)
                    })
                    .map(|svc| (svc.namespace.clone(), svc.name.clone()))
                    .collect();
                if found.is_empty() {
                    caveats.push(format!(
                        "{label}: Service {}{} is not in the input: matches nothing here",
                        wanted_ns.map(|w| format!("{w}/")).unwrap_or_default(),
                        n.value
                    ));
                }
                found
            }
            (None, Some(_)) => {
                caveats.push(format!(
                    "{label}: a k8sServiceSelector matches Services by their labels, which the input does not keep: matches no Service here"
                ));
                Vec::new()
            }
            (None, None) => Vec::new(),
        };
        names
            .into_iter()
            .map(|(ns, name)| Term {
                label: label.to_string(),
                span: s.span,
                conds: vec![Cond::new(
                    Test::Service {
                        namespace: ns.clone(),
                        name: name.clone(),
                    },
                    format!("Service {ns}/{name}"),
                    s.span,
                )],
            })
            .collect()
    }
}

struct Peers {
    terms: Match,
    per_node: Vec<(String, Term)>,
}

fn never(what: String, span: Span) -> Cond {
    // `all()` negated: holds for no party.
    Cond::new(
        Test::Selector {
            expr: Expr::All,
            network_sets: false,
        },
        what,
        span,
    )
    .negate()
}

fn requirement_expr(key: Key, r: &Requirement) -> Expr {
    match r.op {
        Operator::In if r.values.len() == 1 => Expr::Eq(key, r.values[0].clone()),
        Operator::In => Expr::In(key, r.values.clone()),
        Operator::NotIn => Expr::NotIn(key, r.values.clone()),
        Operator::Exists => Expr::Has(key),
        Operator::DoesNotExist => Expr::Not(Box::new(Expr::Has(key))),
    }
}

/// A CIDR or a lone address, as Cilium accepts both.
fn cidr(s: &str) -> Option<IpNet> {
    parse_cidr(s)
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// The ports of a rule.
fn ports(r: &PeerRule, caveats: &mut Vec<String>) -> PortMatch {
    let to_ports = r.to_ports.as_deref().unwrap_or(&[]);
    let icmps = r.icmps.as_deref().unwrap_or(&[]);
    if to_ports.is_empty() && icmps.is_empty() {
        if let Some(a) = &r.authentication {
            caveats.push(auth_caveat(&a.value));
        }
        return PortMatch::All;
    }
    let mut items = Vec::new();
    for pr in to_ports {
        items.extend(port_items(pr));
        l7_caveats(pr, caveats);
    }
    for i in icmps {
        items.push(PortItem {
            kind: PortKind::Nothing(format!("ICMP {}", i.fields.join(", "))),
            span: i.span,
        });
    }
    if let Some(a) = &r.authentication {
        caveats.push(auth_caveat(&a.value));
    }
    PortMatch::Any(items)
}

fn auth_caveat(mode: &str) -> String {
    format!(
        "authentication mode {mode}: the connection also needs mutual authentication between the two identities (SPIFFE), not evaluated here"
    )
}

fn port_items(pr: &PortRule) -> Vec<PortItem> {
    if pr.ports.is_empty() {
        return [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
            .into_iter()
            .map(|p| PortItem {
                kind: PortKind::Range(p, 1, 65535),
                span: pr.span,
            })
            .collect();
    }
    let mut out = Vec::new();
    for pp in &pr.ports {
        let protos: Vec<Protocol> = match pp
            .protocol
            .as_ref()
            .map(|p| p.value.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("ANY") | Some("") => vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp],
            Some("TCP") => vec![Protocol::Tcp],
            Some("UDP") => vec![Protocol::Udp],
            Some("SCTP") => vec![Protocol::Sctp],
            Some(other) => {
                out.push(PortItem {
                    kind: PortKind::Nothing(format!("protocol {other}")),
                    span: pp.span,
                });
                continue;
            }
        };
        let port = pp.port.as_ref().map(|p| p.value.trim());
        match port {
            None | Some("") | Some("0") => {
                for p in protos {
                    out.push(PortItem {
                        kind: PortKind::Range(p, 1, 65535),
                        span: pp.span,
                    });
                }
            }
            // `strconv.ParseUint(port, 0, 16)` first (`010` is 8, `0x50` is 80); what does not
            // parse is a port name, compared in lower case (`l4.go`).
            Some(text) => match crate::model::cilium::validate::go_port_number(text)
                .map(u16::try_from)
                .ok_or(())
            {
                Ok(Ok(0)) => {
                    for p in protos {
                        out.push(PortItem {
                            kind: PortKind::Range(p, 1, 65535),
                            span: pp.span,
                        });
                    }
                }
                Ok(Ok(n)) => {
                    let end = pp
                        .end_port
                        .as_ref()
                        .and_then(|e| u16::try_from(e.value).ok())
                        .filter(|&e| e > n)
                        .unwrap_or(n);
                    for p in protos {
                        out.push(PortItem {
                            kind: PortKind::Range(p, n, end),
                            span: pp.span,
                        });
                    }
                }
                Ok(Err(_)) => out.push(PortItem {
                    kind: PortKind::Nothing(format!("port {text}")),
                    span: pp.span,
                }),
                Err(()) => {
                    let proto = (protos.len() == 1).then(|| protos[0]);
                    out.push(PortItem {
                        kind: PortKind::Named(text.to_ascii_lowercase(), proto),
                        span: pp.span,
                    });
                }
            },
        }
    }
    out
}

fn l7_caveats(pr: &PortRule, caveats: &mut Vec<String>) {
    let ports: Vec<String> = pr
        .ports
        .iter()
        .map(|p| {
            let port = p.port.as_ref().map_or("all", |p| p.value.as_str());
            match &p.protocol {
                Some(proto) => format!("{} {port}", proto.value),
                None => format!("ANY {port}"),
            }
        })
        .collect();
    let on = if ports.is_empty() {
        "every port".to_string()
    } else {
        ports.join(", ")
    };
    for l7 in &pr.l7 {
        let what = if l7.items.is_empty() {
            "nothing".to_string()
        } else {
            l7.items.join("; ")
        };
        caveats.push(format!(
            "L7 {} on {on}: the connection is allowed, then Cilium's proxy lets through only requests matching: {what}",
            l7.protocol
        ));
    }
    if !pr.server_names.is_empty() {
        let names: Vec<&str> = pr.server_names.iter().map(|s| s.value.as_str()).collect();
        caveats.push(format!(
            "serverNames on {on}: only TLS connections whose SNI is one of {} pass",
            names.join(", ")
        ));
    }
    if let Some(t) = &pr.tls {
        caveats.push(format!(
            "{} on {on}: TLS is intercepted by Cilium's proxy (not evaluated here)",
            t.value
        ));
    }
}

/// Whether a kind of the input is Cilium's, for explanations.
pub fn kind_title(kind: CiliumKind) -> &'static str {
    kind.as_str()
}

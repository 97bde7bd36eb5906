//! The peers of a Cilium rule: endpoints (and the entities their reserved labels name),
//! entities, CIDRs and CIDR groups, nodes, Services and FQDNs.

use ipnet::IpNet;

use super::super::kubernetes::pod_network;
use super::Cx;
use super::identity::{IdentityKey, has_reserved, identity_key, names_namespace};
use crate::base::span::Span;
use crate::model::Direction;
use crate::model::cilium::PeerRule;
use crate::model::ip::{Family, parse_cidr};
use crate::model::ir::{Cond, FqdnSelector, Match, Term, Test};
use crate::model::labels::{LabelSelector, Operator};
use crate::model::selector::{Expr, Scope};

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

/// The peers of a rule: its terms, and per-node terms for `host` and `remote-node`.
pub(super) struct Peers {
    pub(super) terms: Match,
    pub(super) per_node: Vec<(String, Term)>,
}

pub(super) fn world_cond(span: Span) -> Cond {
    Cond::new(Test::World, "outside the cluster (entity world)", span)
}

/// A CIDR or a lone address, as Cilium accepts both.
fn cidr(s: &str) -> Option<IpNet> {
    parse_cidr(s)
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

impl Cx<'_> {
    /// The peers of a rule.
    pub(super) fn peers(
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
            return Peers {
                terms: if wildcard {
                    Match::All
                } else {
                    Match::Any(Vec::new())
                },
                per_node,
            };
        }
        // `fromRequires`/`toRequires` hold no entry in an applied policy (refused since
        // Cilium 1.19, see `validate`): nothing to evaluate.
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
        if matches!(entity, "world" | "cluster" | "world-ipv4" | "world-ipv6")
            && self.cluster.nodes.is_empty()
        {
            caveats.push(format!(
                "{what}: the input has no Node objects, so no address is known to be a node's or in a pod CIDR: every address no pod of the input holds counts as outside the cluster"
            ));
        }
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
            // `k8sServiceSelector`: the Services whose labels it matches (`serviceMatches`).
            (None, Some(sel)) => {
                let found: Vec<(String, String)> = self
                    .cluster
                    .services
                    .iter()
                    .filter(|svc| {
                        wanted_ns.is_none_or(|w| w == svc.namespace) && sel.matches(&svc.labels)
                    })
                    .map(|svc| (svc.namespace.clone(), svc.name.clone()))
                    .collect();
                if found.is_empty() {
                    caveats.push(format!(
                        "{label}: no Service of the input has labels matching {sel}: matches nothing here"
                    ));
                }
                found
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

//! Whether Cilium's DNS proxy sees a pod's lookups of a DNS name, and so whether `toFQDNs`
//! rules can learn the addresses the name resolves to.
//!
//! A `toFQDNs` peer matches the addresses that DNS answers give for its names, as Cilium's DNS
//! proxy learns them (docs.cilium.io "DNS based", "Obtaining DNS data for use by toFQDNs").
//! The proxy only sees lookups on connections an L7 `dns` rule (`toPorts[].rules.dns`)
//! applies to, and only lets through those its `matchName`/`matchPattern` items allow: a
//! lookup no such rule lets through teaches Cilium nothing, and `toFQDNs` then allows nothing.
//!
//! What this module assumes:
//! - the pods send their lookups to the cluster DNS: the pods labelled `k8s-app=kube-dns` in
//!   `kube-system` (not hostNetwork) when the input has them ([`DnsServer::KubeDns`]); without
//!   them, any destination on port 53 is taken to be it ([`DnsServer::AnyOnPort53`]);
//! - a `dns` rule applies to a pod's lookups when it is under a `toPorts` item holding port 53
//!   (UDP, TCP or ANY; a port name is taken to be the DNS port) of an egress rule of an
//!   applied Cilium policy (CNP or CCNP) selecting the pod whose peers reach the cluster DNS;
//! - whether the lookups themselves are allowed (an `egressDeny` on port 53, say) is not
//!   judged here: the connection answer tells that;
//! - under a plugin other than Cilium no Cilium policy applies, so nothing is seen: callers
//!   check [`Cluster::cni`] first.

use super::Party;
use super::explain::Explanation;
use super::matching::{MatchResult, matches, source_selects, term_fails};
use crate::base::span::Span;
use crate::model::cilium::PortRule;
use crate::model::cilium::validate::{go_port_number, is_svc_name};
use crate::model::ir::{Action, FqdnSelector, Match, PolicyId, Source, Term, Test, normalize_fqdn};
use crate::model::{Cluster, Cni, Direction, PortSet};

/// The namespace of the cluster DNS pods.
pub const DNS_NAMESPACE: &str = "kube-system";
/// The label of the cluster DNS pods.
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// Where the pods' lookups are taken to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsServer {
    /// The pods labelled `k8s-app=kube-dns` in `kube-system` (not hostNetwork), by index in
    /// [`Cluster::endpoints`]; never empty.
    KubeDns(Vec<usize>),
    /// The input has no such pod: any destination on port 53.
    AnyOnPort53,
}

impl DnsServer {
    /// The cluster DNS of the input.
    pub fn of(cluster: &Cluster) -> DnsServer {
        let pods: Vec<usize> = cluster
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.namespace == DNS_NAMESPACE
                    && !e.host_network
                    && e.labels.get(DNS_LABEL.0) == Some(DNS_LABEL.1)
            })
            .map(|(i, _)| i)
            .collect();
        if pods.is_empty() {
            DnsServer::AnyOnPort53
        } else {
            DnsServer::KubeDns(pods)
        }
    }

    /// The DNS pods (none for [`DnsServer::AnyOnPort53`]).
    pub fn endpoints(&self) -> &[usize] {
        match self {
            DnsServer::KubeDns(pods) => pods,
            DnsServer::AnyOnPort53 => &[],
        }
    }
}

/// One item (`matchName`/`matchPattern`) of an L7 `dns` rule that applies to a pod's lookups,
/// and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRule {
    /// What it lets through.
    pub selector: FqdnSelector,
    /// How it reads: `matchName api.github.com`, `matchPattern *`.
    pub text: String,
    /// The `rules.dns` list it is an item of.
    pub span: Span,
    /// Its policy, by index in [`Cluster::cilium_policies`].
    pub policy: usize,
    /// Its policy (the allow part of its `spec`) in the policy model, by index in
    /// `cluster.ir.policies`.
    pub ir_policy: PolicyId,
    /// Where it is in the policy, named as explanations name rules:
    /// `egress[0].toPorts[0].rules.dns` (`specs[1].egress[0]…` in a policy with `specs`).
    pub label: String,
}

impl DnsRule {
    /// Whether it lets through lookups of what `want` names (see [`covers`]).
    pub fn covers(&self, want: &FqdnSelector) -> bool {
        covers(&self.selector, want)
    }
}

/// Whether Cilium's DNS proxy sees a pod's lookups of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// A `dns` rule lets them through: the first, in input order, that covers the name.
    Seen {
        /// The rule.
        rule: DnsRule,
        /// Where the lookups are taken to go.
        server: DnsServer,
    },
    /// No `dns` rule lets them through.
    NotSeen {
        /// Why.
        reason: NotSeen,
        /// Where the lookups are taken to go.
        server: DnsServer,
    },
}

impl Visibility {
    /// Whether the lookups are seen.
    pub fn is_seen(&self) -> bool {
        matches!(self, Visibility::Seen { .. })
    }

    /// Where the lookups are taken to go.
    pub fn server(&self) -> &DnsServer {
        match self {
            Visibility::Seen { server, .. } | Visibility::NotSeen { server, .. } => server,
        }
    }
}

/// Why a pod's lookups of a name are not seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotSeen {
    /// No egress rule selecting the pod reaches the DNS server on port 53 with a `dns` rule.
    NoDnsRule,
    /// Some do, but none of their items covers the name: these are the items.
    NotCovered(Vec<DnsRule>),
}

/// Whether Cilium's DNS proxy sees the lookups of `name` by the endpoint `pod` (index in
/// [`Cluster::endpoints`]).
pub fn sees(cluster: &Cluster, pod: usize, name: &str) -> Visibility {
    let server = DnsServer::of(cluster);
    let mut rules = dns_rules(cluster, &server, pod);
    let want = FqdnSelector::Name(normalize_fqdn(name));
    match rules.iter().position(|d| d.covers(&want)) {
        Some(i) => Visibility::Seen {
            rule: rules.swap_remove(i),
            server,
        },
        None if rules.is_empty() => Visibility::NotSeen {
            reason: NotSeen::NoDnsRule,
            server,
        },
        None => Visibility::NotSeen {
            reason: NotSeen::NotCovered(rules),
            server,
        },
    }
}

/// A connection from an endpoint to a DNS name under Cilium, with whether the proxy sees the
/// endpoint's lookups of the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FqdnConnection {
    /// The source endpoint, by index in [`Cluster::endpoints`].
    pub pod: usize,
    /// The DNS name (see [`Cluster::fqdns`]).
    pub name: String,
    /// Whether Cilium's DNS proxy sees the source's lookups of the name.
    pub visibility: Visibility,
    /// The ports asked about (every port without a query) that the policies allow only
    /// through `toFQDNs` peers ([`allowed_only_through_fqdns`]) while the proxy does not see
    /// the lookups: allowed by the policies, failing in the real cluster. Empty when seen.
    pub fails: PortSet,
}

/// For a connection from an endpoint to a DNS name (the stand-in address of
/// [`Cluster::fqdns`]) under Cilium, whether it rests on lookups the proxy sees; None for any
/// other connection or plugin.
pub fn fqdn_connection(cluster: &Cluster, e: &Explanation) -> Option<FqdnConnection> {
    let (Party::Endpoint(pod), Party::Address(ip)) = (e.src, e.dst) else {
        return None;
    };
    if cluster.cni != Cni::Cilium || e.loopback {
        return None;
    }
    let name = cluster.fqdn_at(ip)?.to_string();
    let visibility = sees(cluster, pod, &name);
    let fails = if visibility.is_seen() {
        PortSet::none()
    } else {
        let only = allowed_only_through_fqdns(cluster, e);
        match e.query {
            Some((p, n)) => only.intersect(&PortSet::single(p, n)),
            None => only,
        }
    };
    Some(FqdnConnection {
        pod,
        name,
        visibility,
        fails,
    })
}

/// Whether a `dns` item lets through lookups of what a `toFQDNs` entry names: the name, or
/// an instance of the pattern (each `*` a label `x`; `**.` one label more), or the same
/// pattern.
pub fn covers(dns: &FqdnSelector, want: &FqdnSelector) -> bool {
    match want {
        FqdnSelector::Name(n) => dns.matches(n),
        FqdnSelector::Pattern(p) => {
            if let FqdnSelector::Pattern(d) = dns
                && normalize_fqdn(d) == normalize_fqdn(p)
            {
                return true;
            }
            let instance = match p.strip_prefix("**.") {
                Some(rest) => format!("x.{rest}"),
                None => p.clone(),
            }
            .replace('*', "x");
            dns.matches(&instance)
        }
    }
}

/// The `dns` items that apply to the lookups of the endpoint `pod`, in input order: of the
/// egress rules of applied Cilium policies selecting it whose `toPorts` items hold port 53
/// and whose peers reach `server`.
pub fn dns_rules(cluster: &Cluster, server: &DnsServer, pod: usize) -> Vec<DnsRule> {
    let mut out = Vec::new();
    for (idx, p) in cluster.cilium_policies.iter().enumerate() {
        if !cluster.cilium_applied(idx) {
            continue;
        }
        for (k, spec) in p.specs.iter().enumerate() {
            let source = Source::Cilium {
                policy: idx,
                spec: k,
                deny: false,
            };
            let Some(pid) = cluster.ir.policy_of(source) else {
                continue;
            };
            if !source_selects(cluster, source, pod) {
                continue;
            }
            let lowered = cluster.ir.policies[pid].dir(Direction::Egress);
            let prefix = if p.specs.len() > 1 {
                format!("{}.", spec.label)
            } else {
                String::new()
            };
            for r in spec.egress.iter().flatten() {
                let dns: Vec<(usize, &PortRule)> = r
                    .to_ports
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, pr)| on_port_53(pr) && pr.l7.iter().any(|l| l.protocol == "dns"))
                    .collect();
                if dns.is_empty() {
                    continue;
                }
                let reaches = match server {
                    DnsServer::AnyOnPort53 => true,
                    DnsServer::KubeDns(servers) => lowered
                        .rules
                        .iter()
                        .filter(|x| x.index == r.index)
                        .any(|x| {
                            x.local
                                .as_ref()
                                .is_none_or(|l| matches(cluster, l, Party::Endpoint(pod)))
                                && servers
                                    .iter()
                                    .any(|&s| matches(cluster, &x.peer, Party::Endpoint(s)))
                        }),
                };
                if !reaches {
                    continue;
                }
                for (i, pr) in dns {
                    for l7 in pr.l7.iter().filter(|l| l.protocol == "dns") {
                        for item in &l7.items {
                            let selector = match item.split_once(' ') {
                                Some(("matchName", n)) => FqdnSelector::Name(n.to_string()),
                                Some(("matchPattern", p)) => FqdnSelector::Pattern(p.to_string()),
                                _ => continue,
                            };
                            out.push(DnsRule {
                                selector,
                                text: item.clone(),
                                span: l7.span,
                                policy: idx,
                                ir_policy: pid,
                                label: format!(
                                    "{prefix}egress[{}].toPorts[{i}].rules.dns",
                                    r.index
                                ),
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// Whether a `toPorts` item holds port 53 of UDP or TCP (a port name is taken to be it).
pub fn on_port_53(pr: &PortRule) -> bool {
    pr.ports.iter().any(|pp| {
        let proto_ok = pp.protocol.as_ref().is_none_or(|p| {
            matches!(
                p.value.to_ascii_uppercase().as_str(),
                "" | "ANY" | "UDP" | "TCP"
            )
        });
        let port_ok = pp.port.as_ref().is_some_and(|port| {
            let text = port.value.trim();
            match go_port_number(text) {
                Some(n) => {
                    let end = pp
                        .end_port
                        .as_ref()
                        .map_or(n, |e| u32::try_from(e.value).unwrap_or(0).max(n));
                    (n..=end).contains(&53)
                }
                None => is_svc_name(text),
            }
        });
        proto_ok && port_ok
    })
}

/// The ports of a connection that the policies allow only through `toFQDNs` peers (peers
/// naming DNS names): allowed end to end, not allowed by default, and allowed by no rule whose
/// peer matches the destination otherwise (`toEntities: [world]`, `toCIDR: [0.0.0.0/0]`,
/// ...). Were Cilium's DNS proxy blind to the lookups, these are the ports that would fail.
///
/// Every matching Allow rule counts, in every tier, whatever its order: exact for Cilium,
/// whose allows add up.
pub fn allowed_only_through_fqdns(cluster: &Cluster, e: &Explanation) -> PortSet {
    let side = &e.egress;
    let mut other = side.defaulted.clone();
    for step in &side.tiers {
        for ps in &step.policies {
            let rules = &cluster.ir.policies[ps.policy].dir(side.direction).rules;
            for rs in &ps.rules {
                let rule = &rules[rs.rule];
                if rule.action != Action::Allow || !rs.local.as_ref().is_none_or(MatchResult::holds)
                {
                    continue;
                }
                let matched_otherwise = match &rule.peer {
                    Match::All => true,
                    Match::Any(terms) => terms
                        .iter()
                        .any(|t| !names_fqdn(t) && term_fails(cluster, t, e.dst).is_none()),
                };
                if matched_otherwise {
                    other.union_with(&rs.ports);
                }
            }
        }
    }
    e.allowed.difference(&other)
}

/// Whether a term matches DNS names only (a `toFQDNs` entry).
fn names_fqdn(t: &Term) -> bool {
    t.conds
        .iter()
        .any(|c| !c.negated && matches!(c.test, Test::Fqdn(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explain::explain;
    use crate::engine::semantics_tests::cluster_with;
    use crate::model::{BuildOptions, Protocol};

    const PODS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.53}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.1.10}
";

    const DNS: &str = "
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: allow-dns}
spec:
  endpointSelector: {}
  egress:
  - toEndpoints:
    - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
    toPorts:
    - ports: [{port: \"53\", protocol: ANY}]
      rules:
        dns: [{matchPattern: \"*.example.com\"}]
";

    const FQDN: &str = "
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  egress:
  - toFQDNs: [{matchName: pay.example.com}, {matchName: pay.example.org}]
    toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]
";

    fn cluster(parts: &[&str]) -> Cluster {
        let options = BuildOptions {
            fqdn_targets: vec!["pay.example.com".into(), "pay.example.org".into()],
            ..Default::default()
        };
        cluster_with(&parts.concat(), &options)
    }

    fn pod(c: &Cluster, id: &str) -> usize {
        c.endpoints.iter().position(|e| e.id() == id).unwrap()
    }

    #[test]
    fn a_covering_dns_rule_towards_kube_dns_makes_lookups_seen() {
        let c = cluster(&[PODS, DNS, FQDN]);
        let api = pod(&c, "shop/api");
        let dns = pod(&c, "kube-system/coredns");
        let Visibility::Seen { rule, server } = sees(&c, api, "Pay.Example.com.") else {
            panic!("not seen");
        };
        assert_eq!(server, DnsServer::KubeDns(vec![dns]));
        assert_eq!(rule.text, "matchPattern *.example.com");
        assert_eq!(rule.label, "egress[0].toPorts[0].rules.dns");
        assert_eq!(c.ir.policies[rule.ir_policy].label(), "CCNP allow-dns");
        match sees(&c, api, "pay.example.org") {
            Visibility::NotSeen {
                reason: NotSeen::NotCovered(rules),
                ..
            } => assert_eq!(rules, [rule]),
            v => panic!("{v:?}"),
        }
        // The DNS pods' own lookups: the CCNP selects them too.
        assert!(sees(&c, dns, "pay.example.com").is_seen());
    }

    #[test]
    fn without_a_dns_rule_nothing_is_seen() {
        let c = cluster(&[PODS, FQDN]);
        let v = sees(&c, pod(&c, "shop/api"), "pay.example.com");
        assert!(matches!(
            v,
            Visibility::NotSeen {
                reason: NotSeen::NoDnsRule,
                ..
            }
        ));
    }

    #[test]
    fn without_kube_dns_pods_any_destination_on_port_53_counts() {
        let dns_to_google = DNS.replace(
            "toEndpoints:\n    - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}",
            "toCIDR: [8.8.8.8/32]",
        );
        let c = cluster(&[PODS, &dns_to_google, FQDN]);
        let api = pod(&c, "shop/api");
        assert!(
            !sees(&c, api, "pay.example.com").is_seen(),
            "kube-dns is known"
        );
        let no_kube_dns = PODS.replace("k8s-app: kube-dns", "app: coredns");
        let c = cluster(&[&no_kube_dns, &dns_to_google, FQDN]);
        let v = sees(&c, pod(&c, "shop/api"), "pay.example.com");
        assert_eq!(v.server(), &DnsServer::AnyOnPort53);
        assert!(v.is_seen());
    }

    #[test]
    fn a_connection_to_a_dns_name_fails_on_the_ports_only_to_fqdns_allow_when_unseen() {
        let c = cluster(&[PODS, FQDN]);
        let api = Party::Endpoint(pod(&c, "shop/api"));
        let dst = Party::Address(c.fqdn_address("pay.example.com").unwrap());
        let asked = Some((Protocol::Tcp, 443));
        let d = fqdn_connection(&c, &explain(&c, api, dst, asked)).unwrap();
        assert_eq!(d.name, "pay.example.com");
        assert!(!d.visibility.is_seen());
        assert_eq!(d.fails, PortSet::single(Protocol::Tcp, 443));
        let other_port = explain(&c, api, dst, Some((Protocol::Tcp, 80)));
        assert!(fqdn_connection(&c, &other_port).unwrap().fails.is_empty());
        let c = cluster(&[PODS, DNS, FQDN]);
        let api = Party::Endpoint(pod(&c, "shop/api"));
        let dst = Party::Address(c.fqdn_address("pay.example.com").unwrap());
        let d = fqdn_connection(&c, &explain(&c, api, dst, asked)).unwrap();
        assert!(d.visibility.is_seen() && d.fails.is_empty());
        // Not a DNS name.
        let db = Party::Endpoint(pod(&c, "kube-system/coredns"));
        assert_eq!(fqdn_connection(&c, &explain(&c, api, db, None)), None);
    }

    #[test]
    fn ports_allowed_by_other_peers_do_not_rest_on_fqdns() {
        let c = cluster(&[PODS, FQDN]);
        let api = Party::Endpoint(pod(&c, "shop/api"));
        let to = |name: &str| Party::Address(c.fqdn_address(name).unwrap());
        let e = explain(&c, api, to("pay.example.com"), None);
        assert_eq!(
            allowed_only_through_fqdns(&c, &e),
            PortSet::single(Protocol::Tcp, 443)
        );
        let world = format!(
            "{FQDN}  - toEntities: [world]\n    toPorts: [{{ports: [{{port: \"443\", protocol: TCP}}]}}]\n"
        );
        let c = cluster(&[PODS, &world]);
        let api = Party::Endpoint(pod(&c, "shop/api"));
        let dst = Party::Address(c.fqdn_address("pay.example.com").unwrap());
        let e = explain(&c, api, dst, None);
        assert!(e.allowed.contains(Protocol::Tcp, 443));
        assert!(allowed_only_through_fqdns(&c, &e).is_empty());
    }
}

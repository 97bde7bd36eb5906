//! ## What it finds
//! Pods and workloads isolated for egress whose policies allow no DNS to the cluster DNS:
//! neither UDP 53 nor TCP 53, or only one of them. The cluster DNS is the pods labelled
//! `k8s-app=kube-dns` in `kube-system` when the input has them; otherwise a stand-in pod
//! with those labels in a namespace `kube-system` (labelled
//! `kubernetes.io/metadata.name=kube-system`) with CoreDNS's ports (`dns` UDP 53, `dns-tcp`
//! TCP 53, `metrics` TCP 9153), so that rules are judged as they would be in a real
//! cluster. A rule with no `to` reaches it; so does an ipBlock of `0.0.0.0/0` or `::/0`
//! without `except` (whatever the DNS pods' addresses); any other ipBlock only when it holds
//! a known IP of theirs. Each protocol must reach every DNS pod (the `kube-dns` Service
//! balances over all of them). Only the egress side is judged; the DNS pods themselves are
//! not checked, and the pods and workloads must be in the input (with `check`, pass the
//! rest of the repository with `--topology`).
//!
//! Pods with the same isolating policies get the same answer, so they are reported
//! together: one finding per set of policies, at the first of them (where it turns on egress
//! isolation: its `Egress` policy type, or its egress rules), naming up to five of the
//! pods, with the other policies of the set as related places.
//!
//! ## Why it matters
//! Isolating a pod for egress blocks everything not allowed, including name resolution: the
//! application fails with lookup errors or timeouts, often far from the policy change that
//! caused it. DNS answers too large for UDP are retried over TCP, so allowing UDP only
//! breaks some lookups, intermittently.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: api-egress, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   policyTypes: [Egress]
//!   egress:
//!   - to: [{podSelector: {matchLabels: {app: db}}}]
//!     ports: [{port: 5432}]
//!   - to:
//!     - podSelector: {matchLabels: {k8s-app: kube-dns}}   # pods of shop, not kube-system
//!     ports: [{protocol: UDP, port: 53}]
//! ```
//!
//! ## Use instead
//! ```yaml
//!   - to:
//!     - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
//!       podSelector: {matchLabels: {k8s-app: kube-dns}}
//!     ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::engine::Party;
use crate::engine::evaluate::allowed_ports;
use crate::engine::matching::{matches, term_fails};
use crate::lint::risk::{governs_span, isolating, name_list};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::Source;
use crate::model::ir::lower::kubernetes::peer_term;
use crate::model::policy::{IpBlock, Peer};
use crate::model::{
    Cluster, ContainerPort, Direction, Labels, NAMESPACE_NAME_LABEL, NetworkPolicy, PolicyIdx,
    PortSet, Protocol, Rule,
};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP403",
    name: "dns-egress-blocked",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "egress-isolated pods whose policies do not allow UDP and TCP 53 to the cluster DNS",
    check,
};

const DNS_NAMESPACE: &str = "kube-system";
const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
const DNS_PORT: u16 = 53;

/// A DNS server pod: an endpoint of the input, or the stand-in.
struct Dns {
    endpoint: Option<usize>,
    ns_labels: Labels,
    labels: Labels,
    ips: Vec<IpAddr>,
    ports: Vec<ContainerPort>,
}

impl Dns {
    fn servers(cluster: &Cluster) -> Vec<Dns> {
        let real: Vec<Dns> = cluster
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| e.namespace == DNS_NAMESPACE && is_dns_labelled(&e.labels))
            .map(|(i, e)| Dns {
                endpoint: Some(i),
                ns_labels: cluster.ns(e.ns).labels.clone(),
                labels: e.labels.clone(),
                ips: e.ips.clone(),
                ports: e.ports.clone(),
            })
            .collect();
        if !real.is_empty() {
            return real;
        }
        let ns_labels = cluster.ns_id(DNS_NAMESPACE).map_or_else(
            || Labels::from_pairs([(NAMESPACE_NAME_LABEL, DNS_NAMESPACE)]),
            |id| cluster.ns(id).labels.clone(),
        );
        let port = |name: &str, port: u16, protocol: Protocol| ContainerPort {
            name: Some(name.into()),
            port,
            protocol,
        };
        vec![Dns {
            endpoint: None,
            ns_labels,
            labels: Labels::from_pairs([DNS_LABEL]),
            ips: Vec::new(),
            ports: vec![
                port("dns", DNS_PORT, Protocol::Udp),
                port("dns-tcp", DNS_PORT, Protocol::Tcp),
                port("metrics", 9153, Protocol::Tcp),
            ],
        }]
    }

    /// Whether a peer of `policy` matches this DNS pod.
    fn matched_by(&self, cluster: &Cluster, policy: &NetworkPolicy, peer: &Peer) -> bool {
        if self.ips.is_empty() && peer.ip_block.as_ref().is_some_and(everywhere) {
            return true;
        }
        match self.endpoint {
            Some(i) => term_fails(
                cluster,
                &peer_term(policy, peer, Direction::Egress),
                Party::Endpoint(i),
            )
            .is_none(),
            // The stand-in: a pod with no known IP, matched by selectors only.
            None => {
                peer.ip_block.is_none()
                    && peer
                        .namespace_selector
                        .as_ref()
                        .map_or(policy.namespace == DNS_NAMESPACE, |s| {
                            s.matches(&self.ns_labels)
                        })
                    && peer
                        .pod_selector
                        .as_ref()
                        .is_none_or(|s| s.matches(&self.labels))
            }
        }
    }

    /// The ports a rule of `policy` allows towards this DNS pod.
    fn ports_allowed_by(&self, cluster: &Cluster, policy: &NetworkPolicy, rule: &Rule) -> PortSet {
        let reached = rule.all_peers()
            || rule
                .peer_list()
                .iter()
                .any(|p| self.matched_by(cluster, policy, p));
        if reached {
            rule.ports_on(Some(&self.ports))
        } else {
            PortSet::none()
        }
    }
}

fn is_dns_labelled(labels: &Labels) -> bool {
    labels.get(DNS_LABEL.0) == Some(DNS_LABEL.1)
}

/// `0.0.0.0/0` or `::/0` without except: every address of a family.
fn everywhere(b: &IpBlock) -> bool {
    b.except.is_empty() && b.net().is_some_and(|n| n.prefix_len() == 0)
}

/// Whether policies of another API (an AdminNetworkPolicy, a Calico policy) apply to the
/// endpoint's egress and may decide DNS before or after its NetworkPolicies: then only the
/// whole model can tell. With the DNS pods in the input it does (the evaluator answers for
/// every tier); with the stand-in, the finding would be a guess, so there is none.
fn other_apis_decide(cluster: &Cluster, ep: usize, servers: &[Dns]) -> bool {
    let others = cluster.ir.policies.iter().any(|p| {
        !matches!(
            p.source,
            Source::NetworkPolicy(_) | Source::NamespaceIsolation(_)
        ) && p.dir(Direction::Egress).applies
            && matches(cluster, &p.subject, Party::Endpoint(ep))
    });
    if !others {
        return false;
    }
    // With the DNS pods present: only where the whole model blocks DNS entirely does the
    // NetworkPolicy reading stand.
    !servers.iter().any(|s| {
        s.endpoint.is_some_and(|dns| {
            let ports = allowed_ports(cluster, Party::Endpoint(ep), Party::Endpoint(dns));
            !ports.contains(Protocol::Udp, DNS_PORT) && !ports.contains(Protocol::Tcp, DNS_PORT)
        })
    })
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let servers = Dns::servers(cluster);
    let mut groups: BTreeMap<Vec<PolicyIdx>, Vec<usize>> = BTreeMap::new();
    for (i, ep) in cluster.endpoints.iter().enumerate() {
        if servers.iter().any(|s| s.endpoint == Some(i)) {
            continue;
        }
        let policies = isolating(cluster, i, Direction::Egress);
        if !policies.is_empty() && !ep.host_network && !other_apis_decide(cluster, i, &servers) {
            groups.entry(policies).or_default().push(i);
        }
    }
    for (policies, endpoints) in groups {
        // Each protocol must reach every DNS pod (the Service balances over all of them).
        let missing: Vec<Protocol> = [Protocol::Udp, Protocol::Tcp]
            .into_iter()
            .filter(|&proto| {
                servers.iter().any(|s| {
                    !policies.iter().any(|&p| {
                        let policy = &cluster.policies[p];
                        policy.rules(Direction::Egress).iter().any(|r| {
                            s.ports_allowed_by(cluster, policy, r)
                                .contains(proto, DNS_PORT)
                        })
                    })
                })
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.push(finding(cluster, &servers, &policies, &endpoints, &missing));
    }
}

fn finding(
    cluster: &Cluster,
    servers: &[Dns],
    policies: &[PolicyIdx],
    endpoints: &[usize],
    missing: &[Protocol],
) -> Finding {
    let first = &cluster.policies[policies[0]];
    let eps: Vec<String> = endpoints
        .iter()
        .map(|&i| cluster.endpoints[i].id())
        .collect();
    let pols: Vec<String> = policies.iter().map(|&i| cluster.policies[i].id()).collect();
    let dns = if servers[0].endpoint.is_some() {
        let names: Vec<String> = servers
            .iter()
            .filter_map(|s| s.endpoint.map(|i| cluster.endpoints[i].id()))
            .collect();
        name_list(&names, 5)
    } else {
        format!(
            "the cluster DNS (pods {}={} in {DNS_NAMESPACE})",
            DNS_LABEL.0, DNS_LABEL.1
        )
    };
    let what = match missing {
        [Protocol::Udp] => "TCP 53 but not UDP 53",
        [Protocol::Tcp] => "UDP 53 but not TCP 53",
        _ => "neither UDP 53 nor TCP 53",
    };
    let message = format!(
        "egress of {} is isolated by {}, which {} {what} to {dns}",
        name_list(&eps, 5),
        name_list(&pols, 5),
        if pols.len() == 1 { "allows" } else { "allow" },
    );
    let mut f = Finding::new(
        &RULE,
        Subject::Policy(policies[0]),
        governs_span(first, Direction::Egress),
        message,
    );
    for &p in &policies[1..] {
        let policy = &cluster.policies[p];
        f = f.related(
            governs_span(policy, Direction::Egress),
            format!("{} also isolates them for egress", policy.id()),
        );
    }
    // Rules meant for DNS (they allow a missing protocol on port 53) whose peers miss it.
    for &p in policies {
        let policy = &cluster.policies[p];
        for rule in policy.rules(Direction::Egress) {
            let Some(peers) = rule.peers.as_ref().filter(|_| !rule.all_peers()) else {
                continue;
            };
            let meant = servers.iter().any(|s| {
                let ports = rule.ports_on(Some(&s.ports));
                missing.iter().any(|&m| ports.contains(m, DNS_PORT))
                    && s.ports_allowed_by(cluster, policy, rule).is_empty()
            });
            if meant {
                f = f.related(
                    peers.span,
                    format!(
                        "{} {} allows port 53, but no peer of it matches the DNS pods",
                        policy.id(),
                        rule.label()
                    ),
                );
            }
        }
    }
    if let [proto] = missing {
        let other = if *proto == Protocol::Udp {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        for &p in policies {
            let policy = &cluster.policies[p];
            for rule in policy.rules(Direction::Egress) {
                let allows = servers.iter().any(|s| {
                    s.ports_allowed_by(cluster, policy, rule)
                        .contains(other, DNS_PORT)
                });
                if allows {
                    f = f.related(
                        rule.ports.as_ref().map_or(rule.span, |p| p.span),
                        format!(
                            "{} {} allows {other} 53 to the DNS, not {proto} 53",
                            policy.id(),
                            rule.label()
                        ),
                    );
                }
            }
        }
        return f.help(format!(
            "add `{{protocol: {proto}, port: 53}}` to the ports of the rule allowing {other} 53"
        ));
    }
    f.help(format!(
        "add an egress rule to {}: `{{to: [{{namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: {DNS_NAMESPACE}}}}}, podSelector: {{matchLabels: {{{}: {}}}}}}}], ports: [{{protocol: UDP, port: 53}}, {{protocol: TCP, port: 53}}]}}`",
        first.id(),
        DNS_LABEL.0,
        DNS_LABEL.1
    ))
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn reports_each_set_of_isolating_policies_against_the_stand_in_dns() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "62:26: egress of app/a and app/b is isolated by app/default-deny, which allows neither UDP 53 nor TCP 53 to the cluster DNS (pods k8s-app=kube-dns in kube-system)",
                "62:26: egress of app/c is isolated by app/default-deny and app/c-egress, which allow UDP 53 but not TCP 53 to the cluster DNS (pods k8s-app=kube-dns in kube-system)",
                "79:17: egress of batch/batch-1, batch/batch-2, batch/batch-3, batch/batch-4, batch/batch-5 and 2 more is isolated by batch/deny-egress, which allows neither UDP 53 nor TCP 53 to the cluster DNS (pods k8s-app=kube-dns in kube-system)",
                "88:5: egress of shop/api is isolated by shop/api-egress, which allows neither UDP 53 nor TCP 53 to the cluster DNS (pods k8s-app=kube-dns in kube-system)",
            ]
        );
    }

    #[test]
    fn helps_with_a_whole_dns_rule_when_both_protocols_are_missing() {
        assert_eq!(
            details(&RULE, "bad.yaml")[3],
            "88:5: egress of shop/api is isolated by shop/api-egress, which allows neither UDP 53 nor TCP 53 to the cluster DNS (pods k8s-app=kube-dns in kube-system)\n  89:7: shop/api-egress egress[0] allows port 53, but no peer of it matches the DNS pods\n  help: add an egress rule to shop/api-egress: `{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}`"
        );
    }

    #[test]
    fn judges_the_dns_pods_of_the_input_when_there_are_some() {
        assert_eq!(
            details(&RULE, "bad-coredns.yaml"),
            [
                "37:17: egress of app/deploy/web is isolated by app/web-egress and app/default-deny, which allow TCP 53 but not UDP 53 to kube-system/deploy/coredns\n  49:26: app/default-deny also isolates them for egress\n  40:7: app/web-egress egress[0] allows port 53, but no peer of it matches the DNS pods\n  42:12: app/web-egress egress[1] allows TCP 53 to the DNS, not UDP 53\n  help: add `{protocol: UDP, port: 53}` to the ports of the rule allowing TCP 53"
            ]
        );
    }

    /// The stand-in is matched as the engine would match a real pod with its labels.
    #[test]
    fn the_stand_in_matches_like_the_engine() {
        use super::Dns;
        use crate::load::{LoadOptions, load};
        use crate::model::{Cluster, Direction};
        let paths = [
            format!("{}/testdata/demo", env!("CARGO_MANIFEST_DIR")),
            format!(
                "{}/testdata/rules/dns-egress-blocked/good.yaml",
                env!("CARGO_MANIFEST_DIR")
            ),
            format!(
                "{}/testdata/rules/dns-egress-blocked/bad-coredns.yaml",
                env!("CARGO_MANIFEST_DIR")
            ),
        ];
        let loaded = load(&paths, &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let real = Dns::servers(&cluster);
        assert!(real.iter().all(|r| r.endpoint.is_some()));
        let mut compared = 0;
        for r in &real {
            let stand_in = Dns {
                endpoint: None,
                ns_labels: r.ns_labels.clone(),
                labels: r.labels.clone(),
                ips: Vec::new(),
                ports: r.ports.clone(),
            };
            for (_, policy) in cluster.applied_policies() {
                for dir in Direction::BOTH {
                    for rule in policy.rules(dir) {
                        for peer in rule.peer_list() {
                            assert_eq!(
                                stand_in.matched_by(&cluster, policy, peer),
                                r.matched_by(&cluster, policy, peer),
                                "{} {}",
                                policy.id(),
                                rule.label()
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared > 10, "{compared}");
    }

    #[test]
    fn every_way_of_allowing_dns_passes() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_first_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

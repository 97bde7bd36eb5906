//! Tests of the plan: workloads, connections, selections, DNS, names.

use super::*;
use crate::engine::Party;
use crate::fix::generate::policies::{IGNORE_ANNOTATION, PeerSel, Policy};
use crate::fix::generate::{cluster_of, test_options as options, test_want as want};

const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, pod-template-hash: abc}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prom, namespace: mon}
spec:
  template:
    metadata: {labels: {app: prom}}
    spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: c, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}
";

fn policy<'p>(plan: &'p Plan, ns: &str, name: &str) -> &'p Policy {
    plan.namespace(ns)
        .unwrap()
        .policies
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {ns}/{name}"))
}

#[test]
fn one_rule_per_peer_at_both_ends() {
    let c = cluster_of(SHOP);
    let wants = [
        want(1, "shop/web", "shop/api", Some("8080"), Verdict::Allow),
        want(2, "mon/prom", "shop/api", Some("9090"), Verdict::Allow),
        want(3, "shop/web", "shop/api", Some("http"), Verdict::Allow),
        want(4, "shop/web", "mon/prom", None, Verdict::Deny),
    ];
    let plan = plan(&c, &wants, &options());
    assert_eq!(plan.problems, vec![]);
    assert_eq!(plan.covered, vec!["mon".to_string(), "shop".to_string()]);
    let names: Vec<&str> = plan
        .namespace("shop")
        .unwrap()
        .policies
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "default-deny",
            "allow-dns",
            "allow-api-ingress",
            "allow-web-egress"
        ]
    );
    let api = policy(&plan, "shop", "allow-api-ingress");
    assert_eq!(api.pod_selector, vec![("app".into(), "api".into())]);
    let rules = api.ingress.as_ref().unwrap();
    assert_eq!(rules.len(), 2);
    // Cross-namespace peers name the namespace; ports by name.
    assert_eq!(
        rules[0].peer,
        PeerSel::Pods {
            namespace: Some("mon".into()),
            labels: vec![("app".into(), "prom".into())]
        }
    );
    assert_eq!(
        rules[0].ports,
        Ports::List(vec![PortItem {
            protocol: Protocol::Tcp,
            port: 9090,
            name: Some("metrics".into())
        }])
    );
    // Two lines on one port make one rule naming both.
    assert_eq!(
        rules[1].comment,
        vec!["shop/deploy/web → shop/deploy/api on TCP 8080 (f.yaml:1, 3)".to_string()]
    );
    assert!(api.egress.is_none());
    // The deny is planned (for the check), never a connection.
    assert_eq!(plan.wants[3].verdict, Verdict::Deny);
    assert_eq!(plan.connections.len(), 2);
    let egress = policy(&plan, "mon", "allow-prom-egress");
    assert!(egress.ingress.is_none());
    assert_eq!(egress.egress.as_ref().unwrap().len(), 1);
}

#[test]
fn dns_flows_are_what_allow_dns_allows() {
    let c = cluster_of(SHOP);
    let wants = [
        want(
            1,
            "shop/web",
            "kube-system/coredns",
            Some("53/UDP"),
            Verdict::Allow,
        ),
        want(
            2,
            "kube-system/coredns",
            "192.0.2.53/32",
            Some("53/UDP"),
            Verdict::Allow,
        ),
    ];
    let plan = plan(&c, &wants, &options());
    // web has no egress policy: allow-dns lets it out; its flow is named there.
    assert!(
        !plan
            .namespace("shop")
            .unwrap()
            .policies
            .iter()
            .any(|p| p.name == "allow-web-egress")
    );
    let dns = policy(&plan, "shop", "allow-dns");
    assert!(
        dns.comment.iter().any(|l| l.contains("f.yaml:1")),
        "{:?}",
        dns.comment
    );
    assert_eq!(
        dns.egress.as_ref().unwrap()[0].ports,
        Ports::List(vec![
            PortItem {
                protocol: Protocol::Udp,
                port: 53,
                name: Some("dns".into())
            },
            PortItem {
                protocol: Protocol::Tcp,
                port: 53,
                name: Some("dns-tcp".into())
            },
        ])
    );
    // A lookup does not cover the DNS's namespace; CoreDNS's own flows do, and then
    // CoreDNS admits the covered namespaces.
    assert_eq!(
        super::plan(&c, &wants[..1], &options()).covered,
        vec!["shop".to_string()]
    );
    assert_eq!(
        plan.covered,
        vec!["kube-system".to_string(), "shop".to_string()]
    );
    let ingress = policy(&plan, "kube-system", "allow-coredns-ingress");
    assert_eq!(
        ingress.ingress.as_ref().unwrap()[0].peer,
        PeerSel::Namespaces(vec!["kube-system".into(), "shop".into()])
    );
    let web = c.endpoints.iter().position(|e| e.name == "web").unwrap();
    let dns_ep = c
        .endpoints
        .iter()
        .position(|e| e.name == "coredns")
        .unwrap();
    let (w, d) = (Party::Endpoint(web), Party::Endpoint(dns_ep));
    assert_eq!(plan.allows(&c, w, d).to_string(), "TCP 53; UDP 53");
    assert_eq!(plan.dns_extra(&c, w, d).to_string(), "TCP 53; UDP 53");
    assert_eq!(plan.listed(&c, w, d).to_string(), "UDP 53");
}

#[test]
fn every_port_declared_when_none_is_said_and_addresses_anywhere_annotated() {
    let c = cluster_of(SHOP);
    let wants = [
        want(1, "shop/web", "shop/api", None, Verdict::Allow),
        want(2, "0.0.0.0/0", "shop/web", Some("http"), Verdict::Allow),
        want(3, "192.0.2.0/24", "shop/web", Some("http"), Verdict::Allow),
    ];
    let plan = plan(&c, &wants, &options());
    let api = policy(&plan, "shop", "allow-api-ingress");
    assert_eq!(
        api.ingress.as_ref().unwrap()[0].ports.describe(),
        "TCP 8080,9090"
    );
    let web = policy(&plan, "shop", "allow-web-ingress");
    assert_eq!(
        web.annotations,
        vec![(IGNORE_ANNOTATION.into(), "ingress-from-anywhere".into())]
    );
    // 192.0.2.0/24 is inside 0.0.0.0/0 on the same port: one rule, both flows named.
    let rules = web.ingress.as_ref().unwrap();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0].comment.len(), 2);
    assert!(rules[0].comment[1].ends_with("within 0.0.0.0/0"));
}

#[test]
fn unmapped_ends_and_external_pairs_are_problems() {
    let c = cluster_of(SHOP);
    let wants = [
        want(1, "shop/nope", "shop/api", None, Verdict::Allow),
        want(
            2,
            "192.0.2.1/32",
            "198.51.100.1/32",
            Some("80"),
            Verdict::Allow,
        ),
        want(3, "shop/web", "shop/web", Some("80"), Verdict::Allow),
    ];
    let plan = plan(&c, &wants, &options());
    let lines: Vec<usize> = plan.problems.iter().map(|(o, _)| o.line).collect();
    assert_eq!(lines, vec![1, 2]);
    assert!(plan.problems[1].1.starts_with("neither end"));
    // Replicas of web reaching each other: ingress and egress rules on web itself.
    let web = policy(&plan, "shop", "allow-web-ingress");
    assert_eq!(
        web.ingress.as_ref().unwrap()[0].peer,
        PeerSel::Pods {
            namespace: None,
            labels: vec![("app".into(), "web".into())]
        }
    );
}

#[test]
fn stems() {
    assert_eq!(stem("deploy/api"), "api");
    assert_eq!(stem("app=Web_Front"), "web-front");
    assert_eq!(stem("web-5d8f-x"), "web-5d8f-x");
    assert_eq!(stem("app=__"), "workload");
}

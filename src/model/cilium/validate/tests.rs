//! Tests of the validator: whole objects loaded from YAML and the violations they get, and
//! the readers of port numbers, service names, DNS patterns and object names.

use super::peers::dns_pattern;
use super::*;
use crate::load::{LoadOptions, load_texts};
use crate::model::Object;
use crate::model::cilium::CiliumObject;

/// The Cilium objects of a text, which must load without problems.
fn objects(text: &str) -> Vec<CiliumObject> {
    let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    l.objects
        .into_iter()
        .map(|o| match o {
            Object::Cilium(c) => *c,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// `path: message` of each violation of the policies and groups of a text.
fn violations(text: &str) -> Vec<String> {
    objects(text)
        .iter()
        .flat_map(|o| match o {
            CiliumObject::Policy(p) => policy(p),
            CiliumObject::CidrGroup(g) => cidr_group(g),
        })
        .map(|v| {
            assert_eq!(v.rule, POLICY_RULE);
            format!("{}: {}", v.path, v.message)
        })
        .collect()
}

/// A CNP whose `spec` is indented `spec` text.
fn cnp(spec: &str) -> String {
    format!(
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  endpointSelector: {{}}\n{spec}"
    )
}

#[test]
fn a_valid_policy_has_no_violation() {
    let text = cnp(
        "  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n",
    );
    assert_eq!(violations(&text), Vec::<String>::new());
}

#[test]
fn exceptions_must_lie_in_their_cidr() {
    // The agent compares prefix lengths and containment of the address as written: an
    // except equal to its cidr passes, one of the other family does not.
    let text = cnp(
        "  egress:\n  - toCIDRSet:\n    - {cidr: 10.0.0.0/8, except: [10.0.0.0/8, 10.1.2.3/16, 0.0.0.0/0, \"::/0\"]}\n",
    );
    assert_eq!(
        violations(&text),
        [
            "spec.egress[0].toCIDRSet[0].except[2]: `0.0.0.0/0` is not inside cidr `10.0.0.0/8`: the agent refuses the rule",
            "spec.egress[0].toCIDRSet[0].except[3]: `::/0` is not inside cidr `10.0.0.0/8`: the agent refuses the rule",
        ]
    );
}

#[test]
fn ports_beyond_what_the_agent_reads_are_refused() {
    let ports: Vec<String> = (1..=41).map(|p| format!("{{port: \"{p}\"}}")).collect();
    let text = cnp(&format!(
        "  ingress:\n  - toPorts:\n    - ports: [{}]\n    - ports: [{{port: \"010\"}}, {{port: HTTP-alt}}, {{port: \"0x1F\"}}, {{port: \"8_0\"}}, {{port: \"08\"}}, {{port: web_ui}}]\n    - ports: [{{port: \"8080\", endPort: 80}}, {{port: http, endPort: 90}}]\n",
        ports.join(", ")
    ));
    assert_eq!(
        violations(&text),
        [
            "spec.ingress[0].toPorts[0].ports: at most 40 ports are allowed in one `toPorts` item",
            "spec.ingress[0].toPorts[1].ports[4].port: `08` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
            "spec.ingress[0].toPorts[1].ports[5].port: `web_ui` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
        ]
    );
}

#[test]
fn entities_of_the_agent_only_are_refused() {
    let text = cnp("  egress:\n  - toEntities: [world-ipv6, world, cluster]\n");
    assert_eq!(
        violations(&text),
        [
            "spec.egress[0].toEntities[0]: `world-ipv6` is not in the CRD's list of entities (all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver): the API server refuses it"
        ]
    );
}

#[test]
fn peers_of_one_kind_per_rule_and_empty_lists_do_not_count() {
    // Cilium counts items: an empty list is no peer; fromRequires is no peer kind.
    let text = cnp(
        "  ingress:\n  - fromEndpoints: [{}]\n    fromRequires: [{matchLabels: {env: prod}}]\n    fromCIDR: []\n  - fromCIDR: [10.0.0.0/8]\n    fromCIDRSet: [{cidr: 10.1.0.0/16}]\n    fromEntities: [world]\n",
    );
    assert_eq!(
        violations(&text),
        [
            "spec.ingress[0].fromRequires: `fromRequires` was removed in Cilium 1.19 (cilium/cilium#42615): the API server accepts no entry (maxItems 0); write the requirement into each `fromEndpoints` selector instead",
            "spec.ingress[1].fromCIDRSet: `fromCIDR`, `fromCIDRSet` and `fromEntities` cannot be combined in one rule: a rule names one kind of peer, write a rule for each"
        ]
    );
    // An empty list of requirements is accepted (maxItems 0).
    let text = cnp("  ingress:\n  - fromEndpoints: [{}]\n    fromRequires: []\n");
    assert!(violations(&text).is_empty());
}

#[test]
fn layer7_rules_and_their_ports() {
    let text = cnp(
        "  egress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: ANY}]\n      rules: {http: [{}]}\n    - ports: [{port: \"53\", protocol: ANY}]\n      rules: {dns: [{matchPattern: \"*\"}]}\n    - ports: [{port: \"9042\", protocol: TCP}]\n      rules: {l7proto: cassandra}\n    - ports: [{port: \"443\", protocol: TCP}]\n      terminatingTLS: {secret: {name: tls}}\n      serverNames: [a.example.com]\n      rules: {http: [{}]}\n",
    );
    assert_eq!(
        violations(&text),
        [
            "spec.egress[0].toPorts[0].ports[0].protocol: layer-7 rules other than `dns` need `protocol: TCP`, not `ANY`"
        ]
    );
}

#[test]
fn listeners_are_for_egress_without_layer7_rules() {
    let text = cnp(
        "  ingress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n  egress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      listener: {envoyConfig: {name: cec}, name: l}\n",
    );
    assert_eq!(
        violations(&text),
        ["spec.ingress[0].toPorts[0].listener: `listener` is only for egress rules"]
    );
}

#[test]
fn an_empty_spec_list_is_an_empty_policy() {
    let text = "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspecs: []\n";
    assert_eq!(
        violations(text),
        [
            "spec: a CiliumClusterwideNetworkPolicy needs `spec` or `specs`: Cilium refuses an empty policy"
        ]
    );
}

#[test]
fn cidr_groups_hold_cidrs() {
    let text = "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec:\n  externalCIDRs: [10.0.0.0/8, 10.0.0.0/40, fe80::/10]\n";
    assert_eq!(
        violations(text),
        ["spec.externalCIDRs[1]: `10.0.0.0/40` is not a CIDR: prefix length 40 is over 32"]
    );
}

#[test]
fn ports_are_read_as_go_reads_them() {
    assert_eq!(go_port_number("80"), Some(80));
    assert_eq!(go_port_number("0"), Some(0));
    assert_eq!(go_port_number("65535"), Some(65535));
    assert_eq!(go_port_number("65536"), None);
    assert_eq!(go_port_number("010"), Some(8));
    assert_eq!(go_port_number("08"), None);
    assert_eq!(go_port_number("8_080"), Some(8080));
    assert_eq!(go_port_number("_80"), None);
    assert_eq!(go_port_number("80_"), None);
    assert_eq!(go_port_number("0x_1F"), Some(31));
    assert_eq!(go_port_number("-1"), None);
    assert_eq!(go_port_number(""), None);
    assert_eq!(go_port_number("8o"), None);
}

#[test]
fn service_names_follow_iana() {
    assert!(is_svc_name("http"));
    assert!(is_svc_name("HTTP-8080"));
    assert!(is_svc_name("0x50"));
    assert!(!is_svc_name("8080"));
    assert!(!is_svc_name("a--b"));
    assert!(!is_svc_name("-a"));
    assert!(!is_svc_name("sixteen-chars-xx"));
    assert!(!is_svc_name("a_b"));
}

#[test]
fn dns_patterns_follow_the_crd() {
    assert!(dns_pattern("api.example.com", false));
    assert!(dns_pattern("api.example.com.", false));
    assert!(dns_pattern("_srv.example.com", false));
    assert!(!dns_pattern("*.example.com", false));
    assert!(dns_pattern("*.example.com", true));
    assert!(dns_pattern("*", true));
    assert!(!dns_pattern(".example.com", false));
    assert!(!dns_pattern("a..b", false));
    assert!(!dns_pattern("", false));
    assert!(!dns_pattern("exa mple.com", false));
}

#[test]
fn names_are_dns_subdomains() {
    assert!(dns_subdomain("allow-dns").is_ok());
    assert!(dns_subdomain("team.a").is_ok());
    assert!(dns_subdomain("Allow").is_err());
    assert!(dns_subdomain("a..b").is_err());
    assert!(dns_subdomain("-a").is_err());
}

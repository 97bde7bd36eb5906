//! Tests over the whole decoder: the dispatch on kind and apiVersion, the kinds ignored or
//! not evaluated, and the problems of one object across its rules, peers and ports; and the
//! helpers and fixture that the tests of the other files share.

use super::POLICY_CONFIG_KEYS;
use crate::base::span::Span;
use crate::load::{LoadOptions, Loaded, Outcome, load_texts};
use crate::model::Object;
use crate::model::cilium::{CidrGroup, CiliumObject, CiliumPolicy};

fn load(text: &str) -> Loaded {
    load_texts(&[("t.yaml", text)], &LoadOptions::default())
}

/// The Cilium objects of a text, which must load without problems.
fn objects(text: &str) -> Vec<CiliumObject> {
    let l = load(text);
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    l.objects
        .into_iter()
        .map(|o| match o {
            Object::Cilium(c) => *c,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// The one policy of a text, which must load without problems.
pub(super) fn policy(text: &str) -> CiliumPolicy {
    match objects(text).as_slice() {
        [CiliumObject::Policy(p)] => p.clone(),
        other => panic!("{other:?}"),
    }
}

pub(super) fn group(text: &str) -> CidrGroup {
    match objects(text).as_slice() {
        [CiliumObject::CidrGroup(g)] => g.clone(),
        other => panic!("{other:?}"),
    }
}

/// The problems of a text whose one object must be left out: (path, message).
pub(super) fn problems(text: &str) -> Vec<(String, String)> {
    let l = load(text);
    assert!(l.objects.is_empty(), "{:?}", l.objects);
    assert_eq!(l.inventory[0].outcome, Outcome::Broken);
    l.problems
        .into_iter()
        .map(|p| (p.path, p.message))
        .collect()
}

pub(super) fn paths(problems: &[(String, String)]) -> Vec<&str> {
    problems.iter().map(|(p, _)| p.as_str()).collect()
}

pub(super) fn slice(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

pub(super) fn values(list: &Option<Vec<crate::base::span::Spanned<String>>>) -> Vec<&str> {
    list.as_ref()
        .expect("present")
        .iter()
        .map(|s| s.value.as_str())
        .collect()
}

pub(super) const FULL: &str = r#"apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
  annotations: {owner: team-a}
spec:
  description: the api
  endpointSelector:
    matchLabels: {app: api}
  enableDefaultDeny: {ingress: true, egress: false}
  labels: [{key: team, value: a, source: k8s}]
  log: {value: api-policy}
  ingress:
  - fromEndpoints:
    - matchLabels: {"k8s:app": web, any:tier: front}
    - {}
    fromRequires:
    - matchLabels: {env: prod}
    fromCIDR: [10.0.0.0/8]
    fromCIDRSet:
    - cidr: 192.168.0.0/16
      except: [192.168.1.0/24]
    - cidrGroupRef: office
    - cidrGroupSelector:
        matchLabels: {zone: eu}
    fromEntities: [world, host]
    fromNodes:
    - matchLabels: {"node-role.kubernetes.io/control-plane": ""}
    fromGroups:
    - aws:
        securityGroupsIds: [sg-1]
        region: eu-west-1
    authentication: {mode: required}
  ingressDeny:
  - fromEntities: [world]
    toPorts:
    - ports: [{port: "22", protocol: TCP}]
  - icmps:
    - fields: [{type: 8}]
  egress:
  - toServices:
    - k8sService: {serviceName: db, namespace: data}
    - k8sServiceSelector:
        selector: {matchLabels: {tier: cache}}
        namespace: data
    - k8sService: {serviceName: ignored}
      k8sServiceSelector:
        selector: {}
    toFQDNs:
    - matchName: api.example.com
    - matchPattern: "*.example.com"
    toEndpoints: [{}]
    toRequires: [{matchLabels: {env: prod}}]
    toCIDR: [1.2.3.4/32]
    toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]
    toEntities: [kube-apiserver]
    toNodes: [{}]
    toGroups: [{aws: {securityGroupsNames: [web]}}]
  egressDeny:
  - toCIDR: [169.254.169.254/32]
    toServices: [{k8sService: {serviceName: metadata}}]
specs:
- endpointSelector:
    matchExpressions: [{key: "k8s:io.kubernetes.pod.namespace", operator: In, values: [shop]}]
  egress: []
- nodeSelector:
    matchLabels: {role: edge}
  ingress: [{}]
"#;

#[test]
fn unknown_fields_are_problems_with_their_paths() {
    let p = problems(
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: typo}\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoint: [{}]\n    toEndpoints: [{}]\n    toFQDNs: [{matchName: x}]\n  egres: []\nspecs:\n- egress:\n  - fromCIDR: [1.2.3.4/32]\n    toPorts:\n    - ports: [{port: \"80\", protcol: TCP}]\n      rules: {http: [{methd: GET}], grpc: []}\n  egressDeny:\n  - toFQDNs: [{matchName: x}]\n    authentication: {mode: required}\n  enableDefaultDeny: {ingres: true}\n",
    );
    assert_eq!(
        paths(&p),
        [
            "spec.ingress[0].fromEndpoint",
            "spec.ingress[0].toEndpoints",
            "spec.ingress[0].toFQDNs",
            "spec.egres",
            "specs[0].egress[0].fromCIDR",
            "specs[0].egress[0].toPorts[0].ports[0].protcol",
            "specs[0].egress[0].toPorts[0].rules.http[0].methd",
            "specs[0].egress[0].toPorts[0].rules.grpc",
            "specs[0].egressDeny[0].toFQDNs",
            "specs[0].egressDeny[0].authentication",
            "specs[0].enableDefaultDeny.ingres",
        ],
        "{p:?}"
    );
    assert!(
        p[0].1.contains("did you mean `fromEndpoints`"),
        "{}",
        p[0].1
    );
    assert_eq!(
        p[1].1,
        "unknown field `toEndpoints`: ingress rules name their peers with `from…` fields (did you mean `fromEndpoints`?)"
    );
    assert!(!p[2].1.contains("did you mean"), "{}", p[2].1);
    assert!(p[3].1.contains("did you mean `egress`"), "{}", p[3].1);
    assert!(p[4].1.contains("did you mean `toCIDR`"), "{}", p[4].1);
    assert!(p[5].1.contains("did you mean `protocol`"), "{}", p[5].1);
    assert!(p[6].1.contains("did you mean `method`"), "{}", p[6].1);
    assert!(p[8].1.contains("no FQDN deny rules"), "{}", p[8].1);
    assert!(p[9].1.contains("have no authentication"), "{}", p[9].1);
    assert!(p[10].1.contains("did you mean `ingress`"), "{}", p[10].1);
}

#[test]
fn a_policy_of_another_api_version_is_an_error_on_the_api_version() {
    let text = "apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: old}\nspec: {endpointSelector: {}}\n";
    let l = load(text);
    assert!(l.objects.is_empty());
    assert_eq!(l.inventory[0].outcome, Outcome::Broken);
    assert_eq!(l.problems.len(), 1);
    assert_eq!(l.problems[0].path, "apiVersion");
    assert_eq!(slice(text, l.problems[0].span.unwrap()), "cilium.io/v1");
    assert_eq!(
        l.problems[0].message,
        "CiliumNetworkPolicy has no apiVersion `cilium.io/v1`: the API server serves it only as cilium.io/v2"
    );
    let p = problems(
        "apiVersion: cilium.io/v2alpha1\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec: {}\n",
    );
    assert!(p[0].1.contains("only as cilium.io/v2"), "{p:?}");
    let p = problems(
        "apiVersion: cilium.io/v1\nkind: CiliumCIDRGroup\nmetadata: {name: x}\nspec: {externalCIDRs: []}\n",
    );
    assert!(
        p[0].1
            .ends_with("serves it as cilium.io/v2alpha1 and cilium.io/v2"),
        "{p:?}"
    );
}

#[test]
fn wrong_shapes_and_missing_fields_are_problems() {
    let p = problems("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\n");
    assert_eq!(
        p,
        [(
            String::new(),
            "a CiliumNetworkPolicy needs `spec` or `specs`".to_string()
        )]
    );
    let p = problems(
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: n}\nspec:\n  endpointSelector: {}\n  description: 2024\n  enableDefaultDeny: {ingress: maybe}\n  labels: [{value: x}]\n  ingress:\n  - fromEntities: world\n    toPorts:\n    - ports: [{port: 80, endPort: \"90\"}]\n      terminatingTLS: {trustedCA: ca}\n      listener: {name: l}\n    icmps: [{fields: [{family: IPv4}, {type: true}]}]\n    authentication: {}\n  egress:\n  - toServices: [{k8sServiceSelector: {namespace: x}}]\n    toCIDRSet: [{cidr: [1.2.3.4/32]}]\nspecs: {}\n",
    );
    assert_eq!(
        paths(&p),
        [
            "spec.description",
            "spec.enableDefaultDeny.ingress",
            "spec.labels[0].key",
            "spec.ingress[0].fromEntities",
            "spec.ingress[0].toPorts[0].ports[0].port",
            "spec.ingress[0].toPorts[0].ports[0].endPort",
            "spec.ingress[0].toPorts[0].terminatingTLS.secret",
            "spec.ingress[0].toPorts[0].listener.envoyConfig",
            "spec.ingress[0].icmps[0].fields[0].type",
            "spec.ingress[0].icmps[0].fields[1].type",
            "spec.ingress[0].authentication.mode",
            "spec.egress[0].toServices[0].k8sServiceSelector.selector",
            "spec.egress[0].toCIDRSet[0].cidr",
            "specs",
        ],
        "{p:?}"
    );
    assert!(p[0].1.contains("found 2024, which YAML reads as a number"));
    assert_eq!(
        p[4].1,
        "expected a string, found 80, which YAML reads as a number; the API server refuses it (quote it: \"80\")"
    );
    assert!(p[5].1.contains("expected an integer"), "{}", p[5].1);
    assert!(p[6].1.contains("missing required field `secret`"));
    assert!(p[9].1.contains("expected an ICMP type number or name"));
    assert!(p[10].1.contains("missing required field `mode`"));
    assert!(p[13].1.contains("expected a list"));
}

#[test]
fn other_cilium_kinds_are_ignored_with_their_reason() {
    let kinds = [
        "CiliumEndpoint",
        "CiliumIdentity",
        "CiliumNode",
        "CiliumEgressGatewayPolicy",
        "CiliumLocalRedirectPolicy",
        "CiliumEnvoyConfig",
        "CiliumClusterwideEnvoyConfig",
        "CiliumBGPPeeringPolicy",
        "CiliumLoadBalancerIPPool",
        "CiliumFrobnicator",
    ];
    let text: String = kinds
        .iter()
        .map(|k| {
            format!(
                "apiVersion: cilium.io/v2\nkind: {k}\nmetadata: {{name: x}}\nspec: {{a: b}}\n---\n"
            )
        })
        .collect();
    let l = load(&text);
    assert!(l.problems.is_empty() && l.objects.is_empty() && l.warnings.is_empty());
    let why: Vec<String> = l.inventory.iter().map(|e| e.outcome.to_string()).collect();
    assert_eq!(why.len(), kinds.len());
    assert!(
        why[0].starts_with("ignored: CiliumEndpoint is runtime state"),
        "{}",
        why[0]
    );
    assert!(
        why[3].contains("changes routing, not what is allowed"),
        "{}",
        why[3]
    );
    assert!(
        why[4].contains("changes routing, not what is allowed"),
        "{}",
        why[4]
    );
    assert!(
        why[5].contains("changes proxying, not what network policy allows"),
        "{}",
        why[5]
    );
    assert!(why[6].starts_with("ignored: CiliumClusterwideEnvoyConfig configures Envoy"));
    assert!(why[7].contains("BGP"));
    assert_eq!(
        why[9],
        "ignored: kind CiliumFrobnicator of cilium.io does not take part in network policy"
    );
}

#[test]
fn a_node_config_that_changes_enforcement_is_not_evaluated() {
    let text = "apiVersion: cilium.io/v2\nkind: CiliumNodeConfig\nmetadata: {name: strict, namespace: kube-system}\nspec:\n  nodeSelector: {matchLabels: {pool: pci}}\n  defaults: {enable-policy: always, debug: \"true\"}\n---\napiVersion: cilium.io/v2alpha1\nkind: CiliumNodeConfig\nmetadata: {name: debug, namespace: kube-system}\nspec:\n  defaults: {debug: \"true\"}\n";
    let l = load(text);
    assert!(l.problems.is_empty() && l.objects.is_empty());
    assert!(
        matches!(&l.inventory[0].outcome, Outcome::NotEvaluated(why) if why.starts_with("it sets `enable-policy` for the nodes it selects"))
    );
    assert_eq!(l.warnings.len(), 1);
    assert!(l.warnings[0].message.starts_with(
        "CiliumNodeConfig kube-system/strict: not evaluated: it sets `enable-policy`"
    ));
    assert!(
        matches!(&l.inventory[1].outcome, Outcome::Ignored(why) if why.contains("none of which changes what policy allows"))
    );
    assert!(POLICY_CONFIG_KEYS.contains(&"policy-audit-mode"));
}

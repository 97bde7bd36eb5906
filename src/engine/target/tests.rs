//! Resolving typed targets: names in any namespace, ambiguity, DNS names under each plugin,
//! CIDRs.

use super::*;
use crate::engine::semantics_tests::{cluster_of, cluster_with};
use crate::model::BuildOptions;

const SHOP: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c}]}
";

fn endpoint(c: &Cluster, r: Result<Resolved, String>) -> String {
    match r.unwrap_or_else(|e| panic!("{e}")).target {
        Target::Party(Party::Endpoint(i)) => c.endpoints[i].id(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_kinds_of_one_namespace_sharing_a_name_need_the_kind() {
    let c = cluster_of(SHOP);
    let want = "`web`: ambiguous: shop/web, shop/sts/web (write NAMESPACE/KIND/NAME)";
    assert_eq!(resolve_in(&c, "web", Scope::Anywhere).unwrap_err(), want);
    assert_eq!(resolve(&c, "shop/web", "default").unwrap_err(), want);
    assert_eq!(
        endpoint(&c, resolve_in(&c, "sts/web", Scope::Anywhere)),
        "shop/sts/web"
    );
    assert_eq!(endpoint(&c, resolve(&c, "shop/pod/web", "x")), "shop/web");
}

#[test]
fn a_bare_name_is_looked_up_where_the_scope_says() {
    let c = cluster_of(SHOP);
    let r = resolve_in(&c, "api", Scope::Anywhere).unwrap();
    assert_eq!(
        r.note.as_deref(),
        Some("api is shop/api, the only pod or workload of that name")
    );
    assert_eq!(endpoint(&c, Ok(r)), "shop/api");
    // In a namespace: no note, and the namespace must hold it.
    let r = resolve_in(&c, "api", Scope::In("shop")).unwrap();
    assert_eq!(r.note, None);
    assert_eq!(
        resolve(&c, "api", "default").unwrap_err(),
        "namespace default is not in the input"
    );
    assert_eq!(
        resolve_in(&c, "ap", Scope::Anywhere).unwrap_err(),
        "no pod or workload is named ap in any namespace (did you mean `shop/api`?)"
    );
    assert_eq!(
        resolve_in(&c, "deploy/api", Scope::Anywhere).unwrap_err(),
        "no pod or workload is named deploy/api in any namespace"
    );
}

#[test]
fn a_dns_name_is_a_party_under_cilium_only() {
    let options = BuildOptions {
        fqdn_targets: vec!["api.example.com".into()],
        ..BuildOptions::default()
    };
    let c = cluster_with(SHOP, &options);
    assert_eq!(c.cni, Cni::Kubernetes);
    let e = resolve_in(&c, "api.example.com", Scope::Anywhere).unwrap_err();
    assert!(
        e.starts_with("`api.example.com` is a DNS name, and only Cilium's toFQDNs match names (the network plugin here is kubernetes; see --cni)"),
        "{e}"
    );
    let c = cluster_with(
        SHOP,
        &BuildOptions {
            cni: Some(Cni::Cilium),
            ..options
        },
    );
    let r = resolve_in(&c, "api.example.com", Scope::Anywhere).unwrap();
    assert_eq!(
        r.target,
        Target::Party(Party::Address(c.fqdn_address("api.example.com").unwrap()))
    );
    assert!(r.note.unwrap().starts_with("api.example.com is a DNS name"));
    assert!(looks_like_dns_name("api.example.com"));
    assert!(!looks_like_dns_name("10.0.0.1") && !looks_like_dns_name("shop/a.b"));
}

#[test]
fn a_cidr_is_its_pods_and_its_parts() {
    let c = cluster_of(SHOP);
    assert_eq!(
        resolve_in(&c, "10.0.0.0/8", Scope::Anywhere).unwrap_err(),
        "`10.0.0.0/8` is a CIDR, which stands for many addresses: name one address here"
    );
    let Named::Cidr { parties, note, .. } =
        resolve_named(&c, "10.0.0.0/30", Scope::Anywhere).unwrap()
    else {
        panic!("a CIDR")
    };
    // The pod, then an address of the range that is no pod's.
    let web = c
        .endpoints
        .iter()
        .position(|e| e.id() == "shop/web")
        .unwrap();
    assert_eq!(
        parties,
        vec![
            Party::Endpoint(web),
            Party::Address("10.0.0.0".parse().unwrap())
        ]
    );
    assert!(
        note.starts_with("10.0.0.0/30 holds the IPs of shop/web (10.0.0.1)"),
        "{note}"
    );
    // An IPv6 CIDR where no policy cuts IPv6: one part.
    let Named::Cidr { parties, .. } = resolve_named(&c, "fd00::/64", Scope::Anywhere).unwrap()
    else {
        panic!("a CIDR")
    };
    assert_eq!(parties, vec![Party::Address("fd00::".parse().unwrap())]);
    // A host CIDR is the address.
    assert_eq!(
        resolve_named(&c, "10.0.0.1/32", Scope::Anywhere)
            .unwrap()
            .parties(),
        vec![Party::Endpoint(web)]
    );
}

#[test]
fn a_terminated_pod_is_named_as_terminated_not_as_missing() {
    // The loader reads it and the model leaves it out (no IP, no traffic): saying "not in
    // the input" would send the user looking for a typo.
    let text = format!(
        "{SHOP}---
apiVersion: v1
kind: Pod
metadata: {{name: report-1, namespace: shop}}
spec: {{containers: [{{name: c}}]}}
status: {{phase: Succeeded}}
"
    );
    let c = cluster_of(&text);
    assert_eq!(
        resolve(&c, "shop/report-1", "default").unwrap_err(),
        "shop/report-1 is a Pod that has terminated (phase Succeeded): it holds no address and takes no traffic"
    );
}

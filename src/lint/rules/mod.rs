//! One file per rule; see [`super::registry`] for the list in code order.

pub mod deprecated_api_version;
pub mod dns_egress_blocked;
pub mod egress_to_metadata;
pub mod ingress_from_anywhere;
pub mod invalid_cidr;
pub mod invalid_manifest;
pub mod namespace_without_default_deny;
pub mod pod_not_isolated;
pub mod selector_and_or_confusion;
pub mod wide_port_range;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::lint::{Category, Config, Context, RunOptions, registry, run};
    use crate::load::{LoadOptions, load};
    use crate::model::Cluster;

    /// The risk rules on the demo cluster, every finding checked by hand: see the comments
    /// in `testdata/demo/policies/*.yaml`.
    #[test]
    fn risk_rules_on_the_demo() {
        let root = env!("CARGO_MANIFEST_DIR");
        let loaded = load(&[format!("{root}/testdata/demo")], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let cluster = Cluster::build(loaded.objects);
        let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
        let risk: HashSet<&str> = registry::ALL
            .iter()
            .filter(|r| r.category == Category::Risk)
            .map(|r| r.name)
            .collect();
        let shown: Vec<String> = run(&cx, &Config::only(&risk), &RunOptions::default())
            .iter()
            .map(|f| {
                let file = &loaded.sources.file(f.span.file).name;
                let file = file.strip_prefix(&format!("{root}/")).unwrap_or(file);
                let pos = loaded.sources.start(f.span);
                format!(
                    "{file}:{}:{}: {} {}",
                    pos.line, pos.column, f.rule.code, f.message
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                // Only default-deny policies count: monitoring and kube-system have none,
                // ingress-nginx denies ingress only.
                "testdata/demo/namespaces.yaml:10:1: NP402 namespace monitoring has no default-deny policy for ingress or egress: its pods are open unless a policy selects them",
                "testdata/demo/namespaces.yaml:17:1: NP402 namespace ingress-nginx has no default-deny policy for egress: its pods are open unless a policy selects them",
                "testdata/demo/namespaces.yaml:24:1: NP402 namespace kube-system has no default-deny policy for ingress or egress: its pods are open unless a policy selects them",
                // Every shop workload is isolated both ways by shop/default-deny.
                "testdata/demo/platform.yaml:1:1: NP401 ingress-nginx/deploy/controller is not isolated for egress: no policy selects it, so it may connect anywhere",
                "testdata/demo/platform.yaml:20:1: NP401 monitoring/deploy/prometheus is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
                "testdata/demo/platform.yaml:38:1: NP401 kube-system/deploy/coredns is not isolated: no policy selects it for ingress or egress, so all traffic to and from it is allowed",
                // The public ingress controller.
                "testdata/demo/policies/platform.yaml:19:5: NP404 ingress-nginx/allow-web ingress[0] admits every source, in the cluster and outside it (no `from`), on TCP 80, TCP 443",
                // The Prometheus rule of the api policy, two peers where one was meant.
                "testdata/demo/policies/shop.yaml:72:7: NP408 shop/api ingress[1]: from[0] (every pod of namespaces {kubernetes.io/metadata.name=monitoring}) and from[1] (pods {app=prometheus} of shop) are separate peers, ORed; one peer with both selectors would AND them",
                // Not reported: DNS (shop/allow-dns reaches kube-system/deploy/coredns on
                // UDP and TCP 53), and the worker's 0.0.0.0/0 egress, on 443 only, so the
                // metadata service (TCP 80) stays out of reach.
            ]
        );
    }
}

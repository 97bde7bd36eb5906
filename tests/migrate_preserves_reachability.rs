//! `migrate` must not change what is allowed: the cluster with its legacy policies and
//! isolation annotations, and the cluster where they are replaced by the migrated v1
//! policies, allow exactly the same connections — between every pair of endpoints, and
//! between every endpoint and every external address range either side distinguishes.

use kubectl_netpol::engine::Party;
use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::load::{LoadOptions, load, load_texts};
use kubectl_netpol::model::migrate::{Migrated, migrate};
use kubectl_netpol::model::policy::PolicyApi;
use kubectl_netpol::model::{
    ALPHA_ISOLATION_ANNOTATION, BETA_ISOLATION_ANNOTATION, BETA_ISOLATION_ANNOTATION_1_3,
    BuildOptions, Cluster, IsolationModel, Labels, Object,
};
use kubectl_netpol::report::yaml::network_policy;

fn strip_legacy(objects: Vec<Object>) -> Vec<Object> {
    objects
        .into_iter()
        .filter(|o| !matches!(o, Object::NetworkPolicy(p) if p.api != PolicyApi::V1))
        .map(|o| match o {
            Object::Namespace(mut ns) => {
                let legacy = [
                    ALPHA_ISOLATION_ANNOTATION,
                    BETA_ISOLATION_ANNOTATION,
                    BETA_ISOLATION_ANNOTATION_1_3,
                ];
                ns.annotations = Labels::from_pairs(
                    ns.annotations
                        .iter()
                        .filter(|(k, _)| !legacy.contains(k))
                        .map(|(k, v)| (k.to_string(), v.to_string())),
                );
                Object::Namespace(ns)
            }
            o => o,
        })
        .collect()
}

fn assert_migration_keeps_reachability(file: &str, model: IsolationModel) -> usize {
    let path = format!("{}/testdata/{file}", env!("CARGO_MANIFEST_DIR"));
    let loaded = load(&[path], &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let before = Cluster::build_with(
        loaded.objects.clone(),
        &BuildOptions {
            isolation: model,
            ..BuildOptions::default()
        },
    );
    let migrated = migrate(&before);
    let yaml: String = migrated
        .iter()
        .filter_map(|m| match m {
            Migrated::Policy { policy, .. } => Some(format!("---\n{}", network_policy(policy))),
            Migrated::Skipped { .. } => None,
        })
        .collect();
    let out = load_texts(&[("migrated.yaml", &yaml)], &LoadOptions::default());
    assert!(
        out.problems.is_empty(),
        "the migrated YAML must load cleanly: {:?}\n{yaml}",
        out.problems
    );
    let mut objects = strip_legacy(loaded.objects);
    objects.extend(out.objects);
    let after = Cluster::build(objects);
    assert_eq!(before.endpoints.len(), after.endpoints.len());
    assert!(after.policies.iter().all(|p| p.api == PolicyApi::V1));
    // Every endpoint pair, and every endpoint against the external ranges of both sides.
    let n = before.endpoints.len();
    let mut addresses: Vec<std::net::IpAddr> = Vec::new();
    for c in [&before, &after] {
        let m = kubectl_netpol::engine::matrix::Matrix::compute(c);
        addresses.extend(m.externals.iter().map(|r| r.first()));
    }
    let mut checked = 0;
    for i in 0..n {
        let targets = (0..n)
            .map(Party::Endpoint)
            .chain(addresses.iter().map(|&a| Party::Address(a)));
        for t in targets {
            for (src, dst) in [(Party::Endpoint(i), t), (t, Party::Endpoint(i))] {
                let (b, a) = (
                    allowed_ports(&before, src, dst),
                    allowed_ports(&after, src, dst),
                );
                assert_eq!(
                    b, a,
                    "{file} ({model:?}): {src:?} -> {dst:?} changed by migration\n{yaml}"
                );
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn alpha_policies_and_isolation_migrate_without_changing_reachability() {
    assert!(
        assert_migration_keeps_reachability("generations/alpha.yaml", IsolationModel::PerPod) > 0
    );
}

#[test]
fn beta_policies_migrate_under_the_per_pod_model() {
    assert!(
        assert_migration_keeps_reachability("generations/beta.yaml", IsolationModel::PerPod) > 0
    );
}

#[test]
fn beta_policies_migrate_under_the_annotation_model() {
    assert!(
        assert_migration_keeps_reachability("generations/beta.yaml", IsolationModel::Annotation)
            > 0
    );
}

#[test]
fn a_v1_only_input_has_nothing_to_migrate() {
    let path = format!("{}/testdata/demo", env!("CARGO_MANIFEST_DIR"));
    let loaded = load(&[path], &LoadOptions::default());
    assert!(migrate(&Cluster::build(loaded.objects)).is_empty());
}

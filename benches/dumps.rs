//! Speed on clusters shaped like real dumps: bare pods, each its own matrix member, from the
//! shared generator (`../shared/bench/gen.py`), its Calico flavour
//! (`benches/calico_cluster.py`: the same pods, 60% of the policies Calico ones in two tiers
//! with Pass, Deny, notSelector and named ports) and its Cilium flavour
//! (`benches/cilium_cluster.py`: the same pods on 2–4 Nodes, 60% of the policies
//! CiliumNetworkPolicies and a few CiliumClusterwideNetworkPolicies with entities, CIDR sets
//! and groups, deny rules, L7 and FQDN rules). `benches/dumps.sh` writes them to
//! `target/bench/<size>[-calico|-cilium]/cluster.yaml`; sizes not written are skipped.
//!
//! - `load_and_matrix`: parse, decode, build, lower and compute the whole matrix;
//! - `matrix`: the matrix of the built cluster.
//!
//! The Calico flavour of a size is held to 1.5× its NetworkPolicy cluster (issue "One policy
//! model ... and Calico"), and so is the Cilium flavour; results are in `benches/RESULTS.md`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::Cluster;

/// (directory under target/bench, samples, seconds of measurement).
const CLUSTERS: [(&str, usize, u64); 6] = [
    ("medium", 30, 5),
    ("medium-calico", 30, 5),
    ("medium-cilium", 30, 5),
    ("large", 10, 20),
    ("large-calico", 10, 20),
    ("large-cilium", 10, 20),
];

fn build(text: &str) -> Cluster {
    let loaded = load_texts(&[("cluster.yaml", text)], &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems.first());
    Cluster::build(loaded.objects)
}

fn dumps(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    for (name, samples, secs) in CLUSTERS {
        let path = root.join(name).join("cluster.yaml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "{}: not written (run benches/dumps.sh); skipped",
                path.display()
            );
            continue;
        };
        let cluster = build(&text);
        let mut g = c.benchmark_group(format!("dump_{name}"));
        g.sample_size(samples);
        g.measurement_time(Duration::from_secs(secs));
        g.bench_function("load_and_matrix", |b| {
            b.iter(|| Matrix::compute(&build(black_box(&text))))
        });
        g.bench_function("matrix", |b| {
            b.iter(|| Matrix::compute(black_box(&cluster)))
        });
        g.finish();
    }
}

criterion_group!(benches, dumps);
criterion_main!(benches);

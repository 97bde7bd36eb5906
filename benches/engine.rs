//! Speed at scale, on seeded synthetic clusters ([`kubectl_netpol::synth`]):
//!
//! - `load`: parse, decode and build the cluster from YAML text in memory;
//! - `matrix`: [`Matrix::compute`] on the built cluster;
//! - `load_and_matrix`: both, as a command that needs the whole matrix does;
//! - `can_reach_e2e`: the release binary answering one `can-reach` on the 5,000-pod cluster
//!   written to a temporary directory (process start, reading the files, answering);
//! - `check`: every lint rule, the redundancy analysis included, on the built cluster;
//! - `check_e2e`: the release binary running `check` end to end, on the demo and on the
//!   5,000-pod cluster.
//!
//! Sizes: 1,000 pods / 500 policies, 5,000 / 2,000 and 20,000 / 5,000. Results and the
//! targets they are held to are in `benches/RESULTS.md`.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::lint::{Config, Context, RunOptions, run as run_rules};
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::Cluster;
use kubectl_netpol::synth::{self, Params};

/// (pods, policies, samples, seconds of measurement).
const SIZES: [(usize, usize, usize, u64); 3] = [
    (1_000, 500, 30, 5),
    (5_000, 2_000, 10, 10),
    (20_000, 5_000, 10, 40),
];

fn load(texts: &[(&str, &str)]) -> Cluster {
    let loaded = load_texts(texts, &LoadOptions::default());
    assert!(
        loaded.problems.is_empty(),
        "the synthetic cluster loads cleanly"
    );
    Cluster::build(loaded.objects)
}

fn scale(c: &mut Criterion) {
    for (pods, policies, samples, secs) in SIZES {
        let generated = synth::Cluster::generate(&Params::new(pods, policies, 1));
        let texts = generated.texts();
        let cluster = load(&texts);
        let mut g = c.benchmark_group(format!("{pods}_pods_{policies}_policies"));
        g.sample_size(samples);
        g.measurement_time(Duration::from_secs(secs));
        g.bench_function("load", |b| b.iter(|| load(black_box(&texts))));
        g.bench_function("matrix", |b| {
            b.iter(|| Matrix::compute(black_box(&cluster)))
        });
        g.bench_function("load_and_matrix", |b| {
            b.iter(|| Matrix::compute(&load(black_box(&texts))))
        });
        if pods <= 5_000 {
            let loaded = load_texts(&texts, &LoadOptions::default());
            g.bench_function("check", |b| {
                b.iter(|| {
                    let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
                    run_rules(&cx, &Config::default(), &RunOptions::default())
                })
            });
        }
        g.finish();
    }
}

/// Removes the directory when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn can_reach(c: &mut Criterion) {
    let generated = synth::Cluster::generate(&Params::new(5_000, 2_000, 1));
    let dir =
        TempDir(std::env::temp_dir().join(format!("kubectl-netpol-bench-{}", std::process::id())));
    generated.write_to(&dir.0).expect("write the cluster");
    let (from, to) = generated.probe.clone().expect("a probe pair");
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    let run = || {
        let out = Command::new(bin)
            .args(["can-reach", &from, &to, "--port", "http", "-q"])
            .arg(&dir.0)
            .output()
            .expect("run kubectl-netpol");
        // 0: allowed (web → api on http is, by construction).
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run();
    let mut g = c.benchmark_group("5000_pods_2000_policies");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("can_reach_e2e", |b| b.iter(run));
    g.finish();
}

fn check(c: &mut Criterion) {
    let generated = synth::Cluster::generate(&Params::new(5_000, 2_000, 1));
    let dir = TempDir(
        std::env::temp_dir().join(format!("kubectl-netpol-bench-check-{}", std::process::id())),
    );
    generated.write_to(&dir.0).expect("write the cluster");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    let run = |path: &std::path::Path| {
        let out = Command::new(bin)
            .args(["check", "--no-config", "-o", "json"])
            .arg(path)
            .output()
            .expect("run kubectl-netpol");
        // 1: findings at or above warning (the demo and the synthetic cluster have some).
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut g = c.benchmark_group("check_e2e");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("demo", |b| b.iter(|| run(std::path::Path::new(demo))));
    g.bench_function("5000_pods_2000_policies", |b| b.iter(|| run(&dir.0)));
    g.finish();
}

criterion_group!(benches, scale, can_reach, check);
criterion_main!(benches);

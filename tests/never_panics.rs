//! Whatever the input, the whole pipeline — load, model, matrix, explanations, every lint
//! rule — reports problems and never panics. Inputs: arbitrary text, and the project's own
//! manifests with random bytes replaced, deleted or duplicated.

use kubectl_netpol::engine::Party;
use kubectl_netpol::engine::explain::explain;
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::lint::{Config, Context, RunOptions, run};
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::Cluster;
use proptest::prelude::*;

fn pipeline(text: &str) {
    let loaded = load_texts(&[("fuzz.yaml", text)], &LoadOptions::default());
    let cluster = Cluster::build(loaded.objects);
    let m = Matrix::compute(&cluster);
    for a in 0..m.len().min(6) {
        for b in 0..m.len().min(6) {
            let _ = m.allowed(a, b);
            let _ = explain(&cluster, m.party(a), m.party(b), None);
        }
    }
    if let Some(first) = cluster.endpoints.first() {
        let _ = explain(
            &cluster,
            Party::Endpoint(0),
            Party::Address("203.0.113.7".parse().unwrap()),
            None,
        );
        let _ = first.id();
    }
    let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
    let findings = run(&cx, &Config::default(), &RunOptions::default());
    for f in findings {
        let _ = loaded.sources.location(f.span);
    }
}

fn corpus() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
    let mut files = Vec::new();
    for dir in ["demo", "demo/policies", "generations", "broken"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "yaml") {
                files.push(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
    }
    files
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop::sample::select(b"{}[]:-#&*!|>'\"%@` \n\t,?0aZ/.~".to_vec());
    prop_oneof![
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), 0usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        pipeline(&text);
    }

    #[test]
    fn mutated_manifests_never_panic(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8)) {
        let files = corpus();
        let mut bytes = files[file.index(files.len())].clone().into_bytes();
        for e in edits {
            if bytes.is_empty() {
                break;
            }
            match e {
                Edit::Replace(i, b) => {
                    let i = i % bytes.len();
                    bytes[i] = b;
                }
                Edit::Delete(i, n) => {
                    let i = i % bytes.len();
                    let end = (i + n).min(bytes.len());
                    bytes.drain(i..end);
                }
                Edit::Duplicate(i, n) => {
                    let i = i % bytes.len();
                    let end = (i + n).min(bytes.len());
                    let chunk: Vec<u8> = bytes[i..end].to_vec();
                    bytes.splice(i..i, chunk);
                }
            }
        }
        pipeline(&String::from_utf8_lossy(&bytes));
    }
}

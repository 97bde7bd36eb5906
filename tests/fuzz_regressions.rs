//! The fuzz targets' inputs on stable: every file of `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` goes through the function of `kubectl_netpol::fuzzing` that
//! the target `<target>` calls under libFuzzer. Nothing is caught: a panic (or a property
//! the function asserts) fails the test, after the name of the file it came from. A target
//! whose seed directory is missing or empty fails too, so that a moved directory cannot make
//! the test pass by running nothing.

use std::path::{Path, PathBuf};

use kubectl_netpol::fuzzing;

/// The files of `fuzz/<kind>/<target>/`, sorted; dot files (`.gitkeep`) left out.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Runs `f` over every seed and regression input of `target`; returns how many ran.
fn replay(target: &str, f: fn(&[u8])) -> usize {
    let seeds = files("seeds", target);
    assert!(
        !seeds.is_empty(),
        "fuzz/seeds/{target}/ is missing or empty: the target has no seed corpus"
    );
    let regressions = files("regressions", target);
    for path in seeds.iter().chain(&regressions) {
        let bytes = std::fs::read(path).unwrap();
        // Printed before the run: a panic's output then names its input.
        eprintln!("{target}: {}", path.display());
        f(&bytes);
    }
    seeds.len() + regressions.len()
}

#[test]
fn load_inputs_do_not_panic() {
    replay("load", fuzzing::load);
}

#[test]
fn pipeline_inputs_do_not_panic() {
    replay("pipeline", fuzzing::pipeline);
}

#[test]
fn calico_selector_inputs_do_not_panic() {
    replay("calico_selector", fuzzing::calico_selector);
}

/// Every target under `fuzz/fuzz_targets/` has a test above (and a seed directory).
#[test]
fn every_target_is_replayed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "rs").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    targets.sort();
    assert_eq!(targets, ["calico_selector", "load", "pipeline"]);
}

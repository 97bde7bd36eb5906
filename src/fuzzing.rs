//! Entry points of the fuzz targets (`fuzz/fuzz_targets/*.rs`), one function per target.
//!
//! The same functions run under libFuzzer (`cargo +nightly fuzz run TARGET`) and on stable,
//! where `tests/fuzz_regressions.rs` feeds them every seed and every regression input. Each
//! takes arbitrary bytes, returns nothing and must not panic: a panic is the bug. Besides
//! "does not panic", they check a few properties that must hold for every input (a parsed
//! selector prints back to itself; the matrix, the evaluator and the explanation agree).
//!
//! Not part of the API: hidden from the documentation, and may change at any time.

use crate::engine::evaluate::allowed_ports;
use crate::engine::explain::explain;
use crate::engine::matrix::Matrix;
use crate::lint::{Config, Context, RunOptions, run};
use crate::load::kinds::calico::selector;
use crate::load::{LoadOptions, Loaded, load_texts, text};
use crate::model::Cluster;

/// Inputs longer than this are ignored, so that every run is fast (`-max_len=16384`).
pub const MAX_INPUT: usize = 16 * 1024;

/// The bytes as text: decoded as an input file is (byte order marks, UTF-16, UTF-32), or,
/// when the loader would refuse them, with invalid UTF-8 replaced, so that the parser still
/// sees the rest.
fn text_of(bytes: &[u8]) -> String {
    match text::decode(bytes.to_vec()) {
        Ok(t) => t,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn load_bytes(bytes: &[u8]) -> Option<Loaded> {
    if bytes.len() > MAX_INPUT {
        return None;
    }
    let text = text_of(bytes);
    Some(load_texts(&[("fuzz.yaml", &text)], &LoadOptions::default()))
}

/// Target `load`: reads the bytes as one manifest file, and renders every problem.
pub fn load(bytes: &[u8]) {
    let Some(loaded) = load_bytes(bytes) else {
        return;
    };
    for p in loaded.problems.iter().chain(&loaded.warnings) {
        let _ = p.render(&loaded.sources);
    }
}

/// Target `pipeline`: load, build the cluster (lowering every policy API), compute the
/// matrix, run every lint rule, and explain the connection between the first two members of
/// the matrix, which the matrix, the evaluator and the explanation must agree on.
pub fn pipeline(bytes: &[u8]) {
    let Some(loaded) = load_bytes(bytes) else {
        return;
    };
    let cluster = Cluster::build(loaded.objects);
    let m = Matrix::compute(&cluster);
    if m.len() >= 2 {
        for (u, v) in [(0, 1), (1, 0)] {
            if m.is_external(u) && m.is_external(v) {
                continue;
            }
            let (src, dst) = (m.party(u), m.party(v));
            let want = allowed_ports(&cluster, src, dst);
            assert_eq!(m.allowed(u, v), &want, "matrix vs evaluator, {u} → {v}");
            let e = explain(&cluster, src, dst, None);
            assert_eq!(e.allowed, want, "explain vs evaluator, {u} → {v}");
        }
    }
    let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
    for f in run(&cx, &Config::default(), &RunOptions::default()) {
        let _ = loaded.sources.location(f.span);
    }
}

/// Target `calico_selector`: parses the bytes (as lossy UTF-8) as a Calico selector. A
/// selector that parses prints libcalico-go's canonical form, which parses back to the same
/// selector; an error points inside the text, on character boundaries.
pub fn calico_selector(bytes: &[u8]) {
    if bytes.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    match selector::parse(&text) {
        Ok(s) => {
            let printed = s.to_string();
            let again = selector::parse(&printed);
            assert_eq!(again.as_ref(), Ok(&s), "{text:?} printed as {printed:?}");
        }
        Err(e) => {
            let end = e.offset + e.len;
            assert!(end <= text.len(), "{e:?} past the end of {text:?}");
            assert!(text.is_char_boundary(e.offset) && text.is_char_boundary(end));
        }
    }
}

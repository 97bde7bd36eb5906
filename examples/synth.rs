//! Writes a synthetic cluster to a directory, or loads one and computes its matrix, timing
//! each step: the tool behind `benches/RESULTS.md` (peak RSS with `/usr/bin/time -v`).
//!
//! ```sh
//! cargo run --release --example synth -- write /tmp/c20k --pods 20000 --policies 5000
//! /usr/bin/time -v target/release/examples/synth measure /tmp/c20k
//! target/release/examples/synth measure --pods 1000 --policies 500   # generated in memory
//! ```

use std::process::ExitCode;
use std::time::Instant;

use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{self, LoadOptions};
use kubectl_netpol::model::Cluster;
use kubectl_netpol::synth::{self, Params};

/// `println!` that does not panic when the reader has gone away (`| head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

const USAGE: &str = "usage: synth write DIR [--pods N] [--policies N] [--seed N] [--namespaces N]
       synth measure (DIR | [--pods N] [--policies N] [--seed N] [--namespaces N])";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synth: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err("no command".into());
    };
    let mut params = Params::new(1000, 500, 1);
    let mut dir: Option<String> = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut num = |what: &str| -> Result<u64, String> {
            it.next()
                .ok_or(format!("{what} needs a value"))?
                .parse()
                .map_err(|e| format!("{what}: {e}"))
        };
        match a.as_str() {
            "--pods" => params.pods = num(a)? as usize,
            "--policies" => params.policies = num(a)? as usize,
            "--seed" => params.seed = num(a)?,
            "--namespaces" => params.namespaces = num(a)? as usize,
            s if !s.starts_with('-') && dir.is_none() => dir = Some(s.to_string()),
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    match cmd.as_str() {
        "write" => {
            let dir = dir.ok_or("write needs a directory")?;
            let t = Instant::now();
            let c = synth::Cluster::generate(&params);
            c.write_to(std::path::Path::new(&dir))
                .map_err(|e| format!("{dir}: {e}"))?;
            say!(
                "wrote {dir}: {} files, {:.1} MiB, {} namespaces, {} pods, {} workloads, {} policies in {:.2?}",
                c.files.len(),
                c.bytes() as f64 / (1 << 20) as f64,
                c.namespaces,
                c.pods,
                c.workloads,
                c.policies,
                t.elapsed()
            );
            if let Some((from, to)) = &c.probe {
                say!("probe: can-reach {from} {to}");
            }
            Ok(())
        }
        "measure" => {
            let t = Instant::now();
            let loaded = match &dir {
                Some(d) => load::load(std::slice::from_ref(d), &LoadOptions::default()),
                None => {
                    let c = synth::Cluster::generate(&params);
                    say!("generated in {:.2?}", t.elapsed());
                    let t = Instant::now();
                    let l = load::load_texts(&c.texts(), &LoadOptions::default());
                    say!("parsed in memory in {:.2?}", t.elapsed());
                    l
                }
            };
            let t_load = t.elapsed();
            if !loaded.problems.is_empty() {
                return Err(format!(
                    "{} problems, first: {}",
                    loaded.problems.len(),
                    loaded.problems[0].render(&loaded.sources)
                ));
            }
            let t = Instant::now();
            let cluster = Cluster::build(loaded.objects);
            let t_build = t.elapsed();
            let t = Instant::now();
            let m = Matrix::compute(&cluster);
            let t_matrix = t.elapsed();
            say!(
                "{} endpoints, {} externals, {} policies ({} applied), {} classes",
                m.endpoints,
                m.externals.len(),
                cluster.policies.len(),
                cluster.applied_policies().count(),
                m.class_count()
            );
            say!(
                "read+parse+decode {t_load:.2?}, build {t_build:.2?}, matrix {t_matrix:.2?}, total {:.2?}",
                t_load + t_build + t_matrix
            );
            Ok(())
        }
        c => Err(format!("unknown command `{c}`")),
    }
}

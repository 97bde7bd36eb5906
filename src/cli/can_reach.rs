//! `kubectl netpol can-reach FROM TO [--port PORT[/PROTO]]`.

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::engine::explain::explain;
use crate::engine::target::{Target, resolve, resolve_port};
use crate::engine::{Party, explain::Explanation};
use crate::model::ports::PortQuery;
use crate::report::explain::{CanReach, json, text};
use crate::report::style::{ColorChoice, Painter};

/// Output formats of can-reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The explanation, for people.
    Text,
    /// The same as data (versioned).
    Json,
}

/// Arguments of can-reach.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
FROM and TO: NAMESPACE/NAME of a Pod or workload, NAMESPACE/KIND/NAME (deploy, sts, ds, rs, job,
cronjob, rc, pod; svc for a Service's pods, its port mapped to the targetPort), a bare NAME in
the -n namespace, or an IP address.

Exit status: 0 allowed, 1 denied, 2 usage or input error.")]
pub struct Args {
    /// The source.
    pub from: String,
    /// The destination.
    pub to: String,
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The port: 80, 80/TCP, 53/UDP, or a container port name of the destination. Without it,
    /// every allowed port is listed.
    #[arg(short = 'p', long, value_name = "PORT[/PROTO]")]
    pub port: Option<PortQuery>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print nothing; answer with the exit status only.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs can-reach.
/// Whether a target names a host by DNS name (`api.example.com`): no `/`, a dot, not an IP.
fn looks_like_dns_name(t: &str) -> bool {
    !t.contains('/')
        && t.contains('.')
        && t.parse::<std::net::IpAddr>().is_err()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err_painter = Painter::new(color.stderr());
    let mut inputs = args.input.resolve(&args.paths);
    // A DNS name as FROM or TO is a party of its own (Cilium's toFQDNs can allow it).
    inputs.build.fqdn_targets = [&args.from, &args.to]
        .into_iter()
        .filter(|t| looks_like_dns_name(t))
        .cloned()
        .collect();
    let session = match inputs.load(&err_painter, Problems::Print) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cluster = &session.cluster;
    let ns = args.input.namespace();
    let resolved = (
        resolve(cluster, &args.from, ns),
        resolve(cluster, &args.to, ns),
    );
    let (from, to) = match resolved {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            for e in [f.err(), t.err()].into_iter().flatten() {
                eprintln!("{} {e}", err_painter.bad("error:"));
            }
            return EXIT_ERROR;
        }
    };
    let mut notes: Vec<String> = [&from.note, &to.note]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let sources = parties(&from.target);
    let mut pairs: Vec<Explanation> = Vec::new();
    for &src in &sources {
        for &dst in &parties(&to.target) {
            let query = match &args.port {
                None => None,
                Some(q) => match resolve_port(cluster, &to.target, dst, q) {
                    Ok(q) => Some(q),
                    Err(e) => {
                        eprintln!("{} {e}", err_painter.bad("error:"));
                        return EXIT_ERROR;
                    }
                },
            };
            if let (Target::Service { service, .. }, Some(q), Some((proto, n))) =
                (&to.target, &args.port, query)
            {
                let svc = &cluster.services[*service];
                notes.push(format!(
                    "{}/svc/{} port {} is served on {proto} {n} by {}",
                    svc.namespace,
                    svc.name,
                    q,
                    crate::engine::explain::party_name(cluster, dst)
                ));
            }
            pairs.push(explain(cluster, src, dst, query));
        }
    }
    let report = CanReach {
        from: &args.from,
        to: &args.to,
        port: args.port.as_ref().map(|p| p.to_string()),
        notes,
        pairs,
    };
    if !args.quiet {
        let out = match args.output {
            Format::Text => text(
                &report,
                cluster,
                &session.sources,
                &Painter::new(color.stdout()),
            ),
            Format::Json => {
                serde_json::to_string_pretty(&json(&report, cluster, &session.sources))
                    .expect("JSON values serialize")
                    + "\n"
            }
        };
        print(&out);
    }
    if session.errors > 0 {
        EXIT_ERROR
    } else if report.allowed() {
        EXIT_OK
    } else {
        EXIT_NO
    }
}

fn parties(t: &Target) -> Vec<Party> {
    match t {
        Target::Party(p) => vec![*p],
        Target::Service { backends, .. } => backends.iter().map(|&b| Party::Endpoint(b)).collect(),
    }
}

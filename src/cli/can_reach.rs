//! `kubectl netpol can-reach FROM TO [--port PORT[/PROTO]]`.

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::engine::dns_visibility::{
    DnsRule, DnsServer, FqdnConnection, NotSeen, Visibility, fqdn_connection,
};
use crate::engine::explain::{explain, party_name};
use crate::engine::target::{Target, parse_described, resolve, resolve_port};
use crate::engine::{Party, explain::Explanation};
use crate::load::source::SourceMap;
use crate::model::Cluster;
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
the -n namespace, an IP address, a DNS name (api.example.com: a host outside the cluster
that Cilium toFQDNs rules can name; under Cilium the answer also says whether the pod's DNS
lookups of it are visible to Cilium's DNS proxy), or a pod the files do not hold, described
by its namespace and labels: 'ingress-nginx{app.kubernetes.io/name=ingress-nginx}' (quote it
for the shell; `monitoring{}` is any pod of the namespace).

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

/// Whether a target names a host by DNS name (`api.example.com`): no `/`, a dot, not an IP.
fn looks_like_dns_name(t: &str) -> bool {
    !t.contains('/')
        && t.contains('.')
        && t.parse::<std::net::IpAddr>().is_err()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Runs can-reach.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err_painter = Painter::new(color.stderr());
    let mut inputs = args.input.resolve(&args.paths);
    // A DNS name as FROM or TO is a party of its own (Cilium's toFQDNs can allow it).
    inputs.build.fqdn_targets = [&args.from, &args.to]
        .into_iter()
        .filter(|t| looks_like_dns_name(t))
        .cloned()
        .collect();
    // A pod described by namespace and labels (`ingress-nginx{app=controller}`) is added as a
    // pod of its own: the team's files need not hold the other team's pods.
    for t in [&args.from, &args.to] {
        match parse_described(t) {
            Some(Ok(d)) => inputs.build.described_targets.push(d),
            Some(Err(e)) => {
                eprintln!("{} {e}", err_painter.bad("error:"));
                return EXIT_ERROR;
            }
            None => {}
        }
    }
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
    // From a pod to a DNS name under Cilium: whether the proxy sees the lookups toFQDNs needs.
    let dns = match (&from.target, report.pairs.as_slice()) {
        (Target::Party(Party::Endpoint(_)), [e]) => fqdn_connection(cluster, e),
        _ => None,
    };
    if !args.quiet {
        let out = match args.output {
            Format::Text => {
                let p = Painter::new(color.stdout());
                let mut out = text(&report, cluster, &session.sources, &p);
                if let Some(d) = &dns {
                    out.push('\n');
                    out.push_str(&dns_text(d, &report, cluster, &session.sources, &p));
                }
                out
            }
            Format::Json => {
                let doc = json(&report, dns.as_ref(), cluster, &session.sources);
                serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
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

/// The line saying whether Cilium's DNS proxy sees the source's lookups of the DNS name, and
/// what follows for the connection: `dns: Cilium's DNS proxy sees the lookups of NAME by POD:
/// RULE (FILE:LINE) lets them through to SERVER (PATTERN), ...`.
fn dns_text(
    d: &FqdnConnection,
    report: &CanReach,
    cluster: &Cluster,
    sources: &SourceMap,
    p: &Painter,
) -> String {
    let pod = party_name(cluster, Party::Endpoint(d.pod));
    let name = &d.name;
    let rule = |r: &DnsRule| {
        format!(
            "[{}] {} `{}` {}",
            cluster.ir.policies[r.ir_policy].label(),
            r.label,
            r.text,
            p.dim(&format!("({})", sources.file_line(r.span)))
        )
    };
    let server = match d.visibility.server() {
        DnsServer::KubeDns(pods) => pods
            .iter()
            .map(|&s| cluster.endpoints[s].id())
            .collect::<Vec<_>>()
            .join(", "),
        DnsServer::AnyOnPort53 => "any destination".to_string(),
    };
    let why = match &d.visibility {
        Visibility::Seen { rule: r, .. } => {
            return format!(
                "{} Cilium's DNS proxy sees the lookups of {name} by {pod}: {} lets them through to {server} on port 53, so toFQDNs rules learn the addresses {name} resolves to\n",
                p.dim("dns:"),
                rule(r),
            );
        }
        Visibility::NotSeen {
            reason: NotSeen::NoDnsRule,
            ..
        } => format!(
            "no egress rule of a Cilium policy selecting {pod} sends its lookups to {server} on port 53 through an L7 `dns` rule"
        ),
        Visibility::NotSeen {
            reason: NotSeen::NotCovered(rules),
            ..
        } => {
            let rules: Vec<String> = rules.iter().map(rule).collect();
            format!(
                "the `dns` rules that apply to {pod} ({}) do not let them through",
                rules.join(", ")
            )
        }
    };
    let outcome = if d.fails.is_empty() {
        if report.allowed() {
            " (the policies allow this connection through other rules)".to_string()
        } else {
            String::new()
        }
    } else if report.port.is_some() {
        " and the connection fails in the real cluster even though the policies allow it (the exit status is the policies' answer)".to_string()
    } else {
        format!(
            " and connections on {} fail in the real cluster even though the policies allow them (the exit status is the policies' answer)",
            d.fails
        )
    };
    let label = if d.fails.is_empty() {
        p.dim("dns:")
    } else {
        p.warn("dns:")
    };
    format!(
        "{label} Cilium's DNS proxy does not see the lookups of {name} by {pod}: {why}, so toFQDNs rules learn no address for it{outcome}\n"
    )
}

//! `kubectl netpol can-reach FROM TO [--port [PROTO/]PORT]`: FROM and TO as people type them
//! (resolved by [`crate::engine::target`]), one port or a range of them.

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::engine::dns_visibility::{
    DnsRule, DnsServer, FqdnConnection, NotSeen, Visibility, fqdn_connection,
};
use crate::engine::explain::{explain, explain_range, party_name};
use crate::engine::target::{
    Named, Scope, Target, looks_like_dns_name, parse_described, resolve_named, resolve_port,
};
use crate::engine::{Party, explain::Explanation};
use crate::load::source::SourceMap;
use crate::model::Cluster;
use crate::model::ports::PortsQuery;
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
cronjob, rc, pod; svc for a Service's pods, its port mapped to the targetPort), a bare NAME
(the only pod or workload of that name in any namespace; with -n, the one in that namespace),
an IP address (a known pod IP is that pod; any other, an address outside the cluster, matched
by ipBlocks), a CIDR (10.0.0.0/8: the pods whose IPs it holds and one address of each part of
it the policies treat alike), a DNS name under Cilium (api.example.com: a host outside the
cluster that toFQDNs rules can name; the answer also says whether the pod's DNS lookups of it
are visible to Cilium's DNS proxy; without Cilium, ask about an address it resolves to), or a
pod the files do not hold, described by its namespace and labels:
'ingress-nginx{app.kubernetes.io/name=ingress-nginx}' (quote it for the shell; `monitoring{}`
is any pod of the namespace).

--port: 80, tcp/80, 80/TCP, udp/53, sctp/9999 (the protocol before or after, any case; TCP by
default), a container port name of the destination (http, tcp/http), or a range (8080-8090,
udp/30000-32767): the answer says on which part of the range the connection is allowed.

Exit status: 0 allowed (on every port of a range), 1 denied (on some port of a range), 2 usage
or input error.")]
pub struct Args {
    /// The source.
    pub from: String,
    /// The destination.
    pub to: String,
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The port: 80, tcp/80, 53/udp, a range 8080-8090, or a container port name of the
    /// destination (http). Without it, every allowed port is listed.
    #[arg(short = 'p', long, value_name = "[PROTO/]PORT")]
    pub port: Option<PortsQuery>,
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
    // A name without a namespace: in the -n namespace, else unique across namespaces.
    let scope = args
        .input
        .namespace
        .as_deref()
        .map_or(Scope::Anywhere, Scope::In);
    let resolved = (
        resolve_named(cluster, &args.from, scope),
        resolve_named(cluster, &args.to, scope),
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
    let mut notes: Vec<String> = [from.note(), to.note()]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let mut pairs: Vec<Explanation> = Vec::new();
    for &src in &from.parties() {
        for &dst in &to.parties() {
            match pair(cluster, src, dst, &to, args.port.as_ref(), &mut notes) {
                Ok(e) => pairs.push(e),
                Err(e) => {
                    eprintln!("{} {e}", err_painter.bad("error:"));
                    return EXIT_ERROR;
                }
            }
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
    let dns = match (&from, report.pairs.as_slice()) {
        (Named::One(f), [e]) if matches!(f.target, Target::Party(Party::Endpoint(_))) => {
            fqdn_connection(cluster, e).map(|mut d| {
                if let Some(r) = e.range {
                    d.fails = d.fails.intersect(&r.set());
                }
                d
            })
        }
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

/// Explains `src → dst` on the port asked (a Service's port mapped to the backend's
/// targetPort, with a note saying so) or range, or on every port.
fn pair(
    cluster: &Cluster,
    src: Party,
    dst: Party,
    to: &Named,
    port: Option<&PortsQuery>,
    notes: &mut Vec<String>,
) -> Result<Explanation, String> {
    let target = to.target_of(dst);
    match port {
        None => Ok(explain(cluster, src, dst, None)),
        Some(PortsQuery::Range(r)) => match target {
            Target::Service { service, .. } => {
                let svc = &cluster.services[service];
                Err(format!(
                    "a range of ports ({r}) cannot be asked of a Service: its ports map to targetPorts one by one; ask about one port of {}/svc/{}, or about a range of its pods' ports ({}/NAME)",
                    svc.namespace, svc.name, svc.namespace
                ))
            }
            Target::Party(_) => Ok(explain_range(cluster, src, dst, *r)),
        },
        Some(PortsQuery::One(q)) => {
            let (proto, n) = resolve_port(cluster, &target, dst, q)?;
            if let Target::Service { service, .. } = target {
                let svc = &cluster.services[service];
                let note = format!(
                    "{}/svc/{} port {q} is served on {proto} {n} by {}",
                    svc.namespace,
                    svc.name,
                    party_name(cluster, dst)
                );
                notes.push(note);
            }
            Ok(explain(cluster, src, dst, Some((proto, n))))
        }
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
    } else if report.pairs.iter().any(|e| e.query.is_some()) {
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

//! `kubectl netpol can-reach FROM TO [--port [PROTO/]PORT]`: FROM and TO as people type them
//! (resolved by [`crate::engine::target`]), one port or a range of them.
//! `--expect allow|deny` says which answer is wanted (the exit status); `--fix` proposes the
//! smallest verified change that gives it ([`crate::fix::reach`], rendered by
//! [`crate::report::fix`]), and `--write` applies it.

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

/// What the answer should be (`--expect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExpectArg {
    /// The connection is allowed.
    Allow,
    /// The connection is denied.
    Deny,
}

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

--fix: the smallest change to the files that makes the answer the expected one (--expect allow,
the default, or deny), verified before it is shown: the engine reloads the changed text and
diffs it, and the change is shown only if it changes that connection and nothing else (the
same connection between other replicas of the two workloads aside); the last line is that
proof. It prints the changed objects whole; --diff a unified diff of the files instead (on
standard output, the rest on standard error: `... --fix --diff | git apply`); --write applies
it to the files. New policies go next to the file of the workload they select, or to
--fix-file PATH. When no change is that narrow, it says what the narrowest would change
besides, and --allow-wider accepts it. Edits of a higher tier's policy (AdminNetworkPolicy,
Calico, Cilium deny) are marked as needing that policy's owner.

Exit status: 0 allowed (on every port of a range), 1 denied (on some port of a range), 2 usage
or input error. With --expect deny, 0 denied and 1 allowed. With --fix: 0 when the connection
already answers as expected or a verified change was printed (or written), 1 when no change
within the limits was found, 2 usage or input error.")]
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
    /// The expected answer: the exit status is 0 when the connection is allowed (allow) or
    /// denied (deny); --fix proposes the change that makes it so.
    #[arg(long, value_enum, value_name = "ANSWER", default_value_t = ExpectArg::Allow)]
    pub expect: ExpectArg,
    /// Propose the smallest change to the files that makes the answer the expected one,
    /// verified to change that connection only (needs one --port).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the change as a unified diff of the files (standard output), the
    /// explanation and proof on standard error.
    #[arg(long, requires = "fix")]
    pub diff: bool,
    /// With --fix: apply the change to the files (each written whole, atomically); refused
    /// for input from standard input, -k or --from-cluster.
    #[arg(long, requires = "fix")]
    pub write: bool,
    /// With --fix: the file new policies go to (created, or appended to), instead of one
    /// next to the file of the workload they select.
    #[arg(long, value_name = "PATH", requires = "fix", value_hint = clap::ValueHint::FilePath)]
    pub fix_file: Option<std::path::PathBuf>,
    /// With --fix: accept the narrowest change when it also changes other connections.
    #[arg(long, requires = "fix")]
    pub allow_wider: bool,
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
    if args.fix
        && let Err(e) = fix_preconditions(&args)
    {
        eprintln!("{} {e}", err_painter.bad("error:"));
        return EXIT_ERROR;
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
    if args.fix {
        return fix::run(&args, &inputs, &session, &from, &to, color);
    }
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
    } else if report.allowed() == (args.expect == ExpectArg::Allow) {
        EXIT_OK
    } else {
        EXIT_NO
    }
}

/// What --fix needs of the other arguments, checked before anything is read.
fn fix_preconditions(args: &Args) -> Result<(), String> {
    match &args.port {
        Some(PortsQuery::One(_)) => {}
        Some(PortsQuery::Range(r)) => {
            return Err(format!(
                "--fix needs one port, not a range ({r}): ask about each port you mean"
            ));
        }
        None => return Err("--fix needs the port of the connection: --port PORT".into()),
    }
    if args.write {
        let why = if args.input.cluster.from_cluster {
            Some("it comes from the live cluster (--from-cluster), not from files")
        } else if !args.input.kustomize.is_empty() {
            Some("part of it is rendered by kustomize (-k), not read from files")
        } else if args.input.paths(&args.paths).iter().any(|p| p == "-") {
            Some("part of it comes from standard input")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(format!(
                "--write cannot write the change back: {why}; print it with --fix (or --diff) and apply it where the manifests come from"
            ));
        }
    }
    Ok(())
}

/// `can-reach --fix`: the search, its output, and --write.
mod fix {
    use super::*;
    use crate::base::edit::FileChange;
    use crate::fix::reach::{Expect, Outcome, Request, fix_allow, fix_deny};
    use crate::report::fix as render;

    pub(super) fn run(
        args: &Args,
        inputs: &super::super::inputs::Inputs,
        session: &super::super::inputs::Session,
        from: &Named,
        to: &Named,
        color: ColorChoice,
    ) -> u8 {
        let err_painter = Painter::new(color.stderr());
        let error = |e: String| {
            eprintln!("{} {e}", err_painter.bad("error:"));
            EXIT_ERROR
        };
        let cluster = &session.cluster;
        let (src, dst) = match (from.parties().as_slice(), to.parties().as_slice()) {
            ([s], [d]) => (*s, *d),
            _ => {
                return error(format!(
                    "--fix needs one source and one destination: `{}` and `{}` stand for {} and {} (name one pod or workload each)",
                    args.from,
                    args.to,
                    count(from.parties().len()),
                    count(to.parties().len())
                ));
            }
        };
        let Some(PortsQuery::One(q)) = &args.port else {
            return error("--fix needs one port".into());
        };
        let (protocol, port) = match resolve_port(cluster, &to.target_of(dst), dst, q) {
            Ok(p) => p,
            Err(e) => return error(e),
        };
        if args.write && session.errors > 0 {
            return error(
                "--write refuses to change files while the input has errors (above): fix them first".into(),
            );
        }
        let req = Request {
            sources: &session.sources,
            cluster,
            load: &inputs.load,
            build: &inputs.build,
            problems: session.problems.len(),
            src,
            dst,
            protocol,
            port,
            fix_file: args.fix_file.clone(),
            allow_wider: args.allow_wider,
        };
        let expect = match args.expect {
            ExpectArg::Allow => Expect::Allow,
            ExpectArg::Deny => Expect::Deny,
        };
        let mut proposal = match expect {
            Expect::Allow => fix_allow(&req),
            Expect::Deny => fix_deny(&req),
        };
        for n in [from.note(), to.note()].into_iter().flatten() {
            proposal.notes.insert(0, n.to_string());
        }
        let mut written = Vec::new();
        let mut code = match proposal.outcome {
            Outcome::Already | Outcome::Fixed | Outcome::Wider => EXIT_OK,
            Outcome::TooWide | Outcome::None => EXIT_NO,
        };
        if args.write && proposal.outcome.is_fix() {
            match write(&proposal.changes) {
                Ok(w) => written = w,
                Err(e) => {
                    eprintln!("{} {e}", err_painter.bad("error:"));
                    code = EXIT_ERROR;
                }
            }
        }
        if session.errors > 0 {
            code = EXIT_ERROR;
        }
        if args.quiet {
            return code;
        }
        match args.output {
            Format::Json => {
                let doc = render::json(&proposal, &written);
                print(&(serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"));
            }
            Format::Text if args.diff => {
                let p = Painter::new(color.stderr());
                if proposal.outcome.is_fix() || proposal.outcome == Outcome::TooWide {
                    print(&crate::report::patch::unified(&proposal.changes));
                }
                let mut err = render::summary(&proposal, &p);
                if !written.is_empty() {
                    err.push_str(&format!("\nwrote {}\n", written.join(", ")));
                }
                let proof = render::proof(&proposal, &p);
                if !proof.is_empty() {
                    err.push('\n');
                    err.push_str(&proof);
                }
                eprint!("{err}");
            }
            Format::Text => {
                let p = Painter::new(color.stdout());
                let mut out = render::summary(&proposal, &p);
                if written.is_empty() {
                    let objects = render::objects(&proposal);
                    if !objects.is_empty() {
                        out.push('\n');
                        out.push_str(&objects);
                    }
                } else {
                    out.push_str(&format!("\nwrote {}\n", written.join(", ")));
                }
                let proof = render::proof(&proposal, &p);
                if !proof.is_empty() {
                    out.push('\n');
                    out.push_str(&proof);
                }
                print(&out);
            }
        }
        code
    }

    fn count(n: usize) -> String {
        match n {
            0 => "nothing".into(),
            1 => "one party".into(),
            n => format!("{n} parties"),
        }
    }

    /// Writes the changed files: each checked first to still hold what was read, then
    /// written whole to a temporary file beside it and renamed over it, so that a reader
    /// never sees half a file. Returns the names written.
    pub(super) fn write(changes: &[FileChange]) -> Result<Vec<String>, String> {
        let mut plan = Vec::new();
        for c in changes {
            let Some(path) = &c.path else {
                return Err(format!(
                    "{} has no file to write back to (it was read from standard input or a command)",
                    c.name
                ));
            };
            let now = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
            };
            if now != c.before {
                return Err(format!(
                    "{} changed since it was read: nothing written; run the command again",
                    path.display()
                ));
            }
            plan.push((path, c));
        }
        let mut written = Vec::new();
        for (path, c) in plan {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => std::path::PathBuf::from("."),
            };
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_else(|| "fix".into());
            let tmp = dir.join(format!(".{file}.netpol-fix-{}", std::process::id()));
            std::fs::write(&tmp, &c.after)
                .map_err(|e| format!("{}: cannot write: {e}", tmp.display()))?;
            if let Ok(meta) = std::fs::metadata(path) {
                let _ = std::fs::set_permissions(&tmp, meta.permissions());
            }
            if let Err(e) = std::fs::rename(&tmp, path) {
                let _ = std::fs::remove_file(&tmp);
                return Err(format!("{}: cannot replace: {e}", path.display()));
            }
            written.push(c.name.clone());
        }
        Ok(written)
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

#[cfg(test)]
mod tests {
    use super::fix::write;
    use crate::base::edit::FileChange;

    fn change(path: &std::path::Path, before: &str, after: &str) -> FileChange {
        FileChange {
            name: path.display().to_string(),
            path: Some(path.to_path_buf()),
            file: None,
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn write_replaces_files_whole_and_refuses_one_changed_since_it_was_read() {
        let dir = tempfile::TempDir::new().unwrap();
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("new/b.yaml");
        std::fs::write(&a, "kind: A\n").unwrap();
        let written = write(&[
            change(&a, "kind: A\n", "kind: A2\n"),
            change(&b, "", "kind: B\n"),
        ])
        .unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "kind: A2\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "kind: B\n");
        // Someone edited a.yaml in between: nothing is written, not even b.
        let err = write(&[
            change(&b, "kind: B\n", "kind: B3\n"),
            change(&a, "kind: A\n", "kind: A3\n"),
        ])
        .unwrap_err();
        assert!(err.contains("changed since it was read"), "{err}");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "kind: B\n");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    }
}

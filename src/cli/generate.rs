//! `kubectl netpol generate [PATH...] (--expect FILE | --flows FILE...)`: least-privilege
//! NetworkPolicies for the flows that must happen (expectations, or Hubble / CSV flows), per
//! covered namespace, to standard output or one file per namespace; `--check` proves them
//! on the text written ([`crate::fix::generate`]).

use std::path::{Path, PathBuf};

use super::inputs::{InputArgs, Problems, read_flows};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::fix::generate::check::{Extra, Failure, Proof, prove};
use crate::fix::generate::plan::{Plan, origins_text};
use crate::fix::generate::{Api, Dns, End, Options, Origin, Skipped, Verdict, Want, render};
use crate::lint::expect::{self, Expectation, Selector};
use crate::load::source::SourceMap;
use crate::report::style::{ColorChoice, Painter};

/// Arguments of generate.
#[derive(Debug, Clone, clap::Args)]
#[command(group(
    clap::ArgGroup::new("wanted")
        .required(true)
        .multiple(true)
        .args(["expect", "flows"])
))]
#[command(after_help = "\
What is written, per covered namespace (one holding an end of a flow to allow):
  default-deny                  every pod isolated for ingress and egress
  allow-dns                     every pod may ask the cluster DNS, UDP and TCP 53 (an extra:
                                egress isolation blocks name resolution too)
  allow-<workload>-ingress      one rule per source, for the flows listed
  allow-<workload>-egress       one rule per destination, for the flows listed
Each rule is commented with the flows it exists for and where they are written. Workloads
are selected by the labels that tell them apart (app.kubernetes.io/name, app, k8s-app...;
never pod-template-hash or other labels set per pod); ports by name where the destination's
containers name them; other namespaces by kubernetes.io/metadata.name; addresses outside
the cluster by ipBlock. Flows to the cluster DNS on port 53 are what allow-dns allows; when
its own namespace is covered, the DNS admits every covered namespace.

--policy-api calico writes Calico projectcalico.org/v3 NetworkPolicies (default tier, every
rule an Allow; default-deny is `selector: all()` with both types and no rule); cilium writes
CiliumNetworkPolicies (default-deny is `ingress: [{}]` and `egress: [{}]`, a rule that
isolates and allows nothing). Either implies --cni of its plugin.

--expect FILE: a YAML list of {from, to, port, expect: allow|deny}, as `check --expect`
reads it; `expect: deny` is never written, only checked. Without a port, every port the
destination's containers declare (every port when they declare none).
--flows FILE: `hubble observe -o json` output, or a CSV of src,dst,port,protocol; flows
that happened (FORWARDED, every CSV line) are allowed, the others counted and skipped.

--check proves the policies on the text written: the input manifests with the
NetworkPolicies of the covered namespaces (and the namespaced policies of the API written)
replaced by the generated ones (other policy kinds stay), loaded and evaluated: every
flow listed is allowed, every `expect: deny` denied, and every other connection allowed
from or to a covered workload is a documented extra (DNS; what a selector that cannot tell
two workloads apart selects too). The report goes to standard error when the YAML goes to
standard output.

Exit status: 0 written (and proven, with --check), 1 --check found a flow not allowed, a
deny allowed, or an undocumented extra, 2 usage or input error (a flow whose ends map to
nothing is one: it is named with its file and line).")]
pub struct Args {
    /// Manifest files, directories or globs (like -f): the workloads the flows are between.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The flows to allow (and, with `expect: deny`, to keep denied): a YAML list of {from,
    /// to, port, expect}, as `check --expect` reads it. Repeatable.
    #[arg(long = "expect", value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub expect: Vec<PathBuf>,
    /// Recorded flows to allow: `hubble observe -o json` output, or a CSV of
    /// src,dst,port,protocol. Repeatable.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub flows: Vec<String>,
    /// Write one file per namespace, DIR/NAMESPACE.yaml (DIR is created), instead of every
    /// document to standard output.
    #[arg(long = "output-dir", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub output_dir: Option<PathBuf>,
    /// Prove the policies: evaluate the input with them in place of the covered namespaces'
    /// NetworkPolicies; exit 1 unless every flow is allowed, every deny denied, and nothing
    /// else allowed but documented extras.
    #[arg(long)]
    pub check: bool,
    /// The policy API to write: Kubernetes NetworkPolicies, Calico projectcalico.org/v3
    /// NetworkPolicies or Cilium CiliumNetworkPolicies. Calico and Cilium imply --cni of that
    /// plugin (the input is read, and --check proves, as that plugin enforces).
    #[arg(long, value_enum, value_name = "API", default_value_t = Api::Kubernetes)]
    pub policy_api: Api,
    /// The namespace of the cluster DNS.
    #[arg(long, value_name = "NS", default_value = "kube-system")]
    pub dns_namespace: String,
    /// The labels of the cluster DNS pods, KEY=VALUE (comma-separated for several).
    #[arg(long, value_name = "KEY=VALUE", default_value = "k8s-app=kube-dns")]
    pub dns_selector: String,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `k=v,k2=v2` as label pairs.
fn parse_labels(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
            _ => return Err(format!("--dns-selector: `{item}` is not KEY=VALUE")),
        }
    }
    if out.is_empty() {
        return Err("--dns-selector: no KEY=VALUE given".into());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The wants of the expectation files. Err: a file could not be read (printed).
fn read_expectations(paths: &[PathBuf], err: &Painter) -> Result<Vec<Want>, u8> {
    let mut sources = SourceMap::default();
    let mut wants = Vec::new();
    let mut bad = false;
    for path in paths {
        match expect::load_file(&mut sources, path) {
            Ok(list) => wants.extend(list.iter().map(|e| want_of(&sources, e))),
            Err(problems) => {
                for p in problems {
                    eprintln!("{} {}", err.bad("error:"), p.render(&sources));
                }
                bad = true;
            }
        }
    }
    if bad { Err(EXIT_ERROR) } else { Ok(wants) }
}

fn want_of(sources: &SourceMap, e: &Expectation) -> Want {
    let end = |s: &expect::Side| match &s.selector {
        Selector::Name(n) => End::Name(n.clone()),
        Selector::Match { namespace, labels } => End::Match {
            namespace: namespace.clone(),
            labels: labels.clone(),
        },
        Selector::Cidr(net) => End::Cidr(*net),
    };
    Want {
        origin: Origin {
            file: sources.file(e.span.file).name.clone(),
            line: sources.start(e.span).line as usize,
        },
        from: end(&e.from),
        to: end(&e.to),
        port: e.port.as_ref().map(|p| p.value.clone()),
        verdict: match e.expect {
            expect::Verdict::Allow => Verdict::Allow,
            expect::Verdict::Deny => Verdict::Deny,
        },
    }
}

/// Says on standard error what the recording held that is not written: flows that did not
/// happen (by verdict, with their lines), replies, flows without a port.
fn report_skipped(skipped: &Skipped, err: &Painter) {
    for (verdict, origins) in &skipped.by_verdict {
        let refs: Vec<&Origin> = origins.iter().collect();
        let n = origins.len();
        let (s, it, them) = if n == 1 {
            ("", "it", "it")
        } else {
            ("s", "they", "them")
        };
        eprintln!(
            "{} {n} flow{s} {verdict} ({}): not allowed, since the recording does not say {it} went through; list {them} in a CSV to allow {them}",
            err.dim("note:"),
            origins_text(&refs),
        );
    }
    if skipped.replies + skipped.non_l4 > 0 {
        eprintln!(
            "{} skipped {} reply flow{} and {} flow{} without a TCP, UDP or SCTP port",
            err.dim("note:"),
            skipped.replies,
            if skipped.replies == 1 { "" } else { "s" },
            skipped.non_l4,
            if skipped.non_l4 == 1 { "" } else { "s" },
        );
    }
}

/// Runs generate.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let dns_labels = match parse_labels(&args.dns_selector) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{} {e}", err.bad("error:"));
            return EXIT_ERROR;
        }
    };
    let (files, flow_problems) = match read_flows(&args.flows, &err) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut wants = match read_expectations(&args.expect, &err) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let (recorded, skipped) = crate::fix::generate::wants_from_flows(&files);
    wants.extend(recorded);
    report_skipped(&skipped, &err);
    let mut inputs = args.input.resolve(&args.paths);
    if let Some(cni) = args.policy_api.cni() {
        match args.input.cni {
            Some(given) if given != cni => {
                eprintln!(
                    "{} --policy-api {}: {} are enforced by {} only, not by --cni {}",
                    err.bad("error:"),
                    api_name(args.policy_api),
                    args.policy_api.kinds(),
                    api_name(args.policy_api),
                    clap::ValueEnum::to_possible_value(&given)
                        .map_or_else(String::new, |v| v.get_name().to_string()),
                );
                return EXIT_ERROR;
            }
            _ => inputs.build.cni = Some(cni),
        }
    }
    let session = match inputs.load(&err, Problems::Print) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut sources: Vec<String> = args
        .expect
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    sources.extend(args.flows.iter().cloned());
    let options = Options {
        api: args.policy_api,
        dns: Dns {
            namespace: args.dns_namespace.clone(),
            labels: dns_labels,
        },
        default_namespace: args.input.namespace().to_string(),
        sources,
    };
    let plan = crate::fix::generate::generate(&session.cluster, &wants, &options);
    for (origin, why) in &plan.problems {
        eprintln!("{} {origin}: not generated: {why}", err.bad("error:"));
    }
    for note in &plan.notes {
        eprintln!("{} {note}", err.warn("warning:"));
    }
    let errors = flow_problems + session.errors + plan.problems.len();
    if plan.namespaces.is_empty() {
        eprintln!(
            "{} nothing to generate: no flow to allow has an end among the pods and workloads of the input",
            err.bad("error:")
        );
        return EXIT_ERROR;
    }
    let generated = match write(&args.output_dir, &plan, &err) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let mut proven = true;
    if args.check {
        let proof = prove(
            &session.cluster,
            &session.sources,
            &plan,
            &generated,
            &inputs.load,
            &inputs.build,
        );
        proven = proof.holds();
        let text = proof_text(
            &plan,
            &proof,
            &Painter::new(if args.output_dir.is_some() {
                color.stdout()
            } else {
                color.stderr()
            }),
        );
        if args.output_dir.is_some() {
            print(&text);
        } else {
            eprint!("{text}");
        }
    }
    if errors > 0 {
        EXIT_ERROR
    } else if !proven {
        EXIT_NO
    } else {
        EXIT_OK
    }
}

/// Writes the YAML: to standard output, or one file per namespace in `dir` (each written
/// is said on standard output). Ok: the texts written, as `(name, text)`.
fn write(dir: &Option<PathBuf>, plan: &Plan, err: &Painter) -> Result<Vec<(String, String)>, u8> {
    let Some(dir) = dir else {
        let text = render::all(plan);
        print(&text);
        return Ok(vec![("<standard output>".into(), text)]);
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("{} --output-dir {}: {e}", err.bad("error:"), dir.display());
        return Err(EXIT_ERROR);
    }
    let mut out = Vec::new();
    let mut said = String::new();
    for np in &plan.namespaces {
        let path = dir.join(format!("{}.yaml", np.namespace));
        let text = render::namespace(plan, np);
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("{} {}: {e}", err.bad("error:"), path.display());
            return Err(EXIT_ERROR);
        }
        said.push_str(&format!(
            "wrote {} ({} {})\n",
            path.display(),
            np.policies.len(),
            if np.policies.len() == 1 {
                "policy"
            } else {
                "policies"
            }
        ));
        out.push((display(&path), text));
    }
    print(&said);
    Ok(out)
}

/// `kubernetes`, `calico`, `cilium`.
fn api_name(api: Api) -> String {
    clap::ValueEnum::to_possible_value(&api).map_or_else(String::new, |v| v.get_name().to_string())
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn port_text(port: Option<(crate::model::Protocol, u16)>) -> String {
    match port {
        Some((p, n)) => format!(" on {p} {n}"),
        None => String::new(),
    }
}

fn failure_line(f: &Failure) -> String {
    format!(
        "    {} → {}{} ({}): {}\n",
        f.src,
        f.dst,
        port_text(f.port),
        f.origin,
        f.why
    )
}

fn extra_line(e: &Extra) -> String {
    format!("    {} → {}: {}\n", e.src, e.dst, e.ports)
}

/// The proof for people.
fn proof_text(plan: &Plan, proof: &Proof, p: &Painter) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "check: the input with the generated policies in place of the {} of {}",
        match plan.api {
            Api::Kubernetes => "NetworkPolicies",
            Api::Calico => "NetworkPolicies and Calico NetworkPolicies",
            Api::Cilium => "NetworkPolicies and CiliumNetworkPolicies",
        },
        plan.covered.join(", ")
    ));
    if proof.replaced.is_empty() {
        out.push_str(" (the input has none there)\n");
    } else {
        out.push_str(&format!(" (replacing {})\n", proof.replaced.join(", ")));
    }
    for problem in &proof.problems {
        out.push_str(&format!("  {} {problem}\n", p.bad("problem:")));
    }
    let pairs = |n: usize| format!("{n} pair{}", if n == 1 { "" } else { "s" });
    if proof.failing.is_empty() {
        out.push_str(&format!(
            "  flows to allow: {}, every one allowed ({} of endpoints and address ranges)\n",
            proof.allow_wants,
            pairs(proof.flows)
        ));
    } else {
        out.push_str(&format!(
            "  flows to allow: {}; {} of {} {}:\n",
            proof.allow_wants,
            pairs(proof.failing.len()),
            proof.flows,
            p.bad("NOT allowed")
        ));
        for f in &proof.failing {
            out.push_str(&failure_line(f));
        }
    }
    if proof.deny_wants > 0 && proof.leaking.is_empty() {
        out.push_str(&format!(
            "  flows to keep denied: {}, every one denied ({})\n",
            proof.deny_wants,
            pairs(proof.denies)
        ));
    } else if proof.deny_wants > 0 {
        out.push_str(&format!(
            "  flows to keep denied: {}; {} of {} {}:\n",
            proof.deny_wants,
            pairs(proof.leaking.len()),
            proof.denies,
            p.bad("ALLOWED")
        ));
        for f in &proof.leaking {
            out.push_str(&failure_line(f));
        }
    }
    if !proof.dns_present {
        out.push_str(&format!(
            "  DNS: the input holds no pod {} in {}: not checked\n",
            crate::fix::generate::plan::labels_text(&plan.dns.labels),
            plan.dns.namespace
        ));
    } else if proof.dns_blocked.is_empty() {
        out.push_str("  DNS: every covered workload reaches the cluster DNS on UDP and TCP 53\n");
    } else {
        out.push_str(&format!(
            "  {} covered workloads that cannot reach the cluster DNS:\n",
            p.warn("DNS:")
        ));
        for b in &proof.dns_blocked {
            out.push_str(&format!("    {b}\n"));
        }
    }
    let mut why: Option<&str> = None;
    if proof.documented.is_empty() {
        out.push_str("  allowed beyond the flows listed, documented: none\n");
    } else {
        out.push_str("  allowed beyond the flows listed, documented:\n");
    }
    for e in &proof.documented {
        if why != Some(e.why.as_str()) {
            out.push_str(&format!("   {}\n", e.why));
            why = Some(&e.why);
        }
        out.push_str(&extra_line(e));
    }
    if proof.undocumented.is_empty() {
        out.push_str("  allowed beyond the flows listed, undocumented: none\n");
    } else {
        out.push_str(&format!(
            "  {}\n",
            p.bad("allowed beyond the flows listed, undocumented:")
        ));
        for e in &proof.undocumented {
            out.push_str(&p.bad(&extra_line(e)).to_string());
        }
    }
    let verdict = if proof.holds() {
        p.good("proven").to_string()
    } else {
        p.bad("NOT proven").to_string()
    };
    out.push_str(&format!(
        "{verdict}: {} pairs of endpoints and address ranges evaluated\n",
        proof.pairs
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::parse_labels;

    #[test]
    fn dns_selector() {
        assert_eq!(
            parse_labels("k8s-app=kube-dns").unwrap(),
            vec![("k8s-app".to_string(), "kube-dns".to_string())]
        );
        assert_eq!(parse_labels("b=2, a=1").unwrap().len(), 2);
        assert!(parse_labels("oops").is_err());
        assert!(parse_labels("").is_err());
    }
}

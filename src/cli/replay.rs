//! `kubectl netpol replay --flows FILE [PATH...]`: what the manifests (the new ones) would
//! drop, or newly let through, of traffic recorded by Hubble or listed in a CSV — against
//! the old manifests (`--old PATH...`, or the same paths at `--base REV`, read as `diff`
//! reads them), or against the verdicts recorded.

use clap::ValueEnum;

use super::diff::load_at_revision;
use super::inputs::{InputArgs, Problems, Session, read_flows};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::engine::replay::replay;
use crate::load::flows::FlowFormat;
use crate::report::replay::{Report, json, markdown, text};
use crate::report::style::{ColorChoice, Painter};

/// Output formats of replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Flows newly denied and newly allowed, by workload pair, and why, for people.
    Text,
    /// The same as data (versioned).
    Json,
    /// A Markdown pull-request comment: counts and tables.
    Md,
    /// SARIF 2.1.0 for code scanning: each changed workload pair at the rule that decides it.
    Sarif,
}

/// Arguments of replay.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Forms:
  kubectl netpol replay --flows FLOWS NEW...                  against the verdicts recorded
  kubectl netpol replay --flows FLOWS --old OLD... --new NEW...
                                                              old manifests against new ones
  kubectl netpol replay --flows FLOWS --base main k8s/        k8s/ at revision main against
                                                              k8s/ in the working tree

FLOWS: the output of `hubble observe -o json` (one JSON object per line; reply flows and
flows without a TCP, UDP or SCTP port are skipped and counted), or a CSV of
`src,dst,port,protocol` (header optional; src and dst as can-reach takes them: ns/pod,
ns/deploy/name, an IP). A Hubble endpoint is the pod or workload of its namespace and pod
name, else of its IP, else the one whose labels its labels include; an IP of no pod, with no
namespace, is an address outside the cluster. Flows that map to nothing are listed, with why.

Without --old or --base, a flow is newly denied when it was FORWARDED (or is a CSV line: it
happens) and the manifests deny it, newly allowed when a policy DROPPED it and they allow it.

Exit status: 0 no flow newly denied, 1 some flow newly denied, 2 usage or input error (a
line of FLOWS that cannot be read is one).")]
pub struct Args {
    /// The new manifests: files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The recorded flows: `hubble observe -o json` output, or a CSV. Repeatable.
    #[arg(long, value_name = "FILE", required = true, value_hint = clap::ValueHint::FilePath)]
    pub flows: Vec<String>,
    /// The old manifests, to compare with instead of the verdicts recorded. Takes several
    /// values.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "base")]
    pub old: Vec<String>,
    /// The new manifests, after --old (as the positional paths). Takes several values.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "old")]
    pub new: Vec<String>,
    /// Compare with the same paths at this git revision (read with git, no checkout).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Loads the old side, when one is asked for: `--old PATH...`, or the new paths at `--base`.
fn load_old(args: &Args, err: &Painter) -> Result<Option<(Session, String)>, u8> {
    if let Some(rev) = &args.base {
        let paths = args.input.paths(&args.paths);
        let old = load_at_revision(
            "--base",
            rev,
            &paths,
            &[],
            &args.input,
            err,
            Problems::Print,
        )?;
        return Ok(Some((old, format!("{} at {rev}", paths.join(" ")))));
    }
    if args.old.is_empty() {
        return Ok(None);
    }
    let mut inputs = args.input.resolve(&[]);
    inputs.paths = args.old.clone();
    inputs.kustomize.clear();
    inputs.live = None;
    let old = inputs.load(err, Problems::Print)?;
    Ok(Some((old, args.old.join(" "))))
}

/// Runs replay.
pub fn run(mut args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    // `--new` paths are the positional ones, written after `--old` takes several values.
    args.paths.extend(std::mem::take(&mut args.new));
    let (files, flow_problems) = match read_flows(&args.flows, &err) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let old = match load_old(&args, &err) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let new = match args.input.resolve(&args.paths).load(&err, Problems::Print) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let outcome = replay(&files, &new.cluster, old.as_ref().map(|(s, _)| &s.cluster));
    let report = Report {
        replay: &outcome,
        cluster: &new.cluster,
        sources: &new.sources,
        flows_label: args.flows.join(", "),
        old_label: old.as_ref().map(|(_, l)| l.clone()),
        new_label: args.input.paths(&args.paths).join(" "),
        csv: files.iter().any(|f| f.format == FlowFormat::Csv),
    };
    let out = match args.output {
        Format::Text => text(&report, &Painter::new(color.stdout())),
        Format::Json => {
            serde_json::to_string_pretty(&json(&report)).expect("JSON values serialize") + "\n"
        }
        Format::Md => markdown(&report),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            let log = crate::report::replay::sarif::sarif(&report, cwd.as_deref());
            serde_json::to_string_pretty(&log).expect("JSON values serialize") + "\n"
        }
    };
    print(&out);
    let errors = flow_problems + new.errors + old.as_ref().map_or(0, |(s, _)| s.errors);
    if errors > 0 {
        EXIT_ERROR
    } else if outcome.newly_denied() > 0 {
        EXIT_NO
    } else {
        EXIT_OK
    }
}

//! `kubectl netpol diff OLD NEW` (or `--old PATH... --new PATH...`, or `--base REV PATH...`):
//! what a change to the manifests opens or closes, and which object change is responsible.

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems, Session};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::engine::diff::Diff;
use crate::lint::rules::new_flow_opened::Baseline;
use crate::load::{self, git};
use crate::model::Cluster;
use crate::report::diff::{Report, json, markdown, text};
use crate::report::style::{ColorChoice, Painter};

/// Output formats of diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Opened, closed and changed connections with their causes, for people.
    Text,
    /// The diff as data (versioned).
    Json,
    /// A Markdown pull-request comment: counts and tables.
    Md,
}

/// Arguments of diff.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Forms:
  kubectl netpol diff OLD NEW                     two files, directories or globs
  kubectl netpol diff --old A B --new C D         several paths a side
  kubectl netpol diff --base main k8s/            k8s/ at revision main (read with git, no
                                                  checkout) against k8s/ in the working tree
--topology PATH (repeatable) is read on both sides: namespaces, workloads, other policies.
-f PATH names the paths of --base; standard input (-) is not a side diff can read.

Connections are compared between pods and workloads matched by namespace, kind and name,
and with the external address ranges of either side. Each change names the object changes
responsible: policies added, removed or edited, and labels (or ports, IPs) of the workloads
and namespaces at either end.

Exit status: 0, or 2 on a usage or input error; with --exit-code, 1 when a connection was
opened, closed or changed.")]
pub struct Args {
    /// OLD and NEW (each a file, directory or glob); with --base, the paths to compare.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The paths of the old side (with --new). Repeatable; takes several values.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "base")]
    pub old: Vec<String>,
    /// The paths of the new side (with --old). Repeatable; takes several values.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "base")]
    pub new: Vec<String>,
    /// Compare the paths as they are in the working tree with the same paths at this git
    /// revision (a branch, a tag, `HEAD~1`, a commit), read with git without a checkout.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Manifests read on both sides (namespaces, workloads, other teams' policies).
    /// Repeatable.
    #[arg(long, value_name = "PATH")]
    pub topology: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Exit with 1 when a connection was opened, closed or changed, 0 when none was (as
    /// `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// The two sides, as resolved from the arguments.
enum Sides {
    /// Two sets of paths.
    Paths { old: Vec<String>, new: Vec<String> },
    /// The same paths at a revision and in the working tree.
    Base { rev: String, paths: Vec<String> },
}

fn sides(args: &Args) -> Result<Sides, String> {
    if let Some(dir) = args.input.kustomize.first() {
        return Err(format!(
            "-k is not taken by diff: render each side first (`kubectl kustomize {dir} > new.yaml`) and compare the files"
        ));
    }
    if let Some(rev) = &args.base {
        let paths = args.input.paths(&args.paths);
        if paths.is_empty() {
            return Err(format!(
                "--base {rev} compares paths with themselves at {rev}: give the paths (files, directories or globs)"
            ));
        }
        return Ok(Sides::Base {
            rev: rev.clone(),
            paths,
        });
    }
    if !args.input.filenames.is_empty() {
        return Err(
            "-f names the paths compared with --base REV; without --base give OLD NEW, or --old PATH... --new PATH..."
                .into(),
        );
    }
    if !args.old.is_empty() || !args.new.is_empty() {
        if args.old.is_empty() || args.new.is_empty() {
            return Err("--old and --new go together: give the paths of both sides".into());
        }
        if !args.paths.is_empty() {
            return Err(format!(
                "unexpected {}: with --old and --new, every path belongs to one of them",
                args.paths.join(" ")
            ));
        }
        return Ok(Sides::Paths {
            old: args.old.clone(),
            new: args.new.clone(),
        });
    }
    match args.paths.as_slice() {
        [old, new] => Ok(Sides::Paths {
            old: vec![old.clone()],
            new: vec![new.clone()],
        }),
        [] => Err(
            "nothing to compare: give OLD NEW, --old PATH... --new PATH..., or --base REV PATH..."
                .into(),
        ),
        [_] => Err(
            "give the new side too: OLD NEW (or --base REV PATH to compare with a git revision)"
                .into(),
        ),
        _ => Err(format!(
            "{} paths: give OLD NEW, or --old PATH... --new PATH... for several paths a side",
            args.paths.len()
        )),
    }
}

/// Loads `paths` as they were at `rev` (read with git), with `topology` read from the working
/// tree; `flag` names the option in messages. Problems are printed (or kept) as for any input; paths missing at `rev` are listed
/// with `-v`. Err: the exit status (the message is printed).
pub fn load_at_revision(
    flag: &str,
    rev: &str,
    paths: &[String],
    topology: &[String],
    input: &InputArgs,
    painter: &Painter,
    mode: Problems,
) -> Result<Session, u8> {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "{} cannot read the current directory: {e}",
                painter.bad("error:")
            );
            return Err(EXIT_ERROR);
        }
    };
    let at = match git::read_at(rev, paths, &cwd) {
        Ok(at) => at,
        Err(e) => {
            eprintln!("{} {flag} {rev}: {e}", painter.bad("error:"));
            return Err(EXIT_ERROR);
        }
    };
    if input.verbose {
        for m in &at.missing {
            eprintln!(
                "{} {m}: not at {rev}: that side has no such file",
                painter.dim("input:")
            );
        }
    }
    let (mut files, mut problems) = (at.files, at.problems);
    if !topology.is_empty() {
        let (more, more_problems) = load::read_inputs(topology);
        files.extend(more);
        problems.extend(more_problems);
    }
    let inputs = input.resolve(&[]);
    let loaded = load::load_files(files, problems, &inputs.load);
    Ok(inputs.session(loaded, painter, mode))
}

/// The baseline of `check --baseline REV`: the checked `paths` at `rev` (with `topology` from
/// the working tree) diffed against the checked cluster. Problems of the input at `rev` are
/// not findings (they are history); they are summed up in a warning, as what could not be
/// read there counts as new. Err: the exit status (the message is printed).
pub fn baseline(
    rev: &str,
    paths: &[String],
    topology: &[String],
    input: &InputArgs,
    checked: &Cluster,
    painter: &Painter,
) -> Result<Baseline, u8> {
    let old = load_at_revision(
        "--baseline",
        rev,
        paths,
        topology,
        input,
        painter,
        Problems::Keep,
    )?;
    if !old.problems.is_empty() {
        eprintln!(
            "{} --baseline {rev}: {} problem{} reading the manifests at {rev}; what could not be read there counts as new",
            painter.warn("warning:"),
            old.problems.len(),
            if old.problems.len() == 1 { "" } else { "s" }
        );
    }
    Ok(Baseline {
        revision: rev.to_string(),
        diff: Diff::compute(&old.cluster, checked),
        old_sources: old.sources,
    })
}

fn load_paths(paths: &[String], topology: &[String], args: &Args, painter: &Painter) -> Session {
    let all: Vec<String> = paths.iter().chain(topology).cloned().collect();
    let inputs = args.input.resolve(&[]);
    let loaded = load::load(&all, &inputs.load);
    inputs.session(loaded, painter, Problems::Print)
}

/// Loads both sides, with their labels.
fn load_sides(
    sides: &Sides,
    args: &Args,
    err: &Painter,
) -> Result<(Session, Session, String, String), u8> {
    Ok(match sides {
        Sides::Paths { old, new } => (
            load_paths(old, &args.topology, args, err),
            load_paths(new, &args.topology, args, err),
            old.join(" "),
            new.join(" "),
        ),
        Sides::Base { rev, paths } => {
            let old = load_at_revision(
                "--base",
                rev,
                paths,
                &args.topology,
                &args.input,
                err,
                Problems::Print,
            )?;
            let new = load_paths(paths, &args.topology, args, err);
            (old, new, rev.clone(), "working tree".to_string())
        }
    })
}

/// Runs diff.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let sides = match sides(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{} {e}", err.bad("error:"));
            return EXIT_ERROR;
        }
    };
    let (mut old, mut new, old_label, new_label) = match load_sides(&sides, &args, &err) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // A cluster runs one plugin: when the sides' policy kinds point to different ones (Cilium
    // policies added to a cluster of NetworkPolicies), both are read as the plugin that one
    // side names, so the diff is about the change, not about a switch of plugin.
    if args.input.cni.is_none() && old.cluster.cni != new.cluster.cni {
        use crate::model::Cni;
        let cni = match (old.cluster.cni, new.cluster.cni) {
            (Cni::Kubernetes, other) | (other, Cni::Kubernetes) => other,
            (a, b) => {
                eprintln!(
                    "{} the old side holds {} objects and the new side {} objects: a cluster runs one network plugin; say which with --cni",
                    err.bad("error:"),
                    a.as_str(),
                    b.as_str()
                );
                return EXIT_ERROR;
            }
        };
        let mut args = args.clone();
        args.input.cni = Some(cni);
        (old, new) = match load_sides(&sides, &args, &err) {
            Ok((o, n, _, _)) => (o, n),
            Err(code) => return code,
        };
    }
    let diff = Diff::compute(&old.cluster, &new.cluster);
    let report = Report {
        diff: &diff,
        old: &old.sources,
        new: &new.sources,
        old_label,
        new_label,
    };
    let out = match args.output {
        Format::Text => text::render(&report, &Painter::new(color.stdout())),
        Format::Json => {
            serde_json::to_string_pretty(&json::render(&report)).unwrap_or_else(|_| "{}".into())
                + "\n"
        }
        Format::Md => markdown::render(&report),
    };
    print(&out);
    if old.errors + new.errors > 0 {
        EXIT_ERROR
    } else if args.exit_code && !diff.is_empty() {
        EXIT_NO
    } else {
        EXIT_OK
    }
}

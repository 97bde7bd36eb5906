//! `kubectl netpol check [PATH...]`: the rule catalogue, for CI and pre-commit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::lint::config::{Config, FailOn};
use crate::lint::expect::{self, Expectation};
use crate::lint::{Context, RunOptions, Severity, run as run_rules};
use crate::load::discover;
use crate::load::source::{SourceFile, SourceMap};
use crate::report::check::{Counts, github, json, render_attachments, sarif, text};
use crate::report::style::{ColorChoice, Painter};

/// Output formats of check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Reports with snippets, for people.
    Text,
    /// One versioned JSON document, for scripts.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions annotations (and a job summary table when $GITHUB_STEP_SUMMARY is set).
    Github,
}

/// The lowest severity `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Everything.
    Info,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Error => Severity::Error,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Info => Severity::Info,
        }
    }
}

/// Arguments of check.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Configuration: .netpol.yaml (or .netpol.yml), looked for from the working directory upwards,
or --config. `kubectl netpol rules` lists the rules; `kubectl netpol rules NAME` documents one.
Silence rules on one object with the annotation netpol.kubectl.dev/ignore: \"NAME,NAME\".
Expectations (--expect FILE, or `expectations:` in the configuration) are a YAML list of
{from, to, port, expect: allow|deny}; every (from, to) pair must meet its expectation.

Exit status: every non-zero status says why in one line on standard error.
  0  no finding at or above --fail-on
  1  findings at or above --fail-on, whatever --quiet shows: rules, expectations, and objects
     the API server would reject (bad values, and unknown, missing or mistyped fields:
     such an object is left out of the analysis, as the cluster would refuse it)
  2  the check could not be run over the whole input, whatever --fail-on and the rule
     configuration say: a usage error, a path that cannot be read, a file that is not YAML
     or JSON, a document that names no kind, a bad configuration or expectations file (and
     with --strict, what the model does not evaluate)")]
pub struct Args {
    /// Manifest files, directories or globs to check (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Manifests read for topology (pods, namespaces, other policies) but not checked
    /// themselves: with pre-commit, pass the rest of the repository here. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub topology: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// The lowest severity that fails the run [default: warning, or `fail-on` in the config].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only findings at or above this severity: the others are left out of the
    /// output, the summary and the exit status [default: info, or `min-severity` in the
    /// config].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,
    /// Show only the errors and the summary; the exit status is unchanged (findings not shown
    /// still fail the run as --fail-on says).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// The configuration file (instead of looking for .netpol.yaml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// The input is the whole cluster (a dump; implied by --from-cluster): findings about
    /// what changes nothing may rest on what the input holds. Without it the input is taken
    /// as part of a cluster (a team's repository): namespaces it declares are complete, any
    /// other may exist with any pods, and such findings must hold in every cluster the input
    /// can be part of. Config key `closed-world`.
    #[arg(long)]
    pub closed_world: bool,
    /// A file of connectivity expectations (a YAML list of {from, to, port, expect});
    /// repeatable.
    #[arg(long = "expect", value_name = "FILE")]
    pub expect: Vec<PathBuf>,
    /// Also report every flow the checked paths allow that they did not allow at this git
    /// revision (`main`, `HEAD~1`...; read with git, no checkout): new-flow-opened, NP701.
    #[arg(long, value_name = "REV")]
    pub baseline: Option<String>,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs check.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let mut positional = args.paths.clone();
    positional.extend(args.topology.iter().cloned());
    let mut inputs = args.input.resolve(&positional);
    inputs.build.described_targets = described_in_expectations(&args);
    let mut session = match inputs.load(&err, Problems::Keep) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut sources = session.sources;
    let topology_files = topology_files(&args, &sources);
    let checked = sources.files().len() - topology_files.len();
    let config = match load_config(&args, &mut sources, &err) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if config.strict == Some(true) && !inputs.strict {
        super::inputs::make_strict(&mut session.cluster, &mut session.problems);
    }
    let mut expectations: Vec<Expectation> = config.expectations.clone();
    let mut bad_expectations = false;
    for path in &args.expect {
        match expect::load_file(&mut sources, path) {
            Ok(list) => expectations.extend(list),
            Err(problems) => {
                for p in problems {
                    eprintln!("{} {}", err.bad("error:"), p.render(&sources));
                }
                bad_expectations = true;
            }
        }
    }
    if bad_expectations {
        return EXIT_ERROR;
    }
    for p in session.problems.iter().filter(|p| p.span.is_none()) {
        eprintln!("{} {}", err.bad("error:"), p.message);
    }
    let baseline = match &args.baseline {
        Some(rev) => {
            let paths = args.input.paths(&args.paths);
            let (cluster, topology) = (&session.cluster, &args.topology);
            match super::diff::baseline(rev, &paths, topology, &args.input, cluster, &err) {
                Ok(b) => Some(b),
                Err(code) => return code,
            }
        }
        None => None,
    };
    let mut cx = Context::new(&session.cluster, &sources, &session.problems);
    cx.baseline = baseline.as_ref();
    cx.default_namespace = args.input.namespace();
    cx.expectations = &expectations;
    cx.world = if args.closed_world
        || config.closed_world == Some(true)
        || args.input.cluster.from_cluster
    {
        crate::lint::World::Closed
    } else {
        crate::lint::World::Open
    };
    let mut findings = run_rules(&cx, &config, &RunOptions { topology_files });
    drop(cx);
    let min_severity = args
        .min_severity
        .map(MinSeverity::severity)
        .or(config.min_severity)
        .unwrap_or(Severity::Info);
    findings.retain(|f| f.severity >= min_severity);
    render_attachments(&mut findings, &session.cluster, &sources);
    let counts = Counts::of(&findings);
    let summary = format!(
        "{} ({checked} file{} checked)",
        counts.summary(),
        if checked == 1 { "" } else { "s" }
    );
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    // --quiet shows the errors and the summary of everything.
    let shown: Vec<&crate::lint::Finding> = findings
        .iter()
        .filter(|f| !args.quiet || f.severity == Severity::Error)
        .collect();
    let out = match args.output {
        Format::Text => {
            let painter = Painter::new(color.stdout());
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            let mut out = text::render(&shown, &sources, painter.color, 100);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&text::summary(&findings, &summary));
            out
        }
        Format::Json => pretty(&json::render(&findings, &shown, &sources, checked)),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            pretty(&sarif::render(&shown, &sources, cwd.as_deref()))
        }
        Format::Github => {
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let table = github::step_summary(&shown, &sources, &summary);
                if let Err(e) = append(Path::new(&path), &table) {
                    eprintln!(
                        "{} cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                        err.bad("warning:"),
                        Path::new(&path).display()
                    );
                }
            }
            github::render(&shown, &sources, &summary)
        }
    };
    print(&out);
    // Problems inside an object of a known kind (an unknown, missing or mistyped field) are
    // findings of `invalid-manifest`: the API server would refuse that object, the analysis
    // leaves it out as the cluster would. The others leave part of the input unread.
    let unread: Vec<&crate::load::Problem> =
        session.problems.iter().filter(|p| !p.in_object).collect();
    if let Some(first) = unread.first() {
        let more = match unread.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        eprintln!(
            "{} the input cannot be checked in full: {}{more} (exit status 2, whatever --fail-on says)",
            err.bad("error:"),
            first.render(&sources)
        );
        return EXIT_ERROR;
    }
    let failing = Counts::of_severities(
        findings
            .iter()
            .map(|f| f.severity)
            .filter(|&s| fail_on.fails(s)),
    );
    let n = failing.errors + failing.warnings + failing.infos;
    if n == 0 {
        return EXIT_OK;
    }
    eprintln!(
        "{} {n} finding{} at or above --fail-on {} ({}; exit status 1)",
        err.bad("failed:"),
        if n == 1 { "" } else { "s" },
        fail_on_name(fail_on),
        failing.found()
    );
    EXIT_NO
}

/// `error`, `warning`, `info`, as --fail-on takes it.
fn fail_on_name(f: FailOn) -> &'static str {
    match f {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Info => "info",
        FailOn::Never => "never",
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// Files that came only from `--topology` inputs.
fn topology_files(args: &Args, sources: &SourceMap) -> HashSet<crate::base::span::FileId> {
    let expand = |inputs: &[String]| -> HashSet<PathBuf> {
        inputs
            .iter()
            .filter_map(|i| discover::expand(i).ok())
            .flatten()
            .filter_map(|i| i.path().map(Path::to_path_buf))
            .collect()
    };
    let topology = expand(&args.topology);
    if topology.is_empty() {
        return HashSet::new();
    }
    let mut linted = args.paths.clone();
    linted.extend(args.input.filenames.iter().cloned());
    let linted = expand(&linted);
    sources
        .files()
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.path
                .as_ref()
                .is_some_and(|p| topology.contains(p) && !linted.contains(p))
        })
        .map(|(i, _)| crate::base::span::FileId(i as u32))
        .collect()
}

/// Pods the expectations describe by namespace and labels (`ingress-nginx{app=controller}` as
/// a `from` or `to` name): they are added to the cluster, as `can-reach` adds them. Files
/// that do not read are left for the run proper to report.
fn described_in_expectations(args: &Args) -> Vec<(String, crate::model::Labels)> {
    let mut scratch = SourceMap::default();
    let mut names: Vec<String> = Vec::new();
    let mut take = |list: &[Expectation]| {
        for e in list {
            for side in [&e.from, &e.to] {
                if let expect::Selector::Name(n) = &side.selector {
                    names.push(n.clone());
                }
            }
        }
    };
    for path in &args.expect {
        if let Ok(list) = expect::load_file(&mut scratch, path) {
            take(&list);
        }
    }
    if let Ok(config) = load_config_quietly(args, &mut scratch) {
        take(&config.expectations);
    }
    let mut out: Vec<(String, crate::model::Labels)> = names
        .iter()
        .filter_map(|n| crate::engine::target::parse_described(n)?.ok())
        .collect();
    out.dedup();
    out
}

/// The configuration, read without a word: the run proper reads it again and reports.
fn load_config_quietly(args: &Args, scratch: &mut SourceMap) -> Result<Config, ()> {
    if args.no_config {
        return Err(());
    }
    let path = match &args.config {
        Some(p) => p.clone(),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| Config::discover(&d))
            .ok_or(())?,
    };
    let text = std::fs::read_to_string(&path).map_err(|_| ())?;
    let id = scratch.add(SourceFile::new(
        path.display().to_string(),
        Some(path.clone()),
        text.clone(),
    ));
    Config::parse(id, &text, &path).map_err(|_| ())
}

fn load_config(args: &Args, sources: &mut SourceMap, err: &Painter) -> Result<Config, u8> {
    load_config_file(args.config.as_deref(), args.no_config, sources, err)
}

/// The configuration of check: `config` when given, none with `no_config`, else the
/// .netpol.yaml found from the working directory upwards (or the default). Its file is added
/// to `sources`. Err: the exit status, the problem printed.
pub fn load_config_file(
    config: Option<&Path>,
    no_config: bool,
    sources: &mut SourceMap,
    err: &Painter,
) -> Result<Config, u8> {
    if no_config {
        return Ok(Config::default());
    }
    let path = match config {
        Some(p) => p.to_path_buf(),
        None => match std::env::current_dir()
            .ok()
            .and_then(|d| Config::discover(&d))
        {
            Some(p) => p,
            None => return Ok(Config::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "{} {}: cannot read the configuration: {e}",
                err.bad("error:"),
                path.display()
            );
            return Err(EXIT_ERROR);
        }
    };
    let id = sources.add(SourceFile::new(
        path.display().to_string(),
        Some(path.clone()),
        text.clone(),
    ));
    Config::parse(id, &text, &path).map_err(|problems| {
        for p in problems {
            eprintln!("{} {}", err.bad("error:"), p.render(sources));
        }
        EXIT_ERROR
    })
}

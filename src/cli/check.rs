//! `kubectl netpol check [PATH...]`: the rule catalogue, for CI and pre-commit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::check_fix::Expectations;
use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_NO, EXIT_OK, print};
use crate::base::edit::FileChange;
use crate::lint::apply::{self, Candidate, Hooks, Outcome, State};
use crate::lint::config::{Config, FailOn};
use crate::lint::expect::{self, Expectation};
use crate::lint::{Context, RunOptions, Severity, run as run_rules};
use crate::load::discover;
use crate::load::source::{SourceFile, SourceMap};
use crate::report::check::{
    Counts, fixable_line, fixed_line, github, json, render_attachments, sarif, text,
};
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

Fixes: a finding marked [*] has a fix --fix applies; `fix (unsafe)` ones need --unsafe-fixes
too. Every fix is verified on the text it writes: a fix that is not meant to change connections
must change none, and no fix may make the input unreadable; a fix that fails is not applied,
and a warning says why. --diff shows the fixes without writing.

Exit status: every non-zero status says why in one line on standard error.
  0  no finding at or above --fail-on (after --fix, of what is left; with --diff: no fix to
     apply)
  1  findings at or above --fail-on, whatever --quiet shows: rules, expectations, and objects
     the API server would reject (bad values, and unknown, missing or mistyped fields:
     such an object is left out of the analysis, as the cluster would refuse it); with
     --diff: fixes to apply
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
    /// Apply the safe fixes of the findings to the files (and the unsafe ones with
    /// --unsafe-fixes), each verified first, then report what is left. Comments and layout
    /// are kept: only the changed lines differ. Not for standard input, -k or --from-cluster.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the fixes --fix would apply as a unified diff (for `git apply`), and write
    /// nothing: exit status 1 when there is a diff, 0 when there is none.
    #[arg(long)]
    pub diff: bool,
    /// Also apply the unsafe fixes, which guess at the intent (a label one typo away) or
    /// change what is allowed on purpose (enforcing ignored rules; a failing --expect
    /// expectation, fixed with can-reach's fixer and verified against every expectation),
    /// and count them as fixable.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// What check reads before it runs the rules: the inputs, the configuration, the
/// expectations, the baseline.
struct Prepared {
    /// How the inputs were read and built (again for each round of fixes).
    inputs: super::inputs::Inputs,
    /// The cluster.
    cluster: crate::model::Cluster,
    /// The problems of the input.
    problems: Vec<crate::load::Problem>,
    /// The manifests, then the configuration and expectation files.
    sources: SourceMap,
    /// How many of `sources` are manifests (the first ones).
    manifests: usize,
    /// Files read for topology only.
    topology_files: HashSet<crate::base::span::FileId>,
    /// How many files are checked.
    checked: usize,
    /// The configuration.
    config: Config,
    /// Every expectation.
    expectations: Vec<Expectation>,
    /// What --baseline compares with.
    baseline: Option<crate::lint::rules::new_flow_opened::Baseline>,
    /// Open or closed world.
    world: crate::lint::World,
    /// The lowest severity reported.
    min_severity: Severity,
}

impl Prepared {
    /// The findings of a state of the manifests (the configuration and expectation files
    /// after them, as they were read), at or above --min-severity.
    fn findings(
        &self,
        args: &Args,
        cluster: &crate::model::Cluster,
        sources: &SourceMap,
        problems: &[crate::load::Problem],
        baseline: bool,
    ) -> Vec<crate::lint::Finding> {
        self.findings_with(args, cluster, sources, problems, baseline, false)
    }

    /// [`Prepared::findings`]; `expectation_fixes`: with the fixes of failing expectations
    /// (NP501) attached, or a note saying why there is none (see [`super::check_fix`]).
    fn findings_with(
        &self,
        args: &Args,
        cluster: &crate::model::Cluster,
        sources: &SourceMap,
        problems: &[crate::load::Problem],
        baseline: bool,
        expectation_fixes: bool,
    ) -> Vec<crate::lint::Finding> {
        let mut cx = Context::new(cluster, sources, problems);
        cx.baseline = self.baseline.as_ref().filter(|_| baseline);
        cx.default_namespace = args.input.namespace();
        cx.expectations = &self.expectations;
        cx.world = self.world;
        let opts = RunOptions {
            topology_files: self.topology_files.clone(),
        };
        let mut findings = run_rules(&cx, &self.config, &opts);
        findings.retain(|f| f.severity >= self.min_severity);
        if expectation_fixes && sources.files().len() >= self.manifests {
            self.expectation_fixer(args)
                .attach(&cx, self.manifests, &mut findings);
        }
        findings
    }

    /// The fixer of failing expectations.
    fn expectation_fixer<'a>(&'a self, args: &'a Args) -> Expectations<'a> {
        Expectations::new(
            &self.expectations,
            &self.sources,
            args.input.namespace(),
            self.world,
            &self.inputs.load,
            &self.inputs.build,
        )
    }
}

/// Runs check.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let fixing = args.fix || args.diff;
    if fixing && let Err(code) = refuse_unwritable_inputs(&args, &err) {
        return code;
    }
    let mut prepared = match prepare(&args, &err, true) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut fixed = None;
    if fixing {
        if let Some(first) = prepared.problems.iter().find(|p| !p.in_object) {
            eprintln!(
                "{} the input cannot be read in full, so its fixes cannot be verified: {} (exit status 2; nothing is fixed)",
                err.bad("error:"),
                first.render(&prepared.sources)
            );
            return EXIT_ERROR;
        }
        let outcome = fix(&args, &prepared);
        for r in &outcome.refused {
            eprintln!("{} {}", err.warn("warning:"), r.line());
        }
        if outcome.unfinished {
            eprintln!(
                "{} fixes were still found after {} rounds: run check --fix again",
                err.warn("warning:"),
                crate::lint::apply::MAX_ROUNDS
            );
        }
        if args.diff {
            return show_diff(&args, &prepared, &outcome, &err);
        }
        if let Err(e) = write_changes(&outcome.changes) {
            eprintln!("{} {e}", err.bad("error:"));
            return EXIT_ERROR;
        }
        if !outcome.changes.is_empty() {
            // What is left is what `check` says of the files as written.
            prepared = match prepare(&args, &err, false) {
                Ok(p) => p,
                Err(code) => return code,
            };
        }
        fixed = Some(outcome.applied.len());
    }
    report(&args, prepared, color, &err, fixed)
}

/// --fix and --diff edit files: not standard input, a kustomization's output or the live
/// cluster. Err: the exit status, the reason printed.
fn refuse_unwritable_inputs(args: &Args, err: &Painter) -> Result<(), u8> {
    let flag = if args.fix { "--fix" } else { "--diff" };
    let stdin = args
        .input
        .paths(&args.paths)
        .iter()
        .chain(&args.topology)
        .any(|p| p == "-");
    let why = if stdin && args.fix {
        "standard input (-f -) cannot be written back: give the files"
    } else if !args.input.kustomize.is_empty() {
        "-k renders a kustomization, whose output is not a file to edit: give the files it reads"
    } else if args.input.cluster.from_cluster {
        "--from-cluster reads the live cluster, which check does not change: give the files it was applied from"
    } else {
        return Ok(());
    };
    eprintln!("{} {flag}: {why}", err.bad("error:"));
    Err(EXIT_ERROR)
}

/// Reads everything the rules need. `loud`: print what only needs saying once (input
/// problems with no place).
fn prepare(args: &Args, err: &Painter, loud: bool) -> Result<Prepared, u8> {
    let mut positional = args.paths.clone();
    positional.extend(args.topology.iter().cloned());
    let mut inputs = args.input.resolve(&positional);
    inputs.build.described_targets = described_in_expectations(args);
    let mut session = inputs.load(err, Problems::Keep)?;
    let mut sources = session.sources;
    let manifests = sources.files().len();
    let topology_files = topology_files(args, &sources);
    let checked = sources.files().len() - topology_files.len();
    let config = load_config(args, &mut sources, err)?;
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
        return Err(EXIT_ERROR);
    }
    for p in session.problems.iter().filter(|p| loud && p.span.is_none()) {
        eprintln!("{} {}", err.bad("error:"), p.message);
    }
    let baseline = match &args.baseline {
        Some(rev) => {
            let paths = args.input.paths(&args.paths);
            let (cluster, topology) = (&session.cluster, &args.topology);
            Some(super::diff::baseline(
                rev,
                &paths,
                topology,
                &args.input,
                cluster,
                err,
            )?)
        }
        None => None,
    };
    let world = if args.closed_world
        || config.closed_world == Some(true)
        || args.input.cluster.from_cluster
    {
        crate::lint::World::Closed
    } else {
        crate::lint::World::Open
    };
    let min_severity = args
        .min_severity
        .map(MinSeverity::severity)
        .or(config.min_severity)
        .unwrap_or(Severity::Info);
    Ok(Prepared {
        inputs,
        cluster: session.cluster,
        problems: session.problems,
        sources,
        manifests,
        topology_files,
        checked,
        config,
        expectations,
        baseline,
        world,
        min_severity,
    })
}

/// Applies the fixes of the findings in rounds, each verified (see [`crate::lint::apply`]).
fn fix(args: &Args, prepared: &Prepared) -> Outcome {
    let mut manifests = SourceMap::default();
    for f in &prepared.sources.files()[..prepared.manifests] {
        manifests.add(SourceFile::new(
            f.name.clone(),
            f.path.clone(),
            f.text.clone(),
        ));
    }
    let (load, build) = (&prepared.inputs.load, &prepared.inputs.build);
    let first = State::load(&manifests, load, build);
    let opts = apply::Options {
        unsafe_fixes: args.unsafe_fixes,
        max_rounds: apply::MAX_ROUNDS,
        load,
        build,
    };
    let extras = &prepared.sources.files()[prepared.manifests..];
    // Failing expectations: fixed with the can-reach fixer (unsafe fixes, changing
    // connections on purpose), every round verified against every expectation.
    let expectations = prepared.expectation_fixer(args);
    let mut propose_expectations = |state: &State| expectations.candidates(state);
    let verify = |before: &State, after: &crate::fix::verify::Patched, batch: &[&Candidate]| {
        expectations.verify(before, after, batch)
    };
    let hooks = if expectations.is_empty() {
        Hooks::default()
    } else {
        Hooks {
            propose_changing: args
                .unsafe_fixes
                .then_some(&mut propose_expectations as apply::Propose),
            verify: Some(&verify),
        }
    };
    apply::run_with(
        first,
        &opts,
        |state| {
            if state.sources.files().len() != prepared.manifests {
                // A fix made a file: the configuration's ids would move. None does yet.
                return Vec::new();
            }
            let mut sources = apply::copy(&state.sources);
            for f in extras {
                sources.add(SourceFile::new(
                    f.name.clone(),
                    f.path.clone(),
                    f.text.clone(),
                ));
            }
            prepared
                .findings(args, &state.cluster, &sources, &state.problems, false)
                .iter()
                .filter_map(Candidate::of)
                .collect()
        },
        hooks,
    )
}

/// --diff: the unified diff of the fixes on standard output, how many on standard error;
/// exit status 1 when there is a diff.
fn show_diff(args: &Args, prepared: &Prepared, outcome: &Outcome, err: &Painter) -> u8 {
    // `a/policies/np.yaml`, not `a/./policies/np.yaml`: as git names them.
    let changes: Vec<FileChange> = outcome
        .changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            while let Some(rest) = c.name.strip_prefix("./") {
                c.name = rest.to_string();
            }
            c
        })
        .collect();
    print(&crate::report::patch::unified(&changes));
    let n = outcome.applied.len();
    let mut line = format!("{n} fix{} would be applied", if n == 1 { "" } else { "es" });
    if !args.unsafe_fixes {
        let sources = {
            let mut s = apply::copy(&outcome.state.sources);
            for f in &prepared.sources.files()[prepared.manifests..] {
                s.add(SourceFile::new(
                    f.name.clone(),
                    f.path.clone(),
                    f.text.clone(),
                ));
            }
            s
        };
        let state = &outcome.state;
        let left = prepared.findings_with(
            args,
            &state.cluster,
            &sources,
            &state.problems,
            false,
            state.sources.files().len() == prepared.manifests,
        );
        let (_, hidden) = crate::report::check::fixable(&left, false);
        if hidden > 0 {
            line.push_str(&format!(" ({hidden} more with --unsafe-fixes)"));
        }
    }
    if let Some(diff) = &outcome.diff {
        let c = diff.counts();
        let n = diff.connections.len();
        if n > 0 {
            line.push_str(&format!(
                "; {} {n} connection{} ({} opened, {} closed, {} changed): `kubectl netpol diff` says which",
                if outcome.applied.len() == 1 { "it changes" } else { "they change" },
                if n == 1 { "" } else { "s" },
                c.opened,
                c.closed,
                c.changed
            ));
        }
    }
    eprintln!("{} {line}", err.dim("note:"));
    if outcome.changes.is_empty() {
        EXIT_OK
    } else {
        EXIT_NO
    }
}

/// Writes each changed file: through a temporary file in its directory, renamed over it
/// (so that a reader never sees half a file), keeping its permissions and its byte order
/// mark. Every file is checked first: when one changed since it was read (or is not UTF-8
/// on disk), none is written.
fn write_changes(changes: &[FileChange]) -> Result<(), String> {
    let mut writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for c in changes {
        let Some(path) = &c.path else {
            return Err(format!("{}: not a file, cannot be written", c.name));
        };
        // Write where a symbolic link points, keeping the link.
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let bytes = std::fs::read(&target).unwrap_or_default();
        let mark: &[u8] = b"\xEF\xBB\xBF";
        let (bom, on_disk) = match bytes.strip_prefix(mark) {
            Some(rest) => (true, rest),
            None => (false, &bytes[..]),
        };
        if c.file.is_some() && on_disk != c.before.as_bytes() {
            return Err(format!(
                "{}: it changed since it was read, or is not UTF-8 on disk: nothing was written (run check --fix again)",
                c.name
            ));
        }
        let mut text = Vec::with_capacity(c.after.len() + 3);
        if bom {
            text.extend_from_slice(mark);
        }
        text.extend_from_slice(c.after.as_bytes());
        writes.push((target, text));
    }
    for ((target, text), c) in writes.iter().zip(changes) {
        write_atomically(target, text).map_err(|e| format!("{}: cannot write: {e}", c.name))?;
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.netpol-fix-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Runs the rules and reports: the findings in the chosen format, the summary, the exit
/// status. `fixed`: how many findings `--fix` fixed, when it ran.
fn report(
    args: &Args,
    prepared: Prepared,
    color: ColorChoice,
    err: &Painter,
    fixed: Option<usize>,
) -> u8 {
    let sources = &prepared.sources;
    let (cluster, problems) = (&prepared.cluster, &prepared.problems);
    // Finding an expectation's fix searches and verifies a change: only when fixes are asked
    // about.
    let expectation_fixes = args.fix || args.diff || args.unsafe_fixes;
    let mut findings =
        prepared.findings_with(args, cluster, sources, problems, true, expectation_fixes);
    render_attachments(&mut findings, cluster, sources);
    let counts = Counts::of(&findings);
    let checked = prepared.checked;
    let summary = format!(
        "{} ({checked} file{} checked)",
        counts.summary(),
        if checked == 1 { "" } else { "s" }
    );
    let fail_on = args
        .fail_on
        .or(prepared.config.fail_on)
        .unwrap_or(FailOn::Warning);
    // --quiet shows the errors and the summary of everything.
    let shown: Vec<&crate::lint::Finding> = findings
        .iter()
        .filter(|f| !args.quiet || f.severity == Severity::Error)
        .collect();
    let fixed_line = fixed.map(|n| fixed_line(n, &findings, args.unsafe_fixes));
    let out = match args.output {
        Format::Text => {
            let painter = Painter::new(color.stdout());
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            let mut out = text::render(&shown, sources, painter.color, 100, args.unsafe_fixes);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&text::summary(&findings, &summary));
            // After --fix, what was fixed and what is left; else what --fix would fix (not
            // with --quiet: the errors and the summary only).
            let last = match &fixed_line {
                Some(line) => Some(line.clone()),
                None if args.quiet => None,
                None => fixable_line(&findings, args.unsafe_fixes),
            };
            if let Some(line) = last {
                out.push_str(&line);
                out.push('\n');
            }
            out
        }
        Format::Json => pretty(&json::render(
            &findings,
            &shown,
            sources,
            checked,
            fixed.filter(|_| args.fix),
        )),
        Format::Sarif => {
            let cwd = std::env::current_dir().ok();
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            pretty(&sarif::render(&shown, sources, cwd.as_deref()))
        }
        Format::Github => {
            let shown: Vec<crate::lint::Finding> = shown.into_iter().cloned().collect();
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let table = github::step_summary(&shown, sources, &summary);
                if let Err(e) = append(Path::new(&path), &table) {
                    eprintln!(
                        "{} cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                        err.bad("warning:"),
                        Path::new(&path).display()
                    );
                }
            }
            github::render(&shown, sources, &summary)
        }
    };
    print(&out);
    if let Some(line) = fixed_line.filter(|_| args.output != Format::Text) {
        eprintln!("{line}");
    }
    // Problems inside an object of a known kind (an unknown, missing or mistyped field) are
    // findings of `invalid-manifest`: the API server would refuse that object, the analysis
    // leaves it out as the cluster would. The others leave part of the input unread.
    let unread: Vec<&crate::load::Problem> = problems.iter().filter(|p| !p.in_object).collect();
    if let Some(first) = unread.first() {
        let more = match unread.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        eprintln!(
            "{} the input cannot be checked in full: {}{more} (exit status 2, whatever --fail-on says)",
            err.bad("error:"),
            first.render(sources)
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

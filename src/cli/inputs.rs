//! Input flags shared by every command, resolved once ([`InputArgs::resolve`]) into
//! [`Inputs`] — what to read and how to build the cluster — and loaded into a [`Session`].
//! Commands see the resolved inputs only, as ripgrep's commands see its resolved
//! configuration rather than the flags as typed.
//!
//! Input problems and policies the API server would reject are printed on standard error as
//! `error: file:line:col: path: message`; the command still answers from the rest of the
//! input, and then exits 2. What the model does not evaluate is printed as `warning:`, or,
//! with `--strict`, as an error too ([`make_strict`]).

use clap::Args;

use crate::load::source::SourceMap;
use crate::load::{self, LoadOptions, Loaded, Outcome, Problem, kustomize};
use crate::model::validate::Violation;
use crate::model::{
    BuildOptions, CiliumEnforcement, Cluster, Cni, IsolationModel, NotApplied, calico, cilium,
    validate,
};
use crate::report::style::Painter;

/// Where manifests come from.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// A manifest file, directory (read recursively), glob, or - for standard input.
    /// Repeatable; positional paths are read too.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<String>,
    /// A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k`
    /// does (kubectl must be on PATH). Repeatable; read before the other paths.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub kustomize: Vec<String>,
    /// Turn warnings about what is not evaluated (other plugins' policy kinds, a
    /// kustomization read as plain files, every `warning:` about the input) into errors:
    /// exit status 2. Config key `strict` for check.
    #[arg(long)]
    pub strict: bool,
    /// Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "512M", value_parser = input_size, value_hint = clap::ValueHint::Other)]
    pub max_input_size: u64,
    /// Namespace of objects that name none, as with `kubectl apply -n` [default: default];
    /// with --from-cluster, the namespace read.
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6:
    /// only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate,
    /// ingress only).
    #[arg(long, value_enum, value_name = "MODEL", default_value_t = IsolationModel::PerPod)]
    pub isolation_model: IsolationModel,
    /// Evaluate Calico's staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy,
    /// StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow
    /// once they are.
    #[arg(long)]
    pub with_staged: bool,
    /// The network plugin that enforces the policies. Default: inferred from the policy kinds
    /// in the input (Calico or Cilium objects; else the Kubernetes API's meaning); input
    /// holding policies of two plugins needs it.
    #[arg(long, value_enum, value_name = "PLUGIN")]
    pub cni: Option<Cni>,
    /// Cilium's policy enforcement mode (the agent's `--enable-policy`): default (an endpoint
    /// is isolated once a policy selects it), always (every endpoint is isolated), never (no
    /// policy is enforced).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = CiliumEnforcement::Default)]
    pub cilium_policy_enforcement: CiliumEnforcement,
    /// List on standard error every object read: used, ignored (and why), or broken.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// The live cluster (`--from-cluster`).
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
}

fn input_size(s: &str) -> Result<u64, String> {
    load::parse_size(s)
}

/// The loaded input of a command.
pub struct Session {
    /// The files read.
    pub sources: SourceMap,
    /// The cluster they describe.
    pub cluster: Cluster,
    /// Number of errors printed (input problems and rejected policies).
    pub errors: usize,
    /// The input problems (printed or not, see [`Problems`]).
    pub problems: Vec<crate::load::Problem>,
}

/// What to do with input problems and rejected policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problems {
    /// Print them on standard error (simulating commands).
    Print,
    /// Keep them for the caller (check turns them into findings).
    Keep,
}

/// The namespace of objects that name none, when `-n` is not given.
pub const DEFAULT_NAMESPACE: &str = "default";

impl InputArgs {
    /// The namespace of objects that name none: `-n`, or `default`.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }

    /// All input paths: `-f` ones first, then positional ones.
    pub fn paths(&self, positional: &[String]) -> Vec<String> {
        self.filenames.iter().chain(positional).cloned().collect()
    }

    /// The inputs as a command uses them, with the command's positional paths.
    pub fn resolve(&self, positional: &[String]) -> Inputs {
        Inputs {
            paths: self.paths(positional),
            load: LoadOptions {
                default_namespace: self.namespace().to_string(),
                inventory: self.verbose,
                max_input_bytes: self.max_input_size,
                ..LoadOptions::default()
            },
            kustomize: self.kustomize.clone(),
            strict: self.strict,
            build: BuildOptions {
                isolation: self.isolation_model,
                with_staged: self.with_staged,
                cni: self.cni,
                cilium_enforcement: self.cilium_policy_enforcement,
                fqdn_targets: Vec::new(),
                described_targets: Vec::new(),
            },
            verbose: self.verbose,
            live: self.cluster.from_cluster.then(|| self.cluster.clone()),
            live_namespace: self.namespace.clone(),
        }
    }
}

/// The inputs of a command, resolved: what to read, how to read it and how to build the
/// cluster.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Manifest paths (`-f` ones first, then positional ones).
    pub paths: Vec<String>,
    /// Kustomization directories (`-k`), rendered and read before the paths.
    pub kustomize: Vec<String>,
    /// Whether warnings about what is not evaluated are errors (`--strict`).
    pub strict: bool,
    /// How to read them.
    pub load: LoadOptions,
    /// How to build the cluster they describe.
    pub build: BuildOptions,
    /// Whether to list every object read.
    pub verbose: bool,
    /// The live cluster to read first (`--from-cluster`).
    pub live: Option<super::cluster::ClusterArgs>,
    /// The namespace to read from the live cluster (`-n`; all when None).
    pub live_namespace: Option<String>,
}

impl Inputs {
    /// Loads the inputs, prints problems, and builds the cluster. Err: nothing to read (the
    /// message is printed).
    pub fn load(&self, painter: &Painter, mode: Problems) -> Result<Session, u8> {
        load_session(self, painter, mode)
    }

    /// Builds the session of what was loaded (from files, or from git), printing problems as
    /// [`Inputs::load`] does.
    pub fn session(&self, loaded: Loaded, painter: &Painter, mode: Problems) -> Session {
        session_from(loaded, self, painter, mode)
    }
}

fn load_session(args: &Inputs, painter: &Painter, mode: Problems) -> Result<Session, u8> {
    let paths = &args.paths;
    if paths.is_empty() && args.kustomize.is_empty() && args.live.is_none() {
        eprintln!(
            "{} no input: pass manifest files or directories, `-f PATH`, `-f -` for standard input, `-k DIR` for a kustomization, or --from-cluster",
            painter.bad("error:")
        );
        return Err(super::EXIT_ERROR);
    }
    let mut texts = Vec::new();
    if let Some(live) = &args.live {
        match live.fetch(args.live_namespace.as_deref()) {
            Ok(dump) => {
                for w in &dump.warnings {
                    eprintln!("{} {w}", painter.warn("warning:"));
                }
                for n in dump.notes.iter().filter(|_| args.verbose) {
                    eprintln!("{} {n}", painter.dim("input:"));
                }
                texts = dump.texts;
            }
            Err(e) => {
                eprintln!("{} {e}", painter.bad("error:"));
                return Err(super::EXIT_ERROR);
            }
        }
    }
    // Kustomizations are rendered after the live cluster and before the files, so that a
    // file replaces what they hold, as the cluster's objects are replaced.
    let mut failed = Vec::new();
    for dir in &args.kustomize {
        match kustomize::render(dir, args.load.max_input_bytes) {
            Ok(rendered) => {
                for w in &rendered.warnings {
                    eprintln!("{} {w}", painter.warn("warning:"));
                }
                if args.verbose {
                    eprintln!(
                        "{} -k {dir}: read the output of `kubectl kustomize {dir}` as {}",
                        painter.dim("input:"),
                        rendered.name
                    );
                }
                texts.push((rendered.name, rendered.text));
            }
            Err(e) => failed.push(Problem::input(e)),
        }
    }
    let mut loaded = load::load_with(&texts, paths, &args.load);
    crate::base::timings::phase("load");
    loaded.problems.splice(0..0, failed);
    Ok(session_from(loaded, args, painter, mode))
}

/// `--strict` (or `strict: true` in check's configuration): every warning about what is not
/// evaluated — the model's and the loader's — becomes a problem of the input, so that it is
/// reported as an error and the command exits 2.
pub fn make_strict(cluster: &mut Cluster, problems: &mut Vec<Problem>) {
    problems.extend(strict_problems(cluster));
    problems.sort_by_key(|p| p.span.map(|s| (s.file, s.start)));
}

/// The warnings of the cluster as problems, taken out of it, in reading order.
fn strict_problems(cluster: &mut Cluster) -> Vec<Problem> {
    let mut made: Vec<Problem> = std::mem::take(&mut cluster.warnings)
        .into_iter()
        .map(|(span, message)| Problem::new(span, format!("{message} (an error with --strict)")))
        .collect();
    made.sort_by_key(|p| p.span.map(|s| (s.file, s.start)));
    made
}

/// What the API server refuses in the input, each object with what that means here.
fn refused(cluster: &Cluster) -> Vec<(String, Vec<Violation>)> {
    let invalid = |not_applied: Option<&NotApplied>| not_applied == Some(&NotApplied::Invalid);
    let rejected = |what: String| format!("{what} is not applied: the API server rejects it");
    let mut out = Vec::new();
    for (i, p) in cluster.policies.iter().enumerate() {
        if invalid(cluster.not_applied.get(&i)) {
            out.push((rejected(format!("policy {}", p.id())), validate::policy(p)));
        }
    }
    for (i, p) in cluster.cluster_policies.iter().enumerate() {
        if invalid(cluster.cluster_not_applied.get(&i)) {
            let what = rejected(format!("{} {}", p.kind.kind(), p.name));
            out.push((what, validate::cluster_policy(p)));
        }
    }
    for (i, p) in cluster.calico_policies.iter().enumerate() {
        if invalid(cluster.calico_not_applied.get(&i)) {
            let what = rejected(format!("{} {}", p.kind.as_str(), p.id()));
            out.push((what, calico::validate::policy(p)));
        }
    }
    for (i, p) in cluster.cilium_policies.iter().enumerate() {
        if invalid(cluster.cilium_not_applied.get(&i)) {
            out.push((rejected(p.id()), cilium::validate::policy(p)));
        }
    }
    for g in &cluster.cidr_groups {
        let what = format!("CiliumCIDRGroup {} is refused by the API server", g.name);
        out.push((what, cilium::validate::cidr_group(g)));
    }
    for t in &cluster.calico_tiers {
        let what = format!("Tier {} is refused by the API server", t.name);
        out.push((what, calico::validate::tier(t)));
    }
    for set in &cluster.network_sets {
        let what = format!("{} is refused by the API server", set.id());
        out.push((what, calico::validate::network_set(set)));
    }
    out
}

fn session_from(loaded: Loaded, args: &Inputs, painter: &Painter, mode: Problems) -> Session {
    let Loaded {
        sources,
        objects,
        problems,
        inventory,
        warnings,
    } = loaded;
    let mut errors = 0;
    for p in problems.iter().filter(|_| mode == Problems::Print) {
        eprintln!("{} {}", painter.bad("error:"), p.render(&sources));
        errors += 1;
    }
    let mut cluster = Cluster::build_with(objects, &args.build);
    // What the loader met but does not evaluate (another plugin's or a mesh's policies) is a
    // warning of the model too, so that `check` reports it as `not-evaluated`; printed once,
    // below, with the model's.
    let (loader_warnings, mut warnings): (Vec<_>, Vec<_>) =
        warnings.into_iter().partition(|w| w.span.is_some());
    for w in loader_warnings {
        let span = w.span.expect("partitioned on it");
        cluster.warnings.push((span, w.message));
    }
    let mut problems = problems;
    if args.strict {
        let mut made = strict_problems(&mut cluster);
        made.extend(warnings.drain(..).map(|w| Problem {
            message: format!("{} (an error with --strict)", w.message),
            ..w
        }));
        for p in made.iter().filter(|_| mode == Problems::Print) {
            eprintln!("{} {}", painter.bad("error:"), p.render(&sources));
            errors += 1;
        }
        problems.extend(made);
        problems.sort_by_key(|p| p.span.map(|s| (s.file, s.start)));
    }
    if args.build.cni.is_none()
        && let Some((calico, cilium)) = cluster.cni_conflict()
    {
        eprintln!(
            "{} {}: the input holds Calico objects (here) and Cilium objects ({}), but a cluster runs one network plugin: say which enforces the policies with --cni calico or --cni cilium (answering as if Calico did)",
            painter.bad("error:"),
            sources.location(calico),
            sources.location(cilium),
        );
        errors += 1;
    }
    if mode == Problems::Print {
        for (what, violations) in refused(&cluster) {
            for v in violations {
                eprintln!(
                    "{} {}: {}: {} [{}] ({what})",
                    painter.bad("error:"),
                    sources.location(v.span),
                    v.path,
                    v.message,
                    v.rule,
                );
                errors += 1;
            }
        }
        for w in &warnings {
            eprintln!("{} {}", painter.warn("warning:"), w.render(&sources));
        }
        for (span, w) in &cluster.warnings {
            eprintln!(
                "{} {}: {w}",
                painter.warn("warning:"),
                sources.location(*span)
            );
        }
    }
    if args.verbose {
        // One line an object: written through one buffer, not a write call a line.
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stderr().lock());
        for entry in &inventory {
            let sep = if entry.name.is_empty() { "" } else { " " };
            let _ = writeln!(
                out,
                "{} {}: {}{sep}{}: {}",
                painter.dim("input:"),
                sources.location(entry.span),
                entry.kind,
                entry.name,
                entry.outcome
            );
        }
        drop(out);
        for (span, note) in &cluster.notes {
            eprintln!(
                "{} {}: {note}",
                painter.dim("input:"),
                sources.location(*span)
            );
        }
        for (i, why) in &cluster.not_applied {
            if let NotApplied::Replaced { by } = why {
                let p = &cluster.policies[*i];
                eprintln!(
                    "{} {}: policy {} is replaced by the later object at {}",
                    painter.dim("input:"),
                    sources.location(p.span),
                    p.id(),
                    sources.location(cluster.policies[*by].span)
                );
            }
        }
        let used = inventory
            .iter()
            .filter(|e| e.outcome == Outcome::Used)
            .count();
        let ignored = inventory
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Ignored(_)))
            .count();
        eprintln!(
            "{} {} files, {used} objects used, {ignored} ignored; {} namespaces, {} endpoints, {} policies",
            painter.dim("input:"),
            sources.files().len(),
            cluster.namespaces.len(),
            cluster.endpoints.len(),
            cluster.policies.len()
        );
    }
    Session {
        sources,
        cluster,
        errors,
        problems,
    }
}

/// Reads the flow files of `--flows` (`generate`, `replay`); problems are printed as `error: FILE:LINE: reason`. Err: a file
/// could not be read at all. Ok also gives the number of lines that could not be read.
pub fn read_flows(
    names: &[String],
    err: &Painter,
) -> Result<(Vec<crate::load::flows::FlowFile>, usize), u8> {
    let mut files = Vec::new();
    let mut problems = 0;
    for name in names {
        let text = match std::fs::read_to_string(name) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{} --flows {name}: {e}", err.bad("error:"));
                return Err(super::EXIT_ERROR);
            }
        };
        let file = crate::load::flows::parse(name, &text);
        for p in &file.problems {
            eprintln!("{} {name}:{}: {}", err.bad("error:"), p.line, p.reason);
        }
        problems += file.problems.len();
        files.push(file);
    }
    Ok((files, problems))
}

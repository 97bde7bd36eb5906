//! `--from-cluster`: reading the live cluster with the user's own kubectl.
//!
//! One `kubectl get ... -o json` reads namespaces, pods, workloads, services, namespaced
//! NetworkPolicies and nodes (scoped by `-n`/`-A`; namespaces and nodes are cluster-scoped,
//! so they are always listed whole). The cluster-wide policy kinds are CRDs that many
//! clusters lack, so each is asked for on its own, and "the server doesn't have a resource
//! type" means none. The `List` JSON kubectl prints goes through the ordinary loader, named
//! `<cluster:CONTEXT>` so that diagnostics point at a line of it.

use std::io::ErrorKind;
use std::process::{Command, Stdio};

use clap::Args;

use crate::load::MAX_FILE_BYTES;

/// Flags of `--from-cluster`.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Live cluster")]
pub struct ClusterArgs {
    /// Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and
    /// every kind of network policy, in the -n namespace (every namespace with -A; else the
    /// context's, as kubectl does). Files given too are read after it: their objects replace
    /// the live ones of the same name, to try out a change before applying it.
    #[arg(long)]
    pub from_cluster: bool,
    /// The kubeconfig context to read (with --from-cluster) [default: the current context].
    #[arg(long, value_name = "NAME", value_hint = clap::ValueHint::Other, requires = "from_cluster")]
    pub context: Option<String>,
    /// The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl's].
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath, requires = "from_cluster")]
    pub kubeconfig: Option<String>,
    /// Read every namespace of the cluster (with --from-cluster).
    #[arg(
        short = 'A',
        long,
        requires = "from_cluster",
        conflicts_with = "namespace"
    )]
    pub all_namespaces: bool,
}

/// The namespaced kinds (and namespaces and nodes) read in one `kubectl get`. Kinds outside
/// the core group are qualified by their group, so that a CRD of the same plural name
/// (Calico's and Antrea's `networkpolicies`...) is never read instead.
pub const KINDS: &str = "namespaces,pods,deployments.apps,replicasets.apps,statefulsets.apps,\
daemonsets.apps,jobs.batch,cronjobs.batch,replicationcontrollers,services,\
networkpolicies.networking.k8s.io,nodes";

/// The cluster-wide policy kinds, CRDs of the network-policy-api project: each read on its
/// own, and absent from many clusters.
pub const CLUSTER_KINDS: [&str; 3] = [
    "adminnetworkpolicies.policy.networking.k8s.io",
    "baselineadminnetworkpolicies.policy.networking.k8s.io",
    "clusternetworkpolicies.policy.networking.k8s.io",
];

/// What kubectl says of a resource type the API server does not serve.
const NO_RESOURCE_TYPE: &str = "the server doesn't have a resource type";

/// What was read from the cluster.
#[derive(Debug, Default)]
pub struct Dump {
    /// `(source name, JSON text)` of every list read.
    pub texts: Vec<(String, String)>,
    /// Lines kubectl printed on standard error although it succeeded (deprecation warnings...).
    pub warnings: Vec<String>,
    /// What was done, for `-v`: the commands run, the kinds the server does not have.
    pub notes: Vec<String>,
}

/// A kubectl run.
struct Run {
    args: Vec<String>,
    result: Result<std::process::Output, std::io::Error>,
}

impl ClusterArgs {
    /// `--kubeconfig` and `--context`, as kubectl takes them, before the verb.
    fn global_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(k) = &self.kubeconfig {
            args.extend(["--kubeconfig".to_string(), k.clone()]);
        }
        if let Some(c) = &self.context {
            args.extend(["--context".to_string(), c.clone()]);
        }
        args
    }

    /// The kubectl command lines `fetch` runs (without the program name): the main `get`,
    /// then one per cluster-wide kind.
    pub fn commands(&self, namespace: Option<&str>) -> Vec<Vec<String>> {
        let mut main = self.global_args();
        main.extend(["get".into(), KINDS.into()]);
        if self.all_namespaces {
            main.push("--all-namespaces".into());
        } else if let Some(ns) = namespace {
            main.extend(["--namespace".into(), ns.into()]);
        }
        main.extend(["-o".into(), "json".into()]);
        let mut commands = vec![main];
        for kind in CLUSTER_KINDS {
            let mut c = self.global_args();
            c.extend(["get".into(), kind.into(), "-o".into(), "json".into()]);
            commands.push(c);
        }
        commands
    }

    /// Reads the cluster. `namespace` is `-n`. Err: a message saying what failed, with the
    /// command line and kubectl's own words.
    pub fn fetch(&self, namespace: Option<&str>) -> Result<Dump, String> {
        let context_cmd = self.context.is_none().then(|| {
            let mut c = self.global_args();
            c.extend(["config".into(), "current-context".into()]);
            c
        });
        let commands = self.commands(namespace);
        // kubectl spends most of its time waiting for the API server: run them side by side.
        let (context_run, runs) = std::thread::scope(|s| {
            let context = context_cmd.map(|args| s.spawn(move || kubectl(args)));
            let handles: Vec<_> = commands
                .into_iter()
                .map(|args| s.spawn(move || kubectl(args)))
                .collect();
            let runs: Vec<Run> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
            (context.and_then(|h| h.join().ok()), runs)
        });
        let context = match (&self.context, context_run) {
            (Some(c), _) => c.clone(),
            (
                None,
                Some(Run {
                    result: Ok(out), ..
                }),
            ) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
            _ => String::new(),
        };
        let name = if context.is_empty() {
            "<cluster>".to_string()
        } else {
            format!("<cluster:{context}>")
        };
        let mut dump = Dump::default();
        for (i, run) in runs.into_iter().enumerate() {
            let line = command_line(&run.args);
            let out = match run.result {
                Ok(out) => out,
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    return Err(
                        "--from-cluster: kubectl is not on PATH (it reads the cluster with your kubectl and kubeconfig; install kubectl, or pass manifest files instead)"
                            .to_string(),
                    );
                }
                Err(e) => return Err(format!("--from-cluster: cannot run `{line}`: {e}")),
            };
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !out.status.success() {
                if i > 0 && stderr.contains(NO_RESOURCE_TYPE) {
                    dump.notes.push(format!(
                        "{name}: no {} (the server doesn't have the resource type): `{line}`",
                        short_kind(&run.args)
                    ));
                    continue;
                }
                let status = match out.status.code() {
                    Some(code) => format!("exit status {code}"),
                    None => "killed by a signal".to_string(),
                };
                let said = said(&stderr);
                return Err(format!(
                    "--from-cluster: `{line}` failed ({status}):\n{said}"
                ));
            }
            dump.warnings.extend(
                stderr
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| format!("kubectl: {l}")),
            );
            if out.stdout.len() as u64 > MAX_FILE_BYTES {
                return Err(format!(
                    "--from-cluster: `{line}` printed more than {} MiB; refused",
                    MAX_FILE_BYTES >> 20
                ));
            }
            let text = String::from_utf8(out.stdout).map_err(|e| {
                format!(
                    "--from-cluster: `{line}` printed something that is not JSON (not UTF-8 text: invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
            check_json(&text).map_err(|why| {
                format!("--from-cluster: `{line}` printed something that is not JSON ({why})")
            })?;
            let source = if i == 0 {
                name.clone()
            } else {
                format!("{}/{}>", name.trim_end_matches('>'), short_kind(&run.args))
            };
            dump.notes.push(format!("{source}: read `{line}`"));
            dump.texts.push((source, text));
        }
        Ok(dump)
    }
}

/// The contexts of the kubeconfig (`kubectl config get-contexts -o name`), for completion.
pub fn contexts(kubeconfig: Option<&str>) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(k) = kubeconfig {
        args.extend(["--kubeconfig".to_string(), k.to_string()]);
    }
    args.extend(["config", "get-contexts", "-o", "name"].map(String::from));
    match kubectl(args).result {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn kubectl(args: Vec<String>) -> Run {
    let result = Command::new("kubectl")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output();
    Run { args, result }
}

/// The most kubectl's message shows of what it said on a failure: kubectl repeats its
/// client-side log lines (one per discovery attempt) before the line that matters, last.
const STDERR_LINES: usize = 10;

/// What kubectl said on standard error, indented; its last lines when it said a lot.
fn said(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return "  (it printed nothing on standard error)".to_string();
    }
    let skip = lines.len().saturating_sub(STDERR_LINES);
    let mut out = Vec::new();
    if skip > 0 {
        out.push(format!("  ({skip} earlier lines left out)"));
    }
    out.extend(lines[skip..].iter().map(|l| format!("  {l}")));
    out.join("\n")
}

/// `adminnetworkpolicies` for `adminnetworkpolicies.policy.networking.k8s.io`: the plural
/// asked for by a `get` of one kind.
fn short_kind(args: &[String]) -> &str {
    args.iter()
        .position(|a| a == "get")
        .and_then(|i| args.get(i + 1))
        .map_or("", |k| k.split('.').next().unwrap_or(k))
}

/// The command line as it could be typed again.
pub fn command_line(args: &[String]) -> String {
    std::iter::once("kubectl")
        .chain(args.iter().map(String::as_str))
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:=@%+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Ok when the text is one JSON object; Err says why not, with the start of the text.
fn check_json(text: &str) -> Result<(), String> {
    // Validated without building it: a dump can be large.
    match serde_json::from_str::<std::collections::HashMap<String, serde::de::IgnoredAny>>(text) {
        Ok(_) => Ok(()),
        Err(e) => {
            let start: String = text.trim_start().chars().take(80).collect();
            let start = start.lines().next().unwrap_or("");
            if start.is_empty() {
                Err("it printed nothing".to_string())
            } else {
                Err(format!("{e}; it begins `{start}`"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_get_is_scoped_by_namespace_flags_and_cluster_kinds_are_not() {
        let args = ClusterArgs {
            from_cluster: true,
            context: Some("kind-shop".into()),
            ..ClusterArgs::default()
        };
        let cmds = args.commands(Some("shop"));
        assert_eq!(
            command_line(&cmds[0]),
            format!("kubectl --context kind-shop get {KINDS} --namespace shop -o json")
        );
        assert_eq!(
            command_line(&cmds[1]),
            "kubectl --context kind-shop get adminnetworkpolicies.policy.networking.k8s.io -o json"
        );
        assert_eq!(cmds.len(), 4);
        let all = ClusterArgs {
            all_namespaces: true,
            ..ClusterArgs::default()
        };
        assert_eq!(
            command_line(&all.commands(None)[0]),
            format!("kubectl get {KINDS} --all-namespaces -o json")
        );
    }

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        assert_eq!(
            command_line(&["--kubeconfig".into(), "/tmp/my config".into()]),
            "kubectl --kubeconfig '/tmp/my config'"
        );
        assert_eq!(command_line(&["it's".into()]), r"kubectl 'it'\''s'");
    }

    #[test]
    fn a_long_kubectl_message_keeps_its_last_lines() {
        let many: String = (1..=25).map(|i| format!("E{i} retry\n")).collect();
        let s = said(&format!("{many}The connection to the server was refused\n"));
        assert!(
            s.starts_with("  (16 earlier lines left out)\n  E17 retry\n"),
            "{s}"
        );
        assert!(
            s.ends_with("\n  The connection to the server was refused"),
            "{s}"
        );
        assert_eq!(said("one\n\n"), "  one");
        assert_eq!(said(""), "  (it printed nothing on standard error)");
    }

    #[test]
    fn only_a_json_object_passes() {
        assert!(check_json("{\"kind\": \"List\", \"items\": []}").is_ok());
        assert!(check_json("{}").is_ok());
        let e = check_json("Error from server (Forbidden): nope").unwrap_err();
        assert!(e.contains("it begins `Error from server"), "{e}");
        assert_eq!(check_json("  \n").unwrap_err(), "it printed nothing");
        assert!(check_json("[1, 2]").is_err());
        assert!(check_json("{\"kind\": \"List\"} trailing").is_err());
    }
}

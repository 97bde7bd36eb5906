//! `kubectl-netpol __complete WORD...`: shell completion in cobra's protocol.
//!
//! kubectl (1.26+) completes a plugin's arguments by running `kubectl_complete-netpol` from
//! PATH with the words typed after `kubectl netpol`, the last one being the word to complete
//! (empty after a space); the script shipped in `completions/` hands them to this command.
//! The answer is one candidate per line, `value<TAB>description`, then `:<directive>`, the
//! bitmask of cobra's `ShellCompDirective` telling the shell what to do with it.
//!
//! Subcommands, flags and enumerated values come from the clap definition. FROM and TO of
//! `can-reach`, `--from`/`--to` of `matrix` and `-n` come from the manifests the command line
//! already names (`-f`, positional paths, `--topology`, `--from-cluster`...), loaded quietly;
//! paths get the shell's own file completion, restricted to manifest extensions.
//!
//! `__complete` is answered before clap parses anything, and is not in the clap definition:
//! so clap never acts on the words being completed (`--help`, `--version`, `--color`), and
//! the completion scripts and man pages generated from the definition never show it.

use std::collections::HashMap;
use std::ffi::OsString;

use clap::builder::PossibleValue;
use clap::{Arg, ArgAction, Command, CommandFactory, ValueHint};

use super::cluster::ClusterArgs;
use crate::load::{self, LoadOptions};
use crate::model::{Cluster, EndpointKind};

/// cobra's `ShellCompDirective` bits.
pub mod directive {
    /// Default: the shell may fall back to file completion.
    pub const DEFAULT: u32 = 0;
    /// An error occurred; candidates are ignored.
    pub const ERROR: u32 = 1;
    /// No space after the completed word.
    pub const NO_SPACE: u32 = 2;
    /// No file completion, even with no candidate.
    pub const NO_FILE_COMP: u32 = 4;
    /// The candidates are file extensions to filter file completion with.
    pub const FILTER_FILE_EXT: u32 = 8;
    /// Complete directory names only.
    pub const FILTER_DIRS: u32 = 16;
    /// Keep the candidates in the order given.
    pub const KEEP_ORDER: u32 = 32;
}

use directive::{FILTER_FILE_EXT, NO_FILE_COMP, NO_SPACE};

/// The name of the hidden command, as cobra names it.
pub const REQUEST: &str = "__complete";
/// The same, answering without descriptions.
pub const REQUEST_NO_DESC: &str = "__completeNoDesc";

/// One candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The word.
    pub value: String,
    /// What it is, on one line.
    pub description: String,
}

impl Candidate {
    fn new(value: impl Into<String>, description: impl Into<String>) -> Self {
        Candidate {
            value: value.into(),
            description: description.into(),
        }
    }
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The candidates.
    pub candidates: Vec<Candidate>,
    /// The ShellCompDirective bitmask.
    pub directive: u32,
}

impl Completion {
    fn none() -> Self {
        Completion {
            candidates: Vec::new(),
            directive: NO_FILE_COMP,
        }
    }

    /// The shell's file completion.
    fn files() -> Self {
        Completion {
            candidates: Vec::new(),
            directive: directive::DEFAULT,
        }
    }

    /// File completion restricted to manifests (directories are still offered).
    fn manifests() -> Self {
        Completion {
            candidates: ["yaml", "yml", "json"]
                .map(|e| Candidate::new(e, ""))
                .to_vec(),
            directive: FILTER_FILE_EXT,
        }
    }

    /// Keeps the candidates that start with `current`, puts `prefix` before them, and adds
    /// NoSpace when each ends with `/` (a namespace, to be followed by a name).
    fn filtered(candidates: Vec<Candidate>, current: &str, prefix: &str) -> Self {
        let mut seen = std::collections::HashSet::new();
        let candidates: Vec<Candidate> = candidates
            .into_iter()
            .filter(|c| c.value.starts_with(current) && !c.value.contains(['\n', '\t']))
            .filter(|c| seen.insert(c.value.clone()))
            .map(|c| Candidate::new(format!("{prefix}{}", c.value), c.description))
            .collect();
        let no_space = !candidates.is_empty() && candidates.iter().all(|c| c.value.ends_with('/'));
        Completion {
            candidates,
            directive: NO_FILE_COMP | if no_space { NO_SPACE } else { 0 },
        }
    }
}

/// Answers `kubectl-netpol __complete WORD...` (or `__completeNoDesc`); None when `argv` is
/// not a completion request.
pub fn intercept(argv: &[OsString]) -> Option<u8> {
    let descriptions = match argv.get(1)?.to_str()? {
        REQUEST => true,
        REQUEST_NO_DESC => false,
        _ => return None,
    };
    let words: Vec<String> = argv[2..]
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    super::print(&render(&complete(&words), descriptions));
    Some(super::EXIT_OK)
}

/// The protocol's text: candidates, one per line, then `:<directive>`.
pub fn render(c: &Completion, descriptions: bool) -> String {
    let mut out = String::new();
    for cand in &c.candidates {
        out.push_str(&cand.value);
        if descriptions && !cand.description.is_empty() {
            out.push('\t');
            out.push_str(&cand.description);
        }
        out.push('\n');
    }
    out.push_str(&format!(":{}\n", c.directive));
    out
}

/// Completes the last word of `words` (the words after the program name).
pub fn complete(words: &[String]) -> Completion {
    let mut cmd = super::Cli::command();
    cmd.build();
    let (current, before) = match words.split_last() {
        Some((current, before)) => (current.as_str(), before),
        None => ("", &[][..]),
    };
    let line = Line::walk(&cmd, before);
    if line.lost {
        return Completion::none();
    }
    let cmd = line.cmd();
    if let Some(arg) = line.pending {
        return value(&line, arg, current, "");
    }
    if !line.dash_dash && current.starts_with("--") {
        if let Some((name, v)) = current[2..].split_once('=') {
            return match find_long(cmd, name).filter(|a| a.get_action().takes_values()) {
                Some(arg) => value(&line, arg, v, &format!("--{name}=")),
                None => Completion::none(),
            };
        }
        return flags(&line, current);
    }
    if !line.dash_dash && current.starts_with('-') {
        // `-nshop`: a short flag with its value attached.
        let mut chars = current[1..].char_indices();
        if let (Some((_, c)), Some((rest, _))) = (chars.next(), chars.next()) {
            if let Some(arg) = find_short(cmd, c).filter(|a| a.get_action().takes_values()) {
                let at = 1 + rest;
                return value(&line, arg, &current[at..], &current[..at]);
            }
        }
        return flags(&line, current);
    }
    if line.expects_subcommand() {
        let subs = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| Candidate::new(s.get_name(), summary(s.get_about())))
            .collect();
        return Completion::filtered(subs, current, "");
    }
    match positional(cmd, line.positionals.len()) {
        Some(arg) => value(&line, arg, current, ""),
        None => Completion::none(),
    }
}

/// The command line before the word being completed, as far as completion needs it.
struct Line<'c> {
    /// The root command, then each subcommand named.
    path: Vec<&'c Command>,
    /// Values given, by argument id (flags and positionals alike).
    values: HashMap<&'c str, Vec<String>>,
    /// Ids of the flags given.
    given: Vec<&'c str>,
    /// Positional words of the deepest command.
    positionals: Vec<String>,
    /// A flag waiting for its value: the word being completed is that value.
    pending: Option<&'c Arg>,
    /// After `--`: every word is positional.
    dash_dash: bool,
    /// An unknown subcommand: nothing sensible to offer.
    lost: bool,
}

impl<'c> Line<'c> {
    fn walk(root: &'c Command, words: &[String]) -> Line<'c> {
        let mut line = Line {
            path: vec![root],
            values: HashMap::new(),
            given: Vec::new(),
            positionals: Vec::new(),
            pending: None,
            dash_dash: false,
            lost: false,
        };
        for word in words {
            if let Some(arg) = line.pending.take() {
                line.push(arg, word);
                continue;
            }
            let cmd = line.cmd();
            if line.dash_dash || word == "-" || !word.starts_with('-') {
                if line.expects_subcommand() && !line.dash_dash {
                    match cmd.find_subcommand(word) {
                        Some(sub) => line.path.push(sub),
                        None => line.lost = true,
                    }
                    continue;
                }
                if let Some(arg) = positional(cmd, line.positionals.len()) {
                    line.push(arg, word);
                }
                line.positionals.push(word.clone());
                continue;
            }
            if word == "--" {
                line.dash_dash = true;
                continue;
            }
            if let Some(long) = word.strip_prefix("--") {
                let (name, attached) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (long, None),
                };
                if let Some(arg) = find_long(cmd, name) {
                    line.given.push(arg.get_id().as_str());
                    if arg.get_action().takes_values() {
                        match attached {
                            Some(v) => line.push(arg, v),
                            None => line.pending = Some(arg),
                        }
                    }
                }
                continue;
            }
            // A cluster of short flags, the last of which may take a value: `-qv`, `-nshop`.
            let shorts = &word[1..];
            for (i, c) in shorts.char_indices() {
                let Some(arg) = find_short(cmd, c) else { break };
                line.given.push(arg.get_id().as_str());
                if arg.get_action().takes_values() {
                    let rest = &shorts[i + c.len_utf8()..];
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    if rest.is_empty() {
                        line.pending = Some(arg);
                    } else {
                        line.push(arg, rest);
                    }
                    break;
                }
            }
        }
        line
    }

    fn cmd(&self) -> &'c Command {
        self.path[self.path.len() - 1]
    }

    fn push(&mut self, arg: &'c Arg, value: &str) {
        self.values
            .entry(arg.get_id().as_str())
            .or_default()
            .push(value.to_string());
    }

    fn expects_subcommand(&self) -> bool {
        let cmd = self.cmd();
        cmd.has_subcommands() && self.positionals.is_empty() && cmd.get_positionals().count() == 0
    }

    fn values(&self, id: &str) -> &[String] {
        self.values.get(id).map_or(&[], Vec::as_slice)
    }

    fn last(&self, id: &str) -> Option<&str> {
        self.values(id).last().map(String::as_str)
    }

    fn given(&self, id: &str) -> bool {
        self.given.contains(&id)
    }

    /// `-n`, or `default`: where a bare name is looked for.
    fn namespace(&self) -> &str {
        self.last("namespace")
            .unwrap_or(super::inputs::DEFAULT_NAMESPACE)
    }

    /// The manifests the command line names, loaded without a word on standard error.
    /// None when it names none (or only standard input, which completion must not read).
    fn cluster(&self) -> Option<Cluster> {
        // -f, positional paths, --topology: what takes a PATH (but the kubeconfig).
        let paths: Vec<String> = self
            .cmd()
            .get_arguments()
            .filter(|a| {
                a.get_id() != "kubeconfig"
                    && a.get_value_names()
                        .is_some_and(|n| n.iter().any(|n| n == "PATH"))
            })
            .flat_map(|a| self.values(a.get_id().as_str()))
            .filter(|p| p.as_str() != "-")
            .cloned()
            .collect();
        let live = ClusterArgs {
            from_cluster: self.given("from_cluster"),
            context: self.last("context").map(String::from),
            kubeconfig: self.last("kubeconfig").map(String::from),
            all_namespaces: self.given("all_namespaces"),
        };
        if paths.is_empty() && !live.from_cluster {
            return None;
        }
        let texts = if live.from_cluster {
            live.fetch(self.last("namespace"))
                .map(|d| d.texts)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let opts = LoadOptions {
            default_namespace: self.namespace().to_string(),
            ..LoadOptions::default()
        };
        Some(Cluster::build(
            load::load_with(&texts, &paths, &opts).objects,
        ))
    }
}

fn find_long<'c>(cmd: &'c Command, name: &str) -> Option<&'c Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name)
            || a.get_all_aliases()
                .is_some_and(|aliases| aliases.contains(&name))
    })
}

fn find_short(cmd: &Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| {
        a.get_short() == Some(c)
            || a.get_all_short_aliases()
                .is_some_and(|aliases| aliases.contains(&c))
    })
}

/// The positional argument that takes the positional word at `index` (0-based).
fn positional(cmd: &Command, index: usize) -> Option<&Arg> {
    let mut args: Vec<&Arg> = cmd.get_positionals().filter(|a| !a.is_hide_set()).collect();
    args.sort_by_key(|a| a.get_index());
    for (i, arg) in args.into_iter().enumerate() {
        let many = matches!(arg.get_action(), ArgAction::Append)
            || arg.get_num_args().is_some_and(|r| r.max_values() > 1);
        if i == index || (many && i <= index) {
            return Some(arg);
        }
    }
    None
}

/// The first sentence of a help text, on one line, cut to fit beside a candidate.
fn summary(help: Option<&clap::builder::StyledStr>) -> String {
    const WIDTH: usize = 70;
    let text = help.map(ToString::to_string).unwrap_or_default();
    let text = text.replace(['\n', '\t'], " ");
    let first = text.split(". ").next().unwrap_or("");
    let first = first.trim().trim_end_matches('.');
    if first.chars().count() <= WIDTH {
        return first.to_string();
    }
    let cut: String = first.chars().take(WIDTH).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn flags(line: &Line, current: &str) -> Completion {
    let mut out = Vec::new();
    for arg in line
        .cmd()
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
    {
        let repeatable = matches!(arg.get_action(), ArgAction::Append | ArgAction::Count);
        if !repeatable && line.given(arg.get_id().as_str()) {
            continue;
        }
        let help = summary(arg.get_help());
        if let Some(long) = arg.get_long() {
            out.push(Candidate::new(format!("--{long}"), help.clone()));
        }
        if let Some(short) = arg.get_short().filter(|_| !current.starts_with("--")) {
            out.push(Candidate::new(format!("-{short}"), help));
        }
    }
    Completion::filtered(out, current, "")
}

/// Completes the value of `arg`; `prefix` is put back before each candidate (`--from=`).
fn value(line: &Line, arg: &Arg, current: &str, prefix: &str) -> Completion {
    let possible: Vec<PossibleValue> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    if !possible.is_empty() {
        let c = possible
            .iter()
            .map(|v| Candidate::new(v.get_name(), summary(v.get_help())))
            .collect();
        return Completion::filtered(c, current, prefix);
    }
    let candidates = match arg.get_id().as_str() {
        "filenames" | "paths" | "topology" => return Completion::manifests(),
        "config" | "kubeconfig" => return Completion::files(),
        "namespace" => line.cluster().map_or_else(Vec::new, |c| {
            c.namespaces
                .iter()
                .map(|n| Candidate::new(&n.name, "namespace"))
                .collect()
        }),
        "from" | "to" if arg.is_positional() => match line.cluster() {
            Some(c) => targets(&c, current, line.namespace()),
            None => Vec::new(),
        },
        "from" | "to" => match line.cluster() {
            Some(c) => patterns(&c, current),
            None => Vec::new(),
        },
        "context" => super::cluster::contexts(line.last("kubeconfig"))
            .into_iter()
            .map(|c| Candidate::new(c, "kubeconfig context"))
            .collect(),
        "rule" => rules(current),
        // Arguments of commands added later: by what they take.
        _ if arg
            .get_value_names()
            .is_some_and(|n| n.iter().any(|n| n == "PATH")) =>
        {
            return Completion::manifests();
        }
        _ if matches!(
            arg.get_value_hint(),
            ValueHint::FilePath | ValueHint::AnyPath | ValueHint::DirPath
        ) =>
        {
            return Completion::files();
        }
        _ => Vec::new(),
    };
    Completion::filtered(candidates, current, prefix)
}

fn kind_name(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Pod => "pod",
        k => k.short(),
    }
}

/// FROM and TO of can-reach, one level at a time: `ns/`, then `ns/name` (`ns/kind/name`
/// where a name is taken by two kinds) and `ns/svc/name`, then `ns/kind/name` for every
/// endpoint once a kind is typed. Bare names of the `-n` namespace are offered too.
fn targets(cluster: &Cluster, current: &str, default_ns: &str) -> Vec<Candidate> {
    let ambiguous = |ns: &str, name: &str| {
        cluster
            .endpoints
            .iter()
            .filter(|e| e.namespace == ns && e.name == name)
            .count()
            > 1
    };
    let services = cluster.services.iter().filter(|s| s.selector.is_some());
    let mut out = Vec::new();
    match current.matches('/').count() {
        0 => {
            let mut namespaces: Vec<&str> = cluster
                .endpoints
                .iter()
                .map(|e| e.namespace.as_str())
                .chain(services.map(|s| s.namespace.as_str()))
                .collect();
            namespaces.sort_unstable();
            namespaces.dedup();
            for ns in namespaces {
                out.push(Candidate::new(format!("{ns}/"), "namespace"));
            }
            for e in cluster
                .endpoints
                .iter()
                .filter(|e| e.namespace == default_ns && !ambiguous(&e.namespace, &e.name))
            {
                out.push(Candidate::new(&e.name, e.kind.as_str()));
            }
        }
        1 => {
            let ns = current.split('/').next().unwrap_or("");
            for e in cluster.endpoints.iter().filter(|e| e.namespace == ns) {
                let value = if ambiguous(ns, &e.name) {
                    format!("{ns}/{}/{}", kind_name(e.kind), e.name)
                } else {
                    format!("{ns}/{}", e.name)
                };
                out.push(Candidate::new(value, e.kind.as_str()));
            }
            for s in services.filter(|s| s.namespace == ns) {
                out.push(Candidate::new(
                    format!("{ns}/svc/{}", s.name),
                    "Service: the pods it selects",
                ));
            }
        }
        _ => {
            for e in &cluster.endpoints {
                out.push(Candidate::new(
                    format!("{}/{}/{}", e.namespace, kind_name(e.kind), e.name),
                    e.kind.as_str(),
                ));
            }
            for s in services {
                out.push(Candidate::new(
                    format!("{}/svc/{}", s.namespace, s.name),
                    "Service: the pods it selects",
                ));
            }
        }
    }
    out
}

/// `--from`/`--to` of matrix: namespaces, `external`, and member names once a `/` is typed.
fn patterns(cluster: &Cluster, current: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = cluster
        .namespaces
        .iter()
        .map(|n| Candidate::new(&n.name, "namespace"))
        .collect();
    out.push(Candidate::new("external", "every external address range"));
    if current.contains('/') {
        out.extend(
            cluster
                .endpoints
                .iter()
                .map(|e| Candidate::new(e.id(), e.kind.as_str())),
        );
    }
    out
}

/// Rule names; codes once `NP` is typed.
fn rules(current: &str) -> Vec<Candidate> {
    // `np1` completes to `np101`: codes are found in any case.
    let typed = current.get(..2).filter(|p| p.eq_ignore_ascii_case("np"));
    crate::lint::registry::ALL
        .iter()
        .map(|r| {
            if let Some(typed) = typed {
                let code = format!("{typed}{}", r.code.get(2..).unwrap_or(""));
                Candidate::new(code, r.name)
            } else {
                Candidate::new(r.name, format!("{}: {}", r.code, r.summary))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let mut w: Vec<String> = line.split(' ').map(String::from).collect();
        if line.is_empty() {
            w = vec![String::new()];
        }
        w
    }

    fn values(line: &str) -> Vec<String> {
        complete(&words(line))
            .candidates
            .into_iter()
            .map(|c| c.value)
            .collect()
    }

    #[test]
    fn subcommands_first() {
        let c = complete(&words(""));
        let v: Vec<&str> = c.candidates.iter().map(|c| c.value.as_str()).collect();
        assert!(v.contains(&"can-reach") && v.contains(&"matrix"), "{v:?}");
        assert!(!v.iter().any(|s| s.starts_with("__")), "{v:?}");
        assert_eq!(c.directive, NO_FILE_COMP);
        assert_eq!(values("ma"), ["matrix"]);
    }

    #[test]
    fn flags_of_the_subcommand_and_global_ones() {
        let v = values("matrix --");
        for f in [
            "--from",
            "--to",
            "--from-cluster",
            "--context",
            "--color",
            "--help",
        ] {
            assert!(v.contains(&f.to_string()), "{f} in {v:?}");
        }
        assert!(!v.iter().any(|f| f == "-n"), "{v:?}");
        assert!(values("matrix -").contains(&"-n".to_string()));
        // A flag given once is not offered again; repeatable ones are.
        let v = values("matrix --no-external -f x --");
        assert!(!v.contains(&"--no-external".to_string()));
        assert!(v.contains(&"--filename".to_string()));
    }

    #[test]
    fn enumerated_values() {
        assert_eq!(values("matrix -o c"), ["csv"]);
        assert_eq!(values("matrix --output=j"), ["--output=json"]);
        assert_eq!(values("--color n"), ["never"]);
        assert_eq!(values("completions fi"), ["fish"]);
        assert_eq!(values("rules shadowed-r"), ["shadowed-rule"]);
        assert_eq!(values("rules NP10").len(), 9);
        assert_eq!(values("rules np10")[0], "np101");
    }

    #[test]
    fn paths_get_file_completion_for_manifests() {
        let c = complete(&words("matrix "));
        assert_eq!(c.directive, FILTER_FILE_EXT);
        assert_eq!(complete(&words("check --config ")).directive, 0);
        assert_eq!(
            complete(&words("can-reach a b ")).directive,
            FILTER_FILE_EXT
        );
        assert_eq!(complete(&words("can-reach -f ")).directive, FILTER_FILE_EXT);
    }

    #[test]
    fn unknown_arguments_are_completed_by_what_they_take() {
        let mut cmd = Command::new("x")
            .arg(Arg::new("old").value_name("PATH"))
            .arg(Arg::new("out").long("out").value_hint(ValueHint::FilePath))
            .arg(Arg::new("n").long("n"));
        cmd.build();
        let line = Line::walk(&cmd, &[]);
        let get = |id: &str| cmd.get_arguments().find(|a| a.get_id() == id).unwrap();
        assert_eq!(value(&line, get("old"), "", ""), Completion::manifests());
        assert_eq!(value(&line, get("out"), "", ""), Completion::files());
        assert_eq!(value(&line, get("n"), "", ""), Completion::none());
    }

    #[test]
    fn targets_from_the_manifests_on_the_line() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
        let first = complete(&words(&format!("can-reach -f {dir} ")));
        assert_eq!(first.directive, NO_FILE_COMP | NO_SPACE, "{first:?}");
        let v: Vec<&str> = first.candidates.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            v,
            ["ingress-nginx/", "kube-system/", "monitoring/", "shop/"]
        );
        let v = values(&format!("can-reach -f {dir} shop/"));
        for want in ["shop/frontend", "shop/db", "shop/svc/api"] {
            assert!(v.contains(&want.to_string()), "{want} in {v:?}");
        }
        // TO, with the path after it; -n adds bare names.
        let v = values("can-reach -n shop shop/frontend fr");
        assert!(v.is_empty(), "no input yet: {v:?}");
        let v = values(&format!(
            "can-reach -n shop --filename={dir} shop/frontend fr"
        ));
        assert_eq!(v, ["frontend"]);
        let v = values(&format!("matrix {dir} --from sh"));
        assert_eq!(v, ["shop"]);
        let v = values(&format!("matrix {dir} --to=shop/deploy/f"));
        assert_eq!(v, ["--to=shop/deploy/frontend"]);
        let v = values(&format!("check {dir} -n kube-"));
        assert_eq!(v, ["kube-system"]);
    }

    #[test]
    fn standard_input_is_never_read() {
        assert!(values("can-reach -f - ").is_empty());
    }

    #[test]
    fn odd_words_do_not_panic() {
        for line in [
            "-",
            "--",
            "-- -",
            "--=",
            "-é",
            "-né",
            "nope x",
            "can-reach --port",
            "matrix -o=",
            "help ma",
            "can-reach a b c d e -- -x",
            "--color=",
            "-h",
            "__complete x",
            "-A",
        ] {
            let _ = complete(&words(line));
        }
        let _ = complete(&[]);
    }

    #[test]
    fn protocol_text() {
        let c = Completion {
            candidates: vec![Candidate::new("a", "the a"), Candidate::new("b", "")],
            directive: NO_FILE_COMP,
        };
        assert_eq!(render(&c, true), "a\tthe a\nb\n:4\n");
        assert_eq!(render(&c, false), "a\nb\n:4\n");
    }
}

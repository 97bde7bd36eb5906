//! The completion scripts of `completions/`, run by the real shells: `kubectl-netpol <TAB>`
//! in bash (and zsh and fish where they are installed: each is skipped, with a note, when it
//! is not), and `kubectl netpol <TAB>` through `kubectl_complete-netpol`, called the way
//! kubectl calls it (and through kubectl itself where it is installed).
//!
//! bash is driven as readline drives it: COMP_WORDS split at blanks and at the
//! COMP_WORDBREAKS characters `=` and `:`, COMP_CWORD, COMP_LINE, COMP_POINT, then the
//! function `complete -p kubectl-netpol` names; `compopt` is recorded, and the file names
//! readline falls back to (`-o default`) are added when the function leaves that on. zsh
//! runs interactively in a pseudo-terminal (zsh/zpty) and is sent the line and a TAB; every
//! match its completion system keeps is recorded. fish answers `complete -C LINE`.
#![cfg(unix)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::CommandFactory;
use kubectl_netpol::cli::Cli;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script(file: &str) -> PathBuf {
    manifest_dir().join("completions").join(file)
}

/// PATH with the binary under test and `completions/` (for `kubectl_complete-netpol`) first.
fn path_env() -> OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_kubectl-netpol"));
    let mut dirs = vec![
        bin.parent().unwrap().to_path_buf(),
        manifest_dir().join("completions"),
    ];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// The program named `name` on PATH, if installed.
fn installed(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command) -> String {
    // No user configuration, and nothing written to the real home.
    let home = tempfile::tempdir().unwrap();
    let out = cmd
        .current_dir(manifest_dir())
        .env("PATH", path_env())
        .env("HOME", home.path())
        .env_remove("BASH_ENV")
        .stdin(Stdio::null())
        .output()
        .expect("the shell runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed: {out:?}");
    assert!(
        stderr.is_empty(),
        "completion must not write on the terminal: {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------
// bash

/// What bash completion did.
#[derive(Debug)]
struct BashReply {
    /// The words offered, whole (bash replaces the last COMP_WORD only: the part of the word
    /// before it is put back, so that every shell's answers compare alike).
    words: Vec<String>,
    /// `compopt` calls, e.g. `-o nospace`.
    compopt: Vec<String>,
}

/// COMP_WORDS as readline splits `line`: at blanks, and around `=` and `:` (of
/// COMP_WORDBREAKS), which make words of their own.
fn bash_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut breaks = false;
    for c in line.chars() {
        if c == ' ' {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let is_break = c == '=' || c == ':';
        if !word.is_empty() && is_break != breaks {
            words.push(std::mem::take(&mut word));
        }
        breaks = is_break;
        word.push(c);
    }
    words.push(word);
    words
}

const BASH_HARNESS: &str = r#"
script=$1 line=$2
shift 2
source "$script" || exit 97
spec=$(complete -p kubectl-netpol) || exit 98
fn=${spec##* -F }
fn=${fn%% *}
defaults=0
[[ " $spec " == *" -o default "* ]] && defaults=1
compopt() {
    printf 'compopt %s\n' "$*"
    [[ "$*" == "+o default" ]] && defaults=0
    return 0
}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=9
COMP_KEY=9
COMPREPLY=()
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
if ((${#COMPREPLY[@]} == 0 && defaults)); then
    # readline's own file name completion, as `-o default` asks.
    COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
fi
for reply in "${COMPREPLY[@]}"; do
    printf 'reply %s\n' "$reply"
done
"#;

/// Completes `line` (the cursor at its end) with bash and the shipped script.
fn bash(line: &str) -> BashReply {
    let words = bash_words(line);
    let last = words.last().unwrap();
    let before = &line[..line.len() - last.len()];
    // The part of the shell word before the last COMP_WORD (`--output=` of `--output=j`).
    let word_start = before.rfind(' ').map_or(0, |i| i + 1);
    let kept = &before[word_start..];
    let out = run(Command::new("/usr/bin/bash")
        .arg("--norc")
        .arg("--noprofile")
        .arg("-c")
        .arg(BASH_HARNESS)
        .arg("bash")
        .arg(script("kubectl-netpol.bash"))
        .arg(line)
        .args(&words));
    let mut reply = BashReply {
        words: Vec::new(),
        compopt: Vec::new(),
    };
    for l in out.lines() {
        if let Some(w) = l.strip_prefix("reply ") {
            reply.words.push(format!("{kept}{w}"));
        } else if let Some(o) = l.strip_prefix("compopt ") {
            reply.compopt.push(o.to_string());
        } else {
            panic!("unexpected output {l:?} in {out}");
        }
    }
    reply
}

// ---------------------------------------------------------------------------------------
// zsh

/// Runs in the interactive zsh of the pseudo-terminal: loads the completion system and the
/// script, records what compadd is given, and writes `done` when a completion is over.
const ZSH_SETUP: &str = r#"
PROMPT='' RPROMPT='' PS2=''
autoload -Uz compinit && compinit -u -D
source "$NETPOL_SCRIPT"
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
    local -a __hits
    if [[ " $* " == *" -"[OAD]" "* ]]; then
        builtin compadd "$@"
        return
    fi
    builtin compadd -O __hits "$@"
    local -A __o
    zparseopts -E -A __o p: P: s: S: W: i: I:
    local h
    (( $#__hits && ${+__o[-S]} )) && [[ -z ${__o[-S]} ]] && print -r -- nospace >> $NETPOL_OUT
    for h in $__hits; do
        print -r -- "match $IPREFIX${__o[-P]}${__o[-p]}$h" >> $NETPOL_OUT
    done
    builtin compadd "$@"
}
__netpol_done() { print -r -- done >> $NETPOL_OUT.done }
comppostfuncs=(__netpol_done)
print ready
"#;

/// Outer zsh: starts the interactive one in a pseudo-terminal, waits for it, types the line
/// and a TAB, waits (20 s at most) for the completion to be over.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty zsh/datetime || exit 96
setup=$1 line=$2
zpty netpol 'zsh -f -i'
zpty -w netpol "source ${(q)setup}"
local out deadline=$(( EPOCHREALTIME + 20 ))
while (( EPOCHREALTIME < deadline )); do
    zpty -r -t netpol out && [[ $out == *ready* ]] && break
    [[ $out == *ready* ]] && break
    sleep 0.05
done
zpty -w -n netpol "$line"$'\t'
while [[ ! -s $NETPOL_OUT.done ]] && (( EPOCHREALTIME < deadline )); do
    zpty -r -t netpol out
    sleep 0.05
done
zpty -d netpol
[[ -s $NETPOL_OUT.done ]] || exit 95
"#;

/// The matches zsh keeps for `line`, and whether it adds no space after them.
fn zsh(zsh: &Path, line: &str) -> (Vec<String>, bool) {
    let dir = tempfile::tempdir().unwrap();
    let setup = dir.path().join("setup.zsh");
    std::fs::write(&setup, ZSH_SETUP).unwrap();
    let out = dir.path().join("matches");
    std::fs::write(&out, "").unwrap();
    run(Command::new(zsh)
        .arg("-f")
        .arg("-c")
        .arg(ZSH_DRIVER)
        .arg("zsh")
        .arg(&setup)
        .arg(line)
        .env("NETPOL_SCRIPT", script("_kubectl-netpol"))
        .env("NETPOL_OUT", &out));
    let text = std::fs::read_to_string(&out).unwrap();
    let matches = text
        .lines()
        .filter(|l| *l != "nospace")
        .map(|l| l.strip_prefix("match ").expect("a match").to_string())
        .collect();
    (matches, text.lines().any(|l| l == "nospace"))
}

// ---------------------------------------------------------------------------------------
// fish

/// The candidates `complete -C` gives for `line`.
fn fish(fish: &Path, line: &str) -> Vec<String> {
    let mut cmd = Command::new(fish);
    // fish 3.6 and later; before it, the empty HOME of `run` keeps the configuration out.
    if succeeds(fish, &["--no-config", "-c", "true"]) {
        cmd.arg("--no-config");
    }
    let out = run(cmd
        .arg("-c")
        .arg("source $argv[1]; complete -C $argv[2]")
        .arg(script("kubectl-netpol.fish"))
        .arg(line));
    out.lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// kubectl's protocol

/// An answer in cobra's protocol.
#[derive(Debug)]
struct Protocol {
    values: Vec<String>,
    directive: u32,
}

fn protocol(out: &str) -> Protocol {
    let mut lines: Vec<&str> = out.lines().collect();
    let last = lines.pop().expect("a directive line");
    let directive = last
        .strip_prefix(':')
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("the last line is :DIRECTIVE, not {last:?}"));
    let values = lines
        .iter()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    Protocol { values, directive }
}

/// `kubectl netpol WORDS<TAB>`: kubectl runs `kubectl_complete-netpol WORDS` from PATH,
/// the word being completed last (empty after a space).
fn kubectl_complete(words: &[String]) -> Protocol {
    protocol(&run(Command::new("/bin/sh")
        .arg("-c")
        .arg("exec kubectl_complete-netpol \"$@\"")
        .arg("kubectl_complete-netpol")
        .args(words)))
}

/// The same through kubectl itself (`kubectl __complete netpol WORDS`, what kubectl's own
/// completion scripts run), which finds `kubectl_complete-netpol` on PATH.
fn through_kubectl(kubectl: &Path, words: &[String]) -> Protocol {
    let out = Command::new(kubectl)
        .arg("__complete")
        .arg("netpol")
        .args(words)
        .current_dir(manifest_dir())
        .env("PATH", path_env())
        .env("KUBECONFIG", "/nonexistent")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    protocol(&String::from_utf8(out.stdout).unwrap())
}

/// The words after the program name, the last one being completed.
fn after_program(line: &str) -> Vec<String> {
    let mut words: Vec<String> = line.split(' ').skip(1).map(String::from).collect();
    if words.is_empty() {
        words.push(String::new());
    }
    words
}

// ---------------------------------------------------------------------------------------
// The cases, the same for every shell

/// What a line must complete to.
enum Want {
    /// Exactly these words, in any order.
    Words(Vec<String>),
    /// At least these.
    Some(Vec<String>),
    /// File names (the last component, directories without `/`), exactly: of manifests.
    Files(Vec<String>),
}

struct Case {
    line: String,
    want: Want,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The enumerated values of a flag, from the CLI definition.
fn possible(sub: &str, long: &str) -> Vec<String> {
    let cmd = Cli::command();
    let sub = cmd.find_subcommand(sub).unwrap();
    let arg = sub
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .unwrap();
    arg.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// A directory of files of every kind, for file completion.
fn files_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["a.yaml", "b.yml", "c.json", "notes.txt", "d.yaml.orig"] {
        std::fs::write(dir.path().join(f), "").unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    dir
}

fn cases(files: &Path) -> Vec<Case> {
    let files = files.display();
    let case = |line: &str, want: Want| Case {
        line: line.to_string(),
        want,
    };
    vec![
        case("kubectl-netpol ca", Want::Words(strings(&["can-reach"]))),
        case("kubectl-netpol ma", Want::Words(strings(&["matrix"]))),
        case(
            "kubectl-netpol ",
            Want::Some(strings(&["can-reach", "matrix", "check", "diff"])),
        ),
        case(
            "kubectl-netpol can-reach --p",
            Want::Words(strings(&["--port"])),
        ),
        case(
            "kubectl-netpol matrix --no-",
            Want::Words(strings(&["--no-external"])),
        ),
        case(
            "kubectl-netpol can-reach --cni ",
            Want::Words(possible("can-reach", "cni")),
        ),
        case(
            "kubectl-netpol matrix -o ",
            Want::Words(possible("matrix", "output")),
        ),
        case("kubectl-netpol matrix -o c", Want::Words(strings(&["csv"]))),
        case(
            "kubectl-netpol matrix --output=j",
            Want::Words(strings(&["--output=json"])),
        ),
        case("kubectl-netpol --color n", Want::Words(strings(&["never"]))),
        case(
            "kubectl-netpol can-reach -f testdata/demo sh",
            Want::Words(strings(&["shop/"])),
        ),
        case(
            "kubectl-netpol can-reach -f testdata/demo ",
            Want::Words(strings(&[
                "ingress-nginx/",
                "kube-system/",
                "monitoring/",
                "shop/",
            ])),
        ),
        case(
            "kubectl-netpol can-reach -f testdata/demo shop/",
            Want::Some(strings(&["shop/frontend", "shop/db", "shop/svc/api"])),
        ),
        case(
            "kubectl-netpol can-reach -f testdata/demo shop/frontend shop/d",
            Want::Words(strings(&["shop/db"])),
        ),
        case(
            "kubectl-netpol check testdata/demo -n kube-",
            Want::Words(strings(&["kube-system"])),
        ),
        case(
            "kubectl-netpol matrix testdata/demo --to=shop/deploy/f",
            Want::Words(strings(&["--to=shop/deploy/frontend"])),
        ),
        // No manifests on the line: nothing to offer, and no file names either.
        case(
            "kubectl-netpol can-reach -n shop shop/frontend fr",
            Want::Words(Vec::new()),
        ),
        case(
            &format!("kubectl-netpol can-reach -f {files}/"),
            Want::Files(strings(&["a.yaml", "b.yml", "c.json", "sub"])),
        ),
        case(
            &format!("kubectl-netpol matrix {files}/"),
            Want::Files(strings(&["a.yaml", "b.yml", "c.json", "sub"])),
        ),
        case(
            &format!("kubectl-netpol can-reach --filename={files}/a"),
            Want::Files(strings(&["a.yaml"])),
        ),
    ]
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn file_names(v: &[String]) -> Vec<String> {
    sorted(
        v.iter()
            .map(|w| {
                let w = w.trim_end_matches('/');
                w.rsplit('/').next().unwrap_or(w).to_string()
            })
            .collect(),
    )
}

/// Checks `got` against the case; returns a description of the mismatch.
fn check(case: &Case, got: &[String]) -> Option<String> {
    let ok = match &case.want {
        Want::Words(w) => sorted(got.to_vec()) == sorted(w.clone()),
        Want::Some(w) => w.iter().all(|w| got.contains(w)),
        Want::Files(w) => file_names(got) == sorted(w.clone()),
    };
    let want = match &case.want {
        Want::Words(w) => format!("exactly {w:?}"),
        Want::Some(w) => format!("at least {w:?}"),
        Want::Files(w) => format!("the files {w:?}"),
    };
    (!ok).then(|| format!("{:?}: want {want}, got {got:?}", case.line))
}

fn assert_all(shell: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{shell} completes wrongly:\n{}",
        failures.join("\n")
    );
}

#[test]
fn bash_completes_kubectl_netpol() {
    let files = files_dir();
    let failures = cases(files.path())
        .iter()
        .filter_map(|case| check(case, &bash(&case.line).words))
        .collect();
    assert_all("bash", failures);
}

#[test]
fn bash_follows_the_directives() {
    // A namespace is followed by a name: no space after `shop/`.
    let r = bash("kubectl-netpol can-reach -f testdata/demo sh");
    assert!(r.compopt.iter().any(|o| o == "-o nospace"), "{r:?}");
    // A pod name is a whole word; and no file names where none are wanted.
    let r = bash("kubectl-netpol can-reach -f testdata/demo shop/fron");
    assert_eq!(r.words, ["shop/frontend"]);
    assert!(!r.compopt.iter().any(|o| o == "-o nospace"), "{r:?}");
    assert!(r.compopt.iter().any(|o| o == "+o default"), "{r:?}");
    // Paths: the shell's file names, directories marked as such.
    let r = bash("kubectl-netpol matrix testdata/de");
    assert_eq!(r.words, ["testdata/demo"]);
    assert!(r.compopt.iter().any(|o| o == "-o filenames"), "{r:?}");
    // `--kubeconfig` takes any file.
    let files = files_dir();
    let r = bash(&format!(
        "kubectl-netpol matrix --kubeconfig {}/n",
        files.path().display()
    ));
    assert_eq!(file_names(&r.words), ["notes.txt"], "{r:?}");
}

#[test]
fn bash_registers_the_function_for_the_program() {
    let out = run(Command::new("/usr/bin/bash")
        .arg("--norc")
        .arg("-c")
        .arg("source \"$1\" && complete -p kubectl-netpol")
        .arg("bash")
        .arg(script("kubectl-netpol.bash")));
    assert!(out.contains(" -F "), "{out}");
    // POSIX mode (bash as /bin/sh) loads it too.
    run(Command::new("/usr/bin/bash")
        .arg("--posix")
        .arg("-c")
        .arg("source \"$1\" && complete -p kubectl-netpol >/dev/null")
        .arg("bash")
        .arg(script("kubectl-netpol.bash")));
}

/// Whether `program ARGS` runs and succeeds.
fn succeeds(program: &Path, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn zsh_completes_kubectl_netpol() {
    let Some(zsh_bin) = installed("zsh") else {
        eprintln!("note: zsh is not installed; its completion script is not tried");
        return;
    };
    if !succeeds(&zsh_bin, &["-fc", "zmodload zsh/zpty"]) {
        eprintln!("note: zsh has no zsh/zpty module; its completion script is not tried");
        return;
    }
    let files = files_dir();
    let failures = cases(files.path())
        .iter()
        .filter_map(|case| check(case, &zsh(&zsh_bin, &case.line).0))
        .collect();
    assert_all("zsh", failures);
    // A namespace is followed by a name: no space after `shop/`; after a pod, one.
    let (m, nospace) = zsh(&zsh_bin, "kubectl-netpol can-reach -f testdata/demo sh");
    assert!(nospace, "{m:?}");
    let (m, nospace) = zsh(
        &zsh_bin,
        "kubectl-netpol can-reach -f testdata/demo shop/fron",
    );
    assert!(!nospace, "{m:?}");
}

#[test]
fn fish_completes_kubectl_netpol() {
    let Some(fish_bin) = installed("fish") else {
        eprintln!("note: fish is not installed; its completion script is not tried");
        return;
    };
    let files = files_dir();
    let failures = cases(files.path())
        .iter()
        .filter_map(|case| check(case, &fish(&fish_bin, &case.line)))
        .collect();
    assert_all("fish", failures);
}

/// The protocol answers the same cases; paths are left to the shell (FilterFileExt).
fn protocol_failures(complete: impl Fn(&[String]) -> Protocol) -> Vec<String> {
    let files = files_dir();
    let mut failures = Vec::new();
    for case in cases(files.path()) {
        let got = complete(&after_program(&case.line));
        if let Want::Files(_) = case.want {
            if got.directive != 8 || sorted(got.values.clone()) != ["json", "yaml", "yml"] {
                failures.push(format!("{:?}: want manifests (:8), got {got:?}", case.line));
            }
        } else if let Some(f) = check(&case, &got.values) {
            failures.push(f);
        }
    }
    failures
}

#[test]
fn kubectl_complete_netpol_answers_kubectl() {
    assert_all(
        "kubectl_complete-netpol",
        protocol_failures(kubectl_complete),
    );
    let p = kubectl_complete(&after_program(
        "kubectl-netpol can-reach -f testdata/demo sh",
    ));
    assert_eq!(p.directive, 6, "NoSpace and NoFileComp after a namespace");
}

#[test]
fn kubectl_netpol_completes_through_kubectl() {
    let Some(kubectl) = installed("kubectl") else {
        eprintln!("note: kubectl is not installed; `kubectl netpol <TAB>` is not tried");
        return;
    };
    // Plugin completion came with kubectl 1.26.
    let version = Command::new(&kubectl)
        .args(["version", "--client", "-o", "json"])
        .output()
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    let minor = version
        .as_ref()
        .and_then(|v| v["clientVersion"]["minor"].as_str())
        .and_then(|m| m.trim_end_matches('+').parse::<u32>().ok());
    if minor.is_none_or(|m| m < 26) {
        eprintln!(
            "note: kubectl older than 1.26 (or unknown); `kubectl netpol <TAB>` is not tried"
        );
        return;
    }
    assert_all(
        "kubectl netpol",
        protocol_failures(|words| through_kubectl(&kubectl, words)),
    );
}

#[test]
fn the_scripts_call_the_program_of_the_line() {
    // The scripts ask the hidden command, so they need no update when flags change.
    for (file, needle) in [
        ("kubectl-netpol.bash", "__complete"),
        ("_kubectl-netpol", "__complete"),
        ("kubectl-netpol.fish", "__complete"),
        (
            "kubectl_complete-netpol",
            "kubectl-netpol __complete \"$@\"",
        ),
    ] {
        let text = std::fs::read_to_string(script(file)).unwrap();
        assert!(text.contains(needle), "{file}");
    }
}

//! The command line: clap definitions, and one file per subcommand. Each subcommand resolves
//! its arguments, calls the library, renders, and returns an exit status:
//! 0 success (allowed / no findings), 1 the negative answer (denied / findings), 2 usage or
//! input errors.

pub mod can_reach;
pub mod check;
pub mod check_fix;
pub mod cluster;
pub mod complete;
pub mod completions;
pub mod diff;
pub mod generate;
pub mod inputs;
pub mod matrix;
pub mod migrate;
pub mod replay;
pub mod report;
pub mod rules;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::report::style::ColorChoice;

/// Offline Kubernetes network-policy simulator and linter.
///
/// Reads the manifests you already have (files, directories, globs, `-` for stdin), or the
/// live cluster with `--from-cluster`: NetworkPolicies of every generation,
/// AdminNetworkPolicies and Calico's policies, and computes exactly what the cluster would
/// allow.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-netpol",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Can FROM open a connection to TO? Says yes or no, and why.
    CanReach(can_reach::Args),
    /// Who may reach whom: every pair of pods, workloads and external ranges at once.
    Matrix(matrix::Args),
    /// What a change opens or closes: connections opened, closed and changed, and why.
    Diff(diff::Args),
    /// What new manifests would drop of recorded traffic (Hubble flows or a CSV), and why.
    Replay(replay::Args),
    /// Check manifests against the rule catalogue (for CI and pre-commit).
    Check(check::Args),
    /// List the rules of `check`, or document one.
    Rules(rules::Args),
    /// Rewrite alpha and beta NetworkPolicies as networking.k8s.io/v1, keeping what is allowed.
    Migrate(migrate::Args),
    /// Write least-privilege NetworkPolicies for the flows that must happen, and prove them.
    Generate(generate::Args),
    /// Write one self-contained HTML page: the matrix as a heat map, why each cell, findings.
    Report(report::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
}

/// The version `--version` prints: that of Cargo.toml, then the commit built and its date
/// when known (`0.1.0 (commit 0123456789ab, 2026-12-07)`; see build.rs).
pub const VERSION: &str = env!("KUBECTL_NETPOL_VERSION");

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the negative answer (denied, findings).
pub const EXIT_NO: u8 = 1;
/// Exit status: usage or input error.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line.
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The hidden `__complete` command (kubectl's plugin completion).
    if let Some(code) = complete::intercept(&argv) {
        return ExitCode::from(code);
    }
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        // `SUBCOMMAND --version` too names the program, not `kubectl-netpol-SUBCOMMAND`.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            print(&format!("kubectl-netpol {VERSION}\n"));
            return ExitCode::from(EXIT_OK);
        }
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::CanReach(args) => can_reach::run(args, cli.color),
        Command::Check(args) => check::run(args, cli.color),
        Command::Rules(args) => rules::run(args),
        Command::Migrate(args) => migrate::run(args, cli.color),
        Command::Completions(args) => completions::run(args),
        Command::Matrix(args) => matrix::run(args, cli.color),
        Command::Report(args) => report::run(args, cli.color),
        Command::Diff(args) => diff::run(args, cli.color),
        Command::Replay(args) => replay::run(args, cli.color),
        Command::Generate(args) => generate::run(args, cli.color),
    };
    ExitCode::from(code)
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        // The reader went away; nothing else to do.
    }
}

//! Shell completion scripts, generated from the clap definition (clap_complete). The copies
//! in `completions/` are checked against it by a test, so they never go stale.

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Arguments of the completions command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells a script is shipped for in `completions/`, with their file names.
pub const SHIPPED: [(Shell, &str); 4] = [
    (Shell::Bash, "kubectl-netpol.bash"),
    (Shell::Zsh, "_kubectl-netpol"),
    (Shell::Fish, "kubectl-netpol.fish"),
    (Shell::PowerShell, "kubectl-netpol.ps1"),
];

/// The completion script for a shell.
pub fn render(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "kubectl-netpol", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}

/// Prints the script.
pub fn run(args: Args) -> u8 {
    super::print(&render(args.shell));
    super::EXIT_OK
}

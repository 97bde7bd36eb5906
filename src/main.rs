//! The `kubectl-netpol` binary: parse arguments, run, map the outcome to an exit status.

fn main() -> std::process::ExitCode {
    kubectl_netpol::cli::main()
}

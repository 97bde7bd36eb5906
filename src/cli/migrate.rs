//! `kubectl netpol migrate [PATH...]`: networking.k8s.io/v1 YAML for alpha and beta policies.

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_OK, print};
use crate::model::migrate::{Migrated, migrate};
use crate::report::style::{ColorChoice, Painter};
use crate::report::yaml::network_policy;

/// Arguments of migrate.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Prints, as multi-document YAML, a networking.k8s.io/v1 NetworkPolicy for every
net.alpha.kubernetes.io/v1alpha1 and extensions/v1beta1 policy of the input, and a default-deny
ingress policy for every namespace isolated by annotation; policies that have no effect where
they are are left out (in v1 they would start to take effect), with a comment saying why.
What is allowed before and after is the same. Use --isolation-model=annotation for clusters
of Kubernetes 1.3 to 1.6.")]
pub struct Args {
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs migrate.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let session = match args.input.resolve(&args.paths).load(&err, Problems::Print) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut out = String::new();
    let migrated = migrate(&session.cluster);
    for m in &migrated {
        match m {
            Migrated::Policy { policy, from, what } => {
                out.push_str(&format!(
                    "---\n# from {what} ({})\n",
                    session.sources.file_line(*from)
                ));
                out.push_str(&network_policy(policy));
            }
            Migrated::Skipped { from, why } => {
                out.push_str(&format!(
                    "---\n# skipped ({}): {why}\n",
                    session.sources.file_line(*from)
                ));
            }
        }
    }
    if migrated.is_empty() {
        eprintln!(
            "note: no net.alpha.kubernetes.io or extensions/v1beta1 policy, and no namespace isolated by annotation: nothing to migrate"
        );
    } else {
        out.push_str("---\n# Once applied, the legacy policies and the namespaces' isolation annotations can be removed.\n");
    }
    print(&out);
    if session.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

//! `kubectl netpol report [PATH...] -o FILE.html`: one self-contained HTML page with the
//! reachability matrix as a heat map, the explanation of each cell, and the `check` findings.

use std::path::PathBuf;

use super::check::load_config_file;
use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_OK, print};
use crate::engine::matrix::Matrix;
use crate::lint::{Context, RunOptions, run as run_rules};
use crate::report::html::{self, Page, collect};
use crate::report::style::{ColorChoice, Painter};

/// The file written when `-o` is not given.
pub const DEFAULT_OUTPUT: &str = "netpol-report.html";

/// Arguments of report.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The page needs no server and makes no network request: open it in a browser (file://), attach
it to a ticket, or publish it as a CI artifact. It shows the matrix as a heat map grouped by
namespace (sources are rows, destinations columns; colour: denied, some ports, every port),
with filters; hovering or clicking a cell shows the allowed ports and, for each side, whether
it is isolated, by which policies, and which rules allow (file:line). The findings of `check`
follow, with a severity filter.

Exit status: 0 when the page is written, 2 on a usage or input error (the page is still
written when the input had errors).")]
pub struct Args {
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The HTML file to write, or - for standard output.
    #[arg(short = 'o', long, value_name = "FILE", default_value = DEFAULT_OUTPUT)]
    pub output: PathBuf,
    /// Leave out the findings of `check`.
    #[arg(long)]
    pub no_findings: bool,
    /// The configuration of `check` for the findings (instead of looking for .netpol.yaml).
    #[arg(long, value_name = "FILE", conflicts_with = "no_findings")]
    pub config: Option<PathBuf>,
    /// Use no configuration file for the findings.
    #[arg(long, conflicts_with_all = ["config", "no_findings"])]
    pub no_config: bool,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs report.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err = Painter::new(color.stderr());
    let session = match args.input.resolve(&args.paths).load(&err, Problems::Print) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut sources = session.sources;
    let files = sources.files().len();
    let cluster = &session.cluster;
    let findings = if args.no_findings {
        None
    } else {
        let config =
            match load_config_file(args.config.as_deref(), args.no_config, &mut sources, &err) {
                Ok(c) => c,
                Err(code) => return code,
            };
        let mut cx = Context::new(cluster, &sources, &session.problems);
        cx.default_namespace = args.input.namespace();
        Some(run_rules(&cx, &config, &RunOptions::default()))
    };
    let matrix = Matrix::compute(cluster);
    let explained = collect::explanations(cluster, &matrix, collect::Limits::default());
    let page = html::render(&Page {
        cluster,
        sources: &sources,
        matrix: &matrix,
        explained: &explained,
        findings: findings.as_deref(),
        files,
        inputs: args.input.paths(&args.paths),
        errors: session.errors,
    });
    if args.output.as_os_str() == "-" {
        print(&page);
    } else {
        if let Err(e) = std::fs::write(&args.output, &page) {
            eprintln!(
                "{} {}: cannot write the report: {e}",
                err.bad("error:"),
                args.output.display()
            );
            return EXIT_ERROR;
        }
        print(&format!("wrote {}\n", args.output.display()));
    }
    if session.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

//! `kubectl netpol report [PATH...] [-o html|json] [--output-file FILE]`: one self-contained
//! HTML page with the reachability matrix as a heat map, the explanation of each cell, and the
//! `check` findings; or the document the page renders, as JSON.
//!
//! As in every subcommand, `-o` is the output format; the file is `--output-file` (`-O`).

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::ValueEnum;
use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};

use super::check::load_config_file;
use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_OK, print};
use crate::engine::compile::Compiled;
use crate::engine::matrix::Matrix;
use crate::lint::{Context, RunOptions, run as run_rules};
use crate::report::html::{self, Page, collect};
use crate::report::style::{ColorChoice, Painter};

/// The file the HTML page is written to when `--output-file` is not given.
pub const DEFAULT_OUTPUT: &str = "netpol-report.html";

/// Output formats of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One self-contained HTML page (by default written to netpol-report.html).
    Html,
    /// The document the page renders, as JSON (by default on standard output).
    Json,
}

/// Parses `-o` as a [`Format`]; a value that looks like a path (`-o out.html`, `-o -`) is
/// refused with the flag that writes to it.
#[derive(Clone, Copy, Debug)]
pub struct FormatParser;

impl TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Format, clap::Error> {
        let text = value.to_string_lossy();
        if Format::from_str(&text, true).is_err() && looks_like_path(&text) {
            let hint = format!(
                "-o is the output format (html or json); to write to {text}, use --output-file {text}"
            );
            let refuse = move |_: &str| -> Result<Format, String> { Err(hint.clone()) };
            return refuse.parse_ref(cmd, arg, value);
        }
        EnumValueParser::<Format>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Format::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// Whether a value of `-o` is a file rather than a format: `-`, or a name with a dot or a
/// path separator.
fn looks_like_path(text: &str) -> bool {
    text == "-" || text.contains(['.', '/', '\\'])
}

/// Arguments of report.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The page needs no server and makes no network request: open it in a browser (file://), attach
it to a ticket, or publish it as a CI artifact. It shows the matrix as a heat map grouped by
namespace (sources are rows, destinations columns; colour: denied, some ports, every port),
with filters; hovering or clicking a cell shows the allowed ports and, for each side, whether
it is isolated, by which policies, and which rules allow (file:line). The findings of `check`
follow, with a severity filter.

-o json prints the same data as a JSON document (version 2; the page embeds it in a
<script type=\"application/json\" id=\"netpol-data\"> element): the members, the class grid,
the explanations and the findings, for scripts.

Exit status: 0 when the page is written, 2 on a usage or input error (the page is still
written when the input had errors), or when the matrix has more classes than --max-classes
(no page is written).")]
pub struct Args {
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format: html (the page) or json (the document it renders).
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "html", value_parser = FormatParser)]
    pub output: Format,
    /// The file to write, or - for standard output [default: netpol-report.html for html,
    /// standard output for json].
    #[arg(short = 'O', long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub output_file: Option<PathBuf>,
    /// Leave out the findings of `check`.
    #[arg(long)]
    pub no_findings: bool,
    /// Most classes of the matrix a page draws (the browser holds classes² cells); above,
    /// report refuses with exit status 2 instead of writing a page no browser opens.
    #[arg(long, value_name = "N", default_value_t = MAX_CLASSES)]
    pub max_classes: usize,
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

/// Most classes a report draws by default (`--max-classes`): its page decodes the class grid into classes² cells (at
/// 8,192 classes, 67 million cells, 268 MB in the browser).
pub const MAX_CLASSES: usize = 8_192;

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
    // The page holds the class grid (the browser decodes it into classes² cells): refuse,
    // before the matrix and the findings are computed, a cluster whose grid no page can hold.
    let compiled = Compiled::new(cluster);
    if compiled.classes() > args.max_classes {
        eprintln!(
            "{} the matrix has {} classes ({} cells), more than one page can draw (--max-classes {}); report on part of the cluster (fewer files: a team's directory, some namespaces), or use `matrix -o json` or `matrix -o list` for the whole of it",
            err.bad("error:"),
            compiled.classes(),
            compiled.classes() * compiled.classes(),
            args.max_classes
        );
        return EXIT_ERROR;
    }
    // The rules and the page share the compiled model (and the matrix): made once.
    let (findings, matrix) = if args.no_findings {
        (None, Matrix::of(&compiled))
    } else {
        let config =
            match load_config_file(args.config.as_deref(), args.no_config, &mut sources, &err) {
                Ok(c) => c,
                Err(code) => return code,
            };
        let mut cx = Context::new(cluster, &sources, &session.problems).with_compiled(compiled);
        cx.default_namespace = args.input.namespace();
        let findings = run_rules(&cx, &config, &RunOptions::default());
        (Some(findings), Matrix::of(cx.compiled()))
    };
    let explained = collect::explanations(cluster, &matrix, collect::Limits::default());
    let page = Page {
        cluster,
        sources: &sources,
        matrix: &matrix,
        explained: &explained,
        findings: findings.as_deref(),
        files,
        inputs: args.input.paths(&args.paths),
        errors: session.errors,
    };
    let (text, default) = match args.output {
        Format::Html => (html::render(&page), Some(DEFAULT_OUTPUT)),
        Format::Json => (
            serde_json::to_string_pretty(&html::data(&page)).expect("JSON values serialize") + "\n",
            None,
        ),
    };
    let file = args.output_file.or_else(|| default.map(PathBuf::from));
    match file {
        Some(path) if path.as_os_str() != "-" => {
            if let Err(e) = std::fs::write(&path, &text) {
                eprintln!(
                    "{} {}: cannot write the report: {e}",
                    err.bad("error:"),
                    path.display()
                );
                return EXIT_ERROR;
            }
            print(&format!("wrote {}\n", path.display()));
        }
        _ => print(&text),
    }
    if session.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

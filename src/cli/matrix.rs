//! `kubectl netpol matrix [PATH...]`: every pair at once. Sources are rows, destinations are
//! columns; the members are the pods and workloads, and the external address ranges the
//! ipBlocks cut the address space into.

use std::net::IpAddr;
use std::str::FromStr;

use clap::ValueEnum;

use super::inputs::{InputArgs, Problems};
use super::{EXIT_ERROR, EXIT_OK};
use crate::engine::matrix::Matrix;
use crate::model::Cluster;
use crate::model::ip::{AddrRange, Family, parse_cidr};
use crate::model::ports::{PortQuery, QueryPort};
use crate::report::matrix::{self, GroupBy, View};
use crate::report::style::{ColorChoice, Painter};

/// Output formats of matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A grid for the terminal: numbered columns, compact cells.
    Table,
    /// One allowed connection per line: `src => dst : TCP 80`.
    List,
    /// The matrix as data (versioned).
    Json,
    /// The grid as CSV, with full names.
    Csv,
    /// The grid as a Markdown table.
    Md,
    /// A Graphviz graph of the allowed connections.
    Dot,
    /// A Mermaid flowchart of the allowed connections (GitHub, GitLab and wikis draw it).
    Mermaid,
}

/// `--group-by`: how members are gathered into rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    /// Members the matrix cannot tell apart share a row (the default).
    Class,
    /// As `class`, one row per workload of each class.
    Workload,
    /// Every pod and workload its own row.
    Pod,
}

impl From<GroupByArg> for GroupBy {
    fn from(g: GroupByArg) -> GroupBy {
        match g {
            GroupByArg::Class => GroupBy::Class,
            GroupByArg::Workload => GroupBy::Workload,
            GroupByArg::Pod => GroupBy::Pod,
        }
    }
}

/// Arguments of matrix.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
PATTERN (--from, --to; repeatable, a member matching any of them is shown):
  shop              a namespace (a bare word; globs work: 'team-*')
  'shop/*'          a glob over member names: shop/web (a pod), shop/deploy/web (a workload);
                    '*/deploy/web', 'shop/sts/*'
  external          every external address range (a namespace called external: 'external/*')
  10.0.0.0/8        the external ranges that overlap a CIDR, or hold an IP address
Without --from (--to), every member is a row (column); with -n NAMESPACE given, only the
members of that namespace.

A cell holds the ports the source may open towards the destination; with --port, whether it
may open that one (a named port is resolved on each destination, and denied where it does
not resolve). Two external ranges make no pair: their cell is blank.

Rows and columns are units: members the matrix cannot tell apart (they reach, and are
reached by, every member on the same ports) share one, named after what they have in common
(`shop/deploy/web (12 pods)`); --group-by workload splits them by workload, --group-by pod
lists every member. A table wider than the terminal is shown as one block per source.

Exit status: 0 success, 2 usage or input error.")]
pub struct Args {
    /// Manifest files, directories or globs (like -f).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Only these sources (rows). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub from: Vec<Pattern>,
    /// Only these destinations (columns). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub to: Vec<Pattern>,
    /// Leave out the external address ranges.
    #[arg(long)]
    pub no_external: bool,
    /// Only this port: 80, 80/TCP, 53/UDP, or a container port name of each destination.
    #[arg(short = 'p', long, value_name = "PORT[/PROTO]")]
    pub port: Option<PortQuery>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// How members are gathered into rows and columns: class (members the matrix cannot tell
    /// apart share one), workload (as class, split by workload), pod (every member).
    #[arg(long, value_enum, value_name = "HOW", default_value_t = GroupByArg::Class)]
    pub group_by: GroupByArg,
    /// The width the table must fit, in columns [default: $COLUMNS when set, else the
    /// terminal's; no limit when the output is not a terminal]. 0: no limit.
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// A `--from`/`--to` pattern.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// `external`: every external range.
    External,
    /// A CIDR or an IP address: the external ranges that overlap it.
    Addresses {
        /// The addresses.
        range: AddrRange,
        /// As typed.
        text: String,
    },
    /// A bare word: the members of the namespaces it matches (a glob).
    Namespace(glob::Pattern),
    /// A word with `/`: the pods and workloads whose name (`shop/deploy/api`) it matches.
    Name(glob::Pattern),
}

impl FromStr for Pattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("empty pattern".into());
        }
        if s == "external" {
            return Ok(Pattern::External);
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            let len = if ip.is_ipv4() { 32 } else { 128 };
            let net = ipnet::IpNet::new(ip, len).map_err(|e| e.to_string())?;
            return Ok(Pattern::Addresses {
                range: AddrRange::from_net(&net),
                text: s.into(),
            });
        }
        if let Some((addr, _)) = s.split_once('/')
            && addr.parse::<IpAddr>().is_ok()
        {
            let net = parse_cidr(s)?;
            return Ok(Pattern::Addresses {
                range: AddrRange::from_net(&net),
                text: s.into(),
            });
        }
        let glob =
            glob::Pattern::new(s).map_err(|e| format!("`{s}` is not a valid glob: {}", e.msg))?;
        Ok(if s.contains('/') {
            Pattern::Name(glob)
        } else {
            Pattern::Namespace(glob)
        })
    }
}

impl Pattern {
    /// The members it selects, in matrix order; Err when it cannot mean anything here (an
    /// unknown namespace, a name no member has).
    pub fn select(
        &self,
        cluster: &Cluster,
        matrix: &Matrix,
        no_external: bool,
    ) -> Result<Vec<usize>, String> {
        let endpoints = 0..matrix.endpoints;
        let externals = matrix.endpoints..matrix.len();
        let refuse_external = |what: &str| {
            Err(format!(
                "{what} selects external ranges, and --no-external leaves them out"
            ))
        };
        match self {
            Pattern::External if no_external => refuse_external("`external`"),
            Pattern::External => Ok(externals.collect()),
            Pattern::Addresses { text, .. } if no_external => refuse_external(&format!("`{text}`")),
            Pattern::Addresses { range, text } => {
                let hit: Vec<usize> = externals
                    .filter(|&m| overlaps(&matrix.externals[m - matrix.endpoints], range))
                    .collect();
                if hit.is_empty() {
                    let family = if range.family == Family::V6 {
                        "IPv6"
                    } else {
                        "IPv4"
                    };
                    return Err(format!(
                        "`{text}`: the matrix has no {family} ranges, as no policy has an {family} ipBlock"
                    ));
                }
                Ok(hit)
            }
            Pattern::Namespace(glob) => {
                if !cluster.namespaces.iter().any(|ns| glob.matches(&ns.name)) {
                    return Err(format!(
                        "no namespace `{}` in the input (namespaces: {})",
                        glob.as_str(),
                        namespace_list(cluster)
                    ));
                }
                Ok(endpoints
                    .filter(|&m| glob.matches(&cluster.endpoints[m].namespace))
                    .collect())
            }
            Pattern::Name(glob) => {
                let hit: Vec<usize> = endpoints
                    .filter(|&m| glob.matches(&cluster.endpoints[m].id()))
                    .collect();
                if hit.is_empty() {
                    return Err(format!(
                        "`{}` matches no pod or workload (names read shop/web for a pod, shop/deploy/web for a Deployment: see `-o list`)",
                        glob.as_str()
                    ));
                }
                Ok(hit)
            }
        }
    }
}

fn overlaps(a: &AddrRange, b: &AddrRange) -> bool {
    a.family == b.family && a.start <= b.end && b.start <= a.end
}

fn namespace_list(cluster: &Cluster) -> String {
    const SHOWN: usize = 20;
    let names: Vec<&str> = cluster
        .namespaces
        .iter()
        .take(SHOWN)
        .map(|n| n.name.as_str())
        .collect();
    match cluster.namespaces.len() {
        0 => "none".into(),
        n if n > SHOWN => format!("{}, ... {} in all", names.join(", "), n),
        _ => names.join(", "),
    }
}

/// The members of one axis: those any pattern selects; with none, every member (those of
/// the `-n` namespace when it is given), external ranges unless `no_external`.
pub fn axis(
    patterns: &[Pattern],
    namespace: Option<&str>,
    cluster: &Cluster,
    matrix: &Matrix,
    no_external: bool,
) -> Result<Vec<usize>, String> {
    if patterns.is_empty() {
        if let Some(ns) = namespace {
            let exact = Pattern::Namespace(
                glob::Pattern::new(&glob::Pattern::escape(ns)).map_err(|e| e.msg.to_string())?,
            );
            return exact.select(cluster, matrix, no_external);
        }
        let end = if no_external {
            matrix.endpoints
        } else {
            matrix.len()
        };
        return Ok((0..end).collect());
    }
    let mut out = Vec::new();
    for p in patterns {
        out.extend(p.select(cluster, matrix, no_external)?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Runs matrix.
pub fn run(args: Args, color: ColorChoice) -> u8 {
    let err_painter = Painter::new(color.stderr());
    let session = match args
        .input
        .resolve(&args.paths)
        .load(&err_painter, Problems::Print)
    {
        Ok(s) => s,
        Err(code) => return code,
    };
    crate::base::timings::phase("model");
    let cluster = &session.cluster;
    let m = Matrix::compute(cluster);
    crate::base::timings::phase("matrix");
    let ns = args.input.namespace.as_deref();
    let axes = (
        axis(&args.from, ns, cluster, &m, args.no_external),
        axis(&args.to, ns, cluster, &m, args.no_external),
    );
    let (rows, cols) = match axes {
        (Ok(r), Ok(c)) => (r, c),
        (r, c) => {
            for (flag, e) in [("--from", r.err()), ("--to", c.err())] {
                if let Some(e) = e {
                    eprintln!("{} {flag}: {e}", err_painter.bad("error:"));
                }
            }
            return EXIT_ERROR;
        }
    };
    let view = View::new(cluster, &m, rows, cols, args.port.clone()).group_by(args.group_by.into());
    if let Some(q) = &args.port
        && let QueryPort::Name(name) = &q.port
        && !view.cols.iter().any(|&c| {
            view.members_of(c).iter().any(|&d| {
                !m.is_external(d)
                    && cluster.endpoints[d].ports.iter().any(|p| {
                        p.protocol == q.protocol && p.name.as_deref() == Some(name.as_str())
                    })
            })
        })
    {
        eprintln!(
            "{} no destination has a {} container port named `{name}`: every pair is denied on it",
            err_painter.warn("warning:"),
            q.protocol
        );
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match args.output {
        Format::Table => {
            let painter = Painter::new(color.stdout());
            let columns = args.width.unwrap_or_else(terminal_width);
            if matrix::table::fits(&view, columns) {
                matrix::table::write(&view, &painter, &mut out)
            } else {
                eprintln!(
                    "{} the table is {} columns wide, wider than {columns}: one block per source instead (narrow with -n, --from, --to; --width 0 for the grid)",
                    err_painter.warn("note:"),
                    matrix::table::grid_width(&view)
                );
                matrix::table::write_by_source(&view, &painter, &mut out)
            }
        }
        Format::List => matrix::list::write(&view, &mut out),
        Format::Json => matrix::json::write(&view, &mut out),
        Format::Csv => matrix::csv::write(&view, &mut out),
        Format::Md => matrix::markdown::write(&view, &mut out),
        Format::Dot => matrix::dot::write(&view, &mut out),
        Format::Mermaid => {
            let edges = matrix::mermaid::edge_count(&view);
            if edges > matrix::mermaid::MERMAID_MAX_EDGES {
                eprintln!(
                    "{} {edges} edges: Mermaid draws at most {} unless its maxEdges setting is raised; narrow with --from/--to",
                    err_painter.warn("warning:"),
                    matrix::mermaid::MERMAID_MAX_EDGES
                );
            }
            matrix::mermaid::write(&view, &mut out)
        }
    };
    let written = written.and_then(|()| std::io::Write::flush(&mut out));
    crate::base::timings::phase("write");
    match written {
        Ok(()) => {}
        // The reader went away (`| head`): nothing else to do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return EXIT_OK,
        Err(e) => {
            eprintln!("{} writing the matrix: {e}", err_painter.bad("error:"));
            return EXIT_ERROR;
        }
    }
    if session.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// The width a table must fit: `$COLUMNS` when set, else the terminal's when standard
/// output is one, else no limit (0): a table piped to a file or a pager is never reshaped.
fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return n;
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout())
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return usize::from(w);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::matrix::tests::demo;

    fn ids(cluster: &Cluster, m: &Matrix, members: &[usize]) -> Vec<String> {
        let all: Vec<usize> = (0..m.len()).collect();
        let v = View::new(cluster, m, all.clone(), all, None);
        members.iter().map(|&x| v.id(x).to_string()).collect()
    }

    fn pick(pats: &[&str], ns: Option<&str>, no_external: bool) -> Result<Vec<String>, String> {
        let (cluster, m) = demo();
        let pats: Vec<Pattern> = pats.iter().map(|p| p.parse()).collect::<Result<_, _>>()?;
        axis(&pats, ns, &cluster, &m, no_external).map(|v| ids(&cluster, &m, &v))
    }

    #[test]
    fn a_bare_word_is_a_namespace() {
        assert_eq!(
            pick(&["shop"], None, false).unwrap(),
            [
                "shop/deploy/api",
                "shop/sts/db",
                "shop/deploy/frontend",
                "shop/deploy/worker"
            ]
        );
        assert_eq!(
            pick(&["kube-*", "monitoring"], None, false).unwrap(),
            ["kube-system/deploy/coredns", "monitoring/deploy/prometheus"]
        );
        let err = pick(&["shpo"], None, false).unwrap_err();
        assert!(err.contains("no namespace `shpo`"), "{err}");
        assert!(
            err.contains("ingress-nginx, kube-system, monitoring, shop"),
            "{err}"
        );
    }

    #[test]
    fn a_word_with_a_slash_is_a_glob_over_names() {
        assert_eq!(
            pick(&["*/deploy/api"], None, false).unwrap(),
            ["shop/deploy/api"]
        );
        assert_eq!(
            pick(&["shop/sts/*", "ingress-nginx/*"], None, false).unwrap(),
            ["ingress-nginx/deploy/controller", "shop/sts/db"]
        );
        assert!(
            pick(&["shop/deploy/nope"], None, false)
                .unwrap_err()
                .contains("matches no pod or workload")
        );
        // Names are matched whole.
        assert!(pick(&["shop/api"], None, false).is_err());
    }

    #[test]
    fn external_and_addresses_select_ranges() {
        assert_eq!(
            pick(&["external"], None, false).unwrap(),
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0/8",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert_eq!(pick(&["10.1.2.3"], None, false).unwrap(), ["10.0.0.0/8"]);
        assert_eq!(
            pick(&["8.0.0.0/7"], None, false).unwrap(),
            ["0.0.0.0-9.255.255.255"]
        );
        assert_eq!(
            pick(&["9.0.0.0/8", "10.0.0.0/7"], None, false).unwrap(),
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0/8",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert!(
            pick(&["2001:db8::/32"], None, false)
                .unwrap_err()
                .contains("no IPv6 ranges")
        );
        assert!(
            pick(&["external"], None, true)
                .unwrap_err()
                .contains("--no-external")
        );
    }

    #[test]
    fn malformed_patterns_are_refused() {
        assert!("".parse::<Pattern>().is_err());
        assert!(
            "10.0.0.0/33"
                .parse::<Pattern>()
                .unwrap_err()
                .contains("over 32")
        );
        assert!(
            "shop/["
                .parse::<Pattern>()
                .unwrap_err()
                .contains("not a valid glob")
        );
    }

    #[test]
    fn without_patterns_everything_or_the_given_namespace() {
        assert_eq!(pick(&[], None, false).unwrap().len(), 10);
        assert_eq!(pick(&[], None, true).unwrap().len(), 7);
        assert_eq!(
            pick(&[], Some("monitoring"), false).unwrap(),
            ["monitoring/deploy/prometheus"]
        );
        assert!(pick(&[], Some("nope"), false).is_err());
        // Patterns override -n for their axis.
        assert_eq!(pick(&["external"], Some("shop"), false).unwrap().len(), 3);
    }
}

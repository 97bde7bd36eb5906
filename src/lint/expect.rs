//! Connectivity expectations: what must and must not be able to connect, checked by
//! `expectation-failed` (NP501) and `expectation-unmatched` (NP502).
//!
//! Expectations come from files given with `check --expect FILE` (a YAML list) and from
//! `expectations:` in `.netpol.yaml`:
//!
//! ```yaml
//! - {from: shop/frontend, to: shop/api, port: 8080/TCP, expect: allow}
//! - from: {namespace: shop, labels: {app: frontend}}
//!   to: shop/db
//!   expect: deny                       # on every port
//! - {from: shop/worker, to: {cidr: 0.0.0.0/0}, port: 443, expect: allow}
//! ```
//!
//! - `from`, `to`: a name as `can-reach` takes it (`ns/name`, `ns/kind/name`, `ns/svc/name`
//!   for a Service's pods, an IP address); `{namespace: NS, labels: {K: V}}` for every pod
//!   or workload of NS (of every namespace without `namespace`) carrying those labels; or
//!   `{cidr: CIDR}` for the addresses outside the cluster in that CIDR (one address of each
//!   range that the policies' ipBlocks treat alike).
//! - `port`: `8080`, `8080/TCP`, `53/UDP`, or a container port name of the destination
//!   (a Service port for a Service). Without it, `allow` means some port is allowed and
//!   `deny` means none is.
//! - `expect`: `allow` or `deny`. Every (from, to) pair must meet it; a pod reaching itself
//!   is loopback, never subject to policy, and is not counted.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Context;
use crate::base::span::{FileId, Span, Spanned};
use crate::base::suggest::closest;
use crate::engine::Party;
use crate::engine::evaluate::allowed_ports;
use crate::engine::explain::{Explanation, explain, party_name};
use crate::engine::target::{Target, resolve, resolve_port};
use crate::load::Problem;
use crate::load::decode::{Decoder, N};
use crate::load::source::SourceMap;
use crate::load::yaml::{Limits, parse_file};
use crate::model::ip::{AddrRange, ip_key, parse_cidr};
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, Protocol};

/// What an expectation expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The connection must be allowed.
    Allow,
    /// The connection must be denied.
    Deny,
}

/// Which endpoints one side of an expectation stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// A name as `can-reach` resolves it.
    Name(String),
    /// Every pod or workload with these labels, in one namespace or in all.
    Match {
        /// The namespace (None: every namespace).
        namespace: Option<String>,
        /// Labels the endpoint must carry, all of them.
        labels: Vec<(String, String)>,
    },
    /// Addresses outside the cluster in a CIDR.
    Cidr(IpNet),
}

/// One side of an expectation, where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// What it selects.
    pub selector: Selector,
    /// The node it was read from.
    pub span: Span,
}

/// How a match by labels is shown in messages: `pods in shop with app=web`, `pods of every
/// namespace` (None: every namespace).
pub fn describe_match(namespace: Option<&str>, labels: &[(String, String)]) -> String {
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let with = if labels.is_empty() {
        String::new()
    } else {
        format!(" with {}", labels.join(","))
    };
    match namespace {
        Some(ns) => format!("pods in {ns}{with}"),
        None => format!("pods of every namespace{with}"),
    }
}

impl Side {
    /// How the side is shown in messages.
    pub fn describe(&self) -> String {
        match &self.selector {
            Selector::Name(n) => n.clone(),
            Selector::Cidr(net) => net.to_string(),
            Selector::Match { namespace, labels } => describe_match(namespace.as_deref(), labels),
        }
    }
}

/// One expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The list item.
    pub span: Span,
    /// The sources.
    pub from: Side,
    /// The destinations.
    pub to: Side,
    /// The port, if any.
    pub port: Option<Spanned<PortQuery>>,
    /// What is expected.
    pub expect: Verdict,
}

impl Expectation {
    /// `shop/web → shop/api on TCP 8080`.
    pub fn describe(&self) -> String {
        let port = self
            .port
            .as_ref()
            .map(|p| format!(" on {}", p.value))
            .unwrap_or_default();
        format!("{} → {}{port}", self.from.describe(), self.to.describe())
    }
}

/// Reads an expectations file already added to the source map as `file`: a YAML list
/// (several documents add up).
pub fn parse(file: FileId, text: &str) -> Result<Vec<Expectation>, Vec<Problem>> {
    let (docs, mut problems) = parse_file(file, text, &Limits::default());
    let mut out = Vec::new();
    for doc in docs.iter().filter(|d| !d.is_empty()) {
        let mut d = Decoder::new(doc, doc.root);
        let root = N::root(doc);
        if !root.is_list() {
            d.error(
                root,
                format_args!("expected a list of expectations, found {}", root.describe()),
            );
        } else {
            out.extend(read_list(&mut d, root));
        }
        problems.append(&mut d.problems);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

const FIELDS: [&str; 4] = ["from", "to", "port", "expect"];

/// Reads a list of expectations (the file's root, or `expectations:` of the config).
pub fn read_list<'d>(d: &mut Decoder<'d>, list: N<'d>) -> Vec<Expectation> {
    let mut out = Vec::new();
    for item in d.list(list) {
        if let Some(e) = read_one(d, item) {
            out.push(e);
        }
    }
    out
}

fn unknown_fields<'d>(d: &mut Decoder<'d>, n: N<'d>, known: &[&str]) {
    for (key, k, _) in n.entries() {
        if !known.contains(&key) {
            let hint = closest(key, known)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            d.unknown_field(
                n,
                k,
                key,
                format!("unknown field `{key}`{hint}; expected {}", list.join(", ")),
            );
        }
    }
}

fn read_one<'d>(d: &mut Decoder<'d>, item: N<'d>) -> Option<Expectation> {
    let item = d.map(item)?;
    unknown_fields(d, item, &FIELDS);
    let before = d.problems.len();
    let from = required(d, item, "from").and_then(|n| read_side(d, n));
    let to = required(d, item, "to").and_then(|n| read_side(d, n));
    let port = item.get("port").and_then(|n| {
        let text = d.string(n)?;
        match text.value.parse::<PortQuery>() {
            Ok(q) => Some(Spanned::new(q, n.span())),
            Err(e) => {
                d.error(n, format_args!("bad port `{}`: {e}", text.value));
                None
            }
        }
    });
    let expect = required(d, item, "expect").and_then(|n| {
        let text = d.string(n)?;
        match text.value.as_str() {
            "allow" => Some(Verdict::Allow),
            "deny" => Some(Verdict::Deny),
            other => {
                d.error(n, format_args!("expected allow or deny, found `{other}`"));
                None
            }
        }
    });
    if d.problems.len() > before {
        return None;
    }
    Some(Expectation {
        span: item.span(),
        from: from?,
        to: to?,
        port,
        expect: expect?,
    })
}

/// The first line of a span (where a finding about a multi-line expectation points).
pub fn first_line(sources: &SourceMap, span: Span) -> Span {
    let text = &sources.file(span.file).text;
    let start = span.start as usize;
    let end = (span.end as usize).min(text.len());
    let Some(covered) = text.get(start..end) else {
        return span;
    };
    let line = covered.split('\n').next().unwrap_or("").trim_end();
    Span::new(span.file, span.start, (start + line.len()) as u32)
}

fn required<'d>(d: &mut Decoder<'d>, item: N<'d>, field: &str) -> Option<N<'d>> {
    let n = item.get(field);
    if n.is_none() {
        d.missing(item, field);
    }
    n
}

fn read_side<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Side> {
    let span = n.span();
    if let Some(text) = n.scalar() {
        let text = text.trim();
        if text.is_empty() {
            d.error(n, "expected a name, found an empty string");
            return None;
        }
        return Some(Side {
            selector: Selector::Name(text.to_string()),
            span,
        });
    }
    if !n.is_map() {
        d.error(
            n,
            format_args!(
                "expected a name (`ns/name`), `{{namespace: NS, labels: {{…}}}}` or `{{cidr: CIDR}}`, found {}",
                n.describe()
            ),
        );
        return None;
    }
    let m = n;
    if let Some(c) = m.get("cidr") {
        unknown_fields(d, m, &["cidr"]);
        let text = d.string(c)?;
        return match parse_cidr(&text.value) {
            Ok(net) => Some(Side {
                selector: Selector::Cidr(net),
                span,
            }),
            Err(e) => {
                d.error(c, e);
                None
            }
        };
    }
    unknown_fields(d, m, &["namespace", "labels", "cidr"]);
    let namespace = match m.get("namespace") {
        Some(ns) => Some(d.string(ns)?.value),
        None => None,
    };
    let labels = m
        .get("labels")
        .map(|l| {
            d.string_map(l)
                .into_iter()
                .map(|(k, v)| (k.value, v.value))
                .collect()
        })
        .unwrap_or_default();
    Some(Side {
        selector: Selector::Match { namespace, labels },
        span,
    })
}

/// What checking one expectation found.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A side matches no endpoint: (`from` or `to`, the side, why).
    Unmatched(Vec<(&'static str, Span, String)>),
    /// Every pair was checked.
    Checked {
        /// Pairs checked.
        pairs: usize,
        /// Pairs that do not meet the expectation.
        failing: usize,
        /// The first of them, explained.
        first: Option<Failure>,
    },
}

/// A pair that does not meet its expectation.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The `--port` of the `can-reach` command that explains it (the port resolved on the
    /// destination), if any.
    pub port: Option<String>,
    /// Why: the explanation `can-reach` prints, or why the pair cannot be explained (the
    /// port does not resolve on the destination...).
    pub why: Result<Box<Explanation>, String>,
}

/// The parties one side stands for, with their members in the matrix.
struct Parties {
    parties: Vec<(Party, Option<usize>)>,
    target: Option<Target>,
}

/// The port asked of one destination, resolved (None: any port), or why it cannot be.
type Query = Result<Option<(Protocol, u16)>, String>;

/// Checks an expectation against the input.
pub fn evaluate(cx: &Context, e: &Expectation) -> Outcome {
    let from = parties(cx, &e.from);
    let to = parties(cx, &e.to);
    let (from, to) = match (from, to) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            let mut sides = Vec::new();
            if let Err(why) = f {
                sides.push(("from", e.from.span, why));
            }
            if let Err(why) = t {
                sides.push(("to", e.to.span, why));
            }
            return Outcome::Unmatched(sides);
        }
    };
    let mut pairs = 0usize;
    let mut failing = 0usize;
    let mut first: Option<(Party, Party, Query)> = None;
    walk(cx, e, &from, &to, |failed, src, dst, query| {
        pairs += 1;
        if failed {
            failing += 1;
            if first.is_none() {
                first = Some((src, dst, query.clone()));
            }
        }
    });
    let first = first.map(|(src, dst, query)| Failure {
        src,
        dst,
        port: match (&query, &e.port) {
            (Ok(Some((p, n))), _) => Some(format!("{n}/{p}")),
            (Ok(None), _) | (Err(_), None) => None,
            (Err(_), Some(q)) => Some(match &q.value.port {
                QueryPort::Number(n) => format!("{n}/{}", q.value.protocol),
                QueryPort::Name(n) => format!("{n}/{}", q.value.protocol),
            }),
        },
        why: explanation(cx, src, dst, query),
    });
    Outcome::Checked {
        pairs,
        failing,
        first,
    }
}

/// Calls `visit(failed, src, dst, query)` for every (from, to) pair of an expectation but
/// loopback.
fn walk(
    cx: &Context,
    e: &Expectation,
    from: &Parties,
    to: &Parties,
    mut visit: impl FnMut(bool, Party, Party, &Query),
) {
    let cluster = cx.cluster;
    let matrix = cx.matrix();
    let queries: Vec<Query> = to
        .parties
        .iter()
        .map(|&(dst, _)| match &e.port {
            None => Ok(None),
            Some(q) => {
                let own;
                let target = match &to.target {
                    Some(t) => t,
                    None => {
                        own = Target::Party(dst);
                        &own
                    }
                };
                resolve_port(cluster, target, dst, q).map(Some)
            }
        })
        .collect();
    for &(src, src_member) in &from.parties {
        for (&(dst, dst_member), query) in to.parties.iter().zip(&queries) {
            if is_loopback(cluster, src, dst) {
                continue;
            }
            let allowed = match query {
                Err(_) => false,
                Ok(q) => {
                    let owned;
                    let ports = match (src_member, dst_member) {
                        (Some(s), Some(d)) => matrix.allowed(s, d),
                        _ => {
                            owned = allowed_ports(cluster, src, dst);
                            &owned
                        }
                    };
                    match q {
                        Some((p, n)) => ports.contains(*p, *n),
                        None => !ports.is_empty(),
                    }
                }
            };
            visit(allowed != (e.expect == Verdict::Allow), src, dst, query);
        }
    }
}

/// A (from, to) pair that does not meet its expectation, with the port asked of the
/// destination (None: the expectation names no port; Err: why it does not resolve there).
pub type FailingPair = (Party, Party, Result<Option<(Protocol, u16)>, String>);

/// The pairs of an expectation that do not meet it, the first `limit` of them, and how many
/// there are in all (None when a side matches nothing).
pub fn failing_pairs(
    cx: &Context,
    e: &Expectation,
    limit: usize,
) -> Option<(Vec<FailingPair>, usize)> {
    let from = parties(cx, &e.from).ok()?;
    let to = parties(cx, &e.to).ok()?;
    let mut out = Vec::new();
    let mut total = 0usize;
    walk(cx, e, &from, &to, |failed, src, dst, query| {
        if failed {
            total += 1;
            if out.len() < limit {
                out.push((src, dst, query.clone()));
            }
        }
    });
    Some((out, total))
}

fn is_loopback(cluster: &Cluster, src: Party, dst: Party) -> bool {
    matches!((src, dst), (Party::Endpoint(a), Party::Endpoint(b)) if a == b && cluster.endpoints[a].is_pod())
}

fn explanation(
    cx: &Context,
    src: Party,
    dst: Party,
    query: Query,
) -> Result<Box<Explanation>, String> {
    let cluster = cx.cluster;
    match query {
        Ok(q) => Ok(Box::new(explain(cluster, src, dst, q))),
        Err(why) => Err(format!(
            "{} → {}: {why}",
            party_name(cluster, src),
            party_name(cluster, dst)
        )),
    }
}

fn parties(cx: &Context, side: &Side) -> Result<Parties, String> {
    let cluster = cx.cluster;
    match &side.selector {
        Selector::Name(name) => {
            let resolved = resolve(cluster, name, cx.default_namespace)?;
            let (parties, target) = match resolved.target {
                Target::Party(p) => (vec![p], None),
                Target::Service { service, backends } => (
                    backends.iter().map(|&b| Party::Endpoint(b)).collect(),
                    Some(Target::Service { service, backends }),
                ),
            };
            Ok(Parties {
                parties: parties.into_iter().map(|p| (p, member(cx, p))).collect(),
                target,
            })
        }
        Selector::Match { namespace, labels } => {
            if let Some(ns) = namespace {
                if cluster.ns_id(ns).is_none() {
                    let names: Vec<&str> =
                        cluster.namespaces.iter().map(|n| n.name.as_str()).collect();
                    let hint = closest(ns, &names)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    return Err(format!("namespace {ns} is not in the input{hint}"));
                }
            }
            let parties: Vec<(Party, Option<usize>)> = cluster
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, ep)| {
                    namespace.as_ref().is_none_or(|ns| &ep.namespace == ns)
                        && labels.iter().all(|(k, v)| ep.labels.get(k) == Some(v))
                })
                .map(|(i, _)| (Party::Endpoint(i), Some(i)))
                .collect();
            if parties.is_empty() {
                let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let labels = labels.join(",");
                return Err(match (namespace, labels.is_empty()) {
                    (Some(ns), true) => format!("namespace {ns} has no pod or workload"),
                    (Some(ns), false) => format!("no pod or workload in {ns} has {labels}"),
                    (None, true) => "the input has no pod or workload".to_string(),
                    (None, false) => format!("no pod or workload in any namespace has {labels}"),
                });
            }
            Ok(Parties {
                parties,
                target: None,
            })
        }
        Selector::Cidr(net) => {
            let cidr = AddrRange::from_net(net);
            let matrix = cx.matrix();
            let mut parties: Vec<(Party, Option<usize>)> = matrix
                .externals
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.family == cidr.family && r.start <= cidr.end && cidr.start <= r.end
                })
                .map(|(k, r)| {
                    // An address of the range inside the CIDR stands for both.
                    let at = AddrRange {
                        family: r.family,
                        start: r.start.max(cidr.start),
                        end: r.start.max(cidr.start),
                    };
                    (Party::Address(at.first()), Some(matrix.endpoints + k))
                })
                .collect();
            if parties.is_empty() {
                // No ipBlock mentions this family: every address of it is treated alike.
                parties.push((Party::Address(cidr.first()), None));
            }
            Ok(Parties {
                parties,
                target: None,
            })
        }
    }
}

/// The matrix member of a party: an endpoint, or the external range holding an address.
fn member(cx: &Context, party: Party) -> Option<usize> {
    match party {
        Party::Endpoint(i) => Some(i),
        Party::Address(ip) => address_member(cx.matrix(), ip),
    }
}

/// The matrix member of an address: the external range that holds it.
pub fn address_member(matrix: &crate::engine::matrix::Matrix, ip: IpAddr) -> Option<usize> {
    let (family, n) = ip_key(ip);
    matrix
        .externals
        .iter()
        .position(|r| r.family == family && r.start <= n && n <= r.end)
        .map(|k| matrix.endpoints + k)
}

/// Reads an expectations file from disk into the source map (so findings can point into it)
/// and parses it.
pub fn load_file(
    sources: &mut SourceMap,
    path: &std::path::Path,
) -> Result<Vec<Expectation>, Vec<Problem>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem::input(format!(
            "{}: cannot read the expectations: {e}",
            path.display()
        ))]
    })?;
    let id = sources.add(crate::load::source::SourceFile::new(
        path.display().to_string(),
        Some(path.to_path_buf()),
        text.clone(),
    ));
    parse(id, &text)
}

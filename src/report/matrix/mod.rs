//! Rendering the reachability matrix: a grid for people (`table`, `md`), one line per allowed
//! connection (`list`), data (`json`, `csv`) and graphs (`dot`, `mermaid`).
//!
//! The renderers share a [`View`]: the units chosen as rows (sources) and columns
//! (destinations), each a member or a group of members the matrix cannot tell apart
//! ([`group`]), in matrix order (endpoints by namespace, name and kind, then external ranges
//! in address order), and the cell of each pair. A pair of two external ranges is not
//! meaningful (no policy applies between two addresses outside the cluster): it is
//! [`Cell::Blank`], left empty in grids and absent from lists. Every renderer writes as it
//! goes to an `io::Write`: memory does not grow with the output.

pub mod csv;
pub mod dot;
pub mod group;
pub mod json;
pub mod list;
pub mod markdown;
pub mod mermaid;
pub mod table;

use std::collections::HashMap;
use std::io::{self, Write};

use rayon::prelude::*;

pub use group::{GroupBy, Unit};

use crate::engine::matrix::Matrix;
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, PortSet, Protocol};

/// What a grid shows for a denied pair.
pub const DENIED: &str = "·";
/// What a grid shows for a pair allowed on the asked port (`--port`).
pub const ALLOWED: &str = "✓";

/// The part of a matrix to render, over *units*: its rows and columns. A unit is one member
/// (`--group-by pod`) or a group of members the matrix cannot tell apart ([`group`]); every
/// method taking a row or column takes a unit index.
pub struct View<'a> {
    /// The cluster the matrix was computed from.
    pub cluster: &'a Cluster,
    /// The matrix.
    pub matrix: &'a Matrix,
    /// Source units, in matrix order (of their first member).
    pub rows: Vec<usize>,
    /// Destination units, in matrix order.
    pub cols: Vec<usize>,
    /// The port asked about (`--port`), if any.
    pub port: Option<PortQuery>,
    /// How members were grouped into units.
    pub group_by: GroupBy,
    /// The names of the members (see [`View::member_id`]).
    member_ids: Vec<String>,
    /// The units; empty when every member is its own unit (unit `i` is member `i`).
    units: Vec<Unit>,
    /// Member `i` is `identity[i]`: the members of a unit that is one member.
    identity: Vec<usize>,
    col_number: HashMap<usize, usize>,
    rows_numbered: bool,
}

/// Marks a blank pair in [`RowIds::row`].
pub const BLANK: u32 = u32::MAX;

/// Writes the rows of a view without `--port`, formatted on every core: a batch of rows at
/// a time, split between the threads, each with its own state (made by `state`), row reader
/// ([`View::row_ids`]) and text buffer. `format(state, ids, r, text)` appends the text of
/// row `r`, whose set ids are `ids`; `put` writes each part's text, in row order. Memory
/// holds one batch's text, never the document.
pub fn write_rows<S: Send>(
    view: &View,
    out: &mut dyn Write,
    state: impl Fn() -> S,
    format: impl Fn(&mut S, &[u32], usize, &mut Vec<u8>) + Sync,
    mut put: impl FnMut(&[u8], &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let threads = rayon::current_num_threads().max(1);
    // Kept from batch to batch: a fresh buffer per batch is fresh memory per line.
    let mut states: Vec<(RowIds, S, Vec<u8>)> = (0..threads)
        .map(|_| (view.row_ids(), state(), Vec::new()))
        .collect();
    let batch = (view.rows.len() / 64).clamp(threads, MAX_ROW_BATCH);
    for rows in view.rows.chunks(batch) {
        let parts = rows.par_chunks(rows.len().div_ceil(threads));
        let used = parts.len();
        parts
            .zip(states.par_iter_mut())
            .for_each(|(rows, (ids, s, text))| {
                text.clear();
                for &r in rows {
                    format(s, ids.row(r), r, text);
                }
            });
        for (_, _, text) in &states[..used] {
            put(text, out)?;
        }
    }
    Ok(())
}

/// [`write_rows`] for writers that need no state of their own and write each part's text
/// as it is: `format(ids, r, text)` appends the text of row `r`.
pub fn write_rows_plain(
    view: &View,
    out: &mut dyn Write,
    format: impl Fn(&[u32], usize, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    write_rows(
        view,
        out,
        || (),
        |(), ids, r, text| format(ids, r, text),
        |text, out| out.write_all(text),
    )
}

/// Most rows formatted together (a 64th of the rows below that): enough to keep the
/// threads busy, few enough that their text stays small (a row of the largest dump is a few
/// hundred KB).
const MAX_ROW_BATCH: usize = 64;

/// The set ids of whole rows of a view ([`View::row_ids`]).
pub struct RowIds<'v> {
    view: &'v View<'v>,
    reader: crate::engine::matrix::RowReader<'v>,
    /// Indexes of the columns that are external ranges.
    external_cols: Vec<usize>,
    /// The column index of each unit that is a column.
    diagonal: HashMap<usize, usize>,
    out: Vec<u32>,
}

impl RowIds<'_> {
    /// The set id of unit `r` towards each column, in column order ([`BLANK`]: a blank
    /// pair): equal to [`View::set_id`] of each pair.
    pub fn row(&mut self, r: usize) -> &[u32] {
        let view = self.view;
        let first = view.members_of(r)[0];
        let ids = self.reader.row(view.matrix.class_of(first));
        self.out.clear();
        self.out.extend_from_slice(ids);
        // A unit with itself (loopback or two of its members) and pairs of external ranges
        // are not class cells.
        if let Some(&j) = self.diagonal.get(&r) {
            self.out[j] = view.set_id(r, r).unwrap_or(BLANK);
        }
        if view.matrix.is_external(first) {
            for &j in &self.external_cols {
                self.out[j] = BLANK;
            }
        }
        &self.out
    }
}

/// One pair of the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Two external ranges: not meaningful.
    Blank,
    /// Without `--port`: the ports the source may open towards the destination.
    Ports(&'a PortSet),
    /// With `--port`: the port as it resolves on the destination (None: a name the
    /// destination has no container port for), and whether it is allowed.
    Port {
        /// The resolved port.
        port: Option<(Protocol, u16)>,
        /// Whether the connection is allowed on it.
        allowed: bool,
    },
}

impl Cell<'_> {
    /// Whether the pair may connect (on some port, or on the asked one).
    pub fn is_allowed(&self) -> bool {
        match self {
            Cell::Blank => false,
            Cell::Ports(set) => !set.is_empty(),
            Cell::Port { allowed, .. } => *allowed,
        }
    }

    /// The allowed ports within what was asked: every allowed port, or the asked port when
    /// it is allowed; None for a blank pair.
    pub fn allowed_ports(&self) -> Option<PortSet> {
        match self {
            Cell::Blank => None,
            Cell::Ports(set) => Some((*set).clone()),
            Cell::Port {
                port: Some((proto, n)),
                allowed: true,
            } => Some(PortSet::single(*proto, *n)),
            Cell::Port { .. } => Some(PortSet::none()),
        }
    }

    /// The short text of a grid cell: the ports in [`compact`] form, [`ALLOWED`] on the asked
    /// port, [`DENIED`], or nothing for a blank pair.
    pub fn grid_text(&self) -> String {
        match self {
            Cell::Blank => String::new(),
            _ if !self.is_allowed() => DENIED.to_string(),
            Cell::Ports(set) => compact(set),
            Cell::Port { .. } => ALLOWED.to_string(),
        }
    }
}

impl<'a> View<'a> {
    /// A view of `rows` × `cols` (member indices of `matrix`, in matrix order), each member
    /// its own unit (`--group-by pod`).
    pub fn new(
        cluster: &'a Cluster,
        matrix: &'a Matrix,
        rows: Vec<usize>,
        cols: Vec<usize>,
        port: Option<PortQuery>,
    ) -> View<'a> {
        let mut view = View {
            cluster,
            matrix,
            rows,
            cols,
            port,
            group_by: GroupBy::Pod,
            member_ids: member_ids(cluster, matrix),
            units: Vec::new(),
            identity: (0..matrix.len()).collect(),
            col_number: HashMap::new(),
            rows_numbered: false,
        };
        view.number_columns();
        view
    }

    /// The same rows and columns, with members gathered into units by `by` (see [`group`]).
    pub fn group_by(self, by: GroupBy) -> View<'a> {
        if by == GroupBy::Pod {
            return self;
        }
        let (units, rows, cols) = group::units(&self, by);
        crate::base::timings::phase("group");
        let mut view = View {
            rows,
            cols,
            group_by: by,
            units,
            ..self
        };
        view.number_columns();
        view
    }

    fn number_columns(&mut self) {
        self.col_number = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, &u)| (u, i + 1))
            .collect();
        self.rows_numbered = self.rows.iter().any(|r| self.col_number.contains_key(r));
    }

    /// Number of units (rows and columns index into `0..len`).
    pub fn len(&self) -> usize {
        if self.units.is_empty() {
            self.identity.len()
        } else {
            self.units.len()
        }
    }

    /// Whether there is no unit.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name of a unit: its member's ([`View::member_id`]) or its group's (unique within
    /// the view, see [`group`]).
    pub fn id(&self, unit: usize) -> &str {
        match self.units.get(unit) {
            Some(u) => &u.id,
            None => &self.member_ids[unit],
        }
    }

    /// The members of a unit, in matrix order (never empty).
    pub fn members_of(&self, unit: usize) -> &[usize] {
        match self.units.get(unit) {
            Some(u) => &u.members,
            None => std::slice::from_ref(&self.identity[unit]),
        }
    }

    /// The name of a member: `shop/deploy/api`, `shop/web` (a pod), `10.0.0.0/8` or
    /// `0.0.0.0-9.255.255.255` (an external range). Unique within the matrix: should the input
    /// hold two objects with one name, the later ones are suffixed `#2`, `#3`...
    pub fn member_id(&self, member: usize) -> &str {
        &self.member_ids[member]
    }

    /// The kind of a member: `Deployment`, `Pod`... or `External`.
    pub fn member_kind(&self, member: usize) -> &'static str {
        if self.matrix.is_external(member) {
            "External"
        } else {
            self.cluster.endpoints[member].kind.as_str()
        }
    }

    /// The kind of a unit: the kind of its members when they share one, else `Mixed`.
    pub fn kind(&self, unit: usize) -> &'static str {
        let members = self.members_of(unit);
        let first = self.member_kind(members[0]);
        if members[1..].iter().all(|&m| self.member_kind(m) == first) {
            first
        } else {
            "Mixed"
        }
    }

    /// Whether a unit is an external range (external ranges are never grouped).
    pub fn is_external(&self, unit: usize) -> bool {
        self.matrix.is_external(self.members_of(unit)[0])
    }

    /// The namespace every member of a unit is in, if they share one.
    pub fn namespace(&self, unit: usize) -> Option<&'a str> {
        let members = self.members_of(unit);
        if self.matrix.is_external(members[0]) {
            return None;
        }
        let eps = &self.cluster.endpoints;
        let ns = eps[members[0]].namespace.as_str();
        members[1..]
            .iter()
            .all(|&m| eps[m].namespace == ns)
            .then_some(ns)
    }

    /// The number of a column unit (1-based), as grids label their columns.
    pub fn col_number(&self, unit: usize) -> Option<usize> {
        self.col_number.get(&unit).copied()
    }

    /// The units shown (rows and columns), grouped for drawing: by namespace (in natural
    /// order of names, as the members are), then a group of members of several namespaces
    /// (under [`SEVERAL_NAMESPACES`]), then the external ranges.
    pub fn grouped_members(&self) -> (Vec<(&'a str, Vec<usize>)>, Vec<usize>) {
        let mut namespaces: HashMap<Option<&'a str>, Vec<usize>> = HashMap::new();
        let mut externals = Vec::new();
        for u in self.members() {
            if self.is_external(u) {
                externals.push(u);
            } else {
                namespaces.entry(self.namespace(u)).or_default().push(u);
            }
        }
        let mut groups: Vec<(Option<&'a str>, Vec<usize>)> = namespaces.into_iter().collect();
        groups.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(a), Some(b)) => crate::base::natural::cmp(a, b),
            // A namespace before the several-namespaces group.
            (a, b) => a.is_none().cmp(&b.is_none()),
        });
        let groups = groups
            .into_iter()
            .map(|(ns, units)| (ns.unwrap_or(SEVERAL_NAMESPACES), units))
            .collect();
        (groups, externals)
    }

    /// Rows and columns together, each once, in matrix order.
    pub fn members(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.rows.iter().chain(&self.cols).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The two members whose cell is the cell of a pair of units: their first members, but
    /// two distinct members for a group with itself (a pod reaching itself is loopback, not
    /// the cell between the group's members). None for two external ranges.
    fn pair(&self, src: usize, dst: usize) -> Option<(usize, usize)> {
        let (a, b) = (self.members_of(src), self.members_of(dst));
        if self.matrix.is_external(a[0]) && self.matrix.is_external(b[0]) {
            return None;
        }
        Some(if src == dst && a.len() > 1 {
            (a[0], a[1])
        } else {
            (a[0], b[0])
        })
    }

    /// Without `--port`: the id of the port set of a pair of units ([`Matrix::set`]), None
    /// for a blank pair. Writers format each distinct set once by it.
    pub fn set_id(&self, src: usize, dst: usize) -> Option<u32> {
        self.pair(src, dst)
            .map(|(a, b)| self.matrix.allowed_id(a, b))
    }

    /// Without `--port`: [`View::set_id`] of a row towards every column, a row at a time
    /// (a row costs the columns, not a matrix lookup per cell). [`BLANK`] marks a blank pair.
    pub fn row_ids(&self) -> RowIds<'_> {
        let class_of = |u: usize| self.matrix.class_of(self.members_of(u)[0]);
        RowIds {
            view: self,
            reader: self
                .matrix
                .row_reader(self.cols.iter().map(|&c| class_of(c))),
            external_cols: (0..self.cols.len())
                .filter(|&j| self.is_external(self.cols[j]))
                .collect(),
            diagonal: self.cols.iter().enumerate().map(|(j, &c)| (c, j)).collect(),
            out: Vec::new(),
        }
    }

    /// The cell of a pair of units.
    pub fn cell(&self, src: usize, dst: usize) -> Cell<'a> {
        let Some((a, b)) = self.pair(src, dst) else {
            return Cell::Blank;
        };
        let m = self.matrix;
        let set = m.allowed(a, b);
        let Some(q) = &self.port else {
            return Cell::Ports(set);
        };
        let port = resolve(self.cluster, m, q, b);
        let allowed = port.is_some_and(|(proto, n)| set.contains(proto, n));
        Cell::Port { port, allowed }
    }

    /// Every allowed pair, row by row: (source, destination, cell).
    pub fn connections(&self) -> impl Iterator<Item = (usize, usize, Cell<'a>)> + '_ {
        self.rows.iter().flat_map(move |&r| {
            self.cols.iter().filter_map(move |&c| {
                let cell = self.cell(r, c);
                cell.is_allowed().then_some((r, c, cell))
            })
        })
    }

    /// (allowed pairs, meaningful pairs) of members: blank pairs are not counted, and a
    /// group stands for the pairs of its members (a pod with itself always allowed).
    pub fn counts(&self) -> (usize, usize) {
        let mut allowed = 0;
        let mut total = 0;
        for &r in &self.rows {
            let nr = self.members_of(r).len();
            for &c in &self.cols {
                let cell = self.cell(r, c);
                if cell == Cell::Blank {
                    continue;
                }
                let pairs = nr * self.members_of(c).len();
                total += pairs;
                allowed += if cell.is_allowed() {
                    pairs
                } else if r == c {
                    self.members_of(r)
                        .iter()
                        .filter(|&&m| self.matrix.is_pod(m))
                        .count()
                } else {
                    0
                };
            }
        }
        (allowed, total)
    }

    /// Whether some pair of the view is blank.
    pub fn has_blank(&self) -> bool {
        self.rows.iter().any(|&r| self.is_external(r))
            && self.cols.iter().any(|&c| self.is_external(c))
    }

    /// The label of a row in grids: its column number when it is also a column, then its id
    /// (names aligned when only some rows have a number).
    pub fn row_label(&self, unit: usize) -> String {
        let width = self.cols.len().to_string().len();
        match self.col_number(unit) {
            Some(n) => format!("{n:>width$}  {}", self.id(unit)),
            None if self.rows_numbered => format!("{:width$}  {}", "", self.id(unit)),
            None => self.id(unit).to_string(),
        }
    }

    /// Columns that are not rows too, so that a grid must name them below: their number
    /// labels a column, and no row label says what it stands for.
    pub fn unlabelled_cols(&self) -> Vec<usize> {
        let rows: std::collections::HashSet<usize> = self.rows.iter().copied().collect();
        self.cols
            .iter()
            .copied()
            .filter(|c| !rows.contains(c))
            .collect()
    }

    /// Whether some unit is a group of more than one member.
    pub fn has_groups(&self) -> bool {
        self.units.iter().any(|u| u.members.len() > 1)
    }

    /// What the marks of a grid mean, as one line (without a newline).
    pub fn key(&self) -> String {
        let (allowed, total) = self.counts();
        let mut out = match &self.port {
            Some(q) => {
                let on = match &q.port {
                    QueryPort::Number(_) => q.to_string(),
                    QueryPort::Name(_) => format!("{q} (the named port of each destination)"),
                };
                format!("{ALLOWED} allowed on {on}, {DENIED} denied")
            }
            None => format!("cells: the ports allowed, {DENIED} denied"),
        };
        if self.has_blank() {
            out.push_str(", blank: both outside the cluster");
        }
        out.push_str(&format!("; {allowed} of {total} pairs allowed"));
        if self.has_groups() {
            let members: usize = self
                .members()
                .iter()
                .map(|&u| self.members_of(u).len())
                .sum();
            out.push_str(&format!(
                "; {} rows and columns stand for {members} members (--group-by {}; --group-by pod lists every member)",
                self.members().len(),
                self.group_by.as_str()
            ));
        }
        out
    }
}

/// Where [`View::grouped_members`] files a group of members of several namespaces.
pub const SEVERAL_NAMESPACES: &str = "several namespaces";

/// The port a query names, as it resolves on a destination member: a number as asked, a
/// name on the member's container ports (None where it has no such port, or is external).
fn resolve(cluster: &Cluster, m: &Matrix, q: &PortQuery, dst: usize) -> Option<(Protocol, u16)> {
    match &q.port {
        QueryPort::Number(n) => Some((q.protocol, *n)),
        QueryPort::Name(name) if !m.is_external(dst) => cluster.endpoints[dst]
            .ports
            .iter()
            .find(|c| c.protocol == q.protocol && c.name.as_deref() == Some(name.as_str()))
            .map(|c| (q.protocol, c.port)),
        QueryPort::Name(_) => None,
    }
}

/// The names of every member of the matrix (see [`View::member_id`]).
fn member_ids(cluster: &Cluster, matrix: &Matrix) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    (0..matrix.len())
        .map(|m| {
            let id = if matrix.is_external(m) {
                cluster.external_name(&matrix.externals[m - matrix.endpoints])
            } else {
                cluster.endpoints[m].id()
            };
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { id } else { format!("{id}#{n}") }
        })
        .collect()
}

/// A port set in few characters for a grid cell: `all`, `TCP 8080`, `TCP 80,443`,
/// `TCP,UDP 53` (protocols with the same ports share them), `TCP 80; UDP 53`, `UDP all`;
/// [`DENIED`] when empty.
pub fn compact(set: &PortSet) -> String {
    if set.is_all() {
        return "all".into();
    }
    if set.is_empty() {
        return DENIED.into();
    }
    // Protocols sharing one list of port ranges.
    type Group<'s> = (Vec<Protocol>, &'s [(u16, u16)]);
    let mut groups: Vec<Group> = Vec::new();
    for p in Protocol::ALL {
        let r = set.ranges(p);
        if r.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, g)| *g == r) {
            Some((protos, _)) => protos.push(p),
            None => groups.push((vec![p], r)),
        }
    }
    groups
        .iter()
        .map(|(protos, _)| {
            let names: Vec<&str> = protos.iter().map(|p| p.as_str()).collect();
            let ports = if set.is_all_of(protos[0]) {
                "all".to_string()
            } else {
                set.numbers(protos[0])
            };
            format!("{} {ports}", names.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::load::{self, LoadOptions};

    /// The demo cluster of `testdata/demo` and its matrix.
    pub fn demo() -> (Cluster, Matrix) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
        let loaded = load::load(&[dir.to_string()], &LoadOptions::default());
        assert!(loaded.problems.is_empty());
        let cluster = Cluster::build(loaded.objects);
        let matrix = Matrix::compute(&cluster);
        (cluster, matrix)
    }

    /// What a writer writes, as a string.
    pub fn rendered(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("writers write UTF-8")
    }

    /// A member by id.
    pub fn member(view: &View, id: &str) -> usize {
        (0..view.matrix.len())
            .find(|&m| view.id(m) == id)
            .unwrap_or_else(|| panic!("no member {id}"))
    }

    /// The whole demo matrix.
    pub fn full<'a>(cluster: &'a Cluster, matrix: &'a Matrix, port: Option<&str>) -> View<'a> {
        let all: Vec<usize> = (0..matrix.len()).collect();
        View::new(
            cluster,
            matrix,
            all.clone(),
            all,
            port.map(|p| p.parse().unwrap()),
        )
    }

    #[test]
    fn compact_groups_protocols_with_the_same_ports() {
        let dns = PortSet::single(Protocol::Tcp, 53).union(&PortSet::single(Protocol::Udp, 53));
        assert_eq!(compact(&dns), "TCP,UDP 53");
        let mixed = PortSet::single(Protocol::Tcp, 80)
            .union(&PortSet::single(Protocol::Tcp, 443))
            .union(&PortSet::range(Protocol::Udp, 5000, 5010));
        assert_eq!(compact(&mixed), "TCP 80,443; UDP 5000-5010");
        assert_eq!(compact(&PortSet::protocol(Protocol::Udp)), "UDP all");
        assert_eq!(compact(&PortSet::all()), "all");
        assert_eq!(compact(&PortSet::none()), DENIED);
    }

    #[test]
    fn cells_follow_the_matrix_and_resolve_named_ports_per_destination() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        let (fe, api, db) = (
            member(&v, "shop/deploy/frontend"),
            member(&v, "shop/deploy/api"),
            member(&v, "shop/sts/db"),
        );
        assert_eq!(v.cell(fe, api).grid_text(), "TCP 8080");
        assert_eq!(v.cell(fe, db), Cell::Ports(&PortSet::none()));
        let ext = member(&v, "10.0.0.0/8");
        assert_eq!(v.cell(ext, ext), Cell::Blank);
        assert!(v.has_blank());

        let v = full(&cluster, &matrix, Some("http"));
        let ctl = member(&v, "ingress-nginx/deploy/controller");
        // `http` is 8080 on the frontend, 80 on the controller; the db has no such port.
        assert_eq!(
            v.cell(ctl, fe),
            Cell::Port {
                port: Some((Protocol::Tcp, 8080)),
                allowed: true
            }
        );
        assert_eq!(
            v.cell(api, db),
            Cell::Port {
                port: None,
                allowed: false
            }
        );
        assert_eq!(v.cell(ctl, fe).grid_text(), ALLOWED);
        assert_eq!(v.cell(api, db).grid_text(), DENIED);
        assert_eq!(
            v.cell(ext, ctl).allowed_ports().unwrap().to_string(),
            "TCP 80"
        );
    }

    #[test]
    fn namespaces_are_drawn_in_natural_order_then_mixed_groups() {
        let text: String = ["team-10", "team-2", "team-1"]
            .iter()
            .map(|ns| {
                format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {ns}}}\n---\n")
            })
            .collect();
        let loaded = load::load_texts(&[("pods.yaml", &text)], &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let matrix = Matrix::compute(&cluster);
        let all: Vec<usize> = (0..matrix.len()).collect();
        let pods = View::new(&cluster, &matrix, all.clone(), all.clone(), None);
        let names: Vec<&str> = pods.grouped_members().0.iter().map(|(ns, _)| *ns).collect();
        assert_eq!(names, ["team-1", "team-2", "team-10"]);
        // No policy: the three pods are alike, one unit of several namespaces.
        let grouped = View::new(&cluster, &matrix, all.clone(), all, None).group_by(GroupBy::Class);
        let names: Vec<&str> = grouped
            .grouped_members()
            .0
            .iter()
            .map(|(ns, _)| *ns)
            .collect();
        assert_eq!(names, [SEVERAL_NAMESPACES]);
    }

    #[test]
    fn rows_carry_their_column_number() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        assert_eq!(v.row_label(0), " 1  ingress-nginx/deploy/controller");
        assert!(v.unlabelled_cols().is_empty());
        assert_eq!(v.members().len(), matrix.len());
    }
}

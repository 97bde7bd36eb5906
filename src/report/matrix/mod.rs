//! Rendering the reachability matrix: a grid for people (`table`, `md`), one line per allowed
//! connection (`list`), data (`json`, `csv`) and graphs (`dot`, `mermaid`).
//!
//! The renderers share a [`View`]: the members chosen as rows (sources) and columns
//! (destinations), in matrix order (endpoints by namespace, name and kind, then external
//! ranges in address order), and the cell of each pair. A pair of two external ranges is not
//! meaningful (no policy applies between two addresses outside the cluster): it is
//! [`Cell::Blank`], left empty in grids and absent from lists.

pub mod csv;
pub mod dot;
pub mod json;
pub mod list;
pub mod markdown;
pub mod mermaid;
pub mod table;

use std::collections::BTreeMap;
use std::collections::HashMap;

use crate::engine::matrix::Matrix;
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, PortSet, Protocol};

/// What a grid shows for a denied pair.
pub const DENIED: &str = "·";
/// What a grid shows for a pair allowed on the asked port (`--port`).
pub const ALLOWED: &str = "✓";

/// The part of a matrix to render.
pub struct View<'a> {
    /// The cluster the matrix was computed from.
    pub cluster: &'a Cluster,
    /// The matrix.
    pub matrix: &'a Matrix,
    /// Source members, in matrix order.
    pub rows: Vec<usize>,
    /// Destination members, in matrix order.
    pub cols: Vec<usize>,
    /// The port asked about (`--port`), if any.
    pub port: Option<PortQuery>,
    ids: Vec<String>,
    col_number: HashMap<usize, usize>,
    rows_numbered: bool,
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
    /// A view of `rows` × `cols` (member indices of `matrix`, in matrix order).
    pub fn new(
        cluster: &'a Cluster,
        matrix: &'a Matrix,
        rows: Vec<usize>,
        cols: Vec<usize>,
        port: Option<PortQuery>,
    ) -> View<'a> {
        let col_number: HashMap<usize, usize> =
            cols.iter().enumerate().map(|(i, &m)| (m, i + 1)).collect();
        let rows_numbered = rows.iter().any(|r| col_number.contains_key(r));
        View {
            cluster,
            matrix,
            rows,
            cols,
            port,
            ids: member_ids(cluster, matrix),
            col_number,
            rows_numbered,
        }
    }

    /// The name of a member: `shop/deploy/api`, `shop/web` (a pod), `10.0.0.0/8` or
    /// `0.0.0.0-9.255.255.255` (an external range). Unique within the matrix: should the input
    /// hold two objects with one name, the later ones are suffixed `#2`, `#3`...
    pub fn id(&self, member: usize) -> &str {
        &self.ids[member]
    }

    /// The kind of a member: `Deployment`, `Pod`... or `External`.
    pub fn kind(&self, member: usize) -> &'static str {
        if self.matrix.is_external(member) {
            "External"
        } else {
            self.cluster.endpoints[member].kind.as_str()
        }
    }

    /// The number of a column member (1-based), as grids label their columns.
    pub fn col_number(&self, member: usize) -> Option<usize> {
        self.col_number.get(&member).copied()
    }

    /// The members shown (rows and columns), grouped for drawing: endpoints by namespace (in
    /// name order), then the external ranges.
    pub fn grouped_members(&self) -> (BTreeMap<&'a str, Vec<usize>>, Vec<usize>) {
        let mut namespaces: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        let mut externals = Vec::new();
        for m in self.members() {
            if self.matrix.is_external(m) {
                externals.push(m);
            } else {
                namespaces
                    .entry(self.cluster.endpoints[m].namespace.as_str())
                    .or_default()
                    .push(m);
            }
        }
        (namespaces, externals)
    }

    /// Rows and columns together, each once, in matrix order.
    pub fn members(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.rows.iter().chain(&self.cols).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The cell of a pair of members.
    pub fn cell(&self, src: usize, dst: usize) -> Cell<'a> {
        let m = self.matrix;
        if m.is_external(src) && m.is_external(dst) {
            return Cell::Blank;
        }
        let set = m.allowed(src, dst);
        let Some(q) = &self.port else {
            return Cell::Ports(set);
        };
        let port = match &q.port {
            QueryPort::Number(n) => Some((q.protocol, *n)),
            QueryPort::Name(name) if !m.is_external(dst) => self.cluster.endpoints[dst]
                .ports
                .iter()
                .find(|c| c.protocol == q.protocol && c.name.as_deref() == Some(name.as_str()))
                .map(|c| (q.protocol, c.port)),
            QueryPort::Name(_) => None,
        };
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

    /// (allowed pairs, meaningful pairs): blank pairs are not counted.
    pub fn counts(&self) -> (usize, usize) {
        let mut allowed = 0;
        let mut total = 0;
        for &r in &self.rows {
            for &c in &self.cols {
                let cell = self.cell(r, c);
                if cell != Cell::Blank {
                    total += 1;
                    allowed += usize::from(cell.is_allowed());
                }
            }
        }
        (allowed, total)
    }

    /// Whether some pair of the view is blank.
    pub fn has_blank(&self) -> bool {
        self.rows.iter().any(|&r| self.matrix.is_external(r))
            && self.cols.iter().any(|&c| self.matrix.is_external(c))
    }

    /// The label of a row in grids: its column number when it is also a column, then its id
    /// (names aligned when only some rows have a number).
    pub fn row_label(&self, member: usize) -> String {
        let width = self.cols.len().to_string().len();
        match self.col_number(member) {
            Some(n) => format!("{n:>width$}  {}", self.id(member)),
            None if self.rows_numbered => format!("{:width$}  {}", "", self.id(member)),
            None => self.id(member).to_string(),
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
        out
    }
}

/// The names of every member of the matrix (see [`View::id`]).
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
        .map(|(protos, ranges)| {
            let names: Vec<&str> = protos.iter().map(|p| p.as_str()).collect();
            let ports = if set.is_all_of(protos[0]) {
                "all".to_string()
            } else {
                ranges
                    .iter()
                    .map(|&(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
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
    fn rows_carry_their_column_number() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        assert_eq!(v.row_label(0), " 1  ingress-nginx/deploy/controller");
        assert!(v.unlabelled_cols().is_empty());
        assert_eq!(v.members().len(), matrix.len());
    }
}

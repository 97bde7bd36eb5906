//! Every pair at once: the reachability matrix.
//!
//! Built on the compiled cluster ([`super::compile`]): classes are grouped by what each side
//! of a connection consults for them ([`Side`]), and each side is walked once per group, as
//! a trie over tiers that shares the walk of common first tiers. A cell is egress AND
//! ingress; cells are ids into a table of distinct port masks.
//!
//! The result agrees with [`super::evaluate`] on every pair (property-tested).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Mutex;

use rayon::prelude::*;

mod alike;
mod factored;

use super::Party;
use super::compile::Compiled;
use super::compile::walk::{Row, Side};
use super::masks::{ALL, Masks, NONE, WordHasher};
use crate::model::ip::AddrRange;
use crate::model::{Cluster, Direction, PortSet};
use factored::{Factored, Scratch};

/// The reachability of every pair of members.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// Number of endpoints: members `0..endpoints` are [`Cluster::endpoints`].
    pub endpoints: usize,
    /// External ranges: member `endpoints + i` is `externals[i]`.
    pub externals: Vec<AddrRange>,
    class_of: Vec<u32>,
    classes: usize,
    cells: Cells,
    sets: Vec<PortSet>,
    pod: Vec<bool>,
}

impl Matrix {
    /// Computes the matrix of a cluster.
    pub fn compute(cluster: &Cluster) -> Matrix {
        let c = Compiled::new(cluster);
        crate::base::timings::phase("compile");
        Matrix::of(&c)
    }

    /// Computes the matrix of a compiled cluster.
    pub fn of(c: &Compiled) -> Matrix {
        // Large matrices keep the two sides' rows and combine them on demand (memory linear
        // in groups × classes); small ones hold every cell, 16 bits while the ids fit (a few
        // hundred distinct sets is usual), else 32.
        let factored = (c.classes() >= FACTORED_FROM)
            .then(|| Factored::build(c))
            .flatten();
        let (cells, sets) = match factored {
            Some((cells, sets)) => (Cells::Factored(Box::new(cells)), sets),
            None => match rows::<u16>(c) {
                Some((cells, sets)) => (Cells::Narrow(cells), sets),
                None => {
                    let (cells, sets) = rows::<u32>(c).expect("32-bit ids never overflow");
                    (Cells::Wide(cells), sets)
                }
            },
        };
        Matrix {
            endpoints: c.n,
            externals: c.externals.clone(),
            class_of: c.class_of.clone(),
            classes: c.classes(),
            cells,
            sets,
            pod: c.pod.clone(),
        }
    }

    /// Number of members (endpoints and external ranges).
    pub fn len(&self) -> usize {
        self.endpoints + self.externals.len()
    }

    /// Whether there is no member.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of equivalence classes the members fell into.
    pub fn class_count(&self) -> usize {
        self.classes
    }

    /// The class of a member: the members of a class are treated alike by every policy, as
    /// source and as destination (so they reach, and are reached by, the same members).
    pub fn class_of(&self, member: usize) -> usize {
        self.class_of[member] as usize
    }

    /// The ports any member of class `a` may open towards any member of class `b` (loopback
    /// aside: see [`Matrix::allowed`]).
    pub fn class_allowed(&self, a: usize, b: usize) -> &PortSet {
        &self.sets[self.cells.get(a, b, self.classes) as usize]
    }

    /// Whether a member is a single pod, which always reaches itself (loopback).
    pub fn is_pod(&self, member: usize) -> bool {
        member < self.endpoints && self.pod[member]
    }

    /// The party a member stands for (an external range by its first address).
    pub fn party(&self, member: usize) -> Party {
        if member < self.endpoints {
            Party::Endpoint(member)
        } else {
            Party::Address(self.externals[member - self.endpoints].first())
        }
    }

    /// Whether a member is an external range.
    pub fn is_external(&self, member: usize) -> bool {
        member >= self.endpoints
    }

    /// The ports `src` may open towards `dst`. A pod reaching itself is always allowed.
    pub fn allowed(&self, src: usize, dst: usize) -> &PortSet {
        &self.sets[self.allowed_id(src, dst) as usize]
    }

    /// [`Matrix::allowed`] as the id of its port set ([`Matrix::set`]): equal ids are equal
    /// sets, so writers can format each distinct set once.
    pub fn allowed_id(&self, src: usize, dst: usize) -> u32 {
        if src == dst && src < self.endpoints && self.pod[src] {
            return ALL;
        }
        let (cs, cd) = (self.class_of[src] as usize, self.class_of[dst] as usize);
        self.cells.get(cs, cd, self.classes)
    }

    /// The port set of an id from [`Matrix::allowed_id`].
    pub fn set(&self, id: u32) -> &PortSet {
        &self.sets[id as usize]
    }

    /// The distinct port sets, by id ([`Matrix::set`]): for writers that format each once.
    pub fn sets(&self) -> &[PortSet] {
        &self.sets
    }

    /// A reader of whole rows towards the classes `cols` (in that order, repeats allowed):
    /// for writers that go row by row, one row costs the columns, not a lookup per cell.
    pub fn row_reader(&self, cols: impl IntoIterator<Item = usize>) -> RowReader<'_> {
        let cols: Vec<u32> = cols.into_iter().map(|d| d as u32).collect();
        let sides = match &self.cells {
            Cells::Factored(f) => cols.iter().map(|&d| f.columns_of(d as usize)).collect(),
            _ => Vec::new(),
        };
        RowReader {
            matrix: self,
            cols,
            sides,
            scratch: Scratch::default(),
            out: Vec::new(),
        }
    }
}

/// Whole rows of a [`Matrix`] towards a fixed list of destination classes
/// ([`Matrix::row_reader`]).
pub struct RowReader<'m> {
    matrix: &'m Matrix,
    /// The class of each column.
    cols: Vec<u32>,
    /// Factored cells: the egress and ingress column of each column.
    sides: Vec<(u32, u32)>,
    scratch: Scratch,
    out: Vec<u32>,
}

impl RowReader<'_> {
    /// The cells (port set ids, [`Matrix::set`]) of source class `s` towards every column,
    /// in column order: [`Matrix::class_allowed`]'s, loopback aside.
    pub fn row(&mut self, s: usize) -> &[u32] {
        let m = self.matrix;
        match &m.cells {
            Cells::Factored(f) => f.row(s, &self.sides, &mut self.out, &mut self.scratch),
            cells => {
                self.out.clear();
                self.out.extend(
                    self.cols
                        .iter()
                        .map(|&d| cells.get(s, d as usize, m.classes)),
                );
            }
        }
        &self.out
    }
}

/// The class × class cells: ids of port sets, 16 bits each while every id fits (the cells
/// are the matrix's largest part, quadratic in classes), else 32; or, for a large matrix,
/// the rows of both sides, combined on demand ([`Factored`]).
#[derive(Clone, Debug)]
enum Cells {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
    Factored(Box<Factored>),
}

impl Cells {
    /// The cell of source class `s` and destination class `d`, of `classes` classes.
    fn get(&self, s: usize, d: usize, classes: usize) -> u32 {
        match self {
            Cells::Narrow(v) => u32::from(v[s * classes + d]),
            Cells::Wide(v) => v[s * classes + d],
            Cells::Factored(f) => f.get(s, d),
        }
    }
}

/// Classes from which the matrix is kept factored: below, every cell is held (at 16,384
/// classes, 512 MB), which is faster to read.
const FACTORED_FROM: usize = 16_384;

/// A cell: the id of a port set, in as few bits as the matrix needs.
trait CellId: Copy + Send + Sync + PartialEq + 'static {
    /// The id of the empty set.
    const NONE: Self;
    /// The id, None when it does not fit.
    fn of(id: u32) -> Option<Self>;
    /// The id.
    fn id(self) -> u32;
}

impl CellId for u16 {
    const NONE: u16 = NONE as u16;
    fn of(id: u32) -> Option<u16> {
        u16::try_from(id).ok()
    }
    fn id(self) -> u32 {
        u32::from(self)
    }
}

impl CellId for u32 {
    const NONE: u32 = NONE;
    fn of(id: u32) -> Option<u32> {
        Some(id)
    }
    fn id(self) -> u32 {
        self
    }
}

/// The class × class cells, as ids into interned port sets (0: none, 1: all).
///
/// A cell is the egress row of its source AND the ingress row towards it. Both sides are
/// walked by program ([`Side`]): the egress rows once per egress group, interned and kept;
/// the ingress row of each ingress group is combined, as it is finished, with the egress
/// rows of the group's sources straight into their rows of cells. Masks first met by a
/// parallel part get ids of its own (from `base` up), mapped to the shared table at the end.
/// None when an id does not fit a `C`.
fn rows<C: CellId>(c: &Compiled) -> Option<(Vec<C>, Vec<PortSet>)> {
    let (classes, w) = (c.classes(), c.words());
    let mut masks = Masks::new(&c.full);

    /// A part of the egress walk: its masks, and each group's row of their ids.
    struct Interned {
        local: Masks,
        rows: Vec<(usize, Vec<u32>)>,
        mask: Vec<u64>,
    }
    let egress = Side::new(c, Direction::Egress);
    let bases = egress.bases(&mut masks);
    let seed = &masks;
    let parts = egress.walk(
        &bases,
        || Interned {
            // The bases' ids are the seed's: a copy keeps them.
            local: seed.clone(),
            rows: Vec::new(),
            mask: vec![0u64; w],
        },
        |acc: &mut Interned, g, row| {
            let mut ids = row.base().to_vec();
            for (i, &d) in row.touched().iter().enumerate() {
                row.touched_result(i, &mut acc.mask);
                ids[d as usize] = acc.local.intern(&acc.mask);
            }
            acc.rows.push((g, ids));
        },
    );
    // Rows by column, spread over the classes of each column.
    let mut egress_rows = vec![NONE; egress.members.len() * classes];
    for part in parts {
        let map = masks.merge(part.local);
        for (g, ids) in part.rows {
            let row = &mut egress_rows[g * classes..(g + 1) * classes];
            for (cell, &col) in row.iter_mut().zip(&egress.col_of) {
                *cell = map[ids[col as usize] as usize];
            }
        }
    }

    let ingress = Side::new(c, Direction::Ingress);
    let bases = ingress.bases(&mut masks);
    let mut cells = vec![C::NONE; classes * classes];
    let shared = &masks;
    let base = shared.len() as u32;
    let parts = {
        let mut slots: Vec<Option<&mut [C]>> = cells.chunks_mut(classes.max(1)).map(Some).collect();
        // Each group's rows of cells, taken once by the walk of that group.
        let rows_of_group: Vec<Mutex<CellRows<C>>> = ingress
            .members
            .iter()
            .map(|m| {
                let rows = m
                    .iter()
                    .map(|&s| (s, slots[s].take().expect("one group per class")));
                Mutex::new(rows.collect())
            })
            .collect();
        ingress.walk(
            &bases,
            || Combine::new(&c.full),
            |acc: &mut Combine, g, row: &super::compile::walk::Row| {
                let mut rows = rows_of_group[g].lock().expect("not poisoned");
                acc.group(shared, base, row, &mut rows, &ingress.col_of, |s| {
                    let e = egress.of_class[s] as usize;
                    &egress_rows[e * classes..(e + 1) * classes]
                });
            },
        )
    };
    if parts.iter().any(|p| p.overflow) {
        return None;
    }
    let mut task_of = vec![0u32; classes];
    let mut maps = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        for &s in &part.sources {
            task_of[s] = i as u32;
        }
        maps.push(masks.merge(part.local));
    }
    // Every shared id fits, or the table is too large for `C`.
    C::of(masks.len().saturating_sub(1) as u32)?;
    cells
        .par_chunks_mut(classes.max(1))
        .enumerate()
        .for_each(|(s, row)| {
            let map = &maps[task_of[s] as usize];
            for cell in row.iter_mut().filter(|c| c.id() >= base) {
                *cell = C::of(map[(cell.id() - base) as usize]).expect("checked above");
            }
        });
    let sets = masks.list.iter().map(|m| c.space.set(m)).collect();
    Some((cells, sets))
}

/// Rows of cells by source class.
type CellRows<'a, C> = Vec<(usize, &'a mut [C])>;

/// One parallel part of the ingress walk: its own masks, and the cells it wrote.
struct Combine {
    /// Masks the shared table does not have; id `base + i` is `local.list[i]`.
    local: Masks,
    /// Egress id and ingress id to cell id.
    pairs: HashMap<(u32, u32), u32, BuildHasherDefault<WordHasher>>,
    /// The sources whose rows it wrote.
    sources: Vec<usize>,
    /// The ingress row by column, then by class.
    column_ids: Vec<u32>,
    ingress_ids: Vec<u32>,
    mask: Vec<u64>,
    /// Whether an id did not fit the cells' type.
    overflow: bool,
}

impl Combine {
    fn new(full: &[u64]) -> Combine {
        Combine {
            local: Masks::new(full),
            pairs: HashMap::default(),
            sources: Vec::new(),
            column_ids: Vec::new(),
            ingress_ids: Vec::new(),
            mask: vec![0; full.len()],
            overflow: false,
        }
    }

    /// The id of a mask: the shared table's, or one of this part's.
    fn id(&mut self, shared: &Masks, base: u32) -> u32 {
        shared
            .get(&self.mask)
            .unwrap_or_else(|| base + self.local.intern(&self.mask))
    }

    /// An ingress group's finished row (by column; `col_of`: the column of each class),
    /// combined with its sources' egress rows.
    fn group<'e, C: CellId>(
        &mut self,
        shared: &Masks,
        base: u32,
        ingress: &Row,
        rows: &mut [(usize, &mut [C])],
        col_of: &[u32],
        egress_row: impl Fn(usize) -> &'e [u32],
    ) {
        self.column_ids.clear();
        self.column_ids.extend_from_slice(ingress.base());
        for (i, &d) in ingress.touched().iter().enumerate() {
            ingress.touched_result(i, &mut self.mask);
            self.column_ids[d as usize] = self.id(shared, base);
        }
        self.ingress_ids.clear();
        self.ingress_ids
            .extend(col_of.iter().map(|&col| self.column_ids[col as usize]));
        let ingress_ids = std::mem::take(&mut self.ingress_ids);
        for (s, cells) in rows.iter_mut() {
            self.sources.push(*s);
            for ((cell, &e), &i) in cells.iter_mut().zip(egress_row(*s)).zip(&ingress_ids) {
                let id = match (e, i) {
                    (NONE, _) | (_, NONE) => NONE,
                    (ALL, x) | (x, ALL) => x,
                    (e, i) if e == i => e,
                    (e, i) => match self.pairs.get(&(e, i)) {
                        Some(&id) => id,
                        None => {
                            let a = &shared.list[e as usize];
                            let b = if i < base {
                                &shared.list[i as usize]
                            } else {
                                &self.local.list[(i - base) as usize]
                            };
                            for k in 0..self.mask.len() {
                                self.mask[k] = a[k] & b[k];
                            }
                            let id = self.id(shared, base);
                            self.pairs.insert((e, i), id);
                            id
                        }
                    },
                };
                *cell = C::of(id).unwrap_or_else(|| {
                    self.overflow = true;
                    C::NONE
                });
            }
        }
        self.ingress_ids = ingress_ids;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, LoadOptions};

    #[test]
    fn narrow_and_wide_cells_hold_the_same_matrix() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
        let loaded = load::load(&[dir.to_string()], &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let c = Compiled::new(&cluster);
        let (narrow, sets16) = rows::<u16>(&c).expect("the demo has few sets");
        let (wide, sets32) = rows::<u32>(&c).unwrap();
        assert_eq!(sets16, sets32);
        assert_eq!(
            narrow.iter().map(|&x| u32::from(x)).collect::<Vec<_>>(),
            wide
        );
        assert!(matches!(Matrix::of(&c).cells, Cells::Narrow(_)));
    }

    #[test]
    fn factored_cells_are_the_held_cells() {
        // The demo, and a synthetic cluster of a few hundred classes with every policy kind
        // the generator writes: the factored form answers every cell as the held one.
        for cluster in &demo_and_synth() {
            let c = Compiled::new(cluster);
            let (held, held_sets) = rows::<u32>(&c).unwrap();
            let (cells, sets) = Factored::build(&c).expect("small tables fit");
            let cells = Cells::Factored(Box::new(cells));
            let k = c.classes();
            for (i, &h) in held.iter().enumerate() {
                let cell = cells.get(i / k, i % k, k);
                assert_eq!(sets[cell as usize], held_sets[h as usize], "cell {i}");
            }
        }
    }

    /// The demo, and a synthetic cluster of a few hundred classes with every policy kind
    /// the generator writes.
    fn demo_and_synth() -> [Cluster; 2] {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
        let loaded = load::load(&[dir.to_string()], &LoadOptions::default());
        let demo = Cluster::build(loaded.objects);
        let generated = crate::synth::Cluster::generate(&crate::synth::Params::new(400, 120, 7));
        let loaded = load::load_texts(&generated.texts(), &LoadOptions::default());
        [demo, Cluster::build(loaded.objects)]
    }

    /// The demo and a generated cluster, each as held and as factored matrices.
    fn held_and_factored() -> Vec<(Matrix, Matrix)> {
        demo_and_synth()
            .iter()
            .map(|cluster| {
                let c = Compiled::new(cluster);
                let held = Matrix::of(&c);
                assert!(!matches!(held.cells, Cells::Factored(_)));
                let (cells, sets) = Factored::build(&c).expect("small tables fit");
                let factored = Matrix {
                    cells: Cells::Factored(Box::new(cells)),
                    sets,
                    ..held.clone()
                };
                (held, factored)
            })
            .collect()
    }

    #[test]
    fn row_readers_read_the_cells() {
        for (held, factored) in held_and_factored() {
            let k = held.class_count();
            // Every class, then some again in another order: columns may repeat.
            let cols: Vec<usize> = (0..k).chain((0..k).rev().step_by(3)).collect();
            for m in [&held, &factored] {
                let mut reader = m.row_reader(cols.iter().copied());
                for s in 0..k {
                    let row = reader.row(s).to_vec();
                    for (j, &d) in cols.iter().enumerate() {
                        assert_eq!(m.set(row[j]), held.class_allowed(s, d), "{s} -> {d}");
                    }
                }
            }
        }
    }

    #[test]
    fn factored_alike_classes_have_equal_rows_and_columns() {
        // Alike as far as the two sides tell: never merges classes the cells tell apart, and
        // no coarser than the cells' own grouping.
        for (held, factored) in held_and_factored() {
            let k = held.class_count();
            let (cells, sides) = (held.alike_classes(), factored.alike_classes());
            for a in 0..k {
                for b in 0..k {
                    if sides[a] == sides[b] {
                        assert_eq!(cells[a], cells[b], "{a} and {b}");
                        for x in 0..k {
                            assert_eq!(held.class_allowed(a, x), held.class_allowed(b, x));
                            assert_eq!(held.class_allowed(x, a), held.class_allowed(x, b));
                        }
                    }
                }
            }
            // Numbered in order of first class.
            let mut next = 0;
            for &g in &sides {
                assert!(g <= next);
                next = next.max(g + 1);
            }
        }
    }

    #[test]
    fn a_merge_of_unequal_columns_is_undone() {
        // What a collision of column hashes would do: a group merged into one whose column
        // differs. The cell-by-cell check gives it an id of its own; a right merge stays.
        let mut split = 0;
        for (held, factored) in held_and_factored() {
            let Cells::Factored(f) = &factored.cells else {
                unreachable!()
            };
            let groups = f.alike(factored.class_count());
            let count = groups.iter().max().map_or(0, |&g| g as usize + 1);
            let mut reps = vec![usize::MAX; count];
            for (c, &g) in groups.iter().enumerate() {
                if reps[g as usize] == usize::MAX {
                    reps[g as usize] = c;
                }
            }
            let k = held.class_count();
            let column = |c: usize| (0..k).map(|x| held.class_allowed(x, c)).collect::<Vec<_>>();
            let unequal = (1..count).find(|&g| column(reps[g]) != column(reps[0]));
            let Some(g) = unequal else { continue };
            let mut merged: Vec<u32> = (0..count as u32).collect();
            merged[g] = 0;
            let mut next = count as u32;
            factored.unmerge_unequal_columns(&reps, &mut merged, &mut next);
            assert_eq!(merged[g], count as u32, "split off with a new id");
            assert_eq!(next, count as u32 + 1);
            split += 1;
            // A merge of two groups with equal columns (their rows may differ: the check
            // is of columns only) is kept.
            let columns: Vec<Vec<&PortSet>> = reps.iter().map(|&r| column(r)).collect();
            let equal = (0..count).find_map(|a| {
                (a + 1..count)
                    .find(|&b| columns[a] == columns[b])
                    .map(|b| (a, b))
            });
            if let Some((a, b)) = equal {
                let mut merged: Vec<u32> = (0..count as u32).collect();
                merged[b] = a as u32;
                let mut next = count as u32;
                factored.unmerge_unequal_columns(&reps, &mut merged, &mut next);
                assert_eq!((merged[b], next), (a as u32, count as u32));
            }
        }
        assert!(split > 0, "a wrong merge was tried");
    }

    #[test]
    fn ids_that_do_not_fit_are_refused() {
        assert_eq!(<u16 as CellId>::of(65_535), Some(65_535));
        assert_eq!(<u16 as CellId>::of(65_536), None);
        assert_eq!(<u32 as CellId>::of(70_000), Some(70_000));
    }
}

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

use super::Party;
use super::compile::Compiled;
use super::compile::walk::{Row, Side};
use super::masks::{ALL, Masks, NONE, WordHasher};
use crate::model::ip::AddrRange;
use crate::model::{Cluster, Direction, PortSet};

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
        Matrix::of(&Compiled::new(cluster))
    }

    /// Computes the matrix of a compiled cluster.
    pub fn of(c: &Compiled) -> Matrix {
        // Large matrices keep the two sides' rows and combine them on demand (memory linear
        // in groups × classes); small ones hold every cell, 16 bits while the ids fit (a few
        // hundred distinct sets is usual), else 32.
        let factored = (c.classes() >= FACTORED_FROM)
            .then(|| factored(c))
            .flatten();
        let (cells, sets) = match factored {
            Some((cells, sets)) => (cells, sets),
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

    /// Number of distinct port sets: ids are `0..set_count()`.
    pub fn set_count(&self) -> usize {
        self.sets.len()
    }

    /// Classes the matrix cannot tell apart: the alike class of each class, numbered in order
    /// of first class. Two classes are alike when they reach every class on the same ports
    /// and are reached by every class on the same ports (equal rows and equal columns);
    /// then every pair within and across them has one cell too, so the members of alike
    /// classes can be shown as one group. Coarser than the classes themselves, which also
    /// split on selectors that, all rules combined, change no cell.
    pub fn alike_classes(&self) -> Vec<u32> {
        let k = self.classes;
        let cell = |s: usize, d: usize| self.cells.get(s, d, k);
        // Rows and columns by hash (one row-major pass), then checked cell by cell against
        // the first class of their hashes: a hash collision never merges two classes.
        let mix = |h: u64, cell: u32| {
            (h ^ u64::from(cell))
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(5)
        };
        let seed = 0xcbf2_9ce4_8422_2325u64;
        let mut col_hash = vec![seed; k];
        let mut row_hash = vec![seed; k];
        for (s, rh) in row_hash.iter_mut().enumerate() {
            for (d, ch) in col_hash.iter_mut().enumerate() {
                let c = cell(s, d);
                *rh = mix(*rh, c);
                *ch = mix(*ch, c);
            }
        }
        let same = |a: usize, b: usize| {
            (0..k).all(|x| cell(a, x) == cell(b, x) && cell(x, a) == cell(x, b))
        };
        let mut first: HashMap<(u64, u64), Vec<u32>> = HashMap::new();
        let mut alike = vec![0u32; k];
        let mut count = 0u32;
        for c in 0..k {
            let candidates = first.entry((row_hash[c], col_hash[c])).or_default();
            match candidates.iter().find(|&&r| same(r as usize, c)) {
                Some(&r) => alike[c] = alike[r as usize],
                None => {
                    candidates.push(c as u32);
                    alike[c] = count;
                    count += 1;
                }
            }
        }
        alike
    }
}

/// The class × class cells: ids of port sets, 16 bits each while every id fits (the cells
/// are the matrix's largest part, quadratic in classes), else 32; or, for a large matrix,
/// the rows of both sides, combined on demand ([`Factored`]).
#[derive(Clone, Debug)]
enum Cells {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
    Factored(Factored),
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

/// The cells as their two sides: a cell `(s, d)` is the egress row of `s`'s egress group at
/// `d` AND the ingress row of `s`'s ingress group at `d` (sources are grouped on each side
/// by what that side consults for them, [`Side`]). The rows hold ids of masks; `pair` holds
/// the id of the AND of every pair of ids the rows use, through a rank of each used id.
///
/// Memory is (egress groups + ingress groups) × classes ids instead of classes²: on the
/// largest dump (37,990 classes; 3,868 and 12,907 groups) 1.3 GB instead of 2.9 GB of cells
/// and 0.6 GB of egress rows.
#[derive(Clone, Debug)]
struct Factored {
    classes: usize,
    egress: Table,
    ingress: Table,
    egress_of: Vec<u32>,
    ingress_of: Vec<u32>,
    egress_rank: Vec<u32>,
    ingress_rank: Vec<u32>,
    ingress_used: usize,
    pair: Vec<u32>,
}

impl Factored {
    fn get(&self, s: usize, d: usize) -> u32 {
        let e = self
            .egress
            .get(self.egress_of[s] as usize * self.classes + d);
        let n = self
            .ingress
            .get(self.ingress_of[s] as usize * self.classes + d);
        let (re, rn) = (self.egress_rank[e as usize], self.ingress_rank[n as usize]);
        self.pair[re as usize * self.ingress_used + rn as usize]
    }
}

/// The rows of one side: per group, per class, the id of a mask.
#[derive(Clone, Debug)]
enum Table {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Table {
    fn get(&self, i: usize) -> u32 {
        match self {
            Table::Narrow(v) => u32::from(v[i]),
            Table::Wide(v) => v[i],
        }
    }
}

/// Most distinct pairs of row ids the factored form tabulates (64 MB of ids); beyond, the
/// cells are held.
const MAX_PAIRS: usize = 1 << 24;

/// The factored cells, or None when a side's ids or the pairs do not fit.
fn factored(c: &Compiled) -> Option<(Cells, Vec<PortSet>)> {
    let classes = c.classes();
    let mut masks = Masks::new(&c.full);
    let egress = Side::new(c, Direction::Egress);
    let ingress = Side::new(c, Direction::Ingress);
    let e = side_table::<u16>(c, &egress, &mut masks)
        .map(Table::Narrow)
        .or_else(|| side_table::<u32>(c, &egress, &mut masks).map(Table::Wide))?;
    let i = side_table::<u16>(c, &ingress, &mut masks)
        .map(Table::Narrow)
        .or_else(|| side_table::<u32>(c, &ingress, &mut masks).map(Table::Wide))?;
    // The ids each side uses, ranked.
    let rank = |t: &Table, len: usize| {
        let mut used = vec![false; masks.len()];
        for k in 0..len {
            used[t.get(k) as usize] = true;
        }
        let mut rank = vec![u32::MAX; masks.len()];
        let mut ids = Vec::new();
        for (id, u) in used.iter().enumerate() {
            if *u {
                rank[id] = ids.len() as u32;
                ids.push(id as u32);
            }
        }
        (rank, ids)
    };
    let (egress_rank, e_ids) = rank(&e, egress.members.len() * classes);
    let (ingress_rank, i_ids) = rank(&i, ingress.members.len() * classes);
    if e_ids.len().saturating_mul(i_ids.len()) > MAX_PAIRS {
        return None;
    }
    let mut pair = Vec::with_capacity(e_ids.len() * i_ids.len());
    let mut mask = vec![0u64; c.words()];
    for &a in &e_ids {
        for &b in &i_ids {
            let id = match (a, b) {
                (NONE, _) | (_, NONE) => NONE,
                (ALL, x) | (x, ALL) => x,
                (a, b) if a == b => a,
                (a, b) => {
                    let (ma, mb) = (&masks.list[a as usize], &masks.list[b as usize]);
                    for k in 0..mask.len() {
                        mask[k] = ma[k] & mb[k];
                    }
                    masks.intern(&mask)
                }
            };
            pair.push(id);
        }
    }
    let sets = masks.list.iter().map(|m| c.space.set(m)).collect();
    let cells = Factored {
        classes,
        egress: e,
        ingress: i,
        egress_of: egress.of_class.clone(),
        ingress_of: ingress.of_class.clone(),
        egress_rank,
        ingress_rank,
        ingress_used: i_ids.len(),
        pair,
    };
    Some((Cells::Factored(cells), sets))
}

/// One side's rows, written by the walk straight into the table (each group's row is its
/// own slice), with ids of each parallel part's own masks mapped to `masks` at the end.
/// None when an id does not fit a `C`.
fn side_table<C: CellId>(c: &Compiled, side: &Side, masks: &mut Masks) -> Option<Vec<C>> {
    let classes = c.classes();
    let bases = side.bases(masks);
    let mut table = vec![C::NONE; side.members.len() * classes];
    struct Part {
        local: Masks,
        groups: Vec<usize>,
        mask: Vec<u64>,
        overflow: bool,
    }
    let seed = &*masks;
    let parts = {
        let slots: Vec<Mutex<Option<&mut [C]>>> = table
            .chunks_mut(classes.max(1))
            .map(|row| Mutex::new(Some(row)))
            .collect();
        side.walk(
            &bases,
            || Part {
                // The bases' ids are the seed's: a copy keeps them.
                local: seed.clone(),
                groups: Vec::new(),
                mask: vec![0u64; c.words()],
                overflow: false,
            },
            |acc: &mut Part, g, row| {
                let slot = slots[g].lock().expect("not poisoned").take();
                let cells = slot.expect("one row per group");
                let mut put = |cell: &mut C, id: u32| {
                    *cell = C::of(id).unwrap_or_else(|| {
                        acc.overflow = true;
                        C::NONE
                    });
                };
                for (cell, &id) in cells.iter_mut().zip(row.base()) {
                    put(cell, id);
                }
                for (i, &d) in row.touched().iter().enumerate() {
                    row.touched_result(i, &mut acc.mask);
                    let id = acc.local.intern(&acc.mask);
                    put(&mut cells[d as usize], id);
                }
                acc.groups.push(g);
            },
        )
    };
    if parts.iter().any(|p| p.overflow) {
        return None;
    }
    let mut fits = true;
    let maps: Vec<(Vec<usize>, Vec<u32>)> = parts
        .into_iter()
        .map(|p| (p.groups, masks.merge(p.local)))
        .collect();
    for (groups, map) in &maps {
        if map.iter().any(|&id| C::of(id).is_none()) {
            fits = false;
            break;
        }
        for &g in groups {
            for cell in &mut table[g * classes..(g + 1) * classes] {
                *cell = C::of(map[cell.id() as usize]).expect("checked");
            }
        }
    }
    fits.then_some(table)
}

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
    let mut egress_rows = vec![NONE; egress.members.len() * classes];
    for part in parts {
        let map = masks.merge(part.local);
        for (g, ids) in part.rows {
            let row = &mut egress_rows[g * classes..(g + 1) * classes];
            for (cell, id) in row.iter_mut().zip(ids) {
                *cell = map[id as usize];
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
                acc.group(shared, base, row, &mut rows, classes, |s| {
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

    /// An ingress group's finished row, combined with its sources' egress rows.
    fn group<'e, C: CellId>(
        &mut self,
        shared: &Masks,
        base: u32,
        ingress: &Row,
        rows: &mut [(usize, &mut [C])],
        classes: usize,
        egress_row: impl Fn(usize) -> &'e [u32],
    ) {
        self.ingress_ids.clear();
        self.ingress_ids
            .extend_from_slice(&ingress.base()[..classes]);
        for (i, &d) in ingress.touched().iter().enumerate() {
            ingress.touched_result(i, &mut self.mask);
            self.ingress_ids[d as usize] = self.id(shared, base);
        }
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
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo");
        let loaded = load::load(&[dir.to_string()], &LoadOptions::default());
        let demo = Cluster::build(loaded.objects);
        let generated = crate::synth::Cluster::generate(&crate::synth::Params::new(400, 120, 7));
        let loaded = load::load_texts(&generated.texts(), &LoadOptions::default());
        let synth = Cluster::build(loaded.objects);
        for cluster in [&demo, &synth] {
            let c = Compiled::new(cluster);
            let (held, held_sets) = rows::<u32>(&c).unwrap();
            let (cells, sets) = factored(&c).expect("small tables fit");
            assert!(matches!(cells, Cells::Factored(_)));
            let k = c.classes();
            for (i, &h) in held.iter().enumerate() {
                let cell = cells.get(i / k, i % k, k);
                assert_eq!(sets[cell as usize], held_sets[h as usize], "cell {i}");
            }
        }
    }

    #[test]
    fn ids_that_do_not_fit_are_refused() {
        assert_eq!(<u16 as CellId>::of(65_535), Some(65_535));
        assert_eq!(<u16 as CellId>::of(65_536), None);
        assert_eq!(<u32 as CellId>::of(70_000), Some(70_000));
    }
}

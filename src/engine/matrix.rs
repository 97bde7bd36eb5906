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
        let (cells, sets) = rows(c);
        let cells = Cells::pack(cells, sets.len());
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
        &self.sets[self.cells.get(a * self.classes + b) as usize]
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
        self.cells.get(cs * self.classes + cd)
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
        let cell = |s: usize, d: usize| self.cells.get(s * k + d);
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

/// The class × class cells: ids of port sets, packed two to a word while every id fits
/// in 16 bits (a few hundred distinct sets is usual; the cells are the matrix's largest
/// part, quadratic in classes).
#[derive(Clone, Debug)]
enum Cells {
    /// One id per word.
    Wide(Vec<u32>),
    /// Cell `i` is the low half of word `i / 2` for even `i`, the high half for odd.
    Packed(Vec<u32>),
}

impl Cells {
    /// Packs the ids in place when they all fit in 16 bits (`sets` distinct ones).
    fn pack(mut cells: Vec<u32>, sets: usize) -> Cells {
        if sets > usize::from(u16::MAX) + 1 {
            return Cells::Wide(cells);
        }
        let n = cells.len();
        // Word j takes cells 2j and 2j+1, both at or after j: read before overwritten.
        for j in 0..n.div_ceil(2) {
            let lo = cells[2 * j];
            let hi = cells.get(2 * j + 1).copied().unwrap_or(0);
            cells[j] = lo | (hi << 16);
        }
        cells.truncate(n.div_ceil(2));
        cells.shrink_to_fit();
        Cells::Packed(cells)
    }

    fn get(&self, i: usize) -> u32 {
        match self {
            Cells::Wide(v) => v[i],
            Cells::Packed(v) => (v[i / 2] >> ((i % 2) * 16)) & 0xffff,
        }
    }
}

/// The class × class cells, as ids into interned port sets (0: none, 1: all).
///
/// A cell is the egress row of its source AND the ingress row towards it. Both sides are
/// walked by program ([`Side`]): the egress rows once per egress group, interned and kept;
/// the ingress row of each ingress group is combined, as it is finished, with the egress
/// rows of the group's sources straight into their rows of cells. Masks first met by a
/// parallel part get ids of its own (from `base` up), mapped to the shared table at the end.
fn rows(c: &Compiled) -> (Vec<u32>, Vec<PortSet>) {
    let (classes, w) = (c.classes(), c.words());
    let mut masks = Masks::new(&c.full);

    /// A part of the egress walk: its masks, and each group's row of their ids.
    struct Interned {
        local: Masks,
        rows: Vec<(usize, Vec<u32>)>,
        mask: Vec<u64>,
    }
    let egress = Side::new(c, Direction::Egress);
    let parts = egress.walk(
        || Interned {
            local: Masks::new(&c.full),
            rows: Vec::new(),
            mask: vec![0u64; w],
        },
        |acc: &mut Interned, g, row| {
            let ids = (0..classes)
                .map(|d| {
                    row.result(d, &mut acc.mask);
                    acc.local.intern(&acc.mask)
                })
                .collect();
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
    let mut cells = vec![NONE; classes * classes];
    let shared = &masks;
    let base = shared.len() as u32;
    let parts = {
        let mut slots: Vec<Option<&mut [u32]>> =
            cells.chunks_mut(classes.max(1)).map(Some).collect();
        // Each group's rows of cells, taken once by the walk of that group.
        let rows_of_group: Vec<Mutex<CellRows>> = ingress
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
            || Combine::new(&c.full),
            |acc: &mut Combine, g, row| {
                let mut rows = rows_of_group[g].lock().expect("not poisoned");
                acc.group(shared, base, row, &mut rows, classes, |s| {
                    let e = egress.of_class[s] as usize;
                    &egress_rows[e * classes..(e + 1) * classes]
                });
            },
        )
    };
    let mut task_of = vec![0u32; classes];
    let mut maps = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        for &s in &part.sources {
            task_of[s] = i as u32;
        }
        maps.push(masks.merge(part.local));
    }
    cells
        .par_chunks_mut(classes.max(1))
        .enumerate()
        .for_each(|(s, row)| {
            let map = &maps[task_of[s] as usize];
            for cell in row.iter_mut().filter(|c| **c >= base) {
                *cell = map[(*cell - base) as usize];
            }
        });
    let sets = masks.list.iter().map(|m| c.space.set(m)).collect();
    (cells, sets)
}

/// Rows of cells by source class.
type CellRows<'a> = Vec<(usize, &'a mut [u32])>;

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
}

impl Combine {
    fn new(full: &[u64]) -> Combine {
        Combine {
            local: Masks::new(full),
            pairs: HashMap::default(),
            sources: Vec::new(),
            ingress_ids: Vec::new(),
            mask: vec![0; full.len()],
        }
    }

    /// The id of a mask: the shared table's, or one of this part's.
    fn id(&mut self, shared: &Masks, base: u32) -> u32 {
        shared
            .get(&self.mask)
            .unwrap_or_else(|| base + self.local.intern(&self.mask))
    }

    /// An ingress group's finished row, combined with its sources' egress rows.
    fn group<'e>(
        &mut self,
        shared: &Masks,
        base: u32,
        ingress: &Row,
        rows: &mut [(usize, &mut [u32])],
        classes: usize,
        egress_row: impl Fn(usize) -> &'e [u32],
    ) {
        self.ingress_ids.clear();
        for d in 0..classes {
            ingress.result(d, &mut self.mask);
            let id = self.id(shared, base);
            self.ingress_ids.push(id);
        }
        let ingress_ids = std::mem::take(&mut self.ingress_ids);
        for (s, cells) in rows.iter_mut() {
            self.sources.push(*s);
            for ((cell, &e), &i) in cells.iter_mut().zip(egress_row(*s)).zip(&ingress_ids) {
                *cell = match (e, i) {
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
            }
        }
        self.ingress_ids = ingress_ids;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_pack_two_ids_a_word_and_read_back_the_same() {
        for n in [0usize, 1, 2, 7, 10] {
            let ids: Vec<u32> = (0..n as u32).map(|i| (i * 7919) % 65536).collect();
            let packed = Cells::pack(ids.clone(), 65536);
            assert!(matches!(&packed, Cells::Packed(v) if v.len() == n.div_ceil(2)));
            assert_eq!((0..n).map(|i| packed.get(i)).collect::<Vec<_>>(), ids);
        }
        // More distinct sets than 16 bits can name: kept wide.
        let wide = Cells::pack(vec![70_000, 1], 70_001);
        assert!(matches!(wide, Cells::Wide(_)));
        assert_eq!(wide.get(0), 70_000);
    }
}

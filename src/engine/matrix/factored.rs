//! The cells of a large matrix as its two sides, sparse.
//!
//! A cell `(s, d)` is the egress row of `s`'s egress group at `d` AND the ingress row of
//! `s`'s ingress group at `d` (sources are grouped on each side by what that side consults
//! for them, [`Side`]). A group's row is the base row of the tier ends it went through
//! ([`crate::engine::compile::walk::Bases`]) except at the classes its rules decide
//! differently: only those exceptions are kept, so memory follows the rules, not
//! groups × classes. The rows hold ids of masks; `pair` holds the id of the AND of every
//! pair of ids the rows use, through a rank of each used id.
//!
//! Rows run over each side's columns ([`Side::col_of`]), and after the build hold ranks of
//! ids, so that a cell is one lookup in `pair`. On the largest dump (37,990 classes; 3,868
//! egress groups over 4,270 columns, 12,907 ingress groups over 27,389) the ingress side
//! keeps 88 million exceptions (700 MB), where the dense rows of both sides took 1.3 GB.

use std::collections::HashMap;

use super::super::compile::Compiled;
use super::super::compile::classes::Refiner;
use super::super::compile::walk::Side;
use super::super::masks::{ALL, Masks, NONE, same};
use crate::model::{Direction, PortSet};
use rayon::prelude::*;

/// Most distinct pairs of row ids the factored form tabulates (64 MB of ids); beyond, the
/// cells are held.
const MAX_PAIRS: usize = 1 << 24;

/// Working space of [`Factored::row`]: the two sides' rows by column.
#[derive(Default)]
pub(super) struct Scratch([Vec<u32>; 2]);

/// The factored cells (see the module).
#[derive(Clone, Debug)]
pub(super) struct Factored {
    egress: SideRows,
    ingress: SideRows,
    egress_of: Vec<u32>,
    ingress_of: Vec<u32>,
    /// Number of ranks of the ingress side.
    ingress_used: usize,
    pair: Vec<u32>,
}

/// One side's rows, by column ([`Side::col_of`]), of mask ids until built, then of the
/// ids' ranks among the side's ids. Invariant: each group's exceptions are ascending by
/// column, and none holds the id its base row has there.
#[derive(Clone, Debug)]
struct SideRows {
    /// The column of each class.
    col_of: Vec<u32>,
    /// The base rows: per distinct list of tier ends, the id of every column.
    bases: Vec<Vec<u32>>,
    /// Per group, its base row.
    base_of: Vec<u32>,
    /// Per group, (column, id) where its row differs from its base row.
    except: Vec<Vec<(u32, u32)>>,
}

impl SideRows {
    /// Marks the end of the rows of side `name` ([`crate::base::timings`]).
    fn timed(&self, name: &str, words: usize) {
        crate::base::timings::phase(&format!(
            "matrix: {name} rows ({} groups, {} columns, {} exceptions, {} words)",
            self.except.len(),
            self.bases.first().map_or(0, Vec::len),
            self.except.iter().map(Vec::len).sum::<usize>(),
            words
        ));
    }

    /// The id of group `g` at class `d`.
    fn get(&self, g: usize, d: usize) -> u32 {
        let col = self.col_of[d];
        let except = &self.except[g];
        match except.binary_search_by_key(&col, |&(x, _)| x) {
            Ok(i) => except[i].1,
            Err(_) => self.bases[self.base_of[g] as usize][col as usize],
        }
    }

    /// The row of group `g`, by column, into `out`.
    fn row(&self, g: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.bases[self.base_of[g] as usize]);
        for &(col, id) in &self.except[g] {
            out[col as usize] = id;
        }
    }

    /// Every id replaced by its rank.
    fn rank(&mut self, rank: &[u32]) {
        for base in &mut self.bases {
            for id in base.iter_mut() {
                *id = rank[*id as usize];
            }
        }
        self.except.par_iter_mut().for_each(|ex| {
            for e in ex {
                e.1 = rank[e.1 as usize];
            }
        });
    }

    /// A label per column, equal for two columns exactly when every row of the side has
    /// equal ids at them: the columns refined by the base rows' ids, then by each group's
    /// exceptions, value by value (the cost follows the exceptions, never columns²).
    fn column_labels(&self) -> Vec<u32> {
        let mut label = vec![0u32; self.col_of.iter().max().map_or(0, |&m| m as usize + 1)];
        for base in &self.bases {
            let mut ids: HashMap<(u32, u32), u32> = HashMap::new();
            for (l, &id) in label.iter_mut().zip(base) {
                let next = ids.len() as u32;
                *l = *ids.entry((*l, id)).or_insert(next);
            }
        }
        let seed: Vec<u64> = label.iter().map(|&l| u64::from(l)).collect();
        // Each group's exceptions split by value, in buckets kept from group to group
        // (found through a slot per id, reset after each group).
        let mut refiner = Refiner::new(&seed);
        let ids = self
            .except
            .iter()
            .flatten()
            .map(|&(_, id)| id as usize + 1)
            .max();
        let mut slot = vec![u32::MAX; ids.unwrap_or(0)];
        let mut used: Vec<u32> = Vec::new();
        let mut buckets: Vec<Vec<usize>> = Vec::new();
        for except in &self.except {
            for &(col, id) in except {
                let s = &mut slot[id as usize];
                if *s == u32::MAX {
                    *s = used.len() as u32;
                    used.push(id);
                    if buckets.len() < used.len() {
                        buckets.push(Vec::new());
                    }
                }
                buckets[*s as usize].push(col as usize);
            }
            for (bucket, &id) in buckets.iter_mut().zip(&used) {
                refiner.split(bucket.drain(..));
                slot[id as usize] = u32::MAX;
            }
            used.clear();
        }
        refiner.finish().class_of
    }

    /// Every id the rows use.
    fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.bases
            .iter()
            .flatten()
            .copied()
            .chain(self.except.iter().flatten().map(|&(_, id)| id))
    }
}

impl Factored {
    /// The factored cells of a compiled cluster and the port sets of their ids, or None
    /// when the pairs of ids the sides use do not fit [`MAX_PAIRS`].
    pub(super) fn build(c: &Compiled) -> Option<(Factored, Vec<PortSet>)> {
        let mut masks = Masks::new(&c.full);
        let egress_side = Side::new(c, Direction::Egress);
        let ingress_side = Side::new(c, Direction::Ingress);
        crate::base::timings::phase("matrix: sides");
        let egress = side_rows(c, &egress_side, &mut masks);
        egress.timed("egress", c.words());
        let ingress = side_rows(c, &ingress_side, &mut masks);
        ingress.timed("ingress", c.words());
        // The ids each side uses, ranked.
        let rank = |rows: &SideRows| {
            let mut used = vec![false; masks.len()];
            for id in rows.ids() {
                used[id as usize] = true;
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
        let (egress_rank, e_ids) = rank(&egress);
        let (ingress_rank, i_ids) = rank(&ingress);
        if e_ids.len().saturating_mul(i_ids.len()) > MAX_PAIRS {
            return None;
        }
        let (mut egress, mut ingress) = (egress, ingress);
        egress.rank(&egress_rank);
        ingress.rank(&ingress_rank);
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
            egress,
            ingress,
            egress_of: egress_side.of_class.clone(),
            ingress_of: ingress_side.of_class.clone(),
            ingress_used: i_ids.len(),
            pair,
        };
        Some((cells, sets))
    }

    /// The cell of source class `s` and destination class `d`.
    pub(super) fn get(&self, s: usize, d: usize) -> u32 {
        let e = self.egress.get(self.egress_of[s] as usize, d);
        let i = self.ingress.get(self.ingress_of[s] as usize, d);
        self.combine(e, i)
    }

    /// The cell of an egress rank and an ingress rank.
    fn combine(&self, e: u32, i: u32) -> u32 {
        self.pair[e as usize * self.ingress_used + i as usize]
    }

    /// The egress and ingress column of class `d` (see [`Factored::row`]).
    pub(super) fn columns_of(&self, d: usize) -> (u32, u32) {
        (self.egress.col_of[d], self.ingress.col_of[d])
    }

    /// The cells of source class `s` at the given (egress, ingress) columns
    /// ([`Factored::columns_of`]) into `out`; `scratch` is working space. Costs the sides'
    /// columns, the two groups' exceptions and a table lookup per cell.
    pub(super) fn row(
        &self,
        s: usize,
        cols: &[(u32, u32)],
        out: &mut Vec<u32>,
        scratch: &mut Scratch,
    ) {
        let [e, i] = &mut scratch.0;
        self.egress.row(self.egress_of[s] as usize, e);
        self.ingress.row(self.ingress_of[s] as usize, i);
        let pair = &self.pair[..];
        let used = self.ingress_used;
        out.clear();
        out.extend(
            cols.iter()
                .map(|&(a, b)| pair[e[a as usize] as usize * used + i[b as usize] as usize]),
        );
    }

    /// Classes alike as far as the two sides tell: equal egress and ingress groups (so
    /// equal rows), and columns of equal labels on both sides
    /// ([`SideRows::column_labels`], so equal columns). Numbered in order of first class.
    /// Two classes whose differences on one side the other side always hides are kept
    /// apart (never merged wrongly).
    pub(super) fn alike(&self, classes: usize) -> Vec<u32> {
        let (egress, ingress) = (self.egress.column_labels(), self.ingress.column_labels());
        let mut first: HashMap<[u32; 4], u32> = HashMap::new();
        (0..classes)
            .map(|s| {
                let key = [
                    self.egress_of[s],
                    self.ingress_of[s],
                    egress[self.egress.col_of[s] as usize],
                    ingress[self.ingress.col_of[s] as usize],
                ];
                let next = first.len() as u32;
                *first.entry(key).or_insert(next)
            })
            .collect()
    }
}

/// A walked group, its base row's id and its exceptions as (class, local mask id).
type GroupRow = (usize, u32, Vec<(u32, u32)>);

/// One side's rows: the walk's base rows, and per group the classes where its finished row
/// differs from its base, with ids of each parallel part's own masks mapped to `masks` at
/// the end.
fn side_rows(c: &Compiled, side: &Side, masks: &mut Masks) -> SideRows {
    let bases = side.bases(masks);
    struct Part {
        local: Masks,
        rows: Vec<GroupRow>,
        mask: Vec<u64>,
        /// The last mask interned, and its id.
        last: (Vec<u64>, u32),
        order: Vec<(u32, u32)>,
        except: Vec<(u32, u32)>,
    }
    let seed = &*masks;
    let parts = side.walk(
        &bases,
        || Part {
            // The bases' ids are the seed's: a copy keeps them.
            local: seed.clone(),
            rows: Vec::new(),
            mask: vec![0u64; c.words()],
            last: (vec![0u64; c.words()], NONE),
            order: Vec::new(),
            except: Vec::new(),
        },
        |acc: &mut Part, g, row| {
            let base = row.base();
            row.touched_in_order(&mut acc.order);
            acc.except.clear();
            for &(d, i) in &acc.order {
                row.touched_result(i as usize, &mut acc.mask);
                // Neighbouring columns often get the same ports: no lookup for those.
                if !same(&acc.mask, &acc.last.0) {
                    acc.last.1 = acc.local.intern(&acc.mask);
                    acc.last.0.copy_from_slice(&acc.mask);
                }
                let id = acc.last.1;
                if id != base[d as usize] {
                    acc.except.push((d, id));
                }
            }
            acc.rows
                .push((g, row.base_index() as u32, acc.except.clone()));
        },
    );
    // Each part's ids mapped to the shared table: the tables merged in order, the
    // exceptions mapped in parallel.
    let groups = side.members.len();
    let mut base_of = vec![0u32; groups];
    let mut except = vec![Vec::new(); groups];
    let mut map_of = vec![0u32; groups];
    let mut maps = Vec::with_capacity(parts.len());
    for (p, part) in parts.into_iter().enumerate() {
        maps.push(masks.merge(part.local));
        for (g, base, ex) in part.rows {
            base_of[g] = base;
            except[g] = ex;
            map_of[g] = p as u32;
        }
    }
    except.par_iter_mut().zip(&map_of).for_each(|(ex, &p)| {
        let map = &maps[p as usize];
        for e in ex {
            e.1 = map[e.1 as usize];
        }
    });
    SideRows {
        col_of: side.col_of.clone(),
        bases: bases.into_rows(),
        base_of,
        except,
    }
}

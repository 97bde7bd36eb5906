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
//! On the largest dump (37,990 classes; 3,868 egress and 12,907 ingress groups) the
//! exceptions are what the rules decide, where the dense rows of both sides took 1.3 GB.

use std::collections::HashMap;

use super::super::compile::Compiled;
use super::super::compile::classes::Partition;
use super::super::compile::walk::Side;
use super::super::masks::{ALL, Masks, NONE};
use crate::model::{Direction, PortSet};

/// Most distinct pairs of row ids the factored form tabulates (64 MB of ids); beyond, the
/// cells are held.
const MAX_PAIRS: usize = 1 << 24;

/// Marks a class that is not among the classes a row is read at.
pub(super) const ABSENT: u32 = u32::MAX;

/// The factored cells (see the module).
#[derive(Clone, Debug)]
pub(super) struct Factored {
    egress: SideRows,
    ingress: SideRows,
    egress_of: Vec<u32>,
    ingress_of: Vec<u32>,
    egress_rank: Vec<u32>,
    ingress_rank: Vec<u32>,
    ingress_used: usize,
    pair: Vec<u32>,
}

/// One side's rows. Invariant: each group's exceptions are ascending by class, and none
/// holds the id its base row has there.
#[derive(Clone, Debug)]
struct SideRows {
    /// The base rows: per distinct list of tier ends, the id of every class.
    bases: Vec<Vec<u32>>,
    /// Per group, its base row.
    base_of: Vec<u32>,
    /// Per group, (class, id) where its row differs from its base row.
    except: Vec<Vec<(u32, u32)>>,
}

impl SideRows {
    /// The id of group `g` at class `d`.
    fn get(&self, g: usize, d: usize) -> u32 {
        let except = &self.except[g];
        match except.binary_search_by_key(&(d as u32), |&(x, _)| x) {
            Ok(i) => except[i].1,
            Err(_) => self.bases[self.base_of[g] as usize][d],
        }
    }

    /// The ids of group `g` at classes `cls` into `out`; `pos` gives the index in `cls` of
    /// each class ([`ABSENT`] if not there).
    fn gather(&self, g: usize, cls: &[u32], pos: &[u32], out: &mut Vec<u32>) {
        let base = &self.bases[self.base_of[g] as usize];
        out.clear();
        out.extend(cls.iter().map(|&d| base[d as usize]));
        for &(d, id) in &self.except[g] {
            let p = pos[d as usize];
            if p != ABSENT {
                out[p as usize] = id;
            }
        }
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
        let egress = side_rows(c, &egress_side, &mut masks);
        let ingress = side_rows(c, &ingress_side, &mut masks);
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
            egress_rank,
            ingress_rank,
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

    fn combine(&self, e: u32, i: u32) -> u32 {
        let (re, ri) = (self.egress_rank[e as usize], self.ingress_rank[i as usize]);
        self.pair[re as usize * self.ingress_used + ri as usize]
    }

    /// The cells of source class `s` towards the classes `cls` into `out` (`pos`: the index
    /// in `cls` of each class, [`ABSENT`] if not there); `scratch` is working space. Costs
    /// `cls` and the two groups' exceptions, not a search per cell.
    pub(super) fn row(
        &self,
        s: usize,
        cls: &[u32],
        pos: &[u32],
        out: &mut Vec<u32>,
        scratch: &mut Vec<u32>,
    ) {
        self.egress
            .gather(self.egress_of[s] as usize, cls, pos, out);
        self.ingress
            .gather(self.ingress_of[s] as usize, cls, pos, scratch);
        for (o, &i) in out.iter_mut().zip(scratch.iter()) {
            *o = self.combine(*o, i);
        }
    }

    /// Classes alike as far as the two sides tell: equal egress and ingress groups (so
    /// equal rows), and equal ids in every row of both sides (so equal columns). Numbered
    /// in order of first class. Found by refining the classes by the base rows' ids and by
    /// each group's exceptions, value by value: the cost follows the exceptions, never
    /// classes². Two classes whose differences on one side the other side always hides are
    /// kept apart (never merged wrongly).
    pub(super) fn alike(&self, classes: usize) -> Vec<u32> {
        let mut label = vec![0u32; classes];
        for side in [&self.egress, &self.ingress] {
            for base in &side.bases {
                let mut ids: HashMap<(u32, u32), u32> = HashMap::new();
                for (l, &id) in label.iter_mut().zip(base) {
                    let next = ids.len() as u32;
                    *l = *ids.entry((*l, id)).or_insert(next);
                }
            }
        }
        let seed: Vec<u64> = label.iter().map(|&l| u64::from(l)).collect();
        let by_value = |except: &Vec<(u32, u32)>| {
            let mut by: HashMap<u32, Vec<usize>> = HashMap::new();
            for &(d, id) in except {
                by.entry(id).or_default().push(d as usize);
            }
            by.into_values().map(Vec::into_iter)
        };
        let columns = Partition::refine(
            &seed,
            [&self.egress, &self.ingress]
                .into_iter()
                .flat_map(|side| side.except.iter())
                .flat_map(by_value),
        );
        let mut first: HashMap<(u32, u32, u32), u32> = HashMap::new();
        (0..classes)
            .map(|s| {
                let key = (self.egress_of[s], self.ingress_of[s], columns.class_of[s]);
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
    }
    let seed = &*masks;
    let parts = side.walk(
        &bases,
        || Part {
            // The bases' ids are the seed's: a copy keeps them.
            local: seed.clone(),
            rows: Vec::new(),
            mask: vec![0u64; c.words()],
        },
        |acc: &mut Part, g, row| {
            let base = row.base();
            let mut except = Vec::new();
            for (i, &d) in row.touched().iter().enumerate() {
                row.touched_result(i, &mut acc.mask);
                let id = acc.local.intern(&acc.mask);
                if id != base[d as usize] {
                    except.push((d, id));
                }
            }
            except.sort_unstable_by_key(|&(d, _)| d);
            acc.rows.push((g, row.base_index() as u32, except));
        },
    );
    let groups = side.members.len();
    let mut base_of = vec![0u32; groups];
    let mut except = vec![Vec::new(); groups];
    for part in parts {
        let map = masks.merge(part.local);
        for (g, base, mut ex) in part.rows {
            for e in &mut ex {
                e.1 = map[e.1 as usize];
            }
            base_of[g] = base;
            except[g] = ex;
        }
    }
    SideRows {
        bases: bases.into_rows(),
        base_of,
        except,
    }
}

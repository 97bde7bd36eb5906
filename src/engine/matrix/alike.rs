//! The classes a matrix cannot tell apart ([`Matrix::alike_classes`]): held cells are
//! compared directly; factored ones are grouped by what the two sides tell
//! (`Factored::alike`), then merged where whole rows and columns are equal, every merge
//! checked cell by cell.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{Cells, Matrix};

impl Matrix {
    /// Classes the matrix cannot tell apart: the alike class of each class, numbered in order
    /// of first class. Two classes are alike when they reach every class on the same ports
    /// and are reached by every class on the same ports (equal rows and equal columns);
    /// then every pair within and across them has one cell too, so the members of alike
    /// classes can be shown as one group. Coarser than the classes themselves, which also
    /// split on selectors that, all rules combined, change no cell.
    pub fn alike_classes(&self) -> Vec<u32> {
        if let Cells::Factored(f) = &self.cells {
            let groups = f.alike(self.classes);
            crate::base::timings::phase("alike: factors");
            let merged = self.merge_alike(&groups);
            crate::base::timings::phase("alike: cells");
            return merged;
        }
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

    /// Coarsens `groups` (classes with equal rows and columns, numbered in order of first
    /// class) to every group of alike classes: groups whose rows and columns have equal
    /// hashes (a 64-bit hash per row, two independent 64-bit sums per column) are merged
    /// once their rows are found equal cell by cell and their columns too
    /// ([`Matrix::unmerge_unequal_columns`]): a hash collision never merges two groups.
    /// Parallel passes over one class per group, rows read whole ([`RowReader`]).
    fn merge_alike(&self, groups: &[u32]) -> Vec<u32> {
        let count = groups.iter().max().map_or(0, |&g| g as usize + 1);
        let mut reps = vec![usize::MAX; count];
        for (c, &g) in groups.iter().enumerate() {
            if reps[g as usize] == usize::MAX {
                reps[g as usize] = c;
            }
        }
        let mix = |a: u64, b: u64| {
            let x = (a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x ^ (x >> 31)
        };
        let threads = rayon::current_num_threads().max(1);
        let per = count.div_ceil(threads).max(1);
        // Per part of the groups: their row hashes, and the column sums over them.
        let parts: Vec<(Vec<u64>, Vec<[u64; 2]>)> = reps
            .par_chunks(per)
            .enumerate()
            .map(|(p, part)| {
                let mut reader = self.row_reader(reps.iter().copied());
                let mut rows = Vec::with_capacity(part.len());
                let mut cols = vec![[0u64; 2]; count];
                for (i, &s) in part.iter().enumerate() {
                    let g = (p * per + i) as u64;
                    let mut h = 0xcbf2_9ce4_8422_2325u64;
                    for (col, &cell) in cols.iter_mut().zip(reader.row(s)) {
                        h = mix(h, u64::from(cell));
                        col[0] = col[0].wrapping_add(mix(g, u64::from(cell)));
                        col[1] = col[1].wrapping_add(mix(u64::from(cell) ^ 0x5555, g + 7));
                    }
                    rows.push(h);
                }
                (rows, cols)
            })
            .collect();
        let mut row_hash = Vec::with_capacity(count);
        let mut col_hash = vec![[0u64; 2]; count];
        for (rows, cols) in parts {
            row_hash.extend(rows);
            for (sum, c) in col_hash.iter_mut().zip(cols) {
                sum[0] = sum[0].wrapping_add(c[0]);
                sum[1] = sum[1].wrapping_add(c[1]);
            }
        }
        // Rows compared cell by cell with the first group of their hashes, in parallel
        // (at one class per group: the classes of a group have equal columns).
        let key = |g: usize| (row_hash[g], col_hash[g]);
        let mut first_of: HashMap<(u64, [u64; 2]), usize> = HashMap::new();
        let firsts: Vec<usize> = (0..count)
            .map(|g| *first_of.entry(key(g)).or_insert(g))
            .collect();
        let readers = || {
            (
                self.row_reader(reps.iter().copied()),
                self.row_reader(reps.iter().copied()),
            )
        };
        let same: Vec<bool> = (0..count)
            .into_par_iter()
            .map_init(readers, |(a, b), g| {
                let f = firsts[g];
                f == g || a.row(reps[g]) == b.row(reps[f])
            })
            .collect();
        // Numbered in order of first group. A group whose row differs from its first's
        // despite equal hashes is compared with every group of those hashes.
        let (mut a, mut b) = readers();
        // Per pair of hashes, (merged id, representative class) of each row met.
        type Met = HashMap<(u64, [u64; 2]), Vec<(u32, usize)>>;
        let mut others = Met::new();
        let mut merged = vec![0u32; count];
        let mut next = 0u32;
        for g in 0..count {
            let f = firsts[g];
            if f == g {
                merged[g] = next;
                next += 1;
            } else if same[g] {
                merged[g] = merged[f];
            } else {
                let list = others.entry(key(g)).or_default();
                let found = list.iter().find(|&&(_, rep)| a.row(reps[g]) == b.row(rep));
                match found {
                    Some(&(m, _)) => merged[g] = m,
                    None => {
                        merged[g] = next;
                        list.push((next, reps[g]));
                        next += 1;
                    }
                }
            }
        }
        self.unmerge_unequal_columns(&reps, &mut merged, &mut next);
        // Renumbered in order of first class (an unmerged group's id came last).
        let mut order = vec![u32::MAX; next as usize];
        let mut seen = 0u32;
        groups
            .iter()
            .map(|&g| {
                let o = &mut order[merged[g as usize] as usize];
                if *o == u32::MAX {
                    *o = seen;
                    seen += 1;
                }
                *o
            })
            .collect()
    }

    /// Checks, cell by cell, that every group merged into another's (`merged[g]` equal to
    /// the id of an earlier group) has that group's column, in one parallel pass over the
    /// rows at those columns only; a group that does not gets an id of its own (from
    /// `next`). Rows need no check: they were compared when merged.
    pub(super) fn unmerge_unequal_columns(
        &self,
        reps: &[usize],
        merged: &mut [u32],
        next: &mut u32,
    ) {
        let mut first_with = vec![usize::MAX; *next as usize];
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (g, &m) in merged.iter().enumerate() {
            match first_with[m as usize] {
                usize::MAX => first_with[m as usize] = g,
                f => pairs.push((g, f)),
            }
        }
        if pairs.is_empty() {
            return;
        }
        let cols = pairs.iter().flat_map(|&(g, f)| [reps[g], reps[f]]);
        let unequal: Vec<bool> = (0..reps.len())
            .into_par_iter()
            .fold(
                || (self.row_reader(cols.clone()), vec![false; pairs.len()]),
                |(mut reader, mut unequal), s| {
                    let row = reader.row(reps[s]);
                    for (u, cells) in unequal.iter_mut().zip(row.chunks_exact(2)) {
                        *u |= cells[0] != cells[1];
                    }
                    (reader, unequal)
                },
            )
            .map(|(_, unequal)| unequal)
            .reduce(
                || vec![false; pairs.len()],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x |= y;
                    }
                    a
                },
            );
        for (&(g, _), bad) in pairs.iter().zip(unequal) {
            if bad {
                merged[g] = *next;
                *next += 1;
            }
        }
    }
}

//! Every pair at once: the reachability matrix.
//!
//! Built on the compiled cluster ([`super::compile`]): the class × class matrix is filled row
//! by row, in parallel. For a source class, the egress side walks the tiers of its own
//! egress rules against every destination class at once, and the ingress side walks, for
//! every destination class, the ingress rules whose peers hold the source. A cell is egress
//! AND ingress.
//!
//! The result agrees with [`super::evaluate`] on every pair (property-tested).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::Party;
use super::compile::{Compiled, Row};
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
    cells: Vec<u32>,
    sets: Vec<PortSet>,
    pod: Vec<bool>,
}

/// Index of the interned "every port" set.
const ALL: u32 = 1;

impl Matrix {
    /// Computes the matrix of a cluster.
    pub fn compute(cluster: &Cluster) -> Matrix {
        Matrix::of(&Compiled::new(cluster))
    }

    /// Computes the matrix of a compiled cluster.
    pub fn of(c: &Compiled) -> Matrix {
        let (cells, sets) = rows(c);
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
        &self.sets[self.cells[a * self.classes + b] as usize]
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
        if src == dst && src < self.endpoints && self.pod[src] {
            return &self.sets[ALL as usize];
        }
        let (cs, cd) = (self.class_of[src] as usize, self.class_of[dst] as usize);
        &self.sets[self.cells[cs * self.classes + cd] as usize]
    }
}

/// The class × class cells, as ids into interned port sets (0: none, 1: all).
fn rows(c: &Compiled) -> (Vec<u32>, Vec<PortSet>) {
    let classes = c.classes();
    let w = c.words();
    let chunk = 32usize;
    let starts: Vec<usize> = (0..classes).step_by(chunk).collect();
    let parts: Vec<(Vec<u32>, Vec<Vec<u64>>)> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + chunk).min(classes);
            let mut local: MaskMap<u32> = MaskMap::default();
            // Ids 0 and 1 of every chunk are "none" and "all", recognised without hashing.
            let mut masks: Vec<Vec<u64>> = vec![vec![0u64; w], c.full.clone()];
            let mut cells = Vec::with_capacity((end - start) * classes);
            let (mut egress, mut ingress) = (Row::default(), Row::default());
            let mut cell = vec![0u64; w];
            for s in start..end {
                let e_open = c.open(Direction::Egress, s);
                if !e_open {
                    c.egress(s, &mut egress);
                }
                c.ingress(s, &mut ingress);
                for d in 0..classes {
                    let i = &ingress.allowed[d * w..(d + 1) * w];
                    if e_open {
                        cell.copy_from_slice(i);
                    } else {
                        let e = &egress.allowed[d * w..(d + 1) * w];
                        for k in 0..w {
                            cell[k] = e[k] & i[k];
                        }
                    }
                    let id = if cell.iter().all(|&x| x == 0) {
                        0
                    } else if cell == c.full {
                        1
                    } else {
                        match local.get(&cell) {
                            Some(&id) => id,
                            None => {
                                let id = masks.len() as u32;
                                local.insert(cell.clone(), id);
                                masks.push(cell.clone());
                                id
                            }
                        }
                    };
                    cells.push(id);
                }
            }
            (cells, masks)
        })
        .collect();

    let mut global: MaskMap<u32> = MaskMap::default();
    let mut sets: Vec<PortSet> = Vec::new();
    for m in [vec![0u64; w], c.full.clone()] {
        global.insert(m.clone(), sets.len() as u32);
        sets.push(c.space.set(&m));
    }
    let mut cells = Vec::with_capacity(classes * classes);
    for (part, masks) in parts {
        let ids: Vec<u32> = masks
            .into_iter()
            .map(|m| {
                if let Some(&id) = global.get(&m) {
                    return id;
                }
                let id = sets.len() as u32;
                sets.push(c.space.set(&m));
                global.insert(m, id);
                id
            })
            .collect();
        cells.extend(part.into_iter().map(|c| ids[c as usize]));
    }
    (cells, sets)
}

/// Port masks to ids, hashed with [`WordHasher`].
type MaskMap<V> = HashMap<Vec<u64>, V, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hasher (FxHash's) for masks of `u64` words: the matrix interns every
/// cell that is neither "none" nor "all" by its mask, and SipHash dominated that.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

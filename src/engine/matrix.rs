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
use std::hash::BuildHasherDefault;

use rayon::prelude::*;

use super::Party;
use super::compile::{Compiled, Row};
use super::masks::{ALL, MaskMap, Masks, NONE, WordHasher};
use crate::model::ip::AddrRange;
use crate::model::{Cluster, PortSet};

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
///
/// A cell is the egress row of its source AND the ingress row towards it. Rows depend on
/// few inputs (the rules a class is subject to, and its isolation, for egress; the rules
/// whose peer holds it, for ingress), and classes share them: each distinct row is walked
/// once, interned to mask ids, and cells combine ids.
fn rows(c: &Compiled) -> (Vec<u32>, Vec<PortSet>) {
    let classes = c.classes();
    let mut masks = Masks::new(&c.full);
    let egress = Groups::new(classes, |s, key| {
        key.extend(c.rules_of[1][s].iter().map(|&r| u64::from(r)));
        key.push(u64::MAX);
        let iso = c.isolated[1].iter().enumerate();
        key.extend(iso.filter(|(_, i)| i.contains(s)).map(|(t, _)| t as u64));
    });
    let ingress = Groups::new(classes, |s, key| {
        key.extend(c.rules_with_peer[0][s].iter().map(|&r| u64::from(r)));
    });
    let egress_rows = egress.rows(&mut masks, |s, row| c.egress(s, row), c.words());
    let ingress_rows = ingress.rows(&mut masks, |s, row| c.ingress(s, row), c.words());

    let w = c.words();
    let chunk = 32usize;
    let starts: Vec<usize> = (0..classes).step_by(chunk).collect();
    let shared = &masks;
    let parts: Vec<(Vec<u32>, Masks)> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + chunk).min(classes);
            // Ids below `base` are the shared table's; new masks get `base + local id`.
            let base = shared.len() as u32;
            let mut local = Masks::new(&c.full);
            let mut pairs: HashMap<(u32, u32), u32, BuildHasherDefault<WordHasher>> =
                HashMap::default();
            let mut cell = vec![0u64; w];
            let mut cells = Vec::with_capacity((end - start) * classes);
            for s in start..end {
                let e_row = &egress_rows[egress.of_class[s] as usize * classes..][..classes];
                let i_row = &ingress_rows[ingress.of_class[s] as usize * classes..][..classes];
                for (&e, &i) in e_row.iter().zip(i_row) {
                    let id = match (e, i) {
                        (NONE, _) | (_, NONE) => NONE,
                        (ALL, x) | (x, ALL) => x,
                        (e, i) if e == i => e,
                        (e, i) => *pairs.entry((e, i)).or_insert_with(|| {
                            let (a, b) = (&shared.list[e as usize], &shared.list[i as usize]);
                            for k in 0..w {
                                cell[k] = a[k] & b[k];
                            }
                            shared
                                .get(&cell)
                                .unwrap_or_else(|| base + local.intern(&cell))
                        }),
                    };
                    cells.push(id);
                }
            }
            (cells, local)
        })
        .collect();

    let base = masks.len() as u32;
    let mut cells = Vec::with_capacity(classes * classes);
    for (part, local) in parts {
        let ids = masks.merge(local);
        cells.extend(part.into_iter().map(|id| {
            if id < base {
                id
            } else {
                ids[(id - base) as usize]
            }
        }));
    }
    let sets = masks.list.iter().map(|m| c.space.set(m)).collect();
    (cells, sets)
}

/// Classes grouped by a key that determines a row: classes with equal keys get equal rows.
struct Groups {
    /// The group of each class.
    of_class: Vec<u32>,
    /// A representative class of each group.
    reps: Vec<usize>,
}

impl Groups {
    fn new(classes: usize, key: impl Fn(usize, &mut Vec<u64>)) -> Groups {
        let mut ids: MaskMap<u32> = MaskMap::default();
        let mut reps = Vec::new();
        let mut buf = Vec::new();
        let of_class = (0..classes)
            .map(|s| {
                buf.clear();
                key(s, &mut buf);
                if let Some(&g) = ids.get(&buf) {
                    return g;
                }
                let g = reps.len() as u32;
                reps.push(s);
                ids.insert(buf.clone(), g);
                g
            })
            .collect();
        Groups { of_class, reps }
    }

    /// Every group's row (`classes` mask ids per group, group after group), walked once
    /// per group in parallel; masks are interned into `masks`.
    fn rows(&self, masks: &mut Masks, walk: impl Fn(usize, &mut Row) + Sync, w: usize) -> Vec<u32> {
        let full = &masks.list[ALL as usize];
        let parts: Vec<(Vec<u32>, Masks)> = self
            .reps
            .par_chunks(8)
            .map(|reps| {
                let mut local = Masks::new(full);
                let mut row = Row::default();
                let mut ids = Vec::new();
                for &s in reps {
                    walk(s, &mut row);
                    ids.extend(row.allowed.chunks_exact(w).map(|m| local.intern(m)));
                }
                (ids, local)
            })
            .collect();
        let mut rows = Vec::new();
        for (ids, local) in parts {
            let map = masks.merge(local);
            rows.extend(ids.into_iter().map(|id| map[id as usize]));
        }
        rows
    }
}

//! Partition refinement: members that every set treats alike fall into one class.
//!
//! Start from a seed (here: endpoint or external, and the named-port signature), then split
//! every class by every set in turn; the result is the coarsest partition in which each set
//! is a union of classes. Members of one class are interchangeable as source and as
//! destination of every rule, so the matrix is computed over classes only.

use super::super::bitset::BitSet;
use super::member_set::MemberSet;

/// A partition of members into classes.
pub struct Partition {
    /// The class of each member.
    pub class_of: Vec<u32>,
    /// One member of each class (the first).
    pub reps: Vec<usize>,
}

impl Partition {
    /// Refines the partition given by `seed` (members with equal seeds start together) by
    /// every set, each given by its members. Classes are numbered in order of their first
    /// member, which represents them.
    pub fn refine<I: Iterator<Item = usize>>(
        seed: &[u64],
        sets: impl Iterator<Item = I>,
    ) -> Partition {
        let mut refiner = Refiner::new(seed);
        for set in sets {
            refiner.split(set);
        }
        refiner.finish()
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.reps.len()
    }

    /// Whether there is no class.
    pub fn is_empty(&self) -> bool {
        self.reps.is_empty()
    }

    /// A member-level set restated over classes (each class is wholly in or out of every
    /// set the partition was refined by): a sparse set is read through its members, a dense
    /// one through one representative per class.
    pub fn on_classes(&self, s: &MemberSet) -> BitSet {
        let classes = self.len();
        if s.count() < classes {
            BitSet::from_indexes(classes, s.iter().map(|m| self.class_of[m] as usize))
        } else {
            BitSet::from_indexes(classes, (0..classes).filter(|&c| s.contains(self.reps[c])))
        }
    }
}

/// [`Partition::refine`] one set at a time, for sets made on the fly.
pub struct Refiner {
    class_of: Vec<u32>,
    count: usize,
    /// Per class, the round it was last split in and the class its split members went to.
    stamp: Vec<(u32, u32)>,
    round: u32,
}

impl Refiner {
    /// The partition given by `seed`: members with equal seeds together.
    pub fn new(seed: &[u64]) -> Refiner {
        let mut class_of: Vec<u32> = Vec::with_capacity(seed.len());
        let mut first: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        for &s in seed {
            let next = first.len() as u32;
            class_of.push(*first.entry(s).or_insert(next));
        }
        let count = first.len();
        Refiner {
            class_of,
            count,
            stamp: vec![(0, 0); count],
            round: 0,
        }
    }

    /// Splits every class by `set`: its members in the set move to a class of their own.
    pub fn split(&mut self, set: impl IntoIterator<Item = usize>) {
        self.round += 1;
        for m in set {
            let old = self.class_of[m] as usize;
            if self.stamp[old].0 != self.round {
                self.stamp[old] = (self.round, self.count as u32);
                self.count += 1;
                self.stamp.push((0, 0));
            }
            self.class_of[m] = self.stamp[old].1;
        }
    }

    /// The classes, numbered in order of their first member.
    pub fn finish(mut self) -> Partition {
        let mut remap = vec![u32::MAX; self.count];
        let mut reps: Vec<usize> = Vec::new();
        for (m, c) in self.class_of.iter_mut().enumerate() {
            if remap[*c as usize] == u32::MAX {
                remap[*c as usize] = reps.len() as u32;
                reps.push(m);
            }
            *c = remap[*c as usize];
        }
        Partition {
            class_of: self.class_of,
            reps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_split_by_every_set_and_seed() {
        let a = MemberSet::compact(BitSet::from_indexes(6, [0, 1, 2]));
        let b = MemberSet::compact(BitSet::from_indexes(6, [1, 2, 3]));
        let p = Partition::refine(&[0, 0, 0, 0, 0, 1], [&a, &b].into_iter().map(|s| s.iter()));
        // {0}, {1,2}, {3}, {4}, {5}
        assert_eq!(p.len(), 5);
        assert_eq!(p.class_of[1], p.class_of[2]);
        assert_ne!(p.class_of[4], p.class_of[5]);
        assert_eq!(p.on_classes(&a).count(), 2);
    }
}

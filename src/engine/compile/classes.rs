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
        // Every split takes new ids, also for classes wholly moved: renumbered once the
        // ids outnumber the members twice (else millions of splits of a few thousand
        // members grow the stamps to millions).
        if self.count > 2 * self.class_of.len() + 1024 {
            self.compact();
        }
    }

    /// Renumbers the classes `0..` (in no particular order).
    fn compact(&mut self) {
        let mut remap = vec![u32::MAX; self.count];
        let mut live = 0u32;
        for c in &mut self.class_of {
            let r = &mut remap[*c as usize];
            if *r == u32::MAX {
                *r = live;
                live += 1;
            }
            *c = *r;
        }
        self.count = live as usize;
        self.stamp.clear();
        self.stamp.resize(self.count, (0, 0));
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
    fn many_splits_of_few_members_renumber_and_stay_exact() {
        // More splits than members many times over (the column labels of a dump: 88
        // million memberships over 27,389 columns): ids are renumbered on the way, and the
        // classes are those of the members' memberships.
        let members = 40;
        let mut refiner = Refiner::new(&vec![0; members]);
        let mut seen: Vec<Vec<bool>> = vec![Vec::new(); members];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5_000 {
            let set: Vec<usize> = (0..members)
                .filter(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % 5 != 0
                })
                .collect();
            for (m, s) in seen.iter_mut().enumerate() {
                s.push(set.contains(&m));
            }
            refiner.split(set);
        }
        assert!(refiner.stamp.len() <= 2 * members + 1024 + members);
        let p = refiner.finish();
        for a in 0..members {
            for b in 0..members {
                assert_eq!(
                    p.class_of[a] == p.class_of[b],
                    seen[a] == seen[b],
                    "{a} {b}"
                );
            }
        }
    }

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

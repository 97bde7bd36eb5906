//! A set of members, stored as its size calls for: the ascending list of a few members, or a
//! bitset when it holds many.
//!
//! Most sets of a cluster dump are small (a podSelector in one namespace holds a handful of
//! the 150,000 pods), and a bitset over every member costs 19 KB whatever it holds; the
//! compiled model keeps tens of thousands of sets, so the list form is what keeps it within
//! memory. Invariant: both forms hold indexes below [`MemberSet::len`]; the list is
//! ascending and without duplicates.

use super::super::bitset::BitSet;

/// A set of members.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MemberSet {
    /// The members, ascending (few of them).
    List {
        /// The members.
        members: Vec<u32>,
        /// The number of members of the cluster.
        len: usize,
    },
    /// A bitset (many members).
    Bits(BitSet),
}

impl MemberSet {
    /// The set of a bitset, in the form its size calls for: a list below one member in 32
    /// (where the list is smaller than the bitset).
    pub fn compact(bits: BitSet) -> MemberSet {
        let count = bits.count();
        if count * 32 < bits.len() {
            MemberSet::List {
                members: bits.iter().map(|i| i as u32).collect(),
                len: bits.len(),
            }
        } else {
            MemberSet::Bits(bits)
        }
    }

    /// The set of an ascending list of members, in the form its size calls for.
    pub fn from_sorted(members: Vec<u32>, len: usize) -> MemberSet {
        if members.len() * 32 < len {
            MemberSet::List { members, len }
        } else {
            MemberSet::Bits(BitSet::from_indexes(
                len,
                members.iter().map(|&i| i as usize),
            ))
        }
    }

    /// The number of members of the cluster (not of the set).
    pub fn len(&self) -> usize {
        match self {
            MemberSet::List { len, .. } => *len,
            MemberSet::Bits(b) => b.len(),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            MemberSet::List { members, .. } => members.is_empty(),
            MemberSet::Bits(b) => b.is_empty(),
        }
    }

    /// Number of members in the set.
    pub fn count(&self) -> usize {
        match self {
            MemberSet::List { members, .. } => members.len(),
            MemberSet::Bits(b) => b.count(),
        }
    }

    /// Whether a member is in the set.
    pub fn contains(&self, i: usize) -> bool {
        match self {
            MemberSet::List { members, .. } => members.binary_search(&(i as u32)).is_ok(),
            MemberSet::Bits(b) => b.contains(i),
        }
    }

    /// The members, ascending.
    pub fn iter(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            MemberSet::List { members, .. } => Box::new(members.iter().map(|&i| i as usize)),
            MemberSet::Bits(b) => Box::new(b.iter()),
        }
    }

    /// The members of the set or of its complement, whichever is fewer: refining a
    /// partition by either gives the same classes.
    pub fn smaller_side(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            MemberSet::Bits(b) if 2 * b.count() > b.len() => {
                let len = b.len();
                Box::new(b.words().iter().enumerate().flat_map(move |(wi, &w)| {
                    let mut w = !w;
                    std::iter::from_fn(move || {
                        let i = wi * 64 + w.trailing_zeros() as usize;
                        if w == 0 || i >= len {
                            return None;
                        }
                        w &= w - 1;
                        Some(i)
                    })
                }))
            }
            _ => self.iter(),
        }
    }

    /// self ∩ other.
    pub fn intersection(&self, other: &MemberSet) -> MemberSet {
        match (self, other) {
            (MemberSet::Bits(a), MemberSet::Bits(b)) => {
                let mut a = a.clone();
                a.intersect_with(b);
                MemberSet::compact(a)
            }
            (MemberSet::List { members, len }, o) | (o, MemberSet::List { members, len }) => {
                MemberSet::List {
                    members: members
                        .iter()
                        .copied()
                        .filter(|&i| o.contains(i as usize))
                        .collect(),
                    len: *len,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_answer_alike() {
        let few = BitSet::from_indexes(640, [3, 70, 500]);
        let many = BitSet::from_indexes(640, 0..400);
        let a = MemberSet::compact(few.clone());
        let b = MemberSet::compact(many.clone());
        assert!(matches!(a, MemberSet::List { .. }));
        assert!(matches!(b, MemberSet::Bits(_)));
        assert_eq!(a.iter().collect::<Vec<_>>(), few.iter().collect::<Vec<_>>());
        assert_eq!(b.count(), 400);
        assert!(a.contains(70) && !a.contains(71));
        let both = a.intersection(&b);
        assert_eq!(both.iter().collect::<Vec<_>>(), vec![3, 70]);
        let list = MemberSet::from_sorted(vec![1, 2, 3], 640);
        assert_eq!(list.intersection(&a).count(), 1);
        // The complement of a set of more than half the members, up to the length.
        let most = MemberSet::compact(BitSet::from_indexes(
            130,
            (0..130).filter(|&i| i != 5 && i != 129),
        ));
        assert_eq!(most.smaller_side().collect::<Vec<_>>(), vec![5, 129]);
        assert_eq!(a.smaller_side().collect::<Vec<_>>(), vec![3, 70, 500]);
    }
}

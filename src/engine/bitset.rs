//! A fixed-size bitset over endpoint (or class) indexes.

/// A set of indexes below a fixed length.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    /// The empty set over `len` indexes.
    pub fn new(len: usize) -> BitSet {
        BitSet {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The full set over `len` indexes.
    pub fn full(len: usize) -> BitSet {
        let mut s = BitSet {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        s.trim();
        s
    }

    /// A set holding the given indexes.
    pub fn from_indexes(len: usize, idx: impl IntoIterator<Item = usize>) -> BitSet {
        let mut s = BitSet::new(len);
        for i in idx {
            s.insert(i);
        }
        s
    }

    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= u64::MAX >> extra;
            }
        }
    }

    /// Adds an index.
    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Whether the index is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// self ∪= other.
    pub fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// self ∩= other.
    pub fn intersect_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// self −= other.
    pub fn subtract(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Whether no index is in the set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether every index below the length is in the set.
    pub fn is_full(&self) -> bool {
        self.count() == self.len
    }

    /// Number of indexes in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The indexes in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }

    /// The words of the set: index `i` is bit `i % 64` of word `i / 64`; bits at and above
    /// the length are zero.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The length the set was made for.
    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = BitSet::from_indexes(130, [1, 64, 129]);
        let b = BitSet::from_indexes(130, [64, 100]);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 64, 129]);
        a.union_with(&b);
        assert_eq!(a.count(), 4);
        a.subtract(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 129]);
        a.intersect_with(&b);
        assert!(a.is_empty());
        assert!(BitSet::full(130).is_full());
        assert_eq!(BitSet::full(130).count(), 130);
    }
}

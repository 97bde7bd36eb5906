//! Interned port masks: the matrix stores every cell as an id into a table of distinct
//! masks, built in parallel parts and merged.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Id of the empty mask in every [`Masks`].
pub const NONE: u32 = 0;
/// Id of the full mask (every port) in every [`Masks`].
pub const ALL: u32 = 1;

/// A table of distinct port masks of `w` words.
///
/// Invariant: ids [`NONE`] and [`ALL`] are the empty and full masks; every other id names a
/// mask that is neither, and no mask appears twice.
#[derive(Clone)]
pub struct Masks {
    map: MaskMap<u32>,
    /// The masks, by id.
    pub list: Vec<Vec<u64>>,
}

impl Masks {
    /// A table holding the empty mask and `full`.
    pub fn new(full: &[u64]) -> Masks {
        let mut m = Masks {
            map: MaskMap::default(),
            list: Vec::new(),
        };
        for mask in [vec![0u64; full.len()], full.to_vec()] {
            m.map.insert(mask.clone(), m.list.len() as u32);
            m.list.push(mask);
        }
        m
    }

    /// The id of a mask, if the table has it.
    pub fn get(&self, mask: &[u64]) -> Option<u32> {
        if mask.iter().all(|&x| x == 0) {
            return Some(NONE);
        }
        if same(mask, &self.list[ALL as usize]) {
            return Some(ALL);
        }
        self.map.get(mask).copied()
    }

    /// The id of a mask, added if new.
    pub fn intern(&mut self, mask: &[u64]) -> u32 {
        if let Some(id) = self.get(mask) {
            return id;
        }
        let id = self.list.len() as u32;
        self.map.insert(mask.to_vec(), id);
        self.list.push(mask.to_vec());
        id
    }

    /// Adds every mask of `other`; returns, per id of `other`, its id here.
    pub fn merge(&mut self, other: Masks) -> Vec<u32> {
        other.list.iter().map(|m| self.intern(m)).collect()
    }

    /// Number of masks.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Never empty: [`NONE`] and [`ALL`] are always there.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Whether two masks are equal, word by word: masks are a few words, where a call to
/// `memcmp` (what slice equality becomes) costs more than the comparison.
pub fn same(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Maps keyed by `u64` (or `u32`) words, hashed with [`WordHasher`].
pub type MaskMap<V> = HashMap<Vec<u64>, V, BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hasher (FxHash's) for short keys of machine words: the matrix interns
/// masks and row programs by their words, and SipHash dominated that.
#[derive(Default)]
pub struct WordHasher(u64);

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

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_and_all_are_fixed_ids_and_masks_are_unique() {
        let mut m = Masks::new(&[0b111]);
        assert_eq!(m.intern(&[0]), NONE);
        assert_eq!(m.intern(&[0b111]), ALL);
        let a = m.intern(&[0b001]);
        assert_eq!(m.intern(&[0b001]), a);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn merge_maps_ids_of_the_other_table() {
        let mut a = Masks::new(&[0b111]);
        let x = a.intern(&[0b010]);
        let mut b = Masks::new(&[0b111]);
        let y = b.intern(&[0b100]);
        let z = b.intern(&[0b010]);
        let map = a.merge(b);
        assert_eq!(map[NONE as usize], NONE);
        assert_eq!(map[ALL as usize], ALL);
        assert_eq!(map[z as usize], x);
        assert_eq!(a.list[map[y as usize] as usize], vec![0b100]);
    }
}

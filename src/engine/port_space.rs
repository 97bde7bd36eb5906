//! The port space cut into the atomic segments the rules use, so that a set of ports becomes
//! a short bitmask and unions are word-wise ORs.
//!
//! Every port bound any rule (or resolved named port) mentions cuts its protocol's range
//! 1–65535; each resulting segment is either wholly in or wholly out of every rule's ports.

use crate::model::ports::{MAX_PORT, MIN_PORT};
use crate::model::{PortSet, Protocol};

/// Atomic port segments of all protocols.
#[derive(Clone, Debug)]
pub struct PortSpace {
    /// Per protocol, the first port of each segment (ascending, starting at 1).
    starts: [Vec<u16>; 3],
    /// Index of the first segment of each protocol in the mask.
    offsets: [usize; 3],
    /// Number of u64 words in a mask.
    pub words: usize,
}

impl PortSpace {
    /// Cuts the space at the bounds of every given set.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a PortSet>) -> PortSpace {
        let mut starts: [Vec<u16>; 3] = [vec![MIN_PORT], vec![MIN_PORT], vec![MIN_PORT]];
        for set in sets {
            for (pi, p) in Protocol::ALL.iter().enumerate() {
                for &(a, b) in set.ranges(*p) {
                    starts[pi].push(a);
                    if b < MAX_PORT {
                        starts[pi].push(b + 1);
                    }
                }
            }
        }
        for s in &mut starts {
            s.sort_unstable();
            s.dedup();
        }
        let offsets = [0, starts[0].len(), starts[0].len() + starts[1].len()];
        let total = offsets[2] + starts[2].len();
        PortSpace {
            starts,
            offsets,
            words: total.div_ceil(64),
        }
    }

    /// The mask of a set (its bounds must be among those the space was cut at).
    pub fn mask(&self, set: &PortSet) -> Vec<u64> {
        let mut m = vec![0u64; self.words];
        for (pi, p) in Protocol::ALL.iter().enumerate() {
            for &(a, b) in set.ranges(*p) {
                let first = self.starts[pi].partition_point(|&s| s < a);
                let last = self.starts[pi].partition_point(|&s| s <= b);
                for seg in first..last {
                    let bit = self.offsets[pi] + seg;
                    m[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        m
    }

    /// The mask holding every port.
    pub fn full(&self) -> Vec<u64> {
        self.mask(&PortSet::all())
    }

    /// The set a mask stands for.
    pub fn set(&self, mask: &[u64]) -> PortSet {
        let mut out = PortSet::none();
        for (pi, p) in Protocol::ALL.iter().enumerate() {
            let starts = &self.starts[pi];
            let mut i = 0;
            while i < starts.len() {
                let bit = self.offsets[pi] + i;
                if mask[bit / 64] & (1 << (bit % 64)) == 0 {
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j + 1 < starts.len() {
                    let nb = self.offsets[pi] + j + 1;
                    if mask[nb / 64] & (1 << (nb % 64)) == 0 {
                        break;
                    }
                    j += 1;
                }
                let end = starts.get(j + 1).map_or(MAX_PORT, |&s| s - 1);
                out.union_with(&PortSet::range(*p, starts[i], end));
                i = j + 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_round_trip() {
        let a = PortSet::range(Protocol::Tcp, 80, 90).union(&PortSet::single(Protocol::Udp, 53));
        let b = PortSet::single(Protocol::Tcp, 85).union(&PortSet::protocol(Protocol::Sctp));
        let space = PortSpace::new([&a, &b]);
        for s in [&a, &b, &PortSet::all(), &PortSet::none(), &a.union(&b)] {
            assert_eq!(&space.set(&space.mask(s)), s);
        }
        let both: Vec<u64> = space
            .mask(&a)
            .iter()
            .zip(space.mask(&b))
            .map(|(x, y)| x & y)
            .collect();
        assert_eq!(space.set(&both), a.intersect(&b));
    }
}

//! The explanations the HTML report embeds, chosen and computed before rendering.
//!
//! A cell's explanation is [`crate::engine::explain::explain`] of the pair. On a small matrix
//! every pair is explained. On a large one, pairs of the same classes (members every policy
//! treats alike, see [`crate::engine::compile`]) share one explanation, computed on a
//! representative pair and labelled as such; and at most [`Limits::explanations`] are
//! embedded, the page saying so for the others.

use crate::engine::explain::{Explanation, explain};
use crate::engine::matrix::Matrix;
use crate::model::Cluster;

/// How much the page may embed.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// At most this many explanations (pairs or class pairs).
    pub explanations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { explanations: 4000 }
    }
}

/// Whether explanations are keyed by member pair or by class pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One per pair of members.
    Pair,
    /// One per pair of classes, computed on a representative pair.
    Class,
}

impl Mode {
    /// `pair` or `class`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Pair => "pair",
            Mode::Class => "class",
        }
    }
}

/// One explained cell (or class of cells).
pub struct Cell {
    /// Source member or class (see [`Explained::mode`]).
    pub from: usize,
    /// Destination member or class.
    pub to: usize,
    /// The pair of members actually explained.
    pub via: (usize, usize),
    /// The explanation.
    pub explanation: Explanation,
}

/// The embedded explanations.
pub struct Explained {
    /// How cells are keyed.
    pub mode: Mode,
    /// The explained cells, in matrix order.
    pub cells: Vec<Cell>,
    /// How many cells (or class pairs) there were to explain.
    pub wanted: usize,
}

/// Explains the non-blank pairs of the matrix (loopback aside), within the limits. When they
/// do not all fit, allowed pairs come first (why something is open is the question a
/// reviewer asks most), then denied ones, each in matrix order.
pub fn explanations(cluster: &Cluster, matrix: &Matrix, limits: Limits) -> Explained {
    let n = matrix.len();
    let ext = matrix.externals.len();
    // Pairs that are neither two external ranges nor a pod with itself.
    let pods = (0..n).filter(|&m| matrix.is_pod(m)).count();
    let pairs = n * n - ext * ext - pods;
    let mode = if pairs <= limits.explanations {
        Mode::Pair
    } else {
        Mode::Class
    };
    let members = class_members(matrix);
    let candidates = || match mode {
        Mode::Pair => member_pairs(matrix),
        Mode::Class => class_pairs(matrix, &members),
    };
    let allowed =
        |&(_, _, (s, d)): &(usize, usize, (usize, usize))| !matrix.allowed(s, d).is_empty();
    let wanted = candidates().count();
    let chosen: Vec<(usize, usize, (usize, usize))> = candidates()
        .filter(allowed)
        .chain(candidates().filter(|c| !allowed(c)))
        .take(limits.explanations)
        .collect();
    let mut cells: Vec<Cell> = chosen
        .into_iter()
        .map(|(from, to, (s, d))| Cell {
            from,
            to,
            via: (s, d),
            explanation: explain(cluster, matrix.party(s), matrix.party(d), None),
        })
        .collect();
    cells.sort_by_key(|c| (c.from, c.to));
    Explained {
        mode,
        cells,
        wanted,
    }
}

/// (source, destination, (source member, destination member)) of the cells to explain.
type Candidates<'a> = Box<dyn Iterator<Item = (usize, usize, (usize, usize))> + 'a>;

/// Every pair of members that is not blank nor loopback.
fn member_pairs(matrix: &Matrix) -> Candidates<'_> {
    let n = matrix.len();
    Box::new(
        (0..n)
            .flat_map(move |r| (0..n).map(move |c| (r, c, (r, c))))
            .filter(|&(r, c, _)| !(matrix.is_external(r) && matrix.is_external(c)))
            .filter(|&(r, c, _)| !(r == c && matrix.is_pod(r))),
    )
}

/// The members of each class, endpoints first (a pair with an endpoint is never blank).
fn class_members(matrix: &Matrix) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); matrix.class_count()];
    for m in 0..matrix.len() {
        members[matrix.class_of(m)].push(m);
    }
    for list in &mut members {
        list.sort_by_key(|&m| (matrix.is_external(m), m));
    }
    members
}

/// Every pair of classes with a representative pair of members that is not blank nor
/// loopback: (source class, destination class, (source, destination)).
fn class_pairs<'a>(matrix: &'a Matrix, members: &'a [Vec<usize>]) -> Candidates<'a> {
    let classes = members.len();
    Box::new((0..classes).flat_map(move |a| {
        (0..classes).filter_map(move |b| {
            let src = *members[a].first()?;
            let dst = if a == b {
                // Two distinct members when the class has them: a pod with itself is loopback.
                match members[b].get(1) {
                    Some(&other) => other,
                    None if matrix.is_pod(src) => return None,
                    None => src,
                }
            } else {
                *members[b].first()?
            };
            if matrix.is_external(src) && matrix.is_external(dst) {
                return None;
            }
            Some((a, b, (src, dst)))
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::matrix::tests::demo;

    #[test]
    fn a_small_matrix_is_explained_pair_by_pair() {
        let (cluster, matrix) = demo();
        let e = explanations(&cluster, &matrix, Limits::default());
        assert_eq!(e.mode, Mode::Pair);
        // 10 members, 3 of them external ranges; no pods (the demo has workloads only).
        assert_eq!(e.wanted, 100 - 9);
        assert_eq!(e.cells.len(), e.wanted);
        for c in &e.cells {
            assert_eq!(
                &c.explanation.allowed,
                matrix.allowed(c.from, c.to),
                "{} -> {}",
                c.from,
                c.to
            );
        }
    }

    #[test]
    fn a_large_matrix_is_explained_class_by_class_within_the_cap() {
        let (cluster, matrix) = demo();
        let e = explanations(&cluster, &matrix, Limits { explanations: 20 });
        assert_eq!(e.mode, Mode::Class);
        assert_eq!(e.cells.len(), 20.min(e.wanted));
        for c in &e.cells {
            let (s, d) = c.via;
            assert_eq!((matrix.class_of(s), matrix.class_of(d)), (c.from, c.to));
            assert!(!(matrix.is_external(s) && matrix.is_external(d)));
            // Every pair of the two classes is allowed the same ports as the one explained.
            for r in (0..matrix.len()).filter(|&r| matrix.class_of(r) == c.from) {
                for t in (0..matrix.len()).filter(|&t| matrix.class_of(t) == c.to) {
                    if r != t && !(matrix.is_external(r) && matrix.is_external(t)) {
                        assert_eq!(matrix.allowed(r, t), &c.explanation.allowed);
                    }
                }
            }
        }
        // Allowed cells come first.
        let allowed = e
            .cells
            .iter()
            .filter(|c| !c.explanation.allowed.is_empty())
            .count();
        assert_eq!(allowed, 20.min(e.cells.len()));
        let all = explanations(&cluster, &matrix, Limits { explanations: 90 });
        assert_eq!(all.mode, Mode::Class);
        assert_eq!(all.cells.len(), all.wanted);
    }
}

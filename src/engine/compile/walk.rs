//! One side of every connection at once: the decision order of [`crate::engine::evaluate`]
//! walked over bitmasks, for many source classes together.
//!
//! A side's row for a source class (egress: what it may open towards every class; ingress:
//! what every class lets in from it) depends only on its *program*: per tier, the rules that
//! concern it (egress: the rules it is subject to, and whether the tier isolates it;
//! ingress: the rules whose peer holds it). Classes with equal programs are grouped, and the
//! groups walked as a trie over tiers: groups that agree on their first tiers share the walk
//! of those tiers, and part only where their programs do. Policies of the first tiers
//! (cluster-wide, broad) are walked once for many groups; only the last tiers' few rules are
//! walked per group.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rayon::prelude::*;

use super::super::masks::{Masks, WordHasher};
use super::Compiled;
use super::classes::Partition;
use crate::model::Direction;
use crate::model::ir::{Action, EndAction, dir_index};

/// The state of every class (dense): per class, `w` words each of the ports allowed so far,
/// undecided in the tier, and passed to the next tier.
#[derive(Clone)]
struct Dense {
    allowed: Vec<u64>,
    undecided: Vec<u64>,
    passed: Vec<u64>,
}

impl Dense {
    /// Nothing decided yet: every port of every class undecided.
    fn new(classes: usize, full: &[u64]) -> Dense {
        Dense {
            allowed: vec![0; classes * full.len()],
            undecided: full.repeat(classes),
            passed: vec![0; classes * full.len()],
        }
    }

    /// The state of class `d` into `state` (allowed, undecided, passed; `w` words each).
    fn load(&self, d: usize, w: usize, state: &mut [u64]) {
        state[..w].copy_from_slice(&self.allowed[d * w..(d + 1) * w]);
        state[w..2 * w].copy_from_slice(&self.undecided[d * w..(d + 1) * w]);
        state[2 * w..].copy_from_slice(&self.passed[d * w..(d + 1) * w]);
    }
}

/// The end of a tier, as it applies to every class no rule of the branch touched: what the
/// tier's rules left undecided meets the end action where the tier isolates the class, and
/// passed ports go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct EndOp {
    tier: u32,
    /// Egress: whether the tier isolates the source (one answer for every class). Ingress:
    /// None, each class is isolated or not by the tier's policies.
    isolated: Option<bool>,
    /// Whether a rule of the step passed ports on.
    passed: bool,
}

/// What one side lets through towards (or from) every class, walked tier by tier.
///
/// Sparse: a row holds the state of only the classes a rule of its branch touched since the
/// trunk (the tiers every group shares), and the ends of tiers it went through. Every other
/// class is in its trunk state with those ends applied, alike for every row with the same
/// ends: their ids are computed once per distinct list of ends ([`Bases`]). A group's row
/// costs its rules' classes, not every class.
#[derive(Clone)]
pub struct Row<'b> {
    trunk: &'b Dense,
    w: usize,
    ends: Vec<EndOp>,
    slot: HashMap<u32, u32, BuildHasherDefault<WordHasher>>,
    touched: Vec<u32>,
    /// Per touched class (in order of `touched`): allowed, undecided, passed (`w` words each).
    state: Vec<u64>,
    bases: Option<&'b Bases>,
}

impl<'b> Row<'b> {
    fn new(trunk: &'b Dense, w: usize) -> Row<'b> {
        Row {
            trunk,
            w,
            ends: Vec::new(),
            slot: HashMap::default(),
            touched: Vec::new(),
            state: Vec::new(),
            bases: None,
        }
    }

    /// The state of class `d`, touched from now on (brought up to date on first touch).
    fn touch(&mut self, c: &Compiled, dir: Direction, d: usize) -> &mut [u64] {
        let w = self.w;
        let next = self.touched.len() as u32;
        let i = *self.slot.entry(d as u32).or_insert(next) as usize;
        if i == next as usize {
            self.touched.push(d as u32);
            self.state.resize((i + 1) * 3 * w, 0);
            let state = &mut self.state[i * 3 * w..];
            self.trunk.load(d, w, state);
            for op in &self.ends {
                apply(c, dir, op, d, state);
            }
        }
        &mut self.state[i * 3 * w..(i + 1) * 3 * w]
    }

    /// The classes a rule of this row's branch touched: every other class has its base id
    /// ([`Row::base`]).
    pub fn touched(&self) -> &[u32] {
        &self.touched
    }

    /// The ids, in the table [`Side::bases`] interned into, of what every class gets unless
    /// it is touched.
    pub fn base(&self) -> &'b [u32] {
        let bases = self.bases.expect("a finished row has its bases");
        &bases.ids[self.base_index()]
    }

    /// Which of [`Bases::rows`] is this row's [`Row::base`].
    pub fn base_index(&self) -> usize {
        let bases = self.bases.expect("a finished row has its bases");
        bases.index[&self.ends]
    }

    /// After the last tier: the ports the `i`-th touched class gets (allowed, or left
    /// undecided by every tier, which the default allows), into `out`.
    pub fn touched_result(&self, i: usize, out: &mut [u64]) {
        let w = self.w;
        let state = &self.state[i * 3 * w..(i + 1) * 3 * w];
        for k in 0..w {
            out[k] = state[k] | state[w + k];
        }
    }
}

/// A matching rule: it decides the ports of its mask still undecided.
fn decide(state: &mut [u64], w: usize, action: Action, mask: &[u64]) {
    let (all, rest) = state.split_at_mut(w);
    let (und, pass) = rest.split_at_mut(w);
    for k in 0..w {
        let decided = und[k] & mask[k];
        match action {
            Action::Allow => all[k] |= decided,
            Action::Pass => pass[k] |= decided,
            Action::Deny | Action::Log => {}
        }
        und[k] &= !mask[k];
    }
}

/// The end of a tier at class `d`.
fn apply(c: &Compiled, dir: Direction, op: &EndOp, d: usize, state: &mut [u64]) {
    let w = state.len() / 3;
    let t = op.tier as usize;
    let isolated = op
        .isolated
        .unwrap_or_else(|| c.isolated[dir_index(dir)][t].contains(d));
    let (und, pass) = state[w..].split_at_mut(w);
    if isolated && c.cluster.ir.tiers[t].end == EndAction::Deny {
        und.fill(0);
    }
    if op.passed {
        for k in 0..w {
            und[k] |= pass[k];
            pass[k] = 0;
        }
    }
}

/// The trunk's state and, per distinct list of tier ends the groups go through after it,
/// the id of every class that no rule of the group touches.
pub struct Bases {
    trunk: Dense,
    /// The first tier where groups take different steps (the number of tiers if none).
    fork: usize,
    index: HashMap<Vec<EndOp>, usize>,
    ids: Vec<Vec<u32>>,
}

impl Bases {
    /// The base rows: per distinct list of tier ends, the id of every class.
    pub fn rows(&self) -> &[Vec<u32>] {
        &self.ids
    }

    /// [`Bases::rows`], taken.
    pub fn into_rows(self) -> Vec<Vec<u32>> {
        self.ids
    }
}

/// The classes of one side grouped by program, and each group's program tier by tier.
pub struct Side<'a> {
    c: &'a Compiled<'a>,
    dir: Direction,
    /// The group of each class.
    pub of_class: Vec<u32>,
    /// The classes of each group.
    pub members: Vec<Vec<usize>>,
    /// Per group, per tier: the id of its step there (index into `steps[tier]`).
    keys: Vec<Vec<u32>>,
    /// Per tier, the distinct steps: the rules (in order) and, for egress, whether the tier
    /// isolates the source.
    steps: Vec<Vec<(Vec<u32>, bool)>>,
    /// Per rule of the direction (others: empty), the classes it decides for: egress, the
    /// classes its peer holds; ingress, its subjects. Listed once, not scanned as bitsets
    /// per step (a dump's rules hold a few of tens of thousands of classes).
    targets: Vec<Vec<u32>>,
}

/// Per tier, the ingress step of every class (the rules of the tier whose peer holds it, in
/// evaluation order) as an id, and the steps by id: classes start in one block and are split
/// by each rule's peer set in turn, so two classes share a step exactly when the same rules
/// hold them.
#[allow(clippy::type_complexity)]
fn ingress_steps(c: &Compiled) -> (Vec<Vec<u32>>, Vec<Vec<(Vec<u32>, bool)>>) {
    let d = dir_index(Direction::Ingress);
    let tiers = c.isolated[d].len();
    let classes = c.classes();
    let mut step_of = Vec::with_capacity(tiers);
    let mut steps = Vec::with_capacity(tiers);
    for t in 0..tiers {
        let rules: Vec<u32> = (0..c.rules.len() as u32)
            .filter(|&r| {
                let rule = &c.rules[r as usize];
                rule.dir == Direction::Ingress && rule.tier == t
            })
            .collect();
        let blocks = Partition::refine(
            &vec![0; classes],
            rules.iter().map(|&r| c.rules[r as usize].peers.iter()),
        );
        let tier_steps = blocks
            .reps
            .iter()
            .map(|&rep| {
                let held = rules
                    .iter()
                    .copied()
                    .filter(|&r| c.rules[r as usize].peers.contains(rep))
                    .collect();
                (held, false)
            })
            .collect();
        let block = blocks.class_of;
        step_of.push(block);
        steps.push(tier_steps);
    }
    (step_of, steps)
}

impl<'a> Side<'a> {
    /// Groups the classes of `c` by their program in direction `dir`.
    pub fn new(c: &'a Compiled<'a>, dir: Direction) -> Side<'a> {
        let d = dir_index(dir);
        let tiers = c.isolated[d].len();
        let mut steps: Vec<Vec<(Vec<u32>, bool)>> = vec![Vec::new(); tiers];
        let mut step_ids: Vec<super::super::masks::MaskMap<u32>> =
            (0..tiers).map(|_| Default::default()).collect();
        let mut groups: super::super::masks::MaskMap<u32> = Default::default();
        let (mut of_class, mut members, mut keys) = (Vec::new(), Vec::new(), Vec::new());
        let mut program: Vec<u64> = Vec::new();
        // Ingress: a class's rules are those whose peer holds it; per tier, the classes the
        // same rules hold are found by refining with each rule's peer set, not by listing
        // the rules of every class (on a cluster dump, 100 million entries).
        let step_of = match dir {
            Direction::Ingress => {
                let (step_of, tier_steps) = ingress_steps(c);
                steps = tier_steps;
                Some(step_of)
            }
            Direction::Egress => None,
        };
        for s in 0..c.classes() {
            if let Some(step_of) = &step_of {
                let key: Vec<u32> = (0..tiers).map(|t| step_of[t][s]).collect();
                program.clear();
                program.extend(key.iter().map(|&k| u64::from(k)));
                let next = members.len() as u32;
                let g = *groups.entry(program.clone()).or_insert_with(|| {
                    members.push(Vec::new());
                    keys.push(key);
                    next
                });
                members[g as usize].push(s);
                of_class.push(g);
                continue;
            }
            let rules = &c.rules_of[d][s];
            let mut key = Vec::with_capacity(tiers);
            let mut at = 0;
            for t in 0..tiers {
                let start = at;
                while at < rules.len() && c.rules[rules[at] as usize].tier == t {
                    at += 1;
                }
                let isolated = dir == Direction::Egress && c.isolated[d][t].contains(s);
                let mut words: Vec<u64> = rules[start..at].iter().map(|&r| u64::from(r)).collect();
                words.push(u64::from(isolated));
                let next = steps[t].len() as u32;
                let id = *step_ids[t].entry(words).or_insert_with(|| {
                    steps[t].push((rules[start..at].to_vec(), isolated));
                    next
                });
                key.push(id);
            }
            program.clear();
            program.extend(key.iter().map(|&k| u64::from(k)));
            let next = members.len() as u32;
            let g = *groups.entry(program.clone()).or_insert_with(|| {
                members.push(Vec::new());
                keys.push(key);
                next
            });
            members[g as usize].push(s);
            of_class.push(g);
        }
        let targets = c
            .rules
            .iter()
            .map(|rule| match (rule.dir == dir, dir) {
                (false, _) => Vec::new(),
                (true, Direction::Egress) => rule.peers.iter().map(|x| x as u32).collect(),
                (true, Direction::Ingress) => rule.subjects.iter().map(|x| x as u32).collect(),
            })
            .collect();
        Side {
            c,
            dir,
            of_class,
            members,
            keys,
            steps,
            targets,
        }
    }

    /// The trunk (the first tiers, where every group takes the same step) walked once, and
    /// the ids, interned into `masks`, of every class that no rule of a group touches after
    /// it, per distinct list of tier ends the groups go through.
    pub fn bases(&self, masks: &mut Masks) -> Bases {
        let c = self.c;
        let (w, classes, tiers) = (c.words(), c.classes(), self.steps.len());
        let initial = Dense::new(classes, &c.full);
        let mut row = Row::new(&initial, w);
        let mut fork = 0;
        while fork < tiers {
            let first = self.keys.first().map(|k| k[fork]);
            if self.keys.iter().any(|k| Some(k[fork]) != first) {
                break;
            }
            if let Some(k) = first {
                self.step(fork, k, &mut row);
            }
            fork += 1;
        }
        let mut trunk = initial.clone();
        let mut state = vec![0u64; 3 * w];
        for d in 0..classes {
            match row.slot.get(&(d as u32)) {
                Some(&i) => state.copy_from_slice(&row.state[i as usize * 3 * w..][..3 * w]),
                None => {
                    initial.load(d, w, &mut state);
                    for op in &row.ends {
                        apply(c, self.dir, op, d, &mut state);
                    }
                }
            }
            trunk.allowed[d * w..(d + 1) * w].copy_from_slice(&state[..w]);
            trunk.undecided[d * w..(d + 1) * w].copy_from_slice(&state[w..2 * w]);
            trunk.passed[d * w..(d + 1) * w].copy_from_slice(&state[2 * w..]);
        }
        let mut index: HashMap<Vec<EndOp>, usize> = HashMap::new();
        let mut ids = Vec::new();
        let mut out = vec![0u64; w];
        for key in &self.keys {
            let ends: Vec<EndOp> = (fork..tiers)
                .filter_map(|t| self.end_op(t, key[t]))
                .collect();
            if index.contains_key(&ends) {
                continue;
            }
            let row_ids = (0..classes)
                .map(|d| {
                    trunk.load(d, w, &mut state);
                    for op in &ends {
                        apply(c, self.dir, op, d, &mut state);
                    }
                    for k in 0..w {
                        out[k] = state[k] | state[w + k];
                    }
                    masks.intern(&out)
                })
                .collect();
            index.insert(ends, ids.len());
            ids.push(row_ids);
        }
        Bases {
            trunk,
            fork,
            index,
            ids,
        }
    }

    /// Walks every group's program from the trunk of `bases` and calls
    /// `leaf(acc, group, row)` once per group with its finished row. The trie is walked in
    /// parallel from its first branching; each parallel part folds into its own accumulator
    /// from `init`, and the accumulators are returned.
    pub fn walk<T: Send>(
        &self,
        bases: &Bases,
        init: impl Fn() -> T + Sync,
        leaf: impl Fn(&mut T, usize, &Row) + Sync,
    ) -> Vec<T> {
        let groups: Vec<usize> = (0..self.members.len()).collect();
        let mut row = Row::new(&bases.trunk, self.c.words());
        row.bases = Some(bases);
        let t = bases.fork;
        if t == self.steps.len() {
            let mut acc = init();
            for &g in &groups {
                leaf(&mut acc, g, &row);
            }
            return vec![acc];
        }
        // One accumulator per piece of work rayon splits off (a few per thread), not per
        // part: each holds its own table of masks, and a dump has thousands of parts.
        self.parts(t, &groups)
            .into_par_iter()
            .fold(&init, |mut acc, (k, part)| {
                let mut row = row.clone();
                self.step(t, k, &mut row);
                self.visit(t + 1, &part, &mut row, &mut acc, &leaf);
                acc
            })
            .collect()
    }

    /// The groups by their step at tier `t`, in order of step.
    fn parts(&self, t: usize, groups: &[usize]) -> Vec<(u32, Vec<usize>)> {
        let mut sorted: Vec<(u32, usize)> = groups.iter().map(|&g| (self.keys[g][t], g)).collect();
        sorted.sort_unstable();
        let mut parts: Vec<(u32, Vec<usize>)> = Vec::new();
        for (k, g) in sorted {
            match parts.last_mut() {
                Some((last, part)) if *last == k => part.push(g),
                _ => parts.push((k, vec![g])),
            }
        }
        parts
    }

    fn visit<T>(
        &self,
        t: usize,
        groups: &[usize],
        row: &mut Row,
        acc: &mut T,
        leaf: &impl Fn(&mut T, usize, &Row),
    ) {
        if t == self.steps.len() {
            for &g in groups {
                leaf(acc, g, row);
            }
            return;
        }
        let parts = self.parts(t, groups);
        let last = parts.len() - 1;
        for (i, (k, part)) in parts.into_iter().enumerate() {
            if i == last {
                self.step(t, k, row);
                self.visit(t + 1, &part, row, acc, leaf);
            } else {
                let mut branch = row.clone();
                self.step(t, k, &mut branch);
                self.visit(t + 1, &part, &mut branch, acc, leaf);
            }
        }
    }

    /// The end of tier `t` with step `k`, as it applies to the classes no rule touched; None
    /// when it changes nothing.
    fn end_op(&self, t: usize, k: u32) -> Option<EndOp> {
        let (rules, source_isolated) = &self.steps[t][k as usize];
        let passed = rules
            .iter()
            .any(|&r| self.c.rules[r as usize].action == Action::Pass);
        let op = |isolated| EndOp {
            tier: t as u32,
            isolated,
            passed,
        };
        match self.dir {
            Direction::Egress => (*source_isolated || passed).then(|| op(Some(*source_isolated))),
            Direction::Ingress => {
                let iso = &self.c.isolated[dir_index(self.dir)][t];
                (passed || !iso.is_empty()).then(|| op(None))
            }
        }
    }

    /// Tier `t` with step `k`: its rules in order over their classes, then the tier's end.
    fn step(&self, t: usize, k: u32, row: &mut Row) {
        let c = self.c;
        let w = c.words();
        let (rules, _) = &self.steps[t][k as usize];
        for &r in rules {
            let rule = &c.rules[r as usize];
            for &x in &self.targets[r as usize] {
                let state = row.touch(c, self.dir, x as usize);
                decide(state, w, rule.action, c.mask(rule, x as usize));
            }
        }
        if let Some(op) = self.end_op(t, k) {
            for (i, &x) in row.touched.iter().enumerate() {
                apply(
                    c,
                    self.dir,
                    &op,
                    x as usize,
                    &mut row.state[i * 3 * w..(i + 1) * 3 * w],
                );
            }
            row.ends.push(op);
        }
    }
}

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
//!
//! Rows run over the side's *columns*, not over classes: destination classes that no rule
//! of the side targets apart, no tier isolates apart (ingress) and no named port resolves
//! apart have equal states in every row, so one column stands for all of them
//! ([`Side::col_of`]). On a cluster dump the ingress side has a third as many columns as
//! there are classes.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::super::bitset::BitSet;
use super::super::masks::Masks;
use super::Compiled;
use super::classes::Partition;
use super::ports::CPorts;
use crate::model::Direction;
use crate::model::ir::{Action, EndAction, dir_index};

/// The state of every column (dense): per column, `w` words each of the ports allowed so
/// far, undecided in the tier, and passed to the next tier, side by side (one column's
/// state is one read: a row's first touch of a column is a random access).
#[derive(Clone)]
struct Dense {
    /// Words per column (3 `w`).
    stride: usize,
    states: Vec<u64>,
    /// Whether every column has the state of the first (then only that one is read: the
    /// usual trunk of a cluster without tiers before its NetworkPolicies).
    uniform: bool,
}

impl Dense {
    /// Nothing decided yet: every port of every column undecided.
    fn new(columns: usize, full: &[u64]) -> Dense {
        let w = full.len();
        let mut one = vec![0u64; 3 * w];
        one[w..2 * w].copy_from_slice(full);
        Dense {
            stride: 3 * w,
            states: one.repeat(columns),
            uniform: true,
        }
    }

    /// The state of column `d` into `state` (allowed, undecided, passed; `w` words each).
    fn load(&self, d: usize, state: &mut [u64]) {
        let d = if self.uniform { 0 } else { d };
        state.copy_from_slice(&self.states[d * self.stride..(d + 1) * self.stride]);
    }

    /// Sets the state of column `d`; [`Dense::settle`] after the last.
    fn set(&mut self, d: usize, state: &[u64]) {
        self.states[d * self.stride..(d + 1) * self.stride].copy_from_slice(state);
        self.uniform = false;
    }

    /// Finds whether every column's state is the first's.
    fn settle(&mut self) {
        let first = self.states.get(..self.stride).unwrap_or_default();
        self.uniform = self.states.chunks_exact(self.stride).all(|s| s == first);
    }
}

/// The end of a tier, as it applies to every column no rule of the branch touched: what the
/// tier's rules left undecided meets the end action where the tier isolates the column, and
/// passed ports go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct EndOp {
    tier: u32,
    /// Egress: whether the tier isolates the source (one answer for every column). Ingress:
    /// None, each column is isolated or not by the tier's policies.
    isolated: Option<bool>,
    /// Whether a rule of the step passed ports on.
    passed: bool,
}

/// What one side lets through towards (or from) every class, walked tier by tier.
///
/// Sparse: a row holds the state of only the columns a rule of its branch touched since the
/// trunk (the tiers every group shares), and the ends of tiers it went through. Every other
/// column is in its trunk state with those ends applied, alike for every row with the same
/// ends: their ids are computed once per distinct list of ends ([`Bases`]). A group's row
/// costs its rules' columns, not every column.
#[derive(Clone)]
pub struct Row<'b> {
    trunk: &'b Dense,
    w: usize,
    ends: Vec<EndOp>,
    /// Per column, its index in `touched` ([`UNTOUCHED`] if none).
    slot: Vec<u32>,
    touched: Vec<u32>,
    /// Per touched column (in order of `touched`): allowed, undecided, passed (`w` words
    /// each).
    state: Vec<u64>,
    bases: Option<&'b Bases>,
}

impl<'b> Row<'b> {
    fn new(trunk: &'b Dense, w: usize, columns: usize) -> Row<'b> {
        Row {
            trunk,
            w,
            ends: Vec::new(),
            slot: vec![UNTOUCHED; columns],
            touched: Vec::new(),
            state: Vec::new(),
            bases: None,
        }
    }

    /// The state of column `d` (represented by class `rep`), touched from now on (brought
    /// up to date on first touch).
    fn touch(&mut self, c: &Compiled, dir: Direction, d: usize, rep: usize) -> &mut [u64] {
        let w = self.w;
        let next = self.touched.len() as u32;
        if self.slot[d] == UNTOUCHED {
            self.slot[d] = next;
        }
        let i = self.slot[d] as usize;
        if i == next as usize {
            self.touched.push(d as u32);
            self.state.resize((i + 1) * 3 * w, 0);
            let state = &mut self.state[i * 3 * w..];
            self.trunk.load(d, state);
            for op in &self.ends {
                apply(c, dir, op, rep, state);
            }
        }
        &mut self.state[i * 3 * w..(i + 1) * 3 * w]
    }

    /// Back to its trunk's state (no column touched, no tier end), keeping its buffers.
    fn reset(&mut self) {
        for &d in &self.touched {
            self.slot[d as usize] = UNTOUCHED;
        }
        self.touched.clear();
        self.state.clear();
        self.ends.clear();
    }

    /// The columns a rule of this row's branch touched: every other column has its base id
    /// ([`Row::base`]).
    pub fn touched(&self) -> &[u32] {
        &self.touched
    }

    /// The ids, in the table [`Side::bases`] interned into, of what every column gets
    /// unless it is touched.
    pub fn base(&self) -> &'b [u32] {
        let bases = self.bases.expect("a finished row has its bases");
        &bases.ids[self.base_index()]
    }

    /// Which of [`Bases::rows`] is this row's [`Row::base`].
    pub fn base_index(&self) -> usize {
        let bases = self.bases.expect("a finished row has its bases");
        bases.index[&self.ends]
    }

    /// The touched columns in ascending order, each with its index in [`Row::touched`]:
    /// read off the row's slots when it touched many columns, else sorted.
    pub fn touched_in_order(&self, out: &mut Vec<(u32, u32)>) {
        out.clear();
        if self.touched.len() * 16 >= self.slot.len() {
            out.extend(
                (0..self.slot.len() as u32)
                    .zip(&self.slot)
                    .filter(|&(_, &i)| i != UNTOUCHED)
                    .map(|(d, &i)| (d, i)),
            );
        } else {
            out.extend(self.touched.iter().zip(0..).map(|(&d, i)| (d, i)));
            out.sort_unstable();
        }
    }

    /// After the last tier: the ports the `i`-th touched column gets (allowed, or left
    /// undecided by every tier, which the default allows), into `out`.
    pub fn touched_result(&self, i: usize, out: &mut [u64]) {
        let w = self.w;
        let state = &self.state[i * 3 * w..(i + 1) * 3 * w];
        for k in 0..w {
            out[k] = state[k] | state[w + k];
        }
    }
}

/// A column no rule of a row touched.
const UNTOUCHED: u32 = u32::MAX;

/// A matching rule: it decides the ports of its mask still undecided.
#[inline]
fn decide(state: &mut [u64], w: usize, action: Action, mask: &[u64]) {
    let (all, rest) = state.split_at_mut(w);
    let (und, pass) = rest.split_at_mut(w);
    let mask = &mask[..w];
    let to = match action {
        Action::Allow => all,
        Action::Pass => pass,
        Action::Deny | Action::Log => {
            for (u, m) in und.iter_mut().zip(mask) {
                *u &= !m;
            }
            return;
        }
    };
    for ((t, u), m) in to.iter_mut().zip(und.iter_mut()).zip(mask) {
        *t |= *u & m;
        *u &= !m;
    }
}

/// The end of a tier at a column, represented by class `d`.
fn apply(c: &Compiled, dir: Direction, op: &EndOp, d: usize, state: &mut [u64]) {
    End::new(c, dir, op).apply(d, state);
}

/// A tier's end, looked up once for the many columns it applies to.
struct End<'c> {
    /// Whether the tier's end denies what its rules left undecided.
    denies: bool,
    /// The columns the tier isolates: all (egress: the source is isolated) or none, or
    /// those of a set (ingress).
    isolated: Result<bool, &'c BitSet>,
    passed: bool,
}

impl<'c> End<'c> {
    fn new(c: &'c Compiled, dir: Direction, op: &EndOp) -> End<'c> {
        let t = op.tier as usize;
        End {
            denies: c.cluster.ir.tiers[t].end == EndAction::Deny,
            isolated: op.isolated.ok_or(&c.isolated[dir_index(dir)][t]),
            passed: op.passed,
        }
    }

    /// The end at a column, represented by class `d`.
    fn apply(&self, d: usize, state: &mut [u64]) {
        let w = state.len() / 3;
        let (und, pass) = state[w..].split_at_mut(w);
        if self.denies && self.isolated.unwrap_or_else(|set| set.contains(d)) {
            und.fill(0);
        }
        if self.passed {
            for k in 0..w {
                und[k] |= pass[k];
                pass[k] = 0;
            }
        }
    }
}

/// The trunk's state and, per distinct list of tier ends the groups go through after it,
/// the id of every column that no rule of the group touches.
pub struct Bases {
    trunk: Dense,
    /// The first tier where groups take different steps (the number of tiers if none).
    fork: usize,
    index: HashMap<Vec<EndOp>, usize>,
    ids: Vec<Vec<u32>>,
}

impl Bases {
    /// The base rows: per distinct list of tier ends, the id of every column.
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
    /// The column of each (destination) class: classes of one column have equal states in
    /// every row of the side.
    pub col_of: Vec<u32>,
    /// A class of each column.
    col_reps: Vec<usize>,
    /// Per group, per tier: the id of its step there (index into `steps[tier]`).
    keys: Vec<Vec<u32>>,
    /// Per tier, the distinct steps: the rules (in order) and, for egress, whether the tier
    /// isolates the source.
    steps: Vec<Vec<(Vec<u32>, bool)>>,
    /// Per rule of the direction (others: empty), the columns it decides for: egress, the
    /// columns its peer holds; ingress, its subjects. Listed once, not scanned as bitsets
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
        // A dump's rules repeat a few peers thousands of times (on the largest, 16,280
        // rules hold 112 million classes in all, their 6,851 distinct peers 5 million):
        // each distinct peer once, with its rules.
        let mut peer_id: HashMap<&BitSet, usize> = HashMap::new();
        let mut peers: Vec<(&BitSet, Vec<u32>)> = Vec::new();
        for &r in &rules {
            let set = &c.rules[r as usize].peers;
            let k = *peer_id.entry(set).or_insert_with(|| {
                peers.push((set, Vec::new()));
                peers.len() - 1
            });
            peers[k].1.push(r);
        }
        let blocks = Partition::refine(&vec![0; classes], peers.iter().map(|(s, _)| s.iter()));
        // The peers holding each block, then its rules in evaluation order.
        let mut holding: Vec<Vec<u32>> = vec![Vec::new(); blocks.len()];
        for (k, (set, _)) in peers.iter().enumerate() {
            for x in set.iter() {
                let b = &mut holding[blocks.class_of[x] as usize];
                if b.last() != Some(&(k as u32)) {
                    b.push(k as u32);
                }
            }
        }
        let tier_steps = holding
            .into_par_iter()
            .map(|ks| {
                let mut held: Vec<u32> = ks
                    .iter()
                    .flat_map(|&k| peers[k as usize].1.iter().copied())
                    .collect();
                held.sort_unstable();
                (held, false)
            })
            .collect();
        let block = blocks.class_of;
        step_of.push(block);
        steps.push(tier_steps);
    }
    (step_of, steps)
}

/// The columns of a side: destination classes split by every rule's target set (egress:
/// its peer; ingress: its subjects), the classes its named ports resolve on, and (ingress)
/// every tier's isolated set, seeded by the named-port signature. Two classes of a column
/// are touched by the same rules with the same masks and meet the same tier ends, so they
/// have equal states in every row.
fn columns(c: &Compiled, dir: Direction) -> Partition {
    let seed: Vec<u64> = (0..c.classes()).map(|x| u64::from(c.sig_of(x))).collect();
    let mut seen: HashSet<&BitSet> = HashSet::new();
    let mut sets: Vec<&BitSet> = Vec::new();
    for rule in c.rules.iter().filter(|r| r.dir == dir) {
        let target: &BitSet = match dir {
            Direction::Egress => &rule.peers,
            Direction::Ingress => &rule.subjects,
        };
        let named = match rule.ports {
            CPorts::Named(_) => rule.named_on.as_ref(),
            CPorts::Fixed(_) => None,
        };
        sets.extend(
            std::iter::once(target)
                .chain(named)
                .filter(|s| seen.insert(s)),
        );
    }
    if dir == Direction::Ingress {
        let isolated = &c.isolated[dir_index(dir)];
        sets.extend(isolated.iter().filter(|s| seen.insert(s)));
    }
    Partition::refine(&seed, sets.into_iter().map(|s| s.iter()))
}

impl<'a> Side<'a> {
    /// Groups the classes of `c` by their program in direction `dir`.
    pub fn new(c: &'a Compiled<'a>, dir: Direction) -> Side<'a> {
        let columns = columns(c, dir);
        crate::base::timings::phase("side: columns");
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
        crate::base::timings::phase("side: steps");
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
        // Each rule's target set is a union of columns: its columns, each once.
        let mut stamp = vec![u32::MAX; columns.len()];
        let targets = c
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                let set = match (rule.dir == dir, dir) {
                    (false, _) => return Vec::new(),
                    (true, Direction::Egress) => &rule.peers,
                    (true, Direction::Ingress) => &rule.subjects,
                };
                let mut cols = Vec::new();
                for x in set.iter() {
                    let col = columns.class_of[x];
                    if stamp[col as usize] != r as u32 {
                        stamp[col as usize] = r as u32;
                        cols.push(col);
                    }
                }
                cols
            })
            .collect();
        Side {
            c,
            dir,
            of_class,
            members,
            col_of: columns.class_of,
            col_reps: columns.reps,
            keys,
            steps,
            targets,
        }
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.col_reps.len()
    }

    /// The trunk (the first tiers, where every group takes the same step) walked once, and
    /// the ids, interned into `masks`, of every class that no rule of a group touches after
    /// it, per distinct list of tier ends the groups go through.
    pub fn bases(&self, masks: &mut Masks) -> Bases {
        let c = self.c;
        let (w, columns, tiers) = (c.words(), self.columns(), self.steps.len());
        let initial = Dense::new(columns, &c.full);
        let mut row = Row::new(&initial, w, columns);
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
        for d in 0..columns {
            match row.slot[d] {
                i if i != UNTOUCHED => {
                    state.copy_from_slice(&row.state[i as usize * 3 * w..][..3 * w])
                }
                _ => {
                    initial.load(d, &mut state);
                    for op in &row.ends {
                        apply(c, self.dir, op, self.col_reps[d], &mut state);
                    }
                }
            }
            trunk.set(d, &state);
        }
        trunk.settle();
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
            let row_ids = (0..columns)
                .map(|d| {
                    trunk.load(d, &mut state);
                    for op in &ends {
                        apply(c, self.dir, op, self.col_reps[d], &mut state);
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
        let mut row = Row::new(&bases.trunk, self.c.words(), self.columns());
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
        // part: each holds its own table of masks, and a dump has thousands of parts. Its
        // row too, reset to the trunk for each part (a row is as long as the columns).
        self.parts(t, &groups)
            .into_par_iter()
            .fold(
                || (init(), row.clone()),
                |(mut acc, mut row), (k, part)| {
                    row.reset();
                    self.step(t, k, &mut row);
                    self.visit(t + 1, &part, &mut row, &mut acc, &leaf);
                    (acc, row)
                },
            )
            .map(|(acc, _)| acc)
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
            let targets = &self.targets[r as usize];
            match &rule.ports {
                // One mask for every target (the usual case, in the walk's hot loop).
                CPorts::Fixed(mask) => {
                    for &x in targets {
                        let rep = self.col_reps[x as usize];
                        let state = row.touch(c, self.dir, x as usize, rep);
                        decide(state, w, rule.action, mask);
                    }
                }
                CPorts::Named(_) => {
                    for &x in targets {
                        let rep = self.col_reps[x as usize];
                        let state = row.touch(c, self.dir, x as usize, rep);
                        decide(state, w, rule.action, c.mask(rule, rep));
                    }
                }
            }
        }
        if let Some(op) = self.end_op(t, k) {
            let end = End::new(c, self.dir, &op);
            for (i, &x) in row.touched.iter().enumerate() {
                end.apply(
                    self.col_reps[x as usize],
                    &mut row.state[i * 3 * w..(i + 1) * 3 * w],
                );
            }
            row.ends.push(op);
        }
    }
}

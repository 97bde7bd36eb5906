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

use rayon::prelude::*;

use super::Compiled;
use super::classes::Partition;
use crate::model::Direction;
use crate::model::ir::{Action, EndAction, dir_index};

/// What one side lets through towards (or from) every class, walked tier by tier: per
/// class, the ports allowed so far, undecided in the tier, and passed to the next tier.
#[derive(Clone)]
pub struct Row {
    allowed: Vec<u64>,
    undecided: Vec<u64>,
    passed: Vec<u64>,
}

impl Row {
    /// Nothing decided yet: every port of every class undecided.
    fn new(classes: usize, full: &[u64]) -> Row {
        let w = full.len();
        Row {
            allowed: vec![0; classes * w],
            undecided: full.repeat(classes),
            passed: vec![0; classes * w],
        }
    }

    /// A matching rule at class `d`: it decides the ports of its mask still undecided.
    fn decide(&mut self, d: usize, w: usize, action: Action, mask: &[u64]) {
        let (und, all, pass) = (
            &mut self.undecided[d * w..(d + 1) * w],
            &mut self.allowed[d * w..(d + 1) * w],
            &mut self.passed[d * w..(d + 1) * w],
        );
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

    /// The end of a tier at class `d`: what no rule decided meets the end action if the tier
    /// isolates `d`, and passed ports go on.
    fn end_tier(&mut self, d: usize, w: usize, isolated: bool, end: EndAction, passed: bool) {
        let (und, pass) = (
            &mut self.undecided[d * w..(d + 1) * w],
            &mut self.passed[d * w..(d + 1) * w],
        );
        if isolated && end == EndAction::Deny {
            und.fill(0);
        }
        if passed {
            for k in 0..w {
                und[k] |= pass[k];
                pass[k] = 0;
            }
        }
    }

    /// After the last tier: the ports class `d` gets (allowed, or left undecided by every
    /// tier, which the default allows), into `out`.
    pub fn result(&self, d: usize, out: &mut [u64]) {
        let w = out.len();
        let (all, und) = (&self.allowed[d * w..], &self.undecided[d * w..]);
        for ((o, a), u) in out.iter_mut().zip(all).zip(und) {
            *o = a | u;
        }
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
        Side {
            c,
            dir,
            of_class,
            members,
            keys,
            steps,
        }
    }

    /// Walks every group's program and calls `leaf(acc, group, row)` once per group with
    /// its finished row. The trie is walked in parallel from its first branching; each
    /// parallel part folds into its own accumulator from `init`, and the accumulators are
    /// returned.
    pub fn walk<T: Send>(
        &self,
        init: impl Fn() -> T + Sync,
        leaf: impl Fn(&mut T, usize, &Row) + Sync,
    ) -> Vec<T> {
        let groups: Vec<usize> = (0..self.members.len()).collect();
        let mut row = Row::new(self.c.classes(), &self.c.full);
        let mut t = 0;
        let tiers = self.steps.len();
        // Down the trunk while every group takes the same step, in place.
        while t < tiers {
            let first = self.keys.first().map(|k| k[t]);
            if groups.iter().any(|&g| Some(self.keys[g][t]) != first) {
                break;
            }
            if let Some(k) = first {
                self.step(t, k, &mut row);
            }
            t += 1;
        }
        if t == tiers {
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

    /// Tier `t` with step `k`: its rules in order over their classes, then the tier's end.
    fn step(&self, t: usize, k: u32, row: &mut Row) {
        let c = self.c;
        let (w, classes) = (c.words(), c.classes());
        let (rules, source_isolated) = &self.steps[t][k as usize];
        let d = dir_index(self.dir);
        let iso = &c.isolated[d][t];
        if rules.is_empty() && !source_isolated && (self.dir == Direction::Egress || iso.is_empty())
        {
            return;
        }
        let mut passed = false;
        for &r in rules {
            let rule = &c.rules[r as usize];
            passed |= rule.action == Action::Pass;
            let targets = match self.dir {
                Direction::Egress => &rule.peers,
                Direction::Ingress => &rule.subjects,
            };
            for x in targets.iter() {
                row.decide(x, w, rule.action, c.mask(rule, x));
            }
        }
        let end = c.cluster.ir.tiers[t].end;
        match self.dir {
            Direction::Egress => {
                if *source_isolated || passed {
                    for x in 0..classes {
                        row.end_tier(x, w, *source_isolated, end, passed);
                    }
                }
            }
            Direction::Ingress => {
                if passed {
                    for x in 0..classes {
                        row.end_tier(x, w, iso.contains(x), end, true);
                    }
                } else {
                    for x in iso.iter() {
                        row.end_tier(x, w, true, end, false);
                    }
                }
            }
        }
    }
}

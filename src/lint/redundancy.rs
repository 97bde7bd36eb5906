//! Which rules and policies change nothing in the reachability of the loaded input — the
//! analysis behind `redundant-rule` and `redundant-policy`, for every policy API at once.
//!
//! It reads the compiled model ([`crate::engine::compile`]): for each direction, subject class
//! `s` and peer class `t`, the rules that apply at `(s, t)` in evaluation order. With the
//! ports of the destination as bitmasks:
//! - forward, the ports each rule *decides* (`D_i`: it matches them and no earlier rule of
//!   the walk decided them), exactly as [`crate::engine::evaluate`] walks;
//! - backward, the ports that end up allowed when the walk *starts* at each rule (`A_i`): a
//!   rule sends the ports it matches to its outcome (Allow: allowed; Deny: denied; Pass: the
//!   next tier's start), the others to the next rule; the end of a tier sends what is left
//!   to its end action; after the last tier everything is allowed.
//!
//! Without rule `i`, the ports it decides take the path of `A_{i+1}`; so rule `i` changes
//! nothing at `(s, t)` iff its outcome and `A_{i+1}` agree on `D_i`, and it is redundant when
//! that holds at every pair where it matches something. For Kubernetes NetworkPolicies (one
//! tier of Allow rules ending in Deny) this is "every port it allows, another rule allows".
//! Classes are exact equivalence classes, so the answer holds for every pod and address of
//! the input.
//!
//! Rules that cover each other (two copies of one rule) are each redundant alone, but not
//! together. So the verdicts are greedy: candidates are re-checked from the last written to
//! the first with the rules already found redundant left out, and only those that stay
//! redundant are reported — removing every reported rule (or policy) at once changes
//! nothing either. A policy is redundant when all its rules can go at once and every pod
//! it isolates is isolated by another policy of its tier too.

use crate::engine::compile::Compiled;
use crate::model::ir::{Action, EndAction, PolicyId, dir_index};
use crate::model::{Cluster, Direction};

/// A rule of the model, by policy, direction and index in the policy's rules.
pub type RuleRef = (PolicyId, Direction, usize);

/// A rule whose removal changes nothing.
#[derive(Clone, Debug)]
pub struct RedundantRule {
    /// The rule.
    pub rule: RuleRef,
    /// Rules that decide the same traffic the same way without it (some of them).
    pub covered_by: Vec<RuleRef>,
    /// One connection it matches, as (source, destination) member names.
    pub example: (String, String),
    /// Whether it never decides anything: earlier rules decide all the traffic it matches.
    pub unreached: bool,
}

/// A policy whose removal changes nothing.
#[derive(Clone, Debug)]
pub struct RedundantPolicy {
    /// The policy.
    pub policy: PolicyId,
    /// Policies whose rules decide the same traffic without it.
    pub covered_by: Vec<PolicyId>,
    /// Other policies isolating the pods it isolates.
    pub isolated_also_by: Vec<PolicyId>,
}

/// The result of the analysis.
#[derive(Clone, Debug, Default)]
pub struct Redundancy {
    /// Redundant rules, in policy order.
    pub rules: Vec<RedundantRule>,
    /// Redundant policies, in policy order.
    pub policies: Vec<RedundantPolicy>,
}

const COVER_CAP: usize = 6;

fn zero(m: &[u64]) -> bool {
    m.iter().all(|&w| w == 0)
}

fn overlaps(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// The walk of one side at one (subject class, peer class) pair.
struct Walk<'c, 'a> {
    c: &'a Compiled<'c>,
    /// Direction index.
    d: usize,
    /// The subject class.
    s: usize,
    /// The destination class (for named ports).
    dst: usize,
    /// The rules that apply at the pair, in evaluation order.
    rules: Vec<usize>,
}

/// Per rule of a walk: what it matches, what it decides, and where its ports go without it.
struct Verdicts {
    masks: Vec<Vec<u64>>,
    decided: Vec<Vec<u64>>,
    /// `A_{i+1}`: the ports allowed when the walk resumes after rule `i`.
    without: Vec<Vec<u64>>,
    /// The outcome of rule `i` on the ports it matches: allowed ones.
    outcome: Vec<Vec<u64>>,
}

impl<'c, 'a> Walk<'c, 'a> {
    fn new(
        c: &'a Compiled<'c>,
        dir: Direction,
        s: usize,
        t: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let d = dir_index(dir);
        let rules = c.rules_of[d][s]
            .iter()
            .map(|&r| r as usize)
            .filter(|&r| c.rules[r].peers.contains(t) && keep(r))
            .collect();
        Walk {
            c,
            d,
            s,
            dst: if dir == Direction::Egress { t } else { s },
            rules,
        }
    }

    fn isolated(&self, tier: usize) -> bool {
        self.c.isolated[self.d][tier].contains(self.s)
    }

    fn verdicts(&self) -> Verdicts {
        let c = self.c;
        let w = c.words();
        let n = self.rules.len();
        let masks: Vec<Vec<u64>> = self
            .rules
            .iter()
            .map(|&r| c.mask(&c.rules[r].ports, self.dst).to_vec())
            .collect();
        // Forward: what each rule decides.
        let mut decided = vec![vec![0u64; w]; n];
        let mut undecided = c.full.clone();
        let mut open = undecided.clone();
        let mut passed = vec![0u64; w];
        let tiers = c.isolated[self.d].len();
        let mut i = 0;
        for t in 0..tiers {
            let start = i;
            while i < n && c.rules[self.rules[i]].tier == t {
                i += 1;
            }
            if start == i && !self.isolated(t) {
                continue;
            }
            open.copy_from_slice(&undecided);
            passed.fill(0);
            for j in start..i {
                for k in 0..w {
                    decided[j][k] = open[k] & masks[j][k];
                    open[k] &= !masks[j][k];
                }
                if c.rules[self.rules[j]].action == Action::Pass {
                    for k in 0..w {
                        passed[k] |= decided[j][k];
                    }
                }
            }
            let deny_end = self.isolated(t) && c.cluster.ir.tiers[t].end == EndAction::Deny;
            for k in 0..w {
                undecided[k] = passed[k] | if deny_end { 0 } else { open[k] };
            }
        }
        // Backward: what is allowed when the walk resumes at each point.
        let mut without = vec![vec![0u64; w]; n];
        let mut outcome = vec![vec![0u64; w]; n];
        let mut next_tier = c.full.clone();
        let mut i = n;
        for t in (0..tiers).rev() {
            let end = i;
            while i > 0 && c.rules[self.rules[i - 1]].tier == t {
                i -= 1;
            }
            if i == end && !self.isolated(t) {
                continue;
            }
            let deny_end = self.isolated(t) && c.cluster.ir.tiers[t].end == EndAction::Deny;
            let mut after = if deny_end {
                vec![0u64; w]
            } else {
                next_tier.clone()
            };
            for j in (i..end).rev() {
                without[j].copy_from_slice(&after);
                outcome[j] = match c.rules[self.rules[j]].action {
                    Action::Allow => masks[j].clone(),
                    Action::Deny | Action::Log => vec![0u64; w],
                    Action::Pass => masks[j]
                        .iter()
                        .zip(&next_tier)
                        .map(|(m, a)| m & a)
                        .collect(),
                };
                for k in 0..w {
                    after[k] = outcome[j][k] | (!masks[j][k] & after[k]);
                }
            }
            next_tier = after;
        }
        Verdicts {
            masks,
            decided,
            without,
            outcome,
        }
    }
}

impl Verdicts {
    /// Whether rule `j` of the walk changes nothing here.
    fn idle(&self, j: usize) -> bool {
        self.decided[j]
            .iter()
            .zip(&self.outcome[j])
            .zip(&self.without[j])
            .all(|((d, o), a)| d & o == d & a)
    }
}

/// Computes the redundant rules and policies of a cluster.
pub fn compute(cluster: &Cluster) -> Redundancy {
    let c = Compiled::new(cluster);
    let ir = &cluster.ir;
    let nrules = c.rules.len();
    let mut matches_something = vec![false; nrules];
    let mut changes = vec![false; nrules];
    let mut example: Vec<Option<(usize, usize)>> = vec![None; nrules];
    let pairs = |r: usize| {
        let rule = &c.rules[r];
        rule.subjects
            .iter()
            .flat_map(move |s| rule.peers.iter().map(move |t| (s, t)))
    };
    // First pass: each rule alone, at every pair of its subject and peer classes.
    for dir in Direction::BOTH {
        let d = dir_index(dir);
        for s in 0..c.classes() {
            if c.rules_of[d][s].is_empty() {
                continue;
            }
            let peers: std::collections::BTreeSet<usize> = c.rules_of[d][s]
                .iter()
                .flat_map(|&r| c.rules[r as usize].peers.iter())
                .collect();
            for t in peers {
                let walk = Walk::new(&c, dir, s, t, |_| true);
                let v = walk.verdicts();
                for (j, &r) in walk.rules.iter().enumerate() {
                    if zero(&v.masks[j]) {
                        continue;
                    }
                    matches_something[r] = true;
                    example[r].get_or_insert(if dir == Direction::Egress {
                        (c.reps[s], c.reps[t])
                    } else {
                        (c.reps[t], c.reps[s])
                    });
                    if !v.idle(j) {
                        changes[r] = true;
                    }
                }
            }
        }
    }
    let member_name = |m: usize| {
        if m < c.n {
            cluster.endpoints[m].id()
        } else {
            c.externals[m - c.n].to_string()
        }
    };
    let rule_ref = |r: usize| (c.rules[r].policy, c.rules[r].dir, c.rules[r].index);
    let position = |p: PolicyId| ir.policies[p].span.map(|s| (s.file, s.start));

    // Rules: greedy, last written first, against the rules still standing.
    let mut candidates: Vec<usize> = (0..nrules)
        .filter(|&r| matches_something[r] && !changes[r])
        .collect();
    candidates.sort_by_key(|&r| {
        std::cmp::Reverse((
            position(c.rules[r].policy),
            c.rules[r].dir,
            c.rules[r].index,
        ))
    });
    let mut removed = vec![false; nrules];
    let mut found = Vec::new();
    for r in candidates {
        let dir = c.rules[r].dir;
        let mut cover: Vec<usize> = Vec::new();
        let mut unreached = true;
        let idle = pairs(r).all(|(s, t)| {
            let walk = Walk::new(&c, dir, s, t, |o| !removed[o]);
            let v = walk.verdicts();
            let Some(j) = walk.rules.iter().position(|&o| o == r) else {
                return true;
            };
            if zero(&v.masks[j]) {
                return true;
            }
            unreached &= zero(&v.decided[j]);
            let idle = v.idle(j);
            if idle {
                // The rules that decide its traffic without it: later rules that match its
                // decided ports, or earlier ones that decided its matched ports first.
                for (k, &o) in walk.rules.iter().enumerate() {
                    let hit = if k < j {
                        overlaps(&v.decided[k], &v.masks[j])
                    } else {
                        k > j && overlaps(&v.masks[k], &v.decided[j])
                    };
                    if hit && !cover.contains(&o) && cover.len() < COVER_CAP {
                        cover.push(o);
                    }
                }
            }
            idle
        });
        if idle {
            removed[r] = true;
            // Where allows add up, which of two allowing rules "comes first" is no matter.
            let rule = &c.rules[r];
            let adds_up = rule.action == Action::Allow
                && ir.policies[rule.policy].precedence_key
                    == crate::model::ir::Precedence::Unordered;
            let (a, b) = example[r].expect("a rule that matches has an example");
            cover.sort_unstable();
            found.push(RedundantRule {
                rule: rule_ref(r),
                covered_by: cover.iter().map(|&o| rule_ref(o)).collect(),
                example: (member_name(a), member_name(b)),
                unreached: unreached && !adds_up,
            });
        }
    }
    found.sort_by_key(|r| (r.rule.0, r.rule.1, r.rule.2));

    // Policies: all their rules at once, with isolation kept by others.
    let by_policy =
        |p: PolicyId| -> Vec<usize> { (0..nrules).filter(|&r| c.rules[r].policy == p).collect() };
    let mut candidates: Vec<PolicyId> = (0..ir.policies.len())
        .filter(|&p| {
            let pol = &ir.policies[p];
            let default_deny = pol.dirs.iter().all(|d| d.rules.is_empty())
                && pol.subject.terms().iter().any(|t| {
                    t.conds.iter().any(|c| {
                        matches!(&c.test, crate::model::ir::Test::Selector { expr, .. } if expr.is_all())
                    })
                });
            !c.subjects[p].is_empty()
                && !default_deny
                && by_policy(p).iter().all(|&r| !changes[r])
        })
        .collect();
    candidates.sort_by_key(|&p| std::cmp::Reverse(position(p)));
    let mut gone = vec![false; ir.policies.len()];
    let mut policies = Vec::new();
    for p in candidates {
        let pol = &ir.policies[p];
        let own = by_policy(p);
        let mut isolators: Vec<PolicyId> = Vec::new();
        let isolated_elsewhere = Direction::BOTH.iter().all(|&dir| {
            let part = pol.dir(dir);
            !(part.applies && part.isolates)
                || c.subjects[p].iter().all(|s| {
                    ir.tier_policies(pol.tier).any(|(o, op)| {
                        let other = op.dir(dir);
                        let hit = o != p
                            && !gone[o]
                            && other.applies
                            && other.isolates
                            && c.subjects[o].contains(s);
                        if hit && !isolators.contains(&o) && isolators.len() < COVER_CAP {
                            isolators.push(o);
                        }
                        hit
                    })
                })
        });
        if !isolated_elsewhere {
            continue;
        }
        // Its rules go one after the other; each must change nothing with the ones before it
        // gone, so that all of them together change nothing.
        let mut cover: Vec<PolicyId> = Vec::new();
        let mut dropped: Vec<usize> = Vec::new();
        let idle = own.iter().all(|&r| {
            let dir = c.rules[r].dir;
            let idle = pairs(r).all(|(s, t)| {
                let walk = Walk::new(&c, dir, s, t, |o| {
                    !gone[c.rules[o].policy] && !dropped.contains(&o)
                });
                let v = walk.verdicts();
                let Some(j) = walk.rules.iter().position(|&o| o == r) else {
                    return true;
                };
                let idle = v.idle(j);
                if idle {
                    for (k, &o) in walk.rules.iter().enumerate() {
                        let op = c.rules[o].policy;
                        if op != p
                            && (overlaps(&v.masks[k], &v.decided[j])
                                || overlaps(&v.decided[k], &v.masks[j]))
                            && !cover.contains(&op)
                            && cover.len() < COVER_CAP
                        {
                            cover.push(op);
                        }
                    }
                }
                idle
            });
            dropped.push(r);
            idle
        });
        if idle {
            gone[p] = true;
            policies.push(RedundantPolicy {
                policy: p,
                covered_by: cover.clone(),
                isolated_also_by: isolators
                    .into_iter()
                    .filter(|o| !cover.contains(o))
                    .collect(),
            });
        }
    }
    policies.sort_by_key(|p| p.policy);
    Redundancy {
        rules: found,
        policies,
    }
}

//! Which NetworkPolicy rules and policies change nothing in the reachability of the loaded
//! input — the analysis behind `redundant-rule` and `redundant-policy`.
//!
//! One pass over the compiled classes ([`crate::engine::compile`]), not one engine run per
//! rule: for each direction, subject class `s` and peer class `t`, the masks of the rules
//! that apply are accumulated into "covered once" and "covered at least twice"; a rule is
//! redundant at (s, t) when its mask lies in the twice-covered part (another rule covers
//! each of its ports), and redundant when that holds at every pair where it allows
//! something. Policies are treated the same way with per-policy masks, and must also not be
//! the only thing isolating any pod they select. Classes are exact equivalence classes, so
//! the answer holds for every pod and address of the input.
//!
//! Rules that cover each other (two copies of one rule) are each redundant alone, but not
//! together. So the verdicts are greedy: candidates are re-checked from the last written to
//! the first against the rules not yet found redundant, and only those that stay covered are
//! reported — removing every reported rule (or policy) at once changes nothing either.

use std::collections::BTreeMap;

use crate::engine::compile::{Compiled, dir_index};
use crate::model::{Cluster, Direction, PolicyIdx};

/// A rule, by policy, direction and index.
pub type RuleRef = (PolicyIdx, Direction, usize);

/// A rule whose every allowed connection another rule allows too.
#[derive(Clone, Debug)]
pub struct RedundantRule {
    /// The rule.
    pub rule: RuleRef,
    /// Rules that allow the same traffic (some of them).
    pub covered_by: Vec<RuleRef>,
    /// One connection it allows, as (source, destination) member names.
    pub example: (String, String),
}

/// A policy whose removal changes nothing.
#[derive(Clone, Debug)]
pub struct RedundantPolicy {
    /// The policy.
    pub policy: PolicyIdx,
    /// Policies that already allow what it allows.
    pub covered_by: Vec<PolicyIdx>,
    /// Other policies isolating the pods it isolates.
    pub isolated_also_by: Vec<PolicyIdx>,
}

/// The result of the analysis.
#[derive(Clone, Debug, Default)]
pub struct Redundancy {
    /// Redundant rules, in policy order.
    pub rules: Vec<RedundantRule>,
    /// Redundant policies, in input order.
    pub policies: Vec<RedundantPolicy>,
}

const COVER_CAP: usize = 6;

fn zero(m: &[u64]) -> bool {
    m.iter().all(|&w| w == 0)
}

fn subset(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x & !y == 0)
}

fn overlaps(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// Computes the redundant rules and policies of a cluster.
pub fn compute(cluster: &Cluster) -> Redundancy {
    let c = Compiled::new(cluster);
    let w = c.words();
    let (nrules, npol) = (c.rules.len(), c.policies.len());
    let mut contributes = vec![false; nrules];
    let mut uncovered = vec![false; nrules];
    let mut rule_cover: Vec<Vec<usize>> = vec![Vec::new(); nrules];
    let mut example: Vec<Option<(usize, usize)>> = vec![None; nrules];
    let mut pol_contributes = vec![[false; 2]; npol];
    let mut pol_uncovered = vec![[false; 2]; npol];
    let mut pol_cover: Vec<Vec<usize>> = vec![Vec::new(); npol];
    let (mut once, mut twice) = (vec![0u64; w], vec![0u64; w]);
    for dir in Direction::BOTH {
        let di = dir_index(dir);
        for s in 0..c.classes() {
            let list = &c.np_rules_of[di][s];
            if list.is_empty() {
                continue;
            }
            let mut by_peer: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &r in list {
                for t in c.rules[r].peers.iter() {
                    by_peer.entry(t).or_default().push(r);
                }
            }
            for (t, rs) in by_peer {
                let dst = if dir == Direction::Egress { t } else { s };
                let mask = |r: usize| c.mask(&c.rules[r].ports, dst);
                // Rules.
                once.fill(0);
                twice.fill(0);
                for &r in &rs {
                    for (k, m) in mask(r).iter().enumerate() {
                        twice[k] |= once[k] & m;
                        once[k] |= m;
                    }
                }
                for &r in &rs {
                    let m = mask(r);
                    if zero(m) {
                        continue;
                    }
                    contributes[r] = true;
                    example[r].get_or_insert((
                        c.reps[if dir == Direction::Egress { s } else { t }],
                        c.reps[if dir == Direction::Egress { t } else { s }],
                    ));
                    if !subset(m, &twice) {
                        uncovered[r] = true;
                    } else if !uncovered[r] && rule_cover[r].len() < COVER_CAP {
                        for &o in &rs {
                            if o != r
                                && overlaps(mask(o), m)
                                && !rule_cover[r].contains(&o)
                                && rule_cover[r].len() < COVER_CAP
                            {
                                rule_cover[r].push(o);
                            }
                        }
                    }
                }
                // Policies: the union of each policy's rules here.
                let mut per: Vec<(usize, Vec<u64>)> = Vec::new();
                for &r in &rs {
                    let p = c.rules[r].policy;
                    let slot = match per.iter().position(|(q, _)| *q == p) {
                        Some(i) => i,
                        None => {
                            per.push((p, vec![0u64; w]));
                            per.len() - 1
                        }
                    };
                    for (k, m) in mask(r).iter().enumerate() {
                        per[slot].1[k] |= m;
                    }
                }
                once.fill(0);
                twice.fill(0);
                for (_, m) in &per {
                    for k in 0..w {
                        twice[k] |= once[k] & m[k];
                        once[k] |= m[k];
                    }
                }
                for (p, m) in &per {
                    if zero(m) {
                        continue;
                    }
                    pol_contributes[*p][di] = true;
                    if !subset(m, &twice) {
                        pol_uncovered[*p][di] = true;
                    } else if pol_cover[*p].len() < COVER_CAP {
                        for (o, om) in &per {
                            if o != p
                                && overlaps(om, m)
                                && !pol_cover[*p].contains(o)
                                && pol_cover[*p].len() < COVER_CAP
                            {
                                pol_cover[*p].push(*o);
                            }
                        }
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
    let rule_ref = |r: usize| {
        let cr = &c.rules[r];
        (c.policies[cr.policy].policy, cr.dir, cr.index)
    };
    let position = |p: usize| {
        let span = cluster.policies[c.policies[p].policy].span;
        (span.file, span.start)
    };

    // Rules: greedy, last written first, against the rules still standing.
    let mut candidates: Vec<usize> = (0..nrules)
        .filter(|&r| contributes[r] && !uncovered[r])
        .collect();
    candidates.sort_by_key(|&r| {
        std::cmp::Reverse((
            position(c.rules[r].policy),
            c.rules[r].dir,
            c.rules[r].index,
        ))
    });
    let mut removed = vec![false; nrules];
    let mut rules = Vec::new();
    for r in candidates {
        let rule = &c.rules[r];
        let di = dir_index(rule.dir);
        let covered = c.policies[rule.policy].selected.iter().all(|s| {
            rule.peers.iter().all(|t| {
                let dst = if rule.dir == Direction::Egress { t } else { s };
                let m = c.mask(&rule.ports, dst);
                let mut others = vec![0u64; w];
                for &o in &c.np_rules_of[di][s] {
                    if o != r && !removed[o] && c.rules[o].peers.contains(t) {
                        let om = c.mask(&c.rules[o].ports, dst);
                        for k in 0..w {
                            others[k] |= om[k];
                        }
                    }
                }
                subset(m, &others)
            })
        });
        if covered {
            removed[r] = true;
            let (a, b) = example[r].expect("a contributing rule has an example");
            rules.push((
                r,
                RedundantRule {
                    rule: rule_ref(r),
                    covered_by: Vec::new(),
                    example: (member_name(a), member_name(b)),
                },
            ));
        }
    }
    // Name what covers each reported rule among the rules that stay: removing one covered
    // rule never changes what the rest allow, so the rules that stay cover them all.
    for (r, red) in &mut rules {
        let rule = &c.rules[*r];
        let di = dir_index(rule.dir);
        let mut cover: Vec<usize> = Vec::new();
        for s in c.policies[rule.policy].selected.iter() {
            for t in rule.peers.iter() {
                let dst = if rule.dir == Direction::Egress { t } else { s };
                let m = c.mask(&rule.ports, dst);
                for &o in &c.np_rules_of[di][s] {
                    if !removed[o]
                        && c.rules[o].peers.contains(t)
                        && overlaps(c.mask(&c.rules[o].ports, dst), m)
                        && !cover.contains(&o)
                        && cover.len() < COVER_CAP
                    {
                        cover.push(o);
                    }
                }
            }
        }
        cover.sort_unstable();
        red.covered_by = cover.iter().map(|&o| rule_ref(o)).collect();
    }
    let mut rules: Vec<RedundantRule> = rules.into_iter().map(|(_, r)| r).collect();
    rules.sort_by_key(|r| (r.rule.0, r.rule.1, r.rule.2));

    // Policies: the same, with isolation kept too.
    let mut candidates: Vec<usize> = (0..npol)
        .filter(|&p| {
            let cp = &c.policies[p];
            let policy = &cluster.policies[cp.policy];
            let default_deny = policy.pod_selector.is_empty()
                && Direction::BOTH.iter().all(|&d| policy.rules(d).is_empty());
            !cp.selected.is_empty()
                && !default_deny
                && (0..2).all(|d| !cp.active[d] || !pol_uncovered[p][d])
        })
        .collect();
    candidates.sort_by_key(|&p| std::cmp::Reverse(position(p)));
    let mut gone = vec![false; npol];
    let mut policies = Vec::new();
    for p in candidates {
        let cp = &c.policies[p];
        let mut cover: Vec<usize> = Vec::new();
        let mut isolators: Vec<usize> = Vec::new();
        let kept = Direction::BOTH.iter().all(|&dir| {
            let d = dir_index(dir);
            cp.selected.iter().all(|s| {
                let isolated = !cp.isolates[d]
                    || c.ns_isolated[d][s]
                    || c.policies.iter().enumerate().any(|(o, op)| {
                        let hit = o != p && !gone[o] && op.isolates[d] && op.selected.contains(s);
                        if hit && !isolators.contains(&o) && isolators.len() < COVER_CAP {
                            isolators.push(o);
                        }
                        hit
                    });
                isolated
                    && (!cp.active[d]
                        || c.np_rules_of[d][s]
                            .iter()
                            .filter(|&&r| c.rules[r].policy == p)
                            .all(|&r| {
                                let rule = &c.rules[r];
                                rule.peers.iter().all(|t| {
                                    let dst = if dir == Direction::Egress { t } else { s };
                                    let m = c.mask(&rule.ports, dst);
                                    let mut others = vec![0u64; w];
                                    for &o in &c.np_rules_of[d][s] {
                                        let op = c.rules[o].policy;
                                        if op != p && !gone[op] && c.rules[o].peers.contains(t) {
                                            let om = c.mask(&c.rules[o].ports, dst);
                                            if overlaps(om, m)
                                                && !cover.contains(&op)
                                                && cover.len() < COVER_CAP
                                            {
                                                cover.push(op);
                                            }
                                            for k in 0..w {
                                                others[k] |= om[k];
                                            }
                                        }
                                    }
                                    subset(m, &others)
                                })
                            }))
            })
        });
        if kept {
            gone[p] = true;
            policies.push(RedundantPolicy {
                policy: cp.policy,
                covered_by: cover.iter().map(|&o| c.policies[o].policy).collect(),
                isolated_also_by: isolators
                    .iter()
                    .map(|&o| c.policies[o].policy)
                    .filter(|o| !cover.iter().any(|&x| c.policies[x].policy == *o))
                    .collect(),
            });
        }
    }
    policies.sort_by_key(|p| p.policy);
    Redundancy { rules, policies }
}

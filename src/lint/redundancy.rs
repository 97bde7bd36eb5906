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
//! A Deny that only the end of its tier would otherwise stand in for is not reported: it says
//! on purpose what the tier's end says.
//!
//! Rules that cover each other (two copies of one rule) are each redundant alone, but not
//! together. So the verdicts are greedy: candidates are re-checked from the last written to
//! the first with the rules already found redundant left out, and only those that stay
//! redundant are reported — removing every reported rule (or policy) at once changes
//! nothing either. A policy is redundant when all its rules can go at once and every pod
//! it isolates is isolated by another policy of its tier too.

use super::World;
use std::collections::HashMap;

use crate::engine::bitset::BitSet;
use crate::engine::compile::{CPorts, Compiled};
use crate::engine::containment::{conjoin, match_within, ports_within};
use crate::model::ir::{
    Action, EndAction, Match, Model, PolicyId, Precedence, Rule, Source, Term, Test, dir_index,
};
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

/// A tier's policies confined to one namespace, by namespace, and its other policies.
type TierByNamespace<'c> = (HashMap<&'c str, Vec<PolicyId>>, Vec<PolicyId>);

/// What the input does not show: parties of namespaces it does not declare.
///
/// A namespace the input declares (a Namespace object) is complete: its pods are those of
/// the input. Any other namespace may exist, with any pods and labels. A rule whose removal
/// changes nothing in the input may still decide traffic of those unseen parties; it is
/// redundant in every cluster only if each of its peer terms that can match an unseen party
/// (see [`OpenWorld::open_terms`]) lies within a rule that stays, for any cluster
/// ([`crate::engine::containment`]): same tier where rules add up (Kubernetes
/// NetworkPolicies, Cilium's allows or denies), same action, covering subjects, peers and
/// ports. In ordered tiers (Calico, AdminNetworkPolicy) no such cover is claimed.
struct OpenWorld<'c> {
    cluster: &'c Cluster,
    world: World,
    /// Per tier, whether its rules add up ([`adds_up`]).
    adds_up: Vec<bool>,
    /// Per tier: its policies whose subject lies in one namespace, by that namespace, and
    /// the others. A rule confined to a namespace can only lie within a rule whose subject
    /// reaches that namespace, so the search for a cover looks at those only.
    by_namespace: Vec<TierByNamespace<'c>>,
}

impl OpenWorld<'_> {
    /// Whether the input describes the namespace completely
    /// ([`Cluster::describes_namespace`]).
    fn declared(&self, ns: &str) -> bool {
        self.cluster.describes_namespace(ns)
    }

    /// The peer terms of a rule that can match a party the input does not show: pods of a
    /// namespace it does not declare. `None` stands for a rule matching every party.
    fn open_terms<'r>(&self, rule: &'r Rule) -> Vec<Option<&'r Term>> {
        match &rule.peer {
            Match::All => vec![None],
            Match::Any(terms) => terms
                .iter()
                .filter(|t| self.term_is_open(t))
                .map(Some)
                .collect(),
        }
    }

    fn term_is_open(&self, t: &Term) -> bool {
        let pods = t.conds.iter().any(|c| {
            !c.negated
                && matches!(
                    c.test,
                    Test::PodNetwork | Test::Selector { .. } | Test::Service { .. }
                )
        });
        if !pods {
            // Addresses: the matrix covers the whole address space already.
            return false;
        }
        let in_declared = t.conds.iter().any(|c| match (&c.test, c.negated) {
            (Test::Namespace(ns), false) => self.declared(ns),
            (Test::Service { namespace, .. }, false) => self.declared(namespace),
            _ => false,
        });
        !in_declared
    }

    /// Whether every open peer term of rule `r` is covered, for any cluster, by a rule for
    /// which `gone` is false.
    fn covered(&self, r: RuleRef, gone: &dyn Fn(RuleRef) -> bool) -> bool {
        if self.world == World::Closed {
            return true;
        }
        let ir = &self.cluster.ir;
        let (pid, dir, idx) = r;
        let policy = &ir.policies[pid];
        let Some(rule) = policy.dir(dir).rules.iter().find(|x| x.index == idx) else {
            return true;
        };
        let open = self.open_terms(rule);
        if open.is_empty() {
            return true;
        }
        if !self.adds_up[policy.tier] {
            return false;
        }
        let applies = conjoin(&policy.subject, rule.local.as_ref());
        let (pinned, unpinned) = &self.by_namespace[policy.tier];
        let others: Vec<PolicyId> = match policy.subject.namespace() {
            Some(ns) => {
                let mut v: Vec<PolicyId> = pinned.get(ns).into_iter().flatten().copied().collect();
                v.extend(unpinned);
                v
            }
            None => ir.tier_policies(policy.tier).map(|(q, _)| q).collect(),
        };
        open.iter().all(|t| {
            let peer = match t {
                None => Match::All,
                Some(t) => Match::Any(vec![(*t).clone()]),
            };
            others.iter().map(|&q| (q, &ir.policies[q])).any(|(qp, q)| {
                q.dir(dir).applies
                    && q.dir(dir).rules.iter().any(|qr| {
                        (qp, dir, qr.index) != r
                            && !gone((qp, dir, qr.index))
                            && qr.action == rule.action
                            && (!qr.ports.is_named()
                                || qr.named_on.is_none()
                                || qr.named_on == rule.named_on)
                            && ports_within(&rule.ports, &qr.ports)
                            && match_within(&peer, &qr.peer)
                            && match_within(&applies, &conjoin(&q.subject, qr.local.as_ref()))
                    })
            })
        })
    }

    /// Whether the pods policy `p` isolates that the input does not show (its subject
    /// reaches a namespace the input does not declare) are isolated by another policy of its
    /// tier in every cluster (one for which `gone` is false).
    fn isolated_beyond(&self, p: PolicyId, gone: &dyn Fn(PolicyId) -> bool) -> bool {
        if self.world == World::Closed {
            return true;
        }
        let ir = &self.cluster.ir;
        let pol = &ir.policies[p];
        let open = match &pol.subject {
            Match::All => true,
            Match::Any(terms) => terms.iter().any(|t| {
                !t.conds.iter().any(|c| {
                    matches!((&c.test, c.negated), (Test::Namespace(ns), false) if self.declared(ns))
                })
            }),
        };
        if !open {
            return true;
        }
        Direction::BOTH.iter().all(|&dir| {
            let part = pol.dir(dir);
            !(part.applies && part.isolates)
                || ir.tier_policies(pol.tier).any(|(o, op)| {
                    o != p
                        && !gone(o)
                        && op.dir(dir).applies
                        && op.dir(dir).isolates
                        && match_within(&pol.subject, &op.subject)
                })
        })
    }
}

/// Whether the rules of a tier add up, whatever their order: Allow rules only, in policies
/// without order (Kubernetes NetworkPolicies, Cilium's allows), or Deny rules only (Cilium's
/// deny tier).
fn adds_up(ir: &Model, tier: usize) -> bool {
    let actions: Vec<Action> = ir
        .tier_policies(tier)
        .flat_map(|(_, p)| p.dirs.iter().flat_map(|d| d.rules.iter().map(|r| r.action)))
        .collect();
    let unordered = ir
        .tier_policies(tier)
        .all(|(_, p)| p.precedence_key == Precedence::Unordered);
    unordered
        && (actions.iter().all(|&a| a == Action::Allow)
            || actions.iter().all(|&a| a == Action::Deny))
}

/// The policies of the model lowered from the same object as `p` (`p` alone, but for a
/// Cilium policy: every part of every rule of it), in model order.
pub fn object_parts(ir: &Model, p: PolicyId) -> Vec<PolicyId> {
    match ir.policies[p].source {
        Source::Cilium { policy, .. } => (0..ir.policies.len())
            .filter(|&q| matches!(ir.policies[q].source, Source::Cilium { policy: o, .. } if o == policy))
            .collect(),
        _ => vec![p],
    }
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

/// Per rule of a walk: what it decides, where its ports go without it, and its outcome.
/// Flat buffers of `w` words per rule, reused from walk to walk.
#[derive(Default)]
struct Verdicts {
    w: usize,
    decided: Vec<u64>,
    /// `A_{i+1}`: the ports allowed when the walk resumes after rule `i`.
    without: Vec<u64>,
    /// The outcome of rule `i` on the ports it matches: allowed ones.
    outcome: Vec<u64>,
    /// Scratch masks of one walk.
    undecided: Vec<u64>,
    open: Vec<u64>,
    passed: Vec<u64>,
    next_tier: Vec<u64>,
    after: Vec<u64>,
}

impl Verdicts {
    fn decided(&self, j: usize) -> &[u64] {
        &self.decided[j * self.w..(j + 1) * self.w]
    }

    /// Whether rule `j` of the walk changes nothing here.
    fn idle(&self, j: usize) -> bool {
        let r = j * self.w..(j + 1) * self.w;
        self.decided[r.clone()]
            .iter()
            .zip(&self.outcome[r.clone()])
            .zip(&self.without[r])
            .all(|((d, o), a)| d & o == d & a)
    }
}

impl<'c, 'a> Walk<'c, 'a> {
    /// The walk at `(s, t)` over the given rules (those of `s` whose peer holds `t`, in
    /// evaluation order).
    fn with_rules(
        c: &'a Compiled<'c>,
        dir: Direction,
        s: usize,
        t: usize,
        rules: Vec<usize>,
    ) -> Self {
        Walk {
            c,
            d: dir_index(dir),
            s,
            dst: if dir == Direction::Egress { t } else { s },
            rules,
        }
    }

    fn isolated(&self, tier: usize) -> bool {
        self.c.isolated[self.d][tier].contains(self.s)
    }

    /// The ports rule `j` of the walk matches.
    fn mask(&self, j: usize) -> &'a [u64] {
        let c = self.c;
        c.mask(&c.rules[self.rules[j]], self.dst)
    }

    /// Fills `v` for this walk: forward, what each rule decides; backward, what is allowed
    /// when the walk resumes after each rule.
    fn verdicts(&self, v: &mut Verdicts) {
        let c = self.c;
        let w = c.words();
        let n = self.rules.len();
        v.w = w;
        for buf in [&mut v.decided, &mut v.without, &mut v.outcome] {
            buf.clear();
            buf.resize(n * w, 0);
        }
        let tiers = c.isolated[self.d].len();
        let deny_end = |t: usize| self.isolated(t) && c.cluster.ir.tiers[t].end == EndAction::Deny;
        let Verdicts {
            decided,
            without,
            outcome,
            undecided,
            open,
            passed,
            next_tier,
            after,
            ..
        } = v;
        undecided.clear();
        undecided.extend_from_slice(&c.full);
        open.clear();
        open.extend_from_slice(&c.full);
        passed.clear();
        passed.resize(w, 0);
        let mut i = 0;
        for t in 0..tiers {
            let start = i;
            while i < n && c.rules[self.rules[i]].tier == t {
                i += 1;
            }
            if start == i && !self.isolated(t) {
                continue;
            }
            open.copy_from_slice(undecided);
            passed.fill(0);
            for j in start..i {
                let m = self.mask(j);
                let pass = c.rules[self.rules[j]].action == Action::Pass;
                for k in 0..w {
                    let d = open[k] & m[k];
                    decided[j * w + k] = d;
                    open[k] &= !m[k];
                    if pass {
                        passed[k] |= d;
                    }
                }
            }
            let deny = deny_end(t);
            for k in 0..w {
                undecided[k] = passed[k] | if deny { 0 } else { open[k] };
            }
        }
        next_tier.clear();
        next_tier.extend_from_slice(&c.full);
        after.clear();
        after.resize(w, 0);
        let mut i = n;
        for t in (0..tiers).rev() {
            let end = i;
            while i > 0 && c.rules[self.rules[i - 1]].tier == t {
                i -= 1;
            }
            if i == end && !self.isolated(t) {
                continue;
            }
            if deny_end(t) {
                after.fill(0);
            } else {
                after.copy_from_slice(next_tier);
            }
            for j in (i..end).rev() {
                let m = self.mask(j);
                let action = c.rules[self.rules[j]].action;
                for k in 0..w {
                    without[j * w + k] = after[k];
                    let o = match action {
                        Action::Allow => m[k],
                        Action::Deny | Action::Log => 0,
                        Action::Pass => m[k] & next_tier[k],
                    };
                    outcome[j * w + k] = o;
                    after[k] = o | (!m[k] & after[k]);
                }
            }
            next_tier.copy_from_slice(after);
        }
    }
}

/// The distinct walks of subject class `s` over the peer classes of `rules` (the rules that
/// may apply at `s`, in evaluation order), restricted to `within` when given: one per group
/// of peer classes that the same of those rules hold and — in egress, where the peer is the
/// destination and named ports resolve on it — whose ports read alike. Every walk of a
/// group is the same walk, so one stands for all: each is returned with the group's first
/// peer class, in ascending order of it.
///
/// This keeps the analysis linear in the classes a rule's peer holds *as groups*: a rule
/// whose peer is every pod of the cluster walks once per kind of peer, not once per class.
fn distinct_walks(
    c: &Compiled,
    dir: Direction,
    rules: &[usize],
    within: Option<&BitSet>,
) -> Vec<(Vec<usize>, usize)> {
    let k = rules.len();
    if k == 0 {
        return Vec::new();
    }
    let named: Vec<usize> = if dir == Direction::Egress {
        (0..k)
            .filter(|&j| matches!(c.rules[rules[j]].ports, CPorts::Named(_)))
            .collect()
    } else {
        Vec::new()
    };
    let kw = k.div_ceil(64);
    let mut key: Vec<u64> = Vec::with_capacity(kw + 1 + named.len().div_ceil(64));
    let mut groups: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut out: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut add = |key: &[u64], t: usize, out: &mut Vec<(Vec<usize>, usize)>| {
        if !groups.contains_key(key) {
            groups.insert(key.to_vec(), out.len());
            let held = (0..k)
                .filter(|&j| key[j / 64] & (1 << (j % 64)) != 0)
                .map(|j| rules[j])
                .collect();
            out.push((held, t));
        }
    };
    let words = c.classes().div_ceil(64);
    let mut bits: Vec<u64> = vec![0; k];
    for w in 0..words {
        let mut any = 0u64;
        for (j, &r) in rules.iter().enumerate() {
            bits[j] = c.rules[r].peers.words()[w];
            any |= bits[j];
        }
        if let Some(within) = within {
            any &= within.words()[w];
        }
        if any == 0 {
            continue;
        }
        let uniform = named.is_empty() && bits.iter().all(|&b| b & any == 0 || b & any == any);
        if uniform {
            key.clear();
            key.resize(kw, 0);
            for (j, &b) in bits.iter().enumerate() {
                if b & any != 0 {
                    key[j / 64] |= 1 << (j % 64);
                }
            }
            add(&key, w * 64 + any.trailing_zeros() as usize, &mut out);
            continue;
        }
        let mut rest = any;
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            let t = w * 64 + b as usize;
            key.clear();
            key.resize(kw, 0);
            for (j, &word) in bits.iter().enumerate() {
                if word & (1 << b) != 0 {
                    key[j / 64] |= 1 << (j % 64);
                }
            }
            if !named.is_empty() {
                // How the held rules' ports read on this destination.
                key.push(u64::from(c.sig_of(t)));
                let mut here = vec![0u64; named.len().div_ceil(64)];
                for (i, &j) in named.iter().enumerate() {
                    let on = c.rules[rules[j]].named_on.as_ref();
                    if on.is_none_or(|on| on.contains(t)) {
                        here[i / 64] |= 1 << (i % 64);
                    }
                }
                key.extend(here);
            }
            add(&key, t, &mut out);
        }
    }
    out
}

/// The distinct walks at the pairs of rule `r`'s subject and peer classes, over the rules
/// that `keep` leaves (and `r`), as `(subject, peer, rules of the walk)`.
fn rule_walks<'a>(
    c: &'a Compiled,
    r: usize,
    keep: &'a dyn Fn(usize) -> bool,
) -> impl Iterator<Item = (usize, usize, Vec<usize>)> + 'a {
    let rule = &c.rules[r];
    let d = dir_index(rule.dir);
    rule.subjects.iter().flat_map(move |s| {
        let rules: Vec<usize> = c.rules_of[d][s]
            .iter()
            .map(|&o| o as usize)
            .filter(|&o| o == r || keep(o))
            .collect();
        distinct_walks(c, rule.dir, &rules, Some(&rule.peers))
            .into_iter()
            .map(move |(held, t)| (s, t, held))
    })
}

/// Computes the redundant rules and policies of a cluster.
pub fn compute(cluster: &Cluster, world: World) -> Redundancy {
    compute_with(&Compiled::new(cluster), world)
}

/// [`compute`] on a cluster already compiled.
pub fn compute_with(c: &Compiled, world: World) -> Redundancy {
    let cluster = c.cluster;
    let ir = &cluster.ir;
    let open = OpenWorld {
        cluster,
        world,
        adds_up: (0..ir.tiers.len()).map(|t| adds_up(ir, t)).collect(),
        by_namespace: (0..ir.tiers.len())
            .map(|t| {
                let mut pinned: HashMap<&str, Vec<PolicyId>> = HashMap::new();
                let mut unpinned = Vec::new();
                for (q, p) in ir.tier_policies(t) {
                    match p.subject.namespace() {
                        Some(ns) => pinned.entry(ns).or_default().push(q),
                        None => unpinned.push(q),
                    }
                }
                (pinned, unpinned)
            })
            .collect(),
    };
    let nrules = c.rules.len();
    let mut matches_something = vec![false; nrules];
    let mut changes = vec![false; nrules];
    let mut example: Vec<Option<(usize, usize)>> = vec![None; nrules];
    let mut v = Verdicts::default();
    // First pass: each rule alone, at every pair of its subject and peer classes.
    for dir in Direction::BOTH {
        let d = dir_index(dir);
        for s in 0..c.classes() {
            if c.rules_of[d][s].is_empty() {
                continue;
            }
            let rules: Vec<usize> = c.rules_of[d][s].iter().map(|&r| r as usize).collect();
            for (held, t) in distinct_walks(c, dir, &rules, None) {
                let walk = Walk::with_rules(c, dir, s, t, held);
                walk.verdicts(&mut v);
                for (j, &r) in walk.rules.iter().enumerate() {
                    if zero(walk.mask(j)) {
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
            cluster.external_name(&c.externals[m - c.n])
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
    let mut removed_refs: std::collections::HashSet<RuleRef> = std::collections::HashSet::new();
    let mut found = Vec::new();
    for r in candidates {
        let dir = c.rules[r].dir;
        let mut cover: Vec<usize> = Vec::new();
        let mut unreached = true;
        let mut decided_later = false;
        let idle = rule_walks(c, r, &|o| !removed[o]).all(|(s, t, held)| {
            let walk = Walk::with_rules(c, dir, s, t, held);
            walk.verdicts(&mut v);
            let Some(j) = walk.rules.iter().position(|&o| o == r) else {
                return true;
            };
            if zero(walk.mask(j)) {
                return true;
            }
            unreached &= zero(v.decided(j));
            let idle = v.idle(j);
            if idle {
                // The rules that decide its traffic without it: later rules that match its
                // decided ports, or earlier ones that decided its matched ports first.
                for (k, &o) in walk.rules.iter().enumerate() {
                    let hit = if k < j {
                        overlaps(v.decided(k), walk.mask(j))
                    } else {
                        k > j && overlaps(walk.mask(k), v.decided(j))
                    };
                    decided_later |= hit && k > j;
                    if hit && !cover.contains(&o) && cover.len() < COVER_CAP {
                        cover.push(o);
                    }
                }
            }
            idle
        });
        // A Deny whose traffic only the end of its tier would deny otherwise says explicitly
        // what the tier's end says: written on purpose (like a default deny), and kept right
        // should other policies of the tier change. Not reported. (Earlier rules that took
        // some of what it matches, an Allow of a few ports or a Pass, do not change that.)
        let explicit_end = c.rules[r].action == Action::Deny && !decided_later && !unreached;
        let rule_ref_r = rule_ref(r);
        let beyond = || open.covered(rule_ref_r, &|o: RuleRef| removed_refs.contains(&o));
        if idle && !explicit_end && beyond() {
            removed[r] = true;
            removed_refs.insert(rule_ref(r));
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

    // Policies: all their rules at once, with isolation kept by others. An object lowered
    // into several policies of the model (a Cilium rule's deny and allow parts, the rules of
    // its `specs`) goes as a whole: its first part stands for it.
    let parts = |p: PolicyId| -> Vec<PolicyId> { object_parts(ir, p) };
    let by_policy = |p: PolicyId| -> Vec<usize> {
        let parts = parts(p);
        (0..nrules)
            .filter(|&r| parts.contains(&c.rules[r].policy))
            .collect()
    };
    let mut candidates: Vec<PolicyId> = (0..ir.policies.len())
        .filter(|&p| {
            let group = parts(p);
            let default_deny = group.iter().all(|&q| {
                let pol = &ir.policies[q];
                // No rule, or rules that match no party (Cilium's `ingress: [{}]`).
                pol.dirs.iter().all(|d| {
                    d.rules
                        .iter()
                        .all(|r| matches!(&r.peer, Match::Any(t) if t.is_empty()))
                }) && pol.subject.terms().iter().any(|t| {
                    t.conds.iter().any(|c| {
                        matches!(&c.test, crate::model::ir::Test::Selector { expr, .. } if expr.is_all())
                    })
                })
            });
            group[0] == p
                && group.iter().all(|&q| !c.subjects[q].is_empty())
                && !default_deny
                && by_policy(p).iter().all(|&r| !changes[r])
        })
        .collect();
    candidates.sort_by_key(|&p| std::cmp::Reverse(position(p)));
    let mut gone = vec![false; ir.policies.len()];
    let mut policies = Vec::new();
    for p in candidates {
        let group = parts(p);
        let own = by_policy(p);
        let mut isolators: Vec<PolicyId> = Vec::new();
        let isolated_elsewhere = group.iter().all(|&q| {
            let pol = &ir.policies[q];
            Direction::BOTH.iter().all(|&dir| {
                let part = pol.dir(dir);
                !(part.applies && part.isolates)
                    || c.subjects[q].iter().all(|s| {
                        ir.tier_policies(pol.tier).any(|(o, op)| {
                            let other = op.dir(dir);
                            let hit = !group.contains(&o)
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
            })
        });
        if !isolated_elsewhere
            || !group
                .iter()
                .all(|&q| open.isolated_beyond(q, &|o| group.contains(&o) || gone[o]))
        {
            continue;
        }
        // Its rules go one after the other; each must change nothing with the ones before it
        // gone, so that all of them together change nothing.
        let mut cover: Vec<PolicyId> = Vec::new();
        let mut dropped: Vec<usize> = Vec::new();
        let idle = own.iter().all(|&r| {
            let dir = c.rules[r].dir;
            let keep = |o: usize| !gone[c.rules[o].policy] && !dropped.contains(&o);
            let idle = rule_walks(c, r, &keep).all(|(s, t, held)| {
                let walk = Walk::with_rules(c, dir, s, t, held);
                walk.verdicts(&mut v);
                let Some(j) = walk.rules.iter().position(|&o| o == r) else {
                    return true;
                };
                let idle = v.idle(j);
                if idle {
                    for (k, &o) in walk.rules.iter().enumerate() {
                        let op = c.rules[o].policy;
                        if !group.contains(&op)
                            && (overlaps(walk.mask(k), v.decided(j))
                                || overlaps(v.decided(k), walk.mask(j)))
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
            let out_of_reach = |o: RuleRef| {
                group.contains(&o.0) || gone[o.0] || dropped.iter().any(|&k| rule_ref(k) == o)
            };
            idle && open.covered(rule_ref(r), &out_of_reach)
        });
        if idle {
            for &q in &group {
                gone[q] = true;
            }
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

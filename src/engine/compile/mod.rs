//! The policy model compiled for whole-cluster questions (the matrix, redundancy).
//!
//! 1. [`members`]: every condition of the model becomes a set of members (endpoints, then
//!    the external ranges the nets cut the address space into);
//! 2. [`classes`]: members are partitioned into classes that every subject, peer and local
//!    set, and every named-port resolution, treats alike;
//! 3. every set is restated over classes, and each class gets, per direction, the rules that
//!    apply to it as subject and the rules whose peer holds it, in evaluation order;
//! 4. [`ports`]: ports are cut into the atomic segments the rules use, so a port set is a
//!    short bitmask.
//!
//! [`walk`] then walks the decision order of [`crate::engine::evaluate`] for whole groups
//! of classes against every other class at once, rule by rule over the rule's set of
//! classes: the same tiers, first match per port, end actions and default, only over
//! bitmasks.

pub mod classes;
pub mod member_set;
pub mod members;
pub mod ports;
pub mod walk;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use rayon::prelude::*;

use super::bitset::BitSet;
use super::masks::WordHasher;
use super::port_space::PortSpace;
use crate::model::ip::AddrRange;
use crate::model::ir::{Action, PolicyId, TierId, dir_index};
use crate::model::{Cluster, ContainerPort, Direction};
use classes::Partition;
use member_set::MemberSet;
use members::Members;
pub use ports::CPorts;
use ports::{Resolved, Signatures};

/// Maps and sets keyed by member sets: hashed by words, not by SipHash (a dump has tens of
/// thousands of sets of thousands of words).
type WordHash = BuildHasherDefault<WordHasher>;

/// A rule of the model, over classes.
#[derive(Clone, Debug)]
pub struct CRule {
    /// Its policy in the model.
    pub policy: PolicyId,
    /// Its tier.
    pub tier: TierId,
    /// Direction.
    pub dir: Direction,
    /// Index in its policy's rules of the direction.
    pub index: usize,
    /// What it does (never Log: Log rules decide nothing and are left out).
    pub action: Action,
    /// Classes it applies to: its policy's subject, and its local condition. Shared with
    /// every rule of equal subjects (a dump's rules repeat a few thousand sets).
    pub subjects: Arc<BitSet>,
    /// Classes its peer holds (shared likewise).
    pub peers: Arc<BitSet>,
    /// Its ports.
    pub ports: CPorts,
    /// Classes its named ports resolve on (None: every class), see
    /// [`crate::model::ir::Rule::named_on`].
    pub named_on: Option<BitSet>,
}

/// The compiled cluster.
pub struct Compiled<'c> {
    /// The cluster.
    pub cluster: &'c Cluster,
    /// Number of endpoints: members `0..n` are endpoints.
    pub n: usize,
    /// External ranges: member `n + i` is `externals[i]`.
    pub externals: Vec<AddrRange>,
    /// The class of each member.
    pub class_of: Vec<u32>,
    /// A representative member of each class.
    pub reps: Vec<usize>,
    /// Whether each endpoint is a single pod (loopback applies).
    pub pod: Vec<bool>,
    /// The port segments.
    pub space: PortSpace,
    /// The mask of every port.
    pub full: Vec<u64>,
    /// Per policy of the model: the classes its subject holds.
    pub subjects: Vec<Arc<BitSet>>,
    /// The deciding rules of every direction a policy applies in, in evaluation order.
    pub rules: Vec<CRule>,
    /// Per direction, per tier: the classes an isolating policy of the tier applies to.
    pub isolated: [Vec<BitSet>; 2],
    /// Per direction and class: the rules that apply to it, in evaluation order.
    pub rules_of: [Vec<Vec<u32>>; 2],
    sig_of_class: Vec<u32>,
    /// The signature on which no named port resolves.
    sig_none: u32,
}

impl<'c> Compiled<'c> {
    /// Compiles a cluster's policy model.
    pub fn new(cluster: &'c Cluster) -> Compiled<'c> {
        let ir = &cluster.ir;
        let mut members = Members::new(cluster);
        let n = members.n;
        let u = members.len();

        // Member-level sets.
        struct MRule {
            policy: PolicyId,
            dir: Direction,
            index: usize,
            /// None: the policy's subject.
            subjects: Option<MemberSet>,
            peers: MemberSet,
            named_on: Option<MemberSet>,
        }
        let msubjects: Vec<MemberSet> = ir
            .policies
            .iter()
            .map(|p| members.of_match(&p.subject))
            .collect();
        let mut mrules: Vec<MRule> = Vec::new();
        for (pi, p) in ir.policies.iter().enumerate() {
            for dir in Direction::BOTH {
                let part = p.dir(dir);
                if !part.applies {
                    continue;
                }
                for (ri, r) in part.rules.iter().enumerate() {
                    if r.action == Action::Log {
                        continue;
                    }
                    let subjects = r
                        .local
                        .as_ref()
                        .map(|l| members.of_match(l).intersection(&msubjects[pi]));
                    let named_on = r
                        .named_on
                        .as_ref()
                        .filter(|_| r.ports.is_named())
                        .map(|m| members.of_match(m));
                    mrules.push(MRule {
                        policy: pi,
                        dir,
                        index: ri,
                        subjects,
                        peers: members.of_match(&r.peer),
                        named_on,
                    });
                }
            }
        }

        crate::base::timings::phase("compile: member sets");
        // Named-port signatures, then classes.
        let rule_of = |m: &MRule| &ir.policies[m.policy].dir(m.dir).rules[m.index];
        let mut names: Vec<(&str, Option<crate::model::Protocol>)> = mrules
            .iter()
            .flat_map(|m| rule_of(m).ports.named())
            .collect();
        names.sort_unstable();
        names.dedup();
        let ports: Vec<&[ContainerPort]> = cluster
            .endpoints
            .iter()
            .map(|e| e.ports.as_slice())
            .collect();
        let sigs = Signatures::new(&names, &ports, u);
        let seed: Vec<u64> = (0..u)
            .map(|m| u64::from(sigs.of_member[m]) * 2 + u64::from(m >= n))
            .collect();
        // Each distinct set once, by its smaller side: a dump's rules repeat a few broad
        // peers (every namespace, the DNS pods) thousands of times.
        let mut seen: std::collections::HashSet<&MemberSet, WordHash> = Default::default();
        let sets: Vec<&MemberSet> = msubjects
            .iter()
            .chain(
                mrules
                    .iter()
                    .flat_map(|r| r.subjects.iter().chain([&r.peers]).chain(&r.named_on)),
            )
            .filter(|s| seen.insert(*s))
            .collect();
        let partition = Partition::refine(&seed, sets.iter().map(|s| s.smaller_side()));
        let classes = partition.len();
        crate::base::timings::phase("compile: classes");

        // Ports: resolve named ports per signature, cut the space, make masks.
        let class_sig: Vec<u32> = partition.reps.iter().map(|&m| sigs.of_member[m]).collect();
        let mut sig_rep: HashMap<u32, Option<&[ContainerPort]>> = HashMap::new();
        for &m in &partition.reps {
            sig_rep
                .entry(sigs.of_member[m])
                .or_insert_with(|| (m < n).then(|| ports[m]));
        }
        // Where a rule's named ports do not resolve, it reads as on a member with none.
        sig_rep.entry(sigs.none).or_insert(None);
        let resolved: Vec<Resolved> = mrules
            .iter()
            .map(|m| Resolved::new(&rule_of(m).ports, &sig_rep))
            .collect();
        let space = PortSpace::new(resolved.iter().flat_map(Resolved::sets));

        // Everything over classes: each distinct set restated once (`sets` holds them all),
        // in parallel.
        let restated: Vec<Arc<BitSet>> = sets
            .par_iter()
            .map(|s| Arc::new(partition.on_classes(s)))
            .collect();
        let on_classes: HashMap<&MemberSet, &Arc<BitSet>, WordHash> =
            sets.iter().copied().zip(&restated).collect();
        let on_classes = |s: &MemberSet| Arc::clone(on_classes[s]);
        let subjects: Vec<Arc<BitSet>> = msubjects.iter().map(on_classes).collect();
        let rules: Vec<CRule> = mrules
            .iter()
            .zip(&resolved)
            .map(|(m, res)| CRule {
                policy: m.policy,
                tier: ir.policies[m.policy].tier,
                dir: m.dir,
                index: m.index,
                action: rule_of(m).action,
                subjects: match &m.subjects {
                    Some(s) => on_classes(s),
                    None => subjects[m.policy].clone(),
                },
                peers: on_classes(&m.peers),
                ports: res.masks(&space, sigs.count),
                named_on: m.named_on.as_ref().map(|s| (*on_classes(s)).clone()),
            })
            .collect();
        let mut isolated = [
            vec![BitSet::new(classes); ir.tiers.len()],
            vec![BitSet::new(classes); ir.tiers.len()],
        ];
        for (pi, p) in ir.policies.iter().enumerate() {
            for dir in Direction::BOTH {
                let part = p.dir(dir);
                if part.applies && part.isolates {
                    isolated[dir_index(dir)][p.tier].union_with(&subjects[pi]);
                }
            }
        }
        let mut rules_of = [vec![Vec::new(); classes], vec![Vec::new(); classes]];
        for (ri, r) in rules.iter().enumerate() {
            let d = dir_index(r.dir);
            for c in r.subjects.iter() {
                rules_of[d][c].push(ri as u32);
            }
        }
        let full = space.full();
        crate::base::timings::phase("compile: rules");
        Compiled {
            cluster,
            n,
            externals: members.externals,
            class_of: partition.class_of,
            reps: partition.reps,
            pod: cluster.endpoints.iter().map(|e| e.is_pod()).collect(),
            space,
            full,
            subjects,
            rules,
            isolated,
            rules_of,
            sig_of_class: class_sig,
            sig_none: sigs.none,
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.reps.len()
    }

    /// The named-port signature of a class: classes with equal signatures resolve every
    /// named port alike.
    pub fn sig_of(&self, class: usize) -> u32 {
        self.sig_of_class[class]
    }

    /// Words in a port mask.
    pub fn words(&self) -> usize {
        self.space.words
    }

    /// The mask of a rule's ports towards a destination class.
    pub fn mask<'a>(&'a self, rule: &'a CRule, dst_class: usize) -> &'a [u64] {
        match &rule.ports {
            CPorts::Fixed(m) => m,
            CPorts::Named(by_sig) => {
                let here = rule
                    .named_on
                    .as_ref()
                    .is_none_or(|on| on.contains(dst_class));
                let sig = if here {
                    self.sig_of_class[dst_class]
                } else {
                    self.sig_none
                };
                &by_sig[sig as usize]
            }
        }
    }
}

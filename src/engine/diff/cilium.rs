//! Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) in the diff.
//!
//! One such object lowers into several policies of the model: each of its rules (`spec`,
//! each item of `specs`) into a deny part (`ingressDeny`, `egressDeny`) and an allow part
//! (`ingress`, `egress`, and whether it puts the pods it selects in default deny), either of
//! which may be missing ([`Part::Cilium`]). The rules of a Cilium policy are independent of
//! each other and of their order (allows add up, any deny wins), so the two versions of an
//! object are compared rule by rule, a rule paired with the rule of the other version that
//! says the same wherever it is (a rule moved from `spec` into `specs`, or within `specs`, is
//! no change), the rules left paired in order. The same pairing tells attribution which part
//! of the old version to read against which part of the new one.

use super::objects::{endpoint_selector_detail, fingerprint, match_fp, on_off, rule_fp, tier_name};
use super::{ObjectKind, Part, Parts, PolicyKey, SideIndex, Version};
use crate::base::span::Span;
use crate::model::cilium::{CiliumPolicy, CiliumRule};
use crate::model::ir::{Match, Policy, PolicyDir, Rule, Source};
use crate::model::{Cluster, Direction};

/// What one rule of a Cilium policy says: the fingerprints of its allow part and its deny
/// part (None: it has no such part).
type RuleFp = [Option<String>; 2];

/// What a rule that lowered into nothing says (or one missing from a version).
const NOTHING: RuleFp = [None, None];

/// A Cilium object of one side: its parts and the object as written.
struct Object<'s, 'a> {
    side: &'s SideIndex<'a>,
    parts: &'s Parts,
    policy: &'a CiliumPolicy,
    /// What each of its rules says, by index.
    rules: Vec<RuleFp>,
}

impl<'s, 'a> Object<'s, 'a> {
    /// The applied version of an object on one side.
    fn of(side: &'s SideIndex<'a>, key: &PolicyKey) -> Option<Object<'s, 'a>> {
        let parts = side.parts(key)?;
        let policy = applied_policy(side.cluster, key, parts)?;
        let count = parts
            .iter()
            .filter_map(|(p, _)| match p {
                Part::Cilium { spec, .. } => Some(spec + 1),
                Part::Whole => None,
            })
            .fold(policy.specs.len(), usize::max);
        let rules = (0..count)
            .map(|spec| {
                rule_parts(side.cluster, parts, spec)
                    .map(|p| p.map(|p| fingerprint(p, tier_name(side.cluster, p))))
            })
            .collect();
        Some(Object {
            side,
            parts,
            policy,
            rules,
        })
    }

    /// What rule `spec` says (nothing for a rule it does not have).
    fn says(&self, spec: Option<usize>) -> &RuleFp {
        spec.map_or(&NOTHING, |i| &self.rules[i])
    }

    /// Rule `spec` as written.
    fn written(&self, spec: usize) -> Option<&'a CiliumRule> {
        self.policy.specs.get(spec)
    }

    /// `spec`, `specs[1]`.
    fn label(&self, spec: usize) -> String {
        self.written(spec)
            .map_or_else(|| format!("specs[{spec}]"), |r| r.label.clone())
    }

    /// Where rule `spec` is written (the object, failing that).
    fn span(&self, spec: usize) -> Span {
        self.written(spec).map_or(self.policy.span, |r| r.span)
    }

    /// The allow and the deny part of rule `spec`.
    fn parts_of(&self, spec: usize) -> [Option<&'a Policy>; 2] {
        rule_parts(self.side.cluster, self.parts, spec)
    }

    /// The rules that say something, in any order.
    fn meaning(&self) -> Vec<&RuleFp> {
        let mut v: Vec<&RuleFp> = self.rules.iter().filter(|r| **r != NOTHING).collect();
        v.sort();
        v
    }
}

/// The applied Cilium policy of a key: the one its parts come from, else the last applied
/// one of its kind and name (a policy that lowered into nothing).
fn applied_policy<'c>(
    cluster: &'c Cluster,
    key: &PolicyKey,
    parts: &Parts,
) -> Option<&'c CiliumPolicy> {
    let from_parts = parts
        .iter()
        .find_map(|&(_, id)| match cluster.ir.policies[id].source {
            Source::Cilium { policy, .. } => Some(policy),
            _ => None,
        });
    let idx = from_parts.or_else(|| {
        (0..cluster.cilium_policies.len()).rev().find(|&i| {
            let p = &cluster.cilium_policies[i];
            cluster.cilium_applied(i)
                && ObjectKind::Cilium(p.kind) == key.0
                && p.qualified_name() == key.1
        })
    })?;
    cluster.cilium_policies.get(idx)
}

/// The allow and the deny part of a rule of a Cilium policy.
fn rule_parts<'c>(cluster: &'c Cluster, parts: &Parts, spec: usize) -> [Option<&'c Policy>; 2] {
    [false, true].map(|deny| {
        let &(_, id) = parts
            .iter()
            .find(|(p, _)| *p == Part::Cilium { spec, deny })?;
        Some(&cluster.ir.policies[id])
    })
}

/// The rules of two versions paired (by index; None: the version has no rule there): each
/// rule of the new version with a rule of the old one that says the same, wherever it is;
/// the rules left over in order; then what is left on one side only. In order of the new
/// version's rules, then the old version's.
fn pair(old: &[RuleFp], new: &[RuleFp]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut left: Vec<usize> = (0..old.len()).collect();
    let mut out = Vec::new();
    let mut unpaired = Vec::new();
    for (j, fp) in new.iter().enumerate() {
        match left.iter().position(|&i| old[i] == *fp) {
            Some(k) => out.push((Some(left.remove(k)), Some(j))),
            None => unpaired.push(j),
        }
    }
    let mut rest = left.into_iter();
    for j in unpaired {
        out.push((rest.next(), Some(j)));
    }
    out.extend(rest.map(|i| (Some(i), None)));
    out.sort_by_key(|&(i, j)| (j.is_none(), j, i));
    out
}

/// Whether both sides apply the object and say the same with it: the same rules, in any
/// order (rules that lower into nothing aside).
pub(super) fn says_the_same(o: &SideIndex, n: &SideIndex, key: &PolicyKey) -> bool {
    match (Object::of(o, key), Object::of(n, key)) {
        (Some(a), Some(b)) => a.meaning() == b.meaning(),
        _ => false,
    }
}

/// The parts of an object on the two sides, paired as its rules are ([`pair`]): the allow
/// part of a rule of the old version with the allow part of its rule in the new version, and
/// the deny parts likewise. A part a version does not have is None.
pub(super) fn paired_parts(
    o: &SideIndex,
    n: &SideIndex,
    key: &PolicyKey,
) -> Vec<(Option<Part>, Option<Part>)> {
    let (a, b) = (Object::of(o, key), Object::of(n, key));
    let empty = Vec::new();
    let rules = |v: &Option<Object>| v.as_ref().map_or(&empty, |v| &v.rules).clone();
    let has = |v: &Option<Object>, spec: Option<usize>, deny: bool| {
        let part = Part::Cilium { spec: spec?, deny };
        v.as_ref()?
            .parts
            .iter()
            .any(|(p, _)| *p == part)
            .then_some(part)
    };
    let mut out = Vec::new();
    for (i, j) in pair(&rules(&a), &rules(&b)) {
        for deny in [true, false] {
            let pair = (has(&a, i, deny), has(&b, j, deny));
            if pair != (None, None) {
                out.push(pair);
            }
        }
    }
    out
}

/// What changed in a Cilium policy, rule by rule: a rule added or removed, else its
/// `endpointSelector`, each of its lists (`ingressDeny: 1 rule → none` when a list is emptied
/// or filled, else `ingress[0] changed` rule by rule, in any order) and whether it puts the
/// pods it selects in default deny (`enableDefaultDeny.ingress: false → true`).
pub(super) fn details(
    o: &SideIndex,
    n: &SideIndex,
    key: &PolicyKey,
    details: &mut Vec<String>,
    focus: &mut Option<(Version, Span)>,
) {
    let (Some(a), Some(b)) = (Object::of(o, key), Object::of(n, key)) else {
        return;
    };
    let mut set_focus = |v: Version, s: Span| {
        if focus.is_none() {
            *focus = Some((v, s));
        }
    };
    let several = a.policy.specs.len() > 1 || b.policy.specs.len() > 1;
    for (i, j) in pair(&a.rules, &b.rules) {
        if a.says(i) == b.says(j) {
            continue;
        }
        match (i, j) {
            (None, Some(j)) => {
                details.push(format!("{} added", b.label(j)));
                set_focus(Version::New, b.span(j));
            }
            (Some(i), None) => {
                details.push(format!("{} removed", a.label(i)));
                set_focus(Version::Old, a.span(i));
            }
            (Some(i), Some(j)) => {
                let prefix = if several {
                    format!("{}.", b.label(j))
                } else {
                    String::new()
                };
                rule_details(
                    (a.parts_of(i), b.parts_of(j)),
                    &prefix,
                    b.written(j),
                    b.span(j),
                    details,
                    &mut set_focus,
                );
            }
            (None, None) => {}
        }
    }
}

/// What changed between two versions of one rule (`[allow part, deny part]` each); `rule`
/// and `span`: the new version as written.
fn rule_details(
    (old, new): ([Option<&Policy>; 2], [Option<&Policy>; 2]),
    prefix: &str,
    rule: Option<&CiliumRule>,
    span: Span,
    details: &mut Vec<String>,
    set_focus: &mut impl FnMut(Version, Span),
) {
    if let (Some(sa), Some(sb)) = (first_subject(old), first_subject(new))
        && match_fp(sa) != match_fp(sb)
    {
        details.push(format!("{prefix}{}", endpoint_selector_detail(sa, sb)));
        set_focus(Version::New, sb.terms().first().map_or(span, |t| t.span));
    }
    for dir in Direction::BOTH {
        for deny in [false, true] {
            let field = field(dir, deny);
            let (ga, gb) = (
                written_rules(applied_rules(old[usize::from(deny)], dir)),
                written_rules(applied_rules(new[usize::from(deny)], dir)),
            );
            match (ga.is_empty(), gb.is_empty()) {
                (true, true) => {}
                (true, false) => {
                    details.push(format!("{prefix}{field}: none → {}", count(gb.len())));
                    set_focus(Version::New, gb[0].1);
                }
                (false, true) => {
                    details.push(format!("{prefix}{field}: {} → none", count(ga.len())));
                    set_focus(Version::Old, ga[0].1);
                }
                (false, false) => {
                    // Allows add up and any deny wins: a rule found anywhere in the other
                    // version is no change; what is left was added or changed, and old rules
                    // found nowhere were removed.
                    let old_fps: Vec<&String> = ga.iter().map(|g| &g.2).collect();
                    let new_fps: Vec<&String> = gb.iter().map(|g| &g.2).collect();
                    for (i, (label, span, fp)) in gb.iter().enumerate() {
                        if old_fps.contains(&fp) {
                            continue;
                        }
                        if i < ga.len() && !new_fps.contains(&old_fps[i]) {
                            details.push(format!("{label} changed"));
                        } else {
                            details.push(format!("{label} added"));
                        }
                        set_focus(Version::New, *span);
                    }
                    for (i, (label, span, fp)) in ga.iter().enumerate() {
                        if new_fps.contains(&fp) {
                            continue;
                        }
                        let replaced = i < gb.len() && !old_fps.contains(&new_fps[i]);
                        if !replaced {
                            details.push(format!("{label} removed"));
                            set_focus(Version::Old, *span);
                        }
                    }
                }
            }
        }
    }
    // Default deny: the allow part isolates where the rule enforces a direction (has rules of
    // it, allows or denies) and `enableDefaultDeny` does not say false.
    for dir in Direction::BOTH {
        let word = dir.as_str().to_ascii_lowercase();
        let (da, db) = (applied_dir(old[0], dir), applied_dir(new[0], dir));
        let isolates = |d: Option<&PolicyDir>| d.is_some_and(|d| d.isolates);
        if isolates(da) == isolates(db) {
            continue;
        }
        if da.is_some() && db.is_some() {
            details.push(format!(
                "{prefix}enableDefaultDeny.{word}: {} → {}",
                isolates(da),
                isolates(db)
            ));
        } else {
            details.push(format!(
                "{prefix}{word} default deny: {} → {}",
                on_off(isolates(da)),
                on_off(isolates(db))
            ));
        }
        let at = rule
            .and_then(|r| r.default_deny(dir))
            .map_or(span, |x| x.span);
        set_focus(Version::New, at);
    }
}

/// The subject of a rule, from whichever of its parts there is.
fn first_subject(x: [Option<&Policy>; 2]) -> Option<&Match> {
    x.into_iter().flatten().next().map(|p| &p.subject)
}

/// A direction of a policy, when it applies there.
fn applied_dir(x: Option<&Policy>, dir: Direction) -> Option<&PolicyDir> {
    x.map(|p| p.dir(dir)).filter(|d| d.applies)
}

/// The rules of a direction of a policy (none when it does not apply there).
fn applied_rules(x: Option<&Policy>, dir: Direction) -> &[Rule] {
    applied_dir(x, dir).map_or(&[][..], |d| d.rules.as_slice())
}

/// `ingress`, `ingressDeny`, `egress`, `egressDeny`.
fn field(dir: Direction, deny: bool) -> &'static str {
    match (dir, deny) {
        (Direction::Ingress, false) => "ingress",
        (Direction::Ingress, true) => "ingressDeny",
        (Direction::Egress, false) => "egress",
        (Direction::Egress, true) => "egressDeny",
    }
}

/// `1 rule`, `3 rules`.
fn count(n: usize) -> String {
    if n == 1 {
        "1 rule".into()
    } else {
        format!("{n} rules")
    }
}

/// The rules of a list as written, from the rules of the model (a rule naming the `host` or
/// `remote-node` entities lowers into one per node): label, span, fingerprint.
fn written_rules(rules: &[Rule]) -> Vec<(&str, Span, String)> {
    let mut out: Vec<(&str, Span, String)> = Vec::new();
    let mut last = None;
    for r in rules {
        match out.last_mut() {
            Some(g) if last == Some(r.index) => {
                g.2.push_str(" ; ");
                g.2.push_str(&rule_fp(r));
            }
            _ => {
                out.push((r.label.as_str(), r.span, rule_fp(r)));
                last = Some(r.index);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(s: &str) -> RuleFp {
        [Some(s.to_string()), None]
    }

    #[test]
    fn rules_pair_by_meaning_then_in_order() {
        // A rule moved, one edited, one added.
        let old = [fp("a"), fp("b")];
        let new = [fp("c"), fp("a"), fp("d")];
        assert_eq!(
            pair(&old, &new),
            [(Some(1), Some(0)), (Some(0), Some(1)), (None, Some(2))]
        );
        // One removed.
        assert_eq!(
            pair(&[fp("a"), fp("b")], &[fp("b")]),
            [(Some(1), Some(0)), (Some(0), None)]
        );
    }
}

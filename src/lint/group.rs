//! Findings that share a cause, merged into one: a namespace whose 40 pods no policy isolates
//! is one finding listing the 40, not 40 findings.
//!
//! A rule opts in per finding with [`Finding::grouped`]: findings of one rule with the same
//! [`Group::key`] merge. Merging runs last in [`super::run`], after the configuration, the
//! `netpol.kubectl.dev/ignore` annotation and the lint scope have judged each finding on its
//! own object, so that one member can still be silenced. A group of one stays the finding it
//! was; a group of several becomes one finding at its first member (in file and position
//! order) with the group's message, the first member's help, the most severe severity of its
//! members, and every member listed in [`Finding::members`] (instead of the related places
//! and notes of each).
//!
//! Which rules group, and by what: `pod-not-isolated` by namespace and open directions (one
//! default deny fixes them all); `ingress-from-anywhere` and `egress-to-metadata` the policies
//! plainly meant to allow everything (one decision, taken on purpose); `invalid-name` the
//! objects of one invalid namespace (one name to fix). `dns-egress-blocked` and
//! `peer-selects-nothing` gather their findings themselves. The other rules do not group:
//! each of their findings is a place to fix (a broken or shadowed rule, an invalid field).

use std::collections::HashMap;

use super::{Finding, Member};
use crate::lint::registry::Holds;

/// A noun with its plural: `pod`, `pods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noun(pub &'static str, pub &'static str);

impl Noun {
    /// `1 pod`, `2 pods`.
    pub fn count(self, n: usize) -> String {
        format!("{n} {}", if n == 1 { self.0 } else { self.1 })
    }
}

/// How a finding merges with others of its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Findings of one rule with equal keys merge.
    pub key: String,
    /// The message of the merged finding; `{n}` stands for the number of members.
    pub message: String,
    /// This finding's member, as the merged finding lists it (`shop/deploy/api`).
    pub member: String,
    /// What a member is (`pod or workload`, `pods and workloads`): the summary line counts
    /// them.
    pub unit: Noun,
    /// Where the group is (`namespace`, `shop`): the summary line counts the places.
    pub scope: Option<(Noun, String)>,
}

/// Merges the findings of one rule with equal group keys, keeping the order of the first
/// member of each (the findings come sorted).
pub fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut first: HashMap<(&'static str, String), usize> = HashMap::new();
    for f in findings {
        let Some(key) = f.group.as_ref().map(|g| (f.rule.code, g.key.clone())) else {
            out.push(f);
            continue;
        };
        match first.get(&key) {
            None => {
                first.insert(key, out.len());
                out.push(f);
            }
            Some(&i) => absorb(&mut out[i], f),
        }
    }
    for f in &mut out {
        if f.members.len() > 1 {
            let g = f.group.as_ref().expect("members come from groups");
            f.message = g.message.replace("{n}", &f.members.len().to_string());
        }
    }
    out
}

/// Adds `f` to the group led by `lead`.
fn absorb(lead: &mut Finding, f: Finding) {
    if lead.members.is_empty() {
        let g = lead.group.as_ref().expect("a grouped finding");
        lead.members.push(Member {
            name: g.member.clone(),
            span: lead.span,
        });
        // Related places and notes are about one member: the members list stands for them.
        lead.related.clear();
        lead.notes.clear();
    }
    let g = f.group.as_ref().expect("a grouped finding");
    lead.members.push(Member {
        name: g.member.clone(),
        span: f.span,
    });
    lead.severity = lead.severity.max(f.severity);
    if f.holds == Holds::Input {
        lead.holds = Holds::Input;
    }
}

/// `a, b, c and 9 more`: the first `max` names of the members.
pub fn member_list(members: &[Member], max: usize) -> String {
    let names: Vec<&str> = members.iter().take(max).map(|m| m.name.as_str()).collect();
    let mut s = names.join(", ");
    if members.len() > max {
        s.push_str(&format!(" and {} more", members.len() - max));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::{FileId, Span};
    use crate::lint::{Severity, Subject, rules};

    fn finding(at: u32, key: Option<&str>, severity: Severity) -> Finding {
        let rule = &rules::pod_not_isolated::RULE;
        let mut f = Finding::new(
            rule,
            Subject::None,
            Span::new(FileId(0), at, at + 1),
            format!("one at {at}"),
        );
        f.severity = severity;
        f = f.related(Span::default(), "about this one only");
        if let Some(key) = key {
            f = f.grouped(Group {
                key: key.into(),
                message: format!("{{n}} in {key}"),
                member: format!("m{at}"),
                unit: Noun("pod", "pods"),
                scope: Some((Noun("namespace", "namespaces"), key.into())),
            });
        }
        f
    }

    #[test]
    fn findings_with_one_key_merge_at_the_first_with_every_member() {
        let merged = merge(vec![
            finding(1, Some("a"), Severity::Info),
            finding(2, None, Severity::Info),
            finding(3, Some("b"), Severity::Info),
            finding(4, Some("a"), Severity::Warning),
            finding(5, Some("a"), Severity::Info),
        ]);
        let shown: Vec<(u32, &str, Severity, Vec<&str>)> = merged
            .iter()
            .map(|f| {
                (
                    f.span.start,
                    f.message.as_str(),
                    f.severity,
                    f.members.iter().map(|m| m.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (1, "3 in a", Severity::Warning, vec!["m1", "m4", "m5"]),
                (2, "one at 2", Severity::Info, vec![]),
                // A group of one keeps its own message and lists no members.
                (3, "one at 3", Severity::Info, vec![]),
            ]
        );
        assert_eq!(merged[0].members[1].span.start, 4);
        assert!(merged[0].related.is_empty());
        assert_eq!(merged[2].related.len(), 1);
    }

    #[test]
    fn member_lists_are_cut_with_a_count() {
        let members: Vec<Member> = (0..7)
            .map(|i| Member {
                name: format!("p{i}"),
                span: Span::default(),
            })
            .collect();
        assert_eq!(member_list(&members, 3), "p0, p1, p2 and 4 more");
        assert_eq!(member_list(&members[..2], 3), "p0, p1");
        assert_eq!(Noun("pod", "pods").count(1), "1 pod");
        assert_eq!(Noun("pod", "pods").count(2), "2 pods");
    }
}

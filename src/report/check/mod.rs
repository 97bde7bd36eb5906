//! Rendering `check` findings: one file per format.

pub mod github;
pub mod json;
pub mod sarif;
pub mod source;
pub mod text;

use std::collections::BTreeSet;

use crate::engine::explain::party_name;
use crate::lint::group::member_list;
use crate::lint::{Attachment, Finding, Severity};
use crate::load::source::SourceMap;
use crate::model::Cluster;
use crate::report::explain::{CanReach, text};
use crate::report::style::Painter;
use crate::report::yaml::network_policy;

/// Renders what findings carry as data into their notes, for every output format: an
/// explanation as `can-reach` prints it (one line each), a policy to use instead as YAML.
pub fn render_attachments(findings: &mut [Finding], cluster: &Cluster, sources: &SourceMap) {
    for f in findings {
        for a in std::mem::take(&mut f.attachments) {
            match a {
                Attachment::Explanation(e) => {
                    let (from, to) = (party_name(cluster, e.src), party_name(cluster, e.dst));
                    let report = CanReach {
                        from: &from,
                        to: &to,
                        port: e.query.map(|(p, n)| format!("{p} {n}")),
                        notes: Vec::new(),
                        pairs: vec![*e],
                    };
                    f.notes.extend(
                        text(&report, cluster, sources, &Painter::new(false))
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(str::to_string),
                    );
                }
                Attachment::UseInstead(p) => f
                    .notes
                    .push(format!("use instead:\n{}", network_policy(&p).trim_end())),
            }
        }
    }
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Counts {
    /// Counts the findings.
    pub fn of(findings: &[Finding]) -> Counts {
        Counts::of_severities(findings.iter().map(|f| f.severity))
    }

    /// Counts severities.
    pub fn of_severities(severities: impl Iterator<Item = Severity>) -> Counts {
        let mut c = Counts::default();
        for s in severities {
            match s {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// `2 errors, 1 info`: the severities found, most severe first (`0 findings` for none).
    pub fn found(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let parts: Vec<String> = [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| plural(n, w))
        .collect();
        if parts.is_empty() {
            "0 findings".into()
        } else {
            parts.join(", ")
        }
    }

    /// `2 errors, 1 warning, 0 infos`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info")
        )
    }
}

/// How many findings carry a fix `check --fix` applies (with `unsafe_fixes`, the unsafe
/// ones too), and how many more `--unsafe-fixes` would add.
pub fn fixable(findings: &[Finding], unsafe_fixes: bool) -> (usize, usize) {
    let fixes = findings.iter().filter_map(|f| f.fix.as_ref());
    let (applied, hidden): (Vec<_>, Vec<_>) = fixes.partition(|x| x.applies(unsafe_fixes));
    (applied.len(), hidden.len())
}

/// `[*] 3 fixable with --fix (2 more with --unsafe-fixes)`: the last line of the text
/// output; None when no finding has a fix.
pub fn fixable_line(findings: &[Finding], unsafe_fixes: bool) -> Option<String> {
    let (n, hidden) = fixable(findings, unsafe_fixes);
    let fix = if unsafe_fixes {
        "--fix --unsafe-fixes"
    } else {
        "--fix"
    };
    match (n, hidden) {
        (0, 0) => None,
        (0, k) => Some(format!("{k} fixable with --fix --unsafe-fixes")),
        (n, 0) => Some(format!("[*] {n} fixable with {fix}")),
        (n, k) => Some(format!(
            "[*] {n} fixable with {fix} ({k} more with --unsafe-fixes)"
        )),
    }
}

/// `Fixed 3 findings (2 remaining; 1 more fixable with --unsafe-fixes)`: what `check --fix`
/// says after writing, `findings` being what is left.
pub fn fixed_line(fixed: usize, findings: &[Finding], unsafe_fixes: bool) -> String {
    let (_, hidden) = fixable(findings, unsafe_fixes);
    let more = if hidden > 0 {
        format!("; {hidden} more fixable with --unsafe-fixes")
    } else {
        String::new()
    };
    format!(
        "Fixed {fixed} finding{} ({} remaining{more})",
        if fixed == 1 { "" } else { "s" },
        findings.len()
    )
}

/// How many members text formats name before `and N more`.
pub const MEMBERS_SHOWN: usize = 5;

/// `members: shop/a, shop/b and 3 more` for a merged finding, None for a single one.
pub fn members_line(f: &Finding, max: usize) -> Option<String> {
    (!f.members.is_empty()).then(|| format!("members: {}", member_list(&f.members, max)))
}

/// What one rule found, for the summary at the end of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTally {
    /// The rule's code.
    pub code: &'static str,
    /// The rule's name.
    pub name: &'static str,
    /// Its findings, merged ones counting once.
    pub findings: usize,
    /// The objects or places they are about: a merged finding counts its members.
    pub members: usize,
    /// `415 pods and workloads in 41 namespaces`, or `3 findings`.
    pub what: String,
    /// Counts by severity.
    pub counts: Counts,
}

impl RuleTally {
    /// `NP401 pod-not-isolated: 415 pods and workloads in 41 namespaces (info)`.
    pub fn line(&self) -> String {
        let c = self.counts;
        let severity = match (c.errors, c.warnings, c.infos) {
            (_, 0, 0) => "error".to_string(),
            (0, _, 0) => "warning".to_string(),
            (0, 0, _) => "info".to_string(),
            _ => c.found(),
        };
        format!("{} {}: {} ({severity})", self.code, self.name, self.what)
    }
}

/// One tally per rule with findings, in code order.
pub fn tally(findings: &[Finding]) -> Vec<RuleTally> {
    let mut codes: Vec<&'static str> = findings.iter().map(|f| f.rule.code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .map(|code| {
            let of: Vec<&Finding> = findings.iter().filter(|f| f.rule.code == code).collect();
            let members: usize = of.iter().map(|f| f.members.len().max(1)).sum();
            let unit = of[0].group.as_ref().map(|g| g.unit);
            let same_unit = of.iter().all(|f| f.group.as_ref().map(|g| g.unit) == unit);
            let what = match unit.filter(|_| same_unit) {
                Some(unit) => {
                    let mut what = unit.count(members);
                    let noun = of[0]
                        .group
                        .as_ref()
                        .and_then(|g| g.scope.as_ref())
                        .map(|s| s.0);
                    let places: Option<BTreeSet<&str>> = of
                        .iter()
                        .map(|f| {
                            let scope = f.group.as_ref()?.scope.as_ref()?;
                            (Some(scope.0) == noun).then_some(scope.1.as_str())
                        })
                        .collect();
                    if let (Some(noun), Some(places)) = (noun, places) {
                        what.push_str(&format!(" in {}", noun.count(places.len())));
                    }
                    what
                }
                None => {
                    let n = of.len();
                    format!("{n} finding{}", if n == 1 { "" } else { "s" })
                }
            };
            RuleTally {
                code,
                name: of[0].rule.name,
                findings: of.len(),
                members,
                what,
                counts: Counts::of_severities(of.iter().map(|f| f.severity)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::Span;
    use crate::lint::group::{Group, Noun};
    use crate::lint::{Member, Subject, rules};

    fn grouped(ns: &str, members: usize) -> Finding {
        let mut f = Finding::new(
            &rules::pod_not_isolated::RULE,
            Subject::None,
            Span::default(),
            "",
        )
        .grouped(Group {
            key: ns.into(),
            message: String::new(),
            member: String::new(),
            unit: Noun("pod", "pods"),
            scope: Some((Noun("namespace", "namespaces"), ns.into())),
        });
        f.members = (0..members)
            .map(|i| Member {
                name: format!("{ns}/p{i}"),
                span: Span::default(),
            })
            .collect();
        f
    }

    #[test]
    fn tallies_count_members_and_places_of_grouped_rules_and_findings_of_others() {
        let mut warning = Finding::new(
            &rules::ingress_from_anywhere::RULE,
            Subject::None,
            Span::default(),
            "",
        );
        let mut info = warning.clone();
        info.severity = Severity::Info;
        warning.severity = Severity::Warning;
        let findings = vec![
            grouped("shop", 3),
            warning.clone(),
            grouped("lab", 0),
            grouped("shop", 2),
            warning,
            info,
        ];
        let lines: Vec<String> = tally(&findings).iter().map(RuleTally::line).collect();
        assert_eq!(
            lines,
            [
                "NP401 pod-not-isolated: 6 pods in 2 namespaces (info)",
                "NP404 ingress-from-anywhere: 3 findings (2 warnings, 1 info)",
            ]
        );
        assert_eq!(
            members_line(&findings[0], 2).unwrap(),
            "members: shop/p0, shop/p1 and 1 more"
        );
        assert_eq!(members_line(&findings[2], 2), None);
    }
}

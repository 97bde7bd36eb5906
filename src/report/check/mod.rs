//! Rendering `check` findings: one file per format.

pub mod github;
pub mod json;
pub mod sarif;
pub mod source;
pub mod text;

use crate::engine::explain::party_name;
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
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
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

//! Findings for people: miette reports with the offending snippet and help (and the fix under
//! it), then each related place as a nested report; then the notes, as they are (an
//! explanation keeps its indentation, unwrapped), and the first members of a merged finding.
//! A finding `check --fix` can fix is marked `[*]` after its code, as ruff marks it. The
//! output ends with a line per rule and the total (and `check` says how many findings
//! `--fix` can fix).

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::source::FileSource;
use crate::base::span::Span;
use crate::lint::fix::{Fix, Safety};
use crate::lint::{Finding, Severity};
use crate::load::source::SourceMap;

#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: FileSource,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// The span as underlined: its first line only, so that a finding about a whole rule
/// underlines the rule's first line instead of drawing a block around it.
fn source_span(sources: &SourceMap, span: Span) -> SourceSpan {
    let text = sources.snippet(span);
    let len = text
        .find('\n')
        .map_or(text.len(), |i| text[..i].trim_end().len());
    SourceSpan::new((span.start as usize).into(), len)
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn report(f: &Finding, sources: &SourceMap, unsafe_fixes: bool) -> Report {
    let labels = vec![LabeledSpan::new_primary_with_span(
        None,
        source_span(sources, f.span),
    )];
    // Related places follow the finding as nested reports, so that the place at fault is
    // always the first one shown.
    let related = f
        .related
        .iter()
        .map(|r| Report {
            message: r.message.clone(),
            code: None,
            severity: miette::Severity::Advice,
            help: None,
            source: FileSource(sources.file(r.span.file).clone()),
            labels: vec![LabeledSpan::new_primary_with_span(
                None,
                source_span(sources, r.span),
            )],
            related: Vec::new(),
        })
        .collect();
    // The fix goes under the help, before the related places (see `render` for a finding
    // without help).
    let help = match (&f.help, &f.fix) {
        (Some(h), Some(x)) => Some(format!("{h}\n{}", fix_line(x).trim_start())),
        (h, _) => h.clone(),
    };
    Report {
        message: f.message.clone(),
        code: Some(format!(
            "{}({}){}",
            f.rule.code,
            f.rule.name,
            if f.fix.as_ref().is_some_and(|x| x.applies(unsafe_fixes)) {
                " [*]"
            } else {
                ""
            }
        )),
        severity: severity(f.severity),
        help,
        source: FileSource(sources.file(f.span.file).clone()),
        labels,
        related,
    }
}

/// Renders every finding; `color` picks the theme, `width` the wrap width, `unsafe_fixes`
/// whether unsafe fixes count as fixable (`[*]`).
pub fn render(
    findings: &[Finding],
    sources: &SourceMap,
    color: bool,
    width: usize,
    unsafe_fixes: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for f in findings {
        if !out.is_empty() {
            out.push('\n');
        }
        let r = report(f, sources, unsafe_fixes);
        if handler.render_report(&mut out, &r).is_err() {
            // A span outside its file cannot be shown; fall back to the plain line.
            out.push_str(&format!(
                "{}: {}[{}] {}\n",
                sources.location(f.span),
                f.severity,
                f.rule.code,
                f.message
            ));
        }
        if let (None, Some(fix)) = (&f.help, &f.fix) {
            out.push_str(&fix_line(fix));
            out.push('\n');
        }
        for (i, note) in f.notes.iter().enumerate() {
            let lead = if i == 0 { "  note: " } else { "        " };
            out.push_str(lead);
            out.push_str(note);
            out.push('\n');
        }
        if let Some(line) = super::members_line(f, super::MEMBERS_SHOWN) {
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `  fix: add Ingress to policyTypes`, `  fix (unsafe): ...`: the line under a finding.
pub fn fix_line(fix: &Fix) -> String {
    match fix.safety {
        Safety::Safe => format!("  fix: {}", fix.title),
        Safety::Unsafe => format!("  fix (unsafe): {}", fix.title),
    }
}

/// The end of the text output: one line per rule with findings (what it found, how many,
/// how severe), then `total` (`check` then says how many `--fix` fixes, see
/// [`super::fixable_line`]).
pub fn summary(findings: &[Finding], total: &str) -> String {
    let mut out = String::new();
    for t in super::tally(findings) {
        out.push_str(&t.line());
        out.push('\n');
    }
    out.push_str(total);
    out.push('\n');
    out
}

//! Findings for people: miette reports with the offending snippet and help, then each related
//! place as a nested report; then the notes, as they are (an explanation keeps its
//! indentation, unwrapped), and the first members of a merged finding. The output ends with
//! a line per rule and the total.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::source::FileSource;
use crate::base::span::Span;
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

fn report(f: &Finding, sources: &SourceMap) -> Report {
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
    let help = f.help.clone();
    Report {
        message: f.message.clone(),
        code: Some(format!("{}({})", f.rule.code, f.rule.name)),
        severity: severity(f.severity),
        help,
        source: FileSource(sources.file(f.span.file).clone()),
        labels,
        related,
    }
}

/// Renders every finding; `color` picks the theme, `width` the wrap width.
pub fn render(findings: &[Finding], sources: &SourceMap, color: bool, width: usize) -> String {
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
        let r = report(f, sources);
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

/// The end of the text output: one line per rule with findings (what it found, how many,
/// how severe), then `total`.
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

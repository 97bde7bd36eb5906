//! Findings for people: miette reports with the offending snippet, labelled related places
//! (in the same file as labels, in other files as nested reports) and help; then the notes,
//! as they are (an explanation keeps its indentation, unwrapped).

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::source::FileSource;
use crate::lint::{Finding, Severity};
use crate::load::source::{SourceMap, Span};

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

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn report(f: &Finding, sources: &SourceMap) -> Report {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        source_span(f.span),
    )];
    let mut related = Vec::new();
    for r in &f.related {
        if r.span.file == f.span.file {
            labels.push(LabeledSpan::new_with_span(
                Some(r.message.clone()),
                source_span(r.span),
            ));
        } else {
            related.push(Report {
                message: r.message.clone(),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: FileSource(sources.file(r.span.file).clone()),
                labels: vec![LabeledSpan::new_primary_with_span(
                    None,
                    source_span(r.span),
                )],
                related: Vec::new(),
            });
        }
    }
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
    }
    out
}

//! `check -o github`: GitHub Actions workflow commands, which GitHub shows as annotations on
//! the lines of the pull request:
//!
//! ```text
//! ::error file=deploy/np.yaml,line=10,col=15,endLine=10,endColumn=23,title=NP101 invalid-cidr::message
//! ```
//!
//! Errors are `::error`, warnings `::warning`, infos `::notice`. The message carries the
//! help, the fix (`fix: ...`, `fix (unsafe): ...`), the notes and the related places on
//! further lines. GitHub shows only the first 10
//! annotations of each level per step, so [`step_summary`] renders every finding as a
//! Markdown table for the job summary (`$GITHUB_STEP_SUMMARY`).

use crate::lint::{Finding, Severity};
use crate::load::source::SourceMap;

/// Escapes the message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// A file name as GitHub matches it against the repository: forward slashes, no `./`.
fn file_name(name: &str) -> String {
    let name = name.replace('\\', "/");
    let mut name = name.as_str();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name.to_string()
}

fn message(f: &Finding, sources: &SourceMap) -> String {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    if let Some(fix) = &f.fix {
        text.push('\n');
        text.push_str(super::text::fix_line(fix).trim_start());
    }
    for r in &f.related {
        text.push_str(&format!("\n{}: {}", sources.location(r.span), r.message));
    }
    for note in &f.notes {
        text.push('\n');
        text.push_str(note);
    }
    if let Some(line) = super::members_line(f, super::MEMBERS_SHOWN) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

/// One workflow command per finding, then `summary` as a plain log line.
pub fn render(findings: &[Finding], sources: &SourceMap, summary: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let (start, end) = (sources.start(f.span), sources.end(f.span));
        let file = file_name(&sources.file(f.span.file).name);
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(f.severity),
            escape_property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", f.rule.code, f.rule.name)),
            escape_data(&message(f, sources)),
        ));
    }
    out.push_str(summary);
    out.push('\n');
    out
}

/// A Markdown table cell: no line breaks, no pipes, no HTML.
fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// Every finding as a Markdown table, for the job summary.
pub fn step_summary(findings: &[Finding], sources: &SourceMap, summary: &str) -> String {
    let mut out = format!("### kubectl-netpol check\n\n{}\n", cell(summary));
    if findings.is_empty() {
        return out;
    }
    out.push_str("\n| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |\n");
    for f in findings {
        let pos = sources.start(f.span);
        let file = file_name(&sources.file(f.span.file).name);
        let mut text = f.message.clone();
        if let Some(help) = &f.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        if let Some(line) = super::members_line(f, super::MEMBERS_SHOWN) {
            text.push_str(&format!("\n{line}"));
        }
        out.push_str(&format!(
            "| {} | {} `{}` | {}:{}:{} | {} |\n",
            f.severity,
            f.rule.code,
            f.rule.name,
            cell(&file),
            pos.line,
            pos.column,
            cell(&text)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_unescapes_them() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn table_cells_keep_to_one_row() {
        assert_eq!(cell("a|b\n<c>"), "a\\|b<br>&lt;c&gt;");
        assert_eq!(file_name("./././x\\y.yaml"), "x/y.yaml");
    }
}

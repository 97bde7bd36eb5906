//! `check -o json`: the findings as one versioned JSON document, for scripts.
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {"code": "NP101", "name": "invalid-cidr", "severity": "error", "category": "invalid",
//!      "holds": "every-cluster", "message": "…", "help": null,
//!      "file": "deploy/policy.yaml", "line": 10, "column": 15,
//!      "end_line": 10, "end_column": 23, "related": [], "notes": []}
//!   ],
//!   "summary": {"errors": 1, "warnings": 0, "infos": 0, "files_checked": 3}
//! }
//! ```
//!
//! Findings are in a stable order: by file (in input order), position, code, message.
//! Lines and columns are 1-based; columns count Unicode code points; `end_column` is the
//! column just after the last character. `holds` says where the finding is true:
//! `every-cluster` (in every cluster the files can be part of) or `input` (for the input as
//! given; with `--closed-world`, the whole cluster). New fields may be added within a
//! version; none is removed or changes meaning.

use serde_json::{Value, json};

use super::Counts;
use crate::base::span::Span;
use crate::lint::Finding;
use crate::load::source::SourceMap;

/// Version of the document.
pub const JSON_VERSION: u32 = 1;

fn place(sources: &SourceMap, span: Span) -> serde_json::Map<String, Value> {
    let (start, end) = (sources.start(span), sources.end(span));
    let mut m = serde_json::Map::new();
    m.insert("file".into(), json!(sources.file(span.file).name));
    m.insert("line".into(), json!(start.line));
    m.insert("column".into(), json!(start.column));
    m.insert("end_line".into(), json!(end.line));
    m.insert("end_column".into(), json!(end.column));
    m
}

fn finding(f: &Finding, sources: &SourceMap) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("code".into(), json!(f.rule.code));
    m.insert("name".into(), json!(f.rule.name));
    m.insert("severity".into(), json!(f.severity.as_str()));
    m.insert("category".into(), json!(f.rule.category.title()));
    m.insert("holds".into(), json!(f.holds.as_str()));
    m.insert("message".into(), json!(f.message));
    m.insert("help".into(), json!(f.help));
    m.extend(place(sources, f.span));
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            m.insert("message".into(), json!(r.message));
            m.extend(place(sources, r.span));
            Value::Object(m)
        })
        .collect();
    m.insert("related".into(), Value::Array(related));
    m.insert("notes".into(), json!(f.notes));
    Value::Object(m)
}

/// The document.
pub fn render(findings: &[Finding], sources: &SourceMap, files_checked: usize) -> Value {
    let counts = Counts::of(findings);
    json!({
        "version": JSON_VERSION,
        "findings": findings.iter().map(|f| finding(f, sources)).collect::<Vec<_>>(),
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "infos": counts.infos,
            "files_checked": files_checked,
        },
    })
}

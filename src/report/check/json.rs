//! `check -o json`: the findings as one versioned JSON document, for scripts.
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {"code": "NP101", "name": "invalid-cidr", "severity": "error", "category": "invalid",
//!      "holds": "every-cluster", "message": "…", "help": null,
//!      "file": "deploy/policy.yaml", "line": 10, "column": 15,
//!      "end_line": 10, "end_column": 23, "related": [], "notes": [], "members": [],
//!      "fix": null}
//!   ],
//!   "summary": {"errors": 1, "warnings": 0, "infos": 0, "files_checked": 3,
//!     "rules": [{"code": "NP101", "name": "invalid-cidr", "findings": 1, "members": 1,
//!                "summary": "NP101 invalid-cidr: 1 finding (error)"}],
//!     "fixes": {"safe": 0, "unsafe": 0}}
//! }
//! ```
//!
//! A finding with a mechanical remedy has a `fix`: `{"safety": "safe" | "unsafe", "title":
//! "add Ingress to policyTypes", "changes_connections": true, "edits": [{"file", "line",
//! "column", "end_line", "end_column", "text"}]}`, each edit replacing the text between its
//! two positions (equal for an insertion) with `text`, and, when the fix adds a file (an
//! expectation's fix may write a new policy), `new_files: [{"path", "text"}]` (the text is
//! appended when the file exists); `check --fix` applies the safe ones,
//! `--unsafe-fixes` the others, each verified first (`changes_connections`: changing
//! connections is its purpose; a fix without it changes none). The summary counts the
//! findings with a fix of each safety in `fixes`, and, after `check --fix`, holds `fixed`:
//! how many findings the fixes written fixed (the findings are then what is left).
//!
//! Findings that share a cause are merged into one ([`crate::lint::group`]): its `members`
//! lists the objects it is about, each with its place (`name`, `file`, `line`, `column`,
//! `end_line`, `end_column`); a finding about one place has none. The summary's `rules`
//! holds one entry per rule with findings: their number, the number of objects or places
//! they are about (a merged finding counts its members), and the line the text output ends
//! with.
//!
//! Findings are in a stable order: by file (in input order), position, code, message.
//! Lines and columns are 1-based; columns count Unicode code points; `end_column` is the
//! column just after the last character. `holds` says where the finding is true:
//! `every-cluster` (in every cluster the files can be part of) or `input` (for the input as
//! given; with `--closed-world`, the whole cluster). New fields may be added within a
//! version; none is removed or changes meaning.

use serde_json::{Value, json};

use super::{Counts, tally};
use crate::base::span::Span;
use crate::lint::Finding;
use crate::lint::fix::{Fix, Safety};
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
    let members: Vec<Value> = f
        .members
        .iter()
        .map(|member| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!(member.name));
            m.extend(place(sources, member.span));
            Value::Object(m)
        })
        .collect();
    m.insert("members".into(), Value::Array(members));
    m.insert(
        "fix".into(),
        f.fix.as_ref().map_or(Value::Null, |x| fix(x, sources)),
    );
    Value::Object(m)
}

fn fix(x: &Fix, sources: &SourceMap) -> Value {
    let edits: Vec<Value> = x
        .patch
        .edits
        .iter()
        .map(|e| {
            let mut m = place(sources, Span::new(e.file, e.start, e.end));
            m.insert("text".into(), json!(e.text));
            Value::Object(m)
        })
        .collect();
    let mut v = json!({
        "safety": x.safety.as_str(),
        "title": x.title,
        "changes_connections": x.changes_connections,
        "edits": edits,
    });
    // Files the fix creates (or appends documents to): an expectation's fix may add a policy.
    if !x.patch.new_texts.is_empty() {
        let files: Vec<Value> = x
            .patch
            .new_texts
            .iter()
            .map(|n| json!({"path": n.path.display().to_string(), "text": n.text}))
            .collect();
        v["new_files"] = Value::Array(files);
    }
    v
}

/// The document: `shown` as findings, and the summary of every finding of the run (`check
/// --quiet` shows the errors only, and still counts everything); `fixed`: how many findings
/// `check --fix` fixed, when it ran.
pub fn render(
    findings: &[Finding],
    shown: &[&Finding],
    sources: &SourceMap,
    files_checked: usize,
    fixed: Option<usize>,
) -> Value {
    let counts = Counts::of(findings);
    let rules: Vec<Value> = tally(findings)
        .iter()
        .map(|t| {
            json!({
                "code": t.code,
                "name": t.name,
                "findings": t.findings,
                "members": t.members,
                "summary": t.line(),
            })
        })
        .collect();
    let with = |s: Safety| {
        findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.safety == s))
            .count()
    };
    let mut summary = json!({
        "errors": counts.errors,
        "warnings": counts.warnings,
        "infos": counts.infos,
        "files_checked": files_checked,
        "rules": rules,
        "fixes": {"safe": with(Safety::Safe), "unsafe": with(Safety::Unsafe)},
    });
    if let Some(n) = fixed {
        summary["fixed"] = json!(n);
    }
    json!({
        "version": JSON_VERSION,
        "findings": shown.iter().map(|f| finding(f, sources)).collect::<Vec<_>>(),
        "summary": summary,
    })
}

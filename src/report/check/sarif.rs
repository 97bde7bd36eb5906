//! `check -o sarif`: SARIF 2.1.0, the format GitHub code scanning (and many other tools)
//! take. One run; the driver lists every rule of the catalogue with its documentation;
//! each finding is a result pointing at its node, with its related places, and says in its
//! `properties` where it holds (`"holds": "every-cluster"` or `"input"`). A merged finding
//! (findings sharing a cause, [`crate::lint::group`]) is one result at its first member,
//! with every member, named and placed, in `properties.members`.
//!
//! Paths are written as given on the command line, relative to `%SRCROOT%` (the working
//! directory, declared in `originalUriBaseIds`), with forward slashes; an absolute path
//! outside the working directory becomes a `file://` URI. Regions count columns in Unicode
//! code points (`columnKind: unicodeCodePoints`); `endColumn` is the column just after the
//! last character, as SARIF defines it.
//!
//! A finding with a mechanical remedy carries it in `fixes` (one `fix`: its title as
//! `description`, its edits as `artifactChanges` of `replacements`, each a `deletedRegion`
//! — empty, start and end equal, for an insertion — and its `insertedContent`), with
//! `properties.safety` (`safe`: applied by `check --fix`; `unsafe`: with `--unsafe-fixes`)
//! and `properties.changesConnections`.

use std::path::{Component, Path};

use serde_json::{Value, json};

use crate::base::span::{FileId, Span};
use crate::lint::fix::Fix;
use crate::lint::{Finding, RuleDef, Severity, registry};
use crate::load::source::SourceMap;

/// Where the tool is documented: the package's homepage or repository, when Cargo.toml
/// names one (the driver's `informationUri` is left out otherwise).
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// The base id of paths relative to the working directory.
pub const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `file:///abs/path` (with a trailing slash for a directory).
fn file_uri(path: &Path, dir: bool) -> String {
    let mut p = path.to_string_lossy().replace('\\', "/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if dir && !p.ends_with('/') {
        p.push('/');
    }
    format!("file://{}", encode(&p))
}

/// The artifact location of a file as it was named.
fn artifact(sources: &SourceMap, span: Span, cwd: Option<&Path>) -> Value {
    let file = sources.file(span.file);
    match &file.path {
        Some(path) => path_artifact(&file.name, path, cwd),
        None => json!({ "description": { "text": file.name } }),
    }
}

/// The artifact location of a file named `shown` on the command line, at `path`: relative
/// to `%SRCROOT%` when it lies below `cwd` (or was named relatively), else a `file://` URI.
pub(crate) fn path_artifact(shown: &str, path: &Path, cwd: Option<&Path>) -> Value {
    let shown = Path::new(shown);
    let relative = if shown.is_absolute() {
        cwd.and_then(|c| shown.strip_prefix(c).ok())
    } else {
        Some(shown)
    };
    match relative {
        Some(rel) => {
            let parts: Vec<String> = rel
                .components()
                .filter_map(|c| match c {
                    Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    Component::ParentDir => Some("..".into()),
                    _ => None,
                })
                .collect();
            json!({ "uri": encode(&parts.join("/")), "uriBaseId": SRCROOT })
        }
        None => json!({ "uri": file_uri(path, false) }),
    }
}

/// The physical location of a span: its file and region.
pub(crate) fn physical(sources: &SourceMap, span: Span, cwd: Option<&Path>) -> Value {
    let (start, end) = (sources.start(span), sources.end(span));
    json!({
        "artifactLocation": artifact(sources, span, cwd),
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
        },
    })
}

/// The "What it finds" section of a rule's documentation, as one paragraph.
fn what_it_finds(rule: &RuleDef) -> String {
    let doc = registry::doc(rule);
    let section: Vec<&str> = doc
        .lines()
        .skip_while(|l| !l.starts_with("## What it finds"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if section.is_empty() {
        rule.summary.to_string()
    } else {
        section.join(" ")
    }
}

fn rule(r: &RuleDef) -> Value {
    let doc = registry::doc(r);
    let doc = if doc.is_empty() { r.summary } else { doc };
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": what_it_finds(r) },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": ["kubernetes", "networkpolicy", r.category.title()] },
    })
}

/// The message of a result: the finding, its help, its notes and its first members.
fn message(f: &Finding) -> String {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
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

fn result(f: &Finding, sources: &SourceMap, cwd: Option<&Path>) -> Value {
    let mut r = serde_json::Map::new();
    r.insert("ruleId".into(), json!(f.rule.code));
    if let Some(i) = registry::ALL.iter().position(|x| x.code == f.rule.code) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": message(f) }));
    r.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical(sources, f.span, cwd) }]),
    );
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i,
                    "physicalLocation": physical(sources, rel.span, cwd),
                    "message": { "text": rel.message },
                })
            })
            .collect();
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(x) = &f.fix {
        r.insert("fixes".into(), json!([fix(x, sources, cwd)]));
    }
    let mut properties = serde_json::Map::new();
    properties.insert("holds".into(), json!(f.holds.as_str()));
    if !f.members.is_empty() {
        let members: Vec<Value> = f
            .members
            .iter()
            .map(|m| json!({ "name": m.name, "physicalLocation": physical(sources, m.span, cwd) }))
            .collect();
        properties.insert("members".into(), Value::Array(members));
    }
    r.insert("properties".into(), Value::Object(properties));
    Value::Object(r)
}

fn region(sources: &SourceMap, span: Span) -> Value {
    let (start, end) = (sources.start(span), sources.end(span));
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// A fix as SARIF says one: its edits grouped by file, in order.
fn fix(x: &Fix, sources: &SourceMap, cwd: Option<&Path>) -> Value {
    let mut files: Vec<FileId> = x.patch.edits.iter().map(|e| e.file).collect();
    files.sort();
    files.dedup();
    let changes: Vec<Value> = files
        .into_iter()
        .map(|file| {
            let mut edits: Vec<_> = x.patch.edits.iter().filter(|e| e.file == file).collect();
            edits.sort_by_key(|e| (e.start, e.end));
            let replacements: Vec<Value> = edits
                .iter()
                .map(|e| {
                    let span = Span::new(e.file, e.start, e.end);
                    json!({
                        "deletedRegion": region(sources, span),
                        "insertedContent": { "text": e.text },
                    })
                })
                .collect();
            json!({
                "artifactLocation": artifact(sources, Span::new(file, 0, 0), cwd),
                "replacements": replacements,
            })
        })
        .collect();
    json!({
        "description": { "text": x.title },
        "artifactChanges": changes,
        "properties": {
            "safety": x.safety.as_str(),
            "changesConnections": x.changes_connections,
        },
    })
}

/// The SARIF log. `cwd` is the directory relative paths are relative to.
pub fn render(findings: &[Finding], sources: &SourceMap, cwd: Option<&Path>) -> Value {
    log(
        registry::ALL.iter().map(|r| rule(r)).collect(),
        findings.iter().map(|f| result(f, sources, cwd)).collect(),
        cwd,
    )
}

/// A SARIF log of one run of this tool, with its rules and results.
pub(crate) fn log(rules: Vec<Value>, results: Vec<Value>, cwd: Option<&Path>) -> Value {
    let mut run = serde_json::Map::new();
    let mut driver = serde_json::Map::new();
    driver.insert("name".into(), json!("kubectl-netpol"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(uri) = information_uri() {
        driver.insert("informationUri".into(), json!(uri));
    }
    driver.insert("rules".into(), Value::Array(rules));
    run.insert("tool".into(), json!({ "driver": Value::Object(driver) }));
    if let Some(cwd) = cwd {
        run.insert(
            "originalUriBaseIds".into(),
            json!({ SRCROOT: { "uri": file_uri(cwd, true) } }),
        );
    }
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    run.insert("results".into(), Value::Array(results));
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [Value::Object(run)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_with_forward_slashes() {
        assert_eq!(encode("a b/c:d.yaml"), "a%20b/c%3Ad.yaml");
        assert_eq!(encode("ü.yaml"), "%C3%BC.yaml");
        assert_eq!(
            file_uri(Path::new("/work/my repo"), true),
            "file:///work/my%20repo/"
        );
    }
}

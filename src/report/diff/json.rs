//! `diff -o json`: the diff as data, `"version": 1`, for scripts. The shape is documented in
//! the README ("JSON output"); new fields may be added within a version, none removed.

use serde_json::{Value, json};

use super::Report;
use crate::base::span::Span;
use crate::engine::diff::{Change, Version};

/// Version of the JSON document `diff -o json` prints.
pub const JSON_VERSION: u32 = 1;

/// Renders the diff as JSON.
pub fn render(r: &Report) -> Value {
    let counts = r.diff.counts();
    let connections: Vec<Value> = r
        .diff
        .connections
        .iter()
        .map(|c| {
            json!({
                "change": c.kind.as_str(),
                "from": c.src.id(),
                "to": c.dst.id(),
                "before": c.old.to_string(),
                "after": c.new.to_string(),
                "opened": c.opened().to_string(),
                "closed": c.closed().to_string(),
                "causes": r.causes(c).map(cause_ref).collect::<Vec<_>>(),
            })
        })
        .collect();
    let objects: Vec<Value> = r.diff.changes.iter().map(|c| object(r, c)).collect();
    json!({
        "version": JSON_VERSION,
        "old": r.old_label,
        "new": r.new_label,
        "summary": {
            "opened": counts.opened,
            "closed": counts.closed,
            "changed": counts.changed,
            "objects": r.diff.changes.len(),
        },
        "connections": connections,
        "objects": objects,
    })
}

fn cause_ref(c: &Change) -> Value {
    json!({"kind": c.object.as_str(), "id": c.id, "change": c.change.as_str()})
}

fn location(r: &Report, v: Version, span: Span) -> Value {
    let sources = r.sources(v);
    let pos = sources.start(span);
    json!({
        "file": sources.file(span.file).name,
        "line": pos.line,
        "column": pos.column,
    })
}

fn object(r: &Report, c: &Change) -> Value {
    let focus = c.focus.map(|(v, s)| {
        let mut l = location(r, v, s);
        l["side"] = json!(match v {
            Version::Old => "old",
            Version::New => "new",
        });
        l
    });
    json!({
        "kind": c.object.as_str(),
        "id": c.id,
        "name": c.name,
        "change": c.change.as_str(),
        "old": c.old.map(|s| location(r, Version::Old, s)),
        "new": c.new.map(|s| location(r, Version::New, s)),
        "focus": focus,
        "details": c.details,
        "connections": c.connections,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, report};
    use super::*;

    #[test]
    fn connections_name_their_causes_by_kind_and_id() {
        let (o, n, d) = demo();
        let v = render(&report(&o, &n, &d));
        assert_eq!(v["version"], 1);
        let objects = v["objects"].as_array().unwrap();
        for c in v["connections"].as_array().unwrap() {
            for cause in c["causes"].as_array().unwrap() {
                assert!(
                    objects
                        .iter()
                        .any(|o| o["kind"] == cause["kind"] && o["id"] == cause["id"]),
                    "{cause}"
                );
            }
        }
        assert_eq!(
            v["summary"]["objects"].as_u64().unwrap() as usize,
            objects.len()
        );
    }
}

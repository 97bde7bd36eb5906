//! Edits of YAML text that keep its formatting: append an item to a sequence, add an entry to
//! a mapping, delete an item, replace a scalar — at the indentation and in the style (block
//! or flow) the user wrote, so that only the changed lines differ.
//!
//! Spans are those the loader records: a block collection starts at its first key or `-`
//! (an indentless sequence after its first `- `) and ends where the next token is, so a
//! collection's span may end with blank and comment-only lines that belong to what follows;
//! [`content_end`] finds where its own text stops. A flow collection's span starts at its
//! bracket.
//!
//! New values are given as [`serde_json::Value`]s and rendered with two-space indents, plain
//! scalars where no YAML 1.1 or 1.2 reader could take them for something else, and
//! double-quoted scalars otherwise ([`scalar`]).

use std::fmt::Write;

use serde_json::Value;

use crate::base::edit::Edit;
use crate::base::span::Span;

/// A string as a YAML scalar: plain when safe, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || s.parse::<f64>().is_ok()
        || s.starts_with(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '.'))
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    if special {
        format!("{s:?}")
    } else {
        s.to_string()
    }
}

fn scalar_value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Array(_) | Value::Object(_) => flow(v),
    }
}

/// A value in flow style, on one line: `{app: web}`, `[80, 443]`.
pub fn flow(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => scalar_value(other),
    }
}

/// A value in block style, every line indented by `indent` spaces and ending with a newline.
/// Empty collections and scalars are written on their key's line.
pub fn block(v: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_block(&mut out, v, indent);
    out
}

fn is_nested(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

fn write_block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                if is_nested(v) {
                    let _ = writeln!(out, "{pad}{}:", scalar(k));
                    // Sequences under a key are indented like kubectl writes them.
                    write_block(out, v, indent + 2);
                } else {
                    let _ = writeln!(out, "{pad}{}: {}", scalar(k), flow(v));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&item_lines(item, indent));
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", flow(other));
        }
    }
}

/// A sequence item with its dash at column `dash` (0-based): `- key: v` and the item's other
/// lines indented under its first key.
pub fn item_lines(item: &Value, dash: usize) -> String {
    let pad = " ".repeat(dash);
    if !is_nested(item) {
        return format!("{pad}- {}\n", flow(item));
    }
    let inner = block(item, dash + 2);
    // The first line's indentation becomes the dash.
    format!("{pad}- {}", &inner[dash + 2..])
}

/// The 0-based column (in bytes) of an offset on its line.
pub fn column(text: &str, at: u32) -> usize {
    let at = (at as usize).min(text.len());
    at - line_start(text, at)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Where a block node's own text ends: just after the line break of its last line that holds
/// content (trailing blank and comment-only lines are left to what follows), or at the end of
/// the text when that line has no break.
pub fn content_end(text: &str, span: Span) -> u32 {
    let start = span.start as usize;
    let mut p = (span.end as usize).min(text.len());
    loop {
        while p > start && text.as_bytes()[p - 1].is_ascii_whitespace() {
            p -= 1;
        }
        let ls = line_start(text, p).max(start);
        if p > start && ls > start && text[ls..p].trim_start().starts_with('#') {
            p = ls;
            continue;
        }
        break;
    }
    match text[p..].find('\n') {
        // The rest of the line after the content is a comment at most: keep it with the node.
        Some(i) => (p + i + 1) as u32,
        None => text.len() as u32,
    }
}

fn is_flow(text: &str, span: Span) -> bool {
    matches!(
        text.as_bytes().get(span.start as usize),
        Some(b'[') | Some(b'{')
    )
}

/// The column of the `-` of the block sequence item that starts at `item_start`, when there
/// is one on the same line before it.
fn dash_before(text: &str, item_start: u32) -> Option<usize> {
    let b = text.as_bytes();
    let mut p = item_start as usize;
    if b.get(p) == Some(&b'-') && b.get(p + 1).is_none_or(|c| c.is_ascii_whitespace()) {
        return Some(p);
    }
    while p > 0 && b[p - 1] == b' ' {
        p -= 1;
    }
    (p > 0 && b[p - 1] == b'-').then_some(p - 1)
}

fn text_after_content(text: &str, at: u32, s: &str) -> String {
    let needs_break = at as usize == text.len() && !text.is_empty() && !text.ends_with('\n');
    if needs_break {
        format!("\n{s}")
    } else {
        s.to_string()
    }
}

/// Inserts before the closing bracket of a flow collection: `, new` or `new` when empty.
fn flow_insert(text: &str, span: Span, close: char, entry: String) -> Edit {
    let body = &text[span.start as usize..(span.end as usize).min(text.len())];
    let close_at = body.rfind(close).unwrap_or(body.len());
    let inside = body[1..close_at].trim();
    let at = span.start + close_at as u32;
    // Keep a trailing space before the bracket where the user wrote one: `{ a: b }`.
    let (lead, tail) = if inside.is_empty() {
        ("", "")
    } else if body[..close_at].ends_with(' ') {
        (", ", " ")
    } else {
        (", ", "")
    };
    if inside.is_empty() {
        return Edit::replace(
            Span::new(span.file, span.start + 1, at),
            format!("{lead}{entry}{tail}"),
        );
    }
    let trimmed_end = span.start + body[..close_at].trim_end().len() as u32;
    Edit::replace(
        Span::new(span.file, trimmed_end, at),
        format!("{lead}{entry}{tail}"),
    )
}

/// Appends an item to a sequence (block or flow), after its last item.
pub fn append_item(text: &str, seq: Span, item: &Value) -> Edit {
    if is_flow(text, seq) {
        return flow_insert(text, seq, ']', flow(item));
    }
    let dash = dash_before(text, seq.start)
        .map_or_else(|| column(text, seq.start), |d| column(text, d as u32));
    let at = content_end(text, seq);
    Edit::insert(
        seq.file,
        at,
        text_after_content(text, at, &item_lines(item, dash)),
    )
}

/// Adds `key: value` to a mapping (block or flow), after its last entry.
pub fn insert_entry(text: &str, map: Span, key: &str, value: &Value) -> Edit {
    if is_flow(text, map) {
        return flow_insert(text, map, '}', format!("{}: {}", scalar(key), flow(value)));
    }
    let indent = column(text, map.start);
    let mut entry = serde_json::Map::new();
    entry.insert(key.to_string(), value.clone());
    let at = content_end(text, map);
    Edit::insert(
        map.file,
        at,
        text_after_content(text, at, &block(&Value::Object(entry), indent)),
    )
}

/// Deletes one item of a sequence: its lines in block style (from its `-` to its last
/// content line), the item and one comma in flow style.
pub fn delete_item(text: &str, seq: Span, item: Span) -> Edit {
    if is_flow(text, seq) {
        let b = text.as_bytes();
        let mut end = (item.end as usize).min(text.len());
        let mut q = end;
        while q < b.len() && b[q] == b' ' {
            q += 1;
        }
        if b.get(q) == Some(&b',') {
            end = q + 1;
            while end < b.len() && b[end] == b' ' {
                end += 1;
            }
            return Edit::delete(Span::new(item.file, item.start, end as u32));
        }
        // The last item: take the comma before it.
        let mut s = item.start as usize;
        while s > seq.start as usize + 1 && b[s - 1] == b' ' {
            s -= 1;
        }
        if s > seq.start as usize + 1 && b[s - 1] == b',' {
            s -= 1;
        }
        return Edit::delete(Span::new(item.file, s as u32, item.end));
    }
    let dash = dash_before(text, item.start).unwrap_or(item.start as usize);
    let start = line_start(text, dash);
    // A dash that is not first on its line (`key: - x` cannot occur; `- - x` can): delete
    // from the dash only.
    let start = if text[start..dash].trim().is_empty() {
        start
    } else {
        dash
    };
    Edit::delete(Span::new(item.file, start as u32, content_end(text, item)))
}

/// Replaces a scalar, keeping its quoting style: double-quoted stays double-quoted,
/// single-quoted stays single-quoted, plain stays plain when the new value can be plain.
pub fn replace_scalar(text: &str, span: Span, value: &str) -> Edit {
    let old = &text[span.start as usize..(span.end as usize).min(text.len())];
    let new = if old.starts_with('"') {
        serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"))
    } else if old.starts_with('\'') {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        scalar(value)
    };
    // The span of a plain scalar may include trailing spaces before a comment: keep them.
    let trimmed = old.trim_end();
    let quoted_end = if old.starts_with(['"', '\'']) {
        old.len()
    } else {
        trimmed.len()
    };
    Edit::replace(
        Span::new(span.file, span.start, span.start + quoted_end as u32),
        new,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::edit::Patch;
    use crate::base::span::FileId;
    use serde_json::json;

    fn apply(text: &str, edit: Edit) -> String {
        let patch = Patch {
            edits: vec![edit],
            new_texts: vec![],
        };
        patch
            .apply(|_| ("t", None, text), |_| None)
            .unwrap()
            .pop()
            .map_or(text.to_string(), |c| c.after)
    }

    fn span_of(text: &str, needle: &str, len: usize) -> Span {
        let s = text.find(needle).unwrap() as u32;
        Span::new(FileId(0), s, s + len as u32)
    }

    #[test]
    fn scalars_are_quoted_when_a_reader_could_mistake_them() {
        assert_eq!(scalar("web"), "web");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("8080"), "\"8080\"");
        assert_eq!(scalar("a b"), "\"a b\"");
        assert_eq!(scalar("app.kubernetes.io/name"), "app.kubernetes.io/name");
    }

    #[test]
    fn appending_to_a_block_sequence_keeps_comments_and_indent() {
        let text = "from:\n  - podSelector: {matchLabels: {app: a}}  # the a\n  # trailing note\nports: []\n";
        let seq_start = text.find("podSelector").unwrap() as u32 - 2;
        let seq = Span::new(FileId(0), seq_start, text.find("ports").unwrap() as u32);
        let item = json!({"podSelector": {"matchLabels": {"app": "b"}}});
        assert_eq!(
            apply(text, append_item(text, seq, &item)),
            "from:\n  - podSelector: {matchLabels: {app: a}}  # the a\n  - podSelector:\n      matchLabels:\n        app: b\n  # trailing note\nports: []\n"
        );
    }

    #[test]
    fn appending_to_an_indentless_sequence_uses_its_dash_column() {
        let text = "from:\n- podSelector: {}\nto: x\n";
        // An indentless sequence starts after its first `- `.
        let start = text.find("podSelector").unwrap() as u32;
        let seq = Span::new(FileId(0), start, text.find("to:").unwrap() as u32);
        assert_eq!(
            apply(
                text,
                append_item(text, seq, &json!({"ipBlock": {"cidr": "10.0.0.0/8"}}))
            ),
            "from:\n- podSelector: {}\n- ipBlock:\n    cidr: 10.0.0.0/8\nto: x\n"
        );
    }

    #[test]
    fn appending_to_flow_sequences() {
        let text = "ports: [80, 443] # web\n";
        let seq = span_of(text, "[", 9);
        assert_eq!(
            apply(text, append_item(text, seq, &json!(8080))),
            "ports: [80, 443, 8080] # web\n"
        );
        let empty = "from: []\n";
        let seq = span_of(empty, "[", 2);
        assert_eq!(
            apply(empty, append_item(empty, seq, &json!({"podSelector": {}}))),
            "from: [{podSelector: {}}]\n"
        );
    }

    #[test]
    fn inserting_into_block_and_flow_mappings() {
        let text = "spec:\n  podSelector: {}\n  ingress: []\n\n# next\n";
        let map = Span::new(
            FileId(0),
            text.find("podSelector").unwrap() as u32,
            text.len() as u32,
        );
        assert_eq!(
            apply(
                text,
                insert_entry(text, map, "policyTypes", &json!(["Ingress"]))
            ),
            "spec:\n  podSelector: {}\n  ingress: []\n  policyTypes:\n    - Ingress\n\n# next\n"
        );
        let flow_map = "sel: { app: a }\n";
        let map = span_of(flow_map, "{", 10);
        assert_eq!(
            apply(flow_map, insert_entry(flow_map, map, "tier", &json!("db"))),
            "sel: { app: a, tier: db }\n"
        );
    }

    #[test]
    fn inserting_at_the_end_of_a_text_without_a_final_break() {
        let text = "a: 1";
        let map = Span::new(FileId(0), 0, 4);
        assert_eq!(
            apply(text, insert_entry(text, map, "b", &json!(2))),
            "a: 1\nb: 2\n"
        );
    }

    #[test]
    fn deleting_block_and_flow_items() {
        let text = "ports:\n  - port: 80\n    protocol: TCP\n  - port: 81 # dup\nnext: 1\n";
        let seq_start = text.find("- port").unwrap() as u32;
        let seq = Span::new(FileId(0), seq_start, text.find("next").unwrap() as u32);
        let item = Span::new(
            FileId(0),
            text.find("port: 81").unwrap() as u32,
            text.find("next").unwrap() as u32,
        );
        assert_eq!(
            apply(text, delete_item(text, seq, item)),
            "ports:\n  - port: 80\n    protocol: TCP\nnext: 1\n"
        );
        let flow_text = "x: [a, b, c]\n";
        let seq = span_of(flow_text, "[", 9);
        assert_eq!(
            apply(
                flow_text,
                delete_item(flow_text, seq, span_of(flow_text, "b", 1))
            ),
            "x: [a, c]\n"
        );
        assert_eq!(
            apply(
                flow_text,
                delete_item(flow_text, seq, span_of(flow_text, "c", 1))
            ),
            "x: [a, b]\n"
        );
    }

    #[test]
    fn replacing_scalars_keeps_quotes() {
        let text = "a: \"web\"\nb: 'x'\nc: plain   # note\n";
        assert_eq!(
            apply(
                text,
                replace_scalar(text, span_of(text, "\"web\"", 5), "api")
            ),
            "a: \"api\"\nb: 'x'\nc: plain   # note\n"
        );
        assert_eq!(
            apply(text, replace_scalar(text, span_of(text, "'x'", 3), "it's")),
            "a: \"web\"\nb: 'it''s'\nc: plain   # note\n"
        );
        assert_eq!(
            apply(text, replace_scalar(text, span_of(text, "plain", 8), "yes")),
            "a: \"web\"\nb: 'x'\nc: \"yes\"   # note\n"
        );
    }

    #[test]
    fn block_rendering_of_a_rule() {
        let rule = json!({"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http", "protocol": "TCP"}]});
        assert_eq!(
            item_lines(&rule, 4),
            "    - from:\n        - podSelector:\n            matchLabels:\n              app: web\n      ports:\n        - port: http\n          protocol: TCP\n"
        );
    }
}

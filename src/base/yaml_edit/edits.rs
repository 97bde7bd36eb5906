//! The edits themselves: append an item, add an entry, delete an item, replace a scalar or
//! a node, insert an item before another, each at the indentation and in the style (block or
//! flow) the user wrote.

use serde_json::Value;

use super::locate::{column, content_end, dash_before, is_flow, is_flow_seq, line_start};
use super::render::{Style, block_in, flow, item_lines_in, scalar};
use crate::base::edit::Edit;
use crate::base::span::Span;

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
    append_item_in(text, seq, item, Style::default())
}

/// [`append_item`], new lines in a file's style.
pub fn append_item_in(text: &str, seq: Span, item: &Value, style: Style) -> Edit {
    if is_flow_seq(text, seq) {
        return flow_insert(text, seq, ']', flow(item));
    }
    let dash = dash_before(text, seq.start)
        .map_or_else(|| column(text, seq.start), |d| column(text, d as u32));
    let at = content_end(text, seq);
    Edit::insert(
        seq.file,
        at,
        text_after_content(text, at, &item_lines_in(item, dash, style)),
    )
}

/// Adds `key: value` to a mapping (block or flow), after its last entry.
pub fn insert_entry(text: &str, map: Span, key: &str, value: &Value) -> Edit {
    insert_entry_in(text, map, key, value, Style::default())
}

/// [`insert_entry`], new lines in a file's style.
pub fn insert_entry_in(text: &str, map: Span, key: &str, value: &Value, style: Style) -> Edit {
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
        text_after_content(text, at, &block_in(&Value::Object(entry), indent, style)),
    )
}

/// Deletes one item of a sequence: its lines in block style (from its `-` to its last
/// content line), the item and one comma in flow style.
pub fn delete_item(text: &str, seq: Span, item: Span) -> Edit {
    if is_flow_seq(text, seq) {
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

/// Inserts an item into a sequence (block or flow) just before one of its items, `item`
/// (that item's span as the loader records it): on its own lines at the item's dash column in
/// block style, `new, ` before it in flow style.
pub fn insert_item_before(text: &str, seq: Span, item: Span, value: &Value) -> Edit {
    insert_item_before_in(text, seq, item, value, Style::default())
}

/// [`insert_item_before`], new lines in a file's style.
pub fn insert_item_before_in(
    text: &str,
    seq: Span,
    item: Span,
    value: &Value,
    style: Style,
) -> Edit {
    if is_flow_seq(text, seq) {
        return Edit::insert(item.file, item.start, format!("{}, ", flow(value)));
    }
    let Some(dash) = dash_before(text, item.start) else {
        // Not a block item after all: add it at the end instead.
        return append_item_in(text, seq, value, style);
    };
    let col = column(text, dash as u32);
    let start = line_start(text, dash);
    let lines = item_lines_in(value, col, style);
    if text[start..dash].trim().is_empty() {
        // Comment lines just above the item are about it: the new item goes above them.
        let mut at = start;
        while at > 0 {
            let prev = line_start(text, at - 1);
            if !text[prev..at].trim_start().starts_with('#') {
                break;
            }
            at = prev;
        }
        return Edit::insert(item.file, at as u32, lines);
    }
    // The dash follows something on its line (`- - x`): the new item takes its place and
    // the old one moves to the next line, at the same column.
    Edit::insert(
        item.file,
        dash as u32,
        format!("{}{}", &lines[col..], " ".repeat(col)),
    )
}

/// Replaces a scalar or a flow collection with a value written in flow style, in place:
/// `{}` → `{matchLabels: {app: web}}`, `null` → `[80]`. A comment after it stays.
pub fn replace_node(text: &str, node: Span, value: &Value) -> Edit {
    let body = &text[node.start as usize..(node.end as usize).min(text.len())];
    let end = if is_flow(text, node) {
        let close = if body.starts_with('[') { ']' } else { '}' };
        node.start + body.rfind(close).map_or(body.len(), |i| i + 1) as u32
    } else {
        // A plain scalar's span may run on over the spaces before a comment.
        let own = body.split(" #").next().unwrap_or(body);
        node.start + own.trim_end().len() as u32
    };
    Edit::replace(Span::new(node.file, node.start, end), flow(value))
}

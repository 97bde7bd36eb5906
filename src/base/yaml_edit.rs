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

/// How a file writes its collections, so that new lines look like the old ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// A sequence under a key starts at the key's column (`key:` then `- item`), as kubectl
    /// and most hand-written manifests write it, rather than two columns further.
    pub indentless: bool,
    /// Mappings and sequences of scalars are written on one line (`matchLabels: {app:
    /// web}`, `values: [a, b]`, `- {protocol: UDP, port: 53}`).
    pub flow_leaves: bool,
}

impl Style {
    /// The style a text is written in: for each, what most of its collections do (the
    /// default where it has none).
    pub fn of(text: &str) -> Style {
        let v = Votes::of(text);
        Style {
            indentless: v.indentless > v.indented,
            flow_leaves: v.flow,
        }
    }

    /// The style of the YAML document of `text` holding the byte offset `at` (what an edit
    /// there should look like), the whole text's where the document says nothing.
    pub fn near(text: &str, at: u32) -> Style {
        let at = (at as usize).min(text.len());
        let mut start = 0;
        let mut end = text.len();
        let mut pos = 0;
        for line in text.split_inclusive('\n') {
            let is_marker = line.starts_with("---")
                && matches!(
                    line.as_bytes().get(3),
                    None | Some(b' ' | b'\t' | b'\r' | b'\n')
                );
            if is_marker {
                if pos <= at {
                    start = pos;
                } else {
                    end = pos;
                    break;
                }
            }
            pos += line.len();
        }
        let doc = Votes::of(&text[start..end]);
        let file = Votes::of(text);
        let indentless = if doc.indentless + doc.indented > 0 {
            doc.indentless > doc.indented
        } else {
            file.indentless > file.indented
        };
        Style {
            indentless,
            flow_leaves: doc.flow,
        }
    }
}

/// What the collections of a text do.
struct Votes {
    indentless: usize,
    indented: usize,
    flow: bool,
}

impl Votes {
    fn of(text: &str) -> Votes {
        let lines: Vec<&str> = text.lines().collect();
        let (mut indentless, mut indented) = (0usize, 0usize);
        let mut flow = false;
        for (i, line) in lines.iter().enumerate() {
            let code = line.split(" #").next().unwrap_or(line);
            let trimmed = code.trim_end();
            let body = trimmed.trim_start();
            if body.starts_with('#') || body.is_empty() {
                continue;
            }
            // A value written as a one-line flow collection with content.
            if let Some(at) = body.find(": {").or_else(|| body.find(": [")) {
                let rest = &body[at + 3..];
                if !rest.starts_with(['}', ']']) && (rest.ends_with('}') || rest.ends_with(']')) {
                    flow = true;
                }
            } else if (body.starts_with("- {") && body.ends_with('}') && body.len() > 4)
                || (body.starts_with("- [") && body.ends_with(']') && body.len() > 4)
            {
                flow = true;
            }
            // A key with no value on its line, then a sequence item.
            if !body.ends_with(':') {
                continue;
            }
            let key_col =
                line.len() - line.trim_start().len() + if body.starts_with("- ") { 2 } else { 0 };
            let Some(next) = lines[i + 1..]
                .iter()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            else {
                continue;
            };
            if next.trim_start().starts_with("- ") || next.trim() == "-" {
                let col = next.len() - next.trim_start().len();
                if col == key_col {
                    indentless += 1;
                } else if col > key_col {
                    indented += 1;
                }
            }
        }
        Votes {
            indentless,
            indented,
            flow,
        }
    }
}

/// A value in block style, every line indented by `indent` spaces and ending with a newline.
/// Empty collections and scalars are written on their key's line.
pub fn block(v: &Value, indent: usize) -> String {
    block_in(v, indent, Style::default())
}

/// [`block`] in a file's style.
pub fn block_in(v: &Value, indent: usize, style: Style) -> String {
    let mut out = String::new();
    write_block(&mut out, v, indent, style);
    out
}

fn is_nested(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// A non-empty collection of scalars only.
fn is_leaf(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty() && !a.iter().any(is_nested),
        Value::Object(m) => !m.is_empty() && !m.values().any(is_nested),
        _ => false,
    }
}

fn write_block(out: &mut String, v: &Value, indent: usize, style: Style) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                if is_nested(v) && !(style.flow_leaves && is_leaf(v)) {
                    let _ = writeln!(out, "{pad}{}:", scalar(k));
                    let inner = match (v, style.indentless) {
                        (Value::Array(_), true) => indent,
                        _ => indent + 2,
                    };
                    write_block(out, v, inner, style);
                } else {
                    let _ = writeln!(out, "{pad}{}: {}", scalar(k), flow(v));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&item_lines_in(item, indent, style));
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
    item_lines_in(item, dash, Style::default())
}

/// [`item_lines`] in a file's style: with flow leaves, an item of several entries, each a
/// scalar or a collection of scalars, is written on its dash's line when it fits in 100
/// columns (`- {protocol: UDP, port: 53}`).
pub fn item_lines_in(item: &Value, dash: usize, style: Style) -> String {
    let pad = " ".repeat(dash);
    // With flow leaves, an item of several entries that are scalars or collections of
    // scalars goes on one line when it fits (`- {key: app, operator: In, values: [a]}`).
    let compact = |m: &serde_json::Map<String, Value>| {
        m.len() > 1
            && m.values().all(|v| !is_nested(v) || is_leaf(v))
            && dash + 2 + flow(item).len() <= 100
    };
    let one_line = match item {
        Value::Object(m) => style.flow_leaves && compact(m),
        Value::Array(_) => style.flow_leaves && is_leaf(item),
        _ => true,
    };
    if !is_nested(item) || one_line {
        return format!("{pad}- {}\n", flow(item));
    }
    let inner = block_in(item, dash + 2, style);
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

/// Whether a sequence is written in flow style. An indentless block sequence starts after
/// its first `- `, so its span may start with its first item's bracket (`- {key: a}`): it
/// is a block sequence when the text after that item, within the span, holds more items.
fn is_flow_seq(text: &str, seq: Span) -> bool {
    let b = text.as_bytes();
    match b.get(seq.start as usize) {
        Some(b'[') => {}
        // A flow sequence starts with `[`; `{` is the first item of a block one.
        _ => return false,
    }
    let Some(close) = matching_close(text, seq.start as usize) else {
        return true;
    };
    let end = (seq.end as usize).min(text.len());
    text.get(close + 1..end).is_none_or(|rest| {
        rest.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
    })
}

/// The offset of the bracket closing the flow collection that opens at `open`, skipping
/// quoted scalars and nested collections.
fn matching_close(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if q == b'"' && b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
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

/// One YAML document of a text, parsed again: the nodes the loader did not record on the
/// model (a policy's `spec` mapping, a selector's `matchExpressions` list), found from the
/// ones it did. Node spans are the loader's, so a span of the model finds its node.
pub struct Tree {
    doc: crate::load::yaml::Document,
}

/// A node of a [`Tree`].
pub type NodeRef = crate::load::yaml::NodeId;

impl Tree {
    /// The document of `text` (file `file`) that holds the byte offset `at`.
    pub fn at(file: crate::base::span::FileId, text: &str, at: u32) -> Option<Tree> {
        let (docs, _) =
            crate::load::yaml::parse_file(file, text, &crate::load::yaml::Limits::default());
        docs.into_iter()
            .find(|d| {
                let s = d.node(d.root).span;
                s.start <= at && at <= s.end
            })
            .map(|doc| Tree { doc })
    }

    /// The root node.
    pub fn root(&self) -> NodeRef {
        self.doc.root
    }

    /// The node written at `span`: the innermost with exactly that span (an indentless
    /// sequence of one item has the span of that item: the item is found), else the widest
    /// collection starting where it starts.
    pub fn find(&self, span: Span) -> Option<NodeRef> {
        use crate::load::yaml::{NodeKind, Slot};
        let nodes = &self.doc.nodes;
        let depth = |mut i: usize| {
            let mut d = 0;
            while let Some(p) = self.parent(i as NodeRef) {
                i = p as usize;
                d += 1;
                if d > 10_000 {
                    break;
                }
            }
            d
        };
        let exact = (0..nodes.len())
            .filter(|&i| {
                let s = nodes[i].span;
                s.start == span.start && s.end == span.end && nodes[i].slot != Slot::KeyOf
            })
            .max_by_key(|&i| depth(i));
        exact
            .or_else(|| {
                (0..nodes.len())
                    .filter(|&i| {
                        nodes[i].span.start == span.start
                            && !matches!(nodes[i].kind, NodeKind::Scalar(..))
                    })
                    .max_by_key(|&i| nodes[i].span.end)
            })
            .map(|i| i as NodeRef)
    }

    /// A node's span.
    pub fn span(&self, node: NodeRef) -> Span {
        self.doc.node(node).span
    }

    /// The value of `key` in a mapping node.
    pub fn get(&self, map: NodeRef, key: &str) -> Option<NodeRef> {
        self.entry(map, key).map(|(_, v)| v)
    }

    /// The key node and the value node of `key` in a mapping node.
    pub fn entry(&self, map: NodeRef, key: &str) -> Option<(NodeRef, NodeRef)> {
        use crate::load::yaml::NodeKind;
        let NodeKind::Map(entries) = &self.doc.node(map).kind else {
            return None;
        };
        entries
            .iter()
            .copied()
            .find(|&(k, _)| matches!(&self.doc.node(k).kind, NodeKind::Scalar(s, _) if &**s == key))
    }

    /// The node at a path of keys from `from`.
    pub fn path(&self, from: NodeRef, keys: &[&str]) -> Option<NodeRef> {
        keys.iter().try_fold(from, |n, k| self.get(n, k))
    }

    /// The items of a sequence node (none for another node).
    pub fn items(&self, seq: NodeRef) -> Vec<NodeRef> {
        match &self.doc.node(seq).kind {
            crate::load::yaml::NodeKind::Seq(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// Whether a node is a mapping.
    pub fn is_map(&self, node: NodeRef) -> bool {
        matches!(
            self.doc.node(node).kind,
            crate::load::yaml::NodeKind::Map(_)
        )
    }

    /// Whether a node is a sequence.
    pub fn is_seq(&self, node: NodeRef) -> bool {
        matches!(
            self.doc.node(node).kind,
            crate::load::yaml::NodeKind::Seq(_)
        )
    }

    /// The text of a scalar node.
    pub fn scalar(&self, node: NodeRef) -> Option<&str> {
        match &self.doc.node(node).kind {
            crate::load::yaml::NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The parent of a node (None for the root).
    pub fn parent(&self, node: NodeRef) -> Option<NodeRef> {
        let p = self.doc.node(node).parent;
        (p != crate::load::yaml::NodeId::MAX).then_some(p)
    }
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

    #[test]
    fn an_indentless_sequence_of_flow_items_is_a_block_sequence() {
        // The span of an indentless sequence starts after its first `- `: here, at a brace.
        let text = "matchExpressions:\n- {key: a, operator: Exists}\n- {key: t, operator: NotIn, values: [db]}\nnext: 1\n";
        let start = text.find('{').unwrap() as u32;
        let seq = Span::new(FileId(0), start, text.find("next").unwrap() as u32);
        let item = json!({"key": "app", "operator": "NotIn", "values": ["api"]});
        let style = Style::of(text);
        assert!(style.indentless && style.flow_leaves);
        assert_eq!(
            apply(text, append_item_in(text, seq, &item, style)),
            "matchExpressions:\n- {key: a, operator: Exists}\n- {key: t, operator: NotIn, values: [db]}\n- {key: app, operator: NotIn, values: [api]}\nnext: 1\n"
        );
        // A flow sequence that is an item's value stays one.
        let flow_text = "from: [{podSelector: {}}]   # all\n";
        let seq = span_of(flow_text, "[", 25);
        assert_eq!(
            apply(
                flow_text,
                append_item(flow_text, seq, &json!({"ipBlock": {"cidr": "10.0.0.0/8"}}))
            ),
            "from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}}]   # all\n"
        );
    }

    #[test]
    fn styles_are_read_from_the_text_and_the_document() {
        let kubectl = "spec:\n  ports:\n    - port: 80\n  from:\n    - x: 1\n";
        assert_eq!(Style::of(kubectl), Style::default());
        let hand = "spec:\n  ports:\n  - {port: 80, protocol: TCP}\n";
        assert_eq!(
            Style::of(hand),
            Style {
                indentless: true,
                flow_leaves: true
            }
        );
        // The document of an offset decides; one without sequences takes the file's way.
        let two =
            "a:\n- x\nb: {c: d}\n---\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n";
        let second = two.find("spec").unwrap() as u32;
        assert_eq!(
            Style::near(two, second),
            Style {
                indentless: true,
                flow_leaves: false
            }
        );
        assert!(Style::near(two, 0).flow_leaves);
    }

    #[test]
    fn values_are_written_in_a_style() {
        let rule = json!({"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": "postgres"}, {"protocol": "UDP", "port": 53}]});
        let style = Style {
            indentless: true,
            flow_leaves: true,
        };
        assert_eq!(
            item_lines_in(&rule, 2, style),
            "  - to:\n    - podSelector:\n        matchLabels: {app: db}\n    ports:\n    - port: postgres\n    - {protocol: UDP, port: 53}\n"
        );
    }

    #[test]
    fn an_item_is_inserted_before_another_and_its_comments() {
        let text = "ingress:\n  # Nothing from dev.\n  - action: Deny\n  - action: Pass\n";
        let first = text.find("action: Deny").unwrap() as u32;
        let seq = Span::new(FileId(0), first - 2, text.len() as u32);
        let item = Span::new(FileId(0), first, first + 12);
        assert_eq!(
            apply(
                text,
                insert_item_before(text, seq, item, &json!({"action": "Allow"}))
            ),
            "ingress:\n  - action: Allow\n  # Nothing from dev.\n  - action: Deny\n  - action: Pass\n"
        );
        let flow_text = "x: [a, b]\n";
        let seq = span_of(flow_text, "[", 6);
        assert_eq!(
            apply(
                flow_text,
                insert_item_before(flow_text, seq, span_of(flow_text, "b", 1), &json!("c"))
            ),
            "x: [a, c, b]\n"
        );
    }

    #[test]
    fn nodes_are_replaced_in_flow_style() {
        let text = "podSelector: {}   # all\nports: null\n";
        assert_eq!(
            apply(
                text,
                replace_node(
                    text,
                    span_of(text, "{}", 2),
                    &json!({"matchLabels": {"app": "web"}})
                )
            ),
            "podSelector: {matchLabels: {app: web}}   # all\nports: null\n"
        );
        assert_eq!(
            apply(
                text,
                replace_node(text, span_of(text, "null", 4), &json!([80]))
            ),
            "podSelector: {}   # all\nports: [80]\n"
        );
    }

    #[test]
    fn a_tree_finds_what_the_loader_did_not_record() {
        let text = "a: 1\n---\nspec:\n  ingress:\n  - from: [x]\n  egress: []\n";
        let at = text.find("spec").unwrap() as u32;
        let tree = Tree::at(FileId(0), text, at).unwrap();
        let spec = tree.get(tree.root(), "spec").unwrap();
        assert!(tree.is_map(spec));
        let ingress = tree.path(tree.root(), &["spec", "ingress"]).unwrap();
        let items = tree.items(ingress);
        assert_eq!(items.len(), 1);
        // The indentless sequence of one item has that item's span: `find` gives the item.
        let found = tree.find(tree.span(items[0])).unwrap();
        assert!(tree.is_map(found));
        assert_eq!(tree.parent(found), Some(ingress));
        assert!(tree.is_seq(tree.get(spec, "egress").unwrap()));
        assert_eq!(
            tree.scalar(
                tree.get(tree.items(tree.get(items[0], "from").unwrap())[0], "x")
                    .unwrap_or(tree.items(tree.get(items[0], "from").unwrap())[0])
            ),
            Some("x")
        );
    }
}

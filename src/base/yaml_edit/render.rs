//! Rendering new values as YAML text: scalars plain where safe and double-quoted otherwise
//! ([`scalar`]), flow collections ([`flow`]), block collections and sequence items at a given
//! indentation, in the [`Style`] of the text they join.

use std::fmt::Write;

use serde_json::Value;

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

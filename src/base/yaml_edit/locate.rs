//! Locating the parts of a node in the text: columns and line starts, where a block node's
//! own text ends ([`content_end`]), whether a collection is written in flow style, the
//! bracket that closes a flow collection, the `-` of a sequence item.

use crate::base::span::Span;

/// The 0-based column (in bytes) of an offset on its line.
pub fn column(text: &str, at: u32) -> usize {
    let at = (at as usize).min(text.len());
    at - line_start(text, at)
}

/// The offset of the start of the line holding the offset `at` (at most the text's end).
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
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

pub(super) fn is_flow(text: &str, span: Span) -> bool {
    matches!(
        text.as_bytes().get(span.start as usize),
        Some(b'[') | Some(b'{')
    )
}

/// Whether a sequence is written in flow style. An indentless block sequence starts after
/// its first `- `, so its span may start with its first item's bracket (`- {key: a}`): it
/// is a block sequence when the text after that item, within the span, holds more items.
pub(super) fn is_flow_seq(text: &str, seq: Span) -> bool {
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

/// The offset of the `-` of the block sequence item that starts at `item_start`, when there
/// is one on the same line before it (the item may start at the `-` itself).
pub fn dash_before(text: &str, item_start: u32) -> Option<usize> {
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

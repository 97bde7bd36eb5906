//! The JSON path: a document that is strict JSON (what `kubectl get -o json` prints, and so
//! what `--from-cluster` reads) is parsed straight into the arena.
//!
//! JSON is YAML's flow syntax, and saphyr reads it, but it holds every token of a flow
//! collection in memory until the collection ends (in flow context, any node might still turn
//! out to be a mapping key): a cluster dump, one `List` whose `items` span the whole file,
//! would take about 17 times its size before the first node is built. This module reads
//! JSON a token at a time, in linear time and without that buffer.
//!
//! Its contract: for a piece of text it either builds the same nodes saphyr would (values,
//! styles, parents, slots: strings are quoted scalars, numbers, `true`, `false` and `null`
//! plain ones, as written) or returns `None` at the first byte outside strict JSON (a
//! comment, a trailing comma, a single quote...), and saphyr parses the piece. The little
//! JSON that YAML refuses (a key whose `:` is on the next line, the escape `\/`, a
//! surrogate pair `\ud83d\ude00`) is read as JSON, as kubectl reads JSON input. Spans are the
//! tokens' own text (a string with its quotes, a collection from its opening to its closing
//! bracket), never wider. A problem the arena finds (a duplicate key, nesting too deep, too
//! many nodes) is reported here, as saphyr's path reports it.

use std::borrow::Cow;

use super::{Builder, Document, Ev, Limits, Style, on_node_event};
use crate::base::span::{FileId, Span};
use crate::load::Problem;

/// Outside strict JSON: let saphyr parse this piece.
struct Bail;

/// What stops the parse: bail out to saphyr, or a problem of the document.
enum Stop {
    Bail,
    Problem(Span, String),
}

impl From<Bail> for Stop {
    fn from(_: Bail) -> Self {
        Stop::Bail
    }
}

/// Deepest nesting followed (the arena refuses far less deep nesting anyway).
const MAX_DEPTH: usize = 256;

/// Parses one piece of a file that starts (after white space) with `{` or `[`, or returns
/// None when it is not strict JSON.
pub(super) fn parse_chunk(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    limits: &Limits,
) -> Option<(Vec<Document>, Vec<Problem>, usize)> {
    let chunk = &text[start..end];
    let b = chunk.as_bytes();
    let first = b.iter().position(|c| !is_ws(*c))?;
    if !matches!(b[first], b'{' | b'[') {
        return None;
    }
    let base = u32::try_from(start).ok()?;
    u32::try_from(end).ok()?;
    // Every node but the first follows a `[`, `{`, `,` or `:`: an upper bound of the nodes
    // (exact when no string holds those characters), so that the arena never grows.
    let bound = 1 + b
        .iter()
        .filter(|c| matches!(c, b'[' | b'{' | b',' | b':'))
        .count();
    let mut p = J {
        t: chunk,
        b,
        base,
        file,
        builder: Builder::new(file, limits, bound.min(limits.max_nodes)),
        depth: 0,
    };
    match p.value(first).and_then(|e| p.rest(e)) {
        Ok(()) => {}
        Err(Stop::Bail) => return None,
        Err(Stop::Problem(span, message)) => {
            return Some((Vec::new(), vec![Problem::new(span, message)], 0));
        }
    }
    let builder = p.builder;
    let root = builder.root?;
    let nodes = builder.nodes.len();
    Some((
        vec![Document {
            file,
            nodes: builder.nodes,
            root,
        }],
        Vec::new(),
        nodes,
    ))
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

struct J<'t, 'l> {
    t: &'t str,
    b: &'t [u8],
    base: u32,
    file: FileId,
    builder: Builder<'l>,
    depth: usize,
}

impl<'t> J<'t, '_> {
    fn ws(&self, mut i: usize) -> usize {
        while i < self.b.len() && is_ws(self.b[i]) {
            i += 1;
        }
        i
    }

    fn emit(&mut self, ev: Ev<'t>, a: usize, b: usize) -> Result<(), Stop> {
        let span = Span::new(self.file, self.base + a as u32, self.base + b as u32);
        on_node_event(&mut self.builder, ev, span).map_err(|(span, m)| Stop::Problem(span, m))
    }

    /// After the top value: white space only, or a comment saphyr reads.
    fn rest(&self, e: usize) -> Result<(), Stop> {
        if self.ws(e) == self.b.len() {
            Ok(())
        } else {
            Err(Stop::Bail)
        }
    }

    /// The value at `i`; returns where it ends.
    fn value(&mut self, i: usize) -> Result<usize, Stop> {
        match self.b.get(i) {
            Some(b'{') => self.collection(i, false),
            Some(b'[') => self.collection(i, true),
            Some(b'"') => {
                let (e, s) = self.string(i)?;
                self.emit(Ev::Scalar(s, Style::Quoted, 0), i, e)?;
                Ok(e)
            }
            Some(_) => {
                let e = self.literal(i)?;
                self.emit(
                    Ev::Scalar(Cow::Borrowed(&self.t[i..e]), Style::Plain, 0),
                    i,
                    e,
                )?;
                Ok(e)
            }
            None => Err(Stop::Bail),
        }
    }

    /// An object or an array at `i`.
    fn collection(&mut self, i: usize, seq: bool) -> Result<usize, Stop> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Stop::Bail);
        }
        let close = if seq { b']' } else { b'}' };
        let start = if seq {
            Ev::SequenceStart(0)
        } else {
            Ev::MappingStart(0)
        };
        self.emit(start, i, i + 1)?;
        let mut k = self.ws(i + 1);
        if self.b.get(k) != Some(&close) {
            loop {
                if !seq {
                    if self.b.get(k) != Some(&b'"') {
                        return Err(Stop::Bail);
                    }
                    let (e, key) = self.string(k)?;
                    self.emit(Ev::Scalar(key, Style::Quoted, 0), k, e)?;
                    let colon = self.ws(e);
                    if self.b.get(colon) != Some(&b':') {
                        return Err(Stop::Bail);
                    }
                    k = self.ws(colon + 1);
                }
                let e = self.value(k)?;
                k = self.ws(e);
                match self.b.get(k) {
                    Some(b',') => k = self.ws(k + 1),
                    Some(&c) if c == close => break,
                    _ => return Err(Stop::Bail),
                }
            }
        }
        let end = if seq { Ev::SequenceEnd } else { Ev::MappingEnd };
        self.emit(end, k, k + 1)?;
        self.depth -= 1;
        Ok(k + 1)
    }

    /// A string at `i` (its opening quote): where it ends, and its value.
    fn string(&self, i: usize) -> Result<(usize, Cow<'t, str>), Stop> {
        let mut k = i + 1;
        let mut escaped = false;
        loop {
            match self.b.get(k) {
                None => return Err(Stop::Bail),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    k += 2;
                }
                Some(&c) if c < 0x20 => return Err(Stop::Bail),
                Some(_) => k += 1,
            }
        }
        let raw = &self.t[i..=k];
        if !escaped {
            return Ok((k + 1, Cow::Borrowed(&raw[1..raw.len() - 1])));
        }
        match serde_json::from_str::<String>(raw) {
            Ok(s) => Ok((k + 1, Cow::Owned(s))),
            Err(_) => Err(Stop::Bail),
        }
    }

    /// A number, `true`, `false` or `null` at `i`: where it ends.
    fn literal(&self, i: usize) -> Result<usize, Stop> {
        let b = self.b;
        for word in [&b"true"[..], b"false", b"null"] {
            if b[i..].starts_with(word) {
                return self.delimited(i + word.len());
            }
        }
        let digits = |mut k: usize| {
            let s = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            (k > s).then_some(k)
        };
        let mut k = i;
        if b.get(k) == Some(&b'-') {
            k += 1;
        }
        k = match b.get(k) {
            Some(b'0') => k + 1,
            Some(b'1'..=b'9') => digits(k).ok_or(Bail)?,
            _ => return Err(Stop::Bail),
        };
        if b.get(k) == Some(&b'.') {
            k = digits(k + 1).ok_or(Bail)?;
        }
        if matches!(b.get(k), Some(b'e' | b'E')) {
            k += 1;
            if matches!(b.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            k = digits(k).ok_or(Bail)?;
        }
        self.delimited(k)
    }

    /// `k` if what is there ends a literal (white space, `,`, `]`, `}` or the end).
    fn delimited(&self, k: usize) -> Result<usize, Stop> {
        match self.b.get(k) {
            None | Some(b',' | b']' | b'}') => Ok(k),
            Some(&c) if is_ws(c) => Ok(k),
            _ => Err(Stop::Bail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NodeKind, parse_chunk_saphyr};
    use super::*;
    use crate::synth::Rng;

    /// The nodes of a parse without their spans: what must agree with saphyr.
    fn shape(docs: &[Document]) -> String {
        let mut out = String::new();
        for d in docs {
            for n in &d.nodes {
                let kind = match &n.kind {
                    NodeKind::Scalar(s, st) => format!("{s:?} {st:?}"),
                    NodeKind::Seq(items) => format!("seq {items:?}"),
                    NodeKind::Map(entries) => format!("map {entries:?}"),
                };
                out.push_str(&format!("{kind} <- {} {:?}\n", n.parent, n.slot));
            }
            out.push_str(&format!("root {}\n", d.root));
        }
        out
    }

    /// Parses `text` both ways. The JSON path takes exactly what serde_json takes, and then
    /// agrees with saphyr wherever saphyr reads the text. Returns whether it took the text.
    fn check(text: &str) -> bool {
        let limits = Limits::default();
        let slow = parse_chunk_saphyr(FileId(1), text, 0, text.len(), &limits);
        let fast = parse_chunk(FileId(1), text, 0, text.len(), &limits);
        let json = serde_json::from_str::<serde_json::Value>(text).is_ok()
            && text.trim_start().starts_with(['{', '[']);
        // (A problem the arena finds may come before a syntax error: then either stands.)
        if fast.as_ref().is_none_or(|f| f.1.is_empty()) {
            assert_eq!(fast.is_some(), json, "JSON or not: {text:?}");
        }
        let Some(fast) = fast else {
            return false;
        };
        if slow.1.is_empty() {
            assert_eq!(
                shape(&fast.0),
                shape(&slow.0),
                "the JSON path disagrees with saphyr on {text:?}"
            );
            assert!(fast.1.is_empty(), "{text:?}: {:?}", fast.1);
        } else {
            // JSON YAML does not read (a key's `:` on the next line, `\/`, a surrogate
            // pair) is read as JSON, as kubectl reads JSON input; what the arena refuses is
            // refused both ways.
            assert!(
                fast.1.is_empty() || !slow.1.is_empty(),
                "{text:?}: {:?}",
                fast.1
            );
        }
        for d in &fast.0 {
            for n in &d.nodes {
                let s = &text[n.span.start as usize..n.span.end as usize];
                match &n.kind {
                    NodeKind::Scalar(v, Style::Plain) => assert_eq!(s, &**v),
                    NodeKind::Scalar(..) => assert!(s.starts_with('"') && s.ends_with('"')),
                    NodeKind::Seq(_) => assert!(s.starts_with('[') && s.ends_with(']')),
                    NodeKind::Map(_) => assert!(s.starts_with('{') && s.ends_with('}')),
                }
            }
        }
        true
    }

    #[test]
    fn json_takes_the_json_path_and_agrees_with_saphyr() {
        for text in [
            "{}",
            "[]",
            " {\"a\": 1}\n",
            "{\n\t\"kind\": \"List\",\r\n\t\"items\": [{\"a\": 80}, {\"b\": [true, false, null, -0.5e+3, 0, \"\"]}]\n}\n",
            "{\"esc\": \"tab\\there \\\"q\\\" \\u00e9 \\ud83d\\ude00 \\/\"}",
            "{\"a b\": {\"c\": [[], {}, [1, [2, [3]]]]}}",
            "[\"yes\", \"0777\", \"on\", \"~\"]",
            "{\"a\": 1, \"a\": 2}",
        ] {
            assert!(check(text), "the JSON path bailed out on {text:?}");
        }
    }

    #[test]
    fn what_is_not_strict_json_is_left_to_saphyr() {
        for text in [
            "{a: 1}",
            "{'a': 1}",
            "[1, 2,]",
            "{\"a\": 1,}",
            "[1] # c",
            "[01]",
            "[1.]",
            "[.5]",
            "[+1]",
            "[-]",
            "[1e]",
            "[tru]",
            "[truex]",
            "[NaN]",
            "{\"a\" 1}",
            "[\"unterminated]",
            "[\"bad \\x escape\"]",
            "[\"ctrl \u{1} char\"]",
            "[1] [2]",
            "a: 1",
            "[1, &x 2]",
            "{\"a\": [1, 2}",
            "",
        ] {
            assert!(!check(text), "the JSON path took {text:?}");
        }
    }

    #[test]
    fn random_json_agrees_with_saphyr() {
        let mut r = Rng::new(0x1505);
        const ATOMS: [&str; 12] = [
            "1",
            "-2.5",
            "1e3",
            "0",
            "true",
            "false",
            "null",
            "\"s\"",
            "\"\"",
            "\"a\\nb\"",
            "\"é\"",
            "\"k: v\"",
        ];
        fn value(r: &mut Rng, depth: usize, out: &mut String) {
            let ws = |r: &mut Rng| *r.pick(&["", " ", "\n  ", "\t", "\r\n"]);
            match r.below(if depth < 4 { 4 } else { 1 }) {
                0 => {
                    let atom: &&str = r.pick(&ATOMS);
                    out.push_str(atom);
                }
                1 => {
                    out.push('[');
                    for i in 0..r.below(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(ws(r));
                        value(r, depth + 1, out);
                    }
                    out.push_str(ws(r));
                    out.push(']');
                }
                _ => {
                    out.push('{');
                    for i in 0..r.below(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(ws(r));
                        out.push_str(&format!("\"k{i}\"{}:{}", ws(r), ws(r)));
                        value(r, depth + 1, out);
                    }
                    out.push_str(ws(r));
                    out.push('}');
                }
            }
        }
        let mut taken = 0;
        for _ in 0..2000 {
            let mut text = String::new();
            if r.chance(50) {
                value(&mut r, 0, &mut text);
                text = format!("[{text}]");
            } else {
                text.push('{');
                text.push_str("\"a\": ");
                value(&mut r, 0, &mut text);
                text.push('}');
            }
            taken += usize::from(check(&text));
            // One byte changed: either path may refuse it, but never disagree.
            let mut bytes = text.into_bytes();
            let at = r.below(bytes.len());
            bytes[at] = *r.pick(b"{}[],:\" 1a#");
            if let Ok(t) = String::from_utf8(bytes) {
                check(&t);
            }
        }
        assert_eq!(taken, 2000);
    }

    #[test]
    fn a_cluster_dump_never_grows_its_arena() {
        let items: Vec<String> = (0..500)
            .map(|i| format!("{{\"kind\": \"Pod\", \"metadata\": {{\"name\": \"p{i}\"}}}}"))
            .collect();
        let text = format!("{{\"kind\": \"List\", \"items\": [{}]}}", items.join(",\n"));
        let limits = Limits::default();
        let (docs, problems, nodes) =
            parse_chunk(FileId(0), &text, 0, text.len(), &limits).unwrap();
        assert!(problems.is_empty());
        assert_eq!(docs[0].nodes.len(), nodes);
        assert_eq!(docs[0].nodes.capacity(), nodes);
    }
}

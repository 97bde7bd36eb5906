//! The fast path: block-style YAML as manifests and cluster dumps are written, parsed straight
//! into the arena without saphyr — or not at all.
//!
//! saphyr allocates and grows a string for every plain scalar and tokenises character by
//! character; on a large cluster dump that is most of the loading time. Most manifests use a
//! small part of YAML, which this module reads a line at a time from the bytes. Its contract:
//! for a piece of text (one document, as [`super::split_documents`] cuts them) it either
//! returns exactly what [`super::parse_chunk_saphyr`] returns — the same node events with the
//! same spans, fed to the same [`Builder`] — or `None`, and saphyr parses the piece. It bails
//! out at the first thing outside its subset, and where YAML could read a line two ways it
//! does not choose: it bails out.
//!
//! The subset: printable ASCII and newlines only (no tabs, no `\r`); an optional `---` line;
//! block mappings with plain keys; block sequences (indented or not) whose items are
//! scalars, compact mappings (`- key: value`) or flow collections; values on the key's line
//! (plain scalars, single- or double-quoted scalars without backslashes, single-line flow
//! collections with plain keys) or nested blocks on the following lines; comments. Out of
//! it, among others: anchors, aliases, tags, block scalars (`|`, `>`), multi-line scalars
//! and flow collections, explicit keys (`?`), quoted keys, directives, `...`, empty flow
//! entries, a scalar more indented than its key on the next line, and any syntax error.
//!
//! The spans follow saphyr's tokens: a block collection starts where its first key (or `-`)
//! is (an indentless sequence: after its first `- `), and ends where the next token is (the
//! first character of the next content line, or the end of the text); an empty value sits on
//! its `:`, an empty item after its `- `; a flow collection ends after its closing bracket and
//! the spaces and comment that follow it. The differential tests below hold the two paths to
//! the same output.

use std::borrow::Cow;

use super::{Builder, Document, Ev, Limits, Style, on_node_event};
use crate::base::span::{FileId, Span};
use crate::load::Problem;

/// Out of the subset: let saphyr parse this piece.
struct Bail;

type R<T> = Result<T, Bail>;

/// Where the next token is: the first non-space byte of the next line that holds content,
/// and its column; column -1 at the end of the text.
#[derive(Clone, Copy, Debug)]
struct Next {
    pos: usize,
    col: isize,
}

/// Deepest nesting the fast path follows (the builder refuses far less deep nesting anyway).
const MAX_DEPTH: usize = 256;

/// Longest key saphyr accepts as a simple key is 1024 characters; stay clear of it.
const MAX_KEY: usize = 1000;

/// Parses one piece of a file, or returns None when it is outside the subset.
pub(super) fn parse_chunk(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    limits: &Limits,
) -> Option<(Vec<Document>, Vec<Problem>, usize)> {
    let chunk = &text[start..end];
    if !chunk
        .bytes()
        .all(|c| c == b'\n' || (b' '..=b'~').contains(&c))
    {
        return None;
    }
    let base = u32::try_from(start).ok()?;
    u32::try_from(end).ok()?;
    let mut p = P {
        t: chunk,
        b: chunk.as_bytes(),
        base,
        file,
        // About one node per 12 bytes in manifests; a huge document grows as it goes.
        builder: Builder::new(file, limits, (chunk.len() / 12).min(1 << 16)),
        depth: 0,
    };
    p.document().ok()?;
    let b = p.builder;
    if !b.stack.is_empty() {
        return None;
    }
    let root = b.root?;
    let nodes = b.nodes.len();
    Some((
        vec![Document {
            file,
            nodes: b.nodes,
            root,
        }],
        Vec::new(),
        nodes,
    ))
}

fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

struct P<'t, 'l> {
    t: &'t str,
    b: &'t [u8],
    base: u32,
    file: FileId,
    builder: Builder<'l>,
    depth: usize,
}

impl<'t> P<'t, '_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// Whether the byte at `i` is a space, a newline, or the end.
    fn blank_or_end(&self, i: usize) -> bool {
        matches!(self.at(i), None | Some(b' ' | b'\n'))
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.at(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// The start of the line after the one `i` is on.
    fn line_after(&self, i: usize) -> usize {
        match self.b[i.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
        {
            Some(n) => i + n + 1,
            None => self.b.len(),
        }
    }

    fn emit(&mut self, ev: Ev<'t>, a: usize, b: usize) -> R<()> {
        let span = Span::new(self.file, self.base + a as u32, self.base + b as u32);
        on_node_event(&mut self.builder, ev, span).map_err(|_| Bail)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// From the start of a line: the next line holding content. Comment lines are skipped;
    /// with `comment_limit`, one indented deeper than it bails out (after a scalar, saphyr
    /// reads such lines in ways the fast path does not follow).
    fn next_content(&self, mut line: usize, comment_limit: Option<usize>) -> R<Next> {
        loop {
            if line >= self.b.len() {
                return Ok(Next {
                    pos: self.b.len(),
                    col: -1,
                });
            }
            let s = self.skip_spaces(line);
            let col = s - line;
            match self.at(s) {
                None => {
                    return Ok(Next {
                        pos: self.b.len(),
                        col: -1,
                    });
                }
                Some(b'\n') => line = s + 1,
                Some(b'#') => {
                    if comment_limit.is_some_and(|c| col > c) {
                        return Err(Bail);
                    }
                    line = self.line_after(s);
                }
                Some(_) => {
                    // Document markers (and anything that looks like one) are saphyr's.
                    if col == 0
                        && (self.b[s..].starts_with(b"---") || self.b[s..].starts_with(b"..."))
                    {
                        return Err(Bail);
                    }
                    return Ok(Next {
                        pos: s,
                        col: col as isize,
                    });
                }
            }
        }
    }

    /// After a token that ends a line: spaces, then a comment (after a space), then the end
    /// of the line. Returns the start of the next line.
    fn line_rest(&self, i: usize) -> R<usize> {
        let j = self.skip_spaces(i);
        match self.at(j) {
            None => Ok(self.b.len()),
            Some(b'\n') => Ok(j + 1),
            Some(b'#') if j > i => Ok(self.line_after(j)),
            _ => Err(Bail),
        }
    }

    /// What saphyr's tokens for quoted scalars and flow collection ends take in after
    /// themselves: spaces, and a comment after a space, up to the end of the line.
    fn ws_to_eol(&self, i: usize) -> R<usize> {
        let j = self.skip_spaces(i);
        if self.at(j) != Some(b'#') {
            return Ok(j);
        }
        if j == i {
            return Err(Bail);
        }
        Ok(match self.b[j..].iter().position(|&c| c == b'\n') {
            Some(n) => j + n,
            None => self.b.len(),
        })
    }

    /// Whether a `-` at `i` starts a block sequence entry.
    fn is_entry(&self, i: usize) -> bool {
        self.at(i) == Some(b'-') && self.blank_or_end(i + 1)
    }

    /// Whether a plain scalar may start at `i` (conservatively: no indicator at all, and `-`
    /// only before an ordinary character).
    fn plain_start(&self, i: usize) -> bool {
        match self.at(i) {
            None => false,
            Some(b'-') => match self.at(i + 1) {
                None | Some(b' ' | b'\n') => false,
                Some(c) => !is_flow(c),
            },
            Some(c) => !matches!(
                c,
                b'?' | b':'
                    | b','
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'\''
                    | b'"'
                    | b'%'
                    | b'@'
                    | b'`'
                    | b' '
                    | b'\n'
            ),
        }
    }

    /// Scans a one-line plain scalar from `i` (a valid start); returns where it ends (after
    /// its last non-space character). It stops at `: ` (and `:` before a flow indicator in
    /// flow context), at ` #`, at the end of the line, and in flow context at `,[]{}`. In
    /// flow context, saphyr refuses `-` before a flow indicator after a space inside one.
    fn plain(&self, i: usize, in_flow: bool) -> R<usize> {
        let b = self.b;
        let stops = |k: usize| -> bool {
            let c = b[k];
            if c == b' ' || c == b'\n' {
                return true;
            }
            if c == b':' {
                let nc = b.get(k + 1).copied();
                if matches!(nc, None | Some(b' ' | b'\n')) || (in_flow && nc.is_some_and(is_flow)) {
                    return true;
                }
            }
            in_flow && is_flow(c)
        };
        let mut k = i;
        let mut end = i;
        loop {
            while k < b.len() && !stops(k) {
                k += 1;
            }
            end = end.max(k);
            let j = self.skip_spaces(k);
            if j == k || j >= b.len() || b[j] == b'\n' || b[j] == b'#' || stops(j) {
                return Ok(end);
            }
            if in_flow && b[j] == b'-' && b.get(j + 1).copied().is_some_and(is_flow) {
                return Err(Bail);
            }
            k = j;
        }
    }

    /// Scans a one-line quoted scalar at `i`: where its token ends (after the closing quote
    /// and what [`Self::ws_to_eol`] takes in) and its value.
    fn quoted(&self, i: usize) -> R<(usize, Cow<'t, str>)> {
        let q = self.b[i];
        let mut k = i + 1;
        let mut escaped = false;
        loop {
            match self.at(k) {
                None | Some(b'\n') => return Err(Bail),
                Some(b'\\') if q == b'"' => return Err(Bail),
                Some(c) if c == q => {
                    if q == b'\'' && self.at(k + 1) == Some(b'\'') {
                        escaped = true;
                        k += 2;
                        continue;
                    }
                    break;
                }
                Some(_) => k += 1,
            }
        }
        let raw = &self.t[i + 1..k];
        let value = if escaped {
            Cow::Owned(raw.replace("''", "'"))
        } else {
            Cow::Borrowed(raw)
        };
        Ok((self.ws_to_eol(k + 1)?, value))
    }

    /// The document: leading comments, an optional `---` line, one block collection.
    fn document(&mut self) -> R<()> {
        let mut line = 0;
        loop {
            let s = self.skip_spaces(line);
            match self.at(s) {
                None => return Err(Bail),
                Some(b'\n') => line = s + 1,
                Some(b'#') => line = self.line_after(s),
                Some(_) => {
                    if s == line && self.b[s..].starts_with(b"---") {
                        if !self.blank_or_end(s + 3) {
                            return Err(Bail);
                        }
                        line = self.line_rest(s + 3)?;
                    }
                    break;
                }
            }
        }
        let n = self.next_content(line, None)?;
        if n.col < 0 {
            return Err(Bail);
        }
        let end = self.block_node(n)?;
        if end.col >= 0 {
            return Err(Bail);
        }
        Ok(())
    }

    /// A block collection starting at the first token of a line.
    fn block_node(&mut self, n: Next) -> R<Next> {
        let col = n.col as usize;
        if self.is_entry(n.pos) {
            self.block_seq(n.pos, col, false)
        } else {
            self.block_map(n.pos, col)
        }
    }

    /// A block mapping whose first key is at `k0`, column `c`.
    fn block_map(&mut self, k0: usize, c: usize) -> R<Next> {
        self.enter()?;
        self.emit(Ev::MappingStart(0), k0, k0)?;
        let mut k = k0;
        loop {
            if !self.plain_start(k) {
                return Err(Bail);
            }
            let ke = self.plain(k, false)?;
            let colon = self.skip_spaces(ke);
            if colon - k > MAX_KEY || self.at(colon) != Some(b':') || !self.blank_or_end(colon + 1)
            {
                return Err(Bail);
            }
            self.emit(
                Ev::Scalar(Cow::Borrowed(&self.t[k..ke]), Style::Plain, 0),
                k,
                ke,
            )?;
            let r = self.skip_spaces(colon + 1);
            let next = match self.at(r) {
                None | Some(b'\n') | Some(b'#') => {
                    if self.at(r) == Some(b'#') && r == colon + 1 {
                        return Err(Bail);
                    }
                    let n = self.next_content(self.line_after(r.min(self.b.len())), None)?;
                    if n.col > c as isize {
                        self.block_node(n)?
                    } else if n.col == c as isize && self.is_entry(n.pos) {
                        self.block_seq(n.pos, c, true)?
                    } else {
                        self.emit(Ev::Scalar(Cow::Borrowed(""), Style::Plain, 0), colon, colon)?;
                        n
                    }
                }
                Some(_) => {
                    let line = self.inline_value(r)?;
                    let n = self.next_content(line, Some(c))?;
                    if n.col > c as isize {
                        return Err(Bail);
                    }
                    n
                }
            };
            if next.col == c as isize {
                if self.is_entry(next.pos) {
                    return Err(Bail);
                }
                k = next.pos;
                continue;
            }
            if next.col > c as isize {
                return Err(Bail);
            }
            self.emit(Ev::MappingEnd, next.pos, next.pos)?;
            self.depth -= 1;
            return Ok(next);
        }
    }

    /// A value that ends its line (a scalar or a flow collection) at `r`; returns the start
    /// of the next line.
    fn inline_value(&mut self, r: usize) -> R<usize> {
        match self.b[r] {
            b'[' | b'{' => {
                let e = self.flow(r)?;
                self.line_rest(e)
            }
            b'\'' | b'"' => {
                let (e, value) = self.quoted(r)?;
                self.emit(Ev::Scalar(value, Style::Quoted, 0), r, e)?;
                self.line_rest(e)
            }
            _ => {
                if !self.plain_start(r) {
                    return Err(Bail);
                }
                let e = self.plain(r, false)?;
                self.emit(
                    Ev::Scalar(Cow::Borrowed(&self.t[r..e]), Style::Plain, 0),
                    r,
                    e,
                )?;
                self.line_rest(e)
            }
        }
    }

    /// A block sequence whose first `-` is at `d0`, column `c`; `indentless` when it is the
    /// value of a key in the same column.
    fn block_seq(&mut self, d0: usize, c: usize, indentless: bool) -> R<Next> {
        self.enter()?;
        let mut d = d0;
        let mut first = true;
        loop {
            let m = self.skip_spaces(d + 1);
            if first {
                let s = if indentless { m } else { d0 };
                self.emit(Ev::SequenceStart(0), s, s)?;
                first = false;
            }
            let next = match self.at(m) {
                None | Some(b'\n') => {
                    let n = self.next_content(self.line_after(m.min(self.b.len())), None)?;
                    if n.col > c as isize {
                        return Err(Bail);
                    }
                    self.emit(Ev::Scalar(Cow::Borrowed(""), Style::Plain, 0), m, m)?;
                    n
                }
                Some(b'#') => return Err(Bail),
                Some(b'-') if self.is_entry(m) => return Err(Bail),
                Some(b'\'' | b'"') => {
                    let (e, value) = self.quoted(m)?;
                    if self.at(self.skip_spaces(e)) == Some(b':') {
                        return Err(Bail);
                    }
                    self.emit(Ev::Scalar(value, Style::Quoted, 0), m, e)?;
                    let line = self.line_rest(e)?;
                    self.after_item(line, c)?
                }
                Some(b'[' | b'{') => {
                    let e = self.flow(m)?;
                    let line = self.line_rest(e)?;
                    self.after_item(line, c)?
                }
                Some(_) => {
                    if !self.plain_start(m) {
                        return Err(Bail);
                    }
                    let e = self.plain(m, false)?;
                    if self.at(self.skip_spaces(e)) == Some(b':') {
                        // A compact mapping: `- key: value`.
                        self.block_map(m, c + (m - d))?
                    } else {
                        self.emit(
                            Ev::Scalar(Cow::Borrowed(&self.t[m..e]), Style::Plain, 0),
                            m,
                            e,
                        )?;
                        let line = self.line_rest(e)?;
                        self.after_item(line, c)?
                    }
                }
            };
            if next.col == c as isize && self.is_entry(next.pos) {
                d = next.pos;
                continue;
            }
            if next.col > c as isize || (next.col == c as isize && !indentless) {
                return Err(Bail);
            }
            self.emit(Ev::SequenceEnd, next.pos, next.pos)?;
            self.depth -= 1;
            return Ok(next);
        }
    }

    /// After an item that ended its line: the next content, which may not be deeper.
    fn after_item(&self, line: usize, c: usize) -> R<Next> {
        let n = self.next_content(line, Some(c))?;
        if n.col > c as isize {
            return Err(Bail);
        }
        Ok(n)
    }

    /// A one-line flow collection at `i` (`[` or `{`); returns where its end token ends
    /// (after the closing bracket and the spaces and comment that follow it).
    fn flow(&mut self, i: usize) -> R<usize> {
        self.enter()?;
        let seq = self.b[i] == b'[';
        let close = if seq { b']' } else { b'}' };
        let mut k = self.skip_spaces(i + 1);
        match self.at(k) {
            None | Some(b'\n' | b'#') => return Err(Bail),
            _ => {}
        }
        let start = if seq {
            Ev::SequenceStart(0)
        } else {
            Ev::MappingStart(0)
        };
        self.emit(start, i, k)?;
        if self.at(k) != Some(close) {
            loop {
                if !seq {
                    if !self.plain_start(k) {
                        return Err(Bail);
                    }
                    let ke = self.plain(k, true)?;
                    let colon = self.skip_spaces(ke);
                    if self.at(colon) != Some(b':') || self.at(colon + 1) != Some(b' ') {
                        return Err(Bail);
                    }
                    self.emit(
                        Ev::Scalar(Cow::Borrowed(&self.t[k..ke]), Style::Plain, 0),
                        k,
                        ke,
                    )?;
                    k = self.skip_spaces(colon + 1);
                }
                k = self.flow_item(k)?;
                k = self.skip_spaces(k);
                match self.at(k) {
                    Some(b',') => {
                        k = self.skip_spaces(k + 1);
                        match self.at(k) {
                            None | Some(b'\n' | b'#' | b',' | b']' | b'}') => return Err(Bail),
                            _ => {}
                        }
                    }
                    Some(c) if c == close => break,
                    _ => return Err(Bail),
                }
            }
        }
        // `k` is at the closing bracket.
        let e = self.ws_to_eol(k + 1)?;
        let end = if seq { Ev::SequenceEnd } else { Ev::MappingEnd };
        self.emit(end, k, e)?;
        self.depth -= 1;
        Ok(e)
    }

    /// One item of a flow collection (a value of a flow mapping, or an entry of a flow
    /// sequence): returns where its token ends.
    fn flow_item(&mut self, k: usize) -> R<usize> {
        let e = match self.at(k) {
            Some(b'[' | b'{') => self.flow(k)?,
            Some(b'\'' | b'"') => {
                let (e, value) = self.quoted(k)?;
                self.emit(Ev::Scalar(value, Style::Quoted, 0), k, e)?;
                e
            }
            _ => {
                if !self.plain_start(k) {
                    return Err(Bail);
                }
                let e = self.plain(k, true)?;
                self.emit(
                    Ev::Scalar(Cow::Borrowed(&self.t[k..e]), Style::Plain, 0),
                    k,
                    e,
                )?;
                e
            }
        };
        // An implicit mapping (`[a: b]`), a quoted key, or `a: b: c`: saphyr's.
        if self.at(self.skip_spaces(e)) == Some(b':') {
            return Err(Bail);
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_chunk_saphyr, split_documents};
    use super::*;
    use crate::synth::Rng;

    /// Parses every piece of `text` both ways; the fast path must bail out or agree with
    /// saphyr exactly (nodes, spans, parents, slots, styles). Returns how many pieces the fast
    /// path took, and how many there were.
    fn check(text: &str) -> (usize, usize) {
        let limits = Limits::default();
        let chunks = split_documents(text);
        let mut fast = 0;
        for &(s, e) in &chunks {
            let slow = parse_chunk_saphyr(FileId(3), text, s, e, &limits);
            if let Some(f) = parse_chunk(FileId(3), text, s, e, &limits) {
                fast += 1;
                assert_eq!(
                    format!("{f:?}"),
                    format!("{slow:?}"),
                    "the fast path disagrees with saphyr on {:?}",
                    &text[s..e]
                );
            }
        }
        (fast, chunks.len())
    }

    fn takes_fast_path(text: &str) {
        let (fast, all) = check(text);
        assert_eq!(fast, all, "the fast path bailed out on {text:?}");
    }

    fn bails_out(text: &str) {
        let (fast, _) = check(text);
        assert_eq!(fast, 0, "the fast path took {text:?}");
    }

    #[test]
    fn manifests_take_the_fast_path_and_agree() {
        takes_fast_path(
            "a: 1\nb:\n  - x\n  - \"y\"\n  - k: v\n    k2: [p, {q: r}]\n  -\n  - \nc:\nd: {}\n# c\ne: []   # x\n",
        );
        takes_fast_path(
            "---  # c\nkind: x\nspec:\n  containers:\n  - name: a\n    ports:\n    -  \n    - \"q\"\n  - 'it''s'\n  -\nk : [ a , b ]  \nm: {x: 1}   # hi\nn: [\"a\"]\n",
        );
        takes_fast_path("- a\n- b: 1\n  c: [x, [y, z], {k: v w}]\n-\n");
        takes_fast_path("  indented: root\n  next: 2");
        takes_fast_path("a:\n  # comment\n\n  b: c # d\n# e\nf: g");
        takes_fast_path("url: http://h:80/p#frag\nx: a#b\ny: -1\nz: ~\nw: a - b\nv: ''\nu: \"\"\n");
        for dir in ["testdata/demo", "testdata/demo/policies"] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    check(&text);
                }
            }
        }
    }

    #[test]
    fn a_generated_cluster_takes_the_fast_path_everywhere() {
        let c = crate::synth::Cluster::generate(&crate::synth::Params::new(300, 150, 2));
        for (_, text) in &c.files {
            takes_fast_path(text);
        }
    }

    #[test]
    fn the_rest_of_yaml_is_left_to_saphyr() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: multi\n  line\n",
            "a: \"esc\\n\"\n",
            "a: 'open\n",
            "? a\n: b\n",
            "\"q\": 1\n",
            "a: [1,\n  2]\n",
            "a:\n\tb: 1\n",
            "a: 1\r\n",
            "a: é\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n...\n",
            "just a scalar\n",
            "{\"json\": true}\n",
            "a: 1\na: 2\n",
            "a: b: c\n",
            "a: [b: c]\n",
            "- - x\n",
            "a: 1\n  b: 2\n",
            "a:\n  - x\n  b: 1\n",
            "a: [x]y\n",
            "a: [x]#c\n",
            "",
            "# only a comment\n",
        ] {
            bails_out(text);
        }
    }

    #[test]
    fn deep_nesting_is_refused_by_saphyr_s_rules() {
        let text = (0..150)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>();
        bails_out(&text);
        bails_out(&format!("a: {}{}\n", "[".repeat(150), "]".repeat(150)));
        takes_fast_path(&format!("a: {}x{}\n", "[".repeat(50), "]".repeat(50)));
    }

    /// Keys, then scalars: the subset first, then what is out of it (or invalid).
    const KEYS: [&str; 10] = [
        "a",
        "b",
        "kind",
        "app.kubernetes.io/name",
        "k y",
        "x-1",
        "1",
        "a:b",
        "-k",
        "<<",
    ];
    const SAFE_KEYS: usize = 9;
    const SCALARS: [&str; 25] = [
        "a",
        "b c",
        "x:y",
        "a#b",
        "-1",
        "~",
        "null",
        "'it''s'",
        "\"q\"",
        "\"a'b\"",
        "'x'",
        "http://h:80/p",
        "''",
        "\"\"",
        "1.5",
        "a - b",
        "a\\b",
        "a #c",
        "é",
        "x: y",
        "&a v",
        "*a",
        "|",
        "'a' b",
        "\"e\\n\"",
    ];
    const SAFE_SCALARS: usize = 18;
    const TRAILING: [&str; 6] = ["", "", "", "  ", " # c", "  #c"];

    /// A random YAML writer: mostly the fast path's subset when `strict`, anything otherwise.
    struct Gen {
        r: Rng,
        strict: bool,
        keys: usize,
    }

    impl Gen {
        fn key(&mut self) -> String {
            let n = if self.strict { SAFE_KEYS } else { KEYS.len() };
            let k = KEYS[self.r.below(n)];
            self.keys += 1;
            if self.strict {
                // Keys unique within the document, so that no mapping has duplicates.
                format!("{k}{}", self.keys)
            } else {
                k.to_string()
            }
        }

        fn scalar(&mut self) -> &'static str {
            let n = if self.strict {
                SAFE_SCALARS
            } else {
                SCALARS.len()
            };
            SCALARS[self.r.below(n)]
        }

        fn trailing(&mut self) -> &'static str {
            TRAILING[self.r.below(TRAILING.len())]
        }

        fn noise(&mut self, out: &mut String, col: usize) {
            match self.r.below(12) {
                0 => out.push('\n'),
                1 => {
                    pad(out, self.r.below(col + 1));
                    out.push_str("# note\n");
                }
                2 => {
                    pad(out, self.r.below(3));
                    out.push('\n');
                }
                3 if !self.strict => {
                    pad(out, col + 2);
                    out.push_str("# deep\n");
                }
                _ => {}
            }
        }

        fn flow(&mut self, out: &mut String, depth: usize) {
            let seq = self.r.chance(50);
            out.push(if seq { '[' } else { '{' });
            let n = self.r.below(4);
            for i in 0..n {
                if i > 0 {
                    let sep = *self.r.pick(&[", ", ",", " , ", ", "]);
                    out.push_str(sep);
                } else if self.r.chance(20) {
                    out.push(' ');
                }
                if !seq {
                    let k = self.key();
                    out.push_str(&k);
                    let colon = *self.r.pick(&[": ", ": ", ":", " : "]);
                    out.push_str(colon);
                }
                if depth < 3 && self.r.chance(20) {
                    self.flow(out, depth + 1);
                } else {
                    out.push_str(self.scalar());
                }
            }
            if self.r.chance(15) {
                out.push(' ');
            }
            out.push(if seq { ']' } else { '}' });
        }

        fn value(&mut self, out: &mut String, col: usize, ind: usize, depth: usize) {
            match self.r.below(if depth < 4 { 9 } else { 6 }) {
                0..=3 => {
                    out.push(' ');
                    out.push_str(self.scalar());
                    out.push_str(self.trailing());
                    out.push('\n');
                }
                4 => {
                    out.push_str(self.trailing());
                    out.push('\n');
                }
                5 => {
                    out.push(' ');
                    self.flow(out, 0);
                    out.push_str(self.trailing());
                    out.push('\n');
                }
                6 | 7 => {
                    out.push('\n');
                    self.noise(out, col);
                    let indentless = self.r.chance(50);
                    let at = if indentless { col } else { col + ind };
                    self.seq(out, at, ind, depth + 1);
                }
                _ => {
                    out.push('\n');
                    self.noise(out, col);
                    self.map(out, col + ind, ind, depth + 1, false);
                }
            }
        }

        /// A block mapping at `col`; `inline`: its first key follows a `- ` already written.
        fn map(&mut self, out: &mut String, col: usize, ind: usize, depth: usize, inline: bool) {
            for i in 0..self.r.range(1, 4) {
                if i > 0 || !inline {
                    self.noise(out, col);
                    pad(out, col);
                }
                let k = self.key();
                out.push_str(&k);
                if self.r.chance(5) {
                    out.push(' ');
                }
                out.push(':');
                self.value(out, col, ind, depth);
            }
        }

        fn seq(&mut self, out: &mut String, col: usize, ind: usize, depth: usize) {
            for _ in 0..self.r.range(1, 4) {
                pad(out, col);
                out.push('-');
                match self.r.below(7) {
                    0 => {
                        out.push_str(self.trailing());
                        out.push('\n');
                    }
                    1 | 2 => {
                        out.push(' ');
                        out.push_str(self.scalar());
                        out.push_str(self.trailing());
                        out.push('\n');
                    }
                    3 => {
                        out.push(' ');
                        self.flow(out, 0);
                        out.push('\n');
                    }
                    4 if depth < 4 && !self.strict => {
                        out.push('\n');
                        self.seq(out, col + ind, ind, depth + 1);
                    }
                    _ => {
                        let gap = self.r.range(1, 2);
                        pad(out, gap);
                        self.map(out, col + 1 + gap, ind, depth + 1, true);
                    }
                }
                self.noise(out, col);
            }
        }

        fn document(&mut self) -> String {
            self.strict = self.r.chance(60);
            self.keys = 0;
            let mut out = String::new();
            match self.r.below(6) {
                0 => out.push_str("---\n"),
                1 => out.push_str("--- # c\n"),
                2 => out.push_str("# head\n"),
                _ => {}
            }
            let ind = self.r.range(1, 4);
            if self.r.chance(20) {
                self.seq(&mut out, 0, ind, 0);
            } else {
                self.map(&mut out, 0, ind, 0, false);
            }
            if self.r.chance(20) {
                out.push_str("---\n");
                self.map(&mut out, 0, ind, 0, false);
            }
            out
        }
    }

    fn pad(out: &mut String, col: usize) {
        out.extend(std::iter::repeat_n(' ', col));
    }

    fn mutate(r: &mut Rng, text: &str) -> String {
        const INSERTS: [char; 21] = [
            ' ', '\n', '-', ':', '#', '[', ']', '{', '}', ',', '\'', '"', '&', '*', '!', '|', '>',
            '?', 'a', '\t', '.',
        ];
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..r.range(1, 3) {
            let at = r.below(chars.len() + 1);
            match r.below(3) {
                0 => chars.insert(at, *r.pick(&INSERTS)),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ => {
                    // Duplicate a line.
                    let s: String = chars.iter().collect();
                    let lines: Vec<&str> = s.split_inclusive('\n').collect();
                    if !lines.is_empty() {
                        let i = r.below(lines.len());
                        let mut v: Vec<&str> = lines.clone();
                        v.insert(i, lines[i]);
                        chars = v.concat().chars().collect();
                    }
                }
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn random_documents_parse_alike_both_ways() {
        let mut g = Gen {
            r: Rng::new(0x5eed),
            strict: true,
            keys: 0,
        };
        let (mut fast, mut all) = (0, 0);
        // Real-looking documents too: the pieces of a small generated cluster.
        let cluster = crate::synth::Cluster::generate(&crate::synth::Params::new(60, 40, 9));
        let pieces: Vec<&str> = cluster
            .files
            .iter()
            .flat_map(|(_, t)| split_documents(t).into_iter().map(move |(a, b)| &t[a..b]))
            .collect();
        for _ in 0..3000 {
            let doc = if g.r.chance(10) {
                g.strict = false;
                g.r.pick(&pieces).to_string()
            } else {
                g.document()
            };
            let (f, a) = check(&doc);
            if g.strict {
                fast += f;
                all += a;
            }
            check(&mutate(&mut g.r, &doc));
        }
        // And noise: short random texts over YAML's indicators.
        const ALPHABET: &[u8] = b" \n-:#[]{},'\"ab1!&*|>?%@.~";
        for _ in 0..3000 {
            let len = g.r.below(80);
            let text: String = (0..len).map(|_| *g.r.pick(ALPHABET) as char).collect();
            check(&text);
        }
        // In strict mode the generator mostly writes the subset: the fast path must have been
        // exercised (it still bails out on comments deeper than a scalar's key, and the like).
        assert!(
            fast * 2 > all,
            "the fast path took only {fast} of {all} documents"
        );
    }
}

//! YAML (and JSON, which is YAML's flow syntax) into an arena of nodes with byte spans.
//!
//! Parsing is event based (saphyr-parser) and never recursive, so hostile nesting cannot
//! overflow the stack. Invariants of the arena:
//! - every node keeps the span of its text, and its first parent and slot (key or index), so
//!   a field path such as `spec.ingress[1].from[0]` can be rebuilt for any node;
//! - an alias is a second reference to the anchored node, never a copy; the number of nodes
//!   aliases add to a document once expanded is tracked as it is built, and a document whose
//!   aliases add more than [`Limits::max_alias_nodes`] is refused (the "billion laughs" bomb);
//! - a document holds at most [`Limits::max_nodes`] nodes and nests at most
//!   [`Limits::max_depth`] deep: past either, it is refused as soon as the limit is met;
//! - an alias may only refer to a finished node, so the arena is acyclic;
//! - scalars keep their text and whether they were plain or quoted: `yes`, `0777` and `on`
//!   stay the strings they are written as, and typing happens only where a field asks for it.
//!
//! A file is first cut at its document markers (`---` at the start of a line, which YAML
//! forbids inside any scalar), and each piece is parsed on its own: a syntax error loses
//! only the document it is in, and large files are parsed on all cores. Each document is
//! handed on ([`for_each_document`]) as soon as it is built, so a file of many documents is
//! never held as a whole in the arena.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};

use super::Problem;
use crate::base::span::{FileId, Span};

mod fast;
mod hint;
mod json;
mod template;

/// Index of a node in a [`Document`].
pub type NodeId = u32;

/// Limits that keep hostile input cheap to refuse. Each is met while parsing, before the
/// work or memory past it is spent.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest nesting of collections accepted.
    pub max_depth: usize,
    /// Most nodes one document may hold (a cluster dump read as one `List` is one document).
    pub max_nodes: usize,
    /// Most nodes aliases may add to one document once expanded.
    pub max_alias_nodes: u64,
    /// Most documents one file may hold.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 100,
            max_nodes: 10_000_000,
            max_alias_nodes: 1_000_000,
            max_documents: 1_000_000,
        }
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: may be read as a number, boolean or null where a field wants one.
    Plain,
    /// Quoted or a block scalar: always a string.
    Quoted,
}

/// What a node holds.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A scalar and how it was written.
    Scalar(Box<str>, Style),
    /// A sequence of node ids.
    Seq(Vec<NodeId>),
    /// A mapping of (key, value) node ids, in document order, merge keys applied.
    Map(Vec<(NodeId, NodeId)>),
}

/// Where a node sits in its first parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The document root (or a node not yet attached).
    Root,
    /// The value of the key node with this id.
    Key(NodeId),
    /// The item at this index.
    Index(u32),
    /// A mapping key itself.
    KeyOf,
}

/// One node of the arena.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its content.
    pub kind: NodeKind,
    /// Its text in the file.
    pub span: Span,
    /// Its first parent (`NodeId::MAX` for the root).
    pub parent: NodeId,
    /// Where it sits in that parent.
    pub slot: Slot,
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// The file it was read from.
    pub file: FileId,
    /// The arena.
    pub nodes: Vec<Node>,
    /// The root node.
    pub root: NodeId,
}

impl Document {
    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// Whether the document holds only a null (an empty document between two `---`).
    pub fn is_empty(&self) -> bool {
        matches!(&self.node(self.root).kind, NodeKind::Scalar(s, Style::Plain) if is_null_text(s))
    }

    /// The field path of a node, relative to the ancestor `from` (`spec.ingress[1].ports`).
    pub fn path(&self, id: NodeId, from: NodeId) -> String {
        let mut segments = Vec::new();
        let mut cur = id;
        let mut guard = 0;
        while cur != from && cur != NodeId::MAX && guard < 10_000 {
            guard += 1;
            let node = self.node(cur);
            match node.slot {
                Slot::Root => break,
                Slot::Key(k) => match &self.node(k).kind {
                    NodeKind::Scalar(s, _) => segments.push(PathSeg::Key(s)),
                    _ => segments.push(PathSeg::Key("?")),
                },
                Slot::Index(i) => segments.push(PathSeg::Index(i)),
                Slot::KeyOf => {}
            }
            cur = node.parent;
        }
        let mut out = String::new();
        for seg in segments.iter().rev() {
            match seg {
                PathSeg::Key(k)
                    if k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
                {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                PathSeg::Key(k) => out.push_str(&format!("[{k:?}]")),
                PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

enum PathSeg<'a> {
    Key(&'a str),
    Index(u32),
}

/// Whether a plain scalar's text means null in YAML.
pub fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Parses every document of a file. Problems are returned, not raised: a broken document is
/// reported and the others are still read.
pub fn parse_file(file: FileId, text: &str, limits: &Limits) -> (Vec<Document>, Vec<Problem>) {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for_each_document(
        file,
        text,
        limits,
        |doc| doc,
        |item| match item {
            Ok(doc) => docs.push(doc),
            Err(p) => problems.push(p),
        },
    );
    (docs, problems)
}

/// How many document pieces are parsed (in parallel) before their results are handed on.
const BATCH: usize = 2048;

/// Parses every document of a file and hands each, as soon as it is built, to `decode` (on
/// any thread), then what `decode` made of it, or a problem, to `sink` (in document order,
/// on this thread). Only a batch of documents is ever held at once, whatever their number.
pub fn for_each_document<R: Send>(
    file: FileId,
    text: &str,
    limits: &Limits,
    decode: impl Fn(Document) -> R + Sync,
    mut sink: impl FnMut(Result<R, Problem>),
) {
    let chunks = split_documents(text);
    // Counting the pieces is cheap: a file of too many documents is refused before any is
    // parsed. (A piece may hold several documents through `...`: those are counted below.)
    if chunks.len() > limits.max_documents {
        sink(Err(too_many_documents(file, text, &chunks, limits)));
        return;
    }
    let piece = |&(start, end): &(usize, usize)| {
        let (docs, problems, _) = parse_chunk(file, text, start, end, limits);
        let decoded: Vec<R> = docs.into_iter().map(&decode).collect();
        (decoded, problems)
    };
    let mut count = 0usize;
    for batch in chunks.chunks(BATCH) {
        let results: Vec<(Vec<R>, Vec<Problem>)> = if batch.len() > 64 {
            batch.par_iter().map(piece).collect()
        } else {
            batch.iter().map(piece).collect()
        };
        for (decoded, problems) in results {
            for r in decoded {
                count += 1;
                if count > limits.max_documents {
                    sink(Err(too_many_documents(file, text, &chunks, limits)));
                    return;
                }
                sink(Ok(r));
            }
            problems.into_iter().for_each(|p| sink(Err(p)));
        }
    }
}

/// The problem of a file with more documents than [`Limits::max_documents`], at the first
/// document past the limit.
fn too_many_documents(
    file: FileId,
    text: &str,
    chunks: &[(usize, usize)],
    limits: &Limits,
) -> Problem {
    let at = chunks.get(limits.max_documents).map_or(text.len(), |c| c.0) as u32;
    Problem::new(
        Span::new(file, at, at),
        format!(
            "more than {} YAML documents in one file; refused",
            limits.max_documents
        ),
    )
}

/// Cuts a text at its document start markers: byte ranges, each a stream of its own.
/// A `---` at the start of a line cannot occur inside any YAML scalar, so the cut is exact;
/// directive lines (`%YAML`) just before a marker travel with it.
fn split_documents(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut cuts = vec![0usize];
    let mut line_start = 0usize;
    // Start of the run of directive/comment/blank lines just before the current line.
    let mut prologue_start: Option<usize> = None;
    while line_start < bytes.len() {
        let line_end = bytes[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| line_start + p);
        let line = &bytes[line_start..line_end];
        let is_marker =
            line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r'));
        if is_marker && line_start > 0 {
            let cut = prologue_start.unwrap_or(line_start);
            if cut > *cuts.last().unwrap() {
                cuts.push(cut);
            }
        }
        let first = line.iter().find(|b| !b.is_ascii_whitespace());
        if line.first() == Some(&b'%') {
            prologue_start.get_or_insert(line_start);
        } else if !matches!(first, None | Some(b'#')) || is_marker {
            prologue_start = None;
        }
        line_start = line_end + 1;
    }
    let mut ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    ranges.push((*cuts.last().unwrap(), bytes.len()));
    ranges
}

/// Converts the parser's character indexes into byte offsets, moving a cursor as the
/// (mostly increasing) indexes arrive.
struct Offsets<'a> {
    text: &'a str,
    base: usize,
    ascii: bool,
    char_idx: usize,
    byte_idx: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        Offsets {
            text,
            base,
            ascii: text.is_ascii(),
            char_idx: 0,
            byte_idx: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> u32 {
        if self.ascii {
            return (self.base + char_index.min(self.text.len())) as u32;
        }
        if char_index < self.char_idx {
            self.char_idx = 0;
            self.byte_idx = 0;
        }
        let mut chars = self.text[self.byte_idx..].chars();
        while self.char_idx < char_index {
            match chars.next() {
                Some(c) => {
                    self.char_idx += 1;
                    self.byte_idx += c.len_utf8();
                }
                None => break,
            }
        }
        (self.base + self.byte_idx) as u32
    }
}

enum Open {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
        anchor: usize,
        size: u64,
    },
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
        anchor: usize,
        size: u64,
        merges: Vec<NodeId>,
        /// The keys of `entries` by hash of their text, once there are many of them, so that
        /// finding duplicates stays linear in large mappings.
        index: Option<HashMap<u64, Vec<NodeId>>>,
    },
}

/// Mappings with more entries than this index their keys.
const INDEX_KEYS_FROM: usize = 16;

fn key_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

struct Builder<'a> {
    file: FileId,
    limits: &'a Limits,
    nodes: Vec<Node>,
    sizes: Vec<u64>,
    stack: Vec<Open>,
    anchors: HashMap<usize, NodeId>,
    root: Option<NodeId>,
    /// Nodes aliases add to the document once expanded.
    alias_nodes: u64,
}

impl<'a> Builder<'a> {
    /// An empty arena, with room for `capacity` nodes.
    fn new(file: FileId, limits: &'a Limits, capacity: usize) -> Self {
        Builder {
            file,
            limits,
            nodes: Vec::with_capacity(capacity),
            sizes: Vec::with_capacity(capacity),
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            alias_nodes: 0,
        }
    }

    fn push_node(
        &mut self,
        kind: NodeKind,
        span: Span,
        size: u64,
    ) -> Result<NodeId, (Span, String)> {
        if self.nodes.len() >= self.limits.max_nodes {
            return Err((
                span,
                format!(
                    "more than {} YAML nodes in one document; refused",
                    self.limits.max_nodes
                ),
            ));
        }
        self.nodes.push(Node {
            kind,
            span,
            parent: NodeId::MAX,
            slot: Slot::Root,
        });
        self.sizes.push(size);
        Ok((self.nodes.len() - 1) as NodeId)
    }

    /// Attaches a finished node to the open collection (or makes it the root).
    fn attach(&mut self, id: NodeId, alias: bool) -> Result<(), (Span, String)> {
        let size = self.sizes[id as usize];
        let span = self.nodes[id as usize].span;
        if alias {
            // What the alias adds once expanded: every node of what it refers to, aliases
            // in it included.
            self.alias_nodes = self.alias_nodes.saturating_add(size);
            if self.alias_nodes > self.limits.max_alias_nodes {
                return Err((
                    span,
                    format!(
                        "aliases expand this document by more than {} nodes (an alias bomb?); refused",
                        self.limits.max_alias_nodes
                    ),
                ));
            }
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(id);
            return Ok(());
        };
        let set_parent = |nodes: &mut Vec<Node>, parent: NodeId, slot: Slot| {
            let n = &mut nodes[id as usize];
            if n.parent == NodeId::MAX && !alias {
                n.parent = parent;
                n.slot = slot;
            }
        };
        match top {
            Open::Seq {
                id: parent,
                items,
                size: total,
                ..
            } => {
                let parent = *parent;
                set_parent(&mut self.nodes, parent, Slot::Index(items.len() as u32));
                items.push(id);
                *total = total.saturating_add(size);
            }
            Open::Map {
                id: parent,
                entries,
                key,
                size: total,
                merges,
                index,
                ..
            } => {
                let parent = *parent;
                match key.take() {
                    None => {
                        let NodeKind::Scalar(text, _) = &self.nodes[id as usize].kind else {
                            return Err((span, "a mapping key must be a scalar".into()));
                        };
                        let nodes = &self.nodes;
                        let same = |k: NodeId| matches!(&nodes[k as usize].kind, NodeKind::Scalar(prev, _) if **prev == **text);
                        let duplicate = match index {
                            Some(index) => index
                                .get(&key_hash(text))
                                .is_some_and(|keys| keys.iter().any(|&k| same(k))),
                            None => entries.iter().any(|&(k, _)| same(k)),
                        };
                        if duplicate {
                            return Err((span, format!("duplicate key `{text}` in this mapping")));
                        }
                        if !alias {
                            let n = &mut self.nodes[id as usize];
                            n.parent = parent;
                            n.slot = Slot::KeyOf;
                        }
                        *key = Some(id);
                    }
                    Some(k) => {
                        let is_merge = matches!(&self.nodes[k as usize].kind, NodeKind::Scalar(t, Style::Plain) if &**t == "<<");
                        if is_merge {
                            merges.push(id);
                        } else {
                            set_parent(&mut self.nodes, parent, Slot::Key(k));
                            entries.push((k, id));
                            let text_of = |k: NodeId| match &self.nodes[k as usize].kind {
                                NodeKind::Scalar(t, _) => key_hash(t),
                                _ => 0,
                            };
                            match index {
                                Some(index) => index.entry(text_of(k)).or_default().push(k),
                                None if entries.len() > INDEX_KEYS_FROM => {
                                    let mut built: HashMap<u64, Vec<NodeId>> = HashMap::new();
                                    for &(k, _) in entries.iter() {
                                        built.entry(text_of(k)).or_default().push(k);
                                    }
                                    *index = Some(built);
                                }
                                None => {}
                            }
                        }
                        *total = total.saturating_add(size);
                    }
                }
            }
        }
        Ok(())
    }
}

impl Builder<'_> {
    /// Merge keys (`<<: *base`): entries of the merged mappings that the mapping does not set
    /// itself, earlier merges first, as YAML 1.1 and kubectl do.
    fn apply_merges(
        &self,
        entries: &mut Vec<(NodeId, NodeId)>,
        merges: &[NodeId],
    ) -> Result<(), String> {
        let key_text = |nodes: &[Node], k: NodeId| match &nodes[k as usize].kind {
            NodeKind::Scalar(s, _) => s.clone(),
            _ => "".into(),
        };
        for &m in merges {
            let sources: Vec<NodeId> = match &self.nodes[m as usize].kind {
                NodeKind::Map(_) => vec![m],
                NodeKind::Seq(items) => items.clone(),
                _ => {
                    return Err(
                        "the value of a merge key `<<` must be a mapping or a list of mappings"
                            .into(),
                    );
                }
            };
            for s in sources {
                let NodeKind::Map(src) = &self.nodes[s as usize].kind else {
                    return Err(
                        "the value of a merge key `<<` must be a mapping or a list of mappings"
                            .into(),
                    );
                };
                for &(k, v) in src {
                    let t = key_text(&self.nodes, k);
                    if !entries
                        .iter()
                        .any(|&(ek, _)| key_text(&self.nodes, ek) == t)
                    {
                        entries.push((k, v));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Parses one piece of a file: as JSON when it is strict JSON (see [`json`]), on the fast
/// path when the text is within its subset (see [`fast`]), which yields exactly what saphyr
/// would, else with saphyr. A piece holding
/// template syntax (an unrendered Helm chart, see [`template`]) is refused unparsed.
fn parse_chunk(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    limits: &Limits,
) -> (Vec<Document>, Vec<Problem>, usize) {
    if let Some(at) = template::find(text, start, end) {
        let message = format!(
            "template syntax `{}`: this is a Helm chart template, not a manifest; render it first (`helm template RELEASE CHART | kubectl netpol check -f -`)",
            template::action(text, at)
        );
        let span = Span::new(file, at as u32, at as u32 + 2);
        return (Vec::new(), vec![Problem::new(span, message)], 0);
    }
    if let Some(parsed) = json::parse_chunk(file, text, start, end, limits) {
        return parsed;
    }
    fast::parse_chunk(file, text, start, end, limits)
        .unwrap_or_else(|| parse_chunk_saphyr(file, text, start, end, limits))
}

/// Parses one piece of a file with saphyr: every YAML construct, every error.
fn parse_chunk_saphyr(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    limits: &Limits,
) -> (Vec<Document>, Vec<Problem>, usize) {
    let chunk = &text[start..end];
    let mut offsets = Offsets::new(chunk, start);
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let mut total_nodes = 0usize;
    let mut parser = Parser::new_from_str(chunk);
    let mut builder: Option<Builder> = None;
    let to_span = |offsets: &mut Offsets, s: &YSpan| {
        let a = offsets.byte(s.start.index());
        let b = offsets.byte(s.end.index());
        Span::new(file, a, b)
    };
    let fail = |offsets: &mut Offsets, e: ScanError| {
        let at = offsets.byte(e.marker().index()) as usize;
        let (at, message) = hint::explain(text, at, e.info());
        Problem::new(Span::new(file, at as u32, at as u32), message)
    };
    loop {
        let (event, yspan) = match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                problems.push(fail(&mut offsets, e));
                break;
            }
            Some(Ok(ev)) => ev,
        };
        let span = to_span(&mut offsets, &yspan);
        let result: Result<(), (Span, String)> = match event {
            Event::StreamStart | Event::Nothing => Ok(()),
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                builder = Some(Builder::new(file, limits, 0));
                Ok(())
            }
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    total_nodes += b.nodes.len();
                    if let Some(root) = b.root {
                        docs.push(Document {
                            file: b.file,
                            nodes: b.nodes,
                            root,
                        });
                    }
                }
                Ok(())
            }
            ev => match (builder.as_mut(), from_saphyr(ev)) {
                (_, None) => Ok(()),
                (None, Some(_)) => Err((span, "content outside of a document".into())),
                (Some(b), Some(ev)) => on_node_event(b, ev, span),
            },
        };
        if let Err((span, message)) = result {
            problems.push(Problem::new(span, message));
            break;
        }
    }
    (docs, problems, total_nodes)
}

/// A node event, whoever produced it: saphyr's parser or the fast path ([`fast`]).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev<'a> {
    /// A scalar: its value, how it was written, and its anchor id (0: none).
    Scalar(Cow<'a, str>, Style, usize),
    /// An alias of the node anchored with this id.
    Alias(usize),
    /// The start of a sequence, with its anchor id.
    SequenceStart(usize),
    /// The start of a mapping, with its anchor id.
    MappingStart(usize),
    /// The end of the innermost open sequence.
    SequenceEnd,
    /// The end of the innermost open mapping.
    MappingEnd,
}

/// saphyr's node events as [`Ev`]s (None for the stream and document events).
fn from_saphyr(event: Event) -> Option<Ev> {
    Some(match event {
        Event::Scalar(value, style, anchor, tag) => {
            let mut style = match style {
                ScalarStyle::Plain => Style::Plain,
                _ => Style::Quoted,
            };
            if let Some(tag) = tag {
                if tag.is_yaml_core_schema() && tag.suffix == "str" {
                    style = Style::Quoted;
                }
            }
            Ev::Scalar(value, style, anchor)
        }
        Event::Alias(anchor) => Ev::Alias(anchor),
        Event::SequenceStart(anchor, _) => Ev::SequenceStart(anchor),
        Event::MappingStart(anchor, _) => Ev::MappingStart(anchor),
        Event::SequenceEnd => Ev::SequenceEnd,
        Event::MappingEnd => Ev::MappingEnd,
        _ => return None,
    })
}

fn on_node_event(b: &mut Builder, event: Ev, span: Span) -> Result<(), (Span, String)> {
    match event {
        Ev::Scalar(value, style, anchor) => {
            let text: Box<str> = match value {
                Cow::Borrowed(s) => s.into(),
                Cow::Owned(s) => s.into_boxed_str(),
            };
            let id = b.push_node(NodeKind::Scalar(text, style), span, 1)?;
            if anchor != 0 {
                b.anchors.insert(anchor, id);
            }
            b.attach(id, false)
        }
        Ev::Alias(anchor) => match b.anchors.get(&anchor) {
            Some(&id) => b.attach(id, true),
            None => Err((
                span,
                "alias refers to an unknown anchor, or to a collection that contains it".into(),
            )),
        },
        Ev::SequenceStart(anchor) | Ev::MappingStart(anchor) => {
            if b.stack.len() >= b.limits.max_depth {
                return Err((
                    span,
                    format!("nesting deeper than {} levels; refused", b.limits.max_depth),
                ));
            }
            let is_seq = matches!(event, Ev::SequenceStart(..));
            let kind = if is_seq {
                NodeKind::Seq(Vec::new())
            } else {
                NodeKind::Map(Vec::new())
            };
            let id = b.push_node(kind, span, 1)?;
            b.stack.push(if is_seq {
                Open::Seq {
                    id,
                    items: Vec::new(),
                    anchor,
                    size: 1,
                }
            } else {
                Open::Map {
                    id,
                    entries: Vec::new(),
                    key: None,
                    anchor,
                    size: 1,
                    merges: Vec::new(),
                    index: None,
                }
            });
            Ok(())
        }
        Ev::SequenceEnd | Ev::MappingEnd => {
            let Some(open) = b.stack.pop() else {
                return Err((span, "unbalanced end of collection".into()));
            };
            let (id, kind, anchor, size, last_child) = match open {
                Open::Seq {
                    id,
                    items,
                    anchor,
                    size,
                } => {
                    let last = items.last().copied();
                    (id, NodeKind::Seq(items), anchor, size, last)
                }
                Open::Map {
                    id,
                    mut entries,
                    anchor,
                    size,
                    merges,
                    ..
                } => {
                    let last = entries.last().map(|e| e.1).or(merges.last().copied());
                    if !merges.is_empty() {
                        b.apply_merges(&mut entries, &merges)
                            .map_err(|m| (b.nodes[id as usize].span, m))?;
                    }
                    (id, NodeKind::Map(entries), anchor, size, last)
                }
            };
            let node = &mut b.nodes[id as usize];
            let mut end = node.span.end;
            if let Some(last) = last_child {
                end = end.max(b.nodes[last as usize].span.end);
            }
            if !span.is_empty() {
                end = end.max(span.end);
            }
            let node = &mut b.nodes[id as usize];
            node.span.end = end;
            node.kind = kind;
            b.sizes[id as usize] = size;
            if anchor != 0 {
                b.anchors.insert(anchor, id);
            }
            b.attach(id, false)
        }
    }
}

#[cfg(test)]
mod tests;

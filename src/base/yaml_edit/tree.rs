//! The document of a text parsed again ([`Tree`]), to find the nodes the loader did not
//! record on the model from the ones it did.

use crate::base::span::Span;

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

//! Places the model does not keep, found again in the source: the `metadata.namespace` of
//! any object, the `metadata.name` of a Service. The few rules that point at them read the
//! file of each object they report once more (rarely: only when there is something to
//! report), and fall back to a place the model keeps when the node cannot be found.

use std::collections::HashMap;

use crate::base::span::{FileId, Span};
use crate::load::decode::N;
use crate::load::source::SourceMap;
use crate::load::yaml::{Document, Limits, parse_file};

/// Finds nodes of objects by the span of the object, reading each file once.
pub struct Locator<'a> {
    sources: &'a SourceMap,
    files: HashMap<FileId, Vec<Document>>,
}

impl<'a> Locator<'a> {
    /// A locator over the files of a run.
    pub fn new(sources: &'a SourceMap) -> Locator<'a> {
        Locator {
            sources,
            files: HashMap::new(),
        }
    }

    /// The span of `metadata.<field>` of the object at `object` (a document, an item of a
    /// `List` or of a top-level array), when written there.
    pub fn metadata(&mut self, object: Span, field: &str) -> Option<Span> {
        let sources = self.sources;
        let docs = self.files.entry(object.file).or_insert_with(|| {
            let text = &sources.file(object.file).text;
            parse_file(object.file, text, &Limits::default()).0
        });
        docs.iter().find_map(|doc| {
            let node = find(N::root(doc), object)?;
            Some(node.get("metadata")?.get(field)?.span())
        })
    }
}

/// The node spanning `object`: `n` itself, or an item of its `items` (a `List`) or of `n`
/// (a top-level array), at any depth.
fn find<'d>(n: N<'d>, object: Span) -> Option<N<'d>> {
    let span = n.span();
    if span == object {
        return Some(n);
    }
    if span.file != object.file || object.start < span.start || object.end > span.end {
        return None;
    }
    if let Some(found) = n.get("items").and_then(|list| {
        let list: N<'d> = list;
        list.items().find_map(|i| find(i, object))
    }) {
        return Some(found);
    }
    n.items().find_map(|i| find(i, object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceFile;

    #[test]
    fn finds_metadata_of_documents_and_list_items() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: X_Y}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\n    namespace: shop\n";
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new("t.yaml", None, text));
        let docs = parse_file(file, text, &Limits::default()).0;
        let pod = N::root(&docs[0]).span();
        let service = N::root(&docs[1])
            .get("items")
            .and_then(|i| i.items().next())
            .unwrap()
            .span();
        let mut locate = Locator::new(&sources);
        let at = |s: Option<Span>| s.map(|s| &text[s.start as usize..s.end as usize]);
        assert_eq!(at(locate.metadata(pod, "namespace")), Some("X_Y"));
        assert_eq!(at(locate.metadata(service, "name")), Some("b"));
        assert_eq!(at(locate.metadata(service, "namespace")), Some("shop"));
        assert_eq!(locate.metadata(pod, "labels"), None);
    }
}

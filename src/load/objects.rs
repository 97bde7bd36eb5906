//! From YAML documents to objects: `List` flattening and dispatch on `kind`.

use super::decode::{Decoder, N};
use super::kinds::{self, Decoded};
use super::yaml::{self, Document, NodeId};
use super::{InventoryEntry, LoadOptions, Outcome, Problem};
use crate::base::span::FileId;
use crate::model::Object;

/// The objects, problems and inventory of one file.
#[derive(Default)]
pub struct FileObjects {
    /// Objects the model understands.
    pub objects: Vec<Object>,
    /// Problems found.
    pub problems: Vec<Problem>,
    /// Every object seen.
    pub inventory: Vec<InventoryEntry>,
    /// Objects of kinds that carry network policy meaning but are not evaluated.
    pub warnings: Vec<Problem>,
}

/// How deep `List`s may nest in one another.
const MAX_LIST_DEPTH: usize = 4;

/// Parses a file and decodes its objects, each document as soon as it is parsed (the
/// documents of a file are never all held at once).
pub fn read_file(file: FileId, text: &str, opts: &LoadOptions) -> FileObjects {
    let mut out = FileObjects::default();
    yaml::for_each_document(
        file,
        text,
        &opts.limits,
        |doc| read_document(&doc, opts),
        |one| match one {
            Ok(one) => out.append(one),
            Err(p) => out.problems.push(p),
        },
    );
    out
}

impl FileObjects {
    fn append(&mut self, mut other: FileObjects) {
        self.objects.append(&mut other.objects);
        self.problems.append(&mut other.problems);
        self.inventory.append(&mut other.inventory);
        self.warnings.append(&mut other.warnings);
    }

    /// Notes an object in the inventory, when one is kept ([`LoadOptions::inventory`]).
    fn note(&mut self, opts: &LoadOptions, entry: impl FnOnce() -> InventoryEntry) {
        if opts.inventory {
            self.inventory.push(entry());
        }
    }
}

/// The objects of one document.
fn read_document(doc: &Document, opts: &LoadOptions) -> FileObjects {
    let mut out = FileObjects::default();
    if doc.is_empty() {
        return out;
    }
    let root = N { doc, id: doc.root };
    if root.is_list() && root.items().any(|i| i.is_map() && looks_like_object(i)) {
        // A JSON (or YAML) array of objects: each is read as an object.
        for item in root.items() {
            read_object(doc, item.id, opts, &mut out, 1, None);
        }
        return out;
    }
    read_object(doc, doc.root, opts, &mut out, 0, None);
    out
}

/// Whether a node has a `kind` or an `apiVersion`.
fn looks_like_object(n: N) -> bool {
    n.get("kind").is_some() || n.get("apiVersion").is_some()
}

/// Reads the object at `id`; `inferred` is the `(kind, apiVersion)` that items of a typed
/// list (`PodList`) get when they do not say theirs.
fn read_object(
    doc: &Document,
    id: NodeId,
    opts: &LoadOptions,
    out: &mut FileObjects,
    depth: usize,
    inferred: Option<(&str, &str)>,
) {
    let n = N { doc, id };
    let kind = n.str_at("kind").or(inferred.map(|(k, _)| k));
    let api_version = n.str_at("apiVersion").or(inferred.map(|(_, v)| v));
    let (Some(kind), Some(api_version)) = (kind, api_version) else {
        if kind.is_none() && api_version.is_none() {
            // Not a Kubernetes object at all (a values file, a CI config...): a directory of
            // manifests often holds such files, and pre-commit passes every changed YAML file.
            out.note(opts, || InventoryEntry {
                span: n.span(),
                kind: "-".into(),
                name: String::new(),
                outcome: Outcome::Ignored(if n.is_map() {
                    "not a Kubernetes object (no apiVersion or kind)".to_string()
                } else {
                    format!("not a Kubernetes object ({} at the top)", n.describe())
                }),
            });
            return;
        }
        let missing = if kind.is_none() {
            "`kind`"
        } else {
            "`apiVersion`"
        };
        out.problems.push(Problem::new(
            n.span(),
            format!("not a Kubernetes object: missing {missing}"),
        ));
        out.note(opts, || InventoryEntry {
            span: n.span(),
            kind: kind.unwrap_or("?").into(),
            name: String::new(),
            outcome: Outcome::Broken,
        });
        return;
    };
    if kind.ends_with("List") && n.get_raw("items").is_some() {
        if depth >= MAX_LIST_DEPTH {
            out.problems.push(Problem::new(
                n.span(),
                format!("`{kind}` nested more than {MAX_LIST_DEPTH} deep; refused"),
            ));
            return;
        }
        let mut d = Decoder::new(doc, id);
        let items = d.list(n.get_raw("items").expect("checked above"));
        out.problems.extend(d.problems);
        // The items of a typed list (`PodList`) may leave out their kind and apiVersion, as
        // `kubectl get pods -o yaml` with some clients does: they are the list's.
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        for item in items {
            read_object(
                doc,
                item.id,
                opts,
                out,
                depth + 1,
                item_kind.map(|k| (k, api_version)),
            );
        }
        return;
    }
    let mut d = Decoder::new(doc, id);
    let decoded = kinds::decode(&mut d, api_version, kind, opts);
    let outcome = if !d.problems.is_empty() {
        out.problems.extend(d.problems.drain(..).map(|p| Problem {
            in_object: true,
            ..p
        }));
        Outcome::Broken
    } else {
        match decoded {
            Decoded::Used(obj) => {
                out.objects.push(obj);
                Outcome::Used
            }
            Decoded::Ignored(why) => Outcome::Ignored(why),
            Decoded::NotEvaluated(why) => {
                let name = object_name(n);
                let what = if name.is_empty() {
                    kind.to_string()
                } else {
                    format!("{kind} {name}")
                };
                out.warnings.push(Problem::new(
                    n.span(),
                    format!("{what}: not evaluated: {why}"),
                ));
                Outcome::NotEvaluated(why)
            }
            Decoded::Broken => Outcome::Broken,
        }
    };
    out.note(opts, || InventoryEntry {
        span: n.span(),
        kind: kind.to_string(),
        name: object_name(n),
        outcome,
    });
}

fn object_name(n: N) -> String {
    let meta = n.get("metadata");
    let name = meta.and_then(|m| m.str_at("name")).unwrap_or("");
    match meta.and_then(|m| m.str_at("namespace")) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> FileObjects {
        read_file(FileId(0), text, &LoadOptions::default())
    }

    #[test]
    fn lists_are_flattened_and_unrelated_kinds_ignored_with_a_reason() {
        let out = read(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.objects.len(), 1);
        assert_eq!(out.inventory.len(), 2);
        assert!(
            matches!(&out.inventory[1].outcome, Outcome::Ignored(why) if why.contains("ConfigMap"))
        );
    }

    #[test]
    fn problems_say_whether_they_are_inside_an_object_or_leave_input_unread() {
        let out = read(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, bogus: 1}\n---\napiVersion: v1\nmetadata: {name: b}\n",
        );
        assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
        // The unknown field: the API server refuses that policy, the rest is read.
        assert!(out.problems[0].in_object, "{:?}", out.problems[0]);
        // No kind: the document cannot be understood at all.
        assert!(!out.problems[1].in_object, "{:?}", out.problems[1]);
    }

    #[test]
    fn one_broken_object_does_not_hide_the_others() {
        let out = read(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: 3}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: []}\n",
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].path, "spec.containers");
        assert_eq!(out.objects.len(), 1);
    }

    #[test]
    fn documents_that_are_not_kubernetes_objects_are_ignored_with_a_reason() {
        let out = read("services:\n  web: {image: nginx}\n---\n- a\n- b\n");
        assert!(out.problems.is_empty());
        assert_eq!(out.inventory.len(), 2);
        assert!(
            matches!(&out.inventory[0].outcome, Outcome::Ignored(why) if why.contains("no apiVersion or kind"))
        );
    }

    #[test]
    fn typed_list_items_get_the_kind_and_api_version_of_the_list() {
        let text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p1, namespace: app}\n  spec: {containers: []}\n- kind: Pod\n  metadata: {name: p2, namespace: app}\n  spec: {containers: 3}\n";
        let out = read(text);
        assert_eq!(out.objects.len(), 1);
        assert_eq!(out.inventory.len(), 2);
        assert_eq!(out.inventory[0].kind, "Pod");
        assert_eq!(out.inventory[0].name, "app/p1");
        assert_eq!(out.inventory[0].outcome, Outcome::Used);
        // Positions are those of the items in the file.
        assert_eq!(
            out.inventory[0].span.start as usize,
            text.find("metadata").unwrap()
        );
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].path, "spec.containers");
        assert_eq!(
            out.problems[0].span.unwrap().start as usize,
            text.find("3").unwrap()
        );
        // A misspelt item kind is reported at the item's `kind`.
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n- kind: NetworkPolicies\n  metadata: {name: a}\n  spec: {podSelector: {}}\n";
        let out = read(text);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].path, "kind");
        assert_eq!(
            out.problems[0].span.unwrap().start as usize,
            text.find("NetworkPolicies").unwrap()
        );
        assert!(
            out.problems[0]
                .message
                .contains("did you mean `NetworkPolicy`?")
        );
    }

    #[test]
    fn a_top_level_array_of_objects_is_read_object_by_object() {
        let text = "[\n  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"app\"}},\n  {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p1\", \"namespace\": \"app\"}, \"spec\": {\"containers\": 3}}\n]\n";
        let out = read(text);
        assert_eq!(out.objects.len(), 1);
        assert_eq!(out.inventory.len(), 2);
        assert_eq!(out.inventory[1].name, "app/p1");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].path, "spec.containers");
        assert_eq!(
            out.problems[0].span.unwrap().start as usize,
            text.find("3}").unwrap()
        );
        // The same in YAML.
        let out = read(
            "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n",
        );
        assert!(out.problems.is_empty());
        assert_eq!(out.objects.len(), 2);
    }

    #[test]
    fn a_kind_without_api_version_is_a_problem() {
        let out = read("kind: Pod\nmetadata: {name: x}\n");
        assert!(out.problems[0].message.contains("missing `apiVersion`"));
    }
}

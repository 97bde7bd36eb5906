//! Tests of the edits, the rendering and the tree.

use super::*;
use crate::base::edit::Edit;
use crate::base::edit::Patch;
use crate::base::span::FileId;
use crate::base::span::Span;
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
    let text =
        "from:\n  - podSelector: {matchLabels: {app: a}}  # the a\n  # trailing note\nports: []\n";
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
    let two = "a:\n- x\nb: {c: d}\n---\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n";
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

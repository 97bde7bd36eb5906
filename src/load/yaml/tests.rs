//! The arena's tests: spans, styles, limits, aliases, merge keys, document splitting.

use super::*;

fn parse(text: &str) -> (Vec<Document>, Vec<Problem>) {
    parse_file(FileId(0), text, &Limits::default())
}

fn scalar(doc: &Document, id: NodeId) -> &str {
    match &doc.node(id).kind {
        NodeKind::Scalar(s, _) => s,
        _ => panic!("not a scalar"),
    }
}

#[test]
fn spans_are_byte_offsets_of_the_node_text() {
    let text = "a: 1\nb:\n  - x\n  - \"é\"\n";
    let (docs, problems) = parse(text);
    assert!(problems.is_empty(), "{problems:?}");
    let doc = &docs[0];
    let NodeKind::Map(entries) = &doc.node(doc.root).kind else {
        panic!()
    };
    let (_, b) = entries[1];
    let NodeKind::Seq(items) = &doc.node(b).kind else {
        panic!()
    };
    let second = doc.node(items[1]).span;
    assert_eq!(&text[second.start as usize..second.end as usize], "\"é\"");
    assert_eq!(doc.path(items[1], doc.root), "b[1]");
}

#[test]
fn strings_stay_strings_and_plainness_is_kept() {
    let (docs, _) = parse("a: yes\nb: 0777\nc: 'on'\n");
    let doc = &docs[0];
    let NodeKind::Map(entries) = &doc.node(doc.root).kind else {
        panic!()
    };
    assert_eq!(scalar(doc, entries[0].1), "yes");
    assert_eq!(scalar(doc, entries[1].1), "0777");
    assert!(matches!(
        doc.node(entries[2].1).kind,
        NodeKind::Scalar(_, Style::Quoted)
    ));
}

#[test]
fn a_syntax_error_loses_only_its_own_document() {
    let (docs, problems) = parse("---\na: 1\n---\nb: [1, 2\nc: d\n---\ne: 3\n");
    assert_eq!(docs.len(), 2);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("YAML syntax error"),
        "{}",
        problems[0].message
    );
}

#[test]
fn deep_nesting_fails_fast_with_a_clear_error() {
    let text = "[".repeat(100_000);
    let (docs, problems) = parse(&text);
    assert!(docs.is_empty());
    assert_eq!(problems.len(), 1);
    let text = "a:\n".to_string()
        + &(1..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i * 2)))
            .collect::<String>();
    let (_, problems) = parse(&text);
    assert!(
        problems[0].message.contains("nesting deeper"),
        "{}",
        problems[0].message
    );
}

#[test]
fn billion_laughs_is_refused_without_expanding() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text += &format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        );
    }
    let (docs, problems) = parse(&text);
    assert!(docs.is_empty());
    assert!(
        problems[0].message.contains("alias bomb"),
        "{}",
        problems[0].message
    );
}

#[test]
fn aliases_share_nodes_and_merge_keys_apply() {
    let (docs, problems) = parse("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n");
    assert!(problems.is_empty(), "{problems:?}");
    let doc = &docs[0];
    let NodeKind::Map(entries) = &doc.node(doc.root).kind else {
        panic!()
    };
    let NodeKind::Map(d) = &doc.node(entries[1].1).kind else {
        panic!()
    };
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|&(k, v)| (scalar(doc, k), scalar(doc, v)))
        .collect();
    assert_eq!(got, vec![("y", "3"), ("x", "1")]);
}

#[test]
fn duplicate_keys_are_errors() {
    let (_, problems) = parse("a: 1\na: 2\n");
    assert!(problems[0].message.contains("duplicate key `a`"));
}

#[test]
fn duplicate_keys_are_found_in_large_mappings_too() {
    // Large mappings index their keys (a cluster dump may hold big ConfigMaps): the
    // check stays linear and finds the same duplicates, merge keys aside.
    let many: String = (0..20_000).map(|i| format!("k{i}: {i}\n")).collect();
    let (docs, problems) = parse(&many);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(matches!(&docs[0].node(docs[0].root).kind, NodeKind::Map(e) if e.len() == 20_000));
    let (_, problems) = parse(&format!("{many}k17: again\n"));
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("duplicate key `k17`"));
    let (_, problems) = parse(&format!("b: &b {{x: 1}}\n{many}<<: *b\n<<: *b\n"));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn json_parses_with_the_same_parser() {
    let (docs, problems) = parse("{\n\t\"kind\": \"List\",\n\t\"items\": [{\"a\": 80}]\n}\n");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(docs.len(), 1);
}

#[test]
fn recursive_aliases_are_refused() {
    let (_, problems) = parse("a: &x [1, *x]\n");
    assert_eq!(problems.len(), 1);
}

#[test]
fn document_split_keeps_directives_with_their_document() {
    let text = "a: 1\n%YAML 1.2\n---\nb: 2\n";
    assert_eq!(split_documents(text), vec![(0, 5), (5, text.len())]);
    let text = "a: 1\n--- # c\nb: |\n  ---x\n";
    assert_eq!(split_documents(text).len(), 2);
}

fn parse_with(text: &str, limits: &Limits) -> (Vec<Document>, Vec<Problem>) {
    parse_file(FileId(0), text, limits)
}

#[test]
fn too_many_documents_are_refused_before_any_is_parsed() {
    let limits = Limits {
        max_documents: 3,
        ..Limits::default()
    };
    let text = "a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n---\ne: 5\n";
    let (docs, problems) = parse_with(text, &limits);
    assert!(docs.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "more than 3 YAML documents in one file; refused"
    );
    // At the first document past the limit.
    assert_eq!(
        problems[0].span.unwrap().start as usize,
        text.find("---\nd").unwrap()
    );
    let (docs, problems) = parse_with("a: 1\n---\nb: 2\n---\nc: 3\n", &limits);
    assert_eq!((docs.len(), problems.len()), (3, 0));
}

#[test]
fn a_document_of_too_many_nodes_is_refused_where_the_limit_is_met() {
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    let text = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n---\n[1]\n";
    let (docs, problems) = parse_with(text, &limits);
    assert_eq!(docs.len(), 1, "the other document is read");
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "more than 10 YAML nodes in one document; refused"
    );
    assert_eq!(
        problems[0].span.unwrap().start as usize,
        text.find("10").unwrap()
    );
    // Block style (the fast path) is refused alike.
    let block: String = (0..20).map(|i| format!("k{i}: v\n")).collect();
    let (docs, problems) = parse_with(&block, &limits);
    assert!(docs.is_empty());
    assert!(
        problems[0].message.contains("more than 10 YAML nodes"),
        "{problems:?}"
    );
}

#[test]
fn aliases_are_limited_by_what_they_add_not_the_document_s_size() {
    let limits = Limits {
        max_alias_nodes: 20,
        max_nodes: 1_000,
        ..Limits::default()
    };
    // A large document without aliases is no bomb.
    let big: String = (0..200).map(|i| format!("k{i}: [a, b]\n")).collect();
    let (docs, problems) = parse_with(&big, &limits);
    assert!(problems.is_empty() && docs.len() == 1, "{problems:?}");
    // Aliases adding 4 nodes each (the list and its 3 items): 5 of them pass, 6 do not.
    let with = |n: usize| {
        let mut t = String::from("base: &b [x, y, z]\n");
        t.extend((0..n).map(|i| format!("a{i}: *b\n")));
        t
    };
    let (_, problems) = parse_with(&with(5), &limits);
    assert!(problems.is_empty(), "{problems:?}");
    let (docs, problems) = parse_with(&with(6), &limits);
    assert!(docs.is_empty());
    assert_eq!(
        problems[0].message,
        "aliases expand this document by more than 20 nodes (an alias bomb?); refused"
    );
}

#[test]
fn documents_are_handed_on_while_the_file_is_still_being_parsed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = BATCH * 3;
    let text: String = (0..n).map(|i| format!("---\nk: {i}\n")).collect();
    let parsed = AtomicUsize::new(0);
    let mut seen = Vec::new();
    let mut parsed_at_first = None;
    for_each_document(
        FileId(0),
        &text,
        &Limits::default(),
        |doc| {
            parsed.fetch_add(1, Ordering::SeqCst);
            doc.nodes.len()
        },
        |r| {
            parsed_at_first.get_or_insert(parsed.load(Ordering::SeqCst));
            seen.push(r.unwrap());
        },
    );
    assert_eq!(seen.len(), n);
    // The first document was handed on after one batch was parsed, not the whole file: the
    // documents of a file are never all held at once.
    assert_eq!(parsed_at_first, Some(BATCH));
}

//! Tests of the selector language, from libcalico-go's own tables and the subtle cases.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::lexer::{Kind, Lexer};
use super::*;

type Labels = &'static [(&'static str, &'static str)];

fn eval(sel: &Selector, labels: &[(&str, &str)]) -> bool {
    let map: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sel.matches(&|k| map.get(k).map(String::as_str))
}

fn ok(text: &str) -> Selector {
    parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn err(text: &str) -> SyntaxError {
    match parse(text) {
        Ok(s) => panic!("{text:?} should not parse, got {s:?}"),
        Err(e) => e,
    }
}

fn s(x: &str) -> String {
    x.to_string()
}

/// The kinds the lexer produces for the whole text, through the end.
fn lex_all(text: &str) -> Result<Vec<Kind<'_>>, SyntaxError> {
    let mut lexer = Lexer {
        text,
        pos: 0,
        last: None,
        failed: None,
    };
    let mut kinds = Vec::new();
    loop {
        let t = lexer.next_token()?;
        kinds.push(t.kind);
        if t.kind == Kind::Eof {
            return Ok(kinds);
        }
    }
}

// libcalico-go/lib/selector/parser/parser_test.go, `selectorTests` (run by Describe
// "Parser": "should match", "should not match", and the same after canonicalising).
const SELECTOR_TESTS: &[(&str, &[Labels], &[Labels])] = &[
    (
        r#"a == "b""#,
        &[&[("a", "b")], &[("a", "b"), ("c", "d")]],
        &[&[], &[("a", "c")], &[("c", "d")]],
    ),
    (
        r#"a == "b" && c == "d""#,
        &[&[("a", "b"), ("c", "d")]],
        &[
            &[],
            &[("a", "b"), ("c", "e")],
            &[("a", "c"), ("c", "d")],
            &[("c", "d")],
            &[("a", "b")],
        ],
    ),
    (
        r#"a == "b" || c == "d""#,
        &[&[("a", "b"), ("c", "d")], &[("a", "b")], &[("c", "d")]],
        &[&[], &[("a", "e"), ("c", "e")], &[("c", "e")], &[("a", "e")]],
    ),
    (
        r#"a in {"'", '"', "c"}"#,
        &[&[("a", "c")], &[("a", "\"")], &[("a", "'")]],
        &[&[], &[("a", "e")]],
    ),
    (
        r#"a not in {"'", '"', "c"}"#,
        &[&[], &[("a", "e")]],
        &[&[("a", "c")], &[("a", "\"")], &[("a", "'")]],
    ),
    ("a == 'a'", &[&[("a", "a")]], &[]),
    (r#"a == "a""#, &[&[("a", "a")]], &[]),
    (r#"a != "b""#, &[&[("a", "a")]], &[]),
    (r#"a != "a""#, &[&[]], &[]),
    (
        r#"a contains "a""#,
        &[&[("a", "a")], &[("a", "bab")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("b", "aaa")]],
    ),
    (
        r#"a starts with "a""#,
        &[&[("a", "a")], &[("a", "abb")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("a", "baa")], &[("b", "aaa")]],
    ),
    (
        r#"a ends with "a""#,
        &[&[("a", "a")], &[("a", "bba")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("a", "aab")], &[("b", "aaa")]],
    ),
    (r#"a in {"a"}"#, &[&[("a", "a")]], &[]),
    (r#"!a in {"a"}"#, &[&[("a", "b")]], &[]),
    (r#"a in {"a", "b"}"#, &[&[("a", "a")]], &[]),
    (r#"a in {"a", "b"}"#, &[&[("a", "b")]], &[]),
    (r#"a not in {"d", "e"}"#, &[&[("a", "a")]], &[]),
    ("has(a)", &[&[("a", "b")]], &[]),
    ("!has(a)", &[&[("b", "b")]], &[]),
    ("", &[&[]], &[]),
    (" ", &[&[]], &[]),
    ("", &[&[("a", "b")]], &[]),
    ("all()", &[&[]], &[]),
    (" all()", &[&[]], &[]),
    (" all()", &[&[("a", "b")]], &[]),
    ("global()", &[&[]], &[]),
    (" global()", &[&[]], &[]),
    (" global()", &[&[("a", "b")]], &[]),
    ("a == 'a'", &[], &[&[("a", "b")]]),
    ("a == 'a'", &[], &[&[]]),
    (r#"a != "a""#, &[], &[&[("a", "a")]]),
    ("a != 'a'", &[], &[&[("a", "a")]]),
    (r#"a in {"a"}"#, &[], &[&[("a", "b")]]),
    (r#"a not in {"a"}"#, &[], &[&[("a", "a")]]),
    (r#"a in {"a", "b"}"#, &[], &[&[("a", "c")]]),
    ("has(b)", &[], &[&[("a", "b")]]),
    ("!!has(b)", &[], &[&[("a", "b")]]),
    ("! has(a)", &[], &[&[("a", "b")]]),
    ("!has(a)", &[], &[&[("a", "b")]]),
    ("!!! has(a)", &[], &[&[("a", "b")]]),
    ("!!!has(a)", &[], &[&[("a", "b")]]),
    ("!! ! has(a)", &[], &[&[("a", "b")]]),
    ("! !!has(a)", &[], &[&[("a", "b")]]),
    // Boolean expressions...
    (
        "a == 'a1' && b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a == 'a1' && b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && !b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "!a == 'a1' && b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    ("has(a) && !has(b)", &[&[("a", "a")]], &[]),
    ("!has(b) && has(a)", &[&[("a", "a")]], &[]),
    ("!(!has(a) || has(b))", &[&[("a", "a")]], &[]),
    ("!(has(b) || !has(a))", &[&[("a", "a")]], &[]),
    (
        "a == 'a1' || b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a == 'a1' || b != 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a != 'a1' || b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a != 'a1' || b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "! a == 'a1' || ! b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
];

#[test]
fn go_selector_tests() {
    assert_eq!(SELECTOR_TESTS.len(), 58);
    for &(text, yes, no) in SELECTOR_TESTS {
        let sel = ok(text);
        let canon = ok(&sel.to_string());
        assert_eq!(canon, sel, "{text:?} does not round-trip via {sel}");
        for labels in yes {
            assert!(eval(&sel, labels), "{text:?} should match {labels:?}");
            assert!(eval(&canon, labels), "{sel} should match {labels:?}");
        }
        for labels in no {
            assert!(!eval(&sel, labels), "{text:?} should not match {labels:?}");
            assert!(!eval(&canon, labels), "{sel} should not match {labels:?}");
        }
    }
}

// libcalico-go/lib/selector/parser/parser_test.go, `badSelectors` ("Should reject bad
// selector").
const BAD_SELECTORS: &[&str] = &[
    "b == b",            // label == label
    "b contains b",      // label contains label
    "b starts with b",   // label starts with label
    "b ends with b",     // label starts with label
    "'b1' == b",         // literal on lhs
    "b",                 // bare label
    "a b",               // Garbage
    "!",                 // Garbage
    r#"foo == "bar" &"#, // Garbage
    r#"foo == "bar" |"#, // Garbage
    "foo != ||",         // Garbage
    r#"foo in {"", ||"#, // Garbage
    r#"foo in """#,      // Expect set literal
    r#""FOO"#,           // Unterminated string
    r#""FOO'"#,          // Unterminated string
    r#""FOO"#,           // Unterminated string
    "'FOO",              // Unterminated string
    "(",                 // Unterminated paren
    r#"(a == "foo""#,    // Unterminated paren
    ")",                 // Unterminated paren
    "()",                // Unterminated paren
    "%",                 // Unexpected char
    r#"a == "b" && %"#,  // Unexpected char
    r#"a == "b" || %"#,  // Unexpected char
    "a ",                // should be followed by operator
    "has(foo) &&",       // should be followed by operator
];

#[test]
fn go_bad_selectors() {
    assert_eq!(BAD_SELECTORS.len(), 26);
    for text in BAD_SELECTORS {
        let e = err(text);
        assert!(e.offset + e.len <= text.len(), "{text:?}: {e:?}");
        assert!(!e.message.is_empty());
    }
}

#[test]
fn bad_selector_positions() {
    // (text, offset, len, part of the message)
    let cases: &[(&str, usize, usize, &str)] = &[
        ("b == b", 5, 1, "`==` needs a quoted value: write b == 'b'"),
        ("b contains b", 11, 1, "`contains` needs a quoted value"),
        (
            "b starts with b",
            14,
            1,
            "`starts with` needs a quoted value",
        ),
        ("b ends with b", 12, 1, "`ends with` needs a quoted value"),
        ("'b1' == b", 0, 4, "the key comes first"),
        ("b", 0, 1, "needs an operator"),
        ("a b", 2, 1, "expected an operator after label `a`"),
        ("!", 1, 0, "expected a label key or `(` after `!`"),
        (r#"foo == "bar" &"#, 13, 1, "write `&&`"),
        (r#"foo == "bar" |"#, 13, 1, "write `||`"),
        ("foo != ||", 7, 2, "`!=` needs a quoted value, found `||`"),
        (
            r#"foo in {"", ||"#,
            12,
            2,
            "expected a quoted value or `}` in the set",
        ),
        (r#"foo in """#, 7, 2, "write foo in {''}"),
        (r#""FOO'"#, 0, 1, "unterminated string starting here"),
        ("'FOO", 0, 1, "unterminated string starting here"),
        ("x == 'a' && y == \"b", 17, 1, "unterminated string"),
        ("(", 1, 0, "after `(`"),
        (
            r#"(a == "foo""#,
            11,
            0,
            "expected `)` to close the `(` at byte 0",
        ),
        (")", 0, 1, "found `)`"),
        ("()", 1, 1, "empty parentheses"),
        ("%", 0, 1, "found `%`"),
        (r#"a == "b" && %"#, 12, 1, "found `%`"),
        (r#"a == "b" || %"#, 12, 1, "found `%`"),
        ("a ", 0, 1, "needs an operator"),
        ("has(foo) &&", 11, 0, "expected an expression after `&&`"),
        ("has(a) has(b)", 7, 6, "join expressions with `&&` or `||`"),
        ("has(a))", 6, 1, "closes no `(`"),
        ("a = 'x'", 2, 1, "write `==`"),
        ("!%", 1, 1, "expected a label key after `!`"),
        ("a == 'x' && é == 'y'", 12, 2, "found `é`"),
        ("a in {'x' 'y'}", 10, 3, "expected `,` or `}`"),
        ("a in {,}", 6, 1, "expected a quoted value or `}`"),
        ("a in {x}", 6, 1, "values must be quoted"),
        ("a in x", 5, 1, "write a in {'x'}"),
        ("a starts with x", 14, 1, "write a starts with 'x'"),
        ("a not in x", 9, 1, "write a not in {'x'}"),
        ("a inf 'x'", 2, 3, "found `inf`"),
        ("a not inx {'x'}", 2, 3, "found `not`"),
        ("a startswith x", 13, 1, "write a starts with 'x'"),
        ("a %", 2, 1, "found `%`"),
        ("a == %", 5, 1, "`==` needs a quoted value, found `%`"),
        (
            "a not in ~",
            9,
            1,
            "`not in` needs a set of quoted values in braces",
        ),
        (
            "a squiggles 'x'",
            2,
            9,
            "expected an operator after label `a`",
        ),
        ("has (a)", 4, 1, "write `has(` without a space"),
        ("has()", 4, 1, "expected a label key inside `has(`"),
        ("has(a b)", 6, 1, "expected `)` to close `has(`"),
        ("all(x)", 4, 1, "all() takes no argument"),
        ("global(", 7, 0, "expected `)` after `global(`"),
        ("a == 'x'\n", 8, 1, "line break"),
        ("a == 'x'\u{a0}", 8, 2, "only spaces and tabs"),
    ];
    for &(text, offset, len, message) in cases {
        let e = err(text);
        assert_eq!((e.offset, e.len), (offset, len), "{text:?}: {e:?}");
        assert!(
            e.message.contains(message),
            "{text:?}: message {:?} lacks {message:?}",
            e.message
        );
    }
}

// libcalico-go/lib/selector/parser/parser_test.go, `canonicalisationTests` ("should
// canonicalise %v as %v with UID %v and round-trip"; UIDs are not reproduced).
const CANONICALISATION_TESTS: &[(&str, &str)] = &[
    ("", "all()"),
    (" all() ", "all()"),
    (" (all() )", "all()"),
    ("! (has( b)||! has(a ))", "!(has(b) || !has(a))"),
    (r#"! (a == "b"&&! c != "d")"#, r#"!(a == "b" && !c != "d")"#),
    (r#"a == "'""#, r#"a == "'""#),
    (r#"a == '"'"#, r#"a == '"'"#),
    (r#"a contains '"'"#, r#"a contains '"'"#),
    (r#"a contains "'""#, r#"a contains "'""#),
    (r#"a startswith '"'"#, r#"a starts with '"'"#),
    (r#"a endswith "'""#, r#"a ends with "'""#),
    (r#"a!='"'"#, r#"a != '"'"#),
    // Set items get sorted/de-duped.
    (r#"a in {"d"}"#, r#"a in {"d"}"#),
    (r#"a in {"a", "b"}"#, r#"a in {"a", "b"}"#),
    (r#"a in {"d", "a", "b"}"#, r#"a in {"a", "b", "d"}"#),
    (
        r#"a in {"z", "x", "y", "a"}"#,
        r#"a in {"a", "x", "y", "z"}"#,
    ),
    (
        r#"a in {"z", "z", "x", "y", "x", "a"}"#,
        r#"a in {"a", "x", "y", "z"}"#,
    ),
];

// libcalico-go/lib/selector/parser/parser_test.go, Describe "Visitor" / DescribeTable
// "Visitor tests": the expected strings with the visitor's `visited/` prefix taken out.
const VISITOR_CANONICAL_TESTS: &[(&str, &str)] = &[
    ("k == 'v'", r#"k == "v""#),
    ("k != 'v'", r#"k != "v""#),
    ("k contains 'v'", r#"k contains "v""#),
    ("k starts with 'v'", r#"k starts with "v""#),
    ("k ends with 'v'", r#"k ends with "v""#),
    ("k == 'v' && x == 'y'", r#"(k == "v" && x == "y")"#),
    ("k == 'v' || has(x)", r#"(k == "v" || has(x))"#),
    ("!(k == 'v')", r#"!k == "v""#),
    ("k in {'v'}", r#"k in {"v"}"#),
    ("k not in {'v'}", r#"k not in {"v"}"#),
    (
        "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
        r#"!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})"#,
    ),
];

#[test]
fn go_canonicalisation_tests() {
    assert_eq!(CANONICALISATION_TESTS.len(), 17);
    assert_eq!(VISITOR_CANONICAL_TESTS.len(), 11);
    for &(input, expected) in CANONICALISATION_TESTS.iter().chain(VISITOR_CANONICAL_TESTS) {
        let sel = ok(input);
        let canon = sel.to_string();
        assert_eq!(canon, expected, "canonical form of {input:?}");
        let again = ok(&canon);
        assert_eq!(again, sel, "{canon:?} does not parse back to the same tree");
        assert_eq!(again.to_string(), canon);
    }
}

// libcalico-go/lib/selector/tokenizer/tokenizer_test.go, `tokenTests` (Describe "Token").
// `None` is an input the tokenizer must reject.
#[test]
fn go_token_tests() {
    use Kind::*;
    let a512 = "a".repeat(512);
    let a513 = "a".repeat(513);
    let long_ok = format!(r#"{a512} == "value""#);
    let long_bad = format!(r#"{a513} == "value""#);
    let cases: Vec<(&str, Option<Vec<Kind<'_>>>)> = vec![
        (r#"a=="b""#, Some(vec![Label("a"), Eq, Str("b"), Eof])),
        (r#"a!="b""#, Some(vec![Label("a"), Ne, Str("b"), Eof])),
        (r#"a != "b""#, Some(vec![Label("a"), Ne, Str("b"), Eof])),
        (
            r#"(a=="b")"#,
            Some(vec![LParen, Label("a"), Eq, Str("b"), RParen, Eof]),
        ),
        (r#"a=="b""#, Some(vec![Label("a"), Eq, Str("b"), Eof])),
        (
            r#"label == "value""#,
            Some(vec![Label("label"), Eq, Str("value"), Eof]),
        ),
        (
            r#"label contains "value""#,
            Some(vec![Label("label"), Contains, Str("value"), Eof]),
        ),
        (
            r#"contains contains "contains""#,
            Some(vec![Label("contains"), Contains, Str("contains"), Eof]),
        ),
        (
            "contains contains 'contains'",
            Some(vec![Label("contains"), Contains, Str("contains"), Eof]),
        ),
        (
            r#"label contains"value""#,
            Some(vec![Label("label"), Contains, Str("value"), Eof]),
        ),
        (
            r#"label startswith "value""#,
            Some(vec![Label("label"), StartsWith, Str("value"), Eof]),
        ),
        (
            r#"label endswith "value""#,
            Some(vec![Label("label"), EndsWith, Str("value"), Eof]),
        ),
        (
            r#"label starts with "value""#,
            Some(vec![Label("label"), StartsWith, Str("value"), Eof]),
        ),
        (
            r#"startswith starts with "value""#,
            Some(vec![Label("startswith"), StartsWith, Str("value"), Eof]),
        ),
        (
            r#"label ends with "value""#,
            Some(vec![Label("label"), EndsWith, Str("value"), Eof]),
        ),
        (
            r#"endswith ends with "value""#,
            Some(vec![Label("endswith"), EndsWith, Str("value"), Eof]),
        ),
        (
            r#"label starts  with "value""#,
            Some(vec![Label("label"), StartsWith, Str("value"), Eof]),
        ),
        (
            r#"label ends  with "value""#,
            Some(vec![Label("label"), EndsWith, Str("value"), Eof]),
        ),
        (&long_ok, Some(vec![Label(&a512), Eq, Str("value"), Eof])),
        (&long_bad, None),
        (r#"label == "value"#, None),
        ("label == 'value", None),
        (r#"label = "value""#, None),
        ("all(", None),
        ("global(", None),
        ("has()", None),
        ("has(foo", None),
        ("has( foo ", None),
        (r#"a == "b" & has(foo)"#, None),
        (r#"a == "b" | has(foo)"#, None),
        (r#"label starts foo "value""#, None),
        (r#"label inf "value""#, None),
        (r#"label ends foo "value""#, None),
        (r#"label ends withs "value""#, None),
        (r#"label squiggles "value""#, None),
        (
            r#"a not in "bar" && !has(foo) || b in c"#,
            Some(vec![
                Label("a"),
                NotIn,
                Str("bar"),
                And,
                Not,
                Has("foo"),
                Or,
                Label("b"),
                In,
                Label("c"),
                Eof,
            ]),
        ),
        ("has(calico/k8s_ns)", Some(vec![Has("calico/k8s_ns"), Eof])),
        (
            "has(calico/k8s_ns/role)",
            Some(vec![Has("calico/k8s_ns/role"), Eof]),
        ),
        (
            "has(calico/k8s_NS-.1/role)",
            Some(vec![Has("calico/k8s_NS-.1/role"), Eof]),
        ),
        (
            r#"calico/k8s_ns == "kube-system" && k8s-app == "kube-dns""#,
            Some(vec![
                Label("calico/k8s_ns"),
                Eq,
                Str("kube-system"),
                And,
                Label("k8s-app"),
                Eq,
                Str("kube-dns"),
                Eof,
            ]),
        ),
        (
            r#"a  not  in  "bar"  &&  ! has( foo )  ||  b  in  c "#,
            Some(vec![
                Label("a"),
                NotIn,
                Str("bar"),
                And,
                Not,
                Has("foo"),
                Or,
                Label("b"),
                In,
                Label("c"),
                Eof,
            ]),
        ),
        (
            r#"a notin"bar"&&!has(foo)||b in"c""#,
            Some(vec![
                Label("a"),
                NotIn,
                Str("bar"),
                And,
                Not,
                Has("foo"),
                Or,
                Label("b"),
                In,
                Str("c"),
                Eof,
            ]),
        ),
        (
            "a not in {}",
            Some(vec![Label("a"), NotIn, LBrace, RBrace, Eof]),
        ),
        (
            r#"a not in {"a"}"#,
            Some(vec![Label("a"), NotIn, LBrace, Str("a"), RBrace, Eof]),
        ),
        (
            r#"a not in {"a","B"}"#,
            Some(vec![
                Label("a"),
                NotIn,
                LBrace,
                Str("a"),
                Comma,
                Str("B"),
                RBrace,
                Eof,
            ]),
        ),
        ("global()", Some(vec![Global, Eof])),
        ("global( )", Some(vec![Global, Eof])),
        ("all()", Some(vec![All, Eof])),
        ("all( )", Some(vec![All, Eof])),
    ];
    assert_eq!(cases.len(), 49);
    for (text, expected) in cases {
        match (lex_all(text), expected) {
            (Ok(got), Some(want)) => assert_eq!(got, want, "tokens of {text:?}"),
            (Err(_), None) => assert!(parse(text).is_err(), "{text:?} should not parse"),
            (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn not_binds_to_one_operation() {
    assert_eq!(
        ok("!a == 'x'"),
        Selector::Not(Box::new(Selector::Eq(s("a"), s("x"))))
    );
    assert_eq!(
        ok("!a == 'x' && b == 'y'"),
        Selector::And(vec![
            Selector::Not(Box::new(Selector::Eq(s("a"), s("x")))),
            Selector::Eq(s("b"), s("y")),
        ])
    );
    // A run of `!` folds to its parity, as in libcalico-go.
    assert_eq!(ok("!!a == 'x'"), Selector::Eq(s("a"), s("x")));
    assert_eq!(ok("! ! !has(a)"), ok("!has(a)"));
    assert_eq!(ok(&format!("{}has(a)", "!".repeat(1000))), ok("has(a)"));
    // Through parentheses the negations nest, and print so as to parse back.
    let double = ok("!(!a == 'x')");
    assert_eq!(
        double,
        Selector::Not(Box::new(Selector::Not(Box::new(Selector::Eq(
            s("a"),
            s("x")
        )))))
    );
    assert_eq!(double.to_string(), r#"!(!a == "x")"#);
    assert_eq!(ok(&double.to_string()), double);
    assert!(eval(&double, &[("a", "x")]));
    assert!(!eval(&double, &[]));
}

#[test]
fn and_binds_tighter_than_or_and_groups_are_kept() {
    let eq = |k: &str| Selector::Eq(s(k), s("1"));
    assert_eq!(
        ok("a == '1' || b == '1' && c == '1'"),
        Selector::Or(vec![eq("a"), Selector::And(vec![eq("b"), eq("c")])])
    );
    assert_eq!(
        ok("(a == '1' || b == '1') && c == '1'"),
        Selector::And(vec![Selector::Or(vec![eq("a"), eq("b")]), eq("c")])
    );
    // Not flattened: libcalico-go keeps the nesting and prints it.
    let nested = ok("a == '1' && (b == '1' && c == '1')");
    assert_eq!(
        nested,
        Selector::And(vec![eq("a"), Selector::And(vec![eq("b"), eq("c")])])
    );
    assert_eq!(
        nested.to_string(),
        r#"(a == "1" && (b == "1" && c == "1"))"#
    );
    assert_eq!(
        ok("a == '1' && b == '1' && c == '1'"),
        Selector::And(vec![eq("a"), eq("b"), eq("c")])
    );
    // Parentheses around one operation leave no trace.
    assert_eq!(ok("((has(a)))"), ok("has(a)"));
}

#[test]
fn operators_and_quotes() {
    assert_eq!(ok("a==\"x\""), Selector::Eq(s("a"), s("x")));
    assert_eq!(ok("a != 'x'"), Selector::Ne(s("a"), s("x")));
    assert_eq!(ok("a contains 'x'"), Selector::Contains(s("a"), s("x")));
    assert_eq!(
        ok("a starts with 'x'"),
        Selector::StartsWith(s("a"), s("x"))
    );
    assert_eq!(ok("a startswith'x'"), Selector::StartsWith(s("a"), s("x")));
    assert_eq!(
        ok("a starts \t with 'x'"),
        Selector::StartsWith(s("a"), s("x"))
    );
    assert_eq!(ok("a ends with 'x'"), Selector::EndsWith(s("a"), s("x")));
    assert_eq!(ok("a endswith 'x'"), Selector::EndsWith(s("a"), s("x")));
    assert_eq!(ok("a notin {'x'}"), Selector::NotIn(s("a"), vec![s("x")]));
    assert_eq!(ok("a in{'x'}"), Selector::In(s("a"), vec![s("x")]));
    // Operator words are keys when not after a key.
    assert_eq!(ok("not in {'x'}"), Selector::In(s("not"), vec![s("x")]));
    assert_eq!(ok("in in {}"), Selector::In(s("in"), vec![]));
    assert_eq!(ok("has == 'x'"), Selector::Eq(s("has"), s("x")));
    assert_eq!(ok("all != 'x'"), Selector::Ne(s("all"), s("x")));
    assert_eq!(ok("has(has)"), Selector::Has(s("has")));
    // Either quote; the other quote may appear inside; no escapes.
    assert_eq!(ok(r#"a == "it's""#), Selector::Eq(s("a"), s("it's")));
    assert_eq!(
        ok(r#"a == 'say "hi"'"#),
        Selector::Eq(s("a"), s(r#"say "hi""#))
    );
    assert_eq!(ok(r"a == 'x\'"), Selector::Eq(s("a"), s("x\\")));
    assert_eq!(ok("a == ''"), Selector::Eq(s("a"), s("")));
    assert_eq!(ok("a == 'é ✓\n'"), Selector::Eq(s("a"), s("é ✓\n")));
    assert_eq!(ok("a == 'é'").to_string(), r#"a == "é""#);
    // Whitespace inside has(), all(), global(), but not before `(`.
    assert_eq!(ok("has(\t a \t)"), Selector::Has(s("a")));
    assert_eq!(ok("all(  )"), Selector::All);
    assert!(parse("all ()").is_err());
    assert!(parse("global ()").is_err());
}

#[test]
fn whitespace_is_spaces_and_tabs_only() {
    assert_eq!(ok(""), Selector::All);
    assert_eq!(ok("   "), Selector::All);
    assert_eq!(ok("\t \t"), Selector::All);
    assert_eq!(ok("\ta\t==\t'x'\t"), Selector::Eq(s("a"), s("x")));
    for text in [
        "\n",
        "a == 'x'\n",
        "a == 'x'\r\n",
        "\u{b}",
        "a == 'x'\u{3000}",
    ] {
        assert!(parse(text).is_err(), "{text:?} should not parse");
    }
}

#[test]
fn label_keys() {
    let key = "Ab9_./-";
    assert_eq!(ok(&format!("has({key})")), Selector::Has(s(key)));
    assert_eq!(ok("-- == 'x'"), Selector::Eq(s("--"), s("x")));
    assert_eq!(
        ok("projectcalico.org/namespace == 'x'"),
        Selector::Eq(s(NAMESPACE_LABEL), s("x"))
    );
    for bad in [
        "a:b == 'x'",
        "a@ == 'x'",
        "é == 'x'",
        "a+b == 'x'",
        "has(a:b)",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} should not parse");
    }
    let long = "k".repeat(MAX_LABEL_LENGTH);
    assert_eq!(ok(&format!("has({long})")), Selector::Has(long.clone()));
    let e = err(&format!("has({long}k)"));
    assert_eq!((e.offset, e.len), (4, MAX_LABEL_LENGTH + 1));
    assert!(
        err(&format!("{long}k == 'x'"))
            .message
            .contains("at most 512")
    );
}

#[test]
fn sets() {
    assert_eq!(ok("a in {}"), Selector::In(s("a"), vec![]));
    assert_eq!(ok("a in {'x',}"), Selector::In(s("a"), vec![s("x")]));
    assert_eq!(
        ok("a not in {'y', \"x\", 'y'}"),
        Selector::NotIn(s("a"), vec![s("x"), s("y")])
    );
    assert!(parse("a in {,}").is_err());
    assert!(parse("a in {'x',,}").is_err());
    assert!(parse("a in {'x'").is_err());
    assert!(!eval(&ok("a in {}"), &[("a", "")]));
    assert!(eval(&ok("a not in {}"), &[("a", "")]));
    assert!(eval(&ok("a not in {}"), &[]));
    // Display sorts and de-duplicates even a set built by hand.
    let by_hand = Selector::In(s("a"), vec![s("b"), s("a"), s("b")]);
    assert_eq!(by_hand.to_string(), r#"a in {"a", "b"}"#);
}

#[test]
fn missing_labels() {
    let absent: &[(&str, &str)] = &[("other", "x")];
    assert!(eval(&ok("a != 'x'"), absent));
    assert!(eval(&ok("a not in {'x'}"), absent));
    for text in [
        "a == 'x'",
        "a in {'x'}",
        "a contains ''",
        "a starts with ''",
        "a ends with ''",
        "has(a)",
    ] {
        assert!(!eval(&ok(text), absent), "{text} should not match");
        assert!(eval(&ok(text), &[("a", "x")]), "{text} should match");
    }
    assert!(!eval(&ok("a != 'x'"), &[("a", "x")]));
    assert!(eval(&ok("has(a)"), &[("a", "")]));
}

#[test]
fn global_and_all() {
    let namespaced: &[(&str, &str)] = &[(NAMESPACE_LABEL, "default"), ("app", "web")];
    let global: &[(&str, &str)] = &[("app", "web")];
    assert!(eval(&ok("global()"), global));
    assert!(!eval(&ok("global()"), namespaced));
    assert!(eval(&ok("!global()"), namespaced));
    assert!(eval(&ok("all()"), namespaced));
    assert!(eval(&ok("all()"), &[]));
    assert!(eval(&ok(""), namespaced));
    assert!(eval(&Selector::And(vec![]), &[]));
    assert!(!eval(&Selector::Or(vec![]), &[]));
    assert_eq!(Selector::Or(vec![]).to_string(), "!all()");
    let not_empty_or = Selector::Not(Box::new(Selector::Or(vec![])));
    assert_eq!(not_empty_or.to_string(), "!(!all())");
    assert!(eval(&ok(&not_empty_or.to_string()), &[]));
}

#[test]
fn matches_takes_a_borrowing_lookup() {
    // A lookup into a local map, as callers have; the values outlive each call only.
    let local: Vec<(String, String)> = vec![(s("app"), s("web"))];
    let get = |k: &str| {
        local
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert!(ok("app == 'web'").matches(&get));
}

#[test]
fn nesting_is_limited() {
    let nested = |n: usize| format!("{}has(a){}", "(".repeat(n), ")".repeat(n));
    assert_eq!(ok(&nested(MAX_NESTING)), Selector::Has(s("a")));
    let e = err(&nested(MAX_NESTING + 1));
    assert_eq!((e.offset, e.len), (MAX_NESTING, 1));
    assert!(e.message.contains("nest more than 256"));
    let negated = |n: usize| format!("{}has(a){}", "!(".repeat(n), ")".repeat(n));
    let deep = ok(&negated(MAX_NESTING));
    assert_eq!(ok(&deep.to_string()), deep);
    assert!(parse(&negated(MAX_NESTING + 1)).is_err());
    // A huge input fails early and does not overflow the stack.
    assert!(parse(&"(".repeat(1_000_000)).is_err());
    assert!(parse(&"!(".repeat(1_000_000)).is_err());
}

#[test]
fn large_inputs_are_fine() {
    let n = 100_000;
    let chain = vec!["has(a)"; n].join(" && ");
    match ok(&chain) {
        Selector::And(ops) => assert_eq!(ops.len(), n),
        other => panic!("{other:?}"),
    }
    let set = (0..n)
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sel = ok(&format!("a in {{{set}}}"));
    assert!(eval(&sel, &[("a", "99999")]));
    assert_eq!(ok(&sel.to_string()), sel);
    let value = "x".repeat(1_000_000);
    assert_eq!(ok(&format!("a == '{value}'")), Selector::Eq(s("a"), value));
    assert!(parse(&format!("a == '{}", "x".repeat(1_000_000))).is_err());
    assert!(parse(&"'".repeat(1_000_001)).is_err());
}

#[test]
fn syntax_error_display() {
    let e = err("b == b");
    assert_eq!(
        e.to_string(),
        "`==` needs a quoted value: write b == 'b' (at byte 5)"
    );
}

/// Keys: key bytes, sometimes an operator word.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_./-]{1,12}",
        Just(s("in")),
        Just(s("not")),
        Just(s("has")),
        Just(s("all")),
        Just(s("global")),
        Just(s("contains")),
        Just(s("starts")),
        Just(s("with")),
    ]
}

/// Values: any text without one of the two quotes.
fn value() -> impl Strategy<Value = String> {
    prop_oneof!["[^\"]{0,8}", "[^']{0,8}", "[a-z]{0,3}"]
}

fn values() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(value(), 0..4).prop_map(|mut v| {
        v.sort();
        v.dedup();
        v
    })
}

fn selector() -> impl Strategy<Value = Selector> {
    let leaf = prop_oneof![
        Just(Selector::All),
        Just(Selector::Global),
        key().prop_map(Selector::Has),
        (key(), value()).prop_map(|(k, v)| Selector::Eq(k, v)),
        (key(), value()).prop_map(|(k, v)| Selector::Ne(k, v)),
        (key(), values()).prop_map(|(k, v)| Selector::In(k, v)),
        (key(), values()).prop_map(|(k, v)| Selector::NotIn(k, v)),
        (key(), value()).prop_map(|(k, v)| Selector::Contains(k, v)),
        (key(), value()).prop_map(|(k, v)| Selector::StartsWith(k, v)),
        (key(), value()).prop_map(|(k, v)| Selector::EndsWith(k, v)),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|s| Selector::Not(Box::new(s))),
            prop::collection::vec(inner.clone(), 2..5).prop_map(Selector::And),
            prop::collection::vec(inner, 2..5).prop_map(Selector::Or),
        ]
    })
}

/// Text made of selector fragments, to reach deep into the parser.
fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("("),
        Just(")"),
        Just("!"),
        Just("&&"),
        Just("||"),
        Just("&"),
        Just("="),
        Just("=="),
        Just("!="),
        Just(" "),
        Just("\t"),
        Just("\n"),
        Just("a"),
        Just("b/c"),
        Just("'x'"),
        Just("\"y\""),
        Just("'"),
        Just("\""),
        Just("{"),
        Just("}"),
        Just(","),
        Just("in"),
        Just("not"),
        Just("contains"),
        Just("starts"),
        Just("with"),
        Just("ends"),
        Just("has("),
        Just("all("),
        Just("global("),
        Just("é"),
        Just("%"),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

fn check_any_text(text: &str) -> Result<(), TestCaseError> {
    match parse(text) {
        Ok(sel) => {
            let printed = sel.to_string();
            prop_assert_eq!(parse(&printed), Ok(sel), "{:?} printed {:?}", text, printed);
        }
        Err(e) => {
            prop_assert!(e.offset + e.len <= text.len(), "{:?}: {:?}", text, e);
            prop_assert!(text.is_char_boundary(e.offset), "{:?}: {:?}", text, e);
            prop_assert!(
                text.is_char_boundary(e.offset + e.len),
                "{:?}: {:?}",
                text,
                e
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_any_string(text in any::<String>()) {
        check_any_text(&text)?;
    }

    #[test]
    fn parse_never_panics_on_selector_soup(text in soup()) {
        check_any_text(&text)?;
    }

    #[test]
    fn display_parses_back(sel in selector()) {
        let printed = sel.to_string();
        prop_assert_eq!(parse(&printed), Ok(sel), "printed {:?}", printed);
    }
}

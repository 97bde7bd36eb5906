//! Typed reading of arena nodes, collecting every problem instead of stopping at the first.
//!
//! A [`Decoder`] reads one object (one document, or one item of a `List`). Each accessor
//! checks the node's shape and, when it is wrong, records a [`Problem`] naming the field path
//! relative to the object (`spec.ingress[1].from[0].ipBlock.cidr`) and returns `None`, so the
//! caller moves on and later mistakes in the same object are reported too.
//!
//! YAML nulls (`key:` with nothing, `~`, `null`) read as absent, as Kubernetes reads them.

use std::fmt::Display;

use super::Problem;
use super::yaml::{Document, NodeId, NodeKind, Style, is_null_text};
use crate::base::span::{Span, Spanned};
use crate::base::suggest::closest;
use crate::base::value::IntOrString;

/// A node of a document, cheap to copy.
#[derive(Clone, Copy)]
pub struct N<'d> {
    /// The document it belongs to.
    pub doc: &'d Document,
    /// Its id.
    pub id: NodeId,
}

impl<'d> N<'d> {
    /// The root of a document.
    pub fn root(doc: &'d Document) -> Self {
        N { doc, id: doc.root }
    }

    fn kind(&self) -> &'d NodeKind {
        &self.doc.node(self.id).kind
    }

    /// Where the node's text is.
    pub fn span(&self) -> Span {
        self.doc.node(self.id).span
    }

    /// Whether the node is a YAML null.
    pub fn is_null(&self) -> bool {
        matches!(self.kind(), NodeKind::Scalar(s, Style::Plain) if is_null_text(s))
    }

    /// The text of a scalar that is not null.
    pub fn scalar(&self) -> Option<&'d str> {
        match self.kind() {
            NodeKind::Scalar(s, st) if !(*st == Style::Plain && is_null_text(s)) => Some(s),
            _ => None,
        }
    }

    /// How a scalar was written (None for a collection).
    pub fn style(&self) -> Option<Style> {
        match self.kind() {
            NodeKind::Scalar(_, st) => Some(*st),
            _ => None,
        }
    }

    /// Whether this is a plain scalar that YAML reads as a number or a boolean, so that
    /// kubectl sends it to the API server as a JSON number or boolean, not a string.
    pub fn is_number_or_bool(&self) -> bool {
        match self.kind() {
            NodeKind::Scalar(s, Style::Plain) => {
                parse_number(s).is_some() || parse_bool(s).is_some()
            }
            _ => false,
        }
    }

    /// Whether this is a sequence.
    pub fn is_list(&self) -> bool {
        matches!(self.kind(), NodeKind::Seq(_))
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind(), NodeKind::Map(_))
    }

    /// The value of `key` in a mapping, unless missing or null.
    pub fn get(&self, key: &str) -> Option<N<'d>> {
        self.get_raw(key).filter(|n| !n.is_null())
    }

    /// The value of `key` in a mapping even when null (to tell `from:` from no `from`).
    pub fn get_raw(&self, key: &str) -> Option<N<'d>> {
        let NodeKind::Map(entries) = self.kind() else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(&self.doc.node(*k).kind, NodeKind::Scalar(s, _) if &**s == key))
            .map(|&(_, v)| N {
                doc: self.doc,
                id: v,
            })
    }

    /// The span of the key `key` in a mapping.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        let NodeKind::Map(entries) = self.kind() else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(&self.doc.node(*k).kind, NodeKind::Scalar(s, _) if &**s == key))
            .map(|&(k, _)| self.doc.node(k).span)
    }

    /// A string found at `key`, when it is a scalar (no problem recorded otherwise).
    pub fn str_at(&self, key: &str) -> Option<&'d str> {
        self.get(key).and_then(|n| n.scalar())
    }

    /// Entries of a mapping: (key text, key node, value node).
    pub fn entries(&self) -> impl Iterator<Item = (&'d str, N<'d>, N<'d>)> + 'd {
        let doc = self.doc;
        let entries: &'d [(NodeId, NodeId)] = match self.kind() {
            NodeKind::Map(e) => e,
            _ => &[],
        };
        entries.iter().map(move |&(k, v)| {
            let text = match &doc.node(k).kind {
                NodeKind::Scalar(s, _) => &**s,
                _ => "",
            };
            (text, N { doc, id: k }, N { doc, id: v })
        })
    }

    /// Items of a sequence (none when the node is not one).
    pub fn items(&self) -> impl Iterator<Item = N<'d>> + 'd {
        let doc = self.doc;
        let items: &'d [NodeId] = match self.kind() {
            NodeKind::Seq(i) => i,
            _ => &[],
        };
        items.iter().map(move |&id| N { doc, id })
    }

    /// "a mapping", "a list", "the string \"x\"" ... for messages.
    pub fn describe(&self) -> String {
        match self.kind() {
            NodeKind::Map(_) => "a mapping".into(),
            NodeKind::Seq(_) => "a list".into(),
            NodeKind::Scalar(s, Style::Plain) if is_null_text(s) => "null".into(),
            NodeKind::Scalar(s, _) => {
                let shown: String = s.chars().take(40).collect();
                format!("{shown:?}")
            }
        }
    }
}

/// Reads one object, collecting problems.
pub struct Decoder<'d> {
    /// The document read.
    pub doc: &'d Document,
    /// The node paths are relative to (the object).
    pub root: NodeId,
    /// Problems found so far.
    pub problems: Vec<Problem>,
}

impl<'d> Decoder<'d> {
    /// A decoder for the object at `root`.
    pub fn new(doc: &'d Document, root: NodeId) -> Self {
        Decoder {
            doc,
            root,
            problems: Vec::new(),
        }
    }

    /// The object's root node.
    pub fn object(&self) -> N<'d> {
        N {
            doc: self.doc,
            id: self.root,
        }
    }

    /// The field path of a node within the object.
    pub fn path(&self, n: N) -> String {
        self.doc.path(n.id, self.root)
    }

    /// Records a problem at a node.
    pub fn error(&mut self, n: N, message: impl Display) {
        let path = self.path(n);
        self.problems
            .push(Problem::at_path(n.span(), path, message.to_string()));
    }

    /// Records a problem about a missing field of `parent`.
    pub fn missing(&mut self, parent: N, field: &str) {
        let mut path = self.path(parent);
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(field);
        self.problems.push(Problem::at_path(
            parent.span(),
            path,
            format!("missing required field `{field}`"),
        ));
    }

    /// The node if it is a mapping; a problem otherwise.
    pub fn map(&mut self, n: N<'d>) -> Option<N<'d>> {
        if n.is_map() {
            Some(n)
        } else {
            self.error(
                n,
                format_args!("expected a mapping, found {}", n.describe()),
            );
            None
        }
    }

    /// The items of a list (empty when null); a problem when the node is not a list.
    pub fn list(&mut self, n: N<'d>) -> Vec<N<'d>> {
        match n.kind() {
            NodeKind::Seq(_) => n.items().collect(),
            _ if n.is_null() => Vec::new(),
            _ => {
                self.error(n, format_args!("expected a list, found {}", n.describe()));
                Vec::new()
            }
        }
    }

    /// A scalar read as a string, whatever it looks like (`yes` stays "yes").
    pub fn string(&mut self, n: N<'d>) -> Option<Spanned<String>> {
        match n.kind() {
            NodeKind::Scalar(s, _) => Some(Spanned::new(s.to_string(), n.span())),
            _ => {
                self.error(n, format_args!("expected a string, found {}", n.describe()));
                None
            }
        }
    }

    /// The string at `key` of a mapping, if present.
    pub fn string_at(&mut self, parent: N<'d>, key: &str) -> Option<Spanned<String>> {
        let n = parent.get(key)?;
        self.string(n)
    }

    /// An integer (a plain scalar in decimal).
    pub fn int(&mut self, n: N<'d>) -> Option<Spanned<i64>> {
        match n.kind() {
            NodeKind::Scalar(s, Style::Plain) => match parse_int(s) {
                Some(v) => Some(Spanned::new(v, n.span())),
                None => {
                    self.error(
                        n,
                        format_args!("expected an integer, found {}", n.describe()),
                    );
                    None
                }
            },
            _ => {
                self.error(
                    n,
                    format_args!("expected an integer, found {}", n.describe()),
                );
                None
            }
        }
    }

    /// A number: a plain scalar holding a YAML integer or float (`5`, `-1.5`, `1e3`), as a
    /// JSON number field reads it.
    pub fn number(&mut self, n: N<'d>) -> Option<Spanned<f64>> {
        if let NodeKind::Scalar(s, Style::Plain) = n.kind()
            && let Some(v) = parse_number(s)
        {
            return Some(Spanned::new(v, n.span()));
        }
        self.error(n, format_args!("expected a number, found {}", n.describe()));
        None
    }

    /// The byte offset in the file where a scalar's value appears verbatim: a plain scalar,
    /// or a quoted one whose text between the quotes is its value (no escape, no line
    /// folding). None otherwise (and for collections).
    ///
    /// The document does not keep the source text, so this compares lengths: every
    /// transformation YAML applies to a plain scalar (folding) makes the value shorter than
    /// its text, and so do those of quoted scalars (folding, `''`, escapes) but for the
    /// escapes `\N`, `\_`, `\L` and `\P`, whose characters are refused here. A block
    /// scalar's text is longer than its value plus two unless the value ends with a line
    /// break, refused too. A quoted scalar's span runs on over the spaces and comment that
    /// follow it (up to the next token), so one followed by them gives None as well: never a
    /// wrong offset, at worst the whole scalar.
    pub fn verbatim_start(&self, n: N<'d>) -> Option<u32> {
        let span = n.span();
        match n.kind() {
            NodeKind::Scalar(s, Style::Plain) => (span.len() == s.len()).then_some(span.start),
            NodeKind::Scalar(s, Style::Quoted) => {
                let transformed =
                    s.contains(['\n', '\r', '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}']);
                (!transformed && span.len() == s.len() + 2).then_some(span.start + 1)
            }
            _ => None,
        }
    }

    /// A boolean (`true`/`false`, and the YAML 1.1 spellings kubectl still accepts).
    pub fn bool(&mut self, n: N<'d>) -> Option<bool> {
        if let NodeKind::Scalar(s, Style::Plain) = n.kind()
            && let Some(b) = parse_bool(s)
        {
            return Some(b);
        }
        self.error(
            n,
            format_args!("expected true or false, found {}", n.describe()),
        );
        None
    }

    /// A Kubernetes IntOrString: a plain integer, or any other scalar as a string.
    pub fn int_or_string(&mut self, n: N<'d>) -> Option<Spanned<IntOrString>> {
        match n.kind() {
            NodeKind::Scalar(s, Style::Plain) => match parse_int(s) {
                Some(v) => Some(Spanned::new(IntOrString::Int(v), n.span())),
                None => Some(Spanned::new(IntOrString::Str(s.to_string()), n.span())),
            },
            NodeKind::Scalar(s, Style::Quoted) => {
                Some(Spanned::new(IntOrString::Str(s.to_string()), n.span()))
            }
            _ => {
                self.error(
                    n,
                    format_args!("expected a number or a name, found {}", n.describe()),
                );
                None
            }
        }
    }

    /// A map of strings to strings (labels, annotations, selectors).
    pub fn string_map(&mut self, n: N<'d>) -> Vec<(Spanned<String>, Spanned<String>)> {
        let Some(n) = self.map(n) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, k, v) in n.entries() {
            let value = match v.kind() {
                NodeKind::Scalar(s, st) => {
                    // `key:` with no value is the empty string here, as kubectl reads it.
                    let s = if *st == Style::Plain && is_null_text(s) && &**s != "null" {
                        ""
                    } else {
                        s
                    };
                    s.to_string()
                }
                _ => {
                    self.error(v, format_args!("expected a string, found {}", v.describe()));
                    continue;
                }
            };
            out.push((
                Spanned::new(key.to_string(), k.span()),
                Spanned::new(value, v.span()),
            ));
        }
        out
    }

    /// Records a problem for every key of a mapping not in `known`, with a suggestion.
    pub fn unknown_fields(&mut self, n: N<'d>, known: &[&str]) {
        for (key, k, _) in n.entries() {
            if !known.contains(&key) {
                self.unknown_field(n, k, key, Self::unknown_message(key, known));
            }
        }
    }

    /// The message for an unknown field, suggesting the closest known one.
    pub fn unknown_message(key: &str, known: &[&str]) -> String {
        let hint = closest(key, known)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        format!(
            "unknown field `{key}`{hint}; the API server rejects it (kubectl validates strictly)"
        )
    }

    /// Records what the API server refuses in an object left out for other problems (its
    /// validation, which only an object without them would otherwise get), so that every
    /// error of an object is reported at once, as a compiler reports them.
    pub fn refused_too(&mut self, violations: Vec<crate::model::validate::Violation>) {
        for v in violations {
            let message = format!("{} [{}]", v.message, v.rule);
            self.problems
                .push(Problem::at_path(v.span, v.path, message));
        }
    }

    /// Records a problem about the key node `key` of the mapping `parent`.
    pub fn unknown_field(&mut self, parent: N<'d>, key_node: N<'d>, key: &str, message: String) {
        let path = self.path(parent);
        let full = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        self.problems
            .push(Problem::at_path(key_node.span(), full, message));
    }
}

/// A boolean as [`Decoder::bool`] reads it.
fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// A YAML 1.2 core-schema number that JSON can hold (no `.inf`, `.nan`, octal or hex).
fn parse_number(s: &str) -> Option<f64> {
    if let Some(v) = parse_int(s) {
        return Some(v as f64);
    }
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.is_empty()
        || !t
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::super::yaml::{Limits, parse_file};
    use super::*;
    use crate::base::span::FileId;

    #[test]
    fn problems_name_the_field_path_and_all_are_kept() {
        let (docs, _) = parse_file(
            FileId(0),
            "spec:\n  ingress:\n  - from: {a: 1}\n    ports: 7\n",
            &Limits::default(),
        );
        let doc = &docs[0];
        let mut d = Decoder::new(doc, doc.root);
        let rule = N::root(doc)
            .get("spec")
            .unwrap()
            .get("ingress")
            .unwrap()
            .items()
            .next()
            .unwrap();
        d.list(rule.get("from").unwrap());
        d.list(rule.get("ports").unwrap());
        assert_eq!(d.problems.len(), 2);
        assert_eq!(d.problems[0].path, "spec.ingress[0].from");
        assert_eq!(d.problems[1].path, "spec.ingress[0].ports");
        assert!(
            d.problems[0]
                .message
                .contains("expected a list, found a mapping")
        );
    }

    #[test]
    fn int_or_string_keeps_quoted_numbers_as_strings() {
        let (docs, _) = parse_file(FileId(0), "a: 80\nb: '80'\nc: http\n", &Limits::default());
        let doc = &docs[0];
        let mut d = Decoder::new(doc, doc.root);
        let r = N::root(doc);
        assert_eq!(
            d.int_or_string(r.get("a").unwrap()).unwrap().value,
            IntOrString::Int(80)
        );
        assert_eq!(
            d.int_or_string(r.get("b").unwrap()).unwrap().value,
            IntOrString::Str("80".into())
        );
        assert_eq!(
            d.int_or_string(r.get("c").unwrap()).unwrap().value,
            IntOrString::Str("http".into())
        );
    }

    #[test]
    fn verbatim_start_is_where_the_value_is_written() {
        let cases: [(&str, bool); 15] = [
            ("plain text", true),
            ("plain  # with a comment", true),
            ("'single \"quoted\"'", true),
            ("\"double 'quoted'\"", true),
            // The span of a quoted scalar runs on to the next token: not known verbatim.
            ("\"double 'quoted'\"  # comment", false),
            ("''", true),
            ("'it''s'", false),
            ("\"tab\\there\"", false),
            ("\"a\\Nb\"", false),
            ("\"a\\\"b\"", false),
            ("folded\n    plain", false),
            ("'folded\n    single'", false),
            ("|-\n    block", false),
            (">-\n    block", false),
            ("{k: 'v w'}", false),
        ];
        // ASCII text takes the fast path where it can; a non-ASCII character forces saphyr.
        for tail in ["", "z: \u{e9}\n"] {
            for (value, verbatim) in cases {
                let text = format!("a:\n  b: {value}\n{tail}");
                let (docs, problems) = parse_file(FileId(0), &text, &Limits::default());
                assert!(problems.is_empty(), "{text}: {problems:?}");
                let doc = &docs[0];
                let d = Decoder::new(doc, doc.root);
                let n = N::root(doc).get("a").unwrap().get("b").unwrap();
                let at = d.verbatim_start(n);
                assert_eq!(at.is_some(), verbatim, "{text:?}");
                if let (Some(at), Some(v)) = (at, n.scalar()) {
                    assert_eq!(&text[at as usize..at as usize + v.len()], v, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn numbers_are_yaml_ints_and_floats() {
        let (docs, _) = parse_file(
            FileId(0),
            "[1, -2.5, 1e3, .5, +7, '1', .inf, 1.2.3, 0x10, true, [1]]",
            &Limits::default(),
        );
        let doc = &docs[0];
        let mut d = Decoder::new(doc, doc.root);
        let got: Vec<Option<f64>> = N::root(doc)
            .items()
            .map(|n| d.number(n).map(|v| v.value))
            .collect();
        assert_eq!(
            got,
            [
                Some(1.0),
                Some(-2.5),
                Some(1000.0),
                Some(0.5),
                Some(7.0),
                None,
                None,
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(d.problems.len(), 6);
        assert!(d.problems[0].message.contains("expected a number"));
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(
            closest("ingres", &["ingress", "egress", "podSelector"]),
            Some("ingress")
        );
        assert_eq!(
            closest("podselector", &["ingress", "podSelector"]),
            Some("podSelector")
        );
        assert_eq!(closest("zzz", &["ingress"]), None);
    }
}

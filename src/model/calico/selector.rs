//! The Calico selector language: what a parsed selector is ([`Selector`], libcalico-go's AST),
//! what it means ([`Selector::matches`]) and how libcalico-go prints it. Reading the text is
//! the loader's business (`load::kinds::calico::selector::parse`).
//!
//! Semantics, as in libcalico-go (`lib/selector/parser/ast.go`): `==`, `in`, `contains`,
//! `starts with`, `ends with` and `has()` need the key; `!=` and `not in` hold when it is
//! absent; `all()` holds always; `global()` holds for label sets without
//! [`NAMESPACE_LABEL`] (Calico's rewriting of `global()` to
//! `!has(projectcalico.org/namespace)`); `!` binds tighter than `&&`, which binds tighter than
//! `||`.

use std::fmt;

/// Longest label key accepted, in bytes (libcalico-go's `tokenizer.MaxLabelLength`).
pub const MAX_LABEL_LENGTH: usize = 512;

/// Deepest nesting of parentheses that `parse` accepts; deeper input is a [`SyntaxError`]
/// (libcalico-go has no limit; this one keeps the recursive parser off the end of the stack).
pub const MAX_NESTING: usize = 256;

/// The label Calico sets on every namespaced endpoint; [`Selector::Global`] matches the label
/// sets that lack it.
pub const NAMESPACE_LABEL: &str = "projectcalico.org/namespace";

/// A parsed selector (what libcalico-go's AST holds).
///
/// Invariants of every value `parse` returns, which `parse(&s.to_string()) == Ok(s)` relies
/// on: keys are 1 to [`MAX_LABEL_LENGTH`] bytes of `[A-Za-z0-9_./-]`; no value contains both
/// `'` and `"`; [`In`](Selector::In) and [`NotIn`](Selector::NotIn) sets are sorted (byte
/// order) without duplicates; [`And`](Selector::And) and [`Or`](Selector::Or) have at least two
/// operands; parentheses nest at most [`MAX_NESTING`] deep. A value built by hand that breaks
/// one of these still evaluates and prints, but may not parse back to itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Selector {
    /// `all()`, also what an empty or blank selector means: matches every label set.
    All,
    /// `global()`: matches label sets without [`NAMESPACE_LABEL`], i.e. non-namespaced
    /// endpoints (host endpoints, global network sets).
    Global,
    /// `has(key)`: the key is present, whatever its value.
    Has(String),
    /// `key == 'value'`: the key is present with exactly this value.
    Eq(String, String),
    /// `key != 'value'`: the key is absent, or present with another value.
    Ne(String, String),
    /// `key in {'a', 'b'}`: the key is present with one of the values. Values are sorted and
    /// de-duplicated by `parse`, as libcalico-go's `StringSet` is; may be empty.
    In(String, Vec<String>),
    /// `key not in {'a', 'b'}`: the key is absent, or present with none of the values. Values
    /// as for [`In`](Selector::In).
    NotIn(String, Vec<String>),
    /// `key contains 'x'`: the key is present and its value contains the substring.
    Contains(String, String),
    /// `key starts with 'x'`: the key is present and its value starts with the prefix.
    StartsWith(String, String),
    /// `key ends with 'x'`: the key is present and its value ends with the suffix.
    EndsWith(String, String),
    /// `!operand`: negation. `parse` folds a run of `!` into at most one, as libcalico-go
    /// does, so a directly nested `Not(Not(_))` comes only from `!(!…)`.
    Not(Box<Selector>),
    /// `a && b && …`: every operand matches. Kept as written: `a && (b && c)` stays nested.
    And(Vec<Selector>),
    /// `a || b || …`: some operand matches. Kept as written, like [`And`](Selector::And).
    Or(Vec<Selector>),
}

/// A syntax error in a selector.
///
/// Invariants: `offset` and `offset + len` lie on character boundaries of the parsed text,
/// `offset + len <= text.len()`; `len` is 0 when the problem is the end of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset, in the selector text, of what is wrong.
    pub offset: usize,
    /// Length in bytes of what is wrong (0 at the end of the text).
    pub len: usize,
    /// What is wrong, with a fix where one is evident, for the user who wrote the selector.
    pub message: String,
}

impl SyntaxError {
    /// An error at `offset`, `len` bytes long.
    pub fn new(offset: usize, len: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset,
            len,
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

impl Selector {
    /// Whether a label set satisfies the selector; `get(key)` returns a label's value, `None`
    /// when the label set lacks the key.
    ///
    /// As libcalico-go evaluates: `!=` and `not in` match when the key is absent, the other
    /// comparisons need it. [`Global`](Selector::Global) asks for [`NAMESPACE_LABEL`] only. An
    /// empty `And` matches everything and an empty `Or` nothing.
    ///
    /// For the parser's tests against libcalico-go's cases only: the engines evaluate the
    /// lowered [`crate::model::selector::Expr`], whose keys know whose labels they read.
    #[cfg(test)]
    pub fn matches<'v>(&self, get: &dyn Fn(&str) -> Option<&'v str>) -> bool {
        match self {
            Selector::All => true,
            Selector::Global => get(NAMESPACE_LABEL).is_none(),
            Selector::Has(k) => get(k).is_some(),
            Selector::Eq(k, v) => get(k).is_some_and(|x| x == v),
            Selector::Ne(k, v) => get(k).is_none_or(|x| x != v),
            Selector::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Selector::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Selector::Contains(k, v) => get(k).is_some_and(|x| x.contains(v.as_str())),
            Selector::StartsWith(k, v) => get(k).is_some_and(|x| x.starts_with(v.as_str())),
            Selector::EndsWith(k, v) => get(k).is_some_and(|x| x.ends_with(v.as_str())),
            Selector::Not(s) => !s.matches(get),
            Selector::And(ops) => ops.iter().all(|s| s.matches(get)),
            Selector::Or(ops) => ops.iter().any(|s| s.matches(get)),
        }
    }

    /// Whether the printed form starts with `!` (then `!` before it needs parentheses).
    fn prints_bang_first(&self) -> bool {
        match self {
            Selector::Not(_) => true,
            Selector::Or(ops) => ops.is_empty(),
            _ => false,
        }
    }
}

/// libcalico-go's canonical form (`Selector.String()`): `==`-style operators with one space
/// either side, values in double quotes unless they contain `"`, sets sorted and de-duplicated
/// as `{"a", "b"}`, every `&&`/`||` group in parentheses, `!` directly before its operand.
///
/// Differences, both for trees libcalico-go cannot print faithfully: `Not(Not(x))` prints as
/// `!(!x)` (libcalico-go prints `!!x`, which parses back to `x`); an empty `And` prints as
/// `all()` and an empty `Or` as `!all()` (libcalico-go would crash).
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::All => f.write_str("all()"),
            Selector::Global => f.write_str("global()"),
            Selector::Has(k) => write!(f, "has({k})"),
            Selector::Eq(k, v) => write_op(f, k, " == ", v),
            Selector::Ne(k, v) => write_op(f, k, " != ", v),
            Selector::Contains(k, v) => write_op(f, k, " contains ", v),
            Selector::StartsWith(k, v) => write_op(f, k, " starts with ", v),
            Selector::EndsWith(k, v) => write_op(f, k, " ends with ", v),
            Selector::In(k, vs) => write_set(f, k, " in {", vs),
            Selector::NotIn(k, vs) => write_set(f, k, " not in {", vs),
            Selector::Not(s) if s.prints_bang_first() => write!(f, "!({s})"),
            Selector::Not(s) => write!(f, "!{s}"),
            Selector::And(ops) if ops.is_empty() => f.write_str("all()"),
            Selector::Or(ops) if ops.is_empty() => f.write_str("!all()"),
            Selector::And(ops) => write_group(f, ops, " && "),
            Selector::Or(ops) => write_group(f, ops, " || "),
        }
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    let q = if v.contains('"') { '\'' } else { '"' };
    write!(f, "{q}{v}{q}")
}

fn write_op(f: &mut fmt::Formatter<'_>, key: &str, op: &str, v: &str) -> fmt::Result {
    f.write_str(key)?;
    f.write_str(op)?;
    write_quoted(f, v)
}

fn write_set(f: &mut fmt::Formatter<'_>, key: &str, op: &str, vs: &[String]) -> fmt::Result {
    f.write_str(key)?;
    f.write_str(op)?;
    let mut sorted: Vec<&str> = vs.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    for (i, v) in sorted.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_quoted(f, v)?;
    }
    f.write_str("}")
}

fn write_group(f: &mut fmt::Formatter<'_>, ops: &[Selector], sep: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{op}")?;
    }
    f.write_str(")")
}

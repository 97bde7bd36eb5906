//! The Calico selector language, as libcalico-go parses, evaluates and prints it.
//!
//! Reproduces `libcalico-go/lib/selector` (`tokenizer/tokenizer.go`, `parser/parser.go`,
//! `parser/ast.go`): the same strings are accepted, they mean the same, and [`Selector`]'s
//! `Display` prints libcalico-go's canonical `String()`.
//!
//! Grammar (tokens may be separated by spaces and tabs, and by nothing else):
//!
//! ```text
//! selector  = [ or ]                          (* empty or blank: all() *)
//! or        = and { "||" and }
//! and       = operation { "&&" operation }
//! operation = { "!" } primary                 (* an even run of `!` cancels out *)
//! primary   = "has(" key ")" | "all(" ")" | "global(" ")" | "(" or ")"
//!           | key ( "==" | "!=" | "contains" | "starts" "with" | "ends" "with" ) string
//!           | key ( "in" | "not" "in" ) "{" [ string { "," string } [ "," ] ] "}"
//! key       = 1 to 512 of [A-Za-z0-9_./-]
//! string    = '"' { any character but '"' } '"' | "'" { any character but "'" } "'"
//! ```
//!
//! Lexical details, all as in libcalico-go:
//! - `has(`, `all(` and `global(` are written without a space before `(`; spaces may follow
//!   it. `has (a)` is a key `has` followed by `(`, which is an error.
//! - The operator words are recognised only straight after a key (elsewhere `in` or
//!   `contains` are keys: `contains contains 'x'` is valid) and must end at a character
//!   that cannot be in a key. The two-word ones may be written without the space:
//!   `startswith`, `endswith`, `notin`.
//! - Strings have no escapes; a value holding `"` is written in single quotes and the other
//!   way round. No value can hold both.
//! - A line break is not whitespace: a selector containing one is rejected.
//! - A set may be empty (`a in {}`) and may end with a comma (`{'a',}`).
//! - Sets are sorted and de-duplicated when parsed.
//!
//! Where this module differs from libcalico-go (see each item for detail): `global()` matches
//! label sets without [`NAMESPACE_LABEL`] (libcalico-go's node returns true and Calico gets the
//! meaning by rewriting `global()` to `!has(projectcalico.org/namespace)` before evaluating);
//! parentheses may nest at most [`MAX_NESTING`] deep; and `!` applied to a `!` expression is
//! printed `!(!…)` rather than `!!…`, so that printing and parsing again gives the same tree.

mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use std::fmt;

/// Longest label key accepted, in bytes (libcalico-go's `tokenizer.MaxLabelLength`).
pub const MAX_LABEL_LENGTH: usize = 512;

/// Deepest nesting of parentheses that [`parse`] accepts; deeper input is a [`SyntaxError`]
/// (libcalico-go has no limit; this one keeps the recursive parser off the end of the stack).
pub const MAX_NESTING: usize = 256;

/// The label Calico sets on every namespaced endpoint; [`Selector::Global`] matches the label
/// sets that lack it.
pub const NAMESPACE_LABEL: &str = "projectcalico.org/namespace";

/// A parsed selector (what libcalico-go's AST holds).
///
/// Invariants of every value [`parse`] returns, which `parse(&s.to_string()) == Ok(s)` relies
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
    /// de-duplicated by [`parse`], as libcalico-go's `StringSet` is; may be empty.
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
    /// `!operand`: negation. [`parse`] folds a run of `!` into at most one, as libcalico-go
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
    fn new(offset: usize, len: usize, message: impl Into<String>) -> SyntaxError {
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

/// Parses a Calico selector, accepting exactly the strings libcalico-go's `parser.Parse`
/// accepts (save parentheses nested deeper than [`MAX_NESTING`]).
///
/// An empty or blank (spaces and tabs) text is [`Selector::All`]. Never panics; time is
/// linear in the text, plus sorting the sets; memory is that of the result.
///
/// # Errors
///
/// A [`SyntaxError`] locating the first problem from the left, when libcalico-go would
/// reject the text too, or when parentheses nest deeper than [`MAX_NESTING`].
pub fn parse(text: &str) -> Result<Selector, SyntaxError> {
    parser::parse(text)
}

impl Selector {
    /// Whether a label set satisfies the selector; `get(key)` returns a label's value, `None`
    /// when the label set lacks the key.
    ///
    /// As libcalico-go evaluates: `!=` and `not in` match when the key is absent, the other
    /// comparisons need it. [`Global`](Selector::Global) asks for [`NAMESPACE_LABEL`] only. An
    /// empty `And` matches everything and an empty `Or` nothing.
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

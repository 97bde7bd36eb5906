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

pub use crate::model::calico::selector::{
    MAX_LABEL_LENGTH, MAX_NESTING, NAMESPACE_LABEL, Selector, SyntaxError,
};

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

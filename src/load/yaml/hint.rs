//! Syntax errors said precisely: where the parser's message names only the start of a
//! construct, the line at fault is found and the rule it breaks is said.
//!
//! A quoted scalar in block context may span lines, but YAML 1.2 (§7.3, `s-flow-line-prefix(n)`
//! with n the indentation of the enclosing block node, and the test suite's case QB6E)
//! requires each continuation line to be indented more than the key (or the `-`) the scalar
//! belongs to. Files written by hand often close such a value at the key's own indentation:
//!
//! ```yaml
//! spec:
//!   config: '{
//!     "type": "macvlan"
//!   }'
//! ```
//!
//! libyaml and go-yaml, which kubectl uses, tolerate it; saphyr does not, and says only
//! "invalid indentation in quoted scalar" at the opening quote. [`explain`] points at the
//! first line that is not indented enough, and says by how much it must be.

/// The position and message of a syntax error, said as precisely as can be: `at` is the byte
/// offset in `text` where the parser stopped, `info` its message.
pub(super) fn explain(text: &str, at: usize, info: &str) -> (usize, String) {
    if info == "invalid indentation in quoted scalar"
        && let Some(found) = quoted_continuation(text, at)
    {
        return found;
    }
    (at, format!("YAML syntax error: {info}"))
}

/// For a quoted scalar opening at `quote`: the first continuation line indented no more
/// than the key or `-` the scalar belongs to, and what to do about it.
fn quoted_continuation(text: &str, quote: usize) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let q = *b.get(quote)?;
    if q != b'\'' && q != b'"' {
        return None;
    }
    let line_start = text[..quote].rfind('\n').map_or(0, |n| n + 1);
    let (parent, what) = owner(&text[line_start..quote])?;
    let mut i = quote + 1;
    loop {
        // Up to the end of this line, or the closing quote.
        while i < b.len() && b[i] != b'\n' {
            match b[i] {
                b'\\' if q == b'"' => i += 2,
                b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == q => return None,
                _ => i += 1,
            }
        }
        if i >= b.len() {
            return None;
        }
        i += 1;
        let start = i;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let blank = matches!(b.get(i), None | Some(b'\n' | b'\r'));
        if !blank && i - start <= parent {
            let first = text[..quote].matches('\n').count() + 1;
            let message = format!(
                "YAML syntax error: this line continues the quoted value begun on line {first} and must be indented more than {what}, by at least {} spaces: YAML requires it, although kubectl's parser lets it pass",
                parent + 1,
            );
            return Some((i, message));
        }
    }
}

/// The column the continuation lines of a scalar must exceed, from the text of its line
/// before it (`  config: `, `- `, `  - key: `), and what is there, for the message.
fn owner(prefix: &str) -> Option<(usize, String)> {
    let b = prefix.as_bytes();
    let mut i = 0;
    let mut dash = None;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if b.get(i) == Some(&b'-') && matches!(b.get(i + 1), Some(b' ') | None) {
            dash = Some(i);
            i += 1;
        } else {
            break;
        }
    }
    let rest = prefix[i..].trim_end();
    if rest.is_empty() {
        return dash.map(|d| (d, format!("the `-` of its list item (column {})", d + 1)));
    }
    let key = rest.strip_suffix(':')?.trim_end();
    if key.is_empty() || key.contains(['{', '[', ',']) {
        return None;
    }
    Some((i, format!("its key `{key}` (column {})", i + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_continuation_line_at_the_key_s_indentation_is_named() {
        let text = "spec:\r\n  config: '{\r\n    \"type\": \"macvlan\"\r\n  }'\r\n";
        let (at, message) = explain(
            text,
            text.find('\'').unwrap(),
            "invalid indentation in quoted scalar",
        );
        assert_eq!(at, text.find("}'").unwrap());
        assert!(
            message.contains("begun on line 2")
                && message.contains("more than its key `config` (column 3)")
                && message.contains("by at least 3 spaces"),
            "{message}"
        );
    }

    #[test]
    fn list_items_and_double_quotes_are_named_too() {
        let text = "- \"a\n   b\n\nc\"\n";
        let (at, message) = explain(text, 2, "invalid indentation in quoted scalar");
        assert_eq!(at, text.find("c\"").unwrap());
        assert!(
            message.contains("the `-` of its list item (column 1)"),
            "{message}"
        );
        let text = "a:\n  - k: 'x\n    y'\n";
        let (at, message) = explain(
            text,
            text.find('\'').unwrap(),
            "invalid indentation in quoted scalar",
        );
        assert_eq!(at, text.find("y'").unwrap());
        assert!(message.contains("`k` (column 5)"), "{message}");
    }

    #[test]
    fn other_errors_keep_the_parser_s_words() {
        assert_eq!(
            explain("a: [", 3, "did not find expected ',' or ']'"),
            (
                3,
                "YAML syntax error: did not find expected ',' or ']'".into()
            )
        );
        // No line at fault found: the parser's message stands.
        let text = "a: 'x\n    y'\n";
        assert_eq!(
            explain(text, 3, "invalid indentation in quoted scalar").1,
            "YAML syntax error: invalid indentation in quoted scalar"
        );
    }
}

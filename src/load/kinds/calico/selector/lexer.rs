//! The tokenizer (libcalico-go `tokenizer.AppendTokens`), run lazily: the parser pulls
//! tokens, so the first problem from the left is the one reported and memory stays constant.

use super::{MAX_LABEL_LENGTH, SyntaxError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind<'a> {
    Label(&'a str),
    Str(&'a str),
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Not,
    All,
    Global,
    Has(&'a str),
    LParen,
    RParen,
    And,
    Or,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind<'a>,
    pub(super) offset: usize,
    pub(super) len: usize,
}

pub(super) struct Lexer<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    /// The previous token's kind: operator words are recognised only after a label.
    pub(super) last: Option<Kind<'a>>,
    /// Once an error is found, every later call returns it again.
    pub(super) failed: Option<SyntaxError>,
}

/// Whether a byte may appear in a label key (libcalico-go `identifierChar`).
pub(super) fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-')
}

/// The position after any spaces and tabs from `pos` (libcalico-go `trimWhitespace`).
pub(super) fn skip_blank(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// The end of the run of key bytes starting at `pos`.
pub(super) fn key_end(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).copied().is_some_and(is_key_byte) {
        pos += 1;
    }
    pos
}

/// Matches an operator made of `words` (blanks allowed between and after them) at `pos`.
/// Returns the end of the last word and whether a word boundary follows the trailing blanks
/// (libcalico-go `cutMultiWordPrefixCheckBreak`; for one word `cutPrefixCheckBreak`, which
/// checks right after the word, but since a blank is itself a boundary that is the same).
pub(super) fn cut_words(b: &[u8], pos: usize, words: &[&str]) -> Option<(usize, bool)> {
    let mut p = pos;
    let mut end = pos;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            p = skip_blank(b, p);
        }
        if !b.get(p..)?.starts_with(w.as_bytes()) {
            return None;
        }
        p += w.len();
        end = p;
    }
    let after = if words.len() > 1 { skip_blank(b, p) } else { p };
    let boundary = !b.get(after).copied().is_some_and(is_key_byte);
    Some((end, boundary))
}

/// A short, printable form of user text for messages.
pub(super) fn short(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(super) fn describe(k: Kind<'_>) -> String {
    match k {
        Kind::Label(l) => format!("label `{}`", short(l)),
        Kind::Str(_) => "a quoted string".to_string(),
        Kind::LBrace => "`{`".to_string(),
        Kind::RBrace => "`}`".to_string(),
        Kind::Comma => "`,`".to_string(),
        Kind::Eq => "`==`".to_string(),
        Kind::Ne => "`!=`".to_string(),
        Kind::In => "`in`".to_string(),
        Kind::NotIn => "`not in`".to_string(),
        Kind::Contains => "`contains`".to_string(),
        Kind::StartsWith => "`starts with`".to_string(),
        Kind::EndsWith => "`ends with`".to_string(),
        Kind::Not => "`!`".to_string(),
        Kind::All => "`all()`".to_string(),
        Kind::Global => "`global()`".to_string(),
        Kind::Has(k) => format!("`has({})`", short(k)),
        Kind::LParen => "`(`".to_string(),
        Kind::RParen => "`)`".to_string(),
        Kind::And => "`&&`".to_string(),
        Kind::Or => "`||`".to_string(),
        Kind::Eof => "the end of the selector".to_string(),
    }
}

/// The operator as written in the canonical form.
pub(super) fn op_text(k: Kind<'_>) -> &'static str {
    match k {
        Kind::Eq => "==",
        Kind::Ne => "!=",
        Kind::Contains => "contains",
        Kind::StartsWith => "starts with",
        Kind::EndsWith => "ends with",
        Kind::In => "in",
        Kind::NotIn => "not in",
        _ => "?",
    }
}

/// A value quoted for a suggestion in a message.
pub(super) fn suggest_quoted(v: &str) -> String {
    if v.contains('\'') {
        format!("\"{}\"", short(v))
    } else {
        format!("'{}'", short(v))
    }
}

pub(super) const OPERATORS: &str = "==, !=, in, not in, contains, starts with, ends with";

/// The operators written as words, in the order libcalico-go tries them.
pub(super) const WORD_OPS: [(&[&str], Kind<'static>); 5] = [
    (&["contains"], Kind::Contains),
    (&["starts", "with"], Kind::StartsWith),
    (&["ends", "with"], Kind::EndsWith),
    (&["not", "in"], Kind::NotIn),
    (&["in"], Kind::In),
];

impl<'a> Lexer<'a> {
    pub(super) fn next_token(&mut self) -> Result<Token<'a>, SyntaxError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.lex() {
            Ok(t) => {
                self.last = Some(t.kind);
                Ok(t)
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The text in `from..to`, or "" should that not be a slice (it always is: positions
    /// only ever move over ASCII bytes or to just after an ASCII quote).
    pub(super) fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or("")
    }

    /// Byte length of the character at `pos` (0 at the end).
    pub(super) fn char_len(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8)
    }

    pub(super) fn token(&mut self, kind: Kind<'a>, start: usize, end: usize) -> Token<'a> {
        self.pos = end;
        Token {
            kind,
            offset: start,
            len: end - start,
        }
    }

    pub(super) fn lex(&mut self) -> Result<Token<'a>, SyntaxError> {
        let b = self.text.as_bytes();
        let start = skip_blank(b, self.pos);
        self.pos = start;
        let Some(&c) = b.get(start) else {
            return Ok(self.token(Kind::Eof, start, start));
        };
        let next = b.get(start + 1).copied();
        match c {
            b'(' => Ok(self.token(Kind::LParen, start, start + 1)),
            b')' => Ok(self.token(Kind::RParen, start, start + 1)),
            b'{' => Ok(self.token(Kind::LBrace, start, start + 1)),
            b'}' => Ok(self.token(Kind::RBrace, start, start + 1)),
            b',' => Ok(self.token(Kind::Comma, start, start + 1)),
            b'"' | b'\'' => {
                let body = self.slice(start + 1, b.len());
                match body.find(char::from(c)) {
                    Some(i) => {
                        let value = self.slice(start + 1, start + 1 + i);
                        Ok(self.token(Kind::Str(value), start, start + i + 2))
                    }
                    None => Err(SyntaxError::new(
                        start,
                        1,
                        format!(
                            "unterminated string starting here: close it with {}",
                            char::from(c)
                        ),
                    )),
                }
            }
            b'=' if next == Some(b'=') => Ok(self.token(Kind::Eq, start, start + 2)),
            b'=' => Err(SyntaxError::new(
                start,
                1,
                "`=` is not an operator: write `==`",
            )),
            b'!' if next == Some(b'=') => Ok(self.token(Kind::Ne, start, start + 2)),
            b'!' => Ok(self.token(Kind::Not, start, start + 1)),
            b'&' if next == Some(b'&') => Ok(self.token(Kind::And, start, start + 2)),
            b'&' => Err(SyntaxError::new(
                start,
                1,
                "`&` is not an operator: write `&&`",
            )),
            b'|' if next == Some(b'|') => Ok(self.token(Kind::Or, start, start + 2)),
            b'|' => Err(SyntaxError::new(
                start,
                1,
                "`|` is not an operator: write `||`",
            )),
            _ => match self.last {
                Some(Kind::Label(label)) => self.operator(start, label),
                _ => self.word(start),
            },
        }
    }

    /// After a label: one of the word operators.
    pub(super) fn operator(
        &mut self,
        start: usize,
        label: &'a str,
    ) -> Result<Token<'a>, SyntaxError> {
        let b = self.text.as_bytes();
        let mut spelled = None;
        for (words, kind) in WORD_OPS {
            match cut_words(b, start, words) {
                Some((end, true)) => return Ok(self.token(kind, start, end)),
                Some((end, false)) if spelled.is_none() => spelled = Some((kind, end)),
                _ => {}
            }
        }
        // The operator is spelled right and a blank and a bare word follow it: the value
        // lacks quotes. (When the word runs on, as in `inf`, the operator is misspelled.)
        let unquoted = spelled
            .map(|(kind, op_end)| (kind, op_end, skip_blank(b, op_end)))
            .filter(|&(_, op_end, value_start)| value_start > op_end);
        if let Some((kind, _, value_start)) = unquoted {
            let value = self.slice(value_start, key_end(b, value_start));
            let set = matches!(kind, Kind::In | Kind::NotIn);
            let (what, example) = if set {
                (
                    "a set of quoted values",
                    format!("{{{}}}", suggest_quoted(value)),
                )
            } else {
                ("a quoted value", suggest_quoted(value))
            };
            return Err(SyntaxError::new(
                value_start,
                value.len(),
                format!(
                    "`{}` needs {what}: write {} {} {example}",
                    op_text(kind),
                    short(label),
                    op_text(kind)
                ),
            ));
        }
        let end = key_end(b, start);
        let found = if end > start {
            format!("`{}`", short(self.slice(start, end)))
        } else {
            let c = self.slice(start, start + self.char_len(start));
            format!("`{}`", c.escape_debug())
        };
        Err(SyntaxError::new(
            start,
            (end - start).max(self.char_len(start)),
            format!(
                "expected an operator after label `{}` ({OPERATORS}), found {found}",
                short(label)
            ),
        ))
    }

    /// Not after a label: `has(key)`, `all()`, `global()` or a label.
    pub(super) fn word(&mut self, start: usize) -> Result<Token<'a>, SyntaxError> {
        let b = self.text.as_bytes();
        let rest = b.get(start..).unwrap_or_default();
        if rest.starts_with(b"has(") {
            let key_start = skip_blank(b, start + 4);
            let key_stop = self.key(key_start, "inside `has(`")?;
            let close = skip_blank(b, key_stop);
            if b.get(close) != Some(&b')') {
                return Err(SyntaxError::new(
                    close,
                    self.char_len(close),
                    "expected `)` to close `has(`",
                ));
            }
            let key = self.slice(key_start, key_stop);
            return Ok(self.token(Kind::Has(key), start, close + 1));
        }
        for (prefix, kind, name) in [
            (&b"all("[..], Kind::All, "all"),
            (&b"global("[..], Kind::Global, "global"),
        ] {
            if rest.starts_with(prefix) {
                let close = skip_blank(b, start + prefix.len());
                if b.get(close) != Some(&b')') {
                    return Err(SyntaxError::new(
                        close,
                        self.char_len(close),
                        format!("expected `)` after `{name}(`: {name}() takes no argument"),
                    ));
                }
                return Ok(self.token(kind, start, close + 1));
            }
        }
        let context = match self.last {
            Some(Kind::Not) => "after `!`",
            _ => "",
        };
        if let Some(op) = self
            .last
            .filter(|_| !is_key_byte(b.get(start).copied().unwrap_or(0)))
        {
            // Neither a key nor a quote after a comparison: say what the operator wants.
            let wants = match op {
                Kind::Eq | Kind::Ne | Kind::Contains | Kind::StartsWith | Kind::EndsWith => {
                    "a quoted value"
                }
                Kind::In | Kind::NotIn => "a set of quoted values in braces",
                _ => "",
            };
            if !wants.is_empty() {
                let len = self.char_len(start);
                return Err(SyntaxError::new(
                    start,
                    len,
                    format!(
                        "`{}` needs {wants}, found `{}`",
                        op_text(op),
                        self.slice(start, start + len).escape_debug()
                    ),
                ));
            }
        }
        let end = self.key(start, context)?;
        let label = self.slice(start, end);
        Ok(self.token(Kind::Label(label), start, end))
    }

    /// Checks the label key starting at `start` and returns its end.
    pub(super) fn key(&self, start: usize, context: &str) -> Result<usize, SyntaxError> {
        let b = self.text.as_bytes();
        let end = key_end(b, start);
        let context = if context.is_empty() {
            String::new()
        } else {
            format!(" {context}")
        };
        if end == start {
            let len = self.char_len(start);
            let found = self.slice(start, start + len);
            let message = match found {
                "" => format!("expected a label key{context}, found the end of the selector"),
                "\n" | "\r" => format!(
                    "expected a label key{context}, found a line break: a selector is one line, \
                     with tokens separated by spaces or tabs"
                ),
                _ if found.chars().all(char::is_whitespace) => format!(
                    "expected a label key{context}, found the blank {found:?}: only spaces and \
                     tabs may separate tokens"
                ),
                _ => format!(
                    "expected a label key{context}, found `{}`: a key has only letters, digits \
                     and `-`, `_`, `.`, `/`",
                    found.escape_debug()
                ),
            };
            return Err(SyntaxError::new(start, len, message));
        }
        if end - start > MAX_LABEL_LENGTH {
            return Err(SyntaxError::new(
                start,
                end - start,
                format!(
                    "this label key is {} bytes long; at most {MAX_LABEL_LENGTH} are allowed",
                    end - start
                ),
            ));
        }
        Ok(end)
    }
}

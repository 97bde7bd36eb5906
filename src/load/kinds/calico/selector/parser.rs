//! The parser (libcalico-go `parser.parseOrExpression` and friends), over the lazy tokens of
//! [`super::lexer`].

use std::collections::VecDeque;

use super::lexer::*;
use super::{MAX_NESTING, Selector, SyntaxError};

pub(super) struct Parser<'a> {
    pub(super) lexer: Lexer<'a>,
    /// Tokens peeked but not consumed (at most three).
    pub(super) ahead: VecDeque<Token<'a>>,
    /// The last token consumed.
    pub(super) prev: Option<Token<'a>>,
    /// Parentheses open around the current position.
    pub(super) depth: usize,
}

impl<'a> Parser<'a> {
    /// The token `n` places ahead; the end of the text repeats forever.
    pub(super) fn peek(&mut self, n: usize) -> Result<Token<'a>, SyntaxError> {
        while self.ahead.len() <= n {
            let t = self.lexer.next_token()?;
            self.ahead.push_back(t);
        }
        match self.ahead.get(n) {
            Some(t) => Ok(*t),
            None => Err(SyntaxError::new(
                self.lexer.text.len(),
                0,
                "internal error: token lost",
            )),
        }
    }

    /// Consumes `n` tokens, which must have been peeked.
    pub(super) fn advance(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(t) = self.ahead.pop_front() {
                self.prev = Some(t);
            }
        }
    }

    pub(super) fn or(&mut self) -> Result<Selector, SyntaxError> {
        let first = self.and()?;
        if self.peek(0)?.kind != Kind::Or {
            return Ok(first);
        }
        let mut ops = vec![first];
        while self.peek(0)?.kind == Kind::Or {
            self.advance(1);
            ops.push(self.and()?);
        }
        Ok(Selector::Or(ops))
    }

    pub(super) fn and(&mut self) -> Result<Selector, SyntaxError> {
        let first = self.operation()?;
        if self.peek(0)?.kind != Kind::And {
            return Ok(first);
        }
        let mut ops = vec![first];
        while self.peek(0)?.kind == Kind::And {
            self.advance(1);
            ops.push(self.operation()?);
        }
        Ok(Selector::And(ops))
    }

    pub(super) fn operation(&mut self) -> Result<Selector, SyntaxError> {
        let mut negated = false;
        while self.peek(0)?.kind == Kind::Not {
            negated = !negated;
            self.advance(1);
        }
        let t = self.peek(0)?;
        let sel = match t.kind {
            Kind::Has(k) => {
                self.advance(1);
                Selector::Has(k.to_string())
            }
            Kind::All => {
                self.advance(1);
                Selector::All
            }
            Kind::Global => {
                self.advance(1);
                Selector::Global
            }
            Kind::Label(key) => self.comparison(t, key)?,
            Kind::LParen => {
                if self.depth >= MAX_NESTING {
                    return Err(SyntaxError::new(
                        t.offset,
                        t.len,
                        format!("parentheses nest more than {MAX_NESTING} deep here"),
                    ));
                }
                self.depth += 1;
                self.advance(1);
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.peek(0)?;
                if close.kind != Kind::RParen {
                    return Err(SyntaxError::new(
                        close.offset,
                        close.len,
                        format!(
                            "expected `)` to close the `(` at byte {}, found {}",
                            t.offset,
                            describe(close.kind)
                        ),
                    ));
                }
                self.advance(1);
                inner
            }
            other => return Err(self.expected_expression(t, other)),
        };
        Ok(if negated {
            Selector::Not(Box::new(sel))
        } else {
            sel
        })
    }

    /// The error for a token that cannot start an operation.
    pub(super) fn expected_expression(&self, t: Token<'a>, found: Kind<'a>) -> SyntaxError {
        let prev = self.prev.map(|p| p.kind);
        let message = match (prev, found) {
            (Some(Kind::LParen), Kind::RParen) => {
                "empty parentheses: put an expression inside, e.g. all()".to_string()
            }
            (_, Kind::Str(_)) => "expected a label key, found a quoted string: the key comes \
                 first, as in app == 'web'"
                .to_string(),
            (Some(Kind::Not), _) => {
                format!(
                    "expected a label key or `(` after `!`, found {}",
                    describe(found)
                )
            }
            (Some(p @ (Kind::And | Kind::Or | Kind::LParen)), _) => format!(
                "expected an expression after {}, found {}",
                describe(p),
                describe(found)
            ),
            _ => format!(
                "expected a label key, has(…), all(), global(), `!` or `(`, found {}",
                describe(found)
            ),
        };
        SyntaxError::new(t.offset, t.len, message)
    }

    /// `key op 'value'` or `key in {…}`; `label` is the current token.
    pub(super) fn comparison(
        &mut self,
        label: Token<'a>,
        key: &'a str,
    ) -> Result<Selector, SyntaxError> {
        let op = self.peek(1)?;
        match op.kind {
            Kind::Eq | Kind::Ne | Kind::Contains | Kind::StartsWith | Kind::EndsWith => {
                let v = self.peek(2)?;
                let Kind::Str(value) = v.kind else {
                    let example = match v.kind {
                        Kind::Label(w) => suggest_quoted(w),
                        _ => "'value'".to_string(),
                    };
                    let found = match v.kind {
                        Kind::Label(_) => String::new(),
                        other => format!(", found {}", describe(other)),
                    };
                    return Err(SyntaxError::new(
                        v.offset,
                        v.len,
                        format!(
                            "`{}` needs a quoted value{found}: write {} {} {example}",
                            op_text(op.kind),
                            short(key),
                            op_text(op.kind)
                        ),
                    ));
                };
                self.advance(3);
                let (k, v) = (key.to_string(), value.to_string());
                Ok(match op.kind {
                    Kind::Eq => Selector::Eq(k, v),
                    Kind::Ne => Selector::Ne(k, v),
                    Kind::Contains => Selector::Contains(k, v),
                    Kind::StartsWith => Selector::StartsWith(k, v),
                    _ => Selector::EndsWith(k, v),
                })
            }
            Kind::In | Kind::NotIn => {
                let brace = self.peek(2)?;
                if brace.kind != Kind::LBrace {
                    let example = match brace.kind {
                        Kind::Label(w) | Kind::Str(w) => format!("{{{}}}", suggest_quoted(w)),
                        _ => "{'a', 'b'}".to_string(),
                    };
                    return Err(SyntaxError::new(
                        brace.offset,
                        brace.len,
                        format!(
                            "`{}` needs a set of quoted values in braces, found {}: write {} {} {example}",
                            op_text(op.kind),
                            describe(brace.kind),
                            short(key),
                            op_text(op.kind)
                        ),
                    ));
                }
                self.advance(3);
                let mut values = self.set_values()?;
                values.sort_unstable();
                values.dedup();
                let k = key.to_string();
                Ok(if op.kind == Kind::In {
                    Selector::In(k, values)
                } else {
                    Selector::NotIn(k, values)
                })
            }
            Kind::Eof => Err(SyntaxError::new(
                label.offset,
                label.len,
                format!(
                    "label `{}` needs an operator and a value, e.g. {} == 'value' \
                     (or write has({}) to ask only for the key)",
                    short(key),
                    short(key),
                    short(key)
                ),
            )),
            other => {
                let hint = match (key, other) {
                    ("has" | "all" | "global", Kind::LParen) => {
                        format!(": write `{key}(` without a space")
                    }
                    _ => String::new(),
                };
                Err(SyntaxError::new(
                    op.offset,
                    op.len,
                    format!(
                        "expected an operator after label `{}` ({OPERATORS}), found {}{hint}",
                        short(key),
                        describe(other)
                    ),
                ))
            }
        }
    }

    /// The values of a set after `{`, through the closing `}`.
    pub(super) fn set_values(&mut self) -> Result<Vec<String>, SyntaxError> {
        let mut values = Vec::new();
        let mut after_value = false;
        while let Kind::Str(v) = self.peek(0)?.kind {
            values.push(v.to_string());
            self.advance(1);
            after_value = true;
            if self.peek(0)?.kind != Kind::Comma {
                break;
            }
            self.advance(1);
            after_value = false;
        }
        let t = self.peek(0)?;
        if t.kind != Kind::RBrace {
            let hint = match t.kind {
                Kind::Label(_) => ": values must be quoted",
                _ => "",
            };
            let expected = if after_value {
                "`,` or `}`"
            } else {
                "a quoted value or `}`"
            };
            return Err(SyntaxError::new(
                t.offset,
                t.len,
                format!(
                    "expected {expected} in the set, found {}{hint}",
                    describe(t.kind)
                ),
            ));
        }
        self.advance(1);
        Ok(values)
    }
}

pub(super) fn parse(text: &str) -> Result<Selector, SyntaxError> {
    let mut p = Parser {
        lexer: Lexer {
            text,
            pos: 0,
            last: None,
            failed: None,
        },
        ahead: VecDeque::with_capacity(4),
        prev: None,
        depth: 0,
    };
    if p.peek(0)?.kind == Kind::Eof {
        return Ok(Selector::All);
    }
    let sel = p.or()?;
    let t = p.peek(0)?;
    match t.kind {
        Kind::Eof => Ok(sel),
        Kind::RParen => Err(SyntaxError::new(t.offset, t.len, "this `)` closes no `(`")),
        other => Err(SyntaxError::new(
            t.offset,
            t.len,
            format!(
                "unexpected {} after a complete expression: join expressions with `&&` or `||`",
                describe(other)
            ),
        )),
    }
}

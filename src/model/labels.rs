//! Label sets and label selectors (`matchLabels` and `matchExpressions`).
//!
//! Semantics, from the Kubernetes API reference (meta/v1 LabelSelector):
//! - the requirements of `matchLabels` and `matchExpressions` are ANDed;
//! - an empty selector (`{}`) matches everything;
//! - `In` needs the key with one of the values, `NotIn` matches when the key is absent or its
//!   value is none of them, `Exists` / `DoesNotExist` look at the key only.

use std::fmt;

use crate::base::span::{Span, Spanned};

/// A set of labels, sorted by key, keys unique.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// Builds a label set; a later duplicate key wins.
    pub fn from_pairs<I, K, V>(pairs: I) -> Labels
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut labels = Labels::default();
        for (k, v) in pairs {
            labels.insert(k.into(), v.into());
        }
        labels
    }

    /// Sets a label.
    pub fn insert(&mut self, key: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// The value of a label.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// Whether the key is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The labels in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(no labels)");
        }
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

/// A selector operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// The key has one of the values.
    In,
    /// The key is absent or has none of the values.
    NotIn,
    /// The key is present.
    Exists,
    /// The key is absent.
    DoesNotExist,
}

impl Operator {
    /// Parses the API spelling (case-sensitive, as the API server is).
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            _ => return None,
        })
    }
}

/// One `matchExpressions` item as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expression {
    /// The whole item.
    pub span: Span,
    /// `key`.
    pub key: Spanned<String>,
    /// `operator` as written; see [`Operator::parse`].
    pub operator: Spanned<String>,
    /// `values`.
    pub values: Vec<Spanned<String>>,
    /// The `values` field itself, when present.
    pub values_span: Option<Span>,
}

/// A label selector as written, with positions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    /// The selector node.
    pub span: Span,
    /// `matchLabels` entries (key, value).
    pub match_labels: Vec<(Spanned<String>, Spanned<String>)>,
    /// `matchExpressions` items.
    pub match_expressions: Vec<Expression>,
}

/// One requirement of a selector, normalised: `matchLabels: {k: v}` is `k In (v)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: Operator,
    /// The values, sorted and deduplicated.
    pub values: Vec<String>,
    /// Where it is written.
    pub span: Span,
}

impl Requirement {
    /// Whether a label set satisfies the requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.op {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.op, self.values.as_slice()) {
            (Operator::In, [one]) => write!(f, "{}={}", self.key, one),
            (Operator::In, vals) => write!(f, "{} in ({})", self.key, vals.join(",")),
            (Operator::NotIn, [one]) => write!(f, "{}!={}", self.key, one),
            (Operator::NotIn, vals) => write!(f, "{} notin ({})", self.key, vals.join(",")),
            (Operator::Exists, _) => write!(f, "{}", self.key),
            (Operator::DoesNotExist, _) => write!(f, "!{}", self.key),
        }
    }
}

impl LabelSelector {
    /// The selector `{}`, which matches everything.
    pub fn everything(span: Span) -> Self {
        LabelSelector {
            span,
            match_labels: Vec::new(),
            match_expressions: Vec::new(),
        }
    }

    /// A selector from `matchLabels` pairs only (tests and generators).
    pub fn from_labels(span: Span, pairs: &[(&str, &str)]) -> Self {
        LabelSelector {
            span,
            match_labels: pairs
                .iter()
                .map(|(k, v)| {
                    (
                        Spanned::new(k.to_string(), span),
                        Spanned::new(v.to_string(), span),
                    )
                })
                .collect(),
            match_expressions: Vec::new(),
        }
    }

    /// Whether the selector has no requirement, and so matches everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// The requirements, normalised. Expressions with an unknown operator are left out
    /// (validation reports them, and a policy holding one is never applied).
    pub fn requirements(&self) -> Vec<Requirement> {
        let mut out: Vec<Requirement> = self
            .match_labels
            .iter()
            .map(|(k, v)| Requirement {
                key: k.value.clone(),
                op: Operator::In,
                values: vec![v.value.clone()],
                span: k.span.to(v.span),
            })
            .collect();
        for e in &self.match_expressions {
            let Some(op) = Operator::parse(&e.operator) else {
                continue;
            };
            let mut values: Vec<String> = e.values.iter().map(|v| v.value.clone()).collect();
            values.sort();
            values.dedup();
            out.push(Requirement {
                key: e.key.value.clone(),
                op,
                values,
                span: e.span,
            });
        }
        out
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v.as_str()))
            && self
                .match_expressions
                .iter()
                .all(|e| match Operator::parse(&e.operator) {
                    None => false,
                    Some(op) => {
                        let value = labels.get(&e.key);
                        match op {
                            Operator::In => {
                                value.is_some_and(|v| e.values.iter().any(|x| x.value == v))
                            }
                            Operator::NotIn => {
                                value.is_none_or(|v| !e.values.iter().any(|x| x.value == v))
                            }
                            Operator::Exists => value.is_some(),
                            Operator::DoesNotExist => value.is_none(),
                        }
                    }
                })
    }

    /// The requirements the labels fail, for explanations (empty when it matches).
    pub fn failures(&self, labels: &Labels) -> Vec<Requirement> {
        self.requirements()
            .into_iter()
            .filter(|r| !r.matches(labels))
            .collect()
    }
}

impl fmt::Display for LabelSelector {
    /// `{}` for the empty selector, else `{app=web, tier in (a,b), !legacy}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reqs = self.requirements();
        f.write_str("{")?;
        for (i, r) in reqs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        f.write_str("}")
    }
}

/// "`team` is not set", "app=api, not web" for each failed requirement.
pub fn describe_failures(failed: &[Requirement], labels: &Labels) -> String {
    let parts: Vec<String> = failed
        .iter()
        .map(|r| {
            let actual = labels.get(&r.key);
            match (r.op, actual) {
                (Operator::In | Operator::Exists, None) => format!("label `{}` is not set", r.key),
                (Operator::In, Some(v)) if r.values.len() == 1 => {
                    format!("{}={v}, not {}", r.key, r.values[0])
                }
                (Operator::In, Some(v)) => {
                    format!("{}={v}, not in ({})", r.key, r.values.join(","))
                }
                (Operator::NotIn, Some(v)) => format!("{}={v} is excluded", r.key),
                (Operator::DoesNotExist, Some(v)) => {
                    format!("label `{}` is set ({}={v})", r.key, r.key)
                }
                _ => format!("{r} fails"),
            }
        })
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::default()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> Expression {
        Expression {
            span: sp(),
            key: Spanned::new(key.into(), sp()),
            operator: Spanned::new(op.into(), sp()),
            values: values
                .iter()
                .map(|v| Spanned::new(v.to_string(), sp()))
                .collect(),
            values_span: None,
        }
    }

    fn sel(exprs: Vec<Expression>) -> LabelSelector {
        LabelSelector {
            span: sp(),
            match_labels: Vec::new(),
            match_expressions: exprs,
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(LabelSelector::everything(sp()).matches(&Labels::default()));
        assert!(LabelSelector::everything(sp()).matches(&Labels::from_pairs([("a", "b")])));
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let mut s = LabelSelector::from_labels(sp(), &[("app", "web")]);
        s.match_expressions.push(expr("tier", "In", &["fe", "be"]));
        assert!(s.matches(&Labels::from_pairs([("app", "web"), ("tier", "fe")])));
        assert!(!s.matches(&Labels::from_pairs([("app", "web"), ("tier", "db")])));
        assert!(!s.matches(&Labels::from_pairs([("tier", "fe")])));
    }

    #[test]
    fn not_in_matches_when_the_key_is_absent() {
        let s = sel(vec![expr("env", "NotIn", &["prod"])]);
        assert!(s.matches(&Labels::default()));
        assert!(s.matches(&Labels::from_pairs([("env", "dev")])));
        assert!(!s.matches(&Labels::from_pairs([("env", "prod")])));
    }

    #[test]
    fn exists_and_does_not_exist_ignore_values() {
        let exists = sel(vec![expr("env", "Exists", &[])]);
        let absent = sel(vec![expr("env", "DoesNotExist", &[])]);
        let with = Labels::from_pairs([("env", "")]);
        assert!(exists.matches(&with));
        assert!(!absent.matches(&with));
        assert!(!exists.matches(&Labels::default()));
        assert!(absent.matches(&Labels::default()));
    }

    #[test]
    fn unknown_operator_matches_nothing() {
        assert!(!sel(vec![expr("env", "in", &["a"])]).matches(&Labels::from_pairs([("env", "a")])));
    }

    #[test]
    fn display_is_kubectl_like() {
        let mut s = LabelSelector::from_labels(sp(), &[("app", "web")]);
        s.match_expressions.push(expr("tier", "In", &["fe", "be"]));
        s.match_expressions
            .push(expr("legacy", "DoesNotExist", &[]));
        assert_eq!(s.to_string(), "{app=web, tier in (be,fe), !legacy}");
        assert_eq!(LabelSelector::everything(sp()).to_string(), "{}");
    }

    #[test]
    fn failures_name_the_failed_requirements() {
        let s = LabelSelector::from_labels(sp(), &[("app", "web"), ("tier", "fe")]);
        let f = s.failures(&Labels::from_pairs([("app", "web"), ("tier", "be")]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].to_string(), "tier=fe");
    }

    #[test]
    fn failures_read_plainly() {
        let labels = Labels::from_pairs([("app", "api"), ("legacy", "yes")]);
        let req = |key: &str, op, values: &[&str]| Requirement {
            key: key.into(),
            op,
            values: values.iter().map(|s| s.to_string()).collect(),
            span: Span::default(),
        };
        let text = describe_failures(
            &[
                req("app", Operator::In, &["web"]),
                req("team", Operator::Exists, &[]),
                req("legacy", Operator::DoesNotExist, &[]),
                req("app", Operator::NotIn, &["api"]),
            ],
            &labels,
        );
        assert_eq!(
            text,
            "app=api, not web; label `team` is not set; label `legacy` is set (legacy=yes); app=api is excluded"
        );
    }
}

//! The one selector language of the policy model: boolean expressions over labels, into which
//! Kubernetes label selectors and Calico selectors both lower.
//!
//! A selector is evaluated on a *carrier*: something that has labels of its own and may live
//! in a namespace and run as a service account — a pod (or workload), or a Calico network
//! set. Every label key names where it is looked up ([`Scope`]):
//! - [`Scope::Own`]: the carrier's own labels (a pod's labels, a network set's labels);
//! - [`Scope::Namespace`]: the labels of the carrier's namespace (none for a cluster-wide
//!   carrier such as a GlobalNetworkSet). `kubernetes.io/metadata.name` is always the
//!   namespace's name;
//! - [`Scope::ServiceAccount`]: the labels of the pod's service account, plus
//!   `projectcalico.org/name` = its name (Calico's `pcsa.` labels);
//! - [`Scope::Meta`]: what Calico adds to a workload endpoint's labels
//!   (`projectcalico.org/orchestrator: k8s`).
//!
//! Semantics of the operators (shared by both APIs): `Eq`, `In`, `Contains`, `StartsWith`,
//! `EndsWith` and `Has` need the key; `Ne` and `NotIn` hold when the key is absent (Kubernetes
//! `NotIn`, Calico `!=` and `not in`); `Global` holds for carriers outside every namespace;
//! `All` holds always; `And([])` is true and `Or([])` false.

use std::fmt;

use super::labels::{Operator, Requirement};

/// Where a label is looked up; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The carrier's own labels.
    Own,
    /// Its namespace's labels.
    Namespace,
    /// Its service account's labels.
    ServiceAccount,
    /// Labels Calico gives every workload endpoint.
    Meta,
}

/// A label key and where it is looked up.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Where.
    pub scope: Scope,
    /// The key.
    pub name: String,
}

impl Key {
    /// A key of the carrier's own labels.
    pub fn own(name: impl Into<String>) -> Key {
        Key {
            scope: Scope::Own,
            name: name.into(),
        }
    }

    /// A key of the namespace's labels.
    pub fn namespace(name: impl Into<String>) -> Key {
        Key {
            scope: Scope::Namespace,
            name: name.into(),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope {
            Scope::Own | Scope::Meta => f.write_str(&self.name),
            Scope::Namespace => write!(f, "namespace label {}", self.name),
            Scope::ServiceAccount => write!(f, "service account label {}", self.name),
        }
    }
}

/// A selector expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expr {
    /// Every carrier.
    All,
    /// Carriers outside every namespace (Calico `global()`).
    Global,
    /// The key is set.
    Has(Key),
    /// The key is set to the value.
    Eq(Key, String),
    /// The key is absent or set to another value.
    Ne(Key, String),
    /// The key is set to one of the values.
    In(Key, Vec<String>),
    /// The key is absent or set to none of the values.
    NotIn(Key, Vec<String>),
    /// The key's value contains the text.
    Contains(Key, String),
    /// The key's value starts with the text.
    StartsWith(Key, String),
    /// The key's value ends with the text.
    EndsWith(Key, String),
    /// Negation.
    Not(Box<Expr>),
    /// Every part holds (true when empty).
    And(Vec<Expr>),
    /// Some part holds (false when empty).
    Or(Vec<Expr>),
}

/// What a selector is evaluated on: label look-ups per scope.
pub trait Carrier {
    /// The value of a label, if set.
    fn label(&self, key: &Key) -> Option<&str>;
    /// Whether the carrier lives in a namespace.
    fn namespaced(&self) -> bool;
}

impl Expr {
    /// The same expression with every key replaced by `f`'s.
    pub fn map_keys(&self, f: &dyn Fn(&Key) -> Key) -> Expr {
        let list = |xs: &[Expr]| xs.iter().map(|x| x.map_keys(f)).collect();
        match self {
            Expr::All => Expr::All,
            Expr::Global => Expr::Global,
            Expr::Has(k) => Expr::Has(f(k)),
            Expr::Eq(k, v) => Expr::Eq(f(k), v.clone()),
            Expr::Ne(k, v) => Expr::Ne(f(k), v.clone()),
            Expr::In(k, vs) => Expr::In(f(k), vs.clone()),
            Expr::NotIn(k, vs) => Expr::NotIn(f(k), vs.clone()),
            Expr::Contains(k, v) => Expr::Contains(f(k), v.clone()),
            Expr::StartsWith(k, v) => Expr::StartsWith(f(k), v.clone()),
            Expr::EndsWith(k, v) => Expr::EndsWith(f(k), v.clone()),
            Expr::Not(e) => Expr::Not(Box::new(e.map_keys(f))),
            Expr::And(xs) => Expr::And(list(xs)),
            Expr::Or(xs) => Expr::Or(list(xs)),
        }
    }

    /// Whether the carrier satisfies the expression.
    pub fn matches(&self, c: &dyn Carrier) -> bool {
        match self {
            Expr::All => true,
            Expr::Global => !c.namespaced(),
            Expr::Has(k) => c.label(k).is_some(),
            Expr::Eq(k, v) => c.label(k) == Some(v.as_str()),
            Expr::Ne(k, v) => c.label(k) != Some(v.as_str()),
            Expr::In(k, vs) => c.label(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Expr::NotIn(k, vs) => c.label(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Expr::Contains(k, v) => c.label(k).is_some_and(|x| x.contains(v.as_str())),
            Expr::StartsWith(k, v) => c.label(k).is_some_and(|x| x.starts_with(v.as_str())),
            Expr::EndsWith(k, v) => c.label(k).is_some_and(|x| x.ends_with(v.as_str())),
            Expr::Not(e) => !e.matches(c),
            Expr::And(es) => es.iter().all(|e| e.matches(c)),
            Expr::Or(es) => es.iter().any(|e| e.matches(c)),
        }
    }

    /// The conjunction of two expressions, flattening `And`s and dropping `All`s.
    pub fn and(self, other: Expr) -> Expr {
        let mut parts = Vec::new();
        for e in [self, other] {
            match e {
                Expr::All => {}
                Expr::And(es) => parts.extend(es),
                e => parts.push(e),
            }
        }
        match parts.len() {
            0 => Expr::All,
            1 => parts.pop().expect("one part"),
            _ => Expr::And(parts),
        }
    }

    /// Whether the expression holds for every carrier, syntactically (`All`, `And([])`).
    pub fn is_all(&self) -> bool {
        match self {
            Expr::All => true,
            Expr::And(es) => es.iter().all(Expr::is_all),
            _ => false,
        }
    }

    /// The requirements it puts on one scope, when it is a conjunction of simple comparisons
    /// (what every Kubernetes selector lowers to): the form that containment and failure
    /// explanations read. Comparisons on other scopes are left out. None when it uses `||`,
    /// `!` of a compound, string matching or `global()`.
    pub fn requirements(&self, scope: Scope) -> Option<Vec<Requirement>> {
        let mut out = Vec::new();
        self.collect_requirements(scope, &mut out).then_some(out)
    }

    fn collect_requirements(&self, scope: Scope, out: &mut Vec<Requirement>) -> bool {
        let mut req = |k: &Key, op: Operator, values: Vec<String>| {
            if k.scope != scope {
                return true;
            }
            let mut values = values;
            values.sort();
            values.dedup();
            out.push(Requirement {
                key: k.name.clone(),
                op,
                values,
                span: Default::default(),
            });
            true
        };
        match self {
            Expr::All => true,
            Expr::Has(k) => req(k, Operator::Exists, Vec::new()),
            Expr::Eq(k, v) => req(k, Operator::In, vec![v.clone()]),
            Expr::Ne(k, v) => req(k, Operator::NotIn, vec![v.clone()]),
            Expr::In(k, vs) => req(k, Operator::In, vs.clone()),
            Expr::NotIn(k, vs) => req(k, Operator::NotIn, vs.clone()),
            Expr::Not(e) => match &**e {
                Expr::Has(k) => req(k, Operator::DoesNotExist, Vec::new()),
                Expr::Eq(k, v) => req(k, Operator::NotIn, vec![v.clone()]),
                Expr::In(k, vs) => req(k, Operator::NotIn, vs.clone()),
                _ => false,
            },
            Expr::And(es) => es.iter().all(|e| e.collect_requirements(scope, out)),
            _ => false,
        }
    }

    /// The scopes the expression looks at.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut out = Vec::new();
        self.visit_keys(&mut |k| {
            if !out.contains(&k.scope) {
                out.push(k.scope);
            }
        });
        out
    }

    /// Calls `f` on every key the expression reads.
    pub fn visit_keys(&self, f: &mut impl FnMut(&Key)) {
        match self {
            Expr::All | Expr::Global => {}
            Expr::Has(k)
            | Expr::Eq(k, _)
            | Expr::Ne(k, _)
            | Expr::In(k, _)
            | Expr::NotIn(k, _)
            | Expr::Contains(k, _)
            | Expr::StartsWith(k, _)
            | Expr::EndsWith(k, _) => f(k),
            Expr::Not(e) => e.visit_keys(f),
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.visit_keys(f)),
        }
    }
}

impl From<&Requirement> for Expr {
    /// A Kubernetes requirement on the carrier's own labels.
    fn from(r: &Requirement) -> Expr {
        Expr::from_requirement(Scope::Own, r)
    }
}

impl Expr {
    /// A Kubernetes requirement on the labels of `scope`.
    pub fn from_requirement(scope: Scope, r: &Requirement) -> Expr {
        Expr::requirement_on(
            Key {
                scope,
                name: r.key.clone(),
            },
            r,
        )
    }

    /// A Kubernetes selector requirement's operator and values, on a key of the caller's
    /// choosing (Cilium reads a written key as an identity label).
    pub fn requirement_on(key: Key, r: &Requirement) -> Expr {
        match r.op {
            Operator::In if r.values.len() == 1 => Expr::Eq(key, r.values[0].clone()),
            Operator::In => Expr::In(key, r.values.clone()),
            Operator::NotIn => Expr::NotIn(key, r.values.clone()),
            Operator::Exists => Expr::Has(key),
            Operator::DoesNotExist => Expr::Not(Box::new(Expr::Has(key))),
        }
    }

    /// A Kubernetes selector's requirements, ANDed, on the labels of `scope`.
    pub fn from_requirements(scope: Scope, reqs: &[Requirement]) -> Expr {
        reqs.iter()
            .map(|r| Expr::from_requirement(scope, r))
            .fold(Expr::All, Expr::and)
    }
}

fn quote(v: &str) -> String {
    if v.contains('\'') {
        format!("\"{v}\"")
    } else {
        format!("'{v}'")
    }
}

fn set(vs: &[String]) -> String {
    let items: Vec<String> = vs.iter().map(|v| quote(v)).collect();
    format!("{{{}}}", items.join(", "))
}

impl fmt::Display for Expr {
    /// Calico's syntax, with scoped keys written as Calico writes them (`pcns.` for namespace
    /// labels, `pcsa.` for service account labels).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = |k: &Key| match k.scope {
            Scope::Own | Scope::Meta => k.name.clone(),
            Scope::Namespace => format!("pcns.{}", k.name),
            Scope::ServiceAccount => format!("pcsa.{}", k.name),
        };
        match self {
            Expr::All => f.write_str("all()"),
            Expr::Global => f.write_str("global()"),
            Expr::Has(k) => write!(f, "has({})", key(k)),
            Expr::Eq(k, v) => write!(f, "{} == {}", key(k), quote(v)),
            Expr::Ne(k, v) => write!(f, "{} != {}", key(k), quote(v)),
            Expr::In(k, vs) => write!(f, "{} in {}", key(k), set(vs)),
            Expr::NotIn(k, vs) => write!(f, "{} not in {}", key(k), set(vs)),
            Expr::Contains(k, v) => write!(f, "{} contains {}", key(k), quote(v)),
            Expr::StartsWith(k, v) => write!(f, "{} starts with {}", key(k), quote(v)),
            Expr::EndsWith(k, v) => write!(f, "{} ends with {}", key(k), quote(v)),
            Expr::Not(e) => match &**e {
                Expr::And(_) | Expr::Or(_) => write!(f, "!({e})"),
                e => write!(f, "!{e}"),
            },
            Expr::And(es) | Expr::Or(es) => {
                let op = if matches!(self, Expr::And(_)) {
                    " && "
                } else {
                    " || "
                };
                if es.is_empty() {
                    return f.write_str(if op == " && " { "all()" } else { "!all()" });
                }
                for (i, e) in es.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    match e {
                        Expr::And(_) | Expr::Or(_) => write!(f, "({e})")?,
                        e => write!(f, "{e}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Labels;

    struct Pod<'a> {
        own: &'a Labels,
        ns: Option<&'a Labels>,
    }

    impl Carrier for Pod<'_> {
        fn label(&self, key: &Key) -> Option<&str> {
            match key.scope {
                Scope::Own => self.own.get(&key.name),
                Scope::Namespace => self.ns?.get(&key.name),
                _ => None,
            }
        }
        fn namespaced(&self) -> bool {
            self.ns.is_some()
        }
    }

    #[test]
    fn negative_operators_hold_without_the_key_and_positive_ones_need_it() {
        let none = Labels::default();
        let pod = Pod {
            own: &none,
            ns: None,
        };
        let k = || Key::own("a");
        assert!(Expr::Ne(k(), "x".into()).matches(&pod));
        assert!(Expr::NotIn(k(), vec!["x".into()]).matches(&pod));
        for e in [
            Expr::Eq(k(), "x".into()),
            Expr::In(k(), vec!["x".into()]),
            Expr::Has(k()),
            Expr::Contains(k(), "".into()),
            Expr::StartsWith(k(), "".into()),
            Expr::EndsWith(k(), "".into()),
        ] {
            assert!(!e.matches(&pod), "{e}");
        }
        assert!(Expr::Global.matches(&pod));
    }

    #[test]
    fn scopes_look_up_their_own_label_sets() {
        let own = Labels::from_pairs([("app", "web")]);
        let ns = Labels::from_pairs([("team", "red")]);
        let pod = Pod {
            own: &own,
            ns: Some(&ns),
        };
        assert!(Expr::Eq(Key::own("app"), "web".into()).matches(&pod));
        assert!(!Expr::Eq(Key::own("team"), "red".into()).matches(&pod));
        assert!(Expr::Eq(Key::namespace("team"), "red".into()).matches(&pod));
        assert!(!Expr::Global.matches(&pod));
    }

    #[test]
    fn kubernetes_requirements_round_trip() {
        let reqs = vec![
            Requirement {
                key: "app".into(),
                op: Operator::In,
                values: vec!["web".into()],
                span: Default::default(),
            },
            Requirement {
                key: "legacy".into(),
                op: Operator::DoesNotExist,
                values: vec![],
                span: Default::default(),
            },
        ];
        let e = Expr::from_requirements(Scope::Own, &reqs);
        assert_eq!(e.to_string(), "app == 'web' && !has(legacy)");
        assert_eq!(e.requirements(Scope::Own), Some(reqs));
        assert_eq!(e.requirements(Scope::Namespace), Some(vec![]));
        let or = Expr::Or(vec![e.clone(), Expr::All]);
        assert_eq!(or.requirements(Scope::Own), None);
        assert!(Expr::from_requirements(Scope::Own, &[]).is_all());
    }
}

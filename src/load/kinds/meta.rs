//! `metadata`: name, namespace, labels, annotations, ownerReferences.

use crate::base::span::{Span, Spanned};
use crate::load::decode::{Decoder, N};
use crate::model::{Labels, OwnerRef};

/// The metadata the model uses.
pub struct Meta {
    /// metadata.name.
    pub name: Spanned<String>,
    /// metadata.namespace, or the default namespace.
    pub namespace: String,
    /// metadata.labels.
    pub labels: Labels,
    /// metadata.annotations.
    pub annotations: Labels,
    /// metadata.ownerReferences.
    pub owners: Vec<OwnerRef>,
}

/// Reads `metadata` of the object; None (with a problem) when it or its name is missing.
pub fn read(d: &mut Decoder, default_ns: &str) -> Option<Meta> {
    let obj = d.object();
    let Some(m) = obj.get("metadata") else {
        d.missing(obj, "metadata");
        return None;
    };
    let m = d.map(m)?;
    let name = match m.get("name") {
        Some(n) => d.string(n)?,
        None => {
            d.missing(m, "name");
            return None;
        }
    };
    let namespace = match m.get("namespace") {
        Some(n) => d.string(n)?.value,
        None => default_ns.to_string(),
    };
    let label_set = m.get("labels").map(|l| labels(d, l)).unwrap_or_default();
    let annotations = m
        .get("annotations")
        .map(|a| labels(d, a))
        .unwrap_or_default();
    let mut owners = Vec::new();
    if let Some(refs) = m.get("ownerReferences") {
        for r in d.list(refs) {
            let Some(r) = d.map(r) else { continue };
            let kind = r.str_at("kind");
            let name = r.str_at("name");
            if let (Some(kind), Some(name)) = (kind, name) {
                owners.push(OwnerRef {
                    kind: kind.into(),
                    name: name.into(),
                });
            }
        }
    }
    Some(Meta {
        name,
        namespace,
        labels: label_set,
        annotations,
        owners,
    })
}

/// A string map as [`Labels`].
pub fn labels<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Labels {
    Labels::from_pairs(d.string_map(n).into_iter().map(|(k, v)| (k.value, v.value)))
}

/// The span of `metadata.name`, or of the object.
pub fn name_span(d: &Decoder) -> Span {
    let obj = d.object();
    obj.get("metadata")
        .and_then(|m| m.get("name"))
        .map_or(obj.span(), |n| n.span())
}

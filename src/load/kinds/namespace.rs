//! v1 Namespace.

use super::meta;
use crate::load::decode::Decoder;
use crate::model::{Namespace, Object};

/// Decodes a Namespace (its labels are what namespaceSelectors match).
pub fn decode(d: &mut Decoder) -> Option<Object> {
    let m = meta::read(d, "")?;
    Some(Object::Namespace(Namespace {
        name: m.name.value,
        labels: m.labels,
        annotations: m.annotations,
        span: Some(d.object().span()),
        name_span: Some(meta::name_span(d)),
    }))
}

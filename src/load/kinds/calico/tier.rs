//! Calico Tier (`api/pkg/apis/projectcalico/v3/tier.go`): `order` and `defaultAction`.

use super::{OBJECT_FIELDS, spec};
use crate::load::decode::Decoder;
use crate::load::kinds::{Decoded, meta};
use crate::model::Object;
use crate::model::calico::{CalicoObject, CalicoTier};

/// Decodes a Tier (cluster-scoped: a namespace written in its metadata is ignored).
pub fn decode(d: &mut Decoder) -> Decoded {
    let obj = d.object();
    d.unknown_fields(obj, &OBJECT_FIELDS);
    let Some(m) = meta::read(d, "") else {
        return Decoded::Broken;
    };
    let Some(spec) = spec(d) else {
        return Decoded::Broken;
    };
    d.unknown_fields(spec, &["order", "defaultAction"]);
    let order = spec.get("order").and_then(|n| d.number(n));
    let default_action = d.string_at(spec, "defaultAction");
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Calico(Box::new(CalicoObject::Tier(CalicoTier {
        name: m.name.value,
        span: obj.span(),
        name_span: meta::name_span(d),
        order,
        default_action,
    }))))
}

#[cfg(test)]
mod tests {
    use crate::load::{LoadOptions, Outcome, load_texts};
    use crate::model::Object;
    use crate::model::calico::CalicoObject;

    #[test]
    fn a_tier_decodes_its_order_and_default_action() {
        let text = "apiVersion: crd.projectcalico.org/v1\nkind: Tier\nmetadata:\n  name: platform\n  namespace: ignored\nspec:\n  order: 100.5\n  defaultAction: Pass\nstatus: {conditions: []}\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let Object::Calico(c) = &l.objects[0] else {
            panic!("{:?}", l.objects)
        };
        let CalicoObject::Tier(t) = &**c else {
            panic!("{c:?}")
        };
        assert_eq!(t.name, "platform");
        assert_eq!(
            &text[t.name_span.start as usize..t.name_span.end as usize],
            "platform"
        );
        assert_eq!(t.order.as_ref().unwrap().value, 100.5);
        assert_eq!(t.default_action.as_ref().unwrap().value, "Pass");
        // Both are optional.
        let l = load_texts(
            &[(
                "t.yaml",
                "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {}\n",
            )],
            &LoadOptions::default(),
        );
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.objects.len(), 1);
    }

    #[test]
    fn a_tier_is_read_strictly() {
        let text = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec:\n  ordr: 1\n  defaultAction: [Deny]\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.objects.is_empty());
        assert_eq!(l.inventory[0].outcome, Outcome::Broken);
        let paths: Vec<&str> = l.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["spec.ordr", "spec.defaultAction"]);
        assert!(l.problems[0].message.contains("did you mean `order`"));
    }
}

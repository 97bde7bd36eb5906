//! Calico NetworkSet (namespaced) and GlobalNetworkSet: labelled lists of addresses
//! (`networkset.go`, `globalnetworkset.go`).

use super::{OBJECT_FIELDS, spec, strings_at};
use crate::load::LoadOptions;
use crate::load::decode::Decoder;
use crate::load::kinds::{Decoded, meta};
use crate::model::Object;
use crate::model::calico::{CalicoObject, NetworkSet};

/// Decodes a NetworkSet (`namespaced`: with the options that default its namespace) or a
/// GlobalNetworkSet (None: a namespace written in its metadata is ignored).
pub fn decode(d: &mut Decoder, namespaced: Option<&LoadOptions>) -> Decoded {
    let obj = d.object();
    d.unknown_fields(obj, &OBJECT_FIELDS);
    let default_ns = namespaced.map_or("", |o| o.default_namespace.as_str());
    let Some(m) = meta::read(d, default_ns) else {
        return Decoded::Broken;
    };
    let Some(spec) = spec(d) else {
        return Decoded::Broken;
    };
    d.unknown_fields(spec, &["nets", "allowedEgressDomains"]);
    let nets = strings_at(d, spec, "nets");
    // Calico Enterprise's egress domains: not modelled, only their shape is checked.
    strings_at(d, spec, "allowedEgressDomains");
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Calico(Box::new(CalicoObject::NetworkSet(
        NetworkSet {
            namespace: namespaced.map(|_| m.namespace),
            name: m.name.value,
            span: obj.span(),
            labels: m.labels,
            nets,
        },
    ))))
}

#[cfg(test)]
mod tests {
    use crate::load::{LoadOptions, load_texts};
    use crate::model::Object;
    use crate::model::calico::{CalicoObject, NetworkSet};

    fn sets(text: &str) -> Vec<NetworkSet> {
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.objects
            .iter()
            .map(|o| match o {
                Object::Calico(c) => match &**c {
                    CalicoObject::NetworkSet(s) => s.clone(),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn network_sets_decode_their_labels_and_nets() {
        let s = sets(
            "apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: ext\n  labels: {role: external}\nspec:\n  nets: [1.2.3.0/24, 10.0.0.1]\n---\napiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkSet\nmetadata:\n  name: g\n  namespace: ignored\n  labels: {a: b}\nspec:\n  nets: [8.8.8.8/32]\n  allowedEgressDomains: [example.com]\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id(), "NetworkSet default/ext");
        assert_eq!(s[0].labels.get("role"), Some("external"));
        let nets: Vec<&str> = s[0].nets.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(nets, ["1.2.3.0/24", "10.0.0.1"]);
        assert_eq!(s[1].id(), "GlobalNetworkSet g");
        assert_eq!(s[1].namespace, None);
        assert_eq!(s[1].nets.len(), 1);
        // No nets at all is a set matching no address.
        let s = sets(
            "apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: {name: e, namespace: x}\nspec: {}\n",
        );
        assert_eq!(s[0].id(), "NetworkSet x/e");
        assert!(s[0].nets.is_empty());
    }

    #[test]
    fn network_sets_are_read_strictly() {
        let l = load_texts(
            &[(
                "t.yaml",
                "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: g}\nspec:\n  net: [1.2.3.4/32]\n  allowedEgressDomains: example.com\n",
            )],
            &LoadOptions::default(),
        );
        assert!(l.objects.is_empty());
        let paths: Vec<&str> = l.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["spec.net", "spec.allowedEgressDomains"]);
        assert!(l.problems[0].message.contains("did you mean `nets`"));
    }
}

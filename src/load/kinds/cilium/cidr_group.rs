//! CiliumCIDRGroup (`cilium.io/v2alpha1` and `v2`): a named, labelled list of CIDRs that
//! the CIDR sets of policies refer to by name (`cidrGroupRef`) or by labels
//! (`cidrGroupSelector`).

use super::{CIDR_GROUP_VERSIONS, known_version, strings_at};
use crate::load::decode::Decoder;
use crate::load::kinds::{Decoded, meta};
use crate::model::Object;
use crate::model::cilium::{CidrGroup, CiliumObject};

/// Decodes a CiliumCIDRGroup.
pub(super) fn decode(d: &mut Decoder, api_version: &str) -> Decoded {
    if !known_version(d, "CiliumCIDRGroup", api_version, &CIDR_GROUP_VERSIONS) {
        return Decoded::Broken;
    }
    let obj = d.object();
    d.unknown_fields(obj, &["apiVersion", "kind", "metadata", "spec"]);
    // Cluster-scoped: a namespace in the metadata is ignored.
    let Some(m) = meta::read(d, "") else {
        return Decoded::Broken;
    };
    let Some(spec) = obj.get("spec") else {
        d.missing(obj, "spec");
        return Decoded::Broken;
    };
    let Some(spec) = d.map(spec) else {
        return Decoded::Broken;
    };
    d.unknown_fields(spec, &["externalCIDRs"]);
    let cidrs = strings_at(d, spec, "externalCIDRs");
    if cidrs.is_none() {
        d.missing(spec, "externalCIDRs");
    }
    if !d.problems.is_empty() {
        return Decoded::Broken;
    }
    Decoded::Used(Object::Cilium(Box::new(CiliumObject::CidrGroup(
        CidrGroup {
            name: m.name.value,
            labels: m.labels,
            span: obj.span(),
            cidrs: cidrs.unwrap_or_default(),
        },
    ))))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{group, paths, problems};

    #[test]
    fn cidr_groups_decode_in_both_versions() {
        for version in ["v2alpha1", "v2"] {
            let g = group(&format!(
                "apiVersion: cilium.io/{version}\nkind: CiliumCIDRGroup\nmetadata:\n  name: office\n  namespace: ignored\n  labels: {{zone: eu}}\nspec:\n  externalCIDRs: [192.0.2.0/24, \"2001:db8::/32\", not-a-cidr]\n"
            ));
            assert_eq!(g.name, "office");
            assert_eq!(g.labels.get("zone"), Some("eu"));
            let cidrs: Vec<&str> = g.cidrs.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(cidrs, ["192.0.2.0/24", "2001:db8::/32", "not-a-cidr"]);
        }
        let g = group(
            "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: none}\nspec: {externalCIDRs: []}\n",
        );
        assert!(g.cidrs.is_empty());
        let p = problems(
            "apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec:\n  cidrs: [1.2.3.4/32]\nstatus: {}\n",
        );
        assert_eq!(
            paths(&p),
            ["spec.cidrs", "spec.externalCIDRs", "status"],
            "{p:?}"
        );
        assert!(p[1].1.contains("missing required field `externalCIDRs`"));
        let p = problems("apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: g}\n");
        assert!(p[0].1.contains("missing required field `spec`"));
    }
}

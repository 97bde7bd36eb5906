//! Calico kinds: `projectcalico.org/v3`, and the same kinds under `crd.projectcalico.org/v1`
//! (the CRDs of the Kubernetes datastore, what `kubectl get` shows of them), read the same.
//!
//! Read strictly like the Kubernetes kinds: an unknown field is a problem, with a
//! suggestion. Values are kept as written; what the API server would refuse beyond the
//! shapes (an action name, a protocol, a port out of range, a CIDR...) is left to
//! `model::calico::validate`, so that `check` can point at it.

pub mod network_set;
pub mod policy;
pub mod selector;
pub mod tier;

use super::{Decoded, LoadOptions};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::model::calico::{CalicoKind, SelectorField};

/// The apiVersions read.
pub const API_VERSIONS: [&str; 2] = ["projectcalico.org/v3", "crd.projectcalico.org/v1"];

/// Why a HostEndpoint is not evaluated.
pub const HOST_ENDPOINT_REASON: &str =
    "host endpoints are not evaluated: the policies that select them are evaluated for pods only";

/// Why a Profile is not evaluated.
pub const PROFILE_REASON: &str = "profiles are modelled as Calico derives them from Namespaces and ServiceAccounts (the namespace profile allows everything); a Profile object's own rules are not evaluated";

/// Decodes an object of the Calico API groups, dispatching on `kind`.
pub fn decode(d: &mut Decoder, api_version: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    if !API_VERSIONS.contains(&api_version) {
        return Decoded::Ignored(format!(
            "{kind} of apiVersion `{api_version}` is not supported ({} are)",
            API_VERSIONS.join(" and ")
        ));
    }
    if let Some(k) = CalicoKind::from_kind(kind) {
        return policy::decode(d, k, api_version, opts);
    }
    match kind {
        "Tier" => tier::decode(d),
        "NetworkSet" => network_set::decode(d, Some(opts)),
        "GlobalNetworkSet" => network_set::decode(d, None),
        "HostEndpoint" => Decoded::NotEvaluated(HOST_ENDPOINT_REASON.into()),
        "Profile" => Decoded::NotEvaluated(PROFILE_REASON.into()),
        _ => Decoded::Ignored(format!("kind {kind} does not take part in network policy")),
    }
}

/// The top-level fields of a Calico object.
const OBJECT_FIELDS: [&str; 5] = ["apiVersion", "kind", "metadata", "spec", "status"];

/// The object's `spec` mapping; a problem when it is missing or not a mapping.
fn spec<'d>(d: &mut Decoder<'d>) -> Option<N<'d>> {
    let obj = d.object();
    match obj.get("spec") {
        Some(s) => d.map(s),
        None => {
            d.missing(obj, "spec");
            None
        }
    }
}

/// A selector field: its text, where it is verbatim in the file, and its parse.
fn selector_field<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<SelectorField> {
    let text = d.string(n)?;
    let verbatim_at = d.verbatim_start(n);
    let parsed = selector::parse(&text.value);
    Some(SelectorField {
        text,
        verbatim_at,
        parsed,
    })
}

/// The selector at `key` of a mapping, if present.
fn selector_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<SelectorField> {
    parent.get(key).and_then(|n| selector_field(d, n))
}

/// The list of strings at `key` of a mapping (empty when absent).
fn strings_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Vec<Spanned<String>> {
    let Some(n) = parent.get(key) else {
        return Vec::new();
    };
    d.list(n).into_iter().filter_map(|i| d.string(i)).collect()
}

/// The boolean at `key` of a mapping, with its span, if present.
fn bool_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Spanned<bool>> {
    let n = parent.get(key)?;
    d.bool(n).map(|b| Spanned::new(b, n.span()))
}

#[cfg(test)]
mod tests {
    use super::{HOST_ENDPOINT_REASON, PROFILE_REASON};
    use crate::load::{LoadOptions, Outcome, load_texts};

    #[test]
    fn host_endpoints_and_profiles_are_not_evaluated_with_a_warning() {
        let text = "apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: eth0}\nspec: {node: n1, interfaceName: eth0}\n---\napiVersion: crd.projectcalico.org/v1\nkind: Profile\nmetadata: {name: kns.shop}\nspec: {ingress: [{action: Allow}]}\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty() && l.objects.is_empty());
        assert_eq!(
            l.inventory[0].outcome,
            Outcome::NotEvaluated(HOST_ENDPOINT_REASON.into())
        );
        assert_eq!(
            l.inventory[0].outcome.to_string(),
            format!("not evaluated: {HOST_ENDPOINT_REASON}")
        );
        assert_eq!(
            l.inventory[1].outcome,
            Outcome::NotEvaluated(PROFILE_REASON.into())
        );
        assert_eq!(l.warnings.len(), 2);
        assert_eq!(
            l.warnings[0].message,
            format!("HostEndpoint eth0: not evaluated: {HOST_ENDPOINT_REASON}")
        );
        assert_eq!(l.warnings[0].span.unwrap().start, 0);
        assert_eq!(
            l.warnings[1].message,
            format!("Profile kns.shop: not evaluated: {PROFILE_REASON}")
        );
    }

    #[test]
    fn other_calico_kinds_and_versions_are_ignored_with_a_reason() {
        let text = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/8}\n---\napiVersion: crd.projectcalico.org/v1\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {}\n---\napiVersion: projectcalico.org/v2\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {}\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty() && l.objects.is_empty() && l.warnings.is_empty());
        let why: Vec<String> = l.inventory.iter().map(|e| e.outcome.to_string()).collect();
        assert_eq!(
            why[0],
            "ignored: kind IPPool does not take part in network policy"
        );
        assert_eq!(
            why[1],
            "ignored: kind FelixConfiguration does not take part in network policy"
        );
        assert_eq!(
            why[2],
            "ignored: NetworkPolicy of apiVersion `projectcalico.org/v2` is not supported (projectcalico.org/v3 and crd.projectcalico.org/v1 are)"
        );
    }
}

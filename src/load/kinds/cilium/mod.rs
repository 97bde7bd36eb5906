//! Cilium kinds (`cilium.io`): CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
//! (`cilium.io/v2`; `pkg/policy/api` `rule.go`, `ingress.go`, `egress.go`, `l4.go`,
//! `cidr.go`, `fqdn.go`, `service.go`, `icmp.go`, `http.go`, `l7.go`, and Kafka's rule from
//! `cilium/proxy`), CiliumCIDRGroup (`cilium.io/v2alpha1` and `v2`). The group's other kinds
//! are ignored with the reason, but for a CiliumNodeConfig that changes how policy is
//! enforced, which is not evaluated (a warning).
//!
//! Read strictly, as the CRDs' schemas read them (kubectl validates strictly): an unknown
//! field is a problem with a suggestion, and so is a value of the wrong YAML type. Every
//! string field of these CRDs is declared a string, and the API server refuses a number or
//! a boolean there (`port: 80` must be written `port: "80"`). Values are kept as written;
//! what the API server or the agent would refuse beyond the shapes (a CIDR, an entity name,
//! a port out of range, two peer kinds in one rule...) is left to `model::cilium::validate`.
//!
//! The decoder is split by what it reads. `policy`: the CiliumNetworkPolicy and
//! CiliumClusterwideNetworkPolicy objects, their rules and rule lists. `peers`: the peer
//! fields of a rule list's items (CIDR sets, services, FQDNs, groups). `ports`: `toPorts`
//! with its layer-7 rules, TLS and listeners, and `icmps`. `cidr_group`: the
//! CiliumCIDRGroup. This module dispatches on the kind, checks the apiVersion, reads the
//! CiliumNodeConfig and the other kinds of the group, and holds the small readers they share.

mod cidr_group;
mod peers;
mod policy;
mod ports;
#[cfg(test)]
mod tests;

use super::{Decoded, LoadOptions, network_policy};
use crate::base::span::Spanned;
use crate::load::decode::{Decoder, N};
use crate::model::cilium::CiliumKind;
use crate::model::labels::LabelSelector;

/// The apiVersions of CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy.
pub const POLICY_VERSIONS: [&str; 1] = ["cilium.io/v2"];

/// The apiVersions of CiliumCIDRGroup.
pub const CIDR_GROUP_VERSIONS: [&str; 2] = ["cilium.io/v2alpha1", "cilium.io/v2"];

/// The keys of a CiliumNodeConfig's `defaults` that change what is allowed on its nodes.
pub const POLICY_CONFIG_KEYS: [&str; 3] = [
    "enable-policy",
    "policy-audit-mode",
    "enable-non-default-deny-policies",
];

/// Decodes an object of the `cilium.io` group, dispatching on `kind`.
pub fn decode(d: &mut Decoder, api_version: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    match kind {
        "CiliumNetworkPolicy" => policy::decode(d, CiliumKind::NetworkPolicy, api_version, opts),
        "CiliumClusterwideNetworkPolicy" => {
            policy::decode(d, CiliumKind::ClusterwideNetworkPolicy, api_version, opts)
        }
        "CiliumCIDRGroup" => cidr_group::decode(d, api_version),
        "CiliumNodeConfig" => node_config(d),
        _ => Decoded::Ignored(ignored_reason(kind)),
    }
}

/// Why a `cilium.io` kind other than the policies, CIDR groups and node configs is ignored.
pub fn ignored_reason(kind: &str) -> String {
    let why = match kind {
        "CiliumEndpoint" | "CiliumEndpointSlice" | "CiliumIdentity" | "CiliumNode" => {
            "is runtime state that Cilium's agent and operator maintain; the simulation derives endpoints, identities and nodes from the workloads and Nodes of the input"
        }
        "CiliumEgressGatewayPolicy" | "CiliumEgressNATPolicy" => {
            "sends egress traffic out through gateway nodes with a fixed source address: it changes routing, not what is allowed"
        }
        "CiliumLocalRedirectPolicy" => {
            "redirects traffic for an address or a Service to backends on the same node: it changes routing, not what is allowed"
        }
        "CiliumEnvoyConfig" | "CiliumClusterwideEnvoyConfig" => {
            "configures Envoy listeners that traffic is proxied through: it changes proxying, not what network policy allows (the filters of those listeners are not evaluated)"
        }
        "CiliumBGPPeeringPolicy"
        | "CiliumBGPClusterConfig"
        | "CiliumBGPPeerConfig"
        | "CiliumBGPAdvertisement"
        | "CiliumBGPNodeConfig"
        | "CiliumBGPNodeConfigOverride" => {
            "configures BGP: it changes routing, not what is allowed"
        }
        "CiliumL2AnnouncementPolicy" => {
            "announces Service addresses on the local network (ARP, NDP): it changes routing, not what is allowed"
        }
        "CiliumLoadBalancerIPPool" | "CiliumPodIPPool" => {
            "manages IP addresses: it changes which addresses are assigned, not what is allowed"
        }
        "CiliumGatewayClassConfig" => {
            "configures Gateway API proxies: it changes proxying, not what is allowed"
        }
        _ => return format!("kind {kind} of cilium.io does not take part in network policy"),
    };
    format!("{kind} {why}")
}

/// Whether the apiVersion is one of `versions`; a problem on the apiVersion otherwise.
fn known_version(d: &mut Decoder, kind: &str, api_version: &str, versions: &[&str]) -> bool {
    if versions.contains(&api_version) {
        return true;
    }
    let obj = d.object();
    let at = obj.get("apiVersion").unwrap_or(obj);
    let served = match versions {
        [one] => format!("only as {one}"),
        _ => format!("as {}", versions.join(" and ")),
    };
    d.error(
        at,
        format_args!("{kind} has no apiVersion `{api_version}`: the API server serves it {served}"),
    );
    false
}

/// A CiliumNodeConfig: agent configuration for the nodes it selects. Not evaluated when it
/// sets a key that changes what is allowed there; ignored otherwise. Read leniently: its
/// shape is not this tool's concern.
fn node_config(d: &mut Decoder) -> Decoded {
    let keys: Vec<String> = d
        .object()
        .get("spec")
        .and_then(|s| s.get("defaults"))
        .map(|m| {
            m.entries()
                .map(|(k, _, _)| k)
                .filter(|k| POLICY_CONFIG_KEYS.contains(k))
                .map(|k| format!("`{k}`"))
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        return Decoded::Ignored(
            "CiliumNodeConfig sets agent options for some nodes, none of which changes what policy allows"
                .into(),
        );
    }
    Decoded::NotEvaluated(format!(
        "it sets {} for the nodes it selects, which changes how policy is enforced there; every node is simulated with the same enforcement (--cilium-policy-enforcement)",
        keys.join(", ")
    ))
}

/// A string field: a scalar that YAML does not read as a number or a boolean, as the CRDs
/// declare every such field a string and the API server refuses `port: 80` (it wants
/// `port: "80"`).
fn text<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<Spanned<String>> {
    if n.is_number_or_bool() {
        let s = n.scalar().unwrap_or_default();
        let what = if s.parse::<f64>().is_ok() {
            "number"
        } else {
            "boolean"
        };
        d.error(
            n,
            format_args!(
                "expected a string, found {s}, which YAML reads as a {what}; the API server refuses it (quote it: \"{s}\")"
            ),
        );
        return None;
    }
    d.string(n)
}

/// The string at `key` of a mapping, if present.
fn text_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Spanned<String>> {
    let n = parent.get(key)?;
    text(d, n)
}

/// The list of strings at `key` of a mapping: None when absent.
fn strings_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Vec<Spanned<String>>> {
    list_at(d, parent, key, text)
}

/// The list of label selectors at `key` of a mapping: None when absent.
fn selectors_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Vec<LabelSelector>> {
    list_at(d, parent, key, network_policy::selector)
}

/// The list at `key` of a mapping, each item read by `item`: None when absent (or null).
fn list_at<'d, T>(
    d: &mut Decoder<'d>,
    parent: N<'d>,
    key: &str,
    mut item: impl FnMut(&mut Decoder<'d>, N<'d>) -> Option<T>,
) -> Option<Vec<T>> {
    let n = parent.get(key)?;
    Some(d.list(n).into_iter().filter_map(|i| item(d, i)).collect())
}

/// The boolean at `key` of a mapping, with its span, if present.
fn bool_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Spanned<bool>> {
    let n = parent.get(key)?;
    d.bool(n).map(|b| Spanned::new(b, n.span()))
}

//! ## What it finds
//! A CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or CiliumCIDRGroup that the API
//! server (the CRD's schema) or the Cilium agent refuses: a rule without `endpointSelector`
//! (or with both it and `nodeSelector`, or `nodeSelector` in a namespaced policy), a rule
//! whose `ingress`, `ingressDeny`, `egress` and `egressDeny` are all absent or all empty, two
//! kinds of peer in one rule (`toEndpoints` with `toCIDR`, `fromCIDR` with `fromCIDRSet`...),
//! `fromNodes`/`toNodes` on an agent without `--enable-node-selector-labels`,
//! `fromRequires`/`toRequires` with an entry (removed in Cilium 1.19), an unknown
//! entity (the CRD does not list `world-ipv4` and `world-ipv6`), a CIDR that does not parse,
//! an `except` outside its `cidr`, a CIDR set item with none or several of `cidr`,
//! `cidrGroupRef`, `cidrGroupSelector`, an FQDN selector with neither or both of
//! `matchName` and `matchPattern` or characters a DNS name cannot have, a port that is
//! neither a number up to 65535 nor a port name, a missing `port`, a protocol outside TCP,
//! UDP, SCTP, ICMP, ICMPV6, VRRP, IGMP and ANY, an `endPort` out of range, more than 40 ports
//! or ICMP fields, `icmps` with `toPorts`, layer-7 rules on a protocol other than TCP (but
//! `dns`), on port 0, of two kinds in one item, `dns` rules on ingress or without ports,
//! layer-7 rules in a host policy's ingress, an invalid label selector, an invalid name.
//!
//! ## Why it matters
//! `kubectl apply` succeeds for most of these, and the object is listed by `kubectl get`;
//! but the agent refuses the whole policy (its status says `Valid: False`) and enforces
//! none of its rules. A default deny or an allow that was meant to be in force is not: the
//! refusal fails open or closed depending on what else selects the pods. A refused CIDR group
//! leaves the rules that name it matching none of its addresses.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - fromEndpoints: [{matchLabels: {app: web}}]
//!     fromCIDR: [10.0.0.0/8]          # one kind of peer per rule
//!     toPorts:
//!     - ports: [{port: "8080"}]       # http rules need protocol TCP
//!       rules:
//!         http: [{method: GET}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   ingress:
//!   - fromEndpoints: [{matchLabels: {app: web}}]
//!     toPorts:
//!     - ports: [{port: "8080", protocol: TCP}]
//!       rules:
//!         http: [{method: GET}]
//!   - fromCIDR: [10.0.0.0/8]
//!     toPorts:
//!     - ports: [{port: "8080", protocol: TCP}]
//!       rules:
//!         http: [{method: GET}]
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::cilium::validate;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP901",
    name: "invalid-cilium-policy",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a Cilium policy or CIDR group that the API server or the Cilium agent refuses",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (idx, p) in cluster.cilium_policies.iter().enumerate() {
        for v in validate::policy(p) {
            out.push(Finding::new(
                &RULE,
                Subject::CiliumPolicy(idx),
                v.span,
                format!("{}: {}: {}", p.id(), v.path, v.message),
            ));
        }
    }
    for g in &cluster.cidr_groups {
        for v in validate::cidr_group(g) {
            out.push(Finding::new(
                &RULE,
                Subject::None,
                v.span,
                format!("CiliumCIDRGroup {}: {}: {}", g.name, v.path, v.message),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_refused_field() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "3:18: CiliumNetworkPolicy shop/Api: metadata.name: `Api` is not a valid name: lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit",
                "7:28: CiliumNetworkPolicy shop/Api: spec.endpointSelector.matchExpressions[0].operator: `Within` is not In, NotIn, Exists or DoesNotExist",
                "10:16: CiliumNetworkPolicy shop/Api: spec.ingress[0].fromCIDR: `fromEndpoints` and `fromCIDR` cannot be combined in one rule: a rule names one kind of peer, write a rule for each",
                "12:15: CiliumNetworkPolicy shop/Api: spec.ingress[0].toPorts[0].ports[0].protocol: layer-7 rules other than `dns` need `protocol: TCP` (absent is ANY)",
                "15:20: CiliumNetworkPolicy shop/Api: spec.ingress[1].fromEntities[0]: `world-ipv4` is not in the CRD's list of entities (all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver): the API server refuses it",
                "15:32: CiliumNetworkPolicy shop/Api: spec.ingress[1].fromEntities[1]: `internet` is not an entity: one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver",
                "17:35: CiliumNetworkPolicy shop/Api: spec.ingress[2].fromCIDRSet[0].except[0]: `192.168.0.0/16` is not inside cidr `10.0.0.0/8`: the agent refuses the rule",
                "18:14: CiliumNetworkPolicy shop/Api: spec.ingress[2].fromCIDRSet[1].cidr: `10.0.0.0/33` is not a CIDR: prefix length 33 is over 32",
                "19:7: CiliumNetworkPolicy shop/Api: spec.ingress[2].fromCIDRSet[2]: only one of `cidr`, `cidrGroupRef` and `cidrGroupSelector` may be set",
                "20:17: CiliumNetworkPolicy shop/Api: spec.ingress[3].fromNodes: `fromNodes` is refused unless the agent runs with --enable-node-selector-labels (off by default)",
                "22:22: CiliumNetworkPolicy shop/Api: spec.ingress[3].toPorts[0].ports[0].port: `70000` is not a port number (0–65535) or a port name (up to 15 letters, digits and single inner `-`, at least one letter)",
                "22:41: CiliumNetworkPolicy shop/Api: spec.ingress[3].toPorts[0].ports[0].protocol: `tcp` is not one of TCP, UDP, SCTP, ICMP, ICMPV6, VRRP, IGMP, ANY (protocols are upper case: `TCP`)",
                "24:14: CiliumNetworkPolicy shop/Api: spec.ingress[3].toPorts[0].rules.dns: `dns` rules are only for egress",
                "25:16: CiliumNetworkPolicy shop/Api: spec.ingress[4].fromCIDR[0]: `10.0.0.1` is not a CIDR: the prefix length is missing (e.g. `10.0.0.1/32`)",
                "26:13: CiliumNetworkPolicy shop/Api: spec.ingress[4].icmps[0].fields[0].family: `IPv5` is not IPv4 or IPv6",
                "26:13: CiliumNetworkPolicy shop/Api: spec.ingress[4].icmps[0].fields[0].type: `Bogus` is not an ICMP type: a number 0–255 or a name such as EchoRequest",
                "29:50: CiliumNetworkPolicy shop/Api: spec.egress[0].toFQDNs[0].matchPattern: `matchName` and `matchPattern` cannot both be set",
                "30:18: CiliumNetworkPolicy shop/Api: spec.egress[0].toFQDNs[1].matchName: `bad name.example.com` is not a DNS name: labels of letters, digits, `-` and `_`, separated by single dots, at most 255 characters",
                "31:13: CiliumNetworkPolicy shop/Api: spec.egress[0].icmps: `icmps` cannot be combined with `toPorts` in one rule: write a rule for each",
                "33:53: CiliumNetworkPolicy shop/Api: spec.egress[0].toPorts[0].ports[0].endPort: 70000 is not in 0–65535",
                "39:16: CiliumNetworkPolicy shop/Api: spec.egress[1].toPorts[0].rules: `rules` holds one kind of layer-7 rule: `http` and `kafka` cannot be combined, write a `toPorts` item for each",
                "42:22: CiliumNetworkPolicy shop/Api: spec.egress[2].toPorts[0].rules: layer-7 rules cannot apply to port 0 (every port)",
                "47:15: CiliumNetworkPolicy shop/Api: spec.egress[3].toPorts[0].ports[0].port: `port` is required (\"0\" means every port); only an agent with --enable-extended-ip-protocols takes an entry without one",
                "48:22: CiliumNetworkPolicy shop/Api: spec.egress[3].toPorts[1].ports[0].port: VRRP has no ports: `port` must be empty or 0",
                "52:14: CiliumNetworkPolicy shop/Api: spec.egress[4].toPorts[0].ports: `dns` rules need `ports` (the DNS port, 53)",
                "54:28: CiliumNetworkPolicy shop/Api: spec.egress[5].authentication.mode: `always` is not one of disabled, required, test-always-fail",
                "56:7: CiliumNetworkPolicy shop/Api: spec.egress[6].toCIDRSet[0]: needs one of `cidr`, `cidrGroupRef`, `cidrGroupSelector`",
                "58:7: CiliumNetworkPolicy shop/Api: spec.egress[7].toServices: `toEndpoints` and `toServices` cannot be combined in one rule: a rule names one kind of peer, write a rule for each",
                "62:52: CiliumNetworkPolicy shop/Api: spec.egress[8].toPorts[0].ports[0].endPort: `dns` rules do not support port ranges",
                "68:21: CiliumNetworkPolicy shop/Api: spec.egress[9].toPorts[0].serverNames: `serverNames` together with layer-7 `rules` need `terminatingTLS`",
                "68:38: CiliumNetworkPolicy shop/Api: spec.egress[9].toPorts[0].serverNames[1]: a server name cannot be empty",
                "75:13: CiliumNetworkPolicy shop/Api: spec.egress[10].toPorts[0].rules.l7: `l7` rules need `l7proto`, the parser they are for",
                "81:3: CiliumNetworkPolicy shop/hosts: spec: the agent refuses a rule whose `ingress`, `ingressDeny`, `egress` and `egressDeny` are all empty: default deny is written `ingress: [{}]`",
                "81:17: CiliumNetworkPolicy shop/hosts: spec.nodeSelector: a CiliumNetworkPolicy cannot have `nodeSelector`: host policies are CiliumClusterwideNetworkPolicies",
                "88:3: CiliumClusterwideNetworkPolicy lockdown: specs[0]: needs `endpointSelector` (or, in a CiliumClusterwideNetworkPolicy, `nodeSelector`)",
                "88:3: CiliumClusterwideNetworkPolicy lockdown: specs[0]: needs at least one of `ingress`, `ingressDeny`, `egress`, `egressDeny`",
                "89:17: CiliumClusterwideNetworkPolicy lockdown: specs[1].nodeSelector: `endpointSelector` and `nodeSelector` cannot both be set",
                "96:15: CiliumClusterwideNetworkPolicy lockdown: specs[1].ingress[0].toPorts[0].rules.http: host policies (`nodeSelector`) cannot have `http` rules on ingress",
                "102:16: CiliumClusterwideNetworkPolicy lockdown: specs[1].egress[0].toPorts[0].rules.kafka: host policies (`nodeSelector`) cannot have `kafka` rules on egress",
                "104:1: CiliumCIDRGroup Partners: metadata.name: `Partners` is not a valid name: lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit",
                "108:35: CiliumCIDRGroup Partners: spec.externalCIDRs[1]: `203.0.113.7` is not a CIDR: the prefix length is missing (e.g. `203.0.113.7/32`)",
                "119:7: CiliumNetworkPolicy shop/requires: spec.ingress[0].fromRequires: `fromRequires` was removed in Cilium 1.19 (cilium/cilium#42615): the API server accepts no entry (maxItems 0); write the requirement into each `fromEndpoints` selector instead",
            ]
        );
    }

    #[test]
    fn valid_objects_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

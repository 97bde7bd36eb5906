//! ## What it finds
//! A Calico object (projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, their staged
//! forms, Tier, NetworkSet, GlobalNetworkSet) that Calico's API server refuses for a reason
//! other than a selector's syntax (that is `calico-selector-syntax`): a missing or unknown
//! `action`, a protocol Calico does not know, a port out of range or a port number without a
//! `protocol` of TCP, UDP or SCTP, a CIDR that is not one or has host bits set, IPv4 and IPv6
//! nets in one rule, `icmp` without an ICMP protocol, `http` outside an ingress Allow rule,
//! `services` combined with selectors or nets, `global()` outside a rule's
//! `namespaceSelector`, an invalid name or tier name, `types` other than Ingress and Egress,
//! `preDNAT`/`doNotTrack` without `applyOnForward`, a `stagedAction` other than Set or
//! Delete, a staged deletion with anything in its spec but its tier; a Tier whose
//! `defaultAction` is not Deny or Pass; a network set with a net that is not a CIDR. The
//! spec of a StagedKubernetesNetworkPolicy is a Kubernetes NetworkPolicy's and is checked as
//! one.
//!
//! ## Why it matters
//! The API server refuses the object, so it does not exist in the cluster: a refused policy
//! allows or denies nothing, a refused Tier leaves its policies in a tier Calico treats as
//! missing, and a refused network set leaves the selectors that meant its addresses matching
//! none of them.
//!
//! ## Example
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: db-ingress}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Accept                  # Allow, Deny, Log or Pass
//!     destination:
//!       ports: [5432]                 # a port number needs `protocol`
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: projectcalico.org/v3
//! kind: GlobalNetworkPolicy
//! metadata: {name: db-ingress}
//! spec:
//!   selector: app == 'db'
//!   ingress:
//!   - action: Allow
//!     protocol: TCP
//!     destination:
//!       ports: [5432]
//! ```

use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::calico::validate;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP802",
    name: "invalid-calico-policy",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "a Calico policy, Tier or network set that Calico's API server refuses",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    cx.calico_violation_findings(&RULE, out);
    // A StagedKubernetesNetworkPolicy's spec is validated as a Kubernetes NetworkPolicy's (by
    // the same Calico validation, which leaves a staged deletion's spec alone): those
    // violations carry the Kubernetes rules' names, which only look at `cluster.policies`.
    for (idx, p) in cx.cluster.calico_policies.iter().enumerate() {
        if p.kubernetes.is_none() {
            continue;
        }
        let kubernetes = validate::policy(p)
            .into_iter()
            .filter(|v| v.rule != RULE.name);
        for v in kubernetes {
            out.push(Finding::new(
                &RULE,
                Subject::CalicoPolicy(idx),
                v.span,
                format!("{} {}: {}: {}", p.kind.as_str(), p.id(), v.path, v.message),
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
                "7:13: GlobalNetworkPolicy db-ingress: spec.ingress[0].action: `Accept` is not Allow, Deny, Log or Pass",
                "9:15: GlobalNetworkPolicy db-ingress: spec.ingress[0].destination.ports[0]: a port number or range needs `protocol` TCP, UDP or SCTP on the rule",
                "13:14: GlobalNetworkPolicy db-ingress: spec.ingress[1].source.nets[0]: `10.0.0.1/8` has host bits set: write 10.0.0.0/8",
                "15:15: GlobalNetworkPolicy db-ingress: spec.ingress[1].destination.ports[0]: port 70000 is not in 1–65535",
                "20:7: GlobalNetworkPolicy db-ingress: spec.egress[0].http: `http` may not be used in egress rules",
                "20:7: GlobalNetworkPolicy db-ingress: spec.egress[0].http: `http` needs `protocol` TCP or none",
                "24:18: NetworkPolicy shop/Web: metadata.name: `Web` is not a valid name: lower-case letters, digits and `-`, optionally prefixed by the tier and a dot",
                "26:9: NetworkPolicy shop/Web: spec.tier: `front.end` is not a valid tier name",
                "27:20: NetworkPolicy shop/Web: spec.types[1]: `Outgoing` is not `Ingress` or `Egress`",
                "28:13: NetworkPolicy shop/Web: spec.selector: `global()` may only be the whole `namespaceSelector` of a rule",
                "35:18: Tier security: spec.defaultAction: `Allow` is not `Deny` or `Pass`",
                "41:27: GlobalNetworkSet partners: spec.nets[1]: `not-a-net` is not a CIDR or an IP address",
                "50:23: StagedKubernetesNetworkPolicy shop/api: spec.egress[0].to[0].ipBlock.cidr: `10.0.0.0/33` is not a CIDR: prefix length 33 is over 32",
                "58:3: StagedNetworkPolicy shop/old: spec.selector: a staged deletion has nothing in its spec but its tier: `selector` must go",
                "64:17: StagedGlobalNetworkPolicy maybe: spec.stagedAction: `Remove` is not `Set` or `Delete`",
                "71:3: StagedKubernetesNetworkPolicy shop/gone: spec.policyTypes: a staged deletion has nothing in its spec but `stagedAction`: `policyTypes` must go",
            ]
        );
    }

    #[test]
    fn valid_objects_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

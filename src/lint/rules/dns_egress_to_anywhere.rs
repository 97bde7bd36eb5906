//! ## What it finds
//! An egress rule written for DNS — a `ports` item on port 53, UDP or TCP — whose peers are
//! every address: no `to` (or `to: []`), or an ipBlock of `0.0.0.0/0` or `::/0` (with or
//! without `except`). Only rules in effect count (Egress in the policy's effective
//! `policyTypes`). The finding points at the ipBlock peer, or at the rule when it has no
//! peers, and names the DNS ports and, as a related place, the pods it lets out.
//!
//! ## Why it matters
//! The rule is there so that pods can resolve names, which only takes the cluster DNS
//! (CoreDNS, `k8s-app=kube-dns` in `kube-system`). Open to every address, it lets a pod use
//! any resolver on the internet instead: the cluster DNS and its logging are bypassed, and
//! port 53 to anywhere is the classic way out for data (DNS tunnelling, exfiltration in
//! queries) from a pod whose other egress is locked down.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: api-egress, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: api}}
//!   policyTypes: [Egress]
//!   egress:
//!   - ports:                       # no `to`: every address
//!     - {protocol: UDP, port: 53}
//!     - {protocol: TCP, port: 53}
//! ```
//!
//! ## Use instead
//! ```yaml
//!   egress:
//!   - to:
//!     - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
//!       podSelector: {matchLabels: {k8s-app: kube-dns}}
//!     ports:
//!     - {protocol: UDP, port: 53}
//!     - {protocol: TCP, port: 53}
//! ```
//!
//! (With node-local DNS caches, the pods resolve through an address on the node: allow that
//! address's ipBlock instead.)

use crate::base::value::IntOrString;
use crate::lint::risk::{name_list, selected};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Direction;

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP409",
    name: "dns-egress-to-anywhere",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "an egress rule on port 53 to every address, letting pods use any DNS resolver",
    check,
};

const HELP: &str = "restrict the peer to the cluster DNS: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`";

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (idx, policy) in cluster.applied_policies() {
        let pods = selected(cluster, cx.index(), policy);
        for rule in policy.effective_rules(Direction::Egress) {
            let dns: Vec<String> = rule
                .port_list()
                .iter()
                .filter(|p| {
                    matches!(
                        p.port.as_ref().map(|p| &p.value),
                        Some(IntOrString::Int(53))
                    )
                })
                .map(|p| p.describe())
                .collect();
            if dns.is_empty() {
                continue;
            }
            let dns = name_list(&dns, dns.len());
            let name = cx.np_rule_name(idx, rule);
            let mut found = Vec::new();
            if rule.all_peers() {
                let why = match &rule.peers {
                    Some(_) => "empty `to`",
                    None => "no `to`",
                };
                found.push((
                    rule.span,
                    format!("{name} allows {dns} to every address ({why})"),
                ));
            }
            for peer in rule.peer_list() {
                let Some(block) = &peer.ip_block else {
                    continue;
                };
                if block.net().is_some_and(|n| n.prefix_len() == 0) {
                    found.push((
                        peer.span,
                        format!(
                            "{name} to[{}] allows {dns} to every address of the family (ipBlock {})",
                            peer.index,
                            block.describe()
                        ),
                    ));
                }
            }
            for (span, message) in found {
                let mut f = Finding::new(
                    &RULE,
                    Subject::Policy(idx),
                    span,
                    format!("{message}: its pods may use any DNS resolver, not only the cluster's"),
                )
                .help(HELP);
                if !pods.is_empty() {
                    f = f.related(
                        policy.pod_selector.span,
                        format!("the pods it lets out: {}", name_list(&pods, 5)),
                    );
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn dns_rules_open_to_every_address_are_found_at_the_peer_or_rule() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "13:5: shop/api egress[0] allows UDP 53 and TCP 53 to every address (no `to`): its pods may use any DNS resolver, not only the cluster's",
                "25:7: shop/worker egress[0] to[0] allows UDP 53 to every address of the family (ipBlock 0.0.0.0/0 except 10.0.0.0/8): its pods may use any DNS resolver, not only the cluster's",
                "35:5: shop/batch egress[0] allows TCP 53 to every address (empty `to`): its pods may use any DNS resolver, not only the cluster's",
            ]
        );
    }

    #[test]
    fn suggests_the_cluster_dns_and_names_the_pods() {
        assert_eq!(
            details(&RULE, "bad.yaml")[0],
            "13:5: shop/api egress[0] allows UDP 53 and TCP 53 to every address (no `to`): its pods may use any DNS resolver, not only the cluster's\n  10:16: the pods it lets out: shop/api\n  help: restrict the peer to the cluster DNS: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`"
        );
    }

    #[test]
    fn dns_to_the_cluster_dns_other_ports_and_ingress_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

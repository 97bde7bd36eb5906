//! ## What it finds
//! An egress rule that allows TCP 80 to the cloud instance metadata service,
//! `169.254.169.254` (AWS, GCP, Azure, OpenStack...) or `fd00:ec2::254` (AWS over IPv6):
//! a rule with no `to` (or `to: []`), or an ipBlock holding the address — typically
//! `0.0.0.0/0` without `except: [169.254.169.254/32]`. Only rules in effect count (Egress in
//! the policy's effective `policyTypes`), and only when their ports include TCP 80. The
//! finding points at the ipBlock peer, or at the rule (its empty `to`) when it has none.
//!
//! A policy plainly meant to let its pods out anywhere — one with an empty egress rule
//! (`- {}`), or named `allow-all…` (unless the name says ingress only) — gets one info that
//! the metadata service is part of "all", not a warning per rule, and such policies are
//! listed together in one finding.
//!
//! ## Why it matters
//! The metadata service hands out the node's cloud credentials to whoever asks over plain
//! HTTP. A pod that can reach it can act as the node — read buckets, start instances — so a
//! single vulnerable application turns into a cloud account compromise. Rules meant to
//! allow "the internet" usually let it through by accident.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: crawler, namespace: web}
//! spec:
//!   podSelector: {matchLabels: {app: crawler}}
//!   policyTypes: [Egress]
//!   egress:
//!   - to:
//!     - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
//!     ports: [{port: 80}, {port: 443}]
//! ```
//!
//! ## Use instead
//! ```yaml
//!   egress:
//!   - to:
//!     - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.254/32]}
//!     ports: [{port: 80}, {port: 443}]
//! ```

use std::net::IpAddr;

use crate::lint::group::{Group, Noun};
use crate::lint::risk::{AllowAll, meant_as_allow_all, name_list, selected, yaml_scalar};
use crate::lint::suppress::ANNOTATION;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::{Direction, Protocol};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP405",
    name: "egress-to-metadata",
    severity: Severity::Warning,
    category: Category::Risk,
    summary: "an egress rule allowing TCP 80 to the cloud metadata service 169.254.169.254",
    check,
};

/// The metadata service addresses, with the `except` entry that removes each.
const METADATA: [(&str, &str); 2] = [
    ("169.254.169.254", "169.254.169.254/32"),
    ("fd00:ec2::254", "fd00:ec2::254/128"),
];

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (idx, policy) in cluster.applied_policies() {
        let pods = selected(cluster, cx.index(), policy);
        let mut all = Vec::new();
        for rule in policy.effective_rules(Direction::Egress) {
            if !rule.ports_on(None).contains(Protocol::Tcp, 80) {
                continue;
            }
            let name = cx.np_rule_name(idx, rule);
            let mut found = Vec::new();
            if rule.all_peers() {
                let (span, why) = match &rule.peers {
                    Some(p) if !p.span.is_empty() => (p.span, "empty `to`"),
                    _ => (rule.span, "no `to`"),
                };
                found.push((
                    span,
                    format!(
                        "{name} allows TCP 80 to the cloud metadata service 169.254.169.254 ({why})"
                    ),
                    "list the destinations under `to`; for the internet, use an ipBlock that excepts the metadata address: `{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}`".to_string(),
                ));
            }
            for peer in rule.peer_list() {
                let Some(block) = &peer.ip_block else {
                    continue;
                };
                for (addr, except) in METADATA {
                    let ip: IpAddr = addr.parse().expect("a valid address");
                    if !block.contains(ip) {
                        continue;
                    }
                    let single = block
                        .net()
                        .is_some_and(|n| n.prefix_len() == n.max_prefix_len());
                    let help = if single {
                        format!(
                            "remove this peer unless these pods need the node's cloud credentials; if they do, annotate the policy `{ANNOTATION}: {}`",
                            RULE.name
                        )
                    } else {
                        let mut list: Vec<String> =
                            block.except.iter().map(|e| yaml_scalar(e)).collect();
                        list.push(yaml_scalar(except));
                        format!(
                            "except the metadata address: `except: [{}]`",
                            list.join(", ")
                        )
                    };
                    found.push((
                        peer.span,
                        format!(
                            "{name} to[{}] (ipBlock {}) allows TCP 80 to the cloud metadata service {addr}",
                            peer.index,
                            block.describe()
                        ),
                        help,
                    ));
                }
            }
            all.append(&mut found);
        }
        if all.is_empty() {
            continue;
        }
        let related = (!pods.is_empty()).then(|| {
            (
                policy.pod_selector.span,
                format!("the pods it lets out: {}", name_list(&pods, 5)),
            )
        });
        if let Some(why) = meant_as_allow_all(policy, Direction::Egress) {
            // Plainly meant to let its pods out anywhere: one info, not a warning per peer.
            let mut f = Finding::new(
                &RULE,
                Subject::Policy(idx),
                policy.name_span,
                match why {
                    AllowAll::EmptyRule => format!(
                        "{} allows all egress with an empty rule, so its pods reach the cloud metadata service 169.254.169.254 on TCP 80 too",
                        policy.id()
                    ),
                    AllowAll::Name => format!(
                        "{} is named to allow all egress, and lets its pods reach the cloud metadata service 169.254.169.254 on TCP 80",
                        policy.id()
                    ),
                },
            )
            .help(format!(
                "unless these pods need the node's cloud credentials, allow the internet as `{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}}}` and the cluster as `{{namespaceSelector: {{}}}}` instead; annotate the policy `{ANNOTATION}: {}` to keep it",
                RULE.name
            ))
            .grouped(Group {
                key: "allow-all".into(),
                message: "{n} policies are meant to allow all egress (by an empty rule or by their names), and let their pods reach the cloud metadata service 169.254.169.254 on TCP 80".into(),
                member: policy.id(),
                unit: Noun("policy", "policies"),
                scope: None,
            });
            f.severity = Severity::Info;
            if let Some((span, text)) = &related {
                f = f.related(*span, text.clone());
            }
            out.push(f);
            continue;
        }
        for (span, message, help) in all {
            let mut f = Finding::new(&RULE, Subject::Policy(idx), span, message).help(help);
            if let Some((span, text)) = &related {
                f = f.related(*span, text.clone());
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_peer_or_rule_that_lets_pods_reach_the_metadata_service() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "14:7: web/crawler egress[0] to[0] (ipBlock 0.0.0.0/0 except 10.0.0.0/8) allows TCP 80 to the cloud metadata service 169.254.169.254",
                "17:7: web/crawler egress[1] to[0] (ipBlock 169.254.0.0/16) allows TCP 80 to the cloud metadata service 169.254.169.254",
                "18:7: web/crawler egress[1] to[1] (ipBlock 169.254.169.254/32) allows TCP 80 to the cloud metadata service 169.254.169.254",
                "27:5: web/anything egress[0] allows TCP 80 to the cloud metadata service 169.254.169.254 (no `to`)",
                "28:9: web/anything egress[1] allows TCP 80 to the cloud metadata service 169.254.169.254 (empty `to`)",
                "37:10: web/v6 egress[0] to[0] (ipBlock ::/0) allows TCP 80 to the cloud metadata service fd00:ec2::254",
            ]
        );
    }

    #[test]
    fn gives_the_except_to_add() {
        let d = details(&RULE, "bad.yaml");
        assert_eq!(
            d[0],
            "14:7: web/crawler egress[0] to[0] (ipBlock 0.0.0.0/0 except 10.0.0.0/8) allows TCP 80 to the cloud metadata service 169.254.169.254\n  10:16: the pods it lets out: web/crawler\n  help: except the metadata address: `except: [10.0.0.0/8, 169.254.169.254/32]`"
        );
        assert!(d[2].ends_with("help: remove this peer unless these pods need the node's cloud credentials; if they do, annotate the policy `netpol.kubectl.dev/ignore: egress-to-metadata`"));
        assert!(d[3].ends_with("help: list the destinations under `to`; for the internet, use an ipBlock that excepts the metadata address: `{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}`"));
        assert!(
            d[5].ends_with("help: except the metadata address: `except: [\"fd00:ec2::254/128\"]`")
        );
    }

    #[test]
    fn policies_meant_as_allow_all_make_one_info() {
        assert_eq!(
            crate::lint::testing::members(&RULE, "allow-all.yaml"),
            [
                "9:18: 2 policies are meant to allow all egress (by an empty rule or by their names), and let their pods reach the cloud metadata service 169.254.169.254 on TCP 80\n  members: web/open-egress 9:18, batch/allow-all 19:18",
                "36:10: batch/allow-all-ingress egress[0] to[0] (ipBlock 0.0.0.0/0) allows TCP 80 to the cloud metadata service 169.254.169.254",
            ]
        );
        assert_eq!(
            crate::lint::testing::severities(&RULE, "allow-all.yaml"),
            [
                (9, crate::lint::Severity::Info),
                (36, crate::lint::Severity::Warning)
            ]
        );
        assert_eq!(
            details(&RULE, "allow-all-one.yaml"),
            [
                "4:9: web/open-egress allows all egress with an empty rule, so its pods reach the cloud metadata service 169.254.169.254 on TCP 80 too\n  help: unless these pods need the node's cloud credentials, allow the internet as `{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}` and the cluster as `{namespaceSelector: {}}` instead; annotate the policy `netpol.kubectl.dev/ignore: egress-to-metadata` to keep it"
            ]
        );
    }

    #[test]
    fn excepted_or_other_ports_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn the_ignore_annotation_on_the_policy_silences_it() {
        assert!(findings(&RULE, "ignored.yaml").is_empty());
    }
}

//! ## What it finds
//! A `toFQDNs` entry of a Cilium egress rule whose pods cannot have their lookups of that
//! name seen by Cilium's DNS proxy: no egress rule of an applied Cilium policy selecting
//! them (of any policy, CNP or CCNP) lets them reach the cluster DNS on port 53 with a
//! layer-7 `dns` rule (`toPorts[].rules.dns`) whose `matchName`/`matchPattern` covers the
//! name (or pattern) of the entry.
//!
//! The pods are those of the input the policy selects (pods and workloads outside the input
//! are not judged). The cluster DNS is the pods labelled `k8s-app=kube-dns` in `kube-system`
//! when the input has them; without them, any rule with a `dns` rule on port 53 is taken to
//! reach it. A port name is taken to be the DNS port. A `matchPattern` entry counts as
//! covered when a `dns` pattern matches an instance of it.
//!
//! ## Why it matters
//! A `toFQDNs` rule matches the addresses that DNS answers give for the name, as Cilium's
//! DNS proxy sees them (docs.cilium.io "DNS based", "Obtaining DNS data for use by
//! toFQDNs"). The proxy only sees lookups on connections an L7 `dns` rule applies to, and
//! only lets through those its patterns allow. Without that, Cilium never learns an address
//! for the name, and the rule allows nothing: the connection is dropped although the policy
//! seems to allow it.
//!
//! ## Example
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   egress:
//!   - toEndpoints:
//!     - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
//!     toPorts:
//!     - ports: [{port: "53", protocol: ANY}]   # DNS allowed, but not seen by the proxy
//!   - toFQDNs: [{matchName: api.stripe.com}]
//!     toPorts:
//!     - ports: [{port: "443", protocol: TCP}]
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: cilium.io/v2
//! kind: CiliumNetworkPolicy
//! metadata: {name: api, namespace: shop}
//! spec:
//!   endpointSelector: {matchLabels: {app: api}}
//!   egress:
//!   - toEndpoints:
//!     - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
//!     toPorts:
//!     - ports: [{port: "53", protocol: ANY}]
//!       rules:
//!         dns: [{matchPattern: "*"}]
//!   - toFQDNs: [{matchName: api.stripe.com}]
//!     toPorts:
//!     - ports: [{port: "443", protocol: TCP}]
//! ```

use std::collections::HashMap;

use crate::base::span::Span;
use crate::engine::dns_visibility::{
    DNS_LABEL, DNS_NAMESPACE, DnsRule, DnsServer, covers, dns_rules,
};
use crate::engine::matching::source_selects;
use crate::lint::risk::name_list;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::Cni;
use crate::model::cilium::FqdnSelector as Written;
use crate::model::ir::{FqdnSelector, Source};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP903",
    name: "cilium-fqdn-without-dns-visibility",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a toFQDNs rule for pods whose DNS lookups of the name no Cilium `dns` rule lets the proxy see",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    if cluster.cni != Cni::Cilium {
        return;
    }
    let server = DnsServer::of(cluster);
    let mut seen: HashMap<usize, Vec<DnsRule>> = HashMap::new();
    for (idx, p) in cx.cilium_policies() {
        for (k, spec) in p.specs.iter().enumerate() {
            let source = Source::Cilium {
                policy: idx,
                spec: k,
                deny: false,
            };
            let pods: Vec<usize> = (0..cluster.endpoints.len())
                .filter(|&e| source_selects(cluster, source, e))
                .collect();
            if pods.is_empty() {
                continue;
            }
            for r in spec.egress.iter().flatten() {
                for (j, q) in r.fqdns.iter().flatten().enumerate() {
                    let Some((want, text)) = selector(q) else {
                        continue;
                    };
                    let uncovered: Vec<usize> = pods
                        .iter()
                        .copied()
                        .filter(|&e| {
                            let rules = seen
                                .entry(e)
                                .or_insert_with(|| dns_rules(cluster, &server, e));
                            !rules.iter().any(|d| covers(&d.selector, &want))
                        })
                        .collect();
                    if uncovered.is_empty() {
                        continue;
                    }
                    let path = format!("{}.egress[{}].toFQDNs[{j}]", spec.label, r.index);
                    let rules: Vec<&DnsRule> = uncovered
                        .iter()
                        .flat_map(|e| seen.get(e).into_iter().flatten())
                        .collect();
                    out.push(finding(
                        cx,
                        idx,
                        &path,
                        q.span,
                        (&want, &text),
                        &uncovered,
                        server.endpoints(),
                        &rules,
                    ));
                }
            }
        }
    }
}

/// The selector of a `toFQDNs` entry and how it reads (`api.stripe.com`, `names matching
/// *.example.com`).
fn selector(q: &Written) -> Option<(FqdnSelector, String)> {
    match (&q.match_name, &q.match_pattern) {
        (Some(n), _) => Some((FqdnSelector::Name(n.value.clone()), n.value.clone())),
        (None, Some(p)) => Some((
            FqdnSelector::Pattern(p.value.clone()),
            format!("names matching {}", p.value),
        )),
        (None, None) => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    cx: &Context,
    idx: usize,
    path: &str,
    span: Span,
    (want, text): (&FqdnSelector, &str),
    pods: &[usize],
    servers: &[usize],
    rules: &[&DnsRule],
) -> Finding {
    let cluster = cx.cluster;
    let p = &cluster.cilium_policies[idx];
    let pods: Vec<String> = pods.iter().map(|&e| cluster.endpoints[e].id()).collect();
    let pods = name_list(&pods, 3);
    let head = format!("{}: {path}: {text}", p.id());
    let outcome = "so Cilium never learns an address for it and this entry allows nothing";
    let mut texts: Vec<&str> = rules.iter().map(|d| d.text.as_str()).collect();
    texts.sort();
    texts.dedup();
    let mut f = if texts.is_empty() {
        let dns = if servers.is_empty() {
            format!(
                "the cluster DNS (pods {}={} in {DNS_NAMESPACE})",
                DNS_LABEL.0, DNS_LABEL.1
            )
        } else {
            let names: Vec<String> = servers.iter().map(|&s| cluster.endpoints[s].id()).collect();
            name_list(&names, 3)
        };
        Finding::new(
            &RULE,
            Subject::CiliumPolicy(idx),
            span,
            format!(
                "{head}: no Cilium egress rule selecting {pods} sends its lookups to {dns} through a `dns` rule on port 53, {outcome}"
            ),
        )
        .help(format!(
            "let Cilium's DNS proxy see the lookups: add to the egress of {} `- toEndpoints: [{{matchLabels: {{k8s:io.kubernetes.pod.namespace: {DNS_NAMESPACE}, k8s:{}: {}}}}}]` with `toPorts: [{{ports: [{{port: \"53\", protocol: ANY}}], rules: {{dns: [{{matchPattern: \"*\"}}]}}}}]`",
            p.id(),
            DNS_LABEL.0,
            DNS_LABEL.1
        ))
    } else {
        let entry = match want {
            FqdnSelector::Name(n) => format!("`matchName: {n}`"),
            FqdnSelector::Pattern(pat) => format!("`matchPattern: \"{pat}\"`"),
        };
        Finding::new(
            &RULE,
            Subject::CiliumPolicy(idx),
            span,
            format!(
                "{head}: the `dns` rules that apply to {pods} ({}) do not let its lookups through, {outcome}",
                texts.join(", ")
            ),
        )
        .help(format!(
            "add {entry} to the `dns` rule of the egress rule towards the DNS"
        ))
    };
    let mut related: Vec<(Span, usize)> = rules.iter().map(|d| (d.span, d.policy)).collect();
    related.sort_by_key(|(s, _)| (s.file, s.start));
    related.dedup();
    for (s, policy) in related {
        f = f.related(
            s,
            format!("`dns` rule of {}", cluster.cilium_policies[policy].id()),
        );
    }
    f
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{details, findings};

    #[test]
    fn points_at_each_fqdn_no_dns_rule_lets_the_proxy_see() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "48:7: CiliumNetworkPolicy shop/api: spec.egress[1].toFQDNs[0]: api.stripe.com: no Cilium egress rule selecting shop/api sends its lookups to kube-system/coredns through a `dns` rule on port 53, so Cilium never learns an address for it and this entry allows nothing",
                "69:7: CiliumNetworkPolicy shop/worker: spec.egress[1].toFQDNs[1]: s3.amazonaws.com: the `dns` rules that apply to shop/worker (matchName api.github.com, matchPattern *.shop.svc.cluster.local) do not let its lookups through, so Cilium never learns an address for it and this entry allows nothing",
                "70:7: CiliumNetworkPolicy shop/worker: spec.egress[1].toFQDNs[2]: names matching *.s3.amazonaws.com: the `dns` rules that apply to shop/worker (matchName api.github.com, matchPattern *.shop.svc.cluster.local) do not let its lookups through, so Cilium never learns an address for it and this entry allows nothing",
                "87:7: CiliumNetworkPolicy shop/report: spec.egress[1].toFQDNs[0]: names matching *.example.com: no Cilium egress rule selecting shop/report sends its lookups to kube-system/coredns through a `dns` rule on port 53, so Cilium never learns an address for it and this entry allows nothing",
            ]
        );
    }

    #[test]
    fn names_the_dns_rules_that_miss_the_name_and_what_to_add() {
        let d = details(&RULE, "bad.yaml");
        assert!(d[0].ends_with(
            "\n  help: let Cilium's DNS proxy see the lookups: add to the egress of CiliumNetworkPolicy shop/api `- toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]` with `toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]`"
        ));
        assert!(d[1].ends_with(
            "\n  65:11: `dns` rule of CiliumNetworkPolicy shop/worker\n  help: add `matchName: s3.amazonaws.com` to the `dns` rule of the egress rule towards the DNS"
        ));
        assert!(d[2].ends_with(
            "\n  help: add `matchPattern: \"*.s3.amazonaws.com\"` to the `dns` rule of the egress rule towards the DNS"
        ));
    }

    #[test]
    fn dns_rules_covering_the_names_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn patterns_cover_names_and_instances() {
        use super::covers;
        use crate::model::ir::FqdnSelector::{Name, Pattern};
        let p = |s: &str| Pattern(s.into());
        let n = |s: &str| Name(s.into());
        assert!(covers(&p("*"), &p("**.example.com")));
        assert!(covers(&p("*.example.com"), &n("API.example.com.")));
        assert!(!covers(&p("*.example.com"), &n("example.com")));
        assert!(covers(&p("*.example.com"), &p("*.example.com")));
        assert!(!covers(&n("a.example.com"), &p("*.example.com")));
        assert!(!covers(&p("*.example.com"), &p("*.s3.example.com")));
    }
}

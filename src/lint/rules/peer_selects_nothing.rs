//! ## What it finds
//! A `from`/`to` peer that can match nothing:
//! - a `namespaceSelector` that matches no namespace;
//! - a `podSelector` that matches no pod in the namespaces it looks in (the policy's own
//!   namespace without a `namespaceSelector`, else the namespaces that selector matches), or
//!   only hostNetwork pods, which selectors never match;
//! - an `ipBlock` whose `except` entries together cover its whole `cidr`.
//!
//! What the input does not show is not judged. A repository holds part of a cluster: unless
//! `--closed-world`, a peer that looks only into namespaces the input does not describe
//! (declared by a Namespace object, or, when none is declared, holding its workloads) — or
//! whose namespace label may also match such namespaces and finds no pod in the described
//! ones — is taken to find its pods elsewhere: all such peers make one info per run that
//! lists them, so that a typo stays visible. A name or label one typo away from a namespace
//! of the input stays a warning, with the closest. With `--closed-world`, namespace
//! selectors are judged when the input declares Namespace objects, taking the namespaces of
//! the input plus `default`, `kube-system`, `kube-public` and `kube-node-lease` as all there
//! is, and a podSelector when every namespace it looks in holds a pod or workload of the
//! input. Give manifests kept elsewhere with `--topology`.
//!
//! The pods the prometheus-operator creates from the `Prometheus`, `PrometheusAgent`,
//! `Alertmanager` and `ThanosRuler` resources of the input count, with the labels it gives
//! them (`app.kubernetes.io/name: prometheus`...). When a namespace the podSelector looks in
//! holds another custom resource (a `Kafka`, a `postgresql`...), whose operator may create
//! pods the files do not hold, the finding is an info, not a warning: the selector matches
//! no pod *in these files*, and the note names the resource that may create them. With
//! `--closed-world` (the files are the whole cluster, as a dump is) it stays a warning.
//!
//! ## Why it matters
//! A peer that matches nothing allows nothing: the traffic it was written for is denied
//! once the pods are isolated. It is usually a label typo, a namespace label that is not set
//! (`name: monitoring` where only `kubernetes.io/metadata.name` exists), or a podSelector
//! missing the namespaceSelector that would make it look in another namespace.
//!
//! ## Example
//! ```yaml
//! # Prometheus runs in namespace monitoring
//! ingress:
//! - from:
//!   - namespaceSelector:
//!       matchLabels: {name: monitoring}        # no namespace has the label `name`
//!   - podSelector:
//!       matchLabels: {app: prometheus}         # looks in the policy's namespace only
//! ```
//!
//! ## Use instead
//! ```yaml
//! ingress:
//! - from:
//!   - namespaceSelector:
//!       matchLabels: {kubernetes.io/metadata.name: monitoring}
//!     podSelector:
//!       matchLabels: {app: prometheus}
//! ```

use super::policy_selects_nothing::may_create_them;
use crate::base::span::Span;
use crate::lint::World;
use crate::lint::fix::{Fix, Safety, insert_entry, key_span, label_typo, replace_scalar, text_of};
use crate::lint::scope::{Scope, closest_miss, list, peer_path};
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ip::AddrRange;
use crate::model::labels::Operator;
use crate::model::policy::{IpBlock, Peer};
use crate::model::{
    Direction, LabelSelector, NAMESPACE_NAME_LABEL, NetworkPolicy, PodSource, PolicyIdx, Rule,
};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP204",
    name: "peer-selects-nothing",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a from/to peer whose selector or ipBlock matches nothing",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let scope = Scope::new(cx);
    let open = cx.world == World::Open;
    // Peers into namespaces the input does not declare: assumed to exist elsewhere.
    let mut elsewhere: Vec<(String, Span, String)> = Vec::new();
    for (idx, p) in cx.cluster.applied_policies() {
        for dir in Direction::BOTH {
            for rule in p.rules(dir) {
                for peer in rule.peer_list() {
                    if open && let Some(what) = assumed_elsewhere(&scope, p, peer) {
                        let path = peer_path(p, rule, peer);
                        elsewhere.push((what, peer.span, path));
                        continue;
                    }
                    let text = text_of(cx, p.span);
                    if let Some(f) = check_peer(&scope, text, open, idx, p, rule, peer) {
                        out.push(f);
                    }
                }
            }
        }
    }
    if let Some((_, span, _)) = elsewhere.first() {
        let mut seen: Vec<&str> = Vec::new();
        for (what, _, _) in &elsewhere {
            if !seen.contains(&what.as_str()) {
                seen.push(what);
            }
        }
        let mut f = Finding::new(
            &RULE,
            Subject::None,
            *span,
            format!(
                "{} peer{} look{} into namespaces these files do not declare, taken to exist elsewhere in the cluster: {}",
                elsewhere.len(),
                if elsewhere.len() == 1 { "" } else { "s" },
                if elsewhere.len() == 1 { "s" } else { "" },
                seen.join("; ")
            ),
        )
        .help("check the names and labels for typos; with --closed-world (the files are the whole cluster) each is judged on its own");
        f.severity = Severity::Info;
        for (what, span, path) in elsewhere.iter().skip(1) {
            f = f.related(*span, format!("{path}: {what}"));
        }
        out.push(f);
    }
}

/// What a peer assumes exists outside the input, when it looks only into namespaces the
/// input does not declare (no Namespace object: another team's, the platform's): its
/// namespaceSelector matches none of the declared namespaces, or the namespaces it looks in
/// are only implied by a workload or two. None for a peer the input can judge.
fn assumed_elsewhere(scope: &Scope, p: &NetworkPolicy, peer: &Peer) -> Option<String> {
    if peer.ip_block.is_some() {
        return None;
    }
    let declared = |name: &str| scope.cluster.describes_namespace(name);
    let pods = peer
        .pod_selector
        .as_ref()
        .map(|s| format!(" with pods {s}"))
        .unwrap_or_default();
    match &peer.namespace_selector {
        None => (!declared(&p.namespace)).then(|| format!("namespace {}{pods}", p.namespace)),
        Some(sel) => {
            let described = scope.described();
            let matching = scope.described_matching(sel);
            if !matching.is_empty() {
                // It may also match namespaces the files do not show (it does not pin names
                // to described ones): a podSelector finding no pod in the described ones is
                // then assumed to find them elsewhere (`namespaceSelector: {}` and kube-dns).
                let pinned = sel.requirements().iter().any(|r| {
                    r.key == NAMESPACE_NAME_LABEL
                        && r.op == Operator::In
                        && r.values
                            .iter()
                            .all(|v| scope.cluster.describes_namespace(v))
                });
                let found = |pod_sel: &LabelSelector| {
                    matching
                        .iter()
                        .flat_map(|&i| scope.endpoints_in(&described[i].name))
                        .any(|(_, e)| !e.host_network && pod_sel.matches(&e.labels))
                };
                return match &peer.pod_selector {
                    Some(pod_sel) if !pinned && !found(pod_sel) => {
                        Some(format!("namespaces {sel}{pods}"))
                    }
                    _ => None,
                };
            }
            // Close to a namespace of the input — its name under another key (`name:
            // monitoring`), or a value one typo away from one its namespaces carry under the
            // same key (`monitorng`) — is judged as a mistake, not assumed elsewhere.
            let close = sel.requirements().iter().any(|r| {
                r.values.iter().any(|v| {
                    described.iter().any(|n| &n.name == v)
                        || crate::base::suggest::closest(
                            v,
                            &described
                                .iter()
                                .filter_map(|n| n.labels.get(&r.key))
                                .collect::<Vec<&str>>(),
                        )
                        .is_some()
                })
            });
            (!close).then(|| format!("namespaces {sel}{pods}"))
        }
    }
}

fn check_peer(
    scope: &Scope,
    text: &str,
    open: bool,
    idx: PolicyIdx,
    p: &NetworkPolicy,
    rule: &Rule,
    peer: &Peer,
) -> Option<Finding> {
    let path = peer_path(p, rule, peer);
    if let Some(block) = &peer.ip_block {
        if !excepts_cover_cidr(block) {
            return None;
        }
        return Some(
            Finding::new(
                &RULE,
                Subject::Policy(idx),
                block.span,
                format!(
                    "{path}: ipBlock {} matches no address: the excepts cover the whole cidr",
                    block.describe()
                ),
            )
            .help("fix the except ranges, or delete the peer"),
        );
    }
    // The namespaces the peer looks in.
    let namespaces: Vec<&str> = match &peer.namespace_selector {
        None => vec![p.namespace.as_str()],
        Some(sel) => {
            if !scope.declares_namespaces && !pins_names(sel) {
                return None;
            }
            let matched: Vec<&str> = scope
                .namespaces()
                .iter()
                .filter(|(_, labels)| sel.matches(labels))
                .map(|(name, _)| name.as_str())
                .collect();
            if matched.is_empty() {
                if !scope.declares_namespaces {
                    // Pinned to names the input does not show.
                    return None;
                }
                let mut f = Finding::new(
                    &RULE,
                    Subject::Policy(idx),
                    sel.span,
                    format!("{path}: namespaceSelector {sel} matches no namespace"),
                );
                let closest = closest_miss(
                    sel,
                    scope
                        .namespaces()
                        .iter()
                        .map(|(name, labels)| (format!("namespace {name}"), labels)),
                );
                f = f.maybe_fix(namespace_fix(scope, text, sel));
                if let Some(c) = closest {
                    f = f.help(format!("the closest is {c}"));
                } else if !sel
                    .requirements()
                    .iter()
                    .any(|r| r.key == NAMESPACE_NAME_LABEL)
                {
                    f = f.help(format!(
                        "to select namespaces by name, use the label {NAMESPACE_NAME_LABEL}, which every namespace has"
                    ));
                }
                return Some(f);
            }
            // Only namespaces the input mentions: a builtin one it does not mention is
            // known to exist, not to be empty.
            matched
                .into_iter()
                .filter(|n| scope.cluster.ns_id(n).is_some())
                .collect()
        }
    };
    let sel = peer.pod_selector.as_ref()?;
    if namespaces.is_empty() || !namespaces.iter().all(|n| scope.has_endpoints_named(n)) {
        return None;
    }
    let candidates: Vec<_> = namespaces
        .iter()
        .flat_map(|n| scope.endpoints_in(n))
        .map(|(_, e)| e)
        .collect();
    if candidates
        .iter()
        .any(|e| !e.host_network && sel.matches(&e.labels))
    {
        return None;
    }
    let host: Vec<String> = candidates
        .iter()
        .filter(|e| e.host_network && sel.matches(&e.labels))
        .map(|e| e.id())
        .collect();
    if !host.is_empty() {
        return Some(
            Finding::new(
                &RULE,
                Subject::Policy(idx),
                sel.span,
                format!(
                    "{path}: podSelector {sel} matches only hostNetwork pods ({}), which selectors never match",
                    list(&host)
                ),
            )
            .help("hostNetwork pods send with their node's IP: allow them with an ipBlock holding the nodes' addresses"),
        );
    }
    let names: Vec<String> = namespaces.iter().map(|n| n.to_string()).collect();
    let where_ = if names.len() == 1 {
        format!("namespace {}", names[0])
    } else {
        format!("namespaces {}", list(&names))
    };
    // Pods an operator may create from a custom resource of those namespaces, which the
    // files do not hold (unless they are the whole cluster).
    let sources: Vec<&PodSource> = if open {
        namespaces
            .iter()
            .flat_map(|n| scope.cluster.pod_sources_in(n))
            .collect()
    } else {
        Vec::new()
    };
    let in_files = if sources.is_empty() {
        ""
    } else {
        " in these files"
    };
    let mut f = Finding::new(
        &RULE,
        Subject::Policy(idx),
        sel.span,
        format!("{path}: podSelector {sel} matches no pod in {where_}{in_files}"),
    );
    if !sources.is_empty() {
        f.severity = Severity::Info;
        f = f
            .notes(vec![may_create_them(&sources, names.len() > 1)])
            .for_input();
    }
    f = f.maybe_fix(pods_fix(scope, text, p, peer, sel, &candidates));
    Some(match help_for_pods(scope, p, peer, sel, &candidates) {
        Some(h) => f.help(h),
        None => f,
    })
}

/// The fix of a namespaceSelector that matches no namespace: the label one typo away from
/// the closest namespace's, or the name of a namespace written under another key than
/// `kubernetes.io/metadata.name` (`name: monitoring`). Unsafe: a guess, and it opens what
/// the peer was written for.
fn namespace_fix(scope: &Scope, text: &str, sel: &LabelSelector) -> Option<Fix> {
    let candidates = scope
        .namespaces()
        .iter()
        .map(|(name, labels)| (format!("namespace {name}"), labels));
    if let Some((title, edit)) = label_typo(text, sel, candidates) {
        return Some(Fix::edit(Safety::Unsafe, title, edit).changing_connections());
    }
    let requirements = sel.requirements();
    let named: Vec<(&String, String)> = scope
        .namespaces()
        .iter()
        .filter_map(|(name, labels)| {
            let failed = sel.failures(labels);
            let [r] = failed.as_slice() else {
                return None;
            };
            let named = r.key != NAMESPACE_NAME_LABEL
                && r.op == Operator::In
                && r.values == [name.clone()]
                && !labels.contains_key(&r.key);
            named.then_some((name, r.key.clone()))
        })
        .collect();
    let [(ns, key)] = &named[..] else {
        return None;
    };
    // The key is written once (in matchLabels or an expression), or the edit is a guess.
    if requirements.iter().filter(|r| &r.key == key).count() != 1 {
        return None;
    }
    let span = key_span(sel, key)?;
    Some(
        Fix::edit(
            Safety::Unsafe,
            format!("select namespace {ns} by name: replace the key `{key}` with `{NAMESPACE_NAME_LABEL}`"),
            replace_scalar(text, span, NAMESPACE_NAME_LABEL),
        )
        .changing_connections(),
    )
}

/// The fix of a podSelector that matches no pod: the namespaceSelector it needs when the
/// pods it matches are all in one other namespace (it looks only in the policy's own
/// without one), or else the label one typo away from the closest pod's. Unsafe: a guess,
/// and it opens what the peer was written for.
fn pods_fix(
    scope: &Scope,
    text: &str,
    p: &NetworkPolicy,
    peer: &Peer,
    sel: &LabelSelector,
    candidates: &[&crate::model::Endpoint],
) -> Option<Fix> {
    if peer.namespace_selector.is_none() {
        let matching = scope.pods_matching(sel);
        let mut elsewhere: Vec<&str> = matching
            .iter()
            .map(|&i| scope.cluster.endpoints[i].namespace.as_str())
            .filter(|ns| *ns != p.namespace)
            .collect();
        elsewhere.sort_unstable();
        elsewhere.dedup();
        match elsewhere[..] {
            [] => {}
            [ns] => {
                let value = serde_json::json!({"matchLabels": {NAMESPACE_NAME_LABEL: ns}});
                let title = format!(
                    "add `namespaceSelector: {}` to the peer, to select the pods in namespace {ns}",
                    crate::base::yaml_edit::flow(&value)
                );
                let edit = insert_entry(text, peer.span, "namespaceSelector", &value);
                return Some(Fix::edit(Safety::Unsafe, title, edit).changing_connections());
            }
            _ => return None,
        }
    }
    let candidates = candidates
        .iter()
        .filter(|e| !e.host_network)
        .map(|e| (e.id(), &e.labels));
    let (title, edit) = label_typo(text, sel, candidates)?;
    Some(Fix::edit(Safety::Unsafe, title, edit).changing_connections())
}

fn help_for_pods(
    scope: &Scope,
    p: &NetworkPolicy,
    peer: &Peer,
    sel: &LabelSelector,
    candidates: &[&crate::model::Endpoint],
) -> Option<String> {
    if peer.namespace_selector.is_none() {
        let elsewhere: Vec<String> = scope
            .pods_matching(sel)
            .iter()
            .map(|&i| &scope.cluster.endpoints[i])
            .filter(|e| e.namespace != p.namespace)
            .map(|e| e.id())
            .collect();
        if !elsewhere.is_empty() {
            return Some(format!(
                "without a namespaceSelector a podSelector looks only in the policy's namespace {}; to select {}, add a namespaceSelector to this peer",
                p.namespace,
                list(&elsewhere)
            ));
        }
    }
    closest_miss(
        sel,
        candidates
            .iter()
            .filter(|e| !e.host_network)
            .map(|e| (e.id(), &e.labels)),
    )
    .map(|c| format!("the closest is {c}"))
}

/// Whether the selector names its namespaces (`kubernetes.io/metadata.name` In ...), so
/// that it can be judged without the input declaring namespaces.
fn pins_names(sel: &LabelSelector) -> bool {
    sel.requirements()
        .iter()
        .any(|r| r.key == NAMESPACE_NAME_LABEL && r.op == Operator::In)
}

/// Whether the `except` ranges together cover the whole `cidr`.
fn excepts_cover_cidr(block: &IpBlock) -> bool {
    let Some(net) = block.net() else {
        return false;
    };
    let whole = AddrRange::from_net(&net);
    let mut excepts: Vec<AddrRange> = block
        .except_nets()
        .iter()
        .map(AddrRange::from_net)
        .filter(|r| r.family == whole.family)
        .collect();
    excepts.sort();
    let mut next = whole.start;
    for r in excepts {
        if r.start > next {
            return false;
        }
        if r.end >= whole.end {
            return true;
        }
        next = next.max(r.end + 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_selector_or_ip_block_matching_nothing() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "52:9: shop/api: ingress[0].from[0]: namespaceSelector {name=monitoring} matches no namespace",
                "54:9: shop/api: ingress[0].from[1]: podSelector {app=prometheus} matches no pod in namespace shop",
                "56:9: shop/api: ingress[0].from[2]: namespaceSelector {kubernetes.io/metadata.name=monitorng} matches no namespace",
                "57:7: 1 peer looks into namespaces these files do not declare, taken to exist elsewhere in the cluster: namespaces {team=platform} with pods {app=grafana}",
                "59:20: shop/api: ingress[0].from[4]: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which selectors never match",
                "60:20: shop/api: ingress[0].from[5]: podSelector {app=webb} matches no pod in namespace shop",
                "64:9: shop/api: egress[0].to[0]: ipBlock 10.0.0.0/24 except 10.0.0.0/25, 10.0.0.128/25 matches no address: the excepts cover the whole cidr",
            ]
        );
    }

    #[test]
    fn the_whole_cluster_judges_every_peer() {
        // With --closed-world, a namespace label may match only the namespaces of the files:
        // grafana, missing from monitoring, is a mistake again.
        let found = crate::lint::testing::findings_closed(&RULE, "bad.yaml");
        assert!(
            found.contains(&"58:20: shop/api: ingress[0].from[3]: podSelector {app=grafana} matches no pod in namespace monitoring".to_string()),
            "{found:?}"
        );
        assert!(!found.iter().any(|f| f.contains("taken to exist elsewhere")));
    }

    #[test]
    fn peers_matching_something_or_out_of_scope_pass() {
        // Only the one info of the run: kube-system is not declared, so its pods are
        // assumed elsewhere (issue 16: peers into namespaces the files do not describe are
        // not warnings).
        let found = findings(&RULE, "good.yaml");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("2 peers look into namespaces these files do not declare, taken to exist elsewhere in the cluster: namespaces {team=platform} with pods {app=loki}; namespaces {kubernetes.io/metadata.name=kube-system} with pods {k8s-app=kube-dns}"),
            "{found:?}"
        );
        assert_eq!(
            crate::lint::testing::severities(&RULE, "good.yaml"),
            [(
                found[0].split(':').next().unwrap().parse().unwrap(),
                crate::lint::Severity::Info
            )]
        );
    }

    #[test]
    fn without_namespace_objects_only_names_are_judged() {
        assert_eq!(
            findings(&RULE, "no-namespaces.yaml"),
            [
                "25:7: 2 peers look into namespaces these files do not declare, taken to exist elsewhere in the cluster: namespaces {team=ops}; namespaces {kubernetes.io/metadata.name=monitoring} with pods {app=prometheus}",
                "33:9: shop/api: egress[0].to[2]: podSelector {k8s-app=kube-dsn} matches no pod in namespace kube-system",
            ]
        );
    }

    #[test]
    fn help_says_what_the_selector_missed() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "52:9: shop/api: ingress[0].from[0]: namespaceSelector {name=monitoring} matches no namespace",
                    "help: to select namespaces by name, use the label kubernetes.io/metadata.name, which every namespace has",
                ],
                [
                    "54:9: shop/api: ingress[0].from[1]: podSelector {app=prometheus} matches no pod in namespace shop",
                    "help: without a namespaceSelector a podSelector looks only in the policy's namespace shop; to select monitoring/deploy/prometheus, add a namespaceSelector to this peer",
                ],
                [
                    "56:9: shop/api: ingress[0].from[2]: namespaceSelector {kubernetes.io/metadata.name=monitorng} matches no namespace",
                    "help: the closest is namespace monitoring: kubernetes.io/metadata.name=monitoring, not monitorng",
                ],
                [
                    "57:7: 1 peer looks into namespaces these files do not declare, taken to exist elsewhere in the cluster: namespaces {team=platform} with pods {app=grafana}",
                    "help: check the names and labels for typos; with --closed-world (the files are the whole cluster) each is judged on its own",
                ],
                [
                    "59:20: shop/api: ingress[0].from[4]: podSelector {app=agent} matches only hostNetwork pods (shop/node-agent), which selectors never match",
                    "help: hostNetwork pods send with their node's IP: allow them with an ipBlock holding the nodes' addresses",
                ],
                [
                    "60:20: shop/api: ingress[0].from[5]: podSelector {app=webb} matches no pod in namespace shop",
                    "help: the closest is shop/deploy/web: app=web, not webb",
                ],
                [
                    "64:9: shop/api: egress[0].to[0]: ipBlock 10.0.0.0/24 except 10.0.0.0/25, 10.0.0.128/25 matches no address: the excepts cover the whole cidr",
                    "help: fix the except ranges, or delete the peer",
                ],
            ]
        );
    }

    #[test]
    fn pods_the_prometheus_operator_creates_count() {
        // The peers `app.kubernetes.io/name: prometheus` (and alertmanager) match the pods
        // the operator creates from the Prometheus and Alertmanager resources (issue 16);
        // a typo among them is still found.
        assert_eq!(
            findings(&RULE, "operators.yaml")[0],
            "53:20: monitoring/alertmanager-main: ingress[2].from[0]: podSelector {app.kubernetes.io/name=prometheus-adaptr} matches no pod in namespace monitoring"
        );
    }

    #[test]
    fn in_a_namespace_with_a_custom_resource_it_is_an_info_naming_the_resource() {
        let found =
            crate::lint::rules::policy_selects_nothing::testing::notes(&RULE, "operators.yaml");
        assert_eq!(
            found,
            [
                vec![
                    "53:20: monitoring/alertmanager-main: ingress[2].from[0]: podSelector {app.kubernetes.io/name=prometheus-adaptr} matches no pod in namespace monitoring",
                ],
                vec![
                    "82:20: shop/orders: egress[0].to[0]: podSelector {strimzi.io/cluster=my-cluster, strimzi.io/kind=Kafka} matches no pod in namespace shop in these files",
                    "Kafka my-cluster in this namespace may create them: its operator creates pods at run time, which these files do not hold (with --closed-world the files are taken as the whole cluster)",
                ],
            ]
        );
        assert_eq!(
            crate::lint::testing::severities(&RULE, "operators.yaml"),
            [
                (53, crate::lint::Severity::Warning),
                (82, crate::lint::Severity::Info)
            ]
        );
    }

    #[test]
    fn with_a_closed_world_it_stays_a_warning() {
        assert_eq!(
            crate::lint::testing::findings_closed(&RULE, "operators.yaml"),
            [
                "53:20: monitoring/alertmanager-main: ingress[2].from[0]: podSelector {app.kubernetes.io/name=prometheus-adaptr} matches no pod in namespace monitoring",
                "82:20: shop/orders: egress[0].to[0]: podSelector {strimzi.io/cluster=my-cluster, strimzi.io/kind=Kafka} matches no pod in namespace shop",
            ]
        );
    }

    #[test]
    fn the_fix_corrects_the_label_or_adds_the_namespace_selector() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "bad.yaml", true));
        // Unsafe: not applied without --unsafe-fixes.
        assert_eq!(fixed(&RULE, "bad.yaml", false), "");
    }
}

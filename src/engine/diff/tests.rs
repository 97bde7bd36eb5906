//! Diff tests: connections opened, closed and changed, and the changes named for each.

use super::*;
use crate::load::{LoadOptions, load_texts};

const BASE: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: platform}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers:
      - {name: api, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers:
      - {name: prometheus}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";

const WEB_TO_API: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {tier: backend}}}]
    ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
";

fn cluster(text: &str) -> Cluster {
    let loaded = load_texts(&[("t.yaml", text)], &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    Cluster::build(loaded.objects)
}

fn diff(old: &str, new: &str) -> Diff {
    Diff::compute(&cluster(old), &cluster(new))
}

/// `opened shop/deploy/web → shop/deploy/api: none → TCP 8080 [NetworkPolicy shop/web added]`.
fn lines(d: &Diff) -> Vec<String> {
    d.connections
        .iter()
        .map(|c| {
            let causes: Vec<String> = c
                .causes
                .iter()
                .map(|&i| format!("{} {}", d.changes[i].title(), d.changes[i].change))
                .collect();
            format!(
                "{} {} → {}: {} → {} [{}]",
                c.kind.as_str(),
                c.src,
                c.dst,
                c.old,
                c.new,
                causes.join("; ")
            )
        })
        .collect()
}

#[test]
fn the_same_input_is_no_change() {
    let text = format!("{BASE}---{WEB_TO_API}");
    let d = diff(&text, &text);
    assert!(d.is_empty() && d.changes.is_empty(), "{d:?}");
}

#[test]
fn added_policies_open_and_each_side_is_named() {
    let d = diff(BASE, &format!("{BASE}---{WEB_TO_API}"));
    assert_eq!(
        lines(&d),
        [
            "opened shop/deploy/web → shop/deploy/api: none → TCP 8080 [NetworkPolicy shop/api added; NetworkPolicy shop/web added]"
        ]
    );
    assert_eq!(
        d.counts(),
        Counts {
            opened: 1,
            closed: 0,
            changed: 0
        }
    );
    assert!(d.changes.iter().all(|c| c.connections == 1));
}

#[test]
fn a_removed_policy_closes() {
    let d = diff(&format!("{BASE}---{WEB_TO_API}"), BASE);
    assert_eq!(
        lines(&d),
        [
            "closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [NetworkPolicy shop/api removed; NetworkPolicy shop/web removed]"
        ]
    );
    assert_eq!(d.changes[0].change, ChangeKind::Removed);
    assert!(d.changes[0].new.is_none() && d.changes[0].old.is_some());
}

#[test]
fn a_removed_default_deny_opens_everything_it_held_shut() {
    let old = format!("{BASE}---{WEB_TO_API}");
    let new = old.replace(
        "{name: default-deny, namespace: shop}",
        "{name: default-deny, namespace: shop, annotations: {note: x}}",
    );
    assert!(diff(&old, &new).is_empty(), "annotations are not a change");
    let new = old.replace(
        "policyTypes: [Ingress, Egress]\n",
        "policyTypes: [Ingress]\n",
    );
    let d = diff(&old, &new);
    // Egress is no longer isolated for api (web keeps its own egress policy).
    let l = lines(&d);
    assert!(
            l.contains(&"opened shop/deploy/api → monitoring/deploy/prometheus: none → all [NetworkPolicy shop/default-deny edited]".to_string()),
            "{l:#?}"
        );
    assert!(l.iter().all(|x| x.contains("shop/deploy/api →")), "{l:#?}");
    assert_eq!(
        d.changes[0].details,
        ["policyTypes: Ingress, Egress → Ingress"]
    );
}

#[test]
fn ports_that_change_are_a_changed_connection() {
    let old = format!("{BASE}---{WEB_TO_API}");
    let new = old.replace(
        "ports: [{port: 8080}]\n---",
        "ports: [{port: 8080}, {port: 9090}]\n---",
    );
    let d = diff(&old, &new);
    // web's egress allows 9090 now, api's ingress still only 8080: nothing changes.
    assert!(d.is_empty(), "{:#?}", lines(&d));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].details, ["egress[0] changed"]);
    assert_eq!(d.changes[0].connections, 0);
    let new = new.replace(
            "from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]",
            "from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: http}, {port: metrics}]",
        );
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        [
            "changed shop/deploy/web → shop/deploy/api: TCP 8080 → TCP 8080,9090 [NetworkPolicy shop/api edited; NetworkPolicy shop/web edited]"
        ]
    );
    let c = &d.connections[0];
    assert_eq!(c.opened().to_string(), "TCP 9090");
    assert!(c.closed().is_empty());
}

#[test]
fn a_label_change_is_named_with_the_side_it_acts_on() {
    let old = format!("{BASE}---{WEB_TO_API}");
    // api loses tier=backend: web's egress peer no longer matches it.
    let new = old.replace(
        "labels: {app: api, tier: backend}",
        "labels: {app: api, tier: api}",
    );
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        ["closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [Deployment shop/api edited]"]
    );
    assert_eq!(d.changes[0].details, ["label tier: backend → api"]);
    // web is relabelled: api's ingress peer and web's own egress policy both miss it.
    let new = old.replace("labels: {app: web}", "labels: {app: frontend}");
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        ["closed shop/deploy/web → shop/deploy/api: TCP 8080 → none [Deployment shop/web edited]"]
    );
}

#[test]
fn a_namespace_label_change_is_named() {
    let old = format!(
        "{BASE}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: scrape, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: api}}}}
  ingress:
  - from: [{{namespaceSelector: {{matchLabels: {{team: platform}}}}}}]
    ports: [{{port: metrics}}]
"
    );
    let new = old.replace("labels: {team: platform}", "labels: {team: observability}");
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        [
            "closed monitoring/deploy/prometheus → shop/deploy/api: TCP 9090 → none [Namespace monitoring edited]"
        ]
    );
    assert_eq!(
        d.changes[0].details,
        ["label team: platform → observability"]
    );
}

#[test]
fn a_policy_change_and_a_label_change_together_are_both_named() {
    let old = format!("{BASE}---{WEB_TO_API}");
    let new = old
        .replace(
            "labels: {app: api, tier: backend}",
            "labels: {app: api, tier: core}",
        )
        .replace("matchLabels: {tier: backend}", "matchLabels: {tier: core}");
    // Connection unchanged: nothing to report, but both objects changed.
    let d = diff(&old, &new);
    assert!(d.is_empty());
    assert_eq!(d.changes.len(), 2);
    // Opening metrics on 9100 takes three changes together: web's egress, api's new
    // ingress rule on the named port, and api's metrics port moved from 9090 to 9100.
    let new = format!(
        "{}  - from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]\n    ports: [{{port: metrics}}]\n",
        old.replace(
            "{name: metrics, containerPort: 9090}",
            "{name: metrics, containerPort: 9100}"
        )
        .replace(
            "ports: [{port: 8080}]\n---",
            "ports: [{port: 8080}, {port: 9100}]\n---"
        )
    );
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        [
            "changed shop/deploy/web → shop/deploy/api: TCP 8080 → TCP 8080,9100 [NetworkPolicy shop/api edited; NetworkPolicy shop/web edited; Deployment shop/api edited]"
        ]
    );
    assert_eq!(
        d.changes[2].details,
        ["container ports: http TCP 8080, metrics TCP 9090 → http TCP 8080, metrics TCP 9100"]
    );
}

#[test]
fn an_added_endpoint_is_named_for_its_connections() {
    let old = format!("{BASE}---{WEB_TO_API}");
    let new = format!(
        "{old}---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: cache, namespace: shop}}
spec:
  template:
    metadata: {{labels: {{app: cache, tier: backend}}}}
    spec:
      containers:
      - {{name: redis, ports: [{{containerPort: 8080}}]}}
"
    );
    let d = diff(&old, &new);
    // Default deny holds everything shut but web's egress to tier=backend on 8080, which
    // cache's ingress (not isolated... default-deny isolates it) denies.
    assert!(d.is_empty(), "{:#?}", lines(&d));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].change, ChangeKind::Added);
    assert_eq!(d.changes[0].title(), "StatefulSet shop/cache");
    let new = format!(
        "{new}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: cache, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: cache}}}}
  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]}}]
"
    );
    let d = diff(&old, &new);
    assert_eq!(
        lines(&d),
        [
            "opened shop/deploy/web → shop/sts/cache: none → TCP 8080 [NetworkPolicy shop/cache added; StatefulSet shop/cache added]"
        ]
    );
    // Removing it again closes what it had.
    let back = diff(&new, &old);
    assert_eq!(
        lines(&back),
        [
            "closed shop/deploy/web → shop/sts/cache: TCP 8080 → none [NetworkPolicy shop/cache removed; StatefulSet shop/cache removed]"
        ]
    );
}

#[test]
fn external_ranges_are_cut_on_both_sides_and_merged_back() {
    let egress = |cidr: &str| {
        format!(
            "{BASE}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-out, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  egress:
  - to: [{{ipBlock: {{cidr: {cidr}}}}}]
    ports: [{{port: 443}}]
"
        )
    };
    let d = diff(&egress("0.0.0.0/0"), &egress("203.0.113.0/24"));
    assert_eq!(
        lines(&d),
        [
            "closed shop/deploy/web → 0.0.0.0-203.0.112.255: TCP 443 → none [NetworkPolicy shop/web-out edited]",
            "closed shop/deploy/web → 203.0.114.0-255.255.255.255: TCP 443 → none [NetworkPolicy shop/web-out edited]",
        ]
    );
    assert_eq!(d.changes[0].details, ["egress[0] changed"]);
}

#[test]
fn cluster_wide_policies_are_compared_by_kind_and_name() {
    let anp = |action: &str| {
        format!(
            "{BASE}---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: platform}}
spec:
  priority: 10
  subject:
    pods:
      namespaceSelector: {{matchLabels: {{team: shop}}}}
      podSelector: {{matchLabels: {{app: api}}}}
  ingress:
  - name: scrape
    action: {action}
    from: [{{namespaces: {{matchLabels: {{team: platform}}}}}}]
    ports: [{{portNumber: {{protocol: TCP, port: 9090}}}}]
"
        )
    };
    // Prometheus's egress is not isolated; api's ingress is, but Allow at the Admin tier
    // is final.
    let d = diff(&anp("Deny"), &anp("Allow"));
    assert_eq!(
        lines(&d),
        [
            "opened monitoring/deploy/prometheus → shop/deploy/api: none → TCP 9090 [AdminNetworkPolicy platform edited]"
        ]
    );
    assert_eq!(d.changes[0].details, ["ingress[0] \"scrape\" changed"]);
    let d = diff(BASE, &anp("Allow"));
    assert_eq!(d.changes[0].change, ChangeKind::Added);
    assert_eq!(d.connections.len(), 1);
}

#[test]
fn layout_and_rule_order_are_not_changes() {
    let old = format!("{BASE}---{WEB_TO_API}");
    let new = old.replace(
        "ports: [{port: 8080}]\n---",
        "ports:\n    - port: 8080\n      protocol: TCP\n---",
    );
    let d = diff(&old, &new);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
}

/// The base without its default deny.
fn open_base() -> &'static str {
    BASE.split("---\napiVersion: networking.k8s.io/v1")
        .next()
        .unwrap()
}

/// A Calico Deny given a lower order than the Allow it overlapped: the closed connection
/// is attributed to that edit (and only to it).
#[test]
fn an_order_change_that_lets_a_deny_win_is_attributed() {
    let policies = |deny_order: u32| {
        format!(
            "{}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {{name: allow-web, namespace: shop}}
spec:
  order: 100
  selector: app == 'api'
  ingress: [{{action: Allow, source: {{selector: app == 'web'}}}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {{name: deny-all, namespace: shop}}
spec:
  order: {deny_order}
  selector: app == 'api'
  ingress: [{{action: Deny}}]
",
            open_base()
        )
    };
    let d = diff(&policies(200), &policies(50));
    assert_eq!(
        lines(&d),
        [
            "closed shop/deploy/web → shop/deploy/api: all → none [Calico NetworkPolicy shop/deny-all edited]"
        ]
    );
    assert_eq!(d.changes[0].details, ["order: 200 → 50"]);
}

/// A Tier's new order moves every policy of it before another tier's.
#[test]
fn a_tier_order_change_is_attributed() {
    let text = |order: u32| {
        format!(
            "{}---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {{name: guard}}
spec: {{order: {order}}}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {{name: apps}}
spec: {{order: 500}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {{name: guard.deny}}
spec:
  tier: guard
  selector: app == 'api'
  ingress: [{{action: Deny, source: {{selector: app == 'web'}}}}, {{action: Pass}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {{name: apps.allow}}
spec:
  tier: apps
  selector: app == 'api'
  ingress: [{{action: Allow}}]
",
            open_base()
        )
    };
    let d = diff(&text(900), &text(100));
    assert_eq!(
        lines(&d),
        ["closed shop/deploy/web → shop/deploy/api: all → none [Tier guard edited]"]
    );
}

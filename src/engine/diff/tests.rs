//! Diff tests: connections opened, closed and changed, and the changes named for each.

use super::*;
use crate::load::{LoadOptions, load_texts};
use crate::model::cilium::CiliumKind;

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

/// A small Cilium cluster: the database denies the dev namespace whatever any policy allows
/// (a Kubernetes NetworkPolicy opens it to every namespace labelled `env`); the tester's
/// egress is ruled by its own CiliumNetworkPolicy, which does not put it in default deny.
const CILIUM: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  containers: [{name: postgres, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: tester, namespace: dev, labels: {app: tester}}
spec:
  containers: [{name: t}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector:
    matchLabels: {app: db}
  ingressDeny:
  - fromEndpoints:
    - matchLabels: {k8s:io.kubernetes.pod.namespace: dev}
  ingress:
  - fromEndpoints:
    - matchLabels: {app: api}
    toPorts:
    - ports: [{port: \"5432\", protocol: TCP}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: tester, namespace: dev}
spec:
  endpointSelector:
    matchLabels: {app: tester}
  enableDefaultDeny: {egress: false}
  egress:
  - toEndpoints:
    - matchLabels: {k8s:io.kubernetes.pod.namespace: shop, app: db}
    toPorts:
    - ports: [{port: \"5432\", protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-envs, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}}]
    ports: [{port: 5432}]
";

/// The `ingressDeny` of CNP shop/db.
const DB_DENY: &str = "  ingressDeny:
  - fromEndpoints:
    - matchLabels: {k8s:io.kubernetes.pod.namespace: dev}
";

/// The Cilium cluster without the database's deny.
fn cilium_without_deny() -> String {
    assert!(CILIUM.contains(DB_DENY));
    CILIUM.replace(DB_DENY, "")
}

#[test]
fn the_same_cilium_input_is_no_change() {
    let d = diff(CILIUM, CILIUM);
    assert!(d.is_empty() && d.changes.is_empty(), "{d:?}");
    // The order of allows, or of denies, is no change: they add up.
    let two = |a: &str, b: &str| {
        CILIUM.replace(
            "  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: api}",
            &format!(
                "  ingress:\n  - fromEndpoints: [{{matchLabels: {{app: {a}}}}}]\n  - fromEndpoints: [{{matchLabels: {{app: {b}}}}}]\n    toPorts: [{{ports: [{{port: \"9\", protocol: TCP}}]}}]\n  - fromEndpoints:\n    - matchLabels: {{app: api}}"
            ),
        )
    };
    let d = diff(&two("x", "y"), &two("y", "x"));
    assert_eq!(
        d.changes.len(),
        1,
        "the port moved from one rule to the other"
    );
    assert_eq!(
        d.changes[0].details,
        ["ingress[0] changed", "ingress[1] changed"]
    );
    // Nor is the order of the rules of `specs`: each is paired with the rule of the other
    // version that says the same, wherever it is.
    let specs = |first: &str, second: &str| {
        format!(
            "{CILIUM}---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {{name: two}}
specs:
{first}{second}"
        )
    };
    let api =
        "- endpointSelector: {matchLabels: {app: api}}\n  ingress: [{fromEntities: [cluster]}]\n";
    let db = |to: &str| {
        format!(
            "- endpointSelector: {{matchLabels: {{app: db}}}}\n  egressDeny: [{{toEntities: [{to}]}}]\n"
        )
    };
    let d = diff(&specs(api, &db("world")), &specs(&db("world"), api));
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    let d = diff(&specs(api, &db("world")), &specs(&db("cluster"), api));
    assert_eq!(d.changes[0].details, ["specs[0].egressDeny[0] changed"]);
}

#[test]
fn a_removed_cilium_deny_opens_and_is_named() {
    let d = diff(CILIUM, &cilium_without_deny());
    assert_eq!(
        lines(&d),
        ["opened dev/tester → shop/db: none → TCP 5432 [CiliumNetworkPolicy shop/db edited]"]
    );
    assert_eq!(d.changes.len(), 1);
    let c = &d.changes[0];
    assert_eq!(c.object, ObjectKind::Cilium(CiliumKind::NetworkPolicy));
    assert_eq!(c.id, "shop/db");
    assert_eq!(c.details, ["ingressDeny: 1 rule → none"]);
    assert_eq!(c.connections, 1);
    // Where the deny was, in the old input.
    assert_eq!(c.focus.map(|f| f.0), Some(Version::Old));
}

#[test]
fn an_added_cilium_deny_closes_and_is_named() {
    let d = diff(&cilium_without_deny(), CILIUM);
    assert_eq!(
        lines(&d),
        ["closed dev/tester → shop/db: TCP 5432 → none [CiliumNetworkPolicy shop/db edited]"]
    );
    assert_eq!(d.changes[0].details, ["ingressDeny: none → 1 rule"]);
    // A deny in a rule of its own (`specs`), at the tester's egress: also named.
    let new = CILIUM.replace(
        "spec:\n  endpointSelector:\n    matchLabels: {app: tester}\n  enableDefaultDeny: {egress: false}\n  egress:",
        "specs:\n- endpointSelector:\n    matchLabels: {app: tester}\n  egressDeny:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: shop, app: api}}]\n    toPorts: [{ports: [{port: \"8080\", protocol: TCP}]}]\n  enableDefaultDeny: {egress: false}\n- endpointSelector:\n    matchLabels: {app: tester}\n  enableDefaultDeny: {egress: false}\n  egress:",
    );
    let d = diff(CILIUM, &new);
    assert_eq!(
        lines(&d),
        [
            "changed dev/tester → shop/api: all → TCP 1-8079,8081-65535; UDP all; SCTP all [CiliumNetworkPolicy dev/tester edited]"
        ]
    );
    // The rule that was `spec` is `specs[1]` now, unchanged: only the new one is a change.
    assert_eq!(d.changes[0].details, ["specs[0] added"]);
}

#[test]
fn enable_default_deny_flipped_is_named() {
    let new = CILIUM.replace(
        "enableDefaultDeny: {egress: false}",
        "enableDefaultDeny: {egress: true}",
    );
    let d = diff(CILIUM, &new);
    let l = lines(&d);
    // The tester's egress is in default deny now: all it reached but the database closes.
    assert!(
        l.contains(
            &"closed dev/tester → shop/api: all → none [CiliumNetworkPolicy dev/tester edited]"
                .to_string()
        ),
        "{l:#?}"
    );
    assert!(
        l.iter().all(|x| x.starts_with("closed dev/tester → ")
            && x.ends_with("[CiliumNetworkPolicy dev/tester edited]")),
        "{l:#?}"
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(
        d.changes[0].details,
        ["enableDefaultDeny.egress: false → true"]
    );
    assert_eq!(d.changes[0].connections, l.len());
    // Back: the same connections open.
    let back = diff(&new, CILIUM);
    assert_eq!(back.counts().opened, l.len());
    assert_eq!(
        back.changes[0].details,
        ["enableDefaultDeny.egress: true → false"]
    );
}

#[test]
fn an_added_cilium_policy_is_named_for_what_it_opens_and_closes() {
    let new = format!(
        "{CILIUM}---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {{name: api-from-dev}}
spec:
  endpointSelector:
    matchLabels: {{k8s:io.kubernetes.pod.namespace: shop, app: api}}
  ingress:
  - fromEndpoints:
    - matchLabels: {{k8s:io.kubernetes.pod.namespace: dev}}
    toPorts:
    - ports: [{{port: http, protocol: TCP}}]
"
    );
    let d = diff(CILIUM, &new);
    assert_eq!(d.changes.len(), 1);
    let c = &d.changes[0];
    assert_eq!(c.change, ChangeKind::Added);
    assert_eq!(c.title(), "CiliumClusterwideNetworkPolicy api-from-dev");
    assert!(c.old.is_none() && c.new.is_some());
    // The api's ingress is in default deny now: only the tester keeps TCP 8080.
    let l = lines(&d);
    assert!(
        l.contains(
            &"changed dev/tester → shop/api: all → TCP 8080 [CiliumClusterwideNetworkPolicy api-from-dev added]"
                .to_string()
        ),
        "{l:#?}"
    );
    assert!(
        l.contains(
            &"closed shop/db → shop/api: all → none [CiliumClusterwideNetworkPolicy api-from-dev added]"
                .to_string()
        ),
        "{l:#?}"
    );
    assert!(d.connections.iter().all(|x| x.causes == [0]), "{l:#?}");
    // Removed again: the same connections, the other way round.
    let back = diff(&new, CILIUM);
    assert_eq!(back.changes[0].change, ChangeKind::Removed);
    assert_eq!(back.connections.len(), d.connections.len());
}

//! Tests of the operator expansion: labels, ports, names, pod sources.

use super::*;
use crate::load::load_texts;
use crate::model::{Cluster, PodSource};

fn load(text: &str) -> crate::load::Loaded {
    let loaded = load_texts(&[("in.yaml", text)], &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
}

fn workloads(text: &str) -> Vec<Workload> {
    load(text)
        .objects
        .into_iter()
        .flat_map(|o| match o {
            Object::CustomResource(r) => r.workloads,
            _ => Vec::new(),
        })
        .collect()
}

fn labels(w: &Workload) -> Vec<String> {
    w.labels.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn ports(ps: &[ContainerPort]) -> Vec<String> {
    ps.iter()
        .map(|p| {
            format!(
                "{}:{}/{:?}",
                p.name.as_deref().unwrap_or(""),
                p.port,
                p.protocol
            )
        })
        .collect()
}

/// kube-prometheus' `prometheus-prometheus.yaml`, shortened.
const KUBE_PROMETHEUS: &str = "apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  labels:
    app.kubernetes.io/component: prometheus
    app.kubernetes.io/instance: k8s
    app.kubernetes.io/name: prometheus
    app.kubernetes.io/part-of: kube-prometheus
    app.kubernetes.io/version: 3.5.0
  name: k8s
  namespace: monitoring
spec:
  podMetadata:
    labels:
      app.kubernetes.io/component: prometheus
      app.kubernetes.io/instance: k8s
      app.kubernetes.io/name: prometheus
      app.kubernetes.io/part-of: kube-prometheus
      app.kubernetes.io/version: 3.5.0
  replicas: 2
  serviceAccountName: prometheus-k8s
  version: 3.5.0
";

#[test]
fn a_prometheus_is_the_statefulset_the_operator_creates() {
    let ws = workloads(KUBE_PROMETHEUS);
    assert_eq!(ws.len(), 1);
    let w = &ws[0];
    assert_eq!(
        (w.kind, w.namespace.as_str(), w.name.as_str()),
        (EndpointKind::StatefulSet, "monitoring", "prometheus-k8s")
    );
    assert_eq!(
        labels(w),
        [
            "app.kubernetes.io/component=prometheus",
            "app.kubernetes.io/instance=k8s",
            "app.kubernetes.io/managed-by=prometheus-operator",
            "app.kubernetes.io/name=prometheus",
            "app.kubernetes.io/part-of=kube-prometheus",
            "app.kubernetes.io/version=3.5.0",
            "operator.prometheus.io/name=k8s",
            "operator.prometheus.io/shard=0",
            "prometheus=k8s",
        ]
    );
    assert_eq!(ports(&w.ports), ["web:9090/Tcp", "reloader-web:8080/Tcp"]);
    assert_eq!(ports(&w.init_ports), ["reloader-init:8081/Tcp"]);
    assert_eq!(w.service_account, "prometheus-k8s");
}

#[test]
fn selector_labels_win_over_pod_metadata_and_shards_are_statefulsets() {
    let ws = workloads(
        "apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: main, namespace: mon}
spec:
  version: v2.45
  shards: 3
  portName: http-web
  thanos: {image: thanos}
  podMetadata:
    labels: {prometheus: other, team: obs}
  containers:
  - name: oauth-proxy
    ports: [{name: https, containerPort: 9443}]
",
    );
    let names: Vec<&str> = ws.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "prometheus-main",
            "prometheus-main-shard-1",
            "prometheus-main-shard-2"
        ]
    );
    assert_eq!(ws[2].labels.get("operator.prometheus.io/shard"), Some("2"));
    assert_eq!(ws[0].labels.get("prometheus"), Some("main"));
    assert_eq!(ws[0].labels.get("team"), Some("obs"));
    assert_eq!(
        ws[0].labels.get("app.kubernetes.io/version"),
        Some("2.45.0")
    );
    assert_eq!(
        ports(&ws[0].ports),
        [
            "http-web:9090/Tcp",
            "reloader-web:8080/Tcp",
            "http:10902/Tcp",
            "grpc:10901/Tcp",
            "https:9443/Tcp",
        ]
    );
}

#[test]
fn listen_local_leaves_out_the_web_ports() {
    let ws = workloads(
        "apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: p}
spec: {listenLocal: true}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: q}
spec: {listenLocal: true, reloadStrategy: ProcessSignal}
",
    );
    assert!(ports(&ws[0].ports).is_empty());
    assert_eq!(ports(&ws[1].ports), ["reloader-web:8080/Tcp"]);
    assert_eq!(ws[0].namespace, "default");
}

#[test]
fn an_alertmanager_has_its_web_and_mesh_ports() {
    let ws = workloads(
        "apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec:
  podMetadata:
    labels: {app.kubernetes.io/name: am, app.kubernetes.io/component: alert-router}
  replicas: 3
  version: 0.28.1
",
    );
    let w = &ws[0];
    assert_eq!(
        (w.kind, w.name.as_str()),
        (EndpointKind::StatefulSet, "alertmanager-main")
    );
    assert_eq!(
        labels(w),
        [
            "alertmanager=main",
            "app.kubernetes.io/component=alert-router",
            "app.kubernetes.io/instance=main",
            "app.kubernetes.io/managed-by=prometheus-operator",
            "app.kubernetes.io/name=alertmanager",
            "app.kubernetes.io/version=0.28.1",
        ]
    );
    assert_eq!(
        ports(&w.ports),
        [
            "web:9093/Tcp",
            "mesh-tcp:9094/Tcp",
            "mesh-udp:9094/Udp",
            "reloader-web:8080/Tcp"
        ]
    );
    assert_eq!(ports(&w.init_ports), ["reloader-init:8081/Tcp"]);
}

#[test]
fn a_thanos_ruler_and_a_prometheus_agent() {
    let ws = workloads(
        "apiVersion: monitoring.coreos.com/v1
kind: ThanosRuler
metadata: {name: tr, namespace: monitoring}
spec:
  podMetadata: {labels: {app.kubernetes.io/version: x, thanos-ruler: y}}
  queryEndpoints: [dnssrv+_http._tcp.thanos-query]
---
apiVersion: monitoring.coreos.com/v1alpha1
kind: PrometheusAgent
metadata: {name: ag, namespace: monitoring}
spec: {mode: DaemonSet}
",
    );
    assert_eq!(
        (ws[0].kind, ws[0].name.as_str()),
        (EndpointKind::StatefulSet, "thanos-ruler-tr")
    );
    assert_eq!(
        labels(&ws[0]),
        [
            "app.kubernetes.io/instance=tr",
            "app.kubernetes.io/managed-by=prometheus-operator",
            "app.kubernetes.io/name=thanos-ruler",
            "thanos-ruler=tr",
        ]
    );
    assert_eq!(
        ports(&ws[0].ports),
        ["grpc:10901/Tcp", "web:10902/Tcp", "reloader-web:8080/Tcp"]
    );
    assert!(ws[0].init_ports.is_empty());
    assert_eq!(
        (ws[1].kind, ws[1].name.as_str()),
        (EndpointKind::DaemonSet, "prom-agent-ag")
    );
    assert_eq!(
        ws[1].labels.get("app.kubernetes.io/name"),
        Some("prometheus-agent")
    );
    assert_eq!(ws[1].labels.get("operator.prometheus.io/shard"), None);
}

#[test]
fn configuration_kinds_are_ignored_and_other_custom_resources_are_pod_sources() {
    let loaded = load(
        "apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: sm, namespace: shop}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: my-cluster, namespace: shop}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: creds, namespace: shop}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
---
apiVersion: acid.zalan.do/v1
kind: ClusterThing
metadata: {name: x}
---
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata: {name: db}
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: vpa, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: shop}
",
    );
    let outcomes: Vec<String> = loaded
        .inventory
        .iter()
        .map(|e| format!("{}: {}", e.kind, e.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            "ServiceMonitor: ignored: kind ServiceMonitor configures the prometheus-operator and creates no pods",
            "Kafka: used",
            "ExternalSecret: ignored: kind ExternalSecret of external-secrets.io configures its controller and creates no pods",
            "ClusterIssuer: ignored: kind ClusterIssuer of cert-manager.io configures its controller and creates no pods",
            "ClusterThing: ignored: kind ClusterThing looks cluster-wide: it is not taken to create pods in a namespace",
            "postgresql: used",
            "VerticalPodAutoscaler: ignored: kind VerticalPodAutoscaler does not take part in network policy",
            "ConfigMap: ignored: kind ConfigMap does not take part in network policy",
        ]
    );
    let cluster = Cluster::build(loaded.objects);
    let sources: Vec<(&str, &str, &str)> = cluster
        .pod_sources
        .iter()
        .map(|s: &PodSource| (s.namespace.as_str(), s.kind.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        sources,
        [
            ("default", "postgresql", "db"),
            ("shop", "Kafka", "my-cluster")
        ]
    );
    assert_eq!(cluster.pod_sources_in("shop").count(), 1);
    assert!(cluster.endpoints.is_empty());
}

#[test]
fn expanded_workloads_join_the_model_unless_the_input_holds_them() {
    let cluster = Cluster::build(load(KUBE_PROMETHEUS).objects);
    let ids: Vec<String> = cluster.endpoints.iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["monitoring/sts/prometheus-k8s"]);
    assert!(cluster.notes.iter().any(|(_, n)| n
            == "expanded: Prometheus monitoring/k8s stands for the StatefulSet monitoring/prometheus-k8s that prometheus-operator creates from it"));
    assert!(cluster.pod_sources.is_empty());

    // A cluster dump holds the StatefulSet (or its pods): it is the one used.
    let dump = format!(
        "{KUBE_PROMETHEUS}---
apiVersion: v1
kind: Pod
metadata:
  name: prometheus-k8s-0
  namespace: monitoring
  labels: {{app.kubernetes.io/name: prometheus, from: dump}}
  ownerReferences: [{{kind: StatefulSet, name: prometheus-k8s}}]
spec: {{containers: [{{name: prometheus}}]}}
"
    );
    let cluster = Cluster::build(load(&dump).objects);
    let ids: Vec<String> = cluster.endpoints.iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["monitoring/prometheus-k8s-0"]);
    assert!(
        cluster
            .notes
            .iter()
            .any(|(_, n)| n.starts_with("not expanded: Prometheus monitoring/k8s"))
    );
}

#[test]
fn versions_are_written_as_the_operator_writes_them() {
    assert_eq!(semver("v2.45").as_deref(), Some("2.45.0"));
    assert_eq!(semver("3.5.0").as_deref(), Some("3.5.0"));
    assert_eq!(semver("v0.28.1-rc.0").as_deref(), Some("0.28.1-rc.0"));
    assert_eq!(semver("latest"), None);
    assert_eq!(semver("2.45-rc.0"), None);
}

#[test]
fn policies_name_the_ports_the_operator_gives_its_containers() {
    // `web`, `reloader-web`, `mesh-tcp`, `mesh-udp` of the Alertmanager's pods.
    let path = format!(
        "{}/testdata/rules/peer-selects-nothing/operators.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let loaded = crate::load::load(&[path], &LoadOptions::default());
    let cluster = Cluster::build(loaded.objects);
    let cx = crate::lint::Context::new(&cluster, &loaded.sources, &loaded.problems);
    let only: std::collections::HashSet<&str> = ["unresolved-named-port"].into();
    let found = crate::lint::run(
        &cx,
        &crate::lint::Config::only(&only),
        &crate::lint::RunOptions::default(),
    );
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert!(messages.is_empty(), "{messages:?}");
}

//! Custom resources, from which operators create pods at run time.
//!
//! A team's manifests hold its custom resources, not the pods their operators create from
//! them. For the prometheus-operator's `Prometheus`, `PrometheusAgent`, `Alertmanager` and
//! `ThanosRuler` (`monitoring.coreos.com`) the tool knows what the operator creates: a
//! StatefulSet (a DaemonSet for a `PrometheusAgent` in `DaemonSet` mode) with known pod
//! labels and container ports, which becomes a workload of the model. Any other custom
//! resource (a kind of a group that is not Kubernetes' own, that the tool does not know to
//! create no pods) is recorded as a possible source of pods in its namespace, so that the
//! rules judging selectors against the input's pods know the input may not hold them all.
//!
//! What the operator adds from its own configuration (its `--labels` flag, its default
//! image version when the resource writes no `spec.version`) is not known offline and is
//! left out.

use super::Decoded;
use super::meta;
use crate::load::LoadOptions;
use crate::load::decode::{Decoder, N};
use crate::model::{
    ContainerPort, CustomResource, EndpointKind, Labels, Object, Protocol, Workload,
};

/// The group of the prometheus-operator's resources.
pub const MONITORING_GROUP: &str = "monitoring.coreos.com";

/// The operator that creates the workloads of [`MONITORING_GROUP`] resources.
const PROMETHEUS_OPERATOR: &str = "prometheus-operator";

/// At most this many shards of a `Prometheus` are expanded (each its own StatefulSet).
const MAX_SHARDS: i64 = 64;

/// Kinds of the prometheus-operator that only configure it: they create no pods.
const MONITORING_CONFIG_KINDS: [&str; 6] = [
    "ServiceMonitor",
    "PodMonitor",
    "Probe",
    "PrometheusRule",
    "AlertmanagerConfig",
    "ScrapeConfig",
];

/// Groups (with their kinds, or every kind) of widespread custom resources that configure a
/// controller and create no pods: they are not taken as sources of pods.
const INERT: [(&str, &[&str]); 14] = [
    ("external-secrets.io", &[]),
    ("generators.external-secrets.io", &[]),
    ("bitnami.com", &["SealedSecret"]),
    ("cert-manager.io", &[]),
    ("networking.istio.io", &[]),
    ("security.istio.io", &[]),
    ("telemetry.istio.io", &[]),
    ("extensions.istio.io", &[]),
    ("traefik.io", &[]),
    ("traefik.containo.us", &[]),
    (
        "keda.sh",
        &[
            "ScaledObject",
            "TriggerAuthentication",
            "ClusterTriggerAuthentication",
        ],
    ),
    ("route.openshift.io", &["Route"]),
    ("policy.linkerd.io", &[]),
    ("kyverno.io", &[]),
];

/// Whether `group` (of an apiVersion) is not one of Kubernetes' own: not the core group, not
/// a dotless one (`apps`, `batch`, `policy`...), not `*.k8s.io` nor `*.kubernetes.io`.
pub fn is_custom_group(group: &str) -> bool {
    group.contains('.') && !group.ends_with(".k8s.io") && !group.ends_with(".kubernetes.io")
}

/// Decodes a resource of the prometheus-operator's group.
pub fn decode_monitoring(d: &mut Decoder, kind: &str, opts: &LoadOptions) -> Decoded {
    let flavor = match kind {
        "Prometheus" => Flavor::Prometheus,
        "PrometheusAgent" => Flavor::Agent,
        "Alertmanager" => Flavor::Alertmanager,
        "ThanosRuler" => Flavor::ThanosRuler,
        _ if MONITORING_CONFIG_KINDS.contains(&kind) => {
            return Decoded::Ignored(format!(
                "kind {kind} configures the {PROMETHEUS_OPERATOR} and creates no pods"
            ));
        }
        _ => return decode_custom(d, MONITORING_GROUP, kind, opts),
    };
    expand(d, kind, flavor, opts).map_or(Decoded::Broken, Decoded::Used)
}

/// Decodes a custom resource the tool does not know: a possible source of pods in its
/// namespace. Nothing in it is checked (it was ignored before it was recorded): without a
/// name, or of a kind that looks cluster-wide (`Cluster...`, `Global...`) and written
/// without a namespace, it is ignored.
pub fn decode_custom(d: &mut Decoder, group: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    if let Some((_, kinds)) = INERT.iter().find(|(g, _)| *g == group)
        && (kinds.is_empty() || kinds.contains(&kind))
    {
        return Decoded::Ignored(format!(
            "kind {kind} of {group} configures its controller and creates no pods"
        ));
    }
    let obj = d.object();
    let meta = obj.get("metadata");
    let Some(name) = meta.and_then(|m| m.str_at("name")) else {
        return Decoded::Ignored(format!("custom resource {kind} without a name"));
    };
    let namespace = match meta.and_then(|m| m.str_at("namespace")) {
        Some(ns) => ns.to_string(),
        None if kind.starts_with("Cluster") || kind.starts_with("Global") => {
            return Decoded::Ignored(format!(
                "kind {kind} looks cluster-wide: it is not taken to create pods in a namespace"
            ));
        }
        None => opts.default_namespace.clone(),
    };
    Decoded::Used(Object::CustomResource(Box::new(CustomResource {
        group: group.to_string(),
        kind: kind.to_string(),
        namespace,
        name: name.to_string(),
        span: obj.span(),
        workloads: Vec::new(),
        operator: None,
    })))
}

/// The prometheus-operator resources whose workloads are known.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Prometheus,
    Agent,
    Alertmanager,
    ThanosRuler,
}

/// What of a resource's `spec` decides its workloads.
struct Spec {
    pod_labels: Vec<(String, String)>,
    version: Option<String>,
    port_name: String,
    listen_local: bool,
    host_network: bool,
    service_account: String,
    /// `reloadStrategy: ProcessSignal` (Prometheus, PrometheusAgent).
    signal_reload: bool,
    /// `spec.thanos` is set (Prometheus: the Thanos sidecar).
    thanos: bool,
    shards: i64,
    /// `mode: DaemonSet` (PrometheusAgent).
    daemon_set: bool,
    /// Ports of `spec.containers` and of init containers that keep running.
    extra_ports: Vec<ContainerPort>,
    /// Ports of the other `spec.initContainers`.
    extra_init_ports: Vec<ContainerPort>,
}

fn read_spec<'d>(d: &mut Decoder<'d>, spec: Option<N<'d>>) -> Spec {
    let mut s = Spec {
        pod_labels: Vec::new(),
        version: None,
        port_name: "web".into(),
        listen_local: false,
        host_network: false,
        service_account: "default".into(),
        signal_reload: false,
        thanos: false,
        shards: 1,
        daemon_set: false,
        extra_ports: Vec::new(),
        extra_init_ports: Vec::new(),
    };
    let Some(spec) = spec else { return s };
    if let Some(l) = spec
        .get("podMetadata")
        .and_then(|m| d.map(m))
        .and_then(|m| m.get("labels"))
    {
        s.pod_labels = meta::labels(d, l)
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }
    let string = |d: &mut Decoder<'d>, key: &str| {
        spec.get(key)
            .and_then(|n| d.string(n))
            .map(|s| s.value)
            .filter(|v| !v.is_empty())
    };
    s.version = string(d, "version").and_then(|v| semver(&v));
    if let Some(p) = string(d, "portName") {
        s.port_name = p;
    }
    if let Some(sa) = string(d, "serviceAccountName") {
        s.service_account = sa;
    }
    s.signal_reload = string(d, "reloadStrategy").as_deref() == Some("ProcessSignal");
    s.daemon_set = string(d, "mode").as_deref() == Some("DaemonSet");
    let flag =
        |d: &mut Decoder<'d>, key: &str| spec.get(key).and_then(|n| d.bool(n)).unwrap_or(false);
    s.listen_local = flag(d, "listenLocal");
    s.host_network = flag(d, "hostNetwork");
    s.thanos = spec.get("thanos").is_some();
    if let Some(n) = spec.get("shards").and_then(|n| d.int(n)) {
        s.shards = n.value.clamp(1, MAX_SHARDS);
    }
    if let Some(cs) = spec.get("containers") {
        for c in d.list(cs) {
            container_ports(d, c, &mut s.extra_ports);
        }
    }
    if let Some(cs) = spec.get("initContainers") {
        for c in d.list(cs) {
            if c.str_at("restartPolicy") == Some("Always") {
                container_ports(d, c, &mut s.extra_ports);
            } else {
                container_ports(d, c, &mut s.extra_init_ports);
            }
        }
    }
    s
}

/// A version as the operator writes it in `app.kubernetes.io/version`: parsed by
/// `semver.ParseTolerant` and printed again (`v2.45` → `2.45.0`). None when it does not
/// parse.
fn semver(v: &str) -> Option<String> {
    let v = v.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let end = v.find(['-', '+']).unwrap_or(v.len());
    let (core, rest) = v.split_at(end);
    let parts: Vec<&str> = core.split('.').collect();
    // A short version cannot carry a pre-release or build (ParseTolerant refuses it).
    if parts.len() > 3
        || (parts.len() < 3 && !rest.is_empty())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim_start_matches('0'))
        .map(|p| {
            if p.is_empty() {
                "0".into()
            } else {
                p.to_string()
            }
        })
        .chain(std::iter::repeat_n("0".to_string(), 3))
        .take(3)
        .collect();
    Some(format!("{}{rest}", parts.join(".")))
}

fn port(name: &str, port: u16, protocol: Protocol) -> ContainerPort {
    ContainerPort {
        name: Some(name.to_string()),
        port,
        protocol,
    }
}

/// Adds the ports of the resource's own `containers`/`initContainers`, which the operator
/// merges into its containers (a strategic merge: a port of the same number and protocol
/// takes the given name).
fn merge_ports(ports: &mut Vec<ContainerPort>, extra: &[ContainerPort]) {
    for e in extra {
        match ports
            .iter_mut()
            .find(|p| p.port == e.port && p.protocol == e.protocol)
        {
            Some(p) => {
                if e.name.is_some() {
                    p.name.clone_from(&e.name);
                }
            }
            None => ports.push(e.clone()),
        }
    }
}

/// The workloads the prometheus-operator creates from a resource.
fn expand(d: &mut Decoder, kind: &str, flavor: Flavor, opts: &LoadOptions) -> Option<Object> {
    let m = meta::read(d, &opts.default_namespace)?;
    let obj = d.object();
    let spec = obj.get("spec").and_then(|s| d.map(s));
    let s = read_spec(d, spec);
    let name = m.name.value.clone();

    // Pod labels: the version label, then `spec.podMetadata.labels`, then the selector
    // labels (which win). Sources (prometheus-operator, main branch):
    // - pkg/prometheus/promcfg.go `BuildPodMetadata`: `app.kubernetes.io/version`, then
    //   `podMetadata.labels`; pkg/prometheus/server/statefulset.go `makeStatefulSetSpec`:
    //   `maps.Copy(podLabels, podSelectorLabels)` with the shard label added;
    //   pkg/prometheus/server/operator.go `makeSelectorLabels`: managed-by, name
    //   `prometheus`, instance, `operator.prometheus.io/name`, `prometheus: <name>`.
    // - pkg/prometheus/agent/operator.go `makeSelectorLabels`: name `prometheus-agent`,
    //   managed-by, instance, `operator.prometheus.io/name` (statefulset.go adds the shard
    //   label; daemonset.go does not).
    // - pkg/alertmanager/statefulset.go `makeStatefulSetSpec`: version, `podMetadata.labels`,
    //   then pkg/alertmanager/operator.go `makeSelectorLabels`: name `alertmanager`,
    //   managed-by, instance, `alertmanager: <name>`.
    // - pkg/thanos/statefulset.go `makeStatefulSetSpec`: `podMetadata.labels`, then
    //   pkg/thanos/operator.go `makeSelectorLabels` (name `thanos-ruler`, managed-by,
    //   instance, `thanos-ruler: <name>`), then the version label, which wins.
    // pkg/operator/kubernetes.go: the `app.kubernetes.io/*` keys, `ManagedByLabelValue =
    // "prometheus-operator"`.
    const VERSION: &str = "app.kubernetes.io/version";
    let mut base: Vec<(String, String)> = Vec::new();
    if flavor != Flavor::ThanosRuler
        && let Some(v) = &s.version
    {
        base.push((VERSION.into(), v.clone()));
    }
    base.extend(s.pod_labels.iter().cloned());
    let app = match flavor {
        Flavor::Prometheus => "prometheus",
        Flavor::Agent => "prometheus-agent",
        Flavor::Alertmanager => "alertmanager",
        Flavor::ThanosRuler => "thanos-ruler",
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    base.push(pair("app.kubernetes.io/name", app));
    base.push(pair("app.kubernetes.io/managed-by", PROMETHEUS_OPERATOR));
    base.push(pair("app.kubernetes.io/instance", &name));
    match flavor {
        Flavor::Prometheus => {
            base.push(pair("operator.prometheus.io/name", &name));
            base.push(pair("prometheus", &name));
        }
        Flavor::Agent => base.push(pair("operator.prometheus.io/name", &name)),
        Flavor::Alertmanager => base.push(pair("alertmanager", &name)),
        Flavor::ThanosRuler => {
            base.push(pair("thanos-ruler", &name));
            // The operator's version wins over podMetadata's: unknown without spec.version.
            base.retain(|(k, _)| k != VERSION);
            if let Some(v) = &s.version {
                base.push((VERSION.into(), v.clone()));
            }
        }
    }

    // Container ports. Sources:
    // - pkg/prometheus/common.go `MakeContainerPorts`: `<portName>` (default `web`, the
    //   CRD's default and `DefaultPortName`) 9090/TCP, none with `listenLocal`.
    // - pkg/operator/config_reloader.go `CreateConfigReloader`: `reloader-web` 8080/TCP
    //   (`configReloaderPort`), none with listenLocal; the init container's `reloader-init`
    //   8081/TCP (`initConfigReloaderPort`) always. pkg/prometheus/common.go
    //   `BuildConfigReloader` passes `listenLocal` only with the HTTP reload strategy.
    // - pkg/prometheus/server/statefulset.go `createThanosContainer`: `http` 10902/TCP and
    //   `grpc` 10901/TCP when `spec.thanos` is set.
    // - pkg/alertmanager/statefulset.go: `<portName>` 9093/TCP (`alertmanagerWebPort`)
    //   unless listenLocal, `mesh-tcp` 9094/TCP, `mesh-udp` 9094/UDP
    //   (`alertmanagerMeshPort`); config-reloader with `ListenLocal(a.Spec.ListenLocal)`;
    //   an init config-reloader.
    // - pkg/thanos/statefulset.go: `grpc` 10901/TCP, `<portName>` 10902/TCP unless
    //   listenLocal; a config-reloader (for its rule ConfigMaps) with listenLocal; no init
    //   config-reloader.
    let (tcp, udp) = (Protocol::Tcp, Protocol::Udp);
    let mut ports = Vec::new();
    let mut init_ports = Vec::new();
    let reloader = match flavor {
        Flavor::Prometheus | Flavor::Agent => !s.listen_local || s.signal_reload,
        Flavor::Alertmanager | Flavor::ThanosRuler => !s.listen_local,
    };
    match flavor {
        Flavor::Prometheus | Flavor::Agent => {
            if !s.listen_local {
                ports.push(port(&s.port_name, 9090, tcp));
            }
        }
        Flavor::Alertmanager => {
            if !s.listen_local {
                ports.push(port(&s.port_name, 9093, tcp));
            }
            ports.push(port("mesh-tcp", 9094, tcp));
            ports.push(port("mesh-udp", 9094, udp));
        }
        Flavor::ThanosRuler => {
            ports.push(port("grpc", 10901, tcp));
            if !s.listen_local {
                ports.push(port(&s.port_name, 10902, tcp));
            }
        }
    }
    if reloader {
        ports.push(port("reloader-web", 8080, tcp));
    }
    if flavor == Flavor::Prometheus && s.thanos {
        ports.push(port("http", 10902, tcp));
        ports.push(port("grpc", 10901, tcp));
    }
    if flavor != Flavor::ThanosRuler {
        init_ports.push(port("reloader-init", 8081, tcp));
    }
    merge_ports(&mut ports, &s.extra_ports);
    merge_ports(&mut init_ports, &s.extra_init_ports);

    // Names: pkg/prometheus/common.go `PrefixedName` (`prometheus-<name>`,
    // `prom-agent-<name>`) and `prometheusNameByShard` (`-shard-<n>` from the second shard);
    // pkg/alertmanager/statefulset.go and pkg/thanos/statefulset.go `prefixedName`
    // (`alertmanager-<name>`, `thanos-ruler-<name>`).
    let prefixed = match flavor {
        Flavor::Prometheus => format!("prometheus-{name}"),
        Flavor::Agent => format!("prom-agent-{name}"),
        Flavor::Alertmanager => format!("alertmanager-{name}"),
        Flavor::ThanosRuler => format!("thanos-ruler-{name}"),
    };
    let daemon = flavor == Flavor::Agent && s.daemon_set;
    let sharded = matches!(flavor, Flavor::Prometheus | Flavor::Agent) && !daemon;
    let shards = if sharded { s.shards } else { 1 };
    let name_span = meta::name_span(d);
    let workloads = (0..shards)
        .map(|shard| {
            let mut labels = base.clone();
            if sharded {
                labels.push(pair("operator.prometheus.io/shard", &shard.to_string()));
            }
            Workload {
                kind: if daemon {
                    EndpointKind::DaemonSet
                } else {
                    EndpointKind::StatefulSet
                },
                namespace: m.namespace.clone(),
                name: if shard == 0 {
                    prefixed.clone()
                } else {
                    format!("{prefixed}-shard-{shard}")
                },
                owners: Vec::new(),
                labels: Labels::from_pairs(labels),
                annotations: m.annotations.clone(),
                ports: ports.clone(),
                init_ports: init_ports.clone(),
                host_network: s.host_network,
                service_account: s.service_account.clone(),
                ips: Vec::new(),
                node_name: None,
                phase: None,
                span: obj.span(),
                name_span,
            }
        })
        .collect();
    Some(Object::CustomResource(Box::new(CustomResource {
        group: MONITORING_GROUP.to_string(),
        kind: kind.to_string(),
        namespace: m.namespace,
        name,
        span: obj.span(),
        workloads,
        operator: Some(PROMETHEUS_OPERATOR),
    })))
}

/// The ports of one container of the resource's spec (what `workload.rs` reads of a pod
/// template's).
fn container_ports<'d>(d: &mut Decoder<'d>, c: N<'d>, out: &mut Vec<ContainerPort>) {
    let Some(c) = d.map(c) else { return };
    let Some(ports) = c.get("ports") else { return };
    for p in d.list(ports) {
        let Some(p) = d.map(p) else { continue };
        let Some(number) = p.get("containerPort").and_then(|n| d.int(n)) else {
            continue;
        };
        let Ok(port) = u16::try_from(number.value) else {
            continue;
        };
        if port == 0 {
            continue;
        }
        let protocol = match p.get("protocol").and_then(|n| d.string(n)) {
            None => Protocol::Tcp,
            Some(s) => match Protocol::parse(&s.value) {
                Some(proto) => proto,
                None => continue,
            },
        };
        let name = p.get("name").and_then(|n| d.string(n)).map(|s| s.value);
        out.push(ContainerPort {
            name,
            port,
            protocol,
        });
    }
}

#[cfg(test)]
mod tests {
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
}

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
mod tests;

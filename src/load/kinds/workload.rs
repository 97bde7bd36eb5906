//! Pods, and workloads whose pod template stands for their pods.
//!
//! Where the pod template is: `spec.template` (Deployment, ReplicaSet, StatefulSet,
//! DaemonSet, Job, ReplicationController) or `spec.jobTemplate.spec.template` (CronJob).
//! Container ports come from `containers` and from init containers that keep running
//! (`restartPolicy: Always`, native sidecars); the ports of init containers that end are
//! kept apart (Kubernetes named ports do not count them; Calico does).

use std::net::IpAddr;

use super::meta;
use crate::load::LoadOptions;
use crate::load::decode::{Decoder, N};
use crate::model::{ContainerPort, EndpointKind, Labels, Object, Protocol, Workload};

/// Decodes a Pod or workload.
pub fn decode(d: &mut Decoder, kind: EndpointKind, opts: &LoadOptions) -> Option<Object> {
    let m = meta::read(d, &opts.default_namespace)?;
    let obj = d.object();
    let (labels, pod_spec) = if kind == EndpointKind::Pod {
        (m.labels.clone(), obj.get("spec"))
    } else {
        let spec = obj.get("spec").and_then(|s| d.map(s));
        let template = match kind {
            EndpointKind::CronJob => spec
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .and_then(|s| s.get("template")),
            _ => spec.and_then(|s| s.get("template")),
        };
        let Some(template) = template.and_then(|t| d.map(t)) else {
            let field = if kind == EndpointKind::CronJob {
                "spec.jobTemplate.spec.template"
            } else {
                "spec.template"
            };
            d.error(obj, format_args!("{kind} has no pod template (`{field}`)"));
            return None;
        };
        let labels = template
            .get("metadata")
            .and_then(|md| md.get("labels"))
            .map(|l| meta::labels(d, l))
            .unwrap_or_else(Labels::default);
        (labels, template.get("spec"))
    };
    let (mut ports, mut init_ports) = (Vec::new(), Vec::new());
    let mut host_network = false;
    let mut node_name = None;
    // The API server sets `default` when a pod names no service account.
    let mut service_account = "default".to_string();
    if let Some(spec) = pod_spec.and_then(|s| d.map(s)) {
        if let Some(h) = spec.get("hostNetwork") {
            host_network = d.bool(h).unwrap_or(false);
        }
        if kind == EndpointKind::Pod {
            node_name = spec
                .get("nodeName")
                .and_then(|n| d.string(n))
                .map(|s| s.value)
                .filter(|s| !s.is_empty());
        }
        let named = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| spec.get(k))
            .and_then(|n| d.string(n))
            .filter(|s| !s.value.is_empty());
        if let Some(sa) = named {
            service_account = sa.value;
        }
        if let Some(cs) = spec.get("containers") {
            for c in d.list(cs) {
                container_ports(d, c, &mut ports);
            }
        }
        if let Some(cs) = spec.get("initContainers") {
            for c in d.list(cs) {
                if c.str_at("restartPolicy") == Some("Always") {
                    container_ports(d, c, &mut ports);
                } else {
                    container_ports(d, c, &mut init_ports);
                }
            }
        }
    }
    let mut ips = Vec::new();
    let mut phase = None;
    if kind == EndpointKind::Pod {
        if let Some(status) = obj.get("status").and_then(|s| d.map(s)) {
            phase = status.str_at("phase").map(str::to_string);
            if let Some(ip) = status.get("podIP") {
                push_ip(d, ip, &mut ips);
            }
            if let Some(list) = status.get("podIPs") {
                for item in d.list(list) {
                    if let Some(ip) = d.map(item).and_then(|i| i.get("ip")) {
                        push_ip(d, ip, &mut ips);
                    }
                }
            }
        }
    }
    Some(Object::Workload(Box::new(Workload {
        kind,
        namespace: m.namespace,
        name: m.name.value,
        owners: m.owners,
        labels,
        annotations: m.annotations,
        ports,
        init_ports,
        host_network,
        service_account,
        ips,
        node_name,
        phase,
        span: obj.span(),
        name_span: meta::name_span(d),
    })))
}

fn push_ip<'d>(d: &mut Decoder<'d>, n: N<'d>, ips: &mut Vec<IpAddr>) {
    let Some(s) = d.string(n) else { return };
    // An IPv4-mapped IPv6 address is the IPv4 address (see `ip_key`).
    match s.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(ip) if !ips.contains(&ip) => ips.push(ip),
        Ok(_) => {}
        Err(_) => d.error(n, format_args!("`{}` is not an IP address", s.value)),
    }
}

fn container_ports<'d>(d: &mut Decoder<'d>, c: N<'d>, out: &mut Vec<ContainerPort>) {
    let Some(c) = d.map(c) else { return };
    let Some(ports) = c.get("ports") else { return };
    for p in d.list(ports) {
        let Some(p) = d.map(p) else { continue };
        let Some(port_node) = p.get("containerPort") else {
            d.missing(p, "containerPort");
            continue;
        };
        let Some(number) = d.int(port_node) else {
            continue;
        };
        let Ok(port) = u16::try_from(number.value)
            .map_err(|_| ())
            .and_then(|v| if v == 0 { Err(()) } else { Ok(v) })
        else {
            d.error(
                port_node,
                format_args!("containerPort {} is out of range 1-65535", number.value),
            );
            continue;
        };
        let protocol = match p.get("protocol").and_then(|n| d.string(n)) {
            None => Protocol::Tcp,
            Some(s) => match Protocol::parse(&s) {
                Some(proto) => proto,
                None => {
                    let n = p.get("protocol").expect("read above");
                    d.error(
                        n,
                        format_args!("protocol `{}` is not TCP, UDP or SCTP", s.value),
                    );
                    continue;
                }
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

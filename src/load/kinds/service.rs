//! v1 Service: its selector and ports, so that `ns/svc/name` can be a can-reach target.

use super::meta;
use crate::load::LoadOptions;
use crate::load::decode::Decoder;
use crate::model::{Object, Protocol, Service, ServicePort};

/// Decodes a Service.
pub fn decode(d: &mut Decoder, opts: &LoadOptions) -> Option<Object> {
    let m = meta::read(d, &opts.default_namespace)?;
    let obj = d.object();
    let spec = obj.get("spec").and_then(|s| d.map(s));
    let selector = spec
        .and_then(|s| s.get("selector"))
        .map(|s| meta::labels(d, s));
    let mut ports = Vec::new();
    if let Some(list) = spec.and_then(|s| s.get("ports")) {
        for p in d.list(list) {
            let Some(p) = d.map(p) else { continue };
            let Some(port) = p.get("port").and_then(|n| d.int(n)) else {
                if p.get("port").is_none() {
                    d.missing(p, "port");
                }
                continue;
            };
            let Ok(port_num) = u16::try_from(port.value) else {
                d.error(
                    p.get("port").expect("read above"),
                    format_args!("port {} is out of range 1-65535", port.value),
                );
                continue;
            };
            let protocol = p
                .str_at("protocol")
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            let target_port = p
                .get("targetPort")
                .and_then(|n| d.int_or_string(n))
                .map(|t| t.value);
            let name = p.str_at("name").map(str::to_string);
            ports.push(ServicePort {
                name,
                port: port_num,
                protocol,
                target_port,
            });
        }
    }
    Some(Object::Service(Service {
        namespace: m.namespace,
        name: m.name.value,
        selector,
        labels: m.labels,
        ports,
        span: obj.span(),
    }))
}

//! v1 Node: its labels (what `nodes` peers select) and addresses (what they match).

use std::net::IpAddr;

use super::meta;
use crate::load::decode::Decoder;
use crate::model::Object;
use crate::model::cluster_policy::Node;

/// Decodes a Node.
pub fn decode(d: &mut Decoder) -> Option<Object> {
    let m = meta::read(d, "")?;
    let obj = d.object();
    let mut addresses = Vec::new();
    if let Some(list) = obj
        .get("status")
        .and_then(|s| d.map(s))
        .and_then(|s| s.get("addresses"))
    {
        for a in d.list(list) {
            let Some(a) = d.map(a) else { continue };
            let kind = a.str_at("type").unwrap_or("");
            if kind != "InternalIP" && kind != "ExternalIP" {
                continue;
            }
            let Some(node) = a.get("address") else {
                continue;
            };
            let Some(text) = d.string(node) else { continue };
            // An IPv4-mapped IPv6 address is the IPv4 address (see `ip_key`).
            match text.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) if !addresses.contains(&ip) => addresses.push(ip),
                Ok(_) => {}
                Err(_) => d.error(node, format_args!("`{}` is not an IP address", text.value)),
            }
        }
    }
    let mut pod_cidrs: Vec<ipnet::IpNet> = Vec::new();
    if let Some(spec) = obj.get("spec").and_then(|s| d.map(s)) {
        let single = spec.get("podCIDR").into_iter();
        let many = spec.get("podCIDRs").into_iter().flat_map(|l| d.list(l));
        for n in single.chain(many).collect::<Vec<_>>() {
            let Some(text) = d.string(n) else { continue };
            match crate::model::ip::parse_cidr(&text.value) {
                Ok(net) if !pod_cidrs.contains(&net) => pod_cidrs.push(net),
                Ok(_) => {}
                Err(e) => d.error(n, e),
            }
        }
    }
    Some(Object::Node(Node {
        name: m.name.value,
        labels: m.labels,
        addresses,
        pod_cidrs,
        span: obj.span(),
    }))
}

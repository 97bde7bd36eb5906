//! Resolving what a user names on the command line into parties.
//!
//! Accepted forms: an IP address; `name` (in the default namespace); `namespace/name` (a Pod
//! or workload; a pod folded into its workload resolves to the workload);
//! `namespace/kind/name` (`deploy`, `sts`, `po`, ... or `svc` for a Service); `kind/name` in
//! the default namespace when no namespace has that name.

use std::net::IpAddr;

use super::Party;
use super::explain::party_name;
use crate::base::suggest::closest;
use crate::base::value::IntOrString;
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, EndpointKind, Labels, Protocol};

/// What a name resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One party.
    Party(Party),
    /// A Service: the endpoints its selector picks.
    Service {
        /// Index in [`Cluster::services`].
        service: usize,
        /// The endpoints selected.
        backends: Vec<usize>,
    },
}

/// A resolved name, with a note when the resolution is worth telling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The target.
    pub target: Target,
    /// E.g. "pod web-5d8f-abc is counted as its owner shop/deploy/web".
    pub note: Option<String>,
}

/// A pod described by namespace and labels, `NAMESPACE{KEY=VALUE,...}` (`{}`: any pod of the
/// namespace): the namespace and the labels, or None for any other text. Err: the text has
/// the form but a malformed label.
pub fn parse_described(text: &str) -> Option<Result<(String, Labels), String>> {
    let (ns, rest) = text.split_once('{')?;
    let inner = rest.strip_suffix('}')?;
    if ns.is_empty() || ns.contains('/') {
        return None;
    }
    let mut pairs = Vec::new();
    for item in inner.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Some(Err(format!(
                "`{text}`: `{item}` is not KEY=VALUE (describe a pod as NAMESPACE{{KEY=VALUE,...}})"
            )));
        };
        pairs.push((k.trim().to_string(), v.trim().to_string()));
    }
    Some(Ok((ns.to_string(), Labels::from_pairs(pairs))))
}

/// Resolves a name typed by the user.
pub fn resolve(cluster: &Cluster, text: &str, default_ns: &str) -> Result<Resolved, String> {
    if let Some(described) = parse_described(text) {
        let (ns, labels) = described?;
        let name = crate::model::described_name(&labels);
        let Some(i) = cluster
            .endpoints
            .iter()
            .position(|e| e.namespace == ns && e.name == name)
        else {
            return Err(format!(
                "`{text}`: a described pod is only known to can-reach (it was not built into the cluster)"
            ));
        };
        return Ok(Resolved {
            target: Target::Party(Party::Endpoint(i)),
            note: Some(format!(
                "{text} is a pod of namespace {ns} with these labels, described on the command line: the files need not hold it, and only the policies they hold are evaluated"
            )),
        });
    }
    if let Ok(ip) = text.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        return Ok(match cluster.endpoint_with_ip(ip) {
            Some(i) => Resolved {
                target: Target::Party(Party::Endpoint(i)),
                note: Some(format!("{ip} is the IP of {}", cluster.endpoints[i].id())),
            },
            None => Resolved {
                target: Target::Party(Party::Address(ip)),
                note: None,
            },
        });
    }
    if !text.contains('/')
        && let Some(ip) = cluster.fqdn_address(text)
        && !cluster
            .endpoints
            .iter()
            .any(|e| e.namespace == default_ns && e.name == text)
    {
        return Ok(Resolved {
            target: Target::Party(Party::Address(ip)),
            note: Some(format!(
                "{text} is a DNS name: its addresses are not known offline, so only rules naming it (Cilium toFQDNs) or every external address can match it"
            )),
        });
    }
    let parts: Vec<&str> = text.split('/').collect();
    let (ns, kind, name) = match parts.as_slice() {
        [name] => (default_ns, None, *name),
        [first, name] => {
            if cluster.ns_id(first).is_none()
                && (is_service_kind(first) || EndpointKind::from_cli(first).is_some())
            {
                (default_ns, Some(*first), *name)
            } else {
                (*first, None, *name)
            }
        }
        [ns, kind, name] => (*ns, Some(*kind), *name),
        _ => {
            return Err(format!(
                "`{text}`: expected NAME, NAMESPACE/NAME, NAMESPACE/KIND/NAME or an IP address"
            ));
        }
    };
    if ns.is_empty() || name.is_empty() {
        return Err(format!("`{text}`: empty namespace or name"));
    }
    if kind.is_some_and(is_service_kind) {
        let Some(service) = cluster
            .services
            .iter()
            .position(|s| s.namespace == ns && s.name == name)
        else {
            let names: Vec<&str> = cluster
                .services
                .iter()
                .filter(|s| s.namespace == ns)
                .map(|s| s.name.as_str())
                .collect();
            return Err(not_found(&format!("service {ns}/{name}"), name, &names));
        };
        let svc = &cluster.services[service];
        let Some(selector) = &svc.selector else {
            return Err(format!(
                "service {ns}/{name} has no selector: its endpoints are managed by hand and unknown here"
            ));
        };
        let backends: Vec<usize> = cluster
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.namespace == ns
                    && !selector.is_empty()
                    && selector.iter().all(|(k, v)| e.labels.get(k) == Some(v))
            })
            .map(|(i, _)| i)
            .collect();
        if backends.is_empty() {
            return Err(format!(
                "service {ns}/{name} selects no pod or workload in the input (selector {selector})"
            ));
        }
        return Ok(Resolved {
            target: Target::Service { service, backends },
            note: None,
        });
    }
    let kind = match kind {
        None => None,
        Some(k) => Some(EndpointKind::from_cli(k).ok_or_else(|| format!("`{k}` is not a kind of pod or workload (pod, deploy, sts, ds, rs, job, cronjob, rc, svc)"))?),
    };
    let found: Vec<usize> = cluster
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| e.namespace == ns && e.name == name && kind.is_none_or(|k| e.kind == k))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [one] => Ok(Resolved {
            target: Target::Party(Party::Endpoint(*one)),
            note: None,
        }),
        [] => {
            // A pod or ReplicaSet folded into its owner.
            let wanted = kind.map(EndpointKind::as_str);
            let member = cluster.endpoints.iter().position(|e| {
                e.members.iter().any(|m| {
                    let mut it = m.splitn(3, '/');
                    let (mns, mkind, mname) = (
                        it.next().unwrap_or(""),
                        it.next().unwrap_or(""),
                        it.next().unwrap_or(""),
                    );
                    mns == ns && mname == name && wanted.is_none_or(|w| w == mkind)
                })
            });
            if let Some(i) = member {
                return Ok(Resolved {
                    target: Target::Party(Party::Endpoint(i)),
                    note: Some(format!(
                        "{ns}/{name} is counted as its owner {}",
                        cluster.endpoints[i].id()
                    )),
                });
            }
            if cluster.ns_id(ns).is_none() {
                let names: Vec<&str> = cluster.namespaces.iter().map(|n| n.name.as_str()).collect();
                return Err(not_found(&format!("namespace {ns}"), ns, &names));
            }
            let names: Vec<&str> = cluster
                .endpoints
                .iter()
                .filter(|e| e.namespace == ns)
                .map(|e| e.name.as_str())
                .collect();
            Err(not_found(&format!("{ns}/{name}"), name, &names))
        }
        many => {
            let options: Vec<String> = many.iter().map(|&i| cluster.endpoints[i].id()).collect();
            Err(format!(
                "`{text}` is ambiguous: it names {}; say which with NAMESPACE/KIND/NAME",
                options.join(" and ")
            ))
        }
    }
}

fn is_service_kind(k: &str) -> bool {
    matches!(
        k.to_ascii_lowercase().as_str(),
        "svc" | "service" | "services"
    )
}

fn not_found(what: &str, name: &str, known: &[&str]) -> String {
    let mut msg = format!("{what} is not in the input");
    if let Some(c) = closest(name, known) {
        msg.push_str(&format!(" (did you mean `{c}`?)"));
    }
    msg
}

/// Maps a port asked of a Service to the port its backend serves: the service port with that
/// number (or name) and protocol, then its targetPort (a number, or a container port name
/// resolved on the backend; by default the same number).
pub fn service_target_port(
    cluster: &Cluster,
    service: usize,
    backend: usize,
    protocol: Protocol,
    port: &IntOrString,
) -> Result<u16, String> {
    let svc = &cluster.services[service];
    let sp = svc
        .ports
        .iter()
        .find(|p| {
            p.protocol == protocol
                && match port {
                    IntOrString::Int(n) => i64::from(p.port) == *n,
                    IntOrString::Str(s) => p.name.as_deref() == Some(s.as_str()),
                }
        })
        .ok_or_else(|| {
            let have: Vec<String> = svc
                .ports
                .iter()
                .map(|p| format!("{}/{}", p.port, p.protocol))
                .collect();
            let asked = match port {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::Str(s) => s.clone(),
            };
            format!(
                "service {}/{} has no port {asked}/{protocol} (it has {})",
                svc.namespace,
                svc.name,
                if have.is_empty() {
                    "none".into()
                } else {
                    have.join(", ")
                }
            )
        })?;
    match &sp.target_port {
        None => Ok(sp.port),
        Some(IntOrString::Int(n)) => u16::try_from(*n).map_err(|_| {
            format!(
                "service {}/{}: targetPort {n} is out of range",
                svc.namespace, svc.name
            )
        }),
        Some(IntOrString::Str(name)) => {
            let ep = &cluster.endpoints[backend];
            ep.ports.iter().find(|c| c.protocol == protocol && c.name.as_deref() == Some(name.as_str())).map(|c| c.port).ok_or_else(|| {
                format!("service {}/{}: targetPort `{name}` names no {protocol} container port of {}", svc.namespace, svc.name, ep.id())
            })
        }
    }
}

/// The port number a query means at this destination: a Service port maps to its
/// targetPort; a name resolves on the destination's containers.
pub fn resolve_port(
    cluster: &Cluster,
    to: &Target,
    dst: Party,
    q: &PortQuery,
) -> Result<(Protocol, u16), String> {
    if let Target::Service { service, .. } = to {
        let Party::Endpoint(backend) = dst else {
            return Err(format!(
                "{} is not a backend of the service: an address outside the cluster",
                party_name(cluster, dst)
            ));
        };
        let port = match &q.port {
            QueryPort::Number(n) => IntOrString::Int(i64::from(*n)),
            QueryPort::Name(s) => IntOrString::Str(s.clone()),
        };
        return service_target_port(cluster, *service, backend, q.protocol, &port)
            .map(|n| (q.protocol, n));
    }
    match &q.port {
        QueryPort::Number(n) => Ok((q.protocol, *n)),
        QueryPort::Name(name) => {
            let Party::Endpoint(d) = dst else {
                return Err(format!(
                    "port `{name}` is a name, and an address outside the cluster has no named ports"
                ));
            };
            let ep = &cluster.endpoints[d];
            ep.ports
                .iter()
                .find(|c| c.protocol == q.protocol && c.name.as_deref() == Some(name.as_str()))
                .map(|c| (q.protocol, c.port))
                .ok_or_else(|| {
                    format!(
                        "{} has no {} container port named `{name}`",
                        ep.id(),
                        q.protocol
                    )
                })
        }
    }
}

//! Resolving what a user names on the command line into parties.
//!
//! Accepted forms: an IP address (a known pod IP is that pod); `name` (in the namespace the
//! [`Scope`] says, or the only one of that name in any namespace); `namespace/name` (a Pod
//! or workload; a pod folded into its workload resolves to the workload);
//! `namespace/kind/name` (`deploy`, `sts`, `po`, ... or `svc` for a Service); `kind/name`
//! in the scope when no namespace has that name; a DNS name under Cilium (an error under
//! another plugin: policies match addresses); a pod described by namespace and labels; and,
//! for can-reach ([`resolve_named`]), a CIDR: its pods and one address per part of it the
//! policies treat alike. Anything else is an error naming the accepted forms.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Party;
use super::compile::members::Members;
use super::explain::party_name;
use crate::base::suggest::closest;
use crate::base::value::IntOrString;
use crate::model::ip::{AddrRange, Family};
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, Cni, EndpointKind, Labels, Protocol};

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

/// Where a name typed without a namespace (`frontend`, `deploy/frontend`) is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// In this namespace (`-n`, or `default`).
    In(&'a str),
    /// In every namespace: the name must be unique across them.
    Anywhere,
}

impl Scope<'_> {
    fn holds(self, ns: &str) -> bool {
        match self {
            Scope::In(n) => n == ns,
            Scope::Anywhere => true,
        }
    }
}

/// The forms a target may take, for errors.
pub const TARGET_FORMS: &str = "NAMESPACE/NAME, NAMESPACE/KIND/NAME (KIND: pod, deploy, sts, ds, rs, job, cronjob, rc; svc for a Service), NAME (unique across namespaces, or in the -n namespace), an IP address or CIDR, a DNS name (under Cilium), or a described pod NAMESPACE{KEY=VALUE,...}";

/// Whether a target names a host by DNS name (`api.example.com`): no `/`, a dot, not an IP.
pub fn looks_like_dns_name(t: &str) -> bool {
    !t.contains('/')
        && t.contains('.')
        && t.parse::<IpAddr>().is_err()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Whether the text is written as a CIDR (`10.0.0.0/8`): an address, `/`, something.
fn looks_like_cidr(text: &str) -> bool {
    text.split_once('/')
        .is_some_and(|(a, _)| a.parse::<IpAddr>().is_ok())
}

/// Resolves a name typed by the user; a name without a namespace is looked up in
/// `default_ns`.
pub fn resolve(cluster: &Cluster, text: &str, default_ns: &str) -> Result<Resolved, String> {
    resolve_in(cluster, text, Scope::In(default_ns))
}

/// Resolves a name typed by the user; a name without a namespace is looked up in `scope`.
/// Every form but a CIDR (see [`resolve_named`]).
pub fn resolve_in(cluster: &Cluster, text: &str, scope: Scope) -> Result<Resolved, String> {
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
        return Ok(address(cluster, ip));
    }
    if looks_like_cidr(text) {
        return Err(format!(
            "`{text}` is a CIDR, which stands for many addresses: name one address here"
        ));
    }
    check_shape(text)?;
    let parts: Vec<&str> = text.split('/').collect();
    let (scope, kind, name) = match parts.as_slice() {
        [name] => {
            return match find(cluster, scope, None, name) {
                Err(e) if looks_like_dns_name(text) => dns_name(cluster, text).ok_or(e)?,
                found => found,
            };
        }
        [first, name] => {
            if cluster.ns_id(first).is_none()
                && (is_service_kind(first) || EndpointKind::from_cli(first).is_some())
            {
                (scope, Some(*first), *name)
            } else {
                (Scope::In(first), None, *name)
            }
        }
        [ns, kind, name] => (Scope::In(ns), Some(*kind), *name),
        _ => return Err(format!("`{text}` cannot be a target: write {TARGET_FORMS}")),
    };
    if scope == Scope::In("") || name.is_empty() {
        return Err(format!("`{text}`: empty namespace or name"));
    }
    if kind.is_some_and(is_service_kind) {
        return service(cluster, scope, name);
    }
    let kind = match kind {
        None => None,
        Some(k) => Some(EndpointKind::from_cli(k).ok_or_else(|| format!("`{k}` is not a kind of pod or workload (pod, deploy, sts, ds, rs, job, cronjob, rc, svc)"))?),
    };
    find(cluster, scope, kind, name)
}

/// Refuses text that cannot be a target, saying what was probably meant.
fn check_shape(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("an empty target: write {TARGET_FORMS}"));
    }
    if let Some((_, rest)) = text.split_once("://") {
        let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
        return Err(if host.is_empty() {
            format!("`{text}` is a URL: write its host, or a pod, workload or address")
        } else {
            format!("`{text}` is a URL: write its host, `{host}` (and the port with --port)")
        });
    }
    if let Some((host, port)) = text.rsplit_once(':')
        && !host.is_empty()
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "`{text}`: write the port with --port, not in the target (`{host} --port {port}`)"
        ));
    }
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '@' | ',' | '='))
    {
        return Err(format!("`{text}` cannot be a target: write {TARGET_FORMS}"));
    }
    Ok(())
}

/// An IP address: the pod or workload it is the IP of, or an address outside the cluster.
fn address(cluster: &Cluster, ip: IpAddr) -> Resolved {
    match cluster.endpoint_with_ip(ip) {
        Some(i) => Resolved {
            target: Target::Party(Party::Endpoint(i)),
            note: Some(format!("{ip} is the IP of {}", cluster.endpoints[i].id())),
        },
        None => Resolved {
            target: Target::Party(Party::Address(ip)),
            note: None,
        },
    }
}

/// A DNS name: under Cilium, the stand-in address that `toFQDNs` rules can match (None when
/// the name was not made a party); under another plugin, an error — policies match
/// addresses, and the name's are not known offline.
fn dns_name(cluster: &Cluster, text: &str) -> Option<Result<Resolved, String>> {
    if cluster.cni != Cni::Cilium {
        return Some(Err(format!(
            "`{text}` is a DNS name, and only Cilium's toFQDNs match names (the network plugin here is {}; see --cni): other policies match addresses, and its address is not known offline, so it cannot be evaluated without one; ask about an IP address it resolves to (`dig +short {text}`), or a CIDR",
            cluster.cni.as_str()
        )));
    }
    let ip = cluster.fqdn_address(text)?;
    Some(Ok(Resolved {
        target: Target::Party(Party::Address(ip)),
        note: Some(format!(
            "{text} is a DNS name: its addresses are not known offline, so only rules naming it (Cilium toFQDNs) or every external address can match it"
        )),
    }))
}

/// A Service with a selector, and the endpoints it selects.
fn service(cluster: &Cluster, scope: Scope, name: &str) -> Result<Resolved, String> {
    let found: Vec<usize> = cluster
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| scope.holds(&s.namespace) && s.name == name)
        .map(|(i, _)| i)
        .collect();
    let service = match (found.as_slice(), scope) {
        ([one], _) => *one,
        ([], Scope::In(ns)) => {
            let names: Vec<&str> = cluster
                .services
                .iter()
                .filter(|s| s.namespace == ns)
                .map(|s| s.name.as_str())
                .collect();
            return Err(not_found(&format!("service {ns}/{name}"), name, &names));
        }
        ([], Scope::Anywhere) => {
            let ids: Vec<String> = cluster
                .services
                .iter()
                .map(|s| format!("{}/svc/{}", s.namespace, s.name))
                .collect();
            let mut msg = format!("no Service is named {name} in any namespace");
            if let Some(c) = closest_suffix(name, &ids) {
                msg.push_str(&format!(" (did you mean `{c}`?)"));
            }
            return Err(msg);
        }
        (many, _) => {
            let options: Vec<String> = many
                .iter()
                .map(|&i| format!("{}/svc/{}", cluster.services[i].namespace, name))
                .collect();
            return Err(format!(
                "`svc/{name}`: ambiguous: {} (write NAMESPACE/svc/NAME)",
                options.join(", ")
            ));
        }
    };
    let svc = &cluster.services[service];
    let (ns, name) = (svc.namespace.as_str(), svc.name.as_str());
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
    let note = (scope == Scope::Anywhere)
        .then(|| format!("svc/{name} is {ns}/svc/{name}, the only Service of that name"));
    Ok(Resolved {
        target: Target::Service { service, backends },
        note,
    })
}

/// A pod or workload by name (and kind), in a namespace or in any: the one that has the name,
/// else the owner of a pod or ReplicaSet of that name folded into it.
fn find(
    cluster: &Cluster,
    scope: Scope,
    kind: Option<EndpointKind>,
    name: &str,
) -> Result<Resolved, String> {
    let typed = match kind {
        Some(EndpointKind::Pod) if scope == Scope::Anywhere => format!("pod/{name}"),
        Some(k) if scope == Scope::Anywhere => format!("{}/{name}", k.short()),
        _ => name.to_string(),
    };
    let found: Vec<usize> = cluster
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            scope.holds(&e.namespace) && e.name == name && kind.is_none_or(|k| e.kind == k)
        })
        .map(|(i, _)| i)
        .collect();
    let anywhere = |i: usize| {
        (scope == Scope::Anywhere).then(|| {
            format!(
                "{typed} is {}, the only pod or workload of that name",
                cluster.endpoints[i].id()
            )
        })
    };
    match found.as_slice() {
        [one] => {
            return Ok(Resolved {
                target: Target::Party(Party::Endpoint(*one)),
                note: anywhere(*one),
            });
        }
        [] => {}
        many => return Err(ambiguous(cluster, &typed, many)),
    }
    // A pod or ReplicaSet folded into its owner.
    let wanted = kind.map(EndpointKind::as_str);
    let owners: Vec<(usize, String)> = cluster
        .endpoints
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.members.iter().map(move |m| (i, m)))
        .filter_map(|(i, m)| {
            let mut it = m.splitn(3, '/');
            let (mns, mkind, mname) = (
                it.next().unwrap_or(""),
                it.next().unwrap_or(""),
                it.next().unwrap_or(""),
            );
            (scope.holds(mns) && mname == name && wanted.is_none_or(|w| w == mkind))
                .then(|| (i, format!("{mns}/{mname}")))
        })
        .collect();
    let mut owner_ids: Vec<usize> = owners.iter().map(|(i, _)| *i).collect();
    owner_ids.dedup();
    match owner_ids.as_slice() {
        [i] => {
            return Ok(Resolved {
                target: Target::Party(Party::Endpoint(*i)),
                note: Some(format!(
                    "{} is counted as its owner {}",
                    owners[0].1,
                    cluster.endpoints[*i].id()
                )),
            });
        }
        [] => {}
        many => return Err(ambiguous(cluster, &typed, many)),
    }
    match scope {
        Scope::In(ns) => {
            if cluster.ns_id(ns).is_none() {
                let names: Vec<&str> = cluster.namespaces.iter().map(|n| n.name.as_str()).collect();
                return Err(not_found(&format!("namespace {ns}"), ns, &names));
            }
            if let Some((_, _, phase)) = cluster
                .terminated
                .iter()
                .find(|(n, p, _)| n == ns && p == name)
            {
                return Err(format!(
                    "{ns}/{name} is a Pod that has terminated (phase {phase}): it holds no address and takes no traffic"
                ));
            }
            let names: Vec<&str> = cluster
                .endpoints
                .iter()
                .filter(|e| e.namespace == ns)
                .map(|e| e.name.as_str())
                .collect();
            Err(not_found(&format!("{ns}/{name}"), name, &names))
        }
        Scope::Anywhere => {
            let names: Vec<String> = cluster
                .endpoints
                .iter()
                .filter(|e| kind.is_none_or(|k| e.kind == k))
                .map(|e| format!("{}/{}", e.namespace, e.name))
                .collect();
            let mut msg = format!("no pod or workload is named {typed} in any namespace");
            if cluster.ns_id(name).is_some() && kind.is_none() {
                msg.push_str(&format!(
                    " ({name} is a namespace: write {name}/NAME for one of its pods or workloads)"
                ));
            } else if let Some(c) = closest_suffix(name, &names) {
                msg.push_str(&format!(" (did you mean `{c}`?)"));
            }
            Err(msg)
        }
    }
}

/// The closest `namespace/name` whose name is close to `name`.
fn closest_suffix<'a>(name: &str, ids: &'a [String]) -> Option<&'a str> {
    let names: Vec<&str> = ids
        .iter()
        .map(|id| id.rsplit('/').next().unwrap_or(id))
        .collect();
    let best = closest(name, &names)?;
    ids.iter()
        .find(|id| id.rsplit('/').next() == Some(best))
        .map(String::as_str)
}

/// `frontend`: ambiguous: shop/frontend, dev/frontend (write NAMESPACE/NAME)` — or, when two
/// kinds of one namespace share the name, the full names and NAMESPACE/KIND/NAME.
fn ambiguous(cluster: &Cluster, typed: &str, many: &[usize]) -> String {
    let eps: Vec<&crate::model::Endpoint> = many.iter().map(|&i| &cluster.endpoints[i]).collect();
    let mut namespaces: Vec<&str> = eps.iter().map(|e| e.namespace.as_str()).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    if namespaces.len() == eps.len() {
        let options: Vec<String> = eps
            .iter()
            .map(|e| format!("{}/{}", e.namespace, e.name))
            .collect();
        format!(
            "`{typed}`: ambiguous: {} (write NAMESPACE/NAME)",
            options.join(", ")
        )
    } else {
        let options: Vec<String> = eps.iter().map(|e| e.id()).collect();
        format!(
            "`{typed}`: ambiguous: {} (write NAMESPACE/KIND/NAME)",
            options.join(", ")
        )
    }
}

/// What FROM or TO of can-reach stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// A pod, workload, Service, address or DNS name.
    One(Resolved),
    /// A CIDR: the pods whose IPs it holds, then one address for each part of it that the
    /// policies treat alike (an address of each range the ipBlocks cut it into).
    Cidr {
        /// The CIDR.
        net: IpNet,
        /// The parties it stands for.
        parties: Vec<Party>,
        /// What they are.
        note: String,
    },
}

impl Named {
    /// The parties asked about.
    pub fn parties(&self) -> Vec<Party> {
        match self {
            Named::One(r) => match &r.target {
                Target::Party(p) => vec![*p],
                Target::Service { backends, .. } => {
                    backends.iter().map(|&b| Party::Endpoint(b)).collect()
                }
            },
            Named::Cidr { parties, .. } => parties.clone(),
        }
    }

    /// The note on how it resolved.
    pub fn note(&self) -> Option<&str> {
        match self {
            Named::One(r) => r.note.as_deref(),
            Named::Cidr { note, .. } => Some(note),
        }
    }

    /// The target a party of it is asked as (a port asked of a Service maps to its
    /// targetPort).
    pub fn target_of(&self, party: Party) -> Target {
        match self {
            Named::One(r) => r.target.clone(),
            Named::Cidr { .. } => Target::Party(party),
        }
    }
}

/// The address of a family with this number.
fn addr_of(family: Family, n: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(std::net::Ipv4Addr::from(n as u32)),
        Family::V6 => IpAddr::V6(std::net::Ipv6Addr::from(n)),
    }
}

/// Resolves FROM or TO of can-reach: every form of [`resolve_in`], and a CIDR.
pub fn resolve_named(cluster: &Cluster, text: &str, scope: Scope) -> Result<Named, String> {
    if !looks_like_cidr(text) {
        return resolve_in(cluster, text, scope).map(Named::One);
    }
    let net = crate::model::ip::parse_cidr(text)?;
    if net.prefix_len() == net.max_prefix_len() {
        return Ok(Named::One(address(cluster, net.addr())));
    }
    let range = AddrRange::from_net(&net);
    let pods: Vec<(usize, IpAddr)> = cluster
        .endpoints
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.ips
                .iter()
                .find(|ip| range.contains(**ip))
                .map(|&ip| (i, ip))
        })
        .collect();
    let pod_ip = |ip: IpAddr| cluster.endpoint_with_ip(ip).is_some();
    let mut parts: Vec<AddrRange> = Members::new(cluster)
        .externals
        .iter()
        .filter(|r| r.family == range.family && r.start <= range.end && range.start <= r.end)
        .map(|r| AddrRange {
            family: r.family,
            start: r.start.max(range.start),
            end: r.end.min(range.end),
        })
        .collect();
    if parts.is_empty() {
        // No policy cuts this family: it is treated alike throughout.
        parts.push(range);
    }
    // Each part is asked at an address that is no pod's (the first few are tried).
    let at = |r: &AddrRange| {
        (r.start..=r.end.min(r.start.saturating_add(255)))
            .map(|k| addr_of(r.family, k))
            .find(|&ip| !pod_ip(ip))
            .unwrap_or_else(|| r.first())
    };
    let mut parties: Vec<Party> = pods.iter().map(|&(i, _)| Party::Endpoint(i)).collect();
    parties.extend(parts.iter().map(|r| Party::Address(at(r))));
    let mut said = Vec::new();
    if !pods.is_empty() {
        let list: Vec<String> = pods
            .iter()
            .map(|&(i, ip)| format!("{} ({ip})", cluster.endpoints[i].id()))
            .collect();
        said.push(format!("the IPs of {}", list.join(", ")));
    }
    const SHOWN: usize = 8;
    let mut list: Vec<String> = parts
        .iter()
        .take(SHOWN)
        .map(|r| {
            let ip = at(r);
            if r.start == r.end {
                ip.to_string()
            } else {
                format!("{r} (asked as {ip})")
            }
        })
        .collect();
    if parts.len() > SHOWN {
        list.push(format!("and {} more", parts.len() - SHOWN));
    }
    let whole = parts.len() == 1 && parts[0] == range;
    said.push(if whole {
        format!(
            "{} addresses outside the cluster, which the policies treat alike (asked as {})",
            if pods.is_empty() { "only" } else { "otherwise" },
            at(&parts[0])
        )
    } else {
        format!(
            "{} {} of addresses outside the cluster, each treated alike by the policies: {}",
            parts.len(),
            if parts.len() == 1 { "range" } else { "ranges" },
            list.join(", ")
        )
    });
    let note = format!("{net} holds {}", said.join("; and "));
    Ok(Named::Cidr { net, parties, note })
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

#[cfg(test)]
mod tests;

//! Wanted flows resolved on a cluster: the endpoints and address ranges each end stands for,
//! and the port at each destination.
//!
//! Names resolve as `can-reach` resolves them ([`crate::engine::target`]); a Service stands
//! for its backends, its port mapped to each backend's targetPort; `{namespace, labels}`
//! stands for every pod or workload carrying the labels; a recorded peer is mapped as
//! `replay` maps it ([`crate::engine::replay::locate`]), an address outside the cluster
//! becoming a CIDR of one address. Every failure says which end, and why.

use ipnet::IpNet;

use super::{End, Want};
use crate::engine::Party;
use crate::engine::replay::locate;
use crate::engine::target::{Target, resolve as resolve_name, resolve_port};
use crate::model::ports::{PortQuery, QueryPort};
use crate::model::{Cluster, Protocol};

/// One end of a resolved flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Point {
    /// An endpoint of the cluster, by index in [`Cluster::endpoints`].
    Endpoint(usize),
    /// Addresses outside the cluster.
    Cidr(IpNet),
}

/// A flow between two points, on a port (None: see [`Want::port`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    /// The source.
    pub src: Point,
    /// The destination.
    pub dst: Point,
    /// The port at the destination, resolved (a name to its number, a Service port to the
    /// targetPort).
    pub port: Option<(Protocol, u16)>,
}

/// How an end is shown in messages.
pub fn describe(end: &End) -> String {
    match end {
        End::Name(n) => n.clone(),
        End::Cidr(net) => net.to_string(),
        End::Recorded(peer) => peer.describe(),
        End::Match { namespace, labels } => {
            crate::lint::expect::describe_match(namespace.as_deref(), labels)
        }
    }
}

/// The pairs a want stands for. Err: why one of its ends, or its port at a destination,
/// resolves to nothing (`to shop/web: ...`).
pub fn resolve(cluster: &Cluster, want: &Want, default_ns: &str) -> Result<Vec<Pair>, String> {
    let side = |which: &str, end: &End| {
        points(cluster, end, default_ns).map_err(|e| format!("{which} {}: {e}", describe(end)))
    };
    let (from, _) = side("from", &want.from)?;
    let (to, target) = side("to", &want.to)?;
    let mut out = Vec::new();
    for &dst in &to {
        let port = match &want.port {
            None => None,
            Some(q) => Some(
                port_at(cluster, target.as_ref(), dst, q)
                    .map_err(|e| format!("to {}: {e}", describe(&want.to)))?,
            ),
        };
        for &src in &from {
            out.push(Pair { src, dst, port });
        }
    }
    Ok(out)
}

fn port_at(
    cluster: &Cluster,
    target: Option<&Target>,
    dst: Point,
    q: &PortQuery,
) -> Result<(Protocol, u16), String> {
    match dst {
        Point::Endpoint(i) => {
            let own = Target::Party(Party::Endpoint(i));
            resolve_port(cluster, target.unwrap_or(&own), Party::Endpoint(i), q)
        }
        Point::Cidr(_) => match &q.port {
            QueryPort::Number(n) => Ok((q.protocol, *n)),
            QueryPort::Name(name) => Err(format!(
                "port `{name}` is a name, and an address outside the cluster has no named ports"
            )),
        },
    }
}

/// The points an end stands for, and the Service it names (for its port mapping).
fn points(
    cluster: &Cluster,
    end: &End,
    default_ns: &str,
) -> Result<(Vec<Point>, Option<Target>), String> {
    match end {
        End::Cidr(net) => Ok((vec![Point::Cidr(net.trunc())], None)),
        End::Name(name) => {
            if name.contains('/')
                && let Ok(net) = name.parse::<IpNet>()
            {
                return Ok((vec![Point::Cidr(net.trunc())], None));
            }
            let resolved = resolve_name(cluster, name, default_ns)?;
            match resolved.target {
                Target::Party(p) => Ok((vec![point(p)], None)),
                Target::Service { service, backends } => {
                    if backends.is_empty() {
                        let s = &cluster.services[service];
                        return Err(format!(
                            "service {}/{} selects no pod or workload of the input",
                            s.namespace, s.name
                        ));
                    }
                    let points = backends.iter().map(|&b| Point::Endpoint(b)).collect();
                    Ok((points, Some(Target::Service { service, backends })))
                }
            }
        }
        End::Recorded(peer) => Ok((vec![point(locate(cluster, peer)?)], None)),
        End::Match { namespace, labels } => {
            if let Some(ns) = namespace
                && cluster.ns_id(ns).is_none()
            {
                return Err(format!("namespace {ns} is not in the input"));
            }
            let found: Vec<Point> = cluster
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    namespace.as_ref().is_none_or(|ns| &e.namespace == ns)
                        && labels.iter().all(|(k, v)| e.labels.get(k) == Some(v))
                })
                .map(|(i, _)| Point::Endpoint(i))
                .collect();
            if found.is_empty() {
                let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                return Err(match namespace {
                    Some(ns) => format!("no pod or workload in {ns} has {}", labels.join(",")),
                    None => format!("no pod or workload has {}", labels.join(",")),
                });
            }
            Ok((found, None))
        }
    }
}

fn point(p: Party) -> Point {
    match p {
        Party::Endpoint(i) => Point::Endpoint(i),
        Party::Address(ip) => Point::Cidr(IpNet::from(ip)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::generate::{Origin, Verdict, cluster_of};
    use crate::load::flows::Peer;

    const CLUSTER: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
status: {podIP: 10.1.0.1}
";

    fn want(from: End, to: End, port: Option<&str>) -> Want {
        Want {
            origin: Origin {
                file: "w.yaml".into(),
                line: 1,
            },
            from,
            to,
            port: port.map(|p| p.parse().unwrap()),
            verdict: Verdict::Allow,
        }
    }

    #[test]
    fn names_services_labels_and_addresses() {
        let c = cluster_of(CLUSTER);
        let web = c.endpoints.iter().position(|e| e.name == "web").unwrap();
        let client = c.endpoints.iter().position(|e| e.name == "client").unwrap();
        // A Service port maps to the targetPort of the backend.
        let w = want(
            End::Name("b/client".into()),
            End::Name("a/svc/web".into()),
            Some("80"),
        );
        assert_eq!(
            resolve(&c, &w, "default").unwrap(),
            vec![Pair {
                src: Point::Endpoint(client),
                dst: Point::Endpoint(web),
                port: Some((Protocol::Tcp, 8080)),
            }]
        );
        // A named port resolves on the destination; a recorded address is a CIDR of one.
        let peer = Peer {
            ip: Some("192.0.2.7".parse().unwrap()),
            ..Peer::default()
        };
        let w = want(
            End::Recorded(peer),
            End::Match {
                namespace: Some("a".into()),
                labels: vec![("app".into(), "web".into())],
            },
            Some("http"),
        );
        let got = resolve(&c, &w, "default").unwrap();
        assert_eq!(got[0].src, Point::Cidr("192.0.2.7/32".parse().unwrap()));
        assert_eq!(got[0].port, Some((Protocol::Tcp, 8080)));
        // A known pod IP is that pod.
        let w = want(
            End::Name("10.1.0.1".into()),
            End::Cidr("0.0.0.0/0".parse().unwrap()),
            None,
        );
        assert_eq!(
            resolve(&c, &w, "default").unwrap()[0].src,
            Point::Endpoint(client)
        );
    }

    #[test]
    fn failures_name_the_end() {
        let c = cluster_of(CLUSTER);
        let w = want(End::Name("a/nope".into()), End::Name("a/web".into()), None);
        assert!(
            resolve(&c, &w, "default")
                .unwrap_err()
                .starts_with("from a/nope: ")
        );
        let w = want(
            End::Name("a/web".into()),
            End::Cidr("192.0.2.0/24".parse().unwrap()),
            Some("http"),
        );
        assert_eq!(
            resolve(&c, &w, "default").unwrap_err(),
            "to 192.0.2.0/24: port `http` is a name, and an address outside the cluster has no named ports"
        );
        let w = want(
            End::Match {
                namespace: Some("a".into()),
                labels: vec![("app".into(), "db".into())],
            },
            End::Name("a/web".into()),
            None,
        );
        assert_eq!(
            resolve(&c, &w, "default").unwrap_err(),
            "from pods in a with app=db: no pod or workload in a has app=db"
        );
        let w = want(
            End::Name("a/web".into()),
            End::Name("a/web".into()),
            Some("ftp"),
        );
        assert!(
            resolve(&c, &w, "default")
                .unwrap_err()
                .contains("named `ftp`")
        );
    }
}

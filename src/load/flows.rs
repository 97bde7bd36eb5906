//! Recorded traffic for `replay`: Hubble's JSON export (`hubble observe -o json`, one JSON
//! object per line, each a `flow` or a `{"flow": ...}` record around one) or a plain CSV of
//! `src,dst,port,protocol` (header optional; src and dst as `ns/pod`, `ns/deploy/name` or IP
//! addresses).
//!
//! Invariants: every line of the file is accounted for exactly once — a [`Flow`], a skipped
//! reply or non-L4 flow (counted), a blank line, or a [`FlowProblem`] with its line number
//! and the reason; nothing is dropped silently. Lines are numbered from 1.

use std::net::IpAddr;

use serde_json::Value;

use crate::model::Protocol;

/// One end of a recorded flow, as the recording names it. Which of the fields are set
/// depends on the format: Hubble gives namespace, pod name, labels and IP as it knows them;
/// the CSV gives `name` (what can-reach takes: `ns/pod`, `ns/deploy/name`, an IP).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Peer {
    /// The namespace (Hubble; None for an address outside the cluster).
    pub namespace: Option<String>,
    /// The pod's name (Hubble).
    pub pod: Option<String>,
    /// The Kubernetes labels (`k8s:` ones, without Cilium's and Kubernetes' own
    /// `io.kubernetes.*` / `io.cilium.*` keys) (Hubble).
    pub labels: Vec<(String, String)>,
    /// The IP address.
    pub ip: Option<IpAddr>,
    /// The name as written in a CSV (`ns/pod`, `ns/deploy/name`, an IP).
    pub name: Option<String>,
}

impl Peer {
    /// How the recording names it, for messages: `shop/frontend-5d8f-x2x7q (10.0.1.5)`,
    /// `10.0.1.5`, `shop{app=web}`.
    pub fn describe(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let mut s = match (&self.namespace, &self.pod) {
            (Some(ns), Some(p)) => format!("{ns}/{p}"),
            (Some(ns), None) => {
                let labels: Vec<String> = self
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!("{ns}{{{}}}", labels.join(","))
            }
            _ => String::new(),
        };
        if let Some(ip) = self.ip {
            s = if s.is_empty() {
                ip.to_string()
            } else {
                format!("{s} ({ip})")
            };
        }
        if s.is_empty() {
            "an unnamed endpoint".into()
        } else {
            s
        }
    }
}

/// What the recording says happened to a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// Hubble's FORWARDED: the policies let it through.
    Forwarded,
    /// Hubble's DROPPED for a policy (`POLICY_DENIED`, `POLICY_DENY`).
    PolicyDenied,
    /// Another verdict (AUDIT, ERROR...) or a drop for another reason: not a policy's
    /// answer, so nothing to compare with.
    Other(String),
    /// A CSV line: traffic that happens, so the policies let it through.
    Happens,
}

/// A recorded L4 flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Its line in the file (from 1).
    pub line: usize,
    /// Who opened it.
    pub src: Peer,
    /// To whom.
    pub dst: Peer,
    /// Its protocol.
    pub protocol: Protocol,
    /// Its destination port (never 0).
    pub port: u16,
    /// What happened to it.
    pub observed: Observed,
}

/// A line that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowProblem {
    /// Its line (from 1).
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowFormat {
    /// `hubble observe -o json`.
    Hubble,
    /// `src,dst,port,protocol`.
    Csv,
}

/// A file of flows, read.
#[derive(Clone, Debug)]
pub struct FlowFile {
    /// Its name as given.
    pub name: String,
    /// Its format (told from the first line that is not blank: `{` is Hubble's).
    pub format: FlowFormat,
    /// The L4 flows that are not replies.
    pub flows: Vec<Flow>,
    /// Reply flows skipped (`is_reply: true`): the connection is the request's.
    pub replies: usize,
    /// Flows without a TCP, UDP or SCTP port skipped (ICMP, L7 records, drops before L4).
    pub non_l4: usize,
    /// Lines that could not be read.
    pub problems: Vec<FlowProblem>,
}

/// Reads the flows of `text` (named `name` in messages).
pub fn parse(name: &str, text: &str) -> FlowFile {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let format = match first {
        Some(l) if l.starts_with('{') => FlowFormat::Hubble,
        _ => FlowFormat::Csv,
    };
    let mut file = FlowFile {
        name: name.to_string(),
        format,
        flows: Vec::new(),
        replies: 0,
        non_l4: 0,
        problems: Vec::new(),
    };
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || (format == FlowFormat::Csv && l.starts_with('#')) {
            continue;
        }
        let read = match format {
            FlowFormat::Hubble => hubble_line(l, line),
            FlowFormat::Csv => {
                let header = !header_seen && is_csv_header(l);
                header_seen = true;
                if header {
                    continue;
                }
                csv_line(l, line).map(|f| Read::Flow(Box::new(f)))
            }
        };
        match read {
            Ok(Read::Flow(f)) => file.flows.push(*f),
            Ok(Read::Reply) => file.replies += 1,
            Ok(Read::NonL4) => file.non_l4 += 1,
            Err(reason) => file.problems.push(FlowProblem { line, reason }),
        }
    }
    file
}

enum Read {
    Flow(Box<Flow>),
    Reply,
    NonL4,
}

fn is_csv_header(l: &str) -> bool {
    let cols: Vec<String> = l
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    cols.first().is_some_and(|c| c == "src" || c == "source")
}

/// `src,dst,port,protocol`; the protocol may be left out (TCP).
fn csv_line(l: &str, line: usize) -> Result<Flow, String> {
    let cols: Vec<&str> = l.split(',').map(str::trim).collect();
    if !(3..=4).contains(&cols.len()) {
        let n = cols.len();
        let s = if n == 1 { "" } else { "s" };
        return Err(format!(
            "{n} column{s}: a flow is `src,dst,port,protocol` (protocol optional, TCP by default)"
        ));
    }
    let peer = |s: &str, what: &str| {
        if s.is_empty() {
            Err(format!("empty {what}"))
        } else {
            Ok(Peer {
                name: Some(s.to_string()),
                ..Peer::default()
            })
        }
    };
    let port = match cols[2].parse::<u16>() {
        Ok(p) if p > 0 => p,
        _ => {
            return Err(format!(
                "port `{}` is not a number from 1 to 65535",
                cols[2]
            ));
        }
    };
    let protocol = match cols.get(3) {
        None | Some(&"") => Protocol::Tcp,
        Some(p) => Protocol::parse(&p.to_ascii_uppercase())
            .ok_or_else(|| format!("protocol `{p}` is not TCP, UDP or SCTP"))?,
    };
    Ok(Flow {
        line,
        src: peer(cols[0], "source")?,
        dst: peer(cols[1], "destination")?,
        protocol,
        port,
        observed: Observed::Happens,
    })
}

fn hubble_line(l: &str, line: usize) -> Result<Read, String> {
    let v: Value = serde_json::from_str(l).map_err(|e| format!("not JSON: {e}"))?;
    let flow = match v.get("flow") {
        Some(f) => f,
        None if v.get("verdict").is_some() || v.get("l4").is_some() => &v,
        None => {
            return Err(
                "a JSON object without a `flow` (not a line of `hubble observe -o json`)".into(),
            );
        }
    };
    if !flow.is_object() {
        return Err("`flow` is not an object".into());
    }
    // `is_reply` is a BoolValue: `true`, or `{"value": true}` from some exporters.
    let reply = match flow.get("is_reply") {
        Some(Value::Bool(b)) => *b,
        Some(o) => o.get("value").and_then(Value::as_bool).unwrap_or(false),
        None => false,
    };
    if reply {
        return Ok(Read::Reply);
    }
    let Some((protocol, port)) = l4(flow)? else {
        return Ok(Read::NonL4);
    };
    let ips = flow.get("IP");
    let src = hubble_peer(flow.get("source"), ips.and_then(|i| i.get("source")))?;
    let dst = hubble_peer(
        flow.get("destination"),
        ips.and_then(|i| i.get("destination")),
    )?;
    let verdict = flow.get("verdict").and_then(Value::as_str).unwrap_or("");
    let reason = flow
        .get("drop_reason_desc")
        .and_then(Value::as_str)
        .unwrap_or("");
    let observed = match verdict {
        "FORWARDED" => Observed::Forwarded,
        "DROPPED" if reason.starts_with("POLICY_DEN") => Observed::PolicyDenied,
        "DROPPED" if !reason.is_empty() => Observed::Other(format!("DROPPED ({reason})")),
        "" => Observed::Other("no verdict".into()),
        other => Observed::Other(other.to_string()),
    };
    Ok(Read::Flow(Box::new(Flow {
        line,
        src,
        dst,
        protocol,
        port,
        observed,
    })))
}

/// The protocol and destination port of `l4` (None: no TCP, UDP or SCTP part).
fn l4(flow: &Value) -> Result<Option<(Protocol, u16)>, String> {
    let Some(l4) = flow.get("l4") else {
        return Ok(None);
    };
    for (key, protocol) in [
        ("TCP", Protocol::Tcp),
        ("UDP", Protocol::Udp),
        ("SCTP", Protocol::Sctp),
    ] {
        if let Some(part) = l4.get(key) {
            let port = part.get("destination_port").and_then(Value::as_u64);
            return match port {
                Some(p @ 1..=65535) => Ok(Some((protocol, p as u16))),
                _ => Err(format!(
                    "l4.{key}.destination_port is missing or not a port number from 1 to 65535"
                )),
            };
        }
    }
    Ok(None)
}

fn hubble_peer(ep: Option<&Value>, ip: Option<&Value>) -> Result<Peer, String> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let ip = match ip {
        None => None,
        Some(v) => {
            let s = v.as_str().ok_or("an IP address that is not a string")?;
            Some(
                s.parse::<IpAddr>()
                    .map_err(|_| format!("`{s}` is not an IP address"))?
                    .to_canonical(),
            )
        }
    };
    let mut labels = Vec::new();
    if let Some(list) = ep.and_then(|e| e.get("labels")).and_then(Value::as_array) {
        for l in list {
            let Some(s) = l.as_str() else {
                return Err("a label that is not a string".into());
            };
            let Some(rest) = s.strip_prefix("k8s:") else {
                continue; // reserved:world, cidr:..., container:...: not pod labels.
            };
            let (k, v) = rest.split_once('=').unwrap_or((rest, ""));
            if k.starts_with("io.kubernetes.") || k.starts_with("io.cilium.") {
                continue;
            }
            labels.push((k.to_string(), v.to_string()));
        }
    }
    Ok(Peer {
        namespace: text(ep.and_then(|e| e.get("namespace"))),
        pod: text(ep.and_then(|e| e.get("pod_name"))),
        labels,
        ip,
        name: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORWARDED: &str = r#"{"flow":{"time":"2026-12-01T10:00:00Z","verdict":"FORWARDED","IP":{"source":"10.0.1.5","destination":"10.0.2.7","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":40000,"destination_port":8080,"flags":{"SYN":true}}},"source":{"identity":1234,"namespace":"shop","labels":["k8s:app=frontend","k8s:io.kubernetes.pod.namespace=shop","reserved:x"],"pod_name":"frontend-5d8f-x2x7q"},"destination":{"namespace":"shop","pod_name":"api-0"},"traffic_direction":"EGRESS","is_reply":false},"node_name":"n1","time":"2026-12-01T10:00:00Z"}"#;

    #[test]
    fn hubble_flow() {
        let f = parse("f.json", FORWARDED);
        assert_eq!(f.format, FlowFormat::Hubble);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let flow = &f.flows[0];
        assert_eq!((flow.protocol, flow.port), (Protocol::Tcp, 8080));
        assert_eq!(flow.observed, Observed::Forwarded);
        assert_eq!(flow.src.namespace.as_deref(), Some("shop"));
        assert_eq!(flow.src.pod.as_deref(), Some("frontend-5d8f-x2x7q"));
        assert_eq!(flow.src.labels, vec![("app".into(), "frontend".into())]);
        assert_eq!(flow.dst.ip, Some("10.0.2.7".parse().unwrap()));
        assert_eq!(flow.line, 1);
    }

    #[test]
    fn bare_flow_drops_replies_and_icmp() {
        let text = [
            r#"{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","l4":{"UDP":{"destination_port":53}},"source":{},"destination":{}}"#,
            "",
            r#"{"flow":{"verdict":"FORWARDED","is_reply":true,"l4":{"TCP":{"destination_port":40000}}}}"#,
            r#"{"flow":{"verdict":"FORWARDED","is_reply":{"value":true},"l4":{"TCP":{"destination_port":40000}}}}"#,
            r#"{"flow":{"verdict":"DROPPED","drop_reason_desc":"INVALID_SOURCE_IP","l4":{"ICMPv6":{"type":133}}}}"#,
            r#"{"flow":{"verdict":"DROPPED","drop_reason_desc":"CT_MAP_INSERTION_FAILED","l4":{"TCP":{"destination_port":80}}}}"#,
        ]
        .join("\n");
        let f = parse("f.json", &text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!((f.replies, f.non_l4, f.flows.len()), (2, 1, 2));
        assert_eq!(f.flows[0].observed, Observed::PolicyDenied);
        assert_eq!(f.flows[0].protocol, Protocol::Udp);
        assert_eq!(
            f.flows[1].observed,
            Observed::Other("DROPPED (CT_MAP_INSERTION_FAILED)".into())
        );
        assert_eq!(f.flows[1].line, 6);
    }

    #[test]
    fn hubble_problems_name_their_line() {
        let text = [
            "{not json",
            r#"{"time":"x"}"#,
            r#"{"flow":{"l4":{"TCP":{}}}}"#,
            r#"{"flow":{"l4":{"TCP":{"destination_port":1}},"IP":{"source":"banana"}}}"#,
        ]
        .join("\n");
        let f = parse("f.json", &text);
        let lines: Vec<usize> = f.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4]);
        assert!(f.problems[0].reason.starts_with("not JSON"));
        assert!(f.problems[1].reason.contains("without a `flow`"));
        assert!(f.problems[2].reason.contains("destination_port"));
        assert_eq!(f.problems[3].reason, "`banana` is not an IP address");
    }

    #[test]
    fn csv_with_and_without_header() {
        let text = "src,dst,port,protocol\nshop/frontend,shop/deploy/api,8080,tcp\n# a comment\n10.0.0.1,1.2.3.4,53,UDP\nshop/a,shop/b,443\n";
        let f = parse("f.csv", text);
        assert_eq!(f.format, FlowFormat::Csv);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.flows.len(), 3);
        assert_eq!(f.flows[0].src.name.as_deref(), Some("shop/frontend"));
        assert_eq!(f.flows[0].line, 2);
        assert_eq!((f.flows[1].protocol, f.flows[1].port), (Protocol::Udp, 53));
        assert_eq!(f.flows[2].protocol, Protocol::Tcp);
        assert_eq!(f.flows[2].observed, Observed::Happens);
        let f = parse("f.csv", "shop/a,shop/b,80,TCP\n");
        assert_eq!(f.flows.len(), 1);
    }

    #[test]
    fn csv_problems_name_their_line() {
        let text = "a,b\na,b,http,TCP\na,b,0\na,b,80,ICMP\n,b,80\n";
        let f = parse("f.csv", text);
        let got: Vec<(usize, &str)> = f
            .problems
            .iter()
            .map(|p| (p.line, p.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    1,
                    "2 columns: a flow is `src,dst,port,protocol` (protocol optional, TCP by default)"
                ),
                (2, "port `http` is not a number from 1 to 65535"),
                (3, "port `0` is not a number from 1 to 65535"),
                (4, "protocol `ICMP` is not TCP, UDP or SCTP"),
                (5, "empty source"),
            ]
        );
    }

    #[test]
    fn peer_describe() {
        let p = Peer {
            namespace: Some("shop".into()),
            labels: vec![("app".into(), "x".into())],
            ip: Some("10.0.0.1".parse().unwrap()),
            ..Peer::default()
        };
        assert_eq!(p.describe(), "shop{app=x} (10.0.0.1)");
    }
}

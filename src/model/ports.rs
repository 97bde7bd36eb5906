//! Protocols and sets of ports: what a rule allows and what a connection needs.
//!
//! A [`PortSet`] is, per protocol, a sorted list of disjoint inclusive ranges of port numbers
//! 1–65535. Named ports are resolved into numbers on the destination before they reach a set.

use std::fmt;
use std::str::FromStr;

/// A transport protocol a NetworkPolicy can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP, the default when a port names no protocol.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// All protocols, in display order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// Parses the API spelling (`TCP`, `UDP`, `SCTP`; case-sensitive, as the API server is).
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => return None,
        })
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lowest port number a set holds.
pub const MIN_PORT: u16 = 1;
/// Highest port number.
pub const MAX_PORT: u16 = 65535;

/// A set of (protocol, port) pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSet {
    ranges: [Vec<(u16, u16)>; 3],
}

impl PortSet {
    /// No port at all.
    pub fn none() -> PortSet {
        PortSet::default()
    }

    /// Every port of every protocol.
    pub fn all() -> PortSet {
        let full = vec![(MIN_PORT, MAX_PORT)];
        PortSet {
            ranges: [full.clone(), full.clone(), full],
        }
    }

    /// Every port of one protocol.
    pub fn protocol(p: Protocol) -> PortSet {
        PortSet::range(p, MIN_PORT, MAX_PORT)
    }

    /// One port.
    pub fn single(p: Protocol, port: u16) -> PortSet {
        PortSet::range(p, port, port)
    }

    /// An inclusive range of ports (empty when `from > to`).
    pub fn range(p: Protocol, from: u16, to: u16) -> PortSet {
        let mut s = PortSet::none();
        let from = from.max(MIN_PORT);
        if from <= to {
            s.ranges[p.index()].push((from, to));
        }
        s
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    /// Whether it holds every port of every protocol.
    pub fn is_all(&self) -> bool {
        Protocol::ALL.iter().all(|p| self.is_all_of(*p))
    }

    /// Whether it holds every port of `p`.
    pub fn is_all_of(&self, p: Protocol) -> bool {
        self.ranges[p.index()] == [(MIN_PORT, MAX_PORT)]
    }

    /// Whether it holds this port.
    pub fn contains(&self, p: Protocol, port: u16) -> bool {
        self.ranges[p.index()]
            .iter()
            .any(|&(a, b)| a <= port && port <= b)
    }

    /// Whether every port of `other` is in `self`.
    pub fn contains_set(&self, other: &PortSet) -> bool {
        other.intersect(self) == *other
    }

    /// The ranges of one protocol.
    pub fn ranges(&self, p: Protocol) -> &[(u16, u16)] {
        &self.ranges[p.index()]
    }

    /// The numbers of protocol `p` as people write them: `80,443,8000-8080` (empty when
    /// none).
    pub fn numbers(&self, p: Protocol) -> String {
        self.ranges(p)
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Adds all ports of `other`.
    pub fn union_with(&mut self, other: &PortSet) {
        for p in Protocol::ALL {
            let i = p.index();
            if other.ranges[i].is_empty() {
                continue;
            }
            let mut all: Vec<(u16, u16)> = self.ranges[i]
                .iter()
                .chain(&other.ranges[i])
                .copied()
                .collect();
            all.sort_unstable();
            self.ranges[i] = merge(all);
        }
    }

    /// The union of two sets.
    pub fn union(&self, other: &PortSet) -> PortSet {
        let mut s = self.clone();
        s.union_with(other);
        s
    }

    /// The ports in both sets.
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::none();
        for p in Protocol::ALL {
            let (a, b) = (&self.ranges[p.index()], &other.ranges[p.index()]);
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                let lo = a[i].0.max(b[j].0);
                let hi = a[i].1.min(b[j].1);
                if lo <= hi {
                    out.ranges[p.index()].push((lo, hi));
                }
                if a[i].1 < b[j].1 {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        }
        out
    }

    /// The ports of `self` not in `other`.
    pub fn difference(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::none();
        for p in Protocol::ALL {
            let i = p.index();
            let mut cur: Vec<(u16, u16)> = self.ranges[i].clone();
            for &(a, b) in &other.ranges[i] {
                let mut next = Vec::with_capacity(cur.len() + 1);
                for (x, y) in cur {
                    if b < x || a > y {
                        next.push((x, y));
                        continue;
                    }
                    if x < a {
                        next.push((x, a - 1));
                    }
                    if y > b {
                        next.push((b + 1, y));
                    }
                }
                cur = next;
            }
            out.ranges[i] = cur;
        }
        out
    }

    /// Number of ports held (over all protocols).
    pub fn count(&self) -> u64 {
        self.ranges
            .iter()
            .flatten()
            .map(|&(a, b)| u64::from(b - a) + 1)
            .sum()
    }
}

fn merge(sorted: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(sorted.len());
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl fmt::Display for PortSet {
    /// `all`, `none`, or `TCP 80,443,8000-8080; UDP 53` (`TCP all` for a whole protocol).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut first = true;
        for p in Protocol::ALL {
            let r = &self.ranges[p.index()];
            if r.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{p} ")?;
            if self.is_all_of(p) {
                f.write_str("all")?;
                continue;
            }
            for (i, &(a, b)) in r.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                if a == b {
                    write!(f, "{a}")?;
                } else {
                    write!(f, "{a}-{b}")?;
                }
            }
        }
        Ok(())
    }
}

/// A port asked about on the command line: `80`, `tcp/80`, `80/TCP`, `udp/53`, `http` (a
/// named port, resolved on the destination), `tcp/http`. The protocol may come before or
/// after the port, in any case; TCP when not given. A range is not one port: see
/// [`PortsQuery`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortQuery {
    /// The protocol (TCP when not given).
    pub protocol: Protocol,
    /// A number or a name.
    pub port: QueryPort,
}

/// The port part of a [`PortQuery`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryPort {
    /// A port number.
    Number(u16),
    /// A container port name, resolved on the destination.
    Name(String),
}

/// An inclusive range of port numbers of one protocol, as asked on the command line
/// (`8080-8090`, `tcp/8080-8090`); a single port is a range of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// The protocol.
    pub protocol: Protocol,
    /// The first port.
    pub first: u16,
    /// The last port (not before `first`).
    pub last: u16,
}

impl PortRange {
    /// One port.
    pub fn single(protocol: Protocol, port: u16) -> PortRange {
        PortRange {
            protocol,
            first: port,
            last: port,
        }
    }

    /// Whether it holds one port.
    pub fn is_single(&self) -> bool {
        self.first == self.last
    }

    /// Its ports as a set.
    pub fn set(&self) -> PortSet {
        PortSet::range(self.protocol, self.first, self.last)
    }

    /// Whether `set` holds some port of the range.
    pub fn meets(&self, set: &PortSet) -> bool {
        set.ranges(self.protocol)
            .iter()
            .any(|&(a, b)| a <= self.last && self.first <= b)
    }

    /// Whether `set` holds every port of the range.
    pub fn within(&self, set: &PortSet) -> bool {
        set.ranges(self.protocol)
            .iter()
            .any(|&(a, b)| a <= self.first && self.last <= b)
    }
}

impl fmt::Display for PortRange {
    /// `TCP 80`, `TCP 8080-8090`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{} {}", self.protocol, self.first)
        } else {
            write!(f, "{} {}-{}", self.protocol, self.first, self.last)
        }
    }
}

/// What `can-reach --port` accepts: one port ([`PortQuery`]) or a range of numbers
/// (`8080-8090`, `tcp/8080-8090`, `8080-8090/udp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortsQuery {
    /// One port, by number or name.
    One(PortQuery),
    /// Two or more ports, by number.
    Range(PortRange),
}

impl FromStr for PortsQuery {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (proto, port) = split_protocol(s)?;
        let protocol = proto.unwrap_or(Protocol::Tcp);
        if port.is_empty() {
            return Err(format!("{s}: missing port"));
        }
        let number = |text: &str| -> Result<u16, String> {
            match text.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
                _ => Err(format!("port {text} is out of range 1-65535")),
            }
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if digits(port) {
            return Ok(PortsQuery::One(PortQuery {
                protocol,
                port: QueryPort::Number(number(port)?),
            }));
        }
        if let Some((a, b)) = port.split_once('-')
            && (digits(a) || digits(b))
            && !a.bytes().chain(b.bytes()).any(|c| c.is_ascii_alphabetic())
        {
            if b.contains('-') {
                return Err(format!("{port}: write a range as FIRST-LAST (8080-8090)"));
            }
            if !digits(a) {
                return Err(format!("{port}: missing range start (write FIRST-LAST)"));
            }
            if !digits(b) {
                return Err(format!("{port}: missing range end (write FIRST-LAST)"));
            }
            let (first, last) = (number(a)?, number(b)?);
            if last < first {
                return Err(format!("{port}: range end before start"));
            }
            return Ok(if first == last {
                PortsQuery::One(PortQuery {
                    protocol,
                    port: QueryPort::Number(first),
                })
            } else {
                PortsQuery::Range(PortRange {
                    protocol,
                    first,
                    last,
                })
            });
        }
        if let Err(e) = crate::model::validate::port_name(port) {
            return Err(format!(
                "`{port}` is not a port number (80), range (8080-8090) or container port name (http): as a name, it {e}"
            ));
        }
        Ok(PortsQuery::One(PortQuery {
            protocol,
            port: QueryPort::Name(port.to_string()),
        }))
    }
}

/// Splits `tcp/80`, `80/TCP` or `80` into the protocol (if written) and the port text
/// (trimmed).
fn split_protocol(s: &str) -> Result<(Option<Protocol>, &str), String> {
    let proto = |t: &str| Protocol::parse(&t.trim().to_ascii_uppercase());
    let numeric = |t: &str| {
        let t = t.trim();
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    };
    let unknown = || format!("{s}: unknown protocol (TCP, UDP, SCTP)");
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [port] => Ok((None, port.trim())),
        [a, b] => match (proto(a), proto(b)) {
            (Some(_), Some(_)) => Err(format!(
                "{s}: two protocols and no port (write PROTOCOL/PORT, e.g. tcp/80)"
            )),
            (Some(p), None) => Ok((Some(p), b.trim())),
            (None, Some(p)) => Ok((Some(p), a.trim())),
            (None, None) if a.trim().is_empty() || b.trim().is_empty() => {
                if numeric(a) || numeric(b) {
                    Err(format!("{s}: missing protocol (TCP, UDP, SCTP)"))
                } else if a.trim().is_empty() && b.trim().is_empty() {
                    Err(format!("{s}: missing port"))
                } else {
                    Err(unknown())
                }
            }
            (None, None) => Err(unknown()),
        },
        _ => Err(format!(
            "{s}: write PORT, PROTOCOL/PORT or PORT/PROTOCOL (80, tcp/80, 53/udp)"
        )),
    }
}

impl FromStr for PortQuery {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<PortsQuery>()? {
            PortsQuery::One(q) => Ok(q),
            PortsQuery::Range(r) => Err(format!(
                "{s}: a range of ports ({r}) is not accepted here: give one port"
            )),
        }
    }
}

impl fmt::Display for PortQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.port {
            QueryPort::Number(n) => write!(f, "{} {}", self.protocol, n),
            QueryPort::Name(n) => write!(f, "{} {}", self.protocol, n),
        }
    }
}

impl fmt::Display for PortsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortsQuery::One(q) => q.fmt(f),
            PortsQuery::Range(r) => r.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_groups_by_protocol() {
        let mut s = PortSet::single(Protocol::Tcp, 443);
        s.union_with(&PortSet::single(Protocol::Tcp, 80));
        s.union_with(&PortSet::single(Protocol::Udp, 53));
        assert_eq!(s.to_string(), "TCP 80,443; UDP 53");
        assert_eq!(PortSet::all().to_string(), "all");
        assert_eq!(PortSet::none().to_string(), "none");
        assert_eq!(PortSet::protocol(Protocol::Udp).to_string(), "UDP all");
    }

    #[test]
    fn union_merges_adjacent_ranges() {
        let mut s = PortSet::range(Protocol::Tcp, 10, 20);
        s.union_with(&PortSet::range(Protocol::Tcp, 21, 30));
        s.union_with(&PortSet::range(Protocol::Tcp, 5, 12));
        assert_eq!(s.ranges(Protocol::Tcp), &[(5, 30)]);
        assert_eq!(s.count(), 26);
    }

    #[test]
    fn intersection_is_per_protocol() {
        let a = PortSet::range(Protocol::Tcp, 1, 100).union(&PortSet::single(Protocol::Udp, 53));
        let b = PortSet::range(Protocol::Tcp, 50, 200).union(&PortSet::single(Protocol::Sctp, 53));
        assert_eq!(a.intersect(&b).to_string(), "TCP 50-100");
        assert!(PortSet::all().contains_set(&a));
        assert!(!b.contains_set(&a));
    }

    #[test]
    fn difference_cuts_ranges() {
        let a = PortSet::range(Protocol::Tcp, 1, 100).union(&PortSet::single(Protocol::Udp, 53));
        let b = PortSet::range(Protocol::Tcp, 10, 20).union(&PortSet::single(Protocol::Tcp, 100));
        assert_eq!(a.difference(&b).to_string(), "TCP 1-9,21-99; UDP 53");
        assert!(a.difference(&PortSet::all()).is_empty());
        assert_eq!(PortSet::all().difference(&PortSet::none()), PortSet::all());
    }

    #[test]
    fn port_queries_default_to_tcp() {
        assert_eq!(
            "80".parse::<PortQuery>().unwrap(),
            PortQuery {
                protocol: Protocol::Tcp,
                port: QueryPort::Number(80)
            }
        );
        assert_eq!(
            "53/udp".parse::<PortQuery>().unwrap().protocol,
            Protocol::Udp
        );
        assert_eq!(
            "http".parse::<PortQuery>().unwrap().port,
            QueryPort::Name("http".into())
        );
        assert!("0".parse::<PortQuery>().is_err());
        assert!("80/ICMP".parse::<PortQuery>().is_err());
    }
}

#[cfg(test)]
mod query_tests {
    use super::*;

    fn one(s: &str) -> (Protocol, QueryPort) {
        match s.parse::<PortsQuery>() {
            Ok(PortsQuery::One(q)) => (q.protocol, q.port),
            other => panic!("{s}: {other:?}"),
        }
    }

    fn err(s: &str) -> String {
        s.parse::<PortsQuery>().unwrap_err()
    }

    #[test]
    fn the_protocol_comes_before_or_after_in_any_case() {
        let tcp80 = (Protocol::Tcp, QueryPort::Number(80));
        for s in [
            "80",
            "tcp/80",
            "TCP/80",
            "80/tcp",
            "80/TCP",
            "Tcp/80",
            " tcp / 80 ",
        ] {
            assert_eq!(one(s), tcp80, "{s}");
        }
        assert_eq!(one("udp/53"), (Protocol::Udp, QueryPort::Number(53)));
        assert_eq!(one("53/UDP"), (Protocol::Udp, QueryPort::Number(53)));
        assert_eq!(one("sctp/9999"), (Protocol::Sctp, QueryPort::Number(9999)));
        let http = (Protocol::Tcp, QueryPort::Name("http".into()));
        for s in ["http", "tcp/http", "http/tcp", "TCP/http"] {
            assert_eq!(one(s), http, "{s}");
        }
        assert_eq!(
            one("udp/dns"),
            (Protocol::Udp, QueryPort::Name("dns".into()))
        );
    }

    #[test]
    fn ranges_are_numbers_with_a_dash() {
        let r = |s: &str| match s.parse::<PortsQuery>() {
            Ok(PortsQuery::Range(r)) => r,
            other => panic!("{s}: {other:?}"),
        };
        let want = PortRange {
            protocol: Protocol::Tcp,
            first: 8080,
            last: 8090,
        };
        assert_eq!(r("8080-8090"), want);
        assert_eq!(r("tcp/8080-8090"), want);
        assert_eq!(r("8080-8090/TCP"), want);
        assert_eq!(r("udp/1-65535").protocol, Protocol::Udp);
        assert_eq!(want.to_string(), "TCP 8080-8090");
        assert_eq!(want.set().count(), 11);
        // A range of one port is that port.
        assert_eq!(one("80-80"), (Protocol::Tcp, QueryPort::Number(80)));
        // A name with a dash stays a name.
        assert_eq!(
            one("http-alt"),
            (Protocol::Tcp, QueryPort::Name("http-alt".into()))
        );
    }

    #[test]
    fn bad_ports_say_what_is_wrong() {
        assert_eq!(err("99999"), "port 99999 is out of range 1-65535");
        assert_eq!(err("0"), "port 0 is out of range 1-65535");
        assert_eq!(err("tcp/70000"), "port 70000 is out of range 1-65535");
        assert_eq!(err("8080-99999"), "port 99999 is out of range 1-65535");
        assert_eq!(err("8090-8080"), "8090-8080: range end before start");
        assert_eq!(err("tcp/8090-8080"), "8090-8080: range end before start");
        assert_eq!(err("8080-"), "8080-: missing range end (write FIRST-LAST)");
        assert_eq!(
            err("-8080"),
            "-8080: missing range start (write FIRST-LAST)"
        );
        assert_eq!(
            err("1-2-3"),
            "1-2-3: write a range as FIRST-LAST (8080-8090)"
        );
        assert_eq!(err("tcp/"), "tcp/: missing port");
        assert_eq!(err("tcp/ "), "tcp/ : missing port");
        assert_eq!(err(""), ": missing port");
        assert_eq!(err("/80"), "/80: missing protocol (TCP, UDP, SCTP)");
        assert_eq!(err("tcpp/80"), "tcpp/80: unknown protocol (TCP, UDP, SCTP)");
        assert_eq!(err("80/ICMP"), "80/ICMP: unknown protocol (TCP, UDP, SCTP)");
        assert_eq!(
            err("http/tcpp"),
            "http/tcpp: unknown protocol (TCP, UDP, SCTP)"
        );
        assert_eq!(
            err("tcp/udp"),
            "tcp/udp: two protocols and no port (write PROTOCOL/PORT, e.g. tcp/80)"
        );
        assert_eq!(
            err("tcp/80/x"),
            "tcp/80/x: write PORT, PROTOCOL/PORT or PORT/PROTOCOL (80, tcp/80, 53/udp)"
        );
        assert_eq!(
            err("HTTP"),
            "`HTTP` is not a port number (80), range (8080-8090) or container port name (http): as a name, it may hold only lower-case letters, digits and '-'"
        );
        assert!(err("80:90").contains("`80:90` is not a port number"));
    }

    #[test]
    fn one_port_queries_refuse_ranges() {
        assert_eq!(
            "8080-8090".parse::<PortQuery>().unwrap_err(),
            "8080-8090: a range of ports (TCP 8080-8090) is not accepted here: give one port"
        );
        assert_eq!(
            "udp/53".parse::<PortQuery>().unwrap(),
            PortQuery {
                protocol: Protocol::Udp,
                port: QueryPort::Number(53)
            }
        );
        assert_eq!(
            "tcp/99999".parse::<PortQuery>().unwrap_err(),
            "port 99999 is out of range 1-65535"
        );
    }

    #[test]
    fn a_range_meets_or_lies_within_a_set() {
        let r = PortRange {
            protocol: Protocol::Tcp,
            first: 8080,
            last: 8090,
        };
        let some = PortSet::range(Protocol::Tcp, 8085, 9000);
        assert!(r.meets(&some) && !r.within(&some));
        assert!(r.within(&PortSet::protocol(Protocol::Tcp)));
        assert!(!r.meets(&PortSet::protocol(Protocol::Udp)));
        assert!(!r.meets(&PortSet::single(Protocol::Tcp, 8079)));
        assert!(PortRange::single(Protocol::Tcp, 80).is_single());
    }
}

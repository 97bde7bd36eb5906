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

/// A port asked about on the command line: `80`, `80/TCP`, `53/udp`, `http` (a named port,
/// resolved on the destination), `http/TCP`.
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

impl FromStr for PortQuery {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (port, proto) = match s.split_once('/') {
            Some((p, proto)) => (p, Some(proto)),
            None => (s, None),
        };
        let protocol = match proto {
            None => Protocol::Tcp,
            Some(p) => Protocol::parse(&p.to_ascii_uppercase())
                .ok_or_else(|| format!("unknown protocol `{p}` (TCP, UDP or SCTP)"))?,
        };
        let port = if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() {
            match port.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => QueryPort::Number(n as u16),
                _ => return Err(format!("port `{port}` is out of range 1-65535")),
            }
        } else if !port.is_empty() {
            QueryPort::Name(port.to_string())
        } else {
            return Err("empty port".into());
        };
        Ok(PortQuery { protocol, port })
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

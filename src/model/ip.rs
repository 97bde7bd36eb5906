//! IP addresses, CIDRs and address ranges.
//!
//! ipBlocks cut the address space into ranges that every ipBlock treats alike; those ranges
//! are the "external" endpoints of the matrix. Addresses are handled as integers per family
//! (IPv4 in `u32` range, IPv6 in `u128`), so a range is two numbers.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }

    fn addr(self, n: u128) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::from(n as u32)),
            Family::V6 => IpAddr::V6(Ipv6Addr::from(n)),
        }
    }
}

/// An address as (family, number).
pub fn ip_key(ip: IpAddr) -> (Family, u128) {
    match ip {
        IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (Family::V4, u128::from(u32::from(v4))),
            None => (Family::V6, u128::from(v6)),
        },
    }
}

/// Parses a CIDR as the API server does: `10.0.0.0/8`, `2001:db8::/32`; host bits set
/// (`10.1.2.3/8`) are accepted and cleared, as Go's `net.ParseCIDR` does.
pub fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let Some((addr, prefix)) = s.split_once('/') else {
        return Err(format!(
            "`{s}` is not a CIDR: the prefix length is missing (e.g. `{s}/32`)"
        ));
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a CIDR: bad prefix length `{prefix}`"));
    }
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{s}` is not a CIDR: `{addr}` is not an IP address"))?;
    let len: u8 = prefix
        .parse()
        .map_err(|_| format!("`{s}` is not a CIDR: prefix length `{prefix}` is out of range"))?;
    IpNet::new(ip, len).map(|n| n.trunc()).map_err(|_| {
        let max = if ip.is_ipv4() { 32 } else { 128 };
        format!("`{s}` is not a CIDR: prefix length {len} is over {max}")
    })
}

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddrRange {
    /// The family.
    pub family: Family,
    /// First address.
    pub start: u128,
    /// Last address.
    pub end: u128,
}

impl AddrRange {
    /// The range a CIDR covers. The family is the network's own: an IPv6 network stays IPv6
    /// even where its addresses look IPv4-mapped, as Go's `net.IPNet` reads it (a mapped
    /// *address* is IPv4, see [`ip_key`], so it never falls in an IPv6 network).
    pub fn from_net(net: &IpNet) -> AddrRange {
        match net {
            IpNet::V4(n) => AddrRange {
                family: Family::V4,
                start: u128::from(u32::from(n.network())),
                end: u128::from(u32::from(n.broadcast())),
            },
            IpNet::V6(n) => AddrRange {
                family: Family::V6,
                start: u128::from(n.network()),
                end: u128::from(n.broadcast()),
            },
        }
    }

    /// The whole space of a family.
    pub fn whole(family: Family) -> AddrRange {
        AddrRange {
            family,
            start: 0,
            end: family.max(),
        }
    }

    /// Whether the address is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (f, n) = ip_key(ip);
        f == self.family && self.start <= n && n <= self.end
    }

    /// Whether `other` lies inside this range.
    pub fn covers(&self, other: &AddrRange) -> bool {
        self.family == other.family && self.start <= other.start && other.end <= self.end
    }

    /// The first address, which stands for the whole range (every ipBlock treats the
    /// addresses of an atomic range alike).
    pub fn first(&self) -> IpAddr {
        self.family.addr(self.start)
    }

    /// The range as one CIDR, when it is exactly one.
    pub fn as_cidr(&self) -> Option<IpNet> {
        let size = self.end - self.start;
        let bits = if self.family == Family::V4 { 32 } else { 128 };
        if size == u128::MAX {
            return IpNet::new(self.first(), 0).ok();
        }
        let count = size + 1;
        if !count.is_power_of_two() || self.start % count != 0 {
            return None;
        }
        let prefix = bits - count.trailing_zeros() as u8;
        IpNet::new(self.first(), prefix).ok()
    }

    /// The fewest CIDRs that cover exactly this range, in address order
    /// (`0.0.0.0-9.255.255.255` is `0.0.0.0/5`, `8.0.0.0/7`).
    pub fn cidrs(&self) -> Vec<IpNet> {
        let bits: u32 = if self.family == Family::V4 { 32 } else { 128 };
        let mut out = Vec::new();
        let mut start = self.start;
        while start <= self.end {
            // The largest block aligned at `start` that ends within the range.
            let align = if start == 0 {
                bits
            } else {
                start.trailing_zeros().min(bits)
            };
            let left = self.end - start; // addresses after `start`
            let fits = |k: u32| {
                if k >= 128 {
                    left == u128::MAX
                } else {
                    (1u128 << k) - 1 <= left
                }
            };
            let mut k = align;
            while k > 0 && !fits(k) {
                k -= 1;
            }
            let prefix = (bits - k) as u8;
            if let Ok(net) = IpNet::new(self.family.addr(start), prefix) {
                out.push(net);
            }
            if k >= 128 {
                break; // the whole IPv6 space
            }
            match start.checked_add(1u128 << k) {
                Some(next) => start = next,
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for AddrRange {
    /// A CIDR when the range is one (`10.0.0.0/8`), else `first-last`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_cidr() {
            Some(net) => write!(f, "{net}"),
            None => write!(f, "{}-{}", self.first(), self.family.addr(self.end)),
        }
    }
}

/// The IPv4-mapped block `::ffff:0:0/96`: addresses there are IPv4 addresses (see [`ip_key`]).
const MAPPED: (u128, u128) = (0xffff_0000_0000, 0xffff_ffff_ffff);

/// Cuts each family's address space at the bounds of the given ranges: the result covers
/// every address of the families in `families`, in order, and every given range is a union
/// of result ranges. The IPv4-mapped IPv6 block is left out of IPv6: those addresses are
/// IPv4 ones, covered by the IPv4 ranges.
pub fn atomic_ranges(ranges: &[AddrRange], families: &[Family]) -> Vec<AddrRange> {
    let mut out = Vec::new();
    for &family in families {
        let mut cuts: Vec<u128> = vec![0];
        if family == Family::V6 {
            cuts.extend([MAPPED.0, MAPPED.1 + 1]);
        }
        for r in ranges.iter().filter(|r| r.family == family) {
            cuts.push(r.start);
            if r.end < family.max() {
                cuts.push(r.end + 1);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for (i, &start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map_or(family.max(), |&next| next - 1);
            if family == Family::V6 && start >= MAPPED.0 && end <= MAPPED.1 {
                continue;
            }
            out.push(AddrRange { family, start, end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_with_host_bits_are_truncated_like_go() {
        assert_eq!(parse_cidr("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert!(
            parse_cidr("10.0.0.0")
                .unwrap_err()
                .contains("prefix length is missing")
        );
        assert!(parse_cidr("10.0.0.0/33").unwrap_err().contains("over 32"));
        assert!(parse_cidr("10.0.0/8").is_err());
        assert_eq!(
            parse_cidr("2001:db8::1/32").unwrap().to_string(),
            "2001:db8::/32"
        );
    }

    #[test]
    fn atomic_ranges_cover_the_space_and_cut_at_every_bound() {
        let r = |s: &str| AddrRange::from_net(&parse_cidr(s).unwrap());
        let got = atomic_ranges(&[r("10.0.0.0/8"), r("10.1.0.0/16")], &[Family::V4]);
        let shown: Vec<String> = got.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "0.0.0.0-9.255.255.255",
                "10.0.0.0/16",
                "10.1.0.0/16",
                "10.2.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert_eq!(
            atomic_ranges(&[], &[Family::V4])[0].to_string(),
            "0.0.0.0/0"
        );
        let v6: Vec<String> = atomic_ranges(&[], &[Family::V6])
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(
            v6,
            vec![
                "::-::fffe:ffff:ffff",
                "::1:0:0:0-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            ],
            "the IPv4-mapped block is IPv4"
        );
    }

    #[test]
    fn ranges_decompose_into_the_fewest_cidrs() {
        let r = |a: &str, b: &str| {
            let (family, start) = ip_key(a.parse().unwrap());
            let (_, end) = ip_key(b.parse().unwrap());
            AddrRange { family, start, end }
        };
        let shown =
            |r: AddrRange| -> Vec<String> { r.cidrs().iter().map(|n| n.to_string()).collect() };
        assert_eq!(
            shown(r("0.0.0.0", "9.255.255.255")),
            vec!["0.0.0.0/5", "8.0.0.0/7"]
        );
        assert_eq!(
            shown(r("11.0.0.0", "255.255.255.255")),
            vec![
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1"
            ]
        );
        assert_eq!(shown(r("10.0.0.1", "10.0.0.1")), vec!["10.0.0.1/32"]);
        assert_eq!(shown(AddrRange::whole(Family::V4)), vec!["0.0.0.0/0"]);
        assert_eq!(shown(AddrRange::whole(Family::V6)), vec!["::/0"]);
        assert_eq!(
            shown(r("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).len(),
            128
        );
    }

    #[test]
    fn an_ipv6_network_stays_ipv6_even_over_the_mapped_range() {
        let r = AddrRange::from_net(&parse_cidr("::/80").unwrap());
        assert_eq!(r.family, Family::V6);
        assert!(r.contains("::1:0:0".parse().unwrap()));
        assert!(
            !r.contains("::ffff:10.0.0.1".parse().unwrap()),
            "a mapped address is IPv4"
        );
    }

    #[test]
    fn mapped_ipv4_addresses_count_as_ipv4() {
        let ip: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert!(AddrRange::from_net(&parse_cidr("10.0.0.0/8").unwrap()).contains(ip));
    }
}

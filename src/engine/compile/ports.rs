//! Ports of the compiled cluster: named-port signatures and port masks.
//!
//! A rule's ports depend on the destination only through the named ports it reads. Each
//! member gets a *signature*: what every named port any rule reads resolves to on it
//! (signature 0 resolves nothing: external ranges among others). Members with different
//! signatures are never in one class, so a class has one signature, and a rule's ports are
//! a mask per signature. Masks are over the atomic port segments of [`PortSpace`].

use std::collections::HashMap;

use super::super::port_space::PortSpace;
use crate::model::ir::PortMatch;
use crate::model::{ContainerPort, PortSet, Protocol};

/// How a rule's ports depend on the destination.
#[derive(Clone, Debug)]
pub enum CPorts {
    /// The same mask for every destination.
    Fixed(Vec<u64>),
    /// Named ports: a mask per named-port signature of the destination class, by signature
    /// id (empty for signatures no class has).
    Named(Vec<Vec<u64>>),
}

/// The named-port signature of every member.
pub struct Signatures {
    /// The signature of each member.
    pub of_member: Vec<u32>,
    /// Number of distinct signatures.
    pub count: usize,
    /// The signature that resolves nothing (external ranges have it).
    pub none: u32,
}

impl Signatures {
    /// The signatures of `members` members, the first `ports.len()` of which have these
    /// container ports (the rest are external ranges), for the named ports `names` reads.
    pub fn new(
        names: &[(&str, Option<Protocol>)],
        ports: &[&[ContainerPort]],
        members: usize,
    ) -> Signatures {
        let mut ids: HashMap<Vec<Vec<(Protocol, u16)>>, u32> = HashMap::new();
        let mut by_ports: HashMap<&[ContainerPort], u32> = HashMap::new();
        let mut sig_of = |ports: &[ContainerPort]| -> u32 {
            let sig: Vec<Vec<(Protocol, u16)>> = names
                .iter()
                .map(|(name, proto)| {
                    ports
                        .iter()
                        .filter(|c| {
                            proto.is_none_or(|p| c.protocol == p)
                                && c.name.as_deref() == Some(*name)
                        })
                        .map(|c| (c.protocol, c.port))
                        .collect()
                })
                .collect();
            let next = ids.len() as u32;
            *ids.entry(sig).or_insert(next)
        };
        let none = sig_of(&[]);
        let of_member = (0..members)
            .map(|m| match ports.get(m) {
                Some(p) if !names.is_empty() => *by_ports.entry(p).or_insert_with(|| sig_of(p)),
                _ => none,
            })
            .collect();
        Signatures {
            of_member,
            count: ids.len(),
            none,
        }
    }
}

/// A rule's ports before the space is cut: one set, or one per signature.
pub enum Resolved {
    /// The same for every destination.
    Fixed(PortSet),
    /// Per signature (by a representative member's container ports).
    Named(HashMap<u32, PortSet>),
}

impl Resolved {
    /// Resolves a rule's ports; `reps` maps each signature present to the container ports of
    /// a member having it (None: an external range).
    pub fn new(ports: &PortMatch, reps: &HashMap<u32, Option<&[ContainerPort]>>) -> Resolved {
        if ports.is_named() {
            Resolved::Named(reps.iter().map(|(&s, p)| (s, ports.resolve(*p))).collect())
        } else {
            Resolved::Fixed(ports.resolve(None))
        }
    }

    /// Every set it holds.
    pub fn sets(&self) -> Vec<&PortSet> {
        match self {
            Resolved::Fixed(s) => vec![s],
            Resolved::Named(m) => m.values().collect(),
        }
    }

    /// Its masks over a space cut at (at least) its sets' bounds.
    pub fn masks(&self, space: &PortSpace, signatures: usize) -> CPorts {
        match self {
            Resolved::Fixed(s) => CPorts::Fixed(space.mask(s)),
            Resolved::Named(m) => {
                let mut dense = vec![Vec::new(); signatures];
                for (&s, set) in m {
                    dense[s as usize] = space.mask(set);
                }
                CPorts::Named(dense)
            }
        }
    }
}

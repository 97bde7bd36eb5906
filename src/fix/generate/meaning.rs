//! What a plan means on its own, pair by pair, without the engine: the policies as planned
//! evaluated as Kubernetes evaluates them ([`Plan::allows`]), the flows listed
//! ([`Plan::listed`]), and the extras it documents (DNS: [`Plan::dns_extra`]; what a rule's
//! selector or ipBlock matches beside what it was written for: [`Plan::overlaps`]).
//! [`super::check`] holds the engine's evaluation of the text written to these.

use super::plan::{Peer, Plan};
use super::policies::{NamespacePlan, PeerSel, has_labels, selection_labels};
use crate::engine::Party;
use crate::model::{Cluster, Direction, PortSet};

impl Plan {
    /// The namespace plan of a namespace, if covered.
    pub fn namespace(&self, ns: &str) -> Option<&NamespacePlan> {
        self.namespaces.iter().find(|n| n.namespace == ns)
    }

    /// Whether an endpoint is in a covered namespace and can be selected (not hostNetwork).
    pub fn governs(&self, cluster: &Cluster, e: usize) -> bool {
        let ep = &cluster.endpoints[e];
        !ep.host_network && self.covered.contains(&ep.namespace)
    }

    /// What the plan means for `src → dst` on its own (the policies of the covered
    /// namespaces as planned, each side of a covered endpoint; a side the plan does not
    /// govern allows every port): the connections the generated text must allow, and no
    /// more.
    pub fn allows(&self, cluster: &Cluster, src: Party, dst: Party) -> PortSet {
        if matches!((src, dst), (Party::Endpoint(a), Party::Endpoint(b)) if a == b && cluster.endpoints[a].is_pod())
        {
            return PortSet::all();
        }
        let egress = self.side(cluster, Direction::Egress, src, dst, dst);
        let ingress = self.side(cluster, Direction::Ingress, dst, src, dst);
        egress.intersect(&ingress)
    }

    fn side(
        &self,
        cluster: &Cluster,
        dir: Direction,
        subject: Party,
        other: Party,
        dst: Party,
    ) -> PortSet {
        let Party::Endpoint(e) = subject else {
            return PortSet::all();
        };
        if !self.governs(cluster, e) {
            return PortSet::all();
        }
        let ep = &cluster.endpoints[e];
        let np = self
            .namespace(&ep.namespace)
            .expect("covered namespaces are planned");
        let mut allowed = PortSet::none();
        for p in &np.policies {
            if !has_labels(&ep.labels, &p.pod_selector) {
                continue;
            }
            for r in p.rules(dir).unwrap_or_default() {
                if r.peer.matches(cluster, &np.namespace, other, self.api) {
                    allowed.union_with(&r.ports.at(cluster, dst));
                }
            }
        }
        allowed
    }

    /// Whether a party is an end of a connection: an endpoint of its workload, an address
    /// in its range, or a hostNetwork pod (written as its addresses) with an address there.
    fn holds(&self, cluster: &Cluster, peer: Peer, party: Party) -> bool {
        match (peer, party) {
            (Peer::Workload(w), Party::Endpoint(e)) => self.workload_of[e] == w,
            (Peer::Workload(_), Party::Address(_)) => false,
            (Peer::Cidr(net), Party::Address(ip)) => net.contains(&ip),
            (Peer::Cidr(net), Party::Endpoint(e)) => {
                let ep = &cluster.endpoints[e];
                ep.host_network && ep.ips.iter().any(|ip| net.contains(ip))
            }
        }
    }

    /// The ports the flows list from `src` to `dst` (by workload: every replica of the
    /// workloads listed).
    pub fn listed(&self, cluster: &Cluster, src: Party, dst: Party) -> PortSet {
        let mut set = PortSet::none();
        for c in &self.connections {
            if self.holds(cluster, c.src, src) && self.holds(cluster, c.dst, dst) {
                set.union_with(&c.ports.at(cluster, dst));
            }
        }
        set
    }

    /// The DNS the plan allows from `src` to `dst`: from a pod of a covered namespace to a
    /// pod of the cluster DNS, UDP and TCP 53.
    pub fn dns_extra(&self, cluster: &Cluster, src: Party, dst: Party) -> PortSet {
        let (Party::Endpoint(s), Party::Endpoint(d)) = (src, dst) else {
            return PortSet::none();
        };
        let ep = &cluster.endpoints[d];
        if !self.governs(cluster, s)
            || ep.host_network
            || ep.namespace != self.dns.namespace
            || !has_labels(&ep.labels, &self.dns.labels)
        {
            return PortSet::none();
        }
        self.dns.ports.at(cluster, dst)
    }

    /// The connections whose rules also match `src → dst` though it is not one of their
    /// flows (a selector that cannot tell workloads apart), with the ports they allow it.
    pub fn overlaps(&self, cluster: &Cluster, src: Party, dst: Party) -> Vec<(usize, PortSet)> {
        let mut out = Vec::new();
        for (i, c) in self.connections.iter().enumerate() {
            if self.holds(cluster, c.src, src) && self.holds(cluster, c.dst, dst) {
                continue;
            }
            let sel = |p: Peer, party: Party| match p {
                Peer::Cidr(net) => PeerSel::Block(net).matches(cluster, "", party, self.api),
                Peer::Workload(w) => {
                    let wl = &self.workloads[w];
                    PeerSel::Pods {
                        namespace: Some(wl.namespace.clone()),
                        labels: selection_labels(wl),
                    }
                    .matches(cluster, &wl.namespace, party, self.api)
                }
            };
            if sel(c.src, src) && sel(c.dst, dst) {
                let ports = c.ports.at(cluster, dst);
                if !ports.is_empty() {
                    out.push((i, ports));
                }
            }
        }
        out
    }
}

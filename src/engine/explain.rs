//! Why a connection is allowed or denied: the decision of [`super::reference`] with every
//! reason kept — which policies isolate each side, which rule allows, and for every rule that
//! does not, which peer selector failed on which label, or which ports it allows instead.

use super::Party;
use super::matching::{cluster_peer_matches, cluster_selects, peer_matches};
use super::reference::dst_ports;
use crate::base::span::Span;
use crate::model::cluster_policy::{Action, ClusterPeer, ClusterPeerKind};
use crate::model::labels::{Operator, Requirement};
use crate::model::policy::Peer;
use crate::model::{Cluster, Direction, Labels, NetworkPolicy, PolicyIdx, PortSet, Protocol, Rule};

/// A connection, explained.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The port asked about, resolved to a number (None: every port).
    pub query: Option<(Protocol, u16)>,
    /// The source is the destination pod: loopback, never subject to policy.
    pub loopback: bool,
    /// Egress, at the source.
    pub egress: Side,
    /// Ingress, at the destination.
    pub ingress: Side,
    /// The ports allowed end to end.
    pub allowed: PortSet,
}

impl Explanation {
    /// Whether the connection is allowed (on the port asked about, or on some port).
    pub fn is_allowed(&self) -> bool {
        match self.query {
            Some((p, n)) => self.allowed.contains(p, n),
            None => !self.allowed.is_empty(),
        }
    }
}

/// One side of a connection: egress at the source or ingress at the destination, walked
/// tier by tier.
#[derive(Clone, Debug)]
pub struct Side {
    /// Which side.
    pub direction: Direction,
    /// The endpoint on this side (None: an address outside the cluster, never isolated).
    pub subject: Option<usize>,
    /// The subject uses the host network, so no policy selects it.
    pub host_network: bool,
    /// Admin-tier policies selecting the subject, with the rules that matched the other party.
    pub admin: Vec<TierPolicy>,
    /// Ports that reached the NetworkPolicy tier (undecided or passed by the Admin tier).
    pub to_np: PortSet,
    /// Whether the NetworkPolicy tier isolates the subject.
    pub np_isolated: bool,
    /// Whether that isolation comes from the namespace (the alpha or 1.3–1.6 annotation).
    pub namespace_isolated: bool,
    /// The NetworkPolicies whose rules count for the subject in this direction.
    pub policies: Vec<PolicyVerdict>,
    /// Ports that reached the Baseline tier.
    pub to_baseline: PortSet,
    /// Baseline-tier policies selecting the subject, with the rules that matched.
    pub baseline: Vec<TierPolicy>,
    /// The ports this side lets through towards/from the other party.
    pub allowed: PortSet,
}

impl Side {
    /// Whether the NetworkPolicy tier isolates the subject in this direction.
    pub fn isolated(&self) -> bool {
        self.np_isolated
    }

    /// Whether this side lets the asked port (or any port) through.
    pub fn allows(&self, query: Option<(Protocol, u16)>) -> bool {
        match query {
            Some((p, n)) => self.allowed.contains(p, n),
            None => !self.allowed.is_empty(),
        }
    }

    /// Whether any cluster-wide policy selects the subject in this direction.
    pub fn has_tiers(&self) -> bool {
        !self.admin.is_empty() || !self.baseline.is_empty()
    }
}

/// A cluster-wide policy selecting a side's subject, and its rules that matched the other
/// party (in order).
#[derive(Clone, Debug)]
pub struct TierPolicy {
    /// Index in [`Cluster::cluster_policies`].
    pub policy: usize,
    /// Rules whose peers matched.
    pub rules: Vec<TierRule>,
}

/// A cluster-wide rule whose peers matched.
#[derive(Clone, Debug)]
pub struct TierRule {
    /// Index in its list.
    pub index: usize,
    /// The rule.
    pub span: Span,
    /// Its action.
    pub action: Action,
    /// The ports it covers towards the destination.
    pub ports: PortSet,
    /// The ports it decided (those no earlier rule had decided).
    pub decided: PortSet,
    /// The peer that matched, in plain words.
    pub why: String,
}

/// A policy isolating a side, and what each of its rules says about the connection.
#[derive(Clone, Debug)]
pub struct PolicyVerdict {
    /// The policy.
    pub policy: PolicyIdx,
    /// Its rules for the side's direction.
    pub rules: Vec<RuleVerdict>,
}

/// What one rule says about the connection.
#[derive(Clone, Debug)]
pub struct RuleVerdict {
    /// Index in the rule list.
    pub index: usize,
    /// The rule.
    pub span: Span,
    /// Whether the peers match the other party.
    pub peers: PeerVerdict,
    /// The ports the rule allows towards the destination (named ports resolved).
    pub ports: PortSet,
}

impl RuleVerdict {
    /// Whether the rule's peers match.
    pub fn peer_matched(&self) -> bool {
        !matches!(self.peers, PeerVerdict::Missed(_))
    }

    /// Whether this rule allows the connection on the asked port (or on some port).
    pub fn allows(&self, query: Option<(Protocol, u16)>) -> bool {
        self.peer_matched()
            && match query {
                Some((p, n)) => self.ports.contains(p, n),
                None => !self.ports.is_empty(),
            }
    }
}

/// Whether a rule's peers match the other party.
#[derive(Clone, Debug)]
pub enum PeerVerdict {
    /// No (or an empty) `from`/`to`: every peer.
    All,
    /// This peer matches.
    Matched {
        /// Index of the peer.
        index: usize,
        /// The peer.
        span: Span,
        /// How it matches.
        why: String,
    },
    /// No peer matches; why each one misses.
    Missed(Vec<PeerMiss>),
}

/// Why a peer does not match.
#[derive(Clone, Debug)]
pub struct PeerMiss {
    /// Index of the peer.
    pub index: usize,
    /// The peer.
    pub span: Span,
    /// The reason, in plain words.
    pub reason: String,
}

/// Explains `src → dst` (on `query`, or on every port).
pub fn explain(
    cluster: &Cluster,
    src: Party,
    dst: Party,
    query: Option<(Protocol, u16)>,
) -> Explanation {
    let loopback = matches!((src, dst), (Party::Endpoint(a), Party::Endpoint(b)) if a == b && cluster.endpoints[a].is_pod());
    let egress = side(cluster, Direction::Egress, src, dst, dst);
    let ingress = side(cluster, Direction::Ingress, dst, src, dst);
    let allowed = if loopback {
        PortSet::all()
    } else {
        egress.allowed.intersect(&ingress.allowed)
    };
    Explanation {
        src,
        dst,
        query,
        loopback,
        egress,
        ingress,
        allowed,
    }
}

fn side(cluster: &Cluster, dir: Direction, subject: Party, other: Party, dst: Party) -> Side {
    let Party::Endpoint(s) = subject else {
        return Side {
            direction: dir,
            subject: None,
            host_network: false,
            admin: Vec::new(),
            to_np: PortSet::none(),
            np_isolated: false,
            namespace_isolated: false,
            policies: Vec::new(),
            to_baseline: PortSet::none(),
            baseline: Vec::new(),
            allowed: PortSet::all(),
        };
    };
    let ep = &cluster.endpoints[s];
    let ports = dst_ports(cluster, dst);
    let mut allowed = PortSet::none();
    let mut undecided = PortSet::all();
    let mut passed = PortSet::none();
    let admin = walk_tier(
        cluster,
        &cluster.admin_tier,
        dir,
        ep,
        other,
        ports,
        &mut undecided,
        &mut allowed,
        &mut passed,
    );
    let to_np = undecided.union(&passed);
    let np_isolated = cluster.np_isolated(ep, dir);
    let namespace_isolated = !ep.host_network && cluster.namespace_isolates(ep.ns, dir);
    let mut np_allowed = PortSet::none();
    let policies: Vec<PolicyVerdict> = cluster
        .np_rules_for(ep, dir)
        .map(|(idx, policy)| {
            let rules = policy
                .rules(dir)
                .iter()
                .map(|rule| {
                    let verdict = RuleVerdict {
                        index: rule.index,
                        span: rule.span,
                        peers: peers(cluster, policy, rule, other),
                        ports: rule.ports_on(ports),
                    };
                    if verdict.peer_matched() {
                        np_allowed.union_with(&verdict.ports);
                    }
                    verdict
                })
                .collect();
            PolicyVerdict { policy: idx, rules }
        })
        .collect();
    let (to_baseline, baseline) = if np_isolated {
        allowed.union_with(&to_np.intersect(&np_allowed));
        (PortSet::none(), Vec::new())
    } else {
        let mut remaining = to_np.clone();
        let mut through = PortSet::none();
        let baseline = walk_tier(
            cluster,
            &cluster.baseline_tier,
            dir,
            ep,
            other,
            ports,
            &mut remaining,
            &mut allowed,
            &mut through,
        );
        allowed.union_with(&remaining);
        allowed.union_with(&through);
        (to_np.clone(), baseline)
    };
    Side {
        direction: dir,
        subject: Some(s),
        host_network: ep.host_network,
        admin,
        to_np,
        np_isolated,
        namespace_isolated,
        policies,
        to_baseline,
        baseline,
        allowed,
    }
}

/// Walks one cluster-wide tier for a subject: each matching rule decides the ports still
/// `undecided`; Allow adds them to `allowed`, Pass to `passed`.
#[allow(clippy::too_many_arguments)]
fn walk_tier(
    cluster: &Cluster,
    tier: &[usize],
    dir: Direction,
    ep: &crate::model::Endpoint,
    other: Party,
    ports: Option<&[crate::model::ContainerPort]>,
    undecided: &mut PortSet,
    allowed: &mut PortSet,
    passed: &mut PortSet,
) -> Vec<TierPolicy> {
    let mut out = Vec::new();
    for &ci in tier {
        let policy = &cluster.cluster_policies[ci];
        if !cluster_selects(cluster, policy, ep) || policy.rules(dir).is_empty() {
            continue;
        }
        let mut rules = Vec::new();
        for rule in policy.rules(dir) {
            let Some(peer) = rule
                .peers
                .iter()
                .find(|p| cluster_peer_matches(cluster, p, other))
            else {
                continue;
            };
            let Some(action) = policy.action(rule) else {
                continue;
            };
            let rule_ports = rule.ports_on(ports);
            let decided = rule_ports.intersect(undecided);
            match action {
                Action::Allow => allowed.union_with(&decided),
                Action::Pass => passed.union_with(&decided),
                Action::Deny => {}
            }
            *undecided = undecided.difference(&rule_ports);
            rules.push(TierRule {
                index: rule.index,
                span: rule.span,
                action,
                ports: rule_ports,
                decided,
                why: cluster_peer_text(cluster, peer, dir, other),
            });
        }
        out.push(TierPolicy { policy: ci, rules });
    }
    out
}

fn cluster_peer_text(
    cluster: &Cluster,
    peer: &ClusterPeer,
    dir: Direction,
    other: Party,
) -> String {
    let name = party_name(cluster, other);
    let field = |i: usize| format!("{}[{i}]", dir.peers_field());
    match &peer.kind {
        ClusterPeerKind::Namespaces(sel) => {
            format!("{}: namespaces {sel} holds {name}", field(peer.index))
        }
        ClusterPeerKind::Pods {
            namespace_selector,
            pod_selector,
        } => format!(
            "{}: pods {pod_selector} in namespaces {namespace_selector} holds {name}",
            field(peer.index)
        ),
        ClusterPeerKind::Nodes(sel) => {
            format!("{}: nodes {sel} have the IP of {name}", field(peer.index))
        }
        ClusterPeerKind::Networks(cidrs) => {
            let list: Vec<&str> = cidrs.iter().map(|c| c.value.as_str()).collect();
            format!(
                "{}: networks {} hold {name}",
                field(peer.index),
                list.join(", ")
            )
        }
        ClusterPeerKind::Unknown => format!("{}: an unknown peer", field(peer.index)),
    }
}

fn peers(cluster: &Cluster, policy: &NetworkPolicy, rule: &Rule, other: Party) -> PeerVerdict {
    if rule.all_peers() {
        return PeerVerdict::All;
    }
    let mut misses = Vec::new();
    for peer in rule.peer_list() {
        if peer_matches(cluster, policy, peer, other) {
            return PeerVerdict::Matched {
                index: peer.index,
                span: peer.span,
                why: match_reason(cluster, policy, peer, other),
            };
        }
        misses.push(PeerMiss {
            index: peer.index,
            span: peer.span,
            reason: miss_reason(cluster, policy, peer, other),
        });
    }
    PeerVerdict::Missed(misses)
}

/// The name of a party as shown in explanations.
pub fn party_name(cluster: &Cluster, party: Party) -> String {
    match party {
        Party::Endpoint(i) => cluster.endpoints[i].id(),
        Party::Address(ip) => ip.to_string(),
    }
}

fn match_reason(cluster: &Cluster, policy: &NetworkPolicy, peer: &Peer, other: Party) -> String {
    if let Some(b) = &peer.ip_block {
        let ip = match other {
            Party::Address(ip) => ip.to_string(),
            Party::Endpoint(i) => {
                let ep = &cluster.endpoints[i];
                let ip = ep
                    .ips
                    .iter()
                    .find(|&&ip| b.contains(ip))
                    .map(|ip| ip.to_string())
                    .unwrap_or_default();
                format!("{} (IP {ip})", ep.id())
            }
        };
        return format!("ipBlock {} holds {ip}", b.describe());
    }
    let Party::Endpoint(i) = other else {
        return String::new();
    };
    let ep = &cluster.endpoints[i];
    match (&peer.namespace_selector, &peer.pod_selector) {
        (Some(ns), Some(pod)) => format!(
            "namespaceSelector {ns} matches namespace {} and podSelector {pod} matches {}",
            ep.namespace,
            ep.id()
        ),
        (Some(ns), None) => format!("namespaceSelector {ns} matches namespace {}", ep.namespace),
        (None, Some(pod)) => format!(
            "podSelector {pod} matches {} in the policy's namespace {}",
            ep.id(),
            policy.namespace
        ),
        (None, None) => String::new(),
    }
}

fn miss_reason(cluster: &Cluster, policy: &NetworkPolicy, peer: &Peer, other: Party) -> String {
    if let Some(b) = &peer.ip_block {
        return match other {
            Party::Address(ip) => ip_miss(b, ip),
            Party::Endpoint(i) => {
                let ep = &cluster.endpoints[i];
                if ep.ips.is_empty() {
                    format!(
                        "ipBlock {} matches addresses, and {} has no known IP in the input (no status.podIP)",
                        b.describe(),
                        ep.id()
                    )
                } else {
                    let reasons: Vec<String> = ep.ips.iter().map(|&ip| ip_miss(b, ip)).collect();
                    format!("{} ({})", reasons.join("; "), ep.id())
                }
            }
        };
    }
    let Party::Endpoint(i) = other else {
        return format!(
            "{} selects pods; {} is an address outside the cluster",
            selector_text(peer),
            party_name(cluster, other)
        );
    };
    let ep = &cluster.endpoints[i];
    if ep.host_network {
        return format!(
            "{} uses the host network: selectors never match it, only an ipBlock holding its node's IP",
            ep.id()
        );
    }
    let ns = cluster.ns(ep.ns);
    match &peer.namespace_selector {
        Some(sel) => {
            let failed = sel.failures(&ns.labels);
            if !failed.is_empty() {
                return format!(
                    "namespaceSelector {sel} does not match namespace {}: {}",
                    ns.name,
                    describe_failures(&failed, &ns.labels)
                );
            }
        }
        None => {
            if ep.namespace != policy.namespace {
                let sel = peer
                    .pod_selector
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                return format!(
                    "podSelector {sel} without namespaceSelector selects pods of namespace {} only; {} is in namespace {}",
                    policy.namespace,
                    ep.id(),
                    ep.namespace
                );
            }
        }
    }
    if let Some(sel) = &peer.pod_selector {
        let failed = sel.failures(&ep.labels);
        if !failed.is_empty() {
            return format!(
                "podSelector {sel} does not match {}: {}",
                ep.id(),
                describe_failures(&failed, &ep.labels)
            );
        }
    }
    "does not match".into()
}

fn selector_text(peer: &Peer) -> String {
    match (&peer.namespace_selector, &peer.pod_selector) {
        (Some(ns), Some(pod)) => format!("namespaceSelector {ns} + podSelector {pod}"),
        (Some(ns), None) => format!("namespaceSelector {ns}"),
        (None, Some(pod)) => format!("podSelector {pod}"),
        (None, None) => "an empty peer".into(),
    }
}

fn ip_miss(b: &crate::model::policy::IpBlock, ip: std::net::IpAddr) -> String {
    let Some(net) = b.net() else {
        return format!("ipBlock cidr `{}` is invalid", b.cidr.value);
    };
    if !crate::model::ip::AddrRange::from_net(&net).contains(ip) {
        return format!("{ip} is outside ipBlock {}", b.cidr.value);
    }
    match b
        .except_nets()
        .into_iter()
        .find(|e| crate::model::ip::AddrRange::from_net(e).contains(ip))
    {
        Some(e) => format!("{ip} is in ipBlock {} but excepted by {e}", b.cidr.value),
        None => format!("{ip} does not match ipBlock {}", b.describe()),
    }
}

/// "`team` is not set", "app=api, not web" for each failed requirement.
pub fn describe_failures(failed: &[Requirement], labels: &Labels) -> String {
    let parts: Vec<String> = failed
        .iter()
        .map(|r| {
            let actual = labels.get(&r.key);
            match (r.op, actual) {
                (Operator::In | Operator::Exists, None) => format!("label `{}` is not set", r.key),
                (Operator::In, Some(v)) if r.values.len() == 1 => {
                    format!("{}={v}, not {}", r.key, r.values[0])
                }
                (Operator::In, Some(v)) => {
                    format!("{}={v}, not in ({})", r.key, r.values.join(","))
                }
                (Operator::NotIn, Some(v)) => format!("{}={v} is excluded", r.key),
                (Operator::DoesNotExist, Some(v)) => {
                    format!("label `{}` is set ({}={v})", r.key, r.key)
                }
                _ => format!("{r} fails"),
            }
        })
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels::Requirement;

    #[test]
    fn failures_read_plainly() {
        let labels = Labels::from_pairs([("app", "api"), ("legacy", "yes")]);
        let req = |key: &str, op, values: &[&str]| Requirement {
            key: key.into(),
            op,
            values: values.iter().map(|s| s.to_string()).collect(),
            span: Span::default(),
        };
        let text = describe_failures(
            &[
                req("app", Operator::In, &["web"]),
                req("team", Operator::Exists, &[]),
                req("legacy", Operator::DoesNotExist, &[]),
                req("app", Operator::NotIn, &["api"]),
            ],
            &labels,
        );
        assert_eq!(
            text,
            "app=api, not web; label `team` is not set; label `legacy` is set (legacy=yes); app=api is excluded"
        );
    }
}

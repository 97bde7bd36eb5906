//! What the cluster would contain once the manifests are applied.
//!
//! The loader produces [`Object`]s; [`Cluster::build`] turns them into namespaces (declared or
//! implied, each labelled `kubernetes.io/metadata.name`), endpoints (pods, and workloads
//! standing for their pods, each counted once), services and policies, with indexes the
//! engine needs. Policies the API server would reject (see [`validate`]) are kept for the
//! linter but not applied.

pub mod build;
pub mod calico;
pub mod cilium;
pub mod cluster_policy;
pub mod endpoint;
pub mod ip;
pub mod ir;
pub mod labels;
pub mod migrate;
pub mod policy;
pub mod ports;
pub mod selector;
pub mod validate;

use std::collections::HashMap;
use std::net::IpAddr;

pub use cluster_policy::{ClusterPolicy, Node};
pub use endpoint::{ContainerPort, Endpoint, EndpointKind, NsId};
pub use labels::{LabelSelector, Labels};
pub use policy::{Direction, NetworkPolicy, PolicyPort, Rule};
pub use ports::{PortSet, Protocol};

use crate::base::span::Span;
use crate::base::value::IntOrString;

/// The label the API server puts on every namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The annotation by which the alpha API (Kubernetes 1.2) isolated a namespace:
/// `on`/`off` (Calico wrote `yes`/`no`); off by default.
pub const ALPHA_ISOLATION_ANNOTATION: &str = "net.alpha.kubernetes.io/network-isolation";

/// The annotation by which Kubernetes 1.3–1.6 isolated a namespace for ingress:
/// `{"ingress": {"isolation": "DefaultDeny"}}`.
pub const BETA_ISOLATION_ANNOTATION: &str = "net.beta.kubernetes.io/network-policy";

/// The misspelled key of the same annotation that the Kubernetes 1.3 documentation used.
pub const BETA_ISOLATION_ANNOTATION_1_3: &str = "net.beta.kubernetes.io/networkpolicy";

/// A namespace.
#[derive(Clone, Debug)]
pub struct Namespace {
    /// Its name.
    pub name: String,
    /// Labels, including `kubernetes.io/metadata.name`.
    pub labels: Labels,
    /// Annotations.
    pub annotations: Labels,
    /// The Namespace object, or None when the namespace is only implied by other objects.
    pub span: Option<Span>,
    /// Its `metadata.name`, when declared.
    pub name_span: Option<Span>,
}

impl Namespace {
    /// Whether the alpha isolation annotation is on (`on`, `yes`, `true`).
    pub fn alpha_isolated(&self) -> bool {
        matches!(
            self.annotations
                .get(ALPHA_ISOLATION_ANNOTATION)
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("on" | "yes" | "true")
        )
    }

    /// Whether the 1.3–1.6 annotation asks for DefaultDeny ingress isolation.
    pub fn beta_default_deny(&self) -> bool {
        [BETA_ISOLATION_ANNOTATION, BETA_ISOLATION_ANNOTATION_1_3]
            .iter()
            .filter_map(|k| self.annotations.get(k))
            .any(|v| {
                serde_json::from_str::<serde_json::Value>(v)
                    .ok()
                    .and_then(|j| {
                        j.get("ingress")?
                            .get("isolation")?
                            .as_str()
                            .map(|s| s == "DefaultDeny")
                    })
                    .unwrap_or(false)
            })
    }
}

/// How namespaced policies isolate pods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum IsolationModel {
    /// Kubernetes 1.7 and later: a pod is isolated by the policies that select it.
    #[default]
    PerPod,
    /// Kubernetes 1.3–1.6: a namespace isolates ingress only with the
    /// `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the
    /// namespace's policies have no effect; egress is never restricted.
    Annotation,
}

/// A port of a Service.
#[derive(Clone, Debug)]
pub struct ServicePort {
    /// `name`.
    pub name: Option<String>,
    /// `port`, the port clients use.
    pub port: u16,
    /// `protocol` (TCP by default).
    pub protocol: Protocol,
    /// `targetPort`: a number, or a container port name resolved on each backend. Defaults
    /// to `port`.
    pub target_port: Option<IntOrString>,
}

/// A Service: a name for the pods its selector picks.
#[derive(Clone, Debug)]
pub struct Service {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// spec.selector (None: a Service without selector, whose endpoints are managed by hand).
    pub selector: Option<Labels>,
    /// metadata.labels (what Cilium's `k8sServiceSelector` matches).
    pub labels: Labels,
    /// spec.ports.
    pub ports: Vec<ServicePort>,
    /// The object.
    pub span: Span,
}

/// An owner reference of a pod or workload.
#[derive(Clone, Debug)]
pub struct OwnerRef {
    /// The owner's kind.
    pub kind: String,
    /// The owner's name.
    pub name: String,
}

/// A pod or workload as read, before owners are folded.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Pod or workload kind.
    pub kind: EndpointKind,
    /// Namespace (defaulted).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// metadata.ownerReferences.
    pub owners: Vec<OwnerRef>,
    /// Pod labels (the template's for workloads).
    pub labels: Labels,
    /// metadata.annotations.
    pub annotations: Labels,
    /// Container ports: of `containers` and of init containers that keep running
    /// (`restartPolicy: Always`, native sidecars).
    pub ports: Vec<ContainerPort>,
    /// Ports of the other init containers, which end before the pod serves: Kubernetes
    /// named ports do not count them, Calico does (it reads every container's ports), so
    /// they join [`Workload::ports`] when the input holds Calico objects.
    pub init_ports: Vec<ContainerPort>,
    /// spec.hostNetwork.
    pub host_network: bool,
    /// spec.serviceAccountName (or the deprecated spec.serviceAccount); `default` when
    /// neither is written, as the API server sets it.
    pub service_account: String,
    /// status.podIP(s).
    pub ips: Vec<IpAddr>,
    /// spec.nodeName, for pods.
    pub node_name: Option<String>,
    /// status.phase, for pods.
    pub phase: Option<String>,
    /// The object.
    pub span: Span,
    /// Its `metadata.name`.
    pub name_span: Span,
}

/// An object the model understands, as produced by the loader.
#[derive(Clone, Debug)]
pub enum Object {
    /// A Namespace.
    Namespace(Namespace),
    /// A Pod or workload.
    Workload(Box<Workload>),
    /// A Service.
    Service(Service),
    /// A NetworkPolicy (any generation of the API).
    NetworkPolicy(Box<NetworkPolicy>),
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.
    ClusterPolicy(Box<ClusterPolicy>),
    /// A Node.
    Node(Node),
    /// A Calico policy, Tier or network set.
    Calico(Box<calico::CalicoObject>),
    /// A ServiceAccount (Calico selectors read its labels).
    ServiceAccount(ServiceAccount),
    /// A Cilium policy or CIDR group.
    Cilium(Box<cilium::CiliumObject>),
    /// A custom resource from which an operator may create pods at run time.
    CustomResource(Box<CustomResource>),
}

/// A custom resource of the input (a kind of a group that is not Kubernetes' own, which the
/// tool does not otherwise model): its operator may create pods in its namespace at run
/// time, pods the files do not hold.
#[derive(Clone, Debug)]
pub struct CustomResource {
    /// Its apiVersion group.
    pub group: String,
    /// Its kind.
    pub kind: String,
    /// Its namespace (defaulted).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The object.
    pub span: Span,
    /// The workloads its operator creates, when the tool knows the operator (the
    /// prometheus-operator's `Prometheus`, `Alertmanager`...): they join the model's
    /// workloads. Empty when it does not: the resource is then a [`PodSource`].
    pub workloads: Vec<Workload>,
    /// The operator that creates the workloads (for notes), when known.
    pub operator: Option<&'static str>,
}

/// A custom resource whose operator the tool does not know, so may create pods in its
/// namespace that the input does not hold (a `Kafka`, a `postgresql`...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSource {
    /// Its namespace.
    pub namespace: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The object.
    pub span: Span,
}

/// A ServiceAccount: its labels are what Calico's `serviceAccountSelector` and
/// `serviceAccounts.selector` match.
#[derive(Clone, Debug)]
pub struct ServiceAccount {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// metadata.labels.
    pub labels: Labels,
    /// The object.
    pub span: Span,
}

/// Index of a policy in [`Cluster::policies`].
pub type PolicyIdx = usize;

/// Why a policy of the input is not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplied {
    /// The API server would reject it; the problems are in [`validate`].
    Invalid,
    /// A later object with the same namespace and name replaces it (as `kubectl apply` would).
    Replaced {
        /// The policy that replaces it.
        by: PolicyIdx,
    },
}

/// The modelled cluster.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    /// Namespaces, sorted by name.
    pub namespaces: Vec<Namespace>,
    /// Endpoints, sorted by namespace, name and kind.
    pub endpoints: Vec<Endpoint>,
    /// Every NetworkPolicy of the input, in input order (applied or not).
    pub policies: Vec<NetworkPolicy>,
    /// Policies not applied, and why.
    pub not_applied: HashMap<PolicyIdx, NotApplied>,
    /// Services, sorted by namespace and name.
    pub services: Vec<Service>,
    /// Applied policies of each namespace, by [`NsId`].
    pub policies_by_ns: Vec<Vec<PolicyIdx>>,
    /// Objects folded into another endpoint or ignored while building, for `-v`.
    pub notes: Vec<(Span, String)>,
    /// Pods of the input left out because they have terminated: namespace, name and phase
    /// (so that naming one says why it is not there).
    pub terminated: Vec<(String, String, String)>,
    /// Every cluster-wide policy of the input (applied or not).
    pub cluster_policies: Vec<ClusterPolicy>,
    /// Cluster-wide policies not applied, and why.
    pub cluster_not_applied: HashMap<usize, NotApplied>,
    /// Applied Admin-tier policies, in evaluation order.
    pub admin_tier: Vec<usize>,
    /// Applied Baseline-tier policies, in evaluation order.
    pub baseline_tier: Vec<usize>,
    /// Nodes, sorted by name.
    pub nodes: Vec<Node>,
    /// How namespaced policies isolate pods.
    pub isolation: IsolationModel,
    /// Every applied policy, lowered into the one policy model the engines read.
    pub ir: ir::Model,
    /// Every Calico policy of the input (applied or not), in input order.
    pub calico_policies: Vec<calico::CalicoPolicy>,
    /// Calico policies not applied, and why.
    pub calico_not_applied: HashMap<usize, NotApplied>,
    /// Calico Tiers, in input order (a later one of the same name replaces an earlier one).
    pub calico_tiers: Vec<calico::CalicoTier>,
    /// Calico NetworkSets and GlobalNetworkSets, in input order.
    pub network_sets: Vec<calico::NetworkSet>,
    /// ServiceAccounts, sorted by namespace and name.
    pub service_accounts: Vec<ServiceAccount>,
    /// What the model met but does not evaluate, or evaluates with a caveat, with where it is
    /// (printed as warnings; `check` reports them).
    pub warnings: Vec<(Span, String)>,
    /// Every Cilium policy of the input (applied or not), in input order.
    pub cilium_policies: Vec<cilium::CiliumPolicy>,
    /// Cilium policies not applied, and why.
    pub cilium_not_applied: HashMap<usize, NotApplied>,
    /// CiliumCIDRGroups (the last of each name).
    pub cidr_groups: Vec<cilium::CidrGroup>,
    /// The network plugin taken to enforce the policies.
    pub cni: Cni,
    /// DNS names that policies name (`toFQDNs` `matchName`) or the user asks about, each
    /// standing for the unknown address it resolves to.
    pub fqdns: Vec<Fqdn>,
    /// Custom resources that may create pods the input does not hold, sorted by namespace,
    /// kind and name (the last of each).
    pub pod_sources: Vec<PodSource>,
    /// Pods, workloads, Services and Namespaces of the input replaced by a later object of
    /// the same kind, namespace and name, in input order (NetworkPolicies: see
    /// [`Cluster::not_applied`]).
    pub replaced: Vec<Replaced>,
}

/// An object of the input that a later one of the same kind, namespace and name replaces, as
/// `kubectl apply` of the files in order would: the model keeps the later one only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// `Deployment`, `Pod`, `Service`, `Namespace`...
    pub kind: &'static str,
    /// Its namespace (empty for a Namespace).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Where the replaced object is (its `metadata.name`, or the object).
    pub span: Span,
    /// Where the object that replaces it is.
    pub by: Span,
}

/// A DNS name as a party: an address outside the cluster whose value is not known offline.
/// Each gets a stand-in address of its own in 240.0.0.0/4 (reserved, never routed), so that
/// the engines treat it as one more external address; explanations show the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fqdn {
    /// The name, lower case, without a trailing dot.
    pub name: String,
    /// Its stand-in address.
    pub address: IpAddr,
}

/// The annotation of a pod the user described on the command line rather than the files.
pub const DESCRIBED_ANNOTATION: &str = "netpol.kubectl.dev/described";

/// The name of a described pod: its labels as typed, `{app=controller,tier=edge}`.
pub fn described_name(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(","))
}

/// The block the stand-in addresses of DNS names come from.
pub const FQDN_BLOCK: &str = "240.0.0.0/4";

/// The network plugin that enforces the policies: it decides which policy APIs exist and
/// what some Kubernetes NetworkPolicy constructs mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Cni {
    /// The Kubernetes API's meaning, as the upstream e2e tests check it (any conformant
    /// plugin); AdminNetworkPolicies as the network-policy-api project defines them.
    #[default]
    Kubernetes,
    /// Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its
    /// `default` tier.
    Calico,
    /// Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes
    /// policies as Cilium enforces them (`ipBlock` only outside the cluster).
    Cilium,
}

impl Cni {
    /// `kubernetes`, `calico`, `cilium`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cni::Kubernetes => "kubernetes",
            Cni::Calico => "calico",
            Cni::Cilium => "cilium",
        }
    }
}

/// How Cilium's agent enforces policy (`--enable-policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum CiliumEnforcement {
    /// An endpoint is in default deny for a direction once a policy selects it there.
    #[default]
    Default,
    /// Every endpoint is in default deny both ways, selected or not.
    Always,
    /// No policy is enforced: everything is allowed.
    Never,
}

/// How to build a cluster: the choices that change what the policies mean.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// How namespaced policies isolate pods.
    pub isolation: IsolationModel,
    /// Evaluate Calico's staged policies as if they were enforced (they are not: staging is
    /// for seeing what a policy would do before enforcing it).
    pub with_staged: bool,
    /// The network plugin that enforces the policies (None: inferred from the input's
    /// policy kinds).
    pub cni: Option<Cni>,
    /// How Cilium enforces policy.
    pub cilium_enforcement: CiliumEnforcement,
    /// DNS names the user asks about (`can-reach pod api.example.com`), made parties.
    pub fqdn_targets: Vec<String>,
    /// Pods the user describes by namespace and labels (`can-reach
    /// 'ingress-nginx{app=controller}' shop/web`): pods the files do not hold, added as
    /// pods named by their labels and annotated [`DESCRIBED_ANNOTATION`].
    pub described_targets: Vec<(String, Labels)>,
}

impl Cluster {
    /// The id of a namespace by name.
    pub fn ns_id(&self, name: &str) -> Option<NsId> {
        self.namespaces
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(|i| i as NsId)
    }

    /// A namespace by id.
    pub fn ns(&self, id: NsId) -> &Namespace {
        &self.namespaces[id as usize]
    }

    /// Whether a policy is applied.
    pub fn is_applied(&self, idx: PolicyIdx) -> bool {
        !self.not_applied.contains_key(&idx)
    }

    /// Whether the input holds Calico objects (policies, Tiers, network sets): then Calico
    /// is taken to enforce every policy, Kubernetes' included.
    pub fn has_calico_objects(&self) -> bool {
        !self.calico_policies.is_empty()
            || !self.calico_tiers.is_empty()
            || !self.network_sets.is_empty()
    }

    /// Whether the input holds Cilium policies or CIDR groups.
    pub fn has_cilium_objects(&self) -> bool {
        !self.cilium_policies.is_empty() || !self.cidr_groups.is_empty()
    }

    /// The plugin the input's policy kinds point to: Calico or Cilium when it holds their
    /// objects (Calico when it holds both: [`Cluster::cni_conflict`] says so), else
    /// Kubernetes.
    pub fn inferred_cni(&self) -> Cni {
        if self.has_calico_objects() {
            Cni::Calico
        } else if self.has_cilium_objects() {
            Cni::Cilium
        } else {
            Cni::Kubernetes
        }
    }

    /// When the input holds both Calico and Cilium objects: one of each (the first), since
    /// a cluster runs one plugin and `--cni` must say which.
    pub fn cni_conflict(&self) -> Option<(Span, Span)> {
        let calico = self
            .calico_policies
            .iter()
            .map(|p| p.span)
            .chain(self.calico_tiers.iter().map(|t| t.span))
            .chain(self.network_sets.iter().map(|s| s.span))
            .min_by_key(|s| (s.file, s.start))?;
        let cilium = self
            .cilium_policies
            .iter()
            .map(|p| p.span)
            .chain(self.cidr_groups.iter().map(|g| g.span))
            .min_by_key(|s| (s.file, s.start))?;
        Some((calico, cilium))
    }

    /// Whether a Cilium policy is applied (valid, not replaced).
    pub fn cilium_applied(&self, idx: usize) -> bool {
        !self.cilium_not_applied.contains_key(&idx)
    }

    /// Whether a Calico policy is applied (valid, not replaced).
    pub fn calico_applied(&self, idx: usize) -> bool {
        !self.calico_not_applied.contains_key(&idx)
    }

    /// Applied policies of a namespace.
    pub fn policies_in(&self, ns: NsId) -> impl Iterator<Item = (PolicyIdx, &NetworkPolicy)> {
        self.policies_by_ns
            .get(ns as usize)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.policies[i]))
    }

    /// Every applied policy.
    pub fn applied_policies(&self) -> impl Iterator<Item = (PolicyIdx, &NetworkPolicy)> {
        self.policies
            .iter()
            .enumerate()
            .filter(|(i, _)| self.is_applied(*i))
    }

    /// Whether an applied policy selects the endpoint (same namespace, podSelector matches;
    /// hostNetwork pods are never selected).
    pub fn selects(&self, policy: &NetworkPolicy, ep: &Endpoint) -> bool {
        !ep.host_network
            && policy.namespace == ep.namespace
            && policy.pod_selector.matches(&ep.labels)
    }

    /// Whether the namespace itself isolates its pods in a direction: the alpha isolation
    /// annotation, or (with the annotation isolation model) the 1.3–1.6 DefaultDeny one.
    pub fn namespace_isolates(&self, ns: NsId, dir: Direction) -> bool {
        let ns = self.ns(ns);
        dir == Direction::Ingress
            && (ns.alpha_isolated()
                || (self.isolation == IsolationModel::Annotation && ns.beta_default_deny()))
    }

    /// Whether a policy isolates the pods it selects in a direction (per-pod isolation).
    pub fn policy_isolates(&self, policy: &NetworkPolicy, dir: Direction) -> bool {
        policy.api != policy::PolicyApi::Alpha
            && self.isolation == IsolationModel::PerPod
            && policy.affects(dir)
    }

    /// Whether a policy's rules of a direction take effect: for the alpha API and under the
    /// annotation model, only in an isolated namespace.
    pub fn policy_active(&self, policy: &NetworkPolicy, dir: Direction) -> bool {
        let ns = || self.ns_id(&policy.namespace).map(|id| self.ns(id));
        match (policy.api, self.isolation) {
            (policy::PolicyApi::Alpha, _) => {
                dir == Direction::Ingress && ns().is_some_and(Namespace::alpha_isolated)
            }
            (_, IsolationModel::PerPod) => policy.affects(dir),
            (_, IsolationModel::Annotation) => {
                dir == Direction::Ingress
                    && policy.affects(dir)
                    && ns().is_some_and(Namespace::beta_default_deny)
            }
        }
    }

    /// Whether the NetworkPolicy tier isolates an endpoint in a direction.
    pub fn np_isolated(&self, ep: &Endpoint, dir: Direction) -> bool {
        !ep.host_network
            && (self.namespace_isolates(ep.ns, dir)
                || self
                    .policies_in(ep.ns)
                    .any(|(_, p)| self.policy_isolates(p, dir) && self.selects(p, ep)))
    }

    /// The applied policies whose rules of `dir` count for an endpoint.
    pub fn np_rules_for<'a>(
        &'a self,
        ep: &'a Endpoint,
        dir: Direction,
    ) -> impl Iterator<Item = (PolicyIdx, &'a NetworkPolicy)> + 'a {
        self.policies_in(ep.ns)
            .filter(move |(_, p)| self.policy_active(p, dir) && self.selects(p, ep))
    }

    /// The ServiceAccount object of a namespace and name, when the input holds it.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccount> {
        self.service_accounts
            .binary_search_by(|s| (s.namespace.as_str(), s.name.as_str()).cmp(&(namespace, name)))
            .ok()
            .map(|i| &self.service_accounts[i])
    }

    /// Whether the input describes the namespace completely (its pods are those of the
    /// input): it declares it with a Namespace object, or, when it declares no namespace at
    /// all, it holds workloads there. A namespace only implied beside declared ones (a
    /// DaemonSet put in kube-system) or not mentioned is not described: it may hold any pods.
    pub fn describes_namespace(&self, name: &str) -> bool {
        let Some(id) = self.ns_id(name) else {
            return false;
        };
        if self.ns(id).span.is_some() {
            return true;
        }
        !self.namespaces.iter().any(|n| n.span.is_some())
            && self
                .endpoints
                .iter()
                .any(|e| e.ns == id && !e.is_described())
    }

    /// The custom resources of a namespace that may create pods the input does not hold.
    pub fn pod_sources_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a PodSource> {
        self.pod_sources
            .iter()
            .filter(move |s| s.namespace == namespace)
    }

    /// The DNS name whose stand-in address is `ip`.
    pub fn fqdn_at(&self, ip: IpAddr) -> Option<&str> {
        self.fqdns
            .iter()
            .find(|f| f.address == ip)
            .map(|f| f.name.as_str())
    }

    /// How an external address range is named: the DNS name whose stand-in address it is,
    /// or the range.
    pub fn external_name(&self, range: &ip::AddrRange) -> String {
        if range.start == range.end
            && let Some(name) = self.fqdn_at(range.first())
        {
            return name.to_string();
        }
        range.to_string()
    }

    /// The stand-in address of a DNS name.
    pub fn fqdn_address(&self, name: &str) -> Option<IpAddr> {
        let name = ir::normalize_fqdn(name);
        self.fqdns
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.address)
    }

    /// The endpoint whose known IPs include `ip`.
    pub fn endpoint_with_ip(&self, ip: IpAddr) -> Option<usize> {
        self.endpoints.iter().position(|e| e.ips.contains(&ip))
    }
}

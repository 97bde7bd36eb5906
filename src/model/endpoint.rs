//! Endpoints: the pods of the cluster, and workloads whose pod template stands for their pods.
//!
//! - A workload endpoint (Deployment, StatefulSet, ...) carries its template's labels and
//!   container ports; it has an IP only when the input also holds its running pods (a cluster
//!   dump), whose IPs it then gathers.
//! - A `hostNetwork` pod shares its node's network namespace: no NetworkPolicy selects it,
//!   and as a peer only an ipBlock holding its (node) IP matches it, never a pod or namespace
//!   selector. See the README's semantics section.

use std::fmt;
use std::net::IpAddr;

use super::labels::Labels;
use super::ports::Protocol;
use crate::base::span::Span;

/// What kind of object an endpoint comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointKind {
    /// A Pod.
    Pod,
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 ReplicaSet.
    ReplicaSet,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// batch/v1 CronJob.
    CronJob,
    /// v1 ReplicationController.
    ReplicationController,
}

impl EndpointKind {
    /// Every kind.
    pub const ALL: [EndpointKind; 8] = [
        EndpointKind::Pod,
        EndpointKind::Deployment,
        EndpointKind::ReplicaSet,
        EndpointKind::StatefulSet,
        EndpointKind::DaemonSet,
        EndpointKind::Job,
        EndpointKind::CronJob,
        EndpointKind::ReplicationController,
    ];

    /// The API kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Pod => "Pod",
            EndpointKind::Deployment => "Deployment",
            EndpointKind::ReplicaSet => "ReplicaSet",
            EndpointKind::StatefulSet => "StatefulSet",
            EndpointKind::DaemonSet => "DaemonSet",
            EndpointKind::Job => "Job",
            EndpointKind::CronJob => "CronJob",
            EndpointKind::ReplicationController => "ReplicationController",
        }
    }

    /// Parses an API kind.
    pub fn from_kind(kind: &str) -> Option<EndpointKind> {
        EndpointKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Parses a kind as typed on the command line: `deployment`, `deploy`, `sts`, `po`...
    pub fn from_cli(s: &str) -> Option<EndpointKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "pod" | "pods" | "po" => EndpointKind::Pod,
            "deployment" | "deployments" | "deploy" => EndpointKind::Deployment,
            "replicaset" | "replicasets" | "rs" => EndpointKind::ReplicaSet,
            "statefulset" | "statefulsets" | "sts" => EndpointKind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => EndpointKind::DaemonSet,
            "job" | "jobs" => EndpointKind::Job,
            "cronjob" | "cronjobs" | "cj" => EndpointKind::CronJob,
            "replicationcontroller" | "replicationcontrollers" | "rc" => {
                EndpointKind::ReplicationController
            }
            _ => return None,
        })
    }

    /// The short form used in endpoint names (`deploy`, `sts`...); empty for pods.
    pub fn short(self) -> &'static str {
        match self {
            EndpointKind::Pod => "",
            EndpointKind::Deployment => "deploy",
            EndpointKind::ReplicaSet => "rs",
            EndpointKind::StatefulSet => "sts",
            EndpointKind::DaemonSet => "ds",
            EndpointKind::Job => "job",
            EndpointKind::CronJob => "cronjob",
            EndpointKind::ReplicationController => "rc",
        }
    }
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A container port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerPort {
    /// `name`, what named ports in rules resolve against.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol` (TCP by default).
    pub protocol: Protocol,
}

/// Index of a namespace in [`super::Cluster::namespaces`].
pub type NsId = u32;

/// A pod, or a workload standing for its pods.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Its namespace.
    pub ns: NsId,
    /// Its namespace's name.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// Where it comes from.
    pub kind: EndpointKind,
    /// Pod labels (the template's for a workload).
    pub labels: Labels,
    /// metadata.annotations of the object.
    pub annotations: Labels,
    /// Known pod IPs (status.podIP / status.podIPs; for a workload, those of its pods).
    pub ips: Vec<IpAddr>,
    /// Container ports.
    pub ports: Vec<ContainerPort>,
    /// The Node it runs on (spec.nodeName; for a workload, the node of its pods when they
    /// all run on one).
    pub node_name: Option<String>,
    /// spec.hostNetwork.
    pub host_network: bool,
    /// Its service account (`default` when none is written).
    pub service_account: String,
    /// The object.
    pub span: Span,
    /// Its `metadata.name`.
    pub name_span: Span,
    /// Pods and ReplicaSets of the input folded into this workload (`namespace/name`).
    pub members: Vec<String>,
    /// Its first ownerReference, whose object is not in the input (else it would have been
    /// folded into it): the ReplicaSet of a pod from a `kubectl get pods` dump.
    pub owner: Option<super::OwnerRef>,
}

impl Endpoint {
    /// `namespace/name` for pods, `namespace/kind/name` for workloads... kept short:
    /// `shop/web` for a pod, `shop/deploy/web` for a Deployment.
    pub fn id(&self) -> String {
        match self.kind {
            EndpointKind::Pod => format!("{}/{}", self.namespace, self.name),
            k => format!("{}/{}/{}", self.namespace, k.short(), self.name),
        }
    }

    /// The workload it belongs to, named within its namespace the way people name it: a
    /// workload itself (`deploy/web`); a pod by its owner not in the input (a ReplicaSet
    /// named `<deployment>-<pod-template-hash>` as its Deployment, `deploy/web`; another
    /// owner as `sts/db`, `job/backup-2890`...); a bare pod by the label that names its
    /// application (`app.kubernetes.io/name`, `app`, `k8s-app`: `app=web`); else by its own
    /// name. Pods that share it are replicas of one workload, though policies may still
    /// tell them apart (by other labels).
    pub fn workload(&self) -> String {
        if self.kind != EndpointKind::Pod {
            return format!("{}/{}", self.kind.short(), self.name);
        }
        if let Some(owner) = &self.owner {
            let kind = EndpointKind::from_kind(&owner.kind);
            let deployment = self
                .labels
                .get("pod-template-hash")
                .and_then(|h| owner.name.strip_suffix(h))
                .and_then(|n| n.strip_suffix('-'))
                .filter(|n| !n.is_empty() && kind == Some(EndpointKind::ReplicaSet));
            return match (deployment, kind) {
                (Some(d), _) => format!("deploy/{d}"),
                (None, Some(k)) if k != EndpointKind::Pod => {
                    format!("{}/{}", k.short(), owner.name)
                }
                _ => format!("{}/{}", owner.kind.to_ascii_lowercase(), owner.name),
            };
        }
        for key in ["app.kubernetes.io/name", "app", "k8s-app"] {
            if let Some(v) = self.labels.get(key) {
                return format!("{key}={v}");
            }
        }
        self.name.clone()
    }

    /// Whether the user described it on the command line or in an expectation (a pod of
    /// another team's namespace), rather than the files holding it.
    pub fn is_described(&self) -> bool {
        self.annotations.contains_key(super::DESCRIBED_ANNOTATION)
    }

    /// Whether it is a single pod (so that reaching itself is loopback).
    pub fn is_pod(&self) -> bool {
        self.kind == EndpointKind::Pod
    }
}

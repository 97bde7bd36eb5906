//! Least-privilege NetworkPolicies written from the flows that must happen: `kubectl netpol
//! generate`.
//!
//! The flows come as [`Want`]s — connectivity expectations (`check --expect`'s format, read
//! by the command line) or recorded flows (Hubble's JSON export, a CSV: [`wants_from_flows`])
//! — and are resolved on the cluster the manifests describe ([`resolve`]). The plan
//! ([`plan`]) groups endpoints into workloads and flows into connections between them,
//! chooses for each workload the labels a person would select it by ([`crate::fix::labels`]), and
//! writes ([`policies`]) per covered namespace (one holding an end of an allowed flow other
//! than a DNS lookup):
//!
//! - `default-deny`: every pod isolated for ingress and egress;
//! - `allow-dns`: every pod may ask the cluster DNS (UDP and TCP 53), since egress isolation
//!   blocks name resolution too;
//! - `allow-<workload>-ingress` / `allow-<workload>-egress`: one rule per peer, for the flows
//!   listed, with a comment naming each flow and where it was written.
//!
//! [`render`] writes the plan as YAML, in the policy API of [`Options::api`] (Kubernetes
//! NetworkPolicies, Calico's or Cilium's policies: the same plan, the same meaning); [`check`] proves it on the text written: the input
//! manifests with the covered namespaces' NetworkPolicies replaced by the generated ones,
//! loaded and built again, every listed flow allowed, every `expect: deny` denied, and every
//! other allowed connection of the covered workloads one the plan documents (DNS; what a
//! selector that cannot tell two workloads apart, or an ipBlock holding pod addresses,
//! matches too).
//!
//! Invariants: a want is either planned or reported with why ([`plan::Plan::problems`]);
//! an `expect: deny` is never written as a rule, only checked; what the plan means on its
//! own ([`meaning`]) is what the engine's evaluation of the text is held to (by [`check`],
//! and pair by pair by the property test `tests/generate_proves.rs`).

pub mod check;
pub mod meaning;
pub mod plan;
pub mod policies;
pub mod render;
pub mod resolve;

use std::fmt;

use ipnet::IpNet;

use crate::load::flows::{FlowFile, Observed, Peer};
use crate::model::ports::{PortQuery, QueryPort};

/// Where a wanted flow was written: a file and its line (from 1).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The file, as named on the command line.
    pub file: String,
    /// The line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One end of a wanted flow, as it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// A name as `can-reach` takes it: `ns/name`, `ns/kind/name`, `ns/svc/name` (the pods a
    /// Service selects, its port mapped to the targetPort), an IP address.
    Name(String),
    /// Every pod or workload carrying these labels, in one namespace or in all.
    Match {
        /// The namespace (None: every namespace).
        namespace: Option<String>,
        /// Labels the endpoint must carry, all of them.
        labels: Vec<(String, String)>,
    },
    /// Addresses outside the cluster in a CIDR.
    Cidr(IpNet),
    /// A recorded peer (Hubble, CSV), mapped as `replay` maps it.
    Recorded(Peer),
}

/// What is wanted of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It must be allowed: the policies are written for it.
    Allow,
    /// It must stay denied: never written, only checked.
    Deny,
}

/// A flow that must be allowed, or must stay denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Want {
    /// Where it was written.
    pub origin: Origin,
    /// The sources.
    pub from: End,
    /// The destinations.
    pub to: End,
    /// The port (a name resolves on the destination); None: for `Allow`, the ports the
    /// destination's containers declare (every port when they declare none); for `Deny`,
    /// every port.
    pub port: Option<PortQuery>,
    /// Allowed or denied.
    pub verdict: Verdict,
}

/// The cluster DNS the pods of the covered namespaces are let out to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    /// Its namespace (`kube-system`).
    pub namespace: String,
    /// The labels of its pods (`k8s-app: kube-dns`).
    pub labels: Vec<(String, String)>,
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            namespace: "kube-system".into(),
            labels: vec![("k8s-app".into(), "kube-dns".into())],
        }
    }
}

/// The policy API the policies are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Api {
    /// Kubernetes NetworkPolicies (`networking.k8s.io/v1`), which every plugin enforces.
    #[default]
    Kubernetes,
    /// Calico `projectcalico.org/v3` NetworkPolicies, in the default tier.
    Calico,
    /// Cilium `cilium.io/v2` CiliumNetworkPolicies.
    Cilium,
}

impl Api {
    /// The network plugin that must enforce policies of this API (None: any).
    pub fn cni(self) -> Option<crate::model::Cni> {
        match self {
            Api::Kubernetes => None,
            Api::Calico => Some(crate::model::Cni::Calico),
            Api::Cilium => Some(crate::model::Cni::Cilium),
        }
    }

    /// The kind written, plural: `NetworkPolicies`, `Calico NetworkPolicies`,
    /// `CiliumNetworkPolicies`.
    pub fn kinds(self) -> &'static str {
        match self {
            Api::Kubernetes => "NetworkPolicies",
            Api::Calico => "Calico NetworkPolicies",
            Api::Cilium => "CiliumNetworkPolicies",
        }
    }
}

/// How to generate.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The policy API written.
    pub api: Api,
    /// The cluster DNS.
    pub dns: Dns,
    /// The namespace of names written without one (`-n`, else `default`).
    pub default_namespace: String,
    /// What the flows were read from, for the header of each file.
    pub sources: Vec<String>,
}

/// Recorded flows not turned into wants: they did not happen, so nothing is written for
/// them (each is counted by what the recording says of it, with its lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// By verdict (`DROPPED by a policy`, `AUDIT`...): the file and lines.
    pub by_verdict: Vec<(String, Vec<Origin>)>,
    /// Reply flows (the connection is the request's).
    pub replies: usize,
    /// Flows without a TCP, UDP or SCTP port.
    pub non_l4: usize,
}

/// Hubble verdicts, besides FORWARDED, of flows that went through: AUDIT (a policy would
/// drop it, in audit mode: what a recording made to write policies holds), REDIRECTED (to
/// the proxy), TRACED, TRANSLATED.
pub const WENT_THROUGH: &[&str] = &["AUDIT", "REDIRECTED", "TRACED", "TRANSLATED"];

/// The wants of recorded flows: every flow that went through (Hubble's FORWARDED and
/// [`WENT_THROUGH`], every CSV line) must be allowed; the others (DROPPED, ERROR, no
/// verdict) are [`Skipped`], with their lines.
pub fn wants_from_flows(files: &[FlowFile]) -> (Vec<Want>, Skipped) {
    let mut wants = Vec::new();
    let mut skipped = Skipped::default();
    for file in files {
        skipped.replies += file.replies;
        skipped.non_l4 += file.non_l4;
        for flow in &file.flows {
            let origin = Origin {
                file: file.name.clone(),
                line: flow.line,
            };
            let verdict = match &flow.observed {
                Observed::Forwarded | Observed::Happens => None,
                Observed::Other(v) if WENT_THROUGH.contains(&v.as_str()) => None,
                Observed::PolicyDenied => Some("DROPPED by a policy".to_string()),
                Observed::Other(v) => Some(v.clone()),
            };
            if let Some(v) = verdict {
                match skipped.by_verdict.iter_mut().find(|(k, _)| *k == v) {
                    Some((_, lines)) => lines.push(origin),
                    None => skipped.by_verdict.push((v, vec![origin])),
                }
                continue;
            }
            wants.push(Want {
                origin,
                from: End::Recorded(flow.src.clone()),
                to: End::Recorded(flow.dst.clone()),
                port: Some(PortQuery {
                    protocol: flow.protocol,
                    port: QueryPort::Number(flow.port),
                }),
                verdict: Verdict::Allow,
            });
        }
    }
    (wants, skipped)
}

/// Generates the policies for `wants` on `cluster`: the plan, which [`render`] writes and
/// [`check`] proves.
pub fn generate(cluster: &crate::model::Cluster, wants: &[Want], options: &Options) -> plan::Plan {
    plan::plan(cluster, wants, options)
}

/// The cluster a YAML text describes (tests).
#[cfg(test)]
pub(crate) fn cluster_of(text: &str) -> crate::model::Cluster {
    let loaded = crate::load::load_texts(&[("t.yaml", text)], &crate::load::LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    crate::model::Cluster::build(loaded.objects)
}

/// The options of the tests: names without a namespace are in `default`.
#[cfg(test)]
pub(crate) fn test_options() -> Options {
    Options {
        default_namespace: "default".into(),
        ..Options::default()
    }
}

/// A want of line `line` of `f.yaml` (tests): an end that parses as a CIDR is one, any
/// other a name.
#[cfg(test)]
pub(crate) fn test_want(
    line: usize,
    from: &str,
    to: &str,
    port: Option<&str>,
    verdict: Verdict,
) -> Want {
    let end = |s: &str| match s.parse::<ipnet::IpNet>() {
        Ok(n) => End::Cidr(n),
        Err(_) => End::Name(s.into()),
    };
    Want {
        origin: Origin {
            file: "f.yaml".into(),
            line,
        },
        from: end(from),
        to: end(to),
        port: port.map(|p| p.parse().unwrap()),
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::flows::parse;
    use crate::model::Protocol;

    #[test]
    fn recorded_flows_that_happened_are_wanted_and_the_others_counted() {
        let text = [
            r#"{"flow":{"verdict":"FORWARDED","l4":{"TCP":{"destination_port":8080}},"source":{"namespace":"a","pod_name":"x"},"destination":{"namespace":"a","pod_name":"y"}}}"#,
            r#"{"flow":{"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","l4":{"TCP":{"destination_port":80}},"source":{"namespace":"a","pod_name":"x"},"destination":{"namespace":"a","pod_name":"y"}}}"#,
            r#"{"flow":{"verdict":"FORWARDED","is_reply":true,"l4":{"TCP":{"destination_port":5}}}}"#,
            r#"{"flow":{"verdict":"AUDIT","l4":{"UDP":{"destination_port":53}},"source":{"namespace":"a","pod_name":"x"},"destination":{"namespace":"a","pod_name":"y"}}}"#,
            r#"{"flow":{"verdict":"ERROR","l4":{"UDP":{"destination_port":53}},"source":{"namespace":"a","pod_name":"x"},"destination":{"namespace":"a","pod_name":"y"}}}"#,
        ]
        .join("\n");
        let (wants, skipped) = wants_from_flows(&[parse("h.json", &text)]);
        assert_eq!(wants.len(), 2);
        assert_eq!(wants[0].origin.to_string(), "h.json:1");
        assert_eq!(wants[1].origin.to_string(), "h.json:4");
        assert_eq!(
            wants[0].port,
            Some(PortQuery {
                protocol: Protocol::Tcp,
                port: QueryPort::Number(8080)
            })
        );
        assert_eq!(skipped.replies, 1);
        let verdicts: Vec<(&str, Vec<usize>)> = skipped
            .by_verdict
            .iter()
            .map(|(v, o)| (v.as_str(), o.iter().map(|o| o.line).collect()))
            .collect();
        assert_eq!(
            verdicts,
            vec![("DROPPED by a policy", vec![2]), ("ERROR", vec![5])]
        );
    }
}

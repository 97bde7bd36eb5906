//! The proof of a plan, on the text written: the input manifests with the covered
//! namespaces' Kubernetes NetworkPolicies replaced by the generated YAML, loaded and built
//! as the input was, and evaluated by the engine ([`crate::engine::matrix`],
//! [`crate::engine::explain`]).
//!
//! What holds when [`Proof::holds`]:
//! - the generated text loads without a problem, and the API server would accept every
//!   policy in it;
//! - every pair of every `expect: allow` (or recorded flow) is allowed on its port;
//! - every pair of every `expect: deny` is denied on its port (every port without one);
//! - every other connection allowed from or to an endpoint of a covered namespace (other
//!   endpoints, and the address ranges the ipBlocks cut) is one the plan documents: DNS to
//!   the cluster DNS, or what a rule's selector matches beside the workload it was written
//!   for (said when generating). Anything else is listed as undocumented.
//!
//! Whether every covered pod reaches the cluster DNS is reported beside it, not part of it:
//! the DNS's own namespace may not be covered.
//!
//! Written in Calico's or Cilium's API, the text replaces the covered namespaces' namespaced
//! policies of that API too, and the cluster is built as that plugin enforces it (whatever
//! `build` says of the plugin). Other policy kinds (AdminNetworkPolicies, global or
//! clusterwide policies, the other plugin's) stay as the input has them, and take part in
//! the evaluation.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{Peer, Plan, peer_name};
use super::resolve::{Pair, Point};
use super::{Api, Origin};
use crate::engine::Party;
use crate::engine::explain::{explain, party_name};
use crate::engine::matrix::Matrix;
use crate::engine::replay::{Decider, deciders};
use crate::load::source::{SourceFile, SourceMap};
use crate::load::{self, LoadOptions};
use crate::model::calico::{CalicoKind, CalicoObject};
use crate::model::cilium::{CiliumKind, CiliumObject};
use crate::model::ip::AddrRange;
use crate::model::{BuildOptions, Cluster, NotApplied, Object, PortSet, Protocol};

/// A pair of a want whose verdict is not the one wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Where the want is written.
    pub origin: Origin,
    /// The source.
    pub src: String,
    /// The destination.
    pub dst: String,
    /// The port (None: any port).
    pub port: Option<(Protocol, u16)>,
    /// Why the engine answers as it does.
    pub why: String,
}

/// Connections allowed beyond the flows listed, from one workload (or address range) to
/// another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extra {
    /// The source workload (`shop/deploy/web`) or range.
    pub src: String,
    /// The destination.
    pub dst: String,
    /// The ports.
    pub ports: PortSet,
    /// Why they are allowed (for documented ones).
    pub why: String,
}

/// What the proof found.
#[derive(Clone, Debug, Default)]
pub struct Proof {
    /// The NetworkPolicies of the input the generated ones replace (`shop/allow-web`).
    pub replaced: Vec<String>,
    /// Problems of the generated text: it must load cleanly, every policy accepted.
    pub problems: Vec<String>,
    /// The flows to allow (wants), planned.
    pub allow_wants: usize,
    /// The flows to keep denied (wants).
    pub deny_wants: usize,
    /// Pairs of the listed flows checked.
    pub flows: usize,
    /// Those not allowed.
    pub failing: Vec<Failure>,
    /// Pairs of `expect: deny` checked.
    pub denies: usize,
    /// Those allowed.
    pub leaking: Vec<Failure>,
    /// Connections allowed beyond the flows listed, that the plan documents.
    pub documented: Vec<Extra>,
    /// Connections allowed beyond the flows listed, that nothing documents.
    pub undocumented: Vec<Extra>,
    /// Pairs of members (endpoints, address ranges) looked at for extras.
    pub pairs: usize,
    /// Covered workloads that cannot reach the cluster DNS on UDP and TCP 53, with what
    /// they lack (`shop/deploy/web → kube-system/deploy/coredns: UDP 53`).
    pub dns_blocked: Vec<String>,
    /// Whether the cluster DNS is in the input (else DNS is not checked).
    pub dns_present: bool,
}

impl Proof {
    /// Whether the plan is proven: no problem, no failing or leaking pair, no undocumented
    /// extra.
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
            && self.failing.is_empty()
            && self.leaking.is_empty()
            && self.undocumented.is_empty()
    }
}

/// The input with the generated policies in place of the covered namespaces' Kubernetes
/// NetworkPolicies, loaded and built again.
pub struct Rebuilt {
    /// The cluster.
    pub cluster: Cluster,
    /// Problems of the generated text (loading it; policies the API server rejects).
    pub problems: Vec<String>,
    /// The NetworkPolicies of the input replaced (`shop/allow-web`).
    pub replaced: Vec<String>,
}

/// Loads the files of `sources` (the input, as read) and the `generated` texts (`(name,
/// text)` of each file) as one input, drops the input's NetworkPolicies of the namespaces
/// `plan` covers (and, when the plan is written in Calico's or Cilium's API, the input's
/// namespaced policies of that API there), and builds the cluster with `build`, which must
/// be a cluster of the plugin that enforces the API ([`super::Api::cni`]).
pub fn rebuild(
    sources: &SourceMap,
    plan: &Plan,
    generated: &[(String, String)],
    load: &LoadOptions,
    build: &BuildOptions,
) -> Rebuilt {
    let mut problems = Vec::new();
    let mut replaced = Vec::new();
    let mut files: Vec<SourceFile> = sources
        .files()
        .iter()
        .map(|f| SourceFile::new(f.name.clone(), f.path.clone(), f.text.clone()))
        .collect();
    let first_generated = files.len();
    files.extend(
        generated
            .iter()
            .map(|(name, text)| SourceFile::new(name.as_str(), None, text.as_str())),
    );
    let loaded = load::load_files(files, Vec::new(), load);
    let is_generated = |file: crate::base::span::FileId| file.0 as usize >= first_generated;
    for p in &loaded.problems {
        if p.span.is_some_and(|s| is_generated(s.file)) {
            problems.push(p.render(&loaded.sources));
        }
    }
    let objects: Vec<Object> = loaded
        .objects
        .into_iter()
        .filter(|o| {
            let (span, namespace, name) = match o {
                Object::NetworkPolicy(p) => (p.span, Some(&p.namespace), p.name.clone()),
                Object::Calico(c) if plan.api == Api::Calico => match &**c {
                    CalicoObject::Policy(p) if p.kind == CalicoKind::NetworkPolicy => (
                        p.span,
                        p.namespace.as_ref(),
                        format!("{} {}", p.kind.as_str(), p.name),
                    ),
                    _ => return true,
                },
                Object::Cilium(c) if plan.api == Api::Cilium => match &**c {
                    CiliumObject::Policy(p) if p.kind == CiliumKind::NetworkPolicy => (
                        p.span,
                        p.namespace.as_ref(),
                        format!("{} {}", p.kind.as_str(), p.name),
                    ),
                    _ => return true,
                },
                _ => return true,
            };
            match namespace {
                Some(ns) if !is_generated(span.file) && plan.covered.contains(ns) => {
                    replaced.push(format!("{ns}/{name}"));
                    false
                }
                _ => true,
            }
        })
        .collect();
    // Policies of Calico's or Cilium's API are evaluated only in a cluster of that plugin.
    let mut build = build.clone();
    if let Some(cni) = plan.api.cni() {
        build.cni = Some(cni);
    }
    let cluster = Cluster::build_with(objects, &build);
    let mut refused: Vec<(usize, String)> = Vec::new();
    for (i, why) in &cluster.not_applied {
        let p = &cluster.policies[*i];
        if is_generated(p.span.file) {
            let why = match why {
                NotApplied::Invalid => "the API server rejects it".to_string(),
                NotApplied::Replaced { by } => format!(
                    "it is replaced by the later {}/{}",
                    cluster.policies[*by].namespace, cluster.policies[*by].name
                ),
            };
            refused.push((
                *i,
                format!("generated policy {} is not applied: {why}", p.id()),
            ));
        }
    }
    let generated_not_applied = |span: crate::base::span::Span, id: String, invalid: bool| {
        let why = if invalid {
            "the API server rejects it"
        } else {
            "it is replaced by a later one of its name"
        };
        is_generated(span.file).then(|| format!("generated policy {id} is not applied: {why}"))
    };
    for (i, n) in &cluster.calico_not_applied {
        let p = &cluster.calico_policies[*i];
        let id = format!("{} {}", p.kind.as_str(), p.id());
        if let Some(m) = generated_not_applied(p.span, id, *n == NotApplied::Invalid) {
            refused.push((usize::MAX - 1, m));
        }
    }
    for (i, n) in &cluster.cilium_not_applied {
        let p = &cluster.cilium_policies[*i];
        if let Some(m) = generated_not_applied(p.span, p.id(), *n == NotApplied::Invalid) {
            refused.push((usize::MAX, m));
        }
    }
    refused.sort();
    problems.extend(refused.into_iter().map(|(_, m)| m));
    // What the chosen plugin does not evaluate in the generated text.
    for (span, message) in &cluster.warnings {
        if is_generated(span.file) {
            problems.push(format!("generated text: {message}"));
        }
    }
    Rebuilt {
        cluster,
        problems,
        replaced,
    }
}

/// Proves `plan`, written as `generated` (`(name, text)` of each file), on the input it was
/// planned from: `input` (the cluster built from `sources`, with `load` and `build`).
pub fn prove(
    input: &Cluster,
    sources: &SourceMap,
    plan: &Plan,
    generated: &[(String, String)],
    load: &LoadOptions,
    build: &BuildOptions,
) -> Proof {
    let Rebuilt {
        cluster,
        problems,
        replaced,
    } = rebuild(sources, plan, generated, load, build);
    let mut proof = Proof {
        problems,
        replaced,
        ..Proof::default()
    };
    let same = cluster.endpoints.len() == input.endpoints.len()
        && cluster
            .endpoints
            .iter()
            .zip(&input.endpoints)
            .all(|(a, b)| a.id() == b.id());
    if !same {
        proof.problems.push(
            "the endpoints of the input changed when it was loaded again with the generated policies"
                .into(),
        );
        return proof;
    }
    let matrix = Matrix::compute(&cluster);
    wants(&mut proof, &cluster, &matrix, plan);
    extras(&mut proof, &cluster, &matrix, plan);
    dns(&mut proof, &cluster, &matrix, plan);
    proof
}

/// The matrix member of a party.
fn member(matrix: &Matrix, party: Party) -> Option<usize> {
    match party {
        Party::Endpoint(i) => Some(i),
        Party::Address(ip) => crate::lint::expect::address_member(matrix, ip),
    }
}

/// The parties a point stands for: an endpoint, or one address of each range of the
/// matrix that overlaps a CIDR (every address of a range is treated alike).
fn parties(matrix: &Matrix, p: Point) -> Vec<Party> {
    match p {
        Point::Endpoint(i) => vec![Party::Endpoint(i)],
        Point::Cidr(net) => {
            let cidr = AddrRange::from_net(&net);
            let mut out: Vec<Party> = matrix
                .externals
                .iter()
                .filter(|r| r.family == cidr.family && r.start <= cidr.end && cidr.start <= r.end)
                .map(|r| {
                    let at = AddrRange {
                        family: r.family,
                        start: r.start.max(cidr.start),
                        end: r.start.max(cidr.start),
                    };
                    Party::Address(at.first())
                })
                .collect();
            if out.is_empty() {
                out.push(Party::Address(cidr.first()));
            }
            out
        }
    }
}

fn allowed(cluster: &Cluster, matrix: &Matrix, src: Party, dst: Party) -> PortSet {
    match (member(matrix, src), member(matrix, dst)) {
        (Some(s), Some(d)) => matrix.allowed(s, d).clone(),
        _ => crate::engine::evaluate::allowed_ports(cluster, src, dst),
    }
}

fn is_loopback(cluster: &Cluster, src: Party, dst: Party) -> bool {
    matches!((src, dst), (Party::Endpoint(a), Party::Endpoint(b)) if a == b && cluster.endpoints[a].is_pod())
}

fn wants(proof: &mut Proof, cluster: &Cluster, matrix: &Matrix, plan: &Plan) {
    for w in &plan.wants {
        let allow = w.verdict == super::Verdict::Allow;
        if allow {
            proof.allow_wants += 1;
        } else {
            proof.deny_wants += 1;
        }
        let mut seen = BTreeSet::new();
        for &Pair { src, dst, port } in &w.pairs {
            for s in parties(matrix, src) {
                for d in parties(matrix, dst) {
                    if is_loopback(cluster, s, d) || !seen.insert((s, d, port)) {
                        continue;
                    }
                    let ports = allowed(cluster, matrix, s, d);
                    let ok = match port {
                        Some((p, n)) => ports.contains(p, n),
                        None => !ports.is_empty(),
                    };
                    if allow {
                        proof.flows += 1;
                    } else {
                        proof.denies += 1;
                    }
                    if ok != allow {
                        let f = Failure {
                            origin: w.origin.clone(),
                            src: party_name(cluster, s),
                            dst: party_name(cluster, d),
                            port,
                            why: why(cluster, s, d, port, &ports),
                        };
                        if allow {
                            proof.failing.push(f);
                        } else {
                            proof.leaking.push(f);
                        }
                    }
                }
            }
        }
    }
}

/// Why the engine allows or denies `src → dst` on `port`: what decided it on each side.
fn why(
    cluster: &Cluster,
    src: Party,
    dst: Party,
    port: Option<(Protocol, u16)>,
    ports: &PortSet,
) -> String {
    let Some((p, n)) = port else {
        return if ports.is_empty() {
            let e = explain(cluster, src, dst, None);
            let mut parts = Vec::new();
            if e.egress.allowed.is_empty() {
                parts.push(format!(
                    "egress at {} allows nothing to it",
                    party_name(cluster, src)
                ));
            }
            if e.ingress.allowed.is_empty() {
                parts.push(format!(
                    "ingress at {} admits nothing from it",
                    party_name(cluster, dst)
                ));
            }
            if parts.is_empty() {
                parts.push("egress and ingress allow no port in common".into());
            }
            parts.join("; ")
        } else {
            format!("allowed on {ports}")
        };
    };
    let e = explain(cluster, src, dst, Some((p, n)));
    let subject = |dir| match dir {
        crate::model::Direction::Egress => party_name(cluster, src),
        crate::model::Direction::Ingress => party_name(cluster, dst),
    };
    let texts: Vec<String> = deciders(cluster, &e, p, n)
        .into_iter()
        .map(|d| match d {
            Decider::Rule {
                direction,
                policy,
                rule,
                action,
            } => {
                let pol = &cluster.ir.policies[policy];
                let verb = if action == crate::model::ir::Action::Deny {
                    "denies"
                } else {
                    "allows"
                };
                format!(
                    "{}: {} {} {verb} it",
                    direction.field(),
                    pol.label(),
                    pol.dir(direction).rules[rule].label
                )
            }
            Decider::End {
                direction,
                isolating,
                ..
            } => {
                let names: Vec<String> = isolating
                    .iter()
                    .map(|&i| cluster.ir.policies[i].label())
                    .collect();
                format!(
                    "{}: {} {} {} and no rule allows it",
                    direction.field(),
                    names.join(", "),
                    if names.len() == 1 {
                        "isolates"
                    } else {
                        "isolate"
                    },
                    subject(direction)
                )
            }
            Decider::Default { direction } => {
                format!(
                    "{}: no policy isolates {}",
                    direction.field(),
                    subject(direction)
                )
            }
        })
        .collect();
    texts.join("; ")
}

/// How a member is grouped in the list of extras: its workload, or its address range.
fn unit(cluster: &Cluster, matrix: &Matrix, plan: &Plan, m: usize) -> String {
    if m < matrix.endpoints {
        plan.workloads[plan.workload_of[m]].id()
    } else {
        cluster.external_name(&matrix.externals[m - matrix.endpoints])
    }
}

fn extras(proof: &mut Proof, cluster: &Cluster, matrix: &Matrix, plan: &Plan) {
    let governed = |m: usize| m < matrix.endpoints && plan.governs(cluster, m);
    // (src unit, dst unit) → (ports, why) for documented, ports for undocumented.
    let mut documented: BTreeMap<(String, String, String), PortSet> = BTreeMap::new();
    let mut undocumented: BTreeMap<(String, String), PortSet> = BTreeMap::new();
    for u in 0..matrix.len() {
        for v in 0..matrix.len() {
            if (matrix.is_external(u) && matrix.is_external(v)) || !(governed(u) || governed(v)) {
                continue;
            }
            let (s, d) = (matrix.party(u), matrix.party(v));
            if is_loopback(cluster, s, d) {
                continue;
            }
            proof.pairs += 1;
            let ports = matrix.allowed(u, v);
            if ports.is_empty() {
                continue;
            }
            let extra = ports.difference(&plan.listed(cluster, s, d));
            if extra.is_empty() {
                continue;
            }
            let (su, du) = (
                unit(cluster, matrix, plan, u),
                unit(cluster, matrix, plan, v),
            );
            let dns = extra.intersect(&plan.dns_extra(cluster, s, d));
            if !dns.is_empty() {
                let key = (
                    su.clone(),
                    du.clone(),
                    "DNS: allow-dns lets every pod of a covered namespace ask the cluster DNS"
                        .to_string(),
                );
                documented
                    .entry(key)
                    .or_insert_with(PortSet::none)
                    .union_with(&dns);
            }
            let mut rest = extra.difference(&dns);
            for (c, by) in plan.overlaps(cluster, s, d) {
                let part = rest.intersect(&by);
                if part.is_empty() {
                    continue;
                }
                let conn = &plan.connections[c];
                let by_address = matches!(conn.src, Peer::Cidr(_))
                    && matches!(s, Party::Endpoint(_))
                    || matches!(conn.dst, Peer::Cidr(_)) && matches!(d, Party::Endpoint(_));
                let why = format!(
                    "the rules written for {} → {} match it too: {}",
                    peer_name(&plan.workloads, conn.src),
                    peer_name(&plan.workloads, conn.dst),
                    if by_address {
                        "the ipBlock holds the address of a pod"
                    } else {
                        "no set of labels tells the workloads apart"
                    }
                );
                documented
                    .entry((su.clone(), du.clone(), why))
                    .or_insert_with(PortSet::none)
                    .union_with(&part);
                rest = rest.difference(&part);
            }
            if !rest.is_empty() {
                undocumented
                    .entry((su, du))
                    .or_insert_with(PortSet::none)
                    .union_with(&rest);
            }
        }
    }
    proof.documented = documented
        .into_iter()
        .map(|((src, dst, why), ports)| Extra {
            src,
            dst,
            ports,
            why,
        })
        .collect();
    proof.undocumented = undocumented
        .into_iter()
        .map(|((src, dst), ports)| Extra {
            src,
            dst,
            ports,
            why: String::new(),
        })
        .collect();
}

fn dns(proof: &mut Proof, cluster: &Cluster, matrix: &Matrix, plan: &Plan) {
    let resolvers: Vec<usize> = plan
        .dns
        .resolvers
        .iter()
        .flat_map(|&w| plan.workloads[w].endpoints.iter().copied())
        .filter(|&e| !cluster.endpoints[e].host_network)
        .collect();
    proof.dns_present = !resolvers.is_empty();
    let mut blocked: BTreeMap<(String, String), PortSet> = BTreeMap::new();
    let need = PortSet::single(Protocol::Udp, super::plan::DNS_PORT)
        .union(&PortSet::single(Protocol::Tcp, super::plan::DNS_PORT));
    for s in (0..cluster.endpoints.len()).filter(|&e| plan.governs(cluster, e)) {
        for &r in &resolvers {
            let (sp, rp) = (Party::Endpoint(s), Party::Endpoint(r));
            if is_loopback(cluster, sp, rp) {
                continue;
            }
            let missing = need.difference(matrix.allowed(s, r));
            if !missing.is_empty() {
                let key = (
                    plan.workloads[plan.workload_of[s]].id(),
                    plan.workloads[plan.workload_of[r]].id(),
                );
                blocked
                    .entry(key)
                    .or_insert_with(PortSet::none)
                    .union_with(&missing);
            }
        }
    }
    proof.dns_blocked = blocked
        .into_iter()
        .map(|((s, r), ports)| format!("{s} → {r}: {ports}"))
        .collect();
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn address(p: &Party) -> Option<IpAddr> {
        match p {
            Party::Address(ip) => Some(*ip),
            Party::Endpoint(_) => None,
        }
    }
    use crate::fix::generate::{Verdict, Want, plan, render, test_options, test_want as want};
    use crate::load::LoadOptions;

    const INPUT: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-canary, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
";

    fn proof_of(input: &str, wants: &[Want], edit: impl Fn(&mut String)) -> Proof {
        let loaded = load::load_texts(&[("in.yaml", input)], &LoadOptions::default());
        let sources = loaded.sources;
        let cluster = Cluster::build(loaded.objects);
        let plan = plan::plan(&cluster, wants, &test_options());
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let mut text = render::all(&plan);
        edit(&mut text);
        prove(
            &cluster,
            &sources,
            &plan,
            &[("generated.yaml".into(), text)],
            &LoadOptions::default(),
            &BuildOptions::default(),
        )
    }

    #[test]
    fn the_input_policies_are_replaced_and_the_overlap_documented() {
        let wants = [
            want(
                1,
                "shop/web",
                "shop/deploy/api",
                Some("http"),
                Verdict::Allow,
            ),
            want(2, "shop/api", "shop/web", None, Verdict::Deny),
            want(3, "0.0.0.0/0", "shop/web", Some("8080"), Verdict::Allow),
        ];
        let proof = proof_of(INPUT, &wants, |_| {});
        assert_eq!(proof.replaced, vec!["shop/allow-all".to_string()]);
        assert!(proof.problems.is_empty(), "{:?}", proof.problems);
        assert!(
            proof.failing.is_empty() && proof.leaking.is_empty(),
            "{proof:?}"
        );
        assert!(proof.holds(), "{proof:?}");
        assert!(proof.flows >= 2 && proof.denies == 1);
        // app=api selects the canary too: web may reach it, documented as such.
        let overlap: Vec<(&str, &str)> = proof
            .documented
            .iter()
            .filter(|e| !e.why.starts_with("DNS"))
            .map(|e| (e.src.as_str(), e.dst.as_str()))
            .collect();
        assert_eq!(overlap, vec![("shop/deploy/web", "shop/deploy/api-canary")]);
        // No cluster DNS in the input: DNS is not checked.
        assert!(!proof.dns_present);
    }

    #[test]
    fn a_wrong_text_is_caught() {
        let wants = [
            want(
                1,
                "shop/web",
                "shop/deploy/api",
                Some("http"),
                Verdict::Allow,
            ),
            want(2, "shop/api", "shop/web", Some("8080"), Verdict::Deny),
        ];
        // Without egress isolation, api may connect anywhere.
        let egress_open = |t: &mut String| {
            *t = t
                .replace("policyTypes: [Ingress, Egress]", "policyTypes: [Ingress]")
                .replace("policyTypes: [Egress]", "policyTypes: [Ingress]");
        };
        let proof = proof_of(INPUT, &wants, egress_open);
        assert!(!proof.holds());
        assert!(
            proof.undocumented.iter().any(|e| e.src == "shop/deploy/api"
                && e.dst.starts_with("0.0.0.0")
                && e.ports.is_all()),
            "{:?}",
            proof.undocumented
        );
        // A broken document is a problem of the text.
        let proof = proof_of(INPUT, &wants, |t| t.push_str("---\nkind: [\n"));
        assert!(!proof.problems.is_empty());
        // A deny the text allows is leaking.
        let proof = proof_of(INPUT, &wants, |t| {
            egress_open(t);
            t.push_str("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{}]\n");
        });
        assert_eq!(proof.leaking.len(), 1, "{proof:?}");
        assert!(
            proof.leaking[0]
                .why
                .contains("ingress: NetworkPolicy shop/open"),
            "{}",
            proof.leaking[0].why
        );
    }

    #[test]
    fn addresses_of_a_cidr_are_its_ranges() {
        let loaded = load::load_texts(&[("in.yaml", INPUT)], &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let matrix = Matrix::compute(&cluster);
        let got = parties(&matrix, Point::Cidr("192.0.2.0/24".parse().unwrap()));
        assert_eq!(
            got.iter().filter_map(address).collect::<Vec<_>>(),
            vec!["192.0.2.0".parse::<IpAddr>().unwrap()]
        );
    }
}

//! From loaded objects to a [`Cluster`].
//!
//! - Namespaces: declared ones, plus every namespace an object lives in (implied). All get
//!   `kubernetes.io/metadata.name=<name>`, as the API server sets it.
//! - Each workload is counted once: a Pod or ReplicaSet whose owner (by ownerReferences) is
//!   in the input is folded into that owner, up the chain (Pod → ReplicaSet → Deployment,
//!   Pod → Job → CronJob); the top owner gathers their IPs. A Pod whose owner is not in the
//!   input stands for itself.
//! - A later Pod, workload or Service with the same namespace, kind and name replaces an
//!   earlier one, as `kubectl apply` would.
//! - Pods that have terminated (phase Succeeded or Failed) hold no IP and take no traffic:
//!   they are left out.
//! - Custom resources: the workloads a known operator creates from them (the
//!   prometheus-operator's StatefulSets) are workloads of the input, unless the input holds
//!   them or their pods itself; the others are pod sources, namespaces where pods the input
//!   does not hold may run.
//! - Policies: a policy the API server would reject is not applied, and replaces nothing;
//!   a later valid object with the same namespace/name replaces an earlier one.

use std::collections::{BTreeMap, HashMap};

use super::calico::{self, CalicoKind, CalicoObject};
use super::cilium::{self, CiliumKind, CiliumObject};
use super::cluster_policy::{ClusterPolicyKind, Tier};
use super::endpoint::{Endpoint, EndpointKind};
use super::labels::Labels;
use super::{
    BuildOptions, Cluster, Cni, CustomResource, NAMESPACE_NAME_LABEL, Namespace, NotApplied,
    Object, PodSource, Workload, validate,
};
use crate::base::natural;
use crate::base::span::Span;

impl Cluster {
    /// Builds the cluster from loaded objects, with the default options.
    pub fn build(objects: Vec<Object>) -> Cluster {
        Cluster::build_with(objects, &BuildOptions::default())
    }

    /// Builds the cluster from loaded objects.
    pub fn build_with(objects: Vec<Object>, options: &BuildOptions) -> Cluster {
        let mut cluster = Cluster {
            isolation: options.isolation,
            ..Cluster::default()
        };
        let mut namespaces: BTreeMap<String, Namespace> = BTreeMap::new();
        let mut workloads: Vec<Workload> = options
            .described_targets
            .iter()
            .map(|(ns, labels)| described(ns, labels))
            .collect();
        let mut custom: Vec<CustomResource> = Vec::new();
        for obj in objects {
            match obj {
                Object::Namespace(ns) => {
                    let at = |ns: &Namespace| ns.name_span.or(ns.span).unwrap_or_default();
                    let by = at(&ns);
                    if let Some(old) = namespaces.insert(ns.name.clone(), ns) {
                        cluster.replaced.push(super::Replaced {
                            kind: "Namespace",
                            namespace: String::new(),
                            name: old.name.clone(),
                            span: at(&old),
                            by,
                        });
                    }
                }
                Object::Workload(w) => workloads.push(*w),
                Object::Service(s) => cluster.services.push(s),
                Object::NetworkPolicy(p) => cluster.policies.push(*p),
                Object::ClusterPolicy(p) => cluster.cluster_policies.push(*p),
                Object::Node(n) => cluster.nodes.push(n),
                Object::Calico(c) => match *c {
                    CalicoObject::Policy(p) => cluster.calico_policies.push(*p),
                    CalicoObject::Tier(t) => cluster.calico_tiers.push(t),
                    CalicoObject::NetworkSet(s) => cluster.network_sets.push(s),
                },
                Object::ServiceAccount(sa) => cluster.service_accounts.push(sa),
                Object::Cilium(c) => match *c {
                    CiliumObject::Policy(p) => cluster.cilium_policies.push(p),
                    CiliumObject::CidrGroup(g) => cluster.cidr_groups.push(g),
                },
                Object::CustomResource(r) => custom.push(*r),
            }
        }
        expand_custom_resources(custom, &mut workloads, &mut cluster);

        // A later object with the same namespace, kind and name replaces an earlier one, as
        // `kubectl apply` would (the same manifest given twice, a base and its copy).
        record_duplicates(&workloads, &mut cluster.replaced, |w| {
            (w.kind.as_str(), &w.namespace, &w.name, w.name_span)
        });
        record_duplicates(&cluster.services, &mut cluster.replaced, |s| {
            ("Service", &s.namespace, &s.name, s.span)
        });
        replace_duplicates(&mut workloads, &mut cluster.notes, |w| {
            (&w.namespace, w.kind.as_str(), &w.name, w.span)
        });
        replace_duplicates(&mut cluster.services, &mut cluster.notes, |s| {
            (&s.namespace, "Service", &s.name, s.span)
        });

        // Terminated pods take no traffic.
        workloads.retain(|w| {
            let done = w.kind == EndpointKind::Pod
                && matches!(w.phase.as_deref(), Some("Succeeded" | "Failed"));
            if done {
                cluster.terminated.push((
                    w.namespace.clone(),
                    w.name.clone(),
                    w.phase.clone().unwrap_or_default(),
                ));
                cluster.notes.push((
                    w.span,
                    format!(
                        "ignored: Pod {}/{} has terminated (phase {})",
                        w.namespace,
                        w.name,
                        w.phase.as_deref().unwrap_or("")
                    ),
                ));
            }
            !done
        });

        // Implied namespaces.
        let used = workloads
            .iter()
            .map(|w| &w.namespace)
            .chain(cluster.services.iter().map(|s| &s.namespace))
            .chain(cluster.policies.iter().map(|p| &p.namespace));
        for name in used {
            namespaces.entry(name.clone()).or_insert_with(|| Namespace {
                name: name.clone(),
                labels: Labels::default(),
                annotations: Labels::default(),
                span: None,
                name_span: None,
            });
        }
        for ns in namespaces.values_mut() {
            ns.labels
                .insert(NAMESPACE_NAME_LABEL.into(), ns.name.clone());
        }
        cluster.namespaces = namespaces.into_values().collect();

        cluster.cni = options.cni.unwrap_or_else(|| cluster.inferred_cni());
        // Calico reads the ports of every init container (`workload_endpoint_default.go`),
        // and enforces Kubernetes policies too: in its clusters they all name ports.
        if cluster.cni == Cni::Calico {
            for w in &mut workloads {
                w.ports.append(&mut w.init_ports);
            }
        }
        cluster.endpoints = fold_owners(workloads, &mut cluster);
        cluster.endpoints.sort_by(|a, b| {
            natural::cmp(&a.namespace, &b.namespace)
                .then_with(|| natural::cmp(&a.name, &b.name))
                .then_with(|| a.kind.cmp(&b.kind))
        });

        cluster
            .services
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));

        // Policies: validity, then replaced duplicates. The API server rejects an invalid
        // object, so it never replaces the one already there: only valid policies take part.
        let mut last: HashMap<(String, String), usize> = HashMap::new();
        for (i, p) in cluster.policies.iter().enumerate() {
            if !validate::policy(p).is_empty() {
                cluster.not_applied.insert(i, NotApplied::Invalid);
            } else if let Some(prev) = last.insert((p.namespace.clone(), p.name.clone()), i) {
                cluster
                    .not_applied
                    .insert(prev, NotApplied::Replaced { by: i });
            }
        }
        cluster.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        order_cluster_policies(&mut cluster);
        cluster.policies_by_ns = vec![Vec::new(); cluster.namespaces.len()];
        for i in 0..cluster.policies.len() {
            if cluster.is_applied(i) {
                let ns = cluster
                    .ns_id(&cluster.policies[i].namespace)
                    .expect("policy namespaces are implied");
                cluster.policies_by_ns[ns as usize].push(i);
            }
        }
        calico_applied(&mut cluster);
        cilium_applied(&mut cluster);
        cluster.fqdns = fqdns(&cluster, options);
        cluster
            .service_accounts
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        cluster
            .service_accounts
            .dedup_by(|b, a| a.namespace == b.namespace && a.name == b.name);
        let (mut warnings, mut notes) = (Vec::new(), Vec::new());
        cluster.ir = super::ir::lower::lower(&cluster, options, &mut warnings, &mut notes);
        cluster.warnings = warnings;
        cluster.notes.extend(notes);
        cluster
    }
}

/// Custom resources: the workloads a known operator creates from them join the input's
/// (unless the input holds those workloads, or pods they own, itself: a cluster dump), each
/// noted; the others become [`Cluster::pod_sources`] (the last of each namespace, kind and
/// name), noted too.
fn expand_custom_resources(
    custom: Vec<CustomResource>,
    workloads: &mut Vec<Workload>,
    cluster: &mut Cluster,
) {
    // What the input holds itself: its workloads, and the owners its pods name.
    let held: std::collections::HashSet<(String, String, String)> = workloads
        .iter()
        .flat_map(|w| {
            std::iter::once((
                w.namespace.clone(),
                w.kind.as_str().to_string(),
                w.name.clone(),
            ))
            .chain(
                w.owners
                    .iter()
                    .map(|o| (w.namespace.clone(), o.kind.clone(), o.name.clone())),
            )
        })
        .collect();
    let mut sources: Vec<PodSource> = Vec::new();
    for r in custom {
        let what = format!("{} {}/{}", r.kind, r.namespace, r.name);
        if r.workloads.is_empty() {
            cluster.notes.push((
                r.span,
                format!(
                    "pod source: {what}: its operator may create pods in namespace {} that the input does not hold",
                    r.namespace
                ),
            ));
            sources.push(PodSource {
                namespace: r.namespace,
                kind: r.kind,
                name: r.name,
                span: r.span,
            });
            continue;
        }
        let by = r.operator.unwrap_or("its operator");
        for w in r.workloads {
            let key = (
                w.namespace.clone(),
                w.kind.as_str().to_string(),
                w.name.clone(),
            );
            if held.contains(&key) {
                cluster.notes.push((
                    r.span,
                    format!(
                        "not expanded: {what}: the input holds the {} {}/{} that {by} creates from it, or its pods",
                        w.kind, w.namespace, w.name
                    ),
                ));
                continue;
            }
            cluster.notes.push((
                r.span,
                format!(
                    "expanded: {what} stands for the {} {}/{} that {by} creates from it",
                    w.kind, w.namespace, w.name
                ),
            ));
            workloads.push(w);
        }
    }
    // A later object with the same namespace, kind and name replaces an earlier one.
    let mut seen = std::collections::HashSet::new();
    sources.reverse();
    sources.retain(|s| seen.insert((s.namespace.clone(), s.kind.clone(), s.name.clone())));
    sources.sort_by(|a, b| (&a.namespace, &a.kind, &a.name).cmp(&(&b.namespace, &b.kind, &b.name)));
    cluster.pod_sources = sources;
}

/// Marks invalid and replaced Calico policies (a later valid object of the same kind,
/// namespace and name replaces an earlier one), and keeps the last Tier and network set of
/// each name (an invalid Tier is not used; a network set's invalid nets match nothing; their
/// problems are reported by `check` and printed by every command).
fn calico_applied(cluster: &mut Cluster) {
    let mut last: HashMap<(CalicoKind, Option<String>, String), usize> = HashMap::new();
    for (i, p) in cluster.calico_policies.iter().enumerate() {
        if !calico::validate::policy(p).is_empty() {
            cluster.calico_not_applied.insert(i, NotApplied::Invalid);
        } else if let Some(prev) = last.insert((p.kind, p.namespace.clone(), p.name.clone()), i) {
            cluster
                .calico_not_applied
                .insert(prev, NotApplied::Replaced { by: i });
        }
    }
    // A later Tier or network set of the same name replaces an earlier one.
    let mut seen = std::collections::HashSet::new();
    let mut tiers: Vec<calico::CalicoTier> = std::mem::take(&mut cluster.calico_tiers)
        .into_iter()
        .rev()
        .filter(|t| seen.insert(t.name.clone()))
        .collect();
    tiers.reverse();
    cluster.calico_tiers = tiers;
    let mut seen = std::collections::HashSet::new();
    let mut sets: Vec<calico::NetworkSet> = std::mem::take(&mut cluster.network_sets)
        .into_iter()
        .rev()
        .filter(|s| seen.insert((s.namespace.clone(), s.name.clone())))
        .collect();
    sets.reverse();
    cluster.network_sets = sets;
}

/// The DNS names the engines take as parties: those `toFQDNs` rules name, and those the
/// user asks about, each with a stand-in address of its own (see [`super::Fqdn`]).
fn fqdns(cluster: &Cluster, options: &BuildOptions) -> Vec<super::Fqdn> {
    let written = cluster
        .cilium_policies
        .iter()
        .flat_map(|p| &p.specs)
        .flat_map(|r| r.egress.iter().flatten())
        .flat_map(|r| r.fqdns.iter().flatten())
        .filter_map(|f| f.match_name.as_ref().map(|n| n.value.as_str()));
    let mut names: Vec<String> = written
        .chain(options.fqdn_targets.iter().map(String::as_str))
        .map(super::ir::normalize_fqdn)
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let base = u32::from(std::net::Ipv4Addr::new(240, 0, 0, 1));
            super::Fqdn {
                name,
                address: std::net::IpAddr::V4(std::net::Ipv4Addr::from(base + i as u32)),
            }
        })
        .collect()
}

/// A pod the user described by namespace and labels (see [`BuildOptions::described_targets`]).
fn described(namespace: &str, labels: &Labels) -> Workload {
    Workload {
        kind: EndpointKind::Pod,
        namespace: namespace.to_string(),
        name: super::described_name(labels),
        owners: Vec::new(),
        labels: labels.clone(),
        annotations: Labels::from_pairs([(super::DESCRIBED_ANNOTATION, "command line")]),
        ports: Vec::new(),
        init_ports: Vec::new(),
        host_network: false,
        service_account: "default".into(),
        ips: Vec::new(),
        node_name: None,
        phase: None,
        span: Span::default(),
        name_span: Span::default(),
    }
}

/// Marks invalid and replaced Cilium policies (a later valid object of the same kind,
/// namespace and name replaces an earlier one), and keeps the last CIDR group of each name.
fn cilium_applied(cluster: &mut Cluster) {
    let mut last: HashMap<(CiliumKind, Option<String>, String), usize> = HashMap::new();
    for (i, p) in cluster.cilium_policies.iter().enumerate() {
        if !cilium::validate::policy(p).is_empty() {
            cluster.cilium_not_applied.insert(i, NotApplied::Invalid);
        } else if let Some(prev) = last.insert((p.kind, p.namespace.clone(), p.name.clone()), i) {
            cluster
                .cilium_not_applied
                .insert(prev, NotApplied::Replaced { by: i });
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut groups: Vec<cilium::CidrGroup> = std::mem::take(&mut cluster.cidr_groups)
        .into_iter()
        .rev()
        .filter(|g| seen.insert(g.name.clone()))
        .collect();
    groups.reverse();
    cluster.cidr_groups = groups;
}

/// Marks invalid and replaced cluster-wide policies, and orders each tier: by priority, then
/// kind (ANP before CNP), then name.
fn order_cluster_policies(cluster: &mut Cluster) {
    let mut last: HashMap<(ClusterPolicyKind, String), usize> = HashMap::new();
    for (i, p) in cluster.cluster_policies.iter().enumerate() {
        if let Some(prev) = last.insert((p.kind, p.name.clone()), i) {
            cluster
                .cluster_not_applied
                .insert(prev, NotApplied::Replaced { by: i });
        }
        if !validate::cluster_policy(p).is_empty() {
            cluster.cluster_not_applied.insert(i, NotApplied::Invalid);
        }
    }
    let applied = |tier: Tier| -> Vec<usize> {
        let mut idx: Vec<usize> = (0..cluster.cluster_policies.len())
            .filter(|i| {
                !cluster.cluster_not_applied.contains_key(i)
                    && cluster.cluster_policies[*i].tier == tier
            })
            .collect();
        idx.sort_by(|&a, &b| {
            cluster.cluster_policies[a]
                .order()
                .cmp(&cluster.cluster_policies[b].order())
        });
        idx
    };
    cluster.admin_tier = applied(Tier::Admin);
    cluster.baseline_tier = applied(Tier::Baseline);
}

/// Records each item that a later one with the same (kind, namespace, name) replaces, with
/// where the last one is (what [`replace_duplicates`] keeps).
fn record_duplicates<T>(
    items: &[T],
    out: &mut Vec<super::Replaced>,
    key: impl Fn(&T) -> (&'static str, &str, &str, Span),
) {
    let mut last: HashMap<(&str, &str, &str), Span> = HashMap::new();
    for item in items {
        let (kind, ns, name, span) = key(item);
        last.insert((kind, ns, name), span);
    }
    for item in items {
        let (kind, ns, name, span) = key(item);
        let by = last[&(kind, ns, name)];
        if by != span {
            out.push(super::Replaced {
                kind,
                namespace: ns.to_string(),
                name: name.to_string(),
                span,
                by,
            });
        }
    }
}

/// Keeps the last of the items with the same (namespace, kind, name), noting the others.
fn replace_duplicates<T>(
    items: &mut Vec<T>,
    notes: &mut Vec<(Span, String)>,
    key: impl Fn(&T) -> (&str, &'static str, &str, Span),
) {
    let mut last: HashMap<(String, &str, String), usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let (ns, kind, name, _) = key(item);
        last.insert((ns.to_string(), kind, name.to_string()), i);
    }
    let mut i = 0;
    items.retain(|item| {
        let (ns, kind, name, span) = key(item);
        let by = last[&(ns.to_string(), kind, name.to_string())];
        if by != i {
            notes.push((
                span,
                format!(
                    "replaced: {kind} {ns}/{name} is replaced by a later object with the same name"
                ),
            ));
        }
        i += 1;
        by == i - 1
    });
}

/// Folds owned pods and workloads into their top owner present in the input.
fn fold_owners(workloads: Vec<Workload>, cluster: &mut Cluster) -> Vec<Endpoint> {
    let key =
        |ns: &str, kind: &str, name: &str| (ns.to_string(), kind.to_string(), name.to_string());
    let index: HashMap<(String, String, String), usize> = workloads
        .iter()
        .enumerate()
        .map(|(i, w)| (key(&w.namespace, w.kind.as_str(), &w.name), i))
        .collect();
    // The owner of each workload present in the input (first owner that is).
    let parent: Vec<Option<usize>> = workloads
        .iter()
        .map(|w| {
            w.owners
                .iter()
                .find_map(|o| index.get(&key(&w.namespace, &o.kind, &o.name)).copied())
                .filter(|&p| workloads[p].kind != w.kind || workloads[p].name != w.name)
        })
        .collect();
    // The top owner of each workload; a cycle of ownerReferences (which the API server would
    // never produce, but input can hold) folds nothing.
    let top = |start: usize| {
        let mut seen = vec![start];
        let mut i = start;
        while let Some(p) = parent[i] {
            if seen.contains(&p) {
                return start;
            }
            seen.push(p);
            i = p;
        }
        i
    };
    let mut endpoints: Vec<Option<Endpoint>> = workloads
        .iter()
        .map(|w| {
            Some(Endpoint {
                ns: 0,
                namespace: w.namespace.clone(),
                name: w.name.clone(),
                kind: w.kind,
                labels: w.labels.clone(),
                annotations: w.annotations.clone(),
                ips: w.ips.clone(),
                ports: w.ports.clone(),
                node_name: w.node_name.clone(),
                host_network: w.host_network,
                service_account: w.service_account.clone(),
                span: w.span,
                name_span: w.name_span,
                members: Vec::new(),
                owner: w.owners.first().cloned(),
            })
        })
        .collect();
    for (i, w) in workloads.iter().enumerate() {
        let t = top(i);
        if t == i {
            continue;
        }
        let folded = endpoints[i].take().expect("each workload is folded once");
        let owner = endpoints[t].as_mut().expect("top owners are never folded");
        owner
            .members
            .push(format!("{}/{}/{}", w.namespace, w.kind.as_str(), w.name));
        for ip in folded.ips {
            if !owner.ips.contains(&ip) {
                owner.ips.push(ip);
            }
        }
        let tw = &workloads[t];
        cluster.notes.push((
            w.span,
            format!(
                "folded: {} {}/{} is counted as its owner {} {}/{}",
                w.kind, w.namespace, w.name, tw.kind, tw.namespace, tw.name
            ),
        ));
    }
    let mut out: Vec<Endpoint> = endpoints.into_iter().flatten().collect();
    for e in &mut out {
        e.ns = cluster
            .ns_id(&e.namespace)
            .expect("endpoint namespaces are implied");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OwnerRef;

    fn w(kind: EndpointKind, name: &str, owner: Option<(&str, &str)>, ip: Option<&str>) -> Object {
        Object::Workload(Box::new(Workload {
            kind,
            namespace: "shop".into(),
            name: name.into(),
            owners: owner
                .map(|(k, n)| OwnerRef {
                    kind: k.into(),
                    name: n.into(),
                })
                .into_iter()
                .collect(),
            labels: Labels::from_pairs([("app", "web")]),
            annotations: Labels::default(),
            ports: Vec::new(),
            init_ports: Vec::new(),
            host_network: false,
            service_account: "default".into(),
            ips: ip.map(|i| i.parse().unwrap()).into_iter().collect(),
            node_name: None,
            phase: None,
            span: Span::default(),
            name_span: Span::default(),
        }))
    }

    #[test]
    fn a_cluster_dump_counts_each_workload_once() {
        let objects = vec![
            w(EndpointKind::Deployment, "web", None, None),
            w(
                EndpointKind::ReplicaSet,
                "web-5d8f",
                Some(("Deployment", "web")),
                None,
            ),
            w(
                EndpointKind::Pod,
                "web-5d8f-abc",
                Some(("ReplicaSet", "web-5d8f")),
                Some("10.0.0.1"),
            ),
            w(
                EndpointKind::Pod,
                "web-5d8f-def",
                Some(("ReplicaSet", "web-5d8f")),
                Some("10.0.0.2"),
            ),
            w(
                EndpointKind::Pod,
                "orphan",
                Some(("ReplicaSet", "gone")),
                Some("10.0.0.3"),
            ),
        ];
        let c = Cluster::build(objects);
        let ids: Vec<String> = c.endpoints.iter().map(|e| e.id()).collect();
        assert_eq!(ids, vec!["shop/orphan", "shop/deploy/web"]);
        assert_eq!(c.endpoints[1].ips.len(), 2);
        assert_eq!(c.endpoints[1].members.len(), 3);
    }

    #[test]
    fn a_later_object_with_the_same_name_replaces_an_earlier_one() {
        // The same manifest given twice (a base and its copy) is one workload, not two that
        // `can-reach` would call ambiguous and the linter would report twice.
        let mut later = w(EndpointKind::Deployment, "web", None, None);
        if let Object::Workload(w) = &mut later {
            w.labels = Labels::from_pairs([("app", "web"), ("version", "2")]);
        }
        let objects = vec![
            w(EndpointKind::Deployment, "web", None, None),
            w(EndpointKind::StatefulSet, "web", None, None),
            later,
        ];
        let svc = |port: u16| {
            Object::Service(crate::model::Service {
                namespace: "shop".into(),
                name: "web".into(),
                selector: Some(Labels::from_pairs([("app", "web")])),
                labels: Labels::default(),
                ports: vec![crate::model::ServicePort {
                    name: None,
                    port,
                    protocol: crate::model::Protocol::Tcp,
                    target_port: None,
                }],
                span: Span::default(),
            })
        };
        let objects: Vec<Object> = objects.into_iter().chain([svc(80), svc(8080)]).collect();
        let c = Cluster::build(objects);
        assert_eq!(c.services.len(), 1);
        assert_eq!(c.services[0].ports[0].port, 8080);
        let ids: Vec<String> = c.endpoints.iter().map(|e| e.id()).collect();
        assert_eq!(ids, vec!["shop/deploy/web", "shop/sts/web"]);
        assert_eq!(c.endpoints[0].labels.get("version"), Some("2"));
        assert!(
            c.notes
                .iter()
                .any(|(_, n)| n.starts_with("replaced: Deployment shop/web"))
        );
    }

    #[test]
    fn cyclic_owner_references_fold_nothing_and_do_not_panic() {
        let objects = vec![
            w(
                EndpointKind::ReplicaSet,
                "a",
                Some(("ReplicaSet", "b")),
                None,
            ),
            w(
                EndpointKind::ReplicaSet,
                "b",
                Some(("ReplicaSet", "c")),
                None,
            ),
            w(
                EndpointKind::ReplicaSet,
                "c",
                Some(("ReplicaSet", "a")),
                None,
            ),
            w(EndpointKind::Pod, "p", Some(("ReplicaSet", "a")), None),
        ];
        let c = Cluster::build(objects);
        assert_eq!(c.endpoints.len(), 4);
    }

    #[test]
    fn implied_namespaces_get_the_name_label() {
        let c = Cluster::build(vec![w(EndpointKind::Pod, "a", None, None)]);
        assert_eq!(c.namespaces.len(), 1);
        assert!(c.namespaces[0].span.is_none());
        assert_eq!(
            c.namespaces[0].labels.get(NAMESPACE_NAME_LABEL),
            Some("shop")
        );
    }

    #[test]
    fn terminated_pods_are_left_out() {
        let mut done = w(EndpointKind::Pod, "job-x", None, Some("10.0.0.9"));
        if let Object::Workload(w) = &mut done {
            w.phase = Some("Succeeded".into());
        }
        let c = Cluster::build(vec![done]);
        assert!(c.endpoints.is_empty());
    }
}

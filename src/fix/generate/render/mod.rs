//! The plan as YAML: one stream per namespace, a header comment saying what it is, then its
//! policies in order, each with a comment above it and above each rule naming the flows the
//! rule exists for (`shop/deploy/web → shop/deploy/api on TCP 8080 (flows.yaml:4)`).
//!
//! Block style as people write policies, label maps and ports in flow style
//! (`matchLabels: {app: api}`, `- {protocol: TCP, port: http}`); scalars are quoted whenever
//! a YAML reader could take them for something else ([`crate::report::yaml::scalar`]).
//! Cross-namespace peers select the namespace by `kubernetes.io/metadata.name`.
//!
//! The plan is written in the API it was planned for ([`Plan::api`]): Kubernetes
//! NetworkPolicies here, Calico's ([`calico`]) or Cilium's ([`cilium`]) policies of the same
//! meaning.

mod calico;
mod cilium;

use std::fmt::Write as _;

use super::Api;
use super::plan::{Plan, Ports};
use super::policies::{NamespacePlan, PeerSel, Policy, Rule};
use crate::model::{Direction, NAMESPACE_NAME_LABEL};
use crate::report::yaml::scalar;

/// The YAML of every covered namespace, one after the other (`---` between documents).
pub fn all(plan: &Plan) -> String {
    let mut out = String::new();
    for (i, np) in plan.namespaces.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&namespace(plan, np));
    }
    out
}

/// The YAML of one namespace's policies: its file, `<namespace>.yaml`.
pub fn namespace(plan: &Plan, np: &NamespacePlan) -> String {
    let mut out = String::new();
    let from = if plan.sources.is_empty() {
        String::new()
    } else {
        format!(" from {}", plan.sources.join(", "))
    };
    let header = [
        format!(
            "{} of namespace {}, written by `kubectl netpol generate`{from}.",
            plan.api.kinds(),
            np.namespace
        ),
        "Least privilege: every pod isolated both ways, DNS let out, then per workload the flows listed, each rule naming them. Rules select workloads, not pods: every replica may do what one of them is listed doing.".into(),
    ];
    comment(&mut out, "", &header);
    for (i, p) in np.policies.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        match plan.api {
            Api::Kubernetes => policy(&mut out, &np.namespace, p),
            Api::Calico => calico::policy(&mut out, &np.namespace, p),
            Api::Cilium => cilium::policy(&mut out, &np.namespace, p),
        }
    }
    out
}

/// Width prose comments are wrapped at (flow lines, `a → b on ...`, are kept whole).
const WIDTH: usize = 90;

pub(super) fn comment(out: &mut String, pad: &str, lines: &[String]) {
    for l in lines {
        // A comment line never carries a line break into the YAML.
        let l = l.replace(['\n', '\r'], " ");
        if l.contains('→') {
            let _ = writeln!(out, "{pad}# {l}");
            continue;
        }
        let mut line = String::new();
        for word in l.split(' ') {
            if !line.is_empty() && pad.len() + 2 + line.len() + 1 + word.len() > WIDTH {
                let _ = writeln!(out, "{pad}# {line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        let _ = writeln!(out, "{pad}# {line}");
    }
}

pub(super) fn flow_map(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The comment, apiVersion, kind and metadata of a policy, then `spec:`.
pub(super) fn head(out: &mut String, api_version: &str, kind: &str, ns: &str, p: &Policy) {
    comment(out, "", &p.comment);
    let _ = writeln!(out, "apiVersion: {api_version}\nkind: {kind}\nmetadata:");
    let _ = writeln!(out, "  name: {}", scalar(&p.name));
    let _ = writeln!(out, "  namespace: {}", scalar(ns));
    if !p.annotations.is_empty() {
        out.push_str("  annotations:\n");
        for (k, v) in &p.annotations {
            let _ = writeln!(out, "    {}: {}", scalar(k), scalar(v));
        }
    }
    out.push_str("spec:\n");
}

fn policy(out: &mut String, ns: &str, p: &Policy) {
    head(out, "networking.k8s.io/v1", "NetworkPolicy", ns, p);
    if p.pod_selector.is_empty() {
        out.push_str("  podSelector: {}\n");
    } else {
        let _ = writeln!(
            out,
            "  podSelector:\n    matchLabels: {}",
            flow_map(&p.pod_selector)
        );
    }
    let types: Vec<&str> = [Direction::Ingress, Direction::Egress]
        .into_iter()
        .filter(|&d| p.rules(d).is_some())
        .map(Direction::as_str)
        .collect();
    let _ = writeln!(out, "  policyTypes: [{}]", types.join(", "));
    for dir in [Direction::Ingress, Direction::Egress] {
        let Some(rules) = p.rules(dir).filter(|r| !r.is_empty()) else {
            continue;
        };
        let _ = writeln!(out, "  {}:", dir.field());
        for r in rules {
            rule(out, ns, dir, r);
        }
    }
}

fn rule(out: &mut String, ns: &str, dir: Direction, r: &Rule) {
    comment(out, "  ", &r.comment);
    let _ = writeln!(out, "  - {}:", dir.peers_field());
    peer(out, ns, &r.peer);
    if let Ports::List(items) = &r.ports {
        out.push_str("    ports:\n");
        for i in items {
            let port = i.name.as_deref().map_or_else(|| i.port.to_string(), scalar);
            let _ = writeln!(out, "    - {{protocol: {}, port: {port}}}", i.protocol);
        }
    }
}

fn peer(out: &mut String, _ns: &str, p: &PeerSel) {
    let ns_by_name = |name: &str| flow_map(&[(NAMESPACE_NAME_LABEL.to_string(), name.to_string())]);
    match p {
        PeerSel::Block(net) => {
            let _ = writeln!(
                out,
                "    - ipBlock:\n        cidr: {}",
                scalar(&net.to_string())
            );
        }
        PeerSel::Namespaces(list) => {
            out.push_str("    - namespaceSelector:\n");
            if let [one] = list.as_slice() {
                let _ = writeln!(out, "        matchLabels: {}", ns_by_name(one));
            } else {
                let values: Vec<String> = list.iter().map(|n| scalar(n)).collect();
                let _ = writeln!(
                    out,
                    "        matchExpressions:\n        - {{key: {}, operator: In, values: [{}]}}",
                    scalar(NAMESPACE_NAME_LABEL),
                    values.join(", ")
                );
            }
        }
        PeerSel::Pods { namespace, labels } => {
            let mut lead = "    - ";
            if let Some(n) = namespace {
                let _ = writeln!(
                    out,
                    "{lead}namespaceSelector:\n        matchLabels: {}",
                    ns_by_name(n)
                );
                lead = "      ";
            }
            if labels.is_empty() {
                let _ = writeln!(out, "{lead}podSelector: {{}}");
            } else {
                let _ = writeln!(
                    out,
                    "{lead}podSelector:\n        matchLabels: {}",
                    flow_map(labels)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::generate::plan::PortItem;
    use crate::fix::generate::policies::NamespacePlan;
    use crate::fix::generate::{Options, cluster_of, plan};
    use crate::model::Protocol;

    fn empty_plan(namespaces: Vec<NamespacePlan>) -> Plan {
        let mut p = plan::plan(&cluster_of(""), &[], &Options::default());
        p.namespaces = namespaces;
        p.sources = vec!["flows.yaml".into()];
        p
    }

    /// A policy with every kind of peer.
    fn every_peer() -> Policy {
        Policy {
            name: "allow-api-ingress".into(),
            comment: vec!["shop/deploy/api: who may connect to it.".into()],
            annotations: vec![(
                "netpol.kubectl.dev/ignore".into(),
                "ingress-from-anywhere, dns-egress-to-anywhere".into(),
            )],
            pod_selector: vec![("app".into(), "api".into())],
            ingress: Some(vec![
                Rule {
                    comment: vec!["a → b on TCP 8080 (f:1)".into()],
                    peer: PeerSel::Pods {
                        namespace: None,
                        labels: vec![("app".into(), "web".into()), ("tier".into(), "on".into())],
                    },
                    ports: Ports::List(vec![PortItem {
                        protocol: Protocol::Tcp,
                        port: 8080,
                        name: Some("http".into()),
                    }]),
                },
                Rule {
                    comment: vec![],
                    peer: PeerSel::Pods {
                        namespace: Some("mon".into()),
                        labels: vec![],
                    },
                    ports: Ports::All,
                },
                Rule {
                    comment: vec![],
                    peer: PeerSel::Namespaces(vec!["a".into(), "b".into()]),
                    ports: Ports::List(vec![PortItem {
                        protocol: Protocol::Udp,
                        port: 53,
                        name: None,
                    }]),
                },
                Rule {
                    comment: vec![],
                    peer: PeerSel::Block("::/0".parse().unwrap()),
                    ports: Ports::All,
                },
            ]),
            egress: None,
        }
    }

    /// Calico's and Cilium's texts of [`every_peer`], egress too, and the default deny:
    /// they load without a problem and the cluster of their plugin applies them all.
    #[test]
    fn calico_and_cilium_policies_with_every_kind_of_peer() {
        let mut egress = every_peer();
        egress.name = "allow-api-egress".into();
        egress.egress = egress.ingress.take();
        let deny = Policy {
            name: "default-deny".into(),
            comment: vec![],
            annotations: vec![],
            pod_selector: vec![],
            ingress: Some(vec![]),
            egress: Some(vec![]),
        };
        for api in [Api::Calico, Api::Cilium] {
            let mut plan = empty_plan(vec![NamespacePlan {
                namespace: "shop".into(),
                policies: vec![deny.clone(), every_peer(), egress.clone()],
            }]);
            plan.api = api;
            let text = all(&plan);
            insta::assert_snapshot!(format!("every_peer_{api:?}").to_lowercase(), text);
            let loaded = crate::load::load_texts(&[("g.yaml", &text)], &Default::default());
            assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
            let build = crate::model::BuildOptions {
                cni: api.cni(),
                ..Default::default()
            };
            let c = crate::model::Cluster::build_with(loaded.objects, &build);
            assert!(c.warnings.is_empty(), "{api:?}: {:?}", c.warnings);
            let (n, refused) = match api {
                Api::Calico => (c.calico_policies.len(), c.calico_not_applied.len()),
                _ => (c.cilium_policies.len(), c.cilium_not_applied.len()),
            };
            assert_eq!((n, refused), (3, 0), "{api:?}\n{text}");
        }
    }

    #[test]
    fn a_policy_with_every_kind_of_peer() {
        let plan = empty_plan(vec![NamespacePlan {
            namespace: "shop".into(),
            policies: vec![every_peer()],
        }]);
        let text = all(&plan);
        insta::assert_snapshot!(text, @r#"
        # NetworkPolicies of namespace shop, written by `kubectl netpol generate` from flows.yaml.
        # Least privilege: every pod isolated both ways, DNS let out, then per workload the flows
        # listed, each rule naming them. Rules select workloads, not pods: every replica may do
        # what one of them is listed doing.
        # shop/deploy/api: who may connect to it.
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-api-ingress
          namespace: shop
          annotations:
            netpol.kubectl.dev/ignore: "ingress-from-anywhere, dns-egress-to-anywhere"
        spec:
          podSelector:
            matchLabels: {app: api}
          policyTypes: [Ingress]
          ingress:
          # a → b on TCP 8080 (f:1)
          - from:
            - podSelector:
                matchLabels: {app: web, tier: "on"}
            ports:
            - {protocol: TCP, port: http}
          - from:
            - namespaceSelector:
                matchLabels: {kubernetes.io/metadata.name: mon}
              podSelector: {}
          - from:
            - namespaceSelector:
                matchExpressions:
                - {key: kubernetes.io/metadata.name, operator: In, values: [a, b]}
            ports:
            - {protocol: UDP, port: 53}
          - from:
            - ipBlock:
                cidr: "::/0"
        "#);
        // It loads as what was planned: no problem, one policy with four rules.
        let loaded = crate::load::load_texts(&[("g.yaml", &text)], &Default::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let c = crate::model::Cluster::build(loaded.objects);
        assert_eq!(c.policies.len(), 1);
        assert_eq!(c.policies[0].rules(Direction::Ingress).len(), 4);
        assert!(c.not_applied.is_empty());
    }

    #[test]
    fn default_deny_has_no_rules() {
        let plan = empty_plan(vec![NamespacePlan {
            namespace: "a".into(),
            policies: vec![Policy {
                name: "default-deny".into(),
                comment: vec![],
                annotations: vec![],
                pod_selector: vec![],
                ingress: Some(vec![]),
                egress: Some(vec![]),
            }],
        }]);
        let text = all(&plan);
        assert!(
            text.ends_with("spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"),
            "{text}"
        );
    }
}

//! One decoder per kind the model understands; [`decode`] dispatches on `kind`.

pub mod alpha_policy;
pub mod calico;
pub mod cilium;
pub mod cluster_policy;
pub mod meta;
pub mod namespace;
pub mod network_policy;
pub mod node;
pub mod operator;
pub mod service;
pub mod service_account;
pub mod workload;

use super::LoadOptions;
use super::decode::Decoder;
use crate::base::suggest::closest;
use crate::model::cluster_policy::ClusterPolicyKind;
use crate::model::{EndpointKind, Object};

/// What became of an object.
pub enum Decoded {
    /// An object for the model.
    Used(Object),
    /// Not relevant, with the reason.
    Ignored(String),
    /// A kind that carries network policy meaning but that this tool does not model, with
    /// the reason (a warning: what the cluster does may differ from what is simulated).
    NotEvaluated(String),
    /// Problems were recorded in the decoder.
    Broken,
}

impl From<Option<Object>> for Decoded {
    fn from(o: Option<Object>) -> Self {
        o.map_or(Decoded::Broken, Decoded::Used)
    }
}

/// Decodes the object at the decoder's root.
pub fn decode(d: &mut Decoder, api_version: &str, kind: &str, opts: &LoadOptions) -> Decoded {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if near_miss(d, group, api_version, kind) {
        return Decoded::Broken;
    }
    if let Some(why) = not_evaluated(group, kind) {
        return Decoded::NotEvaluated(why);
    }
    match (group, kind) {
        ("", "Namespace") => namespace::decode(d).into(),
        ("", "Service") => service::decode(d, opts).into(),
        ("", "Node") => node::decode(d).into(),
        ("", "ServiceAccount") => service_account::decode(d, opts).into(),
        ("projectcalico.org" | "crd.projectcalico.org", _) => {
            calico::decode(d, api_version, kind, opts)
        }
        ("cilium.io", _) => cilium::decode(d, api_version, kind, opts),
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => {
            network_policy::decode(d, api_version, opts)
        }
        ("net.alpha.kubernetes.io", "NetworkPolicy") => {
            alpha_policy::decode(d, &opts.default_namespace)
        }
        ("policy.networking.k8s.io", "AdminNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Anp, api_version)
        }
        ("policy.networking.k8s.io", "BaselineAdminNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Banp, api_version)
        }
        ("policy.networking.k8s.io", "ClusterNetworkPolicy") => {
            cluster_policy::decode(d, ClusterPolicyKind::Cnp, api_version)
        }
        (operator::MONITORING_GROUP, _) => operator::decode_monitoring(d, kind, opts),
        (_, "NetworkPolicy") => Decoded::Ignored(format!(
            "NetworkPolicy of apiVersion `{api_version}` is not supported (networking.k8s.io/v1, extensions/v1beta1 and net.alpha.kubernetes.io/v1alpha1 are)"
        )),
        _ => match EndpointKind::from_kind(kind) {
            Some(k) => workload::decode(d, k, opts).into(),
            None if operator::is_custom_group(group) => {
                operator::decode_custom(d, group, kind, opts)
            }
            None => Decoded::Ignored(format!("kind {kind} does not take part in network policy")),
        },
    }
}

/// The API groups whose kinds are all known, with the kinds modelled (what a misspelt kind
/// is compared with) and the other kinds of the group (never a misspelling).
const GROUP_KINDS: &[(&str, &[&str], &[&str])] = &[
    (
        "",
        &[
            "Namespace",
            "Service",
            "Node",
            "ServiceAccount",
            "Pod",
            "ReplicationController",
        ],
        &[
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "PodTemplate",
            "RangeAllocation",
            "ResourceQuota",
            "Secret",
            "Status",
        ],
    ),
    (
        "apps",
        &["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"],
        &["ControllerRevision"],
    ),
    ("batch", &["Job", "CronJob"], &[]),
    (
        "networking.k8s.io",
        &["NetworkPolicy"],
        &[
            "Ingress",
            "IngressClass",
            "IPAddress",
            "ServiceCIDR",
            "ClusterCIDR",
        ],
    ),
    (
        "extensions",
        &["NetworkPolicy", "Deployment", "ReplicaSet", "DaemonSet"],
        &["Ingress", "PodSecurityPolicy", "ReplicationControllerDummy"],
    ),
    (
        "policy.networking.k8s.io",
        &[
            "AdminNetworkPolicy",
            "BaselineAdminNetworkPolicy",
            "ClusterNetworkPolicy",
        ],
        &[],
    ),
];

/// The apiVersions a kind of a group is read under (a kind not listed is read under any).
const KIND_VERSIONS: &[(&str, &str, &[&str])] = &[
    ("", "Namespace", &["v1"]),
    ("", "Service", &["v1"]),
    ("", "Node", &["v1"]),
    ("", "ServiceAccount", &["v1"]),
    ("", "Pod", &["v1"]),
    ("", "ReplicationController", &["v1"]),
    ("", "NetworkPolicy", &["networking.k8s.io/v1"]),
    (
        "networking.k8s.io",
        "NetworkPolicy",
        &["networking.k8s.io/v1"],
    ),
    ("extensions", "NetworkPolicy", &["extensions/v1beta1"]),
    (
        "policy.networking.k8s.io",
        "AdminNetworkPolicy",
        &["policy.networking.k8s.io/v1alpha1"],
    ),
    (
        "policy.networking.k8s.io",
        "BaselineAdminNetworkPolicy",
        &["policy.networking.k8s.io/v1alpha1"],
    ),
    (
        "policy.networking.k8s.io",
        "ClusterNetworkPolicy",
        &[
            "policy.networking.k8s.io/v1alpha2",
            "policy.networking.k8s.io/v1beta1",
        ],
    ),
];

/// A near miss of a known kind: a known kind under a version of its group that does not
/// exist, or a misspelt kind of a known group. Records the problem at the `apiVersion` or
/// `kind` node (the object when inferred from a typed list) and says so.
fn near_miss(d: &mut Decoder, group: &str, api_version: &str, kind: &str) -> bool {
    let obj = d.object();
    if let Some((_, _, versions)) = KIND_VERSIONS
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
    {
        if versions.contains(&api_version) {
            return false;
        }
        let served = match versions {
            [one] => format!("{one} is"),
            _ => format!("{} are", versions.join(" and ")),
        };
        d.error(
            obj.get("apiVersion").unwrap_or(obj),
            format_args!("{api_version} is not a version of {kind}: {served}"),
        );
        return true;
    }
    let Some((_, modelled, others)) = GROUP_KINDS.iter().find(|(g, _, _)| *g == group) else {
        return false;
    };
    if modelled.contains(&kind) || others.contains(&kind) {
        return false;
    }
    let Some(known) = closest(kind, modelled) else {
        return false;
    };
    d.error(
        obj.get("kind").unwrap_or(obj),
        format_args!("unknown kind `{kind}` of apiVersion {api_version}: did you mean `{known}`?"),
    );
    true
}

/// Why a policy kind of another plugin or mesh is not evaluated, if it is one.
fn not_evaluated(group: &str, kind: &str) -> Option<String> {
    let enforcer = match (group, kind) {
        (
            "crd.antrea.io",
            "ClusterNetworkPolicy" | "NetworkPolicy" | "Tier" | "ClusterGroup" | "Group",
        ) => "Antrea-native policy, enforced by the Antrea CNI plugin",
        ("k8s.cni.cncf.io", "MultiNetworkPolicy") => {
            "policy on secondary (Multus) networks, enforced by the multi-networkpolicy plugin"
        }
        ("security.istio.io", "AuthorizationPolicy") => {
            "authorization enforced by the Istio service mesh's proxies"
        }
        ("k8s.ovn.org", "EgressFirewall") => {
            "egress policy enforced by the OVN-Kubernetes CNI plugin"
        }
        (
            "policy.linkerd.io",
            "AuthorizationPolicy"
            | "Server"
            | "ServerAuthorization"
            | "MeshTLSAuthentication"
            | "NetworkAuthentication",
        ) => "authorization enforced by the Linkerd service mesh's proxies",
        _ => return None,
    };
    Some(format!(
        "{group}/{kind} is {enforcer}; this tool does not evaluate it, so what the cluster allows may differ from the answers given"
    ))
}

#[cfg(test)]
mod tests {
    use crate::load::{LoadOptions, Outcome, load_texts};

    fn problem(text: &str) -> (String, String, (usize, usize)) {
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
        let p = &l.problems[0];
        let pos = l.sources.start(p.span.expect("a place"));
        (
            p.path.clone(),
            p.message.clone(),
            (pos.line as usize, pos.column as usize),
        )
    }

    #[test]
    fn a_known_kind_under_an_unknown_version_is_a_problem_at_api_version() {
        let (path, msg, at) = problem(
            "apiVersion: networking.k8s.io/v7\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n",
        );
        assert_eq!(path, "apiVersion");
        assert_eq!(
            msg,
            "networking.k8s.io/v7 is not a version of NetworkPolicy: networking.k8s.io/v1 is"
        );
        assert_eq!(at, (1, 13));
    }

    #[test]
    fn a_misspelt_kind_of_a_known_group_is_a_problem_with_a_suggestion() {
        for (kind, want) in [
            ("networkpolicy", "NetworkPolicy"),
            ("NetworkPolicies", "NetworkPolicy"),
        ] {
            let (path, msg, at) = problem(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: {kind}\nmetadata: {{name: a}}\nspec: {{podSelector: {{}}}}\n"
            ));
            assert_eq!(path, "kind");
            assert!(msg.ends_with(&format!("did you mean `{want}`?")), "{msg}");
            assert_eq!(at, (2, 7));
        }
        let (_, msg, at) = problem(
            "metadata: {name: a}\nkind: Deploymnet\napiVersion: apps/v1\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: []}}}\n",
        );
        assert!(msg.ends_with("did you mean `Deployment`?"), "{msg}");
        assert_eq!(at, (2, 7));
        let (_, msg, _) = problem("apiVersion: v1\nkind: pod\nmetadata: {name: a}\n");
        assert!(msg.ends_with("did you mean `Pod`?"), "{msg}");
    }

    #[test]
    fn other_kinds_of_known_groups_and_kinds_of_unknown_groups_stay_ignored() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: example.com/v1\nkind: Deploymnet\nmetadata: {name: d}\n---\napiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: r}\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert!(l.inventory.iter().all(|e| e.outcome != Outcome::Broken));
    }

    #[test]
    fn policies_of_other_plugins_and_meshes_are_not_evaluated_with_a_warning() {
        let text = "apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: deny-all}\nspec: {priority: 1}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {}\n---\napiVersion: k8s.cni.cncf.io/v1beta1\nkind: MultiNetworkPolicy\nmetadata: {name: m}\n---\napiVersion: k8s.ovn.org/v1\nkind: EgressFirewall\nmetadata: {name: default}\n---\napiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: web}\n";
        let l = load_texts(&[("t.yaml", text)], &LoadOptions::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.warnings.len(), 5);
        assert!(
            l.warnings[0]
                .message
                .starts_with("ClusterNetworkPolicy deny-all: not evaluated: crd.antrea.io/ClusterNetworkPolicy is Antrea-native policy, enforced by the Antrea CNI plugin"),
            "{}",
            l.warnings[0].message
        );
        assert!(l.warnings[1].message.contains("Istio"));
        assert!(l.warnings[4].message.contains("Linkerd"));
        assert!(l.warnings.iter().all(|w| w.message.contains("may differ")));
        let at = l.sources.location(l.warnings[1].span.unwrap()).to_string();
        assert_eq!(at, "t.yaml:6:1");
    }
}

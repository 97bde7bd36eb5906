//! networking.k8s.io/v1 (and extensions/v1beta1) NetworkPolicy.
//!
//! Read strictly: an unknown field is a problem, as `kubectl apply` (which validates
//! strictly) refuses it. A typo such as `ingres:` would otherwise silently turn a policy into
//! a deny-all. Values are kept as written (a CIDR stays a string) so that the validation and
//! lint layers can point at exactly what is wrong.

use super::{Decoded, meta};
use crate::base::span::Spanned;
use crate::load::LoadOptions;
use crate::load::decode::{Decoder, N};
use crate::model::labels::Expression;
use crate::model::policy::{IpBlock, Peer, PolicyApi, RuleList};
use crate::model::{Direction, LabelSelector, NetworkPolicy, Object, PolicyPort, Rule};

/// Decodes a NetworkPolicy.
pub fn decode(d: &mut Decoder, api_version: &str, opts: &LoadOptions) -> Decoded {
    let api = match api_version {
        "networking.k8s.io/v1" => PolicyApi::V1,
        "extensions/v1beta1" => PolicyApi::ExtensionsV1beta1,
        other => {
            return Decoded::Ignored(format!(
                "NetworkPolicy of apiVersion `{other}` is not supported (networking.k8s.io/v1 is)"
            ));
        }
    };
    let obj = d.object();
    d.unknown_fields(obj, &["apiVersion", "kind", "metadata", "spec", "status"]);
    let Some(m) = meta::read(d, &opts.default_namespace) else {
        return Decoded::Broken;
    };
    let api_version = Spanned::new(
        api_version.to_string(),
        obj.get("apiVersion").map_or(obj.span(), |n| n.span()),
    );
    let Some(spec) = obj.get("spec") else {
        d.missing(obj, "spec");
        return Decoded::Broken;
    };
    let Some(spec) = d.map(spec) else {
        return Decoded::Broken;
    };
    let policy = from_spec(d, spec, &[], &m, api, api_version);
    match policy {
        Some(p) if d.problems.is_empty() => Decoded::Used(Object::NetworkPolicy(Box::new(p))),
        Some(p) => {
            // Left out for its other problems: what the API server refuses besides is
            // reported with them, all at once.
            d.refused_too(crate::model::validate::policy(&p));
            Decoded::Broken
        }
        None => Decoded::Broken,
    }
}

/// Reads a NetworkPolicy spec (the mapping `spec`) into the policy of the object at the
/// decoder's root, with its metadata already read. `extra_fields` are further fields the
/// spec may have, which the caller reads (`stagedAction` of Calico's
/// StagedKubernetesNetworkPolicy). None when the pod selector cannot be read; other
/// problems are only recorded, the caller checks `d.problems`.
pub(crate) fn from_spec<'d>(
    d: &mut Decoder<'d>,
    spec: N<'d>,
    extra_fields: &[&str],
    m: &meta::Meta,
    api: PolicyApi,
    api_version: Spanned<String>,
) -> Option<NetworkPolicy> {
    const FIELDS: [&str; 4] = ["podSelector", "policyTypes", "ingress", "egress"];
    let known: Vec<&str> = FIELDS.iter().chain(extra_fields).copied().collect();
    d.unknown_fields(spec, &known);
    let pod_selector = match spec.get("podSelector") {
        Some(s) => selector(d, s),
        None => Some(LabelSelector::everything(spec.span())),
    };
    let policy_types = spec.get("policyTypes").map(|t| {
        let items = d.list(t).into_iter().filter_map(|i| d.string(i)).collect();
        Spanned::new(items, t.span())
    });
    let ingress = rules(d, spec, Direction::Ingress);
    let egress = rules(d, spec, Direction::Egress);
    Some(NetworkPolicy {
        namespace: m.namespace.clone(),
        name: m.name.value.clone(),
        span: d.object().span(),
        name_span: meta::name_span(d),
        api,
        api_version,
        annotations: m.annotations.clone(),
        pod_selector: pod_selector?,
        policy_types,
        ingress,
        egress,
    })
}

fn rules<'d>(d: &mut Decoder<'d>, spec: N<'d>, dir: Direction) -> Option<RuleList> {
    let node = spec.get_raw(dir.field())?;
    let span = if node.is_null() {
        spec.key_span(dir.field()).unwrap_or(node.span())
    } else {
        node.span()
    };
    let rules = d
        .list(node)
        .into_iter()
        .enumerate()
        .filter_map(|(index, r)| rule(d, r, dir, index))
        .collect();
    Some(RuleList { span, rules })
}

fn rule<'d>(d: &mut Decoder<'d>, r: N<'d>, dir: Direction, index: usize) -> Option<Rule> {
    let r = d.map(r)?;
    let (peers_field, other) = match dir {
        Direction::Ingress => ("from", "to"),
        Direction::Egress => ("to", "from"),
    };
    for (key, k, _) in r.entries() {
        if key == other {
            let message = format!(
                "unknown field `{key}`: {} rules list their peers under `{peers_field}`",
                dir.field()
            );
            d.unknown_field(r, k, key, message);
        } else if key != peers_field && key != "ports" {
            d.unknown_field(
                r,
                k,
                key,
                Decoder::unknown_message(key, &[peers_field, "ports"]),
            );
        }
    }
    let peers = r.get_raw(peers_field).map(|p| {
        let items = d
            .list(p)
            .into_iter()
            .enumerate()
            .filter_map(|(i, n)| peer(d, n, i))
            .collect();
        Spanned::new(items, p.span())
    });
    let ports = r.get_raw("ports").map(|p| {
        let items = d.list(p).into_iter().filter_map(|n| port(d, n)).collect();
        Spanned::new(items, p.span())
    });
    Some(Rule {
        span: r.span(),
        direction: dir,
        index,
        peers,
        ports,
    })
}

fn peer<'d>(d: &mut Decoder<'d>, n: N<'d>, index: usize) -> Option<Peer> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["podSelector", "namespaceSelector", "ipBlock"]);
    let pod_selector = n.get("podSelector").and_then(|s| selector(d, s));
    let namespace_selector = n.get("namespaceSelector").and_then(|s| selector(d, s));
    let ip_block = n.get("ipBlock").and_then(|b| ip_block(d, b));
    Some(Peer {
        span: n.span(),
        index,
        pod_selector,
        namespace_selector,
        ip_block,
    })
}

fn ip_block<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<IpBlock> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["cidr", "except"]);
    let Some(cidr) = n.get("cidr") else {
        d.missing(n, "cidr");
        return None;
    };
    let cidr = d.string(cidr)?;
    let except = n
        .get("except")
        .map(|e| d.list(e).into_iter().filter_map(|i| d.string(i)).collect())
        .unwrap_or_default();
    Some(IpBlock {
        span: n.span(),
        cidr,
        except,
    })
}

fn port<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<PolicyPort> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["protocol", "port", "endPort"]);
    let protocol = n.get("protocol").and_then(|p| d.string(p));
    let port = n.get("port").and_then(|p| d.int_or_string(p));
    let end_port = n.get("endPort").and_then(|p| d.int(p));
    Some(PolicyPort {
        span: n.span(),
        protocol,
        port,
        end_port,
    })
}

/// Reads a label selector.
pub fn selector<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<LabelSelector> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["matchLabels", "matchExpressions"]);
    let match_labels = n
        .get("matchLabels")
        .map(|m| d.string_map(m))
        .unwrap_or_default();
    let mut match_expressions = Vec::new();
    if let Some(list) = n.get("matchExpressions") {
        for e in d.list(list) {
            let Some(e) = d.map(e) else { continue };
            d.unknown_fields(e, &["key", "operator", "values"]);
            let key = match e.get("key") {
                Some(k) => d.string(k),
                None => {
                    d.missing(e, "key");
                    None
                }
            };
            let operator = match e.get("operator") {
                Some(o) => d.string(o),
                None => {
                    d.missing(e, "operator");
                    None
                }
            };
            let values_node = e.get("values");
            let values = values_node
                .map(|v| d.list(v).into_iter().filter_map(|i| d.string(i)).collect())
                .unwrap_or_default();
            if let (Some(key), Some(operator)) = (key, operator) {
                match_expressions.push(Expression {
                    span: e.span(),
                    key,
                    operator,
                    values,
                    values_span: values_node.map(|v| v.span()),
                });
            }
        }
    }
    Some(LabelSelector {
        span: n.span(),
        match_labels,
        match_expressions,
    })
}

#[cfg(test)]
mod tests {
    use crate::base::span::FileId;
    use crate::load::objects::read_file;
    use crate::load::{LoadOptions, Problem};
    use crate::model::Object;

    fn read(spec: &str) -> (Vec<Object>, Vec<Problem>) {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n{spec}"
        );
        let out = read_file(FileId(0), &text, &LoadOptions::default());
        (out.objects, out.problems)
    }

    #[test]
    fn a_typo_in_a_field_name_is_an_error_with_a_suggestion() {
        let (objects, problems) = read("  podSelector: {}\n  ingres:\n  - {}\n");
        assert!(objects.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "spec.ingres");
        assert!(
            problems[0].message.contains("did you mean `ingress`"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn to_in_an_ingress_rule_is_explained() {
        let (_, problems) = read("  podSelector: {}\n  ingress:\n  - to: []\n");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .message
                .contains("ingress rules list their peers under `from`")
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let (_, problems) = read(
            "  podSelector: {}\n  ingress:\n  - from: {}\n    ports: [{port: [1]}]\n  egress: 3\n",
        );
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "spec.ingress[0].from",
                "spec.ingress[0].ports[0].port",
                "spec.egress"
            ]
        );
    }

    #[test]
    fn null_from_is_kept_as_present_and_namespace_defaults() {
        let (objects, problems) = read("  podSelector: {}\n  ingress:\n  - from:\n");
        assert!(problems.is_empty(), "{problems:?}");
        let Object::NetworkPolicy(p) = &objects[0] else {
            panic!()
        };
        assert_eq!(p.namespace, "default");
        assert!(p.rules(crate::model::Direction::Ingress)[0].all_peers());
    }
}

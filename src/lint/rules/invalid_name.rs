//! ## What it finds
//! An object name or namespace the API server rejects: a Namespace's name or any object's
//! `metadata.namespace` that is not a DNS-1123 label (lower-case letters, digits and `-`, at
//! most 63 characters), a Service name that is not a DNS-1035 label (the same, starting with
//! a letter), and the name of a Pod, workload, NetworkPolicy or cluster-wide policy that is
//! not a DNS-1123 subdomain (labels of the same kind joined by `.`, at most 253 characters;
//! a CronJob's at most 52). A template placeholder left in (`YOUR_NAMESPACE`, `my_app`) is
//! the usual cause. The objects that name one invalid namespace share that cause and make
//! one finding, listing them.
//!
//! ## Why it matters
//! The API server refuses the object, and every object of an invalid namespace: none of
//! them reaches the cluster. A NetworkPolicy with an invalid name or namespace isolates
//! nothing, and this check leaves it out of the analysis as the cluster would (pods and
//! workloads are still analysed, so that the rest of the findings can be read).
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: default_deny          # `_` is not allowed
//!   namespace: YOUR_NAMESPACE   # a placeholder: upper case and `_`
//! spec:
//!   podSelector: {}
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: default-deny
//!   namespace: shop
//! spec:
//!   podSelector: {}
//! ```

use crate::base::span::Span;
use crate::lint::group::{Group, Noun};
use crate::lint::locate::Locator;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::validate::{dns1123_label, namespace_name, object_name};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP110",
    name: "invalid-name",
    severity: Severity::Error,
    category: Category::Invalid,
    summary: "an object name or namespace the API server rejects (not a DNS label or subdomain)",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    let mut locate = Locator::new(cx.sources);
    // Names: NetworkPolicies and cluster-wide policies through the model's validation (which
    // leaves them out of the analysis), the other kinds here.
    for (idx, v) in cx.violations() {
        if v.rule == RULE.name && v.path == "metadata.name" {
            let p = &cluster.policies[*idx];
            let message = format!("NetworkPolicy {}: {}", p.id(), v.message);
            out.push(Finding::new(&RULE, Subject::Policy(*idx), v.span, message).help(HELP));
        }
    }
    cx.cluster_violation_findings(&RULE, out);
    for (i, e) in cluster.endpoints.iter().enumerate() {
        if e.is_described() {
            continue;
        }
        if let Some(why) = object_name(e.kind.as_str(), &e.name) {
            let message = format!("{} {}/{}: {why}", e.kind.as_str(), e.namespace, e.name);
            out.push(Finding::new(&RULE, Subject::Endpoint(i), e.name_span, message).help(HELP));
        }
    }
    for s in &cluster.services {
        if let Some(why) = object_name("Service", &s.name) {
            let span = locate.metadata(s.span, "name").unwrap_or(s.span);
            let message = format!("Service {}/{}: {why}", s.namespace, s.name);
            out.push(Finding::new(&RULE, Subject::None, span, message).help(HELP));
        }
    }
    // Namespaces: the Namespace object and every object in it, one cause.
    for (id, ns) in cluster.namespaces.iter().enumerate() {
        let (Some(why), Some(rule)) = (namespace_name(&ns.name), dns1123_label(&ns.name)) else {
            continue;
        };
        let group = |member: String| Group {
            key: ns.name.clone(),
            message: format!(
                "{{n}} objects name the namespace `{}`, which the API server rejects: {rule}; none of them reaches the cluster",
                ns.name
            ),
            member,
            unit: Noun("object", "objects"),
            scope: Some((Noun("namespace", "namespaces"), ns.name.clone())),
        };
        let mut one = |subject: Subject, span: Span, what: String| {
            out.push(
                Finding::new(
                    &RULE,
                    subject,
                    span,
                    format!("{what}: {why}; the API server rejects it"),
                )
                .help(HELP)
                .grouped(group(what)),
            );
        };
        if let Some(span) = ns.name_span {
            one(
                Subject::Namespace(id as crate::model::NsId),
                span,
                format!("Namespace {}", ns.name),
            );
        }
        let mut at =
            |object: Span, fallback: Span| locate.metadata(object, "namespace").unwrap_or(fallback);
        let mut objects: Vec<(Subject, Span, String)> = Vec::new();
        for (i, e) in cluster.endpoints.iter().enumerate() {
            if e.namespace == ns.name && !e.is_described() {
                let what = format!("{} {}/{}", e.kind.as_str(), e.namespace, e.name);
                objects.push((Subject::Endpoint(i), at(e.span, e.name_span), what));
            }
        }
        for s in cluster.services.iter().filter(|s| s.namespace == ns.name) {
            let what = format!("Service {}/{}", s.namespace, s.name);
            objects.push((Subject::None, at(s.span, s.span), what));
        }
        for (i, p) in cluster.policies.iter().enumerate() {
            if p.namespace == ns.name {
                let what = format!("NetworkPolicy {}", p.id());
                objects.push((Subject::Policy(i), at(p.span, p.name_span), what));
            }
        }
        for (subject, span, what) in objects {
            one(subject, span, what);
        }
    }
}

const HELP: &str = "names are lower-case letters, digits and `-` (and `.` between parts, except for Namespaces and Services), starting and ending with a letter or digit; a placeholder such as YOUR_NAMESPACE must be replaced";

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::{findings, members};

    #[test]
    fn names_the_api_server_rejects_are_errors_at_the_name() {
        assert_eq!(
            findings(&RULE, "names.yaml"),
            [
                "3:18: Deployment shop/Web_App: `Web_App` is not a valid Deployment name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
                "12:18: Service shop/1api: `1api` is not a valid Service name: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')",
                "18:9: NetworkPolicy shop/default_deny: `default_deny` is not a valid NetworkPolicy name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
                "25:18: AdminNetworkPolicy -deny: metadata.name: `-deny` is not a valid AdminNetworkPolicy name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
            ]
        );
    }

    #[test]
    fn objects_of_an_invalid_namespace_make_one_finding_at_their_namespace_fields() {
        assert_eq!(
            members(&RULE, "namespace.yaml"),
            [
                "3:18: 3 objects name the namespace `YOUR_NAMESPACE`, which the API server rejects: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc'); none of them reaches the cluster\n  members: Namespace YOUR_NAMESPACE 3:18, Pod YOUR_NAMESPACE/web 9:14, NetworkPolicy YOUR_NAMESPACE/deny 16:14",
                "22:34: Pod web.v2/api: `web.v2` is not a valid namespace name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc'); the API server rejects it",
            ]
        );
    }

    #[test]
    fn an_invalid_policy_is_left_out_of_the_analysis() {
        let path = format!(
            "{}/testdata/rules/invalid-name/namespace.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let loaded = crate::load::load(&[path], &Default::default());
        let cluster = crate::model::Cluster::build(loaded.objects);
        assert_eq!(cluster.applied_policies().count(), 0);
    }

    #[test]
    fn valid_names_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }
}

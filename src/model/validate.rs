//! The API server's validation of a NetworkPolicy (kubernetes `pkg/apis/networking/validation`
//! and `apimachinery` label validation), so that a policy the cluster would refuse is never
//! simulated, and `check` can say exactly what is wrong and where.
//!
//! Each [`Violation`] carries the name of the lint rule that reports it.

use super::cluster_policy::{ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPortKind};
use super::ip::parse_cidr;
use super::labels::{LabelSelector, Operator};
use super::policy::{NetworkPolicy, Peer, PolicyPort, Rule};
use super::ports::Protocol;
use crate::base::span::{Span, Spanned};
use crate::base::value::IntOrString;

/// Something the API server would reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The lint rule that reports it (`invalid-cidr`, `mixed-peer`...).
    pub rule: &'static str,
    /// Where.
    pub span: Span,
    /// The field path in the object (`spec.egress[0].to[1].ipBlock.cidr`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

struct Out {
    items: Vec<Violation>,
}

impl Out {
    fn push(&mut self, rule: &'static str, span: Span, path: String, message: impl Into<String>) {
        self.items.push(Violation {
            rule,
            span,
            path,
            message: message.into(),
        });
    }
}

/// Every violation in a policy, in document order of the checks.
pub fn policy(p: &NetworkPolicy) -> Vec<Violation> {
    let mut out = Out { items: Vec::new() };
    if let Some(why) = object_name("NetworkPolicy", &p.name) {
        out.push("invalid-name", p.name_span, "metadata.name".into(), why);
    }
    if let Some(why) = namespace_name(&p.namespace) {
        out.push("invalid-name", p.span, "metadata.namespace".into(), why);
    }
    selector(&p.pod_selector, "spec.podSelector", &mut out);
    if let Some(types) = &p.policy_types {
        for (i, t) in types.value.iter().enumerate() {
            if t.value != "Ingress" && t.value != "Egress" {
                out.push(
                    "invalid-policy-type",
                    t.span,
                    format!("spec.policyTypes[{i}]"),
                    format!("`{}` is not `Ingress` or `Egress`", t.value),
                );
            }
        }
        if types.value.len() > 2 {
            out.push(
                "invalid-policy-type",
                types.span,
                "spec.policyTypes".into(),
                "at most 2 entries are allowed",
            );
        }
    }
    for dir in super::policy::Direction::BOTH {
        for r in p.rules(dir) {
            rule(r, &mut out);
        }
    }
    out.items
}

fn rule(r: &Rule, out: &mut Out) {
    let base = format!("spec.{}[{}]", r.direction.field(), r.index);
    for (i, port) in r.port_list().iter().enumerate() {
        policy_port(port, &format!("{base}.ports[{i}]"), out);
    }
    for peer in r.peer_list() {
        self::peer(
            peer,
            &format!("{base}.{}[{}]", r.direction.peers_field(), peer.index),
            out,
        );
    }
}

fn peer(p: &Peer, path: &str, out: &mut Out) {
    let selectors = p.pod_selector.is_some() || p.namespace_selector.is_some();
    match (selectors, &p.ip_block) {
        (false, None) => out.push("empty-peer", p.span, path.into(), "sets no podSelector, namespaceSelector or ipBlock; the API server rejects it (\"must specify a peer\")"),
        (true, Some(b)) => out.push("mixed-peer", b.span, format!("{path}.ipBlock"), "an ipBlock together with a selector in one peer; a peer may use either, not both"),
        _ => {}
    }
    if let Some(s) = &p.pod_selector {
        selector(s, &format!("{path}.podSelector"), out);
    }
    if let Some(s) = &p.namespace_selector {
        selector(s, &format!("{path}.namespaceSelector"), out);
    }
    if let Some(b) = &p.ip_block {
        let net = match parse_cidr(&b.cidr) {
            Ok(n) => Some(n),
            Err(e) => {
                out.push(
                    "invalid-cidr",
                    b.cidr.span,
                    format!("{path}.ipBlock.cidr"),
                    e,
                );
                None
            }
        };
        for (i, e) in b.except.iter().enumerate() {
            let epath = format!("{path}.ipBlock.except[{i}]");
            match parse_cidr(e) {
                Err(msg) => out.push("invalid-cidr", e.span, epath, msg),
                Ok(ex) => {
                    if let Some(net) = net {
                        let inside =
                            net.contains(&ex.network()) && ex.prefix_len() > net.prefix_len();
                        if !inside {
                            out.push(
                                "except-outside-cidr",
                                e.span,
                                epath,
                                format!(
                                    "`{}` is not strictly inside cidr `{}`",
                                    e.value, b.cidr.value
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn policy_port(p: &PolicyPort, path: &str, out: &mut Out) {
    if let Some(proto) = &p.protocol {
        if Protocol::parse(proto).is_none() {
            let hint = Protocol::parse(&proto.to_ascii_uppercase())
                .map(|p| format!(" (protocols are upper case: `{p}`)"))
                .unwrap_or_default();
            out.push(
                "invalid-protocol",
                proto.span,
                format!("{path}.protocol"),
                format!("`{}` is not TCP, UDP or SCTP{hint}", proto.value),
            );
        }
    }
    if let Some(port) = p.port.as_ref() {
        let ppath = format!("{path}.port");
        match &port.value {
            IntOrString::Int(n) if !(1..=65535).contains(n) => out.push(
                "invalid-port",
                port.span,
                ppath,
                format!("{n} is out of range 1-65535"),
            ),
            IntOrString::Str(name) => {
                if let Some(m) = port_name_problem(name) {
                    out.push("invalid-port", port.span, ppath, m);
                }
            }
            _ => {}
        }
    }
    if let Some(end) = &p.end_port {
        let epath = format!("{path}.endPort");
        match p.port.as_ref().map(|p| &p.value) {
            None => out.push(
                "invalid-port",
                end.span,
                epath,
                "endPort may not be set without port",
            ),
            Some(IntOrString::Str(_)) => out.push(
                "invalid-port",
                end.span,
                epath,
                "endPort may not be set when port is a name",
            ),
            Some(IntOrString::Int(start)) => {
                if !(1..=65535).contains(&end.value) {
                    out.push(
                        "invalid-port",
                        end.span,
                        epath,
                        format!("{} is out of range 1-65535", end.value),
                    );
                } else if end.value < *start {
                    out.push(
                        "invalid-port",
                        end.span,
                        epath,
                        format!("{} is less than port {start}", end.value),
                    );
                }
            }
        }
    }
}

/// Every violation in a cluster-wide policy (what its CRD validation refuses).
pub fn cluster_policy(p: &ClusterPolicy) -> Vec<Violation> {
    const RULE: &str = "invalid-cluster-policy";
    let mut out = Out { items: Vec::new() };
    if let Some(why) = object_name(p.kind.kind(), &p.name) {
        out.push("invalid-name", p.name_span, "metadata.name".into(), why);
    }
    if let Some(prio) = &p.priority {
        if !(0..=1000).contains(&prio.value) {
            out.push(
                RULE,
                prio.span,
                "spec.priority".into(),
                format!("{} is out of range 0-1000", prio.value),
            );
        }
    }
    if p.kind == ClusterPolicyKind::Banp && p.name != "default" {
        out.push(
            "banp-not-singleton",
            p.name_span,
            "metadata.name".into(),
            format!(
                "a BaselineAdminNetworkPolicy must be named `default`, not `{}`",
                p.name
            ),
        );
    }
    let max_rules = if p.kind == ClusterPolicyKind::Cnp {
        25
    } else {
        100
    };
    match &p.subject.pod_selector {
        Some(pods) => {
            selector(
                &p.subject.namespace_selector,
                "spec.subject.pods.namespaceSelector",
                &mut out,
            );
            selector(pods, "spec.subject.pods.podSelector", &mut out);
        }
        None => selector(
            &p.subject.namespace_selector,
            "spec.subject.namespaces",
            &mut out,
        ),
    }
    for dir in super::policy::Direction::BOTH {
        let rules = p.rules(dir);
        if rules.len() > max_rules {
            out.push(
                RULE,
                rules[max_rules].span,
                format!("spec.{}", dir.field()),
                format!("{} rules, over the limit of {max_rules}", rules.len()),
            );
        }
        for r in rules {
            let base = format!("spec.{}[{}]", dir.field(), r.index);
            if p.action(r).is_none() {
                let allowed = p.kind.actions().join(", ");
                out.push(
                    RULE,
                    r.action.span,
                    format!("{base}.action"),
                    format!(
                        "`{}` is not an action of {} ({allowed})",
                        r.action.value,
                        p.kind.kind()
                    ),
                );
            }
            if r.peers.is_empty() {
                out.push(
                    RULE,
                    r.peers_span,
                    format!("{base}.{}", dir.peers_field()),
                    "needs at least one peer",
                );
            }
            let mut named = false;
            for port in r.ports.iter().flat_map(|l| l.value.iter()) {
                if let Some(bad) = &port.bad_protocol {
                    out.push(
                        RULE,
                        bad.span,
                        format!("{base}.ports"),
                        format!("protocol `{}` is not TCP, UDP or SCTP", bad.value),
                    );
                }
                let in_range = |v: &Spanned<i64>, out: &mut Out| {
                    if !(1..=65535).contains(&v.value) {
                        out.push(
                            RULE,
                            v.span,
                            format!("{base}.ports"),
                            format!("port {} is out of range 1-65535", v.value),
                        );
                    }
                };
                match &port.kind {
                    ClusterPortKind::Number(_, n) => in_range(n, &mut out),
                    ClusterPortKind::Range(_, a, b) => {
                        in_range(a, &mut out);
                        in_range(b, &mut out);
                        if a.value >= b.value {
                            out.push(
                                RULE,
                                b.span,
                                format!("{base}.ports"),
                                format!(
                                    "the range end {} must be greater than its start {}",
                                    b.value, a.value
                                ),
                            );
                        }
                    }
                    ClusterPortKind::Named(name) => {
                        named = true;
                        if let Some(m) = port_name_problem(name) {
                            out.push(RULE, name.span, format!("{base}.ports"), m);
                        }
                    }
                    ClusterPortKind::Invalid => out.push(
                        RULE,
                        port.span,
                        format!("{base}.ports"),
                        "sets no port: exactly one of its fields must be set",
                    ),
                }
            }
            for peer in &r.peers {
                let ppath = format!("{base}.{}[{}]", dir.peers_field(), peer.index);
                match &peer.kind {
                    ClusterPeerKind::Namespaces(sel) => {
                        selector(sel, &format!("{ppath}.namespaces"), &mut out)
                    }
                    ClusterPeerKind::Pods {
                        namespace_selector,
                        pod_selector,
                    } => {
                        selector(
                            namespace_selector,
                            &format!("{ppath}.pods.namespaceSelector"),
                            &mut out,
                        );
                        selector(pod_selector, &format!("{ppath}.pods.podSelector"), &mut out);
                    }
                    ClusterPeerKind::Nodes(sel) => {
                        selector(sel, &format!("{ppath}.nodes"), &mut out);
                        if named {
                            out.push(
                                RULE,
                                peer.span,
                                ppath.clone(),
                                "a nodes peer cannot be used with named ports: nodes have none",
                            );
                        }
                    }
                    ClusterPeerKind::Networks(cidrs) => {
                        if cidrs.is_empty() {
                            out.push(
                                RULE,
                                peer.span,
                                format!("{ppath}.networks"),
                                "needs at least one CIDR",
                            );
                        }
                        for (i, c) in cidrs.iter().enumerate() {
                            if let Err(e) = parse_cidr(c) {
                                out.push(RULE, c.span, format!("{ppath}.networks[{i}]"), e);
                            }
                        }
                        if named {
                            out.push(RULE, peer.span, ppath.clone(), "a networks peer cannot be used with named ports: addresses have none");
                        }
                    }
                    ClusterPeerKind::Unknown => out.push(
                        RULE,
                        peer.span,
                        ppath,
                        "sets no known peer field (namespaces, pods, nodes, networks)",
                    ),
                }
            }
        }
    }
    out.items
}

/// Checks a port name as the API server does (IANA_SVC_NAME): 1 to 15 characters of `a-z`,
/// `0-9` and `-`, at least one letter, no `-` at either end, no `--`.
pub fn port_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 15 {
        return Err("must be 1 to 15 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("may hold only lower-case letters, digits and '-'");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err("must hold at least one letter");
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("may not start or end with '-' or hold '--'");
    }
    Ok(())
}

fn selector(s: &LabelSelector, path: &str, out: &mut Out) {
    label_selector(s, path, &|k| k, &mut |span, path, message| {
        out.push("invalid-selector", span, path, message)
    });
}

/// What the API server refuses in a label selector (`ValidateLabelSelector`): invalid keys
/// and values, unknown operators, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with
/// some. `key_of` gives the Kubernetes key a written key stands for (Cilium writes a source
/// prefix before it); each problem goes to `push` as (where, field path, message).
pub fn label_selector(
    s: &LabelSelector,
    path: &str,
    key_of: &dyn Fn(&str) -> &str,
    push: &mut dyn FnMut(Span, String, String),
) {
    for (k, val) in &s.match_labels {
        let kpath = format!("{path}.matchLabels[{:?}]", k.value);
        if let Err(e) = label_key(key_of(&k.value)) {
            push(
                k.span,
                kpath.clone(),
                format!("label key `{}` is invalid: {e}", k.value),
            );
        }
        if let Err(e) = label_value(val) {
            push(
                val.span,
                kpath,
                format!("label value `{}` is invalid: {e}", val.value),
            );
        }
    }
    for (i, e) in s.match_expressions.iter().enumerate() {
        let epath = format!("{path}.matchExpressions[{i}]");
        if let Err(msg) = label_key(key_of(&e.key.value)) {
            push(
                e.key.span,
                format!("{epath}.key"),
                format!("label key `{}` is invalid: {msg}", e.key.value),
            );
        }
        match Operator::parse(&e.operator) {
            None => push(
                e.operator.span,
                format!("{epath}.operator"),
                format!(
                    "`{}` is not In, NotIn, Exists or DoesNotExist",
                    e.operator.value
                ),
            ),
            Some(Operator::In | Operator::NotIn) if e.values.is_empty() => push(
                e.span,
                epath,
                format!("operator `{}` needs at least one value", e.operator.value),
            ),
            Some(Operator::Exists | Operator::DoesNotExist) if !e.values.is_empty() => push(
                e.values_span.unwrap_or(e.span),
                format!("{epath}.values"),
                format!("operator `{}` takes no values", e.operator.value),
            ),
            _ => {
                for (j, val) in e.values.iter().enumerate() {
                    if let Err(msg) = label_value(val) {
                        push(
                            val.span,
                            format!("{epath}.values[{j}]"),
                            format!("label value `{}` is invalid: {msg}", val.value),
                        );
                    }
                }
            }
        }
    }
}

fn name_part(s: &str) -> Result<(), &'static str> {
    if s.is_empty() || s.len() > 63 {
        return Err("the name part must be 1 to 63 characters");
    }
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.';
    if !b[0].is_ascii_alphanumeric()
        || !b[b.len() - 1].is_ascii_alphanumeric()
        || !b.iter().all(|&c| ok(c))
    {
        return Err(
            "must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'",
        );
    }
    Ok(())
}

/// What is wrong with a port written as a string, as the API server reads it (a name). A
/// quoted number is a name without a letter; when the number would be out of range anyway,
/// the message says that too (the rule's help says to write it without quotes).
fn port_name_problem(name: &str) -> Option<String> {
    let e = port_name(name).err()?;
    let out_of_range = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && !name.parse::<u64>().is_ok_and(|n| (1..=65535).contains(&n));
    Some(if out_of_range {
        format!(
            "`{name}` is not a valid port name: {e}; as a number, port {name} is out of range 1-65535"
        )
    } else {
        format!("`{name}` is not a valid port name: {e}")
    })
}

/// What the API server says of `name` as the `metadata.name` of a `kind` object, None when
/// it takes it (`ValidateObjectMeta` with the kind's name rule): a Namespace's name is a
/// DNS-1123 label, a Service's a DNS-1035 label, a CronJob's a DNS-1123 subdomain of at most
/// 52 characters (its Jobs add 11), every other kind the model reads (Pod, the workloads,
/// NetworkPolicy, the cluster-wide policies, which are custom resources) a DNS-1123
/// subdomain.
pub fn object_name(kind: &str, name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a name is required".into());
    }
    let why = match kind {
        "Namespace" => dns1123_label(name),
        "Service" => dns1035_label(name),
        "CronJob" if name.len() > 52 => Some(format!(
            "must be no more than 52 characters (it has {})",
            name.len()
        )),
        _ => dns1123_subdomain(name),
    }?;
    Some(format!("`{name}` is not a valid {kind} name: {why}"))
}

/// What the API server says of `name` as the `metadata.namespace` of an object, None when it
/// takes it: a DNS-1123 label, as namespace names are.
pub fn namespace_name(name: &str) -> Option<String> {
    let why = dns1123_label(name)?;
    Some(format!("`{name}` is not a valid namespace name: {why}"))
}

/// Lower-case letters, digits and `-`, starting and ending with a letter or digit.
fn label_chars(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Why `s` is not a DNS-1123 label, in the API server's words; None when it is one.
pub fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!(
            "must be no more than 63 characters (it has {})",
            s.len()
        ));
    }
    (!label_chars(s)).then(|| {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')".into()
    })
}

/// Why `s` is not a DNS-1123 subdomain, in the API server's words; None when it is one.
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some(format!(
            "must be no more than 253 characters (it has {})",
            s.len()
        ));
    }
    (!s.split('.').all(label_chars)).then(|| {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')".into()
    })
}

/// Why `s` is not a DNS-1035 label, in the API server's words; None when it is one.
pub fn dns1035_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!(
            "must be no more than 63 characters (it has {})",
            s.len()
        ));
    }
    let starts_with_letter = s.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    (!(label_chars(s) && starts_with_letter)).then(|| {
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')".into()
    })
}

/// Checks a label key: an optional DNS subdomain prefix and `/`, then a name of up to 63
/// characters.
pub fn label_key(key: &str) -> Result<(), &'static str> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let valid = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                let b = part.as_bytes();
                !b.is_empty()
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            });
        if !valid {
            return Err("the prefix must be a lower-case DNS subdomain");
        }
    }
    name_part(name)
}

/// Checks a label value: empty, or up to 63 characters like a key's name part.
pub fn label_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        Ok(())
    } else {
        name_part(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names_follow_iana_svc_name() {
        assert!(port_name("http").is_ok());
        assert!(port_name("serve-80-tcp").is_ok());
        assert!(port_name("80").is_err());
        assert!(port_name("HTTP").is_err());
        assert!(port_name("a--b").is_err());
        assert!(port_name("sixteen-chars-xx").is_err());
    }

    #[test]
    fn names_follow_the_rule_of_their_kind() {
        assert_eq!(object_name("Deployment", "web-1.v2"), None);
        assert_eq!(object_name("Namespace", "shop"), None);
        assert_eq!(object_name("Service", "api"), None);
        assert!(object_name("Deployment", "YOUR_APP").unwrap().starts_with(
            "`YOUR_APP` is not a valid Deployment name: a lowercase RFC 1123 subdomain"
        ));
        // A dot is fine in a subdomain, not in a label; a Service name starts with a letter.
        assert!(object_name("Namespace", "web.v2").is_some());
        assert!(object_name("Pod", "web.v2").is_none());
        assert!(object_name("Service", "1api").unwrap().contains("DNS-1035"));
        assert!(object_name("Pod", "1api").is_none());
        assert!(object_name("Pod", "a..b").is_some());
        assert!(object_name("Pod", "-a").is_some());
        assert_eq!(object_name("Pod", ""), Some("a name is required".into()));
        let long = "a".repeat(53);
        assert!(
            object_name("CronJob", &long)
                .unwrap()
                .contains("no more than 52")
        );
        assert!(object_name("Job", &long).is_none());
        assert!(
            namespace_name(&"a".repeat(64))
                .unwrap()
                .contains("no more than 63 characters (it has 64)")
        );
        assert!(namespace_name("YOUR_NAMESPACE").is_some());
        assert!(dns1123_subdomain(&"a.".repeat(127)).is_some());
    }

    #[test]
    fn label_keys_and_values() {
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("kubernetes.io/metadata.name").is_ok());
        assert!(label_key("-bad").is_err());
        assert!(label_key("Upper.Prefix/x").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("a b").is_err());
    }
}

//! ## What it finds
//! A named port (`port: http`) in a rule that no destination of the rule declares: no
//! container port of theirs has that `name` with that `protocol`. The destinations are, for
//! an ingress rule, the pods the policy selects; for an egress rule, the pods its `to` peers
//! match, or every pod of the input when it has no `to`.
//!
//! Only what the input shows is judged: when the policy selects no pod of the input, or the
//! rule's peers match none (the pods may be in manifests kept elsewhere; give them with
//! `--topology`), the rule says nothing.
//!
//! ## Why it matters
//! A named port resolves on each destination pod separately and allows nothing where it does
//! not resolve — including every address outside the cluster. The rule looks like it opens a
//! port, and silently opens none: a typo, a port renamed in the Deployment but not in the
//! policy, or a protocol left at its TCP default for a UDP port.
//!
//! ## Example
//! ```yaml
//! # db's container declares: ports: [{name: postgres, containerPort: 5432}]
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: api}}
//!     ports:
//!     - port: postgresql
//! ```
//!
//! ## Use instead
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: db, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: db}}
//!   ingress:
//!   - from:
//!     - podSelector: {matchLabels: {app: api}}
//!     ports:
//!     - port: postgres        # or the number: 5432
//! ```

use serde_json::Value;

use crate::base::suggest::closest;
use crate::engine::Party;
use crate::engine::matching::matches;
use crate::lint::fix::{Fix, Safety, insert_entry, replace_scalar, text_of};
use crate::lint::scope::list;
use crate::lint::{Category, Context, Finding, RuleDef, Severity, Subject};
use crate::model::ir::lower::kubernetes::rule_peer;
use crate::model::policy::PolicyPort;
use crate::model::{Direction, Endpoint, Protocol};

/// The rule.
pub const RULE: RuleDef = RuleDef {
    code: "NP205",
    name: "unresolved-named-port",
    severity: Severity::Warning,
    category: Category::Ineffective,
    summary: "a named port that no destination of the rule declares",
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let cluster = cx.cluster;
    for (idx, p) in cluster.applied_policies() {
        for dir in Direction::BOTH {
            for rule in p.rules(dir) {
                let named: Vec<_> = rule
                    .port_list()
                    .iter()
                    .enumerate()
                    .filter_map(|(i, port)| Some((i, port, port.name()?, port.protocol()?)))
                    .collect();
                if named.is_empty() {
                    continue;
                }
                let (dests, whom): (Vec<&Endpoint>, &str) = match dir {
                    // A NetworkPolicy selects pods of its own namespace only.
                    Direction::Ingress => (
                        cluster
                            .ns_id(&p.namespace)
                            .map_or(&[][..], |id| cx.index().endpoints_in(id))
                            .iter()
                            .map(|&i| &cluster.endpoints[i])
                            .filter(|e| cluster.selects(p, e))
                            .collect(),
                        "pod the policy selects",
                    ),
                    Direction::Egress if rule.all_peers() => {
                        (cluster.endpoints.iter().collect(), "pod of the input")
                    }
                    Direction::Egress => (
                        {
                            let peer = rule_peer(p, rule);
                            (0..cluster.endpoints.len())
                                .filter(|&i| matches(cluster, &peer, Party::Endpoint(i)))
                                .map(|i| &cluster.endpoints[i])
                                .collect()
                        },
                        "pod the rule's peers match",
                    ),
                };
                if dests.is_empty() {
                    continue;
                }
                for (i, port, name, proto) in named {
                    if dests.iter().any(|e| declares(e, name, proto)) {
                        continue;
                    }
                    let listed = if dir == Direction::Egress && rule.all_peers() {
                        String::new()
                    } else {
                        let ids: Vec<String> = dests.iter().map(|e| e.id()).collect();
                        format!(" ({})", list(&ids))
                    };
                    let span = port.port.as_ref().map_or(port.span, |v| v.span);
                    let mut f = Finding::new(
                        &RULE,
                        Subject::Policy(idx),
                        span,
                        format!(
                            "{}: {}.ports[{i}]: named port `{name}` ({proto}) is declared by no {whom}{listed}",
                            p.id(),
                            rule.label()
                        ),
                    );
                    if let Some(h) = help(&dests, name, proto) {
                        f = f.help(h);
                    }
                    f = f.maybe_fix(fix(text_of(cx, port.span), port, &dests, name, proto));
                    out.push(f);
                }
            }
        }
    }
}

fn declares(e: &Endpoint, name: &str, proto: Protocol) -> bool {
    e.ports
        .iter()
        .any(|cp| cp.protocol == proto && cp.name.as_deref() == Some(name))
}

/// The fix of a named port no destination declares: the protocol the destinations declare
/// the name with (when they agree on one), or the one declared name close to it. Unsafe: a
/// guess, and it opens the port the rule was written for.
fn fix(
    text: &str,
    port: &PolicyPort,
    dests: &[&Endpoint],
    name: &str,
    proto: Protocol,
) -> Option<Fix> {
    let mut others: Vec<Protocol> = dests
        .iter()
        .flat_map(|e| e.ports.iter())
        .filter(|cp| cp.name.as_deref() == Some(name) && cp.protocol != proto)
        .map(|cp| cp.protocol)
        .collect();
    others.sort_by_key(|p| p.to_string());
    others.dedup();
    if !others.is_empty() {
        let [other] = others[..] else {
            return None;
        };
        let value = other.to_string();
        let edit = match &port.protocol {
            Some(p) => replace_scalar(text, p.span, &value),
            None => insert_entry(text, port.span, "protocol", &Value::String(value.clone())),
        };
        return Some(
            Fix::edit(Safety::Unsafe, format!("set `protocol: {value}`"), edit)
                .changing_connections(),
        );
    }
    let mut names: Vec<&str> = dests
        .iter()
        .flat_map(|e| e.ports.iter())
        .filter(|cp| cp.protocol == proto)
        .filter_map(|cp| cp.name.as_deref())
        .filter(|n| closest(name, &[n]).is_some())
        .collect();
    names.sort_unstable();
    names.dedup();
    let [near] = names[..] else {
        return None;
    };
    let span = port.port.as_ref()?.span;
    Some(
        Fix::edit(
            Safety::Unsafe,
            format!("replace `{name}` with `{near}`"),
            replace_scalar(text, span, near),
        )
        .changing_connections(),
    )
}

fn help(dests: &[&Endpoint], name: &str, proto: Protocol) -> Option<String> {
    // The name with another protocol.
    for e in dests {
        if let Some(cp) = e
            .ports
            .iter()
            .find(|cp| cp.name.as_deref() == Some(name) && cp.protocol != proto)
        {
            return Some(format!(
                "{} declares `{name}` as {}: set `protocol: {}` on this port",
                e.id(),
                cp.protocol,
                cp.protocol
            ));
        }
    }
    let mut names: Vec<&str> = dests
        .iter()
        .flat_map(|e| e.ports.iter())
        .filter(|cp| cp.protocol == proto)
        .filter_map(|cp| cp.name.as_deref())
        .collect();
    names.sort();
    names.dedup();
    if let Some(near) = closest(name, &names) {
        return Some(format!("did you mean `{near}`?"));
    }
    if names.is_empty() {
        return Some(format!(
            "no destination declares a named {proto} port: name the container port `{name}`, or use its number"
        ));
    }
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    Some(format!("declared {proto} port names: {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::lint::testing::findings;

    #[test]
    fn points_at_each_named_port_no_destination_declares() {
        assert_eq!(
            findings(&RULE, "bad.yaml"),
            [
                "36:13: shop/db: ingress[0].ports[0]: named port `postgresql` (TCP) is declared by no pod the policy selects (shop/sts/db)",
                "47:13: shop/api: ingress[0].ports[0]: named port `dns` (TCP) is declared by no pod the policy selects (shop/deploy/api)",
                "48:13: shop/api: ingress[0].ports[1]: named port `metrics` (TCP) is declared by no pod the policy selects (shop/deploy/api)",
                "53:14: shop/api: egress[0].ports[0]: named port `pg` (TCP) is declared by no pod the rule's peers match (shop/sts/db)",
                "55:14: shop/api: egress[1].ports[0]: named port `grpc` (TCP) is declared by no pod of the input",
            ]
        );
    }

    #[test]
    fn declared_names_and_destinations_outside_the_input_pass() {
        assert!(findings(&RULE, "good.yaml").is_empty());
    }

    #[test]
    fn help_suggests_the_declared_name_or_protocol() {
        assert_eq!(
            crate::lint::scope::testing::details(&RULE, "bad.yaml"),
            [
                [
                    "36:13: shop/db: ingress[0].ports[0]: named port `postgresql` (TCP) is declared by no pod the policy selects (shop/sts/db)",
                    "help: did you mean `postgres`?",
                ],
                [
                    "47:13: shop/api: ingress[0].ports[0]: named port `dns` (TCP) is declared by no pod the policy selects (shop/deploy/api)",
                    "help: shop/deploy/api declares `dns` as UDP: set `protocol: UDP` on this port",
                ],
                [
                    "48:13: shop/api: ingress[0].ports[1]: named port `metrics` (TCP) is declared by no pod the policy selects (shop/deploy/api)",
                    "help: declared TCP port names: `http`",
                ],
                [
                    "53:14: shop/api: egress[0].ports[0]: named port `pg` (TCP) is declared by no pod the rule's peers match (shop/sts/db)",
                    "help: declared TCP port names: `postgres`",
                ],
                [
                    "55:14: shop/api: egress[1].ports[0]: named port `grpc` (TCP) is declared by no pod of the input",
                    "help: declared TCP port names: `http`, `postgres`",
                ],
            ]
        );
    }

    #[test]
    fn the_fix_names_the_close_port_or_sets_the_protocol() {
        use crate::lint::fix::testing::fixed;
        insta::assert_snapshot!(fixed(&RULE, "bad.yaml", true));
        // Unsafe: not applied without --unsafe-fixes.
        assert_eq!(fixed(&RULE, "bad.yaml", false), "");
    }
}

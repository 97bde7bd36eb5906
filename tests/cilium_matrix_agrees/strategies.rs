//! The strategies that draw a random [`Case`].

use super::*;
use support::k8s_policy::{k8s_policy, labels};

fn sel_key() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0..COMMON_KEYS, 2 => COMMON_KEYS..SEL_KEYS.len()]
}

/// A selector: sometimes `{}`, else a few matchLabels and matchExpressions.
fn sel() -> impl Strategy<Value = Sel> {
    let expr = (
        sel_key(),
        0..OPERATORS.len(),
        prop::collection::vec(0..3usize, 1..3),
    )
        .prop_map(|(key, op, mut values)| {
            if op >= 2 {
                values.clear();
            }
            let domain = SEL_KEYS[key].1.len();
            for v in &mut values {
                *v %= domain;
            }
            values.sort_unstable();
            values.dedup();
            (key, op, values)
        });
    prop_oneof![
        1 => Just(Sel { labels: Vec::new(), exprs: Vec::new() }),
        5 => (
            prop::collection::btree_map(sel_key(), 0..3usize, 0..3),
            prop::collection::vec(expr, 0..3),
        )
            .prop_map(|(labels, exprs)| Sel {
                labels: labels
                    .into_iter()
                    .map(|(k, v)| (k, v % SEL_KEYS[k].1.len()))
                    .collect(),
                exprs,
            }),
    ]
}

fn cidr_item() -> impl Strategy<Value = CidrItem> {
    prop_oneof![
        3 => (0..CIDRS.len(), prop::collection::vec(0..3usize, 0..3)).prop_map(|(c, ex)| {
            let allowed = CIDRS[c].1.len();
            let mut ex: Vec<usize> = if allowed == 0 {
                Vec::new()
            } else {
                ex.into_iter().map(|e| e % allowed).collect()
            };
            ex.sort_unstable();
            ex.dedup();
            CidrItem::Cidr(c, ex)
        }),
        1 => (0..GROUPS.len()).prop_map(CidrItem::Group),
    ]
}

/// A list of 1–`max` items, or (rarely) an empty one.
fn list<T: std::fmt::Debug + Clone + 'static>(
    item: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        1 => Just(Vec::new()),
        12 => prop::collection::vec(item, 1..=max),
    ]
}

fn peer(egress: bool) -> BoxedStrategy<Peer> {
    let entity = prop_oneof![
        40 => 0..ENTITIES.len() - 1,
        1 => Just(ENTITIES.len() - 1),
    ];
    let mut choices: Vec<(u32, BoxedStrategy<Peer>)> = vec![
        (3, Just(Peer::None).boxed()),
        (5, list(sel(), 3).prop_map(Peer::Endpoints).boxed()),
        (3, list(entity, 3).prop_map(Peer::Entities).boxed()),
        (2, list(0..CIDRS.len(), 3).prop_map(Peer::Cidr).boxed()),
        (2, list(cidr_item(), 3).prop_map(Peer::CidrSet).boxed()),
    ];
    if egress {
        choices.push((
            1,
            list(
                (
                    0..SERVICE_NAMES.len(),
                    prop::option::of(0..NAMESPACES.len()),
                ),
                2,
            )
            .prop_map(Peer::Services)
            .boxed(),
        ));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

fn port_proto() -> impl Strategy<Value = PortProto> {
    (
        prop_oneof![
            5 => (0..PORTS.len()).prop_map(PortValue::Number),
            1 => Just(PortValue::Zero),
            2 => (0..PORT_NAMES.len()).prop_map(PortValue::Name),
        ],
        prop::option::weighted(0.2, 0..END_PORTS.len()),
        prop_oneof![
            3 => Just(None),
            3 => Just(Some(0usize)),
            2 => Just(Some(1)),
            1 => Just(Some(2)),
            2 => Just(Some(3)),
            1 => Just(Some(4)),
        ],
    )
        .prop_map(|(port, end_port, protocol)| PortProto {
            port,
            end_port,
            protocol,
        })
}

fn l4() -> impl Strategy<Value = L4> {
    prop_oneof![
        4 => Just(L4::None),
        6 => prop::collection::vec(prop::collection::vec(port_proto(), 0..=3), 0..=2)
            .prop_map(L4::ToPorts),
        1 => prop::collection::vec(prop::sample::select(vec![0u8, 8]), 1..=2).prop_map(L4::Icmps),
    ]
}

fn peer_rule(egress: bool) -> impl Strategy<Value = PeerRule> {
    (peer(egress), l4()).prop_map(|(peer, l4)| PeerRule { peer, l4 })
}

fn rule_list(egress: bool) -> impl Strategy<Value = RuleList> {
    prop_oneof![
        4 => Just(RuleList::Absent),
        1 => Just(RuleList::Empty),
        1 => Just(RuleList::EmptyRule),
        4 => prop::collection::vec(peer_rule(egress), 1..=3).prop_map(RuleList::Rules),
    ]
}

fn cilium_rule() -> impl Strategy<Value = CiliumRule> {
    (
        sel(),
        rule_list(false),
        prop_oneof![3 => Just(RuleList::Absent), 1 => rule_list(false)],
        rule_list(true),
        prop_oneof![3 => Just(RuleList::Absent), 1 => rule_list(true)],
        prop::option::weighted(
            0.3,
            (
                prop::option::of(any::<bool>()),
                prop::option::of(any::<bool>()),
            ),
        ),
    )
        .prop_map(
            |(selector, ingress, ingress_deny, egress, egress_deny, default_deny)| CiliumRule {
                selector,
                lists: [ingress, ingress_deny, egress, egress_deny],
                default_deny,
            },
        )
}

fn cilium_policy(namespaces: usize) -> impl Strategy<Value = CiliumPolicy> {
    (
        prop::bool::weighted(0.4),
        0..namespaces,
        0..POLICY_NAMES.len(),
        prop_oneof![
            6 => cilium_rule().prop_map(|r| (Some(r), None)),
            3 => prop::collection::vec(cilium_rule(), 1..=2).prop_map(|v| (None, Some(v))),
            1 => (cilium_rule(), prop::collection::vec(cilium_rule(), 1..=2))
                .prop_map(|(r, v)| (Some(r), Some(v))),
        ],
    )
        .prop_map(|(clusterwide, ns, name, (spec, specs))| CiliumPolicy {
            clusterwide,
            ns,
            name,
            spec,
            specs,
        })
}

fn pod(namespaces: usize) -> impl Strategy<Value = Pod> {
    (
        (
            0..namespaces,
            labels(&POD_KEYS[..2], 0.7),
            prop::option::weighted(0.3, 0..HASHES.len()),
        ),
        prop::option::weighted(0.85, 0..NODES.len()),
        0..NODES.len(),
        prop::option::weighted(0.9, 0..POD_HOSTS.len()),
        (prop::bool::weighted(0.15), prop::bool::weighted(0.7)),
        prop::collection::vec(
            (
                prop::option::weighted(0.7, 0..PORT_NAMES.len()),
                0..PORTS.len(),
                prop::option::of(0..CONTAINER_PROTOCOLS.len()),
            )
                .prop_map(|(name, port, protocol)| ContainerPort {
                    name,
                    port,
                    protocol,
                }),
            0..3,
        ),
        prop::option::weighted(0.3, 0..SERVICE_ACCOUNTS.len()),
    )
        .prop_map(
            |(
                (ns, mut labels, hash),
                node,
                ip_node,
                ip,
                (host_network, v6),
                ports,
                service_account,
            )| {
                if let Some(h) = hash {
                    labels.push((2, h));
                }
                Pod {
                    ns,
                    labels,
                    node,
                    ip_node,
                    ip,
                    v6,
                    host_network,
                    ports,
                    service_account,
                }
            },
        )
}

pub fn case() -> impl Strategy<Value = Case> {
    (2..=3usize).prop_flat_map(|n| {
        (
            (any::<bool>(), prop::bool::weighted(0.3)),
            prop::collection::vec(labels(&NS_KEYS, 0.6), n..=n),
            prop::collection::vec(pod(n), 3..=8),
            prop::option::weighted(
                0.4,
                (0..n, 0..APPS.len()).prop_map(|(ns, app)| Service { ns, app }),
            ),
            prop::collection::vec(prop::collection::vec(0..CIDRS.len(), 1..=2), 0..=2),
            prop::collection::vec(cilium_policy(n), 1..=5),
            prop::option::weighted(0.3, prop::collection::vec(k8s_policy(&K8S, n), 1..=2))
                .prop_map(Option::unwrap_or_default),
        )
            .prop_map(
                |(
                    (node_external_ip, dual_stack),
                    namespaces,
                    pods,
                    service,
                    groups,
                    policies,
                    k8s,
                )| Case {
                    node_external_ip,
                    dual_stack,
                    namespaces,
                    pods,
                    service,
                    groups,
                    policies,
                    k8s,
                },
            )
    })
}

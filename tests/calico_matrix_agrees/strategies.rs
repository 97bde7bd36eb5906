//! The strategies that draw a random [`Case`].

use super::*;
use support::k8s_policy::k8s_policy;

fn labels() -> impl Strategy<Value = Labels> {
    prop::collection::btree_map(0..LABEL_KEYS.len(), 0..VALUES.len(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn leaf(keys: usize) -> impl Strategy<Value = Sel> {
    (
        prop_oneof![3 => 0..3usize, 1 => 3..keys],
        0..6usize,
        prop::collection::vec(0..4usize, 0..3),
    )
        .prop_map(|(key, op, mut values)| {
            if values.is_empty() && op < 2 {
                values.push(0);
            }
            Sel::Leaf { key, op, values }
        })
}

/// A selector over a table of `keys` keys.
fn sel(keys: usize) -> BoxedStrategy<Sel> {
    prop_oneof![1 => Just(Sel::All), 6 => leaf(keys)]
        .prop_recursive(3, 10, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|x| Sel::Not(Box::new(x))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Sel::And),
                prop::collection::vec(inner, 2..4).prop_map(Sel::Or),
            ]
        })
        .boxed()
}

fn ns_sel() -> impl Strategy<Value = NsSel> {
    prop_oneof![
        1 => Just(NsSel::All),
        1 => Just(NsSel::Global),
        3 => sel(NAMESPACE_KEYS.len()).prop_map(NsSel::Expr),
    ]
}

fn port() -> impl Strategy<Value = Port> {
    prop_oneof![
        (0..PORTS.len()).prop_map(Port::Number),
        (0..RANGES.len()).prop_map(Port::Range),
        (0..PORT_NAMES.len()).prop_map(Port::Name),
    ]
}

/// `ports`: how likely the side restricts ports (destination sides more than source sides).
fn entity(ports: f64) -> impl Strategy<Value = Entity> {
    let list = |w: f64, s: std::ops::Range<usize>| {
        prop::option::weighted(w, prop::collection::vec(s, 1..3))
            .prop_map(Option::unwrap_or_default)
    };
    (
        (
            prop::option::weighted(0.35, sel(ENDPOINT_KEYS.len())),
            prop::option::weighted(0.2, sel(ENDPOINT_KEYS.len())),
            prop::option::weighted(0.25, ns_sel()),
        ),
        list(0.25, 0..NETS_V4.len()),
        list(0.12, 0..NETS_V4.len()),
        prop::option::weighted(
            0.15,
            (
                prop::collection::vec(0..SERVICE_ACCOUNTS.len(), 0..3),
                prop::option::of(sel(SA_KEYS.len())),
            ),
        ),
        prop::option::weighted(ports, prop::collection::vec(port(), 1..3))
            .prop_map(Option::unwrap_or_default),
        prop::option::weighted(ports / 3.0, prop::collection::vec(port(), 1..3))
            .prop_map(Option::unwrap_or_default),
    )
        .prop_map(
            |(
                (selector, not_selector, namespace_selector),
                nets,
                not_nets,
                service_accounts,
                ports,
                not_ports,
            )| Entity {
                selector,
                not_selector,
                namespace_selector,
                nets,
                not_nets,
                service_accounts,
                ports,
                not_ports,
            },
        )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop_oneof![3 => Just(0usize), 2 => Just(1), 2 => Just(2), 1 => Just(3)],
        prop::option::weighted(0.5, 0..PROTOCOLS.len()),
        prop::option::weighted(0.15, 0..NOT_PROTOCOLS.len()),
        prop::option::weighted(0.3, prop::sample::select(vec![0u8, 8])),
        prop::option::weighted(0.15, prop::sample::select(vec![4u8, 6])),
        prop::bool::weighted(0.15),
        prop::option::weighted(0.6, entity(0.05)),
        prop::option::weighted(0.6, entity(0.5)),
    )
        .prop_map(
            |(action, protocol, not_protocol, icmp, ip_version, v6, source, destination)| Rule {
                action,
                protocol,
                not_protocol,
                icmp,
                ip_version,
                v6,
                source,
                destination,
            },
        )
}

fn calico_policy(namespaces: usize) -> impl Strategy<Value = CalicoPolicy> {
    (
        (
            prop_oneof![4 => Just(0usize), 3 => Just(1), 1 => Just(2), 1 => Just(3)],
            0..namespaces,
            0..POLICY_NAMES.len(),
            prop_oneof![
                3 => Just(0usize), 1 => Just(1), 3 => Just(2), 2 => Just(3),
                1 => Just(4), 1 => Just(5), 1 => Just(6),
            ],
            prop::option::weighted(0.75, 0..ORDERS.len()),
        ),
        (
            prop::option::weighted(0.85, prop::option::weighted(0.9, sel(ENDPOINT_KEYS.len()))),
            prop::option::weighted(0.25, sel(NAMESPACE_KEYS.len())),
            prop::option::weighted(0.15, sel(SA_KEYS.len())),
        ),
        prop::option::of(0..3usize),
        prop::collection::vec(rule(), 0..4),
        prop::collection::vec(rule(), 0..4),
        prop::bool::weighted(0.1),
        prop_oneof![2 => Just(0usize), 2 => Just(1), 1 => Just(2)],
    )
        .prop_map(
            |(
                (kind, ns, name, tier, order),
                (selector, namespace_selector, service_account_selector),
                types,
                ingress,
                egress,
                apply_on_forward,
                staged_action,
            )| CalicoPolicy {
                kind,
                ns,
                name,
                tier,
                order,
                selector,
                namespace_selector,
                service_account_selector,
                types,
                ingress,
                egress,
                apply_on_forward,
                staged_action,
            },
        )
}

fn pod(namespaces: usize) -> impl Strategy<Value = Pod> {
    (
        0..namespaces,
        labels(),
        prop::option::weighted(0.92, 0..IPS_V4.len()),
        prop::option::weighted(0.2, 0..IPS_V6.len()),
        prop::bool::weighted(0.15),
        prop::collection::vec(
            (
                0..PORT_NAMES.len(),
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
        prop::option::weighted(0.7, 0..SERVICE_ACCOUNTS.len()),
    )
        .prop_map(
            |(ns, labels, v4, v6, host_network, ports, service_account)| Pod {
                ns,
                labels,
                v4,
                v6,
                host_network,
                ports,
                service_account,
            },
        )
}

pub fn case() -> impl Strategy<Value = Case> {
    (2..=4usize).prop_flat_map(|n| {
        (
            prop::collection::vec(labels(), n..=n),
            prop::collection::vec(pod(n), 2..=10),
            prop::collection::vec((0..n, 0..SERVICE_ACCOUNTS.len(), labels()), 0..=2),
            prop::collection::vec(
                (
                    prop::option::weighted(0.8, 0..TIER_ORDERS.len()),
                    prop::option::of(any::<bool>()),
                )
                    .prop_map(|(order, default_action)| TierObj {
                        order,
                        default_action,
                    }),
                0..=2,
            ),
            prop::collection::vec(
                (
                    any::<bool>(),
                    0..n,
                    labels(),
                    prop::collection::vec(0..SET_NETS.len(), 1..3),
                )
                    .prop_map(|(global, ns, labels, nets)| NetSet {
                        global,
                        ns,
                        labels,
                        nets,
                    }),
                0..=3,
            ),
            prop::collection::vec(calico_policy(n), 0..=6),
            prop::option::weighted(0.35, prop::collection::vec(k8s_policy(&K8S, n), 1..=2))
                .prop_map(Option::unwrap_or_default),
            any::<bool>(),
        )
            .prop_map(
                |(namespaces, pods, service_accounts, tiers, sets, policies, k8s, with_staged)| {
                    Case {
                        namespaces,
                        pods,
                        service_accounts,
                        tiers,
                        sets,
                        policies,
                        k8s,
                        with_staged,
                    }
                },
            )
    })
}

//! The property `generate` owes its users, over random small clusters and random flows:
//! written as YAML and evaluated by the engine on that text (the plain evaluator, pair by
//! pair, not the matrix `--check` uses), the policies
//! - mean what the plan says ([`Plan::allows`]) on every pair with an end in a covered
//!   namespace;
//! - allow every flow listed;
//! - allow nothing else there but the documented extras: DNS to the cluster DNS, and what a
//!   selector or an ipBlock matches beside what it was written for (each said when
//!   generating); with no such note, DNS only;
//! - and `--check`'s proof holds;
//!
//! in each policy API `generate` writes: Kubernetes NetworkPolicies, Calico's (evaluated in
//! a Calico cluster) and Cilium's (in a Cilium cluster).
//!
//! Clusters: namespaces `n0`..`n2` of Deployments, StatefulSets and bare pods with IPs
//! (labels drawn from small pools so that workloads share them, and a unique
//! `pod-template-hash` the generator must not select on), named and unnamed container
//! ports, CoreDNS in kube-system or not; flows between them and three address ranges, with
//! a port or without.

use kubectl_netpol::engine::Party;
use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::fix::generate::plan::Plan;
use kubectl_netpol::fix::generate::{
    Api, End, Options, Origin, Verdict, Want, check, plan, render,
};
use kubectl_netpol::load::{LoadOptions, load_texts};
use kubectl_netpol::model::{BuildOptions, Cluster, PortSet};
use proptest::prelude::*;

const APPS: [&str; 3] = ["a", "b", "c"];
const TIERS: [&str; 2] = ["x", "y"];
const PORTS: [(u16, &str, Option<&str>); 4] = [
    (80, "TCP", Some("http")),
    (8080, "TCP", None),
    (5432, "TCP", Some("pg")),
    (53, "UDP", Some("dns")),
];
const CIDRS: [&str; 3] = ["0.0.0.0/0", "192.0.2.0/24", "10.0.0.0/8"];
const FLOW_PORTS: [&str; 6] = ["80", "8080", "5432", "53/UDP", "443", "http"];

#[derive(Clone, Debug)]
struct Wl {
    ns: usize,
    /// 0 Deployment, 1 StatefulSet, 2 a bare Pod with an IP.
    kind: usize,
    app: usize,
    tier: Option<usize>,
    ports: Vec<usize>,
}

#[derive(Clone, Debug)]
enum EndIx {
    Workload(usize),
    Cidr(usize),
    Dns,
}

#[derive(Clone, Debug)]
struct Flow {
    src: EndIx,
    dst: EndIx,
    port: Option<usize>,
}

#[derive(Clone, Debug)]
struct Case {
    workloads: Vec<Wl>,
    dns: bool,
    flows: Vec<Flow>,
}

fn wl() -> impl Strategy<Value = Wl> {
    (
        0..3usize,
        0..3usize,
        0..APPS.len(),
        prop::option::of(0..TIERS.len()),
        prop::collection::vec(0..PORTS.len(), 0..3),
    )
        .prop_map(|(ns, kind, app, tier, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            Wl {
                ns,
                kind,
                app,
                tier,
                ports,
            }
        })
}

fn case() -> impl Strategy<Value = Case> {
    (prop::collection::vec(wl(), 1..6), any::<bool>()).prop_flat_map(|(workloads, dns)| {
        let n = workloads.len();
        let end = prop_oneof![
            4 => (0..n).prop_map(EndIx::Workload),
            1 => (0..CIDRS.len()).prop_map(EndIx::Cidr),
            1 => Just(EndIx::Dns),
        ];
        let flow = (end.clone(), end, prop::option::of(0..FLOW_PORTS.len()))
            .prop_map(|(src, dst, port)| Flow { src, dst, port });
        (
            Just(workloads),
            Just(dns),
            prop::collection::vec(flow, 1..7),
        )
            .prop_map(|(workloads, dns, flows)| Case {
                workloads,
                dns,
                flows,
            })
    })
}

fn yaml(c: &Case) -> String {
    let mut out = String::new();
    for ns in ["n0", "n1", "n2", "kube-system"] {
        out.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"
        ));
    }
    if c.dns {
        out.push_str("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec:\n  template:\n    metadata: {labels: {k8s-app: kube-dns}}\n    spec: {containers: [{name: c, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}\n");
    }
    for (i, w) in c.workloads.iter().enumerate() {
        let mut labels = format!("app: {}, pod-template-hash: h{i}", APPS[w.app]);
        if let Some(t) = w.tier {
            labels.push_str(&format!(", tier: {}", TIERS[t]));
        }
        let ports: Vec<String> = w
            .ports
            .iter()
            .map(|&p| {
                let (n, proto, name) = PORTS[p];
                match name {
                    Some(name) => {
                        format!("{{name: {name}, containerPort: {n}, protocol: {proto}}}")
                    }
                    None => format!("{{containerPort: {n}, protocol: {proto}}}"),
                }
            })
            .collect();
        let spec = format!(
            "{{containers: [{{name: c, ports: [{}]}}]}}",
            ports.join(", ")
        );
        let ns = format!("n{}", w.ns);
        match w.kind {
            2 => out.push_str(&format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: w{i}, namespace: {ns}, labels: {{{labels}}}}}\nspec: {spec}\nstatus: {{podIP: 10.{}.0.{}}}\n",
                w.ns,
                i + 1
            )),
            k => out.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: {}\nmetadata: {{name: w{i}, namespace: {ns}}}\nspec:\n  template:\n    metadata: {{labels: {{{labels}}}}}\n    spec: {spec}\n",
                if k == 0 { "Deployment" } else { "StatefulSet" }
            )),
        }
    }
    out
}

fn wants(c: &Case) -> Vec<Want> {
    let end = |e: &EndIx| match e {
        EndIx::Workload(i) => End::Name(format!("n{}/w{i}", c.workloads[*i].ns)),
        EndIx::Cidr(k) => End::Cidr(CIDRS[*k].parse().unwrap()),
        EndIx::Dns => End::Name("kube-system/coredns".into()),
    };
    c.flows
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let external = |e: &EndIx| matches!(e, EndIx::Cidr(_));
            let dns_missing = |e: &EndIx| matches!(e, EndIx::Dns) && !c.dns;
            let both_external = external(&f.src) && external(&f.dst);
            !(both_external || dns_missing(&f.src) || dns_missing(&f.dst))
        })
        .map(|(i, f)| Want {
            origin: Origin {
                file: "flows.yaml".into(),
                line: i + 1,
            },
            from: end(&f.src),
            to: end(&f.dst),
            // A name only towards a workload that declares it (else the want is an error).
            port: f
                .port
                .map(|p| FLOW_PORTS[p])
                .filter(|p| {
                    *p != "http"
                        || matches!(&f.dst, EndIx::Workload(d) if c.workloads[*d].ports.contains(&0))
                })
                .map(|p| p.parse().unwrap()),
            verdict: Verdict::Allow,
        })
        .collect()
}

fn check_case(c: &Case, api: Api) -> Result<(), TestCaseError> {
    let input = yaml(c);
    let loaded = load_texts(&[("in.yaml", &input)], &LoadOptions::default());
    prop_assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let sources = loaded.sources;
    let cluster = Cluster::build(loaded.objects);
    let wants = wants(c);
    if wants.is_empty() {
        return Ok(());
    }
    let options = Options {
        api,
        default_namespace: "default".into(),
        ..Options::default()
    };
    let plan: Plan = plan::plan(&cluster, &wants, &options);
    prop_assert!(plan.problems.is_empty(), "{:?}\n{input}", plan.problems);
    let text = render::all(&plan);
    let context = format!(
        "{input}\n--- generated\n{text}\n--- notes\n{:?}",
        plan.notes
    );
    let generated = [("generated.yaml".to_string(), text.clone())];
    let (load, build) = (LoadOptions::default(), BuildOptions::default());
    let proof = check::prove(&cluster, &sources, &plan, &generated, &load, &build);
    prop_assert!(proof.holds(), "{proof:?}\n{context}");
    // Independently of the proof: the plain evaluator on every pair.
    let rebuilt = check::rebuild(&sources, &plan, &generated, &load, &build);
    prop_assert!(
        rebuilt.problems.is_empty(),
        "{:?}\n{context}",
        rebuilt.problems
    );
    let cl = &rebuilt.cluster;
    let members = Matrix::compute(cl);
    let governed = |m: usize| m < members.endpoints && plan.governs(cl, m);
    let quiet = plan.notes.is_empty();
    for u in 0..members.len() {
        for v in 0..members.len() {
            if !(governed(u) || governed(v)) || (members.is_external(u) && members.is_external(v)) {
                continue;
            }
            let (s, d) = (members.party(u), members.party(v));
            if matches!((s, d), (Party::Endpoint(a), Party::Endpoint(b)) if a == b && cl.endpoints[a].is_pod())
            {
                continue;
            }
            let names = format!("{:?} → {:?}", name(cl, s), name(cl, d));
            let engine = allowed_ports(cl, s, d);
            prop_assert_eq!(
                &engine,
                &plan.allows(cl, s, d),
                "engine vs plan, {}\n{}",
                names,
                context
            );
            let listed = plan.listed(cl, s, d);
            prop_assert!(
                engine.contains_set(&listed),
                "listed but not allowed, {names}\n{context}"
            );
            let mut documented = plan.dns_extra(cl, s, d);
            if !quiet {
                for (_, ports) in plan.overlaps(cl, s, d) {
                    documented.union_with(&ports);
                }
            }
            let extra = engine.difference(&listed);
            prop_assert!(
                documented.contains_set(&extra),
                "undocumented {} for {names}\n{context}",
                extra.difference(&documented)
            );
        }
    }
    // Every want of the plan is allowed (the proof counted its pairs).
    prop_assert!(proof.failing.is_empty());
    Ok(())
}

fn name(c: &Cluster, p: Party) -> String {
    match p {
        Party::Endpoint(i) => c.endpoints[i].id(),
        Party::Address(ip) => ip.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_allow_the_flows_and_nothing_undocumented(c in case()) {
        check_case(&c, Api::Kubernetes)?;
    }

    /// The same plans written as Calico NetworkPolicies, evaluated in a Calico cluster.
    #[test]
    fn generated_calico_policies_allow_the_flows_and_nothing_undocumented(c in case()) {
        check_case(&c, Api::Calico)?;
    }

    /// The same plans written as CiliumNetworkPolicies, evaluated in a Cilium cluster.
    #[test]
    fn generated_cilium_policies_allow_the_flows_and_nothing_undocumented(c in case()) {
        check_case(&c, Api::Cilium)?;
    }
}

/// The property fails on a plan that says less than the text allows: the checks above can
/// fail.
#[test]
fn a_wrong_plan_is_caught() {
    let c = Case {
        workloads: vec![
            Wl {
                ns: 0,
                kind: 0,
                app: 0,
                tier: None,
                ports: vec![0],
            },
            Wl {
                ns: 0,
                kind: 0,
                app: 1,
                tier: None,
                ports: vec![0],
            },
        ],
        dns: false,
        flows: vec![Flow {
            src: EndIx::Workload(0),
            dst: EndIx::Workload(1),
            port: Some(0),
        }],
    };
    for api in [Api::Kubernetes, Api::Calico, Api::Cilium] {
        check_case(&c, api).unwrap();
        let input = yaml(&c);
        let loaded = load_texts(&[("in.yaml", &input)], &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let mut plan = plan::plan(
            &cluster,
            &wants(&c),
            &Options {
                api,
                default_namespace: "default".into(),
                ..Options::default()
            },
        );
        let text = render::all(&plan);
        // The plan forgets its connection: the text allows what nothing lists.
        plan.connections.clear();
        let proof = check::prove(
            &cluster,
            &loaded.sources,
            &plan,
            &[("g.yaml".into(), text.clone())],
            &LoadOptions::default(),
            &BuildOptions::default(),
        );
        assert!(!proof.holds(), "{api:?}");
        assert_eq!(proof.undocumented.len(), 1, "{api:?}: {proof:?}");
        assert_eq!(
            proof.undocumented[0].ports,
            PortSet::single(kubectl_netpol::model::Protocol::Tcp, 80),
            "{api:?}"
        );
        // Calico's and Cilium's policies mean nothing in a cluster of another plugin: the
        // proof builds the cluster of the API written, whatever it is given.
        if api != Api::Kubernetes {
            let plan = plan::plan(
                &cluster,
                &wants(&c),
                &Options {
                    api,
                    default_namespace: "default".into(),
                    ..Options::default()
                },
            );
            let proof = check::prove(
                &cluster,
                &loaded.sources,
                &plan,
                &[("g.yaml".into(), text)],
                &LoadOptions::default(),
                &BuildOptions::default(),
            );
            assert!(proof.holds(), "{api:?}: {proof:?}");
        }
    }
}

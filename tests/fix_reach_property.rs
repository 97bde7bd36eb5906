//! `can-reach --fix`, checked on every denied (and every allowed) pair of the demo and on
//! random pairs of small generated clusters: after the proposed change is applied to the
//! text and the text is loaded again, exactly the asked flow changed — between the asked
//! workloads on the asked port (other replicas of the same two workloads included), nothing
//! else, in either direction. The check is independent of the fixer's own proof: it asks the
//! plain evaluator about every pair of endpoints before and after.

use std::collections::BTreeSet;

use kubectl_netpol::engine::Party;
use kubectl_netpol::engine::evaluate::allowed_ports;
use kubectl_netpol::fix::labels::members;
use kubectl_netpol::fix::reach::{Expect, Outcome, Proposal, Request, fix_allow, fix_deny};
use kubectl_netpol::load::source::SourceMap;
use kubectl_netpol::load::{LoadOptions, load, load_texts};
use kubectl_netpol::model::{BuildOptions, Cluster, PortSet, Protocol};
use kubectl_netpol::synth;

struct Input {
    sources: SourceMap,
    cluster: Cluster,
    problems: usize,
}

fn from_texts(texts: &[(String, String)]) -> Input {
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let l = load_texts(&refs, &LoadOptions::default());
    Input {
        cluster: Cluster::build_with(l.objects, &BuildOptions::default()),
        sources: l.sources,
        problems: l.problems.len(),
    }
}

fn demo() -> Input {
    let root = env!("CARGO_MANIFEST_DIR");
    let l = load(&[format!("{root}/testdata/demo")], &LoadOptions::default());
    Input {
        cluster: Cluster::build_with(l.objects, &BuildOptions::default()),
        sources: l.sources,
        problems: l.problems.len(),
    }
}

/// The texts after a proposal: every loaded file (changed or not), then the new files.
fn texts_after(input: &Input, p: &Proposal) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = input
        .sources
        .files()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let changed = p
                .changes
                .iter()
                .find(|c| c.file.is_some_and(|id| id.0 as usize == i));
            let text = changed.map_or_else(|| f.text.to_string(), |c| c.after.clone());
            (f.name.clone(), text)
        })
        .collect();
    for c in p.changes.iter().filter(|c| c.file.is_none()) {
        out.push((c.name.clone(), c.after.clone()));
    }
    out
}

/// The ports the asked flow is on at a replica of the destination: the number, and what
/// the destination's name for it resolves to there.
fn flow_ports(cluster: &Cluster, p: &Proposal, dst: usize) -> PortSet {
    let mut set = PortSet::single(p.port.protocol, p.port.number);
    if let Some(name) = &p.port.name {
        for c in &cluster.endpoints[dst].ports {
            if c.protocol == p.port.protocol && c.name.as_deref() == Some(name.as_str()) {
                set.union_with(&PortSet::single(c.protocol, c.port));
            }
        }
    }
    set
}

#[derive(Default, Debug)]
struct Tally {
    asked: usize,
    fixed: usize,
    already: usize,
    not_narrow: Vec<String>,
    failed: Vec<String>,
}

/// Fixes `a → b` on the port and checks the result; returns what happened.
fn check(input: &Input, a: usize, b: usize, port: (Protocol, u16), expect: Expect, t: &mut Tally) {
    let c = &input.cluster;
    let req = Request {
        sources: &input.sources,
        cluster: c,
        load: &LoadOptions::default(),
        build: &BuildOptions::default(),
        problems: input.problems,
        src: Party::Endpoint(a),
        dst: Party::Endpoint(b),
        protocol: port.0,
        port: port.1,
        fix_file: None,
        allow_wider: false,
    };
    t.asked += 1;
    let p = match expect {
        Expect::Allow => fix_allow(&req),
        Expect::Deny => fix_deny(&req),
    };
    let what = format!(
        "{} {} → {} on {} {}",
        expect.as_str(),
        c.endpoints[a].id(),
        c.endpoints[b].id(),
        port.0,
        port.1
    );
    match p.outcome {
        Outcome::Already => {
            t.already += 1;
            return;
        }
        Outcome::Fixed => {}
        Outcome::TooWide | Outcome::Wider => {
            t.not_narrow.push(format!(
                "{what}: {}",
                p.proof.as_ref().map_or("", |p| p.line.as_str())
            ));
            return;
        }
        Outcome::None => {
            t.failed.push(format!("{what}: no fix: {:?}", p.notes));
            return;
        }
    }
    // Independently: load the changed text, and compare every pair of endpoints.
    let after = from_texts(&texts_after(input, &p));
    assert!(
        after.problems <= input.problems,
        "{what}: the fix adds load problems"
    );
    let id = |cl: &Cluster, i: usize| cl.endpoints[i].id();
    let find = |cl: &Cluster, s: &str| cl.endpoints.iter().position(|e| e.id() == s);
    let srcs: BTreeSet<String> = members(c, a).into_iter().map(|i| id(c, i)).collect();
    let dsts: BTreeSet<String> = members(c, b).into_iter().map(|i| id(c, i)).collect();
    let mut problems = Vec::new();
    let (na, nb) = (
        find(&after.cluster, &id(c, a)).unwrap(),
        find(&after.cluster, &id(c, b)).unwrap(),
    );
    let now = allowed_ports(&after.cluster, Party::Endpoint(na), Party::Endpoint(nb));
    let asked_now = now.contains(port.0, port.1);
    if asked_now != (expect == Expect::Allow) {
        problems.push(format!(
            "the asked flow is {} after the fix",
            if asked_now { "allowed" } else { "denied" }
        ));
    }
    for x in 0..c.endpoints.len() {
        for y in 0..c.endpoints.len() {
            let before = allowed_ports(c, Party::Endpoint(x), Party::Endpoint(y));
            let (Some(nx), Some(ny)) = (
                find(&after.cluster, &id(c, x)),
                find(&after.cluster, &id(c, y)),
            ) else {
                problems.push(format!("{} or {} went missing", id(c, x), id(c, y)));
                continue;
            };
            let later = allowed_ports(&after.cluster, Party::Endpoint(nx), Party::Endpoint(ny));
            if before == later {
                continue;
            }
            let (opened, closed) = (later.difference(&before), before.difference(&later));
            let replicas = srcs.contains(&id(c, x)) && dsts.contains(&id(c, y));
            let ports = flow_ports(c, &p, y);
            let ok = replicas
                && match expect {
                    Expect::Allow => closed.is_empty() && ports.contains_set(&opened),
                    Expect::Deny => opened.is_empty() && ports.contains_set(&closed),
                };
            if !ok {
                problems.push(format!(
                    "{} → {} changed too: opened {opened}, closed {closed}",
                    id(c, x),
                    id(c, y)
                ));
            }
        }
    }
    if problems.is_empty() {
        t.fixed += 1;
    } else {
        t.failed.push(format!("{what}: {}", problems.join("; ")));
    }
}

/// The ports asked of a destination: each of its container ports, or TCP 8080.
fn ports_of(c: &Cluster, b: usize) -> Vec<(Protocol, u16)> {
    let mut out: Vec<(Protocol, u16)> = c.endpoints[b]
        .ports
        .iter()
        .map(|p| (p.protocol, p.port))
        .collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        out.push((Protocol::Tcp, 8080));
    }
    out
}

fn report(name: &str, t: &Tally) {
    eprintln!(
        "{name}: {} asked, {} fixed and verified, {} already as asked, {} only with a wider change, {} failed",
        t.asked,
        t.fixed,
        t.already,
        t.not_narrow.len(),
        t.failed.len()
    );
    for f in &t.not_narrow {
        eprintln!("  wider: {f}");
    }
    for f in &t.failed {
        eprintln!("  FAILED: {f}");
    }
}

#[test]
fn every_pair_of_the_demo_is_fixed_exactly() {
    let input = demo();
    let c = &input.cluster;
    let mut allow = Tally::default();
    let mut deny = Tally::default();
    for a in 0..c.endpoints.len() {
        for b in 0..c.endpoints.len() {
            for port in ports_of(c, b) {
                let allowed = allowed_ports(c, Party::Endpoint(a), Party::Endpoint(b))
                    .contains(port.0, port.1);
                if allowed {
                    check(&input, a, b, port, Expect::Deny, &mut deny);
                } else {
                    check(&input, a, b, port, Expect::Allow, &mut allow);
                }
            }
        }
    }
    report("demo, allow", &allow);
    report("demo, deny", &deny);
    assert!(allow.asked > 20, "{allow:?}");
    assert!(
        allow.failed.is_empty() && allow.not_narrow.is_empty(),
        "{allow:?}"
    );
    assert_eq!(allow.fixed, allow.asked);
    assert!(
        deny.failed.is_empty() && deny.not_narrow.is_empty(),
        "{deny:?}"
    );
    assert_eq!(deny.fixed, deny.asked);
}

#[test]
fn random_pairs_of_generated_clusters_are_fixed_exactly() {
    let mut allow = Tally::default();
    let mut deny = Tally::default();
    for seed in 1..=5u64 {
        let mut params = synth::Params::new(56, 40, seed);
        params.namespaces = 2;
        let generated = synth::Cluster::generate(&params);
        let input = from_texts(&generated.files);
        let c = &input.cluster;
        let n = c.endpoints.len();
        let mut rng = synth::Rng::new(seed * 7919);
        // Random pairs (mostly denied ones), then allowed ones until a few are asked to deny.
        let (mut denied, mut allowed, mut draws) = (0, 0, 0);
        while (denied < 10 || allowed < 4) && draws < 2000 {
            draws += 1;
            let (a, b) = (rng.below(n), rng.below(n));
            if c.endpoints[a].host_network || c.endpoints[b].host_network {
                continue;
            }
            if a == b && c.endpoints[a].is_pod() {
                // Loopback: never subject to policy.
                continue;
            }
            let ports = ports_of(c, b);
            let port = *rng.pick(&ports);
            let open =
                allowed_ports(c, Party::Endpoint(a), Party::Endpoint(b)).contains(port.0, port.1);
            if open && allowed < 4 {
                allowed += 1;
                check(&input, a, b, port, Expect::Deny, &mut deny);
            } else if !open && denied < 10 {
                denied += 1;
                check(&input, a, b, port, Expect::Allow, &mut allow);
            }
        }
    }
    report("synth, allow", &allow);
    report("synth, deny", &deny);
    assert!(allow.asked >= 40 && deny.asked >= 15, "{allow:?} {deny:?}");
    assert!(
        allow.failed.is_empty() && allow.not_narrow.is_empty(),
        "{allow:?}"
    );
    assert_eq!(allow.fixed, allow.asked);
    assert!(
        deny.failed.is_empty() && deny.not_narrow.is_empty(),
        "{deny:?}"
    );
    assert_eq!(deny.fixed, deny.asked);
}

#[test]
fn every_fix_claimed_on_the_fixtures_of_other_apis_is_exact() {
    // Higher tiers (AdminNetworkPolicy, Calico, Cilium) and a hand-written shop: not every
    // pair has a narrow fix there (a pod without labels, a deny of every peer), but every fix
    // said to be exact is.
    let root = env!("CARGO_MANIFEST_DIR");
    for fixture in [
        "fix/shop",
        "fix/admin.yaml",
        "fix/calico.yaml",
        "fix/cilium.yaml",
    ] {
        let l = load(
            &[format!("{root}/testdata/{fixture}")],
            &LoadOptions::default(),
        );
        let input = Input {
            cluster: Cluster::build_with(l.objects, &BuildOptions::default()),
            sources: l.sources,
            problems: l.problems.len(),
        };
        let c = &input.cluster;
        let mut allow = Tally::default();
        let mut deny = Tally::default();
        for a in 0..c.endpoints.len() {
            for b in 0..c.endpoints.len() {
                if a == b && c.endpoints[a].is_pod() {
                    continue;
                }
                for port in ports_of(c, b) {
                    let open = allowed_ports(c, Party::Endpoint(a), Party::Endpoint(b))
                        .contains(port.0, port.1);
                    if open {
                        check(&input, a, b, port, Expect::Deny, &mut deny);
                    } else {
                        check(&input, a, b, port, Expect::Allow, &mut allow);
                    }
                }
            }
        }
        report(&format!("{fixture}, allow"), &allow);
        report(&format!("{fixture}, deny"), &deny);
        let wrong = |t: &Tally| t.failed.iter().filter(|f| !f.contains(": no fix:")).count();
        assert_eq!(wrong(&allow), 0, "{fixture}: {allow:?}");
        assert_eq!(wrong(&deny), 0, "{fixture}: {deny:?}");
        assert!(allow.fixed + deny.fixed > 0, "{fixture}");
    }
}

//! The fixer on small inputs: which change it picks, and what it says when none fits.
//! (Every pair of the demo and random pairs of generated clusters are checked end to end in
//! `tests/fix_reach_property.rs`; the command line in `tests/cli_can_reach_fix.rs`.)

use super::*;
use crate::load::{self, LoadOptions};
use crate::model::BuildOptions;

struct Input {
    sources: SourceMap,
    cluster: Cluster,
    problems: usize,
}

fn from_paths(paths: &[&str]) -> Input {
    let root = env!("CARGO_MANIFEST_DIR");
    let inputs: Vec<String> = paths.iter().map(|p| format!("{root}/{p}")).collect();
    let l = load::load(&inputs, &LoadOptions::default());
    Input {
        cluster: Cluster::build_with(l.objects, &BuildOptions::default()),
        sources: l.sources,
        problems: l.problems.len(),
    }
}

fn from_text(text: &str) -> Input {
    let l = load::load_texts(&[("t.yaml", text)], &LoadOptions::default());
    Input {
        cluster: Cluster::build_with(l.objects, &BuildOptions::default()),
        sources: l.sources,
        problems: l.problems.len(),
    }
}

fn party(c: &Cluster, id: &str) -> Party {
    if let Ok(ip) = id.parse() {
        return Party::Address(ip);
    }
    Party::Endpoint(
        c.endpoints
            .iter()
            .position(|e| e.id() == id)
            .unwrap_or_else(|| panic!("no {id}")),
    )
}

fn run(input: &Input, from: &str, to: &str, port: u16, expect: Expect) -> Proposal {
    let req = Request {
        sources: &input.sources,
        cluster: &input.cluster,
        load: &LoadOptions::default(),
        build: &BuildOptions::default(),
        problems: input.problems,
        src: party(&input.cluster, from),
        dst: party(&input.cluster, to),
        protocol: Protocol::Tcp,
        port,
        fix_file: None,
        allow_wider: false,
    };
    match expect {
        Expect::Allow => fix_allow(&req),
        Expect::Deny => fix_deny(&req),
    }
}

fn after(p: &Proposal) -> String {
    p.changes
        .iter()
        .map(|c| c.after.as_str())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[test]
fn both_sides_are_opened_by_the_rules_that_nearly_match() {
    let input = from_paths(&["testdata/demo"]);
    let p = run(
        &input,
        "shop/deploy/frontend",
        "shop/sts/db",
        5432,
        Expect::Allow,
    );
    assert_eq!(p.outcome, Outcome::Fixed, "{:?}", p.notes);
    assert_eq!(p.port.name.as_deref(), Some("postgres"));
    let sides: Vec<(Direction, &str)> = p
        .edits
        .iter()
        .map(|e| (e.side, e.object.name.as_str()))
        .collect();
    assert_eq!(
        sides,
        vec![
            (Direction::Egress, "shop/frontend"),
            (Direction::Ingress, "shop/db")
        ]
    );
    // The peer by its workload's label, the port by its name.
    assert!(
        after(&p)
            .contains("        matchLabels: {app: frontend}\n    ports:\n    - port: postgres")
    );
    let proof = p.proof.unwrap();
    assert!(proof.narrow);
    assert_eq!(
        proof.line,
        "opens 1 connection: shop/deploy/frontend → shop/sts/db on TCP 5432; closes none"
    );
    // The edit notes point at the objects as the user has them.
    assert_eq!(
        p.edits[1].location,
        format!(
            "{}/testdata/demo/policies/shop.yaml:89",
            env!("CARGO_MANIFEST_DIR")
        )
    );
}

#[test]
fn a_connection_already_as_asked_changes_nothing() {
    let input = from_paths(&["testdata/demo"]);
    let p = run(
        &input,
        "shop/deploy/frontend",
        "shop/deploy/api",
        8080,
        Expect::Allow,
    );
    assert_eq!(p.outcome, Outcome::Already);
    assert!(p.changes.is_empty() && p.proof.is_none());
    let p = run(
        &input,
        "shop/deploy/frontend",
        "shop/sts/db",
        5432,
        Expect::Deny,
    );
    assert_eq!(p.outcome, Outcome::Already);
}

#[test]
fn an_address_outside_the_cluster_is_a_host_ip_block() {
    let input = from_paths(&["testdata/demo"]);
    let p = run(
        &input,
        "shop/deploy/frontend",
        "8.8.8.8",
        443,
        Expect::Allow,
    );
    assert_eq!(p.outcome, Outcome::Fixed, "{:?}", p.notes);
    assert!(
        after(&p).contains("ipBlock: {cidr: 8.8.8.8/32}"),
        "{}",
        after(&p)
    );
    assert!(
        p.proof
            .unwrap()
            .line
            .starts_with("opens 1 connection: shop/deploy/frontend → 8.8.8.8/32 on TCP 443")
    );
}

#[test]
fn a_side_nothing_isolates_gets_a_policy_allowing_everything_but_the_flow() {
    // Nothing isolates Prometheus's egress; the controller's ingress rule allows every
    // source, which no NetworkPolicy can narrow to everyone but one workload.
    let input = from_paths(&["testdata/demo"]);
    let p = run(
        &input,
        "monitoring/deploy/prometheus",
        "ingress-nginx/deploy/controller",
        80,
        Expect::Deny,
    );
    assert_eq!(p.outcome, Outcome::Fixed, "{:?}", p.notes);
    assert_eq!(p.edits.len(), 1);
    assert!(p.edits[0].new_object);
    assert_eq!(p.edits[0].side, Direction::Egress);
    assert!(
        p.notes.iter().any(|n| n.contains("allows every source")),
        "{:?}",
        p.notes
    );
    let text = after(&p);
    assert!(text.contains("operator: NotIn"), "{text}");
    assert!(text.contains("endPort: 79"), "{text}");
    assert!(
        p.proof
            .unwrap()
            .line
            .starts_with("opens none; closes 1 connection")
    );
}

#[test]
fn an_exception_that_would_open_more_gives_way_to_a_new_admin_policy() {
    // No NetworkPolicy isolates prod/web: passing the flow to the NetworkPolicies in the
    // AdminNetworkPolicy would let the tester reach it too.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/fix/admin.yaml"
    ))
    .unwrap();
    let start = text.find("metadata: {name: default-deny").unwrap();
    let doc_start = text[..start].rfind("---").unwrap();
    let doc_end = start + text[start..].find("---").unwrap();
    let without = format!("{}{}", &text[..doc_start], &text[doc_end..]);
    let input = from_text(&without);
    let p = run(&input, "dev/tester", "prod/api", 8080, Expect::Allow);
    assert_eq!(p.outcome, Outcome::Fixed, "{:?}", p.notes);
    let anp = p
        .edits
        .iter()
        .find(|e| e.object.kind == "AdminNetworkPolicy")
        .unwrap();
    assert!(anp.new_object);
    assert!(anp.needs_owner.is_some());
    assert!(after(&p).contains("priority: 9"), "{}", after(&p));
}

#[test]
fn a_pod_cannot_be_denied_its_own_connections() {
    let input = from_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n",
    );
    let p = run(&input, "n/a", "n/a", 80, Expect::Deny);
    assert_eq!(p.outcome, Outcome::None);
    assert!(p.notes[0].contains("never leave it"), "{:?}", p.notes);
}

#[test]
fn a_source_without_labels_gets_the_narrowest_change_and_why_it_is_wider() {
    let input = from_paths(&["testdata/fix/shop"]);
    let p = run(&input, "shop/debug", "shop/deploy/api", 8080, Expect::Allow);
    assert_eq!(p.outcome, Outcome::TooWide);
    let proof = p.proof.unwrap();
    assert!(!proof.narrow);
    assert!(proof.extra().count() >= 1);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("shop/debug has no labels")),
        "{:?}",
        p.notes
    );
}

#[test]
fn a_deny_no_edit_can_narrow_is_named_and_nothing_is_proposed() {
    let input = from_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop, labels: {app: a}}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: shop, labels: {app: b}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: lockdown, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: b}}\n  ingressDeny:\n  - fromEntities: [cluster]\n",
    );
    let p = run(&input, "shop/a", "shop/b", 80, Expect::Allow);
    assert_eq!(p.outcome, Outcome::None);
    assert!(p.changes.is_empty() && p.edits.is_empty() && p.proof.is_none());
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("shop/lockdown") && n.contains("its owner must change it")),
        "{:?}",
        p.notes
    );
}

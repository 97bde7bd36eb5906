//! Every rule, in code order, and lookup by name or code. Adding a rule: write
//! `rules/<snake_name>.rs` with its doc comment and `RULE`, declare it in `rules/mod.rs`, and
//! list it here, and say in [`holds`] whether its findings hold in every cluster, and in
//! [`fixable`] what the fix its findings carry does, if any; tests check that every rule file
//! is registered and documented, that every rule has its entry, and that the fixes the rules
//! attach on their fixtures agree with [`fixable`].

use super::RuleDef;
use super::World;
use super::fix::{Availability, Fixable, Safety};
use super::rules::*;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// Every rule, in code order.
#[rustfmt::skip]
pub static ALL: &[&RuleDef] = &[
    &invalid_manifest::RULE,
    &invalid_cidr::RULE,
    &except_outside_cidr::RULE,
    &mixed_peer::RULE,
    &empty_peer::RULE,
    &invalid_port::RULE,
    &invalid_protocol::RULE,
    &invalid_selector::RULE,
    &invalid_policy_type::RULE,
    &duplicate_policy::RULE,
    &invalid_name::RULE,
    &ignored_ingress_rules::RULE,
    &ignored_egress_rules::RULE,
    &policy_selects_nothing::RULE,
    &peer_selects_nothing::RULE,
    &unresolved_named_port::RULE,
    &shadowed_rule::RULE,
    &redundant_rule::RULE,
    &redundant_policy::RULE,
    &duplicate_rule::RULE,
    &duplicate_object::RULE,
    &pod_not_isolated::RULE,
    &namespace_without_default_deny::RULE,
    &dns_egress_blocked::RULE,
    &ingress_from_anywhere::RULE,
    &egress_to_metadata::RULE,
    &deprecated_api_version::RULE,
    &wide_port_range::RULE,
    &selector_and_or_confusion::RULE,
    &dns_egress_to_anywhere::RULE,
    &expectation_failed::RULE,
    &expectation_unmatched::RULE,
    &invalid_cluster_policy::RULE,
    &banp_not_singleton::RULE,
    &ambiguous_priority::RULE,
    &shadowed_cluster_rule::RULE,
    &new_flow_opened::RULE,
    &calico_selector_syntax::RULE,
    &invalid_calico_policy::RULE,
    &pass_to_nothing::RULE,
    &unordered_calico_policy::RULE,
    &namespace_labels_in_selector::RULE,
    &staged_policy::RULE,
    &not_evaluated::RULE,
    &invalid_cilium_policy::RULE,
    &cilium_empty_rule_denies::RULE,
    &cilium_fqdn_without_dns_visibility::RULE,
    &cilium_ccnp_selects_everything::RULE,
    &cilium_cidr_matches_pods::RULE,
    &cilium_endport_below_port::RULE,
    &cilium_foreign_labels_without_namespace::RULE,
    &cilium_filtered_label::RULE,
];

/// The rule with this name (`invalid-cidr`) or code (`NP101`, any case).
pub fn find(name_or_code: &str) -> Option<&'static RuleDef> {
    ALL.iter()
        .copied()
        .find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// The documentation of a rule: its file's module doc comment.
pub fn doc(rule: &RuleDef) -> &'static str {
    let module = rule.name.replace('-', "_");
    RULE_DOCS
        .iter()
        .find(|(m, _)| *m == module)
        .map_or("", |(_, d)| d)
}

/// Where a finding is true: what a reader (or a script) may conclude from it about the
/// cluster the files are deployed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holds {
    /// In every cluster the files can be part of: it is about the files' own objects
    /// (syntax, validity, what a policy says whatever the pods), or the rule reasons over
    /// the parties the input does not show (pods of namespaces it does not declare).
    EveryCluster,
    /// For the input as given: it depends on which pods, namespaces and policies the files
    /// hold, and may not hold once the rest of the cluster is there — unless the input is the
    /// whole cluster (`check --closed-world`).
    Input,
}

impl Holds {
    /// `every-cluster` or `input`, as the JSON and SARIF outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Holds::EveryCluster => "every-cluster",
            Holds::Input => "input",
        }
    }

    /// The sentence the rule documentation says it with.
    pub fn describe(self) -> &'static str {
        match self {
            Holds::EveryCluster => "in every cluster the files can be part of",
            Holds::Input => "for the input as given (with --closed-world, the whole cluster)",
        }
    }
}

/// Where the findings of `rule` hold when `check` reasons in `world`: [`Holds::Input`] for
/// a rule without an entry (a test makes sure every rule of [`ALL`] has one).
pub fn holds(rule: &RuleDef, world: World) -> Holds {
    holds_entry(rule.name, world).unwrap_or(Holds::Input)
}

/// The line the documentation of `rule` says where its findings hold with: `Holds: in every
/// cluster the files can be part of`, or `Holds: for the input as given (with
/// --closed-world, the whole cluster)`, or, for a rule that reasons over what the input does
/// not show unless told it is the whole cluster, both.
pub fn holds_line(rule: &RuleDef) -> String {
    match (holds(rule, World::Open), holds(rule, World::Closed)) {
        (open, closed) if open == closed => format!("Holds: {}.", open.describe()),
        (open, _) => format!(
            "Holds: {}; with --closed-world, for the input as given (the whole cluster).",
            open.describe()
        ),
    }
}

/// The table behind [`holds`], by rule name; None for a name it does not know.
fn holds_entry(name: &str, world: World) -> Option<Holds> {
    use Holds::{EveryCluster as Every, Input};
    // Rules that reason over what the input does not show in the open world, and only over
    // the input in the closed one.
    let open_every = match world {
        World::Open => Every,
        World::Closed => Input,
    };
    Some(match name {
        // Syntax: the files cannot be read.
        "invalid-manifest" => Every,
        // What the API server refuses is a property of the object alone.
        "invalid-cidr" => Every,
        // Validity of the ipBlock itself.
        "except-outside-cidr" => Every,
        // Validity of the peer itself.
        "mixed-peer" => Every,
        // The peer as written sets nothing.
        "empty-peer" => Every,
        // Validity of the ports item itself.
        "invalid-port" => Every,
        // Validity of the protocol as written.
        "invalid-protocol" => Every,
        // Validity of the selector as written.
        "invalid-selector" => Every,
        // Validity of policyTypes as written.
        "invalid-policy-type" => Every,
        // Two objects of the files with one namespace and name.
        "duplicate-policy" => Every,
        // The name or namespace as written.
        "invalid-name" => Every,
        // policyTypes against the policy's own rule lists.
        "ignored-ingress-rules" => Every,
        // policyTypes against the policy's own rule lists.
        "ignored-egress-rules" => Every,
        // Judged in every namespace holding workloads of the input, also ones the files do
        // not declare (a DaemonSet in kube-system), whose other pods live elsewhere.
        "policy-selects-nothing" => Input,
        // Open world: peers into undeclared namespaces are only listed as assumed elsewhere;
        // what is judged looks into namespaces the files describe completely.
        "peer-selects-nothing" => open_every,
        // Which pods a rule reaches, and the ports they name, depend on the pods loaded.
        "unresolved-named-port" => Input,
        // Containment of selectors, peers and ports: for any cluster.
        "shadowed-rule" => Every,
        // Open world: unseen parties must be covered for any cluster (redundancy.rs).
        "redundant-rule" => open_every,
        // Open world: unseen parties covered and isolated for any cluster (redundancy.rs).
        "redundant-policy" => open_every,
        // Equivalent rules and podSelectors, decided from the selectors: for any cluster.
        "duplicate-rule" => Every,
        // Two objects of the files with one kind, namespace and name.
        "duplicate-object" => Every,
        // Any pod of the input, also of undeclared namespaces, and cluster-wide policies
        // kept elsewhere may isolate it.
        "pod-not-isolated" => Input,
        // Open world: only namespaces the files describe, by their own policies; closed:
        // every namespace with workloads.
        "namespace-without-default-deny" => open_every,
        // The DNS pods (or a stand-in) and the egress policies of the pods loaded.
        "dns-egress-blocked" => Input,
        // What the rule admits, as written (the pods it opens are only a related place).
        "ingress-from-anywhere" => Every,
        // What the rule allows, as written.
        "egress-to-metadata" => Every,
        // The apiVersion as written.
        "deprecated-api-version" => Every,
        // The port range as written.
        "wide-port-range" => Every,
        // The shape of the from/to list as written.
        "selector-and-or-confusion" => Every,
        // What the rule allows, as written.
        "dns-egress-to-anywhere" => Every,
        // Reachability of the input.
        "expectation-failed" => Input,
        // Matches nothing in the input.
        "expectation-unmatched" => Input,
        // What the CRD's validation refuses, from the object alone.
        "invalid-cluster-policy" => Every,
        // The name, or two objects of the files.
        "banp-not-singleton" => Every,
        // Overlap is also decided from a common pod of the input.
        "ambiguous-priority" => Input,
        // Containment of the selectors: for any cluster.
        "shadowed-cluster-rule" => Every,
        // Reachability of the input against the baseline's.
        "new-flow-opened" => Input,
        // Selector syntax.
        "calico-selector-syntax" => Every,
        // What Calico's API server refuses, from the object alone.
        "invalid-calico-policy" => Every,
        // Later tiers' policies for the endpoints of the input.
        "pass-to-nothing" => Input,
        // A common endpoint, decided from the pods of the input.
        "unordered-calico-policy" => Input,
        // Labels no pod of the input carries.
        "namespace-labels-in-selector" => Input,
        // The staged object of the files itself.
        "staged-policy" => Every,
        // A Tier or Service missing from the input may exist in the cluster.
        "not-evaluated" => Input,
        // What the CRD or the agent refuses, from the object alone.
        "invalid-cilium-policy" => Every,
        // The rule's own shape, name and description.
        "cilium-empty-rule-denies" => Every,
        // DNS rules of policies selecting the pods of the input; CCNPs may be elsewhere.
        "cilium-fqdn-without-dns-visibility" => Input,
        // Also "matches every pod of the input".
        "cilium-ccnp-selects-everything" => Input,
        // Pod IPs, pod CIDRs and Node addresses of the input.
        "cilium-cidr-matches-pods" => Input,
        // The port item as written.
        "cilium-endport-below-port" => Every,
        // Pods of the policy's namespace and of other namespaces of the input.
        "cilium-foreign-labels-without-namespace" => Input,
        // Label keys Cilium's identity filter drops, from the selector alone.
        "cilium-filtered-label" => Every,
        _ => return None,
    })
}

/// The fix of `rule`, when its findings carry one: how often, how safe, what it does (the
/// column `kubectl netpol rules` and the documentation show; ruff's "Fix is sometimes
/// available"). A test checks that a rule whose findings carry fixes has its entry.
pub fn fixable(rule: &RuleDef) -> Option<Fixable> {
    use Availability::{Always, Sometimes};
    use Safety::{Safe, Unsafe};
    let (availability, safety, what) = match rule.name {
        "except-outside-cidr" => (
            Sometimes,
            Some(Safe),
            "deletes an except that lies wholly outside its cidr: it excludes nothing, so the ipBlock keeps its meaning, and the API server accepts the policy (which then takes effect, on purpose)",
        ),
        "invalid-protocol" => (
            Sometimes,
            Some(Safe),
            "writes a protocol in the wrong case in upper case (`udp` becomes `UDP`), so that the API server accepts the policy (which then takes effect, on purpose)",
        ),
        "invalid-policy-type" => (
            Sometimes,
            None,
            "writes a policy type in the wrong case as the API spells it (safe), or one a typo away from Ingress or Egress as the closest (unsafe), and deletes the later copies of a type listed twice (safe); the API server then accepts the policy (which takes effect, on purpose)",
        ),
        "invalid-selector" => (
            Sometimes,
            Some(Safe),
            "writes an operator in the wrong case as the API spells it (`in` becomes `In`); the API server then accepts the policy (which takes effect, on purpose)",
        ),
        "invalid-port" => (
            Sometimes,
            Some(Safe),
            "writes a quoted port number (`\"8080\"`, a name to the API server) as a number; the API server then accepts the policy (which takes effect, on purpose)",
        ),
        "ignored-ingress-rules" => (
            Always,
            Some(Unsafe),
            "adds Ingress to policyTypes, so that the rules are enforced (which changes what the selected pods accept, on purpose)",
        ),
        "ignored-egress-rules" => (
            Always,
            Some(Unsafe),
            "adds Egress to policyTypes, so that the rules are enforced (which changes what the selected pods send, on purpose)",
        ),
        "peer-selects-nothing" => (
            Sometimes,
            Some(Unsafe),
            "replaces the label key or value one typo away from those of the closest pod or namespace, names a namespace by `kubernetes.io/metadata.name` where its name was written under another key, or adds the namespaceSelector a podSelector needs to find its pods in the one other namespace holding them (each opens the connections the peer was written for)",
        ),
        "unresolved-named-port" => (
            Sometimes,
            Some(Unsafe),
            "replaces the port name with the one declared name close to it, or sets the protocol the destinations declare the name with (each opens the port the rule was written for)",
        ),
        "redundant-rule" => (
            Sometimes,
            None,
            "deletes a redundant rule of a NetworkPolicy, changing no connection: safe when it is redundant in every cluster the files can be part of, unsafe with --closed-world",
        ),
        "shadowed-rule" => (
            Sometimes,
            Some(Safe),
            "deletes a shadowed rule of a NetworkPolicy, changing no connection (NetworkPolicy rules add up: another rule allows all it allows)",
        ),
        "duplicate-rule" => (
            Sometimes,
            Some(Safe),
            "deletes the later copy of a NetworkPolicy rule, changing no connection",
        ),
        "deprecated-api-version" => (
            Sometimes,
            None,
            "replaces `extensions/v1beta1` with `networking.k8s.io/v1` where the spec means the same under v1, the per-pod isolation model (safe); rewrites an alpha policy as the v1 policy `kubectl netpol migrate` writes, with the default deny that stands for its namespace's isolation annotation (unsafe: the object's comments are not carried over); changing no connection",
        ),
        // Attached by `check` itself (src/cli/check_fix.rs), not by the rule: the can-reach
        // fixer's change, computed only with --fix, --diff or --unsafe-fixes.
        "expectation-failed" => (
            Sometimes,
            Some(Unsafe),
            "makes the smallest verified change `kubectl netpol can-reach FROM TO --port P --fix` finds for each failing connection of the expectation (one party on each side and a port, or at most 8 connections; else a note says why not), every failing expectation fixed together and the result verified against all of them (a fix that would break one that holds is refused); found only with --fix, --diff or --unsafe-fixes, as it searches and verifies a change",
        ),
        _ => return None,
    };
    Some(Fixable {
        availability,
        safety,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered_and_documented() {
        for (module, doc) in RULE_DOCS {
            let name = module.replace('_', "-");
            let rule =
                find(&name).unwrap_or_else(|| panic!("rules/{module}.rs is not in registry::ALL"));
            for section in [
                "## What it finds",
                "## Why it matters",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    doc.contains(section),
                    "rules/{module}.rs doc lacks `{section}`"
                );
            }
            assert!(!rule.summary.is_empty());
        }
        assert_eq!(
            RULE_DOCS.len(),
            ALL.len(),
            "a registered rule has no file of its own"
        );
    }

    #[test]
    fn every_rule_says_where_its_findings_hold() {
        for rule in ALL {
            for world in [World::Open, World::Closed] {
                assert!(
                    holds_entry(rule.name, world).is_some(),
                    "{} has no entry in registry::holds",
                    rule.name
                );
            }
        }
        // The open world's reasoning over unseen parties is what makes these hold everywhere.
        for rule in [&redundant_rule::RULE, &redundant_policy::RULE] {
            assert_eq!(holds(rule, World::Open), Holds::EveryCluster);
            assert_eq!(holds(rule, World::Closed), Holds::Input);
        }
        assert_eq!(holds(&expectation_failed::RULE, World::Open), Holds::Input);
        // A finding about the files alone holds whatever the input is taken to be.
        for rule in ALL {
            if holds(rule, World::Closed) == Holds::EveryCluster {
                assert_eq!(
                    holds(rule, World::Open),
                    Holds::EveryCluster,
                    "{}",
                    rule.name
                );
            }
        }
    }

    #[test]
    fn findings_carry_where_they_hold_in_the_world_of_the_run() {
        use crate::lint::{Config, Context, RunOptions, run};
        use crate::load::{LoadOptions, load};
        use crate::model::Cluster;
        let path = format!("{}/testdata/one-team", env!("CARGO_MANIFEST_DIR"));
        let loaded = load(&[path], &LoadOptions::default());
        let cluster = Cluster::build(loaded.objects);
        let holds_of = |world| {
            let mut cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
            cx.world = world;
            let mut found: Vec<(&str, Holds)> =
                run(&cx, &Config::default(), &RunOptions::default())
                    .iter()
                    .map(|f| (f.rule.name, f.holds))
                    .collect();
            found.dedup();
            found
        };
        assert_eq!(
            holds_of(World::Open),
            [("peer-selects-nothing", Holds::EveryCluster)]
        );
        let closed = holds_of(World::Closed);
        assert!(closed.iter().any(|&(n, _)| n == "redundant-policy"));
        assert!(closed.iter().all(|&(_, h)| h == Holds::Input), "{closed:?}");
        // A rule may say one of its findings holds for the input only.
        let f = crate::lint::Finding::new(
            &shadowed_rule::RULE,
            crate::lint::Subject::None,
            crate::base::span::Span::default(),
            "",
        );
        assert_eq!(f.holds, Holds::EveryCluster);
        assert_eq!(f.for_input().holds, Holds::Input);
    }

    #[test]
    fn fixes_the_rules_attach_agree_with_the_table() {
        use crate::lint::{Config, Context, RunOptions, run};
        use crate::load::{LoadOptions, load};
        use crate::model::Cluster;
        let mut fixed_somewhere: Vec<&str> = Vec::new();
        for rule in ALL {
            let dir = format!(
                "{}/testdata/rules/{}",
                env!("CARGO_MANIFEST_DIR"),
                rule.name
            );
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path().display().to_string())
                .filter(|p| p.ends_with(".yaml") || p.ends_with(".json"))
                .collect();
            files.sort();
            for file in files {
                let loaded = load(std::slice::from_ref(&file), &LoadOptions::default());
                let cluster = Cluster::build(loaded.objects);
                let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
                let only: std::collections::HashSet<&str> = [rule.name].into();
                for f in run(&cx, &Config::only(&only), &RunOptions::default()) {
                    let entry = fixable(rule);
                    match (&f.fix, entry) {
                        (Some(fix), Some(entry)) => {
                            fixed_somewhere.push(rule.name);
                            if let Some(safety) = entry.safety {
                                // A fix of a finding true of the input only is made unsafe.
                                let expected = if f.holds == Holds::Input {
                                    Safety::Unsafe
                                } else {
                                    safety
                                };
                                assert_eq!(fix.safety, expected, "{} in {file}", rule.name);
                            }
                            assert!(!fix.patch.is_empty(), "{} in {file}", rule.name);
                        }
                        (Some(_), None) => {
                            panic!("{} attaches fixes but has no entry in fixable", rule.name)
                        }
                        (None, Some(e)) => assert_eq!(
                            e.availability,
                            Availability::Sometimes,
                            "{} says its findings always have a fix ({file}: {})",
                            rule.name,
                            f.message
                        ),
                        (None, None) => {}
                    }
                }
            }
        }
        // Every entry is borne out by a fixture.
        for rule in ALL {
            // Its fixes come from the command (src/cli/check_fix.rs), tested in
            // tests/cli_check_fix.rs.
            if fixable(rule).is_some() && rule.name != "expectation-failed" {
                assert!(
                    fixed_somewhere.contains(&rule.name),
                    "{} has no fixture finding with a fix",
                    rule.name
                );
            }
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_in_order() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}

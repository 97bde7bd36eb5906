//! Helpers the rules share: findings for what the API server rejects, with help; rules a
//! `policyTypes` leaves out.

use crate::lint::{Context, Finding, RuleDef, Subject};
use crate::model::policy::Direction;
use crate::model::validate::Violation;

/// The findings of `rule` for what the API server rejects (see
/// [`Context::violation_findings`]), each with the help `help` gives for its violation.
pub fn violations_with_help(
    cx: &Context,
    rule: &'static RuleDef,
    out: &mut Vec<Finding>,
    help: impl Fn(&Violation) -> Option<String>,
) {
    let start = out.len();
    cx.violation_findings(rule, out);
    let violations = cx.violations().iter().filter(|(_, v)| v.rule == rule.name);
    for (f, (_, v)) in out[start..].iter_mut().zip(violations) {
        f.help = help(v);
    }
}

/// ignored-ingress-rules and ignored-egress-rules: rules of a direction that an explicit,
/// non-empty `policyTypes` leaves out.
pub fn ignored_rules(cx: &Context, rule: &'static RuleDef, dir: Direction, out: &mut Vec<Finding>) {
    for (idx, p) in cx.cluster.applied_policies() {
        let Some(types) = p.policy_types.as_ref().filter(|t| !t.value.is_empty()) else {
            continue;
        };
        let list = match dir {
            Direction::Ingress => &p.ingress,
            Direction::Egress => &p.egress,
        };
        let Some(list) = list.as_ref().filter(|l| !l.rules.is_empty()) else {
            continue;
        };
        if p.affects(dir) {
            continue;
        }
        let written: Vec<&str> = types.value.iter().map(|t| t.value.as_str()).collect();
        let count = list.rules.len();
        let rules = if count == 1 { "rule" } else { "rules" };
        out.push(
            Finding::new(
                rule,
                Subject::Policy(idx),
                list.span,
                format!(
                    "{}: {count} {} {rules} ignored: policyTypes [{}] leaves out {}",
                    p.id(),
                    dir.field(),
                    written.join(", "),
                    dir.as_str()
                ),
            )
            .help(format!(
                "add {} to policyTypes to enforce them (the selected pods then {} only what the rules allow), or delete spec.{}",
                dir.as_str(),
                match dir {
                    Direction::Ingress => "accept",
                    Direction::Egress => "send",
                },
                dir.field()
            ))
            .related(types.span, "policyTypes"),
        );
    }
}

/// Fixture tests that look at help lines and related places too.
#[cfg(test)]
pub mod testing {
    use std::collections::HashSet;

    use crate::lint::{Config, Context, RuleDef, RunOptions, run};
    use crate::load::{LoadOptions, load};
    use crate::model::Cluster;

    /// The findings of `rule` on `testdata/rules/<rule-name>/<fixture>`, each as
    /// `line:col: message`, then `help: ...` and `line:col: related label` when present.
    pub fn details(rule: &'static RuleDef, fixture: &str) -> Vec<Vec<String>> {
        let path = format!(
            "{}/testdata/rules/{}/{fixture}",
            env!("CARGO_MANIFEST_DIR"),
            rule.name
        );
        let loaded = load(&[path], &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let cluster = Cluster::build(loaded.objects);
        let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
        let only: HashSet<&str> = [rule.name].into();
        let at = |span| {
            let pos = loaded.sources.start(span);
            format!("{}:{}", pos.line, pos.column)
        };
        run(&cx, &Config::only(&only), &RunOptions::default())
            .iter()
            .map(|f| {
                let mut lines = vec![format!("{}: {}", at(f.span), f.message)];
                lines.extend(f.help.iter().map(|h| format!("help: {h}")));
                lines.extend(
                    f.related
                        .iter()
                        .map(|r| format!("{}: {}", at(r.span), r.message)),
                );
                lines
            })
            .collect()
    }
}

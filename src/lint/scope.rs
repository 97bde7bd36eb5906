//! Helpers the rules share: findings for what the API server rejects, with help.

use crate::lint::{Context, Finding, RuleDef};
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

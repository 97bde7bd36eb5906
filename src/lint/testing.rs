//! Fixture tests for rules: run one rule on `testdata/rules/<rule-name>/<fixture>` and get
//! its findings as `line:col: message` strings, to compare exactly.

use std::collections::HashSet;

use super::{Config, Context, RuleDef, RunOptions, run};
use crate::load::{LoadOptions, load};
use crate::model::Cluster;

/// The findings of `rule` on a fixture, as `line:col: message` (annotations honoured).
pub fn findings(rule: &'static RuleDef, fixture: &str) -> Vec<String> {
    findings_in(rule, &[fixture])
}

/// The findings of `rule` on several fixture files of its directory.
pub fn findings_in(rule: &'static RuleDef, fixtures: &[&str]) -> Vec<String> {
    let dir = format!(
        "{}/testdata/rules/{}",
        env!("CARGO_MANIFEST_DIR"),
        rule.name
    );
    let paths: Vec<String> = fixtures.iter().map(|f| format!("{dir}/{f}")).collect();
    let loaded = load(&paths, &LoadOptions::default());
    let cluster = Cluster::build(loaded.objects);
    let cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
    let only: HashSet<&str> = [rule.name].into();
    let findings = run(&cx, &Config::only(&only), &RunOptions::default());
    findings
        .iter()
        .map(|f| {
            let pos = loaded.sources.start(f.span);
            let file = loaded
                .sources
                .file(f.span.file)
                .name
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            let prefix = if fixtures.len() > 1 {
                format!("{file}:")
            } else {
                String::new()
            };
            format!("{prefix}{}:{}: {}", pos.line, pos.column, f.message)
        })
        .collect()
}

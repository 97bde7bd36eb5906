//! Fixture tests for rules: run one rule on `testdata/rules/<rule-name>/<fixture>` and get
//! its findings as `line:col: message` strings, to compare exactly.

use std::collections::HashSet;

use super::{Config, Context, Finding, RuleDef, RunOptions, run};
use crate::base::span::Span;
use crate::load::source::SourceMap;
use crate::load::{LoadOptions, load};
use crate::model::Cluster;

/// The findings of `rule` on a fixture, as `line:col: message` (annotations honoured).
pub fn findings(rule: &'static RuleDef, fixture: &str) -> Vec<String> {
    findings_in(rule, &[fixture])
}

/// The findings of `rule` on several fixture files of its directory.
pub fn findings_in(rule: &'static RuleDef, fixtures: &[&str]) -> Vec<String> {
    let many = fixtures.len() > 1;
    with_findings(rule, fixtures, |sources, findings| {
        findings
            .iter()
            .map(|f| position(sources, f.span, many) + ": " + &f.message)
            .collect()
    })
}

/// The findings of `rule` on a fixture with their related places and help, one string per
/// finding: `line:col: message`, then `\n  line:col: related` lines, then `\n  help: ...`.
pub fn details(rule: &'static RuleDef, fixture: &str) -> Vec<String> {
    with_findings(rule, &[fixture], |sources, findings| {
        findings
            .iter()
            .map(|f| {
                let mut s = position(sources, f.span, false) + ": " + &f.message;
                for r in &f.related {
                    s += &format!("\n  {}: {}", position(sources, r.span, false), r.message);
                }
                if let Some(help) = &f.help {
                    s += &format!("\n  help: {help}");
                }
                s
            })
            .collect()
    })
}

/// The findings of `rule` on a fixture with the members of merged ones: `line:col: message`,
/// then `\n  members: name line:col, ...` when several findings merged.
pub fn members(rule: &'static RuleDef, fixture: &str) -> Vec<String> {
    with_findings(rule, &[fixture], |sources, findings| {
        findings
            .iter()
            .map(|f| {
                let mut s = position(sources, f.span, false) + ": " + &f.message;
                if !f.members.is_empty() {
                    let list: Vec<String> = f
                        .members
                        .iter()
                        .map(|m| format!("{} {}", m.name, position(sources, m.span, false)))
                        .collect();
                    s += &format!("\n  members: {}", list.join(", "));
                }
                s
            })
            .collect()
    })
}

/// The findings of `rule` on a fixture read as the whole cluster (`check --closed-world`), as
/// `line:col: message`.
pub fn findings_closed(rule: &'static RuleDef, fixture: &str) -> Vec<String> {
    with_findings_in(rule, &[fixture], super::World::Closed, |sources, found| {
        found
            .iter()
            .map(|f| position(sources, f.span, false) + ": " + &f.message)
            .collect()
    })
}

/// The line and severity of each finding of `rule` on a fixture (for rules that report
/// milder cases below their default severity).
pub fn severities(rule: &'static RuleDef, fixture: &str) -> Vec<(u32, super::Severity)> {
    with_findings(rule, &[fixture], |sources, findings| {
        findings
            .iter()
            .map(|f| (sources.start(f.span).line, f.severity))
            .collect()
    })
}

fn with_findings<T>(
    rule: &'static RuleDef,
    fixtures: &[&str],
    show: impl FnOnce(&SourceMap, &[Finding]) -> T,
) -> T {
    with_findings_in(rule, fixtures, super::World::Open, show)
}

fn with_findings_in<T>(
    rule: &'static RuleDef,
    fixtures: &[&str],
    world: super::World,
    show: impl FnOnce(&SourceMap, &[Finding]) -> T,
) -> T {
    let dir = format!(
        "{}/testdata/rules/{}",
        env!("CARGO_MANIFEST_DIR"),
        rule.name
    );
    let paths: Vec<String> = fixtures.iter().map(|f| format!("{dir}/{f}")).collect();
    let loaded = load(&paths, &LoadOptions::default());
    let cluster = Cluster::build(loaded.objects);
    let mut cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
    cx.world = world;
    let only: HashSet<&str> = [rule.name].into();
    let findings = run(&cx, &Config::only(&only), &RunOptions::default());
    show(&loaded.sources, &findings)
}

/// `line:col`, prefixed with the file name when several fixtures are read.
fn position(sources: &SourceMap, span: Span, with_file: bool) -> String {
    let pos = sources.start(span);
    let prefix = if with_file {
        let name = &sources.file(span.file).name;
        format!("{}:", name.rsplit('/').next().unwrap_or(""))
    } else {
        String::new()
    };
    format!("{prefix}{}:{}", pos.line, pos.column)
}

/// The findings of `rule` on fixture manifests with the expectations of `expect_file` (all
/// in the rule's directory), as `file:line:col: message`.
pub fn findings_with_expectations(
    rule: &'static RuleDef,
    fixtures: &[&str],
    expect_file: &str,
) -> Vec<String> {
    let (findings, sources) = run_with_expectations(rule, fixtures, expect_file);
    findings
        .iter()
        .map(|f| {
            let pos = sources.start(f.span);
            let file = sources
                .file(f.span.file)
                .name
                .rsplit('/')
                .next()
                .unwrap_or("");
            format!("{file}:{}:{}: {}", pos.line, pos.column, f.message)
        })
        .collect()
}

/// The findings themselves, for tests that look at notes and related places.
pub fn raw_findings_with_expectations(
    rule: &'static RuleDef,
    fixtures: &[&str],
    expect_file: &str,
) -> Vec<super::Finding> {
    run_with_expectations(rule, fixtures, expect_file).0
}

fn run_with_expectations(
    rule: &'static RuleDef,
    fixtures: &[&str],
    expect_file: &str,
) -> (Vec<super::Finding>, crate::load::source::SourceMap) {
    let dir = format!(
        "{}/testdata/rules/{}",
        env!("CARGO_MANIFEST_DIR"),
        rule.name
    );
    let paths: Vec<String> = fixtures.iter().map(|f| format!("{dir}/{f}")).collect();
    let mut loaded = load(&paths, &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let expectations = super::expect::load_file(
        &mut loaded.sources,
        std::path::Path::new(&format!("{dir}/{expect_file}")),
    )
    .unwrap_or_else(|p| panic!("{expect_file}: {p:?}"));
    let cluster = Cluster::build(loaded.objects);
    let mut cx = Context::new(&cluster, &loaded.sources, &loaded.problems);
    cx.expectations = &expectations;
    let only: HashSet<&str> = [rule.name].into();
    let findings = run(&cx, &Config::only(&only), &RunOptions::default());
    drop(cx);
    (findings, loaded.sources)
}

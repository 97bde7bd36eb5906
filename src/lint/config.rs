//! `.netpol.yaml`: which rules run, at which severity, where not; found upward from the
//! working directory, or given with `--config`.
//!
//! ```yaml
//! rules:
//!   pod-not-isolated: off              # or error | warning | info
//!   wide-port-range: error
//!   NP404:                             # a code works too
//!     severity: info
//!     exclude: ["legacy/**"]           # globs over file paths, as given on the command line
//! exclude: ["vendor/**"]               # no finding in these files
//! fail-on: error                       # error | warning | info | never
//! min-severity: warning                # report nothing below: error | warning | info
//! closed-world: false                   # true: the input is the whole cluster
//! strict: true                         # what is not evaluated is an error (as --strict)
//! expectations:                        # connectivity that must hold, see `super::expect`
//! - {from: shop/frontend, to: shop/api, port: 8080, expect: allow}
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::expect::{self, Expectation};
use super::{RuleDef, Severity, registry};
use crate::base::span::FileId;
use crate::base::suggest::closest;
use crate::load::Problem;
use crate::load::decode::{Decoder, N};
use crate::load::yaml::{Document, Limits, parse_file};

/// File names looked for, in each directory from the working directory up.
pub const FILE_NAMES: [&str; 2] = [".netpol.yaml", ".netpol.yml"];

/// The lowest severity that fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
    /// Never fail on findings.
    Never,
}

impl FailOn {
    /// Whether a finding of this severity fails the run.
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }

    fn parse(s: &str) -> Option<FailOn> {
        Some(match s {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Default)]
struct RuleConfig {
    /// None: default severity; Some(None): off.
    severity: Option<Option<Severity>>,
    exclude: Vec<glob::Pattern>,
}

/// The configuration of a run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    rules: HashMap<&'static str, RuleConfig>,
    exclude: Vec<glob::Pattern>,
    /// `fail-on`, when set in the file.
    pub fail_on: Option<FailOn>,
    /// `min-severity`, when set in the file: findings below it are not reported.
    pub min_severity: Option<Severity>,
    /// `closed-world`: the input is the whole cluster (see `check --closed-world`).
    pub closed_world: Option<bool>,
    /// `strict`: what is not evaluated is an input error (see `--strict`).
    pub strict: Option<bool>,
    /// `expectations`: connectivity that must hold.
    pub expectations: Vec<Expectation>,
}

impl Config {
    /// Whether the rule runs.
    pub fn enabled(&self, rule: &RuleDef) -> bool {
        !matches!(
            self.rules.get(rule.name).and_then(|r| r.severity),
            Some(None)
        )
    }

    /// The rule's severity.
    pub fn severity(&self, rule: &RuleDef) -> Severity {
        self.rules
            .get(rule.name)
            .and_then(|r| r.severity)
            .flatten()
            .unwrap_or(rule.severity)
    }

    /// Whether findings of the rule in this file are excluded.
    pub fn excluded(&self, rule: &RuleDef, file: &str) -> bool {
        let file = file.strip_prefix("./").unwrap_or(file);
        let matches = |p: &glob::Pattern| p.matches(file) || p.matches_path(Path::new(file));
        self.exclude.iter().any(matches)
            || self
                .rules
                .get(rule.name)
                .is_some_and(|r| r.exclude.iter().any(matches))
    }

    /// A configuration running only the named rules (fixture tests).
    pub fn only(names: &std::collections::HashSet<&str>) -> Config {
        let mut config = Config::default();
        for rule in registry::ALL.iter().filter(|r| !names.contains(r.name)) {
            config.rules.insert(
                rule.name,
                RuleConfig {
                    severity: Some(None),
                    exclude: Vec::new(),
                },
            );
        }
        config
    }

    /// Looks for a config file from `start` upwards.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
            dir = d.parent();
        }
        None
    }

    /// Reads a config file already added to the source map as `file`.
    pub fn parse(file: FileId, text: &str, path: &Path) -> Result<Config, Vec<Problem>> {
        let (docs, mut problems) = parse_file(file, text, &Limits::default());
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(doc) = docs.iter().find(|d| !d.is_empty()) {
            config.read(doc, &mut problems);
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn read(&mut self, doc: &Document, problems: &mut Vec<Problem>) {
        let mut d = Decoder::new(doc, doc.root);
        let Some(root) = d.map(N::root(doc)) else {
            problems.append(&mut d.problems);
            return;
        };
        d.unknown_fields(
            root,
            &[
                "rules",
                "exclude",
                "fail-on",
                "expectations",
                "closed-world",
                "min-severity",
                "strict",
            ],
        );
        if let Some(b) = root.get("closed-world") {
            self.closed_world = d.bool(b);
        }
        if let Some(b) = root.get("strict") {
            self.strict = d.bool(b);
        }
        if let Some(rules) = root.get("rules").and_then(|r| d.map(r)) {
            for (key, k, v) in rules.entries() {
                let Some(rule) = registry::find(key) else {
                    let names: Vec<&str> = registry::ALL.iter().map(|r| r.name).collect();
                    let hint = closest(key, &names)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    d.error(
                        k,
                        format_args!(
                            "unknown rule `{key}`{hint}; `kubectl netpol rules` lists them"
                        ),
                    );
                    continue;
                };
                let rc = self.rules.entry(rule.name).or_default();
                if let Some(s) = v.scalar() {
                    match severity_or_off(s) {
                        Some(sev) => rc.severity = Some(sev),
                        None => d.error(
                            v,
                            format_args!("expected off, error, warning or info, found `{s}`"),
                        ),
                    }
                    continue;
                }
                let Some(v) = d.map(v) else { continue };
                d.unknown_fields(v, &["severity", "exclude"]);
                if let Some(s) = v.get("severity").and_then(|s| d.string(s)) {
                    match severity_or_off(&s) {
                        Some(sev) => rc.severity = Some(sev),
                        None => d.error(
                            v.get("severity").expect("read above"),
                            format_args!(
                                "expected off, error, warning or info, found `{}`",
                                s.value
                            ),
                        ),
                    }
                }
                if let Some(list) = v.get("exclude") {
                    rc.exclude = globs(&mut d, list);
                }
            }
        }
        if let Some(list) = root.get("exclude") {
            self.exclude = globs(&mut d, list);
        }
        if let Some(f) = root.get("fail-on").and_then(|f| d.string(f)) {
            match FailOn::parse(&f) {
                Some(v) => self.fail_on = Some(v),
                None => d.error(
                    root.get("fail-on").expect("read above"),
                    format_args!(
                        "expected error, warning, info or never, found `{}`",
                        f.value
                    ),
                ),
            }
        }
        if let Some(m) = root.get("min-severity").and_then(|m| d.string(m)) {
            match Severity::parse(&m) {
                Some(v) => self.min_severity = Some(v),
                None => d.error(
                    root.get("min-severity").expect("read above"),
                    format_args!("expected error, warning or info, found `{}`", m.value),
                ),
            }
        }
        if let Some(list) = root.get("expectations") {
            self.expectations = expect::read_list(&mut d, list);
        }
        problems.append(&mut d.problems);
    }
}

fn severity_or_off(s: &str) -> Option<Option<Severity>> {
    match s {
        "off" | "false" | "disabled" => Some(None),
        other => Severity::parse(other).map(Some),
    }
}

fn globs<'d>(d: &mut Decoder<'d>, list: N<'d>) -> Vec<glob::Pattern> {
    let mut out = Vec::new();
    for item in d.list(list) {
        let Some(s) = d.string(item) else { continue };
        match glob::Pattern::new(&s) {
            Ok(p) => out.push(p),
            Err(e) => d.error(item, format_args!("bad glob pattern `{}`: {e}", s.value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Problem>> {
        Config::parse(FileId(0), text, Path::new(".netpol.yaml"))
    }

    #[test]
    fn rules_can_be_turned_off_re_graded_and_excluded_by_path() {
        let c = parse("rules:\n  invalid-manifest: off\n  NP101:\n    severity: warning\n    exclude: ['legacy/**']\nexclude: ['vendor/*.yaml']\nfail-on: error\nmin-severity: warning\n").unwrap();
        let manifest = registry::find("invalid-manifest").unwrap();
        let cidr = registry::find("invalid-cidr").unwrap();
        assert!(!c.enabled(manifest));
        assert!(c.enabled(cidr));
        assert_eq!(c.severity(cidr), Severity::Warning);
        assert!(c.excluded(cidr, "legacy/a/b.yaml"));
        assert!(c.excluded(cidr, "./vendor/x.yaml"));
        assert!(!c.excluded(cidr, "deploy/x.yaml"));
        assert_eq!(c.fail_on, Some(FailOn::Error));
        assert_eq!(c.min_severity, Some(Severity::Warning));
        assert_eq!(parse("").unwrap().min_severity, None);
        assert_eq!(parse("strict: true\n").unwrap().strict, Some(true));
        assert_eq!(parse("").unwrap().strict, None);
        assert!(parse("strict: maybe\n").is_err());
        let problems = parse("min-severity: never\n").unwrap_err();
        assert_eq!(
            problems[0].message,
            "expected error, warning or info, found `never`"
        );
    }

    #[test]
    fn expectations_are_read_with_positions() {
        let c = parse("expectations:\n- {from: shop/web, to: {namespace: shop, labels: {app: api}}, port: 8080/TCP, expect: allow}\n- from: {cidr: 10.0.0.0/8}\n  to: shop/db\n  expect: deny\n").unwrap();
        assert_eq!(c.expectations.len(), 2);
        assert_eq!(
            c.expectations[0].describe(),
            "shop/web → pods in shop with app=api on TCP 8080"
        );
        assert_eq!(c.expectations[1].describe(), "10.0.0.0/8 → shop/db");
        assert_eq!(c.expectations[1].span.start, 109);
        let problems = parse("expectations:\n- {from: shop/web, too: shop/api, port: 0, expect: maybe}\n- {from: {cidr: 10.0.0.0/33, labels: {}}, to: [], expect: deny}\n- x\n").unwrap_err();
        let messages: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        assert_eq!(
            messages,
            [
                "expectations[0].too: unknown field `too` (did you mean `to`?); expected `from`, `to`, `port`, `expect`",
                "expectations[0].to: missing required field `to`",
                "expectations[0].port: bad port `0`: port 0 is out of range 1-65535",
                "expectations[0].expect: expected allow or deny, found `maybe`",
                "expectations[1].from.labels: unknown field `labels`; expected `cidr`",
                "expectations[1].from.cidr: `10.0.0.0/33` is not a CIDR: prefix length 33 is over 32",
                "expectations[1].to: expected a name (`ns/name`), `{namespace: NS, labels: {…}}` or `{cidr: CIDR}`, found a list",
                "expectations[2]: expected a mapping, found \"x\"",
            ]
        );
    }

    #[test]
    fn mistakes_in_the_config_are_reported_with_positions() {
        let problems =
            parse("rules:\n  invalid-cidrr: off\n  invalid-cidr: loud\nfail_on: error\n")
                .unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].contains("did you mean `fail-on`"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("unknown rule `invalid-cidrr` (did you mean `invalid-cidr`?)"))
        );
        assert!(messages.iter().any(|m| m.contains("found `loud`")));
    }
}

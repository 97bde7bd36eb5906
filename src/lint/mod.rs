//! The linter behind `kubectl netpol check`.
//!
//! A rule is one file in [`rules`]: a [`RuleDef`] (stable code, kebab-case name, default
//! severity, one-line summary, check function) whose module doc comment is its user
//! documentation (What it finds / Why it matters / Example / Use instead), extracted at
//! build time for `kubectl netpol rules NAME`. Rules read a shared [`Context`] (the cluster,
//! the sources, and analyses computed once on demand) and push [`Finding`]s that point at
//! the exact node at fault, with related places labelled.
//!
//! [`run`] runs the enabled rules, then applies the configuration (severity overrides,
//! excluded paths), the `netpol.kubectl.dev/ignore` annotation and the lint scope (files
//! given with `--topology` are read but not linted), sorts by position, and merges the
//! findings that share a cause ([`group`]).
//!
//! A finding may carry a [`fix::Fix`]: its mechanical remedy as an edit of the files, safe or
//! unsafe; [`apply`] applies fixes in rounds, verifying each on the text it writes.

pub mod apply;
pub mod config;
pub mod expect;
pub mod fix;
pub mod group;
pub mod index;
pub mod locate;
pub mod redundancy;
pub mod registry;
pub mod risk;
pub mod rules;
pub mod scope;
pub mod shadow;
pub mod suppress;
#[cfg(test)]
pub mod testing;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use crate::base::span::{FileId, Span};
use crate::engine::compile::Compiled;
use crate::engine::matrix::Matrix;
use crate::load::Problem;
use crate::load::source::SourceMap;
use crate::model::validate::{self, Violation};
use crate::model::{Cluster, NsId, PolicyIdx};

pub use config::Config;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably a mistake.
    Warning,
    /// Certainly wrong: the API server rejects it, or an expectation fails.
    Error,
}

impl Severity {
    /// Parses `error`, `warning`, `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => return None,
        })
    }

    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family a rule belongs to (the hundreds digit of its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The input cannot be read (NP0xx).
    Input,
    /// The API server would reject it (NP1xx).
    Invalid,
    /// Written but without effect (NP2xx).
    Ineffective,
    /// Shadowed, redundant or duplicated (NP3xx).
    Redundant,
    /// Allowed, but risky (NP4xx).
    Risk,
    /// A connectivity expectation (NP5xx).
    Expectation,
    /// What a change does, against a baseline revision (NP7xx).
    Change,
}

impl Category {
    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            Category::Input => "input",
            Category::Invalid => "invalid",
            Category::Ineffective => "ineffective",
            Category::Redundant => "shadowed and redundant",
            Category::Risk => "risk",
            Category::Expectation => "expectations",
            Category::Change => "changes",
        }
    }
}

/// A lint rule.
pub struct RuleDef {
    /// Stable code, `NP101`.
    pub code: &'static str,
    /// Stable kebab-case name, `invalid-cidr`; the rule's file is its snake_case form.
    pub name: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// Family.
    pub category: Category,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Pushes the rule's findings.
    pub check: fn(&Context, &mut Vec<Finding>),
}

impl fmt::Debug for RuleDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// Whether the input is the whole cluster (`--closed-world`: a dump, a live read), or part of
/// one (a repository: its own namespaces are complete, every other namespace may exist with
/// any pods).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum World {
    /// Part of a cluster: findings must hold in every cluster the input can be part of.
    #[default]
    Open,
    /// The whole cluster.
    Closed,
}

/// The object a finding is about, whose `netpol.kubectl.dev/ignore` annotation can silence it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A NetworkPolicy.
    Policy(PolicyIdx),
    /// A pod or workload.
    Endpoint(usize),
    /// A namespace.
    Namespace(NsId),
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy.
    ClusterPolicy(usize),
    /// A Calico policy, by index in [`Cluster::calico_policies`].
    CalicoPolicy(usize),
    /// A Cilium policy, by index in [`Cluster::cilium_policies`].
    CiliumPolicy(usize),
    /// Nothing that carries annotations (an expectation, an input problem).
    None,
}

impl Subject {
    /// The object a policy of the model was lowered from.
    pub fn of(source: crate::model::ir::Source) -> Subject {
        use crate::model::ir::Source;
        match source {
            Source::NetworkPolicy(i) => Subject::Policy(i),
            Source::ClusterPolicy(i) => Subject::ClusterPolicy(i),
            Source::NamespaceIsolation(ns) => Subject::Namespace(ns),
            Source::Calico(i) => Subject::CalicoPolicy(i),
            Source::Cilium { policy, .. } => Subject::CiliumPolicy(policy),
            Source::CiliumEnforcement | Source::CiliumLocalhost => Subject::None,
        }
    }
}

/// Another place a finding refers to, with what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there (`shadowing rule`).
    pub message: String,
}

/// One of the objects a merged finding is about (see [`group`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its name (`shop/deploy/api`).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// What a finding carries beyond its text, for the report to render (the linter returns data;
/// rendering lives in `report`).
#[derive(Clone, Debug)]
pub enum Attachment {
    /// A connection, as `can-reach` would explain it.
    Explanation(Box<crate::engine::explain::Explanation>),
    /// A NetworkPolicy to write instead.
    UseInstead(Box<crate::model::NetworkPolicy>),
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule.
    pub rule: &'static RuleDef,
    /// Severity, after configuration.
    pub severity: Severity,
    /// The node at fault.
    pub span: Span,
    /// One line naming the objects.
    pub message: String,
    /// How to fix it, when that helps.
    pub help: Option<String>,
    /// Related places.
    pub related: Vec<Related>,
    /// What the finding is about.
    pub subject: Subject,
    /// Further lines.
    pub notes: Vec<String>,
    /// What the report renders after the notes.
    pub attachments: Vec<Attachment>,
    /// Whether it holds in every cluster the files can be part of, or for the input only:
    /// [`registry::holds`] for the rule, unless the rule said [`Finding::for_input`] of this
    /// one ([`run`] settles it for the run's [`Context::world`]).
    pub holds: registry::Holds,
    /// How it merges with findings of its rule that share its cause ([`group`]).
    pub group: Option<group::Group>,
    /// The objects of a merged finding, first one first (empty unless several merged).
    pub members: Vec<Member>,
    /// Its mechanical remedy, when it has one (a merged finding keeps that of its first
    /// member only).
    pub fix: Option<fix::Fix>,
}

impl Finding {
    /// A finding of `rule` at `span` with its default severity.
    pub fn new(
        rule: &'static RuleDef,
        subject: Subject,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            subject,
            notes: Vec::new(),
            attachments: Vec::new(),
            holds: registry::holds(rule, World::Open),
            group: None,
            members: Vec::new(),
            fix: None,
        }
    }

    /// Attaches the finding's fix.
    pub fn fix(mut self, fix: fix::Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    /// Attaches a fix when there is one.
    pub fn maybe_fix(mut self, fix: Option<fix::Fix>) -> Finding {
        if fix.is_some() {
            self.fix = fix;
        }
        self
    }

    /// Lets the finding merge with the findings of its rule that share `group.key`.
    pub fn grouped(mut self, group: group::Group) -> Finding {
        self.group = Some(group);
        self
    }

    /// Attaches data the report renders.
    pub fn attach(mut self, a: Attachment) -> Finding {
        self.attachments.push(a);
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Adds further lines shown after the help.
    pub fn notes(mut self, notes: Vec<String>) -> Finding {
        self.notes.extend(notes);
        self
    }

    /// Marks a finding of a rule that holds in every cluster as true for the input only
    /// (`matches no pod in these files`).
    pub fn for_input(mut self) -> Finding {
        self.holds = registry::Holds::Input;
        self
    }

    /// Adds a related place.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}

/// What rules read: the cluster, the sources, and analyses computed once when first needed.
pub struct Context<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The files.
    pub sources: &'a SourceMap,
    /// Problems the loader found (reported by `invalid-manifest`).
    pub problems: &'a [Problem],
    /// The default namespace (`-n`), for names the rules resolve.
    pub default_namespace: &'a str,
    /// Connectivity expectations (`--expect` files and the config's `expectations:`).
    pub expectations: &'a [expect::Expectation],
    /// What `check --baseline REV` compares with (None: no baseline).
    pub baseline: Option<&'a rules::new_flow_opened::Baseline>,
    /// Whether the input is the whole cluster (`--closed-world`) or part of one: findings
    /// about what changes nothing must then hold in every cluster it can be part of.
    pub world: World,
    violations: OnceLock<Vec<(PolicyIdx, Violation)>>,
    matrix: OnceLock<Matrix>,
    shadows: OnceLock<Vec<shadow::Shadow>>,
    redundancy: OnceLock<redundancy::Redundancy>,
    compiled: OnceLock<Compiled<'a>>,
    outcomes: OnceLock<Vec<expect::Outcome>>,
    index: OnceLock<index::Index<'a>>,
}

impl<'a> Context<'a> {
    /// A context over a cluster.
    pub fn new(
        cluster: &'a Cluster,
        sources: &'a SourceMap,
        problems: &'a [Problem],
    ) -> Context<'a> {
        Context {
            cluster,
            sources,
            problems,
            default_namespace: "default",
            expectations: &[],
            baseline: None,
            world: World::Open,
            violations: OnceLock::new(),
            matrix: OnceLock::new(),
            shadows: OnceLock::new(),
            redundancy: OnceLock::new(),
            compiled: OnceLock::new(),
            outcomes: OnceLock::new(),
            index: OnceLock::new(),
        }
    }

    /// The context with the cluster's compiled model already made (by a caller that needs it
    /// too, as `report` does for its matrix), so that it is compiled once.
    pub fn with_compiled(self, compiled: Compiled<'a>) -> Context<'a> {
        let _ = self.compiled.set(compiled);
        self
    }

    /// The compiled model, shared by the matrix and the redundancy analysis.
    pub fn compiled(&self) -> &Compiled<'a> {
        self.compiled.get_or_init(|| Compiled::new(self.cluster))
    }

    /// Endpoints by namespace and policies by the namespace they are confined to.
    pub fn index(&self) -> &index::Index<'a> {
        self.index.get_or_init(|| index::Index::new(self.cluster))
    }

    /// What the API server would reject, for every policy of the input.
    pub fn violations(&self) -> &[(PolicyIdx, Violation)] {
        self.violations.get_or_init(|| {
            self.cluster
                .policies
                .iter()
                .enumerate()
                .flat_map(|(i, p)| validate::policy(p).into_iter().map(move |v| (i, v)))
                .collect()
        })
    }

    /// Findings of `rule` for every violation of a cluster-wide policy it reports.
    pub fn cluster_violation_findings(&self, rule: &'static RuleDef, out: &mut Vec<Finding>) {
        for (idx, policy) in self.cluster.cluster_policies.iter().enumerate() {
            for v in validate::cluster_policy(policy)
                .into_iter()
                .filter(|v| v.rule == rule.name)
            {
                out.push(Finding::new(
                    rule,
                    Subject::ClusterPolicy(idx),
                    v.span,
                    format!(
                        "{} {}: {}: {}",
                        policy.kind.kind(),
                        policy.name,
                        v.path,
                        v.message
                    ),
                ));
            }
        }
    }

    /// Findings of `rule` for every violation of a Calico object (policy, Tier, network set)
    /// it reports.
    pub fn calico_violation_findings(&self, rule: &'static RuleDef, out: &mut Vec<Finding>) {
        use crate::model::calico::validate;
        let cluster = self.cluster;
        for (idx, p) in cluster.calico_policies.iter().enumerate() {
            for v in validate::policy(p)
                .into_iter()
                .filter(|v| v.rule == rule.name)
            {
                out.push(Finding::new(
                    rule,
                    Subject::CalicoPolicy(idx),
                    v.span,
                    format!("{} {}: {}: {}", p.kind.as_str(), p.id(), v.path, v.message),
                ));
            }
        }
        let others = cluster
            .calico_tiers
            .iter()
            .map(|t| (format!("Tier {}", t.name), validate::tier(t)))
            .chain(
                cluster
                    .network_sets
                    .iter()
                    .map(|s| (s.id(), validate::network_set(s))),
            );
        for (what, violations) in others {
            for v in violations.into_iter().filter(|v| v.rule == rule.name) {
                out.push(Finding::new(
                    rule,
                    Subject::None,
                    v.span,
                    format!("{what}: {}: {}", v.path, v.message),
                ));
            }
        }
    }

    /// Findings of `rule` for every violation it reports.
    pub fn violation_findings(&self, rule: &'static RuleDef, out: &mut Vec<Finding>) {
        for (idx, v) in self
            .violations()
            .iter()
            .filter(|(_, v)| v.rule == rule.name)
        {
            let policy = &self.cluster.policies[*idx];
            out.push(Finding::new(
                rule,
                Subject::Policy(*idx),
                v.span,
                format!("{}: {}: {}", policy.id(), v.path, v.message),
            ));
        }
    }

    /// The reachability matrix of the input.
    pub fn matrix(&self) -> &Matrix {
        self.matrix.get_or_init(|| Matrix::of(self.compiled()))
    }

    /// Rules contained in other rules, decided from the policies alone.
    pub fn shadows(&self) -> &[shadow::Shadow] {
        self.shadows.get_or_init(|| shadow::compute(self.cluster))
    }

    /// Rules and policies that change nothing in the reachability of the input.
    pub fn redundancy(&self) -> &redundancy::Redundancy {
        self.redundancy
            .get_or_init(|| redundancy::compute_with(self.compiled(), self.world))
    }

    /// The applied Cilium policies, with their index in [`Cluster::cilium_policies`], when
    /// Cilium enforces the policies (none otherwise: the Cilium rules judge nothing then).
    pub fn cilium_policies(
        &self,
    ) -> impl Iterator<Item = (usize, &'a crate::model::cilium::CiliumPolicy)> + 'a {
        let cluster = self.cluster;
        let enforced = cluster.cni == crate::model::Cni::Cilium;
        cluster
            .cilium_policies
            .iter()
            .enumerate()
            .filter(move |(i, _)| enforced && cluster.cilium_applied(*i))
    }

    /// The rule of the policy model a reference points at.
    pub fn ir_rule(&self, r: shadow::RuleRef) -> &crate::model::ir::Rule {
        self.cluster.ir.policies[r.0]
            .dir(r.1)
            .rules
            .iter()
            .find(|x| x.index == r.2)
            .expect("references point at lowered rules")
    }

    /// What checking each expectation found, in the order of [`Context::expectations`].
    pub fn expectation_outcomes(&self) -> &[expect::Outcome] {
        self.outcomes.get_or_init(|| {
            self.expectations
                .iter()
                .map(|e| expect::evaluate(self, e))
                .collect()
        })
    }

    /// `shop/api ingress[1]` for a rule of a Kubernetes NetworkPolicy, `GlobalNetworkPolicy
    /// deny-all (order 10) ingress[0]` for one of another API.
    pub fn rule_name(&self, r: shadow::RuleRef) -> String {
        format!("{} {}", self.policy_name(r.0), self.ir_rule(r).label)
    }

    /// `namespace/name ingress[1]` for a rule of a Kubernetes NetworkPolicy as written.
    pub fn np_rule_name(&self, policy: PolicyIdx, rule: &crate::model::Rule) -> String {
        format!("{} {}", self.cluster.policies[policy].id(), rule.label())
    }

    /// `shop/api` for a Kubernetes NetworkPolicy, `GlobalNetworkPolicy deny-all (order 10)`
    /// for a policy of another API.
    pub fn policy_name(&self, p: crate::model::ir::PolicyId) -> String {
        let policy = &self.cluster.ir.policies[p];
        match policy.source {
            crate::model::ir::Source::NetworkPolicy(_) => policy.name.clone(),
            _ => policy.label(),
        }
    }
}

/// What to lint and how.
#[derive(Default)]
pub struct RunOptions {
    /// Files read for topology only: findings there are dropped.
    pub topology_files: HashSet<FileId>,
}

/// Runs every enabled rule and returns the findings, configured, suppressed, scoped and
/// sorted by file and position.
pub fn run(cx: &Context, config: &Config, opts: &RunOptions) -> Vec<Finding> {
    let enabled: Vec<&'static RuleDef> = registry::ALL
        .iter()
        .copied()
        .filter(|r| config.enabled(r))
        .collect();
    // Rules run one after the other: the shared analyses they start (the matrix, redundancy)
    // are parallel inside, and a thread-pool worker blocked on a `OnceLock` another rule is
    // filling could otherwise pick up that rule's job and wait on itself.
    let mut findings: Vec<Finding> = enabled
        .iter()
        .flat_map(|rule| {
            let mut out = Vec::new();
            (rule.check)(cx, &mut out);
            out
        })
        .collect();
    findings.retain(|f| {
        !opts.topology_files.contains(&f.span.file)
            || matches!(f.rule.category, Category::Input | Category::Change)
    });
    // A policy that applies to no pod gets that one finding, not a pile of findings about
    // rules that can never apply (validity stays: the API server still refuses).
    let inert: Vec<Subject> = findings
        .iter()
        .filter(|f| f.rule.name == rules::policy_selects_nothing::RULE.name)
        .map(|f| f.subject)
        .filter(|s| *s != Subject::None)
        .collect();
    findings.retain(|f| {
        f.rule.name == rules::policy_selects_nothing::RULE.name
            || !inert.contains(&f.subject)
            || matches!(f.rule.category, Category::Input | Category::Invalid)
    });
    // Pods described by an expectation are the question's, not the files': nothing to find.
    findings.retain(
        |f| !matches!(f.subject, Subject::Endpoint(i) if cx.cluster.endpoints[i].is_described()),
    );
    findings.retain(|f| !suppress::is_ignored(cx.cluster, f));
    for f in &mut findings {
        // What the rule's table says for this world, unless the rule said "input" already.
        if registry::holds(f.rule, cx.world) == registry::Holds::Input {
            f.holds = registry::Holds::Input;
        }
        // A safe fix keeps what the files mean in every cluster they can be part of: the
        // fix of a finding that is true of the input only is a guess about the rest.
        if f.holds == registry::Holds::Input
            && let Some(fix) = f.fix.take()
        {
            f.fix = Some(fix.made_unsafe());
        }
        // A configured severity replaces the rule's; without one, a finding keeps what its
        // rule gave it (a rule may report milder cases below its default).
        let configured = config.severity(f.rule);
        if configured != f.rule.severity {
            f.severity = configured;
        }
    }
    findings.retain(|f| !config.excluded(f.rule, &cx.sources.file(f.span.file).name));
    findings.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.rule.code,
            &b.message,
        ))
    });
    group::merge(findings)
}

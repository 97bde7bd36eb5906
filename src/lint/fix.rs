//! Fixes: the mechanical remedy of a finding, as an edit of the user's files, with how far it
//! can be trusted (ruff's model).
//!
//! A [`Fix`] is a [`Patch`] over the loaded texts (built with [`crate::base::yaml_edit`], so
//! only the changed lines differ), a one-line title, and two promises:
//!
//! - its [`Safety`]: a *safe* fix keeps what the manifests mean (`check --fix` applies it); an
//!   *unsafe* one guesses at what was meant — a label one typo away, a port name that is
//!   close — or changes what is allowed, and is applied only with `--unsafe-fixes`. A fix of a
//!   finding that holds for the input only (not in every cluster the files can be part of) is
//!   never safe: [`crate::lint::run`] makes it unsafe.
//! - whether changing connections is its purpose ([`Fix::changes_connections`]). Every fix is
//!   verified on the text it writes ([`crate::fix::verify`], then [`super::apply`]): one that
//!   does not say so must leave every connection as it was, and no fix may make the input
//!   unreadable where it was not.
//!
//! Rules attach fixes to their findings ([`crate::lint::Finding::fix`]); the applying side
//! takes [`super::apply::Candidate`]s, so a fix may also come from elsewhere (the can-reach
//! fixer). [`crate::lint::registry::fixable`] says which rules have one, for `kubectl netpol
//! rules` and the docs.
//!
//! The helpers below build the edits rules need from the spans of the model: delete a rule
//! (leaving `[]` where it was the only one), replace the one label that keeps a selector from
//! matching its closest candidate.

use serde_json::Value;

use crate::base::edit::{Edit, Patch};
use crate::base::span::Span;
use crate::base::suggest::closest;
use crate::base::yaml_edit;
use crate::lint::Context;
use crate::lint::shadow::RuleRef;
use crate::model::ir::Source;
use crate::model::labels::Operator;
use crate::model::policy::{NetworkPolicy, Rule, RuleList};
use crate::model::{Direction, LabelSelector, Labels, PolicyIdx};

/// How far a fix can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Safety {
    /// Keeps what the manifests mean: applied by `--fix`.
    Safe,
    /// Guesses at the intent, or changes what is allowed: applied with `--unsafe-fixes`.
    Unsafe,
}

impl Safety {
    /// `safe` or `unsafe`, as the JSON and SARIF outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// The mechanical remedy of a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Safe or unsafe.
    pub safety: Safety,
    /// What it does, in a few words: `add Ingress to policyTypes`.
    pub title: String,
    /// The edits.
    pub patch: Patch,
    /// Whether changing connections is its purpose (enforcing ignored rules, fixing a label
    /// typo); a fix that does not say so must change no connection.
    pub changes_connections: bool,
}

impl Fix {
    /// A fix made of one edit, that changes no connection.
    pub fn edit(safety: Safety, title: impl Into<String>, edit: Edit) -> Fix {
        Fix::patch(
            safety,
            title,
            Patch {
                edits: vec![edit],
                new_texts: Vec::new(),
            },
        )
    }

    /// A fix made of a patch, that changes no connection.
    pub fn patch(safety: Safety, title: impl Into<String>, patch: Patch) -> Fix {
        Fix {
            safety,
            title: title.into(),
            patch,
            changes_connections: false,
        }
    }

    /// Says that changing connections is the fix's purpose.
    pub fn changing_connections(mut self) -> Fix {
        self.changes_connections = true;
        self
    }

    /// The same fix, unsafe.
    pub fn made_unsafe(mut self) -> Fix {
        self.safety = Safety::Unsafe;
        self
    }

    /// Whether it is applied: a safe fix always, an unsafe one with `--unsafe-fixes`.
    pub fn applies(&self, unsafe_fixes: bool) -> bool {
        self.safety == Safety::Safe || unsafe_fixes
    }
}

/// How often a rule's findings carry a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Every finding.
    Always,
    /// Some findings (where the remedy is mechanical).
    Sometimes,
}

/// What a rule's fix is, for the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixable {
    /// Always or sometimes.
    pub availability: Availability,
    /// The safety of its fixes; None when it depends on the finding.
    pub safety: Option<Safety>,
    /// What the fix does.
    pub what: &'static str,
}

impl Fixable {
    /// `safe`, `unsafe` or `safe/unsafe`, with a `*` when not every finding has one: the
    /// column of `kubectl netpol rules`.
    pub fn short(&self) -> String {
        let safety = self.safety.map_or("safe/unsafe", Safety::as_str);
        match self.availability {
            Availability::Always => safety.to_string(),
            Availability::Sometimes => format!("{safety}*"),
        }
    }

    /// The line the rule documentation says it with.
    pub fn line(&self) -> String {
        let when = match self.availability {
            Availability::Always => "always available",
            Availability::Sometimes => "sometimes available",
        };
        let safety = match self.safety {
            Some(Safety::Safe) => "safe: applied by `check --fix`".to_string(),
            Some(Safety::Unsafe) => "unsafe: applied by `check --fix --unsafe-fixes`".to_string(),
            None => "safe or unsafe, depending on the finding".to_string(),
        };
        format!("Fix: {when}, {safety}; it {}.", self.what)
    }
}

// ---------------------------------------------------------------------------------------
// Edits of YAML text that yaml_edit does not provide.

/// Just after the `:` of the key whose block value starts on the line at `value_line`: the
/// last line before it holding content, when it ends (a comment aside) with `key:`.
fn colon_before(text: &str, value_line: usize) -> Option<usize> {
    let mut end = value_line;
    while end > 0 {
        let start = yaml_edit::line_start(text, end - 1);
        let line = &text[start..end - 1];
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            end = start;
            continue;
        }
        // Strip a trailing comment (` #` outside quotes: keys here are plain).
        let content = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        };
        let content = content.trim_end();
        return content.ends_with(':').then_some(start + content.len());
    }
    None
}

/// Where the lines of the block sequence item whose `-` is at `dash` start: the line of the
/// dash, or the first of the comment lines right above it at the dash's column (a comment
/// heading an item goes with it).
fn item_lines_start(text: &str, dash: usize) -> usize {
    let mut start = yaml_edit::line_start(text, dash);
    let column = dash - start;
    while start > 0 {
        let prev = yaml_edit::line_start(text, start - 1);
        let line = &text[prev..start - 1];
        let indent = line.len() - line.trim_start().len();
        if indent == column && line.trim_start().starts_with('#') {
            start = prev;
        } else {
            break;
        }
    }
    start
}

/// Deletes one item of a sequence of `count` items: in block style its lines with the
/// comment lines heading it, in flow style the item and one comma. The last one left is
/// replaced by `[]` (`ingress:` alone would be null, which is not what an empty list says in
/// every API): in flow style the brackets stay, in block style `key: []` replaces `key:`.
/// None when the text around does not have the expected shape.
pub fn delete_item(text: &str, seq: Span, item: Span, count: usize) -> Option<Vec<Edit>> {
    if (item.end as usize) > text.len() || item.start < seq.start {
        return None;
    }
    let flow = text.as_bytes().get(seq.start as usize) == Some(&b'[');
    if flow {
        return Some(vec![yaml_edit::delete_item(text, seq, item)]);
    }
    let dash = yaml_edit::dash_before(text, item.start)?;
    let mut delete = yaml_edit::delete_item(text, seq, item);
    let lines = item_lines_start(text, dash);
    if delete.start as usize == yaml_edit::line_start(text, dash) {
        delete.start = lines as u32;
    }
    if count > 1 {
        return Some(vec![delete]);
    }
    let colon = colon_before(text, lines)?;
    Some(vec![Edit::insert(item.file, colon as u32, " []"), delete])
}

/// The span of the sequence holding `first` (its first item), for [`delete_item`]: from its
/// `[` in flow style, else the item itself (a block sequence's own span is not needed).
pub fn sequence_of(text: &str, first: Span) -> Span {
    let b = text.as_bytes();
    let mut p = first.start as usize;
    while p > 0 && (b[p - 1] == b' ' || b[p - 1] == b'\n') {
        p -= 1;
    }
    if p > 0 && b[p - 1] == b'[' {
        Span::new(first.file, p as u32 - 1, first.end)
    } else {
        first
    }
}

/// Deletes a rule of a NetworkPolicy (see [`delete_item`]).
pub fn delete_rule(text: &str, policy: &NetworkPolicy, rule: &Rule) -> Option<Patch> {
    let list: &RuleList = match rule.direction {
        Direction::Ingress => policy.ingress.as_ref()?,
        Direction::Egress => policy.egress.as_ref()?,
    };
    let edits = delete_item(text, list.span, rule.span, list.rules.len())?;
    Some(Patch {
        edits,
        new_texts: Vec::new(),
    })
}

/// The text of the file a span is in.
pub fn text_of<'a>(cx: &Context<'a>, span: Span) -> &'a str {
    &cx.sources.file(span.file).text
}

/// Deleting a rule of the policy model, when it is a rule of a Kubernetes NetworkPolicy:
/// `delete shop/web ingress[1]`, changing no connection.
pub fn delete_model_rule(cx: &Context, r: RuleRef, safety: Safety) -> Option<Fix> {
    let Source::NetworkPolicy(idx) = cx.cluster.ir.policies[r.0].source else {
        return None;
    };
    let policy = &cx.cluster.policies[idx];
    let rule = rule_at(policy, cx.ir_rule(r).span)?;
    let patch = delete_rule(text_of(cx, rule.span), policy, rule)?;
    Some(Fix::patch(
        safety,
        format!("delete {}", cx.np_rule_name(idx, rule)),
        patch,
    ))
}

/// Adding a direction to the policyTypes a policy writes (`add Ingress to policyTypes`), so
/// that its rules of that direction are enforced: unsafe, and changing connections.
pub fn add_policy_type(cx: &Context, idx: PolicyIdx, dir: Direction) -> Option<Fix> {
    let types = cx.cluster.policies[idx].policy_types.as_ref()?;
    let text = text_of(cx, types.span);
    let edit = append_item(text, types.span, &Value::String(dir.as_str().into()));
    Some(
        Fix::edit(
            Safety::Unsafe,
            format!("add {} to policyTypes", dir.as_str()),
            edit,
        )
        .changing_connections(),
    )
}

/// The rule of a NetworkPolicy written at `span`.
pub fn rule_at(policy: &NetworkPolicy, span: Span) -> Option<&Rule> {
    Direction::BOTH
        .into_iter()
        .flat_map(|d| policy.rules(d))
        .find(|r| r.span == span)
}

/// The value of the scalar at `span`, without its quotes and the spaces a plain scalar's
/// span may end with (no escapes are undone: the values fixed here have none).
pub fn unquoted(text: &str, span: Span) -> &str {
    let written = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("")
        .trim_end();
    for q in ['"', '\x27'] {
        if let Some(inner) = written.strip_prefix(q).and_then(|w| w.strip_suffix(q)) {
            return inner;
        }
    }
    written
}

/// Replaces a plain or quoted scalar (a label key or value, a port name), keeping its
/// quoting style.
pub fn replace_scalar(text: &str, span: Span, value: &str) -> Edit {
    yaml_edit::replace_scalar(text, span, value)
}

/// Whether a text is JSON, or YAML written in flow style from its first character: new
/// values are then written as JSON, so that a JSON file stays JSON.
fn is_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// An edit's new text with `yaml` (what yaml_edit wrote) replaced by `json`.
fn as_json(mut edit: Edit, yaml: &str, json: &str) -> Edit {
    if let Some(i) = edit.text.rfind(yaml) {
        edit.text.replace_range(i..i + yaml.len(), json);
    }
    edit
}

/// Adds `key: value` to a mapping, block or flow (in a JSON file, as JSON).
pub fn insert_entry(text: &str, map: Span, key: &str, value: &Value) -> Edit {
    let edit = yaml_edit::insert_entry(text, map, key, value);
    if !is_json(text) {
        return edit;
    }
    let yaml = format!("{}: {}", yaml_edit::scalar(key), yaml_edit::flow(value));
    let json = format!("{}: {}", Value::String(key.into()), value);
    as_json(edit, &yaml, &json)
}

/// Appends an item to a sequence, block or flow (in a JSON file, as JSON).
pub fn append_item(text: &str, seq: Span, item: &Value) -> Edit {
    let edit = yaml_edit::append_item(text, seq, item);
    if !is_json(text) {
        return edit;
    }
    as_json(edit, &yaml_edit::flow(item), &item.to_string())
}

// ---------------------------------------------------------------------------------------
// Selectors one label away from a candidate.

/// The edit that makes `selector` match the candidate it misses most narrowly, when that is
/// one label: the candidate failing the fewest requirements (then with the most failures
/// that look like typos, as [`crate::lint::scope::closest_candidate`] picks it) must be alone in
/// the lead and fail exactly one `In` requirement, whose value is one typo away from its
/// label's (`app: webb` for `app=web`: the value is replaced) or whose key is one typo away
/// from a key it carries with that value (`ap: web`: the key is replaced). Returns the title
/// and the edit.
pub fn label_typo<'l>(
    text: &str,
    selector: &LabelSelector,
    candidates: impl IntoIterator<Item = (String, &'l Labels)>,
) -> Option<(String, Edit)> {
    let (failing, name, labels) = crate::lint::scope::closest_candidate(selector, candidates)?;
    if failing != 1 {
        return None;
    }
    let failed = selector.failures(labels);
    let r = failed.first()?;
    if r.op != Operator::In {
        return None;
    }
    match labels.get(&r.key) {
        Some(actual) => {
            let wrong = r.values.iter().find(|w| closest(w, &[actual]).is_some())?;
            let span = value_span(selector, &r.key, wrong)?;
            Some((
                format!("replace `{wrong}` with `{actual}` (the label of {name})"),
                replace_scalar(text, span, actual),
            ))
        }
        None => {
            let keys: Vec<&str> = labels
                .iter()
                .filter(|(_, v)| r.values.iter().any(|w| w == v))
                .map(|(k, _)| k)
                .collect();
            let key = closest(&r.key, &keys)?;
            let span = key_span(selector, &r.key)?;
            Some((
                format!(
                    "replace the key `{}` with `{key}` (the label of {name})",
                    r.key
                ),
                replace_scalar(text, span, key),
            ))
        }
    }
}

/// Where `value` is written as a value of `key` in a selector.
pub fn value_span(selector: &LabelSelector, key: &str, value: &str) -> Option<Span> {
    selector
        .match_labels
        .iter()
        .find(|(k, v)| k.value == key && v.value == value)
        .map(|(_, v)| v.span)
        .or_else(|| {
            selector
                .match_expressions
                .iter()
                .filter(|e| {
                    e.key.value == key && Operator::parse(&e.operator) == Some(Operator::In)
                })
                .flat_map(|e| e.values.iter())
                .find(|v| v.value == value)
                .map(|v| v.span)
        })
}

/// Where `key` is written in a selector (the first place).
pub fn key_span(selector: &LabelSelector, key: &str) -> Option<Span> {
    selector
        .match_labels
        .iter()
        .find(|(k, _)| k.value == key)
        .map(|(k, _)| k.span)
        .or_else(|| {
            selector
                .match_expressions
                .iter()
                .find(|e| e.key.value == key)
                .map(|e| e.key.span)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::FileId;

    fn apply(text: &str, edits: Vec<Edit>) -> String {
        let patch = Patch {
            edits,
            new_texts: vec![],
        };
        patch
            .apply(|_| ("t", None, text), |_| None)
            .unwrap()
            .pop()
            .map_or(text.to_string(), |c| c.after)
    }

    fn at(text: &str, needle: &str) -> u32 {
        text.find(needle).unwrap() as u32
    }

    #[test]
    fn deleting_one_of_several_items_keeps_the_others() {
        let text = "ingress:\n- from: a\n  # the b\n- from: b\negress: []\n";
        let seq = Span::new(FileId(0), at(text, "from: a"), at(text, "egress"));
        let item = Span::new(FileId(0), at(text, "from: b"), at(text, "egress"));
        assert_eq!(
            apply(text, delete_item(text, seq, item, 2).unwrap()),
            "ingress:\n- from: a\n  # the b\negress: []\n"
        );
    }

    #[test]
    fn deleting_the_only_block_item_leaves_an_empty_list() {
        let text = "spec:\n  ingress: # rules\n  # the only one\n  - from: a\n    ports: x\n  egress: []\n";
        let seq = Span::new(FileId(0), at(text, "from: a"), at(text, "egress"));
        let item = seq;
        assert_eq!(
            apply(text, delete_item(text, seq, item, 1).unwrap()),
            "spec:\n  ingress: [] # rules\n  egress: []\n"
        );
        let indented = "except:\n  - 10.0.0.0/8\nnext: 1\n";
        let seq = Span::new(FileId(0), at(indented, "- 10"), at(indented, "next"));
        let item = Span::new(FileId(0), at(indented, "10.0"), at(indented, "next"));
        assert_eq!(
            apply(indented, delete_item(indented, seq, item, 1).unwrap()),
            "except: []\nnext: 1\n"
        );
    }

    #[test]
    fn deleting_the_only_flow_item_keeps_the_brackets() {
        let text = "ingress: [{from: a}] # one\n";
        let seq = Span::new(FileId(0), at(text, "["), at(text, " #"));
        let item = Span::new(FileId(0), at(text, "{"), at(text, "]"));
        assert_eq!(
            apply(text, delete_item(text, seq, item, 1).unwrap()),
            "ingress: [] # one\n"
        );
    }

    #[test]
    fn new_values_in_a_json_file_are_json() {
        let text = r#"{"spec": {"policyTypes": ["Egress"], "port": {"port": "dns"}}}"#;
        let f = FileId(0);
        let seq = Span::new(f, at(text, "[\""), at(text, "]") + 1);
        let map = Span::new(f, at(text, "{\"port\": \"dns"), at(text, "}}}") + 1);
        let edits = vec![
            append_item(text, seq, &Value::String("Ingress".into())),
            insert_entry(text, map, "protocol", &Value::String("UDP".into())),
        ];
        let fixed = apply(text, edits);
        assert_eq!(
            fixed,
            r#"{"spec": {"policyTypes": ["Egress", "Ingress"], "port": {"port": "dns", "protocol": "UDP"}}}"#
        );
        assert!(serde_json::from_str::<Value>(&fixed).is_ok());
    }

    #[test]
    fn a_typo_in_a_value_or_a_key_is_replaced() {
        use crate::base::span::Spanned;
        let text = "matchLabels: {app: webb, tier: web}\n";
        let f = FileId(0);
        let s = |needle: &str| {
            let i = at(text, needle);
            Span::new(f, i, i + needle.len() as u32)
        };
        let sel = LabelSelector {
            span: s("{app"),
            match_labels: vec![
                (
                    Spanned::new("app".into(), s("app")),
                    Spanned::new("webb".into(), s("webb")),
                ),
                (
                    Spanned::new("tier".into(), s("tier")),
                    Spanned::new("web".into(), Span::new(f, at(text, "web}"), at(text, "}"))),
                ),
            ],
            match_expressions: vec![],
        };
        let web = Labels::from_pairs([("app", "web"), ("tier", "web")]);
        let db = Labels::from_pairs([("app", "db"), ("tier", "db")]);
        let (title, edit) = label_typo(
            text,
            &sel,
            [("web".to_string(), &web), ("db".to_string(), &db)],
        )
        .unwrap();
        assert_eq!(title, "replace `webb` with `web` (the label of web)");
        assert_eq!(
            apply(text, vec![edit]),
            "matchLabels: {app: web, tier: web}\n"
        );
        let key = Labels::from_pairs([("apps", "webb"), ("tier", "web")]);
        let (title, edit) = label_typo(text, &sel, [("k".to_string(), &key)]).unwrap();
        assert_eq!(title, "replace the key `app` with `apps` (the label of k)");
        assert_eq!(
            apply(text, vec![edit]),
            "matchLabels: {apps: webb, tier: web}\n"
        );
        // Two candidates as close: no guess.
        let web2 = Labels::from_pairs([("app", "wabb"), ("tier", "web")]);
        assert!(label_typo(text, &sel, [("a".into(), &web), ("b".into(), &web2)]).is_none());
        // Two labels off: no guess.
        let far = Labels::from_pairs([("app", "web"), ("tier", "db")]);
        assert!(label_typo(text, &sel, [("far".into(), &far)]).is_none());
    }
}

/// Fixture tests of fixes: the fixes of one rule on `testdata/rules/<rule-name>/<fixture>`,
/// applied as `check --fix` applies them (verified, in rounds), shown as what was applied
/// and refused and the unified diff of the fixture.
#[cfg(test)]
pub mod testing {
    use std::collections::HashSet;

    use crate::lint::apply::{self, Candidate, Options, State};
    use crate::lint::{Config, Context, RuleDef, RunOptions, World, run};
    use crate::load::{LoadOptions, load};
    use crate::model::BuildOptions;

    /// The fixes of `rule` on a fixture (the unsafe ones too with `unsafe_fixes`), applied:
    /// `applied: line:col: title (safety)` lines, `refused: ...` lines, then the diff.
    pub fn fixed(rule: &'static RuleDef, fixture: &str, unsafe_fixes: bool) -> String {
        fixed_in(rule, fixture, unsafe_fixes, World::Open)
    }

    /// [`fixed`], for the input read as the whole cluster or as part of one.
    pub fn fixed_in(
        rule: &'static RuleDef,
        fixture: &str,
        unsafe_fixes: bool,
        world: World,
    ) -> String {
        let dir = format!(
            "{}/testdata/rules/{}/",
            env!("CARGO_MANIFEST_DIR"),
            rule.name
        );
        let load_opts = LoadOptions::default();
        let build = BuildOptions::default();
        let loaded = load(&[format!("{dir}{fixture}")], &load_opts);
        let first = State::load(&loaded.sources, &load_opts, &build);
        let only: HashSet<&str> = [rule.name].into();
        let config = Config::only(&only);
        let opts = Options {
            unsafe_fixes,
            max_rounds: apply::MAX_ROUNDS,
            load: &load_opts,
            build: &build,
        };
        let outcome = apply::run(first, &opts, |state| {
            let mut cx = Context::new(&state.cluster, &state.sources, &state.problems);
            cx.world = world;
            run(&cx, &config, &RunOptions::default())
                .iter()
                .filter_map(Candidate::of)
                .collect()
        });
        let mut out = String::new();
        for a in &outcome.applied {
            out.push_str(&format!(
                "applied: {}: {} ({})\n",
                a.at.rsplit('/').next().unwrap_or(""),
                a.title,
                a.safety.as_str()
            ));
        }
        for r in &outcome.refused {
            out.push_str(&format!("refused: {}\n", r.line().replace(&dir, "")));
        }
        let mut changes = outcome.changes;
        for c in &mut changes {
            c.name = c.name.replace(&dir, "");
        }
        out.push_str(&crate::report::patch::unified(&changes));
        out
    }
}

//! `replay -o sarif`: SARIF 2.1.0, for code scanning on the pull request that changes the
//! policies. One result per workload pair whose recorded flows change, placed at what
//! decides them in the new manifests: the rule that denies (or allows), else the policies
//! whose isolation denies; a pair decided by no policy (not isolated) has no location. Newly
//! denied flows are `error`s, newly allowed ones `note`s, and every flow that could not be
//! mapped to the manifests is a `warning` at its line of the flows file, so nothing the
//! replay counted is missing from the log.

use std::path::Path;

use serde_json::{Value, json};

use super::{Report, change_title, decider_text, plural};
use crate::base::span::Span;
use crate::engine::replay::{Change, Decider, Group};
use crate::report::check::sarif::{log, path_artifact, physical};
use crate::report::style::Painter;

/// The ids of the results, in the order of [`rules`].
const NEWLY_DENIED: &str = "newly-denied";
const NEWLY_ALLOWED: &str = "newly-allowed";
const UNMAPPED: &str = "unmapped-flow";

fn rules() -> Vec<Value> {
    let rule = |id: &str, text: &str, level: &str| {
        json!({
            "id": id,
            "name": id,
            "shortDescription": { "text": text },
            "fullDescription": { "text": text },
            "defaultConfiguration": { "level": level },
            "properties": { "tags": ["kubernetes", "networkpolicy", "replay"] },
        })
    };
    vec![
        rule(
            NEWLY_DENIED,
            "recorded flows that the new manifests deny",
            "error",
        ),
        rule(
            NEWLY_ALLOWED,
            "recorded flows that were denied and the new manifests allow",
            "note",
        ),
        rule(
            UNMAPPED,
            "a recorded flow whose endpoints the manifests do not hold",
            "warning",
        ),
    ]
}

/// Where what decides a pair is written, first ones first.
fn decider_spans(r: &Report, d: &Decider) -> Vec<Span> {
    let ir = &r.cluster.ir;
    match d {
        Decider::Rule {
            direction,
            policy,
            rule,
            ..
        } => vec![ir.policies[*policy].dir(*direction).rules[*rule].span],
        Decider::End { isolating, .. } => isolating
            .iter()
            .filter_map(|&p| ir.policies[p].span)
            .collect(),
        Decider::Default { .. } => Vec::new(),
    }
}

fn group_result(r: &Report, g: &Group, cwd: Option<&Path>) -> Value {
    let plain = Painter::new(false);
    let mut text = format!(
        "{}: {} from {} to {}",
        change_title(g.change),
        plural(g.flows, "flow"),
        g.src,
        g.dst
    );
    let mut spans: Vec<Span> = Vec::new();
    for p in &g.ports {
        text.push_str(&format!(
            "\n{} {} ({}):",
            p.protocol.as_str(),
            p.port,
            plural(p.flows, "flow")
        ));
        for d in &p.because {
            text.push_str(&format!(" {}", decider_text(r, d, g, &plain)));
            for s in decider_spans(r, d) {
                if !spans.contains(&s) {
                    spans.push(s);
                }
            }
        }
    }
    let (id, index, level) = match g.change {
        Change::NewlyDenied => (NEWLY_DENIED, 0, "error"),
        Change::NewlyAllowed => (NEWLY_ALLOWED, 1, "note"),
    };
    let locations: Vec<Value> = spans
        .iter()
        .take(1)
        .map(|&s| json!({ "physicalLocation": physical(r.sources, s, cwd) }))
        .collect();
    let related: Vec<Value> = spans
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, &s)| json!({ "id": i, "physicalLocation": physical(r.sources, s, cwd) }))
        .collect();
    let mut result = json!({
        "ruleId": id,
        "ruleIndex": index,
        "level": level,
        "message": { "text": text },
        "locations": locations,
        "properties": {
            "source": g.src,
            "destination": g.dst,
            "flows": g.flows,
        },
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

/// The replay as a SARIF log. `cwd` is the directory relative paths are relative to.
pub fn sarif(r: &Report, cwd: Option<&Path>) -> Value {
    let mut results: Vec<Value> = r
        .replay
        .groups
        .iter()
        .map(|g| group_result(r, g, cwd))
        .collect();
    for u in &r.replay.unmapped {
        results.push(json!({
            "ruleId": UNMAPPED,
            "ruleIndex": 2,
            "level": "warning",
            "message": { "text": format!("flow not mapped to the manifests: {}", u.reason) },
            "locations": [{ "physicalLocation": {
                "artifactLocation": path_artifact(&u.file, Path::new(&u.file), cwd),
                "region": { "startLine": u.line },
            }}],
        }));
    }
    log(rules(), results, cwd)
}

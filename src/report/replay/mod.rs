//! `replay` output: text for people ([`text`]), versioned JSON ([`json`], `"version": 1`),
//! a Markdown comment ([`markdown`]) and SARIF for code scanning ([`sarif::sarif`]), all
//! from one [`Report`]. Every flow counted by the replay appears in the counts; unmappable
//! flows are listed one by one with why.

pub mod sarif;

use serde_json::{Value, json as j};

use crate::engine::replay::{Change, Decider, Group, Replay};
use crate::load::source::SourceMap;
use crate::model::ir::{Action, PolicyId, Source};
use crate::model::{Cluster, Direction};
use crate::report::style::Painter;

/// A replay with what its output names: the new cluster (whose policies the reasons name)
/// and its files, and the labels of the inputs.
pub struct Report<'a> {
    /// The outcome.
    pub replay: &'a Replay,
    /// The new cluster.
    pub cluster: &'a Cluster,
    /// Its files.
    pub sources: &'a SourceMap,
    /// The flow files read.
    pub flows_label: String,
    /// The old manifests (None: compared with the recorded verdicts).
    pub old_label: Option<String>,
    /// The new manifests.
    pub new_label: String,
    /// Whether some flow file is a CSV (whose lines carry no verdict: traffic that happens).
    pub csv: bool,
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn policy_name(cluster: &Cluster, policy: PolicyId) -> String {
    let pol = &cluster.ir.policies[policy];
    match pol.source {
        Source::NetworkPolicy(_) | Source::NamespaceIsolation(_) => pol.name.clone(),
        _ => format!("[{}]", pol.label()),
    }
}

fn policy_at(r: &Report, policy: PolicyId) -> Option<String> {
    r.cluster.ir.policies[policy]
        .span
        .map(|s| r.sources.file_line(s))
}

/// A decider in words, with where to look: `ingress: shop/api ingress[0] allows it
/// (shop.yaml:12)`.
fn decider_text(r: &Report, d: &Decider, g: &Group, p: &Painter) -> String {
    let subject = |dir: &Direction| match dir {
        Direction::Egress => &g.src,
        Direction::Ingress => &g.dst,
    };
    let place = |at: Option<String>| {
        at.map(|a| format!(" {}", p.dim(&format!("({a})"))))
            .unwrap_or_default()
    };
    match d {
        Decider::Rule {
            direction,
            policy,
            rule,
            action,
        } => {
            let ru = &r.cluster.ir.policies[*policy].dir(*direction).rules[*rule];
            let verb = if *action == Action::Allow {
                "allows"
            } else {
                "denies"
            };
            format!(
                "{}: {} {} {verb} it{}",
                direction.field(),
                policy_name(r.cluster, *policy),
                ru.label,
                place(Some(r.sources.file_line(ru.span)))
            )
        }
        Decider::End {
            direction,
            isolating,
            ..
        } => {
            let names: Vec<String> = isolating
                .iter()
                .map(|&i| format!("{}{}", policy_name(r.cluster, i), place(policy_at(r, i))))
                .collect();
            let verb = if names.len() == 1 {
                "isolates"
            } else {
                "isolate"
            };
            format!(
                "{}: {} {verb} {} and no rule allows it",
                direction.field(),
                names.join(", "),
                subject(direction)
            )
        }
        Decider::Default { direction } => {
            format!(
                "{}: no policy isolates {}",
                direction.field(),
                subject(direction)
            )
        }
    }
}

fn change_title(c: Change) -> &'static str {
    match c {
        Change::NewlyDenied => "newly denied",
        Change::NewlyAllowed => "newly allowed",
    }
}

/// The first line: what was read and what it was compared with.
fn heading(r: &Report) -> String {
    let x = r.replay;
    let mut skipped = Vec::new();
    if x.replies > 0 {
        skipped.push(plural(x.replies, "reply flow"));
    }
    if x.non_l4 > 0 {
        skipped.push(plural(x.non_l4, "non-L4 flow"));
    }
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!(" ({} skipped)", skipped.join(", "))
    };
    format!(
        "{} from {}{skipped}, {} evaluated",
        plural(x.flows, "flow"),
        r.flows_label,
        plural(x.connections, "distinct connection")
    )
}

fn against(r: &Report) -> String {
    match &r.old_label {
        Some(old) => format!("old manifests {old} → new manifests {}", r.new_label),
        None => format!(
            "the verdicts recorded{} → manifests {}",
            if r.csv {
                " (a CSV line is traffic that happens: allowed)"
            } else {
                ""
            },
            r.new_label
        ),
    }
}

fn groups<'a>(r: &Report<'a>, c: Change) -> Vec<&'a Group> {
    r.replay.groups.iter().filter(|g| g.change == c).collect()
}

/// Renders the replay for people.
pub fn text(r: &Report, p: &Painter) -> String {
    let x = r.replay;
    let mut out = format!("replay: {}\ncompared: {}\n", heading(r), against(r));
    for c in [Change::NewlyDenied, Change::NewlyAllowed] {
        let gs = groups(r, c);
        let n: usize = gs.iter().map(|g| g.flows).sum();
        let title = format!("{}:", change_title(c));
        let title = match (c, n) {
            (_, 0) => p.bold(&title),
            (Change::NewlyDenied, _) => p.bad(&title),
            (Change::NewlyAllowed, _) => p.good(&title),
        };
        if n == 0 {
            out.push_str(&format!("\n{title} none\n"));
            continue;
        }
        out.push_str(&format!(
            "\n{title} {}, {}\n",
            plural(n, "flow"),
            plural(gs.len(), "workload pair")
        ));
        for g in gs {
            out.push_str(&format!(
                "  {} → {}: {}\n",
                g.src,
                g.dst,
                plural(g.flows, "flow")
            ));
            for port in &g.ports {
                let why: Vec<String> = port
                    .because
                    .iter()
                    .map(|d| decider_text(r, d, g, p))
                    .collect();
                out.push_str(&format!(
                    "    {} {} ({}): {}\n",
                    port.protocol,
                    port.port,
                    plural(port.flows, "flow"),
                    if why.is_empty() {
                        "loopback".to_string()
                    } else {
                        why.join("; ")
                    }
                ));
            }
        }
    }
    out.push_str(&format!("\nunchanged: {}\n", plural(x.unchanged, "flow")));
    for (verdict, n) in &x.not_compared {
        out.push_str(&format!(
            "not compared: {} recorded as {verdict} (not a policy's verdict)\n",
            plural(*n, "flow")
        ));
    }
    if !x.unmapped.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            p.warn("unmappable:"),
            plural(x.unmapped.len(), "flow")
        ));
        for u in &x.unmapped {
            out.push_str(&format!("  {}:{}: {}\n", u.file, u.line, u.reason));
        }
    }
    out
}

fn decider_json(r: &Report, d: &Decider) -> Value {
    let policy = |i: PolicyId| {
        j!({
            "name": policy_name(r.cluster, i),
            "kind": r.cluster.ir.policies[i].kind,
            "at": policy_at(r, i),
        })
    };
    match d {
        Decider::Rule {
            direction,
            policy: pol,
            rule,
            action,
        } => {
            let ru = &r.cluster.ir.policies[*pol].dir(*direction).rules[*rule];
            j!({
                "direction": direction.field(),
                "decided_by": "rule",
                "action": action.to_string(),
                "policy": policy(*pol),
                "rule": ru.label,
                "at": r.sources.file_line(ru.span),
            })
        }
        Decider::End {
            direction,
            isolating,
            ..
        } => j!({
            "direction": direction.field(),
            "decided_by": "isolation",
            "action": "Deny",
            "isolated_by": isolating.iter().map(|&i| policy(i)).collect::<Vec<_>>(),
        }),
        Decider::Default { direction } => j!({
            "direction": direction.field(),
            "decided_by": "not_isolated",
            "action": "Allow",
        }),
    }
}

/// The replay as data (`"version": 1`).
pub fn json(r: &Report) -> Value {
    let x = r.replay;
    let group = |g: &Group| {
        j!({
            "source": g.src,
            "destination": g.dst,
            "flows": g.flows,
            "ports": g.ports.iter().map(|p| j!({
                "protocol": p.protocol.as_str(),
                "port": p.port,
                "flows": p.flows,
                "because": p.because.iter().map(|d| decider_json(r, d)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    };
    j!({
        "version": 1,
        "flows_from": r.flows_label,
        "baseline": if r.old_label.is_some() { "old_manifests" } else { "recorded_verdicts" },
        "old": r.old_label,
        "new": r.new_label,
        "counts": {
            "flows": x.flows,
            "reply_flows_skipped": x.replies,
            "non_l4_flows_skipped": x.non_l4,
            "connections": x.connections,
            "newly_denied": x.newly_denied(),
            "newly_allowed": x.newly_allowed(),
            "unchanged": x.unchanged,
            "not_compared": x.not_compared.iter().map(|(_, n)| n).sum::<usize>(),
            "unmappable": x.unmapped.len(),
        },
        "newly_denied": groups(r, Change::NewlyDenied).into_iter().map(group).collect::<Vec<_>>(),
        "newly_allowed": groups(r, Change::NewlyAllowed).into_iter().map(group).collect::<Vec<_>>(),
        "not_compared": x.not_compared.iter().map(|(v, n)| j!({"recorded": v, "flows": n})).collect::<Vec<_>>(),
        "unmappable": x.unmapped.iter().map(|u| j!({"file": u.file, "line": u.line, "reason": u.reason})).collect::<Vec<_>>(),
    })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// A Markdown pull-request comment: counts, then a table per change.
pub fn markdown(r: &Report) -> String {
    let x = r.replay;
    let plain = Painter::new(false);
    let mut out = format!(
        "### Network policy replay: {} newly denied, {} newly allowed\n\n{}; compared: {}.\n\n",
        plural(x.newly_denied(), "flow"),
        plural(x.newly_allowed(), "flow"),
        heading(r),
        against(r)
    );
    for (c, title) in [
        (Change::NewlyDenied, "Newly denied"),
        (Change::NewlyAllowed, "Newly allowed"),
    ] {
        let gs = groups(r, c);
        if gs.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "**{title}**\n\n| From | To | Port | Flows | Because |\n| :-- | :-- | :-- | --: | :-- |\n"
        ));
        for g in gs {
            for port in &g.ports {
                let why: Vec<String> = port
                    .because
                    .iter()
                    .map(|d| decider_text(r, d, g, &plain))
                    .collect();
                out.push_str(&format!(
                    "| `{}` | `{}` | {} {} | {} | {} |\n",
                    g.src,
                    g.dst,
                    port.protocol,
                    port.port,
                    port.flows,
                    cell(&why.join("; "))
                ));
            }
        }
        out.push('\n');
    }
    out.push_str(&format!("Unchanged: {}.\n", plural(x.unchanged, "flow")));
    for (verdict, n) in &x.not_compared {
        out.push_str(&format!(
            "Not compared: {} recorded as {verdict}.\n",
            plural(*n, "flow")
        ));
    }
    if !x.unmapped.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>Unmappable: {}</summary>\n\n",
            plural(x.unmapped.len(), "flow")
        ));
        for u in &x.unmapped {
            out.push_str(&format!("- `{}:{}`: {}\n", u.file, u.line, cell(&u.reason)));
        }
        out.push_str("\n</details>\n");
    }
    out
}

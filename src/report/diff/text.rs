//! The text of `diff`: connections opened (`+`), closed (`-`) and changed (`~`), each with
//! its ports and the changes responsible, then every object that changed and how many
//! connection changes it is named in, then the counts.

use super::{Report, counts_text, delta_text, objects_text};
use crate::engine::diff::{ChangeKind, ConnectionKind};
use crate::report::style::Painter;

/// Renders the diff as text.
pub fn render(r: &Report, p: &Painter) -> String {
    let mut out = String::new();
    for (kind, title, mark) in [
        (ConnectionKind::Opened, "opened", "+"),
        (ConnectionKind::Closed, "closed", "-"),
        (ConnectionKind::Changed, "changed", "~"),
    ] {
        let conns: Vec<_> = r.diff.of_kind(kind).collect();
        if conns.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&p.bold(&format!("{title} ({})", conns.len())));
        out.push('\n');
        for c in conns {
            let mark = match kind {
                ConnectionKind::Opened => p.good(mark),
                ConnectionKind::Closed => p.bad(mark),
                ConnectionKind::Changed => p.warn(mark),
            };
            let ports = match kind {
                ConnectionKind::Opened => c.new.to_string(),
                ConnectionKind::Closed => c.old.to_string(),
                ConnectionKind::Changed => format!("{} → {} ({})", c.old, c.new, delta_text(c)),
            };
            out.push_str(&format!("  {mark} {} → {}: {ports}\n", c.src, c.dst));
            let causes: Vec<String> = r
                .causes(c)
                .map(|ch| {
                    let loc = r
                        .change_location(ch)
                        .map(|l| format!(" {}", p.dim(&format!("({l})"))))
                        .unwrap_or_default();
                    format!("{}{loc}", r.change_text(ch))
                })
                .collect();
            match causes.as_slice() {
                [] => out.push_str("      cause: no change of the input explains it\n"),
                [one] => out.push_str(&format!("      cause: {one}\n")),
                many => {
                    out.push_str("      cause: several changes\n");
                    for c in many {
                        out.push_str(&format!("        {c}\n"));
                    }
                }
            }
        }
    }
    if !r.diff.changes.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&p.bold(&format!("objects ({})", r.diff.changes.len())));
        out.push('\n');
        for ch in &r.diff.changes {
            let mark = match ch.change {
                ChangeKind::Added => p.good("+"),
                ChangeKind::Removed => p.bad("-"),
                ChangeKind::Edited => p.warn("~"),
            };
            let loc = r
                .change_location(ch)
                .map(|l| format!(" {}", p.dim(&format!("({l})"))))
                .unwrap_or_default();
            let effect = match ch.connections {
                0 => "no effect on reachability".to_string(),
                1 => "1 connection".to_string(),
                n => format!("{n} connections"),
            };
            let details = if ch.details.is_empty() {
                String::new()
            } else {
                format!("{}; ", ch.details.join(", "))
            };
            out.push_str(&format!(
                "  {mark} {} {}{loc}: {details}{effect}\n",
                ch.title(),
                ch.change
            ));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let summary = if r.diff.changes.is_empty() {
        "no change".to_string()
    } else {
        format!("{}; {}", counts_text(r.diff), objects_text(r.diff))
    };
    out.push_str(&format!("{summary} ({} → {})\n", r.old_label, r.new_label));
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, report};
    use super::*;

    #[test]
    fn groups_then_objects_then_counts() {
        let (o, n, d) = demo();
        let out = render(&report(&o, &n, &d), &Painter::new(false));
        let opened = out.find("opened (").unwrap();
        let closed = out.find("closed (").unwrap();
        let objects = out.find("objects (").unwrap();
        assert!(opened < closed && closed < objects, "{out}");
        assert!(out.ends_with("(old → new)\n"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn no_change_says_so() {
        let d = crate::engine::diff::Diff::default();
        let m = crate::load::source::SourceMap::default();
        let out = render(&report(&m, &m, &d), &Painter::new(false));
        assert_eq!(out, "no change (old → new)\n");
    }
}

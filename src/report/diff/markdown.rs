//! `diff -o md`: a pull-request comment. A heading with the counts, a table per group
//! (opened, closed, changed) with the causes (at most [`MAX_ROWS`] rows each, then how many
//! more), and the objects that changed in a collapsed section.

use super::{Report, counts_text, objects_text};
use crate::engine::diff::ConnectionKind;

/// Rows shown per table: a comment stays readable (and under the size a forge accepts).
pub const MAX_ROWS: usize = 100;

/// Renders the diff as GitHub-flavoured Markdown.
pub fn render(r: &Report) -> String {
    let mut out = format!("### Network policy diff: {}\n\n", counts_text(r.diff));
    if r.diff.is_empty() {
        out.push_str(&format!(
            "No connection is opened, closed or changed between {} and {}.\n",
            code(&r.old_label),
            code(&r.new_label)
        ));
    }
    for (kind, title) in [
        (ConnectionKind::Opened, "Opened"),
        (ConnectionKind::Closed, "Closed"),
        (ConnectionKind::Changed, "Changed"),
    ] {
        let conns: Vec<_> = r.diff.of_kind(kind).collect();
        if conns.is_empty() {
            continue;
        }
        out.push_str(&format!("**{title}** ({})\n\n", conns.len()));
        if kind == ConnectionKind::Changed {
            out.push_str(
                "| From | To | Before | After | Cause |\n| :-- | :-- | :-- | :-- | :-- |\n",
            );
        } else {
            out.push_str("| From | To | Ports | Cause |\n| :-- | :-- | :-- | :-- |\n");
        }
        let shown = conns.len().min(MAX_ROWS);
        for c in &conns[..shown] {
            let causes: Vec<String> = r
                .causes(c)
                .map(|ch| {
                    let loc = r
                        .change_location(ch)
                        .map(|l| format!(" ({})", code(&l)))
                        .unwrap_or_default();
                    let details = if ch.details.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", ch.details.join(", "))
                    };
                    format!(
                        "{} {} {}{details}{loc}",
                        ch.object.as_str(),
                        code(&ch.name),
                        ch.change
                    )
                })
                .collect();
            let cause = match causes.len() {
                0 => "no change of the input explains it".to_string(),
                1 => causes[0].clone(),
                _ => format!("several changes: {}", causes.join("; ")),
            };
            let ports: Vec<String> = match kind {
                ConnectionKind::Opened => vec![c.new.to_string()],
                ConnectionKind::Closed => vec![c.old.to_string()],
                ConnectionKind::Changed => vec![c.old.to_string(), c.new.to_string()],
            };
            let mut cells = vec![code(&c.src.id()), code(&c.dst.id())];
            cells.extend(ports);
            cells.push(cause);
            out.push_str(&row(&cells));
        }
        if conns.len() > shown {
            out.push_str(&format!(
                "\n… and {} more (`kubectl netpol diff` lists them all).\n",
                conns.len() - shown
            ));
        }
        out.push('\n');
    }
    if !r.diff.changes.is_empty() {
        out.push_str(&format!(
            "<details><summary>{}</summary>\n\n| Change | Object | Where | What | Connections |\n| :-- | :-- | :-- | :-- | --: |\n",
            objects_text(r.diff)
        ));
        for ch in &r.diff.changes {
            out.push_str(&row(&[
                ch.change.to_string(),
                format!("{} {}", ch.object.as_str(), code(&ch.name)),
                r.change_location(ch).map(|l| code(&l)).unwrap_or_default(),
                ch.details.join(", "),
                ch.connections.to_string(),
            ]));
        }
        out.push_str("\n</details>\n");
    }
    out
}

fn row(cells: &[String]) -> String {
    let mut s = String::from("|");
    for c in cells {
        s.push(' ');
        s.push_str(&escape(c));
        s.push_str(" |");
    }
    s.push('\n');
    s
}

/// Inline code, with backticks in the text kept from closing it.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// Escapes what would end a table cell: pipes and line breaks.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, report};
    use super::*;

    #[test]
    fn every_table_row_has_its_header_s_cells() {
        let (o, n, d) = demo();
        let out = render(&report(&o, &n, &d));
        assert!(out.starts_with("### Network policy diff: "), "{out}");
        let mut width = 0;
        for line in out.lines() {
            if line.starts_with("| From") || line.starts_with("| Change") {
                width = line.matches(" |").count();
            } else if line.starts_with('|') {
                assert_eq!(line.matches(" |").count(), width, "{line}");
            }
        }
        assert!(out.contains("</details>"));
    }

    #[test]
    fn pipes_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(code("a`b"), "`a'b`");
    }
}

//! `-o mermaid`: the allowed connections as a Mermaid flowchart, which GitHub, GitLab and many
//! wikis draw from a ```` ```mermaid ```` block. Like `-o dot`: each namespace is a subgraph
//! of its members, the external ranges are a subgraph of their own (stadium-shaped nodes),
//! and edges carry the allowed ports (with `--port`: the title says which port, and edges
//! carry the resolved port of a named one).
//!
//! Mermaid ids are restricted (letters, digits, `_`; some words are keywords), so node ids
//! are the member names with every other character replaced by `_`, prefixed `n_` (made
//! unique with a suffix should two names collide), subgraph ids `ns_<namespace>`; the names
//! themselves are in quoted labels, where `"`, `#`, `<`, `>`, `&` and backticks are written
//! as Mermaid entity codes.

use std::collections::HashSet;
use std::io::{self, Write};

use super::View;
use crate::model::ports::QueryPort;

/// Mermaid refuses to draw more edges than this unless configured otherwise (`maxEdges`).
pub const MERMAID_MAX_EDGES: usize = 500;

/// Writes the view as a Mermaid flowchart: the nodes, then the edges as they are found.
pub fn write(view: &View, w: &mut dyn Write) -> io::Result<()> {
    let mut out = String::new();
    if let Some(q) = &view.port {
        // A YAML front matter; a JSON string is a YAML double-quoted scalar.
        let title = serde_json::Value::String(format!("allowed on {q}"));
        out.push_str(&format!("---\ntitle: {title}\n---\n"));
    }
    out.push_str("flowchart LR\n");

    let mut ids = Ids::default();
    let (namespaces, externals) = view.grouped_members();
    let mut node = vec![String::new(); view.len()];
    for (ns, members) in &namespaces {
        let sub = ids.make("ns_", ns);
        out.push_str(&format!("  subgraph {sub} [\"{}\"]\n", label(ns)));
        for &m in members {
            let id = view.id(m);
            node[m] = ids.make("n_", id);
            // Inside its namespace's box, a member is named without the namespace.
            let short = id.strip_prefix(&format!("{ns}/")).unwrap_or(id);
            out.push_str(&format!("    {}[\"{}\"]\n", node[m], label(short)));
        }
        out.push_str("  end\n");
    }
    if !externals.is_empty() {
        let sub = ids.make("ext_", "ranges");
        out.push_str(&format!("  subgraph {sub} [\"outside the cluster\"]\n"));
        for &m in &externals {
            node[m] = ids.make("n_", view.id(m));
            out.push_str(&format!("    {}([\"{}\"])\n", node[m], label(view.id(m))));
        }
        out.push_str("  end\n");
        out.push_str(&format!("  style {sub} stroke-dasharray: 5 5\n"));
    }
    let named = matches!(
        view.port.as_ref().map(|q| &q.port),
        Some(QueryPort::Name(_))
    );
    w.write_all(out.as_bytes())?;
    let mut edges = 0;
    for (r, c, cell) in view.connections() {
        edges += 1;
        match cell.allowed_ports() {
            Some(ports) if view.port.is_none() || named => writeln!(
                w,
                "  {} -->|\"{}\"| {}",
                node[r],
                label(&ports.to_string()),
                node[c]
            )?,
            _ => writeln!(w, "  {} --> {}", node[r], node[c])?,
        }
    }
    if edges > MERMAID_MAX_EDGES {
        writeln!(
            w,
            "%% {edges} edges: Mermaid draws at most {MERMAID_MAX_EDGES} unless its maxEdges setting is raised; narrow with --from/--to"
        )?;
    }
    Ok(())
}

/// The number of edges [`render`] draws for a view.
pub fn edge_count(view: &View) -> usize {
    view.connections().count()
}

/// Unique Mermaid ids.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    /// `prefix` + `name` with every character but ASCII letters and digits replaced by `_`,
    /// suffixed `_2`, `_3`... when already taken.
    fn make(&mut self, prefix: &str, name: &str) -> String {
        let base: String = prefix
            .chars()
            .chain(
                name.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
            )
            .collect();
        let mut id = base.clone();
        let mut n = 1;
        while !self.used.insert(id.clone()) {
            n += 1;
            id = format!("{base}_{n}");
        }
        id
    }
}

/// Text for a quoted Mermaid label: what would end the quotes, start an entity, HTML or a
/// Markdown string is written as an entity code; line breaks become spaces.
fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full, rendered};
    use super::*;

    fn render(view: &View) -> String {
        rendered(|w| write(view, w))
    }

    #[test]
    fn labels_escape_what_mermaid_would_read() {
        assert_eq!(
            label("a\"b#c<d>&`e\nf"),
            "a#quot;b#35;c#lt;d#gt;#amp;#96;e f"
        );
        assert_eq!(label("shop/deploy/api"), "shop/deploy/api");
    }

    #[test]
    fn ids_are_safe_and_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.make("n_", "shop/deploy/api"), "n_shop_deploy_api");
        assert_eq!(ids.make("n_", "shop/deploy-api"), "n_shop_deploy_api_2");
        assert_eq!(ids.make("n_", "shop/deploy.api"), "n_shop_deploy_api_3");
        assert_eq!(ids.make("n_", "end"), "n_end");
        assert_eq!(
            ids.make("n_", "0.0.0.0-9.255.255.255"),
            "n_0_0_0_0_9_255_255_255"
        );
        assert_eq!(ids.make("n_", "2001:db8::/32"), "n_2001_db8___32");
        assert_eq!(ids.make("ns_", "é"), "ns__");
    }

    #[test]
    fn namespaces_are_subgraphs_and_edges_carry_ports() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, None));
        assert!(out.starts_with("flowchart LR\n"));
        assert!(
            out.contains("  subgraph ns_shop [\"shop\"]\n    n_shop_deploy_api[\"deploy/api\"]\n")
        );
        assert!(out.contains("  subgraph ext_ranges [\"outside the cluster\"]\n"));
        assert!(out.contains("    n_10_0_0_0_8([\"10.0.0.0/8\"])\n"));
        assert!(out.contains("  n_shop_deploy_frontend -->|\"TCP 8080\"| n_shop_deploy_api\n"));
        assert!(!out.contains("n_shop_deploy_frontend -->|\"TCP 8080\"| n_shop_sts_db"));
        assert_eq!(
            out.matches(" --> ").count() + out.matches(" -->|").count(),
            37
        );
        assert_eq!(edge_count(&full(&cluster, &matrix, None)), 37);
        assert!(!out.contains("%%"));
    }

    #[test]
    fn a_numbered_port_titles_the_chart_not_the_edges() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, Some("5432")));
        assert!(out.starts_with("---\ntitle: \"allowed on TCP 5432\"\n---\nflowchart LR\n"));
        assert!(out.contains("  n_shop_deploy_api --> n_shop_sts_db\n"));
        let out = render(&full(&cluster, &matrix, Some("http")));
        assert!(out.contains("-->|\"TCP 8080\"| n_shop_deploy_frontend\n"));
    }
}

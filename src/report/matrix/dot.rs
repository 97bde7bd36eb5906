//! `-o dot`: the allowed connections as a Graphviz graph (`dot -Tsvg`). Each namespace is a
//! cluster of its members; the external ranges are a cluster of their own. Node ids are the
//! member names (stable across runs, quoted and escaped), edges carry the allowed ports (with
//! `--port`: the resolved port for a named one, else none as every edge is on the asked port).

use std::io::{self, Write};

use super::View;
use crate::model::ports::QueryPort;

/// Writes the view as a Graphviz digraph: the nodes, then one edge per allowed connection
/// as it is found.
pub fn write(view: &View, w: &mut dyn Write) -> io::Result<()> {
    let mut out = String::from("digraph netpol {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12");
    if let Some(q) = &view.port {
        out.push_str(&format!(
            ", label={}, labelloc=t",
            quote(&format!("allowed on {q}"))
        ));
    }
    out.push_str("];\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");

    let (namespaces, externals) = view.grouped_members();
    for (ns, members) in &namespaces {
        out.push_str(&format!(
            "  subgraph {} {{\n",
            quote(&format!("cluster_ns_{ns}"))
        ));
        out.push_str(&format!("    label={};\n", quote(ns)));
        for &m in members {
            let id = view.id(m);
            // Inside its namespace's box, a member is named without the namespace.
            let short = id.strip_prefix(&format!("{ns}/")).unwrap_or(id);
            out.push_str(&format!("    {} [label={}];\n", quote(id), quote(short)));
        }
        out.push_str("  }\n");
    }
    if !externals.is_empty() {
        out.push_str("  subgraph \"cluster_external\" {\n");
        out.push_str("    label=\"outside the cluster\";\n    style=dashed;\n");
        for &m in &externals {
            out.push_str(&format!("    {} [shape=ellipse];\n", quote(view.id(m))));
        }
        out.push_str("  }\n");
    }
    let named = matches!(
        view.port.as_ref().map(|q| &q.port),
        Some(QueryPort::Name(_))
    );
    w.write_all(out.as_bytes())?;
    for (r, c, cell) in view.connections() {
        write!(w, "  {} -> {}", quote(view.id(r)), quote(view.id(c)))?;
        if view.port.is_none() || named {
            if let Some(ports) = cell.allowed_ports() {
                write!(w, " [label={}]", quote(&ports.to_string()))?;
            }
        }
        writeln!(w, ";")?;
    }
    writeln!(w, "}}")
}

/// A DOT quoted string: backslashes and double quotes escaped, line breaks as `\n`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
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
    fn quoting_escapes() {
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quote("shop/deploy/api"), "\"shop/deploy/api\"");
    }

    #[test]
    fn namespaces_are_clusters_and_edges_carry_ports() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, None));
        assert!(out.starts_with("digraph netpol {\n"));
        assert!(out.contains("  subgraph \"cluster_ns_shop\" {\n    label=\"shop\";\n"));
        assert!(out.contains("    \"shop/deploy/api\" [label=\"deploy/api\"];\n"));
        assert!(out.contains("    \"10.0.0.0/8\" [shape=ellipse];\n"));
        assert!(
            out.contains(
                "  \"shop/deploy/frontend\" -> \"shop/deploy/api\" [label=\"TCP 8080\"];\n"
            )
        );
        assert!(!out.contains("\"shop/deploy/frontend\" -> \"shop/sts/db\""));
    }

    #[test]
    fn a_numbered_port_labels_the_graph_not_the_edges() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, Some("5432")));
        assert!(out.contains("label=\"allowed on TCP 5432\""));
        assert!(out.contains("  \"shop/deploy/api\" -> \"shop/sts/db\";\n"));
    }
}

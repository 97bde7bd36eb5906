//! `-o list`: one allowed connection per line, `src => dst : TCP 80` (with `--port`,
//! `src => dst`), rows in matrix order. Denied and blank pairs are left out; for grep and diff.

use super::View;

/// Renders the allowed connections of the view, one per line.
pub fn render(view: &View) -> String {
    let mut out = String::new();
    for (r, c, cell) in view.connections() {
        out.push_str(view.id(r));
        out.push_str(" => ");
        out.push_str(view.id(c));
        if view.port.is_none()
            && let Some(ports) = cell.allowed_ports()
        {
            out.push_str(&format!(" : {ports}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full};
    use super::*;

    #[test]
    fn one_line_per_allowed_connection() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, None));
        assert!(out.contains("shop/deploy/frontend => shop/deploy/api : TCP 8080\n"));
        assert!(out.contains("shop/deploy/api => kube-system/deploy/coredns : TCP 53; UDP 53\n"));
        assert!(!out.contains("shop/deploy/frontend => shop/sts/db"));
        // External to external is not a connection of the cluster.
        assert!(!out.contains("10.0.0.0/8 => 0.0.0.0"));
    }

    #[test]
    fn with_a_port_only_the_pairs() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, Some("5432")));
        // Of the shop, only the api may open 5432, and only towards the db.
        let shop: Vec<&str> = out.lines().filter(|l| l.starts_with("shop/")).collect();
        assert_eq!(shop, ["shop/deploy/api => shop/sts/db"]);
        assert!(out.contains("0.0.0.0-9.255.255.255 => monitoring/deploy/prometheus\n"));
    }
}

//! `-o list`: one allowed connection per line, `src => dst : TCP 80` (with `--port`,
//! `src => dst`), rows in matrix order. Denied and blank pairs are left out; for grep and diff.

use std::io::{self, Write};

use super::View;

/// Writes the allowed connections of the view, one per line.
pub fn write(view: &View, out: &mut dyn Write) -> io::Result<()> {
    if view.port.is_none() {
        // Each distinct port set formatted once; rows on every core, in order.
        let ports: Vec<Option<String>> = view
            .matrix
            .sets()
            .iter()
            .map(|set| (!set.is_empty()).then(|| format!(" : {set}\n")))
            .collect();
        return super::write_rows_plain(view, out, |ids, r, text| {
            for (&c, &id) in view.cols.iter().zip(ids) {
                // Blank pairs and denied ones (no ports) are left out.
                let Some(Some(ports)) = ports.get(id as usize) else {
                    continue;
                };
                text.extend_from_slice(view.id(r).as_bytes());
                text.extend_from_slice(b" => ");
                text.extend_from_slice(view.id(c).as_bytes());
                text.extend_from_slice(ports.as_bytes());
            }
        });
    }
    for &r in &view.rows {
        for &c in &view.cols {
            if view.cell(r, c).is_allowed() {
                writeln!(out, "{} => {}", view.id(r), view.id(c))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::View;
    use super::super::tests::{demo, full, rendered};
    use super::*;

    fn render(view: &View) -> String {
        rendered(|w| write(view, w))
    }

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

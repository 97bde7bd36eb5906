//! `-o list`: one allowed connection per line, `src => dst : TCP 80` (with `--port`,
//! `src => dst`), rows in matrix order. Denied and blank pairs are left out; for grep and diff.

use std::io::{self, Write};

use super::View;

/// Writes the allowed connections of the view, one per line.
pub fn write(view: &View, out: &mut dyn Write) -> io::Result<()> {
    // Without --port, each distinct port set is formatted once.
    let mut ports: Vec<Option<Option<String>>> = vec![None; view.matrix.set_count()];
    for &r in &view.rows {
        for &c in &view.cols {
            let text = if view.port.is_none() {
                let Some(id) = view.set_id(r, c) else {
                    continue;
                };
                let text = ports[id as usize].get_or_insert_with(|| {
                    let set = view.matrix.set(id);
                    (!set.is_empty()).then(|| format!(" : {set}"))
                });
                match text {
                    Some(t) => t.as_str(),
                    None => continue,
                }
            } else if view.cell(r, c).is_allowed() {
                ""
            } else {
                continue;
            };
            writeln!(out, "{} => {}{text}", view.id(r), view.id(c))?;
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

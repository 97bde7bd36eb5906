//! `-o csv`: the grid as CSV for spreadsheets (RFC 4180 quoting, lines end in LF). The first row names the columns, the
//! first column the rows (full names, no numbering). A cell holds the allowed ports (`none`
//! when denied; `allow`/`deny` with `--port`), empty for two external ranges.

use std::io::{self, Write};

use super::{BLANK, Cell, View};

/// Writes the view as CSV, a row at a time.
pub fn write(view: &View, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = std::iter::once("from \\ to".to_string())
        .chain(view.cols.iter().map(|&c| view.id(c).to_string()))
        .collect();
    write_record(out, &header)?;
    if view.port.is_none() {
        // Each distinct set's field once; rows formatted on every core, in order.
        let fields: Vec<String> = view
            .matrix
            .sets()
            .iter()
            .map(|set| quote(&set.to_string()))
            .collect();
        return super::write_rows_plain(view, out, |ids, r, text| {
            text.extend_from_slice(quote(view.id(r)).as_bytes());
            for &id in ids {
                text.push(b',');
                if id != BLANK {
                    text.extend_from_slice(fields[id as usize].as_bytes());
                }
            }
            text.push(b'\n');
        });
    }
    let mut record = Vec::with_capacity(view.cols.len() + 1);
    for &r in &view.rows {
        record.clear();
        record.push(view.id(r).to_string());
        for &c in &view.cols {
            record.push(match view.cell(r, c) {
                Cell::Blank => String::new(),
                Cell::Ports(set) => set.to_string(),
                Cell::Port { allowed: true, .. } => "allow".into(),
                Cell::Port { .. } => "deny".into(),
            });
        }
        write_record(out, &record)?;
    }
    Ok(())
}

fn write_record(out: &mut dyn Write, fields: &[String]) -> io::Result<()> {
    let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    writeln!(out, "{}", quoted.join(","))
}

/// Quotes a field when it holds a comma, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full, rendered};
    use super::*;

    fn render(view: &View) -> String {
        rendered(|w| write(view, w))
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(quote("TCP 80,443"), "\"TCP 80,443\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote("TCP 53; UDP 53"), "TCP 53; UDP 53");
    }

    #[test]
    fn a_grid_with_full_names() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, None));
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines.len(), 12, "{out}"); // header, 10 rows, and the final empty piece
        assert!(lines[0].starts_with("from \\ to,ingress-nginx/deploy/controller,"));
        assert!(lines[9].ends_with(",,,"), "{}", lines[9]); // 10.0.0.0/8: blank towards the external ranges
        let fe: Vec<&str> = lines[6].split(',').collect();
        assert_eq!(fe[0], "shop/deploy/frontend");
        assert_eq!(fe[4], "TCP 8080"); // to shop/deploy/api
        assert_eq!(fe[5], "none"); // to shop/sts/db

        let out = render(&full(&cluster, &matrix, Some("5432")));
        assert!(out.contains("\nshop/deploy/api,deny,deny,deny,deny,allow,"));
    }
}

//! `-o md`: the grid as a GitHub-flavoured Markdown table, for pull requests and wikis. Laid
//! out like `-o table`: numbered columns, rows with their number and full name, columns that
//! are not rows named in a list below, then the key.

use std::io::{self, Write};

use super::View;

/// Writes the view as Markdown, a row at a time.
pub fn write(view: &View, w: &mut dyn Write) -> io::Result<()> {
    if view.rows.is_empty() || view.cols.is_empty() {
        return writeln!(
            w,
            "_No pairs to show: the filters leave no source or no destination._"
        );
    }
    let mut out = String::new();
    let header: Vec<String> = std::iter::once("from \\ to".to_string())
        .chain(
            view.cols
                .iter()
                .map(|&c| view.col_number(c).unwrap_or_default().to_string()),
        )
        .collect();
    push_row(&mut out, &header);
    let rule: Vec<String> = std::iter::once(":--".to_string())
        .chain(view.cols.iter().map(|_| ":-:".to_string()))
        .collect();
    push_row(&mut out, &rule);
    w.write_all(out.as_bytes())?;
    out.clear();
    let label = |r: usize| match view.col_number(r) {
        Some(n) => format!("{n} `{}`", view.id(r)),
        None => format!("`{}`", view.id(r)),
    };
    if view.port.is_none() {
        // Each distinct set's cell once (as push_row writes it); rows formatted on every
        // core, in order.
        let cell = |cell: super::Cell| format!(" {} |", escape(&cell.grid_text()));
        let blank = cell(super::Cell::Blank);
        let cells: Vec<String> = view
            .matrix
            .sets()
            .iter()
            .map(|set| cell(super::Cell::Ports(set)))
            .collect();
        super::write_rows_plain(view, w, |ids, r, text| {
            text.extend_from_slice(format!("| {} |", escape(&label(r))).as_bytes());
            for &id in ids {
                // A blank pair's id ([`super::BLANK`]) is no set's.
                let cell = cells.get(id as usize).unwrap_or(&blank);
                text.extend_from_slice(cell.as_bytes());
            }
            text.push(b'\n');
        })?;
    }
    for &r in view.rows.iter().filter(|_| view.port.is_some()) {
        let row: Vec<String> = std::iter::once(label(r))
            .chain(view.cols.iter().map(|&c| view.cell(r, c).grid_text()))
            .collect();
        push_row(&mut out, &row);
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    out.push('\n');
    let unlabelled = view.unlabelled_cols();
    if !unlabelled.is_empty() {
        out.push_str("Columns:\n\n");
        for c in unlabelled {
            let n = view.col_number(c).unwrap_or_default();
            out.push_str(&format!("- {n}: `{}`\n", view.id(c)));
        }
        out.push('\n');
    }
    out.push_str(&escape(&view.key()));
    out.push('\n');
    w.write_all(out.as_bytes())
}

fn push_row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(&escape(c));
        out.push_str(" |");
    }
    out.push('\n');
}

/// Escapes what would end a table cell or start markup: pipes, and line breaks.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full, rendered};
    use super::*;

    fn render(view: &View) -> String {
        rendered(|w| write(view, w))
    }

    #[test]
    fn a_table_github_renders() {
        let (cluster, matrix) = demo();
        let out = render(&full(&cluster, &matrix, None));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "| from \\ to | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 |"
        );
        assert_eq!(
            lines[1],
            "| :-- | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: |"
        );
        assert!(
            lines[7].starts_with("| 6 `shop/deploy/frontend` | · | TCP,UDP 53 |"),
            "{}",
            lines[7]
        );
        // Every row has as many cells as the header.
        let bars = |l: &str| l.matches(" |").count();
        assert!(lines[..12].iter().all(|l| bars(l) == bars(lines[0])));
        assert!(out.ends_with("pairs allowed\n"));
    }

    #[test]
    fn pipes_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
    }
}

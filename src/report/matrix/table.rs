//! `-o table`: the grid for a terminal. Columns are numbered, rows carry the number of their
//! column and the full name, so the table stays narrow however long the names are; columns
//! that are not rows are named below the table. Cells are compact ([`super::compact`]).

use comfy_table::{Attribute, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{Cell, View};
use crate::report::style::Painter;

/// Renders the view as a table, with its legend and key below.
pub fn render(view: &View, p: &Painter) -> String {
    if view.rows.is_empty() || view.cols.is_empty() {
        return "no pairs to show: the filters leave no source or no destination\n".into();
    }
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if p.color {
        table.enforce_styling();
    }
    let styled = |cell: comfy_table::Cell, color: Option<Color>, attr: Option<Attribute>| {
        let mut cell = cell;
        if p.color {
            if let Some(c) = color {
                cell = cell.fg(c);
            }
            if let Some(a) = attr {
                cell = cell.add_attribute(a);
            }
        }
        cell
    };
    let mut header = vec![styled(
        comfy_table::Cell::new("from \\ to"),
        None,
        Some(Attribute::Bold),
    )];
    header.extend(view.cols.iter().map(|&c| {
        styled(
            comfy_table::Cell::new(view.col_number(c).unwrap_or_default())
                .set_alignment(CellAlignment::Center),
            None,
            Some(Attribute::Bold),
        )
    }));
    table.set_header(header);
    for &r in &view.rows {
        let mut row = vec![comfy_table::Cell::new(view.row_label(r))];
        for &c in &view.cols {
            let cell = view.cell(r, c);
            let text =
                comfy_table::Cell::new(cell.grid_text()).set_alignment(CellAlignment::Center);
            row.push(match cell {
                Cell::Blank => text,
                _ if cell.is_allowed() => styled(text, Some(Color::Green), None),
                _ => styled(text, None, Some(Attribute::Dim)),
            });
        }
        table.add_row(row);
    }
    let mut out = table.to_string();
    out.push('\n');
    let unlabelled = view.unlabelled_cols();
    if !unlabelled.is_empty() {
        let width = view.cols.len().to_string().len();
        out.push_str("columns:\n");
        for c in unlabelled {
            let n = view.col_number(c).unwrap_or_default();
            out.push_str(&format!("  {n:>width$}  {}\n", view.id(c)));
        }
    }
    out.push_str(&p.dim(&view.key()));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full};
    use super::*;
    use crate::report::matrix::View;

    #[test]
    fn numbers_columns_and_names_rows() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        let out = render(&v, &Painter::new(false));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].contains("from \\ to"), "{out}");
        assert!(lines[1].contains(" 10 "), "{out}");
        let fe = lines
            .iter()
            .find(|l| l.contains("shop/deploy/frontend"))
            .unwrap();
        assert!(fe.contains("TCP 8080") && fe.contains("TCP,UDP 53"), "{fe}");
        assert!(!out.contains('\x1b'));
        assert!(out.ends_with("pairs allowed\n"), "{out}");
    }

    #[test]
    fn columns_that_are_not_rows_get_a_legend() {
        let (cluster, matrix) = demo();
        let v = View::new(&cluster, &matrix, vec![5], vec![1, 8], None);
        let out = render(&v, &Painter::new(false));
        assert!(
            out.contains("columns:\n  1  kube-system/deploy/coredns\n  2  10.0.0.0/8\n"),
            "{out}"
        );
        assert!(out.contains("1 of 2 pairs allowed"), "{out}");
        assert!(out.contains("│ shop/deploy/frontend ┆"), "{out}");
    }

    #[test]
    fn colour_only_through_the_painter() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        assert!(render(&v, &Painter::new(true)).contains('\x1b'));
    }

    #[test]
    fn an_empty_view_says_so() {
        let (cluster, matrix) = demo();
        let v = View::new(&cluster, &matrix, vec![], vec![0], None);
        assert!(render(&v, &Painter::new(false)).starts_with("no pairs"));
    }
}

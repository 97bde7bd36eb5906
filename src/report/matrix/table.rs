//! `-o table`: the grid for a terminal. Columns are numbered, rows carry the number of their
//! column and the full name, so the table stays narrow however long the names are; columns
//! that are not rows are named below the table. Cells are compact ([`super::compact`]).
//!
//! Written row by row in two passes (widths, then lines), so memory does not grow with the
//! table. A grid wider than the terminal is unreadable once it wraps: [`fits`] says whether
//! it fits, and [`write_by_source`] is the form that always does (one source per block, its
//! allowed destinations below it).

use std::io::{self, Write};

use super::{Cell, View};
use crate::report::style::Painter;

/// The header of the first column.
const CORNER: &str = "from \\ to";

/// Display width of a cell's text (every character we print is one column wide).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// The widths of the grid's columns: the row labels, then each destination.
fn widths(view: &View) -> Vec<usize> {
    let mut w = vec![width(CORNER)];
    w.extend(
        view.cols
            .iter()
            .map(|&c| width(&view.col_number(c).unwrap_or_default().to_string())),
    );
    for &r in &view.rows {
        w[0] = w[0].max(width(&view.row_label(r)));
        for (i, &c) in view.cols.iter().enumerate() {
            w[i + 1] = w[i + 1].max(width(&view.cell(r, c).grid_text()));
        }
    }
    w
}

/// The width of the whole grid in columns of the terminal (borders included).
pub fn grid_width(view: &View) -> usize {
    // Each column: its text, a space either side, and one border; plus the closing border.
    widths(view).iter().map(|w| w + 3).sum::<usize>() + 1
}

/// Whether the grid fits in `columns` (0: any width fits).
pub fn fits(view: &View, columns: usize) -> bool {
    columns == 0 || grid_width(view) <= columns
}

/// `text` centred in `w` columns (the extra space on the left, as comfy-table did).
fn centred(text: &str, w: usize) -> (usize, usize) {
    let gap = w.saturating_sub(width(text));
    let left = gap.div_ceil(2);
    (left, gap - left)
}

/// Writes the view as a grid, with its legend and key below.
pub fn write(view: &View, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    if view.rows.is_empty() || view.cols.is_empty() {
        return writeln!(
            out,
            "no pairs to show: the filters leave no source or no destination"
        );
    }
    let w = widths(view);
    let rule = |left: &str, fill: &str, mid: &str, right: &str| {
        let parts: Vec<String> = w.iter().map(|n| fill.repeat(n + 2)).collect();
        format!("{left}{}{right}\n", parts.join(mid))
    };
    out.write_all(rule("┌", "─", "┬", "┐").as_bytes())?;
    let mut line = String::new();
    line.push_str(&format!("│ {} ", p.bold(&pad_right(CORNER, w[0]))));
    for (i, &c) in view.cols.iter().enumerate() {
        let n = view.col_number(c).unwrap_or_default().to_string();
        let (l, r) = centred(&n, w[i + 1]);
        line.push_str(&format!(
            "┆ {}{}{} ",
            " ".repeat(l),
            p.bold(&n),
            " ".repeat(r)
        ));
    }
    line.push_str("│\n");
    out.write_all(line.as_bytes())?;
    out.write_all(rule("╞", "═", "╪", "╡").as_bytes())?;
    for &r in &view.rows {
        line.clear();
        line.push_str(&format!("│ {} ", pad_right(&view.row_label(r), w[0])));
        for (i, &c) in view.cols.iter().enumerate() {
            let cell = view.cell(r, c);
            let text = cell.grid_text();
            let (l, rt) = centred(&text, w[i + 1]);
            let painted = match cell {
                Cell::Blank => text,
                _ if cell.is_allowed() => p.good(&text),
                _ => p.dim(&text),
            };
            line.push_str(&format!("┆ {}{painted}{} ", " ".repeat(l), " ".repeat(rt)));
        }
        line.push_str("│\n");
        out.write_all(line.as_bytes())?;
    }
    out.write_all(rule("└", "─", "┴", "┘").as_bytes())?;
    let unlabelled = view.unlabelled_cols();
    if !unlabelled.is_empty() {
        let width = view.cols.len().to_string().len();
        writeln!(out, "columns:")?;
        for c in unlabelled {
            let n = view.col_number(c).unwrap_or_default();
            writeln!(out, "  {n:>width$}  {}", view.id(c))?;
        }
    }
    writeln!(out, "{}", p.dim(&view.key()))
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The form that fits any terminal: each source, then the destinations it may reach with
/// their ports (or every destination it may not, when that list is shorter), then the key.
pub fn write_by_source(view: &View, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    for &r in &view.rows {
        let cells: Vec<(usize, Cell)> = view
            .cols
            .iter()
            .map(|&c| (c, view.cell(r, c)))
            .filter(|(_, cell)| *cell != Cell::Blank)
            .collect();
        let allowed = cells.iter().filter(|(_, c)| c.is_allowed()).count();
        writeln!(out, "{}", p.bold(view.id(r)))?;
        if allowed == 0 {
            writeln!(out, "  {}", p.dim("reaches none of the destinations"))?;
            continue;
        }
        if allowed == cells.len() {
            writeln!(out, "  reaches every destination:")?;
        }
        for (c, cell) in &cells {
            if cell.is_allowed() {
                writeln!(out, "  → {}  {}", view.id(*c), p.good(&cell.grid_text()))?;
            }
        }
        let denied = cells.len() - allowed;
        if denied > 0 {
            writeln!(
                out,
                "  {}",
                p.dim(&format!(
                    "denied towards the {denied} other destination{}",
                    if denied == 1 { "" } else { "s" }
                ))
            )?;
        }
    }
    writeln!(out, "{}", p.dim(&view.key()))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full, rendered};
    use super::*;
    use crate::report::matrix::View;

    fn render(view: &View, p: &Painter) -> String {
        rendered(|w| write(view, p, w))
    }

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
        // Every line of the grid is as wide as the grid says.
        let grid = grid_width(&v);
        assert!(lines[..13].iter().all(|l| width(l) == grid), "{out}");
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
        // Colour does not change the layout.
        let strip = |s: String| {
            let mut out = String::new();
            let mut esc = false;
            for ch in s.chars() {
                match ch {
                    '\x1b' => esc = true,
                    'm' if esc => esc = false,
                    _ if esc => {}
                    c => out.push(c),
                }
            }
            out
        };
        assert_eq!(
            strip(render(&v, &Painter::new(true))),
            render(&v, &Painter::new(false))
        );
    }

    #[test]
    fn an_empty_view_says_so() {
        let (cluster, matrix) = demo();
        let v = View::new(&cluster, &matrix, vec![], vec![0], None);
        assert!(render(&v, &Painter::new(false)).starts_with("no pairs"));
    }

    #[test]
    fn the_demo_grid_is_too_wide_for_80_columns_and_the_list_form_fits() {
        let (cluster, matrix) = demo();
        let v = full(&cluster, &matrix, None);
        assert!(!fits(&v, 80));
        assert!(fits(&v, 0) && fits(&v, grid_width(&v)));
        let out = rendered(|w| write_by_source(&v, &Painter::new(false), w));
        assert!(
            out.lines()
                .all(|l| width(l) <= 80 || l.starts_with("cells:")),
            "{out}"
        );
        assert!(
            out.contains("shop/deploy/frontend\n  → kube-system/deploy/coredns  TCP,UDP 53\n  → shop/deploy/api  TCP 8080\n  denied towards the 8 other destinations\n"),
            "{out}"
        );
    }
}

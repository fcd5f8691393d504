//! A `<table>` in two steps: its rows and cells read with their attributes
//! ([`Builder::table`]), then their spans resolved into the grid
//! ([`resolve`]), where overlapping cells, rows too wide or not filled and
//! header cells reaching into the body are found.

use std::ops::Range;

use super::build::Builder;
use super::{Element, Node, MAX_TABLE_CELLS};
use crate::diag::Diagnostic;
use crate::doc::{Align, Cell, Role, Table};

/// A row as written: whether it is kept with the next, and its cells, not
/// yet placed.
struct Row {
    keep: bool,
    cells: Vec<Written>,
}

/// A cell as written, its column not yet known.
struct Written {
    span: Range<usize>,
    colspan: usize,
    rowspan: usize,
    cell: Cell,
}

impl Builder<'_> {
    pub(super) fn table(&self, el: &Element) -> Result<Table, Diagnostic> {
        let weights: Vec<f32> = match el.attr("widths") {
            Some(w) => w
                .split(',')
                .map(|x| {
                    x.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|v| *v > 0.0 && v.is_finite())
                })
                .collect::<Option<Vec<f32>>>()
                .ok_or_else(|| {
                    self.err(el.span.clone(), "widths 应为逗号分隔的正数，例如 3,2,2,2")
                })?,
            None => {
                return Err(self.err(el.span.clone(), "<table> 需要 widths 属性（各列相对宽度）"))
            }
        };
        let ncols = weights.len();
        let sum: f32 = weights.iter().sum();
        let text_width = if self.turned.get() {
            self.style.text_height()
        } else {
            self.style.text_width()
        };
        let widths: Vec<f32> = weights.iter().map(|w| w / sum * text_width).collect();
        let header_rows = match el.attr("header-rows") {
            Some(h) => h
                .parse::<usize>()
                .map_err(|_| self.err(el.span.clone(), "header-rows 应为整数"))?,
            None => 0,
        };
        let mut rows = Vec::new();
        for child in &el.children {
            let tr = match child {
                Node::Text(t, span) if !t.trim().is_empty() => {
                    return Err(self.err(span.clone(), "表格中的文字必须放在 <td> 或 <th> 之内"))
                }
                Node::Text(..) => continue,
                Node::Element(e) if e.name == "tr" => e,
                Node::Element(e) => {
                    return Err(self.err(
                        e.span.clone(),
                        format!("<table> 中只能有 <tr>，而不是 <{}>", e.name),
                    ))
                }
            };
            // Empty rows count against the cap as much as full ones.
            if (rows.len() + 1) * ncols > MAX_TABLE_CELLS {
                return Err(self.err(
                    tr.span.clone(),
                    format!("表格过大：超过 {MAX_TABLE_CELLS} 个单元格"),
                ));
            }
            rows.push(self.row(tr)?);
        }
        let (rows, keep_with_next, cells) = resolve(rows, ncols, header_rows)
            .map_err(|(span, why)| self.err(span.unwrap_or(el.span.clone()), why))?;
        Ok(Table {
            widths,
            header_rows,
            continued: el
                .attr("continued")
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
            rows,
            keep_with_next,
            cells,
        })
    }

    fn row(&self, tr: &Element) -> Result<Row, Diagnostic> {
        self.known_attrs(tr)?;
        let keep = match tr.attr("keep") {
            None => false,
            Some("next") => true,
            Some(other) => {
                return Err(self.err(
                    tr.span.clone(),
                    format!("keep 只能是 next（与下一行排在同一页），而不是 {other}"),
                ))
            }
        };
        let mut cells = Vec::new();
        for c in &tr.children {
            let td = match c {
                Node::Text(t, span) if !t.trim().is_empty() => {
                    return Err(self.err(span.clone(), "表格中的文字必须放在 <td> 或 <th> 之内"))
                }
                Node::Text(..) => continue,
                Node::Element(e) if e.name == "td" || e.name == "th" => e,
                Node::Element(e) => {
                    return Err(self.err(
                        e.span.clone(),
                        format!("<tr> 中只能有 <td>/<th>，而不是 <{}>", e.name),
                    ))
                }
            };
            cells.push(self.cell(td)?);
        }
        Ok(Row { keep, cells })
    }

    fn cell(&self, td: &Element) -> Result<Written, Diagnostic> {
        self.known_attrs(td)?;
        let span_attr = |name: &str| -> Result<usize, Diagnostic> {
            match td.attr(name) {
                None => Ok(1),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| self.err(td.span.clone(), format!("{name} 应为 1–1000 的整数"))),
            }
        };
        let (colspan, rowspan) = (span_attr("colspan")?, span_attr("rowspan")?);
        let shade = match td.attr("shade") {
            None => None,
            Some("") => self.style.shade(),
            Some(hex) => Some(crate::doc::style::parse_hex(hex).ok_or_else(|| {
                self.err(td.span.clone(), "shade 应为 6 位十六进制颜色，例如 C6D9F1")
            })?),
        };
        Ok(Written {
            span: td.span.clone(),
            colspan,
            rowspan,
            cell: Cell {
                row: 0,
                col: 0,
                rowspan,
                colspan,
                role: if td.name == "th" {
                    Role::TableHeader
                } else {
                    Role::Table
                },
                text: self.plain_text(td)?,
                align: self.align(td, Align::Center)?,
                shade,
            },
        })
    }
}

/// What is wrong with a table's shape: where (the cell or row, or the
/// whole table when none) and what.
type Shape = (Option<Range<usize>>, String);

/// Places the cells in the grid, left to right past the slots cells from
/// rows above reach into: the number of rows, whether each is kept with
/// the next, and the cells with their places.
fn resolve(
    written: Vec<Row>,
    ncols: usize,
    header_rows: usize,
) -> Result<(usize, Vec<bool>, Vec<Cell>), Shape> {
    let too_big = |span: &Range<usize>| {
        (
            Some(span.clone()),
            format!("表格过大：超过 {MAX_TABLE_CELLS} 个单元格"),
        )
    };
    let mut occupied: Vec<Vec<bool>> = Vec::new();
    let mut keep_with_next = Vec::new();
    let mut cells = Vec::new();
    for (row, r) in written.into_iter().enumerate() {
        keep_with_next.push(r.keep);
        if occupied.len() <= row {
            occupied.push(vec![false; ncols]);
        }
        let mut col = 0;
        for w in r.cells {
            while col < ncols && occupied[row][col] {
                col += 1;
            }
            let (colspan, rowspan) = (w.colspan, w.rowspan);
            if col + colspan > ncols {
                return Err((
                    Some(w.span),
                    format!(
                        "第 {} 行的单元格超出表格的 {ncols} 列（从第 {} 列起跨 {colspan} 列）",
                        row + 1,
                        col + 1
                    ),
                ));
            }
            if (row + rowspan) * ncols > MAX_TABLE_CELLS {
                return Err(too_big(&w.span));
            }
            while occupied.len() < row + rowspan {
                occupied.push(vec![false; ncols]);
            }
            for (y, line) in occupied.iter_mut().enumerate().skip(row).take(rowspan) {
                for (x, slot) in line.iter_mut().enumerate().skip(col).take(colspan) {
                    if *slot {
                        return Err((
                            Some(w.span),
                            format!(
                                "单元格与上方跨行的单元格重叠（第 {} 行第 {} 列）",
                                y + 1,
                                x + 1
                            ),
                        ));
                    }
                    *slot = true;
                }
            }
            cells.push(Cell { row, col, ..w.cell });
            col += colspan;
        }
    }
    let rows = occupied.len();
    // Rows made only by a rowspan reaching below the last <tr>.
    keep_with_next.resize(rows, false);
    for (r, line) in occupied.iter().enumerate() {
        if let Some(c) = line.iter().position(|o| !o) {
            return Err((
                None,
                format!(
                    "表格第 {} 行第 {} 列没有单元格（每行应填满 {ncols} 列）",
                    r + 1,
                    c + 1
                ),
            ));
        }
    }
    if rows == 0 {
        return Err((None, "表格没有行".into()));
    }
    if header_rows >= rows {
        return Err((None, "header-rows 应少于表格的行数".into()));
    }
    // A header row may not be cut by a cell reaching into the body.
    if let Some(c) = cells
        .iter()
        .find(|c| c.row < header_rows && c.row + c.rowspan > header_rows)
    {
        return Err((None, format!("表头单元格「{}」跨入了表体", c.text)));
    }
    Ok((rows, keep_with_next, cells))
}

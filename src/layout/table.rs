//! Table layout: row heights from wrapped cell text, then rows placed page
//! by page. A row is never split; a table that runs over a page repeats its
//! header rows, and a cell spanning rows on both pages shows its label on
//! each.

use std::ops::Range;

use super::frame::Item;
use super::inline::{self, Unit};
use super::{Flow, FIT};
use crate::diag::Diagnostic;
use crate::doc::{Align, Role, Table};

struct Shaped {
    units: Vec<Unit>,
    lines: Vec<Range<usize>>,
    pitch: f32,
    size: f32,
}

pub(crate) fn layout(flow: &mut Flow<'_>, t: &Table) -> Result<(), Diagnostic> {
    let style = &flow.doc.style;
    let pad = style.table.padding_pt;
    let pad_v = style.table.padding_v_pt;
    let border = style.table.border_pt;
    let mut col_x = vec![flow.left];
    for w in &t.widths {
        col_x.push(col_x.last().expect("non-empty") + w);
    }

    let mut shaped = Vec::with_capacity(t.cells.len());
    for c in &t.cells {
        let inner = (col_x[c.col + c.colspan] - col_x[c.col] - 2.0 * pad).max(1.0);
        let mut units = Vec::new();
        let mut lines = Vec::new();
        // Explicit line breaks in a cell start new lines.
        for part in c.text.split('\n') {
            let start = units.len();
            units.extend(inline::shape(flow.book, style, &[(c.role, part)], 0.0)?);
            for l in inline::break_lines(&units[start..], inner, inner) {
                lines.push(l.start + start..l.end + start);
            }
        }
        shaped.push(Shaped {
            units,
            lines,
            pitch: style.pitch(c.role),
            size: style.role(c.role).size,
        });
    }

    let min_h = style.pitch(Role::Table) + 2.0 * pad_v;
    let mut row_h = vec![min_h; t.rows];
    for (c, s) in t.cells.iter().zip(&shaped) {
        if c.rowspan == 1 {
            let need = s.lines.len() as f32 * s.pitch + 2.0 * pad_v;
            row_h[c.row] = row_h[c.row].max(need);
        }
    }
    let mut spanning: Vec<usize> = (0..t.cells.len())
        .filter(|&i| t.cells[i].rowspan > 1)
        .collect();
    spanning.sort_by_key(|&i| t.cells[i].rowspan);
    for i in spanning {
        let (c, s) = (&t.cells[i], &shaped[i]);
        let need = s.lines.len() as f32 * s.pitch + 2.0 * pad_v;
        let have: f32 = row_h[c.row..c.row + c.rowspan].iter().sum();
        if need > have {
            row_h[c.row + c.rowspan - 1] += need - have;
        }
    }

    let header: Range<usize> = 0..t.header_rows;
    let header_h: f32 = row_h[header.clone()].iter().sum();
    let mut next = t.header_rows;
    let mut first = true;
    while next < t.rows || first {
        // Header and at least the first body row go together.
        let first_body = row_h.get(next).copied().unwrap_or(0.0);
        flow.ensure(header_h + first_body);
        let mut row_y: Vec<Option<f32>> = vec![None; t.rows];
        let mut y = flow.y;
        if first || !header.is_empty() {
            for r in header.clone() {
                row_y[r] = Some(y);
                y += row_h[r];
            }
        }
        let seg_start = next;
        while next < t.rows && (next == seg_start || y + row_h[next] <= flow.bottom + FIT) {
            row_y[next] = Some(y);
            y += row_h[next];
            next += 1;
        }
        let visible = |c: &crate::doc::Cell| -> Option<Range<usize>> {
            if c.row < t.header_rows {
                return Some(c.row..c.row + c.rowspan);
            }
            let start = c.row.max(seg_start);
            let end = (c.row + c.rowspan).min(next);
            (start < end).then_some(start..end)
        };
        let mut borders = Vec::new();
        for (c, s) in t.cells.iter().zip(&shaped) {
            let Some(rows) = visible(c) else { continue };
            let Some(top) = row_y[rows.start] else {
                continue;
            };
            let h: f32 = row_h[rows.clone()].iter().sum();
            let (x0, x1) = (col_x[c.col], col_x[c.col + c.colspan]);
            if let Some(fill) = c.shade {
                flow.push(Item::Rect {
                    x: x0,
                    y: top,
                    w: x1 - x0,
                    h,
                    fill,
                });
            }
            let block = s.lines.len() as f32 * s.pitch;
            let mut ly = top + (h - block) / 2.0;
            let face = flow.book.face_for(&flow.doc.style, c.role);
            let align = match c.align {
                Align::Justify => Align::Left,
                a => a,
            };
            for line in &s.lines {
                let base = flow.baseline(ly, s.pitch, s.size, face);
                for run in inline::place_line(
                    &s.units,
                    line.clone(),
                    x0 + pad,
                    base,
                    x1 - x0 - 2.0 * pad,
                    align,
                    true,
                ) {
                    flow.push(Item::Text(run));
                }
                ly += s.pitch;
            }
            borders.push((x0, top, x1, top + h));
        }
        for (x0, y0, x1, y1) in borders {
            for (a, b, c, d) in [
                (x0, y0, x1, y0),
                (x0, y1, x1, y1),
                (x0, y0, x0, y1),
                (x1, y0, x1, y1),
            ] {
                flow.push(Item::Line {
                    x1: a,
                    y1: b,
                    x2: c,
                    y2: d,
                    width: border,
                });
            }
        }
        flow.y = y;
        first = false;
        if next < t.rows {
            flow.new_page();
        }
    }
    // Text after a table goes back onto the body line grid.
    let pitch = style.page.line_pitch_pt;
    let lines = ((flow.y - flow.top) / pitch - 0.01).ceil();
    flow.y = flow.top + lines * pitch;
    if flow.y > flow.bottom + FIT {
        flow.new_page();
    }
    Ok(())
}

//! Tables: row heights measured from wrapped cell text, then drawn page
//! segment by page segment once pagination has placed the rows. A row is
//! never split; a table that runs over a page repeats its header rows, and
//! a cell spanning rows on both pages shows its text on each where it fits
//! whole (or, when it is too long for one segment, continues it in the
//! next).

use std::ops::Range;

use super::frame::Item;
use super::inline::{self, Unit};
use super::Measure;
use crate::diag::Diagnostic;
use crate::doc::{Align, Role, Table};

struct Shaped {
    units: Vec<Unit>,
    lines: Vec<Range<usize>>,
    pitch: f32,
    size: f32,
}

pub(crate) struct Measured {
    col_x: Vec<f32>,
    shaped: Vec<Shaped>,
    pub row_h: Vec<f32>,
    /// Whether a row is taller than its own cells' text needs (a cell
    /// spanning it and the rows above needs more): only such rows need
    /// a height in the DOCX, where engines disagree on what it includes.
    pub row_stretched: Vec<bool>,
    pub header_h: f32,
}

/// Which rows must stay on the page of the row after them: the template's
/// own marks, plus the header rows and the first body row (a header never
/// stands at a page foot with fewer than two body rows under it), and the
/// last body rows: a continued table shows at least two, and under a
/// repeated header at least three and half the header's height (table 三's
/// header, a third of a page, over two rows looks orphaned). Rows of a
/// group spanned by a merged cell count one by one. Before the signature,
/// the last two rows go with it. The PDF layout and the DOCX writer both
/// follow this, from the row heights the layout measured.
pub fn row_keeps(t: &Table, heights: &[f32], before_signature: bool) -> Vec<bool> {
    let mut keep = t.keep_with_next.clone();
    keep.resize(t.rows, false);
    let body = t.rows - t.header_rows;
    for k in keep.iter_mut().take(t.header_rows) {
        *k = true;
    }
    if body >= 2 {
        keep[t.header_rows] = true;
    }
    if body >= 4 {
        let height = |r: usize| heights.get(r).copied().unwrap_or(0.0);
        let header: f32 = (0..t.header_rows).map(height).sum();
        let (rows, enough) = if t.header_rows > 0 {
            (3, header / 2.0)
        } else {
            (2, 0.0)
        };
        // The first row of the tail that moves together; the first page
        // keeps its header and two body rows whatever the tail wants.
        let mut start = t.rows;
        let mut tail = 0.0;
        while start > t.header_rows + 2 && (t.rows - start < rows || tail < enough) {
            start -= 1;
            tail += height(start);
        }
        for k in &mut keep[start.min(t.rows - 2)..t.rows - 1] {
            *k = true;
        }
    }
    let n = keep.len();
    keep[n - 1] = before_signature;
    if before_signature && n >= 2 {
        keep[n - 2] = true;
    }
    keep
}

pub(crate) fn measure(m: &Measure<'_>, t: &Table) -> Result<Measured, Diagnostic> {
    let style = &m.doc.style;
    let pad = style.table.padding_pt;
    let pad_v = style.table.padding_v_pt;
    let mut col_x = vec![m.left];
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
            units.extend(inline::shape_with(
                &m.shapers,
                m.book,
                style,
                &[(c.role, part)],
                0.0,
            )?);
            for l in inline::break_cell_lines(&units[start..], inner) {
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
    let own = row_h.clone();
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
    let header_h: f32 = row_h[..t.header_rows].iter().sum();

    // A row that cannot fit on a page (under the repeated header) would
    // run off it: refuse it, naming the row and its longest cell.
    for (r, h) in row_h.iter().enumerate() {
        let above = if r < t.header_rows { 0.0 } else { header_h };
        if above + h > m.text_height + super::FIT {
            let cell = t
                .cells
                .iter()
                .filter(|c| c.row <= r && r < c.row + c.rowspan)
                .max_by_key(|c| c.text.chars().count());
            let excerpt: String = cell
                .map(|c| c.text.chars().take(16).collect())
                .unwrap_or_default();
            return Err(Diagnostic::error(format!(
                "表格第 {} 行排不进一页（约 {:.0} 毫米高，一页正文区只有 {:.0} 毫米）：单元格「{excerpt}……」的文字太长",
                r + 1,
                (above + h) / crate::doc::style::MM,
                m.text_height / crate::doc::style::MM
            ))
            .hint("缩短该单元格的文字，或把它分成几行填写"));
        }
    }
    let row_stretched = row_h.iter().zip(&own).map(|(h, o)| h > o).collect();
    Ok(Measured {
        col_x,
        shaped,
        row_h,
        row_stretched,
        header_h,
    })
}

/// In `drawn`: the cell's whole text has been shown in one segment.
const SHOWN: usize = usize::MAX;

/// Draws one page's segment of a table: `row_y` holds the top of every
/// row on this page (header rows included), `body` the body rows placed
/// here. `drawn` counts, per cell, the lines already shown on earlier
/// pages, for text too long to repeat in each segment.
pub(crate) fn draw(
    m: &Measure<'_>,
    t: &Table,
    mt: &Measured,
    row_y: &[Option<f32>],
    body: Range<usize>,
    drawn: &mut [usize],
    items: &mut Vec<Item>,
) {
    let style = &m.doc.style;
    let pad = style.table.padding_pt;
    let pad_v = style.table.padding_v_pt;
    let border = style.table.border_pt;
    let visible = |c: &crate::doc::Cell| -> Option<Range<usize>> {
        if c.row < t.header_rows {
            return Some(c.row..c.row + c.rowspan);
        }
        let start = c.row.max(body.start);
        let end = (c.row + c.rowspan).min(body.end);
        (start < end).then_some(start..end)
    };
    let mut borders = Vec::new();
    for (k, (c, s)) in t.cells.iter().zip(&mt.shaped).enumerate() {
        let Some(rows) = visible(c) else { continue };
        let Some(top) = row_y[rows.start] else {
            continue;
        };
        let h: f32 = mt.row_h[rows.clone()].iter().sum();
        let (x0, x1) = (mt.col_x[c.col], mt.col_x[c.col + c.colspan]);
        if let Some(fill) = c.shade {
            items.push(Item::Rect {
                x: x0,
                y: top,
                w: x1 - x0,
                h,
                fill,
            });
        }
        // All of the text when it fits this segment; otherwise the lines
        // that fit, continuing where the last page stopped. Text shown
        // whole on an earlier page that does not fit here is left out, as
        // Word leaves a merged cell's continuation: its first lines alone
        // (「（六）其」) would read as another label.
        let room = (((h - 2.0 * pad_v) / s.pitch) + 0.01).floor().max(0.0) as usize;
        let lines = if s.lines.len() <= room {
            drawn[k] = SHOWN;
            &s.lines[..]
        } else if drawn[k] == SHOWN {
            &s.lines[..0]
        } else {
            let from = drawn[k];
            let to = (from + room).min(s.lines.len());
            drawn[k] = to;
            &s.lines[from..to]
        };
        let block = lines.len() as f32 * s.pitch;
        let mut ly = top + (h - block) / 2.0;
        let face = m.book.face_for(style, c.role);
        let align = match c.align {
            Align::Justify => Align::Left,
            a => a,
        };
        for line in lines {
            let base = m.baseline(ly, s.pitch, s.size, face);
            items.extend(
                inline::place_line(
                    &s.units,
                    line.clone(),
                    x0 + pad,
                    base,
                    x1 - x0 - 2.0 * pad,
                    align,
                    true,
                )
                .into_iter()
                .map(Item::Text),
            );
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
            items.push(Item::Line {
                x1: a,
                y1: b,
                x2: c,
                y2: d,
                width: border,
                color: [0, 0, 0],
            });
        }
    }
}

/// The text of a cell some of whose lines found no room in the segments
/// it was drawn in, if any.
pub(crate) fn lost_text<'t>(t: &'t Table, mt: &Measured, drawn: &[usize]) -> Option<&'t str> {
    t.cells
        .iter()
        .zip(&mt.shaped)
        .zip(drawn)
        .find(|((_, s), &d)| d > 0 && d != SHOWN && d < s.lines.len())
        .map(|((c, _), _)| c.text.as_str())
}

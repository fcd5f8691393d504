//! Pagination of measured slices.
//!
//! Every block is measured first into [`Slice`]s: lines, table rows, gaps,
//! each with its height and whether a page break may follow it. Only then
//! are slices put on pages. When a slice does not fit, the break goes
//! back to the last slice that allows one, so a heading moves with the
//! table header and rows it is kept with, whatever their real height, and
//! the lines that stay keep their places on the line grid.

use super::frame::Item;
use super::FIT;

/// A measured piece of the flow that is never split.
pub(crate) struct Slice {
    pub height: f32,
    /// No page break may fall between this slice and the next.
    pub keep: bool,
    pub what: What,
}

pub(crate) enum What {
    /// Items positioned relative to the slice's top edge.
    Items(Vec<Item>),
    /// Blank space, dropped at the top of a page.
    Gap,
    /// Row `row` of the document's `table`-th measured table.
    Row { table: usize, row: usize },
    /// Down to the next line of the body grid (after a table).
    Grid,
    /// Down to this distance below the text block's top, if not there yet;
    /// at the top of a page, to it even when above the text block.
    Advance(f32),
    /// Items at fixed places on the page where the flow is (a rule at the
    /// page's foot); they take no room.
    Fixed(Vec<Item>),
    /// An explicit page break; `true`: the pages after it are turned
    /// (横排) up to the next break.
    Break(bool),
}

/// Where pagination put the slices.
pub(crate) struct Placement {
    /// Page and top edge of each slice; `None` for dropped gaps, grid
    /// steps and breaks.
    pub at: Vec<Option<(usize, f32)>>,
    /// Header rows repeated at the top of a page: (table, page, top).
    pub headers: Vec<(usize, usize, f32)>,
    /// Per slice, the page and the space a grid step took under a table.
    pub steps: Vec<Option<(usize, f32)>>,

    pub pages: usize,
    /// Whether each page is turned.
    pub turned: Vec<bool>,
    /// Where the last page's content ends.
    pub end: f32,
}

pub(crate) struct Geometry {
    pub top: f32,
    pub bottom: f32,
    /// The text block's top and bottom on a turned page.
    pub turned: (f32, f32),
    pub line_pitch: f32,
    /// Height of each table's header rows, by table index.
    pub header_h: Vec<f32>,
    /// Header row count of each table.
    pub header_rows: Vec<usize>,
}

impl Geometry {
    /// Whether slice `i` is a body row that continues its table from the
    /// slice before, so that starting a page with it repeats the header.
    fn continues(&self, slices: &[Slice], i: usize) -> Option<usize> {
        let What::Row { table, row } = slices[i].what else {
            return None;
        };
        let prev = i.checked_sub(1).map(|p| &slices[p].what);
        match prev {
            Some(What::Row { table: t, .. })
                if *t == table && row >= self.header_rows[table] && self.header_rows[table] > 0 =>
            {
                Some(table)
            }
            _ => None,
        }
    }
}

pub(crate) fn paginate(slices: &[Slice], g: &Geometry, max_pages: usize) -> Result<Placement, ()> {
    let n = slices.len();
    let mut at: Vec<Option<(usize, f32)>> = vec![None; n];
    let mut headers: Vec<(usize, usize, f32)> = Vec::new();
    let mut steps: Vec<Option<(usize, f32)>> = vec![None; n];
    let mut page = 0;
    let mut turned = vec![false];
    let (mut top, mut bottom) = (g.top, g.bottom);
    let mut y = top;
    // First slice of the current page, and whether anything is on it.
    let mut first = 0;
    let mut filled = false;
    let mut i = 0;
    while i < n {
        let s = &slices[i];
        match s.what {
            What::Break(turn) => {
                page += 1;
                turned.push(turn);
                (top, bottom) = if turn { g.turned } else { (g.top, g.bottom) };
                y = top;
                first = i + 1;
                filled = false;
                i += 1;
                if page >= max_pages {
                    return Err(());
                }
                continue;
            }
            What::Gap if !filled => {
                at[i] = None;
                i += 1;
                continue;
            }
            What::Grid => {
                let lines = ((y - top) / g.line_pitch - 0.01).ceil();
                let to = top + lines * g.line_pitch;
                steps[i] = (to > y + 0.01).then_some((page, to - y));
                y = to;
                at[i] = None;
                i += 1;
                continue;
            }
            What::Advance(to) => {
                // Recorded where it started, so the DOCX can give the
                // same space before the paragraph.
                at[i] = Some((page, y));
                y = if filled { y.max(top + to) } else { top + to };
                i += 1;
                continue;
            }
            What::Fixed(_) => {
                at[i] = Some((page, y));
                i += 1;
                continue;
            }
            _ => {}
        }
        let repeat = if filled { None } else { g.continues(slices, i) };
        let header = repeat.map_or(0.0, |t| g.header_h[t]);
        if filled && y + s.height > bottom + FIT {
            // Back to the last slice after which a break is allowed; a
            // page whose every slice is kept with the next breaks here.
            let b = (first + 1..=i)
                .rev()
                .find(|&b| !slices[b - 1].keep)
                .unwrap_or(i);
            page += 1;
            if page >= max_pages {
                return Err(());
            }
            turned.push(turned[page - 1]);
            // Header rows recorded for the slices that move are dropped.
            headers.retain(|&(_, p, _)| p < page);
            for slot in &mut at[b..=i] {
                *slot = None;
            }
            for slot in &mut steps[b..=i] {
                *slot = None;
            }
            y = top;
            first = b;
            filled = false;
            i = b;
            continue;
        }
        if let Some(t) = repeat {
            headers.push((t, page, y));
            y += header;
        }
        at[i] = Some((page, y));
        y += s.height;
        filled = true;
        i += 1;
    }
    Ok(Placement {
        at,
        headers,
        steps,
        pages: page + 1,
        turned,
        end: y,
    })
}

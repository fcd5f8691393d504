//! Layout: the document model → pages of positioned items ([`frame`]).
//!
//! Steps: every block is measured first ([`inline`] shapes and breaks
//! lines, [`table`] sizes rows) into slices that know their height and
//! which must stay together; [`flow`] then puts them on pages; last, the
//! slices are drawn where they were placed and page numbers are added.

mod flow;
/// The pages this module makes, under the name the layout's code and
/// its callers have always used.
pub use crate::frame;
pub mod geometry;
pub mod inline;
pub mod table;
mod title;

use std::collections::BTreeMap;

use flow::{Slice, What};
use frame::{Item, Page};
use geometry::Geometry;
use inline::Unit;

use crate::diag::Diagnostic;
use crate::doc::{Align, Block, Document, Paragraph, Role, Run, Table};
use crate::font::{FontBook, Shaper};

/// Vertical tolerance when deciding whether a line still fits.
const FIT: f32 = 0.5;

/// Most pages a document may have; a template that loops over page breaks
/// is stopped here rather than filling the memory.
pub const MAX_PAGES: usize = 2_000;

pub fn layout(doc: &Document, book: &FontBook) -> Result<Vec<Page>, Diagnostic> {
    Ok(lay_out(doc, book)?.pages)
}

/// The pages, and what the DOCX needs to know of them so that Word puts
/// its page breaks where the PDF has them.
#[derive(Debug)]
pub struct Laid {
    pub pages: Vec<Page>,
    /// One per block of the document, in its order: what the layout
    /// decided for it that the DOCX repeats.
    pub blocks: Vec<BlockFacts>,
    /// Where the foot block went: how many pages after the last page of
    /// text (0: on it).
    pub foot: Option<usize>,
    /// The top edge of each block of the foot, from the page's top.
    pub foot_tops: Vec<f32>,
}

/// What the layout decided for one block that the DOCX repeats: line
/// breaks (Word would break a title mid-phrase and a URL only at spaces),
/// spaces, places and a table's row heights.
#[derive(Debug, Default, Clone)]
pub struct BlockFacts {
    /// A title's printed lines.
    pub title: Vec<String>,
    /// Character offsets where a paragraph's line breaks inside an address
    /// (a URL or e-mail address), written as zero-width spaces.
    pub address_breaks: Vec<usize>,
    /// Character offsets of every line break of a paragraph whose lines
    /// end where Word would not end them (a name or a time kept whole, an
    /// ideographic space ending a line), written as line breaks.
    pub line_breaks: Vec<usize>,
    /// Space the layout put above a paragraph placed at a distance from
    /// the text block's top (the 发文机关标志), in points.
    pub space_before: f32,
    /// Space the layout left above the block to bring it back onto the
    /// line grid under a table on the same page, in points.
    pub grid_step: f32,
    /// The block starts a page because the step back onto the line grid
    /// under the table before it left too little room. Word would lay the
    /// block out without that step and keep it on the table's page.
    pub after_step_break: bool,
    /// The block runs on to a later page only where the page before was
    /// full, so Word breaks it where the PDF does without being told to
    /// keep its end with the next block.
    pub breaks_when_full: bool,
    /// A paragraph set flush left, not justified (a list of names).
    pub flush_left: bool,
    /// The size a paragraph set to fit one line was set in.
    pub fitted_size: Option<f32>,
    /// Page and top edge (from the page's top) of the block's first line
    /// or row, where placed.
    pub at: Option<(usize, f32)>,
    /// A rule's page and its first line's centre (from the page's top).
    pub rule_at: Option<(usize, f32)>,
    /// A table's row heights.
    pub row_heights: Vec<f32>,
    /// Rows taller than their own cells' text (see `table::Measured`).
    pub row_stretched: Vec<bool>,
}

pub fn lay_out(doc: &Document, book: &FontBook) -> Result<Laid, Diagnostic> {
    let m = Measure::new(doc, book);
    // Made only for a document with 横排 pages: a Measure makes a shaper
    // for every face. Without them nothing reads it.
    let turned_measure;
    let turned = if doc
        .blocks
        .iter()
        .any(|b| matches!(b, Block::PageBreak { landscape: true }))
    {
        turned_measure = Measure::turned(doc, book);
        &turned_measure
    } else {
        &m
    };
    let mut landscape = false;
    let mut slices = Vec::new();
    let mut tables = Vec::new();
    let mut lines = Vec::with_capacity(doc.blocks.len());
    let mut foot: Option<(Vec<Slice>, bool)> = None;
    let mut foot_starts = Vec::new();
    // Each block's first slice.
    let mut firsts = Vec::with_capacity(doc.blocks.len());
    let run_up = run_up(&doc.blocks);
    for (i, block) in doc.blocks.iter().enumerate() {
        if let Block::Foot { blocks, even } = block {
            if foot.is_some() {
                return Err(Diagnostic::error("文档中只能有一个 <foot>（版记）"));
            }
            let mut inner = Vec::new();
            for (k, b) in blocks.iter().enumerate() {
                foot_starts.push(inner.len());
                m.block(b, blocks.get(k + 1), RunUp::None, &mut inner, &mut tables)?;
            }
            foot = Some((inner, *even));
            lines.push(BlockFacts::default());
            continue;
        }
        firsts.push((i, slices.len()));
        if let Block::PageBreak { landscape: l } = block {
            landscape = *l;
        }
        let m = if landscape { turned } else { &m };
        lines.push(m.block(
            block,
            doc.blocks.get(i + 1),
            run_up[i],
            &mut slices,
            &mut tables,
        )?);
    }
    let geometry = flow::Geometry {
        top: m.top,
        bottom: m.top + m.text_height,
        turned: (turned.top, turned.top + turned.text_height),
        line_pitch: doc.style.page.line_pitch_pt,
        // A repeated header takes its 续表 label's line too.
        header_h: tables
            .iter()
            .map(|(t, mt)| mt.header_h + continued_h(&doc.style, t))
            .collect(),
        header_rows: tables.iter().map(|(t, _)| t.header_rows).collect(),
    };
    let placement = flow::paginate(&slices, &geometry, MAX_PAGES).map_err(|()| {
        Diagnostic::error(format!("文档超过 {MAX_PAGES} 页，不予排印"))
            .hint("检查模板中的循环和分页标记 <pagebreak/>")
    })?;
    for (k, &(block, first)) in firsts.iter().enumerate() {
        if let (Some(s), Some(Some((page, y)))) = (slices.get(first), placement.at.get(first)) {
            if let What::Advance(to) = s.what {
                let top = if placement.turned[*page] {
                    turned.top
                } else {
                    geometry.top
                };
                lines[block].space_before = (top + to - y).max(0.0);
            }
        }
        let end = firsts.get(k + 1).map_or(slices.len(), |&(_, f)| f);
        if let (Some(&(next, next_first)), Some(&Some((page, step)))) =
            (firsts.get(k + 1), placement.steps.get(end.wrapping_sub(1)))
        {
            let next_page = (next_first..slices.len()).find_map(|i| placement.at[i]);
            match next_page {
                Some((p, _)) if p == page => lines[next].grid_step = step,
                Some((p, _)) if p > page => lines[next].after_step_break = true,
                _ => {}
            }
        }
        let placed = (first..end).filter_map(|i| Some((&slices[i], placement.at[i]?)));
        let mut crossings = placed.clone().zip(placed.clone().skip(1)).filter_map(
            |((a, (pa, ya)), (b, (pb, _)))| {
                let bottom = if placement.turned[pa] {
                    geometry.turned.1
                } else {
                    geometry.bottom
                };
                (pb > pa).then_some(ya + a.height + b.height > bottom + FIT)
            },
        );
        lines[block].breaks_when_full =
            crossings.next().is_some_and(|full| full) && crossings.all(|full| full);
        for (s, (page, y)) in placed {
            match &s.what {
                What::Items(items) if !items.is_empty() => {
                    lines[block].at.get_or_insert((page, y));
                    if let Some(Item::Line { y1, .. }) = items.first() {
                        lines[block].rule_at.get_or_insert((page, y + y1));
                    }
                }
                What::Row { .. } => {
                    lines[block].at.get_or_insert((page, y));
                }
                What::Fixed(items) => {
                    if let Some(Item::Line { y1, .. }) = items.first() {
                        lines[block].rule_at.get_or_insert((page, *y1));
                    }
                }
                _ => {}
            }
        }
    }
    let mut pages = m.draw(turned, &slices, &placement, &tables)?;
    let mut numbered = vec![true; pages.len()];
    if let Some(first) = numbered.first_mut() {
        *first = doc.style.page.first_page_number;
    }
    let text_pages = pages.len();
    let mut foot_tops = Vec::new();
    let foot = foot.map(|(foot, even)| {
        let (page, tops) = m.place_foot(&foot, even, &placement, &mut pages, &mut numbered);
        foot_tops = foot_starts.iter().map(|&k| tops[k]).collect();
        page + 1 - text_pages
    });
    page_numbers(doc, book, &mut pages, &numbered)?;
    Ok(Laid {
        pages,
        blocks: lines,
        foot,
        foot_tops,
    })
}

/// What measuring needs: the document, its fonts and the text block.
pub(crate) struct Measure<'a> {
    pub doc: &'a Document,
    pub book: &'a FontBook,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub text_height: f32,
    /// The document's names a title keeps whole.
    pub names: Vec<String>,
    /// A shaper of each face, made once for every run.
    pub shapers: Vec<Shaper<'a>>,
}

type Tables<'d> = Vec<(&'d Table, table::Measured)>;

impl<'a> Measure<'a> {
    fn new(doc: &'a Document, book: &'a FontBook) -> Self {
        let g = Geometry::of(&doc.style);
        Measure {
            doc,
            book,
            left: g.left,
            top: g.top,
            width: g.width,
            text_height: g.height,
            names: document_names(doc),
            shapers: book.faces.iter().map(Shaper::new).collect(),
        }
    }

    /// The text block of a turned (横排) page, in its own axes: the same
    /// rectangle of the sheet, so its left edge is the sheet's foot
    /// margin and its top the sheet's left margin.
    fn turned(doc: &'a Document, book: &'a FontBook) -> Self {
        let g = Geometry::of(&doc.style);
        Measure {
            left: g.page_height - g.top - g.height,
            top: g.left,
            width: g.height,
            text_height: g.width,
            ..Measure::new(doc, book)
        }
    }

    /// Letter spacing for a role, as the style sheet decides it.
    pub fn tracking(&self, role: Role) -> f32 {
        geometry::tracking(&self.doc.style, role)
    }

    /// Baseline of a line of `size` text in a line box of `pitch` at `top`:
    /// the em box centred in the pitch.
    pub fn baseline(&self, top: f32, pitch: f32, size: f32, face: crate::font::FaceId) -> f32 {
        let f = &self.book.faces[face];
        let asc = f.ascender / f.units_per_em;
        let desc = -f.descender / f.units_per_em;
        top + (pitch - (asc + desc) * size) / 2.0 + asc * size
    }

    /// Where the glyphs of such a line start, below its line box's top.
    fn glyph_top(&self, pitch: f32, size: f32, face: crate::font::FaceId) -> f32 {
        let f = &self.book.faces[face];
        self.baseline(0.0, pitch, size, face) - f.ascender / f.units_per_em * size
    }

    fn shape_runs(&self, runs: &[Run]) -> Result<Vec<Unit>, Diagnostic> {
        let mut units = Vec::new();
        for r in runs {
            units.extend(inline::shape_with(
                &self.shapers,
                self.book,
                &self.doc.style,
                &[(r.role, &r.text)],
                self.tracking(r.role),
            )?);
        }
        Ok(units)
    }

    fn block<'d>(
        &self,
        block: &'d Block,
        next: Option<&Block>,
        run_up: RunUp,
        out: &mut Vec<Slice>,
        tables: &mut Tables<'d>,
    ) -> Result<BlockFacts, Diagnostic> {
        let before_signature = run_up == RunUp::Body;
        let start = out.len();
        let mut facts = BlockFacts::default();
        match block {
            Block::Title(lines) => facts.title = self.title(lines, out)?,
            Block::Heading { level, text } => {
                let p = Paragraph::new(
                    vec![Run {
                        role: Role::heading(*level),
                        text: text.clone(),
                    }],
                    Align::Justify,
                    true,
                );
                // A heading stays with what follows it: the first line of
                // a paragraph, or a table's header and first body rows.
                let start = out.len();
                self.paragraph(&p, out)?;
                let keep = next.is_some_and(|n| !matches!(n, Block::PageBreak { .. }));
                for s in &mut out[start..] {
                    s.keep = keep;
                }
            }
            Block::Paragraph(p) => {
                let start = out.len();
                (facts.address_breaks, facts.fitted_size, facts.line_breaks) =
                    self.paragraph(p, out)?;
                facts.flush_left = !name_list(p).is_empty();
                if before_signature {
                    // GB/T 9704 7.3.5: the signature never stands alone on
                    // a page. The paragraph before it is kept with it and
                    // under widow control, as the DOCX asks Word to do: the
                    // last two lines go with the signature, and a first line
                    // is not left alone at the foot of the page before.
                    let lines = &mut out[start..];
                    let n = lines.len();
                    for (i, s) in lines.iter_mut().enumerate() {
                        if i + 2 >= n || (i == 0 && n >= 2) {
                            s.keep = true;
                        }
                    }
                }
            }
            Block::Table(t) => {
                let mt = table::measure(self, t)?;
                let index = tables.len();
                let keeps = table::row_keeps(t, &mt.row_h, before_signature);
                for (row, (&height, &keep)) in mt.row_h.iter().zip(&keeps).enumerate() {
                    out.push(Slice {
                        height,
                        keep,
                        what: What::Row { table: index, row },
                    });
                }
                facts.row_heights = mt.row_h.clone();
                facts.row_stretched = mt.row_stretched.clone();
                tables.push((t, mt));
                out.push(Slice {
                    height: 0.0,
                    keep: before_signature,
                    what: What::Grid,
                });
            }
            Block::PageBreak { landscape } => out.push(Slice {
                height: 0.0,
                keep: false,
                what: What::Break(*landscape),
            }),
            Block::Signature {
                agency,
                date,
                seals,
            } => self.signature(agency, date, seals, out)?,
            Block::Signed { title, date, stamp } => self.signed(title, date, stamp, out)?,
            Block::Rule(r) => {
                let spaced = match next {
                    Some(Block::Paragraph(p)) => p.space.is_some(),
                    Some(Block::Ends { space, .. }) => space.is_some(),
                    _ => false,
                };
                facts.space_before = self.rule(r, !spaced, out)
            }
            Block::Blank(n) => {
                for _ in 0..*n {
                    out.push(Slice {
                        height: self.doc.style.page.line_pitch_pt,
                        keep: true,
                        what: What::Gap,
                    });
                }
            }
            Block::Ends {
                left,
                right,
                inset,
                space,
            } => self.ends(left, right, *inset, *space, out)?,
            Block::Joint(j) => facts.fitted_size = self.joint(j, out)?,
            Block::Image { image, align } => {
                // On whole lines of the grid, the picture centred in them.
                let height = image_height(&self.doc.style, image);
                let x = match align {
                    Align::Left | Align::Justify => self.left,
                    Align::Right => self.left + self.width - image.width,
                    Align::Center => self.left + (self.width - image.width) / 2.0,
                };
                out.push(Slice {
                    height,
                    keep: false,
                    what: What::Items(vec![Item::Image {
                        x,
                        y: (height - image.height) / 2.0,
                        w: image.width,
                        h: image.height,
                        picture: image.picture.clone(),
                    }]),
                });
            }
            Block::Foot { .. } => {}
        }
        if run_up == RunUp::Whole {
            for s in &mut out[start..] {
                s.keep = true;
            }
        }
        Ok(facts)
    }

    /// Width of one character of a role's text, for insets and hanging
    /// indents counted in characters.
    fn char_width(&self, role: Role) -> f32 {
        geometry::char_width(&self.doc.style, role)
    }

    /// A rule below the text above it (the 版头 rule, `below` from the
    /// text's lower edge to its first line's centre), then back onto the
    /// body grid unless `grid` is false (what follows is placed from the
    /// rule); a rule taking its own thickness in the flow (the 版记 rules);
    /// or one fixed to the page's foot (信函格式's lower double line).
    /// Returns the space between the slice above and the rule's top edge.
    fn rule(&self, r: &crate::doc::Rule, grid: bool, out: &mut Vec<Slice>) -> f32 {
        let length = r.length.unwrap_or(self.width).min(self.width * 2.0);
        let x1 = self.left + (self.width - length) / 2.0;
        // Every line of the rule, the first one's centre at `y`.
        let lines = |y: f32| -> Vec<Item> {
            r.lines()
                .into_iter()
                .map(|(width, off)| Item::Line {
                    x1,
                    y1: y + off,
                    x2: x1 + length,
                    y2: y + off,
                    width,
                    color: r.color,
                })
                .collect()
        };
        let extent = r.extent();
        if let Some(from_bottom) = r.page_bottom {
            let y = self.doc.style.page_height() - from_bottom - extent + r.thickness / 2.0;
            out.push(Slice {
                height: 0.0,
                keep: true,
                what: What::Fixed(lines(y)),
            });
            return 0.0;
        }
        match r.below_text {
            Some(gap) => {
                // The lower edge of the text of the slice above, measured
                // up from that slice's bottom.
                let above = out.last().map_or(0.0, |s| match &s.what {
                    What::Items(items) => {
                        let bottom = items
                            .iter()
                            .filter_map(|i| match i {
                                Item::Text(t) => {
                                    let f = &self.book.faces[t.face];
                                    Some(t.y - f.descender / f.units_per_em * t.size)
                                }
                                _ => None,
                            })
                            .fold(f32::MIN, f32::max);
                        if bottom > f32::MIN {
                            s.height - bottom
                        } else {
                            0.0
                        }
                    }
                    _ => 0.0,
                });
                let y = gap - above;
                if let Some(last) = out.last_mut() {
                    last.keep = true;
                }
                out.push(Slice {
                    height: (y - r.thickness / 2.0 + extent).max(0.0),
                    keep: true,
                    what: What::Items(lines(y)),
                });
                if grid {
                    out.push(Slice {
                        height: 0.0,
                        keep: true,
                        what: What::Grid,
                    });
                }
                y - r.thickness / 2.0
            }
            None => {
                out.push(Slice {
                    height: extent,
                    keep: true,
                    what: What::Items(lines(r.thickness / 2.0)),
                });
                0.0
            }
        }
    }

    /// 联合行文's mark laid out by [`joint_geometry`]: one slice per name,
    /// the suffix drawn with the first; returns the size it was set in
    /// when made smaller to fit.
    fn joint(
        &self,
        j: &crate::doc::Joint,
        out: &mut Vec<Slice>,
    ) -> Result<Option<f32>, Diagnostic> {
        let s = &self.doc.style;
        let g = joint_geometry(self.book, s, j)?;
        let pitch = g.pitch;
        let face = self.book.face_for(s, j.role);
        let base = self.baseline(0.0, pitch, g.size, face);
        if let Some(top) = j.top {
            out.push(Slice {
                height: 0.0,
                keep: true,
                what: What::Advance(top - self.glyph_top(pitch, g.size, face)),
            });
        }
        let x = self.left + (self.width - g.width()) / 2.0;
        for (k, units) in g.names.iter().enumerate() {
            let mut items: Vec<Item> = run_items(units, x, base).collect();
            if k == 0 {
                // Centred on the names: its glyphs' box in the middle of
                // theirs.
                let middle = g.names.len() as f32 * pitch / 2.0;
                let (size, sx) = (g.suffix_size, x + g.name_width + g.gap);
                let base = self.baseline(middle - size, 2.0 * size, size, face);
                items.extend(run_items(&g.suffix, sx, base));
            }
            out.push(Slice {
                height: pitch,
                keep: true,
                what: What::Items(items),
            });
        }
        Ok((g.size < s.role(j.role).size).then_some(g.size))
    }

    /// Space down to a line whose glyphs start `space` below the slice
    /// above (`glyph_top`: where they start in their own line box).
    fn space_above(space: Option<f32>, glyph_top: f32, out: &mut Vec<Slice>) {
        if let Some(space) = space {
            out.push(Slice {
                height: (space - glyph_top).max(0.0),
                keep: true,
                what: What::Items(Vec::new()),
            });
        }
    }

    /// One line: `left` from the left edge and `right` ending at the right
    /// edge, each `inset` characters in.
    fn ends(
        &self,
        left: &[Run],
        right: &[Run],
        inset: f32,
        space: Option<f32>,
        out: &mut Vec<Slice>,
    ) -> Result<(), Diagnostic> {
        let s = &self.doc.style;
        let role = left
            .iter()
            .chain(right)
            .next()
            .map_or(Role::Body, |r| r.role);
        let pitch = left
            .iter()
            .chain(right)
            .map(|r| s.pitch(r.role))
            .fold(s.pitch(role), f32::max);
        let size = left
            .iter()
            .chain(right)
            .map(|r| s.role(r.role).size)
            .fold(0.0, f32::max);
        let face = self.book.face_for(s, role);
        let pad = inset * self.char_width(role);
        let base = self.baseline(0.0, pitch, size, face);
        Self::space_above(space, self.glyph_top(pitch, size, face), out);
        let l = self.shape_runs(left)?;
        let r = self.shape_runs(right)?;
        let (lw, rw) = (inline::width(&l), inline::width(&r));
        if lw + rw + size > self.width - 2.0 * pad {
            let excerpt: String = left
                .iter()
                .chain(right)
                .flat_map(|r| r.text.chars())
                .take(16)
                .collect();
            return Err(Diagnostic::error(format!(
                "「{excerpt}……」一行排不下（左右两端的文字太长）"
            ))
            .hint("缩短机关名称或日期"));
        }
        let mut items: Vec<Item> = Vec::new();
        items.extend(run_items(&l, self.left + pad, base));
        items.extend(run_items(&r, self.left + self.width - pad - rw, base));
        out.push(Slice {
            height: pitch,
            keep: true,
            what: What::Items(items),
        });
        Ok(())
    }

    /// Sets the foot's slices at the foot of the last page, the last one on
    /// the text block's lower edge; on a new page when they do not fit, and
    /// on an even page when asked, with a blank page before it if needed
    /// (GB/T 9704 7.4.1, 7.5: neither is numbered then). Returns the page
    /// and each slice's top edge on it.
    fn place_foot(
        &self,
        foot: &[Slice],
        even: bool,
        placement: &flow::Placement,
        pages: &mut Vec<Page>,
        numbered: &mut Vec<bool>,
    ) -> (usize, Vec<f32>) {
        let height: f32 = foot.iter().map(|s| s.height).sum();
        let bottom = self.top + self.text_height;
        let last = pages.len() - 1;
        // Never on a turned page: the 版记 is upright on the last page.
        let fits = placement.end + height <= bottom + FIT && pages[last].turned.is_empty();
        let mut page = if fits { last } else { last + 1 };
        if even && page % 2 == 0 {
            page += 1;
        }
        let s = &self.doc.style;
        while pages.len() <= page {
            pages.push(Page::new(s.page_width(), s.page_height()));
            numbered.push(true);
        }
        if page > last + 1 {
            // A blank page before the 版记's page: neither is numbered.
            for n in &mut numbered[last + 1..] {
                *n = false;
            }
        }
        let mut y = bottom - height;
        let mut tops = Vec::with_capacity(foot.len() + 1);
        for slice in foot {
            tops.push(y);
            if let What::Items(items) = &slice.what {
                pages[page]
                    .items
                    .extend(items.iter().map(|item| frame::translate(item, y)));
            }
            y += slice.height;
        }
        // A block with no slice (an empty paragraph) starts at the end.
        tops.push(y);
        (page, tops)
    }

    /// One line of units as a slice, positioned relative to its top.
    fn line(
        &self,
        units: &[Unit],
        range: std::ops::Range<usize>,
        (x, avail): (f32, f32),
        (pitch, size, face): (f32, f32, crate::font::FaceId),
        (align, last): (Align, bool),
    ) -> Slice {
        let base = self.baseline(0.0, pitch, size, face);
        let items = inline::place_line(units, range, x, base, avail, align, last)
            .into_iter()
            .map(Item::Text)
            .collect();
        Slice {
            height: pitch,
            keep: false,
            what: What::Items(items),
        }
    }

    /// The title's lines as slices; returns their text.
    fn title(&self, lines: &[String], out: &mut Vec<Slice>) -> Result<Vec<String>, Diagnostic> {
        let s = &self.doc.style;
        let pitch = s.pitch(Role::Title);
        let size = s.role(Role::Title).size;
        let face = self.book.face_for(s, Role::Title);
        let mut printed = Vec::new();
        for (units, ranges) in title_lines(self.book, s, lines, &self.names)? {
            for r in ranges {
                let line: String = units[r.clone()].iter().map(|u| u.ch).collect();
                printed.push(line.trim_end_matches('\u{3000}').to_string());
                let mut slice = self.line(
                    &units,
                    r,
                    (self.left, self.width),
                    (pitch, size, face),
                    (Align::Center, true),
                );
                // The title is not split unless it is longer than a page.
                slice.keep = true;
                out.push(slice);
            }
        }
        if let Some(last) = out.last_mut() {
            last.keep = false;
        }
        // One blank line after the title.
        out.push(Slice {
            height: s.page.line_pitch_pt,
            keep: false,
            what: What::Gap,
        });
        Ok(printed)
    }

    /// A paragraph's units, its lines and its first-line indent.
    #[allow(clippy::type_complexity)]
    fn paragraph_lines(
        &self,
        p: &Paragraph,
    ) -> Result<(Vec<Unit>, Vec<std::ops::Range<usize>>, f32, bool, bool), Diagnostic> {
        let s = &self.doc.style;
        let mut units = self.shape_runs(&p.runs)?;
        let char_w = geometry::char_width(s, Role::Body);
        let indent = if p.indent { 2.0 * char_w } else { 0.0 };
        let (inset, hang, left) = self.inset_hang(p);
        let width = self.width - 2.0 * inset - left;
        let natural = inline::width(&units);
        if p.fit && natural > width - indent {
            let k = (width - indent) / natural * 0.999;
            for u in &mut units {
                u.size *= k;
                u.adv *= k;
            }
        }
        let whole = name_list(p);
        let lines = inline::break_lines_keeping(&units, width - indent, width - hang, &whole);
        // Word breaks a name or a time apart; where keeping them whole
        // changed a line end, the DOCX is given every line end.
        let hard = !whole.is_empty() || units.iter().any(|u| matches!(u.ch, '：' | '-'));
        let hard = hard
            && lines != inline::break_lines_as_word(&units, width - indent, width - hang)
            || lines
                .iter()
                .any(|r| r.start > 0 && units[r.start - 1].ch == '\u{3000}');
        Ok((units, lines, indent, hard, !whole.is_empty()))
    }

    /// A paragraph's inset at each side, hanging indent and left indent,
    /// in points.
    fn inset_hang(&self, p: &Paragraph) -> (f32, f32, f32) {
        let role = p.runs.first().map_or(Role::Body, |r| r.role);
        let w = self.char_width(role);
        (p.inset * w, p.hang * w, p.left * w)
    }

    /// The paragraph's lines as slices; returns where they break inside
    /// an address (see [`BlockFacts::address_breaks`]).
    /// Also returns the size a paragraph set to fit was set in.
    #[allow(clippy::type_complexity)]
    fn paragraph(
        &self,
        p: &Paragraph,
        out: &mut Vec<Slice>,
    ) -> Result<(Vec<usize>, Option<f32>, Vec<usize>), Diagnostic> {
        if p.runs.is_empty() {
            return Ok((Vec::new(), None, Vec::new()));
        }
        let s = &self.doc.style;
        let (units, lines, indent, hard, list) = self.paragraph_lines(p)?;
        // A list of names is set flush left: spread, its lines would move
        // the names off the column under the label's colon.
        let align = if list { Align::Left } else { p.align };
        let line_breaks = if hard {
            lines.iter().skip(1).map(|r| r.start).collect()
        } else {
            Vec::new()
        };
        let ascii_pair = |a: &Unit, b: &Unit| a.ch.is_ascii_graphic() && b.ch.is_ascii_graphic();
        let has_address = units
            .windows(2)
            .any(|w| ascii_pair(&w[0], &w[1]) && matches!(w[0].ch, '/' | '.' | '@' | '-'));
        let breaks = lines
            .iter()
            .skip(1)
            .map(|r| r.start)
            .filter(|&i| has_address && i > 0 && ascii_pair(&units[i - 1], &units[i]))
            .collect();
        let pitch = p.runs.iter().map(|r| s.pitch(r.role)).fold(0.0, f32::max);
        let size = units.iter().map(|u| u.size).fold(0.0, f32::max);
        let fitted = (p.fit
            && units
                .first()
                .is_some_and(|u| u.size < s.role(p.runs[0].role).size))
        .then_some(size);
        let face = self.book.face_for(s, p.runs[0].role);
        let glyph_top = self.glyph_top(pitch, size, face);
        if let Some(top) = p.top {
            // Down so that the first line's glyphs start `top` below the
            // text block's top edge.
            out.push(Slice {
                height: 0.0,
                keep: true,
                what: What::Advance(top - glyph_top),
            });
        }
        Self::space_above(p.space, glyph_top, out);
        let (inset, hang, left) = self.inset_hang(p);
        let (left, width) = (self.left + inset + left, self.width - 2.0 * inset - left);
        let n = lines.len();
        for (i, r) in lines.into_iter().enumerate() {
            let (x, avail) = if i == 0 {
                (left + indent, width - indent)
            } else {
                (left + hang, width - hang)
            };
            out.push(self.line(
                &units,
                r,
                (x, avail),
                (pitch, size, face),
                (align, i + 1 == n),
            ));
        }
        Ok((breaks, fitted, line_breaks))
    }

    /// One blank line below the text, then 署名 and 成文日期 placed by
    /// [`signature_geometry`], kept together and with the text above.
    fn signature(
        &self,
        agency: &str,
        date: &str,
        seals: &[crate::doc::Image],
        out: &mut Vec<Slice>,
    ) -> Result<(), Diagnostic> {
        let s = &self.doc.style;
        let pitch = s.page.line_pitch_pt;
        let sizes: Vec<(f32, f32)> = seals.iter().map(|i| (i.width, i.height)).collect();
        let g = signature_geometry(self.book, s, agency, date, &sizes)?;
        let right = self.left + self.width;
        let face = self.book.face_for(s, Role::Body);
        let size = s.role(Role::Body).size;
        if !g.sealed.is_empty() {
            self.sealed_names(&g, seals, out);
        }
        let seal = seals.first();
        for k in 0..g.blank * usize::from(g.sealed.is_empty()) {
            // The seal is drawn first, under the text it presses on; the
            // blank lines under it are not dropped at a page top.
            let what = match (k, seal, g.seal) {
                (0, Some(image), Some(at)) => What::Items(vec![at.item(right, image)]),
                (_, Some(_), _) => What::Items(Vec::new()),
                _ => What::Gap,
            };
            out.push(Slice {
                height: pitch,
                keep: true,
                what,
            });
        }
        for (units, lines, from_right) in [
            (&g.agency, &g.agency_lines, g.agency_right),
            (&g.date, &g.date_lines, g.date_right),
        ] {
            for r in lines {
                let w = inline::width(&units[r.clone()]);
                let mut slice = self.line(
                    units,
                    r.clone(),
                    (right - from_right - w, w),
                    (pitch, size, face),
                    (Align::Left, true),
                );
                slice.keep = true;
                out.push(slice);
            }
        }
        if let Some(last) = out.last_mut() {
            last.keep = false;
        }
        Ok(())
    }

    /// Two blank lines, the 职务 and 签名章 placed by [`signed_geometry`],
    /// one blank line and the date, kept together.
    fn signed(
        &self,
        title: &str,
        date: &str,
        stamp: &crate::doc::Image,
        out: &mut Vec<Slice>,
    ) -> Result<(), Diagnostic> {
        let s = &self.doc.style;
        let pitch = s.page.line_pitch_pt;
        let g = signed_geometry(self.book, s, title, date, stamp)?;
        let right = self.left + self.width;
        let face = self.book.face_for(s, Role::Body);
        let base = self.baseline(0.0, pitch, s.role(Role::Body).size, face);
        let gap = || Slice {
            height: pitch,
            keep: true,
            what: What::Gap,
        };
        out.extend([gap(), gap()]);
        // The stamp is drawn first, under the 职务 should they touch.
        let mut items = vec![g.stamp.item(right, stamp)];
        let w = inline::width(&g.title);
        items.extend(run_items(
            &g.title,
            right - g.title_right - w,
            g.title_top + base,
        ));
        out.push(Slice {
            height: g.lines as f32 * pitch,
            keep: true,
            what: What::Items(items),
        });
        out.push(gap());
        let w = inline::width(&g.date);
        out.push(Slice {
            height: pitch,
            keep: false,
            what: What::Items(run_items(&g.date, right - g.date_right - w, base).collect()),
        });
        Ok(())
    }

    /// The seals and the rows of names of a joint document sealed by each
    /// agency, the seals drawn first, under the names.
    fn sealed_names(
        &self,
        g: &SignatureGeometry,
        seals: &[crate::doc::Image],
        out: &mut Vec<Slice>,
    ) {
        let s = &self.doc.style;
        let pitch = s.page.line_pitch_pt;
        let face = self.book.face_for(s, Role::Body);
        let base = self.baseline(0.0, pitch, s.role(Role::Body).size, face);
        let right = self.left + self.width;
        for k in 0..g.sealed_lines() {
            let mut items = Vec::new();
            if k == 0 {
                items.extend(
                    g.sealed
                        .iter()
                        .zip(seals)
                        .map(|(n, image)| n.seal.item(right, image)),
                );
            }
            if let Some(row) = g.sealed_row(k) {
                for n in g.sealed.iter().filter(|n| n.row == row) {
                    let w = inline::width(&n.units);
                    items.extend(run_items(&n.units, right - n.centre - w / 2.0, base));
                }
            }
            out.push(Slice {
                height: pitch,
                keep: true,
                what: What::Items(items),
            });
        }
    }

    /// A table's 续表 label, on the body line whose top is `y`, at the text
    /// block's left edge.
    fn continued_label(&self, label: &str, y: f32) -> Result<Vec<Item>, Diagnostic> {
        let s = &self.doc.style;
        let track = geometry::tracking(s, Role::Body);
        let units = inline::shape_with(&self.shapers, self.book, s, &[(Role::Body, label)], track)?;
        let face = self.book.face_for(s, Role::Body);
        let base = self.baseline(y, s.page.line_pitch_pt, s.role(Role::Body).size, face);
        Ok(run_items(&units, self.left, base).collect())
    }

    /// Puts the placed slices on pages.
    /// The pages, a turned page's items drawn in its own axes (`turned`'s
    /// text block) and kept as [`Page::turned`].
    fn draw(
        &self,
        turned: &Measure,
        slices: &[Slice],
        placement: &flow::Placement,
        tables: &Tables<'_>,
    ) -> Result<Vec<Page>, Diagnostic> {
        let s = &self.doc.style;
        let mut pages: Vec<Page> = (0..placement.pages)
            .map(|_| Page::new(s.page_width(), s.page_height()))
            .collect();
        // Each table's rows by page: (table, page) → (row, top).
        let mut segments: BTreeMap<(usize, usize), Vec<(usize, f32)>> = BTreeMap::new();
        for (slice, at) in slices.iter().zip(&placement.at) {
            if let (What::Row { table, row }, Some((page, y))) = (&slice.what, at) {
                segments
                    .entry((*table, *page))
                    .or_default()
                    .push((*row, *y));
            }
        }
        for &(table, page, y) in &placement.headers {
            let (t, mt) = &tables[table];
            let mut y = y;
            if let Some(label) = &t.continued {
                let m = if placement.turned[page] { turned } else { self };
                pages[page].items.extend(m.continued_label(label, y)?);
                y += continued_h(s, t);
            }
            let rows = segments.entry((table, page)).or_default();
            for r in 0..t.header_rows {
                rows.push((r, y));
                y += mt.row_h[r];
            }
        }
        let mut drawn: Vec<Vec<usize>> =
            tables.iter().map(|(t, _)| vec![0; t.cells.len()]).collect();
        for (slice, at) in slices.iter().zip(&placement.at) {
            let Some((page, y)) = *at else { continue };
            match &slice.what {
                What::Items(items) => {
                    pages[page]
                        .items
                        .extend(items.iter().map(|item| frame::translate(item, y)));
                }
                What::Row { table, .. } => {
                    // A table's segment is drawn where its first row comes.
                    let Some(rows) = segments.remove(&(*table, page)) else {
                        continue;
                    };
                    let (t, mt) = &tables[*table];
                    let mut row_y = vec![None; t.rows];
                    let mut body: Option<(usize, usize)> = None;
                    for (r, y) in rows {
                        row_y[r] = Some(y);
                        if r >= t.header_rows {
                            body = Some(body.map_or((r, r + 1), |(a, b)| (a.min(r), b.max(r + 1))));
                        }
                    }
                    let (first, end) = body.unwrap_or((t.header_rows, t.header_rows));
                    table::draw(
                        self,
                        t,
                        mt,
                        &row_y,
                        first..end,
                        &mut drawn[*table],
                        &mut pages[page].items,
                    );
                }
                What::Fixed(items) => pages[page].items.extend(items.iter().cloned()),
                What::Gap | What::Grid | What::Break(_) | What::Advance(_) => {}
            }
        }
        for (page, &turn) in pages.iter_mut().zip(&placement.turned) {
            if turn {
                page.turned = std::mem::take(&mut page.items);
            }
        }
        for ((t, mt), d) in tables.iter().zip(&drawn) {
            if let Some(text) = table::lost_text(t, mt, d) {
                let excerpt: String = text.chars().take(16).collect();
                return Err(Diagnostic::error(format!(
                    "表格中跨行的单元格「{excerpt}……」文字太长，分页后排不下"
                ))
                .hint("缩短该单元格的文字"));
            }
        }
        Ok(pages)
    }
}

/// Labels of a list of names (纪要's 出席、请假、列席).
const NAME_LABELS: [&str; 8] = [
    "出席",
    "列席",
    "请假",
    "缺席",
    "出席人员",
    "列席人员",
    "参会人员",
    "参加人员",
];

/// In a list of names after a label (「出席：张某某、李某某」), where no break
/// may go: inside a name, between the marks that part them.
fn name_list(p: &Paragraph) -> Vec<bool> {
    let Some(label) = p.runs.first() else {
        return Vec::new();
    };
    let l = label.text.trim();
    if p.runs.len() < 2 || !NAME_LABELS.iter().any(|n| l.strip_suffix('：') == Some(n)) {
        return Vec::new();
    }
    let text: Vec<char> = text_of(p).chars().collect();
    let mut whole = vec![false; text.len()];
    let from = label.text.chars().count();
    let mut start = from;
    for i in from..=text.len() {
        if i == text.len() || "、，,；;　 ".contains(text[i]) {
            // A name, or a unit and a name (市财政局吴某某); one longer
            // than a line is left to break.
            if i - start <= 12 {
                whole[(start + 1).min(i)..i].fill(true);
            }
            start = i + 1;
        }
    }
    whole
}

/// What a block before the 署名 keeps with it (GB/T 9704 7.3.5: the
/// signature never stands on a page without 正文).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunUp {
    None,
    /// The 正文 before the signature: its last two lines go with it, and a
    /// first line is not left alone at the foot of the page before.
    Body,
    /// The 附件说明 and the blank line above it: all of it goes with the
    /// signature, and so the 正文's last lines with them.
    Whole,
}

/// Each block's [`RunUp`]. The PDF layout and the DOCX writer (keepNext,
/// keepLines, widow control) both keep by it.
pub fn run_up(blocks: &[Block]) -> Vec<RunUp> {
    let mut out = vec![RunUp::None; blocks.len()];
    for (s, b) in blocks.iter().enumerate() {
        if !matches!(b, Block::Signature { .. } | Block::Signed { .. }) || s == 0 {
            continue;
        }
        // Back over the 附件说明's later lines to its 「附件：」.
        let mut k = s;
        let mut note = None;
        while k > 0 {
            match &blocks[k - 1] {
                Block::Paragraph(p) if text_of(p).starts_with("附件：") => {
                    note = Some(k - 1);
                    break;
                }
                Block::Paragraph(p) if p.left > 0.0 => k -= 1,
                _ => break,
            }
        }
        let mut body = s - 1;
        if let Some(first) = note {
            let first = match first.checked_sub(1) {
                Some(b) if matches!(blocks[b], Block::Blank(_)) => b,
                _ => first,
            };
            out[first..s].fill(RunUp::Whole);
            match first.checked_sub(1) {
                Some(b) => body = b,
                None => continue,
            }
        }
        out[body] = RunUp::Body;
    }
    out
}

fn text_of(p: &Paragraph) -> String {
    p.runs.iter().map(|r| r.text.as_str()).collect()
}

/// The title's printed lines: each line the template gave, broken between
/// words when wider than the text block (see [`title`]); `names` are the
/// document's agencies, kept whole. The DOCX writer breaks its title at
/// the same places.
#[allow(clippy::type_complexity)]
pub fn title_lines(
    book: &FontBook,
    style: &crate::doc::StyleSheet,
    lines: &[String],
    names: &[String],
) -> Result<Vec<(Vec<Unit>, Vec<std::ops::Range<usize>>)>, Diagnostic> {
    let width = style.text_width();
    let mut out = Vec::new();
    for line in lines {
        let units = inline::shape(book, style, &[(Role::Title, line)], 0.0)?;
        let ranges = title::break_title(&units, width, names);
        out.push((units, ranges));
    }
    Ok(out)
}

/// The names a title should not be broken inside: the issuing agencies
/// (署名, 联合行文's names, the 发文机关标志 less 「文件」) and the author.
pub fn document_names(doc: &Document) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim();
        if s.chars().count() >= 2 && !names.iter().any(|n| n == s) {
            names.push(s.to_string());
        }
    };
    add(&doc.meta.author);
    let visit = |b: &Block, add: &mut dyn FnMut(&str)| match b {
        Block::Signature { agency, .. } => signature_names(agency).for_each(&mut *add),
        Block::Joint(j) => j.names.iter().for_each(|n| add(n)),
        Block::Paragraph(p) if p.runs.first().is_some_and(|r| r.role == Role::Mark) => {
            let text: String = p.runs.iter().map(|r| r.text.as_str()).collect();
            add(text.trim().trim_end_matches("文件"));
        }
        _ => {}
    };
    for b in &doc.blocks {
        if let Block::Foot { blocks, .. } = b {
            blocks.iter().for_each(|b| visit(b, &mut add));
        } else {
            visit(b, &mut add);
        }
    }
    // Longest first, so that a name inside another does not decide.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
}

/// 署名 and 成文日期 shaped and broken into lines, with their distances
/// from the right edge of the text block; the PDF layout and the DOCX
/// writer both place them by it.
pub struct SignatureGeometry {
    pub agency: Vec<Unit>,
    pub date: Vec<Unit>,
    pub agency_lines: Vec<std::ops::Range<usize>>,
    pub date_lines: Vec<std::ops::Range<usize>>,
    /// Width of the widest line.
    pub agency_width: f32,
    pub date_width: f32,
    pub agency_right: f32,
    pub date_right: f32,
    /// Blank lines between the text above and the agency's first line.
    pub blank: usize,
    /// Where the seal goes: its right edge from the text block's right
    /// edge, and its top edge below the top of the first blank line.
    pub seal: Option<SealPlace>,
    /// A joint document sealed by each agency: the names side by side in
    /// rows, each under its seal (empty otherwise).
    pub sealed: Vec<SealedName>,
    /// Lines from one row of sealed names to the next.
    pub row_lines: usize,
}

/// One agency of a joint document with a seal for each (7.3.5.1).
pub struct SealedName {
    pub units: Vec<Unit>,
    /// Its row, from the top; a row's names share a line.
    pub row: usize,
    /// Its centre's distance from the text block's right edge.
    pub centre: f32,
    pub seal: SealPlace,
}

impl SignatureGeometry {
    /// Lines from the first blank line to the last row of sealed names,
    /// both counted.
    pub fn sealed_lines(&self) -> usize {
        let rows = self.sealed.last().map_or(0, |n| n.row + 1);
        self.blank + rows.saturating_sub(1) * self.row_lines + 1
    }

    /// The row of sealed names on line `k` (counted as in
    /// [`Self::sealed_lines`]), if one is there.
    pub fn sealed_row(&self, k: usize) -> Option<usize> {
        (k >= self.blank && (k - self.blank) % self.row_lines.max(1) == 0)
            .then(|| (k - self.blank) / self.row_lines.max(1))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SealPlace {
    pub right: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl SealPlace {
    /// Its left edge where the text block's right edge is at `edge`: on
    /// the page for the PDF, from the block's left edge for the DOCX.
    pub fn left_of(&self, edge: f32) -> f32 {
        edge - self.right - self.width
    }

    /// The picture drawn here, `right` the text block's right edge.
    fn item(&self, right: f32, image: &crate::doc::Image) -> Item {
        Item::Image {
            x: self.left_of(right),
            y: self.top,
            w: self.width,
            h: self.height,
            picture: image.picture.clone(),
        }
    }
}

/// The agencies of a 署名, one a line (joint documents give several,
/// `\n` between them), the lead agency first.
pub fn signature_names(agency: &str) -> impl Iterator<Item = &str> {
    agency.split('\n').map(str::trim).filter(|n| !n.is_empty())
}

/// GB/T 9704 7.3.5.2 (no seal): one blank line, the agency two characters
/// in from the right, the date starting two characters right of the
/// agency's first character; a longer date sits two characters in and
/// pushes the agency left. Either one longer than the text block less two
/// characters is broken into lines, each ending two characters in. Joint
/// documents (联合行文) give one agency a line (`\n` between them), the
/// lead agency first, the others below it.
///
/// 7.3.5.1 (with a seal, `seals` the widths and heights): the date four
/// characters in, the agency centred over it, the seal centred on the date
/// with its centre on the agency's top edge, so that both lie below the
/// centre; as few blank lines above as keep the seal's top below the
/// glyphs of the text, which puts it within one line of them. A joint
/// document with a seal for each agency gets [`sealed_names`].
pub fn signature_geometry(
    book: &FontBook,
    style: &crate::doc::StyleSheet,
    agency: &str,
    date: &str,
    seals: &[(f32, f32)],
) -> Result<SignatureGeometry, Diagnostic> {
    let seal = seals.first().copied();
    let track = geometry::tracking(style, Role::Body);
    let d = inline::shape(book, style, &[(Role::Body, date)], track)?;
    let ch = geometry::char_width(style, Role::Body);
    let avail = style.text_width() - 2.0 * ch;
    // Lines, the widest line's width and the last line's.
    let wrap = |units: &[Unit]| -> (Vec<std::ops::Range<usize>>, f32, f32) {
        if units.is_empty() {
            return (Vec::new(), 0.0, 0.0);
        }
        let mut lines = inline::break_lines(units, avail, avail);
        // Wrapped lines are balanced: the narrowest measure that needs no
        // more lines, so a long name does not end in a stub of two
        // characters.
        if lines.len() > 1 {
            let mut w = avail;
            while w > ch {
                let narrower = inline::break_lines(units, w - ch, w - ch);
                if narrower.len() > lines.len() {
                    break;
                }
                lines = narrower;
                w -= ch;
            }
        }
        let widths: Vec<f32> = lines
            .iter()
            .map(|r| inline::width(&units[r.clone()]))
            .collect();
        let last = widths.last().copied().unwrap_or(0.0);
        (lines, widths.into_iter().fold(0.0, f32::max), last)
    };
    // Each agency wrapped on its own; the lines follow one another.
    let (mut a, mut al, mut wa, mut wa_last) = (Vec::new(), Vec::new(), 0.0f32, 0.0);
    for name in signature_names(agency) {
        let units = inline::shape(book, style, &[(Role::Body, name)], track)?;
        let (lines, widest, last) = wrap(&units);
        let at = a.len();
        al.extend(lines.into_iter().map(|r| r.start + at..r.end + at));
        a.extend(units);
        wa = wa.max(widest);
        wa_last = last;
    }
    let (dl, wd, _) = wrap(&d);
    let pitch = style.page.line_pitch_pt;
    if seals.len() > 1 {
        let names = signature_names(agency)
            .map(|n| inline::shape(book, style, &[(Role::Body, n)], track))
            .collect::<Result<Vec<_>, _>>()?;
        let (sealed, date_right, blank, row_lines) = sealed_names(style, names, seals, wd);
        // The names are set by row, not as lines of their own.
        return Ok(SignatureGeometry {
            agency: a,
            date: d,
            agency_lines: Vec::new(),
            date_lines: dl,
            agency_width: wa,
            date_width: wd,
            agency_right: date_right,
            date_right,
            blank,
            seal: None,
            sealed,
            row_lines,
        });
    }
    let (agency_right, date_right, blank, place) = match seal {
        Some((w, h)) => {
            let date_right = 4.0 * ch;
            let centre = date_right + wd / 2.0;
            let agency_right = (centre - wa / 2.0).max(0.0).min(style.text_width() - wa);
            // The seal's top may reach into the line box above, not its
            // glyphs.
            let blank = blank_over_seal(style, h);
            let place = SealPlace {
                right: centre - w / 2.0,
                top: blank as f32 * pitch - h / 2.0,
                width: w,
                height: h,
            };
            (agency_right, date_right, blank, Some(place))
        }
        None => {
            let mut agency_right = 2.0 * ch;
            // The date is placed under the agency's last line.
            let mut date_right = agency_right + wa_last - 2.0 * ch - wd;
            if date_right < 2.0 * ch {
                date_right = 2.0 * ch;
                agency_right = (date_right + wd + 2.0 * ch - wa_last).min(style.text_width() - wa);
            }
            (agency_right, date_right, 1, None)
        }
    };
    Ok(SignatureGeometry {
        agency: a,
        date: d,
        agency_lines: al,
        date_lines: dl,
        agency_width: wa,
        date_width: wd,
        agency_right,
        date_right,
        blank,
        seal: place,
        sealed: Vec::new(),
        row_lines: 0,
    })
}

/// The 职务 and 签名章 of GB/T 9704 7.3.5.3 and the date under them,
/// shaped and placed from the text block's right edge; the PDF layout and
/// the DOCX writer both place them by it.
pub struct SignedGeometry {
    pub title: Vec<Unit>,
    pub date: Vec<Unit>,
    /// Whole body lines the stamp stands on, so that the date after them
    /// is back on the grid.
    pub lines: usize,
    /// The stamp: right edge from the text block's right edge, top below
    /// the top of its first line.
    pub stamp: SealPlace,
    /// The 职务's right edge from the text block's right edge, and the top
    /// of its line box below the top of the stamp's first line.
    pub title_right: f32,
    pub title_top: f32,
    pub date_right: f32,
}

/// GB/T 9704 7.3.5.3: the 签名章 four characters in from the right, on
/// as few whole lines as hold it, centred in them, where the name would
/// stand; the 职务 two characters left of it, its line centred on the
/// stamp; the date four characters in on the line after the blank line
/// under the stamp.
pub fn signed_geometry(
    book: &FontBook,
    style: &crate::doc::StyleSheet,
    title: &str,
    date: &str,
    stamp: &crate::doc::Image,
) -> Result<SignedGeometry, Diagnostic> {
    let track = geometry::tracking(style, Role::Body);
    let ch = geometry::char_width(style, Role::Body);
    let pitch = style.page.line_pitch_pt;
    let t = inline::shape(book, style, &[(Role::Body, title)], track)?;
    let d = inline::shape(book, style, &[(Role::Body, date)], track)?;
    let stamp_right = 4.0 * ch;
    let title_right = stamp_right + stamp.width + 2.0 * ch;
    if title_right + inline::width(&t) > style.text_width() + 0.01 {
        return Err(Diagnostic::error(format!(
            "签发人职务「{title}」与 {:.0} 毫米宽的签名章一行排不下",
            stamp.width / crate::doc::style::MM
        ))
        .hint("缩短签发人职务，或把签名章排小一些（stamp_size）"));
    }
    let high = image_height(style, stamp);
    Ok(SignedGeometry {
        title: t,
        date: d,
        lines: (high / pitch).round() as usize,
        stamp: SealPlace {
            right: stamp_right,
            top: (high - stamp.height) / 2.0,
            width: stamp.width,
            height: stamp.height,
        },
        title_right,
        title_top: (high - pitch) / 2.0,
        date_right: 4.0 * ch,
    })
}

/// The fewest blank lines under the text that keep a seal `h` high, its
/// centre on the top of the line after them, below the text's glyphs;
/// its top then lies within one line of them.
fn blank_over_seal(style: &crate::doc::StyleSheet, h: f32) -> usize {
    let pitch = style.page.line_pitch_pt;
    let under_glyphs = (pitch - style.role(Role::Body).size) / 2.0;
    (((h / 2.0 - under_glyphs) / pitch) - 0.001).ceil().max(1.0) as usize
}

/// GB/T 9704 7.3.5.1 for a joint document sealed by every agency: the
/// names side by side in the order of the 版头, lead agency first, in
/// rows of as many as fit the text block (balanced, the last row to the
/// right), each seal centred on its name with its centre on the name's
/// top edge; the seals 3 mm apart at least, the rows as many lines apart
/// as keep them from touching; the date under the last name, centred on
/// it, four characters in when the rows leave room (else as far in as
/// they do), so that the last seal presses on the name and the date.
/// Returns the names, the date's distance from the right, the blank
/// lines above the first row and the lines from row to row.
fn sealed_names(
    style: &crate::doc::StyleSheet,
    names: Vec<Vec<Unit>>,
    seals: &[(f32, f32)],
    date_width: f32,
) -> (Vec<SealedName>, f32, usize, usize) {
    let pitch = style.page.line_pitch_pt;
    let ch = geometry::char_width(style, Role::Body);
    let tw = style.text_width();
    let gap = 3.0 * crate::doc::style::MM;
    let (w, h) = seals
        .iter()
        .fold((0.0f32, 0.0f32), |(w, h), s| (w.max(s.0), h.max(s.1)));
    let widest = names.iter().map(|u| inline::width(u)).fold(0.0, f32::max);
    let cell = w.max(widest);
    let step = (w + gap).max(widest + ch);
    let n = names.len();
    let fit = (((tw - cell) / step).max(0.0) + 0.001).floor() as usize + 1;
    let rows = n.div_ceil(fit.clamp(1, n));
    let per_row = n.div_ceil(rows);
    let last_centre = (4.0 * ch + date_width / 2.0)
        .min(tw - cell / 2.0 - (per_row - 1) as f32 * step)
        .max(cell / 2.0);
    let date_right = (last_centre - date_width / 2.0).max(0.0);
    let blank = blank_over_seal(style, h);
    let row_lines = ((h + gap) / pitch - 0.001).ceil().max(1.0) as usize;
    // Rows of `per_row` from the top; the last holds what is left.
    let last_row = rows - 1;
    let in_last = n - last_row * per_row;
    let sealed = names
        .into_iter()
        .zip(seals)
        .enumerate()
        .map(|(i, (units, &(sw, sh)))| {
            let row = i / per_row;
            let col = i % per_row;
            let from_right = if row == last_row {
                in_last - 1 - col
            } else {
                per_row - 1 - col
            };
            let centre = last_centre + from_right as f32 * step;
            let line = (blank + row * row_lines) as f32 * pitch;
            SealedName {
                units,
                row,
                centre,
                seal: SealPlace {
                    right: centre - sw / 2.0,
                    top: line - sh / 2.0,
                    width: sw,
                    height: sh,
                },
            }
        })
        .collect();
    (sealed, date_right, blank, row_lines)
}

/// The line a table's 续表 label takes above its repeated header, if it
/// has one.
fn continued_h(style: &crate::doc::StyleSheet, t: &crate::doc::Table) -> f32 {
    t.continued
        .as_ref()
        .map_or(0.0, |_| style.page.line_pitch_pt)
}

/// The height a picture block takes: the body lines it needs, whole. The
/// PDF layout and the DOCX writer both use it.
pub fn image_height(style: &crate::doc::StyleSheet, image: &crate::doc::Image) -> f32 {
    let pitch = style.page.line_pitch_pt;
    (image.height / pitch - 0.01).ceil().max(1.0) * pitch
}

/// Units set at their own advances from `x` on baseline `base`.
fn run_items(units: &[Unit], x: f32, base: f32) -> impl Iterator<Item = Item> {
    let w = inline::width(units);
    inline::place_line(units, 0..units.len(), x, base, w, Align::Left, true)
        .into_iter()
        .map(Item::Text)
}

/// 联合行文's mark: the names shaped and each spread to the widest, the
/// suffix beside them half a character off; all set smaller when wider
/// than the text block. The PDF layout and the DOCX writer both use it.
pub struct JointGeometry {
    pub names: Vec<Vec<Unit>>,
    pub suffix: Vec<Unit>,
    /// The size the names are set in, and their line pitch.
    pub size: f32,
    pub pitch: f32,
    /// The suffix's size: made smaller only to fit the width.
    pub suffix_size: f32,
    pub name_width: f32,
    pub gap: f32,
    pub suffix_width: f32,
}

impl JointGeometry {
    pub fn width(&self) -> f32 {
        self.name_width + self.gap + self.suffix_width
    }
}

pub fn joint_geometry(
    book: &FontBook,
    style: &crate::doc::StyleSheet,
    j: &crate::doc::Joint,
) -> Result<JointGeometry, Diagnostic> {
    let mut names = j
        .names
        .iter()
        .map(|n| inline::shape(book, style, &[(j.role, n)], 0.0))
        .collect::<Result<Vec<_>, _>>()?;
    let mut suffix = inline::shape(book, style, &[(j.role, &j.suffix)], 0.0)?;
    let mut size = style.role(j.role).size;
    let mut gap = if suffix.is_empty() { 0.0 } else { size / 2.0 };
    let widest = names.iter().map(|u| inline::width(u)).fold(0.0, f32::max);
    let total = widest + gap + inline::width(&suffix);
    let text_width = style.text_width();
    let k = if total > text_width {
        text_width / total * 0.999
    } else {
        1.0
    };
    for u in suffix.iter_mut() {
        u.size *= k;
        u.adv *= k;
    }
    let suffix_size = size * k;
    gap *= k;
    // Too many names to leave the lines asked for under them: the lines
    // closer first, down to 1.1 times the size, then the names smaller.
    let mut pitch = style.pitch(j.role);
    let mut h = 1.0;
    if let Some(leave) = j.leave {
        let room = style.text_height() - j.top.unwrap_or(0.0) - leave * style.page.line_pitch_pt;
        let n = names.len() as f32;
        if n * pitch > room {
            pitch = (room / n).max(1.1 * style.role(Role::Body).size);
            h = (pitch / 1.1 / (size * k)).min(1.0);
        }
    }
    for u in names.iter_mut().flatten() {
        u.size *= k * h;
        u.adv *= k * h;
    }
    size *= k * h;
    let name_width = widest * k * h;
    for units in &mut names {
        // Spread evenly between its characters to the widest name's width.
        let n = units.len();
        if n > 1 {
            let extra = (name_width - inline::width(units)) / (n - 1) as f32;
            for u in &mut units[..n - 1] {
                u.adv += extra;
            }
        }
    }
    let suffix_width = inline::width(&suffix);
    Ok(JointGeometry {
        names,
        suffix,
        size,
        pitch,
        suffix_size,
        name_width,
        gap,
        suffix_width,
    })
}

/// "— N —" in 4号 宋体, 7 mm under the text block; odd pages at the right
/// and even pages at the left, one character in from the edge.
fn page_numbers(
    doc: &Document,
    book: &FontBook,
    pages: &mut [Page],
    numbered: &[bool],
) -> Result<(), Diagnostic> {
    let s = &doc.style;
    let size = s.role(Role::PageNumber).size;
    let g = Geometry::of(s);
    let (left, right) = (g.left, g.right());
    let baseline = g.page_number_baseline(size);
    for (i, page) in pages.iter_mut().enumerate() {
        if !numbered[i] {
            continue;
        }
        let text = s.page.page_number.replace("{}", &(i + 1).to_string());
        let units = inline::shape(book, s, &[(Role::PageNumber, &text)], 0.0)?;
        let w = inline::width(&units);
        let x = if (i + 1) % 2 == 1 {
            right - size - w
        } else {
            left + size
        };
        for run in inline::place_line(&units, 0..units.len(), x, baseline, w, Align::Left, true) {
            page.items.push(Item::Text(run));
        }
    }
    Ok(())
}

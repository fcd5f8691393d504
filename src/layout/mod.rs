//! Layout: the document model → pages of positioned items ([`frame`]).
//!
//! Steps: [`inline`] shapes and breaks lines; [`table`] sizes rows and
//! splits tables between pages; this module flows blocks down the GB/T 9704
//! text block and adds page numbers.

pub mod frame;
pub mod inline;
pub mod table;

use frame::{Item, Page};
use inline::Unit;

use crate::diag::Diagnostic;
use crate::doc::style::MM;
use crate::doc::{Align, Block, Document, Paragraph, Role, Run};
use crate::font::FontBook;

/// Vertical tolerance when deciding whether a line still fits.
const FIT: f32 = 0.5;

pub fn layout(doc: &Document, book: &FontBook) -> Result<Vec<Page>, Diagnostic> {
    let mut flow = Flow::new(doc, book);
    for (i, block) in doc.blocks.iter().enumerate() {
        let next = doc.blocks.get(i + 1);
        flow.block(block, next)?;
    }
    let mut pages = flow.finish();
    page_numbers(doc, book, &mut pages)?;
    Ok(pages)
}

pub(crate) struct Flow<'a> {
    pub doc: &'a Document,
    pub book: &'a FontBook,
    pub pages: Vec<Page>,
    /// Top of the next line.
    pub y: f32,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub bottom: f32,
}

impl<'a> Flow<'a> {
    fn new(doc: &'a Document, book: &'a FontBook) -> Self {
        let s = &doc.style;
        let top = s.page.margin_top_mm * MM;
        let mut flow = Flow {
            doc,
            book,
            pages: Vec::new(),
            y: top,
            left: s.page.margin_left_mm * MM,
            top,
            width: s.text_width(),
            bottom: top + s.text_height(),
        };
        flow.new_page();
        flow
    }

    pub fn new_page(&mut self) {
        let s = &self.doc.style;
        self.pages.push(Page {
            width: s.page_width(),
            height: s.page_height(),
            items: Vec::new(),
        });
        self.y = self.top;
    }

    pub fn at_page_top(&self) -> bool {
        (self.y - self.top).abs() < 0.01
    }

    pub fn room(&self) -> f32 {
        self.bottom - self.y
    }

    /// Ensures `height` fits on the current page, starting a new one if not.
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() + FIT && !self.at_page_top() {
            self.new_page();
        }
    }

    pub fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").items.push(item);
    }

    fn finish(self) -> Vec<Page> {
        let mut pages = self.pages;
        // A trailing empty page (after an explicit break) is not printed.
        while pages.len() > 1 && pages.last().is_some_and(|p| p.items.is_empty()) {
            pages.pop();
        }
        pages
    }

    /// Letter spacing for a role: body-size text keeps 28 characters a line.
    pub fn tracking(&self, role: Role) -> f32 {
        let s = &self.doc.style;
        if s.role(role).size == s.role(Role::Body).size
            && !matches!(role, Role::Table | Role::TableHeader)
        {
            s.body_tracking()
        } else {
            0.0
        }
    }

    /// Baseline of a line of `size` text in a line box of `pitch` at `top`:
    /// the em box centred in the pitch.
    pub fn baseline(&self, top: f32, pitch: f32, size: f32, face: crate::font::FaceId) -> f32 {
        let f = &self.book.faces[face];
        let asc = f.ascender / f.units_per_em;
        let desc = -f.descender / f.units_per_em;
        top + (pitch - (asc + desc) * size) / 2.0 + asc * size
    }

    fn shape_runs(&self, runs: &[Run]) -> Result<Vec<Unit>, Diagnostic> {
        let mut units = Vec::new();
        for r in runs {
            units.extend(inline::shape(
                self.book,
                &self.doc.style,
                &[(r.role, &r.text)],
                self.tracking(r.role),
            )?);
        }
        Ok(units)
    }

    fn block(&mut self, block: &Block, next: Option<&Block>) -> Result<(), Diagnostic> {
        match block {
            Block::Title(lines) => self.title(lines),
            Block::Heading { level, text } => {
                let role = Role::heading(*level);
                let p = Paragraph {
                    runs: vec![Run {
                        role,
                        text: text.clone(),
                    }],
                    align: Align::Justify,
                    indent: true,
                };
                // A heading never stands alone at the foot of a page.
                let keep = match next {
                    Some(Block::Paragraph(_) | Block::Heading { .. }) => {
                        self.doc.style.page.line_pitch_pt
                    }
                    Some(Block::Table(_)) => self.doc.style.pitch(Role::Table) * 4.0,
                    _ => 0.0,
                };
                self.paragraph(&p, keep)
            }
            Block::Paragraph(p) => self.paragraph(p, 0.0),
            Block::Table(t) => table::layout(self, t),
            Block::PageBreak => {
                self.new_page();
                Ok(())
            }
            Block::Signature { agency, date } => self.signature(agency, date),
        }
    }

    fn title(&mut self, lines: &[String]) -> Result<(), Diagnostic> {
        let s = &self.doc.style;
        let pitch = s.pitch(Role::Title);
        let mut shaped = Vec::new();
        for line in lines {
            let units = inline::shape(self.book, s, &[(Role::Title, line)], 0.0)?;
            for part in balance_title(&units, self.width) {
                shaped.push(units[part].to_vec());
            }
        }
        self.ensure(pitch * shaped.len() as f32);
        let face = self.book.face_for(s, Role::Title);
        for units in shaped {
            // A part with no break that fits is still cut to the block width.
            for r in inline::break_lines(&units, self.width, self.width) {
                let base = self.baseline(self.y, pitch, s.role(Role::Title).size, face);
                for run in
                    inline::place_line(&units, r, self.left, base, self.width, Align::Center, true)
                {
                    self.push(Item::Text(run));
                }
                self.y += pitch;
            }
        }
        // One blank line after the title.
        self.y += s.page.line_pitch_pt;
        Ok(())
    }

    fn paragraph(&mut self, p: &Paragraph, keep_with_next: f32) -> Result<(), Diagnostic> {
        if p.runs.is_empty() {
            return Ok(());
        }
        let s = &self.doc.style;
        let units = self.shape_runs(&p.runs)?;
        let char_w = s.role(Role::Body).size + s.body_tracking();
        let indent = if p.indent { 2.0 * char_w } else { 0.0 };
        let lines = inline::break_lines(&units, self.width - indent, self.width);
        let pitch = p.runs.iter().map(|r| s.pitch(r.role)).fold(0.0, f32::max);
        let size = p
            .runs
            .iter()
            .map(|r| s.role(r.role).size)
            .fold(0.0, f32::max);
        let face = self.book.face_for(s, p.runs[0].role);
        if keep_with_next > 0.0 {
            self.ensure(pitch * lines.len() as f32 + keep_with_next);
        }
        for (i, r) in lines.iter().enumerate() {
            self.ensure(pitch);
            let x = if i == 0 {
                self.left + indent
            } else {
                self.left
            };
            let avail = if i == 0 {
                self.width - indent
            } else {
                self.width
            };
            let base = self.baseline(self.y, pitch, size, face);
            let last = i + 1 == lines.len();
            for run in inline::place_line(&units, r.clone(), x, base, avail, p.align, last) {
                self.push(Item::Text(run));
            }
            self.y += pitch;
        }
        Ok(())
    }

    /// One blank line below the text, then 署名 and 成文日期 placed by
    /// [`signature_geometry`].
    fn signature(&mut self, agency: &str, date: &str) -> Result<(), Diagnostic> {
        let s = &self.doc.style;
        let pitch = s.page.line_pitch_pt;
        let g = signature_geometry(self.book, s, agency, date)?;
        let right = self.left + self.width;
        let (a_start, d_start) = (
            right - g.agency_right - g.agency_width,
            right - g.date_right - g.date_width,
        );
        let (a, d) = (g.agency, g.date);
        let lines = if date.is_empty() { 1.0 } else { 2.0 };
        self.y += pitch;
        self.ensure(pitch * lines);
        let face = self.book.face_for(s, Role::Body);
        let size = s.role(Role::Body).size;
        for (units, x) in [(a, a_start), (d, d_start)] {
            if units.is_empty() {
                continue;
            }
            let base = self.baseline(self.y, pitch, size, face);
            let w = inline::width(&units);
            for run in inline::place_line(&units, 0..units.len(), x, base, w, Align::Left, true) {
                self.push(Item::Text(run));
            }
            self.y += pitch;
        }
        Ok(())
    }
}

/// 署名 and 成文日期 shaped, with their distances from the right edge of the
/// text block; the PDF layout and the DOCX writer both place them by it.
pub struct SignatureGeometry {
    pub agency: Vec<Unit>,
    pub date: Vec<Unit>,
    pub agency_width: f32,
    pub date_width: f32,
    pub agency_right: f32,
    pub date_right: f32,
}

/// GB/T 9704 7.3.5.2 (no seal): the agency two characters in from the
/// right, the date starting two characters right of the agency's first
/// character; a longer date sits two characters in and pushes the agency
/// left.
pub fn signature_geometry(
    book: &FontBook,
    style: &crate::doc::StyleSheet,
    agency: &str,
    date: &str,
) -> Result<SignatureGeometry, Diagnostic> {
    let track = style.body_tracking();
    let a = inline::shape(book, style, &[(Role::Body, agency)], track)?;
    let d = inline::shape(book, style, &[(Role::Body, date)], track)?;
    let (wa, wd) = (inline::width(&a), inline::width(&d));
    let ch = style.role(Role::Body).size + track;
    let mut agency_right = 2.0 * ch;
    let mut date_right = agency_right + wa - 2.0 * ch - wd;
    if date_right < 2.0 * ch {
        date_right = 2.0 * ch;
        agency_right = date_right + wd + 2.0 * ch - wa;
    }
    Ok(SignatureGeometry {
        agency: a,
        date: d,
        agency_width: wa,
        date_width: wd,
        agency_right,
        date_right,
    })
}

/// Splits a title wider than the text block into balanced lines, at a
/// boundary a reader expects: after the year ("…2020年") or before
/// "政府信息公开…"; any allowed break otherwise.
fn balance_title(units: &[Unit], width: f32) -> Vec<std::ops::Range<usize>> {
    let total = inline::width(units);
    if total <= width + 0.01 || units.len() < 2 {
        return std::iter::once(0..units.len()).collect();
    }
    let text: Vec<char> = units.iter().map(|u| u.ch).collect();
    let tail: Vec<char> = "政府信息公开".chars().collect();
    let preferred = |i: usize| {
        (text[i - 1] == '年' && i >= 2 && text[i - 2].is_ascii_digit())
            || text[i..].starts_with(&tail)
    };
    let allowed = |i: usize| inline::break_allowed(text[i - 1], text[i]);
    let fits =
        |i: usize| inline::width(&units[..i]) <= width && inline::width(&units[i..]) <= width;
    let best = |pred: &dyn Fn(usize) -> bool| {
        (1..units.len())
            .filter(|&i| pred(i) && allowed(i) && fits(i))
            .min_by(|&a, &b| {
                let imb =
                    |i: usize| (inline::width(&units[..i]) - inline::width(&units[i..])).abs();
                imb(a).total_cmp(&imb(b))
            })
    };
    match best(&preferred).or_else(|| best(&|_| true)) {
        Some(i) => vec![0..i, i..units.len()],
        None => std::iter::once(0..units.len()).collect(),
    }
}

/// "— N —" in 4号 宋体, 7 mm under the text block; odd pages at the right
/// and even pages at the left, one character in from the edge.
fn page_numbers(doc: &Document, book: &FontBook, pages: &mut [Page]) -> Result<(), Diagnostic> {
    let s = &doc.style;
    let size = s.role(Role::PageNumber).size;
    let left = s.page.margin_left_mm * MM;
    let right = left + s.text_width();
    let block_bottom = (s.page.margin_top_mm * MM) + s.text_height();
    // The dash sits about 0.35 em above the baseline in CJK faces.
    let baseline = block_bottom + s.page.page_number_offset_mm * MM + 0.35 * size;
    for (i, page) in pages.iter_mut().enumerate() {
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

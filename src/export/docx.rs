//! DOCX straight from the document model. WordprocessingML is written by
//! hand, children in schema order, so Word opens the file without repair;
//! the official formatting is carried as real Word settings (styles with
//! outline levels, exact line pitch, `firstLineChars`, `tblHeader`,
//! `cantSplit`, odd/even footers with a PAGE field).

use std::fmt::Write;

use super::{embed, zip};
use crate::diag::Diagnostic;
use crate::doc::style::MM;
use crate::doc::{Align, Block, Cell, Document, Paragraph, Role, Run, StyleSheet, Table};
use crate::font::FontBook;
use crate::layout::geometry::{self, Geometry};
use crate::layout::{signature_geometry, Laid, RunUp};

/// Twentieths of a point.
fn tw(pt: f32) -> i64 {
    (pt * 20.0).round() as i64
}

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 cannot carry are dropped (data files
            // refuse them; a template's own text may still hold one).
            c if crate::diag::unprintable(c) => {}
            c => o.push(c),
        }
    }
    o
}

const W_NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"";

/// How the DOCX refers to fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fonts {
    /// By their official names (仿宋_GB2312 …), for machines that have them.
    Official,
    /// Subset TrueType copies of the faces the PDF uses, embedded and named
    /// in place of the official fonts, so the file looks like the PDF
    /// anywhere.
    Embedded,
}

/// `laid`: the PDF's layout of the same document, whose row heights the
/// DOCX gives Word as minimums so that its rows match the PDF's.
pub fn write(
    doc: &Document,
    book: &FontBook,
    laid: &Laid,
    epoch: Option<i64>,
    fonts: Fonts,
) -> Result<Vec<u8>, Diagnostic> {
    let embedded = match fonts {
        Fonts::Official => None,
        Fonts::Embedded => Some(embed::embed(doc, book)?),
    };
    let doc = &match &embedded {
        Some(e) => Document {
            style: e.style.clone(),
            ..doc.clone()
        },
        None => doc.clone(),
    };
    let mut parts = Parts::default();
    let body = document_xml(doc, book, laid, &mut parts)?;
    let mut entries = vec![
        (
            "[Content_Types].xml",
            content_types(embedded.is_some(), &parts).into_bytes(),
        ),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        ("docProps/core.xml", core_xml(doc, epoch).into_bytes()),
        ("docProps/app.xml", APP.as_bytes().to_vec()),
        ("word/document.xml", body.into_bytes()),
        ("word/styles.xml", styles_xml(&doc.style).into_bytes()),
        (
            "word/settings.xml",
            settings(embedded.is_some()).into_bytes(),
        ),
        (
            "word/fontTable.xml",
            font_table(&doc.style, embedded.as_ref()).into_bytes(),
        ),
        (
            "word/footer1.xml",
            footer_xml(&doc.style, false, true).into_bytes(),
        ),
        (
            "word/footer2.xml",
            footer_xml(&doc.style, true, true).into_bytes(),
        ),
        (
            "word/theme/theme1.xml",
            include_bytes!("theme1.xml").to_vec(),
        ),
        (
            "word/_rels/document.xml.rels",
            document_rels(&parts).into_bytes(),
        ),
    ];
    let media: Vec<String> = (0..parts.pictures.len()).map(Parts::media).collect();
    for (name, picture) in media.iter().zip(&parts.pictures) {
        entries.push((name.as_str(), picture.bytes.clone()));
    }
    if let Some(header) = parts.first_header.take() {
        entries.push(("word/header1.xml", header.into_bytes()));
    }
    if parts.title_page {
        entries.push((
            "word/footer3.xml",
            footer_xml(&doc.style, false, doc.style.page.first_page_number).into_bytes(),
        ));
    }
    if parts.unnumbered_end {
        entries.push((
            "word/footer4.xml",
            footer_xml(&doc.style, false, false).into_bytes(),
        ));
    }
    if parts.turned {
        entries.push((
            "word/footer5.xml",
            turned_footer_xml(&doc.style, false).into_bytes(),
        ));
        entries.push((
            "word/footer6.xml",
            turned_footer_xml(&doc.style, true).into_bytes(),
        ));
    }
    let names: Vec<String>;
    if let Some(e) = embedded {
        names = (1..=e.fonts.len())
            .map(|i| format!("word/fonts/font{i}.odttf"))
            .collect();
        entries.push(("word/_rels/fontTable.xml.rels", e.rels().into_bytes()));
        for (name, font) in names.iter().zip(e.fonts) {
            entries.push((name.as_str(), font.obfuscated));
        }
    }
    Ok(zip::write(&entries))
}

fn run_props(style: &StyleSheet, role: Role, base: Role) -> String {
    run_props_sized(style, role, base, None)
}

/// As [`run_props`], with the text set in `fitted` points instead of its
/// role's size when given (a paragraph made smaller to stay on one line;
/// rounded down so Word keeps it there too).
fn run_props_sized(style: &StyleSheet, role: Role, base: Role, fitted: Option<f32>) -> String {
    let mut s = String::new();
    let r = style.role(role);
    if role != base {
        let f = style.family(role);
        let w = esc(&f.word);
        let _ = write!(
            s,
            "<w:rFonts w:ascii=\"{w}\" w:hAnsi=\"{w}\" w:eastAsia=\"{w}\" w:cs=\"{w}\"/>"
        );
    }
    if r.bold && (role != base || !style.role(base).bold) {
        s.push_str("<w:b/><w:bCs/>");
    }
    let color = style.color(role);
    if color != style.color(base) {
        let _ = write!(s, "<w:color w:val=\"{}\"/>", hex(color));
    }
    let half_points = match fitted {
        Some(size) => Some((size * 2.0).floor() as i64),
        None => (r.size != style.role(base).size).then(|| (r.size * 2.0).round() as i64),
    };
    if let Some(hp) = half_points {
        let _ = write!(s, "<w:sz w:val=\"{hp}\"/><w:szCs w:val=\"{hp}\"/>");
    }
    if s.is_empty() {
        s
    } else {
        format!("<w:rPr>{s}</w:rPr>")
    }
}

/// A run of text. A hyphen between digits (0517-87222589) is written as
/// Word's non-breaking hyphen, so Word keeps the number whole as the PDF
/// does.
fn text_run(text: &str, rpr: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = format!("<w:r>{rpr}<w:t xml:space=\"preserve\">");
    let mut part = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c == '-' && between_digits {
            let _ = write!(
                out,
                "{}</w:t><w:noBreakHyphen/><w:t xml:space=\"preserve\">",
                esc(&part)
            );
            part.clear();
        } else {
            part.push(c);
        }
    }
    let _ = write!(out, "{}</w:t></w:r>", esc(&part));
    out
}

fn jc(align: Align) -> &'static str {
    match align {
        Align::Justify => "both",
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    }
}

/// What the document part needs besides itself.
#[derive(Default)]
struct Parts {
    /// Pictures in the order of their relationship ids.
    pictures: Vec<std::sync::Arc<crate::picture::Picture>>,
    /// The first page's header: the blocks set from the page's edges (信函
    /// 格式's 发文机关标志 and 红色双线), as frames.
    first_header: Option<String>,
    /// The first page has its own header and footer.
    title_page: bool,
    /// The last pages (a blank page and the 版记's) are a section of their
    /// own, without page numbers.
    unnumbered_end: bool,
    /// Some pages are turned (横排): a section of their own, with footers
    /// that stand the page number where the sheet has it.
    turned: bool,
    /// Drawings written so far: each needs its own id.
    drawings: usize,
}

impl Parts {
    fn media(k: usize) -> String {
        format!("word/media/picture{}", k + 1)
    }

    /// The relationship id of a picture, added on first use.
    fn picture(&mut self, p: &std::sync::Arc<crate::picture::Picture>) -> String {
        let k = match self
            .pictures
            .iter()
            .position(|q| std::sync::Arc::ptr_eq(q, p))
        {
            Some(k) => k,
            None => {
                self.pictures.push(p.clone());
                self.pictures.len() - 1
            }
        };
        format!("rIdPicture{}", k + 1)
    }
}

/// Blocks of the first page placed from the page's edges rather than in the
/// flow: a paragraph given `page-top`, the rules hanging under it, rules
/// at the page's foot. Word gets them as frames in the first page's header,
/// where they do not move the text.
fn page_blocks(doc: &Document, laid: &Laid) -> Vec<bool> {
    let mut head = vec![false; doc.blocks.len()];
    for (i, block) in doc.blocks.iter().enumerate() {
        let facts = &laid.blocks[i];
        let first_page = |at: Option<(usize, f32)>| at.is_some_and(|(p, _)| p == 0);
        head[i] = match block {
            Block::Paragraph(p) => p.anchored && first_page(facts.at),
            Block::Rule(r) if r.page_bottom.is_some() => first_page(facts.rule_at),
            Block::Rule(r) => {
                r.below_text.is_some() && i > 0 && head[i - 1] && first_page(facts.rule_at)
            }
            _ => false,
        };
    }
    head
}

/// A frame at a fixed place on the page (x, y, width, height in points),
/// its height `exact` or at least that.
fn frame_pr((x, y, w, h): (f32, f32, f32, f32), h_rule: &str) -> String {
    format!(
        "<w:framePr w:w=\"{}\" w:h=\"{}\" w:hRule=\"{h_rule}\" w:wrap=\"through\" w:vAnchor=\"page\" w:hAnchor=\"page\" w:x=\"{}\" w:y=\"{}\"/>",
        tw(w),
        tw(h),
        tw(x),
        tw(y)
    )
}

/// A paragraph in a frame at a fixed place on the page.
fn framed(b: &mut String, place: (f32, f32, f32, f32), ppr: &str, runs: &str) {
    let _ = write!(
        b,
        "<w:p><w:pPr>{}{ppr}</w:pPr>{runs}</w:p>",
        frame_pr(place, "exact")
    );
}

/// The space the PDF leaves under a table to bring the next line back onto
/// the grid: Word and LibreOffice stack the line right under the table.
/// Less the table's outer rules, which they add below its last row, and
/// rounded down: a line a point lower than the PDF's no longer fits at a
/// page's foot, one a point higher still does.
fn grid_step(st: &StyleSheet, facts: &crate::layout::BlockFacts) -> i64 {
    let step = facts.grid_step - 2.0 * st.table.border_pt;
    if step > 0.5 {
        (step * 20.0).floor() as i64
    } else {
        0
    }
}

fn spacing_before(before: i64) -> String {
    if before > 0 {
        format!("<w:spacing w:before=\"{before}\"/>")
    } else {
        String::new()
    }
}

/// Off the body grid: `before` twentieths of a point above, lines exactly
/// `line` high.
fn exact_spacing(before: i64, line: i64) -> String {
    format!(
        "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"{before}\" w:after=\"0\" w:line=\"{line}\" w:lineRule=\"exact\"/>"
    )
}

/// A paragraph's top border that draws a rule `thickness` points thick.
fn top_border(thickness: f32, color: [u8; 3]) -> String {
    format!(
        "<w:pBdr><w:top w:val=\"single\" w:sz=\"{}\" w:space=\"0\" w:color=\"{}\"/></w:pBdr>",
        ((thickness * 8.0).round() as i64).clamp(2, 96),
        hex(color)
    )
}

/// An empty one-point paragraph in a frame whose top border is a rule:
/// the rule's top edge at `y`.
fn rule_frame(b: &mut String, (x, y, length): (f32, f32, f32), thickness: f32, color: [u8; 3]) {
    let ppr = format!("{}{}", top_border(thickness, color), exact_spacing(0, 20));
    framed(b, (x, y, length, thickness.max(1.0)), &ppr, "");
}

/// The frames of the first page's header.
fn header_frames(doc: &Document, laid: &Laid, head: &[bool]) -> String {
    let st = &doc.style;
    let mut b = String::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        if !head[i] {
            continue;
        }
        let facts = &laid.blocks[i];
        match block {
            Block::Paragraph(p) => {
                let Some((_, y)) = facts.at else { continue };
                let role = p.runs.first().map_or(Role::Body, |r| r.role);
                let pitch = st.pitch(role);
                let ppr = format!(
                    "{}<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"{}\"/>",
                    exact_spacing(0, tw(pitch)),
                    jc(p.align)
                );
                let runs: String = p
                    .runs
                    .iter()
                    .map(|r| {
                        text_run(
                            &r.text,
                            &run_props_sized(st, r.role, Role::Body, facts.fitted_size),
                        )
                    })
                    .collect();
                let g = Geometry::of(st);
                framed(&mut b, (g.left, y, g.width, pitch), &ppr, &runs);
            }
            Block::Rule(r) => {
                let Some((_, centre)) = facts.rule_at else {
                    continue;
                };
                let g = Geometry::of(st);
                let length = r.length.unwrap_or(g.width);
                let x = g.left + (g.width - length) / 2.0;
                for (t, off) in r.lines() {
                    rule_frame(&mut b, (x, centre + off - t / 2.0, length), t, r.color);
                }
            }
            _ => {}
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr {W_NS}>{b}<w:p/></w:hdr>"
    )
}

fn document_xml(
    doc: &Document,
    book: &FontBook,
    laid: &Laid,
    parts: &mut Parts,
) -> Result<String, Diagnostic> {
    let st = &doc.style;
    let mut b = String::new();
    let _ = write!(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {W_NS}><w:body>");
    let head = page_blocks(doc, laid);
    if head.iter().any(|&h| h) {
        parts.first_header = Some(header_frames(doc, laid, &head));
    }
    parts.title_page = parts.first_header.is_some() || !st.page.first_page_number;
    let top = Geometry::of(st).top;
    // Where the block after a page break starts in `b`.
    let mut break_before: Option<usize> = None;
    let run_up = crate::layout::run_up(&doc.blocks);
    // The section being written.
    let mut section = Section::First;
    for (i, block) in doc.blocks.iter().enumerate() {
        // Applied once the block after the break has been written.
        if let Some(at) = break_before.filter(|&at| at < b.len()) {
            break_page_before(&mut b, at);
            break_before = None;
        }
        let before_signature = run_up[i];
        if head[i] {
            continue;
        }
        // The first block under the header's frames starts where the PDF
        // has it, measured from the text block's top.
        let after_head = i > 0 && head[i - 1];
        let mut facts_here;
        let facts = if after_head {
            facts_here = laid.blocks[i].clone();
            facts_here.space_before = facts_here.at.map_or(0.0, |(_, y)| (y - top).max(0.0));
            &facts_here
        } else {
            &laid.blocks[i]
        };
        let start = b.len();
        match block {
            Block::Title(_) => {
                // Broken where the PDF breaks it, and kept on one page.
                let lines = &laid.blocks[i].title;
                b.push_str(
                    "<w:p><w:pPr><w:pStyle w:val=\"Title\"/><w:keepNext/><w:keepLines/></w:pPr>",
                );
                for (i, l) in lines.iter().enumerate() {
                    if i > 0 {
                        b.push_str("<w:r><w:br/></w:r>");
                    }
                    b.push_str(&text_run(l, ""));
                }
                b.push_str("</w:p>");
            }
            Block::Heading { level, text } => {
                let _ = write!(
                    b,
                    "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/>{}</w:pPr>{}</w:p>",
                    spacing_before(grid_step(st, facts)),
                    text_run(text, "")
                );
            }
            Block::Paragraph(p) => paragraph(&mut b, st, p, before_signature, facts),
            Block::Table(t) => table(&mut b, st, t, facts, before_signature != RunUp::None),
            Block::PageBreak { landscape } => {
                if break_before.is_some() {
                    // Two breaks in a row: the first makes its blank page.
                    b.push_str(PAGE_BREAK);
                }
                if *landscape != (section == Section::Turned) {
                    // Turned pages are a section of their own; the
                    // section break starts the new page.
                    b.push_str(&point_high(&sect_pr(st, parts, section), ""));
                    section = if *landscape {
                        parts.turned = true;
                        Section::Turned
                    } else {
                        Section::Upright
                    };
                    break_before = None;
                } else {
                    break_before = Some(b.len());
                }
            }
            Block::Signature {
                agency,
                date,
                seals,
            } => signature(&mut b, st, book, (agency, date), seals, parts)?,
            Block::Signed { title, date, stamp } => {
                signed(&mut b, st, book, (title, date), stamp, parts)?
            }
            Block::Rule(r) => rule(&mut b, st, r, facts.space_before),
            Block::Blank(n) => {
                for _ in 0..*n {
                    b.push_str(if before_signature == RunUp::Whole {
                        "<w:p><w:pPr><w:keepNext/></w:pPr></w:p>"
                    } else {
                        "<w:p/>"
                    });
                }
            }
            Block::Ends {
                left,
                right,
                inset,
                space,
            } => ends(
                &mut b,
                st,
                (left, right),
                *inset,
                space.map(|_| facts.space_before),
            ),
            Block::Joint(j) => joint(&mut b, st, book, j, facts)?,
            Block::Image { image: i, align } => image(&mut b, st, parts, i, *align),
            Block::Foot { blocks, .. } => {
                let after = laid.foot.unwrap_or(0);
                if after >= 2 {
                    // A blank page and the 版记's, unnumbered: a section of
                    // their own, begun by the section break closing the text.
                    parts.unnumbered_end = true;
                    b.push_str(&point_high(&sect_pr(st, parts, section), ""));
                    section = Section::Unnumbered;
                    for _ in 1..after {
                        b.push_str(PAGE_BREAK);
                    }
                } else if section == Section::Turned {
                    // The 版记's page is upright: the section break after
                    // the turned pages starts it.
                    b.push_str(&point_high(&sect_pr(st, parts, section), ""));
                    section = Section::Upright;
                } else if after == 1 {
                    // A point high: a line of the grid holding the break
                    // would not fit under a full page, and would break
                    // again on the next one, leaving it blank.
                    b.push_str(&point_high("", "<w:r><w:br w:type=\"page\"/></w:r>"));
                }
                foot(&mut b, st, blocks, &laid.foot_tops)
            }
        }
        if facts.after_step_break && b[start..].starts_with("<w:p>") {
            break_page_before(&mut b, start);
        }
    }
    if let Some(at) = break_before {
        // Nothing follows the break but the section's end.
        b.insert_str(at, PAGE_BREAK);
    }
    let last = sect_pr(st, parts, section);
    let _ = write!(b, "{last}</w:body></w:document>");
    Ok(b)
}

/// A paragraph a point high, off the line grid, with `ppr` after its
/// spacing and `runs` as its content.
fn point_high(ppr: &str, runs: &str) -> String {
    format!(
        "<w:p><w:pPr>{}{ppr}</w:pPr>{runs}</w:p>",
        exact_spacing(0, 20)
    )
}

/// A paragraph holding only a page break.
const PAGE_BREAK: &str = "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";

/// Starts the paragraph written at `at` on a new page. `pageBreakBefore`
/// rather than a paragraph holding a page break: that paragraph takes a
/// line, and on a full page it spills onto a page of its own, which then
/// breaks again, leaving a blank page. A table (whose cells' paragraphs
/// Word does not break before) or nothing after the break keeps the
/// breaking paragraph.
fn break_page_before(b: &mut String, at: usize) {
    let rest = &b[at..];
    if !rest.starts_with("<w:p>") && !rest.starts_with("<w:p/>") {
        b.insert_str(at, PAGE_BREAK);
        return;
    }
    if rest.starts_with("<w:p/>") {
        b.replace_range(
            at..at + "<w:p/>".len(),
            "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>",
        );
        return;
    }
    let open = at + "<w:p>".len();
    if !b[open..].starts_with("<w:pPr>") {
        b.insert_str(open, "<w:pPr><w:pageBreakBefore/></w:pPr>");
        return;
    }
    // After pStyle, keepNext and keepLines, as the schema orders them.
    let mut pos = open + "<w:pPr>".len();
    for head in ["<w:pStyle ", "<w:keepNext/>", "<w:keepLines/>"] {
        if b[pos..].starts_with(head) {
            pos += b[pos..].find('>').map_or(0, |k| k + 1);
        }
    }
    b.insert_str(pos, "<w:pageBreakBefore/>");
}

/// A picture: inline, or anchored behind the text at `at` (from the left
/// margin and from the top of the paragraph holding it), in points.
fn drawing(parts: &mut Parts, image: &crate::doc::Image, at: Option<(f32, f32)>) -> String {
    let rid = parts.picture(&image.picture);
    let emu = |pt: f32| (pt * 12_700.0).round() as i64;
    let (cx, cy) = (emu(image.width), emu(image.height));
    parts.drawings += 1;
    let k = parts.drawings;
    let graphic = format!(
        "<wp:docPr id=\"{k}\" name=\"图片{k}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
         <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic>\
         <pic:nvPicPr><pic:cNvPr id=\"{k}\" name=\"图片{k}\"/><pic:cNvPicPr/></pic:nvPicPr>\
         <pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
         <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
         </pic:pic></a:graphicData></a:graphic>"
    );
    match at {
        Some((x, y)) => format!(
            "<w:drawing><wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"1\" behindDoc=\"1\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\">\
             <wp:simplePos x=\"0\" y=\"0\"/><wp:positionH relativeFrom=\"margin\"><wp:posOffset>{}</wp:posOffset></wp:positionH>\
             <wp:positionV relativeFrom=\"paragraph\"><wp:posOffset>{}</wp:posOffset></wp:positionV>\
             <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:wrapNone/>{graphic}</wp:anchor></w:drawing>",
            emu(x),
            emu(y)
        ),
        None => format!(
            "<w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/>{graphic}</wp:inline></w:drawing>"
        ),
    }
}

/// A picture on lines of its own: a paragraph as high as the PDF's lines,
/// the picture inline in it.
fn image(
    b: &mut String,
    st: &StyleSheet,
    parts: &mut Parts,
    image: &crate::doc::Image,
    align: Align,
) {
    let _ = write!(
        b,
        "<w:p><w:pPr>{}<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"{}\"/></w:pPr><w:r>{}</w:r></w:p>",
        exact_spacing(0, tw(crate::layout::image_height(st, image))),
        jc(if align == Align::Justify { Align::Left } else { align }),
        drawing(parts, image, None)
    );
}

/// 联合行文's mark as a borderless table centred on the text block: the
/// names in the first column, spread to its width (`distribute`), the
/// suffix in a second column merged down all rows and centred on them;
/// the layout's space above it as an empty paragraph of that height.
fn joint(
    b: &mut String,
    st: &StyleSheet,
    book: &FontBook,
    j: &crate::doc::Joint,
    facts: &crate::layout::BlockFacts,
) -> Result<(), Diagnostic> {
    let g = crate::layout::joint_geometry(book, st, j)?;
    let pitch = tw(g.pitch);
    if facts.space_before > 0.5 {
        let _ = write!(
            b,
            "<w:p><w:pPr><w:keepNext/>{}</w:pPr></w:p>",
            exact_spacing(0, tw(facts.space_before))
        );
    }
    let rpr = run_props_sized(st, j.role, Role::Body, facts.fitted_size);
    let suffix_sized = (g.suffix_size < st.role(j.role).size).then_some(g.suffix_size);
    let suffix_rpr = run_props_sized(st, j.role, Role::Body, suffix_sized);
    // The suffix's own line, in the cell merged down all the rows.
    let suffix_ppr = format!(
        "<w:pPr><w:keepNext/>{}<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/></w:pPr>",
        exact_spacing(0, tw(st.pitch(j.role).min(g.pitch * j.names.len() as f32)))
    );
    let (w1, w2) = (tw(g.name_width) + 20, tw(g.gap + g.suffix_width) + 20);
    let ppr = |jc: &str| {
        format!(
            "<w:pPr><w:keepNext/>{}<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"{jc}\"/></w:pPr>",
            exact_spacing(0, pitch)
        )
    };
    let _ = write!(
        b,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
         <w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>\
         <w:tblGrid><w:gridCol w:w=\"{w1}\"/><w:gridCol w:w=\"{w2}\"/></w:tblGrid>",
        w1 + w2
    );
    for (k, name) in j.names.iter().enumerate() {
        let merge = if k == 0 {
            "<w:vMerge w:val=\"restart\"/>"
        } else {
            "<w:vMerge/>"
        };
        let (suffix, cell_ppr) = if k == 0 {
            (text_run(&j.suffix, &suffix_rpr), suffix_ppr.clone())
        } else {
            (String::new(), ppr("right"))
        };
        let _ = write!(
            b,
            "<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"{pitch}\" w:hRule=\"exact\"/></w:trPr>\
             <w:tc><w:tcPr><w:tcW w:w=\"{w1}\" w:type=\"dxa\"/></w:tcPr><w:p>{}{}</w:p></w:tc>\
             <w:tc><w:tcPr><w:tcW w:w=\"{w2}\" w:type=\"dxa\"/>{merge}<w:vAlign w:val=\"center\"/></w:tcPr><w:p>{}{suffix}</w:p></w:tc></w:tr>",
            ppr("distribute"),
            text_run(name, &rpr),
            cell_ppr,
        );
    }
    b.push_str("</w:tbl>");
    Ok(())
}

/// Which pages a section holds, for its footers and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// The first page's section: its own header and footer, if any.
    First,
    /// Upright pages after a turned section.
    Upright,
    /// 横排 pages (GB/T 9704 clause 8).
    Turned,
    /// The last pages (a blank page and the 版记's), without numbers.
    Unnumbered,
}

/// A section's properties: page size, margins, footers.
fn sect_pr(st: &StyleSheet, parts: &Parts, section: Section) -> String {
    let p = &st.page;
    let twmm = |mm: f32| tw(mm * MM);
    // Footer distance puts the page number's dashes 7 mm under the text block.
    let footer = twmm(Geometry::of(st).page_number_from_bottom_mm)
        - tw(st.role(Role::PageNumber).size * 0.8);
    let refs = match section {
        Section::Unnumbered => "<w:footerReference w:type=\"default\" r:id=\"rIdFooterNone\"/>\
             <w:footerReference w:type=\"even\" r:id=\"rIdFooterNone\"/>"
            .to_string(),
        Section::Turned => "<w:footerReference w:type=\"default\" r:id=\"rIdFooterTurnedOdd\"/>\
             <w:footerReference w:type=\"even\" r:id=\"rIdFooterTurnedEven\"/>"
            .to_string(),
        Section::First | Section::Upright => {
            let first = section == Section::First;
            let mut r = String::new();
            if first && parts.first_header.is_some() {
                r.push_str("<w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>");
            }
            r.push_str(
                "<w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
                 <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>",
            );
            if first && parts.title_page {
                r.push_str("<w:footerReference w:type=\"first\" r:id=\"rIdFooterFirst\"/>");
            }
            r
        }
    };
    let kind = if section == Section::Unnumbered {
        "<w:type w:val=\"nextPage\"/>"
    } else {
        ""
    };
    let title_pg = if parts.title_page && section == Section::First {
        "<w:titlePg/>"
    } else {
        ""
    };
    // A turned section's page is the sheet turned a quarter: its top
    // margin is the sheet's left one, its left margin the sheet's foot.
    let (size, margins) = if section == Section::Turned {
        (
            format!(
                "<w:pgSz w:w=\"{}\" w:h=\"{}\" w:orient=\"landscape\"/>",
                twmm(p.height_mm),
                twmm(p.width_mm)
            ),
            [
                p.margin_left_mm,
                p.margin_top_mm,
                p.margin_right_mm,
                p.margin_bottom_mm,
            ],
        )
    } else {
        (
            format!(
                "<w:pgSz w:w=\"{}\" w:h=\"{}\"/>",
                twmm(p.width_mm),
                twmm(p.height_mm)
            ),
            [
                p.margin_top_mm,
                p.margin_right_mm,
                p.margin_bottom_mm,
                p.margin_left_mm,
            ],
        )
    };
    format!(
        "<w:sectPr>{refs}{kind}{size}\
         <w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{footer}\" w:gutter=\"0\"/>\
         <w:cols w:space=\"425\"/>{title_pg}<w:docGrid w:type=\"lines\" w:linePitch=\"{}\"/></w:sectPr>",
        twmm(margins[0]),
        twmm(margins[1]),
        twmm(margins[2]),
        twmm(margins[3]),
        tw(p.line_pitch_pt),
    )
}

/// `before_signature`: kept with the signature, as the PDF layout keeps it
/// (see [`RunUp`]): the 正文 under widow control, the 附件说明 whole.
/// `breaks`: character offsets where the PDF breaks the line inside an
/// address, written as zero-width spaces.
fn paragraph(
    b: &mut String,
    st: &StyleSheet,
    p: &Paragraph,
    before_signature: RunUp,
    facts: &crate::layout::BlockFacts,
) {
    let (breaks, space_before) = (&facts.address_breaks, facts.space_before);
    b.push_str("<w:p>");
    let mut ppr = String::new();
    match before_signature {
        RunUp::Body if !facts.breaks_when_full => ppr.push_str("<w:keepNext/><w:widowControl/>"),
        // Kept whole with the signature, LibreOffice moves all of a long
        // paragraph to the next page; where the PDF breaks it at a full
        // page, Word needs no keep to break it there too.
        RunUp::Body => ppr.push_str("<w:widowControl/>"),
        RunUp::Whole => ppr.push_str("<w:keepNext/><w:keepLines/>"),
        RunUp::None => {}
    }
    let role = p.runs.first().map_or(Role::Body, |r| r.role);
    let pitch = st.pitch(role);
    if p.top.is_some() || p.space.is_some() || pitch != st.page.line_pitch_pt {
        // Off the body grid: at the layout's distance, in its own pitch.
        ppr.push_str(&exact_spacing(
            tw(space_before) + grid_step(st, facts),
            tw(pitch),
        ));
    } else {
        ppr.push_str(&spacing_before(grid_step(st, facts)));
    }
    let char_w = geometry::char_width(st, role);
    let (inset, hang, left) = (
        tw(p.inset * char_w),
        tw(p.hang * char_w),
        tw(p.left * char_w),
    );
    if inset > 0 || hang > 0 || left > 0 {
        // Word's left indent holds the later lines; the first line is
        // offset from it by the indent (two characters or none).
        let first_line = if p.indent { tw(2.0 * char_w) } else { 0 };
        let first = if first_line >= hang {
            format!("w:firstLine=\"{}\"", first_line - hang)
        } else {
            format!("w:hanging=\"{}\"", hang - first_line)
        };
        let _ = write!(
            ppr,
            "<w:ind w:left=\"{}\" w:right=\"{inset}\" {first}/>",
            inset + left + hang
        );
    } else if !p.indent {
        ppr.push_str("<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>");
    }
    if facts.flush_left {
        let _ = write!(ppr, "<w:jc w:val=\"{}\"/>", jc(Align::Left));
    } else if p.align != Align::Justify {
        let _ = write!(ppr, "<w:jc w:val=\"{}\"/>", jc(p.align));
    }
    if !ppr.is_empty() {
        let _ = write!(b, "<w:pPr>{ppr}</w:pPr>");
    }
    let mut offset = 0;
    for r in &p.runs {
        let rpr = run_props_sized(st, r.role, Role::Body, facts.fitted_size);
        let mut text = String::with_capacity(r.text.len());
        for c in r.text.chars() {
            if breaks.contains(&offset) && !facts.line_breaks.contains(&offset) {
                text.push('\u{200B}');
            }
            if facts.line_breaks.contains(&offset) {
                if !text.is_empty() {
                    b.push_str(&text_run(&text, &rpr));
                }
                b.push_str("<w:r><w:br/></w:r>");
                text.clear();
            }
            text.push(c);
            offset += 1;
        }
        if !text.is_empty() {
            b.push_str(&text_run(&text, &rpr));
        }
    }
    b.push_str("</w:p>");
}

/// 署名 and 成文日期 where the PDF has them; a seal as a picture behind the
/// text, anchored in the first blank line above them.
fn signature(
    b: &mut String,
    st: &StyleSheet,
    book: &FontBook,
    (agency, date): (&str, &str),
    seals: &[crate::doc::Image],
    parts: &mut Parts,
) -> Result<(), Diagnostic> {
    let sizes: Vec<(f32, f32)> = seals.iter().map(|i| (i.width, i.height)).collect();
    let g = signature_geometry(book, st, agency, date, &sizes)?;
    let (a_right, d_right) = (g.agency_right, g.date_right);
    let pitch = tw(st.page.line_pitch_pt);
    if !g.sealed.is_empty() {
        sealed_names(b, st, &g, seals, parts);
    }
    let spacing = match (seals.first(), g.seal) {
        (Some(image), Some(at)) => {
            let x = at.left_of(st.text_width());
            let _ = write!(
                b,
                "<w:p><w:pPr><w:keepNext/>{}</w:pPr><w:r>{}</w:r></w:p>",
                exact_spacing(0, pitch),
                drawing(parts, image, Some((x, at.top)))
            );
            for _ in 1..g.blank {
                let _ = write!(
                    b,
                    "<w:p><w:pPr><w:keepNext/>{}</w:pPr></w:p>",
                    exact_spacing(0, pitch)
                );
            }
            String::new()
        }
        _ if !g.sealed.is_empty() => String::new(),
        _ => format!("<w:spacing w:before=\"{pitch}\"/>"),
    };
    if g.sealed.is_empty() {
        let _ = write!(
        b,
        "<w:p><w:pPr><w:keepNext/><w:keepLines/>{spacing}<w:ind w:right=\"{}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/></w:pPr>{}</w:p>",
        tw(a_right),
        crate::layout::signature_names(agency)
            .map(|n| text_run(n, ""))
            .collect::<Vec<_>>()
            .join("<w:r><w:br/></w:r>")
        );
    }
    if !date.is_empty() {
        let _ = write!(
            b,
            "<w:p><w:pPr><w:keepLines/><w:ind w:right=\"{}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/></w:pPr>{}</w:p>",
            tw(d_right),
            text_run(date, "")
        );
    }
    Ok(())
}

/// The 职务 and 签名章 where the PDF has them: the lines the stamp stands
/// on as exact paragraphs, the 职务's a line high and centred in them, the
/// stamp anchored behind the text in the first.
fn signed(
    b: &mut String,
    st: &StyleSheet,
    book: &FontBook,
    (title, date): (&str, &str),
    stamp: &crate::doc::Image,
    parts: &mut Parts,
) -> Result<(), Diagnostic> {
    let g = crate::layout::signed_geometry(book, st, title, date, stamp)?;
    let pitch = st.page.line_pitch_pt;
    let blank = "<w:p><w:pPr><w:keepNext/></w:pPr></w:p>";
    b.push_str(blank);
    b.push_str(blank);
    let x = g.stamp.left_of(st.text_width());
    let above = tw(g.title_top);
    let below = tw(g.lines as f32 * pitch) - above - tw(pitch);
    let mut run = format!(
        "<w:r>{}</w:r>",
        drawing(parts, stamp, Some((x, g.stamp.top)))
    );
    if above > 0 {
        let _ = write!(
            b,
            "<w:p><w:pPr><w:keepNext/>{}</w:pPr>{run}</w:p>",
            exact_spacing(0, above)
        );
        run.clear();
    }
    let _ = write!(
        b,
        "<w:p><w:pPr><w:keepNext/>{}<w:ind w:right=\"{}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/></w:pPr>{run}{}</w:p>",
        exact_spacing(0, tw(pitch)),
        tw(g.title_right),
        text_run(title, "")
    );
    if below > 0 {
        let _ = write!(
            b,
            "<w:p><w:pPr><w:keepNext/>{}</w:pPr></w:p>",
            exact_spacing(0, below)
        );
    }
    b.push_str(blank);
    let _ = write!(
        b,
        "<w:p><w:pPr><w:keepLines/><w:ind w:right=\"{}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/></w:pPr>{}</w:p>",
        tw(g.date_right),
        text_run(date, "")
    );
    Ok(())
}

/// A joint document sealed by each agency: one exact line a paragraph,
/// the seals anchored behind the text in the first, each row of names set
/// at centred tab stops where the PDF centres them.
fn sealed_names(
    b: &mut String,
    st: &StyleSheet,
    g: &crate::layout::SignatureGeometry,
    seals: &[crate::doc::Image],
    parts: &mut Parts,
) {
    let pitch = tw(st.page.line_pitch_pt);
    for k in 0..g.sealed_lines() {
        let mut tabs = String::new();
        let mut runs = String::new();
        if k == 0 {
            for (n, image) in g.sealed.iter().zip(seals) {
                let x = n.seal.left_of(st.text_width());
                let _ = write!(
                    runs,
                    "<w:r>{}</w:r>",
                    drawing(parts, image, Some((x, n.seal.top)))
                );
            }
        }
        if let Some(row) = g.sealed_row(k) {
            let mut row: Vec<_> = g.sealed.iter().filter(|n| n.row == row).collect();
            row.sort_by(|a, b| b.centre.total_cmp(&a.centre));
            tabs.push_str("<w:tabs>");
            for n in row {
                let _ = write!(
                    tabs,
                    "<w:tab w:val=\"center\" w:pos=\"{}\"/>",
                    tw(st.text_width() - n.centre)
                );
                let name: String = n.units.iter().map(|u| u.ch).collect();
                let _ = write!(runs, "<w:r><w:tab/></w:r>{}", text_run(&name, ""));
            }
            tabs.push_str("</w:tabs>");
        }
        let _ = write!(
            b,
            "<w:p><w:pPr><w:keepNext/>{tabs}{}<w:ind w:left=\"0\" w:right=\"0\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/></w:pPr>{runs}</w:p>",
            exact_spacing(0, pitch)
        );
    }
}

/// A row sized by its text gets no height: every engine then makes it its
/// text plus the cell margins plus the rule it adds to each row, and the
/// cells' bottom margin is less that rule, so it comes out as high as the
/// PDF's. Only a row stretched by a cell spanning it gets a minimum height,
/// given as Word, Spire and Aspose read it: without the cell margins
/// (LibreOffice counts them in and sets such a row a little shorter).
fn table(
    b: &mut String,
    st: &StyleSheet,
    t: &Table,
    facts: &crate::layout::BlockFacts,
    before_signature: bool,
) {
    let keeps = crate::layout::table::row_keeps(t, &facts.row_heights, before_signature);
    let total: i64 = t.widths.iter().map(|w| tw(*w)).sum();
    let border = (st.table.border_pt * 8.0).round() as i64;
    let pad = tw(st.table.padding_pt);
    let pad_v = tw(st.table.padding_v_pt);
    let pad_bottom = tw((st.table.padding_v_pt - st.table.border_pt).max(0.0));
    let _ = write!(
        b,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            b,
            "<w:{side} w:val=\"single\" w:sz=\"{border}\" w:space=\"0\" w:color=\"000000\"/>"
        );
    }
    let _ = write!(
        b,
        "</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"{pad_v}\" w:type=\"dxa\"/>\
         <w:left w:w=\"{pad}\" w:type=\"dxa\"/><w:bottom w:w=\"{pad_bottom}\" w:type=\"dxa\"/><w:right w:w=\"{pad}\" w:type=\"dxa\"/>\
         </w:tblCellMar><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
    );
    for w in &t.widths {
        let _ = write!(b, "<w:gridCol w:w=\"{}\"/>", tw(*w));
    }
    b.push_str("</w:tblGrid>");
    for (r, &keep) in keeps.iter().enumerate() {
        let height = if facts.row_stretched[r] {
            let inner = facts.row_heights[r] - 2.0 * st.table.padding_v_pt;
            format!("<w:trHeight w:val=\"{}\"/>", tw(inner))
        } else {
            String::new()
        };
        let header = if r < t.header_rows {
            "<w:tblHeader/>"
        } else {
            ""
        };
        let _ = write!(b, "<w:tr><w:trPr><w:cantSplit/>{height}{header}</w:trPr>");
        let mut c = 0;
        while c < t.widths.len() {
            let Some(cell) = t.cell_at(r, c) else {
                c += 1;
                continue;
            };
            let width: i64 = t.widths[cell.col..cell.col + cell.colspan]
                .iter()
                .map(|w| tw(*w))
                .sum();
            table_cell(b, cell, r, width, keep);
            c = cell.col + cell.colspan;
        }
        b.push_str("</w:tr>");
    }
    b.push_str("</w:tbl>");
}

/// `keep`: the row stays on the page of the next row (Word keeps a row with
/// the next when every paragraph in it is kept with the next).
fn table_cell(b: &mut String, cell: &Cell, row: usize, width: i64, keep: bool) {
    let keep = if keep { "<w:keepNext/>" } else { "" };
    let _ = write!(b, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if cell.colspan > 1 {
        let _ = write!(b, "<w:gridSpan w:val=\"{}\"/>", cell.colspan);
    }
    let continued = row > cell.row;
    if cell.rowspan > 1 {
        b.push_str(if continued {
            "<w:vMerge/>"
        } else {
            "<w:vMerge w:val=\"restart\"/>"
        });
    }
    if let Some([r, g, bl]) = cell.shade {
        let _ = write!(
            b,
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{r:02X}{g:02X}{bl:02X}\"/>"
        );
    }
    b.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
    let style = if cell.role == Role::TableHeader {
        "TableHeader"
    } else {
        "TableText"
    };
    let align = match cell.align {
        Align::Justify => Align::Left,
        a => a,
    };
    let lines: Vec<&str> = if continued {
        vec![""]
    } else {
        cell.text.split('\n').collect()
    };
    for line in lines {
        let _ = write!(
            b,
            "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{keep}<w:jc w:val=\"{}\"/></w:pPr>",
            jc(align)
        );
        if !line.is_empty() {
            b.push_str(&text_run(line, ""));
        }
        b.push_str("</w:p>");
    }
    b.push_str("</w:tc>");
}

/// A rule below the text above: an empty paragraph of one point whose
/// top border is the rule, `space_before` under the paragraph above as in
/// the PDF; as long as the text block, or centred and longer or shorter.
fn rule(b: &mut String, st: &StyleSheet, r: &crate::doc::Rule, space_before: f32) {
    let side = tw((st.text_width() - r.length.unwrap_or(st.text_width())) / 2.0);
    let _ = write!(
        b,
        "<w:p><w:pPr><w:keepNext/>{}{}<w:ind w:left=\"{side}\" w:right=\"{side}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr></w:p>",
        top_border(r.thickness, r.color),
        exact_spacing(tw(space_before.max(0.0)), 20)
    );
}

/// Text at both ends of a line: the right part at a right tab stop;
/// `space`: off the body grid, this far under what is above.
fn ends(
    b: &mut String,
    st: &StyleSheet,
    (left, right): (&[Run], &[Run]),
    inset: f32,
    space: Option<f32>,
) {
    let role = left
        .iter()
        .chain(right)
        .next()
        .map_or(Role::Body, |r| r.role);
    let pad = tw(inset * geometry::char_width(st, role));
    let stop = tw(st.text_width()) - pad;
    let runs = |rs: &[Run]| -> String {
        rs.iter()
            .map(|r| text_run(&r.text, &run_props(st, r.role, Role::Body)))
            .collect()
    };
    let spacing = space.map_or(String::new(), |v| exact_spacing(tw(v), tw(st.pitch(role))));
    let _ = write!(
        b,
        "<w:p><w:pPr><w:tabs><w:tab w:val=\"right\" w:pos=\"{stop}\"/></w:tabs>{spacing}<w:ind w:left=\"{pad}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr>{}<w:r>{}<w:tab/></w:r>{}</w:p>",
        runs(left),
        run_props(st, role, Role::Body),
        runs(right)
    );
}

/// The 版记 at the foot of the text block: each block a frame at the top
/// edge the PDF gives it (`tops`, from the page's top), a rule an empty
/// paragraph whose top border is the rule. LibreOffice places such frames;
/// it does not float a table as wide as the text block, nor a frame whose
/// paragraphs have borders.
fn foot(b: &mut String, st: &StyleSheet, blocks: &[Block], tops: &[f32]) {
    let Geometry { left, width, .. } = Geometry::of(st);
    for (block, &y) in blocks.iter().zip(tops) {
        let mut p = String::new();
        match block {
            Block::Rule(r) => rule_frame(&mut p, (left, y, width), r.thickness, r.color),
            Block::Paragraph(para) => paragraph(
                &mut p,
                st,
                para,
                RunUp::None,
                &crate::layout::BlockFacts::default(),
            ),
            Block::Ends {
                left, right, inset, ..
            } => ends(&mut p, st, (left, right), *inset, None),
            _ => continue,
        }
        if !matches!(block, Block::Rule(_)) {
            // As high as the text needs: the lines stay on the body grid.
            let framed = frame_pr((left, y, width, st.page.line_pitch_pt), "atLeast");
            p = if p.contains("<w:pPr>") {
                p.replacen("<w:pPr>", &format!("<w:pPr>{framed}"), 1)
            } else {
                p.replacen("<w:p>", &format!("<w:p><w:pPr>{framed}</w:pPr>"), 1)
            };
        }
        b.push_str(&p);
    }
    // The frames' anchor. A point high: a line of the grid would not fit
    // under a body that fills the page down to the 版记 and would carry
    // the frames onto a page of their own.
    b.push_str(&point_high("", ""));
}

/// A colour as WordprocessingML writes it, `FF0000`.
fn hex(c: [u8; 3]) -> String {
    format!("{:02X}{:02X}{:02X}", c[0], c[1], c[2])
}

fn fonts_rpr(st: &StyleSheet, role: Role) -> String {
    let f = st.family(role);
    let r = st.role(role);
    let w = esc(&f.word);
    let hp = (r.size * 2.0).round() as i64;
    let bold = if r.bold { "<w:b/><w:bCs/>" } else { "" };
    // A role set solid says so: its style is based on Normal, whose body
    // spacing it would otherwise inherit (a table's text 0.25 pt a
    // character narrower in Word than in the PDF, a line holding one
    // character more).
    let spacing = match geometry::tracking_twentieths(st, role) {
        Some(t) => format!("<w:spacing w:val=\"{t}\"/>"),
        None if geometry::tracking_twentieths(st, Role::Body).is_some() => {
            "<w:spacing w:val=\"0\"/>".to_string()
        }
        None => String::new(),
    };
    let color = hex(st.color(role));
    format!(
        "<w:rPr><w:rFonts w:ascii=\"{w}\" w:hAnsi=\"{w}\" w:eastAsia=\"{w}\" w:cs=\"{w}\"/>{bold}<w:color w:val=\"{color}\"/>{spacing}<w:sz w:val=\"{hp}\"/><w:szCs w:val=\"{hp}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr>"
    )
}

fn styles_xml(st: &StyleSheet) -> String {
    let pitch = tw(st.page.line_pitch_pt);
    let indent = tw(2.0 * st.role(Role::Body).size);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles {W_NS}>\
         <w:docDefaults><w:rPrDefault>{}</w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/>\
         <w:kinsoku/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{pitch}\" w:lineRule=\"exact\"/>\
         <w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        fonts_rpr(st, Role::Body)
    );
    let _ = write!(
        s,
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:spacing w:line=\"{pitch}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"{indent}\"/><w:jc w:val=\"both\"/></w:pPr>{}</w:style>",
        fonts_rpr(st, Role::Body)
    );
    let title_pitch = tw(st.pitch(Role::Title));
    let _ = write!(
        s,
        "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:after=\"{pitch}\" w:line=\"{title_pitch}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"9\"/></w:pPr>{}</w:style>",
        fonts_rpr(st, Role::Title)
    );
    for level in 1..=4u8 {
        let role = Role::heading(level);
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:spacing w:line=\"{pitch}\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"{}\"/></w:pPr>{}</w:style>",
            level - 1,
            fonts_rpr(st, role)
        );
    }
    for (id, role) in [
        ("TableText", Role::Table),
        ("TableHeader", Role::TableHeader),
    ] {
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{id}\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
             <w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>{}</w:style>",
            tw(st.pitch(role)),
            fonts_rpr(st, role)
        );
    }
    let _ = write!(
        s,
        "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr>{}</w:style></w:styles>",
        tw(st.role(Role::PageNumber).size * 1.15),
        fonts_rpr(st, Role::PageNumber)
    );
    s
}

/// Odd pages: number at the right, one character in; even pages: at the left.
/// A page-number footer, or an empty one when not `numbered`.
fn footer_xml(st: &StyleSheet, even: bool, numbered: bool) -> String {
    if !numbered {
        return format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr {W_NS}><w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr></w:p></w:ftr>"
        );
    }
    let ch = tw(st.role(Role::PageNumber).size);
    let (jc, ind) = if even {
        ("left", format!("<w:ind w:left=\"{ch}\"/>"))
    } else {
        ("right", format!("<w:ind w:right=\"{ch}\"/>"))
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr {W_NS}><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>\
         {}</w:p></w:ftr>",
        page_field(st)
    )
}

/// The page number's runs: the style's text around a PAGE field.
fn page_field(st: &StyleSheet) -> String {
    let (before, after) = st.page.page_number.split_once("{}").unwrap_or(("", ""));
    format!(
        "{}<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>{}",
        text_run(before, ""),
        text_run(after, "")
    )
}

/// A turned (横排) page's footer: the page number in a text box whose
/// text runs down the page (`layout-flow:vertical`), so that on the
/// sheet, turned back upright, it stands where every other page has it
/// (GB/T 9704 clause 8): one character in from the text block's outer
/// edge, its dashes 7 mm under the block. A VML box: LibreOffice places
/// a DrawingML one in an even page's footer at the page's corner.
fn turned_footer_xml(st: &StyleSheet, even: bool) -> String {
    let g = Geometry::of(st);
    let size = st.role(Role::PageNumber).size;
    // The sheet's (x, y) is (page height − y, x) on the turned page.
    let baseline = g.page_height - g.page_number_baseline(size);
    // One line of the number's height; the glyphs' tops face right.
    let line = size * 1.2;
    let left = baseline - TURNED_DESCENT * size;
    let length = 8.0 * size;
    let (top, jc) = if even {
        (g.left + size, "left")
    } else {
        (g.right() - size - length, "right")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr {W_NS} xmlns:v=\"urn:schemas-microsoft-com:vml\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr><w:r><w:pict>\
         <v:rect style=\"position:absolute;margin-left:{left:.2}pt;margin-top:{top:.2}pt;width:{line:.2}pt;height:{length:.2}pt;z-index:2;\
         mso-position-horizontal-relative:page;mso-position-vertical-relative:page\" stroked=\"f\" filled=\"f\">\
         <v:textbox style=\"layout-flow:vertical\" inset=\"0,0,0,0\"><w:txbxContent><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{}<w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p></w:txbxContent></v:textbox>\
         </v:rect></w:pict></w:r></w:p></w:ftr>",
        exact_spacing(0, tw(line)),
        page_field(st),
    )
}

/// Where the baseline lies in a line of the turned page number, from the
/// line's foot, in ems.
const TURNED_DESCENT: f32 = 0.25;

fn font_table(st: &StyleSheet, embedded: Option<&embed::Embedded>) -> String {
    let mut s =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:fonts {W_NS}>");
    let mut seen = std::collections::BTreeSet::new();
    for f in st.fonts.values() {
        if !seen.insert(f.word.clone()) {
            continue;
        }
        let _ = write!(s, "<w:font w:name=\"{}\">", esc(&f.word));
        if let Some(alt) = &f.word_alt {
            let _ = write!(s, "<w:altName w:val=\"{}\"/>", esc(alt));
        }
        s.push_str(
            "<w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/>",
        );
        if let Some(e) = embedded {
            if let Some((i, font)) = e.fonts.iter().enumerate().find(|(_, x)| x.family == f.word) {
                let _ = write!(
                    s,
                    "<w:embedRegular r:id=\"rIdFont{}\" w:fontKey=\"{}\"/>",
                    i + 1,
                    font.key
                );
            }
        }
        s.push_str("</w:font>");
    }
    s.push_str("</w:fonts>");
    s
}

fn core_xml(doc: &Document, epoch: Option<i64>) -> String {
    let m = &doc.meta;
    let date = match (epoch, m.date) {
        (Some(secs), _) => {
            let (y, mo, d, hh, mm, ss) = crate::epoch::civil_from_secs(secs);
            Some(format!("{y:04}-{mo:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z"))
        }
        (None, Some((y, mo, d))) => Some(format!("{y:04}-{mo:02}-{d:02}T00:00:00Z")),
        _ => None,
    };
    let dates = date.map_or(String::new(), |d| {
        format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{d}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{d}</dcterms:modified>"
        )
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:subject>{}</dc:subject>\
         <dc:creator>{}</dc:creator><cp:keywords>{}</cp:keywords><dc:language>{}</dc:language>{dates}</cp:coreProperties>",
        esc(&m.title),
        esc(&m.subject),
        esc(&m.author),
        esc(&m.keywords.join(", ")),
        esc(&m.language)
    )
}

fn content_types(embedded: bool, parts: &Parts) -> String {
    let mut extra = String::new();
    if embedded {
        extra.push_str("<Default Extension=\"odttf\" ContentType=\"application/vnd.openxmlformats-officedocument.obfuscatedFont\"/>");
    }
    let mut overrides = String::new();
    for (k, p) in parts.pictures.iter().enumerate() {
        let _ = write!(
            overrides,
            "<Override PartName=\"/{}\" ContentType=\"{}\"/>",
            Parts::media(k),
            p.format.mime()
        );
    }
    let part = |name: &str, kind: &str| {
        format!("<Override PartName=\"/word/{name}\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml\"/>")
    };
    if parts.first_header.is_some() {
        overrides.push_str(&part("header1.xml", "header"));
    }
    if parts.title_page {
        overrides.push_str(&part("footer3.xml", "footer"));
    }
    if parts.unnumbered_end {
        overrides.push_str(&part("footer4.xml", "footer"));
    }
    if parts.turned {
        overrides.push_str(&part("footer5.xml", "footer"));
        overrides.push_str(&part("footer6.xml", "footer"));
    }
    CONTENT_TYPES
        .replacen(
            "<Default Extension=\"xml\"",
            &format!("{extra}<Default Extension=\"xml\""),
            1,
        )
        .replacen("</Types>", &format!("{overrides}</Types>"), 1)
}

fn document_rels(parts: &Parts) -> String {
    let mut extra = String::new();
    let rel = |id: &str, kind: &str, target: &str| {
        format!("<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>")
    };
    for k in 0..parts.pictures.len() {
        let target = Parts::media(k);
        extra.push_str(&rel(
            &format!("rIdPicture{}", k + 1),
            "image",
            target.trim_start_matches("word/"),
        ));
    }
    if parts.first_header.is_some() {
        extra.push_str(&rel("rIdHeaderFirst", "header", "header1.xml"));
    }
    if parts.title_page {
        extra.push_str(&rel("rIdFooterFirst", "footer", "footer3.xml"));
    }
    if parts.unnumbered_end {
        extra.push_str(&rel("rIdFooterNone", "footer", "footer4.xml"));
    }
    if parts.turned {
        extra.push_str(&rel("rIdFooterTurnedOdd", "footer", "footer5.xml"));
        extra.push_str(&rel("rIdFooterTurnedEven", "footer", "footer6.xml"));
    }
    DOC_RELS.replacen("</Relationships>", &format!("{extra}</Relationships>"), 1)
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFonts\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdTheme\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>";

/// `embedTrueTypeFonts` and `saveSubsetFonts` sit between `zoom` and
/// `defaultTabStop` in the schema's order.
fn settings(embedded: bool) -> String {
    let embed = if embedded {
        "<w:embedTrueTypeFonts/><w:saveSubsetFonts/>"
    } else {
        ""
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/>{embed}<w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:settings>"
    )
}

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>gongwen</Application></Properties>";

//! Page breaks and lost text, on the fixtures of `tests/fixtures/layout/`:
//! each is a template placing one hard case (a heading before a tall table
//! at a page foot, a table header with room for one body row, a body that
//! fills the page before the signature, 60-line titles, long signatures,
//! cells taller than a page, merged cells over several pages, long URLs).
//! Each is checked for what a 公文 reviewer looks at, for every character
//! of the model on a page inside the text block, and against its page dump
//! (`tests/snapshots/layout/`, `BLESS=1` to re-bless).

use crate::common;

use std::path::Path;

use gongwen::doc::{Block, Document};
use gongwen::font::FontBook;
use gongwen::layout::frame::{Item, Page};
use gongwen::template::Template;

const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = (28.0 + 156.0) * MM;
const TOP: f32 = 37.0 * MM;
const BOTTOM: f32 = (37.0 + 225.0) * MM;

fn document(case: &str) -> Document {
    let report = common::report("samples/qinghe-market-2025.toml");
    let t = Template::from_dir(
        &Path::new("tests/fixtures/layout").join(case),
        &gongwen::disk::Disk,
    )
    .unwrap();
    t.document(&report).unwrap()
}

fn pages(case: &str) -> (Document, Vec<Page>) {
    let doc = document(case);
    let pages = gongwen::layout::layout(&doc, &FontBook::bundled()).unwrap();
    common::assert_snapshot(
        format!("tests/snapshots/layout/{case}.pages.txt"),
        &gongwen::layout::frame::dump(&pages),
    );
    (doc, pages)
}

/// Text lines of a page inside the text block (page numbers left out),
/// top to bottom: (baseline, text).
fn lines(p: &Page) -> Vec<(f32, String)> {
    common::text_lines(p, |t| t.y < BOTTOM + 1.0)
}

fn page_text(p: &Page) -> String {
    lines(p).into_iter().map(|(_, l)| l).collect()
}

/// Every piece of text of the model, as the reader should find it.
fn block_texts(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for b in &doc.blocks {
        match b {
            // A paragraph's runs read as one piece.
            Block::Paragraph(p) => out.push(p.runs.iter().map(|r| r.text.as_str()).collect()),
            other => other.texts(&mut |_, t| out.push(t.to_string())),
        }
    }
    out
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Nothing lost: every block's text is found, in one piece, in the text
/// the pages show in their drawing order, and every item lies inside the
/// text block.
fn assert_nothing_lost(case: &str, doc: &Document, pages: &[Page]) {
    let mut stream = String::new();
    for p in pages {
        for i in &p.items {
            match i {
                Item::Text(t) if t.y < BOTTOM + 1.0 => {
                    stream.push_str(&t.text);
                    let w: f32 = t.glyphs.iter().map(|g| g.advance).sum();
                    assert!(
                        t.x >= LEFT - 0.5 && t.x + w <= RIGHT + 0.5,
                        "{case}: text outside the block: {:?} at x {} w {w}",
                        t.text,
                        t.x
                    );
                    assert!(
                        t.y - t.size * 0.9 >= TOP - 0.5,
                        "{case}: text above the block: {:?} at {}",
                        t.text,
                        t.y
                    );
                }
                Item::Text(_) | Item::Image { .. } => {}
                Item::Line { y1, y2, x1, x2, .. } => {
                    for y in [y1, y2] {
                        assert!(
                            (TOP - 0.5..=BOTTOM + 0.5).contains(y),
                            "{case}: rule outside the block at {y}"
                        );
                    }
                    for x in [x1, x2] {
                        assert!(
                            (LEFT - 0.5..=RIGHT + 0.5).contains(x),
                            "{case}: rule at {x}"
                        );
                    }
                }
                Item::Rect { y, h, .. } => {
                    assert!(
                        *y >= TOP - 0.5 && y + h <= BOTTOM + 0.5,
                        "{case}: fill at {y}"
                    );
                }
            }
        }
    }
    let stream = squash(&stream);
    for piece in block_texts(doc) {
        let piece = squash(&piece);
        assert!(
            stream.contains(&piece),
            "{case}: text lost: {}…",
            piece.chars().take(30).collect::<String>()
        );
    }
}

fn heading_texts(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The reviewer's rules: no heading is the last line of a page, and no
/// page holds only the signature.
fn assert_reviewer_rules(case: &str, doc: &Document, pages: &[Page]) {
    let headings = heading_texts(doc);
    for (n, p) in pages.iter().enumerate() {
        let l = lines(p);
        if let Some((_, last)) = l.last() {
            assert!(
                n + 1 == pages.len() || !headings.contains(last),
                "{case}: page {} ends with the heading {last}",
                n + 1
            );
        }
    }
    for b in &doc.blocks {
        if let Block::Signature { agency, date, .. } = b {
            for (n, p) in pages.iter().enumerate() {
                let text = squash(&page_text(p));
                let sig = squash(&format!("{agency}{date}"));
                assert!(
                    text != sig,
                    "{case}: page {} holds only the signature",
                    n + 1
                );
            }
        }
    }
}

fn check(case: &str) -> Vec<Page> {
    let (doc, pages) = pages(case);
    assert_nothing_lost(case, &doc, &pages);
    assert_reviewer_rules(case, &doc, &pages);
    pages
}

fn page_of(pages: &[Page], needle: &str) -> usize {
    pages
        .iter()
        .position(|p| page_text(p).contains(needle))
        .unwrap_or_else(|| panic!("{needle} not found"))
}

#[test]
fn a_heading_moves_with_the_tall_table_header_it_introduces() {
    let pages = check("heading-before-table");
    let heading = page_of(&pages, "四、政府信息公开行政复议、行政诉讼情况");
    assert_eq!(heading, page_of(&pages, "行政复议"));
    assert_eq!(heading, page_of(&pages, "复议后起诉"));
    assert_eq!(heading, 1, "the heading went to the second page");
    // The lines that stayed keep their grid: the first page is the
    // filler alone, 16 lines under the title.
    assert_eq!(lines(&pages[0]).len(), 17);
}

#[test]
fn a_table_header_never_stands_with_one_body_row_at_a_page_foot() {
    let pages = check("table-header-one-row");
    let header = page_of(&pages, "申请人情况");
    let t = page_text(&pages[header]);
    assert!(t.contains("一、本年新收政府信息公开申请数量"), "{t}");
    assert!(t.contains("二、上年结转政府信息公开申请数量"), "{t}");
}

#[test]
fn a_group_row_of_table_two_never_ends_a_page() {
    let pages = check("group-row-at-foot");
    for (n, p) in pages.iter().enumerate() {
        let l = lines(p);
        let (_, last) = l.last().expect("text");
        assert!(
            !last.starts_with("第二十条") && !last.starts_with("信息内容"),
            "page {} ends with {last}",
            n + 1
        );
    }
}

#[test]
fn the_signature_takes_the_last_lines_of_the_text_with_it() {
    let pages = check("signature-at-foot");
    assert_eq!(pages.len(), 2);
    let last = page_text(&pages[1]);
    assert!(last.contains("青禾区市场监督管理局2026年1月20日"), "{last}");
    assert!(last.contains("联系。"), "{last}");
}

#[test]
fn long_titles_are_paged_not_cut() {
    let pages = check("long-title");
    assert!(pages.len() >= 10, "{} pages", pages.len());
    assert!(page_text(pages.last().unwrap()).contains("标题之后的正文。"));
}

#[test]
fn long_signatures_wrap_inside_the_text_block() {
    check("long-signature");
}

#[test]
fn merged_cells_over_several_pages_stay_inside_each_segment() {
    let pages = check("rowspan-empty");
    assert!(pages.len() >= 3);
}

#[test]
fn addresses_break_where_typesetters_break_them_and_numbers_stay_whole() {
    let pages = check("long-url");
    let l: Vec<String> = lines(&pages[0]).into_iter().map(|(_, t)| t).collect();
    let all = l.join("\n");
    for number in ["0517-87222589", "13912345678"] {
        assert!(
            l.iter().any(|t| t.contains(number)),
            "{number} split:\n{all}"
        );
    }
    // Every line of a paragraph that goes on is justified within a quarter
    // em a gap: none is spread because an address could not break.
    for p in &pages {
        for i in &p.items {
            if let Item::Text(t) = i {
                for g in &t.glyphs {
                    assert!(g.advance <= t.size * 1.25 + 0.6, "{:?} spread", t.text);
                }
            }
        }
    }
    assert!(all.contains("https://www."), "{all}");
}

#[test]
fn a_cell_taller_than_a_page_is_refused_with_its_row_and_text() {
    let doc = document("tall-cell");
    let err = gongwen::layout::layout(&doc, &FontBook::bundled()).unwrap_err();
    assert_eq!(
        err.message,
        "表格第 2 行排不进一页（约 3167 毫米高，一页正文区只有 225 毫米）：单元格「很长的说明文字第0句很长的说明文……」的文字太长"
    );
}

#[test]
fn sample_reports_keep_every_character() {
    for stem in ["zhanlang-2020", "qinghe-market-2025"] {
        let r = common::report(format!("samples/{stem}.toml"));
        let doc = gongwen::template::builtin::for_format(r.format)
            .document(&r)
            .unwrap();
        let pages = gongwen::layout::layout(&doc, &FontBook::bundled()).unwrap();
        assert_nothing_lost(stem, &doc, &pages);
        assert_reviewer_rules(stem, &doc, &pages);
    }
}

#[test]
fn a_heading_pushed_over_by_the_grid_step_under_a_table_starts_its_page_in_word() {
    // In the PDF the step back onto the line grid under table 三 leaves no
    // room for heading 四 and its table. Word gives no such step, so the
    // DOCX must start the heading's page itself or Word keeps it on the
    // page before and every later page starts elsewhere.
    let r = common::report("tests/fixtures/reports/qingxi-jiedao-2020.toml");
    let doc = gongwen::template::builtin::for_format(r.format)
        .document(&r)
        .unwrap();
    let book = FontBook::bundled();
    let laid = gongwen::layout::lay_out(&doc, &book).unwrap();
    let heading = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { text, .. } if text.starts_with("四、")))
        .expect("heading 四");
    assert!(matches!(doc.blocks[heading - 1], Block::Table(_)));
    let facts = &laid.blocks[heading];
    assert!(facts.after_step_break, "{facts:?}");
    let table_page = laid.blocks[heading - 1].at.map(|(p, _)| p);
    let table_end_page = laid.pages.iter().rposition(|p| {
        p.items
            .iter()
            .any(|i| matches!(i, Item::Text(t) if t.text.contains("申请人情况")))
    });
    assert!(table_page.is_some() && table_end_page.is_some());
    assert_eq!(
        facts.at.map(|(p, _)| p),
        table_end_page.map(|p| p + 1),
        "heading 四 starts the page after table 三's last"
    );

    let bytes = gongwen::export::docx::write(
        &doc,
        &book,
        &laid,
        Some(0),
        gongwen::export::docx::Fonts::Official,
    )
    .unwrap();
    let xml = common::document_xml(&bytes);
    let at = xml.find(">四、政府信息公开行政复议").unwrap();
    let p = &xml[xml[..at].rfind("<w:p>").unwrap()..at];
    assert!(p.contains("<w:pageBreakBefore/>"), "{p}");
    // Headings moved for an ordinary reason keep Word's own breaking.
    assert_eq!(xml.matches("<w:pageBreakBefore/>").count(), 1);
}

//! Line breaking, justification and table splitting on the bundled fonts.

use gongwen::doc::{Align, Block, Cell, Document, Meta, Role, StyleSheet, Table};
use gongwen::font::FontBook;
use gongwen::layout::frame::{Item, Page};
use gongwen::layout::geometry::body_tracking;
use gongwen::layout::inline::{break_cell_lines, break_lines, place_line, shape};

fn lines(text: &str) -> Vec<String> {
    let book = FontBook::bundled();
    let style = StyleSheet::gbt9704();
    let units = shape(&book, &style, &[(Role::Body, text)], body_tracking(&style)).unwrap();
    let w = style.text_width();
    break_lines(&units, w, w)
        .into_iter()
        .map(|r| units[r].iter().map(|u| u.ch).collect())
        .collect()
}

#[test]
fn a_line_holds_exactly_28_chinese_characters() {
    let text = "政".repeat(60);
    let l = lines(&text);
    assert_eq!(
        l.iter().map(|s| s.chars().count()).collect::<Vec<_>>(),
        vec![28, 28, 4]
    );
}

#[test]
fn closing_punctuation_never_starts_a_line() {
    // A full line, then a full stop: the stop stays at the line's end, as
    // Word and LibreOffice hang it.
    let text = format!("{}。后续文字", "字".repeat(28));
    let l = lines(&text);
    assert_eq!(l[0].chars().count(), 29, "{l:?}");
    assert!(l[0].ends_with("字。") && l[1] == "后续文字", "{l:?}");
    // Any other closing mark hangs too, as Word and WPS hang it.
    for mark in ["》", "）", "”", "；", "："] {
        let text = format!("{}{mark}后续文字", "字".repeat(28));
        let l = lines(&text);
        assert_eq!(l[0].chars().count(), 29, "{l:?}");
        assert!(l[0].ends_with(mark) && l[1] == "后续文字", "{l:?}");
    }
    // An ellipsis does not hang: the character before it goes along.
    let l = lines(&format!("{}……后续", "字".repeat(27)));
    assert!(l[1].starts_with("字……"), "{l:?}");
    // A character that cannot fit before a closing mark is pushed in when
    // the line's punctuation gives up the room (挤进).
    let l = lines(&format!(
        "{}〈{}〉{}知》后续",
        "字".repeat(2),
        "字".repeat(20),
        "字".repeat(3)
    ));
    assert!(l[0].ends_with("知》") && l[1] == "后续", "{l:?}");
    // Three closing marks in a row: a character is carried over with them.
    let text = format!("{}”。）后续", "字".repeat(28));
    let l = lines(&text);
    for line in &l[1..] {
        assert!(
            !"。，、；：？！）”’".contains(line.chars().next().unwrap()),
            "{l:?}"
        );
    }
}

#[test]
fn a_hanging_stop_stays_inside_the_margin() {
    let book = FontBook::bundled();
    let style = StyleSheet::gbt9704();
    let w = style.text_width();
    // With commas in the line, squeezing them makes room for the stop;
    // without, the line's gaps give it up a little each.
    for text in [
        format!("{}。后续", "字，".repeat(14)),
        format!("{}。后续", "字".repeat(28)),
    ] {
        let units = shape(&book, &style, &[(Role::Body, &text)], body_tracking(&style)).unwrap();
        let first = break_lines(&units, w, w).remove(0);
        let runs = place_line(&units, first, 0.0, 0.0, w, Align::Justify, false);
        let last = runs.last().unwrap();
        let end: f32 = last.x + last.glyphs.iter().map(|g| g.advance).sum::<f32>();
        assert!(last.text.ends_with('。'), "{text}");
        // The stop gives up the blank half of its em; the line ends at
        // the margin.
        assert!(end <= w + 0.01, "{text}: ends at {end}, width {w}");
    }
}

/// In a table cell a pause mark does not hang: Aspose.Words, Spire.Doc
/// and LibreOffice take the character before it to the next line there,
/// where they hang it in a body paragraph, and a cell's lines must break
/// where theirs do.
#[test]
fn a_cells_pause_mark_takes_the_character_before_it_along() {
    let book = FontBook::bundled();
    let style = StyleSheet::gbt9704();
    // 具体措施 of a 横排 分解表: 85.7 mm less the cell's padding holds
    // 19.99 characters of 12 pt.
    let w = 239.97;
    let text = "围绕年度重大政策文件，同步制定解读方案，采用图解、视频、问答等形式解读";
    let units = shape(&book, &style, &[(Role::Table, text)], 0.0).unwrap();
    let cut = |ranges: Vec<std::ops::Range<usize>>| -> Vec<String> {
        ranges
            .into_iter()
            .map(|r| units[r].iter().map(|u| u.ch).collect())
            .collect()
    };
    let cell = cut(break_cell_lines(&units, w));
    assert_eq!(cell[0], "围绕年度重大政策文件，同步制定解读方", "{cell:?}");
    assert!(cell[1].starts_with("案，"), "{cell:?}");
    // In a paragraph the same mark hangs.
    let body = cut(break_lines(&units, w, w));
    assert!(body[0].ends_with("方案，"), "{body:?}");
    // A line that fits is the same either way.
    assert_eq!(
        cut(break_cell_lines(&units, 300.0))[0],
        cut(break_lines(&units, 300.0, 300.0))[0]
    );
}

#[test]
fn opening_punctuation_never_ends_a_line() {
    let text = format!("{}（括号内容）", "字".repeat(27));
    let l = lines(&text);
    assert!(!l[0].ends_with('（'), "{l:?}");
    assert!(l[1].starts_with("字（") || l[1].starts_with('（'), "{l:?}");
}

#[test]
fn addresses_break_only_after_slash_dot_at_or_before_a_query() {
    let url = "https://www.qinghe.example.gov.cn/zwgk/2025/index.html?page=1";
    for pad in 0..28 {
        let text = format!("{}{url}后面的文字", "字".repeat(pad));
        let l = lines(&text);
        for pair in l.windows(2) {
            let end = pair[0].chars().last().unwrap();
            let start = pair[1].chars().next().unwrap();
            if end.is_ascii() && start.is_ascii() {
                assert!(
                    matches!(end, '/' | '.' | '@' | '-') || start == '?',
                    "{url} broken between {end:?} and {start:?} at {pad}: {l:?}"
                );
                assert!(!(end == '/' && start == '/'), "{l:?}");
                assert!(!(end == '.' && start.is_ascii_digit()), "{l:?}");
            }
        }
    }
}

#[test]
fn numbers_years_and_addresses_stay_whole() {
    for word in ["2020", "12345", "7730.28", "0517-87222589"] {
        for pad in 20..28 {
            let text = format!("{}{word}后面的文字", "字".repeat(pad));
            let l = lines(&text);
            assert!(
                l.iter().any(|line| line.contains(word)),
                "{word} broken at {pad}: {l:?}"
            );
        }
    }
}

#[test]
fn a_unit_may_start_a_line_as_in_word() {
    // GB/T 15835 keeps a number whole, not its unit with it; Word breaks
    // there, and the PDF breaks where the DOCX does.
    let l = lines(&format!("{}12件后续", "字".repeat(27)));
    assert!(l[0].ends_with("12") && l[1].starts_with('件'), "{l:?}");
}

#[test]
fn dashes_and_ellipses_are_not_split() {
    for pad in 25..28 {
        let l = lines(&format!("{}——破折号……省略号", "字".repeat(pad)));
        assert!(l.iter().any(|x| x.contains("——")), "{l:?}");
        assert!(l.iter().any(|x| x.contains("……")), "{l:?}");
    }
}

#[test]
fn justified_lines_reach_the_right_edge_and_the_last_does_not() {
    let book = FontBook::bundled();
    let style = StyleSheet::gbt9704();
    let text =
        "本机关2020年共收到申请12件，其中自然人申请10件，法人或其他组织申请2件，均已按期答复。"
            .repeat(2)
            + "这是最后一行的文字。";
    let units = shape(&book, &style, &[(Role::Body, &text)], body_tracking(&style)).unwrap();
    let w = style.text_width();
    let ranges = break_lines(&units, w, w);
    assert!(ranges.len() >= 3);
    let end =
        |r: &gongwen::layout::frame::TextRun| r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>();
    for (i, r) in ranges.iter().enumerate() {
        let last = i + 1 == ranges.len();
        let runs = place_line(&units, r.clone(), 0.0, 0.0, w, Align::Justify, last);
        let right = end(runs.last().unwrap());
        if last {
            let natural: f32 = units[r.clone()].iter().map(|u| u.adv).sum();
            assert!(
                (right - natural).abs() < 0.01,
                "last line is not stretched: {right} vs {natural} (w {w})"
            );
        } else {
            assert!(
                (right - w).abs() < 0.05,
                "line {i} ends at {right}, width {w}"
            );
        }
    }
}

fn long_table(rows: usize) -> Document {
    let mut cells = Vec::new();
    let header = |col, text: &str| Cell {
        row: 0,
        col,
        rowspan: 1,
        colspan: 1,
        role: Role::TableHeader,
        text: text.into(),
        align: Align::Center,
        shade: None,
    };
    cells.push(header(0, "分组"));
    cells.push(header(1, "项目"));
    for r in 1..rows {
        if r == 1 {
            cells.push(Cell {
                row: 1,
                col: 0,
                rowspan: rows - 1,
                colspan: 1,
                role: Role::Table,
                text: "合并的分组".into(),
                align: Align::Center,
                shade: None,
            });
        }
        cells.push(Cell {
            row: r,
            col: 1,
            rowspan: 1,
            colspan: 1,
            role: Role::Table,
            text: format!("第{r}行"),
            align: Align::Center,
            shade: None,
        });
    }
    let style = StyleSheet::gbt9704();
    let w = style.text_width();
    Document {
        meta: Meta::default(),
        style,
        blocks: vec![Block::Table(Table {
            widths: vec![w / 2.0, w / 2.0],
            header_rows: 1,
            continued: None,
            rows,
            keep_with_next: vec![false; rows],
            cells,
        })],
    }
}

fn page_texts(p: &Page) -> Vec<String> {
    p.items
        .iter()
        .filter_map(|i| {
            if let Item::Text(t) = i {
                Some(t.text.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn long_tables_split_between_rows_and_repeat_their_header() {
    let book = FontBook::bundled();
    let doc = long_table(80);
    let pages = gongwen::layout::layout(&doc, &book).unwrap();
    assert!(pages.len() >= 2);
    let mut seen = Vec::new();
    for p in &pages {
        let t = page_texts(p);
        assert!(
            t.iter().any(|s| s == "项目"),
            "header repeated on every page"
        );
        assert!(
            t.iter().any(|s| s == "合并的分组"),
            "merged label continues on every page"
        );
        seen.extend(t.into_iter().filter(|s| s.starts_with('第')));
        // Nothing below the text block (page numbers aside).
        let bottom = (37.0 + 225.0) * 72.0 / 25.4;
        for i in &p.items {
            if let Item::Line { y2, .. } = i {
                assert!(*y2 <= bottom + 0.6, "rule below the text block: {y2}");
            }
        }
    }
    let expected: Vec<String> = (1..80).map(|r| format!("第{r}行")).collect();
    assert_eq!(seen, expected, "every row once, in order, none split");
}

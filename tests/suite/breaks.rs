//! Line and page breaks a reviewer sends back, each on a document modelled
//! on a real one, checked on the laid-out pages (what the PDF is written
//! from) and in the DOCX, which must break where the PDF does.

use std::path::Path;

use gongwen::compile::{compile, Failure, Job, Made, Typeset};
use gongwen::layout::frame::{Item, Page};

/// The notice fixture with `edits` (key line prefix → new line) applied,
/// laid out, and its DOCX's document.xml.
fn notice(edits: &[(&str, &str)]) -> (Typeset, String) {
    let mut text = std::fs::read_to_string("tests/fixtures/kinds/notice.toml").unwrap();
    for (key, line) in edits {
        let old = text
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no line {key}"))
            .to_string();
        text = text.replacen(&old, line, 1);
    }
    typeset(&text)
}

fn typeset(text: &str) -> (Typeset, String) {
    let t = typeset_file("tests/fixtures/kinds/x.toml", text);
    let docx = gongwen::export::docx::write(
        &t.document,
        &t.book,
        &t.laid,
        None,
        gongwen::export::docx::Fonts::Official,
    )
    .unwrap();
    let xml = crate::common::document_xml(&docx);
    (t, xml)
}

/// A page's text lines of runs set in `size`, top to bottom.
fn lines_of(p: &Page, size: f32) -> Vec<String> {
    crate::common::text_lines(p, |t| (t.size - size).abs() < 0.01)
        .into_iter()
        .map(|(_, l)| l)
        .collect()
}

/// The DOCX's title lines: the text of the paragraph holding `start`, split
/// at its line breaks.
fn docx_title(xml: &str, start: &str) -> Vec<String> {
    let at = xml.find(start).expect("the title in the DOCX");
    let p0 = xml[..at]
        .rfind("<w:p>")
        .or_else(|| xml[..at].rfind("<w:p "))
        .unwrap();
    let p1 = at + xml[at..].find("</w:p>").unwrap();
    let para = &xml[p0..p1];
    let mut lines = vec![String::new()];
    let mut rest = para;
    while let Some(i) = rest.find('<') {
        let j = i + rest[i..].find('>').unwrap();
        let tag = &rest[i..=j];
        if tag.starts_with("<w:br") {
            lines.push(String::new());
        }
        if tag.starts_with("<w:t") && !tag.ends_with("/>") {
            let end = j + 1 + rest[j + 1..].find("</w:t>").unwrap();
            lines.last_mut().unwrap().push_str(&rest[j + 1..end]);
            rest = &rest[end..];
            continue;
        }
        rest = &rest[j + 1..];
    }
    lines
}

/// The title's lines on page 1 and in the DOCX, which must agree.
fn title_lines(edits: &[(&str, &str)], start: &str) -> Vec<String> {
    let (t, xml) = notice(edits);
    let pdf = lines_of(&t.laid.pages[0], 22.0);
    assert_eq!(
        docx_title(&xml, start),
        pdf,
        "the DOCX breaks where the PDF does"
    );
    pdf
}

#[test]
fn a_report_title_keeps_2019_nian_du_whole_and_its_agency() {
    let l = title_lines(
        &[
            ("issuer = ", "issuer = \"平潭综合实验区市场监督管理局\""),
            (
                "title = \"某某市人民政府办公室关于",
                "title = \"平潭综合实验区市场监督管理局2019年度政府信息公开工作年度报告\"",
            ),
        ],
        "政府信息公开工作年度报告",
    );
    assert_eq!(
        l,
        [
            "平潭综合实验区市场监督管理局2019年度",
            "政府信息公开工作年度报告"
        ]
    );
}

#[test]
fn a_letter_title_has_no_han_alone_and_breaks_between_words() {
    let l = title_lines(
        &[(
            "title = \"某某市人民政府办公室关于",
            "title = \"福建省地方金融监督管理局关于做好2024年度金融风险排查整治工作的函\"",
        )],
        "排查整治",
    );
    assert!(
        l.len() == 2 && l.iter().all(|x| x.chars().count() > 3),
        "{l:?}"
    );
    for (a, b) in l.iter().zip(&l[1..]) {
        let (ea, sb): (String, String) = (
            a.chars().rev().take(2).collect(),
            b.chars().take(2).collect(),
        );
        for w in ["金融", "福建", "年度", "风险", "排查", "整治"] {
            let joint: String = ea.chars().rev().chain(sb.chars()).collect();
            assert!(
                !joint.contains(w) || a.ends_with(w) || b.starts_with(w),
                "「{w}」 broken: {l:?}"
            );
        }
    }
    let first = l[0].chars().count();
    assert!(l[1].chars().count() <= first, "an upside-down 梯形: {l:?}");
}

#[test]
fn a_joint_title_breaks_after_the_agencies_or_before_guanyu() {
    let l = title_lines(
        &[
            ("issuer = ", "issuer = [\"某某市发展和改革委员会\", \"某某市财政局\"]"),
            (
                "title = \"某某市人民政府办公室关于",
                "title = \"某某市发展和改革委员会　某某市财政局关于下达2025年中央预算内投资计划的通知\"",
            ),
        ],
        "中央预算内",
    );
    assert!(
        l[0].ends_with("财政局") || l[0].ends_with("关于") || l[0].ends_with("年"),
        "{l:?}"
    );
    assert!(!l.concat().is_empty() && l.iter().all(|x| !x.contains("预算｜内")));
}

/// The text of every page, its lines joined.
fn page_texts(t: &Typeset) -> Vec<String> {
    t.laid
        .pages
        .iter()
        .map(|p| {
            let mut runs: Vec<(f32, f32, &str)> = p
                .all_items()
                .filter_map(|i| match i {
                    Item::Text(t) => Some((t.y, t.x, t.text.as_str())),
                    _ => None,
                })
                .collect();
            runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            runs.into_iter().map(|r| r.2).collect()
        })
        .collect()
}

/// The `<w:pPr>` of the DOCX paragraph holding `text`.
fn ppr_of<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml
        .find(text)
        .unwrap_or_else(|| panic!("no {text} in the DOCX"));
    let p0 = xml[..at].rfind("<w:p>").unwrap();
    let end = p0 + xml[p0..].find("</w:pPr>").unwrap();
    &xml[p0..end]
}

#[test]
fn attachments_and_signature_never_stand_on_a_page_without_body_text() {
    // Ten paragraphs fill page 3 so that before, the 附件说明, 署名 and
    // 日期 went over alone (7.3.5 forbids 「此页无正文」).
    let text = std::fs::read_to_string("tests/fixtures/breaks/attachments-at-foot.toml").unwrap();
    let (t, xml) = typeset(&text);
    let pages = page_texts(&t);
    let note = pages.iter().position(|p| p.contains("附件：1")).unwrap();
    assert!(
        pages[note].contains("守土尽责"),
        "page {} has the 附件说明 without 正文: {}",
        note + 1,
        pages[note]
    );
    assert!(pages[note].contains("2025年12月5日"));
    // Word keeps them the same way.
    let last_body = ppr_of(
        &xml,
        "全市安全形势总体平稳。</w:t></w:r></w:p><w:p><w:pPr><w:keepNext/></w:pPr></w:p>",
    );
    assert!(
        last_body.contains("<w:keepNext/><w:widowControl/>"),
        "{last_body}"
    );
    for a in [
        "附件：1",
        "市政府各部门值班电话和传真号码",
        "节日期间突发事件",
    ] {
        let p = ppr_of(&xml, a);
        assert!(p.contains("<w:keepNext/><w:keepLines/>"), "{a}: {p}");
    }
}

/// The body-size lines of every page, top to bottom.
fn body_lines(t: &Typeset) -> Vec<String> {
    t.laid
        .pages
        .iter()
        .flat_map(|p| lines_of(p, 16.0))
        .collect()
}

#[test]
fn names_in_an_attendance_list_and_times_are_not_split() {
    // Modelled on a 纪要 whose 出席 list printed 「王海｜燕」 and whose first
    // paragraph printed 「9：｜30」.
    let text = std::fs::read_to_string("tests/fixtures/breaks/minutes-names-times.toml").unwrap();
    let (t, xml) = typeset(&text);
    let lines = body_lines(&t);
    for (a, b) in lines.iter().zip(&lines[1..]) {
        let (end, start) = (a.chars().last().unwrap(), b.chars().next().unwrap());
        assert!(
            !(end == '：' && start.is_ascii_digit()),
            "a time split: {a} | {b}"
        );
        assert_ne!(
            start, '\u{3000}',
            "a line starting with an ideographic space: {b}"
        );
    }
    let names = [
        "陈欣荣",
        "李建国",
        "王海燕",
        "赵志刚",
        "欧阳明远",
        "孙某某",
        "周某某",
        "吴某某",
    ];
    let joined: Vec<String> = lines
        .iter()
        .map(|l| l.trim_start_matches("出席：").to_string())
        .collect();
    for n in names {
        assert!(
            lines.iter().any(|l| l.contains(n)),
            "「{n}」 broken across lines: {joined:?}"
        );
    }
    // Word is told the same line ends.
    let p0 = xml.find("出席：").unwrap();
    let para = &xml[p0..p0 + xml[p0..].find("</w:p>").unwrap()];
    assert!(para.contains("李建国、</w:t></w:r><w:r><w:br/>"), "{para}");
    let p1 = xml.find("星期三").unwrap();
    let para = &xml[p1..p1 + xml[p1..].find("</w:p>").unwrap()];
    assert!(
        para.contains("上午</w:t></w:r><w:r><w:br/></w:r><w:r><w:t xml:space=\"preserve\">9：30"),
        "{para}"
    );
}

#[test]
fn an_ideographic_space_ends_a_line_rather_than_starting_one() {
    let mut text =
        std::fs::read_to_string("tests/fixtures/breaks/minutes-names-times.toml").unwrap();
    // Names parted by ideographic spaces, as many 出席 lists are typed.
    let names = "陈欣荣　李建国　王海燕　赵志刚　刘晓明　孙立群　周文博　吴春梅　郑国强　欧阳明远　黄建华　张晓东　林一鸣";
    let at = text.find("names = \"市政府办公室某某某").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    text.replace_range(at..end, &format!("names = \"{names}\""));
    let (t, _) = typeset(&text);
    let lines = body_lines(&t);
    let list: Vec<&String> = lines
        .iter()
        .skip_while(|l| !l.starts_with("出席"))
        .take(3)
        .collect();
    assert!(list.len() >= 2);
    for l in &list {
        assert!(!l.starts_with('\u{3000}'), "{list:?}");
    }
    for n in names.split('\u{3000}') {
        assert!(
            list.iter().any(|l| l.contains(n)),
            "「{n}」 split: {list:?}"
        );
    }
}

#[test]
fn a_telephone_number_breaks_at_its_hyphen_rather_than_letter_space_a_line() {
    // Carried whole, 「0571-87000009」 left 「……传真」 spread over the line.
    let text = std::fs::read_to_string("tests/fixtures/breaks/phone-at-line-end.toml").unwrap();
    let (t, xml) = typeset(&text);
    let page = t
        .laid
        .pages
        .iter()
        .find(|p| lines_of(p, 16.0).iter().any(|l| l.contains("总值值班室")))
        .unwrap();
    let runs: Vec<&gongwen::layout::frame::TextRun> = page
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(t) if t.text.contains("总值值班室") => Some(t),
            _ => None,
        })
        .collect();
    let lines = lines_of(page, 16.0);
    let at = lines.iter().position(|l| l.contains("总值值班室")).unwrap();
    assert!(lines[at].ends_with("0571-"), "{:?}", &lines[at..at + 2]);
    assert!(lines[at + 1].starts_with("87000009"));
    // No gap wider than a tenth of an em between the line's characters.
    for r in runs {
        for g in &r.glyphs {
            assert!(
                g.advance <= 16.0 * 1.1,
                "letter-spaced: {} {}",
                r.text,
                g.advance
            );
        }
    }
    // Word, which keeps the number whole, is given the line end.
    assert!(
        xml.contains("传真0571-</w:t></w:r><w:r><w:br/>"),
        "no line break after 0571- in the DOCX"
    );
}

/// Body rows of a 2021-format table 三 or 四 segment on a page: the lines
/// that end in the row's seven counts (a row's numbers share one line,
/// centred in it, whatever its label's lines).
fn count_rows(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.chars().rev().take_while(|c| c.is_ascii_digit()).count() >= 7)
        .count()
}

#[test]
fn a_continued_table_three_shows_more_than_two_rows_under_its_header() {
    // Twelve more lines of 概述 fill page 4 with table 三 so that before,
    // its repeated header stood over 「（七）总计」 and 「四、结转」 alone.
    let text = std::fs::read_to_string("tests/fixtures/breaks/table-three-continued.toml").unwrap();
    let (t, xml) = typeset(&text);
    let pages: Vec<Vec<String>> = t
        .laid
        .pages
        .iter()
        .map(|p| {
            crate::common::text_lines(p, |r| !r.text.contains('—'))
                .into_iter()
                .map(|(_, l)| l)
                .collect()
        })
        .collect();
    let head = pages
        .iter()
        .position(|p| {
            p.iter()
                .any(|l| l.contains("三、收到和处理政府信息公开申请情况"))
        })
        .unwrap();
    let on = |p: &Vec<String>, s: &str| p.iter().any(|l| l.contains(s));
    let cont = pages
        .iter()
        .position(|p| on(p, "四、结转下年度继续办理"))
        .unwrap();
    assert!(cont > head, "table 三 fits its page?");
    assert!(pages[cont][0].contains("申请人情况"), "{:?}", pages[cont]);
    let rows: Vec<String> = pages[cont]
        .iter()
        .take_while(|l| !l.contains("四、政府信息公开行政复议"))
        .cloned()
        .collect();
    assert!(count_rows(&rows) >= 3, "orphaned rows: {rows:?}");
    // The page before still holds the bulk of the table.
    assert!(count_rows(&pages[cont - 1]) >= 10, "{:?}", pages[cont - 1]);
    // Word keeps the same rows together: 「3.其他」 of （六）, the row
    // that now leads the continuation, goes with the two under it.
    assert!(on(&rows, "3.其他"), "{rows:?}");
    assert!(ppr_of(&xml, "3.其他</w:t>").contains("<w:keepNext/>"));
}

/// A data file laid out as `gongwen render` lays it out, the pictures and
/// the template it names found next to it.
fn typeset_file(path: &str, text: &str) -> Typeset {
    let job = Job {
        previous: false,
        ..Job::new(Path::new(path)).text(text)
    };
    let fonts = gongwen::disk::FontDirs::default();
    match compile(&job, &gongwen::disk::Disk, &fonts).value {
        Ok(c) => match c.made {
            Made::Pages(t) => t,
            _ => unreachable!("compiled to the pages"),
        },
        Err(Failure::Data(d)) => panic!("{path}: {d}"),
        Err(Failure::Typeset(_, d)) => panic!("{path}: {d}"),
    }
}

/// The text block's top and foot on a page, in the axes of its text: a
/// turned (横排) page's are the sheet's left margin and the block's width
/// below it.
fn block_edges(t: &Typeset, page: usize) -> (f32, f32) {
    let style = &t.document.style;
    let mm = gongwen::doc::style::MM;
    if t.laid.pages[page].turned.is_empty() {
        let top = style.page.margin_top_mm * mm;
        (top, top + style.text_height())
    } else {
        let top = style.page.margin_left_mm * mm;
        (top, top + style.text_width())
    }
}

/// A page's items in the axes of its text.
fn text_items(t: &Typeset, page: usize) -> &[Item] {
    let p = &t.laid.pages[page];
    if p.turned.is_empty() {
        &p.items
    } else {
        &p.turned
    }
}

/// How many grid lines a page ends short of the text block's foot, by its
/// lowest text or rule inside the block, and whether it holds any text
/// there at all.
fn unused_lines(t: &Typeset, page: usize) -> (f32, bool) {
    let (low, text) = lowest(t, page);
    (
        (block_edges(t, page).1 - low) / t.document.style.page.line_pitch_pt,
        text,
    )
}

/// The lowest text or rule inside a page's text block (the block's top
/// when there is none), and whether it holds any text.
fn lowest(t: &Typeset, page: usize) -> (f32, bool) {
    let (mut low, bottom) = block_edges(t, page);
    let mut text = false;
    for item in text_items(t, page) {
        match item {
            Item::Text(r) if r.y < bottom + 1.0 => {
                text = true;
                low = low.max(r.y + 0.25 * r.size);
            }
            Item::Line { y1, y2, .. } if y1.max(*y2) < bottom + 1.0 => {
                low = low.max(y1.max(*y2));
            }
            _ => {}
        }
    }
    (low, text)
}

/// Lines from the top of block `b` on `page` to the foot of the signature
/// kept with it, and one for the step onto the grid.
fn kept_with_signature(t: &Typeset, b: usize, page: usize) -> f32 {
    use gongwen::doc::Block;
    let (blocks, facts) = (&t.document.blocks, &t.laid.blocks);
    let pitch = t.document.style.page.line_pitch_pt;
    let Some((_, top)) = facts[b].at else {
        return 0.0;
    };
    let Some(sig) = (b..blocks.len()).find(|&s| matches!(blocks[s], Block::Signature { .. }))
    else {
        return 0.0;
    };
    let foot = match facts.get(sig + 1).and_then(|f| f.at) {
        Some((q, y)) if q == page => y,
        _ => lowest(t, page).0,
    };
    (foot - top) / pitch + 1.0
}

/// Every page but the last holds text in its text block and ends within
/// two lines of the block's foot, unless the page after starts what may
/// not be split there: an attachment (a forced break), a heading with
/// the table it is kept with, rows kept at a continued table's foot, the
/// 正文's last lines with the signature.
fn assert_pages_full(name: &str, t: &Typeset) {
    use gongwen::doc::Block;
    let blocks = &t.document.blocks;
    let facts = &t.laid.blocks;
    let pitch = t.document.style.page.line_pitch_pt;
    let run_up = gongwen::layout::run_up(blocks);
    let last_text_page = t.laid.pages.len() - 1 - t.laid.foot.unwrap_or(0);
    for p in 0..last_text_page {
        let (short, text) = unused_lines(t, p);
        assert!(text, "{name}: page {} without 正文", p + 1);
        if short <= 2.0 {
            continue;
        }
        // The first block that starts on the next page, and what of a
        // table started before stands above it there.
        let b = (0..blocks.len()).find(|&b| facts[b].at.is_some_and(|(q, _)| q == p + 1));
        let top = b
            .and_then(|b| facts[b].at)
            .map_or(f32::INFINITY, |(_, y)| y);
        let continued = text_items(t, p + 1)
            .iter()
            .any(|i| matches!(i, Item::Line { y1, .. } if *y1 < top - 1.0));
        // A continued table's rows kept together (the template's marks,
        // its last rows under the repeated header): at most its longest
        // run of kept rows moved.
        let tail = (0..b.unwrap_or(blocks.len()))
            .rev()
            .find_map(|a| match &blocks[a] {
                Block::Table(table) if continued => {
                    let heights = &facts[a].row_heights;
                    let keeps = gongwen::layout::table::row_keeps(table, heights, false);
                    let (mut run, mut most) = (0.0f32, 0.0f32);
                    for (h, k) in heights.iter().zip(&keeps).skip(table.header_rows) {
                        run += h;
                        most = most.max(run);
                        if !k {
                            run = 0.0;
                        }
                    }
                    Some(1.0 + most / pitch)
                }
                _ => None,
            })
            .unwrap_or(0.0)
            .max(2.0);
        let table_need = |t: usize| -> f32 {
            let Block::Table(table) = &blocks[t] else {
                return 0.0;
            };
            let rows = (table.header_rows + 2).min(table.rows);
            facts[t].row_heights[..rows].iter().sum::<f32>() / pitch
        };
        let allowed = match b {
            _ if continued => tail,
            None => 2.0,
            Some(b) => match (&blocks[b], blocks.get(b + 1)) {
                _ if b > 0 && matches!(blocks[b - 1], Block::PageBreak { .. }) => f32::INFINITY,
                // A heading with a table's header and two rows, and the
                // step back onto the grid under the table before.
                (Block::Heading { .. }, Some(Block::Table(_))) => 2.0 + table_need(b + 1),
                // A heading over the 正文's last paragraph goes with it
                // and the signature.
                (Block::Heading { .. }, Some(_))
                    if run_up
                        .get(b + 1)
                        .is_some_and(|r| *r != gongwen::layout::RunUp::None) =>
                {
                    kept_with_signature(t, b, p + 1).max(8.0)
                }
                (Block::Table(_), _) => 1.0 + table_need(b),
                // The 正文's last lines, the 附件说明 and the signature:
                // less than they stand on the next page (a joint
                // document's rows of sealed names stand a dozen lines).
                _ if run_up[b] != gongwen::layout::RunUp::None
                    || matches!(blocks[b], Block::Signature { .. }) =>
                {
                    kept_with_signature(t, b, p + 1).max(8.0)
                }
                _ => 2.0,
            },
        };
        let what = b.map(|b| format!("{:?}", blocks[b])).unwrap_or_default();
        assert!(
            short < allowed,
            "{name}: page {} ends {short:.1} lines short before {}",
            p + 1,
            what.chars().take(80).collect::<String>()
        );
    }
}

#[test]
fn no_page_without_body_text_and_no_half_empty_page() {
    let mut files = Vec::new();
    for dir in [
        "samples",
        "tests/fixtures/reports",
        "tests/fixtures/kinds",
        "tests/fixtures/breaks",
    ] {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if matches!(
                path.extension().and_then(|x| x.to_str()),
                Some("toml" | "json")
            ) {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    // A sentence of 概述 one grid line long, less its indent.
    let line = "全年政务公开工作稳步推进，各项任务按期完成，群众满意度提升。";
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        assert_pages_full(path, &typeset_file(path, &text));
        // The annual reports again with their tables at every place on a
        // page: one to twenty-two more lines of 概述 before them.
        let Some(at) = text.find("overview = [\n") else {
            continue;
        };
        let at = at + "overview = [\n".len();
        for k in 1..=22 {
            let filler: String = line.chars().cycle().take(26 + 28 * (k - 1)).collect();
            let mut varied = text.clone();
            varied.insert_str(at, &format!("  \"{filler}\",\n"));
            assert_pages_full(&format!("{path} +{k}"), &typeset_file(path, &varied));
        }
    }
}

/// Paragraphs that end lines with a title pair 「》、」, a telephone number,
/// an e-mail address, a URL, each laid out with 0 to 27 characters before
/// it so that every character comes to a line end once.
#[test]
fn lines_reach_the_margin_and_are_not_letter_spaced_at_any_place() {
    let right = (28.0 + 156.0) * 72.0 / 25.4;
    let cases = [
        "《青禾市政府信息公开办法》、《青禾市政务公开规定》和《青禾市信息发布细则》、《青禾市公开目录》等文件要求，认真做好各项工作。",
        "按照《青禾市2025年政务公开工作要点》、《关于做好2025年政府信息公开工作年度报告编制工作的通知》、《条例》要求执行。",
        "各单位请于1月10日前将值班表报市政府总值值班室，联系电话0571-87000001，电子邮箱zhiban@example.gov.cn，逾期不报的予以通报。",
        "具体内容请登录市政府门户网站https://www.example.gov.cn/zwgk/tzgg/2025/index.html查看，并按要求认真组织落实。",
        "联系人：王明，联系电话：0591-87654321，传真：0591-87654322，地址：福州市鼓楼区某某路123号。",
        // The notice's annex line, whose number broke at its hyphen.
        "2月16日—2月22日：市应急管理局值班，电话0571-87000002；2月23日—2月28日：市公安局值班，电话0571-87000003。",
    ];
    let before = "各单位要认真贯彻落实有关规定切实做好相关工作确保取得实效";
    for case in cases {
        for k in 0..28 {
            let para: String = before.chars().take(k).chain(case.chars()).collect();
            let (t, _) = notice(&[("  \"为切实做好", &format!("  \"{para}\","))]);
            let page = &t.laid.pages[0];
            let mut lines: Vec<(f32, Vec<&gongwen::layout::frame::TextRun>)> = Vec::new();
            for i in &page.items {
                match i {
                    Item::Text(r) if (r.size - 16.0).abs() < 0.01 => {
                        match lines.iter_mut().find(|(y, _)| (*y - r.y).abs() < 0.05) {
                            Some((_, v)) => v.push(r),
                            None => lines.push((r.y, vec![r])),
                        }
                    }
                    _ => {}
                }
            }
            let mut seen = String::new();
            for (_, runs) in &lines {
                let text: String = runs.iter().map(|r| r.text.as_str()).collect();
                if text.chars().count() < 10 || !para.contains(text.trim()) {
                    continue;
                }
                seen.push_str(&text);
                if para.ends_with(text.trim()) {
                    continue;
                }
                let end = runs
                    .iter()
                    .map(|r| r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>())
                    .fold(0.0f32, f32::max);
                assert!(
                    (right - end).abs() < 1.0,
                    "+{k}: ends {:.1} pt short: {text}",
                    right - end
                );
                // The widest step from one Chinese character to the next:
                // its own em (less the −0.25 pt spacing) and the gap.
                let widest = runs
                    .iter()
                    .flat_map(|r| {
                        r.glyphs.iter().filter_map(|g| {
                            let c = r.text[g.range.clone()].chars().next()?;
                            ('\u{4e00}'..='\u{9fff}').contains(&c).then_some(g.advance)
                        })
                    })
                    .fold(0.0f32, f32::max);
                assert!(
                    widest < 16.0 * 1.2,
                    "+{k}: letter-spaced ({:.2} em a character): {text}",
                    widest / 16.0
                );
            }
            // All but a last line of under ten characters checked.
            assert!(
                para.starts_with(&seen) && seen.chars().count() + 10 > para.chars().count(),
                "+{k}: the paragraph's lines not found: {seen}"
            );
        }
    }
}

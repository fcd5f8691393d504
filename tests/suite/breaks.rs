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
    let job = Job {
        previous: false,
        ..Job::new(Path::new("tests/fixtures/kinds/x.toml")).text(text)
    };
    let fonts = gongwen::disk::FontDirs::default();
    let t = match compile(&job, &gongwen::disk::Disk, &fonts).value {
        Ok(c) => match c.made {
            Made::Pages(t) => t,
            _ => unreachable!("compiled to the pages"),
        },
        Err(Failure::Data(d)) => panic!("{d}"),
        Err(Failure::Typeset(_, d)) => panic!("{d}"),
    };
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
                .items
                .iter()
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

//! The text of a published report onto the form: the title (agency and
//! year from it), the preamble, the six sections by their headings, each
//! narrative paragraph with its run-in lead or as a stand-alone heading,
//! and the 署名 and 成文日期 at the end. What the data file has no place
//! for is a note naming where it stands.

use crate::annual::report::{Date, Paragraph};
use crate::doc::heading_level;

use super::source::{Block, Document, Note, Para, Place, Table};

/// What the text gave.
#[derive(Debug, Default)]
pub struct Read<'d> {
    pub title: Vec<String>,
    pub agency: Option<String>,
    pub year: Option<i64>,
    /// 前言, 一、总体情况, 五, 六.
    pub narrative: [Vec<Paragraph>; 4],
    pub signature: Option<String>,
    pub date: Option<Date>,
    /// The tables after the title, in order.
    pub tables: Vec<&'d Table>,
    /// How many section headings (一、 to 六、) were found.
    pub sections: usize,
}

/// The section a heading opens (1–6), from its number and words.
pub fn section(text: &str) -> Option<usize> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    if t.chars().count() > 40 {
        return None;
    }
    let mut chars = t.chars();
    let n = "一二三四五六".find(chars.next()?)? / 3 + 1;
    if !matches!(chars.next(), Some('、' | '．' | '.')) {
        return None;
    }
    let rest: String = chars.collect();
    let words: &[&str] = match n {
        1 => &["总体情况", "总体", "概述"],
        2 => &["主动公开"],
        3 => &["申请"],
        4 => &["复议", "诉讼"],
        5 => &["问题", "改进"],
        _ => &["其他"],
    };
    words.iter().any(|w| rest.contains(w)).then_some(n)
}

/// Lines of a site's page around the report (dates, sources, buttons).
fn chrome(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    const STARTS: &[&str] = &[
        "发布时间",
        "发布日期",
        "发布机构",
        "来源",
        "信息来源",
        "作者",
        "字号",
        "字体",
        "浏览次数",
        "浏览量",
        "点击",
        "阅读",
        "索引号",
        "主题分类",
        "文号",
        "有效性",
        "打印",
        "关闭",
        "分享",
        "收藏",
        "上一篇",
        "下一篇",
        "相关链接",
        "相关文章",
        "扫一扫",
        "返回顶部",
        "版权所有",
        "主办单位",
        "承办单位",
        "网站标识码",
        "联系我们",
        "网站地图",
        "当前位置",
        "首页",
        "【",
    ];
    t.is_empty() || STARTS.iter().any(|s| t.starts_with(s)) || t.contains("ICP备")
}

/// A date as reports print it: 2025年1月15日, 二〇二五年一月十五日, 2025-01-15.
pub fn date(text: &str) -> Option<Date> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    if let Some(d) = Date::parse(&t) {
        return Some(d);
    }
    // Chinese numerals: 〇一二… for each digit of the year, 十 in month and day.
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .or((c == '零' || c == 'O' || c == '０').then_some(0))
    };
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let year: String = y
        .chars()
        .map(|c| digit(c).map_or('x', |v| char::from(b'0' + v as u8)))
        .collect();
    let small = |s: &str| -> Option<u32> {
        let cs: Vec<char> = s.chars().collect();
        match cs.as_slice() {
            ['十'] => Some(10),
            [a] => digit(*a).map(|v| v as u32),
            ['十', b] => Some(10 + digit(*b)? as u32),
            [a, '十'] => Some(digit(*a)? as u32 * 10),
            [a, '十', b] => Some(digit(*a)? as u32 * 10 + digit(*b)? as u32),
            _ => None,
        }
    };
    Date::parse(&format!("{year}-{:02}-{:02}", small(m)?, small(d)?))
}

/// Agency and year from a title such as 某某局2024年政府信息公开工作年度报告.
fn agency_year(title: &str) -> (Option<String>, Option<i64>) {
    let t: String = title
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    let chars: Vec<char> = t.chars().collect();
    for i in 0..chars.len() {
        let four: String = chars[i..].iter().take(4).collect();
        let next = chars.get(i + 4);
        if four.len() == 4 && four.chars().all(|c| c.is_ascii_digit()) && next == Some(&'年') {
            let year = four.parse().ok().filter(|y| (1990..2200).contains(y));
            let agency: String = chars[..i].iter().collect();
            let agency = agency
                .trim_matches(|c: char| "《》“”\"".contains(c))
                .to_string();
            return ((!agency.is_empty()).then_some(agency), year);
        }
    }
    (None, None)
}

fn is_title(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    t.chars().count() <= 80
        && (t.contains("政府信息公开") || t.contains("政务公开"))
        && (t.contains("报告") || t.contains("年度") || t.contains("工作"))
}

/// Words an agency's name ends in: a 署名 is told from a last line such
/// as 「无」 by them.
fn agency_like(text: &str) -> bool {
    const ENDS: &[&str] = &[
        "局",
        "委",
        "办",
        "政府",
        "街道",
        "街道办事处",
        "镇",
        "乡",
        "中心",
        "院",
        "厅",
        "所",
        "站",
        "部",
        "会",
        "处",
        "队",
        "馆",
        "公司",
        "室",
        "科",
        "署",
        "司",
        "社",
        "办公室",
    ];
    let t = text.trim();
    t.chars().count() <= 40 && !t.contains('。') && ENDS.iter().any(|e| t.ends_with(e))
}

pub fn read<'d>(doc: &'d Document, notes: &mut Vec<Note>) -> Read<'d> {
    let mut out = Read::default();
    let paras: Vec<(usize, &Para)> = doc
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Para(p) => Some((i, p)),
            Block::Table(_) => None,
        })
        .collect();
    let first_heading = paras
        .iter()
        .find(|(_, p)| section(&p.text()) == Some(1))
        .or_else(|| paras.iter().find(|(_, p)| section(&p.text()).is_some()))
        .map_or(doc.blocks.len(), |(i, _)| *i);
    // The title: the last title-like paragraph before the first heading
    // (a site's page may show the title once more above the report), with
    // the agency's line before it when the title starts with the year.
    let title_at = paras
        .iter()
        .rfind(|(i, p)| *i < first_heading && is_title(&p.text()))
        .map(|(i, _)| *i);
    let mut start = 0;
    if let Some(t) = title_at {
        let Block::Para(p) = &doc.blocks[t] else {
            unreachable!("a title is a paragraph")
        };
        let mut lines: Vec<String> = p
            .text()
            .split('\n')
            .map(|l| {
                l.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
                    .to_string()
            })
            .filter(|l| !l.is_empty())
            .collect();
        let starts_with_year = lines
            .first()
            .is_some_and(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()));
        let before = paras.iter().rev().find(|(i, _)| *i < t);
        if let Some((_, prev)) = before.filter(|_| starts_with_year) {
            let line = prev.text().trim().to_string();
            if agency_like(&line) && !chrome(&line) {
                lines.insert(0, line);
            }
        }
        let whole = lines.concat();
        if !whole.ends_with("报告") {
            notes.push(Note::new(
                &p.place,
                format!("标题「{whole}」不完整（通常以“年度报告”结尾），照原文写入：请核对 title"),
            ));
        }
        let (agency, year) = agency_year(&lines.concat());
        out.agency = agency;
        out.year = year;
        out.title = lines;
        start = t + 1;
    } else {
        notes.push(Note::new(
            &Place::default(),
            "没有找到报告的标题（含“政府信息公开工作年度报告”的一行），发布机关和年度请在数据文件中核对",
        ));
    }
    let body_face = body_face(doc, start);
    // 0 = before the first heading (前言), then the section's number.
    let mut current = 0usize;
    let mut ended = false;
    for block in &doc.blocks[start..] {
        match block {
            Block::Table(t) => {
                if !ended {
                    out.tables.push(t);
                }
            }
            Block::Para(p) => {
                let text = p.text();
                let flat = text.replace('\n', "");
                if flat
                    .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
                    .is_empty()
                {
                    continue;
                }
                if ended {
                    if !chrome(&flat) {
                        notes.push(Note::new(
                            &p.place,
                            format!("成文日期之后的文字「{}」未导入", clip(&flat)),
                        ));
                    }
                    continue;
                }
                if let Some(n) = section(&flat) {
                    if n < current {
                        notes.push(Note::new(
                            &p.place,
                            format!(
                                "标题「{}」出现在后面的部分之后，按原文顺序读入",
                                flat.trim()
                            ),
                        ));
                    }
                    current = n;
                    out.sections += 1;
                    continue;
                }
                if let Some(d) = date(&flat) {
                    if current >= 5 || out.signature.is_some() {
                        out.date = Some(d);
                        ended = true;
                        take_signature(&mut out, current);
                        continue;
                    }
                }
                if current == 0 && chrome(&flat) {
                    continue;
                }
                let slot = match current {
                    0 => 0,
                    1 => 1,
                    5 => 2,
                    6 => 3,
                    n => {
                        notes.push(Note::new(
                            &p.place,
                            format!(
                                "「{}」下的文字「{}」未导入：数据文件中这一部分只有表格",
                                [
                                    "",
                                    "",
                                    "二、主动公开政府信息情况",
                                    "三、收到和处理政府信息公开申请情况",
                                    "四、政府信息公开行政复议、行政诉讼情况"
                                ][n],
                                clip(&flat)
                            ),
                        ));
                        continue;
                    }
                };
                out.narrative[slot].push(paragraph(p, &body_face));
            }
        }
    }
    if !ended {
        // A 署名 without a date, right-aligned at the end.
        take_signature(&mut out, current);
    }
    if current < 6 && current > 0 {
        notes.push(Note::new(
            &Place::default(),
            "原文中没有「六、其他需要报告的事项」：请核对是否漏了这一部分",
        ));
    }
    if current == 0 {
        notes.push(Note::new(
            &Place::default(),
            "原文中没有找到「一、总体情况」等各部分的标题，正文都作为前言读入：请核对",
        ));
    }
    out
}

/// The last paragraphs of the last section as 署名, when they look like an
/// agency's name (one or two lines, joint documents stack them).
fn take_signature(out: &mut Read, current: usize) {
    let slot = match current {
        5 => 2,
        6 => 3,
        _ => return,
    };
    let mut names = Vec::new();
    while let Some(p) = out.narrative[slot].last() {
        let line = p.lead.clone().unwrap_or_default() + &p.text;
        if names.len() < 2 && agency_like(&line) {
            names.insert(0, line.trim().to_string());
            out.narrative[slot].pop();
        } else {
            break;
        }
    }
    if !names.is_empty() {
        out.signature = Some(names.join(""));
    }
}

fn clip(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() > 30 {
        t.chars().take(30).collect::<String>() + "……"
    } else {
        t.to_string()
    }
}

/// The face most of the report's text is set in.
fn body_face(doc: &Document, start: usize) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for b in &doc.blocks[start.min(doc.blocks.len())..] {
        if let Block::Para(p) = b {
            for r in &p.runs {
                let n = r.text.chars().count();
                match counts.iter_mut().find(|(f, _)| *f == r.face) {
                    Some((_, c)) => *c += n,
                    None => counts.push((&r.face, n)),
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(f, _)| f.to_string())
        .unwrap_or_default()
}

/// Whether a text opens with a heading's number: （一） 1. （1） 一是.
fn numbered(text: &str) -> bool {
    heading_level(text).is_some_and(|l| l >= 2)
        || text.chars().next().is_some_and(|c| c.is_ascii_digit())
            && text
                .chars()
                .find(|c| !c.is_ascii_digit())
                .is_some_and(|c| c == '.' || c == '．' || c == '、')
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
}

/// A paragraph of the data file: a run-in lead where the source sets the
/// paragraph's first words in a face of their own (楷体, 黑体, bold), a
/// stand-alone heading where all of a short numbered paragraph is; in a
/// source that names no faces (plain text), a numbered first sentence of
/// at most 40 characters followed by more text is a lead.
pub fn paragraph(p: &Para, body: &str) -> Paragraph {
    let text: String = p.text().replace('\n', "");
    let text = trim(&text).to_string();
    let plain = |t: String| Paragraph {
        lead: None,
        text: t,
        level: None,
        heading: false,
    };
    let faces_known = p.runs.iter().any(|r| !r.face.is_empty());
    let short_numbered = numbered(&text) && text.chars().count() <= 40 && {
        let inner = text.trim_end_matches(['。', '：', ':']);
        !inner.contains('。') && !inner.contains('；')
    };
    if faces_known {
        let visible: Vec<&super::source::Run> = p
            .runs
            .iter()
            .filter(|r| !trim(&r.text).is_empty())
            .collect();
        let all_other = !visible.is_empty() && visible.iter().all(|r| r.face != body);
        if all_other && short_numbered {
            return heading(text);
        }
        let body_start = visible.iter().position(|r| r.face == body);
        if let Some(k) = body_start.filter(|k| *k > 0) {
            let lead: String = visible[..k].iter().map(|r| r.text.as_str()).collect();
            let rest: String = visible[k..].iter().map(|r| r.text.as_str()).collect();
            let lead = trim(&lead.replace('\n', "")).to_string();
            let rest = trim(&rest.replace('\n', "")).to_string();
            if !rest.is_empty() && lead.chars().count() <= 60 {
                let level = heading_level(&lead).or(Some(2));
                return Paragraph {
                    lead: Some(lead),
                    text: rest,
                    level,
                    heading: false,
                };
            }
        }
        return plain(text);
    }
    if short_numbered && !text.ends_with('。') {
        return heading(text);
    }
    if heading_level(&text).is_some_and(|l| l >= 2) {
        if let Some(end) = text.find('。') {
            let lead = &text[..end + '。'.len_utf8()];
            let rest = &text[end + '。'.len_utf8()..];
            if lead.chars().count() <= 40 && !trim(rest).is_empty() {
                return Paragraph {
                    lead: Some(lead.to_string()),
                    text: trim(rest).to_string(),
                    level: heading_level(lead),
                    heading: false,
                };
            }
        }
    }
    plain(text)
}

fn heading(text: String) -> Paragraph {
    Paragraph {
        level: heading_level(&text).or(Some(2)),
        lead: Some(text),
        text: String::new(),
        heading: true,
    }
}

//! Reading the spanned tree into the typed report, reporting every problem
//! at once.

use std::ops::Range;
use std::path::Path;

use super::form::{self, Cell, Format, MAX_COUNT};
use super::report::*;
use crate::data::advice::did_you_mean;
use crate::data::inside_folder;
use crate::data::node::{parse_int, Entry, Kind, Node};
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::doc::heading_level;

/// Longest text accepted in one field: a whole report is about 5,000.
pub const MAX_TEXT_CHARS: usize = 20_000;

const TOP_KEYS: &[(&str, &str)] = &[
    ("template", "模板"),
    ("agency", "发布机关"),
    ("year", "报告年度"),
    ("format", "格式"),
    ("title", "标题"),
    ("preamble", "前言"),
    ("subject", "主题"),
    ("keywords", "关键词"),
    ("previous", "上一年度数据文件"),
    ("signature", "署名"),
    ("overview", "一、总体情况"),
    ("active", "二、主动公开政府信息情况"),
    ("applications", "三、收到和处理政府信息公开申请情况"),
    ("review", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
];

pub(crate) struct Reader<'a> {
    pub src: &'a Source,
    pub diags: Diagnostics,
    /// Keys the form does not have: the sums that fail because of a
    /// misspelled key are reported after it.
    pub unknown_keys: usize,
}

impl<'a> Reader<'a> {
    pub fn new(src: &'a Source) -> Self {
        Reader {
            src,
            diags: Diagnostics::default(),
            unknown_keys: 0,
        }
    }

    fn error(&mut self, span: Range<usize>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(msg).at(self.src, span));
        self.diags.0.last_mut().expect("just pushed")
    }

    fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Entry]> {
        match &node.kind {
            Kind::Table(entries) => Some(entries),
            other => {
                let t = other.type_name();
                self.error(node.span.clone(), format!("{what}应为表，实际是{t}"));
                None
            }
        }
    }

    /// Reports keys not in `allowed`; `foreign` lists keys that belong to the
    /// other layout, so the message can say so instead of "unknown".
    fn check_keys(
        &mut self,
        entries: &[Entry],
        allowed: &[(&str, &str)],
        foreign: &[(&str, &str, Format)],
        table: &str,
    ) {
        for e in entries {
            if allowed.iter().any(|(k, _)| *k == e.key) {
                continue;
            }
            if let Some((_, label, fmt)) = foreign.iter().find(|(k, _, _)| *k == e.key) {
                let other = match fmt {
                    Format::F2019 => Format::F2021,
                    Format::F2021 => Format::F2019,
                };
                self.error(
                    e.key_span.clone(),
                    format!(
                        "「{label}」（{}）只属于{}，本报告使用{}",
                        e.key,
                        fmt.describe(),
                        other.describe()
                    ),
                )
                .hints
                .push(format!(
                    "删去此项，或在文件开头写 format = \"{}\"",
                    fmt.name()
                ));
                continue;
            }
            let where_ = if table.is_empty() {
                "文件顶层".to_string()
            } else {
                format!("[{table}]")
            };
            self.unknown_keys += 1;
            let d = self.error(e.key_span.clone(), format!("{where_}中没有键「{}」", e.key));
            if let Some((k, label)) = allowed
                .iter()
                .find(|(_, l)| l.contains(e.key.as_str()) && !e.key.is_empty())
            {
                d.hints.push(format!("「{label}」的键名是 {k}"));
            } else if let Some(best) = did_you_mean(&e.key, allowed.iter().map(|(k, _)| *k)) {
                let label = allowed
                    .iter()
                    .find(|(k, _)| *k == best)
                    .map_or("", |(_, l)| l);
                d.hints.push(format!("是否想写 {best}（{label}）？"));
            } else {
                let keys: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
                d.hints.push(format!("可用的键: {}", keys.join(", ")));
            }
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => {
                self.check_text(node, s, what);
                Some(s.clone())
            }
            other => {
                let t = other.type_name();
                self.error(
                    node.span.clone(),
                    format!("{what}应为文本（带引号），实际是{t}"),
                );
                None
            }
        }
    }

    /// Control characters would print as nothing or as boxes; text longer
    /// than any real section is almost surely a paste gone wrong, and would
    /// lay out to hundreds of pages.
    fn check_text(&mut self, node: &Node, s: &str, what: &str) {
        let n = s.chars().count();
        if n > MAX_TEXT_CHARS {
            self.error(
                node.span.start..node.span.start + 1,
                format!("{what}过长（{n} 个字符，一段文字最多 {MAX_TEXT_CHARS} 个字符）"),
            );
            return;
        }
        self.check_punctuation(node, s, what);
        if s.contains("在此填写") {
            self.diags.push(
                Diagnostic::warning(format!(
                    "{what}还是 gongwen new 写入的占位文字（在此填写……）"
                ))
                .at(self.src, node.span.clone())
                .hint("换成实际内容"),
            );
        }
        if let Some(c) = s.chars().find(|&c| crate::diag::unprintable(c)) {
            let kind = if c.is_control() {
                "不可打印的控制字符"
            } else {
                " Word 文件不允许的字符"
            };
            self.error(
                node.span.clone(),
                format!("{what}中有{kind} U+{:04X}", c as u32),
            )
            .hints
            .push("多半是从其他软件复制时带入的，删去即可".into());
        }
    }

    /// Half-width punctuation between Chinese characters ("检查, 强化")
    /// is a typing slip that shows in print; a warning, since the text is
    /// still printed as written.
    fn check_punctuation(&mut self, node: &Node, s: &str, what: &str) {
        let chars: Vec<char> = s.chars().collect();
        // Inside a reference to a table cell ({{表三.新收}}) the dots are
        // the reference's own.
        let mut in_reference = vec![false; chars.len()];
        let mut open = None;
        for i in 1..chars.len() {
            match (chars[i - 1], chars[i], open) {
                ('{', '{', None) if chars[i + 1..].iter().find(|c| **c != ' ') == Some(&'表') => {
                    open = Some(i - 1)
                }
                ('}', '}', Some(start)) => {
                    in_reference[start..=i].fill(true);
                    open = None;
                }
                _ => {}
            }
        }
        for (i, &c) in chars.iter().enumerate() {
            if in_reference[i] {
                continue;
            }
            let Some(full) = full_width(c) else { continue };
            // A dash is two hyphens ("--" for "——"); one hyphen is left alone.
            let run = if c == '-' {
                if chars.get(i + 1) != Some(&'-') || (i > 0 && chars[i - 1] == '-') {
                    continue;
                }
                2
            } else {
                1
            };
            let before = chars[..i].iter().rev().find(|c| **c != ' ');
            let after = chars[i + run..].iter().find(|c| **c != ' ');
            if !(before.is_some_and(|&b| is_cjk(b)) && after.is_some_and(|&a| is_cjk(a))) {
                continue;
            }
            // Point at the character in the file when the text around it
            // is written there as is (not across an escaped line break).
            let context: String = chars[i.saturating_sub(2)..(i + 3).min(chars.len())]
                .iter()
                .collect();
            let text = &self.src.text[node.span.clone()];
            let span = match text.find(&context) {
                Some(at) => {
                    let at = node.span.start
                        + at
                        + context
                            .char_indices()
                            .find(|&(_, x)| x == c)
                            .map_or(0, |(k, _)| k);
                    at..at + 1
                }
                None => node.span.clone(),
            };
            let written: String = chars[i..i + run].iter().collect();
            let d = Diagnostic::warning(format!(
                "{what}中，中文之间用了半角的「{written}」，应为全角「{full}」"
            ))
            .at(self.src, span);
            self.diags.push(d);
        }
    }

    fn integer(&mut self, node: &Node, what: &str, min: i64, max_excl: i64) -> Option<i64> {
        let raw = match &node.kind {
            Kind::Int(raw) => raw,
            Kind::Float(raw) => {
                self.error(
                    node.span.clone(),
                    format!("{what}应为整数，实际是小数 {raw}"),
                );
                return None;
            }
            other => {
                let t = other.type_name();
                let d = self.error(node.span.clone(), format!("{what}应为整数，实际是{t}"));
                if let Kind::Str(s) = other {
                    d.hints.extend(crate::data::advice::number_in_text(s));
                }
                return None;
            }
        };
        let value = parse_int(raw);
        match value {
            Some(v) if v >= min && v < max_excl => Some(v),
            Some(v) if v < 0 && min == 0 => {
                self.error(node.span.clone(), format!("{what}不能为负数（{v}）"));
                None
            }
            _ => {
                self.error(
                    node.span.clone(),
                    format!("{what}超出范围：{raw}（应小于 {max_excl}）"),
                );
                None
            }
        }
    }

    fn count(&mut self, node: &Node, what: &str) -> Option<i64> {
        self.integer(node, what, 0, MAX_COUNT)
    }

    fn money(&mut self, node: &Node, what: &str) -> Option<String> {
        let raw = match &node.kind {
            Kind::Int(r) | Kind::Float(r) | Kind::Str(r) => r.trim(),
            other => {
                let t = other.type_name();
                self.error(
                    node.span.clone(),
                    format!("{what}应为金额（数字或带引号的数字），实际是{t}"),
                );
                return None;
            }
        };
        let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
        let ok = !int.is_empty()
            && int.len() <= 15
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 6
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(raw.contains('.') && frac.is_empty());
        if ok {
            Some(raw.to_string())
        } else {
            self.error(
                node.span.clone(),
                format!("{what}应为不带单位的非负金额，例如 7730.28，实际是「{raw}」"),
            );
            None
        }
    }

    /// A row of numbers, one per column, or one more with an explicit total
    /// that must equal their sum.
    fn numbers(
        &mut self,
        node: &Node,
        what: &str,
        cols: &[&str],
        total_name: &str,
    ) -> Option<(Vec<i64>, RowSpans)> {
        let n = cols.len();
        let Kind::Array(items) = &node.kind else {
            let t = node.kind.type_name();
            self.error(
                node.span.clone(),
                format!("{what}应为 {n} 个数的数组，实际是{t}"),
            );
            return None;
        };
        if items.len() != n && items.len() != n + 1 {
            self.error(
                node.span.clone(),
                format!(
                    "{what}应有 {n} 个数（可再加一个{total_name}），实际有 {} 个",
                    items.len()
                ),
            );
            return None;
        }
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let col = cols.get(i).copied().unwrap_or(total_name);
            values.push(self.count(item, &format!("{what}「{col}」"))?);
        }
        Some((
            values,
            RowSpans {
                whole: node.span.clone(),
                cells: items.iter().map(|i| i.span.clone()).collect(),
            },
        ))
    }
}

/// Reads a report from its tree. `load_previous` is called with the path
/// named by `previous`, resolved against the data file's folder.
pub(crate) fn read_report(
    r: &mut Reader<'_>,
    root: &Node,
    load_previous: &mut dyn FnMut(&Path, Range<usize>) -> Option<Report>,
) -> Option<Report> {
    let entries = r.entries(root, "数据文件")?;
    r.check_keys(entries, TOP_KEYS, &[], "");

    let agency = match root.get("agency") {
        Some(n) => r.string(n, "发布机关（agency）"),
        None => {
            r.error(0..0, "缺少发布机关：请填写 agency = \"机关名称\"");
            None
        }
    };
    let year = match root.get("year") {
        Some(n) => r.integer(n, "报告年度（year）", 1990, 2200),
        None => {
            r.error(0..0, "缺少报告年度：请填写 year = 2025");
            None
        }
    };
    let explicit_format = root.get("format").and_then(|n| {
        let text = match &n.kind {
            Kind::Str(s) => s.clone(),
            Kind::Int(s) => s.clone(),
            _ => String::new(),
        };
        let f = Format::parse(text.trim());
        if f.is_none() {
            r.error(
                n.span.clone(),
                "格式（format）只能是 \"2019\"（试行格式）或 \"2021\"（修订格式）",
            );
        }
        f
    });
    let format = explicit_format.unwrap_or_else(|| Format::for_year(year.unwrap_or(2021)));

    let title = root.get("title").and_then(|n| read_title(r, n));
    let preamble = section(r, root, "preamble", "前言");
    let overview = section(r, root, "overview", "一、总体情况");
    let problems = section(r, root, "problems", "五、存在的主要问题及改进情况");
    let other = section(r, root, "other", "六、其他需要报告的事项");
    let subject = root
        .get("subject")
        .and_then(|n| r.string(n, "主题（subject）"));
    let keywords = root
        .get("keywords")
        .map(|n| match &n.kind {
            Kind::Array(items) => items.iter().filter_map(|i| r.string(i, "关键词")).collect(),
            _ => r.string(n, "关键词（keywords）").into_iter().collect(),
        })
        .unwrap_or_default();
    let signature = root.get("signature").and_then(|n| read_signature(r, n));
    let template = root.get("template").and_then(|n| {
        let name = r.string(n, "模板（template）")?;
        if let Err(why) = inside_folder(&name) {
            r.error(n.span.clone(), format!("模板（template）{why}"))
                .hints
                .push("写内置模板的名称，或数据文件所在文件夹之内的模板目录，如 template = \"我的模板\"".into());
            return None;
        }
        Some((name, n.span.clone()))
    });

    let mut spans = Spans {
        source: Some(r.src.clone()),
        path: r.src.path.clone(),
        ..Spans::default()
    };
    let active = read_active(r, root.get("active"), format, &mut spans);
    let applications = read_applications(r, root.get("applications"), format, &mut spans);
    let review = read_review(r, root.get("review"), &mut spans);

    let previous = root.get("previous").and_then(|n| {
        let rel = r.string(n, "上一年度数据文件（previous）")?;
        if !one_line(r, Some(n), &rel, "上一年度数据文件（previous）") {
            return None;
        }
        spans.previous = Some(n.span.clone());
        // Offices keep a folder per year, so last year's file may lie in
        // another folder; it is only read as data, and what is wrong in a
        // file outside this one's folder is summarised, never quoted.
        let lower = rel.to_ascii_lowercase();
        if !(lower.ends_with(".toml") || lower.ends_with(".json")) {
            r.error(
                n.span.clone(),
                "上一年度数据文件（previous）应为 .toml 或 .json 数据文件",
            )
            .hints
            .push(
                "写上一年度的数据文件，如 previous = \"2024.toml\" 或 \"../2024/报告.toml\"".into(),
            );
            return None;
        }
        let base = r.src.path.parent().unwrap_or(Path::new(""));
        load_previous(&base.join(rel), n.span.clone())
    });

    let agency = trimmed(r, root.get("agency"), agency?, "发布机关（agency）");
    let year = year?;
    let title = title.map(|lines| {
        let node = root.get("title");
        lines
            .into_iter()
            .map(|l| trimmed(r, node, l, "标题（title）"))
            .collect()
    });
    let signature = signature.map(|mut sig| {
        let node = root.get("signature").and_then(|n| n.get("agency"));
        sig.agency = trimmed(r, node, sig.agency, "署名机关（signature.agency）");
        sig
    });
    // What is missing follows from a misspelled key when there is one.
    if r.unknown_keys == 0 {
        completeness(r, root, year, explicit_format, &signature);
    }
    let title = title.unwrap_or_else(|| vec![Report::default_title(&agency, year)]);
    Some(Report {
        agency,
        year,
        format,
        title,
        preamble,
        overview,
        problems,
        other,
        active: active?,
        applications: applications?,
        review: review?,
        signature,
        subject,
        keywords,
        previous: previous.map(Box::new),
        template: template.map(|(name, span)| {
            spans.template = Some(span);
            name
        }),
        spans,
    })
}

fn read_title(r: &mut Reader<'_>, n: &Node) -> Option<Vec<String>> {
    let lines: Vec<String> = match &n.kind {
        Kind::Array(items) => items
            .iter()
            .filter_map(|i| r.string(i, "标题的一行"))
            .collect(),
        _ => r
            .string(n, "标题（title）")?
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
    };
    if lines.is_empty() {
        r.error(
            n.span.clone(),
            "标题（title）不能为空；不写此项则使用默认标题",
        );
        return None;
    }
    Some(lines)
}

fn read_signature(r: &mut Reader<'_>, n: &Node) -> Option<Signature> {
    let entries = r.entries(n, "署名（signature）")?;
    r.check_keys(
        entries,
        &[
            ("agency", "署名机关"),
            ("date", "成文日期"),
            ("seal", "印章"),
            ("seal_size", "印章直径"),
        ],
        &[],
        "signature",
    );
    let agency = match n.get("agency") {
        Some(a) => r.string(a, "署名机关（signature.agency）")?,
        None => {
            r.error(n.span.clone(), "署名缺少 agency（署名机关）");
            return None;
        }
    };
    let date = n.get("date").and_then(|d| {
        let text = match &d.kind {
            Kind::Date(s) | Kind::Str(s) => s.clone(),
            _ => String::new(),
        };
        let parsed = Date::parse(&text);
        if parsed.is_none() {
            r.error(
                d.span.clone(),
                "成文日期应写成 2021-01-15 或 \"2021年1月15日\"",
            );
        }
        parsed
    });
    let seal = n.get("seal").and_then(|s| {
        let what = "印章图片（signature.seal）";
        r.string(s, what).filter(|v| one_line(r, Some(s), v, what))
    });
    let seal_size = n.get("seal_size").and_then(|s| {
        let v = match &s.kind {
            Kind::Int(raw) | Kind::Float(raw) => raw.replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match v {
            Some(v) if (30.0..=80.0).contains(&v) => Some(v),
            _ => {
                r.error(
                    s.span.clone(),
                    "印章直径（signature.seal_size）应为 30–80 之间的毫米数，如 42",
                );
                None
            }
        }
    });
    Some(Signature {
        agency,
        date,
        seal,
        seal_size,
    })
}

/// A narrative section: one string (paragraphs separated by blank lines) or
/// an array of paragraphs, each a string or a table with `lead`/`text`.
fn section(r: &mut Reader<'_>, root: &Node, key: &str, name: &str) -> Vec<Paragraph> {
    let Some(n) = root.get(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &n.kind {
        Kind::Str(s) => {
            r.check_text(n, s, name);
            out.extend(split_paragraphs(s).into_iter().map(plain));
        }
        Kind::Array(items) => {
            for item in items {
                if let Some(p) = paragraph(r, item, name) {
                    // A blank line inside a text starts a new paragraph.
                    let mut parts = split_paragraphs(&p.text).into_iter();
                    let first = parts.next().unwrap_or_default();
                    out.push(Paragraph { text: first, ..p });
                    out.extend(parts.map(plain));
                }
            }
        }
        other => {
            let t = other.type_name();
            r.error(
                n.span.clone(),
                format!("「{name}」（{key}）应为文本或段落数组，实际是{t}"),
            );
        }
    }
    out
}

fn plain(text: String) -> Paragraph {
    Paragraph {
        lead: None,
        text,
        level: None,
        heading: false,
    }
}

fn paragraph(r: &mut Reader<'_>, item: &Node, name: &str) -> Option<Paragraph> {
    match &item.kind {
        Kind::Str(s) => {
            r.check_text(item, s, name);
            Some(plain(s.clone()))
        }
        Kind::Table(entries) => {
            r.check_keys(
                entries,
                &[
                    ("lead", "段首小标题"),
                    ("text", "正文"),
                    ("heading", "单独成行的标题"),
                    ("level", "层次"),
                ],
                &[],
                &format!("{name}的段落"),
            );
            let lead = item
                .get("lead")
                .and_then(|n| r.string(n, "段首小标题（lead）"))
                .map(|s| join_lines(&s));
            let heading = item
                .get("heading")
                .and_then(|n| r.string(n, "标题（heading）"))
                .map(|s| join_lines(&s));
            let text = item.get("text").and_then(|n| r.string(n, "正文（text）"));
            let level = item
                .get("level")
                .and_then(|n| r.integer(n, "层次（level）", 1, 5))
                .map(|v| v as u8);
            // Where a lead meets its text, as inside a text.
            if let (Some(l), Some(t), Some(n)) = (&lead, &text, item.get("lead")) {
                let mut tail = l.trim_end().chars().rev();
                let (last, before) = (tail.next(), tail.next());
                let first = t.trim_start().chars().next();
                if let (Some(c), Some(b), Some(f)) = (last, before, first) {
                    if let Some(full) = full_width(c).filter(|_| is_cjk(b) && is_cjk(f)) {
                        r.diags.push(
                            Diagnostic::warning(format!(
                                "段首小标题（lead）以半角的「{c}」结尾，后接中文正文，应为全角「{full}」"
                            ))
                            .at(r.src, n.span.clone()),
                        );
                    }
                }
            }
            if heading.is_some() && (lead.is_some() || text.is_some()) {
                r.error(
                    item.span.clone(),
                    "段落不能同时有 heading 和 lead/text：标题单独成段",
                );
                return None;
            }
            if let Some(h) = heading {
                let level = level.or_else(|| heading_level(&h)).unwrap_or(2);
                return Some(Paragraph {
                    lead: Some(h),
                    text: String::new(),
                    level: Some(level),
                    heading: true,
                });
            }
            if lead.is_none() && text.is_none() {
                r.error(
                    item.span.clone(),
                    "段落至少要有 text（正文）或 lead（段首小标题）",
                );
                return None;
            }
            let level = lead
                .as_deref()
                .and_then(|l| level.or_else(|| heading_level(l)).or(Some(2)));
            Some(Paragraph {
                lead,
                text: text.unwrap_or_default(),
                level,
                heading: false,
            })
        }
        other => {
            let t = other.type_name();
            r.error(
                item.span.clone(),
                format!("「{name}」的段落应为文本或表，实际是{t}"),
            );
            None
        }
    }
}

/// Splits on blank lines; within a paragraph joins lines the way Chinese
/// text wants (no space), except between two Latin words.
pub fn split_paragraphs(s: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut cur = String::new();
    for line in s.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                paras.push(join_lines(&cur));
                cur.clear();
            }
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    if !cur.is_empty() {
        paras.push(join_lines(&cur));
    }
    paras
}

fn join_lines(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        // Full-width spaces at a line start are manual indentation, which
        // the layout supplies itself.
        let line = line.trim_matches(|c: char| c == '\u{3000}' || c.is_whitespace());
        if line.is_empty() {
            continue;
        }
        let latin_gap = out
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && line
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if latin_gap {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

fn read_active(
    r: &mut Reader<'_>,
    node: Option<&Node>,
    format: Format,
    spans: &mut Spans,
) -> Option<Vec<ActiveGroup>> {
    let groups = form::active_groups(format);
    let mut entries: &[Entry] = &[];
    if let Some(n) = node {
        entries = r.entries(n, "二、主动公开政府信息情况（active）")?;
        let allowed: Vec<(&str, &str)> = groups
            .iter()
            .flat_map(|g| g.rows.iter().map(|row| (row.key, row.label)))
            .collect();
        let other = match format {
            Format::F2019 => Format::F2021,
            Format::F2021 => Format::F2019,
        };
        let foreign: Vec<(&str, &str, Format)> = form::active_groups(other)
            .iter()
            .flat_map(|g| g.rows.iter())
            .filter(|row| !allowed.iter().any(|(k, _)| *k == row.key))
            .map(|row| (row.key, row.label, other))
            .collect();
        r.check_keys(entries, &allowed, &foreign, "active");
    }
    let mut ok = true;
    let mut out = Vec::new();
    for g in groups {
        let mut rows = Vec::new();
        for row in g.rows {
            let what = format!("表二「{}」", row.label);
            let values = match entries.iter().find(|e| e.key == row.key) {
                None => row.cells.iter().map(|_| "0".to_string()).collect(),
                Some(e) => match read_active_row(r, &e.value, row.cells, &what, g.columns) {
                    Some((v, s)) => {
                        spans.active.push((row.key.to_string(), s));
                        v
                    }
                    None => {
                        ok = false;
                        continue;
                    }
                },
            };
            rows.push(ActiveRow {
                key: row.key.into(),
                label: row.label.into(),
                values,
            });
        }
        out.push(ActiveGroup {
            title: g.title.into(),
            columns: g.columns.iter().map(|c| c.to_string()).collect(),
            rows,
        });
    }
    ok.then_some(out)
}

fn read_active_row(
    r: &mut Reader<'_>,
    node: &Node,
    cells: &[Cell],
    what: &str,
    columns: &[&str],
) -> Option<(Vec<String>, RowSpans)> {
    let items: Vec<&Node> = match &node.kind {
        Kind::Array(items) => items.iter().collect(),
        _ if cells.len() == 1 => vec![node],
        other => {
            let t = other.type_name();
            r.error(
                node.span.clone(),
                format!(
                    "{what}应为 {} 个数的数组 [{}]，实际是{t}",
                    cells.len(),
                    columns.join(", ")
                ),
            );
            return None;
        }
    };
    if items.len() != cells.len() {
        r.error(
            node.span.clone(),
            format!(
                "{what}应有 {} 个数 [{}]，实际有 {} 个",
                cells.len(),
                columns.join(", "),
                items.len()
            ),
        );
        return None;
    }
    let mut values = Vec::new();
    let mut ok = true;
    for ((item, cell), col) in items.iter().zip(cells).zip(columns) {
        let what = format!("{what}「{col}」");
        let v = match cell {
            Cell::Count => r.count(item, &what).map(|v| v.to_string()),
            Cell::Delta => r
                .integer(item, &what, -MAX_COUNT + 1, MAX_COUNT)
                .map(|v| v.to_string()),
            Cell::Money => r.money(item, &what),
        };
        match v {
            Some(v) => values.push(v),
            None => ok = false,
        }
    }
    let spans = RowSpans {
        whole: node.span.clone(),
        cells: items.iter().map(|i| i.span.clone()).collect(),
    };
    ok.then_some((values, spans))
}

fn read_applications(
    r: &mut Reader<'_>,
    node: Option<&Node>,
    format: Format,
    spans: &mut Spans,
) -> Option<Applications> {
    let defs = form::application_rows(format);
    let mut values: Vec<[i64; 7]> = vec![[0; 7]; defs.len()];
    spans.applications = vec![None; defs.len()];
    let mut explicit_total: Option<(Vec<i64>, RowSpans)> = None;
    let mut ok = true;

    if let Some(n) = node {
        let entries = r.entries(n, "三、收到和处理政府信息公开申请情况（applications）")?;
        // Top-level keys of [applications]: single rows and the group tables.
        let mut allowed: Vec<(&str, &str)> = Vec::new();
        for d in defs {
            let label = d.group.unwrap_or(d.label);
            if !allowed.iter().any(|(k, _)| *k == d.path[0]) {
                allowed.push((d.path[0], label));
            }
        }
        r.check_keys(entries, &allowed, &[], "applications");
        for e in entries {
            let group_rows: Vec<(usize, &form::ApplicationRow)> = defs
                .iter()
                .enumerate()
                .filter(|(_, d)| d.path[0] == e.key)
                .collect();
            if group_rows.is_empty() {
                continue;
            }
            let is_group = group_rows[0].1.path.len() == 2;
            let is_table = matches!(e.value.kind, Kind::Table(_));
            if is_group != is_table {
                let (label, fmt_note) = if e.key == "other" {
                    (
                        form::GROUP_OTHER,
                        match format {
                            Format::F2019 => "：2019 年试行格式的（六）其他处理只有一行，写作 other = [6 个数]",
                            Format::F2021 => "：2021 年修订格式的（六）其他处理分三行，写作 [applications.other] 下的 no_correction、unpaid_fee、other",
                        },
                    )
                } else {
                    (group_rows[0].1.group.unwrap_or(group_rows[0].1.label), "")
                };
                let want = if is_group {
                    "表（含各小项）"
                } else {
                    "6 个数的数组"
                };
                r.error(
                    e.value.span.clone(),
                    format!("表三「{label}」应为{want}{fmt_note}"),
                );
                ok = false;
                continue;
            }
            if is_group {
                let Kind::Table(sub) = &e.value.kind else {
                    continue;
                };
                let allowed_sub: Vec<(&str, &str)> = group_rows
                    .iter()
                    .map(|(_, d)| (d.path[1], d.label))
                    .collect();
                r.check_keys(sub, &allowed_sub, &[], &format!("applications.{}", e.key));
                for s in sub {
                    if let Some((i, d)) = group_rows.iter().find(|(_, d)| d.path[1] == s.key) {
                        let what = format!("表三「{}·{}」", d.group.unwrap_or(""), d.label);
                        match r.numbers(&s.value, &what, &form::APPLICANTS, "总计") {
                            Some((v, sp)) => {
                                values[*i][..v.len()].copy_from_slice(&v);
                                spans.applications[*i] = Some(sp);
                            }
                            None => ok = false,
                        }
                    }
                }
            } else {
                let (i, d) = group_rows[0];
                let what = format!("表三「{}」", d.label);
                match r.numbers(&e.value, &what, &form::APPLICANTS, "总计") {
                    Some((v, sp)) if d.computed => explicit_total = Some((v, sp)),
                    Some((v, sp)) => {
                        values[i][..v.len()].copy_from_slice(&v);
                        spans.applications[i] = Some(sp);
                    }
                    None => ok = false,
                }
            }
        }
    }
    if !ok {
        return None;
    }

    // C2: an explicit row total must equal the sum of its six columns.
    for (i, d) in defs.iter().enumerate() {
        let Some(sp) = &spans.applications[i] else {
            continue;
        };
        let sum: i64 = values[i][..6].iter().sum();
        if sp.cells.len() == 7 && values[i][6] != sum {
            let parts: Vec<String> = values[i][..6].iter().map(|v| v.to_string()).collect();
            r.error(
                sp.cells[6].clone(),
                format!(
                    "表三「{}」的总计应为各列之和 {} = {sum}，实际填写 {}（C2）",
                    d.label,
                    parts.join(" + "),
                    values[i][6]
                ),
            );
        }
        values[i][6] = sum;
    }

    // （七）总计 is computed from the result rows; C3 compares a typed one.
    let total_idx = defs
        .iter()
        .position(|d| d.computed)
        .expect("form has a total row");
    let result_rows = 2..total_idx;
    let mut total = [0i64; 7];
    for i in result_rows {
        for c in 0..7 {
            total[c] += values[i][c];
        }
    }
    values[total_idx] = total;
    if let Some((typed, sp)) = explicit_total {
        for (c, v) in typed.iter().enumerate() {
            let col = if c < 6 { form::APPLICANTS[c] } else { "总计" };
            if *v != total[c] {
                r.error(
                    sp.cells[c].clone(),
                    format!(
                        "表三（七）总计「{col}」列应为（一）至（六）各项之和 {}，实际填写 {v}（C3）",
                        total[c]
                    ),
                )
                .hints
                .push("（七）总计由 gongwen 自动计算，可以删去这一行".into());
            }
        }
        spans.applications[total_idx] = Some(sp);
    }

    let rows = defs
        .iter()
        .zip(values)
        .map(|(d, v)| ApplicationRow {
            key: d.path.join("."),
            group: d.group.map(String::from),
            label: d.label.into(),
            values: v,
        })
        .collect();
    Some(Applications {
        columns: Report::application_columns(),
        rows,
    })
}

fn read_review(
    r: &mut Reader<'_>,
    node: Option<&Node>,
    spans: &mut Spans,
) -> Option<Vec<ReviewBlock>> {
    let mut entries: &[Entry] = &[];
    if let Some(n) = node {
        entries = r.entries(n, "四、行政复议、行政诉讼情况（review）")?;
        let allowed: Vec<(&str, &str)> = form::REVIEW_BLOCKS.to_vec();
        r.check_keys(entries, &allowed, &[], "review");
    }
    let mut ok = true;
    let mut out = Vec::new();
    spans.review = vec![None; form::REVIEW_BLOCKS.len()];
    for (bi, (key, label)) in form::REVIEW_BLOCKS.iter().enumerate() {
        let mut values = [0i64; 5];
        if let Some(e) = entries.iter().find(|e| e.key == *key) {
            let what = format!("表四「{label}」");
            match r.numbers(&e.value, &what, &form::REVIEW_RESULTS, "总计") {
                Some((v, sp)) => {
                    let sum: i64 = v[..4].iter().sum();
                    if v.len() == 5 && v[4] != sum {
                        r.error(
                            sp.cells[4].clone(),
                            format!(
                                "表四「{label}」的总计应为四项结果之和 {sum}，实际填写 {}（C5）",
                                v[4]
                            ),
                        );
                    }
                    values[..4].copy_from_slice(&v[..4]);
                    values[4] = sum;
                    spans.review[bi] = Some(sp);
                }
                None => ok = false,
            }
        }
        out.push(ReviewBlock {
            key: key.to_string(),
            label: label.to_string(),
            values,
        });
    }
    ok.then_some(out)
}

fn full_width(c: char) -> Option<&'static str> {
    Some(match c {
        ',' => "，",
        ';' => "；",
        ':' => "：",
        '?' => "？",
        '!' => "！",
        '.' => "。",
        '(' => "（",
        ')' => "）",
        '"' => "“”",
        '\'' => "‘’",
        '-' => "——",
        _ => return None,
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFD)
}

/// Paths a data file names (its template directory, last year's file) stay
/// inside the data file's folder: a data file passed around must not make
/// gongwen read or print files elsewhere.
/// Spaces before or after a name or title would print as a gap: removed,
/// with a warning so the file can be corrected.
/// A name, a title line or a file name is one line: a line feed in it
/// would become a line of its own (a key) wherever it is written back,
/// as in the data file `sum` and `new --from` write. Other control
/// characters are reported for every text by `check_text`.
fn one_line(r: &mut Reader<'_>, node: Option<&Node>, text: &str, what: &str) -> bool {
    let Some(c) = text.chars().find(|c| matches!(c, '\n' | '\r' | '\t')) else {
        return true;
    };
    if let Some(n) = node {
        let name = match c {
            '\t' => "制表符",
            _ => "换行符",
        };
        r.error(
            n.span.clone(),
            format!("{what}只能写一行，其中有{name}（U+{:04X}）", c as u32),
        )
        .hints
        .push("删去其中的换行和制表符；标题分两行时写作 [\"第一行\", \"第二行\"]".into());
    }
    false
}

fn trimmed(r: &mut Reader<'_>, node: Option<&Node>, text: String, what: &str) -> String {
    one_line(r, node, &text, what);
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.len() == text.len() {
        return text;
    }
    if let Some(n) = node {
        r.diags.push(
            Diagnostic::warning(format!("{what}的开头或结尾有空格，已去掉"))
                .at(r.src, n.span.clone())
                .hint("删去引号内首尾的空格（含全角空格）"),
        );
    }
    t.to_string()
}

/// What a clerk may have left out or mistyped without making the file
/// invalid: each is a warning with the fix.
fn completeness(
    r: &mut Reader<'_>,
    root: &Node,
    year: i64,
    format: Option<Format>,
    signature: &Option<Signature>,
) {
    // Something missing has no place in the file to point at.
    let end = usize::MAX;
    let warn = |r: &mut Reader<'_>, span: Range<usize>, msg: String, hint: String| {
        let d = Diagnostic::warning(msg).hint(hint);
        r.diags.push(if span.start == usize::MAX {
            d.in_file(&r.src.path)
        } else {
            d.at(r.src, span)
        });
    };
    // Parts left out altogether are named in one warning.
    let mut missing = Vec::new();
    for (key, name) in [
        ("overview", "一、总体情况"),
        ("problems", "五、存在的主要问题及改进情况"),
        ("other", "六、其他需要报告的事项"),
    ] {
        let empty = match root.get(key).map(|n| &n.kind) {
            None => {
                missing.push(format!("「{name}」（{key}）"));
                continue;
            }
            Some(Kind::Array(items)) => items.is_empty(),
            Some(Kind::Str(s)) => s.trim().is_empty(),
            Some(_) => false,
        };
        if let (true, Some(n)) = (empty, root.get(key)) {
            warn(
                r,
                n.span.clone(),
                format!("「{name}」（{key}）没有内容：印出来这一部分只有标题"),
                format!("写上这一部分的正文；没有要报告的写 {key} = [\"无\"]"),
            );
        }
    }
    if root.get("signature").is_none() {
        missing.push("署名和成文日期（[signature]），成文日期是年度报告的必备要素".into());
    }
    if !missing.is_empty() {
        warn(
            r,
            end..end,
            format!("数据文件中没有{}", missing.join("、")),
            format!(
                "补上这些部分：正文如 overview = [\"……\"]，署名写 [signature] 下 agency = \"机关名称\" 和 date = {}-01-15；gongwen new 生成的文件中各部分齐全",
                year + 1
            ),
        );
    }
    if let (Some(n), Some(sig)) = (root.get("signature"), signature) {
        match (&sig.date, n.get("date")) {
            (None, None) => warn(
                r,
                n.span.clone(),
                "署名缺少成文日期（date）：成文日期是年度报告的必备要素".into(),
                format!("在 [signature] 下写 date = {}-01-15", year + 1),
            ),
            (Some(d), Some(dn)) => {
                let date = (d.year as i64, d.month, d.day);
                if date < (year + 1, 1, 1) {
                    warn(
                        r,
                        dn.span.clone(),
                        format!(
                            "成文日期 {} 早于报告年度结束（{year}年12月31日）",
                            d.chinese()
                        ),
                        format!("年度报告在次年成文，多半应为 {}年的日期", year + 1),
                    );
                } else if date > (year + 1, 3, 31) {
                    warn(
                        r,
                        dn.span.clone(),
                        format!(
                            "成文日期 {} 远在报告公布期限（{}年1月31日）之后",
                            d.chinese(),
                            year + 1
                        ),
                        "请核对年份：年度报告应在次年1月31日前公布".into(),
                    );
                }
            }
            _ => {}
        }
    }
    if let (Some(f), Some(n)) = (format, root.get("format")) {
        let expected = Format::for_year(year);
        if f != expected {
            warn(
                r,
                n.span.clone(),
                format!(
                    "{year} 年度的报告应使用 {}，这里写的是 {}",
                    expected.describe(),
                    f.describe()
                ),
                format!(
                    "改为 format = \"{}\"；两种格式的表格行不同，可用 gongwen new --format {} 生成新的数据文件再抄入",
                    expected.name(),
                    expected.name()
                ),
            );
        }
    }
}

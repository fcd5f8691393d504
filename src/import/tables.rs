//! Tables 二, 三 and 四 of a published report onto the form: each row
//! found by its label (typos, stray spaces and half-width brackets
//! matched to the official row and said), the layout told by the rows
//! and columns it has, every cell read as printed (blank = 0), the 总计
//! cells kept so that `check` compares them with the sums.

use crate::annual::form::{self, Cell as Kind, Format, APPLICANTS};
use crate::annual::skeleton::Cells;

use super::source::{Note, Place, Row, Table};

/// What the tables gave: the rows to write and the layout they show.
pub struct Read {
    pub format: Format,
    pub rows: Vec<Cells>,
    /// How the layout was told, for a note when the tables did not say.
    pub format_evidence: usize,
    /// How many of tables 二, 三 and 四 were found.
    pub found: usize,
}

/// The three tables of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Active,
    Applications,
    Review,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Active => "表二（主动公开政府信息情况）",
            Which::Applications => "表三（收到和处理政府信息公开申请情况）",
            Which::Review => "表四（政府信息公开行政复议、行政诉讼情况）",
        }
    }
}

/// A label as compared: no spaces, one form of each bracket, comma,
/// colon, quote and digit, and 1、 as 1.
pub fn key(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{200b}' {
            continue;
        }
        let c = match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '．' | '。' if out.ends_with(|p: char| p.is_ascii_digit()) => '.',
            '、' if out.ends_with(|p: char| p.is_ascii_digit()) => '.',
            '“' | '”' | '"' | '‘' | '’' | '\'' | '「' | '」' => '"',
            '０'..='９' => char::from_u32(c as u32 - 0xFF10 + 0x30).unwrap_or(c),
            '／' => '/',
            c => c,
        };
        out.push(c);
    }
    out
}

/// A cell's text as printed, lines joined: the line breaks of a narrow
/// cell are not part of its text.
pub fn joined(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join("")
}

/// How well a label matched an official one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quality {
    Exact,
    /// Equal but for spaces, bracket or punctuation forms.
    Written,
    /// A typo, a word left out or a shortened label.
    Close,
}

/// The official label `text` stands for, among `labels`.
pub fn best_match(text: &str, labels: &[&str]) -> Option<(usize, Quality)> {
    let raw = joined(text);
    if let Some(i) = labels.iter().position(|l| *l == raw) {
        return Some((i, Quality::Exact));
    }
    let k = key(text);
    if k.chars().count() < 2 {
        return None;
    }
    if let Some(i) = labels.iter().position(|l| key(l) == k) {
        return Some((i, Quality::Written));
    }
    let kc: Vec<char> = k.chars().collect();
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (i, l) in labels.iter().enumerate() {
        let lk: Vec<char> = key(l).chars().collect();
        // A label shortened by its note in brackets, or followed by one.
        let shortened = (kc.len() >= 4 && lk.starts_with(&kc) && lk.get(kc.len()) == Some(&'('))
            || (lk.len() >= 4 && kc.starts_with(&lk) && kc.get(lk.len()) == Some(&'('));
        let d = if shortened { 0 } else { distance(&kc, &lk) };
        let allowed = (kc.len().min(lk.len()) / 5).max(1);
        if d > allowed {
            continue;
        }
        match best {
            Some((_, bd)) if bd < d => {}
            Some((_, bd)) if bd == d => tie = true,
            _ => {
                best = Some((i, d));
                tie = false;
            }
        }
    }
    match (best, tie) {
        (Some((i, _)), false) => Some((i, Quality::Close)),
        _ => None,
    }
}

/// Edit distance in characters.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Blank,
    /// 「/」「—」「无」: nothing to report, read as 0.
    Dash(String),
    /// A number as printed (digits, an optional sign and decimals), and
    /// the unit or grouping that was dropped from it.
    Number(String, Option<String>),
    Unreadable(String),
}

pub fn value(text: &str) -> Value {
    let raw = joined(text);
    let t: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{a0}')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFF10 + 0x30).unwrap_or(c),
            '．' => '.',
            '－' | '−' | '—' | '–' => '-',
            '＋' => '+',
            c => c,
        })
        .collect();
    if t.is_empty() {
        return Value::Blank;
    }
    if ["-", "--", "/", "\\", "无", "——", "-—"].contains(&t.as_str()) || t.chars().all(|c| c == '-')
    {
        return Value::Dash(raw);
    }
    let mut number = t.clone();
    let mut dropped = None;
    for unit in ["万元", "元", "件", "个", "项", "次", "条"] {
        if let Some(n) = number.strip_suffix(unit) {
            dropped = Some(unit.to_string());
            number = n.to_string();
            break;
        }
    }
    if number.contains(',') || number.contains('，') {
        number = number.replace([',', '，'], "");
        dropped.get_or_insert_with(|| "千位分隔的逗号".into());
    }
    let digits = number.strip_prefix(['+', '-']).unwrap_or(&number);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if ok {
        Value::Number(number.trim_start_matches('+').to_string(), dropped)
    } else {
        Value::Unreadable(raw)
    }
}

/// The rows of one table kind as found, before the layout is known.
#[derive(Default)]
struct Found {
    /// Table 二: key, row, its label cell index.
    active: Vec<(String, Row, usize)>,
    /// Table 三: row index in the catalogue, the row.
    applications: Vec<(usize, Row)>,
    review: Vec<Row>,
    seen: [bool; 3],
    /// Votes for each layout from the rows and columns seen.
    votes: [usize; 2],
}

/// Table 三's rows in both layouts: (format, key, group, label).
fn application_catalogue() -> Vec<(Format, String, Option<&'static str>, &'static str)> {
    let mut out = Vec::new();
    for f in [Format::F2019, Format::F2021] {
        for r in form::application_rows(f) {
            let key = r.path.join(".");
            if f == Format::F2021 && out.iter().any(|(_, k, _, _)| *k == key) {
                continue;
            }
            out.push((f, key, r.group, r.label));
        }
    }
    out
}

/// Which rows only one layout has: (label, layout).
const ACTIVE_ONLY: &[(&str, Format)] = &[
    ("其他对外管理服务事项", Format::F2019),
    ("政府集中采购", Format::F2019),
    ("第二十条第（九）项", Format::F2019),
    ("本年新制作数量", Format::F2019),
    ("本年新公开数量", Format::F2019),
    ("对外公开总数量", Format::F2019),
    ("上一年项目数量", Format::F2019),
    ("本年增/减", Format::F2019),
    ("处理决定数量", Format::F2019),
    ("采购项目数量", Format::F2019),
    ("采购总金额", Format::F2019),
    ("本年制发件数", Format::F2021),
    ("本年废止件数", Format::F2021),
    ("现行有效件数", Format::F2021),
    ("本年处理决定数量", Format::F2021),
    ("本年收费金额（单位：万元）", Format::F2021),
];

fn fmt_index(f: Format) -> usize {
    match f {
        Format::F2019 => 0,
        Format::F2021 => 1,
    }
}

/// Table 二's row labels in both layouts, with their keys.
fn active_labels() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for f in [Format::F2019, Format::F2021] {
        for g in form::active_groups(f) {
            for r in g.rows {
                if !out.iter().any(|(_, l)| *l == r.label) {
                    out.push((r.key, r.label));
                }
            }
        }
    }
    out
}

/// What a table is, from the labels in its rows.
fn classify(t: &Table) -> Option<Which> {
    let text: String = t
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .map(|c| key(&c.text))
        .collect();
    let has = |w: &str| text.contains(&key(w));
    if has("第二十条") || (has("信息内容") && (has("规章") || has("行政许可"))) {
        Some(Which::Active)
    } else if has("申请人情况")
        || has("本年新收")
        || has("予以公开")
        || has("不予处理")
        || has("结转下年度")
        || has("无法提供")
    {
        Some(Which::Applications)
    } else if has("行政复议") || has("复议后起诉") || has("直接起诉") {
        Some(Which::Review)
    } else {
        None
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF))
}

/// Reads the tables of a report. `tables` are in reading order; a table
/// that says nothing of its own kind continues the one before it (a
/// table split over pages without its header).
pub fn read(tables: &[&Table], year: Option<i64>, notes: &mut Vec<Note>) -> Read {
    let mut found = Found::default();
    let catalogue = application_catalogue();
    let labels3: Vec<&str> = catalogue.iter().map(|(_, _, _, l)| *l).collect();
    let labels2 = active_labels();
    let labels2_text: Vec<&str> = labels2.iter().map(|(_, l)| *l).collect();
    let mut last: Option<Which> = None;
    for t in tables {
        let which = classify(t).or(last);
        let Some(which) = which else {
            notes.push(Note::new(
                &t.place,
                "这个表格不是表二、表三或表四，未导入（若它是其中之一，请照原文把数字填入导入的数据文件）",
            ));
            continue;
        };
        last = Some(which);
        found.seen[which as usize] = true;
        for row in &t.rows {
            match which {
                Which::Active => active_row(row, &labels2, &labels2_text, &mut found, notes),
                Which::Applications => {
                    application_row(row, &catalogue, &labels3, &mut found, notes)
                }
                Which::Review => {
                    let numbers = row
                        .cells
                        .iter()
                        .filter(|c| !c.covered)
                        .all(|c| !has_cjk(&c.text));
                    let filled = row.cells.iter().any(|c| !c.text.trim().is_empty());
                    if numbers && (filled || row.cells.len() >= 15) {
                        found.review.push(row.clone());
                    }
                }
            }
        }
    }
    let evidence = found.votes[0] + found.votes[1];
    let format = match found.votes {
        [0, 0] => Format::for_year(year.unwrap_or(2021)),
        [a, b] if a > b => Format::F2019,
        [a, b] if b > a => Format::F2021,
        _ => Format::for_year(year.unwrap_or(2021)),
    };
    if found.votes[0] > 0 && found.votes[1] > 0 {
        notes.push(Note::new(
            &Place::default(),
            format!(
                "表格中既有 2019 年试行格式的行列（{} 处），也有 2021 年修订格式的（{} 处），按{}读入；只属于另一格式的行未读入",
                found.votes[0],
                found.votes[1],
                format.describe()
            ),
        ));
    }
    let mut rows = Vec::new();
    for (i, which) in [Which::Active, Which::Applications, Which::Review]
        .into_iter()
        .enumerate()
    {
        if !found.seen[i] {
            notes.push(Note::new(
                &Place::default(),
                format!(
                    "原文中没有找到{}，它的各格按 0 写入：请照原文填写",
                    which.name()
                ),
            ));
        }
    }
    active_cells(&found, format, &mut rows, notes);
    application_cells(&found, &catalogue, format, &mut rows, notes);
    review_cells(&found, &mut rows, notes);
    Read {
        format,
        rows,
        format_evidence: evidence,
        found: found.seen.iter().filter(|s| **s).count(),
    }
}

/// Says how a label was matched when not exactly.
fn said(place: &Place, table: &str, text: &str, official: &str, q: Quality, notes: &mut Vec<Note>) {
    let text = joined(text);
    match q {
        Quality::Exact => {}
        Quality::Written => notes.push(Note::new(
            place,
            format!("{table}的行「{text}」按「{official}」读入（空格或标点与表样不同）"),
        )),
        Quality::Close => notes.push(Note::new(
            place,
            format!(
                "{table}的行「{text}」与表样不完全相同，按「{official}」读入：请核对是否就是这一行"
            ),
        )),
    }
}

fn active_row(
    row: &Row,
    labels: &[(&'static str, &'static str)],
    texts: &[&str],
    found: &mut Found,
    notes: &mut Vec<Note>,
) {
    let Some((li, label)) = row
        .cells
        .iter()
        .enumerate()
        .find(|(_, c)| !c.covered && !c.text.trim().is_empty())
    else {
        return;
    };
    for c in row.cells.iter().filter(|c| !c.covered) {
        let only: Vec<&str> = ACTIVE_ONLY.iter().map(|(l, _)| *l).collect();
        if let Some((i, Quality::Exact | Quality::Written)) = best_match(&c.text, &only) {
            found.votes[fmt_index(ACTIVE_ONLY[i].1)] += 1;
        }
    }
    if key(&label.text).starts_with("第二十条") || key(&label.text) == "信息内容" {
        return;
    }
    match best_match(&label.text, texts) {
        Some((i, q)) => {
            said(&row.place, "表二", &label.text, labels[i].1, q, notes);
            found
                .active
                .push((labels[i].0.to_string(), row.clone(), li));
        }
        None => {
            let values = row.cells[li + 1..]
                .iter()
                .any(|c| !c.text.trim().is_empty());
            if values {
                notes.push(Note::new(
                    &row.place,
                    format!(
                        "表二的行「{}」不是表样中的行，未读入：请核对原文，把数字填到对应的行",
                        joined(&label.text)
                    ),
                ));
            }
        }
    }
}

fn application_row(
    row: &Row,
    catalogue: &[(Format, String, Option<&'static str>, &'static str)],
    labels: &[&str],
    found: &mut Found,
    notes: &mut Vec<Note>,
) {
    let n = row.cells.len();
    let label_cells: Vec<&str> = row.cells[..n.saturating_sub(7)]
        .iter()
        .filter(|c| !c.covered && !c.text.trim().is_empty())
        .map(|c| c.text.as_str())
        .collect();
    let Some(label) = label_cells.last() else {
        let numbers = row
            .cells
            .iter()
            .any(|c| matches!(value(&c.text), Value::Number(..)));
        if numbers {
            notes.push(Note::new(
                &row.place,
                "表三的这一行有数字但没有行名，未读入：请核对原文（可能是跨页断开的一行）",
            ));
        }
        return;
    };
    // A group heading alone in its row (（三）不予公开 over its items).
    match best_match(label, labels) {
        Some((i, q)) => {
            let (f, _, group, official) = &catalogue[i];
            said(&row.place, "表三", label, official, q, notes);
            if n < 8 {
                notes.push(Note::new(
                    &row.place,
                    format!(
                        "表三「{official}」这一行只有 {} 格，读不出七个数，按 0 写入：请照原文填写",
                        n.saturating_sub(1)
                    ),
                ));
                return;
            }
            let key3 = &catalogue[i].1;
            if *f == Format::F2021 && group.is_some() && key3.starts_with("other.") {
                found.votes[1] += 1;
            }
            if *f == Format::F2019 && key3 == "other" {
                found.votes[0] += 1;
            }
            found.applications.push((i, row.clone()));
        }
        None => {
            let numbers = row.cells[n.saturating_sub(7)..]
                .iter()
                .any(|c| matches!(value(&c.text), Value::Number(..)));
            let header = [
                "申请人情况",
                "自然人",
                "法人或其他组织",
                "勾稽关系",
                "商业企业",
            ]
            .iter()
            .any(|h| key(label).contains(h));
            if numbers && !header {
                notes.push(Note::new(
                    &row.place,
                    format!(
                        "表三的行「{}」不是表样中的行，未读入：请核对原文，把数字填到对应的行",
                        joined(label)
                    ),
                ));
            }
        }
    }
}

/// A count as the data file writes it, or why it cannot be.
fn count(v: &Value, delta: bool) -> Result<String, String> {
    match v {
        Value::Blank | Value::Dash(_) => Ok("0".into()),
        Value::Number(n, _) if !n.contains('.') && (delta || !n.starts_with('-')) => {
            match n.parse::<i64>() {
                Ok(v) if v.abs() < form::MAX_COUNT => Ok(v.to_string()),
                _ => Err(n.clone()),
            }
        }
        Value::Number(n, _) => Err(n.clone()),
        Value::Unreadable(t) => Err(t.clone()),
    }
}

/// Notes for what a cell was read as, when not plainly.
fn cell_note(place: &Place, what: &str, v: &Value, notes: &mut Vec<Note>) {
    match v {
        Value::Dash(t) => notes.push(Note::new(place, format!("{what}写的是「{t}」，按 0 读入"))),
        Value::Number(n, Some(unit)) => {
            notes.push(Note::new(place, format!("{what}去掉「{unit}」，读作 {n}")))
        }
        _ => {}
    }
}

fn unreadable(place: &Place, what: &str, text: &str, notes: &mut Vec<Note>) {
    notes.push(Note::new(
        place,
        format!("{what}「{text}」不是一个数，按 0 写入：请照原文改正"),
    ));
}

fn duplicate(first: &Place, again: &Place, what: &str, notes: &mut Vec<Note>) {
    notes.push(Note::new(
        again,
        format!("{what}在原文中出现了两次（另一处在{first}），取第一次的数字：请核对"),
    ));
}

fn active_cells(found: &Found, format: Format, rows: &mut Vec<Cells>, notes: &mut Vec<Note>) {
    let q = crate::data::example::toml_string;
    let groups = form::active_groups(format);
    let mut done: Vec<(&str, &Place)> = Vec::new();
    for (key, row, li) in &found.active {
        let Some(def) = groups.iter().flat_map(|g| g.rows).find(|r| r.key == key) else {
            let label = active_labels()
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, l)| *l);
            notes.push(Note::new(
                &row.place,
                format!(
                    "表二「{label}」只属于另一种格式，{}没有这一行，未读入",
                    format.describe()
                ),
            ));
            continue;
        };
        if let Some((_, first)) = done.iter().find(|(k, _)| k == key) {
            duplicate(first, &row.place, &format!("表二「{}」", def.label), notes);
            continue;
        }
        done.push((def.key, &row.place));
        let cells: Vec<&super::source::Cell> =
            row.cells[li + 1..].iter().filter(|c| !c.covered).collect();
        let mut values = Vec::new();
        for (i, kind) in def.cells.iter().enumerate() {
            let what = format!("表二「{}」第 {} 个数", def.label, i + 1);
            let v = cells.get(i).map_or(Value::Blank, |c| value(&c.text));
            cell_note(&row.place, &what, &v, notes);
            let text = match kind {
                Kind::Money => match &v {
                    Value::Blank | Value::Dash(_) => Ok(q("0")),
                    Value::Number(n, _) if !n.starts_with('-') => Ok(q(n)),
                    Value::Number(n, _) => Err(n.clone()),
                    Value::Unreadable(t) => Err(t.clone()),
                },
                Kind::Count => count(&v, false),
                Kind::Delta => count(&v, true),
            };
            values.push(text.unwrap_or_else(|t| {
                unreadable(&row.place, &what, &t, notes);
                if *kind == Kind::Money {
                    q("0")
                } else {
                    "0".into()
                }
            }));
        }
        let extra: Vec<&str> = cells
            .iter()
            .skip(def.cells.len())
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        if !extra.is_empty() {
            notes.push(Note::new(
                &row.place,
                format!(
                    "表二「{}」在{}中有 {} 个数，原文多出的「{}」未读入：请核对",
                    def.label,
                    format.describe(),
                    def.cells.len(),
                    extra.join("」「")
                ),
            ));
        }
        rows.push(Cells {
            key: def.key.to_string(),
            values,
            note: format!("（原文{}）", row.place),
        });
    }
    let all: Vec<&form::ActiveRow> = groups.iter().flat_map(|g| g.rows).collect();
    if found.seen[0] {
        for def in all {
            if !done.iter().any(|(k, _)| *k == def.key) {
                notes.push(Note::new(
                    &Place::default(),
                    format!(
                        "表二中没有找到「{}」这一行，按 0 写入：请核对原文",
                        def.label
                    ),
                ));
            }
        }
    }
}

fn application_cells(
    found: &Found,
    catalogue: &[(Format, String, Option<&'static str>, &'static str)],
    format: Format,
    rows: &mut Vec<Cells>,
    notes: &mut Vec<Note>,
) {
    let defs = form::application_rows(format);
    let mut done: Vec<(&str, &Place)> = Vec::new();
    for (i, row) in &found.applications {
        let (_, key3, _, label) = &catalogue[*i];
        let Some(def) = defs.iter().find(|d| d.path.join(".") == *key3) else {
            let fix = if key3 == "other" {
                "：2021 年修订格式的（六）其他处理分三个小项，请把这一行的数字分填到 other 下的三行"
            } else {
                ""
            };
            notes.push(Note::new(
                &row.place,
                format!("表三「{label}」不属于{}，未读入{fix}", format.describe()),
            ));
            continue;
        };
        if let Some((_, first)) = done.iter().find(|(k, _)| *k == key3) {
            duplicate(first, &row.place, &format!("表三「{label}」"), notes);
            continue;
        }
        done.push((key3, &row.place));
        let n = row.cells.len();
        let mut cols: Vec<&str> = APPLICANTS.to_vec();
        cols.push("总计");
        let what = format!("表三「{}」", def.label);
        let values = counts(
            &row.cells[n - 7..],
            &row.place,
            &what,
            &cols,
            !def.computed,
            notes,
        );
        rows.push(Cells {
            key: key3.clone(),
            values,
            note: format!("（原文{}）", row.place),
        });
    }
    if found.seen[1] {
        for d in defs.iter().filter(|d| !d.computed) {
            let k = d.path.join(".");
            if !done.iter().any(|(dk, _)| *dk == k) {
                notes.push(Note::new(
                    &Place::default(),
                    format!("表三中没有找到「{}」这一行，按 0 写入：请核对原文", d.label),
                ));
            }
        }
    }
}

fn review_cells(found: &Found, rows: &mut Vec<Cells>, notes: &mut Vec<Note>) {
    let Some(row) = found.review.iter().find(|r| r.cells.len() >= 15) else {
        if let Some(r) = found.review.first() {
            notes.push(Note::new(
                &r.place,
                format!(
                    "表四的数字行只有 {} 格，应为 15 格（三项各四种结果及总计），未读入：请照原文填写",
                    r.cells.len()
                ),
            ));
        } else if found.seen[2] {
            notes.push(Note::new(
                &Place::default(),
                "表四中没有找到数字行，各格按 0 写入：请照原文填写",
            ));
        }
        return;
    };
    let n = row.cells.len();
    let cells = &row.cells[n - 15..];
    for (b, (key4, label)) in form::REVIEW_BLOCKS.iter().enumerate() {
        let mut cols: Vec<&str> = form::REVIEW_RESULTS.to_vec();
        cols.push("总计");
        let what = format!("表四「{label}」");
        let values = counts(
            &cells[b * 5..b * 5 + 5],
            &row.place,
            &what,
            &cols,
            true,
            notes,
        );
        rows.push(Cells {
            key: key4.to_string(),
            values,
            note: format!("（原文{}）", row.place),
        });
    }
    for extra in found.review.iter().filter(|r| !std::ptr::eq(*r, row)) {
        notes.push(Note::new(
            &extra.place,
            "表四中另有一行数字，未读入：请核对原文",
        ));
    }
}

/// A row of counts and its printed 总计 (the last of `cols`), blank cells
/// read as 0; a blank 总计 is left to be computed when `blank_total` (it
/// is not a sum the print got wrong).
fn counts(
    cells: &[super::source::Cell],
    place: &Place,
    what: &str,
    cols: &[&str],
    blank_total: bool,
    notes: &mut Vec<Note>,
) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for (c, cell) in cells.iter().enumerate() {
        let v = value(&cell.text);
        if c + 1 == cols.len() && blank_total && v == Value::Blank {
            let sum: i64 = values.iter().filter_map(|v| v.parse::<i64>().ok()).sum();
            if sum != 0 {
                notes.push(Note::new(
                    place,
                    format!("{what}的总计在原文中是空白，按各项之和 {sum} 计"),
                ));
            }
            continue;
        }
        let what = format!("{what}「{}」", cols.get(c).copied().unwrap_or(""));
        cell_note(place, &what, &v, notes);
        values.push(count(&v, false).unwrap_or_else(|t| {
            unreadable(place, &what, &t, notes);
            "0".into()
        }));
    }
    values
}

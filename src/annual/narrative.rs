//! C9: what the narrative says about the tables, checked against them.
//!
//! Only statements whose meaning is plain are read — a count of
//! applications received, carried over, settled or carried forward, of each
//! outcome, of 自然人 applications, of review and litigation cases and
//! their outcomes (「均获维持」, 「未发生」, 「均为零」), table 二's decisions,
//! new 规范性文件 and fees, and a share (「占…%」) of an outcome — and each
//! gives a warning
//! only when no reading the form allows fits: 「收到」 may include 上年结转, a
//! share may be of the applications settled, received or handled, to the
//! rounding the text uses. A false alarm costs more than a miss, so
//! anything less plain is left alone.

use std::sync::OnceLock;

use regex::Regex;

use super::form;
use super::report::Report;
use crate::diag::{Diagnostic, Diagnostics};

/// Replaces each `{{表三.新收}}`-style reference in the narrative with the
/// table value it names, so that the narrative cannot disagree with the
/// tables: `{{表三.行[.列]}}` (rows 新收, 上年结转, 予以公开, 部分公开,
/// 不予公开, 无法提供, 不予处理, 其他处理, 办结, 结转下年度; columns 总计 —
/// the default — or an applicant type such as 自然人), `{{表四.行[.列]}}`
/// (行政复议, 行政诉讼, 直接起诉, 复议后起诉; 结果维持, 结果纠正, 其他结果,
/// 尚未审结, 总计) and `{{表二.行[.列]}}` (a row's name as printed, e.g.
/// 行政许可, and one of its columns, the first by default). Nothing is
/// evaluated: a reference either names a cell or is an error at its place;
/// braces around anything not starting with 表 stay text.
pub fn resolve(report: &mut Report) -> Diagnostics {
    static REF: OnceLock<Regex> = OnceLock::new();
    let mut out = Diagnostics::default();
    // Most reports have no reference: then neither the pattern is compiled
    // nor the report copied.
    let has_reference = |p: &super::report::Paragraph| p.text.contains("{{");
    if !report
        .preamble
        .iter()
        .chain(&report.overview)
        .chain(&report.problems)
        .chain(&report.other)
        .any(has_reference)
    {
        return out;
    }
    // Only what starts with 表 is a reference; other braces are text.
    let reference = re(&REF, r"\{\{ *(表[^{}]{0,60}?) *\}\}");
    let snapshot = report.clone();
    for p in report
        .preamble
        .iter_mut()
        .chain(report.overview.iter_mut())
        .chain(report.problems.iter_mut())
        .chain(report.other.iter_mut())
    {
        if !p.text.contains("{{") {
            continue;
        }
        let mut text = String::with_capacity(p.text.len());
        let mut last = 0;
        for m in reference.captures_iter(&p.text) {
            let whole = m.get(0).expect("whole match");
            text.push_str(&p.text[last..whole.start()]);
            last = whole.end();
            match cell_value(&snapshot, &m[1]) {
                Ok(v) => text.push_str(&v),
                Err(why) => {
                    text.push_str(whole.as_str());
                    let d = Diagnostic::error(format!("正文中的引用「{}」{why}", whole.as_str()))
                        .hint("写成 {{表三.新收}}、{{表三.予以公开.自然人}}、{{表四.行政复议.尚未审结}} 或 {{表二.行政许可}}");
                    out.push(match &snapshot.spans.source {
                        Some(src) => match src.text.find(whole.as_str()) {
                            Some(at) => d.at(src, at..at + whole.len()),
                            None => d.in_file(&snapshot.spans.path),
                        },
                        None => d.in_file(&snapshot.spans.path),
                    });
                }
            }
        }
        text.push_str(&p.text[last..]);
        p.text = text;
    }
    out
}

/// The value a reference names, or why it names none.
fn cell_value(r: &Report, reference: &str) -> Result<String, String> {
    let parts: Vec<&str> = reference.split(['.', '．', '·']).map(str::trim).collect();
    let (table, row, column) = match parts[..] {
        [t, row] => (t, row, None),
        [t, row, c] => (t, row, Some(c)),
        _ => return Err("应写成「表名.行」或「表名.行.列」".into()),
    };
    match table {
        "表三" => {
            let a = &r.applications;
            let col = match column {
                None | Some("总计") => 6,
                Some(c) => form::APPLICANTS
                    .iter()
                    .position(|x| *x == c)
                    .ok_or_else(|| {
                        format!(
                            "：表三没有「{c}」列（可用：总计、{}）",
                            form::APPLICANTS.join("、")
                        )
                    })?,
            };
            let key = match row {
                "新收" => "new",
                "上年结转" => "carried_over",
                "予以公开" => "disclosed",
                "部分公开" => "partially_disclosed",
                "办结" | "办理结果" | "总计" => "total",
                "结转下年度" => "carried_forward",
                _ => "",
            };
            if !key.is_empty() {
                return Ok(a.row(key).map_or(0, |x| x.values[col]).to_string());
            }
            let group = match row {
                "不予公开" => form::GROUP_WITHHELD,
                "无法提供" => form::GROUP_UNAVAILABLE,
                "不予处理" => form::GROUP_NOT_PROCESSED,
                "其他处理" => form::GROUP_OTHER,
                _ => {
                    return Err(format!(
                        "：表三没有「{row}」行（可用：新收、上年结转、予以公开、部分公开、不予公开、无法提供、不予处理、其他处理、办结、结转下年度）"
                    ))
                }
            };
            let n: i64 = a
                .rows
                .iter()
                .filter(|x| x.group.as_deref() == Some(group) || x.key == group_key(group))
                .map(|x| x.values[col])
                .sum();
            Ok(n.to_string())
        }
        "表四" => {
            let col = match column {
                None | Some("总计") => 4,
                Some(c) => form::REVIEW_RESULTS
                    .iter()
                    .position(|x| *x == c)
                    .ok_or_else(|| {
                        format!(
                            "：表四没有「{c}」列（可用：{}、总计）",
                            form::REVIEW_RESULTS.join("、")
                        )
                    })?,
            };
            let blocks: &[usize] = match row {
                "行政复议" => &[0],
                "行政诉讼" => &[1, 2],
                "直接起诉" | "未经复议直接起诉" => &[1],
                "复议后起诉" => &[2],
                _ => {
                    return Err(format!(
                        "：表四没有「{row}」（可用：行政复议、行政诉讼、直接起诉、复议后起诉）"
                    ))
                }
            };
            let n: i64 = blocks
                .iter()
                .filter_map(|&b| r.review.get(b))
                .map(|b| b.values[col])
                .sum();
            Ok(n.to_string())
        }
        "表二" => {
            for g in &r.active {
                let Some(x) = g.rows.iter().find(|x| x.label == row) else {
                    continue;
                };
                let i = match column {
                    None => 0,
                    Some(c) => g.columns.iter().position(|x| x == c).ok_or_else(|| {
                        format!(
                            "：表二「{row}」没有「{c}」列（可用：{}）",
                            g.columns.join("、")
                        )
                    })?,
                };
                return x
                    .values
                    .get(i)
                    .cloned()
                    .ok_or_else(|| format!("：表二「{row}」没有第 {} 列", i + 1));
            }
            let rows: Vec<&str> = r
                .active
                .iter()
                .flat_map(|g| &g.rows)
                .map(|x| x.label.as_str())
                .collect();
            Err(format!(
                "：表二没有「{row}」行（可用：{}）",
                rows.join("、")
            ))
        }
        _ => Err("：表名应为 表二、表三 或 表四".into()),
    }
}

pub fn check(report: &Report) -> Diagnostics {
    let mut out = Diagnostics::default();
    let facts = Facts::of(report);
    for p in report
        .preamble
        .iter()
        .chain(&report.overview)
        .chain(&report.problems)
        .chain(&report.other)
    {
        // A draft paragraph (「（在此填写…）」, as `new --from` marks last
        // year's) is already warned about; its numbers are last year's.
        if p.text.contains("（在此填写") {
            continue;
        }
        for sentence in sentences(&p.text) {
            check_sentence(report, &facts, sentence, &mut out);
        }
    }
    out
}

/// The table values statements are compared with.
struct Facts {
    new: i64,
    carried: i64,
    settled: i64,
    forward: i64,
    /// 自然人 column of 一 and 二.
    natural: (i64, i64),
    /// Each outcome's total, by the words that name it.
    outcomes: Vec<(&'static str, i64, String)>,
    /// 行政复议 and 行政诉讼 (both blocks): the four results.
    review: [i64; 4],
    litigation: [i64; 4],
}

impl Facts {
    fn of(r: &Report) -> Facts {
        let a = &r.applications;
        let group = |g: &str| -> i64 {
            a.rows
                .iter()
                .filter(|row| row.group.as_deref() == Some(g) || row.key == group_key(g))
                .map(|row| row.values[6])
                .sum()
        };
        let outcomes = vec![
            (
                "予以公开",
                a.total("disclosed"),
                "（一）予以公开".to_string(),
            ),
            (
                "部分公开",
                a.total("partially_disclosed"),
                "（二）部分公开".to_string(),
            ),
            (
                "不予公开",
                group(form::GROUP_WITHHELD),
                form::GROUP_WITHHELD.to_string(),
            ),
            (
                "无法提供",
                group(form::GROUP_UNAVAILABLE),
                form::GROUP_UNAVAILABLE.to_string(),
            ),
            (
                "不予处理",
                group(form::GROUP_NOT_PROCESSED),
                form::GROUP_NOT_PROCESSED.to_string(),
            ),
            (
                "其他处理",
                group(form::GROUP_OTHER),
                form::GROUP_OTHER.to_string(),
            ),
        ];
        let block = |k: usize| -> [i64; 4] {
            let v = r.review.get(k).map_or([0; 5], |b| b.values);
            [v[0], v[1], v[2], v[3]]
        };
        let (d, after) = (block(1), block(2));
        Facts {
            new: a.total("new"),
            carried: a.total("carried_over"),
            settled: a.total("total"),
            forward: a.total("carried_forward"),
            natural: (
                a.row("new").map_or(0, |r| r.values[0]),
                a.row("carried_over").map_or(0, |r| r.values[0]),
            ),
            outcomes,
            review: block(0),
            litigation: [0, 1, 2, 3].map(|i| d[i] + after[i]),
        }
    }
}

/// The 2019 layout's single （六）其他处理 row has the group's name as key.
fn group_key(group: &str) -> &'static str {
    if group == form::GROUP_OTHER {
        "other"
    } else {
        ""
    }
}

/// Sentences of a paragraph.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['。', '；', '！', '？'])
        .filter(|s| !s.trim().is_empty())
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// The pattern, compiled once per process, when `s` holds one of `any`,
/// words every match contains; `None` otherwise. A pattern is compiled only
/// once some sentence could match it: compiling all of them was a quarter
/// of the work of rendering a report.
fn re_if(
    cell: &'static OnceLock<Regex>,
    s: &str,
    any: &[&str],
    pattern: &str,
) -> Option<&'static Regex> {
    any.iter().any(|w| s.contains(w)).then(|| re(cell, pattern))
}

/// One statement the tables contradict: its words, and what the tables
/// give.
struct Claim<'s> {
    said: &'s str,
    table: String,
}

fn check_sentence(report: &Report, f: &Facts, s: &str, out: &mut Diagnostics) {
    let mut claims: Vec<Claim> = Vec::new();
    let count = |m: &regex::Captures, i: usize| -> Option<i64> { m.get(i)?.as_str().parse().ok() };

    // Applications received: 新收 is 一 alone; 收到/受理 may include 二.
    static RECEIVED: OnceLock<Regex> = OnceLock::new();
    let received = re_if(
        &RECEIVED,
        s,
        &["申请"],
        r"(新收|收到|受理|接收|接到)[^。；，,、0-9（(]{0,14}?(?:申请|依申请公开)[^。；，,0-9]{0,6}?([0-9]+) *件",
    );
    for m in received.into_iter().flat_map(|r| r.captures_iter(s)) {
        let Some(n) = count(&m, 2) else { continue };
        if m[0].contains("结转") {
            continue;
        }
        let accepted: Vec<i64> = if &m[1] == "新收" {
            vec![f.new]
        } else {
            vec![f.new, f.new + f.carried]
        };
        if !accepted.contains(&n) {
            let table = if &m[1] == "新收" {
                format!("表三「一、本年新收」总计为 {}", f.new)
            } else {
                format!(
                    "表三「一、本年新收」总计为 {}，加「二、上年结转」{} 为 {}",
                    f.new,
                    f.carried,
                    f.new + f.carried
                )
            };
            claims.push(claim(&m, table));
        }
    }
    // 上年结转, 结转下年度, 办结.
    static CARRIED: OnceLock<Regex> = OnceLock::new();
    static FORWARD: OnceLock<Regex> = OnceLock::new();
    static SETTLED: OnceLock<Regex> = OnceLock::new();
    for (pattern, value, label) in [
        (
            re_if(
                &CARRIED,
                s,
                &["结转"],
                r"上年(?:度)?结转[^。；，,0-9]{0,8}?([0-9]+) *件",
            ),
            f.carried,
            "表三「二、上年结转」总计",
        ),
        (
            re_if(
                &FORWARD,
                s,
                &["结转"],
                r"结转(?:至|到)?下(?:一)?年(?:度)?[^。；，,0-9]{0,8}?([0-9]+) *件",
            ),
            f.forward,
            "表三「四、结转下年度继续办理」总计",
        ),
        (
            re_if(
                &SETTLED,
                s,
                &["办结"],
                r"(?:已|共|全部)?办结[^。；，,0-9率]{0,6}?([0-9]+) *件",
            ),
            f.settled,
            "表三「三、本年度办理结果（七）总计」",
        ),
    ] {
        for m in pattern.into_iter().flat_map(|r| r.captures_iter(s)) {
            if count(&m, 1) != Some(value) {
                claims.push(claim(&m, format!("{label}为 {value}")));
            }
        }
    }
    // Each outcome, and a share of it given right after.
    static OUTCOME: OnceLock<Regex> = OnceLock::new();
    let outcome = re_if(
        &OUTCOME,
        s,
        &[
            "予以公开",
            "部分公开",
            "不予公开",
            "无法提供",
            "不予处理",
            "其他处理",
        ],
        r"(予以公开|部分公开|不予公开|无法提供|不予处理|其他处理)[^。；，,、0-9]{0,4}?([0-9]+) *件(?:[，,]? *占[^。；，,0-9]{0,8}?([0-9]+(?:\.[0-9]+)?) *[%％])?",
    );
    for m in outcome.into_iter().flat_map(|r| r.captures_iter(s)) {
        let Some(&(_, value, ref label)) = f.outcomes.iter().find(|(w, ..)| *w == &m[1]) else {
            continue;
        };
        // 「依申请公开」 is not an outcome; nor is 「主动公开」.
        if s[..m.get(0).map_or(0, |g| g.start())].ends_with("依申请") {
            continue;
        }
        if count(&m, 2) != Some(value) {
            claims.push(claim(&m, format!("表三「{label}」总计为 {value}")));
            continue;
        }
        if let Some(p) = m.get(3) {
            let denominators = [f.settled, f.new, f.new + f.carried];
            if !denominators
                .iter()
                .any(|&d| share_matches(value, d, p.as_str()))
            {
                claims.push(claim(
                    &m,
                    format!(
                        " {value} 件占办理结果总计 {} 件的 {}%，占新收 {} 件的 {}%",
                        f.settled,
                        percent(value, f.settled, p.as_str()),
                        f.new,
                        percent(value, f.new, p.as_str())
                    ),
                ));
            }
        }
    }
    // 自然人 applications.
    static NATURAL: OnceLock<Regex> = OnceLock::new();
    let natural = re_if(
        &NATURAL,
        s,
        &["自然人"],
        r"自然人[^。；，,、0-9]{0,8}?([0-9]+) *件",
    );
    for m in natural.into_iter().flat_map(|r| r.captures_iter(s)) {
        if f.outcomes.iter().any(|(w, ..)| m[0].contains(w)) {
            continue;
        }
        let (new, carried) = f.natural;
        if ![new, new + carried].contains(&count(&m, 1).unwrap_or(-1)) {
            claims.push(claim(
                &m,
                format!("表三「自然人」列「一、本年新收」为 {new}"),
            ));
        }
    }
    review_claims(f, s, &mut claims);
    active_claims(report, s, &mut claims);
    for c in claims {
        out.push(warning(report, s, c));
    }
}

/// 行政复议 and 行政诉讼: counts, cases won back (纠错), 「未发生」 and 「均获维持」.
fn review_claims<'s>(f: &Facts, s: &'s str, claims: &mut Vec<Claim<'s>>) {
    let which = |w: &str| {
        if w == "行政复议" {
            f.review
        } else {
            f.litigation
        }
    };
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let counted = re_if(
        &COUNT,
        s,
        &["行政复议", "行政诉讼"],
        r"(行政复议|行政诉讼)(?:案件)?[^。；，,、0-9纠败维]{0,4}?([0-9]+) *(?:件|起|宗)",
    );
    for m in counted.into_iter().flat_map(|r| r.captures_iter(s)) {
        let total: i64 = which(&m[1]).iter().sum();
        if m[2].parse::<i64>().ok() != Some(total) {
            claims.push(claim(&m, format!("表四「{}」总计为 {total}", &m[1])));
        }
    }
    static CORRECTED: OnceLock<Regex> = OnceLock::new();
    let corrected = re_if(
        &CORRECTED,
        s,
        &["被纠错", "被纠正", "败诉"],
        r"(行政复议|行政诉讼)[^。；，,0-9]{0,6}?(?:被纠错|被纠正|败诉)[^。；，,0-9]{0,4}?([0-9]+) *(?:件|起|宗)",
    );
    for m in corrected.into_iter().flat_map(|r| r.captures_iter(s)) {
        let v = which(&m[1])[1];
        if m[2].parse::<i64>().ok() != Some(v) {
            claims.push(claim(&m, format!("表四「{}」结果纠正为 {v}", &m[1])));
        }
    }
    static NONE: OnceLock<Regex> = OnceLock::new();
    let none = re_if(
        &NONE,
        s,
        &["行政复议", "行政诉讼"],
        r"(?:未发生|未出现|没有发生|没有|无)[^。；，,0-9]{0,14}?(行政复议|行政诉讼)(?:[和、及或与](行政复议|行政诉讼))?(?:[^。；，,0-9]{0,4}?(被纠错|被纠正|败诉))?",
    );
    for m in none.into_iter().flat_map(|r| r.captures_iter(s)) {
        for w in [m.get(1), m.get(2)].into_iter().flatten() {
            let v = which(w.as_str());
            let (said, value) = match m.get(3) {
                Some(_) => ("结果纠正", v[1]),
                None => ("总计", v.iter().sum()),
            };
            if value != 0 {
                claims.push(claim(&m, format!("表四「{}」{said}为 {value}", w.as_str())));
            }
        }
    }
    static ZERO: OnceLock<Regex> = OnceLock::new();
    let zero = re_if(
        &ZERO,
        s,
        &["为零", "为0"],
        r"(行政复议|行政诉讼)(?:[和、及与](行政复议|行政诉讼))?(?:案件)?(?:数量)?(?:均|都)?为(?:零|0)",
    );
    for m in zero.into_iter().flat_map(|r| r.captures_iter(s)) {
        for w in [m.get(1), m.get(2)].into_iter().flatten() {
            let total: i64 = which(w.as_str()).iter().sum();
            if total != 0 {
                claims.push(claim(&m, format!("表四「{}」总计为 {total}", w.as_str())));
            }
        }
    }
    static UPHELD: OnceLock<Regex> = OnceLock::new();
    let upheld = re_if(
        &UPHELD,
        s,
        &["维持"],
        r"(?:均|全部|都)(?:获|被|予以|予|已)?维持",
    );
    if let Some(m) = upheld.and_then(|r| r.find(s)) {
        for w in ["行政复议", "行政诉讼"] {
            if !s[..m.start()].contains(w) {
                continue;
            }
            let v = which(w);
            if v[1] + v[2] + v[3] > 0 {
                claims.push(Claim {
                    said: m.as_str(),
                    table: format!(
                        "表四「{w}」结果维持 {}、结果纠正 {}、其他结果 {}、尚未审结 {}",
                        v[0], v[1], v[2], v[3]
                    ),
                });
            }
        }
    }
}

/// Table 二: decisions (处理决定数量) and new 规范性文件.
fn active_claims<'s>(report: &Report, s: &'s str, claims: &mut Vec<Claim<'s>>) {
    let cell = |key: &str, column: &dyn Fn(&str) -> bool| -> Option<(i64, String)> {
        report.active.iter().find_map(|g| {
            let row = g.rows.iter().find(|r| r.key == key)?;
            let i = g.columns.iter().position(|c| column(c))?;
            Some((
                row.int(i)?,
                format!("表二「{}」{}", row.label, g.columns[i]),
            ))
        })
    };
    static DECISIONS: OnceLock<Regex> = OnceLock::new();
    let decisions = re_if(
        &DECISIONS,
        s,
        &["决定"],
        r"(行政许可|行政处罚|行政强制)(?:决定|决定书)[^。；，,、0-9]{0,4}?([0-9]+) *(?:件|个|份)",
    );
    for m in decisions.into_iter().flat_map(|r| r.captures_iter(s)) {
        let key = match &m[1] {
            "行政许可" => "licensing",
            "行政处罚" => "penalty",
            _ => "enforcement",
        };
        if let Some((v, label)) = cell(key, &|c| c.contains("处理决定数量")) {
            if m[2].parse::<i64>().ok() != Some(v) {
                claims.push(claim(&m, format!("{label}为 {v}")));
            }
        }
    }
    static FEES: OnceLock<Regex> = OnceLock::new();
    let fees = re_if(
        &FEES,
        s,
        &["行政事业性收费"],
        r"行政事业性收费[^。；，,0-9]{0,8}?([0-9]+(?:\.[0-9]+)?) *万元",
    );
    for m in fees.into_iter().flat_map(|r| r.captures_iter(s)) {
        let Some((v, label)) = report.active.iter().find_map(|g| {
            let row = g.rows.iter().find(|r| r.key == "fees")?;
            let i = g.columns.iter().position(|c| c.contains("金额"))?;
            Some((
                row.values.get(i)?.clone(),
                format!("表二「{}」{}", row.label, g.columns[i]),
            ))
        }) else {
            continue;
        };
        let same = match (m[1].parse::<f64>(), v.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
            _ => true,
        };
        if !same {
            claims.push(claim(&m, format!("{label}为 {v}")));
        }
    }
    static NORMATIVE: OnceLock<Regex> = OnceLock::new();
    let normative = re_if(
        &NORMATIVE,
        s,
        &["规范性文件"],
        r"(?:新制发|新制定|制发|新制作)(?:行政)?规范性文件[^。；，,、0-9]{0,4}?([0-9]+) *件",
    );
    for m in normative.into_iter().flat_map(|r| r.captures_iter(s)) {
        if let Some((v, label)) = cell("normative_documents", &|c| {
            c.contains("制发") || c.contains("新制作")
        }) {
            if m[1].parse::<i64>().ok() != Some(v) {
                claims.push(claim(&m, format!("{label}为 {v}")));
            }
        }
    }
}

fn claim<'s>(m: &regex::Captures<'s>, table: String) -> Claim<'s> {
    Claim {
        said: m.get(0).expect("whole match").as_str(),
        table,
    }
}

/// Whether `part` of `whole`, as a percentage rounded as `text` is (to its
/// decimal places), reads `text`.
fn share_matches(part: i64, whole: i64, text: &str) -> bool {
    if whole <= 0 {
        return false;
    }
    percent(part, whole, text) == text
}

fn percent(part: i64, whole: i64, text: &str) -> String {
    if whole <= 0 {
        return "—".into();
    }
    let places = text.split_once('.').map_or(0, |(_, f)| f.len());
    let v = part as f64 * 100.0 / whole as f64;
    format!("{v:.places$}")
}

/// The warning at the words in the data file when they can be found there
/// (the narrative may be split over lines in the file), else at the file.
fn warning(report: &Report, sentence: &str, c: Claim) -> Diagnostic {
    let quoted: String = sentence.trim().chars().take(80).collect();
    let d = Diagnostic::warning(format!(
        "正文与表格不符（C9）：正文说「{}」，而{}",
        c.said.trim(),
        c.table
    ))
    .hint(format!(
        "所在句子：{quoted}——请核对正文和表格，改正有误的一处"
    ));
    match &report.spans.source {
        Some(src) => match src.text.find(c.said.trim()) {
            Some(at) => d.at(src, at..at + c.said.trim().len()),
            None => d.in_file(&report.spans.path),
        },
        None => d.in_file(&report.spans.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_read_to_the_text_s_rounding() {
        assert!(share_matches(26, 61, "42.6"));
        assert!(share_matches(26, 61, "43"));
        assert!(!share_matches(26, 61, "42.5"));
        assert!(!share_matches(1, 0, "0"));
    }
}

//! Consistency rules (勾稽关系) C1, C7 and C8 of the official form. C2, C3 and
//! C5 compare typed totals with computed ones and run while reading.

use super::form::{self, Format};
use super::report::Report;
use crate::diag::{Diagnostic, Diagnostics};

pub fn check(report: &Report) -> Diagnostics {
    let mut out = Diagnostics::default();
    c1_applications_balance(report, &mut out);
    if let Some(prev) = &report.previous {
        previous_year(report, prev, &mut out);
    }
    out
}

fn at(report: &Report, d: Diagnostic, span: Option<std::ops::Range<usize>>) -> Diagnostic {
    match (&report.spans.source, span) {
        (Some(src), Some(span)) => d.at(src, span),
        _ => d.in_file(&report.spans.path),
    }
}

/// C1, printed in the form's corner cell: for every column,
/// 一 + 二 = 三（七）总计 + 四.
fn c1_applications_balance(report: &Report, out: &mut Diagnostics) {
    let apps = &report.applications;
    let idx = |key: &str| {
        apps.rows
            .iter()
            .position(|r| r.key == key)
            .expect("row of the form")
    };
    let (new, carried, total, forward) = (
        idx("new"),
        idx("carried_over"),
        idx("total"),
        idx("carried_forward"),
    );
    for (c, col) in apps.columns.iter().enumerate() {
        let v = |i: usize| apps.rows[i].values[c];
        let left = v(new) + v(carried);
        let right = v(total) + v(forward);
        if left == right {
            continue;
        }
        // A mismatch in 总计 follows from one in an applicant column; say it once.
        if c == 6 && out.0.iter().any(|d| d.message.contains("（C1）")) {
            continue;
        }
        let span = report.spans.applications[new]
            .as_ref()
            .map(|s| s.cells.get(c).cloned().unwrap_or(s.whole.clone()));
        let msg = format!(
            "表三「{col}」列勾稽关系不成立：一、本年新收 {} + 二、上年结转 {} = {left}，\
             而 三、（七）总计 {} + 四、结转下年度 {} = {right}（C1）",
            v(new),
            v(carried),
            v(total),
            v(forward)
        );
        let hint = format!(
            "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和；相差 {}",
            (left - right).abs()
        );
        out.push(at(report, Diagnostic::error(msg), span).hint(hint));
    }
}

fn previous_year(report: &Report, prev: &Report, out: &mut Diagnostics) {
    let span = report.spans.previous.clone();
    if prev.year != report.year - 1 {
        let msg = format!(
            "上一年度数据文件是 {} 年的报告，本报告是 {} 年，应为 {} 年",
            prev.year,
            report.year,
            report.year - 1
        );
        out.push(at(report, Diagnostic::error(msg), span));
        return;
    }
    if prev.agency != report.agency {
        let msg = format!(
            "上一年度数据文件的发布机关是「{}」，与本报告「{}」不同",
            prev.agency, report.agency
        );
        out.push(at(report, Diagnostic::warning(msg), span.clone()));
    }
    match (prev.format, report.format) {
        (Format::F2021, Format::F2021) => c7_documents_in_force(report, prev, out),
        (Format::F2019, Format::F2019) => c8_item_counts(report, prev, out),
        _ => {}
    }
    // 四、结转下年度 of last year is this year's 二、上年结转.
    let forward = prev.applications.row("carried_forward").map(|r| r.values);
    let carried = report.applications.row("carried_over").map(|r| r.values);
    if let (Some(f), Some(c)) = (forward, carried) {
        let i = report
            .applications
            .rows
            .iter()
            .position(|r| r.key == "carried_over")
            .expect("row");
        for col in 0..6 {
            if f[col] != c[col] {
                let cspan = report.spans.applications[i]
                    .as_ref()
                    .map(|s| s.cells[col].clone())
                    .or(span.clone());
                let msg = format!(
                    "表三「{}」列：二、上年结转 {} 与上一年度报告的 四、结转下年度继续办理 {} 不一致",
                    form::APPLICANTS[col],
                    c[col],
                    f[col]
                );
                out.push(at(report, Diagnostic::warning(msg), cspan));
            }
        }
    }
}

fn active_row_span(report: &Report, key: &str, cell: usize) -> Option<std::ops::Range<usize>> {
    let (_, s) = report.spans.active.iter().find(|(k, _)| k == key)?;
    s.cells.get(cell).cloned().or(Some(s.whole.clone()))
}

fn active_row<'r>(report: &'r Report, key: &str) -> Option<&'r super::report::ActiveRow> {
    report
        .active
        .iter()
        .flat_map(|g| &g.rows)
        .find(|r| r.key == key)
}

/// C7 (2021 layout): 现行有效件数 = last year's + 本年制发件数 − 本年废止件数.
/// Revisions and transfers make it approximate in practice, so a warning.
fn c7_documents_in_force(report: &Report, prev: &Report, out: &mut Diagnostics) {
    for key in ["rules", "normative_documents"] {
        let (Some(now), Some(before)) = (active_row(report, key), active_row(prev, key)) else {
            continue;
        };
        let (Some(issued), Some(repealed), Some(in_force), Some(prev_in_force)) =
            (now.int(0), now.int(1), now.int(2), before.int(2))
        else {
            continue;
        };
        let expected = prev_in_force + issued - repealed;
        if in_force != expected {
            let msg = format!(
                "表二「{}」现行有效件数 {in_force} 与上年 {prev_in_force} + 本年制发 {issued} − 本年废止 {repealed} = {expected} 不一致（C7）",
                now.label
            );
            let d = Diagnostic::warning(msg).hint("若有修订、划转等情况属正常，请在正文中说明");
            out.push(at(report, d, active_row_span(report, key, 2)));
        }
    }
}

/// C8 (2019 layout): 上一年项目数量 = last year's 上一年项目数量 + 本年增/减.
fn c8_item_counts(report: &Report, prev: &Report, out: &mut Diagnostics) {
    for key in [
        "licensing",
        "other_services",
        "penalty",
        "enforcement",
        "fees",
    ] {
        let (Some(now), Some(before)) = (active_row(report, key), active_row(prev, key)) else {
            continue;
        };
        let (Some(count), Some(prev_count), Some(prev_delta)) =
            (now.int(0), before.int(0), before.int(1))
        else {
            continue;
        };
        if count != prev_count + prev_delta {
            let msg = format!(
                "表二「{}」上一年项目数量 {count} 与上一年度报告的 {prev_count} + 本年增/减 {prev_delta} = {} 不一致（C8）",
                now.label,
                prev_count + prev_delta
            );
            out.push(at(
                report,
                Diagnostic::warning(msg),
                active_row_span(report, key, 0),
            ));
        }
    }
}

//! 汇总: an upper office's tables as the sums of its units' reports —
//! every count of tables 二, 三 and 四, money as exact decimals — and a
//! per-unit table of the key figures.

use super::form::{self, Cell};
use super::report::Report;

/// The tables of `units` added up, under `agency`. The units share one
/// year and format (the caller checks that); the narrative, title and
/// signature are left to the skeleton that writes the result.
pub fn total(units: &[&Report], agency: &str) -> Result<Report, String> {
    let first = units.first().ok_or("没有可汇总的数据文件")?;
    let mut sum = (*first).clone();
    sum.agency = agency.to_string();
    sum.title = vec![Report::default_title(agency, first.year)];
    sum.preamble.clear();
    sum.overview.clear();
    sum.problems.clear();
    sum.other.clear();
    sum.previous = None;
    sum.template = None;
    sum.signature = None;
    sum.spans = Default::default();
    for (g, group) in sum.active.iter_mut().enumerate() {
        for (r, row) in group.rows.iter_mut().enumerate() {
            for (c, value) in row.values.iter_mut().enumerate() {
                let cells: Vec<&str> = units
                    .iter()
                    .map(|u| u.active[g].rows[r].values[c].as_str())
                    .collect();
                *value = add(&cells).ok_or_else(|| {
                    format!(
                        "表二「{}」第 {} 列的数无法相加：{}",
                        row.label,
                        c + 1,
                        cells.join("、")
                    )
                })?;
            }
        }
    }
    for (r, row) in sum.applications.rows.iter_mut().enumerate() {
        for c in 0..7 {
            row.values[c] = units.iter().map(|u| u.applications.rows[r].values[c]).sum();
        }
    }
    for (b, block) in sum.review.iter_mut().enumerate() {
        for c in 0..5 {
            block.values[c] = units.iter().map(|u| u.review[b].values[c]).sum();
        }
    }
    Ok(sum)
}

/// Decimal strings added exactly: integers stay integers, amounts keep the
/// most decimal places any of them has ("36.5" + "1.25" = "37.75").
fn add(values: &[&str]) -> Option<String> {
    let places = values
        .iter()
        .map(|v| v.split_once('.').map_or(0, |(_, f)| f.len()))
        .max()?;
    if places > 6 {
        return None;
    }
    let mut total: i128 = 0;
    for v in values {
        let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac = format!("{frac:0<places$}");
        let scaled: i128 = format!("{whole}{frac}").parse().ok()?;
        total = total.checked_add(scaled)?;
    }
    if places == 0 {
        return Some(total.to_string());
    }
    let digits = format!("{total:0>width$}", width = places + 1);
    let (whole, frac) = digits.split_at(digits.len() - places);
    Some(format!("{whole}.{frac}"))
}

/// One column of the per-unit table: its value for a report.
type Figure = Box<dyn Fn(&Report) -> String>;

/// The key figures of each report, one row a unit and a last row of sums,
/// as CSV (UTF-8 with a byte-order mark, so that Excel and WPS read the
/// Chinese): table 二's first column of each row, table 三's rows outside
/// the result groups and each group's total, table 四's totals.
pub fn figures_csv(units: &[(&str, &Report)], sum: &Report) -> String {
    let format = sum.format;
    let mut header = vec!["单位".to_string(), "数据文件".to_string()];
    let mut columns: Vec<Figure> = Vec::new();
    for (g, group) in form::active_groups(format).iter().enumerate() {
        for (r, row) in group.rows.iter().enumerate() {
            header.push(format!("{}（{}）", row.label, group.columns[0]));
            let money = row.cells.first() == Some(&Cell::Money);
            columns.push(Box::new(move |rep: &Report| {
                let v = rep.active[g].rows[r].values[0].clone();
                if money {
                    v
                } else {
                    v.parse::<i64>().map_or(v, |n| n.to_string())
                }
            }));
        }
    }
    let mut seen_groups: Vec<&str> = Vec::new();
    for row in form::application_rows(format) {
        let key = row.path.join(".");
        match row.group {
            None => {
                header.push(row.label.to_string());
                columns.push(Box::new(move |rep: &Report| {
                    rep.applications.total(&key).to_string()
                }));
            }
            Some(group) if !seen_groups.contains(&group) => {
                seen_groups.push(group);
                header.push(group.to_string());
                columns.push(Box::new(move |rep: &Report| {
                    let n: i64 = rep
                        .applications
                        .rows
                        .iter()
                        .filter(|r| r.group.as_deref() == Some(group))
                        .map(|r| r.values[6])
                        .sum();
                    n.to_string()
                }));
            }
            Some(_) => {}
        }
    }
    header.push("行政复议".into());
    columns.push(Box::new(|rep: &Report| rep.review[0].values[4].to_string()));
    header.push("行政诉讼".into());
    columns.push(Box::new(|rep: &Report| {
        (rep.review[1].values[4] + rep.review[2].values[4]).to_string()
    }));
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out += &line(header);
    for (file, rep) in units {
        let mut cells = vec![rep.agency.clone(), file.to_string()];
        cells.extend(columns.iter().map(|f| f(rep)));
        out += &line(cells);
    }
    let mut cells = vec![format!("合计（{}）", sum.agency), String::new()];
    cells.extend(columns.iter().map(|f| f(sum)));
    out += &line(cells);
    out
}

fn csv_field(s: &str) -> String {
    // A cell a spreadsheet would take as a formula (CWE-1236) is kept as
    // text: an agency named `=HYPERLINK(…)` stays a name.
    let owned;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        owned = format!("'{s}");
        &owned
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::add;

    #[test]
    fn money_adds_exactly() {
        assert_eq!(add(&["36.52", "0.48", "7"]).as_deref(), Some("44.00"));
        assert_eq!(add(&["0.1", "0.2"]).as_deref(), Some("0.3"));
        assert_eq!(add(&["0.05", "0.05"]).as_deref(), Some("0.10"));
        assert_eq!(add(&["12", "30"]).as_deref(), Some("42"));
        assert_eq!(add(&["1,000", "2"]), None);
    }
}

//! `gongwen new`: a complete data file with every row of the form present,
//! zeros in every cell, and a comment naming the row and column on paper.

use std::fmt::Write;

use super::form::{self, Cell, Format};
use super::report::{Date, Paragraph, Report};

pub fn skeleton(format: Format, agency: &str, year: i64) -> String {
    write(format, agency, year, None, None)
}

/// What a written file holds instead of the skeleton's defaults: the
/// cells of tables 二, 三 and 四 (`sum`), and for a published report read
/// back (`import`) also its title, narrative and signature. A row not
/// given is written with zeros.
#[derive(Debug, Default)]
pub struct Fill {
    /// Title lines, when not the default title.
    pub title: Option<Vec<String>>,
    /// 前言, 一、总体情况, 五 and 六, written as they are.
    pub narrative: Option<[Vec<Paragraph>; 4]>,
    /// 署名机关 and 成文日期; `Some(None)` when the source has neither.
    pub signature: Option<Option<(String, Option<Date>)>>,
    pub rows: Vec<Cells>,
}

/// One row of a table as it is written: its key (`licensing`,
/// `withheld.third_party`, `total` for 三（七）总计, `administrative_review`),
/// each value as TOML, and a note after the row's label (where it was
/// read).
#[derive(Debug, Clone)]
pub struct Cells {
    pub key: String,
    pub values: Vec<String>,
    pub note: String,
}

impl Fill {
    /// Every cell of a report's tables (totals left to be computed).
    pub fn tables(report: &Report) -> Fill {
        let q = crate::data::example::toml_string;
        let mut rows = Vec::new();
        for g in &report.active {
            for (row, def) in g.rows.iter().zip(
                form::active_groups(report.format)
                    .iter()
                    .find(|d| d.title == g.title)
                    .map_or(&[][..], |d| d.rows),
            ) {
                let values = row
                    .values
                    .iter()
                    .zip(def.cells)
                    .map(|(v, c)| if *c == Cell::Money { q(v) } else { v.clone() })
                    .collect();
                rows.push(Cells::new(&row.key, values));
            }
        }
        // （七）总计 is computed again from the rows.
        for r in report.applications.rows.iter().filter(|r| r.key != "total") {
            let values = r.values[..6].iter().map(|n| n.to_string()).collect();
            rows.push(Cells::new(&r.key, values));
        }
        for b in &report.review {
            let values = b.values[..4].iter().map(|n| n.to_string()).collect();
            rows.push(Cells::new(&b.key, values));
        }
        Fill {
            rows,
            ..Fill::default()
        }
    }

    fn row(&self, key: &str) -> Option<&Cells> {
        self.rows.iter().find(|r| r.key == key)
    }
}

impl Cells {
    pub fn new(key: &str, values: Vec<String>) -> Cells {
        Cells {
            key: key.to_string(),
            values,
            note: String::new(),
        }
    }
}

/// A published report's data file (`gongwen import`): its text and every
/// cell as printed, 总计 included so that `check` compares them, and
/// `notes` (what the reading said) as comments under the header.
pub fn imported(format: Format, agency: &str, year: i64, fill: &Fill, notes: &[String]) -> String {
    let mut text = write(format, agency, year, None, Some(fill));
    let mut block = String::new();
    for n in notes {
        block += &format!("# {}\n", comment(n));
    }
    if !block.is_empty() {
        after_header(&mut text, &format!("{block}\n"));
    }
    text
}

/// An upper office's data file from the sums of its units (`gongwen
/// sum`): `total`'s tables, a narrative of placeholders for the clerk, and
/// comments naming the units summed (`units`: agency and file).
pub fn summed(total: &Report, units: &[(String, String)]) -> String {
    let fill = Fill::tables(total);
    let mut text = write(total.format, &total.agency, total.year, None, Some(&fill));
    let mut note = format!(
        "# 汇总自 {} 个单位的数据文件（gongwen sum），表二、表三、表四为各单位之和：\n",
        units.len()
    );
    for (agency, file) in units {
        note += &format!("#   {}：{}\n", comment(agency), comment(file));
    }
    note += "# 正文各部分请按本级情况填写。\n";
    after_header(&mut text, &format!("{note}\n"));
    text
}

/// Text put into a comment: a line feed would end the comment and make
/// the rest a key of the file, so control characters are written escaped.
fn comment(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Puts `block` after a written file's header comments, before its first
/// key.
pub fn after_header(text: &mut String, block: &str) {
    let at = text.find("\n\n").map_or(0, |i| i + 2);
    text.insert_str(at, block);
}

/// Next year's data file from this year's (`gongwen new --from`): the year
/// after, the same agency, title pattern, signature and template,
/// `previous` naming this year's file (at `previous`, relative to the new
/// file), table 三's 上年结转 from this year's 结转下年度继续办理, table 二's
/// carried counts, every other count zero, and this year's narrative kept
/// as a draft, each paragraph marked for revision.
pub fn next_year(last: &Report, previous: &str) -> String {
    let year = last.year + 1;
    let agency = &last.agency;
    write(
        Format::for_year(year),
        agency,
        year,
        Some((last, previous)),
        None,
    )
}

/// What marks a paragraph carried over from last year: `check` warns
/// until it is edited away.
const REVISE: &str = "（在此填写：按本年度情况修改本段）";

/// `seed`: last year's report and its path (`new --from`); `fill`: the
/// values every table cell starts from (`sum`, `import`), zeros otherwise,
/// and the text of a report read back (`import`).
fn write(
    format: Format,
    agency: &str,
    year: i64,
    seed: Option<(&Report, &str)>,
    fill: Option<&Fill>,
) -> String {
    let q = crate::data::example::toml_string;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# {}{year}年政府信息公开工作年度报告 — 数据文件",
        comment(agency)
    );
    let _ = writeln!(w, "# 格式：{}。填好后运行 gongwen check 本文件 核对，再运行 gongwen render 本文件 生成 PDF 和 Word。", format.describe());
    if fill.is_some_and(|f| f.narrative.is_some()) {
        let _ = writeln!(
            w,
            "# 表格中的“总计”照原文写入，由 gongwen 核对；核对无误后可以删去，由 gongwen 自动计算。\n"
        );
    } else {
        let _ = writeln!(
            w,
            "# 表格中的“总计”列和（七）总计行由 gongwen 自动计算，不必填写。\n"
        );
    }
    let _ = writeln!(
        w,
        "agency = {}          # 发布机关",
        crate::data::example::toml_string(agency)
    );
    let _ = writeln!(w, "year = {year}                # 报告年度");
    let _ = writeln!(w, "format = \"{}\"            # \"2019\" 试行格式（2019、2020 年度报告）或 \"2021\" 修订格式（2021 年度起）", format.name());
    let custom_title = seed
        .map(|(last, _)| &last.title)
        .filter(|t| **t != vec![Report::default_title(&last_agency(seed, agency), year - 1)]);
    let read_title = fill
        .and_then(|f| f.title.as_ref())
        .filter(|t| **t != vec![Report::default_title(agency, year)]);
    match (custom_title, read_title) {
        (_, Some(lines)) => {
            let lines: Vec<String> = lines.iter().map(|l| q(l)).collect();
            let _ = writeln!(w, "title = [{}]   # 标题", lines.join(", "));
        }
        (Some(lines), None) => {
            let lines: Vec<String> = lines
                .iter()
                .map(|l| q(&l.replace(&(year - 1).to_string(), &year.to_string())))
                .collect();
            let _ = writeln!(w, "title = [{}]   # 标题", lines.join(", "));
        }
        (None, None) => {
            let _ = writeln!(
                w,
                "# title = {}   # 标题，不写则用此默认值；分两行写作 [\"第一行\", \"第二行\"]",
                q(&format!("{agency}{year}年政府信息公开工作年度报告"))
            );
        }
    }
    match seed {
        Some((last, previous)) => {
            let _ = writeln!(
                w,
                "previous = {}   # 上一年度数据文件：核对跨年度数据（现行有效件数、结转件数）",
                q(previous)
            );
            if let Some(t) = &last.template {
                let _ = writeln!(w, "template = {}", q(t));
            }
            w.push('\n');
        }
        None => {
            let _ = writeln!(w, "# previous = \"上一年度数据文件.toml\"   # 写上则核对跨年度数据（现行有效件数、结转件数）\n");
        }
    }

    let _ = writeln!(w, "# 正文各部分：一段一个字符串；段首有（一）等小标题时写成 {{ lead = \"（一）小标题。\", text = \"正文……\" }}");
    let last_text = seed.map(|(last, _)| {
        [
            last.preamble.clone(),
            last.overview.clone(),
            last.problems.clone(),
            last.other.clone(),
        ]
    });
    // Last year's narrative is a draft, every paragraph marked; a report
    // read back keeps its own as it is.
    let (narrative, mark) = match (fill.and_then(|f| f.narrative.as_ref()), &last_text) {
        (Some(read), _) => (Some(read), ""),
        (None, Some(last)) if last.iter().any(|p| !p.is_empty()) => (Some(last), REVISE),
        _ => (None, ""),
    };
    if let Some([preamble, overview, problems, other]) = narrative {
        if !mark.is_empty() {
            let _ = writeln!(
                w,
                "# 以下各部分是上一年度报告的正文，逐段按本年度情况修改，并删去段首的「{REVISE}」"
            );
        }
        for (key, name, paras) in [
            ("preamble", "前言", preamble),
            ("overview", "一、总体情况", overview),
            ("problems", "五、存在的主要问题及改进情况", problems),
            ("other", "六、其他需要报告的事项", other),
        ] {
            if paras.is_empty() {
                continue;
            }
            let _ = writeln!(w, "# {name}\n{key} = [");
            for p in paras {
                let item = match (&p.lead, p.heading) {
                    (Some(h), true) => format!("{{ heading = {} }}", q(h)),
                    (Some(lead), false) => format!(
                        "{{ lead = {}, text = {} }}",
                        q(lead),
                        q(&format!("{mark}{}", p.text))
                    ),
                    (None, _) => q(&format!("{mark}{}", p.text)),
                };
                let _ = writeln!(w, "  {item},");
            }
            let _ = writeln!(w, "]\n");
        }
    }
    if narrative.is_none() {
        let _ = writeln!(w, "# 一、总体情况");
        let _ = writeln!(w, "overview = [");
        let _ = writeln!(w, "  \"\"\"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。\"\"\",");
        let _ = writeln!(w, "  {{ lead = \"（一）主动公开。\", text = \"\"\"本年度主动公开政府信息情况见下表。\"\"\" }},");
        let _ = writeln!(w, "]\n");

        let _ = writeln!(w, "# 五、存在的主要问题及改进情况");
        let _ = writeln!(w, "problems = [");
        let _ = writeln!(w, "  \"\"\"（在此填写存在的主要问题及改进情况。）\"\"\",");
        let _ = writeln!(w, "]\n");
        let _ = writeln!(w, "# 六、其他需要报告的事项");
        let _ = writeln!(w, "other = [\"无\"]\n");
    }

    match fill.and_then(|f| f.signature.as_ref()) {
        Some(None) => {
            let _ = writeln!(w, "# 原文没有署名和成文日期：补上时写在 [signature] 下，agency = \"机关名称\"，date = {}-01-15\n", year + 1);
        }
        Some(Some((signer, date))) => {
            let _ = writeln!(w, "# 署名和成文日期");
            let _ = writeln!(w, "[signature]");
            let _ = writeln!(w, "agency = {}", q(signer));
            match date {
                Some(d) => {
                    let _ = writeln!(w, "date = {:04}-{:02}-{:02}", d.year, d.month, d.day);
                }
                None => {
                    let _ = writeln!(w, "# date = {}-01-15   # 原文没有成文日期", year + 1);
                }
            }
            w.push('\n');
        }
        None => signature(w, agency, year, seed),
    }
    let _ = writeln!(w, "# 二、主动公开政府信息情况");
    let _ = writeln!(w, "[active]");
    for g in form::active_groups(format) {
        let _ = writeln!(w, "# {}：[{}]", g.title, g.columns.join(", "));
        for row in g.rows {
            let zeros: Vec<String> = row
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let given = fill.and_then(|f| f.row(row.key)?.values.get(i).cloned());
                    match (
                        given,
                        seed.and_then(|(last, _)| carried(last, format, row.key, i)),
                    ) {
                        (Some(v), _) => v,
                        (None, Some(v)) => v.to_string(),
                        (None, None) if *c == Cell::Money => "\"0\"".into(),
                        (None, None) => "0".into(),
                    }
                })
                .collect();
            let value = if zeros.len() == 1 {
                zeros[0].clone()
            } else {
                format!("[{}]", zeros.join(", "))
            };
            let note = if row.cells.contains(&Cell::Money) {
                "（金额照原样填写，如 \"7730.28\"）"
            } else {
                ""
            };
            let read = fill.and_then(|f| f.row(row.key)).map_or("", |r| &r.note);
            let _ = writeln!(w, "{} = {value}   # {}{note}{read}", row.key, row.label);
        }
    }

    let _ = writeln!(w, "\n# 三、收到和处理政府信息公开申请情况");
    let _ = writeln!(w, "# 每行六个数，按表中申请人情况的列序：[自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]");
    let _ = writeln!(w, "# 勾稽关系：一 + 二 = 三（七）总计 + 四，逐列核对。");
    let _ = writeln!(w, "[applications]");
    let zeros = "[0, 0, 0, 0, 0, 0]";
    let mut open_group: Option<&str> = None;
    for row in form::application_rows(format) {
        let key = row.path.join(".");
        if row.computed {
            match fill.and_then(|f| f.row(&key)) {
                Some(r) => {
                    let _ = writeln!(
                        w,
                        "{key} = [{}]   # 三、本年度办理结果 {}{}",
                        r.values.join(", "),
                        row.label,
                        r.note
                    );
                }
                None => {
                    let _ = writeln!(w, "# （七）总计：自动计算");
                }
            }
            continue;
        }
        match row.group {
            Some(group) if open_group != Some(group) => {
                let _ = writeln!(w, "# 三、本年度办理结果 {group}");
                open_group = Some(group);
            }
            Some(_) => {}
            None => open_group = None,
        }
        let prefix = if row.group.is_none() && row.label.starts_with('（') {
            "三、本年度办理结果 "
        } else {
            ""
        };
        let values = match seed {
            // Last year's pending applications stay pending (四、结转下年度)
            // until the clerk enters what became of them, so C1 holds.
            Some((last, _)) if key == "carried_over" || key == "carried_forward" => {
                let v = last
                    .applications
                    .row("carried_forward")
                    .map_or([0; 7], |r| r.values);
                let v: Vec<String> = v[..6].iter().map(|n| n.to_string()).collect();
                format!("[{}]", v.join(", "))
            }
            _ => match fill.and_then(|f| f.row(&key)) {
                Some(r) => format!("[{}]", r.values.join(", ")),
                None => zeros.to_string(),
            },
        };
        let read = fill.and_then(|f| f.row(&key)).map_or("", |r| &r.note);
        let _ = writeln!(w, "{key} = {values}   # {prefix}{}{read}", row.label);
    }

    let _ = writeln!(w, "\n# 四、政府信息公开行政复议、行政诉讼情况");
    let _ = writeln!(
        w,
        "# 每项四个数：[{}]，总计自动计算",
        form::REVIEW_RESULTS.join(", ")
    );
    let _ = writeln!(w, "[review]");
    for (key, label) in form::REVIEW_BLOCKS {
        let (values, read) = match fill.and_then(|f| f.row(key)) {
            Some(r) => (r.values.join(", "), r.note.as_str()),
            None => ("0, 0, 0, 0".to_string(), ""),
        };
        let _ = writeln!(w, "{key} = [{values}]   # {label}{read}");
    }
    s
}

/// The signature of a new file: last year's agency and a date a year on,
/// or the agency and 15 January after the report year.
fn signature(w: &mut String, agency: &str, year: i64, seed: Option<(&Report, &str)>) {
    let q = crate::data::example::toml_string;
    let _ = writeln!(w, "# 署名和成文日期（可删去）");
    let _ = writeln!(w, "[signature]");
    let signer = seed
        .and_then(|(last, _)| last.signature.as_ref())
        .map_or(agency, |s| s.agency.as_str());
    let date = seed
        .and_then(|(last, _)| last.signature.as_ref()?.date)
        .map(|d| {
            // A year on; 29 February becomes the 28th.
            let day = if d.month == 2 && d.day == 29 {
                28
            } else {
                d.day
            };
            format!("{}-{:02}-{day:02}", d.year + 1, d.month)
        })
        .unwrap_or_else(|| format!("{}-01-15", year + 1));
    let _ = writeln!(w, "agency = {}", q(signer));
    let _ = writeln!(w, "date = {date}");
    // Last year's seal stays: the same office, the same seal.
    let last_sig = seed.and_then(|(last, _)| last.signature.as_ref());
    if let Some(seal) = last_sig.and_then(|s| s.seal.as_ref()) {
        let _ = writeln!(w, "seal = {}   # 印章图片", q(seal));
    }
    if let Some(size) = last_sig.and_then(|s| s.seal_size) {
        let _ = writeln!(w, "seal_size = {size}   # 印章直径（毫米）");
    }
    w.push('\n');
}
fn last_agency(seed: Option<(&Report, &str)>, agency: &str) -> String {
    seed.map_or(agency, |(last, _)| last.agency.as_str())
        .to_string()
}

/// A table 二 count the next year starts from: 现行有效件数 (2021 layout,
/// C7) and 上一年项目数量 = last year's + 本年增/减 (2019 layout, C8).
fn carried(last: &Report, format: Format, key: &str, column: usize) -> Option<i64> {
    let row = last
        .active
        .iter()
        .flat_map(|g| &g.rows)
        .find(|r| r.key == key)?;
    match (last.format, format, column) {
        (Format::F2021, Format::F2021, 2) if ["rules", "normative_documents"].contains(&key) => {
            row.int(2)
        }
        (Format::F2019, Format::F2019, 0)
            if [
                "licensing",
                "other_services",
                "penalty",
                "enforcement",
                "fees",
            ]
            .contains(&key) =>
        {
            Some(row.int(0)? + row.int(1)?)
        }
        _ => None,
    }
}

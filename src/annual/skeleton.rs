//! `gongwen new`: a complete data file with every row of the form present,
//! zeros in every cell, and a comment naming the row and column on paper.

use std::fmt::Write;

use super::form::{self, Cell, Format};

pub fn skeleton(format: Format, agency: &str, year: i64) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# {agency}{year}年政府信息公开工作年度报告 — 数据文件");
    let _ = writeln!(w, "# 格式：{}。填好后运行 gongwen check 本文件 核对，再运行 gongwen render 本文件 生成 PDF 和 Word。", format.describe());
    let _ = writeln!(
        w,
        "# 表格中的“总计”列和（七）总计行由 gongwen 自动计算，不必填写。\n"
    );
    let _ = writeln!(
        w,
        "agency = {}          # 发布机关",
        crate::data::example::toml_string(agency)
    );
    let _ = writeln!(w, "year = {year}                # 报告年度");
    let _ = writeln!(w, "format = \"{}\"            # \"2019\" 试行格式（2019、2020 年度报告）或 \"2021\" 修订格式（2021 年度起）", format.name());
    let _ = writeln!(w, "# title = \"{agency}{year}年政府信息公开工作年度报告\"   # 标题，不写则用此默认值；分两行写作 [\"第一行\", \"第二行\"]");
    let _ = writeln!(w, "# previous = \"上一年度数据文件.toml\"   # 写上则核对跨年度数据（现行有效件数、结转件数）\n");

    let _ = writeln!(w, "# 正文各部分：一段一个字符串；段首有（一）等小标题时写成 {{ lead = \"（一）小标题。\", text = \"正文……\" }}");
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

    let _ = writeln!(w, "# 署名和成文日期（可删去）");
    let _ = writeln!(w, "[signature]");
    let _ = writeln!(w, "agency = {}", crate::data::example::toml_string(agency));
    let _ = writeln!(w, "date = {}-01-15\n", year + 1);

    let _ = writeln!(w, "# 二、主动公开政府信息情况");
    let _ = writeln!(w, "[active]");
    for g in form::active_groups(format) {
        let _ = writeln!(w, "# {}：[{}]", g.title, g.columns.join(", "));
        for row in g.rows {
            let zeros: Vec<&str> = row
                .cells
                .iter()
                .map(|c| if *c == Cell::Money { "\"0\"" } else { "0" })
                .collect();
            let value = if zeros.len() == 1 {
                zeros[0].to_string()
            } else {
                format!("[{}]", zeros.join(", "))
            };
            let note = if row.cells.contains(&Cell::Money) {
                "（金额照原样填写，如 \"7730.28\"）"
            } else {
                ""
            };
            let _ = writeln!(w, "{} = {value}   # {}{note}", row.key, row.label);
        }
    }

    let _ = writeln!(w, "\n# 三、收到和处理政府信息公开申请情况");
    let _ = writeln!(w, "# 每行六个数，按表中申请人情况的列序：[自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]");
    let _ = writeln!(w, "# 勾稽关系：一 + 二 = 三（七）总计 + 四，逐列核对。");
    let _ = writeln!(w, "[applications]");
    let zeros = "[0, 0, 0, 0, 0, 0]";
    let mut open_group: Option<&str> = None;
    for row in form::application_rows(format) {
        if row.computed {
            let _ = writeln!(w, "# （七）总计：自动计算");
            continue;
        }
        let key = row.path.join(".");
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
        let _ = writeln!(w, "{key} = {zeros}   # {prefix}{}", row.label);
    }

    let _ = writeln!(w, "\n# 四、政府信息公开行政复议、行政诉讼情况");
    let _ = writeln!(
        w,
        "# 每项四个数：[{}]，总计自动计算",
        form::REVIEW_RESULTS.join(", ")
    );
    let _ = writeln!(w, "[review]");
    for (key, label) in form::REVIEW_BLOCKS {
        let _ = writeln!(w, "{key} = [0, 0, 0, 0]   # {label}");
    }
    s
}

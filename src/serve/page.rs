//! The desk's HTML: the folder's list and the official form of a report,
//! written from the data file's own tree so every input shows what the file
//! holds and is named by its key path.

use std::fmt::Write;

use super::form::{self, lookup, scalar};
use crate::annual::form::{self as table, Format, APPLICANTS, REVIEW_BLOCKS, REVIEW_RESULTS};
use crate::data::node::{Kind, Node};
pub(crate) use crate::export::docx::esc as escape;

/// The page around a body: styles, script and the session token.
pub fn shell(title: &str, token: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"gongwen-token\" content=\"{}\"><title>{}</title>\
         <link rel=\"stylesheet\" href=\"/desk.css\"><script src=\"/desk.js\" defer></script></head>\
         <body>{body}</body></html>",
        escape(token),
        escape(title)
    )
}

/// One data file of the folder and what `check` says about it.
pub struct Listed {
    pub name: String,
    pub errors: usize,
    pub warnings: usize,
    pub annual: bool,
    /// A report whose counts are all still 0.
    pub untouched: bool,
}

pub fn index(dir: &str, files: &[Listed], token: &str) -> String {
    let mut b = format!(
        "<header><h1>公文台</h1><p class=\"where\">文件夹：{}</p></header><main class=\"list\"><table id=\"files\"><thead><tr><th>数据文件</th><th>核对</th></tr></thead><tbody>",
        escape(dir)
    );
    if files.is_empty() {
        b.push_str(
            "<tr><td colspan=\"2\">这个文件夹里还没有数据文件（.toml 或 .json）。</td></tr>",
        );
    }
    for f in files {
        let begun = if f.untouched {
            "<span class=\"warn not-begun\">未开始（表三、表四的数字均为 0）</span>，"
        } else {
            ""
        };
        let status = match (f.errors, f.warnings) {
            (0, 0) => "<span class=\"ok\">通过</span>".to_string(),
            (0, w) => format!("<span class=\"warn\">{w} 个警告</span>"),
            (e, 0) => format!("<span class=\"bad\">{e} 个错误</span>"),
            (e, w) => format!(
                "<span class=\"bad\">{e} 个错误</span>，<span class=\"warn\">{w} 个警告</span>"
            ),
        };
        let _ = write!(
            b,
            "<tr data-file=\"{n}\"><td><a href=\"/edit/{u}\">{n}</a></td><td class=\"status\">{begun}{status}</td></tr>",
            n = escape(&f.name),
            u = url_segment(&f.name)
        );
    }
    b.push_str("</tbody></table><section class=\"new\"><h2>新建年度报告</h2><form id=\"new-report\">\
        <label>格式 <select name=\"format\"><option value=\"2021\">2021 年修订格式（2021 年度起）</option><option value=\"2019\">2019 年试行格式（2019、2020 年度）</option></select></label>\
        <label>发布机关 <input name=\"agency\" required placeholder=\"例如：青溪区人民政府\"></label>\
        <label>报告年度 <input name=\"year\" required inputmode=\"numeric\" placeholder=\"2025\"></label>\
        <label>据上一年度文件 <select name=\"from\"><option value=\"\">（不用）</option>");
    for f in files.iter().filter(|f| f.annual && f.errors == 0) {
        let _ = write!(b, "<option>{}</option>", escape(&f.name));
    }
    b.push_str("</select></label><label>文件名 <input name=\"file\" required placeholder=\"2025.toml\"></label>\
        <button type=\"submit\">新建</button><p class=\"message\" role=\"status\"></p></form></section>\
        <section class=\"new\"><h2>新建公文</h2><form id=\"new-document\">\
        <label>文种 <select name=\"kind\"><option value=\"notice\">通知、报告、请示等（文件格式）</option><option value=\"letter\">函（信函格式）</option><option value=\"minutes\">纪要</option><option value=\"order\">命令（令）</option></select></label>\
        <label>文件名 <input name=\"file\" required placeholder=\"关于……的通知.toml\"></label>\
        <button type=\"submit\">新建</button><p class=\"message\" role=\"status\"></p></form>\
        <p class=\"hint\">新建的文件中是示例内容，请逐项改为本单位的内容。</p></section></main>");
    shell("公文台", token, &b)
}

/// A file name as one URL path segment.
pub fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn input(root: &Node, name: &str, label: &str, attrs: &str) -> String {
    form::input(name, &scalar(lookup(root, name)), label, attrs)
}

/// A cell of a form table: its input named by the row's key path and the
/// column's index, labelled by the row and the column.
fn cell(root: &Node, row: &str, len: usize, j: usize, label: &str) -> String {
    let name = if len == 1 {
        row.to_string()
    } else {
        format!("{row}.{j}")
    };
    let attrs = if len == 1 {
        "class=\"num\" inputmode=\"numeric\" autocomplete=\"off\"".to_string()
    } else {
        format!(
            "class=\"num\" inputmode=\"numeric\" autocomplete=\"off\" data-row=\"{}\" data-len=\"{len}\"",
            escape(row)
        )
    };
    // Not in the file: the form's 0, until the clerk types a number.
    let value = lookup(root, &name).map_or_else(|| "0".to_string(), |n| scalar(Some(n)));
    format!("<td>{}</td>", form::input(&name, &value, label, &attrs))
}

fn computed(name: &str) -> String {
    format!(
        "<td class=\"computed\"><output data-computed=\"{}\"></output></td>",
        escape(name)
    )
}

/// The bar above a form (state, save, downloads) and the form's start.
fn desk_top(name: &str, version: &str) -> String {
    format!(
        "<header><a href=\"/\">← 文件列表</a><h1>{n}</h1><span class=\"state\" id=\"state\">核对中…</span>\
         <button id=\"save\" type=\"button\">保存</button>\
         <a class=\"button\" id=\"pdf\" href=\"/download/{u}.pdf\">下载 PDF</a>\
         <a class=\"button\" id=\"docx\" href=\"/download/{u}.docx\">下载 DOCX</a></header>\
         <div class=\"desk\"><form id=\"report\" data-file=\"{n}\" data-version=\"{v}\" autocomplete=\"off\"><p class=\"message\" id=\"message\" role=\"status\"></p>",
        n = escape(name),
        u = url_segment(name),
        v = escape(version)
    )
}

/// The form's end and the column beside it: messages and pages.
const DESK_SIDE: &str = "</form><aside class=\"side\"><section><h2>核对</h2><ul id=\"problems\"></ul></section>\
     <section><h2>版面预览 <span id=\"timing\"></span></h2><div id=\"preview\"></div></section></aside></div>";

/// The official form of an annual report.
pub fn annual(name: &str, root: &Node, format: Format, version: &str, token: &str) -> String {
    let mut b = desk_top(name, version);
    b.push_str("<fieldset><legend>基本信息</legend>");
    let _ = write!(
        b,
        "<label>发布机关 {}</label><label>报告年度 {}</label><label>格式 <span class=\"fixed\">{}</span></label>",
        input(root, "agency", "发布机关", ""),
        input(root, "year", "报告年度", "inputmode=\"numeric\""),
        format.describe()
    );
    match lookup(root, "title").map(|n| &n.kind) {
        Some(Kind::Array(lines)) => {
            for i in 0..lines.len() {
                let _ = write!(
                    b,
                    "<label>标题第 {} 行 {}</label>",
                    i + 1,
                    input(
                        root,
                        &format!("title.{i}"),
                        &format!("标题第 {} 行", i + 1),
                        ""
                    )
                );
            }
        }
        _ => {
            let _ = write!(
                b,
                "<label>标题 {}</label>",
                input(root, "title", "标题", "")
            );
        }
    }
    let _ = write!(
        b,
        "<label>署名 {}</label><label>成文日期 {}</label></fieldset>",
        input(root, "signature.agency", "署名", ""),
        input(
            root,
            "signature.date",
            "成文日期",
            "placeholder=\"2026-01-20 或 2026年1月20日\" class=\"date\""
        )
    );
    if lookup(root, "preamble").is_some() {
        form::paragraphs(&mut b, root, "preamble", "前言");
    }
    form::paragraphs(&mut b, root, "overview", "一、总体情况");

    // 二
    b.push_str("<fieldset class=\"grid\"><legend>二、主动公开政府信息情况</legend><table class=\"form\" id=\"table2\">");
    for g in table::active_groups(format) {
        let span = g.columns.len() + 1;
        let _ = write!(
            b,
            "<tr class=\"group\"><th colspan=\"{span}\">{}</th></tr><tr><th>信息内容</th>",
            g.title
        );
        for c in g.columns {
            let _ = write!(b, "<th>{c}</th>");
        }
        b.push_str("</tr>");
        for r in g.rows {
            let _ = write!(b, "<tr><th class=\"label\">{}</th>", r.label);
            let row = format!("active.{}", r.key);
            for (j, col) in g.columns.iter().enumerate().take(r.cells.len()) {
                let label = format!("表二「{}」「{col}」", r.label);
                b.push_str(&cell(root, &row, r.cells.len(), j, &label));
            }
            b.push_str("</tr>");
        }
    }
    b.push_str("</table></fieldset>");

    // 三
    b.push_str("<fieldset class=\"grid\"><legend>三、收到和处理政府信息公开申请情况</legend><table class=\"form\" id=\"table3\">\
        <tr><th rowspan=\"3\" colspan=\"3\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th><th colspan=\"7\">申请人情况</th></tr>\
        <tr><th rowspan=\"2\">自然人</th><th colspan=\"5\">法人或其他组织</th><th rowspan=\"2\">总计</th></tr><tr>");
    for a in &APPLICANTS[1..] {
        let _ = write!(b, "<th>{a}</th>");
    }
    b.push_str("</tr>");
    let rows = table::application_rows(format);
    let inner: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            !matches!(
                rows[i].path,
                ["new"] | ["carried_over"] | ["carried_forward"]
            )
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let key = r.path.join(".");
        let row = format!("applications.{key}");
        b.push_str("<tr>");
        if inner.first() == Some(&i) {
            let _ = write!(
                b,
                "<th rowspan=\"{}\" class=\"vertical\">三、本年度办理结果</th>",
                inner.len()
            );
        }
        match r.group {
            Some(g) => {
                let first = rows.iter().position(|x| x.group == Some(g)) == Some(i);
                if first {
                    let n = rows.iter().filter(|x| x.group == Some(g)).count();
                    let _ = write!(b, "<th rowspan=\"{n}\">{g}</th>");
                }
                let _ = write!(b, "<th class=\"label\">{}</th>", r.label);
            }
            None if inner.contains(&i) => {
                let _ = write!(b, "<th class=\"label\" colspan=\"2\">{}</th>", r.label);
            }
            None => {
                let _ = write!(b, "<th class=\"label\" colspan=\"3\">{}</th>", r.label);
            }
        }
        for (j, applicant) in APPLICANTS.iter().enumerate().take(6) {
            if r.computed {
                b.push_str(&computed(&format!("{row}.{j}")));
            } else {
                let label = format!("表三「{}」「{applicant}」", r.label);
                b.push_str(&cell(root, &row, 6, j, &label));
            }
        }
        b.push_str(&computed(&format!("{row}.6")));
        b.push_str("</tr>");
    }
    b.push_str("</table></fieldset>");

    // 四
    b.push_str("<fieldset class=\"grid\"><legend>四、政府信息公开行政复议、行政诉讼情况</legend><table class=\"form\" id=\"table4\">\
        <tr><th colspan=\"5\">行政复议</th><th colspan=\"10\">行政诉讼</th></tr><tr>");
    for res in REVIEW_RESULTS.iter().chain(std::iter::once(&"总计")) {
        let _ = write!(b, "<th rowspan=\"2\">{res}</th>");
    }
    b.push_str("<th colspan=\"5\">未经复议直接起诉</th><th colspan=\"5\">复议后起诉</th></tr><tr>");
    for _ in 0..2 {
        for res in REVIEW_RESULTS.iter().chain(std::iter::once(&"总计")) {
            let _ = write!(b, "<th>{res}</th>");
        }
    }
    b.push_str("</tr><tr>");
    for (key, block) in REVIEW_BLOCKS {
        let row = format!("review.{key}");
        for (j, res) in REVIEW_RESULTS.iter().enumerate() {
            let label = format!("表四「{block}」「{res}」");
            b.push_str(&cell(root, &row, 4, j, &label));
        }
        b.push_str(&computed(&format!("{row}.4")));
    }
    b.push_str("</tr></table></fieldset>");

    form::paragraphs(&mut b, root, "problems", "五、存在的主要问题及改进情况");
    form::paragraphs(&mut b, root, "other", "六、其他需要报告的事项");
    b.push_str(DESK_SIDE);
    shell(name, token, &b)
}

/// A form for a data file of a template with its own schema: the file's
/// tree as fields, labelled from the schema.
pub fn record(name: &str, form: &form::Form<'_>, version: &str, token: &str) -> String {
    let mut b = desk_top(name, version);
    b.push_str("<fieldset><legend>内容</legend>");
    form.table(&mut b, "", form.root);
    b.push_str("</fieldset>");
    b.push_str(DESK_SIDE);
    shell(name, token, &b)
}

/// The deepest key path whose value holds a byte offset: where a
/// diagnostic's place is shown in the form.
pub fn field_at(root: &Node, offset: usize) -> Option<String> {
    // A table's own span may be only its `[header]`: its entries are
    // searched whatever it covers.
    fn walk(n: &Node, offset: usize, path: &mut Vec<String>) -> bool {
        match &n.kind {
            Kind::Table(entries) => entries.iter().any(|e| {
                path.push(e.key.clone());
                let found = e.key_span.contains(&offset)
                    || walk(&e.value, offset, path)
                    || (!matches!(e.value.kind, Kind::Table(_)) && e.value.span.contains(&offset));
                if !found {
                    path.pop();
                }
                found
            }),
            Kind::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(i.to_string());
                // A [[record]] is searched whatever its span covers, as a table.
                let found = walk(item, offset, path) || item.span.contains(&offset);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = Vec::new();
    walk(root, offset, &mut path).then(|| path.join("."))
}

/// What a download of a file with errors shows instead of the file: the
/// errors, each at its form field, and the way back to the form.
pub fn not_rendered(
    name: &str,
    ext: &str,
    diagnostics: &[serde_json::Value],
    token: &str,
) -> String {
    let mut b = format!(
        "<header><a href=\"/edit/{u}\">← 返回表单</a><h1>{n}</h1></header><main class=\"list\">\
         <p class=\"bad\" id=\"not-rendered\">数据有错误，未生成 {ext} 文件。请在表单中改正以下各项后再下载：</p><ul id=\"problems\">",
        u = url_segment(name),
        n = escape(name),
        ext = ext.to_ascii_uppercase(),
    );
    for d in diagnostics {
        let _ = write!(
            b,
            "<li class=\"bad\">{}",
            escape(d["message"].as_str().unwrap_or(""))
        );
        if let Some(f) = d["label"].as_str().or(d["field"].as_str()) {
            let _ = write!(b, "<div class=\"hint\">表单项：{}</div>", escape(f));
        }
        for h in d["hints"].as_array().into_iter().flatten() {
            let _ = write!(
                b,
                "<div class=\"hint\">提示：{}</div>",
                escape(h.as_str().unwrap_or(""))
            );
        }
        b.push_str("</li>");
    }
    b.push_str("</ul></main>");
    shell(name, token, &b)
}

/// The label a form page gives the control named `field` (as written by
/// [`form::input`] and its kin: `name` first, `data-label` after it).
pub fn label_in(html: &str, field: &str) -> Option<String> {
    let at = html.find(&format!(" name=\"{}\"", escape(field)))?;
    let tag = &html[at..at + html[at..].find('>')?];
    let (_, rest) = tag.split_once(" data-label=\"")?;
    let label = &rest[..rest.find('"')?];
    Some(
        label
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

//! The district desk's own pages: login, the 公开办's list of units, a
//! unit's history, and the bar above every page saying who is logged in,
//! for which unit, and where the unit stands.

use std::fmt::Write as _;

use super::store::Version;
use super::Progress;
use crate::serve::http::Reply;
use crate::serve::page::{escape, shell, url_segment};

/// A form's fields as posted (`application/x-www-form-urlencoded`).
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        let text = std::str::from_utf8(body).unwrap_or("");
        Form(
            text.split('&')
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    Some((
                        crate::serve::guard::percent_decode(k)?,
                        crate::serve::guard::percent_decode(v)?,
                    ))
                })
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A time as the pages show it, in Beijing time.
pub fn when(secs: i64) -> String {
    let (y, m, d, h, min, _) = crate::epoch::civil_from_secs(secs + 8 * 3600);
    format!("{y}-{m:02}-{d:02} {h:02}:{min:02}")
}

/// A time to the second, in Beijing time, for the desk's log.
pub fn when_exactly(secs: i64) -> String {
    let (y, m, d, h, min, sec) = crate::epoch::civil_from_secs(secs + 8 * 3600);
    format!("{y}-{m:02}-{d:02} {h:02}:{min:02}:{sec:02}")
}

pub fn login(message: &str) -> String {
    let msg = if message.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"bad\" id=\"login-message\">{}</p>",
            escape(message)
        )
    };
    let body = format!(
        "<header><h1>公文台 · 登录</h1></header><main class=\"list district\">{msg}\
         <form method=\"post\" action=\"/login\" id=\"login\" class=\"login\">\
         <label>账号 <input name=\"name\" required autocomplete=\"username\"></label>\
         <label>密码 <input name=\"password\" type=\"password\" required autocomplete=\"current-password\"></label>\
         <button type=\"submit\">登录</button></form>\
         <p class=\"hint\">账号由公开办用 gongwen user add 建立；忘记密码请找公开办重设。</p></main>"
    );
    shell("公文台 · 登录", "", &body)
}

/// A refusal as a page, with the way back.
pub fn refusal(message: &str) -> String {
    let body = format!(
        "<header><a href=\"/\">← 返回</a><h1>未能完成</h1></header><main class=\"list district\">\
         <p class=\"bad\" id=\"refusal\">{}</p></main>",
        escape(message)
    );
    shell("未能完成", "", &body)
}

/// Who is logged in, and the unit the page is of.
pub struct Bar<'a> {
    pub user: &'a str,
    pub unit: &'a str,
    pub csrf: &'a str,
    pub progress: &'a Progress,
    /// The 公开办 looking at a unit (read-only).
    pub office: bool,
    /// Nothing may be saved: the page's save and new-file controls are
    /// hidden.
    pub read_only: bool,
}

fn logout(csrf: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"token\" value=\"{}\"><button type=\"submit\" id=\"logout\">退出</button></form>",
        escape(csrf)
    )
}

fn bar_html(b: &Bar) -> String {
    let mut h = String::from("<nav class=\"district-bar\" id=\"district-bar\">");
    let state = b.progress.label();
    if b.office {
        let _ = write!(
            h,
            "<a href=\"/office\" id=\"back-to-units\">← 各单位</a><span>正在查看「{u}」（只读）</span>\
             <span class=\"unit-state\" id=\"unit-state\">{s}</span><a href=\"/history\">修改记录</a>",
            u = escape(b.unit),
            s = escape(&state)
        );
    } else {
        let _ = write!(
            h,
            "<span>{who}（{u}）</span><span class=\"unit-state\" id=\"unit-state\">{s}</span><a href=\"/\">本单位文件</a><a href=\"/history\">修改记录</a>",
            who = escape(b.user),
            u = escape(b.unit),
            s = escape(&state)
        );
        if matches!(
            b.progress,
            Progress::Filling | Progress::Returned(_) | Progress::Errors(_)
        ) {
            let _ = write!(
                h,
                "<form method=\"post\" action=\"/district/submit\" class=\"inline\"><input type=\"hidden\" name=\"token\" value=\"{}\"><button type=\"submit\" id=\"submit-report\">提交给公开办</button></form>",
                escape(b.csrf)
            );
        }
    }
    h.push_str(&logout(b.csrf));
    h.push_str("</nav>");
    if let Progress::Returned(comment) = b.progress {
        let _ = write!(
            h,
            "<p class=\"returned\" id=\"returned\">公开办退回意见：{}</p>",
            escape(comment)
        );
    }
    h
}

/// An HTML page of the one-folder desk with the bar above it; any other
/// reply as it is.
pub fn with_bar(mut reply: Reply, bar: &Bar) -> Reply {
    if !reply.kind.starts_with("text/html") {
        return reply;
    }
    let html = String::from_utf8_lossy(&reply.body).into_owned();
    let body = if bar.read_only {
        "<body class=\"read-only\">"
    } else {
        "<body>"
    };
    let html = html.replacen("<body>", &format!("{body}{}", bar_html(bar)), 1);
    // The folder's path on the server is none of the clerk's business.
    let html = match (html.find("<p class=\"where\">"), bar.office) {
        (Some(at), _) => match html[at..].find("</p>") {
            Some(end) => format!(
                "{}<p class=\"where\">单位：{}</p>{}",
                &html[..at],
                escape(bar.unit),
                &html[at + end + 4..]
            ),
            None => html,
        },
        (None, _) => html,
    };
    reply.body = html.into_bytes();
    reply
}

pub fn history(bar: &Bar, versions: &[Version], may_restore: bool) -> String {
    let mut b = format!(
        "<header><a href=\"/\">← 文件列表</a><h1>修改记录 · {}</h1></header><main class=\"list district\">\
         <table id=\"history\"><thead><tr><th>时间</th><th>文件</th><th>保存人</th><th>改动的项</th><th></th></tr></thead><tbody>",
        escape(bar.unit)
    );
    if versions.is_empty() {
        b.push_str("<tr><td colspan=\"5\">还没有在公文台中保存过。</td></tr>");
    }
    for v in versions {
        let changed = if v.changed.is_empty() {
            "（无改动）".to_string()
        } else {
            let shown: Vec<String> = v.changed.iter().take(12).map(|c| escape(c)).collect();
            let more = v.changed.len().saturating_sub(12);
            let mut s = shown.join("、");
            if more > 0 {
                let _ = write!(s, " 等 {} 项", v.changed.len());
            }
            s
        };
        let restore = if may_restore {
            format!(
                "<form method=\"post\" action=\"/district/restore/{id}\" class=\"inline\"><input type=\"hidden\" name=\"token\" value=\"{t}\"><button type=\"submit\" class=\"restore\" data-version=\"{id}\">恢复此版本</button></form>",
                id = v.id,
                t = escape(bar.csrf)
            )
        } else {
            String::new()
        };
        let _ = write!(
            b,
            "<tr data-version=\"{id}\"><td>{when}</td><td>{f}</td><td>{u}</td><td class=\"changed\">{changed}</td>\
             <td><a href=\"/history/{id}\">查看</a> {restore}</td></tr>",
            id = v.id,
            when = when(v.at),
            f = escape(&v.file),
            u = escape(&v.user),
        );
    }
    b.push_str("</tbody></table></main>");
    shell("修改记录", bar.csrf, &b)
}

pub fn version(bar: &Bar, id: i64, file: &str, text: &str) -> String {
    let b = format!(
        "<header><a href=\"/history\">← 修改记录</a><h1>{} · 第 {id} 次保存</h1></header><main class=\"list district\">\
         <pre class=\"version\" id=\"version-text\">{}</pre></main>",
        escape(file),
        escape(text)
    );
    shell(file, bar.csrf, &b)
}

/// One unit on the 公开办's page.
pub struct UnitRow {
    pub name: String,
    pub progress: Progress,
    pub last: Option<(String, i64)>,
}

pub fn office(user: &str, csrf: &str, rows: &[UnitRow]) -> String {
    let token = format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\">",
        escape(csrf)
    );
    let mut b = format!(
        "<header><h1>公文台 · 公开办</h1><span>{}</span>{}</header><main class=\"list district\">\
         <table id=\"units\"><thead><tr><th>单位</th><th>状态</th><th>最后保存</th><th>操作</th></tr></thead><tbody>",
        escape(user),
        logout(csrf)
    );
    if rows.is_empty() {
        b.push_str("<tr><td colspan=\"4\">还没有单位：用 gongwen user add --unit 单位名 建立单位的账号。</td></tr>");
    }
    for r in rows {
        let u = url_segment(&r.name);
        let last = r.last.as_ref().map_or_else(
            || "—".to_string(),
            |(who, at)| format!("{}，{}", escape(who), when(*at)),
        );
        let mut actions = format!("<a href=\"/office/view/{u}\">查看</a>");
        if matches!(r.progress, Progress::Submitted | Progress::Passed) {
            let _ = write!(
                actions,
                "<form method=\"post\" action=\"/office/return/{u}\" class=\"inline return\">{token}\
                 <input name=\"comment\" required placeholder=\"退回意见\"><button type=\"submit\">退回</button></form>"
            );
        }
        if r.progress == Progress::Submitted {
            let _ = write!(
                actions,
                "<form method=\"post\" action=\"/office/pass/{u}\" class=\"inline pass\">{token}<button type=\"submit\">通过</button></form>"
            );
        }
        let comment = match &r.progress {
            Progress::Returned(c) => format!("<div class=\"hint\">意见：{}</div>", escape(c)),
            _ => String::new(),
        };
        let _ = write!(
            b,
            "<tr data-unit=\"{n}\"><td>{n}</td><td class=\"unit-state\">{s}{comment}</td><td>{last}</td><td>{actions}</td></tr>",
            n = escape(&r.name),
            s = escape(&r.progress.label()),
        );
    }
    let passed = rows
        .iter()
        .filter(|r| r.progress == Progress::Passed)
        .count();
    let _ = write!(
        b,
        "</tbody></table><section class=\"new\"><h2>汇总与发布（已通过 {passed} 个单位）</h2>\
         <form method=\"post\" action=\"/office/sum\" id=\"sum\">{token}\
         <label>汇总报告的发布机关 <input name=\"agency\" required placeholder=\"例如：青溪区人民政府\"></label>\
         <button type=\"submit\">汇总已通过的单位</button></form>\
         <p><a class=\"button\" href=\"/office/zip\" id=\"zip\">下载已通过单位的 PDF 和 DOCX（zip）</a></p>\
         <p class=\"hint\">汇总写入区文件夹中的 {summed}，并下载；有错误的单位会列出名称，不汇总。</p></section></main>",
        summed = super::SUMMED
    );
    shell("公文台 · 公开办", csrf, &b)
}

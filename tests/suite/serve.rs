//! `gongwen serve` through the binary, over HTTP: the safety rules (a
//! foreign `Host`, a cross-origin or token-less write, traversal and links
//! out of the folder, bounded bodies, a stale save) each refused with its
//! message; a check puts each message at its field; a save keeps the
//! file's comments and changes only what was typed; new reports and
//! downloads come from the same code as `new` and `render`.

use crate::common;

use std::io::{Read, Write};

use common::cli::scratch;
use common::desk::{json, start, Desk, Req};

fn desk(dir: &std::path::Path) -> Desk {
    start(dir, &[])
}

fn folder(name: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("serve-{name}"));
    std::fs::copy(
        "samples/qinghe-market-2025.toml",
        dir.join("qinghe-market-2025.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn refuses_foreign_hosts_and_cross_origin_writes() {
    let dir = folder("guard");
    let d = desk(&dir);
    // DNS rebinding: the page asked for by another name.
    let (status, body) = d.send(Req {
        host: Some("evil.example".into()),
        ..Req::get("/")
    });
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Host（evil.example）不是本服务的地址"),
        "{body}"
    );
    let check = "/api/check/qinghe-market-2025.toml";
    let save = "/api/save/qinghe-market-2025.toml";
    let own = format!("http://{}", d.host());
    for (origin, token, want) in [
        (
            Some("http://evil.example"),
            Some(d.token.clone()),
            "来自其他网站（http://evil.example）",
        ),
        (Some(own.as_str()), None, "没有带本次会话的令牌"),
        (
            Some(own.as_str()),
            Some("0".repeat(32)),
            "没有带本次会话的令牌",
        ),
        // A write that does not say where it comes from is not believed.
        (
            None,
            Some(d.token.clone()),
            "没有说明来自哪个网页（Origin）",
        ),
    ] {
        for path in [check, save] {
            let mut headers = vec![("Content-Type", "application/json".to_string())];
            if let Some(o) = origin {
                headers.push(("Origin", o.to_string()));
            }
            if let Some(t) = &token {
                headers.push(("X-Gongwen-Token", t.clone()));
            }
            let (status, body) = d.send(Req {
                method: "POST",
                path,
                host: None,
                headers,
                body: br#"{"fields":{"agency":"x"},"version":"v"}"#.to_vec(),
                cookie: true,
            });
            assert_eq!(status, 403, "{path}: {body}");
            assert!(
                json(&body)["message"].as_str().unwrap().contains(want),
                "{body}"
            );
        }
    }
    let (status, _) = d.send(Req {
        method: "POST",
        path: check,
        host: None,
        headers: vec![
            ("X-Gongwen-Token", d.token.clone()),
            ("Origin", own.clone()),
            ("Sec-Fetch-Site", "cross-site".into()),
        ],
        body: b"{}".to_vec(),
        cookie: true,
    });
    assert_eq!(status, 403);
    // Nothing was written.
    assert_eq!(
        std::fs::read("samples/qinghe-market-2025.toml").unwrap(),
        std::fs::read(dir.join("qinghe-market-2025.toml")).unwrap()
    );
}

#[test]
fn serves_only_data_files_inside_the_folder() {
    let dir = folder("paths");
    std::fs::write(dir.parent().unwrap().join("secret.toml"), "a = 1\n").unwrap();
    std::os::unix::fs::symlink(
        dir.parent().unwrap().join("secret.toml"),
        dir.join("link.toml"),
    )
    .unwrap();
    let d = desk(&dir);
    for path in [
        "/edit/..%2Fsecret.toml",
        "/edit/%2e%2e%2fsecret.toml",
        "/edit/..%5Csecret.toml",
        "/edit/link.toml",
        "/edit/%2Fetc%2Fpasswd",
        "/download/..%2Fsecret.toml.pdf",
        "/edit/qinghe-market-2025.toml%00.toml",
        "/edit/nothing.toml",
    ] {
        let (status, body) = d.get(path);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("a = 1"), "{path}");
    }
    let (status, body) = d.post("/api/check/..%2Fsecret.toml", "{}");
    assert_eq!(status, 404, "{body}");
    // The link is not listed either.
    let (_, index) = d.get("/");
    assert!(index.contains("qinghe-market-2025.toml") && !index.contains("link.toml"));
    // Bounded bodies.
    let (status, body) = d.post(
        "/api/check/qinghe-market-2025.toml",
        &format!("{{\"fields\":{{\"agency\":\"{}\"}}}}", "x".repeat(5 << 20)),
    );
    assert_eq!(status, 413, "{body}");
}

#[test]
fn a_check_puts_each_message_at_its_field() {
    let dir = folder("check");
    let d = desk(&dir);
    let (status, body) = d.post(
        "/api/check/qinghe-market-2025.toml",
        r#"{"fields":{"applications.new.0":"47"}}"#,
    );
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let c1: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("（C1）"))
        .collect();
    assert_eq!(c1.len(), 1, "{body}");
    assert_eq!(c1[0]["field"], "applications.new.0");
    assert_eq!(c1[0]["severity"], "error");
    assert_eq!(v["computed"]["applications.new.6"], 63);
    assert_eq!(v["pages"].as_array().unwrap().len(), 5);
    assert!(v["pages"][0].as_str().unwrap().starts_with("<svg"));
    // Typed with an input method's full-width digits: the same number.
    let (_, body) = d.post(
        "/api/check/qinghe-market-2025.toml",
        r#"{"fields":{"applications.new.0":"４６"}}"#,
    );
    assert_eq!(json(&body)["errors"], 0, "{body}");
    // Not a number: the type error, at the cell.
    let (_, body) = d.post(
        "/api/check/qinghe-market-2025.toml",
        r#"{"fields":{"review.litigation_direct.1":"一"}}"#,
    );
    let v = json(&body);
    assert_eq!(
        v["diagnostics"][0]["field"], "review.litigation_direct.1",
        "{body}"
    );
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("整数"),
        "{body}"
    );
    // A character no font has: the error stands at the field that holds it.
    let (_, body) = d.post(
        "/api/check/qinghe-market-2025.toml",
        r#"{"fields":{"signature.agency":"某某𪚥局"}}"#,
    );
    let v = json(&body);
    let shown = &v["diagnostics"];
    let glyph: Vec<&serde_json::Value> = shown
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("「𪚥」"))
        .collect();
    assert_eq!(glyph.len(), 1, "{shown}");
    assert_eq!(glyph[0]["field"], "signature.agency", "{shown}");
    assert_eq!(glyph[0]["line"], 40, "{shown}");
}

#[test]
fn saves_keep_comments_and_refuse_stale_versions() {
    let dir = folder("save");
    let file = dir.join("qinghe-market-2025.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    let d = desk(&dir);
    let (_, page) = d.get("/edit/qinghe-market-2025.toml");
    let version = &common::desk::version_of(&page);
    // As the desk posts: a row the file does not have comes with its length.
    let save = |v: &str, fields: &str| {
        d.post(
            "/api/save/qinghe-market-2025.toml",
            &format!(
                "{{\"fields\":{fields},\"lengths\":{{\"applications.withheld.state_secret\":6}},\"version\":\"{v}\"}}"
            ),
        )
    };
    let (status, body) = save(
        version,
        r#"{"applications.withheld.state_secret.0":"1","applications.disclosed.0":"19","agency":"青禾区市场监督管理局"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let saved = json(&body)["version"].as_str().unwrap().to_string();
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        before.replace(
            "withheld.query_matters = [1, 0, 0, 0, 1, 0]\n",
            "withheld.query_matters = [1, 0, 0, 0, 1, 0]\nwithheld.state_secret = [1, 0, 0, 0, 0, 0]\n"
        )
        .replace("disclosed = [20, 4, 1, 0, 1, 0]", "disclosed = [19, 4, 1, 0, 1, 0]"),
    );
    // The page's version is now stale: a second save from it is refused
    // and the file is left as the first save wrote it.
    let (status, body) = save(version, r#"{"applications.disclosed.0":"18"}"#);
    assert_eq!(status, 409, "{body}");
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("已被修改"),
        "{body}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    // With the version the save returned, it goes through.
    let (status, body) = save(
        &saved,
        r#"{"applications.disclosed.0":"20","applications.withheld.state_secret.0":"0"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("disclosed = [20, 4, 1, 0, 1, 0]"));
    // A save that would not parse is refused.
    let v = json(&body)["version"].as_str().unwrap().to_string();
    let (status, _) = save(&v, r#"{"year.0":"1"}"#);
    assert_eq!(status, 422);
}

#[test]
fn new_reports_and_downloads() {
    let dir = folder("new");
    let d = desk(&dir);
    let (status, body) = d.post(
        "/api/new",
        r#"{"format":"2021","agency":"青溪区某某街道办事处","year":"2025","file":"某某街道-2025","from":""}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json(&body)["url"],
        "/edit/%E6%9F%90%E6%9F%90%E8%A1%97%E9%81%93-2025.toml"
    );
    let made = std::fs::read_to_string(dir.join("某某街道-2025.toml")).unwrap();
    assert!(made.contains("agency = \"青溪区某某街道办事处\""), "{made}");
    let (status, body) = d.post(
        "/api/new",
        r#"{"format":"2021","agency":"x","year":"2025","file":"某某街道-2025.toml"}"#,
    );
    assert_eq!(status, 409, "{body}");
    let (status, body) = d.post(
        "/api/new",
        r#"{"format":"2021","agency":"x","year":"二〇二五","file":"a.toml"}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(json(&body)["message"]
        .as_str()
        .unwrap()
        .contains("四位数年份"));
    let (status, body) = d.post(
        "/api/new",
        r#"{"from":"qinghe-market-2025.toml","file":"2026.toml"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(std::fs::read_to_string(dir.join("2026.toml"))
        .unwrap()
        .contains("previous = \"qinghe-market-2025.toml\""));

    let raw = d.exchange(Req::get("/download/qinghe-market-2025.toml.pdf"));
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("application/pdf"), "{head}");
    assert!(raw[split + 4..].starts_with(b"%PDF-"));
    // A file with errors is not rendered.
    let sample = std::fs::read_to_string(dir.join("qinghe-market-2025.toml")).unwrap();
    std::fs::write(
        dir.join("broken.toml"),
        sample.replace("new = [46, 9, 1, 2, 3, 1]", "new = [47, 9, 1, 2, 3, 1]"),
    )
    .unwrap();
    let (status, body) = d.get("/download/broken.toml.docx");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("数据有错误"), "{body}");
    // Each error named by its field as the form labels it, no server path.
    assert!(
        body.contains("表单项：表三「一、本年新收政府信息公开申请数量」「自然人」"),
        "{body}"
    );
    assert!(!body.contains(dir.to_str().unwrap()), "{body}");
}

#[test]
fn a_template_with_its_own_schema_gets_a_form_from_it() {
    let dir = scratch("serve-schema");
    let fixtures = std::path::Path::new("tests/fixtures/schema");
    std::fs::copy(fixtures.join("bulletin.toml"), dir.join("bulletin.toml")).unwrap();
    std::fs::create_dir(dir.join("bulletin")).unwrap();
    for f in ["report.html", "schema.json", "template.toml"] {
        std::fs::copy(
            fixtures.join("bulletin").join(f),
            dir.join("bulletin").join(f),
        )
        .unwrap();
    }
    let d = desk(&dir);
    let (status, page) = d.get("/edit/bulletin.toml");
    assert_eq!(status, 200, "{page}");
    // The schema's titles as labels, the records as a table of inputs.
    for want in [
        "<th>受理件数</th>",
        "name=\"rows.0.received\" value=\"512\"",
        "受理件数合计",
    ] {
        assert!(page.contains(want), "{want} not in the form");
    }
    let (_, body) = d.post(
        "/api/check/bulletin.toml",
        r#"{"fields":{"rows.0.closed":"521","total":"1286"}}"#,
    );
    let v = json(&body);
    assert!(v["diagnostics"].is_array(), "{body}");
    let fields: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["message"].as_str().unwrap_or("").contains("写入的示例"))
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["total", "rows.0.closed"], "{body}");
    assert_eq!(v["pages"].as_array().unwrap().len(), 1);
}

/// Every request needs the printed link's token, on 127.0.0.1 as on
/// another address: another account on the same computer reaches
/// loopback too. The link trades it for a cookie of this desk's port.
#[test]
fn every_request_needs_the_printed_token() {
    let dir = folder("token");
    for args in [&[][..], &["--listen", "127.0.0.2"][..]] {
        let d = start(&dir, args);
        let ask = |path: &str, cookie: Option<String>| -> String {
            let mut s = d.connect();
            let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
            write!(
                s,
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{cookie}Connection: close\r\n\r\n",
                d.host()
            )
            .unwrap();
            let mut raw = String::new();
            let _ = s.read_to_string(&mut raw);
            raw
        };
        for path in ["/", "/edit/qinghe-market-2025.toml", "/desk.js"] {
            let refused = ask(path, None);
            assert!(
                refused.starts_with("HTTP/1.1 403"),
                "{args:?} {path}: {refused}"
            );
            assert!(refused.contains("需要访问令牌"), "{refused}");
        }
        assert!(ask(&format!("/?token={}", "0".repeat(32)), None).starts_with("HTTP/1.1 403"));
        let wrong = format!("gongwen_{}={}", d.port, "0".repeat(32));
        assert!(ask("/", Some(wrong)).starts_with("HTTP/1.1 403"));
        let link = ask(&format!("/?token={}", d.token), None);
        assert!(link.starts_with("HTTP/1.1 303"), "{link}");
        assert!(
            link.contains(&format!(
                "gongwen_{}={}; HttpOnly; SameSite=Strict",
                d.port, d.token
            )),
            "{link}"
        );
        let page = ask("/", Some(d.cookie()));
        assert!(
            page.starts_with("HTTP/1.1 200") && page.contains("qinghe-market-2025.toml"),
            "{page}"
        );
    }
}

/// Every value of a data file as `key.path → text`, as a form names it.
fn leaves(v: &toml::Value, path: &str, out: &mut std::collections::BTreeMap<String, String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| leaves(v, &join(k), out)),
        toml::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, &join(&i.to_string()), out)),
        toml::Value::String(s) => drop(out.insert(path.into(), s.clone())),
        toml::Value::Integer(i) => drop(out.insert(path.into(), i.to_string())),
        toml::Value::Float(f) => drop(out.insert(path.into(), f.to_string())),
        toml::Value::Boolean(b) => drop(out.insert(path.into(), b.to_string())),
        toml::Value::Datetime(d) => drop(out.insert(path.into(), d.to_string())),
    }
}

fn json_leaves(
    v: &serde_json::Value,
    path: &str,
    out: &mut std::collections::BTreeMap<String, String>,
) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| json_leaves(v, &join(k), out)),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| json_leaves(v, &join(&i.to_string()), out)),
        serde_json::Value::String(s) => drop(out.insert(path.into(), s.clone())),
        other => drop(out.insert(path.into(), other.to_string())),
    }
}

/// Every value of a TOML or JSON data file (JSON starts with `{`).
fn values_of(text: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    if text.starts_with('{') {
        json_leaves(&serde_json::from_str(text).unwrap(), "", &mut out);
    } else {
        leaves(&toml::from_str(text).unwrap(), "", &mut out);
    }
    out
}

/// Opens `file` in the desk and checks its form against the file: every
/// value the file holds is a field showing it; saving unchanged, or with
/// every field sent back as shown, leaves the file byte for byte; a change
/// to one field changes that value, on its own line, and nothing else.
fn round_trips(d: &Desk, dir: &std::path::Path, file: &str) {
    use common::desk::{fields, version_of};
    let original = std::fs::read_to_string(dir.join(file)).unwrap();
    let (status, page) = d.get(&format!("/edit/{file}"));
    assert_eq!(status, 200, "{page}");
    let form = fields(&page);
    let shown: std::collections::BTreeMap<&str, &str> = form
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    let values = values_of(&original);
    for (path, value) in &values {
        if path == "template" {
            continue;
        }
        assert_eq!(
            shown.get(path.as_str()).copied(),
            Some(value.as_str()),
            "{file}: {path} is not shown as the file has it"
        );
    }
    let version = version_of(&page);
    let save = |fields: serde_json::Value| {
        let body = serde_json::json!({ "fields": fields, "version": version });
        let (status, answer) = d.post(&format!("/api/save/{file}"), &body.to_string());
        assert_eq!(status, 200, "{file}: {fields} {answer}");
        std::fs::read_to_string(dir.join(file)).unwrap()
    };
    assert_eq!(
        save(serde_json::json!({})),
        original,
        "{file} saved unchanged"
    );
    let all: serde_json::Map<String, serde_json::Value> = form
        .iter()
        .map(|f| (f.name.clone(), f.value.clone().into()))
        .collect();
    assert_eq!(
        save(all.into()),
        original,
        "{file}: every field sent back as shown"
    );
    for f in &form {
        // What is typed, and the value the file then holds (None: the key
        // is taken out).
        let (typed, held) = match f.kind {
            "checkbox" => {
                let flipped = (f.value != "true").to_string();
                (flipped.clone(), Some(flipped))
            }
            "select" => match f.options.iter().find(|o| **o != f.value) {
                Some(o) if o.is_empty() => (String::new(), None),
                Some(o) => (o.clone(), Some(o.clone())),
                None => continue,
            },
            _ if f.class.contains("date") => ("2026年1月20日".into(), Some("2026-01-20".into())),
            _ if f.class.contains("num") => ("７".into(), Some("7".into())),
            _ => {
                let t = format!("{}改", f.value);
                (t.clone(), Some(t))
            }
        };
        let after = save(serde_json::json!({ &f.name: typed }));
        let mut want = values.clone();
        match &held {
            Some(v) => drop(want.insert(f.name.clone(), v.clone())),
            None => drop(want.remove(&f.name)),
        }
        assert_eq!(values_of(&after), want, "{file}: {} changed alone", f.name);
        if values.contains_key(&f.name) && held.is_some() {
            let changed = original
                .lines()
                .zip(after.lines())
                .filter(|(a, b)| a != b)
                .count();
            assert!(
                original.lines().count() == after.lines().count() && changed == 1,
                "{file}: {} rewrote more than its line:\n{after}",
                f.name
            );
        }
        std::fs::write(dir.join(file), &original).unwrap();
    }
}

/// 通知, 函 and 纪要 as `gongwen new` writes them, with headings, 小标题
/// and annexes, and a template of the folder with its own schema.
#[test]
fn every_field_of_every_kind_round_trips() {
    // A JSON data file too: the same form, written back as JSON.
    for file in [
        "notice.toml",
        "letter.toml",
        "minutes.toml",
        "order.toml",
        "order-stamp.toml",
        "xize.toml",
        "letter.json",
        "joint-eight.toml",
        "letter-tables.toml",
        "letter-landscape.toml",
    ] {
        let dir = scratch(&format!("serve-kind-{file}"));
        std::fs::copy(format!("tests/fixtures/kinds/{file}"), dir.join(file)).unwrap();
        std::fs::copy("tests/fixtures/kinds/seal.png", dir.join("seal.png")).unwrap();
        std::fs::copy("tests/fixtures/kinds/stamp.svg", dir.join("stamp.svg")).unwrap();
        common::copy_joint_seals(&dir);
        let d = desk(&dir);
        round_trips(&d, &dir, file);
    }
    let dir = scratch("serve-kind-schema");
    let fixtures = std::path::Path::new("tests/fixtures/schema");
    std::fs::copy(fixtures.join("bulletin.toml"), dir.join("bulletin.toml")).unwrap();
    std::fs::create_dir(dir.join("bulletin")).unwrap();
    for f in ["report.html", "schema.json", "template.toml"] {
        std::fs::copy(
            fixtures.join("bulletin").join(f),
            dir.join("bulletin").join(f),
        )
        .unwrap();
    }
    let d = desk(&dir);
    round_trips(&d, &dir, "bulletin.toml");
}

/// A 令's 签名章 is chosen from the folder's pictures like a seal, and
/// only a picture of the folder is taken for it.
#[test]
fn a_stamp_is_chosen_like_a_seal() {
    let dir = scratch("serve-stamp");
    let file = "order-stamp.toml";
    std::fs::copy(format!("tests/fixtures/kinds/{file}"), dir.join(file)).unwrap();
    std::fs::copy("tests/fixtures/kinds/stamp.svg", dir.join("stamp.svg")).unwrap();
    let d = desk(&dir);
    let page = String::from_utf8(d.exchange(Req::get(&format!("/edit/{file}")))).unwrap();
    assert!(
        page.contains("<select name=\"stamp\" data-label=\"签名章\">")
            && page.contains("<option value=\"stamp.svg\" selected>stamp.svg</option>")
            && page.contains("（不盖签名章）"),
        "the stamp is a picture chooser"
    );
    let (status, body) = d.post(
        &format!("/api/check/{file}"),
        r#"{"fields":{"stamp":"/etc/passwd"}}"#,
    );
    assert_ne!(status, 200, "{body}");
}

/// A data file's keys and values are text in the page, never markup: a
/// key written as a tag, a form or a base stays text, and the page's
/// policy allows forms to post only to the desk and no base address.
#[test]
fn keys_and_values_are_escaped() {
    let dir = scratch("serve-escaped");
    let text = std::fs::read_to_string("tests/fixtures/kinds/notice.toml")
        .unwrap()
        .replacen(
            "template = \"notice\"\n",
            "template = \"notice\"\n\"<b id=x>键</b>\" = \"<form action=//evil.example><base href=//evil.example>\"\n",
            1,
        );
    std::fs::write(dir.join("n.toml"), &text).unwrap();
    let d = desk(&dir);
    let raw = String::from_utf8(d.exchange(Req::get("/edit/n.toml"))).unwrap();
    let (head, page) = raw.split_once("\r\n\r\n").unwrap();
    for markup in ["<b id=x>", "<form action=//evil", "<base href"] {
        assert!(!page.contains(markup), "{markup} is markup in the page");
    }
    assert!(
        page.contains("&lt;b id=x&gt;键&lt;/b&gt;"),
        "the key is shown"
    );
    assert!(
        page.contains("&lt;form action=//evil.example&gt;"),
        "the value is shown"
    );
    let csp = head
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("content-security-policy:")
        })
        .unwrap_or_else(|| panic!("no policy in {head}"));
    assert!(
        csp.contains("form-action 'self'") && csp.contains("base-uri 'none'"),
        "{csp}"
    );
}

/// A C1 error in a report begun from last year's file marks the 上年结转
/// cell filled in from that file too, with a hint saying why; in a report
/// typed from scratch only the 本年新收 cell is marked.
#[test]
fn a_c1_error_from_last_year_marks_the_carried_over_cell() {
    let dir = folder("carried");
    let d = desk(&dir);
    let (status, body) = d.post(
        "/api/new",
        r#"{"file":"2026.toml","from":"qinghe-market-2025.toml"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let c1 = |file: &str| -> Vec<serde_json::Value> {
        let (_, body) = d.post(
            &format!("/api/check/{file}"),
            r#"{"fields":{"applications.new.0":"999"}}"#,
        );
        json(&body)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["message"].as_str().unwrap().contains("（C1）"))
            .filter(|d| d["field"] == "applications.new.0")
            .cloned()
            .collect()
    };
    let next = c1("2026.toml");
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(
        next[0]["also"],
        serde_json::json!(["applications.carried_over.0"])
    );
    assert!(
        next[0]["hints"].to_string().contains("据上一年度文件填入"),
        "{next:?}"
    );
    let typed = c1("qinghe-market-2025.toml");
    assert_eq!(typed.len(), 1, "{typed:?}");
    assert!(typed[0].get("also").is_none(), "{typed:?}");
}

/// A seal picture sent from the page goes into the folder under its own
/// name, once it reads as a picture, never over a file already there; a
/// seal can then name it, and nothing outside the folder.
#[test]
fn seal_pictures_sent_into_the_folder() {
    let dir = scratch("serve-seal");
    std::fs::copy("tests/fixtures/kinds/letter.toml", dir.join("letter.toml")).unwrap();
    std::fs::write(dir.join("old.png"), b"kept").unwrap();
    let d = desk(&dir);
    let png = std::fs::read("tests/fixtures/kinds/seal.png").unwrap();
    let send = |name: &str, bytes: &[u8]| {
        d.send(Req {
            method: "POST",
            path: &format!("/api/picture/{name}"),
            host: None,
            headers: vec![
                ("X-Gongwen-Token", d.token.clone()),
                ("Origin", format!("http://{}", d.host())),
                ("Content-Type", "application/octet-stream".into()),
            ],
            body: bytes.to_vec(),
            cookie: true,
        })
    };
    let (status, body) = send("%E5%8D%B0%E7%AB%A0.png", &png);
    assert_eq!(status, 200, "{body}");
    assert_eq!(std::fs::read(dir.join("印章.png")).unwrap(), png);
    let (status, body) = send("old.png", &png);
    assert_eq!(status, 409, "{body}");
    assert_eq!(std::fs::read(dir.join("old.png")).unwrap(), b"kept");
    let (status, body) = send("fake.png", b"not a picture");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("不能用作印章"), "{body}");
    assert!(!dir.join("fake.png").exists());
    for bad in ["..%2Fx.png", "x.toml", ".x.png"] {
        let (status, _) = send(bad, &png);
        assert!(status == 422 || status == 404, "{bad}: {status}");
    }
    let (_, page) = d.get("/edit/letter.toml");
    assert!(
        page.contains("<option value=\"印章.png\">印章.png</option>"),
        "the list offers it"
    );
    let version = common::desk::version_of(&page);
    let save = |seal: &str| {
        d.post(
            "/api/save/letter.toml",
            &serde_json::json!({ "fields": { "seal": seal }, "version": version }).to_string(),
        )
    };
    for bad in ["/etc/passwd", "../seal.png", "letter.toml"] {
        let (status, body) = save(bad);
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, body) = save("印章.png");
    assert_eq!(status, 200, "{body}");
    let text = std::fs::read_to_string(dir.join("letter.toml")).unwrap();
    assert!(text.contains("\nseal = \"印章.png\"\n"), "{text}");
}

/// A count typed the way it is said or printed gets a hint saying what
/// to remove, in the report's tables and in a schema form alike.
#[test]
fn counts_typed_as_text_say_what_to_remove() {
    let dir = folder("counts");
    let fixtures = std::path::Path::new("tests/fixtures/schema");
    std::fs::copy(fixtures.join("bulletin.toml"), dir.join("bulletin.toml")).unwrap();
    std::fs::create_dir(dir.join("bulletin")).unwrap();
    for f in ["report.html", "schema.json", "template.toml"] {
        std::fs::copy(
            fixtures.join("bulletin").join(f),
            dir.join("bulletin").join(f),
        )
        .unwrap();
    }
    let d = desk(&dir);
    for (file, field, typed, hint) in [
        (
            "qinghe-market-2025.toml",
            "applications.new.0",
            "15件",
            "只填数字 15：去掉单位「件」",
        ),
        (
            "qinghe-market-2025.toml",
            "active.licensing",
            "1，086",
            "只填数字 1086：去掉千位分隔符或空格「，」",
        ),
        (
            "bulletin.toml",
            "rows.0.received",
            "1,086",
            "只填数字 1086：去掉千位分隔符或空格「,」",
        ),
    ] {
        let body = serde_json::json!({ "fields": { field: typed } }).to_string();
        let (_, answer) = d.post(&format!("/api/check/{file}"), &body);
        let v = json(&answer);
        let at: Vec<&serde_json::Value> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["field"] == field && d["severity"] == "error")
            .collect();
        assert_eq!(at.len(), 1, "{file} {typed}: {answer}");
        assert!(
            at[0]["hints"].as_array().unwrap().iter().any(|h| h == hint),
            "{file} {typed}: {answer}"
        );
    }
}

/// The list page makes a 通知, 函 or 纪要: the example `gongwen new
/// --template` writes, which opens as a form; another kind is refused.
#[test]
fn new_documents_of_each_kind() {
    let dir = scratch("serve-new-kinds");
    let d = desk(&dir);
    for (kind, file) in [
        ("notice", "关于放假的通知"),
        ("letter", "商请函.toml"),
        ("minutes", "会议纪要"),
    ] {
        let body = serde_json::json!({ "kind": kind, "file": file }).to_string();
        let (status, answer) = d.post("/api/new", &body);
        assert_eq!(status, 200, "{kind}: {answer}");
        let name = if file.ends_with(".toml") {
            file.to_string()
        } else {
            format!("{file}.toml")
        };
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        assert!(text.contains(&format!("template = \"{kind}\"")), "{text}");
        let (status, page) = d.get(json(&answer)["url"].as_str().unwrap());
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("name=\"title\""),
            "{kind}: the form has its title"
        );
        let (status, again) = d.post("/api/new", &body);
        assert_eq!(status, 409, "{again}");
    }
    let (status, answer) = d.post("/api/new", r#"{"kind":"../notice","file":"x"}"#);
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("文种应为"), "{answer}");
}

/// A report no one has begun (as 新建 wrote it, or begun from last year's
/// file) passes the check with a warning like a nearly finished one; the
/// list says it is not begun, and stops saying so once a count is typed.
#[test]
fn the_list_tells_an_untouched_report_from_a_begun_one() {
    let dir = folder("untouched");
    let d = desk(&dir);
    for body in [
        r#"{"format":"2021","agency":"某某街道办事处","year":"2025","file":"skeleton.toml"}"#,
        r#"{"from":"qinghe-market-2025.toml","file":"next.toml"}"#,
    ] {
        let (status, answer) = d.post("/api/new", body);
        assert_eq!(status, 200, "{answer}");
    }
    let row = |page: &str, file: &str| -> String {
        let at = page.find(&format!("<tr data-file=\"{file}\">")).unwrap();
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    let (_, page) = d.get("/");
    for file in ["skeleton.toml", "next.toml"] {
        assert!(row(&page, file).contains("未开始"), "{}", row(&page, file));
    }
    assert!(!row(&page, "qinghe-market-2025.toml").contains("未开始"));
    let (_, form) = d.get("/edit/skeleton.toml");
    let version = common::desk::version_of(&form);
    let body = serde_json::json!({
        "fields": { "applications.new.0": "3", "applications.disclosed.0": "3" },
        "version": version,
    });
    let (status, answer) = d.post("/api/save/skeleton.toml", &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let (_, page) = d.get("/");
    assert!(
        !row(&page, "skeleton.toml").contains("未开始"),
        "{}",
        row(&page, "skeleton.toml")
    );
}

/// A message of a 通知's check names other fields by their labels in the
/// form, never by the data file's keys the clerk does not see.
#[test]
fn messages_name_fields_by_their_labels() {
    let dir = scratch("serve-labels");
    std::fs::copy("tests/fixtures/kinds/notice.toml", dir.join("notice.toml")).unwrap();
    let d = desk(&dir);
    let (_, answer) = d.post("/api/check/notice.toml", r#"{"fields":{"issuer":""}}"#);
    let v = json(&answer);
    let at: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["field"] == "issuer")
        .collect();
    assert_eq!(at.len(), 1, "{answer}");
    let said = at[0].to_string();
    assert!(said.contains("「标志后缀」"), "{said}");
    assert!(!said.contains("issuer_suffix"), "{said}");
}

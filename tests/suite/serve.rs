//! `gongwen serve` through the binary, over HTTP: the safety rules (a
//! foreign `Host`, a cross-origin or token-less write, traversal and links
//! out of the folder, bounded bodies, a stale save) each refused with its
//! message; a check puts each message at its field; a save keeps the
//! file's comments and changes only what was typed; new reports and
//! downloads come from the same code as `new` and `render`.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::cli::scratch;

struct Desk {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
    port: u16,
    token: String,
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn desk(dir: &std::path::Path) -> Desk {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", dir.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let mut d = Desk {
        child,
        _stdout: stdout,
        port,
        token: String::new(),
    };
    let (_, page) = d.get("/");
    let marker = "gongwen-token\" content=\"";
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("token in the page: {page}"))
        + marker.len();
    d.token = page[at..at + 32].to_string();
    d
}

struct Req<'a> {
    method: &'a str,
    path: &'a str,
    host: Option<String>,
    headers: Vec<(&'a str, String)>,
    body: Vec<u8>,
}

impl Desk {
    fn send(&self, r: Req<'_>) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let host = r.host.unwrap_or_else(|| format!("127.0.0.1:{}", self.port));
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            r.method,
            r.path,
            r.body.len()
        );
        for (k, v) in &r.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        let _ = s.write_all(&r.body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.send(Req {
            method: "GET",
            path,
            host: None,
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    fn post(&self, path: &str, json: &str) -> (u16, String) {
        self.send(Req {
            method: "POST",
            path,
            host: None,
            headers: vec![
                ("X-Gongwen-Token", self.token.clone()),
                ("Origin", format!("http://127.0.0.1:{}", self.port)),
                ("Content-Type", "application/json".into()),
            ],
            body: json.as_bytes().to_vec(),
        })
    }
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

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn refuses_foreign_hosts_and_cross_origin_writes() {
    let dir = folder("guard");
    let d = desk(&dir);
    // DNS rebinding: the page asked for by another name.
    let (status, body) = d.send(Req {
        method: "GET",
        path: "/",
        host: Some("evil.example".into()),
        headers: Vec::new(),
        body: Vec::new(),
    });
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Host（evil.example）不是本服务的地址"),
        "{body}"
    );
    let check = "/api/check/qinghe-market-2025.toml";
    let save = "/api/save/qinghe-market-2025.toml";
    for (origin, token, want) in [
        (
            Some("http://evil.example"),
            Some(d.token.clone()),
            "来自其他网站（http://evil.example）",
        ),
        (None, None, "没有带本次会话的令牌"),
        (None, Some("0".repeat(32)), "没有带本次会话的令牌"),
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
            ("Sec-Fetch-Site", "cross-site".into()),
        ],
        body: b"{}".to_vec(),
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
    let at = page.find("data-version=\"").unwrap() + 14;
    let version = &page[at..at + page[at..].find('"').unwrap()];
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

    let mut s = TcpStream::connect(("127.0.0.1", d.port)).unwrap();
    write!(
        s,
        "GET /download/qinghe-market-2025.toml.pdf HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        d.port
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
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
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["total", "rows.0.closed"], "{body}");
    assert_eq!(v["pages"].as_array().unwrap().len(), 1);
}

#[test]
fn another_address_needs_the_printed_token() {
    let dir = folder("remote");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args([
            "serve",
            dir.to_str().unwrap(),
            "--port",
            "0",
            "--listen",
            "127.0.0.2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .split_once("http://")
        .map(|(_, u)| u.to_string())
        .unwrap();
    let (host, rest) = url.split_once('/').unwrap();
    let token = rest
        .strip_prefix("?token=")
        .expect("the link carries the token");
    let port: u16 = host.rsplit(':').next().unwrap().parse().unwrap();
    let ask = |path: &str, cookie: Option<&str>| -> String {
        let mut s = TcpStream::connect(("127.0.0.2", port)).unwrap();
        let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        let _ = s.read_to_string(&mut raw);
        raw
    };
    let refused = ask("/", None);
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert!(refused.contains("需要访问令牌"), "{refused}");
    assert!(ask(&format!("/?token={}", "0".repeat(32)), None).starts_with("HTTP/1.1 403"));
    let link = ask(&format!("/?token={token}"), None);
    assert!(link.starts_with("HTTP/1.1 303"), "{link}");
    assert!(
        link.contains(&format!("gongwen_token={token}; HttpOnly; SameSite=Strict")),
        "{link}"
    );
    let page = ask("/", Some(&format!("gongwen_token={token}")));
    assert!(
        page.starts_with("HTTP/1.1 200") && page.contains("qinghe-market-2025.toml"),
        "{page}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

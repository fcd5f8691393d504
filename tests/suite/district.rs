//! `gongwen serve --district` through the binary, over real sockets: a
//! clerk logs in and sees only the unit's own folder (another unit's files,
//! history and the 公开办's routes refused however they are named), saves
//! are recorded with what changed and restore byte for byte, the states
//! go 填写中 → 已提交 → 已退回 (with the comment the clerk sees) → 已提交 →
//! 已通过, and the 公开办 sums the passed units and downloads their files.
//! Logins survive a restart. Five failed logins lock a name (one without an
//! account too, in the same words) until `user reset` or 15 minutes, twenty
//! lock a client address, and each failure is logged. A bounded load test
//! has 150 units' clerks saving at once and reports the p95 latency.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::scratch;

const SAMPLE: &str = "samples/qinghe-market-2025.toml";
const PASSWORD: &str = "correct horse 42";

struct Server {
    child: Child,
    _out: BufReader<std::process::ChildStdout>,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

fn user(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["user"])
        .args(args)
        .args(["--district", dir.to_str().unwrap(), "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `disable` reads no password and may have ended already.
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn start(dir: &Path) -> Server {
    start_on(dir, 0)
}

fn start_on(dir: &Path, port: u16) -> Server {
    launch(dir, port, &[], Stdio::null())
}

/// A server with more options, its log (standard error) kept in `log`.
fn start_logged(dir: &Path, args: &[&str], log: &Path) -> Server {
    launch(dir, 0, args, std::fs::File::create(log).unwrap().into())
}

fn launch(dir: &Path, port: u16, args: &[&str], log: Stdio) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", "--district", dir.to_str().unwrap(), "--port"])
        .arg(port.to_string())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    // The address carries no token: bookmarks keep working.
    assert!(!first.contains("token"), "{first}");
    let port = first
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no link in {first:?}"));
    Server {
        child,
        _out: out,
        port,
    }
}

impl Server {
    fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        // As a browser sends it: what is not ASCII, percent-encoded.
        let path: String = path
            .bytes()
            .map(|b| {
                if b.is_ascii() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        if let Some(c) = cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        if method == "POST" {
            head.push_str(&format!("Origin: http://127.0.0.1:{}\r\n", self.port));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let at = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        let head = String::from_utf8_lossy(&raw[..at]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Answer {
            status,
            head,
            body: raw.get(at + 4..).unwrap_or_default().to_vec(),
        }
    }

    fn get(&self, path: &str, cookie: &Login) -> Answer {
        self.send("GET", path, Some(&cookie.cookie), &[], b"")
    }

    /// An HTML form posted from the desk's page: its token in the body.
    fn form(&self, path: &str, who: &Login, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("token={}", who.csrf);
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", encode(v)));
        }
        self.send(
            "POST",
            path,
            Some(&who.cookie),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
    }

    /// A JSON write as the desk's script sends it.
    fn api(&self, path: &str, who: &Login, json: &str) -> Answer {
        self.send(
            "POST",
            path,
            Some(&who.cookie),
            &[
                ("Content-Type", "application/json"),
                ("X-Gongwen-Token", &who.csrf),
            ],
            json.as_bytes(),
        )
    }

    /// The login form posted, with more headers (a proxy's).
    fn try_login(&self, name: &str, password: &str, headers: &[(&str, &str)]) -> Answer {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        self.send(
            "POST",
            "/login",
            None,
            &h,
            format!("name={}&password={}", encode(name), encode(password)).as_bytes(),
        )
    }

    fn login(&self, name: &str) -> Login {
        let a = self.try_login(name, PASSWORD, &[]);
        assert_eq!(a.status, 303, "{}", a.text());
        let set = a.header("set-cookie").unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let mut login = Login {
            cookie,
            csrf: String::new(),
        };
        let page = self.get("/", &login).text();
        login.csrf = meta_token(&page);
        login
    }
}

struct Login {
    cookie: String,
    csrf: String,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn meta_token(page: &str) -> String {
    let at = page.find("name=\"gongwen-token\" content=\"").unwrap() + 30;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

fn version_of(page: &str) -> String {
    let at = page.find("data-version=\"").unwrap() + 14;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

fn save(s: &Server, who: &Login, field: &str, value: &str) -> Answer {
    let page = s.get("/edit/report.toml", who).text();
    let body = serde_json::json!({
        "fields": { field: value },
        "version": version_of(&page),
    });
    s.api("/api/save/report.toml", who, &body.to_string())
}

fn district(name: &str, units: &[&str]) -> PathBuf {
    let dir = scratch(&format!("district-{name}"));
    for u in units {
        std::fs::create_dir_all(dir.join(u)).unwrap();
        std::fs::copy(SAMPLE, dir.join(u).join("report.toml")).unwrap();
    }
    dir
}

fn state_of(page: &str, unit: &str) -> String {
    let row = &page[page
        .find(&format!("<tr data-unit=\"{unit}\">"))
        .unwrap_or_else(|| panic!("{unit} not listed: {page}"))..];
    let at = row.find("class=\"unit-state\">").unwrap() + 19;
    row[at..at + row[at..].find('<').unwrap()].to_string()
}

#[test]
fn units_see_only_their_own_report_and_the_office_sees_every_state() {
    let dir = district("flow", &["甲街道", "乙局"]);
    assert!(user(&dir, &["add", "alice", "--unit", "甲街道"]).0);
    assert!(user(&dir, &["add", "bob", "--unit", "乙局"]).0);
    assert!(user(&dir, &["add", "gkb", "--office"]).0);
    let (ok, said) = user(&dir, &["add", "alice", "--unit", "甲街道"]);
    assert!(!ok && said.contains("已有账号「alice」"), "{said}");
    let s = start(&dir);

    // No login: pages lead to the login page, the API is refused.
    let a = s.send("GET", "/edit/report.toml", None, &[], b"");
    assert_eq!(
        (a.status, a.header("location").as_deref()),
        (303, Some("/login"))
    );
    let a = s.send("POST", "/api/save/report.toml", None, &[], b"{}");
    assert_eq!(a.status, 401);
    assert!(a.text().contains("请先登录"), "{}", a.text());
    let a = s.try_login("alice", "wrong", &[]);
    assert_eq!(a.status, 403);
    assert!(a.text().contains("用户名或密码不对"));

    let alice = s.login("alice");
    let bob = s.login("bob");
    let page = s.get("/", &alice).text();
    assert!(
        page.contains("alice（甲街道）") && page.contains("report.toml"),
        "{page}"
    );
    assert!(
        !page.contains(dir.to_str().unwrap()),
        "the server's path is shown"
    );
    assert_eq!(s.get("/edit/report.toml", &alice).status, 200);

    // Saves are recorded with the key paths they changed.
    let before = std::fs::read(dir.join("甲街道/report.toml")).unwrap();
    assert_eq!(save(&s, &alice, "agency", "甲街道办事处").status, 200);
    let first = std::fs::read(dir.join("甲街道/report.toml")).unwrap();
    assert_eq!(save(&s, &alice, "agency", "甲街道办事处（改）").status, 200);
    assert_eq!(save(&s, &bob, "agency", "乙局本局").status, 200);
    let history = s.get("/history", &alice).text();
    assert!(
        history.contains("<td class=\"changed\">agency</td>"),
        "{history}"
    );
    assert!(!history.contains("乙局本局"));
    let ids: Vec<i64> = history
        .match_indices("<tr data-version=\"")
        .map(|(i, _)| {
            let rest = &history[i + 18..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 2, "{history}");
    let bobs = s.get("/history", &bob).text();
    let bob_id = &bobs[bobs.find("<tr data-version=\"").unwrap() + 18..];
    let bob_id = &bob_id[..bob_id.find('"').unwrap()];

    // Another unit's file, history or the office's routes: refused, in
    // Chinese, however they are named.
    for path in [
        "/edit/..%2F乙局%2Freport.toml".to_string(),
        "/edit/../乙局/report.toml".into(),
        "/download/..%2F乙局%2Freport.toml.pdf".into(),
        format!("/history/{bob_id}"),
        "/office/view/乙局".into(),
        "/office/zip".into(),
    ] {
        let a = s.get(&path, &alice);
        assert!(matches!(a.status, 403 | 404), "{path}: {}", a.status);
        assert!(!a.text().contains("乙局本局"), "{path}");
        assert!(
            a.text()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{path}: {}",
            a.text()
        );
    }
    for path in [
        "/api/save/..%2F乙局%2Freport.toml",
        "/api/check/..%2F乙局%2Freport.toml",
        "/office/pass/乙局",
    ] {
        let a = s.api(path, &alice, r#"{"fields":{"agency":"x"},"version":"v"}"#);
        assert!(matches!(a.status, 403 | 404), "{path}: {}", a.status);
    }
    // A write without this login's token is refused.
    let a = s.send(
        "POST",
        "/api/save/report.toml",
        Some(&alice.cookie),
        &[("X-Gongwen-Token", &bob.csrf)],
        b"{}",
    );
    assert_eq!(a.status, 403);
    assert!(std::fs::read_to_string(dir.join("乙局/report.toml"))
        .unwrap()
        .contains("乙局本局"));

    // Restore: the earlier version again, byte for byte, as a new save.
    let a = s.form(&format!("/district/restore/{}", ids[1]), &alice, &[]);
    assert_eq!(a.status, 303, "{}", a.text());
    assert_eq!(
        std::fs::read(dir.join("甲街道/report.toml")).unwrap(),
        first
    );
    let shown = s.get(&format!("/history/{}", ids[1]), &alice).text();
    assert!(
        shown.contains("agency = &quot;甲街道办事处&quot;"),
        "{shown}"
    );
    assert_ne!(first, before);

    // 提交 → the office sees it; 退回 with a comment → the clerk sees it.
    assert_eq!(s.form("/district/submit", &alice, &[]).status, 303);
    let a = save(&s, &alice, "agency", "改不了");
    assert_eq!(a.status, 403);
    assert!(a.text().contains("已提交"), "{}", a.text());
    let office = s.login("gkb");
    let page = s.get("/", &office).text();
    assert_eq!(state_of(&page, "甲街道"), "已提交");
    assert_eq!(state_of(&page, "乙局"), "填写中");
    assert!(page.contains("alice，"), "{page}");
    // The office opens a unit's report read-only.
    assert_eq!(s.get("/office/view/乙局", &office).status, 303);
    let listed = s.get("/", &office).text();
    assert!(listed.contains("正在查看「乙局」（只读）"), "{listed}");
    let form = s.get("/edit/report.toml", &office);
    assert_eq!(form.status, 200);
    assert!(form.text().contains("<body class=\"read-only\">"));
    let a = save(&s, &office, "agency", "公开办改的");
    assert_eq!(a.status, 403);
    assert!(a.text().contains("公开办只能查看"), "{}", a.text());
    assert_eq!(s.get("/office", &office).status, 303);
    let a = s.form(
        "/office/return/甲街道",
        &office,
        &[("comment", "表三第一行请核对")],
    );
    assert_eq!(a.status, 303);
    let page = s.get("/", &alice).text();
    assert!(page.contains("公开办退回意见：表三第一行请核对"), "{page}");
    assert_eq!(save(&s, &alice, "agency", "甲街道办事处").status, 200);
    assert_eq!(s.form("/district/submit", &alice, &[]).status, 303);
    assert_eq!(s.form("/district/submit", &bob, &[]).status, 303);
    // Only a submitted unit can pass.
    for unit in ["甲街道", "乙局"] {
        let a = s.form(&format!("/office/pass/{}", encode(unit)), &office, &[]);
        assert_eq!(a.status, 303, "{}", a.text());
    }
    let page = s.get("/", &office).text();
    assert_eq!(state_of(&page, "甲街道"), "已通过");

    // 汇总: the passed units' tables added up.
    let a = s.form("/office/sum", &office, &[("agency", "青溪区人民政府")]);
    assert_eq!(a.status, 200, "{}", a.text());
    let summed: toml::Value = toml::from_str(&a.text()).unwrap();
    let one: toml::Value = toml::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    let new = |v: &toml::Value| -> Vec<i64> {
        v["applications"]["new"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_integer().unwrap())
            .collect()
    };
    assert_eq!(
        new(&summed),
        new(&one).iter().map(|x| x * 2).collect::<Vec<_>>()
    );
    assert!(a.text().contains("汇总自 2 个单位"), "{}", a.text());
    assert_eq!(
        std::fs::read_to_string(dir.join("汇总.toml")).unwrap(),
        a.text()
    );
    // A passed unit whose file was broken since is named, nothing summed.
    std::fs::write(dir.join("乙局/report.toml"), "agency = [").unwrap();
    let a = s.form("/office/sum", &office, &[("agency", "青溪区人民政府")]);
    assert_eq!(a.status, 409);
    assert!(a.text().contains("乙局（report.toml）"), "{}", a.text());
    std::fs::copy(SAMPLE, dir.join("乙局/report.toml")).unwrap();

    // Every passed unit's PDF and DOCX, one zip.
    let a = s.get("/office/zip", &office);
    assert_eq!(a.status, 200);
    assert!(a.body.starts_with(b"PK"));
    for name in ["甲街道/report.pdf", "甲街道/report.docx", "乙局/report.pdf"] {
        assert!(
            a.body.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} not in the zip"
        );
    }

    // A copy of the records while the desk runs, and none over a file.
    let copy = dir.with_extension("backup.sqlite");
    let _ = std::fs::remove_file(&copy);
    let backup = |to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_gongwen"))
            .args([
                "backup",
                "--district",
                dir.to_str().unwrap(),
                to.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    assert!(backup(&copy).status.success());
    assert!(std::fs::read(&copy)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
    let again = backup(&copy);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("已存在，未覆盖"));
    let _ = std::fs::remove_file(&copy);

    // Logins survive a restart (on the same address); logout ends one.
    let port = s.port;
    drop(s);
    let s = start_on(&dir, port);
    assert_eq!(s.get("/", &alice).status, 200);
    assert_eq!(s.form("/logout", &alice, &[]).status, 303);
    assert_eq!(s.get("/", &alice).status, 303);
    // A disabled account cannot log in, and its login ends.
    assert!(user(&dir, &["disable", "bob"]).0);
    assert_eq!(s.get("/", &bob).status, 303);
}

/// The message a login page shows.
fn login_message(a: &Answer) -> String {
    let page = a.text();
    let mark = "id=\"login-message\">";
    let at = page
        .find(mark)
        .unwrap_or_else(|| panic!("no message: {page}"))
        + mark.len();
    page[at..at + page[at..].find('<').unwrap()].to_string()
}

fn wrong(a: &Answer) {
    assert_eq!(a.status, 403, "{}", a.text());
    assert_eq!(login_message(a), "用户名或密码不对，或账号已停用");
}

/// Refused for too many failures: the wait said in minutes, the way out
/// named.
fn locked_out(a: &Answer) -> String {
    assert_eq!(a.status, 429, "{}", a.text());
    let said = login_message(a);
    assert_eq!(
        said,
        "登录失败次数过多，请 15 分钟后再试；忘记密码请联系公开办，用 gongwen user reset 重设"
    );
    let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((14 * 60..=15 * 60).contains(&wait), "{wait}");
    said
}

#[test]
fn six_wrong_passwords_lock_an_account_until_it_is_reset() {
    let dir = district("lockout", &["甲街道"]);
    assert!(user(&dir, &["add", "alice", "--unit", "甲街道"]).0);
    assert!(user(&dir, &["add", "bob", "--unit", "甲街道"]).0);
    let log = dir.join("serve.log");
    let s = start_logged(&dir, &[], &log);

    for _ in 0..5 {
        wrong(&s.try_login("alice", "wrong password", &[]));
    }
    let said = locked_out(&s.try_login("alice", "wrong password", &[]));
    // Even the right password: the lock is on the name.
    locked_out(&s.try_login("alice", PASSWORD, &[]));
    // A name no account has is locked the same way, in the same words.
    for _ in 0..5 {
        wrong(&s.try_login("nobody", PASSWORD, &[]));
    }
    assert_eq!(locked_out(&s.try_login("nobody", PASSWORD, &[])), said);
    // Other accounts from the same address log in.
    s.login("bob");

    let (ok, told) = user(&dir, &["reset", "alice"]);
    assert!(ok && told.contains("暂停也已解除"), "{told}");
    s.login("alice");
    locked_out(&s.try_login("nobody", PASSWORD, &[]));

    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        logged
            .matches("登录失败：账号「alice」，来自 127.0.0.1")
            .count(),
        5,
        "{logged}"
    );
    assert!(
        logged.contains("「alice」，来自 127.0.0.1；该账号 15 分钟内失败 5 次，暂停登录 15 分钟"),
        "{logged}"
    );
    assert_eq!(logged.matches("「nobody」").count(), 5, "{logged}");
}

#[test]
fn a_right_password_after_four_failures_logs_in_and_starts_the_count_afresh() {
    let dir = district("afresh", &["甲街道"]);
    assert!(user(&dir, &["add", "alice", "--unit", "甲街道"]).0);
    let s = start(&dir);
    for _ in 0..4 {
        wrong(&s.try_login("alice", "wrong password", &[]));
    }
    s.login("alice");
    for _ in 0..5 {
        wrong(&s.try_login("alice", "wrong password", &[]));
    }
    locked_out(&s.try_login("alice", PASSWORD, &[]));
}

/// Twenty failures from one client, each with another name, lock the
/// client out; behind the trusted proxy the client is the address it
/// forwards, the last one (what the client wrote before it is its own
/// word).
#[test]
fn one_address_is_refused_after_twenty_failures_across_names() {
    let dir = district("address", &["甲街道"]);
    assert!(user(&dir, &["add", "alice", "--unit", "甲街道"]).0);
    let log = dir.join("serve.log");
    let s = start_logged(&dir, &["--proxy", "127.0.0.1"], &log);
    let from = |ip| [("X-Forwarded-For", ip)];
    for i in 0..20 {
        wrong(&s.try_login(&format!("guess{i}"), "wrong password", &from("192.0.2.7")));
    }
    locked_out(&s.try_login("alice", PASSWORD, &from("192.0.2.7")));
    locked_out(&s.try_login("alice", PASSWORD, &from("192.0.2.8, 192.0.2.7")));
    assert_eq!(
        s.try_login("alice", PASSWORD, &from("192.0.2.8")).status,
        303
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains(
            "「guess19」，来自 192.0.2.7；该地址 15 分钟内失败 20 次，暂停其登录 15 分钟"
        ),
        "{logged}"
    );
}

/// A script adding a district's accounts several at a time on a new
/// folder: each `user add` waits for the others instead of failing on a
/// record file that is being set up.
#[test]
fn accounts_added_at_once_to_a_new_district_all_succeed() {
    for round in 0..12 {
        let units: Vec<String> = (0..8).map(|i| format!("单位{i}")).collect();
        let names: Vec<&str> = units.iter().map(String::as_str).collect();
        let dir = district(&format!("at-once-{round}"), &names);
        let failures: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = units
                .iter()
                .map(|u| {
                    let dir = &dir;
                    scope.spawn(move || user(dir, &["add", &format!("c-{u}"), "--unit", u]))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|(ok, _)| !ok)
                .map(|(_, said)| said)
                .collect()
        });
        assert!(failures.is_empty(), "{failures:?}");
    }
}

/// 150 units' clerks saving at once, 16 at a time: every save written and
/// in the history; the p95 latency printed.
#[test]
fn a_hundred_and_fifty_units_save_at_once() {
    let units: Vec<String> = (0..150).map(|i| format!("单位{i:03}")).collect();
    let names: Vec<&str> = units.iter().map(String::as_str).collect();
    let dir = district("load", &names);
    std::thread::scope(|scope| {
        for chunk in units.chunks(19) {
            let dir = &dir;
            scope.spawn(move || {
                for (i, u) in chunk.iter().enumerate() {
                    let name = format!("u{}-{i}", &u[u.len() - 3..]);
                    assert!(user(dir, &["add", &name, "--unit", u]).0);
                }
            });
        }
    });
    let s = start(&dir);
    let logins: Vec<Login> = std::thread::scope(|scope| {
        let handles: Vec<_> = units
            .chunks(19)
            .map(|chunk| {
                let s = &s;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, u)| s.login(&format!("u{}-{i}", &u[u.len() - 3..])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let versions: Vec<String> = logins
        .iter()
        .map(|l| version_of(&s.get("/edit/report.toml", l).text()))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let times = std::sync::Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= logins.len() {
                    break;
                }
                let body = serde_json::json!({
                    "fields": { "agency": format!("第{i}号单位") },
                    "version": versions[i],
                });
                let t = Instant::now();
                let a = s.api("/api/save/report.toml", &logins[i], &body.to_string());
                let took = t.elapsed();
                assert_eq!(a.status, 200, "{}", a.text());
                times.lock().unwrap().push(took);
            });
        }
    });
    let all = started.elapsed();
    let mut times = times.into_inner().unwrap();
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    eprintln!(
        "district load: {} saves in {:.2} s, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        times.len(),
        all.as_secs_f64(),
        p(0.5).as_secs_f64() * 1000.0,
        p(0.95).as_secs_f64() * 1000.0,
        p(1.0).as_secs_f64() * 1000.0
    );
    assert_eq!(times.len(), 150);
    // Nothing lost: each unit's file holds its own save, each in its history.
    for (i, l) in logins.iter().enumerate() {
        let unit = &units[i];
        let text = std::fs::read_to_string(dir.join(unit).join("report.toml")).unwrap();
        assert!(
            text.contains(&format!("agency = \"第{i}号单位\"")),
            "{unit}"
        );
        let history = s.get("/history", l).text();
        assert_eq!(history.matches("<tr data-version=").count(), 1, "{unit}");
    }
}

//! `gongwen serve` started as a clerk starts it, and spoken to over real
//! sockets on loopback: the link it prints (with its token), requests with
//! the cookie that link sets, and raw bytes for what no browser sends.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Desk {
    pub child: Child,
    /// Every line the desk printed at start.
    pub printed: Vec<String>,
    _stdout: BufReader<std::process::ChildStdout>,
    /// The address the first link names.
    pub ip: String,
    pub port: u16,
    pub token: String,
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the desk on a free port of 127.0.0.1 (or as `args` say).
pub fn start(dir: &std::path::Path, args: &[&str]) -> Desk {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", dir.to_str().unwrap(), "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let done = line.starts_with("文件夹：");
        printed.push(line.trim_end().to_string());
        if done {
            break;
        }
    }
    let first = printed
        .first()
        .and_then(|l| l.split_once("http://"))
        .map(|(_, u)| u.to_string())
        .unwrap_or_else(|| panic!("no link in {printed:?}"));
    let (host, rest) = first.split_once('/').unwrap();
    let token = rest
        .strip_prefix("?token=")
        .unwrap_or_else(|| panic!("the link carries the token: {first}"))
        .to_string();
    let (ip, port) = host.rsplit_once(':').unwrap();
    Desk {
        child,
        printed,
        _stdout: stdout,
        ip: ip.trim_start_matches('[').trim_end_matches(']').to_string(),
        port: port.parse().unwrap(),
        token,
    }
}

pub struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// `Host`; the desk's own address when `None`.
    pub host: Option<String>,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
    /// Sends the session's cookie.
    pub cookie: bool,
}

impl<'a> Req<'a> {
    pub fn get(path: &'a str) -> Req<'a> {
        Req {
            method: "GET",
            path,
            host: None,
            headers: Vec::new(),
            body: Vec::new(),
            cookie: true,
        }
    }
}

/// The status and body of a raw HTTP/1.1 answer.
pub fn parse(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
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

impl Desk {
    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect((self.ip.as_str(), self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s
    }

    pub fn host(&self) -> String {
        if self.ip.contains(':') {
            format!("[{}]:{}", self.ip, self.port)
        } else {
            format!("{}:{}", self.ip, self.port)
        }
    }

    pub fn cookie(&self) -> String {
        format!("gongwen_{}={}", self.port, self.token)
    }

    /// The whole answer, headers included.
    pub fn exchange(&self, r: Req<'_>) -> Vec<u8> {
        let mut s = self.connect();
        let host = r.host.unwrap_or_else(|| self.host());
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            r.method,
            r.path,
            r.body.len()
        );
        if r.cookie {
            head.push_str(&format!("Cookie: {}\r\n", self.cookie()));
        }
        for (k, v) in &r.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        let _ = s.write_all(&r.body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        raw
    }

    pub fn send(&self, r: Req<'_>) -> (u16, String) {
        parse(&self.exchange(r))
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.send(Req::get(path))
    }

    /// A write as the desk's page sends it: cookie, token, origin.
    pub fn post(&self, path: &str, json: &str) -> (u16, String) {
        self.send(Req {
            method: "POST",
            path,
            host: None,
            headers: vec![
                ("X-Gongwen-Token", self.token.clone()),
                ("Origin", format!("http://{}", self.host())),
                ("Content-Type", "application/json".into()),
            ],
            body: json.as_bytes().to_vec(),
            cookie: true,
        })
    }

    /// The desk still answers: its list page, within the read timeout.
    pub fn answers(&self) -> bool {
        self.get("/").0 == 200
    }

    /// The process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Resident memory of the desk's process, in MB (Linux).
    pub fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }
}

/// The version a form page carries (`data-version`).
pub fn version_of(page: &str) -> String {
    let at = page.find("data-version=\"").unwrap() + 14;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// One control of a form page: its name, the value the page's script
/// would send for it unchanged (a checkbox `true`/`false`, a list its
/// chosen option), and what kind of control it is.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub kind: &'static str,
    /// Its `class` (`date`, `number`, `num`).
    pub class: String,
    /// Every option of a list.
    pub options: Vec<String>,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(r#"(?:^|\s){name}(?:="([^"]*)")?(?:\s|$)"#)).unwrap();
    re.captures(attrs)
        .map(|c| unescape(c.get(1).map_or("", |m| m.as_str())))
}

/// The named controls of a form page, in page order.
pub fn fields(page: &str) -> Vec<Field> {
    let re = regex::Regex::new(
        r#"(?s)<input ([^>]*)>|<textarea ([^>]*)>([^<]*)</textarea>|<select ([^>]*)>(.*?)</select>"#,
    )
    .unwrap();
    let option = regex::Regex::new(r#"<option value="([^"]*)"( selected)?>"#).unwrap();
    let mut out = Vec::new();
    for c in re.captures_iter(page) {
        if let Some(a) = c.get(1) {
            let a = a.as_str();
            let Some(name) = attr(a, "name") else {
                continue;
            };
            let checkbox = attr(a, "type").as_deref() == Some("checkbox");
            out.push(Field {
                name,
                value: if checkbox {
                    attr(a, "checked").is_some().to_string()
                } else {
                    attr(a, "value").unwrap_or_default()
                },
                kind: if checkbox { "checkbox" } else { "input" },
                class: attr(a, "class").unwrap_or_default(),
                options: Vec::new(),
            });
        } else if let Some(a) = c.get(2) {
            let text = c.get(3).unwrap().as_str();
            out.push(Field {
                name: attr(a.as_str(), "name").unwrap(),
                value: unescape(text),
                kind: "textarea",
                class: String::new(),
                options: Vec::new(),
            });
        } else if let Some(a) = c.get(4) {
            let opts: Vec<(String, bool)> = option
                .captures_iter(c.get(5).unwrap().as_str())
                .map(|o| (unescape(&o[1]), o.get(2).is_some()))
                .collect();
            let chosen = opts
                .iter()
                .find(|o| o.1)
                .or(opts.first())
                .map(|o| o.0.clone())
                .unwrap_or_default();
            out.push(Field {
                name: attr(a.as_str(), "name").unwrap(),
                value: chosen,
                kind: "select",
                class: String::new(),
                options: opts.into_iter().map(|o| o.0).collect(),
            });
        }
    }
    out
}

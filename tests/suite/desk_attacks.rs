//! `gongwen serve` under attack from loopback, through the binary and real
//! sockets: lengths no body will ever have, a body or a reader that stalls,
//! a header without end, requests that would make the desk allocate or
//! recurse without bound, many connections, and twenty clients checking
//! and saving at once. After each the process still runs and answers
//! others; what it holds in memory stays bounded. Every loop here is
//! bounded in count and time.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::cli::scratch;
use crate::common::desk::{json, parse, start, version_of, Desk, Req};

const SAMPLE: &str = "qinghe-market-2025.toml";

fn folder(name: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("attack-{name}"));
    std::fs::copy(format!("samples/{SAMPLE}"), dir.join(SAMPLE)).unwrap();
    dir
}

/// Raw bytes in, the answer out (what arrives before the desk closes, or
/// within the socket's read timeout).
fn raw(d: &Desk, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = d.connect();
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse(&out)
}

fn healthy(d: &mut Desk, after: &str) {
    assert!(d.running(), "the desk ended after {after}");
    assert!(d.answers(), "the desk stopped answering after {after}");
}

#[test]
fn lengths_no_body_has_are_refused_unread() {
    let mut d = start(&folder("length"), &[]);
    let host = d.host();
    let cookie = d.cookie();
    let own = format!("http://{host}");
    for length in [
        "9223372036854775807",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
    ] {
        // No token, a foreign Host, then everything a page sends.
        for (h, extra) in [
            ("evil.example".to_string(), String::new()),
            (
                host.clone(),
                format!(
                    "Cookie: {cookie}\r\nOrigin: {own}\r\nX-Gongwen-Token: {}\r\n",
                    d.token
                ),
            ),
        ] {
            let head = format!(
                "POST /api/check/{SAMPLE} HTTP/1.1\r\nHost: {h}\r\n{extra}Content-Length: {length}\r\n\r\n"
            );
            let (status, body) = raw(&d, &head, b"{}");
            // Refused (hyper says 431 for a length past its range).
            assert!(
                (400..500).contains(&status),
                "Content-Length {length}: {status} {body}"
            );
            healthy(&mut d, &format!("Content-Length: {length}"));
        }
    }
    let (status, body) = d.post(
        &format!("/api/check/{SAMPLE}"),
        &format!("{{\"fields\":{{\"agency\":\"{}\"}}}}", "某".repeat(2 << 20)),
    );
    assert_eq!(status, 413, "{body}");
    assert!(json(&body)["message"].as_str().unwrap().contains("过大"));
}

#[test]
fn a_body_that_stalls_holds_up_no_one() {
    let mut d = start(&folder("slow-body"), &[]);
    let mut held = d.connect();
    write!(
        held,
        "POST /api/check/{SAMPLE} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nOrigin: http://{}\r\nX-Gongwen-Token: {}\r\nContent-Length: 5000\r\n\r\n{{",
        d.host(),
        d.cookie(),
        d.host(),
        d.token
    )
    .unwrap();
    // While it is held, others are served: pages and checks.
    for _ in 0..3 {
        healthy(&mut d, "a body that stalls");
        let (status, body) = d.post(&format!("/api/check/{SAMPLE}"), "{}");
        assert_eq!(status, 200, "{body}");
    }
    // The held request is answered within the body's time and closed.
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = held.read_to_end(&mut out);
    let (status, body) = parse(&out);
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("未能及时送达"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_client_that_never_reads_is_dropped() {
    let mut d = start(&folder("no-read"), &[]);
    let font = std::fs::metadata("fonts/FandolHei-Regular.otf")
        .unwrap()
        .len() as usize;
    let mut held = d.connect();
    // Ten copies of the 5.8 MB face asked for at once, none read: more
    // than the sockets' buffers hold, so the desk's writes stall.
    let ask = format!(
        "GET /fonts/ui HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n",
        d.host(),
        d.cookie()
    );
    held.write_all(ask.repeat(10).as_bytes()).unwrap();
    std::thread::sleep(Duration::from_secs(1));
    for _ in 0..3 {
        healthy(&mut d, "a client that never reads");
    }
    // After the write timeout the desk lets go: what can still be read
    // is what the buffers held, not the ten faces.
    std::thread::sleep(Duration::from_secs(25));
    let mut out = Vec::new();
    let _ = held.read_to_end(&mut out);
    assert!(
        out.len() < 10 * font,
        "{} bytes of {} read after the desk should have let go",
        out.len(),
        10 * font
    );
    healthy(&mut d, "dropping a reader");
}

#[test]
fn a_header_without_end_is_cut_off() {
    let mut d = start(&folder("header"), &[]);
    let before = d.rss_mb();
    let mut s = d.connect();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nX-Long: ",
        d.host(),
        d.cookie()
    )
    .unwrap();
    // Up to 300 MB, a chunk at a time, until the desk closes the door.
    let chunk = vec![b'a'; 64 << 10];
    let started = Instant::now();
    let mut sent = 0usize;
    while sent < 300 << 20 && started.elapsed() < Duration::from_secs(20) {
        if s.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    assert!(sent < 300 << 20, "the desk read a 300 MB header line");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let (status, _) = parse(&out);
    assert!(status == 431 || out.is_empty(), "{status}");
    healthy(&mut d, "a header without end");
    if let (Some(a), Some(b)) = (before, d.rss_mb()) {
        assert!(b - a < 64.0, "memory grew from {a:.0} to {b:.0} MB");
    }
    // Too many headers, each short.
    let many: String = (0..500).map(|i| format!("X-{i}: 1\r\n")).collect();
    let (status, _) = raw(
        &d,
        &format!("GET / HTTP/1.1\r\nHost: {}\r\n{many}\r\n", d.host()),
        b"",
    );
    assert!(status == 431 || status == 0, "{status}");
    healthy(&mut d, "500 headers");
}

#[test]
fn what_a_request_makes_the_desk_allocate_is_bounded() {
    let mut d = start(&folder("alloc"), &[]);
    let before = d.rss_mb();
    let check = format!("/api/check/{SAMPLE}");
    let (status, body) = d.post(
        &check,
        r#"{"fields":{"zz.0":"1"},"lengths":{"zz":400000000}}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        json(&body)["message"]
            .as_str()
            .unwrap()
            .contains("超出表格"),
        "{body}"
    );
    healthy(&mut d, "a row of 400 million cells");
    let deep = vec!["a"; 60_000].join(".");
    let (status, body) = d.post(&check, &format!(r#"{{"fields":{{"{deep}":"1"}}}}"#));
    assert_eq!(status, 422, "{body}");
    assert!(json(&body)["message"]
        .as_str()
        .unwrap()
        .contains("不是数据文件的键"));
    healthy(&mut d, "a key path of 60,000 keys");
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, _) = d.post(&check, &format!(r#"{{"fields":{nested}}}"#));
    assert_eq!(status, 400);
    healthy(&mut d, "JSON nested 100,000 deep");
    let (status, _) = d.post(&check, r#"{"fields":{"applications.new.999999999":"1"}}"#);
    assert_eq!(status, 422);
    let (status, _) = d.post(
        &check,
        &format!(
            r#"{{"fields":{{"agency":"x"}},"remove":"overview.{}"}}"#,
            u64::MAX
        ),
    );
    assert_eq!(status, 422);
    healthy(&mut d, "indexes past any array");
    if let (Some(a), Some(b)) = (before, d.rss_mb()) {
        assert!(b - a < 128.0, "memory grew from {a:.0} to {b:.0} MB");
    }
}

#[test]
fn many_idle_connections_leave_room_for_the_clerk() {
    let mut d = start(&folder("many"), &[]);
    let idle: Vec<_> = (0..100).map(|_| d.connect()).collect();
    healthy(&mut d, "100 idle connections");
    drop(idle);
    healthy(&mut d, "100 connections closed");
}

/// Twenty clerks at once, each checking and saving a file of their own
/// five times, and all twenty saving one shared file from the same
/// version: every request is answered, every own file holds its last
/// save, and the shared file holds exactly one of the twenty saves.
#[test]
fn twenty_clients_checking_and_saving_at_once() {
    let dir = folder("twenty");
    for i in 0..20 {
        std::fs::copy(dir.join(SAMPLE), dir.join(format!("u{i}.toml"))).unwrap();
    }
    let d = start(&dir, &[]);
    let (_, page) = d.get(&format!("/edit/{SAMPLE}"));
    let shared = version_of(&page);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for i in 0..20 {
            let (d, results, shared) = (&d, &results, &shared);
            s.spawn(move || {
                let file = format!("u{i}.toml");
                let (_, page) = d.get(&format!("/edit/{file}"));
                let mut version = version_of(&page);
                for round in 0..5 {
                    let agency = format!("青禾区第{i}单位{round}");
                    let fields = format!(r#"{{"agency":"{agency}","applications.new.0":"46"}}"#);
                    let (c, body) = d.post(
                        &format!("/api/check/{file}"),
                        &format!(r#"{{"fields":{fields}}}"#),
                    );
                    assert_eq!(c, 200, "{body}");
                    assert_eq!(json(&body)["errors"], 0, "{body}");
                    let (c, body) = d.post(
                        &format!("/api/save/{file}"),
                        &format!(r#"{{"fields":{fields},"version":"{version}"}}"#),
                    );
                    assert_eq!(c, 200, "{body}");
                    version = json(&body)["version"].as_str().unwrap().to_string();
                }
                let (c, _) = d.post(
                    &format!("/api/save/{SAMPLE}"),
                    &format!(r#"{{"fields":{{"agency":"共同单位{i}"}},"version":"{shared}"}}"#),
                );
                results.lock().unwrap().push(c);
            });
        }
    });
    for i in 0..20 {
        let text = std::fs::read_to_string(dir.join(format!("u{i}.toml"))).unwrap();
        assert!(
            text.contains(&format!("agency = \"青禾区第{i}单位4\"")),
            "u{i}"
        );
    }
    let mut codes = results.into_inner().unwrap();
    codes.sort();
    assert_eq!(codes.iter().filter(|&&c| c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 409).count(), 19, "{codes:?}");
    let text = std::fs::read_to_string(dir.join(SAMPLE)).unwrap();
    assert_eq!(text.matches("共同单位").count(), 1);
}

#[cfg(unix)]
#[test]
fn a_save_keeps_the_file_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder("mode");
    let file = dir.join(SAMPLE);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let d = start(&dir, &[]);
    let (_, page) = d.get(&format!("/edit/{SAMPLE}"));
    let (status, body) = d.post(
        &format!("/api/save/{SAMPLE}"),
        &format!(
            r#"{{"fields":{{"agency":"青禾区市场监督管理局（改）"}},"version":"{}"}}"#,
            version_of(&page)
        ),
    );
    assert_eq!(status, 200, "{body}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

/// `--listen 0.0.0.0` answers by the address a connection reached and by
/// the names given with `--host`; other names are refused.
#[test]
fn every_address_and_given_names() {
    let dir = folder("any");
    let d = start(
        &dir,
        &["--listen", "0.0.0.0", "--host", "gongwen.example.test"],
    );
    assert!(
        d.printed
            .iter()
            .any(|l| l.contains("http://gongwen.example.test:")),
        "{:?}",
        d.printed
    );
    let ask = |ip: &str, host: &str| {
        let mut s = std::net::TcpStream::connect((ip, d.port)).unwrap();
        write!(
            s,
            "GET / HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            d.cookie()
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        parse(&out).0
    };
    let p = d.port;
    assert_eq!(ask("127.0.0.1", &format!("127.0.0.1:{p}")), 200);
    assert_eq!(ask("127.0.0.2", &format!("127.0.0.2:{p}")), 200);
    assert_eq!(ask("127.0.0.1", &format!("localhost:{p}")), 200);
    assert_eq!(ask("127.0.0.1", &format!("gongwen.example.test:{p}")), 200);
    // An address the connection did not reach, a foreign name.
    assert_eq!(ask("127.0.0.1", &format!("127.0.0.2:{p}")), 403);
    assert_eq!(ask("127.0.0.1", &format!("evil.example:{p}")), 403);
    assert_eq!(ask("127.0.0.1", &format!("0.0.0.0:{p}")), 403);
}

/// Behind a reverse proxy (`--proxy` its address): the host and scheme it
/// forwards are the page's origin; forwarded headers from anyone else
/// mean nothing.
#[test]
fn behind_a_trusted_proxy() {
    let dir = folder("proxy");
    let d = start(
        &dir,
        &["--proxy", "127.0.0.1", "--host", "gongwen.example.test"],
    );
    let forwarded = |origin: &str| {
        d.send(Req {
            method: "POST",
            path: "/api/check/qinghe-market-2025.toml",
            host: Some(format!("127.0.0.1:{}", d.port)),
            headers: vec![
                ("X-Forwarded-Host", "gongwen.example.test".into()),
                ("X-Forwarded-Proto", "https".into()),
                ("Origin", origin.into()),
                ("X-Gongwen-Token", d.token.clone()),
            ],
            body: b"{}".to_vec(),
            cookie: true,
        })
        .0
    };
    assert_eq!(forwarded("https://gongwen.example.test"), 200);
    assert_eq!(forwarded(&format!("http://127.0.0.1:{}", d.port)), 403);
    let link = String::from_utf8_lossy(&d.exchange(Req {
        headers: vec![
            ("X-Forwarded-Host", "gongwen.example.test".into()),
            ("X-Forwarded-Proto", "https".into()),
        ],
        cookie: false,
        ..Req::get(&format!("/?token={}", d.token))
    }))
    .into_owned();
    assert!(link.contains("SameSite=Strict; Path=/; Secure"), "{link}");
    let (status, _) = d.send(Req {
        headers: vec![("X-Forwarded-Host", "evil.example".into())],
        ..Req::get("/")
    });
    assert_eq!(status, 403);
}

#[test]
fn a_port_in_use_says_so() {
    let dir = folder("in-use");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", dir.to_str().unwrap(), "--port", &port])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("端口已被占用"), "{err}");
    // An address this computer does not have is not a port in use.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", dir.to_str().unwrap(), "--listen", "192.0.2.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("本机没有 192.0.2.1 这个地址") && !err.contains("占用"),
        "{err}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongwen"))
        .args(["serve", dir.to_str().unwrap(), "--listen", "本机"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是一个地址"));
}

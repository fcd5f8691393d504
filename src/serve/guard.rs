//! What the desk refuses before it looks at a request: a `Host` that is not
//! the address it serves (DNS rebinding), writes from another origin or
//! without the session's token, request bodies past a bound, and any file
//! name that is not a data file directly inside the served folder.

use std::path::{Path, PathBuf};

/// Largest request body read: a data file is at most a few hundred KB.
pub const MAX_BODY: usize = 4 << 20;

/// Why a request is refused, with the status it gets.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// The addresses a request may name in `Host`, and the session token.
pub struct Guard {
    pub hosts: Vec<String>,
    pub token: String,
    /// Served on an address other than loopback: every request needs the
    /// token (from the link printed at start, then a cookie).
    pub remote: bool,
}

impl Guard {
    pub fn new(addr: &str, port: u16, token: String) -> Guard {
        let loopback = addr == "127.0.0.1" || addr == "::1" || addr == "localhost";
        let mut hosts = vec![format!("{}:{port}", bracket(addr))];
        if loopback {
            hosts.extend([
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ]);
        }
        hosts.dedup();
        Guard {
            hosts,
            token,
            remote: !loopback,
        }
    }

    /// `Host` must be one of the served addresses.
    pub fn host(&self, host: Option<&str>) -> Result<(), Refusal> {
        match host {
            Some(h) if self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h.trim())) => Ok(()),
            _ => Err(Refusal::new(
                403,
                format!(
                    "拒绝：请求的 Host（{}）不是本服务的地址，请用 http://{}/ 打开",
                    host.unwrap_or("无"),
                    self.hosts[0]
                ),
            )),
        }
    }

    /// A write must come from the desk's own pages: same origin, and the
    /// token every page carries.
    pub fn write(
        &self,
        origin: Option<&str>,
        fetch_site: Option<&str>,
        token: Option<&str>,
    ) -> Result<(), Refusal> {
        if let Some(o) = origin {
            let own = self
                .hosts
                .iter()
                .any(|h| o.eq_ignore_ascii_case(&format!("http://{h}")));
            if !own {
                return Err(Refusal::new(
                    403,
                    format!("拒绝：来自其他网站（{o}）的写入请求"),
                ));
            }
        }
        if fetch_site.is_some_and(|s| s == "cross-site") {
            return Err(Refusal::new(403, "拒绝：来自其他网站的写入请求"));
        }
        if !token.is_some_and(|t| same(t, &self.token)) {
            return Err(Refusal::new(
                403,
                "拒绝：请求没有带本次会话的令牌，请从本服务的页面操作",
            ));
        }
        Ok(())
    }

    /// On a remote address, the token from the query or the cookie.
    pub fn read(&self, query_token: Option<&str>, cookie: Option<&str>) -> Result<(), Refusal> {
        if !self.remote {
            return Ok(());
        }
        let from_cookie = cookie.and_then(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().strip_prefix("gongwen_token="))
                .next()
        });
        match query_token.or(from_cookie) {
            Some(t) if same(t, &self.token) => Ok(()),
            _ => Err(Refusal::new(
                403,
                "需要访问令牌：请用启动时显示的链接打开（含 ?token=…）",
            )),
        }
    }
}

fn bracket(addr: &str) -> String {
    if addr.contains(':') && !addr.starts_with('[') {
        format!("[{addr}]")
    } else {
        addr.to_string()
    }
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// A data file named in a URL: one plain `.toml` or `.json` file name,
/// directly inside `dir`, a regular file and not a link.
pub fn data_file(dir: &Path, name: &str, must_exist: bool) -> Result<PathBuf, Refusal> {
    let refused = || {
        Refusal::new(
            404,
            format!("只能打开本目录中的数据文件（.toml 或 .json）：「{name}」不是"),
        )
    };
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', ':'])
        && name.chars().all(|c| !c.is_control())
        && (name.ends_with(".toml") || name.ends_with(".json"));
    if !plain {
        return Err(refused());
    }
    let path = dir.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() => Ok(path),
        Ok(_) => Err(refused()),
        Err(_) if !must_exist => Ok(path),
        Err(_) => Err(Refusal::new(404, format!("本目录中没有数据文件「{name}」"))),
    }
}

/// Decodes `%XX` escapes; a malformed escape or non-UTF-8 result is `None`.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A fresh session token from the system's random source.
pub fn new_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let g = Guard::new("127.0.0.1", 8410, "t0k".into());
        assert!(g.host(Some("127.0.0.1:8410")).is_ok());
        assert!(g.host(Some("localhost:8410")).is_ok());
        assert_eq!(g.host(Some("evil.example:8410")).unwrap_err().status, 403);
        assert!(g.host(None).is_err());
        assert!(g
            .write(Some("http://127.0.0.1:8410"), None, Some("t0k"))
            .is_ok());
        assert!(g.write(None, Some("same-origin"), Some("t0k")).is_ok());
        assert!(g
            .write(Some("http://evil.example"), None, Some("t0k"))
            .is_err());
        assert!(g.write(None, Some("cross-site"), Some("t0k")).is_err());
        assert!(g.write(None, None, Some("t0x")).is_err());
        assert!(g.write(None, None, None).is_err());
        assert!(g.read(None, None).is_ok());
        let r = Guard::new("192.0.2.7", 8410, "t0k".into());
        assert!(r.read(None, None).is_err());
        assert!(r.read(Some("t0k"), None).is_ok());
        assert!(r.read(None, Some("a=b; gongwen_token=t0k")).is_ok());
        assert!(r.host(Some("127.0.0.1:8410")).is_err());
    }

    #[test]
    fn only_plain_data_files() {
        let dir = std::env::temp_dir();
        for bad in [
            "../x.toml",
            "a/b.toml",
            ".hidden.toml",
            "x.txt",
            "",
            "a\\b.toml",
            "c:x.toml",
        ] {
            assert_eq!(
                data_file(&dir, bad, false).unwrap_err().status,
                404,
                "{bad}"
            );
        }
        assert!(data_file(&dir, "新报告.toml", false).is_ok());
        assert_eq!(percent_decode("%2e%2e%2Fx").as_deref(), Some("../x"));
        assert_eq!(percent_decode("%E6%96%B0").as_deref(), Some("新"));
        assert_eq!(percent_decode("%zz"), None);
    }
}

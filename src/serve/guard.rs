//! What the desk refuses before it looks at a request: a `Host` that is not
//! one of its own names (DNS rebinding), any request without the session's
//! token, writes from another origin or without `Origin`, and any file name
//! that is not a data file directly inside the served folder — opened once,
//! without following a link, and read through that handle.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::http::Request;

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

/// The names a request may give in `Host`, the session token, and the
/// reverse proxy whose forwarded headers are believed.
pub struct Guard {
    pub port: u16,
    /// Host names and addresses (lower case, IPv6 in brackets), without
    /// the port.
    pub names: Vec<String>,
    /// Listening on every address (`0.0.0.0`, `::`): an address literal is
    /// also accepted when it is the one the connection reached.
    pub any_address: bool,
    pub token: String,
    /// Requests from this address come through a reverse proxy: its
    /// `X-Forwarded-Host` and `X-Forwarded-Proto` say what the browser
    /// asked for, its `X-Forwarded-For` who the browser is.
    pub proxy: Option<IpAddr>,
}

/// Where the browser thinks the page is: `scheme://host[:port]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Origin {
    pub origin: String,
    pub https: bool,
}

impl Guard {
    /// The origin a request names (its `Host`, or through the trusted
    /// proxy its `X-Forwarded-Host`), if it is one of the desk's own: a
    /// name the desk was told, or the address the connection reached.
    /// Any other name is refused (DNS rebinding).
    pub fn origin(&self, req: &Request) -> Result<Origin, Refusal> {
        let via_proxy = self.via_proxy(req);
        let forwarded = |h: &str| {
            req.header(h)
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let host = if via_proxy {
            forwarded("x-forwarded-host").or(req.header("host"))
        } else {
            req.header("host")
        };
        let https = via_proxy && forwarded("x-forwarded-proto") == Some("https");
        let refused = || {
            Refusal::new(
                403,
                format!(
                    "拒绝：请求的 Host（{}）不是本服务的地址。请用启动时显示的链接打开；\
                     用其他名称访问时，启动时加 --host 名称",
                    host.unwrap_or("无")
                ),
            )
        };
        let given = host.ok_or_else(refused)?.to_ascii_lowercase();
        let (name, port) = split_host(&given).ok_or_else(refused)?;
        // Directly, the port is the desk's own; a proxy serves its own.
        let port_ok = via_proxy || port == Some(self.port);
        let name_ok = self.names.contains(&name)
            || (!via_proxy
                && self.any_address
                && name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| same_ip(ip, req.local.ip())));
        if !(port_ok && name_ok) {
            return Err(refused());
        }
        let scheme = if https { "https" } else { "http" };
        Ok(Origin {
            origin: format!("{scheme}://{given}"),
            https,
        })
    }

    fn via_proxy(&self, req: &Request) -> bool {
        self.proxy.is_some_and(|p| same_ip(p, req.peer.ip()))
    }

    /// The client a request comes from: the peer, or through the trusted
    /// proxy the last address of its `X-Forwarded-For` (the one the proxy
    /// added; those before it are the client's own word). `None` through a
    /// proxy that does not say: the peer is then the proxy, the same for
    /// every clerk, and counting failed logins by it would lock them all
    /// out together.
    pub fn client(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.peer.ip();
        if !self.via_proxy(req) {
            return Some(peer);
        }
        // The proxy's own entry is the last: a proxy may append it to the
        // client's header or add a header of its own after it.
        let last = req
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()?
            .to_str()
            .ok()?
            .rsplit(',')
            .next()?
            .trim();
        // Some balancers write the address with its port.
        last.parse()
            .ok()
            .or_else(|| last.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
    }

    /// A write must come from the desk's own pages: `Origin` present and
    /// the page's own, not a cross-site fetch, and the token every page
    /// carries.
    pub fn write(&self, req: &Request, own: &Origin, token: &str) -> Result<(), Refusal> {
        self.same_origin(req, own)?;
        if !req
            .header("x-gongwen-token")
            .is_some_and(|t| same(t, token))
        {
            return Err(Refusal::new(
                403,
                "拒绝：请求没有带本次会话的令牌，请从本服务的页面操作",
            ));
        }
        Ok(())
    }

    /// A write's `Origin` is the page's own and it is not a cross-site
    /// fetch.
    pub fn same_origin(&self, req: &Request, own: &Origin) -> Result<(), Refusal> {
        match req.header("origin") {
            Some(o) if o.eq_ignore_ascii_case(&own.origin) => {}
            Some(o) => {
                return Err(Refusal::new(
                    403,
                    format!("拒绝：来自其他网站（{o}）的写入请求"),
                ))
            }
            None => {
                return Err(Refusal::new(
                    403,
                    "拒绝：写入请求没有说明来自哪个网页（Origin），请从本服务的页面操作",
                ))
            }
        }
        if req.header("sec-fetch-site") == Some("cross-site") {
            return Err(Refusal::new(403, "拒绝：来自其他网站的写入请求"));
        }
        Ok(())
    }

    /// The name of the cookie that carries the token: one per port, so
    /// two desks on one machine keep their own.
    pub fn cookie_name(&self) -> String {
        format!("gongwen_{}", self.port)
    }

    /// Every request needs the token: from the link printed at start
    /// (`?token=`), then from the cookie that link sets. Another account
    /// on the same computer can reach 127.0.0.1 too.
    pub fn read(&self, req: &Request) -> Result<(), Refusal> {
        let from_cookie = cookie(req, &self.cookie_name());
        match req.query_param("token").or(from_cookie) {
            Some(t) if same(t, &self.token) => Ok(()),
            _ => Err(Refusal::new(
                403,
                "需要访问令牌：请用启动 gongwen serve 时显示的链接打开（含 ?token=…）；\
                 书签中的旧链接在重新启动后失效",
            )),
        }
    }
}

/// The value of the request's cookie of this name.
pub fn cookie<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers.get_all("cookie").iter().find_map(|v| {
        v.to_str().ok()?.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
    })
}

/// `name[:port]` or `[v6][:port]`; `None` when the port is not a number.
fn split_host(host: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = host.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((format!("[{inner}]"), port));
    }
    match host.rsplit_once(':') {
        Some((name, p)) => Some((name.to_string(), Some(p.parse().ok()?))),
        None => Some((host.to_string(), None)),
    }
}

/// Equal addresses, an IPv4 one also as `::ffff:a.b.c.d`.
fn same_ip(a: IpAddr, b: IpAddr) -> bool {
    let plain = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    plain(a) == plain(b)
}

/// An address as a `Host` names it: IPv6 in brackets.
pub fn host_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Compares without stopping at the first difference.
pub(crate) fn same(a: &str, b: &str) -> bool {
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

/// A picture a seal may name: a plain PNG, JPEG or SVG name directly
/// inside `dir`, a regular file and not a link (or not there yet).
pub fn picture_file(dir: &Path, name: &str) -> Result<PathBuf, Refusal> {
    let lower = name.to_ascii_lowercase();
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', ':'])
        && name.chars().all(|c| !c.is_control())
        && [".png", ".jpg", ".jpeg", ".svg"]
            .iter()
            .any(|e| lower.ends_with(e));
    let refused = || {
        Refusal::new(
            422,
            format!("印章只能是本目录中的图片（.png、.jpg 或 .svg）：「{name}」不是"),
        )
    };
    if !plain {
        return Err(refused());
    }
    let path = dir.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() => Ok(path),
        Ok(_) => Err(refused()),
        Err(_) => Ok(path),
    }
}

/// A data file's bytes, read through one handle opened without following a
/// link (a link swapped in after [`data_file`] looked is refused, not
/// read) and without blocking on a FIFO; at most `max` bytes.
pub fn read_data(path: &Path, max: u64) -> Result<Vec<u8>, Refusal> {
    use std::io::Read;
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_FLAG_OPEN_REPARSE_POINT: the link itself, not its target.
        open.custom_flags(0x0020_0000);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let not_plain = || {
        Refusal::new(
            404,
            format!("只能打开本目录中的数据文件（.toml 或 .json）：「{name}」不是"),
        )
    };
    let file = open.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Refusal::new(404, format!("本目录中没有数据文件「{name}」"))
        }
        _ if e.raw_os_error() == Some(ELOOP) => not_plain(),
        _ => Refusal::new(
            422,
            format!("无法读取「{name}」：{}", crate::diag::io_message(&e)),
        ),
    })?;
    let meta = file.metadata().map_err(|_| not_plain())?;
    if !meta.is_file() || meta.file_type().is_symlink() {
        return Err(not_plain());
    }
    if meta.len() > max {
        return Err(Refusal::new(
            422,
            format!("「{name}」过大（{} 字节，上限 {max} 字节）", meta.len()),
        ));
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| {
        Refusal::new(
            422,
            format!("无法读取「{name}」：{}", crate::diag::io_message(&e)),
        )
    })?;
    if bytes.len() as u64 > max {
        return Err(Refusal::new(
            422,
            format!("「{name}」过大（上限 {max} 字节）"),
        ));
    }
    Ok(bytes)
}

#[cfg(unix)]
const ELOOP: i32 = libc::ELOOP;
#[cfg(not(unix))]
const ELOOP: i32 = -1;

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

    fn request(peer: &str, local: &str, headers: &[(&str, &str)]) -> Request {
        let mut map = hyper::header::HeaderMap::new();
        for (k, v) in headers {
            map.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Request {
            method: hyper::Method::POST,
            path: "/".into(),
            query: String::new(),
            headers: map,
            peer: peer.parse().unwrap(),
            local: local.parse().unwrap(),
            body: Vec::new(),
        }
    }

    #[test]
    fn hosts_and_origins() {
        let here = "127.0.0.1:8410".parse().unwrap();
        let (g, links) =
            super::super::start::guard(here, &["desk.example".into()], None, "t0k".into());
        assert_eq!(
            links,
            [
                "http://127.0.0.1:8410/?token=t0k",
                "http://desk.example:8410/?token=t0k"
            ]
        );
        let from = |host: &str, more: &[(&str, &str)]| {
            let mut h = vec![("host", host)];
            h.extend_from_slice(more);
            request("127.0.0.1:5000", "127.0.0.1:8410", &h)
        };
        let own = g.origin(&from("127.0.0.1:8410", &[])).unwrap();
        assert_eq!(own.origin, "http://127.0.0.1:8410");
        assert!(g.origin(&from("localhost:8410", &[])).is_ok());
        assert!(g.origin(&from("DESK.example:8410", &[])).is_ok());
        for bad in [
            "evil.example:8410",
            "127.0.0.1:8411",
            "127.0.0.1",
            "desk.example",
            "",
        ] {
            assert_eq!(g.origin(&from(bad, &[])).unwrap_err().status, 403, "{bad}");
        }
        // Forwarded headers from anyone but the trusted proxy mean nothing.
        let fwd = from(
            "127.0.0.1:8410",
            &[
                ("x-forwarded-host", "evil.example"),
                ("x-forwarded-proto", "https"),
            ],
        );
        assert_eq!(g.origin(&fwd).unwrap().origin, "http://127.0.0.1:8410");
        let write = |origin: Option<&str>, site: Option<&str>, token: Option<&str>| {
            let mut h = vec![("host", "127.0.0.1:8410")];
            h.extend(origin.map(|o| ("origin", o)));
            h.extend(site.map(|s| ("sec-fetch-site", s)));
            h.extend(token.map(|t| ("x-gongwen-token", t)));
            g.write(
                &request("127.0.0.1:5000", "127.0.0.1:8410", &h),
                &own,
                "t0k",
            )
        };
        assert!(write(Some("http://127.0.0.1:8410"), None, Some("t0k")).is_ok());
        assert!(write(
            Some("http://127.0.0.1:8410"),
            Some("same-origin"),
            Some("t0k")
        )
        .is_ok());
        assert!(write(Some("http://localhost:8410"), None, Some("t0k")).is_err());
        assert!(write(Some("http://evil.example"), None, Some("t0k")).is_err());
        assert!(write(
            Some("http://127.0.0.1:8410"),
            Some("cross-site"),
            Some("t0k")
        )
        .is_err());
        assert!(write(Some("http://127.0.0.1:8410"), None, Some("t0x")).is_err());
        assert!(write(None, Some("same-origin"), Some("t0k")).is_err());
        // The token: query or this port's cookie.
        let read = |query: &str, cookie: &str| {
            let mut r = request("127.0.0.1:5000", "127.0.0.1:8410", &[("cookie", cookie)]);
            r.query = query.into();
            g.read(&r)
        };
        assert!(read("", "").is_err());
        assert!(read("token=t0k", "").is_ok());
        assert!(read("a=1&token=t0k", "").is_ok());
        assert!(read("", "a=b; gongwen_8410=t0k").is_ok());
        assert!(read("", "gongwen_8411=t0k").is_err());
        assert!(read("token=t0x", "gongwen_8410=t0k").is_err());
    }

    #[test]
    fn every_address_and_the_proxy() {
        let any = "0.0.0.0:8410".parse().unwrap();
        let proxy = Some("10.0.0.9".parse().unwrap());
        let (g, _) = super::super::start::guard(any, &["desk.example".into()], proxy, "t".into());
        let at = |host: &str, peer: &str, local: &str, more: &[(&str, &str)]| {
            let mut h = vec![("host", host)];
            h.extend_from_slice(more);
            g.origin(&request(peer, local, &h))
        };
        // The address the connection reached, and no other literal.
        assert!(at("192.0.2.7:8410", "192.0.2.50:5000", "192.0.2.7:8410", &[]).is_ok());
        assert!(at("192.0.2.8:8410", "192.0.2.50:5000", "192.0.2.7:8410", &[]).is_err());
        assert!(at("localhost:8410", "127.0.0.1:5000", "127.0.0.1:8410", &[]).is_ok());
        // Through the proxy: its forwarded host (a known name, any port)
        // and scheme.
        let o = at(
            "127.0.0.1:8410",
            "10.0.0.9:4000",
            "10.0.0.2:8410",
            &[
                ("x-forwarded-host", "desk.example"),
                ("x-forwarded-proto", "https"),
            ],
        )
        .unwrap();
        assert_eq!(
            o,
            Origin {
                origin: "https://desk.example".into(),
                https: true
            }
        );
        assert!(at(
            "127.0.0.1:8410",
            "10.0.0.9:4000",
            "10.0.0.2:8410",
            &[("x-forwarded-host", "evil.example")],
        )
        .is_err());
        // The client: the address the proxy added last; from anyone else
        // the header is ignored.
        let client = |peer: &str, xff: &str| {
            g.client(&request(peer, "10.0.0.2:8410", &[("x-forwarded-for", xff)]))
                .map(|ip| ip.to_string())
        };
        assert_eq!(
            client("10.0.0.9:4000", "1.2.3.4, 192.0.2.5").unwrap(),
            "192.0.2.5"
        );
        // Through the proxy without an address: not the proxy's own.
        assert_eq!(client("10.0.0.9:4000", "nonsense"), None);
        let bare = g.client(&request("10.0.0.9:4000", "10.0.0.2:8410", &[]));
        assert_eq!(bare, None);
        assert_eq!(
            client("192.0.2.50:5000", "192.0.2.5").unwrap(),
            "192.0.2.50"
        );
        assert_eq!(
            client("10.0.0.9:4000", "192.0.2.5:51234").unwrap(),
            "192.0.2.5"
        );
        assert_eq!(
            client("10.0.0.9:4000", "[2001:db8::5]:443").unwrap(),
            "2001:db8::5"
        );
        // A header the proxy adds after the client's own is the one read.
        let two = g.client(&request(
            "10.0.0.9:4000",
            "10.0.0.2:8410",
            &[
                ("x-forwarded-for", "1.2.3.4"),
                ("x-forwarded-for", "192.0.2.7"),
            ],
        ));
        assert_eq!(two.unwrap().to_string(), "192.0.2.7");
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

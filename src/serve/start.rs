//! Where the desk listens and what it prints: the address to bind (`--listen
//! IP` or `IP:PORT`), the names a browser may reach it by (the host's own
//! addresses when it listens on all of them, `--host` names, the trusted
//! proxy), and one link per address with the session's token.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use super::guard::{host_name, Guard};

/// The address `--listen` and `--port` name: `IP`, `IP:PORT` or
/// `[IPv6]:PORT` (a port there wins over `--port`); `localhost` is
/// 127.0.0.1.
pub fn address(listen: Option<&str>, port: u16) -> Result<SocketAddr, String> {
    let Some(text) = listen.map(str::trim) else {
        return Ok(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    };
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    }
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .map_err(|_| {
            format!(
                "--listen {text} 不是一个地址：写本机的 IP 地址（如 192.168.1.20 或 0.0.0.0），\
                 可加端口（192.168.1.20:8410）"
            )
        })
}

/// Binds the address; the message says why not in the clerk's words.
pub fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(addr).map_err(|e| {
        let shown = format!("{}:{}", host_name(addr.ip()), addr.port());
        let why = crate::diag::io_message(&e);
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "端口已被占用（可能另一个公文台已在运行）：用 --port 换一个端口，或先结束另一个".to_string()
            }
            std::io::ErrorKind::AddrNotAvailable => format!(
                "本机没有 {} 这个地址：--listen 写本机网卡的地址，或 0.0.0.0 表示所有地址",
                addr.ip()
            ),
            std::io::ErrorKind::PermissionDenied => {
                "没有使用这个端口的权限（1024 以下的端口需要管理员权限）：用 --port 换一个 1024 以上的端口"
                    .to_string()
            }
            _ => "检查 --listen 和 --port 的写法".to_string(),
        };
        format!("错误: 无法在 {shown} 上启动服务（{why}）\n  = 提示: {hint}")
    })
}

/// This computer's name, as a browser on the intranet may know it.
fn computer_name() -> Option<String> {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; the name is cut
        // at the first NUL below.
        let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if r != 0 {
            return None;
        }
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        (!name.is_empty()).then_some(name)
    }
    #[cfg(not(unix))]
    {
        std::env::var("COMPUTERNAME")
            .ok()
            .map(|n| n.to_ascii_lowercase())
    }
}

/// The host's own addresses, loopback last; link-local ones are left out
/// (a browser cannot use them without a zone).
fn own_addresses(v6: bool) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .map(|list| list.into_iter().map(|i| i.ip()).collect())
        .unwrap_or_default();
    ips.retain(|ip| match ip {
        IpAddr::V4(a) => !a.is_link_local(),
        IpAddr::V6(a) => v6 && (a.segments()[0] & 0xffc0) != 0xfe80,
    });
    ips.sort_by_key(|ip| (ip.is_loopback(), ip.is_ipv6()));
    ips.dedup();
    ips
}

/// The guard for a desk bound to `addr`, and the links to print (the first
/// one the browser is opened with).
pub fn guard(
    addr: SocketAddr,
    extra: &[String],
    proxy: Option<IpAddr>,
    token: String,
) -> (Guard, Vec<String>) {
    let ip = addr.ip();
    let port = addr.port();
    let mut names: Vec<String> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let link = |host: &str| format!("http://{host}:{port}/?token={token}");
    if ip.is_unspecified() {
        let v6 = ip == IpAddr::V6(Ipv6Addr::UNSPECIFIED);
        for a in own_addresses(v6) {
            names.push(host_name(a));
            links.push(link(&host_name(a)));
        }
        names.push("localhost".into());
        names.extend(computer_name());
    } else {
        names.push(host_name(ip));
        links.push(link(&host_name(ip)));
        if ip.is_loopback() {
            names.push("localhost".into());
        }
    }
    for h in extra {
        let h = h.trim().to_ascii_lowercase();
        if !h.is_empty() {
            links.push(link(&h));
            names.push(h);
        }
    }
    names.dedup();
    // The loopback link first: it is the one opened on this computer.
    links.sort_by_key(|l| !(l.contains("//127.") || l.contains("//[::1]")));
    links.dedup();
    (
        Guard {
            port,
            names,
            any_address: ip.is_unspecified(),
            token,
            proxy,
        },
        links,
    )
}

//! The desk's HTTP server: `hyper` (HTTP/1.1) on a small `tokio` runtime.
//! Every connection is served on its own task, so one slow or hostile
//! client never holds up another, and every way a client could make the
//! server wait or allocate is bounded: the request head (size, count of
//! headers, time to arrive), the body (announced and actual size, time to
//! arrive), every read and write on the socket (a client that stops
//! reading a long answer is dropped), and the number of open connections.
//! The work a request asks for (checks, layout, saves) runs on the
//! runtime's blocking threads, away from the tasks that move bytes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
pub use hyper::Method;

/// What the server lets a client make it hold or wait for.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The request line and headers together.
    pub head_bytes: usize,
    pub headers: usize,
    /// A request body (a data file is at most a few hundred KB).
    pub body_bytes: usize,
    /// From a connection's first byte (or the end of its last answer) to
    /// the end of the next request's head.
    pub head_time: Duration,
    /// For a whole request body, however it trickles in.
    pub body_time: Duration,
    /// A read or write on the socket that makes no progress this long
    /// ends the connection (an idle kept-alive one too).
    pub io_time: Duration,
    /// Open connections; more are closed as they arrive.
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head_bytes: 64 << 10,
            headers: 64,
            body_bytes: 4 << 20,
            head_time: Duration::from_secs(10),
            body_time: Duration::from_secs(10),
            io_time: Duration::from_secs(20),
            connections: 256,
        }
    }
}

/// A request as the desk sees it: its head, the peer it came from, and
/// its body once admitted and read whole.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    /// The client's address (a reverse proxy's, behind one).
    pub peer: SocketAddr,
    /// The desk's address the connection reached.
    pub local: SocketAddr,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value as text (absent or not visible ASCII: `None`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A parameter of the query string, as written (not decoded).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|kv| {
            kv.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
        })
    }
}

/// An answer: status, content type, body and extra headers.
pub struct Reply {
    pub status: u16,
    pub kind: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn new(status: u16, kind: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            kind,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub fn html(body: String) -> Reply {
        Reply::new(200, "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, message: impl Into<String>) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", message.into())
    }

    pub fn json(status: u16, v: &serde_json::Value) -> Reply {
        Reply::new(status, "application/json; charset=utf-8", v.to_string())
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.retain(|(h, _)| !h.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// What serves the requests.
pub trait App: Send + Sync + 'static {
    /// Looks at a request before its body is read (the body is empty
    /// here): a refusal is answered without reading it.
    fn admit(&self, req: &Request) -> Result<(), Reply>;
    /// Answers an admitted request; runs on a blocking thread.
    fn handle(&self, req: Request) -> Reply;
    /// The answer to a request whose handling panicked.
    fn failed(&self, req_path: &str) -> Reply;
    /// The answer to a request the server refused by its limits.
    fn limit(&self, status: u16, message: &str, req_path: &str) -> Reply;
}

/// Headers every answer carries: no sniffing, no framing, no referrer, no
/// caching, and a policy that keeps scripts, styles, forms and links to
/// the desk itself.
const SECURITY: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; \
         frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
];

fn response(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut resp = hyper::Response::new(Full::new(Bytes::from(reply.body)));
    *resp.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::OK);
    let h = resp.headers_mut();
    h.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static(reply.kind),
    );
    for (k, v) in SECURITY {
        h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    }
    for (k, v) in reply.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            h.insert(k, v);
        }
    }
    resp
}

async fn answer<A: App>(
    app: Arc<A>,
    limits: Arc<Limits>,
    (peer, local): (SocketAddr, SocketAddr),
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let (path, query) = match parts.uri.path_and_query() {
        Some(pq) => (pq.path().to_string(), pq.query().unwrap_or("").to_string()),
        None => ("/".to_string(), String::new()),
    };
    let mut request = Request {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        peer,
        local,
        body: Vec::new(),
    };
    if let Err(refused) = app.admit(&request) {
        return Ok(response(refused));
    }
    let too_big = || {
        app.limit(
            413,
            &format!("请求的内容过大（上限 {} MB）", limits.body_bytes >> 20),
            &request.path,
        )
    };
    let announced = request
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.body_bytes as u64) {
        return Ok(response(too_big()));
    }
    let read = tokio::time::timeout(
        limits.body_time,
        Limited::new(body, limits.body_bytes).collect(),
    )
    .await;
    match read {
        Ok(Ok(collected)) => request.body = collected.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return Ok(response(too_big())),
        Ok(Err(_)) => {
            return Ok(response(app.limit(
                400,
                "请求的内容无法读取",
                &request.path,
            )))
        }
        Err(_) => {
            return Ok(response(app.limit(
                408,
                "请求的内容未能及时送达",
                &request.path,
            )))
        }
    }
    let path = request.path.clone();
    let worker = app.clone();
    let reply = match tokio::task::spawn_blocking(move || worker.handle(request)).await {
        Ok(r) => r,
        Err(_) => app.failed(&path),
    };
    Ok(response(reply))
}

/// Counts a connection while it is open.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves on `listener` until `stop` says so (checked five times a
/// second). Fails only when the runtime cannot be started.
pub fn serve<A: App>(
    listener: std::net::TcpListener,
    app: Arc<A>,
    limits: Limits,
    stop: impl Fn() -> bool,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .thread_name("gongwen-serve")
        .enable_io()
        .enable_time()
        .build()?;
    let limits = Arc::new(limits);
    let accepting = runtime.block_on(async { tokio::net::TcpListener::from_std(listener) })?;
    let open = Arc::new(AtomicUsize::new(0));
    let acceptor = runtime.spawn(async move {
        loop {
            let (stream, peer) = match accepting.accept().await {
                Ok(c) => c,
                // Out of descriptors and the like: wait and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if open.fetch_add(1, Ordering::SeqCst) >= limits.connections {
                open.fetch_sub(1, Ordering::SeqCst);
                drop(stream);
                continue;
            }
            let guard = Open(open.clone());
            let Ok(local) = stream.local_addr() else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let mut timed = tokio_io_timeout::TimeoutStream::new(stream);
            timed.set_read_timeout(Some(limits.io_time));
            timed.set_write_timeout(Some(limits.io_time));
            let io = hyper_util::rt::TokioIo::new(Box::pin(timed));
            let (app, limits) = (app.clone(), limits.clone());
            tokio::spawn(async move {
                let _guard = guard;
                let mut conn = hyper::server::conn::http1::Builder::new();
                conn.timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(limits.head_time)
                    .max_buf_size(limits.head_bytes.max(8192))
                    .max_header_size(limits.head_bytes)
                    .max_headers(limits.headers);
                let service = hyper::service::service_fn(move |req| {
                    answer(app.clone(), limits.clone(), (peer, local), req)
                });
                let _ = conn.serve_connection(io, service).await;
            });
        }
    });
    runtime.block_on(async {
        while !stop() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    acceptor.abort();
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

//! `gongwen serve`: the clerk's desk. A local web page that opens the data
//! files of one folder as the official form, checks every change with the
//! same code as `gongwen check`, shows the pages laid out from the same
//! frames as the PDF, and saves back into the same data file (comments and
//! layout kept), so the file stays the one source for `check`, `render`,
//! `watch` and version control.
//!
//! One thread serves one request at a time: a check and its preview take a
//! few milliseconds, and serialising the requests also serialises the
//! saves of one file.

pub mod edit;
pub mod guard;
pub mod page;
pub mod preview;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::annual::Format;
use crate::cmd::render::RenderOptions;
use crate::compile::{compile, Compiled, Failure, Job, Until, Warned};
use crate::data::node::{Kind as NodeKind, Node};
use crate::diag::{Diagnostic, Severity, Source};
use crate::disk::{Disk, FontDirs};
use crate::exit::Exit;
use crate::font::FontBook;
use crate::input::Input;
use edit::Edits;
use guard::{Guard, Refusal};

pub struct ServeOptions {
    pub dir: PathBuf,
    pub port: u16,
    /// An address other than 127.0.0.1 to listen on.
    pub listen: Option<String>,
    pub open: bool,
}

struct Desk {
    dir: PathBuf,
    guard: Guard,
    fonts: FontDirs,
    /// The faces of the last preview, served at `/fonts/N`.
    book: std::sync::Mutex<Arc<FontBook>>,
}

struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn html(body: String) -> Reply {
        Reply {
            status: 200,
            kind: "text/html; charset=utf-8",
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    fn json(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            kind: "application/json; charset=utf-8",
            body: v.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    fn refused(r: Refusal, wants_json: bool) -> Reply {
        if wants_json {
            Reply::json(r.status, &json!({ "message": r.message }))
        } else {
            Reply {
                status: r.status,
                kind: "text/plain; charset=utf-8",
                body: r.message.into_bytes(),
                headers: Vec::new(),
            }
        }
    }
}

pub fn run(opts: &ServeOptions) -> Exit {
    let dir = match std::fs::canonicalize(&opts.dir) {
        Ok(d) if d.is_dir() => d,
        _ => {
            eprint!(
                "{}",
                Diagnostic::error("不是一个可打开的目录")
                    .in_file(&opts.dir)
                    .hint("gongwen serve 后面写数据文件所在的目录，例如 gongwen serve samples")
                    .kind(crate::diag::Kind::Usage)
            );
            return Exit::Usage;
        }
    };
    let addr = opts.listen.clone().unwrap_or_else(|| "127.0.0.1".into());
    let server = match Server::http((addr.as_str(), opts.port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "错误: 无法在 {addr}:{} 上启动服务（{e}）\n  = 提示: 端口可能已被占用，用 --port 换一个端口",
                opts.port
            );
            return Exit::Io;
        }
    };
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let token = match guard::new_token() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("错误: 无法生成会话令牌（{}）", crate::diag::io_message(&e));
            return Exit::Io;
        }
    };
    let guard = Guard::new(&addr, port, token);
    let url = if guard.remote {
        format!("http://{}/?token={}", guard.hosts[0], guard.token)
    } else {
        format!("http://127.0.0.1:{port}/")
    };
    // Written without println!: a closed standard output must not end the
    // desk.
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "公文台已启动：{url}");
    if guard.remote {
        let _ = writeln!(
            out,
            "注意：在 {addr} 上监听，局域网中的其他电脑可访问；须用上面带令牌的链接打开"
        );
    }
    let _ = writeln!(out, "文件夹：{}（按 Ctrl-C 结束）", dir.display());
    let _ = out.flush();
    if opts.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(&url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    crate::interrupt::install();
    let desk = Desk {
        dir,
        guard,
        fonts: FontDirs::default(),
        book: std::sync::Mutex::new(Arc::new(FontBook::bundled())),
    };
    loop {
        if crate::interrupt::requested() {
            let _ = writeln!(std::io::stdout(), "公文台已结束");
            return Exit::Ok;
        }
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(req)) => desk.serve(req),
            Ok(None) => {}
            Err(e) => {
                eprintln!("错误: 接收请求失败（{e}）");
                return Exit::Io;
            }
        }
    }
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

impl Desk {
    fn serve(&self, mut req: Request) {
        let wants_json = req.url().starts_with("/api/");
        // A request that trips over a bug gets an answer and the desk
        // goes on serving the others (it is one thread).
        let routed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.route(&mut req)));
        let reply = match routed {
            Ok(r) => r.unwrap_or_else(|r| Reply::refused(r, wants_json)),
            Err(_) => Reply::refused(
                Refusal::new(
                    500,
                    "内部错误：这个请求未能完成，文件未改动；请把操作步骤告知维护人员",
                ),
                wants_json,
            ),
        };
        let mut resp = Response::from_data(reply.body)
            .with_status_code(reply.status)
            .with_chunked_threshold(usize::MAX);
        let mut headers = vec![
            ("Content-Type".to_string(), reply.kind.to_string()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("X-Frame-Options".into(), "DENY".into()),
            ("Referrer-Policy".into(), "no-referrer".into()),
            ("Cache-Control".into(), "no-store".into()),
            (
                "Content-Security-Policy".into(),
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'none'".into(),
            ),
        ];
        for (k, v) in reply.headers {
            headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&k));
            headers.push((k, v));
        }
        for (k, v) in headers {
            if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                resp.add_header(h);
            }
        }
        let _ = req.respond(resp);
    }

    fn route(&self, req: &mut Request) -> Result<Reply, Refusal> {
        self.guard.host(header(req, "Host"))?;
        let url = req.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let query_token = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .map(str::to_string);
        self.guard
            .read(query_token.as_deref(), header(req, "Cookie"))?;
        if self.guard.remote && query_token.is_some() && *req.method() == Method::Get {
            // Trade the link's token for a cookie, and drop it from the URL.
            return Ok(Reply {
                status: 303,
                kind: "text/plain; charset=utf-8",
                body: Vec::new(),
                headers: vec![
                    ("Location".into(), path.to_string()),
                    (
                        "Set-Cookie".into(),
                        format!(
                            "gongwen_token={}; HttpOnly; SameSite=Strict; Path=/",
                            self.guard.token
                        ),
                    ),
                ],
            });
        }
        let name = |prefix: &str| -> Result<String, Refusal> {
            let raw = path.strip_prefix(prefix).unwrap_or("");
            guard::percent_decode(raw).ok_or_else(|| Refusal::new(404, "文件名无法识别"))
        };
        match (req.method().clone(), path) {
            (Method::Get, "/") => Ok(self.index()),
            (Method::Get, "/desk.js") => Ok(asset(
                include_str!("desk.js"),
                "text/javascript; charset=utf-8",
            )),
            (Method::Get, "/desk.css") => {
                Ok(asset(include_str!("desk.css"), "text/css; charset=utf-8"))
            }
            (Method::Get, "/fonts/ui") => Ok(ui_font()),
            (Method::Get, "/favicon.ico") => Ok(Reply {
                status: 204,
                kind: "image/x-icon",
                body: Vec::new(),
                headers: Vec::new(),
            }),
            (Method::Get, p) if p.starts_with("/fonts/") => self.font(&p["/fonts/".len()..]),
            (Method::Get, p) if p.starts_with("/edit/") => self.edit_page(&name("/edit/")?),
            (Method::Get, p) if p.starts_with("/download/") => self.download(&name("/download/")?),
            (Method::Post, p) if p.starts_with("/api/") => {
                self.guard.write(
                    header(req, "Origin"),
                    header(req, "Sec-Fetch-Site"),
                    header(req, "X-Gongwen-Token"),
                )?;
                let body = read_body(req)?;
                match p {
                    "/api/new" => self.new_report(&body),
                    p if p.starts_with("/api/check/") => self.check(&name("/api/check/")?, &body),
                    p if p.starts_with("/api/save/") => self.save(&name("/api/save/")?, &body),
                    _ => Err(Refusal::new(404, "没有这个功能")),
                }
            }
            (Method::Get | Method::Head, _) => Err(Refusal::new(404, "没有这个页面")),
            _ => Err(Refusal::new(405, "不支持这种请求")),
        }
    }

    fn index(&self) -> Reply {
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if guard::data_file(&self.dir, &name, true).is_err() {
                    continue;
                }
                let path = e.path();
                let job = Job {
                    past_errors: true,
                    ..Job::new(&path).until(Until::Data)
                };
                let Warned { value, diagnostics } = compile(&job, &Disk, &self.fonts);
                let (annual, diagnostics) = match value {
                    Ok(c) => (c.input.report().is_some(), diagnostics),
                    Err(Failure::Data(d)) => (false, d),
                    Err(Failure::Typeset(..)) => (false, diagnostics),
                };
                files.push(page::Listed {
                    annual,
                    errors: diagnostics.error_count(),
                    warnings: diagnostics.warning_count(),
                    name,
                });
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Reply::html(page::index(
            &self.dir.display().to_string(),
            &files,
            &self.guard.token,
        ))
    }

    fn read_text(&self, path: &Path) -> Result<(String, String), Refusal> {
        let bytes = crate::data::read_bytes(path, crate::data::MAX_DATA_BYTES)
            .map_err(|d| Refusal::new(422, d.message))?;
        let version = edit::version(&bytes);
        let text = String::from_utf8(bytes)
            .map_err(|_| Refusal::new(422, "数据文件不是 UTF-8 编码的文本，请另存为 UTF-8"))?;
        Ok((text, version))
    }

    fn edit_page(&self, name: &str) -> Result<Reply, Refusal> {
        let path = guard::data_file(&self.dir, name, true)?;
        let (text, version) = self.read_text(&path)?;
        let src = Source::new(&path, text.as_str());
        let tree = match crate::data::parse_source(&src) {
            Ok(t) => t,
            Err(d) => {
                let body = format!(
                    "<header><a href=\"/\">← 文件列表</a><h1>{}</h1></header><main><p class=\"bad\">数据文件有语法错误，无法以表单打开。请用编辑器改正后刷新本页：</p><pre class=\"diagnostics\">{}</pre></main>",
                    page::escape(name),
                    page::escape(&d.to_string())
                );
                return Ok(Reply::html(page::shell(name, &self.guard.token, &body)));
            }
        };
        let job = Job {
            previous: false,
            past_errors: true,
            ..Job::new(&path).text(&text).until(Until::Data)
        };
        let schema = compile(&job, &Disk, &self.fonts)
            .value
            .ok()
            .filter(|c| c.input.report().is_none())
            .map(|c| c.input.template);
        let html = match schema {
            Some(t) => {
                let spec: Option<Value> = t
                    .schema
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok());
                let titles = move |path: &str| title_of(spec.as_ref(), path);
                page::record(name, &tree, &titles, &version, &self.guard.token)
            }
            None => page::annual(name, &tree, format_of(&tree), &version, &self.guard.token),
        };
        Ok(Reply::html(html))
    }

    /// The data file a check or save names, the edits posted for it, and
    /// its text and version as they are on disk.
    fn opened(&self, name: &str, body: &[u8]) -> Result<(PathBuf, Edits, String, String), Refusal> {
        let path = guard::data_file(&self.dir, name, true)?;
        let edits: Edits = json_body(body)?;
        let (text, version) = self.read_text(&path)?;
        Ok((path, edits, text, version))
    }

    fn check(&self, name: &str, body: &[u8]) -> Result<Reply, Refusal> {
        let started = Instant::now();
        let (path, edits, text, version) = self.opened(name, body)?;
        let text = edit::apply(&text, &edits).map_err(|m| Refusal::new(422, m))?;
        let mut out = self.checked(&path, &text);
        out["version"] = json!(version);
        out["elapsed_ms"] = json!(started.elapsed().as_secs_f64() * 1000.0);
        Ok(Reply::json(200, &out))
    }

    /// Diagnostics at their fields, the computed totals and the pages of a
    /// data file's text.
    fn checked(&self, path: &Path, text: &str) -> Value {
        let job = Job {
            past_errors: true,
            ..Job::new(path).text(text)
        };
        let Warned { value, diagnostics } = compile(&job, &Disk, &self.fonts);
        let src = Source::new(path, text);
        let tree = crate::data::parse_source(&src).ok();
        let (input, failed, diagnostics): (Option<&Input>, _, _) = match &value {
            Ok(c) => (Some(&c.input), None, diagnostics),
            Err(Failure::Typeset(input, d)) => (Some(&**input), Some(d), diagnostics),
            Err(Failure::Data(d)) => (None, None, d.clone()),
        };
        let mut diagnostics: Vec<Value> = diagnostics
            .0
            .iter()
            .map(|d| diagnostic(d, path, tree.as_ref()))
            .collect();
        let mut computed = serde_json::Map::new();
        if let Some(r) = input.and_then(Input::report) {
            for row in &r.applications.rows {
                let cols = if row.key == "total" { 0..7 } else { 6..7 };
                for j in cols {
                    computed.insert(
                        format!("applications.{}.{j}", row.key),
                        json!(row.values[j]),
                    );
                }
            }
            for b in &r.review {
                computed.insert(format!("review.{}.4", b.key), json!(b.values[4]));
            }
        }
        if let Some(d) = failed {
            diagnostics.push(diagnostic(d, path, tree.as_ref()));
        }
        let pages = value
            .as_ref()
            .map_or_else(|_| Vec::new(), |c| self.pages(c));
        let errors = diagnostics
            .iter()
            .filter(|d| d["severity"] == "error")
            .count();
        let warnings = diagnostics.len() - errors;
        json!({
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
            "computed": computed,
            "pages": pages,
        })
    }

    /// The pages as SVG previews, their faces served from then on.
    fn pages(&self, compiled: &Compiled) -> Vec<String> {
        let Some(t) = compiled.typeset() else {
            return Vec::new();
        };
        let faces = t.book.faces.len();
        if let Ok(mut b) = self.book.lock() {
            *b = t.book.clone();
        }
        t.laid
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| preview::svg(p, i + 1, faces))
            .collect()
    }

    fn save(&self, name: &str, body: &[u8]) -> Result<Reply, Refusal> {
        let (path, edits, text, version) = self.opened(name, body)?;
        if edits.version.as_deref() != Some(version.as_str()) {
            return Err(Refusal::new(
                409,
                "未保存：这个文件在本页打开之后已被修改（另一个页面或其他程序保存过）。为免覆盖别人的修改，请重新载入本页后再改",
            ));
        }
        let new = edit::apply(&text, &edits).map_err(|m| Refusal::new(422, m))?;
        if let Err(d) = crate::data::parse_source(&Source::new(&path, new.as_str())) {
            return Err(Refusal::new(
                422,
                format!(
                    "未保存：修改后的内容无法解析（{}）",
                    first_line(&d.to_string())
                ),
            ));
        }
        crate::output::write_atomic(&path, new.as_bytes())
            .map_err(|d| Refusal::new(500, format!("未保存：{}", d.message)))?;
        Ok(Reply::json(
            200,
            &json!({ "version": edit::version(new.as_bytes()), "message": "已保存" }),
        ))
    }

    fn new_report(&self, body: &[u8]) -> Result<Reply, Refusal> {
        let v: Value = json_body(body)?;
        let field = |k: &str| v[k].as_str().unwrap_or("").trim().to_string();
        let file = field("file");
        let file = if file.ends_with(".toml") || file.ends_with(".json") {
            file
        } else {
            format!("{file}.toml")
        };
        let path = guard::data_file(&self.dir, &file, false)?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Refusal::new(
                409,
                format!("已有文件「{file}」，换一个文件名"),
            ));
        }
        let from = field("from");
        let text = if from.is_empty() {
            let format = Format::parse(&field("format"))
                .ok_or_else(|| Refusal::new(422, "格式应为 2019 或 2021"))?;
            let agency = field("agency");
            if agency.is_empty() || agency.chars().count() > 100 || agency.contains(['\n', '"']) {
                return Err(Refusal::new(422, "请填写发布机关名称（不超过 100 字）"));
            }
            let year: i64 = field("year")
                .parse()
                .ok()
                .filter(|y| (2008..=2100).contains(y))
                .ok_or_else(|| Refusal::new(422, "报告年度应为四位数年份，例如 2025"))?;
            crate::annual::skeleton::skeleton(format, &agency, year)
        } else {
            let last = guard::data_file(&self.dir, &from, true)?;
            let job = Job::new(&last).until(Until::Data);
            let compiled = compile(&job, &Disk, &self.fonts).value;
            let report = compiled
                .as_ref()
                .ok()
                .and_then(|c| c.input.report())
                .ok_or_else(|| {
                    Refusal::new(422, format!("「{from}」有错误，请先改正再据此新建"))
                })?;
            crate::annual::skeleton::next_year(report, &from)
        };
        crate::output::write_atomic(&path, text.as_bytes())
            .map_err(|d| Refusal::new(500, d.message))?;
        Ok(Reply::json(
            200,
            &json!({ "url": format!("/edit/{}", page::url_segment(&file)) }),
        ))
    }

    fn download(&self, name: &str) -> Result<Reply, Refusal> {
        let (stem, ext) = name
            .rsplit_once('.')
            .filter(|(_, e)| *e == "pdf" || *e == "docx")
            .ok_or_else(|| Refusal::new(404, "只能下载 .pdf 或 .docx"))?;
        let path = guard::data_file(&self.dir, stem, true)?;
        let compiled = match compile(&Job::new(&path), &Disk, &self.fonts).value {
            Ok(c) => c,
            Err(Failure::Data(d)) => {
                return Err(Refusal::new(422, format!("数据有错误，未生成文件：\n{d}")))
            }
            Err(Failure::Typeset(_, d)) => {
                return Err(Refusal::new(422, format!("未生成文件：{d}")))
            }
        };
        let mut outputs = RenderOptions::default().outputs;
        if ext == "pdf" {
            outputs.docx = None;
        } else {
            outputs.pdf = None;
        }
        let t = compiled
            .typeset()
            .ok_or_else(|| Refusal::new(500, "未生成文件：没有排出版面"))?;
        let r = crate::epoch::source_date_epoch()
            .and_then(|epoch| {
                let outputs = crate::export::Outputs { epoch, ..outputs };
                crate::export::write(&t.document, &t.laid, &t.book, &outputs)
            })
            .map_err(|d| Refusal::new(422, format!("未生成文件：{d}")))?;
        let (bytes, kind) = if ext == "pdf" {
            (r.pdf, "application/pdf")
        } else {
            (
                r.docx,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        };
        let base = Path::new(stem).file_stem().map_or_else(
            || "report".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        Ok(Reply {
            status: 200,
            kind,
            body: bytes.unwrap_or_default(),
            headers: vec![(
                "Content-Disposition".into(),
                format!(
                    "attachment; filename=\"report.{ext}\"; filename*=UTF-8''{}.{ext}",
                    page::url_segment(&base)
                ),
            )],
        })
    }

    fn font(&self, index: &str) -> Result<Reply, Refusal> {
        let book = self
            .book
            .lock()
            .map_or_else(|_| Arc::new(FontBook::bundled()), |b| b.clone());
        let face = index
            .parse::<usize>()
            .ok()
            .and_then(|i| book.faces.get(i))
            .ok_or_else(|| Refusal::new(404, "没有这个字体"))?;
        Ok(Reply {
            status: 200,
            kind: "font/otf",
            body: face.bytes().to_vec(),
            headers: vec![("Cache-Control".into(), "private, max-age=3600".into())],
        })
    }
}

/// The bundled 黑体 for the desk's own labels: an intranet PC may have no
/// Chinese font the browser finds.
fn ui_font() -> Reply {
    let book = FontBook::bundled();
    let face = book
        .faces
        .iter()
        .find(|f| f.name.starts_with("FandolHei"))
        .or(book.faces.first());
    Reply {
        status: 200,
        kind: "font/otf",
        body: face.map(|f| f.bytes().to_vec()).unwrap_or_default(),
        headers: vec![("Cache-Control".into(), "private, max-age=3600".into())],
    }
}

fn asset(text: &'static str, kind: &'static str) -> Reply {
    Reply {
        status: 200,
        kind,
        body: text.as_bytes().to_vec(),
        headers: Vec::new(),
    }
}

fn read_body(req: &mut Request) -> Result<Vec<u8>, Refusal> {
    let too_big = || Refusal::new(413, "请求的内容过大");
    if req.body_length().is_some_and(|n| n > guard::MAX_BODY) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    req.as_reader()
        .take(guard::MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| Refusal::new(400, "请求的内容无法读取"))?;
    if body.len() > guard::MAX_BODY {
        return Err(too_big());
    }
    Ok(body)
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|_| Refusal::new(400, "请求的内容无法识别"))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The format a report's form is shown in, from the file's own keys.
fn format_of(tree: &Node) -> Format {
    if let Some(NodeKind::Str(f)) = tree.get("format").map(|n| &n.kind) {
        if let Some(f) = Format::parse(f) {
            return f;
        }
    }
    match tree.get("year").map(|n| &n.kind) {
        Some(NodeKind::Int(y)) => {
            crate::data::node::parse_int(y).map_or(Format::F2021, Format::for_year)
        }
        _ => Format::F2021,
    }
}

/// A schema's `title` for a key path, array indexes going through `items`
/// and local `$ref`s (`#/$defs/row`) followed.
fn title_of(schema: Option<&Value>, path: &str) -> Option<String> {
    let root = schema?;
    let mut s = deref(root, root)?;
    for seg in path.split('.') {
        s = if seg.bytes().all(|b| b.is_ascii_digit()) {
            deref(root, s.get("items")?)?
        } else {
            deref(root, s.get("properties")?.get(seg)?)?
        };
    }
    s.get("title")?.as_str().map(str::to_string)
}

fn deref<'a>(root: &'a Value, mut s: &'a Value) -> Option<&'a Value> {
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => s = root.pointer(r.strip_prefix('#')?)?,
            None => return Some(s),
        }
    }
    None
}

fn diagnostic(d: &Diagnostic, path: &Path, tree: Option<&Node>) -> Value {
    let here = d.file.as_deref().is_none_or(|f| f == path);
    let field = match (here, &d.span, tree) {
        (true, Some(span), Some(t)) => page::field_at(t, span.start),
        _ => None,
    };
    json!({
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "message": d.message,
        "hints": d.hints,
        "field": field,
        "line": d.location.as_ref().map(|l| l.line),
        "file": d.file.as_ref().map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())),
        "text": d.to_string(),
    })
}

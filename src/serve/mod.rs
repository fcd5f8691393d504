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

pub mod district;
pub mod edit;
pub mod form;
pub mod guard;
pub mod http;
pub mod page;
pub mod preview;
pub mod start;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};

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
use http::{Method, Reply, Request};

/// How `gongwen serve` was started. `Default` is the command line's
/// defaults (this folder, 127.0.0.1:8410).
pub struct ServeOptions {
    pub dir: PathBuf,
    pub port: u16,
    /// An address other than 127.0.0.1 to listen on: `IP` or `IP:PORT`
    /// (`0.0.0.0` for every address of the host).
    pub listen: Option<String>,
    /// Opens the printed link in the default browser, when given: the
    /// command line's opener (`launch::open_browser`), which the desk
    /// itself does not know.
    pub open: Option<fn(&str) -> bool>,
    /// Other names the desk is reached by (an intranet DNS name).
    pub hosts: Vec<String>,
    /// The address of a reverse proxy in front of the desk: its
    /// `X-Forwarded-Host`, `X-Forwarded-Proto` and `X-Forwarded-For`
    /// are believed.
    pub proxy: Option<String>,
    /// Font folders searched before the bundled fonts, as for `render`.
    pub font_dirs: Vec<PathBuf>,
    /// `dir` is a district's folder: a folder per unit, accounts and
    /// logins instead of the printed link's token.
    pub district: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            dir: PathBuf::from("."),
            port: 8410,
            listen: None,
            open: None,
            hosts: Vec::new(),
            proxy: None,
            font_dirs: Vec::new(),
            district: false,
        }
    }
}

/// One folder's desk: its files, the token its pages carry, and what it
/// may do there.
struct Desk {
    dir: PathBuf,
    /// The token every page carries and every write sends back.
    token: String,
    /// Why nothing may be written here (a report another unit's, or one
    /// handed in): pages and checks are served, writes refused with it.
    read_only: Option<String>,
    /// Told of every data file written, with its bytes before (none for a
    /// new file) and after, while the save lock is still held (the
    /// district desk's history).
    saved: Option<Saved>,
    shared: Arc<Shared>,
}

type Saved = Box<dyn Fn(&Path, Option<&[u8]>, &[u8]) -> Result<(), String> + Send + Sync>;

/// What every folder's desk of one server shares.
struct Shared {
    guard: Guard,
    fonts: FontDirs,
    /// The font books previews were drawn with, served at `/fonts/B/N`.
    books: Mutex<Vec<Arc<FontBook>>>,
    /// Held from a save's version check to its write: two saves of one
    /// file never interleave.
    saving: Mutex<()>,
}

/// Font books the desk keeps serving; a folder's templates rarely use
/// more than two.
const MAX_BOOKS: usize = 8;

fn refused(r: Refusal, wants_json: bool) -> Reply {
    if wants_json {
        Reply::json(r.status, &json!({ "message": r.message }))
    } else {
        Reply::text(r.status, r.message)
    }
}

fn usage(message: &str, hint: &str) -> Exit {
    eprint!(
        "{}",
        Diagnostic::error(message)
            .hint(hint)
            .kind(crate::diag::Kind::Usage)
    );
    Exit::Usage
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
    let addr = match start::address(opts.listen.as_deref(), opts.port) {
        Ok(a) => a,
        Err(m) => return usage(&m, "gongwen serve --help 列出各选项"),
    };
    let proxy = match opts.proxy.as_deref().map(|p| p.trim().parse()) {
        None => None,
        Some(Ok(ip)) => Some(ip),
        Some(Err(_)) => {
            return usage(
                "--proxy 应为反向代理所在的 IP 地址，例如 --proxy 127.0.0.1",
                "反向代理与公文台在同一台电脑上时写 127.0.0.1",
            )
        }
    };
    for d in &opts.font_dirs {
        if !d.is_dir() {
            eprint!(
                "{}",
                Diagnostic::error("字体目录不存在或不是目录")
                    .in_file(d)
                    .hint("--font-dir 写放字体文件（.otf/.ttf）的文件夹")
                    .kind(crate::diag::Kind::Usage)
            );
            return Exit::Usage;
        }
    }
    let listener = match start::bind(addr) {
        Ok(l) => l,
        Err(m) => {
            eprintln!("{m}");
            return Exit::Io;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    let token = match guard::new_token() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("错误: 无法生成会话令牌（{}）", crate::diag::io_message(&e));
            return Exit::Io;
        }
    };
    let (guard, mut links) = start::guard(addr, &opts.hosts, proxy, token);
    let store = if opts.district {
        // Logins instead of the token: the address stays the same across
        // restarts, so bookmarks keep working.
        for l in &mut links {
            if let Some(at) = l.find("?token=") {
                l.truncate(at);
            }
        }
        match district::store::Store::open(&dir) {
            Ok(s) => Some(s),
            Err(m) => {
                eprintln!("错误: {m}");
                return Exit::Io;
            }
        }
    } else {
        None
    };
    // Written without println!: a closed standard output must not end the
    // desk.
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let first = links.first().cloned().unwrap_or_default();
    let _ = writeln!(out, "公文台已启动：{first}");
    for l in links.iter().skip(1) {
        let _ = writeln!(out, "　　也可用：{l}");
    }
    if store.is_some() {
        let _ = writeln!(
            out,
            "区文件夹：{}（各单位一个文件夹，凭账号登录；按 Ctrl-C 结束）",
            dunce::simplified(&dir).display()
        );
    } else {
        if !addr.ip().is_loopback() {
            let _ = writeln!(
                out,
                "注意：在 {} 上监听，局域网中的其他电脑可访问；须用上面带令牌的链接打开",
                guard::host_name(addr.ip())
            );
        }
        let _ = writeln!(
            out,
            "文件夹：{}（按 Ctrl-C 结束；链接中的令牌只在本次运行中有效）",
            dunce::simplified(&dir).display()
        );
    }
    let _ = out.flush();
    if let Some(open) = opts.open {
        if !open(&first) {
            println!("无法自动打开浏览器，请在浏览器地址栏输入 {first}");
        }
    }
    crate::interrupt::install();
    let token = guard.token.clone();
    let shared = Arc::new(Shared {
        guard,
        fonts: FontDirs::new(opts.font_dirs.clone()),
        books: Mutex::new(Vec::new()),
        saving: Mutex::new(()),
    });
    let served = match store {
        Some(store) => http::serve(
            listener,
            Arc::new(district::District::new(dir, store, shared)),
            http::Limits::default(),
            crate::interrupt::requested,
        ),
        None => http::serve(
            listener,
            Arc::new(Desk {
                dir,
                token,
                read_only: None,
                saved: None,
                shared,
            }),
            http::Limits::default(),
            crate::interrupt::requested,
        ),
    };
    match served {
        Ok(()) => {
            let _ = writeln!(std::io::stdout(), "公文台已结束");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("错误: 服务无法运行（{}）", crate::diag::io_message(&e));
            Exit::Io
        }
    }
}

const INTERNAL: &str = "内部错误：这个请求未能完成，文件未改动；请把操作步骤告知维护人员";

impl http::App for Desk {
    fn admit(&self, req: &Request) -> Result<(), Reply> {
        let wants_json = req.path.starts_with("/api/");
        let checked = self.shared.guard.origin(req).and_then(|own| {
            self.shared.guard.read(req)?;
            if req.method == Method::POST {
                self.shared.guard.write(req, &own, &self.token)?;
            }
            Ok(())
        });
        checked.map_err(|r| refused(r, wants_json))
    }

    fn handle(&self, req: Request) -> Reply {
        let wants_json = req.path.starts_with("/api/");
        self.route(&req).unwrap_or_else(|r| refused(r, wants_json))
    }

    fn failed(&self, path: &str) -> Reply {
        refused(Refusal::new(500, INTERNAL), path.starts_with("/api/"))
    }

    fn limit(&self, status: u16, message: &str, path: &str) -> Reply {
        refused(Refusal::new(status, message), path.starts_with("/api/"))
    }
}

impl Desk {
    fn route(&self, req: &Request) -> Result<Reply, Refusal> {
        let path = req.path.as_str();
        if req.query_param("token").is_some() && req.method == Method::GET {
            // Trade the link's token for a cookie, and drop it from the URL.
            let https = self.shared.guard.origin(req).is_ok_and(|o| o.https);
            return Ok(Reply::text(303, "").with("Location", path).with(
                "Set-Cookie",
                format!(
                    "{}={}; HttpOnly; SameSite=Strict; Path=/{}",
                    self.shared.guard.cookie_name(),
                    self.token,
                    if https { "; Secure" } else { "" }
                ),
            ));
        }
        let name = |prefix: &str| -> Result<String, Refusal> {
            let raw = path.strip_prefix(prefix).unwrap_or("");
            guard::percent_decode(raw).ok_or_else(|| Refusal::new(404, "文件名无法识别"))
        };
        match (&req.method, path) {
            (&Method::GET, "/") => Ok(self.index()),
            (&Method::GET, "/desk.js") => Ok(asset(
                include_str!("desk.js"),
                "text/javascript; charset=utf-8",
            )),
            (&Method::GET, "/desk.css") => {
                Ok(asset(include_str!("desk.css"), "text/css; charset=utf-8"))
            }
            (&Method::GET, "/fonts/ui") => Ok(ui_font()),
            (&Method::GET, "/favicon.ico") => Ok(Reply::new(204, "image/x-icon", Vec::new())),
            (&Method::GET, p) if p.starts_with("/fonts/") => self.font(&p["/fonts/".len()..]),
            (&Method::GET, p) if p.starts_with("/edit/") => self.edit_page(&name("/edit/")?),
            (&Method::GET, p) if p.starts_with("/download/") => self.download(&name("/download/")?),
            (&Method::POST, p) if p.starts_with("/api/") => {
                let body = &req.body;
                if let (Some(why), false) = (&self.read_only, p.starts_with("/api/check/")) {
                    return Err(Refusal::new(403, why.clone()));
                }
                match p {
                    "/api/new" => self.new_report(body),
                    p if p.starts_with("/api/check/") => self.check(&name("/api/check/")?, body),
                    p if p.starts_with("/api/save/") => self.save(&name("/api/save/")?, body),
                    p if p.starts_with("/api/picture/") => {
                        self.picture(&name("/api/picture/")?, body)
                    }
                    _ => Err(Refusal::new(404, "没有这个功能")),
                }
            }
            (&Method::GET | &Method::HEAD, _) => Err(Refusal::new(404, "没有这个页面")),
            _ => Err(Refusal::new(405, "不支持这种请求")),
        }
    }

    fn index(&self) -> Reply {
        let files = self.listed();
        Reply::html(page::index(
            &dunce::simplified(&self.dir).display().to_string(),
            &files,
            &self.token,
        ))
    }

    /// The folder's data files and what `check` says of each, by name.
    fn listed(&self) -> Vec<page::Listed> {
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Ok(path) = guard::data_file(&self.dir, &name, true) else {
                    continue;
                };
                let Ok((text, _)) = self.read_text(&path) else {
                    continue;
                };
                let job = Job {
                    past_errors: true,
                    ..Job::new(&path).text(&text).until(Until::Data)
                };
                let Warned { value, diagnostics } = compile(&job, &Disk, &self.shared.fonts);
                let (report, diagnostics) = match &value {
                    Ok(c) => (c.input.report(), diagnostics),
                    Err(Failure::Data(d)) => (None, d.clone()),
                    Err(Failure::Typeset(..)) => (None, diagnostics),
                };
                files.push(page::Listed {
                    annual: report.is_some(),
                    untouched: report.is_some_and(not_begun),
                    errors: diagnostics.error_count(),
                    warnings: diagnostics.warning_count(),
                    name,
                });
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files
    }

    /// The pictures directly in the folder a seal may name.
    fn pictures(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                guard::picture_file(&self.dir, &name).ok()?;
                Some(name)
            })
            .collect();
        names.sort();
        names
    }

    /// A data file's text and version, read through one handle opened
    /// without following a link.
    fn read_text(&self, path: &Path) -> Result<(String, String), Refusal> {
        let bytes = guard::read_data(path, crate::data::MAX_DATA_BYTES)?;
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
                    page::escape(
                        &d.0.iter().map(without_path).collect::<Vec<_>>().join("\n\n")
                    )
                );
                return Ok(Reply::html(page::shell(name, &self.token, &body)));
            }
        };
        let job = Job {
            previous: false,
            past_errors: true,
            ..Job::new(&path).text(&text).until(Until::Data)
        };
        let schema = compile(&job, &Disk, &self.shared.fonts)
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
                let pictures = self.pictures();
                let f = form::Form {
                    root: &tree,
                    spec: form::Spec::new(spec.as_ref()),
                    pictures: &pictures,
                };
                page::record(name, &f, &version, &self.token)
            }
            None => page::annual(name, &tree, format_of(&tree), &version, &self.token),
        };
        Ok(Reply::html(html))
    }

    /// The data file a check or save names, the edits posted for it, and
    /// its text and version as they are on disk.
    fn opened(&self, name: &str, body: &[u8]) -> Result<(PathBuf, Edits, String, String), Refusal> {
        let path = guard::data_file(&self.dir, name, true)?;
        let edits: Edits = json_body(body)?;
        for (field, value) in &edits.fields {
            let leaf = field.rsplit('.').next().unwrap_or_default();
            if form::picture_key(leaf).is_some() && !value.is_empty() {
                guard::picture_file(&self.dir, value)?;
            }
        }
        let (text, version) = self.read_text(&path)?;
        Ok((path, edits, text, version))
    }

    fn check(&self, name: &str, body: &[u8]) -> Result<Reply, Refusal> {
        let started = Instant::now();
        let (path, edits, text, version) = self.opened(name, body)?;
        let text = edit::apply_to(&path, &text, &edits).map_err(|m| Refusal::new(422, m))?;
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
        let Warned { value, diagnostics } = compile(&job, &Disk, &self.shared.fonts);
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
        if let Some(d) = failed {
            diagnostics.push(diagnostic(d, path, tree.as_ref()));
        }
        if let Some(titles) = input
            .filter(|i| i.report().is_none())
            .and_then(|i| i.template.schema.as_deref())
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .map(|s| key_titles(&s))
        {
            for d in &mut diagnostics {
                in_form_words(d, &titles);
            }
        }
        let mut computed = serde_json::Map::new();
        if let Some(r) = input.and_then(Input::report) {
            if r.previous.is_some() {
                carried_over_too(&mut diagnostics);
            }
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
        let id = self.keep_book(t.book.clone());
        t.laid
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| preview::svg(p, i + 1, id, faces))
            .collect()
    }

    /// The number a preview names its font book by: the same book keeps
    /// its number while the desk runs (the cache hands out one `Arc` per
    /// set of fonts).
    fn keep_book(&self, book: Arc<FontBook>) -> usize {
        let mut books = self.shared.books.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = books.iter().position(|b| Arc::ptr_eq(b, &book)) {
            return i;
        }
        if books.len() >= MAX_BOOKS {
            // More font sets than a folder should hold: the last slot is
            // reused.
            books.pop();
        }
        books.push(book);
        books.len() - 1
    }

    fn save(&self, name: &str, body: &[u8]) -> Result<Reply, Refusal> {
        let _one_at_a_time = self.shared.saving.lock().unwrap_or_else(|e| e.into_inner());
        let (path, edits, text, version) = self.opened(name, body)?;
        if edits.version.as_deref() != Some(version.as_str()) {
            return Err(Refusal::new(
                409,
                "未保存：这个文件在本页打开之后已被修改（另一个页面或其他程序保存过）。为免覆盖别人的修改，请重新载入本页后再改",
            ));
        }
        let new = edit::apply_to(&path, &text, &edits).map_err(|m| Refusal::new(422, m))?;
        if let Err(d) = crate::data::parse_source(&Source::new(&path, new.as_str())) {
            return Err(Refusal::new(
                422,
                format!(
                    "未保存：修改后的内容无法解析（{}）",
                    d.0.first().map_or("", |d| d.message.as_str())
                ),
            ));
        }
        crate::output::rewrite_atomic(&path, new.as_bytes())
            .map_err(|d| Refusal::new(500, format!("未保存：{}", d.message)))?;
        self.record(&path, Some(text.as_bytes()), new.as_bytes())?;
        Ok(Reply::json(
            200,
            &json!({ "version": edit::version(new.as_bytes()), "message": "已保存" }),
        ))
    }

    /// Tells the history of a file just written, if this desk keeps one.
    fn record(&self, path: &Path, old: Option<&[u8]>, new: &[u8]) -> Result<(), Refusal> {
        match &self.saved {
            Some(saved) => saved(path, old, new)
                .map_err(|m| Refusal::new(500, format!("文件已保存，但未能记入修改记录：{m}"))),
            None => Ok(()),
        }
    }

    fn new_report(&self, body: &[u8]) -> Result<Reply, Refusal> {
        let _one_at_a_time = self.shared.saving.lock().unwrap_or_else(|e| e.into_inner());
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
        let kind = field("kind");
        let text = if !kind.is_empty() {
            document(&kind)?
        } else if from.is_empty() {
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
            let compiled = compile(&job, &Disk, &self.shared.fonts).value;
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
        self.record(&path, None, text.as_bytes())?;
        Ok(Reply::json(
            200,
            &json!({ "url": format!("/edit/{}", page::url_segment(&file)) }),
        ))
    }

    /// A seal picture sent from the clerk's computer, written into the
    /// folder under its own name (never over a file already there) once
    /// it reads as a picture.
    fn picture(&self, name: &str, body: &[u8]) -> Result<Reply, Refusal> {
        let _one_at_a_time = self.shared.saving.lock().unwrap_or_else(|e| e.into_inner());
        let path = guard::picture_file(&self.dir, name)?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Refusal::new(
                409,
                format!("文件夹中已有「{name}」：可直接在列表中选它，或把新图片改名后再上传"),
            ));
        }
        crate::picture::Picture::read(body.to_vec(), 119.0)
            .map_err(|why| Refusal::new(422, format!("「{name}」不能用作印章：{why}")))?;
        crate::output::write_atomic(&path, body).map_err(|d| Refusal::new(500, d.message))?;
        Ok(Reply::json(
            200,
            &json!({ "name": name, "message": "已上传" }),
        ))
    }

    fn download(&self, name: &str) -> Result<Reply, Refusal> {
        let (stem, ext) = name
            .rsplit_once('.')
            .filter(|(_, e)| *e == "pdf" || *e == "docx")
            .ok_or_else(|| Refusal::new(404, "只能下载 .pdf 或 .docx"))?;
        let path = guard::data_file(&self.dir, stem, true)?;
        let (text, _) = self.read_text(&path)?;
        let tree = crate::data::parse_source(&Source::new(&path, text.as_str())).ok();
        let not_made = |mut diagnostics: Vec<Value>| {
            self.label_fields(stem, &mut diagnostics);
            let mut r = Reply::html(page::not_rendered(stem, ext, &diagnostics, &self.token));
            r.status = 422;
            r
        };
        let job = Job::new(&path).text(&text);
        let compiled = match compile(&job, &Disk, &self.shared.fonts).value {
            Ok(c) => c,
            Err(Failure::Data(d)) => {
                let ds =
                    d.0.iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(|d| diagnostic(d, &path, tree.as_ref()))
                        .collect();
                return Ok(not_made(ds));
            }
            Err(Failure::Typeset(_, d)) => {
                return Ok(not_made(vec![diagnostic(&d, &path, tree.as_ref())]))
            }
        };
        let Some(t) = compiled.typeset() else {
            return Err(Refusal::new(500, "未生成文件：没有排出版面"));
        };
        let mut outputs = RenderOptions::default().outputs;
        if ext == "pdf" {
            outputs.docx = None;
        } else {
            outputs.pdf = None;
        }
        let r = match crate::epoch::source_date_epoch().and_then(|epoch| {
            let outputs = crate::export::Outputs { epoch, ..outputs };
            crate::export::write(&t.document, &t.laid, &t.book, &outputs)
        }) {
            Ok(r) => r,
            Err(d) => return Ok(not_made(vec![diagnostic(&d, &path, tree.as_ref())])),
        };
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
        Ok(Reply::new(200, kind, bytes.unwrap_or_default()).with(
            "Content-Disposition",
            format!(
                "attachment; filename=\"report.{ext}\"; filename*=UTF-8''{}.{ext}",
                page::url_segment(&base)
            ),
        ))
    }

    /// Gives each diagnostic with a field the label its form shows for it
    /// (表三「自然人」「一、本年新收」…), read from the form itself.
    fn label_fields(&self, name: &str, diagnostics: &mut [Value]) {
        let Ok(form) = self.edit_page(name) else {
            return;
        };
        let html = String::from_utf8_lossy(&form.body);
        for d in diagnostics.iter_mut() {
            let label = d["field"].as_str().and_then(|f| page::label_in(&html, f));
            if let Some(l) = label {
                d["label"] = Value::from(l);
            }
        }
    }

    /// `/fonts/B/N`: face N of font book B, as a preview names it.
    fn font(&self, which: &str) -> Result<Reply, Refusal> {
        let none = || Refusal::new(404, "没有这个字体");
        let (b, f) = which.split_once('/').ok_or_else(none)?;
        let (b, f) = (
            b.parse::<usize>().map_err(|_| none())?,
            f.parse::<usize>().map_err(|_| none())?,
        );
        let book = {
            let books = self.shared.books.lock().unwrap_or_else(|e| e.into_inner());
            books.get(b).cloned().ok_or_else(none)?
        };
        let face = book.faces.get(f).ok_or_else(none)?;
        Ok(Reply::new(200, "font/otf", face.bytes().to_vec())
            .with("Cache-Control", "private, max-age=3600"))
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
    Reply::new(
        200,
        "font/otf",
        face.map(|f| f.bytes().to_vec()).unwrap_or_default(),
    )
    .with("Cache-Control", "private, max-age=3600")
}

fn asset(text: &'static str, kind: &'static str) -> Reply {
    Reply::new(200, kind, text.as_bytes())
}

/// A new 通知, 函 or 纪要: the data file `gongwen new --template KIND`
/// writes, its example text for the clerk to replace.
fn document(kind: &str) -> Result<String, Refusal> {
    let unknown = || {
        Refusal::new(
            422,
            "文种应为 通知（notice）、函（letter）、纪要（minutes）或 命令（order）",
        )
    };
    if !matches!(kind, "notice" | "letter" | "minutes" | "order") {
        return Err(unknown());
    }
    let t =
        crate::template::Template::by_name_or_dir(Path::new(kind), &Disk).map_err(|_| unknown())?;
    let schema = t
        .spec
        .as_ref()
        .and_then(|s| s.schema.as_ref())
        .ok_or_else(unknown)?;
    let head = vec![
        format!(
            "# {} — 数据文件，在公文台中新建。",
            t.description.as_deref().unwrap_or(&t.name)
        ),
        format!("template = \"{kind}\""),
        String::new(),
    ];
    Ok(crate::data::example::example(
        schema,
        &head,
        &crate::epoch::today(),
    ))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|_| Refusal::new(400, "请求的内容无法识别"))
}

/// A diagnostic as text without the server's path: the message, the line
/// of the file it is on, the hints.
fn without_path(d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    if let Some(l) = &d.location {
        s.push_str(&format!("\n第 {} 行：{}", l.line, l.source_line.trim_end()));
    }
    for h in &d.hints {
        s.push_str(&format!("\n提示：{h}"));
    }
    s
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

/// A diagnostic as the page shows it: at its form field, in the words of
/// the form (no command lines, no server paths; the line of a file the
/// clerk never sees only when the form cannot be opened).
fn diagnostic(d: &Diagnostic, path: &Path, tree: Option<&Node>) -> Value {
    let here = d.file.as_deref().is_none_or(|f| f == path);
    let field = match (here, &d.span, tree) {
        (true, Some(span), Some(t)) => page::field_at(t, span.start),
        _ => None,
    };
    let hints: Vec<String> = d
        .hints
        .iter()
        .filter(|h| !h.contains("gongwen "))
        .map(|h| for_the_form(h))
        .collect();
    json!({
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "message": for_the_form(&d.message),
        "hints": hints,
        "field": field,
        "line": d.location.as_ref().map(|l| l.line),
        "file": d.file.as_ref().map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())),
    })
}

/// A C1 error in a report begun from last year's file: 二、上年结转 was
/// filled in from that file (结转), so its cell in the same column is marked
/// too — it is as likely to be the one to change.
fn carried_over_too(diagnostics: &mut [Value]) {
    for d in diagnostics.iter_mut() {
        let column = d["field"]
            .as_str()
            .and_then(|f| f.strip_prefix("applications.new."))
            .map(str::to_string);
        let c1 = d["message"].as_str().is_some_and(|m| m.contains("（C1）"));
        if let (true, Some(c)) = (c1, column) {
            d["also"] = json!([format!("applications.carried_over.{c}")]);
            if let Some(h) = d["hints"].as_array_mut() {
                h.push(json!(
                    "「二、上年结转」是据上一年度文件填入的（结转下年度），若上一年度的数字有误，也请核对这一格"
                ));
            }
        }
    }
}

/// A report no one has begun to fill in: as `new` wrote it (or `new
/// --from`, with last year's carried-over applications), every count of
/// this year's applications and reviews 0. It passes the check with one
/// warning, as a nearly finished report does; the list says which it is.
fn not_begun(r: &crate::annual::Report) -> bool {
    let carried = ["carried_over", "carried_forward"];
    r.applications
        .rows
        .iter()
        .filter(|row| !carried.contains(&row.key.as_str()))
        .all(|row| row.values.iter().all(|v| *v == 0))
        && r.review.iter().all(|b| b.values.iter().all(|v| *v == 0))
}

/// Every key a schema names with a title, and the title: what the form
/// labels that key's field.
fn key_titles(schema: &Value) -> std::collections::HashMap<String, String> {
    fn walk(v: &Value, out: &mut std::collections::HashMap<String, String>, depth: usize) {
        if depth > 32 {
            return;
        }
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for (k, p) in props {
                        if let Some(t) = p.get("title").and_then(Value::as_str) {
                            out.entry(k.clone()).or_insert_with(|| t.to_string());
                        }
                    }
                }
                o.values().for_each(|x| walk(x, out, depth + 1));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out, depth + 1)),
            _ => {}
        }
    }
    let mut out = std::collections::HashMap::new();
    walk(schema, &mut out, 0);
    out
}

/// A message's and its hints' key names (`issuer_suffix`) as the form's
/// labels (「标志后缀」): the clerk sees the labels, never the keys.
fn in_form_words(d: &mut Value, titles: &std::collections::HashMap<String, String>) {
    let swap = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match titles.get(word.as_str()) {
                Some(t) if word.len() > 2 => out.push_str(&format!("「{t}」")),
                _ => out.push_str(word),
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    };
    if let Some(m) = d["message"].as_str().map(&swap) {
        d["message"] = Value::from(m);
    }
    if let Some(hs) = d["hints"].as_array_mut() {
        for h in hs.iter_mut() {
            if let Some(t) = h.as_str().map(&swap) {
                *h = Value::from(t);
            }
        }
    }
}

/// A message of `check` as said to someone filling the form.
fn for_the_form(text: &str) -> String {
    text.replace("gongwen new 写入的占位文字", "新建时写入的占位文字")
}

//! `gongwen serve --district DIR`: the desk of a district's 公开办 and its
//! units. Each unit's clerks log in to their own folder `DIR/<unit>/` and
//! get the one-folder desk there, nothing else; the 公开办 sees every
//! unit's state, opens any unit's report read-only, sends it back with a
//! comment, passes it, sums the passed units and downloads their PDFs and
//! DOCX. Accounts, sessions, states and every save are kept in
//! `DIR/.gongwen/desk.sqlite`; the data files stay the one source.

pub mod changes;
pub mod pages;
pub mod password;
pub mod store;
pub mod throttle;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::guard::{self, Refusal};
use super::http::{self, Method, Reply, Request};
use super::{page, refused, Desk, Shared};
use crate::compile::{compile, Job, Until};
use crate::disk::Disk;
use store::{Handed, Session, Store};
use throttle::{Attempt, Gate, Throttle};

pub(super) struct District {
    root: PathBuf,
    store: Arc<Store>,
    shared: Arc<Shared>,
    throttle: Throttle,
    gate: Gate,
}

/// Where a unit stands, as the 公开办's page and the unit's bar say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    NotBegun,
    Filling,
    Errors(usize),
    Submitted,
    Returned(String),
    Passed,
}

impl Progress {
    pub fn label(&self) -> String {
        match self {
            Progress::NotBegun => "未开始".into(),
            Progress::Filling => "填写中".into(),
            Progress::Errors(n) => format!("有错误（{n}）"),
            Progress::Submitted => "已提交".into(),
            Progress::Returned(_) => "已退回".into(),
            Progress::Passed => "已通过".into(),
        }
    }
}

/// A unit's name as a folder of the district: one plain path segment.
pub fn unit_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 64
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0', '"', '<', '>', '|', '?', '*'])
        && !name.chars().any(char::is_control)
}

/// The static files every page needs, served before login (the login
/// page uses them).
fn asset(path: &str) -> bool {
    matches!(
        path,
        "/desk.js" | "/desk.css" | "/fonts/ui" | "/favicon.ico"
    )
}

impl District {
    pub(super) fn new(root: PathBuf, store: Store, shared: Arc<Shared>) -> District {
        District {
            root,
            store: Arc::new(store),
            shared,
            throttle: Throttle::default(),
            gate: Gate::for_this_machine(),
        }
    }

    fn cookie_name(&self) -> String {
        format!("gongwen_district_{}", self.shared.guard.port)
    }

    fn session(&self, req: &Request) -> Result<Option<(String, Session)>, Refusal> {
        let Some(id) = guard::cookie(req, &self.cookie_name()) else {
            return Ok(None);
        };
        let s = self.store.session(id).map_err(|m| Refusal::new(500, m))?;
        Ok(s.map(|s| (id.to_string(), s)))
    }

    /// The unit folders of the district, by name.
    pub fn units(&self) -> Vec<String> {
        let mut units: Vec<String> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| unit_name_ok(n))
            .collect();
        units.sort();
        units
    }

    /// The one-folder desk of a unit, for this session.
    fn desk(&self, unit: &str, session: &Session, read_only: Option<String>) -> Desk {
        let (store, unit_name, user) = (self.store.clone(), unit.to_string(), session.user.clone());
        let saved: super::Saved = Box::new(move |path: &Path, old: Option<&[u8]>, new: &[u8]| {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let changed = changes::changed(&file, old, new);
            store.record(&unit_name, &file, &user, new, &changed)
        });
        Desk {
            dir: self.root.join(unit),
            token: session.csrf.clone(),
            read_only,
            saved: Some(saved),
            shared: self.shared.clone(),
        }
    }

    /// Where a unit stands: the state the 公开办 set, or what its files
    /// say.
    pub fn progress(&self, unit: &str, desk: &Desk) -> Result<Progress, Refusal> {
        let state = self.store.state(unit).map_err(|m| Refusal::new(500, m))?;
        match state {
            Some(s) if s.handed == Handed::Passed => return Ok(Progress::Passed),
            Some(s) if s.handed == Handed::Submitted => return Ok(Progress::Submitted),
            Some(s) if s.handed == Handed::Returned => return Ok(Progress::Returned(s.comment)),
            _ => {}
        }
        Ok(filled(&desk.listed()))
    }

    fn route(&self, req: &Request) -> Result<Reply, Refusal> {
        let path = req.path.as_str();
        if asset(path) {
            let s = Session {
                user: String::new(),
                unit: None,
                csrf: String::new(),
                viewing: None,
            };
            return self.desk(".", &s, Some("只读".into())).route(req);
        }
        match (&req.method, path) {
            (&Method::GET, "/login") => return Ok(Reply::html(pages::login(""))),
            (&Method::POST, "/login") => return self.login(req),
            _ => {}
        }
        let Some((id, session)) = self.session(req)? else {
            if path.starts_with("/api/") || req.method != Method::GET {
                return Err(Refusal::new(401, "请先登录（登录已过期或已退出）"));
            }
            return Ok(Reply::text(303, "").with("Location", "/login"));
        };
        if req.method == Method::POST {
            let form = pages::Form::parse(&req.body);
            let sent = req.header("x-gongwen-token").or_else(|| form.get("token"));
            if !sent.is_some_and(|t| guard::same(t, &session.csrf)) {
                return Err(Refusal::new(
                    403,
                    "拒绝：请求没有带本次登录的令牌，请从本服务的页面操作",
                ));
            }
        }
        if (&req.method, path) == (&Method::POST, "/logout") {
            self.store.logout(&id).map_err(|m| Refusal::new(500, m))?;
            return Ok(Reply::text(303, "").with("Location", "/login").with(
                "Set-Cookie",
                format!(
                    "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
                    self.cookie_name()
                ),
            ));
        }
        match session.unit.clone() {
            Some(unit) => self.clerk(req, &session, &unit),
            None => self.office(req, &id, &session),
        }
    }

    fn login(&self, req: &Request) -> Result<Reply, Refusal> {
        let form = pages::Form::parse(&req.body);
        let (name, password) = (
            form.get("name").unwrap_or("").trim(),
            form.get("password").unwrap_or(""),
        );
        let client = self.shared.guard.client(req);
        if client.is_none() {
            unknown_clients();
        }
        self.reset_since(name)?;
        // A locked name or address is answered before argon2 runs: the
        // refusal costs nothing, so a flood of them cannot take the CPU.
        if let Some(left) = self.throttle.locked(name, client, store::now_ms()) {
            return Ok(too_many(left));
        }
        let Some(_turn) = self.gate.enter() else {
            let mut r = Reply::html(pages::login("服务器繁忙，请稍后再试"));
            r.status = 503;
            return Ok(r.with("Retry-After", "5"));
        };
        let attempt = match self.throttle.begin(name, client, store::now_ms()) {
            Ok(a) => a,
            Err(left) => return Ok(too_many(left)),
        };
        let id = match self.store.login(name, password) {
            Ok(id) => id,
            Err(m) => {
                self.throttle.void(&attempt);
                return Err(Refusal::new(500, m));
            }
        };
        let Some(id) = id else {
            failed_login(name, client, &attempt);
            let mut r = Reply::html(pages::login("用户名或密码不对，或账号已停用"));
            r.status = 403;
            return Ok(r);
        };
        self.throttle.succeeded(&attempt);
        let https = self.shared.guard.origin(req).is_ok_and(|o| o.https);
        Ok(Reply::text(303, "").with("Location", "/").with(
            "Set-Cookie",
            format!(
                "{}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                self.cookie_name(),
                store::SESSION_SECS,
                if https { "; Secure" } else { "" }
            ),
        ))
    }

    /// A password reset by `gongwen user reset` since the name's failures
    /// began ends its lock.
    fn reset_since(&self, name: &str) -> Result<(), Refusal> {
        let Some(since) = self.throttle.since(name) else {
            return Ok(());
        };
        let reset = self
            .store
            .unlocked(name)
            .map_err(|m| Refusal::new(500, m))?;
        if reset.is_some_and(|at| at >= since) {
            self.throttle.forget(name);
        }
        Ok(())
    }

    /// A unit's clerk: the unit's own folder, its history, 提交.
    fn clerk(&self, req: &Request, session: &Session, unit: &str) -> Result<Reply, Refusal> {
        if !self.root.join(unit).is_dir() {
            return Err(Refusal::new(
                404,
                format!("单位「{unit}」的文件夹不存在，请公开办建立"),
            ));
        }
        let path = req.path.as_str();
        if path.starts_with("/office") {
            return Err(Refusal::new(403, "只有公开办的账号可以做这件事"));
        }
        let probe = self.desk(unit, session, None);
        let progress = self.progress(unit, &probe)?;
        let locked = match progress {
            Progress::Submitted => {
                Some("已提交，等待公开办审核：不能再修改（公开办退回后可改）".to_string())
            }
            Progress::Passed => Some("已通过：不能再修改".to_string()),
            _ => None,
        };
        let desk = self.desk(unit, session, locked);
        let bar = pages::Bar {
            user: &session.user,
            unit,
            csrf: &session.csrf,
            progress: &progress,
            office: false,
            read_only: desk.read_only.is_some(),
        };
        let reply = match (&req.method, path) {
            (&Method::POST, "/district/submit") => return self.submit(unit, session, &desk),
            (&Method::GET, "/history") => {
                let versions = self
                    .store
                    .versions(unit)
                    .map_err(|m| Refusal::new(500, m))?;
                Reply::html(pages::history(&bar, &versions, desk.read_only.is_none()))
            }
            (&Method::GET, p) if p.starts_with("/history/") => self.version(&bar, unit, p)?,
            (&Method::POST, p) if p.starts_with("/district/restore/") => {
                if let Some(why) = &desk.read_only {
                    return Err(Refusal::new(403, why.clone()));
                }
                return self.restore(&desk, unit, p);
            }
            _ => desk.route(req)?,
        };
        Ok(pages::with_bar(reply, &bar))
    }

    fn submit(&self, unit: &str, session: &Session, desk: &Desk) -> Result<Reply, Refusal> {
        if let Some(why) = &desk.read_only {
            return Err(Refusal::new(409, why.clone()));
        }
        match filled(&desk.listed()) {
            Progress::NotBegun => {
                return Err(Refusal::new(
                    409,
                    "未提交：报告还未填写（表三、表四的数字均为 0）",
                ))
            }
            Progress::Errors(n) => {
                return Err(Refusal::new(
                    409,
                    format!("未提交：还有 {n} 个错误，改正后再提交"),
                ))
            }
            _ => {}
        }
        self.store
            .set_state(unit, Handed::Submitted, "", &session.user)
            .map_err(|m| Refusal::new(500, m))?;
        Ok(Reply::text(303, "").with("Location", "/"))
    }

    fn version(&self, bar: &pages::Bar, unit: &str, path: &str) -> Result<Reply, Refusal> {
        let id: i64 = path["/history/".len()..]
            .parse()
            .map_err(|_| Refusal::new(404, "没有这个版本"))?;
        let (file, bytes) = self
            .store
            .version(unit, id)
            .map_err(|m| Refusal::new(500, m))?
            .ok_or_else(|| Refusal::new(404, "没有这个版本"))?;
        Ok(Reply::html(pages::version(
            bar,
            id,
            &file,
            &String::from_utf8_lossy(&bytes),
        )))
    }

    /// An earlier version saved again: the same bytes, a new save in the
    /// history.
    fn restore(&self, desk: &Desk, unit: &str, path: &str) -> Result<Reply, Refusal> {
        let id: i64 = path["/district/restore/".len()..]
            .parse()
            .map_err(|_| Refusal::new(404, "没有这个版本"))?;
        let _one_at_a_time = self.shared.saving.lock().unwrap_or_else(|e| e.into_inner());
        let (file, bytes) = self
            .store
            .version(unit, id)
            .map_err(|m| Refusal::new(500, m))?
            .ok_or_else(|| Refusal::new(404, "没有这个版本"))?;
        let target = guard::data_file(&desk.dir, &file, false)?;
        let old = guard::read_data(&target, crate::data::MAX_DATA_BYTES).ok();
        crate::output::rewrite_atomic(&target, &bytes)
            .or_else(|_| crate::output::write_atomic(&target, &bytes))
            .map_err(|d| Refusal::new(500, format!("未恢复：{}", d.message)))?;
        desk.record(&target, old.as_deref(), &bytes)?;
        Ok(Reply::text(303, "").with("Location", format!("/edit/{}", page::url_segment(&file))))
    }

    /// The 公开办: every unit, or one unit's report read-only.
    fn office(&self, req: &Request, id: &str, session: &Session) -> Result<Reply, Refusal> {
        let path = req.path.as_str();
        let unit_in = |prefix: &str| -> Result<String, Refusal> {
            let name = guard::percent_decode(&path[prefix.len()..])
                .filter(|n| unit_name_ok(n) && self.root.join(n).is_dir())
                .ok_or_else(|| Refusal::new(404, "没有这个单位"))?;
            Ok(name)
        };
        match (&req.method, path) {
            (&Method::GET, "/office") => {
                self.store
                    .view(id, None)
                    .map_err(|m| Refusal::new(500, m))?;
                return Ok(Reply::text(303, "").with("Location", "/"));
            }
            (&Method::GET, p) if p.starts_with("/office/view/") => {
                let unit = unit_in("/office/view/")?;
                self.store
                    .view(id, Some(&unit))
                    .map_err(|m| Refusal::new(500, m))?;
                return Ok(Reply::text(303, "").with("Location", "/"));
            }
            (&Method::POST, p) if p.starts_with("/office/return/") => {
                let unit = unit_in("/office/return/")?;
                let form = pages::Form::parse(&req.body);
                let comment = form.get("comment").unwrap_or("").trim().to_string();
                if comment.is_empty() || comment.chars().count() > 2000 {
                    return Err(Refusal::new(
                        422,
                        "退回时请写明要改什么（意见不超过 2000 字）",
                    ));
                }
                self.store
                    .set_state(&unit, Handed::Returned, &comment, &session.user)
                    .map_err(|m| Refusal::new(500, m))?;
                return Ok(Reply::text(303, "").with("Location", "/"));
            }
            (&Method::POST, p) if p.starts_with("/office/pass/") => {
                let unit = unit_in("/office/pass/")?;
                let probe = self.desk(&unit, session, Some(String::new()));
                if self.progress(&unit, &probe)? != Progress::Submitted {
                    return Err(Refusal::new(409, format!("「{unit}」还未提交，不能通过")));
                }
                self.store
                    .set_state(&unit, Handed::Passed, "", &session.user)
                    .map_err(|m| Refusal::new(500, m))?;
                return Ok(Reply::text(303, "").with("Location", "/"));
            }
            (&Method::POST, "/office/sum") => return self.sum(req, session),
            (&Method::GET, "/office/zip") => return self.zip(session),
            _ => {}
        }
        let Some(unit) = session
            .viewing
            .clone()
            .filter(|u| unit_name_ok(u) && self.root.join(u).is_dir())
        else {
            if path == "/" {
                return Ok(Reply::html(self.overview(session)?));
            }
            return Err(Refusal::new(
                404,
                "没有这个页面：请先在各单位列表中点「查看」选一个单位",
            ));
        };
        let desk = self.desk(
            &unit,
            session,
            Some("公开办只能查看各单位的报告，不能修改".into()),
        );
        let progress = self.progress(&unit, &desk)?;
        let bar = pages::Bar {
            user: &session.user,
            unit: &unit,
            csrf: &session.csrf,
            progress: &progress,
            office: true,
            read_only: true,
        };
        let reply = match (&req.method, path) {
            (&Method::GET, "/history") => {
                let versions = self
                    .store
                    .versions(&unit)
                    .map_err(|m| Refusal::new(500, m))?;
                Reply::html(pages::history(&bar, &versions, false))
            }
            (&Method::GET, p) if p.starts_with("/history/") => self.version(&bar, &unit, p)?,
            _ => desk.route(req)?,
        };
        Ok(pages::with_bar(reply, &bar))
    }

    fn overview(&self, session: &Session) -> Result<String, Refusal> {
        let mut rows = Vec::new();
        for unit in self.units() {
            let desk = self.desk(&unit, session, Some(String::new()));
            let progress = self.progress(&unit, &desk)?;
            let last = self
                .store
                .last_save(&unit)
                .map_err(|m| Refusal::new(500, m))?;
            rows.push(pages::UnitRow {
                name: unit,
                progress,
                last,
            });
        }
        Ok(pages::office(&session.user, &session.csrf, &rows))
    }

    /// The annual reports of the passed units, each compiled; a unit with
    /// errors is named and nothing is summed.
    fn sum(&self, req: &Request, session: &Session) -> Result<Reply, Refusal> {
        let form = pages::Form::parse(&req.body);
        let agency = form.get("agency").unwrap_or("").trim().to_string();
        if agency.is_empty() || agency.chars().count() > 100 || agency.contains(['\n', '"']) {
            return Err(Refusal::new(
                422,
                "请填写汇总报告的发布机关名称（不超过 100 字）",
            ));
        }
        let mut compiled = Vec::new();
        let mut broken = Vec::new();
        let mut passed = 0;
        for unit in self.units() {
            let desk = self.desk(&unit, session, Some(String::new()));
            if self.progress(&unit, &desk)? != Progress::Passed {
                continue;
            }
            passed += 1;
            for f in desk.listed() {
                if f.errors > 0 {
                    broken.push(format!("{unit}（{}）", f.name));
                    continue;
                }
                if !f.annual {
                    continue;
                }
                let path = desk.dir.join(&f.name);
                let value = compile(
                    &Job::new(&path).until(Until::Data),
                    &Disk,
                    &self.shared.fonts,
                )
                .value;
                match value {
                    Ok(c) => compiled.push((unit.clone(), path, c)),
                    _ => broken.push(format!("{unit}（{}）", f.name)),
                }
            }
        }
        if passed == 0 {
            return Err(Refusal::new(409, "还没有已通过的单位，无可汇总"));
        }
        if !broken.is_empty() {
            return Err(Refusal::new(
                409,
                format!("未汇总：这些单位的报告有错误——{}", broken.join("、")),
            ));
        }
        let reports: Vec<(&Path, &crate::annual::report::Report)> = compiled
            .iter()
            .filter_map(|(_, p, c)| Some((p.as_path(), c.input.report()?)))
            .collect();
        crate::cmd::sum::one_year_and_format(&reports, None)
            .map_err(|m| Refusal::new(409, format!("未汇总：{m}")))?;
        let only: Vec<&crate::annual::report::Report> = reports.iter().map(|(_, r)| *r).collect();
        let total = crate::annual::sum::total(&only, &agency)
            .map_err(|m| Refusal::new(409, format!("未汇总：{m}")))?;
        let listed: Vec<(String, String)> = compiled
            .iter()
            .filter_map(|(u, p, c)| {
                let file = p.file_name()?.to_string_lossy();
                Some((c.input.report()?.agency.clone(), format!("{u}/{file}")))
            })
            .collect();
        let text = crate::annual::skeleton::summed(&total, &listed);
        let out = self.root.join(SUMMED);
        crate::output::write_atomic(&out, text.as_bytes())
            .map_err(|d| Refusal::new(500, format!("未写出汇总：{}", d.message)))?;
        Ok(
            Reply::new(200, "application/toml; charset=utf-8", text).with(
                "Content-Disposition",
                format!(
                    "attachment; filename=\"sum.toml\"; filename*=UTF-8''{}",
                    page::url_segment(SUMMED)
                ),
            ),
        )
    }

    /// The PDF and DOCX of every passed unit's reports, one zip, each
    /// under its unit's folder name.
    fn zip(&self, session: &Session) -> Result<Reply, Refusal> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut any = false;
        let broken = |m: zip::result::ZipError| Refusal::new(500, format!("无法写出压缩包：{m}"));
        for unit in self.units() {
            let desk = self.desk(&unit, session, Some(String::new()));
            if self.progress(&unit, &desk)? != Progress::Passed {
                continue;
            }
            for f in desk.listed() {
                let stem = Path::new(&f.name)
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
                for ext in ["pdf", "docx"] {
                    let r = desk.download(&format!("{}.{ext}", f.name))?;
                    if r.status != 200 {
                        return Err(Refusal::new(
                            409,
                            format!("「{unit}」的「{}」未能生成 {ext}，请先查看", f.name),
                        ));
                    }
                    zip.start_file(format!("{unit}/{stem}.{ext}"), options)
                        .map_err(broken)?;
                    zip.write_all(&r.body)
                        .map_err(|e| Refusal::new(500, format!("无法写出压缩包：{e}")))?;
                    any = true;
                }
            }
        }
        if !any {
            return Err(Refusal::new(409, "还没有已通过的单位，无可下载"));
        }
        let bytes = zip.finish().map_err(broken)?.into_inner();
        Ok(Reply::new(200, "application/zip", bytes).with(
            "Content-Disposition",
            "attachment; filename=\"reports.zip\"; filename*=UTF-8''%E5%90%84%E5%8D%95%E4%BD%8D%E6%8A%A5%E5%91%8A.zip",
        ))
    }
}

/// The refusal of a locked name or address: the same words whether or
/// not the account exists.
fn too_many(left_ms: i64) -> Reply {
    let mut r = Reply::html(pages::login(&format!(
        "登录失败次数过多，请 {} 分钟后再试；忘记密码请联系公开办，用 gongwen user reset 重设",
        throttle::minutes(left_ms)
    )));
    r.status = 429;
    r.with("Retry-After", ((left_ms + 999) / 1000).to_string())
}

/// A failed login, and the lock it set, in the desk's log (standard
/// error), for the office to see who is guessing.
fn failed_login(name: &str, client: Option<std::net::IpAddr>, attempt: &Attempt) {
    use std::io::Write as _;
    let at = pages::when_exactly(store::now());
    // The name as typed may hold line breaks: escaped, it stays one line.
    let name: String = name.chars().take(64).collect();
    let name = name.escape_debug();
    let minutes = throttle::WINDOW_MS / 60_000;
    let from = client.map_or("代理（它没有转发客户地址）".to_string(), |c| {
        c.to_string()
    });
    let mut line = format!("{at} 登录失败：账号「{name}」，来自 {from}");
    if attempt.locks_name {
        line += &format!(
            "；该账号 {minutes} 分钟内失败 {} 次，暂停登录 {minutes} 分钟",
            throttle::NAME_FAILURES
        );
    }
    if attempt.locks_address {
        line += &match client {
            Some(_) => format!(
                "；该地址 {minutes} 分钟内失败 {} 次，暂停其登录 {minutes} 分钟",
                throttle::ADDRESS_FAILURES
            ),
            None => format!(
                "；代理未转发地址的登录 {minutes} 分钟内共失败 {} 次，暂停这些登录 {minutes} 分钟",
                throttle::UNKNOWN_FAILURES
            ),
        };
    }
    // Written without eprintln!: a closed standard error must not end the
    // desk.
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Says once in the desk's log that the proxy does not forward the
/// clients' addresses, so that all such logins' failures share one count.
fn unknown_clients() {
    use std::io::Write as _;
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "注意：经 --proxy 来的登录请求没有 X-Forwarded-For，不知道是哪台电脑登录，\
             这些登录的失败合在一起计数，{} 分钟内共 {} 次就一起暂停。请在代理的配置里加上 \
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;（见 README 的 nginx 示例）",
            throttle::WINDOW_MS / 60_000,
            throttle::UNKNOWN_FAILURES
        );
    });
}

/// The file the 公开办's 汇总 writes, in the district's folder.
pub const SUMMED: &str = "汇总.toml";

/// A unit's state from its files alone: no report begun, errors, or being
/// filled.
fn filled(files: &[page::Listed]) -> Progress {
    let errors: usize = files.iter().map(|f| f.errors).sum();
    let reports: Vec<&page::Listed> = files.iter().filter(|f| f.annual).collect();
    if errors > 0 {
        Progress::Errors(errors)
    } else if files.is_empty() || (!reports.is_empty() && reports.iter().all(|f| f.untouched)) {
        Progress::NotBegun
    } else {
        Progress::Filling
    }
}

impl http::App for District {
    fn admit(&self, req: &Request) -> Result<(), Reply> {
        let wants_json = req.path.starts_with("/api/");
        let checked = self.shared.guard.origin(req).and_then(|own| {
            if req.method == Method::POST {
                self.shared.guard.same_origin(req, &own)?;
            }
            Ok(())
        });
        checked.map_err(|r| refused(r, wants_json))
    }

    fn handle(&self, req: Request) -> Reply {
        let wants_json = req.path.starts_with("/api/");
        self.route(&req)
            .unwrap_or_else(|r| {
                if wants_json {
                    refused(r, true)
                } else {
                    let mut reply = Reply::html(pages::refusal(&r.message));
                    reply.status = r.status;
                    reply
                }
            })
            // The pages' own forms (login, 提交, 退回) post with their
            // origin: under `no-referrer` a browser sends `Origin: null`.
            .with("Referrer-Policy", "same-origin")
    }

    fn failed(&self, path: &str) -> Reply {
        refused(
            Refusal::new(500, super::INTERNAL),
            path.starts_with("/api/"),
        )
    }

    fn limit(&self, status: u16, message: &str, path: &str) -> Reply {
        refused(Refusal::new(status, message), path.starts_with("/api/"))
    }
}

/// `gongwen user add|reset|disable`: the district's accounts.
pub fn user(
    district: &Path,
    action: &str,
    name: &str,
    unit: Option<&str>,
    password: Option<&str>,
) -> Result<String, String> {
    if !district.is_dir() {
        return Err(format!(
            "{}：不是一个目录（--district 写各单位文件夹所在的目录）",
            district.display()
        ));
    }
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err("账号名不能为空，不超过 64 个字".into());
    }
    let store = Store::open(district)?;
    match action {
        "disable" => {
            store.disable(name)?;
            Ok(format!("已停用账号「{name}」，其登录已失效"))
        }
        _ => {
            let password = password.unwrap_or("");
            if password.chars().count() < 8 {
                return Err("密码至少 8 个字符".into());
            }
            let reset = action == "reset";
            if let Some(u) = unit.filter(|_| !reset) {
                if !unit_name_ok(u) {
                    return Err(format!(
                        "单位名「{u}」不能用作文件夹名（不能以 . 开头，不能含 / \\ : * ? \" < > |）"
                    ));
                }
                let folder = district.join(u);
                std::fs::create_dir_all(&folder).map_err(|e| {
                    format!(
                        "无法建立单位文件夹 {}：{}",
                        folder.display(),
                        crate::diag::io_message(&e)
                    )
                })?;
            }
            store.set_user(name, unit, password, reset)?;
            Ok(match (reset, unit) {
                (true, _) => format!(
                    "已为账号「{name}」设置新密码，其原有登录已失效，登录失败过多的暂停也已解除"
                ),
                (false, Some(u)) => format!("已建立账号「{name}」（单位「{u}」，文件夹 {u}/）"),
                (false, None) => format!("已建立公开办账号「{name}」"),
            })
        }
    }
}

/// `gongwen backup --district DIR TO`: a consistent copy of the records
/// while the desk may be running.
pub fn backup(district: &Path, to: &Path) -> Result<String, String> {
    if to.exists() {
        return Err(format!("{} 已存在，未覆盖", to.display()));
    }
    if !store::path(district).is_file() {
        return Err(format!(
            "{} 中没有公文台的记录（{}/desk.sqlite）",
            district.display(),
            store::FOLDER
        ));
    }
    Store::open(district)?.backup(to)?;
    Ok(format!("已把记录复制到 {}", to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_are_plain_folder_names() {
        assert!(unit_name_ok("青溪街道"));
        for bad in ["", ".gongwen", "a/b", "..", "a\\b", "a:b", "a\nb"] {
            assert!(!unit_name_ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_unit_stands_where_its_files_say() {
        let f = |errors, annual, untouched| page::Listed {
            name: "r.toml".into(),
            errors,
            warnings: 0,
            annual,
            untouched,
        };
        assert_eq!(filled(&[]), Progress::NotBegun);
        assert_eq!(filled(&[f(0, true, true)]), Progress::NotBegun);
        assert_eq!(filled(&[f(0, true, false)]), Progress::Filling);
        assert_eq!(filled(&[f(3, true, false)]), Progress::Errors(3));
    }
}

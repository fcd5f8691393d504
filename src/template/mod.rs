//! Templates: a report becomes markup through minijinja.
//!
//! Data reaches templates only as values, and the `.html` templates escape
//! every value they print, so text from a data file can never run as
//! template code nor turn into markup.

pub mod builtin;
use crate::bounds as guard;
pub mod manifest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, ErrorKind, Value};

pub use manifest::{DataKind, Manifest};

use crate::annual::Report;
use crate::data::date::Date;
use crate::data::rules::Check;
use crate::data::schema::Schema;
use crate::diag::{Diagnostic, Source};
use crate::doc::{Document, StyleSheet};
use crate::files::Files;

/// Template entry point inside a template directory.
pub const ENTRY: &str = "report.html";
pub const STYLE: &str = "style.toml";
pub const MANIFEST: &str = "template.toml";
pub const SCHEMA: &str = "schema.json";
/// Steps a template may take: generous for any real report, small enough
/// that a runaway loop ends within a second.
pub const FUEL: u64 = 5_000_000;
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
/// Most markup a template may write: a real report is tens of kilobytes.
pub const MAX_MARKUP_BYTES: usize = 8 << 20;

/// A writer that refuses to grow past [`MAX_MARKUP_BYTES`], so a runaway
/// template stops as soon as its output is too large.
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_MARKUP_BYTES {
            self.0.resize(MAX_MARKUP_BYTES + 1, 0);
            return Err(std::io::Error::other("markup too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Stack of the thread templates run on: measured to hold a tag of
/// [`crate::bounds::MAX_TAG_CHARS`] characters of chained terms many times over.
#[cfg(not(target_arch = "wasm32"))]
const TEMPLATE_STACK: usize = 64 * 1024 * 1024;

/// The data a template renders: the annual report's typed form, or a
/// data file's own values checked against the template's schema.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    Annual(&'a Report),
    Record(&'a serde_json::Value),
}

impl<'a> From<&'a Report> for Content<'a> {
    fn from(r: &'a Report) -> Self {
        Content::Annual(r)
    }
}

/// What a template declares about its data, read once when the template
/// is: the schema compiled and the rules' expressions checked.
#[derive(Debug)]
pub struct Spec {
    pub schema: Option<Schema>,
    pub checks: Vec<Check>,
    /// `template.toml`, where rule messages about the rules point.
    pub manifest: Source,
}

/// A template: its files and style sheet, built in or from a directory.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub description: Option<String>,
    /// Where the files are shown to come from in messages.
    pub origin: PathBuf,
    /// Whether it was read from a directory, whose files a watch follows.
    pub from_dir: bool,
    pub files: Vec<(String, String)>,
    pub style: Option<String>,
    /// `template.toml` and `schema.json` as written.
    pub manifest: Option<String>,
    pub schema: Option<String>,
    pub kind: DataKind,
    pub spec: Option<Arc<Spec>>,
}

impl Template {
    /// The template a data file names: a built-in name, or a directory
    /// relative to the data file's folder. The error has no place: the
    /// caller points it at the key.
    pub fn named(name: &str, data_file: &Path, files: &dyn Files) -> Result<Template, Diagnostic> {
        if let Some(t) = builtin::get(name) {
            return Ok(t);
        }
        if let Err(why) = crate::data::inside_folder(name) {
            return Err(Diagnostic::error(format!("模板（template）{why}")).hint(
                "写内置模板的名称，或数据文件所在文件夹之内的模板目录，如 template = \"我的模板\"",
            ));
        }
        let base = data_file.parent().unwrap_or(Path::new(""));
        let dir = base.join(name);
        if files.leads_out(base, &dir) {
            return Err(Diagnostic::error(format!(
                "模板（template）「{name}」是指向数据文件所在文件夹之外的链接，不予使用"
            ))
            .hint("把模板目录复制进数据文件所在的文件夹"));
        }
        if let Some(names) = files.list(&dir)? {
            return Template::from_listing(&dir, names, files);
        }
        let names = builtin::names();
        Err(
            Diagnostic::error(format!("没有名为「{name}」的模板，也没有这个模板目录")).hint(
                format!(
                    "内置模板: {}；或写模板目录相对于数据文件的路径",
                    names.join("、")
                ),
            ),
        )
    }

    /// The annual report's format a built-in annual-report template is for.
    pub fn annual_format(&self) -> Option<crate::annual::Format> {
        if self.kind != DataKind::AnnualReport || self.from_dir {
            return None;
        }
        crate::annual::Format::parse(self.name.strip_prefix("annual-report-")?)
    }

    /// A built-in name or a template directory, as given on the command
    /// line.
    pub fn by_name_or_dir(arg: &Path, files: &dyn Files) -> Result<Template, Diagnostic> {
        if let Some(t) = arg.to_str().and_then(builtin::get) {
            return Ok(t);
        }
        if let Some(names) = files.list(arg)? {
            return Template::from_listing(arg, names, files);
        }
        let names = builtin::names();
        Err(Diagnostic::error(format!(
            "没有名为「{}」的内置模板，也没有这个模板目录",
            arg.display()
        ))
        .hint(format!("内置模板: {}", names.join("、")))
        .kind(crate::diag::Kind::Usage))
    }

    /// Reads a template directory: `report.html` and the `.html` files it
    /// names (and they name), and `style.toml`, `template.toml` and
    /// `schema.json` if present.
    /// Nothing outside the directory is read.
    pub fn from_dir(dir: &Path, files: &dyn Files) -> Result<Template, Diagnostic> {
        match files.list(dir)? {
            Some(names) => Template::from_listing(dir, names, files),
            None => Err(Diagnostic::io("无法读取模板目录：不是目录").in_file(dir)),
        }
    }

    /// A template directory whose files are `names`.
    fn from_listing(
        dir: &Path,
        names: Vec<String>,
        reader: &dyn Files,
    ) -> Result<Template, Diagnostic> {
        let mut files: Vec<(String, String)> = Vec::new();
        let (mut style, mut manifest, mut schema) = (None, None, None);
        // report.html and the files it names (quoted, as `{% include %}`
        // and `{% import %}` name them), and theirs: a folder may hold
        // other pages, which are never read.
        let mut wanted: Vec<String> = names
            .iter()
            .filter(|n| [STYLE, MANIFEST, SCHEMA, ENTRY].contains(&n.as_str()))
            .cloned()
            .collect();
        let mut next = 0;
        while let Some(name) = wanted.get(next).cloned() {
            next += 1;
            let bytes = reader.read_in(dir, &name, MAX_TEMPLATE_BYTES)?;
            let src = crate::data::decode(&dir.join(&name), &bytes)?;
            let text = Some(src.text.to_string());
            match name.as_str() {
                STYLE => style = text,
                MANIFEST => manifest = text,
                SCHEMA => schema = text,
                _ => {
                    for other in names.iter().filter(|n| n.ends_with(".html")) {
                        let named = [format!("\"{other}\""), format!("'{other}'")]
                            .iter()
                            .any(|q| src.text.contains(q.as_str()));
                        if named && !wanted.contains(other) {
                            wanted.push(other.clone());
                        }
                    }
                    files.push((name, src.text.to_string()))
                }
            }
        }
        files.sort();
        if !files.iter().any(|(n, _)| n == ENTRY) {
            return Err(Diagnostic::error(format!("模板目录中没有 {ENTRY}")).in_file(dir));
        }
        Template::assemble(
            dir.display().to_string(),
            dir.to_path_buf(),
            true,
            files,
            style,
            manifest,
            schema,
        )
    }

    /// Reads the declarations of a template's files. A template with
    /// neither `template.toml` nor `schema.json` is an annual-report
    /// template, as every template was before templates declared their data.
    pub(crate) fn assemble(
        name: String,
        origin: PathBuf,
        from_dir: bool,
        files: Vec<(String, String)>,
        style: Option<String>,
        manifest: Option<String>,
        schema: Option<String>,
    ) -> Result<Template, Diagnostic> {
        let manifest_src = Source::new(origin.join(MANIFEST), manifest.clone().unwrap_or_default());
        let parsed = match &manifest {
            Some(_) => Manifest::parse(&manifest_src)?,
            None => Manifest::default(),
        };
        let kind = if parsed.data.is_some() || (manifest.is_none() && schema.is_none()) {
            DataKind::AnnualReport
        } else {
            DataKind::Schema
        };
        let spec = match kind {
            DataKind::AnnualReport => {
                if let Some(c) = parsed.check.first() {
                    return Err(Diagnostic::error(
                        "年度报告模板的核对规则由程序给出，不能再写 [[check]]",
                    )
                    .at(&manifest_src, c.rule.span()));
                }
                None
            }
            DataKind::Schema => {
                let schema = match &schema {
                    Some(text) => Some(Schema::parse(&Source::new(
                        origin.join(SCHEMA),
                        text.as_str(),
                    ))?),
                    None => None,
                };
                let problems = crate::data::rules::validate(&parsed.check, &manifest_src);
                if let Some(d) = problems.0.into_iter().next() {
                    return Err(d);
                }
                Some(Arc::new(Spec {
                    schema,
                    checks: parsed.check,
                    manifest: manifest_src,
                }))
            }
        };
        Ok(Template {
            name: parsed.name.unwrap_or(name),
            description: parsed.description,
            origin,
            from_dir,
            files,
            style,
            manifest,
            schema,
            kind,
            spec,
        })
    }

    fn file_source(&self, name: &str) -> Option<Source> {
        let (n, text) = self.files.iter().find(|(n, _)| n == name)?;
        Some(Source::new(self.origin.join(n), text.as_str()))
    }

    pub fn style_sheet(&self) -> Result<StyleSheet, Diagnostic> {
        match &self.style {
            Some(text) => StyleSheet::parse(&Source::new(self.origin.join(STYLE), text.as_str())),
            None => Ok(StyleSheet::gbt9704()),
        }
    }

    /// Renders the report to markup, on a thread of its own whose stack is
    /// known to hold any template within [`guard`]'s bounds, whatever
    /// thread (a batch's worker has a small stack) asks for it.
    pub fn render_markup<'a>(&self, data: impl Into<Content<'a>>) -> Result<String, Diagnostic> {
        self.render_markup_with(data, &self.style_sheet()?)
    }

    /// As [`Template::render_markup`], with the template's style sheet
    /// already read (its `[measures]` are the templates' `measures`).
    fn render_markup_with<'a>(
        &self,
        data: impl Into<Content<'a>>,
        style: &StyleSheet,
    ) -> Result<String, Diagnostic> {
        let data = data.into();
        for (name, text) in &self.files {
            guard::check(&Source::new(self.origin.join(name), text.as_str()))?;
        }
        // wasm32 has no threads: there the template runs on the main
        // stack, which scripts/build-wasm.sh makes as large.
        #[cfg(target_arch = "wasm32")]
        return self.render_markup_here(data, style);
        #[cfg(not(target_arch = "wasm32"))]
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("template".into())
                .stack_size(TEMPLATE_STACK)
                .spawn_scoped(scope, || self.render_markup_here(data, style))
                .map_err(|e| {
                    Diagnostic::error(format!("无法运行模板：{}", crate::diag::io_message(&e)))
                })?
                .join()
                .unwrap_or_else(|_| Err(Diagnostic::error("模板运行失败")))
        })
    }

    fn render_markup_here(
        &self,
        data: Content<'_>,
        style: &StyleSheet,
    ) -> Result<String, Diagnostic> {
        let mut env = Environment::new();
        env.set_fuel(Some(FUEL));
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("default delimiters are valid"),
        );
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_filter("change", change);
        env.add_filter("cn_date", cn_date);
        guard::bound_filters(&mut env);
        // As written in the style (f32 → f64 would print 4.940000057).
        let measures: std::collections::BTreeMap<String, Value> = style
            .measures
            .iter()
            .map(|(k, v)| {
                let v = (f64::from(*v) * 10_000.0).round() / 10_000.0;
                (k.clone(), Value::from(v))
            })
            .collect();
        env.add_global("measures", Value::from(measures));
        for (name, text) in &self.files {
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| self.error(e))?;
        }
        let tmpl = env.get_template(ENTRY).map_err(|e| self.error(e))?;
        let mut out = Bounded(Vec::new());
        let ctx = match data {
            Content::Annual(report) => context(report),
            Content::Record(value) => Value::from(Serde(value)),
        };
        match tmpl.render_captured_to(ctx, &mut out) {
            Ok(_) => {}
            Err(_) if out.0.len() > MAX_MARKUP_BYTES => {
                return Err(Diagnostic::error(format!(
                    "模板输出超过 {} MB 的上限，不予排印",
                    MAX_MARKUP_BYTES >> 20
                ))
                .in_file(&self.origin)
                .hint("检查模板中的循环：真实的报告只有几十 KB"));
            }
            Err(e) => return Err(self.error(e)),
        }
        String::from_utf8(out.0).map_err(|_| Diagnostic::error("模板输出不是 UTF-8 文本"))
    }

    /// Renders the report all the way to the document model.
    pub fn document<'a>(&self, data: impl Into<Content<'a>>) -> Result<Document, Diagnostic> {
        self.document_in(data, None)
    }

    /// As [`Template::document`], pictures the data names (a seal) read
    /// through `files` from the folder given, the data file's.
    pub fn document_in<'a>(
        &self,
        data: impl Into<Content<'a>>,
        pictures: Option<(&Path, &dyn Files)>,
    ) -> Result<Document, Diagnostic> {
        let style = self.style_sheet()?;
        let markup = self.render_markup_with(data, &style)?;
        let src = Source::new(self.origin.join(format!("{ENTRY}（输出）")), markup);
        crate::markup::parse_in(&src, style, pictures)
    }

    fn error(&self, e: minijinja::Error) -> Diagnostic {
        let what = match e.kind() {
            ErrorKind::OutOfFuel => "模板运行步数超过上限（可能有死循环）".to_string(),
            ErrorKind::UndefinedError => {
                format!("模板使用了不存在的值：{}", e.detail().unwrap_or(""))
            }
            ErrorKind::TemplateNotFound => format!(
                "模板引用的文件不存在（只能引用本模板目录中的文件）：{}",
                e.detail().unwrap_or("")
            ),
            kind => {
                let label = match kind {
                    ErrorKind::SyntaxError => "模板语法错误",
                    ErrorKind::InvalidOperation => "模板中的运算无法进行",
                    ErrorKind::UnknownFilter => "模板使用了不存在的过滤器",
                    ErrorKind::UnknownTest => "模板使用了不存在的测试",
                    ErrorKind::UnknownFunction => "模板使用了不存在的函数",
                    ErrorKind::UnknownMethod => "模板使用了不存在的方法",
                    ErrorKind::MissingArgument => "模板中的调用缺少参数",
                    ErrorKind::TooManyArguments => "模板中的调用参数过多",
                    ErrorKind::CannotUnpack => "模板无法拆分这个值",
                    ErrorKind::BadEscape => "模板中的转义写法不对",
                    ErrorKind::NonKey => "模板中这个值不能用作键",
                    ErrorKind::NonPrimitive => "模板中这个值不能这样使用",
                    ErrorKind::BadSerialization => "模板无法输出这个值",
                    _ => "模板错误",
                };
                let detail = crate::bounds::detail(&e, crate::bounds::Written::Template);
                format!("{label}：{detail}")
            }
        };
        let d = Diagnostic::error(what);
        match (
            e.name().and_then(|n| self.file_source(n)),
            e.range(),
            e.line(),
        ) {
            (Some(src), Some(range), _) => d.at(&src, range),
            (Some(src), None, Some(line)) => {
                let offset: usize = src
                    .text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum();
                d.at(&src, offset..offset)
            }
            (Some(src), _, _) => d.in_file(&src.path),
            _ => d.in_file(&self.origin),
        }
    }
}

fn context(report: &Report) -> Value {
    let by_key = |rows: Vec<(String, Vec<i64>)>| -> BTreeMap<String, Vec<i64>> {
        rows.into_iter().collect()
    };
    let t3 = by_key(
        report
            .applications
            .rows
            .iter()
            .map(|r| (r.key.clone(), r.values.to_vec()))
            .collect(),
    );
    let t4 = by_key(
        report
            .review
            .iter()
            .map(|r| (r.key.clone(), r.values.to_vec()))
            .collect(),
    );
    minijinja::context! {
        report => Value::from(Serde(report)),
        t3 => Value::from(Serde(&t3)),
        t4 => Value::from(Serde(&t4)),
    }
}

/// `cur | change(prev)` → "增长11%", "下降5%", "持平"; empty when there is
/// no base to compare with.
fn change(cur: f64, prev: f64) -> String {
    if prev == 0.0 {
        return String::new();
    }
    let pct = ((cur - prev) / prev * 100.0).round();
    if pct > 0.0 {
        format!("增长{pct}%")
    } else if pct < 0.0 {
        format!("下降{}%", -pct)
    } else {
        "持平".into()
    }
}

/// A date (a `{year, month, day}` map or `2021-01-15`) as 2021年1月15日.
fn cn_date(v: Value) -> Result<String, minijinja::Error> {
    let bad = || minijinja::Error::new(ErrorKind::InvalidOperation, "cn_date 需要日期");
    if let Some(s) = v.as_str() {
        return Date::parse(s).map(|d| d.chinese()).ok_or_else(bad);
    }
    let field = |k: &str| v.get_attr(k).ok().and_then(|x| i64::try_from(x).ok());
    match (field("year"), field("month"), field("day")) {
        (Some(y), Some(m), Some(d)) => Ok(format!("{y}年{m}月{d}日")),
        _ => Err(bad()),
    }
}

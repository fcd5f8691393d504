//! The form of a data file whose template has its own schema (通知, 函, 纪要
//! and templates of a folder), and the paragraph lists every form shares:
//! each value the file holds as a field named by its key path, each kind of
//! value as what a clerk expects (text, a number, a checkbox, a date, a
//! choice, a picture of the folder), paragraphs with their 小标题 and
//! stand-alone headings, lists and records that can be added to, moved and
//! removed. Labels come from the schema's titles. Every key and value is
//! escaped: a data file is not markup.

use std::fmt::Write;

use serde_json::Value;

use crate::data::node::{Kind, Node};
use crate::export::docx::esc as escape;

/// The schema of a template, looked up by key path (array indexes go
/// through `items`, `$ref`s and `anyOf` alternatives are followed).
pub struct Spec<'a> {
    root: Option<&'a Value>,
}

impl<'a> Spec<'a> {
    pub fn new(root: Option<&'a Value>) -> Self {
        Spec { root }
    }

    fn deref(&self, mut s: &'a Value) -> Option<&'a Value> {
        let root = self.root?;
        for _ in 0..8 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => s = root.pointer(r.strip_prefix('#')?)?,
                None => return Some(s),
            }
        }
        None
    }

    /// The alternatives a schema allows (itself, or each of its `anyOf`).
    fn alternatives(&self, s: &'a Value) -> Vec<&'a Value> {
        match s.get("anyOf").and_then(Value::as_array) {
            Some(alts) => alts.iter().filter_map(|a| self.deref(a)).collect(),
            None => vec![s],
        }
    }

    /// The schema at a key path.
    pub fn at(&self, path: &str) -> Option<&'a Value> {
        let mut s = self.deref(self.root?)?;
        if path.is_empty() {
            return Some(s);
        }
        for seg in path.split('.') {
            let index = seg.bytes().all(|b| b.is_ascii_digit());
            s = self.alternatives(s).into_iter().find_map(|alt| {
                let next = if index {
                    alt.get("items")?
                } else {
                    alt.get("properties")?.get(seg)?
                };
                self.deref(next)
            })?;
        }
        Some(s)
    }

    pub fn title(&self, path: &str) -> Option<String> {
        self.at(path)?.get("title")?.as_str().map(str::to_string)
    }

    /// The key may be left out (its table's schema does not require it).
    pub fn optional(&self, path: &str) -> bool {
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
        let Some(table) = self.at(parent) else {
            return false;
        };
        !self.alternatives(table).iter().any(|t| {
            t.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|k| k == key))
        })
    }

    fn has(&self, path: &str, what: impl Fn(&Value) -> bool) -> bool {
        self.at(path)
            .is_some_and(|s| self.alternatives(s).into_iter().any(what))
    }

    pub fn is_date(&self, path: &str) -> bool {
        self.has(path, |s| s.get("format").is_some_and(|f| f == "date"))
    }

    pub fn is_bool(&self, path: &str) -> bool {
        self.has(path, |s| s.get("type").is_some_and(|t| t == "boolean"))
    }

    pub fn choices(&self, path: &str) -> Option<Vec<String>> {
        let s = self.at(path)?;
        let e = self
            .alternatives(s)
            .into_iter()
            .find_map(|a| a.get("enum")?.as_array())?;
        Some(
            e.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        )
    }

    /// Items are paragraphs: text, or a table with a 小标题 or a heading.
    pub fn paragraphs(&self, path: &str) -> bool {
        self.has(&format!("{path}.0"), |s| {
            s.get("properties")
                .is_some_and(|p| p.get("heading").is_some() && p.get("text").is_some())
        })
    }

    /// The keys of a table's schema, in order.
    pub fn keys(&self, path: &str) -> Vec<String> {
        let Some(s) = self.at(path) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = Vec::new();
        for alt in self.alternatives(s) {
            if let Some(p) = alt.get("properties").and_then(Value::as_object) {
                keys.extend(
                    p.keys()
                        .filter(|k| !keys.contains(k))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
        keys
    }

    /// The items of the list at `path` are records (tables of fields).
    pub fn records(&self, path: &str) -> bool {
        self.has(&format!("{path}.0"), |s| {
            s.get("type").is_some_and(|t| t == "object") && s.get("properties").is_some()
        }) && !self.paragraphs(path)
    }
}

/// What a form is drawn with: the data file's tree, its schema, and the
/// pictures of its folder a seal may name.
pub struct Form<'a> {
    pub root: &'a Node,
    pub spec: Spec<'a>,
    pub pictures: &'a [String],
}

/// A key the form can name: not empty, no `.` (it separates a path's
/// keys), not all digits (those are array indexes).
fn nameable(key: &str) -> bool {
    !key.is_empty() && !key.contains('.') && !key.bytes().all(|b| b.is_ascii_digit())
}

/// Keys that name other files: never a text field.
fn names_a_file(key: &str) -> bool {
    matches!(key, "previous" | "template")
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Keys that name a picture of the folder (a seal, a 签名章), with what
/// the desk calls it: chosen from the folder's pictures, never typed.
pub(super) fn picture_key(leaf: &str) -> Option<&'static str> {
    match leaf {
        "seal" => Some("印章"),
        "stamp" => Some("签名章"),
        _ => None,
    }
}

/// The buttons of one element of a list: move up, move down, remove.
fn item_tools(b: &mut String, path: &str, what: &str, first: bool, last: bool) {
    let p = escape(path);
    let _ = write!(b, "<span class=\"item-tools\">");
    if !first {
        let _ = write!(
            b,
            "<button type=\"button\" data-shift=\"{p}\" data-by=\"-1\" title=\"上移这一{what}\">上移</button>"
        );
    }
    if !last {
        let _ = write!(
            b,
            "<button type=\"button\" data-shift=\"{p}\" data-by=\"1\" title=\"下移这一{what}\">下移</button>"
        );
    }
    let _ = write!(
        b,
        "<button type=\"button\" class=\"remove\" data-remove=\"{p}\" title=\"删除这一{what}\">删除本{what}</button></span>"
    );
}

pub fn input(name: &str, value: &str, label: &str, attrs: &str) -> String {
    format!(
        "<input name=\"{}\" value=\"{}\" data-label=\"{}\" {attrs}>",
        escape(name),
        escape(value),
        escape(label)
    )
}

pub fn textarea(name: &str, value: &str, label: &str) -> String {
    textarea_of(
        name,
        value,
        label,
        (value.chars().count() / 40 + 2).clamp(2, 12),
    )
}

fn textarea_of(name: &str, value: &str, label: &str, rows: usize) -> String {
    format!(
        "<textarea name=\"{}\" rows=\"{rows}\" data-label=\"{}\">{}</textarea>",
        escape(name),
        escape(label),
        escape(value)
    )
}

fn long_or_short(name: &str, value: &str, label: &str) -> String {
    if value.chars().count() > 40 || value.contains('\n') {
        textarea(name, value, label)
    } else {
        input(name, value, label, "")
    }
}

/// A number's field: a number keyboard on a tablet.
const NUMBER: &str = "class=\"number\" inputmode=\"decimal\"";

const DATE_HINT: &str = "placeholder=\"2026-01-20 或 2026年1月20日\" class=\"date\"";

/// A list of paragraphs (正文, 附件内容, the annual report's sections):
/// each a text, a text with its 小标题, or a stand-alone heading, with
/// buttons to move, insert after and remove it, and to add one at the end.
pub fn paragraphs(b: &mut String, root: &Node, key: &str, title: &str) {
    let k = escape(key);
    let _ = write!(
        b,
        "<fieldset class=\"section\" data-key=\"{k}\"><legend>{}</legend>",
        escape(title)
    );
    match lookup(root, key).map(|n| &n.kind) {
        Some(Kind::Array(items)) => {
            let n = items.len();
            for (i, item) in items.iter().enumerate() {
                let base = format!("{key}.{i}");
                let label = format!("{title}第 {} 段", i + 1);
                b.push_str("<div class=\"para\">");
                item_tools(b, &base, "段", i == 0, i + 1 == n);
                let _ = write!(
                    b,
                    "<button type=\"button\" class=\"insert\" data-append=\"{k}\" data-at=\"{}\" data-kind=\"text\" title=\"在这一段之后插入一段\">在下方插入一段</button>",
                    i + 1
                );
                match &item.kind {
                    Kind::Table(entries) => {
                        for e in entries {
                            let name = format!("{base}.{}", e.key);
                            let v = scalar(Some(&e.value));
                            if e.key == "table" && matches!(e.value.kind, Kind::Table(_)) {
                                table_grid(b, &name, &e.value, &label);
                                continue;
                            }
                            if !nameable(&e.key)
                                || matches!(e.value.kind, Kind::Array(_) | Kind::Table(_))
                            {
                                let _ = write!(
                                    b,
                                    "<p class=\"fixed\">{}：请用编辑器修改</p>",
                                    escape(&e.key)
                                );
                                continue;
                            }
                            match e.key.as_str() {
                                "text" => b.push_str(&textarea(&name, &v, &label)),
                                "heading" => {
                                    let _ = write!(
                                        b,
                                        "<label class=\"lead heading\">标题 {}</label>",
                                        input(&name, &v, &format!("{label}（标题）"), "")
                                    );
                                }
                                other => {
                                    let shown = match other {
                                        "lead" => "小标题",
                                        "level" => "层次",
                                        o => o,
                                    };
                                    let _ = write!(
                                        b,
                                        "<label class=\"lead\">{} {}</label>",
                                        escape(shown),
                                        input(&name, &v, &format!("{label}（{shown}）"), "")
                                    );
                                }
                            }
                        }
                    }
                    Kind::Array(_) => {
                        b.push_str("<p class=\"fixed\">这一段是列表：请用编辑器修改</p>")
                    }
                    _ => b.push_str(&textarea(&base, &scalar(Some(item)), &label)),
                }
                b.push_str("</div>");
            }
            let _ = write!(
                b,
                "<div class=\"tools\"><button type=\"button\" data-append=\"{k}\" data-kind=\"text\">添加段落</button>\
                 <button type=\"button\" data-append=\"{k}\" data-kind=\"lead\">添加带小标题的段落</button>\
                 <button type=\"button\" data-append=\"{k}\" data-kind=\"heading\">添加标题</button></div>"
            );
        }
        Some(_) => b.push_str(&textarea(key, &scalar(lookup(root, key)), title)),
        None => {
            let _ = write!(
                b,
                "<p class=\"empty\">数据文件中还没有这一部分。</p><div class=\"tools\"><button type=\"button\" data-append=\"{k}\" data-kind=\"text\">添加段落</button></div>"
            );
        }
    }
    b.push_str("</fieldset>");
}

/// A table standing in a list of paragraphs: its cells as fields laid out
/// as the table is (merged cells spanning their columns and rows, the
/// header rows marked), its 表头行数, 续表标注 and column widths, a button
/// to remove each row and one to add a row at the end.
fn table_grid(b: &mut String, path: &str, node: &Node, label: &str) {
    let Kind::Table(entries) = &node.kind else {
        return;
    };
    let get = |k: &str| entries.iter().find(|e| e.key == k).map(|e| &e.value);
    let header_rows = match get("header_rows").map(|n| &n.kind) {
        Some(Kind::Int(v)) => v.parse().unwrap_or(1),
        _ => 1,
    };
    b.push_str("<div class=\"grid-table\">");
    for e in entries {
        let name = format!("{path}.{}", e.key);
        match (e.key.as_str(), &e.value.kind) {
            ("rows", Kind::Array(_)) => {}
            ("header_rows", Kind::Int(_) | Kind::Float(_)) => {
                let _ = write!(
                    b,
                    "<label class=\"lead\">表头行数 {}</label>",
                    input(
                        &name,
                        &scalar(Some(&e.value)),
                        &format!("{label}（表头行数）"),
                        NUMBER
                    )
                );
            }
            ("continued_label", Kind::Str(v)) => {
                let _ = write!(
                    b,
                    "<label class=\"lead\">续表标注 {}</label>",
                    input(&name, v, &format!("{label}（续表标注）"), "")
                );
            }
            ("widths", Kind::Array(ws)) => {
                b.push_str("<span class=\"lead widths\">各列相对宽度");
                for (k, w) in ws.iter().enumerate() {
                    b.push(' ');
                    b.push_str(&input(
                        &format!("{name}.{k}"),
                        &scalar(Some(w)),
                        &format!("{label}（第 {} 列宽度）", k + 1),
                        NUMBER,
                    ));
                }
                b.push_str("</span>");
            }
            _ => {
                let _ = write!(
                    b,
                    "<p class=\"fixed\">{}：请用编辑器修改</p>",
                    escape(&e.key)
                );
            }
        }
    }
    let Some(Node {
        kind: Kind::Array(rows),
        ..
    }) = get("rows")
    else {
        b.push_str("</div>");
        return;
    };
    let rows_path = format!("{path}.rows");
    b.push_str("<table class=\"cells\">");
    // Columns as wide, relative to each other, as the table prints them.
    let widths: Vec<f64> = match get("widths").map(|n| &n.kind) {
        Some(Kind::Array(ws)) => ws
            .iter()
            .filter_map(|w| scalar(Some(w)).parse().ok())
            .filter(|w: &f64| *w > 0.0)
            .collect(),
        _ => Vec::new(),
    };
    let total: f64 = widths.iter().sum();
    if total > 0.0 {
        b.push_str("<colgroup>");
        for w in &widths {
            let _ = write!(b, "<col style=\"width:{:.1}%\">", w / total * 88.0);
        }
        b.push_str("<col></colgroup>");
    }
    for (r, row) in rows.iter().enumerate() {
        let cells: &[Node] = match &row.kind {
            Kind::Array(cells) => cells,
            _ => &[],
        };
        let head = r < header_rows;
        b.push_str(if head { "<tr class=\"head\">" } else { "<tr>" });
        for (c, cell) in cells.iter().enumerate() {
            let name = format!("{rows_path}.{r}.{c}");
            let at = format!("{label}（第 {} 行第 {} 格）", r + 1, c + 1);
            match &cell.kind {
                Kind::Table(parts) => {
                    let span = |k: &str| {
                        parts
                            .iter()
                            .find(|p| p.key == k)
                            .map(|p| scalar(Some(&p.value)))
                            .filter(|v| v.parse::<u32>().is_ok_and(|n| n > 1))
                            .map(|v| format!(" {k}=\"{v}\""))
                            .unwrap_or_default()
                    };
                    let _ = write!(b, "<td{}{}>", span("colspan"), span("rowspan"));
                    let mut more = String::new();
                    for part in parts {
                        let field = format!("{name}.{}", part.key);
                        let v = scalar(Some(&part.value));
                        match part.key.as_str() {
                            "text" => b.push_str(&cell_control(&field, &v, &at)),
                            "colspan" | "rowspan" => {
                                let shown = if part.key == "colspan" {
                                    "跨列"
                                } else {
                                    "跨行"
                                };
                                let _ = write!(
                                    more,
                                    "<label>{shown} {}</label>",
                                    input(&field, &v, &format!("{at}（{shown}）"), NUMBER)
                                );
                            }
                            "align" => {
                                let choices = ["left", "center", "right"].map(String::from);
                                let _ = write!(
                                    more,
                                    "<label>对齐 {}</label>",
                                    select(&field, &v, &choices, &format!("{at}（对齐）"), false)
                                );
                            }
                            other => {
                                let _ = write!(
                                    more,
                                    "<p class=\"fixed\">{}：请用编辑器修改</p>",
                                    escape(other)
                                );
                            }
                        }
                    }
                    if !more.is_empty() {
                        let _ = write!(b, "<details><summary>合并、对齐</summary>{more}</details>");
                    }
                    b.push_str("</td>");
                }
                Kind::Array(_) => b.push_str("<td><p class=\"fixed\">请用编辑器修改</p></td>"),
                _ => {
                    let _ = write!(
                        b,
                        "<td>{}</td>",
                        cell_control(&name, &scalar(Some(cell)), &at)
                    );
                }
            }
        }
        let _ = write!(
            b,
            "<td class=\"row-tools\"><button type=\"button\" class=\"remove\" data-remove=\"{}\" title=\"删除这一行\">删除本行</button></td></tr>",
            escape(&format!("{rows_path}.{r}"))
        );
    }
    let _ = write!(
        b,
        "</table><div class=\"tools\"><button type=\"button\" data-append=\"{}\" data-kind=\"row\">添加一行</button></div></div>",
        escape(&rows_path)
    );
}

/// A table cell's field: a line for a short text, else a box of a few
/// lines, since the grid's columns are narrow.
fn cell_control(name: &str, value: &str, label: &str) -> String {
    let chars = value.chars().count();
    if chars <= 8 && !value.contains('\n') {
        return input(name, value, label, "");
    }
    textarea_of(name, value, label, (chars / 8 + 1).clamp(2, 5))
}

impl Form<'_> {
    fn label(&self, path: &str) -> String {
        self.spec
            .title(path)
            .unwrap_or_else(|| leaf(path).to_string())
    }

    /// The fields of a table's entries, then its schema's keys the file
    /// leaves out, as empty fields that write the key when filled.
    pub fn table(&self, b: &mut String, path: &str, node: &Node) {
        let Kind::Table(entries) = &node.kind else {
            return;
        };
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        for e in entries {
            if names_a_file(&e.key) {
                continue;
            }
            if !nameable(&e.key) {
                let _ = write!(
                    b,
                    "<p class=\"fixed\">「{}」：这个键不能在表单中修改，请用编辑器修改</p>",
                    escape(&e.key)
                );
                continue;
            }
            self.field(b, &join(&e.key), &e.value);
        }
        for key in self.spec.keys(path) {
            let p = join(&key);
            if entries.iter().any(|e| e.key == key) || names_a_file(&key) || !nameable(&key) {
                continue;
            }
            self.absent(b, &p);
        }
    }

    /// A key the schema knows and the file does not have: a scalar gets an
    /// empty field (filled, it writes the key); a list of records or
    /// paragraphs gets a button that starts it.
    fn absent(&self, b: &mut String, path: &str) {
        let label = self.label(path);
        let p = escape(path);
        if self.spec.paragraphs(path) || self.spec.records(path) {
            let kind = if self.spec.paragraphs(path) {
                "text"
            } else {
                "record"
            };
            let keys = self.record_keys(path);
            let _ = write!(
                b,
                "<div class=\"tools absent\"><button type=\"button\" data-append=\"{p}\" data-kind=\"{kind}\" data-keys=\"{}\">添加{}</button></div>",
                escape(&keys),
                escape(&label)
            );
            return;
        }
        if let Some(noun) = picture_key(leaf(path)) {
            let _ = write!(
                b,
                "<label>{} {}</label>",
                escape(&label),
                self.picture(path, "", noun, true)
            );
            return;
        }
        let control = if self.spec.is_bool(path) {
            format!(
                "<input type=\"checkbox\" name=\"{p}\" data-label=\"{}\">",
                escape(&label)
            )
        } else if let Some(choices) = self.spec.choices(path) {
            select(path, "", &choices, &label, true)
        } else if self.spec.is_date(path) {
            input(path, "", &label, DATE_HINT)
        } else {
            input(path, "", &label, "placeholder=\"（不填）\"")
        };
        let _ = write!(
            b,
            "<label class=\"optional\">{} {control}</label>",
            escape(&label)
        );
    }

    /// The keys of a record a new element of the list gets, and what each
    /// holds: `key:text`, `key:paragraphs` (JSON for the page's script).
    fn record_keys(&self, path: &str) -> String {
        let item = format!("{path}.0");
        let keys: Vec<Value> = self
            .spec
            .keys(&item)
            .into_iter()
            .filter(|k| !self.spec.optional(&format!("{item}.{k}")))
            .map(|k| {
                let kind = if self.spec.paragraphs(&format!("{item}.{k}")) {
                    "paragraphs"
                } else {
                    "text"
                };
                Value::from(vec![k, kind.to_string()])
            })
            .collect();
        Value::from(keys).to_string()
    }

    /// The button that takes an optional key out of the file: a value's
    /// beside it, a group's (版记, 附件说明) naming the whole group.
    fn remove_key(&self, b: &mut String, path: &str, group: bool) {
        if self.spec.optional(path) && self.spec.at(path).is_some() {
            let shown = if group {
                format!("删去整个「{}」", self.label(path))
            } else {
                "删去此项".to_string()
            };
            let _ = write!(
                b,
                "<button type=\"button\" class=\"remove{}\" data-remove=\"{}\" title=\"删去这一项（不需要时）\">{}</button>",
                if group { " group" } else { "" },
                escape(path),
                escape(&shown)
            );
        }
    }

    fn field(&self, b: &mut String, path: &str, node: &Node) {
        let label = self.label(path);
        match &node.kind {
            Kind::Table(_) => {
                let _ = write!(b, "<fieldset><legend>{}</legend>", escape(&label));
                self.remove_key(b, path, true);
                self.table(b, path, node);
                b.push_str("</fieldset>");
            }
            Kind::Array(items) => {
                let is_paragraphs = self.spec.paragraphs(path)
                    || (!self.spec.records(path)
                        && !items.is_empty()
                        && items.iter().all(paragraph_like)
                        && items.iter().any(|i| matches!(i.kind, Kind::Table(_))));
                if is_paragraphs {
                    paragraphs(b, self.root, path, &label);
                } else if items.iter().all(|i| matches!(i.kind, Kind::Table(_)))
                    && !items.is_empty()
                {
                    self.records(b, path, items);
                } else {
                    self.list(b, path, items);
                }
            }
            Kind::Bool(v) => {
                let _ = write!(
                    b,
                    "<label class=\"check\"><input type=\"checkbox\" name=\"{}\" data-label=\"{}\"{}> {}</label>",
                    escape(path),
                    escape(&label),
                    if *v { " checked" } else { "" },
                    escape(&label)
                );
            }
            _ => {
                let v = scalar(Some(node));
                let control = if let Some(noun) = picture_key(leaf(path)) {
                    self.picture(path, &v, noun, true)
                } else if let Some(choices) = self.spec.choices(path) {
                    select(path, &v, &choices, &label, false)
                } else if matches!(node.kind, Kind::Date(_)) || self.spec.is_date(path) {
                    input(path, &v, &label, DATE_HINT)
                } else if matches!(node.kind, Kind::Int(_) | Kind::Float(_)) {
                    input(path, &v, &label, NUMBER)
                } else {
                    long_or_short(path, &v, &label)
                };
                let _ = write!(b, "<label>{} {control}", escape(&label));
                self.remove_key(b, path, false);
                b.push_str("</label>");
            }
        }
    }

    /// A list of texts (附件说明, a title in lines, joint agencies).
    fn list(&self, b: &mut String, path: &str, items: &[Node]) {
        let label = self.label(path);
        let p = escape(path);
        let _ = write!(
            b,
            "<fieldset class=\"list\"><legend>{}</legend>",
            escape(&label)
        );
        self.remove_key(b, path, true);
        for (i, item) in items.iter().enumerate() {
            let name = format!("{path}.{i}");
            let shown = format!("{label}第 {} 项", i + 1);
            b.push_str("<div class=\"item\">");
            match &item.kind {
                Kind::Array(_) | Kind::Table(_) => {
                    b.push_str("<p class=\"fixed\">这一项是列表或表：请用编辑器修改</p>")
                }
                // A joint document's seals, one for each agency: each
                // chosen like the single seal, none of them left blank.
                _ if leaf(path) == "seal" => {
                    let _ = write!(
                        b,
                        "<label>{} {}</label>",
                        escape(&shown),
                        self.picture(&name, &scalar(Some(item)), "印章", false)
                    );
                }
                _ => b.push_str(&long_or_short(&name, &scalar(Some(item)), &shown)),
            }
            item_tools(b, &name, "项", i == 0, i + 1 == items.len());
            b.push_str("</div>");
        }
        let _ = write!(
            b,
            "<div class=\"tools\"><button type=\"button\" data-append=\"{p}\" data-kind=\"string\">添加一项</button></div></fieldset>"
        );
    }

    /// A list of records: a grid when every field is a single value (出席
    /// 人员, a table's rows), else one block per record (附件 with its
    /// paragraphs).
    fn records(&self, b: &mut String, path: &str, items: &[Node]) {
        let label = self.label(path);
        let p = escape(path);
        let flat = items.iter().all(|i| match &i.kind {
            Kind::Table(es) => es
                .iter()
                .all(|e| !matches!(e.value.kind, Kind::Array(_) | Kind::Table(_))),
            _ => false,
        });
        let keys = self.record_keys(path);
        let add = format!(
            "<div class=\"tools\"><button type=\"button\" data-append=\"{p}\" data-kind=\"record\" data-keys=\"{}\">添加一{}</button></div>",
            escape(&keys),
            if flat { "行" } else { "项" }
        );
        if !flat {
            for (i, item) in items.iter().enumerate() {
                let base = format!("{path}.{i}");
                let _ = write!(
                    b,
                    "<fieldset class=\"record\"><legend>{}（{}）</legend>",
                    escape(&label),
                    i + 1
                );
                item_tools(b, &base, "项", i == 0, i + 1 == items.len());
                self.table(b, &base, item);
                b.push_str("</fieldset>");
            }
            b.push_str(&add);
            return;
        }
        let mut cols: Vec<&str> = Vec::new();
        for i in items {
            if let Kind::Table(es) = &i.kind {
                for e in es {
                    if !cols.contains(&e.key.as_str()) && nameable(&e.key) && !names_a_file(&e.key)
                    {
                        cols.push(&e.key);
                    }
                }
            }
        }
        let _ = write!(
            b,
            "<fieldset class=\"grid\"><legend>{}</legend><table class=\"form records\"><tr>",
            escape(&label)
        );
        for c in &cols {
            let t = self
                .spec
                .title(&format!("{path}.0.{c}"))
                .unwrap_or_else(|| c.to_string());
            let _ = write!(b, "<th>{}</th>", escape(&t));
        }
        b.push_str("<th></th></tr>");
        for (i, item) in items.iter().enumerate() {
            b.push_str("<tr>");
            for c in &cols {
                let name = format!("{path}.{i}.{c}");
                let title = self.spec.title(&name).unwrap_or_else(|| c.to_string());
                let shown = format!("{label}第 {} 行「{title}」", i + 1);
                let v = scalar(item.get(c));
                let control = match self.spec.choices(&name) {
                    Some(choices) if item.get(c).is_some() => {
                        select(&name, &v, &choices, &shown, false)
                    }
                    _ => input(&name, &v, &shown, ""),
                };
                let _ = write!(b, "<td>{control}</td>");
            }
            b.push_str("<td>");
            item_tools(
                b,
                &format!("{path}.{i}"),
                "行",
                i == 0,
                i + 1 == items.len(),
            );
            b.push_str("</td></tr>");
        }
        b.push_str("</table>");
        b.push_str(&add);
        b.push_str("</fieldset>");
    }

    /// A seal or a 签名章 (`noun` names it): one of the folder's pictures,
    /// or a new one sent from this computer (written into the folder);
    /// `unsealed` offers none.
    fn picture(&self, path: &str, value: &str, noun: &str, unsealed: bool) -> String {
        let mut s = format!(
            "<span class=\"picture\"><select name=\"{}\" data-label=\"{noun}\">",
            escape(path)
        );
        if unsealed {
            let _ = write!(
                s,
                "<option value=\"\"{}>（不盖{}）</option>",
                if value.is_empty() { " selected" } else { "" },
                if noun == "印章" { "章" } else { noun }
            );
        }
        let mut names: Vec<&str> = self.pictures.iter().map(String::as_str).collect();
        if !value.is_empty() && !names.contains(&value) {
            names.push(value);
        }
        for n in names {
            let _ = write!(
                s,
                "<option value=\"{v}\"{sel}>{v}</option>",
                v = escape(n),
                sel = if n == value { " selected" } else { "" }
            );
        }
        let _ = write!(
            s,
            "</select><label class=\"upload\">上传{noun}图片… <input type=\"file\" accept=\".png,.jpg,.jpeg,.svg\" data-upload=\"{}\"></label></span>",
            escape(path)
        );
        s
    }
}

/// Items of a paragraph list: texts, or tables of 小标题, text, heading and
/// level.
fn paragraph_like(n: &Node) -> bool {
    match &n.kind {
        Kind::Str(_) => true,
        Kind::Table(es) => es
            .iter()
            .all(|e| matches!(e.key.as_str(), "lead" | "text" | "heading" | "level")),
        _ => false,
    }
}

fn select(path: &str, value: &str, choices: &[String], label: &str, blank: bool) -> String {
    let mut s = format!(
        "<select name=\"{}\" data-label=\"{}\">",
        escape(path),
        escape(label)
    );
    if blank || value.is_empty() {
        s.push_str("<option value=\"\">（不填）</option>");
    }
    let mut all: Vec<&str> = choices.iter().map(String::as_str).collect();
    if !value.is_empty() && !all.contains(&value) {
        all.insert(0, value);
    }
    for c in all {
        let _ = write!(
            s,
            "<option value=\"{v}\"{sel}>{v}</option>",
            v = escape(c),
            sel = if c == value { " selected" } else { "" }
        );
    }
    s.push_str("</select>");
    s
}

/// The node at a key path (array indexes as numbers).
pub fn lookup<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    let mut n = root;
    for seg in path.split('.') {
        n = match &n.kind {
            Kind::Table(_) => n.get(seg)?,
            Kind::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(n)
}

/// A scalar's text as the file holds it; empty for anything else.
pub(crate) fn scalar(n: Option<&Node>) -> String {
    match n.map(|n| &n.kind) {
        Some(Kind::Str(s) | Kind::Int(s) | Kind::Float(s) | Kind::Date(s)) => s.clone(),
        Some(Kind::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

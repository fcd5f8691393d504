//! A template's JSON Schema (draft 2020-12), validated by the `jsonschema`
//! crate, with every violation said in Chinese at its line and column and
//! the field named by its `title`.

use serde_json::Value;

use super::advice::did_you_mean;
use super::value::Located;
use crate::diag::{Diagnostic, Diagnostics, Source};

/// Largest schema file accepted.
pub const MAX_SCHEMA_BYTES: u64 = 1024 * 1024;

/// Violations listed before the rest are only counted.
pub const MAX_LISTED: usize = 100;

/// How far `$ref`s are followed when looking up a title: a cycle of
/// references ends here instead of looping.
const MAX_REFS: usize = 32;

#[derive(Debug)]
pub struct Schema {
    pub json: Value,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Reads a schema: JSON syntax errors at their line, an invalid schema
    /// with the validator's reason. References outside the file are not
    /// resolved, so a schema never reaches the network or other files.
    pub fn parse(src: &Source) -> Result<Schema, Diagnostic> {
        let json: Value = serde_json::from_str(&src.text).map_err(|e| {
            let offset = offset_of(&src.text, e.line(), e.column());
            Diagnostic::error(format!("schema.json 不是有效的 JSON：{e}"))
                .at(src, offset..offset + 1)
        })?;
        Schema::from_json(json).map_err(|d| d.in_file(&src.path))
    }

    pub fn from_json(json: Value) -> Result<Schema, Diagnostic> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json)
            .map_err(|e| {
                let detail = e.to_string();
                let outside = detail
                    .strip_prefix("Resource '")
                    .and_then(|rest| rest.split_once('\''))
                    .filter(|(_, rest)| rest.contains("not present in a registry"));
                match outside {
                    Some((uri, _)) => Diagnostic::error(format!(
                        "schema.json 引用了文件之外的「{uri}」：gongwen 不从网络或其他文件读取 schema"
                    ))
                    .hint("把要引用的定义放进本文件的 $defs，用 \"$ref\": \"#/$defs/名称\" 引用"),
                    None => Diagnostic::error(format!(
                        "schema.json 不是有效的 JSON Schema（{detail}）"
                    ))
                    .hint("按 JSON Schema 2020-12 书写，例如 type 只能是 string、integer、number、boolean、array、object 或 null"),
                }
            })?;
        Ok(Schema { json, validator })
    }

    /// Every violation of the schema by the data, each at its place in
    /// the data file.
    pub fn check(&self, data: &Located, src: &Source) -> Diagnostics {
        let mut out = Diagnostics::default();
        let mut more = 0;
        for e in self.validator.iter_errors(&data.value) {
            if out.0.len() >= MAX_LISTED {
                more += 1;
                continue;
            }
            let pointer = e.instance_path().as_str().to_string();
            let field = self.field_name(&pointer);
            let at = |p: &str, key: bool| {
                data.place(p).map(|place| match (&place.key, key) {
                    (Some(k), true) => k.clone(),
                    _ => place.value.clone(),
                })
            };
            let here = at(&pointer, false);
            let shown = shown(e.instance());
            use jsonschema::error::ValidationErrorKind as K;
            let mut d = match e.kind() {
                K::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        let p = format!("{pointer}/{}", super::value::pointer_segment(key));
                        let whole = if pointer.is_empty() {
                            "数据文件".to_string()
                        } else {
                            field.clone()
                        };
                        let mut d = Diagnostic::error(format!("{whole}中没有「{key}」这一项"));
                        let names = self.property_names(&pointer);
                        d = match did_you_mean(key, names.iter().map(String::as_str)) {
                            Some(best) => d.hint(format!(
                                "是否想写 {best}（{}）？",
                                self.field_name(&format!("{pointer}/{best}"))
                            )),
                            None if !names.is_empty() => {
                                d.hint(format!("可以有的项：{}", names.join("、")))
                            }
                            None => d,
                        };
                        out.push(locate(d, at(&p, true), src));
                    }
                    continue;
                }
                K::Required { property } => {
                    let key = property.as_str().unwrap_or_default();
                    let title = self.field_name(&format!("{pointer}/{key}"));
                    let d = if pointer.is_empty() {
                        Diagnostic::error(format!("缺少{title}（{key}）"))
                    } else {
                        Diagnostic::error(format!("{field}缺少{title}（{key}）"))
                    };
                    let d = d.hint(format!("加上一行 {key} = …"));
                    // The top level has no line of its own: the message is
                    // about the file. A table is shown by its key or the
                    // first line of its header.
                    let place = at(&pointer, true).filter(|_| !pointer.is_empty());
                    let place = place.map(|s| {
                        let line_end = src.text[s.clone()]
                            .find('\n')
                            .map_or(s.end, |i| s.start + i);
                        s.start..line_end.max(s.start + 1).min(s.end.max(s.start + 1))
                    });
                    out.push(locate(d, place, src));
                    continue;
                }
                K::Type { kind } => {
                    let want = type_names(kind);
                    let d = Diagnostic::error(format!(
                        "{field}应为{want}，而不是{}{}",
                        json_type(e.instance()),
                        spaced(&shown)
                    ));
                    let numeric = want.contains("整数") || want.contains("数字");
                    match e.instance().as_ref() {
                        Value::String(s) if numeric => {
                            d.hint(crate::data::advice::number_in_text(s).unwrap_or_else(|| {
                                "数字不加引号，用阿拉伯数字书写，例如 41".into()
                            }))
                        }
                        _ => d,
                    }
                }
                K::Minimum { limit } => {
                    Diagnostic::error(format!("{field}不能小于 {limit}，现为 {shown}"))
                }
                K::Maximum { limit } => {
                    Diagnostic::error(format!("{field}不能大于 {limit}，现为 {shown}"))
                }
                K::ExclusiveMinimum { limit } => {
                    Diagnostic::error(format!("{field}应大于 {limit}，现为 {shown}"))
                }
                K::ExclusiveMaximum { limit } => {
                    Diagnostic::error(format!("{field}应小于 {limit}，现为 {shown}"))
                }
                K::MultipleOf { multiple_of } => {
                    Diagnostic::error(format!("{field}应为 {multiple_of} 的整数倍，现为 {shown}"))
                }
                K::Enum { options } => {
                    let allowed: Vec<String> = options
                        .as_array()
                        .map(|a| a.iter().map(self::shown).collect())
                        .unwrap_or_default();
                    let listed = match allowed.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("{}或{last}", rest.join("、"))
                        }
                        _ => allowed.concat(),
                    };
                    Diagnostic::error(format!(
                        "{field}只能是{}，而不是{}",
                        spaced(&listed),
                        spaced(&shown)
                    ))
                }
                K::Constant { expected_value } => Diagnostic::error(format!(
                    "{field}只能是{}，而不是{}",
                    spaced(&self::shown(expected_value)),
                    spaced(&shown)
                )),
                K::Format { format } if format == "date" => {
                    Diagnostic::error(format!("{field}应为日期，而不是{}", spaced(&shown)))
                        .hint("日期写成 2025-01-15（年-月-日，用半角数字和短横线）")
                }
                K::Format { format } => {
                    Diagnostic::error(format!("{field}不符合 {format} 格式：{shown}"))
                }
                K::Pattern { .. } => Diagnostic::error(format!("{field}的写法不符合要求：{shown}")),
                K::MinLength { limit } => {
                    Diagnostic::error(format!("{field}至少应有 {limit} 个字"))
                }
                K::MaxLength { limit } => Diagnostic::error(format!("{field}最多 {limit} 个字")),
                K::MinItems { limit } => Diagnostic::error(format!("{field}至少应有 {limit} 项")),
                K::MaxItems { limit } => Diagnostic::error(format!("{field}最多 {limit} 项")),
                K::UniqueItems => Diagnostic::error(format!("{field}中有重复的项")),
                K::MinProperties { limit } => {
                    Diagnostic::error(format!("{field}至少应有 {limit} 项"))
                }
                K::MaxProperties { limit } => Diagnostic::error(format!("{field}最多 {limit} 项")),
                K::AnyOf { .. } | K::OneOfNotValid { .. } => {
                    Diagnostic::error(format!("{field}不符合任何一种允许的写法：{shown}"))
                }
                K::OneOfMultipleValid { .. } => {
                    Diagnostic::error(format!("{field}同时符合几种只能选一的写法：{shown}"))
                }
                K::FalseSchema => Diagnostic::error(format!("{field}不应出现")),
                other => Diagnostic::error(format!(
                    "{field}不符合模板的要求（{}）：{shown}",
                    other.keyword()
                )),
            };
            if let Some(desc) = self.field(&pointer).and_then(|s| s.get("description")) {
                if let Some(desc) = desc.as_str() {
                    if d.hints.is_empty() {
                        d = d.hint(format!("{field}：{desc}"));
                    }
                }
            }
            out.push(locate(d, here, src));
        }
        out.sort();
        if more > 0 {
            out.push(
                Diagnostic::untold(more, "数据文件")
                    .in_file(&src.path)
                    .hint("先改正上面列出的问题，再运行 gongwen check"),
            );
        }
        out
    }

    /// The subschema that describes the value at an instance pointer,
    /// following `properties`, `items`, `prefixItems` and local `$ref`s.
    pub fn field(&self, pointer: &str) -> Option<&Value> {
        let mut s = self.resolve(&self.json)?;
        for seg in pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            let next = match seg.parse::<usize>() {
                Ok(i) if s.get("items").is_some() || s.get("prefixItems").is_some() => s
                    .get("prefixItems")
                    .and_then(|p| p.get(i))
                    .or_else(|| s.get("items")),
                _ => s.get("properties").and_then(|p| p.get(&seg)),
            }?;
            s = self.resolve(next)?;
        }
        Some(s)
    }

    /// 「title」 of the field at a pointer, or its key when it has none.
    pub fn field_name(&self, pointer: &str) -> String {
        let title = self
            .field(pointer)
            .and_then(|s| s.get("title"))
            .and_then(Value::as_str);
        let key = pointer.rsplit('/').next().unwrap_or_default();
        let index = pointer
            .rsplit('/')
            .next()
            .and_then(|k| k.parse::<usize>().ok());
        match (title, index) {
            (Some(t), Some(i)) => format!("「{t}」第 {} 项", i + 1),
            (Some(t), None) => format!("「{t}」"),
            (None, Some(i)) => {
                let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
                format!("{}第 {} 项", self.field_name(parent), i + 1)
            }
            (None, None) if pointer.is_empty() => "数据文件".into(),
            (None, None) => format!("「{key}」"),
        }
    }

    /// The keys an object at a pointer may have.
    pub fn property_names(&self, pointer: &str) -> Vec<String> {
        self.field(pointer)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Follows a schema's local `$ref` to what it names.
    pub fn resolve<'s>(&'s self, mut s: &'s Value) -> Option<&'s Value> {
        for _ in 0..MAX_REFS {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => s = self.json.pointer(r.strip_prefix('#')?)?,
                None => return Some(s),
            }
        }
        None
    }
}

fn locate(d: Diagnostic, span: Option<std::ops::Range<usize>>, src: &Source) -> Diagnostic {
    match span {
        Some(span) => d.at(src, span),
        None => d.in_file(&src.path),
    }
}

/// A shown value after Chinese text: a space before a number, none before
/// the corner bracket that quotes a text.
fn spaced(shown: &str) -> String {
    if shown.starts_with('「') {
        shown.to_string()
    } else {
        format!(" {shown}")
    }
}

/// A value as a clerk would recognise it in a message, shortened.
fn shown(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("「{s}」"),
        Value::Array(_) => "[…]".into(),
        Value::Object(_) => "{…}".into(),
        other => other.to_string(),
    };
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(38).collect();
        format!("{cut}…」")
    } else {
        s
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "空值",
        Value::Bool(_) => "布尔值",
        Value::Number(n) if n.is_f64() => "小数",
        Value::Number(_) => "整数",
        Value::String(_) => "文本",
        Value::Array(_) => "数组",
        Value::Object(_) => "表",
    }
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::error::TypeKind;
    let name = |t: jsonschema::JsonType| match t {
        jsonschema::JsonType::Array => "数组",
        jsonschema::JsonType::Boolean => "布尔值（true 或 false）",
        jsonschema::JsonType::Integer => "整数",
        jsonschema::JsonType::Null => "空值",
        jsonschema::JsonType::Number => "数字",
        jsonschema::JsonType::Object => "表",
        jsonschema::JsonType::String => "文本",
    };
    match kind {
        TypeKind::Single(t) => name(*t).into(),
        TypeKind::Multiple(set) => set.iter().map(name).collect::<Vec<_>>().join("或"),
    }
}

/// Byte offset of a 1-based line and column as serde_json counts them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    let col = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    (start + col).min(text.len().saturating_sub(1))
}

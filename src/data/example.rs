//! A complete data file written from a template's schema: every field, in
//! the schema's order, with its title and description as comments and an
//! example, default or zero value, so a clerk fills in numbers instead of
//! typing keys.

use std::fmt::Write;

use serde_json::Value;

use super::schema::Schema;

/// Text put where the schema gives no example: `check` warns while it is
/// still there.
pub const PLACEHOLDER: &str = "在此填写";

/// The data file's text. `head` lines come first (comments, `#:schema`,
/// `template = …`), `today` fills dates without an example.
pub fn example(schema: &Schema, head: &[String], today: &str) -> String {
    let mut w = Writer {
        schema,
        today,
        out: String::new(),
    };
    for line in head {
        let _ = writeln!(w.out, "{line}");
    }
    let root = schema.resolve(&schema.json).unwrap_or(&schema.json);
    w.table(root, &[]);
    w.out
}

/// Deepest nesting of tables and arrays written: a schema may refer to
/// itself (`"$ref": "#"`), which would otherwise nest for ever.
const MAX_DEPTH: usize = 12;

/// Most items an example array gets, whatever `minItems` asks: the clerk
/// adds rows by copying one, and `check` says how many are missing.
const MAX_ITEMS: u64 = 20;

/// Longest example written: tables of tables of twenty rows each multiply.
const MAX_BYTES: usize = 1 << 20;

struct Writer<'a> {
    schema: &'a Schema,
    today: &'a str,
    out: String,
}

impl Writer<'_> {
    /// The fields of an object: plain values first (TOML needs them before
    /// any table header), then tables and arrays of tables.
    fn table(&mut self, s: &Value, path: &[String]) {
        if path.len() > MAX_DEPTH || self.out.len() > MAX_BYTES {
            let _ = writeln!(self.out, "# （以下从略：嵌套过深或示例过长）");
            return;
        }
        let Some(props) = s.get("properties").and_then(Value::as_object) else {
            return;
        };
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut nested = Vec::new();
        for (key, sub) in props {
            if path.is_empty() && key == "template" {
                continue;
            }
            let sub = self.schema.resolve(sub).unwrap_or(sub);
            match kind(self.schema, sub) {
                Shape::Table | Shape::Tables => nested.push((key, sub)),
                Shape::Plain => {
                    let required = required.contains(&key.as_str());
                    self.comment(sub, required);
                    let v = self.value(sub, 0);
                    // An optional field with nothing to show is offered
                    // commented out: a placeholder there could break a
                    // rule that asks for it only sometimes.
                    let offered = required
                        || ["examples", "default", "const", "enum"]
                            .iter()
                            .any(|k| sub.get(*k).is_some());
                    // A field the schema marks `"x-commented": true` (份号,
                    // 密级, 紧急程度) is shown but not set: its example, left
                    // live, would mark a real document secret or urgent.
                    let commented = sub.get("x-commented") == Some(&Value::Bool(true));
                    let hash = if offered && !commented { "" } else { "# " };
                    let _ = writeln!(self.out, "{hash}{} = {v}", toml_key(key));
                }
            }
        }
        for (key, sub) in nested {
            let mut p = path.to_vec();
            p.push(key.clone());
            let header = p.iter().map(|k| toml_key(k)).collect::<Vec<_>>().join(".");
            self.out.push('\n');
            self.comment(sub, required.contains(&key.as_str()));
            match kind(self.schema, sub) {
                Shape::Tables => {
                    let item = sub.get("items").unwrap_or(&Value::Null);
                    let item = self.schema.resolve(item).unwrap_or(item);
                    let given = sub
                        .get("examples")
                        .and_then(|e| e.get(0))
                        .and_then(Value::as_array)
                        .filter(|rows| rows.iter().all(Value::is_object));
                    if let Some(rows) = given {
                        let needed: Vec<&str> = item
                            .get("required")
                            .and_then(Value::as_array)
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        // The schema's example rows, each as a table.
                        for (i, row) in rows.iter().enumerate() {
                            if i > 0 {
                                self.out.push('\n');
                            }
                            let _ = writeln!(self.out, "[[{header}]]");
                            for (k, v) in row.as_object().into_iter().flatten() {
                                let field = item
                                    .get("properties")
                                    .and_then(|p| p.get(k))
                                    .unwrap_or(&Value::Null);
                                let field = self.schema.resolve(field).unwrap_or(field);
                                self.comment(field, needed.contains(&k.as_str()));
                                let _ = writeln!(
                                    self.out,
                                    "{} = {}",
                                    toml_key(k),
                                    self.literal(v, field)
                                );
                            }
                            if i == 0 {
                                self.offered(item, row, &needed);
                            }
                        }
                        continue;
                    }
                    let n = sub
                        .get("minItems")
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        .clamp(1, MAX_ITEMS);
                    for i in 0..n {
                        if self.out.len() > MAX_BYTES {
                            break;
                        }
                        if i > 0 {
                            self.out.push('\n');
                        }
                        let _ = writeln!(self.out, "[[{header}]]");
                        self.table(item, &p);
                    }
                }
                _ => {
                    let _ = writeln!(self.out, "[{header}]");
                    self.table(sub, &p);
                }
            }
        }
    }

    /// The optional fields an example row leaves out, offered commented
    /// out under the first row (a switch with the value that turns it
    /// on), so that the file shows what an item can say.
    fn offered(&mut self, item: &Value, row: &Value, needed: &[&str]) {
        let Some(props) = item.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (k, field) in props {
            if needed.contains(&k.as_str()) || row.get(k).is_some() {
                continue;
            }
            let field = self.schema.resolve(field).unwrap_or(field);
            if !matches!(kind(self.schema, field), Shape::Plain) {
                continue;
            }
            self.comment(field, false);
            let v = if field.get("type") == Some(&Value::String("boolean".into())) {
                "true".to_string()
            } else {
                self.value(field, 0)
            };
            let _ = writeln!(self.out, "# {} = {v}", toml_key(k));
        }
    }

    fn comment(&mut self, s: &Value, required: bool) {
        let title = s.get("title").and_then(Value::as_str);
        let desc = s.get("description").and_then(Value::as_str);
        let need = if required { "必填" } else { "可不填" };
        match (title, desc) {
            (Some(t), Some(d)) => {
                let _ = writeln!(self.out, "# {t}（{need}）：{}", one_line(d));
            }
            (Some(t), None) => {
                let _ = writeln!(self.out, "# {t}（{need}）");
            }
            (None, Some(d)) => {
                let _ = writeln!(self.out, "# （{need}）{}", one_line(d));
            }
            (None, None) => {}
        }
    }

    fn value(&self, s: &Value, depth: usize) -> String {
        // Arrays of arrays multiply as tables do; three levels are plenty.
        if depth > 2 {
            return "[]".into();
        }
        if let Some(v) = s
            .get("examples")
            .and_then(|e| e.get(0))
            .or_else(|| s.get("default"))
            .or_else(|| s.get("const"))
            .or_else(|| s.get("enum").and_then(|e| e.get(0)))
        {
            return self.literal(v, s);
        }
        if let Some(first) = ["anyOf", "oneOf"]
            .iter()
            .find_map(|k| s.get(*k).and_then(|a| a.get(0)))
        {
            return self.value(self.schema.resolve(first).unwrap_or(first), depth + 1);
        }
        match type_of(s) {
            "integer" | "number" => {
                let min = s
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .or_else(|| {
                        s.get("exclusiveMinimum")
                            .and_then(Value::as_f64)
                            .map(|m| m + 1.0)
                    })
                    .unwrap_or(0.0)
                    .max(0.0_f64.min(s.get("maximum").and_then(Value::as_f64).unwrap_or(0.0)));
                format!("{}", min.ceil() as i64)
            }
            "boolean" => "false".into(),
            "array" => {
                let item = s.get("items").unwrap_or(&Value::Null);
                let item = self.schema.resolve(item).unwrap_or(item);
                let n = s
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(MAX_ITEMS);
                let items: Vec<String> = (0..n).map(|_| self.value(item, depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            "string" if s.get("format").and_then(Value::as_str) == Some("date") => {
                self.today.to_string()
            }
            _ => {
                let title = s.get("title").and_then(Value::as_str).unwrap_or("");
                toml_string(&format!("（{PLACEHOLDER}{title}）"))
            }
        }
    }

    /// A JSON value as TOML; a date string unquoted, as a TOML date.
    fn literal(&self, v: &Value, s: &Value) -> String {
        match v {
            Value::String(text) => {
                let is_date = s.get("format").and_then(Value::as_str) == Some("date");
                if is_date && text.len() == 10 {
                    text.clone()
                } else {
                    toml_string(text)
                }
            }
            Value::Array(items) => {
                let item = s.get("items").unwrap_or(&Value::Null);
                let parts: Vec<String> = items.iter().map(|i| self.literal(i, item)).collect();
                let one_line = format!("[{}]", parts.join(", "));
                // A long list reads one item a line, as a clerk edits it.
                if one_line.chars().count() > 60 {
                    format!("[\n  {},\n]", parts.join(",\n  "))
                } else {
                    one_line
                }
            }
            Value::Object(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{} = {}", toml_key(k), self.literal(v, &Value::Null)))
                    .collect();
                format!("{{ {} }}", parts.join(", "))
            }
            Value::Null => "\"\"".into(),
            other => other.to_string(),
        }
    }
}

enum Shape {
    Plain,
    Table,
    Tables,
}

fn type_of(s: &Value) -> &str {
    match s.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => ts.first().and_then(Value::as_str).unwrap_or(""),
        _ if s.get("properties").is_some() => "object",
        _ => "",
    }
}

fn kind(schema: &Schema, s: &Value) -> Shape {
    match type_of(s) {
        "object" => Shape::Table,
        "array" => {
            let item = s.get("items").unwrap_or(&Value::Null);
            let item = schema.resolve(item).unwrap_or(item);
            if type_of(item) == "object" {
                Shape::Tables
            } else {
                Shape::Plain
            }
        }
        _ => Shape::Plain,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn toml_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        k.to_string()
    } else {
        toml_string(k)
    }
}

pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

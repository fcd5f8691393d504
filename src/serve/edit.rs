//! Form fields written back into the data file's text with `toml_edit`, so
//! every comment, the order of keys and the layout of untouched values stay
//! as they were. A field is named by its key path with array indexes
//! (`applications.new.0`); its value is what the clerk typed.

use std::collections::BTreeMap;

use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// What the desk posts: changed fields, and the length of each table row
/// whose array the file does not have yet (it is made full of zeros).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Edits {
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub lengths: BTreeMap<String, usize>,
    /// The file's version the page was loaded from (for saving).
    #[serde(default)]
    pub version: Option<String>,
    /// A paragraph (`"text"` or `"lead"`), a record (`"record"`) or a
    /// table's row of empty cells (`"row"`) to add
    /// at the end of the array at this key path, after the fields.
    #[serde(default)]
    pub append: Option<(String, String)>,
    /// Where the appended element goes (an index of the array; its end
    /// when absent).
    #[serde(default)]
    pub at: Option<usize>,
    /// The keys of a record started in a list the file does not have yet,
    /// each with what it holds (`"text"` or `"paragraphs"`).
    #[serde(default)]
    pub keys: Vec<(String, String)>,
    /// An array element (`overview.3`) or an optional key (`copy_number`)
    /// to remove, after the fields.
    #[serde(default)]
    pub remove: Option<String>,
    /// An array element to move by one place (-1 up, 1 down), after the
    /// fields.
    #[serde(default)]
    pub shift: Option<(String, i64)>,
}

/// What a new paragraph says until the clerk writes it; `check` warns
/// about it as about every placeholder.
pub const NEW_TEXT: &str = "（在此填写：本段内容）";
pub const NEW_LEAD: &str = "（在此填写小标题。）";
pub const NEW_HEADING: &str = "（在此填写标题）";
pub const NEW_ITEM: &str = "（在此填写）";

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(name: &str) -> Option<Vec<Seg<'_>>> {
    name.split('.')
        .map(|s| {
            if s.is_empty() {
                None
            } else if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok().map(Seg::Index)
            } else {
                Some(Seg::Key(s))
            }
        })
        .collect()
}

/// Applies the edits to a data file's text, TOML or (by its name) JSON.
pub fn apply_to(path: &std::path::Path, text: &str, edits: &Edits) -> Result<String, String> {
    if path.extension().is_some_and(|e| e == "json") {
        apply_json(text, edits)
    } else {
        apply(text, edits)
    }
}

/// Applies the edits to a JSON text: through the same TOML document the
/// edits of a TOML file go through (objects as tables, lists of objects
/// as lists of tables), back as JSON indented as the file was. A file the
/// edits leave as it was is returned byte for byte.
pub fn apply_json(text: &str, edits: &Edits) -> Result<String, String> {
    let refused = || "数据文件不是有效的 JSON，无法在表单中修改；请先用编辑器改正".to_string();
    let before: serde_json::Value = serde_json::from_str(text).map_err(|_| refused())?;
    let serde_json::Value::Object(top) = &before else {
        return Err(refused());
    };
    let mut doc = DocumentMut::new();
    for (k, v) in top {
        doc.insert(k, json_item(v).ok_or_else(no_null)?);
    }
    let edited = apply(&doc.to_string(), edits)?;
    let edited: DocumentMut = edited.parse().map_err(|_| refused())?;
    let after = serde_json::Value::Object(
        edited
            .iter()
            .map(|(k, v)| (k.to_string(), item_json(v)))
            .collect(),
    );
    if after == before {
        return Ok(text.to_string());
    }
    let after = in_order_of(after, &before);
    let indent = text
        .lines()
        .nth(1)
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .unwrap_or("  ");
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&after, &mut ser).map_err(|e| e.to_string())?;
    let mut out = String::from_utf8(out).map_err(|e| e.to_string())?;
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The keys of each object in the order the file had them, new keys
/// after.
fn in_order_of(v: serde_json::Value, was: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match (v, was) {
        (J::Object(mut o), J::Object(w)) => {
            let mut out = serde_json::Map::new();
            for (k, old) in w {
                if let Some(x) = o.remove(k) {
                    out.insert(k.clone(), in_order_of(x, old));
                }
            }
            out.extend(o);
            J::Object(out)
        }
        (J::Array(a), J::Array(w)) => J::Array(
            a.into_iter()
                .enumerate()
                .map(|(i, x)| match w.get(i) {
                    Some(old) => in_order_of(x, old),
                    None => x,
                })
                .collect(),
        ),
        (v, _) => v,
    }
}

fn no_null() -> String {
    "数据文件中有 null 值，无法在表单中修改；请用编辑器删去这一项或填上内容".to_string()
}

fn json_value(v: &serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    Some(match v {
        J::Null => return None,
        J::Bool(b) => Value::from(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64()?),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(a) => {
            let mut arr = Array::new();
            for x in a {
                arr.push(json_value(x)?);
            }
            Value::Array(arr)
        }
        J::Object(o) => {
            let mut t = toml_edit::InlineTable::new();
            for (k, x) in o {
                t.insert(k, json_value(x)?);
            }
            Value::InlineTable(t)
        }
    })
}

/// An object is a table, a list of objects a list of tables (records),
/// anything else a value.
fn json_item(v: &serde_json::Value) -> Option<Item> {
    use serde_json::Value as J;
    Some(match v {
        J::Object(o) => {
            let mut t = Table::new();
            for (k, x) in o {
                t.insert(k, json_item(x)?);
            }
            Item::Table(t)
        }
        J::Array(a) if !a.is_empty() && a.iter().all(J::is_object) => {
            let mut tables = toml_edit::ArrayOfTables::new();
            for x in a {
                match json_item(x)? {
                    Item::Table(t) => tables.push(t),
                    _ => return None,
                }
            }
            Item::ArrayOfTables(tables)
        }
        other => Item::Value(json_value(other)?),
    })
}

fn value_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::String(s) => J::from(s.value().as_str()),
        Value::Integer(i) => J::from(*i.value()),
        Value::Float(f) => J::from(*f.value()),
        Value::Boolean(b) => J::from(*b.value()),
        // A date typed into a JSON file is kept as the text JSON has for it.
        Value::Datetime(d) => J::from(d.value().to_string()),
        Value::Array(a) => J::Array(a.iter().map(value_json).collect()),
        Value::InlineTable(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_json(v)))
                .collect(),
        ),
    }
}

fn item_json(i: &Item) -> serde_json::Value {
    use serde_json::Value as J;
    match i {
        Item::Value(v) => value_json(v),
        Item::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), item_json(v)))
                .collect(),
        ),
        Item::ArrayOfTables(ts) => J::Array(
            ts.iter()
                .map(|t| {
                    J::Object(
                        t.iter()
                            .map(|(k, v)| (k.to_string(), item_json(v)))
                            .collect(),
                    )
                })
                .collect(),
        ),
        Item::None => J::Null,
    }
}

/// Applies the edits to a TOML text. A field the file cannot take (a path
/// through a number, an index far past an array's end) is an error naming
/// it; a value of the wrong kind is written as text, so that the check
/// reports it at its place the way `gongwen check` does.
pub fn apply(text: &str, edits: &Edits) -> Result<String, String> {
    bounded(edits)?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| "数据文件不是有效的 TOML，无法在表单中修改；请先用编辑器改正".to_string())?;
    for (name, typed) in &edits.fields {
        // Keys that name other files: a page may not point the check or
        // the render at a file outside the folder.
        let leaf = name
            .rsplit('.')
            .find(|s| !s.bytes().all(|b| b.is_ascii_digit()));
        if matches!(leaf, Some("previous" | "template")) {
            return Err(format!(
                "「{name}」指向其他文件，不能在表单中修改；请用编辑器修改数据文件"
            ));
        }
        // A seal or a 签名章 names a picture of the folder (the desk
        // checks it is one); none chosen takes the key out.
        if let Some(noun) = leaf.and_then(super::form::picture_key) {
            if !plain_picture(typed) && !typed.is_empty() {
                return Err(format!(
                    "{noun}只能是本目录中的图片文件名，「{}」不是",
                    short(typed)
                ));
            }
            if typed.is_empty() {
                remove(doc.as_item_mut(), name);
                continue;
            }
        }
        let segs =
            segments(name).ok_or_else(|| format!("表单项「{}」不是数据文件的键", short(name)))?;
        let length = |upto: usize| -> usize {
            let prefix: Vec<&str> = name.split('.').take(upto).collect();
            edits.lengths.get(&prefix.join(".")).copied().unwrap_or(0)
        };
        set(doc.as_item_mut(), &segs, 0, typed, &length)
            .map_err(|()| {
                format!(
                    "表单项「{}」无法写入数据文件：它是一组内容（其中每一项各有表单项），或不在数据文件的结构中",
                    short(name)
                )
            })?;
    }
    if let Some((path, kind)) = &edits.append {
        append(doc.as_item_mut(), path, kind, edits.at, &edits.keys)
            .ok_or_else(|| format!("无法在「{path}」中添加：数据文件中这一项不是列表"))?;
    }
    if let Some(path) = &edits.remove {
        remove(doc.as_item_mut(), path).ok_or_else(|| format!("数据文件中没有「{path}」"))?;
    }
    if let Some((path, by)) = &edits.shift {
        shift(doc.as_item_mut(), path, *by).ok_or_else(|| format!("「{path}」无法移动"))?;
    }
    Ok(doc.to_string())
}

/// A plain picture file name (the folder is the desk's to check).
fn plain_picture(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', ':'])
        && [".png", ".jpg", ".jpeg", ".svg"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// The longest row a form makes (table 三 has 7 columns) and the deepest
/// and longest key path a data file's form names: what a request can make
/// the desk allocate or recurse on.
const MAX_ROW: usize = 64;
const MAX_DEPTH: usize = 16;
const MAX_NAME: usize = 512;

fn bounded(edits: &Edits) -> Result<(), String> {
    for (row, &n) in &edits.lengths {
        if n > MAX_ROW {
            return Err(format!(
                "表单项「{}」的行长 {n} 超出表格（最多 {MAX_ROW} 列）",
                short(row)
            ));
        }
    }
    let names = edits
        .fields
        .keys()
        .chain(edits.lengths.keys())
        .chain(edits.append.iter().map(|(p, _)| p))
        .chain(edits.remove.iter())
        .chain(edits.shift.iter().map(|(p, _)| p))
        .chain(edits.keys.iter().map(|(k, _)| k));
    if edits.keys.len() > MAX_DEPTH {
        return Err("新记录的键过多".into());
    }
    for name in names {
        if name.len() > MAX_NAME || name.split('.').count() > MAX_DEPTH {
            return Err(format!("表单项「{}」不是数据文件的键", short(name)));
        }
    }
    Ok(())
}

/// A name cut for a message.
fn short(name: &str) -> String {
    let mut s: String = name.chars().take(40).collect();
    if s.len() < name.len() {
        s.push('…');
    }
    s
}

/// The item at a path of keys (lists are added to and removed from where
/// they hang in a table).
fn item_at<'a>(root: &'a mut Item, path: &str) -> Option<&'a mut Item> {
    match walk(root, path)? {
        Place::Item(i) => Some(i),
        Place::Record(_) | Place::Value(_) => None,
    }
}

/// The table at a path: a `[table]`, an inline one, or a record of a
/// `[[list]]`.
fn table_at<'a>(root: &'a mut Item, path: &str) -> Option<&'a mut dyn toml_edit::TableLike> {
    match walk(root, path)? {
        Place::Item(i) => i.as_table_like_mut(),
        Place::Record(t) => Some(t),
        Place::Value(Value::InlineTable(t)) => Some(t),
        Place::Value(_) => None,
    }
}

/// The array of values at a path: a key's, or one inside another array
/// (a table's rows in a paragraph of the 正文).
fn array_at<'a>(root: &'a mut Item, path: &str) -> Option<&'a mut Array> {
    match walk(root, path)? {
        Place::Item(i) => i.as_array_mut(),
        Place::Value(Value::Array(a)) => Some(a),
        Place::Record(_) | Place::Value(_) => None,
    }
}

enum Place<'a> {
    Item(&'a mut Item),
    /// A record of a `[[list]]`, which is a table and not an item.
    Record(&'a mut Table),
    /// An element of an array of values, or a value of an inline table
    /// inside one.
    Value(&'a mut Value),
}

fn walk<'a>(root: &'a mut Item, path: &str) -> Option<Place<'a>> {
    let mut at = Place::Item(root);
    if path.is_empty() {
        return Some(at);
    }
    for seg in path.split('.') {
        at = match (at, seg.parse::<usize>()) {
            (Place::Item(i), Ok(n)) => match i {
                Item::ArrayOfTables(t) => Place::Record(t.get_mut(n)?),
                Item::Value(Value::Array(a)) => Place::Value(a.get_mut(n)?),
                _ => return None,
            },
            (Place::Item(i), Err(_)) => Place::Item(i.as_table_like_mut()?.get_mut(seg)?),
            (Place::Record(t), Err(_)) => Place::Item(t.get_mut(seg)?),
            (Place::Record(_), Ok(_)) => return None,
            (Place::Value(Value::Array(a)), Ok(n)) => Place::Value(a.get_mut(n)?),
            (Place::Value(Value::InlineTable(t)), Err(_)) => Place::Value(t.get_mut(seg)?),
            (Place::Value(_), _) => return None,
        };
    }
    Some(at)
}

/// A new element of the array at `path`, at `at` or at its end: a
/// placeholder paragraph (text, with a 小标题, or a heading), a text, or a
/// record shaped like the last one (placeholders for its texts and
/// paragraphs). A list the file does not have is started (`keys` say its
/// record's keys).
fn append(
    root: &mut Item,
    path: &str,
    kind: &str,
    at: Option<usize>,
    keys: &[(String, String)],
) -> Option<()> {
    if walk(root, path).is_none() {
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
        if key.parse::<usize>().is_ok() {
            return None;
        }
        let made = if kind == "record" {
            let mut t = Table::new();
            for (k, what) in keys {
                t.insert(k, Item::Value(placeholder(what)));
            }
            let mut tables = toml_edit::ArrayOfTables::new();
            tables.push(t);
            Item::ArrayOfTables(tables)
        } else {
            let mut a = Array::new();
            a.push_formatted(paragraph(kind).decorated("\n  ", ""));
            a.set_trailing("\n");
            a.set_trailing_comma(true);
            Item::Value(Value::Array(a))
        };
        table_at(root, parent)?.insert(key, made);
        return Some(());
    }
    if let Some(tables) = item_at(root, path).and_then(Item::as_array_of_tables_mut) {
        let mut t = Table::new();
        if let Some(last) = tables.iter().last() {
            for (k, v) in last.iter() {
                t.insert(k, blank(v));
            }
        }
        let at = at.unwrap_or(tables.len()).min(tables.len());
        tables.push(t);
        // Moved into place one step at a time, keeping each table where
        // the file prints it.
        for i in (at..tables.len() - 1).rev() {
            swap_tables(tables, i)?;
        }
        return Some(());
    }
    let arr = array_at(root, path)?;
    let value = if kind == "row" {
        empty_row(arr)
    } else {
        paragraph(kind)
    };
    // Laid out like the file's other elements: one a line, indented as
    // the first.
    let first = arr
        .get(0)
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("\n  ");
    let plain = match first.rsplit_once('\n') {
        Some((_, indent)) => format!("\n{indent}"),
        None => first.to_string(),
    };
    let at = at.unwrap_or(arr.len()).min(arr.len());
    // A comment at the end of the line before belongs to the element that
    // follows it: the new one takes it over, so it stays on its line.
    let taken = arr
        .get(at)
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .map(str::to_string);
    match taken {
        Some(before) => {
            arr.insert_formatted(at, value.decorated(before, ""));
            arr.get_mut(at + 1)?.decor_mut().set_prefix(plain);
        }
        None => arr.insert_formatted(at, value.decorated(plain, "")),
    }
    Some(())
}

/// A new row of a table's `rows`: an empty cell for each column of the
/// widest row (a cell spanning columns counts for each of them).
fn empty_row(rows: &Array) -> Value {
    let span = |c: &Value| {
        c.as_inline_table()
            .and_then(|t| t.get("colspan"))
            .and_then(Value::as_integer)
            .unwrap_or(1)
            .clamp(1, 50) as usize
    };
    let columns = rows
        .iter()
        .filter_map(Value::as_array)
        .map(|r| r.iter().map(span).sum::<usize>())
        .max()
        .unwrap_or(1);
    let mut row = Array::new();
    for _ in 0..columns {
        row.push("");
    }
    Value::Array(row)
}

/// A placeholder paragraph, heading or list item.
fn paragraph(kind: &str) -> Value {
    let pair = |k: &str, v: &str| {
        let mut t = toml_edit::InlineTable::new();
        if k == "lead" {
            t.insert("lead", Value::from(NEW_LEAD));
        }
        t.insert(
            if k == "heading" { "heading" } else { "text" },
            Value::from(v),
        );
        Value::InlineTable(t)
    };
    match kind {
        "lead" => pair("lead", NEW_TEXT),
        "heading" => pair("heading", NEW_HEADING),
        "string" => Value::from(NEW_ITEM),
        _ => Value::from(NEW_TEXT),
    }
}

/// The value a new record's key starts with.
fn placeholder(what: &str) -> Value {
    if what == "paragraphs" {
        let mut a = Array::new();
        a.push(NEW_TEXT);
        Value::Array(a)
    } else {
        Value::from(NEW_ITEM)
    }
}

/// A new record's value for a key of the last one: numbers 0, a
/// date and a yes/no as they were, texts and paragraphs placeholders.
fn blank(v: &Item) -> Item {
    match v {
        Item::Value(Value::Integer(_)) => Item::Value(Value::from(0i64)),
        Item::Value(Value::Array(a)) if a.iter().all(|x| x.is_str() || x.is_inline_table()) => {
            Item::Value(placeholder("paragraphs"))
        }
        Item::Value(Value::String(_)) => Item::Value(Value::from(NEW_ITEM)),
        Item::Value(v) => Item::Value(v.clone().decorated(" ", "")),
        Item::Table(t) => {
            let mut n = Table::new();
            for (k, v) in t.iter() {
                n.insert(k, blank(v));
            }
            Item::Table(n)
        }
        other => other.clone(),
    }
}

/// Swaps records `i` and `i + 1` of a `[[list]]`, each keeping its
/// comments and fields; where the file prints each stays.
fn swap_tables(tables: &mut toml_edit::ArrayOfTables, i: usize) -> Option<()> {
    let a = tables.get(i)?.clone();
    let b = tables.get(i + 1)?.clone();
    let (pa, pb) = (a.position(), b.position());
    let mut a2 = b;
    let mut b2 = a;
    a2.set_position(pa);
    b2.set_position(pb);
    *tables.get_mut(i)? = a2;
    *tables.get_mut(i + 1)? = b2;
    Some(())
}

/// Moves an array element or a record one place up (`by` -1) or down.
fn shift(root: &mut Item, path: &str, by: i64) -> Option<()> {
    let (parent, index) = path.rsplit_once('.')?;
    let i: usize = index.parse().ok()?;
    let j = match by {
        -1 => i.checked_sub(1)?,
        1 => i + 1,
        _ => return None,
    };
    if let Some(tables) = item_at(root, parent).and_then(Item::as_array_of_tables_mut) {
        (j < tables.len()).then_some(())?;
        return swap_tables(tables, i.min(j));
    }
    let arr = array_at(root, parent)?;
    (i < arr.len() && j < arr.len()).then_some(())?;
    // Each value keeps the line it is written on: only the values move.
    let (first, second) = (i.min(j), i.max(j));
    let a = arr.get(first)?.clone();
    let b = arr.get(second)?.clone();
    let (da, db) = (a.decor().clone(), b.decor().clone());
    let mut a2 = b;
    *a2.decor_mut() = da;
    let mut b2 = a;
    *b2.decor_mut() = db;
    arr.replace_formatted(first, a2);
    arr.replace_formatted(second, b2);
    Some(())
}

fn remove(root: &mut Item, path: &str) -> Option<()> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let Ok(index) = last.parse::<usize>() else {
        // An optional key of a table.
        return table_at(root, parent.unwrap_or(""))?
            .remove(last)
            .map(|_| ());
    };
    let parent = parent?;
    if let Some(tables) = item_at(root, parent).and_then(Item::as_array_of_tables_mut) {
        (index < tables.len()).then(|| {
            tables.remove(index);
        })
    } else {
        let arr = array_at(root, parent)?;
        (index < arr.len()).then(|| {
            arr.remove(index);
        })
    }
}

type Length<'a> = &'a dyn Fn(usize) -> usize;

fn set(
    item: &mut Item,
    segs: &[Seg<'_>],
    depth: usize,
    typed: &str,
    length: Length,
) -> Result<(), ()> {
    let Some((first, rest)) = segs.split_first() else {
        // A list or a table (an annex's paragraphs) is never replaced by
        // one typed value: each of its values is a field of its own.
        if !scalar(item.as_value()) {
            return Err(());
        }
        let new = convert(item.as_value(), typed);
        if !item.as_value().is_some_and(|old| same_value(old, &new)) {
            replace(item, new);
        }
        return Ok(());
    };
    match first {
        Seg::Key(_) => in_table(
            item.as_table_like_mut().ok_or(())?,
            segs,
            depth,
            typed,
            length,
        ),
        Seg::Index(i) => {
            if let Some(tables) = item.as_array_of_tables_mut() {
                // [[rows]]: a field of the i-th record.
                let t = tables.get_mut(*i).ok_or(())?;
                return in_table(t, rest, depth + 1, typed, length);
            }
            in_array(item.as_array_mut().ok_or(())?, segs, depth, typed, length)
        }
    }
}

/// `segs` starts with the index to find or add in `arr`.
fn in_array(
    arr: &mut Array,
    segs: &[Seg<'_>],
    depth: usize,
    typed: &str,
    length: Length,
) -> Result<(), ()> {
    let Some((Seg::Index(i), rest)) = segs.split_first() else {
        return Err(());
    };
    let i = *i;
    if i > arr.len() || (i == arr.len() && !rest.is_empty()) {
        return Err(());
    }
    if rest.is_empty() {
        if i < arr.len() && !scalar(arr.get(i)) {
            return Err(());
        }
        let new = convert(arr.get(i), typed);
        if i == arr.len() {
            arr.push_formatted(new);
        } else if !same_value(arr.get(i).expect("in range"), &new) {
            arr.replace(i, new);
        }
        return Ok(());
    }
    match arr.get_mut(i) {
        // A paragraph written { lead = "…", text = "…" }, a merged cell.
        Some(Value::InlineTable(t)) => in_table(t, rest, depth + 1, typed, length),
        // A table's row.
        Some(Value::Array(inner)) => in_array(inner, rest, depth + 1, typed, length),
        _ => Err(()),
    }
}

fn scalar(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !matches!(v, Value::Array(_) | Value::InlineTable(_)))
}

/// `segs` starts with the key to find or make in `table`.
fn in_table(
    table: &mut dyn toml_edit::TableLike,
    segs: &[Seg<'_>],
    depth: usize,
    typed: &str,
    length: Length,
) -> Result<(), ()> {
    let Some((Seg::Key(k), rest)) = segs.split_first() else {
        return Err(());
    };
    if table.get(k).is_none() {
        // An empty field of a key the file leaves out writes nothing: the
        // form shows every key its schema knows. Nor does an unticked box,
        // which is how the form shows such a key.
        if rest.is_empty() && (typed.trim().is_empty() || typed == "false") {
            return Ok(());
        }
        let made = match rest.first() {
            Some(Seg::Index(_)) => {
                let mut a = Array::new();
                for _ in 0..length(depth + 1) {
                    a.push(0i64);
                }
                Item::Value(Value::Array(a))
            }
            Some(Seg::Key(_)) => {
                let mut t = Table::new();
                // Keys made under [applications] read like the file's own
                // (withheld.state_secret = …).
                t.set_dotted(depth > 0);
                t.set_implicit(true);
                Item::Table(t)
            }
            None => Item::Value(convert(None, typed)),
        };
        table.insert(k, made);
    }
    set(table.get_mut(k).ok_or(())?, rest, depth + 1, typed, length)
}

/// Replaces a value keeping the comment and spacing around it.
fn replace(item: &mut Item, mut new: Value) {
    if let Some(old) = item.as_value() {
        let d = old.decor();
        let (p, s) = (d.prefix().cloned(), d.suffix().cloned());
        let nd = new.decor_mut();
        if let Some(p) = p {
            nd.set_prefix(p);
        }
        if let Some(s) = s {
            nd.set_suffix(s);
        }
    }
    *item = Item::Value(new);
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value() == y.value(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        _ => false,
    }
}

/// What the clerk typed, as the kind of value the file has there: a number
/// typed with full-width digits (an input method's default) is a number;
/// an empty count is 0; what is not a number stays text for the check to
/// point at.
fn convert(old: Option<&Value>, typed: &str) -> Value {
    let narrow: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' => '-',
            '．' => '.',
            _ => c,
        })
        .collect();
    let date = || {
        narrow
            .parse::<toml_edit::Datetime>()
            .ok()
            .or_else(|| crate::data::advice::chinese_date(&narrow)?.parse().ok())
    };
    let text = || Value::from(typed.to_string());
    match old {
        Some(Value::Integer(_)) => {
            if narrow.is_empty() {
                Value::from(0i64)
            } else {
                narrow.parse::<i64>().map_or_else(|_| text(), Value::from)
            }
        }
        // A key the file does not have yet: what the typed text is.
        None => match narrow.as_str() {
            "" => Value::from(0i64),
            "true" => Value::from(true),
            "false" => Value::from(false),
            n => n
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| date().map(Value::from))
                .unwrap_or_else(text),
        },
        Some(Value::Float(_)) => narrow.parse::<f64>().map_or_else(|_| text(), Value::from),
        Some(Value::Boolean(_)) => match narrow.as_str() {
            "true" => Value::from(true),
            "false" => Value::from(false),
            _ => text(),
        },
        Some(Value::Datetime(_)) => date().map_or_else(text, Value::from),
        Some(Value::String(s)) if money(s.value()) && money(&narrow) => Value::from(narrow),
        // A date kept as text (a JSON file's): written the way it was.
        Some(Value::String(s)) if is_date(s.value()) => {
            crate::data::advice::chinese_date(&narrow).map_or_else(text, Value::from)
        }
        _ => text(),
    }
}

/// `2026-01-20`.
fn is_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<toml_edit::Datetime>().is_ok()
}

fn money(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The version a page works from: changes when the file's bytes change.
pub fn version(bytes: &[u8]) -> String {
    format!("{:08x}-{}", crc32fast::hash(bytes), bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, fields: &[(&str, &str)], lengths: &[(&str, usize)]) -> String {
        let e = Edits {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            lengths: lengths.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..Edits::default()
        };
        apply(text, &e).unwrap()
    }

    const FILE: &str = "# 报告\nagency = \"某局\"   # 机关\nyear = 2025\n\n[applications]\nnew = [46, 9, 1]  # 新收\nwithheld.third_party = [2, 1, 0]\n\n[signature]\ndate = 2026-01-20\n";

    #[test]
    fn keeps_comments_and_layout() {
        let out = edit(
            FILE,
            &[("applications.new.1", "１０"), ("agency", "某某局")],
            &[],
        );
        assert_eq!(
            out,
            FILE.replace("[46, 9, 1]", "[46, 10, 1]")
                .replace("\"某局\"", "\"某某局\"")
        );
        // Unchanged values are left alone, byte for byte.
        assert_eq!(
            edit(FILE, &[("year", "2025"), ("applications.new.0", "46")], &[]),
            FILE
        );
    }

    #[test]
    fn makes_missing_rows_beside_their_siblings() {
        let out = edit(
            FILE,
            &[("applications.withheld.state_secret.2", "3")],
            &[("applications.withheld.state_secret", 3)],
        );
        assert!(out.contains("withheld.state_secret = [0, 0, 3]"), "{out}");
        assert!(out.contains("# 新收"), "{out}");
    }

    #[test]
    fn what_is_not_a_number_stays_text_for_the_check() {
        let out = edit(FILE, &[("applications.new.0", "四十六")], &[]);
        assert!(out.contains("new = [\"四十六\", 9, 1]"), "{out}");
        let out = edit(FILE, &[("signature.date", "2026-01-21")], &[]);
        assert!(out.contains("date = 2026-01-21\n"), "{out}");
        let out = edit(FILE, &[("signature.date", "明天")], &[]);
        assert!(out.contains("date = \"明天\""), "{out}");
    }

    #[test]
    fn paragraphs_and_records() {
        let text = "overview = [\n  \"甲\",\n  { lead = \"（一）\", text = \"乙\" },  # 段\n]\n\n[[rows]]\nwindow = \"窗口\"\nreceived = 5\n";
        let out = edit(
            text,
            &[
                ("overview.1.text", "丙"),
                ("rows.0.received", "6"),
                ("rows.0.overdue", "1"),
            ],
            &[],
        );
        assert_eq!(
            out,
            "overview = [\n  \"甲\",\n  { lead = \"（一）\", text = \"丙\" },  # 段\n]\n\n[[rows]]\nwindow = \"窗口\"\nreceived = 6\noverdue = 1\n"
        );
    }

    #[test]
    fn paragraphs_and_records_added_and_removed() {
        let text = "overview = [\n  \"甲\",\n  { lead = \"（一）\", text = \"乙\" },\n]\n\n[[rows]]\nwindow = \"窗口\"\nreceived = 5\n";
        let with = |append: Option<(&str, &str)>, remove: Option<&str>| {
            let e = Edits {
                append: append.map(|(a, b)| (a.to_string(), b.to_string())),
                remove: remove.map(str::to_string),
                ..Edits::default()
            };
            apply(text, &e).unwrap()
        };
        assert_eq!(
            with(Some(("overview", "text")), None),
            text.replace("},\n]", &format!("}},\n  \"{NEW_TEXT}\",\n]"))
        );
        assert!(with(Some(("overview", "lead")), None).contains(&format!(
            "{{ lead = \"{NEW_LEAD}\", text = \"{NEW_TEXT}\" }}"
        )));
        assert_eq!(
            with(None, Some("overview.0")),
            text.replace("\n  \"甲\",", "")
        );
        let out = with(Some(("rows", "record")), None);
        assert!(
            out.ends_with(&format!(
                "[[rows]]\nwindow = \"{NEW_ITEM}\"\nreceived = 0\n"
            )),
            "{out}"
        );
        assert_eq!(
            with(None, Some("rows.0")),
            "overview = [\n  \"甲\",\n  { lead = \"（一）\", text = \"乙\" },\n]\n"
        );
        let e = Edits {
            remove: Some("overview.9".into()),
            ..Edits::default()
        };
        assert!(apply(text, &e).is_err());
    }

    #[test]
    fn keys_naming_other_files_are_not_form_fields() {
        for (key, why) in [
            ("previous", "指向其他文件"),
            ("template", "指向其他文件"),
            ("signature.seal", "印章只能是本目录中的图片文件名"),
            ("seal", "印章只能是本目录中的图片文件名"),
            ("stamp", "签名章只能是本目录中的图片文件名"),
        ] {
            let e = Edits {
                fields: [(key.to_string(), "/etc/passwd".to_string())].into(),
                ..Edits::default()
            };
            assert!(apply(FILE, &e).unwrap_err().contains(why), "{key}");
        }
    }

    /// Any key path and value on a real data file: an error or a text
    /// that parses, never a panic.
    #[test]
    fn arbitrary_fields_never_panic() {
        let sample = std::fs::read_to_string("samples/qinghe-market-2025.toml").unwrap();
        let keys = [
            "agency",
            "year",
            "title",
            "overview",
            "applications",
            "new",
            "withheld",
            "state_secret",
            "review",
            "active",
            "rules",
            "signature",
            "date",
            "lead",
            "text",
            "x",
            "0",
            "1",
            "5",
            "6",
            "99",
            "",
            "other",
            "fees",
        ];
        let values = [
            "0",
            "１２",
            "-3",
            "文本",
            "",
            "2026-01-01",
            "\"",
            "[1, 2]",
            "\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let depth = 1 + next(4);
            let name: Vec<&str> = (0..depth).map(|_| keys[next(keys.len())]).collect();
            let e = Edits {
                fields: [(name.join("."), values[next(values.len())].to_string())].into(),
                lengths: [(name[..depth.saturating_sub(1)].join("."), next(8))].into(),
                append: (next(5) == 0)
                    .then(|| (keys[next(keys.len())].to_string(), "lead".to_string())),
                remove: (next(5) == 0).then(|| format!("{}.{}", keys[next(keys.len())], next(8))),
                ..Edits::default()
            };
            if let Ok(out) = apply(&sample, &e) {
                assert!(out.parse::<DocumentMut>().is_ok(), "{e:?}\n{out}");
            }
        }
    }

    #[test]
    fn a_table_s_cells_and_rows_in_a_paragraph_list() {
        let text = "[[annexes]]\nbody = [\n  \"说明\",\n  { table = { widths = [1, 2], rows = [\n    [\"序号\", \"名称\"],\n    [{ text = \"合计\", colspan = 2 }],\n    [\"1\", \"甲\"],\n  ] } },\n]\n";
        let run = |e: Edits| apply(text, &e).unwrap();
        let rows = "annexes.0.body.1.table.rows";
        // A cell, a merged cell's text and span, a width: each on its line.
        let out = run(Edits {
            fields: [
                (format!("{rows}.2.1"), "乙".to_string()),
                (format!("{rows}.1.0.text"), "总计".to_string()),
                (
                    "annexes.0.body.1.table.widths.1".to_string(),
                    "3".to_string(),
                ),
            ]
            .into(),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace("\"甲\"", "\"乙\"")
                .replace("\"合计\"", "\"总计\"")
                .replace("[1, 2]", "[1, 3]")
        );
        // A row of empty cells as wide as the widest row, on its own line.
        let out = run(Edits {
            append: Some((rows.into(), "row".into())),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace("\"甲\"],\n", "\"甲\"],\n    [\"\", \"\"],\n")
        );
        let out = run(Edits {
            shift: Some((format!("{rows}.2"), -1)),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace("[{ text = \"合计\", colspan = 2 }]", "@")
                .replace("[\"1\", \"甲\"]", "[{ text = \"合计\", colspan = 2 }]")
                .replace('@', "[\"1\", \"甲\"]")
        );
        let out = run(Edits {
            remove: Some(format!("{rows}.1")),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace("    [{ text = \"合计\", colspan = 2 }],\n", "")
        );
        // A cell past the row's end, a key inside a plain cell: refused.
        for name in [format!("{rows}.2.5"), format!("{rows}.2.0.text")] {
            let e = Edits {
                fields: [(name, "x".to_string())].into(),
                ..Edits::default()
            };
            assert!(apply(text, &e).is_err());
        }
    }

    #[test]
    fn elements_inserted_moved_and_lists_started() {
        let text = "body = [\n  \"甲\",  # 一\n  { heading = \"二\" },\n]\n\n[[annexes]]\n# 附件一\ntitle = \"甲\"\n\n[[annexes]]\ntitle = \"乙\"\n";
        let run = |e: Edits| apply(text, &e).unwrap();
        let out = run(Edits {
            append: Some(("body".into(), "heading".into())),
            at: Some(1),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace(
                "  # 一\n",
                &format!("  # 一\n  {{ heading = \"{NEW_HEADING}\" }},\n")
            )
        );
        // Values move; each line's comment stays where it is written.
        let out = run(Edits {
            shift: Some(("body.0".into(), 1)),
            ..Edits::default()
        });
        assert_eq!(
            out,
            text.replace(
                "\"甲\",  # 一\n  { heading = \"二\" }",
                "{ heading = \"二\" },  # 一\n  \"甲\""
            )
        );
        // Records move with their comments.
        let out = run(Edits {
            shift: Some(("annexes.1".into(), -1)),
            ..Edits::default()
        });
        assert!(
            out.ends_with("[[annexes]]\ntitle = \"乙\"\n\n[[annexes]]\n# 附件一\ntitle = \"甲\"\n"),
            "{out}"
        );
        for bad in [("body.0", -1), ("body.1", 1), ("annexes.0", 2)] {
            assert!(apply(
                text,
                &Edits {
                    shift: Some((bad.0.into(), bad.1)),
                    ..Edits::default()
                }
            )
            .is_err());
        }
        // A list the file does not have yet, and an optional key removed.
        let out = run(Edits {
            append: Some(("attendance".into(), "record".into())),
            keys: vec![
                ("label".into(), "text".into()),
                ("names".into(), "text".into()),
            ],
            ..Edits::default()
        });
        assert!(
            out.ends_with(&format!(
                "[[attendance]]\nlabel = \"{NEW_ITEM}\"\nnames = \"{NEW_ITEM}\"\n"
            )),
            "{out}"
        );
        let out = run(Edits {
            append: Some(("attachments".into(), "string".into())),
            ..Edits::default()
        });
        assert!(out.parse::<DocumentMut>().unwrap()["attachments"][0].as_str() == Some(NEW_ITEM));
        assert_eq!(
            edit("a = 1\nb = 2\n", &[], &[]),
            apply(
                "a = 1\nc = 3\nb = 2\n",
                &Edits {
                    remove: Some("c".into()),
                    ..Edits::default()
                }
            )
            .unwrap()
        );
    }

    /// The annex's paragraphs were lost when one typed value replaced
    /// the list they are in.
    #[test]
    fn a_list_or_table_is_never_replaced_by_one_value() {
        let text = "[[annexes]]\ntitle = \"甲\"\nbody = [\"一\", \"二\", { lead = \"三\", text = \"四\" }]\n\n[imprint]\ncc = \"乙\"\n";
        for field in [
            "annexes.0.body",
            "annexes",
            "imprint",
            "annexes.0.body.2",
            "annexes.0",
        ] {
            let e = Edits {
                fields: [(field.to_string(), "新内容".to_string())].into(),
                ..Edits::default()
            };
            assert!(apply(text, &e).unwrap_err().contains("一组内容"), "{field}");
        }
        assert_eq!(
            edit(text, &[("annexes.0.body.1", "贰")], &[]),
            text.replace("\"二\"", "\"贰\"")
        );
    }

    #[test]
    fn json_files_edited_in_their_own_form() {
        let text = "{\n    \"template\": \"bulletin\",\n    \"issued\": \"2025-12-05\",\n    \"imprint\": { \"cc\": \"甲\" },\n    \"total\": 3,\n    \"body\": [\"一\", { \"heading\": \"二\" }],\n    \"rows\": [{ \"received\": 1 }, { \"received\": 2 }]\n}\n";
        let run = |e: Edits| apply_json(text, &e).unwrap();
        let fields = |f: &[(&str, &str)]| Edits {
            fields: f
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Edits::default()
        };
        // Unchanged, or every value sent back as it is: byte for byte.
        assert_eq!(run(Edits::default()), text);
        assert_eq!(
            run(fields(&[
                ("issued", "2025-12-05"),
                ("imprint.cc", "甲"),
                ("total", "3"),
                ("body.1.heading", "二"),
                ("rows.1.received", "2"),
            ])),
            text
        );
        let out = run(fields(&[
            ("rows.1.received", "５"),
            ("issued", "2026年1月20日"),
        ]));
        let want: serde_json::Value = serde_json::from_str(
            &text
                .replace("\"received\": 2", "\"received\": 5")
                .replace("2025-12-05", "2026-01-20"),
        )
        .unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            want
        );
        // Keys in the file's order, indented as the file was.
        assert!(
            out.starts_with("{\n    \"template\": \"bulletin\",\n    \"issued\""),
            "{out}"
        );
        assert!(out.ends_with("}\n"), "{out}");
        let out = run(Edits {
            shift: Some(("body.0".into(), 1)),
            ..Edits::default()
        });
        assert!(
            out.contains("\"body\": [\n        {\n            \"heading\": \"二\""),
            "{out}"
        );
        assert!(apply_json("[1]", &Edits::default()).is_err());
        assert!(apply_json("{\"a\": null}", &Edits::default())
            .unwrap_err()
            .contains("null"));
    }

    #[test]
    fn dates_booleans_and_empty_new_keys() {
        let text = "date = 2026-01-12\nurgent = false\nnote = \"甲\"\n";
        assert_eq!(
            edit(text, &[("date", "2026年1月20日"), ("urgent", "true")], &[]),
            "date = 2026-01-20\nurgent = true\nnote = \"甲\"\n"
        );
        // An empty field or an unticked box of a key the file leaves out
        // writes nothing; ticked, it writes the key.
        assert_eq!(
            edit(
                text,
                &[("seal_size", ""), ("cc", " "), ("no_label", "false")],
                &[]
            ),
            text
        );
        assert_eq!(
            edit(text, &[("no_label", "true")], &[]),
            format!("{text}no_label = true\n")
        );
        assert_eq!(
            edit(text, &[("printed", "2026.1.5")], &[]),
            format!("{text}printed = 2026-01-05\n")
        );
    }

    #[test]
    fn refuses_paths_the_file_cannot_hold() {
        let e = Edits {
            fields: [("year.0".to_string(), "1".to_string())].into(),
            ..Edits::default()
        };
        assert!(apply(FILE, &e).is_err());
        let e = Edits {
            fields: [("applications.new.9".to_string(), "1".to_string())].into(),
            ..Edits::default()
        };
        assert!(apply(FILE, &e).is_err());
        assert!(apply("a = [", &Edits::default()).is_err());
    }
}

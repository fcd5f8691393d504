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
    /// A paragraph (`"text"` or `"lead"`) or a record (`"record"`) to add
    /// at the end of the array at this key path, after the fields.
    #[serde(default)]
    pub append: Option<(String, String)>,
    /// An array element to remove (`overview.3`), after the fields.
    #[serde(default)]
    pub remove: Option<String>,
}

/// What a new paragraph says until the clerk writes it; `check` warns
/// about it as about every placeholder.
pub const NEW_TEXT: &str = "（在此填写：本段内容）";
pub const NEW_LEAD: &str = "（在此填写小标题。）";

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
        if matches!(leaf, Some("previous" | "template" | "seal")) {
            return Err(format!(
                "「{name}」指向其他文件，不能在表单中修改；请用编辑器修改数据文件"
            ));
        }
        let segs =
            segments(name).ok_or_else(|| format!("表单项「{}」不是数据文件的键", short(name)))?;
        let length = |upto: usize| -> usize {
            let prefix: Vec<&str> = name.split('.').take(upto).collect();
            edits.lengths.get(&prefix.join(".")).copied().unwrap_or(0)
        };
        set(doc.as_item_mut(), &segs, 0, typed, &length)
            .map_err(|()| format!("表单项「{}」无法写入数据文件", short(name)))?;
    }
    if let Some((path, kind)) = &edits.append {
        append(doc.as_item_mut(), path, kind)
            .ok_or_else(|| format!("无法在「{path}」后添加：数据文件中这一项不是列表"))?;
    }
    if let Some(path) = &edits.remove {
        remove(doc.as_item_mut(), path).ok_or_else(|| format!("数据文件中没有「{path}」"))?;
    }
    Ok(doc.to_string())
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
        .chain(edits.remove.iter());
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
    let mut item = root;
    for seg in path.split('.') {
        item = item.as_table_like_mut()?.get_mut(seg)?;
    }
    Some(item)
}

/// A new last element of the array at `path`: a placeholder paragraph,
/// one with a lead-in, or a record with the last record's keys, empty.
fn append(root: &mut Item, path: &str, kind: &str) -> Option<()> {
    let item = item_at(root, path)?;
    if let Some(tables) = item.as_array_of_tables_mut() {
        let mut t = Table::new();
        if let Some(last) = tables.iter().last() {
            for (k, v) in last.iter() {
                let blank = match v.as_value() {
                    Some(Value::Integer(_)) => Value::from(0i64),
                    _ => Value::from(""),
                };
                t.insert(k, Item::Value(blank));
            }
        }
        tables.push(t);
        return Some(());
    }
    let arr = item.as_array_mut()?;
    let value = if kind == "lead" {
        let mut t = toml_edit::InlineTable::new();
        t.insert("lead", Value::from(NEW_LEAD));
        t.insert("text", Value::from(NEW_TEXT));
        Value::InlineTable(t)
    } else {
        Value::from(NEW_TEXT)
    };
    // Laid out like the file's other paragraphs: one a line.
    let prefix = arr
        .get(0)
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("\n  ")
        .to_string();
    arr.push_formatted(value.decorated(prefix, ""));
    Some(())
}

fn remove(root: &mut Item, path: &str) -> Option<()> {
    let (parent, index) = path.rsplit_once('.')?;
    let index: usize = index.parse().ok()?;
    let item = item_at(root, parent)?;
    if let Some(tables) = item.as_array_of_tables_mut() {
        (index < tables.len()).then(|| {
            tables.remove(index);
        })
    } else {
        let arr = item.as_array_mut()?;
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
            let i = *i;
            if let Some(tables) = item.as_array_of_tables_mut() {
                // [[rows]]: a field of the i-th record.
                let t = tables.get_mut(i).ok_or(())?;
                return in_table(t, rest, depth + 1, typed, length);
            }
            let arr = item.as_array_mut().ok_or(())?;
            if i > arr.len() || (i == arr.len() && !rest.is_empty()) {
                return Err(());
            }
            if rest.is_empty() {
                let new = convert(arr.get(i), typed);
                if i == arr.len() {
                    arr.push_formatted(new);
                } else if !same_value(arr.get(i).expect("in range"), &new) {
                    arr.replace(i, new);
                }
                return Ok(());
            }
            // A paragraph written { lead = "…", text = "…" }.
            match arr.get_mut(i) {
                Some(Value::InlineTable(t)) => in_table(t, rest, depth + 1, typed, length),
                _ => Err(()),
            }
        }
    }
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
    match old {
        Some(Value::Integer(_)) | None => {
            if narrow.is_empty() {
                Value::from(0i64)
            } else {
                narrow
                    .parse::<i64>()
                    .map_or_else(|_| Value::from(typed.to_string()), Value::from)
            }
        }
        Some(Value::Datetime(_)) => narrow
            .parse::<toml_edit::Datetime>()
            .map_or_else(|_| Value::from(typed.to_string()), Value::from),
        Some(Value::String(s)) if money(s.value()) && money(&narrow) => Value::from(narrow),
        _ => Value::from(typed.to_string()),
    }
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
            out.ends_with("[[rows]]\nwindow = \"\"\nreceived = 0\n"),
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
        for key in ["previous", "template", "signature.seal", "seal"] {
            let e = Edits {
                fields: [(key.to_string(), "/etc/passwd".to_string())].into(),
                ..Edits::default()
            };
            assert!(
                apply(FILE, &e).unwrap_err().contains("指向其他文件"),
                "{key}"
            );
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

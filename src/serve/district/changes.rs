//! What a save changed, as the key paths of the values that differ
//! (`applications.new.0`, `review.total.4`): the form's own names for its
//! fields, so the history reads as the form does.

use serde_json::Value;

/// A data file's text as a tree (TOML or JSON by its name); `None` when
/// it does not parse.
fn tree(name: &str, bytes: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    if name.ends_with(".json") {
        serde_json::from_str(text).ok()
    } else {
        let t: toml::Value = toml::from_str(text).ok()?;
        serde_json::to_value(t).ok()
    }
}

/// The key paths whose values differ between two saves of a file, in the
/// new file's order; `["（整个文件）"]` when either does not parse, no
/// path for the same values.
pub fn changed(name: &str, old: Option<&[u8]>, new: &[u8]) -> Vec<String> {
    let Some(new) = tree(name, new) else {
        return vec!["（整个文件）".into()];
    };
    let old = match old {
        None => Value::Null,
        Some(b) => match tree(name, b) {
            Some(t) => t,
            None => return vec!["（整个文件）".into()],
        },
    };
    let mut out = Vec::new();
    walk("", &old, &new, &mut out);
    out
}

const MAX_PATHS: usize = 200;

fn walk(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if out.len() >= MAX_PATHS {
        return;
    }
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                walk(&join(k), a.get(k).unwrap_or(&Value::Null), v, out);
            }
            for (k, v) in a {
                if !b.contains_key(k) {
                    walk(&join(k), v, &Value::Null, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                walk(
                    &join(&i.to_string()),
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (a, b) if a == b => {}
        (Value::Null, Value::Object(_) | Value::Array(_)) => walk(at, &empty(new), new, out),
        (Value::Object(_) | Value::Array(_), Value::Null) => walk(at, old, &empty(old), out),
        _ => out.push(if at.is_empty() {
            "（整个文件）".into()
        } else {
            at.to_string()
        }),
    }
}

/// An empty value of a tree's kind, to list every leaf of a tree that
/// came or went.
fn empty(v: &Value) -> Value {
    match v {
        Value::Object(_) => Value::Object(serde_json::Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_values_that_changed() {
        let old = b"agency = \"A\"\n[applications]\nnew = [1, 2, 3]\n";
        let new = b"agency = \"A\"\n# a comment\n[applications]\nnew = [1, 5, 3, 4]\n";
        assert_eq!(
            changed("r.toml", Some(old), new),
            ["applications.new.1", "applications.new.3"]
        );
        assert!(changed("r.toml", Some(old), old).is_empty());
        assert_eq!(changed("r.toml", Some(old), b"x = ["), ["（整个文件）"]);
        assert_eq!(changed("r.json", None, br#"{"a": {"b": 1}}"#), ["a.b"]);
    }
}

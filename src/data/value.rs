//! The spanned tree as a JSON value for schema validation and templates,
//! with an index from each value's JSON Pointer back to the source, so a
//! validator's `/rows/2/received` is shown at its line and column.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Number, Value};

use super::node::{parse_int, Kind, Node};

/// Where a value and, for a table entry, its key stand in the data file.
#[derive(Debug, Clone)]
pub struct Place {
    pub key: Option<Range<usize>>,
    pub value: Range<usize>,
}

/// A data file as a JSON value, with the place of every value in it.
#[derive(Debug, Clone)]
pub struct Located {
    pub value: Value,
    places: HashMap<String, Place>,
}

impl Located {
    /// The tree as a JSON value: TOML dates become `YYYY-MM-DD` strings, as
    /// JSON Schema's `format: date` expects.
    pub fn new(tree: &Node) -> Located {
        let mut places = HashMap::new();
        let value = convert(tree, String::new(), None, &mut places);
        Located { value, places }
    }

    /// The place of the value at a JSON Pointer, or of the nearest
    /// enclosing value that has one.
    pub fn place(&self, pointer: &str) -> Option<&Place> {
        let mut p = pointer;
        loop {
            if let Some(place) = self.places.get(p) {
                return Some(place);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    /// Drops a top-level key (gongwen's own, such as `template`) from the
    /// value, keeping its place for messages.
    pub fn remove_top(&mut self, key: &str) -> Option<Value> {
        self.value.as_object_mut()?.remove(key)
    }
}

/// One segment of a JSON Pointer, escaped per RFC 6901.
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn convert(
    node: &Node,
    pointer: String,
    key: Option<Range<usize>>,
    places: &mut HashMap<String, Place>,
) -> Value {
    let value = match &node.kind {
        Kind::Str(s) | Kind::Date(s) => Value::String(s.clone()),
        Kind::Int(raw) => match parse_int(raw) {
            Some(i) => Value::Number(i.into()),
            None => float(raw),
        },
        Kind::Float(raw) => float(raw),
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| convert(n, format!("{pointer}/{i}"), None, places))
                .collect(),
        ),
        Kind::Table(entries) => {
            let mut map = Map::new();
            for e in entries {
                let p = format!("{pointer}/{}", pointer_segment(&e.key));
                let v = convert(&e.value, p, Some(e.key_span.clone()), places);
                map.insert(e.key.clone(), v);
            }
            Value::Object(map)
        }
    };
    places.insert(
        pointer,
        Place {
            key,
            value: node.span.clone(),
        },
    );
    value
}

/// A TOML float (or an integer too large for i64) as a JSON number; the
/// non-finite `inf` and `nan`, which JSON has no number for, as text, so
/// the schema reports them as not numbers.
fn float(raw: &str) -> Value {
    let cleaned: String = raw.chars().filter(|&c| c != '_').collect();
    cleaned
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(raw.to_string()), Value::Number)
}

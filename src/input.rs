//! A data file with the template it is for: read, parsed, the template
//! chosen (`--template`, the file's `template` key, or the annual report's
//! built-in template for its format), and the data checked the way that
//! template asks — by the annual report's form and C1–C8, or by the
//! template's schema and rules. One path, so `check`, `render` and `watch`
//! report the same problems.

use std::path::Path;

use serde_json::Value;

use crate::annual::{self, Report};
use crate::data::example::PLACEHOLDER;
use crate::data::node::{Kind as NodeKind, Node};
use crate::data::schema::Schema;
use crate::data::value::{pointer_segment, Located};
use crate::diag::{Diagnostic, Diagnostics, Kind, Source};
use crate::files::Files;
use crate::template::{builtin, Content, DataKind, Template};

/// A data file's checked data.
#[derive(Debug)]
pub enum Data {
    Annual(Box<Report>),
    /// The data file's values, without gongwen's own `template` key.
    Record(Value),
}

impl Data {
    pub fn content(&self) -> Content<'_> {
        match self {
            Data::Annual(r) => Content::Annual(r),
            Data::Record(v) => Content::Record(v),
        }
    }
}

/// A loaded data file: its text, its template and its data.
#[derive(Debug)]
pub struct Input {
    pub source: Source,
    pub template: Template,
    pub data: Data,
}

impl Input {
    pub fn report(&self) -> Option<&Report> {
        match &self.data {
            Data::Annual(r) => Some(r),
            Data::Record(_) => None,
        }
    }
}

/// The outcome of loading: the input when it could be read, and every
/// problem found on the way (errors and warnings).
pub struct Loaded {
    pub input: Option<Input>,
    pub diagnostics: Diagnostics,
    /// An annual report's narrative check, when left for the caller.
    pub(crate) narrative: Option<annual::NarrativeLater>,
}

impl Loaded {
    fn failed(diagnostics: Diagnostics) -> Loaded {
        Loaded {
            input: None,
            diagnostics,
            narrative: None,
        }
    }

    /// Whether loading failed only because files could not be read (exit 3),
    /// rather than because of what they contain (exit 1).
    pub fn read_failed(&self) -> bool {
        self.diagnostics.0.iter().all(|d| d.kind == Kind::Io)
    }

    /// The exit code of a file that failed to load.
    pub fn exit(&self) -> crate::exit::Exit {
        if self.read_failed() {
            crate::exit::Exit::Io
        } else {
            crate::exit::Exit::Input
        }
    }

    pub fn ok(&self) -> Option<&Input> {
        if self.diagnostics.has_errors() {
            None
        } else {
            self.input.as_ref()
        }
    }
}

/// Loads a data file through `files` and checks it for its template:
/// `chosen` when given (`--template`), else the one the file names.
pub fn load(path: &Path, chosen: Option<&Template>, files: &dyn Files) -> Loaded {
    load_leaving(path, chosen, files, false)
}

/// As [`load`]; `later`: an annual report's narrative check is left to the
/// caller (see [`Loaded::narrative`]).
pub(crate) fn load_leaving(
    path: &Path,
    chosen: Option<&Template>,
    files: &dyn Files,
    later: bool,
) -> Loaded {
    let read = files
        .read(path, crate::data::MAX_DATA_BYTES)
        .and_then(|bytes| crate::data::decode(path, &bytes));
    match read {
        Ok(src) => load_source(src, chosen, files, true, later),
        Err(d) => Loaded::failed(d.into()),
    }
}

/// Loads data already in memory (a form not saved yet, a file about to be
/// written); `path` names it in messages and its extension chooses JSON or
/// TOML. The previous year's file it names is read only if `previous`.
pub fn load_text(
    path: &Path,
    text: &str,
    chosen: Option<&Template>,
    files: &dyn Files,
    previous: bool,
) -> Loaded {
    load_text_leaving(path, text, chosen, files, previous, false)
}

/// As [`load_text`], leaving the narrative check as [`load_leaving`] does.
pub(crate) fn load_text_leaving(
    path: &Path,
    text: &str,
    chosen: Option<&Template>,
    files: &dyn Files,
    previous: bool,
    later: bool,
) -> Loaded {
    load_source(Source::new(path, text), chosen, files, previous, later)
}

fn load_source(
    src: Source,
    chosen: Option<&Template>,
    files: &dyn Files,
    previous: bool,
    later: bool,
) -> Loaded {
    let tree = match crate::data::parse_source(&src) {
        Ok(t) => t,
        Err(d) => return Loaded::failed(d),
    };
    let named = match (chosen, tree.get("template")) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(node)) => match &node.kind {
            NodeKind::Str(name) => match Template::named(name, &src.path, files) {
                Ok(t) => Some(t),
                Err(d) => {
                    let d = if d.file.is_some() {
                        d
                    } else {
                        d.at(&src, node.span.clone())
                    };
                    return Loaded::failed(d.into());
                }
            },
            // The annual report's form says what is wrong with it.
            _ => None,
        },
        (None, None) => None,
    };
    match named {
        Some(t) if t.kind == DataKind::Schema => record(src, &tree, t),
        named => {
            let previous = previous.then_some(files);
            let (loaded, narrative) = if later {
                let (loaded, narrative) = annual::read_but_narrative(&src, &tree, previous);
                (loaded, Some(narrative))
            } else {
                (annual::read(&src, &tree, previous), None)
            };
            let input = loaded.report.map(|report| Input {
                template: named.unwrap_or_else(|| builtin::for_format(report.format)),
                data: Data::Annual(Box::new(report)),
                source: src,
            });
            Loaded {
                input,
                diagnostics: loaded.diagnostics,
                narrative,
            }
        }
    }
}

/// Data for a template with its own schema: validated against the schema,
/// then the template's rules, every problem reported at once.
fn record(src: Source, tree: &Node, template: Template) -> Loaded {
    let Some(spec) = template.spec.clone() else {
        unreachable!("a schema template has its spec");
    };
    let mut located = Located::new(tree);
    if !matches!(located.value, Value::Object(_)) {
        return Loaded::failed(
            Diagnostic::error("数据文件的顶层应为表（键 = 值）")
                .in_file(&src.path)
                .into(),
        );
    }
    located.remove_top("template");
    let mut diagnostics = match &spec.schema {
        Some(schema) => schema.check(&located, &src),
        None => Diagnostics::default(),
    };
    if let Some(schema) = &spec.schema {
        diagnostics.extend(placeholders(&located, schema, &src));
        diagnostics.extend(examples_left(&located, schema, &src));
    }
    let schema_failed = diagnostics.has_errors();
    diagnostics.extend(crate::data::rules::check(
        &spec.checks,
        &spec.manifest,
        &located,
        &src,
        schema_failed,
    ));
    diagnostics.sort();
    Loaded {
        input: Some(Input {
            source: src,
            template,
            data: Data::Record(located.value),
        }),
        diagnostics,
        narrative: None,
    }
}

/// Warnings for values still equal to the schema's example, which
/// `gongwen new` wrote for the clerk to replace: left as they are, the
/// example's 份号, 密级 or 发文字号 would print on a real document.
fn examples_left(data: &Located, schema: &Schema, src: &Source) -> Diagnostics {
    fn walk(schema: &Schema, s: &Value, v: &Value, pointer: &str, found: &mut Vec<(String, bool)>) {
        let (Some(props), Value::Object(map)) = (s.get("properties"), v) else {
            return;
        };
        let required = |key: &str| {
            s.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|k| k == key))
        };
        for (key, value) in map {
            let Some(sub) = props.get(key).and_then(|p| schema.resolve(p)) else {
                continue;
            };
            let here = format!("{pointer}/{}", pointer_segment(key));
            // A number or a yes/no equal to the example is as likely the
            // document's own (期号 11, 上行文 false); text is not.
            let telling = matches!(value, Value::String(_) | Value::Array(_) | Value::Object(_));
            match sub.get("examples").and_then(|e| e.get(0)) {
                Some(example) if telling && example == value => found.push((here, required(key))),
                _ => walk(schema, sub, value, &here, found),
            }
        }
    }
    let mut found = Vec::new();
    if let Some(root) = schema.resolve(&schema.json) {
        walk(schema, root, &data.value, "", &mut found);
    }
    let mut out = Diagnostics::default();
    for (pointer, required) in found {
        let d = Diagnostic::warning(format!(
            "{}还是 gongwen new 写入的示例，印出前改成本件的内容{}",
            schema.field_name(&pointer),
            if required {
                ""
            } else {
                "；不需要时删去这一项"
            }
        ));
        out.push(match data.place(&pointer) {
            Some(p) => d.at(src, p.value.clone()),
            None => d.in_file(&src.path),
        });
    }
    out
}

/// Warnings for text `gongwen new` wrote where the schema had no example
/// and that is still there.
fn placeholders(data: &Located, schema: &Schema, src: &Source) -> Diagnostics {
    fn walk(v: &Value, pointer: String, found: &mut Vec<String>) {
        match v {
            Value::String(s) if s.contains(PLACEHOLDER) => found.push(pointer),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{pointer}/{i}"), found);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    walk(item, format!("{pointer}/{}", pointer_segment(k)), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&data.value, String::new(), &mut found);
    let mut out = Diagnostics::default();
    for pointer in found {
        let d = Diagnostic::warning(format!(
            "{}还是 gongwen new 写入的占位文字（{PLACEHOLDER}……）",
            schema.field_name(&pointer)
        ));
        out.push(match data.place(&pointer) {
            Some(p) => d.at(src, p.value.clone()),
            None => d.in_file(&src.path),
        });
    }
    out
}

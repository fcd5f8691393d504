//! Bounds on what templates and `[[check]]` rules may nest and build.
//! Template source is checked before minijinja compiles it: the compiler
//! and renderer recurse once per nested expression term and block, so a
//! 120 KB chain of `~` or thousands of nested `{% if %}` would overflow
//! the stack and abort the whole batch. The filters both run are bounded
//! in what they build.

use crate::diag::{Diagnostic, Source};

/// Longest `{{ … }}` or `{% … %}` tag, in characters; real tags are a
/// line or a short list.
pub const MAX_TAG_CHARS: usize = 10_000;
/// Deepest nesting of blocks (`if`, `for`, `macro` …) and of brackets in
/// one tag.
pub const MAX_NESTING: usize = 100;

const BLOCKS: &[&str] = &[
    "if",
    "for",
    "macro",
    "call",
    "filter",
    "with",
    "block",
    "raw",
    "autoescape",
];

pub fn check(src: &Source) -> Result<(), Diagnostic> {
    let text = &*src.text;
    let mut depth = 0usize;
    let mut pos = 0;
    while let Some(off) = text[pos..].find('{') {
        let start = pos + off;
        let rest = &text[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            pos = start + 1;
            continue;
        };
        let end = rest.find(close).map_or(text.len(), |e| start + e + 2);
        let tag = &text[start..end];
        let err = |msg: String| Diagnostic::error(msg).at(src, start..start + 2);
        if close != "#}" && tag.chars().count() > MAX_TAG_CHARS {
            return Err(err(format!(
                "模板标记过长（超过 {MAX_TAG_CHARS} 个字符），不予编译"
            ))
            .hint("把长表达式拆成几个 {% set %}，或把数据放进数据文件"));
        }
        if close != "#}" {
            let mut nest = 0usize;
            let mut deepest = 0usize;
            let mut quote: Option<char> = None;
            let inner = tag.get(2..tag.len().saturating_sub(2)).unwrap_or("");
            for c in inner.chars() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '(' | '[' | '{') => {
                        nest += 1;
                        deepest = deepest.max(nest);
                    }
                    (None, ')' | ']' | '}') => nest = nest.saturating_sub(1),
                    _ => {}
                }
            }
            if deepest > MAX_NESTING {
                return Err(err(format!(
                    "模板表达式的括号嵌套超过 {MAX_NESTING} 层，不予编译"
                )));
            }
        }
        if close == "%}" {
            let word = tag[2..]
                .trim_start_matches(['-', '+'])
                .split_whitespace()
                .next()
                .unwrap_or("");
            if BLOCKS.contains(&word) || (word == "set" && !tag.contains('=')) {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(err(format!(
                        "模板的块（if、for 等）嵌套超过 {MAX_NESTING} 层，不予编译"
                    )));
                }
            } else if word.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
        }
        pos = end.max(start + 1);
    }
    Ok(())
}

/// Largest text a template or a rule may build with `join` or `string`:
/// a whole report's markup is a few hundred KB, so 16 MB is generous
/// while a list of a hundred 99 KB texts repeated 100 000 times (10 GB)
/// stops before anything is allocated.
pub const MAX_BUILT_BYTES: usize = 16 << 20;

/// Replaces the filters that build one text from many values with ones
/// that measure the result first and refuse it past [`MAX_BUILT_BYTES`].
pub fn bound_filters(env: &mut minijinja::Environment<'_>) {
    env.add_filter("join", join);
    env.add_filter("string", string);
}

fn too_long() -> minijinja::Error {
    minijinja::Error::new(
        minijinja::ErrorKind::InvalidOperation,
        format!(
            "生成的文字超过 {} MB 的上限，不予生成",
            MAX_BUILT_BYTES >> 20
        ),
    )
}

/// Pieces one value may be written in: a list of millions of empty
/// items is short, yet slow to write.
const MAX_PIECES: usize = 1_000_000;

/// A `fmt::Write` that stops at `left` bytes (or [`MAX_PIECES`] pieces)
/// instead of growing.
struct Capped {
    text: String,
    left: usize,
    pieces: usize,
}

impl std::fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.pieces += 1;
        if s.len() > self.left || self.pieces > MAX_PIECES {
            return Err(std::fmt::Error);
        }
        self.left -= s.len();
        self.text.push_str(s);
        Ok(())
    }
}

/// A value's text, or an error once it would pass `max` bytes.
fn shown(value: &minijinja::Value, max: usize) -> Result<String, minijinja::Error> {
    use std::fmt::Write;
    if let Some(s) = value.as_str() {
        return if s.len() > max {
            Err(too_long())
        } else {
            Ok(s.to_string())
        };
    }
    let mut out = Capped {
        text: String::new(),
        left: max,
        pieces: 0,
    };
    write!(out, "{value}").map_err(|_| too_long())?;
    Ok(out.text)
}

fn string(
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<minijinja::Value, minijinja::Error> {
    if value.is_undefined() {
        return minijinja::filters::string(state, value);
    }
    if value.as_str().is_some() {
        return Ok(value.clone());
    }
    Ok(minijinja::Value::from(shown(value, MAX_BUILT_BYTES)?))
}

/// As minijinja's `join`, measured item by item before the text is built.
fn join(
    state: &mut minijinja::State,
    args: minijinja::value::Rest<minijinja::Value>,
) -> Result<minijinja::Value, minijinja::Error> {
    let items = args.0.first().cloned().unwrap_or_default();
    let joiner = args.0.get(1).and_then(|j| j.as_str()).map_or(0, str::len);
    if let Ok(iter) = items.try_iter() {
        let mut total = 0usize;
        for (i, item) in iter.enumerate() {
            // Measuring is work too: a million empty items cost as much
            // as joining them.
            state.consume_fuel(1)?;
            if i > 0 {
                total = total.saturating_add(joiner);
            }
            let left = MAX_BUILT_BYTES.saturating_sub(total);
            let len = match item.as_str() {
                Some(s) => s.len(),
                None => shown(&item, left)?.len(),
            };
            total = total.saturating_add(len);
            if total > MAX_BUILT_BYTES {
                return Err(too_long());
            }
        }
    }
    minijinja::Value::from_function(minijinja::filters::join).call(state, &args.0)
}

/// Where an expression minijinja failed on stands: the same English
/// means a different mistake in a template and in a `[[check]]` rule.
#[derive(Clone, Copy, PartialEq)]
pub enum Written {
    Template,
    Rule,
}

/// minijinja's own account of an error, with the Chinese for the cases a
/// template or rule author meets; the English stays in brackets.
pub fn detail(e: &minijinja::Error, written: Written) -> String {
    let detail = e
        .detail()
        .map_or_else(|| e.kind().to_string(), String::from);
    let unclosed = match written {
        Written::Template => "模板意外结束，有未闭合的 {{ 或 {%",
        Written::Rule => "规则意外结束，有未闭合的括号或引号",
    };
    let known: [(&str, &str); 11] = [
        ("recursion limit", "嵌套过深"),
        (
            "expected end of block",
            "块没有结束，缺少 {% endif %}、{% endfor %} 等结束标记",
        ),
        ("unexpected end of input", unclosed),
        ("unknown statement", "不认识的语句"),
        ("unexpected", "此处的写法不对"),
        ("not iterable", "这个值不能用 for 循环"),
        ("not callable", "这个值不能调用"),
        ("division by zero", "除数为 0"),
        ("too large", "生成的值过大"),
        ("is not a string", "这个值不是文字"),
        ("cannot convert value", "这个值不能这样转换"),
    ];
    match known.iter().find(|(en, _)| detail.contains(en)) {
        Some((_, zh)) => format!("{zh}（{detail}）"),
        None => detail,
    }
}
